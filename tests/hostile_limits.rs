//! Issue 15: one budget per file, on what is materialized, and limits before
//! reading. Each test *generates* one hostile return (kilobytes to a few
//! megabytes, built here), puts it in a month folder beside a few good
//! sample returns, runs the `kasane` binary on it under a memory cap, and
//! asserts that the run ends normally (exit 1: findings, not 2, 101 or 134),
//! that its peak memory stays under 512 MiB, that the hostile file is one
//! `unreadable_file` finding naming it, and that the good returns' records
//! are exactly those of a run without it.
//!
//! The cap is `prlimit --as=` (4 GiB of address space, so that a regression
//! aborts the child instead of exhausting the machine) and the peak is
//! measured with `/usr/bin/time -v`; when either tool is missing that part
//! is skipped, never the test. `KASANE_HOSTILE_LIMITS_DIR=/tmp/hl cargo test
//! --test hostile_limits keep -- --ignored` writes every hostile file there
//! (for measuring by hand, see LIMITS.md).

mod common;
use common::root;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Peak resident memory a run may reach, in KiB (512 MiB).
const MAX_PEAK_KIB: u64 = 512 * 1024;

/// Address space the child may reserve (4 GiB): far above what a run
/// needs (rayon threads and allocator arenas reserve more than they touch),
/// far below what the hostile files made it take before.
const ADDRESS_SPACE_CAP: u64 = 4 * 1024 * 1024 * 1024;

/// The good returns copied beside each hostile file.
const GOOD: [&str; 4] = [
    "CHI-001_202504_F1.xlsx",
    "CHI-002_202504_F1.csv",
    "CDK-001_202504_F4.xlsx",
    "CHI-003_202504_F1.xlsx",
];

// ---------------------------------------------------------------- zips ----

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

/// `workbook.xml` and its relationships for sheets `(name, target)`.
fn workbook_parts(sheets: &[(String, String)]) -> Vec<(String, Vec<u8>)> {
    let mut wb = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS}><sheets>"#
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, target)) in sheets.iter().enumerate() {
        let id = i + 1;
        wb.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{id}" r:id="rId{id}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/>"#));
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("xl/workbook.xml".into(), wb.into_bytes()),
        ("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()),
    ]
}

/// A zip of deflated parts, written with the `zip` crate (honest headers).
fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        out.start_file(name.as_str(), opts).expect("start");
        out.write_all(bytes).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// A one-sheet `.xlsx` whose sheet XML is `sheet`, with `shared` strings.
fn xlsx(sheet: String, shared: Option<String>) -> Vec<u8> {
    let mut parts = workbook_parts(&[("F1".into(), "worksheets/sheet1.xml".into())]);
    parts.push(("xl/worksheets/sheet1.xml".into(), sheet.into_bytes()));
    if let Some(sst) = shared {
        parts.push(("xl/sharedStrings.xml".into(), sst.into_bytes()));
    }
    zip_of(&parts)
}

/// `A1`-style name of a zero-based column.
fn column(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

fn crc32(bytes: impl IntoIterator<Item = u8>) -> u32 {
    let table: Vec<u32> = (0..256u32)
        .map(|n| {
            (0..8).fold(n, |c, _| {
                if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                }
            })
        })
        .collect();
    !bytes.into_iter().fold(!0u32, |c, b| {
        table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// A raw deflate stream (one block, fixed Huffman codes) of `head`, then
/// `repeat` copies of `head`'s last byte, then `tail`: the repetition is
/// written as length-258 back-references, 13 bits each.
fn deflate_repeating(head: &[u8], repeat: u64, tail: &[u8]) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, n: u32) {
            self.acc |= value << self.n;
            self.n += n;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u32, n: u32) {
            let reversed = (0..n).fold(0u64, |r, i| r | u64::from((code >> i) & 1) << (n - 1 - i));
            self.put(reversed, n);
        }
        fn literal(&mut self, b: u8) {
            if b < 144 {
                self.code(0x30 + u32::from(b), 8);
            } else {
                self.code(0x190 + u32::from(b) - 144, 9);
            }
        }
    }
    let mut w = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // last block
    w.put(1, 2); // fixed Huffman codes
    head.iter().for_each(|&b| w.literal(b));
    let last = *head.last().expect("head");
    for _ in 0..repeat / 258 {
        w.code(0xC0 + 5, 8); // length code 285: 258 bytes
        w.code(0, 5); // distance code 0: 1 byte back
    }
    for _ in 0..repeat % 258 {
        w.literal(last);
    }
    tail.iter().for_each(|&b| w.literal(b));
    w.code(0, 7); // end of block
    w.put(0, 7); // flush
    w.out
}

