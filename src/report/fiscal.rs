//! The fiscal-year subsidy report (補助金報告) finance pulls: built only from
//! the months already consolidated under `out/` (their `records.csv` and
//! `findings.csv`), so every number traces back to a month's records and from
//! there to a cell in a return.
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
use crate::core::{Location, Metric, Severity, YearMonth};
use crate::mapping::Mappings;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Formula, Worksheet, XlsxError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One figure of a month's `records.csv`.
#[derive(Debug, Clone)]
pub struct FigureRow {
    /// Agency code.
    pub agency: String,
    /// Project 1–6.
    pub project: u8,
    /// Field code.
    pub field: String,
    /// Row key.
    pub key: String,
    /// Metric.
    pub metric: Metric,
    /// Value.
    pub value: u64,
    /// The cell it came from (`source_file`, `source_sheet`, `source_cell`).
    pub source: Location,
}

/// One finding of a month's `findings.csv`.
#[derive(Debug, Clone)]
pub struct FindingRow {
    /// Severity code.
    pub severity: String,
    /// Rule code.
    pub rule: String,
    /// Agency code.
    pub agency: String,
    /// `open` or `waived`.
    pub status: String,
    /// Waiver reason and approver.
    pub waiver: String,
}

/// A consolidated month as read back from `out/<YYYY-MM>/`.
#[derive(Debug, Clone)]
pub struct MonthOutputs {
    /// The month.
    pub month: YearMonth,
    /// Its records.
    pub figures: Vec<FigureRow>,
    /// Its findings.
    pub findings: Vec<FindingRow>,
}

impl MonthOutputs {
    fn open_errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error.code() && f.status != "waived")
            .count()
    }
}

/// The fiscal year's months as found under `out/`.
#[derive(Debug, Clone)]
pub struct FiscalData {
    /// Fiscal year (named by its start year).
    pub fiscal_year: i32,
    /// Months found, April first.
    pub months: Vec<MonthOutputs>,
    /// Months of the year with no consolidated folder.
    pub missing: Vec<YearMonth>,
    /// Month folders that could not be read, with the reason.
    pub unreadable: Vec<(String, String)>,
    /// The year's F5 costs (`FY<year>/costs.csv`), if consolidated.
    pub costs: Option<MonthOutputs>,
}

/// The twelve months of a fiscal year.
pub fn fiscal_months(fy: i32) -> Vec<YearMonth> {
    let mut m = YearMonth { year: fy, month: 4 };
    (0..12)
        .map(|_| {
            let this = m;
            m = m.next();
            this
        })
        .collect()
}

/// Reads the fiscal year's months from `out/`.
pub fn load(out: &Path, fiscal_year: i32) -> FiscalData {
    let mut data = FiscalData {
        fiscal_year,
        months: Vec::new(),
        missing: Vec::new(),
        unreadable: Vec::new(),
        costs: None,
    };
    for m in fiscal_months(fiscal_year) {
        let dir = out.join(m.to_string());
        if !dir.join("records.csv").exists() {
            data.missing.push(m);
            continue;
        }
        match read_outputs(&dir.join("records.csv"), &dir.join("findings.csv"), m) {
            Ok(mo) => data.months.push(mo),
            Err(e) => data.unreadable.push((m.to_string(), e)),
        }
    }
    let fy_dir = out.join(format!("FY{fiscal_year}"));
    if fy_dir.join("costs.csv").exists() {
        match read_outputs(
            &fy_dir.join("costs.csv"),
            &fy_dir.join("costs_findings.csv"),
            YearMonth::fiscal_year_end(fiscal_year),
        ) {
            Ok(c) => data.costs = Some(c),
            Err(e) => data
                .unreadable
                .push((format!("FY{fiscal_year}/costs.csv"), e)),
        }
    }
    data
}

/// The rows of one of kasane's CSV files, every field as it was before
/// [`encode_field`](super::csv_out::encode_field) (a site `=…` written
/// `'=…` reads back `=…`, so the year's and the 累計 check's keys are the
/// returns' own).
fn rows(path: &Path) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    rdr.records()
        .map(|r| {
            let r = r.map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), super::csv_out::decode_field(v).into_owned()))
                .collect())
        })
        .collect()
}

fn get(r: &BTreeMap<String, String>, k: &str) -> String {
    r.get(k).cloned().unwrap_or_default()
}

