//! The synthetic world behind a sample: takes the reference data, the period,
//! the scale and a random source and gives, for every municipality of an
//! oblast, its population, its social services (type, name, provider,
//! financing, dates, places, users, money) and its DSP figures, each as the
//! [`Facts`] of the return that reports it. Nothing is written down here;
//! [`super::plan`] decides how each return writes it.
//!
//! Names are real (municipalities, the villages of Ruse oblast); every
//! figure is made up, sized to look plausible (a centre has more services
//! than a village, a family-type centre has about a dozen places).

use chrono::NaiveDate;

use super::forms::{self, Fact, Facts, plus};
use super::names;
use super::rng::Rng;
use crate::period::Period;
use crate::reference::{Card, Reference};
use crate::schema::fields::{adults, children, dsp, municipal, service};

/// What one municipality is and reports.
#[derive(Debug, Clone)]
pub(crate) struct Municipality {
    pub(crate) code: String,
    pub(crate) oblast: String,
    pub(crate) name: String,
    pub(crate) population: i64,
    pub(crate) children: i64,
    pub(crate) elderly: i64,
    /// "гр. Бяла".
    pub(crate) centre: String,
    pub(crate) services: Vec<Service>,
    /// The municipal card.
    pub(crate) card: Facts,
    /// The DSP row.
    pub(crate) dsp: Facts,
}

/// One social service and what its card reports.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    /// Unique within the sample: two cards with the same id describe the same service.
    pub(crate) id: usize,
    pub(crate) card: Card,
    pub(crate) type_code: String,
    /// community, residential community or specialised institution.
    pub(crate) category: String,
    pub(crate) provider_type: String,
    pub(crate) active: bool,
    pub(crate) facts: Facts,
}

/// How a service stands against the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Running,
    OpenedIn,
    ClosedIn,
    ClosedBefore,
    OpenedAfter,
}

/// What a type of service looks like in this sample.
struct Profile {
    code: &'static str,
    /// How often it is chosen for a card for adults and for children.
    adults: f64,
    children: f64,
    places: (i64, i64),
    /// Cost of a place for a year, in leva.
    cost: i64,
    /// At most one per municipality (a patronage, a foster-care service).
    single: bool,
    /// Only municipalities at least this big run it.
    min_population: i64,
}

const fn profile(
    code: &'static str,
    adults: f64,
    children: f64,
    places: (i64, i64),
    cost: i64,
    single: bool,
    min_population: i64,
) -> Profile {
    Profile {
        code,
        adults,
        children,
        places,
        cost,
        single,
        min_population,
    }
}

const PROFILES: &[Profile] = &[
    profile("HOME_PATRONAGE", 8.0, 0.0, (40, 250), 600, true, 0),
    profile("PERS_ASSIST", 6.0, 1.0, (15, 80), 3500, true, 0),
    profile("SOC_ASSIST", 3.0, 0.5, (15, 50), 3000, true, 0),
    profile("HOME_HELPER", 3.0, 0.0, (15, 50), 3000, true, 0),
    profile("PUBLIC_CANTEEN", 6.0, 0.0, (40, 150), 700, false, 0),
    profile("DC_CH_AD_DIS", 4.0, 4.0, (15, 40), 4800, false, 0),
    profile("DC_AD_DIS_WEEKLY", 1.0, 0.0, (10, 20), 6000, false, 15_000),
    profile("DC_CH_DIS_WEEKLY", 0.0, 1.0, (10, 16), 6500, false, 15_000),
    profile("DC_ELDERLY", 6.0, 0.0, (15, 40), 2500, false, 0),
    profile("CSRI", 4.0, 4.0, (25, 60), 2600, false, 8_000),
    profile("CSC", 0.0, 6.0, (30, 80), 2500, false, 8_000),
    profile("STREET_CH", 0.0, 1.0, (15, 30), 3000, false, 60_000),
    profile("SOC_VOC_CENTRE", 1.0, 0.0, (20, 40), 4000, false, 40_000),
    profile("FOSTER_CARE", 0.0, 3.0, (8, 40), 6000, true, 0),
    profile("CNST_CH_NODIS", 0.0, 4.0, (8, 14), 9500, false, 0),
    profile("CNST_CH_DIS", 0.0, 4.0, (8, 14), 11_000, false, 0),
    profile("CNST_AD_MH_DEM", 2.0, 0.0, (8, 15), 9000, false, 0),
    profile("CNST_AD_ID", 2.0, 0.0, (8, 15), 9000, false, 0),
    profile("CNST_ELDERLY", 2.0, 0.0, (10, 15), 7000, false, 0),
    profile("TRANS_HOUSING", 0.0, 2.0, (6, 10), 8000, false, 10_000),
    profile("PROT_HOME", 4.0, 0.0, (6, 10), 8000, false, 0),
    profile("SUPERV_HOUSING", 1.0, 0.0, (4, 8), 7000, false, 20_000),
    profile("CRISIS_CENTRE", 1.0, 1.0, (8, 12), 9000, false, 30_000),
    profile("TEMP_ACCOM", 1.0, 0.0, (20, 40), 3000, false, 60_000),
    profile("SHELTER", 0.5, 0.0, (20, 40), 2000, false, 100_000),
    profile("MOTHER_BABY", 0.0, 1.0, (6, 8), 10_000, false, 40_000),
    profile("DDLRG", 0.0, 0.8, (20, 40), 8000, false, 20_000),
    profile("DDFU", 0.0, 0.2, (20, 40), 9000, false, 20_000),
    profile("DDUI", 0.0, 0.3, (30, 60), 9000, false, 10_000),
    profile("DMSGD", 0.0, 0.4, (30, 80), 12_000, false, 60_000),
    profile("DVUI", 1.0, 0.0, (40, 120), 7000, false, 0),
    profile("DVPR", 0.7, 0.0, (40, 100), 7000, false, 0),
    profile("DVFU", 0.5, 0.0, (30, 60), 7000, false, 0),
    profile("DVSN", 0.3, 0.0, (20, 40), 7000, false, 0),
    profile("DVD", 0.5, 0.0, (30, 60), 8000, false, 0),
    profile("DSH", 2.0, 0.0, (30, 100), 6000, false, 0),
];

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

