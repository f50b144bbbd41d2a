//! The sample's calendar: a registry of incoming documents per oblast (a
//! workbook, as a regional administration keeps it) dating every
//! municipality's returns and implementation report, and the three
//! deadlines of `socmon.toml` after the period — the returns a month after
//! it, the implementation reports two weeks later, the councils' decisions
//! adopting them a fortnight after that —, some municipalities late by them
//! and some missing a report or a decision. Dates come from the seed, so
//! the same seed gives the same registry.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::plan::{Return, Sheet, Subject};
use super::rng::Rng;
use crate::book::{Book, BookCell, BookFormat, BookSheet, BookValue};
use crate::calendar::{DeadlineKey, Deadlines};
use crate::period::Period;
use crate::reference::Reference;

/// The name of each oblast's registry of incoming documents.
pub(crate) const REGISTRY_FILE: &str = "Входящ регистър.xlsx";

/// A municipality late with something: its returns or its implementation
/// report (dated by the registry), or its council's decision (dated by its
/// text in the report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedLate {
    pub what: DeadlineKey,
    pub municipality: String,
    /// The day it came (for the council decision: the decision's day).
    pub received_on: NaiveDate,
    pub days: i64,
    /// The file the `late` warning is at: for the returns, the
    /// municipality's first file in name order among those dated last; for
    /// the report and the decision, the report.
    pub file: String,
}

/// A municipality that did not send something that has a deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedMissing {
    pub what: DeadlineKey,
    pub municipality: String,
}

/// The sample's calendar: the deadlines, the registries and who is late or missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarTruth {
    /// The deadlines written into `socmon.toml`.
    pub deadlines: Deadlines,
    /// By municipality, then by what is late.
    pub late: Vec<ExpectedLate>,
    /// By municipality, then by what is missing.
    pub missing: Vec<ExpectedMissing>,
    /// Per municipality: the day its returns came (by the registry).
    pub received: BTreeMap<String, NaiveDate>,
    /// Per municipality: the day its implementation report came (by the registry).
    pub report_received: BTreeMap<String, NaiveDate>,
    /// Per municipality: the day of its council's decision adopting the report.
    pub council_decision: BTreeMap<String, NaiveDate>,
}

/// How a municipality's implementation report is drawn to come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportSent {
    /// Adopted by the council and sent in time.
    OnTime,
    /// Adopted in time, sent after the report's deadline.
    Late,
    /// Adopted after the council's deadline (so sent late too).
    DecisionLate,
    /// A draft the council has not adopted yet: no decision in it.
    NoDecision,
}

/// A municipality's implementation report as the sample wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SentReport {
    pub(crate) oblast: String,
    pub(crate) municipality: String,
    /// Its file, relative to the sample's folder.
    pub(crate) file: String,
    pub(crate) kind: ReportSent,
    /// Its „Дата на попълване".
    pub(crate) filled_on: NaiveDate,
    /// The day of the council's decision written in it, if any.
    pub(crate) decision: Option<NaiveDate>,
}

/// A registry written: its path in the sample and its bytes.
pub(crate) type RegistryFile = (String, Vec<u8>);

/// The deadline of a period's returns: a month after it ends.
pub fn deadline(period: Period) -> NaiveDate {
    period.end.checked_add_days(Days::new(31)).unwrap_or(period.end)
}

/// The deadline of a period's implementation reports: two weeks after the returns'.
pub fn report_deadline(period: Period) -> NaiveDate {
    period.end.checked_add_days(Days::new(45)).unwrap_or(period.end)
}

/// The deadline of the councils' decisions adopting the reports: two weeks after the reports'.
pub fn council_deadline(period: Period) -> NaiveDate {
    period.end.checked_add_days(Days::new(60)).unwrap_or(period.end)
}

/// How each reporting municipality's report comes (`reporting` in a fixed
/// order): one a draft with no decision, one adopted late, one sent late,
/// as far as at least half of them stay in time; the others in time.
pub(crate) fn report_kinds(rng: &mut Rng, reporting: &[String]) -> BTreeMap<String, ReportSent> {
    let mut order: Vec<&String> = reporting.iter().collect();
    rng.shuffle(&mut order);
    let special = [ReportSent::NoDecision, ReportSent::DecisionLate, ReportSent::Late];
    let count = special.len().min(reporting.len().saturating_sub(1) / 2);
    order
        .into_iter()
        .enumerate()
        .map(|(i, m)| (m.clone(), if i < count { special[i] } else { ReportSent::OnTime }))
        .collect()
}

