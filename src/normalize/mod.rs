//! Stage 2 — normalize: a grid of cells, through a layout file, into figures,
//! a case list and problems, each tied to its cell.
//!
//! Tables are found by their labels, never by fixed cells. Every row of the
//! sheet is accounted for ([`RowAccount`]): it produced figures, produced a
//! problem, or was skipped on purpose (blank, header, total, note), and a row
//! holding numbers that no table claimed is reported rather than dropped.

mod annual;
pub mod identity;
pub mod month;
mod near_miss;
pub mod personal;
pub mod recognize;
pub mod text;
pub mod value;

mod problem;
mod rows;
mod tables;

pub use near_miss::{LabelFound, LabelMissing, NearMiss};
pub use problem::Problem;
pub use rows::{RowAccount, RowUse};

use crate::core::{Form, Location, MeetingKind, Metric, Rule, YearMonth};
use crate::mapping::{FormLayout, HeaderField, Mappings, TableLayout};
use crate::read::{Book, Cell, Sheet};
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
    /// The layout as recognition extended it (labels found by decoration,
    /// similarity or content added as aliases), when it differs from the
    /// mapping file's: `kasane check` compares the structure with it.
    pub effective_layout: Option<Box<FormLayout>>,
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
            effective_layout: None,
        }
    }
}

/// Normalizes one book with the layouts of a mappings folder.
///
/// # Errors
/// A problem (`unknown_form`) when no layout is recognised: it names the
/// nearest layout, its score, the labels found and missing (with the closest
/// text seen for each) and the agency the file most likely belongs to.
pub fn normalize(book: &Book, mappings: &Mappings) -> Result<Return, Box<Problem>> {
    normalize_for_month(book, mappings, None)
}

/// [`normalize`] knowing the batch month: a bare month in a sheet or file
/// name (`4月分`) takes the batch month's year, and an annual workbook (one
/// sheet per month) is read on the batch month's sheet only.
///
/// # Errors
/// As [`normalize`].
pub fn normalize_for_month(
    book: &Book,
    mappings: &Mappings,
    batch_month: Option<YearMonth>,
) -> Result<Return, Box<Problem>> {
    // Each text cell's label key is computed once here, then shared by
    // recognition and every label search of the tables.
    let keys: Vec<SheetKeys> = book.sheets.iter().map(SheetKeys::new).collect();
    let indices: Vec<recognize::SheetIndex> = keys.iter().map(recognize::SheetIndex::new).collect();
    let month_sheets = annual::month_sheets(book, &keys, batch_month);
    let candidates: Vec<usize> = match &month_sheets {
        Some(m) => m.chosen.clone(),
        None => (0..book.sheets.len()).collect(),
    };
    // The city's own template: a sheet holding every `recognize` label as
    // written is read by that layout straight away (no scoring needed).
    for &index in &candidates {
        let index_ref = &indices[index];
        if let Some(layout) = mappings.recognise_by(|k| index_ref.exact(k).is_some()) {
            let wants = recognize::wants(layout, &mappings.registry);
            let exact = recognize::score(&wants, &indices, &[index], false);
            let all_exact = wants
                .iter()
                .zip(&exact.found)
                .all(|(w, f)| f.is_some() || !w.required);
            // Optional labels (a 累計 column, the F4 columns some programmes
            // lack) with footnote marks are still looked for: decoration
            // only, so an absent optional column is never guessed at.
            // (Table headings only: the header block's optional cells, absent
            // from most returns, would cost every return a fuzzy pass.)
            let optional_missing = wants
                .iter()
                .zip(&exact.found)
                .any(|(w, f)| f.is_none() && w.is_heading());
            if all_exact && optional_missing {
                let decorated = recognize::score_with(&wants, &indices, &[index], true, false);
                if decorated
                    .found
                    .iter()
                    .zip(&exact.found)
                    .any(|(d, e)| d.is_some() && e.is_none())
                {
                    let choice = recognize::Choice {
                        layout: 0,
                        scored: decorated,
                        wants,
                    };
                    let (eff, learnt) = recognize::learn(layout, &choice, book);
                    return Ok(read_book(
                        book,
                        &[index],
                        &keys,
                        &eff,
                        mappings,
                        batch_month,
                        &learnt,
                        month_sheets.as_ref(),
                    ));
                }
            }
            if all_exact {
                return Ok(read_book(
                    book,
                    &[index],
                    &keys,
                    layout,
                    mappings,
                    batch_month,
                    &[],
                    month_sheets.as_ref(),
                ));
            }
            // Some labels drifted: find them by decoration or similarity.
            let scored = recognize::score(&wants, &indices, &[index], true);
            let choice = recognize::Choice {
                layout: 0,
                scored,
                wants,
            };
            let (eff, learnt) = recognize::learn(layout, &choice, book);
            return Ok(read_book(
                book,
                &[index],
                &keys,
                &eff,
                mappings,
                batch_month,
                &learnt,
                month_sheets.as_ref(),
            ));
        }
    }
    let ranking = recognize::rank(
        book,
        &keys,
        &mappings.layouts,
        &mappings.registry,
        &indices,
        &candidates,
    );
    if let Some(choice) = ranking.winner() {
        let layout = &mappings.layouts[choice.layout];
        let (eff, learnt) = recognize::learn(layout, choice, book);
        let scope = choice.scored.sheets.clone();
        return Ok(read_book(
            book,
            &scope,
            &keys,
            &eff,
            mappings,
            batch_month,
            &learnt,
            month_sheets.as_ref(),
        ));
    }
    Err(Box::new(near_miss::unrecognised(
        book,
        mappings,
        &ranking,
        &indices,
        &candidates,
    )))
}

/// Every return a workbook holds: a ward office forwarding its centres'
/// returns puts one per sheet, each its own return (its own agency code).
/// A book holding one return gives that one (as [`normalize`]).
pub fn normalize_all(book: &Book, mappings: &Mappings) -> Vec<Result<Return, Box<Problem>>> {
    normalize_all_for_month(book, mappings, None)
}

