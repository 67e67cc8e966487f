//! `waivers.csv`: findings that staff have acknowledged (a centre closed for
//! the month, a late return agreed). A waived finding stays visible, marked
//! `waived` with the reason and who approved it; a waiver that has expired or
//! matched nothing is itself reported.
//!
//! Columns: `rule,agency_code,months,reason,approved_by,until`
//! * `months`: `2025-04`, several separated by `;`, or a range `2025-04..2025-09`;
//! * `until`: the last day the waiver may be used, `YYYY-MM-DD` (empty: no end).

use super::MappingError;
use crate::core::{Rule, YearMonth};
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::Path;

/// One acknowledged finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Line in `waivers.csv`, for messages.
    pub line: u64,
    /// The rule it waives.
    pub rule: Rule,
    /// The agency (empty: findings with no agency).
    pub agency_code: String,
    /// First and last month it covers.
    pub months: Vec<(YearMonth, YearMonth)>,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Last day it may be used.
    pub until: Option<NaiveDate>,
}

impl Waiver {
    /// True when it covers `month`.
    pub fn covers(&self, month: YearMonth) -> bool {
        self.months.iter().any(|(a, b)| *a <= month && month <= *b)
    }

    /// True when it has expired by the start of `month`.
    pub fn expired_for(&self, month: YearMonth) -> bool {
        let first_day = NaiveDate::from_ymd_opt(month.year, month.month, 1);
        matches!((self.until, first_day), (Some(u), Some(d)) if u < d)
    }

    /// `理由（承認: 誰）`, for reports.
    pub fn note(&self) -> String {
        format!("{}（承認: {}）", self.reason, self.approved_by)
    }
}

#[derive(Deserialize)]
struct Row {
    rule: String,
    agency_code: String,
    months: String,
    reason: String,
    approved_by: String,
    #[serde(default)]
    until: String,
}

/// Parses `waivers.csv`.
pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<Waiver>, Vec<MappingError>> {
    let path = path.to_path_buf();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let invalid = |line: u64, message: String| MappingError::Invalid {
        path: path.clone(),
        line: line as usize,
        column: 1,
        message,
    };
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![invalid(1, e.to_string())]),
    };
    for record in rdr.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(invalid(e.position().map_or(0, |p| p.line()), e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let row: Row = match record.deserialize(Some(&headers)) {
            Ok(r) => r,
            Err(e) => {
                errors.push(invalid(line, e.to_string()));
                continue;
            }
        };
        let Some(rule) = Rule::ALL.iter().copied().find(|r| r.code() == row.rule) else {
            errors.push(invalid(
                line,
                format!("不明なルール {:?} (unknown rule)", row.rule),
            ));
            continue;
        };
        let months = match parse_months(&row.months) {
            Some(m) if !m.is_empty() => m,
            _ => {
                errors.push(invalid(line, format!("months {:?} は 2025-04、2025-04;2025-05、2025-04..2025-09 の形で書いてください", row.months)));
                continue;
            }
        };
        let until = if row.until.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(&row.until, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(invalid(
                        line,
                        format!("until {:?} は YYYY-MM-DD で書いてください", row.until),
                    ));
                    continue;
                }
            }
        };
        if row.reason.is_empty() || row.approved_by.is_empty() {
            errors.push(invalid(
                line,
                "reason と approved_by は必須です (reason and approver are required)".into(),
            ));
            continue;
        }
        out.push(Waiver {
            line,
            rule,
            agency_code: row.agency_code,
            months,
            reason: row.reason,
            approved_by: row.approved_by,
            until,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn parse_months(text: &str) -> Option<Vec<(YearMonth, YearMonth)>> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| match part.split_once("..") {
            Some((a, b)) => {
                let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                (a <= b).then_some((a, b))
            }
            None => part.parse().ok().map(|m| (m, m)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_ranges_and_lists() {
        let m = |s: &str| s.parse::<YearMonth>().unwrap();
        assert_eq!(
            parse_months("2025-04"),
            Some(vec![(m("2025-04"), m("2025-04"))])
        );
        assert_eq!(
            parse_months("2025-04..2025-06; 2025-09"),
            Some(vec![
                (m("2025-04"), m("2025-06")),
                (m("2025-09"), m("2025-09"))
            ])
        );
        assert_eq!(parse_months("2025-06..2025-04"), None);
        assert_eq!(parse_months("April"), None);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("waivers.csv"),
            "rule,agency_code,months,reason,approved_by,until\n\
             missing_return,HUB-01,2025-04,休所,課長,2025-06-30\n\
             missing_retrun,HUB-02,2025-04,休所,課長,\n",
        )
        .unwrap();
        let path = dir.path().join("waivers.csv");
        let errs = parse(&path, &std::fs::read(&path).unwrap()).unwrap_err();
        assert_eq!(errs.len(), 1);
        let msg = errs[0].to_string();
        assert!(
            msg.contains("waivers.csv:3:1") && msg.contains("missing_retrun"),
            "{msg}"
        );
    }
}
