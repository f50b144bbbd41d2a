//! Aggregation: takes the validated records and gives the figures of the
//! report, added up with polars — per municipality (every municipality of
//! the run's oblasts, those that sent nothing included), per service type,
//! per municipality and type, per financing type, per oblast; the DSP
//! figures and indicators; the changes in the network; the submissions.
//!
//! Every sum counts only accepted services active in the period, each
//! duplicate once (REPORT.md). Per-row facts (active in the period, opened in
//! it) are decided in Rust before the frames are built; polars does the
//! grouping and joining.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::exact::{DECIMAL, MONEY, Scale};
use crate::period::Period;
use crate::reference::Card;
use crate::schema::fields::{adults, children, dsp, municipal, service};
use crate::schema::{Role, Schemas};
use crate::tally::Tally;
use crate::validate::{Record, Value};

/// An accepted service card with what the report needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub file: String,
    pub sheet: String,
    pub template: String,
    pub card: Card,
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    pub settlement: String,
    pub service_name: String,
    pub service_type: String,
    pub service_type_name: String,
    pub category: String,
    pub target_group: String,
    pub address: String,
    pub provider_name: String,
    pub provider_type: String,
    pub financing: String,
    pub project_end: Option<NaiveDate>,
    /// Children's cards only.
    pub license_no: String,
    pub license_valid_until: Option<NaiveDate>,
    pub age_group: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub capacity: Option<i64>,
    pub avg_users: Option<f64>,
    pub users_served: Option<i64>,
    pub users_disabled: Option<i64>,
    pub users_elderly: Option<i64>,
    pub children_disabled: Option<i64>,
    pub budget_state: Option<f64>,
    pub budget_local: Option<f64>,
    pub budget_other: Option<f64>,
    /// Active in the period (opened by its end, not closed before its start).
    pub active: bool,
    /// Not a later copy of a duplicate.
    pub counted: bool,
    pub opened_in_period: bool,
    pub closed_in_period: bool,
    /// Project funding that ended by the end of the period.
    pub project_ended: bool,
}

impl ServiceRow {
    /// Whether it adds to the figures.
    pub fn in_figures(&self) -> bool {
        self.active && self.counted
    }

    /// Average users as a share of capacity.
    pub fn occupancy(&self) -> Option<f64> {
        match (self.avg_users, self.capacity) {
            (Some(users), Some(places)) if places > 0 => Some(users / places as f64),
            _ => None,
        }
    }
}

/// An accepted DSP row.
#[derive(Debug, Clone, PartialEq)]
pub struct DspRow {
    pub file: String,
    pub sheet: String,
    pub oblast_code: String,
    pub municipality_code: String,
    pub counted: bool,
    /// The DSP fields in schema order (id, value).
    pub values: Vec<(String, Option<i64>)>,
}

/// The DSP columns, in TEMPLATES.md order.
pub const DSP_FIELDS: &[&str] = &[
    dsp::CHILDREN_TOTAL,
    dsp::CHILDREN_DISABLED,
    dsp::CHILDREN_AT_RISK,
    dsp::CHILDREN_FOSTER,
    dsp::CHILDREN_KINSHIP,
    dsp::CHILDREN_RESIDENTIAL,
    dsp::CHILDREN_INSTITUTIONS,
    dsp::ADULTS_DISABLED,
    dsp::ADULTS_DISABLED_90,
    dsp::PERSONAL_ASSISTANCE,
    dsp::ADULTS_INSTITUTIONS,
];

/// Figures of one municipality (or, in [`Aggregates::oblast_totals`], one oblast).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    pub services: i64,
    pub capacity: i64,
    pub avg_users: f64,
    pub users_served: i64,
    pub budget_state: f64,
    pub budget_local: f64,
    pub budget_other: f64,
    /// Places in services on the children's card.
    pub capacity_children: i64,
    /// Places in services whose target group is elderly people.
    pub capacity_elderly: i64,
    /// From the municipal card (None when it did not come or was rejected).
    pub population: Option<i64>,
    pub population_children: Option<i64>,
    pub population_elderly: Option<i64>,
    pub approved_state: Option<f64>,
    pub approved_local: Option<f64>,
    pub declared_opened: Option<i64>,
    pub declared_closed: Option<i64>,
    pub declared_projects_ended: Option<i64>,
    pub declared_projects_sustained: Option<i64>,
    /// DSP figures by [`DSP_FIELDS`] (None when no DSP row).
    pub dsp: Option<Vec<Option<i64>>>,
}

