//! Stage 2 — normalize: a grid of cells, through a layout file, into figures,
//! a case list and problems, each tied to its cell.
//!
//! Tables are found by their labels, never by fixed cells. Every row of the
//! sheet is accounted for ([`RowAccount`]): it produced figures, produced a
//! problem, or was skipped on purpose (blank, header, total, note), and a row
//! holding numbers that no table claimed is reported rather than dropped.

pub mod identity;
pub mod month;
pub mod personal;
pub mod text;
pub mod value;

mod problem;
mod rows;
mod tables;

pub use problem::Problem;
pub use rows::{RowAccount, RowUse};

use crate::core::{Form, Location, MeetingKind, Metric, Rule, YearMonth};
use crate::mapping::{FormLayout, HeaderField, Mappings, TableLayout};
use crate::read::{Book, Cell, Sheet};
use std::collections::HashSet;
use text::label_key;

/// One figure read from a return, before the registry gives it its agency's
/// area and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// The row's dimension (attribute code, sending agency, area, site), or empty.
    pub key: String,
    /// What was counted.
    pub metric: Metric,
    /// The count.
    pub value: u64,
    /// The row's own area code, where the table has one.
    pub area: Option<String>,
    /// The row's own field code (F5 rows), overriding the agency's.
    pub field: Option<String>,
    /// The cell.
    pub source: Location,
}

/// A total row's figure and the figures it should equal the sum of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedTotal {
    /// The metric.
    pub metric: Metric,
    /// What the total cell says.
    pub stated: u64,
    /// The sum of the rows above it.
    pub parts_sum: u64,
    /// The total cell.
    pub source: Location,
}

/// One line of a case list, read but not yet given its month and centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLine {
    /// 事案番号.
    pub case_id: String,
    /// 会議区分.
    pub meeting_kind: MeetingKind,
    /// 会議日 as `YYYY-MM-DD` (or the text found, when unreadable; a problem says so).
    pub meeting_date: String,
    /// 主な課題.
    pub issues: Vec<String>,
    /// 参加機関コード, with the cell they came from.
    pub participants: Vec<String>,
    /// 主担当機関コード.
    pub lead_agency: String,
    /// 役割分担: (agency code, its role), where the layout has the column.
    pub roles: Vec<(String, String)>,
    /// The row's first cell.
    pub source: Location,
    /// The 参加機関コード cell.
    pub participants_source: Location,
}

/// A header-block value and its cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderValue<T> {
    /// The value read.
    pub value: T,
    /// The text as found.
    pub text: String,
    /// Its cell.
    pub source: Location,
}

/// A return, normalized.
#[derive(Debug, Clone)]
pub struct Return {
    /// File name relative to the returns folder.
    pub file: String,
    /// The layout file that read it.
    pub layout: String,
    /// Its form.
    pub form: Form,
    /// The sheet the form was found on (empty for CSV).
    pub sheet: String,
    /// 機関コード.
    pub agency_code: Option<HeaderValue<String>>,
    /// 機関名.
    pub agency_name: Option<String>,
    /// 報告年月.
    pub month: Option<HeaderValue<YearMonth>>,
    /// Template version cell.
    pub version: Option<String>,
    /// 年度, for yearly forms (F5).
    pub fiscal_year: Option<HeaderValue<i32>>,
    /// 提出日, where the layout has one.
    pub submitted: Option<chrono::NaiveDate>,
    /// 版 (edition), where the layout has one.
    pub edition: Option<u64>,
    /// The figures.
    pub figures: Vec<Figure>,
    /// Total rows, for checking.
    pub totals: Vec<StatedTotal>,
    /// The case list (F2).
    pub cases: Vec<CaseLine>,
    /// Problems found while reading.
    pub problems: Vec<Problem>,
    /// What became of every row.
    pub rows: RowAccount,
}

impl Return {
    /// A return of `form` read from `sheet` of `file` by `layout`, with
    /// nothing in it yet.
    pub fn empty(file: &str, layout: &str, form: Form, sheet: &str) -> Return {
        Return {
            file: file.to_string(),
            layout: layout.to_string(),
            form,
            sheet: sheet.to_string(),
            agency_code: None,
            agency_name: None,
            month: None,
            version: None,
            fiscal_year: None,
            submitted: None,
            edition: None,
            figures: Vec::new(),
            totals: Vec::new(),
            cases: Vec::new(),
            problems: Vec::new(),
            rows: RowAccount::default(),
        }
    }
}

