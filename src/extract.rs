//! Recognition and layout: takes a read workbook (or one [`Sheet`]) and the
//! schemas and gives the template each sheet follows and its raw records,
//! each field with the cell its value came from, and the findings about the
//! workbook itself ([`extract_return`]: marker, version, blank card, unknown
//! template). Values are not interpreted here (that is validation);
//! this stage only finds where they are.
//!
//! - form: a label per row (optionally numbered, in any of the first cells,
//!   possibly merged), the value in the first non-empty cell to its right;
//!   "Label: value" in one cell is read too.
//! - table: a header row (or two rows, a merged group header above), then one
//!   record per row until a fully empty row or a totals row; a title block
//!   above the header holds the fields shared by every row.

mod form_table;
mod label_keys;
mod returns;

pub use returns::{Extracted, extract_return};

use std::borrow::Cow;
use std::collections::HashMap;

use label_keys::LabelKeys;

use crate::normalize::{has_numbering, joined_label_key, key, label_key};
use crate::reference::{Card, Lookup, Table};
use crate::schema::{Layout, Role, Schemas, Template};
use crate::sheet::{Cell, CellRef, CellValue, Sheet};

/// One field value found on a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct RawField {
    /// Index into the template's fields.
    pub field: usize,
    /// Where the label is.
    pub label_at: CellRef,
    /// Where the value is (or should be, when empty).
    pub at: CellRef,
    pub value: Option<CellValue>,
}

/// One record as found: a form sheet, or one row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    /// Index into the schemas' templates.
    pub template: usize,
    pub file: String,
    pub sheet: String,
    /// The first cell of the record (the first label of a card, the first
    /// cell of a table row).
    pub anchor: CellRef,
    /// The fields found, in sheet order; a field may appear twice.
    pub fields: Vec<RawField>,
}

/// A row after the end of a table that looks like data.
#[derive(Debug, Clone, PartialEq)]
pub struct StrayRow {
    pub at: CellRef,
}

/// What one sheet gave. For a form-and-table sheet (a visit protocol)
/// `records[0]` is the form and each further record one row of its table.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRecords {
    pub template: usize,
    pub records: Vec<RawRecord>,
    /// Title-block fields of a table (shared by its rows).
    pub title_fields: Vec<RawField>,
    pub stray_rows: Vec<StrayRow>,
    /// A table whose header was found but which had no rows.
    pub empty_table: bool,
}

/// How many rows from the top may hold a title or a table header.
const TITLE_ROWS: u32 = 15;
const HEADER_ROWS: u32 = 40;
/// How many of a row's first non-empty cells may hold its label.
const LABEL_CELLS: usize = 3;

/// A cell that only numbers a row: 5, "5.", "5)", "5.1.", "I.", "№".
fn is_numbering(value: &CellValue) -> bool {
    match value {
        CellValue::Number(n) => n.fract() == 0.0 && *n >= 0.0 && *n < 1000.0,
        CellValue::Text(t) => {
            let t = t.trim();
            !t.is_empty()
                && t.len() <= 8
                && (t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ')')
                    && t.chars().any(|c| c.is_ascii_digit())
                    || t == "№"
                    || t.trim_end_matches(['.', ')'])
                        .chars()
                        .all(|c| matches!(c, 'I' | 'V' | 'X'))
                        && t.ends_with(['.', ')']))
        }
        _ => false,
    }
}

/// Separators between a label and its value in one cell.
fn is_inline_separator(ch: char) -> bool {
    matches!(ch, ':' | '–' | '—' | '-')
}

