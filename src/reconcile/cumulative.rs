//! `cumulative_mismatch`: a running total (累計) grows month by month by that
//! month's figure (spec §4). For each agency, row key and running total
//! reported in month M:
//!
//! 累計(M) = 累計(M−1) of the same agency and key + the flow it accumulates
//! ([`Metric::accumulates`]) summed over that agency and key in M.
//!
//! The month before comes from its `records.csv` under `out/`, loaded by the
//! pipeline and handed in as a [`PriorMonth`]: this module reads no files.
//!
//! What cannot be judged is never called a mismatch. When the month before
//! was not consolidated (or could not be read), when the agency had no 累計
//! for a key that month, or when this month's flow is blank (an optional
//! column left empty), the figure is not checked, and each agency gets one
//! `info` finding listing the rows left unchecked and why.
//!
//! Fiscal years: a 累計 of the plan's indicators runs over the whole plan
//! period, so March → April is checked like any other pair of months; there
//! is no reset at the start of a fiscal year.

use super::Month;
use crate::core::{Agency, Finding, Form, Location, Metric, Record, Rule, Severity, YearMonth};
use std::collections::BTreeMap;

/// One figure of the month before, as its `records.csv` has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorFigure {
    /// The reporting unit.
    pub agency_code: String,
    /// The row key (area code, site name …).
    pub key: String,
    /// What was counted.
    pub metric: Metric,
    /// The figure.
    pub value: u64,
    /// The cell it came from, in that month's return.
    pub source: Location,
}

/// What is known of the month before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriorFigures {
    /// No folder of earlier months was given (a single-return check).
    NotGiven,
    /// The month before has not been consolidated (`out/<YYYY-MM>/records.csv`
    /// is not there).
    Missing,
    /// Its `records.csv` is there but could not be read; the reason.
    Unreadable(String),
    /// Its running totals (only those are needed).
    Found(Vec<PriorFigure>),
}

/// The month before the batch month, for the running-total check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorMonth {
    /// The month before.
    pub month: YearMonth,
    /// Its figures, or why there are none.
    pub figures: PriorFigures,
}

impl PriorMonth {
    /// The month before `month`, not looked up.
    pub fn not_given(month: YearMonth) -> Self {
        PriorMonth {
            month: month.prev(),
            figures: PriorFigures::NotGiven,
        }
    }
}

/// Why a running total could not be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unchecked {
    /// Nothing is known of the month before.
    PriorMonthUnknown,
    /// The month before is known but has no 累計 of this agency and key.
    PriorFigureAbsent,
    /// This month's flow is blank for the key.
    FlowBlank,
}

/// Checks every running total of the accepted returns against the month before.
pub fn check(m: &Month<'_>, findings: &mut Vec<Finding>) {
    let prior: BTreeMap<(&str, &str, Metric), &PriorFigure> = match &m.previous.figures {
        PriorFigures::Found(figs) => figs
            .iter()
            .filter(|f| f.metric.accumulates().is_some())
            .map(|f| ((f.agency_code.as_str(), f.key.as_str(), f.metric), f))
            .collect(),
        _ => BTreeMap::new(),
    };
    for a in &m.accepted {
        let code = a.agency.code.as_str();
        let records = m.records_of(code);
        let mut unchecked: Vec<(Unchecked, &Record)> = Vec::new();
        let running_totals = records
            .iter()
            .filter_map(|r| Some((r, r.metric.accumulates()?)));
        for (cum, flow_metric) in running_totals {
            let flows: Vec<&Record> = records
                .iter()
                .filter(|r| r.metric == flow_metric && r.key == cum.key)
                .collect();
            let before = prior.get(&(code, cum.key.as_str(), cum.metric));
            let before = match (&m.previous.figures, before) {
                (PriorFigures::Found(_), Some(b)) => *b,
                (PriorFigures::Found(_), None) => {
                    unchecked.push((Unchecked::PriorFigureAbsent, cum));
                    continue;
                }
                _ => {
                    unchecked.push((Unchecked::PriorMonthUnknown, cum));
                    continue;
                }
            };
            if flows.is_empty() {
                unchecked.push((Unchecked::FlowBlank, cum));
                continue;
            }
            let flow: u64 = flows.iter().map(|r| r.value).sum();
            let expected = before.value.saturating_add(flow);
            if cum.value == expected {
                continue;
            }
            let flow_cells = cells_named(flows.iter().map(|r| &r.source));
            findings.push(
                Finding::new(
                    m.month,
                    Severity::Error,
                    Rule::CumulativeMismatch,
                    format!(
                        "{}（{code}）の{}の{}は{}に{}ですが、前月（{}）の累計{}に当月の{}{}を足すと{expected}です（当月: {}、前月: {}、当月の件数: {flow_cells}） (running total ≠ last month's + this month's)",
                        a.agency.name,
                        key_label(m, a.ret.form, &cum.key),
                        cum.metric.name_ja(),
                        m.month.ja(),
                        cum.value,
                        m.previous.month.ja(),
                        before.value,
                        flow_metric.name_ja(),
                        flow,
                        cum.source,
                        before.source,
                    ),
                )
                .agency(code)
                .figures(expected, cum.value)
                .at(cum.source.clone())
                .at(before.source.clone())
                .at_all(flows.iter().map(|r| r.source.clone())),
            );
        }
        if !unchecked.is_empty() {
            findings.push(cannot_check(m, a.agency, a.ret.form, &unchecked));
        }
    }
}

