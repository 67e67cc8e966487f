//! The fiscal-year report's numbers, derived from the months read back from
//! `out/` ([`crate::store::load_fiscal_year`]): month states, the year's
//! figures by project × field × metric, the submission marks, the grant
//! computation by part, the indicators' standings and the waivers. The
//! report writes these as they are.

use crate::core::metric::Kind;
use crate::core::{Form, Metric, Rule, YearMonth};
use crate::mapping::grant::GrantLine;
use crate::mapping::indicators::Standing;
use crate::mapping::Mappings;
use crate::store::{fiscal_months, sums_by_metric, MonthOutputs, YearOutputs};
use std::collections::{BTreeMap, BTreeSet};

/// The fiscal year as read back, with everything the report shows derived.
#[derive(Debug, Clone)]
pub struct FiscalData {
    /// Fiscal year (named by its start year).
    pub fiscal_year: i32,
    /// Months found, April first.
    pub months: Vec<MonthOutputs>,
    /// Months of the year with no consolidated folder.
    pub missing: Vec<YearMonth>,
    /// Month folders that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// The year's F5 costs (`FY<year>/costs.csv`), if consolidated.
    pub costs: Option<MonthOutputs>,
    /// Each of the twelve months, April first.
    pub month_states: Vec<MonthState>,
    /// Open errors over the months found.
    pub open_errors: usize,
    /// The year's figures, one line per project × field × metric (F5 aside).
    pub figure_lines: Vec<FigureLine>,
    /// One line per reporting unit: its mark for each month.
    pub roster: Vec<RosterLine>,
    /// What the F5 cost returns amounted to, when consolidated.
    pub costs_note: Option<CostsNote>,
    /// The grant computation by part (所要額調書).
    pub grant: Grant,
    /// The last month found and each indicator's standing there, in the
    /// mappings' order; `None` without any month.
    pub indicators: Option<(YearMonth, Vec<Standing>)>,
    /// Waived findings, each (month, agency, rule) once.
    pub waivers: Vec<WaiverLine>,
}

/// A month of the fiscal year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonthState {
    /// Consolidated and read back.
    Read {
        /// Its records.
        records: usize,
        /// Its open errors.
        open_errors: usize,
    },
    /// Its folder could not be read; why.
    Unreadable(String),
    /// Not consolidated.
    Missing,
}

/// The year's value of a figure line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearValue {
    /// A flow: the sum of the months.
    Sum(u64),
    /// A stock or running total (累計): the last month's value, never a sum.
    Last {
        /// The last month with the figure.
        month: YearMonth,
        /// Its value.
        value: u64,
        /// Agencies with the figure in an earlier month but not in the last
        /// one, in code order: their values are not in the year's.
        absent: Vec<String>,
    },
}

/// One project × field × metric of the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureLine {
    /// Project 1–6.
    pub project: u8,
    /// Field code.
    pub field: String,
    /// Metric.
    pub metric: Metric,
    /// The sum over agencies of each fiscal month (April first), if any.
    pub by_month: Vec<Option<u64>>,
    /// The year's value.
    pub year: YearValue,
}

/// A unit's submission in a month of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The month is not consolidated.
    NotConsolidated,
    /// Missing, and waived.
    Waived,
    /// Missing.
    Missing,
    /// Replaced by a corrected return.
    Corrected,
    /// Accepted: it has records.
    Accepted,
    /// Neither: held back.
    Held,
}

/// A reporting unit's marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    /// Agency code.
    pub code: String,
    /// Agency name.
    pub name: String,
    /// One mark per fiscal month, April first.
    pub marks: Vec<Mark>,
}

/// The F5 cost returns in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostsNote {
    /// Cost records.
    pub records: usize,
    /// Units whose F5 is missing (not waived).
    pub missing: usize,
    /// Open errors about the cost returns.
    pub open_errors: usize,
}

/// The grant computation (spec §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// No F5 figures yet.
    NoCosts,
    /// `grant.toml` has no parts.
    NoParts,
    /// One line per part of `grant.toml`, in its order.
    Lines {
        /// Each part's computation.
        lines: Vec<GrantLine>,
        /// 差引過不足額 (受入額 − 所要額) of each part, when 受入額 is known.
        balances: Vec<Option<i64>>,
        /// Column totals C…M as the sheet numbers them (A–J of spec §7
        /// plus 交付決定額, 受入額): the sum of each part's value, 0 for the
        /// rate column.
        totals: [u64; 11],
        /// The balances' total (unknown ones count 0).
        balance_total: i64,
    },
}

