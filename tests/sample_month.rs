//! The bundled Kyoto sample month, end to end: every figure in `records.csv`
//! and in the workbook is compared with the cell it cites in the sample
//! returns, read here independently of kasane's readers (calamine for
//! workbooks, encoding_rs + csv for CP932 files), and with the generator's own
//! list of the figures it typed (`samples/kyoto/meta/`, written by Python).

mod common;
use common::{assert_same_figures, case_rows, figures_of, read_csv, root, run_kyoto};

use calamine::{open_workbook_auto, Data, Reader};
use kasane::core::YearMonth;
use kasane::report::workbook_name;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The integer a person reads in a cell's text: digits in any width, with
/// thousands separators or a unit; a dash is zero. Deliberately written apart
/// from kasane's parser.
fn reads_as(text: &str) -> Option<u64> {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    if ["-", "－", "―", "—"].contains(&t.as_str()) {
        return Some(0);
    }
    let t = t.trim_end_matches(['件', '人', '回']).replace(',', "");
    t.parse().ok()
}

/// (row, col) zero-based of an A1 reference.
fn parse_a1(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
    let digits = &a1[letters.len()..];
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1))
        - 1;
    (digits.parse::<u32>().expect("row number") - 1, col)
}

struct Sources {
    dir: PathBuf,
    books: BTreeMap<String, BTreeMap<String, calamine::Range<Data>>>,
    csvs: BTreeMap<String, Vec<Vec<String>>>,
}

impl Sources {
    fn new(dir: PathBuf) -> Self {
        Sources {
            dir,
            books: BTreeMap::new(),
            csvs: BTreeMap::new(),
        }
    }

