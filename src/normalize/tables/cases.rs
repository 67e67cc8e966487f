//! Case lists (F2 検討事案一覧): one row per case discussed, to `cases.csv`.
//!
//! ```text
//! 事案番号 | 会議区分       | 開催日    | 課題（タグ） | 参加機関コード | 主担当機関コード | 役割分担
//! C-001    | 重層的支援会議 | 2025/4/15 | 就労・住まい | A01・A02       | A01              | A01：全体調整
//! ```
//!
//! Columns are found by their headings; every one is required but 役割分担.
//! Lists in a cell (課題, 参加機関) are split on ・ 、 , ; / or line breaks;
//! 役割分担 holds `機関コード：役割` entries, one per line. The list runs to the
//! first blank row. A row with a fault (blank case id, unknown meeting kind,
//! unreadable date, no participants, a malformed role) gives problems and no
//! case; a cell that looks like personal data is reported by place only.

use super::{locate_columns, missing_heading, Context, TableOutput};
use crate::core::month::parse_date;
use crate::core::Rule;
use crate::mapping::{CaseColumn, Labels};
use crate::normalize::personal::suspect;
use crate::normalize::rows::{Claims, RowUse};
use crate::normalize::text::value_text;
use crate::normalize::{CaseLine, Problem};
use crate::read::Cell;
use std::collections::HashMap;

/// Agency codes in one cell, separated by ・ 、 , ; or line breaks.
fn split_list(text: &str) -> Vec<String> {
    text.split(['・', '、', ',', '，', ';', '；', '\n', '\r', '/', '／'])
        .map(value_text)
        .filter(|s| !s.is_empty())
        .collect()
}

/// 役割分担 entries `機関コード：役割`, one per line (or separated by ；).
fn parse_roles(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(['\n', '\r', '；', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let (code, role) = entry
                .split_once(['：', ':'])
                .ok_or_else(|| entry.to_string())?;
            let (code, role) = (value_text(code), role.trim().to_string());
            if code.is_empty() || role.is_empty() {
                return Err(entry.to_string());
            }
            Ok((code, role))
        })
        .collect()
}

pub(super) fn read_cases(
    ctx: &Context<'_>,
    columns: &[(CaseColumn, Labels)],
    kinds: &HashMap<String, crate::core::MeetingKind>,
    rows: &mut Claims<'_>,
) -> TableOutput {
    let mut out = TableOutput::default();
    let (ordered, head, cols) = match locate_columns(ctx, columns, rows) {
        Ok(found) => found,
        Err(p) => {
            out.problems.push(*p);
            return out;
        }
    };
    rows.claim(head, RowUse::Header);
    let col = |which: CaseColumn| -> Option<usize> {
        ordered
            .iter()
            .position(|(c, _)| *c == which)
            .and_then(|i| cols[i])
    };
    for (i, (which, labels)) in ordered.iter().enumerate() {
        if cols[i].is_none() && *which != CaseColumn::Roles {
            out.problems
                .push(missing_heading(ctx, labels).at(ctx.loc(head, 0)));
        }
    }
    let mut r = head + 1;
    while r < ctx.sheet.rows.len() && !ctx.sheet.row_is_blank(r) {
        let text_at = |which| {
            col(which)
                .map(|c| (c, ctx.sheet.get(r, c)))
                .unwrap_or((0, &Cell::Empty))
        };
        let mut ok = true;
        // Personal data is reported by place only; the text is never copied.
        for (c, cell) in ctx.sheet.rows[r].iter().enumerate() {
            if let Cell::Text(t) = cell {
                if let Some(kind) = suspect(t) {
                    ok = false;
                    out.problems.push(Problem::new(
                        Rule::PersonalDataSuspected,
                        ctx.loc(r, c),
                        format!("検討事案一覧に{kind}があります。個人情報は記入しないでください（内容は出力しません） (looks like personal data; text withheld)"),
                    ));
                }
            }
        }
        let (id_c, id_cell) = text_at(CaseColumn::CaseId);
        let case_id = value_text(&id_cell.as_text());
        if case_id.is_empty() {
            ok = false;
            out.problems.push(Problem::new(
                Rule::MissingField,
                ctx.loc(r, id_c),
                "事案番号が空欄です (case id is blank)".into(),
            ));
        }
        let (kind_c, kind_cell) = text_at(CaseColumn::MeetingKind);
        let kind = kinds
            .get(
                ctx.key_of(r, col(CaseColumn::MeetingKind), kind_cell)
                    .as_ref(),
            )
            .copied();
        if kind.is_none() {
            ok = false;
            let t = kind_cell.as_text();
            out.problems.push(
                Problem::new(
                    Rule::BadValue,
                    ctx.loc(r, kind_c),
                    format!("会議区分「{t}」は不明です (unknown meeting kind)"),
                )
                .expected("重層的支援会議 / 支援会議")
                .actual(t),
            );
        }
        let (date_c, date_cell) = text_at(CaseColumn::MeetingDate);
        let meeting_date = match parse_date(date_cell) {
            Some(d) => d.format("%Y-%m-%d").to_string(),
            None => {
                ok = false;
                let t = date_cell.as_text();
                out.problems.push(
                    Problem::new(
                        Rule::BadValue,
                        ctx.loc(r, date_c),
                        format!("会議日「{t}」を日付として読めません (cannot read the date)"),
                    )
                    .expected("2025/4/15 など")
                    .actual(t),
                );
                String::new()
            }
        };
        let (_, issues_cell) = text_at(CaseColumn::Issues);
        let (part_c, part_cell) = text_at(CaseColumn::Participants);
        let (_, lead_cell) = text_at(CaseColumn::LeadAgency);
        let (roles_c, roles_cell) = text_at(CaseColumn::Roles);
        let roles = match parse_roles(&roles_cell.as_text()) {
            Ok(r) => r,
            Err(entry) => {
                ok = false;
                out.problems.push(
                    Problem::new(Rule::BadValue, ctx.loc(r, roles_c), format!("役割分担「{entry}」は「機関コード：役割」の形で書いてください (role entry must be CODE：role)"))
                        .expected("機関コード：役割")
                        .actual(entry),
                );
                Vec::new()
            }
        };
        let participants = split_list(&part_cell.as_text());
        if participants.is_empty() {
            ok = false;
            out.problems.push(Problem::new(
                Rule::MissingField,
                ctx.loc(r, part_c),
                "参加機関コードが空欄です (no participants)".into(),
            ));
        }
        if let (true, Some(kind)) = (ok, kind) {
            rows.claim(r, RowUse::Record);
            out.cases.push(CaseLine {
                case_id,
                meeting_kind: kind,
                meeting_date,
                issues: split_list(&issues_cell.as_text()),
                participants,
                lead_agency: value_text(&lead_cell.as_text()),
                roles,
                source: ctx.loc(r, id_c),
                participants_source: ctx.loc(r, part_c),
            });
        } else {
            rows.claim(r, RowUse::Finding);
        }
        r += 1;
    }
    out
}
