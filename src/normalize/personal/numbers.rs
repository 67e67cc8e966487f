//! Kinds told by their digits: e-mail addresses, individual numbers, phone
//! numbers and dates of birth. Texts arrive NFKC-folded (ASCII digits,
//! ASCII punctuation, one kind of hyphen).

use regex::Regex;
use std::sync::LazyLock;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+").expect("valid regex")
});

/// An e-mail address.
pub(super) fn email(t: &str) -> bool {
    t.contains('@') && EMAIL.is_match(t)
}

static TWELVE_DIGITS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{4}[ \-]?\d{4}[ \-]?\d{4}").expect("valid regex"));
static MY_NUMBER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:マイナンバー|個人番号)\s*(?:は|:)?\s*\d{4}[ \-]?\d{4}[ \-]?\d{4}")
        .expect("valid regex")
});

/// An individual number: 12 digits (plain, in groups of four) whose last is
/// the check digit, or 12 digits labelled マイナンバー / 個人番号 (a typo in
/// one is still one).
pub(super) fn my_number(t: &str) -> bool {
    if digit_count(t) < 12 {
        return false;
    }
    if MY_NUMBER_LABEL.is_match(t) {
        return true;
    }
    TWELVE_DIGITS.find_iter(t).any(|m| {
        if !standalone(t, m.start(), m.end()) {
            return false;
        }
        let digits: Vec<u32> = m.as_str().chars().filter_map(|c| c.to_digit(10)).collect();
        // A receipt or record number built from a date (20250401 + a serial)
        // is what 12-digit ids in returns are; a 10 % chance hit of the check
        // digit must not make it personal.
        !dated_serial(&digits) && check_digit(&digits[..11]) == digits[11]
    })
}

/// ASCII digits in a text: most texts have too few to hold a number.
pub(super) fn digit_count(t: &str) -> usize {
    t.bytes().filter(u8::is_ascii_digit).count()
}

/// The check digit of an individual number (行政手続における特定の個人を識別
/// するための番号の利用等に関する法律施行令 第8条): with P(n) the n-th of the 11
/// digits counted from the right, Q(n) = n + 1 for n ≤ 6 and n − 5 above,
/// r = Σ P(n)·Q(n) mod 11; the check digit is 0 when r ≤ 1, else 11 − r.
pub(super) fn check_digit(eleven: &[u32]) -> u32 {
    let sum: u32 = (1..=11)
        .map(|n| {
            let p = eleven[11 - n];
            let q = if n <= 6 { n + 1 } else { n - 5 } as u32;
            p * q
        })
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}

/// 20YYMMDD followed by a serial.
fn dated_serial(d: &[u32]) -> bool {
    let n = |a: usize, b: usize| d[a..b].iter().fold(0, |acc, x| acc * 10 + x);
    n(0, 2) == 20 && (1..=12).contains(&n(4, 6)) && (1..=31).contains(&n(6, 8))
}

/// Nothing that continues the number on either side: no digit, letter,
/// hyphen or dot (a case id K01-2025-04-003 holds a run that starts with 0).
fn standalone(t: &str, start: usize, end: usize) -> bool {
    let before = t[..start].chars().next_back();
    let after = t[end..].chars().next();
    let joins = |c: Option<char>| {
        c.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_' | '+'))
    };
    (!joins(before) || after_phone_word(&t[..start])) && !joins(after)
}

/// TEL075…, FAX075…: the word says what follows, it does not continue it.
fn after_phone_word(before: &str) -> bool {
    // TEL.075…, Tel:075… too.
    let before = before.trim_end_matches(['.', ':', ' ']);
    let word: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(word.as_str(), "tel" | "fax" | "phone" | "mobile")
}

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+81[ \-]?(?:\(0\)[ \-]?)?\(?\d{1,4}\)?|\(?0\d{1,4}\)?)[ \-.]?\(?\d{1,4}\)?[ \-.]?\d{3,4}",
    )
    .expect("valid regex")
});
static LABELLED_LOCAL_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:電話|tel|携帯|連絡先|fax)(?:番号)?\s*[:]?\s*\(?\d{2,4}\)?[ \-]?\d{4}(?:\D|$)",
    )
    .expect("valid regex")
});

/// A phone number: 10 or 11 digits from a leading 0 (or +81 and 9 or 10),
/// in any grouping, or a local number after 電話 / TEL / 携帯 / 連絡先.
pub(super) fn phone(t: &str) -> bool {
    if digit_count(t) < 6 {
        return false;
    }
    if LABELLED_LOCAL_PHONE.is_match(t) {
        return true;
    }
    PHONE.find_iter(t).any(|m| {
        let s = m.as_str();
        if !standalone(t, m.start(), m.end()) {
            return false;
        }
        let digits = s.chars().filter(char::is_ascii_digit).count();
        if let Some(rest) = s.strip_prefix("+81") {
            let trunk = usize::from(rest.contains("(0)"));
            matches!(digits - 2 - trunk, 9 | 10)
        } else {
            matches!(digits, 10 | 11)
        }
    })
}

/// Digits as people write them in dates: ASCII or kanji numerals.
const NUM: &str = "[0-9〇一二三四五六七八九十元]{1,3}";

static ERA_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(明治|大正|昭和|平成|令和|[MTSHR])\s*{NUM}\s*[年.\-/]\s*{NUM}\s*(?:[月.\-/]\s*{NUM}\s*日?|月)?"
    ))
    .expect("valid regex")
});
static WESTERN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:18|19|20)\d{2})\s*[年/.\-]\s*\d{1,2}\s*(?:[月/.\-]\s*\d{1,2}\s*日?|月)?")
        .expect("valid regex")
});
static BIRTH_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:生年月日|誕生日|生年|d\.?o\.?b\.?)\s*[:]?\s*$").expect("valid regex")
});