/// A zip written byte by byte: `(name, deflated, data as stored, crc, stated size)`.
/// Stored parts have honest headers; deflated ones state `stated`.
fn raw_zip(parts: &[(String, bool, Vec<u8>, u32, u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, deflated, data, crc, stated) in parts {
        let offset = out.len() as u32;
        let method: u16 = if *deflated { 8 } else { 0 };
        let header = |sig: u32, central_entry: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central_entry {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(method.to_le_bytes());
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((*stated as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central_entry {
                h.extend([0u8; 6]); // comment, disk, internal attrs
                h.extend(0u32.to_le_bytes()); // external attrs
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((parts.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

// ------------------------------------------------------- hostile files ----

/// Case 1: one shared string of `len` bytes referenced by `refs` cells.
fn shared_string_referenced(len: usize, refs: u32) -> Vec<u8> {
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {NS} count="{refs}" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "a".repeat(len)
    );
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData>"#
    );
    for r in 1..=refs {
        sheet.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    xlsx(sheet, Some(sst))
}

/// Case 2: 1,000 characters in A1 merged over `rows` × `cols` cells.
fn merged_text(rows: u32, cols: u32) -> Vec<u8> {
    let last = format!("{}{rows}", column(cols - 1));
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row><row r="{rows}"><c r="{last}"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:{last}"/></mergeCells></worksheet>"#,
        "長".repeat(1000)
    );
    xlsx(sheet, None)
}

/// Case 3: `n` sheets, each holding A1 and A1048576.
fn many_tall_sheets(n: usize) -> Vec<u8> {
    let sheets: Vec<(String, String)> = (1..=n)
        .map(|i| (format!("S{i}"), format!("worksheets/sheet{i}.xml")))
        .collect();
    let mut parts = workbook_parts(&sheets);
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>"#
    );
    for i in 1..=n {
        parts.push((
            format!("xl/worksheets/sheet{i}.xml"),
            xml.clone().into_bytes(),
        ));
    }
    zip_of(&parts)
}

/// Case 4: a sheet whose zip header states 1,000 bytes but which inflates
/// to `text` bytes of one cell's text (a correct CRC: only the sizes lie).
fn lying_sizes(text: u64) -> Vec<u8> {
    let head = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a"#
    );
    let tail = b"</t></is></c></row></sheetData></worksheet>";
    let crc = crc32(
        head.bytes()
            .chain(std::iter::repeat_n(b'a', text as usize))
            .chain(tail.iter().copied()),
    );
    let sheet = deflate_repeating(head.as_bytes(), text, tail);
    let mut parts: Vec<(String, bool, Vec<u8>, u32, u64)> =
        workbook_parts(&[("F1".into(), "worksheets/sheet1.xml".into())])
            .into_iter()
            .map(|(name, bytes)| {
                let crc = crc32(bytes.iter().copied());
                let len = bytes.len() as u64;
                (name, false, bytes, crc, len)
            })
            .collect();
    parts.push(("xl/worksheets/sheet1.xml".into(), true, sheet, crc, 1_000));
    raw_zip(&parts)
}

/// Case 5: `n` sheet entries all pointing at one part of `cells` empty cells.
fn sheets_sharing_one_part(n: usize, cells: u32) -> Vec<u8> {
    let sheets: Vec<(String, String)> = (1..=n)
        .map(|i| (format!("S{i}"), "worksheets/sheet1.xml".to_string()))
        .collect();
    let mut parts = workbook_parts(&sheets);
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row>"#
    );
    for r in 2..=cells / 10 + 1 {
        xml.push_str(&format!(r#"<row r="{r}">"#));
        for c in 0..10 {
            xml.push_str(&format!(r#"<c r="{}{r}"/>"#, column(c)));
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    parts.push(("xl/worksheets/sheet1.xml".into(), xml.into_bytes()));
    zip_of(&parts)
}

/// A work-budget case: `rows` rows of 10,000 empty `<c/>` cells (four bytes
/// of XML each, counted against no memory limit; 1,200 rows are 48 MB of
/// XML, under the zip limits, and 12 million cells visited).
fn empty_cells(rows: u32) -> Vec<u8> {
    let row = format!("<row>{}</row>", "<c/>".repeat(10_000));
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {NS}><sheetData><row r="1"><c r="A1"><v>1</v></c></row>"#
    );
    sheet.reserve(row.len() * rows as usize);
    for _ in 0..rows {
        sheet.push_str(&row);
    }
    sheet.push_str("</sheetData></worksheet>");
    xlsx(sheet, None)
}

/// Case 6b: a CSV of commas only, just under the file limit.
fn commas_csv() -> Vec<u8> {
    let line = ",".repeat(16_000) + "\r\n";
    let n = (kasane::read::limits::MAX_FILE_BYTES as usize - 1024) / line.len();
    line.repeat(n).into_bytes()
}

// ------------------------------------------------------------- running ----

struct Run {
    code: Option<i32>,
    peak_kib: Option<u64>,
    seconds: f64,
    out: PathBuf,
    stderr: String,
}

fn tool(path: &str) -> bool {
    Path::new(path).exists()
}

/// Runs `kasane run` on `returns` under the memory cap, measuring its peak.
fn run_kasane(returns: &Path, out: &Path) -> Run {
    let exe = env!("CARGO_BIN_EXE_kasane");
    let time = "/usr/bin/time";
    let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"]
        .into_iter()
        .find(|p| tool(p));
    let mut argv: Vec<String> = Vec::new();
    if let Some(p) = prlimit {
        argv.extend([
            p.to_string(),
            format!("--as={ADDRESS_SPACE_CAP}"),
            "--".into(),
        ]);
    }
    let measured = tool(time);
    if measured {
        argv.extend([time.to_string(), "-v".into()]);
    }
    argv.push(exe.to_string());
    argv.extend(
        [
            "run",
            "--quiet",
            "--mappings",
            &root().join("mappings/kyoto").to_string_lossy(),
            "--returns",
            &returns.to_string_lossy(),
            "--month",
            "2025-04",
            "--out",
            &out.to_string_lossy(),
        ]
        .map(String::from),
    );
    let started = std::time::Instant::now();
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .output()
        .expect("run kasane");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let peak_kib = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok());
    // `time` passes the child's exit code on; a child killed by a signal
    // is reported as "Command terminated by signal N".
    let signalled = stderr.contains("Command terminated by signal");
    Run {
        code: if signalled {
            None
        } else {
            output.status.code()
        },
        peak_kib,
        seconds,
        out: out.join("2025-04"),
        stderr,
    }
}

/// Writes one file at the path it is given.
type Writer<'a> = &'a dyn Fn(&Path);

/// A month folder holding the good returns (and `hostile`, if any).
fn month(dir: &Path, hostile: Option<(&str, Writer<'_>)>) -> PathBuf {
    let returns = dir.join("returns");
    std::fs::create_dir_all(&returns).expect("dir");
    for name in GOOD {
        std::fs::copy(
            root().join("samples/kyoto/2025-04").join(name),
            returns.join(name),
        )
        .expect("copy");
    }
    if let Some((name, write)) = hostile {
        write(&returns.join(name));
    }
    returns
}

/// The registry agency whose name the hostile files carry (not among the
/// good returns).
const HOSTILE_AGENCY: &str = "CHI-004";

fn findings(dir: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    common::read_csv(&dir.join("findings.csv"))
}

/// The records of the good returns alone, once per test process.
fn clean_records() -> &'static str {
    static CLEAN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CLEAN.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tmp");
        let returns = month(tmp.path(), None);
        let run = run_kasane(&returns, &tmp.path().join("out"));
        assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
        std::fs::read_to_string(run.out.join("records.csv")).expect("records")
    })
}

/// Runs a month holding `name` (written by `write`) and the good returns,
/// and checks everything issue 15 asks of a refused file. Returns the
/// finding's message.
fn refused_within_limits(name: &str, write: &dyn Fn(&Path)) -> String {
    let tmp = tempfile::tempdir().expect("tmp");
    // Sent as an agency's return: the refusal must name that agency.
    let file = format!("{HOSTILE_AGENCY}_{name}");
    let name = file.as_str();
    let returns = month(tmp.path(), Some((name, write)));
    let run = run_kasane(&returns, &tmp.path().join("out"));
    eprintln!(
        "{name}: exit {:?}, peak {:?} KiB, {:.2} s",
        run.code, run.peak_kib, run.seconds
    );
    assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
    if let Some(peak) = run.peak_kib {
        assert!(peak <= MAX_PEAK_KIB, "{name}: peak {peak} KiB");
    }
    let found = findings(&run.out);
    let mine: Vec<_> = found
        .iter()
        .filter(|f| f["source"].starts_with(name))
        .collect();
    assert_eq!(mine.len(), 1, "{name}: {mine:#?}");
    assert_eq!(mine[0]["rule"], "unreadable_file", "{name}: {mine:#?}");
    assert_eq!(mine[0]["agency_code"], HOSTILE_AGENCY, "{name}: {mine:#?}");
    // It arrived: the agency is not also reported missing.
    assert!(
        !found
            .iter()
            .any(|f| f["rule"] == "missing_return" && f["agency_code"] == HOSTILE_AGENCY),
        "{name}: missing_return beside the unreadable file"
    );
    let message = mine[0]["message"].clone();
    assert!(
        message.contains("保存し直して再送してください") || message.contains("保存し直し"),
        "{name}: {message}"
    );
    let records = std::fs::read_to_string(run.out.join("records.csv")).expect("records");
    assert_eq!(
        records,
        clean_records(),
        "{name}: the good returns' records"
    );
    message
}

fn write_bytes(bytes: Vec<u8>) -> impl Fn(&Path) {
    move |path: &Path| std::fs::write(path, &bytes).expect("write")
}

#[test]
fn case1_a_shared_string_referenced_by_thousands_of_cells() {
    let bytes = shared_string_referenced(1 << 20, 3_000);
    assert!(bytes.len() < 64 * 1024, "{} bytes", bytes.len());
    let why = refused_within_limits("zz_shared_string.xlsx", &write_bytes(bytes));
    assert!(why.contains("text bytes in the book"), "{why}");
}

#[test]
fn case2_a_text_merged_over_four_million_cells() {
    let bytes = merged_text(3_990, 1_000);
    assert!(bytes.len() < 16 * 1024, "{} bytes", bytes.len());
    let why = refused_within_limits("zz_merged_text.xlsx", &write_bytes(bytes));
    assert!(why.contains("merged cells filled"), "{why}");
}

#[test]
fn case3_three_hundred_sheets_of_a_million_rows() {
    let bytes = many_tall_sheets(300);
    let why = refused_within_limits("zz_tall_sheets.xlsx", &write_bytes(bytes));
    assert!(why.contains("sheets 300"), "{why}");
    // Under the sheet limit, the rows are what the book's grid budget stops.
    let bytes = many_tall_sheets(20);
    let why = refused_within_limits("zz_tall_sheets_20.xlsx", &write_bytes(bytes));
    assert!(why.contains("grid cells and rows in the book"), "{why}");
}

#[test]
fn case4_a_zip_header_stating_false_small_sizes() {
    // 256 MiB of text in one cell; the header says 1,000 bytes.
    let bytes = lying_sizes(256 << 20);
    assert!(bytes.len() < 2 << 20, "{} bytes", bytes.len());
    let why = refused_within_limits("zz_lying_sizes.xlsx", &write_bytes(bytes));
    assert!(why.contains("zip member too large"), "{why}");
    assert!(why.contains("sheet1.xml"), "{why}");
}

#[test]
fn case5_six_hundred_sheet_entries_pointing_at_one_part() {
    let bytes = sheets_sharing_one_part(600, 200_000);
    let why = refused_within_limits("zz_one_part.xlsx", &write_bytes(bytes));
    assert!(why.contains("sheets 600"), "{why}");
    let bytes = sheets_sharing_one_part(100, 200_000);
    let why = refused_within_limits("zz_one_part_100.xlsx", &write_bytes(bytes));
    assert!(why.contains("sheets reading one part"), "{why}");
}

#[test]
fn case6_a_sparse_file_over_the_size_limit_is_refused_unread() {
    let write = |path: &Path| {
        let f = std::fs::File::create(path).expect("create");
        f.set_len(3 << 30).expect("sparse 3 GiB");
    };
    let why = refused_within_limits("zz_sparse.csv", &write);
    assert!(why.contains("file too large"), "{why}");
}

#[test]
fn case6_a_csv_of_commas_counts_its_empty_fields() {
    let why = refused_within_limits("zz_commas.csv", &write_bytes(commas_csv()));
    assert!(why.contains("sheet too large: cells"), "{why}");
}

/// Twelve million empty cells: the work budget (cells visited) stops them.
/// Deflating 48 MB in a debug build takes long, so optimized runs only.
#[test]
fn case7_millions_of_empty_cells_stop_at_the_work_budget() {
    if cfg!(debug_assertions) {
        return;
    }
    let why = refused_within_limits("zz_empty_cells.xlsx", &write_bytes(empty_cells(1_200)));
    assert!(why.contains("cells visited"), "{why}");
}

/// Writes every hostile file to `$KASANE_HOSTILE_LIMITS_DIR`, for measuring
/// the release binary by hand (LIMITS.md).
#[test]
#[ignore = "writes files for measuring by hand"]
fn keep() {
    let Some(dir) = std::env::var_os("KASANE_HOSTILE_LIMITS_DIR") else {
        return;
    };
    let dir = PathBuf::from(dir);
    type Named = (&'static str, Box<dyn Fn(&Path)>);
    let files: Vec<Named> = vec![
        (
            "case1_shared_string.xlsx",
            Box::new(write_bytes(shared_string_referenced(1 << 20, 3_000))),
        ),
        (
            "case1b_shared_string_48m.xlsx",
            Box::new(write_bytes(shared_string_referenced(48 << 20, 3_000))),
        ),
        (
            "case2_merged_text.xlsx",
            Box::new(write_bytes(merged_text(3_990, 1_000))),
        ),
        (
            "case3_tall_sheets.xlsx",
            Box::new(write_bytes(many_tall_sheets(300))),
        ),
        (
            "case3b_tall_sheets_20.xlsx",
            Box::new(write_bytes(many_tall_sheets(20))),
        ),
        (
            "case4_lying_sizes.xlsx",
            Box::new(write_bytes(lying_sizes(256 << 20))),
        ),
        (
            "case4b_lying_sizes_2g.xlsx",
            Box::new(write_bytes(lying_sizes(2 << 30))),
        ),
        (
            "case5_one_part.xlsx",
            Box::new(write_bytes(sheets_sharing_one_part(600, 200_000))),
        ),
        (
            "case5b_one_part_100.xlsx",
            Box::new(write_bytes(sheets_sharing_one_part(100, 200_000))),
        ),
        (
            "case6_sparse.csv",
            Box::new(|p: &Path| {
                std::fs::File::create(p)
                    .expect("create")
                    .set_len(3 << 30)
                    .expect("sparse")
            }),
        ),
        ("case6b_commas.csv", Box::new(write_bytes(commas_csv()))),
        (
            "case7_empty_cells.xlsx",
            Box::new(write_bytes(empty_cells(1_200))),
        ),
    ];
    for (name, write) in files {
        let month = dir.join(name.split('.').next().expect("stem"));
        let returns = self::month(&month, Some((name, write.as_ref())));
        eprintln!("{}", returns.display());
    }
}

/// The small hostile files kept as fixtures (and fuzz seeds) are refused
/// by the book budgets when read directly, whole file at once.
#[test]
fn the_kept_fixtures_are_refused_by_a_book_budget() {
    for (name, what) in [
        ("case1_shared_string.xlsx", "text bytes in the book"),
        ("case2_merged_text.xlsx", "merged cells filled"),
        (
            "case3b_tall_sheets_20.xlsx",
            "grid cells and rows in the book",
        ),
    ] {
        let bytes = std::fs::read(root().join("tests/fixtures/hostile_limits").join(name))
            .expect("fixture");
        match kasane::read::read_bytes(&bytes, name) {
            Err(e @ kasane::read::ReadError::BookTooLarge { .. }) => {
                assert!(e.to_string().contains(what), "{name}: {e}");
                assert_eq!(e.location().file, name);
            }
            other => panic!("{name}: {:?}", other.map(|b| b.sheets.len())),
        }
    }
}
