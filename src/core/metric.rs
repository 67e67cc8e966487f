//! Glossary of the interface codes of spec §6: forms, metrics and fields.
//!
//! The codes (`new_persons`, `F1`, `elderly` …) are what `records.csv` carries
//! and other systems rely on; the Japanese names here are the programme's own
//! terms, used as column headings in the workbooks. How a municipality's
//! returns *label* these figures is not here: that is in its mapping files.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The return forms of spec §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Form {
    /// 包括的相談支援 月次報告 — each consultation agency.
    F1,
    /// 多機関協働 月次報告 — each multi-agency collaboration centre.
    F2,
    /// アウトリーチ・参加支援 月次報告 — the social welfare council.
    F3,
    /// 地域づくり 月次報告 — each community-building programme.
    F4,
    /// 事業費 — each agency, per fiscal year.
    F5,
}

impl Form {
    /// All forms, in order.
    pub const ALL: [Form; 5] = [Form::F1, Form::F2, Form::F3, Form::F4, Form::F5];

    /// The code used in outputs (`F1` …).
    pub fn code(self) -> &'static str {
        match self {
            Form::F1 => "F1",
            Form::F2 => "F2",
            Form::F3 => "F3",
            Form::F4 => "F4",
            Form::F5 => "F5",
        }
    }

    /// Parses `F1` … `F5`.
    pub fn from_code(code: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The form's Japanese title.
    pub fn title_ja(self) -> &'static str {
        match self {
            Form::F1 => "包括的相談支援",
            Form::F2 => "多機関協働",
            Form::F3 => "アウトリーチ・参加支援",
            Form::F4 => "地域づくり",
            Form::F5 => "事業費",
        }
    }

    /// True for forms due every month (F5 is yearly).
    pub fn is_monthly(self) -> bool {
        !matches!(self, Form::F5)
    }
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whether a figure counts events in the month (sums over months), is a
/// head count at month end, or a running total (neither is summed over months).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Events in the month: sums over months and agencies.
    Flow,
    /// A stock (実人数 carried over, 月末, staff): the year shows the last month.
    Stock,
    /// A running total (累計) of a flow since the plan period began: it grows
    /// each month by that month's flow ([`Metric::accumulates`]) and, like a
    /// stock, the year shows the last month. It sums over agencies and keys
    /// (the city's 累計 is the sum of the agencies'), never over months.
    Cumulative,
}

macro_rules! metrics {
    ($( $variant:ident => ($code:literal, $form:ident, $project:literal, $kind:ident, $ja:literal) ),* $(,)?) => {
        /// A metric code of spec §6.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric { $( #[doc = $ja] $variant, )* }

        impl Metric {
            /// Every metric, in the order of spec §6.
            pub const ALL: &'static [Metric] = &[ $( Metric::$variant, )* ];

            /// The interface code written to `records.csv`.
            pub fn code(self) -> &'static str { match self { $( Metric::$variant => $code, )* } }
            /// The form that reports it.
            pub fn form(self) -> Form { match self { $( Metric::$variant => Form::$form, )* } }
            /// The project (the law's numbering, 1–6) the figure belongs to.
            pub fn project(self) -> u8 { match self { $( Metric::$variant => $project, )* } }
            /// Flow or stock.
            pub fn kind(self) -> Kind { match self { $( Metric::$variant => Kind::$kind, )* } }
            /// The programme's Japanese name of the figure, for workbook headings.
            pub fn name_ja(self) -> &'static str { match self { $( Metric::$variant => $ja, )* } }
        }
    };
}

