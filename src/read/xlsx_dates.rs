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

use super::grid::Area;
use crate::core::month::date_from_serial;
use chrono::NaiveDate;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

/// Largest sheet XML (inflated) that [`MissedDates::scan`] holds in memory:
/// far above any real return's sheet; larger sheets are streamed.
const SCAN_MAX_BYTES: u64 = 8 * 1024 * 1024;

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

/// Japan's built-in date formats (ECMA-376 Part 1, 18.8.30, ja-JP).
/// 32 and 33 are times of day (`h"時"mm"分"`) and stay numbers.
fn is_japanese_builtin_date(id: u32) -> bool {
    matches!(id, 27..=31 | 34..=36 | 50..=58)
}

/// What the workbook says about date formats calamine does not apply.
#[derive(Debug, PartialEq)]
pub(super) struct MissedDates {
    /// Style (`s`) indexes whose number format is a date calamine misses.
    styles: HashSet<u32>,
    /// The 1904 date system (`<workbookPr date1904="1"/>`).
    is_1904: bool,
    /// Sheet name → path of its XML inside the zip.
    sheet_paths: HashMap<String, String>,
}

pub(super) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

type Member<'a, 'b> = XmlReader<BufReader<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>>;

/// The zip member calamine 0.32 opens for a part's path
/// (`path_to_zip_path` in its `src/xlsx/mod.rs`): the first member, in the
/// zip's order, whose name with `\` read as `/` equals the path but for
/// ASCII case; else the path itself (which then is not found). calamine
/// uses the same `zip` crate (4.6), so the members come in the same order.
pub(super) fn zip_member<'z>(zip: &'z Zip<'_>, path: &'z str) -> &'z str {
    let same = |name: &str| {
        name.len() == path.len()
            && name.bytes().zip(path.bytes()).all(|(n, p)| {
                let n = if n == b'\\' { b'/' } else { n };
                n.eq_ignore_ascii_case(&p)
            })
    };
    zip.file_names().find(|name| same(name)).unwrap_or(path)
}

/// The path of a sheet's part from its relationship target, as calamine
/// 0.32 resolves it (`Xlsx::read_workbook` in its `src/xlsx/mod.rs`):
/// `/xl/…` loses its leading slash, `xl/…` is kept, and anything else
/// (`worksheets/sheet1.xml`, as Excel writes) is taken under `xl/`. Reading
/// the sheet elsewhere than calamine does would pair our date cells with
/// another part than its values, or with none.
pub(super) fn sheet_part(target: &str) -> String {
    if let Some(rooted) = target.strip_prefix('/').filter(|t| t.starts_with("xl/")) {
        rooted.to_string()
    } else if target.starts_with("xl/") {
        target.to_string()
    } else {
        format!("xl/{target}")
    }
}

