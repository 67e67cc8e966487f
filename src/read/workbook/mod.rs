//! Workbooks through calamine: `.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`.
//!
//! The format is sniffed from the bytes (a workbook saved under the wrong
//! extension is still read), after the checks of [`super::sniff`]. Only
//! visible worksheets are read (hidden sheets are often old copies;
//! chartsheets hold no cells and make some readers fail). A sheet that cannot
//! be read is set aside in [`Book::unread_sheets`] and the others are read;
//! the book fails only when no sheet could be read at all.
//!
//! `.xlsx` and `.xlsb` sheets are streamed cell by cell into a grid sized by
//! the cells used ([`super::grid`]); `.xls` and `.ods` are parsed whole by
//! calamine when opened, and their cells then go through the same limits.
//!
//! A formula whose cached result was never saved (files written by scripts)
//! would read as an empty cell; we read the formulas too and mark such cells,
//! so that a missing figure is reported instead of counted as zero.
//!
//! One file per format, each a [`ReadSheets`] over its calamine reader:
//! [`xlsx`], [`xlsb`], [`xls`], [`ods`]; this file holds what they share
//! (opening, the visible worksheets, cell conversion, dates).

use super::grid::{book_too_large, Area, Budget, GridBuilder};
use super::limits::MAX_BOOK_SHEETS;
use super::sniff::{workbook_kind, WorkbookKind};
use super::xlsx_parts::Zip;
use super::{Book, Cell, FileKind, ReadError, Sheet};
use crate::core::month::date_from_serial;
use crate::core::Location;
use calamine::{Data, DataRef, Dimensions, Reader, SheetType, SheetVisible};
use std::io::{Cursor, Read, Seek};

mod ods;
mod xls;
mod xlsb;
mod xlsx;

type Bytes<'a> = Cursor<&'a [u8]>;

/// What a workbook is read from: its bytes, its name for messages, the zip
/// archive the sniffing opened (zip-based formats), and whether `.xlsx`
/// sheets get kasane's own one-pass scan ([`read_with`]).
struct Source<'a> {
    bytes: &'a [u8],
    file: &'a str,
    zip: Option<Zip<'a>>,
    scan: bool,
}

/// One workbook format, read through its calamine reader (calamine's own
/// shape: one reader per format behind its `Reader` trait): the format's
/// checks before opening, then each visible worksheet into a grid. A sheet
/// that cannot be read is an `Err` in the list; an `Err` of the whole call
/// refuses the file.
trait ReadSheets {
    fn read_sheets(
        source: Source<'_>,
        budget: &mut Budget,
    ) -> Result<Vec<Result<Sheet, ReadError>>, ReadError>;
}

pub(super) fn read(bytes: &[u8], file: &str) -> Result<Book, ReadError> {
    read_with(bytes, file, true)
}

/// [`read`]; with `scan` false, `.xlsx` sheets are read with calamine's
/// separate passes only (the tests compare both ways).
fn read_with(bytes: &[u8], file: &str, scan: bool) -> Result<Book, ReadError> {
    let (kind, zip) = workbook_kind(bytes, file)?;
    let mut budget = Budget::default();
    let source = Source {
        bytes,
        file,
        zip,
        scan,
    };
    let results = match kind {
        WorkbookKind::Xlsx => xlsx::XlsxBook::read_sheets(source, &mut budget),
        WorkbookKind::Xlsb => xlsb::XlsbBook::read_sheets(source, &mut budget),
        WorkbookKind::Xls => xls::XlsBook::read_sheets(source, &mut budget),
        WorkbookKind::Ods => ods::OdsBook::read_sheets(source, &mut budget),
    }?;
    let mut sheets = Vec::new();
    let mut unread_sheets = Vec::new();
    for r in results {
        match r {
            Ok(s) => sheets.push(s),
            Err(e) => unread_sheets.push(e),
        }
    }
    // A book whose every sheet failed is unreadable as a whole.
    if sheets.is_empty() && !unread_sheets.is_empty() {
        return Err(unread_sheets.swap_remove(0));
    }
    Ok(Book {
        file: file.to_string(),
        kind: FileKind::Workbook,
        sheets,
        unread_sheets,
    })
}

/// Opens a workbook with calamine's reader `R`; `is_password` tells its
/// password error from the others.
fn open<'a, R>(
    bytes: &'a [u8],
    file: &str,
    is_password: impl Fn(&R::Error) -> bool,
) -> Result<R, ReadError>
where
    R: Reader<Bytes<'a>>,
    R::Error: std::fmt::Display,
{
    R::new(Cursor::new(bytes)).map_err(|e| open_error(file, &e.to_string(), is_password(&e)))
}

fn open_error(file: &str, reason: &str, password: bool) -> ReadError {
    if password {
        ReadError::Password {
            loc: Location::file(file),
        }
    } else {
        ReadError::Workbook {
            loc: Location::file(file),
            reason: reason.to_string(),
        }
    }
}

fn sheet_error(file: &str, sheet: &str, reason: impl ToString) -> ReadError {
    ReadError::Workbook {
        loc: Location::file(file).in_sheet(sheet),
        reason: reason.to_string(),
    }
}

fn visible_worksheets<RS: Read + Seek, R: Reader<RS>>(wb: &R) -> Vec<String> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect()
}

/// The visible worksheets, refusing a book with more than
/// [`MAX_BOOK_SHEETS`] of them before any is read.
fn sheets_to_read<RS: Read + Seek, R: Reader<RS>>(
    wb: &R,
    file: &str,
) -> Result<Vec<String>, ReadError> {
    let names = visible_worksheets(wb);
    if names.len() > MAX_BOOK_SHEETS {
        return Err(book_too_large(
            file,
            "",
            "sheets",
            names.len(),
            MAX_BOOK_SHEETS,
        ));
    }
    Ok(names)
}

