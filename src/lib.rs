//! 重ね kasane — consolidates the monthly returns of the support agencies of a
//! municipality's 重層的支援体制整備事業 (multi-layered support system).
//!
//! The pipeline, one module per stage:
//!
//! 1. [`read`]: file bytes → grids of cells that know their place;
//! 2. [`mapping`] + [`normalize`]: grids → figures and case lists through the
//!    municipality's layout files;
//! 3. [`reconcile`]: figures across returns → findings;
//! 4. [`derive`]: the figures the reports show beyond the records (counts,
//!    standings, year totals, the grant computation);
//! 5. [`report`]: records, findings, cases and derived figures → CSV files
//!    and workbooks, laid out, nothing computed.
//!
//! [`store`] owns `out/`: its files' formats, reading them back, and the
//! lock and swap of a month. [`pipeline`] wires the stages for one month;
//! the binary's `cli` only parses arguments and prints.

pub mod check;
pub mod core;
pub mod costs;
pub mod derive;
pub mod mapping;
pub mod normalize;
pub mod pipeline;
pub mod read;
pub mod reconcile;
pub mod report;
pub mod store;