fn member<'a, 'b>(zip: &'a mut Zip<'b>, path: &str) -> Option<Member<'a, 'b>> {
    let name = zip_member(zip, path).to_string();
    let file = zip.by_name(&name).ok()?;
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
    /// Reads the styles of an `.xlsx` (the zip as opened when the file was
    /// sniffed); `None` when the parts cannot be read, in which case
    /// calamine's values stand and sheets are read without [`Self::scan`].
    pub(super) fn load(zip: &mut Zip<'_>) -> Option<Rc<MissedDates>> {
        let Some(key) = parts_key(zip) else {
            return Self::parse(zip).map(Rc::new);
        };
        PARSED.with(|cache| {
            if let Some(parsed) = cache.borrow().get(&key) {
                return parsed.clone();
            }
            let parsed = Self::parse(zip).map(Rc::new);
            let mut cache = cache.borrow_mut();
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, parsed.clone());
            parsed
        })
    }

    /// [`Self::load`] without the per-thread memory: inflates and parses
    /// the three parts.
    fn parse(zip: &mut Zip<'_>) -> Option<MissedDates> {
        // Unreadable styles: no date to fix, as when none needs fixing.
        let styles = member(zip, "xl/styles.xml")
            .and_then(|mut xml| parse_date_styles(&mut xml))
            .unwrap_or_default();
        let (is_1904, sheet_ids) = workbook(zip)?;
        let targets = relationships(zip)?;
        let sheet_paths = sheet_ids
            .into_iter()
            .filter_map(|(name, rid)| Some((name, sheet_part(targets.get(&rid)?))))
            .collect();
        Some(MissedDates {
            styles,
            is_1904,
            sheet_paths,
        })
    }

    /// The zip member of a sheet's XML, found as calamine finds it: the
    /// part the workbook's relationships name ([`sheet_part`]), matched to
    /// a member by [`zip_member`].
    pub(super) fn sheet_member<'z>(&'z self, zip: &'z Zip<'_>, sheet: &str) -> Option<&'z str> {
        Some(zip_member(zip, self.sheet_paths.get(sheet)?))
    }

    /// True when some style is a date format calamine misses.
    pub(super) fn has_dates(&self) -> bool {
        !self.styles.is_empty()
    }

    /// One pass over a sheet's XML held in memory (sheets up to
    /// [`SCAN_MAX_BYTES`]): what calamine's value reader does not report.
    /// `None` when the sheet is larger, cannot be found, or holds anything
    /// the pass does not expect; the sheet is then read with calamine's
    /// separate passes, as before.
    pub(super) fn scan(&self, zip: &mut Zip<'_>, sheet: &str) -> Option<SheetScan> {
        let path = self.sheet_member(zip, sheet)?.to_string();
        let file = zip.by_name(&path).ok()?;
        if file.size() > SCAN_MAX_BYTES {
            return None;
        }
        let mut xml = Vec::with_capacity(file.size() as usize);
        file.take(SCAN_MAX_BYTES + 1).read_to_end(&mut xml).ok()?;
        if xml.len() as u64 > SCAN_MAX_BYTES {
            return None;
        }
        scan_sheet(&xml, &self.styles)
    }

    /// Positions `(row, col)` of the sheet's cells styled with a missed date
    /// format, streamed from the zip (sheets that [`Self::scan`] does not take).
    pub(super) fn cells(&self, zip: &mut Zip<'_>, sheet: &str) -> Vec<(u32, u32)> {
        if self.styles.is_empty() {
            return Vec::new();
        }
        let Some(path) = self.sheet_paths.get(sheet) else {
            return Vec::new();
        };
        let Some(mut xml) = member(zip, path) else {
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
        date_from_serial(serial, self.is_1904)
    }
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

/// The parts [`MissedDates::load`] reads are remembered when each is at most
/// this size as stored (compressed); real ones are a few KiB.
const CACHE_PART_BYTES: u64 = 256 * 1024;
/// Workbooks remembered per thread; the cache is emptied when it is full, so
/// it stays small whatever the returns hold.
const CACHE_ENTRIES: usize = 64;
/// The parts that decide a [`MissedDates`].
const PARTS: [&str; 3] = [
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
];

thread_local! {
    /// What the parts of the workbooks already read on this thread gave,
    /// keyed by those parts as stored in the zip. Agencies fill in the same
    /// few templates (7 distinct `styles.xml` in the 65 workbooks of the
    /// sample month), and inflating and parsing the three parts was most of
    /// the cost of [`MissedDates::load`]; comparing their stored bytes needs
    /// neither.
    static PARSED: std::cell::RefCell<HashMap<[u8; 32], Option<Rc<MissedDates>>>> =
        std::cell::RefCell::new(HashMap::new());
}

/// SHA-256 of the three parts as stored (method, CRC, size and compressed
/// bytes of each, or a mark for an absent part): equal keys inflate to equal
/// parts, and the key is small whatever the parts hold. `None` when a part
/// is larger than [`CACHE_PART_BYTES`] or cannot be read as stored.
fn parts_key(zip: &mut Zip<'_>) -> Option<[u8; 32]> {
    let mut key = Sha256::new();
    let mut raw = Vec::new();
    for name in PARTS {
        // The member calamine reads for the part; the key holds its bytes,
        // not its name, as a [`MissedDates`] holds part paths only.
        let member = zip_member(zip, name).to_string();
        let Some(index) = zip.index_for_name(&member) else {
            key.update([0]);
            continue;
        };
        let file = zip.by_index_raw(index).ok()?;
        if file.compressed_size() > CACHE_PART_BYTES {
            return None;
        }
        let method = format!("{:?}", file.compression());
        key.update([1, method.len() as u8]);
        key.update(method.as_bytes());
        key.update(file.crc32().to_le_bytes());
        key.update(file.compressed_size().to_le_bytes());
        raw.clear();
        file.take(CACHE_PART_BYTES + 1).read_to_end(&mut raw).ok()?;
        if raw.len() as u64 > CACHE_PART_BYTES {
            return None;
        }
        key.update((raw.len() as u64).to_le_bytes());
        key.update(&raw);
    }
    Some(key.finalize().into())
}

/// The style indexes whose number format is a date calamine misses, from a
/// `styles.xml` part; `None` when its XML is malformed.
fn parse_date_styles<R: std::io::BufRead>(xml: &mut XmlReader<R>) -> Option<HashSet<u32>> {
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
                // As calamine: the element by its full name, `date1904`
                // exactly `1` or `true`.
                _ if e.name().as_ref() == b"workbookPr" => {
                    is_1904 =
                        attr(&e, decoder, b"date1904").is_some_and(|v| v == "1" || v == "true");
                }
                // As calamine: the relationship id under the `r:` or
                // `relationships:` prefix, compared as written.
                b"sheet" => {
                    let id = e.attributes().flatten().find_map(|a| {
                        matches!(a.key.as_ref(), b"r:id" | b"relationships:id")
                            .then(|| decoder.decode(&a.value).ok().map(|v| v.into_owned()))
                            .flatten()
                    });
                    if let (Some(name), Some(id)) = (attr(&e, decoder, b"name"), id) {
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
                // As calamine: `Id` and `Target` by their exact names and
                // as written (no entity is expanded).
                let raw = |key: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == key)
                        .and_then(|a| decoder.decode(&a.value).ok().map(|v| v.into_owned()))
                };
                if let (Some(id), Some(target)) = (raw(b"Id"), raw(b"Target")) {
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

/// The last child of a `<c>` element that decides calamine's value.
#[derive(Clone, Copy, PartialEq)]
enum Child {
    None,
    Formula,
    Value,
    /// `<v/>`, `<v></v>`, `<is>` or anything else: possibly no value.
    Maybe,
}

/// The pass of [`MissedDates::scan`] over a sheet's XML. Every `<` in XML
/// text starts markup (text and attribute values cannot hold one), so the
/// elements are found without a full XML parser; the merged areas are then
/// read with quick-xml from `<mergeCells>` on, as calamine reads them.
fn scan_sheet(xml: &[u8], styles: &HashSet<u32>) -> Option<SheetScan> {
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

    /// The three spellings calamine 0.32's `Xlsx::read_workbook` resolves.
    #[test]
    fn sheet_targets_resolve_as_calamine_resolves_them() {
        for target in [
            "worksheets/sheet1.xml",
            "xl/worksheets/sheet1.xml",
            "/xl/worksheets/sheet1.xml",
        ] {
            assert_eq!(sheet_part(target), "xl/worksheets/sheet1.xml", "{target}");
        }
        // Rooted elsewhere than xl/: calamine puts it under xl/ as it is
        // (and then finds no such part); so do we.
        assert_eq!(
            sheet_part("/worksheets/sheet1.xml"),
            "xl//worksheets/sheet1.xml"
        );
        assert_eq!(sheet_part("../sheet1.xml"), "xl/../sheet1.xml");
    }

    #[test]
    fn zip_members_are_matched_as_calamine_matches_them() {
        let mut bytes = std::io::Cursor::new(Vec::new());
        {
            let mut out = zip::ZipWriter::new(&mut bytes);
            for name in ["xl\\Worksheets\\Sheet1.xml", "xl/worksheets/sheet1.xml"] {
                out.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
            }
            out.finish().unwrap();
        }
        let bytes = bytes.into_inner();
        let zip = Zip::new(Cursor::new(bytes.as_slice())).unwrap();
        // The first member in the zip's order, `\` read as `/`, any case.
        assert_eq!(
            zip_member(&zip, "xl/worksheets/sheet1.xml"),
            "xl\\Worksheets\\Sheet1.xml"
        );
        assert_eq!(
            zip_member(&zip, "xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
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

    /// Two workbooks with the same `styles.xml` but a different
    /// `workbook.xml` (a sheet renamed) are remembered apart: each part is
    /// in the key.
    #[test]
    fn workbooks_differing_in_one_part_are_remembered_apart() {
        let path = crate::read::repository_files(&[".xlsx"])
            .into_iter()
            .find(|p| p.to_string_lossy().contains("samples/kyoto/2025-04/"))
            .expect("a sample workbook");
        let bytes = std::fs::read(path).unwrap();
        let mut zip = Zip::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut renamed = std::io::Cursor::new(Vec::new());
        {
            let mut out = zip::ZipWriter::new(&mut renamed);
            for i in 0..zip.len() {
                let name = zip.by_index(i).unwrap().name().to_string();
                if name == "xl/workbook.xml" {
                    let mut text = String::new();
                    zip.by_index(i).unwrap().read_to_string(&mut text).unwrap();
                    let text = text.replacen("<sheet name=\"", "<sheet name=\"改", 1);
                    out.start_file(name, zip::write::SimpleFileOptions::default())
                        .unwrap();
                    std::io::Write::write_all(&mut out, text.as_bytes()).unwrap();
                } else {
                    out.raw_copy_file(zip.by_index_raw(i).unwrap()).unwrap();
                }
            }
            out.finish().unwrap();
        }
        let renamed = renamed.into_inner();
        let mut other = Zip::new(Cursor::new(renamed.as_slice())).unwrap();
        let first = MissedDates::load(&mut zip).expect("parts");
        let second = MissedDates::load(&mut other).expect("parts");
        assert_eq!(first.styles, second.styles);
        assert_ne!(first.sheet_paths, second.sheet_paths);
        assert!(second.sheet_paths.keys().any(|name| name.starts_with('改')));
        assert_eq!(MissedDates::load(&mut zip).expect("parts"), first);
    }

    /// What is remembered is what the parts' own parse gives, for every
    /// `.xlsx` of the test files, read twice (the second time from the
    /// cache) and in turn, so that workbooks alike and different share it.
    #[test]
    fn remembered_parts_are_the_parsed_ones() {
        let mut seen = 0;
        for path in crate::read::repository_files(&[".xlsx"]) {
            let bytes = std::fs::read(&path).unwrap();
            let Ok(mut zip) = Zip::new(Cursor::new(bytes.as_slice())) else {
                continue;
            };
            let parsed = MissedDates::parse(&mut zip);
            assert_eq!(
                MissedDates::load(&mut zip).as_deref(),
                parsed.as_ref(),
                "{}",
                path.display()
            );
            assert_eq!(
                MissedDates::load(&mut zip).as_deref(),
                parsed.as_ref(),
                "{}",
                path.display()
            );
            seen += 1;
        }
        assert!(seen > 50, "only {seen} workbooks found");
    }
}
