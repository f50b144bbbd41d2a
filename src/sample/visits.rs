//! Visit protocols in a sample (VISITS.md): for each municipality the first
//! two active state-delegated services get a protocol of a monitoring visit
//! inside the period — one area compliant, one with non-compliance and a
//! recommendation due a month after the visit, one with serious
//! non-compliance and a recommendation due five months after. A later
//! period's set (`--later`) has instead the follow-up visits of every other
//! one of those services: the first recommendation marked „изпълнена“, the
//! second still „в процес“ with a new deadline; the recommendations of the
//! services not visited again stay open, or become overdue.
//!
//! Protocols are laid out as monitoring teams type them (the title merged
//! across the table, each label merged over A:B with its value in C, a
//! blank row, the table, a signature line), mostly .xlsx, some .ods and
//! .xls. With mistakes asked for, the first protocols of each oblast carry
//! one each, listed in the truth: an unknown institution in the team, an
//! area twice, a deadline before the visit, a finding missing (and in a
//! later set, „изпълнена“ without its date).

use chrono::NaiveDate;

use super::forms::{self, Fact};
use super::model;
use super::rng::Rng;
use super::truth::PlantedIssue;
use super::{Mistake, SampleFile, SampleOptions};
use crate::book::{Book, BookCell, BookFormat, BookSheet, BookValue, Merge};
use crate::error::{Error, Result};
use crate::issue::Severity;
use crate::period::Period;
use crate::reference::Reference;
use crate::sheet::CellRef;

const TITLE: &str = "Протокол от мониторингова проверка на доставчик на социална услуга";
const SHEET: &str = "Протокол";
const HEADER: [&str; 8] = [
    "Област на проверка",
    "Оценка",
    "Констатации",
    "Препоръки",
    "Срок",
    "Отговорник",
    "Изпълнение",
    "Дата на изпълнение",
];
/// Financing that makes a service a state-delegated activity.
const STATE_DELEGATED: &[&str] = &["STATE_DELEGATED", "TOPUP"];
/// Protocols per municipality.
const PER_MUNICIPALITY: usize = 2;
/// The first row of the form and of the table's rows (0-based).
const FORM_ROW: u32 = 2;

/// What a protocol found in an area, and what it asks for.
fn words(area: &str) -> (&'static str, &'static str) {
    match area {
        "STAFF" => (
            "Незаета щатна бройка на социален работник",
            "Да се назначи социален работник",
        ),
        "CARE" => (
            "Непълни индивидуални планове на потребителите",
            "Да се актуализират индивидуалните планове",
        ),
        "RIGHTS" => ("Няма процедура за подаване на жалби", "Да се въведе процедура за жалби"),
        "PREMISES" => ("Липсва рампа за достъп", "Да се изгради рампа към входа"),
        "HEALTH" => ("Няма обособен изолатор", "Да се обособи изолатор"),
        "FOOD" => ("Няма утвърдено седмично меню", "Да се утвърди седмично меню"),
        "EDUCATION" => ("Две деца не посещават училище", "Да се осигури посещение на училище"),
        "FINANCE" => (
            "Разходите не са разпределени по пера",
            "Да се води отчет на разходите по пера",
        ),
        _ => ("Изтекъл срок на лиценза", "Да се подновят лицензът и регистрацията"),
    }
}

/// One row of a protocol's table.
#[derive(Clone)]
struct Row {
    area: String,
    assessment: &'static str,
    finding: String,
    recommendation: String,
    deadline: Option<NaiveDate>,
    responsible: String,
    follow_up: &'static str,
    done_on: Option<NaiveDate>,
}

