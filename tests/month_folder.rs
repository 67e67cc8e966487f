//! What else a month's folder holds never costs the month: byte-identical
//! copies are read once, a return of another month gets `month_mismatch`
//! while the month goes on, the year's F5 cost returns are set aside for
//! the fiscal-year report, links are not followed, and file names that are
//! not UTF-8 stay distinct.

mod common;
use common::{figures_of, read_csv, root};

use kasane::core::Rule;
use kasane::pipeline::write_month;
use kasane::pipeline::{consolidate, MonthRun, RunConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The April sample month copied into `<tmp>/2025-04`.
fn april_copy() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("2025-04");
    std::fs::create_dir(&dir).expect("mkdir");
    for e in std::fs::read_dir(root().join("samples/kyoto/2025-04")).expect("samples") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
    }
    (t, dir)
}

fn run(dir: &Path) -> MonthRun {
    consolidate(&RunConfig {
        mappings_dir: root().join("mappings/kyoto"),
        returns_dir: dir.to_path_buf(),
        month: None,
        out_dir: None,
    })
    .expect("the month runs")
}

fn findings_of(run: &MonthRun, rule: Rule) -> Vec<&kasane::core::Finding> {
    run.outcome
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// The April figures as the plain sample month gives them.
fn april_figures() -> std::collections::BTreeMap<common::FigureKey, u64> {
    let (t, dir) = april_copy();
    let r = run(&dir);
    let out = t.path().join("out");
    let month = write_month(&r, &out).expect("written");
    figures_of(&read_csv(&month.join("records.csv")))
}

fn figures_after(run: &MonthRun, out: &Path) -> std::collections::BTreeMap<common::FigureKey, u64> {
    let month = write_month(run, out).expect("written");
    figures_of(&read_csv(&month.join("records.csv")))
}

#[test]
fn a_byte_identical_copy_is_read_once_with_an_info() {
    let (t, dir) = april_copy();
    std::fs::copy(
        dir.join("CHI-001_202504_F1.xlsx"),
        dir.join("CHI-001_202504_F1 (1).xlsx"),
    )
    .expect("copy");
    let r = run(&dir);
    assert!(findings_of(&r, Rule::DuplicateReturn).is_empty());
    let copies = findings_of(&r, Rule::IdenticalCopy);
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(copies[0].agency_code, "CHI-001");
    assert!(copies[0].message.contains("CHI-001_202504_F1 (1).xlsx"));
    assert_eq!(copies[0].severity, kasane::core::Severity::Info);
    assert!(r.rows.balances(), "{:?}", r.rows);
    assert_eq!(figures_after(&r, &t.path().join("out")), april_figures());
}

#[test]
fn a_return_of_another_month_is_held_back_and_the_month_goes_on() {
    let (t, dir) = april_copy();
    // May's return of an agency that also sent April's, under another name.
    std::fs::copy(
        root().join("samples/kyoto/2025-05/CHI-003_202505_F1.xlsx"),
        dir.join("CHI-003_早めに送付.xlsx"),
    )
    .expect("copy");
    let r = run(&dir);
    assert_eq!(
        r.month.to_string(),
        "2025-04",
        "the month most returns state"
    );
    let other = findings_of(&r, Rule::MonthMismatch);
    assert_eq!(other.len(), 1, "{other:?}");
    assert_eq!(other[0].agency_code, "CHI-003");
    assert!(other[0].message.contains("CHI-003_早めに送付.xlsx"));
    // Nothing lost: the agency's April return is consolidated.
    assert_eq!(other[0].severity, kasane::core::Severity::Warning);
    assert!(findings_of(&r, Rule::DuplicateReturn).is_empty());
    assert_eq!(figures_after(&r, &t.path().join("out")), april_figures());
}

#[test]
fn a_month_that_cannot_be_decided_names_the_files() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("returns");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::copy(
        root().join("samples/kyoto/2025-04/CHI-001_202504_F1.xlsx"),
        dir.join("a.xlsx"),
    )
    .expect("copy");
    std::fs::copy(
        root().join("samples/kyoto/2025-05/CHI-003_202505_F1.xlsx"),
        dir.join("b.xlsx"),
    )
    .expect("copy");
    let o = Command::new(env!("CARGO_BIN_EXE_kasane"))
        .args(["run", "-q", "--returns"])
        .arg(&dir)
        .arg("--out")
        .arg(t.path().join("out"))
        .current_dir(root())
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("a.xlsx") && err.contains("b.xlsx"), "{err}");
    // The folder's name settles a tie.
    let named = t.path().join("2025-05");
    std::fs::rename(&dir, &named).expect("rename");
    let r = run(&named);
    assert_eq!(r.month.to_string(), "2025-05");
}

