//! The form-and-table layout (a visit protocol): the form's fields first,
//! a label per row as on a card, then a table header (the `row_fields`),
//! then one row per entry until a row with nothing in the table's columns.
//! Gives the form as the first record of the sheet and each row as one
//! more record, every value with its cell.

use super::{LabelKeys, RawField, RawRecord, SheetRecords, StrayRow, read_form};
use crate::schema::{FieldType, Schemas, Template};
use crate::sheet::{Cell, CellRef};

/// The table header: its row and the row field of each column.
struct RowHeader {
    row: u32,
    columns: Vec<(u32, usize)>,
}

/// The columns of `row` that carry a label of a row field (each field once).
fn map_row_header(keys: &LabelKeys, template: &Template, row: u32) -> Vec<(u32, usize)> {
    let sheet = keys.sheet();
    let mut taken = vec![false; template.fields.len()];
    let mut columns = Vec::new();
    let mut cols: Vec<u32> = sheet.row(row).iter().map(|c| c.at.col).collect();
    for merge in sheet
        .merges()
        .iter()
        .filter(|m| m.first.row <= row && m.last.row >= row)
    {
        cols.push(merge.first.col);
    }
    cols.sort_unstable();
    cols.dedup();
    for col in cols {
        let Some(label) = keys.shown(CellRef::new(row, col)) else {
            continue;
        };
        if let Some(field) = template
            .field_by_label(label)
            .filter(|&f| template.fields[f].in_row && !taken[f])
        {
            taken[field] = true;
            columns.push((col, field));
        }
    }
    columns
}

/// The first row carrying at least two row-field labels, the required ones
/// among them (for a protocol: the area and the assessment).
fn find_row_header(keys: &LabelKeys, template: &Template) -> Option<RowHeader> {
    let required: Vec<usize> = template
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.in_row && f.required)
        .map(|(i, _)| i)
        .collect();
    keys.sheet().rows().find_map(|(row, _)| {
        let columns = map_row_header(keys, template, row);
        let has_required = required.iter().all(|r| columns.iter().any(|&(_, f)| f == *r));
        (columns.len() >= 2 && has_required).then_some(RowHeader { row, columns })
    })
}

/// Reads a form-and-table sheet: `records[0]` is the form (its fields
/// only), then one record per table row (the row fields only). Without a
/// table header there is only the form; a header without rows is an
/// empty table.
pub(super) fn read(
    keys: &LabelKeys,
    schemas: &Schemas,
    template: &Template,
    template_index: usize,
    file: &str,
) -> SheetRecords {
    let sheet = keys.sheet();
    let header = find_row_header(keys, template);
    // The form is read from the rows above the table only, so that the
    // table's header and rows are never taken for labels.
    let form_end = header.as_ref().map_or(u32::MAX, |h| h.row);
    let mut form = read_form(keys, template, template_index, file, form_end);
    form.fields.retain(|f| !template.fields[f.field].in_row);
    let mut out = SheetRecords {
        template: template_index,
        records: vec![form],
        title_fields: Vec::new(),
        stray_rows: Vec::new(),
        empty_table: false,
    };
    let Some(header) = header else {
        return out;
    };
    let in_columns = |cells: &[Cell]| -> usize {
        cells
            .iter()
            .filter(|c| header.columns.iter().any(|&(col, _)| col == c.at.col))
            .filter(|c| !c.value.display().trim().is_empty())
            .count()
    };
    let mut ended = false;
    let mut expected_row = header.row.saturating_add(1);
    for (row, cells) in sheet.rows().filter(|(r, _)| *r > header.row) {
        let filled = in_columns(cells);
        if !ended && (row > expected_row || filled == 0) {
            ended = true;
        }
        if ended {
            // Below the table come the signatures; a row that fills two
            // of the table's columns looks like a row cut off by a gap.
            if filled >= 2 {
                out.stray_rows.push(StrayRow { at: cells[0].at });
            }
            continue;
        }
        expected_row = row.saturating_add(1);
        let fields = header
            .columns
            .iter()
            .map(|&(col, field)| {
                let at = CellRef::new(row, col);
                RawField {
                    field,
                    label_at: CellRef::new(header.row, col),
                    at,
                    value: sheet.get(at).cloned(),
                }
            })
            .collect();
        out.records.push(RawRecord {
            template: template_index,
            file: file.to_string(),
            sheet: sheet.name.clone(),
            anchor: CellRef::new(row, cells[0].at.col),
            fields,
        });
    }
    // A blank protocol (a template sent back unfilled) is a blank card, not
    // also an empty table; the oblast comes filled in on a template.
    let form_filled = out.records[0].fields.iter().any(|f| {
        template.fields[f.field].kind != FieldType::Oblast
            && f.value.as_ref().is_some_and(|v| match v.as_text() {
                Some(text) => !schemas.common.is_empty_text(text),
                None => true,
            })
    });
    out.empty_table = out.records.len() == 1 && form_filled;
    out
}
