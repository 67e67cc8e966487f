//! The fiscal-year report and the indicators, built from months consolidated
//! under `out/`, read back with calamine and compared with `records.csv`.

mod common;
use common::root;

use calamine::{open_workbook_auto, Data, Reader};
use kasane::mapping::Mappings;
use kasane::pipeline::{consolidate, RunConfig};
use kasane::report::{fiscal, workbook_name, write_month};
use std::collections::BTreeMap;

fn text(r: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => f.to_string(),
        _ => String::new(),
    }
}

fn number(r: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("no number at ({row}, {col}): {other:?}"),
    }
}

/// Sums of each metric in a month's records.csv.
fn metric_sums(path: &std::path::Path) -> BTreeMap<String, f64> {
    let mut rdr = csv::Reader::from_path(path).expect("records.csv");
    let mut sums = BTreeMap::new();
    for r in rdr.records() {
        let r = r.expect("row");
        *sums.entry(r[7].to_string()).or_default() += r[8].parse::<f64>().expect("value");
    }
    sums
}

#[test]
fn fiscal_year_report_carries_the_consolidated_month() {
    let out = tempfile::tempdir().expect("tempdir");
    let cfg = RunConfig {
        mappings_dir: root().join("mappings/kyoto"),
        returns_dir: root().join("samples/kyoto/2025-04"),
        month: None,
        out_dir: Some(out.path().to_path_buf()),
    };
    let run = consolidate(&cfg).expect("runs");
    let month_dir = write_month(&run, out.path()).expect("month written");
    let sums = metric_sums(&month_dir.join("records.csv"));

    // The monthly workbook's indicators: this fiscal year so far is April.
    let mut wb = open_workbook_auto(month_dir.join(workbook_name(&run))).expect("monthly workbook");
    let ind = wb.worksheet_range("評価指標").expect("評価指標");
    let row = (0..20)
        .find(|&r| text(&ind, r, 0) == "重層支援会議における検討事案件数")
        .expect("indicator row");
    assert_eq!(
        number(&ind, row, 6),
        sums["cases_with_consent"] + sums["cases_without_consent"]
    );
    let row = (0..20)
        .find(|&r| text(&ind, r, 0).starts_with("地域あんしん支援員"))
        .expect("cumulative row");
    assert_eq!(
        number(&ind, row, 7),
        256.0 + sums["outreach_closed"],
        "baseline + April"
    );

    let mappings = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let (path, data) = fiscal::write(out.path(), 2025, &mappings, None).expect("report written");
    assert_eq!(data.months.len(), 1);
    assert_eq!(data.missing.len(), 11);
    let mut wb = open_workbook_auto(&path).expect("fiscal workbook");

    // Figures by project × field: April column (E) and the year (Q) equal the records.
    let fig = wb.worksheet_range("事業別・分野別").expect("sheet");
    let mut by_metric: BTreeMap<String, f64> = BTreeMap::new();
    let mut stock_notes = 0;
    for r in 3..fig.height() as u32 {
        let metric = text(&fig, r, 2);
        if metric.is_empty() {
            continue;
        }
        let april = number(&fig, r, 4);
        assert_eq!(number(&fig, r, 16), april, "year = April for {metric}");
        *by_metric.entry(metric).or_default() += april;
        if text(&fig, r, 17).starts_with("時点値: 2025年4月末") {
            stock_notes += 1;
        }
    }
    assert_eq!(by_metric, sums);
    assert!(stock_notes >= 4, "stocks say which month they are from");

    // The roster: every unit received in April, nothing for May.
    let roster = wb.worksheet_range("提出状況").expect("roster");
    let received = (3..roster.height() as u32)
        .filter(|&r| text(&roster, r, 2) == "受")
        .count();
    assert_eq!(received, 109);
    assert_eq!(text(&roster, 3, 3), "－");

    // No F5 yet: the cost sheet says so instead of showing zeros.
    let costs = wb.worksheet_range("事業費・交付額").expect("costs");
    assert!(
        text(&costs, 4, 0).contains("F5"),
        "{:?}",
        text(&costs, 4, 0)
    );
}
