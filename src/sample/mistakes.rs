//! Honest mistakes: takes the planned returns and the share of them that
//! should carry one, and plants one mistake in each chosen file — an empty
//! required value, a two-digit year, a fraction of a place, a misspelt
//! municipality, more users than places, an expired licence, a card sent
//! twice, … — the kinds a real return has. Each is recorded on its record
//! (field and kind) so that [`super::truth`] can say what a correct reader
//! reports and what no figure may include.
//!
//! Kinds are spread: each chosen file gets the kind used least so far among
//! those that fit it, so even a dozen mistakes show a dozen different kinds.

use std::collections::{BTreeMap, BTreeSet};

use super::forms::{self, Fact, Written, comma_decimal, grouped, plus};
use super::names;
use super::plan::{CardSheet, Planner, Return, Sheet, Subject, extension};
use crate::book::BookFormat;
use crate::issue::{Lang, Severity};
use crate::normalize::key;
use crate::reference::Card;
use crate::schema::fields::{adults, children, dsp, municipal, service};

/// A kind of honest mistake planted in a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mistake {
    /// A required value left empty.
    EmptyRequired,
    /// A date with a two-digit year ("01.03.16").
    TwoDigitYear,
    /// A fraction in a whole-number field ("12,5" places).
    FractionInInteger,
    /// A negative count.
    NegativeNumber,
    /// "ЦНСТ" or "ДЦ" as the service type, which fits several types.
    AmbiguousServiceType,
    /// The municipality's name misspelt.
    MisspeltMunicipality,
    /// More average users than places (a warning).
    AverageAboveCapacity,
    /// More than twice as many average users as places (an error).
    AverageAboveTwiceCapacity,
    /// More users with disabilities than users served.
    DisabledAboveServed,
    /// A licence that ended before the period.
    LicenceExpired,
    /// A licence that ends inside the period (a warning).
    LicenceEndsInPeriod,
    /// A service type for adults only on a card for children.
    WrongCard,
    /// A malformed e-mail address in the contact.
    MalformedEmail,
    /// The same service card sent twice, in two files.
    DuplicateCard,
    /// The municipal card's count of services differs from the cards sent.
    CardCountDiffers,
    // The strategy's returns (planted by `super::strategy`, not among `ALL`,
    // so that the other returns' mistakes are drawn as before).
    /// A planned action that is not one of the list ("преструктуриране").
    UnknownPlanAction,
    /// A planned action's deadline after the strategy's last year.
    PlanYearOutside,
    /// An indicator's figure key that is not one of the vocabulary.
    UnknownFigureKey,
    /// A report's indicator code that the oblast's indicators lack.
    UnknownIndicatorCode,
    /// A report's activity status that is not one of the list.
    UnknownActivityStatus,
    /// A postponed or not-done activity without its difficulties (a warning).
    DifficultiesMissing,
    /// The municipal card's count of ended or sustained projects differs
    /// from the service cards (a warning of `socmon run` once the strategy's
    /// input is there: the sample draws the sustained count freely).
    ProjectCountDiffers,
    // Visit protocols (`super::visits`): planted in the first protocols of
    // an oblast, never drawn with the returns' mistakes (not in `ALL`).
    /// An institution of the team that the reference does not know.
    VisitUnknownInstitution,
    /// The same area twice on one protocol.
    VisitAreaTwice,
    /// A recommendation's deadline before the visit.
    VisitDeadlineBeforeVisit,
    /// Non-compliance without a finding.
    VisitFindingMissing,
    /// „изпълнена“ without the date it was done.
    VisitDoneWithoutDate,
}

impl Mistake {
    pub const ALL: [Mistake; 15] = [
        Mistake::EmptyRequired,
        Mistake::TwoDigitYear,
        Mistake::FractionInInteger,
        Mistake::NegativeNumber,
        Mistake::AmbiguousServiceType,
        Mistake::MisspeltMunicipality,
        Mistake::AverageAboveCapacity,
        Mistake::AverageAboveTwiceCapacity,
        Mistake::DisabledAboveServed,
        Mistake::LicenceExpired,
        Mistake::LicenceEndsInPeriod,
        Mistake::WrongCard,
        Mistake::MalformedEmail,
        Mistake::DuplicateCard,
        Mistake::CardCountDiffers,
    ];