/// Normalizes one book with the layouts of a mappings folder.
///
/// # Errors
/// A problem (`unknown_form`) when no visible sheet matches any layout.
pub fn normalize(book: &Book, mappings: &Mappings) -> Result<Return, Box<Problem>> {
    for (index, sheet) in book.sheets.iter().enumerate() {
        // Each text cell's label key is computed once here, then shared by
        // recognition and every label search of the tables.
        let keys = SheetKeys::new(sheet);
        let labels: HashSet<String> = keys.all().map(str::to_string).collect();
        if let Some(layout) = mappings.recognise(&labels) {
            let mut ret = read_sheet(book, sheet, &keys, layout, mappings);
            ret.problems.extend(unread_sheet_problems(book));
            // Rows of the other sheets were looked at and deliberately left.
            for (i, other) in book.sheets.iter().enumerate() {
                if i != index {
                    ret.rows.skip_other_sheet(other.rows.len());
                }
            }
            return Ok(ret);
        }
    }
    let names: Vec<String> = mappings.layouts.iter().map(|l| l.title.clone()).collect();
    // The form may be on a sheet that could not be read: say so.
    let unread: Vec<String> = book.unread_sheets.iter().map(ToString::to_string).collect();
    let unread = if unread.is_empty() {
        String::new()
    } else {
        format!(
            "。読めなかったシート (unread sheets): {}",
            unread.join(" / ")
        )
    };
    Err(Box::new(Problem::new(
        Rule::UnknownForm,
        Location::file(&book.file),
        format!(
            "どの様式とも判別できません。様式の見出しが変わっていないか確認してください (no sheet matches a known layout: {}){unread}",
            names.join(" / ")
        ),
    )
    .guessed(identity::guess_agency(&book.file, Some(book), &mappings.registry))))
}

/// Sheets the reader set aside (a chartsheet, a sheet over a size limit):
/// the form was read from another sheet, but the file is not wholly read.
fn unread_sheet_problems(book: &Book) -> Vec<Problem> {
    book.unread_sheets
        .iter()
        .map(|e| {
            Problem::new(
                Rule::UnreadableFile,
                e.location().clone(),
                format!("このシートは読めなかったため集計していません (sheet not read): {e}"),
            )
            .severity(crate::core::Severity::Warning)
        })
        .collect()
}

thread_local! {
    /// Label keys of texts seen before on this thread: the same headings
    /// recur in every return of a form, and NFKC is the costly part.
    static LABEL_KEYS: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// [`label_key`], remembered for short texts (at most
/// [`LABEL_KEY_CACHE_ENTRIES`] per thread, so the memory stays small
/// whatever the returns hold).
pub(crate) fn cached_label_key(text: &str) -> String {
    if text.len() > LABEL_KEY_CACHE_TEXT_BYTES {
        return label_key(text);
    }
    LABEL_KEYS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(key) = cache.get(text) {
            return key.clone();
        }
        let key = label_key(text);
        if cache.len() >= LABEL_KEY_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(text.to_string(), key.clone());
        key
    })
}

/// Most texts remembered by [`cached_label_key`] per thread.
const LABEL_KEY_CACHE_ENTRIES: usize = 16_384;
/// Longest text (bytes) remembered by [`cached_label_key`].
const LABEL_KEY_CACHE_TEXT_BYTES: usize = 96;

/// The label key ([`label_key`]) of every text cell of a sheet, computed
/// once per sheet; `None` for cells that are not text.
pub(crate) struct SheetKeys {
    rows: Vec<Vec<Option<String>>>,
}

