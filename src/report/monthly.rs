//! The monthly consolidated workbook (月次集計) that planning staff read:
//!
//! * 概要 — what was received against what was expected, findings by
//!   severity, row accounting, and the run's inputs with their hashes;
//! * 提出状況 — one row per registry unit;
//! * one sheet per project (事業1–6) — figures by agency (F3/F4 by area or
//!   site), a 合計 row and subtotals by field and by area, as formulas whose
//!   cached results are written too, so any reader sees the numbers;
//! * 区別集計 — flows by area;
//! * 評価指標 — the plan's indicators: baseline, target, this fiscal year to
//!   date (earlier months from `out/`), progress;
//! * 突合結果 — every finding, filterable, with the cells of both sides;
//! * 明細 — every record with its source file, sheet and cell.
//!
//! Text from returns is always written as a string, never as a formula. The
//! creation time is fixed from the month so reruns are byte-identical.

use crate::core::metric::{field_name_ja, project_name_ja, Kind};
use crate::core::{Form, Metric, Severity};
use crate::derive::tables::{AreaTable, ProjectTable};
use crate::derive::{MonthFigures, MonthRun};
use crate::mapping::indicators::IndicatorKind;
use crate::report::cell::{summarize, thousands, TextCells, MAX_LIST_ROWS};
use crate::report::style::{japanese_default, new_workbook, printable, Styles, TextWidths};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Formula, Worksheet, XlsxError};
use std::path::Path;

/// Builds the workbook in memory; 明細's temporary file goes in the system's
/// temporary folder.
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value (sheet limits) or cannot create
/// its temporary file.
pub fn build(run: &MonthRun, figures: &MonthFigures) -> Result<Vec<u8>, XlsxError> {
    build_in(run, figures, None)
}

/// [`build`] with 明細's temporary file (rust_xlsxwriter's constant-memory
/// sheet) in `tempdir`.
///
/// # Errors
/// As [`build`].
pub fn build_in(
    run: &MonthRun,
    figures: &MonthFigures,
    tempdir: Option<&Path>,
) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut wb = new_workbook()?;
    if let Some(dir) = tempdir {
        wb.set_tempdir(dir)?;
    }
    // Fixed from the month: the same inputs give the same bytes.
    let next = run.month.next();
    let created = ExcelDateTime::from_ymd(next.year as u16, next.month as u8, 1)?;
    // Deflate level 2 instead of rust_xlsxwriter's default 6: on a large month
    // deflating the parts (明細 above all) was about half of the write stage,
    // and level 2 takes less than half as long for a somewhat larger file
    // (the 20× bench month's workbook: 4.3 MB; BENCHMARKS.md). The parts'
    // XML is the same at any level.
    wb.set_zip_compression_level(2);
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} 重層的支援体制整備事業 月次集計 {}",
                run.mappings.municipality.name,
                run.month.ja()
            ))
            .set_author("kasane")
            .set_creation_datetime(&created),
    );
    // 明細 is most of the work (one row per record) and the other sheets do
    // not depend on it, so it is filled on one thread while the others are
    // built on the other. 明細 streams its rows to a temporary file and takes
    // its cell formats from the workbook's table as it writes them; the other
    // sheets keep theirs until the workbook is saved, so the formats are
    // numbered in the same order whichever thread finishes first.
    let mut details_ws = wb.new_worksheet_with_constant_memory()?;
    japanese_default(&mut details_ws)?;
    type Sheets = (Vec<Worksheet>, Vec<(Metric, String)>);
    let (details_done, sheets) = rayon::join(
        || details(&mut details_ws, run, &st),
        || -> Result<Sheets, XlsxError> {
            let sheet = |fill: &mut dyn FnMut(&mut Worksheet) -> Result<(), XlsxError>| {
                let mut ws = Worksheet::new();
                japanese_default(&mut ws)?;
                fill(&mut ws).map(|()| ws)
            };
            let mut sheets = vec![
                sheet(&mut |ws| summary(ws, run, figures, &st))?,
                sheet(&mut |ws| submissions(ws, run, &st))?,
            ];
            let mut names = Vec::new();
            for table in &figures.projects {
                sheets.push(sheet(&mut |ws| {
                    names.extend(project_sheet(ws, run, table, &st)?);
                    Ok(())
                })?);
            }
            sheets.push(sheet(&mut |ws| by_area(ws, run, &figures.areas, &st))?);
            sheets.push(sheet(&mut |ws| indicators(ws, run, figures, &st))?);
            sheets.push(sheet(&mut |ws| findings(ws, run, &st))?);
            Ok((sheets, names))
        },
    );
    details_done?;
    let (sheets, names) = sheets?;
    for ws in sheets {
        wb.push_worksheet(ws);
    }
    wb.push_worksheet(details_ws);
    // A name per total (合計_consultations …) that other workbooks and
    // finance's checks can refer to, whichever row the total lands on.
    for (metric, cell) in names {
        wb.define_name(format!("合計_{}", metric.code()), &cell)?;
    }
    wb.save_to_buffer()
}

