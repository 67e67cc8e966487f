//! Stage 5 — derive: the numbers the reports show that are not in the
//! records as they stand — the monthly workbook's submission counts and
//! indicator standings ([`month`]), the fiscal year's totals, last-month
//! values and the agencies missing from them, submission marks, grant
//! computation and standings ([`fiscal`]). Computed here, once, so that
//! report only lays them out: it sums, compares and computes nothing.
//!
//! The consolidated month itself ([`MonthRun`]) is defined here too, below
//! report, which takes it as given.

pub mod fiscal;
pub mod month;
pub mod run;
pub mod tables;

pub use fiscal::{fiscal_year, FiscalData};
pub use month::{month, MonthFigures};
pub use run::{InputFile, MonthRun};
