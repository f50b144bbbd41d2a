//! The findings about monitoring-visit protocols: their facts and stable
//! codes. They are one kind of [`Finding`](super::Finding)
//! (`Finding::Visit`), so they take the same way as every other finding:
//! issues.csv, „Грешки“, the feedback; their wording is in
//! `messages/visits.rs`.

use crate::sheet::CellRef;

/// The facts of a finding about a visit protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum VisitFinding {
    /// An item of a list (a team's institution) that the table does not
    /// know; every known one (code, name).
    UnknownListItem { item: String, known: Vec<(String, String)> },
    /// The same area twice on one protocol; the other row's cell.
    AreaTwice { other: CellRef },
    /// No finding although the assessment needs one (its label).
    FindingNeeded { assessment: String },
    /// No recommendation with this assessment: required with serious
    /// non-compliance (an error), expected with non-compliance (a warning).
    RecommendationNeeded { assessment: String },
    /// A recommendation without a deadline; the id of the field that
    /// holds the recommendation.
    DeadlineNeeded { recommendation: &'static str },
    /// Follow-up „изпълнена“ without the date it was done; the id of the
    /// follow-up field.
    DoneOnNeeded { follow_up: &'static str },
    /// A deadline or completion date before the visit (its date, as written).
    BeforeVisit { visit_date: String },
    /// A visit outside the run's period (the period, shown).
    OutsidePeriod { period: String },
    /// No accepted service card of this run fits the visited service; the
    /// closest services of the municipality (name, type).
    UnknownService { closest: Vec<String> },
}

impl VisitFinding {
    /// The stable code, as in `issues.csv`.
    pub fn code(&self) -> &'static str {
        match self {
            VisitFinding::UnknownListItem { .. } => "enum",
            VisitFinding::AreaTwice { .. } => "duplicate",
            VisitFinding::FindingNeeded { .. }
            | VisitFinding::RecommendationNeeded { .. }
            | VisitFinding::DeadlineNeeded { .. }
            | VisitFinding::DoneOnNeeded { .. } => "required",
            VisitFinding::BeforeVisit { .. } => "cross_field",
            VisitFinding::OutsidePeriod { .. } => "period",
            VisitFinding::UnknownService { .. } => "unknown_service",
        }
    }
}