/// How many cells a mismatch message names before it says ほか N セル.
const MAX_CELLS_NAMED: usize = 5;

/// The cells of this month's figures for a message: the first
/// [`MAX_CELLS_NAMED`], then how many more. A return may repeat a row key on
/// thousands of rows, and the message must stay readable (and fit a workbook
/// cell); every cell is in the finding's sources anyway.
fn cells_named<'a>(cells: impl ExactSizeIterator<Item = &'a Location>) -> String {
    let total = cells.len();
    let mut text = cells
        .take(MAX_CELLS_NAMED)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("、");
    if total > MAX_CELLS_NAMED {
        text.push_str(&format!("、…ほか {} セル", total - MAX_CELLS_NAMED));
    }
    text
}

/// How many rows a cannot-check message names before it says ほかN行.
const MAX_ROWS_NAMED: usize = 5;

/// The one `info` finding of an agency whose running totals were (partly)
/// not checked: every row left out and why, with their cells.
fn cannot_check(
    m: &Month<'_>,
    agency: &Agency,
    form: Form,
    unchecked: &[(Unchecked, &Record)],
) -> Finding {
    let before = m.previous.month;
    let mut by_reason: BTreeMap<Unchecked, Vec<&Record>> = BTreeMap::new();
    for (why, r) in unchecked {
        by_reason.entry(*why).or_default().push(r);
    }
    let mut parts = Vec::new();
    for (why, recs) in &by_reason {
        // Rows, not cells: a site with two 累計 columns is named once, and a
        // long list is cut short (every cell is in the sources anyway).
        let mut keys: Vec<&str> = Vec::new();
        for r in recs {
            if !keys.contains(&r.key.as_str()) {
                keys.push(&r.key);
            }
        }
        let mut rows = keys
            .iter()
            .take(MAX_ROWS_NAMED)
            .map(|k| key_label(m, form, k))
            .collect::<Vec<_>>()
            .join("、");
        if keys.len() > MAX_ROWS_NAMED {
            rows.push_str(&format!(" ほか{}行", keys.len() - MAX_ROWS_NAMED));
        }
        parts.push(match why {
            Unchecked::PriorMonthUnknown => {
                let reason = match &m.previous.figures {
                    PriorFigures::Unreadable(e) => {
                        format!("前月（{}）の records.csv を読めません: {e}", before.ja())
                    }
                    PriorFigures::NotGiven => {
                        format!("前月（{}）の集計結果を参照していません", before.ja())
                    }
                    _ => format!(
                        "前月（{}）が集計されていません（out/{before}/records.csv がありません）",
                        before.ja()
                    ),
                };
                format!("{reason}: {rows}")
            }
            Unchecked::PriorFigureAbsent => {
                format!(
                    "前月（{}）の報告にこの行の累計がありません: {rows}",
                    before.ja()
                )
            }
            Unchecked::FlowBlank => format!("当月の件数が空欄です: {rows}"),
        });
    }
    Finding::new(
        m.month,
        Severity::Info,
        Rule::CumulativeMismatch,
        format!(
            "{}（{}）の累計{}件を前月と照合できません。{}。 (cannot check running totals against last month)",
            agency.name,
            agency.code,
            unchecked.len(),
            parts.join("。")
        ),
    )
    .agency(&agency.code)
    .at_all(unchecked.iter().map(|(_, r)| r.source.clone()))
}

