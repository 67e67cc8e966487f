//! The real-world corpus (`tests/corpus/`, provenance in its SOURCES.md):
//! files made by other people and other software, read through
//! `kasane::read::read_bytes`. Every file must read without panic, and the
//! values the corpus notes give are asserted cell by cell.

use kasane::normalize::text::label_key;
use kasane::normalize::value::{parse_count, Count};
use kasane::read::{read_bytes, Book, Cell, FileKind, ReadError, Sheet, TextEncoding};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn read(rel: &str) -> Book {
    let path = corpus().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(rel)
        .to_string();
    read_bytes(&bytes, &name).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn sheet<'b>(book: &'b Book, name: &str) -> &'b Sheet {
    book.sheets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
            panic!("{}: no sheet {name:?} among {names:?}", book.file)
        })
}

/// The cell at a sheet position given in A1 notation (not a grid position).
fn at<'s>(sheet: &'s Sheet, a1: &str) -> &'s Cell {
    let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
    let row: u32 = a1[letters.len()..].parse().expect("A1 row");
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A') + 1)
        - 1;
    let (r0, c0) = sheet.origin;
    if row - 1 < r0 || col < c0 {
        return &Cell::Empty;
    }
    sheet.get((row - 1 - r0) as usize, (col - c0) as usize)
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn all_cells(book: &Book) -> impl Iterator<Item = &Cell> {
    book.sheets.iter().flat_map(|s| s.rows.iter().flatten())
}

fn any_text(book: &Book, pred: impl Fn(&str) -> bool) -> bool {
    all_cells(book).any(|c| matches!(c, Cell::Text(t) if pred(t)))
}

fn non_empty_rows(sheet: &Sheet) -> usize {
    (0..sheet.rows.len())
        .filter(|&r| !sheet.row_is_blank(r))
        .count()
}

