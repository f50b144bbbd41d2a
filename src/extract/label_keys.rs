//! The label keys of a sheet: takes a [`Sheet`] and gives the
//! [`label_key`] of each of its text cells, worked out the first time it is
//! asked for and kept, so that recognising a sheet and then reading it
//! normalise each cell's text once, not once per template and layout tried.

use std::cell::OnceCell;

use crate::normalize::label_key;
use crate::sheet::{CellRef, Sheet};

/// A sheet with a slot for the label key of each of its cells.
pub struct LabelKeys<'s> {
    sheet: &'s Sheet,
    /// One per cell of the sheet, in the sheet's order.
    keys: Vec<OnceCell<String>>,
}

impl<'s> LabelKeys<'s> {
    pub fn new(sheet: &'s Sheet) -> LabelKeys<'s> {
        LabelKeys {
            sheet,
            keys: (0..sheet.cell_count()).map(|_| OnceCell::new()).collect(),
        }
    }

    pub fn sheet(&self) -> &'s Sheet {
        self.sheet
    }

    /// The text and label key of the sheet's `index`-th cell (in the order
    /// of [`Sheet::cells`]); `None` for a cell that holds no text.
    pub fn nth(&self, index: usize) -> Option<(&'s str, &str)> {
        let text = self.sheet.cells().get(index)?.value.as_text()?;
        Some((text, self.keys[index].get_or_init(|| label_key(text))))
    }

    /// The text and label key of the cell at a position; `None` for an
    /// empty or a non-text cell.
    pub fn text_at(&self, at: CellRef) -> Option<(&'s str, &str)> {
        self.nth(self.sheet.index_of(at)?)
    }

    /// The label key of the text cell at a position; `None` for an empty or
    /// a non-text cell.
    pub fn at(&self, at: CellRef) -> Option<&str> {
        self.text_at(at).map(|(_, key)| key)
    }

    /// The label key of the text shown at a position: its own, or that of
    /// the merged region's first cell.
    pub fn shown(&self, at: CellRef) -> Option<&str> {
        match self.sheet.get(at) {
            Some(_) => self.at(at),
            None => self.at(self.sheet.merge_at(at)?.first),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{Cell, CellValue, Merge};

    #[test]
    fn each_text_cell_has_the_label_key_of_its_text() {
        let cell = |row, col, value| Cell {
            at: CellRef::new(row, col),
            value,
        };
        let sheet = Sheet::new(
            "Карта",
            vec![
                cell(0, 0, CellValue::Text("5. Капацитет (брой места):".into())),
                cell(0, 1, CellValue::Number(12.0)),
                cell(1, 0, CellValue::Text("Община*".into())),
            ],
            vec![Merge {
                first: CellRef::new(1, 0),
                last: CellRef::new(1, 2),
            }],
        );
        let keys = LabelKeys::new(&sheet);
        assert_eq!(keys.at(CellRef::new(0, 0)), Some("капацитет брой места"));
        assert_eq!(keys.at(CellRef::new(0, 0)), Some("капацитет брой места"));
        assert_eq!(keys.at(CellRef::new(0, 1)), None);
        assert_eq!(keys.at(CellRef::new(5, 5)), None);
        assert_eq!(keys.at(CellRef::new(1, 2)), None);
        assert_eq!(keys.shown(CellRef::new(1, 2)), Some("община"));
        assert_eq!(keys.nth(2), Some(("Община*", "община")));
        assert_eq!(keys.nth(1), None);
        assert_eq!(keys.nth(3), None);
    }
}
