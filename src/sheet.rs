//! The sheet as the pipeline sees it: takes the cells a reader streamed out of
//! a workbook and gives a sparse grid (only non-empty cells, absolute
//! positions, merged regions) that the template recogniser walks.
//!
//! Sparse on purpose: a sheet whose two cells sit at A1 and XFD1048576 costs
//! two cells here, not the 17 billion of a dense grid.

use std::fmt;

use chrono::NaiveDateTime;

/// A cell position, zero-based, shown in A1 notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CellRef {
    pub row: u32,
    pub col: u32,
}

impl CellRef {
    pub fn new(row: u32, col: u32) -> Self {
        CellRef { row, col }
    }

    /// A cell named in A1 notation (`B3`, `$B$3`, lower case too); `None`
    /// for anything else, or a row or column beyond what a u32 holds.
    pub fn parse(a1: &str) -> Option<CellRef> {
        let name = a1.trim().replace('$', "");
        let digits = name.find(|c: char| c.is_ascii_digit())?;
        let (letters, number) = name.split_at(digits);
        if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let col = letters.bytes().try_fold(0u32, |n, b| {
            n.checked_mul(26)?
                .checked_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)
        })?;
        let row: u32 = number.parse().ok()?;
        Some(CellRef::new(row.checked_sub(1)?, col - 1))
    }
}

/// Column letters of a zero-based column index: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", column_name(self.col), self.row as u64 + 1)
    }
}

/// What a cell holds, as the reader gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date (Excel serial resolved by the reader).
    DateTime(NaiveDateTime),
    /// A date as ISO text, as .ods files give it.
    DateIso(String),
    /// An error value such as #DIV/0!.
    Error(String),
}

impl CellValue {
    /// The text of a text cell.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            CellValue::Text(t) => Some(t),
            _ => None,
        }
    }

    /// How the value reads to a person, for messages and the issues list.
    pub fn display(&self) -> String {
        match self {
            CellValue::Text(t) => t.clone(),
            CellValue::Number(n) => format_number(*n),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CellValue::DateTime(dt) => {
                if dt.time() == chrono::NaiveTime::MIN {
                    dt.date().format("%d.%m.%Y").to_string()
                } else {
                    dt.format("%d.%m.%Y %H:%M").to_string()
                }
            }
            CellValue::DateIso(t) => t.clone(),
            CellValue::Error(e) => e.clone(),
        }
    }
}

/// A number without a spurious ".0" and without exponent for ordinary sizes.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let text = format!("{n}");
        text
    }
}

/// One non-empty cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub at: CellRef,
    pub value: CellValue,
}

/// A merged region, inclusive on both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first: CellRef,
    pub last: CellRef,
}

impl Merge {
    pub fn contains(&self, at: CellRef) -> bool {
        (self.first.row..=self.last.row).contains(&at.row) && (self.first.col..=self.last.col).contains(&at.col)
    }
}

/// A sheet: its name, its non-empty cells sorted by row then column, and its
/// merged regions.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    cells: Vec<Cell>,
    merges: Vec<Merge>,
    /// (row, index of its first cell in `cells`), one entry per non-empty row.
    rows: Vec<(u32, usize)>,
}

