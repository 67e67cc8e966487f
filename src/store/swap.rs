//! Runs that meet or crash: one run at a time writes into an `--out`
//! folder, and a month is swapped in whole.
//!
//! * [`OutLock`]: one run at a time writes into an `--out` folder (the file
//!   `<out>/.kasane.lock`, locked while a month is written); a second run
//!   waits a bounded time, then refuses.
//! * [`clean_stale`]: staging folders (`.<YYYY-MM>.partial-XXXXXX`) and
//!   set-aside months (`.<YYYY-MM>.old`) a killed run left behind are removed
//!   under the lock, matched by their exact names.
//! * [`swap_in`]: the new month replaces the old in one step (Linux
//!   `renameat2(RENAME_EXCHANGE)`), so a reader or a crash never finds the
//!   month missing; elsewhere, or on a file system that refuses it, the old
//!   folder is moved aside first and put back if the second move fails.

use super::guard::is_month_folder;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file in `--out` (never inside a month's folder).
pub const LOCK_FILE: &str = ".kasane.lock";

/// How long a run waits for another run's lock on the same `--out` by
/// default, in seconds; `KASANE_LOCK_WAIT_SECS` sets another (0: refuse at
/// once).
pub const DEFAULT_LOCK_WAIT_SECS: u64 = 10;

/// Why the output folder could not be locked or its month swapped in.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another run holds the lock on `--out`.
    #[error("{path}: 別の kasane が同じ出力先に書き込み中です（{waited} 秒待ちました）。終わってから実行し直してください (another kasane run is writing into this --out; waited {waited} s; run again when it is done)", path = .path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// Seconds waited.
        waited: u64,
    },
    /// A file or folder operation failed.
    #[error("{path}: {what_ja}できません (cannot {what_en}): {source}", path = .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done, in Japanese (ロック, 削除 …).
        what_ja: &'static str,
        /// The same in English.
        what_en: &'static str,
        /// Why.
        source: io::Error,
    },
}

fn store_io<'a>(
    path: &'a Path,
    what_ja: &'static str,
    what_en: &'static str,
) -> impl FnOnce(io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        what_ja,
        what_en,
        source,
    }
}

/// The lock on an `--out` folder, held until dropped (the operating system
/// releases it if the process dies, so a crash never leaves it locked).
#[derive(Debug)]
pub struct OutLock {
    // Held for its lock; the lock goes with the open file.
    _file: File,
    path: PathBuf,
}