impl SheetKeys {
    pub(crate) fn new(sheet: &Sheet) -> SheetKeys {
        SheetKeys {
            rows: sheet
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| match c {
                            Cell::Text(t) => Some(cached_label_key(t)),
                            _ => None,
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// The key of the text cell at a grid position.
    pub(crate) fn get(&self, row: usize, col: usize) -> Option<&str> {
        self.rows.get(row)?.get(col)?.as_deref()
    }

    /// The keys of one grid row (one slot per cell).
    pub(crate) fn row(&self, row: usize) -> &[Option<String>] {
        self.rows.get(row).map_or(&[], Vec::as_slice)
    }

    /// Every key of the sheet.
    fn all(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().flatten().filter_map(|k| k.as_deref())
    }
}

fn read_sheet(
    book: &Book,
    sheet: &Sheet,
    keys: &SheetKeys,
    layout: &FormLayout,
    mappings: &Mappings,
) -> Return {
    let mut rows = rows::Claims::new(sheet);
    let mut ret = Return::empty(&book.file, &layout.file, layout.form, &sheet.name);
    let ctx = tables::Context {
        file: &book.file,
        sheet,
        keys,
        registry: &mappings.registry,
    };
    for (field, labels) in &layout.header {
        let Some((r, c, cell)) = find_header_value(sheet, keys, labels) else {
            // A long table carries agency and month on every row instead.
            if !has_long_table(layout) && !field.is_optional() {
                ret.problems.push(
                    Problem::new(
                        Rule::MissingField,
                        Location::file(&book.file).in_sheet(&sheet.name),
                        format!(
                            "見出し「{}」が見つかりません (header label not found)",
                            labels.join("」「")
                        ),
                    )
                    .expected(labels.join(" / ")),
                );
            }
            continue;
        };
        rows.claim(r, RowUse::Header);
        let source = sheet.location(&book.file, r, c);
        let text_value = cell.as_text();
        match field {
            HeaderField::Month => match month::parse_month(cell) {
                Some(m) => {
                    ret.month = Some(HeaderValue {
                        value: m,
                        text: text_value,
                        source,
                    })
                }
                None => {
                    rows.claim(r, RowUse::Finding);
                    ret.problems.push(
                        Problem::new(Rule::BadValue, source, format!("報告年月「{text_value}」を年月として読めません (cannot read the month)"))
                            .expected("令和7年4月 / 2025-04 など")
                            .actual(text_value),
                    );
                }
            },
            HeaderField::AgencyCode => {
                let code = text::value_text(&text_value);
                if code.is_empty() {
                    ret.problems.push(Problem::new(
                        Rule::MissingField,
                        source,
                        "機関コードが空欄です (agency code is blank)".into(),
                    ));
                } else {
                    ret.agency_code = Some(HeaderValue {
                        value: code,
                        text: text_value,
                        source,
                    });
                }
            }
            HeaderField::AgencyName => ret.agency_name = Some(text_value.trim().to_string()),
            HeaderField::Version => ret.version = Some(text_value.trim().to_string()),
            HeaderField::Submitted => ret.submitted = month::parse_date(cell),
            HeaderField::Edition => {
                let t = text::value_text(&text_value);
                let digits = t.trim_start_matches('第').trim_end_matches('版').trim();
                ret.edition = value::parse_count(&Cell::Text(digits.to_string())).value();
            }
            HeaderField::FiscalYear => {
                match month::parse_fiscal_year(cell) {
                    Some(y) => {
                        ret.fiscal_year = Some(HeaderValue {
                            value: y,
                            text: text_value,
                            source,
                        })
                    }
                    None => {
                        rows.claim(r, RowUse::Finding);
                        ret.problems.push(
                        Problem::new(
                            Rule::BadValue,
                            source,
                            format!("年度「{text_value}」を読めません (cannot read the fiscal year)"),
                        )
                        .expected("2025 / 令和7年度 など")
                        .actual(text_value),
                    );
                    }
                }
            }
        }
    }
    for (metric, labels) in &layout.header_figures {
        match find_header_value(sheet, keys, labels) {
            Some((r, c, cell)) => {
                let source = sheet.location(&book.file, r, c);
                match value::parse_count(cell) {
                    value::Count::Value(v) => {
                        rows.claim(r, RowUse::Record);
                        ret.figures.push(Figure {
                            key: String::new(),
                            metric: *metric,
                            value: v,
                            area: None,
                            field: None,
                            source,
                        });
                    }
                    value::Count::Blank => {
                        rows.claim(r, RowUse::Finding);
                        ret.problems.push(
                            Problem::new(
                                Rule::MissingField,
                                source,
                                format!("「{}」が空欄です (blank)", labels[0]),
                            )
                            .expected("0以上の整数"),
                        );
                    }
                    value::Count::Bad(t) => {
                        rows.claim(r, RowUse::Finding);
                        ret.problems
                            .push(Problem::bad_value(source, &labels[0], &t));
                    }
                }
            }
            None if has_long_table(layout) => {}
            None => ret.problems.push(Problem::new(
                Rule::MissingField,
                Location::file(&book.file).in_sheet(&sheet.name),
                format!(
                    "見出し「{}」が見つかりません (header label not found)",
                    labels.join("」「")
                ),
            )),
        }
    }
    for table in &layout.tables {
        let out = tables::read(&ctx, &table.layout, &mut rows);
        ret.figures.extend(out.figures);
        ret.totals.extend(out.totals);
        ret.cases.extend(out.cases);
        ret.problems.extend(out.problems);
        if let Some(a) = out.agency_code {
            ret.agency_code.get_or_insert(a);
        }
        if let Some(m) = out.month {
            ret.month.get_or_insert(m);
        }
    }
    let (account, stray) = rows.finish(&book.file);
    ret.problems.extend(stray);
    ret.rows = account;
    ret
}

fn has_long_table(layout: &FormLayout) -> bool {
    layout
        .tables
        .iter()
        .any(|t| matches!(t.layout, TableLayout::Long { .. }))
}

/// The value of a header-block label: the first non-blank cell one or two
/// to the right of the label. A label merged over several cells has had its
/// text copied into them (read::Sheet::merged), so the search starts right
/// of the label's merged area.
fn find_header_value<'s>(
    sheet: &'s Sheet,
    cell_keys: &SheetKeys,
    labels: &[String],
) -> Option<(usize, usize, &'s Cell)> {
    let keys: Vec<String> = labels.iter().map(|l| cached_label_key(l)).collect();
    for (r, row) in cell_keys.rows.iter().enumerate() {
        for (c, key) in row.iter().enumerate() {
            if let Some(key) = key {
                if keys.iter().any(|k| k == key) {
                    let first = sheet.merged_area(r, c).map_or(c, |(_, _, _, right)| right) + 1;
                    for dc in 0..=1 {
                        let v = sheet.get(r, first + dc);
                        if !v.is_blank() {
                            return Some((r, first + dc, v));
                        }
                    }
                    return Some((r, first, sheet.get(r, first)));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::FileKind;

    pub(crate) fn kyoto() -> Mappings {
        Mappings::load(std::path::Path::new("mappings/kyoto")).expect("kyoto mappings")
    }

    pub(crate) fn book_of(file: &str, sheets: &[(&str, &[&[&str]])]) -> Book {
        Book {
            file: file.into(),
            kind: FileKind::Workbook,
            sheets: sheets
                .iter()
                .map(|(name, rows)| Sheet {
                    name: (*name).into(),
                    origin: (0, 0),
                    rows: rows
                        .iter()
                        .map(|r| {
                            r.iter()
                                .map(|t| {
                                    if t.is_empty() {
                                        Cell::Empty
                                    } else if let Ok(n) = t.parse::<f64>() {
                                        Cell::Number(n)
                                    } else {
                                        Cell::Text((*t).into())
                                    }
                                })
                                .collect()
                        })
                        .collect(),
                    merged: Vec::new(),
                })
                .collect(),
            unread_sheets: Vec::new(),
        }
    }

    #[test]
    fn an_unrecognised_return_carries_the_agency_it_most_likely_is() {
        let m = kyoto();
        let code = m.registry.agencies[0].code.clone();
        let book = book_of(
            "月報_4月.xlsx",
            &[("Sheet1", &[&["何かの表"], &["機関コード", &code]])],
        );
        let p = normalize(&book, &m).expect_err("not a form");
        assert_eq!(p.rule, Rule::UnknownForm);
        let g = p.agency_guess.expect("guess");
        assert_eq!((g.code, g.how), (code, identity::GuessHow::CodeCell));
    }
}