    /// The code of the issue a correct reader reports for it (as in `issues.csv`).
    pub fn code(self) -> &'static str {
        match self {
            Mistake::EmptyRequired => "required",
            Mistake::TwoDigitYear | Mistake::FractionInInteger => "type",
            Mistake::NegativeNumber => "range",
            Mistake::AmbiguousServiceType => "enum",
            Mistake::MisspeltMunicipality => "unknown_municipality",
            Mistake::AverageAboveCapacity | Mistake::AverageAboveTwiceCapacity | Mistake::DisabledAboveServed => {
                "cross_field"
            }
            Mistake::LicenceExpired | Mistake::LicenceEndsInPeriod => "license",
            Mistake::WrongCard => "wrong_card",
            Mistake::MalformedEmail => "format",
            Mistake::DuplicateCard => "duplicate",
            Mistake::CardCountDiffers => "card_count",
            Mistake::UnknownPlanAction | Mistake::UnknownFigureKey | Mistake::UnknownActivityStatus => "enum",
            Mistake::PlanYearOutside => "range",
            Mistake::UnknownIndicatorCode => "unknown_indicator",
            Mistake::DifficultiesMissing => "required",
            Mistake::ProjectCountDiffers => "card_count",
            Mistake::VisitUnknownInstitution => "enum",
            Mistake::VisitAreaTwice => "duplicate",
            Mistake::VisitDeadlineBeforeVisit => "cross_field",
            Mistake::VisitFindingMissing | Mistake::VisitDoneWithoutDate => "required",
        }
    }

    /// An error rejects the record; a warning keeps it in the figures.
    pub fn severity(self) -> Severity {
        match self {
            Mistake::AverageAboveCapacity
            | Mistake::LicenceEndsInPeriod
            | Mistake::DuplicateCard
            | Mistake::CardCountDiffers
            | Mistake::DifficultiesMissing
            | Mistake::ProjectCountDiffers => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What the mistake is, in a few words.
    pub fn describe(self, lang: Lang) -> &'static str {
        let (bg, en) = match self {
            Mistake::EmptyRequired => ("празно задължително поле", "a required value left empty"),
            Mistake::TwoDigitYear => ("дата с двуцифрена година", "a date with a two-digit year"),
            Mistake::FractionInInteger => (
                "дробно число в поле за цяло число",
                "a fraction in a whole-number field",
            ),
            Mistake::NegativeNumber => ("отрицателно число", "a negative number"),
            Mistake::AmbiguousServiceType => (
                "двусмислено съкращение на вида услуга",
                "an ambiguous abbreviation as service type",
            ),
            Mistake::MisspeltMunicipality => ("сгрешено име на община", "a misspelt municipality"),
            Mistake::AverageAboveCapacity => ("среден брой потребители над капацитета", "average users above capacity"),
            Mistake::AverageAboveTwiceCapacity => (
                "среден брой потребители над двойния капацитет",
                "average users above twice the capacity",
            ),
            Mistake::DisabledAboveServed => (
                "лица с увреждания повече от обслужените",
                "more users with disabilities than served",
            ),
            Mistake::LicenceExpired => ("изтекъл лиценз", "an expired licence"),
            Mistake::LicenceEndsInPeriod => ("лиценз, изтичащ през периода", "a licence ending inside the period"),
            Mistake::WrongCard => (
                "услуга за възрастни в карта за деца",
                "an adults' service on a children's card",
            ),
            Mistake::MalformedEmail => ("неправилен e-mail", "a malformed e-mail address"),
            Mistake::DuplicateCard => ("една и съща карта, подадена два пъти", "the same card sent twice"),
            Mistake::VisitUnknownInstitution => (
                "протокол: непозната институция в екипа",
                "protocol: an unknown institution in the team",
            ),
            Mistake::VisitAreaTwice => (
                "протокол: една област на проверка два пъти",
                "protocol: the same area twice",
            ),
            Mistake::VisitDeadlineBeforeVisit => (
                "протокол: срок преди датата на проверката",
                "protocol: a deadline before the visit",
            ),
            Mistake::VisitFindingMissing => (
                "протокол: несъответствия без констатация",
                "protocol: non-compliance without a finding",
            ),
            Mistake::VisitDoneWithoutDate => (
                "протокол: „изпълнена“ без дата на изпълнение",
                "protocol: done without the date",
            ),
            Mistake::CardCountDiffers => (
                "броят услуги в картата на общината не съвпада с получените карти",
                "the municipal card's count differs from the cards sent",
            ),
            Mistake::UnknownPlanAction => (
                "действие в плана, което не е от списъка",
                "a planned action not in the list",
            ),
            Mistake::PlanYearOutside => (
                "срок извън годините на стратегията",
                "a deadline outside the strategy's years",
            ),
            Mistake::UnknownFigureKey => (
                "индикатор с непознат ключ за изчисляване",
                "an indicator with an unknown figure key",
            ),
            Mistake::UnknownIndicatorCode => (
                "код на индикатор, който областта няма",
                "an indicator code the oblast lacks",
            ),
            Mistake::UnknownActivityStatus => (
                "състояние на дейност, което не е от списъка",
                "an activity status not in the list",
            ),
            Mistake::DifficultiesMissing => (
                "отложена или неизпълнена дейност без причини",
                "a postponed or not-done activity without its reasons",
            ),
            Mistake::ProjectCountDiffers => (
                "броят проекти в картата на общината не съвпада с картите на услугите",
                "the municipal card's count of projects differs from the service cards",
            ),
        };
        match lang {
            Lang::Bg => bg,
            Lang::En => en,
        }
    }
}

