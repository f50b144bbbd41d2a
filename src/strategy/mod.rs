//! The strategy's implementation (STRATEGY.md): takes the records of the
//! three strategy templates — the plan of services, the indicators and the
//! municipalities' implementation reports — and the run's accepted
//! services, and gives what was planned, what was done and what is late.
//!
//! Two entry points, each a thin hook in the pipeline:
//! - [`check`] runs with the other checks across files (so `socmon
//!   validate` shows its findings and the record counts hold): the plan's
//!   years, duplicate actions, two files of one version, figure keys,
//!   indicator codes, scopes and the reports' own rules;
//! - [`assess`] runs after the figures are added up: the plan version in
//!   force ([`plan`]), one status per planned action ([`matching`]), the
//!   indicators ([`indicators`]), the activities and who sent no report
//!   ([`activities`]) and the sustainability of project-funded services
//!   ([`sustainability`]).

pub mod activities;
pub mod check;
pub mod indicators;
pub mod matching;
pub mod plan;
pub mod stored;
pub mod sustainability;

pub use check::check;

use crate::aggregate::Aggregates;
use crate::compare::Comparison;
use crate::issue::Issue;
use crate::period::Period;
use crate::schema::{Schemas, Template};
use crate::validate::{Record, Value};

pub(crate) fn text_of(t: &Template, r: &Record, id: &str) -> Option<String> {
    match r.get(t, id)? {
        Value::Text(s) | Value::Code(s) => Some(s.clone()),
        other => Some(other.display()),
    }
}

pub(crate) fn code_of(t: &Template, r: &Record, id: &str) -> Option<String> {
    match r.get(t, id)? {
        Value::Code(s) => Some(s.clone()),
        _ => None,
    }
}

