//! Stage 1 — read: file bytes to grids of cells that know their place.
//!
//! Every kind of return (workbook or CSV) becomes a [`Book`]: a list of
//! [`Sheet`]s, each a dense grid of [`Cell`]s with the sheet's origin, so that
//! any cell can name its [`Location`]. The readers know nothing of forms; the
//! mapping decides what the cells mean.

mod cfb_guard;
mod csv_file;
mod grid;
pub mod limits;
mod sniff;
mod workbook;
mod xlsx_dates;
mod xlsx_parts;
mod xlsx_scan;
mod xlsx_styles;

pub use csv_file::{decode_text, TextEncoding};

// The cell type is the core's (months and dates are read from cells there);
// it is named here too, where the readers make cells.
pub use crate::core::Cell;

use crate::core::Location;
use std::path::Path;

/// A sheet (or a whole CSV file) as a grid of rows.
///
/// Rows are only as long as their last used cell (and a blank row is empty),
/// so a stray cell far to the right costs one long row, not a dense block.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Sheet name; empty for a CSV file.
    pub name: String,
    /// Zero-based (row, column) of `rows[0][0]` in the sheet.
    pub origin: (u32, u32),
    /// The cells, row by row; rows may differ in length.
    pub rows: Vec<Vec<Cell>>,
    /// Merged areas, in grid positions: `(top, left, bottom, right)`,
    /// inclusive. A text in the top-left cell of an area has been copied
    /// into the area's other cells, so that a label or heading merged over
    /// several columns or rows is found in each of them; numbers are never
    /// copied, so no figure is counted twice.
    pub merged: Vec<(usize, usize, usize, usize)>,
}

impl Sheet {
    /// The cell at a grid position (not a sheet position), or `Empty`.
    pub fn get(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&Cell::Empty)
    }

    /// The place of a grid position in `file`.
    pub fn location(&self, file: &str, row: usize, col: usize) -> Location {
        Location::cell(
            file,
            self.name.clone(),
            self.origin.0 + row as u32,
            self.origin.1 + col as u32,
        )
    }

    /// The merged area holding a grid position, if any.
    pub fn merged_area(&self, row: usize, col: usize) -> Option<(usize, usize, usize, usize)> {
        self.merged
            .iter()
            .copied()
            .find(|&(t, l, b, r)| (t..=b).contains(&row) && (l..=r).contains(&col))
    }

    /// True when every cell of the grid row is blank.
    pub fn row_is_blank(&self, row: usize) -> bool {
        self.rows
            .get(row)
            .is_none_or(|cells| cells.iter().all(Cell::is_blank))
    }
}

/// The kind of file a return came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A spreadsheet workbook (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`).
    Workbook,
    /// Delimited text in the given encoding.
    Csv(TextEncoding),
}

/// A return as read: its name, kind and sheets.
#[derive(Debug, Clone)]
pub struct Book {
    /// File name relative to the returns folder.
    pub file: String,
    /// Workbook or CSV.
    pub kind: FileKind,
    /// Visible sheets in workbook order (one for CSV).
    pub sheets: Vec<Sheet>,
    /// Visible sheets that could not be read (a chartsheet some readers
    /// fail on, a sheet over a size limit), each with why. The other sheets
    /// are still read: one bad sheet does not make the book unreadable.
    pub unread_sheets: Vec<ReadError>,
}

