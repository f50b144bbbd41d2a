//! Reads one spreadsheet with calamine: takes the file's bytes and its sniffed
//! format and gives its template sheets as sparse [`Sheet`]s, with the sheets
//! it skipped and why. Every limit of [`Limits`] is checked before the memory
//! it guards is spent.
//!
//! .xlsx and .xlsb sheets are streamed cell by cell (calamine's dense grid
//! is never built), so a sheet's size costs only its filled cells, and a
//! huge sheet that is no template is dropped after its first rows. .xls and
//! .ods are parsed whole by calamine when the workbook opens, so their
//! extent is checked first by [`super::guard`].

use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb};

use super::Limits;
use super::budget::Reservation;
use super::guard;
use super::sniff::Format;
use super::xlsx::XlsxBook;
use crate::issue::FileProblem;
use crate::normalize::key;
use crate::schema::Common;
use crate::sheet::{Cell, CellRef, CellValue, Merge, Sheet};

/// Why a sheet of a workbook was not read as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Hidden,
    Instructions,
    NotAWorksheet,
    /// Its first rows match no template; the rest was not read.
    NoTemplateInFirstRows,
}

/// A sheet that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedSheet {
    pub name: String,
    pub reason: SkipReason,
}

/// The readable content of a workbook.
#[derive(Debug, Default)]
pub struct Workbook {
    /// Visible worksheets, in workbook order (empty ones dropped).
    pub sheets: Vec<Sheet>,
    /// The hidden marker sheet written by `socmon templates`, if present.
    pub marker: Option<Sheet>,
    pub skipped: Vec<SkippedSheet>,
}

impl Workbook {
    /// Bytes the workbook's cells hold, their text included.
    pub fn held_bytes(&self) -> u64 {
        let cell = std::mem::size_of::<Cell>() as u64;
        self.sheets
            .iter()
            .chain(&self.marker)
            .flat_map(|s| s.rows())
            .flat_map(|(_, cells)| cells)
            .map(|c| cell + c.value.as_text().map_or(0, |t| t.len() as u64))
            .sum()
    }
}

/// Decides, from a sheet's first rows, whether it may be a template (so
/// that the rest is worth reading).
pub type Probe<'a> = &'a (dyn Fn(&Sheet) -> bool + Sync);

fn damaged(e: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged { detail: e.to_string() }
}

/// Excel's last day, 9999-12-31, as a serial number.
const LAST_EXCEL_SERIAL: f64 = 2_958_466.0;

/// A date cell as a date, or as its number when it is no date Excel can
/// hold (chrono panics on a serial of a billion years, which a forged cell
/// can carry).
fn excel_datetime(d: &calamine::ExcelDateTime) -> CellValue {
    let serial = d.as_f64();
    if d.is_datetime()
        && (0.0..=LAST_EXCEL_SERIAL).contains(&serial)
        && let Some(dt) = d.as_datetime()
    {
        return CellValue::DateTime(dt);
    }
    CellValue::Number(serial)
}

fn convert_ref(value: DataRef<'_>) -> Option<CellValue> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(i) => CellValue::Number(i as f64),
        DataRef::Float(f) => CellValue::Number(f),
        DataRef::String(s) => CellValue::Text(s),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Bool(b) => CellValue::Bool(b),
        DataRef::DateTime(d) => excel_datetime(&d),
        DataRef::DateTimeIso(s) => CellValue::DateIso(s),
        DataRef::DurationIso(s) => CellValue::Text(s),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
    })
}

fn convert(value: &Data) -> Option<CellValue> {
    Some(match value {
        Data::Empty => return None,
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(d) => excel_datetime(d),
        Data::DateTimeIso(s) => CellValue::DateIso(s.clone()),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
    })
}

fn merges_of(dimensions: Vec<Dimensions>) -> Vec<Merge> {
    dimensions
        .into_iter()
        .map(|d| Merge {
            first: CellRef::new(d.start.0, d.start.1),
            last: CellRef::new(d.end.0, d.end.1),
        })
        .collect()
}

/// What to do with a sheet, from its metadata.
enum SheetPlan {
    Read,
    Marker,
    Skip(SkipReason),
}

fn plan(name: &str, typ: SheetType, visible: SheetVisible, common: &Common) -> SheetPlan {
    if name == common.marker_sheet {
        return SheetPlan::Marker;
    }
    if visible != SheetVisible::Visible {
        return SheetPlan::Skip(SkipReason::Hidden);
    }
    if typ != SheetType::WorkSheet {
        return SheetPlan::Skip(SkipReason::NotAWorksheet);
    }
    if common.instruction_sheets.contains(&key(name)) {
        return SheetPlan::Skip(SkipReason::Instructions);
    }
    SheetPlan::Read
}

