//! `kasane mapping draft`: a first layout file drafted from a city's own
//! template (blank or filled), for a person to confirm.
//!
//! The draft finds, on the template's sheets, what a layout file names:
//! the header-block labels (報告年月, 機関コード …), the table's heading row
//! (cells that match the glossary's metric names, [`Metric::name_ja`]), the
//! key column and its row labels (the glossary's attributes,
//! [`ATTRIBUTES`]), the total row, and which form the sheet is. Every label
//! written is the template's own text, so the draft reads returns on that
//! template on the exact path; how sure the draft is of each line is said
//! in a `#` comment beside it (`確実` for an exact match with the glossary,
//! `要確認` for anything a person must look at).
//!
//! The text is built deterministically (cells in sheet order, targets in
//! glossary order) and checked with [`super::layout::parse`] before it is
//! returned, so a draft always loads.

use crate::core::location::a1;
use crate::core::metric::{ATTRIBUTES, FIELDS};
use crate::core::text::{bigrams, dice, label_key, undecorate};
use crate::core::{Form, Metric};
use crate::read::{read_bytes, read_file, Book, Cell, ReadError, Sheet};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Why no draft could be written.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// A template could not be read (the reader's message names the file).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// No sheet of the templates has a heading row of a form's figures.
    #[error("{files}: 表の見出し行（用語集の指標名が 2 つ以上並ぶ行）が見つかりません。--form で様式を指定するか、見出しを確かめてください (no heading row of glossary metrics found)")]
    NoTable {
        /// The files looked at.
        files: String,
    },
    /// A form whose tables the draft cannot lay out yet.
    #[error("様式 {form} の下書きにはまだ対応していません（対応: F1・F3・F4） (drafting form {form} is not supported; supported: F1, F3, F4)")]
    Unsupported {
        /// The form asked for or found.
        form: Form,
    },
    /// The drafted text failed the layout loader: a bug in the draft, never
    /// written out.
    #[error("下書きが対応表として読めません（kasane の不具合です） (the draft does not load: a bug): {0}")]
    Invalid(String),
    /// The output file exists and `--force` was not given.
    #[error("{0}: すでにあります。上書きするには --force を付けてください (exists; pass --force to overwrite)")]
    Exists(PathBuf),
    /// The output file could not be written.
    #[error("{path}: 書き込めません (cannot write): {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A drafted layout file.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The form drafted.
    pub form: Form,
    /// The TOML text, with its comments.
    pub text: String,
    /// Lines a person must confirm (the `要確認` comments), for a summary.
    pub to_confirm: usize,
}

/// How a template's text matched a glossary word.
#[derive(Debug, Clone, PartialEq)]
enum How {
    /// The same after `label_key`.
    Exact,
    /// The same once footnote marks, a bracketed note, a colon or numbering
    /// are stripped.
    Decorated,
    /// One contains the other.
    Contains,
    /// Similar: character-bigram Dice coefficient.
    Similar(f64),
}

impl How {
    /// A score for choosing between candidates: exact beats stripped beats
    /// containing beats similar.
    fn score(&self, cell: &str, word: &str) -> f64 {
        match self {
            How::Exact => 1.0,
            How::Decorated => 0.9,
            How::Contains => {
                let (a, b) = (cell.chars().count(), word.chars().count());
                0.6 + 0.25 * a.min(b) as f64 / a.max(b).max(1) as f64
            }
            How::Similar(d) => d * 0.7,
        }
    }
}

/// Matches a cell's key with a glossary word's key. `fuzzy` allows
/// containing and similar matches (table headings and row labels); header
/// labels are short and only match exactly or with decoration stripped.
fn match_key(cell: &str, word: &str, fuzzy: bool) -> Option<How> {
    if cell.is_empty() || word.is_empty() {
        return None;
    }
    if cell == word {
        return Some(How::Exact);
    }
    let stages = undecorate(cell);
    if stages.contains(&word) {
        return Some(How::Decorated);
    }
    if !fuzzy {
        return None;
    }
    // Containing: both at least 2 characters, so that 計 or 数 alone never
    // matches a longer heading.
    let long_enough = |s: &str| s.chars().count() >= 2;
    for s in std::iter::once(cell).chain(stages.iter().copied()) {
        if long_enough(s) && long_enough(word) && (s.contains(word) || word.contains(s)) {
            return Some(How::Contains);
        }
    }
    let best = std::iter::once(cell)
        .chain(stages.iter().copied())
        .map(|s| dice(&bigrams(s), &bigrams(word)))
        .fold(0.0, f64::max);
    (best >= SIMILAR).then_some(How::Similar(best))
}

/// The similarity below which two headings are not taken as the same (as
/// recognition uses for headings, mappings/README.md).
const SIMILAR: f64 = 0.6;

/// Header-block labels templates use, by layout field. The glossary names
/// figures, not these; the words here are the ones municipal templates
/// commonly print (the first is the one the bundled layouts use, added as
/// an alias).
const HEADER_WORDS: &[(&str, &[&str])] = &[
    (
        "month",
        &[
            "報告年月",
            "対象年月",
            "報告月",
            "対象月",
            "実績月",
            "報告対象月",
            "実績年月",
        ],
    ),
    ("fiscal_year", &["年度", "報告年度", "対象年度"]),
    (
        "agency_code",
        &[
            "機関コード",
            "事業所コード",
            "事業所番号",
            "機関番号",
            "事業者番号",
            "事業者コード",
            "機関ID",
            "事業所ID",
        ],
    ),
    (
        "agency_name",
        &[
            "機関名",
            "事業所名",
            "事業所名称",
            "機関名称",
            "事業者名",
            "センター名",
        ],
    ),
    (
        "version",
        &["様式バージョン", "様式番号", "様式ID", "様式版"],
    ),
    ("submitted", &["提出日", "報告日"]),
    ("edition", &["版", "版数"]),
];

/// Labels of total rows.
const TOTAL_WORDS: &[&str] = &["合計", "計", "総計", "小計", "全体"];

/// Figures a form carries in its header block (one value for the return,
/// not per row) when they are not a column of the table.
const HEADER_FIGURES: &[Metric] = &[Metric::MeetingAttendance];

/// Forms the draft lays out: one wide table (F2 has three tables of other
/// kinds, F5 amounts of money with unit columns).
const SUPPORTED: &[Form] = &[Form::F1, Form::F3, Form::F4];

