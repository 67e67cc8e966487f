//! Helpers shared by the integration tests.
// Each test crate uses only some of these.
#![allow(dead_code)]

use std::collections::BTreeMap;
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
