//! Comparison with an earlier period: takes the run's own period per oblast
//! and the periods stored in the history, and gives what changed since the
//! latest earlier period (or the one asked for) — services matched across
//! the two periods (opened, closed, continued, with their figures then and
//! now), the figures of every municipality and of the oblast then and now
//! (network, DSP, indicators), and the series of all stored periods for the
//! trend charts.
//!
//! Services are matched by identity (municipality, service type and name
//! after normalisation, as duplicates are); a service renamed between
//! periods is matched by its address, else by its provider, when exactly one
//! service of the same type in the municipality fits.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::aggregate::{Figures, ServiceRow, total_of};
use crate::error::{Error, Result};
use crate::history::{PeriodMeta, StoredPeriod, StoredService};
use crate::issue::Lang;
use crate::normalize::key;
use crate::period::Period;
use crate::schema::fields::{dsp, municipal, service};
use crate::schema::{Role, Schemas};

/// How a service stands between the two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeStatus {
    /// In the figures now, not then.
    Opened,
    /// In the figures then; now gone, no longer active, or closing inside the period.
    Closed,
    /// In the figures then and now.
    Continued,
}

impl ChangeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Opened => "opened",
            ChangeStatus::Closed => "closed",
            ChangeStatus::Continued => "continued",
        }
    }
}

/// What matched a service across the periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    Identity,
    Address,
    Provider,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Identity => "identity",
            MatchedBy::Address => "address",
            MatchedBy::Provider => "provider",
        }
    }
}

/// One service, matched or not.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceChange {
    pub status: ChangeStatus,
    /// The card that names the service: the current one, else the earlier.
    pub service: StoredService,
    pub matched_by: Option<MatchedBy>,
    pub then: Option<StoredService>,
    pub now: Option<StoredService>,
}

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    Count,
    Decimal,
    Money,
    Share,
}

