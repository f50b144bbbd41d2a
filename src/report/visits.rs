//! The visits in the report: the sheet „Проверки на доставчици“ (visits
//! per municipality and institution; per area, the services checked, with
//! findings and with serious findings; every recommendation with its
//! status, overdue first; the coverage and the services never visited),
//! `visits.csv` and `visit_findings.csv`, and the overdue recommendations
//! in a municipality's feedback workbook.

use std::collections::{BTreeMap, BTreeSet};

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::csv::{date, neutralise};
use super::sheetkit::{
    Col, ColumnWidths, Formats, Kind, Out, col, column_range, print_setup, write_header, write_row, write_with,
};
use super::text::tr;
use crate::config::Config;
use crate::error::Result;
use crate::issue::Lang;
use crate::reference::Table;
use crate::visits::follow::{Status, VisitRow, Visits};

/// The sheet's name.
pub fn sheet_name(lang: Lang) -> &'static str {
    tr(lang, "Проверки на доставчици", "Provider visits")
}

/// A status in the user's language.
pub fn status_label(lang: Lang, status: Status) -> &'static str {
    match status {
        Status::Overdue => tr(lang, "просрочена", "overdue"),
        Status::Open => tr(lang, "отворена", "open"),
        Status::Done => tr(lang, "изпълнена", "done"),
    }
}

fn entry_name(config: &Config, table: Table, code: &str) -> String {
    let reference = &config.schemas.reference;
    reference
        .code_index(table, code)
        .map_or(code.to_string(), |i| match config.lang {
            Lang::Bg => reference.entry(table, i).1.to_string(),
            Lang::En => reference.entry_en(table, i).to_string(),
        })
}

/// The short name of an institution (its abbreviation, else its name).
fn institution_short(config: &Config, code: &str) -> String {
    let reference = &config.schemas.reference;
    match reference.institutions.iter().find(|i| i.code == code) {
        Some(i) if config.lang == Lang::Bg && !i.abbr_bg.is_empty() => i.abbr_bg.clone(),
        Some(i) if config.lang == Lang::Bg => i.name_bg.clone(),
        Some(i) => i.name_en.clone(),
        None => code.to_string(),
    }
}

fn municipality_name(config: &Config, code: &str) -> String {
    config
        .schemas
        .reference
        .municipality(code)
        .map_or(code.to_string(), |m| match config.lang {
            Lang::Bg => m.name_bg.clone(),
            Lang::En => m.name_en.clone(),
        })
}

fn table(ws: &mut Worksheet, f: &Formats, row: u32, cols: &[Col], rows: &[Vec<Out>]) -> Result<u32, XlsxError> {
    write_header(ws, f, row, 0, cols)?;
    let mut at = row + 1;
    for cells in rows {
        write_row(ws, f, at, cols, cells, false)?;
        at += 1;
    }
    Ok(at + 1)
}

/// The columns of the recommendations list.
fn recommendation_cols(lang: Lang) -> Vec<Col> {
    let t = |bg, en| tr(lang, bg, en);
    vec![
        col(t("Статус", "Status"), Kind::Text, 12.0),
        col(t("Община", "Municipality"), Kind::Text, 16.0),
        col(t("Услуга", "Service"), Kind::Wrap, 30.0),
        col(t("Област на проверка", "Area"), Kind::Wrap, 28.0),
        col(t("Препоръка", "Recommendation"), Kind::Wrap, 45.0),
        col(t("Срок", "Deadline"), Kind::Date, 12.0),
        col(t("Отговорник", "Responsible"), Kind::Wrap, 18.0),
        col(t("Дата на проверката", "Visit date"), Kind::Date, 12.0),
        col(t("Файл", "File"), Kind::Wrap, 26.0),
        col(t("Ред", "Row"), Kind::Int, 6.0),
    ]
}

fn recommendation_row(config: &Config, r: &VisitRow) -> Vec<Out> {
    vec![
        Out::text(r.status.map_or("", |s| status_label(config.lang, s))),
        Out::text(municipality_name(config, &r.municipality_code)),
        Out::text(r.service_name.clone()),
        Out::text(entry_name(config, Table::InspectionAreas, &r.area)),
        Out::text(r.recommendation.clone()),
        Out::date(r.deadline),
        Out::text(r.responsible.clone()),
        Out::Date(r.visit_date),
        Out::text(r.file.clone()),
        Out::Int(i64::from(r.row)),
    ]
}

