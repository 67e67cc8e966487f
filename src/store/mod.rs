//! The folder of consolidated months (`out/`): where it may lie
//! ([`guard`]), and the files of a month read back by their columns
//! ([`records`]).

pub mod guard;
pub mod records;

pub use guard::{
    check_out_dir, check_replaceable, is_month_folder, Input, OutDirError, Overlap, MANIFEST,
};
pub use records::{read_records, StoreError};

/// The file of a month's folder holding the records of the yearly cost
/// returns found among its returns (written only when there were any).
pub const COSTS_IN_MONTH: &str = "costs_in_month.csv";
