//! The four table layouts of a mapping file, read from a sheet: wide (rows ×
//! metric columns), items (one labelled figure per row), cases (the F2 case
//! list) and long (one row per figure, as case systems export).
//!
//! A table is found by its heading row: the first row holding the labels the
//! mapping gives. It runs until the first blank row or its total row.

use super::personal::suspect;
use super::rows::{Claims, RowUse};
use super::text::{label_key, value_text};
use super::value::{parse_amount, parse_count, Count};
use super::{cached_label_key, CaseLine, Figure, HeaderValue, Problem, SheetKeys, StatedTotal};
use crate::core::month::{parse_date, parse_month};
use crate::core::{Location, Metric, Registry, Rule, YearMonth};
use crate::mapping::layout::LongColumn;
use crate::mapping::{CaseColumn, KeyKind, Labels, TableLayout};
use crate::read::{Cell, Sheet};
use std::borrow::Cow;
use std::collections::HashMap;

pub(super) struct Context<'a> {
    pub file: &'a str,
    pub sheet: &'a Sheet,
    /// The label keys of the sheet's text cells, computed once.
    pub keys: &'a SheetKeys,
    pub registry: &'a Registry,
}

impl Context<'_> {
    fn loc(&self, r: usize, c: usize) -> Location {
        self.sheet.location(self.file, r, c)
    }

    fn sheet_loc(&self) -> Location {
        Location::file(self.file).in_sheet(&self.sheet.name)
    }

    /// The label key of `cell`, found at column `col` of row `r` (or read
    /// from nowhere, `None`): the sheet's key for a text cell, else computed.
    fn key_of(&self, r: usize, col: Option<usize>, cell: &Cell) -> Cow<'_, str> {
        match (col, cell) {
            (Some(c), Cell::Text(_)) => match self.keys.get(r, c) {
                Some(k) => Cow::Borrowed(k),
                None => Cow::Owned(label_key(&cell.as_text())),
            },
            _ => Cow::Owned(label_key(&cell.as_text())),
        }
    }
}

#[derive(Default)]
pub(super) struct TableOutput {
    pub figures: Vec<Figure>,
    pub totals: Vec<StatedTotal>,
    pub cases: Vec<CaseLine>,
    pub problems: Vec<Problem>,
    pub agency_code: Option<HeaderValue<String>>,
    pub month: Option<HeaderValue<YearMonth>>,
}

pub(super) fn read(ctx: &Context<'_>, layout: &TableLayout, rows: &mut Claims<'_>) -> TableOutput {
    match layout {
        TableLayout::Wide { .. } => read_wide(ctx, layout, rows),
        TableLayout::Items {
            label_column,
            value_column,
            items,
        } => read_items(ctx, label_column, value_column, items, rows),
        TableLayout::Cases {
            columns,
            meeting_kinds,
        } => read_cases(ctx, columns, meeting_kinds, rows),
        TableLayout::Long {
            columns,
            keys,
            metrics,
        } => read_long(ctx, columns, keys, metrics, rows),
    }
}

/// True when the sheet holds the table's heading in a row not yet claimed
/// (the same search as the table's reader), for a form whose tables lie on
/// several sheets.
pub(super) fn has_heading(ctx: &Context<'_>, layout: &TableLayout, rows: &Claims<'_>) -> bool {
    fn sorted<C: Ord + Copy>(columns: &[(C, Labels)]) -> Vec<Vec<String>> {
        let mut ordered: Vec<&(C, Labels)> = columns.iter().collect();
        ordered.sort_by_key(|(c, _)| *c);
        ordered.iter().map(|(_, l)| keys_of(l)).collect()
    }
    let groups: Vec<Vec<String>> = match layout {
        TableLayout::Wide {
            key_column,
            columns,
            key_column_at,
            ..
        } => {
            let groups: Vec<Vec<String>> = std::iter::once(key_column)
                .chain(columns.iter().map(|(_, l)| l))
                .map(|l| keys_of(l))
                .collect();
            return find_heading(ctx.sheet, ctx.keys, &groups, rows, *key_column_at).is_some();
        }
        TableLayout::Items {
            label_column,
            value_column,
            ..
        } => vec![keys_of(label_column), keys_of(value_column)],
        TableLayout::Cases { columns, .. } => sorted(columns),
        TableLayout::Long { columns, .. } => sorted(columns),
    };
    find_heading(ctx.sheet, ctx.keys, &groups, rows, None).is_some()
}

/// The columns of a long table told by what they hold, when its headings
/// are in other words (`事業所番号,対象月,属性,項目,値`): the metric column
/// holds the metric labels, the key column the row labels, the agency
/// column registry codes, the month column months, and the value column —
/// the rightmost of the rest — counts. Returns the heading row and each
/// column's grid column; `None` unless all five are told.
pub(super) fn long_columns_by_content(
    sheet: &Sheet,
    keys: &SheetKeys,
    key_map: &HashMap<String, String>,
    metrics: &HashMap<String, Metric>,
    registry: &Registry,
) -> Option<(usize, Vec<(LongColumn, usize)>)> {
    let head = (0..sheet.rows.len()).find(|&r| !sheet.row_is_blank(r))?;
    let width = sheet.rows[head].len();
    let last = sheet.rows.len().min(head + 1 + 300);
    #[derive(Default, Clone, Copy)]
    struct Stats {
        filled: usize,
        metric: usize,
        key: usize,
        agency: usize,
        month: usize,
        count: usize,
    }
    let mut stats = vec![Stats::default(); width];
    for r in head + 1..last {
        for (c, st) in stats.iter_mut().enumerate() {
            let cell = sheet.get(r, c);
            if cell.is_blank() {
                continue;
            }
            st.filled += 1;
            let k = keys.get(r, c);
            if k.is_some_and(|k| metrics.contains_key(k)) {
                st.metric += 1;
            }
            if k.is_some_and(|k| key_map.contains_key(k)) {
                st.key += 1;
            }
            if registry.agency(&value_text(&cell.as_text())).is_some() {
                st.agency += 1;
            }
            if matches!(cell, Cell::Text(_) | Cell::Date(_)) && parse_month(cell).is_some() {
                st.month += 1;
            }
            if matches!(parse_count(cell), Count::Value(_)) {
                st.count += 1;
            }
        }
    }
    let pick = |f: &dyn Fn(&Stats) -> usize, taken: &[usize], share: f64| -> Option<usize> {
        (0..width)
            .filter(|c| !taken.contains(c))
            .filter(|&c| {
                let st = &stats[c];
                st.filled >= 2 && f(st) as f64 >= share * st.filled as f64
            })
            .max_by_key(|&c| (f(&stats[c]), std::cmp::Reverse(c)))
    };
    let metric = pick(&|s| s.metric, &[], 0.5)?;
    let key = pick(&|s| s.key, &[metric], 0.5)?;
    let agency = pick(&|s| s.agency, &[metric, key], 0.8)?;
    let month = pick(&|s| s.month, &[metric, key, agency], 0.8)?;
    let taken = [metric, key, agency, month];
    let value = (0..width)
        .rev()
        .filter(|c| !taken.contains(c))
        .find(|&c| stats[c].filled >= 2 && stats[c].count as f64 >= 0.8 * stats[c].filled as f64)?;
    Some((
        head,
        vec![
            (LongColumn::AgencyCode, agency),
            (LongColumn::Month, month),
            (LongColumn::Key, key),
            (LongColumn::Metric, metric),
            (LongColumn::Value, value),
        ],
    ))
}

