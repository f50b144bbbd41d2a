//! Templates generated from the schemas: takes the [`Schemas`], an oblast and
//! a language (and, for prefilled workbooks, the data of a previous run) and
//! gives the .xlsx workbooks municipalities and DSPs fill in — the same
//! schema files that check the returns write the forms, so what is sent out
//! and what is read back cannot disagree.
//!
//! Every workbook has
//! - the card sheet(s) or the DSP table in the layout of TEMPLATES.md, labels
//!   locked, value cells unlocked, shaded, formatted (#,##0 / #,##0.00 /
//!   dd.mm.yyyy) and validated (drop-downs for every enumeration, number and
//!   date checks, the field's help as the input message), the sheet protected
//!   without a password;
//! - an instructions sheet („Указания“, skipped by the reader);
//! - a hidden sheet with the drop-down lists, each under a workbook-level
//!   defined name (so that a copy of a card sheet keeps its drop-downs);
//! - the hidden marker sheet (`marker_sheet` of `common.toml`) with one row
//!   per card sheet — `*` or the sheet's name, the template id, the schema
//!   version — which the reader trusts before titles and labels.
//!
//! No clock is read: the same schemas and data give the same bytes.

mod instructions;
mod lists;
mod prefill;
mod sheets;
mod words;

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};

use crate::error::{Error, Result};
pub use crate::issue::Lang;
use crate::reference::Oblast;
use crate::schema::{Layout, Role, Schemas, Template};
use crate::sheet::column_name;
use instructions::Kind;
use lists::Lists;
use sheets::{Ctx, Prefill, Styles, Values};

/// The years of the regional strategy a plan of services is made for: the
/// plan template offers them in its year column's drop-down and writes them
/// in its „Период на стратегията“ (STRATEGY.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrategyYears {
    pub first: i32,
    pub last: i32,
}

impl StrategyYears {
    /// The strategies of 2016–2020, which every oblast has now.
    pub const CURRENT: StrategyYears = StrategyYears {
        first: 2016,
        last: 2020,
    };

    /// Every year of the strategy, in order.
    pub fn years(self) -> std::ops::RangeInclusive<i32> {
        self.first..=self.last
    }

    /// As a plan's title block writes them: „2016–2020“.
    pub fn text(self) -> String {
        format!("{}–{}", self.first, self.last)
    }
}

/// The file name of a template's blank workbook: `<template id>.xlsx`.
pub fn file_name(template: &Template) -> String {
    format!("{}.xlsx", template.id)
}

/// The blank templates of an oblast: one workbook per template
/// (`service_adults.xlsx`, `service_children.xlsx`, `municipality.xlsx`,
/// `dsp.xlsx`, named after the template ids), as (file name, bytes).
///
/// `oblast` is a code (`RSE`) or a name („Русе“, „Област Русе“);
/// `strategy` the years of its strategy, for the plan of services.
///
/// Errors: [`Error::Usage`] for an unknown or ambiguous oblast,
/// [`Error::Output`] if a workbook cannot be built (a schema text over one
/// of Excel's limits that cannot be shortened, say).
pub fn blank(schemas: &Schemas, oblast: &str, lang: Lang, strategy: StrategyYears) -> Result<Vec<(String, Vec<u8>)>> {
    let oblast = resolve_oblast(schemas, oblast)?;
    let mut files = Vec::new();
    for template in &schemas.templates {
        let name = file_name(template);
        let bytes = blank_workbook(schemas, oblast, template, lang, strategy).map_err(|e| Error::output(&name, e))?;
        files.push((name, bytes));
    }
    Ok(files)
}

/// Per municipality of the oblast, a workbook prefilled from a previous
/// run's accepted data (`<municipality_code>.xlsx`): its municipal card and
/// one card per service it reported, so that next period the municipality
/// only updates what changed. Identity fields (name, type, address,
/// provider, capacity, dates) are filled; what is re-entered every period
/// (users, budgets, the period, the date filled in) is left empty.
///
/// `previous_data` is a run's output folder or its `data/` folder (holding
/// `services.csv` and `by_municipality.csv`; `run.json` beside `data/` gives
/// the previous period, so that services closed by its end are left out).
///
/// Errors: [`Error::Usage`] for an unknown oblast, [`Error::Input`] when the
/// previous data cannot be read, [`Error::Output`] if a workbook cannot be built.
pub fn prefilled(schemas: &Schemas, oblast: &str, lang: Lang, previous_data: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let oblast = resolve_oblast(schemas, oblast)?;
    let previous = prefill::PreviousData::load(previous_data)?;
    prefill::workbooks(schemas, oblast, lang, &previous)
}

