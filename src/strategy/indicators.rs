//! The strategy's indicators: takes the accepted `strategy_indicators` rows
//! and gives each with its actual value — computed from the run's figures
//! when it names a figure key (the fixed vocabulary of STRATEGY.md §6), else
//! summed from the municipalities' reports — and its progress from the
//! baseline towards the target.

use crate::aggregate::{Aggregates, DSP_FIELDS, Figures};
use crate::normalize::key;
use crate::reference::{Reference, Table};
use crate::schema::fields::indicators as F;
use crate::schema::{Common, Role, Schemas};
use crate::validate::Record;

use super::activities::Activity;
use super::check::oblast_of;
use super::text_of;

/// Whom an indicator is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Oblast,
    /// A municipality of the oblast (code).
    Municipality(String),
    /// Neither; the closest municipalities (code, name).
    Unknown(Vec<(String, String)>),
}

/// Reads a scope: empty or the oblast („Област", „областта", its name or
/// code) is the oblast, else a municipality of the oblast.
pub fn resolve_scope(reference: &Reference, common: &Common, oblast: &str, written: &str) -> Scope {
    let k = key(written);
    if k.is_empty() || ["област", "областта", "oblast", "цялата област"].contains(&k.as_str())
    {
        return Scope::Oblast;
    }
    let oblasts = reference.oblast_candidates(written, &common.oblast_prefixes);
    if oblasts.iter().any(|&o| reference.oblasts[o].code == oblast) {
        return Scope::Oblast;
    }
    let found: Vec<usize> = reference
        .municipality_candidates(written, &common.municipality_prefixes)
        .into_iter()
        .filter(|&m| reference.municipalities[m].oblast_code == oblast)
        .collect();
    match found.as_slice() {
        [one] => Scope::Municipality(reference.municipalities[*one].code.clone()),
        _ => Scope::Unknown(
            reference
                .closest_municipalities(written, &common.municipality_prefixes)
                .into_iter()
                .filter(|&m| reference.municipalities[m].oblast_code == oblast)
                .map(|m| {
                    let m = &reference.municipalities[m];
                    (m.code.clone(), m.name_bg.clone())
                })
                .collect(),
        ),
    }
}

/// Which places a `capacity…` key counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Places {
    All,
    /// Of one service type (its code).
    Type(String),
    /// Of the types of one category (as in `service_types.csv`).
    Category(&'static str),
    Children,
    Elderly,
}

/// A figure an indicator is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FigureKey {
    /// Active services, all or of one type.
    Services(Option<String>),
    Capacity(Places),
    UsersServed,
    Dsp(&'static str),
    PlacesPer1000,
    ChildrenPlacesPer1000,
    ElderlyPlacesPer1000,
    /// A percentage.
    FamilyCareShare,
}

/// Reads a figure key (any case; a type by its code).
pub fn parse_figure_key(reference: &Reference, written: &str) -> Option<FigureKey> {
    let text = written.trim();
    let (head, tail) = match text.split_once(':') {
        Some((h, t)) => (h.trim().to_lowercase(), Some(t.trim())),
        None => (text.to_lowercase(), None),
    };
    let service_type = |t: &str| {
        reference
            .code_index(Table::ServiceTypes, t)
            .map(|i| reference.service_types[i].code.clone())
    };
    Some(match (head.as_str(), tail) {
        ("services", None) => FigureKey::Services(None),
        ("services", Some(t)) => FigureKey::Services(Some(service_type(t)?)),
        ("capacity", None) => FigureKey::Capacity(Places::All),
        ("capacity", Some(t)) => FigureKey::Capacity(match t.to_lowercase().as_str() {
            "community" => Places::Category("community"),
            "residential" => Places::Category("residential community"),
            "institution" => Places::Category("specialised institution"),
            "children" => Places::Children,
            "elderly" => Places::Elderly,
            _ => Places::Type(service_type(t)?),
        }),
        ("users_served", None) => FigureKey::UsersServed,
        ("dsp", Some(f)) => FigureKey::Dsp(DSP_FIELDS.iter().copied().find(|d| d.eq_ignore_ascii_case(f))?),
        ("places_per_1000", None) => FigureKey::PlacesPer1000,
        ("children_places_per_1000", None) => FigureKey::ChildrenPlacesPer1000,
        ("elderly_places_per_1000", None) => FigureKey::ElderlyPlacesPer1000,
        ("family_care_share", None) => FigureKey::FamilyCareShare,
        _ => return None,
    })
}

pub fn figure_key_valid(reference: &Reference, written: &str) -> bool {
    parse_figure_key(reference, written).is_some()
}

/// The valid keys, for messages (TYPE is a service type's code).
pub fn valid_figure_keys(_reference: &Reference) -> Vec<String> {
    let mut keys: Vec<String> = [
        "services",
        "services:TYPE",
        "capacity",
        "capacity:TYPE",
        "capacity:community",
        "capacity:residential",
        "capacity:institution",
        "capacity:children",
        "capacity:elderly",
        "users_served",
    ]
    .iter()
    .map(|k| (*k).to_string())
    .collect();
    keys.extend(DSP_FIELDS.iter().map(|f| format!("dsp:{f}")));
    keys.extend(
        [
            "places_per_1000",
            "children_places_per_1000",
            "elderly_places_per_1000",
            "family_care_share",
        ]
        .iter()
        .map(|k| (*k).to_string()),
    );
    keys
}

/// Where an indicator's actual value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Computed,
    Reported,
}

impl Source {
    pub fn csv(source: Option<Source>) -> &'static str {
        match source {
            Some(Source::Computed) => "computed",
            Some(Source::Reported) => "reported",
            None => "",
        }
    }
}

