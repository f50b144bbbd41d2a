//! The strategy's returns of an oblast (STRATEGY.md): takes the oblast's
//! world as drawn for the base period and gives the plan of services as
//! adopted and as updated, the indicators of its logical framework, and
//! each municipality's report on its own strategy (all but one, which sent
//! none), laid out as tables with a title block, with honest mistakes of
//! their own planted in a share of the files.
//!
//! The plan is drawn from the world, so that each planned action has the
//! status a careful analyst tells from the cards: openings and closures the
//! cards date, a capacity the cards show, and actions not done or not yet
//! due. It draws from a generator of its own (derived from the seed and
//! "<oblast> strategy"), so the other returns come out as they did without
//! it, and the plan is the same for a later period of the same world.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use super::forms::{self, Fact, Facts, Written, plus};
use super::mistakes::Mistake;
use super::model::{Municipality, Service};
use super::plan::{Column, Planner, Record, Return, Row, Sheet, Subject, TableSheet, TableStyle, TitleLine};
use super::registry::{ReportSent, SentReport, council_deadline, report_kinds};
use super::rng::Rng;
use crate::book::BookFormat;
use crate::normalize::key;
use crate::period::Period;
use crate::schema::Template;
use crate::schema::fields::service;

/// The years of the sample's strategies (the strategies of 2016–2020).
pub(crate) const FIRST_YEAR: i32 = 2016;
pub(crate) const LAST_YEAR: i32 = 2020;

/// The status a planned action is drawn to have, every card accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meant {
    Done,
    Overdue,
    NotDue,
}

/// One planned action as drawn.
#[derive(Debug, Clone)]
struct Action {
    municipality: String,
    /// `OPEN`, `EXPAND`, `REDUCE`, `CLOSE`.
    action: &'static str,
    service_type: String,
    service_name: Option<String>,
    capacity: Option<i64>,
    year: i32,
    financing: Option<String>,
    /// In stotinki.
    cost: Option<i64>,
    measure: &'static str,
    meant: Meant,
    /// Only in the update (added by it).
    added: bool,
}

fn word(action: &str) -> &'static str {
    match action {
        "OPEN" => "откриване",
        "EXPAND" => "разширяване",
        "REDUCE" => "намаляване",
        _ => "закриване",
    }
}

fn measure(action: &str, category: &str) -> &'static str {
    match (action, category) {
        ("OPEN", "community") => "2.1.1",
        ("OPEN", _) => "2.2.1",
        ("EXPAND", _) => "2.1.2",
        ("REDUCE", _) => "3.1.2",
        _ => "3.1.1",
    }
}

/// The templates of the strategy, by index in the schemas.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrategyTemplates {
    pub(crate) plan: usize,
    pub(crate) indicators: usize,
    pub(crate) report: usize,
}

