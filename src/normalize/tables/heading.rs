//! Finding a table's heading: the first unclaimed row holding the labels of
//! the table's columns.
//!
//! A heading takes one of these shapes:
//!
//! - one row, a label over each column;
//! - two rows, a group label over its sub-columns (相談者数（実人数） over
//!   新規 / 継続): a column is named by the two composed, by the sub label
//!   alone or by the top label alone;
//! - either, with rows below that only repeat texts merged down into them
//!   (エクセル方眼紙): those rows are heading too.
//!
//! The first group of labels (the key column) is required, and the row must
//! hold at least one other group. A key column whose heading cell is blank
//! can be given by recognition (`first_at`).

use super::{matches_any, text_key};
use crate::normalize::rows::{Claims, RowUse};
use crate::normalize::SheetKeys;
use crate::read::Sheet;

/// Column of the labels with these keys in row `r`, if any.
fn column_of(keys: &SheetKeys, r: usize, label_keys: &[String]) -> Option<usize> {
    keys.row(r)
        .iter()
        .position(|k| matches_any(k.as_deref(), label_keys))
}

/// A table's heading: one row, or two when a group label sits over its
/// sub-columns (相談者数（実人数） over 新規 / 継続).
pub(super) struct Heading {
    /// The first heading row.
    pub(super) first: usize,
    /// The last heading row; data start below it.
    pub(super) last: usize,
    /// The column of each group of labels, if found.
    pub(super) cols: Vec<Option<usize>>,
}

impl Heading {
    /// Marks the heading rows.
    pub(super) fn claim(&self, rows: &mut Claims<'_>) {
        for r in self.first..=self.last {
            rows.claim(r, RowUse::Header);
        }
    }

    /// Column of the labels with these keys in any heading row.
    pub(super) fn column_of(&self, keys: &SheetKeys, label_keys: &[String]) -> Option<usize> {
        (self.first..=self.last).find_map(|r| column_of(keys, r, label_keys))
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
/// `groups` are the label keys of each group ([`super::keys_of`]).
///
/// `first_at` is the column of the first group when its heading cell is
/// blank (recognition found the column by the row labels it holds).
pub(super) fn find_heading(
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

#[cfg(test)]
mod tests {
    use super::super::keys_of;
    use super::*;
    use crate::mapping::Labels;
    use crate::read::Cell;

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
