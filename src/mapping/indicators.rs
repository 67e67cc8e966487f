//! `indicators.toml`: the plan's indicators (評価指標) with their baseline and
//! target, as data, so each municipality carries its own plan.

use super::MappingError;
use crate::core::{Metric, YearMonth};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// How an indicator's current value is formed from monthly figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndicatorKind {
    /// The fiscal year's sum, compared with an annual target.
    Annual,
    /// The baseline plus every month after the baseline month (累計).
    Cumulative,
}

/// One indicator of the plan.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Its name in the plan.
    pub name: String,
    /// The metrics whose sum it counts.
    pub metrics: Vec<Metric>,
    /// Annual or cumulative.
    pub kind: IndicatorKind,
    /// The baseline (現状値), if the plan gives one.
    pub baseline: u64,
    /// For cumulative indicators: the month the baseline stands at.
    pub baseline_month: Option<YearMonth>,
    /// When the baseline was measured, as the plan says.
    pub baseline_note: String,
    /// The target (目標値).
    pub target: u64,
    /// The fiscal year of the target.
    pub target_fiscal_year: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    indicators: Vec<RawIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    name: String,
    metrics: Vec<Spanned<String>>,
    kind: Spanned<String>,
    #[serde(default)]
    baseline: u64,
    #[serde(default)]
    baseline_month: Option<Spanned<String>>,
    #[serde(default)]
    baseline_note: String,
    target: u64,
    target_fiscal_year: i32,
}

/// Parses `indicators.toml`.
pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<Indicator>, Vec<MappingError>> {
    let path = path.to_path_buf();
    let text = super::toml_text(&path, bytes).map_err(|e| vec![e])?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| vec![super::toml_error(&path, &e)])?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let at = |span: std::ops::Range<usize>, message: String| {
        super::invalid_at(&path, &text, span, message)
    };
    for r in raw.indicators {
        let mut metrics = Vec::new();
        for m in &r.metrics {
            match Metric::from_code(m.get_ref()) {
                Some(metric) => metrics.push(metric),
                None => errors.push(at(
                    m.span(),
                    format!("不明な指標コード {:?} (unknown metric code)", m.get_ref()),
                )),
            }
        }
        let kind = match r.kind.get_ref().as_str() {
            "annual" => IndicatorKind::Annual,
            "cumulative" => IndicatorKind::Cumulative,
            other => {
                errors.push(at(
                    r.kind.span(),
                    format!("kind {other:?} は annual か cumulative です"),
                ));
                continue;
            }
        };
        let baseline_month = match &r.baseline_month {
            Some(s) => match s.get_ref().parse::<YearMonth>() {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push(at(s.span(), e.to_string()));
                    continue;
                }
            },
            None if kind == IndicatorKind::Cumulative => {
                errors.push(at(
                    r.kind.span(),
                    "累計の指標には baseline_month (YYYY-MM) が必要です".into(),
                ));
                continue;
            }
            None => None,
        };
        out.push(Indicator {
            name: r.name,
            metrics,
            kind,
            baseline: r.baseline,
            baseline_month,
            baseline_note: r.baseline_note,
            target: r.target,
            target_fiscal_year: r.target_fiscal_year,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// An indicator's standing at a month.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// This fiscal year's sum up to and including the month.
    pub fiscal_year_to_date: u64,
    /// The current value: the year's sum (annual) or baseline + months since (cumulative).
    pub current: u64,
    /// Months of the fiscal year that had figures.
    pub months_counted: usize,
    /// Share of the way from baseline (cumulative) or zero (annual) to the target.
    pub progress: Option<f64>,
}

impl Indicator {
    /// Its standing at `month`, from per-month sums of every metric
    /// (`figures`: month, metric, value; months may repeat).
    ///
    /// Cumulative indicators count only the months present in `figures`:
    /// the report says how many were counted.
    pub fn standing(&self, month: YearMonth, figures: &[(YearMonth, Metric, u64)]) -> Standing {
        let fy = month.fiscal_year();
        let relevant =
            |m: &YearMonth, metric: &Metric| *m <= month && self.metrics.contains(metric);
        let mut months = std::collections::BTreeSet::new();
        let mut fy_sum = 0;
        let mut since_baseline = 0;
        for (m, metric, v) in figures {
            if !relevant(m, metric) {
                continue;
            }
            if m.fiscal_year() == fy {
                fy_sum += v;
                months.insert(*m);
            }
            if self.baseline_month.is_some_and(|b| *m > b) {
                since_baseline += v;
            }
        }
        let (current, progress) = match self.kind {
            IndicatorKind::Annual => (
                fy_sum,
                (self.target > 0).then(|| fy_sum as f64 / self.target as f64),
            ),
            IndicatorKind::Cumulative => {
                let current = self.baseline + since_baseline;
                let span = self.target.saturating_sub(self.baseline);
                (
                    current,
                    (span > 0).then(|| since_baseline as f64 / span as f64),
                )
            }
        };
        Standing {
            fiscal_year_to_date: fy_sum,
            current,
            months_counted: months.len(),
            progress,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn annual_counts_the_fiscal_year_only_and_cumulative_adds_to_the_baseline() {
        let annual = Indicator {
            name: "a".into(),
            metrics: vec![Metric::CasesWithConsent, Metric::CasesWithoutConsent],
            kind: IndicatorKind::Annual,
            baseline: 150,
            baseline_month: None,
            baseline_note: String::new(),
            target: 336,
            target_fiscal_year: 2028,
        };
        let figs = vec![
            (ym("2025-03"), Metric::CasesWithConsent, 99), // previous fiscal year
            (ym("2025-04"), Metric::CasesWithConsent, 20),
            (ym("2025-04"), Metric::CasesWithoutConsent, 10),
            (ym("2025-05"), Metric::CasesWithConsent, 12),
            (ym("2025-06"), Metric::CasesWithConsent, 50), // after the month asked
            (ym("2025-05"), Metric::Sessions, 1000),       // another metric
        ];
        let s = annual.standing(ym("2025-05"), &figs);
        assert_eq!(
            (s.fiscal_year_to_date, s.current, s.months_counted),
            (42, 42, 2)
        );
        let cumulative = Indicator {
            kind: IndicatorKind::Cumulative,
            baseline: 256,
            baseline_month: Some(ym("2025-03")),
            target: 372,
            ..annual
        };
        let s = cumulative.standing(ym("2025-05"), &figs);
        assert_eq!(s.current, 256 + 42);
        assert!((s.progress.unwrap() - 42.0 / 116.0).abs() < 1e-9);
    }
}
