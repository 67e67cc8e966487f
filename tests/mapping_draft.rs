//! `kasane mapping draft` (issue 14): a layout drafted from a city's own
//! blank template, unchanged, reads that template's filled copy exactly.
//!
//! The template (`tests/fixtures/draft/`, written by
//! `tools/draft/make_template.py` from the spec's words, not from
//! `samples/`) has title rows, header labels in other words and places
//! (報告月, 事業所番号, 様式番号 in merged cells), headings with ※ notes and
//! line breaks, attribute rows with footnote marks, a 合計 row and a second
//! sheet of instructions. The generator also wrote the figures it put in
//! the filled copy (`F1_expected.json`); this test compares against that
//! file, never against what kasane read before.

mod common;
use common::root;

use kasane::check::check_file;
use kasane::core::YearMonth;
use kasane::mapping::draft::{draft, draft_files, write_draft, DraftError};
use kasane::mapping::Mappings;
use kasane::normalize::normalize;
use kasane::pipeline::{consolidate, RunConfig};
use kasane::read::read_bytes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/draft").join(name)
}

/// `mappings/kyoto` (registry and all) copied to a temporary folder, with
/// `layout` written as `name` (replacing the bundled file of that name).
fn kyoto_with(name: &str, layout: &str) -> (tempfile::TempDir, Mappings) {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(root().join("mappings/kyoto")).expect("mappings/kyoto") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    write_draft(&dir.path().join(name), layout, true).expect("write the draft");
    let m = Mappings::load(dir.path()).unwrap_or_else(|e| {
        panic!(
            "the draft does not load: {}\n{layout}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    (dir, m)
}

/// Figures by (key, metric): (value, cell).
type Figures = BTreeMap<(String, String), (u64, String)>;

/// The generator's file and its figures.
fn expected() -> (serde_json::Value, Figures) {
    let text = std::fs::read_to_string(fixture("F1_expected.json")).expect("expected figures");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let figures = json["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .map(|f| {
            (
                (
                    f["key"].as_str().expect("key").to_string(),
                    f["metric"].as_str().expect("metric").to_string(),
                ),
                (
                    f["value"].as_u64().expect("value"),
                    f["cell"].as_str().expect("cell").to_string(),
                ),
            )
        })
        .collect();
    (json, figures)
}

fn blank_draft() -> String {
    draft_files(&[fixture("F1_blank.xlsx")], None)
        .expect("a draft")
        .text
}

/// Reads the filled copy with `m` the way `kasane check` and a month's run
/// do, and asserts every expected figure, the identity and no problem.
fn reads_the_filled_copy_exactly(m: &Mappings, layout_file: &str) {
    let (json, want) = expected();
    let filled = fixture("F1_filled.xlsx");

    // kasane check: the per-file path with the single-return rules.
    let (report, _) = check_file(&filled, m, None);
    assert!(
        report.findings.is_empty(),
        "findings on the filled copy: {:#?}",
        report.findings
    );
    assert_eq!(report.form.as_deref(), Some("F1"));
    assert_eq!(report.layout.as_deref(), Some(layout_file));
    assert_eq!(report.agency_code.as_deref(), json["agency_code"].as_str());
    assert_eq!(report.month.as_deref(), json["month"].as_str());
    assert_eq!(report.figures, want.len());

    // Every figure, with its cell.
    let bytes = std::fs::read(&filled).expect("filled copy");
    let book = read_bytes(&bytes, "F1_filled.xlsx").expect("readable");
    let ret = normalize(&book, m).expect("recognised");
    assert_eq!(ret.layout, layout_file);
    assert_eq!(ret.sheet, json["sheet"].as_str().expect("sheet"));
    assert_eq!(ret.version.as_deref(), json["version"].as_str());
    assert!(ret.problems.is_empty(), "{:#?}", ret.problems);
    let got: Figures = ret
        .figures
        .iter()
        .map(|f| {
            (
                (f.key.clone(), f.metric.code().to_string()),
                (f.value, f.source.cell_text()),
            )
        })
        .collect();
    assert_eq!(got.len(), ret.figures.len(), "a figure read twice");
    assert_eq!(got, want);
    // The 合計 row was checked, not copied.
    let totals: BTreeMap<String, u64> = ret
        .totals
        .iter()
        .map(|t| (t.metric.code().to_string(), t.stated))
        .collect();
    let want_totals: BTreeMap<String, u64> = json["totals"]
        .as_object()
        .expect("totals")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("total")))
        .collect();
    assert_eq!(totals, want_totals);
}