/// The plan, the indicators and the reports of one oblast. `world` is the
/// oblast as drawn for the base period `base`; the reports are for `period`
/// (the base period, or the later one).
#[allow(clippy::too_many_arguments)]
pub(crate) fn oblast_returns(
    planner: &mut Planner,
    templates: StrategyTemplates,
    oblast: &str,
    folder: &str,
    world: &[Municipality],
    base: Period,
    period: Period,
    share: f64,
    calendar: &mut Rng,
) -> (Vec<Return>, Vec<SentReport>) {
    let actions = draw_plan(planner, world, base);
    // The update: the middle of the base period, so that the run uses it.
    let updated_on = plus(base.start, base.days() / 2);
    let oblast_name = planner.writer.forms.oblast_name(oblast);
    let stem = oblast_name.replace(' ', "_");
    let mut returns = Vec::new();
    let adopted: Vec<Action> = adopted_version(planner, &actions);
    let plan_file = |updated: Option<NaiveDate>| match updated {
        None => format!("{folder}Стратегия/План_за_развитие_на_социалните_услуги_{stem}_{FIRST_YEAR}"),
        Some(d) => format!(
            "{folder}Стратегия/План_за_развитие_на_социалните_услуги_{stem}_актуализация_{}",
            d.year()
        ),
    };
    let sheet = plan_sheet(planner, templates, oblast, &adopted, None);
    returns.push(file(plan_file(None), oblast, sheet, BookFormat::Xlsx));
    let sheet = plan_sheet(planner, templates, oblast, &actions, Some(updated_on));
    returns.push(file(plan_file(Some(updated_on)), oblast, sheet, BookFormat::Xlsx));
    let (sheet, reported) = indicators_sheet(planner, templates, oblast, world, base);
    returns.push(file(
        format!("{folder}Стратегия/Индикатори_{stem}"),
        oblast,
        sheet,
        BookFormat::Xlsx,
    ));
    // One municipality sent no report (not the oblast's centre).
    let silent = if world.len() > 2 {
        Some(1 + planner.dice.rng.below(world.len() - 1))
    } else {
        None
    };
    // How each report comes, from the calendar's own generator, so that
    // the reports read as they did before the calendar.
    let reporting: Vec<String> = world
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != silent)
        .map(|(_, m)| m.code.clone())
        .collect();
    let kinds = report_kinds(calendar, &reporting);
    let mut sent = Vec::new();
    for (i, m) in world.iter().enumerate() {
        if Some(i) == silent {
            continue;
        }
        let mine: Vec<&Action> = actions.iter().filter(|a| a.municipality == m.code).collect();
        let kind = kinds.get(&m.code).copied().unwrap_or(ReportSent::OnTime);
        let (sheet, filled_on, decision) = report_sheet(planner, templates, oblast, m, &mine, &reported, period, kind);
        sent.push((returns.len(), m.code.clone(), kind, filled_on, decision));
        let name = m.name.replace(' ', "_");
        let format = if planner.dice.rng.chance(0.1) {
            BookFormat::Ods
        } else {
            BookFormat::Xlsx
        };
        returns.push(file(
            format!(
                "{folder}{}/Отчет_общинска_стратегия_{name}_{}",
                m.name,
                period.end.year()
            ),
            oblast,
            sheet,
            format,
        ));
    }
    plant(planner, &mut returns, share);
    super::plan::unique_names(&mut returns);
    let reports = sent
        .into_iter()
        .map(|(i, municipality, kind, filled_on, decision)| SentReport {
            oblast: oblast.to_string(),
            municipality,
            file: returns[i].relative.clone(),
            kind,
            filled_on,
            decision,
        })
        .collect();
    (returns, reports)
}

fn file(relative: String, oblast: &str, sheet: TableSheet, format: BookFormat) -> Return {
    Return {
        relative,
        format,
        oblast: oblast.to_string(),
        sheets: vec![Sheet::Table(sheet)],
        instructions: false,
        marker: false,
        empty_sheet: false,
    }
}

fn started(s: &Service) -> Option<NaiveDate> {
    forms::date(&s.facts, service::START_DATE)
}

fn ended(s: &Service) -> Option<NaiveDate> {
    forms::date(&s.facts, service::END_DATE)
}

fn name_of(s: &Service) -> Option<String> {
    forms::text(&s.facts, service::SERVICE_NAME).map(str::to_string)
}

fn financing_of(s: &Service) -> Option<String> {
    match s.facts.get(service::FINANCING) {
        Some(Fact::Financing(code)) => Some(code.clone()),
        _ => None,
    }
}

