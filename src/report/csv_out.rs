//! The machine-readable outputs of spec §6: `records.csv`, `findings.csv`,
//! `cases.csv`. UTF-8 without BOM, header row, `\n` line ends. Column names
//! are an interface: columns may be added at the end, never renamed.

use crate::core::{CaseRow, Finding, Record};
use std::borrow::Cow;

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

/// Rows borrow what the records hold and own only what is formatted for
/// the file (numbers, cells): a large month has hundreds of thousands of
/// fields, and copying each one first was a tenth of writing the file.
fn write<'a, const N: usize>(
    header: [&str; N],
    rows: impl Iterator<Item = [Cow<'a, str>; N]>,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.iter().map(|field| field.as_bytes()))?;
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
                Cow::Owned(r.month.to_string()),
                Cow::Borrowed(r.agency_code.as_str()),
                Cow::Borrowed(r.area_code.as_str()),
                Cow::Owned(r.project.to_string()),
                Cow::Borrowed(r.field.as_str()),
                Cow::Borrowed(r.form.code()),
                Cow::Borrowed(r.key.as_str()),
                Cow::Borrowed(r.metric.code()),
                Cow::Owned(r.value.to_string()),
                Cow::Borrowed(r.source.file.as_str()),
                Cow::Borrowed(r.source.sheet.as_str()),
                Cow::Owned(r.source.cell_text()),
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
                Cow::Owned(f.month.to_string()),
                Cow::Borrowed(f.severity.code()),
                Cow::Borrowed(f.rule.code()),
                Cow::Borrowed(f.agency_code.as_str()),
                Cow::Borrowed(f.message.as_str()),
                Cow::Borrowed(f.expected.as_str()),
                Cow::Borrowed(f.actual.as_str()),
                Cow::Owned(f.source_text()),
                Cow::Borrowed(if f.is_open() { "open" } else { "waived" }),
                Cow::Borrowed(f.waiver.as_deref().unwrap_or_default()),
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
                Cow::Owned(c.month.to_string()),
                Cow::Borrowed(c.center_code.as_str()),
                Cow::Borrowed(c.case_id.as_str()),
                Cow::Borrowed(c.meeting_kind.code()),
                Cow::Borrowed(c.meeting_date.as_str()),
                Cow::Owned(c.issues.join(";")),
                Cow::Owned(c.participants.join(";")),
                Cow::Borrowed(c.lead_agency.as_str()),
                Cow::Borrowed(c.source.file.as_str()),
                Cow::Borrowed(c.source.sheet.as_str()),
                Cow::Owned(c.source.cell_text()),
                Cow::Owned(
                    c.roles
                        .iter()
                        .map(|(code, role)| format!("{code}:{}", role.replace(';', "；")))
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
            ]
        }),
    )
}
