//! Where the folder of consolidated months (`out/`) may lie, and which of
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

use std::path::{Component, Path, PathBuf};

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
