//! Returns made by other software (tests/fixtures/drift/, written by
//! tools/make_fixtures.py with openpyxl, LibreOffice and Python's codecs)
//! through the real reader and normalizer with the Kyoto mappings: each
//! consolidates to exactly the figures typed in, each planted bad value is a
//! `bad_value` naming its cell and quoting its text, every row is accounted
//! for; and hostile files give one `ReadError` with its place, never a panic.

mod common;
use common::root;

use kasane::core::Severity;
use kasane::mapping::Mappings;
use kasane::normalize::{normalize, Return};
use kasane::read::{limits, read_bytes, Cell, ReadError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn drift() -> PathBuf {
    root().join("tests/fixtures/drift")
}

fn mappings() -> Mappings {
    Mappings::load(&root().join("mappings/kyoto"))
        .unwrap_or_else(|e| panic!("mappings/kyoto: {e:?}"))
}

/// Rows of one of the generator's expectation files, header dropped.
fn expected(name: &str) -> Vec<Vec<String>> {
    let path = drift().join(name);
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    rdr.records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect()
}

fn normalized(file: &str, mappings: &Mappings) -> Return {
    let bytes = std::fs::read(drift().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let book = read_bytes(&bytes, file).unwrap_or_else(|e| panic!("{file}: {e}"));
    normalize(&book, mappings).unwrap_or_else(|p| panic!("{file}: {p}"))
}

type Figures = BTreeSet<(String, String, u64)>;

fn figures_of(ret: &Return) -> Figures {
    ret.figures
        .iter()
        .map(|f| (f.key.clone(), f.metric.code().to_string(), f.value))
        .collect()
}

#[test]
fn every_drifted_return_consolidates_to_the_figures_typed_in() {
    let m = mappings();
    let mut want: BTreeMap<String, Figures> = BTreeMap::new();
    for row in expected("expected_figures.csv") {
        let value: u64 = row[3].parse().expect("value");
        want.entry(row[0].clone())
            .or_default()
            .insert((row[1].clone(), row[2].clone(), value));
    }
    let planted: BTreeSet<(String, String)> = expected("expected_problems.csv")
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    // Every kind of file the generator makes is covered.
    for ext in ["xlsx", "xls", "ods", "xlsm", "csv", "txt"] {
        assert!(
            want.keys().any(|f| f.ends_with(&format!(".{ext}"))),
            "no .{ext} fixture"
        );
    }
    for (file, want) in &want {
        let ret = normalized(file, &m);
        let got = figures_of(&ret);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{file}: figures differ\n  missing: {missing:?}\n  extra:   {extra:?}"
        );
        assert_eq!(
            ret.month.as_ref().map(|m| m.value.to_string()).as_deref(),
            Some("2025-04"),
            "{file}: month"
        );
        assert!(ret.agency_code.is_some(), "{file}: agency code");
        // No error finding other than the values planted on purpose.
        let unplanned: Vec<String> = ret
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .filter(|p| !planted.contains(&(file.clone(), p.source_loc.cell_text())))
            .map(ToString::to_string)
            .collect();
        assert!(unplanned.is_empty(), "{file}: {unplanned:#?}");
        assert!(ret.rows.balances(), "{file}: {:?}", ret.rows);
    }
}

#[test]
fn every_bad_value_names_its_cell_and_quotes_its_text() {
    let m = mappings();
    let rows = expected("expected_problems.csv");
    assert!(rows.len() >= 10, "{rows:?}");
    for row in &rows {
        let (file, rule, cell, actual) = (&row[0], &row[1], &row[2], &row[3]);
        let ret = normalized(file, &m);
        let found = ret
            .problems
            .iter()
            .find(|p| p.source_loc.cell_text() == *cell);
        let Some(p) = found else {
            let all: Vec<String> = ret.problems.iter().map(ToString::to_string).collect();
            panic!("{file}: no problem at {cell}; problems: {all:#?}");
        };
        assert_eq!(p.rule.code(), rule, "{file} {cell}: {p}");
        assert_eq!(&p.actual, actual, "{file} {cell}: {p}");
        assert!(p.message.contains(actual.as_str()), "{file} {cell}: {p}");
        assert_eq!(p.severity, Severity::Error, "{file} {cell}");
    }
}

#[test]
fn a_hidden_old_copy_is_never_read() {
    let ret = normalized("d01_title_rows_reordered.xlsx", &mappings());
    assert_eq!(ret.sheet, "報告");
    let att = ret
        .figures
        .iter()
        .find(|f| f.metric.code() == "meeting_attendance")
        .expect("attendance");
    assert_eq!(att.value, 3, "the hidden sheet says 9");
    // The value sat two cells right of its label (A→C), below two titles.
    assert_eq!(att.source.cell_text(), "C8");
}

#[test]
fn a_two_row_heading_and_an_era_formatted_date_month() {
    for file in ["d02_two_row_header.xlsx", "d05_two_row_header.ods"] {
        let ret = normalized(file, &mappings());
        let month = ret.month.expect("month");
        assert_eq!(month.value.to_string(), "2025-04", "{file}");
        assert_eq!(month.source.cell_text(), "B3", "{file}");
        // Data begin under the second heading row.
        let first = ret
            .figures
            .iter()
            .filter(|f| f.key == "elderly")
            .map(|f| f.source.cell_text())
            .min()
            .expect("elderly figures");
        assert!(first.ends_with("12"), "{file}: {first}");
    }
}

#[test]
fn unreadable_fixtures_say_why_and_where() {
    for row in expected("expected_errors.csv") {
        let (file, kind, place) = (&row[0], &row[1], &row[2]);
        let bytes = std::fs::read(drift().join(file)).expect("fixture");
        let err = read_bytes(&bytes, file).expect_err(file);
        let ok = match kind.as_str() {
            "encoding" => matches!(err, ReadError::Encoding { .. }),
            "unterminated_quote" => matches!(err, ReadError::UnterminatedQuote { .. }),
            other => panic!("unknown kind {other}"),
        };
        assert!(ok, "{file}: {err}");
        assert_eq!(&err.location().cell_text(), place, "{file}: {err}");
        assert_eq!(err.location().file, *file);
    }
}

// ---- hostile files (issue 8) ----------------------------------------------

fn refused(bytes: &[u8], name: &str) -> ReadError {
    match read_bytes(bytes, name) {
        Ok(book) => panic!("{name}: read {} sheets", book.sheets.len()),
        Err(e) => {
            assert_eq!(e.location().file, name, "{e}");
            e
        }
    }
}

#[test]
fn empty_and_random_files_are_refused_with_their_name() {
    for name in ["empty.xlsx", "empty.csv", "empty.xls"] {
        assert!(matches!(refused(b"", name), ReadError::Empty { .. }));
    }
    // Deterministic "random" bytes (an LCG), under every extension.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    for name in ["r.xlsx", "r.xlsm", "r.xls", "r.xlsb", "r.ods"] {
        assert!(matches!(refused(&noise, name), ReadError::Workbook { .. }));
    }
    assert!(matches!(
        refused(&noise, "r.csv"),
        ReadError::NotText { .. } | ReadError::Encoding { .. }
    ));
}

