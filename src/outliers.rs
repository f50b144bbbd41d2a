//! Outliers: takes the run's accepted services, their figures and the
//! comparison with the history, and gives warnings (code `outlier`) for the
//! values that deserve a second look, each at the cell of the value:
//!
//! - a change since the previous period beyond the field's threshold;
//! - a value outside the lowest..highest of the service's stored periods;
//! - users served far above the places (occupancy far above capacity);
//! - funds per place far from the oblast's median for the service type.
//!
//! The thresholds live in the schemas (`[outliers]` in `common.toml`, and
//! `outlier_change` / `outlier_min_change` on a field). Figures that add up
//! over a period are compared only between periods of the same length, and
//! only capacity is compared for a service that ran part of a period.
//! Outliers are warnings: they never reject a record.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::aggregate::{Aggregates, ServiceRow};
use crate::compare::{ChangeStatus, Comparison, ServiceCard, match_services, same_length};
use crate::history::StoredService;
use crate::issue::{Issue, Location, OutlierCheck};
use crate::period::Period;
use crate::run::Run;
use crate::schema::{Role, Schemas};
use crate::sheet::format_number;
use crate::validate::Record;

/// Where the run's service cards are: (file, sheet) → record.
struct Places<'a> {
    schemas: &'a Schemas,
    records: HashMap<(&'a str, &'a str), &'a Record>,
}