pub(crate) fn int_of(t: &Template, r: &Record, id: &str) -> Option<i64> {
    match r.get(t, id)? {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

pub(crate) fn money_of(t: &Template, r: &Record, id: &str) -> Option<f64> {
    r.get(t, id)?.as_f64()
}

/// Everything the strategy part of the report holds, per oblast of the run.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    pub oblasts: Vec<OblastAssessment>,
}

impl Assessment {
    /// Whether any oblast of the run has a plan, indicators or reports.
    pub fn has_input(&self) -> bool {
        self.oblasts.iter().any(OblastAssessment::has_input)
    }
}

/// One oblast's strategy: its plan in force and the statuses, indicators,
/// activities and sustainability.
#[derive(Debug, Clone, Default)]
pub struct OblastAssessment {
    pub oblast: String,
    /// Every version read, oldest first.
    pub versions: Vec<plan::PlanVersion>,
    /// The index in `versions` of the one in force.
    pub in_force: Option<usize>,
    /// What the version in force changed against the one before it.
    pub changes: Vec<plan::Change>,
    pub statuses: Vec<matching::ActionStatus>,
    /// Per municipality with planned actions, then the oblast (empty code).
    pub progress: Vec<matching::Progress>,
    pub indicators: Vec<indicators::IndicatorValue>,
    pub activities: Vec<activities::Activity>,
    /// Municipalities of the oblast (code, name) that sent no report.
    pub without_report: Vec<(String, String)>,
    pub sustainability: Vec<sustainability::Sustained>,
    /// The period compared with, when the history holds the statuses of
    /// its plan: then each action's status then, beside `statuses` (None
    /// for an action that plan did not have).
    pub previous_period: Option<Period>,
    pub previous_statuses: Vec<Option<matching::Status>>,
}

impl OblastAssessment {
    pub fn has_input(&self) -> bool {
        !self.versions.is_empty() || !self.indicators.is_empty() || !self.activities.is_empty()
    }

    pub fn plan(&self) -> Option<&plan::PlanVersion> {
        self.in_force.map(|i| &self.versions[i])
    }
}

/// Sets the plan in force against the run's accepted services, computes the
/// indicators, gathers the activities and the sustainability of
/// project-funded services, per oblast of the run; gives the findings
/// this makes (warnings: declared counts that differ from the cards).
pub fn assess(
    schemas: &Schemas,
    period: Period,
    oblasts: &[String],
    records: &[Record],
    aggregates: &Aggregates,
    comparison: &Comparison,
) -> (Assessment, Vec<Issue>) {
    let mut versions = plan::versions(schemas, records);
    let single = oblasts.len() == 1;
    let mut out = Assessment::default();
    let mut findings = Vec::new();
    for oblast in oblasts {
        let mut a = OblastAssessment {
            oblast: oblast.clone(),
            versions: versions.remove(oblast).unwrap_or_default(),
            ..OblastAssessment::default()
        };
        if let Some((force, before)) = plan::in_force(&a.versions, period) {
            a.changes = before.map(|b| plan::changes(b, force)).unwrap_or_default();
            a.in_force = a.versions.iter().position(|v| v == force);
        }
        a.activities = activities::gather(schemas, records, oblast, single);
        let earlier = comparison.earlier.get(oblast).map(Vec::as_slice).unwrap_or(&[]);
        if let Some(force) = a.plan() {
            a.statuses = matching::statuses(force, &aggregates.services, earlier, &a.activities, period);
            a.progress = matching::progress(schemas, oblast, &a.statuses);
            if let Some((then, previous)) = previous_statuses(comparison, oblast, &a.statuses) {
                a.previous_period = Some(then);
                a.previous_statuses = previous;
            }
        }
        a.indicators = indicators::values(schemas, records, oblast, single, aggregates, &a.activities);
        if a.has_input() {
            a.without_report = activities::without_report(schemas, oblast, records, single);
        }
        // Without a plan, indicators or reports the run changes nothing
        // else: the sustainability check comes with the strategy's input.
        if a.has_input() {
            let (sustained, found) = sustainability::assess(schemas, oblast, period, aggregates, records);
            a.sustainability = sustained;
            findings.extend(found);
        }
        out.oblasts.push(a);
    }
    (out, findings)
}

/// The status each action had in the period the run is compared with, by
/// the action's identity (municipality, action, type, normalised name);
/// None when that period's history holds no plan statuses.
fn previous_statuses(
    comparison: &Comparison,
    oblast: &str,
    statuses: &[matching::ActionStatus],
) -> Option<(Period, Vec<Option<matching::Status>>)> {
    let then = comparison.baseline(oblast)?.meta.period;
    let stored = comparison.earlier.get(oblast)?.iter().find(|p| p.meta.period == then)?;
    if stored.plan_statuses.is_empty() {
        return None;
    }
    let identity = |m: &str, action: &str, kind: &str, name: &str| {
        (
            m.to_string(),
            action.to_string(),
            kind.to_string(),
            crate::normalize::key(name),
        )
    };
    let by_identity: std::collections::HashMap<_, matching::Status> = stored
        .plan_statuses
        .iter()
        .filter_map(|s| {
            Some((
                identity(&s.municipality_code, &s.action, &s.service_type, &s.service_name),
                matching::Status::from_csv(&s.status)?,
            ))
        })
        .collect();
    let previous = statuses
        .iter()
        .map(|s| {
            let a = &s.action;
            by_identity
                .get(&identity(
                    &a.municipality_code,
                    a.action.csv(),
                    &a.service_type,
                    &a.service_name,
                ))
                .copied()
        })
        .collect();
    Some((then, previous))
}

/// One oblast's strategy figures as `run.json` carries them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OblastFiguresJson {
    pub oblast: String,
    /// The version in force: the update's ISO date, `adopted`, or null without a plan.
    pub plan_version: Option<String>,
    pub plan_versions_read: usize,
    pub actions_planned: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub not_due: usize,
    pub partly: usize,
    pub share_realised: Option<f64>,
    pub places_planned: i64,
    pub places_realised: i64,
    pub indicators: usize,
    pub indicators_with_value: usize,
    pub activities: usize,
    pub activities_by_status: std::collections::BTreeMap<String, usize>,
    pub reports_missing: usize,
    pub projects_ended: usize,
    pub projects_continued: usize,
}

impl Assessment {
    /// The figures of every oblast with strategy input, for `run.json`.
    pub fn figures(&self) -> Vec<OblastFiguresJson> {
        self.oblasts
            .iter()
            .filter(|a| a.has_input())
            .map(|a| {
                let total = a.progress.last().cloned().unwrap_or_default();
                let mut by_status = std::collections::BTreeMap::new();
                for act in &a.activities {
                    *by_status.entry(activities::status_csv(&act.status)).or_default() += 1;
                }
                OblastFiguresJson {
                    oblast: a.oblast.clone(),
                    plan_version: a.plan().map(plan::PlanVersion::label),
                    plan_versions_read: a.versions.len(),
                    actions_planned: total.planned,
                    on_time: total.on_time,
                    late: total.late,
                    overdue: total.overdue,
                    not_due: total.not_due,
                    partly: total.partly,
                    share_realised: total.share_realised().map(|s| (s * 10_000.0).round() / 10_000.0),
                    places_planned: total.places_planned,
                    places_realised: total.places_realised,
                    indicators: a.indicators.len(),
                    indicators_with_value: a.indicators.iter().filter(|i| i.actual.is_some()).count(),
                    activities: a.activities.len(),
                    activities_by_status: by_status,
                    reports_missing: a.without_report.len(),
                    projects_ended: a.sustainability.len(),
                    projects_continued: a.sustainability.iter().filter(|s| s.continued).count(),
                }
            })
            .collect()
    }
}