impl Figures {
    pub fn dsp_value(&self, field: &str) -> Option<i64> {
        let i = DSP_FIELDS.iter().position(|f| *f == field)?;
        self.dsp.as_ref().and_then(|d| d[i])
    }

    pub fn places_per_1000(&self) -> Option<f64> {
        ratio(self.capacity as f64 * 1000.0, self.population)
    }

    pub fn children_places_per_1000(&self) -> Option<f64> {
        ratio(self.capacity_children as f64 * 1000.0, self.population_children)
    }

    pub fn elderly_places_per_1000(&self) -> Option<f64> {
        ratio(self.capacity_elderly as f64 * 1000.0, self.population_elderly)
    }

    /// Children in family-type care (foster + kinship) among all children
    /// placed out of their family (foster + kinship + residential + institutions).
    pub fn family_care_share(&self) -> Option<f64> {
        let family = self.dsp_value(dsp::CHILDREN_FOSTER)? + self.dsp_value(dsp::CHILDREN_KINSHIP)?;
        let placed =
            family + self.dsp_value(dsp::CHILDREN_RESIDENTIAL)? + self.dsp_value(dsp::CHILDREN_INSTITUTIONS)?;
        (placed > 0).then(|| family as f64 / placed as f64)
    }

    /// The state-delegated share of the service cards' funds.
    pub fn state_share(&self) -> Option<f64> {
        let total = self.budget_state + self.budget_local + self.budget_other;
        (total > 0.0).then(|| self.budget_state / total)
    }
}

fn ratio(numerator: f64, denominator: Option<i64>) -> Option<f64> {
    denominator.filter(|&d| d > 0).map(|d| numerator / d as f64)
}

/// Figures of one service type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeFigures {
    pub oblast_code: String,
    pub service_type: String,
    pub name: String,
    pub services: i64,
    pub capacity: i64,
    pub avg_users: f64,
    pub users_served: i64,
}

/// Capacity and average users of one service type in one municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityTypeFigures {
    pub municipality_code: String,
    pub service_type: String,
    pub capacity: i64,
    pub avg_users: f64,
}

/// Figures of one financing type.
#[derive(Debug, Clone, PartialEq)]
pub struct FinancingFigures {
    pub financing: String,
    pub name: String,
    pub services: i64,
    pub capacity: i64,
    pub budget_state: f64,
    pub budget_local: f64,
    pub budget_other: f64,
}

/// Whether a municipality sent what it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Municipal card and DSP row received, no errors.
    Complete,
    /// Something received, but not all, or with errors.
    Incomplete,
    /// Nothing received.
    Missing,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Incomplete => "incomplete",
            Status::Missing => "missing",
        }
    }
}

/// What one municipality sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    pub municipal_card: bool,
    pub adult_cards: i64,
    pub child_cards: i64,
    pub dsp_row: bool,
    pub errors: i64,
    pub warnings: i64,
    pub filled_on: Option<NaiveDate>,
    pub status: Status,
}

/// Every figure of the report.
#[derive(Debug, Clone, Default)]
pub struct Aggregates {
    /// Accepted services, sorted by municipality, type, name.
    pub services: Vec<ServiceRow>,
    pub dsp: Vec<DspRow>,
    /// One row per municipality of the run's oblasts, in code order.
    pub by_municipality: Vec<Figures>,
    /// One row per oblast of the run.
    pub oblast_totals: Vec<Figures>,
    pub by_service_type: Vec<TypeFigures>,
    pub by_municipality_type: Vec<MunicipalityTypeFigures>,
    pub by_financing: Vec<FinancingFigures>,
    /// One row per municipality of the run's oblasts: made by
    /// [`submissions`] once the findings are final (after the comparison
    /// with the history), empty until then.
    pub submissions: Vec<Submission>,
    /// The latest fill-in date in the data (else the period's end): the
    /// date the report's files carry, never the clock.
    pub data_date: Option<NaiveDate>,
}

fn polars_error(e: PolarsError) -> Error {
    Error::Aggregate(e.to_string())
}

