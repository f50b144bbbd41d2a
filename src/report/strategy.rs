//! The strategy's implementation in the outputs: takes the
//! [`Assessment`] and writes the sheet „Изпълнение на стратегията" (the plan
//! version used and what its update changed, every planned action with its
//! status, the counts per municipality with a chart of the share realised,
//! the indicators, the activities, who sent no report, sustainability) and
//! the four CSV files of STRATEGY.md.

use rust_xlsxwriter::{Chart, ChartType, Worksheet, XlsxError};

use super::csv::{date, decimal, int, money, neutralise};
use super::sheetkit::{ColumnWidths, Kind, Out, col, write_header, write_row};
use super::workbook::Ctx;
use crate::error::{Error, Result};
use crate::issue::Lang;
use crate::reference::Table;
use crate::strategy::activities::{STATUSES, status_csv};
use crate::strategy::indicators::Source;
use crate::strategy::matching::Status;
use crate::strategy::plan::{Action, Change, version_label};
use crate::strategy::{Assessment, OblastAssessment};

/// The sheet's name.
pub fn sheet_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Bg => "Изпълнение на стратегията",
        Lang::En => "Strategy implementation",
    }
}

/// A reference entry's name in the user's language (the code when unknown).
fn choice(ctx: &Ctx, table: Table, code: &str) -> String {
    let reference = &ctx.config.schemas.reference;
    match reference.code_index(table, code) {
        Some(i) => match ctx.lang {
            Lang::Bg => reference.entry(table, i).1.to_string(),
            Lang::En => reference.entry_en(table, i).to_string(),
        },
        None => code.to_string(),
    }
}

fn municipality(ctx: &Ctx, code: &str) -> String {
    ctx.config
        .schemas
        .reference
        .municipality(code)
        .map_or(code.to_string(), |m| match ctx.lang {
            Lang::Bg => m.name_bg.clone(),
            Lang::En => m.name_en.clone(),
        })
}

pub fn status_name(lang: Lang, status: Status) -> &'static str {
    match (status, lang) {
        (Status::OnTime, Lang::Bg) => "в срок",
        (Status::Late, Lang::Bg) => "със закъснение",
        (Status::Overdue, Lang::Bg) => "просрочено",
        (Status::NotDue, Lang::Bg) => "предстои",
        (Status::OnTime, Lang::En) => "on time",
        (Status::Late, Lang::En) => "late",
        (Status::Overdue, Lang::En) => "overdue",
        (Status::NotDue, Lang::En) => "not yet due",
    }
}

fn version_name(ctx: &Ctx, updated_on: Option<chrono::NaiveDate>) -> String {
    match updated_on {
        Some(d) => format!("{} {}", ctx.t("актуализация от", "update of"), d.format("%d.%m.%Y")),
        None => ctx.t("както е приета", "as adopted").to_string(),
    }
}

/// Writes a small table (header, rows) at `row`; gives the row after it.
fn table(
    ctx: &Ctx,
    ws: &mut Worksheet,
    widths: &mut ColumnWidths,
    row: u32,
    cols: &[super::sheetkit::Col],
    rows: &[Vec<Out>],
) -> Result<u32, XlsxError> {
    write_header(ws, &ctx.f, row, 0, cols)?;
    widths.want(cols);
    let mut r = row + 1;
    for cells in rows {
        write_row(ws, &ctx.f, r, cols, cells, false)?;
        r += 1;
    }
    Ok(r)
}

fn heading(ctx: &Ctx, ws: &mut Worksheet, row: u32, text: &str) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, text, &ctx.f.title)?;
    Ok(row + 1)
}

