//! Personal names. A name in a return nearly always comes with something that
//! marks it as one: an honorific (山田様, やまだ さん, 田中氏, ゆうきくん), an
//! age beside it (山田花子(45), 花子（80代）) or a 氏名 label. The honorific
//! alone is not enough: 皆様, 利用者様, 民生委員さん, ヘルパーさん, お母さん,
//! 大家さん and 同様 name roles and relations, not people, and Aさん is the
//! anonymous way to write one.

use regex::Regex;
use std::sync::LazyLock;

/// Kanji (with 々), as names and the words around them are written.
pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '々')
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{3096}')
}

fn is_katakana(c: char) -> bool {
    // Not ・ (U+30FB), which separates tags.
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Hiragana,
    Katakana,
}

fn script(c: char) -> Option<Script> {
    if is_han(c) {
        Some(Script::Han)
    } else if is_hiragana(c) {
        Some(Script::Hiragana)
    } else if is_katakana(c) {
        Some(Script::Katakana)
    } else {
        None
    }
}

/// Kanji words that take an honorific or an age but are not names: roles,
/// relations and the like (matched as the word's end, so 担当の民生委員 and
/// ご利用者 are found too; one-kanji words only as the whole word).
const HAN_WORDS: &[&str] = &[
    "本人",
    "知人",
    "友人",
    "隣人",
    "住人",
    "主人",
    "夫人",
    "婦人",
    "老人",
    "家人",
    "管理人",
    "後見人",
    "保証人",
    "代理人",
    "世帯主",
    "息子",
    "長男",
    "長女",
    "次男",
    "次女",
    "三男",
    "三女",
    "祖母",
    "祖父",
    "叔母",
    "叔父",
    "伯母",
    "伯父",
    "義母",
    "義父",
    "両親",
    "夫婦",
    "子供",
    "先生",
    "先輩",
    "後輩",
    "上司",
    "部下",
    "同僚",
    "近所",
    "各位",
    "彼女",
    "貴方",
    "旦那",
    "親御",
    "担当",
    "相手",
    "先方",
    "相手方",
    "奥方",
    "親方",
    "殿方",
    "運転手",
    "助手",
    "選手",
    "歌手",
    "八百屋",
    "花屋",
    "本屋",
    "部屋",
    "酒屋",
    "魚屋",
    "肉屋",
    "米屋",
    "民生",
    "包括",
    "訪看",
    "乳児",
    "幼児",
    "児童",
    "生徒",
    "学生",
    "男性",
    "女性",
    "男児",
    "女児",
    "単身",
    "高齢",
    "障害",
    "皆",
    "彼",
    "同",
    "多",
    "仕",
    "模",
    "異",
    "一",
    "各",
    "有",
    "神",
    "仏",
    "王",
    "姫",
    "母",
    "父",
    "兄",
    "姉",
    "妹",
    "弟",
    "娘",
    "孫",
    "嫁",
    "婿",
    "夫",
    "妻",
    "子",
    "奥",
    "若",
    "殿",
    "親",
    "坊",
    "隣",
    "男",
    "女",
    "御",
    "貴",
    "左",
    "文",
    "紋",
    "嬢",
    "赤",
    "客",
];

/// Endings of kanji words for people by role or of organisations: 相談者,
/// 民生委員, 保健師, 大家, 社会福祉協議会 … (not 部, 屋, 方, 村, 室: 阿部,
/// 土屋, 緒方, 中村 and 小室 are surnames).
const HAN_ROLE_ENDS: &[char] = &[
    '者', '員', '師', '士', '長', '客', '会', '所', '課', '局', '署', '庁', '院', '園', '店', '社',
    '校', '家', '性', '族', '官', '係', '班', '協', '団', '組', '業', '医', '館', '症', '病', '害',
    '帯', '様', '宅',
];

/// Endings of place names, which stand beside counts (みどり区(3), 〇〇町(12)).
const PLACE_ENDS: &[char] = &[
    '区', '市', '町', '村', '府', '県', '場', '室', '部', '屋', '方',
];