fn random_day(rng: &mut Rng, from_year: i64, to_year: i64) -> NaiveDate {
    day(
        rng.range(from_year, to_year) as i32,
        rng.range(1, 12) as u32,
        rng.range(1, 28) as u32,
    )
}

/// Draws the world of one oblast. `count_fields` are the municipal card's
/// counts of services (field id, the service-type categories it counts);
/// `next_id` numbers the services across the sample.
pub(crate) fn oblast(
    reference: &Reference,
    oblast: &str,
    period: Period,
    scale: u32,
    count_fields: &[(String, Vec<String>)],
    rng: &mut Rng,
    next_id: &mut usize,
) -> Vec<Municipality> {
    let oblast_name = reference.oblast(oblast).map_or(oblast, |o| o.name_bg.as_str());
    let centre_name = oblast_name.split('(').next().unwrap_or(oblast_name).trim();
    let mut municipalities: Vec<Municipality> = reference
        .municipalities_of(oblast)
        .map(|m| {
            let is_centre = m.name_bg == centre_name;
            let population = population(rng, &m.code, oblast, is_centre);
            let elderly_share = if population < 10_000 {
                rng.between(0.25, 0.33)
            } else {
                rng.between(0.2, 0.27)
            };
            Municipality {
                code: m.code.clone(),
                oblast: oblast.to_string(),
                name: m.name_bg.clone(),
                population,
                children: (population as f64 * rng.between(0.13, 0.17)) as i64,
                elderly: (population as f64 * elderly_share) as i64,
                centre: centre_of(reference, &m.code),
                services: Vec::new(),
                card: Facts::new(),
                dsp: Facts::new(),
            }
        })
        .collect();

    // How many services each municipality reports, then which few of them
    // open or close around the period, so that every oblast shows each case.
    let counts: Vec<usize> = municipalities
        .iter()
        .map(|m| service_count(rng, m.population) * scale.max(1) as usize)
        .collect();
    let total: usize = counts.iter().sum();
    let mut statuses = vec![Status::Running; total];
    let mut order: Vec<usize> = (0..total).collect();
    rng.shuffle(&mut order);
    let mut next = order.into_iter();
    let wanted = [
        (Status::ClosedBefore, if total >= 40 { 2 } else { 1 }),
        (Status::OpenedAfter, 1),
        (Status::OpenedIn, (total as f64 * 0.07).round().max(1.0) as usize),
        (Status::ClosedIn, (total as f64 * 0.05).round().max(1.0) as usize),
    ];
    for (status, count) in wanted {
        for _ in 0..count {
            if let Some(i) = next.next() {
                statuses[i] = status;
            }
        }
    }

    let mut status_of = statuses.into_iter();
    for (m, count) in municipalities.iter_mut().zip(counts) {
        let villages: Vec<String> = names::villages(&m.code).iter().map(|v| v.to_string()).collect();
        let mut taken: Vec<(String, String)> = Vec::new();
        for _ in 0..count {
            let status = status_of.next().unwrap_or(Status::Running);
            let card = if rng.chance(0.55) { Card::Adults } else { Card::Children };
            let Some(profile) = choose_profile(reference, rng, m, card, &taken) else {
                continue;
            };
            let id = *next_id;
            *next_id += 1;
            let service = service(
                reference, rng, m, &villages, profile, card, status, period, id, &mut taken,
            );
            m.services.push(service);
        }
        m.card = municipal_card(rng, m, period, count_fields);
        m.dsp = dsp_row(rng, m);
    }
    municipalities
}

