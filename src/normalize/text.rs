//! Label matching: what staff type as a heading is compared after NFKC, with
//! white space (including U+3000 and line breaks inside a cell) removed and a
//! small table of look-alike dashes and tildes folded. The original text is
//! kept for messages.

use unicode_normalization::UnicodeNormalization;

/// The comparison key of a label.
///
/// ```
/// use kasane::normalize::text::label_key;
/// assert_eq!(label_key("新規相談者数\n（実人数）"), label_key("新規相談者数(実人数)"));
/// assert_eq!(label_key("ｺｰﾄﾞ"), label_key("コード"));
/// assert_eq!(label_key("R7〜R8"), label_key("R7～R8"));
/// ```
pub fn label_key(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(fold_lookalike)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Dashes and tildes that people (and IMEs) use interchangeably.
fn fold_lookalike(c: char) -> char {
    match c {
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FF0D}' => '-',
        '\u{301C}' | '\u{FF5E}' | '\u{223C}' => '~',
        other => other,
    }
}

/// Trimmed text after NFKC, for values (codes, numbers) rather than labels.
pub fn value_text(text: &str) -> String {
    text.nfkc()
        .map(fold_lookalike)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_space_and_breaks_do_not_matter() {
        assert_eq!(label_key("　延べ 相談件数　"), "延べ相談件数");
        assert_eq!(label_key("うち訪問・\r\n同行"), "うち訪問・同行");
    }

    #[test]
    fn value_text_folds_width_and_dashes() {
        assert_eq!(value_text(" １２ "), "12");
        assert_eq!(value_text("―"), "-");
        assert_eq!(value_text("ＡＧＹ－００１"), "AGY-001");
    }
}
