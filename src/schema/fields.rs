//! The field contract: the ids of the template fields the code reads or
//! writes by name, one constant each, grouped by the template that holds
//! them, and [`CONTRACT`]: the type each of those must have in every
//! template of its kind. [`crate::schema::Schemas::load`] checks every
//! schema against it ([`check`]), so that renaming or retyping a field the
//! figures depend on stops the run with a schema error naming the field,
//! instead of a run that quietly adds up zeros.
//!
//! Everything else about a field (labels, aliases, rules, help, which
//! fields a prefilled template carries over) lives in the schema files.

use crate::error::{Error, Result};
use crate::reference::{Card, Table};
use crate::schema::{Choices, FieldType, Role, Template};

/// Fields of both service cards (adults and children).
pub mod service {
    pub const OBLAST: &str = "oblast";
    pub const MUNICIPALITY: &str = "municipality";
    pub const SETTLEMENT: &str = "settlement";
    pub const SERVICE_NAME: &str = "service_name";
    pub const SERVICE_TYPE: &str = "service_type";
    pub const ADDRESS: &str = "address";
    pub const PROVIDER_NAME: &str = "provider_name";
    pub const PROVIDER_TYPE: &str = "provider_type";
    pub const FINANCING: &str = "financing";
    pub const PROJECT_END: &str = "project_end";
    pub const START_DATE: &str = "start_date";
    pub const END_DATE: &str = "end_date";
    pub const CAPACITY: &str = "capacity";
    pub const AVG_USERS: &str = "avg_users";
    pub const USERS_SERVED: &str = "users_served";
    pub const USERS_DISABLED: &str = "users_disabled";
    pub const BUDGET_STATE: &str = "budget_state";
    pub const BUDGET_LOCAL: &str = "budget_local";
    pub const BUDGET_OTHER: &str = "budget_other";
    pub const FILLED_ON: &str = "filled_on";
    // Written by `socmon sample` where the template has them; the run does
    // not read them by name, so they are not in the contract.
    pub const WAITING_LIST: &str = "waiting_list";
    pub const STAFF_POSITIONS: &str = "staff_positions";
    pub const STAFF_FILLED: &str = "staff_filled";
    pub const CHANGES: &str = "changes";
    pub const FILLED_BY: &str = "filled_by";
    pub const CONTACT: &str = "contact";
}

/// Fields of the strategy's plan of services (STRATEGY.md §5).
pub mod plan {
    pub const OBLAST: &str = "oblast";
    pub const STRATEGY: &str = "strategy";
    pub const STRATEGY_PERIOD: &str = "strategy_period";
    pub const UPDATED_ON: &str = "updated_on";
    pub const MUNICIPALITY: &str = "municipality";
    pub const ACTION: &str = "action";
    pub const SERVICE_TYPE: &str = "service_type";
    pub const SERVICE_NAME: &str = "service_name";
    pub const TARGET_GROUP: &str = "target_group";
    pub const CAPACITY: &str = "capacity";
    pub const YEAR: &str = "year";
    pub const FINANCING: &str = "financing";
    pub const COST: &str = "cost";
    pub const MEASURE: &str = "measure";
    pub const NOTE: &str = "note";
}

/// Fields of the strategy's indicators (STRATEGY.md §6).
pub mod indicators {
    pub const OBLAST: &str = "oblast";
    pub const CODE: &str = "code";
    pub const NAME: &str = "name";
    pub const MEASURE: &str = "measure";
    pub const UNIT: &str = "unit";
    pub const BASELINE: &str = "baseline";
    pub const BASELINE_YEAR: &str = "baseline_year";
    pub const TARGET: &str = "target";
    pub const TARGET_YEAR: &str = "target_year";
    pub const FIGURE: &str = "figure";
    pub const SCOPE: &str = "scope";
}

