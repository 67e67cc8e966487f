//! `inconsistent_figures`: the rules inside one F1 row (spec §3):
//! visits ≤ consultations, complex cases ≤ consultations, and new + continuing
//! persons ≤ consultations (each person consulted at least once).

use super::Month;
use crate::core::{Finding, Form, Metric, Record, Rule, Severity};
use std::collections::BTreeMap;

/// Checks the F1 rows of every accepted return.
pub fn check(m: &Month<'_>, findings: &mut Vec<Finding>) {
    let mut rows: BTreeMap<(&str, &str), BTreeMap<Metric, &Record>> = BTreeMap::new();
    for r in m
        .records
        .iter()
        .filter(|r| r.form == Form::F1 && !r.key.is_empty())
    {
        rows.entry((&r.agency_code, &r.key))
            .or_default()
            .insert(r.metric, r);
    }
    for ((agency, key), row) in rows {
        let Some(cons) = row.get(&Metric::Consultations) else {
            continue;
        };
        let mut flag = |parts: &[Metric], what: &str| {
            let got: Vec<&&Record> = parts.iter().filter_map(|p| row.get(p)).collect();
            let sum: u64 = got.iter().map(|r| r.value).sum();
            if sum > cons.value {
                findings.push(
                    Finding::new(
                        m.month,
                        Severity::Error,
                        Rule::InconsistentFigures,
                        format!("属性「{}」の{what}（{sum}）が延べ相談件数（{}）を超えています (exceeds consultations)", crate::core::metric::attribute_name_ja(key), cons.value),
                    )
                    .agency(agency)
                    .figures(format!("≤ {}", cons.value), sum)
                    .at_all(got.iter().map(|r| r.source.clone()).chain([cons.source.clone()]))
                );
            }
        };
        flag(&[Metric::Visits], "うち訪問・同行");
        flag(&[Metric::ComplexCases], "うち複合的な課題を抱える相談");
        flag(
            &[Metric::NewPersons, Metric::ContinuingPersons],
            "新規＋継続相談者数",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::reconcile::testing::*;

    #[test]
    fn visits_above_consultations_is_flagged_with_both_cells() {
        let ret = f1_return(
            "AGY-01",
            &[("elderly", "consultations", 5), ("elderly", "visits", 6)],
        );
        let findings = run_rules(&[ret], &["AGY-01"]);
        let f = only(&findings, "inconsistent_figures");
        assert_eq!(f.sources.len(), 2);
        assert_eq!(f.actual, "6");
    }

    #[test]
    fn persons_within_consultations_are_fine() {
        let ret = f1_return(
            "AGY-01",
            &[
                ("elderly", "consultations", 5),
                ("elderly", "new_persons", 2),
                ("elderly", "continuing_persons", 3),
            ],
        );
        assert!(run_rules(&[ret], &["AGY-01"])
            .iter()
            .all(|f| f.rule.code() != "inconsistent_figures"));
    }
}