/// Writes the recommendations with their status coloured.
fn recommendations(
    ws: &mut Worksheet,
    f: &Formats,
    config: &Config,
    row: u32,
    rows: &[&VisitRow],
) -> Result<u32, XlsxError> {
    let cells: Vec<Vec<Out>> = rows.iter().map(|r| recommendation_row(config, r)).collect();
    let cols = recommendation_cols(config.lang);
    let end = table(ws, f, row, &cols, &cells)?;
    // The longest table of the sheet gets its filter (one per sheet).
    ws.autofilter(row, 0, row + rows.len() as u32, cols.len() as u16 - 1)?;
    for (i, r) in rows.iter().enumerate() {
        let format = match r.status {
            Some(Status::Overdue) => &f.bad,
            Some(Status::Open) => &f.warn,
            _ => &f.good,
        };
        write_with(ws, row + 1 + i as u32, 0, &cells[i][0], format)?;
    }
    Ok(end)
}

/// The sheet „Проверки на доставчици“.
pub fn sheet(config: &Config, visits: &Visits, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = Formats::new();
    let lang = config.lang;
    let t = |bg, en| tr(lang, bg, en);
    ws.write_string_with_format(
        0,
        0,
        t("Мониторингови проверки на доставчици", "Monitoring visits to providers"),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{}: {}. {}: {}. {}",
            t("Период", "Period"),
            config.period.display_bg(),
            t("Проверки (приети протоколи)", "Visits (accepted protocols)"),
            visits.visits.len(),
            t(
                "Препоръките са към последния ден на периода; просрочена е отворена препоръка с изтекъл срок.",
                "Recommendations as on the period's last day; overdue is an open one past its deadline.",
            )
        ),
        &f.subtitle,
    )?;

    // Visits per municipality and institution.
    let institutions: Vec<String> = config
        .schemas
        .reference
        .institutions
        .iter()
        .map(|i| i.code.clone())
        .collect();
    let mut per: BTreeMap<&str, (i64, Vec<i64>)> = BTreeMap::new();
    for v in &visits.visits {
        let entry = per
            .entry(v.municipality_code.as_str())
            .or_insert_with(|| (0, vec![0; institutions.len()]));
        entry.0 += 1;
        for (i, code) in institutions.iter().enumerate() {
            if v.team.contains(code) {
                entry.1[i] += 1;
            }
        }
    }
    let mut row = 3;
    ws.write_string_with_format(
        row,
        0,
        t(
            "Проверки по общини и институции",
            "Visits by municipality and institution",
        ),
        &f.subtitle,
    )?;
    row += 1;
    let mut cols = vec![
        col(t("Община", "Municipality"), Kind::Text, 18.0),
        col(t("Проверки", "Visits"), Kind::Int, 10.0),
    ];
    cols.extend(
        institutions
            .iter()
            .map(|c| col(institution_short(config, c), Kind::Int, 10.0)),
    );
    let mut cells: Vec<Vec<Out>> = per
        .iter()
        .map(|(code, (n, by))| {
            [Out::text(municipality_name(config, code)), Out::Int(*n)]
                .into_iter()
                .chain(by.iter().map(|&k| Out::Int(k)))
                .collect()
        })
        .collect();
    // Totals as formulas with their values cached, as on every sheet.
    let (first, last) = (row + 1, row + per.len() as u32);
    let total = |column: u16, value: i64| {
        if per.is_empty() {
            Out::Int(0)
        } else {
            Out::formula(
                format!("=SUM({})", column_range(column, first, last)),
                Some(value as f64),
            )
        }
    };
    let mut totals = vec![Out::text(t("Общо", "Total")), total(1, visits.visits.len() as i64)];
    totals.extend((0..institutions.len()).map(|i| total(2 + i as u16, per.values().map(|(_, by)| by[i]).sum())));
    cells.push(totals);
    row = table(ws, &f, row, &cols, &cells)?;

    // Per area: services checked, with findings, with serious findings.
    ws.write_string_with_format(row, 0, t("По области на проверка", "By area checked"), &f.subtitle)?;
    row += 1;
    // Per area: the services checked, with findings, with serious findings.
    type Services<'a> = [BTreeSet<(&'a str, &'a str, &'a str)>; 3];
    let mut areas: BTreeMap<&str, Services> = BTreeMap::new();
    for r in visits.current_rows() {
        let sets = areas.entry(r.area.as_str()).or_default();
        let id = (r.service.0.as_str(), r.service.1.as_str(), r.service.2.as_str());
        if r.assessment != "not_checked" {
            sets[0].insert(id);
        }
        if r.assessment == "minor" || r.assessment == "serious" {
            sets[1].insert(id);
        }
        if r.assessment == "serious" {
            sets[2].insert(id);
        }
    }
    let area_cols = vec![
        col(t("Област на проверка", "Area"), Kind::Wrap, 40.0),
        col(t("Проверени услуги", "Services checked"), Kind::Int, 12.0),
        col(t("С несъответствия", "With findings"), Kind::Int, 12.0),
        col(
            t("Със сериозни несъответствия", "With serious findings"),
            Kind::Int,
            14.0,
        ),
    ];
    let area_cells: Vec<Vec<Out>> = config
        .schemas
        .reference
        .inspection_areas
        .iter()
        .filter_map(|a| areas.get(a.code.as_str()).map(|sets| (a, sets)))
        .map(|(a, sets)| {
            vec![
                Out::text(entry_name(config, Table::InspectionAreas, &a.code)),
                Out::Int(sets[0].len() as i64),
                Out::Int(sets[1].len() as i64),
                Out::Int(sets[2].len() as i64),
            ]
        })
        .collect();
    row = table(ws, &f, row, &area_cols, &area_cells)?;

    // Every recommendation, overdue first.
    let recs = visits.recommendations();
    let count = |s: Status| recs.iter().filter(|r| r.status == Some(s)).count();
    ws.write_string_with_format(
        row,
        0,
        format!(
            "{}: {} ({}: {}, {}: {}, {}: {})",
            t("Препоръки", "Recommendations"),
            recs.len(),
            t("просрочени", "overdue"),
            count(Status::Overdue),
            t("отворени", "open"),
            count(Status::Open),
            t("изпълнени", "done"),
            count(Status::Done)
        ),
        &f.subtitle,
    )?;
    row += 1;
    row = recommendations(ws, &f, config, row, &recs)?;

    // Coverage of the state-delegated services.
    ws.write_string_with_format(
        row,
        0,
        t(
            "Обхват: действащи държавно делегирани услуги, проверени поне веднъж (този и съхранените периоди)",
            "Coverage: active state-delegated services visited at least once (this and the stored periods)",
        ),
        &f.subtitle,
    )?;
    row += 1;
    let coverage_cols = vec![
        col(t("Област", "Oblast"), Kind::Text, 18.0),
        col(t("Услуги", "Services"), Kind::Int, 10.0),
        col(t("Проверени", "Visited"), Kind::Int, 10.0),
        col(t("Дял", "Share"), Kind::Percent, 10.0),
    ];
    let coverage_cells: Vec<Vec<Out>> = visits
        .coverage
        .iter()
        .filter(|c| c.services > 0 || visits.visits.iter().any(|v| v.oblast_code == c.oblast_code))
        .map(|c| {
            let name = config
                .schemas
                .reference
                .oblast(&c.oblast_code)
                .map_or(c.oblast_code.clone(), |o| match lang {
                    Lang::Bg => o.name_bg.clone(),
                    Lang::En => o.name_en.clone(),
                });
            vec![
                Out::text(name),
                Out::Int(c.services as i64),
                Out::Int(c.visited as i64),
                Out::num((c.services > 0).then(|| c.visited as f64 / c.services as f64)),
            ]
        })
        .collect();
    row = table(ws, &f, row, &coverage_cols, &coverage_cells)?;
    ws.write_string_with_format(row, 0, t("Непроверени услуги", "Services never visited"), &f.subtitle)?;
    row += 1;
    let never_cols = vec![
        col(t("Община", "Municipality"), Kind::Text, 18.0),
        col(t("Вид услуга", "Type of service"), Kind::Wrap, 40.0),
        col(t("Услуга", "Service"), Kind::Wrap, 40.0),
    ];
    let never: Vec<Vec<Out>> = visits
        .coverage
        .iter()
        .flat_map(|c| c.never_visited.iter())
        .map(|(code, _, kind, name)| {
            vec![
                Out::text(municipality_name(config, code)),
                Out::text(entry_name(config, Table::ServiceTypes, kind)),
                Out::text(name.clone()),
            ]
        })
        .collect();
    table(ws, &f, row, &never_cols, &never)?;
    let mut widths = ColumnWidths::default();
    for cols in [
        &cols,
        &area_cols,
        &recommendation_cols(lang),
        &coverage_cols,
        &never_cols,
    ] {
        widths.want(cols);
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(2, 0)?;
    print_setup(ws, true);
    Ok(())
}

