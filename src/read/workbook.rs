//! Workbooks through calamine: `.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`.
//!
//! Only visible worksheets are read (hidden sheets are often old copies;
//! chartsheets hold no cells and make some readers fail). A formula whose
//! cached result was never saved (files written by scripts) would read as an
//! empty cell; we read the formulas too and mark such cells, so that a
//! missing figure is reported instead of counted as zero.

use super::{Book, Cell, FileKind, ReadError, Sheet};
use crate::core::Location;
use calamine::{open_workbook_auto_from_rs, Data, Reader, SheetType, SheetVisible};
use std::io::Cursor;

pub(super) fn read(bytes: &[u8], display_name: &str) -> Result<Book, ReadError> {
    // The format is sniffed from the bytes, so a workbook saved under the
    // wrong extension is still read.
    let mut wb =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| ReadError::Workbook {
            loc: Location::file(display_name),
            reason: e.to_string(),
        })?;
    let wanted: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut sheets = Vec::with_capacity(wanted.len());
    for name in wanted {
        let sheet_loc = || Location {
            sheet: name.clone(),
            ..Location::file(display_name)
        };
        let values = wb.worksheet_range(&name).map_err(|e| ReadError::Workbook {
            loc: sheet_loc(),
            reason: e.to_string(),
        })?;
        // A sheet whose formulas cannot be listed still has its values.
        let formulas = wb.worksheet_formula(&name).ok();
        sheets.push(to_sheet(name, &values, formulas.as_ref()));
    }
    Ok(Book {
        file: display_name.to_string(),
        kind: FileKind::Workbook,
        sheets,
    })
}

fn to_sheet(
    name: String,
    values: &calamine::Range<Data>,
    formulas: Option<&calamine::Range<String>>,
) -> Sheet {
    let formula_cells: Vec<(u32, u32, &String)> = formulas
        .map(|f| {
            f.used_cells()
                .filter(|(_, _, s)| !s.is_empty())
                .map(|(r, c, s)| {
                    let (r0, c0) = f.start().unwrap_or((0, 0));
                    (r0 + r as u32, c0 + c as u32, s)
                })
                .collect()
        })
        .unwrap_or_default();
    let (mut top, mut left) = values.start().unwrap_or((u32::MAX, u32::MAX));
    let (mut bottom, mut right) = values.end().unwrap_or((0, 0));
    for &(r, c, _) in &formula_cells {
        top = top.min(r);
        left = left.min(c);
        bottom = bottom.max(r);
        right = right.max(c);
    }
    if top == u32::MAX {
        return Sheet {
            name,
            origin: (0, 0),
            rows: Vec::new(),
        };
    }
    let height = (bottom - top + 1) as usize;
    let width = (right - left + 1) as usize;
    let mut rows = vec![vec![Cell::Empty; width]; height];
    if let Some((r0, c0)) = values.start() {
        for (r, c, v) in values.used_cells() {
            let (ar, ac) = (r0 + r as u32, c0 + c as u32);
            rows[(ar - top) as usize][(ac - left) as usize] = convert(v);
        }
    }
    for (r, c, f) in formula_cells {
        let cell = &mut rows[(r - top) as usize][(c - left) as usize];
        if matches!(cell, Cell::Empty) {
            *cell = Cell::FormulaWithoutValue(f.clone());
        }
    }
    Sheet {
        name,
        origin: (top, left),
        rows,
    }
}

fn convert(v: &Data) -> Cell {
    match v {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) if dt.is_datetime() => Cell::Date(d.date()),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => {
            match chrono::NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d") {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Text(s.clone()),
            }
        }
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}
