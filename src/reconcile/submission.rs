//! Submission: which returns count for the month.
//!
//! A return counts when its agency is in the registry, its month is the
//! batch month, its form is the agency's form, and it is the agency's only
//! return — or the correction (訂正 in the file name) among several. Two
//! returns that cannot be told apart are both held back. Every registry unit
//! that owes a monthly return and sent none is `missing_return`.

use super::Accepted;
use crate::core::{Agency, Finding, Form, Location, Registry, Rule, Severity, YearMonth};
use crate::normalize::Return;
use std::collections::BTreeMap;

/// What became of a unit's return this month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Received and consolidated.
    Accepted,
    /// Received as a correction that replaced an earlier return.
    Corrected,
    /// Nothing received.
    Missing,
    /// Several returns that cannot be told apart: all held back.
    Duplicate,
    /// Received for another month: held back.
    WrongMonth,
    /// Received on another form than the registry says: held back.
    WrongForm,
    /// The agency code is not in the registry: held back.
    UnknownAgency,
    /// A file that is the agency's arrived but could not be read or
    /// recognized: nothing to consolidate, but not missing either.
    Unreadable,
}

impl Status {
    /// Japanese label for the 提出状況 sheet.
    pub fn name_ja(self) -> &'static str {
        match self {
            Status::Accepted => "受理",
            Status::Corrected => "受理（訂正版）",
            Status::Missing => "未提出",
            Status::Duplicate => "保留（重複）",
            Status::WrongMonth => "保留（年月違い）",
            Status::WrongForm => "保留（様式違い）",
            Status::UnknownAgency => "保留（登録外）",
            Status::Unreadable => "届いたが読めない",
        }
    }
}

/// One line of the submission status.
#[derive(Debug, Clone)]
pub struct UnitStatus {
    /// Agency code (as found, for unknown agencies).
    pub agency_code: String,
    /// Registry name (or the name in the return).
    pub agency_name: String,
    /// The form owed (or found).
    pub form: String,
    /// Files received.
    pub files: Vec<String>,
    /// What became of them.
    pub status: Status,
    /// Findings about this agency this month.
    pub findings: usize,
    /// Why, where the status needs it (the reason a file could not be read).
    pub note: String,
}

/// A file that could not be read or recognized, attributed to the agency
/// it most likely belongs to (its code in the cells or the file name, or
/// its registry name): the agency sent something, so it is not missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The agency it was attributed to.
    pub agency_code: String,
    /// The file.
    pub file: String,
    /// Why it could not be read, short, for the 提出状況 sheet.
    pub reason: String,
}

pub(super) struct Decision<'a> {
    pub accepted: Vec<Accepted<'a>>,
    pub held_back: Vec<String>,
    pub statuses: Vec<UnitStatus>,
}

