//! The consolidated month as the pipeline hands it on: the inputs as the
//! run saw them, the mappings used and the reconciled outcome. It lives
//! here, below report, so that report takes it without depending on the
//! pipeline that builds it.

use crate::core::{Severity, YearMonth};
use crate::mapping::Mappings;
use crate::normalize::RowAccount;
use crate::reconcile::Outcome;
use std::path::PathBuf;

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
    /// Records of the yearly (F5 cost) returns found among the month's: set
    /// aside from the month, kept for the fiscal-year report.
    pub costs: Vec<crate::core::Record>,
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