/// Splits "Label: value" (or "Label – value", or with `words`, "Label value")
/// where the left part is a label of the template; gives the field and the
/// value text. The longest label wins ("Към дата: …" over "Към …").
fn split_inline(template: &Template, text: &str, words: bool, title_only: bool) -> Option<(usize, String)> {
    let mut found = None;
    for (at, ch) in text.char_indices() {
        if !(is_inline_separator(ch) || (words && ch.is_whitespace())) {
            continue;
        }
        let left = &text[..at];
        let right = text[at + ch.len_utf8()..]
            .trim_start_matches(|c: char| is_inline_separator(c) || c.is_whitespace())
            .trim_end();
        if right.is_empty() {
            continue;
        }
        if let Some(field) = template.field_by_label(&label_key(left))
            && (!title_only || template.fields[field].in_title)
        {
            found = Some((field, right.to_string()));
        }
    }
    found
}

/// How well a sheet fits each template.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fit {
    title: bool,
    matched: usize,
    required_matched: usize,
    required: usize,
}

impl Fit {
    fn plausible(&self) -> bool {
        self.title || (self.matched >= 3 && self.required_matched * 2 >= self.required.max(1))
    }

    fn score(&self) -> (bool, usize) {
        (self.title, self.matched)
    }
}

/// Label keys a sheet offers, gathered once for all the templates
/// considered; most are borrowed from the sheet's [`LabelKeys`].
#[derive(Default)]
struct Candidates<'k> {
    /// Keys of the label candidates of each row (form layout).
    row_labels: Vec<Cow<'k, str>>,
    /// Keys of header cells and of two-row header combinations (table layout).
    header_labels: Vec<Cow<'k, str>>,
}

/// The keys of the texts in the rows where a title may be, one a line (a
/// key holds no line break, so a title phrase found in them is found in
/// one key). A text without numbering has its label key for its key.
fn title_text(keys: &LabelKeys) -> String {
    let mut titles = String::new();
    for (_, start, cells) in keys.sheet().indexed_rows().take_while(|(row, _, _)| *row < TITLE_ROWS) {
        for (text, label) in (start..start + cells.len()).filter_map(|i| keys.nth(i)) {
            if has_numbering(text) {
                titles.push_str(&key(text));
            } else {
                titles.push_str(label);
            }
            titles.push('\n');
        }
    }
    titles
}

/// The label key of a text (given with its key) and the text of another
/// cell after it (the cell below in a two-row header, a sub-header under
/// its group).
fn joined_key(keys: &LabelKeys, (first, first_key): (&str, &str), second: CellRef) -> Option<String> {
    let (second, second_key) = keys.text_at(second)?;
    Some(joined_label_key(first, first_key, second, second_key))
}

/// The label keys of the layouts asked for: a row's label for forms, the
/// header cells (alone, with the cell below, under a merged group header)
/// for tables — the latter is most of the work, and not done for a sheet
/// whose title already says it is a form.
fn gather_keys<'k>(keys: &'k LabelKeys, forms: bool, tables: bool) -> Candidates<'k> {
    let sheet = keys.sheet();
    let mut found = Candidates::default();
    for (row, start, cells) in sheet.indexed_rows() {
        if forms
            && let Some(position) = cells.iter().take(LABEL_CELLS).position(|c| !is_numbering(&c.value))
            && let Some((label, own)) = keys.nth(start + position)
        {
            found.row_labels.push(Cow::Borrowed(own));
            if let Some(at) = label.find(':') {
                found.row_labels.push(Cow::Owned(label_key(&label[..at])));
            }
        }
        if tables && row < HEADER_ROWS {
            let header_labels = &mut found.header_labels;
            for (i, cell) in (start..).zip(cells) {
                if let Some(own) = keys.nth(i) {
                    header_labels.push(Cow::Borrowed(own.1));
                    let below = CellRef::new(row.saturating_add(1), cell.at.col);
                    header_labels.extend(joined_key(keys, own, below).map(Cow::Owned));
                }
            }
            // Sub-headers under a merged group header.
            for merge in sheet
                .merges()
                .iter()
                .filter(|m| m.first.row == row && m.last.col > m.first.col)
            {
                if let Some(group) = keys.text_at(merge.first) {
                    // The filled cells of the row below, not every column of
                    // the region: a forged region can span four billion.
                    let below = sheet.row(merge.last.row.saturating_add(1));
                    for cell in below
                        .iter()
                        .filter(|c| (merge.first.col..=merge.last.col).contains(&c.at.col))
                    {
                        header_labels.extend(joined_key(keys, group, cell.at).map(Cow::Owned));
                    }
                }
            }
        }
    }
    found
}

