//! Visits followed: takes the accepted protocols of the run, the run's
//! accepted service cards and the visit rows stored for earlier periods, and
//! gives each visit matched with its service, every recommendation with its
//! status (done, open, overdue), and the coverage of the state-delegated
//! services.
//!
//! - A visit is matched with an accepted service card of the run as
//!   duplicates are (municipality, type and name after normalisation), else
//!   by the provider's name when exactly one service of that type in the
//!   municipality fits; else an `unknown_service` warning names the
//!   closest services of the municipality, and the visit still counts.
//! - A recommendation is open until a protocol of a later visit to the same
//!   service (this run's or the history's) marks the same area „изпълнена“;
//!   an open one past its deadline on the period's last day is overdue.
//! - Coverage: the share of the oblast's active state-delegated services
//!   visited at least once (this run or any stored period), and those never
//!   visited.

use crate::schema::fields::visit;
use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

use super::{Protocol, protocols};
use crate::aggregate::ServiceRow;
use crate::issue::VisitFinding;
use crate::issue::{Finding, Issue, Location};
use crate::normalize::{edit_distance, key};
use crate::period::Period;
use crate::schema::Schemas;
use crate::validate::{Record, Value};

/// Financing that makes a service a state-delegated activity (the delegated
/// activity, also when the municipality tops it up).
pub const STATE_DELEGATED: &[&str] = &["STATE_DELEGATED", "TOPUP"];

/// What identifies a service across protocols and periods: municipality
/// code, service type code, the name's key.
pub type ServiceKey = (String, String, String);

/// The follow-up status of a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Overdue,
    Open,
    Done,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::Open => "open",
            Status::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "overdue" => Some(Status::Overdue),
            "open" => Some(Status::Open),
            "done" => Some(Status::Done),
            _ => None,
        }
    }
}

/// One visit (an accepted protocol).
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    pub service_type: String,
    pub service_name: String,
    pub provider_name: String,
    pub visit_date: Option<NaiveDate>,
    /// Institution codes.
    pub team: Vec<String>,
    /// Matched with an accepted service card of the run.
    pub matched: bool,
    /// The service it is about (the matched card's identity when matched).
    pub service: ServiceKey,
    pub file: String,
    pub sheet: String,
}

/// One row of a protocol (an area checked), this period's or an earlier one's.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub oblast_code: String,
    pub municipality_code: String,
    pub service_type: String,
    pub service_name: String,
    pub service: ServiceKey,
    pub visit_date: NaiveDate,
    /// Inspection area code.
    pub area: String,
    /// compliant, minor, serious, not_checked.
    pub assessment: String,
    pub finding: String,
    pub recommendation: String,
    pub deadline: Option<NaiveDate>,
    pub responsible: String,
    /// done, in_progress, not_done or empty.
    pub follow_up: String,
    pub done_on: Option<NaiveDate>,
    /// For a recommendation: its status at the end of the period.
    pub status: Option<Status>,
    pub file: String,
    pub sheet: String,
    /// The sheet row, 1-based.
    pub row: u32,
    /// From an earlier period's protocol (kept because it was still open
    /// when this period began).
    pub earlier: bool,
}

/// The coverage of one oblast's state-delegated services.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub oblast_code: String,
    /// Active state-delegated services (accepted cards of the run).
    pub services: usize,
    /// Of those, visited at least once (this run or a stored period).
    pub visited: usize,
    /// The others: (municipality code, municipality, service type code, name).
    pub never_visited: Vec<(String, String, String, String)>,
}

/// Everything the report and the history need of the run's visits.
#[derive(Debug, Clone, Default)]
pub struct Visits {
    pub visits: Vec<Visit>,
    /// This period's rows, then the earlier recommendations still open when
    /// it began; recommendations overdue first within each.
    pub rows: Vec<VisitRow>,
    pub coverage: Vec<Coverage>,
    /// `unknown_service` warnings.
    pub issues: Vec<Issue>,
}

impl Visits {
    /// This period's rows (not the earlier ones carried over).
    pub fn current_rows(&self) -> impl Iterator<Item = &VisitRow> {
        self.rows.iter().filter(|r| !r.earlier)
    }

    /// The recommendations, overdue first, then open, then done.
    pub fn recommendations(&self) -> Vec<&VisitRow> {
        let mut out: Vec<&VisitRow> = self.rows.iter().filter(|r| r.status.is_some()).collect();
        out.sort_by(|a, b| {
            (a.status, &a.municipality_code, a.deadline, &a.service_name, &a.area).cmp(&(
                b.status,
                &b.municipality_code,
                b.deadline,
                &b.service_name,
                &b.area,
            ))
        });
        out
    }
}

