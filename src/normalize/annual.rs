//! Annual workbooks: one sheet per month (`4月` … `3月`, or `令和7年4月` …),
//! of which the batch month's sheet is the return. The other months' sheets
//! are counted as skipped, not read, and raise no finding.

use super::identity::month_from_name;
use super::text::label_key;
use super::SheetKeys;
use crate::core::month::parse_month;
use crate::core::YearMonth;
use crate::read::Book;

/// The sheets of an annual workbook: the batch month's, and the others.
#[derive(Debug, Clone)]
pub(crate) struct MonthSheets {
    /// The batch month's sheet(s), in book order.
    pub chosen: Vec<usize>,
    /// The other months' sheets.
    pub others: Vec<usize>,
}

/// A sheet's month by its 報告年月 cell, else by its name (a bare `4月`
/// taken in the batch month's fiscal year: 4–12 in its start year, 1–3 in
/// the next).
pub(crate) fn sheet_month(
    book: &Book,
    keys: &SheetKeys,
    s: usize,
    batch: YearMonth,
) -> Option<YearMonth> {
    let sheet = &book.sheets[s];
    let fy = batch.fiscal_year();
    let by_name = month_from_name(&sheet.name, None).or_else(|| {
        let m = month_from_name(&sheet.name, Some(fy))?;
        YearMonth::new(if m.month >= 4 { fy } else { fy + 1 }, m.month)
    });
    let month_label = label_key("報告年月");
    let by_cell = (0..sheet.rows.len()).find_map(|r| {
        let c = keys.row(r).iter().position(|k| {
            k.as_deref()
                .is_some_and(|k| k.trim_end_matches([':', '：']) == month_label)
        })?;
        ((c + 1)..sheet.rows[r].len())
            .map(|cc| sheet.get(r, cc))
            .find(|v| !v.is_blank())
            .and_then(parse_month)
    });
    by_cell.or(by_name)
}

/// For a workbook whose sheets are named by months (at least two of them),
/// the batch month's sheet and the others; `None` for any other workbook,
/// or when no batch month is known.
pub(crate) fn month_sheets(
    book: &Book,
    keys: &[SheetKeys],
    batch: Option<YearMonth>,
) -> Option<MonthSheets> {
    let batch = batch?;
    let named: Vec<usize> = (0..book.sheets.len())
        .filter(|&s| month_from_name(&book.sheets[s].name, Some(batch.year)).is_some())
        .collect();
    if named.len() < 2 {
        return None;
    }
    let (mut chosen, mut others) = (Vec::new(), Vec::new());
    for (s, sheet_keys) in keys.iter().enumerate() {
        match sheet_month(book, sheet_keys, s, batch) {
            Some(m) if m == batch => chosen.push(s),
            Some(_) => others.push(s),
            // A sheet not named by a month (notes, a summary) stays a candidate.
            None => chosen.push(s),
        }
    }
    Some(MonthSheets { chosen, others })
}
