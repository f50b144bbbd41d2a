//! The sheets of a template: takes a template schema (and, for a prefilled
//! workbook, the values to put in) and gives the rust_xlsxwriter worksheets —
//! a card (form) or the DSP table — with labels locked, value cells unlocked,
//! formatted and validated, and the sheet protected without a password.
//!
//! The layout is the one `extract` reads (TEMPLATES.md, "Layouts"): on a card
//! a number, the label, then the value in the next column, nothing else on
//! the row (the reader takes the first non-empty cell right of the label as
//! the value, so a hint beside it would be read as one); on the DSP sheet a
//! title block, one header row, one row per municipality and a totals row
//! that ends the table.

mod protocol;

pub(crate) use protocol::protocol_sheet;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, ProtectionOptions,
    Worksheet, XlsxError,
};

use super::lists::{Lists, choices};
use super::words;
use crate::issue::Lang;
use crate::reference::Oblast;
use crate::schema::{Field, FieldType, Role, Schemas, Template};
use crate::sheet::CellRef;

/// A value put into a cell of a prefilled template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prefill {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// Values by field id.
pub(crate) type Values = BTreeMap<String, Prefill>;

/// The cell formats of a template workbook.
pub(crate) struct Styles {
    pub(crate) title: Format,
    pub(crate) note: Format,
    pub(crate) header: Format,
    pub(crate) number: Format,
    pub(crate) label: Format,
    pub(crate) paragraph: Format,
    pub(crate) cell: Format,
    value_text: Format,
    value_int: Format,
    value_decimal: Format,
    value_date: Format,
    /// A year: a whole number without a thousands separator (2016, not 2 016).
    value_year: Format,
    total_label: Format,
    total_int: Format,
}

/// The shade of the cells to fill in.
const VALUE_FILL: &str = "#FFF2CC";

impl Styles {
    pub(crate) fn new() -> Styles {
        let bordered = || Format::new().set_border(FormatBorder::Thin).set_border_color("#A6A6A6");
        let value = || bordered().set_unlocked().set_background_color(VALUE_FILL);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color("#404040"),
            header: bordered()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#DDEBF7"),
            number: bordered().set_align(FormatAlign::Top),
            label: bordered().set_text_wrap().set_align(FormatAlign::Top),
            paragraph: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            cell: bordered().set_text_wrap().set_align(FormatAlign::Top),
            // "@" keeps what is typed as text: "7-18" is not turned into a date, a
            // licence number keeps its leading zeros.
            value_text: value().set_num_format("@").set_text_wrap().set_align(FormatAlign::Top),
            value_int: value().set_num_format("#,##0").set_align(FormatAlign::Top),
            value_decimal: value().set_num_format("#,##0.00").set_align(FormatAlign::Top),
            value_date: value().set_num_format("dd.mm.yyyy").set_align(FormatAlign::Top),
            value_year: value().set_num_format("0").set_align(FormatAlign::Top),
            total_label: bordered().set_bold().set_background_color("#F2F2F2"),
            total_int: bordered()
                .set_bold()
                .set_background_color("#F2F2F2")
                .set_num_format("#,##0"),
        }
    }

    fn value_for(&self, kind: FieldType) -> &Format {
        match kind {
            FieldType::Integer => &self.value_int,
            FieldType::Decimal | FieldType::Money => &self.value_decimal,
            FieldType::Date => &self.value_date,
            _ => &self.value_text,
        }
    }
}

/// What every sheet of one workbook shares.
pub(crate) struct Ctx<'a> {
    pub(crate) schemas: &'a Schemas,
    pub(crate) oblast: &'a Oblast,
    pub(crate) lang: Lang,
    /// The strategy's years, which the plan's year column offers.
    pub(crate) strategy: super::StrategyYears,
    pub(crate) styles: Styles,
    pub(crate) lists: Lists,
}