    /// The value a person sees in the cited cell.
    fn value(&mut self, file: &str, sheet: &str, cell: &str) -> Option<u64> {
        let path = self.dir.join(file);
        if file.ends_with(".csv") {
            let rows = self.csvs.entry(file.to_string()).or_insert_with(|| {
                let bytes = std::fs::read(&path).expect("sample csv");
                let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
                assert!(!bad, "{file} is valid CP932");
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text.as_bytes())
                    .records()
                    .map(|r| r.expect("csv row").iter().map(str::to_string).collect())
                    .collect()
            });
            // `row N, column M`, one-based; the samples have no blank lines
            // before data, so record index = row.
            let nums: Vec<usize> = cell
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().expect("number"))
                .collect();
            let text = rows.get(nums[0] - 1)?.get(nums[1] - 1)?;
            reads_as(text)
        } else {
            let sheets = self.books.entry(file.to_string()).or_insert_with(|| {
                let mut wb = open_workbook_auto(&path).expect("sample workbook");
                wb.sheet_names()
                    .into_iter()
                    .map(|n| {
                        let r = wb.worksheet_range(&n).expect("sheet");
                        (n, r)
                    })
                    .collect()
            });
            let (r, c) = parse_a1(cell);
            match sheets.get(sheet)?.get_value((r, c))? {
                Data::Float(f) => Some(*f as u64),
                Data::Int(i) => Some(*i as u64),
                Data::String(s) => reads_as(s),
                Data::Empty => Some(0),
                other => panic!("{file} {cell}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn every_record_equals_the_cell_it_cites() {
    let out = tempfile::tempdir().expect("tempdir");
    let (run, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    assert_eq!(run.month, YearMonth::new(2025, 4).expect("month"));
    let records = read_csv(&dir.join("records.csv"));
    assert!(records.len() > 3000, "only {} records", records.len());
    let mut sources = Sources::new(root().join("samples/kyoto/2025-04"));
    let mut mismatches = Vec::new();
    for r in &records {
        let seen = sources.value(&r["source_file"], &r["source_sheet"], &r["source_cell"]);
        let value: u64 = r["value"].parse().expect("integer");
        if seen != Some(value) {
            mismatches.push(format!(
                "{} / {} / {}: records.csv {value}, cell {seen:?}",
                r["source_file"], r["source_sheet"], r["source_cell"]
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn records_equal_the_figures_the_generator_typed() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    let got = figures_of(&read_csv(&dir.join("records.csv")));
    let typed = figures_of(&read_csv(
        &root().join("samples/kyoto/meta/2025-04-figures.csv"),
    ));
    assert_same_figures(&got, &typed);
}

#[test]
fn the_sample_month_has_no_error_finding_and_accounts_for_every_row() {
    let out = tempfile::tempdir().expect("tempdir");
    let (run, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    let findings = read_csv(&dir.join("findings.csv"));
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(run.inputs.len(), 109);
    for i in &run.inputs {
        assert!(i.rows.balances(), "{}: {:?}", i.name, i.rows);
        assert!(!i.form.is_empty(), "{} was not recognised", i.name);
    }
    assert!(run.rows.balances(), "{:?}", run.rows);
    assert_eq!(run.rows.findings, 0);
}

#[test]
fn cases_equal_the_generated_case_lists() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    let got = case_rows(read_csv(&dir.join("cases.csv")), "center_code");
    let want = case_rows(
        read_csv(&root().join("samples/kyoto/meta/2025-04-cases.csv")),
        "center_agency_code",
    );
    assert_eq!(got.len(), 78);
    assert_eq!(got, want);
}

#[test]
fn csv_exports_give_the_same_figures_as_the_workbooks() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let (_, xlsx_dir) = run_kyoto("samples/kyoto/2025-04", a.path());
    let (_, csv_dir) = run_kyoto("samples/kyoto/csv-exports/2025-04", b.path());
    assert_eq!(
        figures_of(&read_csv(&xlsx_dir.join("records.csv"))),
        figures_of(&read_csv(&csv_dir.join("records.csv")))
    );
}

fn cell_number(range: &calamine::Range<Data>, r: u32, c: u32) -> u64 {
    match range.get_value((r, c)) {
        Some(Data::Float(f)) => *f as u64,
        Some(Data::Int(i)) => *i as u64,
        other => panic!("no number at ({r}, {c}): {other:?}"),
    }
}

fn cell_text(range: &calamine::Range<Data>, r: u32, c: u32) -> String {
    match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

#[test]
fn workbook_figures_equal_the_records() {
    let out = tempfile::tempdir().expect("tempdir");
    let (run, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    let records = read_csv(&dir.join("records.csv"));
    let mut wb = open_workbook_auto(dir.join(workbook_name(&run))).expect("workbook opens");
    let names = wb.sheet_names();
    for want in ["概要", "提出状況", "区別集計", "突合結果", "明細"] {
        assert!(
            names.iter().any(|n| n == want),
            "no sheet {want} in {names:?}"
        );
    }

    // F1 sheet: one row per agency, figures summed over the attribute rows;
    // the 合計 row's formulas carry their results.
    let f1 = wb
        .worksheet_range("事業1 包括的相談支援")
        .expect("project 1 sheet");
    let (start_row, _) = f1.start().expect("not empty");
    let head = (0..40u32)
        .find(|&r| cell_text(&f1, start_row + r, 0) == "機関コード")
        .map(|r| start_row + r)
        .expect("heading row");
    let metric_cols: Vec<(u32, String)> = (4..20u32)
        .map(|c| (c, cell_text(&f1, head, c)))
        .filter(|(_, t)| !t.is_empty())
        .collect();
    let name_to_code: BTreeMap<&str, &str> = kasane::core::Metric::ALL
        .iter()
        .map(|m| (m.name_ja(), m.code()))
        .collect();
    let mut sums: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in records.iter().filter(|r| r["form"] == "F1") {
        *sums
            .entry((r["agency_code"].clone(), r["metric"].clone()))
            .or_default() += r["value"].parse::<u64>().expect("int");
    }
    let mut checked = 0;
    let mut r = head + 1;
    let mut column_totals: BTreeMap<u32, u64> = BTreeMap::new();
    loop {
        let code = cell_text(&f1, r, 0);
        if code == "合計" {
            for (c, _) in &metric_cols {
                assert_eq!(
                    cell_number(&f1, r, *c),
                    column_totals[c],
                    "total of column {c}"
                );
            }
            break;
        }
        assert!(!code.is_empty(), "ran off the table at row {r}");
        for (c, heading) in &metric_cols {
            let name = heading.split('\n').next().unwrap_or_default();
            let metric = name_to_code
                .get(name)
                .unwrap_or_else(|| panic!("unknown heading {heading:?}"));
            let want = sums
                .get(&(code.clone(), metric.to_string()))
                .copied()
                .unwrap_or(0);
            let got = cell_number(&f1, r, *c);
            assert_eq!(got, want, "F1 sheet {code} {metric}");
            *column_totals.entry(*c).or_default() += got;
            checked += 1;
        }
        r += 1;
    }
    assert_eq!(checked, 85 * 8, "85 F1 agencies × 8 metrics");

    // 明細: one row per record, same values in the same order, each with its
    // source file, sheet and cell (the month and the metric's code are only
    // in records.csv).
    let details = wb.worksheet_range("明細").expect("明細");
    assert_eq!(details.height(), records.len() + 1);
    assert_eq!(details.width(), 11);
    for (i, rec) in records.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(cell_text(&details, row, 0), rec["agency_code"]);
        assert_eq!(cell_text(&details, row, 1), rec["area_code"]);
        assert_eq!(cell_text(&details, row, 5), rec["key"]);
        let metric = kasane::core::Metric::from_code(&rec["metric"]).expect("metric code");
        assert_eq!(cell_text(&details, row, 6), metric.name_ja());
        assert_eq!(
            cell_number(&details, row, 7).to_string(),
            rec["value"],
            "明細 row {}",
            row + 1
        );
        assert_eq!(cell_text(&details, row, 8), rec["source_file"]);
        assert_eq!(cell_text(&details, row, 9), rec["source_sheet"]);
        assert_eq!(cell_text(&details, row, 10), rec["source_cell"]);
    }
}

#[test]
fn reruns_are_byte_identical() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let (run_a, dir_a) = run_kyoto("samples/kyoto/2025-04", a.path());
    let (_, dir_b) = run_kyoto("samples/kyoto/2025-04", b.path());
    for name in [
        "records.csv",
        "findings.csv",
        "cases.csv",
        "manifest.json",
        &workbook_name(&run_a),
    ] {
        let x = std::fs::read(dir_a.join(name)).expect("first run file");
        let y = std::fs::read(dir_b.join(name)).expect("second run file");
        assert!(x == y, "{name} differs between two runs");
    }
}

#[test]
fn a_second_run_replaces_the_month_as_a_whole() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    std::fs::write(dir.join("stale.txt"), "from an earlier run").expect("write");
    let (_, dir2) = run_kyoto("samples/kyoto/2025-04", out.path());
    assert_eq!(dir, dir2);
    assert!(
        !dir.join("stale.txt").exists(),
        "the month folder was not replaced as a whole"
    );
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .expect("read out")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // The lock file of --out stays (removing it would let two runs lock
        // different files); it is never part of a month.
        .filter(|n| n != "2025-04" && n != kasane::store::LOCK_FILE)
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

/// Every project sheet (事業1–6), read back with calamine: each agency row,
/// the 合計 row and the subtotals by field and by area equal the sums of
/// `records.csv`; the totals are reachable through their defined names.
#[test]
fn every_project_sheet_equals_the_records() {
    let out = tempfile::tempdir().expect("tempdir");
    let (run, dir) = run_kyoto("samples/kyoto/2025-04", out.path());
    let records = read_csv(&dir.join("records.csv"));
    let mut wb = open_workbook_auto(dir.join(workbook_name(&run))).expect("workbook opens");
    let field_ja: BTreeMap<&str, &str> = kasane::core::metric::FIELDS
        .iter()
        .map(|(c, ja)| (*ja, *c))
        .collect();
    let defined: BTreeMap<String, String> = wb.defined_names().iter().cloned().collect();
    let mut sheets_seen = 0;
    let mut cells_checked = 0;
    for (project, _) in kasane::core::metric::PROJECTS {
        let prefix = format!("事業{project} ");
        let sheet_name = wb
            .sheet_names()
            .into_iter()
            .find(|n| n.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no sheet for project {project}"));
        sheets_seen += 1;
        // Names are unique within a project (支援終結件数 is both F2's and F3's).
        let name_to_code: BTreeMap<&str, &str> = kasane::core::Metric::ALL
            .iter()
            .filter(|m| m.project() == *project)
            .map(|m| (m.name_ja(), m.code()))
            .collect();
        let sheet = wb.worksheet_range(&sheet_name).expect("sheet");
        let head = (0..10u32)
            .find(|&r| cell_text(&sheet, r, 0) == "機関コード")
            .expect("heading row");
        let keyed = matches!(
            cell_text(&sheet, head, 4).as_str(),
            "区域・統括" | "拠点・活動名"
        );
        let first_metric = if keyed { 5 } else { 4 };
        let metric_cols: Vec<(u32, String)> = (first_metric..first_metric + 12)
            .map(|c| (c, cell_text(&sheet, head, c)))
            .take_while(|(_, t)| !t.is_empty())
            .map(|(c, t)| {
                let name = t.split('\n').next().unwrap_or_default();
                (c, name_to_code[name].to_string())
            })
            .collect();
        let mine: Vec<&BTreeMap<String, String>> = records
            .iter()
            .filter(|r| r["project"] == project.to_string() && r["form"] != "F5")
            .collect();
        let sum_where = |metric: &str, pick: &dyn Fn(&BTreeMap<String, String>) -> bool| -> u64 {
            mine.iter()
                .filter(|r| r["metric"] == metric && pick(r))
                .map(|r| r["value"].parse::<u64>().expect("int"))
                .sum()
        };
        let mut r = head + 1;
        loop {
            let code = cell_text(&sheet, r, 0);
            if code == "合計" {
                break;
            }
            assert!(
                !code.is_empty(),
                "{sheet_name}: ran off the table at row {r}"
            );
            let key = if keyed {
                cell_text(&sheet, r, 4)
            } else {
                String::new()
            };
            for (c, metric) in &metric_cols {
                let want = sum_where(metric, &|rec| {
                    rec["agency_code"] == code && (!keyed || rec["key"] == key)
                });
                let got = match sheet.get_value((r, *c)) {
                    Some(Data::Float(f)) => *f as u64,
                    _ => 0, // blank: the agency reported no such figure
                };
                assert_eq!(got, want, "{sheet_name} {code} {key} {metric}");
                cells_checked += 1;
            }
            r += 1;
        }
        for (c, metric) in &metric_cols {
            assert_eq!(
                cell_number(&sheet, r, *c),
                sum_where(metric, &|_| true),
                "{sheet_name} 合計 {metric}"
            );
            let cell = format!("'{sheet_name}'!${}${}", rust_xlsxwriter_col(*c), r + 1);
            assert_eq!(
                defined
                    .get(&format!("合計_{metric}"))
                    .map(|s| s.trim_start_matches('=')),
                Some(cell.as_str()),
                "defined name of the {metric} total"
            );
        }
        // The subtotal blocks below: a field or an area per row.
        let mut block = "";
        for row in r + 1..r + 40 {
            let label = cell_text(&sheet, row, 0);
            if label.starts_with("分野別") {
                block = "field";
                continue;
            }
            if label.starts_with("区域別") {
                block = "area";
                continue;
            }
            if label.is_empty() {
                continue;
            }
            for (c, metric) in &metric_cols {
                let want = match block {
                    "field" => sum_where(metric, &|rec| rec["field"] == field_ja[label.as_str()]),
                    _ => {
                        let area = label.split(' ').next().unwrap_or_default();
                        sum_where(metric, &|rec| rec["area_code"] == area)
                    }
                };
                assert_eq!(
                    cell_number(&sheet, row, *c),
                    want,
                    "{sheet_name} {label} {metric}"
                );
                cells_checked += 1;
            }
        }
    }
    assert_eq!(sheets_seen, 6);
    assert!(cells_checked > 1000, "only {cells_checked} cells checked");
}

/// Column letters, written apart from the library under test.
fn rust_xlsxwriter_col(c: u32) -> String {
    let mut n = c + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}