/// A new service that opens inside `period`: what a later period of a
/// sample adds to a municipality. None when no type fits.
pub(crate) fn opened_service(
    reference: &Reference,
    rng: &mut Rng,
    m: &Municipality,
    period: Period,
    id: usize,
) -> Option<Service> {
    let mut taken: Vec<(String, String)> = m
        .services
        .iter()
        .map(|s| {
            (
                s.type_code.clone(),
                crate::normalize::key(forms::text(&s.facts, service::SERVICE_NAME).unwrap_or("")),
            )
        })
        .collect();
    let villages: Vec<String> = names::villages(&m.code).iter().map(|v| v.to_string()).collect();
    let profile = choose_profile(reference, rng, m, Card::Adults, &taken)?;
    Some(service(
        reference,
        rng,
        m,
        &villages,
        profile,
        Card::Adults,
        Status::OpenedIn,
        period,
        id,
        &mut taken,
    ))
}

/// What a place of a type costs for a year, in leva (the sample's profile).
pub(crate) fn cost_per_place(code: &str) -> i64 {
    PROFILES.iter().find(|p| p.code == code).map_or(5000, |p| p.cost)
}

/// Regenerates the municipal card and the DSP row of a municipality for a
/// period (after its services changed).
pub(crate) fn refresh_cards(
    rng: &mut Rng,
    m: &mut Municipality,
    period: Period,
    count_fields: &[(String, Vec<String>)],
) {
    for s in &mut m.services {
        s.active = forms::active(&s.facts, period);
    }
    m.card = municipal_card(rng, m, period, count_fields);
    m.dsp = dsp_row(rng, m);
}

fn population(rng: &mut Rng, code: &str, oblast: &str, is_centre: bool) -> i64 {
    let base = if let Some(known) = names::centre_population(code) {
        known as f64 * rng.between(0.98, 1.02)
    } else if is_centre {
        rng.between(45_000.0, 110_000.0)
    } else if oblast == "RSE" {
        rng.between(5_000.0, 20_000.0)
    } else if rng.chance(0.8) {
        rng.between(3_000.0, 20_000.0)
    } else {
        rng.between(20_000.0, 45_000.0)
    };
    base.round() as i64
}

/// The centre as a settlement ("гр. Бяла"); four municipalities have their
/// centre in a neighbouring town (their EKATTE codes repeat), the capital's
/// municipality is called Столична.
fn centre_of(reference: &Reference, code: &str) -> String {
    let Some(m) = reference.municipality(code) else {
        return code.to_string();
    };
    let is_oblast_name = |name: &str| reference.oblasts.iter().any(|o| o.name_bg == name);
    let town = if code == "SOF46" {
        "София"
    } else if is_oblast_name(&m.name_bg) {
        m.name_bg.as_str()
    } else {
        let sharing: Vec<&str> = reference
            .municipalities
            .iter()
            .filter(|other| other.code != m.code && other.ekatte_centre == m.ekatte_centre)
            .map(|other| other.name_bg.as_str())
            .collect();
        sharing
            .iter()
            .find(|name| is_oblast_name(name))
            .or(sharing.first())
            .copied()
            .unwrap_or(m.name_bg.as_str())
    };
    if names::centre_is_village(code) {
        format!("с. {town}")
    } else {
        format!("гр. {town}")
    }
}

fn service_count(rng: &mut Rng, population: i64) -> usize {
    let (low, high) = match population {
        p if p >= 100_000 => (26, 34),
        p if p >= 40_000 => (18, 24),
        p if p >= 15_000 => (13, 18),
        p if p >= 8_000 => (9, 13),
        _ => (6, 9),
    };
    rng.range(low, high) as usize
}

fn choose_profile(
    reference: &Reference,
    rng: &mut Rng,
    m: &Municipality,
    card: Card,
    taken: &[(String, String)],
) -> Option<&'static Profile> {
    let allowed = |p: &Profile| {
        reference
            .service_type(p.code)
            .is_some_and(|s| s.card == card || s.card == Card::Both)
            && m.population >= p.min_population
            && !(p.single && taken.iter().any(|(code, _)| code == p.code))
    };
    let weights: Vec<f64> = PROFILES
        .iter()
        .map(|p| {
            let w = if card == Card::Adults { p.adults } else { p.children };
            if allowed(p) { w } else { 0.0 }
        })
        .collect();
    if weights.iter().all(|w| *w <= 0.0) {
        return None;
    }
    Some(&PROFILES[rng.weighted(&weights)])
}

