//! Small building blocks for the workbooks socmon writes: the cell formats
//! users expect (thousands separators, two decimals for money, % for shares,
//! dd.mm.yyyy dates), typed cells, tables with a header, an autofilter and a
//! frozen header row, and totals written as formulas with their cached value.
//!
//! Text is always written as a string cell, so a name that starts with "="
//! can never become a formula.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Worksheet, XlsxError};

use crate::sheet::CellRef;

/// The formats of one workbook.
pub struct Formats {
    pub title: Format,
    pub subtitle: Format,
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub int: Format,
    pub decimal: Format,
    pub money: Format,
    pub percent: Format,
    pub date: Format,
    pub total_text: Format,
    pub total_int: Format,
    pub total_decimal: Format,
    pub total_money: Format,
    pub total_percent: Format,
    pub good: Format,
    pub warn: Format,
    pub bad: Format,
}

impl Formats {
    pub fn new() -> Formats {
        // Top-aligned, so that a row made taller by wrapped text reads from its top.
        let cell = || {
            Format::new()
                .set_border(FormatBorder::Thin)
                .set_border_color("#BFBFBF")
                .set_align(FormatAlign::Top)
        };
        let total = || cell().set_bold().set_background_color("#F2F2F2");
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new().set_italic().set_font_color("#404040"),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#DDEBF7")
                .set_border(FormatBorder::Thin),
            text: cell(),
            wrap: cell().set_text_wrap(),
            int: cell().set_num_format("#,##0"),
            decimal: cell().set_num_format("#,##0.00"),
            money: cell().set_num_format("#,##0.00"),
            percent: cell().set_num_format("0.0%"),
            date: cell().set_num_format("dd.mm.yyyy"),
            total_text: total(),
            total_int: total().set_num_format("#,##0"),
            total_decimal: total().set_num_format("#,##0.00"),
            total_money: total().set_num_format("#,##0.00"),
            total_percent: total().set_num_format("0.0%"),
            good: cell().set_background_color("#E2EFDA"),
            warn: cell().set_background_color("#FFF2CC"),
            bad: cell().set_background_color("#FCE4D6"),
        }
    }
}

impl Default for Formats {
    fn default() -> Self {
        Formats::new()
    }
}

/// How a column's cells look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Wrap,
    Int,
    Decimal,
    Money,
    Percent,
    Date,
}

/// A column of a table: its header, kind and width in characters.
#[derive(Debug, Clone)]
pub struct Col {
    pub header: String,
    pub kind: Kind,
    pub width: f64,
}

pub fn col(header: impl Into<String>, kind: Kind, width: f64) -> Col {
    Col {
        header: header.into(),
        kind,
        width,
    }
}

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Text(String),
    Int(i64),
    Num(f64),
    Date(NaiveDate),
    Empty,
    /// A formula and the value it gives, cached for readers that do not
    /// calculate: a number, or None for a formula that gives "" (as
    /// `IF(…,…,"")` does when there is nothing to compute).
    Formula {
        text: String,
        cached: Option<f64>,
    },
}

impl Out {
    pub fn text(t: impl Into<String>) -> Out {
        Out::Text(t.into())
    }

    pub fn int(v: Option<i64>) -> Out {
        v.map_or(Out::Empty, Out::Int)
    }

    pub fn num(v: Option<f64>) -> Out {
        v.map_or(Out::Empty, Out::Num)
    }

    pub fn date(v: Option<NaiveDate>) -> Out {
        v.map_or(Out::Empty, Out::Date)
    }

