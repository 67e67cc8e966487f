//! `.xls` (Excel 97–2003, BIFF8 in a Compound File Binary container).
//! The container is checked first ([`crate::read::cfb_guard`]: the sectors
//! calamine would follow, so a crafted file cannot make it loop or allocate
//! without bound); calamine then parses each sheet whole, and its cells and
//! merged areas go through the grid's limits.

use super::{open, read_each, read_whole_sheet, sheets_to_read, Bytes, ReadSheets, Source};
use crate::read::grid::Budget;
use crate::read::{ReadError, Sheet};
use calamine::Xls;

/// The `.xls` reader.
pub(super) struct XlsBook;

impl ReadSheets for XlsBook {
    fn read_sheets(
        source: Source<'_>,
        budget: &mut Budget,
    ) -> Result<Vec<Result<Sheet, ReadError>>, ReadError> {
        let (bytes, file) = (source.bytes, source.file);
        crate::read::cfb_guard::check(bytes, file)?;
        let mut wb: Xls<Bytes<'_>> =
            open(bytes, file, |e| matches!(e, calamine::XlsError::Password))?;
        let names = sheets_to_read(&wb, file)?;
        read_each(names, |name| {
            let merged = wb.worksheet_merge_cells(name).unwrap_or_default();
            read_whole_sheet(&mut wb, file, name, &merged, budget)
        })
    }
}
