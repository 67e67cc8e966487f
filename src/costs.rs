//! A fiscal year's cost returns (F5 事業費), consolidated for the grant:
//! the same reading, normalization and submission rules as a month, with F5
//! owed once a year by every reporting unit. Records carry the fiscal year's
//! last month (`2026-03` for 2025年度) and are written to
//! `out/FY<year>/costs.csv` in the schema of `records.csv`.

use crate::core::Finding;
use crate::core::{Rule, Severity, YearMonth};
use crate::mapping::Mappings;
use crate::normalize::{Return, RowAccount};
use crate::pipeline::{list_returns, process_file, InputFile, PipelineError};
use crate::reconcile::{reconcile_for, yearly_costs_form, Outcome, PriorMonth};
use std::path::Path;

/// A fiscal year's F5 returns, reconciled.
pub struct CostRun {
    /// Fiscal year (named by its start year).
    pub fiscal_year: i32,
    /// Every file read.
    pub inputs: Vec<InputFile>,
    /// Records (F5 figures in yen), findings and statuses.
    pub outcome: Outcome,
    /// Rows of all inputs.
    pub rows: RowAccount,
}

/// The month F5 records carry: the fiscal year's last month.
pub fn cost_month(fiscal_year: i32) -> YearMonth {
    YearMonth {
        year: fiscal_year + 1,
        month: 3,
    }
}

/// Reads and reconciles the F5 returns in `dir` for `fiscal_year`.
///
/// # Errors
/// Only when the folder cannot be listed; problems with single returns are
/// findings.
pub fn consolidate_costs(
    mappings: &Mappings,
    dir: &Path,
    fiscal_year: i32,
) -> Result<CostRun, PipelineError> {
    let month = cost_month(fiscal_year);
    let (files, _ignored) = list_returns(dir)?;
    let mut inputs = Vec::new();
    let mut returns: Vec<Return> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut rows = RowAccount::default();
    for (name, path) in &files {
        let (input, result) = process_file(name, path, mappings);
        rows += input.rows;
        inputs.push(input);
        match result {
            Err(p) => findings.push(p.into_finding(month, "")),
            Ok(ret) => match &ret.fiscal_year {
                Some(fy) if fy.value != fiscal_year => findings.push(
                    Finding::new(
                        month,
                        Severity::Error,
                        Rule::MonthMismatch,
                        format!("{}年度の事業費の報告です。{}年度の集計には含めていません (return for another fiscal year: held back)", fy.value, fiscal_year),
                    )
                    .agency(ret.agency_code.as_ref().map_or("", |a| a.value.as_str()))
                    .figures(fiscal_year, fy.value)
                    .at(fy.source.clone()),
                ),
                _ => returns.push(ret),
            },
        }
    }
    // Costs are yearly and carry no running totals: no month before to consult.
    let mut outcome = reconcile_for(
        month,
        &mappings.registry,
        &returns,
        &yearly_costs_form,
        &PriorMonth::not_given(month),
    );
    outcome.findings.append(&mut findings);
    crate::reconcile::waivers::apply(month, &mappings.waivers, &mut outcome.findings);
    Ok(CostRun {
        fiscal_year,
        inputs,
        outcome,
        rows,
    })
}