/// What a figure is called in the report.
pub enum FigureLabel {
    /// The report's own words, for a figure that is no field's sum.
    Own { bg: &'static str, en: &'static str },
    /// The label of this field in the first template of this role: the
    /// schemas hold it. A DSP figure is shown with „ДСП: " before it.
    Field { role: Role, id: &'static str },
}

/// A figure compared per municipality and oblast.
pub struct Figure {
    pub id: &'static str,
    pub label: FigureLabel,
    pub kind: FigureKind,
    /// Adds up over the days of a period: comparable only between periods of the same length.
    pub flow: bool,
    pub get: fn(&Figures) -> Option<f64>,
}

impl Figure {
    /// Its label in the user's language: its own, or its field's in the schemas.
    pub fn label(&self, schemas: &Schemas, lang: Lang) -> String {
        match self.label {
            FigureLabel::Own { bg, en } => match lang {
                Lang::Bg => bg.to_string(),
                Lang::En => en.to_string(),
            },
            FigureLabel::Field { role, id } => {
                let field = schemas
                    .templates
                    .iter()
                    .filter(|t| t.role == role)
                    .find_map(|t| t.fields.iter().find(|f| f.id == id));
                // The field contract (crate::schema::fields) makes sure the schemas have it.
                let label = field.map_or(id, |f| match lang {
                    Lang::Bg => f.label.as_str(),
                    Lang::En => f.label_en.as_str(),
                });
                match (role, lang) {
                    (Role::Dsp, Lang::Bg) => format!("ДСП: {label}"),
                    (Role::Dsp, Lang::En) => format!("DSP: {label}"),
                    _ => label.to_string(),
                }
            }
        }
    }
}

macro_rules! dsp_figure {
    ($id:expr) => {
        Figure {
            id: $id,
            label: FigureLabel::Field {
                role: Role::Dsp,
                id: $id,
            },
            kind: FigureKind::Count,
            flow: false,
            get: |f| f.dsp_value($id).map(|v| v as f64),
        }
    };
}

/// The figures of the comparison, in the order of the report.
pub const FIGURES: &[Figure] = &[
    Figure {
        id: "services",
        label: FigureLabel::Own {
            bg: "Услуги",
            en: "Services",
        },
        kind: FigureKind::Count,
        flow: false,
        get: |f| Some(f.services as f64),
    },
    Figure {
        id: service::CAPACITY,
        label: FigureLabel::Field {
            role: Role::ServiceCard,
            id: service::CAPACITY,
        },
        kind: FigureKind::Count,
        flow: false,
        get: |f| Some(f.capacity as f64),
    },
    Figure {
        id: service::AVG_USERS,
        label: FigureLabel::Field {
            role: Role::ServiceCard,
            id: service::AVG_USERS,
        },
        kind: FigureKind::Decimal,
        flow: false,
        get: |f| Some(f.avg_users),
    },
    Figure {
        id: service::USERS_SERVED,
        label: FigureLabel::Field {
            role: Role::ServiceCard,
            id: service::USERS_SERVED,
        },
        kind: FigureKind::Count,
        flow: true,
        get: |f| Some(f.users_served as f64),
    },
    Figure {
        id: service::BUDGET_STATE,
        label: FigureLabel::Field {
            role: Role::ServiceCard,
            id: service::BUDGET_STATE,
        },
        kind: FigureKind::Money,
        flow: true,
        get: |f| Some(f.budget_state),
    },
    Figure {
        id: service::BUDGET_LOCAL,
        label: FigureLabel::Field {
            role: Role::ServiceCard,
            id: service::BUDGET_LOCAL,
        },
        kind: FigureKind::Money,
        flow: true,
        get: |f| Some(f.budget_local),
    },
    Figure {
        id: service::BUDGET_OTHER,
        label: FigureLabel::Field {
            role: Role::ServiceCard,
            id: service::BUDGET_OTHER,
        },
        kind: FigureKind::Money,
        flow: true,
        get: |f| Some(f.budget_other),
    },
    Figure {
        id: municipal::POPULATION,
        label: FigureLabel::Field {
            role: Role::MunicipalCard,
            id: municipal::POPULATION,
        },
        kind: FigureKind::Count,
        flow: false,
        get: |f| f.population.map(|v| v as f64),
    },
    dsp_figure!(dsp::CHILDREN_TOTAL),
    dsp_figure!(dsp::CHILDREN_DISABLED),
    dsp_figure!(dsp::CHILDREN_AT_RISK),
    dsp_figure!(dsp::CHILDREN_FOSTER),
    dsp_figure!(dsp::CHILDREN_KINSHIP),
    dsp_figure!(dsp::CHILDREN_RESIDENTIAL),
    dsp_figure!(dsp::CHILDREN_INSTITUTIONS),
    dsp_figure!(dsp::ADULTS_DISABLED),
    dsp_figure!(dsp::ADULTS_DISABLED_90),
    dsp_figure!(dsp::PERSONAL_ASSISTANCE),
    dsp_figure!(dsp::ADULTS_INSTITUTIONS),
    Figure {
        id: "places_per_1000",
        label: FigureLabel::Own {
            bg: "Места на 1000 жители",
            en: "Places per 1,000 inhabitants",
        },
        kind: FigureKind::Decimal,
        flow: false,
        get: Figures::places_per_1000,
    },
    Figure {
        id: "children_places_per_1000",
        label: FigureLabel::Own {
            bg: "Места за деца на 1000 деца",
            en: "Children's places per 1,000 children",
        },
        kind: FigureKind::Decimal,
        flow: false,
        get: Figures::children_places_per_1000,
    },
    Figure {
        id: "elderly_places_per_1000",
        label: FigureLabel::Own {
            bg: "Места за възрастни хора на 1000 души над 65 г.",
            en: "Places for the elderly per 1,000 people over 65",
        },
        kind: FigureKind::Decimal,
        flow: false,
        get: Figures::elderly_places_per_1000,
    },
    Figure {
        id: "family_care_share",
        label: FigureLabel::Own {
            bg: "Дял на децата в семейна среда",
            en: "Share of children in family-type care",
        },
        kind: FigureKind::Share,
        flow: false,
        get: Figures::family_care_share,
    },
];

/// One figure of a municipality (or the oblast) then and now.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureChange {
    pub oblast_code: String,
    /// Empty for the oblast's total.
    pub municipality_code: String,
    /// The municipality's name, or the oblast's code for its total.
    pub name: String,
    /// Index into [`FIGURES`].
    pub figure: usize,
    pub then: Option<f64>,
    pub now: Option<f64>,
}

