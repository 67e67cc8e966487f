//! Benchmark: kasane at scale, against the parse floor.
//!
//! Generates N copies of the bundled sample month (`samples/kyoto/2025-04`,
//! 109 returns: xlsx workbooks and CP932 CSV) as N× as many agencies in one
//! month, with a registry to match, then times
//!
//! * the **whole run**: `consolidate` (read, normalize, reconcile) plus
//!   `write_month` (CSV files, workbook, manifest), as `kasane run` does;
//! * the **parse floor**: calamine only (open every workbook, read every
//!   sheet's value range) and encoding_rs + csv only (decode, parse every
//!   record), over the same files, in parallel the same way (rayon, one task
//!   per file).
//!
//! ```text
//! cargo run --release --example bench -- --scale 20
//! cargo run --release --example bench -- --scale 1,5,20   # one process per scale
//! ```
//!
//! Copy 0 is the sample month as it is; copy k (k ≥ 1) has every agency code
//! `XXX-nnn` rewritten to `XXXkk-nnn`, in the file names, inside the CSV text
//! (decoded and re-encoded as CP932) and inside the workbooks' XML parts (the
//! zip is rewritten entry by entry), so each copy reconciles on its own just
//! as the sample does. Peak memory is the process's VmHWM, reset before each
//! phase through `/proc/self/clear_refs`.
//! CPU seconds (user + system, all threads, from `/proc/self/stat`) are
//! printed beside the wall times: they move much less when other processes
//! load the machine.

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use kasane::core::Severity;
use kasane::pipeline::write_month;
use kasane::pipeline::{consolidate_with_progress, Progress, RunConfig};
use kasane::read::{decode_text, TextEncoding};
use rayon::prelude::*;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Times kasane over generated returns and compares it with the parse floor.
#[derive(Parser)]
struct Args {
    /// Copies of the sample month, comma-separated for several runs (each in
    /// its own process, so that peak memory is per scale).
    #[arg(long, default_value = "20", value_delimiter = ',')]
    scale: Vec<usize>,
    /// Timed repetitions of each measurement; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The sample month to copy.
    #[arg(long, default_value = "samples/kyoto/2025-04")]
    samples: PathBuf,
    /// The mappings the samples are read with.
    #[arg(long, default_value = "mappings/kyoto")]
    mappings: PathBuf,
    /// Generate into this folder and keep it (default: a temporary folder).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Print the figures as one JSON line (used between processes).
    #[arg(long, hide = true)]
    json: bool,
}

/// One scale's figures.
#[derive(Serialize, Deserialize)]
struct Report {
    scale: usize,
    threads: usize,
    files: usize,
    xlsx: usize,
    csv: usize,
    input_mib: f64,
    figures: usize,
    cases: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Medians, seconds.
    floor_s: f64,
    load_s: f64,
    read_s: f64,
    reconcile_s: f64,
    write_s: f64,
    total_s: f64,
    /// Fastest whole run, seconds.
    total_min_s: f64,
    /// CPU time (user + system, all threads), medians, seconds: less
    /// sensitive than wall time to other processes on the machine.
    floor_cpu_s: f64,
    read_cpu_s: f64,
    write_cpu_s: f64,
    total_cpu_s: f64,
    floor_peak_mib: f64,
    run_peak_mib: f64,
    base_rss_mib: f64,
    peak_reset: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(args.runs > 0, "--runs must be at least 1");
    if args.scale.len() == 1 {
        let r = bench_one(&args, args.scale[0])?;
        if args.json {
            println!("{}", serde_json::to_string(&r)?);
        } else {
            print_table(&[r]);
        }
        return Ok(());
    }
    ensure!(
        args.keep.is_none(),
        "--keep takes a single --scale (one folder per scale)"
    );
    let exe = std::env::current_exe()?;
    let mut reports = Vec::new();
    for &n in &args.scale {
        eprintln!("scale {n}×…");
        let out = std::process::Command::new(&exe)
            .arg("--scale")
            .arg(n.to_string())
            .arg("--runs")
            .arg(args.runs.to_string())
            .arg("--samples")
            .arg(&args.samples)
            .arg("--mappings")
            .arg(&args.mappings)
            .arg("--json")
            .stderr(std::process::Stdio::inherit())
            .output()?;
        ensure!(out.status.success(), "scale {n}: child failed");
        let line = String::from_utf8(out.stdout)?;
        reports.push(serde_json::from_str::<Report>(line.trim())?);
    }
    print_table(&reports);
    Ok(())
}