/// A cell of a template that matched something.
#[derive(Debug, Clone)]
struct Hit {
    /// File name.
    file: String,
    /// Sheet name.
    sheet: String,
    /// A1 name of the cell.
    cell: String,
    /// The cell's text, line breaks removed.
    text: String,
    /// The glossary word it matched.
    word: String,
    /// How.
    how: How,
}

impl Hit {
    fn new(book: &Book, sheet: &Sheet, r: usize, c: usize, word: &str, how: How) -> Hit {
        Hit {
            file: book.file.clone(),
            sheet: sheet.name.clone(),
            cell: cell_name(sheet, r, c),
            text: clean(&sheet.get(r, c).as_text()),
            word: word.to_string(),
            how,
        }
    }

    fn place(&self) -> String {
        if self.sheet.is_empty() {
            self.cell.clone()
        } else {
            format!("{}!{}", self.sheet, self.cell)
        }
    }

    /// The `#` comment of the line this hit gives.
    fn comment(&self) -> String {
        let (place, text, word) = (self.place(), &self.text, &self.word);
        match &self.how {
            How::Exact => format!("確実: {place}「{text}」と一致"),
            How::Decorated => {
                format!("要確認: {place}「{text}」を、注記・記号を除いて「{word}」とみなしました")
            }
            How::Contains => {
                format!("要確認: {place}「{text}」を「{word}」とみなしました（一方が他方を含む）")
            }
            How::Similar(d) => {
                format!("要確認: {place}「{text}」を「{word}」とみなしました（似ている {d:.2}）")
            }
        }
    }

    fn sure(&self) -> bool {
        self.how == How::Exact
    }
}

/// The text of a label as the layout file writes it: line breaks inside the
/// cell dropped (label matching ignores white space), ends trimmed.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .collect::<String>()
        .trim()
        .to_string()
}

fn cell_name(sheet: &Sheet, r: usize, c: usize) -> String {
    a1(sheet.origin.0 + r as u32, sheet.origin.1 + c as u32)
}

/// True when the grid position is the top-left cell of its merged area (or
/// not merged): a merged label's text is copied into every cell of its
/// area by the reader, and is one label.
fn is_anchor(sheet: &Sheet, r: usize, c: usize) -> bool {
    sheet
        .merged_area(r, c)
        .is_none_or(|(t, l, _, _)| (t, l) == (r, c))
}

/// The label key of a text cell that is an anchor, if any.
fn text_key(sheet: &Sheet, r: usize, c: usize) -> Option<String> {
    match sheet.get(r, c) {
        Cell::Text(t) if !t.trim().is_empty() && is_anchor(sheet, r, c) => Some(label_key(t)),
        _ => None,
    }
}

/// A heading row found: its metric columns.
#[derive(Debug, Clone)]
struct Heading {
    row: usize,
    form: Form,
    score: f64,
    /// (grid column, metric, hit), in column order.
    columns: Vec<(usize, Metric, Hit)>,
}

/// The best heading row of a sheet for each form allowed: the row whose
/// cells, shared out one metric per cell (best match first), score most.
fn headings(book: &Book, sheet: &Sheet, forms: &[Form]) -> Vec<Heading> {
    let mut out = Vec::new();
    for &form in forms {
        // The glossary's keys once, not once per cell.
        let words: Vec<(Metric, String)> = Metric::ALL
            .iter()
            .filter(|m| m.form() == form)
            .map(|m| (*m, label_key(m.name_ja())))
            .collect();
        let mut best: Option<Heading> = None;
        for r in 0..sheet.rows.len() {
            // All (cell, metric) candidates of the row, best first.
            let mut cands: Vec<(f64, usize, Metric, How)> = Vec::new();
            for c in 0..sheet.rows[r].len() {
                let Some(key) = text_key(sheet, r, c) else {
                    continue;
                };
                for (m, word) in &words {
                    if let Some(how) = match_key(&key, word, true) {
                        cands.push((how.score(&key, word), c, *m, how));
                    }
                }
            }
            cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let mut columns: Vec<(usize, Metric, Hit)> = Vec::new();
            let mut score = 0.0;
            for (s, c, m, how) in cands {
                if columns.iter().any(|(cc, mm, _)| *cc == c || *mm == m) {
                    continue;
                }
                score += s;
                columns.push((c, m, Hit::new(book, sheet, r, c, m.name_ja(), how)));
            }
            if columns.len() < 2 {
                continue;
            }
            columns.sort_by_key(|(c, _, _)| *c);
            if best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(Heading {
                    row: r,
                    form,
                    score,
                    columns,
                });
            }
        }
        out.extend(best);
    }
    out
}