/// The planned actions of every municipality, drawn from its services.
fn draw_plan(planner: &mut Planner, world: &[Municipality], base: Period) -> Vec<Action> {
    let reference = &planner.schemas.reference;
    let first_day = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(base.start);
    let end_year = base.end.year();
    let rng = &mut planner.dice.rng;
    let mut actions = Vec::new();
    for m in world {
        let mut taken: BTreeSet<(&'static str, String, String)> = BTreeSet::new();
        let mut push = |actions: &mut Vec<Action>, a: Action| {
            let identity = (
                a.action,
                a.service_type.clone(),
                key(a.service_name.as_deref().unwrap_or("")),
            );
            if taken.insert(identity) {
                actions.push(a);
            }
        };
        let capacity = |s: &Service| forms::int(&s.facts, service::CAPACITY);
        let action = |kind: &'static str, s: &Service, year: i32, meant: Meant| Action {
            municipality: m.code.clone(),
            action: kind,
            service_type: s.type_code.clone(),
            service_name: name_of(s),
            capacity: capacity(s),
            year,
            financing: financing_of(s),
            cost: None,
            measure: measure(kind, &s.category),
            meant,
            added: false,
        };
        let in_strategy = |d: NaiveDate| d >= first_day && d <= base.end;
        // Openings the cards date: in time, now and then a year late or with fewer places.
        for s in m
            .services
            .iter()
            .filter(|s| started(s).is_some_and(in_strategy))
            .take(3)
        {
            let start = started(s).map_or(end_year, |d| d.year());
            let late = start > FIRST_YEAR && rng.chance(0.3);
            let mut a = action("OPEN", s, if late { start - 1 } else { start }, Meant::Done);
            if rng.chance(0.25) {
                a.capacity = a.capacity.map(|c| c + rng.range(2, 4));
            }
            a.cost = Some(rng.range(40, 400) * 100_000);
            push(&mut actions, a);
        }
        // Openings due later (their services open after the period).
        for s in m
            .services
            .iter()
            .filter(|s| started(s).is_some_and(|d| d > base.end))
            .take(1)
        {
            let year = started(s).map_or(end_year, |d| d.year()).clamp(end_year, LAST_YEAR);
            let mut a = action("OPEN", s, year, Meant::NotDue);
            a.cost = Some(rng.range(40, 400) * 100_000);
            push(&mut actions, a);
        }
        // Closures the cards date.
        for s in m.services.iter().filter(|s| ended(s).is_some_and(in_strategy)).take(2) {
            let year = ended(s).map_or(end_year, |d| d.year());
            let mut a = action("CLOSE", s, year, Meant::Done);
            a.capacity = None;
            push(&mut actions, a);
        }
        // Changes of capacity of services that run on.
        let running: Vec<&Service> = m
            .services
            .iter()
            .filter(|s| s.active && started(s).is_some_and(|d| d < first_day) && ended(s).is_none())
            .collect();
        if !running.is_empty() {
            let s = running[rng.below(running.len())];
            let kind = if s.category == "specialised institution" {
                "REDUCE"
            } else {
                "EXPAND"
            };
            let year = if rng.chance(0.5) { FIRST_YEAR } else { end_year };
            push(&mut actions, action(kind, s, year, Meant::Done));
        }
        if running.len() > 2 && rng.chance(0.6) {
            let s = running[rng.below(running.len())];
            let (overdue, year) = if rng.chance(0.5) {
                (true, FIRST_YEAR)
            } else {
                (false, rng.range(i64::from(end_year) + 1, i64::from(LAST_YEAR)) as i32)
            };
            let mut a = action("EXPAND", s, year, if overdue { Meant::Overdue } else { Meant::NotDue });
            a.capacity = a.capacity.map(|c| c + rng.range(3, 8));
            a.cost = Some(rng.range(5, 60) * 100_000);
            push(&mut actions, a);
        }
        // A new service of a type the municipality lacks: overdue or not yet due.
        let present: BTreeSet<&str> = m.services.iter().map(|s| s.type_code.as_str()).collect();
        let wanted: Vec<&crate::reference::ServiceType> = reference
            .service_types
            .iter()
            .filter(|t| t.category != "specialised institution" && !present.contains(t.code.as_str()))
            .filter(|t| {
                matches!(
                    t.code.as_str(),
                    "DC_ELDERLY"
                        | "CSRI"
                        | "CSC"
                        | "DC_CH_AD_DIS"
                        | "CNST_AD_ID"
                        | "CNST_CH_DIS"
                        | "PROT_HOME"
                        | "SUPERV_HOUSING"
                        | "CRISIS_CENTRE"
                        | "HOME_PATRONAGE"
                )
            })
            .collect();
        if !wanted.is_empty() {
            let t = wanted[rng.below(wanted.len())];
            let overdue = rng.chance(0.5) && end_year > FIRST_YEAR;
            let year = if overdue {
                FIRST_YEAR
            } else {
                rng.range(i64::from(end_year) + 1, i64::from(LAST_YEAR)) as i32
            };
            let places = if t.category == "residential community" {
                rng.range(8, 14)
            } else {
                rng.range(15, 40)
            };
            push(
                &mut actions,
                Action {
                    municipality: m.code.clone(),
                    action: "OPEN",
                    service_type: t.code.clone(),
                    service_name: None,
                    capacity: Some(places),
                    year,
                    financing: Some(
                        if rng.chance(0.5) {
                            "PROJECT_OPHRD"
                        } else {
                            "STATE_DELEGATED"
                        }
                        .to_string(),
                    ),
                    cost: Some(rng.range(80, 900) * 100_000),
                    measure: measure("OPEN", &t.category),
                    meant: if overdue { Meant::Overdue } else { Meant::NotDue },
                    added: false,
                },
            );
        }
    }
    // The update added about one action in five.
    for a in actions.iter_mut() {
        a.added = rng.chance(0.2);
    }
    actions
}

