//! Whom to remind of what: takes the calendar, what each municipality sent
//! and the contacts (this run's municipal cards, else the latest ones in
//! the history) and gives one [`Reminder`] per municipality that is missing
//! something or is late with any of its three deadlines (the returns, the
//! implementation report, the council decision adopting it) — each with its
//! deadline, whom to call, and whether its returns were late in the
//! previous period too.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::contact::{self, Contact};
use super::{Calendar, DeadlineKey, MunicipalityDates, Timeliness};
use crate::aggregate::Submission;
use crate::issue::Lang;
use crate::schema::fields::municipal;
use crate::schema::{Role, Schemas};
use crate::validate::Record;

/// What a municipality has not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Nothing at all: no card of any kind.
    Everything,
    /// Service cards came, but not the municipal card.
    MunicipalCard,
}

impl Missing {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Missing::Everything, Lang::Bg) => "всички отчетни данни (карта на общината и карти на услугите)",
            (Missing::MunicipalCard, Lang::Bg) => "карта на общината",
            (Missing::Everything, Lang::En) => "all returns (municipal card and service cards)",
            (Missing::MunicipalCard, Lang::En) => "municipal card",
        }
    }
}

/// How the implementation report or the council decision stands against
/// its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lapse {
    /// Nothing came (for the decision: none written in a report that came,
    /// or no report at all).
    Missing,
    /// Days late, and the day it came (the decision's: the day the council
    /// adopted the report).
    Late { days: i64, on: NaiveDate },
}

/// The implementation report or the council decision, missing or late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub what: DeadlineKey,
    pub deadline: NaiveDate,
    pub lapse: Lapse,
}

impl Overdue {
    /// Missing or late against its deadline, as the calendar judged it; none
    /// when in time or not judged (no deadline, or no date to trust).
    fn of(
        what: DeadlineKey,
        deadline: Option<NaiveDate>,
        judged: Option<Timeliness>,
        on: Option<NaiveDate>,
    ) -> Option<Overdue> {
        let deadline = deadline?;
        let lapse = match (judged?, on) {
            (Timeliness::Missing, _) => Lapse::Missing,
            (Timeliness::Late { days }, Some(on)) => Lapse::Late { days, on },
            (Timeliness::Late { .. }, None) | (Timeliness::OnTime, _) => return None,
        };
        Some(Overdue { what, deadline, lapse })
    }

    /// The implementation report's and the council decision's of a municipality.
    fn both(calendar: &Calendar, dates: &MunicipalityDates) -> [Option<Overdue>; 2] {
        [
            Overdue::of(
                DeadlineKey::StrategyReport,
                calendar.deadlines.strategy_report,
                dates.report_timeliness,
                dates.report_received.as_ref().map(|r| r.on),
            ),
            Overdue::of(
                DeadlineKey::CouncilDecision,
                calendar.deadlines.council_decision,
                dates.council_timeliness,
                dates.council_decision_on,
            ),
        ]
    }
}

/// The implementation report or the council decision in a reminder's words
/// (`definite`: with the Bulgarian article, as „закъсня с отчета").
pub fn what_label(what: DeadlineKey, lang: Lang, definite: bool) -> &'static str {
    match (what, lang, definite) {
        (DeadlineKey::Returns, Lang::Bg, false) => "отчетни данни",
        (DeadlineKey::Returns, Lang::Bg, true) => "отчетните данни",
        (DeadlineKey::StrategyReport, Lang::Bg, false) => "отчет за изпълнението на общинската стратегия",
        (DeadlineKey::StrategyReport, Lang::Bg, true) => "отчета за изпълнението на общинската стратегия",
        (DeadlineKey::CouncilDecision, Lang::Bg, false) => "решение на общинския съвет за приемане на отчета",
        (DeadlineKey::CouncilDecision, Lang::Bg, true) => "решението на общинския съвет за приемане на отчета",
        (DeadlineKey::Returns, Lang::En, _) => "the returns",
        (DeadlineKey::StrategyReport, Lang::En, _) => "the implementation report of the municipal strategy",
        (DeadlineKey::CouncilDecision, Lang::En, _) => "the council decision adopting the report",
    }
}