impl FigureChange {
    pub fn figure(&self) -> &'static Figure {
        &FIGURES[self.figure]
    }

    pub fn change(&self) -> Option<f64> {
        Some(self.now? - self.then?)
    }

    /// The change as a share of the earlier value (None when that was 0).
    pub fn share(&self) -> Option<f64> {
        let then = self.then?;
        (then != 0.0).then(|| self.change().map(|c| c / then.abs())).flatten()
    }
}

/// The earlier period an oblast is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub oblast_code: String,
    pub meta: PeriodMeta,
    /// The two periods cover about as many days (within a tenth): figures that
    /// add up over a period (users served, money) are comparable.
    pub same_length: bool,
}

/// One period of a trend: the figures of every municipality and the oblast.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub period: Period,
    /// The run's own period (not yet stored).
    pub current: bool,
    pub municipalities: Vec<Figures>,
    pub total: Figures,
}

/// The periods of one oblast, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub oblast_code: String,
    pub points: Vec<TrendPoint>,
}

/// Everything compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// The run's period.
    pub current: Option<Period>,
    /// Per oblast with an earlier period.
    pub baselines: Vec<Baseline>,
    /// Oblasts of the run with nothing to compare with.
    pub without_baseline: Vec<String>,
    /// Services matched or not: by oblast, municipality, type, name.
    pub services: Vec<ServiceChange>,
    /// Per municipality and oblast, each figure of [`FIGURES`].
    pub figures: Vec<FigureChange>,
    pub trends: Vec<Trend>,
    /// Every stored period other than the run's own, per oblast (for the range checks of outliers).
    pub earlier: BTreeMap<String, Vec<StoredPeriod>>,
}

impl Comparison {
    pub fn baseline(&self, oblast: &str) -> Option<&Baseline> {
        self.baselines.iter().find(|b| b.oblast_code == oblast)
    }

    /// The services of one status.
    pub fn count(&self, status: ChangeStatus) -> usize {
        self.services.iter().filter(|s| s.status == status).count()
    }
}

/// A service card as the comparison and the outlier checks read it: one of
/// the run's own, borrowed from the aggregates ([`ServiceRow`]), or one of
/// a stored period ([`StoredService`]). The run's cards are not copied to
/// be compared: only those that end up in a [`ServiceChange`] are.
pub trait ServiceCard {
    fn file(&self) -> &str;
    fn sheet(&self) -> &str;
    fn template(&self) -> &str;
    fn oblast_code(&self) -> &str;
    fn municipality_code(&self) -> &str;
    fn service_type(&self) -> &str;
    fn service_name(&self) -> &str;
    fn address(&self) -> &str;
    fn provider_name(&self) -> &str;
    fn capacity(&self) -> Option<i64>;
    fn avg_users(&self) -> Option<f64>;
    fn users_served(&self) -> Option<i64>;
    fn budget_state(&self) -> Option<f64>;
    fn budget_local(&self) -> Option<f64>;
    fn budget_other(&self) -> Option<f64>;
    fn start_date(&self) -> Option<NaiveDate>;
    /// Not a later copy of a duplicate.
    fn counted(&self) -> bool;
    /// Active in its period and counted: it adds to the figures.
    fn in_figures(&self) -> bool;
    fn opened_in_period(&self) -> bool;
    fn closed_in_period(&self) -> bool;
    /// The card as the history keeps it (a copy).
    fn stored(&self) -> StoredService;

    /// A watched figure by its field id.
    fn figure(&self, field: &str) -> Option<f64> {
        match field {
            service::CAPACITY => self.capacity().map(|v| v as f64),
            service::AVG_USERS => self.avg_users(),
            service::USERS_SERVED => self.users_served().map(|v| v as f64),
            service::BUDGET_STATE => self.budget_state(),
            service::BUDGET_LOCAL => self.budget_local(),
            service::BUDGET_OTHER => self.budget_other(),
            _ => None,
        }
    }

