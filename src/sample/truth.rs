//! The ground truth of a sample: takes the planned returns (with their
//! planted mistakes) and where each record landed, and gives what a correct
//! reader must find — per municipality the figures of REPORT.md (accepted
//! services active in the period, each duplicate once; the population from
//! an accepted municipal card; the DSP figures from an accepted row), and
//! every issue it must report, at its file, sheet and cell.
//!
//! A planted mistake can show elsewhere too: a service card whose
//! municipality or type cannot be read is not counted among the cards
//! received, so the municipal card's count differs (a `card_count`
//! warning there); a municipal card or DSP row whose municipality cannot be
//! read leaves the municipality without one (`missing_submission`). Those
//! issues are listed as consequences of the mistake.

use std::collections::{BTreeMap, BTreeSet};

use super::forms::{Fact, active, date, int, money};
use super::layout::Place;
use super::mistakes::Mistake;
use super::plan::{Record, Return, Sheet, Subject};
use crate::issue::Severity;
use crate::period::Period;
use crate::schema::Schemas;
use crate::schema::fields::{dsp, municipal, service};

/// What the report must add up for one municipality.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpectedFigures {
    /// Accepted services active in the period, each duplicate once.
    pub services: i64,
    pub capacity: i64,
    pub avg_users: f64,
    pub users_served: i64,
    /// Money in leva, exact to the stotinka.
    pub budget_state: f64,
    pub budget_local: f64,
    pub budget_other: f64,
    /// From the municipal card, when one was accepted.
    pub population: Option<i64>,
    /// From the DSP row, when one was accepted.
    pub children_disabled: Option<i64>,
    pub adults_disabled: Option<i64>,
}

/// An issue a correct reader must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantedIssue {
    /// Relative to the sample's folder, with "/"; empty for a missing submission.
    pub file: String,
    pub sheet: String,
    /// A1; empty when the issue has no cell.
    pub cell: String,
    /// Field id; empty for a duplicate (it concerns the whole record).
    pub field: String,
    /// As in `issues.csv`.
    pub code: String,
    pub severity: Severity,
    /// The municipality it concerns (code).
    pub municipality: String,
    /// The mistake it comes from.
    pub mistake: Mistake,
    /// Reported because of a mistake made elsewhere (see the module notes).
    pub consequence: bool,
}

/// The ground truth of a sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    /// Per municipality code of the sample's oblasts (all of them, even with
    /// nothing accepted): what the report must add up.
    pub municipalities: BTreeMap<String, ExpectedFigures>,
    /// Every issue a correct reader reports: the planted mistakes and their consequences.
    pub planted: Vec<PlantedIssue>,
    /// Records in the sample: municipal cards, service cards, DSP rows.
    pub records: usize,
    /// Records with an error, which add to no figure.
    pub records_rejected: usize,
    /// A later period (`SampleOptions::later`): the changes planted in it.
    pub planned: Vec<super::later::Planned>,
    /// A later period: how each service stands against the base period, as
    /// (municipality code, service name, `opened` / `closed` / `continued`),
    /// assuming every card is accepted.
    pub statuses: Vec<(String, String, String)>,
    /// A later period: the outliers a comparison with the base period must report.
    pub outliers: Vec<ExpectedOutlier>,
    /// The calendar: the deadline, who is late and when each municipality's returns came.
    pub calendar: super::registry::CalendarTruth,
}

/// An outlier a comparison of a later period with its base must report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedOutlier {
    pub file: String,
    pub sheet: String,
    pub cell: String,
    pub field: String,
    pub municipality: String,
}

