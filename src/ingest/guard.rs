//! Cheap checks before a reader spends memory: takes a file's bytes and the
//! [`Limits`] and says whether calamine may open it, and what opening it may
//! cost at most (the estimate a file reserves from the run's memory budget).
//!
//! - zip-based files (.xlsx, .ods): the sum of the declared sizes of their
//!   parts; the zip crate refuses to inflate a part beyond its declared size,
//!   so this bounds what a zip bomb can cost, whatever its parts claim.
//! - .xls: calamine parses every sheet into a dense grid when the workbook
//!   opens, so the BIFF records are walked first the way calamine walks them
//!   (sheet by sheet from the positions the workbook lists, embedded charts
//!   skipped) and each sheet's extent, cell count and text are checked. The
//!   walk also gives calamine a cleaned copy of the workbook stream in a new
//!   container: a DIMENSIONS record (which calamine trusts to reserve memory)
//!   is zeroed, so a forged one cannot make it allocate terabytes.
//! - .ods: likewise for `content.xml`, where repeated rows, repeated columns
//!   and repeated spaces (`text:s`) can make a small file describe a huge
//!   grid or string; the same pass collects the merged regions, which
//!   calamine does not give for .ods.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesStart, Event};

use super::Limits;
use crate::issue::FileProblem;
use crate::sheet::{CellRef, Merge};

fn damaged(e: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged { detail: e.to_string() }
}

/// Sizes of calamine's and socmon's cell types, for the estimates.
const DATA: u64 = std::mem::size_of::<calamine::Data>() as u64;
const CALAMINE_CELL: u64 = std::mem::size_of::<calamine::Cell<calamine::Data>>() as u64;
const STRING: u64 = std::mem::size_of::<String>() as u64;
const SHEET_CELL: u64 = std::mem::size_of::<crate::sheet::Cell>() as u64;
/// A vector that grows by doubling may hold twice what it needs.
const GROWTH: u64 = 2;

/// The declared inflated sizes of a zip's parts.
#[derive(Debug, Default, Clone)]
pub struct ZipParts {
    /// Sum of every part's declared size.
    pub total: u64,
    parts: Vec<(String, u64)>,
}

impl ZipParts {
    /// Declared size of one part (0 when absent).
    pub fn size(&self, name: &str) -> u64 {
        self.parts.iter().filter(|(n, _)| n == name).map(|(_, s)| *s).sum()
    }

    /// Sum of the declared sizes of the parts whose name passes `keep`.
    pub fn sum(&self, keep: impl Fn(&str) -> bool) -> u64 {
        self.parts.iter().filter(|(n, _)| keep(n)).map(|(_, s)| *s).sum()
    }
}

/// A zip opened from a file's bytes (its directory read once, for every
/// reader of ours that looks inside).
pub type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Refuses a zip (as the sniffer opened it) whose parts would inflate
/// beyond the limit; gives the declared sizes of its parts and the zip.
///
/// Errors: [`FileProblem::Damaged`] for a part whose entry cannot be read,
/// [`FileProblem::InflatesTooMuch`] over the limit.
pub fn check_zip<'a>(mut archive: Zip<'a>, limits: &Limits) -> Result<(ZipParts, Zip<'a>), FileProblem> {
    let mut sizes = ZipParts::default();
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|e| damaged(format!("zip: {e}")))?;
        sizes.total = sizes.total.saturating_add(part.size());
        sizes
            .parts
            .push((part.name().map(|n| n.into_owned()).unwrap_or_default(), part.size()));
    }
    if sizes.total > limits.max_inflated_bytes {
        return Err(FileProblem::InflatesTooMuch {
            bytes: sizes.total,
            limit: limits.max_inflated_bytes,
        });
    }
    Ok((sizes, archive))
}