fn summary(
    ws: &mut Worksheet,
    run: &MonthRun,
    figures: &MonthFigures,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("概要")?;
    printable(ws);
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 20)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 68)?;
    ws.write_text_with_format(
        0,
        0,
        format!(
            "{} 重層的支援体制整備事業 月次集計（{}）",
            run.mappings.municipality.name,
            run.month.ja()
        ),
        &st.title,
    )?;
    let rows: Vec<(&str, String)> = vec![
        ("対象年月 (month)", run.month.to_string()),
        (
            "報告フォルダ (returns)",
            run.returns_dir.display().to_string(),
        ),
        (
            "対応表フォルダ (mappings)",
            run.mappings.dir.display().to_string(),
        ),
        ("kasane バージョン", env!("CARGO_PKG_VERSION").to_string()),
        ("", String::new()),
        (
            "提出義務のある機関数 (units owing a return)",
            figures.owed.to_string(),
        ),
        ("受理した報告 (accepted)", figures.accepted.to_string()),
        ("未提出 (missing)", figures.missing.to_string()),
        ("保留 (held back)", figures.held_back.to_string()),
        (
            "読み込んだファイル (files read)",
            run.inputs.len().to_string(),
        ),
        (
            "対象外のファイル (ignored files)",
            run.ignored.len().to_string(),
        ),
        ("", String::new()),
        (
            "突合結果 エラー (errors)",
            run.count(Severity::Error).to_string(),
        ),
        (
            "突合結果 警告 (warnings)",
            run.count(Severity::Warning).to_string(),
        ),
        (
            "突合結果 情報 (info)",
            run.count(Severity::Info).to_string(),
        ),
        (
            "免除済みの指摘 (waived; 突合結果に表示)",
            run.waived().to_string(),
        ),
        ("", String::new()),
        ("読み込んだ行 (rows read)", run.rows.read.to_string()),
        (
            "　明細になった行 (rows → records)",
            run.rows.records.to_string(),
        ),
        (
            "　指摘のあった行 (rows → findings)",
            run.rows.findings.to_string(),
        ),
        (
            "　除外した行：空行 (blank)",
            run.rows.skipped_blank.to_string(),
        ),
        (
            "　除外した行：見出し (headers)",
            run.rows.skipped_header.to_string(),
        ),
        (
            "　除外した行：合計行 (totals, checked)",
            run.rows.skipped_total.to_string(),
        ),
        (
            "　除外した行：表題・備考 (titles, notes)",
            run.rows.skipped_note.to_string(),
        ),
        (
            "　除外した行：他のシート (other sheets)",
            run.rows.skipped_other_sheet.to_string(),
        ),
        ("明細件数 (records)", run.outcome.records.len().to_string()),
        (
            "検討事案 (case-list rows)",
            run.outcome.cases.len().to_string(),
        ),
    ];
    for (i, (label, value)) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        if label.is_empty() {
            continue;
        }
        ws.write_text_with_format(r, 0, *label, &st.text)?;
        match value.parse::<f64>() {
            Ok(n) if !value.contains('-') => ws.write_number_with_format(r, 1, n, &st.num)?,
            _ => ws.write_text_with_format(r, 1, value, &st.text)?,
        };
    }
    let mut r = 3 + rows.len() as u32;
    ws.write_text_with_format(r, 0, "入力ファイル (inputs)", &st.title)?;
    r += 1;
    for (c, h) in ["ファイル", "様式", "バイト数", "SHA-256"]
        .iter()
        .enumerate()
    {
        ws.write_text_with_format(r, c as u16, *h, &st.head)?;
    }
    for i in &run.inputs {
        r += 1;
        ws.write_text_with_format(r, 0, &i.name, &st.text)?;
        ws.write_text_with_format(r, 1, &i.form, &st.text)?;
        ws.write_number_with_format(r, 2, i.bytes as f64, &st.num)?;
        ws.write_text_with_format(r, 3, &i.sha256, &st.text)?;
    }
    Ok(())
}

