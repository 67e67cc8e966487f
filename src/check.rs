//! `kasane check`: an agency's self-check of its own return before sending.
//!
//! For each file it identifies the form and the agency, compares the
//! structure with the city's template of that form (labels missing, moved or
//! added; template version), and lists every problem normalization and the
//! single-return rules find (`total_mismatch`, `inconsistent_figures`), each
//! with its cell, the text found and what was expected, in Japanese and
//! English. Cross-agency rules need the whole month and are not run here.
//!
//! A file is read exactly as a month's run reads it
//! ([`crate::pipeline::read_returns`]): the same limits, the same
//! unreadable-file messages and agency attribution, and a workbook holding
//! several returns checked return by return. The annotated copy is written
//! by [`crate::report::annotate`].

use crate::core::location::a1;
use crate::core::{Finding, Location, Rule, Severity, YearMonth};
use crate::mapping::{FormLayout, Mappings, TableLayout};
use crate::normalize::text::label_key;
use crate::normalize::Return;
use crate::pipeline::attributed_agency;
use crate::read::{read_bytes, Book, Cell, Sheet};
use serde::Serialize;
use std::path::Path;

/// One problem in a checked return.
#[derive(Debug, Clone, Serialize)]
pub struct CheckFinding {
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// Stable rule code.
    pub rule: &'static str,
    /// Where: file / sheet / cell.
    pub location: String,
    /// What is wrong, in Japanese.
    pub message_ja: String,
    /// What is wrong, in English.
    pub message_en: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub actual: String,
    /// The cell, for annotation: (sheet, row, col), zero-based.
    #[serde(skip)]
    pub cell: Option<(String, u32, u32)>,
}

/// The check of one file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The file as given.
    pub file: String,
    /// The form recognised, if any.
    pub form: Option<String>,
    /// The layout file that read it.
    pub layout: Option<String>,
    /// The agency code found (`;`-joined for a workbook of several
    /// returns); for a file that gave no return, the agency a month's run
    /// attributes it to, if any.
    pub agency_code: Option<String>,
    /// The agency's registry name.
    pub agency_name: Option<String>,
    /// The month found.
    pub month: Option<String>,
    /// Figures read.
    pub figures: usize,
    /// Every problem, structure first.
    pub findings: Vec<CheckFinding>,
    /// For a file no layout recognised: the nearest layout, its score, the
    /// labels found and missing with the closest text seen and its cell.
    pub near_miss: Option<crate::normalize::NearMiss>,
}

impl CheckReport {
    /// True when nothing at `error` level was found: the return is read
    /// whole as it is (warnings say what to bring back to the template).
    pub fn passes(&self) -> bool {
        self.findings
            .iter()
            .all(|f| f.severity != Severity::Error.code())
    }

    /// True when nothing at `error` or `warning` level was found.
    pub fn is_sound(&self) -> bool {
        self.findings
            .iter()
            .all(|f| f.severity == Severity::Info.code())
    }
}

/// Splits a message written `日本語 (English)` into its two languages.
pub fn split_message(message: &str) -> (String, String) {
    match (message.rfind(" ("), message.ends_with(')')) {
        (Some(i), true) => (
            message[..i].to_string(),
            message[i + 2..message.len() - 1].to_string(),
        ),
        _ => (message.to_string(), message.to_string()),
    }
}

/// A finding as the check shows it; the first place is the cell to mark.
fn from_finding(f: &Finding) -> CheckFinding {
    let (message_ja, message_en) = split_message(&f.message);
    CheckFinding {
        severity: f.severity.code(),
        rule: f.rule.code(),
        location: f.source_text(),
        message_ja,
        message_en,
        expected: f.expected.clone(),
        actual: f.actual.clone(),
        cell: f
            .sources
            .first()
            .and_then(|loc| loc.cell.map(|(r, c)| (loc.sheet.clone(), r, c))),
    }
}