/// The label keys of a group of labels (computed once per table, not per
/// cell compared).
fn keys_of(labels: &[String]) -> Vec<String> {
    labels.iter().map(|l| cached_label_key(l)).collect()
}

/// True when a text cell's key (`None` for other cells) is one of `keys`.
fn matches_any(key: Option<&str>, keys: &[String]) -> bool {
    key.is_some_and(|k| keys.iter().any(|l| l == k))
}

/// Column of the labels with these keys in row `r`, if any.
fn column_of(keys: &SheetKeys, r: usize, label_keys: &[String]) -> Option<usize> {
    keys.row(r)
        .iter()
        .position(|k| matches_any(k.as_deref(), label_keys))
}

/// A table's heading: one row, or two when a group label sits over its
/// sub-columns (相談者数（実人数） over 新規 / 継続).
struct Heading {
    /// The first heading row.
    first: usize,
    /// The last heading row; data start below it.
    last: usize,
    /// The column of each group of labels, if found.
    cols: Vec<Option<usize>>,
}

impl Heading {
    /// Marks the heading rows.
    fn claim(&self, rows: &mut Claims<'_>) {
        for r in self.first..=self.last {
            rows.claim(r, RowUse::Header);
        }
    }

    /// Column of the labels with these keys in any heading row.
    fn column_of(&self, keys: &SheetKeys, label_keys: &[String]) -> Option<usize> {
        (self.first..=self.last).find_map(|r| column_of(keys, r, label_keys))
    }
}

/// The label key of a non-blank text cell.
fn text_key<'k>(sheet: &Sheet, keys: &'k SheetKeys, r: usize, c: usize) -> Option<&'k str> {
    match sheet.get(r, c) {
        Cell::Text(t) if !t.trim().is_empty() => keys.get(r, c),
        _ => None,
    }
}

/// Columns of each group read over two heading rows. A column's label is,
/// in order of preference: the group and sub label composed (either order:
/// 「相談者数（実人数）」+「新規」 or 「新規」+「相談者数（実人数）」), the sub label
/// alone, then the top label alone (a heading merged down over both rows
/// has its text in both, see read::Sheet::merged).
fn two_row_columns(
    sheet: &Sheet,
    keys: &SheetKeys,
    top: usize,
    groups: &[Vec<String>],
) -> Vec<Option<usize>> {
    let width = sheet
        .rows
        .get(top)
        .map_or(0, Vec::len)
        .max(sheet.rows.get(top + 1).map_or(0, Vec::len));
    let candidates: Vec<[Option<String>; 3]> = (0..width)
        .map(|c| {
            let (t, s) = (
                text_key(sheet, keys, top, c),
                text_key(sheet, keys, top + 1, c),
            );
            let composed = match (t, s) {
                (Some(t), Some(s)) if t != s => Some(format!("{t}\u{1F}{s}")),
                _ => None,
            };
            [composed, s.map(str::to_string), t.map(str::to_string)]
        })
        .collect();
    groups
        .iter()
        .map(|keys| {
            (0..3).find_map(|level| {
                candidates.iter().position(|cand| match &cand[level] {
                    // Composed: the two parts in either order.
                    Some(k) if level == 0 => k.split_once('\u{1F}').is_some_and(|(t, s)| {
                        keys.iter()
                            .any(|key| *key == format!("{t}{s}") || *key == format!("{s}{t}"))
                    }),
                    Some(k) => keys.contains(k),
                    None => false,
                })
            })
        })
        .collect()
}

/// The first unclaimed row holding every group of labels, with their
/// columns; or the first two rows that hold more of them together, when
/// the heading is split over two rows.
///
/// `groups` are the label keys of each group ([`keys_of`]).
///
/// `first_at` is the column of the first group when its heading cell is
/// blank (recognition found the column by the row labels it holds).
fn find_heading(
    sheet: &Sheet,
    keys: &SheetKeys,
    groups: &[Vec<String>],
    rows: &Claims<'_>,
    first_at: Option<usize>,
) -> Option<Heading> {
    let heading = find_heading_rows(sheet, keys, groups, rows, first_at)?;
    // A heading merged down over more rows (エクセル方眼紙) has its text
    // copied into the rows below: they are heading too, not data.
    let mut last = heading.last;
    while last + 1 < sheet.rows.len() && merged_continuation(sheet, last + 1) {
        last += 1;
    }
    Some(Heading { last, ..heading })
}

/// True when every filled cell of row `r` lies in a merged area that
/// starts above it (the row only repeats texts merged down into it).
fn merged_continuation(sheet: &Sheet, r: usize) -> bool {
    let Some(row) = sheet.rows.get(r) else {
        return false;
    };
    let mut any = false;
    for (c, cell) in row.iter().enumerate() {
        if cell.is_blank() {
            continue;
        }
        any = true;
        match sheet.merged_area(r, c) {
            Some((top, _, _, _)) if top < r => {}
            _ => return false,
        }
    }
    any
}

