//! One month, end to end: load the mappings, read and normalize every return
//! in the folder, decide the batch month, reconcile, and hand the result to
//! the report writers. One bad return never stops the others.
//!
//! Returns are read and normalized in parallel (rayon, one task per file);
//! the results are collected in file-name order, so the outputs do not
//! depend on the number of threads or on which file finished first.

use crate::core::hex;
use crate::core::{Finding, Location, Rule, Severity, YearMonth};
pub use crate::derive::{InputFile, MonthRun};
use crate::mapping::{MappingError, Mappings};
use crate::normalize::identity::guess_agency;
use crate::normalize::{normalize_all_for_month, Problem, Return, RowAccount};
use crate::read::{is_return_file, read_bytes, read_file, Book};
use crate::reconcile::{reconcile_received, PriorFigure, PriorFigures, PriorMonth, Unreadable};
use crate::report::ReportError;
use crate::store::MonthRecords;
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

/// The month before `month` as consolidated under `out/`, with its running
/// totals (累計) and their cells, for the `cumulative_mismatch` rule; only
/// those are kept, the rest of that month is not the check's concern.
pub fn prior_month(out: &Path, month: YearMonth) -> PriorMonth {
    let before = month.prev();
    let figures = match crate::store::month_records(out, before) {
        MonthRecords::Missing => PriorFigures::Missing,
        MonthRecords::Unreadable(e) => PriorFigures::Unreadable(e.to_string()),
        MonthRecords::Found(rows) => PriorFigures::Found(
            rows.into_iter()
                .filter(|r| r.metric.accumulates().is_some())
                .map(|r| PriorFigure {
                    agency_code: r.agency_code,
                    key: r.key,
                    metric: r.metric,
                    value: r.value,
                    source: r.source,
                })
                .collect(),
        ),
    };
    PriorMonth {
        month: before,
        figures,
    }
}

