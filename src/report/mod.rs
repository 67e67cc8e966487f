//! Stage 6 — report: the month's records, findings and cases, and the
//! figures derived from them ([`crate::derive`]), as the files other systems
//! and people read. The writers lay out; they read no file and compute
//! nothing that `records.csv` and the derived figures do not already hold.
//!
//! All files of a month are written into a staging folder beside the month's
//! folder and swapped in at the end, so a crash or a full disk never leaves a
//! half-written month, and an earlier run's files are replaced only by a
//! complete new set.

pub mod annotate;
pub mod cell;
pub mod fiscal;
pub mod manifest;
pub mod monthly;
mod style;

/// The CSV files' formats are store's (it reads them back); re-exported
/// where the writers have always been.
pub use crate::store::csv_out;

use crate::derive::{MonthFigures, MonthRun};
use std::path::{Path, PathBuf};

/// The consolidated workbook's file name for a month.
pub fn workbook_name(run: &MonthRun) -> String {
    format!("月次集計_{}.xlsx", run.month)
}

/// Why the outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or folder could not be written.
    #[error("{path}: 書き込めません (cannot write): {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The workbook writer failed.
    #[error("{path}: ブックを作成できません (cannot build workbook): {source}")]
    Workbook {
        /// The workbook.
        path: PathBuf,
        /// Why.
        source: rust_xlsxwriter::XlsxError,
    },
    /// The workbook writer could not write its temporary file (rust_xlsxwriter
    /// panics on that; the panic is caught and reported as this).
    #[error("{path}: ブックの一時ファイルに書き込めません。ディスクの空きを確認してください (cannot write the workbook's temporary file; is the disk full?): {message}")]
    WorkbookWrite {
        /// The workbook.
        path: PathBuf,
        /// What the writer said.
        message: String,
    },
    /// The output folder would overwrite something that is not kasane's.
    #[error(transparent)]
    OutDir(#[from] crate::store::OutDirError),
    /// The output folder is locked by another run, or the month could not be
    /// swapped in.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A CSV writer failed.
    #[error("{path}: CSVを作成できません: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// Why.
        source: csv::Error,
    },
}

/// Writes one file of the staging folder and makes it durable: a crash
/// after the swap must not leave empty files.
fn store(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(io_err(&path))?;
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(io_err(&path))
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Never write over the inputs, whoever calls this.
fn check_inputs(run: &MonthRun, out: &Path) -> Result<(), ReportError> {
    let inputs = [
        crate::store::Input::returns(&run.returns_dir),
        crate::store::Input::mappings(&run.mappings.dir),
    ];
    crate::store::check_out_dir(out, &inputs)?;
    Ok(())
}

/// Writes `records.csv`, `findings.csv`, `cases.csv`, the workbook and
/// `manifest.json` into `<out>/<YYYY-MM>/`, replacing an earlier run's set
/// only once the new set is complete. The caller holds the lock on `out`
/// ([`crate::store::OutLock`]) over reading the months before (from which
/// `figures` were derived) and this write, so no other run changes them
/// meanwhile. Returns the month's folder.
///
/// # Errors
/// Any file that cannot be built or written; the earlier set is then kept.
pub fn write_month_locked(
    run: &MonthRun,
    figures: &MonthFigures,
    out: &Path,
    _lock: &crate::store::OutLock,
) -> Result<PathBuf, ReportError> {
    check_inputs(run, out)?;
    let month = run.month.to_string();
    let target = out.join(&month);
    let old = out.join(format!(".{month}.old"));
    // What a killed run left behind; no other run is writing (the lock).
    crate::store::clean_stale(out)?;
    // Only folders kasane wrote are ever moved aside or deleted.
    crate::store::check_replaceable(&target)?;
    crate::store::check_replaceable(&old)?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{month}.partial-"))
        .tempdir_in(out)
        .map_err(io_err(out))?;
    let wb_name = workbook_name(run);
    quiet_workbook_write_panics();
    // rust_xlsxwriter panics when its temporary file cannot be written (a
    // full disk): caught here, so the run ends with an error and the
    // staging folder is removed like on any other error.
    let joined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        build_files(run, figures, staging.path(), &wb_name)
    }));
    let (csvs, workbook) = joined.map_err(|payload| ReportError::WorkbookWrite {
        path: target.join(&wb_name),
        message: panic_text(payload.as_ref()),
    })?;
    let mut files = csvs?;
    files.push((wb_name.clone(), workbook?));
    let manifest = manifest::build(run, &files);
    store(staging.path(), "manifest.json", &manifest)?;
    let staged = staging.keep();
    if let Err(e) = crate::store::swap_in(&staged, &target, &old) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e.into());
    }
    Ok(target)
}

