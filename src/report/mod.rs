//! Stage 4 — report: the month's records, findings and cases as the files
//! other systems and people read. The writers compute nothing that
//! `records.csv` does not already hold.
//!
//! All files of a month are written into a staging folder beside the month's
//! folder and swapped in at the end, so a crash or a full disk never leaves a
//! half-written month, and an earlier run's files are replaced only by a
//! complete new set.

pub mod cell;
pub mod csv_out;
pub mod fiscal;
pub mod history;
pub mod manifest;
pub mod monthly;
mod style;

use crate::pipeline::MonthRun;
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
    /// The output folder would overwrite something that is not kasane's.
    #[error(transparent)]
    OutDir(#[from] crate::store::OutDirError),
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

/// Writes `records.csv`, `findings.csv`, `cases.csv`, the workbook and
/// `manifest.json` into `<out>/<YYYY-MM>/`, replacing an earlier run's set
/// only once the new set is complete. Returns the month's folder.
///
/// # Errors
/// Any file that cannot be built or written; the earlier set is then kept.
pub fn write_month(run: &MonthRun, out: &Path) -> Result<PathBuf, ReportError> {
    // Never write over the inputs, whoever calls this.
    let inputs = [
        crate::store::Input::returns(&run.returns_dir),
        crate::store::Input::mappings(&run.mappings.dir),
    ];
    crate::store::check_out_dir(out, &inputs)?;
    let month = run.month.to_string();
    let target = out.join(&month);
    let old = out.join(format!(".{month}.old"));
    // Only folders kasane wrote are ever moved aside or deleted.
    crate::store::check_replaceable(&target)?;
    crate::store::check_replaceable(&old)?;
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{month}.partial-"))
        .tempdir_in(out)
        .map_err(io_err(out))?;
    let wb_name = workbook_name(run);
    // The workbook takes most of the time (one thread: rust_xlsxwriter
    // deflates its parts one after another); the CSV files are built and
    // stored meanwhile on the other thread. Each side's bytes depend only on
    // the run, so the files are the same whichever finishes first.
    let (csvs, workbook) = rayon::join(
        || -> Result<Vec<(String, Vec<u8>)>, ReportError> {
            let files = vec![
                (
                    "records.csv".to_string(),
                    csv_out::records(&run.outcome.records).map_err(|source| ReportError::Csv {
                        path: "records.csv".into(),
                        source,
                    })?,
                ),
                (
                    "findings.csv".to_string(),
                    csv_out::findings(&run.outcome.findings).map_err(|source| {
                        ReportError::Csv {
                            path: "findings.csv".into(),
                            source,
                        }
                    })?,
                ),
                (
                    "cases.csv".to_string(),
                    csv_out::cases(&run.outcome.cases).map_err(|source| ReportError::Csv {
                        path: "cases.csv".into(),
                        source,
                    })?,
                ),
            ];
            for (name, bytes) in &files {
                store(staging.path(), name, bytes)?;
            }
            Ok(files)
        },
        || -> Result<Vec<u8>, ReportError> {
            let history = history::load(out, run.month);
            let wb = monthly::build(run, &history).map_err(|source| ReportError::Workbook {
                path: wb_name.clone().into(),
                source,
            })?;
            store(staging.path(), &wb_name, &wb)?;
            Ok(wb)
        },
    );
    let mut files = csvs?;
    files.push((wb_name.clone(), workbook?));
    let manifest = manifest::build(run, &files);
    store(staging.path(), "manifest.json", &manifest)?;
    let staged = staging.keep();
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    if target.exists() {
        std::fs::rename(&target, &old).map_err(io_err(&target))?;
    }
    if let Err(e) = std::fs::rename(&staged, &target) {
        // Put the earlier set back rather than leave no month at all.
        let _ = std::fs::rename(&old, &target);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io_err(&target)(e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(target)
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
