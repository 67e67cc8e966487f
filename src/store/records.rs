//! `records.csv`-shaped files read back into [`Record`]s, by column name
//! (spec §6 lets other systems add columns at the end; so may we).

use crate::core::{Form, Location, Metric, Record, YearMonth};
use std::path::{Path, PathBuf};

/// A consolidated file that cannot be read back, with its line.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: 集計済みのファイルを読めません (cannot read back): {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ReadBackError {
    /// The file.
    pub path: PathBuf,
    /// The line (1-based, the header being line 1), when one is at fault.
    pub line: Option<u64>,
    /// What is wrong.
    pub message: String,
}

/// Opens a consolidated CSV and finds the columns `names` by their
/// headings (columns may be added at the end or reordered).
///
/// # Errors
/// The file cannot be opened or its header read, or a column is missing
/// (line 1).
pub(super) fn open_columns<const N: usize>(
    path: &Path,
    names: [&str; N],
) -> Result<(csv::Reader<std::fs::File>, [usize; N]), ReadBackError> {
    let err = |line: Option<u64>, message: String| ReadBackError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| err(None, e.to_string()))?;
    let headers = rdr.headers().map_err(|e| err(Some(1), e.to_string()))?;
    let mut idx = [0usize; N];
    for (i, name) in names.iter().enumerate() {
        idx[i] = headers.iter().position(|h| h == *name).ok_or_else(|| {
            err(
                Some(1),
                format!("列 {name} がありません (no column {name})"),
            )
        })?;
    }
    Ok((rdr, idx))
}

/// Columns of `records.csv` (spec §6): written by `report::csv_out`, read
/// back by [`read_records`].
pub const RECORD_COLUMNS: [&str; 12] = [
    "month",
    "agency_code",
    "area_code",
    "project",
    "field",
    "form",
    "key",
    "metric",
    "value",
    "source_file",
    "source_sheet",
    "source_cell",
];

/// Reads a file in the schema of `records.csv`.
///
/// # Errors
/// A missing column, an unknown metric or form, a value that is not a
/// count, or a month that is not `YYYY-MM`, each with its line.
pub fn read_records(path: &Path) -> Result<Vec<Record>, ReadBackError> {
    read(path, None)
}

/// [`read_records`] for a month's own file (`out/<YYYY-MM>/records.csv`,
/// `FY<year>/costs.csv`): every row must be of `month`, so a file copied
/// into another month's folder does not count for that month.
///
/// # Errors
/// As [`read_records`], and a row of another month, with its line.
pub fn read_month_records(path: &Path, month: YearMonth) -> Result<Vec<Record>, ReadBackError> {
    read(path, Some(month))
}

fn read(path: &Path, of_month: Option<YearMonth>) -> Result<Vec<Record>, ReadBackError> {
    let err = |line: Option<u64>, message: String| ReadBackError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let (mut rdr, idx) = open_columns(path, RECORD_COLUMNS)?;
    let mut out = Vec::new();
    for row in rdr.records() {
        let row = row.map_err(|e| err(e.position().map(|p| p.line()), e.to_string()))?;
        let line = row.position().map(|p| p.line());
        let fields: Vec<std::borrow::Cow<'_, str>> = idx
            .iter()
            .map(|&i| super::fields::decode_field(row.get(i).unwrap_or("")))
            .collect();
        let get = |i: usize| -> &str { &fields[i] };
        let bad = |what: &str, v: &str| err(line, format!("{what} 「{v}」を読めません"));
        let month: YearMonth = get(0).parse().map_err(|_| bad("month", get(0)))?;
        if let Some(folder) = of_month.filter(|m| *m != month) {
            return Err(err(
                line,
                format!(
                    "month {month} がフォルダの月 {folder} と違います (not the folder's month)"
                ),
            ));
        }
        let form = Form::from_code(get(5)).ok_or_else(|| bad("form", get(5)))?;
        let metric = Metric::from_code(get(7)).ok_or_else(|| bad("metric", get(7)))?;
        out.push(Record {
            month,
            agency_code: get(1).to_string(),
            area_code: get(2).to_string(),
            project: get(3).parse().map_err(|_| bad("project", get(3)))?,
            field: get(4).to_string(),
            form,
            key: get(6).to_string(),
            metric,
            value: get(8).parse().map_err(|_| bad("value", get(8)))?,
            source: Location::from_columns(get(9), get(10), get(11)),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_column_names_the_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("r.csv");
        std::fs::write(&p, "month,agency_code\n2025-04,X\n").expect("write");
        let e = read_records(&p).expect_err("no columns");
        assert_eq!(e.line, Some(1));
        assert!(e.to_string().contains("r.csv:1"), "{e}");
    }

    #[test]
    fn a_bad_value_names_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("r.csv");
        std::fs::write(
            &p,
            "month,agency_code,area_code,project,field,form,key,metric,value,source_file,source_sheet,source_cell\n\
             2026-03,A,ALL,1,elderly,F5,1,total_cost,100,a.xlsx,S,B4\n\
             2026-03,A,ALL,1,elderly,F5,1,total_cost,x,a.xlsx,S,B5\n",
        )
        .expect("write");
        let e = read_records(&p).expect_err("bad value");
        assert_eq!(e.line, Some(3), "{e}");
        std::fs::write(
            &p,
            "month,agency_code,area_code,project,field,form,key,metric,value,source_file,source_sheet,source_cell\n\
             2026-03,A,ALL,1,elderly,F5,'-x,total_cost,100,a.xlsx,S,B4\n",
        )
        .expect("write");
        let r = read_records(&p).expect("reads");
        assert_eq!(r[0].key, "-x");
        assert_eq!(r[0].value, 100);
        assert_eq!(r[0].source.cell_text(), "B4");
    }
}
