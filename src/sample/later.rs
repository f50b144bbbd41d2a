//! A later period of a sample: takes an oblast's world as drawn for the
//! base period and moves it on to a later one, the way a quarter follows a
//! quarter — services that closed are gone, those that opened after the base
//! period are there, every other service reports about the same occupancy,
//! turnover and cost per day as before — and plants the changes a person
//! expects to see in the comparison, each recorded in the truth:
//!
//! - a new service opened inside the later period;
//! - a service closed inside it (its card carries the closing date);
//! - two services whose capacity changed a little (below the outlier thresholds);
//! - one suspicious jump: a capacity typed with a zero too many, which the
//!   comparison flags as an outlier (and its funds per place with it).

use chrono::NaiveDate;

use super::forms::{self, Fact, plus};
use super::model::{self, Municipality, Service};
use super::rng::Rng;
use crate::period::Period;
use crate::reference::Reference;
use crate::schema::fields::{adults, children, service};

/// A change planted in the later period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlannedChange {
    /// A service opened inside the later period.
    Opened,
    /// A service closed inside the later period.
    Closed,
    /// A capacity changed a little (no outlier).
    CapacityChanged,
    /// A capacity typed with a zero too many (an outlier).
    SuspiciousJump,
}

/// One planted change: which service, and its capacity before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub change: PlannedChange,
    pub municipality: String,
    pub service_name: String,
    pub(crate) service_id: usize,
    pub capacity_before: Option<i64>,
    pub capacity_after: Option<i64>,
}

/// Days of `period` a service with these dates ran.
fn ran(period: Period, start: Option<NaiveDate>, end: Option<NaiveDate>) -> i64 {
    let Some(start) = start else { return 0 };
    if !period.is_active(Some(start), end) {
        return 0;
    }
    let from = start.max(period.start);
    let to = end.unwrap_or(period.end).min(period.end);
    (to - from).num_days() + 1
}

fn cents(facts: &forms::Facts, id: &str) -> i64 {
    forms::money(facts, id)
}

/// Moves a service's figures from `base` to `later`, at about the same
/// occupancy, turnover and cost per day.
fn carry(rng: &mut Rng, service: &mut Service, base: Period, later: Period) {
    let facts = &mut service.facts;
    let (start, end) = (
        forms::date(facts, service::START_DATE),
        forms::date(facts, service::END_DATE),
    );
    let capacity = forms::int(facts, service::CAPACITY).unwrap_or(0);
    let base_days = ran(base, start, end);
    let later_days = ran(later, start, end);
    let base_share = base_days as f64 / base.days().max(1) as f64;
    let later_share = later_days as f64 / later.days().max(1) as f64;
    let avg_base = match facts.get(service::AVG_USERS) {
        Some(Fact::Decimal(x)) => *x,
        _ => 0.0,
    };
    let served_base = forms::int(facts, service::USERS_SERVED).unwrap_or(0);
    let occupancy = if base_days > 0 && capacity > 0 {
        (avg_base / (capacity as f64 * base_share)).clamp(0.3, 0.98)
    } else {
        rng.between(0.55, 0.95)
    };
    let occupancy = (occupancy * rng.between(0.97, 1.03)).min(0.98);
    let avg_tenths = (capacity as f64 * 10.0 * occupancy * later_share).round() as i64;
    let turnover = if base_days > 0 {
        let before = (served_base - (avg_base.ceil() as i64)).max(0) as f64;
        (before * later_share / base_share.max(0.01) * rng.between(0.92, 1.08)).round() as i64
    } else {
        rng.range(0, (capacity as f64 * 0.3) as i64 + 1)
    };
    let served = if later_days > 0 {
        ((avg_tenths + 9) / 10 + turnover).max(1)
    } else {
        0
    };
    facts.insert(service::AVG_USERS.into(), Fact::Decimal(avg_tenths as f64 / 10.0));
    facts.insert(service::USERS_SERVED.into(), Fact::Int(served));
    let ratio = if served_base > 0 {
        served as f64 / served_base as f64
    } else {
        0.5
    };
    for id in [
        service::USERS_DISABLED,
        adults::USERS_ELDERLY,
        children::CHILDREN_DISABLED,
        children::CHILDREN_REINTEGRATED,
        children::CHILDREN_FROM_INSTITUTIONS,
    ] {
        if let Some(n) = forms::int(facts, id) {
            facts.insert(id.into(), Fact::Int(((n as f64 * ratio).floor() as i64).min(served)));
        }
    }

    // The same cost per day; the split between sources as before.
    let parts = [
        cents(facts, service::BUDGET_STATE),
        cents(facts, service::BUDGET_LOCAL),
        cents(facts, service::BUDGET_OTHER),
    ];
    let total_base: i64 = parts.iter().sum();
    let total = if base_days > 0 && total_base > 0 {
        total_base as f64 / base_days as f64 * later_days as f64 * rng.between(0.97, 1.03)
    } else {
        (capacity * model::cost_per_place(&service.type_code) * 100) as f64 * later_days as f64 / 365.0
    };
    let total = total.round() as i64;
    let split: [i64; 3] = if total_base > 0 {
        let state = (total as f64 * parts[0] as f64 / total_base as f64).round() as i64;
        let local = (total as f64 * parts[1] as f64 / total_base as f64).round() as i64;
        [state, local, (total - state - local).max(0)]
    } else {
        match facts.get(service::FINANCING) {
            Some(Fact::Financing(f)) if f == "STATE_DELEGATED" || f == "TOPUP" => [total, 0, 0],
            Some(Fact::Financing(f)) if f == "LOCAL" => [0, total, 0],
            _ => [0, 0, total],
        }
    };
    for (id, value) in [service::BUDGET_STATE, service::BUDGET_LOCAL, service::BUDGET_OTHER]
        .into_iter()
        .zip(split)
    {
        facts.insert(id.into(), Fact::Money(value));
    }
    facts.insert(service::FILLED_ON.into(), Fact::Date(plus(later.end, rng.range(5, 45))));
    // A licence that the base period's card showed valid stays valid through the later period.
    if let Some(until) = forms::date(facts, children::LICENSE_VALID_UNTIL)
        && until < plus(later.end, 90)
    {
        facts.insert(
            children::LICENSE_VALID_UNTIL.into(),
            Fact::Date(plus(later.end, rng.range(90, 1500))),
        );
    }
    if !matches!(facts.get(service::CHANGES), Some(Fact::Text(t)) if t.starts_with("Закрита")) {
        facts.remove(service::CHANGES);
    }
}

