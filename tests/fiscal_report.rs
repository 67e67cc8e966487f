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

/// Two consolidated months (the April samples, and May from the running-total
/// fixtures, where only three units report): every cell of 事業別・分野別
/// equals the sums of that month's records.csv, read here with csv; the year
/// adds flows over the months and shows a stock's or running total's last
/// month, named in the note.
#[test]
fn every_figure_of_the_year_is_the_sum_of_its_months_records() {
    let out = tempfile::tempdir().expect("tempdir");
    for returns in ["samples/kyoto/2025-04", "tests/fixtures/cumulative/2025-05"] {
        let cfg = RunConfig {
            mappings_dir: root().join("mappings/kyoto"),
            returns_dir: root().join(returns),
            month: None,
            out_dir: Some(out.path().to_path_buf()),
        };
        let run = consolidate(&cfg).expect("runs");
        write_month(&run, out.path()).expect("month written");
    }
    let mappings = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let (path, data) = fiscal::write(out.path(), 2025, &mappings, None).expect("report written");
    assert_eq!(data.months.len(), 2);
    assert_eq!(data.missing.len(), 10, "June to March are named as missing");

    // (project, field, metric) → month → sum, from each records.csv.
    let mut want: BTreeMap<(String, String, String), BTreeMap<u32, u64>> = BTreeMap::new();
    for (month, col) in [("2025-04", 4u32), ("2025-05", 5)] {
        let mut rdr = csv::Reader::from_path(out.path().join(month).join("records.csv"))
            .expect("records.csv");
        let heads = rdr.headers().expect("headers").clone();
        let at = |name: &str| heads.iter().position(|h| h == name).expect(name);
        let (p, f, m, v) = (at("project"), at("field"), at("metric"), at("value"));
        for r in rdr.records() {
            let r = r.expect("row");
            *want
                .entry((r[p].to_string(), r[f].to_string(), r[m].to_string()))
                .or_default()
                .entry(col)
                .or_default() += r[v].parse::<u64>().expect("integer");
        }
    }
    let field_code: BTreeMap<&str, &str> = kasane::core::metric::FIELDS
        .iter()
        .map(|(c, ja)| (*ja, *c))
        .collect();
    let mut wb = open_workbook_auto(&path).expect("fiscal workbook");
    let fig = wb.worksheet_range("事業別・分野別").expect("sheet");
    let mut seen = 0;
    for r in 3..fig.height() as u32 {
        let metric = text(&fig, r, 2);
        if metric.is_empty() {
            continue;
        }
        let key = (
            text(&fig, r, 0),
            field_code[text(&fig, r, 1).as_str()].to_string(),
            metric.clone(),
        );
        let months = want
            .remove(&key)
            .unwrap_or_else(|| panic!("no records for {key:?}"));
        for col in 4..16u32 {
            match months.get(&col) {
                Some(v) => assert_eq!(number(&fig, r, col) as u64, *v, "{key:?} column {col}"),
                None => assert!(fig.get_value((r, col)).is_none_or(|d| *d == Data::Empty)),
            }
        }
        let kind = kasane::core::Metric::from_code(&metric)
            .expect("known")
            .kind();
        let year = number(&fig, r, 16) as u64;
        if kind == kasane::core::metric::Kind::Flow {
            assert_eq!(year, months.values().sum::<u64>(), "{key:?} year");
        } else {
            let (last_col, last) = months.iter().next_back().expect("a month");
            assert_eq!(year, *last, "{key:?} year is the last month's value");
            let named = if *last_col == 5 {
                "2025年5月末"
            } else {
                "2025年4月末"
            };
            assert!(
                text(&fig, r, 17).contains(named),
                "{key:?}: {}",
                text(&fig, r, 17)
            );
        }
        seen += 1;
    }
    assert!(want.is_empty(), "records missing from the report: {want:?}");
    assert!(seen > 30, "only {seen} rows");
}
