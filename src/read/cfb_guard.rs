//! A guard in front of calamine's `.xls` reader. An `.xls` is a Compound File
//! (OLE/CFB): sectors chained through a file allocation table (FAT). calamine
//! 0.32 follows those chains without a step limit, so a damaged or hostile
//! file whose FAT loops makes it allocate until the machine runs out of
//! memory — an abort no caller can catch. Before calamine opens an `.xls`,
//! this walks the DIFAT and FAT itself, with every loop bounded by the
//! number of sectors the file can hold, and refuses a file whose chains loop
//! or point outside the table.

use super::ReadError;
use crate::core::Location;

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector ids at or above this are markers (free, end of chain, FAT, DIFAT).
const MAX_REGULAR: u32 = 0xFFFF_FFFA;

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
    // Every chain must end: no loop, no link outside the table. Each sector
    // has one successor, so colouring visits each sector once.
    let mut state = vec![0u8; fat.len()]; // 0 new, 1 on the current path, 2 known to end
    for start in 0..fat.len() {
        let mut path = Vec::new();
        let mut id = start;
        loop {
            match state[id] {
                2 => break,
                1 => return Err(bad("セクタの連鎖が循環しています")),
                _ => {}
            }
            state[id] = 1;
            path.push(id);
            let n = fat[id];
            if n >= MAX_REGULAR {
                break;
            }
            if n as usize >= fat.len() {
                return Err(bad("セクタの連鎖が表の外を指しています"));
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
}