/// The sender of a return: the municipality of its cards (none for a DSP table).
fn sender(r: &Return) -> Option<&str> {
    r.sheets.iter().find_map(|s| match s {
        Sheet::Card(card) if card.record.subject != Subject::DspRow => Some(card.record.municipality.as_str()),
        _ => None,
    })
}

fn is_municipal_card(r: &Return) -> bool {
    r.sheets
        .iter()
        .any(|s| matches!(s, Sheet::Card(c) if c.record.subject == Subject::MunicipalCard))
}

fn text(row: u32, col: u16, value: &str) -> BookCell {
    BookCell {
        row,
        col,
        value: BookValue::Text(value.to_string()),
    }
}

/// `oblasts`: (code, folder prefix, name) of each oblast of the sample;
/// `reports`: the implementation reports written, when the sample has the
/// strategy (`None` without it: then only the returns have a deadline).
/// One registry per oblast (`<base>Входящ регистър.xlsx`): for each
/// municipality a row by sender (no file named) with the day its returns
/// came, a row naming its municipal card's file, registered earlier, and a
/// row naming its implementation report's file. A quarter of the
/// municipalities (at least one) are late with their returns; the reports
/// come as [`report_kinds`] drew them; a municipality with no report misses
/// the report and its council's decision.
///
/// Errors: the book writer's, as text.
pub(crate) fn registries(
    reference: &Reference,
    oblasts: &[(String, String, String)],
    period: Period,
    returns: &[Return],
    reports: Option<&[SentReport]>,
    seed: u64,
) -> Result<(Vec<RegistryFile>, CalendarTruth), String> {
    let deadline = deadline(period);
    let mut truth = CalendarTruth {
        deadlines: Deadlines {
            returns: Some(deadline),
            strategy_report: reports.map(|_| report_deadline(period)),
            council_decision: reports.map(|_| council_deadline(period)),
        },
        ..CalendarTruth::default()
    };
    let mut files = Vec::new();
    for (code, base, oblast_name) in oblasts {
        let mut rng = Rng::derive(seed, &format!("calendar {code}"));
        // The municipalities of the oblast that sent something, with their files.
        let mut sent: BTreeMap<&str, Vec<&Return>> = BTreeMap::new();
        for r in returns.iter().filter(|r| &r.oblast == code) {
            if let Some(m) = sender(r) {
                sent.entry(m).or_default().push(r);
            }
        }
        let mut order: Vec<&str> = sent.keys().copied().collect();
        rng.shuffle(&mut order);
        let late_count = (order.len() / 4).max(1).min(order.len());
        let mut rows: Vec<(NaiveDate, String, Option<String>)> = Vec::new();
        for (i, m) in order.iter().enumerate() {
            let late = i < late_count;
            let received = if late {
                deadline + Days::new(rng.range(3, 21) as u64)
            } else {
                deadline - Days::new(rng.range(1, 20) as u64)
            };
            let name = reference
                .municipality(m)
                .map_or_else(|| m.to_string(), |x| x.name_bg.clone());
            rows.push((received, name.clone(), None));
            // The municipal card named on a row of its own, registered
            // earlier (when other files came with it: they carry the day).
            if let Some(card) = sent[m].iter().find(|r| is_municipal_card(r))
                && sent[m].len() > 1
            {
                let earlier = received - Days::new(rng.range(1, 6) as u64);
                let file = card.relative.rsplit('/').next().unwrap_or(&card.relative).to_string();
                rows.push((earlier, name, Some(file)));
            }
            truth.received.insert(m.to_string(), received);
            if late {
                // The late warning is at the first file (in name order) of
                // those dated last: the files no row names.
                let card_file = sent[m]
                    .iter()
                    .find(|r| is_municipal_card(r))
                    .filter(|_| sent[m].len() > 1)
                    .map(|r| r.relative.as_str());
                let file = sent[m]
                    .iter()
                    .map(|r| r.relative.as_str())
                    .filter(|f| Some(*f) != card_file)
                    .min()
                    .unwrap_or_default()
                    .to_string();
                truth.late.push(ExpectedLate {
                    what: DeadlineKey::Returns,
                    municipality: m.to_string(),
                    received_on: received,
                    days: (received - deadline).num_days(),
                    file,
                });
            }
        }
        // The implementation reports, each on a row naming its file (drawn
        // after the returns', so that their days stay as they were).
        if let Some(reports) = reports {
            report_rows(reference, code, period, reports, &mut rng, &mut rows, &mut truth);
        }
        rows.sort();
        let mut cells = vec![
            text(0, 0, "Регистър на входящите документи"),
            text(1, 0, &format!("Областна администрация – {oblast_name}")),
        ];
        for (col, header) in ["Входящ №", "Дата", "Подател", "Файл", "Относно"].iter().enumerate()
        {
            cells.push(text(3, col as u16, header));
        }
        for (i, (on, name, file)) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            cells.push(text(row, 0, &format!("94-00-{}", 100 + i)));
            cells.push(BookCell {
                row,
                col: 1,
                value: BookValue::Date(*on),
            });
            cells.push(text(row, 2, &format!("Община {name}")));
            if let Some(file) = file {
                cells.push(text(row, 3, file));
            }
            cells.push(text(row, 4, "Мониторинг на социалните услуги"));
        }
        let book = Book {
            sheets: vec![BookSheet {
                name: "Входящи".into(),
                hidden: false,
                cells,
                merges: Vec::new(),
                column_widths: vec![(0, 12.0), (1, 12.0), (2, 22.0), (3, 48.0), (4, 34.0)],
            }],
            title: Some("Регистър на входящите документи".into()),
            custom_properties: Vec::new(),
        };
        let bytes = book.to_bytes(BookFormat::Xlsx).map_err(|e| e.to_string())?;
        files.push((format!("{base}{REGISTRY_FILE}"), bytes));
    }
    truth
        .late
        .sort_by(|a, b| (&a.municipality, a.what).cmp(&(&b.municipality, b.what)));
    truth
        .missing
        .sort_by(|a, b| (&a.municipality, a.what).cmp(&(&b.municipality, b.what)));
    Ok((files, truth))
}

