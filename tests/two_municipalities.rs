//! Two municipalities from one library (issue 7): Kyoto (`mappings/kyoto`) and
//! the model ward of seed 002 (`mappings/model`) each consolidate their bundled
//! sample month with no error finding; each one's records and case lists carry
//! only its own agency and area codes (read here from its registry files,
//! apart from kasane's registry loader); and every figure equals the cell it
//! cites in that municipality's sample returns, read independently of
//! kasane's readers (calamine for workbooks, encoding_rs + csv for CP932).
//! A last test greps `src/` for municipality-specific literals.

mod common;
use common::{read_csv, root};

use calamine::{open_workbook_auto, Data, Reader};
use kasane::core::{Form, Metric, Severity};
use kasane::pipeline::{consolidate, MonthRun, RunConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CITIES: [&str; 2] = ["kyoto", "model"];

/// `samples/<city>/<latest YYYY-MM>`, the folder `kasane run` picks by default.
fn latest_month_dir(city: &str) -> PathBuf {
    let dir = root().join("samples").join(city);
    let mut months: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.len() == 7 && n.as_bytes()[4] == b'-' && n[..4].parse::<u32>().is_ok())
        .collect();
    months.sort();
    dir.join(months.pop().expect("a month folder"))
}

fn run(city: &str) -> MonthRun {
    let cfg = RunConfig {
        mappings_dir: root().join("mappings").join(city),
        returns_dir: latest_month_dir(city),
        month: None,
        out_dir: None,
    };
    consolidate(&cfg).unwrap_or_else(|e| panic!("{city}: {e}"))
}

/// A municipality's codes, read from its registry files.
struct Codes {
    agencies: BTreeSet<String>,
    areas: BTreeSet<String>,
    area_names: BTreeSet<String>,
}

fn codes(city: &str) -> Codes {
    let dir = root().join("mappings").join(city);
    let agencies = read_csv(&dir.join("agencies.csv"))
        .into_iter()
        .map(|r| r["agency_code"].trim().to_string())
        .collect();
    let areas_rows = read_csv(&dir.join("areas.csv"));
    Codes {
        agencies,
        areas: areas_rows
            .iter()
            .map(|r| r["area_code"].trim().to_string())
            .collect(),
        area_names: areas_rows
            .iter()
            .map(|r| r["area_name"].trim().to_string())
            .collect(),
    }
}

#[test]
fn both_municipalities_run_with_no_error_finding() {
    for city in CITIES {
        let run = run(city);
        let errors: Vec<String> = run
            .outcome
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| format!("{} {} {}", f.rule.code(), f.agency_code, f.message))
            .collect();
        assert!(errors.is_empty(), "{city}: {errors:#?}");
        assert!(!run.outcome.records.is_empty(), "{city}: no records");
        for i in &run.inputs {
            assert!(!i.form.is_empty(), "{city}: {} was not recognised", i.name);
        }
        // Every unit that reports monthly sent its return and it was read.
        let owed = run.mappings.registry.monthly_reporters().count();
        let reporting: BTreeSet<&str> = run
            .outcome
            .records
            .iter()
            .map(|r| r.agency_code.as_str())
            .collect();
        assert_eq!(reporting.len(), owed, "{city}: units with records");
    }
}

#[test]
fn the_model_ward_is_what_its_samples_say() {
    let run = run("model");
    assert_eq!(run.mappings.municipality.name, "モデル区（seed 002）");
    assert_eq!(run.inputs.len(), 18);
    assert_eq!(run.outcome.records.len(), 563);
    assert_eq!(run.outcome.cases.len(), 8);
    // The case list with its roles equals what the generator wrote.
    let want: BTreeSet<Vec<String>> =
        read_csv(&root().join("samples/model/meta/2025-04-cases.csv"))
            .into_iter()
            .map(|r| {
                [
                    "center_agency_code",
                    "case_id",
                    "meeting_kind",
                    "meeting_date",
                    "issues",
                    "participants",
                    "lead_agency",
                    "roles",
                ]
                .iter()
                .map(|k| r[*k].clone())
                .collect()
            })
            .collect();
    let got: BTreeSet<Vec<String>> = run
        .outcome
        .cases
        .iter()
        .map(|c| {
            vec![
                c.center_code.clone(),
                c.case_id.clone(),
                c.meeting_kind.code().to_string(),
                c.meeting_date.clone(),
                c.issues.join(";"),
                c.participants.join(";"),
                c.lead_agency.clone(),
                c.roles
                    .iter()
                    .map(|(code, role)| format!("{code}:{role}"))
                    .collect::<Vec<_>>()
                    .join(";"),
            ]
        })
        .collect();
    assert_eq!(got, want);
    // The consultation hub (福祉の総合相談窓口 of 福祉総合課) is named at all
    // four meetings of the month, as in both of the seed's 事例.
    let attendance = |code: &str| {
        run.outcome
            .records
            .iter()
            .find(|r| r.agency_code == code && r.metric == Metric::MeetingAttendance)
            .map(|r| r.value)
    };
    assert_eq!(attendance("FSS-01"), Some(4));
}