fn submissions(ws: &mut Worksheet, run: &MonthRun, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("提出状況")?;
    printable(ws);
    let heads = [
        "機関コード",
        "機関名",
        "様式",
        "状況",
        "ファイル",
        "指摘件数",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_text_with_format(0, c as u16, *h, &st.head)?;
    }
    let mut widths = TextWidths::new(&heads);
    for (i, s) in run.outcome.statuses.iter().enumerate() {
        let r = 1 + i as u32;
        let fmt = if matches!(
            s.status,
            crate::reconcile::Status::Accepted | crate::reconcile::Status::Corrected
        ) {
            &st.text
        } else {
            &st.error
        };
        ws.write_text_with_format(r, 0, &s.agency_code, &st.text)?;
        ws.write_text_with_format(r, 1, &s.agency_name, &st.text)?;
        ws.write_text_with_format(r, 2, &s.form, &st.text)?;
        let status = if s.note.is_empty() {
            s.status.name_ja().to_string()
        } else {
            format!("{}（{}）", s.status.name_ja(), s.note)
        };
        ws.write_text_with_format(r, 3, &status, fmt)?;
        ws.write_text_with_format(r, 4, s.files.join("\n"), &st.text)?;
        ws.write_number_with_format(r, 5, s.findings as f64, &st.num)?;
        for (c, text) in [&s.agency_code, &s.agency_name, &s.form, status.as_str()]
            .into_iter()
            .enumerate()
        {
            widths.see(c, text);
        }
        for f in &s.files {
            widths.see(4, f);
        }
    }
    widths.apply(ws)?;
    ws.autofilter(
        0,
        0,
        run.outcome.statuses.len() as u32,
        heads.len() as u16 - 1,
    )?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// One sheet per project (spec §5): figures by agency (and by area or site
/// where the form reports them so), a 合計 row, then subtotals by field and by
/// area as SUMIF formulas over the rows above. Every formula carries its
/// result, computed here from the same records.
///
/// Returns each metric's total cell as an absolute reference.
fn project_sheet(
    ws: &mut Worksheet,
    run: &MonthRun,
    table: &ProjectTable,
    st: &Styles,
) -> Result<Vec<(Metric, String)>, XlsxError> {
    let project = table.project;
    let name = project_name_ja(project);
    let sheet = format!("事業{project} {}", name.trim_end_matches("事業"));
    ws.set_name(&sheet)?;
    printable(ws);
    let metrics = &table.metrics;
    let by_key = table.by_key;
    let form = table.form;
    ws.write_text_with_format(
        0,
        0,
        format!("{name}（様式{}） {}", form.code(), run.month.ja()),
        &st.title,
    )?;
    ws.write_text_with_format(
        1,
        0,
        "※ 実人数の合計は各機関の数値の単純合計であり、機関をまたいで重複を除いた人数ではありません (sums of persons across agencies, not unique persons)",
        &st.note,
    )?;
    if project == 2 {
        ws.write_text_with_format(
            2,
            0,
            "※ 支援員数は参加支援とアウトリーチの兼務のため、事業4（アウトリーチ）に一度だけ計上しています",
            &st.note,
        )?;
    }
    let mut heads = vec!["機関コード", "機関名", "分野", "区域"];
    if by_key {
        heads.push(if form == Form::F3 {
            "区域・統括"
        } else {
            "拠点・活動名"
        });
    }
    let first_metric = heads.len() as u16;
    let head_row = 3u32;
    for (c, h) in heads.iter().enumerate() {
        ws.write_text_with_format(head_row, c as u16, *h, &st.head)?;
    }
    for (i, m) in metrics.iter().enumerate() {
        // A running total's name already says 累計; only stocks need the note.
        let label = match m.kind() {
            Kind::Stock => format!("{}\n（時点値）", m.name_ja()),
            Kind::Flow | Kind::Cumulative => m.name_ja().to_string(),
        };
        ws.write_text_with_format(head_row, first_metric + i as u16, label, &st.head)?;
        ws.set_column_width(first_metric + i as u16, 14)?;
    }
    ws.set_row_height(head_row, 48)?;
    ws.set_repeat_rows(head_row, head_row)?;
    let mut widths = TextWidths::new(&heads);
    let mut r = head_row;
    for line in &table.lines {
        r += 1;
        let cells = [
            line.agency_code.as_str(),
            line.agency_name.as_str(),
            line.field.as_str(),
            line.area.as_str(),
            line.key.as_str(),
        ];
        for (c, text) in cells.iter().take(heads.len()).enumerate() {
            widths.see(c, text);
            ws.write_text_with_format(r, c as u16, *text, &st.text)?;
        }
        for (i, v) in line.values.iter().enumerate() {
            let c = first_metric + i as u16;
            match v {
                Some(v) => ws.write_number_with_format(r, c, *v as f64, &st.num)?,
                None => ws.write_blank(r, c, &st.text)?,
            };
        }
    }
    widths.apply(ws)?;
    let (first_data, last_data) = (head_row + 1, r);
    let total_row = r + 1;
    let mut totals = Vec::new();
    ws.write_text_with_format(total_row, 0, "合計", &st.total_label)?;
    for c in 1..first_metric {
        ws.write_blank(total_row, c, &st.total_label)?;
    }
    for (i, sum) in table.sums.iter().enumerate() {
        let c = first_metric + i as u16;
        let formula = if last_data >= first_data {
            Formula::new(format!("=SUM({})", column_range(c, first_data, last_data)))
                .set_result(sum.to_string())
        } else {
            Formula::new("=0").set_result("0")
        };
        ws.write_formula_with_format(total_row, c, formula, &st.total_num)?;
        let col = rust_xlsxwriter::utility::column_number_to_name(c);
        totals.push((metrics[i], format!("='{sheet}'!${col}${}", total_row + 1)));
    }
    // The two subtotal blocks: label in the first column, SUMIF over the
    // 分野 (C) or 区域 (D) column of the agency rows.
    let mut row = total_row + 2;
    for (title, criteria_col, groups) in [
        ("分野別（各機関の数値の合計）", 2u16, &table.by_field),
        ("区域別（各機関の数値の合計）", 3u16, &table.by_area),
    ] {
        if groups.len() < 2 || last_data < first_data {
            continue;
        }
        ws.merge_text((row, 0), (row, first_metric - 1), title, &st.head)?;
        row += 1;
        for (label, values) in groups.iter() {
            let shown = match (criteria_col, run.mappings.registry.area(label)) {
                (3, Some(a)) => format!("{label} {}", a.name),
                _ => label.to_string(),
            };
            ws.merge_text((row, 0), (row, first_metric - 1), &shown, &st.total_label)?;
            for (i, v) in values.iter().enumerate() {
                let c = first_metric + i as u16;
                let formula = Formula::new(format!(
                    "=SUMIF({},\"{}\",{})",
                    absolute_range(criteria_col, first_data, last_data),
                    sumif_criterion(label),
                    column_range(c, first_data, last_data)
                ))
                .set_result(v.to_string());
                ws.write_formula_with_format(row, c, formula, &st.total_num)?;
            }
            row += 1;
        }
        row += 1;
    }
    ws.set_freeze_panes(head_row + 1, 2)?;
    Ok(totals)
}

/// `label` as a SUMIF criterion that matches exactly that text: SUMIF reads
/// `*`, `?` and `~` as wildcards and a leading `<`, `>` or `=` as a
/// comparison, and the formula quotes it, so `"` doubles.
fn sumif_criterion(label: &str) -> String {
    let mut out = String::new();
    if label.starts_with(['<', '>', '=']) {
        out.push('=');
    }
    for ch in label.chars() {
        match ch {
            '*' | '?' | '~' => {
                out.push('~');
                out.push(ch);
            }
            '"' => out.push_str("\"\""),
            _ => out.push(ch),
        }
    }
    out
}

/// `E5:E40`: one column from the first to the last row (0-based rows).
fn column_range(col: u16, first: u32, last: u32) -> String {
    let name = rust_xlsxwriter::utility::column_number_to_name(col);
    format!("{name}{}:{name}{}", first + 1, last + 1)
}

/// `$C$5:$C$40`, the criteria range of a SUMIF.
fn absolute_range(col: u16, first: u32, last: u32) -> String {
    let name = rust_xlsxwriter::utility::column_number_to_name(col);
    format!("${name}${}:${name}${}", first + 1, last + 1)
}

fn by_area(
    ws: &mut Worksheet,
    run: &MonthRun,
    table: &AreaTable,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("区別集計")?;
    printable(ws);
    let flows = &table.flows;
    ws.write_text_with_format(
        0,
        0,
        format!("区域別集計 {}（件数・延べ数の合計）", run.month.ja()),
        &st.title,
    )?;
    ws.write_text_with_format(
        1,
        0,
        "※ 複数区域を担当する機関・全市の機関の数値は「複数区域・全市」の行に計上しています",
        &st.note,
    )?;
    let head_row = 3u32;
    ws.write_text_with_format(head_row, 0, "区域コード", &st.head)?;
    ws.write_text_with_format(head_row, 1, "区域名", &st.head)?;
    ws.set_column_width(1, 18)?;
    for (i, m) in flows.iter().enumerate() {
        ws.write_text_with_format(
            head_row,
            2 + i as u16,
            format!("{}\n（{}）", m.name_ja(), m.form()),
            &st.head,
        )?;
        ws.set_column_width(2 + i as u16, 13)?;
    }
    ws.set_row_height(head_row, 60)?;
    for (i, (code, name, values)) in table.lines.iter().enumerate() {
        let r = head_row + 1 + i as u32;
        ws.write_text_with_format(r, 0, code, &st.text)?;
        ws.write_text_with_format(r, 1, name, &st.text)?;
        for (j, v) in values.iter().enumerate() {
            ws.write_number_with_format(r, 2 + j as u16, *v as f64, &st.num)?;
        }
    }
    let total_row = head_row + 1 + table.lines.len() as u32;
    ws.write_text_with_format(total_row, 0, "合計", &st.total_label)?;
    ws.write_blank(total_row, 1, &st.total_label)?;
    for (j, sum) in table.sums.iter().enumerate() {
        let col = rust_xlsxwriter::utility::column_number_to_name(2 + j as u16);
        let f = Formula::new(format!("=SUM({col}{}:{col}{})", head_row + 2, total_row))
            .set_result(sum.to_string());
        ws.write_formula_with_format(total_row, 2 + j as u16, f, &st.total_num)?;
    }
    ws.set_freeze_panes(head_row + 1, 2)?;
    ws.set_repeat_rows(head_row, head_row)?;
    Ok(())
}

fn findings(ws: &mut Worksheet, run: &MonthRun, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("突合結果")?;
    printable(ws);
    let heads = [
        "重要度",
        "ルール",
        "ルール名",
        "機関コード",
        "内容",
        "期待値",
        "実際の値",
        "該当箇所",
        "状態",
        "免除の理由（承認者）",
    ];
    for (c, (h, w)) in heads
        .iter()
        .zip([8, 22, 18, 11, 70, 12, 12, 60, 8, 40])
        .enumerate()
    {
        ws.write_text_with_format(0, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, w)?;
    }
    let shown = run.outcome.findings.len().min(MAX_LIST_ROWS);
    for (i, f) in run.outcome.findings.iter().take(shown).enumerate() {
        let r = 1 + i as u32;
        let sev = if f.severity == Severity::Error && f.is_open() {
            &st.error
        } else {
            &st.text
        };
        ws.write_text_with_format(r, 0, f.severity.name_ja(), sev)?;
        ws.write_text_with_format(r, 1, f.rule.code(), &st.text)?;
        ws.write_text_with_format(r, 2, f.rule.name_ja(), &st.text)?;
        ws.write_text_with_format(r, 3, &f.agency_code, &st.text)?;
        ws.write_text_with_format(r, 4, &f.message, &st.text)?;
        ws.write_text_with_format(r, 5, &f.expected, &st.text)?;
        ws.write_text_with_format(r, 6, &f.actual, &st.text)?;
        // A finding may cite every cell of a long return; the cell names
        // the first ones and counts the rest (findings.csv has them all).
        ws.write_text_with_format(
            r,
            7,
            summarize(&f.sources, MAX_SOURCES_SHOWN, "\n"),
            &st.text,
        )?;
        let status = if f.is_open() { "未解決" } else { "免除" };
        ws.write_text_with_format(r, 8, status, &st.text)?;
        ws.write_text_with_format(r, 9, f.waiver.as_deref().unwrap_or(""), &st.text)?;
    }
    left_out(ws, shown, run.outcome.findings.len(), "findings.csv", st)?;
    ws.autofilter(0, 0, shown as u32, heads.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// 明細 is for people: one row per record with where it came from. The
/// machine-readable copy is records.csv (same records, same order, every
/// column). Two of records.csv's columns are left out here because they
/// repeat what is on every row: the month (the whole workbook is one month,
/// named in its title and in 概要) and the metric's code next to its name.
/// On a large month this sheet is most of the workbook, and every column costs
/// XML and deflate time in proportion (BENCHMARKS.md).
fn details(ws: &mut Worksheet, run: &MonthRun, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("明細")?;
    printable(ws);
    let heads = [
        "機関コード",
        "区域",
        "事業",
        "分野",
        "様式",
        "キー",
        "指標",
        "値",
        "ファイル",
        "シート",
        "セル",
    ];
    for (c, (h, w)) in heads
        .iter()
        .zip([11, 10, 5, 8, 5, 22, 30, 8, 28, 8, 16])
        .enumerate()
    {
        ws.write_text_with_format(0, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, w)?;
    }
    let shown = run.outcome.records.len().min(MAX_LIST_ROWS);
    for (i, rec) in run.outcome.records.iter().take(shown).enumerate() {
        let r = 1 + i as u32;
        ws.write_text(r, 0, &rec.agency_code)?;
        ws.write_text(r, 1, &rec.area_code)?;
        ws.write_number(r, 2, f64::from(rec.project))?;
        ws.write_text(r, 3, field_name_ja(&rec.field))?;
        ws.write_text(r, 4, rec.form.code())?;
        ws.write_text(r, 5, &rec.key)?;
        ws.write_text(r, 6, rec.metric.name_ja())?;
        ws.write_number(r, 7, rec.value as f64)?;
        ws.write_text(r, 8, &rec.source.file)?;
        ws.write_text(r, 9, &rec.source.sheet)?;
        ws.write_text(r, 10, rec.source.cell_text())?;
    }
    left_out(ws, shown, run.outcome.records.len(), "records.csv", st)?;
    ws.autofilter(0, 0, shown as u32, heads.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// How many cells of a finding the 突合結果 sheet names before 「…ほか N 件」.
const MAX_SOURCES_SHOWN: usize = 20;

/// Below a list sheet's last row, when rows were left out for Excel's row
/// limit: how many, and which CSV file has them all.
fn left_out(
    ws: &mut Worksheet,
    shown: usize,
    total: usize,
    csv: &str,
    st: &Styles,
) -> Result<(), XlsxError> {
    if shown < total {
        ws.write_text_with_format(
            1 + shown as u32,
            0,
            format!(
                "※ Excel の行数の上限のため、以下 {} 行を省略しました。全件は {csv} にあります ({} more rows left out for Excel's row limit; all are in {csv})",
                thousands((total - shown) as u64),
                total - shown
            ),
            &st.error,
        )?;
    }
    Ok(())
}

fn indicators(
    ws: &mut Worksheet,
    run: &MonthRun,
    figures: &MonthFigures,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("評価指標")?;
    printable(ws);
    ws.write_text_with_format(
        0,
        0,
        format!("事業目標・評価指標（{}時点）", run.month.ja()),
        &st.title,
    )?;
    let fy = run.month.fiscal_year();
    let fy_months: Vec<String> = figures
        .fiscal_year_months
        .iter()
        .map(ToString::to_string)
        .collect();
    ws.write_text_with_format(
        1,
        0,
        format!(
            "※ {}年度の集計対象月: {}（out/ に集計済みの月と当月）",
            fy,
            fy_months.join("、")
        ),
        &st.note,
    )?;
    let heads = [
        "指標",
        "種別",
        "現状値（基準）",
        "基準の時点",
        "目標値",
        "目標年度",
        "今年度累計（〜当月）",
        "現在値",
        "進捗率",
    ];
    for (c, (h, w)) in heads
        .iter()
        .zip([52, 8, 12, 24, 10, 10, 14, 12, 10])
        .enumerate()
    {
        ws.write_text_with_format(3, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, w)?;
    }
    for (i, (ind, s)) in run
        .mappings
        .indicators
        .iter()
        .zip(&figures.standings)
        .enumerate()
    {
        let r = 4 + i as u32;
        ws.write_text_with_format(r, 0, &ind.name, &st.text)?;
        ws.write_text_with_format(
            r,
            1,
            match ind.kind {
                IndicatorKind::Annual => "年度",
                IndicatorKind::Cumulative => "累計",
            },
            &st.text,
        )?;
        ws.write_number_with_format(r, 2, ind.baseline as f64, &st.num)?;
        ws.write_text_with_format(r, 3, &ind.baseline_note, &st.text)?;
        ws.write_number_with_format(r, 4, ind.target as f64, &st.num)?;
        ws.write_text_with_format(r, 5, format!("{}年度", ind.target_fiscal_year), &st.text)?;
        ws.write_number_with_format(r, 6, s.fiscal_year_to_date as f64, &st.num)?;
        ws.write_number_with_format(r, 7, s.current as f64, &st.num)?;
        match s.progress {
            Some(p) => ws.write_number_with_format(r, 8, p, &st.percent)?,
            None => ws.write_blank(r, 8, &st.text)?,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sumif_criteria_match_their_text_exactly() {
        assert_eq!(sumif_criterion("A1/A2"), "A1/A2");
        assert_eq!(sumif_criterion("高齢"), "高齢");
        assert_eq!(sumif_criterion("a*b?c~"), "a~*b~?c~~");
        assert_eq!(sumif_criterion(">5"), "=>5");
        assert_eq!(sumif_criterion("say \"hi\""), "say \"\"hi\"\"");
        assert_eq!(column_range(4, 4, 39), "E5:E40");
        assert_eq!(absolute_range(2, 4, 39), "$C$5:$C$40");
    }
}
