//! Stage 3 — reconcile: the month's returns taken together.
//!
//! First [`submission`] decides which returns count (known agency, right
//! month, one per unit, corrections replacing originals) and which units are
//! missing. The accepted returns become [`Record`]s and [`CaseRow`]s. Then
//! every rule of [`RULES`] looks at the whole month and adds findings. A rule
//! lives in one module; adding one means adding it to [`RULES`].
//!
//! The reconciler reads no files: it sees only normalized returns, the
//! registry and, for running totals (累計), the month before as the pipeline
//! loaded it from `out/` ([`PriorMonth`]).

pub mod cumulative;
pub mod figures;
pub mod meetings;
pub mod referrals;
pub mod screen;
pub mod submission;
pub mod totals;
pub mod waivers;

use crate::core::{Agency, CaseRow, Finding, Form, Metric, Record, Registry, YearMonth};
use crate::normalize::Return;
pub use cumulative::{PriorFigure, PriorFigures, PriorMonth};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
pub use submission::{Status, UnitStatus, Unreadable};

/// An accepted return with its place in the registry.
#[derive(Debug, Clone, Copy)]
pub struct Accepted<'a> {
    /// The normalized return.
    pub ret: &'a Return,
    /// Its agency.
    pub agency: &'a crate::core::Agency,
}

/// Everything the rules look at.
pub struct Month<'a> {
    /// The batch month.
    pub month: YearMonth,
    /// The registry.
    pub registry: &'a Registry,
    /// Returns accepted for consolidation, in file order.
    pub accepted: Vec<Accepted<'a>>,
    /// Agencies whose return exists but was held back (their figures are
    /// unknown: cross-checks involving them cannot be made).
    pub held_back: Vec<String>,
    /// The consolidated records.
    pub records: Vec<Record>,
    /// The consolidated case list.
    pub cases: Vec<CaseRow>,
    /// The month before, for running totals.
    pub previous: &'a PriorMonth,
    /// Where each accepted agency's records and cases sit: one accepted
    /// return per agency makes them contiguous, so rules look an agency up
    /// without scanning the month.
    spans: HashMap<&'a str, (Range<usize>, Range<usize>)>,
}

impl Month<'_> {
    /// The records of an accepted agency (empty if none).
    pub fn records_of(&self, agency: &str) -> &[Record] {
        self.spans
            .get(agency)
            .map_or(&[][..], |(r, _)| &self.records[r.clone()])
    }

    /// The case-list rows of an accepted centre (empty if none).
    pub fn cases_of(&self, centre: &str) -> &[CaseRow] {
        self.spans
            .get(centre)
            .map_or(&[][..], |(_, c)| &self.cases[c.clone()])
    }

    /// Sum of one metric over an agency's records.
    pub fn sum(&self, agency: &str, metric: Metric) -> u64 {
        self.records_of(agency)
            .iter()
            .filter(|r| r.metric == metric)
            .map(|r| r.value)
            .sum()
    }

    /// True when a unit owing the form did not have a return accepted: a
    /// cross-check against that form's figures is then incomplete.
    pub fn form_incomplete(&self, form: Form) -> bool {
        self.registry
            .monthly_reporters()
            .filter(|a| a.form == Some(form))
            .any(|a| !self.spans.contains_key(a.code.as_str()))
    }
}

