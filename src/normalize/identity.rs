//! Who sent a return and for which month, when the form itself does not say
//! it plainly: the agency from a code cell, a registry name in a cell or the
//! file name; the month from a sheet name (`4月`, `令和7年4月`) or a file name
//! (`4月分`, `202504`).
//!
//! The pipeline uses [`guess_agency`] to tie a file that could not be read or
//! recognised to the agency it most likely belongs to, so the submission
//! status shows 届いたが読めない instead of 未提出.

use super::text::{label_key, value_text};
use crate::core::month::western_year;
use crate::core::{Location, Registry, YearMonth};
use crate::read::{Book, Cell};
use regex::Regex;
use std::sync::LazyLock;

/// How an agency was told from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuessHow {
    /// A registry code in the cell beside a code label (機関コード …).
    CodeCell,
    /// The only registry code anywhere in the cells.
    CodeInCells,
    /// A registry agency name in a cell.
    NameCell,
    /// A registry code in the file name.
    CodeInFileName,
    /// A registry agency name in the file name.
    NameInFileName,
}

impl GuessHow {
    /// How it was told, in Japanese for messages.
    pub fn name_ja(self) -> &'static str {
        match self {
            GuessHow::CodeCell => "機関コードのセル",
            GuessHow::CodeInCells => "シート内の機関コード",
            GuessHow::NameCell => "機関名のセル（登録名と一致）",
            GuessHow::CodeInFileName => "ファイル名の機関コード",
            GuessHow::NameInFileName => "ファイル名の機関名",
        }
    }
}

/// The agency a file most likely belongs to, how that was told, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyGuess {
    /// The registry code.
    pub code: String,
    /// How it was told.
    pub how: GuessHow,
    /// The cell (or the file, for a file-name guess).
    pub source: Location,
}

/// Label keys of cells whose right-hand neighbour is an agency code.
fn is_code_label(key: &str) -> bool {
    [
        "機関コード",
        "事業所コード",
        "事業者コード",
        "機関番号",
        "事業所番号",
    ]
    .iter()
    .any(|l| key.contains(l))
        || key == "コード"
}

/// The agency a file belongs to: a registry code beside a code label, else
/// the only registry code in the cells, else a registry name in a cell, else
/// a code or name in the file name. `None` when nothing points to one agency.
///
/// ```
/// use kasane::core::{Agency, Registry};
/// use kasane::normalize::identity::{guess_agency, GuessHow};
/// let agency = |code: &str, name: &str| Agency {
///     code: code.into(), name: name.into(), agency_type: String::new(), projects: vec![1],
///     field: "elderly".into(), areas: vec![], operation: String::new(),
///     form: None, reports: true,
/// };
/// let reg = Registry::new(vec![], vec![agency("ABC-001", "東地区第1センター")]);
/// let g = guess_agency("ABC-001_4月分.xlsx", None, &reg).unwrap();
/// assert_eq!((g.code.as_str(), g.how), ("ABC-001", GuessHow::CodeInFileName));
/// ```
pub fn guess_agency(
    file_name: &str,
    book: Option<&Book>,
    registry: &Registry,
) -> Option<AgencyGuess> {
    if let Some(book) = book {
        if let Some(g) = from_cells(book, registry) {
            return Some(g);
        }
    }
    from_file_name(file_name, registry)
}

