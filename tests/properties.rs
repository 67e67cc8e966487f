//! Property tests (proptest) for the parsers that read what outside
//! organisations type: counts, months, dates, text decoding and the CSV
//! reader. Each must never panic, whatever the input, and must read every
//! way staff write a value to that value. Crashes found by fuzzing
//! (fuzz/README.md) are kept here as regression tests.

use kasane::core::month::{parse_date, parse_month};
use kasane::core::YearMonth;
use kasane::normalize::month::parse_fiscal_year;
use kasane::normalize::text::value_text;
use kasane::normalize::value::{parse_amount, parse_count, Count};
use kasane::read::{decode_text, read_bytes, Cell, TextEncoding};
use proptest::prelude::*;

/// Counts above this are refused by design (a cell holding 10^15 or more
/// is a typing accident, and `f64` cells lose integer precision there).
const COUNT_CAP: u64 = 1_000_000_000_000_000;

const UNITS: &[&str] = &["件", "人", "回", "か所", "箇所", "ヶ所", "名"];

fn text(s: &str) -> Count {
    parse_count(&Cell::Text(s.to_string()))
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
            ',' => '，',
            other => other,
        })
        .collect()
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Strings made mostly of the characters count cells hold, so that the
/// interesting cases (digits, separators, units, dashes) come up often.
fn count_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "0", "1", "7", "9", "０", "５", ",", "，", ".", "-", "－", "―", "+", " ", "　", "件", "人",
        "回", "か所", "名", "約", "e", "x", "\u{0}", "\n", "١", "²", "½", "Ⅻ", "①", "𝟘",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_count_never_panics(s in any::<String>(), n in any::<f64>()) {
        let _ = text(&s);
        let _ = parse_count(&Cell::Number(n));
    }

    #[test]
    fn every_way_of_writing_a_count_reads_as_it(n in 0..COUNT_CAP) {
        let plain = n.to_string();
        for form in [
            plain.clone(),
            format!("{n}件"),
            format!(" {n} 人 "),
            full_width(&plain),
            full_width(&format!("{n}件")),
            grouped(n),
            full_width(&grouped(n)),
            format!("{}回", grouped(n)),
        ] {
            prop_assert_eq!(text(&form), Count::Value(n), "{:?}", form);
        }
        prop_assert_eq!(parse_count(&Cell::Number(n as f64)), Count::Value(n));
    }

    #[test]
    fn counts_at_or_over_the_cap_are_refused_never_misread(n in COUNT_CAP..=u64::MAX) {
        prop_assert_eq!(text(&n.to_string()), Count::Bad(n.to_string()));
        prop_assert_eq!(text(&grouped(n)), Count::Bad(grouped(n)));
    }

    #[test]
    fn only_digits_ever_become_a_count(s in prop_oneof![count_like(), any::<String>()]) {
        if let Count::Value(v) = text(&s) {
            let t = value_text(&s);
            if t == "-" {
                prop_assert_eq!(v, 0);
            } else {
                // Take away the digits and thousands separators: at most one
                // unit and white space may remain.
                let digits: String = t.chars().filter(char::is_ascii_digit).collect();
                let rest: String = t
                    .chars()
                    .filter(|c| !c.is_ascii_digit() && *c != ',')
                    .collect();
                let rest = rest.trim();
                prop_assert!(rest.is_empty() || UNITS.contains(&rest), "{:?} -> {} (rest {:?})", s, v, rest);
                prop_assert_eq!(digits.parse::<u64>().ok(), Some(v), "{:?}", s);
            }
        }
    }

    #[test]
    fn every_written_month_reads_back(year in 1990i32..2100, month in 1u32..=12) {
        let want = YearMonth::new(year, month).expect("valid");
        let mut forms = vec![
            format!("{year:04}-{month:02}"),
            format!("{year}年{month}月"),
            format!("{year}/{month}"),
            format!("{year:04}{month:02}"),
            full_width(&format!("{year}年{month}月")),
            format!("{year}年{month}月分"),
        ];
        if (year, month) >= (2019, 5) {
            let n = year - 2018;
            forms.push(format!("令和{n}年{month}月"));
            forms.push(format!("R{n}.{month}"));
            forms.push(format!("R{n:02}/{month:02}"));
            forms.push(full_width(&format!("令和{n}年{month}月")));
            if n == 1 {
                forms.push(format!("令和元年{month}月"));
            }
        }
        if (year, month) <= (2019, 4) && year >= 1989 {
            let n = year - 1988;
            forms.push(format!("平成{n}年{month}月"));
            forms.push(format!("H{n}.{month}"));
        }
        for s in &forms {
            prop_assert_eq!(parse_month(&Cell::Text(s.clone())), Some(want), "{:?}", s);
        }
        prop_assert_eq!(
            parse_month(&Cell::Number(f64::from(year * 100) + f64::from(month))),
            Some(want)
        );
        let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).expect("date");
        prop_assert_eq!(parse_month(&Cell::Date(first)), Some(want));
        prop_assert_eq!(
            parse_date(&Cell::Text(format!("{year}/{month}/1"))),
            Some(first)
        );
    }

    /// A bare number is never a month (issue 16): a number cell is one only
    /// when its digits are the `YYYYMM` text form, never as a date serial.
    #[test]
    fn a_plain_number_is_a_month_only_as_yyyymm(n in prop_oneof![any::<f64>(), 0.0..3_000_000.0]) {
        if let Some(m) = parse_month(&Cell::Number(n)) {
            prop_assert_eq!(n, f64::from(m.year * 100) + f64::from(m.month));
        }
    }

    #[test]
    fn month_and_date_parsers_never_panic(s in any::<String>(), n in any::<f64>()) {
        let _ = parse_month(&Cell::Text(s.clone()));
        let _ = parse_date(&Cell::Text(s));
        let _ = parse_month(&Cell::Number(n));
        let _ = parse_date(&Cell::Number(n));
    }

    #[test]
    fn fiscal_year_and_amount_parsers_never_panic(
        s in prop_oneof![count_like(), any::<String>(), "(令和|R|平成|H)?[0-9]{1,12}(年度)?"],
        n in any::<f64>(),
    ) {
        for cell in [Cell::Text(s.clone()), Cell::Number(n)] {
            let _ = parse_fiscal_year(&cell);
            let _ = parse_amount(&cell, 1);
            let _ = parse_amount(&cell, 1000);
        }
    }

    #[test]
    fn every_written_fiscal_year_reads_back(year in 1990i32..2100) {
        let mut forms = vec![year.to_string(), format!("{year}年度"), full_width(&format!("{year}年度"))];
        if year >= 2019 {
            forms.push(format!("令和{}年度", year - 2018));
            forms.push(format!("R{}", year - 2018));
        }
        for s in &forms {
            prop_assert_eq!(parse_fiscal_year(&Cell::Text(s.clone())), Some(year), "{:?}", s);
        }
    }

    #[test]
    fn decode_text_never_invents_a_replacement_character(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok((text, enc)) = decode_text(&bytes) {
            let had = match enc {
                TextEncoding::Utf16Le => bytes.windows(2).any(|w| w == b"\xFD\xFF"),
                TextEncoding::Utf16Be => bytes.windows(2).any(|w| w == b"\xFF\xFD"),
                _ => bytes.windows(3).any(|w| w == b"\xEF\xBF\xBD"),
            };
            prop_assert!(had || !text.contains('\u{FFFD}'), "{:?} -> {:?}", bytes, text);
        }
    }

    #[test]
    fn decode_text_reads_utf8_and_cp932_back(s in any::<String>(), j in "[ -~ぁ-んァ-ヶ亜-熙、。・（）ｱ-ﾝ]{0,40}") {
        if !s.starts_with('\u{FEFF}') {
            let (got, enc) = decode_text(s.as_bytes()).expect("UTF-8 decodes");
            prop_assert_eq!(got, s.clone());
            prop_assert_eq!(enc, TextEncoding::Utf8);
        }
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&j);
        if !unmappable {
            let (got, enc) = decode_text(&bytes).expect("CP932 decodes");
            // A CP932 text that is also valid UTF-8 (ASCII, or half-width
            // kana pairs such as ﾃｱ = C3 B1) is read as UTF-8: see
            // cp932_half_width_kana_can_look_like_utf8 below.
            if enc == TextEncoding::Cp932 || j.is_ascii() {
                prop_assert_eq!(got, j);
            }
        }
    }

    #[test]
    fn the_csv_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = read_bytes(&bytes, "x.csv") {
            prop_assert_eq!(&e.location().file, "x.csv");
        }
    }

    #[test]
    fn the_csv_reader_never_panics_on_csv_like_text(
        s in prop::collection::vec(
            prop::sample::select(vec!["a", "1", ",", "\"", "\r", "\n", "\r\n", "\t", " ", "件", "\u{FEFF}", "\u{FFFD}"]),
            0..64,
        ).prop_map(|v| v.concat()),
    ) {
        let _ = read_bytes(s.as_bytes(), "x.csv");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let _ = read_bytes(&utf16, "x.txt");
    }

    #[test]
    fn a_written_csv_reads_back_cell_for_cell(
        grid in prop::collection::vec(
            prop::collection::vec("[a-z0-9件数,\"\r\n ]{0,6}", 1..5),
            1..8,
        ),
    ) {
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in &grid {
            w.write_record(row).expect("write");
        }
        let bytes = w.into_inner().expect("flush");
        let book = read_bytes(&bytes, "x.csv").expect("a well-formed CSV reads");
        let rows = &book.sheets[0].rows;
        prop_assert_eq!(rows.len(), grid.len(), "{:?}", String::from_utf8_lossy(&bytes));
        for (r, row) in grid.iter().enumerate() {
            for (c, field) in row.iter().enumerate() {
                let want = if field.is_empty() { Cell::Empty } else { Cell::Text(field.clone()) };
                prop_assert_eq!(book.sheets[0].get(r, c), &want, "row {} col {}", r, c);
            }
        }
    }
}