/// One indicator with its actual value and progress.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorValue {
    pub code: String,
    pub name: String,
    pub measure: String,
    pub unit: String,
    /// Empty for the oblast, else the municipality's code.
    pub scope: String,
    pub baseline: Option<f64>,
    pub baseline_year: Option<i64>,
    pub target: Option<f64>,
    pub target_year: Option<i64>,
    pub figure: String,
    pub actual: Option<f64>,
    pub source: Option<Source>,
}

impl IndicatorValue {
    /// `(actual − baseline) / (target − baseline)`, when all are known and
    /// the target differs from the baseline.
    pub fn progress(&self) -> Option<f64> {
        let (a, b, t) = (self.actual?, self.baseline?, self.target?);
        ((t - b).abs() > 1e-12).then(|| (a - b) / (t - b))
    }
}

/// The value of a figure key for the oblast or one municipality.
pub fn compute(
    aggregates: &Aggregates,
    reference: &Reference,
    oblast: &str,
    scope: &Scope,
    key: &FigureKey,
) -> Option<f64> {
    let figures: Option<&Figures> = match scope {
        Scope::Oblast => aggregates.oblast_totals.iter().find(|f| f.oblast_code == oblast),
        Scope::Municipality(m) => aggregates.by_municipality.iter().find(|f| &f.municipality_code == m),
        Scope::Unknown(_) => return None,
    };
    let services = || {
        aggregates.services.iter().filter(move |s| {
            s.in_figures()
                && s.oblast_code == oblast
                && match scope {
                    Scope::Municipality(m) => &s.municipality_code == m,
                    _ => true,
                }
        })
    };
    let category_of = |code: &str| reference.service_type(code).map(|t| t.category.as_str());
    match key {
        FigureKey::Services(None) => Some(services().count() as f64),
        FigureKey::Services(Some(t)) => Some(services().filter(|s| &s.service_type == t).count() as f64),
        FigureKey::Capacity(Places::All) => Some(figures?.capacity as f64),
        FigureKey::Capacity(Places::Type(t)) => Some(
            services()
                .filter(|s| &s.service_type == t)
                .filter_map(|s| s.capacity)
                .sum::<i64>() as f64,
        ),
        FigureKey::Capacity(Places::Category(c)) => Some(
            services()
                .filter(|s| category_of(&s.service_type) == Some(*c))
                .filter_map(|s| s.capacity)
                .sum::<i64>() as f64,
        ),
        FigureKey::Capacity(Places::Children) => Some(figures?.capacity_children as f64),
        FigureKey::Capacity(Places::Elderly) => Some(figures?.capacity_elderly as f64),
        FigureKey::UsersServed => Some(figures?.users_served as f64),
        FigureKey::Dsp(field) => figures?.dsp_value(field).map(|v| v as f64),
        FigureKey::PlacesPer1000 => figures?.places_per_1000(),
        FigureKey::ChildrenPlacesPer1000 => figures?.children_places_per_1000(),
        FigureKey::ElderlyPlacesPer1000 => figures?.elderly_places_per_1000(),
        FigureKey::FamilyCareShare => figures?.family_care_share().map(|s| s * 100.0),
    }
}

/// The oblast's accepted indicators with their actual values.
pub fn values(
    schemas: &Schemas,
    records: &[Record],
    oblast: &str,
    single: bool,
    aggregates: &Aggregates,
    activities: &[Activity],
) -> Vec<IndicatorValue> {
    let run_oblast = single.then_some(oblast);
    let reference = &schemas.reference;
    let mut out = Vec::new();
    for r in records {
        let t = &schemas.templates[r.template];
        if t.role != Role::StrategyIndicators || !r.accepted() || oblast_of(r, run_oblast) != Some(oblast) {
            continue;
        }
        let Some(code) = text_of(t, r, F::CODE) else { continue };
        let scope_text = text_of(t, r, F::SCOPE).unwrap_or_default();
        let scope = resolve_scope(reference, &schemas.common, oblast, &scope_text);
        let figure = text_of(t, r, F::FIGURE).unwrap_or_default();
        let number = |id: &str| r.get(t, id).and_then(|v| v.as_f64());
        let int = |id: &str| match r.get(t, id) {
            Some(crate::validate::Value::Int(i)) => Some(*i),
            _ => None,
        };
        let (actual, source) = match parse_figure_key(reference, &figure) {
            Some(k) => (
                compute(aggregates, reference, oblast, &scope, &k),
                Some(Source::Computed),
            ),
            None => {
                let reported: Vec<f64> = activities
                    .iter()
                    .filter(|a| key(&a.indicator) == key(&code))
                    .filter(|a| match &scope {
                        Scope::Municipality(m) => &a.municipality_code == m,
                        _ => true,
                    })
                    .filter_map(|a| a.value)
                    .collect();
                if reported.is_empty() {
                    (None, None)
                } else {
                    (Some(reported.iter().sum()), Some(Source::Reported))
                }
            }
        };
        out.push(IndicatorValue {
            code,
            name: text_of(t, r, F::NAME).unwrap_or_default(),
            measure: text_of(t, r, F::MEASURE).unwrap_or_default(),
            unit: text_of(t, r, F::UNIT).unwrap_or_default(),
            scope: match &scope {
                Scope::Municipality(m) => m.clone(),
                _ => String::new(),
            },
            baseline: number(F::BASELINE),
            baseline_year: int(F::BASELINE_YEAR),
            target: number(F::TARGET),
            target_year: int(F::TARGET_YEAR),
            figure,
            actual,
            source: if actual.is_some() { source } else { None },
        });
    }
    out
}
