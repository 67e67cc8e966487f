//! One month, end to end: load the mappings, read and normalize every return
//! in the folder, decide the batch month, reconcile, and hand the result to
//! the report writers. One bad return never stops the others.
//!
//! Returns are read and normalized in parallel (rayon, one task per file);
//! the results are collected in file-name order, so the outputs do not
//! depend on the number of threads or on which file finished first.

use crate::core::{Finding, Rule, Severity, YearMonth};
use crate::mapping::{MappingError, Mappings};
use crate::normalize::{normalize, Problem, Return, RowAccount};
use crate::read::{is_return_file, read_bytes, read_file};
use crate::reconcile::{reconcile_after, Outcome, PriorMonth};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The municipality's mappings folder.
    pub mappings_dir: PathBuf,
    /// The folder of returns for the month.
    pub returns_dir: PathBuf,
    /// The batch month; when `None`, all returns must agree on one.
    pub month: Option<YearMonth>,
    /// The folder of consolidated months (`out/`), where the month before is
    /// looked up to check running totals (累計); `None` leaves them unchecked
    /// (reported as such, never as a mismatch).
    pub out_dir: Option<PathBuf>,
}

/// One input file as the run saw it.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// File name relative to the returns folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// The form it was read as, or empty.
    pub form: String,
    /// The layout file that read it, or empty.
    pub layout: String,
    /// What became of its rows.
    pub rows: RowAccount,
}

/// A consolidated month.
pub struct MonthRun {
    /// The batch month.
    pub month: YearMonth,
    /// The mappings used.
    pub mappings: Mappings,
    /// The folder of returns.
    pub returns_dir: PathBuf,
    /// Every return file, in name order.
    pub inputs: Vec<InputFile>,
    /// Files in the folder that are not returns (ignored).
    pub ignored: Vec<String>,
    /// Records, cases, findings and statuses.
    pub outcome: Outcome,
    /// Rows of all inputs.
    pub rows: RowAccount,
}

impl MonthRun {
    /// Number of open (not waived) findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.outcome
            .findings
            .iter()
            .filter(|f| f.severity == severity && f.is_open())
            .count()
    }

    /// Number of waived findings.
    pub fn waived(&self) -> usize {
        self.outcome
            .findings
            .iter()
            .filter(|f| !f.is_open())
            .count()
    }
}

/// Why a month could not be run at all.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The mappings folder has mistakes.
    #[error("対応表に誤りがあります (mapping errors):\n{}", .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Mappings(Vec<MappingError>),
    /// The returns folder cannot be listed.
    #[error("{path}: 報告フォルダを読めません (cannot read the returns folder): {source}")]
    ReturnsDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No month given and the returns do not agree on one.
    #[error("報告年月が揃っていません。--month YYYY-MM で指定してください (returns disagree on the month; pass --month): {0}")]
    MonthUndecided(String),
}

/// How far a run has got, for a progress display. Events about single files
/// arrive from several threads, in no particular order.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The folder was listed: this many returns will be read.
    Listed {
        /// Number of return files.
        files: usize,
    },
    /// One return was read and normalized.
    FileDone {
        /// Its file name.
        name: &'a str,
    },
    /// All returns are read; reconciliation starts.
    Reconciling,
}

/// Reads, normalizes and reconciles one month.
///
/// # Errors
/// Mapping mistakes, an unreadable folder, or an undecidable month. Problems
/// with single returns are findings, never errors.
pub fn consolidate(cfg: &RunConfig) -> Result<MonthRun, PipelineError> {
    consolidate_with_progress(cfg, &|_| {})
}

