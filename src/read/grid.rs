//! Building a [`Sheet`] from cells streamed one by one, within the limits of
//! [`super::limits`]: the cells are counted as they arrive and the grid is
//! sized from the cells actually used, never from a sheet's declared
//! dimensions, so a stray cell at `XFD1048576` or a sheet of a million rows
//! is refused (or read cheaply) before a dense block is allocated.

use super::limits::{
    MAX_BOOK_CELLS, MAX_BOOK_CELL_VISITS, MAX_BOOK_GRID_CELLS, MAX_BOOK_TEXT_BYTES, MAX_GRID_CELLS,
    MAX_MERGED_FILL_CELLS, MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS,
};
use super::{Cell, ReadError, Sheet};
use crate::core::Location;
use std::collections::BTreeMap;

/// What the whole book has used so far: one budget per file, shared by its
/// sheets, so that many small sheets cost no more than one large one. Going
/// over any of these refuses the whole file ([`ReadError::BookTooLarge`]).
#[derive(Debug, Default)]
pub(super) struct Budget {
    /// Non-empty cells (and formulas) kept.
    cells: usize,
    /// Grid slots allocated plus rows (each row header is one slot more).
    grid: usize,
    /// Bytes of text materialized in cells, each copy counted.
    text: usize,
    /// Slots filled with the text of a merged area.
    fills: usize,
    /// Cells visited, empty ones included, in every pass.
    visits: usize,
}

impl Budget {
    /// Counts one cell visited by a reader pass (empty or not): the work
    /// budget, so that a book of empty cells or sheets read again and again
    /// cannot take more than a bounded time.
    pub(super) fn visit(&mut self, file: &str, sheet: &str) -> Result<(), ReadError> {
        self.visits += 1;
        if self.visits > MAX_BOOK_CELL_VISITS {
            return Err(book_too_large(
                file,
                sheet,
                "cells visited",
                self.visits,
                MAX_BOOK_CELL_VISITS,
            ));
        }
        Ok(())
    }

    /// Counts `bytes` of text about to be materialized in a cell.
    fn text(&mut self, file: &str, sheet: &str, bytes: usize) -> Result<(), ReadError> {
        let text = self.text.saturating_add(bytes);
        if text > MAX_BOOK_TEXT_BYTES {
            return Err(book_too_large(
                file,
                sheet,
                "text bytes in the book",
                text,
                MAX_BOOK_TEXT_BYTES,
            ));
        }
        self.text = text;
        Ok(())
    }
}

/// A [`ReadError::BookTooLarge`] for `file`, naming the sheet being read.
pub(super) fn book_too_large(
    file: &str,
    sheet: &str,
    what: &'static str,
    size: usize,
    limit: usize,
) -> ReadError {
    ReadError::BookTooLarge {
        loc: Location::file(file).in_sheet(sheet),
        what,
        size: size as u64,
        limit: limit as u64,
    }
}

/// The text bytes a cell holds on the heap (what [`Budget`] counts).
fn text_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(t) | Cell::Error(t) | Cell::FormulaWithoutValue(t) => t.len(),
        _ => 0,
    }
}

/// A merged area in sheet positions: `(top, left, bottom, right)`, inclusive.
pub(super) type Area = (u32, u32, u32, u32);

/// Collects the non-empty cells of one sheet.
pub(super) struct GridBuilder<'b> {
    file: String,
    name: String,
    values: BTreeMap<(u32, u32), Cell>,
    formulas: BTreeMap<(u32, u32), String>,
    budget: &'b mut Budget,
}

impl<'b> GridBuilder<'b> {
    pub(super) fn new(file: &str, name: &str, budget: &'b mut Budget) -> Self {
        GridBuilder {
            file: file.to_string(),
            name: name.to_string(),
            values: BTreeMap::new(),
            formulas: BTreeMap::new(),
            budget,
        }
    }

