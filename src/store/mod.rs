//! The folder of consolidated months (`out/`): where it may lie, and which of
//! its folders kasane may replace.
//!
//! kasane replaces a month's folder by moving the earlier one aside and
//! deleting it. That is only safe on folders kasane wrote itself, so two
//! guards stand before any write:
//!
//! * [`check_out_dir`]: `--out` must not be, contain or lie inside an input
//!   folder (the returns, the mappings, the cost returns). With the returns
//!   in `X/2025-04`, `--out X` would otherwise take the returns folder for
//!   the month's earlier outputs and delete it.
//! * [`is_month_folder`]: a folder is replaced only when it holds the
//!   `manifest.json` every run writes; anything else is left alone and the
//!   run refuses.
//!
//! And three more for runs that meet or crash:
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

use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file in `--out` (never inside a month's folder).
pub const LOCK_FILE: &str = ".kasane.lock";

/// How long a run waits for another run's lock on the same `--out` by
/// default, in seconds; `KASANE_LOCK_WAIT_SECS` sets another (0: refuse at
/// once).
pub const DEFAULT_LOCK_WAIT_SECS: u64 = 10;

/// The file every consolidated month holds; its presence is what marks a
/// folder as kasane's to replace.
pub const MANIFEST: &str = "manifest.json";

/// Why the output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    /// `--out` and an input folder overlap.
    #[error("出力先 {out} と{role} {input} が重なっています。入力を消さないよう中止しました。--out には入力と別のフォルダを指定してください (refused: --out {relation} the {role_en} folder; choose an output folder apart from the inputs)", out = .out.display(), input = .input.display(), relation = .relation.as_str())]
    Overlaps {
        /// The output folder as given.
        out: PathBuf,
        /// The input folder as given.
        input: PathBuf,
        /// What the input folder is, in Japanese (報告フォルダ…).
        role: &'static str,
        /// The same in English.
        role_en: &'static str,
        /// How they overlap.
        relation: Overlap,
    },
    /// A folder kasane would replace was not written by kasane.
    #[error("{path}: kasane の出力ではないフォルダ（{MANIFEST} がありません）のため、置き換えずに中止しました。フォルダ名を変えるか --out に別のフォルダを指定してください (refused: not a kasane month folder, no {MANIFEST}; it is never moved or deleted)", path = .path.display())]
    NotAMonthFolder {
        /// The folder.
        path: PathBuf,
    },
}

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

/// How an output folder and an input folder overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// The same folder.
    Same,
    /// The input lies inside the output folder.
    ContainsInput,
    /// The output folder lies inside the input.
    InsideInput,
}

impl Overlap {
    fn as_str(self) -> &'static str {
        match self {
            Overlap::Same => "is",
            Overlap::ContainsInput => "contains",
            Overlap::InsideInput => "lies inside",
        }
    }
}

/// An input folder of a run, for [`check_out_dir`].
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The folder as given.
    pub path: &'a Path,
    /// What it is, in Japanese (報告フォルダ, 対応表フォルダ…).
    pub role: &'static str,
    /// The same in English.
    pub role_en: &'static str,
}

