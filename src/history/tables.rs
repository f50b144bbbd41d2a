//! The tables of one stored period: takes a finished run (its records,
//! figures and findings) and gives, per oblast, the tidy typed frames the
//! history keeps as Parquet — `run`, `services`, `municipal_cards`, `dsp`,
//! `by_municipality`, `by_service_type`, `issue_counts`, and with the
//! strategy's input `plan_status` and `activities` — and reads the
//! parts a comparison needs back into a [`StoredPeriod`].
//!
//! Column types: text as UTF-8 strings, counts as Int64, decimals and money
//! as Float64, yes/no as Boolean, dates as ISO 8601 strings (`2017-06-30`):
//! polars is built without its date types (a lighter build), and ISO text
//! sorts and compares like a date in every reader.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::columns::{bools, floats, frame, ints, iso, opt_text, text};
use crate::aggregate::{Aggregates, Columns, DSP_FIELDS, Figures, ServiceRow};
use crate::calendar::contact::Contact;
use crate::error::{Error, Result};
use crate::period::Period;
use crate::run::Run;
use crate::schema::{FieldType, Role, Schemas};
use crate::tally::{CodeKey, Tally};
use crate::validate::{Record, Value};

/// What the history says about one stored run of one oblast.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodMeta {
    pub oblast_code: String,
    pub period: Period,
    /// The latest fill-in date of the oblast's accepted returns: when the
    /// data is from (never the clock).
    pub data_date: Option<NaiveDate>,
    pub records_read: i64,
    pub records_accepted: i64,
    pub tool_version: String,
}

/// An accepted service card as the history keeps it: who it is (for
/// matching across periods) and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredService {
    pub file: String,
    pub sheet: String,
    pub template: String,
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    pub settlement: String,
    pub service_type: String,
    pub service_name: String,
    pub address: String,
    pub provider_name: String,
    pub capacity: Option<i64>,
    pub avg_users: Option<f64>,
    pub users_served: Option<i64>,
    pub budget_state: Option<f64>,
    pub budget_local: Option<f64>,
    pub budget_other: Option<f64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// Not a later copy of a duplicate.
    pub counted: bool,
    /// Active in its period and counted: it adds to the figures.
    pub in_figures: bool,
    pub opened_in_period: bool,
    pub closed_in_period: bool,
}

impl StoredService {
    pub fn from_row(s: &ServiceRow) -> StoredService {
        StoredService {
            file: s.file.clone(),
            sheet: s.sheet.clone(),
            template: s.template.clone(),
            oblast_code: s.oblast_code.clone(),
            municipality_code: s.municipality_code.clone(),
            municipality: s.municipality.clone(),
            settlement: s.settlement.clone(),
            service_type: s.service_type.clone(),
            service_name: s.service_name.clone(),
            address: s.address.clone(),
            provider_name: s.provider_name.clone(),
            capacity: s.capacity,
            avg_users: s.avg_users,
            users_served: s.users_served,
            budget_state: s.budget_state,
            budget_local: s.budget_local,
            budget_other: s.budget_other,
            start_date: s.start_date,
            end_date: s.end_date,
            counted: s.counted,
            in_figures: s.in_figures(),
            opened_in_period: s.opened_in_period,
            closed_in_period: s.closed_in_period,
        }
    }
}

/// One municipality's calendar of a stored period (`timeliness.parquet`):
/// when its returns came and whether in time, and whom to call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredTimeliness {
    pub municipality_code: String,
    pub municipality: String,
    pub received_on: Option<NaiveDate>,
    /// `registry`, `filled_on`, `file_time` or empty.
    pub received_source: String,
    pub deadline: Option<NaiveDate>,
    pub days_late: Option<i64>,
    /// `on_time`, `late`, `missing` or empty (not judged).
    pub timeliness: String,
    pub report_timeliness: String,
    pub council_timeliness: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
}

impl StoredTimeliness {
    /// Late or missing against the returns' deadline.
    pub fn late_or_missing(&self) -> bool {
        matches!(self.timeliness.as_str(), "late" | "missing")
    }

    pub fn contact(&self) -> crate::calendar::contact::Contact {
        crate::calendar::contact::Contact {
            name: self.contact_name.clone(),
            phone: self.contact_phone.clone(),
            email: self.contact_email.clone(),
        }
    }
}