/// Fields of a municipality's implementation report (STRATEGY.md §7).
pub mod report {
    pub const OBLAST: &str = "oblast";
    pub const MUNICIPALITY: &str = "municipality";
    pub const PERIOD_START: &str = "period_start";
    pub const PERIOD_END: &str = "period_end";
    pub const MEASURE: &str = "measure";
    pub const ACTIVITY: &str = "activity";
    pub const STATUS: &str = "status";
    pub const INDICATOR: &str = "indicator";
    pub const VALUE: &str = "value";
    pub const FUNDS: &str = "funds";
    pub const FINANCING: &str = "financing";
    pub const DIFFICULTIES: &str = "difficulties";
    /// The council's decision adopting the report, as written („Решение №
    /// 123/25.10.2017"): the calendar reads its date.
    pub const COUNCIL_DECISION: &str = "council_decision";
    /// When the report was filled in: its received date without a registry.
    pub const FILLED_ON: &str = "filled_on";
}

/// Fields of the service card for adults only.
pub mod adults {
    pub const USERS_ELDERLY: &str = "users_elderly";
}

/// Fields of the service card for children only.
pub mod children {
    pub const LICENSE_NO: &str = "license_no";
    pub const LICENSE_VALID_UNTIL: &str = "license_valid_until";
    pub const AGE_GROUP: &str = "age_group";
    pub const CHILDREN_DISABLED: &str = "children_disabled";
    // Written by `socmon sample` only (not in the contract).
    pub const CHILDREN_REINTEGRATED: &str = "children_reintegrated";
    pub const CHILDREN_FROM_INSTITUTIONS: &str = "children_from_institutions";
}

/// Fields of the municipal card.
pub mod municipal {
    pub const OBLAST: &str = "oblast";
    pub const MUNICIPALITY: &str = "municipality";
    pub const POPULATION: &str = "population";
    pub const POPULATION_CHILDREN: &str = "population_children";
    pub const POPULATION_ELDERLY: &str = "population_elderly";
    pub const BUDGET_STATE: &str = "budget_state";
    pub const BUDGET_LOCAL: &str = "budget_local";
    pub const SERVICES_OPENED: &str = "services_opened";
    pub const SERVICES_CLOSED: &str = "services_closed";
    pub const PROJECTS_ENDED: &str = "projects_ended";
    pub const PROJECTS_SUSTAINED: &str = "projects_sustained";
    pub const FILLED_ON: &str = "filled_on";
    /// Whom to remind: the person and the contact text (read by the calendar).
    pub const FILLED_BY: &str = "filled_by";
    pub const CONTACT: &str = "contact";
    // Written by `socmon sample` only (not in the contract).
    pub const PERIOD_START: &str = "period_start";
    pub const PERIOD_END: &str = "period_end";
    pub const SERVICES_COMMUNITY: &str = "services_community";
    pub const ADMIN_STAFF: &str = "admin_staff";
    pub const NGO_CONTRACTS: &str = "ngo_contracts";
    pub const OP_HRD_PROJECTS: &str = "op_hrd_projects";
    pub const OP_HRD_VALUE: &str = "op_hrd_value";
    pub const ANNUAL_PLAN: &str = "annual_plan";
    pub const COUNCIL_DECISION: &str = "council_decision";
    pub const MONITORING_TEAM: &str = "monitoring_team";
}

/// Fields of the DSP table.
pub mod dsp {
    pub const OBLAST: &str = "oblast";
    pub const MUNICIPALITY: &str = "municipality";
    pub const CHILDREN_TOTAL: &str = "children_total";
    pub const CHILDREN_DISABLED: &str = "children_disabled";
    pub const CHILDREN_AT_RISK: &str = "children_at_risk";
    pub const CHILDREN_FOSTER: &str = "children_foster";
    pub const CHILDREN_KINSHIP: &str = "children_kinship";
    pub const CHILDREN_RESIDENTIAL: &str = "children_residential";
    pub const CHILDREN_INSTITUTIONS: &str = "children_institutions";
    pub const ADULTS_DISABLED: &str = "adults_disabled";
    pub const ADULTS_DISABLED_90: &str = "adults_disabled_90";
    pub const PERSONAL_ASSISTANCE: &str = "personal_assistance";
    pub const ADULTS_INSTITUTIONS: &str = "adults_institutions";
}