/// A waived finding of a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverLine {
    /// The month.
    pub month: YearMonth,
    /// Agency code.
    pub agency: String,
    /// The rule waived.
    pub rule: Rule,
    /// Reason and approver.
    pub waiver: String,
}

/// Derives the report's numbers from the year as read back.
pub fn fiscal_year(y: YearOutputs, mappings: &Mappings) -> FiscalData {
    let months = fiscal_months(y.fiscal_year);
    let month_states = months
        .iter()
        .map(|m| match y.months.iter().find(|x| x.month == *m) {
            Some(mo) => MonthState::Read {
                records: mo.figures.len(),
                open_errors: open_errors(mo),
            },
            None => match y.unreadable.iter().find(|(n, _)| *n == m.to_string()) {
                Some((_, why)) => MonthState::Unreadable(why.clone()),
                None => MonthState::Missing,
            },
        })
        .collect();
    FiscalData {
        month_states,
        open_errors: y.months.iter().map(open_errors).sum(),
        figure_lines: figure_lines(&y.months, &months),
        roster: roster(&y.months, &months, mappings),
        costs_note: y.costs.as_ref().map(|c| CostsNote {
            records: c.figures.len(),
            missing: c
                .findings
                .iter()
                .filter(|f| f.rule == Rule::MissingReturn && !f.waived)
                .count(),
            open_errors: open_errors(c),
        }),
        grant: grant(y.costs.as_ref(), mappings),
        indicators: indicators(&y.months, mappings),
        waivers: waivers(&y.months),
        fiscal_year: y.fiscal_year,
        months: y.months,
        missing: y.missing,
        unreadable: y.unreadable,
        costs: y.costs,
    }
}

fn open_errors(mo: &MonthOutputs) -> usize {
    mo.findings.iter().filter(|f| f.is_open_error()).count()
}

/// (month → (sum, the agencies in it)) of one line.
type ByMonth<'a> = BTreeMap<YearMonth, (u64, BTreeSet<&'a str>)>;

fn figure_lines(found: &[MonthOutputs], months: &[YearMonth]) -> Vec<FigureLine> {
    let mut table: BTreeMap<(u8, &str, Metric), ByMonth<'_>> = BTreeMap::new();
    for mo in found {
        for f in mo.figures.iter().filter(|f| f.metric.form() != Form::F5) {
            let (sum, agencies) = table
                .entry((f.project, f.field.as_str(), f.metric))
                .or_default()
                .entry(mo.month)
                .or_default();
            *sum += f.value;
            agencies.insert(&f.agency_code);
        }
    }
    table
        .into_iter()
        .filter_map(|((project, field, metric), by_month)| {
            let year = match metric.kind() {
                Kind::Flow => YearValue::Sum(by_month.values().map(|(v, _)| v).sum()),
                // Neither a stock nor a running total adds up over months:
                // the year shows the last month reported, and says which.
                Kind::Stock | Kind::Cumulative => {
                    let (month, (value, _)) = by_month.iter().next_back()?;
                    YearValue::Last {
                        month: *month,
                        value: *value,
                        absent: absent_in_last_month(&by_month)
                            .into_iter()
                            .map(String::from)
                            .collect(),
                    }
                }
            };
            Some(FigureLine {
                project,
                field: field.to_string(),
                metric,
                by_month: months
                    .iter()
                    .map(|m| by_month.get(m).map(|(v, _)| *v))
                    .collect(),
                year,
            })
        })
        .collect()
}

/// The agencies in some month before the last one of `by_month` but not in
/// the last one, in code order: finance would otherwise take a partial sum
/// for the whole.
fn absent_in_last_month<'a>(by_month: &ByMonth<'a>) -> Vec<&'a str> {
    let Some((_, (_, last))) = by_month.iter().next_back() else {
        return Vec::new();
    };
    let earlier: BTreeSet<&str> = by_month
        .values()
        .rev()
        .skip(1)
        .flat_map(|(_, agencies)| agencies.iter().copied())
        .collect();
    earlier.difference(last).copied().collect()
}

