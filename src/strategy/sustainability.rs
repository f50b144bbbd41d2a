//! Sustainability of project-funded services: takes the run's accepted
//! services of an oblast and gives those whose project financing ended on
//! or before the period's last day, each continued (with what financing
//! now) or closed, and a warning where a municipal card declares other
//! counts than the cards show.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::aggregate::Aggregates;
use crate::issue::StrategyFinding;
use crate::issue::{Finding, Issue, Location, Severity};
use crate::period::Period;
use crate::schema::{Role, Schemas};
use crate::validate::Record;

/// A service whose project financing ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Sustained {
    pub municipality_code: String,
    pub service_type: String,
    pub service_name: String,
    pub project_end: NaiveDate,
    /// The card's financing (its code).
    pub financing_now: String,
    /// Active in the period after the project's end.
    pub continued: bool,
    pub file: String,
    pub sheet: String,
}

/// The oblast's services whose project ended, and the findings of the
/// comparison with the municipal cards' declared counts.
pub fn assess(
    schemas: &Schemas,
    oblast: &str,
    period: Period,
    aggregates: &Aggregates,
    records: &[Record],
) -> (Vec<Sustained>, Vec<Issue>) {
    let mut list = Vec::new();
    for s in aggregates
        .services
        .iter()
        .filter(|s| s.counted && s.oblast_code == oblast)
    {
        let Some(end) = s.project_end.filter(|d| *d <= period.end) else {
            continue;
        };
        let opened = s.start_date.is_none_or(|d| d <= period.end);
        let continued = opened && end < period.end && s.end_date.is_none_or(|d| d > end && d >= period.start);
        list.push(Sustained {
            municipality_code: s.municipality_code.clone(),
            service_type: s.service_type.clone(),
            service_name: s.service_name.clone(),
            project_end: end,
            financing_now: s.financing.clone(),
            continued,
            file: s.file.clone(),
            sheet: s.sheet.clone(),
        });
    }
    list.sort_by(|a, b| {
        (&a.municipality_code, &a.service_type, &a.service_name).cmp(&(
            &b.municipality_code,
            &b.service_type,
            &b.service_name,
        ))
    });
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in &list {
        let c = counts.entry(&s.municipality_code).or_default();
        c.0 += 1;
        if s.continued {
            c.1 += 1;
        }
    }
    let mut issues = Vec::new();
    for r in records {
        let t = &schemas.templates[r.template];
        if t.role != Role::MunicipalCard || !r.accepted() || !r.counted || r.oblast.as_deref() != Some(oblast) {
            continue;
        }
        let Some(m) = r.municipality.as_deref() else { continue };
        let (ended, sustained) = counts.get(m).copied().unwrap_or_default();
        for (id, found, is_sustained) in [
            ("projects_ended", ended, false),
            ("projects_sustained", sustained, true),
        ] {
            let Some(crate::validate::Value::Int(declared)) = r.get(t, id) else {
                continue;
            };
            if *declared != found as i64 {
                let at = t.field_index(id).and_then(|i| r.cells[i]).unwrap_or(r.anchor);
                issues.push(
                    Issue::new(
                        Location::cell(&r.file, &r.sheet, at),
                        Severity::Warning,
                        Finding::Strategy(StrategyFinding::ProjectCount {
                            declared: *declared,
                            found,
                            sustained: is_sustained,
                        }),
                    )
                    .template(&t.id)
                    .field(id)
                    .value(declared.to_string())
                    .municipality(Some(m)),
                );
            }
        }
    }
    (list, issues)
}
