//! The machine-readable outputs of spec §6: `records.csv`, `findings.csv`,
//! `cases.csv`. UTF-8 without BOM, header row, `\n` line ends. Column names
//! are an interface: columns may be added at the end, never renamed.

use crate::core::{CaseRow, Finding, Record};

/// Columns of `records.csv`.
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

/// Columns of `findings.csv`.
pub const FINDING_COLUMNS: [&str; 10] = [
    "month",
    "severity",
    "rule",
    "agency_code",
    "message",
    "expected",
    "actual",
    "source",
    "status",
    "waiver",
];

/// Columns of `cases.csv`.
pub const CASE_COLUMNS: [&str; 12] = [
    "month",
    "center_code",
    "case_id",
    "meeting_kind",
    "meeting_date",
    "issues",
    "participants",
    "lead_agency",
    "source_file",
    "source_sheet",
    "source_cell",
    "roles",
];

fn write<const N: usize>(
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `records.csv`.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn records(records: &[Record]) -> Result<Vec<u8>, csv::Error> {
    write(
        RECORD_COLUMNS,
        records.iter().map(|r| {
            [
                r.month.to_string(),
                r.agency_code.clone(),
                r.area_code.clone(),
                r.project.to_string(),
                r.field.clone(),
                r.form.code().to_string(),
                r.key.clone(),
                r.metric.code().to_string(),
                r.value.to_string(),
                r.source.file.clone(),
                r.source.sheet.clone(),
                r.source.cell_text(),
            ]
        }),
    )
}

/// `findings.csv`.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn findings(findings: &[Finding]) -> Result<Vec<u8>, csv::Error> {
    write(
        FINDING_COLUMNS,
        findings.iter().map(|f| {
            [
                f.month.to_string(),
                f.severity.code().to_string(),
                f.rule.code().to_string(),
                f.agency_code.clone(),
                f.message.clone(),
                f.expected.clone(),
                f.actual.clone(),
                f.source_text(),
                if f.is_open() { "open" } else { "waived" }.to_string(),
                f.waiver.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// `cases.csv`.
///
/// # Errors
/// Only if the CSV writer fails.
pub fn cases(cases: &[CaseRow]) -> Result<Vec<u8>, csv::Error> {
    write(
        CASE_COLUMNS,
        cases.iter().map(|c| {
            [
                c.month.to_string(),
                c.center_code.clone(),
                c.case_id.clone(),
                c.meeting_kind.code().to_string(),
                c.meeting_date.clone(),
                c.issues.join(";"),
                c.participants.join(";"),
                c.lead_agency.clone(),
                c.source.file.clone(),
                c.source.sheet.clone(),
                c.source.cell_text(),
                c.roles
                    .iter()
                    .map(|(code, role)| format!("{code}:{}", role.replace(';', "；")))
                    .collect::<Vec<_>>()
                    .join(";"),
            ]
        }),
    )
}
