//! The CSV reader on any bytes: a Book or a ReadError naming the file,
//! never a panic, and never U+FFFD in a cell that the bytes did not hold.
#![no_main]

use kasane::read::{read_bytes, Cell};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match read_bytes(data, "x.csv") {
        Ok(book) => {
            let had_fffd = data.windows(3).any(|w| w == b"\xEF\xBF\xBD")
                || data
                    .windows(2)
                    .any(|w| w == b"\xFD\xFF" || w == b"\xFF\xFD");
            for sheet in &book.sheets {
                for row in &sheet.rows {
                    for cell in row {
                        if let Cell::Text(t) = cell {
                            assert!(had_fffd || !t.contains('\u{FFFD}'), "{t:?}");
                        }
                    }
                }
            }
        }
        Err(e) => assert_eq!(e.location().file, "x.csv"),
    }
});
