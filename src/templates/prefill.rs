//! Prefilled workbooks: takes the data files of a previous run
//! (`data/services.csv`, `data/by_municipality.csv`, `run.json`) and gives,
//! per municipality of the oblast, a workbook with its municipal card and one
//! card per service it reported, the identity of each filled in.
//!
//! Columns are found by name, so a column added to `services.csv` later
//! (the licence number, the age group) is carried over as soon as it is
//! there, under the field id it is named after. Which fields are carried is
//! the schemas' say (`prefill = true` on a field): what describes the
//! service, not what it did in the period; of the municipal card, the
//! population.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::instructions::Kind;
use super::lists::{choices, municipality_name};
use super::sheets::{Prefill, Values};
use super::{Draft, StrategyYears, template_of, words};
use crate::error::{Error, Result};
use crate::issue::Lang;
use crate::reference::{Card, Oblast};
use crate::schema::fields::service;
use crate::schema::{Field, FieldType, Role, Schemas, Template};

/// One CSV row by column name.
type Row = BTreeMap<String, String>;

/// What a previous run left behind.
#[derive(Debug)]
pub(crate) struct PreviousData {
    pub(crate) services: Vec<Row>,
    pub(crate) municipalities: Vec<Row>,
    /// The last day of the previous period (from `run.json`), when known.
    pub(crate) period_end: Option<NaiveDate>,
}

fn input_error(path: &Path, message: impl ToString) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_string()),
    }
}

fn read_csv(path: &Path) -> Result<Vec<Row>> {
    let text = std::fs::read(path).map_err(|source| Error::Input {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::Reader::from_reader(text.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| input_error(path, e))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| input_error(path, e))?;
        rows.push(header.iter().cloned().zip(record.iter().map(str::to_string)).collect());
    }
    Ok(rows)
}

impl PreviousData {
    /// Reads the previous data from a run's output folder or its `data/`.
    ///
    /// Errors: [`Error::Input`] when `services.csv` is not found or a file
    /// cannot be read or parsed.
    pub(crate) fn load(dir: &Path) -> Result<PreviousData> {
        let (data, run_json): (PathBuf, PathBuf) = if dir.join("services.csv").is_file() {
            let parent = dir.parent().unwrap_or(dir);
            let beside = dir.join("run.json");
            (
                dir.to_path_buf(),
                if beside.is_file() {
                    beside
                } else {
                    parent.join("run.json")
                },
            )
        } else if dir.join("data").join("services.csv").is_file() {
            (dir.join("data"), dir.join("run.json"))
        } else {
            return Err(Error::Input {
                path: dir.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no services.csv here or in data/: give the output folder of a previous run",
                ),
            });
        };
        let services = read_csv(&data.join("services.csv"))?;
        let by_municipality = data.join("by_municipality.csv");
        let municipalities = if by_municipality.is_file() {
            read_csv(&by_municipality)?
        } else {
            Vec::new()
        };
        let period_end = std::fs::read(&run_json)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|v| v.pointer("/period/end")?.as_str().map(str::to_string))
            .and_then(|end| NaiveDate::parse_from_str(&end, "%Y-%m-%d").ok());
        Ok(PreviousData {
            services,
            municipalities,
            period_end,
        })
    }
}

/// The text of a CSV cell, with the `'` that kept it from being a formula dropped.
fn cell(row: &Row, column: &str) -> Option<String> {
    let text = row.get(column)?.trim();
    let text = match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    };
    (!text.is_empty()).then(|| text.to_string())
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A CSV value as the template's cell writes it: a code as the name the
/// drop-down shows, a date as a date, a number as a number.
fn value_of(schemas: &Schemas, oblast: &Oblast, field: &Field, text: &str, lang: Lang) -> Option<Prefill> {
    match field.kind {
        FieldType::Text => Some(Prefill::Text(text.to_string())),
        FieldType::Integer | FieldType::Decimal | FieldType::Money => text.parse().ok().map(Prefill::Number),
        FieldType::Date => date(text).map(Prefill::Date),
        FieldType::YesNo | FieldType::Oblast | FieldType::Municipality | FieldType::Enum => {
            let shown = choices(schemas, oblast, field, lang)
                .into_iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(text))
                .map_or_else(|| text.to_string(), |(_, shown)| shown);
            Some(Prefill::Text(shown))
        }
    }
}

/// A previous service, for one municipality's workbook.
struct Service<'s> {
    template: &'s Template,
    name: String,
    values: Values,
}

/// The service-card template a services.csv row was read with.
fn service_template<'s>(schemas: &'s Schemas, row: &Row) -> Option<&'s Template> {
    cell(row, "template")
        .and_then(|id| schemas.template(&id))
        .filter(|t| t.role == Role::ServiceCard)
        .or_else(|| {
            let card = match cell(row, "card")?.as_str() {
                "children" => Card::Children,
                _ => Card::Adults,
            };
            schemas
                .templates
                .iter()
                .find(|t| t.role == Role::ServiceCard && t.card == Some(card))
        })
}