    fn too_large(&self, what: &'static str, size: u64, limit: u64) -> ReadError {
        ReadError::SheetTooLarge {
            loc: Location::file(&self.file).in_sheet(&self.name),
            what,
            size,
            limit,
        }
    }

    fn check_place(&self, row: u32, col: u32) -> Result<(), ReadError> {
        if row as usize >= MAX_SHEET_ROWS {
            return Err(self.too_large("rows", u64::from(row) + 1, MAX_SHEET_ROWS as u64));
        }
        if col as usize >= MAX_SHEET_COLUMNS {
            return Err(self.too_large("columns", u64::from(col) + 1, MAX_SHEET_COLUMNS as u64));
        }
        Ok(())
    }

    fn count_one(&mut self) -> Result<(), ReadError> {
        let n = self.values.len() + self.formulas.len() + 1;
        if n > MAX_SHEET_CELLS {
            return Err(self.too_large("cells", n as u64, MAX_SHEET_CELLS as u64));
        }
        if self.budget.cells + 1 > MAX_BOOK_CELLS {
            return Err(book_too_large(
                &self.file,
                &self.name,
                "cells in the book",
                self.budget.cells + 1,
                MAX_BOOK_CELLS,
            ));
        }
        self.budget.cells += 1;
        Ok(())
    }

