//! A guard in front of calamine's `.xls` reader. An `.xls` is a Compound File
//! (OLE/CFB): sectors chained through a file allocation table (FAT). calamine
//! 0.32 follows those chains without a step limit, so a damaged or hostile
//! file whose FAT loops makes it allocate until the machine runs out of
//! memory — an abort no caller can catch. Before calamine opens an `.xls`,
//! this walks the DIFAT and FAT itself, with every loop bounded by the
//! number of sectors the file can hold, and refuses a file whose chains loop
//! or point outside the table.
//!
//! calamine also sizes its buffers from lengths the file declares before it
//! reads anything (`Vec::with_capacity`): the FAT, directory and mini FAT
//! sector counts of the header, the length of each directory entry's
//! stream, and a DIFAT length it takes from bytes 62–66 of the header (which
//! straddle the mini FAT start and count). A 10 KB file declaring a 2 GB
//! stream made it abort on allocation (found by `fuzz/` read_workbook). A
//! length no file of this size can hold is refused here, and so is a mini
//! FAT whose chains loop. Inside the workbook stream, each sheet's
//! DIMENSIONS record makes calamine reserve room for every cell it declares
//! (a last row before the first wraps round to billions), and calamine lays
//! each sheet out densely from its first to its last cell: the guard walks
//! the records as calamine does and refuses a sheet declaring or spanning
//! more cells than kasane reads at all. calamine's DIFAT reservation, taken from header
//! bytes 62–66, is bounded too; a sound file with 1,024 or more mini FAT
//! sectors exceeds that bound and is refused as unsupported.