/// What reading an .xlsx (or .xlsb) may cost at most, from its parts'
/// declared sizes: calamine keeps the shared strings and styles; socmon
/// keeps the filled cells of the sheets it reads (at least 15 bytes of XML,
/// or 8 bytes of an .xlsb record, each) and the text they hold (at most
/// [`Limits::text_allowance`]).
pub fn xlsx_estimate(file_bytes: u64, parts: &ZipParts, limits: &Limits) -> u64 {
    let shared = parts.size("xl/sharedStrings.xml") + parts.size("xl/sharedStrings.bin");
    let is_sheet = |n: &str, ext: &str| n.starts_with("xl/worksheets/") && n.ends_with(ext);
    let xml_sheets = parts.sum(|n| is_sheet(n, ".xml"));
    let bin_sheets = parts.sum(|n| is_sheet(n, ".bin"));
    let sheets = xml_sheets + bin_sheets;
    let other = parts.total.saturating_sub(shared).saturating_sub(sheets);
    // A 5-byte `<si/>` becomes an empty String; 15 bytes of `<c><v>1</v></c>`
    // become one cell; `<mergeCell ref="A1:B2"/>` one merged region.
    let cells =
        (xml_sheets / 15 + bin_sheets / 8).min(limits.max_cells_per_sheet.saturating_mul(limits.max_sheets as u64));
    file_bytes
        .saturating_add(shared.saturating_mul(STRING / 5 + 1))
        .saturating_add(other.saturating_mul(2))
        .saturating_add(cells.saturating_mul(SHEET_CELL * GROWTH))
        .saturating_add(sheets)
        .saturating_add(limits.text_allowance(parts.total))
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
        let last_row = row.saturating_add(rows.max(1) - 1);
        let last_col = col.saturating_add(cols.max(1) - 1);
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
        (self.last_row - self.first_row)
            .saturating_add(1)
            .saturating_mul((self.last_col - self.first_col).saturating_add(1))
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

/// Merged regions one sheet may have. Finding the region of a cell looks at
/// every region, once per cell looked up; a real return has tens of them, a
/// long table a few thousand.
pub const MAX_MERGES: usize = 10_000;

/// Refuses a sheet with more merged regions than [`MAX_MERGES`].
pub fn check_merge_count(sheet: &str, merges: usize) -> Result<(), FileProblem> {
    if merges > MAX_MERGES {
        return Err(damaged(format!(
            "листът „{sheet}“ има над {MAX_MERGES} обединени области, а се четат най-много толкова"
        )));
    }
    Ok(())
}

fn check_text(text: u64, inflated: u64, limits: &Limits) -> Result<(), FileProblem> {
    let allowance = limits.text_allowance(inflated);
    if text > allowance {
        return Err(FileProblem::TextTooLong {
            bytes: text,
            limit: allowance,
        });
    }
    Ok(())
}

// ---- .xls -------------------------------------------------------------------

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const FILEPASS: u16 = 0x002F;
const SST: u16 = 0x00FC;
const CODEPAGE: u16 = 0x0042;
const DATEMODE: u16 = 0x0022;
/// Lbl: a defined name.
const NAME: u16 = 0x0018;
const CONTINUE: u16 = 0x003C;
const DIMENSIONS: u16 = 0x0200;
const NUMBER: u16 = 0x0203;
const LABEL: u16 = 0x0204;
const RSTRING: u16 = 0x00D6;
const BOOLERR: u16 = 0x0205;
const STRING_RECORD: u16 = 0x0207;
const RK: u16 = 0x027E;
const LABELSST: u16 = 0x00FD;
const MULRK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;
/// calamine takes the CONTINUE records after a record one by one from the
/// front of a vector (quadratic in their number): more than this many after
/// the shared string table is refused (a real one of 256 MiB has ~33,000).
const MAX_SST_CONTINUES: usize = 40_000;
/// calamine's sheet parse starts from the positions the workbook lists; a
/// forged list can make it parse the same records over and over.
const MAX_WALK_FACTOR: usize = 2;

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at.checked_add(2)?)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// One BIFF record as calamine's record iterator gives it: its data and the
/// data of the CONTINUE records right after it.
struct Record<'a> {
    kind: u16,
    /// Offset of the record's header in the stream.
    at: usize,
    data: &'a [u8],
    continues: Vec<&'a [u8]>,
}