/// What the history holds of the earlier periods: their visit rows and the
/// services they visited.
#[derive(Debug, Clone, Default)]
pub struct Earlier {
    pub rows: Vec<VisitRow>,
    pub visited: HashSet<ServiceKey>,
}

fn text(record: &Record, schemas: &Schemas, id: &str) -> String {
    record
        .get(&schemas.templates[record.template], id)
        .map(Value::display)
        .unwrap_or_default()
}

fn date(record: &Record, schemas: &Schemas, id: &str) -> Option<NaiveDate> {
    record
        .get(&schemas.templates[record.template], id)
        .and_then(Value::as_date)
}

/// The card a visit is about: by identity, else by provider (exactly one).
fn match_card<'a>(
    cards: &[&'a ServiceRow],
    municipality: &str,
    service_type: &str,
    name: &str,
    provider: &str,
) -> Option<&'a ServiceRow> {
    let same_place = |c: &&&ServiceRow| c.municipality_code == municipality && c.service_type == service_type;
    if let Some(card) = cards
        .iter()
        .filter(same_place)
        .find(|c| key(&c.service_name) == key(name))
    {
        return Some(card);
    }
    let by_provider: Vec<&&ServiceRow> = cards
        .iter()
        .filter(same_place)
        .filter(|c| !provider.trim().is_empty() && key(&c.provider_name) == key(provider))
        .collect();
    match by_provider.as_slice() {
        [one] => Some(**one),
        _ => None,
    }
}

/// The closest services of the municipality to a written name: "name (type)".
fn closest_services(schemas: &Schemas, cards: &[&ServiceRow], municipality: &str, name: &str) -> Vec<String> {
    let name_key = key(name);
    let mut scored: Vec<(usize, String)> = cards
        .iter()
        .filter(|c| c.municipality_code == municipality)
        .map(|c| {
            let type_name = schemas
                .reference
                .service_type(&c.service_type)
                .map_or(c.service_type.clone(), |t| t.name_bg.clone());
            (
                edit_distance(&key(&c.service_name), &name_key),
                format!("{} ({type_name})", c.service_name),
            )
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, s)| s).collect()
}