/// Where a contact was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactFrom {
    /// This run's municipal card.
    ThisRun,
    /// The municipal card of a stored period (its name).
    Period(String),
    /// No card gave one.
    Nowhere,
}

/// One municipality to remind.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    /// What of its returns is missing.
    pub missing: Option<Missing>,
    /// Days its returns were late and the day they came.
    pub late: Option<(i64, NaiveDate)>,
    /// The returns' deadline.
    pub deadline: Option<NaiveDate>,
    /// Its implementation report, when missing or late.
    pub report: Option<Overdue>,
    /// Its council's decision adopting the report, when missing or late.
    pub council_decision: Option<Overdue>,
    pub contact: Contact,
    pub contact_from: ContactFrom,
    /// Its returns were late (or missing) in the previous stored period too.
    pub late_last_period: bool,
}

/// The contact of each municipality's municipal card in this run (the
/// latest filled in, when it sent several).
pub fn contacts_of_run(schemas: &Schemas, records: &[Record]) -> BTreeMap<String, Contact> {
    let mut found: BTreeMap<String, (Option<NaiveDate>, Contact)> = BTreeMap::new();
    for record in records {
        let template = &schemas.templates[record.template];
        let Some(m) = &record.municipality else { continue };
        if template.role != Role::MunicipalCard {
            continue;
        }
        let text = |id: &str| record.get(template, id).and_then(|v| v.as_str());
        let filled_on = record.get(template, municipal::FILLED_ON).and_then(|v| v.as_date());
        let contact = contact::split(text(municipal::FILLED_BY), text(municipal::CONTACT));
        if contact.is_empty() {
            continue;
        }
        match found.get(m) {
            Some((earlier, _)) if *earlier >= filled_on => {}
            _ => {
                found.insert(m.clone(), (filled_on, contact));
            }
        }
    }
    found.into_iter().map(|(m, (_, c))| (m, c)).collect()
}

/// What the reminders are made from besides the calendar.
pub struct Known<'a> {
    pub submissions: &'a [Submission],
    /// This run's contacts by municipality.
    pub contacts: &'a BTreeMap<String, Contact>,
    /// The latest stored contact by municipality, with its period's name.
    pub stored_contacts: &'a BTreeMap<String, (Contact, String)>,
    /// Municipalities late or missing in the previous stored period.
    pub late_before: &'a BTreeSet<String>,
}

impl Reminder {
    /// The implementation report and the council decision, those missing or late.
    pub fn overdue(&self) -> impl Iterator<Item = &Overdue> {
        self.report.iter().chain(&self.council_decision)
    }
}