#[test]
fn an_f5_cost_return_in_the_month_is_set_aside_for_the_fiscal_report() {
    let (t, dir) = april_copy();
    std::fs::copy(
        root().join("samples/kyoto/FY2025/CHI-002_FY2025_F5.xlsx"),
        dir.join("CHI-002_FY2025_F5.xlsx"),
    )
    .expect("copy");
    let r = run(&dir);
    assert!(findings_of(&r, Rule::DuplicateReturn).is_empty());
    assert!(findings_of(&r, Rule::FormMismatch).is_empty());
    let aside = findings_of(&r, Rule::CostReturnSetAside);
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].agency_code, "CHI-002");
    let out = t.path().join("out");
    assert_eq!(figures_after(&r, &out), april_figures());
    let found = read_csv(&out.join("2025-04").join(kasane::costs::FOUND_IN_MONTH));
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|f| f["agency_code"] == "CHI-002" && f["form"] == "F5" && f["month"] == "2026-03"));
    // The fiscal-year report without --costs uses them.
    let o = Command::new(env!("CARGO_BIN_EXE_kasane"))
        .args(["report", "--fiscal-year", "2025", "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .expect("runs");
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let costs = read_csv(&out.join("FY2025/costs.csv"));
    assert_eq!(figures_of(&costs), figures_of(&found));
    assert!(String::from_utf8_lossy(&o.stdout).contains("月次フォルダにあった報告 1 機関分"));
}

/// A damaged `FY2025/costs.csv` (an earlier run's) is reported and kept as
/// it is — not replaced by the one return found in a month's folder, which
/// would silently drop every other agency's costs.
#[test]
fn a_damaged_costs_file_is_reported_and_kept_not_overwritten() {
    let (t, dir) = april_copy();
    std::fs::copy(
        root().join("samples/kyoto/FY2025/CHI-002_FY2025_F5.xlsx"),
        dir.join("CHI-002_FY2025_F5.xlsx"),
    )
    .expect("copy");
    let r = run(&dir);
    let out = t.path().join("out");
    figures_after(&r, &out);
    let fy = out.join("FY2025");
    std::fs::create_dir_all(&fy).expect("FY folder");
    let damaged = "month,agency_code\n2026-03\n";
    std::fs::write(fy.join("costs.csv"), damaged).expect("damaged costs.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_kasane"))
        .args(["report", "--fiscal-year", "2025", "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .expect("runs");
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(fy.join("costs.csv")).expect("costs.csv"),
        damaged,
        "the damaged file is kept for a person to look at"
    );
    let findings = read_csv(&fy.join("costs_findings.csv"));
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "unreadable_file" && f["source"].contains("costs.csv")),
        "{findings:?}"
    );
}

#[cfg(unix)]
#[test]
fn links_are_not_followed_and_odd_names_stay_distinct() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (_t, dir) = april_copy();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd.csv")).expect("link");
    let odd = |b: &[u8]| dir.join(OsStr::from_bytes(b));
    let sample = root().join("samples/kyoto/2025-04/CHI-002_202504_F1.csv");
    std::fs::copy(&sample, odd(b"extra_\xff.csv")).expect("copy");
    let mut other = std::fs::read(&sample).expect("read");
    other.extend_from_slice(b"\r\n");
    std::fs::write(odd(b"extra_\xfe.csv"), other).expect("write");
    let r = run(&dir);
    let ignored = findings_of(&r, Rule::IgnoredEntry);
    assert_eq!(ignored.len(), 1);
    assert!(ignored[0].message.contains("passwd.csv"));
    assert!(
        !r.inputs.iter().any(|i| i.name == "passwd.csv"),
        "never read"
    );
    assert!(r.ignored.contains(&"passwd.csv".to_string()));
    let names: Vec<&str> = r
        .inputs
        .iter()
        .map(|i| i.name.as_str())
        .filter(|n| n.starts_with("extra_"))
        .collect();
    assert_eq!(names, vec!["extra_\\xFE.csv", "extra_\\xFF.csv"]);
}

/// A file that cannot be read or recognized is the agency's whose code its
/// name holds: 提出状況 says 届いたが読めない with the reason, and no
/// missing_return stands beside the unreadable_file finding.
#[test]
fn an_unreadable_file_is_tied_to_its_agency_not_missing() {
    let (_t, dir) = april_copy();
    let good = std::fs::read(dir.join("CHI-005_202504_F1.xlsx")).expect("read");
    std::fs::remove_file(dir.join("CHI-005_202504_F1.xlsx")).expect("rm");
    std::fs::write(dir.join("CHI-005_202504_F1.xlsx"), &good[..2048]).expect("truncated");
    // Another agency's file holding some other table.
    std::fs::remove_file(dir.join("CHI-007_202504_F1.xlsx")).expect("rm");
    std::fs::copy(
        root().join("tests/corpus/excel/npa_traffic_accidents_2020_05.xlsx"),
        dir.join("CHI-007_4月分.xlsx"),
    )
    .expect("copy");
    let r = run(&dir);
    for code in ["CHI-005", "CHI-007"] {
        assert!(
            !r.outcome
                .findings
                .iter()
                .any(|f| f.rule == Rule::MissingReturn && f.agency_code == code),
            "{code}: no missing_return"
        );
        let s = r
            .outcome
            .statuses
            .iter()
            .find(|s| s.agency_code == code)
            .expect("status");
        assert_eq!(s.status, kasane::reconcile::Status::Unreadable, "{code}");
        assert!(!s.note.is_empty(), "{code}: the reason is shown");
        assert!(
            s.findings >= 1,
            "{code}: its finding is counted on its line"
        );
        assert!(
            r.outcome.findings.iter().any(|f| f.agency_code == code
                && matches!(f.rule, Rule::UnreadableFile | Rule::UnknownForm)),
            "{code}: its finding carries the agency"
        );
    }
}