/// A record of a return: its file, sheet, and row for a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    file: usize,
    sheet: usize,
    row: Option<usize>,
}

/// A mistake that fits a record, at a field.
#[derive(Debug, Clone)]
struct Fit {
    target: Target,
    mistake: Mistake,
    field: String,
}

/// Plants mistakes in `share` of `returns` (the duplicate of a card is added as a new file).
/// Files holding a card of a service in `protected` (the planned changes of
/// a later period) get no mistake, so that their change shows as planned.
pub(crate) fn plant(planner: &mut Planner, returns: &mut Vec<Return>, share: f64, protected: &[usize]) {
    let wanted = ((returns.len() as f64 * share).round() as usize).min(returns.len());
    let mut order: Vec<usize> = (0..returns.len()).collect();
    planner.dice.rng.shuffle(&mut order);
    let mut preference = Mistake::ALL.to_vec();
    planner.dice.rng.shuffle(&mut preference);
    let mut used: BTreeMap<Mistake, usize> = BTreeMap::new();
    let mut copies: Vec<Return> = Vec::new();
    let mut planted = 0;
    for file in order {
        if planted == wanted {
            break;
        }
        let holds_protected = returns[file].sheets.iter().any(|sheet| {
            matches!(sheet, Sheet::Card(card) if matches!(card.record.subject, Subject::Service { id, .. } if protected.contains(&id)))
        });
        if holds_protected {
            continue;
        }
        let fits = fits_for(planner, returns, file);
        let Some(kind) = fits.iter().map(|o| o.mistake).min_by_key(|k| {
            (
                used.get(k).copied().unwrap_or(0),
                preference.iter().position(|p| p == k),
            )
        }) else {
            continue;
        };
        let fitting: Vec<&Fit> = fits.iter().filter(|o| o.mistake == kind).collect();
        let choice = fitting[planner.dice.rng.below(fitting.len())].clone();
        if apply(planner, returns, &choice, &mut copies) {
            *used.entry(kind).or_default() += 1;
            planted += 1;
        }
    }
    let mut names: BTreeSet<String> = returns.iter().map(|r| r.relative.to_lowercase()).collect();
    for mut copy in copies {
        let stem = copy.relative.clone();
        let ext = extension(copy.format);
        let mut candidate = format!("{stem}.{ext}");
        let mut n = 3;
        while !names.insert(candidate.to_lowercase()) {
            candidate = format!("{stem} ({n}).{ext}");
            n += 1;
        }
        copy.relative = candidate;
        returns.push(copy);
    }
}