/// Fields of the registry of incoming documents (the calendar reads them).
pub mod registry {
    pub const INCOMING_NO: &str = "incoming_no";
    pub const RECEIVED_ON: &str = "received_on";
    pub const SENDER: &str = "sender";
    pub const FILE: &str = "file";
}

/// Fields of the visit protocol (`provider_visit`, VISITS.md): its form,
/// then the columns of its table.
pub mod visit {
    pub const OBLAST: &str = "oblast";
    pub const MUNICIPALITY: &str = "municipality";
    pub const SERVICE_NAME: &str = "service_name";
    pub const SERVICE_TYPE: &str = "service_type";
    pub const PROVIDER_NAME: &str = "provider_name";
    pub const VISIT_DATE: &str = "visit_date";
    pub const TEAM: &str = "team";
    pub const AREA: &str = "area";
    pub const ASSESSMENT: &str = "assessment";
    pub const FINDING: &str = "finding";
    pub const RECOMMENDATION: &str = "recommendation";
    pub const DEADLINE: &str = "deadline";
    pub const RESPONSIBLE: &str = "responsible";
    pub const FOLLOW_UP: &str = "follow_up";
    pub const DONE_ON: &str = "done_on";
}

/// The service-card figures the history keeps for every service (see
/// `history::StoredService::figure`): the fields `[outliers]` in
/// `common.toml` can compare with earlier periods.
pub const STORED_FIGURES: &[&str] = &[
    service::CAPACITY,
    service::AVG_USERS,
    service::USERS_SERVED,
    service::BUDGET_STATE,
    service::BUDGET_LOCAL,
    service::BUDGET_OTHER,
];

/// The templates a contracted field must be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// Every service card, for adults and for children.
    ServiceCards,
    /// Every service card for adults.
    AdultsCard,
    /// Every service card for children.
    ChildrenCard,
    /// Every municipal card.
    MunicipalCard,
    /// Every DSP table.
    Dsp,
    /// Every visit protocol.
    VisitProtocol,
    /// The strategy's plan of services.
    StrategyPlan,
    /// The strategy's indicators.
    StrategyIndicators,
    /// A municipality's implementation report.
    StrategyReport,
    /// Every registry of incoming documents.
    Registry,
}

impl Holder {
    /// Whether a template is one of those that must hold the field.
    pub fn holds(self, template: &Template) -> bool {
        match self {
            Holder::ServiceCards => template.role == Role::ServiceCard,
            Holder::AdultsCard => template.role == Role::ServiceCard && template.card == Some(Card::Adults),
            Holder::ChildrenCard => template.role == Role::ServiceCard && template.card == Some(Card::Children),
            Holder::MunicipalCard => template.role == Role::MunicipalCard,
            Holder::Dsp => template.role == Role::Dsp,
            Holder::VisitProtocol => template.role == Role::ProviderVisit,
            Holder::StrategyPlan => template.role == Role::StrategyPlan,
            Holder::StrategyIndicators => template.role == Role::StrategyIndicators,
            Holder::StrategyReport => template.role == Role::StrategyReport,
            Holder::Registry => template.role == Role::Registry,
        }
    }
}

/// A field the code relies on: where it must be and what it must hold.
#[derive(Debug, Clone, Copy)]
pub struct Contracted {
    pub holder: Holder,
    pub id: &'static str,
    pub kind: FieldType,
    /// For an enumeration: the reference table its codes come from (the
    /// code looks the codes up there); `None` for values listed in the schema.
    pub source: Option<Table>,
}

const fn field(holder: Holder, id: &'static str, kind: FieldType) -> Contracted {
    Contracted {
        holder,
        id,
        kind,
        source: None,
    }
}

const fn choice(holder: Holder, id: &'static str, source: Option<Table>) -> Contracted {
    Contracted {
        holder,
        id,
        kind: FieldType::Enum,
        source,
    }
}

use FieldType::{Date, Decimal, Integer, Money, Municipality, Oblast, Text};
use Holder::{
    AdultsCard, ChildrenCard, Dsp, MunicipalCard, Registry, ServiceCards, StrategyIndicators, StrategyPlan,
    StrategyReport, VisitProtocol,
};