/// Reads the template sheets of a workbook. The file's worst case is
/// reserved from `memory` once the guard has checked its structure, before
/// calamine allocates anything large.
///
/// Errors: the [`FileProblem`] that made the file unreadable (damaged,
/// encrypted, over a limit, or more than the whole memory budget).
pub fn read_workbook<'b>(
    bytes: &'b [u8],
    format: Format,
    zip: Option<guard::Zip<'b>>,
    limits: &Limits,
    common: &Common,
    probe: Probe<'_>,
    memory: &mut Reservation,
) -> Result<Workbook, FileProblem> {
    // The readers' own state besides what the estimates count: XML and zip
    // buffers, inflate windows, styles, the workbook's metadata.
    const READER_STATE: u64 = 1024 * 1024;
    let file_bytes = bytes.len() as u64 + READER_STATE;
    match format {
        // CSV is read as text by `super::csv`, never by a workbook reader.
        Format::Csv => Err(FileProblem::NotASpreadsheet {
            looks_like: Some("text".into()),
        }),
        Format::Xlsx => {
            let (parts, zip) = guard::check_zip(opened(zip)?, limits)?;
            memory.grow_to(guard::xlsx_estimate(file_bytes, &parts, limits))?;
            let workbook = XlsxBook::open(bytes, zip)?;
            let text_allowance = limits.text_allowance(parts.total);
            read_streamed(workbook, limits, text_allowance, common, probe)
        }
        Format::Xlsb => {
            // Streamed like .xlsx: calamine's dense grid of an .xlsb sheet
            // with cells at A1 and XFD1048576 would need 512 GiB.
            let (parts, _) = guard::check_zip(opened(zip)?, limits)?;
            memory.grow_to(guard::xlsx_estimate(file_bytes, &parts, limits))?;
            let workbook: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::XlsbError::Password => FileProblem::Encrypted,
                other => damaged(other),
            })?;
            read_streamed(workbook, limits, limits.text_allowance(parts.total), common, probe)
        }
        Format::Xls => {
            let checked = guard::check_xls(bytes, limits)?;
            memory.grow_to(file_bytes.saturating_add(checked.estimate))?;
            let workbook: Xls<_> = Xls::new(Cursor::new(checked.container.as_slice())).map_err(|e| match e {
                calamine::XlsError::Password => FileProblem::Encrypted,
                other => damaged(other),
            })?;
            read_dense(workbook, limits, common, |wb: &Xls<_>, name| {
                wb.merge_cells_by_sheet_name(name).map(merges_of).unwrap_or_default()
            })
        }
        Format::Ods => {
            let (parts, zip) = guard::check_zip(opened(zip)?, limits)?;
            let checked = guard::check_ods(zip, &parts, limits)?;
            memory.grow_to(file_bytes.saturating_add(checked.estimate))?;
            let workbook: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::OdsError::Password => FileProblem::Encrypted,
                other => damaged(other),
            })?;
            read_dense(workbook, limits, common, |_, name| {
                checked.merges.get(name).cloned().unwrap_or_default()
            })
        }
    }
}

