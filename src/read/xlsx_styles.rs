//! Which cell styles of an `.xlsx` are dates calamine 0.32 leaves as numbers.
//!
//! A cell's `s` attribute indexes `<cellXfs>` in `xl/styles.xml`; each `<xf>`
//! names a number format by `numFmtId`. Ids below 164 are built-in formats
//! the file does not spell out, whose meaning depends on the locale: Excel
//! on Japanese Windows has date formats at 27–31, 34–36 and 50–58 (`ge.m.d`,
//! `ggge"年"m"月"d"日"`, `yyyy"年"m"月"`, `m"月"d"日"` …), and calamine only
//! knows the international ones (14–22). Other ids are `<numFmt>` entries
//! with a `formatCode`; calamine also misses custom 和暦 codes such as
//! `[$-411]ggge"年"m"月"d"日"` (its test stops at the `;` of the raw
//! `&quot;`). This file tells those formats from times and numbers.

use quick_xml::events::Event;
use quick_xml::Reader as XmlReader;
use std::collections::{HashMap, HashSet};

use super::xlsx_parts::attr;

/// Japan's built-in date formats (ECMA-376 Part 1, 18.8.30, ja-JP).
/// 32 and 33 are times of day (`h"時"mm"分"`) and stay numbers.
fn is_japanese_builtin_date(id: u32) -> bool {
    matches!(id, 27..=31 | 34..=36 | 50..=58)
}

/// The style indexes whose number format is a date calamine misses, from a
/// `styles.xml` part; `None` when its XML is malformed.
pub(super) fn parse_date_styles<R: std::io::BufRead>(
    xml: &mut XmlReader<R>,
) -> Option<HashSet<u32>> {
    let mut custom: HashMap<u32, String> = HashMap::new();
    let mut xf_formats: Vec<u32> = Vec::new();
    let mut in_cell_xfs = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let decoder = xml.decoder();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"numFmt" => {
                    let id = attr(&e, decoder, b"numFmtId").and_then(|v| v.parse().ok());
                    let code = attr(&e, decoder, b"formatCode");
                    if let (Some(id), Some(code)) = (id, code) {
                        custom.insert(id, code);
                    }
                }
                b"cellXfs" => in_cell_xfs = true,
                b"xf" if in_cell_xfs => {
                    let id = attr(&e, decoder, b"numFmtId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    xf_formats.push(id);
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(
        xf_formats
            .iter()
            .enumerate()
            .filter(|(_, id)| match custom.get(id) {
                // Cells calamine already read as dates are not numbers, so
                // flagging every date format costs nothing but the scan.
                Some(code) => is_date_code(code),
                None => is_japanese_builtin_date(**id),
            })
            .map(|(i, _)| i as u32)
            .collect(),
    )
}

/// True when the first section of a format code shows a date: a year, day
/// or era letter (`y`, `d`, `g`, `e`), or a month `m` with no hour or second
/// beside it, outside quotes, escapes and brackets.
fn is_date_code(code: &str) -> bool {
    // `General` (LibreOffice writes it as a custom code) holds `e` and `G`.
    let code = code
        .replace("General", "")
        .replace("general", "")
        .replace("GENERAL", "");
    let mut chars = code.chars().peekable();
    let (mut date, mut m, mut time) = (false, false, false);
    let mut quoted = false;
    let mut bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            ';' => break,
            // `E+` / `E-` is a scientific exponent, not an era year.
            'e' | 'E' if matches!(chars.peek(), Some('+' | '-')) => {}
            'y' | 'Y' | 'd' | 'D' | 'g' | 'G' | 'e' | 'E' => date = true,
            'm' | 'M' => m = true,
            'h' | 'H' | 's' | 'S' => time = true,
            _ => {}
        }
    }
    date || (m && !time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_codes_are_told_from_times_and_numbers() {
        assert!(is_date_code("[$-411]ggge\"年\"m\"月\"d\"日\";@"));
        assert!(is_date_code("yyyy\"年\"m\"月\""));
        assert!(!is_date_code("h\"時\"mm\"分\""));
        assert!(!is_date_code("#,##0;\\-#,##0;;@*･"));
        assert!(!is_date_code("0\"件\""));
        assert!(!is_date_code("General"));
        assert!(!is_date_code("0.00E+00"));
        assert!(is_date_code("[$-411]ge.m.d"));
    }
}
