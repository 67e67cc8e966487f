//! The folder of consolidated months (`out/`), owned here: where it may
//! lie and which of its folders may be replaced ([`guard`]), one run at a
//! time and a month swapped in whole ([`swap`]), the CSV files' formats
//! ([`csv_out`], each field written and read one way: [`fields`]), and the
//! files of the months read back as typed rows ([`records`], [`months`]):
//! the month before a run, the months before it for the indicators, a
//! fiscal year for its report. No other module reads `out/`.

pub mod csv_out;
pub mod fields;
pub mod guard;
pub mod months;
pub mod records;
pub mod swap;

pub use guard::{
    check_out_dir, check_replaceable, is_month_folder, Input, OutDirError, Overlap, MANIFEST,
};
pub use months::{
    fiscal_dir, fiscal_months, is_consolidated, load_fiscal_year, load_history, month_dir,
    month_records, read_findings, sums_by_metric, FindingRow, History, MonthOutputs, MonthRecords,
    YearOutputs,
};
pub use records::{read_month_records, read_records, ReadBackError};
pub use swap::{
    clean_stale, exchange, is_stale_name, swap_in, OutLock, StoreError, DEFAULT_LOCK_WAIT_SECS,
    LOCK_FILE,
};

/// The file of a month's folder holding the records of the yearly cost
/// returns found among its returns (written only when there were any).
pub const COSTS_IN_MONTH: &str = "costs_in_month.csv";
