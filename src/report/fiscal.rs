//! The fiscal-year subsidy report (補助金報告) finance pulls: built only from
//! the months already consolidated under `out/` (their `records.csv` and
//! `findings.csv`, read back by [`crate::store::load_fiscal_year`]), so every
//! number traces back to a month's records and from there to a cell in a
//! return. The numbers are derived before ([`crate::derive::fiscal`]); this
//! module lays them out.
//!
//! Sheets: 概要 (months present, missing, with open errors), 事業別・分野別
//! (project × field × metric by month and for the year; stocks and running
//! totals (累計) show the last month's value and say which month), 提出状況
//! (unit × month), 事業費・交付額 (F5 costs and the grant computation by
//! part, rates and base amounts from `grant.toml`), 評価指標, 免除一覧
//! (waivers, with reasons and approvers).

use super::cell::TextCells;
use super::style::{new_workbook, printable, Styles};
use super::{io_err, write_atomically, ReportError};
use crate::core::metric::{field_name_ja, Kind};
use crate::core::Metric;
use crate::derive::fiscal::{FiscalData, Grant, Mark, MonthState, YearValue};
use crate::mapping::Mappings;
use crate::store::months::{COSTS, COSTS_FINDINGS};
use crate::store::{fiscal_dir, fiscal_months};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Formula, Worksheet, XlsxError};
use std::path::{Path, PathBuf};

/// The year's F5 cost records and findings, as consolidated before the
/// report is written (`FY<year>/costs.csv`, `costs_findings.csv`).
#[derive(Debug, Clone, Copy)]
pub struct CostFiles<'a> {
    /// F5 records.
    pub records: &'a [crate::core::Record],
    /// Findings about the cost returns.
    pub findings: &'a [crate::core::Finding],
    /// Whether cost returns were read this time (else the findings file of
    /// the run that read them is kept).
    pub returns_read: bool,
    /// The year's `costs.csv` on disk could not be read: it is kept as it
    /// is for a person to look at (the findings say so), never replaced by
    /// the few returns found in the months.
    pub keep_records_file: bool,
}

/// The report's file name.
pub fn report_name(fiscal_year: i32) -> String {
    format!("補助金報告_{fiscal_year}年度.xlsx")
}

/// Writes the year's F5 cost records and findings to `out/FY<year>/`
/// (`costs.csv`, `costs_findings.csv`), each atomically, before the year is
/// read back for the report. The caller holds the lock on `out`.
///
/// # Errors
/// If a file cannot be built or written.
pub fn write_costs(out: &Path, fiscal_year: i32, c: CostFiles<'_>) -> Result<(), ReportError> {
    let dir = fiscal_dir(out, fiscal_year);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let csv_err = |name: &str| {
        let path = dir.join(name);
        move |source| ReportError::Csv { path, source }
    };
    let records = super::csv_out::records(c.records).map_err(csv_err(COSTS))?;
    let findings = super::csv_out::findings(c.findings).map_err(csv_err(COSTS_FINDINGS))?;
    if !c.keep_records_file {
        write_atomically(&dir.join(COSTS), &records)?;
    }
    // Without a folder of cost returns read this time, the findings of
    // the run that read them stay.
    if c.returns_read || !c.findings.is_empty() {
        write_atomically(&dir.join(COSTS_FINDINGS), &findings)?;
    }
    Ok(())
}

/// Builds the report from the year's derived figures and writes it
/// atomically to `out/FY<year>/`. The caller holds the lock on `out` over
/// reading the year and this write. Returns the report's path.
///
/// # Errors
/// If the workbook cannot be built or written.
pub fn write(out: &Path, data: &FiscalData, mappings: &Mappings) -> Result<PathBuf, ReportError> {
    let dir = fiscal_dir(out, data.fiscal_year);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let path = dir.join(report_name(data.fiscal_year));
    let bytes = build(data, mappings).map_err(|source| ReportError::Workbook {
        path: path.clone(),
        source,
    })?;
    write_atomically(&path, &bytes)?;
    Ok(path)
}