/// Why a file (or one sheet of it) could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened.
    #[error("{loc}: ファイルを開けません (cannot open): {reason}")]
    Open {
        /// The file.
        loc: Location,
        /// The system's reason.
        reason: String,
    },
    /// The workbook is damaged, encrypted or not a workbook.
    #[error("{loc}: ブックとして読めません (not a readable workbook): {reason}")]
    Workbook {
        /// The file or sheet.
        loc: Location,
        /// calamine's reason.
        reason: String,
    },
    /// A CSV file holds bytes that are not valid in any encoding tried.
    #[error("{loc}: 文字コードを判別できません (invalid bytes for UTF-8 and CP932)")]
    Encoding {
        /// File with the byte offset of the first bad byte.
        loc: Location,
    },
    /// A CSV file's structure is broken.
    #[error("{loc}: CSVとして読めません (malformed CSV): {reason}")]
    Csv {
        /// The file and row.
        loc: Location,
        /// The csv crate's reason.
        reason: String,
    },
    /// The file is empty.
    #[error("{loc}: 空のファイルです (the file is empty)")]
    Empty {
        /// The file.
        loc: Location,
    },
    /// The file is larger than [`limits::MAX_FILE_BYTES`].
    #[error("{loc}: ファイルが大きすぎるか壊れています。保存し直して再送してください (file too large: {size} bytes, limit {limit} bytes)")]
    FileTooLarge {
        /// The file.
        loc: Location,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The workbook is encrypted with a password (an encrypted `.xlsx` is a
    /// CFB container holding `EncryptedPackage`; an `.xls` has `FILEPASS`).
    #[error("{loc}: パスワード付きのブックは読めません。パスワードを解除して提出し直してください (password-protected workbook)")]
    Password {
        /// The file.
        loc: Location,
    },
    /// A member of a zip-based workbook inflates beyond
    /// [`limits::MAX_ZIP_MEMBER_BYTES`] (or all of them beyond
    /// [`limits::MAX_ZIP_TOTAL_BYTES`]), or the zip has more than
    /// [`limits::MAX_ZIP_MEMBERS`] members: refused before calamine opens
    /// it. The size is what inflating gave before it stopped at the limit,
    /// or what the header states when that is already over.
    #[error("{loc}: ファイルが大きすぎるか壊れています。保存し直して再送してください (zip member too large: {member} inflates to {size} bytes or more, limit {limit})")]
    ZipTooLarge {
        /// The file.
        loc: Location,
        /// The member's name inside the zip (or `(合計)` for the total).
        member: String,
        /// Its declared uncompressed size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A sheet (or CSV file) is over one of the cell limits in [`limits`].
    #[error("{loc}: シートが大きすぎます（上限 {limit}）。不要な行や列を削除して保存し直し、再送してください (sheet too large: {what} {size}, limit {limit})")]
    SheetTooLarge {
        /// The file and sheet.
        loc: Location,
        /// Which measure is over: `cells`, `grid cells`, `rows`, `columns`.
        what: &'static str,
        /// Its size (at least; reading stops at the limit).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A workbook is over one of the per-book budgets of [`limits`]:
    /// sheets, grid slots and rows, materialized text, merged fill, cells
    /// visited, or two sheets reading one part. The whole file is refused,
    /// not only the sheet where the budget ran out.
    #[error("{loc}: ファイルが大きすぎるか壊れています。保存し直して再送してください (workbook over a limit: {what} {size}, limit {limit})")]
    BookTooLarge {
        /// The file and the sheet being read when the budget ran out.
        loc: Location,
        /// Which budget: `sheets`, `grid cells and rows in the book`,
        /// `text bytes in the book`, `merged cells filled`, `cells visited`,
        /// `sheets reading one part`, `cells in the book`.
        what: &'static str,
        /// Its size (at least; reading stops at the limit).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A file named as text holds NUL bytes: it is binary, not CSV.
    #[error("{loc}: テキストファイルではありません (binary data, NUL byte)")]
    NotText {
        /// The file with the byte offset of the first NUL.
        loc: Location,
    },
    /// A quoted CSV field is never closed: the rest of the file would be one
    /// field. The place is the cell where the quote opened.
    #[error("{loc}: 引用符（\"）が閉じられていません (unterminated quote opened here)")]
    UnterminatedQuote {
        /// The file, row and column where the quote opened.
        loc: Location,
    },
    /// The file's extension is not one kasane reads.
    #[error("{loc}: 対応していない種類のファイルです (unsupported file type)")]
    Unsupported {
        /// The file.
        loc: Location,
    },
}

impl ReadError {
    /// The place the error names.
    pub fn location(&self) -> &Location {
        match self {
            ReadError::Open { loc, .. }
            | ReadError::Workbook { loc, .. }
            | ReadError::Encoding { loc }
            | ReadError::Csv { loc, .. }
            | ReadError::Unsupported { loc }
            | ReadError::Empty { loc }
            | ReadError::FileTooLarge { loc, .. }
            | ReadError::Password { loc }
            | ReadError::ZipTooLarge { loc, .. }
            | ReadError::SheetTooLarge { loc, .. }
            | ReadError::BookTooLarge { loc, .. }
            | ReadError::NotText { loc }
            | ReadError::UnterminatedQuote { loc } => loc,
        }
    }
}

/// True for file names kasane treats as returns.
pub fn is_return_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // Lock files of Excel (~$…) and LibreOffice (.~lock…) sit beside open workbooks.
    if name.starts_with("~$") || name.starts_with(".~lock") || name.starts_with('.') {
        return false;
    }
    matches!(
        extension(path).as_str(),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "csv" | "txt"
    )
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads a return file's bytes, refusing a file over
/// [`limits::MAX_FILE_BYTES`] from its metadata before reading it, and
/// reading at most one byte more than the limit in any case (a file that
/// grows while it is read, or whose metadata is wrong, is still refused
/// without being read whole). `display_name` names the file in errors.
///
/// # Errors
/// [`ReadError::Open`] when the file cannot be opened or read,
/// [`ReadError::FileTooLarge`] when it is over the limit.
pub fn read_file(path: &Path, display_name: &str) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let open_error = |e: std::io::Error| ReadError::Open {
        loc: Location::file(display_name),
        reason: e.to_string(),
    };
    let too_large = |size: u64| ReadError::FileTooLarge {
        loc: Location::file(display_name),
        size,
        limit: limits::MAX_FILE_BYTES,
    };
    let file = std::fs::File::open(path).map_err(open_error)?;
    let declared = file.metadata().map_err(open_error)?.len();
    if declared > limits::MAX_FILE_BYTES {
        return Err(too_large(declared));
    }
    // The metadata's length sizes the buffer only when it is within the limit.
    let mut bytes = Vec::with_capacity(declared as usize);
    file.take(limits::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(open_error)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads one return from its bytes. `display_name` is the file name used in
/// locations; its extension decides between workbook and CSV.
///
/// # Errors
/// A [`ReadError`] naming the file (and sheet, cell, byte or row) when it
/// cannot be read: empty, over a limit of [`limits`], damaged, encrypted,
/// binary, or with an unterminated quote. Never panics, whatever the bytes.
pub fn read_bytes(bytes: &[u8], display_name: &str) -> Result<Book, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty {
            loc: Location::file(display_name),
        });
    }
    let size = bytes.len() as u64;
    if size > limits::MAX_FILE_BYTES {
        return Err(ReadError::FileTooLarge {
            loc: Location::file(display_name),
            size,
            limit: limits::MAX_FILE_BYTES,
        });
    }
    match extension(Path::new(display_name)).as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => read_workbook_guarded(bytes, display_name),
        "csv" | "txt" => csv_file::read(bytes, display_name),
        _ => Err(ReadError::Unsupported {
            loc: Location::file(display_name),
        }),
    }
}

/// [`workbook::read`], with a panic inside the third-party readers (calamine
/// on damaged data) turned into a [`ReadError::Workbook`] for this file, so
/// one damaged return never stops the batch. Found by fuzzing: a mutated
/// `.xls` whose CFB directory is cut short made calamine 0.32 index past a
/// slice (`cfb.rs:318`, "range end index 64 out of range for slice of
/// length 43"); see tests/fixtures/hostile_month/fuzz_cfb_short_directory.xls.
fn read_workbook_guarded(bytes: &[u8], display_name: &str) -> Result<Book, ReadError> {
    std::panic::catch_unwind(|| workbook::read(bytes, display_name)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(ReadError::Workbook {
            loc: Location::file(display_name),
            reason: format!(
                "ファイルが壊れていて読み込み中に異常終了しました (damaged file: the reader failed: {why})"
            ),
        })
    })
}

/// Every file of the repository (outside `target` and hidden folders) whose
/// name ends with one of `endings`, sorted: the workbooks tests read both ways.
#[cfg(test)]
pub(crate) fn repository_files(endings: &[&str]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    dirs.push(path);
                }
            } else if endings.iter().any(|end| name.ends_with(end)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