/// A date of birth: a date marked 生 / 生まれ, a date after 生年月日 /
/// 誕生日, or a full date in an era before 平成 or a year before 1989 (no
/// meeting, plan or report in a return is dated then; a birth is).
/// Meeting dates (2025-04-10, 令和7年4月10日) are not.
pub(super) fn birth_date(t: &str) -> bool {
    if digit_count(t) == 0 && !t.contains('年') {
        return false;
    }
    // is_match first: far cheaper than captures, and nearly always false.
    if !ERA_DATE.is_match(t) && !WESTERN_DATE.is_match(t) {
        return false;
    }
    let era = ERA_DATE.captures_iter(t).filter_map(|c| {
        let m = c.get(0)?;
        let era = c.get(1)?.as_str();
        // A lone letter is an era only where no word goes on before it
        // (not the S of HUB-005,S…, not R in PR7).
        if era.len() == 1
            && t[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        let old = matches!(era, "明治" | "大正" | "昭和" | "M" | "T" | "S");
        Some((m.start(), m.end(), old && full_date(m.as_str())))
    });
    let western = WESTERN_DATE.captures_iter(t).filter_map(|c| {
        let m = c.get(0)?;
        if !standalone_start(t, m.start()) {
            return None;
        }
        let year: u32 = c.get(1)?.as_str().parse().ok()?;
        Some((m.start(), m.end(), year < 1989 && full_date(m.as_str())))
    });
    era.chain(western).any(|(start, end, old)| {
        old || marked_birth(&t[end..]) || BIRTH_LABEL.is_match(&t[..start])
    })
}

/// Year, month and day (three numbers).
fn full_date(s: &str) -> bool {
    let mut groups = 0;
    let mut in_num = false;
    for c in s.chars() {
        let digit = c.is_ascii_digit() || "〇一二三四五六七八九十元".contains(c);
        if digit && !in_num {
            groups += 1;
        }
        in_num = digit;
    }
    groups >= 3
}

/// 生 / 生まれ right after a date, but not 生活 (令和7年4月10日生活保護申請).
fn marked_birth(after: &str) -> bool {
    let a = after.trim_start();
    if a.starts_with("生まれ") || a.starts_with("生れ") || a.starts_with("産まれ") {
        return true;
    }
    match a.strip_prefix('生') {
        Some(rest) => !rest.chars().next().is_some_and(super::names::is_han),
        None => false,
    }
}

fn standalone_start(t: &str, start: usize) -> bool {
    !t[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::personal::fold;

    fn f(t: &str) -> String {
        fold(t)
    }

    #[test]
    fn check_digit_follows_the_official_rule() {
        let d = |s: &str| -> Vec<u32> { s.chars().filter_map(|c| c.to_digit(10)).collect() };
        // The example every guide gives: 12345678901 → 8.
        assert_eq!(check_digit(&d("12345678901")), 8);
        // r ≤ 1 gives 0: eleven zeros sum to 0.
        assert_eq!(check_digit(&d("00000000000")), 0);
        assert_eq!(check_digit(&d("52601815908")), 4);
    }

    #[test]
    fn my_numbers_in_each_writing() {
        for t in [
            "123456789018",
            "1234 5678 9018",
            "1234-5678-9018",
            "１２３４５６７８９０１８",
            "個人番号：1234 5678 9010",
        ] {
            assert!(my_number(&f(t)), "{t}");
        }
        for t in [
            "123456789010",
            "受付番号 202504010001",
            "1234567890185",
            "K1234-5678-9018",
        ] {
            assert!(!my_number(&f(t)), "{t}");
        }
    }

    #[test]
    fn phones_in_any_spacing_or_width() {
        for t in [
            "075-123-4567",
            "０７５－１２３－４５６７",
            "075 123 4567",
            "(075)123-4567",
            "075(123)4567",
            "09012345678",
            "090-1234-5678",
            "+81 90-1234-5678",
            "+81 (0)75-123-4567",
            "0751234567",
            "電話 761-2345",
            "携帯09011112222",
            "ＴＥＬ０７５－２１１－１１１１",
            "tel.075-254-1111",
        ] {
            assert!(phone(&f(t)), "{t}");
        }
        for t in [
            "K01-2025-04-003",
            "R7-04-001",
            "北-0412-01",
            "2025-04-10",
            "10:30-12:00",
            "事業所番号 2610100123",
            "012345678901",
            "電話相談 3件",
            "HUB-001-2504-0001",
        ] {
            assert!(!phone(&f(t)), "{t}");
        }
    }

    #[test]
    fn e_mail_addresses() {
        assert!(email(&f("ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ")));
        assert!(email("k.sato+kyoto@gmail.com"));
        assert!(!email("@メンション"));
        assert!(!email("a@b"));
    }

    #[test]
    fn dates_of_birth_but_not_meeting_dates() {
        for t in [
            "生年月日 昭和30年5月1日",
            "S30.5.1生",
            "1955年5月1日生まれ",
            "1955/05/01生",
            "生年月日：2015-06-03",
            "令和2年6月3日生まれ",
            "昭和四十年五月一日生",
            "昭和30年5月1日",
            "1950/8/15",
            "昭和48年2月生まれ",
        ] {
            assert!(birth_date(&f(t)), "{t}");
        }
        for t in [
            "2025-04-10",
            "令和7年4月10日",
            "R7.4.10",
            "令和7年4月10日生活保護申請",
            "H31.4.1",
            "2025年4月10日（木）",
            "令和7年度",
            "生年月日の確認は不要",
            "HUB-005,S30",
        ] {
            assert!(!birth_date(&f(t)), "{t}");
        }
    }
}
