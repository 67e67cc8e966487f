//! Reconciliation over a whole month, on copies of the sample month with one
//! thing changed: a missing centre, a waiver, duplicates and a correction,
//! and a running total (累計) that did not grow by the month's figure (the
//! sample month consolidated into out/, then the month after it).
//! Each case checks the finding and that the other agencies' figures are
//! still consolidated.

mod common;
use common::root;

use kasane::core::{Rule, Severity};
use kasane::pipeline::{consolidate, MonthRun, RunConfig};
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let name = p.file_name().expect("name").to_string_lossy().into_owned();
        if p.is_file() && !skip.contains(&name.as_str()) {
            std::fs::copy(&p, to.join(&name)).expect("copy");
        }
    }
}

/// A temporary copy of the Kyoto mappings and sample month.
struct Month {
    dir: tempfile::TempDir,
}

impl Month {
    fn new(skip: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(
            &root().join("mappings/kyoto"),
            &dir.path().join("mappings"),
            &[],
        );
        copy_dir(
            &root().join("samples/kyoto/2025-04"),
            &dir.path().join("returns"),
            skip,
        );
        Month { dir }
    }

    fn returns(&self) -> PathBuf {
        self.dir.path().join("returns")
    }

    fn run(&self) -> MonthRun {
        consolidate(&RunConfig {
            mappings_dir: self.dir.path().join("mappings"),
            returns_dir: self.returns(),
            month: None,
            out_dir: None,
        })
        .expect("runs")
    }

    /// Consolidates `returns` with earlier months looked up in `out`.
    fn run_after(&self, returns: &Path, out: &Path) -> MonthRun {
        consolidate(&RunConfig {
            mappings_dir: self.dir.path().join("mappings"),
            returns_dir: returns.to_path_buf(),
            month: None,
            out_dir: Some(out.to_path_buf()),
        })
        .expect("runs")
    }
}

fn errors(run: &MonthRun) -> Vec<String> {
    run.outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.is_open())
        .map(|f| format!("{} {} {}", f.rule, f.agency_code, f.message))
        .collect()
}

#[test]
fn a_missing_centre_is_one_error_and_dependent_checks_say_cannot_check() {
    let m = Month::new(&["HFC-001_202504_F2.xlsx"]);
    let run = m.run();
    let errs = errors(&run);
    assert!(
        errs.len() == 1 && errs[0].starts_with("missing_return HFC-001"),
        "{errs:?}"
    );
    let missing = run
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::MissingReturn)
        .expect("missing_return");
    assert_eq!(missing.agency_code, "HFC-001");
    // Agencies whose referrals went to HFC-001 cannot be checked: info, not error.
    assert!(run
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::ReferralMismatch || f.rule == Rule::AttendanceMismatch)
        .all(|f| f.severity == Severity::Info));
    // Everyone else's figures are still there.
    let agencies: std::collections::BTreeSet<&str> = run
        .outcome
        .records
        .iter()
        .map(|r| r.agency_code.as_str())
        .collect();
    assert_eq!(agencies.len(), 108);
}

#[test]
fn a_waiver_keeps_the_finding_visible_but_not_open() {
    let m = Month::new(&["HFC-001_202504_F2.xlsx"]);
    std::fs::write(
        m.dir.path().join("mappings/waivers.csv"),
        "rule,agency_code,months,reason,approved_by,until\n\
         missing_return,HFC-001,2025-04..2025-05,改修工事のため休所,地域福祉課長,2025-06-30\n\
         missing_return,HFC-002,2025-04,使われない免除,地域福祉課長,\n",
    )
    .expect("write waivers");
    let run = m.run();
    assert!(errors(&run).is_empty(), "{:?}", errors(&run));
    let f = run
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::MissingReturn)
        .expect("still listed");
    assert_eq!(
        f.waiver.as_deref(),
        Some("改修工事のため休所（承認: 地域福祉課長）")
    );
    assert_eq!(run.waived(), 1);
    assert!(run
        .outcome
        .findings
        .iter()
        .any(|f| f.rule == Rule::WaiverUnused && f.agency_code == "HFC-002"));
    // findings.csv shows it as waived.
    let out = tempfile::tempdir().expect("tempdir");
    let dir = kasane::pipeline::write_month(&run, out.path()).expect("write");
    let text = std::fs::read_to_string(dir.join("findings.csv")).expect("findings.csv");
    let line = text
        .lines()
        .find(|l| l.contains("missing_return"))
        .expect("row");
    assert!(
        line.ends_with(",waived,改修工事のため休所（承認: 地域福祉課長）"),
        "{line}"
    );
}