metrics! {
    NewPersons => ("new_persons", F1, 1, Flow, "新規相談者数（実人数）"),
    ContinuingPersons => ("continuing_persons", F1, 1, Stock, "継続相談者数（実人数）"),
    Consultations => ("consultations", F1, 1, Flow, "延べ相談件数"),
    Visits => ("visits", F1, 1, Flow, "うち訪問・同行"),
    ComplexCases => ("complex_cases", F1, 1, Flow, "うち複合的な課題を抱える相談"),
    ReferralsMultiAgency => ("referrals_multi_agency", F1, 1, Flow, "多機関協働事業へのつなぎ件数"),
    ReferralsOther => ("referrals_other", F1, 1, Flow, "他の支援関係機関へのつなぎ件数"),
    MeetingAttendance => ("meeting_attendance", F1, 1, Flow, "重層支援会議への出席回数"),
    MeetingsWithConsent => ("meetings_with_consent", F2, 5, Flow, "重層的支援会議 開催回数"),
    CasesWithConsent => ("cases_with_consent", F2, 5, Flow, "重層的支援会議 検討事案件数"),
    MeetingsWithoutConsent => ("meetings_without_consent", F2, 5, Flow, "支援会議 開催回数"),
    CasesWithoutConsent => ("cases_without_consent", F2, 5, Flow, "支援会議 検討事案件数"),
    PlansCreated => ("plans_created", F2, 6, Flow, "支援プラン新規作成件数"),
    PlansReviewed => ("plans_reviewed", F2, 6, Flow, "プラン評価件数"),
    PlansClosed => ("plans_closed", F2, 6, Flow, "支援終結件数"),
    ReferralsReceived => ("referrals_received", F2, 5, Flow, "つなぎ受付件数"),
    // Staff serve projects 2 and 4 at once (兼務); they are counted once, under 4.
    Staff => ("staff", F3, 4, Stock, "支援員数"),
    OutreachActive => ("outreach_active", F3, 4, Stock, "継続支援対象者数（月末）"),
    OutreachNew => ("outreach_new", F3, 4, Flow, "新規把握件数"),
    OutreachVisits => ("outreach_visits", F3, 4, Flow, "訪問・同行件数"),
    OutreachClosed => ("outreach_closed", F3, 4, Flow, "支援終結件数"),
    ParticipationActive => ("participation_active", F3, 2, Stock, "支援対象者数（月末）"),
    ParticipationMatches => ("participation_matches", F3, 2, Flow, "マッチング件数"),
    ParticipationFollowups => ("participation_followups", F3, 2, Flow, "定着支援件数"),
    ParticipationHostsDeveloped => ("participation_hosts_developed", F3, 2, Flow, "受入先開拓件数"),
    Sessions => ("sessions", F4, 3, Flow, "開催回数"),
    Participants => ("participants", F4, 3, Flow, "参加者数（延べ）"),
    NewActivities => ("new_activities", F4, 3, Flow, "新たに生まれた・充実した地域活動数"),
    CoordinatedInitiatives => ("coordinated_initiatives", F4, 3, Flow, "地域支え合い活動調整会議を通じて支援した取組数"),
    VolunteerConsultations => ("volunteer_consultations", F4, 3, Flow, "ボランティアセンター相談対応件数"),
    ConnectionParticipants => ("connection_participants", F4, 3, Flow, "つながりを促進する場への参加者数"),
    TotalCost => ("total_cost", F5, 0, Flow, "総事業費"),
    OtherIncome => ("other_income", F5, 0, Flow, "寄付金その他の収入額"),
    EligibleExpenditure => ("eligible_expenditure", F5, 0, Flow, "対象経費の実支出額"),
    // Running totals (累計) the plan's indicators are stated in (spec §5); added
    // at the end so the codes and order above stay as spec §6 lists them.
    OutreachClosedCumulative => ("outreach_closed_cumulative", F3, 4, Cumulative, "支援終結件数（累計）"),
    NewActivitiesCumulative => ("new_activities_cumulative", F4, 3, Cumulative, "新たに生まれた・充実した地域活動数（累計）"),
    CoordinatedInitiativesCumulative => ("coordinated_initiatives_cumulative", F4, 3, Cumulative, "地域支え合い活動調整会議を通じて支援した取組等の数（累計）"),
}