/// Every mistake that fits a record of the file, with its field.
fn fits_for(planner: &Planner, returns: &[Return], file: usize) -> Vec<Fit> {
    let schemas = planner.schemas;
    let reference = &schemas.reference;
    let period = planner.period;
    let mut out = Vec::new();
    for (sheet_index, sheet) in returns[file].sheets.iter().enumerate() {
        let mut add = |row: Option<usize>, mistake: Mistake, field: &str| {
            out.push(Fit {
                target: Target {
                    file,
                    sheet: sheet_index,
                    row,
                },
                mistake,
                field: field.to_string(),
            })
        };
        match sheet {
            Sheet::Card(card) => {
                let template = &schemas.templates[card.template];
                let has = |id: &str| card.lines.iter().any(|l| l.field == id);
                let required = |id: &str| has(id) && template.fields.iter().any(|f| f.id == id && f.required);
                let facts = &card.record.facts;
                let has_date = |id: &str| has(id) && matches!(facts.get(id), Some(Fact::Date(_)));
                let has_int = |id: &str| has(id) && forms::int(facts, id).is_some();
                if has(service::MUNICIPALITY) && facts.contains_key(service::MUNICIPALITY) {
                    add(None, Mistake::MisspeltMunicipality, service::MUNICIPALITY);
                }
                if has(service::CONTACT) {
                    add(None, Mistake::MalformedEmail, service::CONTACT);
                }
                match &card.record.subject {
                    Subject::Service {
                        type_code, card: which, ..
                    } => {
                        let active = forms::active(facts, period);
                        for id in [
                            service::SETTLEMENT,
                            service::PROVIDER_NAME,
                            service::CAPACITY,
                            service::USERS_SERVED,
                        ] {
                            if required(id) {
                                add(None, Mistake::EmptyRequired, id);
                            }
                        }
                        // An unreadable opening date makes a card count as received whatever its
                        // dates, so such a mistake goes only on a service active in the period.
                        for id in [service::START_DATE, service::FILLED_ON, service::PROJECT_END] {
                            if has_date(id) && (id != service::START_DATE || active) {
                                add(None, Mistake::TwoDigitYear, id);
                            }
                        }
                        for id in [service::CAPACITY, service::USERS_SERVED] {
                            if has_int(id) {
                                add(None, Mistake::FractionInInteger, id);
                            }
                        }
                        let capacity = forms::int(facts, service::CAPACITY).unwrap_or(0);
                        if has_int(service::CAPACITY) {
                            add(None, Mistake::NegativeNumber, service::CAPACITY);
                        }
                        let card_of = |code: &str| reference.service_type(code).map(|s| s.card);
                        if let Some(abbr) = planner.writer.forms.shared_abbreviation(reference, type_code) {
                            let fitting = reference
                                .service_types
                                .iter()
                                .filter(|s| s.abbr_bg == abbr && (s.card == *which || s.card == Card::Both))
                                .count();
                            if fitting >= 2 && has(service::SERVICE_TYPE) {
                                add(None, Mistake::AmbiguousServiceType, service::SERVICE_TYPE);
                            }
                        }
                        if has(service::AVG_USERS) && has_int(service::CAPACITY) && has_int(service::USERS_SERVED) {
                            if capacity >= 4 && active {
                                add(None, Mistake::AverageAboveCapacity, service::AVG_USERS);
                            }
                            if capacity >= 2 {
                                add(None, Mistake::AverageAboveTwiceCapacity, service::AVG_USERS);
                            }
                        }
                        if has_int(service::USERS_DISABLED) && has_int(service::USERS_SERVED) {
                            add(None, Mistake::DisabledAboveServed, service::USERS_DISABLED);
                        }
                        if has_date(children::LICENSE_VALID_UNTIL) {
                            add(None, Mistake::LicenceExpired, children::LICENSE_VALID_UNTIL);
                            if period.days() > 2 {
                                add(None, Mistake::LicenceEndsInPeriod, children::LICENSE_VALID_UNTIL);
                            }
                        }
                        let provider = matches!(facts.get(service::PROVIDER_TYPE), Some(Fact::Provider(p)) if p == "MUNICIPALITY" || p == "STATE");
                        if *which == Card::Adults && card_of(type_code) == Some(Card::Adults) && provider {
                            add(None, Mistake::WrongCard, service::SERVICE_TYPE);
                        }
                        if active {
                            add(None, Mistake::DuplicateCard, "");
                        }
                    }
                    Subject::MunicipalCard => {
                        for id in [
                            municipal::POPULATION,
                            municipal::ANNUAL_PLAN,
                            municipal::BUDGET_STATE,
                            municipal::BUDGET_LOCAL,
                        ] {
                            if required(id) {
                                add(None, Mistake::EmptyRequired, id);
                            }
                        }
                        for id in [municipal::FILLED_ON, municipal::PERIOD_START] {
                            if has_date(id) {
                                add(None, Mistake::TwoDigitYear, id);
                            }
                        }
                        for id in [municipal::POPULATION, municipal::ADMIN_STAFF] {
                            if has_int(id) {
                                add(None, Mistake::FractionInInteger, id);
                            }
                        }
                        for id in [municipal::ADMIN_STAFF, municipal::NGO_CONTRACTS] {
                            if has_int(id) {
                                add(None, Mistake::NegativeNumber, id);
                            }
                        }
                        for field in template.fields.iter().filter(|f| !f.count_of_cards.is_empty()) {
                            if has_int(&field.id) {
                                add(None, Mistake::CardCountDiffers, &field.id);
                            }
                        }
                    }
                    Subject::DspRow | Subject::Strategy => {}
                }
            }
            Sheet::Table(table) => {
                let has = |id: &str| table.columns.iter().any(|c| c.field == id);
                for (i, row) in table.rows.iter().enumerate() {
                    let has_int = |id: &str| has(id) && forms::int(&row.record.facts, id).is_some();
                    if has(dsp::MUNICIPALITY) {
                        add(Some(i), Mistake::MisspeltMunicipality, dsp::MUNICIPALITY);
                    }
                    for id in [dsp::CHILDREN_DISABLED, dsp::ADULTS_DISABLED] {
                        if has_int(id) {
                            add(Some(i), Mistake::EmptyRequired, id);
                        }
                    }
                    for id in [dsp::CHILDREN_TOTAL, dsp::CHILDREN_AT_RISK] {
                        if has_int(id) {
                            add(Some(i), Mistake::FractionInInteger, id);
                        }
                    }
                    for id in [dsp::CHILDREN_AT_RISK, dsp::CHILDREN_FOSTER] {
                        if has_int(id) {
                            add(Some(i), Mistake::NegativeNumber, id);
                        }
                    }
                }
            }
        }
    }
    out
}