/// Hiragana words before an honorific that are not names (おばあちゃん,
/// みなさん, たくさん, おつかれさま …), matched as the run's end.
const HIRAGANA_WORDS: &[&str] = &[
    "みな",
    "おじい",
    "おばあ",
    "じい",
    "ばあ",
    "おかあ",
    "かあ",
    "おとう",
    "おにい",
    "おねえ",
    "にい",
    "ねえ",
    "おく",
    "おこ",
    "あか",
    "おば",
    "おじ",
    "おつかれ",
    "ごくろう",
    "おかげ",
    "ごちそう",
    "あから",
    "たく",
    "ひとり",
    "かみ",
    "ほとけ",
    "おいしゃ",
    "おまわり",
    "おひめ",
    "おうじ",
    "だんな",
    "おじょう",
    "ぼっ",
    "おぼう",
    "ども",
    "こども",
    "おきゃく",
    "おとなり",
    "むこ",
    "およめ",
    "ごしゅじん",
    "おくさ",
    "せんせい",
    "ひきこもり",
    "きょうだい",
    "ひろば",
];

/// Katakana words for people by role (ヘルパーさん, ケアマネさん …); a word
/// ending in ー is taken as one too (サポーター, コーディネーター).
const KATAKANA_WORDS: &[&str] = &[
    "ケアマネ",
    "ボランティア",
    "スタッフ",
    "ママ",
    "パパ",
    "ナース",
    "シェフ",
    "ゲスト",
    "サポート",
    "ワーカ",
    "ヘルパ",
    "ドクタ",
    "オーナ",
    "メンバ",
    "サロン",
    "カフェ",
    "チーム",
    "デイ",
    "ケアラ",
];

/// Words in returns that stand beside a count in brackets: issue tags,
/// kinds of meeting and support (就労(12), ゴミ屋敷(2)).
const COMMON_BEFORE_COUNT: &[&str] = &[
    "就労",
    "住居喪失",
    "精神疾患",
    "難病",
    "家族関係",
    "金銭管理",
    "介護",
    "子育て",
    "ひきこもり",
    "ヤングケアラー",
    "ゴミ屋敷",
    "不登校",
    "虐待",
    "認知症",
    "債務",
    "支援会議",
    "件数",
    "回数",
    "人数",
    "合計",
    "小計",
    "内訳",
    "世帯",
    "新規",
    "継続",
    "終結",
    "訪問",
    "同行",
    "相談",
    "計",
    "延べ",
    "実人数",
    "拠点",
    "地区",
    "支所",
    "学区",
    "広場",
    "会場",
    "令和",
    "平成",
    "昭和",
    "年度",
    "年",
    "月",
    "日",
    "第",
    "生活困窮",
    "子ども",
];

/// True for a word before an honorific that names a role, a relation or an
/// organisation rather than a person.
fn role_word(word: &str, script: Script) -> bool {
    match script {
        Script::Han => {
            HAN_WORDS
                .iter()
                .any(|w| word.ends_with(w) && (w.chars().count() > 1 || word == *w))
                || word
                    .chars()
                    .next_back()
                    .is_some_and(|c| HAN_ROLE_ENDS.contains(&c))
        }
        Script::Hiragana => HIRAGANA_WORDS.iter().any(|w| word.ends_with(w)),
        Script::Katakana => {
            word.ends_with('ー') || KATAKANA_WORDS.iter().any(|w| word.ends_with(w))
        }
    }
}

/// The honorifics after a name, in kana (both scripts) and kanji.
const HONORIFICS: &[&str] = &[
    "ちゃん",
    "チャン",
    "さま",
    "サマ",
    "さん",
    "サン",
    "くん",
    "クン",
    "様",
    "氏",
    "殿",
    "君",
];

/// Hiragana that may follow a kana honorific: particles (田中さんの, さんから).
const PARTICLES: &[char] = &[
    'の', 'が', 'は', 'に', 'へ', 'と', 'を', 'も', 'や', 'で', 'よ', 'ね', 'ら', 'か',
];

/// A name: with an honorific, beside an age, or after a 氏名 label.
pub(super) fn name(t: &str) -> bool {
    // Every marker of a name is written in kana or kanji.
    if t.is_ascii() {
        return false;
    }
    let chars: Vec<char> = t.chars().collect();
    let digits = t.bytes().any(|b| b.is_ascii_digit());
    labelled_name(t) || honorific_name(&chars) || (digits && aged_name(t)) || bare_name(t)
}