/// The services of one municipality worth a card next period: counted
/// (not a later copy of a duplicate) and not closed by the end of the
/// previous period (any closing date closes it when that period is unknown).
fn services_of<'s>(
    schemas: &'s Schemas,
    oblast: &Oblast,
    municipality: &str,
    previous: &PreviousData,
    lang: Lang,
) -> Vec<Service<'s>> {
    let mut out = Vec::new();
    for row in &previous.services {
        if cell(row, "municipality_code").as_deref() != Some(municipality)
            || cell(row, "counted").as_deref() == Some("false")
        {
            continue;
        }
        let closed = cell(row, service::END_DATE)
            .and_then(|d| date(&d))
            .is_some_and(|end| previous.period_end.is_none_or(|last| end <= last));
        if closed {
            continue;
        }
        let Some(template) = service_template(schemas, row) else {
            continue;
        };
        let mut values = Values::new();
        for field in template.fields.iter() {
            let text = match field.kind {
                FieldType::Municipality => Some(municipality.to_string()),
                FieldType::Oblast => None,
                _ if field.prefill => cell(row, &field.id),
                _ => None,
            };
            if let Some(value) = text.and_then(|t| value_of(schemas, oblast, field, &t, lang)) {
                values.insert(field.id.clone(), value);
            }
        }
        out.push(Service {
            template,
            name: cell(row, service::SERVICE_NAME).unwrap_or_default(),
            values,
        });
    }
    out
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// no apostrophe at either end.
fn sheet_name(number: usize, service: &str) -> String {
    let cleaned: String = format!("{number}. {service}")
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let folded = crate::normalize::fold_text(&cleaned);
    let cut: String = folded.chars().take(31).collect();
    cut.trim().trim_matches('\'').trim().to_string()
}

/// The prefilled workbooks of every municipality of the oblast.
///
/// Errors: [`Error::Schema`] when the schemas have no municipal card,
/// [`Error::Output`] if a workbook cannot be built.
pub(crate) fn workbooks(
    schemas: &Schemas,
    oblast: &Oblast,
    lang: Lang,
    previous: &PreviousData,
) -> Result<Vec<(String, Vec<u8>)>> {
    let municipal = template_of(schemas, Role::MunicipalCard).ok_or_else(|| Error::Schema {
        file: "schemas/".into(),
        message: "no template has role municipal_card".into(),
    })?;
    let reference = &schemas.reference;
    let mut files = Vec::new();
    for m in reference.municipalities_of(&oblast.code) {
        let file = format!("{}.xlsx", m.code);
        let mut card = Values::new();
        let figures = previous
            .municipalities
            .iter()
            .find(|r| cell(r, "municipality_code").as_deref() == Some(m.code.as_str()));
        for field in &municipal.fields {
            let text = match field.kind {
                FieldType::Municipality => Some(m.code.clone()),
                _ if field.prefill => figures.and_then(|r| cell(r, &field.id)),
                _ => None,
            };
            if let Some(value) = text.and_then(|t| value_of(schemas, oblast, field, &t, lang)) {
                card.insert(field.id.clone(), value);
            }
        }
        let mut draft = Draft::new(schemas, oblast, lang, StrategyYears::CURRENT);
        draft
            .add_form(words::municipal_sheet_name(lang), municipal, &card)
            .map_err(|e| Error::output(&file, e))?;
        for (n, service) in services_of(schemas, oblast, &m.code, previous, lang).iter().enumerate() {
            draft
                .add_form(&sheet_name(n + 1, &service.name), service.template, &service.values)
                .map_err(|e| Error::output(&file, e))?;
        }
        let name = municipality_name(reference, &schemas.common, m, lang);
        let title = match lang {
            Lang::Bg => format!("Община {name}: карти за мониторинг на социалните услуги"),
            Lang::En => format!("Municipality of {name}: social services monitoring cards"),
        };
        let bytes = draft
            .finish(&Kind::Prefilled { municipality: &name }, &title)
            .map_err(|e| Error::output(&file, e))?;
        files.push((file, bytes));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name(1, "ДЦ „Надежда“"), "1. ДЦ „Надежда“");
        assert_eq!(sheet_name(2, "ЦНСТ [1]: деца/младежи"), "2. ЦНСТ 1 деца младежи");
        let long = sheet_name(12, &"Център за социална рехабилитация и интеграция".repeat(2));
        assert_eq!(long.chars().count(), 31);
    }

    #[test]
    fn a_neutralised_text_gets_its_first_character_back() {
        let row: Row = [("service_name".to_string(), "'=Дом".to_string())].into();
        assert_eq!(cell(&row, "service_name").as_deref(), Some("=Дом"));
        let row: Row = [("service_name".to_string(), "'Св. Иван'".to_string())].into();
        assert_eq!(cell(&row, "service_name").as_deref(), Some("'Св. Иван'"));
    }
}