fn is_residential(category: &str) -> bool {
    category != "community"
}

/// The name of a service, unique in its municipality for its type (the
/// identity of a card is municipality, type and name).
fn service_name(
    rng: &mut Rng,
    reference: &Reference,
    m: &Municipality,
    code: &str,
    settlement: &str,
    taken: &mut Vec<(String, String)>,
) -> String {
    let type_name = reference.service_type(code).map_or(code, |s| s.name_bg.as_str());
    let abbr = reference.service_type(code).map_or("", |s| s.abbr_bg.as_str());
    let place = settlement.to_string();
    let unique = |name: &str, taken: &[(String, String)]| {
        let k = crate::normalize::key(name);
        !taken.iter().any(|(c, n)| c == code && *n == k)
    };
    let mut candidates: Vec<String> = match code {
        "HOME_PATRONAGE" | "PUBLIC_CANTEEN" => vec![
            format!("{type_name} – {place}"),
            format!("{type_name} – община {}", m.name),
        ],
        "PERS_ASSIST" | "SOC_ASSIST" | "HOME_HELPER" | "FOSTER_CARE" => vec![
            format!("{type_name} – община {}", m.name),
            format!("{type_name} към Община {}", m.name),
        ],
        _ => {
            let mut out = Vec::new();
            for _ in 0..6 {
                let nick = rng.pick(names::NICKNAMES);
                let head = if !abbr.is_empty() && rng.chance(0.3) {
                    abbr
                } else {
                    type_name
                };
                out.push(format!("{head} „{nick}“ – {place}"));
            }
            out.push(format!("{type_name} – {place}"));
            out
        }
    };
    candidates.retain(|c| unique(c, taken));
    let name = candidates.into_iter().next().unwrap_or_else(|| {
        (2..)
            .map(|n| format!("{type_name} № {n} – {place}"))
            .find(|c| unique(c, taken))
            .unwrap_or_default()
    });
    taken.push((code.to_string(), crate::normalize::key(&name)));
    name
}