/// Reads each sheet with `read`, keeping a sheet's own error beside the
/// others; a book's budget running out ([`ReadError::BookTooLarge`]) stops
/// the reading and refuses the whole file.
fn read_each(
    names: Vec<String>,
    mut read: impl FnMut(&str) -> Result<Sheet, ReadError>,
) -> Result<Vec<Result<Sheet, ReadError>>, ReadError> {
    let mut results = Vec::with_capacity(names.len());
    for name in &names {
        match read(name) {
            Err(e @ ReadError::BookTooLarge { .. }) => return Err(e),
            r => results.push(r),
        }
    }
    Ok(results)
}

fn area(d: &Dimensions) -> Area {
    (d.start.0, d.start.1, d.end.0, d.end.1)
}

/// `.xls` and `.ods`: calamine has parsed the sheet already; its cells still
/// go through the grid's limits.
fn read_whole_sheet<RS, R>(
    wb: &mut R,
    file: &str,
    name: &str,
    merged: &[Dimensions],
    budget: &mut Budget,
) -> Result<Sheet, ReadError>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let values = wb
        .worksheet_range(name)
        .map_err(|e| sheet_error(file, name, e))?;
    let mut grid = GridBuilder::new(file, name, budget);
    if let Some((r0, c0)) = values.start() {
        for (r, c, v) in values.used_cells() {
            grid.visit()?;
            grid.push(r0 + r as u32, c0 + c as u32, convert(v))?;
        }
    }
    if let Ok(formulas) = wb.worksheet_formula(name) {
        if let Some((r0, c0)) = formulas.start() {
            for (r, c, f) in formulas.used_cells() {
                grid.visit()?;
                grid.push_formula(r0 + r as u32, c0 + c as u32, f)?;
            }
        }
    }
    let merged: Vec<Area> = merged.iter().map(area).collect();
    grid.finish(&merged)
}

fn convert_ref(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => date_time(dt),
        DataRef::DateTimeIso(s) => iso_date(s),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

fn convert(v: &Data) -> Cell {
    match v {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => date_time(dt),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// A date cell: the serial under a date format, converted by the core's one
/// serial conversion ([`date_from_serial`]) in the book's date system, as
/// the dates calamine misses are ([`super::xlsx_dates`]); a time of day or
/// a duration stays a number.
fn date_time(dt: &calamine::ExcelDateTime) -> Cell {
    let serial = dt.as_f64();
    let date = dt
        .is_datetime()
        .then(|| date_from_serial(serial, is_1904(dt)))
        .flatten();
    match date {
        Some(d) => Cell::Date(d),
        None => Cell::Number(serial),
    }
}

/// Whether calamine read the cell in the 1904 date system. calamine 0.32
/// keeps the flag private to [`calamine::ExcelDateTime`] (it is only used by
/// its own conversions), but the type compares all its fields, so a copy
/// built with the flag set is equal exactly when the cell has it.
fn is_1904(dt: &calamine::ExcelDateTime) -> bool {
    let flagged =
        calamine::ExcelDateTime::new(dt.as_f64(), calamine::ExcelDateTimeType::DateTime, true);
    *dt == flagged
}

/// ODS stores dates as ISO text (`2025-04-01`, `2025-04-01T00:00:00`).
fn iso_date(s: &str) -> Cell {
    let head = s.get(..10).unwrap_or(s);
    match chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        Ok(d) => Cell::Date(d),
        Err(_) => Cell::Text(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    /// calamine's date cells go through the core's serial conversion in
    /// their own book's date system; times of day and durations stay numbers.
    #[test]
    fn calamine_dates_in_both_systems() {
        let cell = |v, typ, is_1904| date_time(&ExcelDateTime::new(v, typ, is_1904));
        let day = |y, m, d| Cell::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let dt = ExcelDateTimeType::DateTime;
        assert_eq!(cell(44994.0, dt, false), day(2023, 3, 9));
        assert_eq!(cell(44994.0 - 1462.0, dt, true), day(2023, 3, 9));
        assert_eq!(cell(44994.75, dt, false), day(2023, 3, 9));
        assert_eq!(cell(61.0, dt, false), day(1900, 3, 1));
        assert_eq!(cell(0.25, dt, false), Cell::Number(0.25));
        assert_eq!(
            cell(1.5, ExcelDateTimeType::TimeDelta, false),
            Cell::Number(1.5)
        );
    }

    /// Every `.xlsx` of the test files reads the same with the one-pass scan
    /// as with calamine's separate passes (merged areas, formulas without a
    /// saved value, Japanese date formats).
    #[test]
    fn the_scan_reads_as_the_separate_passes() {
        let mut seen = 0;
        for path in crate::read::repository_files(&[".xlsx", ".xlsm"]) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).unwrap();
            let fast = read_with(&bytes, &name, true);
            let slow = read_with(&bytes, &name, false);
            match (fast, slow) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.sheets, b.sheets, "{}", path.display());
                    assert_eq!(
                        format!("{:?}", a.unread_sheets),
                        format!("{:?}", b.unread_sheets),
                        "{}",
                        path.display()
                    );
                }
                (a, b) => assert_eq!(
                    a.map(|_| ()).map_err(|e| e.to_string()),
                    b.map(|_| ()).map_err(|e| e.to_string()),
                    "{}",
                    path.display()
                ),
            }
            seen += 1;
        }
        assert!(seen > 50, "only {seen} workbooks found");
    }
}