/// The zip the sniffer opened, for the formats that are one.
fn opened(zip: Option<guard::Zip<'_>>) -> Result<guard::Zip<'_>, FileProblem> {
    zip.ok_or_else(|| damaged("zip: not opened"))
}

/// Refuses a sheet with more merged regions than [`guard::MAX_MERGES`].
fn check_merges(sheet: &str, merges: Vec<Merge>) -> Result<Vec<Merge>, FileProblem> {
    guard::check_merge_count(sheet, merges.len())?;
    Ok(merges)
}

fn check_sheet_count(count: usize, limits: &Limits) -> Result<(), FileProblem> {
    if count > limits.max_sheets {
        return Err(FileProblem::TooManySheets {
            sheets: count,
            limit: limits.max_sheets,
        });
    }
    Ok(())
}

/// A workbook whose sheets can be given cell by cell, without building
/// calamine's dense grid (.xlsx by [`XlsxBook`], .xlsb by calamine).
trait Streamed {
    /// Each sheet's name, kind and state, in workbook order.
    fn sheet_list(&self) -> Vec<(String, SheetType, SheetVisible)>;

    /// Calls `each` with every cell of a sheet until it returns false; the
    /// sheet's merged regions when every cell was given.
    fn read_sheet(
        &mut self,
        sheet: &str,
        each: &mut dyn FnMut(u32, u32, DataRef<'_>) -> Result<bool, FileProblem>,
    ) -> Result<Vec<Merge>, FileProblem>;
}

impl Streamed for XlsxBook<'_> {
    fn sheet_list(&self) -> Vec<(String, SheetType, SheetVisible)> {
        self.sheets()
            .iter()
            .map(|s| (s.name.clone(), s.typ, s.visible))
            .collect()
    }

    fn read_sheet(
        &mut self,
        sheet: &str,
        each: &mut dyn FnMut(u32, u32, DataRef<'_>) -> Result<bool, FileProblem>,
    ) -> Result<Vec<Merge>, FileProblem> {
        XlsxBook::read_sheet(self, sheet, each)
    }
}

impl Streamed for Xlsb<Cursor<&[u8]>> {
    fn sheet_list(&self) -> Vec<(String, SheetType, SheetVisible)> {
        self.sheets_metadata()
            .iter()
            .map(|s| (s.name.clone(), s.typ, s.visible))
            .collect()
    }

    fn read_sheet(
        &mut self,
        sheet: &str,
        each: &mut dyn FnMut(u32, u32, DataRef<'_>) -> Result<bool, FileProblem>,
    ) -> Result<Vec<Merge>, FileProblem> {
        let mut reader = self.worksheet_cells_reader(sheet).map_err(damaged)?;
        while let Some(cell) = reader.next_cell().map_err(damaged)? {
            let (row, col) = cell.get_position();
            if !each(row, col, cell.get_value().clone())? {
                break;
            }
        }
        // calamine gives no merged regions for .xlsb.
        Ok(Vec::new())
    }
}

/// Streams the cells of each sheet; `text_allowance` caps the text the
/// cells hold in all (a shared string counts once per cell showing it).
fn read_streamed(
    mut workbook: impl Streamed,
    limits: &Limits,
    text_allowance: u64,
    common: &Common,
    probe: Probe<'_>,
) -> Result<Workbook, FileProblem> {
    let metadata = workbook.sheet_list();
    check_sheet_count(metadata.len(), limits)?;
    let mut out = Workbook::default();
    let mut text = 0u64;
    for (name, typ, visible) in metadata {
        let sheet_plan = plan(&name, typ, visible, common);
        if let SheetPlan::Skip(reason) = sheet_plan {
            out.skipped.push(SkippedSheet { name, reason });
            continue;
        }
        let marker = matches!(sheet_plan, SheetPlan::Marker);
        let mut cells = Vec::new();
        let mut probed = false;
        let mut no_template = false;
        let merges = workbook.read_sheet(&name, &mut |row, col, value| {
            if !probed && row >= limits.probe_rows {
                probed = true;
                let first_rows = Sheet::new(name.clone(), std::mem::take(&mut cells), Vec::new());
                if !marker && !probe(&first_rows) {
                    no_template = true;
                    return Ok(false);
                }
                cells = first_rows.into_cells();
            }
            if let Some(value) = convert_ref(value) {
                if let Some(t) = value.as_text() {
                    text = text.saturating_add(t.len() as u64);
                    if text > text_allowance {
                        return Err(FileProblem::TextTooLong {
                            bytes: text,
                            limit: text_allowance,
                        });
                    }
                }
                if cells.len() as u64 >= limits.max_cells_per_sheet {
                    return Err(FileProblem::TooManyCells {
                        sheet: name.clone(),
                        limit: limits.max_cells_per_sheet,
                    });
                }
                cells.push(Cell {
                    at: CellRef::new(row, col),
                    value,
                });
            }
            Ok(true)
        })?;
        if no_template {
            out.skipped.push(SkippedSheet {
                name,
                reason: SkipReason::NoTemplateInFirstRows,
            });
            continue;
        }
        if cells.is_empty() {
            continue;
        }
        // The marker is a list of sheets and templates: its merged regions
        // are never looked at.
        if marker {
            out.marker = Some(Sheet::new(name, cells, Vec::new()));
            continue;
        }
        let merges = check_merges(&name, merges)?;
        out.sheets.push(Sheet::new(name, cells, merges));
    }
    Ok(out)
}

/// Reads a workbook that calamine has already parsed into dense ranges
/// (.xls, .ods), keeping only the filled cells at their absolute
/// positions (a range's own positions are relative to its start).
fn read_dense<'b, R, F>(mut workbook: R, limits: &Limits, common: &Common, merges: F) -> Result<Workbook, FileProblem>
where
    R: Reader<Cursor<&'b [u8]>>,
    R::Error: std::fmt::Display,
    F: Fn(&R, &str) -> Vec<Merge>,
{
    let metadata = workbook.sheets_metadata().to_vec();
    check_sheet_count(metadata.len(), limits)?;
    let mut out = Workbook::default();
    for meta in metadata {
        let sheet_plan = plan(&meta.name, meta.typ, meta.visible, common);
        if let SheetPlan::Skip(reason) = sheet_plan {
            out.skipped.push(SkippedSheet {
                name: meta.name,
                reason,
            });
            continue;
        }
        let range = workbook.worksheet_range(&meta.name).map_err(damaged)?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut cells = Vec::new();
        for (row, col, value) in range.used_cells() {
            let Some(value) = convert(value) else { continue };
            if cells.len() as u64 >= limits.max_cells_per_sheet {
                return Err(FileProblem::TooManyCells {
                    sheet: meta.name.clone(),
                    limit: limits.max_cells_per_sheet,
                });
            }
            cells.push(Cell {
                at: CellRef::new(first_row + row as u32, first_col + col as u32),
                value,
            });
        }
        if cells.is_empty() {
            continue;
        }
        let merges = check_merges(&meta.name, merges(&workbook, &meta.name))?;
        let sheet = Sheet::new(meta.name.clone(), cells, merges);
        match sheet_plan {
            SheetPlan::Marker => out.marker = Some(sheet),
            _ => out.sheets.push(sheet),
        }
    }
    Ok(out)
}
