//! What kind of workbook a file is, decided from its bytes (not its name, since
//! staff rename files), and the checks made before any reader allocates:
//! encryption, and the sizes of zip members as they actually inflate (each
//! deflated member is inflated once through a capped reader: the zip crate,
//! and so calamine, does not stop at the size a header states).

use super::limits::{MAX_ZIP_MEMBERS, MAX_ZIP_MEMBER_BYTES, MAX_ZIP_TOTAL_BYTES};
use super::xlsx_parts::Zip;
use super::ReadError;
use crate::core::Location;
use std::io::{Cursor, Read};

/// The workbook formats calamine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WorkbookKind {
    /// Office Open XML (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Excel binary workbook (`.xlsb`).
    Xlsb,
    /// Excel 97–2003 (`.xls`, BIFF8 in a CFB container).
    Xls,
    /// OpenDocument spreadsheet (`.ods`).
    Ods,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Decides the format, refusing encrypted books and zip bombs before opening:
/// more than [`MAX_ZIP_MEMBERS`] members, or a member (or all of them) over
/// [`MAX_ZIP_MEMBER_BYTES`] ([`MAX_ZIP_TOTAL_BYTES`]) by its header or by
/// what it really inflates to.
/// A zip-based book comes with its zip directory as read here, so that it is
/// not read again for the parts kasane reads itself.
pub(super) fn workbook_kind<'a>(
    bytes: &'a [u8],
    file: &str,
) -> Result<(WorkbookKind, Option<Zip<'a>>), ReadError> {
    let loc = || Location::file(file);
    if bytes.starts_with(CFB_MAGIC) {
        // Excel saves a password-protected .xlsx as a CFB container whose
        // streams are `EncryptionInfo` and `EncryptedPackage`; directory
        // entry names are UTF-16LE, so the name's bytes appear verbatim.
        if contains(bytes, &utf16le("EncryptedPackage")) {
            return Err(ReadError::Password { loc: loc() });
        }
        return Ok((WorkbookKind::Xls, None));
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(ReadError::Workbook {
            loc: loc(),
            reason: "Excel/ODS のファイルではありません (not a zip or CFB container)".into(),
        });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Workbook {
        loc: loc(),
        reason: format!("ファイルが壊れているか途中で切れています (damaged or truncated zip: {e})"),
    })?;
    if zip.len() > MAX_ZIP_MEMBERS {
        return Err(ReadError::ZipTooLarge {
            loc: loc(),
            member: "(メンバー数 / members)".into(),
            size: zip.len() as u64,
            limit: MAX_ZIP_MEMBERS as u64,
        });
    }
    let mut total: u64 = 0;
    // Deflate expands its input at most 1,032-fold (a 258-byte match in
    // two bits), and a member's input is part of the file: a file this
    // small cannot inflate past either limit, so its members need not be
    // inflated to be measured (most returns are a few KiB).
    let within_limits = (bytes.len() as u64).saturating_mul(MAX_DEFLATE_RATIO)
        <= MAX_ZIP_MEMBER_BYTES.min(MAX_ZIP_TOTAL_BYTES);
    let (mut xlsx, mut xlsb, mut ods) = (false, false, false);
    for i in 0..zip.len() {
        let Ok(member) = zip.by_index_raw(i) else {
            continue;
        };
        let name = member.name().to_string();
        let stated = member.size();
        let stored = member.compression() == zip::CompressionMethod::Stored;
        let compressed = member.compressed_size();
        drop(member);
        match name.as_str() {
            "xl/workbook.xml" => xlsx = true,
            "xl/workbook.bin" => xlsb = true,
            "content.xml" => ods = true,
            _ => {}
        }
        let too_large = |size: u64| ReadError::ZipTooLarge {
            loc: loc(),
            member: name.clone(),
            size,
            limit: MAX_ZIP_MEMBER_BYTES,
        };
        // A header over the limit is refused without inflating anything.
        if stated > MAX_ZIP_MEMBER_BYTES {
            return Err(too_large(stated));
        }
        // The header's size is never trusted: the zip crate (and so
        // calamine) inflates a member to the end of its deflate stream,
        // whatever size the header states. Each member is inflated here
        // through a reader capped at what the limits leave, which gives its
        // true size. A stored member cannot be larger than its bytes in the
        // file, so it is not read.
        let size = if stored {
            compressed
        } else if within_limits {
            compressed.min(bytes.len() as u64) * MAX_DEFLATE_RATIO
        } else {
            let cap = MAX_ZIP_MEMBER_BYTES.min(MAX_ZIP_TOTAL_BYTES - total);
            inflated_size(&mut zip, i, cap)
        };
        if size > MAX_ZIP_MEMBER_BYTES {
            return Err(too_large(size));
        }
        total = total.saturating_add(size);
        if total > MAX_ZIP_TOTAL_BYTES {
            return Err(ReadError::ZipTooLarge {
                loc: loc(),
                member: "(合計 / total)".into(),
                size: total,
                limit: MAX_ZIP_TOTAL_BYTES,
            });
        }
    }
    match (xlsx, xlsb, ods) {
        (true, _, _) => Ok((WorkbookKind::Xlsx, Some(zip))),
        (_, true, _) => Ok((WorkbookKind::Xlsb, Some(zip))),
        (_, _, true) => Ok((WorkbookKind::Ods, Some(zip))),
        _ => Err(ReadError::Workbook {
            loc: loc(),
            reason:
                "zip ファイルですが Excel/ODS のブックではありません (zip without a workbook part)"
                    .into(),
        }),
    }
}