fn roster(found: &[MonthOutputs], months: &[YearMonth], m: &Mappings) -> Vec<RosterLine> {
    m.registry
        .monthly_reporters()
        .map(|a| RosterLine {
            code: a.code.clone(),
            name: a.name.clone(),
            marks: months
                .iter()
                .map(|month| match found.iter().find(|x| x.month == *month) {
                    None => Mark::NotConsolidated,
                    Some(mo) => {
                        let of = |rule: Rule| {
                            mo.findings
                                .iter()
                                .find(|f| f.agency == a.code && f.rule == rule)
                        };
                        if let Some(f) = of(Rule::MissingReturn) {
                            if f.waived {
                                Mark::Waived
                            } else {
                                Mark::Missing
                            }
                        } else if of(Rule::ReplacedByCorrection).is_some() {
                            Mark::Corrected
                        } else if mo.figures.iter().any(|f| f.agency_code == a.code) {
                            Mark::Accepted
                        } else {
                            Mark::Held
                        }
                    }
                })
                .collect(),
        })
        .collect()
}

fn grant(costs: Option<&MonthOutputs>, m: &Mappings) -> Grant {
    // F5 figures (FY<year>/costs.csv): project and field of each row.
    let mut sums: BTreeMap<(u8, &str, Metric), u64> = BTreeMap::new();
    for f in costs.iter().flat_map(|c| &c.figures) {
        *sums
            .entry((f.project, f.field.as_str(), f.metric))
            .or_default() += f.value;
    }
    if sums.is_empty() {
        return Grant::NoCosts;
    }
    if m.grant.is_empty() {
        return Grant::NoParts;
    }
    let mut lines = Vec::new();
    let mut balances = Vec::new();
    let mut totals = [0u64; 11];
    let mut balance_total = 0i64;
    for p in &m.grant {
        let sum = |metric| -> u64 {
            sums.iter()
                .filter(|((proj, field, me), _)| {
                    p.projects.contains(proj) && *field == p.field && *me == metric
                })
                .map(|(_, v)| *v)
                .sum()
        };
        let g = p.compute(
            sum(Metric::TotalCost),
            sum(Metric::OtherIncome),
            sum(Metric::EligibleExpenditure),
        );
        // 差引過不足額 = 受入額 − 所要額: positive is to be returned.
        let balance = p.received_amount.map(|i| i as i64 - g.required as i64);
        balance_total += balance.unwrap_or(0);
        for (t, v) in totals.iter_mut().zip([
            g.total_cost,
            g.other_income,
            g.net_cost,
            g.eligible,
            g.base_amount,
            g.selected,
            0,
            g.required,
            p.decided_amount.unwrap_or(0),
            p.received_amount.unwrap_or(0),
            0,
        ]) {
            *t += v;
        }
        balances.push(balance);
        lines.push(g);
    }
    Grant::Lines {
        lines,
        balances,
        totals,
        balance_total,
    }
}

fn indicators(found: &[MonthOutputs], m: &Mappings) -> Option<(YearMonth, Vec<Standing>)> {
    let last = found.last()?.month;
    let mut figs: Vec<(YearMonth, Metric, u64)> = Vec::new();
    for mo in found {
        figs.extend(sums_by_metric(
            mo.month,
            mo.figures.iter().map(|f| (f.metric, f.value)),
        ));
    }
    Some((
        last,
        m.indicators
            .iter()
            .map(|i| i.standing(last, &figs))
            .collect(),
    ))
}

fn waivers(found: &[MonthOutputs]) -> Vec<WaiverLine> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for mo in found {
        for f in mo.findings.iter().filter(|f| f.waived) {
            if seen.insert((mo.month, f.agency.as_str(), f.rule)) {
                out.push(WaiverLine {
                    month: mo.month,
                    agency: f.agency.clone(),
                    rule: f.rule,
                    waiver: f.waiver.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_agencies_are_those_of_earlier_months_only() {
        let month = |m| YearMonth {
            year: 2025,
            month: m,
        };
        let mut by_month: ByMonth<'_> = BTreeMap::new();
        by_month.insert(month(4), (3, ["X", "Y"].into()));
        by_month.insert(month(5), (5, ["Y", "Z"].into()));
        by_month.insert(month(6), (2, ["Z"].into()));
        assert_eq!(absent_in_last_month(&by_month), ["X", "Y"]);
        by_month.insert(month(7), (9, ["X", "Y", "Z"].into()));
        assert!(absent_in_last_month(&by_month).is_empty());
    }
}
