//! Issue 15, the output side: no output limit, no hostile text, no full disk
//! and no second run costs a month or leaves it half written.
//!
//! * a return with a 40,000-character site name and 1,200 sites (the 累計
//!   "cannot check" finding then cites 2,406 cells) is a normal return: exit
//!   1 (the other agencies are missing), every output written, the long text
//!   whole in the CSV files and cut with 「…（以下省略、全 N 文字）」 in the
//!   workbook; `check --annotate` likewise;
//! * CSV fields that a spreadsheet would run as formulas get a leading `'`,
//!   and kasane's own read-back (累計 check, fiscal report) undoes it;
//! * a full disk (a 2 MiB tmpfs, when this process may mount one), a missing
//!   TMPDIR and an unusable lock file end with exit 2 and a message, the
//!   previous month intact;
//! * the month is swapped in one step, stale staging folders go, and a
//!   second run into the same `--out` waits, then refuses.

mod common;
use common::{csv_rows, root};

use calamine::{open_workbook_auto, Data, Reader};
use kasane::store::{clean_stale, exchange, swap_in, OutLock, LOCK_FILE, MANIFEST};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const MARKER_START: &str = "…（以下省略、全 ";

/// The long site name: over Excel's cell limit on its own.
fn long_site() -> String {
    "長".repeat(40_000)
}

/// Site names a spreadsheet would take for formulas.
const FORMULA_SITES: [&str; 3] = ["=SUM(A1:A9)サロン", "-左京区 みんなの居場所", "@北区"];

/// How many ordinary sites the big return has.
const MANY: usize = 1_200;

/// A Kyoto F4 return as a UTF-8 CSV file: the long site first, the formula
/// sites, then `MANY` more, each with both 累計 columns. `cumulative(i)`
/// gives site i's two running totals.
fn f4_csv(month: &str, cumulative: impl Fn(usize) -> (u64, u64)) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let rows: [&[&str]; 7] = [
        &["地域づくり 月次報告（様式F4）"],
        &["様式バージョン", "kyoto-F4-v1"],
        &["報告年月", month],
        &["機関コード", "CDK-001"],
        &["機関名", "地域介護予防推進センター"],
        &[""],
        &[
            "拠点・活動名",
            "区・支所",
            "開催回数",
            "参加者数（延べ）",
            "新たに生まれた・充実した地域活動数",
            "地域支え合い活動調整会議を通じて支援した取組数",
            "ボランティアセンター相談対応件数",
            "つながりを促進する場への参加者数",
            "新たに生まれた・充実した地域活動数（累計）",
            "地域支え合い活動調整会議を通じて支援した取組数（累計）",
        ],
    ];
    for r in rows {
        w.write_record(r).expect("row");
    }
    for (i, site) in sites().iter().enumerate() {
        let (a, b) = cumulative(i);
        let fields = [
            site.clone(),
            "北区".to_string(),
            "2".into(),
            "10".into(),
            "1".into(),
            "0".into(),
            "0".into(),
            "3".into(),
            a.to_string(),
            b.to_string(),
        ];
        w.write_record(&fields).expect("row");
    }
    w.into_inner().expect("csv")
}

fn sites() -> Vec<String> {
    let mut s = vec![long_site()];
    s.extend(FORMULA_SITES.iter().map(ToString::to_string));
    s.extend((1..=MANY).map(|i| format!("拠点{i:04}")));
    s
}

