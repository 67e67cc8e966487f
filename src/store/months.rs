//! The consolidated months under `out/` read back: a month's `records.csv`
//! and `findings.csv` as typed rows ([`Record`], [`FindingRow`]), the months
//! before a batch month ([`load_history`], [`month_records`]) and a fiscal
//! year's months with its F5 costs ([`load_fiscal_year`]). This is the only
//! place that reads them, so every reader sees the files the same way.

use super::records::{read_month_records, ReadBackError};
use crate::core::{Metric, Record, Rule, Severity, YearMonth};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file of a month's folder holding its records.
pub const RECORDS: &str = "records.csv";
/// The file of a month's folder holding its findings.
pub const FINDINGS: &str = "findings.csv";
/// The file of a month's folder holding its anonymous case list.
pub const CASES: &str = "cases.csv";
/// The year's F5 cost records, in `FY<year>/`.
pub const COSTS: &str = "costs.csv";
/// The findings about the year's F5 cost returns, in `FY<year>/`.
pub const COSTS_FINDINGS: &str = "costs_findings.csv";

/// `out/<YYYY-MM>/`.
pub fn month_dir(out: &Path, month: YearMonth) -> PathBuf {
    out.join(month.to_string())
}

/// `out/FY<year>/`, where the fiscal-year report and its costs go.
pub fn fiscal_dir(out: &Path, fiscal_year: i32) -> PathBuf {
    out.join(format!("FY{fiscal_year}"))
}

/// Whether `month` has been consolidated under `out/` (its `records.csv` is
/// there).
pub fn is_consolidated(out: &Path, month: YearMonth) -> bool {
    month_dir(out, month).join(RECORDS).is_file()
}

/// One finding of a month's `findings.csv`, as the fiscal report needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRow {
    /// Severity.
    pub severity: Severity,
    /// Rule.
    pub rule: Rule,
    /// Agency code (empty for the month as a whole).
    pub agency: String,
    /// Whether it was waived (`status` = `waived`) rather than open.
    pub waived: bool,
    /// Waiver reason and approver.
    pub waiver: String,
}

impl FindingRow {
    /// An error nobody waived.
    pub fn is_open_error(&self) -> bool {
        self.severity == Severity::Error && !self.waived
    }
}

/// Reads a `findings.csv`, by column name (columns may be added at the end).
///
/// # Errors
/// A missing column, or a severity, rule or status that kasane does not
/// write, each with its line.
pub fn read_findings(path: &Path) -> Result<Vec<FindingRow>, ReadBackError> {
    let err = |line: Option<u64>, message: String| ReadBackError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let (mut rdr, [severity, rule, agency, status, waiver]) = super::records::open_columns(
        path,
        ["severity", "rule", "agency_code", "status", "waiver"],
    )?;
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = row.map_err(|e| err(e.position().map(|p| p.line()), e.to_string()))?;
        let line = row.position().map(|p| p.line());
        let get = |i: usize| super::fields::decode_field(row.get(i).unwrap_or(""));
        let bad = |what: &str, v: &str| err(line, format!("{what} 「{v}」を読めません"));
        let s = get(severity);
        let r = get(rule);
        let st = get(status);
        out.push(FindingRow {
            severity: Severity::from_code(&s).ok_or_else(|| bad("severity", &s))?,
            rule: Rule::from_code(&r).ok_or_else(|| bad("rule", &r))?,
            agency: get(agency).into_owned(),
            waived: match st.as_ref() {
                "waived" => true,
                "open" => false,
                other => return Err(bad("status", other)),
            },
            waiver: get(waiver).into_owned(),
        });
    }
    Ok(out)
}

/// Per-month sums of each metric from earlier runs, and the months found.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// (month, metric, sum over agencies and keys): what the indicators
    /// need of an earlier month, so its records are not held one by one.
    pub figures: Vec<(YearMonth, Metric, u64)>,
    /// Months whose `records.csv` was read.
    pub months: Vec<YearMonth>,
    /// Folders that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
}

