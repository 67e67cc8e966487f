//! Every formula kasane writes, against LibreOffice's own result for it.
//!
//! kasane stores each formula with the result it computed, which is what a
//! reader shows until it recalculates. `tests/fixtures/recalc/` holds, for the
//! sample month's workbook and the fiscal-year report (April 2025 with the
//! FY2025 costs), every formula cell with the result headless LibreOffice 7.4
//! gave after recalculating the whole workbook (`tools/recalc_check.py
//! --fixture`). This test builds the same two workbooks and compares each
//! stored result with LibreOffice's, and each formula's text with the one
//! LibreOffice computed; a formula added, removed or changed means
//! regenerating the fixture with the tool.

mod common;
use common::{read_csv, root, run_kyoto};

use calamine::{open_workbook_auto, Data, Reader};
use kasane::costs::consolidate_costs;
use kasane::mapping::Mappings;
use std::collections::BTreeMap;
use std::path::Path;

/// `B12` → zero-based (11, 1).
fn position(a1: &str) -> (u32, u32) {
    let split = a1.find(|c: char| c.is_ascii_digit()).expect("a row");
    let col = a1[..split]
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A') + 1);
    (a1[split..].parse::<u32>().expect("row") - 1, col - 1)
}

/// Compares one workbook with its fixture; returns how many formulas.
fn compare(workbook: &Path, fixture: &Path) -> usize {
    let want = read_csv(fixture);
    assert!(!want.is_empty(), "{}", fixture.display());
    let mut wb = open_workbook_auto(workbook).expect("workbook");
    // Sheet → cell → formula, as calamine reads them.
    let mut formulas: BTreeMap<String, BTreeMap<(u32, u32), String>> = BTreeMap::new();
    for name in wb.sheet_names() {
        let f = wb.worksheet_formula(&name).expect("formulas");
        let (r0, c0) = f.start().unwrap_or((0, 0));
        let cells = f
            .cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, f)| ((r0 + r as u32, c0 + c as u32), f.clone()))
            .collect::<BTreeMap<_, _>>();
        if !cells.is_empty() {
            formulas.insert(name, cells);
        }
    }
    let mut listed: BTreeMap<String, BTreeMap<(u32, u32), String>> = BTreeMap::new();
    for row in &want {
        let (sheet, cell) = (&row["sheet"], &row["cell"]);
        let at = position(cell);
        listed
            .entry(sheet.clone())
            .or_default()
            .insert(at, row["formula"].clone());
        let values = wb.worksheet_range(sheet).expect("sheet");
        let stored = values.get_value(at).cloned().unwrap_or(Data::Empty);
        let lo = &row["libreoffice"];
        match lo.parse::<f64>() {
            Ok(n) => {
                let got = match stored {
                    Data::Float(f) => f,
                    Data::Int(i) => i as f64,
                    ref other => panic!("{sheet}!{cell}: stored {other:?}, LibreOffice {n}"),
                };
                assert!(
                    (got - n).abs() < 1e-9,
                    "{sheet}!{cell} {}: stored {got}, LibreOffice {n}",
                    row["formula"]
                );
            }
            Err(_) => assert_eq!(
                stored,
                Data::String(lo.clone()),
                "{sheet}!{cell} {}",
                row["formula"]
            ),
        }
    }
    // The same formulas in the same cells: a result can only be LibreOffice's
    // for the formula LibreOffice computed.
    assert_eq!(
        formulas,
        listed,
        "the formulas of {} are not those of its fixture: regenerate it (tools/recalc_check.py)",
        workbook.display()
    );
    want.len()
}

#[test]
fn stored_results_are_libreoffices() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, month) = run_kyoto("samples/kyoto/2025-04", out.path());
    let m = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let costs = consolidate_costs(&m, &root().join("samples/kyoto/FY2025"), 2025).expect("costs");
    let (report, _) =
        kasane::pipeline::write_fiscal_year(out.path(), 2025, &m, Some(costs.files()))
            .expect("report");
    let fixtures = root().join("tests/fixtures/recalc");
    let n = compare(
        &month.join("月次集計_2025-04.xlsx"),
        &fixtures.join("月次集計_2025-04.csv"),
    );
    assert!(n > 500, "only {n} formulas in the monthly workbook");
    let n = compare(&report, &fixtures.join("補助金報告_2025年度.csv"));
    assert!(n > 50, "only {n} formulas in the fiscal report");
}
