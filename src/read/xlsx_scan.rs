//! The scanner of a sheet's XML (`xl/worksheets/sheetN.xml`): one pass that
//! finds what calamine 0.32's value reader does not report.
//!
//! A sheet's `<sheetData>` holds `<row r="…">` elements of `<c r="A1" s="…"
//! t="…">` cells, each with an optional `<f>` formula and `<v>` value; the
//! `s` style says whether the number is a date ([`super::xlsx_styles`]).
//! `<mergeCells>` follows the data. The pass finds the cells under a date
//! style calamine misses, whether some formula may lack its saved value
//! (`<f>…</f><v/>`, as scripts write), and the merged areas, read as
//! calamine's `worksheet_merge_cells` reads them. Markup it does not expect
//! makes it give up, and the sheet is read with calamine's separate passes.

use super::grid::Area;
use super::xlsx_parts::attr;
use quick_xml::events::Event;
use quick_xml::Reader as XmlReader;
use std::collections::HashSet;

/// What one pass over a sheet's XML finds besides the values.
#[derive(Debug, Default, PartialEq)]
pub(super) struct SheetScan {
    /// Some cell holds a formula and may have no saved result: calamine's
    /// formula pass is needed to mark it.
    pub formulas_without_value: bool,
    /// Cells styled with a date format calamine misses.
    pub date_cells: Vec<(u32, u32)>,
    /// The merged areas, as calamine's `worksheet_merge_cells` reads them.
    pub merged: Vec<Area>,
}

/// The last child of a `<c>` element that decides calamine's value.
#[derive(Clone, Copy, PartialEq)]
enum Child {
    None,
    Formula,
    Value,
    /// `<v/>`, `<v></v>`, `<is>` or anything else: possibly no value.
    Maybe,
}

/// The pass of [`super::xlsx_dates::MissedDates::scan`] over a sheet's XML. Every `<` in XML
/// text starts markup (text and attribute values cannot hold one), so the
/// elements are found without a full XML parser; the merged areas are then
/// read with quick-xml from `<mergeCells>` on, as calamine reads them.
pub(super) fn scan_sheet(xml: &[u8], styles: &HashSet<u32>) -> Option<SheetScan> {
    let mut out = SheetScan::default();
    let (mut row, mut col) = (0u32, 0u32);
    // The open `<c>`: has a formula, last value child, `t="s"`, and the
    // depth of elements open inside it.
    let mut cell: Option<(bool, Child, bool, usize)> = None;
    let mut merged_read = false;
    let mut i = 0;
    while let Some(off) = xml[i..].iter().position(|&b| b == b'<') {
        let start = i + off;
        let rest = &xml[start + 1..];
        if rest.starts_with(b"!--") {
            i = start + 4 + find(&xml[start + 4..], b"-->")? + 3;
            continue;
        }
        if rest.starts_with(b"!") || rest.starts_with(b"?") {
            // CDATA (text of a value or a string), DOCTYPE, declarations:
            // nothing a worksheet part holds in practice.
            if rest.starts_with(b"?") && cell.is_none() {
                i = start + 1 + find(rest, b">")? + 1;
                continue;
            }
            return None;
        }
        let end = start + 1 + tag_end(rest)?;
        let tag = &xml[start + 1..end];
        i = end + 1;
        let closing = tag.first() == Some(&b'/');
        let empty = !closing && tag.last() == Some(&b'/');
        let body = if closing {
            &tag[1..]
        } else if empty {
            &tag[..tag.len() - 1]
        } else {
            tag
        };
        let name_len = body
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(body.len());
        let (name, attrs) = body.split_at(name_len);
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if let Some((has_f, last, shared, depth)) = &mut cell {
            if closing {
                if *depth == 0 {
                    if local != b"c" {
                        return None;
                    }
                    if *has_f && (*last != Child::Value || *shared) {
                        out.formulas_without_value = true;
                    }
                    cell = None;
                } else {
                    *depth -= 1;
                }
                continue;
            }
            if *depth == 0 {
                match local {
                    b"f" => {
                        *has_f = true;
                        *last = Child::Formula;
                    }
                    b"v" => {
                        // A value with text: the next markup is not its end.
                        let text = !empty && xml.get(i).is_some_and(|&b| b != b'<');
                        *last = if text { Child::Value } else { Child::Maybe };
                    }
                    _ => *last = Child::Maybe,
                }
            }
            if !empty {
                *depth += 1;
            }
            continue;
        }
        if closing {
            if local == b"row" {
                row = row.saturating_add(1);
            }
            continue;
        }
        match local {
            b"row" => {
                if let Some(r) = attribute(attrs, b"r")? {
                    if let Some(r) = std::str::from_utf8(r)
                        .ok()
                        .and_then(|r| r.parse::<u32>().ok())
                    {
                        row = r.saturating_sub(1);
                    }
                }
                col = 0;
            }
            b"c" => {
                if let Some(r) = attribute(attrs, b"r")? {
                    if let Some((r, c)) = std::str::from_utf8(r).ok().and_then(a1_position) {
                        row = r;
                        col = c;
                    }
                }
                let styled = attribute(attrs, b"s")?
                    .and_then(|s| std::str::from_utf8(s).ok())
                    .and_then(|s| s.parse::<u32>().ok())
                    .is_some_and(|s| styles.contains(&s));
                if styled && out.date_cells.len() <= super::limits::MAX_SHEET_CELLS {
                    out.date_cells.push((row, col));
                }
                col = col.saturating_add(1);
                if !empty {
                    // A shared-string result may be an empty string.
                    let shared = attribute(attrs, b"t")? == Some(b"s".as_slice());
                    cell = Some((false, Child::None, shared, 0));
                }
            }
            b"mergeCells" if !merged_read => {
                merged_read = true;
                out.merged = merge_cells(&xml[start..]);
            }
            _ => {}
        }
    }
    // An unclosed cell: the XML is cut short; calamine will say so.
    cell.is_none().then_some(out)
}