/// How well the sheet fits each template considered (`None` for the
/// others): a form by its rows' labels, a table by its header's, a form
/// with a table by both. Each candidate key is looked up once for all the
/// templates.
fn fits(schemas: &Schemas, considered: impl Fn(usize) -> bool, titled: &[bool], keys: &Candidates) -> Vec<Option<Fit>> {
    let templates = &schemas.templates;
    let mut found: Vec<Vec<bool>> = templates.iter().map(|t| vec![false; t.fields.len()]).collect();
    let mut mark = |candidates: &[Cow<str>], layout: Layout| {
        for k in candidates {
            for &(t, f) in schemas.fields_labelled(k) {
                let template = &templates[t];
                if considered(t)
                    && [layout, Layout::FormTable].contains(&template.layout)
                    && !template.fields[f].in_title
                {
                    found[t][f] = true;
                }
            }
        }
    };
    mark(&keys.row_labels, Layout::Form);
    mark(&keys.header_labels, Layout::Table);
    templates
        .iter()
        .enumerate()
        .map(|(i, template)| {
            considered(i).then(|| {
                let found = &found[i];
                let body = || template.body_fields();
                Fit {
                    title: titled[i],
                    matched: found.iter().filter(|&&f| f).count(),
                    required_matched: body().filter(|(i, f)| f.required && found[*i]).count(),
                    required: body().filter(|(_, f)| f.required).count(),
                }
            })
        })
        .collect()
}

/// The template a sheet follows, if any: the one whose title it carries, or
/// failing that the one with most of its labels (at least three, and half
/// of its required ones). A tie between the two service cards is settled by
/// the service type written on the card.
pub fn recognise(sheet: &Sheet, schemas: &Schemas) -> Option<usize> {
    recognise_keyed(&LabelKeys::new(sheet), schemas)
}

/// [`recognise`] with the sheet's label keys, to be kept for reading it.
fn recognise_keyed(keys: &LabelKeys, schemas: &Schemas) -> Option<usize> {
    let titles = title_text(keys);
    let titled: Vec<bool> = schemas.templates.iter().map(|t| t.is_titled_in(&titles)).collect();
    // A template with its title outranks every one without: only those
    // are weighed, and only their layouts' labels gathered.
    let any_title = titled.contains(&true);
    let considered = |i: usize| !any_title || titled[i];
    let needs = |layout: Layout| {
        (0..schemas.templates.len())
            .any(|i| considered(i) && [layout, Layout::FormTable].contains(&schemas.templates[i].layout))
    };
    let candidates = gather_keys(keys, needs(Layout::Form), needs(Layout::Table));
    let fits = fits(schemas, considered, &titled, &candidates);
    let plausible = || {
        fits.iter()
            .enumerate()
            .filter_map(|(i, f)| f.filter(Fit::plausible).map(|f| (i, f)))
    };
    let best = plausible().max_by_key(|(i, f)| (f.score(), std::cmp::Reverse(*i)))?;
    let ties: Vec<usize> = plausible()
        .filter(|(_, f)| f.score() == best.1.score())
        .map(|(i, _)| i)
        .collect();
    if ties.len() > 1 && ties.iter().all(|&i| schemas.templates[i].role == Role::ServiceCard) {
        return Some(service_card_by_type(keys, schemas, &ties).unwrap_or(best.0));
    }
    Some(best.0)
}