#[test]
fn every_corpus_file_reads_without_panic() {
    let mut seen = 0;
    for dir in ["excel", "sjis-csv", "utf8-csv"] {
        for entry in std::fs::read_dir(corpus().join(dir)).expect("corpus folder") {
            let path = entry.expect("entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let bytes = std::fs::read(&path).expect("readable");
            let book = read_bytes(&bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!book.sheets.is_empty(), "{name}: no sheets");
            // No replacement character is ever invented by decoding.
            assert!(
                !any_text(&book, |t| t.contains('\u{FFFD}')),
                "{name}: U+FFFD in the cells"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 34, "corpus files (japanpost_ken_all.zip left out)");
}

#[test]
fn phonetic_runs_are_not_part_of_the_text() {
    let book = read("excel/calamine_rph.xlsx");
    assert_eq!(at(&book.sheets[0], "A1"), &text("課きく　毛こ"));
}

#[test]
fn full_width_spaces_are_kept_as_typed() {
    let book = read("excel/exceldatareader_Test_FullWidthSpace.xlsx");
    let texts: Vec<&str> = all_cells(&book)
        .filter_map(|c| match c {
            Cell::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with('\u{3000}') && t.ends_with('\u{3000}')),
        "{texts:?}"
    );
    // Labels compare without them.
    for t in &texts {
        assert!(!label_key(t).contains('\u{3000}'));
    }
}

#[test]
fn dates_in_the_1904_system_read_as_the_right_day() {
    for file in [
        "excel/calamine_date_1904.xlsx",
        "excel/calamine_date_1904.xls",
    ] {
        let book = read(file);
        let s = &book.sheets[0];
        assert_eq!(at(s, "A1"), &Cell::Date(date(2021, 1, 1)), "{file}");
        assert_eq!(at(s, "A2"), &Cell::Date(date(2021, 1, 2)), "{file}");
        assert_eq!(at(s, "B1"), &Cell::Number(15.0), "{file}");
    }
    // The same days in the 1900 system (xlsb) and as ISO text (ods).
    let book = read("excel/calamine_date.xlsb");
    assert_eq!(at(&book.sheets[0], "A2"), &Cell::Date(date(2021, 1, 2)));
    let book = read("excel/calamine_date.ods");
    assert_eq!(at(&book.sheets[0], "A1"), &Cell::Date(date(2021, 1, 1)));
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

#[test]
fn japanese_built_in_and_era_date_formats_read_as_dates() {
    let book = read("excel/spreadsheet2json_datetime_ja-JP.xlsx");
    let s = sheet(&book, "date_ja-JP");
    // calamine 0.32 alone returns A20:A23 (numFmtId 31/55/56/30) and A28
    // ([$-411]ggge"年"m"月"d"日") as Float(44994.0).
    for r in 1..=28 {
        let a = format!("A{r}");
        assert_eq!(
            at(s, &a),
            &Cell::Date(date(2023, 3, 9)),
            "{a} (shown as {:?})",
            at(s, &format!("B{r}"))
        );
    }
    assert_eq!(at(s, "B28"), &text("令和5年3月9日"));
    // Times of day are not turned into dates of 1899.
    let t = sheet(&book, "time_ja-JP");
    assert!(
        (0..t.rows.len()).all(|r| !matches!(t.get(r, 0), Cell::Date(d) if d.year_ce().1 < 1900)),
        "{:?}",
        t.rows
    );
}

use chrono::Datelike;

#[test]
fn hidden_sheets_are_ignored_and_a_chartsheet_is_not_fatal() {
    for file in [
        "excel/calamine_any_sheets.xlsx",
        "excel/calamine_any_sheets.xls",
        "excel/calamine_any_sheets.xlsb",
    ] {
        let book = read(file);
        let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Visible"], "{file}");
        assert_eq!(book.sheets[0].rows.len(), 5, "{file}");
    }
    // ODS has no "very hidden": calamine reports it hidden, and it is left.
    let book = read("excel/calamine_any_sheets.ods");
    assert!(book.sheets.iter().all(|s| !s.name.contains("Hidden")));
    let smartmap = read("excel/yaizu_smartmap_attribute_source.xlsx");
    assert_eq!(smartmap.sheets.len(), 56, "58 sheets, 2 hidden");
    assert!(smartmap
        .sheets
        .iter()
        .all(|s| !s.name.starts_with("【完】2.2.13")));
}

#[test]
fn merged_titles_and_headings_are_labels_in_every_cell_they_cover() {
    let book = read("excel/yaizu_aed_test_titlerow.xlsx");
    let s = &book.sheets[0];
    // The title merged over A1:V1 is a label in each of its cells.
    let title = at(s, "A1").clone();
    assert!(
        matches!(&title, Cell::Text(t) if !t.is_empty()),
        "{title:?}"
    );
    assert_eq!(at(s, "V1"), &title);
    assert_eq!(s.merged_area(0, 5), Some((0, 0, 0, 21)));
    let xlsx = read("excel/calamine_merged_range.xlsx");
    let xls = read("excel/calamine_merged_range.xls");
    for book in [&xlsx, &xls] {
        assert_eq!(sheet(book, "Sheet1").merged.len(), 9, "{}", book.file);
        assert_eq!(sheet(book, "Sheet2").merged.len(), 6, "{}", book.file);
    }
    // Both formats give the same grid after filling.
    assert_eq!(sheet(&xlsx, "Sheet1").rows, sheet(&xls, "Sheet1").rows);
    assert_eq!(
        read("excel/calamine_issue_261_fixed_by_excel.xlsx").sheets[0]
            .merged
            .len(),
        25
    );
}

#[test]
fn numbers_are_never_copied_into_merged_cells() {
    for file in [
        "excel/npa_traffic_accidents_2018_12.xls",
        "excel/npa_traffic_accidents_2020_05.xlsx",
        "excel/mhlw_ec_pharmacies_001643057.xlsx",
    ] {
        let book = read(file);
        let mut areas = 0;
        for s in &book.sheets {
            for &(t, l, b, r) in &s.merged {
                areas += 1;
                for row in t..=b {
                    for col in l..=r {
                        if (row, col) != (t, l) {
                            assert!(
                                !matches!(s.get(row, col), Cell::Number(_)),
                                "{file} / {} grid ({row}, {col}) in a merged area",
                                s.name
                            );
                        }
                    }
                }
            }
        }
        assert!(areas > 0, "{file}: merged areas");
    }
}

#[test]
fn formula_results_of_every_type_are_read_from_the_cache() {
    let book = read("excel/rust_xlsxwriter_formula_results01.xlsx");
    let cells: Vec<&Cell> = all_cells(&book).collect();
    assert_eq!(cells.len(), 12);
    assert!(!cells
        .iter()
        .any(|c| matches!(c, Cell::FormulaWithoutValue(_))));
    let errors: Vec<String> = cells
        .iter()
        .filter_map(|c| match c {
            Cell::Error(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let kinds: std::collections::BTreeSet<&String> = errors.iter().collect();
    assert_eq!(kinds.len(), 7, "all seven error values: {errors:?}");
    assert!(errors.iter().any(|e| e == "#REF!"), "{errors:?}");
    // A cached error is never read as a count.
    for c in cells {
        if let Cell::Error(_) = c {
            assert!(matches!(parse_count(c), Count::Bad(_)));
        }
    }
}

#[test]
fn leading_empty_rows_and_columns_keep_their_places() {
    let book = read("excel/xlrd_namesdemo.xls");
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Sheet1", "Sheet2", "Sheet3", "Seamus O'Reilly"]);
    let s1 = sheet(&book, "Sheet1");
    assert_eq!(s1.origin.0, 11, "Sheet1's only cell is A12");
    assert!(sheet(&book, "Sheet2").rows.is_empty());
    let header = read("excel/calamine_header-row.xlsx");
    assert_eq!(header.sheets[0].origin.0, 2, "rows 1–2 are empty");
    let mhlw = read("excel/mhlw_ec_pharmacies_001643057.xlsx");
    let s = &mhlw.sheets[0];
    assert_eq!(s.origin, (0, 1), "column A is empty");
    assert_eq!(s.rows.len(), 5451);
}

#[test]
fn real_japanese_text_survives_as_typed() {
    let mhlw = read("excel/mhlw_ec_pharmacies_001643057.xlsx");
    // Kangxi-radical look-alikes, an IVS selector, ㈱: kept as typed…
    assert!(any_text(&mhlw, |t| t.contains('\u{2F49}')), "⽉ U+2F49");
    assert!(any_text(&mhlw, |t| t.contains('\u{E0100}')), "IVS");
    assert!(any_text(&mhlw, |t| t.contains('㈱')));
    // …and folded for label matching.
    assert_eq!(label_key("⽉⽕⽔"), "月火水");
    let npa = read("excel/npa_traffic_accidents_2018_12.xls");
    assert_eq!(npa.sheets.len(), 46);
    assert!(npa.sheets.iter().any(|s| s.name == "年状（P8～9）"));
    let breaks = all_cells(&npa)
        .filter(|c| matches!(c, Cell::Text(t) if t.contains('\n')))
        .count();
    assert!(breaks >= 27, "cells with line breaks: {breaks}");
    assert!(any_text(&npa, |t| label_key(t) == label_key("発生件数（件）")));
}

#[test]
fn stored_error_values_are_errors_not_numbers() {
    let book = read("excel/npa_traffic_accidents_2020_05.xlsx");
    assert_eq!(book.sheets.len(), 29);
    let toc = sheet(&book, "目次");
    assert_eq!(toc.origin, (1, 1), "starts at B2");
    let value_errors = all_cells(&book)
        .filter(|c| matches!(c, Cell::Error(e) if e == "#VALUE!"))
        .count();
    assert_eq!(value_errors, 24);
}

#[test]
fn cp932_only_files_decode_with_nec_and_ibm_characters() {
    let cases = [
        ("sjis-csv/yaizu_yohairyosya.csv", "№", 278),
        ("sjis-csv/yaizu_222127_tourism_cp932.csv", "\u{FA11}", 218),
        ("sjis-csv/japanpost_JIGYOSYO.CSV", "㈱", 22_416),
        ("sjis-csv/jma_tokyo_daily_20221020-20231019.csv", "㎡", 371),
    ];
    for (file, needle, rows) in cases {
        let book = read(file);
        assert_eq!(book.kind, FileKind::Csv(TextEncoding::Cp932), "{file}");
        assert!(any_text(&book, |t| t.contains(needle)), "{file}: {needle}");
        assert_eq!(book.sheets[0].rows.len(), rows, "{file}");
    }
    // 0x817C is U+FF0D in CP932 (U+2212 in plain Shift_JIS).
    let jig = read("sjis-csv/japanpost_JIGYOSYO.CSV");
    assert!(any_text(&jig, |t| t.contains('\u{FF0D}')));
    assert!(!any_text(&jig, |t| t.contains('\u{2212}')));
    let yoh = read("sjis-csv/yaizu_yohairyosya.csv");
    assert!(matches!(at(&yoh.sheets[0], "A1"), Cell::Text(t) if t.starts_with('№')));
    // Quoted fields with bare LF inside CRLF records stay one row each.
    let multi = all_cells(&yoh)
        .filter(|c| matches!(c, Cell::Text(t) if t.contains('\n')))
        .count();
    assert_eq!(multi, 38);
}

#[test]
fn shift_jis_files_and_their_dates_as_text() {
    let book = read("sjis-csv/cao_syukujitsu.csv");
    assert_eq!(book.sheets[0].rows.len(), 1068);
    assert_eq!(at(&book.sheets[0], "A2"), &text("1955/1/1"));
    let kyu = read("sjis-csv/yaizu_222127_kyuugosho-64302.csv");
    assert_eq!(kyu.sheets[0].rows.len(), 8);
    let tokyo = read("sjis-csv/japanpost_13TOKYO.CSV");
    assert_eq!(tokyo.sheets[0].rows.len(), 4165);
}

#[test]
fn estat_quoted_thousands_read_as_counts() {
    let book = read("sjis-csv/estat_FEH_00200524_251118062717.csv");
    let s = &book.sheets[0];
    assert_eq!(s.rows.len(), 49);
    let quoted = s
        .rows
        .iter()
        .flatten()
        .find(|c| matches!(c, Cell::Text(t) if t == "127,768"))
        .expect("the 2005 population, 127,768 thousand");
    assert_eq!(parse_count(quoted), Count::Value(127_768));
}

#[test]
fn utf8_with_and_without_bom() {
    let lib = read("utf8-csv/yaizu_222127_library.csv");
    assert_eq!(lib.kind, FileKind::Csv(TextEncoding::Utf8Bom));
    assert!(matches!(at(&lib.sheets[0], "A1"), Cell::Text(t) if !t.starts_with('\u{FEFF}')));
    assert_eq!(lib.sheets[0].rows.len(), 12);
    let tour = read("utf8-csv/yaizu_222127_tourism_utf8bom.csv");
    assert_eq!(tour.kind, FileKind::Csv(TextEncoding::Utf8Bom));
    assert_eq!(tour.sheets[0].rows.len(), 206);
    assert!(any_text(&tour, |t| t.contains('\u{FA11}')));
    let aed = read("utf8-csv/yaizu_222127_aed.csv");
    assert_eq!(aed.kind, FileKind::Csv(TextEncoding::Utf8));
    assert_eq!(aed.sheets[0].rows.len(), 83);
    assert!(any_text(&aed, |t| t.contains("２階")));
}

#[test]
fn decomposed_kana_are_kept_and_compose_for_matching() {
    let book = read("utf8-csv/yaizu_222127_dono_station.csv");
    assert_eq!(book.kind, FileKind::Csv(TextEncoding::Utf8));
    let nfd = "こと\u{3099}も館";
    assert!(any_text(&book, |t| t.contains(nfd)), "stored decomposed");
    assert!(any_text(&book, |t| label_key(t).contains("こども館")));
    assert!(any_text(&book, |t| label_key(t).contains("ぴあ")));
    assert_eq!(book.sheets[0].rows.len(), 31);
}

#[test]
fn a_corpus_workbook_renamed_csv_is_refused_as_binary() {
    let bytes = std::fs::read(corpus().join("excel/calamine_rph.xlsx")).expect("file");
    let err = read_bytes(&bytes, "renamed.csv").unwrap_err();
    assert!(matches!(err, ReadError::NotText { .. }), "{err}");
    // And a CSV named .xlsx is no workbook.
    let bytes = std::fs::read(corpus().join("utf8-csv/yaizu_222127_library.csv")).expect("file");
    let err = read_bytes(&bytes, "library.xlsx").unwrap_err();
    assert!(matches!(err, ReadError::Workbook { .. }), "{err}");
}

#[test]
fn a_workbook_named_otherwise_is_sniffed_from_its_bytes() {
    let bytes = std::fs::read(corpus().join("excel/calamine_merged_range.xls")).expect("file");
    let book = read_bytes(&bytes, "saved_as_97-2003.xlsx").expect("xls named .xlsx");
    assert_eq!(book.sheets.len(), 2);
    assert_eq!(non_empty_rows(&book.sheets[0]), 4);
}

/// How a test spells a sheet's relationship target from its file name.
type Spelling = fn(&str) -> String;

/// The ja-JP book with its sheets' relationship targets spelled as
/// `spell` gives them (the zip otherwise copied as stored).
fn with_sheet_targets(bytes: &[u8], spell: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let target = regex::Regex::new(r#"Target="worksheets/([^"]+)""#).expect("regex");
    for i in 0..zip.len() {
        let name = zip.by_index(i).expect("member").name().to_string();
        if name == "xl/_rels/workbook.xml.rels" {
            let mut rels = String::new();
            zip.by_index(i)
                .expect("rels")
                .read_to_string(&mut rels)
                .expect("rels text");
            let rels = target
                .replace_all(&rels, |c: &regex::Captures<'_>| {
                    format!("Target=\"{}\"", spell(&c[1]))
                })
                .into_owned();
            assert_ne!(rels.matches("worksheets/").count(), 0);
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("start");
            out.write_all(rels.as_bytes()).expect("write");
        } else {
            out.raw_copy_file(zip.by_index_raw(i).expect("raw"))
                .expect("copy");
        }
    }
    out.finish().expect("finish").into_inner()
}

/// Where each date cell of a book is, by sheet.
fn date_cells(book: &Book) -> Vec<(String, usize, usize, chrono::NaiveDate)> {
    let mut out = Vec::new();
    for s in &book.sheets {
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Cell::Date(d) = cell {
                    out.push((s.name.clone(), r, c, *d));
                }
            }
        }
    }
    out
}

/// A workbook's relationships may name a sheet's part relative to `xl/`
/// (`worksheets/sheet1.xml`, as Excel writes), from the package root
/// (`xl/worksheets/sheet1.xml`), absolute (`/xl/worksheets/sheet1.xml`), or
/// in another letter case than the zip member: calamine 0.32 resolves each
/// (`Xlsx::read_workbook`, `path_to_zip_path`), and so must the reading of
/// the Japanese date formats it misses, or those dates stay numbers.
#[test]
fn dates_are_dates_however_the_sheet_targets_are_spelled() {
    let path = corpus().join("excel/spreadsheet2json_datetime_ja-JP.xlsx");
    let bytes = std::fs::read(&path).expect("corpus book");
    let name = "spreadsheet2json_datetime_ja-JP.xlsx";
    let want = date_cells(&read_bytes(&bytes, name).expect("read"));
    assert!(want.len() >= 28, "{want:?}");
    let spellings: [(&str, Spelling); 4] = [
        ("relative", |p| format!("worksheets/{p}")),
        ("from the root", |p| format!("xl/worksheets/{p}")),
        ("absolute", |p| format!("/xl/worksheets/{p}")),
        ("other case", |p| {
            format!("xl/worksheets/{}", p.to_uppercase())
        }),
    ];
    for (how, spell) in spellings {
        let book = read_bytes(&with_sheet_targets(&bytes, spell), name)
            .unwrap_or_else(|e| panic!("{how}: {e}"));
        let got = date_cells(&book);
        assert_eq!(got.len(), want.len(), "{how}: {got:?}");
        assert_eq!(got, want, "{how}");
    }
}