/// [`consolidate`], telling `progress` how far it has got.
///
/// # Errors
/// As [`consolidate`].
pub fn consolidate_with_progress(
    cfg: &RunConfig,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<MonthRun, PipelineError> {
    let mappings = Mappings::load(&cfg.mappings_dir).map_err(PipelineError::Mappings)?;
    let (files, ignored) = list_returns(&cfg.returns_dir)?;
    progress(Progress::Listed { files: files.len() });
    // Indexed parallel iterators collect in input order: file-name order.
    let (inputs, results): (Vec<InputFile>, Vec<Result<Return, Problem>>) = files
        .par_iter()
        .map(|(name, path)| {
            let done = process_file(name, path, &mappings);
            progress(Progress::FileDone { name });
            done
        })
        .unzip();
    progress(Progress::Reconciling);
    let month = match cfg.month {
        Some(m) => m,
        None => decide_month(&results)?,
    };
    let mut returns = Vec::new();
    let mut unreadable: Vec<Finding> = Vec::new();
    for r in results {
        match r {
            Ok(ret) => returns.push(ret),
            Err(p) => unreadable.push(p.into_finding(month, "")),
        }
    }
    let previous = match &cfg.out_dir {
        Some(out) => crate::report::history::prior_month(out, month),
        None => PriorMonth::not_given(month),
    };
    let mut outcome = reconcile_after(month, &mappings.registry, &returns, &previous);
    outcome.findings.extend(unreadable);
    crate::reconcile::waivers::apply(month, &mappings.waivers, &mut outcome.findings);
    let mut rows = RowAccount::default();
    for i in &inputs {
        rows += i.rows;
    }
    Ok(MonthRun {
        month,
        mappings,
        returns_dir: cfg.returns_dir.clone(),
        inputs,
        ignored,
        outcome,
        rows,
    })
}

/// Return files (name, path) in name order, and the names of other entries.
type Listing = (Vec<(String, PathBuf)>, Vec<String>);

pub(crate) fn list_returns(dir: &Path) -> Result<Listing, PipelineError> {
    let rd = std::fs::read_dir(dir).map_err(|source| PipelineError::ReturnsDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for entry in rd.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_file() && is_return_file(&path) {
            files.push((name, path));
        } else {
            ignored.push(name);
        }
    }
    files.sort();
    ignored.sort();
    Ok((files, ignored))
}

/// Reads, hashes and normalizes one file; problems become a finding-to-be.
pub(crate) fn process_file(
    name: &str,
    path: &Path,
    mappings: &Mappings,
) -> (InputFile, Result<Return, Problem>) {
    let mut input = InputFile {
        name: name.to_string(),
        bytes: 0,
        sha256: String::new(),
        form: String::new(),
        layout: String::new(),
        rows: RowAccount::unreadable_file(),
    };
    // The size limit is checked from the metadata before reading.
    let bytes = match read_file(path, name) {
        Ok(b) => b,
        Err(e) => {
            let p = Problem::new(Rule::UnreadableFile, e.location().clone(), e.to_string());
            return (input, Err(p));
        }
    };
    input.bytes = bytes.len() as u64;
    input.sha256 = hex(&Sha256::digest(&bytes));
    let book = match read_bytes(&bytes, name) {
        Ok(b) => b,
        Err(e) => {
            let p = Problem::new(Rule::UnreadableFile, e.location().clone(), e.to_string());
            return (input, Err(p));
        }
    };
    match normalize(&book, mappings) {
        Ok(ret) => {
            input.form = ret.form.code().to_string();
            input.layout = ret.layout.clone();
            input.rows = ret.rows;
            (input, Ok(ret))
        }
        Err(p) => {
            let p = *p;
            // Nothing was read from it: all its rows are in the one finding.
            let n: usize = book.sheets.iter().map(|s| s.rows.len()).sum();
            input.rows = RowAccount {
                read: n as u64,
                findings: n as u64,
                ..RowAccount::default()
            };
            (input, Err(p))
        }
    }
}

fn decide_month(results: &[Result<Return, Problem>]) -> Result<YearMonth, PipelineError> {
    let mut months: BTreeMap<YearMonth, usize> = BTreeMap::new();
    for r in results.iter().flatten() {
        if let Some(m) = &r.month {
            *months.entry(m.value).or_default() += 1;
        }
    }
    match months.len() {
        1 => Ok(*months.keys().next().expect("one month")),
        0 => Err(PipelineError::MonthUndecided(
            "年月を読める報告がありません (no readable month)".into(),
        )),
        _ => Err(PipelineError::MonthUndecided(
            months
                .iter()
                .map(|(m, n)| format!("{m}: {n}件"))
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
