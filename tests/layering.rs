//! The shape README draws, checked on every `cargo test`: data flows one
//! way, read → mapping → normalize → reconcile → derive → report, over a
//! core that depends on nothing; `store` (the owner of out/) sits beside
//! read on the core; the wiring modules (pipeline, costs, check, the CLI)
//! may use every stage, and no stage uses them.
//!
//! Every `crate::<module>` path in `src/` is an edge. An edge a stage may
//! not have fails the test — except the ones listed in [`KNOWN`], debt
//! being paid off (none since issue 16). A listed edge that is gone fails
//! too, so the list shrinks as the debt is paid and never hides a new edge.

use std::collections::BTreeSet;
use std::path::Path;

/// Rank of each stage: a stage may use only stages of lower rank.
fn rank(module: &str) -> Option<u8> {
    Some(match module {
        "core" => 0,
        "read" | "store" => 1,
        "mapping" => 2,
        "normalize" => 3,
        "reconcile" => 4,
        "derive" => 5,
        "report" => 6,
        _ => return None,
    })
}

/// Modules that wire the stages: they may use any stage; no stage uses them.
const WIRING: &[&str] = &["pipeline", "costs", "check", "lib", "main", "cli"];

/// Edges the drawing does not allow that the code still has: none since
/// issue 16 (report took `MonthRun` from pipeline; it is derive's now). A
/// new debt is listed here with its issue, never added silently.
const KNOWN: &[(&str, &str)] = &[];

fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

fn edges() -> BTreeSet<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let from = module_of(&p, &src);
            let text = std::fs::read_to_string(&p).expect("source");
            for (line_no, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                let mut rest = code;
                while let Some(i) = rest.find("crate::") {
                    rest = &rest[i + "crate::".len()..];
                    let to: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !to.is_empty() && to != from {
                        let at = format!(
                            "{}:{}",
                            p.strip_prefix(&src).expect("src").display(),
                            line_no + 1
                        );
                        out.insert((from.clone(), to, at));
                    }
                }
            }
        }
    }
    out
}

fn allowed(from: &str, to: &str) -> bool {
    if WIRING.contains(&from) {
        return true;
    }
    match (rank(from), rank(to)) {
        (Some(f), Some(t)) => t < f,
        // A stage using a wiring module, or an unknown module.
        _ => false,
    }
}

#[test]
fn stages_use_only_the_stages_before_them() {
    let edges = edges();
    assert!(!edges.is_empty(), "the scan found the crate's paths");
    let bad: Vec<String> = edges
        .iter()
        .filter(|(f, t, _)| !allowed(f, t) && !KNOWN.contains(&(f.as_str(), t.as_str())))
        .map(|(f, t, at)| format!("{f} → {t} ({at})"))
        .collect();
    assert!(
        bad.is_empty(),
        "edges the one-way flow does not allow:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_known_debt_is_still_there_or_struck_off() {
    let edges = edges();
    let present: BTreeSet<(&str, &str)> = edges
        .iter()
        .map(|(f, t, _)| (f.as_str(), t.as_str()))
        .collect();
    for (f, t) in KNOWN {
        assert!(
            present.contains(&(*f, *t)),
            "{f} → {t} is gone: strike it from KNOWN"
        );
    }
}

#[test]
fn the_core_depends_on_no_stage() {
    let from_core: Vec<String> = edges()
        .into_iter()
        .filter(|(f, _, _)| f == "core")
        .map(|(f, t, at)| format!("{f} → {t} ({at})"))
        .collect();
    assert!(from_core.is_empty(), "{}", from_core.join("\n"));
}
