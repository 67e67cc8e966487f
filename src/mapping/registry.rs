//! Reading the registry (`areas.csv`, `agencies.csv` of a mappings folder)
//! into the core's typed [`Registry`]. Columns follow `spec/kyoto/`; extra
//! columns may follow and are ignored. Every mistake names its file and
//! line.

use crate::core::metric::FIELDS;
use crate::core::{Agency, Area, Form, Registry};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A mistake in the registry files, with its place.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be opened or read.
    #[error("{path}: 読み込めません (cannot read): {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A row does not have the expected columns.
    #[error("{path}: {line}行目 (line {line}): {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: u64,
        /// Why.
        source: csv::Error,
    },
    /// A value in a row is not allowed.
    #[error("{path}: {line}行目 (line {line}) 列 {column}: {message}")]
    Value {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: u64,
        /// Column name.
        column: &'static str,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct AreaRow {
    area_code: String,
    area_name: String,
    kind: String,
    municipal_code: String,
}

#[derive(Deserialize)]
struct AgencyRow {
    agency_code: String,
    agency_name: String,
    agency_type: String,
    projects: String,
    field: String,
    area: String,
    operation: String,
    form: String,
    #[serde(default)]
    reports: String,
}

/// Reads `areas.csv` and `agencies.csv` from a mappings folder.
///
/// # Errors
/// Any unreadable file, missing column, unknown field or form, unknown area
/// or duplicate code, with its file and line.
pub fn load(dir: &Path) -> Result<Registry, RegistryError> {
    let areas_path = dir.join("areas.csv");
    let mut areas = Vec::new();
    for (_, row) in read_rows::<AreaRow>(&areas_path)? {
        areas.push(Area {
            code: row.area_code.trim().to_string(),
            name: row.area_name.trim().to_string(),
            kind: row.kind.trim().to_string(),
            municipal_code: row.municipal_code.trim().to_string(),
        });
    }
    let agencies_path = dir.join("agencies.csv");
    let mut agencies: Vec<Agency> = Vec::new();
    let mut codes = std::collections::BTreeSet::new();
    for (line, row) in read_rows::<AgencyRow>(&agencies_path)? {
        let bad = |column: &'static str, message: String| RegistryError::Value {
            path: agencies_path.clone(),
            line,
            column,
            message,
        };
        let field = FIELDS
            .iter()
            .find(|(code, ja)| *ja == row.field.trim() || *code == row.field.trim())
            .map(|(code, _)| code.to_string())
            .ok_or_else(|| {
                bad(
                    "field",
                    format!("分野 {:?} は不明です (unknown field)", row.field),
                )
            })?;
        // `reports`: monthly (default) or none — a unit that takes part
        // but owes no return, such as a city department in meetings.
        let reports = match row.reports.trim() {
            "" | "monthly" => true,
            "none" => false,
            other => {
                return Err(bad(
                    "reports",
                    format!("reports {other:?} は monthly か none です"),
                ))
            }
        };
        let form = match (row.form.trim(), reports) {
            ("", false) => None,
            (code, _) => Some(Form::from_code(code).ok_or_else(|| {
                bad(
                    "form",
                    format!("様式 {:?} は不明です (unknown form)", row.form),
                )
            })?),
        };
        let mut projects = Vec::new();
        for p in split_list(&row.projects) {
            match p.parse::<u8>() {
                Ok(n) if (1..=6).contains(&n) => projects.push(n),
                _ => {
                    return Err(bad(
                        "projects",
                        format!("事業番号 {p:?} は1〜6ではありません"),
                    ))
                }
            }
        }
        let area_field = row.area.trim();
        let served: Vec<String> = if area_field == "ALL" {
            Vec::new()
        } else {
            split_list(area_field).map(str::to_string).collect()
        };
        for a in &served {
            if !areas.iter().any(|x: &Area| x.code == *a) {
                return Err(bad("area", format!("区域 {a:?} は areas.csv にありません")));
            }
        }
        let code = row.agency_code.trim().to_string();
        if !codes.insert(code.clone()) {
            return Err(bad(
                "agency_code",
                format!("機関コード {code} が重複しています"),
            ));
        }
        agencies.push(Agency {
            code,
            name: row.agency_name.trim().to_string(),
            agency_type: row.agency_type.trim().to_string(),
            projects,
            field,
            areas: served,
            operation: row.operation.trim().to_string(),
            form,
            reports,
        });
    }
    Ok(Registry::new(areas, agencies))
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '、', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

fn read_rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<(u64, T)>, RegistryError> {
    let bytes = std::fs::read(path).map_err(|source| RegistryError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    // Notepad and Excel write a BOM; accept it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let csv_err = |source: csv::Error| RegistryError::Csv {
        path: path.to_path_buf(),
        line: source.position().map_or(0, |p| p.line()),
        source,
    };
    let headers = rdr.headers().map_err(csv_err)?.clone();
    let mut out = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(csv_err)?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .deserialize(Some(&headers))
            .map_err(|source| RegistryError::Csv {
                path: path.to_path_buf(),
                line,
                source,
            })?;
        out.push((line, row));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_unknown_area_with_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("areas.csv"),
            "area_code,area_name,kind,municipal_code\nA1,一区,区,000000\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("agencies.csv"),
            "agency_code,agency_name,agency_type,projects,field,area,operation,form\n\
             X-1,甲,包括,1,高齢,A1,委託,F1\nX-2,乙,包括,1,高齢,A9,委託,F1\n",
        )
        .unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("A9") && err.contains("line 3"), "{err}");
    }

    #[test]
    fn a_duplicate_code_is_refused_at_its_line_and_lookups_follow_file_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("areas.csv"),
            "\u{FEFF}area_code,area_name,kind,municipal_code\nA1,一区,区,000000\n",
        )
        .unwrap();
        let agencies = "agency_code,agency_name,agency_type,projects,field,area,operation,form\n\
             X-1,甲,包括,1;2,高齢,A1,委託,F1\nX-2,乙,包括,1,高齢,ALL,委託,F1\n";
        std::fs::write(dir.path().join("agencies.csv"), agencies).unwrap();
        let reg = load(dir.path()).unwrap();
        assert_eq!(reg.agency("X-2").map(|a| a.area_code()), Some("ALL".into()));
        assert_eq!(
            reg.agency("X-1").map(|a| a.projects.clone()),
            Some(vec![1, 2])
        );
        assert_eq!(reg.area("A1").map(|a| a.name.as_str()), Some("一区"));
        std::fs::write(
            dir.path().join("agencies.csv"),
            format!("{agencies}X-1,丙,包括,1,高齢,A1,委託,F1\n"),
        )
        .unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(
            matches!(
                &err,
                RegistryError::Value {
                    line: 4,
                    column: "agency_code",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("agencies.csv"), "{err}");
    }
}