    /// All its funds, when any source is given.
    fn budget(&self) -> Option<f64> {
        match (self.budget_state(), self.budget_local(), self.budget_other()) {
            (None, None, None) => None,
            (a, b, c) => Some(crate::exact::MONEY.sum([a, b, c].map(|x| x.unwrap_or(0.0)))),
        }
    }

    /// It ran only part of its period (opened or closed inside it), so
    /// figures that add up over the days are not comparable.
    fn partial(&self) -> bool {
        self.opened_in_period() || self.closed_in_period()
    }
}

/// [`ServiceCard`] for a type with the card's fields by the same names.
macro_rules! service_card {
    ($card:ty, |$s:ident| in_figures: $in_figures:expr, stored: $stored:expr) => {
        impl ServiceCard for $card {
            fn file(&self) -> &str {
                &self.file
            }
            fn sheet(&self) -> &str {
                &self.sheet
            }
            fn template(&self) -> &str {
                &self.template
            }
            fn oblast_code(&self) -> &str {
                &self.oblast_code
            }
            fn municipality_code(&self) -> &str {
                &self.municipality_code
            }
            fn service_type(&self) -> &str {
                &self.service_type
            }
            fn service_name(&self) -> &str {
                &self.service_name
            }
            fn address(&self) -> &str {
                &self.address
            }
            fn provider_name(&self) -> &str {
                &self.provider_name
            }
            fn capacity(&self) -> Option<i64> {
                self.capacity
            }
            fn avg_users(&self) -> Option<f64> {
                self.avg_users
            }
            fn users_served(&self) -> Option<i64> {
                self.users_served
            }
            fn budget_state(&self) -> Option<f64> {
                self.budget_state
            }
            fn budget_local(&self) -> Option<f64> {
                self.budget_local
            }
            fn budget_other(&self) -> Option<f64> {
                self.budget_other
            }
            fn start_date(&self) -> Option<NaiveDate> {
                self.start_date
            }
            fn counted(&self) -> bool {
                self.counted
            }
            fn in_figures(&self) -> bool {
                let $s = self;
                $in_figures
            }
            fn opened_in_period(&self) -> bool {
                self.opened_in_period
            }
            fn closed_in_period(&self) -> bool {
                self.closed_in_period
            }
            fn stored(&self) -> StoredService {
                let $s = self;
                $stored
            }
        }
    };
}

service_card!(StoredService, |s| in_figures: s.in_figures, stored: s.clone());
service_card!(ServiceRow, |s| in_figures: s.in_figures(), stored: StoredService::from_row(s));

/// About as many days: within a tenth of the longer period.
pub fn same_length(a: &Period, b: &Period) -> bool {
    let (x, y) = (a.days(), b.days());
    (x - y).abs() * 10 <= x.max(y)
}

/// The identity of a service across periods.
fn identity(s: &dyn ServiceCard) -> (String, String, String) {
    (
        s.municipality_code().to_string(),
        s.service_type().to_string(),
        key(s.service_name()),
    )
}

