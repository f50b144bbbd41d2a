//! Across files: takes every record of the run and gives the findings no
//! single file shows — the same record sent twice (both places reported,
//! counted once), a municipal card's counts against the service cards
//! received, and the municipal cards and DSP rows that never came. Also
//! tells which oblasts the returns name, before validation, so that the run
//! knows its oblast.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Context, Record, Value};
use crate::extract::SheetRecords;
use crate::issue::{Finding, Issue, Location, Severity};
use crate::normalize::key;
use crate::reference::Reference;
use crate::schema::{FieldType, Role, Schemas};

/// The oblast of a raw record, as far as its municipality or oblast field
/// tells without context (None when neither settles it).
fn oblast_of_raw(schemas: &Schemas, sheet: &SheetRecords, record: &crate::extract::RawRecord) -> Option<String> {
    let reference: &Reference = &schemas.reference;
    let common = &schemas.common;
    let template = &schemas.templates[record.template];
    let text = |kind: FieldType| -> Option<String> {
        record
            .fields
            .iter()
            .chain(sheet.title_fields.iter())
            .find(|f| template.fields[f.field].kind == kind && f.value.is_some())
            .and_then(|f| f.value.as_ref())
            .map(|v| v.display())
    };
    let oblasts: Vec<String> = text(FieldType::Oblast)
        .map(|t| {
            reference
                .oblast_candidates(&t, &common.oblast_prefixes)
                .into_iter()
                .map(|i| reference.oblasts[i].code.clone())
                .collect()
        })
        .unwrap_or_default();
    let municipalities: Vec<String> = text(FieldType::Municipality)
        .map(|t| {
            reference
                .municipality_candidates(&t, &common.municipality_prefixes)
                .into_iter()
                .map(|i| reference.municipalities[i].oblast_code.clone())
                .collect()
        })
        .unwrap_or_default();
    match (municipalities.as_slice(), oblasts.as_slice()) {
        ([one], _) => Some(one.clone()),
        (many, _) if many.len() > 1 && many.iter().all(|o| o == &many[0]) => Some(many[0].clone()),
        (many, os) if !many.is_empty() => {
            let both: Vec<&String> = many.iter().filter(|o| os.contains(o)).collect();
            (both.len() == 1).then(|| both[0].clone())
        }
        (_, [one]) => Some(one.clone()),
        _ => None,
    }
}

/// The oblasts the returns name, each with the files that name it (sorted).
pub fn oblasts_named<'a>(
    schemas: &Schemas,
    sheets: impl Iterator<Item = &'a SheetRecords>,
) -> BTreeMap<String, Vec<String>> {
    let mut named: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for sheet in sheets {
        for record in &sheet.records {
            if let Some(oblast) = oblast_of_raw(schemas, sheet, record) {
                let files = named.entry(oblast).or_default();
                if !files.contains(&record.file) {
                    files.push(record.file.clone());
                }
            }
        }
    }
    for files in named.values_mut() {
        files.sort();
    }
    named
}

/// The identity of a record: its role and the normalised identity fields.
fn identity(schemas: &Schemas, record: &Record) -> Option<(Role, Vec<String>)> {
    let template = &schemas.templates[record.template];
    if template.identity.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for &field in &template.identity {
        let value = record.values[field].as_ref()?;
        parts.push(match value {
            Value::Text(t) => key(t),
            other => other.display(),
        });
    }
    Some((template.role, parts))
}

/// The same record sent twice (same role and identity): each copy after the
/// first is reported and not counted, and the first is reported as counted.
/// Only accepted records take part; `records` must be in report order.
pub fn check_duplicates(schemas: &Schemas, records: &mut [Record]) -> Vec<Issue> {
    let mut first_of: HashMap<(Role, Vec<String>), usize> = HashMap::new();
    let mut issues = Vec::new();
    for i in 0..records.len() {
        if !records[i].accepted() {
            continue;
        }
        let Some(id) = identity(schemas, &records[i]) else {
            continue;
        };
        match first_of.get(&id) {
            None => {
                first_of.insert(id, i);
            }
            Some(&first) => {
                records[i].counted = false;
                let later = &records[i];
                let earlier = &records[first];
                for (this, other, counted) in [(later, earlier, false), (earlier, later, true)] {
                    issues.push(
                        Issue::warning(
                            this.location(),
                            Finding::Duplicate {
                                other: other.location(),
                                counted,
                            },
                        )
                        .template(&schemas.templates[this.template].id)
                        .municipality(this.municipality.as_deref()),
                    );
                }
                records[i].warnings += 1;
                records[first].warnings += 1;
            }
        }
    }
    issues
}