#[allow(clippy::too_many_arguments)]
fn service(
    reference: &Reference,
    rng: &mut Rng,
    m: &Municipality,
    villages: &[String],
    profile: &Profile,
    card: Card,
    status: Status,
    period: Period,
    id: usize,
    taken: &mut Vec<(String, String)>,
) -> Service {
    let code = profile.code;
    let service_type = reference.service_type(code);
    let category = service_type.map_or("community", |s| s.category.as_str());
    let target = service_type.map_or("mixed", |s| s.target_group.as_str());
    let delegated = service_type.is_some_and(|s| matches!(s.state_delegated_typical.as_str(), "yes" | "likely_yes"));
    let institution = category == "specialised institution";
    let settlement = if !villages.is_empty() && rng.chance(if institution { 0.5 } else { 0.2 }) {
        rng.pick(villages).clone()
    } else {
        m.centre.clone()
    };
    let name = service_name(rng, reference, m, code, &settlement, taken);

    // Who runs it and how it is paid for.
    let provider_type = match code {
        "DMSGD" => "STATE",
        _ if institution => "MUNICIPALITY",
        "HOME_PATRONAGE" | "PUBLIC_CANTEEN" => "MUNICIPALITY",
        "PERS_ASSIST" | "SOC_ASSIST" | "HOME_HELPER" => {
            *rng.pick(&["MUNICIPALITY", "MUNICIPALITY", "MUNICIPALITY", "NGO"])
        }
        "DC_ELDERLY" => ["MUNICIPALITY", "NGO", "TRADER"][rng.weighted(&[7.0, 2.0, 1.0])],
        _ => ["MUNICIPALITY", "NGO", "TRADER"][rng.weighted(&[12.0, 7.0, 1.0])],
    };
    let provider_name = match provider_type {
        "STATE" => names::STATE_PROVIDER.to_string(),
        "NGO" => rng.pick(names::NGOS).to_string(),
        "TRADER" => rng.pick(names::TRADERS).to_string(),
        _ => format!("Община {}", m.name),
    };
    let financing = match code {
        "PERS_ASSIST" | "SOC_ASSIST" | "HOME_HELPER" => ["PROJECT_OPHRD", "PROJECT_OTHER"][rng.weighted(&[7.0, 3.0])],
        "PUBLIC_CANTEEN" => ["PROJECT_OTHER", "LOCAL"][rng.weighted(&[6.0, 4.0])],
        "HOME_PATRONAGE" | "SHELTER" => "LOCAL",
        "FOSTER_CARE" => ["PROJECT_OPHRD", "STATE_DELEGATED"][rng.weighted(&[8.0, 2.0])],
        "DC_ELDERLY" if provider_type == "TRADER" => "OTHER",
        _ if delegated || institution => ["STATE_DELEGATED", "TOPUP"][rng.weighted(&[85.0, 15.0])],
        _ => ["STATE_DELEGATED", "LOCAL"][rng.weighted(&[5.0, 5.0])],
    };
    let project = financing.starts_with("PROJECT");

    // When it opened and closed.
    let base_start = match code {
        _ if institution => random_day(rng, 1975, 2005),
        _ if project => plus(period.start, -rng.range(30, 600)),
        "CNST_CH_NODIS" | "CNST_CH_DIS" | "CNST_AD_MH_DEM" | "CNST_AD_ID" | "CNST_ELDERLY" | "TRANS_HOUSING"
        | "PROT_HOME" | "MOTHER_BABY" => random_day(rng, 2010, 2015),
        _ => random_day(rng, 2003, 2015),
    };
    let base_start = base_start.min(plus(period.start, -30));
    let days = period.days().max(1);
    let (start, end) = match status {
        Status::Running => (base_start, None),
        Status::OpenedIn => (plus(period.start, rng.range(0, days - 1)), None),
        Status::ClosedIn => (base_start, Some(plus(period.start, rng.range(0, days - 1)))),
        Status::ClosedBefore => {
            let end = plus(period.start, -rng.range(20, 700));
            (plus(end, -rng.range(400, 4000)), Some(end))
        }
        Status::OpenedAfter => (plus(period.end, rng.range(1, 90)), None),
    };
    let project_end = project.then(|| match (status, end) {
        (_, Some(end)) => end,
        (Status::OpenedAfter, _) => plus(start, rng.range(365, 730)),
        _ => plus(period.start, rng.range(30, 900)).max(plus(start, 180)),
    });
    let active = period.is_active(Some(start), end);

    // Places, users and money, over the days it ran in the period.
    let capacity = rng.range(profile.places.0, profile.places.1)
        * if m.population >= 100_000 && !is_residential(category) {
            2
        } else {
            1
        };
    let ran_from = start.max(period.start);
    let ran_to = end.unwrap_or(period.end).min(period.end);
    let ran_days = if active { (ran_to - ran_from).num_days() + 1 } else { 0 };
    let share = ran_days as f64 / days as f64;
    let avg_tenths = if active {
        ((capacity * 10) as f64 * rng.between(0.55, 0.98) * share.max(0.1)).round() as i64
    } else {
        0
    };
    let turnover = if is_residential(category) { 0.2 } else { 0.6 };
    let users_served = if active {
        ((avg_tenths + 9) / 10 + rng.range(0, ((capacity as f64 * turnover) as i64).max(1))).max(1)
    } else {
        0
    };
    let share_of = |rng: &mut Rng, low: f64, high: f64| (users_served as f64 * rng.between(low, high)).floor() as i64;
    let disabled_types = code.contains("DIS")
        || matches!(
            code,
            "DDFU" | "DDUI" | "DVUI" | "DVPR" | "DVFU" | "DVSN" | "PROT_HOME" | "CNST_AD_ID"
        );
    let users_disabled = match target {
        _ if disabled_types => share_of(rng, 0.85, 1.0),
        "persons with disabilities" => share_of(rng, 0.85, 1.0),
        "elderly" => share_of(rng, 0.2, 0.5),
        "children" => share_of(rng, 0.0, 0.15),
        _ => share_of(rng, 0.2, 0.6),
    };
    let users_elderly = match target {
        "elderly" => share_of(rng, 0.85, 1.0),
        _ => share_of(rng, 0.0, 0.25),
    };
    let waiting_list = if rng.chance(0.3) {
        0
    } else if is_residential(category) {
        rng.range(0, 12)
    } else {
        rng.range(0, 5)
    };
    let staff_ratio = match category {
        "specialised institution" => 0.6,
        "residential community" => 0.8,
        _ => 0.15,
    };
    let staff_halves = ((capacity as f64 * staff_ratio * 2.0).round() as i64).max(2);
    let staff_filled = staff_halves - rng.range(0, 3.min(staff_halves));

    let mut total = (capacity * profile.cost * 100) as f64 * ran_days as f64 / 365.0 * rng.between(0.9, 1.1);
    if rng.chance(0.5) {
        total = (total / 100.0).round() * 100.0;
    }
    let total = total.round() as i64;
    let part = |rng: &mut Rng, low: f64, high: f64| (total as f64 * rng.between(low, high)).round() as i64;
    let (state, local, other) = match financing {
        "STATE_DELEGATED" if rng.chance(0.2) => {
            let top = part(rng, 0.03, 0.1);
            (total, top, 0)
        }
        "STATE_DELEGATED" => (total, 0, 0),
        "TOPUP" => {
            let local = part(rng, 0.1, 0.2);
            (total - local, local, 0)
        }
        "LOCAL" => (0, total, 0),
        _ if project && rng.chance(0.2) => {
            let local = part(rng, 0.02, 0.05);
            (0, local, total)
        }
        _ => (0, 0, total),
    };

    let changes = match status {
        Status::OpenedIn => Some(format!(
            "Открита на {} с капацитет {capacity} места",
            start.format("%d.%m.%Y")
        )),
        Status::ClosedIn | Status::ClosedBefore => Some(format!(
            "Закрита на {} с решение на Общинския съвет",
            end.unwrap_or(start).format("%d.%m.%Y")
        )),
        Status::OpenedAfter => Some(format!("Открита на {}", start.format("%d.%m.%Y"))),
        Status::Running if capacity > 4 && rng.chance(0.1) => {
            Some(format!("Увеличен капацитет от {} на {capacity} места", capacity - 2))
        }
        Status::Running => None,
    };

    let filled_on = plus(period.end, rng.range(5, 45));
    let (first, last) = names::person(rng);
    let filled_by = format!("{first} {last}, {}", rng.pick(names::POSITIONS));
    let contact = contact(rng, m, first, last);

    let mut facts = Facts::new();
    facts.insert(service::OBLAST.into(), Fact::Oblast(m.oblast.clone()));
    facts.insert(service::MUNICIPALITY.into(), Fact::Municipality(m.code.clone()));
    facts.insert(service::SETTLEMENT.into(), Fact::Text(settlement.clone()));
    facts.insert(service::SERVICE_NAME.into(), Fact::Text(name));
    facts.insert(service::SERVICE_TYPE.into(), Fact::ServiceType(code.to_string()));
    facts.insert(
        service::ADDRESS.into(),
        Fact::Text(format!("{}, {settlement}", names::street(rng))),
    );
    facts.insert(service::PROVIDER_NAME.into(), Fact::Text(provider_name));
    facts.insert(service::PROVIDER_TYPE.into(), Fact::Provider(provider_type.to_string()));
    facts.insert(service::FINANCING.into(), Fact::Financing(financing.to_string()));
    if let Some(d) = project_end {
        facts.insert(service::PROJECT_END.into(), Fact::Date(d));
    }
    facts.insert(service::START_DATE.into(), Fact::Date(start));
    if let Some(d) = end {
        facts.insert(service::END_DATE.into(), Fact::Date(d));
    }
    facts.insert(service::CAPACITY.into(), Fact::Int(capacity));
    facts.insert(service::AVG_USERS.into(), Fact::Decimal(avg_tenths as f64 / 10.0));
    facts.insert(service::USERS_SERVED.into(), Fact::Int(users_served));
    facts.insert(service::USERS_DISABLED.into(), Fact::Int(users_disabled));
    if card == Card::Adults {
        facts.insert(adults::USERS_ELDERLY.into(), Fact::Int(users_elderly));
    }
    facts.insert(service::WAITING_LIST.into(), Fact::Int(waiting_list));
    facts.insert(
        service::STAFF_POSITIONS.into(),
        Fact::Decimal(staff_halves as f64 / 2.0),
    );
    facts.insert(service::STAFF_FILLED.into(), Fact::Decimal(staff_filled as f64 / 2.0));
    facts.insert(service::BUDGET_STATE.into(), Fact::Money(state));
    facts.insert(service::BUDGET_LOCAL.into(), Fact::Money(local));
    facts.insert(service::BUDGET_OTHER.into(), Fact::Money(other));
    if let Some(text) = changes {
        facts.insert(service::CHANGES.into(), Fact::Text(text));
    }
    facts.insert(service::FILLED_ON.into(), Fact::Date(filled_on));
    facts.insert(service::FILLED_BY.into(), Fact::Text(filled_by));
    facts.insert(service::CONTACT.into(), Fact::Text(contact));
    if card == Card::Children {
        if matches!(provider_type, "NGO" | "TRADER") {
            let number = rng.range(1000, 4999);
            let issued = random_day(rng, 2012, 2015);
            let licence = match rng.below(3) {
                0 => format!("№ {number}"),
                1 => format!("{number}/{}", issued.format("%d.%m.%Y")),
                _ => format!("Лиценз № {number} от {} г.", issued.format("%d.%m.%Y")),
            };
            facts.insert(children::LICENSE_NO.into(), Fact::Text(licence));
            facts.insert(
                children::LICENSE_VALID_UNTIL.into(),
                Fact::Date(plus(period.end, rng.range(90, 1500))),
            );
        }
        let age_group = match code {
            "MOTHER_BABY" | "DMSGD" => "0-3",
            "DDLRG" | "DDUI" | "DDFU" | "CNST_CH_NODIS" | "CNST_CH_DIS" => *rng.pick(&["7-18", "mixed"]),
            "DC_CH_AD_DIS" | "DC_CH_DIS_WEEKLY" => *rng.pick(&["3-7", "7-18", "mixed"]),
            _ => *rng.pick(&["mixed", "mixed", "7-18"]),
        };
        facts.insert(children::AGE_GROUP.into(), Fact::Choice(age_group.to_string()));
        let children_disabled = if disabled_types {
            share_of(rng, 0.8, 1.0)
        } else {
            share_of(rng, 0.0, 0.15)
        };
        facts.insert(children::CHILDREN_DISABLED.into(), Fact::Int(children_disabled));
        let reintegrated = rng.range(0, users_served / if is_residential(category) { 4 } else { 10 });
        facts.insert(children::CHILDREN_REINTEGRATED.into(), Fact::Int(reintegrated));
        let from_institutions = if code.starts_with("CNST_CH") {
            share_of(rng, 0.3, 0.8)
        } else {
            rng.range(0, users_served / 10)
        };
        facts.insert(
            children::CHILDREN_FROM_INSTITUTIONS.into(),
            Fact::Int(from_institutions),
        );
    }
    Service {
        id,
        card,
        type_code: code.to_string(),
        category: category.to_string(),
        provider_type: provider_type.to_string(),
        active,
        facts,
    }
}