/// Writes generated files into `dir` (created if missing), each under a
/// temporary name first and then renamed, so that a reader never sees half
/// a workbook.
///
/// Errors: any I/O error; a file name with a path separator is refused.
pub fn write(files: &[(String, Vec<u8>)], dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in files {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a plain file name: {name}"),
            ));
        }
        let temporary = dir.join(format!(".{name}.tmp"));
        std::fs::write(&temporary, bytes)?;
        if let Err(e) = std::fs::rename(&temporary, dir.join(name)) {
            let _ = std::fs::remove_file(&temporary);
            return Err(e);
        }
    }
    Ok(())
}

/// The oblast a code or a written name names.
///
/// Errors: [`Error::Usage`] naming the known oblasts (or the candidates).
fn resolve_oblast<'s>(schemas: &'s Schemas, written: &str) -> Result<&'s Oblast> {
    let reference = &schemas.reference;
    let found = reference.oblast_candidates(written, &schemas.common.oblast_prefixes);
    match found.as_slice() {
        [one] => Ok(&reference.oblasts[*one]),
        [] => {
            let known: Vec<String> = reference
                .oblasts
                .iter()
                .map(|o| format!("{} ({})", o.code, o.name_bg))
                .collect();
            Err(Error::Usage(format!(
                "unknown oblast \"{written}\"; known: {}",
                known.join(", ")
            )))
        }
        many => {
            let candidates: Vec<String> = many
                .iter()
                .map(|&i| format!("{} ({})", reference.oblasts[i].code, reference.oblasts[i].name_bg))
                .collect();
            Err(Error::Usage(format!(
                "oblast \"{written}\" is ambiguous: {}; give the code",
                candidates.join(", ")
            )))
        }
    }
}

/// The date every generated workbook carries as its creation time: a fixed
/// one, never the clock, so that the same input gives the same bytes.
fn creation_time() -> std::result::Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(2016, 1, 1)
}