#[test]
fn records_and_cases_carry_only_the_municipalitys_own_codes() {
    let all: Vec<(&str, Codes)> = CITIES.iter().map(|c| (*c, codes(c))).collect();
    // The registries share no code, so "own codes only" is a real check.
    assert!(all[0].1.agencies.is_disjoint(&all[1].1.agencies));
    assert!(all[0].1.areas.is_disjoint(&all[1].1.areas));
    for (city, own) in &all {
        let run = run(city);
        let area_ok = |a: &str| a == "ALL" || a.split(';').all(|x| own.areas.contains(x));
        for r in &run.outcome.records {
            let at = format!("{city}: {} {}", r.source, r.metric.code());
            assert!(own.agencies.contains(&r.agency_code), "{at}: agency");
            assert!(area_ok(&r.area_code), "{at}: area {}", r.area_code);
            match (r.form, r.metric) {
                (Form::F2, Metric::ReferralsReceived) => {
                    assert!(own.agencies.contains(&r.key), "{at}: sender {}", r.key)
                }
                (Form::F3, _) => assert!(
                    r.key == "HQ" || own.areas.contains(&r.key),
                    "{at}: key {}",
                    r.key
                ),
                _ => {}
            }
        }
        assert!(!run.outcome.cases.is_empty(), "{city}: no case list");
        for c in &run.outcome.cases {
            let named = c
                .participants
                .iter()
                .chain(std::iter::once(&c.lead_agency))
                .chain(std::iter::once(&c.center_code))
                .chain(c.roles.iter().map(|(code, _)| code));
            for code in named {
                assert!(
                    own.agencies.contains(code),
                    "{city}: {} names {code}",
                    c.source
                );
            }
        }
    }
}

/// The integer a person reads in a cell's text: digits in any width, with
/// thousands separators or a unit; a dash is zero. Written apart from
/// kasane's parser.
fn reads_as(text: &str) -> Option<u64> {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    if ["-", "－", "―", "—", ""].contains(&t.as_str()) {
        return Some(0);
    }
    t.trim_end_matches(['件', '人', '回'])
        .replace(',', "")
        .parse()
        .ok()
}

/// The sample files of one month, read once each.
struct Sources {
    dir: PathBuf,
    books: BTreeMap<String, BTreeMap<String, calamine::Range<Data>>>,
    csvs: BTreeMap<String, Vec<Vec<String>>>,
}

