//! Text folding for labels and values lives in the core ([`crate::core::text`]),
//! so that mapping (which folds its labels at load) and normalize share it
//! without mapping depending on a later stage; re-exported here for the
//! normalize stage's readers.

pub use crate::core::text::{label_key, value_text};
