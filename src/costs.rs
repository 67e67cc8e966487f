//! A fiscal year's cost returns (F5 事業費), consolidated for the grant:
//! the same reading, normalization and submission rules as a month, with F5
//! owed once a year by every reporting unit. Records carry the fiscal year's
//! last month (`2026-03` for 2025年度) and are written to
//! `out/FY<year>/costs.csv` in the schema of `records.csv`.

use crate::core::{Finding, Location, Record, Rule, Severity, YearMonth};
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
    /// Agencies whose F5 records came from the returns found in the year's
    /// consolidated months ([`gather`]) rather than the `--costs` folder.
    pub found_in_months: usize,
    /// The earlier run's `costs.csv` could not be read ([`gather`]): it is
    /// not overwritten.
    pub earlier_unreadable: bool,
}

/// The month F5 records carry: the fiscal year's last month.
pub fn cost_month(fiscal_year: i32) -> YearMonth {
    YearMonth::fiscal_year_end(fiscal_year)
}

impl CostRun {
    /// What the fiscal-year report writes of this run.
    pub fn files(&self) -> crate::report::fiscal::CostFiles<'_> {
        crate::report::fiscal::CostFiles {
            records: &self.outcome.records,
            findings: &self.outcome.findings,
            returns_read: !self.inputs.is_empty(),
            keep_records_file: self.earlier_unreadable,
        }
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
        let (input, results) = process_file(name, path, mappings, None);
        rows += input.rows;
        inputs.push(input);
        for result in results {
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
    }
    // Costs are yearly and carry no running totals: no month before to consult.
    let mut outcome = reconcile_for(
        month,
        &mappings.registry,
        &returns,
        &[],
        &yearly_costs_form,
        &PriorMonth::not_given(month),
    );
    outcome.findings.append(&mut findings);
    crate::reconcile::screen::apply(month, &mut outcome);
    crate::reconcile::waivers::apply(month, &mappings.waivers, &mut outcome.findings);
    Ok(CostRun {
        fiscal_year,
        inputs,
        outcome,
        rows,
        found_in_months: 0,
        earlier_unreadable: false,
    })
}

pub use crate::store::COSTS_IN_MONTH as FOUND_IN_MONTH;

/// The records of the F5 returns found in a month's folder, each under its
/// fiscal year's last month ([`cost_month`]): a return without a readable
/// 年度 counts for the batch month's fiscal year. Only the records of those
/// returns: the rest of the year's F5 returns are not the month's concern.
pub fn found_in_month(month: YearMonth, mappings: &Mappings, costs: &[Return]) -> Vec<Record> {
    let mut years: std::collections::BTreeMap<i32, Vec<Return>> = Default::default();
    for r in costs {
        let fy = r
            .fiscal_year
            .as_ref()
            .map_or(month.fiscal_year(), |y| y.value);
        years.entry(fy).or_default().push(r.clone());
    }
    let mut out = Vec::new();
    for (fy, returns) in years {
        let at = cost_month(fy);
        let outcome = reconcile_for(
            at,
            &mappings.registry,
            &returns,
            &[],
            &yearly_costs_form,
            &PriorMonth::not_given(at),
        );
        out.extend(outcome.records);
    }
    out
}

/// The year's F5 cost records for the fiscal report: those of the cost
/// returns folder (`--costs`), when given, and those found in the year's
/// consolidated months under `out` (`out/<YYYY-MM>/costs_in_month.csv`).
/// An agency's records from `--costs` win; otherwise its latest month's.
/// Without `--costs`, the `FY<year>/costs.csv` of an earlier run stands for
/// the folder. `None` when nothing holds any.
///
/// # Errors
/// When the `--costs` folder cannot be listed. A month's file that cannot
/// be read back is a finding of the result.
pub fn gather(
    mappings: &Mappings,
    out: &Path,
    fiscal_year: i32,
    costs_dir: Option<&Path>,
) -> Result<Option<CostRun>, PipelineError> {
    let at = cost_month(fiscal_year);
    let mut problems = Vec::new();
    let unreadable = |e: crate::store::ReadBackError, path: &Path| {
        Finding::new(
            at,
            Severity::Error,
            Rule::UnreadableFile,
            format!("{e}。集計し直してください (rerun it)"),
        )
        .at(Location::file(path.display().to_string()))
    };
    let earlier = crate::store::fiscal_dir(out, fiscal_year).join(crate::store::months::COSTS);
    let mut earlier_unreadable = false;
    let run = match costs_dir {
        Some(dir) => Some(consolidate_costs(mappings, dir, fiscal_year)?),
        // Without --costs, the costs of an earlier run are kept as they are:
        // found returns only add the agencies they lack.
        None if earlier.is_file() => match crate::store::read_records(&earlier) {
            Ok(records) => Some(CostRun {
                fiscal_year,
                inputs: Vec::new(),
                outcome: Outcome {
                    records,
                    cases: Vec::new(),
                    findings: Vec::new(),
                    statuses: Vec::new(),
                },
                rows: RowAccount::default(),
                found_in_months: 0,
                earlier_unreadable: false,
            }),
            Err(e) => {
                problems.push(unreadable(e, &earlier));
                earlier_unreadable = true;
                None
            }
        },
        None => None,
    };
    let mut found: std::collections::BTreeMap<String, Vec<Record>> = Default::default();
    for m in crate::store::fiscal_months(fiscal_year) {
        let path = crate::store::month_dir(out, m).join(FOUND_IN_MONTH);
        if path.is_file() {
            match crate::store::read_records(&path) {
                Ok(records) => {
                    // A later month's return replaces an earlier month's.
                    let mut by_agency: std::collections::BTreeMap<String, Vec<Record>> =
                        Default::default();
                    for r in records.into_iter().filter(|r| r.month == at) {
                        by_agency.entry(r.agency_code.clone()).or_default().push(r);
                    }
                    found.extend(by_agency);
                }
                Err(e) => problems.push(unreadable(e, &path)),
            }
        }
    }
    if found.is_empty() && problems.is_empty() {
        return Ok(run);
    }
    let mut run = run.unwrap_or_else(|| CostRun {
        fiscal_year,
        inputs: Vec::new(),
        outcome: Outcome {
            records: Vec::new(),
            cases: Vec::new(),
            findings: Vec::new(),
            statuses: Vec::new(),
        },
        rows: RowAccount::default(),
        found_in_months: 0,
        earlier_unreadable,
    });
    let from_folder: std::collections::BTreeSet<String> = run
        .outcome
        .records
        .iter()
        .map(|r| r.agency_code.clone())
        .collect();
    for (agency, records) in found {
        if !from_folder.contains(&agency) {
            run.found_in_months += 1;
            run.outcome.records.extend(records);
        }
    }
    run.outcome.findings.extend(problems);
    Ok(Some(run))
}