/// Iterates records like calamine does: a record cut short ends the stream
/// with an error (calamine then refuses the workbook).
struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, FileProblem>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.stream.get(self.at..)?;
        if rest.is_empty() {
            return None;
        }
        let (Some(kind), Some(len)) = (u16_at(rest, 0), u16_at(rest, 2)) else {
            self.at = self.stream.len();
            return Some(Err(damaged("a BIFF record is cut short")));
        };
        let Some(data) = rest.get(4..4 + len as usize) else {
            self.at = self.stream.len();
            return Some(Err(damaged("a BIFF record runs past the end of the stream")));
        };
        let record_at = self.at;
        self.at += 4 + len as usize;
        let mut continues = Vec::new();
        // calamine looks for CONTINUE only when more than a header follows.
        while self.stream.len() - self.at > 4 && u16_at(self.stream, self.at) == Some(CONTINUE) {
            let len = u16_at(self.stream, self.at + 2).unwrap_or(0) as usize;
            let Some(part) = self.stream.get(self.at + 4..self.at + 4 + len) else {
                self.at = self.stream.len();
                return Some(Err(damaged("a BIFF CONTINUE record runs past the end of the stream")));
            };
            continues.push(part);
            self.at += 4 + len;
        }
        Some(Ok(Record {
            kind,
            at: record_at,
            data,
            continues,
        }))
    }
}

/// Character counts of the shared strings, read the way calamine reads the
/// SST (characters may run on into CONTINUE records, each starting with a
/// new flags byte). Gives UTF-8 bytes at most: 3 per character.
fn sst_lengths(record: &Record<'_>) -> Result<Vec<u64>, FileProblem> {
    if record.continues.len() > MAX_SST_CONTINUES {
        return Err(damaged(format!(
            "the shared string table runs over {} CONTINUE records (at most {MAX_SST_CONTINUES} are read)",
            record.continues.len()
        )));
    }
    let mut lengths = Vec::new();
    let Some(mut data) = record.data.get(8..) else {
        return Err(damaged("the shared string table is cut short"));
    };
    let mut continues = record.continues.iter();
    loop {
        if data.is_empty() {
            match continues.next() {
                Some(next) => data = next,
                None => break,
            }
            if data.is_empty() {
                // calamine reads an empty string here.
                lengths.push(0);
                continue;
            }
        }
        let (Some(chars), Some(&flags)) = (u16_at(data, 0), data.get(2)) else {
            return Err(damaged("a shared string is cut short"));
        };
        data = &data[3..];
        let mut skip_after = 0usize;
        if flags & 0x8 != 0 {
            skip_after += 4 * u16_at(data, 0).ok_or_else(|| damaged("a shared string is cut short"))? as usize;
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            skip_after += u32_at(data, 0).ok_or_else(|| damaged("a shared string is cut short"))? as usize;
            data = &data[4..];
        }
        let mut wide = flags & 0x1 != 0;
        let mut left = chars as usize;
        while left > 0 {
            let width = if wide { 2 } else { 1 };
            let here = (data.len() / width).min(left);
            data = &data[here * width..];
            left -= here;
            if left > 0 {
                let Some(next) = continues.next() else {
                    return Err(damaged("a shared string runs past the end of the table"));
                };
                let Some((&flag, rest)) = next.split_first() else {
                    return Err(damaged("a shared string runs past the end of the table"));
                };
                wide = flag & 0x1 != 0;
                data = rest;
            }
        }
        while skip_after > 0 {
            if data.is_empty() {
                data = continues
                    .next()
                    .ok_or_else(|| damaged("a shared string runs past the end of the table"))?;
                continue;
            }
            let here = skip_after.min(data.len());
            data = &data[here..];
            skip_after -= here;
        }
        lengths.push(3 * u64::from(chars));
    }
    Ok(lengths)
}