/// Among service-card templates, the one whose card carries the service type
/// written on the sheet.
fn service_card_by_type(keys: &LabelKeys, schemas: &Schemas, candidates: &[usize]) -> Option<usize> {
    let template = &schemas.templates[candidates[0]];
    let field = template.field_index(crate::schema::fields::service::SERVICE_TYPE)?;
    let records = read_form(keys, template, candidates[0], "", u32::MAX);
    let written = records
        .fields
        .iter()
        .find(|f| f.field == field)
        .and_then(|f| f.value.as_ref())
        .and_then(|v| v.as_text())?;
    let Lookup::Found(index) = schemas.reference.lookup(Table::ServiceTypes, written) else {
        return None;
    };
    let card = schemas.reference.service_types[index].card;
    candidates
        .iter()
        .copied()
        .find(|&i| card != Card::Both && schemas.templates[i].card == Some(card))
        .or_else(|| {
            candidates
                .iter()
                .copied()
                .find(|&i| schemas.templates[i].card == Some(Card::Adults))
        })
}

/// Reads a sheet as the given template.
pub fn read_sheet(sheet: &Sheet, schemas: &Schemas, template_index: usize, file: &str) -> SheetRecords {
    read_sheet_keyed(&LabelKeys::new(sheet), schemas, template_index, file)
}

/// [`read_sheet`] with the sheet's label keys (those recognition worked out).
fn read_sheet_keyed(keys: &LabelKeys, schemas: &Schemas, template_index: usize, file: &str) -> SheetRecords {
    let template = &schemas.templates[template_index];
    match template.layout {
        Layout::Form => {
            let record = read_form(keys, template, template_index, file, u32::MAX);
            SheetRecords {
                template: template_index,
                records: vec![record],
                title_fields: Vec::new(),
                stray_rows: Vec::new(),
                empty_table: false,
            }
        }
        Layout::Table => read_table(keys, schemas, template, template_index, file),
        Layout::FormTable => form_table::read(keys, schemas, template, template_index, file),
    }
}

/// The column after a cell, past the merged region it starts.
fn after(sheet: &Sheet, cell: &Cell) -> u32 {
    sheet
        .merge_starting_at(cell.at)
        .map_or(cell.at.col, |m| m.last.col.max(cell.at.col))
        .saturating_add(1)
}

/// Reads the rows above `end_row` as a form of the template.
fn read_form(keys: &LabelKeys, template: &Template, template_index: usize, file: &str, end_row: u32) -> RawRecord {
    let sheet = keys.sheet();
    let mut fields = Vec::new();
    let mut anchor = None;
    for (row, start, cells) in sheet.indexed_rows().take_while(|(row, _, _)| *row < end_row) {
        let Some((position, label_cell)) = cells
            .iter()
            .take(LABEL_CELLS)
            .enumerate()
            .find(|(_, c)| !is_numbering(&c.value))
        else {
            continue;
        };
        let Some(text) = label_cell.value.as_text() else {
            continue;
        };
        if let Some(field) = keys.nth(start + position).and_then(|(_, k)| template.field_by_label(k)) {
            let value_col = after(sheet, label_cell);
            let value_cell = cells[position + 1..].iter().find(|c| c.at.col >= value_col);
            fields.push(RawField {
                field,
                label_at: label_cell.at,
                at: value_cell.map_or(CellRef::new(row, value_col), |c| c.at),
                value: value_cell.map(|c| c.value.clone()),
            });
            anchor.get_or_insert(label_cell.at);
        } else if let Some((field, value)) = split_inline(template, text, false, false) {
            fields.push(RawField {
                field,
                label_at: label_cell.at,
                at: label_cell.at,
                value: Some(CellValue::Text(value)),
            });
            anchor.get_or_insert(label_cell.at);
        }
    }
    RawRecord {
        template: template_index,
        file: file.to_string(),
        sheet: sheet.name.clone(),
        anchor: anchor.unwrap_or_default(),
        fields,
    }
}

/// The header of a table: the row(s) it spans and the field of each column.
struct Header {
    first_row: u32,
    last_row: u32,
    columns: Vec<(u32, usize)>,
}