    /// Adds a cell's value; empty cells are skipped.
    ///
    /// An empty string counts as empty: calamine returns one for a formula
    /// saved without its result (`<f>…</f><v/>`, as openpyxl writes), and
    /// the formula pass must then mark the cell as a formula without value
    /// rather than let it read as a blank, i.e. a zero.
    pub(super) fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), ReadError> {
        if matches!(&cell, Cell::Empty) || matches!(&cell, Cell::Text(t) if t.is_empty()) {
            return Ok(());
        }
        self.check_place(row, col)?;
        if !self.values.contains_key(&(row, col)) {
            self.count_one()?;
        }
        // A cell written twice (the same position repeated in the XML)
        // counts its text each time: the bound is on work as well as memory.
        self.budget.text(&self.file, &self.name, text_len(&cell))?;
        self.values.insert((row, col), cell);
        Ok(())
    }

    /// Adds a cell's formula, so that a formula with no cached result is
    /// reported instead of read as an empty cell.
    pub(super) fn push_formula(
        &mut self,
        row: u32,
        col: u32,
        formula: &str,
    ) -> Result<(), ReadError> {
        if formula.is_empty() || self.values.contains_key(&(row, col)) {
            return Ok(());
        }
        self.check_place(row, col)?;
        if !self.formulas.contains_key(&(row, col)) {
            self.count_one()?;
        }
        self.budget.text(&self.file, &self.name, formula.len())?;
        self.formulas.insert((row, col), formula.to_string());
        Ok(())
    }

    /// Counts one cell visited by a reader pass, empty or not (the book's
    /// work budget, [`Budget::visit`]).
    pub(super) fn visit(&mut self) -> Result<(), ReadError> {
        self.budget.visit(&self.file, &self.name)
    }

    /// The value of a cell pushed so far.
    pub(super) fn value_mut(&mut self, row: u32, col: u32) -> Option<&mut Cell> {
        self.values.get_mut(&(row, col))
    }

    /// The sheet, with text of merged areas copied into their other cells.
    pub(super) fn finish(mut self, merged: &[Area]) -> Result<Sheet, ReadError> {
        let formulas = std::mem::take(&mut self.formulas);
        for ((r, c), f) in formulas {
            self.values
                .entry((r, c))
                .or_insert(Cell::FormulaWithoutValue(f));
        }
        let Some(top) = self.values.keys().map(|&(r, _)| r).min() else {
            return Ok(Sheet {
                name: self.name,
                origin: (0, 0),
                rows: Vec::new(),
                merged: Vec::new(),
            });
        };
        let left = self.values.keys().map(|&(_, c)| c).min().unwrap_or(0);
        let bottom = self.values.keys().map(|&(r, _)| r).max().unwrap_or(top);
        let right = self.values.keys().map(|&(_, c)| c).max().unwrap_or(left);
        // Merged areas matter only where they overlap the used cells.
        let areas: Vec<Area> = merged
            .iter()
            .filter_map(|&(t, l, b, r)| {
                let (t, l) = (t.max(top), l.max(left));
                let (b, r) = (b.min(bottom), r.min(right));
                (t <= b && l <= r).then_some((t, l, b, r))
            })
            .collect();
        // Each row is as long as its last used (or filled) cell.
        let height = (bottom - top) as usize + 1;
        let mut widths = vec![0usize; height];
        for &(r, c) in self.values.keys() {
            let w = &mut widths[(r - top) as usize];
            *w = (*w).max((c - left) as usize + 1);
        }
        // The areas whose top-left cell holds text, with the text's length;
        // the text is copied from the grid when filling, never held apart.
        let fills: Vec<(Area, usize)> = areas
            .iter()
            .filter_map(|&a| match self.values.get(&(a.0, a.1)) {
                Some(Cell::Text(t)) => Some((a, t.len())),
                _ => None,
            })
            .collect();
        for &((t, _, b, r), _) in &fills {
            for row in t..=b {
                let w = &mut widths[(row - top) as usize];
                *w = (*w).max((r - left) as usize + 1);
            }
        }
        let slots: usize = widths.iter().sum();
        if slots > MAX_GRID_CELLS {
            return Err(self.too_large("grid cells", slots as u64, MAX_GRID_CELLS as u64));
        }
        // The book's budget counts each row too: a row header is 24 bytes,
        // and a sheet holding only A1 and A1048576 is a million rows.
        let book_grid = self.budget.grid + slots + height;
        if book_grid > MAX_BOOK_GRID_CELLS {
            return Err(book_too_large(
                &self.file,
                &self.name,
                "grid cells and rows in the book",
                book_grid,
                MAX_BOOK_GRID_CELLS,
            ));
        }
        self.budget.grid = book_grid;
        // Each filled slot is one more copy of its area's text: counted
        // before any is made, slots by the number and bytes by the text.
        // Each area counts one slot more (it is one more entry to walk),
        // and its text once more (the copy the fill is made from).
        let mut fill_slots = areas.len();
        let mut fill_bytes = 0usize;
        for &((t, l, b, r), len) in &fills {
            let area = (b - t + 1) as usize * (r - l + 1) as usize;
            fill_slots = fill_slots.saturating_add(area);
            fill_bytes = fill_bytes.saturating_add(area.saturating_mul(len));
        }
        let fills_total = self.budget.fills.saturating_add(fill_slots);
        if fills_total > MAX_MERGED_FILL_CELLS {
            return Err(book_too_large(
                &self.file,
                &self.name,
                "merged cells filled",
                fills_total,
                MAX_MERGED_FILL_CELLS,
            ));
        }
        self.budget.fills = fills_total;
        self.budget.text(&self.file, &self.name, fill_bytes)?;
        let mut rows: Vec<Vec<Cell>> = widths.iter().map(|&w| vec![Cell::Empty; w]).collect();
        for ((r, c), cell) in std::mem::take(&mut self.values) {
            if let Some(slot) = rows
                .get_mut((r - top) as usize)
                .and_then(|row| row.get_mut((c - left) as usize))
            {
                *slot = cell;
            }
        }
        // Only text is copied: a title or a group heading merged over several
        // cells is a label for each of them, whereas a number merged over
        // several cells is one figure and must be counted once.
        for ((t, l, b, r), len) in fills {
            let text = match rows
                .get((t - top) as usize)
                .and_then(|cells| cells.get((l - left) as usize))
            {
                Some(Cell::Text(text)) if len > 0 && (t, l) != (b, r) => text.clone(),
                _ => continue,
            };
            for row in t..=b {
                for col in l..=r {
                    if let Some(slot) = rows
                        .get_mut((row - top) as usize)
                        .and_then(|cells| cells.get_mut((col - left) as usize))
                    {
                        if matches!(slot, Cell::Empty) {
                            *slot = Cell::Text(text.clone());
                        }
                    }
                }
            }
        }
        let merged = areas
            .iter()
            .map(|&(t, l, b, r)| {
                (
                    (t - top) as usize,
                    (l - left) as usize,
                    (b - top) as usize,
                    (r - left) as usize,
                )
            })
            .collect();
        Ok(Sheet {
            name: self.name,
            origin: (top, left),
            rows,
            merged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_far_cell_costs_one_row_not_a_block() {
        let mut budget = Budget::default();
        let mut g = GridBuilder::new("f.xlsx", "S", &mut budget);
        g.push(0, 0, Cell::Text("a".into())).unwrap();
        g.push(1_048_575, 16_383, Cell::Number(1.0)).unwrap();
        let s = g.finish(&[]).unwrap();
        assert_eq!(s.rows.len(), 1_048_576);
        assert_eq!(s.rows[0].len(), 1);
        assert_eq!(s.rows[1_048_575].len(), 16_384);
        assert!(s.rows[1].is_empty());
    }

    #[test]
    fn a_wide_cell_on_every_row_is_refused_with_its_size() {
        let mut budget = Budget::default();
        let mut g = GridBuilder::new("f.xlsx", "S", &mut budget);
        for r in 0..1000 {
            g.push(r, 0, Cell::Number(1.0)).unwrap();
            g.push(r, 16_000, Cell::Number(1.0)).unwrap();
        }
        let err = g.finish(&[]).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::SheetTooLarge {
                    what: "grid cells",
                    size: 16_001_000,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("f.xlsx / S"), "{err}");
    }

    #[test]
    fn the_cell_cap_stops_reading() {
        let mut budget = Budget::default();
        let mut g = GridBuilder::new("f.xlsx", "S", &mut budget);
        let mut failed_at = None;
        for i in 0..(MAX_SHEET_CELLS as u32 + 10) {
            if g.push(i / 100, i % 100, Cell::Number(1.0)).is_err() {
                failed_at = Some(i);
                break;
            }
        }
        assert_eq!(failed_at, Some(MAX_SHEET_CELLS as u32));
    }

    #[test]
    fn merged_text_is_copied_and_numbers_are_not() {
        let mut budget = Budget::default();
        let mut g = GridBuilder::new("f.xlsx", "S", &mut budget);
        g.push(0, 0, Cell::Text("題".into())).unwrap();
        g.push(1, 0, Cell::Number(5.0)).unwrap();
        g.push(2, 2, Cell::Text("x".into())).unwrap();
        let s = g.finish(&[(0, 0, 0, 2), (1, 0, 1, 2)]).unwrap();
        assert_eq!(s.rows[0], vec![Cell::Text("題".into()); 3]);
        assert_eq!(s.rows[1], vec![Cell::Number(5.0)]);
        assert_eq!(s.merged_area(0, 1), Some((0, 0, 0, 2)));
    }

    #[test]
    fn formulas_without_values_are_marked() {
        let mut budget = Budget::default();
        let mut g = GridBuilder::new("f.xlsx", "S", &mut budget);
        g.push(0, 0, Cell::Number(3.0)).unwrap();
        g.push_formula(0, 0, "SUM(A2:A3)").unwrap();
        g.push_formula(0, 1, "SUM(B2:B3)").unwrap();
        let s = g.finish(&[]).unwrap();
        assert_eq!(s.rows[0][0], Cell::Number(3.0));
        assert_eq!(s.rows[0][1], Cell::FormulaWithoutValue("SUM(B2:B3)".into()));
    }
}
