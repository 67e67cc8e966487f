//! The value and month parsers on any text: parse_count, parse_month,
//! parse_date, parse_fiscal_year, parse_amount, the text folding they
//! share, and the personal-data spotter.
//! They must never panic, and a count is only ever read from digits.
#![no_main]

use kasane::core::month::{parse_date, parse_month};
use kasane::normalize::month::parse_fiscal_year;
use kasane::normalize::personal::suspect;
use kasane::normalize::text::{label_key, value_text};
use kasane::normalize::value::{parse_amount, parse_count, Count};
use kasane::read::Cell;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let cell = Cell::Text(s.to_string());
    if let Count::Value(n) = parse_count(&cell) {
        // A value only comes from digits (or a lone dash for zero).
        let t = value_text(s);
        assert!(
            t.bytes().any(|b| b.is_ascii_digit()) || (n == 0 && t == "-"),
            "{s:?} -> {n}"
        );
    }
    if let Some(m) = parse_month(&cell) {
        assert!((1..=12).contains(&m.month), "{s:?} -> {m}");
    }
    let _ = parse_date(&cell);
    let _ = parse_fiscal_year(&cell);
    let _ = parse_amount(&cell, 1);
    let _ = parse_amount(&cell, 1000);
    let _ = suspect(s);
    let _ = label_key(s);
    // The same parsers on numbers (a cell the reader typed as a number).
    if data.len() >= 8 {
        let n = f64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
        let num = Cell::Number(n);
        let _ = parse_count(&num);
        let _ = parse_month(&num);
        let _ = parse_date(&num);
        let _ = parse_fiscal_year(&num);
        let _ = parse_amount(&num, 1000);
    }
});
