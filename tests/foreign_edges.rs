//! The edge files of the foreign month (tests/fixtures/foreign_month/edge,
//! written by openpyxl from the spec's words; EXPECTED.md there) dropped into
//! that month: none of them costs the month, each is tied to its agency.

mod common;
use common::root;

use kasane::core::{Rule, Severity};
use kasane::pipeline::{consolidate, MonthRun, RunConfig};
use kasane::reconcile::Status;
use std::path::{Path, PathBuf};

const FOREIGN: &str = "tests/fixtures/foreign_month";

/// The clean foreign month copied, with `edge` files added and `removed`
/// files of the clean month taken out.
fn month_with(edge: &[&str], removed: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("2025-04");
    std::fs::create_dir(&dir).expect("mkdir");
    for e in std::fs::read_dir(root().join(FOREIGN).join("2025-04")).expect("month") {
        let p = e.expect("entry").path();
        let name = p.file_name().expect("name").to_string_lossy().into_owned();
        if !removed.contains(&name.as_str()) {
            std::fs::copy(&p, dir.join(&name)).expect("copy");
        }
    }
    for name in edge {
        std::fs::copy(root().join(FOREIGN).join("edge").join(name), dir.join(name)).expect("edge");
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

fn status(run: &MonthRun, agency: &str) -> Status {
    run.outcome
        .statuses
        .iter()
        .find(|s| s.agency_code == agency)
        .unwrap_or_else(|| panic!("{agency} has a status"))
        .status
}

fn has(run: &MonthRun, rule: Rule, agency: &str, severity: Severity) -> bool {
    run.outcome
        .findings
        .iter()
        .any(|f| f.rule == rule && f.agency_code == agency && f.severity == severity)
}

#[test]
fn f5_other_month_and_copies_never_cost_the_month() {
    let (_t, dir) = month_with(
        &[
            "KOC-001_事業費_令和7年度.xlsx",
            "KOC-014_令和7年5月分.xlsx",
            "CHI-003_202504 (1).xlsx",
        ],
        &[],
    );
    let r = run(&dir);
    assert_eq!(r.month.to_string(), "2025-04");
    assert!(has(&r, Rule::CostReturnSetAside, "KOC-001", Severity::Info));
    assert!(has(&r, Rule::MonthMismatch, "KOC-014", Severity::Warning));
    assert!(has(&r, Rule::IdenticalCopy, "CHI-003", Severity::Info));
    for agency in ["KOC-001", "KOC-014", "CHI-003"] {
        assert!(
            !r.outcome.findings.iter().any(|f| f.agency_code == agency
                && matches!(
                    f.rule,
                    Rule::DuplicateReturn | Rule::FormMismatch | Rule::MissingReturn
                )),
            "{agency}: {:?}",
            r.outcome
                .findings
                .iter()
                .filter(|f| f.agency_code == agency)
                .collect::<Vec<_>>()
        );
        assert_eq!(status(&r, agency), Status::Accepted, "{agency}");
    }
    assert!(r.costs.iter().any(|c| c.agency_code == "KOC-001"));
}

#[test]
fn unreadable_and_unrecognized_files_are_tied_to_their_agency() {
    let (_t, dir) = month_with(
        &["CHI-019_202504_F1.xlsx", "CHI-019_研修参加記録.xlsx"],
        &[],
    );
    let r = run(&dir);
    let about: Vec<_> = r
        .outcome
        .findings
        .iter()
        .filter(|f| f.sources.iter().any(|s| s.file.starts_with("CHI-019_")))
        .collect();
    assert!(about.len() >= 2, "{about:?}");
    assert!(
        about.iter().all(|f| f.agency_code == "CHI-019"),
        "{about:?}"
    );
    // Its real return is in the month: the agency stays accepted.
    assert_eq!(status(&r, "CHI-019"), Status::Accepted);
}

#[test]
fn a_return_known_only_by_its_name_or_file_name_is_read() {
    let (_t, dir) = month_with(
        &["R7.4月分報告.xlsx", "KOC-013_4月.xlsx"],
        &[
            "CHI-028 4月実績.xlsx",
            "R7.4月分_深草支所子育てコンシェルジュ（子どもはぐくみ室）.xlsx",
        ],
    );
    let r = run(&dir);
    for agency in ["CHI-028", "KOC-013"] {
        assert_eq!(status(&r, agency), Status::Accepted, "{agency}");
        assert!(r.outcome.records.iter().any(|x| x.agency_code == agency));
    }
}