/// The plan as adopted: without what the update added, with one action the
/// update dropped and one whose places or year it changed.
fn adopted_version(planner: &mut Planner, actions: &[Action]) -> Vec<Action> {
    let rng = &mut planner.dice.rng;
    let mut adopted: Vec<Action> = actions.iter().filter(|a| !a.added).cloned().collect();
    let changeable: Vec<usize> = (0..adopted.len())
        .filter(|&i| adopted[i].action == "OPEN" && adopted[i].meant != Meant::Done)
        .collect();
    if !changeable.is_empty() {
        let i = changeable[rng.below(changeable.len())];
        if rng.chance(0.5) {
            adopted[i].capacity = adopted[i].capacity.map(|c| c + 5);
        } else {
            adopted[i].year = (adopted[i].year - 1).max(FIRST_YEAR);
        }
    }
    // A day centre the update dropped.
    if let Some(first) = actions.first() {
        let taken = actions
            .iter()
            .any(|a| a.municipality == first.municipality && a.service_type == "DC_ELDERLY" && a.action == "OPEN");
        if !taken {
            adopted.push(Action {
                municipality: first.municipality.clone(),
                action: "OPEN",
                service_type: "DC_ELDERLY".into(),
                service_name: None,
                capacity: Some(30),
                year: LAST_YEAR,
                financing: Some("LOCAL".into()),
                cost: Some(25_000_000),
                measure: "2.1.1",
                meant: Meant::NotDue,
                added: false,
            });
        }
    }
    adopted
}

/// A table's columns: every body field's label (now and then an alias).
fn columns(planner: &mut Planner, t: &Template, skip: &[&str]) -> Vec<Column> {
    t.body_fields()
        .filter(|(_, f)| !skip.contains(&f.id.as_str()))
        .map(|(_, f)| Column {
            field: f.id.clone(),
            group: None,
            header: if f.aliases.is_empty() || planner.dice.rng.chance(0.8) {
                f.label.clone()
            } else {
                f.aliases[0].clone()
            },
        })
        .collect()
}

fn record(municipality: &str) -> Record {
    Record {
        subject: Subject::Strategy,
        municipality: municipality.to_string(),
        facts: Facts::new(),
        planted: Vec::new(),
    }
}

fn year(y: i32) -> Written {
    Written::Number(f64::from(y))
}

fn plan_sheet(
    planner: &mut Planner,
    templates: StrategyTemplates,
    oblast: &str,
    actions: &[Action],
    updated_on: Option<NaiveDate>,
) -> TableSheet {
    let t = &planner.schemas.templates[templates.plan];
    let columns = columns(planner, t, &["target_group", "note"]);
    let oblast_name = planner.writer.forms.oblast_name(oblast);
    let mut title = vec![
        TitleLine::Text(format!("План за развитие на социалните услуги в област {oblast_name}")),
        TitleLine::Pair(
            "Област:".into(),
            Written::Text(planner.writer.oblast(&mut planner.dice, oblast)),
        ),
        TitleLine::Pair(
            "Стратегия:".into(),
            Written::Text(format!(
                "Областна стратегия за развитие на социалните услуги {FIRST_YEAR}–{LAST_YEAR}"
            )),
        ),
        TitleLine::Pair(
            "Период на стратегията:".into(),
            Written::Text(format!("{FIRST_YEAR}–{LAST_YEAR}")),
        ),
    ];
    if let Some(d) = updated_on {
        title.push(TitleLine::Pair("Актуализация от:".into(), Written::Date(d)));
    }
    let mut rows = Vec::new();
    for a in actions {
        let mut values: BTreeMap<String, Written> = BTreeMap::new();
        let dice = &mut planner.dice;
        values.insert(
            "municipality".into(),
            Written::Text(planner.writer.municipality(dice, &a.municipality)),
        );
        values.insert("action".into(), Written::Text(word(a.action).into()));
        let type_field = t.fields.iter().find(|f| f.id == "service_type");
        if let Some(f) = type_field {
            values.insert(
                "service_type".into(),
                planner
                    .writer
                    .write(dice, f, &Fact::ServiceType(a.service_type.clone()), None),
            );
        }
        if let Some(name) = &a.service_name {
            values.insert("service_name".into(), Written::Text(name.clone()));
        }
        if let Some(c) = a.capacity {
            values.insert("capacity".into(), Written::Number(c as f64));
        }
        values.insert("year".into(), year(a.year));
        if let (Some(code), Some(f)) = (&a.financing, t.fields.iter().find(|f| f.id == "financing")) {
            values.insert(
                "financing".into(),
                planner.writer.write(dice, f, &Fact::Financing(code.clone()), None),
            );
        }
        if let Some(cost) = a.cost {
            values.insert("cost".into(), Written::Number(cost as f64 / 100.0));
        }
        values.insert("measure".into(), Written::Text(a.measure.into()));
        rows.push(Row {
            values,
            record: record(&a.municipality),
        });
    }
    let (first, last) = super::names::person(&mut planner.dice.rng);
    TableSheet {
        name: if updated_on.is_some() {
            "План актуализация".into()
        } else {
            "План".into()
        },
        template: templates.plan,
        style: TableStyle {
            number_column: true,
            two_row_header: false,
            column_numbers: planner.dice.rng.chance(0.5),
        },
        title,
        columns,
        rows,
        totals: None,
        footer: Some(format!("Изготвил: {first} {last}")),
    }
}

