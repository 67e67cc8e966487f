//! Where a value sits in a return: file, sheet and cell (A1) for workbooks,
//! file and row/column for CSV, and a byte offset where decoding failed.

use std::fmt;

/// A place in an input file. Every record and every finding carries one, so a
/// figure in the consolidated workbook can be traced back to the cell it came
/// from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// File name, relative to the folder of returns.
    pub file: String,
    /// Sheet name; empty for CSV files.
    pub sheet: String,
    /// Zero-based row and column of the cell, when the place is a cell.
    pub cell: Option<(u32, u32)>,
    /// Byte offset in the file, when the place is a position in raw bytes.
    pub byte_offset: Option<u64>,
}

impl Location {
    /// The whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            sheet: String::new(),
            cell: None,
            byte_offset: None,
        }
    }

    /// One cell of a sheet (or of a CSV file when `sheet` is empty).
    pub fn cell(file: impl Into<String>, sheet: impl Into<String>, row: u32, col: u32) -> Self {
        Location {
            file: file.into(),
            sheet: sheet.into(),
            cell: Some((row, col)),
            byte_offset: None,
        }
    }

    /// The same file, narrowed to a sheet.
    pub fn in_sheet(mut self, sheet: &str) -> Self {
        self.sheet = sheet.to_string();
        self
    }

    /// True for places in CSV files, which have no sheets.
    pub fn is_csv(&self) -> bool {
        self.sheet.is_empty()
    }

    /// A place as `records.csv` writes it (`source_file`, `source_sheet`,
    /// `source_cell`), read back; a cell text that is neither A1 nor
    /// `row N, column M` leaves the place at the sheet (or file).
    pub fn from_columns(file: &str, sheet: &str, cell: &str) -> Self {
        let mut loc = Location::file(file).in_sheet(sheet);
        loc.cell = if sheet.is_empty() {
            parse_row_column(cell)
        } else {
            parse_a1(cell)
        };
        loc
    }

    /// The cell in the notation spec §6 asks for: `B12` in a workbook,
    /// `row 12, column 2` (one-based) in a CSV file; empty for a whole file.
    pub fn cell_text(&self) -> String {
        match (self.cell, self.byte_offset) {
            (Some((r, c)), _) if self.is_csv() => format!("row {}, column {}", r + 1, c + 1),
            (Some((r, c)), _) => a1(r, c),
            (None, Some(off)) => format!("byte {off}"),
            (None, None) => String::new(),
        }
    }
}

impl fmt::Display for Location {
    /// `file / sheet / cell`, leaving out the parts that are empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if !self.sheet.is_empty() {
            write!(f, " / {}", self.sheet)?;
        }
        let cell = self.cell_text();
        if !cell.is_empty() {
            write!(f, " / {cell}")?;
        }
        Ok(())
    }
}

/// A1 notation of a zero-based cell: `a1(0, 0) == "A1"`, `a1(11, 27) == "AB12"`.
///
/// ```
/// assert_eq!(kasane::core::location::a1(11, 27), "AB12");
/// ```
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Zero-based (row, column) of an A1 reference (`B12` → (11, 1)).
fn parse_a1(text: &str) -> Option<(u32, u32)> {
    let split = text.find(|c: char| !c.is_ascii_uppercase())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let col = letters
        .bytes()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1));
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// Zero-based (row, column) of `row N, column M` (one-based, CSV places).
fn parse_row_column(text: &str) -> Option<(u32, u32)> {
    let (row, col) = text.strip_prefix("row ")?.split_once(", column ")?;
    let (row, col): (u32, u32) = (row.parse().ok()?, col.parse().ok()?);
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_back_from_records_csv_columns() {
        for loc in [
            Location::cell("a.xlsx", "F3", 11, 1),
            Location::cell("a.xlsx", "F3", 0, 27),
            Location::cell("a.csv", "", 4, 2),
            Location::file("a.xlsx").in_sheet("F3"),
        ] {
            let back = Location::from_columns(&loc.file, &loc.sheet, &loc.cell_text());
            assert_eq!(back, loc);
        }
        let odd = Location::from_columns("a.xlsx", "S", "セル?");
        assert_eq!(odd, Location::file("a.xlsx").in_sheet("S"));
    }

    #[test]
    fn a1_notation_covers_multi_letter_columns() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn csv_cells_are_one_based_rows_and_columns() {
        let loc = Location::cell("a.csv", "", 0, 4);
        assert_eq!(loc.cell_text(), "row 1, column 5");
        assert_eq!(loc.to_string(), "a.csv / row 1, column 5");
        let loc = Location::cell("a.xlsx", "F1", 9, 1);
        assert_eq!(loc.to_string(), "a.xlsx / F1 / B10");
    }
}
