//! `manifest.json`: what produced this month's outputs — every input file
//! with its size and SHA-256, the mapping files' hashes, the tool's version
//! and the counts — so a report can later be traced to its returns.

use crate::core::hex;
use crate::core::Severity;
use crate::derive::MonthRun;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The manifest as pretty JSON; `outputs` are the other files of the month.
pub fn build(run: &MonthRun, outputs: &[(String, Vec<u8>)]) -> Vec<u8> {
    let inputs: Vec<_> = run
        .inputs
        .iter()
        .map(|i| {
            json!({
                "file": i.name,
                "bytes": i.bytes,
                "sha256": i.sha256,
                "form": i.form,
                "layout": i.layout,
                "rows": i.rows,
            })
        })
        .collect();
    let mappings: Vec<_> = run
        .mappings
        .files
        .iter()
        .map(|(name, bytes)| json!({"file": name, "bytes": bytes.len(), "sha256": hex(&Sha256::digest(bytes))}))
        .collect();
    let outputs: Vec<_> = outputs
        .iter()
        .map(|(name, bytes)| json!({"file": name, "bytes": bytes.len(), "sha256": hex(&Sha256::digest(bytes))}))
        .collect();
    let value = json!({
        "tool": "kasane",
        "version": env!("CARGO_PKG_VERSION"),
        "municipality": run.mappings.municipality.name,
        "month": run.month.to_string(),
        "inputs": inputs,
        "ignored_files": run.ignored,
        "mappings": mappings,
        "outputs": outputs,
        "counts": {
            "returns": run.inputs.len(),
            "records": run.outcome.records.len(),
            "cases": run.outcome.cases.len(),
            "findings": {
                "error": run.count(Severity::Error),
                "warning": run.count(Severity::Warning),
                "info": run.count(Severity::Info),
                "waived": run.waived(),
            },
            "rows": run.rows,
        },
    });
    let mut out = serde_json::to_vec_pretty(&value).unwrap_or_default();
    out.push(b'\n');
    out
}
