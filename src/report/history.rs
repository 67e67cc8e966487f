//! Months already consolidated under `out/`: their `records.csv` files are
//! the only source for fiscal-year-to-date and cumulative figures, so what
//! the reports show can always be traced to a month's records.

use crate::core::{Metric, YearMonth};
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
        match read_month(&out.join(m.to_string()).join("records.csv"), m) {
            Ok(sums) => {
                h.figures
                    .extend(sums.into_iter().map(|(metric, v)| (m, metric, v)));
                h.months.push(m);
            }
            Err(e) => h.unreadable.push((m.to_string(), e)),
        }
    }
    h
}

fn read_month(path: &Path, month: YearMonth) -> Result<BTreeMap<Metric, u64>, String> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| e.to_string())?;
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let (mc, metc, vc) = (col("month")?, col("metric")?, col("value")?);
    let mut sums = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        if rec.get(mc) != Some(month.to_string().as_str()) {
            return Err(format!(
                "month column {:?} differs from the folder",
                rec.get(mc)
            ));
        }
        let metric = rec
            .get(metc)
            .and_then(Metric::from_code)
            .ok_or("unknown metric")?;
        let v: u64 = rec
            .get(vc)
            .and_then(|v| v.parse().ok())
            .ok_or("bad value")?;
        *sums.entry(metric).or_default() += v;
    }
    Ok(sums)
}