/// A workbook being put together: its card sheets, in order, and what the
/// marker and the instructions must say about them.
struct Draft<'a> {
    ctx: Ctx<'a>,
    sheets: Vec<Worksheet>,
    /// (sheet name or "*", template) per marker row.
    markers: Vec<(String, &'a Template)>,
    /// Each template once, with the name of a sheet that carries it.
    templates: Vec<(&'a Template, String)>,
}

impl<'a> Draft<'a> {
    fn new(schemas: &'a Schemas, oblast: &'a Oblast, lang: Lang, strategy: StrategyYears) -> Draft<'a> {
        Draft {
            ctx: Ctx {
                schemas,
                oblast,
                lang,
                strategy,
                styles: Styles::new(),
                lists: Lists::default(),
            },
            sheets: Vec::new(),
            markers: Vec::new(),
            templates: Vec::new(),
        }
    }

    /// Adds a card sheet (form) of `template` with `values` filled in.
    fn add_form(&mut self, name: &str, template: &'a Template, values: &Values) -> std::result::Result<(), XlsxError> {
        let sheet = sheets::form_sheet(&mut self.ctx, name, template, values)?;
        self.push(sheet, name, template);
        Ok(())
    }

    /// Adds a table with its title block's `title` values and one row per
    /// entry of `rows` (the DSP's), else blank rows to fill in.
    fn add_table(
        &mut self,
        name: &str,
        template: &'a Template,
        title: &Values,
        rows: &[Values],
    ) -> std::result::Result<(), XlsxError> {
        let sheet = sheets::table_sheet(&mut self.ctx, name, template, title, rows)?;
        self.push(sheet, name, template);
        Ok(())
    }

    fn push(&mut self, sheet: Worksheet, name: &str, template: &'a Template) {
        self.sheets.push(sheet);
        self.markers.push((name.to_string(), template));
        if !self.templates.iter().any(|(t, _)| t.id == template.id) {
            self.templates.push((template, name.to_string()));
        }
    }

    /// Declares one template for every sheet (`*`), for the blank workbooks,
    /// so that a copy of the card sheet is read with the same template.
    fn mark_all(&mut self, template: &'a Template) {
        self.markers = vec![("*".to_string(), template)];
    }

    /// Adds the instructions, lists and marker sheets and the document
    /// properties, and gives the bytes.
    fn finish(mut self, kind: &Kind, title: &str) -> std::result::Result<Vec<u8>, XlsxError> {
        let lang = self.ctx.lang;
        let mut workbook = Workbook::new();
        let instructions = instructions::instructions_sheet(&mut self.ctx, &self.templates, kind)?;
        for sheet in self.sheets.drain(..) {
            workbook.push_worksheet(sheet);
        }
        workbook.push_worksheet(instructions);

        if !self.ctx.lists.entries.is_empty() {
            let mut ws = Worksheet::new();
            let sheet_name = words::lists_sheet(lang);
            ws.set_name(sheet_name)?;
            for (col, (name, values)) in self.ctx.lists.entries.iter().enumerate() {
                let col = col as u16;
                let numbers = self.ctx.lists.numbers.contains(name);
                for (row, value) in values.iter().enumerate() {
                    match value.parse::<f64>() {
                        Ok(n) if numbers => ws.write_number(row as u32, col, n)?,
                        _ => ws.write_string(row as u32, col, value)?,
                    };
                }
                ws.set_column_width(col, 40)?;
                let letter = column_name(u32::from(col));
                workbook.define_name(
                    name,
                    &format!("='{sheet_name}'!${letter}$1:${letter}${}", values.len().max(1)),
                )?;
            }
            ws.set_hidden(true);
            ws.protect();
            workbook.push_worksheet(ws);
        }

        let mut marker = Worksheet::new();
        marker.set_name(&self.ctx.schemas.common.marker_sheet)?;
        for (row, (sheet, template)) in self.markers.iter().enumerate() {
            let row = row as u32;
            marker.write_string(row, 0, sheet)?;
            marker.write_string(row, 1, &template.id)?;
            marker.write_number(row, 2, f64::from(template.version))?;
        }
        marker.set_hidden(true);
        marker.protect();
        workbook.push_worksheet(marker);

        let versions: Vec<String> = self
            .templates
            .iter()
            .map(|(t, _)| format!("{}={}", t.id, t.version))
            .collect();
        let mut properties = DocProperties::new()
            .set_title(title)
            .set_subject(words::pick(
                lang,
                "Мониторинг на социалните услуги",
                "Monitoring of social services",
            ))
            .set_creation_datetime(&creation_time()?)
            .set_custom_property("socmon_schema_versions", versions.join(", ").as_str());
        if let [(template, _)] = self.templates.as_slice() {
            properties = properties
                .set_custom_property("socmon_template", template.id.as_str())
                .set_custom_property("socmon_version", template.version as i32);
        }
        workbook.set_properties(&properties);
        workbook.save_to_buffer()
    }
}

/// The blank workbook of one template.
fn blank_workbook(
    schemas: &Schemas,
    oblast: &Oblast,
    template: &Template,
    lang: Lang,
    strategy: StrategyYears,
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut draft = Draft::new(schemas, oblast, lang, strategy);
    let name = words::blank_sheet_name(template, lang);
    match template.layout {
        Layout::Form => draft.add_form(name, template, &Values::new())?,
        Layout::Table => {
            // The DSP's table has a row per municipality; the others are filled row by row.
            let rows = match template.role {
                Role::Dsp => dsp_rows(schemas, oblast, template, lang),
                _ => Vec::new(),
            };
            // The plan carries the strategy's years its drop-down offers.
            let mut title = Values::new();
            if template.role == Role::StrategyPlan {
                title.insert(
                    crate::schema::fields::plan::STRATEGY_PERIOD.to_string(),
                    sheets::Prefill::Text(strategy.text()),
                );
            }
            draft.add_table(name, template, &title, &rows)?;
        }
        Layout::FormTable => {
            let sheet = sheets::protocol_sheet(&mut draft.ctx, name, template)?;
            draft.push(sheet, name, template);
        }
    }
    draft.mark_all(template);
    draft.finish(&Kind::Blank, words::title(template, lang))
}

/// One DSP row per municipality of the oblast, its name filled in.
fn dsp_rows(schemas: &Schemas, oblast: &Oblast, template: &Template, lang: Lang) -> Vec<Values> {
    let Some(field) = template
        .body_fields()
        .find(|(_, f)| f.kind == crate::schema::FieldType::Municipality)
        .map(|(_, f)| f)
    else {
        return Vec::new();
    };
    lists::choices(schemas, oblast, field, lang)
        .into_iter()
        .map(|(_, shown)| Values::from([(field.id.clone(), Prefill::Text(shown))]))
        .collect()
}