impl<'a> Input<'a> {
    /// The folder of returns.
    pub fn returns(path: &'a Path) -> Input<'a> {
        Input {
            path,
            role: "報告フォルダ",
            role_en: "returns",
        }
    }

    /// The mappings folder.
    pub fn mappings(path: &'a Path) -> Input<'a> {
        Input {
            path,
            role: "対応表フォルダ",
            role_en: "mappings",
        }
    }

    /// The folder of F5 cost returns.
    pub fn costs(path: &'a Path) -> Input<'a> {
        Input {
            path,
            role: "事業費の報告フォルダ",
            role_en: "cost returns",
        }
    }
}

/// Refuses an output folder that is, contains or lies inside an input
/// folder. Paths are compared after resolving symbolic links and `..`, so
/// `X/2025-04/..` and a link to `X` count as `X`; folders that do not exist
/// yet are resolved through their nearest existing parent.
///
/// # Errors
/// [`OutDirError::Overlaps`] naming the first overlapping input.
pub fn check_out_dir(out: &Path, inputs: &[Input<'_>]) -> Result<(), OutDirError> {
    let out_abs = resolve(out);
    for input in inputs {
        let in_abs = resolve(input.path);
        let relation = if out_abs == in_abs {
            Overlap::Same
        } else if in_abs.starts_with(&out_abs) {
            Overlap::ContainsInput
        } else if out_abs.starts_with(&in_abs) {
            Overlap::InsideInput
        } else {
            continue;
        };
        return Err(OutDirError::Overlaps {
            out: out.to_path_buf(),
            input: input.path.to_path_buf(),
            role: input.role,
            role_en: input.role_en,
            relation,
        });
    }
    Ok(())
}

/// Whether `dir` is a month folder kasane wrote (it holds [`MANIFEST`] as a
/// file, not a link). Only such folders are ever moved aside or deleted.
pub fn is_month_folder(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MANIFEST)).is_ok_and(|m| m.is_file())
}

/// Refuses to replace `dir` unless it is absent or a kasane month folder.
///
/// # Errors
/// [`OutDirError::NotAMonthFolder`].
pub fn check_replaceable(dir: &Path) -> Result<(), OutDirError> {
    match std::fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() && is_month_folder(dir) => Ok(()),
        Ok(_) => Err(OutDirError::NotAMonthFolder {
            path: dir.to_path_buf(),
        }),
    }
}

/// An absolute path with links and `..` resolved as far as the path exists;
/// the part that does not exist yet is appended as written (without `.`/`..`).
fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = absolute.as_path();
    let mut rest: Vec<Component<'_>> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for c in rest.iter().rev() {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
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

    fn dirs() -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::tempdir().expect("tempdir");
        let month = t.path().join("X").join("2025-04");
        std::fs::create_dir_all(&month).expect("mkdir");
        (t, month)
    }

    #[test]
    fn output_holding_the_returns_is_refused() {
        let (t, returns) = dirs();
        let x = t.path().join("X");
        let e = check_out_dir(&x, &[Input::returns(&returns)]).expect_err("refused");
        assert!(matches!(
            e,
            OutDirError::Overlaps {
                relation: Overlap::ContainsInput,
                ..
            }
        ));
        assert!(e.to_string().contains("報告フォルダ"), "{e}");
    }

    #[test]
    fn the_same_folder_is_refused_however_it_is_written() {
        let (_t, returns) = dirs();
        let dotted = returns.join("..").join("2025-04");
        let e = check_out_dir(&dotted, &[Input::returns(&returns)]).expect_err("refused");
        assert!(matches!(
            e,
            OutDirError::Overlaps {
                relation: Overlap::Same,
                ..
            }
        ));
    }

    #[test]
    fn output_inside_the_returns_is_refused_even_before_it_exists() {
        let (_t, returns) = dirs();
        let inside = returns.join("out").join("new");
        let e = check_out_dir(&inside, &[Input::returns(&returns)]).expect_err("refused");
        assert!(matches!(
            e,
            OutDirError::Overlaps {
                relation: Overlap::InsideInput,
                ..
            }
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_the_returns_is_the_returns() {
        let (t, returns) = dirs();
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&returns, &link).expect("symlink");
        assert!(check_out_dir(&link, &[Input::returns(&returns)]).is_err());
    }

    #[test]
    fn a_sibling_folder_is_fine() {
        let (t, returns) = dirs();
        // `X/2025-04` and `X/2025-04b` share a prefix of text, not of path.
        let sibling = t.path().join("X").join("2025-04b");
        check_out_dir(&sibling, &[Input::returns(&returns)]).expect("apart");
        check_out_dir(&t.path().join("out"), &[Input::returns(&returns)]).expect("apart");
    }

    #[test]
    fn only_folders_with_a_manifest_are_replaceable() {
        let (t, returns) = dirs();
        check_replaceable(&t.path().join("absent")).expect("absent is fine");
        assert!(check_replaceable(&returns).is_err());
        std::fs::write(returns.join(MANIFEST), b"{}").expect("write");
        check_replaceable(&returns).expect("a month folder");
        let file = t.path().join("file");
        std::fs::write(&file, b"x").expect("write");
        assert!(check_replaceable(&file).is_err());
    }
}
