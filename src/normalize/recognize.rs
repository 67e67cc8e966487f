//! Recognition by content: every layout is scored against every sheet (and
//! the workbook as a whole) on the labels it looks for — table headings, row
//! labels and header labels — so that a return written from another template
//! is still read when it follows the form's words, and an unrecognised one
//! says how near it came.
//!
//! A label is matched, in order of preference:
//!
//! 1. **exactly**, after [`label_key`](super::text::label_key) (NFKC, no
//!    spaces, dashes folded);
//! 2. **with decoration**: the cell is the label plus footnote marks, a note
//!    in brackets, a colon or a numbering (`延べ相談件数※1`, `報告年月：`,
//!    `新規相談者数（実人数）注`, `①高齢者`) — score [`DECORATED_SCORE`];
//! 3. **by similarity**: the character-bigram Dice coefficient of the two
//!    keys is at least [`SIMILAR_MIN`] — score Dice × [`SIMILAR_FACTOR`].
//!
//! Cells are given to labels greedily, best score first, each cell to one
//! label and each label one cell, so two drifted headings of one table are
//! not both taken for the same column. Every match that is not exact becomes
//! a warning naming the text, its cell, the label it was taken for, the
//! score, and the line to add to the mapping file to make it exact.
//!
//! A layout's score is the weighted share of its labels found (headings
//! weigh most, then the header block's identity labels, then row labels).
//! The best layout is taken when it scores at least [`ACCEPT_MIN`] and beats
//! every other layout by [`TIE_MARGIN`]; otherwise the return is not
//! recognised and the nearest layout is reported with what it missed.

use super::text::label_key;
use super::{cached_label_key, Problem, SheetKeys};
use crate::core::text::{bigrams, dice, undecorate};
use crate::core::{Registry, Rule, Severity};
use crate::mapping::layout::LongColumn;
use crate::mapping::{CaseColumn, FormLayout, HeaderField, KeyKind, TableLayout};
use crate::read::Book;
use std::collections::{HashMap, HashSet};

/// Least bigram Dice coefficient for two labels to count as similar.
pub const SIMILAR_MIN: f64 = 0.6;
/// A similar match scores its Dice coefficient times this (below any
/// decorated match).
pub const SIMILAR_FACTOR: f64 = 0.85;
/// Score of a label found with decoration (footnote, note, colon).
pub const DECORATED_SCORE: f64 = 0.9;
/// Least layout score to recognise a return.
pub const ACCEPT_MIN: f64 = 0.6;
/// The best layout must beat every other one by this much; closer is a tie,
/// and a tie is not recognised.
pub const TIE_MARGIN: f64 = 0.1;
/// Reading a form across several sheets is chosen only when the workbook as
/// a whole scores this much more than its best single sheet.
pub const MULTI_SHEET_GAIN: f64 = 0.1;

/// Weight of a table heading (a column the layout reads).
const W_HEADING: f64 = 2.0;
/// Weight of a heading also listed in `recognize`.
const W_RECOGNIZE: f64 = 3.0;
/// Weight of the header block's identity labels (month, agency code).
const W_IDENTITY: f64 = 1.0;
/// Weight of other header labels, counted only when found.
const W_HEADER_OTHER: f64 = 0.5;
/// Total weight of one table's row labels (shared among them).
const W_ROWS: f64 = 2.0;

/// What a wanted label is in the layout file (for the hint line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A `recognize` label that is no heading of a table.
    Recognize(usize),
    /// `[header]` field `i`.
    Header(usize),
    /// `[header_figures]` entry `i`.
    HeaderFigure(usize),
    /// Table `t`'s `key_column`.
    KeyColumn(usize),
    /// Table `t`'s `area_column`.
    AreaColumn(usize),
    /// Table `t`'s metric column `i` (wide), named column `i` (cases, long).
    Column(usize, usize),
    /// Table `t`'s `label_column` (items).
    LabelColumn(usize),
    /// Table `t`'s `value_column` (items).
    ValueColumn(usize),
    /// Table `t`'s item `i` (items).
    Item(usize, usize),
    /// Table `t`'s row key code (wide `keys`, long `keys`).
    RowKey(usize, String),
    /// A registry area (or a `keys` entry) of table `t`, an area table: not
    /// learnt, only scored.
    Area(usize),
}

impl Want {
    /// True for a table heading (a column the layout reads).
    pub(crate) fn is_heading(&self) -> bool {
        self.target.is_heading()
    }
}

impl Target {
    fn is_heading(&self) -> bool {
        matches!(
            self,
            Target::KeyColumn(_)
                | Target::AreaColumn(_)
                | Target::Column(..)
                | Target::LabelColumn(_)
                | Target::ValueColumn(_)
                | Target::Recognize(_)
        )
    }
}

/// One label group the layout looks for.
#[derive(Debug, Clone)]
pub(crate) struct Want {
    pub target: Target,
    /// The aliases as written (or their keys, for code maps).
    pub labels: Vec<String>,
    /// Their label keys.
    pub keys: Vec<String>,
    pub weight: f64,
    /// Counted against the score when absent.
    pub required: bool,
}

/// How a label was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum How {
    Exact,
    Decorated,
    Similar(f64),
}

/// A cell taken for a wanted label.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// Index of the sheet in the book.
    pub sheet: usize,
    pub row: usize,
    pub col: usize,
    /// The cell's key.
    pub key: String,
    pub how: How,
    pub score: f64,
}

