//! A new layout is supported by adding one mapping file, not by changing
//! code: a vendor CSV export with other column names and numeric attribute
//! codes, and a workbook with reordered, renamed columns (`tests/vendor/`).

mod common;
use common::root;

use kasane::core::Rule;
use kasane::mapping::Mappings;
use kasane::normalize::{normalize, Return};
use kasane::read::read_bytes;
use std::collections::BTreeMap;
use std::path::Path;

/// `mappings/kyoto` copied to a temporary folder, plus `extra` layout files.
fn mappings_with(extra: &[&str]) -> (tempfile::TempDir, Mappings) {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(root().join("mappings/kyoto")).expect("mappings/kyoto") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
        }
    }
    for name in extra {
        std::fs::copy(
            root().join("tests/vendor").join(name),
            dir.path().join(name),
        )
        .expect("copy layout");
    }
    let m = Mappings::load(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    (dir, m)
}

fn read(m: &Mappings, file: &str) -> Result<Return, Box<kasane::normalize::Problem>> {
    let bytes = std::fs::read(root().join("tests/vendor").join(file)).expect("fixture");
    let book = read_bytes(&bytes, file).expect("readable");
    normalize(&book, m)
}

fn figures(ret: &Return) -> BTreeMap<(String, String), u64> {
    ret.figures
        .iter()
        .map(|f| ((f.key.clone(), f.metric.code().to_string()), f.value))
        .collect()
}

fn fig(key: &str, metric: &str) -> (String, String) {
    (key.to_string(), metric.to_string())
}

#[test]
fn vendor_csv_with_numeric_codes_needs_only_a_mapping_file() {
    let (_keep, plain) = mappings_with(&[]);
    let err = read(&plain, "vendor_x_CHI-003.csv").expect_err("unknown without its mapping");
    assert_eq!(err.rule, Rule::UnknownForm);

    let (_keep, m) = mappings_with(&["f1_vendor_x.toml"]);
    let ret = read(&m, "vendor_x_CHI-003.csv").expect("recognised");
    assert_eq!(ret.layout, "f1_vendor_x.toml");
    assert!(ret.problems.is_empty(), "{:?}", ret.problems);
    assert_eq!(
        ret.agency_code.as_ref().map(|a| a.value.as_str()),
        Some("CHI-003")
    );
    assert_eq!(
        ret.month.as_ref().map(|m| m.value.to_string()).as_deref(),
        Some("2025-04")
    );
    let f = figures(&ret);
    assert_eq!(f.len(), 36);
    assert_eq!(f[&fig("elderly", "consultations")], 40);
    assert_eq!(f[&fig("elderly", "continuing_persons")], 12);
    assert_eq!(f[&fig("poverty", "referrals_other")], 1);
    assert_eq!(f[&fig("", "meeting_attendance")], 2);
    // The cited cell is the 件数 field of the row: row 4 (header is row 1), column 5.
    let src = &ret
        .figures
        .iter()
        .find(|x| x.key == "elderly" && x.metric.code() == "consultations")
        .expect("figure")
        .source;
    assert_eq!(src.cell_text(), "row 4, column 5");
    assert!(ret.rows.balances(), "{:?}", ret.rows);
}