type Built = (
    Result<Vec<(String, Vec<u8>)>, ReportError>,
    Result<Vec<u8>, ReportError>,
);

/// The month's files, each stored in `staging` as soon as it is built.
fn build_files(run: &MonthRun, figures: &MonthFigures, staging: &Path, wb_name: &str) -> Built {
    // The workbook takes most of the time (one thread: rust_xlsxwriter
    // deflates its parts one after another); the CSV files are built and
    // stored meanwhile on the other thread. Each side's bytes depend only on
    // the run, so the files are the same whichever finishes first.
    rayon::join(
        || -> Result<Vec<(String, Vec<u8>)>, ReportError> {
            let files = vec![
                (
                    crate::store::months::RECORDS.to_string(),
                    csv_out::records(&run.outcome.records).map_err(|source| ReportError::Csv {
                        path: "records.csv".into(),
                        source,
                    })?,
                ),
                (
                    crate::store::months::FINDINGS.to_string(),
                    csv_out::findings(&run.outcome.findings).map_err(|source| {
                        ReportError::Csv {
                            path: "findings.csv".into(),
                            source,
                        }
                    })?,
                ),
                (
                    crate::store::months::CASES.to_string(),
                    csv_out::cases(&run.outcome.cases).map_err(|source| ReportError::Csv {
                        path: "cases.csv".into(),
                        source,
                    })?,
                ),
            ];
            let mut files = files;
            // Yearly cost returns found among the month's: their records,
            // for the fiscal-year report (only when there were any, so a
            // month without them writes the same files as before).
            if !run.costs.is_empty() {
                files.push((
                    crate::store::COSTS_IN_MONTH.to_string(),
                    csv_out::records(&run.costs).map_err(|source| ReportError::Csv {
                        path: crate::store::COSTS_IN_MONTH.into(),
                        source,
                    })?,
                ));
            }
            for (name, bytes) in &files {
                store(staging, name, bytes)?;
            }
            Ok(files)
        },
        || -> Result<Vec<u8>, ReportError> {
            // 明細's temporary file goes in the staging folder, on the same
            // disk as the outputs, not in TMPDIR (which may be small,
            // read-only or absent).
            let wb = monthly::build_in(run, figures, Some(staging)).map_err(|source| {
                ReportError::Workbook {
                    path: staging.join(wb_name),
                    source,
                }
            })?;
            store(staging, wb_name, &wb)?;
            Ok(wb)
        },
    )
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(ToString::to_string))
        .unwrap_or_default()
}

/// The message rust_xlsxwriter panics with when a write to its temporary
/// file fails.
const XLSX_WRITE_PANIC: &str = "Couldn't write to xml file";

/// Keeps the default panic report for every panic but rust_xlsxwriter's
/// temporary-file write, which [`write_month_locked`] catches and reports
/// as an error: a full disk should read as one message, not a crash.
fn quiet_workbook_write_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !panic_text(info.payload()).starts_with(XLSX_WRITE_PANIC) {
                previous(info);
            }
        }));
    });
}

/// Writes one file through a temporary file in the same folder, synced,
/// then renamed over `path`: readers see the old file or the new one.
///
/// # Errors
/// If the folder cannot take the file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    // A bare file name has an empty parent: the current folder.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(io_err(path))?;
    // Temporary files are created private (0600); the result is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io_err(path))?;
    }
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}
