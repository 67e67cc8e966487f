//! The bundled Kyoto sample's second month, May 2025, consolidated after
//! April into the same `out/` folder, as the city runs them: May's running
//! totals (累計) continue April's, so `cumulative_mismatch` finds nothing; the
//! records and case lists equal what the generator typed
//! (`samples/kyoto/meta/2025-05-*.csv`, written by `tools/make_samples.py
//! --month 2025-05`); the workbooks and their CSV exports give the same
//! figures. Without April in `out/`, the running totals cannot be checked and
//! kasane says so.

mod common;
use common::{assert_same_figures, case_rows, figures_of, read_csv, root, run_kyoto};

use kasane::core::{Rule, Severity, YearMonth};
use kasane::pipeline::MonthRun;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The units whose returns carry running totals (F3 of the council, F4 of
/// two community-building programmes).
const WITH_RUNNING_TOTALS: [&str; 3] = ["CDK-004", "CDK-009", "SKK-001"];

/// April, then May, into one `out/` folder; May's run and output folder.
fn april_then_may(returns_may: &str, out: &Path) -> (MonthRun, PathBuf) {
    let (april, april_dir) = run_kyoto("samples/kyoto/2025-04", out);
    assert_eq!(april.month, YearMonth::new(2025, 4).expect("month"));
    assert!(april_dir.join("records.csv").is_file());
    let (may, dir) = run_kyoto(returns_may, out);
    assert_eq!(may.month, YearMonth::new(2025, 5).expect("month"));
    assert_eq!(dir, out.join("2025-05"));
    (may, dir)
}

#[test]
fn may_after_april_has_no_error_no_warning_and_every_running_total_checked() {
    let out = tempfile::tempdir().expect("tempdir");
    let (may, dir) = april_then_may("samples/kyoto/2025-05", out.path());
    assert_eq!(may.inputs.len(), 109);
    for i in &may.inputs {
        assert!(i.name.contains("_202505_"), "{}", i.name);
        assert!(!i.form.is_empty(), "{} was not recognised", i.name);
        assert!(i.rows.balances(), "{}: {:?}", i.name, i.rows);
    }
    assert!(may.rows.balances(), "{:?}", may.rows);
    assert_eq!(may.rows.findings, 0);

    let findings = read_csv(&dir.join("findings.csv"));
    let serious: Vec<_> = findings
        .iter()
        .filter(|f| f["severity"] == "error" || f["severity"] == "warning")
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    assert_eq!(may.count(Severity::Error), 0);
    assert_eq!(may.count(Severity::Warning), 0);
    // Not a mismatch, and no "cannot be checked" info either: every 累計 of
    // May found April's of the same agency and key.
    let cumulative: Vec<_> = may
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::CumulativeMismatch)
        .collect();
    assert!(cumulative.is_empty(), "{cumulative:#?}");
    assert!(
        !findings.iter().any(|f| f["rule"] == "cumulative_mismatch"),
        "findings.csv has a cumulative_mismatch row"
    );

    // The running totals are there to be checked (36: 15 rows of F3, 8 sites
    // of CDK-004 with two each, 5 of CDK-009).
    let records = read_csv(&dir.join("records.csv"));
    let totals: BTreeSet<&str> = records
        .iter()
        .filter(|r| r["metric"].ends_with("_cumulative"))
        .map(|r| r["agency_code"].as_str())
        .collect();
    assert_eq!(totals, WITH_RUNNING_TOTALS.into_iter().collect());
    assert_eq!(
        records
            .iter()
            .filter(|r| r["metric"].ends_with("_cumulative"))
            .count(),
        36
    );
    assert!(records.iter().all(|r| r["month"] == "2025-05"));
}

#[test]
fn may_records_equal_the_figures_the_generator_typed() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, dir) = april_then_may("samples/kyoto/2025-05", out.path());
    let got = figures_of(&read_csv(&dir.join("records.csv")));
    let typed = figures_of(&read_csv(
        &root().join("samples/kyoto/meta/2025-05-figures.csv"),
    ));
    assert_same_figures(&got, &typed);
    assert_eq!(got.len(), 3634);
}

#[test]
fn may_running_totals_are_aprils_plus_mays_figure() {
    // Independent of kasane's rule: from the generator's two meta files.
    let april = figures_of(&read_csv(
        &root().join("samples/kyoto/meta/2025-04-figures.csv"),
    ));
    let may = figures_of(&read_csv(
        &root().join("samples/kyoto/meta/2025-05-figures.csv"),
    ));
    let mut checked = 0;
    for ((code, form, key, metric), value) in &may {
        let Some(flow) = metric.strip_suffix("_cumulative") else {
            continue;
        };
        let k = |m: &str| (code.clone(), form.clone(), key.clone(), m.to_string());
        let before = april[&k(metric)];
        let this_month = may[&k(flow)];
        assert_eq!(*value, before + this_month, "{code} {key} {metric}");
        checked += 1;
    }
    assert_eq!(checked, 36);
}

#[test]
fn may_cases_equal_the_generated_case_lists() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, dir) = april_then_may("samples/kyoto/2025-05", out.path());
    let got = case_rows(read_csv(&dir.join("cases.csv")), "center_code");
    let want = case_rows(
        read_csv(&root().join("samples/kyoto/meta/2025-05-cases.csv")),
        "center_agency_code",
    );
    assert_eq!(got.len(), 109);
    assert_eq!(got, want);
    for case in &got {
        assert!(case[2].contains("-2505-"), "case id {}", case[2]);
        assert!(case[4].starts_with("2025-05-"), "meeting date {}", case[4]);
    }
}

#[test]
fn may_csv_exports_give_the_same_figures_as_the_workbooks() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let (_, xlsx_dir) = april_then_may("samples/kyoto/2025-05", a.path());
    let (csv_run, csv_dir) = april_then_may("samples/kyoto/csv-exports/2025-05", b.path());
    assert_eq!(csv_run.inputs.len(), 109);
    assert_eq!(csv_run.count(Severity::Error), 0);
    assert_eq!(
        figures_of(&read_csv(&xlsx_dir.join("records.csv"))),
        figures_of(&read_csv(&csv_dir.join("records.csv")))
    );
}

#[test]
fn may_without_april_says_its_running_totals_cannot_be_checked() {
    let out = tempfile::tempdir().expect("tempdir");
    let (may, _) = run_kyoto("samples/kyoto/2025-05", out.path());
    assert_eq!(may.month, YearMonth::new(2025, 5).expect("month"));
    let infos: Vec<&str> = may
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::CumulativeMismatch)
        .map(|f| {
            assert_eq!(f.severity, Severity::Info, "{f:?}");
            assert!(f.message.contains("2025年4月"), "{}", f.message);
            assert!(
                f.message.contains("out/2025-04/records.csv"),
                "{}",
                f.message
            );
            f.agency_code.as_str()
        })
        .collect();
    assert_eq!(infos, WITH_RUNNING_TOTALS);
    assert_eq!(may.count(Severity::Error), 0);
}