impl<'a> Places<'a> {
    fn new(schemas: &'a Schemas, run: &'a Run) -> Places<'a> {
        let records = run
            .records
            .iter()
            .filter(|r| schemas.templates[r.template].role == Role::ServiceCard)
            .map(|r| ((r.file.as_str(), r.sheet.as_str()), r))
            .collect();
        Places { schemas, records }
    }

    /// A warning at the cell of `field` on the service's card.
    fn issue(&self, service: &impl ServiceCard, field: &str, value: f64, check: OutlierCheck) -> Issue {
        let record = self.records.get(&(service.file(), service.sheet()));
        let cell = record.and_then(|r| {
            let template = &self.schemas.templates[r.template];
            template.field_index(field).and_then(|i| r.cells[i])
        });
        let location = match cell {
            Some(cell) => Location::cell(service.file(), service.sheet(), cell),
            None => Location::sheet(service.file(), service.sheet()),
        };
        Issue::warning(location, crate::issue::Finding::Outlier(check))
            .template(service.template())
            .field(field)
            .value(format_number((value * 100.0).round() / 100.0))
            .municipality(Some(service.municipality_code()))
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// Whether a figure changed from `before` to `now` by more than the share
/// `share` of its earlier value and by at least `least` (from 0, any change
/// of at least `least`).
fn changed_beyond(before: f64, now: f64, share: f64, least: f64) -> bool {
    let difference = (now - before).abs();
    let beyond = if before == 0.0 {
        now != 0.0
    } else {
        difference / before.abs() > share
    };
    beyond && difference >= least
}

/// The lowest..highest of the earlier values when `value` lies outside it
/// by more than the share `margin` of the nearer end (and by at least
/// `least`); `None` when it is within, or there is nothing to compare with.
fn outside_range(value: f64, earlier: &[f64], margin: f64, least: f64) -> Option<(f64, f64)> {
    if earlier.is_empty() {
        return None;
    }
    let low = earlier.iter().copied().fold(f64::INFINITY, f64::min);
    let high = earlier.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let allowed = |x: f64| (x.abs() * margin).max(least);
    (value < low - allowed(low) || value > high + allowed(high)).then_some((low, high))
}

/// Every outlier of the run, in no particular order (the caller sorts findings).
pub fn find(
    schemas: &Schemas,
    period: Period,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
) -> Vec<Issue> {
    let o = &schemas.common.outliers;
    let places = Places::new(schemas, run);
    let mut issues = Vec::new();
    // (file, sheet, field) already reported as a change: the range check stays quiet there.
    let mut changed: BTreeSet<(String, String, String)> = BTreeSet::new();
    let comparable = |field: &str, same: bool, partial: bool| {
        (same || !o.flows.iter().any(|f| f == field)) && (!partial || o.stocks.iter().any(|f| f == field))
    };

    // A change since the previous period.
    for change in comparison
        .services
        .iter()
        .filter(|c| c.status == ChangeStatus::Continued)
    {
        let (Some(then), Some(now)) = (&change.then, &change.now) else {
            continue;
        };
        let Some(baseline) = comparison.baseline(&now.oblast_code) else {
            continue;
        };
        for field in &o.fields {
            if !comparable(field, baseline.same_length, then.partial() || now.partial()) {
                continue;
            }
            let (Some(before), Some(value)) = (then.figure(field), now.figure(field)) else {
                continue;
            };
            let (share, least) = schemas.change_threshold(&now.template, field);
            if changed_beyond(before, value, share, least) {
                changed.insert((now.file.clone(), now.sheet.clone(), field.clone()));
                issues.push(places.issue(
                    now,
                    field,
                    value,
                    OutlierCheck::Change {
                        previous: before,
                        previous_period: baseline.meta.period.name(),
                        threshold: share,
                    },
                ));
            }
        }
    }

    // Outside the range of the stored periods. The run's services are
    // borrowed from the aggregates, not copied.
    let now_services: Vec<&ServiceRow> = aggregates.services.iter().filter(|s| s.in_figures()).collect();
    // (index into now_services, field) → values in the earlier periods.
    let mut ranges: BTreeMap<(usize, &str), Vec<f64>> = BTreeMap::new();
    for (oblast, earlier) in &comparison.earlier {
        let now_of_oblast: Vec<(usize, &ServiceRow)> = now_services
            .iter()
            .enumerate()
            .filter(|(_, s)| &s.oblast_code == oblast)
            .map(|(i, s)| (i, *s))
            .collect();
        let now_list: Vec<&ServiceRow> = now_of_oblast.iter().map(|(_, s)| *s).collect();
        for stored in earlier {
            let then: Vec<&StoredService> = stored.services.iter().filter(|s| s.in_figures).collect();
            let same = same_length(&stored.meta.period, &period);
            for (i, j, _) in match_services(&then, &now_list) {
                let (Some(i), Some(j)) = (i, j) else { continue };
                let (earlier_service, index) = (then[i], now_of_oblast[j].0);
                for field in &o.fields {
                    if !comparable(field, same, earlier_service.partial() || now_services[index].partial()) {
                        continue;
                    }
                    if let Some(v) = earlier_service.figure(field) {
                        ranges.entry((index, field.as_str())).or_default().push(v);
                    }
                }
            }
        }
    }
    for ((index, field), values) in &ranges {
        if values.len() < o.range_min_periods.max(1) {
            continue;
        }
        let service = now_services[*index];
        if changed.contains(&(service.file.clone(), service.sheet.clone(), field.to_string())) {
            continue;
        }
        let Some(value) = service.figure(field) else { continue };
        let (_, least) = schemas.change_threshold(&service.template, field);
        if let Some((low, high)) = outside_range(value, values, o.range_margin, least) {
            issues.push(places.issue(
                service,
                field,
                value,
                OutlierCheck::OutsideRange {
                    low,
                    high,
                    periods: values.len(),
                },
            ));
        }
    }

    // Users served far above the places.
    for &service in &now_services {
        if let (Some(capacity), Some(served)) = (service.capacity, service.users_served)
            && capacity > 0
            && served as f64 > capacity as f64 * o.served_per_place
        {
            issues.push(places.issue(
                service,
                crate::schema::fields::service::USERS_SERVED,
                served as f64,
                OutlierCheck::ServedPerPlace {
                    capacity,
                    limit: o.served_per_place,
                },
            ));
        }
    }

    // Funds per place against the oblast's median for the type, among the
    // services that ran the whole period (a part of a period costs less).
    let mut by_type: BTreeMap<(&str, &str), Vec<&ServiceRow>> = BTreeMap::new();
    for &service in &now_services {
        let whole = !service.partial() && service.start_date.is_some_and(|d| d <= period.start);
        if whole && service.capacity.is_some_and(|c| c > 0) && service.budget().is_some_and(|b| b > 0.0) {
            by_type
                .entry((service.oblast_code.as_str(), service.service_type.as_str()))
                .or_default()
                .push(service);
        }
    }
    for services in by_type.values() {
        if services.len() < o.median_min_services {
            continue;
        }
        let per_place = |s: &ServiceRow| s.budget().unwrap_or(0.0) / s.capacity.unwrap_or(1).max(1) as f64;
        let mut values: Vec<f64> = services.iter().map(|s| per_place(s)).collect();
        let Some(median) = median(&mut values) else { continue };
        if median <= 0.0 {
            continue;
        }
        for service in services {
            let ratio = per_place(service) / median;
            if ratio > o.budget_per_place_factor || ratio < 1.0 / o.budget_per_place_factor {
                // At the largest source of funds: the cell most likely to hold the slip.
                use crate::schema::fields::service::{BUDGET_LOCAL, BUDGET_OTHER, BUDGET_STATE};
                let (field, value) = [
                    (BUDGET_STATE, service.budget_state),
                    (BUDGET_LOCAL, service.budget_local),
                    (BUDGET_OTHER, service.budget_other),
                ]
                .into_iter()
                .map(|(f, v)| (f, v.unwrap_or(0.0)))
                .fold(
                    (BUDGET_STATE, f64::NEG_INFINITY),
                    |best, x| if x.1 > best.1 { x } else { best },
                );
                issues.push(places.issue(
                    *service,
                    field,
                    value,
                    OutlierCheck::BudgetPerPlace {
                        total: service.budget().unwrap_or(0.0),
                        capacity: service.capacity.unwrap_or(0),
                        median,
                        services: services.len(),
                        factor: o.budget_per_place_factor,
                    },
                ));
            }
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;

    // The defaults of schemas/common.toml: 50 % and at least 5; a range margin of 25 %.

    #[test]
    fn a_change_counts_when_it_is_beyond_both_the_share_and_the_least() {
        assert!(changed_beyond(20.0, 35.0, 0.5, 5.0), "+75 %, +15");
        assert!(!changed_beyond(20.0, 28.0, 0.5, 5.0), "+40 % is within 50 %");
        assert!(!changed_beyond(2.0, 4.0, 0.5, 5.0), "+100 % but only 2 places");
        assert!(changed_beyond(40.0, 4.0, 0.5, 5.0), "a fall counts too");
        assert!(changed_beyond(0.0, 12.0, 0.5, 5.0), "from nothing");
        assert!(!changed_beyond(0.0, 3.0, 0.5, 5.0), "from nothing, but little");
    }

    #[test]
    fn a_value_outside_the_stored_min_max_by_more_than_the_margin_is_flagged() {
        let earlier = [20.0, 24.0, 30.0];
        // 30 + 25 % of 30 = 37.5 is the most still in range; 20 − 5 = 15 the least.
        assert_eq!(outside_range(38.0, &earlier, 0.25, 5.0), Some((20.0, 30.0)));
        assert_eq!(outside_range(37.5, &earlier, 0.25, 5.0), None);
        assert_eq!(outside_range(25.0, &earlier, 0.25, 5.0), None);
        assert_eq!(outside_range(14.0, &earlier, 0.25, 5.0), Some((20.0, 30.0)));
        assert_eq!(outside_range(15.0, &earlier, 0.25, 5.0), None);
        // Small figures: the least change (5) is the margin, not 25 % of 2.
        assert_eq!(outside_range(6.0, &[2.0, 2.0], 0.25, 5.0), None);
        assert_eq!(outside_range(8.0, &[2.0, 2.0], 0.25, 5.0), Some((2.0, 2.0)));
        assert_eq!(outside_range(8.0, &[], 0.25, 5.0), None);
    }
}