/// A protocol to write.
struct Protocol {
    relative: String,
    format: BookFormat,
    municipality_code: String,
    form: Vec<(&'static str, BookValue)>,
    rows: Vec<Row>,
}

/// What the protocols of a sample add: the files, the findings planted in
/// them, and their records (a protocol's form and each row).
#[derive(Default)]
pub(crate) struct Protocols {
    pub(crate) files: Vec<SampleFile>,
    pub(crate) planted: Vec<PlantedIssue>,
    pub(crate) records: usize,
    pub(crate) rejected: usize,
}

fn text(t: &str) -> BookValue {
    BookValue::Text(t.to_string())
}

fn date(d: NaiveDate) -> BookValue {
    BookValue::Date(d)
}

fn days(d: NaiveDate, n: i64) -> NaiveDate {
    forms::plus(d, n)
}

/// The services of a municipality a sample visits: active in every given
/// period, state-delegated, in id order.
fn visited<'a>(m: &'a model::Municipality, periods: &[Period]) -> Vec<&'a model::Service> {
    let mut services: Vec<&model::Service> = m
        .services
        .iter()
        .filter(|s| periods.iter().all(|p| forms::active(&s.facts, *p)))
        .filter(
            |s| matches!(s.facts.get("financing"), Some(Fact::Financing(f)) if STATE_DELEGATED.contains(&f.as_str())),
        )
        .collect();
    services.sort_by_key(|s| s.id);
    services.dedup_by_key(|s| s.id);
    services.into_iter().take(PER_MUNICIPALITY).collect()
}

/// A date of the period: the `part`-th of `parts` of the way through it.
fn inside(period: Period, part: i64, parts: i64) -> NaiveDate {
    let span = (period.end - period.start).num_days().max(1);
    days(period.start, (span * part / parts.max(1)).clamp(0, span))
}