/// Puts the run's visits together and follows their recommendations.
pub fn follow(
    schemas: &Schemas,
    period: &Period,
    records: &[Record],
    services: &[ServiceRow],
    oblasts: &[String],
    earlier: Earlier,
) -> Visits {
    let cards: Vec<&ServiceRow> = services.iter().filter(|s| s.counted).collect();
    let mut out = Visits::default();
    let mut rows: Vec<VisitRow> = Vec::new();
    for Protocol {
        form,
        rows: row_indexes,
    } in protocols(schemas, records)
    {
        let form = &records[form];
        if !form.accepted() {
            continue;
        }
        let (Some(municipality_code), Some(oblast_code)) = (form.municipality.clone(), form.oblast.clone()) else {
            continue;
        };
        let template = &schemas.templates[form.template];
        let service_type = text(form, schemas, visit::SERVICE_TYPE);
        let service_name = text(form, schemas, visit::SERVICE_NAME);
        let provider_name = text(form, schemas, visit::PROVIDER_NAME);
        let card = match_card(&cards, &municipality_code, &service_type, &service_name, &provider_name);
        if card.is_none() {
            let at = template
                .field_index(visit::SERVICE_NAME)
                .and_then(|f| form.cells[f])
                .unwrap_or(form.anchor);
            out.issues.push(
                Issue::warning(
                    Location::cell(&form.file, &form.sheet, at),
                    Finding::Visit(VisitFinding::UnknownService {
                        closest: closest_services(schemas, &cards, &municipality_code, &service_name),
                    }),
                )
                .template(&template.id)
                .field(visit::SERVICE_NAME)
                .value(service_name.clone())
                .municipality(Some(&municipality_code)),
            );
        }
        let service: ServiceKey = match card {
            Some(c) => (
                c.municipality_code.clone(),
                c.service_type.clone(),
                key(&c.service_name),
            ),
            None => (municipality_code.clone(), service_type.clone(), key(&service_name)),
        };
        let visit_date = date(form, schemas, visit::VISIT_DATE);
        let municipality = schemas
            .reference
            .municipality(&municipality_code)
            .map_or(municipality_code.clone(), |m| m.name_bg.clone());
        let team = text(form, schemas, visit::TEAM)
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        for &r in &row_indexes {
            let row = &records[r];
            let Some(day) = visit_date else { continue };
            if !row.accepted() {
                continue;
            }
            rows.push(VisitRow {
                oblast_code: oblast_code.clone(),
                municipality_code: municipality_code.clone(),
                service_type: service_type.clone(),
                service_name: service_name.clone(),
                service: service.clone(),
                visit_date: day,
                area: text(row, schemas, visit::AREA),
                assessment: text(row, schemas, visit::ASSESSMENT),
                finding: text(row, schemas, visit::FINDING),
                recommendation: text(row, schemas, visit::RECOMMENDATION),
                deadline: date(row, schemas, visit::DEADLINE),
                responsible: text(row, schemas, visit::RESPONSIBLE),
                follow_up: text(row, schemas, visit::FOLLOW_UP),
                done_on: date(row, schemas, visit::DONE_ON),
                status: None,
                file: row.file.clone(),
                sheet: row.sheet.clone(),
                row: row.anchor.row + 1,
                earlier: false,
            });
        }
        out.visits.push(Visit {
            oblast_code,
            municipality_code,
            municipality,
            service_type,
            service_name,
            provider_name,
            visit_date,
            team,
            matched: card.is_some(),
            service,
            file: form.file.clone(),
            sheet: form.sheet.clone(),
        });
    }

    // Follow-up: every row, this period's and the earlier ones, is a
    // possible closing of an earlier recommendation.
    let closes: Vec<(&ServiceKey, &str, NaiveDate)> = rows
        .iter()
        .chain(earlier.rows.iter())
        .filter(|r| r.follow_up == "done")
        .map(|r| (&r.service, r.area.as_str(), r.visit_date))
        .collect();
    let closed_by = |r: &VisitRow, before: Option<NaiveDate>| {
        closes.iter().any(|(service, area, day)| {
            *service == &r.service && *area == r.area && *day > r.visit_date && before.is_none_or(|b| *day < b)
        })
    };
    let status = |r: &VisitRow| -> Option<Status> {
        if r.recommendation.trim().is_empty() {
            return None;
        }
        Some(if closed_by(r, None) {
            Status::Done
        } else if r.deadline.is_some_and(|d| d < period.end) {
            Status::Overdue
        } else {
            Status::Open
        })
    };
    let mut current: Vec<VisitRow> = rows
        .iter()
        .map(|r| VisitRow {
            status: status(r),
            ..r.clone()
        })
        .collect();
    let mut carried: Vec<VisitRow> = earlier
        .rows
        .iter()
        .filter(|r| r.visit_date < period.start && !r.recommendation.trim().is_empty())
        .filter(|r| !closed_by(r, Some(period.start)))
        .map(|r| VisitRow {
            status: status(r),
            earlier: true,
            ..r.clone()
        })
        .collect();
    let order = |a: &VisitRow, b: &VisitRow| (&a.file, &a.sheet, a.row).cmp(&(&b.file, &b.sheet, b.row));
    current.sort_by(order);
    carried.sort_by(|a, b| {
        (a.visit_date, &a.municipality_code, &a.service_name, &a.area).cmp(&(
            b.visit_date,
            &b.municipality_code,
            &b.service_name,
            &b.area,
        ))
    });
    out.rows = current;
    out.rows.extend(carried);

    // Coverage of the state-delegated services active in the period.
    let visited: HashSet<&ServiceKey> = out
        .visits
        .iter()
        .map(|v| &v.service)
        .chain(earlier.visited.iter())
        .collect();
    let mut by_oblast: BTreeMap<&str, Coverage> = oblasts
        .iter()
        .map(|o| {
            (
                o.as_str(),
                Coverage {
                    oblast_code: o.clone(),
                    services: 0,
                    visited: 0,
                    never_visited: Vec::new(),
                },
            )
        })
        .collect();
    for card in services
        .iter()
        .filter(|s| s.in_figures() && STATE_DELEGATED.contains(&s.financing.as_str()))
    {
        let Some(coverage) = by_oblast.get_mut(card.oblast_code.as_str()) else {
            continue;
        };
        coverage.services += 1;
        let id: ServiceKey = (
            card.municipality_code.clone(),
            card.service_type.clone(),
            key(&card.service_name),
        );
        if visited.contains(&id) {
            coverage.visited += 1;
        } else {
            coverage.never_visited.push((
                card.municipality_code.clone(),
                card.municipality.clone(),
                card.service_type.clone(),
                card.service_name.clone(),
            ));
        }
    }
    out.coverage = by_oblast.into_values().collect();
    out
}
