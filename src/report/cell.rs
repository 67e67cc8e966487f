//! Text as a workbook cell can hold it.
//!
//! Excel refuses a cell of more than 32,767 characters (counted in UTF-16
//! units) and rust_xlsxwriter then fails the whole workbook. A return can
//! carry such a text (a CSV field, a site name), and so can a finding that
//! lists many cells; neither may cost the month. So every text kasane writes
//! to a workbook cell, merged range or note goes through [`fit`] (through the
//! [`TextCells`] methods), which cuts it to the limit with a visible marker
//! 「…（以下省略、全 N 文字）」. The CSV files always keep the whole text.
//!
//! Sheets are also limited to 1,048,576 rows: [`MAX_LIST_ROWS`] is how many
//! rows of a list sheet (明細, 突合結果) kasane fills before it writes one last
//! row saying how many were left out (all are in the CSV files).

use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use std::borrow::Cow;

/// Excel's limit on one cell's text, in UTF-16 units.
pub const MAX_CELL_UTF16: usize = 32_767;

/// rust_xlsxwriter's limit on a note's text: the cell limit less 54 units it
/// keeps for the author's name prefix.
pub const MAX_NOTE_UTF16: usize = MAX_CELL_UTF16 - 54;

/// Data rows a list sheet holds below its heading row before kasane stops
/// and writes a "left out" row instead: Excel's 1,048,576 rows less the
/// heading and that last row.
pub const MAX_LIST_ROWS: usize = 1_048_576 - 2;

/// `text` as it fits in `limit` UTF-16 units: whole if it fits, else its
/// start and the marker 「…（以下省略、全 N 文字）」 (N counts characters of
/// the whole text), together within the limit.
pub fn fit(text: &str, limit: usize) -> Cow<'_, str> {
    // Every UTF-16 unit is at least one byte of UTF-8: short texts fit.
    if text.len() <= limit || utf16_len(text) <= limit {
        return Cow::Borrowed(text);
    }
    let marker = format!(
        "…（以下省略、全 {} 文字）",
        thousands(text.chars().count() as u64)
    );
    let room = limit.saturating_sub(utf16_len(&marker));
    let mut used = 0;
    let mut end = 0;
    for (i, ch) in text.char_indices() {
        if used + ch.len_utf16() > room {
            break;
        }
        used += ch.len_utf16();
        end = i + ch.len_utf8();
    }
    Cow::Owned(format!("{}{marker}", &text[..end]))
}

/// [`fit`] to a cell.
pub fn fit_cell(text: &str) -> Cow<'_, str> {
    fit(text, MAX_CELL_UTF16)
}

/// `n` with a comma every three digits (1,150), as the markers write counts.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A list for one cell: the first `max` items joined by `sep`, then
/// 「…ほか N 件」 for the rest. A finding may cite thousands of cells; the
/// cell shows the first ones and the count (the CSV file keeps them all).
pub fn summarize<I>(items: I, max: usize, sep: &str) -> String
where
    I: IntoIterator,
    I::Item: std::fmt::Display,
{
    let mut out = String::new();
    let mut rest = 0u64;
    for (i, item) in items.into_iter().enumerate() {
        if i >= max {
            rest += 1;
            continue;
        }
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&item.to_string());
    }
    if rest > 0 {
        out.push_str(&format!("{sep}…ほか {} 件", thousands(rest)));
    }
    out
}