/// What one template gave.
#[derive(Debug, Clone)]
struct Analysis {
    form: Form,
    score: f64,
    sheet: String,
    /// Other sheets, with whether they hold the same heading row.
    other_sheets: Vec<(String, bool)>,
    title: Option<String>,
    header: BTreeMap<&'static str, Hit>,
    /// The value beside the version label, when the template fills it in.
    version_value: Option<String>,
    /// The value cell beside each header label (field or metric code) and
    /// its text (empty when blank), for comments.
    header_values: BTreeMap<&'static str, (String, String)>,
    header_figures: Vec<(Metric, Hit)>,
    key_column: Option<Hit>,
    /// The key column's heading was blank: the column was told by its rows.
    key_by_rows: bool,
    area_column: Option<Hit>,
    columns: Vec<(Metric, Hit)>,
    /// Row labels: (code or None when unknown, hit).
    keys: Vec<(Option<&'static str>, Hit)>,
    /// Columns a filled copy leaves blank in every row.
    blank_columns: Vec<Metric>,
    /// The texts of the key column's rows, in order (for forms without a
    /// code map: F3's areas, F4's sites).
    row_labels: Vec<String>,
    total: Option<Hit>,
    /// The template's file name.
    file: String,
}

/// The attribute code a row label matches, and how.
fn attribute(key: &str) -> Option<(&'static str, &'static str, How)> {
    let mut best: Option<(&'static str, &'static str, How, f64)> = None;
    let words = ATTRIBUTES
        .iter()
        .map(|(c, ja)| (*c, *ja))
        .chain(FIELDS.iter().map(|(c, ja)| (*c, *ja)))
        .filter(|(c, _)| ATTRIBUTES.iter().any(|(a, _)| a == c));
    for (code, ja) in words {
        let word = label_key(ja);
        if let Some(how) = match_key(key, &word, true) {
            // Row labels are short: a similar match needs more than for headings.
            if matches!(how, How::Similar(d) if d < 0.7) {
                continue;
            }
            let s = how.score(key, &word);
            if best.as_ref().is_none_or(|b| s > b.3) {
                best = Some((code, ja, how, s));
            }
        }
    }
    best.map(|(c, ja, how, _)| (c, ja, how))
}

fn is_total(key: &str) -> Option<(&'static str, How)> {
    TOTAL_WORDS.iter().find_map(|w| {
        let how = match_key(key, &label_key(w), false)?;
        Some((*w, how))
    })
}

/// The value cell of a header label as the reader finds it: the first
/// filled cell right of the label (past its merged area), stopping at
/// another header label; or the blank cell just right of it. Its A1 name
/// and text (empty when blank).
fn value_right(sheet: &Sheet, r: usize, c: usize) -> (String, String) {
    let first = sheet.merged_area(r, c).map_or(c, |(_, _, _, right)| right) + 1;
    let width = sheet.rows.get(r).map_or(0, Vec::len);
    for col in first..width {
        let v = sheet.get(r, col);
        if v.is_blank() {
            continue;
        }
        let is_label = text_key(sheet, r, col)
            .or_else(|| match v {
                Cell::Text(t) => Some(label_key(t)),
                _ => None,
            })
            .is_some_and(|k| k.ends_with([':', '：']) || header_field(&k, None).is_some());
        if is_label {
            break;
        }
        return (cell_name(sheet, r, col), clean(&v.as_text()));
    }
    (cell_name(sheet, r, first), String::new())
}

/// The header field a label key names, with the word and how; `form`
/// decides whether 年度 is a field (F5) or not (`None`: any).
fn header_field(key: &str, form: Option<Form>) -> Option<(&'static str, &'static str, How)> {
    HEADER_WORDS.iter().find_map(|(field, words)| {
        if let Some(form) = form {
            if (*field == "fiscal_year") != (form == Form::F5) {
                return None;
            }
        }
        words.iter().find_map(|w| {
            let how = match_key(key, &label_key(w), false)?;
            Some((*field, *w, how))
        })
    })
}

fn analyse(book: &Book, sheet_index: usize, h: &Heading) -> Analysis {
    let sheet = &book.sheets[sheet_index];
    let form = h.form;
    let metric_cols: Vec<usize> = h.columns.iter().map(|(c, _, _)| *c).collect();
    // Rows of the table: from below the heading to the first blank row or
    // the total row.
    let mut table_end = sheet.rows.len();
    for r in h.row + 1..sheet.rows.len() {
        if sheet.row_is_blank(r) {
            table_end = r;
            break;
        }
    }
    // The key column: the non-metric column of the heading row (or left of
    // the first metric column) whose cells below match most attributes;
    // else the leftmost non-metric column with a heading.
    let first_metric = metric_cols.first().copied().unwrap_or(0);
    let width = sheet.rows[h.row].len().max(first_metric + 1);
    let candidates: Vec<usize> = (0..width).filter(|c| !metric_cols.contains(c)).collect();
    let count_attrs = |c: usize| {
        (h.row + 1..table_end)
            .filter(|&r| text_key(sheet, r, c).is_some_and(|k| attribute(&k).is_some()))
            .count()
    };
    let by_rows = candidates
        .iter()
        .copied()
        .map(|c| (count_attrs(c), c))
        .filter(|(n, _)| *n > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let key_col = match (form, by_rows) {
        (Form::F1, Some((_, c))) => Some(c),
        _ => candidates
            .iter()
            .copied()
            .find(|&c| c < first_metric && text_key(sheet, h.row, c).is_some())
            .or(by_rows.map(|(_, c)| c)),
    };
    // The key column's heading: its cell in the heading row, or the
    // anchor of a heading merged down from the row above.
    let mut key_by_rows = false;
    let key_column = key_col.and_then(|c| {
        let r = sheet.merged_area(h.row, c).map_or(h.row, |(t, _, _, _)| t);
        if text_key(sheet, r, c).is_some() {
            let text = clean(&sheet.get(r, c).as_text());
            Some(Hit::new(book, sheet, r, c, &text, How::Exact))
        } else {
            key_by_rows = true;
            None
        }
    });
    // An area column beside the key (F4: 区・支所).
    let area_column = if form == Form::F4 {
        candidates
            .iter()
            .copied()
            .filter(|c| Some(*c) != key_col)
            .find_map(|c| {
                let key = text_key(sheet, h.row, c)?;
                (key.contains('区') || key.contains("支所") || key.contains("地区")).then(|| {
                    let text = clean(&sheet.get(h.row, c).as_text());
                    Hit::new(book, sheet, h.row, c, &text, How::Exact)
                })
            })
    } else {
        None
    };
    // Row labels and the total row.
    let mut keys = Vec::new();
    let mut total = None;
    let mut row_labels = Vec::new();
    if let Some(c) = key_col {
        // A blank template of a table of any length (F4's sites) leaves its
        // rows blank above the total row: the total is looked for below
        // blank rows too, the row labels only in the table.
        for r in h.row + 1..sheet.rows.len() {
            let Some(key) = text_key(sheet, r, c) else {
                continue;
            };
            if let Some((word, how)) = is_total(&key) {
                total = Some(Hit::new(book, sheet, r, c, word, how));
                break;
            }
            if r >= table_end {
                continue;
            }
            row_labels.push(clean(&sheet.get(r, c).as_text()));
            if form == Form::F1 {
                match attribute(&key) {
                    Some((code, ja, how)) => {
                        keys.push((Some(code), Hit::new(book, sheet, r, c, ja, how)))
                    }
                    None => keys.push((None, Hit::new(book, sheet, r, c, "", How::Exact))),
                }
            }
        }
    }
    // A filled copy (figures in the table) that leaves a column blank in
    // every row: a figure its programme does not have, so blank must mean
    // "not reported" rather than 0 (`optional`).
    let data_rows: Vec<usize> = (h.row + 1..table_end)
        .filter(|&r| {
            total
                .as_ref()
                .is_none_or(|t| t.cell != cell_name(sheet, r, key_col.unwrap_or(0)))
        })
        .collect();
    let filled = data_rows
        .iter()
        .any(|&r| metric_cols.iter().any(|&c| !sheet.get(r, c).is_blank()));
    let blank_columns: Vec<Metric> = if filled {
        h.columns
            .iter()
            .filter(|(c, _, _)| data_rows.iter().all(|&r| sheet.get(r, *c).is_blank()))
            .map(|(_, m, _)| *m)
            .collect()
    } else {
        Vec::new()
    };
    // The header block: every text cell outside the table's heading row.
    let in_table = |r: usize| r >= h.row && r < table_end.max(h.row + 1);
    let mut header: BTreeMap<&'static str, Hit> = BTreeMap::new();
    let mut header_values = BTreeMap::new();
    let mut version_value = None;
    let mut header_figures: Vec<(Metric, Hit)> = Vec::new();
    let mut title = None;
    for r in 0..sheet.rows.len() {
        if in_table(r) {
            continue;
        }
        for c in 0..sheet.rows[r].len() {
            let Some(key) = text_key(sheet, r, c) else {
                continue;
            };
            // The first cell naming a field is its label (a second one,
            // further down, is usually a note).
            let field = header_field(&key, Some(form)).filter(|(f, _, _)| !header.contains_key(f));
            if let Some((field, word, how)) = field {
                let v = value_right(sheet, r, c);
                if field == "version" && looks_like_version(&v.1) {
                    version_value = Some(v.1.clone());
                }
                header_values.insert(field, v);
                header.insert(field, Hit::new(book, sheet, r, c, word, how));
                continue;
            }
            let found: Vec<Metric> = header_figures.iter().map(|(m, _)| *m).collect();
            for m in HEADER_FIGURES.iter().filter(|m| m.form() == form) {
                if found.contains(m) || h.columns.iter().any(|(_, hm, _)| hm == m) {
                    continue;
                }
                let word = label_key(m.name_ja());
                if let Some(how) = match_key(&key, &word, true) {
                    header_values.insert(m.code(), value_right(sheet, r, c));
                    header_figures.push((*m, Hit::new(book, sheet, r, c, m.name_ja(), how)));
                }
            }
            if title.is_none() && r < h.row && header.is_empty() {
                let t = clean(&sheet.get(r, c).as_text());
                if !t.starts_with(['※', '*', '注']) {
                    title = Some(t);
                }
            }
        }
    }
    let other_sheets = book
        .sheets
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != sheet_index)
        .map(|(_, s)| {
            let same = headings(book, s, &[form])
                .first()
                .is_some_and(|o| o.columns.len() >= h.columns.len());
            (s.name.clone(), same)
        })
        .collect();
    Analysis {
        form,
        score: h.score,
        sheet: sheet.name.clone(),
        other_sheets,
        title,
        header,
        version_value,
        header_values,
        header_figures,
        key_column,
        key_by_rows,
        area_column,
        columns: h
            .columns
            .iter()
            .map(|(_, m, hit)| (*m, hit.clone()))
            .collect(),
        keys,
        blank_columns,
        row_labels,
        total,
        file: book.file.clone(),
    }
}

/// True for a row label that looks like an area: a code such as `Z09` or
/// `261017`, or a name ending as ward, branch or district names end.
fn looks_like_area(label: &str) -> bool {
    let t = label.trim();
    let code = t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    code || ["区", "支所", "市", "町", "村", "地区", "圏域", "地域"]
        .iter()
        .any(|e| t.ends_with(e))
}

/// A version cell's value worth checking: not a blank form's placeholder
/// (`令和　年　月`), short, with a letter or digit.
fn looks_like_version(v: &str) -> bool {
    !v.is_empty() && v.chars().count() <= 40 && v.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The analysis of the best sheet of a book, if any sheet has a heading row
/// of a supported form (or of `form`).
fn analyse_book(book: &Book, form: Option<Form>) -> Option<Analysis> {
    let forms: Vec<Form> = match form {
        Some(f) => vec![f],
        None => Form::ALL.to_vec(),
    };
    let mut best: Option<(usize, Heading)> = None;
    for (i, sheet) in book.sheets.iter().enumerate() {
        for h in headings(book, sheet, &forms) {
            if best.as_ref().is_none_or(|(_, b)| h.score > b.score) {
                best = Some((i, h));
            }
        }
    }
    best.map(|(i, h)| analyse(book, i, &h))
}

/// Reads the templates (through the library's reader, with its limits) and
/// drafts a layout from them.
///
/// # Errors
/// [`DraftError::Read`] naming the file that cannot be read, and the errors
/// of [`draft`].
pub fn draft_files(paths: &[PathBuf], form: Option<Form>) -> Result<Draft, DraftError> {
    let mut books = Vec::new();
    for path in paths {
        // Messages name the file as given; the draft's comments by its name.
        let shown = path.display().to_string();
        let bytes = read_file(path, &shown)?;
        let mut book = read_bytes(&bytes, &shown)?;
        if let Some(name) = path.file_name() {
            book.file = name.to_string_lossy().into_owned();
        }
        books.push(book);
    }
    draft(&books, form)
}

/// Drafts a layout file from one or more templates of one form (a blank
/// template and/or a filled copy). The template with the best heading row
/// gives the layout; the others add the labels they word differently.
///
/// # Errors
/// [`DraftError::NoTable`] when no sheet has a heading row,
/// [`DraftError::Unsupported`] for F2 and F5, [`DraftError::Invalid`] if the
/// text failed the loader (a bug).
pub fn draft(books: &[Book], form: Option<Form>) -> Result<Draft, DraftError> {
    if let Some(f) = form.filter(|f| !SUPPORTED.contains(f)) {
        return Err(DraftError::Unsupported { form: f });
    }
    let mut found: Vec<Analysis> = books.iter().filter_map(|b| analyse_book(b, form)).collect();
    if found.is_empty() {
        return Err(DraftError::NoTable {
            files: books
                .iter()
                .map(|b| b.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    // The best template first; the others must be of its form.
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    let primary_form = found[0].form;
    if !SUPPORTED.contains(&primary_form) {
        return Err(DraftError::Unsupported { form: primary_form });
    }
    let (same, other): (Vec<Analysis>, Vec<Analysis>) =
        found.into_iter().partition(|a| a.form == primary_form);
    let (text, to_confirm) = render(&same, &other, form.is_some(), books);
    super::layout::parse(Path::new("draft.toml"), &text).map_err(|errs| {
        DraftError::Invalid(
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    Ok(Draft {
        form: primary_form,
        text,
        to_confirm,
    })
}

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML array of labels, each once by label key, in the order given.
fn labels(list: &[String]) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for l in list {
        let k = label_key(l);
        if !k.is_empty() && !seen.contains(&k) {
            seen.push(k);
            out.push(q(l));
        }
    }
    format!("[{}]", out.join(", "))
}

/// Labels of one target over all templates: the primary's hit, then the
/// other templates' texts, then the glossary word (an alias for returns
/// that use the programme's own term).
fn gather<'a>(hits: impl Iterator<Item = &'a Hit>, word: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = hits.map(|h| h.text.clone()).collect();
    if let Some(w) = word {
        v.push(w.to_string());
    }
    v
}

/// One line `key = value  # comment`.
fn line(out: &mut String, key: &str, value: &str, comment: &str) {
    if comment.is_empty() {
        let _ = writeln!(out, "{key} = {value}");
    } else {
        let _ = writeln!(out, "{key} = {value}  # {comment}");
    }
}

/// Where a header label's value is: the cell right of it, with what the
/// templates hold there (a filled copy's value is shown first).
fn value_note(p: &Analysis, rest: &[Analysis], field: &str) -> String {
    let all = || std::iter::once(p).chain(rest.iter());
    let Some((cell, _)) = p.header_values.get(field) else {
        return String::new();
    };
    let filled = all().find_map(|a| {
        a.header_values
            .get(field)
            .filter(|(_, v)| !v.is_empty())
            .map(|(_, v)| (&a.file, v))
    });
    match filled {
        Some((file, v)) => format!("。値は右の {cell}（{file} では「{v}」）"),
        None => format!("。値は右の {cell}（テンプレートでは空欄）"),
    }
}

/// One target's line, with the labels no earlier target of its group has
/// (the loader refuses a label given to two targets); a target left with
/// none is written commented out, for a person to settle.
fn target(
    body: &mut String,
    seen: &mut Vec<String>,
    confirm: &mut Vec<String>,
    key: &str,
    list: &[String],
    comment: &str,
) {
    let mut kept = Vec::new();
    for l in list {
        let k = label_key(l);
        if !k.is_empty() && !seen.contains(&k) {
            seen.push(k);
            kept.push(l.clone());
        }
    }
    if kept.is_empty() {
        confirm.push(format!("{key}: 見出しがほかの項目と同じです"));
        let _ = writeln!(
            body,
            "# {key} = {}  # 要確認: 見出しがほかの項目と同じため書いていません（{comment}）",
            labels(list)
        );
    } else {
        line(body, key, &labels(&kept), comment);
    }
}

/// Notes of where the other templates word a target differently.
fn also(others: &[&Hit], first: &Hit) -> String {
    let differ: Vec<String> = others
        .iter()
        .filter(|h| label_key(&h.text) != label_key(&first.text))
        .map(|h| format!("{} {}「{}」", h.file, h.place(), h.text))
        .collect();
    if differ.is_empty() {
        String::new()
    } else {
        format!("。ほかのファイルでは {}", differ.join("、"))
    }
}

/// The layout text and the number of points to confirm.
fn render(
    same: &[Analysis],
    other: &[Analysis],
    form_given: bool,
    books: &[Book],
) -> (String, usize) {
    let p = &same[0];
    let rest = &same[1..];
    let form = p.form;
    let mut out = String::new();
    let mut confirm: Vec<String> = Vec::new();
    // Label keys already given to a target, per group the loader keeps
    // unique (two cells with the same text must not name two targets).
    let (mut seen_header, mut seen_figures, mut seen_keys, mut seen_columns) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());

    // --- body first (the file's header lists what to confirm) -----------
    let mut body = String::new();
    let form_comment = if form_given {
        "要確認: --form で指定された様式".to_string()
    } else {
        format!(
            "確実: 表の見出し {} 列が様式 {form} の指標と対応",
            p.columns.len()
        )
    };
    line(&mut body, "form", &q(form.code()), &form_comment);
    let title = p
        .title
        .clone()
        .unwrap_or_else(|| format!("{}（下書き）", form.title_ja()));
    line(
        &mut body,
        "title",
        &q(&title),
        if p.title.is_some() {
            "シートの表題から"
        } else {
            "要確認: 表題が見つからないため様式名から"
        },
    );
    if let Some(v) = &p.version_value {
        let place = p
            .header_values
            .get("version")
            .map_or(String::new(), |(c, _)| c.clone());
        line(
            &mut body,
            "version",
            &q(v),
            &format!("要確認: テンプレートの {place} に記入済みの値。改版のたびに変えてください"),
        );
    }
    // recognize: the key column's heading and the two surest headings, so
    // that a return on this template is read on the exact path.
    let mut by_sureness: Vec<&(Metric, Hit)> = p.columns.iter().collect();
    by_sureness.sort_by(|a, b| {
        let s = |h: &Hit| h.how.score(&label_key(&h.text), &label_key(&h.word));
        s(&b.1).total_cmp(&s(&a.1))
    });
    let mut recognize: Vec<String> = p.key_column.iter().map(|h| h.text.clone()).collect();
    recognize.extend(by_sureness.iter().take(2).map(|(_, h)| h.text.clone()));
    line(
        &mut body,
        "recognize",
        &labels(&recognize),
        "このすべての見出しがあるシートをこのレイアウトで読みます（テンプレートの文字のまま）",
    );

    // [header]
    let _ = writeln!(body, "\n[header]");
    for (field, words) in HEADER_WORDS {
        let Some(hit) = p.header.get(field) else {
            if matches!(*field, "month" | "agency_code") {
                confirm.push(format!(
                    "「{}」の欄が見つかりません（ファイル名・シート名から判断されます）",
                    words[0]
                ));
                let _ = writeln!(
                    body,
                    "# {field} = [\"{}\"]  # 要確認: 見つかりません。テンプレートの見出しを書いてください",
                    words[0]
                );
            }
            continue;
        };
        let others: Vec<&Hit> = rest.iter().filter_map(|a| a.header.get(field)).collect();
        let list = gather(
            std::iter::once(hit).chain(others.iter().copied()),
            Some(words[0]),
        );
        let value_note = value_note(p, rest, field);
        let mut comment = hit.comment() + &value_note + &also(&others, hit);
        if !hit.sure() {
            confirm.push(format!("{field}: {}", hit.place()));
        } else if hit.word != words[0] {
            comment = format!(
                "確実: {}「{}」と一致（「{}」の言い換え）{value_note}{}",
                hit.place(),
                hit.text,
                words[0],
                also(&others, hit)
            );
        }
        target(
            &mut body,
            &mut seen_header,
            &mut confirm,
            field,
            &list,
            &comment,
        );
    }

    // [header_figures]
    if !p.header_figures.is_empty() {
        let _ = writeln!(body, "\n[header_figures]");
        for (m, hit) in &p.header_figures {
            let others: Vec<&Hit> = rest
                .iter()
                .flat_map(|a| a.header_figures.iter().filter(|(om, _)| om == m))
                .map(|(_, h)| h)
                .collect();
            let list = gather(
                std::iter::once(hit).chain(others.iter().copied()),
                Some(m.name_ja()),
            );
            if !hit.sure() {
                confirm.push(format!("{}: {}", m.code(), hit.place()));
            }
            target(
                &mut body,
                &mut seen_figures,
                &mut confirm,
                m.code(),
                &list,
                &(hit.comment() + &value_note(p, rest, m.code()) + &also(&others, hit)),
            );
        }
    }

    // [[tables]]
    let _ = writeln!(body, "\n[[tables]]");
    line(
        &mut body,
        "layout",
        &q("wide"),
        "1 行に 1 つの行見出し、1 列に 1 つの指標",
    );
    match (&p.key_column, p.key_by_rows) {
        (Some(h), _) => {
            let others: Vec<&Hit> = rest.iter().filter_map(|a| a.key_column.as_ref()).collect();
            let word = match form {
                Form::F1 => Some("相談者の属性"),
                _ => None,
            };
            let how = if form == Form::F1 && !p.keys.is_empty() {
                format!(
                    "{}「{}」の列に属性（{}…）が並んでいます",
                    h.place(),
                    h.text,
                    p.keys
                        .first()
                        .map_or(String::new(), |(_, k)| k.text.clone())
                )
            } else {
                format!(
                    "{}「{}」を行見出しの列とみなしました（指標の列の左）",
                    h.place(),
                    h.text
                )
            };
            let sure = form == Form::F1 && p.keys.iter().all(|(c, _)| c.is_some());
            if !sure {
                confirm.push(format!("key_column: {}", h.place()));
            }
            line(
                &mut body,
                "key_column",
                &labels(&gather(
                    std::iter::once(h).chain(others.iter().copied()),
                    word,
                )),
                &format!(
                    "{}: {how}{}",
                    if sure { "確実" } else { "要確認" },
                    also(&others, h)
                ),
            );
        }
        (None, false) => {
            confirm.push("key_column: 行見出しの列が見つかりません".into());
            line(
                &mut body,
                "key_column",
                &labels(&["相談者の属性".to_string()]),
                "要確認: 行見出しの列が見つかりません。テンプレートの見出しを書いてください",
            );
        }
        (None, true) => {
            confirm.push("key_column: 行見出しの列の見出しが空欄です".into());
            line(
                &mut body,
                "key_column",
                &labels(&["相談者の属性".to_string()]),
                "要確認: 行見出しの列の見出しが空欄です。読むときは行見出しの並びから列を見つけます（警告 label_matched）",
            );
        }
    }
    let kind = match form {
        Form::F1 => ("code", "確実: 属性はコード（下の keys）に変換します"),
        Form::F3 => (
            "area",
            "要確認: 区域コードか区域名（areas.csv）の列とみなしました",
        ),
        _ => ("text", "要確認: 行見出し（拠点名など）をそのまま記録します"),
    };
    if kind.0 != "code" {
        confirm.push(format!("key_kind = \"{}\"", kind.0));
    }
    line(&mut body, "key_kind", &q(kind.0), kind.1);
    if let Some(a) = &p.area_column {
        confirm.push(format!("area_column: {}", a.place()));
        line(
            &mut body,
            "area_column",
            &labels(std::slice::from_ref(&a.text)),
            &format!(
                "要確認: {}「{}」を行ごとの区域の列とみなしました",
                a.place(),
                a.text
            ),
        );
    }
    match p
        .total
        .as_ref()
        .or_else(|| rest.iter().find_map(|a| a.total.as_ref()))
    {
        Some(t) => {
            let mut list = vec![t.text.clone()];
            list.extend(TOTAL_WORDS.iter().take(2).map(|w| w.to_string()));
            line(
                &mut body,
                "total_labels",
                &labels(&list),
                &format!(
                    "{}: {}「{}」が合計行（検算し、明細には入れません）",
                    if t.sure() { "確実" } else { "要確認" },
                    t.place(),
                    t.text
                ),
            );
        }
        None => {
            confirm.push("合計行が見つかりません".into());
            let _ = writeln!(
                body,
                "# total_labels = [\"合計\"]  # 要確認: 合計行が見つかりません。あれば見出しを書いてください"
            );
        }
    }
    if form == Form::F1 {
        let mut written: Vec<&str> = Vec::new();
        for (code, _) in ATTRIBUTES {
            let hits: Vec<&Hit> = same
                .iter()
                .flat_map(|a| a.keys.iter().filter(|(c, _)| *c == Some(*code)))
                .map(|(_, h)| h)
                .collect();
            let Some(first) = hits.first() else {
                confirm.push(format!(
                    "属性「{}」の行が見つかりません",
                    crate::core::metric::attribute_name_ja(code)
                ));
                // The glossary's word, so that the layout loads (a code
                // table needs keys) and reads a return that uses it.
                target(
                    &mut body,
                    &mut seen_keys,
                    &mut confirm,
                    &format!("keys.{code}"),
                    &[crate::core::metric::attribute_name_ja(code).to_string()],
                    "要確認: この属性の行が見つかりません（用語集の名前を書いています）",
                );
                continue;
            };
            written.push(code);
            let list = gather(
                hits.iter().copied(),
                Some(crate::core::metric::attribute_name_ja(code)),
            );
            let dup = p.keys.iter().filter(|(c, _)| *c == Some(*code)).count() > 1;
            if !first.sure() || dup {
                confirm.push(format!("keys.{code}: {}", first.place()));
            }
            let mut comment = first.comment() + &also(&hits[1..], first);
            if dup {
                comment.push_str("。要確認: 同じ属性の行が 2 つあります（足し合わされます）");
            }
            target(
                &mut body,
                &mut seen_keys,
                &mut confirm,
                &format!("keys.{code}"),
                &list,
                &comment,
            );
        }
        for (_, h) in p.keys.iter().filter(|(c, _)| c.is_none()) {
            confirm.push(format!("行見出し {}「{}」", h.place(), h.text));
            let _ = writeln!(
                body,
                "# keys.? = [{}]  # 要確認: {}「{}」はどの属性か判別できません。コード（elderly disability child poverty other）を選んでください",
                q(&h.text),
                h.place(),
                h.text
            );
        }
    }
    if form != Form::F1 && !p.row_labels.is_empty() {
        let shown: Vec<&str> = p.row_labels.iter().take(20).map(String::as_str).collect();
        let more = p.row_labels.len().saturating_sub(shown.len());
        let _ = writeln!(
            body,
            "# 行見出し (row labels): {}{}",
            shown.join("、"),
            if more > 0 {
                format!(" ほか {more} 行")
            } else {
                String::new()
            }
        );
        if form == Form::F3 {
            // Rows that do not look like an area (統括, HQ) need a code of
            // their own: the label itself, for a person to confirm.
            for l in p.row_labels.iter().filter(|l| !looks_like_area(l)) {
                confirm.push(format!("keys: 区域でない行「{l}」"));
                let key = if l
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    l.clone()
                } else {
                    q(l)
                };
                target(
                    &mut body,
                    &mut seen_keys,
                    &mut confirm,
                    &format!("keys.{key}"),
                    std::slice::from_ref(l),
                    &format!("要確認: 行見出し「{l}」は区域コード・区域名に見えないため、そのままのコードで読みます"),
                );
            }
            let _ = writeln!(
                body,
                "# 要確認: ほかの行見出しは areas.csv の区域コード・区域名であることを確かめてください"
            );
        }
    }
    // Optional columns: 累計 (returns without the column still read, as
    // the bundled layouts have them) and columns a filled copy leaves blank
    // in every row (a figure its programme does not have).
    let blank_in: Vec<(Metric, &str)> = p
        .columns
        .iter()
        .filter_map(|(m, _)| {
            same.iter()
                .find(|a| a.blank_columns.contains(m))
                .map(|a| (*m, a.file.as_str()))
        })
        .collect();
    let optional: Vec<Metric> = p
        .columns
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| {
            m.kind() == crate::core::metric::Kind::Cumulative
                || blank_in.iter().any(|(b, _)| b == m)
        })
        .collect();
    if !optional.is_empty() {
        confirm.push("optional（空欄を「該当なし」とする列）".into());
        let mut why = Vec::new();
        if optional
            .iter()
            .any(|m| m.kind() == crate::core::metric::Kind::Cumulative)
        {
            why.push("累計の列（列のない報告もそのまま読む）".to_string());
        }
        let mut files: Vec<&str> = blank_in.iter().map(|(_, f)| *f).collect();
        files.dedup();
        if !files.is_empty() {
            why.push(format!("{} で全行空欄の列", files.join("・")));
        }
        line(
            &mut body,
            "optional",
            &format!(
                "[{}]",
                optional
                    .iter()
                    .map(|m| q(m.code()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &format!(
                "要確認: {}は任意（空欄は 0 ではなく該当なし）。ほかにもあれば足してください",
                why.join("、")
            ),
        );
    }
    let _ = writeln!(body, "\n[tables.columns]");
    for m in Metric::ALL.iter().filter(|m| m.form() == form) {
        let Some((_, hit)) = p.columns.iter().find(|(cm, _)| cm == m) else {
            if !p.header_figures.iter().any(|(hm, _)| hm == m) {
                let _ = writeln!(
                    body,
                    "# {} = [{}]  # 要確認: この指標の列が見つかりません（報告にない指標なら不要）",
                    m.code(),
                    q(m.name_ja())
                );
            }
            continue;
        };
        let others: Vec<&Hit> = rest
            .iter()
            .flat_map(|a| a.columns.iter().filter(|(om, _)| om == m))
            .map(|(_, h)| h)
            .collect();
        let list = gather(
            std::iter::once(hit).chain(others.iter().copied()),
            Some(m.name_ja()),
        );
        if !hit.sure() {
            confirm.push(format!("{}: {}", m.code(), hit.place()));
        }
        target(
            &mut body,
            &mut seen_columns,
            &mut confirm,
            m.code(),
            &list,
            &(hit.comment() + &also(&others, hit)),
        );
    }

    // --- the file's header -----------------------------------------------
    let _ = writeln!(
        out,
        "# 様式{form} {} — kasane mapping draft が作った下書きです (a draft by `kasane mapping draft`)",
        form.title_ja()
    );
    let _ = writeln!(out, "# 元のファイル (source files):");
    for b in books {
        let used = same.iter().find(|a| a.file == b.file);
        let _ = match used {
            Some(a) => writeln!(out, "#   {}  シート「{}」", b.file, a.sheet),
            None if other.iter().any(|a| a.file == b.file) => writeln!(
                out,
                "#   {}  （別の様式の表とみなしたため使っていません / another form: not used）",
                b.file
            ),
            None => writeln!(
                out,
                "#   {}  （表の見出しが見つからないため使っていません / no heading row: not used）",
                b.file
            ),
        };
    }
    for a in same {
        for (name, same_table) in &a.other_sheets {
            let _ = if *same_table {
                confirm.push(format!(
                    "{} のシート「{name}」にも同じ表があります（記入例なら提出時に削除するよう案内してください）",
                    a.file
                ));
                writeln!(out, "#   {} のシート「{name}」にも同じ表があります", a.file)
            } else {
                writeln!(
                    out,
                    "#   {} のシート「{name}」には表がないため使っていません",
                    a.file
                )
            };
        }
    }
    let _ = writeln!(out, "#");
    let _ = writeln!(
        out,
        "# 見出しはテンプレートの文字のまま書いています。各行の「確実」は用語集（src/core/metric.rs）の"
    );
    let _ = writeln!(
        out,
        "# 名前とそのまま一致したもの、「要確認」は人が確かめるものです。Labels are the template's own"
    );
    let _ = writeln!(
        out,
        "# text; 確実 = the glossary's word exactly, 要確認 = a person must confirm."
    );
    let _ = writeln!(out, "#");
    let _ = writeln!(
        out,
        "# 確認してください (to confirm) — {} 件:",
        confirm.len()
    );
    for c in &confirm {
        let _ = writeln!(out, "#   - {c}");
    }
    let _ = writeln!(
        out,
        "#   - 記入済みの報告で `kasane check` を実行し、警告・エラーがないことを確かめてください"
    );
    let _ = writeln!(
        out,
        "#     (run `kasane check` on a filled return of this template before use)"
    );
    let _ = writeln!(out);
    out.push_str(&body);
    (out, confirm.len())
}

/// Writes a draft to `path` in one step (a temporary file beside it,
/// renamed), so that an interrupted run never leaves half a layout file in a
/// mappings folder. An existing file is kept unless `force`.
///
/// # Errors
/// [`DraftError::Exists`] when the file exists and `force` is off,
/// [`DraftError::Write`] when it cannot be written.
pub fn write_draft(path: &Path, text: &str, force: bool) -> Result<(), DraftError> {
    let err = |source: std::io::Error| DraftError::Write {
        path: path.to_path_buf(),
        source,
    };
    if !force && path.exists() {
        return Err(DraftError::Exists(path.to_path_buf()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    if force {
        tmp.persist(path).map_err(|e| err(e.error))?;
    } else {
        // No clobbering, even if the file appeared since the check above.
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                DraftError::Exists(path.to_path_buf())
            } else {
                err(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::FileKind;

    fn text(t: &str) -> Cell {
        if t.is_empty() {
            Cell::Empty
        } else if let Ok(n) = t.parse::<f64>() {
            Cell::Number(n)
        } else {
            Cell::Text(t.to_string())
        }
    }

    fn book(rows: &[&[&str]]) -> Book {
        Book {
            file: "様式.xlsx".into(),
            kind: FileKind::Workbook,
            sheets: vec![Sheet {
                name: "報告".into(),
                origin: (0, 0),
                rows: rows
                    .iter()
                    .map(|r| r.iter().map(|t| text(t)).collect())
                    .collect(),
                merged: Vec::new(),
            }],
            unread_sheets: Vec::new(),
        }
    }

    const F1: &[&[&str]] = &[
        &["月次報告"],
        &["報告年月", ""],
        &["機関コード", ""],
        &[],
        &[
            "属性",
            "新規相談者数（実人数）",
            "延べ相談件数※1",
            "うち訪問・同行",
        ],
        &["高齢者", "", "", ""],
        &["障害者", "", "", ""],
        &["合計", "", "", ""],
    ];

    #[test]
    fn a_heading_with_a_footnote_mark_is_a_match_to_confirm() {
        let d = draft(&[book(F1)], None).expect("a draft");
        assert_eq!(d.form, Form::F1);
        assert!(
            d.text.contains("consultations = [\"延べ相談件数※1\", \"延べ相談件数\"]  # 要確認: 報告!C5「延べ相談件数※1」を、注記・記号を除いて「延べ相談件数」とみなしました"),
            "{}",
            d.text
        );
        assert!(
            d.text
                .contains("new_persons = [\"新規相談者数（実人数）\"]  # 確実: 報告!B5"),
            "{}",
            d.text
        );
        assert!(
            d.text.contains("#   - consultations: 報告!C5"),
            "{}",
            d.text
        );
        assert!(d.to_confirm >= 1);
    }

    #[test]
    fn attributes_missing_from_the_template_get_the_glossary_word_to_confirm() {
        let d = draft(&[book(F1)], None).expect("a draft");
        assert!(
            d.text
                .contains("keys.other = [\"その他\"]  # 要確認: この属性の行が見つかりません"),
            "{}",
            d.text
        );
        assert!(d
            .text
            .contains("total_labels = [\"合計\", \"計\"]  # 確実: 報告!A8"));
    }

    #[test]
    fn a_row_label_the_glossary_does_not_know_is_left_for_a_person() {
        let mut rows: Vec<&[&str]> = F1.to_vec();
        rows.insert(7, &["ひきこもり", "", "", ""]);
        let d = draft(&[book(&rows)], None).expect("a draft");
        assert!(
            d.text.contains("# keys.? = [\"ひきこもり\"]  # 要確認: 報告!A8「ひきこもり」はどの属性か判別できません"),
            "{}",
            d.text
        );
    }

    #[test]
    fn how_labels_match() {
        let k = |s: &str| label_key(s);
        assert_eq!(
            match_key(&k("延べ相談件数"), &k("延べ相談件数"), true),
            Some(How::Exact)
        );
        assert_eq!(
            match_key(&k("①延べ相談件数："), &k("延べ相談件数"), false),
            Some(How::Decorated)
        );
        assert_eq!(
            match_key(&k("うち訪問・同行件数"), &k("うち訪問・同行"), true),
            Some(How::Contains)
        );
        assert!(matches!(
            match_key(&k("重層的支援会議等への出席回数"), &k("重層支援会議への出席回数"), true),
            Some(How::Similar(d)) if d > 0.7
        ));
        // One character never contains its way into a heading.
        assert_eq!(match_key(&k("計"), &k("延べ相談件数計"), true), None);
        // Header labels are exact (or decorated) only.
        assert_eq!(match_key(&k("報告年月日"), &k("報告年月"), false), None);
    }

    #[test]
    fn a_merged_label_counts_once_and_its_value_is_past_the_merge() {
        let mut b = book(&[
            &["報告月", "報告月", "令和7年4月"],
            &["事業所番号", "", "", "事業所名称", "センター"],
            &[],
            &["対象者区分", "新規相談者数（実人数）", "延べ相談件数"],
            &["高齢者", "1", "2"],
        ]);
        b.sheets[0].merged.push((0, 0, 0, 1));
        let d = draft(&[b], None).expect("a draft");
        assert!(d.text.contains("month = [\"報告月\", \"報告年月\"]  # 確実: 報告!A1「報告月」と一致（「報告年月」の言い換え）。値は右の C1（様式.xlsx では「令和7年4月」）"), "{}", d.text);
        // A blank value cell is not the next label's text.
        assert!(
            d.text.contains("値は右の B2（テンプレートでは空欄）"),
            "{}",
            d.text
        );
    }

    #[test]
    fn no_heading_row_is_an_error_naming_the_file() {
        let err = draft(&[book(&[&["記入上の注意"], &["1. 和暦で記入"]])], None).expect_err("none");
        assert!(matches!(err, DraftError::NoTable { .. }));
        assert!(err.to_string().contains("様式.xlsx"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever the cells, a draft either loads (it is checked with the
        /// loader before it is returned) or is a typed error; never a panic.
        #[test]
        fn any_grid_drafts_or_fails_cleanly(
            grid in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        "", "1", "合計", "計", "高齢者", "高齢者", "障害者※", "その他", "属性",
                        "延べ相談件数", "延べ相談件数", "新規", "うち訪問・同行件数", "報告年月",
                        "機関コード：", "\"引用\"", "支援員数", "Z09", "統括", "開催回数",
                        "参加者数（延べ）", "区・支所", "重層支援会議への出席回数",
                    ]),
                    0..6,
                ),
                0..10,
            )
        ) {
            let rows: Vec<&[&str]> = grid.iter().map(Vec::as_slice).collect();
            match draft(&[book(&rows)], None) {
                Ok(d) => {
                    proptest::prop_assert!(
                        super::super::layout::parse(Path::new("d.toml"), &d.text).is_ok()
                    );
                }
                Err(DraftError::Invalid(e)) => {
                    proptest::prop_assert!(false, "{e}");
                }
                Err(_) => {}
            }
        }
    }
}