/// Whether a field of a template is a year (written without a thousands separator).
fn is_year(template: &Template, field: &Field) -> bool {
    use crate::schema::fields::{indicators, plan};
    match template.role {
        Role::StrategyPlan => field.id == plan::YEAR,
        Role::StrategyIndicators => field.id == indicators::BASELINE_YEAR || field.id == indicators::TARGET_YEAR,
        _ => false,
    }
}

/// Whether a field is the plan's year, which must lie in the strategy's years.
fn is_plan_year(template: &Template, field: &Field) -> bool {
    template.role == Role::StrategyPlan && field.id == crate::schema::fields::plan::YEAR
}

/// Cuts a text to Excel's limit in UTF-16 units (input titles 32, messages
/// 255), ending a cut text with "…".
pub(crate) fn clip(text: &str, limit: usize) -> String {
    if text.encode_utf16().count() <= limit {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        if used + ch.len_utf16() + 1 > limit {
            break;
        }
        used += ch.len_utf16();
        out.push(ch);
    }
    format!("{}…", out.trim_end())
}

/// Excel's limits for a validation's texts.
const TITLE_LIMIT: usize = 32;
const MESSAGE_LIMIT: usize = 255;

/// The earliest and latest dates a date cell takes: Excel has no dates
/// before 1900, and no monitoring date is later than this century.
fn date_bounds() -> Result<(ExcelDateTime, ExcelDateTime), XlsxError> {
    Ok((
        ExcelDateTime::from_ymd(1900, 1, 1)?,
        ExcelDateTime::from_ymd(2099, 12, 31)?,
    ))
}

pub(crate) fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        date.year().clamp(1900, 9999) as u16,
        date.month() as u8,
        date.day() as u8,
    )
}