/// Writes the month's files into `<out>/<YYYY-MM>/` (see
/// [`crate::report::write_month_locked`]), holding the lock on `out` over
/// reading the months before (for the indicators) and the write.
///
/// # Errors
/// An `out` over the inputs, another run holding the lock, or any file that
/// cannot be built or written; the earlier set is then kept.
pub fn write_month(run: &MonthRun, out: &Path) -> Result<PathBuf, ReportError> {
    // Never write over the inputs, whoever calls this.
    crate::store::check_out_dir(
        out,
        &[
            crate::store::Input::returns(&run.returns_dir),
            crate::store::Input::mappings(&run.mappings.dir),
        ],
    )?;
    std::fs::create_dir_all(out).map_err(|source| ReportError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let lock = crate::store::OutLock::acquire_default(out)?;
    write_month_locked(run, out, &lock)
}

/// [`write_month`] for a caller that already holds the lock on `out` (to
/// keep it over reading the month before and writing this one).
///
/// # Errors
/// As [`write_month`].
pub fn write_month_locked(
    run: &MonthRun,
    out: &Path,
    lock: &crate::store::OutLock,
) -> Result<PathBuf, ReportError> {
    let history = crate::store::load_history(out, run.month);
    let figures = crate::derive::month(run, &history);
    crate::report::write_month_locked(run, &figures, out, lock)
}

/// Writes the fiscal-year report into `out/FY<year>/`: the year's costs
/// first (when given), then the year read back from `out/`, its figures
/// derived, the workbook laid out. Holds the lock on `out` meanwhile, so no
/// month is swapped in while the year is read. Returns the report's path
/// and what it was built from.
///
/// # Errors
/// Another run holding the lock, or a file that cannot be built or written.
pub fn write_fiscal_year(
    out: &Path,
    fiscal_year: i32,
    mappings: &Mappings,
    costs: Option<crate::report::fiscal::CostFiles<'_>>,
) -> Result<(PathBuf, crate::derive::FiscalData), ReportError> {
    let dir = crate::store::fiscal_dir(out, fiscal_year);
    std::fs::create_dir_all(&dir).map_err(|source| ReportError::Io {
        path: dir.clone(),
        source,
    })?;
    let _lock = crate::store::OutLock::acquire_default(out)?;
    if let Some(c) = costs {
        crate::report::fiscal::write_costs(out, fiscal_year, c)?;
    }
    let year = crate::store::load_fiscal_year(out, fiscal_year);
    let data = crate::derive::fiscal_year(year, mappings);
    let path = crate::report::fiscal::write(out, &data, mappings)?;
    Ok((path, data))
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
    let listing = list_folder(&cfg.returns_dir)?;
    progress(Progress::Listed {
        files: listing.files.len(),
    });
    // Indexed parallel iterators collect in input order: file-name order.
    let (inputs, results): (Vec<InputFile>, Vec<Vec<Result<Return, Problem>>>) = listing
        .files
        .par_iter()
        .map(|(name, path)| {
            let done = process_file(name, path, &mappings, cfg.month);
            progress(Progress::FileDone { name });
            done
        })
        .unzip();
    progress(Progress::Reconciling);
    let mut inputs = inputs;
    let mut results: Vec<Option<Vec<Result<Return, Problem>>>> =
        results.into_iter().map(Some).collect();
    // Copies are set aside before the month is decided, so that a copy
    // never counts twice, neither as a vote for the month nor as a duplicate.
    let copies = set_aside_copies(&mut inputs, &mut results);
    let month = match cfg.month {
        Some(m) => m,
        None => {
            let month = decide_month(&inputs, &results, &cfg.returns_dir)?;
            // Read again, knowing the month, the files that did not give
            // it: an annual workbook's batch-month sheet, a bare 4月分 in a
            // name that needs the batch year.
            reread_for_month(&listing.files, &mut inputs, &mut results, &mappings, month);
            month
        }
    };
    let mut returns = Vec::new();
    let mut set_aside: Vec<Finding> = Vec::new();
    let mut costs = Vec::new();
    let mut unreadable = Vec::new();
    for (input, r) in inputs
        .iter()
        .zip(results)
        // Copies were set aside (None): their returns are the kept file's.
        .flat_map(|(i, rs)| rs.into_iter().flatten().map(move |r| (i, r)))
    {
        match r {
            Ok(ret) if !ret.form.is_monthly() => {
                set_aside.push(cost_return_finding(month, &ret));
                costs.push(ret);
            }
            Ok(ret) => returns.push(ret),
            Err(p) => {
                let agency = attributed_agency(&input.name, &p, &mappings.registry);
                if let Some(code) = &agency {
                    unreadable.push(Unreadable {
                        agency_code: code.clone(),
                        file: input.name.clone(),
                        reason: short_reason(&p),
                    });
                }
                set_aside.push(p.into_finding(month, agency.as_deref().unwrap_or("")));
            }
        }
    }
    for (kept, copies) in copies {
        set_aside.push(copy_finding(month, &kept, &copies, &returns, &costs));
    }
    set_aside.extend(listing.not_followed.iter().map(|name| {
        Finding::new(
            month,
            Severity::Warning,
            Rule::IgnoredEntry,
            format!("「{name}」はリンク（ショートカット）のため読んでいません。報告ファイルそのものをフォルダに置いてください (a symbolic link: not followed, not read)"),
        )
        .at(Location::file(name))
    }));
    let previous = match &cfg.out_dir {
        Some(out) => prior_month(out, month),
        None => PriorMonth::not_given(month),
    };
    let mut outcome =
        reconcile_received(month, &mappings.registry, &returns, &unreadable, &previous);
    outcome.findings.extend(set_aside);
    crate::reconcile::screen::apply(month, &mut outcome);
    // The files set aside and the places screened count for their agency.
    outcome.count_findings();
    crate::reconcile::waivers::apply(month, &mappings.waivers, &mut outcome.findings);
    let mut rows = RowAccount::default();
    for i in &inputs {
        rows += i.rows;
    }
    let costs = crate::costs::found_in_month(month, &mappings, &costs);
    let mut ignored = listing.ignored;
    ignored.extend(listing.not_followed);
    ignored.sort();
    Ok(MonthRun {
        month,
        mappings,
        returns_dir: cfg.returns_dir.clone(),
        inputs,
        ignored,
        outcome,
        rows,
        costs,
    })
}

/// A problem's message, cut to its Japanese part, for the 提出状況 sheet.
fn short_reason(p: &Problem) -> String {
    let rule = p.rule.name_ja();
    let message = p.message.split(" (").next().unwrap_or_default();
    let cut: String = message.chars().take(60).collect();
    if cut.chars().count() < message.chars().count() {
        format!("{rule}: {cut}…")
    } else {
        format!("{rule}: {cut}")
    }
}

/// What a folder of returns holds.
pub(crate) struct Listing {
    /// Return files (name, path), in name order.
    pub files: Vec<(String, PathBuf)>,
    /// Other entries (folders, other kinds of file), by name.
    pub ignored: Vec<String>,
    /// Symbolic links: never followed (a link to a system file or an
    /// endless device must not be read or hashed into the manifest).
    pub not_followed: Vec<String>,
}

/// What one file gave: its returns, or the problems that kept them.
pub(crate) type FileResults = Vec<Result<Return, Problem>>;

/// Return files (name, path) in name order, and the names of other entries.
type Files = (Vec<(String, PathBuf)>, Vec<String>);

pub(crate) fn list_returns(dir: &Path) -> Result<Files, PipelineError> {
    let l = list_folder(dir)?;
    let mut ignored = l.ignored;
    ignored.extend(l.not_followed);
    ignored.sort();
    Ok((l.files, ignored))
}

pub(crate) fn list_folder(dir: &Path) -> Result<Listing, PipelineError> {
    let rd = std::fs::read_dir(dir).map_err(|source| PipelineError::ReturnsDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut listing = Listing {
        files: Vec::new(),
        ignored: Vec::new(),
        not_followed: Vec::new(),
    };
    for entry in rd.filter_map(Result::ok) {
        let path = entry.path();
        let name = file_name_text(&entry.file_name());
        // file_type() does not follow links, unlike Path::is_file.
        let kind = entry.file_type();
        if kind.as_ref().is_ok_and(std::fs::FileType::is_symlink) {
            listing.not_followed.push(name);
        } else if kind.is_ok_and(|k| k.is_file()) && is_return_file(&path) {
            listing.files.push((name, path));
        } else {
            listing.ignored.push(name);
        }
    }
    listing.files.sort();
    listing.ignored.sort();
    listing.not_followed.sort();
    Ok(listing)
}

/// A file name as text. Bytes that are not UTF-8 are written `\xNN`, so two
/// names that differ only there stay two names (a lossy conversion would
/// make both `�` and merge them).
pub fn file_name_text(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// Reads again, with the batch month known, every file one of whose returns
/// did not state that month.
fn reread_for_month(
    files: &[(String, PathBuf)],
    inputs: &mut [InputFile],
    results: &mut [Option<Vec<Result<Return, Problem>>>],
    mappings: &Mappings,
    month: YearMonth,
) {
    let again: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, rs)| {
            rs.iter().flatten().any(|r| match r {
                Ok(ret) => {
                    ret.form.is_monthly() && ret.month.as_ref().map(|m| m.value) != Some(month)
                }
                Err(_) => false,
            })
        })
        .map(|(i, _)| i)
        .collect();
    let done: Vec<(usize, (InputFile, FileResults))> = again
        .par_iter()
        .map(|&i| {
            (
                i,
                process_file(&files[i].0, &files[i].1, mappings, Some(month)),
            )
        })
        .collect();
    for (i, (input, rs)) in done {
        inputs[i] = input;
        results[i] = Some(rs);
    }
}

/// Byte-identical files (the same SHA-256): the first by name is read, the
/// others are set aside. Returns (kept file, its copies) per group, and
/// counts each copy's rows under the finding that names it.
fn set_aside_copies(
    inputs: &mut [InputFile],
    results: &mut [Option<Vec<Result<Return, Problem>>>],
) -> Vec<(String, Vec<String>)> {
    let mut same: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, input) in inputs.iter().enumerate() {
        if !input.sha256.is_empty() {
            same.entry(&input.sha256).or_default().push(i);
        }
    }
    // The copy named as a correction (訂正) is the one kept, so that its
    // name is what the records cite; else the first by name.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for files in same.into_values().filter(|f| f.len() > 1) {
        let kept = files
            .iter()
            .copied()
            .find(|&i| inputs[i].name.contains("訂正"))
            .unwrap_or(files[0]);
        groups.insert(kept, files.into_iter().filter(|&i| i != kept).collect());
    }
    let mut out = Vec::new();
    for (kept, copies) in groups {
        for &c in &copies {
            results[c] = None;
            let read = inputs[c].rows.read;
            inputs[c].rows = RowAccount {
                read,
                findings: read,
                ..RowAccount::default()
            };
            inputs[c].form = String::new();
            inputs[c].layout = String::new();
        }
        out.push((
            inputs[kept].name.clone(),
            copies.iter().map(|&c| inputs[c].name.clone()).collect(),
        ));
    }
    out
}