fn text(record: &Record, schemas: &Schemas, id: &str) -> String {
    let template = &schemas.templates[record.template];
    record.get(template, id).map(Value::display).unwrap_or_default()
}

fn int(record: &Record, schemas: &Schemas, id: &str) -> Option<i64> {
    let template = &schemas.templates[record.template];
    match record.get(template, id) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

fn number(record: &Record, schemas: &Schemas, id: &str) -> Option<f64> {
    let template = &schemas.templates[record.template];
    record.get(template, id).and_then(Value::as_f64)
}

fn date(record: &Record, schemas: &Schemas, id: &str) -> Option<NaiveDate> {
    let template = &schemas.templates[record.template];
    record.get(template, id).and_then(Value::as_date)
}

fn service_row(record: &Record, schemas: &Schemas, period: &Period) -> ServiceRow {
    let template = &schemas.templates[record.template];
    let reference = &schemas.reference;
    let service_type = text(record, schemas, service::SERVICE_TYPE);
    let known = reference.service_type(&service_type);
    let municipality_code = record.municipality.clone().unwrap_or_default();
    let start_date = date(record, schemas, service::START_DATE);
    let end_date = date(record, schemas, service::END_DATE);
    let project_end = date(record, schemas, service::PROJECT_END);
    let financing = text(record, schemas, service::FINANCING);
    ServiceRow {
        file: record.file.clone(),
        sheet: record.sheet.clone(),
        template: template.id.clone(),
        card: template.card.unwrap_or(Card::Adults),
        oblast_code: record.oblast.clone().unwrap_or_default(),
        municipality: reference
            .municipality(&municipality_code)
            .map(|m| m.name_bg.clone())
            .unwrap_or_default(),
        municipality_code,
        settlement: text(record, schemas, service::SETTLEMENT),
        service_name: text(record, schemas, service::SERVICE_NAME),
        service_type_name: known.map(|s| s.name_bg.clone()).unwrap_or_default(),
        category: known.map(|s| s.category.clone()).unwrap_or_default(),
        target_group: known.map(|s| s.target_group.clone()).unwrap_or_default(),
        service_type,
        address: text(record, schemas, service::ADDRESS),
        provider_name: text(record, schemas, service::PROVIDER_NAME),
        provider_type: text(record, schemas, service::PROVIDER_TYPE),
        project_ended: schemas.common.counting.is_project(&financing) && project_end.is_some_and(|d| d <= period.end),
        financing,
        project_end,
        license_no: text(record, schemas, children::LICENSE_NO),
        license_valid_until: date(record, schemas, children::LICENSE_VALID_UNTIL),
        age_group: text(record, schemas, children::AGE_GROUP),
        active: period.is_active(start_date, end_date),
        opened_in_period: start_date.is_some_and(|d| period.contains(d)),
        closed_in_period: end_date.is_some_and(|d| period.contains(d)),
        start_date,
        end_date,
        capacity: int(record, schemas, service::CAPACITY),
        avg_users: number(record, schemas, service::AVG_USERS),
        users_served: int(record, schemas, service::USERS_SERVED),
        users_disabled: int(record, schemas, service::USERS_DISABLED),
        users_elderly: int(record, schemas, adults::USERS_ELDERLY),
        children_disabled: int(record, schemas, children::CHILDREN_DISABLED),
        budget_state: number(record, schemas, service::BUDGET_STATE),
        budget_local: number(record, schemas, service::BUDGET_LOCAL),
        budget_other: number(record, schemas, service::BUDGET_OTHER),
        counted: record.counted,
    }
}

/// Reads a column of a frame as optional values.
/// Reads the columns of a frame by name and type: the frames this module
/// builds, and the tables the history stores.
pub(crate) struct Columns<'a>(pub(crate) &'a DataFrame);