/// The most a deflate stream can expand: 258 bytes from a two-bit
/// length/distance pair is 1,032 to one.
const MAX_DEFLATE_RATIO: u64 = 1032;

/// How many bytes member `index` inflates to, reading at most `cap + 1`
/// (so a result over `cap` means "more than the cap"). A member that cannot
/// be inflated (damaged, encrypted, an unsupported method) counts what was
/// inflated before the error: calamine reports the damage if it reads it.
fn inflated_size(zip: &mut Zip<'_>, index: usize, cap: u64) -> u64 {
    let Ok(member) = zip.by_index(index) else {
        return 0;
    };
    let mut counted = Counter(0);
    // An error ends the count; what was counted stands.
    let _ = std::io::copy(&mut member.take(cap + 1), &mut counted);
    counted.0
}

/// A writer that keeps only the number of bytes written to it.
struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Refuses an `.ods` whose repeated rows and cells would make calamine
/// allocate more than the grid limits: calamine expands
/// `table:number-rows-repeated` and `table:number-columns-repeated` of cells
/// with content into a dense grid when the book is opened, before any sheet
/// can be checked. `content.xml` is streamed here first, counting the cells
/// with a value and the span they cover in each table.
pub(super) fn check_ods_repeats(bytes: &[u8], file: &str) -> Result<(), ReadError> {
    use super::limits::{MAX_GRID_CELLS, MAX_SHEET_CELLS};
    use quick_xml::events::Event;
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports the damage
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut buf = Vec::new();
    let attr_u64 = |e: &quick_xml::events::BytesStart<'_>, key: &[u8]| -> Option<u64> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| std::str::from_utf8(&a.value).ok()?.parse().ok())
    };
    // Per table: its name, value cells, rows so far, first value row, widest column.
    let mut table = String::new();
    let (mut cells, mut row, mut col, mut row_repeat) = (0u64, 0u64, 0u64, 1u64);
    let (mut first_row, mut max_col): (Option<u64>, u64) = (None, 0);
    let mut row_has_value = false;
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(_) => return Ok(()), // calamine reports the damage
        };
        let too_large = |what, size: u64, limit: usize, table: &str| ReadError::SheetTooLarge {
            loc: Location::file(file).in_sheet(table),
            what,
            size,
            limit: limit as u64,
        };
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"table:table" => {
                    table = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"table:name")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        .unwrap_or_default();
                    (cells, row, first_row, max_col) = (0, 0, None, 0);
                }
                b"table:table-row" => {
                    row_repeat = attr_u64(&e, b"table:number-rows-repeated").unwrap_or(1);
                    col = 0;
                    row_has_value = false;
                }
                b"table:table-cell" | b"table:covered-table-cell" => {
                    let repeat = attr_u64(&e, b"table:number-columns-repeated").unwrap_or(1);
                    let has_value = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"office:value-type");
                    if has_value {
                        cells = cells.saturating_add(repeat.saturating_mul(row_repeat));
                        max_col = max_col.max(col.saturating_add(repeat));
                        row_has_value = true;
                        if cells > MAX_SHEET_CELLS as u64 {
                            return Err(too_large("cells", cells, MAX_SHEET_CELLS, &table));
                        }
                    }
                    col = col.saturating_add(repeat);
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == b"table:table-row" => {
                if row_has_value {
                    first_row.get_or_insert(row);
                    let last_row = row.saturating_add(row_repeat);
                    let height = last_row.saturating_sub(first_row.unwrap_or(row));
                    let area = height.saturating_mul(max_col);
                    if area > MAX_GRID_CELLS as u64 {
                        return Err(too_large("grid cells", area, MAX_GRID_CELLS, &table));
                    }
                }
                row = row.saturating_add(row_repeat);
                row_repeat = 1;
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_package_in_cfb_is_a_password_error() {
        let mut bytes = CFB_MAGIC.to_vec();
        bytes.extend(vec![0u8; 100]);
        bytes.extend(utf16le("EncryptedPackage"));
        assert!(matches!(
            workbook_kind(&bytes, "p.xlsx"),
            Err(ReadError::Password { .. })
        ));
    }

    #[test]
    fn random_bytes_are_not_a_workbook() {
        assert!(matches!(
            workbook_kind(b"hello, world", "x.xlsx"),
            Err(ReadError::Workbook { .. })
        ));
        // A zip signature followed by nothing is a truncated zip.
        assert!(matches!(
            workbook_kind(b"PK\x03\x04\x14\x00", "x.xlsx"),
            Err(ReadError::Workbook { .. })
        ));
    }
}
