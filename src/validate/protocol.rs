//! A visit protocol checked: takes what the form-and-table reader found on
//! one sheet (the form, then the rows) and gives the form as one record and
//! each row as one more, with every finding at its cell.
//!
//! The form is checked as a card (its fields, the municipality in the
//! oblast, the required fields); then the visit date against the period.
//! Each row is read with the form's values (so that a row is complete on
//! its own: service, date, area) and checked: the area and the assessment
//! are required, a finding unless the assessment is „съответства“ or „не е
//! проверено“, a recommendation with serious non-compliance (expected with
//! non-compliance), a deadline with every recommendation, a completion date
//! with „изпълнена“, neither before the visit, and each area once.

use crate::schema::fields::visit;
use std::collections::HashMap;

use crate::extract::SheetRecords;
use crate::issue::VisitFinding;
use crate::issue::{Finding, Issue, Location, Severity};
use crate::schema::{Choices, Template};
use crate::sheet::CellRef;
use crate::validate::value::{Value, is_blank, read_value};
use crate::validate::{Context, Record};

/// Assessments that need no finding written.
const NO_FINDING_NEEDED: &[&str] = &["compliant", "not_checked"];
/// The assessment that requires a recommendation, and the one that expects one.
const SERIOUS: &str = "serious";
const MINOR: &str = "minor";
/// The follow-up that needs the date it was done.
const DONE: &str = "done";

/// The label of an inline enumeration's code (an assessment), for messages.
pub fn choice_label(template: &Template, field: usize, code: &str) -> String {
    match &template.fields[field].choices {
        Some(Choices::Inline { values, .. }) => values
            .iter()
            .find(|v| v.code == code)
            .map_or_else(|| code.to_string(), |v| v.label.clone()),
        _ => code.to_string(),
    }
}

/// Validates one protocol sheet: the form record first, then its rows.
pub fn validate(ctx: &Context, sheet: &SheetRecords) -> (Vec<Record>, Vec<Issue>) {
    let Some(form_raw) = sheet.records.first() else {
        return (Vec::new(), Vec::new());
    };
    let template = &ctx.schemas.templates[sheet.template];
    let (mut form, mut issues) = crate::validate::record::validate_form(ctx, form_raw);
    let (file, sheet_name) = (form.file.clone(), form.sheet.clone());

    // The visit date inside the period (a warning when outside).
    let visit_field = template.field_index(visit::VISIT_DATE);
    let visit_date = visit_field
        .and_then(|f| form.values[f].as_ref())
        .and_then(Value::as_date);
    if let (Some(f), Some(day)) = (visit_field, visit_date)
        && !ctx.period.contains(day)
    {
        issues.push(
            Issue::warning(
                Location::cell(&file, &sheet_name, form.cells[f].unwrap_or(form.anchor)),
                Finding::Visit(VisitFinding::OutsidePeriod {
                    period: ctx.period.display_bg(),
                }),
            )
            .template(&template.id)
            .field(visit::VISIT_DATE)
            .value(day.format("%d.%m.%Y").to_string())
            .municipality(form.municipality.as_deref()),
        );
        form.warnings += 1;
    }
    // A sheet without the table's header: its required columns are missing.
    if sheet.records.len() == 1 && !sheet.empty_table {
        for field in template.fields.iter().filter(|f| f.in_row && f.required) {
            issues.push(
                Issue::error(Location::sheet(&file, &sheet_name), Finding::LabelMissing)
                    .template(&template.id)
                    .field(&field.id)
                    .municipality(form.municipality.as_deref()),
            );
            form.errors += 1;
        }
    }

    let mut rows = Vec::new();
    for raw in &sheet.records[1..] {
        let (row, found) = validate_row(ctx, template, &form, visit_date, raw);
        issues.extend(found);
        rows.push(row);
    }
    check_areas_once(ctx, template, &mut rows, &mut issues);
    let mut records = vec![form];
    records.extend(rows);
    (records, issues)
}