/// A worksheet name Excel accepts, unlike any in `taken` (compared without
/// case, as Excel does), and added to it: a return's own sheet names are
/// written back by `check --annotate`, and an `.ods` or a hostile file may
/// have a name Excel refuses (over 31 units, `[]:*?/\\`, a leading `'`) or
/// the name of kasane's own 指摘一覧 sheet.
pub fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'');
    let base = if clean.trim().is_empty() || clean.eq_ignore_ascii_case("history") {
        format!("Sheet_{clean}")
    } else {
        clean.to_string()
    };
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!(" ({n})")
        };
        let mut name = String::new();
        for ch in base.chars() {
            if utf16_len(&name) + ch.len_utf16() + suffix.len() > 31 {
                break;
            }
            name.push(ch);
        }
        let name = format!("{}{suffix}", name.trim_end_matches('\''));
        let lower = name.to_lowercase();
        if !taken.iter().any(|t| t.to_lowercase() == lower) {
            taken.push(name.clone());
            return name;
        }
        n += 1;
    }
}

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Writing text to a worksheet only through [`fit`]: use these instead of
/// rust_xlsxwriter's `write_string*` and `merge_range`.
pub trait TextCells {
    /// A text cell with a format, cut to fit.
    fn write_text_with_format(
        &mut self,
        row: u32,
        col: u16,
        text: impl AsRef<str>,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError>;

    /// A text cell, cut to fit.
    fn write_text(
        &mut self,
        row: u32,
        col: u16,
        text: impl AsRef<str>,
    ) -> Result<&mut Worksheet, XlsxError>;

    /// A merged range holding a text, cut to fit.
    fn merge_text(
        &mut self,
        first: (u32, u16),
        last: (u32, u16),
        text: impl AsRef<str>,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError>;
}

impl TextCells for Worksheet {
    fn write_text_with_format(
        &mut self,
        row: u32,
        col: u16,
        text: impl AsRef<str>,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.write_string_with_format(row, col, fit_cell(text.as_ref()), format)
    }

    fn write_text(
        &mut self,
        row: u32,
        col: u16,
        text: impl AsRef<str>,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.write_string(row, col, fit_cell(text.as_ref()))
    }

    fn merge_text(
        &mut self,
        first: (u32, u16),
        last: (u32, u16),
        text: impl AsRef<str>,
        format: &Format,
    ) -> Result<&mut Worksheet, XlsxError> {
        self.merge_range(
            first.0,
            first.1,
            last.0,
            last.1,
            &fit_cell(text.as_ref()),
            format,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_borrowed_whole() {
        assert!(matches!(
            fit_cell("中央サロン"),
            Cow::Borrowed("中央サロン")
        ));
        let exact = "あ".repeat(MAX_CELL_UTF16);
        assert!(matches!(fit_cell(&exact), Cow::Borrowed(_)));
    }

    #[test]
    fn long_text_is_cut_to_the_limit_with_its_length() {
        let long = "あ".repeat(40_000);
        let cut = fit_cell(&long);
        assert!(utf16_len(&cut) <= MAX_CELL_UTF16);
        assert!(
            cut.ends_with("…（以下省略、全 40,000 文字）"),
            "{}",
            &cut[cut.len() - 60..]
        );
        assert!(cut.starts_with("ああ"));
        // Characters outside the BMP are two units each and never split.
        let emoji = "😀".repeat(20_000);
        let cut = fit_cell(&emoji);
        assert!(utf16_len(&cut) <= MAX_CELL_UTF16);
        assert!(cut.ends_with("…（以下省略、全 20,000 文字）"));
        let cut = fit(&long, MAX_NOTE_UTF16);
        assert!(utf16_len(&cut) <= MAX_NOTE_UTF16);
    }

    #[test]
    fn the_workbook_writers_write_text_only_through_fit() {
        // A direct write_string would bring back the month lost to one long text.
        for (file, src) in [
            ("monthly.rs", include_str!("monthly.rs")),
            ("fiscal.rs", include_str!("fiscal.rs")),
            ("style.rs", include_str!("style.rs")),
            ("check.rs", include_str!("../check.rs")),
        ] {
            let code = src.split("#[cfg(test)]").next().unwrap_or_default();
            for call in [
                ".write_string(",
                ".write_string_with_format(",
                ".merge_range(",
            ] {
                assert!(!code.contains(call), "{file} calls {call}");
            }
            assert!(
                !code.contains("Note::new(") || code.contains("Note::new(fit("),
                "{file}: a note not fitted"
            );
        }
    }

    #[test]
    fn sheet_names_are_made_valid_and_unique() {
        let mut taken = vec!["指摘一覧".to_string()];
        assert_eq!(sheet_name("F4", &mut taken), "F4");
        assert_eq!(sheet_name("f4", &mut taken), "f4 (2)");
        assert_eq!(sheet_name("指摘一覧", &mut taken), "指摘一覧 (2)");
        assert_eq!(sheet_name("a/b[c]", &mut taken), "a_b_c_");
        assert_eq!(sheet_name("", &mut taken), "Sheet_");
        assert_eq!(sheet_name("'x'", &mut taken), "x");
        let long = sheet_name(&"長".repeat(40), &mut taken);
        assert_eq!(long.chars().count(), 31);
        let again = sheet_name(&"長".repeat(40), &mut taken);
        assert!(
            again.ends_with(" (2)") && utf16_len(&again) <= 31,
            "{again}"
        );
        for name in &taken {
            rust_xlsxwriter::utility::check_sheet_name(name).expect(name);
        }
    }

    #[test]
    fn lists_name_the_first_items_and_count_the_rest() {
        assert_eq!(summarize(["B5", "B6"], 3, "; "), "B5; B6");
        let cells: Vec<String> = (5..1157).map(|r| format!("B{r}")).collect();
        assert_eq!(summarize(&cells, 2, "; "), "B5; B6; …ほか 1,150 件");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
