//! The personal-data detector against a labelled set of texts
//! (`tests/fixtures/personal/labelled.tsv`: label, kind, text, note), and
//! against everything the bundled sample months write.
//!
//! The set's labels were decided from each text's meaning, not from the
//! detector. Rows whose note starts with `holdout` were written before the
//! detector was finished and are reported on their own; their misses are not
//! printed, so that tuning to them shows up as a gap between the two parts.
//! The hold-out came in three batches, each shown apart: `holdout` (A) with
//! the development part; `holdout-b` after the detector's first measurement
//! (the detector was then changed for what B showed: B is no longer blind);
//! `holdout-c` after those changes (measured blind once: recall 23/28, no
//! false alarm out of 25; the detector was changed again for what C
//! showed); `holdout-d` after those changes, measured once with no change
//! after (recall 32/34, no false alarm out of 29; its misses not looked at).
//!
//! `cargo test --test personal_data -- --nocapture` prints the tables.

mod common;

use common::{root, run_kyoto};
use kasane::core::Rule;
use kasane::normalize::personal::{suspect, Suspicion};
use kasane::pipeline::write_month;
use kasane::pipeline::{consolidate, MonthRun, RunConfig};
use std::collections::BTreeMap;

/// The issue's targets (issue 15).
const MIN_RECALL: f64 = 0.95;
const MAX_FALSE_POSITIVE_RATE: f64 = 0.02;

struct Labelled {
    personal: bool,
    kind: String,
    text: String,
    holdout: bool,
    /// The hold-out batch (`holdout`, `holdout-b`, `holdout-c`), if any.
    batch: String,
}

fn labelled() -> Vec<Labelled> {
    let path = root().join("tests/fixtures/personal/labelled.tsv");
    let text = std::fs::read_to_string(&path).expect("labelled set");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "four columns: {l}");
            assert!(matches!(cols[0], "pii" | "clean"), "label: {l}");
            Labelled {
                personal: cols[0] == "pii",
                kind: cols[1].to_string(),
                text: cols[2].to_string(),
                holdout: cols[3].starts_with("holdout"),
                batch: cols[3].split(' ').next().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// Flagged / total, per kind, for one side (personal or clean).
#[derive(Default)]
struct Tally {
    by_kind: BTreeMap<String, (usize, usize)>,
}

impl Tally {
    fn add(&mut self, kind: &str, flagged: bool) {
        let e = self.by_kind.entry(kind.to_string()).or_default();
        e.0 += usize::from(flagged);
        e.1 += 1;
    }
    fn total(&self) -> (usize, usize) {
        self.by_kind
            .values()
            .fold((0, 0), |(f, n), (a, b)| (f + a, n + b))
    }
}

fn rate((flagged, n): (usize, usize)) -> f64 {
    if n == 0 {
        0.0
    } else {
        flagged as f64 / n as f64
    }
}

/// Recall and false-positive rate of a part of the set, with the tables
/// printed; the dev part also lists its misses and false alarms.
fn measure(name: &str, rows: &[&Labelled], show_texts: bool) -> (f64, f64) {
    let mut pos = Tally::default();
    let mut neg = Tally::default();
    let mut right_kind = 0;
    let mut misses = Vec::new();
    let mut alarms = Vec::new();
    for r in rows {
        let got = suspect(&r.text);
        if r.personal {
            pos.add(&r.kind, got.is_some());
            right_kind += usize::from(got.map(Suspicion::code) == Some(r.kind.as_str()));
            if got.is_none() {
                misses.push(format!("{}\t{}", r.kind, r.text));
            }
        } else {
            neg.add(&r.kind, got.is_some());
            if let Some(k) = got {
                alarms.push(format!("{}\t{}\t→ {}", r.kind, r.text, k.code()));
            }
        }
    }
    let recall = rate(pos.total());
    let fpr = rate(neg.total());
    println!("\n== {name}: {} texts ==", rows.len());
    println!("{:<10} {:>9} {:>7}", "personal", "flagged", "recall");
    for (k, v) in &pos.by_kind {
        println!("{k:<10} {:>4}/{:<4} {:>7.3}", v.0, v.1, rate(*v));
    }
    let (pf, pn) = pos.total();
    println!(
        "{:<10} {pf:>4}/{pn:<4} {recall:>7.3}   (kind named right: {right_kind}/{pn})",
        "all"
    );
    println!("{:<10} {:>9} {:>7}", "clean", "flagged", "rate");
    for (k, v) in &neg.by_kind {
        println!("{k:<10} {:>4}/{:<4} {:>7.3}", v.0, v.1, rate(*v));
    }
    let (nf, nn) = neg.total();
    println!("{:<10} {nf:>4}/{nn:<4} {fpr:>7.3}", "all");
    if show_texts {
        for m in &misses {
            println!("  missed: {m}");
        }
        for a in &alarms {
            println!("  false alarm: {a}");
        }
    }
    (recall, fpr)
}

#[test]
fn labelled_set_meets_the_targets() {
    let set = labelled();
    assert!(set.len() >= 300, "at least 300 texts, {}", set.len());
    let dev: Vec<&Labelled> = set.iter().filter(|r| !r.holdout).collect();
    let hold: Vec<&Labelled> = set.iter().filter(|r| r.holdout).collect();
    let all: Vec<&Labelled> = set.iter().collect();
    measure("development part", &dev, true);
    let (hold_recall, hold_fpr) = measure("hold-out part", &hold, false);
    let mut batches = Vec::new();
    for (batch, name) in [
        ("holdout", "hold-out A"),
        ("holdout-b", "hold-out B"),
        ("holdout-c", "hold-out C"),
        ("holdout-d", "hold-out D"),
    ] {
        let rows: Vec<&Labelled> = set.iter().filter(|r| r.batch == batch).collect();
        batches.push((name, measure(name, &rows, false)));
    }
    let (recall, fpr) = measure("whole set", &all, false);
    println!("\nhold-out: recall {hold_recall:.3}, false-positive rate {hold_fpr:.3}");
    for (name, (r, f)) in batches {
        println!("{name}: recall {r:.3}, false-positive rate {f:.3}");
    }
    assert!(recall >= MIN_RECALL, "recall {recall:.3} < {MIN_RECALL}");
    assert!(
        fpr <= MAX_FALSE_POSITIVE_RATE,
        "false-positive rate {fpr:.3} > {MAX_FALSE_POSITIVE_RATE}"
    );
}

/// Every kind the detector names is in the set, on both sides.
#[test]
fn labelled_set_covers_every_kind() {
    let set = labelled();
    for k in Suspicion::ALL {
        let n = set
            .iter()
            .filter(|r| r.personal && r.kind == k.code())
            .count();
        assert!(n >= 5, "{}: {n} personal texts", k.code());
    }
    let clean = set.iter().filter(|r| !r.personal).count();
    let personal = set.len() - clean;
    assert!(
        clean >= 150 && personal >= 150,
        "{personal} personal, {clean} clean"
    );
}

/// Texts of a run that go into an output: record keys, every case-list
/// field and the texts quoted in findings.
fn written_texts(run: &MonthRun) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in &run.outcome.records {
        out.push(("record key".into(), r.key.clone()));
    }
    for c in &run.outcome.cases {
        out.push(("case id".into(), c.case_id.clone()));
        out.push(("meeting date".into(), c.meeting_date.clone()));
        out.push(("lead agency".into(), c.lead_agency.clone()));
        out.extend(c.issues.iter().map(|t| ("issue".into(), t.clone())));
        out.extend(
            c.participants
                .iter()
                .map(|t| ("participant".into(), t.clone())),
        );
        for (code, role) in &c.roles {
            out.push(("role agency".into(), code.clone()));
            out.push(("role".into(), role.clone()));
        }
    }
    for f in &run.outcome.findings {
        out.push(("finding message".into(), f.message.clone()));
        out.push(("finding expected".into(), f.expected.clone()));
        out.push(("finding actual".into(), f.actual.clone()));
    }
    out
}