/// Byte-identical copies (`… (2).xlsx`) are read once, with an info naming
/// the copy; two different returns that cannot be told apart are both held back.
#[test]
fn identical_copies_are_read_once_and_different_ones_held_back() {
    let m = Month::new(&[]);
    std::fs::copy(
        m.returns().join("CHI-001_202504_F1.xlsx"),
        m.returns().join("CHI-001_202504_F1 (2).xlsx"),
    )
    .expect("copy");
    let run = m.run();
    assert!(!run
        .outcome
        .findings
        .iter()
        .any(|f| f.rule == Rule::DuplicateReturn));
    let copy = run
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::IdenticalCopy)
        .expect("identical_copy");
    assert_eq!(
        (copy.agency_code.as_str(), copy.severity, copy.sources.len()),
        ("CHI-001", Severity::Info, 2)
    );
    assert!(run
        .outcome
        .records
        .iter()
        .any(|r| r.agency_code == "CHI-001"));
    assert!(errors(&run).is_empty(), "{:?}", errors(&run));

    // Not the same bytes (a line end more): both held back.
    let csv = m.returns().join("CHI-002_202504_F1.csv");
    let mut other = std::fs::read(&csv).expect("read");
    other.extend_from_slice(b"\r\n");
    std::fs::write(m.returns().join("CHI-002_202504_F1 (2).csv"), other).expect("write");
    let run = m.run();
    let dup = run
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::DuplicateReturn)
        .expect("duplicate_return");
    assert_eq!(
        (dup.agency_code.as_str(), dup.sources.len()),
        ("CHI-002", 2)
    );
    assert!(
        !run.outcome
            .records
            .iter()
            .any(|r| r.agency_code == "CHI-002"),
        "held back"
    );
    assert_eq!(errors(&run).len(), 1, "{:?}", errors(&run));
}

#[test]
fn a_correction_replaces_the_earlier_return() {
    let m = Month::new(&[]);
    // A correction differs from the return it replaces (here: a line end more).
    let mut corrected = std::fs::read(m.returns().join("CHI-002_202504_F1.csv")).expect("read");
    corrected.extend_from_slice(b"\r\n");
    std::fs::write(m.returns().join("CHI-002_202504_F1_訂正.csv"), corrected).expect("write");
    let run = m.run();
    let f = run
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::ReplacedByCorrection)
        .expect("replaced_by_correction");
    assert_eq!(f.severity, Severity::Info);
    assert!(errors(&run).is_empty(), "{:?}", errors(&run));
    assert!(run
        .outcome
        .records
        .iter()
        .filter(|r| r.agency_code == "CHI-002")
        .all(|r| r.source.file.contains("訂正")));
}

