//! Messages about outliers: the value, what it was compared with, and what
//! to check.

use super::{Said, number};
use crate::issue::{Lang, OutlierCheck};

pub(super) fn outlier(s: &Said, check: &OutlierCheck) -> String {
    match check {
        OutlierCheck::Change {
            previous,
            previous_period,
            threshold,
        } => change(s, *previous, previous_period, *threshold),
        OutlierCheck::OutsideRange { low, high, periods } => outside_range(s, *low, *high, *periods),
        OutlierCheck::ServedPerPlace { capacity, limit } => served_per_place(s, *capacity, *limit),
        OutlierCheck::BudgetPerPlace {
            total,
            capacity,
            median,
            services,
            factor,
        } => budget_per_place(s, *total, *capacity, *median, *services, *factor),
    }
}

/// Two decimals at most.
fn n(x: f64) -> String {
    number((x * 100.0).round() / 100.0)
}

/// A share as a percentage with one decimal at most: 0.4444 → "44.4 %".
fn pct(x: f64) -> String {
    format!("{} %", number((x * 1000.0).round() / 10.0))
}

fn change(s: &Said, previous: f64, previous_period: &str, threshold: f64) -> String {
    let (label, value) = (&s.label, s.written);
    let now: f64 = value.parse().unwrap_or(f64::NAN);
    let change = if previous != 0.0 {
        let share = (now - previous) / previous.abs();
        format!("{}{}", if share > 0.0 { "+" } else { "" }, pct(share))
    } else {
        "—".into()
    };
    let (previous, threshold) = (n(previous), pct(threshold));
    match s.lang {
        Lang::Bg => format!(
            "{label} е {value}, а за предходния период ({previous_period}) е {previous} ({change}; праг {threshold}). Проверете стойността."
        ),
        Lang::En => format!(
            "{label} is {value}, against {previous} in the previous period ({previous_period}) ({change}; threshold {threshold}). Check the value."
        ),
    }
}

fn outside_range(s: &Said, low: f64, high: f64, periods: usize) -> String {
    let (label, value, low, high) = (&s.label, s.written, n(low), n(high));
    match s.lang {
        Lang::Bg => format!(
            "{label} е {value}, извън досегашните стойности на услугата ({low}–{high} в {periods} съхранени периода). Проверете стойността."
        ),
        Lang::En => format!(
            "{label} is {value}, outside the service's values so far ({low}–{high} in {periods} stored periods). Check the value."
        ),
    }
}

fn served_per_place(s: &Said, capacity: i64, limit: f64) -> String {
    let (label, value, limit) = (&s.label, s.written, n(limit));
    let served: f64 = value.parse().unwrap_or(f64::NAN);
    let per_place = if capacity > 0 {
        n(served / capacity as f64)
    } else {
        "—".into()
    };
    match s.lang {
        Lang::Bg => format!(
            "{label} е {value} при капацитет {capacity} места ({per_place} на място; обичайно до {limit}). Проверете обслужените потребители и капацитета."
        ),
        Lang::En => format!(
            "{label} is {value} for {capacity} places ({per_place} per place; usually at most {limit}). Check the users served and the capacity."
        ),
    }
}

fn budget_per_place(s: &Said, total: f64, capacity: i64, median: f64, services: usize, factor: f64) -> String {
    let per_place = if capacity > 0 { total / capacity as f64 } else { 0.0 };
    let times = if median > 0.0 { per_place / median } else { 0.0 };
    let (per_place, total, median, factor) = (n(per_place), n(total), n(median), n(factor));
    let how = match (s.lang, times >= 1.0) {
        (Lang::Bg, true) => format!("{} пъти повече от", n(times)),
        (Lang::En, true) => format!("{} times", n(times)),
        (Lang::Bg, false) => format!("{} пъти по-малко от", n(1.0 / times.max(f64::MIN_POSITIVE))),
        (Lang::En, false) => format!("1/{} of", n(1.0 / times.max(f64::MIN_POSITIVE))),
    };
    match s.lang {
        Lang::Bg => format!(
            "Средствата на място са {per_place} лв. ({total} лв. за {capacity} места) – {how} медианата за този вид услуга в областта ({median} лв., {services} услуги; праг {factor} пъти). Проверете средствата и капацитета."
        ),
        Lang::En => format!(
            "The funds per place are {per_place} BGN ({total} BGN for {capacity} places) – {how} the oblast's median for this type of service ({median} BGN, {services} services; threshold {factor} times). Check the funds and the capacity."
        ),
    }
}