#[test]
fn cp932_half_width_kana_can_look_like_utf8() {
    // ﾃｱ in CP932 is C3 B1, which is also UTF-8 for ñ: a CP932 file whose
    // only non-ASCII text is such pairs is read as UTF-8. Kanji never form
    // valid UTF-8 in CP932, so a real return (with kanji labels) is safe.
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("ﾃｱ");
    assert_eq!(&bytes[..], b"\xC3\xB1");
    let (text, enc) = decode_text(&bytes).expect("decodes");
    assert_eq!((text.as_str(), enc), ("ñ", TextEncoding::Utf8));
}

#[test]
fn an_era_year_near_i32_max_is_no_fiscal_year_not_an_overflow() {
    for s in [
        "R2147483647",
        "令和2147483000年度",
        "H2147483647",
        "平成2147482000",
    ] {
        assert_eq!(parse_fiscal_year(&Cell::Text(s.into())), None, "{s}");
    }
}

/// A file of `tests/fixtures/hostile_month/`.
fn hostile_fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile_month")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Found by fuzzing (fuzz/README.md, target read_workbook): a mutated
/// `.xls` whose CFB directory is cut short made calamine panic inside
/// `Xls::new`, which stopped the whole batch. It is now one unreadable file.
#[test]
fn fuzz_cfb_short_directory_xls_is_refused_not_a_panic() {
    let bytes = hostile_fixture("fuzz_cfb_short_directory.xls");
    let err = read_bytes(&bytes, "fuzz_cfb_short_directory.xls").expect_err("refused");
    assert!(
        matches!(err, kasane::read::ReadError::Workbook { .. }),
        "{err}"
    );
    assert_eq!(err.location().file, "fuzz_cfb_short_directory.xls");
}