/// The sheet „Изпълнение на стратегията".
pub(super) fn sheet(ctx: &Ctx, ws: &mut Worksheet, assessment: &Assessment) -> Result<(), XlsxError> {
    let name = sheet_name(ctx.lang);
    ws.write_string_with_format(
        0,
        0,
        ctx.t("Изпълнение на стратегията", "Strategy implementation"),
        &ctx.f.title,
    )?;
    ws.set_column_width(0, 24)?;
    if !assessment.has_input() {
        ws.write_string_with_format(
            2,
            0,
            ctx.t(
                "Във входните данни няма план за развитие на социалните услуги, индикатори на стратегията или отчети на общините: изпълнението на стратегията не е оценено.",
                "The input holds no plan of services, no strategy indicators and no municipal implementation reports: the strategy's implementation was not assessed.",
            ),
            &ctx.f.subtitle,
        )?;
        return Ok(());
    }
    let mut row = 2u32;
    let mut chart_at = Vec::new();
    let mut widths = ColumnWidths::default();
    for a in assessment.oblasts.iter().filter(|a| a.has_input()) {
        row = oblast_section(ctx, ws, &mut widths, row, a, name, &mut chart_at)? + 1;
    }
    for (first, last, anchor_row) in chart_at {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name(ctx.t("Дял изпълнени", "Share realised"))
            .set_categories((name, first, 0, last, 0))
            .set_values((name, first, 6, last, 6));
        chart.title().set_name(ctx.t(
            "Дял на изпълнените действия по общини",
            "Share of actions realised by municipality",
        ));
        chart.legend().set_hidden();
        let height = (90 + 26 * (last - first + 1)).max(280);
        chart.set_width(560).set_height(height);
        ws.insert_chart(anchor_row, 10, &chart)?;
    }
    widths.apply(ws)?;
    super::sheetkit::print_setup(ws, true);
    Ok(())
}

