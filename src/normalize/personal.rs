//! Personal data must never leave a return: the case list is anonymous by
//! contract. This spots text that looks like a phone number, a postal
//! address, a date of birth or a name with an honorific, so the cell can be
//! reported (by its place only) and its text withheld from every output.

use super::text::value_text;
use regex::Regex;
use std::sync::LazyLock;

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\w-])(?:0\d{1,4}-\d{1,4}-\d{4}|0\d{9,10}|\(0\d{1,4}\)\d{1,4}-\d{4})(?:$|[^\w-])",
    )
    .expect("valid regex")
});
static POSTAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:〒|(?:^|[^\w-])\d{3}-\d{4}(?:$|[^\w-]))").expect("valid regex")
});
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[都道府県市区町村郡].{0,12}\d+(?:丁目|番地?|号|-\d+))").expect("valid regex")
});
static BIRTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:生年月日|生まれ|(?:昭和|平成|令和|大正|S|H)\d{1,2}[年.]\d{1,2}[月.]\d{1,2}日?生?|(?:19|20)\d{2}[/年.-]\d{1,2}[/月.-]\d{1,2}日?生)")
        .expect("valid regex")
});
static HONORIFIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}{1,4}\s*(?:様|さま|さん|氏|殿|くん|ちゃん)").expect("valid regex")
});

/// What kind of personal data a text seems to hold, in Japanese, or `None`.
///
/// ```
/// use kasane::normalize::personal::suspect;
/// assert!(suspect("090-1234-5678").is_some());
/// assert!(suspect("山田様").is_some());
/// assert!(suspect("就労・住居喪失").is_none());
/// ```
pub fn suspect(text: &str) -> Option<&'static str> {
    let t = value_text(text);
    if PHONE.is_match(&t) {
        Some("電話番号")
    } else if BIRTH.is_match(&t) {
        Some("生年月日")
    } else if POSTAL.is_match(&t) || ADDRESS.is_match(&t) {
        Some("住所")
    } else if HONORIFIC.is_match(&t) {
        Some("氏名")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind() {
        assert_eq!(suspect("075-222-3333"), Some("電話番号"));
        assert_eq!(suspect("09012345678"), Some("電話番号"));
        assert_eq!(suspect("〒604-8571"), Some("住所"));
        assert_eq!(suspect("みどり市本町3丁目5番地"), Some("住所"));
        assert_eq!(suspect("昭和50年3月1日生"), Some("生年月日"));
        assert_eq!(suspect("田中さん"), Some("氏名"));
        assert_eq!(suspect("鈴木 様"), Some("氏名"));
    }

    #[test]
    fn leaves_anonymous_content_alone() {
        for ok in [
            "K01-2504-01",
            "就労・住居喪失・精神疾患",
            "HUB-01・AGY-01、AGY-02",
            "2025/4/15",
            "重層的支援会議",
            "K01-001-2504",
            "HUB-001-2504-0001",
        ] {
            assert_eq!(suspect(ok), None, "{ok}");
        }
    }
}