impl Sheet {
    /// Builds a sheet from cells in any order; empty text cells are dropped.
    pub fn new(name: impl Into<String>, mut cells: Vec<Cell>, mut merges: Vec<Merge>) -> Sheet {
        cells.retain(|c| !matches!(&c.value, CellValue::Text(t) if t.trim().is_empty()));
        cells.sort_by_key(|c| c.at);
        merges.sort_by_key(|m| (m.first, m.last));
        cells.dedup_by_key(|c| c.at);
        let mut rows = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            if rows.last().is_none_or(|&(r, _)| r != cell.at.row) {
                rows.push((cell.at.row, i));
            }
        }
        Sheet {
            name: name.into(),
            cells,
            merges,
            rows,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Gives the cells back (to keep streaming into them).
    pub fn into_cells(self) -> Vec<Cell> {
        self.cells
    }

    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    pub fn merges(&self) -> &[Merge] {
        &self.merges
    }

    /// The non-empty rows, in order, each with its cells left to right.
    pub fn rows(&self) -> impl Iterator<Item = (u32, &[Cell])> {
        self.rows.iter().enumerate().map(|(i, &(row, start))| {
            let end = self.rows.get(i + 1).map_or(self.cells.len(), |&(_, next)| next);
            (row, &self.cells[start..end])
        })
    }

    /// [`Sheet::rows`], each row with the index of its first cell in
    /// [`Sheet::cells`].
    pub fn indexed_rows(&self) -> impl Iterator<Item = (u32, usize, &[Cell])> {
        self.rows
            .iter()
            .zip(self.rows())
            .map(|(&(_, start), (row, cells))| (row, start, cells))
    }

    /// The cells of one row, left to right (empty when the row is empty).
    pub fn row(&self, row: u32) -> &[Cell] {
        match self.rows.binary_search_by_key(&row, |&(r, _)| r) {
            Ok(i) => {
                let start = self.rows[i].1;
                let end = self.rows.get(i + 1).map_or(self.cells.len(), |&(_, next)| next);
                &self.cells[start..end]
            }
            Err(_) => &[],
        }
    }

    /// The value at a position, if the cell is not empty.
    pub fn get(&self, at: CellRef) -> Option<&CellValue> {
        let row = self.row(at.row);
        row.binary_search_by_key(&at.col, |c| c.at.col)
            .ok()
            .map(|i| &row[i].value)
    }

    /// The merged region whose top-left cell is at a position (where a
    /// merged cell's value is): a binary search, so reading a form costs
    /// no more with ten thousand merged regions than with ten.
    pub fn merge_starting_at(&self, at: CellRef) -> Option<&Merge> {
        let i = self.merges.partition_point(|m| m.first < at);
        self.merges.get(i).filter(|m| m.first == at)
    }

    /// The merged region that contains a position (a scan: for the few
    /// cells of a table header).
    pub fn merge_at(&self, at: CellRef) -> Option<&Merge> {
        self.merges.iter().find(|m| m.contains(at))
    }

    /// The value shown at a position: the cell's own, or the value of the
    /// merged region covering it (its top-left cell).
    pub fn shown(&self, at: CellRef) -> Option<&CellValue> {
        self.get(at)
            .or_else(|| self.merge_at(at).and_then(|m| self.get(m.first)))
    }

    /// The non-empty cells, sorted by row then column.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// Where the cell at a position is in [`Sheet::cells`], if it is not empty.
    pub fn index_of(&self, at: CellRef) -> Option<usize> {
        self.cells.binary_search_by_key(&at, |c| c.at).ok()
    }

    /// The last non-empty row, if any.
    pub fn last_row(&self) -> Option<u32> {
        self.rows.last().map(|&(r, _)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(row: u32, col: u32, t: &str) -> Cell {
        Cell {
            at: CellRef::new(row, col),
            value: CellValue::Text(t.into()),
        }
    }

    #[test]
    fn a1_names_are_read_back() {
        for (row, col) in [(0, 0), (2, 1), (0, 26), (1_048_575, 16_383)] {
            let at = CellRef::new(row, col);
            assert_eq!(CellRef::parse(&at.to_string()), Some(at));
        }
        assert_eq!(CellRef::parse("$b$3"), Some(CellRef::new(2, 1)));
        for bad in ["", "A", "3", "A0", "3A", "A-1", "Ж3", "A1B", "ZZZZZZZZ1"] {
            assert_eq!(CellRef::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn cells_are_named_in_a1_notation() {
        assert_eq!(CellRef::new(0, 0).to_string(), "A1");
        assert_eq!(CellRef::new(9, 25).to_string(), "Z10");
        assert_eq!(CellRef::new(0, 26).to_string(), "AA1");
        assert_eq!(CellRef::new(1_048_575, 16_383).to_string(), "XFD1048576");
    }

    #[test]
    fn a_sheet_is_sparse_and_ordered() {
        let sheet = Sheet::new(
            "Карта",
            vec![
                text(5, 3, "стойност"),
                text(0, 0, "Заглавие"),
                text(5, 1, "Етикет"),
                text(3, 0, "  "),
            ],
            vec![Merge {
                first: CellRef::new(5, 1),
                last: CellRef::new(5, 2),
            }],
        );
        let rows: Vec<u32> = sheet.rows().map(|(r, _)| r).collect();
        assert_eq!(rows, [0, 5]);
        assert_eq!(sheet.row(5).len(), 2);
        assert_eq!(sheet.get(CellRef::new(5, 3)), Some(&CellValue::Text("стойност".into())));
        assert_eq!(sheet.get(CellRef::new(5, 2)), None);
        assert_eq!(sheet.shown(CellRef::new(5, 2)), Some(&CellValue::Text("Етикет".into())));
        assert_eq!(sheet.merge_starting_at(CellRef::new(5, 1)).map(|m| m.last.col), Some(2));
        assert_eq!(sheet.merge_starting_at(CellRef::new(5, 2)), None);
        assert_eq!(sheet.last_row(), Some(5));
    }

    #[test]
    fn numbers_display_without_spurious_decimals() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(-3.0), "-3");
    }
}