/// Builds the fiscal-year workbook.
///
/// # Errors
/// Only if rust_xlsxwriter refuses a value.
pub fn build(data: &FiscalData, mappings: &Mappings) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut wb = new_workbook()?;
    // Fixed: the same months give the same bytes.
    let created = ExcelDateTime::from_ymd(data.fiscal_year as u16 + 1, 4, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} 重層的支援体制整備事業 {}年度 補助金報告",
                mappings.municipality.name, data.fiscal_year
            ))
            .set_author("kasane")
            .set_creation_datetime(&created),
    );
    summary(wb.add_worksheet(), data, mappings, &st)?;
    figures(wb.add_worksheet(), data, &st)?;
    roster(wb.add_worksheet(), data, &st)?;
    if let Some(total_row) = costs(wb.add_worksheet(), data, mappings, &st)? {
        // Names finance can point other workbooks at (Excel's 名前の管理).
        let x = total_row + 1;
        wb.define_name("総事業費合計", &format!("='事業費・交付額'!$C${x}"))?;
        wb.define_name("対象経費実支出額合計", &format!("='事業費・交付額'!$F${x}"))?;
        wb.define_name("所要額合計", &format!("='事業費・交付額'!$J${x}"))?;
    }
    indicators(wb.add_worksheet(), data, mappings, &st)?;
    waivers(wb.add_worksheet(), data, &st)?;
    wb.save_to_buffer()
}

fn summary(ws: &mut Worksheet, d: &FiscalData, m: &Mappings, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("概要")?;
    printable(ws);
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 12)?;
    ws.set_column_width(4, 40)?;
    ws.write_text_with_format(
        0,
        0,
        format!(
            "{} 重層的支援体制整備事業 {}年度 補助金報告（集計済みの月から作成）",
            m.municipality.name, d.fiscal_year
        ),
        &st.title,
    )?;
    for (c, h) in ["月", "状態", "明細件数", "未解決エラー", "備考"]
        .iter()
        .enumerate()
    {
        ws.write_text_with_format(2, c as u16, *h, &st.head)?;
    }
    for (i, (month, state)) in fiscal_months(d.fiscal_year)
        .iter()
        .zip(&d.month_states)
        .enumerate()
    {
        let r = 3 + i as u32;
        ws.write_text_with_format(r, 0, month.ja(), &st.text)?;
        match state {
            MonthState::Read {
                records,
                open_errors,
            } => {
                let errors = *open_errors;
                ws.write_text_with_format(
                    r,
                    1,
                    if errors > 0 {
                        "集計済み（エラーあり）"
                    } else {
                        "集計済み"
                    },
                    &st.text,
                )?;
                ws.write_number_with_format(r, 2, *records as f64, &st.num)?;
                ws.write_number_with_format(r, 3, errors as f64, &st.num)?;
                ws.write_text_with_format(
                    r,
                    4,
                    if errors > 0 {
                        "findings.csv の未解決エラーを確認してください"
                    } else {
                        ""
                    },
                    &st.text,
                )?;
            }
            MonthState::Unreadable(_) | MonthState::Missing => {
                let why = match state {
                    MonthState::Unreadable(why) => Some(why.clone()),
                    _ => None,
                };
                ws.write_text_with_format(
                    r,
                    1,
                    if why.is_some() {
                        "読めません"
                    } else {
                        "未集計"
                    },
                    &st.text,
                )?;
                ws.write_blank(r, 2, &st.text)?;
                ws.write_blank(r, 3, &st.text)?;
                ws.write_text_with_format(
                    r,
                    4,
                    why.unwrap_or_else(|| "kasane run でこの月を集計してください".into()),
                    &st.text,
                )?;
            }
        }
    }
    ws.write_text_with_format(
        16,
        0,
        "※ 実人数（新規・継続相談者数など）の合計は各機関の数値の合計であり、重複を除いた人数ではありません。時点値（継続相談者数・月末人数・支援員数）と累計は月をまたいで合計せず、最後に集計された月の値を示します。それより前の月に報告した機関がその月に報告していなければ、事業別・分野別の備考に赤字で機関を示します（その機関の値は年度の値に含まれません）。",
        &st.note,
    )?;
    Ok(())
}