/// Two groups in one column cannot both be right: the later loses it.
fn distinct_columns(cols: &mut [Option<usize>]) {
    let mut seen = std::collections::HashSet::new();
    for c in cols.iter_mut() {
        if let Some(col) = *c {
            if !seen.insert(col) {
                *c = None;
            }
        }
    }
}

fn find_heading_rows(
    sheet: &Sheet,
    keys: &SheetKeys,
    groups: &[Vec<String>],
    rows: &Claims<'_>,
    first_at: Option<usize>,
) -> Option<Heading> {
    // The first group is required; the row must also hold at least one other.
    let enough = |cols: &[Option<usize>]| {
        let found = cols.iter().filter(|c| c.is_some()).count();
        cols.first().is_some_and(Option::is_some) && (found >= 2 || groups.len() == 1)
    };
    let count = |cols: &[Option<usize>]| cols.iter().filter(|c| c.is_some()).count();
    (0..sheet.rows.len()).find_map(|r| {
        if rows.is_claimed(r) {
            return None;
        }
        let mut one: Vec<Option<usize>> = groups.iter().map(|g| column_of(keys, r, g)).collect();
        // A blank key heading counts only in a row that holds the table's
        // other headings (not in a blank row above them).
        if let (Some(None), Some(c)) = (one.first(), first_at) {
            if sheet.get(r, c).is_blank() && one[1..].iter().any(Option::is_some) {
                one[0] = Some(c);
            }
        }
        // Two rows only when the top one holds the key column's label (so a
        // blank or title row above a one-row heading is not taken in).
        if one.first().is_some_and(Option::is_some)
            && r + 1 < sheet.rows.len()
            && !rows.is_claimed(r + 1)
        {
            let mut two = two_row_columns(sheet, keys, r, groups);
            if let (Some(None), Some(c)) = (two.first(), first_at) {
                if sheet.get(r, c).is_blank() {
                    two[0] = Some(c);
                }
            }
            distinct_columns(&mut two);
            if enough(&two) && count(&two) > count(&one) {
                return Some(Heading {
                    first: r,
                    last: r + 1,
                    cols: two,
                });
            }
        }
        enough(&one).then_some(Heading {
            first: r,
            last: r,
            cols: one,
        })
    })
}

fn missing_heading(ctx: &Context<'_>, labels: &[String]) -> Problem {
    Problem::new(
        Rule::MissingField,
        ctx.sheet_loc(),
        format!(
            "表の見出し「{}」が見つかりません (table heading not found)",
            labels.join("」「")
        ),
    )
    .expected(labels.join(" / "))
}