/// The label wants of a layout.
pub(crate) fn wants(layout: &FormLayout, registry: &Registry) -> Vec<Want> {
    let keys =
        |labels: &[String]| -> Vec<String> { labels.iter().map(|l| cached_label_key(l)).collect() };
    let recognize: HashSet<String> = layout.recognize.iter().map(|l| label_key(l)).collect();
    let mut out: Vec<Want> = Vec::new();
    let heading = |out: &mut Vec<Want>, target: Target, labels: &[String], required: bool| {
        let k = keys(labels);
        let weight = if k.iter().any(|k| recognize.contains(k)) {
            W_RECOGNIZE
        } else {
            W_HEADING
        };
        out.push(Want {
            target,
            labels: labels.to_vec(),
            keys: k,
            weight,
            required,
        });
    };
    for (t, table) in layout.tables.iter().enumerate() {
        match &table.layout {
            TableLayout::Wide {
                key_column,
                key_kind,
                keys: key_map,
                area_column,
                columns,
                optional,
                ..
            } => {
                heading(&mut out, Target::KeyColumn(t), key_column, true);
                if !area_column.is_empty() {
                    // The reader needs it: a drifted one must be looked for.
                    heading(&mut out, Target::AreaColumn(t), area_column, true);
                }
                for (i, (metric, labels)) in columns.iter().enumerate() {
                    heading(
                        &mut out,
                        Target::Column(t, i),
                        labels,
                        !optional.contains(metric),
                    );
                }
                match key_kind {
                    KeyKind::Code => row_key_wants(&mut out, t, key_map),
                    KeyKind::Area => {
                        let n = registry.areas.len() + 1;
                        for a in &registry.areas {
                            out.push(Want {
                                target: Target::Area(t),
                                labels: vec![a.code.clone(), a.name.clone()],
                                keys: vec![label_key(&a.code), label_key(&a.name)],
                                weight: W_ROWS / n as f64,
                                required: true,
                            });
                        }
                        // The coordinator's row (統括 / HQ) by its keys.
                        let mut hq: Vec<String> = key_map.keys().cloned().collect();
                        hq.sort();
                        if !hq.is_empty() {
                            out.push(Want {
                                target: Target::Area(t),
                                labels: hq.clone(),
                                keys: hq,
                                weight: W_ROWS / n as f64,
                                required: false,
                            });
                        }
                    }
                    KeyKind::Text | KeyKind::Agency => {}
                }
            }
            TableLayout::Items {
                label_column,
                value_column,
                items,
            } => {
                heading(&mut out, Target::LabelColumn(t), label_column, true);
                heading(&mut out, Target::ValueColumn(t), value_column, true);
                let n = items.len().max(1) as f64;
                for (i, (_, labels)) in items.iter().enumerate() {
                    out.push(Want {
                        target: Target::Item(t, i),
                        labels: labels.clone(),
                        keys: keys(labels),
                        weight: W_ROWS / n,
                        required: true,
                    });
                }
            }
            TableLayout::Cases { columns, .. } => {
                for (i, (which, labels)) in columns.iter().enumerate() {
                    let required = *which != crate::mapping::CaseColumn::Roles;
                    heading(&mut out, Target::Column(t, i), labels, required);
                }
            }
            TableLayout::Long {
                columns,
                keys: key_map,
                metrics,
            } => {
                for (i, (_, labels)) in columns.iter().enumerate() {
                    heading(&mut out, Target::Column(t, i), labels, true);
                }
                row_key_wants(&mut out, t, key_map);
                // Metric labels are cells of a column too: scored like row keys.
                let mut by_metric: HashMap<&str, Vec<String>> = HashMap::new();
                for (k, m) in metrics {
                    if k != m.code() {
                        by_metric.entry(m.code()).or_default().push(k.clone());
                    }
                }
                let mut groups: Vec<(&str, Vec<String>)> = by_metric.into_iter().collect();
                groups.sort();
                let n = groups.len().max(1) as f64;
                for (_, mut labels) in groups {
                    labels.sort();
                    out.push(Want {
                        target: Target::Area(t),
                        keys: labels.clone(),
                        labels,
                        weight: W_ROWS / n,
                        required: true,
                    });
                }
            }
        }
    }
    // Header labels: identity (month, agency code) is required unless a long
    // table carries it on every row; the rest count only when found.
    let long = layout
        .tables
        .iter()
        .any(|t| matches!(t.layout, TableLayout::Long { .. }));
    for (i, (field, labels)) in layout.header.iter().enumerate() {
        let identity = matches!(
            field,
            HeaderField::Month | HeaderField::AgencyCode | HeaderField::FiscalYear
        ) && !long;
        out.push(Want {
            target: Target::Header(i),
            labels: labels.clone(),
            keys: keys(labels),
            weight: if identity { W_IDENTITY } else { W_HEADER_OTHER },
            required: identity,
        });
    }
    for (i, (_, labels)) in layout.header_figures.iter().enumerate() {
        out.push(Want {
            target: Target::HeaderFigure(i),
            labels: labels.clone(),
            keys: keys(labels),
            weight: W_HEADER_OTHER,
            required: false,
        });
    }
    // `recognize` labels that no table or header reads still count.
    for (i, r) in layout.recognize.iter().enumerate() {
        let k = label_key(r);
        if !out.iter().any(|w| w.keys.contains(&k)) {
            out.push(Want {
                target: Target::Recognize(i),
                labels: vec![r.clone()],
                keys: vec![k],
                weight: W_RECOGNIZE,
                required: true,
            });
        }
    }
    out
}

