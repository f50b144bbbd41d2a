//! Matching the plan with what exists: takes the plan in force, the run's
//! accepted services and the history's earlier periods, and gives one
//! status per planned action (on time, late, overdue, not yet due; partly)
//! and the counts per municipality and for the oblast.
//!
//! Services are found through indexes by (municipality, type) and by
//! (municipality, type, name), never by a scan of all services per action.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::activities::Activity;
use super::plan::{Action, PlanVersion, PlannedAction};
use crate::aggregate::ServiceRow;
use crate::history::tables::StoredPeriod;
use crate::normalize::key;
use crate::period::Period;
use crate::schema::Schemas;

/// The status of a planned action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Realised in or before its year.
    OnTime,
    /// Realised after its year.
    Late,
    /// Not realised; its year ended before the period's last day.
    Overdue,
    /// Not realised, not yet due.
    NotDue,
}

impl Status {
    pub fn csv(self) -> &'static str {
        match self {
            Status::OnTime => "on_time",
            Status::Late => "late",
            Status::Overdue => "overdue",
            Status::NotDue => "not_due",
        }
    }

    pub fn from_csv(text: &str) -> Option<Status> {
        [Status::OnTime, Status::Late, Status::Overdue, Status::NotDue]
            .into_iter()
            .find(|s| s.csv() == text)
    }

    pub fn realised(self) -> bool {
        matches!(self, Status::OnTime | Status::Late)
    }
}

/// The service an action was matched with.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub file: String,
    pub sheet: String,
    pub service_name: String,
    pub capacity: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// One planned action with its status.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionStatus {
    pub action: PlannedAction,
    pub status: Status,
    /// A realised opening with fewer places than planned.
    pub partly: bool,
    /// When it was realised (a card's date, or the last day of the first
    /// period in which a change of capacity or a closure is seen).
    pub realised_on: Option<NaiveDate>,
    pub matched: Option<Matched>,
    /// A closure seen only in the history: the service is no longer sent.
    pub closed_by_history: bool,
    /// The statuses the municipality's report gives for the action's
    /// measure (codes), shown beside, never instead.
    pub reported: Vec<String>,
}

/// The counts of one municipality (or of the oblast, with an empty code).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub municipality_code: String,
    pub planned: usize,
    pub on_time: usize,
    pub late: usize,
    pub overdue: usize,
    pub not_due: usize,
    pub partly: usize,
    pub places_planned: i64,
    pub places_realised: i64,
}

impl Progress {
    /// The share of planned actions realised (on time or late).
    pub fn share_realised(&self) -> Option<f64> {
        (self.planned > 0).then(|| (self.on_time + self.late) as f64 / self.planned as f64)
    }

    fn add(&mut self, s: &ActionStatus) {
        self.planned += 1;
        match s.status {
            Status::OnTime => self.on_time += 1,
            Status::Late => self.late += 1,
            Status::Overdue => self.overdue += 1,
            Status::NotDue => self.not_due += 1,
        }
        if s.partly {
            self.partly += 1;
        }
        if s.action.action != Action::Close {
            self.places_planned += s.action.capacity.unwrap_or(0);
            if s.status.realised() {
                self.places_realised += s.matched.as_ref().and_then(|m| m.capacity).unwrap_or(0);
            }
        }
    }
}

type Identity = (String, String, String);

fn identity(municipality: &str, service_type: &str, name: &str) -> Identity {
    (municipality.to_string(), service_type.to_string(), key(name))
}

/// The run's services of one oblast, indexed.
struct Services<'a> {
    rows: Vec<&'a ServiceRow>,
    by_type: HashMap<(&'a str, &'a str), Vec<usize>>,
    by_name: HashMap<Identity, Vec<usize>>,
}