/// How a row key reads in a message: the area (or 統括) for F3, the site for F4.
fn key_label(m: &Month<'_>, form: Form, key: &str) -> String {
    match form {
        Form::F3 if key == "HQ" => "統括".to_string(),
        Form::F3 => match m.registry.area(key) {
            Some(area) => format!("区域「{}」", area.name),
            None => format!("区域「{key}」"),
        },
        _ if key.is_empty() => "機関全体".to_string(),
        _ => format!("「{key}」"),
    }
}

#[cfg(test)]
mod tests {
    use super::{PriorFigure, PriorFigures, PriorMonth};
    use crate::core::{Finding, Form, Location, Metric};
    use crate::reconcile::testing::*;

    /// The month before (March), holding the given running totals.
    fn march(figs: &[(&str, &str, &str, u64)]) -> PriorMonth {
        PriorMonth {
            month: april().prev(),
            figures: PriorFigures::Found(
                figs.iter()
                    .map(|(agency, key, metric, value)| PriorFigure {
                        agency_code: agency.to_string(),
                        key: key.to_string(),
                        metric: Metric::from_code(metric).expect("known metric"),
                        value: *value,
                        source: Location::cell(format!("{agency}_202503.xlsx"), "F3", 11, 6),
                    })
                    .collect(),
            ),
        }
    }

    fn cumulative(findings: &[Finding]) -> Vec<&Finding> {
        findings
            .iter()
            .filter(|f| f.rule.code() == "cumulative_mismatch")
            .collect()
    }

    #[test]
    fn last_month_plus_this_month_is_silent() {
        let ret = return_of(
            "SWC-01",
            Form::F3,
            &[
                ("A1", "outreach_closed", 2),
                ("A1", "outreach_closed_cumulative", 12),
                ("HQ", "outreach_closed", 0),
                ("HQ", "outreach_closed_cumulative", 3),
            ],
        );
        let prev = march(&[
            ("SWC-01", "A1", "outreach_closed_cumulative", 10),
            ("SWC-01", "HQ", "outreach_closed_cumulative", 3),
        ]);
        let findings = run_rules_after(&[ret], &["SWC-01"], &prev);
        assert!(cumulative(&findings).is_empty(), "{findings:#?}");
    }

    #[test]
    fn a_total_that_did_not_grow_by_the_month_is_an_error_citing_both_months() {
        let ret = return_of(
            "SWC-01",
            Form::F3,
            &[
                ("A1", "outreach_closed", 2),
                ("A1", "outreach_closed_cumulative", 11),
            ],
        );
        let prev = march(&[("SWC-01", "A1", "outreach_closed_cumulative", 10)]);
        let findings = run_rules_after(&[ret], &["SWC-01"], &prev);
        let f = only(&findings, "cumulative_mismatch");
        assert_eq!(f.severity.code(), "error");
        assert_eq!((f.expected.as_str(), f.actual.as_str()), ("12", "11"));
        // This month's 累計, last month's 累計, this month's flow.
        assert_eq!(f.sources.len(), 3);
        assert!(f.sources.iter().any(|s| s.file == "SWC-01_202503.xlsx"));
        assert!(f.message.contains("区域「一区」"), "{}", f.message);
        assert!(f.message.contains("2025年3月"), "{}", f.message);
        assert!(
            f.message.contains("SWC-01_202503.xlsx / F3 / G12"),
            "{}",
            f.message
        );
    }