/// A month's `records.csv` read back, checking that every row is of `month`.
pub(super) fn read_records(records: &Path, month: YearMonth) -> Result<Vec<FigureRow>, String> {
    let mut figures = Vec::new();
    for r in rows(records)? {
        if get(&r, "month") != month.to_string() {
            return Err(format!(
                "records.csv の month {:?} がフォルダ名と違います",
                get(&r, "month")
            ));
        }
        let metric = Metric::from_code(&get(&r, "metric"))
            .ok_or_else(|| format!("不明な指標 {:?}", get(&r, "metric")))?;
        figures.push(FigureRow {
            agency: get(&r, "agency_code"),
            project: get(&r, "project")
                .parse()
                .map_err(|_| "project が数値ではありません".to_string())?,
            field: get(&r, "field"),
            key: get(&r, "key"),
            metric,
            value: get(&r, "value")
                .parse()
                .map_err(|_| "value が整数ではありません".to_string())?,
            source: Location::from_columns(
                &get(&r, "source_file"),
                &get(&r, "source_sheet"),
                &get(&r, "source_cell"),
            ),
        });
    }
    Ok(figures)
}

fn read_outputs(records: &Path, findings: &Path, month: YearMonth) -> Result<MonthOutputs, String> {
    let figures = read_records(records, month)?;
    let findings = rows(findings)?
        .into_iter()
        .map(|r| FindingRow {
            severity: get(&r, "severity"),
            rule: get(&r, "rule"),
            agency: get(&r, "agency_code"),
            status: get(&r, "status"),
            waiver: get(&r, "waiver"),
        })
        .collect();
    Ok(MonthOutputs {
        month,
        figures,
        findings,
    })
}

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
}

/// The report's file name.
pub fn report_name(fiscal_year: i32) -> String {
    format!("補助金報告_{fiscal_year}年度.xlsx")
}

