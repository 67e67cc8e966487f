//! A finding: something in the month's returns that is missing, unreadable or
//! does not add up, with the figures and cells of both sides (spec §4, §6).

use super::{Location, YearMonth};
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// A figure is wrong, missing or could not be read: must be resolved.
    Error,
    /// Worth a look; the figures were consolidated.
    Warning,
    /// For the record (a correction replaced a return, a check could not run).
    Info,
}

impl Severity {
    /// The interface code of `findings.csv`.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The severity of an interface code, as `findings.csv` writes it.
    pub fn from_code(code: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// Japanese label for workbooks and messages.
    pub fn name_ja(self) -> &'static str {
        match self {
            Severity::Error => "エラー",
            Severity::Warning => "警告",
            Severity::Info => "情報",
        }
    }
}

macro_rules! rules {
    ($( $variant:ident => ($code:literal, $ja:literal) ),* $(,)?) => {
        /// The rule a finding comes from. Codes are an interface (spec §6).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $( #[doc = $ja] $variant, )* }

        impl Rule {
            /// Every rule.
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant, )* ];
            /// The interface code written to `findings.csv`.
            pub fn code(self) -> &'static str { match self { $( Rule::$variant => $code, )* } }
            /// A short Japanese name of the rule, for workbook headings.
            pub fn name_ja(self) -> &'static str { match self { $( Rule::$variant => $ja, )* } }
            /// The rule of an interface code, as `findings.csv` writes it.
            pub fn from_code(code: &str) -> Option<Rule> { match code { $( $code => Some(Rule::$variant), )* _ => None } }
        }
    };
}

rules! {
    MissingReturn => ("missing_return", "未提出"),
    DuplicateReturn => ("duplicate_return", "重複提出"),
    ReplacedByCorrection => ("replaced_by_correction", "訂正版による差替え"),
    UnknownAgency => ("unknown_agency", "登録のない機関"),
    UnreadableFile => ("unreadable_file", "読み取れないファイル"),
    UnknownForm => ("unknown_form", "様式を判別できない"),
    MissingField => ("missing_field", "必須項目の欠落"),
    BadValue => ("bad_value", "読み取れない値"),
    MonthMismatch => ("month_mismatch", "報告年月の不一致"),
    TotalMismatch => ("total_mismatch", "合計の不一致"),
    InconsistentFigures => ("inconsistent_figures", "数値の矛盾"),
    ReferralMismatch => ("referral_mismatch", "つなぎ件数の不一致"),
    CaseCountMismatch => ("case_count_mismatch", "検討事案件数の不一致"),
    MeetingCountMismatch => ("meeting_count_mismatch", "開催回数の不一致"),
    AttendanceMismatch => ("attendance_mismatch", "出席回数の不一致"),
    UnknownParticipant => ("unknown_participant", "登録のない参加機関"),
    CumulativeMismatch => ("cumulative_mismatch", "累計の不一致"),
    UnreadRow => ("unread_row", "読み取られなかった行"),
    PersonalDataSuspected => ("personal_data_suspected", "個人情報の疑い"),
    FormMismatch => ("form_mismatch", "様式と機関の不一致"),
    TemplateMismatch => ("template_mismatch", "様式の構造の違い"),
    WaiverExpired => ("waiver_expired", "期限切れの免除"),
    WaiverUnused => ("waiver_unused", "該当のない免除"),
    IdenticalCopy => ("identical_copy", "同一内容のファイル"),
    CostReturnSetAside => ("cost_return_in_month", "月次フォルダの事業費報告"),
    IgnoredEntry => ("ignored_entry", "読まなかったファイル"),
    // Added for recognition by content: a heading or row label read through
    // decoration or similarity (a warning with the line to add to the mapping).
    LabelMatched => ("label_matched", "見出しの読み替え"),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One finding, in the schema of `findings.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The batch month.
    pub month: YearMonth,
    /// How serious.
    pub severity: Severity,
    /// Which rule.
    pub rule: Rule,
    /// The agency concerned, if any.
    pub agency_code: String,
    /// What is wrong, in Japanese, for staff.
    pub message: String,
    /// The figure or text that was expected (empty if none).
    pub expected: String,
    /// The figure or text that was found (empty if none).
    pub actual: String,
    /// The cells of every side of the finding.
    pub sources: Vec<Location>,
    /// When staff acknowledged it (`waivers.csv`): the reason and approver.
    pub waiver: Option<String>,
}

impl Finding {
    /// A finding with no figures and no place yet; add them with the builders.
    pub fn new(
        month: YearMonth,
        severity: Severity,
        rule: Rule,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            month,
            severity,
            rule,
            agency_code: String::new(),
            message: message.into(),
            expected: String::new(),
            actual: String::new(),
            sources: Vec::new(),
            waiver: None,
        }
    }

    /// True unless a waiver covers it.
    pub fn is_open(&self) -> bool {
        self.waiver.is_none()
    }

    /// Sets the agency.
    pub fn agency(mut self, code: impl Into<String>) -> Self {
        self.agency_code = code.into();
        self
    }

    /// Sets the expected and actual figures.
    pub fn figures(mut self, expected: impl ToString, actual: impl ToString) -> Self {
        self.expected = expected.to_string();
        self.actual = actual.to_string();
        self
    }

    /// Adds a source place.
    pub fn at(mut self, loc: Location) -> Self {
        self.sources.push(loc);
        self
    }

    /// Adds several source places.
    pub fn at_all(mut self, locs: impl IntoIterator<Item = Location>) -> Self {
        self.sources.extend(locs);
        self
    }

    /// The `source` column: every place, separated by `;`.
    pub fn source_text(&self) -> String {
        self.sources
            .iter()
            .map(Location::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Stable order for outputs: severity, rule, agency, then place.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.severity,
            self.rule,
            &self.agency_code,
            &self.sources,
            &self.message,
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_read_back() {
        for r in super::Rule::ALL {
            assert_eq!(super::Rule::from_code(r.code()), Some(*r));
        }
        assert_eq!(super::Rule::from_code("no_such_rule"), None);
        for s in [
            super::Severity::Error,
            super::Severity::Warning,
            super::Severity::Info,
        ] {
            assert_eq!(super::Severity::from_code(s.code()), Some(s));
        }
    }

    use super::*;

    #[test]
    fn rule_codes_are_unique_snake_case() {
        let mut codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
    }
}