/// One reminder per municipality missing something or late with any of its
/// deadlines, in code order.
pub fn reminders(calendar: &Calendar, known: &Known) -> Vec<Reminder> {
    let mut out = Vec::new();
    for dates in &calendar.municipalities {
        let code = &dates.municipality_code;
        let sent = known.submissions.iter().find(|s| &s.municipality_code == code);
        let nothing = dates.files == 0 && sent.is_none_or(|s| !s.municipal_card && s.adult_cards + s.child_cards == 0);
        let missing = if nothing {
            Some(Missing::Everything)
        } else if sent.is_some_and(|s| !s.municipal_card) {
            Some(Missing::MunicipalCard)
        } else {
            None
        };
        let late = match (dates.timeliness, &dates.received) {
            (Some(Timeliness::Late { days }), Some(r)) => Some((days, r.on)),
            _ => None,
        };
        let [report, council_decision] = Overdue::both(calendar, dates);
        if missing.is_none() && late.is_none() && report.is_none() && council_decision.is_none() {
            continue;
        }
        let (contact, contact_from) = match known.contacts.get(code) {
            Some(c) => (c.clone(), ContactFrom::ThisRun),
            None => match known.stored_contacts.get(code) {
                Some((c, period)) => (c.clone(), ContactFrom::Period(period.clone())),
                None => (Contact::default(), ContactFrom::Nowhere),
            },
        };
        out.push(Reminder {
            oblast_code: dates.oblast_code.clone(),
            municipality_code: code.clone(),
            municipality: dates.municipality.clone(),
            missing,
            late,
            deadline: calendar.deadlines.returns,
            report,
            council_decision,
            contact,
            contact_from,
            late_last_period: known.late_before.contains(code),
        });
    }
    out
}

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The short message to send a municipality, ready to paste: one sentence
/// naming everything missing, each with its deadline, one naming everything
/// late, each with the day it came and its days past the deadline.
pub fn message(reminder: &Reminder, period: &str, lang: Lang) -> String {
    let bg = lang == Lang::Bg;
    let name = &reminder.municipality;
    let mut text = String::new();
    let greeting = match (&reminder.contact.name, bg) {
        (name, true) if !name.is_empty() => format!("Уважаеми/а {name},\n"),
        (_, true) => "Уважаеми колеги,\n".to_string(),
        (name, false) if !name.is_empty() => format!("Dear {name},\n"),
        (_, false) => "Dear colleagues,\n".to_string(),
    };
    text.push_str(&greeting);
    let by = |d: NaiveDate| {
        if bg {
            format!(" (срок {})", day(d))
        } else {
            format!(" (deadline {})", day(d))
        }
    };
    let after = |days: i64, deadline: NaiveDate| {
        if bg {
            format!("{days} дни след срока {}", day(deadline))
        } else {
            format!("{days} days after the deadline {}", day(deadline))
        }
    };

    let mut missing = Vec::new();
    if let Some(m) = reminder.missing {
        missing.push(format!(
            "{}{}",
            m.label(lang),
            reminder.deadline.map(by).unwrap_or_default()
        ));
    }
    let mut late = Vec::new();
    if let (Some((days, on)), Some(deadline)) = (reminder.late, reminder.deadline) {
        late.push(if bg {
            format!(
                "{} (получени на {}, {})",
                what_label(DeadlineKey::Returns, lang, true),
                day(on),
                after(days, deadline)
            )
        } else {
            format!(
                "{} (received on {}, {})",
                what_label(DeadlineKey::Returns, lang, true),
                day(on),
                after(days, deadline)
            )
        });
    }
    for o in reminder.overdue() {
        match o.lapse {
            Lapse::Missing => missing.push(format!("{}{}", what_label(o.what, lang, false), by(o.deadline))),
            Lapse::Late { days, on } => {
                let came = match (o.what, bg) {
                    (DeadlineKey::CouncilDecision, true) => "прието на",
                    (_, true) => "получен на",
                    (DeadlineKey::CouncilDecision, false) => "adopted on",
                    (_, false) => "received on",
                };
                late.push(format!(
                    "{} ({came} {}, {})",
                    what_label(o.what, lang, true),
                    day(on),
                    after(days, o.deadline)
                ));
            }
        }
    }
    if !missing.is_empty() {
        text.push_str(&if bg {
            format!(
                "за мониторинга за периода {period} все още не сме получили от община {name}: {}. Моля, изпратете липсващото възможно най-скоро.\n",
                missing.join("; ")
            )
        } else {
            format!(
                "for the monitoring of {period} we have not received from {name} municipality: {}. Please send what is missing as soon as possible.\n",
                missing.join("; ")
            )
        });
    }
    if !late.is_empty() {
        let opening = match (missing.is_empty(), bg) {
            (true, true) => format!("за мониторинга за периода {period} община {name} закъсня с: "),
            (false, true) => format!("Община {name} закъсня и с: "),
            (true, false) => format!("for the monitoring of {period}, {name} municipality was late with: "),
            (false, false) => format!("{name} municipality was also late with: "),
        };
        text.push_str(&opening);
        text.push_str(&late.join("; "));
        text.push_str(if bg {
            ". Моля, за следващия период спазвайте сроковете.\n"
        } else {
            ". Please keep to the deadlines next period.\n"
        });
    }
    if reminder.late_last_period {
        text.push_str(if bg {
            "Данните закъсняха и през предходния период; моля, спазвайте сроковете.\n"
        } else {
            "The returns were late in the previous period too; please keep to the deadlines.\n"
        });
    }
    text
}