/// Adds the municipality's overdue recommendations to its feedback workbook
/// (nothing when it has none).
pub fn feedback_sheet(wb: &mut Workbook, config: &Config, visits: &Visits, code: &str) -> Result<(), XlsxError> {
    let overdue = overdue_of(visits, code);
    if overdue.is_empty() {
        return Ok(());
    }
    let lang = config.lang;
    let f = Formats::new();
    let ws = wb
        .add_worksheet()
        .set_name(tr(lang, "Просрочени препоръки", "Overdue recommendations"))?;
    ws.write_string_with_format(
        0,
        0,
        tr(
            lang,
            "Препоръки от мониторингови проверки с изтекъл срок, неизпълнени към последния ден на периода",
            "Recommendations of monitoring visits past their deadline, not done on the period's last day",
        ),
        &f.title,
    )?;
    recommendations(ws, &f, config, 2, &overdue)?;
    print_setup(ws, true);
    Ok(())
}

/// A municipality's overdue recommendations.
pub fn overdue_of<'a>(visits: &'a Visits, code: &str) -> Vec<&'a VisitRow> {
    visits
        .recommendations()
        .into_iter()
        .filter(|r| r.municipality_code == code && r.status == Some(Status::Overdue))
        .collect()
}

fn csv_table(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let io = |e: ::csv::Error| crate::error::Error::output("data", e);
    writer.write_record(header).map_err(io)?;
    for row in rows {
        writer.write_record(row.iter().map(|c| neutralise(c))).map_err(io)?;
    }
    writer
        .into_inner()
        .map_err(|e| crate::error::Error::output("data", e.to_string()))
}