pub(super) fn decide<'a>(
    month: YearMonth,
    registry: &'a Registry,
    returns: &'a [Return],
    expected_form: &dyn Fn(&Agency) -> Option<Form>,
    unreadable: &[Unreadable],
    findings: &mut Vec<Finding>,
) -> Decision<'a> {
    let mut by_agency: BTreeMap<&str, Vec<&'a Return>> = BTreeMap::new();
    let mut statuses = Vec::new();
    let mut held_back = Vec::new();
    for ret in returns {
        let code = ret
            .agency_code
            .as_ref()
            .map(|a| a.value.as_str())
            .unwrap_or("");
        for p in &ret.problems {
            findings.push(p.clone().into_finding(month, code));
        }
        let Some(agency_code) = &ret.agency_code else {
            // Reported by normalize as missing_field; nothing to file it under.
            continue;
        };
        if registry.agency(&agency_code.value).is_none() {
            findings.push(
                Finding::new(
                    month,
                    Severity::Error,
                    Rule::UnknownAgency,
                    format!("機関コード「{}」は登録にありません。この報告は集計していません (unknown agency: held back)", agency_code.value),
                )
                .agency(&agency_code.value)
                .figures("登録された機関コード", &agency_code.text)
                .at(agency_code.source.clone()),
            );
            statuses.push(UnitStatus {
                agency_code: agency_code.value.clone(),
                agency_name: ret.agency_name.clone().unwrap_or_default(),
                form: ret.form.code().into(),
                files: vec![ret.file.clone()],
                status: Status::UnknownAgency,
                findings: 0,
                note: String::new(),
            });
            continue;
        }
        by_agency
            .entry(agency_code.value.as_str())
            .or_default()
            .push(ret);
    }
    let mut accepted = Vec::new();
    for agency in &registry.agencies {
        let rets = by_agency.remove(agency.code.as_str()).unwrap_or_default();
        let files: Vec<String> = rets.iter().map(|r| r.file.clone()).collect();
        let mut status = |s: Status| {
            statuses.push(UnitStatus {
                agency_code: agency.code.clone(),
                agency_name: agency.name.clone(),
                form: agency.form.map_or("", Form::code).into(),
                files: files.clone(),
                status: s,
                findings: 0,
                note: String::new(),
            })
        };
        let expected = expected_form(agency);
        let owed = expected.is_some();
        // The period a return is for: the month, or the fiscal year of a yearly form.
        let period = match expected {
            Some(f) if !f.is_monthly() => format!("{}年度", month.fiscal_year()),
            _ => month.ja(),
        };
        let unread: Vec<&Unreadable> = unreadable
            .iter()
            .filter(|u| u.agency_code == agency.code)
            .collect();
        if rets.is_empty() && !unread.is_empty() {
            // Its file arrived: the unreadable_file finding says why; a
            // missing_return beside it would have staff phone an agency
            // that did send its return.
            held_back.push(agency.code.clone());
            statuses.push(UnitStatus {
                agency_code: agency.code.clone(),
                agency_name: agency.name.clone(),
                form: agency.form.map_or("", Form::code).into(),
                files: unread.iter().map(|u| u.file.clone()).collect(),
                status: Status::Unreadable,
                findings: 0,
                note: unread
                    .iter()
                    .map(|u| u.reason.as_str())
                    .collect::<Vec<_>>()
                    .join(" / "),
            });
            continue;
        }
        if rets.is_empty() {
            if owed {
                findings.push(
                    Finding::new(
                        month,
                        Severity::Error,
                        Rule::MissingReturn,
                        format!(
                            "{}（{}）の{}の報告（様式{}）が届いていません (no return)",
                            agency.name,
                            agency.code,
                            period,
                            expected.map_or("", Form::code)
                        ),
                    )
                    .agency(&agency.code)
                    .figures(1, 0),
                );
                status(Status::Missing);
            }
            continue;
        }
        // Returns for another month are held back before duplicates are judged.
        // Beside the agency's return for the batch month, such a file costs
        // nothing (a warning); as its only return, the month's is missing.
        let has_this_month = rets
            .iter()
            .any(|r| r.month.as_ref().is_none_or(|m| m.value == month));
        let mut this_month = Vec::new();
        for r in rets {
            match &r.month {
                Some(m) if m.value != month => {
                    let (severity, then) = if has_this_month {
                        (
                            Severity::Warning,
                            "この機関の集計には同じフォルダの当月分を使いました",
                        )
                    } else {
                        (Severity::Error, "当月分の報告を送ってもらってください")
                    };
                    findings.push(
                        Finding::new(
                            month,
                            severity,
                            Rule::MonthMismatch,
                            format!("「{}」は報告年月が{}です。{}の集計には含めていません。{then} (return for another month: held back)", r.file, m.value.ja(), month.ja()),
                        )
                        .agency(&agency.code)
                        .figures(month, m.value)
                        .at(m.source.clone()),
                    );
                }
                // A month that could not be read is already a finding; the
                // figures are still the agency's only return for the batch.
                _ => this_month.push(r),
            }
        }
        if this_month.is_empty() {
            held_back.push(agency.code.clone());
            status(Status::WrongMonth);
            continue;
        }
        let chosen = if this_month.len() == 1 {
            Some((this_month[0], false))
        } else {
            // Precedence: 訂正 in the file name, then a higher 版, then a
            // later 提出日. A unique front-runner replaces the others.
            let rank = |r: &Return| (r.file.contains("訂正"), r.edition, r.submitted);
            let mut ranked: Vec<&&Return> = this_month.iter().collect();
            ranked.sort_by_key(|r| std::cmp::Reverse(rank(r)));
            let corrections: Vec<&&Return> = if rank(ranked[0]) > rank(ranked[1]) {
                vec![ranked[0]]
            } else {
                Vec::new()
            };
            if corrections.len() == 1 {
                let winner = *corrections[0];
                for r in this_month.iter().filter(|r| r.file != winner.file) {
                    findings.push(
                        Finding::new(
                            month,
                            Severity::Info,
                            Rule::ReplacedByCorrection,
                            format!(
                                "「{}」は訂正版「{}」（訂正・版・提出日による）に差し替えました (replaced by the correction)",
                                r.file, winner.file
                            ),
                        )
                        .agency(&agency.code)
                        .figures(&winner.file, &r.file)
                        .at(Location::file(&winner.file))
                        .at(Location::file(&r.file)),
                    );
                }
                Some((winner, true))
            } else {
                findings.push(
                    Finding::new(
                        month,
                        Severity::Error,
                        Rule::DuplicateReturn,
                        format!("{}件の報告が届き、どれが正しいか判別できません。すべて保留しました。訂正版はファイル名に「訂正」を入れるか、版・提出日を更新してください (duplicates held back)", this_month.len()),
                    )
                    .agency(&agency.code)
                    .figures(1, this_month.len())
                    .at_all(this_month.iter().map(|r| Location::file(&r.file))),
                );
                None
            }
        };
        let Some((ret, corrected)) = chosen else {
            held_back.push(agency.code.clone());
            status(Status::Duplicate);
            continue;
        };
        if expected != Some(ret.form) {
            let owed_form = expected.map_or("", Form::code);
            let message = if agency.reports {
                format!("{}は様式{owed_form}で報告する機関ですが、様式{}が届きました。集計には含めていません (wrong form: held back)", agency.name, ret.form)
            } else {
                format!("{}は報告義務のない機関（会議参加のみ）ですが、様式{}が届きました。集計には含めていません (not a reporting unit: held back)", agency.name, ret.form)
            };
            findings.push(
                Finding::new(month, Severity::Error, Rule::FormMismatch, message)
                    .agency(&agency.code)
                    .figures(owed_form, ret.form)
                    .at(Location::file(&ret.file)),
            );
            held_back.push(agency.code.clone());
            status(Status::WrongForm);
            continue;
        }
        accepted.push(Accepted { ret, agency });
        status(if corrected {
            Status::Corrected
        } else {
            Status::Accepted
        });
    }
    Decision {
        accepted,
        held_back,
        statuses,
    }
}