#[test]
fn a_return_for_another_month_and_an_unknown_agency_are_held_back() {
    let m = Month::new(&[]);
    // A vendor CSV is plain CP932 text: change its agency code and month.
    let path = m.returns().join("CHI-002_202504_F1.csv");
    let bytes = std::fs::read(&path).expect("read");
    let replaced = replace_bytes(&bytes, b"202504", b"202503");
    std::fs::write(m.returns().join("CHI-002_202503_F1.csv"), replaced).expect("write");
    let unknown = replace_bytes(&bytes, b"CHI-002", b"CHI-999");
    std::fs::write(m.returns().join("CHI-999_202504_F1.csv"), unknown).expect("write");
    let run = consolidate(&RunConfig {
        mappings_dir: m.dir.path().join("mappings"),
        returns_dir: m.returns(),
        month: Some("2025-04".parse().expect("month")),
        out_dir: None,
    })
    .expect("runs");
    let rules: Vec<(Rule, &str)> = run
        .outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.rule, f.agency_code.as_str()))
        .collect();
    // Beside CHI-002's April return the March one costs nothing: a warning.
    assert!(run
        .outcome
        .findings
        .iter()
        .any(|f| f.rule == Rule::MonthMismatch
            && f.agency_code == "CHI-002"
            && f.severity == Severity::Warning));
    assert!(
        rules.contains(&(Rule::UnknownAgency, "CHI-999")),
        "{rules:?}"
    );
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert!(!run
        .outcome
        .records
        .iter()
        .any(|r| r.agency_code == "CHI-999"));
}

#[test]
fn a_running_total_that_did_not_grow_by_the_month_is_an_error_citing_both_months() {
    let m = Month::new(&[]);
    let out = tempfile::tempdir().expect("tempdir");
    // April: no March in out/, so its running totals cannot be checked — one
    // info per agency that reports them, never an error.
    let april = m.run_after(&m.returns(), out.path());
    assert!(errors(&april).is_empty(), "{:?}", errors(&april));
    let infos: Vec<&str> = april
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::CumulativeMismatch)
        .map(|f| {
            assert_eq!(f.severity, Severity::Info, "{f:?}");
            f.agency_code.as_str()
        })
        .collect();
    assert_eq!(infos, ["CDK-004", "CDK-009", "SKK-001"]);
    kasane::pipeline::write_month(&april, out.path()).expect("April written");

    // May (tools/make_cumulative_fixtures.py): only the units with running
    // totals sent theirs; SKK-001's C03 did not add May's closed cases.
    let fixtures = root().join("tests/fixtures/cumulative");
    let may = m.run_after(&fixtures.join("2025-05"), out.path());
    assert_eq!(may.month.to_string(), "2025-05");
    let planted = common::read_csv(&fixtures.join("expected.csv"));
    let defect = planted
        .iter()
        .find(|p| p["severity"] == "error")
        .expect("a planted error");
    let other_errors: Vec<String> = errors(&may)
        .into_iter()
        .filter(|e| !e.starts_with("missing_return"))
        .collect();
    assert_eq!(other_errors.len(), 1, "{other_errors:?}");
    let f = may
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::CumulativeMismatch && f.severity == Severity::Error)
        .expect("cumulative_mismatch");
    assert_eq!(f.agency_code, defect["agency_code"]);
    assert_eq!(
        (f.expected.as_str(), f.actual.as_str()),
        (defect["expected"].as_str(), defect["actual"].as_str())
    );
    let sources: Vec<String> = f.sources.iter().map(ToString::to_string).collect();
    let may_cell = format!("SKK-001_202505_F3.xlsx / F3 / {}", defect["cell"]);
    let april_cell = format!("SKK-001_202504_F3.xlsx / F3 / {}", defect["april_cell"]);
    assert_eq!(sources[..2], [may_cell.clone(), april_cell.clone()]);
    for text in [&may_cell, &april_cell, &"2025年4月".to_string()] {
        assert!(f.message.contains(text.as_str()), "{}", f.message);
    }
    // The site CDK-004 did not report in April: one info, not an error.
    let infos: Vec<_> = may
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::CumulativeMismatch && f.severity == Severity::Info)
        .collect();
    assert_eq!(infos.len(), 1, "{infos:#?}");
    assert_eq!(infos[0].agency_code, "CDK-004");
    let new_site = &planted
        .iter()
        .find(|p| p["severity"] == "info")
        .expect("a planted info")["key"];
    assert!(
        infos[0].message.contains(new_site.as_str()),
        "{}",
        infos[0].message
    );
    // Everything else of May's returns is consolidated.
    assert_eq!(
        may.outcome
            .records
            .iter()
            .map(|r| r.agency_code.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
}

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}