fn oblast_section(
    ctx: &Ctx,
    ws: &mut Worksheet,
    widths: &mut ColumnWidths,
    mut row: u32,
    a: &OblastAssessment,
    _name: &str,
    charts: &mut Vec<(u32, u32, u32)>,
) -> Result<u32, XlsxError> {
    row = heading(ctx, ws, row, &format!("{} ({})", ctx.oblast_name(&a.oblast), a.oblast))?;
    // The plan: the version used and what its update changed.
    let versions: Vec<String> = a
        .versions
        .iter()
        .map(|v| format!("{} ({})", version_name(ctx, v.updated_on), v.files.join(", ")))
        .collect();
    let used = match a.plan() {
        Some(p) => format!(
            "{}: {} ({}){}",
            ctx.t("План в сила за периода", "Plan in force for the period"),
            version_name(ctx, p.updated_on),
            p.files.join(", "),
            p.years
                .map(|(f, t)| format!("; {}: {f}–{t}", ctx.t("години на стратегията", "strategy years")))
                .unwrap_or_default()
        ),
        None if a.versions.is_empty() => ctx
            .t(
                "Няма приет план за развитие на социалните услуги за областта.",
                "No plan of services for the oblast.",
            )
            .to_string(),
        None => ctx
            .t(
                "Никоя версия на плана не е в сила за периода.",
                "No version of the plan is in force for the period.",
            )
            .to_string(),
    };
    ws.write_string(row, 0, &used)?;
    row += 1;
    if !versions.is_empty() {
        ws.write_string(
            row,
            0,
            format!(
                "{}: {}",
                ctx.t("Прочетени версии", "Versions read"),
                versions.join("; ")
            ),
        )?;
        row += 1;
    }
    if !a.changes.is_empty() {
        row += 1;
        row = heading(
            ctx,
            ws,
            row,
            ctx.t("Какво промени актуализацията", "What the update changed"),
        )?;
        let cols = [
            col(ctx.t("Промяна", "Change"), Kind::Text, 14.0),
            col(ctx.t("Община", "Municipality"), Kind::Text, 16.0),
            col(ctx.t("Действие", "Action"), Kind::Text, 14.0),
            col(ctx.t("Вид услуга", "Service type"), Kind::Wrap, 30.0),
            col(ctx.t("Наименование", "Name"), Kind::Wrap, 30.0),
            col(ctx.t("Места преди", "Places before"), Kind::Int, 10.0),
            col(ctx.t("Места след", "Places after"), Kind::Int, 10.0),
            col(ctx.t("Срок преди", "Year before"), Kind::Int, 10.0),
            col(ctx.t("Срок след", "Year after"), Kind::Int, 10.0),
        ];
        let rows: Vec<Vec<Out>> = a
            .changes
            .iter()
            .map(|c| {
                let (what, before, after) = match c {
                    Change::Added(x) => (ctx.t("добавено", "added"), None, Some(x)),
                    Change::Removed(x) => (ctx.t("отпаднало", "removed"), Some(x), None),
                    Change::Changed(b, x) => (ctx.t("променено", "changed"), Some(b), Some(x)),
                };
                let any = after.or(before).expect("a change has a side");
                vec![
                    Out::text(what),
                    Out::text(municipality(ctx, &any.municipality_code)),
                    Out::text(choice(ctx, Table::PlanActions, any.action.code())),
                    Out::text(choice(ctx, Table::ServiceTypes, &any.service_type)),
                    Out::text(any.service_name.clone()),
                    Out::int(before.and_then(|b| b.capacity)),
                    Out::int(after.and_then(|x| x.capacity)),
                    Out::int(before.map(|b| i64::from(b.year))),
                    Out::int(after.map(|x| i64::from(x.year))),
                ]
            })
            .collect();
        row = table(ctx, ws, widths, row, &cols, &rows)?;
    }
    if a.plan().is_some() {
        row += 1;
        row = heading(
            ctx,
            ws,
            row,
            ctx.t("Изпълнение по общини", "Implementation by municipality"),
        )?;
        let cols = [
            col(ctx.t("Община", "Municipality"), Kind::Text, 24.0),
            col(ctx.t("Планирани", "Planned"), Kind::Int, 10.0),
            col(ctx.t("В срок", "On time"), Kind::Int, 10.0),
            col(ctx.t("Със закъснение", "Late"), Kind::Int, 12.0),
            col(ctx.t("Просрочени", "Overdue"), Kind::Int, 11.0),
            col(ctx.t("Предстоят", "Not yet due"), Kind::Int, 11.0),
            col(ctx.t("Дял изпълнени", "Share realised"), Kind::Percent, 11.0),
            col(ctx.t("Места планирани", "Places planned"), Kind::Int, 11.0),
            col(ctx.t("Места изпълнени", "Places realised"), Kind::Int, 11.0),
        ];
        let rows: Vec<Vec<Out>> = a
            .progress
            .iter()
            .map(|p| {
                vec![
                    Out::text(if p.municipality_code.is_empty() {
                        ctx.t("Общо за областта", "Oblast total").to_string()
                    } else {
                        municipality(ctx, &p.municipality_code)
                    }),
                    Out::Int(p.planned as i64),
                    Out::Int(p.on_time as i64),
                    Out::Int(p.late as i64),
                    Out::Int(p.overdue as i64),
                    Out::Int(p.not_due as i64),
                    Out::num(p.share_realised()),
                    Out::Int(p.places_planned),
                    Out::Int(p.places_realised),
                ]
            })
            .collect();
        let first = row + 1;
        let after = table(ctx, ws, widths, row, &cols, &rows)?;
        // The chart: every municipality's share, not the oblast's total row.
        if a.progress.len() > 1 {
            charts.push((first, after - 2, row));
        }
        row = after.max(row + 16);

        row += 1;
        row = heading(ctx, ws, row, ctx.t("Планирани действия", "Planned actions"))?;
        let mut cols = vec![
            col(ctx.t("Община", "Municipality"), Kind::Text, 16.0),
            col(ctx.t("Действие", "Action"), Kind::Text, 14.0),
            col(ctx.t("Вид услуга", "Service type"), Kind::Wrap, 30.0),
            col(ctx.t("Наименование по плана", "Name in the plan"), Kind::Wrap, 30.0),
            col(ctx.t("Срок", "Year"), Kind::Int, 8.0),
            col(ctx.t("Места по плана", "Places planned"), Kind::Int, 10.0),
            col(ctx.t("Мярка", "Measure"), Kind::Text, 10.0),
            col(ctx.t("Състояние", "Status"), Kind::Text, 14.0),
            col(ctx.t("Частично", "Partly"), Kind::Text, 9.0),
            col(ctx.t("Изпълнено на", "Realised on"), Kind::Date, 12.0),
            col(ctx.t("Файл", "File"), Kind::Wrap, 28.0),
            col(ctx.t("Лист", "Sheet"), Kind::Text, 14.0),
            col(ctx.t("Услуга", "Service"), Kind::Wrap, 30.0),
            col(ctx.t("Места сега", "Places now"), Kind::Int, 10.0),
            col(
                ctx.t("По отчета на общината", "As the municipality reports"),
                Kind::Wrap,
                20.0,
            ),
        ];
        // With the history: the status in the period compared with, beside today's.
        let then_header = a.previous_period.map(|p| match ctx.lang {
            Lang::Bg => format!("Състояние към {}", p.end.format("%d.%m.%Y")),
            Lang::En => format!("Status at {}", p.end.format("%d.%m.%Y")),
        });
        if let Some(header) = &then_header {
            cols.insert(8, col(header, Kind::Text, 14.0));
        }
        let mut rows: Vec<Vec<Out>> = a
            .statuses
            .iter()
            .map(|s| {
                let m = s.matched.as_ref();
                let matched_file = match (m, s.closed_by_history) {
                    (Some(m), _) => m.file.clone(),
                    (None, true) => ctx
                        .t("(вече не се подава; в историята)", "(no longer sent; in the history)")
                        .to_string(),
                    (None, false) => String::new(),
                };
                vec![
                    Out::text(municipality(ctx, &s.action.municipality_code)),
                    Out::text(choice(ctx, Table::PlanActions, s.action.action.code())),
                    Out::text(choice(ctx, Table::ServiceTypes, &s.action.service_type)),
                    Out::text(s.action.service_name.clone()),
                    Out::Int(i64::from(s.action.year)),
                    Out::int(s.action.capacity),
                    Out::text(s.action.measure.clone()),
                    Out::text(status_name(ctx.lang, s.status)),
                    Out::text(if s.partly { ctx.t("да", "yes") } else { "" }),
                    Out::date(s.realised_on),
                    Out::text(matched_file),
                    Out::text(m.map(|m| m.sheet.clone()).unwrap_or_default()),
                    Out::text(m.map(|m| m.service_name.clone()).unwrap_or_default()),
                    Out::int(m.and_then(|m| m.capacity)),
                    Out::text(
                        s.reported
                            .iter()
                            .map(|c| choice(ctx, Table::ActivityStatuses, c))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]
            })
            .collect();
        if then_header.is_some() {
            for (i, r) in rows.iter_mut().enumerate() {
                let then = a.previous_statuses.get(i).copied().flatten();
                r.insert(
                    8,
                    Out::text(
                        then.map(|t| status_name(ctx.lang, t))
                            .unwrap_or(ctx.t("(не е в плана)", "(not in the plan)")),
                    ),
                );
            }
        }
        row = table(ctx, ws, widths, row, &cols, &rows)?;
    }
    if !a.indicators.is_empty() {
        row += 1;
        row = heading(ctx, ws, row, ctx.t("Индикатори", "Indicators"))?;
        let cols = [
            col(ctx.t("Код", "Code"), Kind::Text, 10.0),
            col(ctx.t("Индикатор", "Indicator"), Kind::Wrap, 36.0),
            col(ctx.t("Обхват", "Scope"), Kind::Text, 14.0),
            col(ctx.t("Мярка за стойността", "Unit"), Kind::Text, 10.0),
            col(ctx.t("Базова", "Baseline"), Kind::Decimal, 10.0),
            col(ctx.t("Целева", "Target"), Kind::Decimal, 10.0),
            col(ctx.t("Година", "Year"), Kind::Int, 8.0),
            col(ctx.t("Постигната", "Actual"), Kind::Decimal, 10.0),
            col(ctx.t("Източник", "Source"), Kind::Text, 16.0),
            col(ctx.t("Напредък", "Progress"), Kind::Percent, 10.0),
        ];
        let rows: Vec<Vec<Out>> = a
            .indicators
            .iter()
            .map(|i| {
                vec![
                    Out::text(i.code.clone()),
                    Out::text(i.name.clone()),
                    Out::text(if i.scope.is_empty() {
                        ctx.t("областта", "the oblast").to_string()
                    } else {
                        municipality(ctx, &i.scope)
                    }),
                    Out::text(i.unit.clone()),
                    Out::num(i.baseline),
                    Out::num(i.target),
                    Out::int(i.target_year),
                    Out::num(i.actual),
                    Out::text(match i.source {
                        Some(Source::Computed) => format!("{} ({})", ctx.t("изчислено", "computed"), i.figure),
                        Some(Source::Reported) => ctx.t("отчети на общините", "municipal reports").to_string(),
                        None => ctx.t("няма стойност", "no value").to_string(),
                    }),
                    Out::num(i.progress()),
                ]
            })
            .collect();
        row = table(ctx, ws, widths, row, &cols, &rows)?;
    }
    // Activities by status, per municipality and per measure.
    row += 1;
    row = heading(
        ctx,
        ws,
        row,
        ctx.t(
            "Дейности по отчетите на общините",
            "Activities in the municipal reports",
        ),
    )?;
    let status_cols = |first: &'static str, first_en: &'static str| {
        let mut cols = vec![col(ctx.t(first, first_en), Kind::Text, 24.0)];
        for code in STATUSES {
            cols.push(col(choice(ctx, Table::ActivityStatuses, code), Kind::Int, 11.0));
        }
        cols
    };
    let counts = |key: &dyn Fn(&crate::strategy::activities::Activity) -> String| {
        let mut by: std::collections::BTreeMap<String, [i64; 5]> = std::collections::BTreeMap::new();
        for act in &a.activities {
            if let Some(i) = STATUSES.iter().position(|s| *s == act.status) {
                by.entry(key(act)).or_default()[i] += 1;
            }
        }
        by
    };
    let by_municipality = counts(&|act| act.municipality_code.clone());
    let rows: Vec<Vec<Out>> = by_municipality
        .iter()
        .map(|(m, c)| {
            std::iter::once(Out::text(municipality(ctx, m)))
                .chain(c.iter().map(|n| Out::Int(*n)))
                .collect()
        })
        .collect();
    row = table(ctx, ws, widths, row, &status_cols("Община", "Municipality"), &rows)?;
    let by_measure = counts(&|act| act.measure.clone());
    let rows: Vec<Vec<Out>> = by_measure
        .iter()
        .map(|(m, c)| {
            std::iter::once(Out::text(m.clone()))
                .chain(c.iter().map(|n| Out::Int(*n)))
                .collect()
        })
        .collect();
    row += 1;
    row = table(ctx, ws, widths, row, &status_cols("Мярка", "Measure"), &rows)?;
    row += 1;
    let missing: Vec<String> = a
        .without_report
        .iter()
        .map(|(c, _)| format!("{} ({c})", municipality(ctx, c)))
        .collect();
    ws.write_string(
        row,
        0,
        format!(
            "{}: {}",
            ctx.t("Не са изпратили отчет", "Sent no report"),
            if missing.is_empty() {
                ctx.t("няма", "none").to_string()
            } else {
                missing.join(", ")
            }
        ),
    )?;
    row += 2;
    row = heading(
        ctx,
        ws,
        row,
        ctx.t(
            "Устойчивост на услугите с приключило проектно финансиране",
            "Sustainability of services whose project funding ended",
        ),
    )?;
    let cols = [
        col(ctx.t("Община", "Municipality"), Kind::Text, 16.0),
        col(ctx.t("Вид услуга", "Service type"), Kind::Wrap, 30.0),
        col(ctx.t("Наименование", "Name"), Kind::Wrap, 30.0),
        col(ctx.t("Край на проекта", "Project ended"), Kind::Date, 12.0),
        col(ctx.t("Финансиране сега", "Financing now"), Kind::Wrap, 22.0),
        col(ctx.t("Състояние", "Status"), Kind::Text, 14.0),
    ];
    let rows: Vec<Vec<Out>> = a
        .sustainability
        .iter()
        .map(|s| {
            vec![
                Out::text(municipality(ctx, &s.municipality_code)),
                Out::text(choice(ctx, Table::ServiceTypes, &s.service_type)),
                Out::text(s.service_name.clone()),
                Out::date(Some(s.project_end)),
                Out::text(if s.continued {
                    choice(ctx, Table::FinancingTypes, &s.financing_now)
                } else {
                    String::new()
                }),
                Out::text(if s.continued {
                    ctx.t("продължава", "continued")
                } else {
                    ctx.t("закрита", "closed")
                }),
            ]
        })
        .collect();
    row = table(ctx, ws, widths, row, &cols, &rows)?;
    Ok(row)
}

fn writer(header: &[&str]) -> Result<csv::Writer<Vec<u8>>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(|e| Error::output("data", e))?;
    Ok(w)
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| Error::output("data", e.to_string()))
}