/// The info naming a file's byte-identical copies, under the agency of the
/// kept file when it was read.
fn copy_finding(
    month: YearMonth,
    kept: &str,
    copies: &[String],
    returns: &[Return],
    costs: &[Return],
) -> Finding {
    let agency = returns
        .iter()
        .chain(costs)
        .find(|r| r.file == kept)
        .and_then(|r| r.agency_code.as_ref())
        .map_or("", |a| a.value.as_str());
    Finding::new(
        month,
        Severity::Info,
        Rule::IdenticalCopy,
        format!(
            "「{}」は「{kept}」と中身がまったく同じファイルです。1 件として読みました (byte-identical copies: read once)",
            copies.join("」「")
        ),
    )
    .agency(agency)
    .figures(kept, copies.join("; "))
    .at(Location::file(kept))
    .at_all(copies.iter().map(Location::file))
}

/// The info of a yearly (F5 cost) return found among the month's returns:
/// it is kept for the fiscal-year report, not judged as a monthly return.
fn cost_return_finding(month: YearMonth, ret: &Return) -> Finding {
    let agency = ret.agency_code.as_ref().map_or("", |a| a.value.as_str());
    let year = ret
        .fiscal_year
        .as_ref()
        .map_or_else(|| "年度不明".to_string(), |y| format!("{}年度", y.value));
    Finding::new(
        month,
        Severity::Info,
        Rule::CostReturnSetAside,
        format!(
            "「{}」は{year}の事業費の報告（様式{}）です。月次の集計には含めず、年度の補助金報告（kasane report --fiscal-year）で使います (a yearly cost return: set aside for the fiscal-year report)",
            ret.file, ret.form
        ),
    )
    .agency(agency)
    .at(Location::file(&ret.file))
}

