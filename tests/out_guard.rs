//! `--out` never deletes or moves the inputs: every arrangement of the
//! output folder around the returns, the mappings and the cost returns is
//! refused with exit 2 before anything is read, and a folder kasane did not
//! write (no manifest.json) is never replaced.

mod common;
use common::root;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kasane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kasane"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("kasane runs")
}

/// A few sample returns copied into `<tmp>/X/2025-04`.
fn returns_in_x() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().expect("tempdir");
    let month = t.path().join("X").join("2025-04");
    std::fs::create_dir_all(&month).expect("mkdir");
    for name in [
        "CHI-001_202504_F1.xlsx",
        "HFC-001_202504_F2.xlsx",
        "SKK-001_202504_F3.xlsx",
    ] {
        std::fs::copy(
            root().join("samples/kyoto/2025-04").join(name),
            month.join(name),
        )
        .expect("copy sample");
    }
    (t, month)
}

/// Names and bytes of every file under a folder, to see that nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn assert_refused(o: &Output, words: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(words), "{words} in {err}");
}

#[test]
fn out_holding_the_returns_folder_is_refused_and_the_returns_kept() {
    let (t, month) = returns_in_x();
    let x = t.path().join("X");
    let before = snapshot(t.path());
    // The arrangement that once deleted all 109 returns.
    let o = kasane(&["run", "--returns", s(&month), "--out", s(&x)]);
    assert_refused(&o, "報告フォルダ");
    // With --month too, and with the path written another way.
    let dotted = month.join("..");
    let o = kasane(&[
        "run",
        "--returns",
        s(&month),
        "--month",
        "2025-04",
        "--out",
        s(&dotted),
    ]);
    assert_refused(&o, "重なっています");
    assert_eq!(snapshot(t.path()), before, "nothing moved or deleted");
}

#[test]
fn out_equal_to_or_inside_the_returns_is_refused() {
    let (t, month) = returns_in_x();
    let before = snapshot(t.path());
    let o = kasane(&["run", "--returns", s(&month), "--out", s(&month)]);
    assert_refused(&o, "報告フォルダ");
    let inside = month.join("out");
    let o = kasane(&["run", "--returns", s(&month), "--out", s(&inside)]);
    assert_refused(&o, "報告フォルダ");
    assert!(!inside.exists(), "no output folder made inside the returns");
    assert_eq!(snapshot(t.path()), before);
}

#[test]
fn out_over_the_mappings_is_refused() {
    let (t, month) = returns_in_x();
    let mappings = t.path().join("mappings").join("kyoto");
    std::fs::create_dir_all(&mappings).expect("mkdir");
    for e in std::fs::read_dir(root().join("mappings/kyoto")).expect("mappings") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, mappings.join(p.file_name().expect("name"))).expect("copy");
    }
    let before = snapshot(t.path());
    for out in [
        mappings.clone(),
        t.path().join("mappings"),
        mappings.join("o"),
    ] {
        let o = kasane(&[
            "run",
            "--mappings",
            s(&mappings),
            "--returns",
            s(&month),
            "--out",
            s(&out),
        ]);
        assert_refused(&o, "対応表フォルダ");
    }
    let o = kasane(&[
        "report",
        "--fiscal-year",
        "2025",
        "--mappings",
        s(&mappings),
        "--out",
        s(&mappings),
    ]);
    assert_refused(&o, "対応表フォルダ");
    assert_eq!(snapshot(t.path()), before);
}

#[test]
fn out_holding_the_cost_returns_is_refused() {
    let t = tempfile::tempdir().expect("tempdir");
    let costs = t.path().join("FY2025");
    std::fs::create_dir_all(&costs).expect("mkdir");
    std::fs::write(costs.join("keep.csv"), "x").expect("write");
    let o = kasane(&[
        "report",
        "--fiscal-year",
        "2025",
        "--costs",
        s(&costs),
        "--out",
        s(t.path()),
    ]);
    assert_refused(&o, "事業費の報告フォルダ");
    assert!(costs.join("keep.csv").is_file());
}

#[test]
fn a_month_folder_kasane_did_not_write_is_never_replaced() {
    let (t, month) = returns_in_x();
    let out = t.path().join("out");
    // Someone's own folder under the month's name, e.g. returns kept there.
    let theirs = out.join("2025-04");
    std::fs::create_dir_all(&theirs).expect("mkdir");
    std::fs::write(theirs.join("memo.xlsx"), b"not kasane's").expect("write");
    let o = kasane(&["run", "-q", "--returns", s(&month), "--out", s(&out)]);
    assert_refused(&o, "manifest.json");
    assert_eq!(
        std::fs::read(theirs.join("memo.xlsx")).expect("kept"),
        b"not kasane's"
    );
    // A kasane month folder is replaced as before.
    std::fs::remove_dir_all(&theirs).expect("rm");
    let o = kasane(&["run", "-q", "--returns", s(&month), "--out", s(&out)]);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = kasane(&["run", "-q", "--returns", s(&month), "--out", s(&out)]);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(theirs.join("manifest.json").is_file());
    assert_eq!(snapshot(&month).len(), 3, "returns untouched");
}
