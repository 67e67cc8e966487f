//! Helpers shared by the integration tests.
// Each test crate uses only some of these.
#![allow(dead_code)]

use kasane::pipeline::write_month;
use kasane::pipeline::{consolidate, MonthRun, RunConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rows of a UTF-8 CSV text with a header, as maps column → value.
pub fn csv_rows(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let headers = rdr.headers().expect("header row").clone();
    rdr.records()
        .map(|r| {
            let r = r.expect("csv row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Rows of a UTF-8 CSV file with a header, as maps column → value.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    csv_rows(&bytes)
}

/// Consolidates a folder of Kyoto returns (relative to the repository) with
/// earlier months looked up in `out`, and writes the month there: the run
/// and the month's folder.
pub fn run_kyoto(returns: &str, out: &Path) -> (MonthRun, PathBuf) {
    let cfg = RunConfig {
        mappings_dir: root().join("mappings/kyoto"),
        returns_dir: root().join(returns),
        month: None,
        out_dir: Some(out.to_path_buf()),
    };
    let run = consolidate(&cfg).expect("the month runs");
    let dir = write_month(&run, out).expect("outputs are written");
    (run, dir)
}

/// A figure's identity in records.csv: agency, form, key, metric.
pub type FigureKey = (String, String, String, String);

/// The figures of records.csv rows (or of a sample's `meta/*-figures.csv`),
/// each at most once.
pub fn figures_of(rows: &[BTreeMap<String, String>]) -> BTreeMap<FigureKey, u64> {
    let mut out = BTreeMap::new();
    for r in rows {
        let key = (
            r["agency_code"].clone(),
            r["form"].clone(),
            r["key"].clone(),
            r["metric"].clone(),
        );
        let value: u64 = r["value"].parse().expect("integer value");
        assert!(
            out.insert(key.clone(), value).is_none(),
            "figure twice: {key:?}"
        );
    }
    out
}

/// The figures kasane recorded (`got`) are those typed (`typed`): each with
/// its value, and no other; the message lists what differs.
pub fn assert_same_figures(got: &BTreeMap<FigureKey, u64>, typed: &BTreeMap<FigureKey, u64>) {
    let missing: Vec<_> = typed
        .iter()
        .filter(|(k, v)| got.get(*k) != Some(v))
        .collect();
    let extra: Vec<_> = got.keys().filter(|k| !typed.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing or different: {missing:?}\nextra: {extra:?}"
    );
}

/// The columns a case list shares with the generator's `meta/*-cases.csv`;
/// `centre` names the centre's column (`center_code` in cases.csv).
pub fn case_rows(rows: Vec<BTreeMap<String, String>>, centre: &str) -> BTreeSet<Vec<String>> {
    rows.into_iter()
        .map(|r| {
            vec![
                r["month"].clone(),
                r[centre].clone(),
                r["case_id"].clone(),
                r["meeting_kind"].clone(),
                r["meeting_date"].clone(),
                r["issues"].clone(),
                r["participants"].clone(),
                r["lead_agency"].clone(),
            ]
        })
        .collect()
}
