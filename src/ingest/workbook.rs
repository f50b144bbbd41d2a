//! Reads one spreadsheet with calamine: takes the file's bytes and its sniffed
//! format and gives its template sheets as sparse [`Sheet`]s, with the sheets
//! it skipped and why. Every limit of [`Limits`] is checked before the memory
//! it guards is spent.
//!
//! .xlsx sheets are streamed cell by cell (calamine's dense grid is never
//! built), so a sheet's size costs only its filled cells, and a huge sheet
//! that is no template is dropped after its first rows. .xls and .ods are
//! parsed whole by calamine when the workbook opens, so their extent is
//! checked first by [`super::guard`].

use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};

use super::Limits;
use super::guard;
use super::sniff::Format;
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

/// Decides, from a sheet's first rows, whether it may be a template (so
/// that the rest is worth reading).
pub type Probe<'a> = &'a (dyn Fn(&Sheet) -> bool + Sync);

fn damaged(e: impl std::fmt::Display) -> FileProblem {
    FileProblem::Damaged { detail: e.to_string() }
}

fn convert_ref(value: DataRef<'_>) -> Option<CellValue> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(i) => CellValue::Number(i as f64),
        DataRef::Float(f) => CellValue::Number(f),
        DataRef::String(s) => CellValue::Text(s),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Bool(b) => CellValue::Bool(b),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => CellValue::DateTime(dt),
            _ => CellValue::Number(d.as_f64()),
        },
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
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => CellValue::DateTime(dt),
            _ => CellValue::Number(d.as_f64()),
        },
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

/// Reads the template sheets of a workbook.
///
/// Errors: the [`FileProblem`] that made the file unreadable (damaged,
/// encrypted, over a limit).
pub fn read_workbook(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
    common: &Common,
    probe: Probe<'_>,
) -> Result<Workbook, FileProblem> {
    match format {
        Format::Xlsx => {
            guard::check_zip(bytes, limits)?;
            read_xlsx(bytes, limits, common, probe)
        }
        Format::Xlsb => {
            guard::check_zip(bytes, limits)?;
            let workbook: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::XlsbError::Password => FileProblem::Encrypted,
                other => damaged(other),
            })?;
            read_dense(workbook, limits, common, |_, _| Vec::new())
        }
        Format::Xls => {
            guard::check_xls(bytes, limits)?;
            let workbook: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::XlsError::Password => FileProblem::Encrypted,
                other => damaged(other),
            })?;
            read_dense(workbook, limits, common, |wb: &Xls<_>, name| {
                wb.merge_cells_by_sheet_name(name).map(merges_of).unwrap_or_default()
            })
        }
        Format::Ods => {
            guard::check_zip(bytes, limits)?;
            let spans = guard::check_ods(bytes, limits)?;
            let workbook: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
                calamine::OdsError::Password => FileProblem::Encrypted,
                other => damaged(other),
            })?;
            read_dense(workbook, limits, common, |_, name| {
                spans.get(name).cloned().unwrap_or_default()
            })
        }
    }
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

fn read_xlsx(bytes: &[u8], limits: &Limits, common: &Common, probe: Probe<'_>) -> Result<Workbook, FileProblem> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => FileProblem::Encrypted,
        other => damaged(other),
    })?;
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
        let mut cells = Vec::new();
        let mut probed = false;
        {
            let mut reader = workbook.worksheet_cells_reader(&meta.name).map_err(damaged)?;
            while let Some(cell) = reader.next_cell().map_err(damaged)? {
                let (row, col) = cell.get_position();
                if !probed && row >= limits.probe_rows {
                    probed = true;
                    let first_rows = Sheet::new(meta.name.clone(), std::mem::take(&mut cells), Vec::new());
                    if !matches!(sheet_plan, SheetPlan::Marker) && !probe(&first_rows) {
                        out.skipped.push(SkippedSheet {
                            name: meta.name.clone(),
                            reason: SkipReason::NoTemplateInFirstRows,
                        });
                        break;
                    }
                    cells = first_rows.into_cells();
                }
                if let Some(value) = convert_ref(cell.get_value().clone()) {
                    if cells.len() as u64 >= limits.max_cells_per_sheet {
                        return Err(FileProblem::TooManyCells {
                            sheet: meta.name.clone(),
                            limit: limits.max_cells_per_sheet,
                        });
                    }
                    cells.push(Cell {
                        at: CellRef::new(row, col),
                        value,
                    });
                }
            }
        }
        if out.skipped.last().is_some_and(|s| s.name == meta.name) {
            continue;
        }
        if cells.is_empty() {
            continue;
        }
        let merges = workbook
            .merge_cells_by_sheet_name(&meta.name)
            .map(merges_of)
            .unwrap_or_default();
        let sheet = Sheet::new(meta.name, cells, merges);
        match sheet_plan {
            SheetPlan::Marker => out.marker = Some(sheet),
            _ => out.sheets.push(sheet),
        }
    }
    Ok(out)
}

/// Reads a workbook that calamine has already parsed into dense ranges
/// (.xls, .ods, .xlsb), keeping only the filled cells at their absolute
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
        let sheet = Sheet::new(meta.name.clone(), cells, merges(&workbook, &meta.name));
        match sheet_plan {
            SheetPlan::Marker => out.marker = Some(sheet),
            _ => out.sheets.push(sheet),
        }
    }
    Ok(out)
}