/// A rule over the whole month.
pub type RuleFn = fn(&Month<'_>, &mut Vec<Finding>);

/// The cross-return rules, in the order their findings are joined (they run
/// side by side; the findings are then sorted).
pub const RULES: &[(&str, RuleFn)] = &[
    ("totals", totals::check),
    ("figures", figures::check),
    ("referrals", referrals::check),
    ("meetings", meetings::check),
    ("cumulative", cumulative::check),
];

/// The month, reconciled.
pub struct Outcome {
    /// Records of accepted returns, in a stable order.
    pub records: Vec<Record>,
    /// Case lists of accepted returns.
    pub cases: Vec<CaseRow>,
    /// Every finding, in a stable order.
    pub findings: Vec<Finding>,
    /// One line per registry unit (and per unknown agency).
    pub statuses: Vec<UnitStatus>,
}

impl Outcome {
    /// Sets each status line's number of findings about its agency; called
    /// again when findings are added after reconciling (unreadable files).
    pub fn count_findings(&mut self) {
        let mut per_agency: HashMap<&str, usize> = HashMap::new();
        for f in &self.findings {
            *per_agency.entry(f.agency_code.as_str()).or_default() += 1;
        }
        for s in &mut self.statuses {
            s.findings = per_agency.get(s.agency_code.as_str()).copied().unwrap_or(0);
        }
    }
}

/// The form a unit owes every month: its registry form when it reports and
/// the form is monthly.
pub fn monthly_form(a: &Agency) -> Option<Form> {
    a.form.filter(|f| a.reports && f.is_monthly())
}

/// The form every reporting unit owes once a fiscal year: F5 (costs).
pub fn yearly_costs_form(a: &Agency) -> Option<Form> {
    a.reports.then_some(Form::F5)
}

/// Reconciles a month's returns, knowing nothing of the month before (its
/// running totals are then reported as not checked).
pub fn reconcile(month: YearMonth, registry: &Registry, returns: &[Return]) -> Outcome {
    reconcile_after(month, registry, returns, &PriorMonth::not_given(month))
}

/// Reconciles a month's returns, with the month before as consolidated earlier.
pub fn reconcile_after(
    month: YearMonth,
    registry: &Registry,
    returns: &[Return],
    previous: &PriorMonth,
) -> Outcome {
    reconcile_for(month, registry, returns, &[], &monthly_form, previous)
}

/// [`reconcile_after`], knowing which agencies sent files that could not be
/// read: those are 届いたが読めない, not missing.
pub fn reconcile_received(
    month: YearMonth,
    registry: &Registry,
    returns: &[Return],
    unreadable: &[Unreadable],
    previous: &PriorMonth,
) -> Outcome {
    reconcile_for(
        month,
        registry,
        returns,
        unreadable,
        &monthly_form,
        previous,
    )
}

/// Reconciles returns against the form each unit owes (`expected_form`):
/// the monthly batch, or a fiscal year's F5 costs (with `month` the year's
/// last month).
pub fn reconcile_for(
    month: YearMonth,
    registry: &Registry,
    returns: &[Return],
    unreadable: &[Unreadable],
    expected_form: &dyn Fn(&Agency) -> Option<Form>,
    previous: &PriorMonth,
) -> Outcome {
    let mut findings = Vec::new();
    let sub = submission::decide(
        month,
        registry,
        returns,
        expected_form,
        unreadable,
        &mut findings,
    );
    // Each return's rows are made on any thread, then laid end to end in
    // the order of the accepted returns.
    let rows: Vec<(Vec<Record>, Vec<CaseRow>)> = sub
        .accepted
        .par_iter()
        .map(|a| (to_records(month, a), to_cases(month, a)))
        .collect();
    let mut records = Vec::with_capacity(rows.iter().map(|(r, _)| r.len()).sum());
    let mut cases = Vec::new();
    let mut spans = HashMap::new();
    for (a, (r, c)) in sub.accepted.iter().zip(rows) {
        let (r0, c0) = (records.len(), cases.len());
        records.extend(r);
        cases.extend(c);
        spans.insert(a.agency.code.as_str(), (r0..records.len(), c0..cases.len()));
    }
    let data = Month {
        month,
        registry,
        accepted: sub.accepted,
        held_back: sub.held_back,
        records,
        cases,
        previous,
        spans,
    };
    // The rules read the month and only add findings: they run side by
    // side, and their findings are joined in the order of RULES.
    let found: Vec<Vec<Finding>> = RULES
        .par_iter()
        .map(|(_, rule)| {
            let mut found = Vec::new();
            rule(&data, &mut found);
            found
        })
        .collect();
    findings.extend(found.into_iter().flatten());
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut outcome = Outcome {
        records: data.records,
        cases: data.cases,
        findings,
        statuses: sub.statuses,
    };
    outcome.count_findings();
    outcome
}

fn to_records(month: YearMonth, a: &Accepted<'_>) -> Vec<Record> {
    a.ret
        .figures
        .iter()
        .map(|f| Record {
            month,
            agency_code: a.agency.code.clone(),
            area_code: f.area.clone().unwrap_or_else(|| a.agency.area_code()),
            // F5 rows carry their project as the key (1–6).
            project: if f.metric.form() == Form::F5 {
                f.key.parse().unwrap_or(0)
            } else {
                f.metric.project()
            },
            field: f.field.clone().unwrap_or_else(|| a.agency.field.clone()),
            form: a.ret.form,
            key: f.key.clone(),
            metric: f.metric,
            value: f.value,
            source: f.source.clone(),
        })
        .collect()
}

fn to_cases(month: YearMonth, a: &Accepted<'_>) -> Vec<CaseRow> {
    a.ret
        .cases
        .iter()
        .map(|c| CaseRow {
            month,
            center_code: a.agency.code.clone(),
            case_id: c.case_id.clone(),
            meeting_kind: c.meeting_kind,
            meeting_date: c.meeting_date.clone(),
            issues: c.issues.clone(),
            participants: c.participants.clone(),
            lead_agency: c.lead_agency.clone(),
            roles: c.roles.clone(),
            source: c.source.clone(),
        })
        .collect()
}

/// Small builders for the rule tests: returns made in code, so each rule is
/// tested on exactly the figures it needs.
#[cfg(test)]
pub(crate) mod testing {
    use crate::core::{
        Agency, Area, Finding, Form, Location, MeetingKind, Metric, Registry, YearMonth,
    };
    use crate::normalize::{CaseLine, Figure, HeaderValue, Return, StatedTotal};

    pub fn april() -> YearMonth {
        YearMonth::new(2025, 4).expect("valid month")
    }

    /// Agencies named `HUB-*` report F2, `SWC-*` F3, `COM-*` F4, every
    /// other one F1; all in area A1.
    pub fn registry(codes: &[&str]) -> Registry {
        let areas = vec![Area {
            code: "A1".into(),
            name: "一区".into(),
            kind: "区".into(),
            municipal_code: String::new(),
        }];
        let agencies = codes
            .iter()
            .map(|c| Agency {
                code: c.to_string(),
                name: format!("機関{c}"),
                agency_type: String::new(),
                projects: vec![1],
                field: "elderly".into(),
                areas: vec!["A1".into()],
                operation: String::new(),
                form: Some(if c.starts_with("HUB") {
                    Form::F2
                } else if c.starts_with("SWC") {
                    Form::F3
                } else if c.starts_with("COM") {
                    Form::F4
                } else {
                    Form::F1
                }),
                reports: true,
            })
            .collect();
        Registry::new(areas, agencies)
    }

    fn empty_return(code: &str, form: Form) -> Return {
        let file = format!("{code}.xlsx");
        let mut ret = Return::empty(&file, "", form, "S");
        ret.agency_code = Some(HeaderValue {
            value: code.into(),
            text: code.into(),
            source: Location::cell(&file, "S", 3, 1),
        });
        ret.month = Some(HeaderValue {
            value: april(),
            text: "2025-04".into(),
            source: Location::cell(&file, "S", 2, 1),
        });
        ret
    }

    pub trait WithFigures {
        fn with_figures(self, figs: &[(&str, &str, u64)]) -> Return;
    }

    impl WithFigures for Return {
        fn with_figures(mut self, figs: &[(&str, &str, u64)]) -> Return {
            for (i, (key, metric, value)) in figs.iter().enumerate() {
                let row = 10 + self.figures.len() as u32 + i as u32;
                self.figures.push(Figure {
                    key: key.to_string(),
                    metric: Metric::from_code(metric).expect("known metric"),
                    value: *value,
                    area: None,
                    field: None,
                    source: Location::cell(&self.file, "S", row, 2),
                });
            }
            self
        }
    }

    /// A return of any form with these (key, metric, value) figures.
    pub fn return_of(code: &str, form: Form, figs: &[(&str, &str, u64)]) -> Return {
        empty_return(code, form).with_figures(figs)
    }

    pub fn f1_return(code: &str, figs: &[(&str, &str, u64)]) -> Return {
        empty_return(code, Form::F1).with_figures(figs)
    }

    pub fn f2_return(
        code: &str,
        referrals: &[(&str, u64)],
        cases: &[(&str, &str, &[&str])],
    ) -> Return {
        let figs: Vec<(&str, &str, u64)> = referrals
            .iter()
            .map(|(k, v)| (*k, "referrals_received", *v))
            .collect();
        let mut ret = empty_return(code, Form::F2).with_figures(&figs);
        for (i, (kind, date, participants)) in cases.iter().enumerate() {
            ret.cases.push(CaseLine {
                case_id: format!("K{i}"),
                meeting_kind: if *kind == "consent" {
                    MeetingKind::Consent
                } else {
                    MeetingKind::NoConsent
                },
                meeting_date: date.to_string(),
                issues: vec!["就労".into()],
                participants: participants.iter().map(|p| p.to_string()).collect(),
                lead_agency: participants[0].to_string(),
                roles: Vec::new(),
                source: Location::cell(&ret.file, "S", 40 + i as u32, 0),
                participants_source: Location::cell(&ret.file, "S", 40 + i as u32, 4),
            });
        }
        ret
    }

    pub fn total(metric: &str, stated: u64, parts_sum: u64) -> StatedTotal {
        StatedTotal {
            metric: Metric::from_code(metric).expect("known metric"),
            stated,
            parts_sum,
            source: Location::cell("t.xlsx", "S", 20, 3),
        }
    }

    pub fn run_rules(returns: &[Return], codes: &[&str]) -> Vec<Finding> {
        super::reconcile(april(), &registry(codes), returns).findings
    }

    /// [`run_rules`] with the month before known.
    pub fn run_rules_after(
        returns: &[Return],
        codes: &[&str],
        previous: &super::PriorMonth,
    ) -> Vec<Finding> {
        super::reconcile_after(april(), &registry(codes), returns, previous).findings
    }

    /// The one finding of a rule; fails listing all findings otherwise.
    pub fn only<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
        let hits: Vec<&Finding> = findings.iter().filter(|f| f.rule.code() == rule).collect();
        assert_eq!(hits.len(), 1, "expected one {rule}, got:\n{findings:#?}");
        hits[0]
    }
}
