//! The small typed core every pipeline stage shares: where a value came from
//! ([`Location`]), what was taken from a return ([`Record`], [`CaseRow`]), what
//! did not add up ([`Finding`]), and the municipality's master data
//! ([`Registry`]). The metric glossary ([`metric`]) is the one place where the
//! interface codes of spec §6 meet their Japanese names.

pub mod cell;
pub mod finding;
pub mod location;
pub mod metric;
pub mod month;
pub mod record;
pub mod registry;
pub mod text;

pub use cell::Cell;
pub use finding::{Finding, Rule, Severity};
pub use location::Location;
pub use metric::{Form, Metric};
pub use month::YearMonth;
pub use record::{CaseRow, MeetingKind, Record};
pub use registry::{Agency, Area, Registry};
pub use text::hex;