/// The protocols of one oblast.
pub(crate) fn protocols(
    reference: &Reference,
    oblast: &str,
    base: &str,
    world: &[model::Municipality],
    options: &SampleOptions,
) -> Result<Protocols> {
    let (period, later) = (options.period, options.later);
    let plant = options.mistakes > 0.0;
    let mut rng = Rng::derive(options.seed, &format!("{oblast} visits"));
    let areas: Vec<&str> = reference.inspection_areas.iter().map(|a| a.code.as_str()).collect();
    let area_name = |code: &str| {
        reference
            .inspection_areas
            .iter()
            .find(|a| a.code == code)
            .map_or(code.to_string(), |a| a.name_bg.clone())
    };
    let oblast_name = reference
        .oblast(oblast)
        .map_or(oblast.to_string(), |o| o.name_bg.clone());
    let periods: Vec<Period> = std::iter::once(period).chain(later).collect();
    let mut out = Protocols::default();
    let mut k = 0usize;
    for m in world {
        for service in visited(m, &periods) {
            let name = forms::text(&service.facts, "service_name").unwrap_or("").to_string();
            let type_name = reference
                .service_type(&service.type_code)
                .map_or(service.type_code.clone(), |t| t.name_bg.clone());
            let provider = forms::text(&service.facts, "provider_name").unwrap_or("").to_string();
            // The base visit: its date, and its three areas.
            let visit = inside(period, 1 + (k as i64 % 5), 8);
            let (a, b, c) = (
                areas[k % areas.len()],
                areas[(k + 1) % areas.len()],
                areas[(k + 3) % areas.len()],
            );
            let row = |area: &str, assessment: &'static str, due: Option<i64>| {
                let (finding, recommendation) = words(area);
                Row {
                    area: area_name(area),
                    assessment,
                    finding: if due.is_some() {
                        finding.to_string()
                    } else {
                        String::new()
                    },
                    recommendation: if due.is_some() {
                        recommendation.to_string()
                    } else {
                        String::new()
                    },
                    deadline: due.map(|d| days(visit, d)),
                    responsible: if due.is_some() {
                        "Управител на услугата".to_string()
                    } else {
                        String::new()
                    },
                    follow_up: "",
                    done_on: None,
                }
            };
            let mut rows = vec![
                row(a, "съответства", None),
                row(b, "несъответствия", Some(30)),
                row(c, "сериозни несъответствия", Some(150)),
            ];
            let mut the_visit = visit;
            let mut team = "ОА, РДСП, РЗИ".to_string();
            let mut mistake = None;
            let folder = "Проверки";
            // Short names: a service's name can be longer than a file name may be.
            let short = reference
                .service_type(&service.type_code)
                .map(|t| {
                    if t.abbr_bg.is_empty() {
                        t.code.clone()
                    } else {
                        t.abbr_bg.clone()
                    }
                })
                .unwrap_or_default();
            let mut stem = format!("Протокол {:03} {} {short} {}", k + 1, m.name, visit.format("%d.%m.%Y"));
            match later {
                None => {
                    if plant {
                        mistake = match k {
                            0 => {
                                team.push_str(", РИОСВ");
                                Some(Mistake::VisitUnknownInstitution)
                            }
                            1 => {
                                let again = Row {
                                    area: area_name(a).to_lowercase(),
                                    ..rows[0].clone()
                                };
                                rows.push(again);
                                Some(Mistake::VisitAreaTwice)
                            }
                            2 => {
                                rows[1].deadline = Some(days(visit, -10));
                                Some(Mistake::VisitDeadlineBeforeVisit)
                            }
                            3 => {
                                rows[1].finding = String::new();
                                Some(Mistake::VisitFindingMissing)
                            }
                            _ => None,
                        };
                    }
                }
                Some(later) => {
                    // Only every other service is visited again.
                    if k % 2 == 1 {
                        k += 1;
                        continue;
                    }
                    the_visit = inside(later, 2 + (k as i64 % 4), 8);
                    stem = format!(
                        "Последваща проверка {:03} {} {short} {}",
                        k + 1,
                        m.name,
                        the_visit.format("%d.%m.%Y")
                    );
                    let (_, recommendation) = words(c);
                    rows = vec![
                        Row {
                            area: area_name(b),
                            assessment: "съответства",
                            finding: String::new(),
                            recommendation: String::new(),
                            deadline: None,
                            responsible: String::new(),
                            follow_up: "изпълнена",
                            done_on: Some(the_visit),
                        },
                        Row {
                            area: area_name(c),
                            assessment: "несъответствия",
                            finding: "Започнат ремонт".to_string(),
                            recommendation: format!("{recommendation} до края на годината"),
                            deadline: Some(days(later.end, 60)),
                            responsible: "Управител на услугата".to_string(),
                            follow_up: "в процес",
                            done_on: None,
                        },
                    ];
                    team = "ОА, РДСП".to_string();
                    if plant && k == 0 {
                        rows[0].done_on = None;
                        mistake = Some(Mistake::VisitDoneWithoutDate);
                    }
                }
            }
            let format = match k % 9 {
                4 => BookFormat::Ods,
                7 => BookFormat::Xls,
                _ => BookFormat::Xlsx,
            };
            let ext = match format {
                BookFormat::Xlsx => "xlsx",
                BookFormat::Ods => "ods",
                BookFormat::Xls => "xls",
            };
            let relative = format!("{base}{folder}/{}.{ext}", stem.replace(['/', '\\', '"', '„', '“'], ""));
            let form = vec![
                ("Област", text(&oblast_name)),
                ("Община", text(&m.name)),
                ("Наименование на социалната услуга", text(&name)),
                ("Вид на социалната услуга", text(&type_name)),
                ("Доставчик на услугата", text(&provider)),
                ("Дата на проверката", date(the_visit)),
                ("Проверяващи институции", text(&team)),
                (
                    "Потребители в деня на проверката",
                    BookValue::Number(rng.range(5, 40) as f64),
                ),
                (
                    "Персонал в деня на проверката",
                    BookValue::Number(rng.range(3, 15) as f64),
                ),
                (
                    "Протокол №",
                    text(&format!("{}/{}", k + 1, the_visit.format("%d.%m.%Y"))),
                ),
            ];
            let protocol = Protocol {
                relative,
                format,
                municipality_code: m.code.clone(),
                form,
                rows,
            };
            write(&mut out, &protocol, mistake)?;
            k += 1;
        }
    }
    Ok(out)
}