fn read_wide(ctx: &Context<'_>, layout: &TableLayout, rows: &mut Claims<'_>) -> TableOutput {
    let TableLayout::Wide {
        key_column,
        key_kind,
        keys,
        area_column,
        total_labels,
        columns,
        optional,
        money,
        key_column_at,
        // Only for the sheet turned over, where it became key_column_at.
        key_row_at: _,
    } = layout
    else {
        return TableOutput::default();
    };
    let mut out = TableOutput::default();
    let groups: Vec<Vec<String>> = std::iter::once(key_column)
        .chain(columns.iter().map(|(_, l)| l))
        .map(|l| keys_of(l))
        .collect();
    let Some(heading) = find_heading(ctx.sheet, ctx.keys, &groups, rows, *key_column_at) else {
        out.problems.push(missing_heading(ctx, key_column));
        return out;
    };
    heading.claim(rows);
    let (head, cols) = (heading.last, heading.cols.clone());
    let key_col = cols[0].unwrap_or(0);
    let area_col = if area_column.is_empty() {
        None
    } else {
        heading.column_of(ctx.keys, &keys_of(area_column))
    };
    if !area_column.is_empty() && area_col.is_none() {
        out.problems
            .push(missing_heading(ctx, area_column).at(ctx.loc(head, key_col)));
    }
    // Money tables (F5): each row's field and unit.
    let money_cols = money.as_ref().map(|m| {
        let find = |labels: &Labels| {
            (!labels.is_empty())
                .then(|| heading.column_of(ctx.keys, &keys_of(labels)))
                .flatten()
        };
        (find(&m.field_column), find(&m.unit_column))
    });
    let mut metric_cols: Vec<(Metric, usize, &str)> = Vec::new();
    for ((metric, labels), col) in columns.iter().zip(&cols[1..]) {
        match col {
            Some(c) => metric_cols.push((*metric, *c, labels[0].as_str())),
            None if optional.contains(metric) => {}
            None => out.problems.push(
                Problem::new(
                    Rule::MissingField,
                    ctx.loc(head, key_col),
                    format!("列「{}」が見つかりません (column not found)", labels[0]),
                )
                .expected(labels.join(" / ")),
            ),
        }
    }
    // Records follow the sheet's column order.
    metric_cols.sort_by_key(|&(_, c, _)| c);
    let total_keys = keys_of(total_labels);
    let mut sums: HashMap<Metric, u64> = HashMap::new();
    let mut rows_unit: Option<Result<i64, String>> = None;
    // The table's own columns: a row blank in all of them ends the table,
    // even when another table beside it goes on in the same row.
    let table_cols: Vec<usize> = std::iter::once(key_col)
        .chain(area_col)
        .chain(metric_cols.iter().map(|&(_, c, _)| c))
        .chain(money_cols.into_iter().flat_map(|(f, u)| [f, u]).flatten())
        .collect();
    let blank_at = |r: usize| table_cols.iter().all(|&c| ctx.sheet.get(r, c).is_blank());
    let mut r = head + 1;
    // A blank row or two straight under the heading belong to it: a heading
    // merged down over them (エクセル方眼紙) whose merged areas the file
    // format does not give (calamine reads none from .ods).
    while r < head + 3 && r + 1 < ctx.sheet.rows.len() && ctx.sheet.row_is_blank(r) {
        r += 1;
    }
    if blank_at(r) {
        r = head + 1;
    } else {
        for g in head + 1..r {
            rows.claim(g, RowUse::Header);
        }
    }
    while r < ctx.sheet.rows.len() && !blank_at(r) {
        let key_cell = ctx.sheet.get(r, key_col);
        if matches_any(ctx.keys.get(r, key_col), &total_keys) {
            rows.claim(r, RowUse::Total);
            // A total row usually leaves the unit blank: it is in the rows' unit.
            let unit = money_cols.map(|(_, u)| match u {
                Some(c) if ctx.sheet.get(r, c).is_blank() => rows_unit.clone().unwrap_or(Ok(1)),
                _ => row_unit(ctx, r, u),
            });
            for &(metric, c, label) in &metric_cols {
                match read_value(ctx.sheet.get(r, c), unit.clone()) {
                    Count::Value(v) => out.totals.push(StatedTotal {
                        metric,
                        stated: v,
                        parts_sum: sums.get(&metric).copied().unwrap_or(0),
                        source: ctx.loc(r, c),
                    }),
                    Count::Blank => {}
                    Count::Bad(t) => {
                        rows.claim(r, RowUse::Finding);
                        out.problems
                            .push(Problem::bad_value(ctx.loc(r, c), label, &t));
                    }
                }
            }
            break;
        }
        let key_text = key_cell.as_text();
        let row_key = ctx.key_of(r, Some(key_col), key_cell);
        let key = match resolve_key(ctx, key_kind, keys, &key_text, &row_key) {
            Ok(k) => k,
            // A notes row typed straight under the table (備考, ※…) holds
            // no figure and at most one text: a note, not an unknown row of
            // figures (a misspelt attribute row still has its numbers).
            Err(_) if !key_text.trim().is_empty() && is_note_row(ctx.sheet, r, &metric_cols) => {
                rows.claim(r, RowUse::Note);
                r += 1;
                continue;
            }
            Err(expected) => {
                rows.claim(r, RowUse::Finding);
                let msg = if key_text.trim().is_empty() {
                    "行の見出しが空欄です (row label is blank)".to_string()
                } else {
                    format!("行の見出し「{key_text}」は様式にありません (unknown row label)")
                };
                out.problems.push(
                    Problem::new(Rule::BadValue, ctx.loc(r, key_col), msg)
                        .expected(expected)
                        .actual(key_text),
                );
                r += 1;
                continue;
            }
        };
        let area = match area_col {
            Some(c) => {
                let t = ctx.sheet.get(r, c).as_text();
                match ctx.registry.area_by_code_or_name(&value_text(&t)) {
                    Some(a) => Some(a.code.clone()),
                    None => {
                        rows.claim(r, RowUse::Finding);
                        out.problems.push(
                            Problem::new(
                                Rule::BadValue,
                                ctx.loc(r, c),
                                format!("区域「{t}」は登録にありません (unknown area)"),
                            )
                            .expected(
                                ctx.registry
                                    .areas
                                    .iter()
                                    .map(|a| a.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join("・"),
                            )
                            .actual(t),
                        );
                        None
                    }
                }
            }
            // For area tables the key is the row's area.
            None if *key_kind == KeyKind::Area && ctx.registry.area(&key).is_some() => {
                Some(key.clone())
            }
            None => None,
        };
        let field = match money_cols.and_then(|(f, _)| f) {
            Some(c) => match resolve_field(&ctx.sheet.get(r, c).as_text()) {
                Some(f) => Some(f),
                None => {
                    rows.claim(r, RowUse::Finding);
                    let t = ctx.sheet.get(r, c).as_text();
                    out.problems.push(
                        Problem::new(
                            Rule::BadValue,
                            ctx.loc(r, c),
                            format!("分野「{t}」は不明です (unknown field)"),
                        )
                        .expected("高齢・障害・子ども・生活困窮・横断")
                        .actual(t),
                    );
                    None
                }
            },
            None => None,
        };
        let unit = money_cols.map(|(_, u)| row_unit(ctx, r, u));
        rows_unit = match (&rows_unit, &unit) {
            (None, Some(u)) => Some(u.clone()),
            // Rows in different units: a blank-unit total cannot be read.
            (Some(prev), Some(u)) if prev != u => Some(Err("(単位が行ごとに異なる)".into())),
            (prev, _) => prev.clone(),
        };
        if let Some(Err(text)) = &unit {
            rows.claim(r, RowUse::Finding);
            let c = money_cols.and_then(|(_, u)| u).unwrap_or(key_col);
            out.problems.push(
                Problem::new(
                    Rule::BadValue,
                    ctx.loc(r, c),
                    format!("単位「{text}」は「円」か「千円」で書いてください (unit must be 円 or 千円)"),
                )
                .expected("円 / 千円")
                .actual(text.clone()),
            );
            r += 1;
            continue;
        }
        let mut any = false;
        for &(metric, c, label) in &metric_cols {
            let value = match read_value(ctx.sheet.get(r, c), unit.clone()) {
                Count::Value(v) => v,
                Count::Blank if optional.contains(&metric) => continue,
                // Spec §1: a blank in a table is zero.
                Count::Blank => 0,
                Count::Bad(t) => {
                    rows.claim(r, RowUse::Finding);
                    out.problems
                        .push(Problem::bad_value(ctx.loc(r, c), label, &t));
                    continue;
                }
            };
            *sums.entry(metric).or_default() += value;
            any = true;
            out.figures.push(Figure {
                key: key.clone(),
                metric,
                value,
                area: area.clone(),
                field: field.clone(),
                source: ctx.loc(r, c),
            });
        }
        rows.claim(r, if any { RowUse::Record } else { RowUse::Note });
        r += 1;
    }
    out
}

/// The unit of a money row: yen per unit (1 for 円, 1,000 for 千円), or the
/// text found when it is neither. A row without a unit column is in yen.
fn row_unit(ctx: &Context<'_>, r: usize, unit_col: Option<usize>) -> Result<i64, String> {
    let Some(c) = unit_col else { return Ok(1) };
    let text = ctx.sheet.get(r, c).as_text();
    match value_text(&text).as_str() {
        "" | "円" => Ok(1),
        "千円" => Ok(1000),
        _ => Err(text),
    }
}

/// A table cell as a count, or (money tables) as whole yen in the row's unit.
/// A negative amount is read as such and then refused, quoting the text.
fn read_value(cell: &Cell, unit: Option<Result<i64, String>>) -> Count {
    match unit {
        None => parse_count(cell),
        Some(Err(_)) => Count::Bad(cell.as_text()),
        Some(Ok(per)) => match parse_amount(cell, per) {
            Ok(None) => Count::Blank,
            Ok(Some(v)) if v >= 0 => Count::Value(v as u64),
            Ok(Some(_)) | Err(_) => Count::Bad(cell.as_text()),
        },
    }
}

/// A field label of the spec (`高齢`, or a code such as `elderly`).
fn resolve_field(text: &str) -> Option<String> {
    let t = value_text(text);
    crate::core::metric::FIELDS
        .iter()
        .find(|(code, ja)| *ja == t || *code == t)
        .map(|(code, _)| code.to_string())
}

/// True when no metric cell of the row reads as a count and at most one
/// holds anything.
fn is_note_row(sheet: &Sheet, r: usize, metric_cols: &[(Metric, usize, &str)]) -> bool {
    let cells: Vec<&Cell> = metric_cols
        .iter()
        .map(|&(_, c, _)| sheet.get(r, c))
        .collect();
    cells
        .iter()
        .all(|c| !matches!(parse_count(c), Count::Value(_)))
        && cells.iter().filter(|c| !c.is_blank()).count() <= 1
}

/// Reads a row key (`label` is the label key of `text`); on failure, what
/// was expected.
fn resolve_key(
    ctx: &Context<'_>,
    kind: &KeyKind,
    keys: &HashMap<String, String>,
    text: &str,
    label: &str,
) -> Result<String, String> {
    let mapped = keys.get(label).cloned();
    let plain = value_text(text);
    match kind {
        KeyKind::Code => mapped.ok_or_else(|| "様式の行見出し".to_string()),
        KeyKind::Text if plain.is_empty() => Err("拠点・活動名".to_string()),
        // Site names are kept as typed (trimmed): they are data, not labels.
        KeyKind::Text => Ok(text.trim().to_string()),
        KeyKind::Area => mapped
            .or_else(|| {
                ctx.registry
                    .area_by_code_or_name(&plain)
                    .map(|a| a.code.clone())
            })
            .ok_or_else(|| "区域コードまたは区域名".to_string()),
        KeyKind::Agency if plain.is_empty() => Err("機関コード".to_string()),
        KeyKind::Agency => Ok(plain),
    }
}

fn read_items(
    ctx: &Context<'_>,
    label_column: &Labels,
    value_column: &Labels,
    items: &[(Metric, Labels)],
    rows: &mut Claims<'_>,
) -> TableOutput {
    let mut out = TableOutput::default();
    let Some(Heading {
        first,
        last: head,
        cols,
    }) = find_heading(
        ctx.sheet,
        ctx.keys,
        &[keys_of(label_column), keys_of(value_column)],
        rows,
        None,
    )
    else {
        return read_items_by_content(ctx, label_column, items, rows);
    };
    let (Some(lc), Some(vc)) = (cols[0], cols[1]) else {
        return read_items_by_content(ctx, label_column, items, rows);
    };
    rows.claim(first, RowUse::Header);
    rows.claim(head, RowUse::Header);
    let item_keys: Vec<Vec<String>> = items.iter().map(|(_, l)| keys_of(l)).collect();
    let mut seen: Vec<Metric> = Vec::new();
    let mut r = head + 1;
    while r < ctx.sheet.rows.len() && !ctx.sheet.row_is_blank(r) {
        let label_cell = ctx.sheet.get(r, lc);
        let label_key = ctx.keys.get(r, lc);
        match items
            .iter()
            .zip(&item_keys)
            .find(|(_, keys)| matches_any(label_key, keys))
            .map(|(item, _)| item)
        {
            Some((metric, labels)) => {
                seen.push(*metric);
                match parse_count(ctx.sheet.get(r, vc)) {
                    Count::Value(v) => {
                        rows.claim(r, RowUse::Record);
                        out.figures.push(Figure {
                            key: String::new(),
                            metric: *metric,
                            value: v,
                            area: None,
                            field: None,
                            source: ctx.loc(r, vc),
                        });
                    }
                    Count::Blank => {
                        rows.claim(r, RowUse::Record);
                        out.figures.push(Figure {
                            key: String::new(),
                            metric: *metric,
                            value: 0,
                            area: None,
                            field: None,
                            source: ctx.loc(r, vc),
                        });
                    }
                    Count::Bad(t) => {
                        rows.claim(r, RowUse::Finding);
                        out.problems
                            .push(Problem::bad_value(ctx.loc(r, vc), &labels[0], &t));
                    }
                }
            }
            None => {
                rows.claim(r, RowUse::Finding);
                let t = label_cell.as_text();
                out.problems.push(
                    Problem::new(
                        Rule::BadValue,
                        ctx.loc(r, lc),
                        format!("項目「{t}」は様式にありません (unknown item)"),
                    )
                    .actual(t),
                );
            }
        }
        r += 1;
    }
    for (metric, labels) in items {
        if !seen.contains(metric) {
            out.problems.push(
                Problem::new(
                    Rule::MissingField,
                    ctx.loc(head, lc),
                    format!("項目「{}」の行がありません (row missing)", labels[0]),
                )
                .expected(labels[0].clone()),
            );
        }
    }
    out
}

/// An items table without its 項目 / 件数 heading: every unclaimed row whose
/// first text is an item's label gives that item the first figure to its
/// right; a row label with column headings above its figures (会議区分 ×
/// 開催回数 / 検討事案件数) gives the item named by the two together
/// (`重層的支援会議` + `開催回数` = `重層的支援会議 開催回数`).
fn read_items_by_content(
    ctx: &Context<'_>,
    label_column: &Labels,
    items: &[(Metric, Labels)],
    rows: &mut Claims<'_>,
) -> TableOutput {
    let mut out = TableOutput::default();
    let item_keys: Vec<Vec<String>> = items.iter().map(|(_, l)| keys_of(l)).collect();
    let find = |key: &str| item_keys.iter().position(|ks| ks.iter().any(|k| k == key));
    let mut seen: Vec<bool> = vec![false; items.len()];
    let mut any_row = false;
    for r in 0..ctx.sheet.rows.len() {
        if rows.is_claimed(r) || ctx.sheet.row_is_blank(r) {
            continue;
        }
        let Some(lc) = ctx.sheet.rows[r]
            .iter()
            .position(|c| matches!(c, Cell::Text(t) if !t.trim().is_empty()))
        else {
            continue;
        };
        let Some(label) = ctx.keys.get(r, lc) else {
            continue;
        };
        let width = ctx.sheet.rows[r].len();
        // Values start right of the label's merged area (its text is copied
        // into every cell of it).
        let start = ctx
            .sheet
            .merged_area(r, lc)
            .map_or(lc, |(_, _, _, right)| right)
            + 1;
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for c in start..width {
            let cell = ctx.sheet.get(r, c);
            if matches!(cell, Cell::Text(_)) && matches!(parse_count(cell), Count::Bad(_)) {
                continue;
            }
            if cell.is_blank() && c > start {
                continue;
            }
            // The column's heading: the nearest text above, within the block.
            let heading = (r.saturating_sub(6)..r).rev().find_map(|hr| {
                text_key(ctx.sheet, ctx.keys, hr, c)
                    .filter(|_| matches!(parse_count(ctx.sheet.get(hr, c)), Count::Bad(_)))
            });
            let composed = heading.and_then(|h| {
                std::iter::once(h)
                    .chain(super::recognize::undecorate(h))
                    .find_map(|h| find(&format!("{label}{h}")))
            });
            if let Some(i) = composed {
                hits.push((i, c));
            }
        }
        if hits.is_empty() {
            if let Some(i) = find(label) {
                // The first cell right of the label holding anything.
                if let Some(c) = (start..width).find(|&c| !ctx.sheet.get(r, c).is_blank()) {
                    hits.push((i, c));
                }
            }
        }
        if hits.is_empty() {
            continue;
        }
        any_row = true;
        for (i, c) in hits {
            let (metric, labels) = &items[i];
            seen[i] = true;
            match parse_count(ctx.sheet.get(r, c)) {
                Count::Value(v) => {
                    rows.claim(r, RowUse::Record);
                    out.figures.push(Figure {
                        key: String::new(),
                        metric: *metric,
                        value: v,
                        area: None,
                        field: None,
                        source: ctx.loc(r, c),
                    });
                }
                Count::Blank => {
                    rows.claim(r, RowUse::Record);
                    out.figures.push(Figure {
                        key: String::new(),
                        metric: *metric,
                        value: 0,
                        area: None,
                        field: None,
                        source: ctx.loc(r, c),
                    });
                }
                Count::Bad(t) => {
                    rows.claim(r, RowUse::Finding);
                    out.problems
                        .push(Problem::bad_value(ctx.loc(r, c), &labels[0], &t));
                }
            }
        }
    }
    if !any_row {
        out.problems.push(missing_heading(ctx, label_column));
        return out;
    }
    // The headings of a matrix of items are heading rows.
    for (i, (_, labels)) in items.iter().enumerate() {
        if !seen[i] {
            out.problems.push(
                Problem::new(
                    Rule::MissingField,
                    ctx.sheet_loc(),
                    format!("項目「{}」の行がありません (row missing)", labels[0]),
                )
                .expected(labels[0].clone()),
            );
        }
    }
    out
}

/// Agency codes in one cell, separated by ・ 、 , ; or line breaks.
fn split_list(text: &str) -> Vec<String> {
    text.split(['・', '、', ',', '，', ';', '；', '\n', '\r', '/', '／'])
        .map(value_text)
        .filter(|s| !s.is_empty())
        .collect()
}

/// 役割分担 entries `機関コード：役割`, one per line (or separated by ；).
fn parse_roles(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(['\n', '\r', '；', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let (code, role) = entry
                .split_once(['：', ':'])
                .ok_or_else(|| entry.to_string())?;
            let (code, role) = (value_text(code), role.trim().to_string());
            if code.is_empty() || role.is_empty() {
                return Err(entry.to_string());
            }
            Ok((code, role))
        })
        .collect()
}

/// Columns named by kind (case list, long table): sorts the kinds, finds the
/// heading row holding the first kind's labels, claims its first row, and
/// returns the kinds in order, the heading's last row and each kind's column.
fn locate_columns<'c, C: Ord + Copy>(
    ctx: &Context<'_>,
    columns: &'c [(C, Labels)],
    rows: &mut Claims<'_>,
) -> Result<NamedColumns<'c, C>, Box<Problem>> {
    let mut ordered: Vec<&(C, Labels)> = columns.iter().collect();
    ordered.sort_by_key(|(c, _)| *c);
    let group_keys: Vec<Vec<String>> = ordered.iter().map(|(_, l)| keys_of(l)).collect();
    let Some(Heading { first, last, cols }) =
        find_heading(ctx.sheet, ctx.keys, &group_keys, rows, None)
    else {
        return Err(Box::new(missing_heading(ctx, &ordered[0].1)));
    };
    rows.claim(first, RowUse::Header);
    Ok((ordered, last, cols))
}

