//! Cheap checks before a reader spends memory: takes a file's bytes and the
//! [`Limits`] and says whether calamine may open it.
//!
//! - zip-based files (.xlsx, .ods): the sum of the declared sizes of their
//!   parts; the zip crate refuses to inflate a part beyond its declared size,
//!   so this bounds what a zip bomb can cost.
//! - .xls: calamine parses every sheet into a dense grid when the workbook
//!   opens, so the BIFF records are walked first and each sheet's extent
//!   (the box around its filled cells) is checked.
//! - .ods: likewise for `content.xml`, where repeated rows and columns can
//!   make a small file describe a huge grid; the same pass collects the
//!   merged regions, which calamine does not give for .ods.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::Limits;
use crate::issue::FileProblem;
use crate::sheet::{CellRef, Merge};

fn damaged(e: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged { detail: e.to_string() }
}

/// Refuses a zip whose parts would inflate beyond the limit.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), FileProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(format!("zip: {e}")))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|e| damaged(format!("zip: {e}")))?;
        total = total.saturating_add(part.size());
    }
    if total > limits.max_inflated_bytes {
        return Err(FileProblem::InflatesTooMuch {
            bytes: total,
            limit: limits.max_inflated_bytes,
        });
    }
    Ok(())
}

/// The box around the filled cells of one sheet, and how many there are.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    cells: u64,
    first_row: u64,
    last_row: u64,
    first_col: u64,
    last_col: u64,
}

impl Extent {
    /// Adds a block of `rows` × `cols` filled cells starting at (row, col).
    fn add(&mut self, row: u64, col: u64, rows: u64, cols: u64) {
        let (last_row, last_col) = (row + rows.max(1) - 1, col + cols.max(1) - 1);
        if self.cells == 0 {
            (self.first_row, self.last_row, self.first_col, self.last_col) = (row, last_row, col, last_col);
        } else {
            self.first_row = self.first_row.min(row);
            self.last_row = self.last_row.max(last_row);
            self.first_col = self.first_col.min(col);
            self.last_col = self.last_col.max(last_col);
        }
        self.cells = self.cells.saturating_add(rows.max(1).saturating_mul(cols.max(1)));
    }

    fn area(&self) -> u64 {
        if self.cells == 0 {
            return 0;
        }
        (self.last_row - self.first_row + 1).saturating_mul(self.last_col - self.first_col + 1)
    }

    fn check(&self, sheet: &str, limits: &Limits) -> Result<(), FileProblem> {
        if self.cells > limits.max_cells_per_sheet || self.area() > limits.max_cells_per_sheet {
            return Err(FileProblem::TooManyCells {
                sheet: sheet.to_string(),
                limit: limits.max_cells_per_sheet,
            });
        }
        Ok(())
    }
}

// ---- .xls -------------------------------------------------------------------

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const FILEPASS: u16 = 0x002F;
const MULRK: u16 = 0x00BD;
/// Records whose data starts with the row and column of one filled cell.
const CELL_RECORDS: &[u16] = &[0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6];

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

/// Walks the BIFF records of an .xls workbook stream and checks each
/// worksheet's extent against the limits.
pub fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), FileProblem> {
    let mut container = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| damaged(format!("OLE: {e}")))?;
    let stream_name = if container.exists("/Workbook") {
        "/Workbook"
    } else {
        "/Book"
    };
    let mut stream = Vec::new();
    container
        .open_stream(stream_name)
        .map_err(damaged)?
        .take(limits.max_inflated_bytes + 1)
        .read_to_end(&mut stream)
        .map_err(damaged)?;
    if stream.len() as u64 > limits.max_inflated_bytes {
        return Err(FileProblem::InflatesTooMuch {
            bytes: stream.len() as u64,
            limit: limits.max_inflated_bytes,
        });
    }
    let mut sheet_names: Vec<String> = Vec::new();
    let mut substream = 0usize;
    let mut in_sheet = false;
    let mut extent = Extent::default();
    let mut at = 0usize;
    let sheet_name = |names: &[String], n: usize| {
        names
            .get(n.saturating_sub(1))
            .cloned()
            .unwrap_or_else(|| format!("#{n}"))
    };
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let data = stream
            .get(at + 4..at + 4 + len)
            .ok_or_else(|| damaged("a BIFF record runs past the end of the stream"))?;
        at += 4 + len;
        match kind {
            FILEPASS if !in_sheet => return Err(FileProblem::Encrypted),
            BOUNDSHEET => sheet_names.push(boundsheet_name(data)),
            BOF => {
                in_sheet = substream > 0;
                substream += 1;
                extent = Extent::default();
            }
            EOF => {
                if in_sheet {
                    extent.check(&sheet_name(&sheet_names, substream - 1), limits)?;
                }
                in_sheet = false;
            }
            MULRK if in_sheet => {
                if let (Some(row), Some(first), Some(last)) =
                    (u16_at(data, 0), u16_at(data, 2), u16_at(data, len.saturating_sub(2)))
                {
                    extent.add(
                        u64::from(row),
                        u64::from(first),
                        1,
                        u64::from(last.saturating_sub(first)) + 1,
                    );
                }
            }
            k if in_sheet && CELL_RECORDS.contains(&k) => {
                if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
                    extent.add(u64::from(row), u64::from(col), 1, 1);
                }
            }
            _ => {}
        }
        if in_sheet && extent.cells > limits.max_cells_per_sheet {
            extent.check(&sheet_name(&sheet_names, substream - 1), limits)?;
        }
    }
    Ok(())
}

