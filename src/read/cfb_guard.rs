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
//! length no file of this size can hold is refused here.

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

/// Refuses an `.xls` whose sector chains loop or run out of the table.
///
/// # Errors
/// A [`ReadError::Workbook`] naming the file and the damage.
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
        return Err(bad("ヘッダの長さが不正"));
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
    // Directory entries: no stream longer than the file. The chain ends
    // (checked above) unless it leaves the table.
    let mut id = header(0x30) as u32;
    let mut first = true;
    while id < MAX_REGULAR {
        let s = sector(id).ok_or_else(|| bad("ディレクトリがファイルの外を指しています"))?;
        for entry in s.chunks_exact(128) {
            // Object type 0: an unused entry, never opened; except the
            // first, whose length calamine takes as the mini stream's
            // whatever its type.
            if entry[66] == 0 && !std::mem::take(&mut first) {
                continue;
            }
            first = false;
            let len = if size == 512 {
                u64::from(u32_at(entry, 120).unwrap_or(0))
            } else {
                u64::from_le_bytes(entry[120..128].try_into().unwrap_or([0; 8]))
            };
            if len > bytes.len() as u64 {
                return Err(bad("ストリームの長さがファイルより大きい"));
            }
        }
        id = *fat
            .get(id as usize)
            .ok_or_else(|| bad("ディレクトリの連鎖が表の外を指しています"))?;
    }
    Ok(())
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
        // Later unused entries do not.
        let mut b = with_root_stream(64);
        b[1024 + 128 + 120..1024 + 128 + 124].copy_from_slice(&0x9000_0000u32.to_le_bytes());
        assert!(check(&b, "unused_later.xls").is_ok());
        let mut b = with_root_stream(64);
        b[0x2C..0x30].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert!(check(&b, "fat.xls").is_err());
        // calamine's DIFAT length: the high half of the mini FAT start and
        // the low half of the mini FAT count.
        let mut b = with_root_stream(64);
        b[62..66].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        assert!(check(&b, "difat.xls").is_err());
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