/// The fields the figures, the CSV files, the history, the comparison, the
/// outliers and the prefilled templates read by id, with their types.
pub const CONTRACT: &[Contracted] = &[
    field(ServiceCards, service::OBLAST, Oblast),
    field(ServiceCards, service::MUNICIPALITY, Municipality),
    field(ServiceCards, service::SETTLEMENT, Text),
    field(ServiceCards, service::SERVICE_NAME, Text),
    choice(ServiceCards, service::SERVICE_TYPE, Some(Table::ServiceTypes)),
    field(ServiceCards, service::ADDRESS, Text),
    field(ServiceCards, service::PROVIDER_NAME, Text),
    choice(ServiceCards, service::PROVIDER_TYPE, Some(Table::ProviderTypes)),
    choice(ServiceCards, service::FINANCING, Some(Table::FinancingTypes)),
    field(ServiceCards, service::PROJECT_END, Date),
    field(ServiceCards, service::START_DATE, Date),
    field(ServiceCards, service::END_DATE, Date),
    field(ServiceCards, service::CAPACITY, Integer),
    field(ServiceCards, service::AVG_USERS, Decimal),
    field(ServiceCards, service::USERS_SERVED, Integer),
    field(ServiceCards, service::USERS_DISABLED, Integer),
    field(ServiceCards, service::BUDGET_STATE, Money),
    field(ServiceCards, service::BUDGET_LOCAL, Money),
    field(ServiceCards, service::BUDGET_OTHER, Money),
    field(ServiceCards, service::FILLED_ON, Date),
    field(AdultsCard, adults::USERS_ELDERLY, Integer),
    field(ChildrenCard, children::LICENSE_NO, Text),
    field(ChildrenCard, children::LICENSE_VALID_UNTIL, Date),
    choice(ChildrenCard, children::AGE_GROUP, None),
    field(ChildrenCard, children::CHILDREN_DISABLED, Integer),
    field(MunicipalCard, municipal::OBLAST, Oblast),
    field(MunicipalCard, municipal::MUNICIPALITY, Municipality),
    field(MunicipalCard, municipal::POPULATION, Integer),
    field(MunicipalCard, municipal::POPULATION_CHILDREN, Integer),
    field(MunicipalCard, municipal::POPULATION_ELDERLY, Integer),
    field(MunicipalCard, municipal::BUDGET_STATE, Money),
    field(MunicipalCard, municipal::BUDGET_LOCAL, Money),
    field(MunicipalCard, municipal::SERVICES_OPENED, Integer),
    field(MunicipalCard, municipal::SERVICES_CLOSED, Integer),
    field(MunicipalCard, municipal::PROJECTS_ENDED, Integer),
    field(MunicipalCard, municipal::PROJECTS_SUSTAINED, Integer),
    field(MunicipalCard, municipal::FILLED_ON, Date),
    field(MunicipalCard, municipal::FILLED_BY, Text),
    field(MunicipalCard, municipal::CONTACT, Text),
    field(Dsp, dsp::OBLAST, Oblast),
    field(Dsp, dsp::MUNICIPALITY, Municipality),
    field(Dsp, dsp::CHILDREN_TOTAL, Integer),
    field(Dsp, dsp::CHILDREN_DISABLED, Integer),
    field(Dsp, dsp::CHILDREN_AT_RISK, Integer),
    field(Dsp, dsp::CHILDREN_FOSTER, Integer),
    field(Dsp, dsp::CHILDREN_KINSHIP, Integer),
    field(Dsp, dsp::CHILDREN_RESIDENTIAL, Integer),
    field(Dsp, dsp::CHILDREN_INSTITUTIONS, Integer),
    field(Dsp, dsp::ADULTS_DISABLED, Integer),
    field(Dsp, dsp::ADULTS_DISABLED_90, Integer),
    field(Dsp, dsp::PERSONAL_ASSISTANCE, Integer),
    field(Dsp, dsp::ADULTS_INSTITUTIONS, Integer),
    field(VisitProtocol, visit::OBLAST, Oblast),
    field(VisitProtocol, visit::MUNICIPALITY, Municipality),
    field(VisitProtocol, visit::SERVICE_NAME, Text),
    choice(VisitProtocol, visit::SERVICE_TYPE, Some(Table::ServiceTypes)),
    field(VisitProtocol, visit::PROVIDER_NAME, Text),
    field(VisitProtocol, visit::VISIT_DATE, Date),
    choice(VisitProtocol, visit::TEAM, Some(Table::Institutions)),
    choice(VisitProtocol, visit::AREA, Some(Table::InspectionAreas)),
    choice(VisitProtocol, visit::ASSESSMENT, None),
    field(VisitProtocol, visit::FINDING, Text),
    field(VisitProtocol, visit::RECOMMENDATION, Text),
    field(VisitProtocol, visit::DEADLINE, Date),
    field(VisitProtocol, visit::RESPONSIBLE, Text),
    choice(VisitProtocol, visit::FOLLOW_UP, None),
    field(VisitProtocol, visit::DONE_ON, Date),
    field(StrategyPlan, plan::OBLAST, Oblast),
    field(StrategyPlan, plan::STRATEGY, Text),
    field(StrategyPlan, plan::STRATEGY_PERIOD, Text),
    field(StrategyPlan, plan::UPDATED_ON, Date),
    field(StrategyPlan, plan::MUNICIPALITY, Municipality),
    choice(StrategyPlan, plan::ACTION, Some(Table::PlanActions)),
    choice(StrategyPlan, plan::SERVICE_TYPE, Some(Table::ServiceTypes)),
    field(StrategyPlan, plan::SERVICE_NAME, Text),
    field(StrategyPlan, plan::TARGET_GROUP, Text),
    field(StrategyPlan, plan::CAPACITY, Integer),
    field(StrategyPlan, plan::YEAR, Integer),
    choice(StrategyPlan, plan::FINANCING, Some(Table::FinancingTypes)),
    field(StrategyPlan, plan::COST, Money),
    field(StrategyPlan, plan::MEASURE, Text),
    field(StrategyPlan, plan::NOTE, Text),
    field(StrategyIndicators, indicators::OBLAST, Oblast),
    field(StrategyIndicators, indicators::CODE, Text),
    field(StrategyIndicators, indicators::NAME, Text),
    field(StrategyIndicators, indicators::MEASURE, Text),
    field(StrategyIndicators, indicators::UNIT, Text),
    field(StrategyIndicators, indicators::BASELINE, Decimal),
    field(StrategyIndicators, indicators::BASELINE_YEAR, Integer),
    field(StrategyIndicators, indicators::TARGET, Decimal),
    field(StrategyIndicators, indicators::TARGET_YEAR, Integer),
    field(StrategyIndicators, indicators::FIGURE, Text),
    field(StrategyIndicators, indicators::SCOPE, Text),
    field(StrategyReport, report::OBLAST, Oblast),
    field(StrategyReport, report::MUNICIPALITY, Municipality),
    field(StrategyReport, report::PERIOD_START, Date),
    field(StrategyReport, report::PERIOD_END, Date),
    field(StrategyReport, report::MEASURE, Text),
    field(StrategyReport, report::ACTIVITY, Text),
    choice(StrategyReport, report::STATUS, Some(Table::ActivityStatuses)),
    field(StrategyReport, report::INDICATOR, Text),
    field(StrategyReport, report::VALUE, Decimal),
    field(StrategyReport, report::FUNDS, Money),
    choice(StrategyReport, report::FINANCING, Some(Table::FinancingTypes)),
    field(StrategyReport, report::DIFFICULTIES, Text),
    field(StrategyReport, report::COUNCIL_DECISION, Text),
    field(StrategyReport, report::FILLED_ON, Date),
    field(Registry, registry::INCOMING_NO, Text),
    field(Registry, registry::RECEIVED_ON, Date),
    field(Registry, registry::SENDER, Municipality),
    field(Registry, registry::FILE, Text),
];