use super::ReadError;
use crate::core::Location;

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector ids at or above this are markers (free, end of chain, FAT, DIFAT).
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
/// Largest DIFAT length (u32 entries) calamine may reserve from header bytes
/// 62–66: 256 MiB. In a sound file it is the mini FAT sector count times
/// 65,536 plus the high half of the mini FAT start (a few hundred thousand).
const MAX_CALAMINE_DIFAT_LEN: usize = 64 * 1024 * 1024;

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    b.get(off..off + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Refuses an `.xls` that would make calamine loop or allocate beyond what
/// the file can hold: sector chains that loop or leave their table, declared
/// lengths larger than the file, and sheets declaring or spanning more cells
/// than the grid limit.
///
/// # Errors
/// A [`ReadError::Workbook`] naming the file and the damage, or a
/// [`ReadError::SheetTooLarge`] for a sheet over the grid limit.
pub(super) fn check(bytes: &[u8], file: &str) -> Result<(), ReadError> {
    let bad = |why: &str| ReadError::Workbook {
        loc: Location::file(file),
        reason: format!("壊れた .xls です（{why}） (damaged compound file)"),
    };
    if bytes.len() < 512 || bytes[..8] != SIGNATURE {
        // Not a compound file: calamine reports that on its own.
        return Ok(());
    }
    let shift = bytes[0x1E] as u32 | (bytes[0x1F] as u32) << 8;
    if shift != 9 && shift != 12 {
        return Err(bad("セクタサイズが不正"));
    }
    let size = 1usize << shift;
    let sectors = (bytes.len() / size).saturating_sub(1);
    let header = |off: usize| u32_at(bytes, off).unwrap_or(0) as usize;
    // Sector counts of the header: no more sectors than the file holds.
    for (off, what) in [
        (0x28, "ディレクトリのセクタ数"),
        (0x2C, "FAT のセクタ数"),
        (0x40, "ミニ FAT のセクタ数"),
    ] {
        if header(off) > sectors {
            return Err(bad(&format!("{what}がファイルより大きい")));
        }
    }
    if header(62) > MAX_CALAMINE_DIFAT_LEN {
        return Err(ReadError::Workbook {
            loc: Location::file(file),
            reason: "ミニ FAT が calamine で扱えない大きさです。Excel で .xlsx として保存し直してください (mini FAT too large for the .xls reader; save as .xlsx)".into(),
        });
    }
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize + 1).checked_mul(size)?;
        bytes.get(start..start.checked_add(size)?)
    };
    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors whose
    // last entry points to the next one.
    let mut difat: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(bytes, 0x4C + 4 * i))
        .collect();
    let mut next = u32_at(bytes, 0x44).unwrap_or(u32::MAX);
    let mut steps = 0;
    while next < MAX_REGULAR {
        steps += 1;
        if steps > sectors {
            return Err(bad("DIFAT が循環しています"));
        }
        let s = sector(next).ok_or_else(|| bad("DIFAT がファイルの外を指しています"))?;
        let entries: Vec<u32> = (0..size / 4).filter_map(|i| u32_at(s, 4 * i)).collect();
        let (last, rest) = entries.split_last().ok_or_else(|| bad("DIFAT が空です"))?;
        difat.extend_from_slice(rest);
        next = *last;
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in difat.into_iter().filter(|id| *id < MAX_REGULAR) {
        if fat.len() > sectors + size {
            return Err(bad("FAT がファイルより大きい"));
        }
        let s = sector(id).ok_or_else(|| bad("FAT がファイルの外を指しています"))?;
        fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    chains_end(&fat).map_err(|why| bad(&format!("セクタの{why}")))?;
    // The mini FAT (the chains of streams under 4,096 bytes, in 64-byte
    // mini sectors) is itself stored in a chain of regular sectors; calamine
    // follows its chains as it follows the FAT's.
    // Like calamine: only when the header counts mini FAT sectors, and no
    // more of the chain than it counts.
    let mini_fat_sectors = header(0x40);
    let mut mini_fat: Vec<u32> = Vec::new();
    let mut id = if mini_fat_sectors > 0 {
        header(0x3C) as u32
    } else {
        u32::MAX
    };
    while id < MAX_REGULAR && mini_fat.len() < mini_fat_sectors * (size / 4) {
        let s = sector(id).ok_or_else(|| bad("ミニ FAT がファイルの外を指しています"))?;
        mini_fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
        // The FAT's chains end (checked above), so this loop does too.
        id = *fat
            .get(id as usize)
            .ok_or_else(|| bad("ミニ FAT の連鎖が表の外を指しています"))?;
    }
    chains_end(&mini_fat).map_err(|why| bad(&format!("ミニセクタの{why}")))?;
    // Directory entries: no stream longer than the file, whatever the
    // entry's type (calamine opens a stream by name alone, and takes the
    // first entry's length as the mini stream's). The chain ends (checked
    // above) unless it leaves the table.
    let mut entries: Vec<Entry> = Vec::new();
    let mut id = header(0x30) as u32;
    while id < MAX_REGULAR {
        let s = sector(id).ok_or_else(|| bad("ディレクトリがファイルの外を指しています"))?;
        for raw in s.chunks_exact(128) {
            let entry = Entry::parse(raw, size);
            if entry.len > bytes.len() as u64 {
                return Err(bad("ストリームの長さがファイルより大きい"));
            }
            entries.push(entry);
        }
        id = *fat
            .get(id as usize)
            .ok_or_else(|| bad("ディレクトリの連鎖が表の外を指しています"))?;
    }
    // The sheets' declared and actual extents, which calamine allocates for.
    let file_sectors = Chains {
        read: &|id: u32| sector(id),
        table: &fat,
    };
    for name in ["Workbook", "Book"] {
        let Some(entry) = entries.iter().find(|e| e.name == name) else {
            continue;
        };
        let stream = if entry.len >= 4096 {
            file_sectors.stream(entry.start, entry.len)
        } else {
            let Some(root) = entries.first() else {
                continue;
            };
            let mini_stream = file_sectors
                .stream(root.start, root.len)
                .unwrap_or_default();
            let mini_sector = |id: u32| {
                let start = (id as usize).checked_mul(64)?;
                mini_stream.get(start..start.checked_add(64)?)
            };
            Chains {
                read: &mini_sector,
                table: &mini_fat,
            }
            .stream(entry.start, entry.len)
        };
        if let Some(stream) = stream {
            sheet_extents(&stream).map_err(|(what, size)| ReadError::SheetTooLarge {
                loc: Location::file(file),
                what,
                size: size as u64,
                limit: MAX_SHEET_SPAN as u64,
            })?;
        }
    }
    Ok(())
}

/// One directory entry: its name and where its stream is.
struct Entry {
    name: String,
    start: u32,
    len: u64,
}

impl Entry {
    /// As calamine reads it: the UTF-16 name up to the first NUL, the start
    /// sector, and a 32-bit length in files of 512-byte sectors (64-bit
    /// otherwise).
    fn parse(raw: &[u8], sector_size: usize) -> Entry {
        let units: Vec<u16> = raw[..64]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        let len = if sector_size == 512 {
            u64::from(u32_at(raw, 120).unwrap_or(0))
        } else {
            u64::from_le_bytes(raw[120..128].try_into().unwrap_or([0; 8]))
        };
        Entry {
            name: String::from_utf16_lossy(&units),
            start: u32_at(raw, 116).unwrap_or(u32::MAX),
            len,
        }
    }
}

/// Sectors and the table that chains them (the file's sectors and the FAT,
/// or the mini stream's 64-byte sectors and the mini FAT).
struct Chains<'a> {
    read: &'a dyn Fn(u32) -> Option<&'a [u8]>,
    table: &'a [u32],
}