/// An indicator as drawn.
struct Indicator {
    code: &'static str,
    name: &'static str,
    measure: &'static str,
    unit: &'static str,
    baseline: f64,
    target: f64,
    figure: Option<&'static str>,
    scope: Option<String>,
}

/// The indicators' sheet, and the codes of those the municipalities report.
fn indicators_sheet(
    planner: &mut Planner,
    templates: StrategyTemplates,
    oblast: &str,
    world: &[Municipality],
    base: Period,
) -> (TableSheet, Vec<&'static str>) {
    let active: Vec<&Service> = world
        .iter()
        .flat_map(|m| m.services.iter())
        .filter(|s| forms::active(&s.facts, base))
        .collect();
    let places = |f: &dyn Fn(&Service) -> bool| -> f64 {
        active
            .iter()
            .filter(|s| f(s))
            .map(|s| forms::int(&s.facts, service::CAPACITY).unwrap_or(0))
            .sum::<i64>() as f64
    };
    let population: i64 = world.iter().map(|m| m.population).sum();
    let all = places(&|_| true);
    let per_1000 = if population > 0 {
        all * 1000.0 / population as f64
    } else {
        0.0
    };
    let centre = world
        .iter()
        .max_by_key(|m| m.population)
        .map(|m| (m.name.clone(), m.code.clone()));
    let centre_places = centre.as_ref().map_or(0.0, |(_, code)| {
        world
            .iter()
            .filter(|m| &m.code == code)
            .flat_map(|m| m.services.iter())
            .filter(|s| forms::active(&s.facts, base))
            .map(|s| forms::int(&s.facts, service::CAPACITY).unwrap_or(0))
            .sum::<i64>() as f64
    });
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    let rng = &mut planner.dice.rng;
    let mut grow = |x: f64| -> (f64, f64) {
        let baseline = (x * rng.between(0.75, 0.9)).round();
        (baseline, (x * rng.between(1.1, 1.3)).round().max(baseline + 1.0))
    };
    let (b1, t1) = grow(active.len() as f64);
    let (b2, t2) = grow(places(&|s| s.category == "community"));
    let institutions = places(&|s| s.category == "specialised institution");
    let (b4, t4) = grow(places(&|s| s.card == crate::reference::Card::Children));
    let (b7, t7) = grow(centre_places);
    let mut list = vec![
        Indicator {
            code: "И1",
            name: "Брой на социалните услуги",
            measure: "2.1.1",
            unit: "брой",
            baseline: b1,
            target: t1,
            figure: Some("services"),
            scope: None,
        },
        Indicator {
            code: "И2",
            name: "Капацитет на социалните услуги в общността",
            measure: "2.1.1",
            unit: "места",
            baseline: b2,
            target: t2,
            figure: Some("capacity:community"),
            scope: None,
        },
        Indicator {
            code: "И3",
            name: "Места в специализирани институции",
            measure: "3.1.1",
            unit: "места",
            baseline: (institutions * rng.between(1.2, 1.6)).round().max(1.0),
            target: (institutions * 0.5).round(),
            figure: Some("capacity:institution"),
            scope: None,
        },
        Indicator {
            code: "И4",
            name: "Места в услуги за деца",
            measure: "2.2.1",
            unit: "места",
            baseline: b4,
            target: t4,
            figure: Some("capacity:children"),
            scope: None,
        },
        Indicator {
            code: "И5",
            name: "Места в социални услуги на 1000 жители",
            measure: "2.1.2",
            unit: "брой",
            baseline: round1(per_1000 * 0.85),
            target: round1(per_1000 * 1.2).max(round1(per_1000 * 0.85) + 0.1),
            figure: Some("places_per_1000"),
            scope: None,
        },
        Indicator {
            code: "И6",
            name: "Деца, настанени в специализирани институции",
            measure: "3.1.1",
            unit: "брой",
            baseline: rng.range(20, 60) as f64,
            target: 0.0,
            figure: Some("dsp:children_institutions"),
            scope: None,
        },
        Indicator {
            code: "И8",
            name: "Обучени служители в социалните услуги",
            measure: "4.1.1",
            unit: "брой",
            baseline: 0.0,
            target: (world.len() as i64 * rng.range(12, 20)) as f64,
            figure: None,
            scope: None,
        },
        Indicator {
            code: "И9",
            name: "Проведени информационни кампании",
            measure: "4.2.1",
            unit: "брой",
            baseline: 0.0,
            target: (world.len() * 3) as f64,
            figure: None,
            scope: None,
        },
    ];
    if let Some((name, _)) = centre {
        list.insert(
            6,
            Indicator {
                code: "И7",
                name: "Капацитет на социалните услуги в областния център",
                measure: "2.1.2",
                unit: "места",
                baseline: b7,
                target: t7,
                figure: Some("capacity"),
                scope: Some(format!("община {name}")),
            },
        );
    }
    let t = &planner.schemas.templates[templates.indicators];
    let columns = columns(planner, t, &[]);
    let oblast_name = planner.writer.forms.oblast_name(oblast);
    let title = vec![
        TitleLine::Text(format!(
            "Индикатори за изпълнение на Областната стратегия за развитие на социалните услуги {FIRST_YEAR}–{LAST_YEAR}"
        )),
        TitleLine::Pair(
            "Област:".into(),
            Written::Text(planner.writer.oblast(&mut planner.dice, oblast)),
        ),
    ];
    let _ = oblast_name;
    let rows = list
        .iter()
        .map(|i| {
            let mut values: BTreeMap<String, Written> = BTreeMap::new();
            values.insert("code".into(), Written::Text(i.code.into()));
            values.insert("name".into(), Written::Text(i.name.into()));
            values.insert("measure".into(), Written::Text(i.measure.into()));
            values.insert("unit".into(), Written::Text(i.unit.into()));
            values.insert("baseline".into(), Written::Number(i.baseline));
            values.insert("baseline_year".into(), year(FIRST_YEAR - 1));
            values.insert("target".into(), Written::Number(i.target));
            values.insert("target_year".into(), year(LAST_YEAR));
            if let Some(f) = i.figure {
                values.insert("figure".into(), Written::Text(f.into()));
            }
            if let Some(s) = &i.scope {
                values.insert("scope".into(), Written::Text(s.clone()));
            }
            Row {
                values,
                record: record(""),
            }
        })
        .collect();
    let reported = list.iter().filter(|i| i.figure.is_none()).map(|i| i.code).collect();
    (
        TableSheet {
            name: "Индикатори".into(),
            template: templates.indicators,
            style: TableStyle {
                number_column: false,
                two_row_header: false,
                column_numbers: false,
            },
            title,
            columns,
            rows,
            totals: None,
            footer: None,
        },
        reported,
    )
}