/// The sheet name of a BOUNDSHEET record (BIFF8 short unicode string).
fn boundsheet_name(data: &[u8]) -> String {
    let Some(&len) = data.get(6) else { return String::new() };
    let Some(&flags) = data.get(7) else {
        return String::new();
    };
    let text = &data[8.min(data.len())..];
    if flags & 1 == 1 {
        let units: Vec<u16> = text
            .chunks_exact(2)
            .take(len as usize)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        text.iter().take(len as usize).map(|&b| b as char).collect()
    }
}

// ---- .ods -------------------------------------------------------------------

fn attr_u64(element: &BytesStart<'_>, name: &str) -> u64 {
    element
        .try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.parse::<u64>().ok())
        .unwrap_or(1)
}

fn attr_string(element: &BytesStart<'_>, name: &str) -> Option<String> {
    let attr = element.try_get_attribute(name).ok().flatten()?;
    quick_xml::escape::unescape(&attr.value).ok().map(|v| v.into_owned())
}

/// Walks `content.xml` of an .ods, checks each table's extent and gives the
/// merged regions of each table by name.
pub fn check_ods(bytes: &[u8], limits: &Limits) -> Result<HashMap<String, Vec<Merge>>, FileProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(format!("zip: {e}")))?;
    let content = archive
        .by_name("content.xml")
        .map_err(|_| damaged("content.xml is missing"))?;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut merges: HashMap<String, Vec<Merge>> = HashMap::new();
    let mut buf = Vec::new();
    let mut table = String::new();
    let mut extent = Extent::default();
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut row_repeat: u64 = 1;
    // The filled cells of the current row, as (first column, columns) blocks.
    let mut row_blocks: Vec<(u64, u64)> = Vec::new();
    // A cell start tag whose content decides whether it is filled.
    let mut open_cell: Option<(u64, u64, bool)> = None;
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| damaged(format!("content.xml: {e}")))?;
        let is_empty_tag = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    table = attr_string(&e, "table:name").unwrap_or_default();
                    extent = Extent::default();
                    row = 0;
                }
                "table:table-row" => {
                    row_repeat = attr_u64(&e, "table:number-rows-repeated");
                    col = 0;
                    row_blocks.clear();
                    if is_empty_tag {
                        row = row.saturating_add(row_repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let repeat = attr_u64(&e, "table:number-columns-repeated");
                    let spans_cols = attr_u64(&e, "table:number-columns-spanned");
                    let spans_rows = attr_u64(&e, "table:number-rows-spanned");
                    if spans_cols > 1 || spans_rows > 1 {
                        let first = CellRef::new(clamp(row), clamp(col));
                        let last = CellRef::new(clamp(row + spans_rows - 1), clamp(col + spans_cols - 1));
                        merges.entry(table.clone()).or_default().push(Merge { first, last });
                    }
                    let typed = e.try_get_attribute("office:value-type").ok().flatten().is_some();
                    if is_empty_tag {
                        if typed {
                            row_blocks.push((col, repeat));
                        }
                        col = col.saturating_add(repeat);
                    } else {
                        open_cell = Some((col, repeat, typed));
                    }
                }
                "text:p" | "text:span" | "text:s" => {
                    if let Some((_, _, filled)) = open_cell.as_mut() {
                        *filled = true;
                    }
                }
                _ => {}
            },
            Event::Text(text) if !text.trim().is_empty() => {
                if let Some((_, _, filled)) = open_cell.as_mut() {
                    *filled = true;
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some((first, repeat, filled)) = open_cell.take() {
                        if filled {
                            row_blocks.push((first, repeat));
                        }
                        col = first.saturating_add(repeat);
                    }
                }
                "table:table-row" => {
                    for &(first, cols) in &row_blocks {
                        extent.add(row, first, row_repeat, cols);
                    }
                    extent.check(&table, limits)?;
                    row = row.saturating_add(row_repeat);
                }
                "table:table" => extent.check(&table, limits)?,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(merges)
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