/// The position of the text shown at a position: its own, or that of the
/// merged region's first cell.
fn shown_at(sheet: &Sheet, at: CellRef) -> Option<CellRef> {
    let at = match sheet.get(at) {
        Some(_) => at,
        None => sheet.merge_at(at)?.first,
    };
    sheet.get(at)?.as_text().map(|_| at)
}

/// Maps the columns of a header starting at `row`, spanning `height` rows.
fn map_header(keys: &LabelKeys, template: &Template, row: u32, height: u32) -> Vec<(u32, usize)> {
    let sheet = keys.sheet();
    let end = row.saturating_add(height);
    let mut cols: Vec<u32> = (row..end).flat_map(|r| sheet.row(r).iter().map(|c| c.at.col)).collect();
    for merge in sheet.merges() {
        if merge.first.row < end && merge.last.row >= row {
            cols.extend(merge.first.col..=merge.last.col.min(merge.first.col.saturating_add(256)));
        }
    }
    cols.sort_unstable();
    cols.dedup();
    let mut columns = Vec::new();
    let mut taken = vec![false; template.fields.len()];
    for col in cols {
        let top = shown_at(sheet, CellRef::new(row, col));
        let bottom = if height > 1 {
            shown_at(sheet, CellRef::new(end - 1, col))
        } else {
            None
        };
        let text = |at: CellRef| sheet.get(at).and_then(CellValue::as_text).unwrap_or_default();
        let mut tries: Vec<Cow<str>> = Vec::new();
        match (top, bottom) {
            (Some(t), Some(b)) if text(t) != text(b) => {
                let (top_key, bottom_key) = (keys.at(t).unwrap_or_default(), keys.at(b).unwrap_or_default());
                tries.push(Cow::Owned(joined_label_key(text(t), top_key, text(b), bottom_key)));
                tries.push(Cow::Borrowed(bottom_key));
                tries.push(Cow::Borrowed(top_key));
            }
            (Some(t), _) => tries.extend(keys.at(t).map(Cow::Borrowed)),
            (None, Some(b)) => tries.extend(keys.at(b).map(Cow::Borrowed)),
            (None, None) => {}
        }
        let found = tries.iter().find_map(|k| {
            template
                .field_by_label(k)
                .filter(|&f| !template.fields[f].in_title && !taken[f])
        });
        if let Some(field) = found {
            taken[field] = true;
            columns.push((col, field));
        }
    }
    columns
}

fn find_header(keys: &LabelKeys, template: &Template) -> Option<Header> {
    let sheet = keys.sheet();
    // A table whose municipality is a column must have it in its header
    // (one in the title block, as in a municipality's report, need not).
    let municipality = template
        .field_index(crate::schema::fields::dsp::MUNICIPALITY)
        .filter(|&m| !template.fields[m].in_title);
    let mut best: Option<(usize, Header)> = None;
    for (row, _) in sheet.rows().take_while(|(r, _)| *r < HEADER_ROWS) {
        for height in [1, 2] {
            let columns = map_header(keys, template, row, height);
            let score = columns.len();
            if score < 2 || (municipality.is_some() && !columns.iter().any(|&(_, f)| Some(f) == municipality)) {
                continue;
            }
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Header {
                        first_row: row,
                        last_row: row + height - 1,
                        columns,
                    },
                ));
            }
        }
    }
    best.map(|(_, h)| h)
}

/// A row of column numbers under a header ("1 2 3 …").
fn is_column_numbers(cells: &[Cell]) -> bool {
    cells.len() >= 2
        && cells.iter().enumerate().all(|(i, c)| match &c.value {
            CellValue::Number(n) => *n == (i + 1) as f64 || *n == (f64::from(c.at.col) + 1.0),
            CellValue::Text(t) => {
                let t = t.trim().trim_end_matches('.');
                t == (i + 1).to_string() || t == (u64::from(c.at.col) + 1).to_string()
            }
            _ => false,
        })
}