fn validate_row(
    ctx: &Context,
    template: &Template,
    form: &Record,
    visit_date: Option<chrono::NaiveDate>,
    raw: &crate::extract::RawRecord,
) -> (Record, Vec<Issue>) {
    let common = &ctx.schemas.common;
    let reference = &ctx.schemas.reference;
    let mut values: Vec<Option<Value>> = form.values.clone();
    let mut cells: Vec<Option<CellRef>> = form.cells.clone();
    let mut written: HashMap<usize, String> = HashMap::new();
    let mut invalid: Vec<usize> = Vec::new();
    let mut issues = Vec::new();
    let at =
        |cells: &[Option<CellRef>], f: usize| Location::cell(&raw.file, &raw.sheet, cells[f].unwrap_or(raw.anchor));
    let issue = |cells: &[Option<CellRef>], written: &HashMap<usize, String>, severity, f: usize, finding| {
        Issue::new(at(cells, f), severity, finding)
            .template(&template.id)
            .field(&template.fields[f].id)
            .value(written.get(&f).cloned().unwrap_or_default())
            .municipality(form.municipality.as_deref())
    };
    for rf in &raw.fields {
        let field = &template.fields[rf.field];
        cells[rf.field] = Some(rf.at);
        values[rf.field] = None;
        let Some(cell) = rf.value.as_ref().filter(|v| !is_blank(v, common)) else {
            continue;
        };
        written.insert(rf.field, cell.display());
        match read_value(field, cell, common, reference) {
            Ok(value) => values[rf.field] = Some(value),
            Err(finding) => {
                invalid.push(rf.field);
                issues.push(issue(&cells, &written, Severity::Error, rf.field, finding));
            }
        }
    }
    let idx = |id: &str| template.field_index(id);
    let code = |values: &[Option<Value>], f: Option<usize>| -> Option<String> {
        match f.and_then(|f| values[f].as_ref()) {
            Some(Value::Code(c)) => Some(c.clone()),
            _ => None,
        }
    };
    let empty = |values: &[Option<Value>], f: usize| values[f].is_none() && !invalid.contains(&f);
    let mut push = |severity, f: usize, finding| {
        issues.push(issue(&cells, &written, severity, f, finding));
    };
    for id in [visit::AREA, visit::ASSESSMENT] {
        if let Some(f) = idx(id)
            && empty(&values, f)
        {
            push(Severity::Error, f, Finding::Required);
        }
    }
    let assessment = code(&values, idx(visit::ASSESSMENT));
    if let (Some(a), Some(assessment_field)) = (assessment.as_deref(), idx(visit::ASSESSMENT)) {
        let label = choice_label(template, assessment_field, a);
        if let Some(f) = idx(visit::FINDING)
            && !NO_FINDING_NEEDED.contains(&a)
            && empty(&values, f)
        {
            push(
                Severity::Error,
                f,
                Finding::Visit(VisitFinding::FindingNeeded {
                    assessment: label.clone(),
                }),
            );
        }
        if let Some(f) = idx(visit::RECOMMENDATION)
            && (a == SERIOUS || a == MINOR)
            && empty(&values, f)
        {
            let severity = if a == SERIOUS {
                Severity::Error
            } else {
                Severity::Warning
            };
            push(
                severity,
                f,
                Finding::Visit(VisitFinding::RecommendationNeeded { assessment: label }),
            );
        }
    }
    if let (Some(r), Some(d)) = (idx(visit::RECOMMENDATION), idx(visit::DEADLINE))
        && values[r].is_some()
        && empty(&values, d)
    {
        push(
            Severity::Error,
            d,
            Finding::Visit(VisitFinding::DeadlineNeeded {
                recommendation: visit::RECOMMENDATION,
            }),
        );
    }
    if let (Some(done_field), Some(d)) = (idx(visit::FOLLOW_UP), idx(visit::DONE_ON))
        && code(&values, Some(done_field)).as_deref() == Some(DONE)
        && empty(&values, d)
    {
        push(
            Severity::Error,
            d,
            Finding::Visit(VisitFinding::DoneOnNeeded {
                follow_up: visit::FOLLOW_UP,
            }),
        );
    }
    if let Some(visit) = visit_date {
        for id in [visit::DEADLINE, visit::DONE_ON] {
            if let Some(f) = idx(id)
                && values[f].as_ref().and_then(Value::as_date).is_some_and(|d| d < visit)
            {
                push(
                    Severity::Error,
                    f,
                    Finding::Visit(VisitFinding::BeforeVisit {
                        visit_date: visit.format("%d.%m.%Y").to_string(),
                    }),
                );
            }
        }
    }
    let errors = issues.iter().filter(|i| i.severity == Severity::Error).count();
    let warnings = issues.len() - errors;
    let record = Record {
        template: raw.template,
        file: raw.file.clone(),
        sheet: raw.sheet.clone(),
        anchor: raw.anchor,
        values,
        cells,
        municipality: form.municipality.clone(),
        oblast: form.oblast.clone(),
        errors,
        warnings,
        counted: true,
    };
    (record, issues)
}

/// The same area twice on one protocol: an error at both rows.
fn check_areas_once(ctx: &Context, template: &Template, rows: &mut [Record], issues: &mut Vec<Issue>) {
    let reference = &ctx.schemas.reference;
    // The area by its name, as the protocol names it.
    let name = |code: &str| {
        reference
            .code_index(crate::reference::Table::InspectionAreas, code)
            .map_or_else(
                || code.to_string(),
                |i| {
                    reference
                        .entry(crate::reference::Table::InspectionAreas, i)
                        .1
                        .to_string()
                },
            )
    };
    let Some(area) = template.field_index(visit::AREA) else {
        return;
    };
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut flagged: Vec<usize> = Vec::new();
    let mut found = Vec::new();
    for i in 0..rows.len() {
        let Some(Value::Code(code)) = rows[i].values[area].clone() else {
            continue;
        };
        match first_of.get(&code) {
            None => {
                first_of.insert(code, i);
            }
            Some(&first) => {
                let pairs = [(i, first), (first, i)];
                for (this, other) in pairs {
                    if this == first && flagged.contains(&first) {
                        continue;
                    }
                    let (Some(here), Some(there)) = (rows[this].cells[area], rows[other].cells[area]) else {
                        continue;
                    };
                    found.push(
                        Issue::error(
                            Location::cell(&rows[this].file, &rows[this].sheet, here),
                            Finding::Visit(VisitFinding::AreaTwice { other: there }),
                        )
                        .template(&template.id)
                        .field(visit::AREA)
                        .value(name(&code))
                        .municipality(rows[this].municipality.as_deref()),
                    );
                    rows[this].errors += 1;
                    flagged.push(this);
                }
            }
        }
    }
    issues.extend(found);
}