/// The schema's word for a field type, for messages.
fn type_name(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Text => "text",
        FieldType::Integer => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Money => "money",
        FieldType::Date => "date",
        FieldType::YesNo => "yes_no",
        FieldType::Oblast => "oblast",
        FieldType::Municipality => "municipality",
        FieldType::Enum => "enum",
    }
}

fn source_name(source: Option<Table>) -> String {
    match source {
        Some(table) => format!(" with source = \"{}\"", table_name(table)),
        None => " with its `values`".into(),
    }
}

fn table_name(table: Table) -> &'static str {
    match table {
        Table::ServiceTypes => "service_types",
        Table::FinancingTypes => "financing_types",
        Table::ProviderTypes => "provider_types",
        Table::Institutions => "institutions",
        Table::InspectionAreas => "inspection_areas",
        Table::PlanActions => "plan_actions",
        Table::ActivityStatuses => "activity_statuses",
    }
}

/// Checks one template against the contract.
///
/// Errors: [`Error::Schema`] naming the template's file, the template and
/// the first contracted field it lacks or holds with another type.
pub fn check(template: &Template) -> Result<()> {
    let error = |message: String| Error::Schema {
        file: template.file.clone(),
        message,
    };
    for want in CONTRACT.iter().filter(|c| c.holder.holds(template)) {
        let expected = match want.kind {
            FieldType::Enum => format!("enum{}", source_name(want.source)),
            other => type_name(other).to_string(),
        };
        let Some(field) = template.fields.iter().find(|f| f.id == want.id) else {
            return Err(error(format!(
                "template {} has no field {} ({expected}); socmon reads it by this id, so it must \
                 keep it (see the field contract in schemas/README.md)",
                template.id, want.id
            )));
        };
        let source = match &field.choices {
            Some(Choices::Reference(table)) => Some(*table),
            _ => None,
        };
        if field.kind != want.kind || (want.kind == FieldType::Enum && source != want.source) {
            let found = match field.kind {
                FieldType::Enum => format!("enum{}", source_name(source)),
                other => type_name(other).to_string(),
            };
            return Err(error(format!(
                "template {}: field {} is {found}, but socmon reads it as {expected} \
                 (see the field contract in schemas/README.md)",
                template.id, want.id
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{SchemaSource, Schemas};

    fn shipped() -> Schemas {
        Schemas::load(&SchemaSource::BuiltIn).unwrap()
    }

    #[test]
    fn every_contracted_field_is_in_the_shipped_templates_of_its_kind() {
        let schemas = shipped();
        for want in CONTRACT {
            let holders: Vec<&Template> = schemas.templates.iter().filter(|t| want.holder.holds(t)).collect();
            assert!(!holders.is_empty(), "no template holds {:?}", want.holder);
            for t in holders {
                let field = t.fields.iter().find(|f| f.id == want.id);
                assert_eq!(field.map(|f| f.kind), Some(want.kind), "{} in {}", want.id, t.id);
            }
        }
    }

    #[test]
    fn a_template_without_a_contracted_field_is_refused_naming_field_template_and_file() {
        let schemas = shipped();
        let mut dsp = schemas.template("dsp").unwrap().clone();
        dsp.fields.retain(|f| f.id != dsp::CHILDREN_KINSHIP);
        let message = check(&dsp).unwrap_err().to_string();
        for word in ["children_kinship", "template dsp", "dsp.toml", "integer"] {
            assert!(message.contains(word), "{word}: {message}");
        }
    }

    #[test]
    fn an_enum_of_another_reference_table_is_refused() {
        let schemas = shipped();
        let mut children = schemas.template("service_children").unwrap().clone();
        let financing = children.field_index(service::FINANCING).unwrap();
        children.fields[financing].choices = Some(Choices::Reference(Table::ProviderTypes));
        let message = check(&children).unwrap_err().to_string();
        for word in ["financing", "service_children", "financing_types", "provider_types"] {
            assert!(message.contains(word), "{word}: {message}");
        }
    }

    #[test]
    fn a_field_only_the_other_card_needs_is_not_asked_of_this_one() {
        let schemas = shipped();
        let adults = schemas.template("service_adults").unwrap();
        assert!(adults.field_index(children::LICENSE_NO).is_none());
        assert!(check(adults).is_ok());
    }
}
