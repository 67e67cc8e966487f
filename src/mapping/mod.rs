//! Stage 0 — mapping: how a municipality's returns are laid out, as data.
//!
//! A mappings folder holds the registry (`agencies.csv`, `areas.csv`),
//! `municipality.toml`, and one TOML file per layout of return (`f1.toml`,
//! `f1_vendor_csv.toml` …). A layout file says how a sheet is recognised,
//! where the header-block values sit (by label), and which tables hold the
//! figures (by label). The format is documented for staff in
//! `mappings/README.md`.
//!
//! Every mistake in a mapping file is reported with its file, line and column
//! when the folder is loaded, before any return is read.

pub mod draft;
pub mod grant;
pub mod indicators;
pub mod layout;
pub mod registry;
pub mod waivers;

pub use layout::{
    CaseColumn, FormLayout, HeaderField, KeyKind, Labels, MoneyColumns, Table, TableLayout,
};

use crate::core::text::label_key;
use crate::core::Registry;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// TOML files of a mappings folder that are not layout files.
pub const RESERVED_TOML: &[&str] = &["municipality.toml", "indicators.toml", "grant.toml"];

/// `municipality.toml`: the municipality's name and settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    /// Name in Japanese (`〇〇市`).
    pub name: String,
    /// Name in English.
    #[serde(default)]
    pub name_en: String,
    /// 全国地方公共団体コード of the municipality.
    #[serde(default)]
    pub municipal_code: String,
}

/// Everything in one mappings folder.
#[derive(Debug, Clone)]
pub struct Mappings {
    /// The folder.
    pub dir: PathBuf,
    /// `municipality.toml`.
    pub municipality: Municipality,
    /// `agencies.csv` and `areas.csv`.
    pub registry: Registry,
    /// The layout files, in file-name order.
    pub layouts: Vec<FormLayout>,
    /// The grant's parts, rates and base amounts (`grant.toml`, optional).
    pub grant: Vec<grant::GrantPart>,
    /// The plan's indicators (`indicators.toml`, optional).
    pub indicators: Vec<indicators::Indicator>,
    /// Acknowledged findings (`waivers.csv`, optional).
    pub waivers: Vec<waivers::Waiver>,
    /// Every file read, for the run manifest: (name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// A mistake in a mapping file, with its place.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// A file could not be read.
    #[error("{path}: 読み込めません (cannot read): {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// TOML syntax or an unknown key; the message carries line and column.
    #[error("{path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// toml's message, with line and column.
        message: String,
    },
    /// A value that parses but is not allowed.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: usize,
        /// One-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The registry files.
    #[error(transparent)]
    Registry(#[from] registry::RegistryError),
}

