//! Command line. Exit status: 0 done with no error finding, 1 done but error
//! findings exist, 2 could not run (bad arguments, mapping mistakes, no folder).

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kasane::core::{Severity, YearMonth};
use kasane::pipeline::{consolidate_with_progress, MonthRun, Progress, RunConfig};
use kasane::report::write_month;
use std::io::IsTerminal;
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
}

#[derive(clap::Args)]
struct RunArgs {
    /// 自治体の対応表フォルダ (mappings folder of the municipality).
    #[arg(long, default_value = "mappings/kyoto")]
    mappings: PathBuf,
    /// 報告ファイルのフォルダ。省略時は samples/<自治体>/ の見本 (folder of returns; default: the bundled samples).
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
    let returns_dir = match &args.returns {
        Some(dir) => dir.clone(),
        None => bundled_samples(&args.mappings, args.month)?,
    };
    let cfg = RunConfig {
        mappings_dir: args.mappings.clone(),
        returns_dir,
        month: args.month,
    };
    let started = Instant::now();
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
    let dir = write_month(&run, &args.out);
    bar.finish();
    let dir = dir?;
    if !args.quiet {
        print_summary(&run, &dir, started.elapsed());
    }
    Ok(if run.count(Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `mappings/<city>` → `samples/<city>/<month>`, or its latest month folder.
fn bundled_samples(mappings: &Path, month: Option<YearMonth>) -> Result<PathBuf> {
    let city = mappings
        .file_name()
        .with_context(|| format!("{}: 対応表フォルダ名がありません", mappings.display()))?;
    let root = mappings
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    let samples = root.join("samples").join(city);
    if let Some(m) = month {
        return Ok(samples.join(m.to_string()));
    }
    let mut months: Vec<String> = std::fs::read_dir(&samples)
        .with_context(|| format!("{}: 見本フォルダがありません。--returns で報告フォルダを指定してください (no bundled samples; pass --returns)", samples.display()))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.parse::<YearMonth>().is_ok())
        .collect();
    months.sort();
    match months.pop() {
        Some(m) => Ok(samples.join(m)),
        None => bail!(
            "{}: 年月 (YYYY-MM) のフォルダがありません",
            samples.display()
        ),
    }
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

fn print_summary(run: &MonthRun, dir: &Path, elapsed: Duration) {
    let r = &run.rows;
    println!(
        "{} {}: 報告 {} 件 → 明細 {} 件、検討事案 {} 件",
        run.mappings.municipality.name,
        run.month,
        run.inputs.len(),
        run.outcome.records.len(),
        run.outcome.cases.len()
    );
    println!(
        "  指摘 (findings): エラー {} / 警告 {} / 情報 {}",
        run.count(Severity::Error),
        run.count(Severity::Warning),
        run.count(Severity::Info)
    );
    println!(
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
    if run
        .outcome
        .findings
        .iter()
        .any(|f| f.rule == kasane::core::Rule::PersonalDataSuspected)
    {
        println!("  ！！ 個人情報の疑いがある記載があります。該当セルは findings.csv を確認してください (PERSONAL DATA SUSPECTED: see findings.csv) ！！");
    }
    println!("  出力 (outputs): {}", dir.display());
    println!(
        "完了 (done): 報告 {} 件・明細 {} 件・指摘 エラー {} / 警告 {} / 情報 {}・{:.2} 秒",
        run.inputs.len(),
        run.outcome.records.len(),
        run.count(Severity::Error),
        run.count(Severity::Warning),
        run.count(Severity::Info),
        elapsed.as_secs_f64()
    );
}