/// Checks one file. `template` is the city's blank template of the form, if
/// one is available, for the structure comparison.
pub fn check_file(
    path: &Path,
    mappings: &Mappings,
    templates: Option<&Path>,
) -> (CheckReport, Option<Book>) {
    let (mut report, book) = check_unscreened(path, mappings, templates);
    screen(&mut report);
    (report, book)
}

/// Withholds what looks like personal data in every text the report
/// prints, writes as JSON or puts in the annotated copy (messages quoting a
/// cell, the texts of a near miss), with one `personal_data_suspected`
/// finding per place — as a month's run does for its outputs.
fn screen(report: &mut CheckReport) {
    use crate::reconcile::screen::withhold;
    // (location, cell for the annotation, kind) of each flagged place.
    type Place = (String, Option<(String, u32, u32)>, String);
    let mut places: Vec<Place> = Vec::new();
    for f in &mut report.findings {
        for t in [
            &mut f.message_ja,
            &mut f.message_en,
            &mut f.expected,
            &mut f.actual,
        ] {
            let (text, kind) = withhold(t);
            if let Some(kind) = kind {
                *t = text;
                if !places.iter().any(|(l, _, _)| *l == f.location) {
                    places.push((f.location.clone(), f.cell.clone(), kind));
                }
            }
        }
    }
    if let Some(near) = &mut report.near_miss {
        let texts =
            near.found
                .iter_mut()
                .map(|l| (&mut l.text, l.cell.clone()))
                .chain(near.missing.iter_mut().filter_map(|m| {
                    Some((m.closest.as_mut()?, m.cell.clone().unwrap_or_default()))
                }));
        for (t, cell) in texts {
            let (text, kind) = withhold(t);
            if let Some(kind) = kind {
                *t = text;
                if !places.iter().any(|(l, _, _)| *l == cell) {
                    places.push((cell, None, kind));
                }
            }
        }
    }
    for (location, cell, kind) in places {
        report.findings.push(CheckFinding {
            severity: Severity::Error.code(),
            rule: Rule::PersonalDataSuspected.code(),
            location,
            message_ja: format!(
                "{kind}があります。個人情報は報告に書かないでください（内容は表示しません）"
            ),
            message_en: "looks like personal data: the text is withheld; remove it before sending"
                .into(),
            expected: String::new(),
            actual: String::new(),
            cell,
        });
    }
}

/// The file read as a month's run reads it ([`crate::pipeline::read_returns`]:
/// the same limits, the same multi-return workbooks, the same unreadable
/// messages and agency attribution), then each return checked on its own.
fn check_unscreened(
    path: &Path,
    mappings: &Mappings,
    templates: Option<&Path>,
) -> (CheckReport, Option<Book>) {
    let name = path
        .file_name()
        .map(crate::pipeline::file_name_text)
        .unwrap_or_default();
    let mut report = CheckReport {
        file: path.display().to_string(),
        form: None,
        layout: None,
        agency_code: None,
        agency_name: None,
        month: None,
        figures: 0,
        findings: Vec::new(),
        near_miss: None,
    };
    // The batch month is unknown here; findings carry the return's own.
    let (_, book, results) = crate::pipeline::read_returns(&name, path, mappings, None);
    let mut read = Read::default();
    for result in results {
        match result {
            Ok(ret) => {
                let book = book.as_ref().expect("a return comes from a workbook");
                check_return(&mut report, &mut read, book, &ret, mappings, templates);
            }
            Err(p) => {
                // Attributed as the month's run attributes it (提出状況).
                if let Some(code) = attributed_agency(&name, &p, &mappings.registry) {
                    read.agency(&code, mappings);
                }
                if report.near_miss.is_none() {
                    report.near_miss = p.near_miss.as_deref().cloned();
                }
                let agency = read.codes.first().cloned().unwrap_or_default();
                let f = p.into_finding(PLACEHOLDER, &agency);
                report.findings.push(from_finding(&f));
            }
        }
    }
    read.fill(&mut report);
    (report, book)
}

/// The batch month is unknown to a check; findings carry the return's own.
const PLACEHOLDER: YearMonth = YearMonth {
    year: 2000,
    month: 1,
};