/// The agency a file that gave no return is attributed to: the guess
/// normalize made from its cells, else one from its name. Both the month's
/// run (提出状況, the finding's agency) and `check` use it.
pub(crate) fn attributed_agency(
    name: &str,
    problem: &Problem,
    registry: &crate::core::Registry,
) -> Option<String> {
    problem
        .agency_guess
        .as_ref()
        .map(|g| g.code.clone())
        .or_else(|| guess_agency(name, None, registry).map(|g| g.code))
}

/// Reads, hashes and normalizes one file; problems become a finding-to-be.
pub(crate) fn process_file(
    name: &str,
    path: &Path,
    mappings: &Mappings,
    batch_month: Option<YearMonth>,
) -> (InputFile, FileResults) {
    let (input, _, results) = read_returns(name, path, mappings, batch_month);
    (input, results)
}

/// What one file gave: how it was read, its workbook when it could be read
/// at all, and its returns or the problems that kept them.
pub(crate) type FileRead = (InputFile, Option<Book>, FileResults);

/// The one way a return file is read, by a month's run ([`process_file`])
/// and by `kasane check` alike: the size limits checked from the metadata
/// before reading, the bytes hashed, the workbook read with the reader's
/// limits, and every return it holds normalized (a workbook may hold
/// several). A file that cannot be read gives one `unreadable_file`
/// problem and no workbook.
pub(crate) fn read_returns(
    name: &str,
    path: &Path,
    mappings: &Mappings,
    batch_month: Option<YearMonth>,
) -> FileRead {
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
            // The cause and what to do in Japanese; the reader's words in English.
            return (input, None, vec![Err(Problem::unreadable(&e))]);
        }
    };
    input.bytes = bytes.len() as u64;
    input.sha256 = hex(&Sha256::digest(&bytes));
    let book = match read_bytes(&bytes, name) {
        Ok(b) => b,
        Err(e) => {
            // The cause and what to do in Japanese; the reader's words in English.
            return (input, None, vec![Err(Problem::unreadable(&e))]);
        }
    };
    // A workbook may hold several returns (a ward office forwarding its
    // centres' returns, one per sheet); most hold one.
    let mut results: FileResults = Vec::new();
    for r in normalize_all_for_month(&book, mappings, batch_month) {
        results.push(match r {
            Ok(ret) => Ok(ret),
            Err(p) => Err(*p),
        });
    }
    let read: Vec<&Return> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    if read.is_empty() {
        // Nothing was read from it: all its rows are in the finding.
        let n: usize = book.sheets.iter().map(|s| s.rows.len()).sum();
        input.rows = RowAccount {
            read: n as u64,
            findings: n as u64,
            ..RowAccount::default()
        };
    } else {
        let mut rows = RowAccount::default();
        let mut forms: Vec<&str> = Vec::new();
        let mut layouts: Vec<&str> = Vec::new();
        for ret in &read {
            rows += ret.rows;
            if !forms.contains(&ret.form.code()) {
                forms.push(ret.form.code());
            }
            if !layouts.contains(&ret.layout.as_str()) {
                layouts.push(&ret.layout);
            }
        }
        input.rows = rows;
        input.form = forms.join(";");
        input.layout = layouts.join(";");
    }
    (input, Some(book), results)
}

