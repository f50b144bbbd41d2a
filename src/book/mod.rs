//! In-memory workbook model written as .xlsx, .ods or .xls.
//!
//! Takes a [`Book`] (sheets of typed cells, merged regions, column widths,
//! hidden flags and a few document properties) and gives the bytes of a
//! spreadsheet file in one of three formats through [`Book::to_bytes`]:
//!
//! - [`BookFormat::Xlsx`]: Office Open XML, written with `rust_xlsxwriter`;
//! - [`BookFormat::Ods`]: OpenDocument 1.2, written by hand as XML in a zip;
//! - [`BookFormat::Xls`]: Excel 97–2003 BIFF8, written by hand record by record
//!   inside an OLE compound file.
//!
//! The output is deterministic: the same `Book` always gives the same bytes
//! (no clock is read, zip entries carry fixed timestamps, cells are sorted).
//! Dates are written as real dates with the number format `dd.mm.yyyy`, so
//! spreadsheet readers such as calamine report them as dates, not numbers.
//!
//! The model is checked before anything is written; anything a format cannot
//! hold (a duplicate sheet name, a row beyond the .xls limit, overlapping
//! merges, ...) is reported as a [`BookError`] instead of giving a file that
//! Excel or LibreOffice would refuse or silently repair.

mod ods;
mod xls;
mod xlsx;

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

/// A workbook: an ordered list of sheets plus document properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Book {
    pub sheets: Vec<BookSheet>,
    /// Optional document title / custom property pairs; written where the format supports it (xlsx at least: title, and custom properties name->string).
    pub title: Option<String>,
    pub custom_properties: Vec<(String, String)>,
}

/// One worksheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BookSheet {
    pub name: String,
    pub hidden: bool,
    /// Any order; at most one per (row, col).
    pub cells: Vec<BookCell>,
    /// Rectangular merged regions; the top-left cell carries the value.
    pub merges: Vec<Merge>,
    /// Column index -> width in characters (optional hints); a later entry
    /// for the same column wins.
    pub column_widths: Vec<(u16, f64)>,
}

/// One cell value at a zero-based (row, col) position.
#[derive(Debug, Clone, PartialEq)]
pub struct BookCell {
    pub row: u32,
    pub col: u16,
    pub value: BookValue,
}

/// The value of a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum BookValue {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

/// A merged region, zero-based and inclusive on both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u16,
    pub last_row: u32,
    pub last_col: u16,
}

/// The file format [`Book::to_bytes`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookFormat {
    Xlsx,
    Ods,
    Xls,
}

/// Why a [`Book`] could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("every sheet is hidden; at least one must be visible")]
    NoVisibleSheet,
    #[error("sheet name {name:?}: {reason}")]
    SheetName { name: String, reason: &'static str },
    #[error("sheet {sheet:?}, row {row}, column {col} (zero-based): {reason}")]
    Cell {
        sheet: String,
        row: u32,
        col: u16,
        reason: &'static str,
    },
    #[error("sheet {sheet:?}, merged region {merge:?}: {reason}")]
    Merge {
        sheet: String,
        merge: Merge,
        reason: &'static str,
    },
    #[error(
        "sheet {sheet:?}, column {col} (zero-based): width {width} is not between 0 and 255 characters or the column is beyond the format's limit"
    )]
    ColumnWidth { sheet: String, col: u16, width: f64 },
    #[error("document property {name:?}: control character not allowed in XML")]
    Property { name: String },
    #[error("the .xls workbook stream would exceed 4 GiB")]
    XlsTooLarge,
    #[error("writing .xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing the zip package: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the compound file: {0}")]
    Io(#[from] std::io::Error),
}

impl Book {
    /// Writes the whole workbook in `format` and returns the file's bytes.
    pub fn to_bytes(&self, format: BookFormat) -> Result<Vec<u8>, BookError> {
        let limits = Limits::of(format);
        self.validate(&limits)?;
        match format {
            BookFormat::Xlsx => xlsx::write(self),
            BookFormat::Ods => ods::write(self),
            BookFormat::Xls => xls::write(self),
        }
    }

