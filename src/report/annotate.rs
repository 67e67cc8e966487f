//! The annotated copy of a checked return (`kasane check --annotate`): a
//! workbook an agency opens to see its own return marked up.
//!
//! It holds one sheet per sheet of the return, with the return's values
//! written back where they were (numbers as numbers, everything else as
//! text, never as a formula); each cell a problem points at is highlighted
//! and carries a note with the problems found there (rule, message in
//! Japanese, the value expected). A last sheet, 「指摘一覧」, lists every
//! problem: severity, rule, place, message in Japanese and English,
//! expected and found. Texts are cut to what a cell or a note holds
//! ([`super::cell`]) and the list to the rows a sheet holds, so a return
//! with a huge text or thousands of problems is annotated like any other.
//!
//! The writer lays out what the check found; it reads no file and judges
//! nothing.

use super::cell::{fit, sheet_name, summarize, TextCells, MAX_LIST_ROWS, MAX_NOTE_UTF16};
use crate::read::{Book, Cell};
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatBorder, Note, Workbook};
use std::collections::BTreeMap;

/// One problem to mark, as the check shows it.
#[derive(Debug, Clone, Copy)]
pub struct Marked<'a> {
    /// `error`, `warning` or `info`.
    pub severity: &'a str,
    /// Stable rule code.
    pub rule: &'a str,
    /// Where: file / sheet / cell.
    pub location: &'a str,
    /// What is wrong, in Japanese.
    pub message_ja: &'a str,
    /// What is wrong, in English.
    pub message_en: &'a str,
    /// What was expected.
    pub expected: &'a str,
    /// What was found.
    pub actual: &'a str,
    /// The cell to mark: (sheet, row, col), zero-based.
    pub cell: Option<(&'a str, u32, u32)>,
}

/// The return's values written back with each problem cell highlighted and a
/// note on it, plus a sheet listing every problem. Problems on the same cell
/// share its note.
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value.
pub fn annotate(
    book: &Book,
    problems: &[Marked<'_>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let marked = Format::new()
        .set_background_color(Color::RGB(0xFFEB9C))
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(0xC00000));
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7));
    // The list sheet's name is taken first, so a return's own sheet of that
    // name is the one renamed.
    let mut taken = vec!["指摘一覧".to_string()];
    for sheet in &book.sheets {
        let ws = wb.add_worksheet();
        let wanted = if sheet.name.is_empty() {
            "CSV"
        } else {
            sheet.name.as_str()
        };
        ws.set_name(sheet_name(wanted, &mut taken))?;
        // One note per cell: a second insert_note on a cell would replace the first.
        let mut notes: BTreeMap<(u32, u32), Vec<&Marked<'_>>> = BTreeMap::new();
        for f in problems {
            if let Some((s, r, c)) = f.cell {
                if s == sheet.name {
                    notes.entry((r, c)).or_default().push(f);
                }
            }
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (ar, ac) = (
                    sheet.origin.0 + r as u32,
                    (sheet.origin.1 + c as u32) as u16,
                );
                match cell {
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        ws.write_number(ar, ac, *n)?;
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean(ar, ac, *b)?;
                    }
                    other => {
                        ws.write_text(ar, ac, other.as_text())?;
                    }
                }
            }
        }
        for ((r, c), found) in notes {
            let c16 = c as u16;
            let text = sheet
                .rows
                .get((r - sheet.origin.0.min(r)) as usize)
                .and_then(|row| row.get((c - sheet.origin.1.min(c)) as usize))
                .map(Cell::as_text)
                .unwrap_or_default();
            ws.write_text_with_format(r, c16, text, &marked)?;
            let body = summarize(
                found.iter().map(|f| {
                    let mut body = format!("【{}】{}", f.rule, f.message_ja);
                    if !f.expected.is_empty() {
                        body.push_str(&format!("\n期待値: {}", f.expected));
                    }
                    body
                }),
                MAX_NOTES_PER_CELL,
                "\n\n",
            );
            ws.insert_note(
                r,
                c16,
                &Note::new(fit(&body, MAX_NOTE_UTF16))
                    .set_author("kasane")
                    .set_width(360)
                    .set_height(140),
            )?;
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("指摘一覧")?;
    for (c, (h, w)) in [
        "重要度",
        "ルール",
        "箇所",
        "内容",
        "Message",
        "期待値",
        "実際の値",
    ]
    .iter()
    .zip([8, 22, 40, 60, 50, 16, 16])
    .enumerate()
    {
        ws.write_text_with_format(0, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, w)?;
    }
    let shown = problems.len().min(MAX_LIST_ROWS);
    for (i, f) in problems.iter().take(shown).enumerate() {
        let r = 1 + i as u32;
        for (c, v) in [
            f.severity,
            f.rule,
            f.location,
            f.message_ja,
            f.message_en,
            f.expected,
            f.actual,
        ]
        .iter()
        .enumerate()
        {
            ws.write_text(r, c as u16, *v)?;
        }
    }
    if shown < problems.len() {
        let more = problems.len() - shown;
        ws.write_text(
            1 + shown as u32,
            0,
            format!("※ 以下 {more} 件を省略しました（Excel の行数の上限）。全件は --json で表示できます ({more} more left out; see --json)"),
        )?;
    }
    wb.save_to_buffer()
}

/// How many problems of one cell its note spells out before 「…ほか N 件」.
const MAX_NOTES_PER_CELL: usize = 10;