/// `visits.csv` and `visit_findings.csv` with the contract's columns.
///
/// Errors: [`crate::error::Error::Output`] if the CSV cannot be written.
pub fn csv_files(visits: &Visits) -> Result<Vec<(String, Vec<u8>)>> {
    let visit_rows = visits
        .visits
        .iter()
        .map(|v| {
            vec![
                v.oblast_code.clone(),
                v.municipality_code.clone(),
                v.municipality.clone(),
                v.service_type.clone(),
                v.service_name.clone(),
                v.provider_name.clone(),
                date(v.visit_date),
                v.team.join(";"),
                v.matched.to_string(),
                v.file.clone(),
                v.sheet.clone(),
            ]
        })
        .collect();
    let visits_csv = csv_table(
        &[
            "oblast_code",
            "municipality_code",
            "municipality",
            "service_type",
            "service_name",
            "provider_name",
            "visit_date",
            "team",
            "matched",
            "file",
            "sheet",
        ],
        visit_rows,
    )?;
    let finding_rows = visits
        .rows
        .iter()
        .map(|r| {
            vec![
                r.oblast_code.clone(),
                r.municipality_code.clone(),
                r.service_name.clone(),
                r.visit_date.to_string(),
                r.area.clone(),
                r.assessment.clone(),
                r.finding.clone(),
                r.recommendation.clone(),
                date(r.deadline),
                r.responsible.clone(),
                r.follow_up.clone(),
                date(r.done_on),
                r.status.map_or("", Status::as_str).to_string(),
                r.file.clone(),
                r.sheet.clone(),
                r.row.to_string(),
                // Beyond the contract:
                r.service_type.clone(),
                r.earlier.to_string(),
            ]
        })
        .collect();
    let findings_csv = csv_table(
        &[
            "oblast_code",
            "municipality_code",
            "service_name",
            "visit_date",
            "area",
            "assessment",
            "finding",
            "recommendation",
            "deadline",
            "responsible",
            "follow_up",
            "done_on",
            "status",
            "file",
            "sheet",
            "row",
            "service_type",
            "earlier_period",
        ],
        finding_rows,
    )?;
    Ok(vec![
        ("visits.csv".to_string(), visits_csv),
        ("visit_findings.csv".to_string(), findings_csv),
    ])
}