fn print_table(rs: &[Report]) {
    let first = &rs[0];
    println!(
        "threads {} · medians of timed runs · peak = VmHWM{}",
        first.threads,
        if first.peak_reset {
            " reset before each phase"
        } else {
            " (could not reset: whole process)"
        }
    );
    println!(
        "| scale | returns (xlsx+csv) | input MiB | figures | findings E/W/I | parse floor s | load s | read+normalize s | reconcile s | write s | whole run s (min) | whole/floor | returns/s | figures/s | floor peak MiB | run peak MiB |"
    );
    println!("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let rows: Vec<String> = rs.iter().map(row).collect();
    println!("{}", rows.join("\n"));
    println!();
    println!("CPU seconds (user + system, all threads; medians):");
    println!("| scale | parse floor cpu s | read+normalize cpu s | write cpu s | whole run cpu s | whole/floor (cpu) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for r in rs {
        println!(
            "| {}× | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            r.scale,
            r.floor_cpu_s,
            r.read_cpu_s,
            r.write_cpu_s,
            r.total_cpu_s,
            r.total_cpu_s / r.floor_cpu_s.max(0.01),
        );
    }
}

fn row(r: &Report) -> String {
    format!(
            "| {}× | {} ({}+{}) | {:.1} | {} | {}/{}/{} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} ({:.3}) | {:.2} | {:.0} | {:.0} | {:.1} | {:.1} |",
            r.scale,
            r.files,
            r.xlsx,
            r.csv,
            r.input_mib,
            r.figures,
            r.errors,
            r.warnings,
            r.infos,
            r.floor_s,
            r.load_s,
            r.read_s,
            r.reconcile_s,
            r.write_s,
            r.total_s,
            r.total_min_s,
            r.total_s / r.floor_s,
            r.files as f64 / r.total_s,
            r.figures as f64 / r.total_s,
            r.floor_peak_mib,
            r.run_peak_mib,
        )
}

fn bench_one(args: &Args, scale: usize) -> Result<Report> {
    ensure!(scale > 0, "--scale must be at least 1");
    let tmp;
    let root = match &args.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let gen =
        generate(&args.samples, &args.mappings, &root, scale).context("generating the returns")?;
    eprintln!(
        "{}×: {} returns ({} xlsx, {} csv, {:.1} MiB) in {}",
        scale,
        gen.files.len(),
        gen.xlsx,
        gen.csv,
        gen.bytes as f64 / MIB,
        gen.returns.display()
    );
    let cfg = RunConfig {
        mappings_dir: gen.mappings.clone(),
        returns_dir: gen.returns.clone(),
        month: None,
        out_dir: None,
    };
    let out = root.join("out");

    // The floor first, so that its peak is not raised by memory the
    // allocator kept from a whole run. One untimed pass warms the page cache
    // and the thread pool.
    parse_floor(&gen.files)?;
    let peak_reset = reset_peak();
    let base_rss = status_mib("VmRSS");
    let mut floor = Vec::new();
    let mut floor_cpu = Vec::new();
    for _ in 0..args.runs {
        let (t, c) = (Instant::now(), cpu_time());
        parse_floor(&gen.files)?;
        floor.push(t.elapsed());
        floor_cpu.push(cpu_time().saturating_sub(c));
    }
    let floor_peak = status_mib("VmHWM");

    let warm = whole_run(&cfg, &out)?;
    reset_peak();
    let mut runs = Vec::new();
    for _ in 0..args.runs {
        runs.push(whole_run(&cfg, &out)?);
    }
    let run_peak = status_mib("VmHWM");
    if args.keep.is_some() {
        eprintln!(
            "kept: kasane run --mappings {} --returns {} --out {}",
            gen.mappings.display(),
            gen.returns.display(),
            out.display()
        );
    }
    let med = |f: &dyn Fn(&Timing) -> Duration| median(runs.iter().map(f).collect());
    Ok(Report {
        scale,
        threads: rayon::current_num_threads(),
        files: gen.files.len(),
        xlsx: gen.xlsx,
        csv: gen.csv,
        input_mib: gen.bytes as f64 / MIB,
        figures: warm.figures,
        cases: warm.cases,
        errors: warm.severities[0],
        warnings: warm.severities[1],
        infos: warm.severities[2],
        floor_s: median(floor),
        load_s: med(&|t| t.load),
        read_s: med(&|t| t.read),
        reconcile_s: med(&|t| t.reconcile),
        write_s: med(&|t| t.write),
        total_s: med(&|t| t.total),
        total_min_s: runs
            .iter()
            .map(|t| t.total)
            .min()
            .unwrap_or_default()
            .as_secs_f64(),
        floor_cpu_s: median(floor_cpu),
        read_cpu_s: med(&|t| t.read_cpu),
        write_cpu_s: med(&|t| t.write_cpu),
        total_cpu_s: med(&|t| t.total_cpu),
        floor_peak_mib: floor_peak,
        run_peak_mib: run_peak,
        base_rss_mib: base_rss,
        peak_reset,
    })
}

const MIB: f64 = 1024.0 * 1024.0;

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64()
}