fn kasane(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kasane"));
    cmd.args(args).current_dir(root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("kasane runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `kasane run` of one folder into `out`.
fn run(returns: &Path, month: &str, out: &Path, env: &[(&str, &str)]) -> Output {
    kasane(
        &[
            "run",
            "--quiet",
            "--mappings",
            root().join("mappings/kyoto").to_str().expect("utf-8"),
            "--returns",
            returns.to_str().expect("utf-8"),
            "--month",
            month,
            "--out",
            out.to_str().expect("utf-8"),
        ],
        env,
    )
}

/// A returns folder holding the big F4 return of `month` (`YYYYMM`).
fn returns_with(dir: &Path, month: &str, cumulative: impl Fn(usize) -> (u64, u64)) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(
        dir.join(format!("CDK-001_{month}_F4.csv")),
        f4_csv(month, cumulative),
    )
    .expect("write");
    dir.to_path_buf()
}

/// Every string cell of a sheet.
fn strings(xlsx: &Path, sheet: &str) -> Vec<String> {
    let mut wb = open_workbook_auto(xlsx).expect("workbook");
    let range = wb.worksheet_range(sheet).expect("sheet");
    range
        .used_cells()
        .filter_map(|(_, _, v)| match v {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("folder")
        .map(|e| {
            let p = e.expect("entry").path();
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read"),
            )
        })
        .collect()
}

/// Names in `out` besides the month folders and the lock file.
fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != LOCK_FILE && n.parse::<kasane::core::YearMonth>().is_err())
        .collect()
}

#[test]
fn a_return_over_every_cell_limit_is_a_normal_return() {
    let tmp = tempfile::tempdir().expect("tmp");
    let returns = returns_with(&tmp.path().join("returns"), "202504", |_| (5, 3));
    let out = tmp.path().join("out");
    let o = run(&returns, "2025-04", &out, &[]);
    // The other agencies' returns are missing (errors), nothing else failed.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let month = out.join("2025-04");
    let files = files_of(&month);
    for f in [
        "records.csv",
        "findings.csv",
        "cases.csv",
        MANIFEST,
        "月次集計_2025-04.xlsx",
    ] {
        assert!(files.contains_key(f), "{f}: {:?}", files.keys());
    }
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));

    // records.csv: the long site whole, once per figure.
    let records = csv_rows(&files["records.csv"]);
    let long = long_site();
    assert!(records.iter().any(|r| r["key"] == long));
    assert_eq!(
        records
            .iter()
            .filter(|r| r["agency_code"] == "CDK-001")
            .count(),
        (MANY + 4) * 8
    );
    // findings.csv: the cannot-check finding names the long site whole and
    // cites every 累計 cell.
    let findings = csv_rows(&files["findings.csv"]);
    let info = findings
        .iter()
        .find(|f| f["rule"] == "cumulative_mismatch" && f["agency_code"] == "CDK-001")
        .expect("the cannot-check finding");
    assert!(info["message"].contains(&long));
    assert!(
        info["message"].contains("ほか"),
        "{}",
        &info["message"][..200]
    );
    assert_eq!(info["source"].split("; ").count(), (MANY + 4) * 2);

    // The workbook: the long site cut with the marker on the F4 sheet and in
    // 明細; the finding's message cut, its cells summarized.
    let xlsx = month.join("月次集計_2025-04.xlsx");
    for sheet in ["明細", "事業3 地域づくり"] {
        let cells = strings(&xlsx, sheet);
        let cut: Vec<&String> = cells.iter().filter(|s| s.starts_with("長長長")).collect();
        assert!(!cut.is_empty(), "{sheet}");
        for s in cut {
            assert!(
                s.ends_with("…（以下省略、全 40,000 文字）"),
                "{sheet}: {}",
                &s[s.len() - 80..]
            );
            assert!(s.encode_utf16().count() <= 32_767);
        }
    }
    let listed = strings(&xlsx, "突合結果");
    assert!(listed
        .iter()
        .any(|s| s.starts_with("地域介護予防推進センター") && s.contains(MARKER_START)));
    assert!(
        listed.iter().any(|s| s.ends_with("…ほか 2,388 件")),
        "the 20 first of (1,200 + 4) × 2 cells and the count"
    );

    // check --annotate: the same return marked up, long text cut.
    let annotated = tmp.path().join("点検結果.xlsx");
    let ret = returns.join("CDK-001_202504_F4.csv");
    let o = kasane(
        &[
            "check",
            "--annotate",
            annotated.to_str().expect("utf-8"),
            ret.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    let cells = strings(&annotated, "CSV");
    assert!(cells
        .iter()
        .any(|s| s.starts_with("長長長") && s.ends_with("全 40,000 文字）")));
}

#[test]
fn formula_text_is_neutralized_in_the_csv_files_and_read_back_as_typed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let april = returns_with(&tmp.path().join("04"), "202504", |i| (5 + i as u64, 3));
    assert_eq!(run(&april, "2025-04", &out, &[]).status.code(), Some(1));
    let raw = String::from_utf8(std::fs::read(out.join("2025-04/records.csv")).expect("csv"))
        .expect("utf-8");
    for site in FORMULA_SITES {
        assert!(raw.contains(&format!(",'{site},")), "{site} with a quote");
        assert!(!raw.contains(&format!(",{site},")), "{site} bare");
    }
    // Numbers keep their form; no field starts a formula.
    for r in csv_rows(raw.as_bytes()) {
        for v in r.values() {
            assert!(
                !v.starts_with(['=', '+', '-', '@', '\t', '\r']) || v.parse::<f64>().is_ok(),
                "{v:?}"
            );
        }
    }

    // May: every 累計 is April's + May's figure, so nothing is reported,
    // which needs April's keys read back as typed.
    let may = returns_with(&tmp.path().join("05"), "202505", |i| (5 + i as u64 + 1, 3));
    let o = run(&may, "2025-05", &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let findings = csv_rows(&std::fs::read(out.join("2025-05/findings.csv")).expect("csv"));
    let about: Vec<_> = findings
        .iter()
        .filter(|f| f["agency_code"] == "CDK-001")
        .collect();
    assert!(about.is_empty(), "{about:#?}");

    // The fiscal year reads the same keys back.
    let data = kasane::store::load_fiscal_year(&out, 2025);
    let keys: Vec<&str> = data
        .months
        .iter()
        .flat_map(|m| m.figures.iter().map(|f| f.key.as_str()))
        .collect();
    for site in FORMULA_SITES {
        assert_eq!(keys.iter().filter(|k| **k == site).count(), 16, "{site}");
    }
    assert!(!keys.iter().any(|k| k.starts_with('\'')));
}

#[test]
fn a_missing_tmpdir_does_not_matter_and_a_broken_lock_file_keeps_the_month() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let returns = returns_with(&tmp.path().join("r"), "202504", |_| (5, 3));
    // 明細's temporary file goes in the staging folder, not TMPDIR.
    let o = run(
        &returns,
        "2025-04",
        &out,
        &[("TMPDIR", "/nonexistent/kasane")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let before = files_of(&out.join("2025-04"));

    // A folder where the lock file must go: exit 2, a message, April kept.
    std::fs::remove_file(out.join(LOCK_FILE)).expect("lock file");
    std::fs::create_dir(out.join(LOCK_FILE)).expect("mkdir");
    let o = run(&returns, "2025-04", &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains(".kasane.lock"), "{}", text(&o));
    assert!(!text(&o).contains("panicked"), "{}", text(&o));
    assert_eq!(files_of(&out.join("2025-04")), before);
}

/// Mounts a tmpfs of `size` at a new folder, or `None` where this process
/// may not (no privileges, no `mount`).
fn small_disk(size: &str) -> Option<(tempfile::TempDir, Unmount)> {
    let dir = tempfile::tempdir().ok()?;
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir.path())
        .output()
        .ok()?
        .status
        .success();
    ok.then(|| {
        let mount = Unmount(dir.path().to_path_buf());
        (dir, mount)
    })
}

/// Unmounts on drop, so a failing test leaves no mount behind.
struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).output();
    }
}