    /// Index of the sheet shown when the file is opened: the first visible one.
    /// Validation guarantees there is one; 0 is only a harmless fallback.
    fn active_sheet(&self) -> usize {
        self.sheets.iter().position(|s| !s.hidden).unwrap_or(0)
    }

    /// Checks everything the target format cannot represent, so the writers
    /// can assume a consistent model.
    fn validate(&self, limits: &Limits) -> Result<(), BookError> {
        if self.sheets.is_empty() {
            return Err(BookError::NoSheets);
        }
        if self.sheets.iter().all(|s| s.hidden) {
            return Err(BookError::NoVisibleSheet);
        }
        // Both .xlsx and .ods keep the properties in XML.
        let title = self.title.iter().map(|t| ("title", t.as_str()));
        let custom = self.custom_properties.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        for (name, value) in title.chain(custom) {
            if name.chars().chain(value.chars()).any(is_xml_forbidden) {
                return Err(BookError::Property { name: name.to_owned() });
            }
        }
        // Excel compares sheet names case-insensitively.
        let mut names = HashSet::new();
        for sheet in &self.sheets {
            check_sheet_name(&sheet.name)?;
            if !names.insert(sheet.name.to_lowercase()) {
                return Err(BookError::SheetName {
                    name: sheet.name.clone(),
                    reason: "used by two sheets (names are compared ignoring case)",
                });
            }
            sheet.validate(limits)?;
        }
        Ok(())
    }
}

impl BookSheet {
    /// The cells sorted by (row, col), the order every format stores them in.
    fn sorted_cells(&self) -> Vec<&BookCell> {
        let mut cells: Vec<&BookCell> = self.cells.iter().collect();
        cells.sort_by_key(|c| (c.row, c.col));
        cells
    }

    /// Column widths keyed by column, the last hint for a column winning.
    fn widths(&self) -> BTreeMap<u16, f64> {
        self.column_widths.iter().copied().collect()
    }

    fn validate(&self, limits: &Limits) -> Result<(), BookError> {
        let cell_error = |row, col, reason| BookError::Cell {
            sheet: self.name.clone(),
            row,
            col,
            reason,
        };
        let merge_error = |merge, reason| BookError::Merge {
            sheet: self.name.clone(),
            merge,
            reason,
        };

        for (i, m) in self.merges.iter().enumerate() {
            if m.first_row > m.last_row || m.first_col > m.last_col {
                return Err(merge_error(*m, "first row/column after the last one"));
            }
            if m.first_row == m.last_row && m.first_col == m.last_col {
                return Err(merge_error(*m, "a single cell cannot be merged"));
            }
            if !limits.fits(m.last_row, m.last_col) {
                return Err(merge_error(*m, limits.range_reason));
            }
            if self.merges[..i].iter().any(|other| other.overlaps(m)) {
                return Err(merge_error(*m, "overlaps another merged region"));
            }
        }

        let cells = self.sorted_cells();
        for pair in cells.windows(2) {
            if (pair[0].row, pair[0].col) == (pair[1].row, pair[1].col) {
                return Err(cell_error(pair[0].row, pair[0].col, "two values for one cell"));
            }
        }
        for cell in cells {
            let (row, col) = (cell.row, cell.col);
            if !limits.fits(row, col) {
                return Err(cell_error(row, col, limits.range_reason));
            }
            if self.merges.iter().any(|m| m.covers(row, col)) {
                return Err(cell_error(
                    row,
                    col,
                    "inside a merged region but not its top-left cell, so it would be hidden",
                ));
            }
            match &cell.value {
                BookValue::Text(text) => {
                    if limits
                        .max_text_units
                        .is_some_and(|max| text.encode_utf16().count() > max)
                    {
                        return Err(cell_error(row, col, "text longer than 32767 UTF-16 units"));
                    }
                    if limits.xml_text && text.chars().any(is_xml_forbidden) {
                        return Err(cell_error(row, col, "control character not allowed in XML"));
                    }
                }
                BookValue::Number(n) if !n.is_finite() => {
                    return Err(cell_error(row, col, "number is NaN or infinite"));
                }
                BookValue::Date(date) if !(limits.first_date..=LAST_DATE).contains(date) => {
                    return Err(cell_error(row, col, limits.date_reason));
                }
                _ => {}
            }
        }

        for (col, width) in self.widths() {
            if !(0.0..=MAX_COLUMN_WIDTH).contains(&width) || !limits.fits(0, col) {
                return Err(BookError::ColumnWidth {
                    sheet: self.name.clone(),
                    col,
                    width,
                });
            }
        }
        Ok(())
    }
}

