//! One cell of a return as the file stores it: the value the readers make
//! and every later stage reads. It lives in the core, below the readers, so
//! that the core's month and date parsers ([`crate::core::month`]) can read a
//! cell without the core depending on a stage.

/// One cell's content, as the file stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing there.
    Empty,
    /// Text (CSV fields are always text).
    Text(String),
    /// A plain number. A number under a date format is a [`Cell::Date`]
    /// (the readers decide), so a `Number` is never read as a date serial
    /// where a month is wanted.
    Number(f64),
    /// A date cell, as `YYYY-MM-DD` (the time of day is dropped): a number
    /// under a date format, or an ODS date.
    Date(chrono::NaiveDate),
    /// A boolean.
    Bool(bool),
    /// An error value stored in the cell (`#REF!`).
    Error(String),
    /// A formula whose result was never calculated and saved.
    FormulaWithoutValue(String),
}

impl Cell {
    /// True when the cell holds nothing, or only white space.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a person would read it.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
            Cell::FormulaWithoutValue(f) => format!("={f}"),
        }
    }
}