#[test]
fn a_truncated_workbook_is_refused_never_a_panic() {
    let bytes = std::fs::read(drift().join("d01_title_rows_reordered.xlsx")).expect("fixture");
    for cut in [10, 100, bytes.len() / 2, bytes.len() - 1] {
        let err = refused(&bytes[..cut], "cut.xlsx");
        assert!(matches!(err, ReadError::Workbook { .. }), "{cut}: {err}");
    }
    let xls = std::fs::read(drift().join("d04_formula_total.xls")).expect("fixture");
    for cut in [600, xls.len() / 2] {
        let _ = read_bytes(&xls[..cut], "cut.xls").map(|_| ()).unwrap_err();
    }
}

#[test]
fn a_password_protected_workbook_says_so() {
    let bytes = std::fs::read(drift().join("h01_password.xlsx")).expect("fixture");
    let err = refused(&bytes, "h01_password.xlsx");
    assert!(matches!(err, ReadError::Password { .. }), "{err}");
    assert!(err.to_string().contains("パスワード付き"), "{err}");
}

#[test]
fn a_binary_file_named_csv_is_not_text() {
    let bytes = std::fs::read(drift().join("d04_formula_total.xls")).expect("fixture");
    let err = refused(&bytes, "really_a_workbook.csv");
    assert!(matches!(err, ReadError::NotText { .. }), "{err}");
    assert!(err.location().byte_offset.is_some());
}

#[test]
fn a_zip_bomb_is_refused_before_inflating() {
    let bytes = std::fs::read(drift().join("h02_zip_bomb.xlsx")).expect("fixture");
    assert!(bytes.len() < 1_000_000, "the fixture itself is small");
    let err = refused(&bytes, "h02_zip_bomb.xlsx");
    assert!(
        matches!(&err, ReadError::ZipTooLarge { member, .. } if member.ends_with("sheet1.xml")),
        "{err}"
    );
}

