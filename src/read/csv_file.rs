//! CSV returns: the encoding is decided by the byte-order mark, then strict
//! UTF-8, then CP932 (Windows Shift-JIS, `encoding_rs::SHIFT_JIS`, which is
//! what Excel's 「CSV（コンマ区切り）」 writes on Japanese Windows).
//!
//! Decoding never replaces: a byte that is valid in no encoding tried is an
//! error naming its offset, so U+FFFD never reaches an output.
//!
//! Rows are numbered as a spreadsheet shows them: blank lines count, and a
//! quoted field with line breaks stays one row.

use super::limits::{MAX_BOOK_GRID_CELLS, MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS};
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
    let is_utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    // A NUL never appears in CP932 or UTF-8 text: the file is binary (a
    // workbook or an archive renamed .csv), or UTF-16 without its BOM.
    if !is_utf16 {
        if let Some(at) = bytes.iter().position(|&b| b == 0) {
            return Err(ReadError::NotText {
                loc: Location {
                    byte_offset: Some(at as u64),
                    ..Location::file(display_name)
                },
            });
        }
    }
    let (text, encoding) = decode_text(bytes).map_err(|offset| ReadError::Encoding {
        loc: Location {
            byte_offset: Some(offset),
            ..Location::file(display_name)
        },
    })?;
    let delimiter = sniff_delimiter(&text);
    // The csv crate reads an unclosed quote to the end of the file as one
    // field; find it first, so the error names the cell where it opened.
    let shape = shape(&text, delimiter);
    if let Some((row, col)) = shape.open_quote {
        return Err(ReadError::UnterminatedQuote {
            loc: Location::cell(display_name, "", row, col),
        });
    }
    let too_large = |what, size: usize, limit: usize| ReadError::SheetTooLarge {
        loc: Location::file(display_name),
        what,
        size: size as u64,
        limit: limit as u64,
    };
    // The limits are checked on the shape before the csv crate parses
    // anything: it holds a whole record's fields at once, so one line of
    // millions of commas would cost hundreds of megabytes before a record
    // could be checked. Every field counts as a cell, empty or not: each is
    // a slot of the grid. The grid (fields, plus one slot per row for its
    // header, as for a book) follows from the two limits before it but is
    // checked as for a workbook.
    if shape.fields > MAX_SHEET_CELLS {
        return Err(too_large("cells", shape.fields, MAX_SHEET_CELLS));
    }
    if shape.rows > MAX_SHEET_ROWS {
        return Err(too_large("rows", shape.rows, MAX_SHEET_ROWS));
    }
    if shape.columns > MAX_SHEET_COLUMNS {
        return Err(too_large("columns", shape.columns, MAX_SHEET_COLUMNS));
    }
    if shape.fields + shape.rows > MAX_BOOK_GRID_CELLS {
        return Err(too_large(
            "grid cells",
            shape.fields + shape.rows,
            MAX_BOOK_GRID_CELLS,
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut cells = 0usize;
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
        if rows.len() + blank + 1 > MAX_SHEET_ROWS {
            return Err(too_large("rows", rows.len() + blank + 1, MAX_SHEET_ROWS));
        }
        if record.len() > MAX_SHEET_COLUMNS {
            return Err(too_large("columns", record.len(), MAX_SHEET_COLUMNS));
        }
        cells += record.len();
        if cells > MAX_SHEET_CELLS {
            return Err(too_large("cells", cells, MAX_SHEET_CELLS));
        }
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
            merged: Vec::new(),
        }],
        unread_sheets: Vec::new(),
    })
}

/// Comma, or tab for Excel's 「Unicode テキスト」 and other tab-separated
/// exports: whichever is more frequent on the first line that has either,
/// outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let mut quoted = false;
    let (mut tabs, mut commas) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b'\t' => tabs += 1,
            b',' => commas += 1,
            b'\n' | b'\r' if tabs + commas > 0 => break,
            _ => {}
        }
    }
    if tabs > commas {
        b'\t'
    } else {
        b','
    }
}

/// What [`shape`] finds in one pass over the text.
#[derive(Debug, Default, PartialEq)]
struct Shape {
    /// Where a quote that is never closed opened: (row, column), zero-based.
    open_quote: Option<(u32, u32)>,
    /// Fields, empty ones included, over every line that is not blank.
    fields: usize,
    /// Lines (rows as a spreadsheet shows them, blank lines included).
    rows: usize,
    /// Fields of the longest line.
    columns: usize,
}