impl Chains<'_> {
    /// The stream starting at `start`, cut to `len`; `None` where calamine
    /// could not read it either (a sector outside the file or the table).
    /// The table's chains are known to end.
    fn stream(&self, start: u32, len: u64) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut id = start;
        while id < MAX_REGULAR {
            out.extend_from_slice((self.read)(id)?);
            id = *self.table.get(id as usize)?;
        }
        out.truncate(usize::try_from(len).ok()?);
        Some(out)
    }
}

/// Most cells a sheet may span in calamine's reading of it. calamine 0.32
/// reserves room for every cell a sheet's DIMENSIONS record declares (xls.rs,
/// `cells.reserve(rows * cols)`, the rows wrapping round when the last is
/// before the first), and then lays the sheet's cells out densely from its
/// first to its last row and column (`Range::from_sparse`), all while the
/// workbook is opened. A damaged record or two far-apart cells made it
/// allocate gigabytes and abort the run. Sheets that large are refused
/// anyway (limits.rs).
const MAX_SHEET_SPAN: usize = super::limits::MAX_GRID_CELLS;

/// Walks the workbook stream's records as calamine does (the sheets'
/// positions from the BOUNDSHEET records of the globals, then each sheet's
/// records to its EOF) and returns what is over [`MAX_SHEET_SPAN`]: the
/// cells a DIMENSIONS record declares, or the rectangle the cell records
/// span.
fn sheet_extents(stream: &[u8]) -> Result<(), (&'static str, usize)> {
    let mut sheets = Vec::new();
    for (typ, data) in records(stream) {
        match typ {
            0x0085 => sheets.extend(u32_at(data, 0)),
            0x000A => break,
            _ => {}
        }
    }
    for pos in sheets {
        let Some(sheet) = stream.get(pos as usize..) else {
            continue;
        };
        // First and last row and column of the cells calamine keeps.
        let mut span: Option<(u32, u32, u32, u32)> = None;
        let mut cover = |row: u32, first_col: u32, last_col: u32| {
            let (r0, r1, c0, c1) = span.get_or_insert((row, row, first_col, last_col));
            *r0 = (*r0).min(row);
            *r1 = (*r1).max(row);
            *c0 = (*c0).min(first_col);
            *c1 = (*c1).max(last_col);
        };
        let u16_at = |data: &[u8], off: usize| -> Option<u32> {
            let b = data.get(off..off + 2)?;
            Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        for (typ, data) in records(sheet) {
            match typ {
                0x0200 => {
                    let cells = declared_cells(data);
                    if cells > MAX_SHEET_SPAN {
                        return Err(("宣言されたセル数 (DIMENSIONS)", cells));
                    }
                }
                // Number, Label, BoolErr, RK, LabelSst, Formula: row, column.
                0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                        cover(row, col, col);
                    }
                }
                // MulRk: row, first column, …, last column.
                0x00BD if data.len() >= 6 => {
                    if let (Some(row), Some(first), Some(last)) = (
                        u16_at(data, 0),
                        u16_at(data, 2),
                        u16_at(data, data.len() - 2),
                    ) {
                        cover(row, first, last.max(first));
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = span {
            let cells = ((r1 - r0 + 1) as usize).saturating_mul((c1 - c0 + 1) as usize);
            if cells > MAX_SHEET_SPAN {
                return Err(("セルの範囲 (grid cells)", cells));
            }
        }
    }
    Ok(())
}

/// BIFF records `(type, data)` as calamine's iterator gives them: CONTINUE
/// records after one are taken with it; ends at the first short record.
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let header = |s: &[u8]| -> Option<(u16, usize)> {
            let h = s.get(..4)?;
            Some((
                u16::from_le_bytes([h[0], h[1]]),
                usize::from(u16::from_le_bytes([h[2], h[3]])),
            ))
        };
        let (typ, len) = header(stream)?;
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        while let Some((0x003C, len)) = header(stream) {
            stream = stream.get(4 + len..)?;
        }
        Some((typ, data))
    })
}