#[cfg(test)]
mod tests {
    use crate::reconcile::testing::*;
    use chrono::NaiveDate;

    #[test]
    fn a_higher_edition_replaces_a_lower_one() {
        let mut v1 = f1_return("AGY-01", &[("elderly", "consultations", 5)]);
        let mut v2 = f1_return("AGY-01", &[("elderly", "consultations", 7)]);
        v1.edition = Some(1);
        v2.edition = Some(2);
        v2.file = "AGY-01-v2.xlsx".into();
        let out = crate::reconcile::reconcile(april(), &registry(&["AGY-01"]), &[v1, v2]);
        assert_eq!(
            only(&out.findings, "replaced_by_correction").actual,
            "AGY-01.xlsx"
        );
        assert_eq!(out.records[0].value, 7);
    }

    #[test]
    fn a_later_submission_date_wins_and_equal_ones_are_duplicates() {
        let date = |d| NaiveDate::from_ymd_opt(2025, 5, d);
        let mut a = f1_return("AGY-01", &[("elderly", "consultations", 5)]);
        let mut b = f1_return("AGY-01", &[("elderly", "consultations", 6)]);
        b.file = "AGY-01-b.xlsx".into();
        a.submitted = date(8);
        b.submitted = date(12);
        let out =
            crate::reconcile::reconcile(april(), &registry(&["AGY-01"]), &[a.clone(), b.clone()]);
        assert_eq!(out.records[0].value, 6);
        b.submitted = date(8);
        let out = crate::reconcile::reconcile(april(), &registry(&["AGY-01"]), &[a, b]);
        only(&out.findings, "duplicate_return");
        assert!(out.records.is_empty());
    }
}
