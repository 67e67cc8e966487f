//! Items tables: one labelled figure per row, under a label column and a
//! value column.
//!
//! ```text
//! 項目                 | 件数
//! 重層的支援会議 開催回数 | 2
//! 支援会議 開催回数       | 1
//! ```
//!
//! Each row's label names an item of the mapping; a blank value is zero. An
//! item without its row is a problem. A sheet without the 項目 / 件数
//! heading is read by content ([`read_items_by_content`]): a row labelled
//! with an item gives it the first figure to the label's right, and a row
//! label under column headings (会議区分 × 開催回数 / 検討事案件数) names the
//! item by the two together.

use super::heading::{find_heading, Heading};
use super::{keys_of, matches_any, missing_heading, text_key, Context, TableOutput};
use crate::core::{Metric, Rule};
use crate::mapping::Labels;
use crate::normalize::rows::{Claims, RowUse};
use crate::normalize::value::{parse_count, Count};
use crate::normalize::{Figure, Problem};
use crate::read::Cell;

pub(super) fn read_items(
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
                read_item(ctx, rows, &mut out, r, vc, *metric, &labels[0]);
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
                    .chain(crate::core::text::undecorate(h))
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
            read_item(ctx, rows, &mut out, r, c, *metric, &labels[0]);
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

/// One item's figure at (`r`, `c`): a count, or a blank read as zero (spec
/// §1, as in a table), else a finding naming the item's label.
fn read_item(
    ctx: &Context<'_>,
    rows: &mut Claims<'_>,
    out: &mut TableOutput,
    r: usize,
    c: usize,
    metric: Metric,
    label: &str,
) {
    let value = match parse_count(ctx.sheet.get(r, c)) {
        Count::Value(v) => v,
        Count::Blank => 0,
        Count::Bad(t) => {
            rows.claim(r, RowUse::Finding);
            out.problems
                .push(Problem::bad_value(ctx.loc(r, c), label, &t));
            return;
        }
    };
    rows.claim(r, RowUse::Record);
    out.figures.push(Figure {
        key: String::new(),
        metric,
        value,
        area: None,
        field: None,
        source: ctx.loc(r, c),
    });
}