/// One pass over the text: where a quote that is never closed opened, and
/// the number of fields, rows and columns, counting rows as the reader does
/// (every line end outside quotes, blank lines included). Mirrors the csv
/// crate: a quote opens a field only at the field's start, and `""` inside
/// a quoted field is a literal quote.
fn shape(text: &str, delimiter: u8) -> Shape {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    // Fields of the current line; 0 while the line is still blank.
    let mut line_fields = 0usize;
    let mut out = Shape::default();
    fn end_line(line_fields: &mut usize, out: &mut Shape) {
        out.fields += *line_fields;
        out.columns = out.columns.max(*line_fields);
        out.rows += 1;
        *line_fields = 0;
    }
    let mut state = State::FieldStart;
    let (mut row, mut col) = (0u32, 0u32);
    let mut opened = (0u32, 0u32);
    let mut prev_cr = false;
    for b in text.bytes() {
        let was_cr = std::mem::replace(&mut prev_cr, false);
        let line_end = b == b'\n' || b == b'\r';
        if line_fields == 0 && !(line_end && state != State::Quoted) {
            line_fields = 1;
        }
        match state {
            State::Quoted => {
                if b == b'"' {
                    state = State::QuoteInQuoted;
                }
            }
            State::FieldStart | State::Unquoted | State::QuoteInQuoted => {
                if b == b'"' && state == State::FieldStart {
                    state = State::Quoted;
                    opened = (row, col);
                } else if b == b'"' && state == State::QuoteInQuoted {
                    state = State::Quoted;
                } else if b == delimiter {
                    col = col.saturating_add(1);
                    line_fields += 1;
                    state = State::FieldStart;
                } else if line_end {
                    // CRLF is one line end.
                    if !(b == b'\n' && was_cr) {
                        row = row.saturating_add(1);
                        end_line(&mut line_fields, &mut out);
                    }
                    prev_cr = b == b'\r';
                    col = 0;
                    state = State::FieldStart;
                } else {
                    state = State::Unquoted;
                }
            }
        }
    }
    // The last line, unless the text ends with a line end.
    if line_fields > 0 || state == State::Quoted {
        end_line(&mut line_fields, &mut out);
    }
    out.open_quote = (state == State::Quoted).then_some(opened);
    out
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
    fn utf16_tab_separated_is_split_on_tabs() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "機関コード\t件数\r\nAGY-001\t\"1,234\"\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let book = read(&bytes, "u.txt").unwrap();
        assert_eq!(book.sheets[0].rows[1][1], Cell::Text("1,234".into()));
    }

    #[test]
    fn an_unclosed_quote_names_the_cell_where_it_opened() {
        let err = read(b"a,b\r\n\r\nx,\"open\r\nmore,\"\"\r\n", "q.csv").unwrap_err();
        assert!(matches!(err, ReadError::UnterminatedQuote { .. }), "{err}");
        assert_eq!(err.location().cell_text(), "row 3, column 2");
        // Closed quotes, escaped quotes and quotes inside fields are fine.
        assert!(read(b"\"a\"\"b\",c\"d\r\n\"x\ny\"\n", "ok.csv").is_ok());
    }

    #[test]
    fn the_shape_counts_every_field_and_row_before_parsing() {
        let s = shape("a,,b\r\n\r\n\"x\r\n,y\",\n,,,,\nlast", b',');
        assert_eq!(
            s,
            Shape {
                open_quote: None,
                fields: 3 + 2 + 5 + 1,
                rows: 5,
                columns: 5,
            }
        );
        assert_eq!(shape("", b',').rows, 0);
        assert_eq!(shape("a\n", b',').rows, 1);
    }

    #[test]
    fn empty_fields_count_against_the_cell_limit() {
        let line = ",".repeat(9_999) + "\n";
        let text = line.repeat(101);
        let err = read(text.as_bytes(), "commas.csv").unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::SheetTooLarge {
                    what: "cells",
                    size: 1_010_000,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = read(b"PK\x03\x04\x00\x00", "zip.csv").unwrap_err();
        assert!(matches!(err, ReadError::NotText { .. }), "{err}");
        assert_eq!(err.location().byte_offset, Some(4));
    }

    #[test]
    fn invalid_bytes_name_their_offset() {
        let err = read(b"\x8b\x40,\x81", "bad.csv").unwrap_err();
        assert_eq!(err.location().byte_offset, Some(3));
    }
}