/// Reads `out/<YYYY-MM>/records.csv` for every month before `before`.
pub fn load_history(out: &Path, before: YearMonth) -> History {
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
        match read_month_records(&month_dir(out, m).join(RECORDS), m) {
            Ok(rows) => {
                h.figures
                    .extend(sums_by_metric(m, rows.iter().map(|f| (f.metric, f.value))));
                h.months.push(m);
            }
            Err(e) => h.unreadable.push((m.to_string(), e.to_string())),
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

/// A consolidated month's records as found under `out/`.
#[derive(Debug)]
pub enum MonthRecords {
    /// Its `records.csv` is not there (not consolidated).
    Missing,
    /// It is there but cannot be read back.
    Unreadable(ReadBackError),
    /// Its records.
    Found(Vec<Record>),
}

/// The records of `out/<month>/records.csv` (for the month before a batch
/// month: its running totals, 累計).
pub fn month_records(out: &Path, month: YearMonth) -> MonthRecords {
    let path = month_dir(out, month).join(RECORDS);
    if !path.is_file() {
        return MonthRecords::Missing;
    }
    match read_month_records(&path, month) {
        Ok(rows) => MonthRecords::Found(rows),
        Err(e) => MonthRecords::Unreadable(e),
    }
}

/// A consolidated month as read back from `out/<YYYY-MM>/`.
#[derive(Debug, Clone)]
pub struct MonthOutputs {
    /// The month.
    pub month: YearMonth,
    /// Its records.
    pub figures: Vec<Record>,
    /// Its findings.
    pub findings: Vec<FindingRow>,
}

/// The fiscal year's months as found under `out/`.
#[derive(Debug, Clone)]
pub struct YearOutputs {
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
}

/// The twelve months of a fiscal year, April first.
pub fn fiscal_months(fy: i32) -> Vec<YearMonth> {
    let mut m = YearMonth { year: fy, month: 4 };
    (0..12)
        .map(|_| {
            let this = m;
            m = m.next();
            this
        })
        .collect()
}

/// Reads the fiscal year's months, and its costs, from `out/`.
pub fn load_fiscal_year(out: &Path, fiscal_year: i32) -> YearOutputs {
    let mut data = YearOutputs {
        fiscal_year,
        months: Vec::new(),
        missing: Vec::new(),
        unreadable: Vec::new(),
        costs: None,
    };
    for m in fiscal_months(fiscal_year) {
        let dir = month_dir(out, m);
        if !dir.join(RECORDS).exists() {
            data.missing.push(m);
            continue;
        }
        match read_outputs(&dir.join(RECORDS), &dir.join(FINDINGS), m) {
            Ok(mo) => data.months.push(mo),
            Err(e) => data.unreadable.push((m.to_string(), e.to_string())),
        }
    }
    let fy_dir = fiscal_dir(out, fiscal_year);
    if fy_dir.join(COSTS).exists() {
        match read_outputs(
            &fy_dir.join(COSTS),
            &fy_dir.join(COSTS_FINDINGS),
            YearMonth::fiscal_year_end(fiscal_year),
        ) {
            Ok(c) => data.costs = Some(c),
            Err(e) => data
                .unreadable
                .push((format!("FY{fiscal_year}/{COSTS}"), e.to_string())),
        }
    }
    data
}

fn read_outputs(
    records: &Path,
    findings: &Path,
    month: YearMonth,
) -> Result<MonthOutputs, ReadBackError> {
    Ok(MonthOutputs {
        month,
        figures: read_month_records(records, month)?,
        findings: read_findings(findings)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "month,severity,rule,agency_code,message,expected,actual,source,status,waiver\n";

    #[test]
    fn findings_read_back_typed_and_a_bad_code_names_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("findings.csv");
        std::fs::write(
            &p,
            format!(
                "{HEADER}2025-04,error,missing_return,A,m,,,,waived,休止中（課長）\n\
                 2025-04,warning,ignored_entry,,m,,,,open,\n"
            ),
        )
        .expect("write");
        let rows = read_findings(&p).expect("reads");
        assert_eq!(
            rows[0],
            FindingRow {
                severity: Severity::Error,
                rule: Rule::MissingReturn,
                agency: "A".into(),
                waived: true,
                waiver: "休止中（課長）".into(),
            }
        );
        assert!(!rows[0].is_open_error());
        assert!(!rows[1].waived);

        std::fs::write(
            &p,
            format!("{HEADER}2025-04,error,missing_return,A,m,,,,open,\n2025-04,error,no_such_rule,A,m,,,,open,\n"),
        )
        .expect("write");
        let e = read_findings(&p).expect_err("unknown rule");
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("no_such_rule"), "{e}");
    }

    #[test]
    fn a_month_is_missing_unreadable_or_found() {
        let out = tempfile::tempdir().expect("tempdir");
        let april: YearMonth = "2025-04".parse().expect("month");
        assert!(matches!(
            month_records(out.path(), april),
            MonthRecords::Missing
        ));
        assert!(!is_consolidated(out.path(), april));
        let dir = month_dir(out.path(), april);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let header = "month,agency_code,area_code,project,field,form,key,metric,value,source_file,source_sheet,source_cell\n";
        std::fs::write(
            dir.join(RECORDS),
            format!("{header}2025-04,A,ALL,4,cross,F3,A1,outreach_closed,1,a.xlsx,F3,G10\n"),
        )
        .expect("write");
        assert!(is_consolidated(out.path(), april));
        let MonthRecords::Found(rows) = month_records(out.path(), april) else {
            panic!("found");
        };
        assert_eq!(rows.len(), 1);
        // No findings.csv: the fiscal year names the month unreadable.
        let year = load_fiscal_year(out.path(), 2025);
        assert_eq!(year.months.len(), 0);
        assert_eq!(year.missing.len(), 11);
        assert_eq!(year.unreadable.len(), 1, "{:?}", year.unreadable);
    }
}
