//! Nothing a return smuggles in leaves through an output: personal data in
//! any text that reaches records, findings, cases or the workbook is
//! withheld (with a finding naming the cell), and no CSV field begins with
//! what a spreadsheet would run as a formula. The month's other returns are
//! consolidated unchanged.

mod common;
use common::{figures_of, read_csv, root, FigureKey};

use calamine::{Data, Reader};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Texts that must appear in no output, whatever carries them.
const NEEDLES: &[&str] = &[
    "寺町通",
    "上本能寺前町488",
    "山田花子",
    "ヤマダハナコ",
    "075-123-4567",
    "090 1234 5678",
    "hanako@example.jp",
    "下鴨泉川町59",
];

/// Fields a spreadsheet would take for a formula.
const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"http://x.test\")",
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
];

fn cp932(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

fn export(name: &str) -> String {
    let b =
        std::fs::read(root().join("samples/kyoto/csv-exports/2025-04").join(name)).expect("export");
    encoding_rs::SHIFT_JIS.decode(&b).0.into_owned()
}

/// The April sample month with three returns replaced by CSV exports that
/// carry personal data and formulas, and one renamed to begin with `=`.
fn hostile_april() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("2025-04");
    std::fs::create_dir(&dir).expect("mkdir");
    for e in std::fs::read_dir(root().join("samples/kyoto/2025-04")).expect("samples") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.join(p.file_name().expect("name"))).expect("copy");
    }
    // F4: site names holding an address, a name and formulas.
    let mut f4 = export("CDK-001_202504_F4.csv");
    f4 = f4.replacen(
        "地域介護予防推進センター（北区）",
        "京都市中京区寺町通御池上る上本能寺前町488 山田花子宅",
        1,
    );
    f4 = f4.replacen("地域介護予防推進センター（上京区）", "下鴨泉川町59", 1);
    for (i, f) in FORMULAS.iter().enumerate() {
        let site = ["左京区", "中京区", "東山区", "山科区"][i];
        f4 = f4.replacen(
            &format!("地域介護予防推進センター（{site}）"),
            &format!("\"{}\"", f.replace('"', "\"\"")),
            1,
        );
    }
    std::fs::remove_file(dir.join("CDK-001_202504_F4.xlsx")).expect("rm");
    std::fs::write(dir.join("CDK-001_202504_F4.csv"), cp932(&f4)).expect("write");
    // F2: a case list naming a person, a phone and an e-mail address.
    let mut f2 = export("HFC-001_202504_F2.csv");
    f2 = f2.replacen(",就労,", ",就労・山田花子(45),", 1);
    f2 = f2.replacen("C01-2504-02", "ヤマダハナコ様", 1);
    f2 = f2.replacen("家族関係・ひきこもり", "家族関係 hanako@example.jp", 1);
    std::fs::remove_file(dir.join("HFC-001_202504_F2.xlsx")).expect("rm");
    std::fs::write(dir.join("HFC-001_202504_F2.csv"), cp932(&f2)).expect("write");
    // F1: a figure cell holding a name and a phone; a row label with a phone.
    let mut f1 = export("CHI-001_202504_F1.csv");
    f1 = f1.replacen("高齢者,10,", "高齢者,山田花子 075-123-4567,", 1);
    f1 = f1.replacen("\r\n備考", "\r\n090 1234 5678,1,1,1,1,1,1,1\r\n備考", 1);
    std::fs::remove_file(dir.join("CHI-001_202504_F1.xlsx")).expect("rm");
    std::fs::write(dir.join("CHI-001_202504_F1.csv"), cp932(&f1)).expect("write");
    // A file name that begins with a formula sign.
    std::fs::rename(
        dir.join("CHI-004_202504_F1.csv"),
        dir.join("=CHI-004_202504_F1.csv"),
    )
    .expect("rename");
    (t, dir)
}

fn run(dir: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kasane"))
        .args(["run", "-q", "--returns"])
        .arg(dir)
        .arg("--out")
        .arg(out)
        .current_dir(root())
        .output()
        .expect("kasane runs")
}