/// Where the jump of a later period landed: the outliers at its capacity and
/// at its largest source of funds (its funds per place fall far below the
/// median of its type).
pub(crate) fn expected_outliers(returns: &[Return], places: &[Vec<Place>], jump: usize) -> Vec<ExpectedOutlier> {
    for (planned, file_places) in returns.iter().zip(places) {
        let records = planned.sheets.iter().flat_map(|sheet| -> Vec<&Record> {
            match sheet {
                Sheet::Card(card) => vec![&card.record],
                Sheet::Table(table) => table.rows.iter().map(|r| &r.record).collect(),
            }
        });
        for (record, place) in records.zip(file_places) {
            if !matches!(&record.subject, Subject::Service { id, .. } if *id == jump) {
                continue;
            }
            let budget = [service::BUDGET_STATE, service::BUDGET_LOCAL, service::BUDGET_OTHER]
                .into_iter()
                .fold((service::BUDGET_STATE, i64::MIN), |best, id| {
                    let v = money(&record.facts, id);
                    if v > best.1 { (id, v) } else { best }
                })
                .0;
            return [service::CAPACITY, budget]
                .into_iter()
                .map(|field| ExpectedOutlier {
                    file: planned.relative.clone(),
                    sheet: place.sheet.clone(),
                    cell: place.cells.get(field).map(|c| c.to_string()).unwrap_or_default(),
                    field: field.to_string(),
                    municipality: record.municipality.clone(),
                })
                .collect();
        }
    }
    Vec::new()
}

/// A record with the file and place it landed in.
struct Landed<'a> {
    file: &'a str,
    place: &'a Place,
    record: &'a Record,
    template: usize,
}

impl Landed<'_> {
    fn has(&self, mistakes: &[Mistake]) -> bool {
        self.record.planted.iter().any(|(_, m)| mistakes.contains(m))
    }

    fn accepted(&self) -> bool {
        !self.record.planted.iter().any(|(_, m)| m.severity() == Severity::Error)
    }

    fn municipality_read(&self) -> bool {
        !self.has(&[Mistake::MisspeltMunicipality])
    }

    fn type_read(&self) -> bool {
        !self.has(&[Mistake::AmbiguousServiceType, Mistake::WrongCard])
    }

    fn start_read(&self) -> bool {
        !self.record.planted.iter().any(|(f, _)| f == service::START_DATE)
    }

    fn issue(&self, field: &str, mistake: Mistake, cell: String, consequence: bool) -> PlantedIssue {
        PlantedIssue {
            file: self.file.to_string(),
            sheet: self.place.sheet.clone(),
            cell,
            field: field.to_string(),
            code: mistake.code().to_string(),
            severity: mistake.severity(),
            municipality: self.record.municipality.clone(),
            mistake,
            consequence,
        }
    }

    fn cell(&self, field: &str) -> String {
        self.place.cells.get(field).map(|c| c.to_string()).unwrap_or_default()
    }
}