impl OutLock {
    /// Locks `out` (which must exist), waiting up to `wait` for another
    /// run to finish.
    ///
    /// # Errors
    /// [`StoreError::Locked`] after `wait`; [`StoreError::Io`] if the lock
    /// file cannot be opened or locked.
    pub fn acquire(out: &Path, wait: Duration) -> Result<OutLock, StoreError> {
        let path = out.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(store_io(
                &path,
                "ロックファイルを開くことが",
                "open the lock file",
            ))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(OutLock { _file: file, path }),
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::Locked {
                        path,
                        waited: started.elapsed().as_secs(),
                    })
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(store_io(&path, "ロック", "lock")(e))
                }
            }
        }
    }

    /// Locks `out` with the wait of `KASANE_LOCK_WAIT_SECS` (default
    /// [`DEFAULT_LOCK_WAIT_SECS`]).
    ///
    /// # Errors
    /// As [`OutLock::acquire`].
    pub fn acquire_default(out: &Path) -> Result<OutLock, StoreError> {
        let secs = std::env::var("KASANE_LOCK_WAIT_SECS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_LOCK_WAIT_SECS);
        Self::acquire(out, Duration::from_secs(secs))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Whether `name` is one of kasane's staging or set-aside names:
/// `.<YYYY-MM>.partial-<6 letters or digits>` (tempfile's default suffix) or
/// `.<YYYY-MM>.old`.
pub fn is_stale_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    // `get`, not `split_at`: a name whose eighth byte falls inside a
    // character (`.ああああ`) must not panic.
    let (Some(month), Some(tail)) = (rest.get(..7), rest.get(7..)) else {
        return false;
    };
    let month_ok = month.bytes().enumerate().all(|(i, b)| {
        if i == 4 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !month_ok {
        return false;
    }
    if tail == ".old" {
        return true;
    }
    tail.strip_prefix(".partial-")
        .is_some_and(|s| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes what killed runs left in `out`: every folder named like a
/// staging folder or a set-aside month ([`is_stale_name`]) that holds only
/// files (a staging folder may lack its manifest yet; a set-aside month
/// must have one, as [`check_replaceable`] asks). Call it holding the
/// [`OutLock`], so no running run's folder is taken. Returns what was removed.
///
/// # Errors
/// If a stale folder cannot be removed.
pub fn clean_stale(out: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(removed);
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_stale_name(name) {
            continue;
        }
        let path = entry.path();
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let only_files = std::fs::read_dir(&path).is_ok_and(|files| {
            files
                .filter_map(Result::ok)
                .all(|f| f.file_type().is_ok_and(|t| t.is_file()))
        });
        let kasanes = !name.ends_with(".old") || is_month_folder(&path);
        if is_dir && only_files && kasanes {
            std::fs::remove_dir_all(&path).map_err(store_io(&path, "削除", "remove"))?;
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Puts the complete folder `staged` at `target`, replacing the month kasane
/// wrote there before (the caller checked it with [`check_replaceable`]);
/// `old` is where the earlier set is moved aside when the file system cannot
/// exchange the two in one step. Afterwards `target` holds the new set, and
/// on an error it holds the earlier one (or nothing, if there was none).
///
/// # Errors
/// If a folder cannot be moved or the earlier set removed.
pub fn swap_in(staged: &Path, target: &Path, old: &Path) -> Result<(), StoreError> {
    if std::fs::symlink_metadata(target).is_err() {
        return std::fs::rename(staged, target).map_err(store_io(target, "作成", "create"));
    }
    match exchange(staged, target) {
        Ok(()) => {
            // `staged` now holds the earlier set. The new month is in place
            // whatever happens next; a set left over is a stale folder the
            // next run removes (clean_stale).
            let _ = std::fs::remove_dir_all(staged);
            return Ok(());
        }
        Err(e) if exchange_unsupported(&e) => {}
        Err(e) => return Err(store_io(target, "置き換え", "replace")(e)),
    }
    // Two moves: there is a moment without the month, but never a mixed set.
    std::fs::rename(target, old).map_err(store_io(target, "退避", "move aside"))?;
    if let Err(e) = std::fs::rename(staged, target) {
        // Put the earlier set back rather than leave no month at all.
        let _ = std::fs::rename(old, target);
        return Err(store_io(target, "置き換え", "replace")(e));
    }
    let _ = std::fs::remove_dir_all(old);
    Ok(())
}

/// Swaps two existing paths in one step.
#[cfg(target_os = "linux")]
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        a,
        rustix::fs::CWD,
        b,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .map_err(io::Error::from)
}

/// Swaps two existing paths in one step: not available here.
#[cfg(not(target_os = "linux"))]
pub fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Whether `exchange` failed because the system or file system does not do
/// it (old kernels, some network and FUSE file systems), not because of the
/// folders.
fn exchange_unsupported(e: &io::Error) -> bool {
    // EINVAL, ENOSYS, EOPNOTSUPP on Linux.
    matches!(e.raw_os_error(), Some(22 | 38 | 95)) || e.kind() == io::ErrorKind::Unsupported
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_names_are_exactly_kasanes() {
        for name in [
            ".2025-04.partial-AbX9z0",
            ".2025-04.old",
            ".1999-12.partial-000000",
        ] {
            assert!(is_stale_name(name), "{name}");
        }
        for name in [
            "2025-04",
            ".2025-04",
            ".2025-04.partial-",
            ".2025-04.partial-abc12",
            ".2025-04.partial-abc1234",
            ".2025-04.partial-abc12-",
            ".2025-04.older",
            ".2025_04.old",
            ".ああああ",
            ".2025-0あ.old",
            ".kasane.lock",
            ".",
            "",
        ] {
            assert!(!is_stale_name(name), "{name}");
        }
    }
}
