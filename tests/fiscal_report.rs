//! The fiscal-year report and the indicators, built from months consolidated
//! under `out/`, read back with calamine and compared with `records.csv`.

mod common;
use common::{root, run_kyoto};

use calamine::{open_workbook_auto, Data, Reader};
use kasane::mapping::Mappings;
use kasane::report::workbook_name;
use std::collections::{BTreeMap, BTreeSet};

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
    let (run, month_dir) = run_kyoto("samples/kyoto/2025-04", out.path());
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
    let (path, data) = kasane::pipeline::write_fiscal_year(out.path(), 2025, &mappings, None)
        .expect("report written");
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
        run_kyoto(returns, out.path());
    }
    let mappings = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let (path, data) = kasane::pipeline::write_fiscal_year(out.path(), 2025, &mappings, None)
        .expect("report written");
    assert_eq!(data.months.len(), 2);
    assert_eq!(data.missing.len(), 10, "June to March are named as missing");

    // (project, field, metric) → month → sum, from each records.csv; and
    // → month → the agencies behind it.
    let mut want: BTreeMap<(String, String, String), BTreeMap<u32, u64>> = BTreeMap::new();
    let mut agencies: BTreeMap<(String, String, String), BTreeMap<u32, BTreeSet<String>>> =
        BTreeMap::new();
    for (month, col) in [("2025-04", 4u32), ("2025-05", 5)] {
        let mut rdr = csv::Reader::from_path(out.path().join(month).join("records.csv"))
            .expect("records.csv");
        let heads = rdr.headers().expect("headers").clone();
        let at = |name: &str| heads.iter().position(|h| h == name).expect(name);
        let (p, f, m, v) = (at("project"), at("field"), at("metric"), at("value"));
        let a = at("agency_code");
        for r in rdr.records() {
            let r = r.expect("row");
            let key = (r[p].to_string(), r[f].to_string(), r[m].to_string());
            *want.entry(key.clone()).or_default().entry(col).or_default() +=
                r[v].parse::<u64>().expect("integer");
            agencies
                .entry(key)
                .or_default()
                .entry(col)
                .or_default()
                .insert(r[a].to_string());
        }
    }
    let field_code: BTreeMap<&str, &str> = kasane::core::metric::FIELDS
        .iter()
        .map(|(c, ja)| (*ja, *c))
        .collect();
    let mut wb = open_workbook_auto(&path).expect("fiscal workbook");
    let fig = wb.worksheet_range("事業別・分野別").expect("sheet");
    let (mut seen, mut partial) = (0, 0);
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
            let note = text(&fig, r, 17);
            assert!(note.contains(named), "{key:?}: {note}");
            // Agencies with an April figure and none in May are named as
            // left out of the year's value.
            let by_month = &agencies[&key];
            let absent: Vec<&String> = match (by_month.get(&4), by_month.get(&5)) {
                (Some(april), Some(may)) => april.difference(may).collect(),
                _ => Vec::new(),
            };
            if absent.is_empty() {
                assert!(!note.contains("報告のない"), "{key:?}: {note}");
            } else {
                assert!(
                    note.contains(&format!("報告のない{}機関", absent.len()))
                        && note.contains(absent[0].as_str()),
                    "{key:?}: {absent:?} not in {note}"
                );
                partial += 1;
            }
        }
        seen += 1;
    }
    assert!(want.is_empty(), "records missing from the report: {want:?}");
    assert!(seen > 30, "only {seen} rows");
    // The fixtures' May units are the only ones with running totals in April
    // too: nothing is left out here (the next test leaves one out).
    assert_eq!(partial, 0);
}

/// A stock whose last month lacks an agency that reported it before: the
/// year shows the last month's sum (spec §6) and the note names, in red, the
/// agency left out. May here is April's records.csv (read and rewritten with
/// csv) without one consultation agency.
#[test]
fn an_agency_missing_from_the_last_month_is_named_beside_the_stock() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, april) = run_kyoto("samples/kyoto/2025-04", out.path());
    let may = out.path().join("2025-05");
    std::fs::create_dir(&may).expect("May folder");
    std::fs::copy(april.join("findings.csv"), may.join("findings.csv")).expect("findings");
    let mut rdr = csv::Reader::from_path(april.join("records.csv")).expect("records.csv");
    let heads = rdr.headers().expect("headers").clone();
    let at = |name: &str| heads.iter().position(|h| h == name).expect(name);
    let (month, agency, metric, field) =
        (at("month"), at("agency_code"), at("metric"), at("field"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    // The first agency with 継続相談者数 (a stock), and its field.
    let left_out = rows
        .iter()
        .find(|r| &r[metric] == "continuing_persons")
        .expect("an F1 agency");
    let (left_out, left_field) = (left_out[agency].to_string(), left_out[field].to_string());
    let mut w = csv::Writer::from_path(may.join("records.csv")).expect("May records");
    w.write_record(&heads).expect("header");
    let mut may_sum = 0u64;
    for r in &rows {
        if r[agency] == left_out {
            continue;
        }
        if &r[metric] == "continuing_persons" && r[field] == left_field {
            may_sum += r[at("value")].parse::<u64>().expect("integer");
        }
        let mut r = r.clone();
        let fields: Vec<String> = r.iter().map(str::to_string).collect();
        r.clear();
        for (i, v) in fields.iter().enumerate() {
            r.push_field(if i == month { "2025-05" } else { v });
        }
        w.write_record(&r).expect("row");
    }
    w.flush().expect("flush");

    let mappings = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let (path, _) = kasane::pipeline::write_fiscal_year(out.path(), 2025, &mappings, None)
        .expect("report written");
    let mut wb = open_workbook_auto(&path).expect("fiscal workbook");
    let fig = wb.worksheet_range("事業別・分野別").expect("sheet");
    let field_ja = kasane::core::metric::field_name_ja(&left_field);
    let row = (3..fig.height() as u32)
        .find(|&r| text(&fig, r, 2) == "continuing_persons" && text(&fig, r, 1) == field_ja)
        .expect("the stock's row");
    assert_eq!(
        number(&fig, row, 16) as u64,
        may_sum,
        "the year is May's sum"
    );
    let note = text(&fig, row, 17);
    assert!(
        note.contains("2025年5月に報告のない1機関") && note.contains(&left_out),
        "{note}"
    );
    // The other fields' rows of the same stock lack no agency.
    for r in 3..fig.height() as u32 {
        if text(&fig, r, 2) == "continuing_persons" && r != row {
            assert!(
                !text(&fig, r, 17).contains("報告のない"),
                "{}",
                text(&fig, r, 17)
            );
        }
    }
}