/// [`normalize_all`] knowing the batch month (see [`normalize_for_month`]).
pub fn normalize_all_for_month(
    book: &Book,
    mappings: &Mappings,
    batch_month: Option<YearMonth>,
) -> Vec<Result<Return, Box<Problem>>> {
    if book.sheets.len() < 2 {
        return vec![normalize_for_month(book, mappings, batch_month)];
    }
    // Each sheet read on its own: several with different agencies are
    // several returns.
    let per_sheet: Vec<(usize, Return)> = (0..book.sheets.len())
        .filter_map(|s| {
            let one = Book {
                file: book.file.clone(),
                kind: book.kind,
                sheets: vec![book.sheets[s].clone()],
                unread_sheets: Vec::new(),
            };
            normalize_for_month(&one, mappings, batch_month)
                .ok()
                .map(|r| (s, r))
        })
        .collect();
    let mut agencies: Vec<&str> = per_sheet
        .iter()
        .filter_map(|(_, r)| r.agency_code.as_ref().map(|a| a.value.as_str()))
        .collect();
    agencies.sort_unstable();
    agencies.dedup();
    if per_sheet.len() < 2 || agencies.len() < 2 {
        return vec![normalize_for_month(book, mappings, batch_month)];
    }
    let used: Vec<usize> = per_sheet.iter().map(|(s, _)| *s).collect();
    let mut out: Vec<Return> = per_sheet.into_iter().map(|(_, r)| r).collect();
    // Sheets no return took are counted (and reported, if they hold
    // numbers) with the first return.
    if let Some(first) = out.first_mut() {
        first.problems.extend(unread_sheet_problems(book));
        for (i, other) in book.sheets.iter().enumerate() {
            if used.contains(&i) {
                continue;
            }
            first.rows.skip_other_sheet(other.rows.len());
            if let Some((r, c)) = first_number(other) {
                first.problems.push(
                    Problem::new(
                        Rule::UnreadRow,
                        other.location(&book.file, r, c),
                        format!("シート「{}」に数値がありますが、どの様式の表とも判別できないため集計していません (a sheet holding numbers matches no layout and was not read)", other.name),
                    )
                    .severity(crate::core::Severity::Warning)
                    .actual(other.get(r, c).as_text()),
                );
            }
        }
    }
    out.into_iter().map(Ok).collect()
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
}

