//! `referral_mismatch`: for each agency, the 多機関協働事業へのつなぎ件数 in its
//! F1 must equal the 受付件数 the centres report for it in their F2.
//!
//! When a centre's return is missing or held back, the received side is
//! incomplete: a shortfall then cannot be judged (reported as `info`), while
//! an excess is still an error, since more returns can only add to it.

use super::Month;
use crate::core::{Finding, Form, Metric, Record, Rule, Severity};
use std::collections::BTreeMap;

/// Compares referrals sent (F1) with referrals received (F2).
pub fn check(m: &Month<'_>, findings: &mut Vec<Finding>) {
    let centres_incomplete = m.form_incomplete(Form::F2);
    let mut received: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in m
        .records
        .iter()
        .filter(|r| r.metric == Metric::ReferralsReceived)
    {
        received.entry(r.key.as_str()).or_default().push(r);
    }
    for a in m.accepted.iter().filter(|a| a.ret.form == Form::F1) {
        let code = a.agency.code.as_str();
        let sent = m.sum(code, Metric::ReferralsMultiAgency);
        let got = received.remove(code).unwrap_or_default();
        let total: u64 = got.iter().map(|r| r.value).sum();
        if sent == total {
            continue;
        }
        let sources = m
            .records_of(code)
            .iter()
            .filter(|r| r.metric == Metric::ReferralsMultiAgency && r.value > 0)
            .chain(got.iter().copied())
            .map(|r| r.source.clone());
        let (severity, note) = if centres_incomplete && total < sent {
            (Severity::Info, "（多機関協働事業（様式F2）の報告に未提出・保留があるため確認できません cannot check: a collaboration return is missing）")
        } else {
            (Severity::Error, "")
        };
        findings.push(
            Finding::new(
                m.month,
                severity,
                Rule::ReferralMismatch,
                format!("{}の多機関協働事業へのつなぎ件数は{sent}件ですが、受け付けた側の報告では{total}件です{note} (referrals sent ≠ received)", a.agency.name),
            )
            .agency(code)
            .figures(sent, total)
            .at_all(sources),
        );
    }
    // Referrals received from agencies whose F1 is not consolidated.
    for (sender, recs) in received {
        let total: u64 = recs.iter().map(|r| r.value).sum();
        let (severity, rule, message) = match m.registry.agency(sender) {
            None => (
                Severity::Error,
                Rule::UnknownAgency,
                format!("つなぎ受付の送付元機関コード「{sender}」は登録にありません (unknown sending agency)"),
            ),
            Some(ag) if ag.form != Some(Form::F1) => continue,
            Some(ag) => (
                Severity::Info,
                Rule::ReferralMismatch,
                format!("{}の報告が集計されていないため、受付{total}件と照合できません (cannot check: sender's return not consolidated)", ag.name),
            ),
        };
        findings.push(
            Finding::new(m.month, severity, rule, message)
                .agency(sender)
                .figures("", total)
                .at_all(recs.iter().map(|r| r.source.clone())),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::reconcile::testing::*;

    #[test]
    fn sent_and_received_must_agree() {
        let f1 = f1_return("AGY-01", &[("elderly", "referrals_multi_agency", 3)]);
        let f2 = f2_return("HUB-01", &[("AGY-01", 2)], &[]);
        let findings = run_rules(&[f1, f2], &["AGY-01", "HUB-01"]);
        let f = only(&findings, "referral_mismatch");
        assert_eq!(
            (f.expected.as_str(), f.actual.as_str(), f.sources.len()),
            ("3", "2", 2)
        );
        assert_eq!(f.severity.code(), "error");
    }

    #[test]
    fn agreement_is_silent() {
        let f1 = f1_return("AGY-01", &[("elderly", "referrals_multi_agency", 2)]);
        let f2 = f2_return("HUB-01", &[("AGY-01", 2)], &[]);
        let findings = run_rules(&[f1, f2], &["AGY-01", "HUB-01"]);
        assert!(
            findings
                .iter()
                .all(|f| f.rule.code() != "referral_mismatch"),
            "{findings:?}"
        );
    }

    #[test]
    fn a_missing_centre_makes_a_shortfall_info_not_error() {
        let f1 = f1_return("AGY-01", &[("elderly", "referrals_multi_agency", 3)]);
        let findings = run_rules(&[f1], &["AGY-01", "HUB-01"]);
        assert_eq!(only(&findings, "referral_mismatch").severity.code(), "info");
    }
}