/// Lays a protocol out, writes it, and counts its records and planted findings.
fn write(out: &mut Protocols, p: &Protocol, mistake: Option<Mistake>) -> Result<()> {
    let mut cells = vec![BookCell {
        row: 0,
        col: 0,
        value: text(TITLE),
    }];
    let mut merges = vec![Merge {
        first_row: 0,
        first_col: 0,
        last_row: 0,
        last_col: 7,
    }];
    let mut row = FORM_ROW;
    let mut team_cell = CellRef::new(0, 0);
    for (label, value) in &p.form {
        cells.push(BookCell {
            row,
            col: 0,
            value: text(label),
        });
        merges.push(Merge {
            first_row: row,
            first_col: 0,
            last_row: row,
            last_col: 1,
        });
        cells.push(BookCell {
            row,
            col: 2,
            value: value.clone(),
        });
        if *label == "Проверяващи институции" {
            team_cell = CellRef::new(row, 2);
        }
        row += 1;
    }
    row += 1;
    for (col, h) in HEADER.iter().enumerate() {
        cells.push(BookCell {
            row,
            col: col as u16,
            value: text(h),
        });
    }
    let first_row = row + 1;
    for (i, r) in p.rows.iter().enumerate() {
        let at = first_row + i as u32;
        let values: [Option<BookValue>; 8] = [
            Some(text(&r.area)),
            Some(text(r.assessment)),
            (!r.finding.is_empty()).then(|| text(&r.finding)),
            (!r.recommendation.is_empty()).then(|| text(&r.recommendation)),
            r.deadline.map(date),
            (!r.responsible.is_empty()).then(|| text(&r.responsible)),
            (!r.follow_up.is_empty()).then(|| text(r.follow_up)),
            r.done_on.map(date),
        ];
        for (col, value) in values.into_iter().enumerate() {
            if let Some(value) = value {
                cells.push(BookCell {
                    row: at,
                    col: col as u16,
                    value,
                });
            }
        }
    }
    let last = first_row + p.rows.len() as u32;
    cells.push(BookCell {
        row: last + 1,
        col: 0,
        value: text("Проверяващи: ………………… (ОА)   ………………… (РДСП)   ………………… (РЗИ)"),
    });
    let book = Book {
        sheets: vec![BookSheet {
            name: SHEET.into(),
            hidden: false,
            cells,
            merges,
            column_widths: vec![(0, 30.0), (2, 24.0), (3, 30.0)],
        }],
        title: Some(TITLE.into()),
        custom_properties: Vec::new(),
    };
    let bytes = book.to_bytes(p.format).map_err(|e| Error::output(&p.relative, e))?;
    out.files.push(SampleFile {
        relative: p.relative.clone(),
        bytes,
    });
    out.records += 1 + p.rows.len();
    let plant = |out: &mut Protocols, at: CellRef, field: &str, code: &str, mistake: Mistake| {
        out.planted.push(PlantedIssue {
            file: p.relative.clone(),
            sheet: SHEET.into(),
            cell: at.to_string(),
            field: field.into(),
            code: code.into(),
            severity: Severity::Error,
            municipality: p.municipality_code.clone(),
            mistake,
            consequence: false,
        });
    };
    match mistake {
        None => {}
        Some(m @ Mistake::VisitUnknownInstitution) => {
            plant(out, team_cell, "team", "enum", m);
            out.rejected += 1;
        }
        Some(m @ Mistake::VisitAreaTwice) => {
            plant(out, CellRef::new(first_row, 0), "area", "duplicate", m);
            plant(out, CellRef::new(last - 1, 0), "area", "duplicate", m);
            out.rejected += 2;
        }
        Some(m @ Mistake::VisitDeadlineBeforeVisit) => {
            plant(out, CellRef::new(first_row + 1, 4), "deadline", "cross_field", m);
            out.rejected += 1;
        }
        Some(m @ Mistake::VisitFindingMissing) => {
            plant(out, CellRef::new(first_row + 1, 2), "finding", "required", m);
            out.rejected += 1;
        }
        Some(m @ Mistake::VisitDoneWithoutDate) => {
            plant(out, CellRef::new(first_row, 7), "done_on", "required", m);
            out.rejected += 1;
        }
        Some(_) => {}
    }
    Ok(())
}