#[test]
fn the_draft_of_the_blank_template_reads_its_filled_copy_exactly() {
    let text = blank_draft();
    let (_keep, m) = kyoto_with("f1.toml", &text);
    reads_the_filled_copy_exactly(&m, "f1.toml");
}

#[test]
fn the_draft_beside_the_bundled_f1_layout_is_the_one_that_reads_the_template() {
    let text = blank_draft();
    let (_keep, m) = kyoto_with("f1_city.toml", &text);
    assert!(m.layouts.iter().any(|l| l.file == "f1.toml"));
    reads_the_filled_copy_exactly(&m, "f1_city.toml");
}

#[test]
fn a_month_run_over_the_filled_copy_takes_every_figure_with_no_error_of_its_own() {
    let (_keep, m) = kyoto_with("f1.toml", &blank_draft());
    let returns = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixture("F1_filled.xlsx"),
        returns.path().join("F1_filled.xlsx"),
    )
    .expect("copy");
    let run = consolidate(&RunConfig {
        mappings_dir: m.dir.clone(),
        returns_dir: returns.path().to_path_buf(),
        month: Some(YearMonth {
            year: 2025,
            month: 4,
        }),
        out_dir: None,
    })
    .expect("run");
    let (json, want) = expected();
    let got: Figures = run
        .outcome
        .records
        .iter()
        .filter(|r| r.agency_code == json["agency_code"].as_str().expect("agency"))
        .map(|r| {
            (
                (r.key.clone(), r.metric.code().to_string()),
                (r.value, r.source.cell_text()),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(run.inputs[0].layout, "f1.toml");
    assert!(run.inputs[0].rows.balances());
    // The other 108 agencies' returns are missing (and with them the F2
    // case lists the attendance is checked against); no error is this
    // return's own.
    let own: Vec<_> = run
        .outcome
        .findings
        .iter()
        .filter(|f| f.sources.iter().any(|s| s.file == "F1_filled.xlsx"))
        .filter(|f| f.severity == kasane::core::Severity::Error)
        .map(|f| (f.rule.code(), f.message.clone()))
        .collect();
    assert!(own.is_empty(), "{own:#?}");
}

#[test]
fn the_draft_says_what_it_is_sure_of_and_what_to_confirm() {
    let text = blank_draft();
    // Sure: exact glossary words and the header labels of the vocabulary.
    assert!(
        text.contains(
            "continuing_persons = [\"継続相談者数（実人数）\"]  # 確実: 月次報告!C9「継続相談者数（実人数）」と一致"
        ),
        "{text}"
    );
    assert!(
        text.contains("month = [\"報告月\", \"報告年月\"]  # 確実: 月次報告!A4「報告月」と一致"),
        "{text}"
    );
    // To confirm: a heading with a ※ note, a label contained in the glossary's.
    assert!(
        text.contains("consultations = [\"延べ相談件数※2\", \"延べ相談件数\"]  # 要確認: 月次報告!D9「延べ相談件数※2」を、注記・記号を除いて「延べ相談件数」とみなしました"),
        "{text}"
    );
    assert!(
        text.contains("keys.child = [\"子ども・子育て世帯\", \"子ども・子育て\"]  # 要確認"),
        "{text}"
    );
    assert!(
        text.contains("total_labels = [\"合計\", \"計\"]  # 確実: 月次報告!A15「合計」"),
        "{text}"
    );
    // The header of the file: sources, the sheet chosen, the sheet left out.
    assert!(
        text.contains("#   F1_blank.xlsx  シート「月次報告」"),
        "{text}"
    );
    assert!(
        text.contains("シート「記入上の注意」には表がないため使っていません"),
        "{text}"
    );
    assert!(text.contains("# 確認してください (to confirm)"), "{text}");
}

#[test]
fn the_draft_is_the_same_text_every_time_and_with_the_filled_copy_too() {
    assert_eq!(blank_draft(), blank_draft());
    let both = draft_files(
        &[fixture("F1_blank.xlsx"), fixture("F1_filled.xlsx")],
        Some(kasane::core::Form::F1),
    )
    .expect("a draft of both");
    assert!(
        both.text.contains("F1_filled.xlsx では「CHI-001」"),
        "{}",
        both.text
    );
    let (_keep, m) = kyoto_with("f1.toml", &both.text);
    reads_the_filled_copy_exactly(&m, "f1.toml");
}

#[test]
fn a_file_that_cannot_be_read_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("様式_壊れ.xlsx");
    std::fs::write(&bad, b"not a workbook").expect("write");
    let err = draft_files(std::slice::from_ref(&bad), None).expect_err("unreadable");
    assert!(matches!(err, DraftError::Read(_)), "{err:?}");
    assert!(err.to_string().contains("様式_壊れ.xlsx"), "{err}");
    // A workbook with no heading row of any form.
    let book = read_bytes(
        &std::fs::read(root().join("samples/kyoto/templates/F2.xlsx")).expect("F2"),
        "F2.xlsx",
    )
    .expect("readable");
    let err = draft(&[book], None).expect_err("no wide table");
    assert!(err.to_string().contains("F2.xlsx"), "{err}");
    assert!(matches!(
        draft(&[], Some(kasane::core::Form::F2)),
        Err(DraftError::Unsupported { .. })
    ));
}

#[test]
fn writing_a_draft_keeps_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("f1.toml");
    std::fs::write(&out, "keep").expect("write");
    let err = write_draft(&out, "new", false).expect_err("exists");
    assert!(matches!(err, DraftError::Exists(_)), "{err:?}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "keep");
    write_draft(&out, "new", true).expect("forced");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "new");
}