fn assert_nothing_personal(name: &str, run: &MonthRun) {
    let flagged: Vec<_> = run
        .outcome
        .findings
        .iter()
        .filter(|f| f.rule == Rule::PersonalDataSuspected)
        .map(|f| f.message.clone())
        .collect();
    assert!(
        flagged.is_empty(),
        "{name}: personal_data_suspected {flagged:?}"
    );
    assert!(
        !run.outcome.cases.is_empty(),
        "{name}: a case list was read"
    );
    let suspicious: Vec<_> = written_texts(run)
        .into_iter()
        .filter_map(|(what, t)| suspect(&t).map(|k| format!("{what} {t:?} → {}", k.code())))
        .collect();
    assert!(suspicious.is_empty(), "{name}: {suspicious:#?}");
}

#[test]
fn sample_months_hold_nothing_personal() {
    let out = tempfile::tempdir().expect("temp dir");
    for month in ["samples/kyoto/2025-04", "samples/kyoto/2025-05"] {
        let (run, _) = run_kyoto(month, out.path());
        assert_nothing_personal(month, &run);
    }
    let cfg = RunConfig {
        mappings_dir: root().join("mappings/model"),
        returns_dir: root().join("samples/model/2025-04"),
        month: None,
        out_dir: Some(out.path().join("model")),
    };
    let run = consolidate(&cfg).expect("the model month runs");
    write_month(&run, &out.path().join("model")).expect("outputs are written");
    assert_nothing_personal("samples/model/2025-04", &run);
}

/// Every text cell of the bundled CSV returns (the Kyoto months' CSV exports
/// and CSV returns, the model ward's CSV returns: headings, labels, tags,
/// site names, remarks) and every agency and area name of both mappings.
#[test]
fn sample_texts_and_registry_names_pass() {
    let mut files = Vec::new();
    for dir in [
        "samples/kyoto/csv-exports/2025-04",
        "samples/kyoto/csv-exports/2025-05",
        "samples/kyoto/2025-04",
        "samples/kyoto/2025-05",
        "samples/model/2025-04",
        "mappings/kyoto",
        "mappings/model",
    ] {
        for e in std::fs::read_dir(root().join(dir)).expect("sample folder") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "csv") {
                files.push(p);
            }
        }
    }
    let mut cells = 0;
    let mut flagged = Vec::new();
    for p in &files {
        let bytes = std::fs::read(p).expect("csv file");
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
            Err(_) => encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned(),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for rec in rdr.records() {
            for cell in rec.expect("csv row").iter() {
                cells += 1;
                if let Some(k) = suspect(cell) {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    flagged.push(format!("{name}: {cell:?} → {}", k.code()));
                }
            }
        }
    }
    assert!(
        files.len() > 100 && cells > 10_000,
        "{} files, {cells} cells",
        files.len()
    );
    assert!(flagged.is_empty(), "{flagged:#?}");
}
