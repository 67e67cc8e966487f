//! The monthly workbook's derived numbers: the submission counts of its 概要
//! and each indicator's standing at the month, from this month's records
//! and the earlier months' sums under `out/` ([`crate::store::History`]).

use super::tables::{area_table, project_table, AreaTable, ProjectTable};
use super::MonthRun;
use crate::core::metric::PROJECTS;
use crate::core::YearMonth;
use crate::mapping::indicators::Standing;
use crate::reconcile::Status;
use crate::store::{sums_by_metric, History};

/// What the monthly workbook shows beyond the run's own records.
#[derive(Debug, Clone)]
pub struct MonthFigures {
    /// Units owing a return this month.
    pub owed: usize,
    /// Returns accepted (corrections included).
    pub accepted: usize,
    /// Units whose return is missing.
    pub missing: usize,
    /// Returns held back (duplicates, wrong month or form, unknown agency,
    /// unreadable).
    pub held_back: usize,
    /// The months of the run's fiscal year the indicators count: those
    /// consolidated before it under `out/`, then the run's.
    pub fiscal_year_months: Vec<YearMonth>,
    /// Each indicator's standing at the month, in the mappings' order.
    pub standings: Vec<Standing>,
    /// One table per project, in project order ([`PROJECTS`]).
    pub projects: Vec<ProjectTable>,
    /// The flow figures by area.
    pub areas: AreaTable,
}

/// Derives the month's figures from the run and the months before it.
pub fn month(run: &MonthRun, history: &History) -> MonthFigures {
    let statuses = &run.outcome.statuses;
    let count = |f: &dyn Fn(&Status) -> bool| statuses.iter().filter(|s| f(&s.status)).count();
    let fy = run.month.fiscal_year();
    // This month's figures, summed like the earlier months'.
    let mut figures = history.figures.clone();
    figures.extend(sums_by_metric(
        run.month,
        run.outcome.records.iter().map(|r| (r.metric, r.value)),
    ));
    MonthFigures {
        owed: run.mappings.registry.monthly_reporters().count(),
        accepted: count(&|s| matches!(s, Status::Accepted | Status::Corrected)),
        missing: count(&|s| *s == Status::Missing),
        held_back: count(&|s| {
            matches!(
                s,
                Status::Duplicate
                    | Status::WrongMonth
                    | Status::WrongForm
                    | Status::UnknownAgency
                    | Status::Unreadable
            )
        }),
        fiscal_year_months: history
            .months
            .iter()
            .copied()
            .filter(|m| m.fiscal_year() == fy)
            .chain(std::iter::once(run.month))
            .collect(),
        standings: run
            .mappings
            .indicators
            .iter()
            .map(|ind| ind.standing(run.month, &figures))
            .collect(),
        projects: PROJECTS
            .iter()
            .map(|(project, _)| project_table(run, *project))
            .collect(),
        areas: area_table(run),
    }
}
