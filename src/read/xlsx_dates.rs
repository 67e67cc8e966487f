//! Date cells that calamine 0.32 reads as plain numbers in `.xlsx` files,
//! and the dates they hold.
//!
//! Excel on Japanese Windows formats dates with locale built-in number
//! formats that the file does not spell out, and with custom 和暦 codes
//! calamine does not recognise ([`super::xlsx_styles`] tells which styles
//! those are). A reporting month typed as a date under such a format would
//! read as a serial number such as 45748, so we find the cells under those
//! styles ([`super::xlsx_scan`]) in the sheet part calamine reads
//! ([`super::xlsx_parts`]) and turn their numbers into dates with the
//! core's one serial conversion, in the book's date system.
//!
//! The parts read here are small (`styles.xml`, `workbook.xml` and its
//! relationships) and remembered per thread, since agencies fill in the
//! same few templates; a sheet's XML is read only when the styles hold a
//! date format calamine misses, or for the merged areas and formulas.

use super::xlsx_parts::{member, relationships, sheet_part, workbook, zip_member, Zip};
use super::xlsx_scan::{scan_sheet, stream_date_cells, SheetScan};
use super::xlsx_styles::parse_date_styles;
use crate::core::month::date_from_serial;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::rc::Rc;

/// Largest sheet XML (inflated) that [`MissedDates::scan`] holds in memory:
/// far above any real return's sheet; larger sheets are streamed.
const SCAN_MAX_BYTES: u64 = 8 * 1024 * 1024;

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
        match member(zip, path) {
            Some(mut xml) => stream_date_cells(&mut xml, &self.styles),
            None => Vec::new(),
        }
    }

    /// The date of a serial number in this book's date system.
    pub(super) fn date(&self, serial: f64) -> Option<NaiveDate> {
        date_from_serial(serial, self.is_1904)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

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