/// The kinds in order, the heading's last row, and each kind's column.
type NamedColumns<'c, C> = (Vec<&'c (C, Labels)>, usize, Vec<Option<usize>>);

fn read_cases(
    ctx: &Context<'_>,
    columns: &[(CaseColumn, Labels)],
    kinds: &HashMap<String, crate::core::MeetingKind>,
    rows: &mut Claims<'_>,
) -> TableOutput {
    let mut out = TableOutput::default();
    let (ordered, head, cols) = match locate_columns(ctx, columns, rows) {
        Ok(found) => found,
        Err(p) => {
            out.problems.push(*p);
            return out;
        }
    };
    rows.claim(head, RowUse::Header);
    let col = |which: CaseColumn| -> Option<usize> {
        ordered
            .iter()
            .position(|(c, _)| *c == which)
            .and_then(|i| cols[i])
    };
    for (i, (which, labels)) in ordered.iter().enumerate() {
        if cols[i].is_none() && *which != CaseColumn::Roles {
            out.problems
                .push(missing_heading(ctx, labels).at(ctx.loc(head, 0)));
        }
    }
    let mut r = head + 1;
    while r < ctx.sheet.rows.len() && !ctx.sheet.row_is_blank(r) {
        let text_at = |which| {
            col(which)
                .map(|c| (c, ctx.sheet.get(r, c)))
                .unwrap_or((0, &Cell::Empty))
        };
        let mut ok = true;
        // Personal data is reported by place only; the text is never copied.
        for (c, cell) in ctx.sheet.rows[r].iter().enumerate() {
            if let Cell::Text(t) = cell {
                if let Some(kind) = suspect(t) {
                    ok = false;
                    out.problems.push(Problem::new(
                        Rule::PersonalDataSuspected,
                        ctx.loc(r, c),
                        format!("検討事案一覧に{kind}があります。個人情報は記入しないでください（内容は出力しません） (looks like personal data; text withheld)"),
                    ));
                }
            }
        }
        let (id_c, id_cell) = text_at(CaseColumn::CaseId);
        let case_id = value_text(&id_cell.as_text());
        if case_id.is_empty() {
            ok = false;
            out.problems.push(Problem::new(
                Rule::MissingField,
                ctx.loc(r, id_c),
                "事案番号が空欄です (case id is blank)".into(),
            ));
        }
        let (kind_c, kind_cell) = text_at(CaseColumn::MeetingKind);
        let kind = kinds
            .get(
                ctx.key_of(r, col(CaseColumn::MeetingKind), kind_cell)
                    .as_ref(),
            )
            .copied();
        if kind.is_none() {
            ok = false;
            let t = kind_cell.as_text();
            out.problems.push(
                Problem::new(
                    Rule::BadValue,
                    ctx.loc(r, kind_c),
                    format!("会議区分「{t}」は不明です (unknown meeting kind)"),
                )
                .expected("重層的支援会議 / 支援会議")
                .actual(t),
            );
        }
        let (date_c, date_cell) = text_at(CaseColumn::MeetingDate);
        let meeting_date = match parse_date(date_cell) {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => {
                ok = false;
                let t = date_cell.as_text();
                out.problems.push(
                    Problem::new(
                        Rule::BadValue,
                        ctx.loc(r, date_c),
                        format!("会議日「{t}」を日付として読めません (cannot read the date)"),
                    )
                    .expected("2025/4/15 など")
                    .actual(t),
                );
                String::new()
            }
        };
        let (_, issues_cell) = text_at(CaseColumn::Issues);
        let (part_c, part_cell) = text_at(CaseColumn::Participants);
        let (_, lead_cell) = text_at(CaseColumn::LeadAgency);
        let (roles_c, roles_cell) = text_at(CaseColumn::Roles);
        let roles = match parse_roles(&roles_cell.as_text()) {
            Ok(r) => r,
            Err(entry) => {
                ok = false;
                out.problems.push(
                    Problem::new(Rule::BadValue, ctx.loc(r, roles_c), format!("役割分担「{entry}」は「機関コード：役割」の形で書いてください (role entry must be CODE：role)"))
                        .expected("機関コード：役割")
                        .actual(entry),
                );
                Vec::new()
            }
        };
        let participants = split_list(&part_cell.as_text());
        if participants.is_empty() {
            ok = false;
            out.problems.push(Problem::new(
                Rule::MissingField,
                ctx.loc(r, part_c),
                "参加機関コードが空欄です (no participants)".into(),
            ));
        }
        if let (true, Some(kind)) = (ok, kind) {
            rows.claim(r, RowUse::Record);
            out.cases.push(CaseLine {
                case_id,
                meeting_kind: kind,
                meeting_date,
                issues: split_list(&issues_cell.as_text()),
                participants,
                lead_agency: value_text(&lead_cell.as_text()),
                roles,
                source: ctx.loc(r, id_c),
                participants_source: ctx.loc(r, part_c),
            });
        } else {
            rows.claim(r, RowUse::Finding);
        }
        r += 1;
    }
    out
}