/// "082 882 531, m.ivanova@byala.bg" or just the phone.
pub(crate) fn contact(rng: &mut Rng, m: &Municipality, first: &str, last: &str) -> String {
    let area = if m.code == "RSE27" {
        "082".to_string()
    } else {
        format!("0{}", rng.range(31, 99))
    };
    let phone = format!("{area} {} {:03}", rng.range(100, 999), rng.range(0, 999));
    if rng.chance(0.35) {
        return phone;
    }
    let domain = if rng.chance(0.5) {
        format!("{}.bg", names::transliterate(&m.name))
    } else {
        "abv.bg".to_string()
    };
    let first_letter: String = names::transliterate(first).chars().take(1).collect();
    format!("{phone}, {first_letter}.{}@{domain}", names::transliterate(last))
}

/// The municipal card: population, approved budgets, and counts that agree
/// with the service cards sent (mistakes aside).
fn municipal_card(rng: &mut Rng, m: &Municipality, period: Period, count_fields: &[(String, Vec<String>)]) -> Facts {
    let active: Vec<&Service> = m.services.iter().filter(|s| s.active).collect();
    let count_in = |categories: &[String]| active.iter().filter(|s| categories.contains(&s.category)).count() as i64;
    let money = |s: &Service, id: &str| forms::money(&s.facts, id);
    let sum = |id: &str| active.iter().map(|s| money(s, id)).sum::<i64>();
    // Approved budgets cover the services and a little more, in whole leva.
    let approved = |rng: &mut Rng, cents: i64| ((cents as f64 * rng.between(1.0, 1.08)) / 100.0).round() as i64 * 100;
    let opened = active
        .iter()
        .filter(|s| forms::date(&s.facts, service::START_DATE).is_some_and(|d| period.contains(d)))
        .count() as i64;
    let closed = active
        .iter()
        .filter(|s| forms::date(&s.facts, service::END_DATE).is_some_and(|d| period.contains(d)))
        .count() as i64;
    let projects: Vec<&&Service> = active
        .iter()
        .filter(|s| matches!(s.facts.get(service::FINANCING), Some(Fact::Financing(f)) if f.starts_with("PROJECT")))
        .collect();
    let ended = projects
        .iter()
        .filter(|s| forms::date(&s.facts, service::PROJECT_END).is_some_and(|d| d <= period.end))
        .count() as i64;
    let ophrd: Vec<&&Service> = active
        .iter()
        .filter(|s| matches!(s.facts.get(service::FINANCING), Some(Fact::Financing(f)) if f == "PROJECT_OPHRD"))
        .collect();
    let ophrd_value: i64 = ophrd.iter().map(|s| money(s, service::BUDGET_OTHER)).sum::<i64>() * 2;
    let ngo = active.iter().filter(|s| s.provider_type == "NGO").count() as i64;
    let (first, last) = names::person(rng);

    let mut facts = Facts::new();
    facts.insert(municipal::OBLAST.into(), Fact::Oblast(m.oblast.clone()));
    facts.insert(municipal::MUNICIPALITY.into(), Fact::Municipality(m.code.clone()));
    facts.insert(municipal::PERIOD_START.into(), Fact::Date(period.start));
    facts.insert(municipal::PERIOD_END.into(), Fact::Date(period.end));
    facts.insert(municipal::POPULATION.into(), Fact::Int(m.population));
    facts.insert(municipal::POPULATION_CHILDREN.into(), Fact::Int(m.children));
    facts.insert(municipal::POPULATION_ELDERLY.into(), Fact::Int(m.elderly));
    for (field, categories) in count_fields {
        facts.insert(field.clone(), Fact::Int(count_in(categories)));
    }
    facts.insert(
        municipal::BUDGET_STATE.into(),
        Fact::Money(approved(rng, sum(service::BUDGET_STATE))),
    );
    facts.insert(
        municipal::BUDGET_LOCAL.into(),
        Fact::Money(approved(rng, sum(service::BUDGET_LOCAL)) + rng.range(0, 500) * 10_000),
    );
    facts.insert(
        municipal::ADMIN_STAFF.into(),
        Fact::Int(rng.range(1, (2 + m.population / 20_000).min(15))),
    );
    facts.insert(municipal::NGO_CONTRACTS.into(), Fact::Int(ngo));
    facts.insert(municipal::SERVICES_OPENED.into(), Fact::Int(opened));
    facts.insert(municipal::SERVICES_CLOSED.into(), Fact::Int(closed));
    facts.insert(municipal::PROJECTS_ENDED.into(), Fact::Int(ended));
    facts.insert(municipal::PROJECTS_SUSTAINED.into(), Fact::Int(rng.range(0, ended)));
    facts.insert(municipal::OP_HRD_PROJECTS.into(), Fact::Int(ophrd.len() as i64));
    if !ophrd.is_empty() {
        facts.insert(municipal::OP_HRD_VALUE.into(), Fact::Money(ophrd_value));
    }
    facts.insert(municipal::ANNUAL_PLAN.into(), Fact::YesNo(rng.chance(0.9)));
    let decided = plus(period.start, rng.range(10, 60));
    facts.insert(
        municipal::COUNCIL_DECISION.into(),
        Fact::Text(format!(
            "Решение № {} от {} г.",
            rng.range(100, 1400),
            decided.format("%d.%m.%Y")
        )),
    );
    facts.insert(municipal::MONITORING_TEAM.into(), Fact::YesNo(rng.chance(0.7)));
    facts.insert(
        municipal::FILLED_ON.into(),
        Fact::Date(plus(period.end, rng.range(5, 40))),
    );
    facts.insert(
        municipal::FILLED_BY.into(),
        Fact::Text(format!("{first} {last}, {}", rng.pick(names::POSITIONS))),
    );
    facts.insert(municipal::CONTACT.into(), Fact::Text(contact(rng, m, first, last)));
    facts
}