/// The cells calamine reserves for a DIMENSIONS record (xls.rs
/// `parse_dimensions` and its caller, in a release build's wrapping
/// arithmetic).
fn declared_cells(data: &[u8]) -> usize {
    let u16_at = |off: usize| u32::from(u16::from_le_bytes([data[off], data[off + 1]]));
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 => (
            u32_at(data, 0).unwrap_or(0),
            u32_at(data, 4).unwrap_or(0),
            u16_at(8),
            u16_at(10),
        ),
        _ => return 0, // calamine stops at a malformed record
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    if last_row < 1 || last_col < 1 {
        return 1;
    }
    let rows = (last_row - 1).wrapping_sub(first_row).wrapping_add(1) as usize;
    let cols = (last_col - 1).wrapping_sub(first_col).wrapping_add(1) as usize;
    rows.saturating_mul(cols)
}

/// Every chain of an allocation table ends: no loop, no link outside the
/// table. Each sector has one successor, so colouring visits each once.
fn chains_end(table: &[u32]) -> Result<(), &'static str> {
    let mut state = vec![0u8; table.len()]; // 0 new, 1 on the current path, 2 known to end
    for start in 0..table.len() {
        let mut path = Vec::new();
        let mut id = start;
        loop {
            match state[id] {
                2 => break,
                1 => return Err("連鎖が循環しています"),
                _ => {}
            }
            state[id] = 1;
            path.push(id);
            let n = table[id];
            if n >= MAX_REGULAR {
                break;
            }
            if n as usize >= table.len() {
                return Err("連鎖が表の外を指しています");
            }
            id = n as usize;
        }
        for p in path {
            state[p] = 2;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal compound file: header + one FAT sector (sector 0) whose
    /// entries are `fat`.
    fn cfb(fat: &[u32]) -> Vec<u8> {
        let mut b = vec![0u8; 1024];
        b[..8].copy_from_slice(&SIGNATURE);
        b[0x1E] = 9;
        b[0x30..0x34].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // no directory
        b[0x44..0x48].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        b[0x4C..0x50].copy_from_slice(&0u32.to_le_bytes());
        for i in 1..109 {
            b[0x4C + 4 * i..0x50 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        }
        for (i, v) in fat.iter().enumerate() {
            b[512 + 4 * i..516 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    #[test]
    fn chains_that_end_pass_and_loops_are_refused() {
        let mut ok = vec![0xFFFF_FFFDu32, 2, 0xFFFF_FFFE];
        ok.resize(128, 0xFFFF_FFFF);
        assert!(check(&cfb(&ok), "ok.xls").is_ok());
        let mut looped = vec![0xFFFF_FFFDu32, 2, 1];
        looped.resize(128, 0xFFFF_FFFF);
        let err = check(&cfb(&looped), "loop.xls").unwrap_err().to_string();
        assert!(err.contains("loop.xls") && err.contains("循環"), "{err}");
        let mut outside = vec![0xFFFF_FFFDu32, 5000];
        outside.resize(128, 0xFFFF_FFFF);
        assert!(check(&cfb(&outside), "out.xls").is_err());
    }

    /// A file with its directory in sector 1 whose root entry declares a
    /// stream of `len` bytes.
    fn with_root_stream(len: u32) -> Vec<u8> {
        let mut fat = vec![0xFFFF_FFFDu32, 0xFFFF_FFFE];
        fat.resize(128, 0xFFFF_FFFF);
        let mut b = cfb(&fat);
        b[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
        b.resize(1536, 0);
        let root = 1024;
        b[root + 66] = 5; // root storage
        b[root + 120..root + 124].copy_from_slice(&len.to_le_bytes());
        b
    }

    #[test]
    fn lengths_no_file_of_its_size_can_hold_are_refused() {
        assert!(check(&with_root_stream(64), "ok.xls").is_ok());
        let err = check(&with_root_stream(0x9000_0000), "huge.xls")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("huge.xls") && err.contains("ストリームの長さ"),
            "{err}"
        );
        // The first entry counts even when marked unused (calamine reads it).
        let mut b = with_root_stream(0x9000_0000);
        b[1024 + 66] = 0;
        assert!(check(&b, "unused_root.xls").is_err());
        // Nor any later entry, used or not (calamine opens streams by name).
        let mut b = with_root_stream(64);
        b[1024 + 128 + 120..1024 + 128 + 124].copy_from_slice(&0x9000_0000u32.to_le_bytes());
        assert!(check(&b, "unused_later.xls").is_err());
        let mut b = with_root_stream(64);
        b[0x2C..0x30].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert!(check(&b, "fat.xls").is_err());
        // calamine's DIFAT length: the high half of the mini FAT start and
        // the low half of the mini FAT count.
        let mut b = with_root_stream(64);
        b[62..66].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        assert!(check(&b, "difat.xls").is_err());
    }

    /// A record `typ` with `data`.
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    /// A BIFF8 DIMENSIONS record's data.
    fn dimensions(first_row: u32, last_row: u32, first_col: u16, last_col: u16) -> Vec<u8> {
        let mut d = first_row.to_le_bytes().to_vec();
        d.extend(last_row.to_le_bytes());
        d.extend(first_col.to_le_bytes());
        d.extend(last_col.to_le_bytes());
        d.extend([0, 0]);
        d
    }

    #[test]
    fn declared_cells_follow_calamines_arithmetic() {
        assert_eq!(declared_cells(&dimensions(0, 10, 0, 4)), 40);
        // Empty sheet: one cell.
        assert_eq!(declared_cells(&dimensions(0, 0, 0, 0)), 1);
        // A first column past 0xFF counts from column 0.
        assert_eq!(declared_cells(&dimensions(0, 1, 300, 4)), 4);
        // The last row before the first wraps round (a release build).
        assert!(declared_cells(&dimensions(5, 1, 0, 1)) > 4_000_000_000);
        // Other lengths: calamine stops at the record.
        assert_eq!(declared_cells(&[0; 12]), 0);
    }

    #[test]
    fn a_sheet_declaring_or_spanning_too_many_cells_is_refused() {
        // Globals: one BOUNDSHEET pointing past the globals' EOF.
        let one = |records: Vec<u8>| {
            let mut globals = record(0x0085, &[0; 8]);
            globals.extend(record(0x000A, &[]));
            let pos = globals.len() as u32;
            globals[4..8].copy_from_slice(&pos.to_le_bytes());
            let mut stream = globals;
            stream.extend(records);
            stream.extend(record(0x000A, &[]));
            stream
        };
        let sheet = |dims: Vec<u8>| one(record(0x0200, &dims));
        assert!(sheet_extents(&sheet(dimensions(0, 100, 0, 10))).is_ok());
        let (what, _) = sheet_extents(&sheet(dimensions(0, 65_536, 0, 256))).unwrap_err();
        assert!(what.contains("DIMENSIONS"), "{what}");
        assert!(sheet_extents(&sheet(dimensions(9, 1, 0, 1))).is_err());
        // Two number cells far apart: calamine lays out every cell between.
        let number = |row: u16, col: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(col.to_le_bytes());
            d.extend([0; 10]);
            record(0x0203, &d)
        };
        let mut near = number(0, 0);
        near.extend(number(100, 20));
        assert!(sheet_extents(&one(near)).is_ok());
        let mut far = number(0, 0);
        far.extend(number(65_000, 5_000));
        let (what, cells) = sheet_extents(&one(far)).unwrap_err();
        assert!(
            what.contains("grid") && cells > 300_000_000,
            "{what} {cells}"
        );
    }

    #[test]
    fn loops_in_the_mini_fat_are_refused() {
        // Sector 0: the FAT; sector 1: the mini FAT, one chain.
        let mut fat = vec![0xFFFF_FFFDu32, 0xFFFF_FFFE];
        fat.resize(128, 0xFFFF_FFFF);
        let mini = |entries: &[u32]| {
            let mut b = cfb(&fat);
            b[0x3C..0x40].copy_from_slice(&1u32.to_le_bytes());
            b[0x40..0x44].copy_from_slice(&1u32.to_le_bytes());
            b.resize(1536, 0xFF);
            for (i, v) in entries.iter().enumerate() {
                b[1024 + 4 * i..1028 + 4 * i].copy_from_slice(&v.to_le_bytes());
            }
            b
        };
        assert!(check(&mini(&[1, 0xFFFF_FFFE]), "ok.xls").is_ok());
        let err = check(&mini(&[1, 0]), "miniloop.xls")
            .unwrap_err()
            .to_string();
        assert!(err.contains("ミニセクタの連鎖が循環"), "{err}");
    }
}
