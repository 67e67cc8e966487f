//! The machine-readable outputs of spec §6: `records.csv`, `findings.csv`,
//! `cases.csv`. UTF-8 without BOM, header row, `\n` line ends. Column names
//! are an interface: columns may be added at the end, never renamed.
//!
//! Every field goes through [`encode_field`], which is part of that
//! interface (README「CSV の値の書き方」):
//!
//! * **formula injection**: a spreadsheet opening the file would run a field
//!   that begins with `=`, `+`, `-`, `@` or TAB as a formula (a return's
//!   site name `=HYPERLINK(…)`, OWASP "CSV injection"), so such a field is
//!   written with a leading `'` — unless it is a number (`-3` stays `-3`). A
//!   field that already begins with `'`s before one of those characters gets
//!   one more, so the prefix can always be undone exactly;
//! * **control characters**: C0 controls other than TAB and LF (which CSV
//!   quoting carries) are written as visible `\xNN` (`\x07`, `\x0D`), and a
//!   backslash that would read as such an escape as `\x5C`.
//!
//! [`decode_field`] undoes both; kasane's own readers of these files
//! ([`super::months`], [`super::records`]) read every field through it.

use crate::core::{CaseRow, Finding, Record};
pub use crate::store::fields::{decode_field, encode_field};
use std::borrow::Cow;

pub use crate::store::records::RECORD_COLUMNS;

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
        w.write_record(row.iter().map(|field| match encode_field(field) {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fields::{escaped_control, is_number, FORMULA_START};

    #[test]
    fn formulas_get_a_quote_numbers_do_not() {
        for (raw, written) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+ふれあい拠点", "'+ふれあい拠点"),
            ("-みんなの居場所", "'-みんなの居場所"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("'=x", "''=x"),
            ("-3", "-3"),
            ("+1.5", "+1.5"),
            ("-", "'-"),
            ("'quoted'", "'quoted'"),
            ("中央サロン", "中央サロン"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(encode_field(raw), written, "{raw:?}");
            assert_eq!(decode_field(written), raw, "{written:?}");
        }
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        for (raw, written) in [
            ("a\u{7}b", "a\\x07b"),
            ("\r\n", "\\x0D\n"),
            ("\u{1b}[31m", "\\x1B[31m"),
            ("tab\tand\nline", "tab\tand\nline"),
            ("C:\\x07", "C:\\x5Cx07"),
            ("C:\\dir\\file", "C:\\dir\\file"),
            ("\\x41", "\\x41"),
            ("\u{0}=", "\\x00="),
            ("\r=1", "\\x0D=1"),
        ] {
            assert_eq!(encode_field(raw), written, "{raw:?}");
            assert_eq!(decode_field(written), raw, "{written:?}");
        }
    }

    #[test]
    fn every_text_round_trips() {
        let parts = [
            "'", "=", "-", "3", "\\", "x", "0", "7", "5C", "\u{7}", "\r", "\t", "あ",
        ];
        // Every text of up to four parts.
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| parts.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
            texts.sort();
            texts.dedup();
        }
        for t in &texts {
            let written = encode_field(t);
            assert_eq!(decode_field(&written), *t, "{t:?} → {written:?}");
            assert!(!written.chars().any(escaped_control), "{written:?}");
            assert!(
                !written.starts_with(FORMULA_START) || is_number(&written),
                "{written:?}"
            );
        }
    }
}