/// Common surnames, for a full name written without an honorific (山田太郎,
/// 鈴木 一郎). Surnames that are also Kyoto place names (田中, 吉田, 高野,
/// 岡崎, 石田, 小野, 松尾, 中島, 小松 …) are left out: 田中学区 is a place.
const SURNAMES: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "伊藤",
    "渡辺",
    "渡部",
    "山本",
    "中村",
    "小林",
    "加藤",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "清水",
    "山崎",
    "阿部",
    "池田",
    "橋本",
    "山下",
    "石川",
    "前田",
    "藤田",
    "後藤",
    "小川",
    "岡田",
    "長谷川",
    "村上",
    "近藤",
    "石井",
    "斎藤",
    "斉藤",
    "坂本",
    "遠藤",
    "青木",
    "藤井",
    "西村",
    "福田",
    "太田",
    "三浦",
    "藤原",
    "岡本",
    "松田",
    "中川",
    "中野",
    "原田",
    "田村",
    "竹内",
    "金子",
    "和田",
    "中山",
    "森田",
    "小島",
    "柴田",
    "宮崎",
    "酒井",
    "工藤",
    "横山",
    "宮本",
    "内田",
    "高木",
    "安藤",
    "谷口",
    "大野",
    "丸山",
    "今井",
    "高田",
    "藤本",
    "武田",
    "村田",
    "杉山",
    "増田",
    "平野",
    "大塚",
    "千葉",
    "久保",
    "松井",
    "小山",
    "岩崎",
    "桜井",
    "野口",
    "野村",
    "木下",
    "菊地",
    "佐野",
    "大西",
    "杉本",
    "新井",
    "浜田",
    "菅原",
    "市川",
    "水野",
    "島田",
    "古川",
    "西田",
    "菊池",
    "山内",
    "飯田",
    "服部",
    "北村",
    "安田",
    "樋口",
    "秋山",
    "永井",
    "平田",
    "川口",
    "中西",
    "本田",
    "久保田",
    "石原",
    "吉川",
    "岩田",
    "大橋",
    "中田",
    "荒木",
    "松岡",
    "望月",
    "大久保",
    "野田",
    "五十嵐",
    "川上",
    "熊谷",
    "片山",
    "小池",
    "内藤",
    "早川",
    "平井",
    "星野",
    "黒田",
    "河野",
    "宮田",
    "矢野",
    "松下",
    "尾崎",
    "土屋",
    "森本",
    "大石",
    "須藤",
    "川村",
    "上田",
];

/// One-kanji surnames, taken only before a space and a given name of two
/// or three kanji (林 美智子): alone they are common words.
const ONE_KANJI_SURNAMES: &str = "林森原関辻堀岡谷泉";

static SPACED_ONE_KANJI_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\p{{Han}}々])[{ONE_KANJI_SURNAMES}] ([\p{{Han}}々]{{2,3}})(?:$|[^\p{{Han}}々])"
    ))
    .expect("valid regex")
});

/// Words after a surname that make a place or an organisation of it
/// (山田地域, 佐藤商店), not a given name.
const AFTER_SURNAME: &[&str] = &[
    "地域", "地区", "学区", "団地", "公園", "会館", "教室", "食堂", "広場", "文化", "記念", "診療",
    "薬局", "歯科", "内科", "外科", "商店", "一家", "世帯", "夫妻", "夫婦", "先生", "神社", "寺",
    "通", "橋", "駅", "川", "山", "池", "坂", "台", "丘", "荘", "寮", "邸",
];

static BARE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\p{{Han}}々])(?:{}) ?([\p{{Han}}々]{{1,3}})(?:$|[^\p{{Han}}々])",
        SURNAMES.join("|")
    ))
    .expect("valid regex")
});

