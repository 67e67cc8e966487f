//! Support meetings (spec §4): each centre's F2 §1 counts against its own case
//! list (`case_count_mismatch`, `meeting_count_mismatch`); every agency named
//! in a case list exists (`unknown_participant`); and each agency's 出席回数
//! in its F1 equals the meetings whose case list names it
//! (`attendance_mismatch`). A meeting is one (centre, kind, date).

use super::Month;
use crate::core::{Finding, Form, MeetingKind, Metric, Rule, Severity};
use std::collections::{BTreeMap, BTreeSet};

/// Checks meetings, case lists and attendance.
pub fn check(m: &Month<'_>, findings: &mut Vec<Finding>) {
    for a in m.accepted.iter().filter(|a| a.ret.form == Form::F2) {
        let code = a.agency.code.as_str();
        let cases = m.cases_of(code);
        for (kind, meetings_metric, cases_metric) in [
            (
                MeetingKind::Consent,
                Metric::MeetingsWithConsent,
                Metric::CasesWithConsent,
            ),
            (
                MeetingKind::NoConsent,
                Metric::MeetingsWithoutConsent,
                Metric::CasesWithoutConsent,
            ),
        ] {
            let rows: Vec<_> = cases.iter().filter(|c| c.meeting_kind == kind).collect();
            let dates: BTreeSet<&str> = rows.iter().map(|c| c.meeting_date.as_str()).collect();
            let stated_cell = |metric| {
                m.records_of(code)
                    .iter()
                    .find(|r| r.metric == metric)
                    .map(|r| r.source.clone())
            };
            for (rule, metric, listed, what) in [
                (
                    Rule::CaseCountMismatch,
                    cases_metric,
                    rows.len(),
                    "検討事案件数",
                ),
                (
                    Rule::MeetingCountMismatch,
                    meetings_metric,
                    dates.len(),
                    "開催回数",
                ),
            ] {
                let stated = m.sum(code, metric);
                if stated != listed as u64 {
                    findings.push(
                        Finding::new(
                            m.month,
                            Severity::Error,
                            rule,
                            format!("{}の{}は{stated}ですが、検討事案一覧では{listed}です (differs from the case list)", kind.name_ja(), what),
                        )
                        .agency(code)
                        .figures(listed, stated)
                        .at_all(stated_cell(metric))
                        .at_all(rows.iter().map(|c| c.source.clone())),
                    );
                }
            }
        }
    }
    // Meetings that name each agency.
    let mut attended: BTreeMap<&str, BTreeSet<(&str, MeetingKind, &str)>> = BTreeMap::new();
    let mut unknown: BTreeMap<&str, Vec<&crate::core::CaseRow>> = BTreeMap::new();
    for c in &m.cases {
        let named = c.participants.iter().chain(std::iter::once(&c.lead_agency));
        for p in named.chain(c.roles.iter().map(|(code, _)| code)) {
            if p.is_empty() {
                continue;
            }
            if m.registry.agency(p).is_none() {
                unknown.entry(p).or_default().push(c);
                continue;
            }
            attended.entry(p).or_default().insert((
                &c.center_code,
                c.meeting_kind,
                &c.meeting_date,
            ));
        }
    }
    for (code, rows) in unknown {
        findings.push(
            Finding::new(
                m.month,
                Severity::Error,
                Rule::UnknownParticipant,
                format!("検討事案一覧の機関コード「{code}」は登録にありません (unknown agency in a case list)"),
            )
            .agency(rows[0].center_code.as_str())
            .figures("登録された機関コード", code)
            .at_all(rows.iter().map(|c| c.source.clone())),
        );
    }
    let centres_incomplete = m.form_incomplete(Form::F2);
    for a in m.accepted.iter().filter(|a| a.ret.form == Form::F1) {
        let code = a.agency.code.as_str();
        let Some(stated_rec) = m
            .records_of(code)
            .iter()
            .find(|r| r.metric == Metric::MeetingAttendance)
        else {
            continue;
        };
        let named = attended.get(code).map_or(0, BTreeSet::len) as u64;
        if named == stated_rec.value {
            continue;
        }
        let severity = if centres_incomplete && named < stated_rec.value {
            Severity::Info
        } else {
            Severity::Error
        };
        let case_cells = m
            .cases
            .iter()
            .filter(|c| {
                c.participants.iter().any(|p| p == code)
                    || c.lead_agency == code
                    || c.roles.iter().any(|(r, _)| r == code)
            })
            .map(|c| c.source.clone());
        findings.push(
            Finding::new(
                m.month,
                severity,
                Rule::AttendanceMismatch,
                format!(
                    "{}の重層支援会議への出席回数は{}回ですが、検討事案一覧で参加機関として記載された会議は{named}回です{} (attendance ≠ meetings naming the agency)",
                    a.agency.name,
                    stated_rec.value,
                    if severity == Severity::Info { "（多機関協働事業（様式F2）の報告に未提出・保留があるため確認できません）" } else { "" }
                ),
            )
            .agency(code)
            .figures(named, stated_rec.value)
            .at(stated_rec.source.clone())
            .at_all(case_cells),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::reconcile::testing::*;

    #[test]
    fn case_count_and_attendance_follow_the_case_list() {
        let f1 = f1_return("AGY-01", &[("", "meeting_attendance", 2)]);
        // One consent meeting on 04-10 with two cases naming AGY-01; the
        // return claims 3 cases.
        let f2 = f2_return(
            "HUB-01",
            &[],
            &[
                ("consent", "2025-04-10", &["HUB-01", "AGY-01"]),
                ("consent", "2025-04-10", &["HUB-01", "AGY-01"]),
            ],
        )
        .with_figures(&[
            ("", "cases_with_consent", 3),
            ("", "meetings_with_consent", 1),
        ]);
        let findings = run_rules(&[f1, f2], &["AGY-01", "HUB-01"]);
        let c = only(&findings, "case_count_mismatch");
        assert_eq!((c.expected.as_str(), c.actual.as_str()), ("2", "3"));
        let a = only(&findings, "attendance_mismatch");
        assert_eq!((a.expected.as_str(), a.actual.as_str()), ("1", "2"));
    }

    #[test]
    fn unknown_participant_is_named() {
        let f2 = f2_return(
            "HUB-01",
            &[],
            &[("no_consent", "2025-04-11", &["HUB-01", "ZZZ-99"])],
        )
        .with_figures(&[
            ("", "cases_without_consent", 1),
            ("", "meetings_without_consent", 1),
        ]);
        let findings = run_rules(&[f2], &["HUB-01"]);
        assert_eq!(only(&findings, "unknown_participant").actual, "ZZZ-99");
    }
}