/// The batch month when none is given: the month most monthly returns
/// state. Returns of other months then get `month_mismatch` and the run
/// goes on. A tie is broken by the folder's name (`2025-04`) when it names
/// one of the tied months; otherwise no month can be decided and the files
/// of each month are named.
fn decide_month(
    inputs: &[InputFile],
    results: &[Option<Vec<Result<Return, Problem>>>],
    dir: &Path,
) -> Result<YearMonth, PipelineError> {
    let mut months: BTreeMap<YearMonth, Vec<&str>> = BTreeMap::new();
    for (input, rs) in inputs.iter().zip(results) {
        for ret in rs.iter().flatten().filter_map(|r| r.as_ref().ok()) {
            if let (Some(m), true) = (&ret.month, ret.form.is_monthly()) {
                let files = months.entry(m.value).or_default();
                if !files.contains(&input.name.as_str()) {
                    files.push(&input.name);
                }
            }
        }
    }
    let most = months.values().map(Vec::len).max().unwrap_or(0);
    let leaders: Vec<YearMonth> = months
        .iter()
        .filter(|(_, files)| files.len() == most)
        .map(|(m, _)| *m)
        .collect();
    if leaders.len() == 1 {
        return Ok(leaders[0]);
    }
    let folder: Option<YearMonth> = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok());
    if let Some(m) = folder.filter(|m| leaders.contains(m)) {
        return Ok(m);
    }
    if months.is_empty() {
        return Err(PipelineError::MonthUndecided(
            "年月を読める報告がありません (no readable month)".into(),
        ));
    }
    Err(PipelineError::MonthUndecided(
        months
            .iter()
            .map(|(m, files)| {
                let shown: Vec<&str> = files.iter().copied().take(5).collect();
                let more = files.len().saturating_sub(shown.len());
                format!(
                    "{m}: {}件（{}{}）",
                    files.len(),
                    shown.join("、"),
                    if more > 0 {
                        format!(" ほか{more}件")
                    } else {
                        String::new()
                    }
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Location, Metric};

    #[test]
    fn the_month_before_is_missing_unreadable_or_found_with_its_cells() {
        let out = tempfile::tempdir().expect("tempdir");
        let may: YearMonth = "2025-05".parse().expect("month");
        let prior = prior_month(out.path(), may);
        assert_eq!(prior.month.to_string(), "2025-04");
        assert_eq!(prior.figures, PriorFigures::Missing);

        let dir = out.path().join("2025-04");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let header = "month,agency_code,area_code,project,field,form,key,metric,value,source_file,source_sheet,source_cell\n";
        // A row of another month: the file is not April's.
        std::fs::write(
            dir.join("records.csv"),
            format!(
                "{header}2025-03,A,ALL,4,cross,F3,A1,outreach_closed_cumulative,5,a.xlsx,F3,L10\n"
            ),
        )
        .expect("write");
        let PriorFigures::Unreadable(why) = prior_month(out.path(), may).figures else {
            panic!("unreadable");
        };
        assert!(why.contains("records.csv:2"), "the file and line: {why}");

        std::fs::write(
            dir.join("records.csv"),
            format!(
                "{header}2025-04,A,ALL,4,cross,F3,A1,outreach_closed,1,a.xlsx,F3,G10\n\
                 2025-04,A,ALL,4,cross,F3,A1,outreach_closed_cumulative,5,a.xlsx,F3,L10\n"
            ),
        )
        .expect("write");
        let PriorFigures::Found(figs) = prior_month(out.path(), may).figures else {
            panic!("found");
        };
        // Only running totals are kept, each with its cell.
        assert_eq!(
            figs,
            [PriorFigure {
                agency_code: "A".into(),
                key: "A1".into(),
                metric: Metric::OutreachClosedCumulative,
                value: 5,
                source: Location::cell("a.xlsx", "F3", 9, 11),
            }]
        );
    }
}