/// One oblast's implementation reports in its registry: the day each came
/// (after its council's decision, or its fill-in date for a draft), and
/// who is late or missing with the report or the decision.
fn report_rows(
    reference: &Reference,
    oblast: &str,
    period: Period,
    reports: &[SentReport],
    rng: &mut Rng,
    rows: &mut Vec<(NaiveDate, String, Option<String>)>,
    truth: &mut CalendarTruth,
) {
    let report_deadline = report_deadline(period);
    let council_deadline = council_deadline(period);
    let mine: Vec<&SentReport> = reports.iter().filter(|r| r.oblast == oblast).collect();
    for r in &mine {
        let ready = r.decision.unwrap_or(r.filled_on).max(r.filled_on);
        let days = match r.kind {
            ReportSent::OnTime | ReportSent::NoDecision => rng.range(1, (report_deadline - ready).num_days().max(1)),
            ReportSent::Late => (report_deadline - ready).num_days().max(0) + rng.range(3, 20),
            ReportSent::DecisionLate => rng.range(1, 5),
        };
        let received = ready + Days::new(days as u64);
        let name = reference
            .municipality(&r.municipality)
            .map_or_else(|| r.municipality.clone(), |x| x.name_bg.clone());
        let file = r.file.rsplit('/').next().unwrap_or(&r.file).to_string();
        rows.push((received, name, Some(file)));
        truth.report_received.insert(r.municipality.clone(), received);
        for (what, on, deadline) in [
            (DeadlineKey::StrategyReport, Some(received), report_deadline),
            (DeadlineKey::CouncilDecision, r.decision, council_deadline),
        ] {
            match on {
                Some(on) if on > deadline => truth.late.push(ExpectedLate {
                    what,
                    municipality: r.municipality.clone(),
                    received_on: on,
                    days: (on - deadline).num_days(),
                    file: r.file.clone(),
                }),
                Some(_) => {}
                None => truth.missing.push(ExpectedMissing {
                    what,
                    municipality: r.municipality.clone(),
                }),
            }
        }
        if let Some(on) = r.decision {
            truth.council_decision.insert(r.municipality.clone(), on);
        }
    }
    // Every municipality of the oblast that sent no report misses it and its decision.
    for m in reference.municipalities_of(oblast) {
        if !mine.iter().any(|r| r.municipality == m.code) {
            for what in [DeadlineKey::StrategyReport, DeadlineKey::CouncilDecision] {
                truth.missing.push(ExpectedMissing {
                    what,
                    municipality: m.code.clone(),
                });
            }
        }
    }
}