/// One oblast's run, as far as comparisons need it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPeriod {
    pub meta: PeriodMeta,
    /// Every accepted service card (see [`StoredService::in_figures`]);
    /// empty for the run's own period (see [`StoredPeriod::current`]).
    pub services: Vec<StoredService>,
    /// One row per municipality of the oblast.
    pub municipalities: Vec<Figures>,
    /// One row per municipality of the oblast (empty for a period stored
    /// before socmon kept the calendar).
    pub timeliness: Vec<StoredTimeliness>,
    /// The status of each action of the plan then in force (empty without
    /// a plan, or for a period stored before the history kept them).
    pub plan_statuses: Vec<StoredPlanStatus>,
}

/// A planned action as the history keeps it: who it is and how it stood.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlanStatus {
    pub municipality_code: String,
    /// As in `plan_status.csv`: `open`, `expand`, `reduce`, `close`.
    pub action: String,
    pub service_type: String,
    pub service_name: String,
    pub year: Option<i64>,
    /// `on_time`, `late`, `overdue`, `not_due`.
    pub status: String,
}

impl StoredPeriod {
    /// Each oblast's part of a finished run, before anything is stored.
    pub fn of_run(schemas: &Schemas, period: Period, run: &Run, aggregates: &Aggregates) -> Vec<StoredPeriod> {
        // The contacts of the whole run, found once (not once per oblast).
        let contacts = crate::calendar::reminders::contacts_of_run(schemas, &run.records);
        run.oblasts
            .iter()
            .map(|oblast| StoredPeriod::current(schemas, period, run, aggregates, &contacts, oblast))
            .collect()
    }

    /// The oblast's part of a finished run, before anything is stored;
    /// `contacts` those of the run's municipal cards by municipality. Its
    /// `services` stay empty: they are the run's aggregated services, which
    /// the comparison borrows (a copy of every card was 24 MiB of a
    /// national run ×10) and the history stores from the aggregates.
    fn current(
        schemas: &Schemas,
        period: Period,
        run: &Run,
        aggregates: &Aggregates,
        contacts: &BTreeMap<String, Contact>,
        oblast: &str,
    ) -> StoredPeriod {
        let single = run.oblasts.len() == 1;
        let records: Vec<&Record> = run
            .records
            .iter()
            .filter(|r| single || r.oblast.as_deref() == Some(oblast))
            .collect();
        let accepted = records.iter().filter(|r| r.accepted()).count() as i64;
        let data_date = records
            .iter()
            .filter(|r| r.accepted())
            .filter_map(|r| {
                field_value(schemas, r, crate::schema::fields::municipal::FILLED_ON).and_then(Value::as_date)
            })
            .max();
        StoredPeriod {
            meta: PeriodMeta {
                oblast_code: oblast.to_string(),
                period,
                data_date,
                records_read: records.len() as i64,
                records_accepted: accepted,
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
            },
            // Not copied: the comparison borrows the aggregates' rows.
            services: Vec::new(),
            municipalities: aggregates
                .by_municipality
                .iter()
                .filter(|f| f.oblast_code == oblast)
                .cloned()
                .collect(),
            timeliness: current_timeliness(run, contacts, oblast),
            plan_statuses: Vec::new(),
        }
    }
}

/// The oblast's calendar of this run, as the history keeps it.
fn current_timeliness(run: &Run, contacts: &BTreeMap<String, Contact>, oblast: &str) -> Vec<StoredTimeliness> {
    use crate::calendar::Timeliness;
    let word = |t: Option<Timeliness>| t.map(|t| t.as_str().to_string()).unwrap_or_default();
    run.calendar
        .municipalities
        .iter()
        .filter(|m| m.oblast_code == oblast)
        .map(|m| {
            let contact = contacts.get(&m.municipality_code).cloned().unwrap_or_default();
            StoredTimeliness {
                municipality_code: m.municipality_code.clone(),
                municipality: m.municipality.clone(),
                received_on: m.received.as_ref().map(|r| r.on),
                received_source: m
                    .received
                    .as_ref()
                    .map(|r| r.source.as_str().to_string())
                    .unwrap_or_default(),
                deadline: m.deadline,
                days_late: m.timeliness.and_then(Timeliness::days_late),
                timeliness: word(m.timeliness),
                report_timeliness: word(m.report_timeliness),
                council_timeliness: word(m.council_timeliness),
                contact_name: contact.name,
                contact_phone: contact.phone,
                contact_email: contact.email,
            }
        })
        .collect()
}

