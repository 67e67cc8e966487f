//! Wide tables: one row per key (an attribute, an area, a site, a sending
//! agency), one column per metric.
//!
//! ```text
//! 相談者の属性 | 新規相談者数（実人数） | 継続相談者数（実人数） | 延べ相談件数
//! 高齢者       | 1                      | 2                      | 3
//! 障害者       |                        | 1                      | 1
//! 合計         | 1                      | 3                      | 4
//! ```
//!
//! The heading names the key column and each metric column (one row, or
//! two, see [`super::heading`]); a blank row or two straight under it still
//! belong to it. Data rows follow until a row blank in all the table's
//! columns, or its total row (checked against the rows above, not copied).
//! A blank cell is zero, except in an optional metric's column. A notes row
//! under the table (備考, ※…) is a note, not an unknown row.
//!
//! Optional columns: the row's area (区域), and for amounts of money (F5)
//! the row's field (分野) and unit (円 / 千円; a blank unit is 円, a total
//! row's blank unit is the rows' unit).

use super::heading::find_heading;
use super::{keys_of, matches_any, missing_heading, Context, TableOutput};
use crate::core::{Metric, Rule};
use crate::mapping::{KeyKind, Labels, TableLayout};
use crate::normalize::rows::{Claims, RowUse};
use crate::normalize::text::value_text;
use crate::normalize::value::{parse_amount, parse_count, Count};
use crate::normalize::{Figure, Problem, StatedTotal};
use crate::read::{Cell, Sheet};
use std::collections::HashMap;

pub(super) fn read_wide(
    ctx: &Context<'_>,
    layout: &TableLayout,
    rows: &mut Claims<'_>,
) -> TableOutput {
    let mut out = TableOutput::default();
    let Some(table) = Wide::locate(ctx, layout, rows, &mut out.problems) else {
        return out;
    };
    let mut sums = Sums::default();
    let mut r = table.first_data_row(ctx, rows);
    while r < ctx.sheet.rows.len() && !table.blank_at(ctx.sheet, r) {
        if matches_any(ctx.keys.get(r, table.key_col), &table.total_keys) {
            table.read_total_row(ctx, r, &sums, rows, &mut out);
            break;
        }
        table.read_row(ctx, r, &mut sums, rows, &mut out);
        r += 1;
    }
    out
}

/// A wide table as found on the sheet: its layout's rules for rows and the
/// grid columns under its heading.
struct Wide<'l> {
    key_kind: &'l KeyKind,
    keys: &'l HashMap<String, String>,
    optional: &'l [Metric],
    /// The label keys of total rows.
    total_keys: Vec<String>,
    /// The heading's last row; data start below it.
    head: usize,
    key_col: usize,
    area_col: Option<usize>,
    /// Money tables (F5): each row's field and unit columns.
    money_cols: Option<(Option<usize>, Option<usize>)>,
    /// Each metric found, its column and its first label, in the sheet's
    /// column order (records follow it).
    metric_cols: Vec<(Metric, usize, &'l str)>,
    /// The table's own columns: a row blank in all of them ends the table,
    /// even when another table beside it goes on in the same row.
    table_cols: Vec<usize>,
}

/// What the rows read so far give the total row.
#[derive(Default)]
struct Sums {
    /// Each metric's sum over the rows.
    by_metric: HashMap<Metric, u64>,
    /// The rows' unit (money tables), or an error when rows differ.
    unit: Option<Result<i64, String>>,
}

