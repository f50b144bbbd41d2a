//! Records: takes the raw records of one file and gives typed [`Record`]s
//! and the findings about them — every value read as its type, the
//! municipality and oblast resolved together, required fields, a field given
//! twice, the schema's rules between fields, the run's oblast and period.

use std::collections::HashMap;

use super::value::{Value, is_blank, read_value};
use super::{Context, Record};
use crate::extract::{RawField, RawRecord, SheetRecords};
use crate::issue::{Finding, Issue, Location, Severity};
use crate::normalize::fold_text;
use crate::schema::{Choices, FieldType, Layout, Rule, Template};
use crate::sheet::CellRef;

/// One field's outcome while a record is read.
#[derive(Debug, Clone, Default)]
struct Slot {
    /// Where its value is (the first occurrence), or should be.
    at: Option<CellRef>,
    /// The value as written.
    written: String,
    value: Option<Value>,
    /// Present but unreadable (already reported).
    invalid: bool,
    /// The label was found on the sheet.
    present: bool,
}

struct Builder<'a> {
    ctx: &'a Context<'a>,
    template: &'a Template,
    file: &'a str,
    sheet: &'a str,
    slots: Vec<Slot>,
    issues: Vec<Issue>,
}

impl<'a> Builder<'a> {
    fn location(&self, at: Option<CellRef>) -> Location {
        match at {
            Some(cell) => Location::cell(self.file, self.sheet, cell),
            None => Location::sheet(self.file, self.sheet),
        }
    }

    fn report(&mut self, severity: Severity, field: usize, finding: Finding) {
        let slot = &self.slots[field];
        let issue = Issue::new(self.location(slot.at), severity, finding)
            .template(&self.template.id)
            .field(&self.template.fields[field].id)
            .value(slot.written.clone());
        self.issues.push(issue);
    }

    /// Reads every occurrence of every field; a field given twice with
    /// different values is an error at both places.
    fn read(&mut self, raw_fields: &[RawField]) {
        let common = &self.ctx.schemas.common;
        let reference = &self.ctx.schemas.reference;
        for rf in raw_fields {
            let field = &self.template.fields[rf.field];
            let written = rf.value.as_ref().map(|v| v.display()).unwrap_or_default();
            let parsed = match &rf.value {
                Some(raw) if !is_blank(raw, common) => Some(read_value(field, raw, common, reference)),
                _ => None,
            };
            let slot = &self.slots[rf.field];
            let filled_before = slot.value.is_some() || slot.invalid;
            if slot.present && (parsed.is_none() || filled_before) {
                // An empty repeat changes nothing; a filled one must agree.
                if parsed.is_none() {
                    continue;
                }
                // The same field filled in twice: compare with the first.
                let differs = match (&slot.value, &parsed) {
                    (Some(a), Some(Ok(b))) => !same_value(self.ctx, field.kind, a, b),
                    _ => fold_text(&slot.written) != fold_text(&written),
                };
                if differs {
                    let first_at = slot.at.unwrap_or_default();
                    let first_written = slot.written.clone();
                    self.report(
                        Severity::Error,
                        rf.field,
                        Finding::Conflict {
                            other: rf.at,
                            other_value: written.clone(),
                        },
                    );
                    self.issues.push(
                        Issue::error(
                            Location::cell(self.file, self.sheet, rf.at),
                            Finding::Conflict {
                                other: first_at,
                                other_value: first_written,
                            },
                        )
                        .template(&self.template.id)
                        .field(&field.id)
                        .value(written),
                    );
                    self.slots[rf.field].invalid = true;
                }
                continue;
            }
            let slot = &mut self.slots[rf.field];
            slot.present = true;
            slot.at = Some(rf.at);
            slot.written = written;
            match parsed {
                Some(Ok(value)) => slot.value = Some(value),
                Some(Err(finding)) => {
                    slot.invalid = true;
                    self.report(Severity::Error, rf.field, finding);
                }
                None => {}
            }
        }
    }
}

