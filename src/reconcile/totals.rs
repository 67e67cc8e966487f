//! `total_mismatch`: a 合計 row must equal the sum of the rows above it.
//! Totals are checked here and never copied into the records.

use super::Month;
use crate::core::{Finding, Rule, Severity};

/// Checks every total row of every accepted return.
pub fn check(m: &Month<'_>, findings: &mut Vec<Finding>) {
    for a in &m.accepted {
        for t in &a.ret.totals {
            if t.stated != t.parts_sum {
                findings.push(
                    Finding::new(
                        m.month,
                        Severity::Error,
                        Rule::TotalMismatch,
                        format!(
                            "合計行の「{}」が{}ですが、上の行の合計は{}です (total row differs from the sum of its rows)",
                            t.metric.name_ja(),
                            t.stated,
                            t.parts_sum
                        ),
                    )
                    .agency(&a.agency.code)
                    .figures(t.parts_sum, t.stated)
                    .at(t.source.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::reconcile::testing::*;

    #[test]
    fn flags_a_total_that_is_not_the_sum() {
        let mut ret = f1_return(
            "AGY-01",
            &[
                ("elderly", "consultations", 10),
                ("disability", "consultations", 5),
            ],
        );
        ret.totals.push(total("consultations", 16, 15));
        let findings = run_rules(&[ret], &["AGY-01"]);
        let f = only(&findings, "total_mismatch");
        assert_eq!((f.expected.as_str(), f.actual.as_str()), ("15", "16"));
    }

    #[test]
    fn a_right_total_is_silent() {
        let mut ret = f1_return("AGY-01", &[("elderly", "consultations", 10)]);
        ret.totals.push(total("consultations", 10, 10));
        assert!(run_rules(&[ret], &["AGY-01"])
            .iter()
            .all(|f| f.rule.code() != "total_mismatch"));
    }
}