impl Merge {
    fn overlaps(&self, other: &Merge) -> bool {
        self.first_row <= other.last_row
            && other.first_row <= self.last_row
            && self.first_col <= other.last_col
            && other.first_col <= self.last_col
    }

    /// True for the cells of the region other than its top-left one.
    fn covers(&self, row: u32, col: u16) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
            && (row, col) != (self.first_row, self.first_col)
    }
}

/// Widest column Excel accepts, in characters.
const MAX_COLUMN_WIDTH: f64 = 255.0;

/// Excel's calendar ends here; ODF dates are kept to four-digit years too.
const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid constant date");

/// The first date of Excel's 1900 date system (serial 1).
const EXCEL_FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid constant date");

/// Day 0 of Excel serials for dates from 1900-03-01 on.
const EXCEL_EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid constant date");

/// The day after Excel's fictitious 1900-02-29.
const EXCEL_LEAP_BUG_END: NaiveDate = NaiveDate::from_ymd_opt(1900, 3, 1).expect("valid constant date");

/// The first date ODF gets with a four-digit year.
const ODS_FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("valid constant date");

/// What one format can hold.
struct Limits {
    max_rows: u32,
    max_cols: u32,
    range_reason: &'static str,
    /// Longest text in UTF-16 units, where the format has a limit.
    max_text_units: Option<usize>,
    /// Text goes into XML 1.0, which cannot carry most control characters.
    xml_text: bool,
    first_date: NaiveDate,
    date_reason: &'static str,
}

impl Limits {
    fn of(format: BookFormat) -> Limits {
        const EXCEL_DATES: &str = "date outside 1900-01-01..=9999-12-31, the dates Excel can store";
        match format {
            BookFormat::Xlsx => Limits {
                max_rows: 1_048_576,
                max_cols: 16_384,
                range_reason: "beyond the 1048576 rows x 16384 columns of .xlsx",
                max_text_units: Some(32_767),
                // rust_xlsxwriter escapes control characters as _xHHHH_.
                xml_text: false,
                first_date: EXCEL_FIRST_DATE,
                date_reason: EXCEL_DATES,
            },
            BookFormat::Ods => Limits {
                max_rows: 1_048_576,
                max_cols: 16_384,
                range_reason: "beyond the 1048576 rows x 16384 columns of LibreOffice",
                max_text_units: None,
                xml_text: true,
                first_date: ODS_FIRST_DATE,
                date_reason: "date outside the four-digit years 0001..=9999",
            },
            BookFormat::Xls => Limits {
                max_rows: 65_536,
                max_cols: 256,
                range_reason: "beyond the 65536 rows x 256 columns of .xls",
                max_text_units: Some(32_767),
                xml_text: false,
                first_date: EXCEL_FIRST_DATE,
                date_reason: EXCEL_DATES,
            },
        }
    }

    fn fits(&self, row: u32, col: u16) -> bool {
        row < self.max_rows && u32::from(col) < self.max_cols
    }
}

