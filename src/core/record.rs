//! What normalization takes from a return: one [`Record`] per figure, one
//! [`CaseRow`] per line of an F2 case list.

use super::{Form, Location, Metric, YearMonth};

/// One figure from a return, in the schema of `records.csv` (spec §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Reporting month.
    pub month: YearMonth,
    /// The reporting unit.
    pub agency_code: String,
    /// The row's area; the agency's area for F1/F2; `ALL` for city-wide agencies.
    pub area_code: String,
    /// Project, the law's numbering 1–6.
    pub project: u8,
    /// Field code (`elderly` … `cross`).
    pub field: String,
    /// The form the figure was reported on.
    pub form: Form,
    /// The row's dimension (attribute, sending agency, area, site), or empty.
    pub key: String,
    /// What was counted.
    pub metric: Metric,
    /// The figure.
    pub value: u64,
    /// The cell it came from.
    pub source: Location,
}

/// The two kinds of support meeting, told apart by the person's consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeetingKind {
    /// 重層的支援会議: the person consented.
    Consent,
    /// 支援会議: no consent (information sharing protected by law).
    NoConsent,
}

impl MeetingKind {
    /// The interface code of `cases.csv`.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Consent => "consent",
            MeetingKind::NoConsent => "no_consent",
        }
    }

    /// The programme's Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            MeetingKind::Consent => "重層的支援会議",
            MeetingKind::NoConsent => "支援会議",
        }
    }
}

/// One row of an F2 case list (検討事案一覧): a case examined at a meeting.
/// Anonymous by contract: an id, tags and agency codes only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    /// Reporting month.
    pub month: YearMonth,
    /// The centre that held the meeting.
    pub center_code: String,
    /// Anonymous case id (事案番号).
    pub case_id: String,
    /// Meeting kind.
    pub meeting_kind: MeetingKind,
    /// Meeting date, `YYYY-MM-DD`.
    pub meeting_date: String,
    /// Issue tags (主な課題).
    pub issues: Vec<String>,
    /// Agency codes that took part (参加機関コード).
    pub participants: Vec<String>,
    /// Lead agency code (主担当機関コード).
    pub lead_agency: String,
    /// Role assignment (役割分担): (agency code, role), where reported.
    pub roles: Vec<(String, String)>,
    /// The row's first cell.
    pub source: Location,
}