fn figures(ws: &mut Worksheet, d: &FiscalData, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("事業別・分野別")?;
    printable(ws);
    ws.write_text_with_format(
        0,
        0,
        format!("事業別・分野別の実績（{}年度）", d.fiscal_year),
        &st.title,
    )?;
    let months = fiscal_months(d.fiscal_year);
    let heads: Vec<String> = ["事業", "分野", "指標", "指標名"]
        .iter()
        .map(ToString::to_string)
        .chain(months.iter().map(|m| format!("{}月", m.month)))
        .chain(["年度計".to_string(), "備考".to_string()])
        .collect();
    for (c, h) in heads.iter().enumerate() {
        ws.write_text_with_format(2, c as u16, h, &st.head)?;
    }
    ws.set_column_width(2, 26)?;
    ws.set_column_width(3, 34)?;
    ws.set_column_width(17, 36)?;
    let mut r = 2u32;
    for line in &d.figure_lines {
        r += 1;
        let metric = line.metric;
        ws.write_number_with_format(r, 0, f64::from(line.project), &st.num)?;
        ws.write_text_with_format(r, 1, field_name_ja(&line.field), &st.text)?;
        ws.write_text_with_format(r, 2, metric.code(), &st.text)?;
        ws.write_text_with_format(r, 3, metric.name_ja(), &st.text)?;
        for (i, v) in line.by_month.iter().enumerate() {
            match v {
                Some(v) => ws.write_number_with_format(r, 4 + i as u16, *v as f64, &st.num)?,
                None => ws.write_blank(r, 4 + i as u16, &st.text)?,
            };
        }
        let persons = matches!(metric, Metric::NewPersons | Metric::ContinuingPersons);
        match &line.year {
            YearValue::Sum(sum) => {
                let f = Formula::new(format!("=SUM(E{}:P{})", r + 1, r + 1))
                    .set_result(sum.to_string());
                ws.write_formula_with_format(r, 16, f, &st.total_num)?;
                ws.write_text_with_format(
                    r,
                    17,
                    if persons {
                        "機関の合計（重複を除いた人数ではない）"
                    } else {
                        ""
                    },
                    &st.text,
                )?;
            }
            // Neither a stock nor a running total adds up over months: the
            // year shows the last month reported, and says which.
            YearValue::Last {
                month: last_month,
                value: last,
                absent,
            } => {
                ws.write_number_with_format(r, 16, *last as f64, &st.total_num)?;
                let what = if metric.kind() == Kind::Stock {
                    "時点値"
                } else {
                    "累計"
                };
                let mut note = format!(
                    "{what}: {}末の値（月の合計ではない）{}",
                    last_month.ja(),
                    if persons { "・機関の合計" } else { "" }
                );
                // Agencies that reported it earlier in the year but not in
                // the last month are not in the year's figure: say so, or
                // finance would take a partial sum for the whole.
                if !absent.is_empty() {
                    let codes: Vec<&str> = absent.iter().map(String::as_str).collect();
                    note.push_str(&format!(
                        "。{}に報告のない{}機関（{}）の値を含まない",
                        last_month.ja(),
                        absent.len(),
                        listed(&codes, 5)
                    ));
                }
                let style = if absent.is_empty() {
                    &st.text
                } else {
                    &st.error
                };
                ws.write_text_with_format(r, 17, note, style)?;
            }
        }
    }
    ws.set_freeze_panes(3, 4)?;
    ws.set_repeat_rows(2, 2)?;
    Ok(())
}

/// `A、B、C` — at most `n` codes, then `ほか k 機関`.
fn listed(codes: &[&str], n: usize) -> String {
    let shown = codes.iter().take(n).copied().collect::<Vec<_>>().join("、");
    if codes.len() > n {
        format!("{shown} ほか{}機関", codes.len() - n)
    } else {
        shown
    }
}

fn roster(ws: &mut Worksheet, d: &FiscalData, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("提出状況")?;
    printable(ws);
    ws.write_text_with_format(
        0,
        0,
        "報告の提出状況（受=受理 訂=訂正版で差替え 未=未提出 免=免除 保=保留 －=未集計の月）",
        &st.title,
    )?;
    let months = fiscal_months(d.fiscal_year);
    ws.write_text_with_format(2, 0, "機関コード", &st.head)?;
    ws.write_text_with_format(2, 1, "機関名", &st.head)?;
    ws.set_column_width(1, 40)?;
    for (i, mo) in months.iter().enumerate() {
        ws.write_text_with_format(2, 2 + i as u16, format!("{}月", mo.month), &st.head)?;
        ws.set_column_width(2 + i as u16, 5)?;
    }
    for (i, line) in d.roster.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_text_with_format(r, 0, &line.code, &st.text)?;
        ws.write_text_with_format(r, 1, &line.name, &st.text)?;
        for (j, mark) in line.marks.iter().enumerate() {
            let mark = match mark {
                Mark::NotConsolidated => "－",
                Mark::Waived => "免",
                Mark::Missing => "未",
                Mark::Corrected => "訂",
                Mark::Accepted => "受",
                Mark::Held => "保",
            };
            ws.write_text_with_format(r, 2 + j as u16, mark, &st.text)?;
        }
    }
    ws.set_freeze_panes(3, 2)?;
    ws.set_repeat_rows(2, 2)?;
    Ok(())
}