/// The whole-number bound of a schema limit (Excel validates i32 only).
fn whole(limit: f64) -> i32 {
    limit.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

impl Ctx<'_> {
    /// The data validation of a field's value cell: a drop-down for every
    /// enumeration, number and date checks, and the field's help as the
    /// input message.
    pub(crate) fn validation(&mut self, field: &Field) -> Result<DataValidation, XlsxError> {
        let lang = self.lang;
        let rule = DataValidation::new();
        let rule = match field.kind {
            // Several values in one cell (a visit's team): the hint, no list.
            FieldType::Text | FieldType::Enum if field.list => rule.allow_any_value(),
            FieldType::Text => rule.allow_any_value(),
            FieldType::Integer => rule.allow_whole_number(match (field.min, field.max) {
                (Some(min), Some(max)) => DataValidationRule::Between(whole(min), whole(max)),
                (Some(min), None) => DataValidationRule::GreaterThanOrEqualTo(whole(min)),
                (None, Some(max)) => DataValidationRule::LessThanOrEqualTo(whole(max)),
                (None, None) => DataValidationRule::Between(i32::MIN, i32::MAX),
            }),
            FieldType::Decimal | FieldType::Money => rule.allow_decimal_number(match (field.min, field.max) {
                (Some(min), Some(max)) => DataValidationRule::Between(min, max),
                (Some(min), None) => DataValidationRule::GreaterThanOrEqualTo(min),
                (None, Some(max)) => DataValidationRule::LessThanOrEqualTo(max),
                (None, None) => DataValidationRule::Between(-1e12, 1e12),
            }),
            FieldType::Date => {
                let (first, last) = date_bounds()?;
                rule.allow_date(DataValidationRule::Between(first, last))
            }
            FieldType::YesNo | FieldType::Oblast | FieldType::Municipality | FieldType::Enum => {
                let shown: Vec<String> = choices(self.schemas, self.oblast, field, lang)
                    .into_iter()
                    .map(|(_, shown)| shown)
                    .collect();
                if shown.is_empty() {
                    rule.allow_any_value()
                } else {
                    let name = self.lists.name_for(field, shown);
                    rule.allow_list_formula(Formula::new(format!("={name}")))
                }
            }
        };
        let message = words::explanation(field, lang).join("\n");
        rule.set_input_title(clip(words::plain_label(field, lang), TITLE_LIMIT))?
            .set_input_message(clip(&message, MESSAGE_LIMIT))?
            .set_error_title(clip(words::error_title(lang), TITLE_LIMIT))?
            .set_error_message(clip(&words::error_message(field, lang), MESSAGE_LIMIT))
    }

    /// The validation of the plan's year: a drop-down of the strategy's
    /// years, with the field's help and the years as the input message.
    fn year_validation(&mut self, field: &Field) -> Result<DataValidation, XlsxError> {
        let lang = self.lang;
        let years: Vec<i32> = self.strategy.years().collect();
        let name = self.lists.name_for_numbers(field, &years);
        let span = self.strategy.text();
        let mut message: Vec<String> = Vec::new();
        if lang == Lang::Bg && !field.help.trim().is_empty() {
            message.push(field.help.trim().to_string());
        }
        message.push(match lang {
            Lang::Bg => format!("Изберете година на стратегията ({span}) от падащия списък."),
            Lang::En => format!("Choose a year of the strategy ({span}) from the drop-down list."),
        });
        let error = match lang {
            Lang::Bg => format!("„{}“: година на стратегията, от {span}.", field.label),
            Lang::En => format!("\"{}\": a year of the strategy, {span}.", field.label_en),
        };
        DataValidation::new()
            .allow_list_formula(Formula::new(format!("={name}")))
            .set_input_title(clip(words::plain_label(field, lang), TITLE_LIMIT))?
            .set_input_message(clip(&message.join("\n"), MESSAGE_LIMIT))?
            .set_error_title(clip(words::error_title(lang), TITLE_LIMIT))?
            .set_error_message(clip(&error, MESSAGE_LIMIT))
    }

    /// Writes a value cell (blank or prefilled) in the format of its field.
    fn value_cell(
        &self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        field: &Field,
        value: Option<&Prefill>,
    ) -> Result<(), XlsxError> {
        self.value_cell_as(ws, row, col, self.styles.value_for(field.kind), value)
    }

    /// Writes a value cell (blank or prefilled) in `format`.
    fn value_cell_as(
        &self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        format: &Format,
        value: Option<&Prefill>,
    ) -> Result<(), XlsxError> {
        match value {
            // Always a string cell: a name starting with "=" never becomes a formula.
            Some(Prefill::Text(text)) => ws.write_string_with_format(row, col, text, format)?,
            Some(Prefill::Number(n)) => ws.write_number_with_format(row, col, *n, format)?,
            Some(Prefill::Date(d)) => ws.write_datetime_with_format(row, col, excel_date(*d)?, format)?,
            None => ws.write_blank(row, col, format)?,
        };
        Ok(())
    }

    /// The oblast's value as the cells write it.
    fn oblast_value(&self) -> Prefill {
        Prefill::Text(super::lists::oblast_name(
            &self.schemas.reference,
            &self.schemas.common,
            self.oblast,
            self.lang,
        ))
    }
}

/// Rows of text a cell of this width (in characters) shows.
fn lines(text: &str, width: f64) -> u32 {
    let per_line = (width * 0.95).max(1.0) as usize;
    text.split('\n')
        .map(|part| part.chars().count().div_ceil(per_line).max(1) as u32)
        .sum()
}

/// A row height that shows `n` lines of the default font.
pub(crate) fn height(n: u32) -> f64 {
    15.0 * f64::from(n.max(1))
}

/// Protection without a password: the labels cannot be overwritten by
/// mistake, the shaded cells can, and columns and rows may still be resized.
fn protect(ws: &mut Worksheet, delete_rows: bool) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        delete_rows,
        insert_rows: delete_rows,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&options);
}

/// Card columns: number, label, value.
const NUMBER_COL: u16 = 0;
const LABEL_COL: u16 = 1;
const VALUE_COL: u16 = 2;
const LABEL_WIDTH: f64 = 58.0;
const VALUE_WIDTH: f64 = 44.0;
/// The header row of a card; the fields follow it.
const FORM_HEADER_ROW: u32 = 3;