impl Mappings {
    /// Loads and checks a mappings folder. Collects every mistake in every
    /// layout file rather than stopping at the first.
    ///
    /// # Errors
    /// All mistakes found, each with its file, line and column.
    pub fn load(dir: &Path) -> Result<Mappings, Vec<MappingError>> {
        let mut errors = Vec::new();
        let mut files = Vec::new();
        let read = |name: &Path| -> Result<(String, Vec<u8>), MappingError> {
            let bytes = std::fs::read(name).map_err(|source| MappingError::Io {
                path: name.to_path_buf(),
                source,
            })?;
            let rel = name
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok((rel, bytes))
        };
        let muni_path = dir.join("municipality.toml");
        let municipality = match read(&muni_path) {
            Ok((rel, bytes)) => {
                let parsed = toml_text(&muni_path, &bytes).and_then(|t| {
                    toml::from_str::<Municipality>(&t).map_err(|e| toml_error(&muni_path, &e))
                });
                files.push((rel, bytes));
                match parsed {
                    Ok(m) => Some(m),
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let registry = match registry::load(dir) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(e.into());
                None
            }
        };
        for name in ["agencies.csv", "areas.csv"] {
            if let Ok(f) = read(&dir.join(name)) {
                files.push(f);
            }
        }
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "toml")
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !RESERVED_TOML.contains(&n))
                })
                .collect(),
            Err(source) => {
                errors.push(MappingError::Io {
                    path: dir.to_path_buf(),
                    source,
                });
                Vec::new()
            }
        };
        paths.sort();
        let mut layouts = Vec::new();
        for path in paths {
            match read(&path) {
                Ok((rel, bytes)) => {
                    match toml_text(&path, &bytes)
                        .map_err(|e| vec![e])
                        .and_then(|text| layout::parse(&path, &text))
                    {
                        Ok(l) => layouts.push(l),
                        Err(mut errs) => errors.append(&mut errs),
                    }
                    files.push((rel, bytes));
                }
                Err(e) => errors.push(e),
            }
        }
        if layouts.is_empty() && errors.is_empty() {
            errors.push(MappingError::Invalid {
                path: dir.to_path_buf(),
                line: 1,
                column: 1,
                message: "様式の対応表 (*.toml) がありません (no layout files)".into(),
            });
        }
        let mut optional =
            |name: &str, files: &mut Vec<(String, Vec<u8>)>| -> Option<(PathBuf, Vec<u8>)> {
                let path = dir.join(name);
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        files.push((name.to_string(), bytes.clone()));
                        Some((path, bytes))
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(source) => {
                        errors.push(MappingError::Io { path, source });
                        None
                    }
                }
            };
        let grant_file = optional("grant.toml", &mut files);
        let indicators_file = optional("indicators.toml", &mut files);
        let waivers_file = optional("waivers.csv", &mut files);
        let grant = grant_file.map_or_else(Vec::new, |(p, b)| {
            keep_errors(grant::parse(&p, &b), &mut errors)
        });
        let indicators = indicators_file.map_or_else(Vec::new, |(p, b)| {
            keep_errors(indicators::parse(&p, &b), &mut errors)
        });
        let waivers = waivers_file.map_or_else(Vec::new, |(p, b)| {
            keep_errors(waivers::parse(&p, &b), &mut errors)
        });
        // Code lists referenced by layout files (keys_file), for the manifest.
        if let Ok(rd) = std::fs::read_dir(dir) {
            for entry in rd.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".csv") && !files.iter().any(|(n, _)| *n == name) {
                    // Links and oversized files are refused where a layout
                    // names them (keys_file); here they are only left out.
                    if let Ok(bytes) = layout::read_keys_file(&entry.path()) {
                        files.push((name, bytes));
                    }
                }
            }
        }
        files.sort();
        match (municipality, registry) {
            (Some(municipality), Some(registry)) if errors.is_empty() => Ok(Mappings {
                dir: dir.to_path_buf(),
                municipality,
                registry,
                layouts,
                grant,
                indicators,
                waivers,
                files,
            }),
            _ => Err(errors),
        }
    }

    /// The layout whose recognition labels all appear in `labels` (label keys
    /// of a sheet's cells), preferring the most specific one.
    pub fn recognise<'a>(
        &'a self,
        labels: &std::collections::HashSet<String>,
    ) -> Option<&'a FormLayout> {
        self.recognise_by(|k| labels.contains(k))
    }

    /// The layout whose recognition labels all satisfy `has` (given each
    /// label's key), preferring the most specific one. This is the fast
    /// path for returns on the city's own templates; the scoring of
    /// `normalize::recognize` handles the rest.
    pub fn recognise_by(&self, has: impl Fn(&str) -> bool) -> Option<&FormLayout> {
        self.layouts
            .iter()
            .filter(|l| l.recognize.iter().all(|r| has(&label_key(r))))
            .max_by_key(|l| l.recognize.len())
    }
}

/// Mapping files are UTF-8; a BOM (Notepad) is accepted.
fn toml_text(path: &Path, bytes: &[u8]) -> Result<String, MappingError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| MappingError::Toml {
        path: path.to_path_buf(),
        message: format!(
            "UTF-8 で保存してください (save as UTF-8): byte {}",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// The parsed list, or nothing with the mistakes added to `errors`.
fn keep_errors<T>(r: Result<Vec<T>, Vec<MappingError>>, errors: &mut Vec<MappingError>) -> Vec<T> {
    r.unwrap_or_else(|mut errs| {
        errors.append(&mut errs);
        Vec::new()
    })
}

/// One-based (line, column) of a byte offset in a text, for messages.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A mistake at a span of a mapping file.
fn invalid_at(
    path: &Path,
    text: &str,
    span: std::ops::Range<usize>,
    message: String,
) -> MappingError {
    let (line, column) = line_col(text, span.start);
    MappingError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

fn toml_error(path: &Path, e: &toml::de::Error) -> MappingError {
    MappingError::Toml {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
