//! Long tables: one row per figure, as case systems export them.
//!
//! ```text
//! 事業所番号 | 集計月  | 属性 | 項目名                 | 値
//! A01        | 2025-04 | 高齢 | 新規相談者数（実人数） | 3
//! ```
//!
//! Five columns, found by their headings: the agency code and the month
//! (the same in every row: the file's header values), the row key, the
//! metric and the value (a blank is zero). Blank rows are skipped, not the
//! table's end. When the headings are in other words the columns are told
//! by what they hold ([`long_columns_by_content`]).

use super::{locate_columns, missing_heading, Context, TableOutput};
use crate::core::month::parse_month;
use crate::core::{Metric, Registry, Rule};
use crate::mapping::layout::LongColumn;
use crate::mapping::Labels;
use crate::normalize::rows::{Claims, RowUse};
use crate::normalize::text::value_text;
use crate::normalize::value::{parse_count, Count};
use crate::normalize::{Figure, HeaderValue, Problem, SheetKeys};
use crate::read::{Cell, Sheet};
use std::collections::HashMap;

/// The columns of a long table told by what they hold, when its headings
/// are in other words (`事業所番号,対象月,属性,項目,値`): the metric column
/// holds the metric labels, the key column the row labels, the agency
/// column registry codes, the month column months, and the value column —
/// the rightmost of the rest — counts. Returns the heading row and each
/// column's grid column; `None` unless all five are told.
pub(in crate::normalize) fn long_columns_by_content(
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

pub(super) fn read_long(
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