/// Matches services of two periods: pairs of indices into `then` and `now`
/// (None for the side without a match) and what matched them. Every index
/// appears once.
pub fn match_services<T: ServiceCard, N: ServiceCard>(
    then: &[&T],
    now: &[&N],
) -> Vec<(Option<usize>, Option<usize>, Option<MatchedBy>)> {
    let mut pairs = Vec::new();
    let mut used_then: BTreeSet<usize> = BTreeSet::new();
    let mut used_now: BTreeSet<usize> = BTreeSet::new();
    let mut by_identity: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    for (i, s) in then.iter().enumerate() {
        by_identity.entry(identity(*s)).or_default().push(i);
    }
    // By identity; several with one identity (rare: duplicates) are told apart by address, then provider.
    for (j, s) in now.iter().enumerate() {
        let Some(candidates) = by_identity.get(&identity(*s)) else {
            continue;
        };
        let free: Vec<usize> = candidates.iter().copied().filter(|i| !used_then.contains(i)).collect();
        let pick = free
            .iter()
            .copied()
            .find(|&i| key(then[i].address()) == key(s.address()))
            .or_else(|| {
                free.iter()
                    .copied()
                    .find(|&i| key(then[i].provider_name()) == key(s.provider_name()))
            })
            .or_else(|| free.first().copied());
        if let Some(i) = pick {
            used_then.insert(i);
            used_now.insert(j);
            pairs.push((Some(i), Some(j), Some(MatchedBy::Identity)));
        }
    }
    // A renamed service: the one left in its municipality and type at the same address, else with the same provider.
    for (how, part) in [
        (
            MatchedBy::Address,
            (|s: &dyn ServiceCard| key(s.address())) as fn(&dyn ServiceCard) -> String,
        ),
        (MatchedBy::Provider, |s: &dyn ServiceCard| key(s.provider_name())),
    ] {
        let tag = |s: &dyn ServiceCard| (s.municipality_code().to_string(), s.service_type().to_string(), part(s));
        let free_then: Vec<usize> = (0..then.len()).filter(|i| !used_then.contains(i)).collect();
        let free_now: Vec<usize> = (0..now.len()).filter(|j| !used_now.contains(j)).collect();
        for &j in &free_now {
            let t = tag(now[j]);
            if t.2.is_empty() {
                continue;
            }
            let on_then: Vec<usize> = free_then
                .iter()
                .copied()
                .filter(|&i| !used_then.contains(&i) && tag(then[i]) == t)
                .collect();
            let on_now = free_now
                .iter()
                .filter(|&&k| !used_now.contains(&k) && tag(now[k]) == t)
                .count();
            if let ([i], 1) = (on_then.as_slice(), on_now) {
                used_then.insert(*i);
                used_now.insert(j);
                pairs.push((Some(*i), Some(j), Some(how)));
            }
        }
    }
    pairs.extend(
        (0..then.len())
            .filter(|i| !used_then.contains(i))
            .map(|i| (Some(i), None, None)),
    );
    pairs.extend(
        (0..now.len())
            .filter(|j| !used_now.contains(j))
            .map(|j| (None, Some(j), None)),
    );
    pairs
}