/// A common surname with a given name of one to three kanji, standing alone.
fn bare_name(t: &str) -> bool {
    // The kanji after the surname are a given name, not a place (山田地域).
    let given_name = |c: regex::Captures<'_>| {
        let given = c.get(1).map_or("", |m| m.as_str());
        let place = given
            .chars()
            .next_back()
            .is_some_and(|c| PLACE_ENDS.contains(&c));
        !place
            && !role_word(given, Script::Han)
            && !AFTER_SURNAME.iter().any(|w| given.ends_with(w))
    };
    // is_match first: far cheaper than captures, and nearly always false.
    if SPACED_ONE_KANJI_NAME.is_match(t) && SPACED_ONE_KANJI_NAME.captures_iter(t).any(given_name) {
        return true;
    }
    BARE_NAME.is_match(t) && BARE_NAME.captures_iter(t).any(given_name)
}

/// The honorifics as characters, and the characters any of them starts with.
static HONORIFIC_CHARS: LazyLock<(Vec<Vec<char>>, Vec<char>)> = LazyLock::new(|| {
    let all: Vec<Vec<char>> = HONORIFICS.iter().map(|h| h.chars().collect()).collect();
    let mut first: Vec<char> = all.iter().map(|h| h[0]).collect();
    first.sort_unstable();
    first.dedup();
    (all, first)
});

fn honorific_name(chars: &[char]) -> bool {
    let (all, first) = &*HONORIFIC_CHARS;
    (0..chars.len()).any(|i| {
        first.binary_search(&chars[i]).is_ok()
            && all.iter().any(|h| {
                chars[i..].starts_with(h) && honorific_fits(chars, i, h) && named_before(chars, i)
            })
    })
}

/// The honorific is used as one, judged by what follows it: 様式, 様子, 様々,
/// 氏名, 殿堂, 君主, たくさんの, さまざま are words of their own.
fn honorific_fits(chars: &[char], at: usize, h: &[char]) -> bool {
    let next = chars.get(at + h.len()).copied();
    let Some(next) = next else { return true };
    // ちゃんと飲む: "properly", not 〜ちゃん + と.
    if h == ['ち', 'ゃ', 'ん'] && next == 'と' {
        return false;
    }
    match h {
        ['様'] | ['氏'] | ['殿'] | ['君'] => !is_han(next) || matches!(next, '宅' | '方'),
        _ if h.iter().all(|&c| is_hiragana(c)) => {
            !is_hiragana(next)
                || (PARTICLES.contains(&next)
                    && !(next == 'か' && chars.get(at + h.len() + 1) != Some(&'ら')))
        }
        _ => !is_katakana(next),
    }
}

/// The word just before position `at` (past spaces) looks like a name: a run
/// of kanji, hiragana or katakana that is no role, relation or organisation.
fn named_before(chars: &[char], at: usize) -> bool {
    let mut end = at;
    while end > 0 && chars[end - 1] == ' ' {
        end -= 1;
    }
    if end > 0 && chars[end - 1].is_ascii_alphabetic() {
        // Sato Hanako様; a lone letter or initials (Aさん, ABさん) are how
        // anonymous cases are written.
        let mut start = end;
        while start > 0 && chars[start - 1].is_ascii_alphabetic() {
            start -= 1;
        }
        let word = &chars[start..end];
        return word.len() >= 3 && word.iter().any(char::is_ascii_lowercase);
    }
    let Some(s) = end.checked_sub(1).and_then(|i| script(chars[i])) else {
        return false;
    };
    let mut start = end;
    while start > 0 && script(chars[start - 1]) == Some(s) {
        start -= 1;
    }
    let word: String = chars[start..end].iter().collect();
    let len = end - start;
    let long_enough = match s {
        Script::Han => len >= 1,
        Script::Hiragana | Script::Katakana => len >= 2,
    };
    long_enough && !role_word(&word, s)
}

static AGED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([\p{Han}々]{1,6}|\p{Hiragana}{2,8}|[\p{Katakana}ー]{2,10}) ?(?:\(\s*\d{1,3}\s*(?:歳|才|代)?\s*\)|\d{1,3}\s*(?:歳|才|代))",
    )
    .expect("valid regex")
});

