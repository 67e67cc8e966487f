//! CSV returns: the encoding is decided by the byte-order mark, then strict
//! UTF-8, then CP932 (Windows Shift-JIS, `encoding_rs::SHIFT_JIS`, which is
//! what Excel's 「CSV（コンマ区切り）」 writes on Japanese Windows).
//!
//! Decoding never replaces: a byte that is valid in no encoding tried is an
//! error naming its offset, so U+FFFD never reaches an output.
//!
//! Rows are numbered as a spreadsheet shows them: blank lines count, and a
//! quoted field with line breaks stays one row.

use super::{Book, Cell, FileKind, ReadError, Sheet};
use crate::core::Location;
use encoding_rs::{DecoderResult, Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};

/// The encoding a text file was decoded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 with a byte-order mark (Excel's 「CSV UTF-8」).
    Utf8Bom,
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// CP932 (Windows-31J).
    Cp932,
    /// UTF-16 little endian with BOM (Excel's 「Unicode テキスト」).
    Utf16Le,
    /// UTF-16 big endian with BOM.
    Utf16Be,
}

/// Decodes text bytes without replacement.
///
/// # Errors
/// The byte offset of the first byte that is valid in no encoding tried.
///
/// ```
/// use kasane::read::{decode_text, TextEncoding};
/// let (text, enc) = decode_text(b"\x8b\x40\x8a\xd6").unwrap(); // 機関 in CP932
/// assert_eq!((text.as_str(), enc), ("機関", TextEncoding::Cp932));
/// assert_eq!(decode_text(b"ab\xff\xff").unwrap_err(), 2);
/// ```
pub fn decode_text(bytes: &[u8]) -> Result<(String, TextEncoding), u64> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return strict(encoding_rs::UTF_8, rest, 3).map(|s| (s, TextEncoding::Utf8Bom));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return strict(UTF_16LE, rest, 2).map(|s| (s, TextEncoding::Utf16Le));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return strict(UTF_16BE, rest, 2).map(|s| (s, TextEncoding::Utf16Be));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), TextEncoding::Utf8)),
        Err(utf8_err) => match strict(SHIFT_JIS, bytes, 0) {
            Ok(s) => Ok((s, TextEncoding::Cp932)),
            // Name the offset of the encoding that got further.
            Err(cp932_at) => Err(cp932_at.max(utf8_err.valid_up_to() as u64)),
        },
    }
}

fn strict(enc: &'static Encoding, bytes: &[u8], skipped: u64) -> Result<String, u64> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 + 16);
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(bad, extra) => {
            Err(skipped + read as u64 - u64::from(bad) - u64::from(extra))
        }
        // The buffer was sized for the worst case; treat overflow as the end.
        DecoderResult::OutputFull => Err(skipped + read as u64),
    }
}

pub(super) fn read(bytes: &[u8], display_name: &str) -> Result<Book, ReadError> {
    let (text, encoding) = decode_text(bytes).map_err(|offset| ReadError::Encoding {
        loc: Location {
            byte_offset: Some(offset),
            ..Location::file(display_name)
        },
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(|e| ReadError::Csv {
            loc: Location::cell(display_name, "", rows.len() as u32, 0),
            reason: e.to_string(),
        })?;
        // The csv crate skips blank lines, and a record's position is where
        // the previous record's fields ended (before its line end). A
        // spreadsheet shows each blank line as a row, so count them.
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let breaks = text.as_bytes()[start.min(text.len())..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .filter(|&&b| b == b'\n')
            .count();
        let blank = if rows.is_empty() {
            breaks
        } else {
            breaks.saturating_sub(1)
        };
        rows.extend(std::iter::repeat_n(Vec::new(), blank));
        rows.push(
            record
                .iter()
                .map(|f| {
                    if f.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(Book {
        file: display_name.to_string(),
        kind: FileKind::Csv(encoding),
        sheets: vec![Sheet {
            name: String::new(),
            origin: (0, 0),
            rows,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_count_as_rows_and_quoted_breaks_do_not() {
        let book = read(b"\r\na,b\r\n\r\n\"x\r\ny\",z\r\nlast\r\n", "t.csv").unwrap();
        let rows = &book.sheets[0].rows;
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert!(rows[0].is_empty() && rows[2].is_empty(), "{rows:?}");
        assert_eq!(rows[3][1], Cell::Text("z".into()));
        assert_eq!(rows[4][0], Cell::Text("last".into()));
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "件数,1\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let book = read(&bytes, "u.csv").unwrap();
        assert_eq!(book.kind, FileKind::Csv(TextEncoding::Utf16Le));
        assert_eq!(book.sheets[0].rows[0][0], Cell::Text("件数".into()));
    }

    #[test]
    fn invalid_bytes_name_their_offset() {
        let err = read(b"\x8b\x40,\x81", "bad.csv").unwrap_err();
        assert_eq!(err.location().byte_offset, Some(3));
    }
}