/// The services of a period that take part in a comparison: those in its
/// figures, and, of the current period, every counted card (a card may say
/// that a service closed before the period).
fn candidates<'a, S: ServiceCard + 'a>(services: impl IntoIterator<Item = &'a S>, all_counted: bool) -> Vec<&'a S> {
    let mut out: Vec<&S> = services
        .into_iter()
        .filter(|s| s.in_figures() || (all_counted && s.counted()))
        .collect();
    // Those in the figures are matched first.
    out.sort_by_key(|s| !s.in_figures());
    out
}

/// The changes between the services of a stored period and those of a
/// later one (the run's own, borrowed: only those in a change are copied).
pub fn service_changes<'a, N: ServiceCard + 'a>(
    then: &[StoredService],
    now: impl IntoIterator<Item = &'a N>,
) -> Vec<ServiceChange> {
    let (then, now) = (candidates(then, false), candidates(now, true));
    let mut changes: Vec<ServiceChange> = match_services(&then, &now)
        .into_iter()
        .filter_map(|(i, j, how)| {
            let (t, n) = (i.map(|i| then[i]), j.map(|j| now[j]));
            let status = match (t, n) {
                (Some(_), Some(n)) if n.in_figures() && !n.closed_in_period() => ChangeStatus::Continued,
                (Some(_), _) => ChangeStatus::Closed,
                (None, Some(n)) if n.in_figures() => ChangeStatus::Opened,
                // A card of a service that is not in the figures and was not before: no change to show.
                _ => return None,
            };
            let now = n.map(ServiceCard::stored);
            Some(ServiceChange {
                status,
                service: now.clone().or_else(|| t.cloned())?,
                matched_by: how,
                then: t.cloned(),
                now,
            })
        })
        .collect();
    changes.sort_by(|a, b| {
        let (x, y) = (&a.service, &b.service);
        (
            &x.oblast_code,
            &x.municipality_code,
            &x.service_type,
            key(&x.service_name),
            a.status,
        )
            .cmp(&(
                &y.oblast_code,
                &y.municipality_code,
                &y.service_type,
                key(&y.service_name),
                b.status,
            ))
    });
    changes
}

fn figure_changes(oblast: &str, now: &[Figures], then: Option<&[Figures]>) -> Vec<FigureChange> {
    let mut out = Vec::new();
    let then_of = |code: &str| then.and_then(|t| t.iter().find(|f| f.municipality_code == code));
    let total_now = total_of(oblast, now.iter());
    let total_then = then.map(|t| total_of(oblast, t.iter()));
    let rows = now
        .iter()
        .map(|f| (f, then_of(&f.municipality_code)))
        .chain(std::iter::once((&total_now, total_then.as_ref())));
    for (current, earlier) in rows {
        for (i, figure) in FIGURES.iter().enumerate() {
            out.push(FigureChange {
                oblast_code: oblast.to_string(),
                municipality_code: current.municipality_code.clone(),
                name: if current.municipality_code.is_empty() {
                    oblast.to_string()
                } else {
                    current.municipality.clone()
                },
                figure: i,
                then: earlier.and_then(|e| (figure.get)(e)),
                now: (figure.get)(current),
            });
        }
    }
    out
}

/// Compares the run's periods (one per oblast; their services are the
/// run's aggregated `services`, borrowed) with the stored ones.
///
/// `compare_with` picks the earlier period; else the latest stored period
/// that ends before the run's begins. A stored copy of the run's own period
/// is left out everywhere: the run replaces it.
///
/// Errors: [`Error::Usage`] when `compare_with` is not stored for a one-oblast run.
pub fn compare(
    current: &[StoredPeriod],
    services: &[ServiceRow],
    mut stored: BTreeMap<String, Vec<StoredPeriod>>,
    compare_with: Option<Period>,
) -> Result<Comparison> {
    let mut comparison = Comparison {
        current: current.first().map(|c| c.meta.period),
        ..Comparison::default()
    };
    for now in current {
        let oblast = now.meta.oblast_code.clone();
        let period = now.meta.period;
        let mut earlier: Vec<StoredPeriod> = stored
            .remove(&oblast)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.meta.period != period)
            .collect();
        earlier.sort_by_key(|p| (p.meta.period.start, p.meta.period.end));
        let base = match compare_with {
            Some(wanted) => {
                let found = earlier.iter().position(|p| p.meta.period == wanted);
                if found.is_none() && current.len() == 1 {
                    let names: Vec<String> = earlier.iter().map(|p| p.meta.period.name()).collect();
                    return Err(Error::Usage(format!(
                        "--compare-with {}: no such period of {oblast} in the history; stored: {}",
                        wanted.name(),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    )));
                }
                found
            }
            None => earlier
                .iter()
                .enumerate()
                .filter(|(_, p)| p.meta.period.end < period.start)
                .max_by_key(|(_, p)| (p.meta.period.end, p.meta.period.start))
                .map(|(i, _)| i),
        };
        match base {
            Some(i) => {
                let then = &earlier[i];
                comparison.baselines.push(Baseline {
                    oblast_code: oblast.clone(),
                    meta: then.meta.clone(),
                    same_length: same_length(&then.meta.period, &period),
                });
                let now_services = services.iter().filter(|s| s.oblast_code == oblast);
                comparison
                    .services
                    .extend(service_changes(&then.services, now_services));
                comparison
                    .figures
                    .extend(figure_changes(&oblast, &now.municipalities, Some(&then.municipalities)));
            }
            None => comparison.without_baseline.push(oblast.clone()),
        }
        let mut points: Vec<TrendPoint> = earlier
            .iter()
            .map(|p| TrendPoint {
                period: p.meta.period,
                current: false,
                total: total_of(&oblast, p.municipalities.iter()),
                municipalities: p.municipalities.clone(),
            })
            .collect();
        points.push(TrendPoint {
            period,
            current: true,
            total: total_of(&oblast, now.municipalities.iter()),
            municipalities: now.municipalities.clone(),
        });
        points.sort_by_key(|p| (p.period.start, p.period.end));
        comparison.trends.push(Trend {
            oblast_code: oblast.clone(),
            points,
        });
        comparison.earlier.insert(oblast, earlier);
    }
    Ok(comparison)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_that_is_a_field_sum_is_called_as_the_schemas_call_the_field() {
        let schemas = Schemas::load(&crate::schema::SchemaSource::BuiltIn).unwrap();
        let label = |id: &str, lang: Lang| FIGURES.iter().find(|f| f.id == id).unwrap().label(&schemas, lang);
        assert_eq!(label(service::CAPACITY, Lang::Bg), "Капацитет (брой места)");
        assert_eq!(label(service::CAPACITY, Lang::En), "Capacity (places)");
        assert_eq!(label(municipal::POPULATION, Lang::Bg), "Население – общо");
        assert_eq!(label(dsp::CHILDREN_TOTAL, Lang::Bg), "ДСП: Деца 0–17 г. – общо");
        assert_eq!(label(dsp::CHILDREN_TOTAL, Lang::En), "DSP: Children 0–17 – total");
        assert_eq!(label("services", Lang::Bg), "Услуги");
        // Every figure of a field names one the schemas have.
        for figure in FIGURES {
            if let FigureLabel::Field { role, id } = figure.label {
                assert!(
                    schemas
                        .templates
                        .iter()
                        .any(|t| t.role == role && t.field_index(id).is_some()),
                    "{id}"
                );
            }
        }
    }

    fn service(name: &str, address: &str, provider: &str) -> StoredService {
        StoredService {
            file: String::new(),
            sheet: String::new(),
            template: "service_adults".into(),
            oblast_code: "RSE".into(),
            municipality_code: "RSE04".into(),
            municipality: "Бяла".into(),
            settlement: String::new(),
            service_type: "DC_ELDERLY".into(),
            service_name: name.into(),
            address: address.into(),
            provider_name: provider.into(),
            capacity: Some(20),
            avg_users: Some(15.0),
            users_served: Some(22),
            budget_state: Some(10_000.0),
            budget_local: None,
            budget_other: None,
            start_date: None,
            end_date: None,
            counted: true,
            in_figures: true,
            opened_in_period: false,
            closed_in_period: false,
        }
    }

    #[test]
    fn services_match_by_identity_then_address_then_provider() {
        let then = [
            service("ДЦ „Слънце“", "ул. Първа 1", "Община Бяла"),
            service("ДЦ „Надежда“", "ул. Втора 2", "Сдружение Надежда"),
            service("ДЦ „Мир“", "ул. Трета 3", "Фондация Мир"),
            service("ДЦ „Стар“", "ул. Четвърта 4", "Община Бяла"),
        ];
        let now = [
            // Same identity, written differently.
            service("дц  \"слънце\"", "ул. Първа 1", "Община Бяла"),
            // Renamed, same address.
            service("Дневен център Надежда", "ул. Втора 2", "Сдружение Надежда"),
            // Renamed and moved, same provider.
            service("Дневен център Мир", "ул. Нова 9", "Фондация Мир"),
            // New.
            service("ДЦ „Нов“", "ул. Пета 5", "Сдружение Ново"),
        ];
        let changes = service_changes(&then, &now);
        let status_of = |name: &str| {
            changes
                .iter()
                .find(|c| c.service.service_name == name)
                .map(|c| (c.status, c.matched_by))
        };
        assert_eq!(
            status_of("дц  \"слънце\""),
            Some((ChangeStatus::Continued, Some(MatchedBy::Identity)))
        );
        assert_eq!(
            status_of("Дневен център Надежда"),
            Some((ChangeStatus::Continued, Some(MatchedBy::Address)))
        );
        assert_eq!(
            status_of("Дневен център Мир"),
            Some((ChangeStatus::Continued, Some(MatchedBy::Provider)))
        );
        assert_eq!(status_of("ДЦ „Нов“"), Some((ChangeStatus::Opened, None)));
        assert_eq!(status_of("ДЦ „Стар“"), Some((ChangeStatus::Closed, None)));
        assert_eq!(changes.len(), 5);
    }

    #[test]
    fn periods_of_about_the_same_length_compare() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert!(same_length(&p("2017Q2"), &p("2017Q3")));
        assert!(same_length(&p("2017-02"), &p("2017-03")));
        assert!(!same_length(&p("2017Q3"), &p("2016-01-01..2017-06-30")));
        assert!(!same_length(&p("2017H1"), &p("2017Q3")));
    }
}