fn row(w: &mut csv::Writer<Vec<u8>>, cells: Vec<String>) -> Result<()> {
    w.write_record(cells.iter().map(|c| neutralise(c)))
        .map_err(|e| Error::output("data", e))
}

fn name_of(reference: &crate::reference::Reference, code: &str) -> String {
    reference
        .municipality(code)
        .map_or(String::new(), |m| m.name_bg.clone())
}

/// The four CSV files: plan_status.csv, indicators.csv, activities.csv,
/// sustainability.csv (contract columns of STRATEGY.md).
pub fn csv_files(reference: &crate::reference::Reference, assessment: &Assessment) -> Result<Vec<(String, Vec<u8>)>> {
    let mut plan = writer(&[
        "oblast_code",
        "plan_version",
        "municipality_code",
        "municipality",
        "action",
        "service_type",
        "service_name",
        "year",
        "capacity_planned",
        "measure",
        "status",
        "partly",
        "matched_file",
        "matched_sheet",
        "matched_service",
        "capacity_actual",
        "start_date",
        "end_date",
        // After the contract columns: the status in the period compared with.
        "previous_period",
        "previous_status",
    ])?;
    let mut indicators = writer(&[
        "oblast_code",
        "code",
        "name",
        "scope",
        "unit",
        "baseline",
        "target",
        "target_year",
        "actual",
        "source",
        "progress",
    ])?;
    let mut activities = writer(&[
        "oblast_code",
        "municipality_code",
        "municipality",
        "measure",
        "activity",
        "status",
        "indicator",
        "value",
        "funds",
        "financing",
        "file",
        "sheet",
        "row",
    ])?;
    let mut sustainability = writer(&[
        "oblast_code",
        "municipality_code",
        "municipality",
        "service_type",
        "service_name",
        "project_end",
        "financing_now",
        "active_after",
        "status",
    ])?;
    for a in &assessment.oblasts {
        let version = a.plan().map(|p| version_label(p.updated_on)).unwrap_or_default();
        let previous_period = a.previous_period.map(|p| p.name()).unwrap_or_default();
        for (i, s) in a.statuses.iter().enumerate() {
            let m = s.matched.as_ref();
            let previous = a.previous_statuses.get(i).copied().flatten();
            row(
                &mut plan,
                vec![
                    a.oblast.clone(),
                    version.clone(),
                    s.action.municipality_code.clone(),
                    name_of(reference, &s.action.municipality_code),
                    s.action.action.csv().to_string(),
                    s.action.service_type.clone(),
                    s.action.service_name.clone(),
                    s.action.year.to_string(),
                    int(s.action.capacity),
                    s.action.measure.clone(),
                    s.status.csv().to_string(),
                    s.partly.to_string(),
                    m.map(|m| m.file.clone()).unwrap_or_default(),
                    m.map(|m| m.sheet.clone()).unwrap_or_default(),
                    m.map(|m| m.service_name.clone()).unwrap_or_default(),
                    int(m.and_then(|m| m.capacity)),
                    date(m.and_then(|m| m.start_date)),
                    // A closure seen only in the history is dated by when it was seen closed.
                    date(m.and_then(|m| m.end_date).or(if s.action.action == Action::Close {
                        s.realised_on
                    } else {
                        None
                    })),
                    previous_period.clone(),
                    previous.map(|p| p.csv().to_string()).unwrap_or_default(),
                ],
            )?;
        }
        for i in &a.indicators {
            row(
                &mut indicators,
                vec![
                    a.oblast.clone(),
                    i.code.clone(),
                    i.name.clone(),
                    if i.scope.is_empty() {
                        "oblast".to_string()
                    } else {
                        i.scope.clone()
                    },
                    i.unit.clone(),
                    decimal(i.baseline),
                    decimal(i.target),
                    int(i.target_year),
                    decimal(i.actual),
                    Source::csv(i.source).to_string(),
                    i.progress().map(|p| format!("{p:.4}")).unwrap_or_default(),
                ],
            )?;
        }
        for act in &a.activities {
            row(
                &mut activities,
                vec![
                    a.oblast.clone(),
                    act.municipality_code.clone(),
                    name_of(reference, &act.municipality_code),
                    act.measure.clone(),
                    act.activity.clone(),
                    status_csv(&act.status),
                    act.indicator.clone(),
                    decimal(act.value),
                    money(act.funds),
                    act.financing.to_lowercase(),
                    act.file.clone(),
                    act.sheet.clone(),
                    act.row.to_string(),
                ],
            )?;
        }
        for s in &a.sustainability {
            row(
                &mut sustainability,
                vec![
                    a.oblast.clone(),
                    s.municipality_code.clone(),
                    name_of(reference, &s.municipality_code),
                    s.service_type.clone(),
                    s.service_name.clone(),
                    s.project_end.to_string(),
                    if s.continued {
                        s.financing_now.to_lowercase()
                    } else {
                        String::new()
                    },
                    s.continued.to_string(),
                    if s.continued { "continued" } else { "closed" }.to_string(),
                ],
            )?;
        }
    }
    Ok(vec![
        ("plan_status.csv".to_string(), finish(plan)?),
        ("indicators.csv".to_string(), finish(indicators)?),
        ("activities.csv".to_string(), finish(activities)?),
        ("sustainability.csv".to_string(), finish(sustainability)?),
    ])
}