fn row_key_wants(out: &mut Vec<Want>, t: usize, key_map: &HashMap<String, String>) {
    let mut by_code: HashMap<&str, Vec<String>> = HashMap::new();
    for (k, code) in key_map {
        by_code.entry(code.as_str()).or_default().push(k.clone());
    }
    let mut codes: Vec<(&str, Vec<String>)> = by_code.into_iter().collect();
    codes.sort();
    let n = codes.len().max(1) as f64;
    for (code, mut labels) in codes {
        labels.sort();
        // The code itself is a key too (`elderly`), but it is no label.
        labels.retain(|l| l != code || labels_len_one(l));
        out.push(Want {
            target: Target::RowKey(t, code.to_string()),
            keys: labels.clone(),
            labels,
            weight: W_ROWS / n,
            required: true,
        });
    }
}

/// Codes that are themselves what staff type (`1` … `6`, `HQ`) stay labels.
fn labels_len_one(l: &str) -> bool {
    l.chars().count() <= 3
}

/// The distinct text keys of one sheet, with the first cell of each.
pub(crate) struct SheetIndex {
    /// Key → first (row, col).
    exact: HashMap<String, (usize, usize)>,
    /// Distinct keys in reading order, with their bigrams, for the slower
    /// matches (built only when needed).
    fuzzy: std::cell::OnceCell<Vec<FuzzyCell>>,
}

/// A distinct cell key with its first (row, col) and its bigrams.
type FuzzyCell = (String, usize, usize, Vec<u64>);

/// Longest cell text (in characters) considered for a decorated or similar
/// match: notes and titles are longer than headings.
const FUZZY_MAX_CHARS: usize = 40;

impl SheetIndex {
    pub(crate) fn new(keys: &SheetKeys) -> SheetIndex {
        let mut exact = HashMap::new();
        for (r, row) in keys.rows.iter().enumerate() {
            for (c, k) in row.iter().enumerate() {
                if let Some(k) = k {
                    if !k.is_empty() && !exact.contains_key(k.as_str()) {
                        exact.insert(k.clone(), (r, c));
                    }
                }
            }
        }
        SheetIndex {
            exact,
            fuzzy: std::cell::OnceCell::new(),
        }
    }

    pub(crate) fn exact(&self, key: &str) -> Option<(usize, usize)> {
        self.exact.get(key).copied()
    }

    fn fuzzy(&self) -> &[FuzzyCell] {
        self.fuzzy.get_or_init(|| {
            let mut v: Vec<FuzzyCell> = self
                .exact
                .iter()
                .filter(|(k, _)| {
                    let n = k.chars().count();
                    (2..=FUZZY_MAX_CHARS).contains(&n) && !k.chars().all(|c| c.is_ascii_digit())
                })
                .map(|(k, &(r, c))| (k.clone(), r, c, bigrams(k)))
                .collect();
            v.sort_by_key(|(_, r, c, _)| (*r, *c));
            v
        })
    }
}

/// Similarity of two label texts (bigram Dice of their keys), for messages.
pub fn similarity(a: &str, b: &str) -> f64 {
    dice(&bigrams(&label_key(a)), &bigrams(&label_key(b)))
}

/// A match of one want in one sheet, before cells are shared out.
#[derive(Debug, Clone)]
struct Candidate {
    want: usize,
    found: Found,
}

/// The outcome of scoring one layout against a set of sheets.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    /// The sheets (indices into the book).
    pub sheets: Vec<usize>,
    pub score: f64,
    /// For each want, the cell taken for it.
    pub found: Vec<Option<Found>>,
}

/// Scores `wants` against the sheets `scope` of a book. `fuzzy` off gives
/// exact matches only (the fast path for returns on the city's template).
pub(crate) fn score(
    wants: &[Want],
    indices: &[SheetIndex],
    scope: &[usize],
    fuzzy: bool,
) -> Scored {
    score_with(wants, indices, scope, fuzzy, true)
}