/// A card: title, note, a header row, then one row per field. The oblast is
/// filled in (the template is made for it); other values come from `values`.
/// The head of a form's sheet: its columns' widths, the title, the note
/// under it and the header row (№, field, value); the fields follow below.
fn form_head(ctx: &Ctx, name: &str, template: &Template, note: &str) -> Result<Worksheet, XlsxError> {
    let lang = ctx.lang;
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_column_width(NUMBER_COL, 5)?;
    ws.set_column_width(LABEL_COL, LABEL_WIDTH)?;
    ws.set_column_width(VALUE_COL, VALUE_WIDTH)?;
    ws.write_string_with_format(0, 0, words::title(template, lang), &ctx.styles.title)?;
    ws.write_string_with_format(1, 0, note, &ctx.styles.note)?;
    for (i, text) in words::form_header(lang).iter().enumerate() {
        ws.write_string_with_format(FORM_HEADER_ROW, i as u16, *text, &ctx.styles.header)?;
    }
    Ok(ws)
}

pub(crate) fn form_sheet(
    ctx: &mut Ctx,
    name: &str,
    template: &Template,
    values: &Values,
) -> Result<Worksheet, XlsxError> {
    let lang = ctx.lang;
    let mut ws = form_head(ctx, name, template, words::form_note(lang))?;
    let oblast = ctx.oblast_value();
    for (n, (_, field)) in template.body_fields().enumerate() {
        let row = FORM_HEADER_ROW + 1 + n as u32;
        let label = words::label(field, lang);
        ws.write_string_with_format(row, NUMBER_COL, format!("{}.", n + 1), &ctx.styles.number)?;
        ws.write_string_with_format(row, LABEL_COL, &label, &ctx.styles.label)?;
        let value = match field.kind {
            FieldType::Oblast => Some(&oblast),
            _ => values.get(&field.id),
        };
        ctx.value_cell(&mut ws, row, VALUE_COL, field, value)?;
        let validation = ctx.validation(field)?;
        ws.add_data_validation(row, VALUE_COL, row, VALUE_COL, &validation)?;
        let shown = match value {
            Some(Prefill::Text(t)) => lines(t, VALUE_WIDTH),
            _ => 1,
        };
        let needed = lines(&label, LABEL_WIDTH).max(shown);
        if needed > 1 {
            ws.set_row_height(row, height(needed))?;
        }
    }
    protect(&mut ws, false);
    ws.set_selection(FORM_HEADER_ROW + 1, VALUE_COL, FORM_HEADER_ROW + 1, VALUE_COL)?;
    ws.set_print_fit_to_pages(1, 0);
    ws.set_paper_size(9);
    Ok(ws)
}

/// Table geometry: the title block from row 3, header and rows below it.
const TABLE_TITLE_ROW: u32 = 3;
/// The blank rows of a table filled row by row (a plan's actions, a
/// report's activities); more can be inserted.
const BLANK_ROWS: u32 = 150;
const TABLE_FIRST_COL_WIDTH: f64 = 26.0;
const TABLE_COL_WIDTH: f64 = 16.0;