fn field_value<'a>(schemas: &Schemas, record: &'a Record, id: &str) -> Option<&'a Value> {
    record.get(&schemas.templates[record.template], id)
}

pub(super) fn polars_error(e: PolarsError) -> Error {
    Error::Aggregate(e.to_string())
}

/// The tables of one oblast's stored period: (file stem, frame).
///
/// Errors: [`Error::Aggregate`] if polars refuses a frame (a bug).
pub fn frames(
    schemas: &Schemas,
    run: &Run,
    aggregates: &Aggregates,
    stored: &StoredPeriod,
    findings: &Tally,
) -> Result<Vec<(&'static str, DataFrame)>> {
    let oblast = stored.meta.oblast_code.as_str();
    let single = run.oblasts.len() == 1;
    let m = &stored.meta;
    let counts = findings.oblast(oblast);
    let run_frame = frame(vec![
        text("oblast_code", [m.oblast_code.clone()]),
        text("period_name", [m.period.name()]),
        text("period_start", [m.period.start.to_string()]),
        text("period_end", [m.period.end.to_string()]),
        ints("period_days", [Some(m.period.days())]),
        opt_text("data_date", [iso(m.data_date)]),
        text("tool_version", [m.tool_version.clone()]),
        ints("records_read", [Some(m.records_read)]),
        ints("records_accepted", [Some(m.records_accepted)]),
        ints("records_rejected", [Some(m.records_read - m.records_accepted)]),
        ints("errors", [Some(counts.errors)]),
        ints("warnings", [Some(counts.warnings)]),
        ints("run_files_seen", [Some(run.files.seen as i64)]),
        ints("run_files_read", [Some(run.files.read as i64)]),
        ints("run_files_failed", [Some(run.files.failed as i64)]),
        text("run_oblasts", [run.oblasts.join(" ")]),
    ])?;

    let rows: Vec<&ServiceRow> = aggregates.services.iter().filter(|s| s.oblast_code == oblast).collect();
    let services = frame(vec![
        text("file", rows.iter().map(|s| s.file.clone())),
        text("sheet", rows.iter().map(|s| s.sheet.clone())),
        text("template", rows.iter().map(|s| s.template.clone())),
        text("card", rows.iter().map(|s| s.card.as_str().to_string())),
        text("oblast_code", rows.iter().map(|s| s.oblast_code.clone())),
        text("municipality_code", rows.iter().map(|s| s.municipality_code.clone())),
        text("municipality", rows.iter().map(|s| s.municipality.clone())),
        text("settlement", rows.iter().map(|s| s.settlement.clone())),
        text("service_type", rows.iter().map(|s| s.service_type.clone())),
        text("service_type_name", rows.iter().map(|s| s.service_type_name.clone())),
        text("category", rows.iter().map(|s| s.category.clone())),
        text("service_name", rows.iter().map(|s| s.service_name.clone())),
        text("address", rows.iter().map(|s| s.address.clone())),
        text("provider_name", rows.iter().map(|s| s.provider_name.clone())),
        text("provider_type", rows.iter().map(|s| s.provider_type.clone())),
        text("financing", rows.iter().map(|s| s.financing.clone())),
        opt_text("project_end", rows.iter().map(|s| iso(s.project_end))),
        opt_text("start_date", rows.iter().map(|s| iso(s.start_date))),
        opt_text("end_date", rows.iter().map(|s| iso(s.end_date))),
        ints("capacity", rows.iter().map(|s| s.capacity)),
        floats("avg_users", rows.iter().map(|s| s.avg_users)),
        ints("users_served", rows.iter().map(|s| s.users_served)),
        ints("users_disabled", rows.iter().map(|s| s.users_disabled)),
        ints("users_elderly", rows.iter().map(|s| s.users_elderly)),
        ints("children_disabled", rows.iter().map(|s| s.children_disabled)),
        floats("budget_state", rows.iter().map(|s| s.budget_state)),
        floats("budget_local", rows.iter().map(|s| s.budget_local)),
        floats("budget_other", rows.iter().map(|s| s.budget_other)),
        bools("active", rows.iter().map(|s| Some(s.active))),
        bools("counted", rows.iter().map(|s| Some(s.counted))),
        bools("in_figures", rows.iter().map(|s| Some(s.in_figures()))),
        bools("opened_in_period", rows.iter().map(|s| Some(s.opened_in_period))),
        bools("closed_in_period", rows.iter().map(|s| Some(s.closed_in_period))),
    ])?;

    let of_oblast = |r: &&Record| r.accepted() && (single || r.oblast.as_deref() == Some(oblast));
    let municipal_cards = records_frame(schemas, Role::MunicipalCard, run.records.iter().filter(of_oblast))?;
    let dsp = records_frame(schemas, Role::Dsp, run.records.iter().filter(of_oblast))?;

    let figures = &stored.municipalities;
    let mut columns = vec![
        text("oblast_code", figures.iter().map(|f| f.oblast_code.clone())),
        text("municipality_code", figures.iter().map(|f| f.municipality_code.clone())),
        text("municipality", figures.iter().map(|f| f.municipality.clone())),
        ints("services", figures.iter().map(|f| Some(f.services))),
        ints("capacity", figures.iter().map(|f| Some(f.capacity))),
        floats("avg_users", figures.iter().map(|f| Some(f.avg_users))),
        ints("users_served", figures.iter().map(|f| Some(f.users_served))),
        floats("budget_state", figures.iter().map(|f| Some(f.budget_state))),
        floats("budget_local", figures.iter().map(|f| Some(f.budget_local))),
        floats("budget_other", figures.iter().map(|f| Some(f.budget_other))),
        ints("capacity_children", figures.iter().map(|f| Some(f.capacity_children))),
        ints("capacity_elderly", figures.iter().map(|f| Some(f.capacity_elderly))),
        ints("population", figures.iter().map(|f| f.population)),
        ints("population_children", figures.iter().map(|f| f.population_children)),
        ints("population_elderly", figures.iter().map(|f| f.population_elderly)),
        floats("approved_budget_state", figures.iter().map(|f| f.approved_state)),
        floats("approved_budget_local", figures.iter().map(|f| f.approved_local)),
        ints("declared_opened", figures.iter().map(|f| f.declared_opened)),
        ints("declared_closed", figures.iter().map(|f| f.declared_closed)),
        ints(
            "declared_projects_ended",
            figures.iter().map(|f| f.declared_projects_ended),
        ),
        ints(
            "declared_projects_sustained",
            figures.iter().map(|f| f.declared_projects_sustained),
        ),
        bools("dsp_received", figures.iter().map(|f| Some(f.dsp.is_some()))),
    ];
    for field in DSP_FIELDS {
        columns.push(ints(field, figures.iter().map(|f| f.dsp_value(field))));
    }
    columns.extend([
        floats("places_per_1000", figures.iter().map(Figures::places_per_1000)),
        floats(
            "children_places_per_1000",
            figures.iter().map(Figures::children_places_per_1000),
        ),
        floats(
            "elderly_places_per_1000",
            figures.iter().map(Figures::elderly_places_per_1000),
        ),
        floats("family_care_share", figures.iter().map(Figures::family_care_share)),
    ]);
    let by_municipality = frame(columns)?;

    let types: Vec<_> = aggregates
        .by_service_type
        .iter()
        .filter(|t| t.oblast_code == oblast)
        .collect();
    let by_service_type = frame(vec![
        text("oblast_code", types.iter().map(|t| t.oblast_code.clone())),
        text("service_type", types.iter().map(|t| t.service_type.clone())),
        text("service_type_name", types.iter().map(|t| t.name.clone())),
        ints("services", types.iter().map(|t| Some(t.services))),
        ints("capacity", types.iter().map(|t| Some(t.capacity))),
        floats("avg_users", types.iter().map(|t| Some(t.avg_users))),
        ints("users_served", types.iter().map(|t| Some(t.users_served))),
    ])?;

    // Findings by municipality, code and severity (those whose sender cannot
    // be told without a municipality).
    let counts: Vec<(&CodeKey, i64)> = findings.by_code_in(oblast).collect();
    let issue_counts = frame(vec![
        opt_text("municipality_code", counts.iter().map(|(k, _)| k.municipality.clone())),
        text("code", counts.iter().map(|(k, _)| k.code.to_string())),
        text("severity", counts.iter().map(|(k, _)| k.severity.as_str().to_string())),
        ints("count", counts.iter().map(|(_, n)| Some(*n))),
    ])?;

    let t = &stored.timeliness;
    let timeliness = frame(vec![
        text("oblast_code", t.iter().map(|_| oblast.to_string())),
        text("municipality_code", t.iter().map(|m| m.municipality_code.clone())),
        text("municipality", t.iter().map(|m| m.municipality.clone())),
        opt_text("received_on", t.iter().map(|m| iso(m.received_on))),
        text("received_source", t.iter().map(|m| m.received_source.clone())),
        opt_text("deadline", t.iter().map(|m| iso(m.deadline))),
        ints("days_late", t.iter().map(|m| m.days_late)),
        text("timeliness", t.iter().map(|m| m.timeliness.clone())),
        text("report_timeliness", t.iter().map(|m| m.report_timeliness.clone())),
        text("council_timeliness", t.iter().map(|m| m.council_timeliness.clone())),
        text("contact_name", t.iter().map(|m| m.contact_name.clone())),
        text("contact_phone", t.iter().map(|m| m.contact_phone.clone())),
        text("contact_email", t.iter().map(|m| m.contact_email.clone())),
    ])?;

    let tables = vec![
        ("run", run_frame),
        ("services", services),
        ("municipal_cards", municipal_cards),
        ("dsp", dsp),
        ("by_municipality", by_municipality),
        ("by_service_type", by_service_type),
        ("issue_counts", issue_counts),
        ("timeliness", timeliness),
    ];
    Ok(tables)
}