/// Builds the report and writes it atomically to `out/FY<year>/`.
///
/// # Errors
/// If the workbook cannot be built or written.
pub fn write(
    out: &Path,
    fiscal_year: i32,
    mappings: &Mappings,
    costs: Option<CostFiles<'_>>,
) -> Result<(PathBuf, FiscalData), ReportError> {
    let dir = out.join(format!("FY{fiscal_year}"));
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    // No month is swapped in while the year is read from them.
    let _lock = crate::store::OutLock::acquire_default(out)?;
    if let Some(c) = costs {
        let csv_err = |name: &str| {
            let path = dir.join(name);
            move |source| ReportError::Csv { path, source }
        };
        let records = super::csv_out::records(c.records).map_err(csv_err("costs.csv"))?;
        let findings =
            super::csv_out::findings(c.findings).map_err(csv_err("costs_findings.csv"))?;
        write_atomically(&dir.join("costs.csv"), &records)?;
        // Without a folder of cost returns read this time, the findings of
        // the run that read them stay.
        if c.returns_read || !c.findings.is_empty() {
            write_atomically(&dir.join("costs_findings.csv"), &findings)?;
        }
    }
    let data = load(out, fiscal_year);
    let path = dir.join(report_name(fiscal_year));
    let bytes = build(&data, mappings).map_err(|source| ReportError::Workbook {
        path: path.clone(),
        source,
    })?;
    write_atomically(&path, &bytes)?;
    Ok((path, data))
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
    roster(wb.add_worksheet(), data, mappings, &st)?;
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
    for (i, month) in fiscal_months(d.fiscal_year).iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_text_with_format(r, 0, month.ja(), &st.text)?;
        match d.months.iter().find(|x| x.month == *month) {
            Some(mo) => {
                let errors = mo.open_errors();
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
                ws.write_number_with_format(r, 2, mo.figures.len() as f64, &st.num)?;
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
            None => {
                let why = d
                    .unreadable
                    .iter()
                    .find(|(n, _)| *n == month.to_string())
                    .map(|(_, e)| e.clone());
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
    // (project, field, metric) → month → (sum, the agencies in it).
    type ByMonth<'a> = BTreeMap<YearMonth, (u64, BTreeSet<&'a str>)>;
    let mut table: BTreeMap<(u8, String, Metric), ByMonth<'_>> = BTreeMap::new();
    for mo in &d.months {
        for f in mo
            .figures
            .iter()
            .filter(|f| f.metric.form() != crate::core::Form::F5)
        {
            let (sum, agencies) = table
                .entry((f.project, f.field.clone(), f.metric))
                .or_default()
                .entry(mo.month)
                .or_default();
            *sum += f.value;
            agencies.insert(&f.agency);
        }
    }
    let mut r = 2u32;
    for ((project, field, metric), by_month) in &table {
        r += 1;
        ws.write_number_with_format(r, 0, f64::from(*project), &st.num)?;
        ws.write_text_with_format(r, 1, field_name_ja(field), &st.text)?;
        ws.write_text_with_format(r, 2, metric.code(), &st.text)?;
        ws.write_text_with_format(r, 3, metric.name_ja(), &st.text)?;
        for (i, m) in months.iter().enumerate() {
            match by_month.get(m) {
                Some((v, _)) => ws.write_number_with_format(r, 4 + i as u16, *v as f64, &st.num)?,
                None => ws.write_blank(r, 4 + i as u16, &st.text)?,
            };
        }
        let persons = matches!(metric, Metric::NewPersons | Metric::ContinuingPersons);
        match metric.kind() {
            Kind::Flow => {
                let sum: u64 = by_month.values().map(|(v, _)| v).sum();
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
            kind @ (Kind::Stock | Kind::Cumulative) => {
                let Some((last_month, (last, _))) = by_month.iter().next_back() else {
                    continue;
                };
                ws.write_number_with_format(r, 16, *last as f64, &st.total_num)?;
                let what = if kind == Kind::Stock {
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
                let absent = absent_in_last_month(by_month);
                if !absent.is_empty() {
                    note.push_str(&format!(
                        "。{}に報告のない{}機関（{}）の値を含まない",
                        last_month.ja(),
                        absent.len(),
                        listed(&absent, 5)
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

/// The agencies in some month before the last one of `by_month` but not in
/// the last one, in code order.
fn absent_in_last_month<'a>(
    by_month: &BTreeMap<YearMonth, (u64, BTreeSet<&'a str>)>,
) -> Vec<&'a str> {
    let Some((_, (_, last))) = by_month.iter().next_back() else {
        return Vec::new();
    };
    let earlier: BTreeSet<&str> = by_month
        .values()
        .rev()
        .skip(1)
        .flat_map(|(_, agencies)| agencies.iter().copied())
        .collect();
    earlier.difference(last).copied().collect()
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

fn roster(ws: &mut Worksheet, d: &FiscalData, m: &Mappings, st: &Styles) -> Result<(), XlsxError> {
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
    for (i, a) in m.registry.monthly_reporters().enumerate() {
        let r = 3 + i as u32;
        ws.write_text_with_format(r, 0, &a.code, &st.text)?;
        ws.write_text_with_format(r, 1, &a.name, &st.text)?;
        for (j, month) in months.iter().enumerate() {
            let mark = match d.months.iter().find(|x| x.month == *month) {
                None => "－",
                Some(mo) => {
                    let of = |rule: &str| {
                        mo.findings
                            .iter()
                            .find(|f| f.agency == a.code && f.rule == rule)
                    };
                    if let Some(f) = of("missing_return") {
                        if f.status == "waived" {
                            "免"
                        } else {
                            "未"
                        }
                    } else if of("replaced_by_correction").is_some() {
                        "訂"
                    } else if mo.figures.iter().any(|f| f.agency == a.code) {
                        "受"
                    } else {
                        "保"
                    }
                }
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
    // F5 figures (FY<year>/costs.csv): project and field of each row.
    let mut sums: BTreeMap<(u8, String, Metric), u64> = BTreeMap::new();
    for f in d.costs.iter().flat_map(|c| &c.figures) {
        *sums
            .entry((f.project, f.field.clone(), f.metric))
            .or_default() += f.value;
    }
    if let Some(c) = &d.costs {
        let missing = c
            .findings
            .iter()
            .filter(|f| f.rule == "missing_return" && f.status != "waived")
            .count();
        let open = c
            .findings
            .iter()
            .filter(|f| f.severity == "error" && f.status != "waived")
            .count();
        ws.write_text_with_format(
            2,
            0,
            format!("F5 の報告: 明細 {} 件、未提出 {missing} 機関、未解決のエラー {open} 件（FY{}/costs_findings.csv）", c.figures.len(), d.fiscal_year),
            &st.note,
        )?;
    }
    if sums.is_empty() {
        ws.write_text_with_format(
            head_row + 1,
            0,
            "F5（事業費）の報告はまだ集計されていません。所要額は計算できません。",
            &st.note,
        )?;
        return Ok(None);
    }

    if m.grant.is_empty() {
        ws.write_text_with_format(
            head_row + 1,
            0,
            "grant.toml に交付金の区分がないため、所要額は計算できません。",
            &st.note,
        )?;
        return Ok(None);
    }
    let col = |c: u16| rust_xlsxwriter::utility::column_number_to_name(c);
    let first = head_row + 1;
    let mut totals = [0u64; 11];
    let mut balance_total = 0i64;
    for (i, p) in m.grant.iter().enumerate() {
        let r = first + i as u32;
        let x = r + 1; // the row as Excel numbers it
        let sum = |metric| -> u64 {
            sums.iter()
                .filter(|((proj, field, me), _)| {
                    p.projects.contains(proj) && *field == p.field && *me == metric
                })
                .map(|(_, v)| *v)
                .sum()
        };
        let g = p.compute(
            sum(Metric::TotalCost),
            sum(Metric::OtherIncome),
            sum(Metric::EligibleExpenditure),
        );
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
        let balance = received.map(|i| i as i64 - g.required as i64);
        balance_total += balance.unwrap_or(0);
        ws.write_formula_with_format(
            r,
            12,
            // "－" until (I) is filled in: an empty cached result would be
            // written as 0, which a reader that does not recalculate shows.
            Formula::new(format!("=IF(L{x}=\"\",\"－\",L{x}-J{x})"))
                .set_result(balance.map_or("－".to_string(), |b| b.to_string())),
            &st.num,
        )?;
        for (t, v) in totals.iter_mut().zip([
            g.total_cost,
            g.other_income,
            g.net_cost,
            g.eligible,
            g.base_amount,
            g.selected,
            0,
            g.required,
            decided.unwrap_or(0),
            received.unwrap_or(0),
            0,
        ]) {
            *t += v;
        }
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
    let Some(last) = d.months.last().map(|x| x.month) else {
        ws.write_text_with_format(0, 0, "集計済みの月がありません", &st.note)?;
        return Ok(());
    };
    ws.write_text_with_format(
        0,
        0,
        format!("事業目標・評価指標（{}まで）", last.ja()),
        &st.title,
    )?;
    let mut figs: Vec<(YearMonth, Metric, u64)> = Vec::new();
    for mo in &d.months {
        figs.extend(super::history::sums_by_metric(
            mo.month,
            mo.figures.iter().map(|f| (f.metric, f.value)),
        ));
    }
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
    for (i, ind) in m.indicators.iter().enumerate() {
        let r = 3 + i as u32;
        let s = ind.standing(last, &figs);
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
    let mut seen = BTreeSet::new();
    let mut r = 0u32;
    for mo in &d.months {
        for f in mo.findings.iter().filter(|f| f.status == "waived") {
            if !seen.insert((mo.month, f.agency.clone(), f.rule.clone())) {
                continue;
            }
            r += 1;
            ws.write_text_with_format(r, 0, mo.month.to_string(), &st.text)?;
            ws.write_text_with_format(r, 1, &f.agency, &st.text)?;
            ws.write_text_with_format(r, 2, &f.rule, &st.text)?;
            ws.write_text_with_format(r, 3, &f.waiver, &st.text)?;
        }
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

    #[test]
    fn absent_agencies_are_those_of_earlier_months_only() {
        let month = |m| YearMonth {
            year: 2025,
            month: m,
        };
        let mut by_month: BTreeMap<YearMonth, (u64, BTreeSet<&str>)> = BTreeMap::new();
        by_month.insert(month(4), (3, ["X", "Y"].into()));
        by_month.insert(month(5), (5, ["Y", "Z"].into()));
        by_month.insert(month(6), (2, ["Z"].into()));
        assert_eq!(absent_in_last_month(&by_month), ["X", "Y"]);
        by_month.insert(month(7), (9, ["X", "Y", "Z"].into()));
        assert!(absent_in_last_month(&by_month).is_empty());
    }
}