/// What the returns of one file said, each value once, in order: a
/// workbook holding several returns lists them all (`;`-joined, as the
/// month's run lists a file's forms).
#[derive(Default)]
struct Read {
    forms: Vec<String>,
    layouts: Vec<String>,
    codes: Vec<String>,
    names: Vec<String>,
    months: Vec<String>,
    figures: usize,
}

impl Read {
    fn agency(&mut self, code: &str, mappings: &Mappings) {
        if !self.codes.iter().any(|c| c == code) {
            self.codes.push(code.to_string());
            if let Some(a) = mappings.registry.agency(code) {
                self.names.push(a.name.clone());
            }
        }
    }

    fn fill(self, report: &mut CheckReport) {
        let joined = |v: Vec<String>| (!v.is_empty()).then(|| v.join(";"));
        report.form = joined(self.forms);
        report.layout = joined(self.layouts);
        report.agency_code = joined(self.codes);
        report.agency_name = joined(self.names);
        report.month = joined(self.months);
        report.figures = self.figures;
    }
}

fn push_once(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Checks one return of the file: its structure against the layout and the
/// template, its agency against the registry, the single-return rules.
fn check_return(
    report: &mut CheckReport,
    read: &mut Read,
    book: &Book,
    ret: &Return,
    mappings: &Mappings,
    templates: Option<&Path>,
) {
    let name = ret.file.as_str();
    let month = ret.month.as_ref().map_or(PLACEHOLDER, |m| m.value);
    push_once(&mut read.forms, ret.form.code().to_string());
    push_once(&mut read.layouts, ret.layout.clone());
    if let Some(m) = &ret.month {
        push_once(&mut read.months, m.value.to_string());
    }
    read.figures += ret.figures.len();
    // The structure is compared with the layout as recognition read it
    // (labels it found in other words are reported as label_matched).
    let layout = ret
        .effective_layout
        .as_deref()
        .or_else(|| mappings.layouts.iter().find(|l| l.file == ret.layout));
    if let Some(layout) = layout {
        if let Some(sheet) = book.sheets.iter().find(|s| s.name == ret.sheet) {
            report
                .findings
                .extend(structure(book, sheet, layout, ret, templates));
        }
    }
    let code = ret
        .agency_code
        .as_ref()
        .map(|a| a.value.clone())
        .unwrap_or_default();
    if !code.is_empty() {
        read.agency(&code, mappings);
        if mappings.registry.agency(&code).is_none() {
            let loc = ret
                .agency_code
                .as_ref()
                .map(|a| a.source.clone())
                .unwrap_or_else(|| Location::file(name));
            let f = Finding::new(month, Severity::Error, Rule::UnknownAgency, format!("機関コード「{code}」は登録にありません (the agency code is not in the registry)"))
                .at(loc);
            report.findings.push(from_finding(&f));
        }
    }
    // Single-return rules, through the same code as the monthly batch.
    let outcome = crate::reconcile::reconcile(month, &mappings.registry, std::slice::from_ref(ret));
    for f in outcome.findings.iter().filter(|f| {
        matches!(
            f.rule,
            Rule::BadValue
                | Rule::MissingField
                | Rule::TotalMismatch
                | Rule::InconsistentFigures
                | Rule::FormMismatch
                | Rule::PersonalDataSuspected
                | Rule::UnreadRow
                | Rule::UnreadableFile
                | Rule::MonthMismatch
                | Rule::LabelMatched
        )
    }) {
        report.findings.push(from_finding(f));
    }
}

/// Labels of the layout's optional columns (a 累計, a figure some programmes
/// lack): a return may leave them out, as the reader does (a column that is
/// there but moved is still reported).
fn optional_labels(layout: &FormLayout) -> Vec<&Vec<String>> {
    layout
        .tables
        .iter()
        .filter_map(|t| match &t.layout {
            TableLayout::Wide {
                columns, optional, ..
            } => Some(
                columns
                    .iter()
                    .filter(|(m, _)| optional.contains(m))
                    .map(|(_, l)| l),
            ),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Label groups the layout expects on its sheet: (what, aliases).
fn expected_labels(layout: &FormLayout) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    // Header cells: only identity is required, and normalize says when it
    // is missing (or told from a name); the version cell is checked below.
    for t in &layout.tables {
        match &t.layout {
            TableLayout::Wide {
                key_column,
                columns,
                key_column_at,
                ..
            } => {
                // A key column told by its row labels (blank heading) was
                // reported as label_matched already.
                if key_column_at.is_none() {
                    out.push((key_column[0].clone(), key_column.clone()));
                }
                out.extend(columns.iter().map(|(_, l)| (l[0].clone(), l.clone())));
            }
            TableLayout::Items {
                label_column,
                value_column,
                items,
            } => {
                out.push((label_column[0].clone(), label_column.clone()));
                out.push((value_column[0].clone(), value_column.clone()));
                out.extend(items.iter().map(|(_, l)| (l[0].clone(), l.clone())));
            }
            TableLayout::Cases { columns, .. } => {
                out.extend(columns.iter().map(|(_, l)| (l[0].clone(), l.clone())))
            }
            TableLayout::Long { columns, .. } => {
                out.extend(columns.iter().map(|(_, l)| (l[0].clone(), l.clone())))
            }
        }
    }
    out
}

/// Row keys of code-keyed wide tables: (code, aliases) — rows the form has.
fn expected_rows(layout: &FormLayout, template: Option<&Sheet>) -> Vec<String> {
    let Some(t) = template else { return Vec::new() };
    let mut rows = Vec::new();
    for table in &layout.tables {
        if let TableLayout::Wide {
            keys,
            key_kind: crate::mapping::KeyKind::Code,
            ..
        } = &table.layout
        {
            // The template's own row labels that the key map knows.
            for cell in t.rows.iter().flatten() {
                if let Cell::Text(s) = cell {
                    if keys.contains_key(&label_key(s)) && !rows.contains(s) {
                        rows.push(s.clone());
                    }
                }
            }
        }
    }
    rows
}

fn find(sheet: &Sheet, aliases: &[String]) -> Option<(usize, usize)> {
    let keys: Vec<String> = aliases.iter().map(|a| label_key(a)).collect();
    sheet.rows.iter().enumerate().find_map(|(r, row)| {
        row.iter()
            .position(|c| matches!(c, Cell::Text(t) if keys.contains(&label_key(t))))
            .map(|c| (r, c))
    })
}

fn sheet_a1(sheet: &Sheet, r: usize, c: usize) -> String {
    a1(sheet.origin.0 + r as u32, sheet.origin.1 + c as u32)
}

/// Compares the return's structure with the layout and the city's template.
fn structure(
    book: &Book,
    sheet: &Sheet,
    layout: &FormLayout,
    ret: &Return,
    templates: Option<&Path>,
) -> Vec<CheckFinding> {
    let file = book.file.as_str();
    let template_book = templates
        .map(|dir| dir.join(format!("{}.xlsx", layout.form.code())))
        .filter(|p| p.exists() && layout.version.is_some())
        .and_then(|p| {
            std::fs::read(&p)
                .ok()
                .and_then(|b| read_bytes(&b, "template.xlsx").ok())
        });
    let template = template_book.as_ref().and_then(|b| b.sheets.first());
    let mut out = Vec::new();
    let mut push = |severity: Severity,
                    rule: Rule,
                    r: Option<(usize, usize)>,
                    ja: String,
                    en: String,
                    expected: String,
                    actual: String| {
        let loc = match r {
            Some((r, c)) => sheet.location(file, r, c),
            None => Location::file(file).in_sheet(&sheet.name),
        };
        out.push(CheckFinding {
            severity: severity.code(),
            rule: rule.code(),
            location: loc.to_string(),
            message_ja: ja,
            message_en: en,
            expected,
            actual,
            cell: loc.cell.map(|(r, c)| (loc.sheet.clone(), r, c)),
        });
    };
    if let (Some(want), Some(got)) = (&layout.version, &ret.version) {
        if label_key(want) != label_key(got) {
            let at = find(sheet, std::slice::from_ref(got));
            push(
                Severity::Warning,
                Rule::TemplateMismatch,
                at,
                format!("様式バージョンが「{got}」です。最新の様式は「{want}」です"),
                format!("template version is {got}; the current one is {want}"),
                want.clone(),
                got.clone(),
            );
        }
    }
    if layout.version.is_some()
        && ret.version.is_none()
        && layout
            .header
            .iter()
            .any(|(f, _)| *f == crate::mapping::HeaderField::Version)
    {
        push(
            Severity::Info,
            Rule::TemplateMismatch,
            None,
            "様式バージョンの欄がありません（集計には影響しません）".into(),
            "no template version cell (does not affect the figures)".into(),
            layout.version.clone().unwrap_or_default(),
            String::new(),
        );
    }
    let optional = optional_labels(layout);
    // A heading in other words (or none) that the reader still found by its
    // content does not cost a figure: the agency is told, as a warning, to
    // follow the template. Only when reading missed something (its own
    // missing_field error says what) is a missing heading an error.
    let read_whole = !ret
        .problems
        .iter()
        .any(|p| p.rule == Rule::MissingField && p.severity == Severity::Error);
    for (what, aliases) in expected_labels(layout) {
        // A form may lie on several sheets: a label on any of them is there.
        let here = find(sheet, &aliases).or_else(|| {
            book.sheets
                .iter()
                .any(|s| find(s, &aliases).is_some())
                .then_some((usize::MAX, usize::MAX))
        });
        if here == Some((usize::MAX, usize::MAX)) {
            continue;
        }
        let there = template.and_then(|t| find(t, &aliases));
        match (here, there) {
            (None, _) if optional.contains(&&aliases) => {}
            (None, _) if read_whole => push(
                Severity::Warning,
                Rule::TemplateMismatch,
                None,
                format!("見出し「{what}」がありません。内容から読み取れたため集計には影響しませんが、市の様式の見出しにそろえてください"),
                format!("label {what} is missing; the return was read by its content (no figure lost), but please use the template's headings"),
                what.clone(),
                String::new(),
            ),
            (None, _) => push(
                Severity::Error,
                Rule::TemplateMismatch,
                None,
                format!("見出し「{what}」がありません"),
                format!("label {what} is missing"),
                what.clone(),
                String::new(),
            ),
            (Some((r, c)), Some((tr, tc))) if c != tc => {
                let (from, to) = (
                    template.map_or(String::new(), |t| sheet_a1(t, tr, tc)),
                    sheet_a1(sheet, r, c),
                );
                push(
                    Severity::Warning,
                    Rule::TemplateMismatch,
                    Some((r, c)),
                    format!("「{what}」の列が様式の {from} から {to} に移動しています"),
                    format!("{what} moved from {from} to {to}"),
                    from,
                    to,
                );
            }
            _ => {}
        }
    }
    if let Some(t) = template {
        for row_label in expected_rows(layout, Some(t)) {
            if find(sheet, std::slice::from_ref(&row_label)).is_none() {
                push(
                    Severity::Error,
                    Rule::TemplateMismatch,
                    None,
                    format!("行「{row_label}」がありません"),
                    format!("row {row_label} is missing"),
                    row_label.clone(),
                    String::new(),
                );
            }
        }
    }
    out
}

/// The annotated copy of a checked return ([`crate::report::annotate`]):
/// its sheets written back with every problem cell marked and noted, and a
/// sheet listing every problem.
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value.
pub fn annotate(book: &Book, report: &CheckReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let marked: Vec<crate::report::annotate::Marked<'_>> = report
        .findings
        .iter()
        .map(|f| crate::report::annotate::Marked {
            severity: f.severity,
            rule: f.rule,
            location: &f.location,
            message_ja: &f.message_ja,
            message_en: &f.message_en,
            expected: &f.expected,
            actual: &f.actual,
            cell: f.cell.as_ref().map(|(s, r, c)| (s.as_str(), *r, *c)),
        })
        .collect();
    crate::report::annotate::annotate(book, &marked)
}
