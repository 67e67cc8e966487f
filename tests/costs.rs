//! F5 costs for a fiscal year: amounts in 円 and 千円, separators, full-width
//! digits, △ for minus; then the grant computation in the fiscal-year report.

mod common;
use common::root;

use calamine::{open_workbook_auto, Data, Reader};
use kasane::core::Rule;
use kasane::costs::consolidate_costs;
use kasane::mapping::Mappings;
use std::collections::BTreeMap;

#[test]
fn cost_returns_are_read_in_yen_and_a_negative_amount_is_reported() {
    let m = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let run = consolidate_costs(&m, &root().join("tests/costs"), 2025).expect("runs");
    let got: BTreeMap<(String, u8, String), u64> = run
        .outcome
        .records
        .iter()
        .map(|r| {
            (
                (
                    r.agency_code.clone(),
                    r.project,
                    r.metric.code().to_string(),
                ),
                r.value,
            )
        })
        .collect();
    let want =
        |a: &str, p: u8, metric: &str| got.get(&(a.to_string(), p, metric.to_string())).copied();
    assert_eq!(want("HFC-001", 5, "total_cost"), Some(12_345_678));
    assert_eq!(want("HFC-001", 5, "eligible_expenditure"), Some(11_000_000));
    assert_eq!(
        want("HFC-001", 6, "total_cost"),
        Some(2_100_000),
        "２,１００ 千円"
    );
    assert_eq!(
        want("HFC-001", 6, "other_income"),
        None,
        "△50 is refused, not read as 50 or 0"
    );
    assert_eq!(want("SKK-001", 2, "total_cost"), Some(40_000_000));
    assert_eq!(want("SKK-001", 4, "other_income"), Some(1_200_000));
    assert!(run
        .outcome
        .records
        .iter()
        .all(|r| r.field == "cross" && r.month.to_string() == "2026-03"));
    let neg = run
        .outcome
        .findings
        .iter()
        .find(|f| f.rule == Rule::BadValue)
        .expect("the △ amount is a finding");
    assert_eq!(neg.actual, "△50");
    assert!(
        neg.source_text()
            .ends_with("HFC-001_FY2025_F5.xlsx / F5 / D11"),
        "{}",
        neg.source_text()
    );
    // Every other unit owes its F5 too.
    let missing = run
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::MissingReturn)
        .count();
    assert_eq!(missing, m.registry.agencies.len() - 2);
}

#[test]
fn the_fiscal_report_computes_the_grant_from_the_costs() {
    let m = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let costs = consolidate_costs(&m, &root().join("tests/costs"), 2025).expect("runs");
    let out = tempfile::tempdir().expect("tempdir");
    let (path, data) =
        kasane::pipeline::write_fiscal_year(out.path(), 2025, &m, Some(costs.files()))
            .expect("report");
    assert!(out.path().join("FY2025/costs.csv").is_file());
    assert!(data.costs.is_some());
    let mut wb = open_workbook_auto(&path).expect("opens");
    let sheet = wb.worksheet_range("事業費・交付額").expect("sheet");
    let row = (0..30u32)
        .find(|&r| matches!(sheet.get_value((r, 0)), Some(Data::String(s)) if s == "多機関協働事業等分"))
        .expect("the cross-field part");
    let num = |c: u32| match sheet.get_value((row, c)) {
        Some(Data::Float(f)) => *f as u64,
        other => panic!("column {c}: {other:?}"),
    };
    // Projects 2, 4, 5, 6 of the cross field: A = 12,345,678 + 2,100,000 + 40,000,000 + 45,000,000.
    let a = 12_345_678 + 2_100_000 + 40_000_000 + 45_000_000;
    let b = 345_678 + 1_200_000; // △50 千円 was refused
    let d = 11_000_000 + 2_000_000 + 39_500_000 + 43_800_000;
    assert_eq!((num(2), num(3), num(4), num(5)), (a, b, a - b, d));
    let base = m
        .grant
        .iter()
        .find(|p| p.field == "cross")
        .expect("part")
        .base_amount;
    let selected = d.min(base);
    assert_eq!(num(7), selected);
    let required = selected.min(a - b) * 3 / 4 / 1000 * 1000;
    assert_eq!(
        num(9),
        required,
        "(G) = min(F, C) × 3/4, cut below 1,000 yen"
    );
    // (J) waits for (I) 受入額, which the sample grant.toml does not give.
    assert_eq!(sheet.get_value((row, 12)), Some(&Data::String("－".into())));
    // The 合計 row sums every part, and 所要額合計 names its (G) cell.
    let total_row = (row..row + 20)
        .find(|&r| matches!(sheet.get_value((r, 0)), Some(Data::String(s)) if s == "合計"))
        .expect("合計 row");
    let column_sum = |c: u32| -> u64 {
        (4..total_row)
            .filter_map(|r| match sheet.get_value((r, c)) {
                Some(Data::Float(f)) => Some(*f as u64),
                _ => None,
            })
            .sum()
    };
    for c in [2, 3, 4, 5, 7, 9] {
        assert_eq!(
            sheet.get_value((total_row, c)),
            Some(&Data::Float(column_sum(c) as f64)),
            "total of column {c}"
        );
    }
    let names: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
    assert_eq!(
        names.get("所要額合計").map(String::as_str),
        Some(format!("'事業費・交付額'!$J${}", total_row + 1).as_str())
    );
}

#[test]
fn the_sample_year_of_costs_equals_what_the_generator_typed() {
    let m = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let run = consolidate_costs(&m, &root().join("samples/kyoto/FY2025"), 2025).expect("runs");
    let errors: Vec<_> = run
        .outcome
        .findings
        .iter()
        .filter(|f| f.severity.code() == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let got: BTreeMap<(String, String, String, String), u64> = run
        .outcome
        .records
        .iter()
        .map(|r| {
            let k = (
                r.agency_code.clone(),
                r.project.to_string(),
                r.field.clone(),
                r.metric.code().to_string(),
            );
            (k, r.value)
        })
        .collect();
    let mut rdr =
        csv::Reader::from_path(root().join("samples/kyoto/meta/FY2025-costs.csv")).expect("meta");
    let mut want = BTreeMap::new();
    for row in rdr.records() {
        let row = row.expect("row");
        let k = (
            row[0].to_string(),
            row[1].to_string(),
            row[2].to_string(),
            row[3].to_string(),
        );
        want.insert(k, row[4].parse::<u64>().expect("yen"));
    }
    assert_eq!(want.len(), 372);
    assert_eq!(got, want);
    assert!(run.rows.balances(), "{:?}", run.rows);
}