fn read_long(
    ctx: &Context<'_>,
    columns: &[(LongColumn, Labels)],
    keys: &HashMap<String, String>,
    metrics: &HashMap<String, Metric>,
    rows: &mut Claims<'_>,
) -> TableOutput {
    let mut out = TableOutput::default();
    let (ordered, head, cols) = match locate_columns(ctx, columns, rows) {
        Ok(found) => found,
        Err(p) => {
            out.problems.push(*p);
            return out;
        }
    };
    let Some(cols) = cols.into_iter().collect::<Option<Vec<usize>>>() else {
        out.problems.push(missing_heading(
            ctx,
            &ordered
                .iter()
                .flat_map(|(_, g)| g.iter().cloned())
                .collect::<Vec<_>>(),
        ));
        return out;
    };
    rows.claim(head, RowUse::Header);
    // Sorted order: agency_code, month, key, metric, value.
    let [agency_c, month_c, key_c, metric_c, value_c] =
        [cols[0], cols[1], cols[2], cols[3], cols[4]];
    for r in head + 1..ctx.sheet.rows.len() {
        if ctx.sheet.row_is_blank(r) {
            continue;
        }
        let mut ok = true;
        let agency_text = ctx.sheet.get(r, agency_c).as_text();
        let agency = value_text(&agency_text);
        match &out.agency_code {
            None => {
                out.agency_code = Some(HeaderValue {
                    value: agency.clone(),
                    text: agency_text,
                    source: ctx.loc(r, agency_c),
                })
            }
            Some(a) if a.value != agency => {
                ok = false;
                out.problems.push(
                    Problem::new(
                        Rule::BadValue,
                        ctx.loc(r, agency_c),
                        "1つのファイルに複数の機関コードがあります (several agencies in one file)"
                            .into(),
                    )
                    .expected(a.value.clone())
                    .actual(agency_text),
                );
            }
            Some(_) => {}
        }
        let month_cell = ctx.sheet.get(r, month_c);
        match (parse_month(month_cell), &out.month) {
            (Some(m), None) => {
                out.month = Some(HeaderValue {
                    value: m,
                    text: month_cell.as_text(),
                    source: ctx.loc(r, month_c),
                })
            }
            (Some(m), Some(first)) if m != first.value => {
                ok = false;
                out.problems.push(
                    Problem::new(
                        Rule::MonthMismatch,
                        ctx.loc(r, month_c),
                        "1つのファイルに複数の年月があります (several months in one file)".into(),
                    )
                    .expected(first.value.to_string())
                    .actual(m.to_string()),
                );
            }
            (Some(_), Some(_)) => {}
            (None, _) => {
                ok = false;
                let t = month_cell.as_text();
                out.problems.push(
                    Problem::new(
                        Rule::BadValue,
                        ctx.loc(r, month_c),
                        format!("年月「{t}」を読めません (cannot read the month)"),
                    )
                    .expected("202504 / 2025-04 など")
                    .actual(t),
                );
            }
        }
        let metric_cell = ctx.sheet.get(r, metric_c);
        let metric_text = metric_cell.as_text();
        let metric = metrics
            .get(ctx.key_of(r, Some(metric_c), metric_cell).as_ref())
            .copied();
        let key_cell = ctx.sheet.get(r, key_c);
        let key_text = key_cell.as_text();
        let key = if key_text.trim().is_empty() {
            Some(String::new())
        } else {
            keys.get(ctx.key_of(r, Some(key_c), key_cell).as_ref())
                .cloned()
        };
        match (metric, key) {
            (Some(metric), Some(key)) => match parse_count(ctx.sheet.get(r, value_c)) {
                Count::Value(v) if ok => {
                    rows.claim(r, RowUse::Record);
                    out.figures.push(Figure {
                        key,
                        metric,
                        value: v,
                        area: None,
                        field: None,
                        source: ctx.loc(r, value_c),
                    });
                    continue;
                }
                Count::Blank if ok => {
                    rows.claim(r, RowUse::Record);
                    out.figures.push(Figure {
                        key,
                        metric,
                        value: 0,
                        area: None,
                        field: None,
                        source: ctx.loc(r, value_c),
                    });
                    continue;
                }
                Count::Bad(t) => {
                    out.problems
                        .push(Problem::bad_value(ctx.loc(r, value_c), &metric_text, &t))
                }
                _ => {}
            },
            (None, _) => out.problems.push(
                Problem::new(
                    Rule::BadValue,
                    ctx.loc(r, metric_c),
                    format!("集計項目「{metric_text}」は不明です (unknown metric label)"),
                )
                .actual(metric_text),
            ),
            (Some(_), None) => out.problems.push(
                Problem::new(
                    Rule::BadValue,
                    ctx.loc(r, key_c),
                    format!("属性「{key_text}」は不明です (unknown row label)"),
                )
                .actual(key_text),
            ),
        }
        rows.claim(r, RowUse::Finding);
    }
    out
}

