//! The last step before anything is written: every text that came from a
//! return and would reach an output (record keys such as F4 site names,
//! texts quoted in findings, case-list fields, names in the submission
//! status) goes through the one personal-data detector
//! ([`crate::normalize::personal::suspect`]). A flagged text is replaced by
//! [`WITHHELD`] wherever it stands, and a `personal_data_suspected` finding
//! names its cell — never its text.
//!
//! The case list is also checked while it is read (its rows are then left
//! out); this pass covers everything else, so no output carries what the
//! detector flags, whichever table or rule it came through.

use super::Outcome;
use crate::core::{Finding, Location, Rule, Severity, YearMonth};
use std::collections::BTreeSet;

/// What replaces a flagged text in every output.
pub const WITHHELD: &str = "【個人情報の可能性があるため省略】";

/// The kind of personal data a text seems to hold (Japanese), or `None`.
fn flag(text: &str) -> Option<String> {
    if text.is_empty() || text == WITHHELD {
        return None;
    }
    crate::normalize::personal::suspect(text).map(|kind| kind.to_string())
}

/// Withholds every flagged text of `outcome` and adds one finding per
/// place it came from.
pub fn apply(month: YearMonth, outcome: &mut Outcome) {
    let mut found: Vec<Finding> = Vec::new();
    // One finding per (cell, kind): a text repeated in several outputs is
    // one problem of its return.
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut report = |agency: &str, at: &Location, kind: &str, what: &str| {
        if seen.insert((at.to_string(), kind.to_string())) {
            found.push(
                Finding::new(
                    month,
                    Severity::Error,
                    Rule::PersonalDataSuspected,
                    format!("{what}に{kind}があります。個人情報は報告に書かないでください。内容は出力していません。該当セルを消して再送してください (looks like personal data: withheld from every output)"),
                )
                .agency(agency)
                .at(at.clone()),
            );
        }
    };
    // Keys repeat (an attribute code in every F1 return): each distinct key
    // is judged once.
    let mut judged: std::collections::HashMap<String, Option<String>> = Default::default();
    let mut judge = |text: &str| -> Option<String> {
        if let Some(v) = judged.get(text) {
            return v.clone();
        }
        let v = flag(text);
        judged.insert(text.to_string(), v.clone());
        v
    };
    for r in &mut outcome.records {
        if let Some(kind) = judge(&r.key) {
            report(&r.agency_code, &r.source, &kind, "行の見出し（キー）");
            r.key = WITHHELD.to_string();
        }
    }
    for c in &mut outcome.cases {
        let mut texts: Vec<&mut String> =
            vec![&mut c.case_id, &mut c.meeting_date, &mut c.lead_agency];
        texts.extend(c.issues.iter_mut());
        texts.extend(c.participants.iter_mut());
        for (code, role) in &mut c.roles {
            texts.push(code);
            texts.push(role);
        }
        for t in texts {
            if let Some(kind) = judge(t) {
                report(&c.center_code, &c.source, &kind, "検討事案一覧");
                *t = WITHHELD.to_string();
            }
        }
    }
    for s in &mut outcome.statuses {
        if let Some(kind) = flag(&s.agency_name) {
            let at = Location::file(s.files.first().map_or("", String::as_str));
            report(&s.agency_code, &at, &kind, "機関名");
            s.agency_name = WITHHELD.to_string();
        }
    }
    for f in &mut outcome.findings {
        let at = f
            .sources
            .first()
            .cloned()
            .unwrap_or_else(|| Location::file(""));
        let agency = f.agency_code.clone();
        for t in [&mut f.expected, &mut f.actual] {
            if let Some(kind) = flag(t) {
                let quoted = std::mem::replace(t, WITHHELD.to_string());
                f.message = f.message.replace(quoted.as_str(), WITHHELD);
                report(&agency, &at, &kind, "セル");
            }
        }
        // Texts a message quotes: 「…」.
        if let Some((message, kind)) = withhold_quoted(&f.message) {
            f.message = message;
            report(&agency, &at, &kind, "セル");
        }
    }
    outcome.findings.extend(found);
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// A text for any output outside a month's run (the `check` report, its
/// JSON): withheld whole when the detector flags it, else with each flagged
/// 「…」 quotation withheld. Returns the text and the kind found, if any.
pub fn withhold(text: &str) -> (String, Option<String>) {
    if let Some(kind) = flag(text) {
        // A message that quotes a flagged text is kept, its quotation
        // withheld; a bare value is withheld whole.
        if let Some((message, k)) = withhold_quoted(text) {
            return (message, Some(k));
        }
        return (WITHHELD.to_string(), Some(kind));
    }
    match withhold_quoted(text) {
        Some((message, kind)) => (message, Some(kind)),
        None => (text.to_string(), None),
    }
}

/// The message with every flagged 「…」 quotation withheld, and the first
/// kind found; `None` when nothing is flagged.
fn withhold_quoted(message: &str) -> Option<(String, String)> {
    let mut out = String::with_capacity(message.len());
    let mut kind = None;
    let mut rest = message;
    while let Some(open) = rest.find('「') {
        let after = &rest[open + '「'.len_utf8()..];
        let Some(close) = after.find('」') else {
            break;
        };
        let quoted = &after[..close];
        out.push_str(&rest[..open + '「'.len_utf8()]);
        match flag(quoted) {
            Some(k) => {
                kind.get_or_insert(k);
                out.push_str(WITHHELD);
            }
            None => out.push_str(quoted),
        }
        out.push('」');
        rest = &after[close + '」'.len_utf8()..];
    }
    out.push_str(rest);
    kind.map(|k| (out, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Form, Metric, Record};

    fn month() -> YearMonth {
        "2025-04".parse().expect("month")
    }

    fn outcome_with(key: &str, actual: &str, message: &str) -> Outcome {
        let at = Location::file("a.xlsx").in_sheet("S");
        Outcome {
            records: vec![Record {
                month: month(),
                agency_code: "AGY-1".into(),
                area_code: "A1".into(),
                project: 3,
                field: "cross".into(),
                form: Form::F4,
                key: key.into(),
                metric: Metric::ALL[0],
                value: 1,
                source: at.clone(),
            }],
            cases: Vec::new(),
            findings: vec![
                Finding::new(month(), Severity::Error, Rule::BadValue, message)
                    .agency("AGY-1")
                    .figures("0以上の整数", actual)
                    .at(at),
            ],
            statuses: Vec::new(),
        }
    }

    #[test]
    fn a_flagged_key_and_quoted_text_are_withheld_everywhere() {
        let phone = "090-1234-5678";
        let mut o = outcome_with(
            "山田花子様",
            phone,
            &format!("「{phone}」を数値として読めません"),
        );
        apply(month(), &mut o);
        assert_eq!(o.records[0].key, WITHHELD);
        let bad = o
            .findings
            .iter()
            .find(|f| f.rule == Rule::BadValue)
            .expect("kept");
        assert_eq!(bad.actual, WITHHELD);
        assert!(!bad.message.contains(phone), "{}", bad.message);
        let flagged: Vec<_> = o
            .findings
            .iter()
            .filter(|f| f.rule == Rule::PersonalDataSuspected)
            .collect();
        assert!(!flagged.is_empty());
        for f in &o.findings {
            assert!(!f.message.contains("山田花子") && !f.message.contains(phone));
        }
    }

    #[test]
    fn ordinary_texts_pass_unchanged() {
        let mut o = outcome_with("ふれあいサロン", "abc", "「abc」を数値として読めません");
        let before = o.findings.clone();
        apply(month(), &mut o);
        assert_eq!(o.records[0].key, "ふれあいサロン");
        assert_eq!(o.findings, before);
    }

    #[test]
    fn a_bare_value_is_withheld_whole_and_a_message_only_where_it_quotes() {
        assert_eq!(withhold("090-1234-5678").0, WITHHELD);
        let (m, kind) = withhold("「090-1234-5678」を数値として読めません");
        assert_eq!(m, format!("「{WITHHELD}」を数値として読めません"));
        assert!(kind.is_some());
        assert_eq!(withhold("「東町」").0, "「東町」");
    }

    #[test]
    fn only_flagged_quotations_are_replaced() {
        let (m, _) = withhold_quoted("「東町」と「075-123-4567」と「").expect("flagged");
        assert_eq!(m, format!("「東町」と「{WITHHELD}」と「"));
        assert!(withhold_quoted("「東町」").is_none());
    }
}
