//! Label matching: what staff type as a heading is compared after NFKC, with
//! white space (including U+3000 and line breaks inside a cell) removed and a
//! small table of look-alike dashes and tildes folded. The original text is
//! kept for messages.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The comparison key of a label.
///
/// ```
/// use kasane::core::text::label_key;
/// assert_eq!(label_key("新規相談者数\n（実人数）"), label_key("新規相談者数(実人数)"));
/// assert_eq!(label_key("ｺｰﾄﾞ"), label_key("コード"));
/// assert_eq!(label_key("R7〜R8"), label_key("R7～R8"));
/// ```
pub fn label_key(text: &str) -> String {
    let key = |chars: &mut dyn Iterator<Item = char>| {
        chars
            .filter(|c| !c.is_whitespace())
            .map(fold_lookalike)
            .flat_map(char::to_lowercase)
            .collect()
    };
    if is_nfkc(text) {
        key(&mut text.chars())
    } else {
        key(&mut text.nfkc())
    }
}

/// True when NFKC would return the text as it is. Most cells are (ASCII
/// numbers and codes, kanji and kana); telling them apart first is far
/// cheaper than running the normalizer over them (a large month reads
/// hundreds of thousands of cells).
fn is_nfkc(text: &str) -> bool {
    text.is_ascii() || is_nfkc_quick(text.chars()) == IsNormalized::Yes
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
    if text.is_ascii() {
        // No look-alike to fold either.
        return text.trim().to_string();
    }
    let folded: String = if is_nfkc(text) {
        text.chars().map(fold_lookalike).collect()
    } else {
        text.nfkc().map(fold_lookalike).collect()
    };
    folded.trim().to_string()
}

/// Lower-case hex of a digest (the SHA-256 of inputs and outputs in
/// `manifest.json` and the workbook's 概要).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// Label matching rules, shared by recognition (normalize::recognize) and
// the layout drafter (mapping::draft), so that what the draft calls a match
// is what the reader calls one.

/// The labels inside a decorated cell key: footnote marks, notes in
/// brackets, colons and numbering stripped from either end, one at a time;
/// every stage is a candidate (`継続支援対象者数（月末）※2` gives
/// `継続支援対象者数(月末)` and then `継続支援対象者数`). Empty when nothing
/// could be stripped.
pub fn undecorate(key: &str) -> Vec<&str> {
    let mut stages = Vec::new();
    let mut s = key;
    while let Some(next) = strip_once(s) {
        if next.is_empty() || next == s {
            break;
        }
        stages.push(next);
        s = next;
    }
    stages
}

fn strip_once(s: &str) -> Option<&str> {
    // Leading bullets and numbering: ①, 1., (1), ※, ●, ■, ・.
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        if matches!(
            c,
            '※' | '*' | '●' | '○' | '■' | '□' | '◆' | '◇' | '・' | '★' | '☆'
        ) || ('\u{2460}'..='\u{2473}').contains(&c)
        {
            return Some(chars.as_str());
        }
    }
    if let Some(rest) = strip_numbering(s) {
        return Some(rest);
    }
    // Trailing colon or mark.
    if let Some(rest) = s.strip_suffix([':', '：', '*', '※']) {
        return Some(rest);
    }
    // A footnote: ※1, *2, 注3.
    if let Some(i) = s.rfind(['※', '*', '注']) {
        if i > 0 && s[i..].chars().skip(1).all(|c| c.is_ascii_digit()) {
            return Some(&s[..i]);
        }
    }
    // A note in brackets at the end.
    if s.ends_with([')', ']', '】', '〕']) {
        if let Some(i) = s.rfind(['(', '[', '【', '〔']) {
            if i > 0 {
                return Some(&s[..i]);
            }
        }
    }
    None
}

/// `1.` `1)` `(1)` `1 ` at the start of a key.
fn strip_numbering(s: &str) -> Option<&str> {
    let t = s.strip_prefix('(').unwrap_or(s);
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = &t[digits..];
    // `1.` `1)` `(1)`, or a circled number (NFKC made ① a plain 1) right
    // before the label's first character.
    rest.strip_prefix([')', '.', '、'])
        .or_else(|| rest.starts_with(|c: char| !c.is_ascii()).then_some(rest))
        .filter(|r| !r.is_empty())
}

/// Sorted, distinct character bigrams of a key.
pub fn bigrams(key: &str) -> Vec<u64> {
    let chars: Vec<char> = key.chars().collect();
    let mut v: Vec<u64> = chars
        .windows(2)
        .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The Dice coefficient of two sorted bigram sets.
pub fn dice(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
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
        assert_eq!(value_text(" AGY-001\t"), "AGY-001");
        assert_eq!(value_text("〜令和７年"), "~令和7年");
    }

    /// `value_text` and `label_key` with NFKC always run, as they were
    /// before the shortcut.
    fn through_the_normalizer(text: &str) -> (String, String) {
        let value: String = text.nfkc().map(fold_lookalike).collect();
        let label = text
            .nfkc()
            .filter(|c| !c.is_whitespace())
            .map(fold_lookalike)
            .flat_map(char::to_lowercase)
            .collect();
        (value.trim().to_string(), label)
    }

    /// The shortcut for text already in NFKC gives what the normalizer does.
    #[test]
    fn normalized_text_takes_the_same_key() {
        for text in [
            "新規相談者数",
            "ｺｰﾄﾞ",
            "Ａ－１",
            "㈱きょうと",
            "R7〜R8",
            "うち訪問・\n同行",
            "Visits",
            "ｶﾞ",
            "①",
            "令和７年４月",
            "",
        ] {
            let (value, label) = through_the_normalizer(text);
            assert_eq!(value_text(text), value, "{text}");
            assert_eq!(label_key(text), label, "{text}");
        }
    }

    proptest::proptest! {
        /// The same for any text, not only the ones above.
        #[test]
        fn any_text_takes_the_same_key(text in "\\PC{0,12}") {
            let (value, label) = through_the_normalizer(&text);
            proptest::prop_assert_eq!(value_text(&text), value);
            proptest::prop_assert_eq!(label_key(&text), label);
        }
    }
}