/// What one sheet of an .xls costs calamine.
#[derive(Debug, Default, Clone, Copy)]
struct XlsSheet {
    values: Extent,
    formulas: Extent,
    text: u64,
    formula_text: u64,
}

/// A checked .xls: a clean container for calamine and what reading it may cost.
#[derive(Debug)]
pub struct CheckedXls {
    /// A new compound file holding only the checked workbook stream.
    pub container: Vec<u8>,
    /// Bytes reading it may need at most (besides the file's own bytes).
    pub estimate: u64,
}

/// Walks the BIFF records of an .xls workbook stream as calamine will, and
/// checks each sheet's extent, the number of sheets and the text the cells
/// expand to (a shared string counts once per cell that shows it).
///
/// Errors: [`FileProblem::Encrypted`] for a FILEPASS record,
/// [`FileProblem::TooManySheets`], [`FileProblem::TooManyCells`],
/// [`FileProblem::InflatesTooMuch`] over a limit, [`FileProblem::Damaged`]
/// for a stream calamine would refuse or could not parse in bounded time.
pub fn check_xls(bytes: &[u8], limits: &Limits) -> Result<CheckedXls, FileProblem> {
    let mut container = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| damaged(format!("OLE: {e}")))?;
    // calamine looks for "Workbook", then "Book" (Excel 5).
    let stream_name = if container.is_stream("/Workbook") {
        "/Workbook"
    } else if container.is_stream("/Book") {
        "/Book"
    } else {
        return Err(damaged("the workbook stream is missing"));
    };
    let declared = container.entry(stream_name).map_err(damaged)?.len();
    if declared > limits.max_inflated_bytes {
        return Err(FileProblem::InflatesTooMuch {
            bytes: declared,
            limit: limits.max_inflated_bytes,
        });
    }
    let mut stream = Vec::new();
    container
        .open_stream(stream_name)
        .map_err(damaged)?
        .take(limits.max_inflated_bytes + 1)
        .read_to_end(&mut stream)
        .map_err(damaged)?;
    drop(container);

    // The workbook globals, up to the first EOF. Records calamine would
    // index past their end are refused here as damaged (calamine panics on
    // them; the panic is caught, but its message helps no one).
    let mut sheets: Vec<(usize, String)> = Vec::new();
    let mut sst: Vec<u64> = Vec::new();
    let mut sst_bytes = 0u64;
    for record in (Records { stream: &stream, at: 0 }) {
        let record = record?;
        match record.kind {
            FILEPASS => return Err(FileProblem::Encrypted),
            BOUNDSHEET => {
                let pos = u32_at(record.data, 0).ok_or_else(|| damaged("a sheet entry is cut short"))?;
                sheets.push((pos as usize, boundsheet_name(record.data)));
            }
            BOF | CODEPAGE | DATEMODE if record.data.len() < 2 => {
                return Err(damaged(format!("a record 0x{:04X} is cut short", record.kind)));
            }
            NAME if record.data.len() < 14
                || usize::from(u16_at(record.data, 4).unwrap_or(u16::MAX)) > record.data.len() =>
            {
                return Err(damaged("a defined name is cut short"));
            }
            SST => {
                sst = sst_lengths(&record)?;
                sst_bytes = sst.iter().sum::<u64>() + sst.len() as u64 * STRING;
            }
            EOF => break,
            _ => {}
        }
    }
    if sheets.len() > limits.max_sheets {
        return Err(FileProblem::TooManySheets {
            sheets: sheets.len(),
            limit: limits.max_sheets,
        });
    }

    // Each sheet from its position, as calamine parses it.
    let mut dimensions: Vec<usize> = Vec::new();
    let mut walked = 0usize;
    let mut costs: HashMap<usize, XlsSheet> = HashMap::new();
    let mut estimate = (stream.len() as u64).saturating_mul(3).saturating_add(sst_bytes);
    let mut text_total = 0u64;
    for (pos, name) in &sheets {
        if *pos > stream.len() {
            return Err(damaged(format!(
                "sheet „{name}“ starts past the end of the workbook stream"
            )));
        }
        let sheet = match costs.get(pos) {
            Some(known) => *known,
            None => {
                let (sheet, length) = walk_sheet(&stream, *pos, &sst, &mut dimensions)?;
                walked = walked.saturating_add(length);
                if walked > MAX_WALK_FACTOR * stream.len() + 65_536 {
                    return Err(damaged("the sheets of the workbook stream overlap"));
                }
                costs.insert(*pos, sheet);
                sheet
            }
        };
        sheet.values.check(name, limits)?;
        sheet.formulas.check(name, limits)?;
        text_total = text_total.saturating_add(sheet.text).saturating_add(sheet.formula_text);
        // calamine: the cells as found, then the dense grid of values and of
        // formulas; socmon: a copy of the grid (`worksheet_range` clones it)
        // and its sparse cells; the text once in each.
        let cells = sheet.values.cells.saturating_add(sheet.formulas.cells);
        estimate = estimate
            .saturating_add(cells.saturating_mul(CALAMINE_CELL * GROWTH))
            .saturating_add(sheet.values.area().saturating_mul(DATA * 2))
            .saturating_add(sheet.formulas.area().saturating_mul(STRING))
            .saturating_add(sheet.values.cells.saturating_mul(SHEET_CELL * GROWTH))
            .saturating_add(sheet.text.saturating_mul(3))
            .saturating_add(sheet.formula_text);
    }
    check_text(text_total, stream.len() as u64, limits)?;

    // calamine reserves room for a DIMENSIONS record's area before reading a
    // single cell; a zeroed one asks for one cell.
    for at in dimensions {
        let len = u16_at(&stream, at + 2).unwrap_or(0) as usize;
        if matches!(len, 10 | 14 | 16) {
            stream[at + 4..at + 4 + len].fill(0);
        }
    }
    if stream.len() < 4096 {
        // Below 4096 bytes a stream goes into the mini stream, which Excel's
        // own workbooks never use; bytes after the last EOF are never read.
        stream.resize(4096, 0);
    }
    let container = rebuild_container(stream_name, &stream).map_err(damaged)?;
    estimate = estimate.saturating_add(container.len() as u64);
    Ok(CheckedXls { container, estimate })
}