fn is_totals_row(cells: &[Cell], schemas: &Schemas) -> bool {
    cells
        .iter()
        .take(LABEL_CELLS)
        .filter_map(|c| c.value.as_text())
        .any(|t| {
            let k = key(t);
            schemas.common.totals_labels.contains(&k)
                || schemas
                    .common
                    .totals_labels
                    .iter()
                    .any(|label| k.strip_prefix(label.as_str()).is_some_and(|rest| rest.starts_with(' ')))
        })
}

fn read_title_block(keys: &LabelKeys, template: &Template, header_row: u32) -> Vec<RawField> {
    let sheet = keys.sheet();
    let mut fields = Vec::new();
    for (row, cells) in sheet.rows().take_while(|(r, _)| *r < header_row) {
        for (i, cell) in cells.iter().enumerate() {
            let Some(text) = cell.value.as_text() else { continue };
            if let Some(field) = keys
                .at(cell.at)
                .and_then(|k| template.field_by_label(k))
                .filter(|&f| template.fields[f].in_title)
            {
                let value_col = after(sheet, cell);
                let value_cell = cells[i + 1..].iter().find(|c| c.at.col >= value_col);
                fields.push(RawField {
                    field,
                    label_at: cell.at,
                    at: value_cell.map_or(CellRef::new(row, value_col), |c| c.at),
                    value: value_cell.map(|c| c.value.clone()),
                });
                break;
            }
            if let Some((field, value)) = split_inline(template, text, true, true) {
                fields.push(RawField {
                    field,
                    label_at: cell.at,
                    at: cell.at,
                    value: Some(CellValue::Text(value)),
                });
            }
        }
    }
    fields
}