/// [`score`]; `similar` off leaves out matches by similarity (decorated
/// ones only), for the optional labels of a return on the city's template.
pub(crate) fn score_with(
    wants: &[Want],
    indices: &[SheetIndex],
    scope: &[usize],
    fuzzy: bool,
    similar: bool,
) -> Scored {
    let mut found: Vec<Option<Found>> = vec![None; wants.len()];
    let mut taken: HashSet<(usize, usize, usize)> = HashSet::new();
    for (w, want) in wants.iter().enumerate() {
        'sheets: for &s in scope {
            for k in &want.keys {
                if let Some((row, col)) = indices[s].exact(k) {
                    found[w] = Some(Found {
                        sheet: s,
                        row,
                        col,
                        key: k.clone(),
                        how: How::Exact,
                        score: 1.0,
                    });
                    taken.insert((s, row, col));
                    break 'sheets;
                }
            }
        }
    }
    if fuzzy {
        let mut cands: Vec<Candidate> = Vec::new();
        let want_bigrams: Vec<Vec<Vec<u64>>> = wants
            .iter()
            .map(|w| w.keys.iter().map(|k| bigrams(k)).collect())
            .collect();
        for (w, want) in wants.iter().enumerate() {
            if found[w].is_some() {
                continue;
            }
            for &s in scope {
                for (key, row, col, grams) in indices[s].fuzzy() {
                    if taken.contains(&(s, *row, *col)) {
                        continue;
                    }
                    let mut best: Option<(How, f64)> = None;
                    if undecorate(key)
                        .iter()
                        .any(|inner| want.keys.iter().any(|k| k == inner))
                    {
                        best = Some((How::Decorated, DECORATED_SCORE));
                    }
                    // Row labels are short (高齢者, 区の名前): similarity would
                    // confuse them; only headings and header labels are
                    // matched by it.
                    let similar_ok =
                        similar && !matches!(want.target, Target::RowKey(..) | Target::Area(_));
                    if best.is_none() && similar_ok {
                        for g in &want_bigrams[w] {
                            let d = dice(g, grams);
                            if d >= SIMILAR_MIN && best.is_none_or(|(_, b)| d * SIMILAR_FACTOR > b)
                            {
                                best = Some((How::Similar(d), d * SIMILAR_FACTOR));
                            }
                        }
                    }
                    if let Some((how, sc)) = best {
                        cands.push(Candidate {
                            want: w,
                            found: Found {
                                sheet: s,
                                row: *row,
                                col: *col,
                                key: key.clone(),
                                how,
                                score: sc,
                            },
                        });
                    }
                }
            }
        }
        // Best first; ties in reading order, so the outcome never depends on
        // hash order.
        cands.sort_by(|a, b| {
            b.found.score.total_cmp(&a.found.score).then(
                (a.found.sheet, a.found.row, a.found.col, a.want).cmp(&(
                    b.found.sheet,
                    b.found.row,
                    b.found.col,
                    b.want,
                )),
            )
        });
        for c in cands {
            let cell = (c.found.sheet, c.found.row, c.found.col);
            if found[c.want].is_none() && !taken.contains(&cell) {
                taken.insert(cell);
                found[c.want] = Some(c.found);
            }
        }
    }
    if fuzzy {
        penalise_scattered(wants, &mut found);
    }
    Scored {
        sheets: scope.to_vec(),
        score: total_score(wants, &found),
        found,
    }
}

/// Long tables whose headings are in other words: their columns told by
/// what they hold ([`super::tables::long_columns_by_content`]), each
/// column's heading cell taken for the heading. True when any was added.
fn by_content(
    layout: &FormLayout,
    wants: &[Want],
    scored: &mut Scored,
    book: &Book,
    keys: &SheetKeys,
    s: usize,
    registry: &Registry,
) -> bool {
    let mut added = false;
    for (t, table) in layout.tables.iter().enumerate() {
        let TableLayout::Long {
            columns,
            keys: key_map,
            metrics,
        } = &table.layout
        else {
            continue;
        };
        let sheet = &book.sheets[s];
        let Some((head, cols)) =
            super::tables::long_columns_by_content(sheet, keys, key_map, metrics, registry)
        else {
            continue;
        };
        for (kind, col) in cols {
            let Some(i) = columns.iter().position(|(k, _)| *k == kind) else {
                continue;
            };
            let Some(w) = wants.iter().position(|w| w.target == Target::Column(t, i)) else {
                continue;
            };
            let text = sheet.get(head, col);
            if scored.found[w].is_some() || !matches!(text, crate::read::Cell::Text(_)) {
                continue;
            }
            scored.found[w] = Some(Found {
                sheet: s,
                row: head,
                col,
                key: cached_label_key(&text.as_text()),
                how: How::Similar(-1.0),
                score: CONTENT_SCORE,
            });
            added = true;
        }
    }
    added
}

/// Score of a heading told by what its column holds.
const CONTENT_SCORE: f64 = 0.7;

/// The score of a set of matches.
fn rescore(wants: &[Want], mut scored: Scored) -> Scored {
    scored.score = total_score(wants, &scored.found);
    scored
}

fn total_score(wants: &[Want], found: &[Option<Found>]) -> f64 {
    let (mut got, mut total) = (0.0, 0.0);
    for (want, f) in wants.iter().zip(found) {
        match f {
            Some(f) => {
                got += want.weight * f.score;
                total += want.weight;
            }
            None if want.required => total += want.weight,
            None => {}
        }
    }
    if total > 0.0 {
        got / total
    } else {
        0.0
    }
}

/// A wide table's headings lie along one row (or, turned over, one column)
/// and its row labels across them; a table whose labels are found but
/// scattered (the metric labels of a long CSV down one column, with the
/// attributes down another) is no such table: those matches count for
/// little ([`INCOHERENT_FACTOR`]).
fn penalise_scattered(wants: &[Want], found: &mut [Option<Found>]) {
    let tables: HashSet<usize> = wants
        .iter()
        .filter_map(|w| match w.target {
            Target::KeyColumn(t) => Some(t),
            _ => None,
        })
        .collect();
    for t in tables {
        let heads: Vec<usize> = (0..wants.len())
            .filter(|&w| {
                matches!(wants[w].target, Target::KeyColumn(tt) | Target::Column(tt, _) if tt == t)
                    && found[w].is_some()
            })
            .collect();
        let rows_keys: Vec<usize> = (0..wants.len())
            .filter(|&w| {
                matches!(&wants[w].target, Target::RowKey(tt, _) | Target::Area(tt) if *tt == t)
                    && found[w].is_some()
            })
            .collect();
        if heads.len() < 3 {
            continue;
        }
        let cells = |ws: &[usize]| -> Vec<(usize, usize, usize)> {
            ws.iter()
                .filter_map(|&w| found[w].as_ref().map(|f| (f.sheet, f.row, f.col)))
                .collect()
        };
        let h = cells(&heads);
        let k = cells(&rows_keys);
        let distinct = |v: &[(usize, usize, usize)], by_row: bool| -> usize {
            let mut x: Vec<(usize, usize)> = v
                .iter()
                .map(|&(s, r, c)| (s, if by_row { r } else { c }))
                .collect();
            x.sort_unstable();
            x.dedup();
            x.len()
        };
        let span = |v: &[(usize, usize, usize)]| {
            let rows: Vec<usize> = v.iter().map(|&(_, r, _)| r).collect();
            rows.iter().max().unwrap_or(&0) - rows.iter().min().unwrap_or(&0)
        };
        let normal = span(&h) <= 2 && (k.len() < 2 || distinct(&k, false) <= 2);
        let turned = distinct(&h, false) <= 2 && (k.len() < 2 || distinct(&k, true) <= 2);
        if !(normal || turned) {
            for w in heads.into_iter().chain(rows_keys) {
                if let Some(f) = found[w].as_mut() {
                    f.score *= INCOHERENT_FACTOR;
                }
            }
        }
    }
}