/// One whole run, stage by stage.
struct Timing {
    load: Duration,
    read: Duration,
    reconcile: Duration,
    write: Duration,
    total: Duration,
    read_cpu: Duration,
    write_cpu: Duration,
    total_cpu: Duration,
    figures: usize,
    cases: usize,
    severities: [usize; 3],
}

fn whole_run(cfg: &RunConfig, out: &Path) -> Result<Timing> {
    let (start, start_cpu) = (Instant::now(), cpu_time());
    type Mark = Option<(Instant, Duration)>;
    let marks: Mutex<(Mark, Mark)> = Mutex::new((None, None));
    let now = || Some((Instant::now(), cpu_time()));
    let run = consolidate_with_progress(cfg, &|p| match p {
        Progress::Listed { .. } => marks.lock().expect("lock").0 = now(),
        Progress::Reconciling => marks.lock().expect("lock").1 = now(),
        _ => {}
    })?;
    let (consolidated, consolidated_cpu) = (Instant::now(), cpu_time());
    write_month(&run, out)?;
    let (end, end_cpu) = (Instant::now(), cpu_time());
    let (listed, reconciling) = marks.into_inner().expect("lock");
    let ((listed, listed_cpu), (reconciling, reconciling_cpu)) = (
        listed.context("no Listed event")?,
        reconciling.context("no Reconciling event")?,
    );
    Ok(Timing {
        load: listed - start,
        read: reconciling - listed,
        reconcile: consolidated - reconciling,
        write: end - consolidated,
        total: end - start,
        read_cpu: reconciling_cpu.saturating_sub(listed_cpu),
        write_cpu: end_cpu.saturating_sub(consolidated_cpu),
        total_cpu: end_cpu.saturating_sub(start_cpu),
        figures: run.outcome.records.len(),
        cases: run.outcome.cases.len(),
        severities: [
            run.count(Severity::Error),
            run.count(Severity::Warning),
            run.count(Severity::Info),
        ],
    })
}