#[test]
fn renamed_and_reordered_workbook_needs_only_a_mapping_file() {
    let (_keep, plain) = mappings_with(&[]);
    assert_eq!(
        read(&plain, "renamed_layout_CHI-005.xlsx")
            .expect_err("unknown")
            .rule,
        Rule::UnknownForm
    );

    let (_keep, m) = mappings_with(&["f1_renamed.toml"]);
    let ret = read(&m, "renamed_layout_CHI-005.xlsx").expect("recognised");
    assert_eq!(ret.layout, "f1_renamed.toml");
    assert!(ret.problems.is_empty(), "{:?}", ret.problems);
    assert_eq!(ret.sheet, "月報");
    assert_eq!(
        ret.agency_code.as_ref().map(|a| a.value.as_str()),
        Some("CHI-005")
    );
    assert_eq!(
        ret.agency_code
            .as_ref()
            .map(|a| a.source.cell_text())
            .as_deref(),
        Some("C3")
    );
    let f = figures(&ret);
    assert_eq!(f.len(), 36);
    assert_eq!(f[&fig("elderly", "consultations")], 60);
    assert_eq!(f[&fig("elderly", "new_persons")], 10);
    assert_eq!(f[&fig("poverty", "referrals_multi_agency")], 1);
    assert_eq!(f[&fig("", "meeting_attendance")], 3);
    let src = &ret
        .figures
        .iter()
        .find(|x| x.key == "elderly" && x.metric.code() == "new_persons")
        .expect("figure")
        .source;
    assert_eq!(src.to_string(), "renamed_layout_CHI-005.xlsx / 月報 / C8");
    assert!(ret.rows.balances(), "{:?}", ret.rows);
    assert_eq!(
        ret.rows.skipped_note, 2,
        "title and note rows: {:?}",
        ret.rows
    );
}

#[test]
fn a_mistake_in_a_mapping_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["municipality.toml", "agencies.csv", "areas.csv"] {
        std::fs::copy(
            root().join("mappings/kyoto").join(name),
            dir.path().join(name),
        )
        .expect("copy");
    }
    let text = std::fs::read_to_string(root().join("tests/vendor/f1_vendor_x.toml")).expect("read");
    // A typo in a metric code, as staff might make it.
    std::fs::write(
        dir.path().join("f1_vendor_x.toml"),
        text.replace("complex_cases =", "complex_case ="),
    )
    .expect("write");
    let errs = Mappings::load(Path::new(dir.path())).expect_err("must fail");
    let msg = errs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let line = text
        .lines()
        .position(|l| l.starts_with("complex_cases"))
        .expect("line")
        + 1;
    assert!(
        msg.contains(&format!("f1_vendor_x.toml:{line}:1:")),
        "{msg}"
    );
    assert!(msg.contains("complex_case"), "{msg}");
}

#[test]
fn a_code_list_kept_as_csv_works_like_keys_in_the_toml() {
    let (dir, m) = mappings_with(&["f1_vendor_x_keysfile.toml", "vendor_x_attributes.csv"]);
    let ret = read(&m, "vendor_x_CHI-003.csv").expect("recognised");
    assert_eq!(ret.layout, "f1_vendor_x_keysfile.toml");
    assert!(ret.problems.is_empty(), "{:?}", ret.problems);
    assert_eq!(figures(&ret)[&fig("elderly", "consultations")], 40);
    assert_eq!(figures(&ret).len(), 36);
    // A code list outside the mappings folder is refused at load time.
    let text = std::fs::read_to_string(dir.path().join("f1_vendor_x_keysfile.toml")).expect("read");
    std::fs::write(
        dir.path().join("f1_vendor_x_keysfile.toml"),
        text.replace(
            "\"vendor_x_attributes.csv\"",
            "\"../vendor_x_attributes.csv\"",
        ),
    )
    .expect("write");
    let errs = Mappings::load(dir.path()).expect_err("escape refused");
    assert!(
        errs.iter().any(|e| e.to_string().contains("keys_file")),
        "{errs:?}"
    );
    // A link in the folder is not followed (it could be an endless device).
    #[cfg(unix)]
    {
        std::fs::write(dir.path().join("f1_vendor_x_keysfile.toml"), &text).expect("write");
        let csv = dir.path().join("vendor_x_attributes.csv");
        std::fs::rename(&csv, dir.path().join("real.csv")).expect("rename");
        std::os::unix::fs::symlink("/dev/zero", &csv).expect("symlink");
        let errs = Mappings::load(dir.path()).expect_err("link refused");
        assert!(
            errs.iter()
                .any(|e| e.to_string().contains("keys_file") && e.to_string().contains("リンク")),
            "{errs:?}"
        );
    }
}
