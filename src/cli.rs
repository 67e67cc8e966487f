//! Command line. Exit status: 0 done with no open error finding (`check`: the
//! return is sound), 1 done but problems exist, 2 could not run (bad
//! arguments, mapping mistakes, no folder).
//!
//! Output goes through [`emit`], so `kasane … | head` ends quietly instead of
//! panicking on a closed pipe.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kasane::check::{annotate, check_file, CheckReport};
use kasane::core::{Severity, YearMonth};
use kasane::mapping::Mappings;
use kasane::pipeline::{
    consolidate_with_progress, write_month_locked, MonthRun, Progress, RunConfig,
};
use kasane::store::{check_out_dir, Input};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// 重ね kasane — 重層的支援体制整備事業の月次報告を集計・突合します
/// (consolidates and reconciles the monthly returns of support agencies).
#[derive(Parser)]
#[command(name = "kasane", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 1か月分の報告を集計し out/<YYYY-MM>/ に書き出します (consolidate one month).
    Run(RunArgs),
    /// 提出前の自己点検: 報告ファイルを市の様式と照らし、問題をセル番地つきで示します
    /// (an agency's self-check of its return before sending).
    Check(CheckArgs),
    /// 年度の補助金報告ブックを out/ の集計済みの月から作ります
    /// (the fiscal-year subsidy report, from the months consolidated under out/).
    Report(ReportArgs),
    /// 対応表の作業: `mapping draft` で市の様式から対応表の下書きを作ります
    /// (mapping-file tools: `mapping draft` drafts a layout file from a template).
    #[command(subcommand)]
    Mapping(MappingCommand),
}

#[derive(Subcommand)]
enum MappingCommand {
    /// 市の様式（空欄または記入済み）からレイアウトファイルの下書きを作ります。確かめる点はコメントに
    /// (draft a layout file from a city's blank or filled template; what to confirm is in its comments).
    Draft(DraftArgs),
}

#[derive(clap::Args)]
struct DraftArgs {
    /// 様式のファイル（空欄の様式・記入済みの写し） (template files: blank and/or filled).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// 様式 F1・F3・F4。省略時は見出しから判断します (the form; default: told from the headings).
    #[arg(long)]
    form: Option<String>,
    /// 書き出すファイル。省略時は標準出力 (output file; default: stdout).
    #[arg(short = 'o', long = "output", value_name = "layout.toml")]
    output: Option<PathBuf>,
    /// -o のファイルがあっても上書きします (overwrite an existing -o file).
    #[arg(long)]
    force: bool,
}

