//! The monthly workbook's summary tables, summed here so that report only
//! lays them out: one table per project (spec §5: figures by agency — and by
//! area or site where the form reports them so — a total, and subtotals by
//! field and by area, the cached results of the workbook's SUM and SUMIF
//! formulas) and the table by area of the flow figures.

use super::MonthRun;
use crate::core::metric::{field_name_ja, Kind};
use crate::core::{Form, Metric, Record};
use std::collections::{BTreeMap, BTreeSet};

/// One project's table.
#[derive(Debug, Clone)]
pub struct ProjectTable {
    /// The project (1–5).
    pub project: u8,
    /// The form its figures come from (F1 when it has none).
    pub form: Form,
    /// One line per agency and key (area, site: F3/F4), else per agency.
    pub by_key: bool,
    /// Its columns: the metrics present, in glossary order.
    pub metrics: Vec<Metric>,
    /// The lines, in registry order.
    pub lines: Vec<ProjectLine>,
    /// Each metric's total over the lines.
    pub sums: Vec<u64>,
    /// Subtotals by field (its Japanese name), in name order.
    pub by_field: Vec<(String, Vec<u64>)>,
    /// Subtotals by area code, in code order.
    pub by_area: Vec<(String, Vec<u64>)>,
}

/// One line of a project's table.
#[derive(Debug, Clone)]
pub struct ProjectLine {
    /// The agency's code.
    pub agency_code: String,
    /// The agency's registry name ("" when not registered).
    pub agency_name: String,
    /// The field's Japanese name.
    pub field: String,
    /// The line's area code.
    pub area: String,
    /// The row key (F3/F4), else "".
    pub key: String,
    /// The figure of each metric column, summed over the line's records;
    /// `None` where the line has none.
    pub values: Vec<Option<u64>>,
}

/// The flow figures by area.
#[derive(Debug, Clone)]
pub struct AreaTable {
    /// Its columns: the flow metrics of F1, F3 and F4 present.
    pub flows: Vec<Metric>,
    /// (area code, area name, figures): the registry's areas, then
    /// 複数区域・全市 (code "") for figures of no single area.
    pub lines: Vec<(String, String, Vec<u64>)>,
    /// Each column's total.
    pub sums: Vec<u64>,
}

/// The metrics that occur in the records and that `keep` accepts, in
/// glossary order.
fn metrics_present(records: &[&Record], keep: impl Fn(Metric) -> bool) -> Vec<Metric> {
    let present: BTreeSet<Metric> = records.iter().map(|r| r.metric).collect();
    Metric::ALL
        .iter()
        .copied()
        .filter(|m| keep(*m) && present.contains(m))
        .collect()
}

/// One project's table from the month's monthly records.
pub fn project_table(run: &MonthRun, project: u8) -> ProjectTable {
    let records: Vec<&Record> = run
        .outcome
        .records
        .iter()
        .filter(|r| r.project == project && r.form.is_monthly())
        .collect();
    let metrics = metrics_present(&records, |m| m.project() == project);
    // F1/F2: one row per agency (figures summed over the row keys: attributes,
    // sending agencies); F3/F4: one row per agency and key (area, site).
    let by_key = metrics
        .first()
        .is_some_and(|m| matches!(m.form(), Form::F3 | Form::F4));
    let order: BTreeMap<&str, usize> = run
        .mappings
        .registry
        .agencies
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    // (registry order, agency, key) → (the row's area, field, figures).
    type Line = (String, String, BTreeMap<Metric, u64>);
    let mut rows: BTreeMap<(usize, &str, &str), Line> = BTreeMap::new();
    for r in &records {
        let key = if by_key { r.key.as_str() } else { "" };
        let idx = order
            .get(r.agency_code.as_str())
            .copied()
            .unwrap_or(usize::MAX);
        let line = rows
            .entry((idx, r.agency_code.as_str(), key))
            .or_insert_with(|| (r.area_code.clone(), r.field.clone(), BTreeMap::new()));
        *line.2.entry(r.metric).or_default() += r.value;
    }
    let mut sums = vec![0u64; metrics.len()];
    let mut by_field: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut by_area: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut lines = Vec::with_capacity(rows.len());
    for ((idx, code, key), (area, field, values)) in &rows {
        let f = by_field
            .entry(field_name_ja(field))
            .or_insert_with(|| vec![0; metrics.len()]);
        let a = by_area
            .entry(area.as_str())
            .or_insert_with(|| vec![0; metrics.len()]);
        let mut line_values = Vec::with_capacity(metrics.len());
        for (i, m) in metrics.iter().enumerate() {
            let v = values.get(m).copied();
            if let Some(v) = v {
                f[i] += v;
                a[i] += v;
                sums[i] += v;
            }
            line_values.push(v);
        }
        lines.push(ProjectLine {
            agency_code: (*code).to_string(),
            agency_name: run
                .mappings
                .registry
                .agencies
                .get(*idx)
                .map_or(String::new(), |a| a.name.clone()),
            field: field_name_ja(field).to_string(),
            area: area.clone(),
            key: (*key).to_string(),
            values: line_values,
        });
    }
    let owned = |m: BTreeMap<&str, Vec<u64>>| {
        m.into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Vec<_>>()
    };
    ProjectTable {
        project,
        form: metrics.first().map_or(Form::F1, |m| m.form()),
        by_key,
        metrics,
        lines,
        sums,
        by_field: owned(by_field),
        by_area: owned(by_area),
    }
}

/// The flow figures of F1, F3 and F4 by area.
pub fn area_table(run: &MonthRun) -> AreaTable {
    let all: Vec<&Record> = run.outcome.records.iter().collect();
    let flows = metrics_present(&all, |m| {
        matches!(m.form(), Form::F1 | Form::F3 | Form::F4)
            && m.kind() == Kind::Flow
            && m != Metric::MeetingAttendance
    });
    let mut table: BTreeMap<String, BTreeMap<Metric, u64>> = BTreeMap::new();
    for rec in &run.outcome.records {
        let area = if run.mappings.registry.area(&rec.area_code).is_some() {
            rec.area_code.clone()
        } else {
            String::new()
        };
        *table
            .entry(area)
            .or_default()
            .entry(rec.metric)
            .or_default() += rec.value;
    }
    let mut names: Vec<(String, String)> = run
        .mappings
        .registry
        .areas
        .iter()
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    names.push((String::new(), "複数区域・全市".to_string()));
    let mut sums = vec![0u64; flows.len()];
    let lines = names
        .into_iter()
        .map(|(code, name)| {
            let values: Vec<u64> = flows
                .iter()
                .map(|m| {
                    table
                        .get(&code)
                        .and_then(|t| t.get(m))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            for (s, v) in sums.iter_mut().zip(&values) {
                *s += v;
            }
            (code, name, values)
        })
        .collect();
    AreaTable { flows, lines, sums }
}