const DIFFICULTIES: &[&str] = &[
    "Не е осигурено финансиране по проекта.",
    "Процедурата по ОП РЧР 2014–2020 не е открита.",
    "Няма подходяща сграда; търси се общински имот.",
    "Не са намерени специалисти за персонала.",
];

#[allow(clippy::too_many_arguments)]
fn report_sheet(
    planner: &mut Planner,
    templates: StrategyTemplates,
    oblast: &str,
    m: &Municipality,
    actions: &[&Action],
    reported: &[&'static str],
    period: Period,
    kind: ReportSent,
) -> (TableSheet, NaiveDate, Option<NaiveDate>) {
    let t = &planner.schemas.templates[templates.report];
    let columns = columns(planner, t, &["comment"]);
    let (first, last) = super::names::person(&mut planner.dice.rng);
    let dice = &mut planner.dice;
    let oblast_written = planner.writer.oblast(dice, oblast);
    // The council's decision: some weeks after the period (after the
    // council's deadline when drawn late; none yet in a draft).
    let number = dice.rng.range(100, 900);
    let after = dice.rng.range(20, 40);
    let decision = match kind {
        ReportSent::OnTime | ReportSent::Late => Some(plus(period.end, after)),
        ReportSent::DecisionLate => Some(plus(council_deadline(period), after - 17)),
        ReportSent::NoDecision => None,
    };
    let filled_on = plus(period.end, dice.rng.range(5, 15));
    let title = vec![
        TitleLine::Text(format!(
            "Отчет за изпълнението на общинската стратегия за развитие на социалните услуги – община {}",
            m.name
        )),
        TitleLine::Pair("Област:".into(), Written::Text(oblast_written)),
        TitleLine::Pair("Община:".into(), Written::Text(m.name.clone())),
        TitleLine::Pair("Отчетен период от:".into(), Written::Date(period.start)),
        TitleLine::Pair("Отчетен период до:".into(), Written::Date(period.end)),
        TitleLine::Pair(
            "Решение на Общинския съвет за приемане (№, дата):".into(),
            decision.map_or(Written::Empty, |on| {
                Written::Text(format!("№ {number}/{}", forms::date_text(on)))
            }),
        ),
        TitleLine::Pair("Дата на попълване:".into(), Written::Date(filled_on)),
        TitleLine::Pair("Попълнил:".into(), Written::Text(format!("{first} {last}"))),
        TitleLine::Pair(
            "Телефон, e-mail:".into(),
            Written::Text(super::model::contact(&mut dice.rng, m, first, last)),
        ),
    ];
    let mut rows = Vec::new();
    for a in actions {
        let mut values: BTreeMap<String, Written> = BTreeMap::new();
        let what = planner
            .schemas
            .reference
            .service_type(&a.service_type)
            .map_or(a.service_type.clone(), |s| s.name_bg.clone());
        let activity = match (a.action, &a.service_name) {
            ("OPEN", Some(name)) => format!("Разкриване на {name}"),
            ("OPEN", None) => format!("Разкриване на {what}"),
            ("EXPAND", name) => format!("Разширяване на {}", name.as_deref().unwrap_or(&what)),
            ("REDUCE", name) => format!("Намаляване на капацитета на {}", name.as_deref().unwrap_or(&what)),
            (_, name) => format!("Закриване на {}", name.as_deref().unwrap_or(&what)),
        };
        values.insert("measure".into(), Written::Text(a.measure.into()));
        values.insert("activity".into(), Written::Text(activity));
        let status = match a.meant {
            Meant::Done => "изпълнена",
            Meant::NotDue => "изпълнява се",
            Meant::Overdue if dice.rng.chance(0.5) => "отложена",
            Meant::Overdue => "неизпълнена",
        };
        values.insert("status".into(), Written::Text(status.into()));
        if a.meant == Meant::Overdue {
            values.insert(
                "difficulties".into(),
                Written::Text((*dice.rng.pick(DIFFICULTIES)).into()),
            );
        }
        if a.meant == Meant::Done && a.action != "CLOSE" {
            values.insert("funds".into(), Written::Number(dice.rng.range(20_000, 400_000) as f64));
            if let (Some(code), Some(f)) = (&a.financing, t.fields.iter().find(|f| f.id == "financing")) {
                values.insert(
                    "financing".into(),
                    planner.writer.write(dice, f, &Fact::Financing(code.clone()), None),
                );
            }
        }
        rows.push(Row {
            values,
            record: record(&m.code),
        });
    }
    for (i, code) in reported.iter().enumerate() {
        let mut values: BTreeMap<String, Written> = BTreeMap::new();
        let (measure, activity) = if i == 0 {
            ("4.1.1", "Обучение на персонала на социалните услуги")
        } else {
            ("4.2.1", "Информационна кампания за социалните услуги в общината")
        };
        values.insert("measure".into(), Written::Text(measure.into()));
        values.insert("activity".into(), Written::Text(activity.into()));
        values.insert("status".into(), Written::Text("изпълнява се".into()));
        values.insert("indicator".into(), Written::Text((*code).into()));
        let value = if i == 0 {
            dice.rng.range(3, 12)
        } else {
            dice.rng.range(0, 2)
        };
        values.insert("value".into(), Written::Number(value as f64));
        rows.push(Row {
            values,
            record: record(&m.code),
        });
    }
    let sheet = TableSheet {
        name: "Отчет".into(),
        template: templates.report,
        style: TableStyle {
            number_column: dice.rng.chance(0.5),
            two_row_header: false,
            column_numbers: false,
        },
        title,
        columns,
        rows,
        totals: None,
        footer: None,
    };
    (sheet, filled_on, decision)
}

/// The strategy's own honest mistakes, one in each of `share` of the files,
/// each kind in turn.
fn plant(planner: &mut Planner, returns: &mut [Return], share: f64) {
    let wanted = ((returns.len() as f64 * share).round() as usize).min(returns.len());
    if wanted == 0 {
        return;
    }
    let rng = &mut planner.dice.rng;
    let mut order: Vec<usize> = (0..returns.len()).collect();
    rng.shuffle(&mut order);
    let mut used: BTreeMap<Mistake, usize> = BTreeMap::new();
    let mut planted = 0;
    for file in order {
        if planted == wanted {
            break;
        }
        let Some(Sheet::Table(table)) = returns[file].sheets.first_mut() else {
            continue;
        };
        let template = table.template;
        let has = |table: &TableSheet, field: &str| table.columns.iter().any(|c| c.field == field);
        let mut fits: Vec<(Mistake, usize)> = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            let value = |f: &str| row.values.get(f);
            let text = |f: &str| match value(f) {
                Some(Written::Text(t)) => t.clone(),
                _ => String::new(),
            };
            if template_role(planner.schemas, template) == "plan" {
                fits.push((Mistake::UnknownPlanAction, i));
                if has(table, "year") {
                    fits.push((Mistake::PlanYearOutside, i));
                }
            } else if template_role(planner.schemas, template) == "indicators" {
                if value("figure").is_some() {
                    fits.push((Mistake::UnknownFigureKey, i));
                }
            } else {
                if value("indicator").is_some() {
                    fits.push((Mistake::UnknownIndicatorCode, i));
                } else {
                    fits.push((Mistake::UnknownActivityStatus, i));
                }
                if value("difficulties").is_some() && matches!(text("status").as_str(), "отложена" | "неизпълнена")
                {
                    fits.push((Mistake::DifficultiesMissing, i));
                }
            }
        }
        let Some(kind) = fits
            .iter()
            .map(|(k, _)| *k)
            .min_by_key(|k| (used.get(k).copied().unwrap_or(0), *k))
        else {
            continue;
        };
        let rows: Vec<usize> = fits.iter().filter(|(k, _)| *k == kind).map(|(_, i)| *i).collect();
        let row = &mut table.rows[rows[rng.below(rows.len())]];
        let field = match kind {
            Mistake::UnknownPlanAction => {
                row.values
                    .insert("action".into(), Written::Text("преструктуриране".into()));
                "action"
            }
            Mistake::PlanYearOutside => {
                row.values.insert("year".into(), year(LAST_YEAR + 2));
                "year"
            }
            Mistake::UnknownFigureKey => {
                row.values.insert("figure".into(), Written::Text("места".into()));
                "figure"
            }
            Mistake::UnknownIndicatorCode => {
                row.values.insert("indicator".into(), Written::Text("И12".into()));
                "indicator"
            }
            Mistake::UnknownActivityStatus => {
                row.values.insert("status".into(), Written::Text("приключва".into()));
                "status"
            }
            _ => {
                row.values.remove("difficulties");
                "difficulties"
            }
        };
        row.record.planted.push((field.to_string(), kind));
        *used.entry(kind).or_default() += 1;
        planted += 1;
    }
}

fn template_role(schemas: &crate::schema::Schemas, template: usize) -> &'static str {
    match schemas.templates[template].role {
        crate::schema::Role::StrategyPlan => "plan",
        crate::schema::Role::StrategyIndicators => "indicators",
        _ => "report",
    }
}
