//! `.xlsx` / `.xlsm` (Office Open XML): a zip of XML parts. Each sheet is
//! streamed cell by cell from calamine's cell reader into a grid sized by
//! the cells used; one pass of kasane's own over the sheet's XML
//! ([`crate::read::xlsx_dates`]) finds the merged areas, the cells under
//! date formats calamine does not apply (Japanese built-in formats), and
//! whether any formula lacks its saved result — only then are the formulas
//! read too. Two sheet entries pointing at one part are refused.

use super::{
    area, convert_ref, open, read_each, sheet_error, sheets_to_read, Bytes, ReadSheets, Source,
};
use crate::read::grid::{book_too_large, Area, Budget, GridBuilder};
use crate::read::xlsx_dates::MissedDates;
use crate::read::xlsx_parts::Zip;
use crate::read::{Cell, ReadError, Sheet};
use calamine::Xlsx;
use std::collections::HashSet;
use std::rc::Rc;

/// The `.xlsx` reader.
pub(super) struct XlsxBook;

impl ReadSheets for XlsxBook {
    fn read_sheets(
        source: Source<'_>,
        budget: &mut Budget,
    ) -> Result<Vec<Result<Sheet, ReadError>>, ReadError> {
        let Source {
            bytes,
            file,
            zip,
            scan,
        } = source;
        let mut wb: Xlsx<Bytes<'_>> =
            open(bytes, file, |e| matches!(e, calamine::XlsxError::Password))?;
        let mut parts = zip.and_then(|mut zip| Some((MissedDates::load(&mut zip)?, zip)));
        let names = sheets_to_read(&wb, file)?;
        // Two sheet entries pointing at one part would read it twice
        // (600 entries took minutes): refused, as no workbook saved by
        // a spreadsheet program does it.
        if let Some((missed, zip)) = &parts {
            let mut seen = HashSet::new();
            for name in &names {
                let path = missed.sheet_member(zip, name).unwrap_or(name);
                if !seen.insert(path.to_string()) {
                    return Err(book_too_large(file, name, "sheets reading one part", 2, 1));
                }
            }
        }
        read_each(names, |name| {
            read_xlsx_sheet(&mut wb, parts.as_mut(), scan, file, name, budget)
        })
    }
}

fn read_xlsx_sheet(
    wb: &mut Xlsx<Bytes<'_>>,
    mut parts: Option<&mut (Rc<MissedDates>, Zip<'_>)>,
    scan: bool,
    file: &str,
    name: &str,
    budget: &mut Budget,
) -> Result<Sheet, ReadError> {
    // One pass of our own over the sheet's XML finds the merged areas, the
    // cells under date formats calamine misses, and whether any formula may
    // lack its saved result; without it (a very large sheet, an unusual
    // file), calamine's own passes are made instead.
    let scan = parts
        .as_mut()
        .filter(|_| scan)
        .and_then(|(missed, zip)| missed.scan(zip, name));
    // Merged areas are a convenience for labels; a sheet whose list cannot
    // be read is still read without them.
    let merged: Vec<Area> = match &scan {
        Some(scan) => scan.merged.clone(),
        None => match wb.worksheet_merge_cells(name) {
            Some(Ok(dims)) => dims.iter().map(area).collect(),
            _ => Vec::new(),
        },
    };
    let mut grid = GridBuilder::new(file, name, budget);
    {
        let mut cells = wb
            .worksheet_cells_reader(name)
            .map_err(|e| sheet_error(file, name, e))?;
        while let Some(cell) = cells.next_cell().map_err(|e| sheet_error(file, name, e))? {
            grid.visit()?;
            let (r, c) = cell.get_position();
            grid.push(r, c, convert_ref(cell.get_value()))?;
        }
    }
    // Formulas matter only where no value was saved (`<f>…</f><v/>`, as
    // scripts write): a sheet whose every formula has its value is not
    // parsed a second time. A sheet whose formulas cannot be listed still
    // has its values.
    let formulas = scan.as_ref().is_none_or(|s| s.formulas_without_value);
    if formulas {
        if let Ok(mut cells) = wb.worksheet_cells_reader(name) {
            while let Ok(Some(f)) = cells.next_formula() {
                grid.visit()?;
                let (r, c) = f.get_position();
                grid.push_formula(r, c, f.get_value())?;
            }
        }
    }
    if let Some((missed, zip)) = parts.filter(|(m, _)| m.has_dates()) {
        let cells = match scan {
            Some(scan) => scan.date_cells,
            None => missed.cells(zip, name),
        };
        for (r, c) in cells {
            if let Some(cell) = grid.value_mut(r, c) {
                if let Cell::Number(n) = *cell {
                    if let Some(d) = missed.date(n) {
                        *cell = Cell::Date(d);
                    }
                }
            }
        }
    }
    grid.finish(&merged)
}