impl Problem {
    /// Moves the problem to another place.
    pub(super) fn at(mut self, loc: Location) -> Self {
        self.source_loc = loc;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: "F1".into(),
            origin: (0, 0),
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|t| {
                            if t.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text((*t).into())
                            }
                        })
                        .collect()
                })
                .collect(),
            merged: Vec::new(),
        }
    }

    fn labels(l: &[&str]) -> Labels {
        l.iter().map(|s| s.to_string()).collect()
    }

    fn heading(s: &Sheet, groups: &[&Labels], claims: &Claims<'_>) -> Option<Heading> {
        let keys = SheetKeys::new(s);
        let groups: Vec<Vec<String>> = groups.iter().map(|g| keys_of(g)).collect();
        find_heading(s, &keys, &groups, claims, None)
    }

    #[test]
    fn a_group_label_over_sub_columns_composes_with_them() {
        // As read from a workbook: the merged group label and the key
        // heading merged down have their text in every cell they cover.
        let s = sheet(&[
            &["タイトル", "", "", ""],
            &[
                "相談者の属性",
                "相談者数\n（実人数）",
                "相談者数\n（実人数）",
                "延べ相談件数",
            ],
            &["相談者の属性", "新規", "継続", "延べ相談件数"],
            &["高齢者", "1", "2", "3"],
        ]);
        let key = labels(&["相談者の属性"]);
        let new = labels(&["新規相談者数（実人数）"]);
        let cont = labels(&["継続相談者数（実人数）"]);
        let total = labels(&["延べ相談件数"]);
        let claims = Claims::new(&s);
        let h = heading(&s, &[&key, &new, &cont, &total], &claims).expect("heading");
        assert_eq!((h.first, h.last), (1, 2));
        assert_eq!(h.cols, vec![Some(0), Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn a_one_row_heading_stays_one_row() {
        let s = sheet(&[
            &["", "", ""],
            &["相談者の属性", "新規相談者数（実人数）", "延べ相談件数"],
            &["高齢者", "1", "3"],
        ]);
        let key = labels(&["相談者の属性"]);
        let new = labels(&["新規相談者数（実人数）"]);
        let total = labels(&["延べ相談件数"]);
        let claims = Claims::new(&s);
        let h = heading(&s, &[&key, &new, &total], &claims).expect("heading");
        assert_eq!((h.first, h.last), (1, 1));
        assert_eq!(h.cols, vec![Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn sub_labels_alone_match_under_an_unknown_group() {
        let s = sheet(&[
            &["属性", "人数", "人数"],
            &["", "新規", "継続"],
            &["高齢者", "1", "2"],
        ]);
        let key = labels(&["属性"]);
        let new = labels(&["新規相談者数（実人数）", "新規"]);
        let cont = labels(&["継続相談者数（実人数）", "継続"]);
        let claims = Claims::new(&s);
        let h = heading(&s, &[&key, &new, &cont], &claims).expect("heading");
        assert_eq!(
            (h.first, h.last, h.cols),
            (0, 1, vec![Some(0), Some(1), Some(2)])
        );
    }
}
