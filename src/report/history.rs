//! Months already consolidated under `out/`: their `records.csv` files are
//! the only source for fiscal-year-to-date and cumulative figures, so what
//! the reports show can always be traced to a month's records.

use crate::core::{Metric, YearMonth};
use crate::reconcile::{PriorFigure, PriorFigures, PriorMonth};
use std::collections::BTreeMap;
use std::path::Path;

/// Per-month sums of each metric from earlier runs, and the months found.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// (month, metric, sum over agencies and keys).
    pub figures: Vec<(YearMonth, Metric, u64)>,
    /// Months whose `records.csv` was read.
    pub months: Vec<YearMonth>,
    /// Folders that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
}

/// Reads `out/<YYYY-MM>/records.csv` for every month before `before`.
pub fn load(out: &Path, before: YearMonth) -> History {
    let mut h = History::default();
    let Ok(entries) = std::fs::read_dir(out) else {
        return h;
    };
    let mut months: Vec<YearMonth> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<YearMonth>().ok())
        .filter(|m| *m < before)
        .collect();
    months.sort();
    for m in months {
        match super::fiscal::read_records(&out.join(m.to_string()).join("records.csv"), m) {
            Ok(rows) => {
                h.figures
                    .extend(sums_by_metric(m, rows.iter().map(|f| (f.metric, f.value))));
                h.months.push(m);
            }
            Err(e) => h.unreadable.push((m.to_string(), e)),
        }
    }
    h
}

/// One month's figures summed by metric, in the form indicators take.
pub fn sums_by_metric(
    month: YearMonth,
    figures: impl IntoIterator<Item = (Metric, u64)>,
) -> Vec<(YearMonth, Metric, u64)> {
    let mut sums: BTreeMap<Metric, u64> = BTreeMap::new();
    for (metric, v) in figures {
        *sums.entry(metric).or_default() += v;
    }
    sums.into_iter().map(|(m, v)| (month, m, v)).collect()
}

/// The month before `month` as consolidated under `out/`, with its running
/// totals (累計) and their cells, for the `cumulative_mismatch` rule.
pub fn prior_month(out: &Path, month: YearMonth) -> PriorMonth {
    let before = month.prev();
    let path = out.join(before.to_string()).join("records.csv");
    let figures = if !path.is_file() {
        PriorFigures::Missing
    } else {
        match super::fiscal::read_records(&path, before) {
            Ok(rows) => PriorFigures::Found(
                rows.into_iter()
                    .filter(|f| f.metric.accumulates().is_some())
                    .map(|f| PriorFigure {
                        agency_code: f.agency,
                        key: f.key,
                        metric: f.metric,
                        value: f.value,
                        source: f.source,
                    })
                    .collect(),
            ),
            Err(e) => PriorFigures::Unreadable(e),
        }
    };
    PriorMonth {
        month: before,
        figures,
    }
}
