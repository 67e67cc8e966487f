//! Read-side limits: how big a return may be before kasane refuses it.
//!
//! Returns are small (a month of one agency fits in a few hundred cells), but
//! the batch reads files from dozens of outside organisations, and one broken
//! or hostile file must not exhaust memory and stop the others. Every limit
//! below is checked *before* the memory it guards is allocated, and a file over
//! a limit becomes one [`ReadError`](super::ReadError) naming the file (and
//! sheet) and its size.
//!
//! Memory implied (64-bit): a grid cell is 32 bytes (`Cell`; text lives on the
//! heap beside it, bounded by the file's inflated size) and a grid row 24
//! bytes. So one book costs at most about
//! `MAX_BOOK_GRID_CELLS × 32 B` = 128 MiB of grid plus
//! `MAX_SHEET_ROWS × 24 B` = 24 MiB of row headers per sheet, plus the file's
//! bytes and, for CSV, its decoded text (about twice [`MAX_FILE_BYTES`]).
//! Workbooks are read from memory, so the file itself counts once more.
//!
//! Not bounded by kasane: `.xls` and `.ods` books are parsed whole by calamine
//! when opened, into a dense grid per sheet; their size is bounded only by
//! [`MAX_FILE_BYTES`] (an `.xls` sheet is at most 65,536 × 256 cells) and, for
//! `.ods`, by the scan of repeated cells in `content.xml` before opening.

/// Largest file read at all, in bytes (32 MiB). The largest real return seen
/// is well under 1 MiB; the largest file of the test corpus is 3 MiB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Largest uncompressed size of one member of a zip-based workbook (`.xlsx`,
/// `.xlsm`, `.xlsb`, `.ods`), as the zip directory declares it (128 MiB).
/// calamine loads shared strings and styles whole, so an inflated member is
/// refused before it is opened ("zip bomb").
pub const MAX_ZIP_MEMBER_BYTES: u64 = 128 * 1024 * 1024;

/// Largest total uncompressed size of all members of a zip-based workbook (256 MiB).
pub const MAX_ZIP_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Most non-empty cells read from one sheet (or one CSV file): one million.
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

/// Most grid slots allocated over all sheets of a book (four million, 128 MiB).
pub const MAX_BOOK_GRID_CELLS: usize = 4_000_000;

/// Most rows of one sheet or CSV file: Excel's own limit, 1,048,576.
pub const MAX_SHEET_ROWS: usize = 1_048_576;

/// Most columns of one sheet or CSV file: Excel's own limit, 16,384 (`XFD`).
pub const MAX_SHEET_COLUMNS: usize = 16_384;