fn name_of(service: &Service) -> String {
    forms::text(&service.facts, service::SERVICE_NAME)
        .unwrap_or("")
        .to_string()
}

/// Runs the whole of `period` (opened before it, not closed in it).
fn whole(service: &Service, period: Period) -> bool {
    forms::date(&service.facts, service::START_DATE).is_some_and(|d| d <= period.start)
        && forms::date(&service.facts, service::END_DATE).is_none_or(|d| d > period.end)
}

/// Moves an oblast's world from `base` to `later` and plants the changes.
pub(crate) fn step(
    reference: &Reference,
    world: &mut [Municipality],
    base: Period,
    later: Period,
    count_fields: &[(String, Vec<String>)],
    rng: &mut Rng,
    next_id: &mut usize,
) -> Vec<Planned> {
    let mut planned = Vec::new();
    // Gone: closed by the end of the base period, or not yet open at the end of the later one.
    for m in world.iter_mut() {
        m.services.retain(|s| forms::active(&s.facts, later));
    }
    // Candidates run the whole of both periods: their figures compare.
    let candidates = |world: &[Municipality], taken: &[usize]| -> Vec<(usize, usize)> {
        world
            .iter()
            .enumerate()
            .flat_map(|(mi, m)| {
                m.services
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| whole(s, base) && whole(s, later) && !taken.contains(&s.id))
                    .map(move |(si, _)| (mi, si))
            })
            .collect()
    };
    let mut taken: Vec<usize> = Vec::new();

    // One service closes inside the later period.
    let pool = candidates(world, &taken);
    if !pool.is_empty() {
        let (mi, si) = pool[rng.below(pool.len())];
        let end = plus(later.start, rng.range(20, 60));
        let municipality = world[mi].code.clone();
        let s = &mut world[mi].services[si];
        s.facts.insert(service::END_DATE.into(), Fact::Date(end));
        s.facts.insert(
            service::CHANGES.into(),
            Fact::Text(format!(
                "Закрита на {} с решение на Общинския съвет",
                end.format("%d.%m.%Y")
            )),
        );
        taken.push(s.id);
        planned.push(Planned {
            change: PlannedChange::Closed,
            municipality,
            service_name: name_of(s),
            service_id: s.id,
            capacity_before: forms::int(&s.facts, service::CAPACITY),
            capacity_after: forms::int(&s.facts, service::CAPACITY),
        });
    }
    for m in world.iter_mut() {
        for s in &mut m.services {
            carry(rng, s, base, later);
        }
    }

    // Two capacities change a little: a few places more or fewer in a large service.
    for _ in 0..2 {
        let pool: Vec<(usize, usize)> = candidates(world, &taken)
            .into_iter()
            .filter(|&(mi, si)| forms::int(&world[mi].services[si].facts, service::CAPACITY).is_some_and(|c| c >= 20))
            .collect();
        if pool.is_empty() {
            break;
        }
        let (mi, si) = pool[rng.below(pool.len())];
        let municipality = world[mi].code.clone();
        let s = &mut world[mi].services[si];
        let before = forms::int(&s.facts, service::CAPACITY).unwrap_or(0);
        let delta = rng.range(2, 4) * if rng.chance(0.6) { 1 } else { -1 };
        let after = before + delta;
        let scale = after as f64 / before as f64;
        s.facts.insert(service::CAPACITY.into(), Fact::Int(after));
        if let Some(Fact::Decimal(avg)) = s.facts.get(service::AVG_USERS).cloned() {
            s.facts.insert(
                service::AVG_USERS.into(),
                Fact::Decimal((avg * scale * 10.0).round() / 10.0),
            );
        }
        for id in [service::BUDGET_STATE, service::BUDGET_LOCAL, service::BUDGET_OTHER] {
            let value = (cents(&s.facts, id) as f64 * scale).round() as i64;
            s.facts.insert(id.into(), Fact::Money(value));
        }
        let word = if delta > 0 {
            "Увеличен"
        } else {
            "Намален"
        };
        s.facts.insert(
            service::CHANGES.into(),
            Fact::Text(format!("{word} капацитет от {before} на {after} места")),
        );
        taken.push(s.id);
        planned.push(Planned {
            change: PlannedChange::CapacityChanged,
            municipality,
            service_name: name_of(s),
            service_id: s.id,
            capacity_before: Some(before),
            capacity_after: Some(after),
        });
    }

    // The suspicious jump: a zero too many in the capacity of a service whose
    // type the oblast has often enough for a median cost per place.
    let count_of_type = |world: &[Municipality], code: &str| {
        world
            .iter()
            .flat_map(|m| m.services.iter())
            .filter(|s| s.type_code == code && whole(s, later))
            .count()
    };
    let pool: Vec<(usize, usize)> = candidates(world, &taken)
        .into_iter()
        .filter(|&(mi, si)| {
            let s = &world[mi].services[si];
            count_of_type(world, &s.type_code) >= 5
                && forms::int(&s.facts, service::CAPACITY).is_some_and(|c| (5..100).contains(&c))
        })
        .collect();
    if !pool.is_empty() {
        let (mi, si) = pool[rng.below(pool.len())];
        let municipality = world[mi].code.clone();
        let s = &mut world[mi].services[si];
        let before = forms::int(&s.facts, service::CAPACITY).unwrap_or(0);
        s.facts.insert(service::CAPACITY.into(), Fact::Int(before * 10));
        planned.push(Planned {
            change: PlannedChange::SuspiciousJump,
            municipality,
            service_name: name_of(s),
            service_id: s.id,
            capacity_before: Some(before),
            capacity_after: Some(before * 10),
        });
    }

    // A new service opens in the largest municipality.
    if let Some(mi) = (0..world.len()).max_by_key(|&i| world[i].population) {
        let id = *next_id;
        if let Some(service) = model::opened_service(reference, rng, &world[mi], later, id) {
            *next_id += 1;
            planned.push(Planned {
                change: PlannedChange::Opened,
                municipality: world[mi].code.clone(),
                service_name: name_of(&service),
                service_id: id,
                capacity_before: None,
                capacity_after: forms::int(&service.facts, service::CAPACITY),
            });
            world[mi].services.push(service);
        }
    }

    for m in world.iter_mut() {
        model::refresh_cards(rng, m, later, count_fields);
    }
    planned.sort_by(|a, b| {
        (a.change, &a.municipality, &a.service_name).cmp(&(b.change, &b.municipality, &b.service_name))
    });
    planned
}
