//! The `kasane` binary as staff run it: exit statuses, JSON output, the
//! annotated workbook and the fiscal-year report.

mod common;
use common::root;

use std::path::Path;
use std::process::{Command, Output};

fn kasane(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kasane"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("kasane runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn run_on_the_samples_exits_zero_and_writes_the_month() {
    let out = tempfile::tempdir().expect("tempdir");
    let o = kasane(&["run", "--out", out.path().to_str().expect("utf-8 path")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("エラー 0"), "{}", stdout(&o));
    for f in [
        "records.csv",
        "findings.csv",
        "cases.csv",
        "manifest.json",
        "月次集計_2025-04.xlsx",
    ] {
        assert!(out.path().join("2025-04").join(f).is_file(), "{f}");
    }
    // Every bundled month, oldest first: May's running totals were checked
    // against the April just written, so May has no finding at all.
    assert!(out.path().join("2025-05/月次集計_2025-05.xlsx").is_file());
    let out_text = stdout(&o);
    let (april, may) = (
        out_text.find("京都市 2025-04").expect("April's summary"),
        out_text.find("京都市 2025-05").expect("May's summary"),
    );
    assert!(april < may, "{out_text}");
    assert!(
        out_text[may..].contains("エラー 0 / 警告 0 / 情報 0"),
        "{out_text}"
    );
    assert!(!String::from_utf8_lossy(&o.stderr).contains("集計し直して"));
    // The fiscal-year report from what was just consolidated.
    let o = kasane(&[
        "report",
        "--fiscal-year",
        "2025",
        "--out",
        out.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("未集計 10 か月"), "{}", stdout(&o));
    assert!(out.path().join("FY2025/補助金報告_2025年度.xlsx").is_file());
}

/// Re-running a month whose next month is already under `out/` says that
/// the next month's running totals were checked against the old outputs.
#[test]
fn rerunning_a_month_before_a_consolidated_one_says_to_rerun_it() {
    let out = tempfile::tempdir().expect("tempdir");
    let out_arg = out.path().to_str().expect("utf-8 path");
    let args = ["run", "-q", "--month", "2025-04", "--out", out_arg];
    let o = kasane(&args);
    assert_eq!(o.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("集計し直して"));
    // May as if consolidated earlier: its records.csv is what the note looks for.
    std::fs::create_dir(out.path().join("2025-05")).expect("May");
    std::fs::copy(
        out.path().join("2025-04/records.csv"),
        out.path().join("2025-05/records.csv"),
    )
    .expect("copy");
    let o = kasane(&args);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2025-05 以降の月も集計し直してください"),
        "{err}"
    );
}

#[test]
fn could_not_run_is_exit_two() {
    let o = kasane(&["run", "--month", "2025-4"]);
    assert_eq!(o.status.code(), Some(2));
    let o = kasane(&["run", "--mappings", "no/such/mappings"]);
    assert_eq!(o.status.code(), Some(2));
    let o = kasane(&["check", "no-such-file.xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-file.xlsx"));
}

#[test]
fn check_exit_status_and_json() {
    let o = kasane(&["check", "samples/kyoto/2025-04/CHI-001_202504_F1.xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("問題はありません"));

    let o = kasane(&[
        "check",
        "--json",
        "tests/check/CHI-007_202504_F1_drifted.xlsx",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let rules: Vec<&str> = v[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for r in [
        "template_mismatch",
        "bad_value",
        "total_mismatch",
        "inconsistent_figures",
    ] {
        assert!(rules.contains(&r), "{r} in {rules:?}");
    }

    let o = kasane(&[
        "check",
        "--lang",
        "en",
        "tests/check/CHI-007_202504_F1_drifted.xlsx",
    ]);
    assert!(stdout(&o).contains("moved from D9 to E9"), "{}", stdout(&o));
}

#[test]
fn check_annotate_writes_a_workbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("marked.xlsx");
    let o = kasane(&[
        "check",
        "--annotate",
        out.to_str().expect("utf-8"),
        "tests/check/CHI-007_202504_F1_drifted.xlsx",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(Path::new(&out).is_file());
}