fn same_value(ctx: &Context, kind: FieldType, a: &Value, b: &Value) -> bool {
    let reference = &ctx.schemas.reference;
    let common = &ctx.schemas.common;
    match (kind, a, b) {
        (FieldType::Municipality, Value::Text(x), Value::Text(y)) => {
            let (cx, cy) = (
                reference.municipality_candidates(x, &common.municipality_prefixes),
                reference.municipality_candidates(y, &common.municipality_prefixes),
            );
            // „Бяла" (RSE04 or VAR05) and "RSE04" say the same: the names overlap.
            if cx.is_empty() || cy.is_empty() {
                a.same_as(b)
            } else {
                cx.iter().any(|i| cy.contains(i))
            }
        }
        (FieldType::Oblast, Value::Text(x), Value::Text(y)) => {
            let (cx, cy) = (
                reference.oblast_candidates(x, &common.oblast_prefixes),
                reference.oblast_candidates(y, &common.oblast_prefixes),
            );
            if cx.is_empty() || cy.is_empty() {
                a.same_as(b)
            } else {
                cx.iter().any(|i| cy.contains(i))
            }
        }
        _ => a.same_as(b),
    }
}

/// The outcome of resolving a municipality and the oblast it should lie in.
struct Place {
    municipality: Option<usize>,
    oblast: Option<usize>,
}