/// A name beside an age: 山田花子(45), 山田 花子 45歳, 花子（80代）. 本人(80代),
/// 長男(50代) and 就労(12) are not.
fn aged_name(t: &str) -> bool {
    AGED.is_match(t)
        && AGED.captures_iter(t).any(|c| {
            let Some(w) = c.get(1) else { return false };
            let word = w.as_str();
            let Some(s) = word.chars().next_back().and_then(script) else {
                return false;
            };
            if word.chars().any(|c| script(c) != Some(s)) {
                return false;
            }
            let before = &t[..w.end()];
            let place = s == Script::Han
                && word
                    .chars()
                    .next_back()
                    .is_some_and(|c| PLACE_ENDS.contains(&c));
            !role_word(word, s)
                && !place
                && !COMMON_BEFORE_COUNT.iter().any(|k| before.ends_with(k))
        })
}

static NAME_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:氏名|名前|本人名|利用者名|対象者名|相談者名|フリガナ|ふりがな)\s*(?:\([^)]{0,8}\)\s*)?(?::\s*|\s+)([\p{Han}\p{Hiragana}\p{Katakana}ー々]+)",
    )
    .expect("valid regex")
});

/// Words after a 氏名 label that say no name was given.
const NO_NAME: &[&str] = &[
    "なし",
    "無し",
    "不明",
    "記入なし",
    "未記入",
    "非公開",
    "匿名",
    "省略",
    "欄",
    "等",
];

/// A full name (surname, a space, given name) after a role and a colon:
/// ご相談者：森川 由美, 本人: 山田 花子. The role alone (本人：就労希望) is not one.
static ROLE_LABEL_FULL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:相談者|本人|対象者|利用者|世帯主|訪問先|家族|同居人)\s*:\s*[\p{Han}々]{1,3} [\p{Han}々]{1,3}(?:$|[^\p{Han}々])")
        .expect("valid regex")
});

/// A name after a label: 氏名：山田花子, 氏名 鈴木一郎, 名前:やまだ,
/// 氏名（ふりがな）：やまもと.
fn labelled_name(t: &str) -> bool {
    if ROLE_LABEL_FULL_NAME.is_match(t) {
        return true;
    }
    NAME_LABEL.is_match(t)
        && NAME_LABEL.captures_iter(t).any(|c| {
            let word = c.get(1).map_or("", |m| m.as_str());
            !NO_NAME.iter().any(|n| word.starts_with(n))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::personal::fold;

    fn n(t: &str) -> bool {
        name(&fold(t))
    }

    #[test]
    fn names_with_honorifics() {
        for t in [
            "山田花子様",
            "やまだ はなこ さん",
            "ヤマダハナコ様",
            "田中さん",
            "佐藤氏",
            "鈴木殿",
            "ゆうきくん",
            "さくらちゃん",
            "山田 花子 様",
            "小林氏より相談",
            "吉田さん宅を訪問",
            "相談者の井上さん",
            "ナカムラ サン",
            "Sato Hanako様",
        ] {
            assert!(n(t), "{t}");
        }
    }

    #[test]
    fn roles_and_relations_are_not_names() {
        for t in [
            "皆様のご協力",
            "ご本人様の同意あり",
            "利用者様アンケート",
            "民生委員さんから相談",
            "ヘルパーさんが訪問",
            "ケアマネさんと同行",
            "お母さんの介護",
            "おばあちゃんの見守り",
            "大家さんと調整",
            "みなさんで話し合い",
            "たくさんの参加",
            "Aさん（40代・男性）",
            "〇〇さん",
            "同様の事案",
            "多様な参加の場",
            "様式F2",
            "氏名欄は記入しないこと",
        ] {
            assert!(!n(t), "{t}");
        }
    }

    #[test]
    fn names_beside_ages_and_labels() {
        for t in [
            "山田花子(45)",
            "山田 花子 45歳",
            "花子（８０代）",
            "太郎(8)",
            "氏名：山田花子",
            "氏名 鈴木一郎",
            "名前:やまだ",
        ] {
            assert!(n(t), "{t}");
        }
        for t in [
            "本人(80代)",
            "長男(50代)・本人(80代)",
            "高齢者(80代)",
            "就労(12)",
            "つどいの広場（41か所）",
            "児童館（129か所）",
            "75歳以上の単身世帯",
            "70代 男性",
            "みどり区(3)",
            "氏名：なし",
            "田中学区 ふれあい会",
            "山田地域ふれあいサロン",
            "佐藤商店",
            "本人：就労希望",
            "森 ふれあい広場",
        ] {
            assert!(!n(t), "{t}");
        }
    }
}