fn read_table(
    keys: &LabelKeys,
    schemas: &Schemas,
    template: &Template,
    template_index: usize,
    file: &str,
) -> SheetRecords {
    let mut out = SheetRecords {
        template: template_index,
        records: Vec::new(),
        title_fields: Vec::new(),
        stray_rows: Vec::new(),
        empty_table: false,
    };
    let sheet = keys.sheet();
    let Some(header) = find_header(keys, template) else {
        out.empty_table = true;
        return out;
    };
    out.title_fields = read_title_block(keys, template, header.first_row);
    let field_cols: HashMap<u32, usize> = header.columns.iter().copied().collect();
    let municipality_col = template
        .field_index(crate::schema::fields::dsp::MUNICIPALITY)
        .and_then(|m| header.columns.iter().find(|&&(_, f)| f == m).map(|&(c, _)| c));
    let mut ended = false;
    let mut expected_row = header.last_row.saturating_add(1);
    for (row, cells) in sheet.rows().filter(|(r, _)| *r > header.last_row) {
        let field_cells: Vec<&Cell> = cells.iter().filter(|c| field_cols.contains_key(&c.at.col)).collect();
        if !ended && row == header.last_row.saturating_add(1) && is_column_numbers(cells) {
            expected_row = row.saturating_add(1);
            continue;
        }
        if !ended && (row > expected_row || field_cells.is_empty() || is_totals_row(cells, schemas)) {
            ended = true;
        }
        if ended {
            let looks_like_data = !is_totals_row(cells, schemas)
                && field_cells.len() >= 2
                && municipality_col.is_some_and(|c| field_cells.iter().any(|fc| fc.at.col == c));
            if looks_like_data {
                out.stray_rows.push(StrayRow { at: cells[0].at });
            }
            continue;
        }
        expected_row = row.saturating_add(1);
        let fields: Vec<RawField> = header
            .columns
            .iter()
            .map(|&(col, field)| {
                let at = CellRef::new(row, col);
                RawField {
                    field,
                    label_at: at,
                    at,
                    value: sheet.get(at).cloned(),
                }
            })
            .collect();
        // A row that names a municipality and nothing else (a prefilled
        // template's row for a municipality this DSP does not serve) is no record.
        if fields
            .iter()
            .all(|f| Some(f.at.col) == municipality_col || f.value.is_none())
        {
            continue;
        }
        out.records.push(RawRecord {
            template: template_index,
            file: file.to_string(),
            sheet: sheet.name.clone(),
            anchor: CellRef::new(row, cells[0].at.col),
            fields,
        });
    }
    out.empty_table = out.records.is_empty();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaSource;
    use crate::sheet::Merge;
    use std::sync::OnceLock;

    fn schemas() -> &'static Schemas {
        static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| Schemas::load(&SchemaSource::BuiltIn).unwrap())
    }

    fn t(row: u32, col: u32, text: &str) -> Cell {
        Cell {
            at: CellRef::new(row, col),
            value: CellValue::Text(text.into()),
        }
    }

    fn n(row: u32, col: u32, value: f64) -> Cell {
        Cell {
            at: CellRef::new(row, col),
            value: CellValue::Number(value),
        }
    }

    fn field_values(schemas: &Schemas, record: &RawRecord) -> Vec<(String, String, String)> {
        let template = &schemas.templates[record.template];
        record
            .fields
            .iter()
            .map(|f| {
                (
                    template.fields[f.field].id.clone(),
                    f.at.to_string(),
                    f.value.as_ref().map(|v| v.display()).unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn a_card_with_numbered_merged_labels_and_blank_rows() {
        let s = schemas();
        let sheet = Sheet::new(
            "Карта",
            vec![
                t(0, 0, "КАРТА ЗА ОПИСАНИЕ НА СОЦИАЛНА УСЛУГА ЗА ЛИЦА"),
                t(1, 0, "Област: Русе"),
                n(3, 0, 1.0),
                t(3, 1, "Община"),
                t(3, 4, "Бяла"),
                t(5, 0, "2."),
                t(5, 1, "Капацитет\n(брой места):"),
                n(5, 4, 15.0),
                t(6, 1, "3. Непознат ред"),
                t(6, 4, "нещо"),
                t(7, 1, "Адрес"),
            ],
            vec![Merge {
                first: CellRef::new(7, 1),
                last: CellRef::new(7, 3),
            }],
        );
        let index = recognise(&sheet, s).unwrap();
        assert_eq!(s.templates[index].id, "service_adults");
        let read = read_sheet(&sheet, s, index, "ruse.xlsx");
        assert_eq!(
            field_values(s, &read.records[0]),
            [
                ("oblast".into(), "A2".into(), "Русе".into()),
                ("municipality".into(), "E4".into(), "Бяла".into()),
                ("capacity".into(), "E6".into(), "15".into()),
                // Empty: the value would be right of the merged label B8:D8.
                ("address".into(), "E8".into(), String::new()),
            ]
        );
    }

    #[test]
    fn a_card_without_title_is_recognised_by_its_labels() {
        let s = schemas();
        let labels = [
            "Област",
            "Община",
            "Отчетен период от",
            "Отчетен период до",
            "Население – общо",
            "Утвърден бюджет – местни дейности (лв.)",
        ];
        let cells = labels.iter().enumerate().map(|(i, l)| t(i as u32, 0, l)).collect();
        let sheet = Sheet::new("Лист1", cells, Vec::new());
        let index = recognise(&sheet, s).unwrap();
        assert_eq!(s.templates[index].id, "municipality");
    }

    #[test]
    fn an_unrelated_sheet_is_no_template() {
        let sheet = Sheet::new(
            "Бележки",
            vec![t(0, 0, "Списък за пазаруване"), t(1, 0, "мляко"), n(1, 1, 2.0)],
            Vec::new(),
        );
        assert_eq!(recognise(&sheet, schemas()), None);
    }

    #[test]
    fn a_dsp_table_with_a_two_row_header_and_totals() {
        let s = schemas();
        let sheet = Sheet::new(
            "ДСП",
            vec![
                t(
                    0,
                    0,
                    "Информация от Дирекция „Социално подпомагане“ за деца и лица с увреждания по общини",
                ),
                t(1, 0, "Дирекция „Социално подпомагане“ – Русе"),
                t(2, 0, "Област:"),
                t(2, 1, "Русе"),
                t(3, 0, "Към дата: 30.06.2017"),
                t(5, 0, "Община"),
                t(5, 1, "Деца"),
                t(5, 3, "Лица с увреждания над 18 г. (с решение на ТЕЛК/НЕЛК)"),
                t(6, 1, "0–17 г. – общо"),
                t(6, 2, "с увреждания"),
                t(6, 4, "в т.ч. с над 90 % степен на увреждане"),
                n(7, 0, 1.0),
                n(7, 1, 2.0),
                n(7, 2, 3.0),
                n(7, 3, 4.0),
                n(7, 4, 5.0),
                t(8, 0, "Русе"),
                n(8, 1, 25000.0),
                n(8, 2, 300.0),
                n(8, 3, 9000.0),
                n(8, 4, 1200.0),
                t(9, 0, "Иваново"),
                n(9, 1, 1000.0),
                n(9, 2, 20.0),
                n(9, 3, 500.0),
                t(10, 0, "Общо"),
                n(10, 1, 26000.0),
            ],
            vec![
                Merge {
                    first: CellRef::new(5, 0),
                    last: CellRef::new(6, 0),
                },
                Merge {
                    first: CellRef::new(5, 1),
                    last: CellRef::new(5, 2),
                },
                Merge {
                    first: CellRef::new(5, 3),
                    last: CellRef::new(6, 3),
                },
            ],
        );
        let index = recognise(&sheet, s).unwrap();
        assert_eq!(s.templates[index].id, "dsp");
        let read = read_sheet(&sheet, s, index, "dsp.xlsx");
        assert_eq!(read.records.len(), 2);
        let template = &s.templates[index];
        let title: Vec<(String, String)> = read
            .title_fields
            .iter()
            .map(|f| (template.fields[f.field].id.clone(), f.value.as_ref().unwrap().display()))
            .collect();
        assert_eq!(
            title,
            [
                ("directorate".to_string(), "Русе".to_string()),
                ("oblast".to_string(), "Русе".to_string()),
                ("data_date".to_string(), "30.06.2017".to_string()),
            ]
        );
        let first = field_values(s, &read.records[0]);
        assert_eq!(first[0], ("municipality".into(), "A9".into(), "Русе".into()));
        assert_eq!(first[1], ("children_total".into(), "B9".into(), "25000".into()));
        assert_eq!(first[2], ("children_disabled".into(), "C9".into(), "300".into()));
        assert_eq!(first[3], ("adults_disabled".into(), "D9".into(), "9000".into()));
        assert_eq!(first[4], ("adults_disabled_90".into(), "E9".into(), "1200".into()));
        assert!(read.stray_rows.is_empty());
    }

    #[test]
    fn rows_after_an_empty_row_are_reported_not_read() {
        let s = schemas();
        let sheet = Sheet::new(
            "ДСП",
            vec![
                t(0, 0, "Община"),
                t(0, 1, "Деца с увреждания"),
                t(0, 2, "Лица с увреждания над 18 г."),
                t(1, 0, "Русе"),
                n(1, 1, 3.0),
                n(1, 2, 4.0),
                t(3, 0, "Бяла"),
                n(3, 1, 3.0),
                n(3, 2, 4.0),
            ],
            Vec::new(),
        );
        let index = recognise(&sheet, s).unwrap();
        let read = read_sheet(&sheet, s, index, "dsp.xlsx");
        assert_eq!(read.records.len(), 1);
        assert_eq!(read.stray_rows, [StrayRow { at: CellRef::new(3, 0) }]);
    }
}