/// The bundled Kyoto templates of F3 and F4 (headings in the glossary's own
/// words) drafted and put in place of the bundled layouts read the bundled
/// sample returns of those forms to the same figures.
#[test]
fn drafts_of_the_kyoto_f3_and_f4_templates_read_the_samples_as_the_bundled_layouts_do() {
    let bundled = Mappings::load(&root().join("mappings/kyoto")).expect("kyoto");
    for (form, layout) in [("F3", "f3.toml"), ("F4", "f4.toml")] {
        // The template and one agency's filled return: F4 programmes leave
        // the figures they do not have blank (optional columns).
        let filled = match form {
            "F3" => "SKK-001_202504_F3.xlsx",
            _ => "CDK-001_202504_F4.xlsx",
        };
        let text = draft_files(
            &[
                root().join(format!("samples/kyoto/templates/{form}.xlsx")),
                root().join("samples/kyoto/2025-04").join(filled),
            ],
            None,
        )
        .expect("a draft")
        .text;
        let (_keep, m) = kyoto_with(layout, &text);
        let month = root().join("samples/kyoto/2025-04");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&month)
            .expect("samples")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.to_string_lossy().ends_with(&format!("_{form}.xlsx")))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{form}");
        for file in files {
            let figures = |m: &Mappings| {
                let bytes = std::fs::read(&file).expect("return");
                let name = file.file_name().expect("name").to_string_lossy();
                let book = read_bytes(&bytes, &name).expect("readable");
                let ret = normalize(&book, m).expect("recognised");
                assert!(ret.problems.is_empty(), "{}: {:#?}", name, ret.problems);
                let mut f: Vec<_> = ret
                    .figures
                    .iter()
                    .map(|f| {
                        (
                            f.key.clone(),
                            f.metric,
                            f.value,
                            f.area.clone(),
                            f.source.cell_text(),
                        )
                    })
                    .collect();
                f.sort();
                (ret.layout, f)
            };
            let (drafted_layout, drafted) = figures(&m);
            let (_, bundled_figures) = figures(&bundled);
            assert_eq!(drafted_layout, layout);
            assert_eq!(drafted, bundled_figures, "{}", file.display());
        }
    }
}

#[test]
fn the_command_prints_the_draft_and_writes_it_with_o() {
    let exe = env!("CARGO_BIN_EXE_kasane");
    let out = std::process::Command::new(exe)
        .args(["mapping", "draft"])
        .arg(fixture("F1_blank.xlsx"))
        .output()
        .expect("kasane runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).expect("utf-8"), blank_draft());

    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("f1.toml");
    let run = |force: bool| {
        let mut c = std::process::Command::new(exe);
        c.args(["mapping", "draft", "--form", "F1", "-o"])
            .arg(&target)
            .arg(fixture("F1_blank.xlsx"));
        if force {
            c.arg("--force");
        }
        c.output().expect("kasane runs")
    };
    let first = run(false);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stderr).contains("要確認"));
    let again = run(false);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(run(true).status.success());
    assert!(Path::new(&target).is_file());
}