impl<'a> Services<'a> {
    fn new(all: &'a [ServiceRow], oblast: &str) -> Services<'a> {
        let rows: Vec<&ServiceRow> = all.iter().filter(|s| s.counted && s.oblast_code == oblast).collect();
        let mut by_type: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<Identity, Vec<usize>> = HashMap::new();
        for (i, s) in rows.iter().enumerate() {
            by_type
                .entry((s.municipality_code.as_str(), s.service_type.as_str()))
                .or_default()
                .push(i);
            by_name
                .entry(identity(&s.municipality_code, &s.service_type, &s.service_name))
                .or_default()
                .push(i);
        }
        Services { rows, by_type, by_name }
    }

    fn named(&self, a: &PlannedAction) -> &[usize] {
        self.by_name
            .get(&identity(&a.municipality_code, &a.service_type, &a.service_name))
            .map_or(&[], Vec::as_slice)
    }

    fn matched(&self, i: usize) -> Matched {
        let s = self.rows[i];
        Matched {
            file: s.file.clone(),
            sheet: s.sheet.clone(),
            service_name: s.service_name.clone(),
            capacity: s.capacity,
            start_date: s.start_date,
            end_date: s.end_date,
        }
    }
}

/// The earlier periods' services, by identity: per period (oldest first)
/// its capacity, and whether it was active then.
struct Earlier {
    periods: Vec<Period>,
    seen: HashMap<Identity, Vec<(usize, Option<i64>, Option<NaiveDate>)>>,
}

impl Earlier {
    fn new(stored: &[StoredPeriod], before: Period) -> Earlier {
        let mut sorted: Vec<&StoredPeriod> = stored.iter().filter(|p| p.meta.period.end < before.start).collect();
        sorted.sort_by_key(|p| p.meta.period.start);
        let mut seen: HashMap<Identity, Vec<(usize, Option<i64>, Option<NaiveDate>)>> = HashMap::new();
        for (i, p) in sorted.iter().enumerate() {
            for s in p.services.iter().filter(|s| s.counted) {
                seen.entry(identity(&s.municipality_code, &s.service_type, &s.service_name))
                    .or_default()
                    .push((i, s.capacity, s.end_date));
            }
        }
        Earlier {
            periods: sorted.iter().map(|p| p.meta.period).collect(),
            seen,
        }
    }
}

/// One status per action of the plan in force.
pub fn statuses(
    plan: &PlanVersion,
    services: &[ServiceRow],
    earlier: &[StoredPeriod],
    activities: &[Activity],
    period: Period,
) -> Vec<ActionStatus> {
    let found = Services::new(services, &plan.oblast);
    let history = Earlier::new(earlier, period);
    let first_day = plan
        .years
        .and_then(|(from, _)| NaiveDate::from_ymd_opt(from, 1, 1))
        .unwrap_or(period.start);
    // The report's statuses by (municipality, measure).
    let mut reported: HashMap<(String, String), Vec<String>> = HashMap::new();
    for a in activities.iter().filter(|a| !a.measure.is_empty()) {
        let list = reported
            .entry((a.municipality_code.clone(), key(&a.measure)))
            .or_default();
        if !list.contains(&a.status) {
            list.push(a.status.clone());
        }
    }
    let mut used: HashSet<usize> = HashSet::new();
    let mut out: Vec<Option<ActionStatus>> = vec![None; plan.actions.len()];
    // Named openings take their service first, then the others by capacity.
    let mut order: Vec<usize> = (0..plan.actions.len()).collect();
    order.sort_by_key(|&i| {
        let a = &plan.actions[i];
        (a.action == Action::Open && a.service_name.is_empty(), i)
    });
    for i in order {
        let a = &plan.actions[i];
        let (matched, realised_on, closed_by_history) = match a.action {
            Action::Open => {
                let candidates: Vec<usize> = found
                    .by_type
                    .get(&(a.municipality_code.as_str(), a.service_type.as_str()))
                    .map(|c| {
                        c.iter()
                            .copied()
                            .filter(|j| !used.contains(j))
                            .filter(|&j| {
                                found.rows[j]
                                    .start_date
                                    .is_some_and(|d| d >= first_day && d <= period.end)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let by_name: Vec<usize> = if a.service_name.is_empty() {
                    Vec::new()
                } else {
                    let named: HashSet<usize> = found.named(a).iter().copied().collect();
                    candidates.iter().copied().filter(|j| named.contains(j)).collect()
                };
                let pool = if by_name.is_empty() { &candidates } else { &by_name };
                let best = pool.iter().copied().min_by_key(|&j| {
                    let s = found.rows[j];
                    let distance = match (s.capacity, a.capacity) {
                        (Some(x), Some(y)) => (x - y).abs(),
                        _ => i64::MAX,
                    };
                    (distance, s.start_date, j)
                });
                match best {
                    Some(j) => {
                        used.insert(j);
                        (Some(found.matched(j)), found.rows[j].start_date, false)
                    }
                    None => (None, None, false),
                }
            }
            Action::Expand | Action::Reduce => {
                let named = found.named(a);
                let pick = named
                    .iter()
                    .copied()
                    .find(|&j| found.rows[j].in_figures())
                    .or_else(|| named.first().copied());
                match (pick, a.capacity) {
                    (Some(j), Some(planned)) => {
                        let fits = |c: Option<i64>| match (a.action, c) {
                            (Action::Expand, Some(c)) => c >= planned,
                            (Action::Reduce, Some(c)) => c <= planned,
                            _ => false,
                        };
                        let m = found.matched(j);
                        let when = fits(m.capacity).then(|| {
                            // The last day of the first period in which the capacity is seen.
                            history
                                .seen
                                .get(&identity(&a.municipality_code, &a.service_type, &a.service_name))
                                .and_then(|seen| seen.iter().find(|(_, c, _)| fits(*c)))
                                .map_or(period.end, |(p, _, _)| history.periods[*p].end)
                        });
                        (Some(m), when, false)
                    }
                    (Some(j), None) => (Some(found.matched(j)), None, false),
                    _ => (None, None, false),
                }
            }
            Action::Close => {
                let named = found.named(a);
                let closed = named
                    .iter()
                    .copied()
                    .filter(|&j| found.rows[j].end_date.is_some_and(|d| d <= period.end))
                    .min_by_key(|&j| found.rows[j].end_date);
                let still_open = named
                    .iter()
                    .any(|&j| found.rows[j].in_figures() && found.rows[j].end_date.is_none_or(|d| d > period.end));
                match closed {
                    Some(j) if !still_open => (Some(found.matched(j)), found.rows[j].end_date, false),
                    _ if !named.is_empty() => (Some(found.matched(named[0])), None, false),
                    _ => {
                        // No longer sent: closed when the history holds it earlier.
                        let held = history
                            .seen
                            .get(&identity(&a.municipality_code, &a.service_type, &a.service_name));
                        match held.and_then(|h| h.last()) {
                            Some(&(last, _, end)) => {
                                let when = end
                                    .filter(|d| *d <= period.end)
                                    .unwrap_or_else(|| history.periods.get(last + 1).map_or(period.end, |p| p.end));
                                (None, Some(when), true)
                            }
                            None => (None, None, false),
                        }
                    }
                }
            }
        };
        let status = match realised_on {
            Some(day) if day.year() <= a.year => Status::OnTime,
            Some(_) => Status::Late,
            None if a.year < period.end.year() => Status::Overdue,
            None => Status::NotDue,
        };
        let partly = a.action == Action::Open
            && status.realised()
            && matches!((matched.as_ref().and_then(|m| m.capacity), a.capacity), (Some(x), Some(y)) if x < y);
        out[i] = Some(ActionStatus {
            action: a.clone(),
            status,
            partly,
            realised_on,
            matched,
            closed_by_history,
            reported: reported
                .get(&(a.municipality_code.clone(), key(&a.measure)))
                .cloned()
                .unwrap_or_default(),
        });
    }
    out.into_iter().flatten().collect()
}

/// The counts per municipality with planned actions (in code order), then
/// the oblast's (empty code).
pub fn progress(_schemas: &Schemas, _oblast: &str, statuses: &[ActionStatus]) -> Vec<Progress> {
    let mut by: BTreeMap<&str, Progress> = BTreeMap::new();
    let mut total = Progress::default();
    for s in statuses {
        by.entry(&s.action.municipality_code)
            .or_insert_with(|| Progress {
                municipality_code: s.action.municipality_code.clone(),
                ..Progress::default()
            })
            .add(s);
        total.add(s);
    }
    let mut out: Vec<Progress> = by.into_values().collect();
    out.push(total);
    out
}
