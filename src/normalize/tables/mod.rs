//! The four table layouts of a mapping file, read from a sheet: wide (rows ×
//! metric columns), items (one labelled figure per row), cases (the F2 case
//! list) and long (one row per figure, as case systems export).
//!
//! A table is found by its heading row: the first row holding the labels the
//! mapping gives. It runs until the first blank row or its total row.
//!
//! One concern per file:
//!
//! - this file: the reading context, what a table gives ([`TableOutput`]),
//!   the dispatch by layout ([`read`], [`has_heading`]) and helpers every
//!   reader shares;
//! - [`heading`]: finding a table's heading rows (one row, two rows with a
//!   group label over its sub-columns, rows merged down below them);
//! - [`wide`], [`items`], [`cases`], [`long`]: one reader per layout, each
//!   file's doc telling that table's shape.

mod cases;
mod heading;
mod items;
mod long;
mod wide;

use super::rows::{Claims, RowUse};
use super::text::label_key;
use super::{cached_label_key, CaseLine, Figure, HeaderValue, Problem, SheetKeys, StatedTotal};
use crate::core::{Location, Registry, Rule, YearMonth};
use crate::mapping::{Labels, TableLayout};
use crate::read::{Cell, Sheet};
use cases::read_cases;
use heading::{find_heading, Heading};
use items::read_items;
use long::read_long;
use std::borrow::Cow;
use wide::read_wide;

pub(super) use long::long_columns_by_content;

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

/// The label keys of a group of labels (computed once per table, not per
/// cell compared).
fn keys_of(labels: &[String]) -> Vec<String> {
    labels.iter().map(|l| cached_label_key(l)).collect()
}

/// True when a text cell's key (`None` for other cells) is one of `keys`.
fn matches_any(key: Option<&str>, keys: &[String]) -> bool {
    key.is_some_and(|k| keys.iter().any(|l| l == k))
}

/// The label key of a non-blank text cell.
fn text_key<'k>(sheet: &Sheet, keys: &'k SheetKeys, r: usize, c: usize) -> Option<&'k str> {
    match sheet.get(r, c) {
        Cell::Text(t) if !t.trim().is_empty() => keys.get(r, c),
        _ => None,
    }
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

impl Problem {
    /// Moves the problem to another place.
    pub(super) fn at(mut self, loc: Location) -> Self {
        self.source_loc = loc;
        self
    }
}