/// The 所要額調書／精算書 (spec §7, columns A–J), one row per part × field,
/// with C, F, G, J and the totals as formulas carrying their results.
/// Returns the total row, or None when there are no F5 figures yet.
fn costs(
    ws: &mut Worksheet,
    d: &FiscalData,
    m: &Mappings,
    st: &Styles,
) -> Result<Option<u32>, XlsxError> {
    ws.set_name("事業費・交付額")?;
    printable(ws);
    ws.write_text_with_format(
        0,
        0,
        format!("所要額調書（{}年度）", d.fiscal_year),
        &st.title,
    )?;
    ws.write_text_with_format(
        1,
        0,
        "率と基準額は対応表フォルダの grant.toml から（基準額に【仮の値】がある場合は置き換えてから提出してください）。単位: 円、所要額は千円未満切捨て。",
        &st.note,
    )?;
    let heads = [
        "区分",
        "分野",
        "(A) 総事業費",
        "(B) 寄付金その他の収入額",
        "(C) 差引事業費\nA−B",
        "(D) 対象経費の\n実支出額",
        "(E) 基準額",
        "(F) 選定額\nmin(D,E)",
        "率",
        "(G) 所要額\nmin(F,C)×率\n千円未満切捨て",
        "(H) 交付決定額",
        "(I) 受入額",
        "(J) 差引過不足額\nI−G",
    ];
    let head_row = 3u32;
    for (c, h) in heads.iter().enumerate() {
        ws.write_text_with_format(head_row, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, if c == 0 { 22.0 } else { 15.0 })?;
    }
    ws.set_column_width(1, 8)?;
    ws.set_column_width(8, 8)?;
    ws.set_row_height(head_row, 60)?;
    ws.set_repeat_rows(head_row, head_row)?;
    if let Some(c) = &d.costs_note {
        ws.write_text_with_format(
            2,
            0,
            format!("F5 の報告: 明細 {} 件、未提出 {} 機関、未解決のエラー {} 件（FY{}/costs_findings.csv）", c.records, c.missing, c.open_errors, d.fiscal_year),
            &st.note,
        )?;
    }
    let (lines, balances, totals, balance_total) = match &d.grant {
        Grant::NoCosts => {
            ws.write_text_with_format(
                head_row + 1,
                0,
                "F5（事業費）の報告はまだ集計されていません。所要額は計算できません。",
                &st.note,
            )?;
            return Ok(None);
        }
        Grant::NoParts => {
            ws.write_text_with_format(
                head_row + 1,
                0,
                "grant.toml に交付金の区分がないため、所要額は計算できません。",
                &st.note,
            )?;
            return Ok(None);
        }
        Grant::Lines {
            lines,
            balances,
            totals,
            balance_total,
        } => (lines, balances, totals, *balance_total),
    };
    let col = |c: u16| rust_xlsxwriter::utility::column_number_to_name(c);
    let first = head_row + 1;
    for (i, ((p, g), balance)) in m.grant.iter().zip(lines).zip(balances).enumerate() {
        let r = first + i as u32;
        let x = r + 1; // the row as Excel numbers it
        ws.write_text_with_format(r, 0, &p.part, &st.text)?;
        ws.write_text_with_format(r, 1, field_name_ja(&p.field), &st.text)?;
        let number = |ws: &mut Worksheet, c: u16, v: u64| {
            ws.write_number_with_format(r, c, v as f64, &st.num)
                .map(|_| ())
        };
        let formula = |ws: &mut Worksheet, c: u16, f: String, v: u64, fmt| {
            ws.write_formula_with_format(r, c, Formula::new(f).set_result(v.to_string()), fmt)
                .map(|_| ())
        };
        number(ws, 2, g.total_cost)?;
        number(ws, 3, g.other_income)?;
        // Never below zero, as GrantPart::compute has it (income above cost).
        formula(ws, 4, format!("=MAX(C{x}-D{x},0)"), g.net_cost, &st.num)?;
        number(ws, 5, g.eligible)?;
        number(ws, 6, g.base_amount)?;
        formula(ws, 7, format!("=MIN(F{x},G{x})"), g.selected, &st.num)?;
        ws.write_number_with_format(r, 8, p.rate_percent() / 100.0, &st.percent)?;
        // The rate as its exact fraction, multiplied before dividing: with
        // the percentage cell (1/3 = 0.333…) 3,000,000 × rate lands just
        // below 1,000,000 and the cut would drop 1,000 yen.
        formula(
            ws,
            9,
            format!("=ROUNDDOWN(MIN(H{x},E{x})*{}/{},-3)", p.rate.0, p.rate.1),
            g.required,
            &st.total_num,
        )?;
        let (decided, received) = (p.decided_amount, p.received_amount);
        for (c, v) in [(10, decided), (11, received)] {
            match v {
                Some(v) => number(ws, c, v)?,
                None => {
                    ws.write_blank(r, c, &st.num)?;
                }
            }
        }
        // 差引過不足額 = 受入額 − 所要額: positive is to be returned.
        ws.write_formula_with_format(
            r,
            12,
            // "－" until (I) is filled in: an empty cached result would be
            // written as 0, which a reader that does not recalculate shows.
            Formula::new(format!("=IF(L{x}=\"\",\"－\",L{x}-J{x})"))
                .set_result(balance.map_or("－".to_string(), |b| b.to_string())),
            &st.num,
        )?;
    }
    let last = first + m.grant.len() as u32 - 1;
    let total_row = last + 1;
    ws.write_text_with_format(total_row, 0, "合計", &st.total_label)?;
    ws.write_blank(total_row, 1, &st.total_label)?;
    ws.write_blank(total_row, 8, &st.total_label)?;
    for c in [2u16, 3, 4, 5, 6, 7, 9, 10, 11, 12] {
        let cached = match c {
            12 => balance_total.to_string(),
            _ => totals[usize::from(c - 2)].to_string(),
        };
        ws.write_formula_with_format(
            total_row,
            c,
            Formula::new(format!("=SUM({0}{1}:{0}{2})", col(c), first + 1, last + 1))
                .set_result(cached),
            &st.total_num,
        )?;
    }
    ws.write_text_with_format(
        total_row + 2,
        0,
        "(H) 交付決定額と (I) 受入額は grant.toml の decided_amount / received_amount から（未記入なら空欄）。(J) が正なら返還、負なら追加交付の見込みです。",
        &st.note,
    )?;
    Ok(Some(total_row))
}

