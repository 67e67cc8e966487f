//! `kasane check` as an agency uses it: a sound sample return, and a drifted
//! one whose every problem is named with its cell and rule.

mod common;
use common::root;

use kasane::check::{check_file, CheckReport};
use kasane::mapping::Mappings;

fn check(rel: &str) -> CheckReport {
    let m = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    check_file(
        &root().join(rel),
        &m,
        Some(&root().join("samples/kyoto/templates")),
    )
    .0
}

#[test]
fn a_sample_return_is_sound() {
    for f in [
        "samples/kyoto/2025-04/CHI-001_202504_F1.xlsx",
        "samples/kyoto/2025-04/HFC-003_202504_F2.xlsx",
        "samples/kyoto/2025-04/CHI-002_202504_F1.csv",
        // With running totals (累計), and without them (the optional column
        // left out, as on the template before it gained the column).
        "samples/kyoto/2025-04/SKK-001_202504_F3.xlsx",
        "samples/kyoto/2025-04/CDK-004_202504_F4.xlsx",
        "tests/check/SKK-001_202504_F3_no_cumulative.xlsx",
    ] {
        let r = check(f);
        assert!(r.is_sound(), "{f}: {:#?}", r.findings);
        assert!(r.agency_name.is_some(), "{f}");
        assert!(r.figures > 0);
    }
}

#[test]
fn a_drifted_return_gets_every_problem_with_its_place() {
    let r = check("tests/check/CHI-007_202504_F1_drifted.xlsx");
    assert_eq!(r.form.as_deref(), Some("F1"));
    assert_eq!(r.agency_code.as_deref(), Some("CHI-007"));
    let has = |rule: &str, needle: &str| {
        r.findings.iter().any(|f| {
            f.rule == rule
                && (f.location.contains(needle)
                    || f.message_en.contains(needle)
                    || f.actual.contains(needle))
        })
    };
    let all = format!("{:#?}", r.findings);
    assert!(
        has("template_mismatch", "延べ相談件数 moved from D9 to E9"),
        "{all}"
    );
    assert!(
        has("template_mismatch", "うち訪問・同行 moved from E9 to D9"),
        "{all}"
    );
    assert!(
        has("template_mismatch", "row 子ども・子育て is missing"),
        "{all}"
    );
    assert!(has("template_mismatch", "kyoto-F1-v0"), "{all}");
    assert!(has("bad_value", "F1 / E11"), "{all}");
    assert!(has("bad_value", "約10"), "{all}");
    assert!(has("total_mismatch", "F1 / E14"), "{all}");
    assert!(has("inconsistent_figures", "F1 / D12"), "{all}");
    assert!(!r.is_sound());
    // Every message is given in both languages.
    assert!(r
        .findings
        .iter()
        .all(|f| !f.message_ja.is_empty() && !f.message_en.is_empty()));
}

#[test]
fn an_unknown_layout_says_so() {
    let r = check("tests/vendor/renamed_layout_CHI-005.xlsx");
    assert_eq!(r.form, None);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].rule, "unknown_form");
}

#[test]
fn annotate_marks_the_problem_cells_and_lists_every_problem() {
    use calamine::{open_workbook_auto, Data, Reader};
    let m = Mappings::load(&root().join("mappings/kyoto")).expect("mappings");
    let (report, book) = check_file(
        &root().join("tests/check/CHI-007_202504_F1_drifted.xlsx"),
        &m,
        Some(&root().join("samples/kyoto/templates")),
    );
    let bytes = kasane::check::annotate(&book.expect("read"), &report).expect("annotated");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("annotated.xlsx");
    std::fs::write(&path, bytes).expect("write");
    let mut wb = open_workbook_auto(&path).expect("opens");
    let sheet = wb.worksheet_range("F1").expect("F1 sheet");
    // The bad value is written back as the text the agency typed.
    assert_eq!(sheet.get_value((10, 4)), Some(&Data::String("約10".into())));
    assert_eq!(sheet.get_value((9, 4)), Some(&Data::Float(60.0)));
    let list = wb.worksheet_range("指摘一覧").expect("list");
    assert_eq!(list.height(), report.findings.len() + 1);
}
