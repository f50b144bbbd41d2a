//! The strategy in the history: each period stores the plan in force with
//! each action's status (`plan_status.parquet`) and the activities the
//! municipalities reported (`activities.parquet`), so that a later run shows
//! each action's status then and now.

use polars::prelude::DataFrame;

use super::OblastAssessment;
use crate::error::Result;
use crate::history::columns::{bools, floats, frame, ints, iso, opt_text, text};

/// The plan in force with each action's status, and the activities the
/// municipalities reported: what a later run shows as "then". Nothing
/// when the oblast has no strategy input.
///
/// Errors: [`crate::error::Error::Aggregate`] if polars refuses a frame (a bug).
pub fn frames(a: &OblastAssessment) -> Result<Vec<(&'static str, DataFrame)>> {
    if !a.has_input() {
        return Ok(Vec::new());
    }
    let version = a.plan().map(|p| p.label()).unwrap_or_default();
    let st = &a.statuses;
    let plan_status = frame(vec![
        text("oblast_code", st.iter().map(|_| a.oblast.clone())),
        text("plan_version", st.iter().map(|_| version.clone())),
        text(
            "municipality_code",
            st.iter().map(|s| s.action.municipality_code.clone()),
        ),
        text("action", st.iter().map(|s| s.action.action.csv().to_string())),
        text("service_type", st.iter().map(|s| s.action.service_type.clone())),
        text("service_name", st.iter().map(|s| s.action.service_name.clone())),
        ints("year", st.iter().map(|s| Some(i64::from(s.action.year)))),
        ints("capacity_planned", st.iter().map(|s| s.action.capacity)),
        text("measure", st.iter().map(|s| s.action.measure.clone())),
        text("financing", st.iter().map(|s| s.action.financing.clone())),
        floats("cost", st.iter().map(|s| s.action.cost)),
        text("status", st.iter().map(|s| s.status.csv().to_string())),
        bools("partly", st.iter().map(|s| Some(s.partly))),
        opt_text("realised_on", st.iter().map(|s| iso(s.realised_on))),
        opt_text(
            "matched_service",
            st.iter().map(|s| s.matched.as_ref().map(|m| m.service_name.clone())),
        ),
        ints(
            "capacity_actual",
            st.iter().map(|s| s.matched.as_ref().and_then(|m| m.capacity)),
        ),
    ])?;
    let ac = &a.activities;
    let activities = frame(vec![
        text("oblast_code", ac.iter().map(|_| a.oblast.clone())),
        text("municipality_code", ac.iter().map(|x| x.municipality_code.clone())),
        text("measure", ac.iter().map(|x| x.measure.clone())),
        text("activity", ac.iter().map(|x| x.activity.clone())),
        text("status", ac.iter().map(|x| x.status.to_lowercase())),
        text("indicator", ac.iter().map(|x| x.indicator.clone())),
        floats("value", ac.iter().map(|x| x.value)),
        floats("funds", ac.iter().map(|x| x.funds)),
        text("financing", ac.iter().map(|x| x.financing.to_lowercase())),
        text("file", ac.iter().map(|x| x.file.clone())),
        text("sheet", ac.iter().map(|x| x.sheet.clone())),
    ])?;
    Ok(vec![("plan_status", plan_status), ("activities", activities)])
}
