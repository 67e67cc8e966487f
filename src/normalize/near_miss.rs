//! The message for a return no layout recognised: the nearest layout and
//! its score, the labels found (with their cells), the labels missing and,
//! for each, the closest text seen and where — in plain Japanese, with what
//! to do — and the same as data for `kasane check --json`.

use super::identity::guess_agency;
use super::recognize::{self, Ranking, SheetIndex, Target};
use super::Problem;
use crate::core::{Location, Rule};
use crate::mapping::Mappings;
use crate::read::Book;
use serde::Serialize;

/// How near an unrecognised return came to a layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearMiss {
    /// The nearest layout file (`f1.toml`).
    pub nearest: String,
    /// Its title.
    pub title: String,
    /// Its score, 0–1, two decimals.
    pub score: String,
    /// The next layout and its score, when it was close (a tie).
    pub runner_up: Option<(String, String)>,
    /// Labels of the nearest layout found.
    pub found: Vec<LabelFound>,
    /// Labels of the nearest layout not found.
    pub missing: Vec<LabelMissing>,
}

/// A label found in the return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelFound {
    /// The label of the layout.
    pub label: String,
    /// The cell's text.
    pub text: String,
    /// `sheet / A1`.
    pub cell: String,
}

/// A label not found, with the closest text seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelMissing {
    /// The label of the layout (its first alias).
    pub label: String,
    /// Where it goes in the layout file (`key_column`, `[tables.columns] new_persons`).
    pub add_to: String,
    /// The closest text seen, if any.
    pub closest: Option<String>,
    /// Its cell (`sheet / A1`).
    pub cell: Option<String>,
    /// Similarity of the closest text, two decimals.
    pub similarity: Option<String>,
}

fn cell_name(book: &Book, s: usize, r: usize, c: usize) -> (String, Location) {
    let loc = book.sheets[s].location(&book.file, r, c);
    let name = if loc.sheet.is_empty() {
        loc.cell_text()
    } else {
        format!("{} / {}", loc.sheet, loc.cell_text())
    };
    (name, loc)
}

/// Most missing labels spelt out in the message (all are in [`NearMiss`]).
const MESSAGE_MISSING: usize = 6;

/// The `unknown_form` problem of an unrecognised book.
pub(crate) fn unrecognised(
    book: &Book,
    mappings: &Mappings,
    ranking: &Ranking,
    indices: &[SheetIndex],
    candidates: &[usize],
) -> Problem {
    let guess = guess_agency(&book.file, Some(book), &mappings.registry);
    let unread: Vec<String> = book.unread_sheets.iter().map(ToString::to_string).collect();
    let unread = if unread.is_empty() {
        String::new()
    } else {
        format!("。読めなかったシート: {}", unread.join(" / "))
    };
    let Some(best) = ranking.ranked.first() else {
        return Problem::new(
            Rule::UnknownForm,
            Location::file(&book.file),
            format!("どの様式とも判別できません{unread} (no layout recognised)"),
        )
        .guessed(guess);
    };
    let layout = &mappings.layouts[best.layout];
    let scope: Vec<usize> = if best.scored.sheets.is_empty() {
        candidates.to_vec()
    } else {
        best.scored.sheets.clone()
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (want, f) in best.wants.iter().zip(&best.scored.found) {
        if matches!(want.target, Target::Area(_)) {
            continue;
        }
        let label = want.labels.first().cloned().unwrap_or_default();
        match f {
            Some(f) => {
                let (cell, _) = cell_name(book, f.sheet, f.row, f.col);
                found.push(LabelFound {
                    label,
                    text: book.sheets[f.sheet].get(f.row, f.col).as_text(),
                    cell,
                });
            }
            None if want.required => {
                let add_to = recognize::hint_place(layout, &want.target);
                let close = recognize::closest(want, indices, &scope);
                let (closest, cell, similarity) = match close {
                    Some((s, r, c, _, d)) if d > 0.0 => {
                        let (cell, _) = cell_name(book, s, r, c);
                        (
                            Some(book.sheets[s].get(r, c).as_text()),
                            Some(cell),
                            Some(format!("{d:.2}")),
                        )
                    }
                    _ => (None, None, None),
                };
                missing.push(LabelMissing {
                    label,
                    add_to,
                    closest,
                    cell,
                    similarity,
                });
            }
            None => {}
        }
    }
    let score = format!("{:.2}", best.scored.score);
    let runner_up = ranking
        .ranked
        .get(1)
        .filter(|c| best.scored.score - c.scored.score < recognize::TIE_MARGIN)
        .map(|c| {
            (
                mappings.layouts[c.layout].file.clone(),
                format!("{:.2}", c.scored.score),
            )
        });
    let mut msg = match &runner_up {
        Some((file, s)) if best.scored.score >= recognize::ACCEPT_MIN => format!(
            "様式を1つに決められません。{}（一致度 {score}）と {file}（一致度 {s}）が同じくらい近いです。見出しを様式のとおりにするか、どちらかの対応表の見出しを見直してください",
            layout.file
        ),
        _ => format!(
            "どの様式とも判別できません。最も近いのは {}「{}」（一致度 {score}、{:.2} 以上で判別）です",
            layout.file,
            layout.title,
            recognize::ACCEPT_MIN
        ),
    };
    if !found.is_empty() {
        let list: Vec<String> = found
            .iter()
            .take(MESSAGE_MISSING)
            .map(|f| format!("{}『{}』", f.cell, f.text.replace('\n', "")))
            .collect();
        let more = if found.len() > MESSAGE_MISSING {
            format!(" ほか{}件", found.len() - MESSAGE_MISSING)
        } else {
            String::new()
        };
        msg.push_str(&format!("。見つかった見出し: {}{more}", list.join("、")));
    }
    for m in missing.iter().take(MESSAGE_MISSING) {
        match (&m.closest, &m.cell) {
            (Some(text), Some(cell)) => msg.push_str(&format!(
                "。見出し『{}』が見つかりません。{cell}『{}』のことなら、対応表 {} の {} に加えてください",
                m.label,
                text.replace('\n', ""),
                layout.file,
                m.add_to
            )),
            _ => msg.push_str(&format!(
                "。見出し『{}』が見つかりません（近い文字もありません）",
                m.label
            )),
        }
    }
    if missing.len() > MESSAGE_MISSING {
        msg.push_str(&format!(
            "。ほかに{}件の見出しが見つかりません",
            missing.len() - MESSAGE_MISSING
        ));
    }
    msg.push_str(&unread);
    msg.push_str(&format!(
        " (no layout recognised: nearest {} with score {score}, {} labels found, {} missing)",
        layout.file,
        found.len(),
        missing.len()
    ));
    let mut p = Problem::new(Rule::UnknownForm, Location::file(&book.file), msg)
        .expected(format!("{} ({score})", layout.file))
        .guessed(guess);
    p.near_miss = Some(Box::new(NearMiss {
        nearest: layout.file.clone(),
        title: layout.title.clone(),
        score,
        runner_up,
        found,
        missing,
    }));
    p
}
