//! The bundled samples' outputs, byte for byte: `kasane run` over
//! `samples/kyoto/2025-04`, then `2025-05` into the same `--out`, then
//! `kasane report --fiscal-year 2025 --costs samples/kyoto/FY2025`, as the
//! README's sample commands do. Every file under `--out` but the lock
//! (`.kasane.lock`, which holds nothing of the outputs) is hashed and the
//! list compared with `tests/golden/outputs.sha256`, so a refactoring that
//! changes a single byte of any output fails here, and a file that appears
//! or goes missing fails too.
//!
//! The binary is run (not the library), so the test does not depend on the
//! library's API and holds across refactorings of it. Paths are given
//! relative to the crate root, as the README's commands give them, because
//! the workbook's 概要 shows the returns folder as it was passed.
//!
//! When an output change is intended, regenerate the list deliberately and
//! commit it with the change that explains it:
//!
//! ```text
//! KASANE_BLESS_OUTPUTS=1 cargo test --test outputs_unchanged
//! git diff tests/golden/outputs.sha256   # only the files you meant to change
//! ```

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden() -> PathBuf {
    root().join("tests/golden/outputs.sha256")
}

/// Runs the binary from the crate root; exit 0 or 1 (the samples hold
/// findings on purpose) both mean the outputs were written.
fn kasane(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_kasane"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("kasane runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "kasane {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir` but the lock, as `sha256  path` lines (the
/// format of `sha256sum`), sorted by path.
fn hashes(dir: &Path) -> String {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("listing") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != ".kasane.lock") {
                files.push(p);
            }
        }
    }
    let mut lines: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(dir)
                .expect("under out")
                .to_string_lossy()
                .replace('\\', "/");
            let digest = Sha256::digest(std::fs::read(p).expect("output"));
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            (rel, hex)
        })
        .collect();
    lines.sort();
    lines
        .into_iter()
        .map(|(rel, hex)| format!("{hex}  {rel}\n"))
        .collect()
}

#[test]
fn the_sample_outputs_are_byte_identical_to_the_golden_list() {
    let out = tempfile::tempdir().expect("tempdir");
    let o = out.path().to_str().expect("utf-8 temp path");
    kasane(&[
        "run",
        "--quiet",
        "--returns",
        "samples/kyoto/2025-04",
        "--out",
        o,
    ]);
    kasane(&[
        "run",
        "--quiet",
        "--returns",
        "samples/kyoto/2025-05",
        "--out",
        o,
    ]);
    kasane(&[
        "report",
        "--fiscal-year",
        "2025",
        "--costs",
        "samples/kyoto/FY2025",
        "--out",
        o,
    ]);
    let now = hashes(out.path());
    if std::env::var_os("KASANE_BLESS_OUTPUTS").is_some() {
        std::fs::create_dir_all(golden().parent().expect("tests/golden")).expect("mkdir");
        std::fs::write(golden(), &now).expect("write the golden list");
        return;
    }
    let expected = std::fs::read_to_string(golden()).expect("tests/golden/outputs.sha256");
    assert!(
        now == expected,
        "the outputs changed (KASANE_BLESS_OUTPUTS=1 to accept, see the module docs):\n--- golden\n{expected}--- now\n{now}"
    );
}