    #[test]
    fn the_check_runs_across_the_fiscal_year_boundary() {
        // April follows March of the previous fiscal year: no reset.
        let ret = return_of(
            "COM-01",
            Form::F4,
            &[
                ("サロンA", "new_activities", 1),
                ("サロンA", "new_activities_cumulative", 1),
            ],
        );
        let prev = march(&[("COM-01", "サロンA", "new_activities_cumulative", 5)]);
        let findings = run_rules_after(&[ret], &["COM-01"], &prev);
        let f = only(&findings, "cumulative_mismatch");
        assert_eq!((f.expected.as_str(), f.actual.as_str()), ("6", "1"));
        assert!(f.message.contains("「サロンA」"), "{}", f.message);
    }

    #[test]
    fn no_earlier_month_gives_one_info_per_agency_never_a_mismatch() {
        let ret = return_of(
            "SWC-01",
            Form::F3,
            &[
                ("A1", "outreach_closed", 2),
                ("A1", "outreach_closed_cumulative", 99),
                ("HQ", "outreach_closed", 0),
                ("HQ", "outreach_closed_cumulative", 7),
            ],
        );
        let prev = PriorMonth {
            month: april().prev(),
            figures: PriorFigures::Missing,
        };
        let findings = run_rules_after(&[ret], &["SWC-01"], &prev);
        let f = only(&findings, "cumulative_mismatch");
        assert_eq!(f.severity.code(), "info");
        assert_eq!(f.sources.len(), 2);
        assert!(
            f.message.contains("out/2025-03/records.csv"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_key_new_this_month_or_a_blank_flow_is_info_not_error() {
        let ret = return_of(
            "COM-01",
            Form::F4,
            &[
                // A site with no 累計 last month.
                ("サロンB", "new_activities", 1),
                ("サロンB", "new_activities_cumulative", 4),
                // A 累計 with the month's figure left blank (not read).
                ("サロンA", "coordinated_initiatives_cumulative", 9),
                // A mismatch elsewhere is still an error.
                ("サロンA", "new_activities", 0),
                ("サロンA", "new_activities_cumulative", 4),
            ],
        );
        let prev = march(&[
            ("COM-01", "サロンA", "new_activities_cumulative", 5),
            ("COM-01", "サロンA", "coordinated_initiatives_cumulative", 9),
        ]);
        let findings = run_rules_after(&[ret], &["COM-01"], &prev);
        let found = cumulative(&findings);
        assert_eq!(found.len(), 2, "{found:#?}");
        let info = found
            .iter()
            .find(|f| f.severity.code() == "info")
            .expect("one info");
        assert_eq!(info.sources.len(), 2);
        assert!(info.message.contains("サロンB"), "{}", info.message);
        assert!(info.message.contains("空欄"), "{}", info.message);
        let error = found
            .iter()
            .find(|f| f.severity.code() == "error")
            .expect("one error");
        assert_eq!((error.expected.as_str(), error.actual.as_str()), ("5", "4"));
    }

    #[test]
    fn a_long_list_of_cells_is_named_in_part() {
        let cells: Vec<Location> = (0..1155)
            .map(|r| Location::cell("a.xlsx", "F4", r, 1))
            .collect();
        let text = super::cells_named(cells.iter());
        assert!(text.ends_with("、…ほか 1150 セル"), "{text}");
        assert_eq!(text.matches("a.xlsx").count(), 5);
        assert_eq!(
            super::cells_named(cells[..2].iter())
                .matches("a.xlsx")
                .count(),
            2
        );
    }

    #[test]
    fn returns_without_running_totals_say_nothing() {
        let ret = return_of("SWC-01", Form::F3, &[("A1", "outreach_closed", 2)]);
        let prev = PriorMonth::not_given(april());
        let findings = run_rules_after(&[ret], &["SWC-01"], &prev);
        assert!(cumulative(&findings).is_empty(), "{findings:#?}");
    }
}
