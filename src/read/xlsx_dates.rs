//! Date cells that calamine 0.32 reads as plain numbers in `.xlsx` files.
//!
//! Excel on Japanese Windows formats dates with locale built-in number
//! formats (numFmtId 27–31, 34–36 and 50–58: `ge.m.d`, `ggge"年"m"月"d"日"`,
//! `yyyy"年"m"月"`, `m"月"d"日"` …) that the file does not spell out, and
//! calamine only knows the international built-ins (14–22). It also misses
//! custom 和暦 formats such as `[$-411]ggge"年"m"月"d"日"` (its test stops at
//! the `;` of the raw `&quot;`). A reporting month typed as a date under such a format would read
//! as a serial number such as 45748, so we read the styles ourselves and turn
//! those numbers into dates.
//!
//! The parts read here are small (`styles.xml`, `workbook.xml` and its
//! relationships); a sheet's XML is streamed, and only when the styles hold
//! a date format calamine misses.

use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Cursor};

/// Japan's built-in date formats (ECMA-376 Part 1, 18.8.30, ja-JP).
/// 32 and 33 are times of day (`h"時"mm"分"`) and stay numbers.
fn is_japanese_builtin_date(id: u32) -> bool {
    matches!(id, 27..=31 | 34..=36 | 50..=58)
}

/// What the workbook says about date formats calamine does not apply.
pub(super) struct MissedDates {
    /// Style (`s`) indexes whose number format is a date calamine misses.
    styles: HashSet<u32>,
    /// The 1904 date system (`<workbookPr date1904="1"/>`).
    is_1904: bool,
    /// Sheet name → path of its XML inside the zip.
    sheet_paths: HashMap<String, String>,
}

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

type Member<'a, 'b> = XmlReader<BufReader<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>>;

fn member<'a, 'b>(zip: &'a mut Zip<'b>, name: &str) -> Option<Member<'a, 'b>> {
    let file = zip.by_name(name).ok()?;
    let mut xml = XmlReader::from_reader(BufReader::new(file));
    xml.config_mut().trim_text(false);
    Some(xml)
}

fn attr(e: &BytesStart<'_>, decoder: quick_xml::encoding::Decoder, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| a.decode_and_unescape_value(decoder).ok())
        .map(|v| v.into_owned())
}

impl MissedDates {
    /// Reads the styles of an `.xlsx`; `None` when no style needs fixing (or
    /// the parts cannot be read, in which case calamine's values stand).
    pub(super) fn load(bytes: &[u8]) -> Option<MissedDates> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let styles = date_styles(&mut zip)?;
        if styles.is_empty() {
            return None;
        }
        let (is_1904, sheet_ids) = workbook(&mut zip)?;
        let targets = relationships(&mut zip)?;
        let sheet_paths = sheet_ids
            .into_iter()
            .filter_map(|(name, rid)| {
                let target = targets.get(&rid)?;
                let path = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => format!("xl/{target}"),
                };
                Some((name, path))
            })
            .collect();
        Some(MissedDates {
            styles,
            is_1904,
            sheet_paths,
        })
    }

    /// Positions `(row, col)` of the sheet's cells styled with a missed date
    /// format, with the date of a serial number under this book's system.
    pub(super) fn cells(&self, bytes: &[u8], sheet: &str) -> Vec<(u32, u32)> {
        let Some(path) = self.sheet_paths.get(sheet) else {
            return Vec::new();
        };
        let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
            return Vec::new();
        };
        let Some(mut xml) = member(&mut zip, path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut buf = Vec::new();
        let (mut row, mut col) = (0u32, 0u32);
        loop {
            buf.clear();
            let decoder = xml.decoder();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                    b"row" => {
                        if let Some(r) = attr(&e, decoder, b"r").and_then(|r| r.parse::<u32>().ok())
                        {
                            row = r.saturating_sub(1);
                        }
                        col = 0;
                    }
                    b"c" => {
                        if let Some((r, c)) = attr(&e, decoder, b"r").and_then(|a| a1_position(&a))
                        {
                            row = r;
                            col = c;
                        }
                        let styled = attr(&e, decoder, b"s")
                            .and_then(|s| s.parse::<u32>().ok())
                            .is_some_and(|s| self.styles.contains(&s));
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

    /// The date of a serial number in this book's date system.
    pub(super) fn date(&self, serial: f64) -> Option<NaiveDate> {
        serial_to_date(serial, self.is_1904)
    }
}

/// The date of an Excel serial number. Time-of-day fractions are dropped;
/// values below 1 are times, not dates.
pub(super) fn serial_to_date(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let (base, days) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days >= 61 {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    } else {
        // Excel counts a 29 February 1900 that never was (Lotus 1-2-3's bug).
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    };
    base.checked_add_signed(chrono::Duration::days(days))
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

/// Indexes of `cellXfs` whose number format is a date calamine misses.
fn date_styles(zip: &mut Zip<'_>) -> Option<HashSet<u32>> {
    let mut xml = member(zip, "xl/styles.xml")?;
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

/// `date1904` and the sheets' relationship ids.
fn workbook(zip: &mut Zip<'_>) -> Option<(bool, Vec<(String, String)>)> {
    let mut xml = member(zip, "xl/workbook.xml")?;
    let mut is_1904 = false;
    let mut sheets = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let decoder = xml.decoder();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"workbookPr" => {
                    is_1904 = attr(&e, decoder, b"date1904")
                        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                }
                b"sheet" => {
                    if let (Some(name), Some(id)) =
                        (attr(&e, decoder, b"name"), attr(&e, decoder, b"id"))
                    {
                        sheets.push((name, id));
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some((is_1904, sheets))
}

/// Relationship id → target of the workbook's relationships.
fn relationships(zip: &mut Zip<'_>) -> Option<HashMap<String, String>> {
    let mut xml = member(zip, "xl/_rels/workbook.xml.rels")?;
    let mut out = HashMap::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let decoder = xml.decoder();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == b"Relationship" =>
            {
                if let (Some(id), Some(target)) =
                    (attr(&e, decoder, b"Id"), attr(&e, decoder, b"Target"))
                {
                    out.insert(id, target);
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => {}
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_in_both_systems() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(serial_to_date(44994.0, false), d(2023, 3, 9));
        assert_eq!(serial_to_date(45748.5, false), d(2025, 4, 1));
        assert_eq!(serial_to_date(1.0, false), d(1900, 1, 1));
        assert_eq!(serial_to_date(61.0, false), d(1900, 3, 1));
        assert_eq!(serial_to_date(44994.0 - 1462.0, true), d(2023, 3, 9));
        assert_eq!(serial_to_date(0.25, false), None);
        assert_eq!(serial_to_date(f64::NAN, false), None);
    }

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

    #[test]
    fn a1_positions() {
        assert_eq!(a1_position("A1"), Some((0, 0)));
        assert_eq!(a1_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(a1_position("1A"), None);
        assert_eq!(a1_position("A0"), None);
    }
}
