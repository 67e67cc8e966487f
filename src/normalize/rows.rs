//! Row accounting: every row of a return ends up in records, in findings, or
//! in a count of rows skipped on purpose, and the identity
//! `read = records + findings + skipped` holds for every file.

use super::value::{parse_count, Count};
use super::Problem;
use crate::core::{Rule, Severity};
use crate::read::{Cell, Sheet};
use std::ops::AddAssign;

/// What became of a row. Later claims of higher rank win: a row with one bad
/// cell is a finding row even if its other cells became records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowUse {
    /// Not claimed by the layout.
    Unclaimed,
    /// Nothing in it.
    Blank,
    /// A title, a note, or a label row outside any table.
    Note,
    /// Header block or table heading.
    Header,
    /// A total row, checked and not copied.
    Total,
    /// Produced records.
    Record,
    /// Produced a finding.
    Finding,
}

/// Counts of rows by what became of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowAccount {
    /// Rows read (every row of every visible sheet, including blanks).
    pub read: u64,
    /// Rows that became records (case-list rows included).
    pub records: u64,
    /// Rows that produced at least one finding.
    pub findings: u64,
    /// Skipped: blank rows.
    pub skipped_blank: u64,
    /// Skipped: header block and table headings.
    pub skipped_header: u64,
    /// Skipped: total rows (checked, not copied).
    pub skipped_total: u64,
    /// Skipped: titles and notes.
    pub skipped_note: u64,
    /// Skipped: rows of sheets that hold no form.
    pub skipped_other_sheet: u64,
}

impl RowAccount {
    /// All skipped rows.
    pub fn skipped(&self) -> u64 {
        self.skipped_blank
            + self.skipped_header
            + self.skipped_total
            + self.skipped_note
            + self.skipped_other_sheet
    }

    /// True when every row read is accounted for.
    pub fn balances(&self) -> bool {
        self.read == self.records + self.findings + self.skipped()
    }

    /// A whole file that could not be read counts as one finding "row" per
    /// file: its rows cannot be counted.
    pub fn unreadable_file() -> Self {
        RowAccount {
            read: 1,
            findings: 1,
            ..RowAccount::default()
        }
    }

    /// Rows of another sheet of the workbook, left on purpose.
    pub fn skip_other_sheet(&mut self, n: usize) {
        self.read += n as u64;
        self.skipped_other_sheet += n as u64;
    }
}

impl AddAssign for RowAccount {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.records += o.records;
        self.findings += o.findings;
        self.skipped_blank += o.skipped_blank;
        self.skipped_header += o.skipped_header;
        self.skipped_total += o.skipped_total;
        self.skipped_note += o.skipped_note;
        self.skipped_other_sheet += o.skipped_other_sheet;
    }
}

/// Claims on the rows of the sheet being read.
pub(super) struct Claims<'s> {
    sheet: &'s Sheet,
    uses: Vec<RowUse>,
}

impl<'s> Claims<'s> {
    pub(super) fn new(sheet: &'s Sheet) -> Self {
        Claims {
            sheet,
            uses: vec![RowUse::Unclaimed; sheet.rows.len()],
        }
    }

    pub(super) fn claim(&mut self, row: usize, what: RowUse) {
        if let Some(u) = self.uses.get_mut(row) {
            *u = (*u).max(what);
        }
    }

    /// What each row became so far, row by row.
    pub(super) fn uses(&self) -> &[RowUse] {
        &self.uses
    }

    pub(super) fn is_claimed(&self, row: usize) -> bool {
        self.uses.get(row).is_some_and(|u| *u != RowUse::Unclaimed)
    }

    /// Counts the rows; a row no table claimed that holds a number is
    /// reported, since it may be a figure the layout did not expect.
    pub(super) fn finish(self, file: &str) -> (RowAccount, Vec<Problem>) {
        let mut acc = RowAccount::default();
        let mut problems = Vec::new();
        for (r, u) in self.uses.iter().enumerate() {
            acc.read += 1;
            let u = match u {
                RowUse::Unclaimed if self.sheet.row_is_blank(r) => RowUse::Blank,
                RowUse::Unclaimed => {
                    let row = &self.sheet.rows[r];
                    match row.iter().position(|c| matches!(c, Cell::Number(_)) || matches!(c, Cell::Text(_) if matches!(parse_count(c), Count::Value(_)))) {
                        Some(c) => {
                            problems.push(
                                Problem::new(
                                    Rule::UnreadRow,
                                    self.sheet.location(file, r, c),
                                    "どの表にも属さない行に数値があります。集計に含めていません (a number outside every table was not read)".into(),
                                )
                                .severity(Severity::Warning)
                                .actual(row[c].as_text()),
                            );
                            RowUse::Finding
                        }
                        None => RowUse::Note,
                    }
                }
                other => *other,
            };
            match u {
                RowUse::Blank => acc.skipped_blank += 1,
                RowUse::Note | RowUse::Unclaimed => acc.skipped_note += 1,
                RowUse::Header => acc.skipped_header += 1,
                RowUse::Total => acc.skipped_total += 1,
                RowUse::Record => acc.records += 1,
                RowUse::Finding => acc.findings += 1,
            }
        }
        (acc, problems)
    }
}