impl Columns<'_> {
    fn column(&self, name: &str) -> Result<&Column> {
        self.0
            .column(name)
            .map_err(|_| Error::Aggregate(format!("the table has no column {name}")))
    }

    fn cast(&self, name: &str, to: &DataType) -> Result<Column> {
        self.column(name)?.cast(to).map_err(polars_error)
    }

    pub(crate) fn str(&self, name: &str) -> Result<Vec<Option<String>>> {
        let column = self.cast(name, &DataType::String)?;
        Ok(column
            .str()
            .map_err(polars_error)?
            .iter()
            .map(|s| s.map(str::to_string))
            .collect())
    }

    /// Text, a missing value read as "".
    pub(crate) fn text(&self, name: &str) -> Result<Vec<String>> {
        Ok(self.str(name)?.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// ISO dates stored as text.
    pub(crate) fn date(&self, name: &str) -> Result<Vec<Option<NaiveDate>>> {
        Ok(self
            .str(name)?
            .into_iter()
            .map(|s| s.and_then(|s| s.parse().ok()))
            .collect())
    }

    pub(crate) fn i64(&self, name: &str) -> Result<Vec<Option<i64>>> {
        let column = self.cast(name, &DataType::Int64)?;
        Ok(column.i64().map_err(polars_error)?.iter().collect())
    }

    pub(crate) fn f64(&self, name: &str) -> Result<Vec<Option<f64>>> {
        let column = self.cast(name, &DataType::Float64)?;
        Ok(column.f64().map_err(polars_error)?.iter().collect())
    }

    /// Amounts from a column of whole units of `scale`.
    fn amounts(&self, name: &str, scale: Scale) -> Result<Vec<Option<f64>>> {
        Ok(self
            .f64(name)?
            .into_iter()
            .map(|u| u.map(|u| scale.amount(u)))
            .collect())
    }

    /// Yes/no, a missing value read as no.
    pub(crate) fn bool(&self, name: &str) -> Result<Vec<bool>> {
        let column = self.cast(name, &DataType::Boolean)?;
        Ok(column
            .bool()
            .map_err(polars_error)?
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect())
    }
}

fn frame(columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new_infer_height(columns).map_err(polars_error)
}

fn str_column(name: &str, values: impl IntoIterator<Item = String>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<String>>())
}