impl<'l> Wide<'l> {
    /// Finds the heading, claims its rows and finds each column; a column
    /// missing is a problem (the table is still read), a heading missing
    /// too (`None`).
    fn locate(
        ctx: &Context<'_>,
        layout: &'l TableLayout,
        rows: &mut Claims<'_>,
        problems: &mut Vec<Problem>,
    ) -> Option<Self> {
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
            return None;
        };
        let groups: Vec<Vec<String>> = std::iter::once(key_column)
            .chain(columns.iter().map(|(_, l)| l))
            .map(|l| keys_of(l))
            .collect();
        let Some(heading) = find_heading(ctx.sheet, ctx.keys, &groups, rows, *key_column_at) else {
            problems.push(missing_heading(ctx, key_column));
            return None;
        };
        heading.claim(rows);
        let (head, cols) = (heading.last, &heading.cols);
        let key_col = cols[0].unwrap_or(0);
        let area_col = if area_column.is_empty() {
            None
        } else {
            heading.column_of(ctx.keys, &keys_of(area_column))
        };
        if !area_column.is_empty() && area_col.is_none() {
            problems.push(missing_heading(ctx, area_column).at(ctx.loc(head, key_col)));
        }
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
                None => problems.push(
                    Problem::new(
                        Rule::MissingField,
                        ctx.loc(head, key_col),
                        format!("列「{}」が見つかりません (column not found)", labels[0]),
                    )
                    .expected(labels.join(" / ")),
                ),
            }
        }
        metric_cols.sort_by_key(|&(_, c, _)| c);
        let table_cols: Vec<usize> = std::iter::once(key_col)
            .chain(area_col)
            .chain(metric_cols.iter().map(|&(_, c, _)| c))
            .chain(money_cols.into_iter().flat_map(|(f, u)| [f, u]).flatten())
            .collect();
        Some(Wide {
            key_kind,
            keys,
            optional,
            total_keys: keys_of(total_labels),
            head,
            key_col,
            area_col,
            money_cols,
            metric_cols,
            table_cols,
        })
    }

    /// True when row `r` is blank in all the table's columns.
    fn blank_at(&self, sheet: &Sheet, r: usize) -> bool {
        self.table_cols.iter().all(|&c| sheet.get(r, c).is_blank())
    }

    /// The first data row. A blank row or two straight under the heading
    /// belong to it (claimed as heading): a heading merged down over them
    /// (エクセル方眼紙) whose merged areas the file format does not give
    /// (calamine reads none from .ods) — unless the table would end there.
    fn first_data_row(&self, ctx: &Context<'_>, rows: &mut Claims<'_>) -> usize {
        let head = self.head;
        let mut r = head + 1;
        while r < head + 3 && r + 1 < ctx.sheet.rows.len() && ctx.sheet.row_is_blank(r) {
            r += 1;
        }
        if self.blank_at(ctx.sheet, r) {
            return head + 1;
        }
        for g in head + 1..r {
            rows.claim(g, RowUse::Header);
        }
        r
    }

    /// The total row `r`: each metric's stated total beside the rows' sum.
    fn read_total_row(
        &self,
        ctx: &Context<'_>,
        r: usize,
        sums: &Sums,
        rows: &mut Claims<'_>,
        out: &mut TableOutput,
    ) {
        rows.claim(r, RowUse::Total);
        // A total row usually leaves the unit blank: it is in the rows' unit.
        let unit = self.money_cols.map(|(_, u)| match u {
            Some(c) if ctx.sheet.get(r, c).is_blank() => sums.unit.clone().unwrap_or(Ok(1)),
            _ => row_unit(ctx, r, u),
        });
        for &(metric, c, label) in &self.metric_cols {
            match read_value(ctx.sheet.get(r, c), unit.clone()) {
                Count::Value(v) => out.totals.push(StatedTotal {
                    metric,
                    stated: v,
                    parts_sum: sums.by_metric.get(&metric).copied().unwrap_or(0),
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
    }

    /// The data row `r`: its key, area, field and unit, then a figure per
    /// metric column, added to the sums.
    fn read_row(
        &self,
        ctx: &Context<'_>,
        r: usize,
        sums: &mut Sums,
        rows: &mut Claims<'_>,
        out: &mut TableOutput,
    ) {
        let key_col = self.key_col;
        let key_cell = ctx.sheet.get(r, key_col);
        let key_text = key_cell.as_text();
        let row_key = ctx.key_of(r, Some(key_col), key_cell);
        let key = match resolve_key(ctx, self.key_kind, self.keys, &key_text, &row_key) {
            Ok(k) => k,
            // A notes row typed straight under the table (備考, ※…) holds
            // no figure and at most one text: a note, not an unknown row of
            // figures (a misspelt attribute row still has its numbers).
            Err(_)
                if !key_text.trim().is_empty() && is_note_row(ctx.sheet, r, &self.metric_cols) =>
            {
                rows.claim(r, RowUse::Note);
                return;
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
                return;
            }
        };
        let area = self.row_area(ctx, r, &key, rows, out);
        let field = self.row_field(ctx, r, rows, out);
        let unit = self.money_cols.map(|(_, u)| row_unit(ctx, r, u));
        sums.unit = match (&sums.unit, &unit) {
            (None, Some(u)) => Some(u.clone()),
            // Rows in different units: a blank-unit total cannot be read.
            (Some(prev), Some(u)) if prev != u => Some(Err("(単位が行ごとに異なる)".into())),
            (prev, _) => prev.clone(),
        };
        if let Some(Err(text)) = &unit {
            rows.claim(r, RowUse::Finding);
            let c = self.money_cols.and_then(|(_, u)| u).unwrap_or(key_col);
            out.problems.push(
                Problem::new(
                    Rule::BadValue,
                    ctx.loc(r, c),
                    format!("単位「{text}」は「円」か「千円」で書いてください (unit must be 円 or 千円)"),
                )
                .expected("円 / 千円")
                .actual(text.clone()),
            );
            return;
        }
        let mut any = false;
        for &(metric, c, label) in &self.metric_cols {
            let value = match read_value(ctx.sheet.get(r, c), unit.clone()) {
                Count::Value(v) => v,
                Count::Blank if self.optional.contains(&metric) => continue,
                // Spec §1: a blank in a table is zero.
                Count::Blank => 0,
                Count::Bad(t) => {
                    rows.claim(r, RowUse::Finding);
                    out.problems
                        .push(Problem::bad_value(ctx.loc(r, c), label, &t));
                    continue;
                }
            };
            *sums.by_metric.entry(metric).or_default() += value;
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
    }

    /// The area of row `r` (keyed `key`): from its area column, else for
    /// area tables the key itself.
    fn row_area(
        &self,
        ctx: &Context<'_>,
        r: usize,
        key: &str,
        rows: &mut Claims<'_>,
        out: &mut TableOutput,
    ) -> Option<String> {
        match self.area_col {
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
            None if *self.key_kind == KeyKind::Area && ctx.registry.area(key).is_some() => {
                Some(key.to_string())
            }
            None => None,
        }
    }

    /// The field of row `r` (money tables with a field column).
    fn row_field(
        &self,
        ctx: &Context<'_>,
        r: usize,
        rows: &mut Claims<'_>,
        out: &mut TableOutput,
    ) -> Option<String> {
        let c = self.money_cols.and_then(|(f, _)| f)?;
        match resolve_field(&ctx.sheet.get(r, c).as_text()) {
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
        }
    }
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