/// The DSP row: children and persons with disabilities, in proportion to the population.
fn dsp_row(rng: &mut Rng, m: &Municipality) -> Facts {
    let of = |rng: &mut Rng, base: i64, low: f64, high: f64| (base as f64 * rng.between(low, high)).round() as i64;
    let children = of(rng, m.children, 0.97, 1.02);
    let adults = m.population - children;
    let adults_disabled = of(rng, adults, 0.06, 0.1);
    let institutions: i64 = m
        .services
        .iter()
        .filter(|s| s.active && s.card == Card::Adults && s.category == "specialised institution")
        .filter_map(|s| forms::int(&s.facts, service::USERS_SERVED))
        .sum();
    let mut facts = Facts::new();
    facts.insert(dsp::MUNICIPALITY.into(), Fact::Municipality(m.code.clone()));
    facts.insert(dsp::CHILDREN_TOTAL.into(), Fact::Int(children));
    facts.insert(dsp::CHILDREN_DISABLED.into(), Fact::Int(of(rng, children, 0.01, 0.02)));
    facts.insert(dsp::CHILDREN_AT_RISK.into(), Fact::Int(of(rng, children, 0.005, 0.015)));
    facts.insert(dsp::CHILDREN_FOSTER.into(), Fact::Int(of(rng, children, 0.002, 0.006)));
    facts.insert(dsp::CHILDREN_KINSHIP.into(), Fact::Int(of(rng, children, 0.002, 0.006)));
    facts.insert(
        dsp::CHILDREN_RESIDENTIAL.into(),
        Fact::Int(of(rng, children, 0.001, 0.004)),
    );
    facts.insert(
        dsp::CHILDREN_INSTITUTIONS.into(),
        Fact::Int(of(rng, children, 0.0, 0.002)),
    );
    facts.insert(dsp::ADULTS_DISABLED.into(), Fact::Int(adults_disabled));
    facts.insert(
        dsp::ADULTS_DISABLED_90.into(),
        Fact::Int(of(rng, adults_disabled, 0.2, 0.3)),
    );
    facts.insert(
        dsp::PERSONAL_ASSISTANCE.into(),
        Fact::Int(of(rng, adults_disabled, 0.01, 0.03)),
    );
    facts.insert(dsp::ADULTS_INSTITUTIONS.into(), Fact::Int(institutions));
    facts
}