#[test]
fn a_full_disk_ends_with_a_message_and_the_month_before_intact() {
    let Some((disk, _mount)) = small_disk("16m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let out = disk.path().join("out");
    let tmp = tempfile::tempdir().expect("tmp");
    let returns = returns_with(&tmp.path().join("r"), "202504", |_| (5, 3));
    let o = run(&returns, "2025-04", &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let before = files_of(&out.join("2025-04"));
    let size: usize = before.values().map(Vec::len).sum();

    // Fill the disk to a few leftover sizes: whichever file runs out of
    // room (a CSV file, the workbook's temporary file, the manifest), the
    // run ends with exit 2 and a message, no panic, April as it was, and
    // no staging folder left.
    for room in [0, 64 * 1024, size / 2, size - 4096] {
        let filler = disk.path().join("filler");
        let _ = std::fs::remove_file(&filler);
        fill(&filler, room);
        let o = run(&returns, "2025-04", &out, &[]);
        assert_eq!(o.status.code(), Some(2), "room {room}: {}", text(&o));
        assert!(!text(&o).contains("panicked"), "room {room}: {}", text(&o));
        assert!(text(&o).contains("kasane:"), "{}", text(&o));
        assert_eq!(files_of(&out.join("2025-04")), before, "room {room}");
        assert!(
            leftovers(&out).is_empty(),
            "room {room}: {:?}",
            leftovers(&out)
        );
        std::fs::remove_file(&filler).expect("rm");
    }
    let o = run(&returns, "2025-04", &out, &[]);
    assert_eq!(o.status.code(), Some(1), "with room again: {}", text(&o));
}

/// Writes `filler` until the disk has about `room` bytes left.
fn fill(filler: &Path, room: usize) {
    use std::io::Write;
    let mut f = std::fs::File::create(filler).expect("filler");
    let chunk = vec![0u8; 4096];
    while f.write_all(&chunk).is_ok() {}
    drop(f);
    let len = std::fs::metadata(filler).expect("meta").len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(filler)
        .expect("filler");
    f.set_len(len.saturating_sub(room as u64))
        .expect("truncate");
}

#[test]
fn a_second_run_into_the_same_out_waits_then_refuses() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let returns = returns_with(&tmp.path().join("r"), "202504", |_| (5, 3));
    assert_eq!(run(&returns, "2025-04", &out, &[]).status.code(), Some(1));
    let before = files_of(&out.join("2025-04"));

    let lock = OutLock::acquire(&out, Duration::ZERO).expect("free");
    let started = Instant::now();
    let o = run(&returns, "2025-04", &out, &[("KASANE_LOCK_WAIT_SECS", "1")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(
        text(&o).contains("別の kasane が同じ出力先に書き込み中です"),
        "{}",
        text(&o)
    );
    assert_eq!(files_of(&out.join("2025-04")), before);

    // A run that starts while the lock is held finishes once it is released.
    let out2 = out.clone();
    let returns2 = returns.clone();
    let waiting = std::thread::spawn(move || {
        run(
            &returns2,
            "2025-04",
            &out2,
            &[("KASANE_LOCK_WAIT_SECS", "60")],
        )
    });
    std::thread::sleep(Duration::from_millis(1500));
    drop(lock);
    let o = waiting.join().expect("thread");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // The lock file never enters the month's folder.
    assert!(!out.join("2025-04").join(LOCK_FILE).exists());
}

#[test]
fn stale_staging_folders_are_removed_and_nothing_else() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path();
    let mk = |name: &str, files: &[&str]| {
        let d = out.join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        for f in files {
            std::fs::write(d.join(f), b"x").expect("write");
        }
        d
    };
    let partial = mk(".2025-04.partial-AbC123", &["records.csv"]);
    let empty_partial = mk(".2025-05.partial-zzzzzz", &[]);
    let old = mk(".2025-04.old", &[MANIFEST, "records.csv"]);
    let odd_old = mk(".2025-05.old", &["notes.txt"]);
    let unlike = [
        mk(".2025-04.partial-toolong", &["a"]),
        mk("2025-04.partial-abc123", &["a"]),
        mk(".2025-4.partial-abc123", &["a"]),
        mk(".2025-04.partial-abc123x", &["a"]),
        mk("2025-04", &[MANIFEST]),
    ];
    let nested = mk(".2025-06.partial-abc123", &[]);
    std::fs::create_dir(nested.join("inner")).expect("mkdir");

    let mut removed = clean_stale(out).expect("clean");
    removed.sort();
    let mut want = vec![partial.clone(), empty_partial.clone(), old.clone()];
    want.sort();
    assert_eq!(removed, want);
    assert!(!partial.exists() && !empty_partial.exists() && !old.exists());
    // Without a manifest a .old is not kasane's; a folder inside a partial
    // is not what kasane writes; other names are left alone.
    assert!(odd_old.exists() && nested.exists());
    for d in unlike {
        assert!(d.exists(), "{}", d.display());
    }
}

#[test]
fn a_run_removes_what_a_killed_run_left() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    let returns = returns_with(&tmp.path().join("r"), "202504", |_| (5, 3));
    let stale = out.join(".2025-04.partial-k1LLed");
    std::fs::create_dir_all(&stale).expect("mkdir");
    std::fs::write(stale.join("records.csv"), b"half").expect("write");
    assert_eq!(run(&returns, "2025-04", &out, &[]).status.code(), Some(1));
    assert!(!stale.exists());
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}

#[test]
fn the_swap_leaves_the_old_set_or_the_new_never_neither() {
    let tmp = tempfile::tempdir().expect("tmp");
    let set = |name: &str, content: &str| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join(MANIFEST), content).expect("write");
        d
    };
    let target = set("2025-04", "old");
    let staged = set(".2025-04.partial-abcdef", "new");
    let old = tmp.path().join(".2025-04.old");
    // The exchange itself: both names exist throughout, contents swapped.
    match exchange(&staged, &target) {
        Ok(()) => {
            assert_eq!(
                std::fs::read_to_string(target.join(MANIFEST)).expect("r"),
                "new"
            );
            assert_eq!(
                std::fs::read_to_string(staged.join(MANIFEST)).expect("r"),
                "old"
            );
            exchange(&staged, &target).expect("and back");
        }
        Err(e) => eprintln!("no exchange here ({e}); swap_in takes two renames"),
    }
    swap_in(&staged, &target, &old).expect("swap");
    assert_eq!(
        std::fs::read_to_string(target.join(MANIFEST)).expect("r"),
        "new"
    );
    assert!(!staged.exists() && !old.exists());

    // With no month yet, the staged set simply becomes it.
    let fresh = tmp.path().join("2025-05");
    let staged = set(".2025-05.partial-abcdef", "first");
    swap_in(&staged, &fresh, &tmp.path().join(".2025-05.old")).expect("swap");
    assert_eq!(
        std::fs::read_to_string(fresh.join(MANIFEST)).expect("r"),
        "first"
    );

    // A failed swap (the staged folder is gone) keeps the month.
    let err = swap_in(&staged, &target, &old).expect_err("nothing to swap in");
    assert!(err.to_string().contains("2025-04"), "{err}");
    assert_eq!(
        std::fs::read_to_string(target.join(MANIFEST)).expect("r"),
        "new"
    );
}
