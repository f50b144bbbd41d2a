//! Recognition of a whole return: takes a read workbook and the schemas and
//! gives the records of each sheet that follows a template, with the
//! findings about the workbook itself — a template version other than the
//! tool's (from the hidden marker sheet), a blank card, an empty table, rows
//! after a table, sheets (or a whole file) that follow no template.

use std::collections::BTreeMap;

use super::{LabelKeys, SheetRecords, read_sheet_keyed, recognise_keyed};
use crate::ingest::{SkipReason, Workbook};
use crate::issue::{Finding, Issue, Location, Severity};
use crate::schema::{FieldType, Layout, Schemas};
use crate::sheet::{CellValue, Sheet};

/// What one return gave: its sheets' raw records and the findings about it.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Sheets with at least one record, in workbook order.
    pub sheets: Vec<SheetRecords>,
    pub issues: Vec<Issue>,
}

/// The template id and schema version a generated template declares for
/// each sheet ("*" for every sheet), read from its hidden marker sheet.
fn marker_entries(marker: &Sheet) -> BTreeMap<String, (String, Option<u32>)> {
    marker
        .rows()
        .filter_map(|(_, cells)| {
            let sheet = cells.first()?.value.display();
            let template = cells.get(1)?.value.display();
            let version = cells.get(2).and_then(|c| c.value.display().trim().parse::<u32>().ok());
            Some((sheet, (template, version)))
        })
        .collect()
}

/// Whether a cell holds one of the ways of writing "nothing" ("", "-",
/// "н/п"), as validation reads it.
fn is_blank(value: &CellValue, schemas: &Schemas) -> bool {
    matches!(value, CellValue::Text(t) if schemas.common.is_empty_text(t))
}

/// Recognises every sheet of the workbook read from `file` (its path
/// relative to the input folder) and finds its records.
pub fn extract_return(workbook: &Workbook, file: &str, schemas: &Schemas) -> Extracted {
    let mut outcome = Extracted::default();
    let markers = workbook.marker.as_ref().map(marker_entries).unwrap_or_default();
    let mut unknown: Vec<String> = workbook
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::NoTemplateInFirstRows)
        .map(|s| s.name.clone())
        .collect();
    for sheet in &workbook.sheets {
        let keys = LabelKeys::new(sheet);
        let declared = markers.get(&sheet.name).or_else(|| markers.get("*"));
        let template = match declared {
            Some((id, version)) => match schemas.template_index(id) {
                Some(t) => {
                    if let Some(issue) = version_issue(schemas, t, *version, file, &sheet.name) {
                        let stop = issue.severity == Severity::Error;
                        outcome.issues.push(issue);
                        if stop {
                            continue;
                        }
                    }
                    Some(t)
                }
                None => recognise_keyed(&keys, schemas),
            },
            None => recognise_keyed(&keys, schemas),
        };
        let Some(template) = template else {
            unknown.push(sheet.name.clone());
            continue;
        };
        let found = read_sheet_keyed(&keys, schemas, template, file);
        let template_id = &schemas.templates[template].id;
        for stray in &found.stray_rows {
            outcome.issues.push(
                Issue::warning(Location::cell(file, &sheet.name, stray.at), Finding::RowAfterTable)
                    .template(template_id),
            );
        }
        if found.empty_table {
            outcome
                .issues
                .push(Issue::warning(Location::sheet(file, &sheet.name), Finding::EmptyTable).template(template_id));
        }
        // A card with labels but no value at all (a blank template sheet) is no record;
        // the oblast does not count, since generated templates come with it filled in.
        let fields = &schemas.templates[template].fields;
        let blank = schemas.templates[template].layout != Layout::Table
            && found.records.iter().all(|r| {
                r.fields.iter().all(|f| {
                    fields[f.field].kind == FieldType::Oblast || f.value.as_ref().is_none_or(|v| is_blank(v, schemas))
                })
            });
        if blank {
            outcome
                .issues
                .push(Issue::warning(Location::sheet(file, &sheet.name), Finding::BlankCard).template(template_id));
        } else if !found.records.is_empty() {
            outcome.sheets.push(found);
        }
    }
    let templated = !outcome.sheets.is_empty() || outcome.issues.iter().any(|i| i.template.is_some());
    if !templated {
        outcome.issues.push(Issue::error(
            Location::file(file),
            Finding::UnknownTemplate { sheets_read: 0 },
        ));
    } else {
        for name in unknown {
            outcome.issues.push(Issue::warning(
                Location::sheet(file, &name),
                Finding::UnknownTemplate {
                    sheets_read: outcome.sheets.len(),
                },
            ));
        }
    }
    outcome
}

/// A marker naming a schema version other than the tool's.
fn version_issue(schemas: &Schemas, template: usize, version: Option<u32>, file: &str, sheet: &str) -> Option<Issue> {
    let known = schemas.templates[template].version;
    let declared = version?;
    if declared == known {
        return None;
    }
    let severity = if declared > known {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(
        Issue::new(
            Location::sheet(file, sheet),
            severity,
            Finding::SchemaVersion {
                declared,
                known,
                changes: schemas.templates[template].changes_since(declared),
            },
        )
        .template(&schemas.templates[template].id)
        .value(declared.to_string()),
    )
}