/// A table: title, note, the title block (the DSP's directorate, oblast and
/// date; the plan's oblast and strategy; …), a header row, then for the
/// DSP one row per entry of `rows` (the municipalities of the oblast) and a
/// totals row „Общо“ with SUM formulas, for the other tables (filled row by
/// row) [`BLANK_ROWS`] blank rows and no totals. The plan's year column
/// offers the strategy's years.
pub(crate) fn table_sheet(
    ctx: &mut Ctx,
    name: &str,
    template: &Template,
    title_values: &Values,
    rows: &[Values],
) -> Result<Worksheet, XlsxError> {
    let lang = ctx.lang;
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    let body: Vec<&Field> = template.body_fields().map(|(_, f)| f).collect();
    ws.set_column_width(0, TABLE_FIRST_COL_WIDTH)?;
    for col in 1..body.len() {
        ws.set_column_width(col as u16, TABLE_COL_WIDTH)?;
    }
    ws.write_string_with_format(0, 0, words::title(template, lang), &ctx.styles.title)?;
    let dsp = template.role == Role::Dsp;
    ws.write_string_with_format(1, 0, words::table_note(template.role, lang), &ctx.styles.note)?;

    let oblast = ctx.oblast_value();
    let mut row = TABLE_TITLE_ROW;
    for field in template.fields.iter().filter(|f| f.in_title) {
        let label = words::label(field, lang);
        ws.write_string_with_format(row, 0, &label, &ctx.styles.label)?;
        // The value spans a few columns so that a directorate's name fits;
        // the reader takes the merged region's first cell.
        let last = (body.len().min(4) as u16).max(1);
        ws.merge_range(row, 1, row, last, "", ctx.styles.value_for(field.kind))?;
        let value = match field.kind {
            FieldType::Oblast => Some(&oblast),
            _ => title_values.get(&field.id),
        };
        ctx.value_cell(&mut ws, row, 1, field, value)?;
        let validation = ctx.validation(field)?;
        ws.add_data_validation(row, 1, row, 1, &validation)?;
        if lines(&label, TABLE_FIRST_COL_WIDTH) > 1 {
            ws.set_row_height(row, height(lines(&label, TABLE_FIRST_COL_WIDTH)))?;
        }
        row += 1;
    }

    let header_row = row + 1;
    let mut header_lines = 1;
    for (col, field) in body.iter().enumerate() {
        let label = words::label(field, lang);
        let width = if col == 0 {
            TABLE_FIRST_COL_WIDTH
        } else {
            TABLE_COL_WIDTH
        };
        header_lines = header_lines.max(lines(&label, width - 2.0));
        ws.write_string_with_format(header_row, col as u16, &label, &ctx.styles.header)?;
    }
    ws.set_row_height(header_row, height(header_lines))?;

    let first = header_row + 1;
    let count = if dsp { rows.len().max(1) as u32 } else { BLANK_ROWS };
    let last = first + count - 1;
    for (col, field) in body.iter().enumerate() {
        let format = if is_year(template, field) {
            &ctx.styles.value_year
        } else {
            ctx.styles.value_for(field.kind)
        };
        for i in 0..count {
            let value = rows.get(i as usize).and_then(|values| values.get(&field.id));
            ctx.value_cell_as(&mut ws, first + i, col as u16, format, value)?;
        }
        let validation = if is_plan_year(template, field) {
            ctx.year_validation(field)?
        } else {
            ctx.validation(field)?
        };
        ws.add_data_validation(first, col as u16, last, col as u16, &validation)?;
    }
    if !dsp {
        protect(&mut ws, true);
        ws.set_freeze_panes(first, 1)?;
        ws.set_selection(first, 0, first, 0)?;
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        return Ok(ws);
    }

    let totals = last + 1;
    ws.write_string_with_format(totals, 0, words::totals(lang), &ctx.styles.total_label)?;
    for (col, field) in body.iter().enumerate().skip(1) {
        if field.kind.is_numeric() {
            let col = col as u16;
            let range = format!(
                "{}:{}",
                CellRef::new(first, u32::from(col)),
                CellRef::new(last, u32::from(col))
            );
            let sum = rows
                .iter()
                .filter_map(|r| match r.get(&field.id) {
                    Some(Prefill::Number(n)) => Some(*n),
                    _ => None,
                })
                .sum::<f64>();
            let formula = Formula::new(format!("=SUM({range})")).set_result(crate::sheet::format_number(sum));
            ws.write_formula_with_format(totals, col, formula, &ctx.styles.total_int)?;
        } else {
            ws.write_blank(totals, col as u16, &ctx.styles.total_label)?;
        }
    }

    // Rows can be deleted (a DSP serves only some municipalities) because
    // every cell of a data row is unlocked; Excel refuses to delete a row
    // with a locked cell on a protected sheet.
    protect(&mut ws, true);
    ws.set_freeze_panes(first, 1)?;
    ws.set_selection(first, 1, first, 1)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    Ok(ws)
}