/// A misspelling of the municipality's name that names no municipality.
fn misspelt_municipality(planner: &mut Planner, code: &str) -> Option<String> {
    let reference = &planner.schemas.reference;
    let name = reference.municipality(code)?.name_bg.clone();
    let mut known: BTreeSet<String> = BTreeSet::new();
    for m in &reference.municipalities {
        known.insert(key(&m.name_bg));
        known.insert(key(&m.name_en));
        known.insert(key(&m.code));
        for alias in m.aliases_bg.split(';') {
            known.insert(key(alias));
        }
    }
    let found = names::misspellings(&name, &mut planner.dice.rng)
        .into_iter()
        .find(|m| !known.contains(&key(m)))?;
    Some(if planner.dice.rng.chance(0.3) {
        format!("общ. {found}")
    } else {
        found
    })
}

/// The contact with its e-mail address broken the way people break them.
fn malformed_contact(rng: &mut super::rng::Rng, contact: &str) -> String {
    match contact.split_once(", ") {
        Some((phone, email)) if email.contains('@') => {
            let broken = match rng.below(3) {
                0 => email.trim_end_matches(".bg").to_string(),
                1 => email.replacen('@', "@@", 1),
                _ => email.replacen('@', "@.", 1),
            };
            // An address that does not end in ".bg" cannot lose it.
            let broken = if broken == email {
                email.replacen('@', "@@", 1)
            } else {
                broken
            };
            format!("{phone}, {broken}")
        }
        _ => format!("{contact}, socialni.uslugi@abv"),
    }
}

/// Writes a changed fact back into its cell, in a form the planner draws.
fn rewrite(planner: &mut Planner, card: &mut CardSheet, field: &str, fact: Fact) {
    let schemas = planner.schemas;
    let which = match &card.record.subject {
        Subject::Service { card, .. } => Some(*card),
        _ => None,
    };
    if let Some(schema_field) = schemas.templates[card.template].fields.iter().find(|f| f.id == field) {
        let written = planner.writer.write(&mut planner.dice, schema_field, &fact, which);
        card.set(field, written);
    }
    card.record.facts.insert(field.to_string(), fact);
}