/// Language of `check` messages.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Lang {
    /// 日本語
    Ja,
    /// English
    En,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// 点検する報告ファイル (return files to check).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// 自治体の対応表フォルダ (mappings folder of the municipality).
    #[arg(long, default_value = "mappings/kyoto")]
    mappings: PathBuf,
    /// 市の様式（空欄）のフォルダ。省略時は samples/<自治体>/templates (the city's blank templates).
    #[arg(long)]
    templates: Option<PathBuf>,
    /// メッセージの言語 (message language).
    #[arg(long, value_enum, default_value = "ja")]
    lang: Lang,
    /// 結果を JSON で標準出力に書きます (print the findings as JSON on stdout).
    #[arg(long)]
    json: bool,
    /// 問題のセルに色と注記を付けたブックを書き出します（ファイルを1つだけ指定したとき）
    /// (write the return back with problem cells marked; one file only).
    #[arg(long, value_name = "OUT.xlsx")]
    annotate: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// 年度（開始年。令和7年度 = 2025） (fiscal year, named by its start year).
    #[arg(long)]
    fiscal_year: i32,
    /// 自治体の対応表フォルダ (mappings folder of the municipality).
    #[arg(long, default_value = "mappings/kyoto")]
    mappings: PathBuf,
    /// 集計済みの月があるフォルダ（出力先も同じ） (folder of consolidated months; the report is written there too).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// 事業費（様式F5）の報告のフォルダ。指定すると集計して out/FY<年度>/costs.csv に書きます
    /// (folder of the year's F5 cost returns; consolidated into out/FY<year>/costs.csv).
    #[arg(long)]
    costs: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RunArgs {
    /// 自治体の対応表フォルダ (mappings folder of the municipality).
    #[arg(long, default_value = "mappings/kyoto")]
    mappings: PathBuf,
    /// 報告ファイルのフォルダ。省略時は samples/<自治体>/ の見本の各月を古い順に (folder of returns; default: every bundled sample month, oldest first).
    #[arg(long)]
    returns: Option<PathBuf>,
    /// 対象年月 YYYY-MM。省略時は報告の年月から決めます (batch month; default: the month all returns agree on).
    #[arg(long)]
    month: Option<YearMonth>,
    /// 出力先フォルダ (output folder).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// 進捗表示と集計結果の要約を表示しません (no progress bar, no summary).
    #[arg(long, short)]
    quiet: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Check(args) => check(&args),
        Command::Report(args) => report(&args),
        Command::Mapping(MappingCommand::Draft(args)) => draft(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kasane: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &RunArgs) -> Result<ExitCode> {
    // The bundled samples without a month: every sample month in order, so
    // that each month's running totals (累計) are checked against the month
    // before, as a city runs its months.
    let folders = match &args.returns {
        Some(dir) => vec![dir.clone()],
        None => bundled_samples(&args.mappings, args.month)?,
    };
    // Before anything is read: an --out over the returns would delete them.
    for returns in &folders {
        check_out_dir(
            &args.out,
            &[Input::returns(returns), Input::mappings(&args.mappings)],
        )?;
    }
    let mut code = ExitCode::SUCCESS;
    let count = folders.len();
    for (i, returns_dir) in folders.into_iter().enumerate() {
        if run_month(args, returns_dir, i + 1 < count)? != ExitCode::SUCCESS {
            code = ExitCode::from(1);
        }
    }
    Ok(code)
}

/// Consolidates one folder of returns into `args.out`; `more_follow` when
/// the later sample months are consolidated next in this run.
fn run_month(args: &RunArgs, returns_dir: PathBuf, more_follow: bool) -> Result<ExitCode> {
    let cfg = RunConfig {
        mappings_dir: args.mappings.clone(),
        returns_dir,
        month: args.month,
        out_dir: Some(args.out.clone()),
    };
    let started = Instant::now();
    // One run at a time over --out, from reading the month before (累計)
    // to swapping the new month in.
    std::fs::create_dir_all(&args.out).with_context(|| {
        format!(
            "{}: 出力先を作れません (cannot create --out)",
            args.out.display()
        )
    })?;
    let lock = kasane::store::OutLock::acquire_default(&args.out)?;
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let run = consolidate_with_progress(&cfg, &|p| bar.progress(p));
    let run = match run {
        Ok(run) => run,
        Err(e) => {
            bar.finish();
            return Err(e.into());
        }
    };
    bar.message("書き出し中 (writing)");
    let dir = write_month_locked(&run, &args.out, &lock);
    bar.finish();
    let dir = dir?;
    if !args.quiet {
        print_summary(&run, &dir, started.elapsed());
    }
    // Loud whatever --quiet says: the case list is anonymous by contract.
    if let Some(warning) = personal_data_warning(&run) {
        eprintln!("kasane:{warning}");
    }
    // The next month, consolidated earlier, checked its running totals
    // against this month's previous outputs: they may no longer hold.
    let next = run.month.next();
    if !more_follow && kasane::store::is_consolidated(&args.out, next) {
        eprintln!(
            "kasane: 注意: {next} は以前の {} の出力に基づいて累計を照合しています。{} 以降の月も集計し直してください (note: {next} was checked against the earlier outputs of {}; rerun {next} and the months after it)",
            run.month, next, run.month
        );
    }
    Ok(if run.count(Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

fn load_mappings(dir: &Path) -> Result<Mappings> {
    Mappings::load(dir).map_err(|errs| {
        anyhow::anyhow!(
            "対応表に誤りがあります (mapping errors):\n{}",
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn check(args: &CheckArgs) -> Result<ExitCode> {
    if args.annotate.is_some() && args.files.len() != 1 {
        bail!("--annotate はファイルを1つだけ指定したときに使えます (--annotate needs exactly one file)");
    }
    if let Some(missing) = args.files.iter().find(|f| !f.is_file()) {
        bail!("{}: ファイルがありません (no such file)", missing.display());
    }
    let mappings = load_mappings(&args.mappings)?;
    let templates = args
        .templates
        .clone()
        .unwrap_or_else(|| samples_root(&args.mappings).join("templates"));
    let mut reports: Vec<CheckReport> = Vec::new();
    for file in &args.files {
        let (report, book) = check_file(file, &mappings, Some(&templates));
        if let (Some(out), Some(book)) = (&args.annotate, &book) {
            let bytes = annotate(book, &report)
                .with_context(|| format!("{}: 注記つきブックを作れません", out.display()))?;
            kasane::report::write_atomically(out, &bytes)?;
        }
        reports.push(report);
    }
    if args.json {
        emit(&(serde_json::to_string_pretty(&reports)? + "\n"));
    } else {
        emit(&check_text(&reports, args.lang));
    }
    if let (Some(out), false) = (&args.annotate, args.json) {
        emit(&format!("注記つきブック (annotated): {}\n", out.display()));
    }
    // Warnings alone pass: the return is read whole; they are printed for
    // the agency to bring its sheet back to the template.
    Ok(if reports.iter().all(CheckReport::passes) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn check_text(reports: &[CheckReport], lang: Lang) -> String {
    let en = lang == Lang::En;
    let mut out = String::new();
    for r in reports {
        let who = match (&r.agency_code, &r.agency_name) {
            (Some(c), Some(n)) => format!("{c}（{n}）"),
            (Some(c), None) => c.clone(),
            _ => "?".into(),
        };
        out.push_str(&match (&r.form, en) {
            (Some(f), false) => format!(
                "{}: 様式 {f}・機関 {who}・{}・数値 {} 件\n",
                r.file,
                r.month.as_deref().unwrap_or("年月不明"),
                r.figures
            ),
            (Some(f), true) => format!(
                "{}: form {f}, agency {who}, {}, {} figures\n",
                r.file,
                r.month.as_deref().unwrap_or("month unknown"),
                r.figures
            ),
            (None, false) => format!("{}: 様式を判別できません\n", r.file),
            (None, true) => format!("{}: form not recognised\n", r.file),
        });
        for f in &r.findings {
            let sev = match (f.severity, en) {
                ("error", false) => "エラー",
                ("warning", false) => "警告",
                (_, false) => "情報",
                (s, true) => s,
            };
            let msg = if en { &f.message_en } else { &f.message_ja };
            out.push_str(&format!("  [{sev}] {} {}: {msg}", f.rule, f.location));
            if !f.expected.is_empty() || !f.actual.is_empty() {
                out.push_str(&if en {
                    format!(" (expected: {}, found: {})", f.expected, f.actual)
                } else {
                    format!("（期待: {}／実際: {}）", f.expected, f.actual)
                });
            }
            out.push('\n');
        }
        let problems = r.findings.iter().filter(|f| f.severity != "info").count();
        out.push_str(&match (problems, en) {
            (0, false) => "  問題はありません\n".to_string(),
            (0, true) => "  no problems found\n".to_string(),
            (n, false) => format!("  問題 {n} 件\n"),
            (n, true) => format!("  {n} problem(s)\n"),
        });
    }
    out
}

fn report(args: &ReportArgs) -> Result<ExitCode> {
    let mut inputs = vec![Input::mappings(&args.mappings)];
    if let Some(costs) = &args.costs {
        inputs.push(Input::costs(costs));
    }
    check_out_dir(&args.out, &inputs)?;
    let mappings = load_mappings(&args.mappings)?;
    let costs = kasane::costs::gather(
        &mappings,
        &args.out,
        args.fiscal_year,
        args.costs.as_deref(),
    )?;
    let (path, data) = kasane::pipeline::write_fiscal_year(
        &args.out,
        args.fiscal_year,
        &mappings,
        costs.as_ref().map(kasane::costs::CostRun::files),
    )?;
    let open_errors = data.open_errors;
    let missing: Vec<String> = data.missing.iter().map(|m| m.to_string()).collect();
    let mut text = format!(
        "{} {}年度: 集計済みの月 {} か月、未集計 {} か月{}\n",
        mappings.municipality.name,
        args.fiscal_year,
        data.months.len(),
        data.missing.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!("（{}）", missing.join("、"))
        }
    );
    if open_errors > 0 {
        text.push_str(&format!("  ※ 未解決のエラーが {open_errors} 件あります（各月の findings.csv） (open errors remain)\n"));
    }
    if let Some(c) = &costs {
        let errors = c
            .outcome
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error && f.is_open())
            .count();
        text.push_str(&format!(
            "  事業費 (F5): 報告 {} 件{} → 明細 {} 件、エラー {errors} 件（FY{}/costs_findings.csv）\n",
            c.inputs.len(),
            match c.found_in_months {
                0 => String::new(),
                n => format!("＋月次フォルダにあった報告 {n} 機関分"),
            },
            c.outcome.records.len(),
            args.fiscal_year
        ));
    }
    for (m, why) in &data.unreadable {
        text.push_str(&format!("  ※ {m}: 読めません (unreadable): {why}\n"));
    }
    text.push_str(&format!("  出力 (output): {}\n", path.display()));
    emit(&text);
    Ok(if open_errors > 0 || !data.unreadable.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn draft(args: &DraftArgs) -> Result<ExitCode> {
    use kasane::mapping::draft::{draft_files, write_draft};
    let form = match args.form.as_deref() {
        None => None,
        Some(f) => Some(
            kasane::core::Form::from_code(&f.to_ascii_uppercase()).with_context(|| {
                format!("--form {f:?}: 様式は F1〜F5 で指定してください (form must be F1–F5)")
            })?,
        ),
    };
    if let Some(missing) = args.files.iter().find(|f| !f.is_file()) {
        bail!("{}: ファイルがありません (no such file)", missing.display());
    }
    let d = draft_files(&args.files, form)?;
    match &args.output {
        Some(out) => {
            write_draft(out, &d.text, args.force)?;
            eprintln!(
                "kasane: 様式 {} の下書きを {} に書きました。要確認 {} か所 (drafted form {} to {}; {} place(s) to confirm)",
                d.form,
                out.display(),
                d.to_confirm,
                d.form,
                out.display(),
                d.to_confirm
            );
        }
        None => emit(&d.text),
    }
    Ok(ExitCode::SUCCESS)
}

/// `mappings/<city>` → `samples/<city>`.
fn samples_root(mappings: &Path) -> PathBuf {
    let city = mappings.file_name().unwrap_or_default();
    mappings
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("samples")
        .join(city)
}

/// `mappings/<city>` → `samples/<city>/<month>`, or every month folder of
/// the samples, oldest first.
fn bundled_samples(mappings: &Path, month: Option<YearMonth>) -> Result<Vec<PathBuf>> {
    let samples = samples_root(mappings);
    if let Some(m) = month {
        return Ok(vec![samples.join(m.to_string())]);
    }
    let mut months: Vec<(YearMonth, PathBuf)> = std::fs::read_dir(&samples)
        .with_context(|| format!("{}: 見本フォルダがありません。--returns で報告フォルダを指定してください (no bundled samples; pass --returns)", samples.display()))?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Some((e.file_name().to_string_lossy().parse().ok()?, e.path())))
        .collect();
    months.sort();
    if months.is_empty() {
        bail!(
            "{}: 年月 (YYYY-MM) のフォルダがありません",
            samples.display()
        );
    }
    Ok(months.into_iter().map(|(_, dir)| dir).collect())
}

/// A progress bar on stderr that appears only once a run has taken a second
/// (short runs print nothing but their summary), and never when stderr is
/// not a terminal or with `--quiet`.
struct Bar {
    bar: ProgressBar,
    /// Set once the run is over; the timer then leaves the bar hidden.
    done: Arc<Mutex<bool>>,
}

impl Bar {
    const DELAY: Duration = Duration::from_secs(1);

    fn new(enabled: bool) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} 件 ({elapsed})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message("読み込み中 (reading)");
        let done = Arc::new(Mutex::new(false));
        if enabled {
            let (bar, done) = (bar.clone(), Arc::clone(&done));
            std::thread::spawn(move || {
                std::thread::sleep(Self::DELAY);
                // Held while switching, so `finish` cannot clear in between.
                let done = done.lock().unwrap_or_else(|e| e.into_inner());
                if !*done {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Bar { bar, done }
    }

    fn progress(&self, p: Progress<'_>) {
        match p {
            Progress::Listed { files } => self.bar.set_length(files as u64),
            Progress::FileDone { .. } => self.bar.inc(1),
            Progress::Reconciling => self.message("突合中 (reconciling)"),
        }
    }

    fn message(&self, msg: &'static str) {
        self.bar.set_message(msg);
    }

    fn finish(&self) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done = true;
        self.bar.finish_and_clear();
    }
}

/// The loud line a run prints when a return held what looks like personal
/// data (withheld from every output), or `None`.
fn personal_data_warning(run: &MonthRun) -> Option<String> {
    let cells = run
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == kasane::core::Rule::PersonalDataSuspected)
        .count();
    (cells > 0).then(|| format!("  ！！ 個人情報の疑いがある記載が {cells} か所あります。内容はどの出力にも書いていません。該当セルは findings.csv（personal_data_suspected）で確認し、報告した機関に連絡してください (PERSONAL DATA SUSPECTED in {cells} place(s): text withheld from every output, see findings.csv) ！！"))
}

fn print_summary(run: &MonthRun, dir: &Path, elapsed: Duration) {
    use std::fmt::Write as _;
    let r = &run.rows;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: 報告 {} 件 → 明細 {} 件、検討事案 {} 件",
        run.mappings.municipality.name,
        run.month,
        run.inputs.len(),
        run.outcome.records.len(),
        run.outcome.cases.len()
    );
    let _ = writeln!(
        out,
        "  指摘 (findings): エラー {} / 警告 {} / 情報 {}{}",
        run.count(Severity::Error),
        run.count(Severity::Warning),
        run.count(Severity::Info),
        match run.waived() {
            0 => String::new(),
            n => format!("（ほかに免除済み {n} 件 / {n} waived）"),
        }
    );
    let _ = writeln!(
        out,
        "  行 (rows): 読込 {} = 明細 {} + 指摘 {} + 除外 {}（空行 {}・見出し {}・合計 {}・表題/備考 {}・他シート {}）{}",
        r.read,
        r.records,
        r.findings,
        r.skipped(),
        r.skipped_blank,
        r.skipped_header,
        r.skipped_total,
        r.skipped_note,
        r.skipped_other_sheet,
        if r.balances() { "" } else { "  ※ 不一致 (DOES NOT BALANCE)" }
    );
    if let Some(warning) = personal_data_warning(run) {
        let _ = writeln!(out, "{warning}");
    }
    let _ = writeln!(out, "  出力 (outputs): {}", dir.display());
    let _ = writeln!(
        out,
        "完了 (done): 報告 {} 件・明細 {} 件・指摘 エラー {} / 警告 {} / 情報 {}・{:.2} 秒",
        run.inputs.len(),
        run.outcome.records.len(),
        run.count(Severity::Error),
        run.count(Severity::Warning),
        run.count(Severity::Info),
        elapsed.as_secs_f64()
    );
    emit(&out);
}
