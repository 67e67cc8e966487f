//! A problem found while reading one return: a finding that does not yet know
//! the batch month. It carries its place, the text found and what was expected.

use super::identity::AgencyGuess;
use super::near_miss::NearMiss;
use crate::core::{Finding, Location, Rule, Severity, YearMonth};

/// A problem in one return, tied to its cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_loc}: {message}")]
pub struct Problem {
    /// The rule.
    pub rule: Rule,
    /// How serious.
    pub severity: Severity,
    /// Japanese message for staff and agencies.
    pub message: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub actual: String,
    /// Where.
    pub source_loc: Location,
    /// For a file that could not be read or recognised: the agency it most
    /// likely belongs to ([`super::identity::guess_agency`]), so the
    /// submission status can show it as received but unreadable.
    pub agency_guess: Option<AgencyGuess>,
    /// For an unrecognised return: how near it came to a layout.
    pub near_miss: Option<Box<NearMiss>>,
}

impl Problem {
    /// An error-level problem.
    pub fn new(rule: Rule, source_loc: Location, message: String) -> Self {
        Problem {
            rule,
            severity: Severity::Error,
            message,
            expected: String::new(),
            actual: String::new(),
            source_loc,
            agency_guess: None,
            near_miss: None,
        }
    }

    /// A `bad_value` problem quoting the text found.
    pub fn bad_value(source_loc: Location, what: &str, text: &str) -> Self {
        Problem::new(
            Rule::BadValue,
            source_loc,
            format!("「{what}」の値「{text}」を0以上の整数として読めません (not a non-negative integer)"),
        )
        .expected("0以上の整数")
        .actual(text)
    }

    /// An `unreadable_file` problem for a file that could not be read: the
    /// cause and what to do in Japanese, the reader's own words only in the
    /// English part.
    pub fn unreadable(e: &crate::read::ReadError) -> Self {
        use crate::read::ReadError as E;
        let (ja, en) = match e {
            E::Workbook { .. } | E::Csv { .. } | E::UnterminatedQuote { .. } => (
                "ファイルが壊れているか、途中までしか保存されていないため読めません。Excel などで開いて保存し直し、再送してください",
                "damaged or truncated",
            ),
            E::Empty { .. } => ("ファイルが空です。内容を保存し直して再送してください", "empty file"),
            E::Password { .. } => (
                "パスワード付きのため読めません。パスワードを解除して保存し直し、再送してください",
                "password-protected",
            ),
            E::Encoding { .. } | E::NotText { .. } => (
                "文字コードまたは形式が読めません。Excel で CSV（UTF-8 または Shift-JIS）か .xlsx として保存し直し、再送してください",
                "unreadable text",
            ),
            E::Unsupported { .. } => (
                "この種類のファイルは読めません。.xlsx または .csv で保存し直して再送してください",
                "unsupported file type",
            ),
            E::FileTooLarge { .. }
            | E::ZipTooLarge { .. }
            | E::SheetTooLarge { .. }
            | E::BookTooLarge { .. } => (
                "ファイルが大きすぎるため読めません。不要なシートや行を削除して保存し直し、再送してください",
                "too large",
            ),
            E::Open { .. } => ("ファイルを開けません。保存し直して再送してください", "cannot open"),
        };
        let en_detail = e.to_string().replace(['(', ')'], " ");
        Problem::new(
            Rule::UnreadableFile,
            e.location().clone(),
            format!("{ja} ({en}: {en_detail})"),
        )
    }

    /// Sets the severity.
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, e: impl Into<String>) -> Self {
        self.expected = e.into();
        self
    }

    /// Sets what was found.
    pub fn actual(mut self, a: impl Into<String>) -> Self {
        self.actual = a.into();
        self
    }

    /// Sets the agency the file most likely belongs to.
    pub fn guessed(mut self, guess: Option<AgencyGuess>) -> Self {
        self.agency_guess = guess;
        self
    }

    /// The finding for the batch month and agency.
    pub fn into_finding(self, month: YearMonth, agency: &str) -> Finding {
        Finding {
            month,
            severity: self.severity,
            rule: self.rule,
            agency_code: agency.to_string(),
            message: self.message,
            expected: self.expected,
            actual: self.actual,
            sources: vec![self.source_loc],
            waiver: None,
        }
    }
}