/// Found by fuzzing (target read_workbook, reported as out-of-memory): a
/// mutated `.xls` whose CFB header declares a huge sector chain makes
/// calamine 0.32 reserve 8 GiB (`Vec::with_capacity`, cfb.rs:296) before it
/// finds the sector points past the end of the file. On Linux the
/// reservation is never touched (peak RSS stays ~12 MB) and the file is
/// refused; where memory is not overcommitted it would abort the process.
/// The fix belongs before calamine opens a CFB file (see fuzz/README.md).
#[test]
fn fuzz_cfb_huge_sector_chain_xls_is_refused() {
    let bytes = hostile_fixture("fuzz_cfb_huge_sector_chain.xls");
    let err = read_bytes(&bytes, "fuzz_cfb_huge_sector_chain.xls").expect_err("refused");
    assert!(
        matches!(err, kasane::read::ReadError::Workbook { .. }),
        "{err}"
    );
}

/// Found by fuzzing (target read_workbook, out-of-memory): this 13 KB `.xls`
/// makes calamine 0.32 follow a CFB sector chain without end
/// (`Sectors::get_chain`, cfb.rs:298) until memory runs out: about 24 GB
/// and the OOM killer on a 23 GB machine, or "memory allocation of
/// 4294967296 bytes failed" and an abort under `ulimit -v 3000000`. An
/// abort cannot be caught, so the whole batch stops. Fixed by
/// src/read/cfb_guard.rs, which walks the DIFAT and FAT chains with a bound
/// and cycle detection before calamine opens the file.
#[test]
fn fuzz_cfb_sector_chain_memory_xls_is_refused_within_the_limits() {
    let bytes = hostile_fixture("fuzz_cfb_sector_chain_memory.xls");
    let err = read_bytes(&bytes, "fuzz_cfb_sector_chain_memory.xls").expect_err("refused");
    assert_eq!(err.location().file, "fuzz_cfb_sector_chain_memory.xls");
}