fn from_cells(book: &Book, registry: &Registry) -> Option<AgencyGuess> {
    let mut beside_label: Option<AgencyGuess> = None;
    let mut anywhere: Vec<(String, Location)> = Vec::new();
    let mut by_name: Vec<(String, Location)> = Vec::new();
    for sheet in &book.sheets {
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = match cell {
                    Cell::Text(t) => t,
                    _ => continue,
                };
                let plain = value_text(text);
                if plain.is_empty() {
                    continue;
                }
                if let Some(a) = registry.agency(&plain) {
                    let loc = sheet.location(&book.file, r, c);
                    // A code label to its left on the same row (the value may
                    // sit a few cells away in a grid form).
                    let labelled = (0..c).rev().take(8).any(|lc| match sheet.get(r, lc) {
                        Cell::Text(l) => is_code_label(&label_key(l)),
                        _ => false,
                    });
                    if labelled && beside_label.is_none() {
                        beside_label = Some(AgencyGuess {
                            code: a.code.clone(),
                            how: GuessHow::CodeCell,
                            source: loc.clone(),
                        });
                    }
                    if !anywhere.iter().any(|(code, _)| *code == a.code) {
                        anywhere.push((a.code.clone(), loc));
                    }
                    continue;
                }
                let key = label_key(text);
                if key.chars().count() >= 4 {
                    if let Some(a) = registry.agencies.iter().find(|a| label_key(&a.name) == key) {
                        if !by_name.iter().any(|(code, _)| *code == a.code) {
                            by_name.push((a.code.clone(), sheet.location(&book.file, r, c)));
                        }
                    }
                }
            }
        }
    }
    if beside_label.is_some() {
        return beside_label;
    }
    // One code in the whole book is the sender's; several (a case list's
    // participants, a referral table) tell nothing on their own.
    if let [(code, loc)] = anywhere.as_slice() {
        return Some(AgencyGuess {
            code: code.clone(),
            how: GuessHow::CodeInCells,
            source: loc.clone(),
        });
    }
    if let [(code, loc)] = by_name.as_slice() {
        return Some(AgencyGuess {
            code: code.clone(),
            how: GuessHow::NameCell,
            source: loc.clone(),
        });
    }
    None
}

fn from_file_name(file_name: &str, registry: &Registry) -> Option<AgencyGuess> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let plain = value_text(base).to_uppercase();
    // The longest code found at word boundaries (so ABC-001 is not found in
    // ABC-0012, nor a short code inside a longer one).
    let code = registry
        .agencies
        .iter()
        .filter(|a| !a.code.is_empty() && contains_bounded(&plain, &a.code.to_uppercase()))
        .max_by_key(|a| a.code.len());
    if let Some(a) = code {
        return Some(AgencyGuess {
            code: a.code.clone(),
            how: GuessHow::CodeInFileName,
            source: Location::file(file_name),
        });
    }
    let key = label_key(base);
    let named: Vec<_> = registry
        .agencies
        .iter()
        .filter(|a| {
            let n = label_key(&a.name);
            n.chars().count() >= 4 && key.contains(&n)
        })
        .collect();
    // The longest name wins (第10センター over a shorter 第1センター it contains);
    // two names of the same length are no guess.
    let best = named.iter().map(|a| label_key(&a.name).len()).max()?;
    let mut longest = named
        .into_iter()
        .filter(|a| label_key(&a.name).len() == best);
    let a = longest.next()?;
    if longest.next().is_some() {
        return None;
    }
    Some(AgencyGuess {
        code: a.code.clone(),
        how: GuessHow::NameInFileName,
        source: Location::file(file_name),
    })
}

/// True when `needle` occurs in `hay` with no letter or digit just before or after.
fn contains_bounded(hay: &str, needle: &str) -> bool {
    let mut start = 0;
    while let Some(i) = hay[start..].find(needle) {
        let at = start + i;
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        let free = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
        if free(before) && free(after) {
            return true;
        }
        start = at + needle.len().max(1);
    }
    false
}

static ERA_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^A-Za-z])(令和|平成|R|H)(元|\d{1,2})[年./_-](\d{1,2})(?:月|$|[^\d])")
        .expect("valid regex")
});
static WESTERN_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(20\d{2}|19\d{2})[年./_-](\d{1,2})(?:月|$|[^\d])").expect("valid regex")
});
static COMPACT_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(20\d{2})(0[1-9]|1[0-2])(?:$|[^\d])").expect("valid regex")
});
static BARE_MONTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{1,2})月").expect("valid regex"));