/// The first template of a role (the municipal card), for the prefilled workbooks.
fn template_of(schemas: &Schemas, role: Role) -> Option<&Template> {
    schemas.templates.iter().find(|t| t.role == role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaSource;

    fn schemas() -> Schemas {
        Schemas::load(&SchemaSource::Folder(
            concat!(env!("CARGO_MANIFEST_DIR"), "/schemas").into(),
        ))
        .unwrap()
    }

    #[test]
    fn every_oblast_gets_every_template_in_both_languages() {
        let s = schemas();
        for oblast in &s.reference.oblasts {
            for lang in [Lang::Bg, Lang::En] {
                let files = blank(&s, &oblast.code, lang, StrategyYears::CURRENT).unwrap();
                assert_eq!(files.len(), s.templates.len(), "{}", oblast.code);
            }
        }
    }

    #[test]
    fn an_unknown_oblast_names_the_known_ones() {
        let err = blank(&schemas(), "Атлантида", Lang::Bg, StrategyYears::CURRENT)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Атлантида") && err.contains("RSE (Русе)"), "{err}");
        let err = blank(&schemas(), "София", Lang::Bg, StrategyYears::CURRENT)
            .unwrap_err()
            .to_string();
        assert!(err.contains("SFO") && err.contains("SOF"), "{err}");
    }

    #[test]
    fn every_choice_reads_back_as_its_code() {
        use crate::reference::Lookup;
        use crate::schema::{Choices, FieldType};
        let s = schemas();
        let common = &s.common;
        for oblast in &s.reference.oblasts {
            for template in &s.templates {
                for field in &template.fields {
                    for lang in [Lang::Bg, Lang::En] {
                        for (code, shown) in lists::choices(&s, oblast, field, lang) {
                            let found: Vec<String> = match (field.kind, &field.choices) {
                                (FieldType::Oblast, _) => s
                                    .reference
                                    .oblast_candidates(&shown, &common.oblast_prefixes)
                                    .into_iter()
                                    .map(|i| s.reference.oblasts[i].code.clone())
                                    .collect(),
                                (FieldType::Municipality, _) => s
                                    .reference
                                    .municipality_candidates(&shown, &common.municipality_prefixes)
                                    .into_iter()
                                    .map(|i| s.reference.municipalities[i].clone())
                                    .filter(|m| m.oblast_code == oblast.code)
                                    .map(|m| m.code)
                                    .collect(),
                                (FieldType::YesNo, _) => {
                                    let k = crate::normalize::key(&shown);
                                    vec![if common.yes_values.contains(&k) {
                                        "true".into()
                                    } else if common.no_values.contains(&k) {
                                        "false".into()
                                    } else {
                                        String::new()
                                    }]
                                }
                                (_, Some(Choices::Reference(table))) => match s.reference.lookup(*table, &shown) {
                                    Lookup::Found(i) => vec![s.reference.entry(*table, i).0.to_string()],
                                    other => panic!("{shown}: {other:?}"),
                                },
                                (_, Some(Choices::Inline { values, names })) => match names.lookup(&shown) {
                                    Lookup::Found(i) => vec![values[i].code.clone()],
                                    other => panic!("{shown}: {other:?}"),
                                },
                                _ => Vec::new(),
                            };
                            assert_eq!(
                                found,
                                std::slice::from_ref(&code),
                                "{} {} {shown}",
                                oblast.code,
                                field.id
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_same_schemas_give_the_same_bytes() {
        let s = schemas();
        assert_eq!(
            blank(&s, "RSE", Lang::Bg, StrategyYears::CURRENT).unwrap(),
            blank(&s, "RSE", Lang::Bg, StrategyYears::CURRENT).unwrap()
        );
    }

    #[test]
    fn texts_are_clipped_to_excel_limits() {
        assert_eq!(sheets::clip("кратко", 32), "кратко");
        let long = "д".repeat(300);
        let clipped = sheets::clip(&long, 255);
        assert_eq!(clipped.encode_utf16().count(), 255);
        assert!(clipped.ends_with('…'));
    }

    #[test]
    fn write_refuses_a_path_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("socmon-templates-write-{}", std::process::id()));
        let files = vec![("a.xlsx".to_string(), b"one".to_vec())];
        write(&files, &dir).unwrap();
        assert_eq!(std::fs::read(dir.join("a.xlsx")).unwrap(), b"one");
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.xlsx"]);
        assert!(write(&[("../b.xlsx".to_string(), Vec::new())], &dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
