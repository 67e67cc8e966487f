//! Read-side limits: how big a return may be before kasane refuses it.
//!
//! Returns are small (a month of one agency fits in a few hundred cells), but
//! the batch reads files from dozens of outside organisations, and one broken
//! or hostile file must not exhaust memory or time and stop the others. Every
//! limit below is checked *before* the memory it guards is allocated, and a
//! file over a limit becomes one [`ReadError`](super::ReadError) naming the
//! file (and sheet) and its size.
//!
//! The budgets are per file (per workbook), not per sheet, and count what is
//! *materialized*, not what the file declares: a shared string referenced by
//! a thousand cells is a thousand copies in the grid, a text merged over a
//! block is one copy per slot it fills, a sheet's rows cost their row
//! headers even when empty, and a zip member is measured by inflating it
//! through a capped reader, never by the size its header states.
//!
//! Memory implied (64-bit): a grid cell is 32 bytes (`Cell`) and a grid row
//! 24 bytes; [`MAX_BOOK_GRID_CELLS`] counts both, so the grid of a book is at
//! most about 128 MiB, plus at most [`MAX_BOOK_TEXT_BYTES`] of text in its
//! cells, plus what calamine holds (its shared-string table and styles, at
//! most the inflated size of those parts, [`MAX_ZIP_MEMBER_BYTES`]), plus the
//! file itself ([`MAX_FILE_BYTES`]). See LIMITS.md for the measured figures.
//!
//! Not bounded by kasane: `.xls` and `.ods` books are parsed whole by calamine
//! when opened, into a dense grid per sheet; their size is bounded by
//! [`MAX_FILE_BYTES`] and the guards run before opening (`cfb_guard` for
//! `.xls`, the scan of repeated cells for `.ods`).

/// Largest file read at all, in bytes (32 MiB), checked from the file's
/// metadata before it is read and again while reading. The largest real
/// return seen is well under 1 MiB; the largest file of the test corpus is
/// 3 MiB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Largest inflated size of one member of a zip-based workbook (`.xlsx`,
/// `.xlsm`, `.xlsb`, `.ods`): 64 MiB. Measured by inflating the member
/// through a capped reader before calamine opens the book, whatever its
/// header states (a header may state a false, small size). calamine loads
/// shared strings and styles whole, so this also bounds its tables.
pub const MAX_ZIP_MEMBER_BYTES: u64 = 64 * 1024 * 1024;

/// Largest total inflated size of all members of a zip-based workbook
/// (128 MiB). Every XML pass over a book reads at most this many bytes, so
/// it also bounds the time one book can take.
pub const MAX_ZIP_TOTAL_BYTES: u64 = 128 * 1024 * 1024;

/// Most members in the zip of a workbook (4,096; a real one has 10 to 30).
pub const MAX_ZIP_MEMBERS: usize = 4_096;

/// Most worksheets read from one book (256; real returns have one to a few).
pub const MAX_BOOK_SHEETS: usize = 256;

/// Most non-empty cells read from one sheet (or one CSV file): one million.
/// For CSV every field counts, empty or not (each is a slot of the grid).
/// Streaming stops at the first cell over the limit, so a sheet of any size
/// costs at most this many cells of memory.
pub const MAX_SHEET_CELLS: usize = 1_000_000;

/// Most non-empty cells read from a whole book, over all its sheets (two million).
pub const MAX_BOOK_CELLS: usize = 2_000_000;

/// Most grid slots one sheet may allocate: the sum over rows of the span from
/// the sheet's first used column to the row's last used cell (four million
/// slots, 128 MiB). Rows are only as long as their last used cell, so a stray
/// cell at `XFD1048576` costs one long row, not 17 billion cells; a sheet that
/// puts a cell far to the right on every row is refused with its size.
pub const MAX_GRID_CELLS: usize = 4_000_000;

/// Most grid slots allocated over all sheets of a book, each row counting as
/// one slot more (a row header is 24 bytes, a slot 32): four million, about
/// 128 MiB. Counting rows is what stops a book of many sheets that each hold
/// `A1` and `A1048576` (a million empty rows each).
pub const MAX_BOOK_GRID_CELLS: usize = 4_000_000;

/// Most bytes of text materialized in the cells of one book (64 MiB): every
/// cell's text counts each time it is put in the grid — each reference to a
/// shared string, each slot a merged text is copied into, each formula.
pub const MAX_BOOK_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// Most grid slots filled with the text of a merged area, over a book (one
/// million; a real form fills a few hundred). Each is one more string.
pub const MAX_MERGED_FILL_CELLS: usize = 1_000_000;

/// Most cells visited while reading one book, empty ones included, over all
/// passes (values and formulas) and sheets: six million, room for both
/// passes over [`MAX_BOOK_CELLS`] cells. A work budget: an `<c/>` is four
/// bytes of XML and counts against no other limit, and calamine takes about
/// 0.2 µs a cell, so this is about a second of work.
pub const MAX_BOOK_CELL_VISITS: usize = 6_000_000;

/// Most rows of one sheet or CSV file: Excel's own limit, 1,048,576.
pub const MAX_SHEET_ROWS: usize = 1_048_576;

/// Most columns of one sheet or CSV file: Excel's own limit, 16,384 (`XFD`).
pub const MAX_SHEET_COLUMNS: usize = 16_384;