/// Each municipality's overdue planned actions, by municipality code.
pub(super) fn overdue_by_municipality(
    assessment: &Assessment,
) -> std::collections::BTreeMap<&str, Vec<&crate::strategy::matching::ActionStatus>> {
    let mut out: std::collections::BTreeMap<&str, Vec<_>> = std::collections::BTreeMap::new();
    for a in &assessment.oblasts {
        for s in a.statuses.iter().filter(|s| s.status == Status::Overdue) {
            out.entry(s.action.municipality_code.as_str()).or_default().push(s);
        }
    }
    out
}

/// The sheet of a municipality's feedback that lists its overdue planned actions.
pub(super) fn overdue_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    config: &crate::config::Config,
    f: &super::sheetkit::Formats,
    overdue: &[&crate::strategy::matching::ActionStatus],
) -> Result<(), XlsxError> {
    let lang = config.lang;
    let t = |bg: &'static str, en: &'static str| super::text::tr(lang, bg, en);
    let reference = &config.schemas.reference;
    let name = |table: Table, code: &str| {
        reference
            .code_index(table, code)
            .map_or(code.to_string(), |i| match lang {
                Lang::Bg => reference.entry(table, i).1.to_string(),
                Lang::En => reference.entry_en(table, i).to_string(),
            })
    };
    let ws = wb
        .add_worksheet()
        .set_name(t("Просрочени по плана", "Overdue in the plan"))?;
    ws.write_string_with_format(
        0,
        0,
        t(
            "Действия от плана за развитие на социалните услуги, чийто срок е изтекъл, а не са изпълнени",
            "Actions of the plan of services whose year has ended and that are not realised",
        ),
        &f.title,
    )?;
    let cols = vec![
        col(t("Действие", "Action"), Kind::Text, 14.0),
        col(t("Вид услуга", "Service type"), Kind::Wrap, 32.0),
        col(t("Наименование", "Name"), Kind::Wrap, 30.0),
        col(t("Срок", "Year"), Kind::Int, 8.0),
        col(t("Места по плана", "Places planned"), Kind::Int, 10.0),
        col(t("Мярка", "Measure"), Kind::Text, 10.0),
    ];
    let rows: Vec<Vec<Out>> = overdue
        .iter()
        .map(|s| {
            vec![
                Out::text(name(Table::PlanActions, s.action.action.code())),
                Out::text(name(Table::ServiceTypes, &s.action.service_type)),
                Out::text(s.action.service_name.clone()),
                Out::Int(i64::from(s.action.year)),
                Out::int(s.action.capacity),
                Out::text(s.action.measure.clone()),
            ]
        })
        .collect();
    super::sheetkit::write_table(ws, f, 2, &cols, &rows, None)?;
    super::sheetkit::print_setup(ws, true);
    Ok(())
}