/// The stored `plan_status` table read back.
pub(super) fn plan_statuses_from(frame: &DataFrame) -> Result<Vec<StoredPlanStatus>> {
    let c = Columns(frame);
    let (code, action, kind) = (c.text("municipality_code")?, c.text("action")?, c.text("service_type")?);
    let (name, year, status) = (c.text("service_name")?, c.i64("year")?, c.text("status")?);
    Ok((0..frame.height())
        .map(|i| StoredPlanStatus {
            municipality_code: code[i].clone(),
            action: action[i].clone(),
            service_type: kind[i].clone(),
            service_name: name[i].clone(),
            year: year[i],
            status: status[i].clone(),
        })
        .collect())
}

/// Accepted records of one role as a typed frame: where each came from, then
/// one column per field of the template, typed by the schema.
fn records_frame<'a>(schemas: &Schemas, role: Role, records: impl Iterator<Item = &'a Record>) -> Result<DataFrame> {
    let Some(template) = schemas.templates.iter().position(|t| t.role == role) else {
        return frame(Vec::new());
    };
    let t = &schemas.templates[template];
    let records: Vec<&Record> = records.filter(|r| r.template == template).collect();
    let mut columns = vec![
        text("file", records.iter().map(|r| r.file.clone())),
        text("sheet", records.iter().map(|r| r.sheet.clone())),
        text(
            "municipality_code",
            records.iter().map(|r| r.municipality.clone().unwrap_or_default()),
        ),
        bools("counted", records.iter().map(|r| Some(r.counted))),
    ];
    for (i, field) in t.fields.iter().enumerate() {
        if matches!(field.id.as_str(), "file" | "sheet" | "municipality_code" | "counted") {
            continue;
        }
        let values = records.iter().map(|r| r.values[i].as_ref());
        columns.push(match field.kind {
            FieldType::Integer => ints(
                &field.id,
                values.map(|v| match v {
                    Some(Value::Int(n)) => Some(*n),
                    Some(other) => other.as_f64().map(|x| x as i64),
                    None => None,
                }),
            ),
            FieldType::Decimal | FieldType::Money => floats(&field.id, values.map(|v| v.and_then(Value::as_f64))),
            FieldType::Date => opt_text(&field.id, values.map(|v| iso(v.and_then(Value::as_date)))),
            FieldType::YesNo => bools(
                &field.id,
                values.map(|v| match v {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                }),
            ),
            _ => opt_text(&field.id, values.map(|v| v.map(Value::display))),
        });
    }
    frame(columns)
}