/// What a scattered wide table's matches count for.
const INCOHERENT_FACTOR: f64 = 0.3;

/// The closest text to a want among the cells of some sheets, however far:
/// (sheet, row, col, key, Dice), for the near-miss message.
pub(crate) fn closest(
    want: &Want,
    indices: &[SheetIndex],
    scope: &[usize],
) -> Option<(usize, usize, usize, String, f64)> {
    let grams: Vec<Vec<u64>> = want.keys.iter().map(|k| bigrams(k)).collect();
    let mut best: Option<(usize, usize, usize, String, f64)> = None;
    for &s in scope {
        for (key, row, col, g) in indices[s].fuzzy() {
            for wg in &grams {
                let d = dice(wg, g);
                if d > 0.0 && best.as_ref().is_none_or(|b| d > b.4) {
                    best = Some((s, *row, *col, key.clone(), d));
                }
            }
        }
    }
    best
}

/// The layout and sheets chosen for a book, with every label found.
pub(crate) struct Choice {
    /// Index of the layout in the mappings.
    pub layout: usize,
    pub scored: Scored,
    pub wants: Vec<Want>,
}

/// Every layout's best score (one sheet or the whole book), best first.
pub(crate) struct Ranking {
    pub ranked: Vec<Choice>,
}

/// Scores every layout against every sheet and the whole book.
pub(crate) fn rank(
    book: &Book,
    keys: &[SheetKeys],
    layouts: &[FormLayout],
    registry: &Registry,
    indices: &[SheetIndex],
    candidates: &[usize],
) -> Ranking {
    let all: Vec<usize> = candidates.to_vec();
    let mut ranked: Vec<Choice> = layouts
        .iter()
        .enumerate()
        .map(|(i, layout)| {
            let wants = wants(layout, registry);
            let mut best: Option<Scored> = None;
            for &s in candidates {
                let mut sc = score(&wants, indices, &[s], true);
                if by_content(layout, &wants, &mut sc, book, &keys[s], s, registry) {
                    sc = rescore(&wants, sc);
                }
                if best.as_ref().is_none_or(|b| sc.score > b.score) {
                    best = Some(sc);
                }
            }
            // A form read across sheets is one whose tables lie apart (F2's
            // three sections); a one-table form is always on one sheet, so an
            // annual or forwarded workbook is never pooled into one return.
            if all.len() > 1 && layout.tables.len() > 1 {
                let whole = score(&wants, indices, &all, true);
                if best
                    .as_ref()
                    .is_none_or(|b| whole.score > b.score + MULTI_SHEET_GAIN)
                {
                    best = Some(whole);
                }
            }
            Choice {
                layout: i,
                scored: best.unwrap_or(Scored {
                    sheets: Vec::new(),
                    score: 0.0,
                    found: vec![None; wants.len()],
                }),
                wants,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.scored
            .score
            .total_cmp(&a.scored.score)
            .then(a.layout.cmp(&b.layout))
    });
    Ranking { ranked }
}

impl Ranking {
    /// The recognised layout: the best, if it scores enough and clearly
    /// beats the next.
    pub(crate) fn winner(&self) -> Option<&Choice> {
        let best = self.ranked.first()?;
        let second = self.ranked.get(1).map_or(0.0, |c| c.scored.score);
        (best.scored.score >= ACCEPT_MIN && best.scored.score - second >= TIE_MARGIN)
            .then_some(best)
    }
}

/// The layout with every label found by decoration, similarity or its row
/// labels added as an alias (so the table readers, which match exactly, read
/// the return), and one warning for each naming the text, its cell, the
/// label it was taken for, the score and the line to put in the mapping.
pub(crate) fn learn(
    layout: &FormLayout,
    choice: &Choice,
    book: &Book,
) -> (FormLayout, Vec<Problem>) {
    let mut eff = layout.clone();
    let mut problems = Vec::new();
    let mut found = choice.scored.found.clone();
    for KeyAt {
        table: t,
        sheet: s,
        row: r,
        col: c,
        across,
    } in key_columns_by_rows(&choice.wants, &mut found, book)
    {
        if let TableLayout::Wide {
            key_column_at,
            key_row_at,
            key_column,
            ..
        } = &mut eff.tables[t].layout
        {
            let sheet = &book.sheets[s];
            let loc = sheet.location(&book.file, r, c);
            let (place, line_ja, line_en) = if across {
                *key_row_at = Some(r);
                let row_no = loc.cell.map_or(0, |(r, _)| r) + 1;
                (format!("{row_no} 行"), "行", "row")
            } else {
                *key_column_at = Some(c);
                let col = crate::core::location::a1(0, loc.cell.map_or(0, |(_, c)| c));
                (format!("{} 列", col.trim_end_matches('1')), "列", "column")
            };
            problems.push(
                Problem::new(
                    Rule::LabelMatched,
                    loc.clone(),
                    format!(
                        "見出しのない {place}を、行見出し（{}『{}』など）から『{}』の{line_ja}として読みました。見出しを記入するか、対応表 {} の key_column に見出しを加えてください (a {line_en} with a blank heading was read as the key {line_en} from its row labels)",
                        loc.cell_text(),
                        sheet.get(r, c).as_text(),
                        key_column.first().map_or("", String::as_str),
                        layout.file
                    ),
                )
                .severity(Severity::Warning)
                .expected(key_column.first().cloned().unwrap_or_default())
                .actual(sheet.get(r, c).as_text()),
            );
        }
    }
    for (want, f) in choice.wants.iter().zip(&found) {
        let Some(f) = f else { continue };
        if f.how == How::Exact {
            continue;
        }
        let sheet = &book.sheets[f.sheet];
        let text: String = sheet
            .get(f.row, f.col)
            .as_text()
            .chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .collect::<String>()
            .trim()
            .to_string();
        if !add_alias(&mut eff, &want.target, &text, &f.key) {
            continue;
        }
        let (place, line) = hint(&eff, &want.target);
        let loc = sheet.location(&book.file, f.row, f.col);
        let what = if want.target.is_heading() {
            "見出し"
        } else if matches!(want.target, Target::Header(_) | Target::HeaderFigure(_)) {
            "項目名"
        } else {
            "行見出し"
        };
        let (how_ja, how_en) = match f.how {
            How::Exact => unreachable!("skipped above"),
            How::Decorated => (
                "注記・記号を除いて一致".to_string(),
                "with its marks stripped".to_string(),
            ),
            How::Similar(d) if d < 0.0 => (
                "この列の行見出しから判断".to_string(),
                "from the row labels of its column".to_string(),
            ),
            How::Similar(d) => (format!("類似度 {d:.2}"), format!("similarity {d:.2}")),
        };
        problems.push(
            Problem::new(
                Rule::LabelMatched,
                loc.clone(),
                format!(
                    "{cell}『{text}』を{what}『{label}』として読みました（{how_ja}）。正しければ対応表 {file} の {place} を「{line}」にしてください (read cell {cell} as a label of {file} {how_en}; put the line given as expected into {file} to make it exact)",
                    cell = loc.cell_text(),
                    label = want.labels.first().map_or("", String::as_str),
                    file = layout.file,
                ),
            )
            .severity(Severity::Warning)
            .expected(line)
            .actual(text),
        );
    }
    (eff, problems)
}

/// A key column (or, in a transposed table, a key row) with a blank heading
/// cell, told by the row labels it holds.
struct KeyAt {
    table: usize,
    sheet: usize,
    /// Grid row of the first row label.
    row: usize,
    /// Grid column of the first row label.
    col: usize,
    /// The row labels run across a row (a transposed table).
    across: bool,
}

/// A key column whose heading is in other words (or blank) is found by the
/// row labels it holds (高齢者 …, area names): the text above them, in the
/// row of the table's other headings, is taken for its heading; when that
/// cell is blank, the column itself is given (`key_column_at`). Returns the
/// positional ones.
fn key_columns_by_rows(wants: &[Want], found: &mut [Option<Found>], book: &Book) -> Vec<KeyAt> {
    let mut positional = Vec::new();
    for (w, want) in wants.iter().enumerate() {
        let Target::KeyColumn(t) = want.target else {
            continue;
        };
        // Cells of this table's row labels, by (sheet, column) and by (sheet, row).
        let mut by_col: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        let mut by_row: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        let mut heading_rows: Vec<(usize, usize)> = Vec::new();
        let mut heading_cols: Vec<(usize, usize)> = Vec::new();
        for (v, f) in wants.iter().zip(found.iter()) {
            let Some(f) = f else { continue };
            match &v.target {
                Target::RowKey(tt, _) | Target::Area(tt) if *tt == t => {
                    by_col.entry((f.sheet, f.col)).or_default().push(f.row);
                    by_row.entry((f.sheet, f.row)).or_default().push(f.col);
                }
                Target::Column(tt, _) if *tt == t => {
                    heading_rows.push((f.sheet, f.row));
                    heading_cols.push((f.sheet, f.col));
                }
                _ => {}
            }
        }
        let best = |m: HashMap<(usize, usize), Vec<usize>>| {
            m.into_iter()
                .filter(|(_, v)| v.len() >= 2)
                .max_by_key(|((s, c), v)| (v.len(), std::cmp::Reverse((*s, *c))))
        };
        let current = found[w].clone();
        // Row labels down a column: the heading is above them.
        if let Some(((s, c), rows)) = best(by_col) {
            if current
                .as_ref()
                .is_some_and(|f| f.how == How::Exact || (f.sheet, f.col) == (s, c))
            {
                continue;
            }
            let top = rows.iter().copied().min().unwrap_or(0);
            let sheet = &book.sheets[s];
            let near_heading = |r: usize| {
                heading_rows
                    .iter()
                    .any(|&(hs, hr)| hs == s && hr + 1 >= r && hr <= r + 1)
            };
            let text_above = (top.saturating_sub(3)..top).rev().find(
                |&r| matches!(sheet.get(r, c), crate::read::Cell::Text(x) if !x.trim().is_empty()),
            );
            match text_above {
                Some(r) if near_heading(r) => {
                    found[w] = Some(Found {
                        sheet: s,
                        row: r,
                        col: c,
                        key: cached_label_key(&sheet.get(r, c).as_text()),
                        how: How::Similar(-1.0),
                        score: 0.5,
                    });
                }
                _ if current.is_none()
                    && heading_rows.iter().any(|&(hs, hr)| hs == s && hr < top) =>
                {
                    positional.push(KeyAt {
                        table: t,
                        sheet: s,
                        row: top,
                        col: c,
                        across: false,
                    });
                }
                _ => {}
            }
            continue;
        }
        // Row labels across a row (a transposed table): the heading is left of them.
        if let Some(((s, r), cols)) = best(by_row) {
            if current
                .as_ref()
                .is_some_and(|f| f.how == How::Exact || (f.sheet, f.row) == (s, r))
            {
                continue;
            }
            let left = cols.iter().copied().min().unwrap_or(0);
            let sheet = &book.sheets[s];
            let near_heading = |c: usize| {
                heading_cols
                    .iter()
                    .any(|&(hs, hc)| hs == s && hc + 1 >= c && hc <= c + 1)
            };
            match (left.saturating_sub(3)..left).rev().find(
                |&c| matches!(sheet.get(r, c), crate::read::Cell::Text(x) if !x.trim().is_empty()),
            ) {
                Some(c) if near_heading(c) => {
                    found[w] = Some(Found {
                        sheet: s,
                        row: r,
                        col: c,
                        key: cached_label_key(&sheet.get(r, c).as_text()),
                        how: How::Similar(-1.0),
                        score: 0.5,
                    });
                }
                // A blank corner: the metric labels run down a column left
                // of the row labels, so the row itself is the key row.
                _ if current.is_none()
                    && heading_cols.iter().any(|&(hs, hc)| hs == s && hc < left) =>
                {
                    positional.push(KeyAt {
                        table: t,
                        sheet: s,
                        row: r,
                        col: left,
                        across: true,
                    });
                }
                _ => {}
            }
        }
    }
    positional
}

/// Adds `text` (whose key is `key`) as an alias of a target; false when
/// there is nothing to add (the target is scored only).
fn add_alias(layout: &mut FormLayout, target: &Target, text: &str, key: &str) -> bool {
    let push = |labels: &mut Vec<String>| {
        if labels.iter().any(|l| label_key(l) == key) {
            false
        } else {
            labels.push(text.to_string());
            true
        }
    };
    match target {
        Target::Header(i) => push(&mut layout.header[*i].1),
        Target::HeaderFigure(i) => push(&mut layout.header_figures[*i].1),
        Target::Recognize(_) | Target::Area(_) => false,
        Target::KeyColumn(t)
        | Target::AreaColumn(t)
        | Target::Column(t, _)
        | Target::LabelColumn(t)
        | Target::ValueColumn(t)
        | Target::Item(t, _)
        | Target::RowKey(t, _) => match (&mut layout.tables[*t].layout, target) {
            (TableLayout::Wide { key_column, .. }, Target::KeyColumn(_)) => push(key_column),
            (TableLayout::Wide { area_column, .. }, Target::AreaColumn(_)) => push(area_column),
            (TableLayout::Wide { columns, .. }, Target::Column(_, i)) => push(&mut columns[*i].1),
            (
                TableLayout::Wide { keys, .. } | TableLayout::Long { keys, .. },
                Target::RowKey(_, code),
            ) => keys.insert(key.to_string(), code.clone()).is_none(),
            (TableLayout::Items { label_column, .. }, Target::LabelColumn(_)) => push(label_column),
            (TableLayout::Items { value_column, .. }, Target::ValueColumn(_)) => push(value_column),
            (TableLayout::Items { items, .. }, Target::Item(_, i)) => push(&mut items[*i].1),
            (TableLayout::Cases { columns, .. }, Target::Column(_, i)) => push(&mut columns[*i].1),
            (TableLayout::Long { columns, .. }, Target::Column(_, i)) => push(&mut columns[*i].1),
            _ => false,
        },
    }
}

/// A TOML string list.
fn toml_list(labels: &[String]) -> String {
    let items: Vec<String> = labels.iter().map(|l| format!("{l:?}")).collect();
    format!("[{}]", items.join(", "))
}

/// Where in the layout file a target's labels are, and the whole line with
/// its aliases as they now stand.
fn hint(layout: &FormLayout, target: &Target) -> (String, String) {
    let table = |t: usize| format!("{}番目の [[tables]]", t + 1);
    match target {
        Target::Header(i) => {
            let (field, labels) = &layout.header[*i];
            (
                "[header]".into(),
                format!("{} = {}", header_key(*field), toml_list(labels)),
            )
        }
        Target::HeaderFigure(i) => {
            let (m, labels) = &layout.header_figures[*i];
            (
                "[header_figures]".into(),
                format!("{} = {}", m.code(), toml_list(labels)),
            )
        }
        Target::Recognize(_) => (
            "recognize".into(),
            format!("recognize = {}", toml_list(&layout.recognize)),
        ),
        Target::Area(t) => (table(*t), String::new()),
        Target::KeyColumn(t)
        | Target::AreaColumn(t)
        | Target::Column(t, _)
        | Target::LabelColumn(t)
        | Target::ValueColumn(t)
        | Target::Item(t, _)
        | Target::RowKey(t, _) => match (&layout.tables[*t].layout, target) {
            (TableLayout::Wide { key_column, .. }, Target::KeyColumn(_)) => {
                (table(*t), format!("key_column = {}", toml_list(key_column)))
            }
            (TableLayout::Wide { area_column, .. }, Target::AreaColumn(_)) => (
                table(*t),
                format!("area_column = {}", toml_list(area_column)),
            ),
            (TableLayout::Wide { columns, .. }, Target::Column(_, i)) => {
                let (m, labels) = &columns[*i];
                (
                    format!("{} の [tables.columns]", table(*t)),
                    format!("{} = {}", m.code(), toml_list(labels)),
                )
            }
            (TableLayout::Wide { keys, .. }, Target::RowKey(_, code)) => (
                table(*t),
                format!(
                    "keys.{} = {}",
                    toml_key(code),
                    toml_list(&labels_of(keys, code))
                ),
            ),
            (TableLayout::Long { keys, .. }, Target::RowKey(_, code)) => (
                format!("{} の [tables.keys]", table(*t)),
                format!("{} = {}", toml_key(code), toml_list(&labels_of(keys, code))),
            ),
            (TableLayout::Items { label_column, .. }, Target::LabelColumn(_)) => (
                table(*t),
                format!("label_column = {}", toml_list(label_column)),
            ),
            (TableLayout::Items { value_column, .. }, Target::ValueColumn(_)) => (
                table(*t),
                format!("value_column = {}", toml_list(value_column)),
            ),
            (TableLayout::Items { items, .. }, Target::Item(_, i)) => {
                let (m, labels) = &items[*i];
                (
                    format!("{} の [tables.items]", table(*t)),
                    format!("{} = {}", m.code(), toml_list(labels)),
                )
            }
            (TableLayout::Cases { columns, .. }, Target::Column(_, i)) => {
                let (c, labels) = &columns[*i];
                (
                    format!("{} の [tables.columns]", table(*t)),
                    format!("{} = {}", case_key(*c), toml_list(labels)),
                )
            }
            (TableLayout::Long { columns, .. }, Target::Column(_, i)) => {
                let (c, labels) = &columns[*i];
                (
                    format!("{} の [tables.columns]", table(*t)),
                    format!("{} = {}", long_key(*c), toml_list(labels)),
                )
            }
            _ => (table(*t), String::new()),
        },
    }
}

/// Where a target's labels go in the layout file, for messages
/// (`1番目の [[tables]] の key_column`).
pub(crate) fn hint_place(layout: &FormLayout, target: &Target) -> String {
    let (place, line) = hint(layout, target);
    match line.split_once(" = ") {
        Some((key, _)) => format!("{place} の {key}"),
        None => place,
    }
}

/// The labels (keys) of a code in a code map, sorted.
fn labels_of(keys: &HashMap<String, String>, code: &str) -> Vec<String> {
    let mut v: Vec<String> = keys
        .iter()
        .filter(|(k, c)| c.as_str() == code && k.as_str() != code)
        .map(|(k, _)| k.clone())
        .collect();
    v.sort();
    v
}

/// A TOML key: bare when it can be, quoted otherwise (`"1"` is bare too, but
/// the mapping files quote numbers).
fn toml_key(code: &str) -> String {
    if code.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
        code.to_string()
    } else {
        format!("{code:?}")
    }
}