/// A municipal card's declared counts of services against the service cards
/// received from the municipality (each service once, open in the period).
pub fn check_card_counts(ctx: &Context, records: &mut [Record]) -> Vec<Issue> {
    let schemas = ctx.schemas;
    let reference = &schemas.reference;
    // Service cards received per municipality: service type codes, each service once.
    let mut received: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut seen: HashSet<(Role, Vec<String>)> = HashSet::new();
    for record in records.iter() {
        let template = &schemas.templates[record.template];
        if template.role != Role::ServiceCard {
            continue;
        }
        let (Some(m), Some(Value::Code(service))) = (
            record.municipality.as_deref(),
            record.get(template, crate::schema::fields::service::SERVICE_TYPE),
        ) else {
            continue;
        };
        let opened = record
            .get(template, crate::schema::fields::service::START_DATE)
            .and_then(Value::as_date);
        let closed = record
            .get(template, crate::schema::fields::service::END_DATE)
            .and_then(Value::as_date);
        if opened.is_some() && !ctx.period.is_active(opened, closed) {
            continue;
        }
        if let Some(id) = identity(schemas, record)
            && !seen.insert(id)
        {
            continue;
        }
        received.entry(m).or_default().push(service);
    }
    let mut issues = Vec::new();
    let mut warned: Vec<usize> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let template = &schemas.templates[record.template];
        if template.role != Role::MunicipalCard || !record.accepted() || !record.counted {
            continue;
        }
        let Some(m) = record.municipality.as_deref() else {
            continue;
        };
        for (i, field) in template.fields.iter().enumerate() {
            if field.count_of_cards.is_empty() {
                continue;
            }
            let Some(Value::Int(declared)) = record.values[i] else {
                continue;
            };
            let count = received
                .get(m)
                .map(|types| {
                    types
                        .iter()
                        .filter(|code| {
                            reference
                                .service_type(code)
                                .is_some_and(|s| field.count_of_cards.contains(&s.category))
                        })
                        .count()
                })
                .unwrap_or(0);
            if count as i64 != declared {
                let at = record.cells[i];
                let location = match at {
                    Some(cell) => Location::cell(&record.file, &record.sheet, cell),
                    None => Location::sheet(&record.file, &record.sheet),
                };
                issues.push(
                    Issue::warning(
                        location,
                        Finding::CardCount {
                            declared,
                            received: count,
                        },
                    )
                    .template(&template.id)
                    .field(&field.id)
                    .value(declared.to_string())
                    .municipality(Some(m)),
                );
                warned.push(index);
            }
        }
    }
    for index in warned {
        records[index].warnings += 1;
    }
    issues
}

/// Municipalities of the oblast that sent no municipal card, and those no
/// DSP row mentions. A card or row that came with errors is not missing.
pub fn check_missing(ctx: &Context, oblast: &str, records: &[Record]) -> Vec<Issue> {
    let schemas = ctx.schemas;
    let mut with_card: HashSet<&str> = HashSet::new();
    let mut with_dsp: HashSet<&str> = HashSet::new();
    for record in records {
        let Some(m) = record.municipality.as_deref() else {
            continue;
        };
        match schemas.templates[record.template].role {
            Role::MunicipalCard => {
                with_card.insert(m);
            }
            Role::Dsp => {
                with_dsp.insert(m);
            }
            Role::ServiceCard
            | Role::Registry
            | Role::StrategyPlan
            | Role::StrategyIndicators
            | Role::StrategyReport
            | Role::ProviderVisit => {}
        }
    }
    let card_template = schemas.templates.iter().find(|t| t.role == Role::MunicipalCard);
    let dsp_template = schemas.templates.iter().find(|t| t.role == Role::Dsp);
    let mut issues = Vec::new();
    for municipality in schemas.reference.municipalities_of(oblast) {
        let name = format!("{} ({})", municipality.name_bg, municipality.code);
        for (present, template, finding) in [
            (
                with_card.contains(municipality.code.as_str()),
                card_template,
                Finding::MissingMunicipalCard {
                    municipality: name.clone(),
                },
            ),
            (
                with_dsp.contains(municipality.code.as_str()),
                dsp_template,
                Finding::MissingDspRow {
                    municipality: name.clone(),
                },
            ),
        ] {
            if present {
                continue;
            }
            let mut issue = Issue::new(Location::default(), Severity::Warning, finding)
                .field(crate::schema::fields::municipal::MUNICIPALITY)
                .value(municipality.name_bg.clone())
                .municipality(Some(&municipality.code));
            if let Some(t) = template {
                issue = issue.template(&t.id);
            }
            issues.push(issue);
        }
    }
    issues
}