/// A compound file with one stream, as calamine expects to find it.
fn rebuild_container(name: &str, stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut file = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    let mut out = file.create_stream(name)?;
    out.write_all(stream)?;
    out.flush()?;
    drop(out);
    file.flush()?;
    Ok(file.into_inner().into_inner())
}

/// Walks one sheet from `pos` the way calamine does (embedded substreams
/// such as charts skipped, up to the sheet's EOF); gives its cost and the
/// number of bytes walked, and notes where its DIMENSIONS records are.
fn walk_sheet(
    stream: &[u8],
    pos: usize,
    sst: &[u64],
    dimensions: &mut Vec<usize>,
) -> Result<(XlsSheet, usize), FileProblem> {
    let mut sheet = XlsSheet::default();
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut formula_at = (0u64, 0u64);
    let mut records = Records { stream, at: pos };
    for record in records.by_ref() {
        let record = record?;
        let data = record.data;
        if depth > 0 {
            match record.kind {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        let at =
            |data: &[u8]| -> Option<(u64, u64)> { Some((u64::from(u16_at(data, 0)?), u64::from(u16_at(data, 2)?))) };
        match record.kind {
            BOF => {
                if seen_bof {
                    depth += 1;
                } else {
                    seen_bof = true;
                }
            }
            DIMENSIONS => dimensions.push(record.at),
            NUMBER | RK | BOOLERR => {
                if let Some((row, col)) = at(data) {
                    sheet.values.add(row, col, 1, 1);
                }
            }
            LABEL | RSTRING => {
                if let Some((row, col)) = at(data) {
                    sheet.values.add(row, col, 1, 1);
                    // Latin-1 or UTF-16 characters: at most 2 UTF-8 bytes per data byte.
                    let chars = u64::from(u16_at(data, 6).unwrap_or(0));
                    sheet.text = sheet.text.saturating_add(chars.max(2 * data.len() as u64));
                }
            }
            LABELSST => {
                if let (Some((row, col)), Some(index)) = (at(data), u32_at(data, 6))
                    && let Some(&length) = sst.get(index as usize)
                {
                    sheet.values.add(row, col, 1, 1);
                    sheet.text = sheet.text.saturating_add(length);
                }
            }
            MULRK => {
                if let (Some(row), Some(first), Some(last)) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    u16_at(data, data.len().saturating_sub(2)),
                ) && last >= first
                {
                    sheet
                        .values
                        .add(u64::from(row), u64::from(first), 1, u64::from(last - first) + 1);
                }
            }
            FORMULA => {
                if let Some(position) = at(data) {
                    formula_at = position;
                    sheet.values.add(position.0, position.1, 1, 1);
                    sheet.formulas.add(position.0, position.1, 1, 1);
                    // The formula as text: a few characters per token byte.
                    sheet.formula_text = sheet.formula_text.saturating_add(64 + 8 * data.len() as u64);
                }
            }
            STRING_RECORD => {
                sheet.values.add(formula_at.0, formula_at.1, 1, 1);
                sheet.text = sheet.text.saturating_add(2 * data.len() as u64);
            }
            EOF => break,
            _ => {}
        }
    }
    Ok((sheet, records.at - pos))
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

/// calamine's caps on an .ods table (it never reads past them).
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

fn attr_u64(element: &BytesStart<'_>, name: &str) -> u64 {
    element
        .try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
}

fn attr_string(element: &BytesStart<'_>, name: &str) -> Option<String> {
    let attr = element.try_get_attribute(name).ok().flatten()?;
    quick_xml::escape::unescape(&attr.value).ok().map(|v| v.into_owned())
}

/// Bytes of text an attribute carries (0 when absent).
fn attr_len(element: &BytesStart<'_>, name: &str) -> u64 {
    element
        .try_get_attribute(name)
        .ok()
        .flatten()
        .map_or(0, |a| a.value.len() as u64)
}

/// A checked .ods: its merged regions by table and what reading it may cost.
#[derive(Debug, Default)]
pub struct CheckedOds {
    pub merges: HashMap<String, Vec<Merge>>,
    /// Bytes reading it may need at most (besides the file's own bytes).
    pub estimate: u64,
}

/// The cell being read: where it starts, how often it repeats, whether it
/// holds anything and how much text.
#[derive(Debug, Clone, Copy)]
struct OdsCell {
    col: u64,
    repeat: u64,
    filled: bool,
    text: u64,
}

/// What one table costs calamine.
#[derive(Debug, Default)]
struct OdsTable {
    name: String,
    extent: Extent,
    /// Cells calamine holds while parsing: each row element up to its last
    /// filled cell, before row repeats are applied.
    raw: u64,
    text: u64,
}

impl OdsTable {
    fn cost(&self) -> u64 {
        // Parsing: a value and a formula per raw cell; then the dense grid of
        // values and of formulas, socmon's copy of the grid and its sparse
        // cells; the text in calamine's grid, in its copy and in socmon's cells.
        let area = self.extent.area();
        self.raw
            .saturating_mul((DATA + STRING) * GROWTH)
            .saturating_add(area.saturating_mul(DATA * 2 + STRING))
            .saturating_add(self.extent.cells.saturating_mul(SHEET_CELL * GROWTH))
            .saturating_add(self.text.saturating_mul(3))
    }
}

/// Walks `content.xml` of an .ods, checks each table's extent, the number of
/// tables and the text the cells expand to, and gives the merged regions of
/// each table by name.
///
/// Errors: [`FileProblem::Encrypted`] for an encrypted package,
/// [`FileProblem::TooManySheets`], [`FileProblem::TooManyCells`],
/// [`FileProblem::InflatesTooMuch`] over a limit, [`FileProblem::Damaged`]
/// for XML that cannot be read.
pub fn check_ods(mut archive: Zip<'_>, parts: &ZipParts, limits: &Limits) -> Result<CheckedOds, FileProblem> {
    if ods_is_encrypted(&mut archive)? {
        return Err(FileProblem::Encrypted);
    }
    let content = archive
        .by_name("content.xml")
        .map_err(|_| damaged("content.xml is missing"))?;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let mut checked = CheckedOds::default();
    let mut buf = Vec::new();
    let mut tables = 0usize;
    let mut open_tables = 0usize;
    let mut table = OdsTable::default();
    let mut text_total = 0u64;
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut row_repeat: u64 = 1;
    // Rows calamine has taken so far in this table (it caps them).
    let mut rows_taken: u64 = 0;
    // The filled cells of the current row, as (first column, columns) blocks,
    // and the end of the last filled one.
    let mut row_blocks: Vec<(u64, u64)> = Vec::new();
    let mut row_text = 0u64;
    let mut row_end = 0u64;
    let mut open_cell: Option<OdsCell> = None;
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| damaged(format!("content.xml: {e}")))?;
        let is_empty_tag = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "table:table" => {
                    if !is_empty_tag {
                        open_tables += 1;
                    }
                    tables += 1;
                    if tables > limits.max_sheets {
                        return Err(FileProblem::TooManySheets {
                            sheets: tables,
                            limit: limits.max_sheets,
                        });
                    }
                    table = OdsTable {
                        name: attr_string(&e, "table:name").unwrap_or_default(),
                        ..OdsTable::default()
                    };
                    row = 0;
                    rows_taken = 0;
                }
                "table:table-row" => {
                    let asked = attr_u64(&e, "table:number-rows-repeated");
                    row_repeat = asked.min(ODS_MAX_ROWS.saturating_sub(rows_taken));
                    rows_taken = rows_taken.saturating_add(row_repeat);
                    col = 0;
                    row_blocks.clear();
                    row_text = 0;
                    row_end = 0;
                    if is_empty_tag {
                        row = row.saturating_add(row_repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let repeat = attr_u64(&e, "table:number-columns-repeated")
                        .min(ODS_MAX_COLUMNS.saturating_sub(col))
                        .max(1);
                    let spans_cols = attr_u64(&e, "table:number-columns-spanned");
                    let spans_rows = attr_u64(&e, "table:number-rows-spanned");
                    if spans_cols > 1 || spans_rows > 1 {
                        let first = CellRef::new(clamp(row), clamp(col));
                        let last = CellRef::new(
                            clamp(row.saturating_add(spans_rows.max(1) - 1)),
                            clamp(col.saturating_add(spans_cols.max(1) - 1)),
                        );
                        checked
                            .merges
                            .entry(table.name.clone())
                            .or_default()
                            .push(Merge { first, last });
                    }
                    let typed = e.try_get_attribute("office:value-type").ok().flatten().is_some();
                    let attr_text = attr_len(&e, "office:string-value")
                        + attr_len(&e, "office:date-value")
                        + attr_len(&e, "office:time-value")
                        + attr_len(&e, "table:formula");
                    let cell = OdsCell {
                        col,
                        repeat,
                        filled: typed || attr_text > 0,
                        text: attr_text,
                    };
                    if is_empty_tag {
                        close_cell(cell, &mut row_blocks, &mut row_text, &mut row_end);
                        col = col.saturating_add(repeat);
                    } else {
                        open_cell = Some(cell);
                    }
                }
                "text:p" | "text:span" | "text:s" | "text:tab" | "text:line-break" => {
                    if let Some(cell) = open_cell.as_mut() {
                        cell.filled = true;
                        // calamine writes `text:c` spaces for one `text:s`.
                        let spaces = match e.name().as_ref() {
                            "text:s" => attr_u64(&e, "text:c"),
                            _ => 1,
                        };
                        cell.text = cell.text.saturating_add(spaces);
                    }
                }
                _ => {}
            },
            Event::Text(text) => {
                if let Some(cell) = open_cell.as_mut() {
                    cell.text = cell.text.saturating_add(text.len() as u64);
                    if !text.trim().is_empty() {
                        cell.filled = true;
                    }
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(cell) = open_cell.as_mut() {
                    cell.filled = true;
                    cell.text = cell.text.saturating_add(reference.len() as u64 + 2);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "table:table-cell" | "table:covered-table-cell" => {
                    if let Some(cell) = open_cell.take() {
                        close_cell(cell, &mut row_blocks, &mut row_text, &mut row_end);
                        col = cell.col.saturating_add(cell.repeat);
                    }
                }
                "table:table-row" => {
                    for &(first, cols) in &row_blocks {
                        table.extent.add(row, first, row_repeat, cols);
                    }
                    table.raw = table.raw.saturating_add(row_end);
                    table.text = table.text.saturating_add(row_text.saturating_mul(row_repeat));
                    table.extent.check(&table.name, limits)?;
                    if table.raw > limits.max_cells_per_sheet {
                        return Err(FileProblem::TooManyCells {
                            sheet: table.name.clone(),
                            limit: limits.max_cells_per_sheet,
                        });
                    }
                    check_text(text_total.saturating_add(table.text), parts.total, limits)?;
                    row = row.saturating_add(row_repeat);
                }
                "table:table" => {
                    open_tables = open_tables.saturating_sub(1);
                    table.extent.check(&table.name, limits)?;
                    text_total = text_total.saturating_add(table.text);
                    checked.estimate = checked.estimate.saturating_add(table.cost());
                }
                _ => {}
            },
            // calamine reads a table until its end tag and never stops at
            // the end of the file: a table left open would hang it.
            Event::Eof if open_tables > 0 => return Err(damaged("content.xml ends inside a table")),
            Event::Eof => break,
            _ => {}
        }
    }
    checked.estimate = checked.estimate.saturating_add(parts.sum(|n| n != "content.xml"));
    Ok(checked)
}

/// Adds a finished cell to its row.
fn close_cell(cell: OdsCell, blocks: &mut Vec<(u64, u64)>, text: &mut u64, end: &mut u64) {
    if cell.filled {
        blocks.push((cell.col, cell.repeat));
        *text = text.saturating_add(cell.text.saturating_mul(cell.repeat));
        *end = cell.col.saturating_add(cell.repeat).min(ODS_MAX_COLUMNS);
    }
}

/// Whether the package's manifest declares encrypted parts (a password).
fn ods_is_encrypted(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<bool, FileProblem> {
    let Ok(manifest) = archive.by_name("META-INF/manifest.xml") else {
        return Ok(false);
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(manifest));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().as_ref() == "manifest:encryption-data" => {
                return Ok(true);
            }
            Ok(Event::Eof) => return Ok(false),
            Err(e) => return Err(damaged(format!("META-INF/manifest.xml: {e}"))),
            _ => {}
        }
    }
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extent_at_the_edge_of_u64_does_not_overflow() {
        let mut extent = Extent::default();
        extent.add(u64::MAX, u64::MAX, u64::MAX, u64::MAX);
        extent.add(0, 0, 1, 1);
        assert_eq!(extent.area(), u64::MAX);
        assert_eq!(extent.cells, u64::MAX);
    }

    #[test]
    fn shared_string_lengths_follow_continue_records() {
        // Two strings: "ab" (Latin-1), then "xyz" split over a CONTINUE in UTF-16.
        let mut first = vec![0, 0, 0, 0, 0, 0, 0, 0];
        first.extend([2, 0, 0, b'a', b'b']);
        first.extend([3, 0, 1, b'x', 0]);
        let cont = [1u8, b'y', 0, b'z', 0];
        let record = Record {
            kind: SST,
            at: 0,
            data: &first,
            continues: vec![&cont],
        };
        assert_eq!(sst_lengths(&record).unwrap(), [6, 9]);
    }
}