#[test]
fn a_sheet_over_the_cell_limit_names_the_sheet_and_its_size() {
    let bytes = std::fs::read(drift().join("h03_many_cells.xlsx")).expect("fixture");
    let err = refused(&bytes, "h03_many_cells.xlsx");
    match &err {
        ReadError::SheetTooLarge {
            loc, what, limit, ..
        } => {
            assert_eq!(loc.sheet, "F1", "{err}");
            assert_eq!(*what, "cells");
            assert_eq!(*limit, limits::MAX_SHEET_CELLS as u64);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_stray_cell_at_xfd1048576_costs_one_row_and_the_form_still_reads() {
    let bytes = std::fs::read(drift().join("h04_stray_cell.xlsx")).expect("fixture");
    let book = read_bytes(&bytes, "h04_stray_cell.xlsx").expect("reads");
    let sheet = &book.sheets[0];
    assert_eq!(sheet.rows.len(), 1_048_576);
    let slots: usize = sheet.rows.iter().map(Vec::len).sum();
    assert!(slots < 100_000, "{slots} grid slots");
    assert_eq!(
        sheet.rows.last().and_then(|r| r.last()),
        Some(&Cell::Text("x".into()))
    );
    let ret = normalize(&book, &mappings()).expect("F1");
    assert_eq!(ret.figures.len(), 36);
    assert!(ret.rows.balances(), "{:?}", ret.rows);
}

#[test]
fn a_csv_of_a_million_rows_is_refused_with_its_size() {
    let mut text = String::from("機関コード,対象年月,相談者属性,集計項目,件数\r\n");
    for _ in 0..1_100_000 {
        text.push_str("1\r\n");
    }
    let err = refused(text.as_bytes(), "million.csv");
    assert!(
        matches!(
            err,
            ReadError::SheetTooLarge {
                what: "rows" | "cells",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let big = vec![b'a'; limits::MAX_FILE_BYTES as usize + 1];
    assert!(matches!(
        refused(&big, "big.csv"),
        ReadError::FileTooLarge { .. }
    ));
}

#[test]
fn an_ods_of_repeated_cells_is_refused_before_calamine_expands_it() {
    let bytes = std::fs::read(drift().join("h05_ods_repeats.ods")).expect("fixture");
    let err = refused(&bytes, "h05_ods_repeats.ods");
    assert!(
        matches!(&err, ReadError::SheetTooLarge { loc, what: "cells", .. } if loc.sheet == "F1"),
        "{err}"
    );
}

/// An .ods written by LibreOffice with a margin column (the sheet starts at
/// B) and blank rows between filled ones: calamine 0.32 padded each blank
/// row one cell too wide, pushing every later row right (headings and
/// figures under the wrong columns). kasane builds calamine with the fix
/// backported (vendor/calamine-0.32.0/README.kasane.md); this fails without it.
#[test]
fn an_ods_with_a_margin_column_and_blank_rows_keeps_its_columns() {
    let name = "R7.4月分_上京区子育てコンシェルジュ（子どもはぐくみ室）.ods";
    let path = root()
        .join("tests/fixtures/foreign_month/2025-04")
        .join(name);
    let book = read_bytes(&std::fs::read(&path).expect("fixture"), name).expect("read");
    let sheet = &book.sheets[0];
    let at = |a1: &str| {
        let (r, c) = sheet
            .rows
            .iter()
            .enumerate()
            .flat_map(|(r, row)| (0..row.len()).map(move |c| (r, c)))
            .find(|&(r, c)| sheet.location(name, r, c).cell_text() == a1)
            .unwrap_or((usize::MAX, usize::MAX));
        sheet.get(r, c).clone()
    };
    // As LibreOffice shows the sheet: B7 属性, C7 延べ相談件数※1, F the
    // blank column, B8 高齢者 with C8 = 12 and J8 = 4.
    assert_eq!(at("B7"), Cell::Text("属性".into()));
    assert_eq!(at("C7"), Cell::Text("延べ相談件数※1".into()));
    assert_eq!(at("B8"), Cell::Text("高齢者".into()));
    assert_eq!(at("C8"), Cell::Number(12.0));
    assert_eq!(at("J8"), Cell::Number(4.0));
    assert_eq!(at("B13"), Cell::Text("計".into()));
}
