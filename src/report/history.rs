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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Location;

    #[test]
    fn the_month_before_is_missing_unreadable_or_found_with_its_cells() {
        let out = tempfile::tempdir().expect("tempdir");
        let may: YearMonth = "2025-05".parse().expect("month");
        let prior = prior_month(out.path(), may);
        assert_eq!(prior.month.to_string(), "2025-04");
        assert_eq!(prior.figures, PriorFigures::Missing);

        let dir = out.path().join("2025-04");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let header = "month,agency_code,area_code,project,field,form,key,metric,value,source_file,source_sheet,source_cell\n";
        std::fs::write(
            dir.join("records.csv"),
            format!(
                "{header}2025-03,A,ALL,4,cross,F3,A1,outreach_closed_cumulative,5,a.xlsx,F3,L10\n"
            ),
        )
        .expect("write");
        assert!(matches!(
            prior_month(out.path(), may).figures,
            PriorFigures::Unreadable(_)
        ));

        std::fs::write(
            dir.join("records.csv"),
            format!(
                "{header}2025-04,A,ALL,4,cross,F3,A1,outreach_closed,1,a.xlsx,F3,G10\n\
                 2025-04,A,ALL,4,cross,F3,A1,outreach_closed_cumulative,5,a.xlsx,F3,L10\n"
            ),
        )
        .expect("write");
        let PriorFigures::Found(figs) = prior_month(out.path(), may).figures else {
            panic!("found");
        };
        // Only running totals are kept, each with its cell.
        assert_eq!(
            figs,
            [PriorFigure {
                agency_code: "A".into(),
                key: "A1".into(),
                metric: Metric::OutreachClosedCumulative,
                value: 5,
                source: Location::cell("a.xlsx", "F3", 9, 11),
            }]
        );
    }
}