impl Builder<'_> {
    /// Resolves the municipality and oblast fields together: a name two
    /// oblasts share (Бяла) is settled by the oblast, a bare „София" by the
    /// municipality, and what stays unknown or ambiguous is an error.
    fn resolve_place(&mut self) -> Place {
        let reference = &self.ctx.schemas.reference;
        let common = &self.ctx.schemas.common;
        let template = self.template;
        let municipality_field = template.fields.iter().position(|f| f.kind == FieldType::Municipality);
        let oblast_field = municipality_field
            .and_then(|m| template.fields[m].in_oblast)
            .or_else(|| template.fields.iter().position(|f| f.kind == FieldType::Oblast));
        let text_of = |slots: &[Slot], f: Option<usize>| -> Option<String> {
            f.and_then(|f| slots[f].value.as_ref())
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let municipality_text = text_of(&self.slots, municipality_field);
        let oblast_text = text_of(&self.slots, oblast_field);
        let mut oblasts = oblast_text
            .as_deref()
            .map(|t| reference.oblast_candidates(t, &common.oblast_prefixes));
        let mut municipalities = municipality_text
            .as_deref()
            .map(|t| reference.municipality_candidates(t, &common.municipality_prefixes));
        if let Some(found) = municipalities.as_mut().filter(|m| m.len() > 1) {
            let codes: Vec<&str> = match oblasts.as_ref().filter(|o| !o.is_empty()) {
                Some(o) => o.iter().map(|&i| reference.oblasts[i].code.as_str()).collect(),
                None => self.ctx.oblast.into_iter().collect(),
            };
            let narrowed: Vec<usize> = found
                .iter()
                .copied()
                .filter(|&m| codes.contains(&reference.municipalities[m].oblast_code.as_str()))
                .collect();
            if !narrowed.is_empty() {
                *found = narrowed;
            }
        }
        if let Some(found) = oblasts.as_mut().filter(|o| o.len() > 1) {
            let narrowed: Vec<usize> = match municipalities.as_ref().filter(|m| !m.is_empty()) {
                Some(m) => found
                    .iter()
                    .copied()
                    .filter(|&o| {
                        m.iter()
                            .any(|&mi| reference.municipalities[mi].oblast_code == reference.oblasts[o].code)
                    })
                    .collect(),
                None => Vec::new(),
            };
            if !narrowed.is_empty() {
                *found = narrowed;
            }
        }
        let mut place = Place {
            municipality: None,
            oblast: None,
        };
        if let (Some(f), Some(found)) = (municipality_field, municipalities) {
            match found.as_slice() {
                [one] => place.municipality = Some(*one),
                [] => {
                    let closest = reference
                        .closest_municipalities(
                            municipality_text.as_deref().unwrap_or(""),
                            &common.municipality_prefixes,
                        )
                        .into_iter()
                        .map(|i| {
                            (
                                reference.municipalities[i].code.clone(),
                                reference.municipalities[i].name_bg.clone(),
                            )
                        })
                        .collect();
                    self.report(Severity::Error, f, Finding::UnknownMunicipality { closest });
                }
                many => {
                    let candidates = many
                        .iter()
                        .map(|&i| {
                            let m = &reference.municipalities[i];
                            let oblast = reference
                                .oblast(&m.oblast_code)
                                .map_or(m.oblast_code.clone(), |o| o.name_bg.clone());
                            (m.code.clone(), m.name_bg.clone(), oblast)
                        })
                        .collect();
                    self.report(Severity::Error, f, Finding::AmbiguousMunicipality { candidates });
                }
            }
        }
        if let (Some(f), Some(found)) = (oblast_field, oblasts.as_ref())
            && !template.fields[f].in_title
        {
            let pairs = |idx: &[usize]| -> Vec<(String, String)> {
                idx.iter()
                    .map(|&i| (reference.oblasts[i].code.clone(), reference.oblasts[i].name_bg.clone()))
                    .collect()
            };
            match found.as_slice() {
                [one] => place.oblast = Some(*one),
                [] => {
                    let closest =
                        reference.closest_oblasts(oblast_text.as_deref().unwrap_or(""), &common.oblast_prefixes);
                    self.report(
                        Severity::Error,
                        f,
                        Finding::UnknownOblast {
                            closest: pairs(&closest),
                        },
                    );
                }
                many => {
                    let candidates = pairs(many);
                    self.report(Severity::Error, f, Finding::AmbiguousOblast { candidates });
                }
            }
        } else if let (Some(_), Some(found)) = (oblast_field, oblasts.as_ref())
            && found.len() == 1
        {
            // A title-block oblast (checked once per sheet) still places the rows.
            place.oblast = Some(found[0]);
        }
        if let Some(m) = municipality_field {
            self.slots[m].value = place
                .municipality
                .map(|i| Value::Code(reference.municipalities[i].code.clone()));
            if place.municipality.is_none() && self.slots[m].value.is_none() && municipality_text.is_some() {
                self.slots[m].invalid = true;
            }
        }
        if let Some(o) = oblast_field {
            self.slots[o].value = place.oblast.map(|i| Value::Code(reference.oblasts[i].code.clone()));
            if place.oblast.is_none() && oblast_text.is_some() {
                self.slots[o].invalid = true;
            }
        }
        // The municipality must lie in the oblast the record names.
        if let (Some(m), Some(o), Some(mf)) = (place.municipality, place.oblast, municipality_field) {
            let municipality = &reference.municipalities[m];
            let oblast = &reference.oblasts[o];
            if municipality.oblast_code != oblast.code && template.fields[mf].in_oblast.is_some() {
                let its = reference
                    .oblast(&municipality.oblast_code)
                    .map_or(municipality.oblast_code.clone(), |x| x.name_bg.clone());
                self.report(
                    Severity::Error,
                    mf,
                    Finding::MunicipalityNotInOblast {
                        municipality: municipality.name_bg.clone(),
                        its_oblast: its,
                        stated_oblast: oblast.name_bg.clone(),
                    },
                );
                self.slots[mf].invalid = true;
            }
        }
        place
    }

    /// Required fields that are empty or whose label is missing.
    fn check_required(&mut self) {
        for (i, field) in self.template.fields.iter().enumerate() {
            let slot = &self.slots[i];
            if !field.required || slot.value.is_some() || slot.invalid || field.in_title || field.in_row {
                continue;
            }
            if !slot.present && self.template.layout == Layout::Table {
                // A missing column is reported once per sheet.
                continue;
            }
            let finding = if slot.present {
                Finding::Required
            } else {
                Finding::LabelMissing
            };
            self.report(Severity::Error, i, finding);
        }
    }

    fn number(&self, field: usize) -> Option<f64> {
        self.slots[field].value.as_ref().and_then(Value::as_f64)
    }

    fn code(&self, field: usize) -> Option<&str> {
        match self.slots[field].value.as_ref() {
            Some(Value::Code(c)) => Some(c),
            _ => None,
        }
    }

    fn label_value(&self, field: usize) -> String {
        let slot = &self.slots[field];
        let field_def = &self.template.fields[field];
        match (&field_def.choices, slot.value.as_ref()) {
            (Some(Choices::Reference(table)), Some(Value::Code(code))) => {
                let reference = &self.ctx.schemas.reference;
                reference
                    .code_index(*table, code)
                    .map(|i| reference.entry(*table, i).1.to_string())
                    .unwrap_or_else(|| code.clone())
            }
            _ => slot.written.clone(),
        }
    }

    /// The schema's rules between fields. Of two rules on the same pair of
    /// fields (a warning above capacity, an error above twice capacity) only
    /// the most severe one that fails is reported, and of two equally severe
    /// ones the first (a sum over a limit is not reported again when its first
    /// part alone is over it).
    fn check_rules(&mut self) {
        let mut failed: Vec<(usize, usize, Severity, usize, Finding)> = Vec::new();
        for rule in &self.template.rules {
            match rule {
                Rule::Le {
                    left,
                    right,
                    factor,
                    severity,
                    at,
                } => {
                    let (l, r) = (*left, *right);
                    if self.slots[l].invalid || self.slots[r].invalid {
                        continue;
                    }
                    let finding = match (self.slots[l].value.as_ref(), self.slots[r].value.as_ref()) {
                        (Some(Value::Date(a)), Some(Value::Date(b))) if a > b => {
                            let other = if *at == l { r } else { l };
                            Some(Finding::DateBefore {
                                other_field: self.template.fields[other].id.clone(),
                                other_value: self.slots[other].written.clone(),
                            })
                        }
                        (Some(a), Some(b)) => match (a.as_f64(), b.as_f64()) {
                            (Some(x), Some(y)) if x > y * factor + 1e-9 => Some(Finding::NotAtMost {
                                other_field: self.template.fields[r].id.clone(),
                                other_value: self.slots[r].written.clone(),
                                factor: *factor,
                            }),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(f) = finding {
                        failed.push((l, r, *severity, *at, f));
                    }
                }
                Rule::SumLe {
                    left,
                    right,
                    severity,
                    at,
                } => {
                    let parts: Option<Vec<f64>> = left.iter().map(|&f| self.number(f)).collect();
                    if let (Some(parts), Some(total)) = (parts, self.number(*right)) {
                        let sum: f64 = parts.iter().sum();
                        if sum > total + 1e-9 {
                            failed.push((
                                left[0],
                                *right,
                                *severity,
                                *at,
                                Finding::SumNotAtMost {
                                    fields: left.iter().map(|&f| self.template.fields[f].id.clone()).collect(),
                                    sum: crate::sheet::format_number(sum),
                                    other_field: self.template.fields[*right].id.clone(),
                                    other_value: self.slots[*right].written.clone(),
                                },
                            ));
                        }
                    }
                }
                Rule::RequiredIf { field, when, codes } | Rule::RequiredUnless { field, when, codes } => {
                    let Some(code) = self.code(*when) else { continue };
                    let listed = codes.iter().any(|c| c == code);
                    let needed = if matches!(rule, Rule::RequiredIf { .. }) {
                        listed
                    } else {
                        !listed
                    };
                    let slot = &self.slots[*field];
                    if needed && slot.value.is_none() && !slot.invalid {
                        failed.push((
                            *field,
                            *when,
                            Severity::Error,
                            *field,
                            Finding::RequiredBecause {
                                other_field: self.template.fields[*when].id.clone(),
                                other_value: self.label_value(*when),
                            },
                        ));
                    }
                }
                Rule::ValidThroughPeriod { field } => {
                    let Some(until) = self.slots[*field].value.as_ref().and_then(Value::as_date) else {
                        continue;
                    };
                    let period = self.ctx.period;
                    if until < period.start {
                        failed.push((
                            *field,
                            *field,
                            Severity::Error,
                            *field,
                            Finding::EndedBeforePeriod {
                                period_start: period.start.format("%d.%m.%Y").to_string(),
                            },
                        ));
                    } else if until < period.end {
                        failed.push((
                            *field,
                            *field,
                            Severity::Warning,
                            *field,
                            Finding::EndsInPeriod {
                                period_end: period.end.format("%d.%m.%Y").to_string(),
                            },
                        ));
                    }
                }
                Rule::MatchesPeriod { start, end } => {
                    let (Some(s), Some(e)) = (
                        self.slots[*start].value.as_ref().and_then(Value::as_date),
                        self.slots[*end].value.as_ref().and_then(Value::as_date),
                    ) else {
                        continue;
                    };
                    let period = self.ctx.period;
                    if s != period.start || e != period.end {
                        let card = crate::period::Period { start: s, end: e };
                        failed.push((
                            *start,
                            *end,
                            Severity::Warning,
                            *start,
                            Finding::PeriodDiffers {
                                card_period: card.display_bg(),
                                run_period: period.display_bg(),
                            },
                        ));
                    }
                }
            }
        }
        for (i, (l, r, severity, at, finding)) in failed.iter().enumerate() {
            let outranked = failed
                .iter()
                .enumerate()
                .any(|(j, (l2, r2, s2, _, _))| l2 == l && r2 == r && (s2 < severity || (s2 == severity && j < i)));
            if !outranked {
                self.report(*severity, *at, finding.clone());
            }
        }
    }
}

/// Title-block values of a table, read once per sheet.
struct TitleBlock {
    slots: Vec<(usize, Slot)>,
}

fn read_title_block(
    ctx: &Context,
    template: &Template,
    sheet: &SheetRecords,
    file: &str,
    sheet_name: &str,
    issues: &mut Vec<Issue>,
) -> TitleBlock {
    let mut builder = Builder {
        ctx,
        template,
        file,
        sheet: sheet_name,
        slots: vec![Slot::default(); template.fields.len()],
        issues: Vec::new(),
    };
    builder.read(&sheet.title_fields);
    // An oblast in the title block is checked here, once.
    let reference = &ctx.schemas.reference;
    let common = &ctx.schemas.common;
    for (i, field) in template.fields.iter().enumerate() {
        if !field.in_title || field.kind != FieldType::Oblast {
            continue;
        }
        if let Some(Value::Text(text)) = builder.slots[i].value.clone() {
            let found = reference.oblast_candidates(&text, &common.oblast_prefixes);
            let pairs = |idx: &[usize]| -> Vec<(String, String)> {
                idx.iter()
                    .map(|&o| (reference.oblasts[o].code.clone(), reference.oblasts[o].name_bg.clone()))
                    .collect()
            };
            match found.as_slice() {
                [_] => {}
                [] => {
                    let closest = reference.closest_oblasts(&text, &common.oblast_prefixes);
                    builder.report(
                        Severity::Error,
                        i,
                        Finding::UnknownOblast {
                            closest: pairs(&closest),
                        },
                    );
                    builder.slots[i].value = None;
                }
                many => {
                    // A bare „София" is settled by the rows' municipalities.
                    let _ = many;
                }
            }
        }
    }
    issues.append(&mut builder.issues);
    TitleBlock {
        slots: builder
            .slots
            .into_iter()
            .enumerate()
            .filter(|(i, s)| template.fields[*i].in_title && s.present)
            .collect(),
    }
}

/// Validates the records of one file.
///
/// In a run over every oblast, a name two oblasts share (Бяла: Русе and
/// Варна) in a file whose other rows all name municipalities of one oblast
/// (the oblast's registry of incoming documents, a DSP's table) is read as
/// that oblast's, as a run over that oblast alone reads it; a file whose
/// rows name several oblasts keeps the name ambiguous.
pub fn validate_file(ctx: &Context, sheets: &[SheetRecords]) -> (Vec<Record>, Vec<Issue>) {
    let checked = validate_sheets(ctx, sheets);
    let ambiguous = |issues: &[Issue]| {
        issues
            .iter()
            .any(|i| matches!(i.finding, Finding::AmbiguousMunicipality { .. }))
    };
    if ctx.oblast.is_some() || !ambiguous(&checked.1) {
        return checked;
    }
    let named: std::collections::BTreeSet<&str> = checked
        .0
        .iter()
        .filter_map(|r| r.municipality.as_ref().and(r.oblast.as_deref()))
        .collect();
    let [oblast] = named.into_iter().collect::<Vec<_>>()[..] else {
        return checked;
    };
    let oblast = oblast.to_string();
    let narrowed = Context {
        oblast: Some(&oblast),
        ..*ctx
    };
    validate_sheets(&narrowed, sheets)
}

/// Checks the sheets of one file in the given context.
fn validate_sheets(ctx: &Context, sheets: &[SheetRecords]) -> (Vec<Record>, Vec<Issue>) {
    let mut records = Vec::new();
    let mut issues = Vec::new();
    for sheet in sheets {
        let template = &ctx.schemas.templates[sheet.template];
        if template.layout == Layout::FormTable {
            let (mut protocol, mut found) = super::protocol::validate(ctx, sheet);
            records.append(&mut protocol);
            issues.append(&mut found);
            continue;
        }
        let Some(first) = sheet.records.first() else { continue };
        let (file, sheet_name) = (first.file.as_str(), first.sheet.as_str());
        let title = read_title_block(ctx, template, sheet, file, sheet_name, &mut issues);
        let mut missing_columns = false;
        if template.layout == Layout::Table {
            for (i, field) in template.body_fields() {
                if field.required && !first.fields.iter().any(|f| f.field == i) {
                    missing_columns = true;
                    issues.push(
                        Issue::error(Location::sheet(file, sheet_name), Finding::LabelMissing)
                            .template(&template.id)
                            .field(&field.id),
                    );
                }
            }
        }
        for raw in &sheet.records {
            let (mut record, mut found) = validate_record(ctx, raw, &title);
            if missing_columns {
                record.errors += 1;
            }
            issues.append(&mut found);
            records.push(record);
        }
    }
    check_unique_in_file(ctx, &mut records, &mut issues);
    (records, issues)
}

/// Validates the form of a form-and-table sheet (a visit protocol) as a
/// card: its fields, the place, the required fields and the schema's rules.
/// Its table's rows are checked by `super::protocol`.
pub(crate) fn validate_form(ctx: &Context, raw: &RawRecord) -> (Record, Vec<Issue>) {
    validate_record(ctx, raw, &TitleBlock { slots: Vec::new() })
}

fn validate_record(ctx: &Context, raw: &RawRecord, title: &TitleBlock) -> (Record, Vec<Issue>) {
    let template = &ctx.schemas.templates[raw.template];
    let mut builder = Builder {
        ctx,
        template,
        file: &raw.file,
        sheet: &raw.sheet,
        slots: vec![Slot::default(); template.fields.len()],
        issues: Vec::new(),
    };
    for (i, slot) in &title.slots {
        builder.slots[*i] = slot.clone();
    }
    builder.read(&raw.fields);
    let place = builder.resolve_place();
    builder.check_required();
    builder.check_rules();
    let reference = &ctx.schemas.reference;
    let municipality = place.municipality.map(|m| reference.municipalities[m].code.clone());
    let oblast = place
        .municipality
        .map(|m| reference.municipalities[m].oblast_code.clone())
        .or_else(|| place.oblast.map(|o| reference.oblasts[o].code.clone()));
    // A record about another oblast than the run's adds to no figure.
    if let (Some(run), Some(own)) = (ctx.oblast, oblast.as_deref())
        && run != own
        && !builder.issues.iter().any(|i| i.code() == "wrong_oblast")
    {
        let at = template
            .fields
            .iter()
            .position(|f| f.kind == FieldType::Municipality)
            .unwrap_or(0);
        let name = |code: &str| reference.oblast(code).map_or(code.to_string(), |o| o.name_bg.clone());
        builder.report(
            Severity::Error,
            at,
            Finding::OtherOblast {
                oblast: name(own),
                run_oblast: name(run),
            },
        );
    }
    let mut issues = builder.issues;
    for issue in &mut issues {
        issue.municipality = municipality.clone();
    }
    let errors = issues.iter().filter(|i| i.severity == Severity::Error).count();
    let warnings = issues.len() - errors;
    let record = Record {
        template: raw.template,
        file: raw.file.clone(),
        sheet: raw.sheet.clone(),
        anchor: raw.anchor,
        values: builder.slots.iter().map(|s| s.value.clone()).collect(),
        cells: builder.slots.iter().map(|s| s.at).collect(),
        municipality,
        oblast,
        errors,
        warnings,
        counted: true,
    };
    (record, issues)
}

/// A value that must be unique within a file (one DSP row per municipality).
fn check_unique_in_file(ctx: &Context, records: &mut [Record], issues: &mut Vec<Issue>) {
    let mut seen: HashMap<(usize, usize, String), CellRef> = HashMap::new();
    for record in records.iter_mut() {
        let template = &ctx.schemas.templates[record.template];
        for (i, field) in template.fields.iter().enumerate() {
            if !field.unique_in_file {
                continue;
            }
            let (Some(value), Some(at)) = (record.values[i].as_ref(), record.cells[i]) else {
                continue;
            };
            let k = (record.template, i, value.display());
            if let Some(first) = seen.get(&k) {
                issues.push(
                    Issue::error(
                        Location::cell(&record.file, &record.sheet, at),
                        Finding::DuplicateInFile { other: *first },
                    )
                    .template(&template.id)
                    .field(&field.id)
                    .value(value.display())
                    .municipality(record.municipality.as_deref()),
                );
                record.errors += 1;
            } else {
                seen.insert(k, at);
            }
        }
    }
}
