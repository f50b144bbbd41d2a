//! The plan of services: takes the accepted rows of `strategy_plan` sheets
//! and gives the plan's versions per oblast (the adopted one and each
//! update), the version in force for a period and what it changed against
//! the version before it.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::{code_of, int_of, money_of, text_of};
use crate::normalize::key;
use crate::period::Period;
use crate::schema::fields::plan as F;
use crate::schema::{Role, Schemas};
use crate::sheet::CellRef;
use crate::validate::Record;

/// What a plan does to a service (`reference/plan_actions.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Open,
    Expand,
    Reduce,
    Close,
}

impl Action {
    pub fn from_code(code: &str) -> Option<Action> {
        match code {
            "OPEN" => Some(Action::Open),
            "EXPAND" => Some(Action::Expand),
            "REDUCE" => Some(Action::Reduce),
            "CLOSE" => Some(Action::Close),
            _ => None,
        }
    }

    /// The reference code.
    pub fn code(self) -> &'static str {
        match self {
            Action::Open => "OPEN",
            Action::Expand => "EXPAND",
            Action::Reduce => "REDUCE",
            Action::Close => "CLOSE",
        }
    }

    /// The code as the CSV files write it.
    pub fn csv(self) -> &'static str {
        match self {
            Action::Open => "open",
            Action::Expand => "expand",
            Action::Reduce => "reduce",
            Action::Close => "close",
        }
    }
}

/// One planned action.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAction {
    pub file: String,
    pub sheet: String,
    pub row: CellRef,
    pub municipality_code: String,
    pub action: Action,
    pub service_type: String,
    pub service_name: String,
    pub target_group: String,
    pub capacity: Option<i64>,
    pub year: i32,
    pub financing: String,
    pub cost: Option<f64>,
    pub measure: String,
    pub note: String,
}

impl PlannedAction {
    /// Municipality, action, type and normalised name: the same action.
    pub fn identity(&self) -> (String, Action, String, String) {
        (
            self.municipality_code.clone(),
            self.action,
            self.service_type.clone(),
            key(&self.service_name),
        )
    }
}

/// One version of an oblast's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    pub oblast: String,
    /// „Актуализация от"; `None` for the plan as adopted.
    pub updated_on: Option<NaiveDate>,
    pub strategy: String,
    /// The strategy's first and last year.
    pub years: Option<(i32, i32)>,
    /// The files it was read from.
    pub files: Vec<String>,
    pub actions: Vec<PlannedAction>,
}

impl PlanVersion {
    /// The update's ISO date, or `adopted`.
    pub fn label(&self) -> String {
        version_label(self.updated_on)
    }
}

/// The update's ISO date, or `adopted` for the plan as adopted.
pub fn version_label(updated_on: Option<NaiveDate>) -> String {
    updated_on.map_or_else(|| "adopted".to_string(), |d| d.to_string())
}

/// What an update changed in one action.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(PlannedAction),
    Removed(PlannedAction),
    /// The same action with another capacity or year: before, after.
    Changed(PlannedAction, PlannedAction),
}

/// The first and last year of „2016–2020", „2016 - 2020 г.", „2016/2020".
pub fn strategy_years(text: &str) -> Option<(i32, i32)> {
    let mut years = Vec::new();
    let mut digits = String::new();
    for ch in text.chars().chain([' ']) {
        if ch.is_ascii_digit() {
            digits.push(ch);
        } else {
            if !digits.is_empty() {
                if digits.len() != 4 {
                    return None;
                }
                years.push(digits.parse::<i32>().ok()?);
            }
            digits.clear();
        }
    }
    match years.as_slice() {
        [from, to] if from <= to && *from >= 1990 && *to <= 2100 => Some((*from, *to)),
        _ => None,
    }
}