/// Reads a book's form from the sheets `scope` (one sheet, or several when
/// the form's sections lie on separate sheets): each header value from the
/// first sheet holding its label, each table from the first sheet holding
/// its heading. `learnt` are the warnings of recognition, kept with the
/// return's problems.
#[allow(clippy::too_many_arguments)]
fn read_book(
    book: &Book,
    scope: &[usize],
    keys: &[SheetKeys],
    layout: &FormLayout,
    mappings: &Mappings,
    batch_month: Option<YearMonth>,
    learnt: &[Problem],
    month_sheets: Option<&annual::MonthSheets>,
) -> Return {
    let first = scope[0];
    let mut claims: Vec<rows::Claims<'_>> = scope
        .iter()
        .map(|&s| rows::Claims::new(&book.sheets[s]))
        .collect();
    let mut ret = Return::empty(
        &book.file,
        &layout.file,
        layout.form,
        &book.sheets[first].name,
    );
    ret.problems.extend(learnt.iter().cloned());
    if !learnt.is_empty() {
        ret.effective_layout = Some(Box::new(layout.clone()));
    }
    let long = has_long_table(layout);
    // Every header label of the layout: a value search stops at one of them.
    let stops: Vec<String> = layout
        .header
        .iter()
        .map(|(_, l)| l)
        .chain(layout.header_figures.iter().map(|(_, l)| l))
        .flatten()
        .map(String::as_str)
        .chain(OTHER_HEADER_LABELS.iter().copied())
        .map(cached_label_key)
        .collect();
    let find = |labels: &[String]| {
        scope.iter().enumerate().find_map(|(i, &s)| {
            find_header_value(&book.sheets[s], &keys[s], labels, &stops)
                .map(|(r, c, cell)| (i, s, r, c, cell))
        })
    };
    let sheet_loc = Location::file(&book.file).in_sheet(&book.sheets[first].name);
    for (field, labels) in &layout.header {
        let Some((i, s, r, c, cell)) = find(labels) else {
            let required = matches!(
                field,
                HeaderField::Month | HeaderField::AgencyCode | HeaderField::FiscalYear
            );
            // A long table carries agency and month on every row instead;
            // agency and month are looked for elsewhere below.
            if required && !long && *field == HeaderField::FiscalYear {
                ret.problems.push(
                    Problem::new(
                        Rule::MissingField,
                        sheet_loc.clone(),
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
        let sheet = &book.sheets[s];
        let rows = &mut claims[i];
        let cell = &cell;
        rows.claim(r, RowUse::Header);
        let source = sheet.location(&book.file, r, c);
        let text_value = cell.as_text();
        match field {
            HeaderField::Month => match crate::core::month::parse_month(cell) {
                Some(m) => {
                    ret.month = Some(HeaderValue {
                        value: m,
                        text: text_value,
                        source,
                    })
                }
                None if cell.is_blank() => {}
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
                if !code.is_empty() {
                    ret.agency_code = Some(HeaderValue {
                        value: code,
                        text: text_value,
                        source,
                    });
                }
            }
            HeaderField::AgencyName => {
                let name = text_value.trim().to_string();
                if !name.is_empty() {
                    ret.agency_name = Some(name);
                }
            }
            HeaderField::Version => ret.version = Some(text_value.trim().to_string()),
            HeaderField::Submitted => ret.submitted = crate::core::month::parse_date(cell),
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
        match find(labels) {
            Some((i, s, r, c, cell)) => {
                let rows = &mut claims[i];
                let source = book.sheets[s].location(&book.file, r, c);
                match value::parse_count(&cell) {
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
                    // Spec §1: a blank reads as zero, as in a table.
                    value::Count::Blank => {
                        rows.claim(r, RowUse::Record);
                        ret.figures.push(Figure {
                            key: String::new(),
                            metric: *metric,
                            value: 0,
                            area: None,
                            field: None,
                            source,
                        });
                    }
                    value::Count::Bad(t) => {
                        rows.claim(r, RowUse::Finding);
                        ret.problems
                            .push(Problem::bad_value(source, &labels[0], &t));
                    }
                }
            }
            None if long => {}
            None => ret.problems.push(
                Problem::new(
                    Rule::MissingField,
                    sheet_loc.clone(),
                    format!(
                        "見出し「{}」が見つかりません。この数値は集計していません (header label not found; the figure is not read)",
                        labels.join("」「")
                    ),
                )
                .severity(crate::core::Severity::Warning)
                .expected(labels.join(" / ")),
            ),
        }
    }
    for table in &layout.tables {
        // The first sheet of the scope holding the table's heading.
        let at = (0..scope.len()).find(|&i| {
            let s = scope[i];
            let ctx = tables::Context {
                file: &book.file,
                sheet: &book.sheets[s],
                keys: &keys[s],
                registry: &mappings.registry,
            };
            tables::has_heading(&ctx, &table.layout, &claims[i])
        });
        let at = match at {
            Some(at) => at,
            None => {
                // Tables side by side (会議 | つなぎ | 事案一覧 in one band of
                // rows): the heading shares rows another table claimed, so
                // it is looked for in each block of columns on its own.
                if let Some(out) = read_beside(book, scope, &table.layout, mappings, &mut claims) {
                    ret.figures.extend(out.figures);
                    ret.totals.extend(out.totals);
                    ret.cases.extend(out.cases);
                    ret.problems.extend(out.problems);
                    continue;
                }
                // Attributes across the top, metrics down the side: the
                // same wide table read on the sheet turned over.
                if matches!(table.layout, TableLayout::Wide { .. }) {
                    if let Some(out) =
                        read_transposed(book, scope, &table.layout, mappings, &mut claims)
                    {
                        ret.figures.extend(out.figures);
                        ret.totals.extend(out.totals);
                        ret.problems.extend(out.problems);
                        continue;
                    }
                }
                0
            }
        };
        let s = scope[at];
        let ctx = tables::Context {
            file: &book.file,
            sheet: &book.sheets[s],
            keys: &keys[s],
            registry: &mappings.registry,
        };
        let out = tables::read(&ctx, &table.layout, &mut claims[at]);
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
    identity_fallbacks(
        &mut ret,
        book,
        scope,
        layout,
        mappings,
        batch_month,
        long,
        &sheet_loc,
    );
    for c in claims {
        let (account, stray) = c.finish(&book.file);
        ret.problems.extend(stray);
        ret.rows += account;
    }
    ret.problems.extend(unread_sheet_problems(book));
    // Rows of the other sheets were looked at and deliberately left; a sheet
    // holding numbers that no layout read is said so (never skipped in
    // silence), unless it is another month of an annual workbook.
    for (i, other) in book.sheets.iter().enumerate() {
        if scope.contains(&i) {
            continue;
        }
        ret.rows.skip_other_sheet(other.rows.len());
        // Another month's sheet of an annual workbook — also when the batch
        // month was not known yet (the return's own month tells it).
        let other_month = month_sheets.is_some_and(|m| m.others.contains(&i))
            || ret.month.as_ref().is_some_and(|m| {
                annual::sheet_month(book, &keys[i], i, m.value).is_some_and(|x| x != m.value)
            });
        if !other_month {
            if let Some((r, c)) = first_number(other) {
                ret.problems.push(
                    Problem::new(
                        Rule::UnreadRow,
                        other.location(&book.file, r, c),
                        format!("シート「{}」に数値がありますが、どの様式の表とも判別できないため集計していません (a sheet holding numbers matches no layout and was not read)", other.name),
                    )
                    .severity(crate::core::Severity::Warning)
                    .actual(other.get(r, c).as_text()),
                );
            }
        }
    }
    ret
}

/// Header-block labels forms carry that no layout reads (spec §3: 記入者):
/// the search for a value to the right of a label stops at them.
const OTHER_HEADER_LABELS: &[&str] = &[
    "記入者",
    "担当者",
    "作成者",
    "報告者",
    "連絡先",
    "電話番号",
    "電話",
    "提出日",
    "作成日",
    "記入日",
];

/// A wide table read on a sheet turned over (rows ↔ columns), for a return
/// whose attributes run across the top and metrics down the side. The cells
/// of what is read are turned back, and the rows of the real sheet claimed.
fn read_transposed(
    book: &Book,
    scope: &[usize],
    layout: &TableLayout,
    mappings: &Mappings,
    claims: &mut [rows::Claims<'_>],
) -> Option<tables::TableOutput> {
    // The key row found by its labels (blank corner) is the turned sheet's
    // key column.
    let turned_layout;
    let layout = match layout {
        TableLayout::Wide {
            key_row_at: Some(r),
            ..
        } => {
            let mut l = layout.clone();
            if let TableLayout::Wide { key_column_at, .. } = &mut l {
                *key_column_at = Some(*r);
            }
            turned_layout = l;
            &turned_layout
        }
        _ => layout,
    };
    for (i, &s) in scope.iter().enumerate() {
        let turned = transpose(&book.sheets[s]);
        let keys = SheetKeys::new(&turned);
        let ctx = tables::Context {
            file: &book.file,
            sheet: &turned,
            keys: &keys,
            registry: &mappings.registry,
        };
        let mut turned_claims = rows::Claims::new(&turned);
        if !tables::has_heading(&ctx, layout, &turned_claims) {
            continue;
        }
        let mut out = tables::read(&ctx, layout, &mut turned_claims);
        let back = |loc: &mut Location| {
            if let Some((r, c)) = loc.cell {
                loc.cell = Some((c, r));
            }
        };
        let origin = book.sheets[s].origin;
        let grid_row = |loc: &Location| {
            loc.cell
                .and_then(|(r, _)| r.checked_sub(origin.0))
                .map(|r| r as usize)
        };
        for f in &mut out.figures {
            back(&mut f.source);
            if let Some(r) = grid_row(&f.source) {
                claims[i].claim(r, RowUse::Record);
            }
        }
        for t in &mut out.totals {
            back(&mut t.source);
        }
        for p in &mut out.problems {
            back(&mut p.source_loc);
            if let Some(r) = grid_row(&p.source_loc) {
                claims[i].claim(r, RowUse::Finding);
            }
        }
        // The attribute row (the turned sheet's heading column) is heading.
        for r in 0..book.sheets[s].rows.len() {
            if turned_claims_row_is_heading(&turned, r) {
                claims[i].claim(r, RowUse::Header);
            }
        }
        return Some(out);
    }
    None
}

/// A table that sits beside another one (their headings on the same row):
/// each run of filled cells of a row is tried as the heading of a sheet cut
/// down to those columns, from that row down. The cut-down sheet keeps its
/// place (origin), so the cells read are the real ones; the rows it uses are
/// claimed on the real sheet.
fn read_beside(
    book: &Book,
    scope: &[usize],
    layout: &TableLayout,
    mappings: &Mappings,
    claims: &mut [rows::Claims<'_>],
) -> Option<tables::TableOutput> {
    for (i, &s) in scope.iter().enumerate() {
        let sheet = &book.sheets[s];
        for r in 0..sheet.rows.len() {
            for (lo, hi) in filled_runs(&sheet.rows[r]) {
                // The whole width is the sheet itself, already searched.
                if lo == 0 && hi + 1 >= sheet.rows.iter().map(Vec::len).max().unwrap_or(0) {
                    continue;
                }
                // The heading must start on the block's first row (two rows
                // for a heading with a group label over its sub-columns): a
                // lower one is tried from its own row. Probing two rows
                // keeps this search linear in the sheet's size.
                let probe = cut(sheet, r, lo, hi, 2);
                let probe_keys = SheetKeys::new(&probe);
                let probe_ctx = tables::Context {
                    file: &book.file,
                    sheet: &probe,
                    keys: &probe_keys,
                    registry: &mappings.registry,
                };
                if !tables::has_heading(&probe_ctx, layout, &rows::Claims::new(&probe)) {
                    continue;
                }
                let block = cut(sheet, r, lo, hi, usize::MAX);
                let keys = SheetKeys::new(&block);
                let ctx = tables::Context {
                    file: &book.file,
                    sheet: &block,
                    keys: &keys,
                    registry: &mappings.registry,
                };
                let mut block_claims = rows::Claims::new(&block);
                let out = tables::read(&ctx, layout, &mut block_claims);
                if out.figures.is_empty() && out.cases.is_empty() && out.totals.is_empty() {
                    continue;
                }
                for (k, u) in block_claims.uses().iter().enumerate() {
                    if *u != RowUse::Unclaimed {
                        claims[i].claim(r + k, *u);
                    }
                }
                return Some(out);
            }
        }
    }
    None
}

/// The runs of filled cells of a row, as inclusive column ranges: a table
/// beside another is parted from it by at least one blank column.
fn filled_runs(row: &[Cell]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (c, cell) in row.iter().enumerate() {
        match (cell.is_blank(), start) {
            (false, None) => start = Some(c),
            (true, Some(lo)) => {
                runs.push((lo, c - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(lo) = start {
        runs.push((lo, row.len() - 1));
    }
    runs
}

/// At most `height` rows of a sheet from grid row `top` down, columns
/// `lo..=hi`, with its origin moved so locations stay those of the real
/// sheet.
fn cut(sheet: &Sheet, top: usize, lo: usize, hi: usize, height: usize) -> Sheet {
    let rows = sheet.rows[top..]
        .iter()
        .take(height)
        .map(|row| {
            let mut cells: Vec<Cell> = (lo..=hi)
                .map(|c| row.get(c).cloned().unwrap_or(Cell::Empty))
                .collect();
            while cells.last().is_some_and(Cell::is_blank) {
                cells.pop();
            }
            cells
        })
        .collect();
    Sheet {
        name: sheet.name.clone(),
        origin: (sheet.origin.0 + top as u32, sheet.origin.1 + lo as u32),
        rows,
        merged: sheet
            .merged
            .iter()
            .filter(|&&(t, l, b, r)| b >= top && r >= lo && l <= hi && t >= top)
            .map(|&(t, l, b, r)| (t - top, l.max(lo) - lo, b - top, r.min(hi) - lo))
            .collect(),
    }
}

/// In the turned sheet, the original row `r` is column `r`: the heading
/// row of a transposed table is the one whose cells are all text where the
/// table is.
fn turned_claims_row_is_heading(turned: &Sheet, r: usize) -> bool {
    let texts = turned
        .rows
        .iter()
        .filter(|row| matches!(row.get(r), Some(Cell::Text(t)) if !t.trim().is_empty()))
        .count();
    let numbers = turned
        .rows
        .iter()
        .filter(|row| matches!(row.get(r), Some(c) if !c.is_blank() && !matches!(c, Cell::Text(_))))
        .count();
    texts >= 2 && numbers == 0
}

/// A sheet with rows and columns swapped (origin and merged areas too).
fn transpose(sheet: &Sheet) -> Sheet {
    let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut rows: Vec<Vec<Cell>> = (0..width)
        .map(|c| {
            (0..sheet.rows.len())
                .map(|r| sheet.get(r, c).clone())
                .collect()
        })
        .collect();
    for row in &mut rows {
        while row.last().is_some_and(|c| matches!(c, Cell::Empty)) {
            row.pop();
        }
    }
    Sheet {
        name: sheet.name.clone(),
        origin: (sheet.origin.1, sheet.origin.0),
        rows,
        merged: sheet
            .merged
            .iter()
            .map(|&(t, l, b, r)| (l, t, r, b))
            .collect(),
    }
}

/// Units staff type in a cell of their own beside a figure.
const UNIT_CELLS: &[&str] = &["回", "件", "人", "名", "円", "千円", "か所", "箇所"];

/// The first cell of a sheet holding a number (a number cell, or text that
/// reads as a count).
fn first_number(sheet: &Sheet) -> Option<(usize, usize)> {
    sheet.rows.iter().enumerate().find_map(|(r, row)| {
        row.iter()
            .position(|c| {
                matches!(c, Cell::Number(_))
                    || matches!(c, Cell::Text(_) if matches!(value::parse_count(c), value::Count::Value(_)))
            })
            .map(|c| (r, c))
    })
}

/// Only identity is required (agency and month): when the header block has
/// no agency code, the agency is told from its registry name or the file
/// name; when it has no month, from the sheet or file name. Each such guess
/// is an `info`; an identity that cannot be told at all is an error.
#[allow(clippy::too_many_arguments)]
fn identity_fallbacks(
    ret: &mut Return,
    book: &Book,
    scope: &[usize],
    layout: &FormLayout,
    mappings: &Mappings,
    batch_month: Option<YearMonth>,
    long: bool,
    sheet_loc: &Location,
) {
    let wants_agency = layout
        .header
        .iter()
        .any(|(f, _)| *f == HeaderField::AgencyCode);
    if ret.agency_code.is_none() && wants_agency && !long {
        let by_name = ret.agency_name.as_ref().and_then(|n| {
            let k = label_key(n);
            mappings
                .registry
                .agencies
                .iter()
                .find(|a| label_key(&a.name) == k)
        });
        let guess = match by_name {
            Some(a) => Some((
                a.code.clone(),
                "機関名（登録名と一致）".to_string(),
                sheet_loc.clone(),
            )),
            None => identity::guess_agency(&book.file, Some(book), &mappings.registry)
                .map(|g| (g.code, g.how.name_ja().to_string(), g.source)),
        };
        match guess {
            Some((code, how, source)) => {
                ret.problems.push(
                    Problem::new(
                        Rule::MissingField,
                        source.clone(),
                        format!("機関コードの欄がないため、{how}から機関を {code} と判断しました (no agency code cell; agency told from elsewhere)"),
                    )
                    .severity(crate::core::Severity::Info)
                    .actual(code.clone()),
                );
                ret.agency_code = Some(HeaderValue { value: code.clone(), text: code, source });
            }
            None => ret.problems.push(
                Problem::new(
                    Rule::MissingField,
                    sheet_loc.clone(),
                    "機関コードが見つかりません。機関コードを記入してください (agency code not found)".into(),
                )
                .expected("機関コード"),
            ),
        }
    }
    let wants_month = layout.header.iter().any(|(f, _)| *f == HeaderField::Month);
    if ret.month.is_none() && wants_month && !long {
        let year = batch_month.map(|m| m.year);
        let from_sheet = scope.iter().find_map(|&s| {
            let sheet = &book.sheets[s];
            identity::month_from_name(&sheet.name, year).map(|m| {
                (
                    m,
                    Location::file(&book.file).in_sheet(&sheet.name),
                    "シート名",
                )
            })
        });
        let found = from_sheet.or_else(|| {
            identity::month_from_name(&book.file, year)
                .map(|m| (m, Location::file(&book.file), "ファイル名"))
        });
        match found {
            Some((m, source, how)) => {
                ret.problems.push(
                    Problem::new(
                        Rule::MissingField,
                        source.clone(),
                        format!("報告年月の欄がないため、{how}から {} と判断しました (no month cell; month told from the {})", m.ja(), if how == "シート名" { "sheet name" } else { "file name" }),
                    )
                    .severity(crate::core::Severity::Info)
                    .actual(m.to_string()),
                );
                ret.month = Some(HeaderValue {
                    value: m,
                    text: m.to_string(),
                    source,
                });
            }
            None => ret.problems.push(
                Problem::new(
                    Rule::MissingField,
                    sheet_loc.clone(),
                    "報告年月が見つかりません。報告年月を記入してください (month not found)".into(),
                )
                .expected("報告年月"),
            ),
        }
    }
}

fn has_long_table(layout: &FormLayout) -> bool {
    layout
        .tables
        .iter()
        .any(|t| matches!(t.layout, TableLayout::Long { .. }))
}

/// The value of a header-block label: the next filled cell to the right of
/// the label, however far (a grid form, エクセル方眼紙, puts values in merged
/// cells well apart), stopping at another header label; or the text after a
/// colon in the label's own cell (`報告年月：令和7年4月`). A label merged
/// over several cells has had its text copied into them
/// (read::Sheet::merged), so the search starts right of the label's merged
/// area. A label with no value has the (blank) cell just right of it.
fn find_header_value(
    sheet: &Sheet,
    cell_keys: &SheetKeys,
    labels: &[String],
    stops: &[String],
) -> Option<(usize, usize, Cell)> {
    let keys: Vec<String> = labels.iter().map(|l| cached_label_key(l)).collect();
    for (r, row) in cell_keys.rows.iter().enumerate() {
        for (c, key) in row.iter().enumerate() {
            let Some(key) = key else { continue };
            if keys.iter().any(|k| k == key) {
                let first = sheet.merged_area(r, c).map_or(c, |(_, _, _, right)| right) + 1;
                let width = sheet.rows.get(r).map_or(0, Vec::len);
                for col in first..width {
                    let v = sheet.get(r, col);
                    if v.is_blank() {
                        continue;
                    }
                    let is_label = cell_keys
                        .get(r, col)
                        .is_some_and(|k| stops.iter().any(|s| s == k) || k.ends_with([':', '：']));
                    if is_label {
                        break;
                    }
                    // A unit typed beside a blank figure (`回`) is no value.
                    if cell_keys
                        .get(r, col)
                        .is_some_and(|k| UNIT_CELLS.contains(&k))
                    {
                        continue;
                    }
                    return Some((r, col, v.clone()));
                }
                // A blank value: its cell is the one in the column where the
                // header block's neighbouring labels have their values (a
                // blank figure still traces to the cell it was left in).
                let col = blank_value_column(sheet, r, c, first).unwrap_or(first);
                return Some((r, col, sheet.get(r, col).clone()));
            }
            // `label：value` in one cell.
            if let Some((head, value)) = key.split_once([':', '：']) {
                if !value.is_empty() && keys.iter().any(|k| k == head) {
                    let text = sheet.get(r, c).as_text();
                    let after = text
                        .split_once([':', '：'])
                        .map_or(String::new(), |(_, v)| v.trim().to_string());
                    return Some((r, c, Cell::Text(after)));
                }
            }
        }
    }
    None
}

/// The column of the values of the nearest header rows (above or below row
/// `r`, labels in the same column `c`), when it lies right of `first`.
fn blank_value_column(sheet: &Sheet, r: usize, c: usize, first: usize) -> Option<usize> {
    [
        r.checked_sub(1),
        r.checked_add(1),
        r.checked_sub(2),
        r.checked_add(2),
    ]
    .into_iter()
    .flatten()
    .find_map(|near| {
        if !matches!(sheet.get(near, c), Cell::Text(t) if !t.trim().is_empty()) {
            return None;
        }
        let from = sheet
            .merged_area(near, c)
            .map_or(c, |(_, _, _, right)| right)
            + 1;
        let width = sheet.rows.get(near).map_or(0, Vec::len);
        (from..width).find(|&col| !sheet.get(near, col).is_blank())
    })
    // Only across blank cells of its own row (never past another label).
    .filter(|&col| col > first && (first..=col).all(|x| sheet.get(r, x).is_blank()))
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

    fn figure(ret: &Return, key: &str, metric: &str) -> Option<u64> {
        ret.figures
            .iter()
            .find(|f| f.key == key && f.metric.code() == metric)
            .map(|f| f.value)
    }

    fn errors(ret: &Return) -> Vec<String> {
        ret.problems
            .iter()
            .filter(|p| p.severity == crate::core::Severity::Error)
            .map(|p| format!("{}: {}", p.source_loc, p.message))
            .collect()
    }

    /// Footnote marks, a colon, no version or name cell, a blank
    /// attendance figure, and the attribute column headed in other words.
    #[test]
    fn a_drifted_f1_is_read_with_warnings_and_no_error() {
        let m = kyoto();
        let code = m.registry.agencies[0].code.clone();
        let book = book_of(
            "月報.xlsx",
            &[(
                "報告",
                &[
                    &["包括的相談支援 月次報告"],
                    &["報告年月：", "令和7年4月"],
                    &["機関コード", &code],
                    &["重層支援会議への出席回数※", ""],
                    &[],
                    &[
                        "区分",
                        "新規相談者数（実人数）",
                        "継続相談者数（実人数）※1",
                        "延べ相談件数※2",
                        "うち訪問・同行",
                        "うち複合的な課題を抱える相談",
                        "多機関協働事業へのつなぎ件数",
                        "他の支援関係機関へのつなぎ件数",
                    ],
                    &["高齢者", "1", "2", "5", "1", "0", "1", "0"],
                    &["障害者", "0", "1", "2", "0", "0", "0", "1"],
                    &["子ども・子育て", "0", "0", "0", "0", "0", "0", "0"],
                    &["生活困窮", "0", "0", "1", "0", "0", "0", "0"],
                    &["その他", "0", "0", "0", "0", "0", "0", "0"],
                    &["合計", "1", "3", "8", "1", "0", "1", "1"],
                ],
            )],
        );
        let ret = normalize(&book, &m).expect("recognised");
        assert_eq!(ret.layout, "f1.toml");
        assert!(errors(&ret).is_empty(), "{:?}", errors(&ret));
        assert_eq!(figure(&ret, "elderly", "consultations"), Some(5));
        assert_eq!(figure(&ret, "disability", "continuing_persons"), Some(1));
        assert_eq!(
            figure(&ret, "", "meeting_attendance"),
            Some(0),
            "blank is 0"
        );
        let warned: Vec<&Problem> = ret
            .problems
            .iter()
            .filter(|p| p.rule == Rule::LabelMatched)
            .collect();
        // 延べ相談件数※2, 継続…※1, 報告年月：, 出席回数※, and 区分 as the key column.
        assert!(warned.len() >= 5, "{warned:#?}");
        let line = warned
            .iter()
            .find(|p| p.actual == "延べ相談件数※2")
            .expect("warning for the footnote");
        assert!(
            line.expected.starts_with("consultations = ["),
            "{}",
            line.expected
        );
        assert_eq!(line.source_loc.cell_text(), "D6");
    }

    /// F2's three sections on three sheets are one return.
    #[test]
    fn f2_sections_on_separate_sheets_are_one_return() {
        let m = kyoto();
        let hub = m
            .registry
            .agencies
            .iter()
            .find(|a| a.form == Some(crate::core::Form::F2))
            .expect("an F2 agency")
            .code
            .clone();
        let sender = m.registry.agencies[0].code.clone();
        let book = book_of(
            "多機関.xlsx",
            &[
                (
                    "会議",
                    &[
                        &["報告年月", "2025/4"],
                        &["機関コード", &hub],
                        &[],
                        &["項目", "件数"],
                        &["重層的支援会議 開催回数", "1"],
                        &["重層的支援会議 検討事案件数", "1"],
                        &["支援会議 開催回数", "0"],
                        &["支援会議 検討事案件数", "0"],
                        &["支援プラン新規作成件数", "0"],
                        &["プラン評価件数", "0"],
                        &["支援終結件数", "0"],
                    ],
                ),
                (
                    "つなぎ",
                    &[&["送付元機関コード", "受付件数"], &[&sender, "2"]],
                ),
                (
                    "事案",
                    &[
                        &[
                            "事案番号",
                            "会議区分",
                            "会議日",
                            "主な課題",
                            "参加機関コード",
                            "主担当機関コード",
                        ],
                        &["R7-1", "重層的支援会議", "2025/4/10", "就労", &hub, &hub],
                    ],
                ),
            ],
        );
        let ret = normalize(&book, &m).expect("recognised");
        assert_eq!(ret.layout, "f2.toml");
        assert!(errors(&ret).is_empty(), "{:?}", errors(&ret));
        assert_eq!(figure(&ret, "", "meetings_with_consent"), Some(1));
        assert_eq!(figure(&ret, &sender, "referrals_received"), Some(2));
        assert_eq!(ret.cases.len(), 1);
        assert!(ret.rows.balances());
    }

    /// F2 sections side by side on one sheet (会議 | つなぎ受付 | 事案一覧 on
    /// the same rows, parted by blank columns), the meeting items going on
    /// below the shorter referral table: each table is read in its own
    /// columns, and the referral table ends where its columns are blank.
    #[test]
    fn f2_sections_side_by_side_on_one_sheet() {
        let m = kyoto();
        let hub = m
            .registry
            .agencies
            .iter()
            .find(|a| a.form == Some(crate::core::Form::F2))
            .expect("an F2 agency")
            .code
            .clone();
        let sender = m.registry.agencies[0].code.clone();
        let other = m.registry.agencies[1].code.clone();
        let book = book_of(
            "多機関.xlsx",
            &[(
                "報告",
                &[
                    &["報告年月", "2025/4"],
                    &["機関コード", &hub],
                    &[],
                    &[
                        "重層的支援会議 開催回数",
                        "1",
                        "",
                        "送付元機関コード",
                        "受付件数",
                        "",
                        "事案番号",
                        "会議区分",
                        "会議日",
                        "主な課題",
                        "参加機関コード",
                        "主担当機関コード",
                    ],
                    &[
                        "重層的支援会議 検討事案件数",
                        "2",
                        "",
                        &sender,
                        "2",
                        "",
                        "R7-1",
                        "重層的支援会議",
                        "2025/4/10",
                        "就労",
                        &hub,
                        &hub,
                    ],
                    &[
                        "支援会議 開催回数",
                        "0",
                        "",
                        &other,
                        "1",
                        "",
                        "R7-2",
                        "重層的支援会議",
                        "2025/4/10",
                        "介護",
                        &hub,
                        &hub,
                    ],
                    &["支援会議 検討事案件数", "0"],
                    &["支援プラン新規作成件数", "3"],
                    &["プラン評価件数", "0"],
                    &["支援終結件数", "0"],
                ],
            )],
        );
        let ret = normalize(&book, &m).expect("recognised");
        assert_eq!(ret.layout, "f2.toml");
        assert!(errors(&ret).is_empty(), "{:?}", errors(&ret));
        assert_eq!(figure(&ret, "", "meetings_with_consent"), Some(1));
        assert_eq!(figure(&ret, "", "cases_with_consent"), Some(2));
        assert_eq!(figure(&ret, "", "plans_created"), Some(3));
        assert_eq!(figure(&ret, &sender, "referrals_received"), Some(2));
        assert_eq!(figure(&ret, &other, "referrals_received"), Some(1));
        assert_eq!(ret.cases.len(), 2);
        // The referral figure keeps its real cell (column E), not the cut
        // sheet's.
        let f = ret
            .figures
            .iter()
            .find(|f| f.key == sender)
            .expect("referral");
        assert_eq!(f.source.cell_text(), "E5");
        assert!(ret.rows.balances());
    }

    /// A transposed F1 (attributes across the top, metrics down the side)
    /// whose corner cell is blank: the attribute row is the key row, said
    /// in a warning.
    #[test]
    fn a_transposed_table_with_a_blank_corner() {
        let m = kyoto();
        let code = m
            .registry
            .agencies
            .iter()
            .find(|a| a.form == Some(crate::core::Form::F1))
            .expect("an F1 agency")
            .code
            .clone();
        let metric_rows: Vec<Vec<String>> = [
            "新規相談者数（実人数）",
            "継続相談者数（実人数）",
            "延べ相談件数",
            "うち訪問・同行",
            "うち複合的な課題を抱える相談",
            "多機関協働事業へのつなぎ件数",
            "他の支援関係機関へのつなぎ件数",
        ]
        .iter()
        .enumerate()
        .map(|(i, label)| {
            std::iter::once(label.to_string())
                .chain((1..=5).map(|a| (i * 10 + a).to_string()))
                .collect()
        })
        .collect();
        let mut rows: Vec<Vec<&str>> = vec![
            vec!["報告年月", "2025/4"],
            vec!["機関コード", &code],
            vec!["重層支援会議への出席回数", "2"],
            vec![],
            vec![
                "",
                "高齢者",
                "障害者",
                "子ども・子育て",
                "生活困窮",
                "その他",
            ],
        ];
        rows.extend(
            metric_rows
                .iter()
                .map(|r| r.iter().map(String::as_str).collect()),
        );
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let book = book_of("転置.xlsx", &[("報告", &rows)]);
        let ret = normalize(&book, &m).expect("recognised");
        assert_eq!(ret.layout, "f1.toml");
        assert!(errors(&ret).is_empty(), "{:?}", errors(&ret));
        assert_eq!(figure(&ret, "elderly", "new_persons"), Some(1));
        assert_eq!(figure(&ret, "other", "referrals_other"), Some(65));
        assert!(
            ret.problems
                .iter()
                .any(|p| p.rule == Rule::LabelMatched && p.message.contains("5 行")),
            "{:?}",
            ret.problems.iter().map(|p| &p.message).collect::<Vec<_>>()
        );
        assert!(ret.rows.balances());
    }

    /// F3 with area names instead of codes, the key column headed 区・支所,
    /// and the coordinator's row as 統括.
    #[test]
    fn f3_area_names_and_the_coordinator_row() {
        let m = kyoto();
        let council = m
            .registry
            .agencies
            .iter()
            .find(|a| a.form == Some(crate::core::Form::F3))
            .expect("an F3 agency")
            .code
            .clone();
        let (a1, a2) = (m.registry.areas[0].clone(), m.registry.areas[1].clone());
        let book = book_of(
            "f3.xlsx",
            &[(
                "報告",
                &[
                    &["報告年月", "令和7年4月"],
                    &["機関コード", &council],
                    &[],
                    &[
                        "区・支所",
                        "支援員数",
                        "継続支援対象者数（月末）",
                        "新規把握件数",
                        "訪問・同行件数",
                        "支援終結件数",
                        "支援対象者数（月末）",
                        "マッチング件数",
                        "定着支援件数",
                        "受入先開拓件数",
                    ],
                    &[&a1.name, "1", "2", "3", "4", "5", "6", "7", "8", "9"],
                    &[&a2.name, "1", "1", "1", "1", "1", "1", "1", "1", "1"],
                    &["統括", "2", "0", "0", "0", "0", "0", "0", "0", "0"],
                ],
            )],
        );
        let ret = normalize(&book, &m).expect("recognised");
        assert_eq!(ret.layout, "f3.toml");
        assert!(errors(&ret).is_empty(), "{:?}", errors(&ret));
        assert_eq!(figure(&ret, &a1.code, "outreach_closed"), Some(5));
        assert_eq!(figure(&ret, "HQ", "staff"), Some(2));
    }

    /// A sheet per month: the batch month's sheet is read, the others are
    /// counted as skipped and raise nothing.
    #[test]
    fn an_annual_workbook_is_read_on_the_batch_month_sheet() {
        let m = kyoto();
        let code = m.registry.agencies[0].code.clone();
        let sheet = |month: &'static str, n: &'static str| -> (&'static str, Vec<Vec<String>>) {
            let rows: Vec<Vec<String>> = vec![
                vec!["機関コード".into(), code.clone()],
                vec!["重層支援会議への出席回数".into(), n.into()],
                vec![
                    "相談者の属性".into(),
                    "新規相談者数（実人数）".into(),
                    "継続相談者数（実人数）".into(),
                    "延べ相談件数".into(),
                    "うち訪問・同行".into(),
                    "うち複合的な課題を抱える相談".into(),
                    "多機関協働事業へのつなぎ件数".into(),
                    "他の支援関係機関へのつなぎ件数".into(),
                ],
                vec![
                    "高齢者".into(),
                    n.into(),
                    "0".into(),
                    n.into(),
                    "0".into(),
                    "0".into(),
                    "0".into(),
                    "0".into(),
                ],
            ];
            (month, rows)
        };
        let sheets = [sheet("4月", "4"), sheet("5月", "5"), sheet("6月", "6")];
        let owned: Vec<(&str, Vec<Vec<&str>>)> = sheets
            .iter()
            .map(|(n, rows)| {
                (
                    *n,
                    rows.iter()
                        .map(|r| r.iter().map(String::as_str).collect())
                        .collect(),
                )
            })
            .collect();
        let refs: Vec<Vec<&[&str]>> = owned
            .iter()
            .map(|(_, rows)| rows.iter().map(Vec::as_slice).collect())
            .collect();
        let spec: Vec<(&str, &[&[&str]])> = owned
            .iter()
            .zip(&refs)
            .map(|((n, _), r)| (*n, r.as_slice()))
            .collect();
        let book = book_of("年間.xlsx", &spec);
        let may = YearMonth::new(2025, 5).expect("month");
        let ret = normalize_for_month(&book, &m, Some(may)).expect("recognised");
        assert_eq!(ret.sheet, "5月");
        assert_eq!(
            ret.month.as_ref().map(|h| h.value),
            Some(may),
            "from the sheet name"
        );
        assert_eq!(figure(&ret, "elderly", "consultations"), Some(5));
        assert!(!ret.problems.iter().any(|p| p.rule == Rule::UnreadRow));
        assert_eq!(ret.rows.skipped_other_sheet, 8);
        assert!(ret.rows.balances());
    }

    /// A ward office forwarding two centres' returns in one workbook.
    #[test]
    fn a_sheet_per_agency_gives_one_return_each() {
        let m = kyoto();
        let (a, b) = (
            m.registry.agencies[0].code.clone(),
            m.registry.agencies[1].code.clone(),
        );
        let rows = |code: &str| -> Vec<Vec<String>> {
            vec![
                vec!["報告年月".into(), "2025-04".into()],
                vec!["機関コード".into(), code.into()],
                vec![
                    "相談者の属性".into(),
                    "延べ相談件数".into(),
                    "多機関協働事業へのつなぎ件数".into(),
                ],
                vec!["高齢者".into(), "3".into(), "0".into()],
            ]
        };
        let (ra, rb) = (rows(&a), rows(&b));
        let va: Vec<Vec<&str>> = ra
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let vb: Vec<Vec<&str>> = rb
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let sa: Vec<&[&str]> = va.iter().map(Vec::as_slice).collect();
        let sb: Vec<&[&str]> = vb.iter().map(Vec::as_slice).collect();
        let book = book_of("まとめ.xlsx", &[("第1", &sa), ("第2", &sb)]);
        let all = normalize_all(&book, &m);
        let codes: Vec<String> = all
            .iter()
            .map(|r| {
                r.as_ref()
                    .expect("read")
                    .agency_code
                    .as_ref()
                    .expect("code")
                    .value
                    .clone()
            })
            .collect();
        assert_eq!(codes, vec![a, b]);
    }

    /// Nothing like a form: the message names the nearest layout and the
    /// closest text seen for a missing label, with its cell.
    #[test]
    fn a_near_miss_names_the_closest_text_and_its_cell() {
        let m = kyoto();
        let book = book_of(
            "x.xlsx",
            &[(
                "S",
                &[&["対象者の主な属性", "延べ相談件数"], &["高齢者", "3"]],
            )],
        );
        let p = normalize(&book, &m).expect_err("not recognised");
        let nm = p.near_miss.as_deref().expect("near miss");
        assert_eq!(nm.nearest, "f1.toml");
        assert!(nm.found.iter().any(|f| f.cell == "S / B1"), "{nm:?}");
        let key = nm
            .missing
            .iter()
            .find(|l| l.label == "相談者の属性")
            .expect("the key column is missing");
        assert_eq!(key.closest.as_deref(), Some("対象者の主な属性"));
        assert_eq!(key.cell.as_deref(), Some("S / A1"));
        assert!(
            p.message.contains("A1『対象者の主な属性』のことなら"),
            "{}",
            p.message
        );
    }

    /// A sheet that matches nothing but holds numbers is a finding, never
    /// skipped in silence.
    #[test]
    fn a_sheet_with_numbers_that_nothing_read_is_a_warning() {
        let m = kyoto();
        let code = m.registry.agencies[0].code.clone();
        let book = book_of(
            "x.xlsx",
            &[
                (
                    "報告",
                    &[
                        &["報告年月", "2025-04"],
                        &["機関コード", &code],
                        &[
                            "相談者の属性",
                            "延べ相談件数",
                            "多機関協働事業へのつなぎ件数",
                        ],
                        &["高齢者", "3", "0"],
                    ],
                ),
                ("メモ", &[&["電話件数"], &["12"]]),
            ],
        );
        let ret = normalize(&book, &m).expect("recognised");
        let w = ret
            .problems
            .iter()
            .find(|p| p.rule == Rule::UnreadRow)
            .expect("warning for the other sheet");
        assert_eq!(w.severity, crate::core::Severity::Warning);
        assert_eq!(
            (
                w.source_loc.sheet.as_str(),
                w.source_loc.cell_text().as_str()
            ),
            ("メモ", "A2")
        );
        assert!(ret.rows.balances());
    }
}
