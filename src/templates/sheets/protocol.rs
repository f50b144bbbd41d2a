//! The visit protocol's sheet (a form and a table on one sheet): the form
//! as on a card (number, label, value in column C), a blank row, then the
//! table from column B — its header and one shaded row per inspection area,
//! with drop-downs for the area, the assessment and the follow-up. The
//! team takes several institutions, so its cell has the hint, not a list.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{Ctx, FORM_HEADER_ROW, LABEL_COL, LABEL_WIDTH, NUMBER_COL, VALUE_COL, form_head, height, lines, protect};
use crate::issue::Lang;
use crate::schema::{FieldType, Template};
use crate::templates::words;

/// Width of the table's columns after the first two.
const TABLE_COL_WIDTH: f64 = 24.0;

fn note(lang: Lang) -> &'static str {
    words::pick(
        lang,
        "Попълнете оцветените клетки: данните за проверката в колона C, после по един ред за всяка проверена област. Полетата със * са задължителни. Указания — в лист „Указания“.",
        "Fill in the shaded cells: the visit in column C, then one row for each area checked. Fields marked * are required. How to fill in: see the sheet \"Instructions\".",
    )
}

/// The protocol's sheet, blank but for the oblast.
pub(crate) fn protocol_sheet(ctx: &mut Ctx, name: &str, template: &Template) -> Result<Worksheet, XlsxError> {
    let lang = ctx.lang;
    let mut ws = form_head(ctx, name, template, note(lang))?;
    let oblast = ctx.oblast_value();
    let mut row = FORM_HEADER_ROW;
    for (n, field) in template.fields.iter().filter(|f| !f.in_row && !f.in_title).enumerate() {
        row = FORM_HEADER_ROW + 1 + n as u32;
        let label = words::label(field, lang);
        ws.write_string_with_format(row, NUMBER_COL, format!("{}.", n + 1), &ctx.styles.number)?;
        ws.write_string_with_format(row, LABEL_COL, &label, &ctx.styles.label)?;
        let value = (field.kind == FieldType::Oblast).then_some(&oblast);
        ctx.value_cell(&mut ws, row, VALUE_COL, field, value)?;
        let validation = ctx.validation(field)?;
        ws.add_data_validation(row, VALUE_COL, row, VALUE_COL, &validation)?;
        let needed = lines(&label, LABEL_WIDTH).max(if field.list { 2 } else { 1 });
        if needed > 1 {
            ws.set_row_height(row, height(needed))?;
        }
    }

    let header_row = row + 2;
    let columns: Vec<_> = template.fields.iter().filter(|f| f.in_row).collect();
    let mut header_lines = 1;
    for (i, field) in columns.iter().enumerate() {
        let col = LABEL_COL + i as u16;
        if i > 1 {
            ws.set_column_width(col, TABLE_COL_WIDTH)?;
        }
        let label = words::label(field, lang);
        header_lines = header_lines.max(lines(&label, TABLE_COL_WIDTH - 2.0));
        ws.write_string_with_format(header_row, col, &label, &ctx.styles.header)?;
    }
    ws.set_row_height(header_row, height(header_lines))?;
    // One row per inspection area: a visit checks each at most once.
    let rows = ctx.schemas.reference.inspection_areas.len().max(1) as u32;
    let (first, last) = (header_row + 1, header_row + rows);
    for r in first..=last {
        for (i, field) in columns.iter().enumerate() {
            ctx.value_cell(&mut ws, r, LABEL_COL + i as u16, field, None)?;
        }
    }
    for (i, field) in columns.iter().enumerate() {
        let col = LABEL_COL + i as u16;
        let validation = ctx.validation(field)?;
        ws.add_data_validation(first, col, last, col, &validation)?;
    }
    protect(&mut ws, true);
    ws.set_selection(FORM_HEADER_ROW + 1, VALUE_COL, FORM_HEADER_ROW + 1, VALUE_COL)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(ws)
}
