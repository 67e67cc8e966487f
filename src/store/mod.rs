//! The folder of consolidated months (`out/`), owned here: where it may
//! lie and which of its folders may be replaced ([`guard`]), one run at a
//! time and a month swapped in whole ([`swap`]), and the files of a month
//! read back by their columns ([`records`]), each field written and read
//! one way ([`fields`]).

pub mod fields;
pub mod guard;
pub mod records;
pub mod swap;

pub use guard::{
    check_out_dir, check_replaceable, is_month_folder, Input, OutDirError, Overlap, MANIFEST,
};
pub use records::{read_records, ReadBackError};
pub use swap::{
    clean_stale, exchange, is_stale_name, swap_in, OutLock, StoreError, DEFAULT_LOCK_WAIT_SECS,
    LOCK_FILE,
};

/// The file of a month's folder holding the records of the yearly cost
/// returns found among its returns (written only when there were any).
pub const COSTS_IN_MONTH: &str = "costs_in_month.csv";