/// A plan row as a planned action (accepted rows have every required value).
pub(super) fn planned_action(schemas: &Schemas, r: &Record) -> Option<PlannedAction> {
    let t = &schemas.templates[r.template];
    Some(PlannedAction {
        file: r.file.clone(),
        sheet: r.sheet.clone(),
        row: r.anchor,
        municipality_code: r.municipality.clone()?,
        action: Action::from_code(&code_of(t, r, F::ACTION)?)?,
        service_type: code_of(t, r, F::SERVICE_TYPE)?,
        service_name: text_of(t, r, F::SERVICE_NAME).unwrap_or_default(),
        target_group: text_of(t, r, F::TARGET_GROUP).unwrap_or_default(),
        capacity: int_of(t, r, F::CAPACITY),
        year: i32::try_from(int_of(t, r, F::YEAR)?).ok()?,
        financing: code_of(t, r, F::FINANCING).unwrap_or_default(),
        cost: money_of(t, r, F::COST),
        measure: text_of(t, r, F::MEASURE).unwrap_or_default(),
        note: text_of(t, r, F::NOTE).unwrap_or_default(),
    })
}

/// The plan's versions per oblast from the accepted plan rows, each
/// oblast's versions oldest first (the adopted one, then by update date).
pub fn versions(schemas: &Schemas, records: &[Record]) -> BTreeMap<String, Vec<PlanVersion>> {
    let mut by: BTreeMap<(String, Option<NaiveDate>), PlanVersion> = BTreeMap::new();
    for r in records {
        let t = &schemas.templates[r.template];
        if t.role != Role::StrategyPlan || !r.accepted() {
            continue;
        }
        let (Some(oblast), Some(action)) = (r.oblast.clone(), planned_action(schemas, r)) else {
            continue;
        };
        let updated_on = r.get(t, F::UPDATED_ON).and_then(|v| v.as_date());
        let version = by.entry((oblast.clone(), updated_on)).or_insert_with(|| PlanVersion {
            oblast,
            updated_on,
            strategy: text_of(t, r, F::STRATEGY).unwrap_or_default(),
            years: text_of(t, r, F::STRATEGY_PERIOD).as_deref().and_then(strategy_years),
            files: Vec::new(),
            actions: Vec::new(),
        });
        if !version.files.contains(&r.file) {
            version.files.push(r.file.clone());
        }
        version.actions.push(action);
    }
    let mut out: BTreeMap<String, Vec<PlanVersion>> = BTreeMap::new();
    for ((oblast, _), version) in by {
        out.entry(oblast).or_default().push(version);
    }
    out
}

/// The version in force for a period: the latest dated on or before its
/// last day (the adopted one is the earliest), and the one before it.
pub fn in_force(versions: &[PlanVersion], period: Period) -> Option<(&PlanVersion, Option<&PlanVersion>)> {
    let usable: Vec<&PlanVersion> = versions
        .iter()
        .filter(|v| v.updated_on.is_none_or(|d| d <= period.end))
        .collect();
    let (last, before) = usable.split_last()?;
    Some((last, before.last().copied()))
}

/// What `latest` changed against `before`: actions added, removed, changed
/// in capacity or year.
pub fn changes(before: &PlanVersion, latest: &PlanVersion) -> Vec<Change> {
    let old: HashMap<_, &PlannedAction> = before.actions.iter().map(|a| (a.identity(), a)).collect();
    let new: HashMap<_, &PlannedAction> = latest.actions.iter().map(|a| (a.identity(), a)).collect();
    let mut out = Vec::new();
    for a in &latest.actions {
        match old.get(&a.identity()) {
            None => out.push(Change::Added(a.clone())),
            Some(b) if b.capacity != a.capacity || b.year != a.year => {
                out.push(Change::Changed((*b).clone(), a.clone()))
            }
            Some(_) => {}
        }
    }
    for b in &before.actions {
        if !new.contains_key(&b.identity()) {
            out.push(Change::Removed(b.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strategy_years_read_in_the_ways_people_write_them() {
        for text in [
            "2016–2020",
            "2016-2020",
            "2016 - 2020 г.",
            "2016/2020",
            "2016 – 2020 година",
        ] {
            assert_eq!(strategy_years(text), Some((2016, 2020)), "{text}");
        }
        for text in ["2016", "16–20", "2020–2016", "от 2016 до 2020 и 2025", "пет години"] {
            assert_eq!(strategy_years(text), None, "{text}");
        }
    }
}