/// Plants one mistake; false when it turned out not to fit after all.
fn apply(planner: &mut Planner, returns: &mut [Return], choice: &Fit, copies: &mut Vec<Return>) -> bool {
    let Target { file, sheet, row } = choice.target;
    let field = choice.field.as_str();
    let period = planner.period;
    let stem = returns[file]
        .relative
        .rsplit_once('.')
        .map_or(returns[file].relative.as_str(), |(stem, _)| stem)
        .to_string();
    let oblast = returns[file].oblast.clone();
    match (&mut returns[file].sheets[sheet], row) {
        (Sheet::Table(table), Some(r)) => {
            let Some(row) = table.rows.get_mut(r) else { return false };
            let value = forms::int(&row.record.facts, field).unwrap_or(0);
            let written = match choice.mistake {
                Mistake::EmptyRequired => Written::Empty,
                Mistake::FractionInInteger => Written::Text(format!("{},5", grouped(value, " "))),
                Mistake::NegativeNumber => Written::Number(-(value.max(1) as f64)),
                Mistake::MisspeltMunicipality => {
                    let Some(text) = misspelt_municipality(planner, &row.record.municipality) else {
                        return false;
                    };
                    Written::Text(text)
                }
                _ => return false,
            };
            row.values.insert(field.to_string(), written);
            row.record.planted.push((field.to_string(), choice.mistake));
            true
        }
        (Sheet::Card(card), None) => {
            let facts = card.record.facts.clone();
            let int = forms::int(&facts, field).unwrap_or(0);
            let date = forms::date(&facts, field);
            match choice.mistake {
                Mistake::EmptyRequired => {
                    let blank = if planner.dice.rng.chance(0.7) {
                        Written::Empty
                    } else {
                        Written::Text("-".into())
                    };
                    card.set(field, blank);
                }
                Mistake::TwoDigitYear => {
                    let Some(d) = date else { return false };
                    card.set(field, Written::Text(d.format("%d.%m.%y").to_string()));
                }
                Mistake::FractionInInteger => {
                    let written = if planner.dice.rng.chance(0.5) {
                        Written::Text(format!("{},5", grouped(int, " ")))
                    } else {
                        Written::Number(int as f64 + 0.5)
                    };
                    card.set(field, written);
                }
                Mistake::NegativeNumber => {
                    let n = int.max(1);
                    let written = if planner.dice.rng.chance(0.5) {
                        Written::Number(-(n as f64))
                    } else {
                        Written::Text(format!("-{n}"))
                    };
                    card.set(field, written);
                }
                Mistake::AmbiguousServiceType => {
                    let Subject::Service { type_code, .. } = &card.record.subject else {
                        return false;
                    };
                    let Some(abbr) = planner
                        .writer
                        .forms
                        .shared_abbreviation(&planner.schemas.reference, type_code)
                    else {
                        return false;
                    };
                    card.set(field, Written::Text(abbr.to_string()));
                }
                Mistake::MisspeltMunicipality => {
                    let Some(text) = misspelt_municipality(planner, &card.record.municipality) else {
                        return false;
                    };
                    card.set(field, Written::Text(text));
                }
                Mistake::AverageAboveCapacity | Mistake::AverageAboveTwiceCapacity => {
                    let capacity = forms::int(&facts, service::CAPACITY).unwrap_or(0);
                    let (low, high) = if choice.mistake == Mistake::AverageAboveCapacity {
                        (1.1, 1.6)
                    } else {
                        (2.2, 3.0)
                    };
                    let tenths = ((capacity * 10) as f64 * planner.dice.rng.between(low, high)).round() as i64;
                    let tenths = tenths.max(capacity * 10 + 1);
                    let average = tenths as f64 / 10.0;
                    let served = forms::int(&facts, service::USERS_SERVED).unwrap_or(0);
                    let needed = (tenths + 9) / 10 + planner.dice.rng.range(0, 3);
                    if served < needed {
                        rewrite(planner, card, service::USERS_SERVED, Fact::Int(needed));
                    }
                    let written = if planner.dice.rng.chance(0.5) {
                        Written::Number(average)
                    } else {
                        Written::Text(comma_decimal(average))
                    };
                    card.set(field, written);
                    card.record.facts.insert(field.to_string(), Fact::Decimal(average));
                }
                Mistake::DisabledAboveServed => {
                    let served = forms::int(&facts, service::USERS_SERVED).unwrap_or(0);
                    let more = served + planner.dice.rng.range(1, 5);
                    rewrite(planner, card, field, Fact::Int(more));
                }
                Mistake::LicenceExpired => {
                    let until = plus(period.start, -planner.dice.rng.range(10, 400));
                    rewrite(planner, card, field, Fact::Date(until));
                }
                Mistake::LicenceEndsInPeriod => {
                    let until = plus(period.start, planner.dice.rng.range(0, period.days() - 2));
                    rewrite(planner, card, field, Fact::Date(until));
                }
                Mistake::WrongCard => {
                    let Subject::Service { type_code, .. } = &card.record.subject else {
                        return false;
                    };
                    let Some(name) = planner
                        .schemas
                        .reference
                        .service_type(type_code)
                        .map(|s| s.name_bg.clone())
                    else {
                        return false;
                    };
                    let mut record = card.record.clone();
                    record.facts.remove(adults::USERS_ELDERLY);
                    let children = planner.templates.children;
                    *card = planner.card(children, card.name.clone(), record, Some(Card::Children));
                    card.set(service::SERVICE_TYPE, Written::Text(name));
                }
                Mistake::MalformedEmail => {
                    let Some(Fact::Text(contact)) = facts.get(service::CONTACT) else {
                        return false;
                    };
                    let broken = malformed_contact(&mut planner.dice.rng, contact);
                    card.set(field, Written::Text(broken.clone()));
                    card.record.facts.insert(field.to_string(), Fact::Text(broken));
                }
                Mistake::CardCountDiffers => {
                    rewrite(planner, card, field, Fact::Int(int + 1));
                }
                // Planted in the strategy's tables only (`super::strategy`).
                Mistake::UnknownPlanAction
                | Mistake::PlanYearOutside
                | Mistake::UnknownFigureKey
                | Mistake::UnknownIndicatorCode
                | Mistake::UnknownActivityStatus
                | Mistake::DifficultiesMissing
                | Mistake::ProjectCountDiffers => return false,
                // Planted by `super::visits` in protocols, never drawn for a card.
                Mistake::VisitUnknownInstitution
                | Mistake::VisitAreaTwice
                | Mistake::VisitDeadlineBeforeVisit
                | Mistake::VisitFindingMissing
                | Mistake::VisitDoneWithoutDate => return false,
                Mistake::DuplicateCard => {
                    let record = card.record.clone();
                    let which = match &record.subject {
                        Subject::Service { card, .. } => Some(*card),
                        _ => None,
                    };
                    let template = card.template;
                    let sheet_name = card.name.clone();
                    let suffix = [" (2)", "_коригирана", " - копие", "_v2", "_нова"][planner.dice.rng.below(5)];
                    let format = [BookFormat::Xlsx, BookFormat::Xls, BookFormat::Ods]
                        [planner.dice.rng.weighted(&[90.0, 6.0, 4.0])];
                    let copy = planner.card(template, sheet_name, record, which);
                    copies.push(Return {
                        relative: format!("{stem}{suffix}"),
                        format,
                        oblast,
                        sheets: vec![Sheet::Card(copy)],
                        instructions: false,
                        marker: false,
                        empty_sheet: false,
                    });
                    // Nothing is written on the record: the truth finds the pair by the service's id.
                    return true;
                }
            }
            card.record.planted.push((field.to_string(), choice.mistake));
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_the_mistakes_that_keep_a_record() {
        let warnings: Vec<Mistake> = Mistake::ALL
            .into_iter()
            .filter(|m| m.severity() == Severity::Warning)
            .collect();
        assert_eq!(
            warnings,
            [
                Mistake::AverageAboveCapacity,
                Mistake::LicenceEndsInPeriod,
                Mistake::DuplicateCard,
                Mistake::CardCountDiffers
            ]
        );
    }

    #[test]
    fn a_broken_contact_is_no_valid_address() {
        let mut rng = super::super::rng::Rng::new(4);
        for _ in 0..20 {
            let broken = malformed_contact(&mut rng, "082 882 531, m.ivanova@byala.bg");
            assert_eq!(crate::normalize::email_is_well_formed(&broken), Some(false), "{broken}");
        }
        assert_eq!(
            crate::normalize::email_is_well_formed(&malformed_contact(&mut rng, "082 882 531")),
            Some(false)
        );
    }
}
