//! `.xlsb` (Excel binary workbook): a zip of BIFF12 records. Each sheet is
//! streamed cell by cell from calamine's cell reader into a grid, then its
//! formulas, so that a formula without a saved value is marked, not read as
//! a blank.

use super::{convert_ref, open, read_each, sheet_error, sheets_to_read, Bytes, ReadSheets, Source};
use crate::read::grid::{Budget, GridBuilder};
use crate::read::{ReadError, Sheet};
use calamine::Xlsb;

/// The `.xlsb` reader.
pub(super) struct XlsbBook;

impl ReadSheets for XlsbBook {
    fn read_sheets(
        source: Source<'_>,
        budget: &mut Budget,
    ) -> Result<Vec<Result<Sheet, ReadError>>, ReadError> {
        let (bytes, file) = (source.bytes, source.file);
        let mut wb: Xlsb<Bytes<'_>> =
            open(bytes, file, |e| matches!(e, calamine::XlsbError::Password))?;
        let names = sheets_to_read(&wb, file)?;
        read_each(names, |name| read_xlsb_sheet(&mut wb, file, name, budget))
    }
}

fn read_xlsb_sheet(
    wb: &mut Xlsb<Bytes<'_>>,
    file: &str,
    name: &str,
    budget: &mut Budget,
) -> Result<Sheet, ReadError> {
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
    if let Ok(mut cells) = wb.worksheet_cells_reader(name) {
        while let Ok(Some(f)) = cells.next_formula() {
            grid.visit()?;
            let (r, c) = f.get_position();
            grid.push_formula(r, c, f.get_value())?;
        }
    }
    grid.finish(&[])
}