/// Found by fuzzing (target read_workbook, out-of-memory at a 2.3 GB
/// `malloc`): this 10 KB `.xls` declares a root stream of 2.3 GB, and
/// calamine 0.32 reserves that much (`Vec::with_capacity`, cfb.rs:296)
/// before reading it. Linux overcommits and never touches the reservation,
/// but a system that commits memory on allocation (Windows) would abort the
/// batch. cfb_guard refuses a declared length the file cannot hold before
/// calamine sees the file; so it does for the huge sector chain above.
#[test]
fn fuzz_cfb_declared_stream_length_xls_is_refused_before_calamine() {
    for name in [
        "fuzz_cfb_declared_stream_length.xls",
        // The same through a first directory entry marked unused.
        "fuzz_cfb_unused_root_length.xls",
        // A loop in the mini FAT: calamine followed it without end.
        "fuzz_cfb_mini_fat_loop.xls",
        "fuzz_cfb_huge_sector_chain.xls",
    ] {
        let bytes = hostile_fixture(name);
        let err = read_bytes(&bytes, name).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.contains(name) && text.contains("壊れた .xls"),
            "{text}"
        );
    }
}

/// A valid `.xls` (LibreOffice, tests/fixtures/drift/d04) whose DIMENSIONS
/// record declares its last row before its first: calamine 0.32 reserves
/// room for 34 billion cells (the row count wraps) and the process aborts on
/// allocation, stopping the batch (found in review). cfb_guard walks the
/// workbook stream's records and refuses the file.
#[test]
fn a_dimensions_record_whose_rows_wrap_is_refused_before_calamine() {
    let name = "dimensions_wrapped_rows.xls";
    let bytes = hostile_fixture(name);
    let text = read_bytes(&bytes, name).expect_err("refused").to_string();
    assert!(text.contains(name) && text.contains("DIMENSIONS"), "{text}");
    // The file it was made from reads.
    let original = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/drift/d04_formula_total.xls"),
    )
    .expect("fixture");
    assert!(read_bytes(&original, "d04_formula_total.xls").is_ok());
}

/// Found by fuzzing (target read_workbook, a 4.1 GB `malloc`): this 10 KB
/// `.xls` has cells so far apart that calamine 0.32, laying the sheet out
/// densely while the workbook is opened (`Range::from_sparse`), asks for
/// 4 GB. cfb_guard measures the span of the cell records first and refuses
/// the sheet as too large.
#[test]
fn fuzz_xls_far_apart_cells_is_refused_as_too_large() {
    let name = "fuzz_xls_far_apart_cells.xls";
    let bytes = hostile_fixture(name);
    let err = read_bytes(&bytes, name).expect_err("refused");
    assert!(
        matches!(err, kasane::read::ReadError::SheetTooLarge { .. }),
        "{err}"
    );
    assert!(err.to_string().contains(name), "{err}");
}