/// Characters XML 1.0 cannot carry even as character references.
fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Sheet-name rules shared by Excel and LibreOffice.
fn check_sheet_name(name: &str) -> Result<(), BookError> {
    let reason = if name.is_empty() {
        Some("empty")
    } else if name.encode_utf16().count() > 31 {
        Some("longer than 31 characters")
    } else if name.chars().any(|c| "[]:*?/\\".contains(c) || c.is_control()) {
        Some("contains one of []:*?/\\ or a control character")
    } else if name.starts_with('\'') || name.ends_with('\'') {
        Some("starts or ends with an apostrophe")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(BookError::SheetName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The Excel serial number of a date in the 1900 date system: days since
/// 1899-12-30, one less before March 1900 because Excel counts the
/// non-existent 1900-02-29 (serial 60). Validation keeps dates within
/// 1900-01-01..=9999-12-31.
fn excel_serial(date: NaiveDate) -> f64 {
    let days = (date - EXCEL_EPOCH).num_days();
    let days = if date < EXCEL_LEAP_BUG_END { days - 1 } else { days };
    // At most about 2.9 million days, exactly representable.
    days as f64
}

/// The number format every date is shown with.
const DATE_FORMAT: &str = "dd.mm.yyyy";

#[cfg(test)]
pub(crate) mod tests {
    //! The shared sample workbook and the checks every format's round trip
    //! through calamine runs.

    use super::*;
    use calamine::{Data, DataType, Range, Reader, SheetVisible, Sheets};
    use std::io::Cursor;

    pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn cell(row: u32, col: u16, value: BookValue) -> BookCell {
        BookCell { row, col, value }
    }

    fn text(s: &str) -> BookValue {
        BookValue::Text(s.to_owned())
    }

    /// Two visible sheets and a hidden one, with every kind of value, a
    /// horizontal merge (B3:D3) and a vertical one (A4:A5), cells out of order.
    pub(crate) fn sample_book() -> Book {
        let report = BookSheet {
            name: "Справка 2016".to_owned(),
            hidden: false,
            cells: vec![
                cell(3, 1, BookValue::Number(12.5)),
                cell(0, 0, text("Община „Своге“ – справка за социалните услуги")),
                cell(2, 1, text("Капацитет – брой места")),
                cell(3, 0, text("Дейност")),
                cell(3, 2, BookValue::Number(-3.75)),
                cell(3, 3, BookValue::Number(1_234_567.89)),
                cell(4, 1, BookValue::Date(date(2016, 3, 1))),
                cell(4, 2, BookValue::Bool(true)),
                cell(4, 3, BookValue::Number(0.1 + 0.2)),
                cell(5, 0, text("ред 1\nред 2")),
                cell(5, 1, text("  два  интервала &<>\"' \tтаб")),
                cell(5, 4, BookValue::Bool(false)),
                cell(1, 0, BookValue::Number(-0.000_123_456_789)),
            ],
            merges: vec![
                Merge {
                    first_row: 2,
                    first_col: 1,
                    last_row: 2,
                    last_col: 3,
                },
                Merge {
                    first_row: 3,
                    first_col: 0,
                    last_row: 4,
                    last_col: 0,
                },
            ],
            column_widths: vec![(0, 40.0), (1, 12.5), (3, 15.0)],
        };
        let data = BookSheet {
            name: "Данни".to_owned(),
            hidden: false,
            cells: vec![
                cell(0, 0, text("Дата")),
                cell(0, 1, text("Сума, лв.")),
                cell(1, 0, BookValue::Date(date(1999, 12, 31))),
                cell(1, 1, BookValue::Number(42.0)),
                cell(2, 0, BookValue::Date(date(2024, 2, 29))),
                cell(2, 1, BookValue::Number(-987_654_321.012_5)),
                cell(3, 0, BookValue::Date(date(1900, 1, 15))),
                cell(3, 1, BookValue::Number(1e15 + 0.5)),
                cell(40, 7, text("далечна клетка")),
            ],
            merges: Vec::new(),
            column_widths: Vec::new(),
        };
        let hidden = BookSheet {
            name: "Скрит лист".to_owned(),
            hidden: true,
            cells: vec![cell(0, 0, text("скрито")), cell(1, 1, BookValue::Number(7.0))],
            merges: Vec::new(),
            column_widths: Vec::new(),
        };
        Book {
            sheets: vec![report, hidden, data],
            title: Some("Мониторинг „Социални услуги“ 2016".to_owned()),
            custom_properties: vec![("Област".to_owned(), "София – област".to_owned())],
        }
    }

    /// Opens the bytes with calamine's format-detecting reader.
    pub(crate) fn open(bytes: Vec<u8>) -> Sheets<Cursor<Vec<u8>>> {
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).expect("calamine opens the file")
    }

    /// Asserts that calamine sees exactly the book's sheets, in order, with
    /// their hidden state and every value at its position with its type.
    /// `iso_dates` is true where dates come back as ISO strings (ods).
    pub(crate) fn assert_same_content(sheets: &mut Sheets<Cursor<Vec<u8>>>, book: &Book, iso_dates: bool) {
        let metadata = sheets.sheets_metadata().to_vec();
        let names: Vec<&str> = metadata.iter().map(|s| s.name.as_str()).collect();
        let expected: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, expected);
        for (meta, sheet) in metadata.iter().zip(&book.sheets) {
            let visible = if sheet.hidden {
                SheetVisible::Hidden
            } else {
                SheetVisible::Visible
            };
            assert_eq!(meta.visible, visible, "visibility of {}", sheet.name);
            let range = sheets.worksheet_range(&sheet.name).expect("sheet is readable");
            assert_sheet_values(&range, sheet, iso_dates);
        }
    }

    fn assert_sheet_values(range: &Range<Data>, sheet: &BookSheet, iso_dates: bool) {
        for c in &sheet.cells {
            let got = range
                .get_value((c.row, u32::from(c.col)))
                .unwrap_or_else(|| panic!("{}: no cell at {:?}", sheet.name, (c.row, c.col)));
            let at = format!("{} at {:?}", sheet.name, (c.row, c.col));
            match &c.value {
                BookValue::Text(s) => assert_eq!(got, &Data::String(s.clone()), "{at}"),
                BookValue::Number(n) => match got {
                    Data::Float(f) => assert_eq!(f.to_bits(), n.to_bits(), "{at}: {f} != {n}"),
                    other => panic!("{at}: expected number {n}, got {other:?}"),
                },
                BookValue::Date(d) => {
                    if iso_dates {
                        assert!(matches!(got, Data::DateTimeIso(_)), "{at}: {got:?}");
                    } else {
                        assert!(matches!(got, Data::DateTime(_)), "{at}: {got:?}");
                    }
                    assert_eq!(got.as_date(), Some(*d), "{at}");
                }
                BookValue::Bool(b) => assert_eq!(got, &Data::Bool(*b), "{at}"),
            }
        }
        // Nothing else is there: every non-empty cell calamine reports is one of ours.
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        for (r, c, value) in range.used_cells() {
            let pos = (start_row + r as u32, start_col + c as u32);
            assert!(
                sheet.cells.iter().any(|cell| (cell.row, u32::from(cell.col)) == pos),
                "{}: unexpected {value:?} at {pos:?}",
                sheet.name
            );
        }
    }

    /// The merges calamine reports, as (first row, first col, last row, last col).
    pub(crate) fn merge_tuples(dims: &[calamine::Dimensions]) -> Vec<(u32, u32, u32, u32)> {
        let mut v: Vec<_> = dims.iter().map(|d| (d.start.0, d.start.1, d.end.0, d.end.1)).collect();
        v.sort_unstable();
        v
    }

    pub(crate) fn book_merges(sheet: &BookSheet) -> Vec<(u32, u32, u32, u32)> {
        let mut v: Vec<_> = sheet
            .merges
            .iter()
            .map(|m| (m.first_row, u32::from(m.first_col), m.last_row, u32::from(m.last_col)))
            .collect();
        v.sort_unstable();
        v
    }

    const ALL: [BookFormat; 3] = [BookFormat::Xlsx, BookFormat::Ods, BookFormat::Xls];

    #[test]
    fn same_book_gives_identical_bytes() {
        let book = sample_book();
        for format in ALL {
            let first = book.to_bytes(format).expect("writes");
            let second = book.clone().to_bytes(format).expect("writes");
            assert!(first == second, "{format:?} output differs between runs");
        }
    }

    #[test]
    fn a_hidden_first_sheet_is_not_the_active_one() {
        let mut book = sample_book();
        book.sheets.swap(0, 1);
        for format in ALL {
            let bytes = book.to_bytes(format).expect("writes");
            assert_same_content(&mut open(bytes), &book, format == BookFormat::Ods);
        }
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        assert_eq!(excel_serial(date(1900, 1, 1)), 1.0);
        assert_eq!(excel_serial(date(1900, 2, 28)), 59.0);
        assert_eq!(excel_serial(date(1900, 3, 1)), 61.0);
        assert_eq!(excel_serial(date(2016, 3, 1)), 42430.0);
        assert_eq!(excel_serial(date(9999, 12, 31)), 2_958_465.0);
    }

    fn one_sheet(sheet: BookSheet) -> Book {
        Book {
            sheets: vec![sheet],
            ..Book::default()
        }
    }

    fn sheet_named(name: &str) -> BookSheet {
        BookSheet {
            name: name.to_owned(),
            ..BookSheet::default()
        }
    }

    #[test]
    fn invalid_books_are_rejected_in_every_format() {
        let long_name = one_sheet(sheet_named("Справка за социалните услуги 2016"));
        let mut duplicate = one_sheet(sheet_named("Лист"));
        duplicate.sheets.push(sheet_named("ЛИСТ"));
        let mut all_hidden = one_sheet(sheet_named("Лист"));
        all_hidden.sheets[0].hidden = true;
        let mut two_values = one_sheet(sheet_named("Лист"));
        two_values.sheets[0].cells = vec![cell(1, 1, BookValue::Bool(true)), cell(1, 1, text("x"))];
        let mut overlapping = one_sheet(sheet_named("Лист"));
        overlapping.sheets[0].merges = vec![
            Merge {
                first_row: 0,
                first_col: 0,
                last_row: 1,
                last_col: 1,
            },
            Merge {
                first_row: 1,
                first_col: 1,
                last_row: 2,
                last_col: 2,
            },
        ];
        let mut covered = one_sheet(sheet_named("Лист"));
        covered.sheets[0].merges = vec![Merge {
            first_row: 0,
            first_col: 0,
            last_row: 0,
            last_col: 2,
        }];
        covered.sheets[0].cells = vec![cell(0, 1, text("скрита"))];
        let mut nan = one_sheet(sheet_named("Лист"));
        nan.sheets[0].cells = vec![cell(0, 0, BookValue::Number(f64::NAN))];
        let mut bad_title = one_sheet(sheet_named("Лист"));
        bad_title.title = Some("звънец \u{7}".to_owned());
        let mut old_date = one_sheet(sheet_named("Лист"));
        old_date.sheets[0].cells = vec![cell(0, 0, BookValue::Date(date(1899, 12, 31)))];

        for format in ALL {
            assert!(matches!(Book::default().to_bytes(format), Err(BookError::NoSheets)));
            assert!(matches!(long_name.to_bytes(format), Err(BookError::SheetName { .. })));
            assert!(matches!(duplicate.to_bytes(format), Err(BookError::SheetName { .. })));
            assert!(matches!(all_hidden.to_bytes(format), Err(BookError::NoVisibleSheet)));
            assert!(matches!(two_values.to_bytes(format), Err(BookError::Cell { .. })));
            assert!(matches!(overlapping.to_bytes(format), Err(BookError::Merge { .. })));
            assert!(matches!(covered.to_bytes(format), Err(BookError::Cell { .. })));
            assert!(matches!(nan.to_bytes(format), Err(BookError::Cell { .. })));
            assert!(matches!(bad_title.to_bytes(format), Err(BookError::Property { .. })));
        }
        assert!(matches!(
            old_date.to_bytes(BookFormat::Xlsx),
            Err(BookError::Cell { .. })
        ));
        assert!(matches!(
            old_date.to_bytes(BookFormat::Xls),
            Err(BookError::Cell { .. })
        ));
        assert!(old_date.to_bytes(BookFormat::Ods).is_ok());
    }
}
