//! Whom to remind of what: takes the calendar, what each municipality sent
//! and the contacts (this run's municipal cards, else the latest ones in
//! the history) and gives one [`Reminder`] per municipality that is missing
//! something or is late — with the deadline, whom to call, and whether it
//! was late in the previous period too.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::contact::{self, Contact};
use super::{Calendar, Timeliness};
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
    pub missing: Option<Missing>,
    /// Days late and the day the returns came.
    pub late: Option<(i64, NaiveDate)>,
    pub deadline: Option<NaiveDate>,
    pub contact: Contact,
    pub contact_from: ContactFrom,
    /// Late (or missing) in the previous stored period too.
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

/// One reminder per municipality missing something or late, in code order.
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
        if missing.is_none() && late.is_none() {
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

/// The short message to send a municipality, ready to paste.
pub fn message(reminder: &Reminder, period: &str, lang: Lang) -> String {
    let bg = lang == Lang::Bg;
    let mut text = String::new();
    let greeting = match (&reminder.contact.name, bg) {
        (name, true) if !name.is_empty() => format!("Уважаеми/а {name},\n"),
        (_, true) => "Уважаеми колеги,\n".to_string(),
        (name, false) if !name.is_empty() => format!("Dear {name},\n"),
        (_, false) => "Dear colleagues,\n".to_string(),
    };
    text.push_str(&greeting);
    let deadline = reminder.deadline.map(day);
    if let Some(missing) = reminder.missing {
        text.push_str(&match (bg, &deadline) {
            (true, Some(d)) => format!(
                "за мониторинга за периода {period} от община {} не са получени: {}. Срокът беше {d}. Моля, изпратете ги възможно най-скоро.\n",
                reminder.municipality,
                missing.label(lang)
            ),
            (true, None) => format!(
                "за мониторинга за периода {period} от община {} не са получени: {}. Моля, изпратете ги възможно най-скоро.\n",
                reminder.municipality,
                missing.label(lang)
            ),
            (false, Some(d)) => format!(
                "for the monitoring of {period} we have not received from {} municipality: {}. The deadline was {d}. Please send them as soon as possible.\n",
                reminder.municipality,
                missing.label(lang)
            ),
            (false, None) => format!(
                "for the monitoring of {period} we have not received from {} municipality: {}. Please send them as soon as possible.\n",
                reminder.municipality,
                missing.label(lang)
            ),
        });
    }
    if let (Some((days, on)), Some(d)) = (reminder.late, &deadline) {
        text.push_str(&if bg {
            format!(
                "Отчетните данни на община {} за периода {period} са получени на {}, {days} дни след срока {d}. Моля, за следващия период спазвайте срока.\n",
                reminder.municipality,
                day(on)
            )
        } else {
            format!(
                "The returns of {} municipality for {period} came on {}, {days} days after the deadline {d}. Please keep to the deadline next period.\n",
                reminder.municipality,
                day(on)
            )
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
