//! Waivers (`mappings/<city>/waivers.csv`): a finding staff acknowledged is
//! kept, marked waived with the reason and approver, and no longer counts as
//! open. A waiver that covers the month but has expired, or that matched no
//! finding, is reported so stale waivers do not pile up unseen.

use crate::core::{Finding, Location, Rule, Severity, YearMonth};
use crate::mapping::waivers::Waiver;

/// Marks the findings that waivers cover and reports expired and unused
/// waivers for the month.
pub fn apply(month: YearMonth, waivers: &[Waiver], findings: &mut Vec<Finding>) {
    let mut notes = Vec::new();
    for w in waivers.iter().filter(|w| w.covers(month)) {
        let here = Location::file(format!("waivers.csv:{}", w.line));
        if w.expired_for(month) {
            notes.push(
                Finding::new(
                    month,
                    Severity::Warning,
                    Rule::WaiverExpired,
                    format!(
                        "{}の免除（{}、{}）は期限 {} を過ぎているため適用していません (waiver expired)",
                        w.rule.code(),
                        w.agency_code,
                        w.reason,
                        w.until.map(|d| d.to_string()).unwrap_or_default()
                    ),
                )
                .agency(&w.agency_code)
                .at(here),
            );
            continue;
        }
        let mut used = false;
        for f in findings
            .iter_mut()
            .filter(|f| f.rule == w.rule && f.agency_code == w.agency_code && f.waiver.is_none())
        {
            f.waiver = Some(w.note());
            used = true;
        }
        if !used {
            notes.push(
                Finding::new(
                    month,
                    Severity::Info,
                    Rule::WaiverUnused,
                    format!(
                        "{}の免除（{}、{}）に該当する指摘は今月ありません (waiver matched nothing)",
                        w.rule.code(),
                        w.agency_code,
                        w.reason
                    ),
                )
                .agency(&w.agency_code)
                .at(here),
            );
        }
    }
    findings.extend(notes);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn waiver(rule: Rule, agency: &str, until: Option<NaiveDate>) -> Waiver {
        let m = YearMonth::new(2025, 4).unwrap();
        Waiver {
            line: 2,
            rule,
            agency_code: agency.into(),
            months: vec![(m, m.next())],
            reason: "休所".into(),
            approved_by: "課長".into(),
            until,
        }
    }

    #[test]
    fn a_waived_finding_stays_visible_and_marked() {
        let month = YearMonth::new(2025, 4).unwrap();
        let mut findings =
            vec![Finding::new(month, Severity::Error, Rule::MissingReturn, "x").agency("HUB-01")];
        apply(
            month,
            &[waiver(Rule::MissingReturn, "HUB-01", None)],
            &mut findings,
        );
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].waiver.as_deref(), Some("休所（承認: 課長）"));
        assert_eq!(findings[0].severity, Severity::Error);
    }

    #[test]
    fn expired_and_unused_waivers_are_reported() {
        let month = YearMonth::new(2025, 4).unwrap();
        let mut findings =
            vec![Finding::new(month, Severity::Error, Rule::MissingReturn, "x").agency("HUB-01")];
        let old = NaiveDate::from_ymd_opt(2025, 3, 31);
        apply(
            month,
            &[
                waiver(Rule::MissingReturn, "HUB-01", old),
                waiver(Rule::MissingReturn, "HUB-02", None),
            ],
            &mut findings,
        );
        assert!(
            findings[0].waiver.is_none()
                || findings
                    .iter()
                    .all(|f| f.rule != Rule::MissingReturn || f.waiver.is_none())
        );
        assert!(findings.iter().any(|f| f.rule == Rule::WaiverExpired));
        assert!(findings
            .iter()
            .any(|f| f.rule == Rule::WaiverUnused && f.agency_code == "HUB-02"));
    }
}