/// Works out the truth of a sample whose returns landed at `places` (one list per return).
pub(crate) fn evaluate(
    schemas: &Schemas,
    period: Period,
    oblasts: &[String],
    returns: &[Return],
    places: &[Vec<Place>],
) -> Truth {
    let reference = &schemas.reference;
    let mut landed: Vec<Landed> = Vec::new();
    for (planned, file_places) in returns.iter().zip(places) {
        let records = planned.sheets.iter().flat_map(|sheet| -> Vec<(&Record, usize)> {
            match sheet {
                Sheet::Card(card) => vec![(&card.record, card.template)],
                Sheet::Table(table) => table.rows.iter().map(|r| (&r.record, table.template)).collect(),
            }
        });
        for ((record, template), place) in records.zip(file_places) {
            landed.push(Landed {
                file: &planned.relative,
                place,
                record,
                template,
            });
        }
    }

    let mut truth = Truth::default();
    for oblast in oblasts {
        for m in reference.municipalities_of(oblast) {
            truth.municipalities.insert(m.code.clone(), ExpectedFigures::default());
        }
    }
    let active = |l: &Landed| active(&l.record.facts, period);

    // The mistakes at their own cells, and the figures of what is accepted.
    let mut counted: BTreeSet<usize> = BTreeSet::new();
    let mut cents: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    for l in &landed {
        truth.records += 1;
        if !l.accepted() {
            truth.records_rejected += 1;
        }
        for (field, mistake) in &l.record.planted {
            // A count is checked against every card received, below.
            if *mistake != Mistake::CardCountDiffers {
                truth.planted.push(l.issue(field, *mistake, l.cell(field), false));
            }
        }
        if !l.accepted() {
            continue;
        }
        let Some(figures) = truth.municipalities.get_mut(&l.record.municipality) else {
            continue;
        };
        let facts = &l.record.facts;
        match &l.record.subject {
            Subject::Service { id, .. } => {
                if active(l) && counted.insert(*id) {
                    figures.services += 1;
                    figures.capacity += int(facts, service::CAPACITY).unwrap_or(0);
                    figures.users_served += int(facts, service::USERS_SERVED).unwrap_or(0);
                    if let Some(Fact::Decimal(x)) = facts.get(service::AVG_USERS) {
                        figures.avg_users += x;
                    }
                    let sums = cents.entry(l.record.municipality.clone()).or_default();
                    for (sum, id) in
                        sums.iter_mut()
                            .zip([service::BUDGET_STATE, service::BUDGET_LOCAL, service::BUDGET_OTHER])
                    {
                        *sum += money(facts, id);
                    }
                }
            }
            Subject::MunicipalCard => figures.population = int(facts, municipal::POPULATION),
            Subject::Strategy => {}
            Subject::DspRow => {
                figures.children_disabled = int(facts, dsp::CHILDREN_DISABLED);
                figures.adults_disabled = int(facts, dsp::ADULTS_DISABLED);
            }
        }
    }
    for (code, [state, local, other]) in cents {
        if let Some(figures) = truth.municipalities.get_mut(&code) {
            figures.budget_state = state as f64 / 100.0;
            figures.budget_local = local as f64 / 100.0;
            figures.budget_other = other as f64 / 100.0;
        }
    }

    // The same service sent twice: both places, when both copies are accepted and readable.
    let mut copies: BTreeMap<usize, Vec<&Landed>> = BTreeMap::new();
    for l in &landed {
        if let Subject::Service { id, .. } = &l.record.subject
            && l.accepted()
            && l.municipality_read()
            && l.type_read()
        {
            copies.entry(*id).or_default().push(l);
        }
    }
    for group in copies.values().filter(|g| g.len() > 1) {
        for l in group {
            truth
                .planted
                .push(l.issue("", Mistake::DuplicateCard, l.place.anchor.to_string(), false));
        }
    }

    // The municipal card's counts against the service cards received (each
    // service once; a card counts when its municipality and type can be read
    // and it is active in the period or its opening date cannot be read).
    let category = |l: &Landed| match &l.record.subject {
        Subject::Service { type_code, .. } => reference.service_type(type_code).map(|s| s.category.clone()),
        _ => None,
    };
    for card in landed.iter().filter(|l| l.record.subject == Subject::MunicipalCard) {
        if !card.accepted() || !card.municipality_read() {
            continue;
        }
        let template = &schemas.templates[card.template];
        for field in template.fields.iter().filter(|f| !f.count_of_cards.is_empty()) {
            let Some(declared) = int(&card.record.facts, &field.id) else {
                continue;
            };
            if !card.place.cells.contains_key(&field.id) {
                continue;
            }
            let in_category = |l: &&Landed| {
                l.record.municipality == card.record.municipality
                    && category(l).is_some_and(|c| field.count_of_cards.contains(&c))
            };
            let received: BTreeSet<usize> = landed
                .iter()
                .filter(in_category)
                .filter(|l| l.municipality_read() && l.type_read() && (!l.start_read() || active(l)))
                .filter_map(|l| match &l.record.subject {
                    Subject::Service { id, .. } => Some(*id),
                    _ => None,
                })
                .collect();
            if received.len() as i64 == declared {
                continue;
            }
            let planted_here = card
                .record
                .planted
                .iter()
                .any(|(f, m)| f == &field.id && *m == Mistake::CardCountDiffers);
            let cause = if planted_here {
                Mistake::CardCountDiffers
            } else {
                landed
                    .iter()
                    .filter(in_category)
                    .find_map(|l| {
                        l.record.planted.iter().map(|(_, m)| *m).find(|m| {
                            matches!(
                                m,
                                Mistake::MisspeltMunicipality | Mistake::AmbiguousServiceType | Mistake::WrongCard
                            )
                        })
                    })
                    .unwrap_or(Mistake::CardCountDiffers)
            };
            let mut issue = card.issue(&field.id, cause, card.cell(&field.id), !planted_here);
            issue.code = Mistake::CardCountDiffers.code().to_string();
            issue.severity = Mistake::CardCountDiffers.severity();
            truth.planted.push(issue);
        }
    }

    // With the strategy's input, `socmon run` checks the municipal card's
    // counts of ended and sustained projects against the accepted service
    // cards (each service once): project ended on or before the period's
    // last day; sustained when it runs on after that day.
    let with_strategy: BTreeSet<&str> = returns
        .iter()
        .filter(|r| {
            r.sheets.iter().any(|s| match s {
                Sheet::Table(t) => t.rows.iter().any(|row| row.record.subject == Subject::Strategy),
                Sheet::Card(_) => false,
            })
        })
        .map(|r| r.oblast.as_str())
        .collect();
    let mut projects: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    for l in &landed {
        let Subject::Service { id, .. } = &l.record.subject else {
            continue;
        };
        if !l.accepted() || !l.municipality_read() || !l.type_read() || !seen.insert(*id) {
            continue;
        }
        let facts = &l.record.facts;
        let Some(project_end) = date(facts, service::PROJECT_END).filter(|d| *d <= period.end) else {
            continue;
        };
        let start = date(facts, service::START_DATE);
        let end = date(facts, service::END_DATE);
        let continued = start.is_none_or(|d| d <= period.end)
            && project_end < period.end
            && end.is_none_or(|d| d > project_end && d >= period.start);
        let count = projects.entry(l.record.municipality.as_str()).or_default();
        count.0 += 1;
        count.1 += i64::from(continued);
    }
    for card in landed.iter().filter(|l| l.record.subject == Subject::MunicipalCard) {
        let oblast = reference
            .municipality(&card.record.municipality)
            .map(|m| m.oblast_code.as_str())
            .unwrap_or("");
        if !with_strategy.contains(oblast) || !card.accepted() || !card.municipality_read() {
            continue;
        }
        let (ended, sustained) = projects
            .get(card.record.municipality.as_str())
            .copied()
            .unwrap_or_default();
        for (field, found) in [
            (municipal::PROJECTS_ENDED, ended),
            (municipal::PROJECTS_SUSTAINED, sustained),
        ] {
            if int(&card.record.facts, field).is_some_and(|declared| declared != found)
                && card.place.cells.contains_key(field)
            {
                truth
                    .planted
                    .push(card.issue(field, Mistake::ProjectCountDiffers, card.cell(field), true));
            }
        }
    }

    // Municipalities left without a municipal card or a DSP row that can be read.
    for oblast in oblasts {
        for m in reference.municipalities_of(oblast) {
            for subject in [Subject::MunicipalCard, Subject::DspRow] {
                let sent = landed
                    .iter()
                    .any(|l| l.record.subject == subject && l.record.municipality == m.code && l.municipality_read());
                if !sent {
                    truth.planted.push(PlantedIssue {
                        file: String::new(),
                        sheet: String::new(),
                        cell: String::new(),
                        field: "municipality".to_string(),
                        code: "missing_submission".to_string(),
                        severity: Severity::Warning,
                        municipality: m.code.clone(),
                        mistake: Mistake::MisspeltMunicipality,
                        consequence: true,
                    });
                }
            }
        }
    }
    truth.planted.sort_by(|a, b| {
        (
            a.file.is_empty(),
            &a.file,
            &a.sheet,
            &a.cell,
            &a.field,
            &a.code,
            &a.municipality,
        )
            .cmp(&(
                b.file.is_empty(),
                &b.file,
                &b.sheet,
                &b.cell,
                &b.field,
                &b.code,
                &b.municipality,
            ))
    });
    truth
}