impl Sources {
    /// The value a person sees at a zero-based (row, column) of a file.
    fn value(&mut self, file: &str, sheet: &str, (r, c): (u32, u32)) -> Option<u64> {
        let path = self.dir.join(file);
        if file.ends_with(".csv") {
            let rows = self.csvs.entry(file.to_string()).or_insert_with(|| {
                let bytes = std::fs::read(&path).expect("sample csv");
                let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
                assert!(!bad, "{file} is valid CP932");
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text.as_bytes())
                    .records()
                    .map(|r| r.expect("csv row").iter().map(str::to_string).collect())
                    .collect()
            });
            // The samples' CSVs have no empty lines: record index = row.
            reads_as(rows.get(r as usize)?.get(c as usize)?)
        } else {
            let sheets = self.books.entry(file.to_string()).or_insert_with(|| {
                let mut wb = open_workbook_auto(&path).expect("sample workbook");
                wb.sheet_names()
                    .into_iter()
                    .map(|n| {
                        let range = wb.worksheet_range(&n).expect("sheet");
                        (n, range)
                    })
                    .collect()
            });
            match sheets.get(sheet)?.get_value((r, c))? {
                Data::Float(f) => Some(*f as u64),
                Data::Int(i) => Some(*i as u64),
                Data::String(s) => reads_as(s),
                other => panic!("{file} {sheet} ({r}, {c}): unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn figures_read_back_equal_the_cells_of_each_municipalitys_returns() {
    for city in CITIES {
        let run = run(city);
        let mut sources = Sources {
            dir: run.returns_dir.clone(),
            books: BTreeMap::new(),
            csvs: BTreeMap::new(),
        };
        let mut mismatches = Vec::new();
        for r in &run.outcome.records {
            let cell = r.source.cell.expect("a record cites a cell");
            let seen = sources.value(&r.source.file, &r.source.sheet, cell);
            if seen != Some(r.value) {
                mismatches.push(format!("{}: record {}, cell {seen:?}", r.source, r.value));
            }
        }
        assert!(
            mismatches.is_empty(),
            "{city}: {} mismatches:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        );
        // And the model ward's generator list of figures is exactly the records.
        let meta = root()
            .join("samples")
            .join(city)
            .join("meta/2025-04-figures.csv");
        if city == "model" {
            let want: BTreeSet<(String, String, String, u64)> = read_csv(&meta)
                .into_iter()
                .map(|m| {
                    (
                        m["agency_code"].clone(),
                        m["key"].clone(),
                        m["metric"].clone(),
                        m["value"].parse().expect("integer"),
                    )
                })
                .collect();
            let got: BTreeSet<(String, String, String, u64)> = run
                .outcome
                .records
                .iter()
                .map(|r| {
                    (
                        r.agency_code.clone(),
                        r.key.clone(),
                        r.metric.code().to_string(),
                        r.value,
                    )
                })
                .collect();
            assert_eq!(got, want, "model: records vs the generator's figures");
        }
    }
}

/// Literals that belong to one municipality: its name, every area code and
/// name, and every agency code prefix of its registry (`CHI-`, and the bare
/// prefix as a string literal, `"CHI"`).
fn municipal_literals(city: &str) -> BTreeSet<String> {
    let dir = root().join("mappings").join(city);
    let mut out = BTreeSet::new();
    let muni: toml::Table = std::fs::read_to_string(dir.join("municipality.toml"))
        .expect("municipality.toml")
        .parse()
        .expect("toml");
    if let Some(name) = muni.get("name").and_then(|v| v.as_str()) {
        out.insert(name.to_string());
    }
    for r in read_csv(&dir.join("areas.csv")) {
        out.insert(r["area_code"].trim().to_string());
        out.insert(r["area_name"].trim().to_string());
    }
    for r in read_csv(&dir.join("agencies.csv")) {
        let code = r["agency_code"].trim();
        let prefix = code.rsplit_once('-').map_or(code, |(p, _)| p);
        out.insert(format!("{prefix}-"));
        out.insert(format!("\"{prefix}\""));
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src folder").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn src_holds_no_municipality_specific_literal() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.sort();
    let mut hits = Vec::new();
    for city in CITIES {
        let lits = municipal_literals(city);
        assert!(!lits.is_empty());
        for f in &files {
            let text = std::fs::read_to_string(f).expect("utf-8 source");
            for (i, line) in text.lines().enumerate() {
                for l in lits.iter().filter(|l| line.contains(l.as_str())) {
                    hits.push(format!(
                        "{city} {l:?}: {}:{}",
                        f.strip_prefix(root()).unwrap_or(f).display(),
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(hits.is_empty(), "{} hits:\n{}", hits.len(), hits.join("\n"));
}

#[test]
fn the_literal_grep_knows_both_registries() {
    // Guards the grep above against silently checking nothing.
    let kyoto = municipal_literals("kyoto");
    let model = municipal_literals("model");
    for l in ["京都市", "北区", "C01", "CHI-", "HFC-", "\"HFC\""] {
        assert!(kyoto.contains(l), "{l}");
    }
    for l in ["中央地区", "D01", "HKT-", "TKK-"] {
        assert!(model.contains(l), "{l}");
    }
    let own = codes("model");
    assert_eq!(own.areas.len(), 5);
    assert!(own.area_names.iter().all(|n| n.ends_with("地区")));
}