    pub fn formula(text: impl Into<String>, cached: Option<f64>) -> Out {
        Out::Formula {
            text: text.into(),
            cached,
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year().clamp(1900, 9999) as u16, d.month() as u8, d.day() as u8)
}

/// A1 name of a range of one column.
pub fn column_range(col: u16, first_row: u32, last_row: u32) -> String {
    format!(
        "{}:{}",
        CellRef::new(first_row, u32::from(col)),
        CellRef::new(last_row, u32::from(col))
    )
}

/// A1 name of one cell.
pub fn cell(row: u32, col: u16) -> String {
    CellRef::new(row, u32::from(col)).to_string()
}

/// Writes one cell with the format of its kind (the totals variant when `total`).
pub fn write_cell(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    column: u16,
    kind: Kind,
    value: &Out,
    total: bool,
) -> Result<(), XlsxError> {
    let format = match (kind, total) {
        (Kind::Text, false) => &f.text,
        (Kind::Wrap, false) => &f.wrap,
        (Kind::Int, false) => &f.int,
        (Kind::Decimal, false) => &f.decimal,
        (Kind::Money, false) => &f.money,
        (Kind::Percent, false) => &f.percent,
        (Kind::Date, false) => &f.date,
        (Kind::Text | Kind::Wrap | Kind::Date, true) => &f.total_text,
        (Kind::Int, true) => &f.total_int,
        (Kind::Decimal, true) => &f.total_decimal,
        (Kind::Money, true) => &f.total_money,
        (Kind::Percent, true) => &f.total_percent,
    };
    write_with(ws, row, column, value, format)
}

/// Writes one cell with a given format.
pub fn write_with(ws: &mut Worksheet, row: u32, column: u16, value: &Out, format: &Format) -> Result<(), XlsxError> {
    match value {
        Out::Text(t) => ws.write_string_with_format(row, column, t, format)?,
        Out::Int(i) => ws.write_number_with_format(row, column, *i as f64, format)?,
        Out::Num(n) => ws.write_number_with_format(row, column, *n, format)?,
        Out::Date(d) => ws.write_datetime_with_format(row, column, excel_date(*d)?, format)?,
        Out::Empty => ws.write_blank(row, column, format)?,
        Out::Formula {
            text,
            cached: Some(value),
        } => ws.write_formula_with_format(
            row,
            column,
            Formula::new(text).set_result(crate::sheet::format_number(*value)),
            format,
        )?,
        Out::Formula { text, cached: None } => {
            // An empty result is cached as the worksheet's default (0):
            // set it to "" for this formula, which gives "" (not 0).
            ws.set_formula_result_default("");
            ws.write_formula_with_format(row, column, Formula::new(text), format)?;
            ws.set_formula_result_default("0")
        }
    };
    Ok(())
}

/// The height of one line of text in points (11 pt, the workbooks' font).
const LINE_HEIGHT: f64 = 15.0;

/// How many lines a text takes in a wrapped cell `width` characters wide,
/// wrapped word by word as a spreadsheet does (a word longer than a line
/// is broken). A character is counted as wide as the "0" that column
/// widths are measured in, less one for the cell's margins; bold text
/// (`bold`) a tenth wider.
pub fn wrapped_lines(text: &str, width: f64, bold: bool) -> usize {
    let room = ((width - 1.0) / if bold { 1.1 } else { 1.0 }).max(1.0) as usize;
    text.split('\n')
        .map(|paragraph| {
            let (mut lines, mut used) = (1, 0);
            for word in paragraph.split_whitespace() {
                let length = word.chars().count();
                if used > 0 && used + 1 + length <= room {
                    used += 1 + length;
                    continue;
                }
                if used > 0 {
                    lines += 1;
                }
                let more = length.saturating_sub(1) / room;
                lines += more;
                used = length - more * room;
            }
            lines
        })
        .sum()
}

/// Sets the height of a row whose wrapped cells need more than one line,
/// so that printed (and opened) rows do not run into each other: a
/// spreadsheet file carries no "fit the row", and readers do not compute
/// it. A row of single lines keeps the default height.
pub fn fit_row(
    ws: &mut Worksheet,
    row: u32,
    cells: impl IntoIterator<Item = (f64, String)>,
    bold: bool,
) -> Result<(), XlsxError> {
    let lines = cells
        .into_iter()
        .map(|(width, text)| wrapped_lines(&text, width, bold))
        .max()
        .unwrap_or(1);
    if lines > 1 {
        ws.set_row_height(row, lines as f64 * LINE_HEIGHT)?;
    }
    Ok(())
}

/// The wrapped texts of a row of `cols`, with their widths, for [`fit_row`].
fn wrapped<'a>(cols: &'a [Col], values: &'a [Out]) -> impl Iterator<Item = (f64, String)> + 'a {
    cols.iter().zip(values).filter_map(|(c, value)| match (c.kind, value) {
        (Kind::Wrap, Out::Text(text)) => Some((c.width, text.clone())),
        _ => None,
    })
}

/// Writes the cells of a row of `cols` from column 0 (the totals formats
/// when `total`) and fits the height of a data row to its wrapped text.
pub fn write_row(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    cols: &[Col],
    values: &[Out],
    total: bool,
) -> Result<(), XlsxError> {
    for (i, (c, value)) in cols.iter().zip(values).enumerate() {
        write_cell(ws, f, row, i as u16, c.kind, value, total)?;
    }
    if total {
        // The totals' text is not wrapped.
        return Ok(());
    }
    fit_row(ws, row, wrapped(cols, values), false)
}

/// Writes a header row (its height fitted to the headers) and sets the
/// column widths.
pub fn write_header(ws: &mut Worksheet, f: &Formats, row: u32, first_col: u16, cols: &[Col]) -> Result<(), XlsxError> {
    for (i, c) in cols.iter().enumerate() {
        let column = first_col + i as u16;
        ws.write_string_with_format(row, column, &c.header, &f.header)?;
        ws.set_column_width(column, c.width)?;
    }
    fit_row(ws, row, cols.iter().map(|c| (c.width, c.header.clone())), true)
}

/// Writes a table: header at `header_row`, then `rows`, then an optional
/// totals row; sets an autofilter over it and freezes the rows above the
/// data. Gives the row after the last one written.
///
/// Rows are written top to bottom as they come, so a long table can be
/// given as an iterator and written to a low-memory worksheet without
/// ever being held whole.
pub fn write_table<R: AsRef<[Out]>>(
    ws: &mut Worksheet,
    f: &Formats,
    header_row: u32,
    cols: &[Col],
    rows: impl IntoIterator<Item = R>,
    totals: Option<&[Out]>,
) -> Result<u32, XlsxError> {
    write_header(ws, f, header_row, 0, cols)?;
    let mut row = header_row + 1;
    for cells in rows {
        write_row(ws, f, row, cols, cells.as_ref(), false)?;
        row += 1;
    }
    let last_data_row = row.saturating_sub(1).max(header_row);
    ws.autofilter(header_row, 0, last_data_row, cols.len().saturating_sub(1) as u16)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    ws.set_repeat_rows(header_row, header_row)?;
    if let Some(totals) = totals {
        write_row(ws, f, row, cols, totals, true)?;
        row += 1;
    }
    Ok(row)
}

/// The widest each column of a sheet is wanted by the tables written on
/// it. Tables that share a sheet's columns each set them to their own
/// widths as they are written; applied at the end, each column is as wide
/// as its widest table wants it, so that no row fitted to its table's
/// width is cut or runs into the next.
#[derive(Debug, Default)]
pub struct ColumnWidths(Vec<f64>);

impl ColumnWidths {
    /// A table of `cols` (from column 0) is on the sheet.
    pub fn want(&mut self, cols: &[Col]) {
        for (i, c) in cols.iter().enumerate() {
            match self.0.get_mut(i) {
                Some(width) => *width = width.max(c.width),
                None => self.0.push(c.width),
            }
        }
    }