pub(crate) fn header_key(f: HeaderField) -> &'static str {
    match f {
        HeaderField::Month => "month",
        HeaderField::AgencyCode => "agency_code",
        HeaderField::AgencyName => "agency_name",
        HeaderField::Version => "version",
        HeaderField::FiscalYear => "fiscal_year",
        HeaderField::Submitted => "submitted",
        HeaderField::Edition => "edition",
    }
}

pub(crate) fn case_key(c: CaseColumn) -> &'static str {
    match c {
        CaseColumn::CaseId => "case_id",
        CaseColumn::MeetingKind => "meeting_kind",
        CaseColumn::MeetingDate => "meeting_date",
        CaseColumn::Issues => "issues",
        CaseColumn::Participants => "participants",
        CaseColumn::LeadAgency => "lead_agency",
        CaseColumn::Roles => "roles",
    }
}

pub(crate) fn long_key(c: LongColumn) -> &'static str {
    match c {
        LongColumn::AgencyCode => "agency_code",
        LongColumn::Month => "month",
        LongColumn::Key => "key",
        LongColumn::Metric => "metric",
        LongColumn::Value => "value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoration_is_stripped_from_both_ends() {
        let k = |s: &str| label_key(s);
        let has = |cell: &str, label: &str| undecorate(&k(cell)).contains(&k(label).as_str());
        assert!(has("延べ相談件数※1", "延べ相談件数"));
        assert!(has("報告年月：", "報告年月"));
        assert!(has("新規相談者数（実人数）注", "新規相談者数（実人数）"));
        assert!(has(
            "継続支援対象者数（月末）※2",
            "継続支援対象者数（月末）"
        ));
        assert!(has("①高齢者", "高齢者"));
        assert!(has("(1)高齢者", "高齢者"));
        assert!(has("高齢者（65歳以上）", "高齢者"));
        assert!(undecorate("延べ相談件数").is_empty());
        assert!(!has("その他の支援関係機関", "その他"));
    }

    #[test]
    fn dice_of_close_and_far_labels() {
        assert!(similarity("新規相談者数（実人数）", "新規相談者数(実数)") > 0.8);
        assert!(similarity("相談者の属性", "相談者属性") >= SIMILAR_MIN);
        assert!(similarity("延べ相談件数", "支援員数") < SIMILAR_MIN);
        assert_eq!(similarity("計", "計"), 0.0, "one character has no bigram");
    }
}
