//! The municipalities' implementation reports: takes the accepted
//! `strategy_report` rows of an oblast and gives its activities, and the
//! municipalities that sent no report.

use std::collections::HashSet;

use super::check::oblast_of;
use super::{code_of, text_of};
use crate::schema::fields::report as F;
use crate::schema::{Role, Schemas};
use crate::validate::Record;

/// One activity of a municipality's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub municipality_code: String,
    pub measure: String,
    pub activity: String,
    /// The reference code (DONE, IN_PROGRESS, NOT_DONE, POSTPONED, DROPPED).
    pub status: String,
    pub indicator: String,
    pub value: Option<f64>,
    pub funds: Option<f64>,
    pub financing: String,
    pub difficulties: String,
    pub file: String,
    pub sheet: String,
    /// The row on the sheet, from 1.
    pub row: u32,
}

/// The activity statuses in the order the report counts them.
pub const STATUSES: [&str; 5] = ["DONE", "IN_PROGRESS", "NOT_DONE", "POSTPONED", "DROPPED"];

/// The code as the CSV files write it.
pub fn status_csv(code: &str) -> String {
    code.to_lowercase()
}

/// The accepted activities of the oblast's reports, in report order.
pub fn gather(schemas: &Schemas, records: &[Record], oblast: &str, single: bool) -> Vec<Activity> {
    let run_oblast = single.then_some(oblast);
    records
        .iter()
        .filter(|r| schemas.templates[r.template].role == Role::StrategyReport && r.accepted())
        .filter(|r| oblast_of(r, run_oblast) == Some(oblast))
        .filter_map(|r| {
            let t = &schemas.templates[r.template];
            Some(Activity {
                municipality_code: r.municipality.clone()?,
                measure: text_of(t, r, F::MEASURE).unwrap_or_default(),
                activity: text_of(t, r, F::ACTIVITY).unwrap_or_default(),
                status: code_of(t, r, F::STATUS)?,
                indicator: text_of(t, r, F::INDICATOR).unwrap_or_default(),
                value: r.get(t, F::VALUE).and_then(|v| v.as_f64()),
                funds: r.get(t, F::FUNDS).and_then(|v| v.as_f64()),
                financing: code_of(t, r, F::FINANCING).unwrap_or_default(),
                difficulties: text_of(t, r, F::DIFFICULTIES).unwrap_or_default(),
                file: r.file.clone(),
                sheet: r.sheet.clone(),
                row: r.anchor.row + 1,
            })
        })
        .collect()
}

/// The municipalities of the oblast (code, name) from which no report came
/// (a report with errors still came).
pub fn without_report(schemas: &Schemas, oblast: &str, records: &[Record], single: bool) -> Vec<(String, String)> {
    let run_oblast = single.then_some(oblast);
    let sent: HashSet<&str> = records
        .iter()
        .filter(|r| schemas.templates[r.template].role == Role::StrategyReport)
        .filter(|r| oblast_of(r, run_oblast) == Some(oblast))
        .filter_map(|r| r.municipality.as_deref())
        .collect();
    schemas
        .reference
        .municipalities_of(oblast)
        .filter(|m| !sent.contains(m.code.as_str()))
        .map(|m| (m.code.clone(), m.name_bg.clone()))
        .collect()
}