fn indicators(
    ws: &mut Worksheet,
    d: &FiscalData,
    m: &Mappings,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("評価指標")?;
    printable(ws);
    let Some((last, standings)) = &d.indicators else {
        ws.write_text_with_format(0, 0, "集計済みの月がありません", &st.note)?;
        return Ok(());
    };
    ws.write_text_with_format(
        0,
        0,
        format!("事業目標・評価指標（{}まで）", last.ja()),
        &st.title,
    )?;
    let heads = [
        "指標",
        "現状値（基準）",
        "基準の時点",
        "目標値",
        "目標年度",
        "今年度累計",
        "現在値",
        "集計した月数",
    ];
    for (c, (h, w)) in heads
        .iter()
        .zip([52, 12, 24, 10, 10, 12, 12, 12])
        .enumerate()
    {
        ws.write_text_with_format(2, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, w)?;
    }
    for (i, (ind, s)) in m.indicators.iter().zip(standings).enumerate() {
        let r = 3 + i as u32;
        ws.write_text_with_format(r, 0, &ind.name, &st.text)?;
        ws.write_number_with_format(r, 1, ind.baseline as f64, &st.num)?;
        ws.write_text_with_format(r, 2, &ind.baseline_note, &st.text)?;
        ws.write_number_with_format(r, 3, ind.target as f64, &st.num)?;
        ws.write_text_with_format(r, 4, format!("{}年度", ind.target_fiscal_year), &st.text)?;
        ws.write_number_with_format(r, 5, s.fiscal_year_to_date as f64, &st.num)?;
        ws.write_number_with_format(r, 6, s.current as f64, &st.num)?;
        ws.write_number_with_format(r, 7, s.months_counted as f64, &st.num)?;
    }
    Ok(())
}

fn waivers(ws: &mut Worksheet, d: &FiscalData, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name("免除一覧")?;
    printable(ws);
    for (c, (h, w)) in ["月", "機関コード", "ルール", "免除の理由（承認者）"]
        .iter()
        .zip([10, 12, 22, 60])
        .enumerate()
    {
        ws.write_text_with_format(0, c as u16, *h, &st.head)?;
        ws.set_column_width(c as u16, w)?;
    }
    let mut r = 0u32;
    for w in &d.waivers {
        r += 1;
        ws.write_text_with_format(r, 0, w.month.to_string(), &st.text)?;
        ws.write_text_with_format(r, 1, &w.agency, &st.text)?;
        ws.write_text_with_format(r, 2, w.rule.code(), &st.text)?;
        ws.write_text_with_format(r, 3, &w.waiver, &st.text)?;
    }
    if r == 0 {
        ws.write_text_with_format(1, 0, "免除した指摘はありません", &st.note)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_of_agencies_are_cut_with_a_count() {
        assert_eq!(listed(&["A", "B"], 5), "A、B");
        assert_eq!(
            listed(&["A", "B", "C", "D", "E", "F", "G"], 5),
            "A、B、C、D、E ほか2機関"
        );
    }
}
