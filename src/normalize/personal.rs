//! Personal data must never leave a return: the case list is anonymous by
//! contract. [`suspect`] is the one detector for every text kasane writes
//! (case-list fields, row keys, site names, texts quoted in findings): it
//! says which kind of personal data a text seems to hold, so the cell can be
//! reported by its place only and its text withheld from every output.
//!
//! The rules are written for what support staff actually type by mistake
//! (a name with an honorific, a phone number, an address in Kyoto's street
//! form, a date of birth) and against what returns legitimately hold (issue
//! tags, agency and area names, case ids, agency codes, meeting dates,
//! counts). `tests/fixtures/personal/labelled.tsv` measures both sides.

mod names;
mod numbers;
mod places;

use super::text::value_text;
use std::fmt;

/// The kind of personal data a text seems to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Suspicion {
    /// A person's name: with an honorific, beside an age, or after 氏名.
    Name,
    /// A phone number, in any spacing or width.
    Phone,
    /// A postal code (〒, or beside an address).
    PostalCode,
    /// A street address down to the town, block or house number.
    Address,
    /// An individual number (マイナンバー, 12 digits with its check digit).
    MyNumber,
    /// An e-mail address.
    Email,
    /// A date of birth.
    BirthDate,
}

impl Suspicion {
    /// Every kind, in the order [`suspect`] looks for them.
    pub const ALL: [Suspicion; 7] = [
        Suspicion::Email,
        Suspicion::MyNumber,
        Suspicion::Phone,
        Suspicion::PostalCode,
        Suspicion::BirthDate,
        Suspicion::Address,
        Suspicion::Name,
    ];

    /// The kind for messages to staff, e.g. 「氏名と思われる記載」.
    pub fn label(self) -> &'static str {
        match self {
            Suspicion::Name => "氏名と思われる記載",
            Suspicion::Phone => "電話番号と思われる記載",
            Suspicion::PostalCode => "郵便番号と思われる記載",
            Suspicion::Address => "住所と思われる記載",
            Suspicion::MyNumber => "個人番号（マイナンバー）と思われる記載",
            Suspicion::Email => "メールアドレスと思われる記載",
            Suspicion::BirthDate => "生年月日と思われる記載",
        }
    }

    /// A short ASCII code of the kind (`name`, `phone`, `postal`, `address`,
    /// `mynumber`, `email`, `birthdate`), as in the labelled test set.
    pub fn code(self) -> &'static str {
        match self {
            Suspicion::Name => "name",
            Suspicion::Phone => "phone",
            Suspicion::PostalCode => "postal",
            Suspicion::Address => "address",
            Suspicion::MyNumber => "mynumber",
            Suspicion::Email => "email",
            Suspicion::BirthDate => "birthdate",
        }
    }

    fn found_in(self, t: &str) -> bool {
        match self {
            Suspicion::Email => numbers::email(t),
            Suspicion::MyNumber => numbers::my_number(t),
            Suspicion::Phone => numbers::phone(t),
            Suspicion::PostalCode => places::postal_code(t),
            Suspicion::BirthDate => numbers::birth_date(t),
            Suspicion::Address => places::address(t),
            Suspicion::Name => names::name(t),
        }
    }
}

impl fmt::Display for Suspicion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The kind of personal data a text seems to hold, or `None` when it looks
/// anonymous. Width, dashes and spacing do not matter (the text is folded
/// with NFKC first); when a text holds several kinds, the first of
/// [`Suspicion::ALL`] is named.
///
/// ```
/// use kasane::normalize::personal::{suspect, Suspicion};
/// assert_eq!(suspect("０９０－１２３４－５６７８"), Some(Suspicion::Phone));
/// assert_eq!(suspect("山田様"), Some(Suspicion::Name));
/// assert_eq!(suspect("就労・住居喪失"), None);
/// assert_eq!(suspect("みどり区第1地域包括支援センター"), None);
/// ```
pub fn suspect(text: &str) -> Option<Suspicion> {
    if text.trim().is_empty() {
        return None;
    }
    let t = fold(text);
    Suspicion::ALL.into_iter().find(|k| k.found_in(&t))
}

/// NFKC text with a long-vowel mark or wave dash between digits read as a
/// hyphen (IMEs turn 075-123 into 075ー123).
fn fold(text: &str) -> String {
    let t = value_text(text);
    if !t.contains(['ー', '~']) {
        return t;
    }
    let chars: Vec<char> = t.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_digits = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if matches!(c, 'ー' | '~') && between_digits {
                '-'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_named() {
        assert_eq!(suspect("075-222-3333"), Some(Suspicion::Phone));
        assert_eq!(suspect("〒604-8571"), Some(Suspicion::PostalCode));
        assert_eq!(suspect("みどり市本町3丁目5番地"), Some(Suspicion::Address));
        assert_eq!(suspect("昭和50年3月1日生"), Some(Suspicion::BirthDate));
        assert_eq!(suspect("田中さん"), Some(Suspicion::Name));
        assert_eq!(suspect("123456789018"), Some(Suspicion::MyNumber));
        assert_eq!(suspect("a.b@example.jp"), Some(Suspicion::Email));
    }

    #[test]
    fn labels_read_as_japanese_messages() {
        assert_eq!(Suspicion::Name.to_string(), "氏名と思われる記載");
        assert_eq!(Suspicion::Phone.label(), "電話番号と思われる記載");
        for k in Suspicion::ALL {
            assert!(k.label().ends_with("と思われる記載"), "{k:?}");
        }
    }

    #[test]
    fn long_vowel_marks_between_digits_are_dashes() {
        assert_eq!(fold("075ー123ー4567"), "075-123-4567");
        assert_eq!(fold("センター"), "センター");
    }

    #[test]
    fn anonymous_content_passes() {
        for ok in [
            "",
            "K01-2504-01",
            "就労・住居喪失・精神疾患",
            "HUB-01・AGY-01、AGY-02",
            "2025/4/15",
            "重層的支援会議",
            "K01-001-2504",
            "HUB-001-2504-0001",
            "子育てひろば さくら地区1（直営）",
        ] {
            assert_eq!(suspect(ok), None, "{ok}");
        }
    }
}