impl Metric {
    /// Looks a metric up by its interface code.
    pub fn from_code(code: &str) -> Option<Metric> {
        Metric::ALL.iter().copied().find(|m| m.code() == code)
    }

    /// For a running total (累計), the monthly flow it grows by; `None` for
    /// every other metric. The `cumulative_mismatch` rule checks
    /// 累計(M) = 累計(M−1) + flow(M) with this pairing.
    pub fn accumulates(self) -> Option<Metric> {
        match self {
            Metric::OutreachClosedCumulative => Some(Metric::OutreachClosed),
            Metric::NewActivitiesCumulative => Some(Metric::NewActivities),
            Metric::CoordinatedInitiativesCumulative => Some(Metric::CoordinatedInitiatives),
            _ => None,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The field codes of spec §6, with the programme's Japanese names.
pub const FIELDS: &[(&str, &str)] = &[
    ("elderly", "高齢"),
    ("disability", "障害"),
    ("child", "子ども"),
    ("poverty", "生活困窮"),
    ("cross", "横断"),
];

/// The projects of the programme (spec §1: the law's numbering), with their
/// Japanese names as the subsidy forms write them.
pub const PROJECTS: &[(u8, &str)] = &[
    (1, "包括的相談支援事業"),
    (2, "参加支援事業"),
    (3, "地域づくり事業"),
    (4, "アウトリーチ等を通じた継続的支援事業"),
    (5, "多機関協働事業"),
    (6, "支援プラン作成"),
];

/// The Japanese name of a project code (`5` → `多機関協働事業`); empty if unknown.
pub fn project_name_ja(project: u8) -> &'static str {
    PROJECTS
        .iter()
        .find(|(p, _)| *p == project)
        .map_or("", |(_, ja)| *ja)
}

/// The F1 attribute codes of spec §6 (the row key), with Japanese names.
pub const ATTRIBUTES: &[(&str, &str)] = &[
    ("elderly", "高齢者"),
    ("disability", "障害者"),
    ("child", "子ども・子育て"),
    ("poverty", "生活困窮"),
    ("other", "その他"),
];

/// The Japanese name of an F1 attribute code (`poverty` → `生活困窮`).
pub fn attribute_name_ja(code: &str) -> &str {
    ATTRIBUTES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, ja)| *ja)
        .unwrap_or(code)
}

/// The Japanese name of a field code (`elderly` → `高齢`).
pub fn field_name_ja(code: &str) -> &str {
    FIELDS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, ja)| *ja)
        .unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_monthly_metric_belongs_to_a_named_project() {
        for m in Metric::ALL.iter().filter(|m| m.form().is_monthly()) {
            assert!(!project_name_ja(m.project()).is_empty(), "{m}");
        }
        assert_eq!(project_name_ja(9), "");
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_code(m.code()), Some(*m));
        }
        let mut codes: Vec<_> = Metric::ALL.iter().map(|m| m.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Metric::ALL.len());
    }

    #[test]
    fn stocks_are_the_ones_spec_names() {
        let stocks: Vec<_> = Metric::ALL
            .iter()
            .filter(|m| m.kind() == Kind::Stock)
            .map(|m| m.code())
            .collect();
        assert_eq!(
            stocks,
            [
                "continuing_persons",
                "staff",
                "outreach_active",
                "participation_active"
            ]
        );
    }

    #[test]
    fn every_running_total_accumulates_a_flow_of_its_own_form() {
        for m in Metric::ALL {
            match m.accumulates() {
                Some(flow) => {
                    assert_eq!(m.kind(), Kind::Cumulative, "{m}");
                    assert_eq!(flow.kind(), Kind::Flow, "{m}");
                    assert_eq!(
                        (flow.form(), flow.project()),
                        (m.form(), m.project()),
                        "{m}"
                    );
                }
                None => assert_ne!(m.kind(), Kind::Cumulative, "{m}"),
            }
        }
    }
}