// ---- reading back -------------------------------------------------------------

/// The metadata row of `run.parquet`.
pub(super) fn meta_from(run: &DataFrame) -> Result<PeriodMeta> {
    let c = Columns(run);
    let first = |v: Vec<Option<i64>>| v.first().copied().flatten().unwrap_or(0);
    let (start, end) = (c.date("period_start")?, c.date("period_end")?);
    let (Some(Some(start)), Some(Some(end))) = (start.first().copied(), end.first().copied()) else {
        return Err(Error::Aggregate("the stored run has no period".into()));
    };
    Ok(PeriodMeta {
        oblast_code: c.text("oblast_code")?.into_iter().next().unwrap_or_default(),
        period: Period { start, end },
        data_date: c.date("data_date")?.first().copied().flatten(),
        records_read: first(c.i64("records_read")?),
        records_accepted: first(c.i64("records_accepted")?),
        tool_version: c.text("tool_version")?.into_iter().next().unwrap_or_default(),
    })
}

pub(super) fn services_from(frame: &DataFrame) -> Result<Vec<StoredService>> {
    let c = Columns(frame);
    let (file, sheet, template) = (c.text("file")?, c.text("sheet")?, c.text("template")?);
    let (oblast, code, name) = (
        c.text("oblast_code")?,
        c.text("municipality_code")?,
        c.text("municipality")?,
    );
    let (settlement, kind, service_name) = (c.text("settlement")?, c.text("service_type")?, c.text("service_name")?);
    let (address, provider) = (c.text("address")?, c.text("provider_name")?);
    let (capacity, avg, served) = (c.i64("capacity")?, c.f64("avg_users")?, c.i64("users_served")?);
    let (state, local, other) = (c.f64("budget_state")?, c.f64("budget_local")?, c.f64("budget_other")?);
    let (start, end) = (c.date("start_date")?, c.date("end_date")?);
    let counted = c.bool("counted")?;
    let (in_figures, opened, closed) = (
        c.bool("in_figures")?,
        c.bool("opened_in_period")?,
        c.bool("closed_in_period")?,
    );
    Ok((0..frame.height())
        .map(|i| StoredService {
            file: file[i].clone(),
            sheet: sheet[i].clone(),
            template: template[i].clone(),
            oblast_code: oblast[i].clone(),
            municipality_code: code[i].clone(),
            municipality: name[i].clone(),
            settlement: settlement[i].clone(),
            service_type: kind[i].clone(),
            service_name: service_name[i].clone(),
            address: address[i].clone(),
            provider_name: provider[i].clone(),
            capacity: capacity[i],
            avg_users: avg[i],
            users_served: served[i],
            budget_state: state[i],
            budget_local: local[i],
            budget_other: other[i],
            start_date: start[i],
            end_date: end[i],
            counted: counted[i],
            in_figures: in_figures[i],
            opened_in_period: opened[i],
            closed_in_period: closed[i],
        })
        .collect())
}