/// Positions `(row, col)` of the cells styled with one of `styles`,
/// streamed from a sheet's XML (sheets [`scan_sheet`] does not take).
pub(super) fn stream_date_cells<R: std::io::BufRead>(
    xml: &mut XmlReader<R>,
    styles: &HashSet<u32>,
) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        buf.clear();
        let decoder = xml.decoder();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"row" => {
                    if let Some(r) = attr(&e, decoder, b"r").and_then(|r| r.parse::<u32>().ok()) {
                        row = r.saturating_sub(1);
                    }
                    col = 0;
                }
                b"c" => {
                    if let Some((r, c)) = attr(&e, decoder, b"r").and_then(|a| a1_position(&a)) {
                        row = r;
                        col = c;
                    }
                    let styled = attr(&e, decoder, b"s")
                        .and_then(|s| s.parse::<u32>().ok())
                        .is_some_and(|s| styles.contains(&s));
                    if styled {
                        out.push((row, col));
                    }
                    col = col.saturating_add(1);
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"row" => {
                row = row.saturating_add(1);
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        // Bounded: no more positions than a sheet may hold cells.
        if out.len() > super::limits::MAX_SHEET_CELLS {
            break;
        }
    }
    out
}

/// `AB12` → zero-based (11, 27).
fn a1_position(a1: &str) -> Option<(u32, u32)> {
    let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = &a1[letters.len()..];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let col = letters.bytes().try_fold(0u32, |acc, b| {
        Some(acc * 26 + u32::from(b.to_ascii_uppercase().checked_sub(b'A')?) + 1)
    })?;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

/// Offset of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Offset of the `>` that ends a tag, outside quoted attribute values.
fn tag_end(rest: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (k, &b) in rest.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(k),
            _ => {}
        }
    }
    None
}

/// The raw value of an attribute (by local name) of a start tag's
/// attribute text; `Err`-like `None` when the text is not plain
/// `name="value"` pairs or the value holds an entity.
fn attribute<'x>(mut attrs: &'x [u8], key: &[u8]) -> Option<Option<&'x [u8]>> {
    loop {
        attrs = attrs.trim_ascii_start();
        if attrs.is_empty() {
            return Some(None);
        }
        let eq = attrs.iter().position(|&b| b == b'=')?;
        let name = attrs[..eq].trim_ascii_end();
        let after = attrs[eq + 1..].trim_ascii_start();
        let quote = *after.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let len = after[1..].iter().position(|&b| b == quote)?;
        let value = &after[1..1 + len];
        attrs = &after[len + 2..];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if local == key {
            if value.contains(&b'&') {
                return None;
            }
            return Some(Some(value));
        }
    }
}