    /// Sets every column to its widest.
    pub fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (i, width) in self.0.iter().enumerate() {
            ws.set_column_width(i as u16, *width)?;
        }
        Ok(())
    }
}

/// A4 pages, landscape for wide tables, one page wide.
pub fn print_setup(ws: &mut Worksheet, landscape: bool) {
    ws.set_paper_size(9);
    if landscape {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
}

/// The date a workbook carries as its creation time: from the data, never the clock.
pub fn creation_time(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    excel_date(date)
}

/// Where a finding is and what was written, as five cells: file, sheet,
/// cell, the field's label, the value.
pub fn finding_place(messages: &crate::issue::Messages, issue: &crate::issue::Issue) -> [Out; 5] {
    let field = issue
        .field
        .as_deref()
        .map(|field| messages.field_label(issue.template.as_deref(), field))
        .unwrap_or_default();
    [
        Out::text(issue.location.file.clone()),
        Out::text(issue.location.sheet.clone()),
        Out::text(issue.location.cell.map(|c| c.to_string()).unwrap_or_default()),
        Out::text(field),
        Out::text(issue.value.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_text_takes_the_lines_a_spreadsheet_gives_it() {
        // 11 characters fit a column 12 wide.
        assert_eq!(wrapped_lines("", 12.0, false), 1);
        assert_eq!(wrapped_lines("Лист1", 12.0, false), 1);
        assert_eq!(wrapped_lines("abcde fghij", 12.0, false), 1);
        assert_eq!(wrapped_lines("abcde fghijk", 12.0, false), 2);
        assert_eq!(wrapped_lines("a\nb\n\nc", 12.0, false), 4);
        // A word longer than a line is broken.
        assert_eq!(wrapped_lines(&"x".repeat(23), 12.0, false), 3);
        assert_eq!(wrapped_lines(&format!("ab {}", "x".repeat(12)), 12.0, false), 3);
        // Bold text is wider.
        assert_eq!(wrapped_lines("abcde fghij", 12.0, true), 2);
        assert_eq!(wrapped_lines("какво да се поправи", 0.0, false), 16);
    }

    #[test]
    fn a_row_of_wrapped_text_gets_the_height_of_its_longest_cell() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let ws = workbook.add_worksheet();
        let cols = [col("a", Kind::Wrap, 12.0), col("b", Kind::Wrap, 12.0)];
        let f = Formats::new();
        let long = Out::text("one two three four five six seven");
        write_row(ws, &f, 0, &cols, &[Out::text("short"), long.clone()], false).unwrap();
        write_row(ws, &f, 1, &cols, &[Out::text("short"), Out::text("short")], false).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml).unwrap();
        // Four lines of 15 points; the row of single lines keeps the default.
        assert!(
            xml.contains(r#"<row r="1" spans="1:2" ht="60" customHeight="1">"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<row r="2" spans="1:2">"#), "{xml}");
    }
}
