//! `.ods` (OpenDocument spreadsheet): a zip holding `content.xml`. Repeated
//! rows and cells (`table:number-*-repeated`, which LibreOffice writes for
//! the whole 16,384-column width) are bounded first
//! ([`crate::read::sniff`]); calamine then parses each sheet whole. calamine
//! reads no merged areas from `.ods`, so a label merged over cells is found
//! in its first cell only. kasane builds calamine with the fix for blank
//! rows inside a sheet that does not start at column A
//! (`vendor/calamine-0.32.0/README.kasane.md`).

use super::{open, read_each, read_whole_sheet, sheets_to_read, Bytes, ReadSheets, Source};
use crate::read::grid::Budget;
use crate::read::{ReadError, Sheet};
use calamine::Ods;

/// The `.ods` reader.
pub(super) struct OdsBook;

impl ReadSheets for OdsBook {
    fn read_sheets(
        source: Source<'_>,
        budget: &mut Budget,
    ) -> Result<Vec<Result<Sheet, ReadError>>, ReadError> {
        let (bytes, file) = (source.bytes, source.file);
        crate::read::sniff::check_ods_repeats(bytes, file)?;
        let mut wb: Ods<Bytes<'_>> =
            open(bytes, file, |e| matches!(e, calamine::OdsError::Password))?;
        let names = sheets_to_read(&wb, file)?;
        read_each(names, |name| {
            read_whole_sheet(&mut wb, file, name, &[], budget)
        })
    }
}