/// The counted services, money and decimals in whole units ([`crate::exact`])
/// so that their sums are exact.
fn services_frame(services: &[ServiceRow], elderly: &str) -> Result<DataFrame> {
    let counted: Vec<&ServiceRow> = services.iter().filter(|s| s.in_figures()).collect();
    frame(vec![
        str_column("oblast_code", counted.iter().map(|s| s.oblast_code.clone())),
        str_column("municipality_code", counted.iter().map(|s| s.municipality_code.clone())),
        str_column("service_type", counted.iter().map(|s| s.service_type.clone())),
        str_column("financing", counted.iter().map(|s| s.financing.clone())),
        Column::new(
            "capacity".into(),
            counted.iter().map(|s| s.capacity).collect::<Vec<_>>(),
        ),
        Column::new(
            "avg_users".into(),
            counted
                .iter()
                .map(|s| s.avg_users.map(|v| DECIMAL.units(v)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "users_served".into(),
            counted.iter().map(|s| s.users_served).collect::<Vec<_>>(),
        ),
        Column::new(
            "budget_state".into(),
            counted
                .iter()
                .map(|s| s.budget_state.map(|v| MONEY.units(v)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "budget_local".into(),
            counted
                .iter()
                .map(|s| s.budget_local.map(|v| MONEY.units(v)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "budget_other".into(),
            counted
                .iter()
                .map(|s| s.budget_other.map(|v| MONEY.units(v)))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "capacity_children".into(),
            counted
                .iter()
                .map(|s| if s.card == Card::Children { s.capacity } else { Some(0) })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "capacity_elderly".into(),
            counted
                .iter()
                .map(|s| if s.target_group == elderly { s.capacity } else { Some(0) })
                .collect::<Vec<_>>(),
        ),
    ])
}

/// The sums every grouping takes of the services frame.
fn service_sums() -> Vec<Expr> {
    vec![
        len().cast(DataType::Int64).alias("services"),
        col("capacity").sum(),
        col("avg_users").sum(),
        col("users_served").sum(),
        col("budget_state").sum(),
        col("budget_local").sum(),
        col("budget_other").sum(),
        col("capacity_children").sum(),
        col("capacity_elderly").sum(),
    ]
}

/// Aggregates the validated records of a run whose oblasts are `oblasts`.
///
/// Errors: [`Error::Aggregate`] if polars fails (a bug, not a data problem).
pub fn aggregate(schemas: &Schemas, period: &Period, oblasts: &[String], records: &[Record]) -> Result<Aggregates> {
    let reference = &schemas.reference;
    let role = |r: &Record| schemas.templates[r.template].role;
    let accepted: Vec<&Record> = records.iter().filter(|r| r.accepted()).collect();

    let mut services: Vec<ServiceRow> = accepted
        .iter()
        .filter(|r| role(r) == Role::ServiceCard)
        .map(|r| service_row(r, schemas, period))
        .collect();
    services.sort_by(|a, b| {
        (
            &a.municipality_code,
            &a.service_type,
            &a.service_name,
            &a.file,
            &a.sheet,
        )
            .cmp(&(
                &b.municipality_code,
                &b.service_type,
                &b.service_name,
                &b.file,
                &b.sheet,
            ))
    });
    let dsp: Vec<DspRow> = accepted
        .iter()
        .filter(|r| role(r) == Role::Dsp)
        .map(|r| DspRow {
            file: r.file.clone(),
            sheet: r.sheet.clone(),
            oblast_code: r.oblast.clone().unwrap_or_default(),
            municipality_code: r.municipality.clone().unwrap_or_default(),
            counted: r.counted,
            values: DSP_FIELDS
                .iter()
                .map(|f| ((*f).to_string(), int(r, schemas, f)))
                .collect(),
        })
        .collect();

    // The municipalities of the run: every one of its oblasts.
    let municipalities: Vec<&crate::reference::Municipality> =
        oblasts.iter().flat_map(|o| reference.municipalities_of(o)).collect();
    let municipality_frame = frame(vec![
        str_column("oblast_code", municipalities.iter().map(|m| m.oblast_code.clone())),
        str_column("municipality_code", municipalities.iter().map(|m| m.code.clone())),
        str_column("municipality", municipalities.iter().map(|m| m.name_bg.clone())),
    ])?;

    let service_frame = services_frame(&services, &schemas.common.counting.elderly_target_group)?;
    let per_municipality = service_frame
        .clone()
        .lazy()
        .group_by([col("municipality_code")])
        .agg(service_sums());

    // Municipal cards (the counted one of each municipality).
    let cards: Vec<&&Record> = accepted
        .iter()
        .filter(|r| role(r) == Role::MunicipalCard && r.counted)
        .collect();
    let card_ints = |id: &str| Column::new(id.into(), cards.iter().map(|r| int(r, schemas, id)).collect::<Vec<_>>());
    let card_money = |id: &str, alias: &str| {
        Column::new(
            alias.into(),
            cards
                .iter()
                .map(|r| number(r, schemas, id).map(|v| MONEY.units(v)))
                .collect::<Vec<_>>(),
        )
    };
    let card_frame = frame(vec![
        str_column(
            "municipality_code",
            cards.iter().map(|r| r.municipality.clone().unwrap_or_default()),
        ),
        card_ints(municipal::POPULATION),
        card_ints(municipal::POPULATION_CHILDREN),
        card_ints(municipal::POPULATION_ELDERLY),
        card_money(municipal::BUDGET_STATE, "approved_state"),
        card_money(municipal::BUDGET_LOCAL, "approved_local"),
        card_ints(municipal::SERVICES_OPENED),
        card_ints(municipal::SERVICES_CLOSED),
        card_ints(municipal::PROJECTS_ENDED),
        card_ints(municipal::PROJECTS_SUSTAINED),
    ])?;

    let dsp_counted: Vec<&DspRow> = dsp.iter().filter(|d| d.counted).collect();
    let mut dsp_columns = vec![str_column(
        "municipality_code",
        dsp_counted.iter().map(|d| d.municipality_code.clone()),
    )];
    for (i, field) in DSP_FIELDS.iter().enumerate() {
        dsp_columns.push(Column::new(
            (*field).into(),
            dsp_counted.iter().map(|d| d.values[i].1).collect::<Vec<_>>(),
        ));
    }
    dsp_columns.push(Column::new("dsp_rows".into(), vec![1i64; dsp_counted.len()]));
    let dsp_frame = frame(dsp_columns)?.lazy().group_by([col("municipality_code")]).agg(
        DSP_FIELDS
            .iter()
            .map(|f| col(*f).sum())
            .chain([col("dsp_rows").sum()])
            .collect::<Vec<_>>(),
    );

    let zero_filled = [
        "services",
        "capacity",
        "users_served",
        "capacity_children",
        "capacity_elderly",
    ];
    let zero_filled_money = ["avg_users", "budget_state", "budget_local", "budget_other"];
    let joined = municipality_frame
        .lazy()
        .left_join(per_municipality, col("municipality_code"), col("municipality_code"))
        .left_join(card_frame.lazy(), col("municipality_code"), col("municipality_code"))
        .left_join(dsp_frame, col("municipality_code"), col("municipality_code"))
        .with_columns(
            zero_filled
                .iter()
                .map(|c| col(*c).fill_null(lit(0i64)))
                .chain(zero_filled_money.iter().map(|c| col(*c).fill_null(lit(0.0))))
                .collect::<Vec<_>>(),
        )
        .sort(["municipality_code"], SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;
    // Whole units back to amounts, the sums made (in Rust: polars would
    // multiply by 0.01, which is not exact).
    let by_municipality: Vec<Figures> = figures_from(&joined)?
        .into_iter()
        .map(|mut f| {
            f.avg_users = DECIMAL.amount(f.avg_users);
            for money in [&mut f.budget_state, &mut f.budget_local, &mut f.budget_other] {
                *money = MONEY.amount(*money);
            }
            for approved in [&mut f.approved_state, &mut f.approved_local] {
                *approved = approved.map(|u| MONEY.amount(u));
            }
            f
        })
        .collect();

    let oblast_totals = oblasts
        .iter()
        .map(|o| total_of(o, by_municipality.iter().filter(|f| &f.oblast_code == o)))
        .collect();

    let by_type_frame = service_frame
        .clone()
        .lazy()
        .group_by([col("oblast_code"), col("service_type")])
        .agg(service_sums())
        .collect()
        .map_err(polars_error)?;
    let mut by_service_type = {
        let c = Columns(&by_type_frame);
        let (oblast, types) = (c.text("oblast_code")?, c.text("service_type")?);
        let (count, capacity, users, served) = (
            c.i64("services")?,
            c.i64("capacity")?,
            c.amounts("avg_users", DECIMAL)?,
            c.i64("users_served")?,
        );
        (0..by_type_frame.height())
            .map(|i| TypeFigures {
                oblast_code: oblast[i].clone(),
                name: reference
                    .service_type(&types[i])
                    .map(|s| s.name_bg.clone())
                    .unwrap_or_default(),
                service_type: types[i].clone(),
                services: count[i].unwrap_or(0),
                capacity: capacity[i].unwrap_or(0),
                avg_users: users[i].unwrap_or(0.0),
                users_served: served[i].unwrap_or(0),
            })
            .collect::<Vec<_>>()
    };
    let type_order: HashMap<&str, usize> = reference
        .service_types
        .iter()
        .enumerate()
        .map(|(i, s)| (s.code.as_str(), i))
        .collect();
    by_service_type.sort_by_key(|t| {
        (
            t.oblast_code.clone(),
            type_order.get(t.service_type.as_str()).copied().unwrap_or(usize::MAX),
        )
    });

    let cross_frame = service_frame
        .clone()
        .lazy()
        .group_by([col("municipality_code"), col("service_type")])
        .agg([col("capacity").sum(), col("avg_users").sum()])
        .collect()
        .map_err(polars_error)?;
    let mut by_municipality_type = {
        let c = Columns(&cross_frame);
        let (m, t, cap, users) = (
            c.text("municipality_code")?,
            c.text("service_type")?,
            c.i64("capacity")?,
            c.amounts("avg_users", DECIMAL)?,
        );
        (0..cross_frame.height())
            .map(|i| MunicipalityTypeFigures {
                municipality_code: m[i].clone(),
                service_type: t[i].clone(),
                capacity: cap[i].unwrap_or(0),
                avg_users: users[i].unwrap_or(0.0),
            })
            .collect::<Vec<_>>()
    };
    by_municipality_type.sort_by_key(|x| {
        (
            x.municipality_code.clone(),
            type_order.get(x.service_type.as_str()).copied().unwrap_or(usize::MAX),
        )
    });

    let financing_frame = service_frame
        .lazy()
        .group_by([col("financing")])
        .agg(service_sums())
        .sort(["financing"], SortMultipleOptions::default())
        .collect()
        .map_err(polars_error)?;
    let by_financing = {
        let c = Columns(&financing_frame);
        let (f, n, cap) = (c.text("financing")?, c.i64("services")?, c.i64("capacity")?);
        let (bs, bl, bo) = (
            c.amounts("budget_state", MONEY)?,
            c.amounts("budget_local", MONEY)?,
            c.amounts("budget_other", MONEY)?,
        );
        let mut rows: Vec<FinancingFigures> = (0..financing_frame.height())
            .map(|i| FinancingFigures {
                name: reference
                    .financing_types
                    .iter()
                    .find(|t| t.code == f[i])
                    .map(|t| t.name_bg.clone())
                    .unwrap_or_default(),
                financing: f[i].clone(),
                services: n[i].unwrap_or(0),
                capacity: cap[i].unwrap_or(0),
                budget_state: bs[i].unwrap_or(0.0),
                budget_local: bl[i].unwrap_or(0.0),
                budget_other: bo[i].unwrap_or(0.0),
            })
            .collect();
        let order: Vec<&str> = reference.financing_types.iter().map(|t| t.code.as_str()).collect();
        rows.sort_by_key(|r| order.iter().position(|c| *c == r.financing).unwrap_or(usize::MAX));
        rows
    };

    let data_date = records
        .iter()
        .filter(|r| r.accepted())
        .filter_map(|r| date(r, schemas, municipal::FILLED_ON))
        .max();

    Ok(Aggregates {
        services,
        dsp,
        by_municipality,
        oblast_totals,
        by_service_type,
        by_municipality_type,
        by_financing,
        submissions: Vec::new(),
        data_date,
    })
}

/// The figures of each municipality from a frame with the columns of
/// [`Figures`] (as `aggregate` joins them; the history renames its stored
/// columns to these before calling).
pub(crate) fn figures_from(joined: &DataFrame) -> Result<Vec<Figures>> {
    let c = Columns(joined);
    let (oblast, code, name) = (
        c.text("oblast_code")?,
        c.text("municipality_code")?,
        c.text("municipality")?,
    );
    let (services, capacity, users, served) = (
        c.i64("services")?,
        c.i64("capacity")?,
        c.f64("avg_users")?,
        c.i64("users_served")?,
    );
    let (bs, bl, bo) = (c.f64("budget_state")?, c.f64("budget_local")?, c.f64("budget_other")?);
    let (cap_children, cap_elderly) = (c.i64("capacity_children")?, c.i64("capacity_elderly")?);
    let (pop, pop_children, pop_elderly) = (
        c.i64("population")?,
        c.i64("population_children")?,
        c.i64("population_elderly")?,
    );
    let (approved_state, approved_local) = (c.f64("approved_state")?, c.f64("approved_local")?);
    let (opened, closed, ended, sustained) = (
        c.i64("services_opened")?,
        c.i64("services_closed")?,
        c.i64("projects_ended")?,
        c.i64("projects_sustained")?,
    );
    let dsp_rows = c.i64("dsp_rows")?;
    let dsp_columns = DSP_FIELDS.iter().map(|f| c.i64(f)).collect::<Result<Vec<_>>>()?;
    Ok((0..joined.height())
        .map(|i| Figures {
            oblast_code: oblast[i].clone(),
            municipality_code: code[i].clone(),
            municipality: name[i].clone(),
            services: services[i].unwrap_or(0),
            capacity: capacity[i].unwrap_or(0),
            avg_users: users[i].unwrap_or(0.0),
            users_served: served[i].unwrap_or(0),
            budget_state: bs[i].unwrap_or(0.0),
            budget_local: bl[i].unwrap_or(0.0),
            budget_other: bo[i].unwrap_or(0.0),
            capacity_children: cap_children[i].unwrap_or(0),
            capacity_elderly: cap_elderly[i].unwrap_or(0),
            population: pop[i],
            population_children: pop_children[i],
            population_elderly: pop_elderly[i],
            approved_state: approved_state[i],
            approved_local: approved_local[i],
            declared_opened: opened[i],
            declared_closed: closed[i],
            declared_projects_ended: ended[i],
            declared_projects_sustained: sustained[i],
            dsp: dsp_rows[i]
                .filter(|&n| n > 0)
                .map(|_| dsp_columns.iter().map(|col| col[i]).collect()),
        })
        .collect())
}

fn add(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (x, None) => x,
        (None, y) => y,
    }
}

fn add_money(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(MONEY.add(x, y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The sum of municipalities' figures (an oblast or the country); money and
/// decimals added exactly ([`crate::exact`]).
pub fn total_of<'a>(code: &str, rows: impl Iterator<Item = &'a Figures>) -> Figures {
    let mut total = Figures {
        oblast_code: code.to_string(),
        ..Figures::default()
    };
    for f in rows {
        total.services += f.services;
        total.capacity += f.capacity;
        total.avg_users = DECIMAL.add(total.avg_users, f.avg_users);
        total.users_served += f.users_served;
        total.budget_state = MONEY.add(total.budget_state, f.budget_state);
        total.budget_local = MONEY.add(total.budget_local, f.budget_local);
        total.budget_other = MONEY.add(total.budget_other, f.budget_other);
        total.capacity_children += f.capacity_children;
        total.capacity_elderly += f.capacity_elderly;
        total.population = add(total.population, f.population);
        total.population_children = add(total.population_children, f.population_children);
        total.population_elderly = add(total.population_elderly, f.population_elderly);
        total.approved_state = add_money(total.approved_state, f.approved_state);
        total.approved_local = add_money(total.approved_local, f.approved_local);
        total.declared_opened = add(total.declared_opened, f.declared_opened);
        total.declared_closed = add(total.declared_closed, f.declared_closed);
        total.declared_projects_ended = add(total.declared_projects_ended, f.declared_projects_ended);
        total.declared_projects_sustained = add(total.declared_projects_sustained, f.declared_projects_sustained);
        if let Some(values) = &f.dsp {
            let sums = total.dsp.get_or_insert_with(|| vec![None; DSP_FIELDS.len()]);
            for (sum, value) in sums.iter_mut().zip(values) {
                *sum = add(*sum, *value);
            }
        }
    }
    total
}

/// What each municipality of the run's oblasts sent (from the records) and
/// its errors and warnings (from the tally of the final findings).
pub fn submissions(schemas: &Schemas, oblasts: &[String], records: &[Record], findings: &Tally) -> Vec<Submission> {
    #[derive(Default)]
    struct Sent {
        card: bool,
        adults: i64,
        children: i64,
        dsp: bool,
        filled_on: Option<NaiveDate>,
    }
    let municipalities = oblasts.iter().flat_map(|o| schemas.reference.municipalities_of(o));
    let mut tallies: BTreeMap<&str, Sent> = BTreeMap::new();
    for record in records {
        let Some(m) = record.municipality.as_deref() else {
            continue;
        };
        let template = &schemas.templates[record.template];
        if template.role.is_strategy() {
            continue;
        }
        let tally = tallies.entry(m).or_default();
        match (template.role, template.card) {
            (Role::MunicipalCard, _) => {
                tally.card = true;
                tally.filled_on = tally.filled_on.max(date(record, schemas, municipal::FILLED_ON));
            }
            (Role::ServiceCard, Some(Card::Children)) => tally.children += 1,
            (Role::ServiceCard, _) => tally.adults += 1,
            (Role::Dsp, _) => tally.dsp = true,
            (Role::ProviderVisit | Role::Registry, _) => {}
            (Role::StrategyPlan | Role::StrategyIndicators | Role::StrategyReport, _) => {}
        }
    }
    municipalities
        .map(|m| {
            let tally = tallies.remove(m.code.as_str()).unwrap_or_default();
            let counts = findings.municipality(&m.code);
            let anything = tally.card || tally.adults + tally.children > 0;
            let status = if tally.card && tally.dsp && counts.errors == 0 {
                Status::Complete
            } else if anything {
                Status::Incomplete
            } else {
                Status::Missing
            };
            Submission {
                oblast_code: m.oblast_code.clone(),
                municipality_code: m.code.clone(),
                municipality: m.name_bg.clone(),
                municipal_card: tally.card,
                adult_cards: tally.adults,
                child_cards: tally.children,
                dsp_row: tally.dsp,
                errors: counts.errors,
                warnings: counts.warnings,
                filled_on: tally.filled_on,
                status,
            }
        })
        .collect()
}