/// The month a file or sheet name speaks of: `令和7年4月`, `R7.4`, `2025年4月`,
/// `2025-04`, `202504` anywhere in the name; a bare `4月` / `4月分` takes
/// `batch_year` (the calendar year of the batch month, so `1月` of fiscal 2025
/// must be given 2026). `None` when the name has no month, or only a bare one
/// and no year.
///
/// ```
/// use kasane::normalize::identity::month_from_name;
/// let m = |s: &str, y| month_from_name(s, y).map(|m| m.to_string());
/// assert_eq!(m("ABC-001_4月分.xlsx", Some(2025)).as_deref(), Some("2025-04"));
/// assert_eq!(m("ABC-001_202504_F1.xlsx", None).as_deref(), Some("2025-04"));
/// assert_eq!(m("令和7年5月", None).as_deref(), Some("2025-05"));
/// assert_eq!(m("4月", None), None);
/// ```
pub fn month_from_name(name: &str, batch_year: Option<i32>) -> Option<YearMonth> {
    let t = value_text(name);
    if let Some(c) = ERA_IN.captures(&t) {
        if let Some(m) = YearMonth::new(western_year(&c[1], &c[2])?, c[3].parse().ok()?) {
            return Some(m);
        }
    }
    if let Some(c) = WESTERN_IN.captures(&t) {
        if let Some(m) = YearMonth::new(c[1].parse().ok()?, c[2].parse().ok()?) {
            return Some(m);
        }
    }
    if let Some(c) = COMPACT_IN.captures(&t) {
        if let Some(m) = YearMonth::new(c[1].parse().ok()?, c[2].parse().ok()?) {
            return Some(m);
        }
    }
    let c = BARE_MONTH.captures(&t)?;
    YearMonth::new(batch_year?, c[1].parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Agency;
    use crate::read::{FileKind, Sheet};

    fn agency(code: &str, name: &str) -> Agency {
        Agency {
            code: code.into(),
            name: name.into(),
            agency_type: String::new(),
            projects: vec![1],
            field: "elderly".into(),
            areas: vec![],
            operation: String::new(),
            form: None,
            reports: true,
        }
    }

    fn registry() -> Registry {
        Registry::new(
            vec![],
            vec![
                agency("ABC-001", "東地区第1相談センター"),
                agency("ABC-010", "東地区第10相談センター"),
                agency("XYZ-001", "東地区福祉センター"),
            ],
        )
    }

    fn book(rows: &[&[&str]]) -> Book {
        Book {
            file: "x.xlsx".into(),
            kind: FileKind::Workbook,
            sheets: vec![Sheet {
                name: "報告".into(),
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
                merged: vec![],
            }],
            unread_sheets: vec![],
        }
    }

    #[test]
    fn a_code_beside_its_label_wins_over_codes_in_a_table() {
        let b = book(&[
            &["事業所番号", "", "", "XYZ-001"],
            &["送付元機関コード", "受付件数"],
            &["ABC-001", "2"],
            &["ABC-010", "1"],
        ]);
        let g = guess_agency("報告.xlsx", Some(&b), &registry()).unwrap();
        assert_eq!((g.code.as_str(), g.how), ("XYZ-001", GuessHow::CodeCell));
        assert_eq!(g.source.cell, Some((0, 3)));
    }

    #[test]
    fn several_codes_without_a_label_tell_nothing_but_a_name_does() {
        let b = book(&[
            &["事業所", "東地区福祉センター"],
            &["ABC-001", "2"],
            &["ABC-010", "1"],
        ]);
        let g = guess_agency("報告.xlsx", Some(&b), &registry()).unwrap();
        assert_eq!((g.code.as_str(), g.how), ("XYZ-001", GuessHow::NameCell));
    }

    #[test]
    fn file_names_give_the_code_at_word_boundaries_or_the_longest_name() {
        let reg = registry();
        let g = guess_agency("ａｂｃ－０１０_4月分.xlsx", None, &reg).unwrap();
        assert_eq!(g.code, "ABC-010");
        assert!(guess_agency("ABC-0012.xlsx", None, &reg).is_none());
        let g = guess_agency("東地区第10相談センター（4月）.xlsx", None, &reg).unwrap();
        assert_eq!(
            (g.code.as_str(), g.how),
            ("ABC-010", GuessHow::NameInFileName)
        );
        assert!(guess_agency("月報.xlsx", Some(&book(&[&["合計", "3"]])), &reg).is_none());
    }

    #[test]
    fn months_in_names() {
        let m = |s: &str, y| month_from_name(s, y).map(|m| m.to_string());
        for s in [
            "令和7年4月",
            "R7.4",
            "Ｒ７年４月分",
            "2025年4月",
            "2025-04",
            "XYZ-001_2025_04.xlsx",
            "ABC-001_202504_F1.xlsx",
        ] {
            assert_eq!(m(s, None).as_deref(), Some("2025-04"), "{s}");
        }
        assert_eq!(m("4月", Some(2025)).as_deref(), Some("2025-04"));
        assert_eq!(m("１２月分", Some(2025)).as_deref(), Some("2025-12"));
        assert_eq!(m("4月", None), None);
        assert_eq!(m("ABC-001_F1.xlsx", Some(2025)), None);
        assert_eq!(m("13月", Some(2025)), None);
    }
}