/// The stored `timeliness` table read back.
pub(super) fn timeliness_from(frame: &DataFrame) -> Result<Vec<StoredTimeliness>> {
    let c = Columns(frame);
    let (code, name) = (c.text("municipality_code")?, c.text("municipality")?);
    let (received_on, source, deadline) = (c.date("received_on")?, c.text("received_source")?, c.date("deadline")?);
    let (days, timeliness) = (c.i64("days_late")?, c.text("timeliness")?);
    let (report, council) = (c.text("report_timeliness")?, c.text("council_timeliness")?);
    let (person, phone, email) = (
        c.text("contact_name")?,
        c.text("contact_phone")?,
        c.text("contact_email")?,
    );
    Ok((0..frame.height())
        .map(|i| StoredTimeliness {
            municipality_code: code[i].clone(),
            municipality: name[i].clone(),
            received_on: received_on[i],
            received_source: source[i].clone(),
            deadline: deadline[i],
            days_late: days[i],
            timeliness: timeliness[i].clone(),
            report_timeliness: report[i].clone(),
            council_timeliness: council[i].clone(),
            contact_name: person[i].clone(),
            contact_phone: phone[i].clone(),
            contact_email: email[i].clone(),
        })
        .collect())
}

/// The stored `by_municipality` table read back as figures: its columns
/// carry the names of `by_municipality.csv` and README, renamed here to
/// those the figures are read from.
pub(super) fn figures_from(frame: &DataFrame) -> Result<Vec<Figures>> {
    let mut frame = frame.clone();
    for (stored, read) in [
        ("approved_budget_state", "approved_state"),
        ("approved_budget_local", "approved_local"),
        ("declared_opened", "services_opened"),
        ("declared_closed", "services_closed"),
        ("declared_projects_ended", "projects_ended"),
        ("declared_projects_sustained", "projects_sustained"),
        // A DSP row received reads as one row (true → 1).
        ("dsp_received", "dsp_rows"),
    ] {
        frame
            .rename(stored, read.into())
            .map_err(|_| Error::Aggregate(format!("the stored table has no column {stored}")))?;
    }
    crate::aggregate::figures_from(&frame)
}
