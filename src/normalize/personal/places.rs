//! Postal codes and street addresses. A place name alone (みどり区, 紫野, みどり支所,
//! ふれあいサロン下鴨) is not an address: it takes a house, block or lot
//! number, a Kyoto street direction (上る, 下る, 東入, 西入) or a 住所 label.

use regex::Regex;
use std::sync::LazyLock;

static POSTAL_MARKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:〒|郵便番号\s*:?)\s*\d{3}\s*-?\s*\d{4}").expect("valid regex")
});
/// NNN-NNNN followed by a prefecture, city or ward (in kanji or kana, as in
/// さいたま市): 604-8571 みどり市さくら区.
static POSTAL_BEFORE_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{3}-\d{4}\s*[\p{Han}\p{Hiragana}\p{Katakana}ヶケノ]{0,8}?[都道府県市区町村郡]")
        .expect("valid regex")
});

/// A postal code: after 〒 or 郵便番号, or just before an address. A bare
/// NNN-NNNN is left alone (整理番号 123-4567 is an id).
pub(super) fn postal_code(t: &str) -> bool {
    if super::numbers::digit_count(t) < 7 {
        return false;
    }
    POSTAL_MARKED.is_match(t)
        || POSTAL_BEFORE_PLACE
            .find_iter(t)
            .any(|m| !t[..m.start()].chars().next_back().is_some_and(joins_number))
}

/// Block and lot numbers: 3丁目5, 5番12号, 1番地の2, 201号室, 3棟205.
static BLOCK_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d+\s*丁目\s*\d+|\d+\s*番地?(?:の\s*)?\d+|\d+\s*号室|\d+\s*棟\s*\d+")
        .expect("valid regex")
});
/// A town, or a place after a city or ward, with its lot number:
/// 下鴨泉川町59, 壬生坊城町48-3, 新宿区西新宿2-8-1, みどり区上賀茂本山339.
static PLACE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:[\p{Han}ヶケノ][町村]|[都道府県市区郡][\p{Han}ヶケノ]{1,12})(\d{1,5})(?:番地?)?(?:[-の]\d{1,5}){0,2}",
    )
    .expect("valid regex")
});
/// Words that start with a place ending but are no place: 区分 (障害支援区分3),
/// 市民, 区内 ….
const NOT_PLACES: &[&str] = &[
    "区分", "区間", "区域", "区内", "区外", "区民", "区長", "区営", "市民", "市場", "市内", "市外",
    "市長", "市営", "府内", "府外", "府民", "府営", "県内", "県外", "県民", "県営", "都内", "都民",
    "都営", "道内", "道路", "郡内",
];
/// Kyoto's street form: 寺町通御池上る, 四条通河原町西入る, 烏丸通今出川上ル.
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}ヶケノ]{2,}(?:上る|上ル|上がる|下る|下ル|下がる|東入|西入)")
        .expect("valid regex")
});
static ADDRESS_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"住所\s*(?::\s*\S|\s+\p{Han})").expect("valid regex"));

/// A street address: block or lot numbers, a place with its number, a
/// Kyoto street direction, or anything after 住所：.
pub(super) fn address(t: &str) -> bool {
    // Every form names a place in kanji or kana.
    if t.is_ascii() {
        return false;
    }
    let digits = t.bytes().any(|b| b.is_ascii_digit());
    if !digits {
        return ADDRESS_LABEL.is_match(t) || street(t);
    }
    BLOCK_NUMBER.is_match(t)
        || ADDRESS_LABEL.is_match(t)
        || STREET.find_iter(t).any(|m| !t[m.end()..].starts_with('口'))
        || PLACE_NUMBER.is_match(t)
            && PLACE_NUMBER.captures_iter(t).any(|c| {
                let (Some(m), Some(num)) = (c.get(0), c.get(1)) else {
                    return false;
                };
                // みどり区第1地域包括支援センター: an ordinal, not a lot number.
                let ordinal = t[..num.start()].ends_with('第');
                // 障害支援区分3, 市民2: 区 and 市 starting a word, not ending a place.
                let word = NOT_PLACES.iter().any(|w| m.as_str().starts_with(w));
                // あおば区内12件, みどり区役所2階: a count or a floor, not a lot.
                let after = t[m.end()..].chars().next();
                let ends_cleanly =
                    !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '%');
                !ordinal && !word && ends_cleanly
            })
}

/// Kyoto's street form, but not an entrance (北東入口).
fn street(t: &str) -> bool {
    STREET.find_iter(t).any(|m| !t[m.end()..].starts_with('口'))
}

/// Characters that make a run of digits part of a longer number or code.
fn joins_number(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::personal::fold;

    #[test]
    fn postal_codes_marked_or_before_an_address() {
        for t in [
            "〒604-8571",
            "〒６０４－８５７１",
            "〒6048571",
            "郵便番号 603-8143",
            "604-8571 みどり市さくら区",
        ] {
            assert!(postal_code(&fold(t)), "{t}");
        }
        for t in [
            "整理番号 123-4567",
            "604-8571",
            "K01-2504-01",
            "HUB-001-2504-0001",
        ] {
            assert!(!postal_code(&fold(t)), "{t}");
        }
    }

    #[test]
    fn addresses_in_kyoto_and_general_forms() {
        for t in [
            "京都府みどり市さくら区寺町通御池上る上本能寺前町488",
            "下鴨泉川町59",
            "東京都新宿区西新宿2-8-1",
            "3丁目5番12号",
            "四条通河原町西入る",
            "今出川通烏丸東入",
            "みどり区上賀茂本山339",
            "ひがし区樫原百々ケ池3",
            "ひがし区大枝沓掛町1番地の2",
            "ハイツ紫野201号室",
            "住所：みどり区紫野下門前町",
        ] {
            assert!(address(&fold(t)), "{t}");
        }
        for t in [
            "みどり区第1地域包括支援センター",
            "あおば区社会福祉協議会",
            "紫野地域ふれあいサロン",
            "ふれあいサロン下鴨",
            "〇〇町内会 見守り活動",
            "子育てひろば さくら地区1（直営）",
            "あおば区内12件",
            "市内30か所",
            "住所不定",
            "住所変更の手続き支援",
            "様式第1号",
            "町家を活かした多世代交流（あおば区）",
            "みどり支所",
            "障害支援区分3",
            "市民100人",
        ] {
            assert!(!address(&fold(t)), "{t}");
        }
    }
}