/// Every text of every sheet of a workbook.
fn workbook_texts(path: &Path) -> Vec<(String, String)> {
    let mut wb = calamine::open_workbook_auto(path).expect("workbook opens");
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).expect("sheet");
        for (r, c, cell) in range.used_cells() {
            if let Data::String(s) = cell {
                out.push((format!("{name}!R{}C{}", r + 1, c + 1), s.clone()));
            }
        }
    }
    out
}

#[test]
fn no_personal_data_and_no_formula_leaves_a_hostile_month() {
    let (t, dir) = hostile_april();
    let out = t.path().join("out");
    let o = run(&dir, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    // The tool says so loudly.
    assert!(stderr.contains("個人情報"), "{stderr}");
    let month = out.join("2025-04");
    for name in ["records.csv", "findings.csv", "cases.csv", "manifest.json"] {
        let text = std::fs::read_to_string(month.join(name)).expect("output");
        for n in NEEDLES {
            assert!(!text.contains(n), "{name} carries {n:?}");
        }
    }
    for name in ["records.csv", "findings.csv", "cases.csv"] {
        let bytes = std::fs::read(month.join(name)).expect("csv");
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        for (line, row) in rdr.records().enumerate() {
            for field in row.expect("csv row").iter() {
                let numeric = field.parse::<f64>().is_ok();
                assert!(
                    numeric || !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name} line {}: {field:?}",
                    line + 1
                );
            }
        }
    }
    for (at, text) in workbook_texts(&month.join("月次集計_2025-04.xlsx")) {
        for n in NEEDLES {
            assert!(!text.contains(n), "workbook {at} carries {n:?}: {text}");
        }
    }
    // Each place is named by a finding, without its text.
    let findings = read_csv(&month.join("findings.csv"));
    let flagged: Vec<&BTreeMap<String, String>> = findings
        .iter()
        .filter(|f| f["rule"] == "personal_data_suspected")
        .collect();
    for agency in ["CDK-001", "HFC-001", "CHI-001"] {
        assert!(
            flagged
                .iter()
                .any(|f| f["agency_code"] == agency && !f["source"].is_empty()),
            "{agency}: {flagged:?}"
        );
    }
}

#[test]
fn the_other_returns_are_consolidated_unchanged() {
    let (t, dir) = hostile_april();
    let out = t.path().join("out");
    run(&dir, &out);
    let plain = t.path().join("plain");
    run(&root().join("samples/kyoto/2025-04"), &plain);
    let touched = ["CDK-001", "HFC-001", "CHI-001", "CHI-004"];
    // Two withheld site names are one key: compare the untouched agencies.
    let keep = |path: &Path| -> BTreeMap<FigureKey, u64> {
        let rows: Vec<BTreeMap<String, String>> = read_csv(path)
            .into_iter()
            .filter(|r| !touched.contains(&r["agency_code"].as_str()))
            .collect();
        figures_of(&rows)
    };
    let got = keep(&out.join("2025-04/records.csv"));
    let want = keep(&plain.join("2025-04/records.csv"));
    assert_eq!(got, want);
    // The renamed return is still read, its name guarded in the CSVs.
    let records = read_csv(&out.join("2025-04/records.csv"));
    assert!(records
        .iter()
        .any(|r| r["agency_code"] == "CHI-004" && r["source_file"] == "'=CHI-004_202504_F1.csv"));
}

/// `check` prints, writes as JSON and annotates nothing the detector flags.
#[test]
fn check_withholds_personal_data_too() {
    let (t, dir) = hostile_april();
    let file = dir.join("CHI-001_202504_F1.csv");
    let marked = t.path().join("marked.xlsx");
    for args in [
        vec!["--json"],
        vec!["--annotate", marked.to_str().expect("utf-8")],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_kasane"))
            .arg("check")
            .args(&args)
            .arg(&file)
            .current_dir(root())
            .output()
            .expect("check runs");
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{out}");
        for n in NEEDLES {
            assert!(!out.contains(n), "check {args:?} prints {n:?}: {out}");
        }
        if args[0] == "--json" {
            assert!(out.contains("personal_data_suspected"), "{out}");
        }
    }
    for (at, text) in workbook_texts(&marked) {
        // The agency's own cells stay as it wrote them; kasane's notes add nothing.
        if at.starts_with("指摘一覧") {
            for n in NEEDLES {
                assert!(!text.contains(n), "annotated {at} carries {n:?}");
            }
        }
    }
}