/// The areas of a `<mergeCells>` element, read as calamine 0.32 reads them
/// (`worksheet_merge_cells`): any damage leaves no areas at all.
fn merge_cells(xml: &[u8]) -> Vec<Area> {
    let mut reader = XmlReader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"mergeCell" => {
                for a in e.attributes() {
                    let Ok(a) = a else {
                        return Vec::new();
                    };
                    if a.key.as_ref() == b"ref" {
                        match dimension(&a.value) {
                            Some(area) => out.push(area),
                            None => return Vec::new(),
                        }
                        break;
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"mergeCells" => return out,
            Ok(Event::Eof) | Err(_) => return Vec::new(),
            _ => {}
        }
    }
}

/// `A1:C2` (or `A1`) → `(top, left, bottom, right)`, zero-based, as
/// calamine's `get_dimension` reads it.
fn dimension(text: &[u8]) -> Option<Area> {
    let parts: Vec<(u32, u32)> = text
        .split(|&b| b == b':')
        .map(row_column)
        .collect::<Option<_>>()?;
    match parts[..] {
        [(r, c)] => Some((r, c, r, c)),
        [(r0, c0), (r1, c1)] => Some((r0, c0, r1, c1)),
        _ => None,
    }
}

/// One cell reference of a range, as calamine's `get_row_column` reads it
/// (read from the end: digits, then letters of either case).
fn row_column(text: &[u8]) -> Option<(u32, u32)> {
    let (mut row, mut col) = (0u32, 0u32);
    let mut pow = 1u32;
    let mut reading_row = true;
    for &b in text.iter().rev() {
        match b {
            b'0'..=b'9' if reading_row => {
                row = row.checked_add(u32::from(b - b'0').checked_mul(pow)?)?;
                pow = pow.checked_mul(10)?;
            }
            b'A'..=b'Z' | b'a'..=b'z' => {
                if reading_row {
                    if row == 0 {
                        return None;
                    }
                    pow = 1;
                    reading_row = false;
                }
                let v = u32::from(b.to_ascii_uppercase() - b'A') + 1;
                col = col.checked_add(v.checked_mul(pow)?)?;
                pow = pow.checked_mul(26)?;
            }
            _ => return None,
        }
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_positions() {
        assert_eq!(a1_position("A1"), Some((0, 0)));
        assert_eq!(a1_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(a1_position("1A"), None);
        assert_eq!(a1_position("A0"), None);
    }

    fn scan(xml: &str) -> SheetScan {
        scan_sheet(xml.as_bytes(), &HashSet::from([2])).expect("scanned")
    }

    #[test]
    fn formulas_without_a_saved_value_are_noticed() {
        let with = |cell: &str| {
            scan(&format!(
                "<?xml version=\"1.0\"?><worksheet><sheetData><row r=\"1\">{cell}</row></sheetData></worksheet>"
            ))
            .formulas_without_value
        };
        assert!(!with("<c r=\"A1\"><f>SUM(B1:B2)</f><v>3</v></c>"));
        assert!(!with("<c r=\"A1\" s=\"1\"/><c r=\"B1\"><v>3</v></c>"));
        assert!(!with("<c r=\"A1\" t=\"str\"><f>B1</f><v>x</v></c>"));
        assert!(with("<c r=\"A1\"><f>SUM(B1:B2)</f><v/></c>"));
        assert!(with("<c r=\"A1\"><f>SUM(B1:B2)</f><v></v></c>"));
        assert!(with("<c r=\"A1\"><f>SUM(B1:B2)</f></c>"));
        assert!(with("<c r=\"A1\"><f t=\"shared\" si=\"0\"/></c>"));
        // calamine keeps the last child: a value before the formula is lost.
        assert!(with("<c r=\"A1\"><v>3</v><f>B1</f></c>"));
        // A shared string may be empty.
        assert!(with("<c r=\"A1\" t=\"s\"><f>B1</f><v>0</v></c>"));
        assert!(with("<x:c r=\"A1\"><x:f>B1</x:f></x:c>"));
    }

    #[test]
    fn date_cells_and_merged_areas_are_found() {
        let s = scan(concat!(
            "<worksheet><sheetData><row r=\"2\"><c r=\"B2\" s=\"2\"><v>45748</v></c>",
            "<c s=\"2\"/><c s=\"1\"/></row><row><c s=\"2\"/></row></sheetData>",
            "<mergeCells count=\"2\"><mergeCell ref=\"A1:C1\"/><mergeCell ref=\"d4\"/></mergeCells>",
            "</worksheet>"
        ));
        assert_eq!(s.date_cells, vec![(1, 1), (1, 2), (2, 0)]);
        assert_eq!(s.merged, vec![(0, 0, 0, 2), (3, 3, 3, 3)]);
        assert!(!s.formulas_without_value);
        // One bad reference: calamine reads no areas at all.
        let bad = scan("<worksheet><sheetData/><mergeCells><mergeCell ref=\"A1:B\"/><mergeCell ref=\"A1:B2\"/></mergeCells></worksheet>");
        assert!(bad.merged.is_empty());
    }

    #[test]
    fn unusual_markup_is_left_to_calamine() {
        let none = |xml: &str| scan_sheet(xml.as_bytes(), &HashSet::new()).is_none();
        assert!(none("<worksheet><sheetData><row><c r=\"A1\"><v><![CDATA[1]]></v></c></row></sheetData></worksheet>"));
        assert!(none(
            "<worksheet><sheetData><row><c r=\"A&#49;\"><v>1</v></c></row></sheetData></worksheet>"
        ));
        assert!(none("<worksheet><sheetData><row><c r=\"A1\"><v>1</v>"));
        assert!(!none("<worksheet><!-- <c> --><sheetData/></worksheet>"));
    }
}