/// calamine / encoding_rs + csv only: what any tool must do to see the
/// cells. Returns the number of non-empty cells and fields seen.
fn parse_floor(files: &[PathBuf]) -> Result<usize> {
    files
        .par_iter()
        .map(|path| -> Result<usize> {
            let bytes = std::fs::read(path)?;
            if path.extension().is_some_and(|e| e == "csv") {
                let (text, _) = decode_text(&bytes)
                    .map_err(|at| anyhow::anyhow!("{}: bad byte at {at}", path.display()))?;
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text.as_bytes());
                let mut n = 0;
                for rec in rdr.records() {
                    n += rec?.iter().filter(|f| !f.is_empty()).count();
                }
                Ok(n)
            } else {
                use calamine::Reader;
                let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(&bytes[..]))?;
                let mut n = 0;
                for name in wb.sheet_names() {
                    n += wb.worksheet_range(&name)?.used_cells().count();
                }
                Ok(n)
            }
        })
        .sum()
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0).
/// CPU time of the whole process so far (user + system, every thread,
/// including threads that have ended), from `/proc/self/stat`, in clock
/// ticks of 10 ms (`CLK_TCK` = 100 on Linux).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11) // state … cmajflt; utime and stime are fields 14 and 15
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    Duration::from_millis(f.iter().sum::<u64>() * 10)
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A `/proc/self/status` field in MiB (0 where there is none).
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix(field)?.strip_prefix(':')?;
            rest.trim()
                .trim_end_matches(" kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The generated month.
struct Generated {
    mappings: PathBuf,
    returns: PathBuf,
    files: Vec<PathBuf>,
    xlsx: usize,
    csv: usize,
    bytes: u64,
}

fn generate(samples: &Path, mappings: &Path, root: &Path, scale: usize) -> Result<Generated> {
    let code = Regex::new(r"([A-Z]{3})-([0-9]{3})").expect("valid regex");
    let recode = |text: &str, k: usize| -> String {
        if k == 0 {
            text.to_string()
        } else {
            code.replace_all(text, format!("${{1}}{k:02}-${{2}}"))
                .into_owned()
        }
    };

    // Mappings: everything as it is, but the registry N times over.
    let map_dir = root.join("mappings").join("kyoto");
    std::fs::create_dir_all(&map_dir)?;
    for entry in std::fs::read_dir(mappings)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.file_name() != "agencies.csv" {
            std::fs::copy(entry.path(), map_dir.join(entry.file_name()))?;
        }
    }
    let agencies = std::fs::read_to_string(mappings.join("agencies.csv"))?;
    let mut lines = agencies.lines();
    let mut reg = String::new();
    reg.push_str(lines.next().context("empty agencies.csv")?);
    reg.push('\n');
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    for k in 0..scale {
        for row in &rows {
            let (c, rest) = row.split_once(',').context("agencies.csv row")?;
            let (name, rest) = rest.split_once(',').context("agencies.csv row")?;
            let name = if k == 0 {
                name.to_string()
            } else {
                format!("{name}（複製{k:02}）")
            };
            reg.push_str(&format!("{},{name},{rest}\n", recode(c, k)));
        }
    }
    std::fs::write(map_dir.join("agencies.csv"), reg)?;

    // Returns.
    let month = samples.file_name().context("samples folder name")?;
    let ret_dir = root.join("returns").join(month);
    if ret_dir.exists() {
        std::fs::remove_dir_all(&ret_dir)?;
    }
    std::fs::create_dir_all(&ret_dir)?;
    let mut sources: Vec<PathBuf> = std::fs::read_dir(samples)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    sources.sort();
    let sources: Vec<(PathBuf, Vec<u8>)> = sources
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| std::fs::read(&p).map(|b| (p, b)))
        .collect::<Result<_, _>>()?;
    let jobs: Vec<(usize, &(PathBuf, Vec<u8>))> = (0..scale)
        .flat_map(|k| sources.iter().map(move |s| (k, s)))
        .collect();
    let made: Vec<(PathBuf, u64, bool)> = jobs
        .par_iter()
        .map(|&(k, (path, bytes))| -> Result<(PathBuf, u64, bool)> {
            let name = path.file_name().and_then(|n| n.to_str()).context("name")?;
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            let out = match (k, ext.as_str()) {
                (0, _) => bytes.clone(),
                (_, "csv") => recode_csv(bytes, |t| recode(t, k))
                    .with_context(|| format!("{}", path.display()))?,
                (_, "xlsx" | "xlsm") => recode_zip(bytes, |t| recode(t, k))
                    .with_context(|| format!("{}", path.display()))?,
                _ => bail!("{}: cannot copy this kind of file", path.display()),
            };
            let target = ret_dir.join(recode(name, k));
            std::fs::write(&target, &out)?;
            Ok((target, out.len() as u64, ext == "csv"))
        })
        .collect::<Result<_>>()?;
    let mut files: Vec<PathBuf> = made.iter().map(|m| m.0.clone()).collect();
    files.sort();
    let csv = made.iter().filter(|m| m.2).count();
    Ok(Generated {
        mappings: map_dir,
        returns: ret_dir,
        xlsx: files.len() - csv,
        csv,
        bytes: made.iter().map(|m| m.1).sum(),
        files,
    })
}

/// Decodes a CSV return, rewrites its text and encodes it as it came.
fn recode_csv(bytes: &[u8], f: impl Fn(&str) -> String) -> Result<Vec<u8>> {
    let (text, enc) = decode_text(bytes).map_err(|at| anyhow::anyhow!("bad byte at {at}"))?;
    let text = f(&text);
    Ok(match enc {
        TextEncoding::Cp932 => {
            let (out, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
            ensure!(!unmappable, "text not representable in CP932");
            out.into_owned()
        }
        TextEncoding::Utf8 => text.into_bytes(),
        TextEncoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        other => bail!("{other:?} CSV is not in the sample month"),
    })
}

/// Rewrites every XML part of a workbook (shared strings, sheets).
fn recode_zip(bytes: &[u8], f: impl Fn(&str) -> String) -> Result<Vec<u8>> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes))?;
    let mut zout = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i)?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(entry.last_modified().unwrap_or_default());
        let name = entry.name().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let text = String::from_utf8(data).context("XML part is not UTF-8")?;
            data = f(&text).into_bytes();
        }
        zout.start_file(name, options)?;
        zout.write_all(&data)?;
    }
    Ok(zout.finish()?.into_inner())
}
