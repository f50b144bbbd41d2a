//! The monitoring-report workbook: takes the run and its figures and gives
//! the .xlsx bytes — Summary with charts, Annexes 1–5, Submissions, Issues —
//! in Bulgarian (or English). Totals are formulas with cached values, every
//! table has a frozen header and an autofilter, wide annexes print
//! landscape, and the document properties are filled. The creation date is
//! the data's, so the same input gives the same bytes.

use rust_xlsxwriter::{Chart, ChartType, DocProperties, Workbook, Worksheet, XlsxError};

use super::sheetkit::{
    Formats, Kind, Out, cell, col, column_range, print_setup, write_cell, write_header, write_table, write_with,
};
use super::text::{sheet_names, status, tr, yes_no};
use crate::aggregate::{Aggregates, DSP_FIELDS, Figures, Status};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::issue::{Lang, Messages, Severity};
use crate::pipeline::Run;

fn xlsx_error(e: XlsxError) -> Error {
    Error::output(super::REPORT_FILE, e)
}

/// Everything the sheets need.
struct Ctx<'a> {
    config: &'a Config,
    run: &'a Run,
    agg: &'a Aggregates,
    lang: Lang,
    f: Formats,
}

impl Ctx<'_> {
    fn t(&self, bg: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, bg, en)
    }

    fn oblast_names(&self) -> String {
        self.run
            .oblasts
            .iter()
            .map(|code| {
                let name = self
                    .config
                    .schemas
                    .reference
                    .oblast(code)
                    .map_or(code.clone(), |o| match self.lang {
                        Lang::Bg => o.name_bg.clone(),
                        Lang::En => o.name_en.clone(),
                    });
                format!("{name} ({code})")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn field_label(&self, template: &str, field: &str) -> String {
        Messages {
            lang: self.lang,
            schemas: &self.config.schemas,
        }
        .field_label(Some(template), field)
    }
}

/// Builds the workbook.
///
/// Errors: [`Error::Output`] if rust_xlsxwriter refuses something.
pub fn build(config: &Config, run: &Run, aggregates: &Aggregates) -> Result<Vec<u8>> {
    let ctx = Ctx {
        config,
        run,
        agg: aggregates,
        lang: config.lang,
        f: Formats::new(),
    };
    let names = sheet_names(ctx.lang);
    let mut workbook = Workbook::new();
    summary(
        &ctx,
        workbook.add_worksheet().set_name(names.summary).map_err(xlsx_error)?,
        names.summary,
    )
    .map_err(xlsx_error)?;
    annex1(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[0])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    annex2(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[1])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    annex3(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[2])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    annex4(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[3])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    annex5(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[4])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    submissions(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.submissions)
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    issues(
        &ctx,
        workbook.add_worksheet().set_name(names.issues).map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;

    let date = aggregates.data_date.unwrap_or(config.period.end).max(config.period.end);
    let title = format!(
        "{} – {} – {}",
        ctx.t("Мониторингов доклад", "Monitoring report"),
        ctx.oblast_names(),
        config.period.display_bg()
    );
    let properties = DocProperties::new()
        .set_title(title)
        .set_subject(ctx.t(
            "Мониторинг на регионалната стратегия за развитие на социалните услуги",
            "Monitoring of the regional strategy for the development of social services",
        ))
        .set_author("socmon")
        .set_keywords("socmon; социални услуги; мониторинг")
        .set_comment(format!("socmon {}", env!("CARGO_PKG_VERSION")))
        .set_creation_datetime(&super::sheetkit::creation_time(date).map_err(xlsx_error)?);
    workbook.set_properties(&properties);
    workbook.save_to_buffer().map_err(xlsx_error)
}

// ---- Summary ----------------------------------------------------------------

fn summary(ctx: &Ctx, ws: &mut Worksheet, sheet_name: &str) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let run = ctx.run;
    let agg = ctx.agg;
    let total = crate::aggregate::total_of("", agg.by_municipality.iter());
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{} – {}",
            ctx.t(
                "Мониторинг на регионалната стратегия за развитие на социалните услуги",
                "Monitoring of the regional strategy for social services"
            ),
            ctx.oblast_names()
        ),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{}: {}",
            ctx.t("Отчетен период", "Reporting period"),
            ctx.config.period.display_bg()
        ),
        &f.subtitle,
    )?;
    let data_date = agg
        .data_date
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|| "—".into());
    ws.write_string_with_format(
        2,
        0,
        format!(
            "{}: {data_date}; {} {} {} ({} {})",
            ctx.t(
                "Данни към (последна дата на попълване)",
                "Data as of (latest fill-in date)"
            ),
            ctx.t("изготвен от", "made from"),
            run.files.seen,
            ctx.t("файла", "files"),
            run.files.read,
            ctx.t("прочетени", "read"),
        ),
        &f.subtitle,
    )?;

    let cols = [
        col(ctx.t("Показател", "Figure"), Kind::Text, 52.0),
        col(ctx.t("Стойност", "Value"), Kind::Decimal, 18.0),
    ];
    write_header(ws, f, 4, 0, &cols)?;
    let children_disabled = total.dsp_value("children_disabled");
    let adults_disabled = total.dsp_value("adults_disabled");
    let headline: Vec<(&str, Kind, Out)> = vec![
        (
            ctx.t(
                "Социални услуги, активни в периода",
                "Social services active in the period",
            ),
            Kind::Int,
            Out::Int(total.services),
        ),
        (
            ctx.t("Места (капацитет)", "Places (capacity)"),
            Kind::Int,
            Out::Int(total.capacity),
        ),
        (
            ctx.t("Среден брой потребители", "Average number of users"),
            Kind::Decimal,
            Out::Num(total.avg_users),
        ),
        (
            ctx.t("Обслужени потребители за периода", "Users served in the period"),
            Kind::Int,
            Out::Int(total.users_served),
        ),
        (
            ctx.t("Деца с увреждания (ДСП)", "Children with disabilities (DSP)"),
            Kind::Int,
            Out::int(children_disabled),
        ),
        (
            ctx.t("Лица с увреждания над 18 г. (ДСП)", "Adults with disabilities (DSP)"),
            Kind::Int,
            Out::int(adults_disabled),
        ),
        (
            ctx.t(
                "Средства – държавно делегирана дейност (лв.)",
                "Funds – state-delegated (BGN)",
            ),
            Kind::Money,
            Out::Num(total.budget_state),
        ),
        (
            ctx.t("Средства – местна дейност (лв.)", "Funds – local (BGN)"),
            Kind::Money,
            Out::Num(total.budget_local),
        ),
        (
            ctx.t("Средства – проекти и други (лв.)", "Funds – projects and other (BGN)"),
            Kind::Money,
            Out::Num(total.budget_other),
        ),
        (
            ctx.t("Места на 1000 жители", "Places per 1,000 inhabitants"),
            Kind::Decimal,
            Out::num(total.places_per_1000()),
        ),
        (
            ctx.t(
                "Дял на децата в семейна среда (приемна грижа и близки)",
                "Share of children in family-type care",
            ),
            Kind::Percent,
            Out::num(total.family_care_share()),
        ),
    ];
    let mut row = 5;
    for (label, kind, value) in &headline {
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(*label), false)?;
        write_cell(ws, f, row, 1, *kind, value, false)?;
        row += 1;
    }

    row += 1;
    write_header(
        ws,
        f,
        row,
        0,
        &[
            col(ctx.t("Качество на данните", "Data quality"), Kind::Text, 52.0),
            col("", Kind::Int, 18.0),
        ],
    )?;
    row += 1;
    let count = |status_of: Status| agg.submissions.iter().filter(|s| s.status == status_of).count() as i64;
    let accepted = run.records_accepted() as i64;
    let quality: Vec<(String, i64)> = vec![
        (
            ctx.t("Получени файлове", "Files received").into(),
            run.files.seen as i64,
        ),
        (ctx.t("Прочетени файлове", "Files read").into(), run.files.read as i64),
        (
            ctx.t("Нечетими файлове", "Unreadable files").into(),
            run.files.failed as i64,
        ),
        (
            ctx.t("Пропуснати (не са отчети)", "Skipped (not returns)").into(),
            run.files.skipped as i64,
        ),
        (
            ctx.t("Прочетени записи", "Records read").into(),
            run.records.len() as i64,
        ),
        (ctx.t("Приети записи", "Records accepted").into(), accepted),
        (
            ctx.t("Отхвърлени записи (с грешки)", "Records rejected (with errors)")
                .into(),
            run.records.len() as i64 - accepted,
        ),
        (ctx.t("Грешки", "Errors").into(), run.errors() as i64),
        (ctx.t("Предупреждения", "Warnings").into(), run.warnings() as i64),
        (
            format!(
                "{}: {}",
                ctx.t("Общини", "Municipalities"),
                status(ctx.lang, Status::Complete)
            ),
            count(Status::Complete),
        ),
        (
            format!(
                "{}: {}",
                ctx.t("Общини", "Municipalities"),
                status(ctx.lang, Status::Incomplete)
            ),
            count(Status::Incomplete),
        ),
        (
            format!(
                "{}: {}",
                ctx.t("Общини", "Municipalities"),
                status(ctx.lang, Status::Missing)
            ),
            count(Status::Missing),
        ),
    ];
    for (label, value) in &quality {
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(label.clone()), false)?;
        write_cell(ws, f, row, 1, Kind::Int, &Out::Int(*value), false)?;
        row += 1;
    }

    // Chart data: places by municipality; users against capacity by type; funds by source.
    row += 1;
    let places_first = row + 1;
    write_header(
        ws,
        f,
        row,
        0,
        &[
            col(ctx.t("Община", "Municipality"), Kind::Text, 52.0),
            col(ctx.t("Места", "Places"), Kind::Int, 18.0),
        ],
    )?;
    for m in &agg.by_municipality {
        row += 1;
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(m.municipality.clone()), false)?;
        write_cell(ws, f, row, 1, Kind::Int, &Out::Int(m.capacity), false)?;
    }
    let places_last = row;

    row += 2;
    let types_header = row;
    ws.set_column_width(2, 16.0)?;
    write_header(
        ws,
        f,
        row,
        0,
        &[
            col(ctx.t("Вид на услугата", "Service type"), Kind::Text, 52.0),
            col(ctx.t("Места", "Places"), Kind::Int, 18.0),
            col(ctx.t("Среден брой потребители", "Average users"), Kind::Decimal, 16.0),
        ],
    )?;
    for t in &agg.by_service_type {
        row += 1;
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(t.name.clone()), false)?;
        write_cell(ws, f, row, 1, Kind::Int, &Out::Int(t.capacity), false)?;
        write_cell(ws, f, row, 2, Kind::Decimal, &Out::Num(t.avg_users), false)?;
    }
    let types_last = row;

    row += 2;
    let funds_header = row;
    write_header(
        ws,
        f,
        row,
        0,
        &[
            col(ctx.t("Източник на средствата", "Source of funds"), Kind::Text, 52.0),
            col(ctx.t("лв.", "BGN"), Kind::Money, 18.0),
        ],
    )?;
    for (label, value) in [
        (
            ctx.t("Държавно делегирана дейност", "State-delegated activity"),
            total.budget_state,
        ),
        (ctx.t("Местна дейност", "Local activity"), total.budget_local),
        (ctx.t("Проекти и други", "Projects and other"), total.budget_other),
    ] {
        row += 1;
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(label), false)?;
        write_cell(ws, f, row, 1, Kind::Money, &Out::Num(value), false)?;
    }
    let funds_last = row;

    row += 2;
    write_header(
        ws,
        f,
        row,
        0,
        &[
            col(ctx.t("Начин на финансиране", "Financing"), Kind::Text, 52.0),
            col(ctx.t("Услуги", "Services"), Kind::Int, 18.0),
            col(ctx.t("Места", "Places"), Kind::Int, 16.0),
        ],
    )?;
    for fin in &agg.by_financing {
        row += 1;
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(fin.name.clone()), false)?;
        write_cell(ws, f, row, 1, Kind::Int, &Out::Int(fin.services), false)?;
        write_cell(ws, f, row, 2, Kind::Int, &Out::Int(fin.capacity), false)?;
    }

    if places_last >= places_first {
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_name(ctx.t("Места", "Places"))
            .set_categories((sheet_name, places_first, 0, places_last, 0))
            .set_values((sheet_name, places_first, 1, places_last, 1));
        chart
            .title()
            .set_name(ctx.t("Места по общини", "Places by municipality"));
        chart.legend().set_hidden();
        chart.set_width(640).set_height(320);
        ws.insert_chart(4, 4, &chart)?;
    }
    if types_last > types_header {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name(ctx.t("Места", "Places"))
            .set_categories((sheet_name, types_header + 1, 0, types_last, 0))
            .set_values((sheet_name, types_header + 1, 1, types_last, 1));
        chart
            .add_series()
            .set_name(ctx.t("Среден брой потребители", "Average users"))
            .set_categories((sheet_name, types_header + 1, 0, types_last, 0))
            .set_values((sheet_name, types_header + 1, 2, types_last, 2));
        chart.title().set_name(ctx.t(
            "Потребители и капацитет по вид услуга",
            "Users against capacity by service type",
        ));
        chart.set_width(640).set_height(420);
        ws.insert_chart(21, 4, &chart)?;
    }
    if total.budget_state + total.budget_local + total.budget_other > 0.0 {
        let mut chart = Chart::new(ChartType::Pie);
        chart
            .add_series()
            .set_name(ctx.t("Средства", "Funds"))
            .set_categories((sheet_name, funds_header + 1, 0, funds_last, 0))
            .set_values((sheet_name, funds_header + 1, 1, funds_last, 1));
        chart.title().set_name(ctx.t("Средства по източник", "Funds by source"));
        chart.set_width(480).set_height(320);
        ws.insert_chart(43, 4, &chart)?;
    }
    print_setup(ws, false);
    Ok(())
}

// ---- Annex 1: every accepted service ----------------------------------------

fn annex1(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    ws.write_string_with_format(
        0,
        0,
        ctx.t(
            "Приложение 1. Социални услуги в областта",
            "Annex 1. Social services in the oblast",
        ),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Всички приети карти на услуги; сумите броят само активните в периода услуги, всяка веднъж.",
            "Every accepted service card; totals count only services active in the period, each once.",
        ),
        &f.subtitle,
    )?;
    let cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 16.0),
        col(ctx.t("Населено място", "Settlement"), Kind::Text, 16.0),
        col(ctx.t("Наименование", "Name"), Kind::Wrap, 40.0),
        col(ctx.t("Вид на услугата", "Service type"), Kind::Wrap, 36.0),
        col(ctx.t("Карта", "Card"), Kind::Text, 9.0),
        col(ctx.t("Доставчик", "Provider"), Kind::Wrap, 28.0),
        col(ctx.t("Вид на доставчика", "Provider type"), Kind::Text, 14.0),
        col(ctx.t("Финансиране", "Financing"), Kind::Text, 18.0),
        col(ctx.t("Капацитет", "Capacity"), Kind::Int, 11.0),
        col(ctx.t("Среден брой потребители", "Average users"), Kind::Decimal, 12.0),
        col(ctx.t("Обслужени потребители", "Users served"), Kind::Int, 12.0),
        col(ctx.t("Заетост", "Occupancy"), Kind::Percent, 10.0),
        col(ctx.t("Открита", "Opened"), Kind::Date, 12.0),
        col(ctx.t("Закрита", "Closed"), Kind::Date, 12.0),
        col(ctx.t("Активна в периода", "Active in period"), Kind::Text, 10.0),
        col(ctx.t("Включена в сумите", "In the totals"), Kind::Text, 10.0),
    ];
    let reference = &ctx.config.schemas.reference;
    let choice_name = |table, code: &str| -> String {
        reference
            .code_index(table, code)
            .map(|i| match lang {
                Lang::Bg => reference.entry(table, i).1.to_string(),
                Lang::En => reference.entry_en(table, i).to_string(),
            })
            .unwrap_or_else(|| code.to_string())
    };
    let rows: Vec<Vec<Out>> = ctx
        .agg
        .services
        .iter()
        .map(|s| {
            vec![
                Out::text(s.municipality.clone()),
                Out::text(s.settlement.clone()),
                Out::text(s.service_name.clone()),
                Out::text(choice_name(crate::reference::Table::ServiceTypes, &s.service_type)),
                Out::text(super::text::card(lang, s.card)),
                Out::text(s.provider_name.clone()),
                Out::text(choice_name(crate::reference::Table::ProviderTypes, &s.provider_type)),
                Out::text(choice_name(crate::reference::Table::FinancingTypes, &s.financing)),
                Out::int(s.capacity),
                Out::num(s.avg_users),
                Out::int(s.users_served),
                Out::num(s.occupancy()),
                Out::date(s.start_date),
                Out::date(s.end_date),
                Out::text(yes_no(lang, s.active)),
                Out::text(yes_no(lang, s.in_figures())),
            ]
        })
        .collect();
    let header_row = 3;
    let (first, last) = (header_row + 1, header_row + rows.len().max(1) as u32);
    let counted: Vec<_> = ctx.agg.services.iter().filter(|s| s.in_figures()).collect();
    let sum_if = |column: u16, cached: f64| {
        Out::formula(
            format!(
                "=SUMIFS({},{},\"{}\")",
                column_range(column, first, last),
                column_range(15, first, last),
                yes_no(lang, true)
            ),
            Some(cached),
        )
    };
    let capacity: i64 = counted.iter().filter_map(|s| s.capacity).sum();
    let users: f64 = counted.iter().filter_map(|s| s.avg_users).sum();
    let served: i64 = counted.iter().filter_map(|s| s.users_served).sum();
    let mut totals = vec![Out::text(ctx.t(
        "Общо (активни, всяка услуга веднъж)",
        "Total (active, each service once)",
    ))];
    totals.extend(std::iter::repeat_n(Out::Empty, 7));
    totals.push(sum_if(8, capacity as f64));
    totals.push(sum_if(9, users));
    totals.push(sum_if(10, served as f64));
    totals.push(Out::formula(
        format!(
            "=IF({}>0,{}/{},\"\")",
            cell(last + 1, 8),
            cell(last + 1, 9),
            cell(last + 1, 8)
        ),
        (capacity > 0).then(|| users / capacity as f64),
    ));
    totals.extend(std::iter::repeat_n(Out::Empty, 4));
    write_table(ws, f, header_row, &cols, &rows, Some(&totals))?;
    print_setup(ws, true);
    Ok(())
}

// ---- Annex 2: capacity and users by municipality and service type ---------

fn annex2(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    ws.write_string_with_format(
        0,
        0,
        ctx.t(
            "Приложение 2. Капацитет и потребители по общини и видове услуги",
            "Annex 2. Capacity and users by municipality and service type",
        ),
        &f.title,
    )?;
    // The service types that occur, in nomenclature order.
    let mut types: Vec<(String, String)> = Vec::new();
    for t in &ctx.agg.by_service_type {
        if !types.iter().any(|(code, _)| code == &t.service_type) {
            types.push((t.service_type.clone(), t.name.clone()));
        }
    }
    let group_row = 2;
    let header_row = 3;
    ws.merge_range(group_row, 0, header_row, 0, ctx.t("Община", "Municipality"), &f.header)?;
    ws.set_column_width(0, 20.0)?;
    let places = ctx.t("Места", "Places");
    let users = ctx.t("Потребители", "Users");
    for (i, (_, name)) in types.iter().enumerate() {
        let c = 1 + 2 * i as u16;
        ws.merge_range(group_row, c, group_row, c + 1, name, &f.header)?;
        ws.write_string_with_format(header_row, c, places, &f.header)?;
        ws.write_string_with_format(header_row, c + 1, users, &f.header)?;
        ws.set_column_width(c, 10.0)?;
        ws.set_column_width(c + 1, 11.0)?;
    }
    let total_col = 1 + 2 * types.len() as u16;
    ws.merge_range(
        group_row,
        total_col,
        group_row,
        total_col + 1,
        ctx.t("Общо", "Total"),
        &f.header,
    )?;
    ws.write_string_with_format(header_row, total_col, places, &f.header)?;
    ws.write_string_with_format(header_row, total_col + 1, users, &f.header)?;
    ws.set_column_width(total_col, 11.0)?;
    ws.set_column_width(total_col + 1, 12.0)?;
    ws.set_row_height(group_row, 45.0)?;

    let lookup: std::collections::HashMap<(&str, &str), (i64, f64)> = ctx
        .agg
        .by_municipality_type
        .iter()
        .map(|x| {
            (
                (x.municipality_code.as_str(), x.service_type.as_str()),
                (x.capacity, x.avg_users),
            )
        })
        .collect();
    let first = header_row + 1;
    let mut row = first;
    for m in &ctx.agg.by_municipality {
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(m.municipality.clone()), false)?;
        let mut places_cols = Vec::new();
        let mut users_cols = Vec::new();
        for (i, (code, _)) in types.iter().enumerate() {
            let c = 1 + 2 * i as u16;
            let (cap, avg) = lookup
                .get(&(m.municipality_code.as_str(), code.as_str()))
                .copied()
                .unwrap_or((0, 0.0));
            write_cell(ws, f, row, c, Kind::Int, &Out::Int(cap), false)?;
            write_cell(ws, f, row, c + 1, Kind::Decimal, &Out::Num(avg), false)?;
            places_cols.push(cell(row, c));
            users_cols.push(cell(row, c + 1));
        }
        let sum_of = |cells: &[String]| {
            if cells.is_empty() {
                "=0".to_string()
            } else {
                format!("={}", cells.join("+"))
            }
        };
        write_cell(
            ws,
            f,
            row,
            total_col,
            Kind::Int,
            &Out::formula(sum_of(&places_cols), Some(m.capacity as f64)),
            true,
        )?;
        write_cell(
            ws,
            f,
            row,
            total_col + 1,
            Kind::Decimal,
            &Out::formula(sum_of(&users_cols), Some(m.avg_users)),
            true,
        )?;
        row += 1;
    }
    let last = row.saturating_sub(1).max(first);
    write_cell(ws, f, row, 0, Kind::Text, &Out::text(ctx.t("Общо", "Total")), true)?;
    for c in 1..=total_col + 1 {
        let is_users = (c - 1) % 2 == 1;
        let cached: f64 = if c >= total_col {
            if is_users {
                ctx.agg.by_municipality.iter().map(|m| m.avg_users).sum()
            } else {
                ctx.agg.by_municipality.iter().map(|m| m.capacity as f64).sum()
            }
        } else {
            let code = &types[((c - 1) / 2) as usize].0;
            let figures = ctx.agg.by_municipality_type.iter().filter(|x| &x.service_type == code);
            if is_users {
                figures.map(|x| x.avg_users).sum()
            } else {
                figures.map(|x| x.capacity as f64).sum()
            }
        };
        let kind = if is_users { Kind::Decimal } else { Kind::Int };
        write_cell(
            ws,
            f,
            row,
            c,
            kind,
            &Out::formula(format!("=SUM({})", column_range(c, first, last)), Some(cached)),
            true,
        )?;
    }
    ws.autofilter(header_row, 0, last, total_col + 1)?;
    ws.set_freeze_panes(header_row + 1, 1)?;
    ws.set_repeat_rows(group_row, header_row)?;
    print_setup(ws, true);
    Ok(())
}

// ---- Annex 3: DSP figures and indicators ----------------------------------

fn annex3(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    ws.write_string_with_format(
        0,
        0,
        ctx.t(
            "Приложение 3. Деца и лица с увреждания (ДСП) и показатели за обхват",
            "Annex 3. Children and persons with disabilities (DSP) and coverage indicators",
        ),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Населението е по картите на общините; местата са на активните услуги; семейна среда = (приемни семейства + близки) / (приемни + близки + резидентни + институции).",
            "Population from the municipal cards; places of active services; family-type care = (foster + kinship) / (foster + kinship + residential + institutions).",
        ),
        &f.subtitle,
    )?;
    let mut cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 18.0),
        col(ctx.t("Население", "Population"), Kind::Int, 11.0),
        col(ctx.t("Население 0–17 г.", "Population 0–17"), Kind::Int, 11.0),
        col(ctx.t("Население над 65 г.", "Population over 65"), Kind::Int, 11.0),
    ];
    for field in DSP_FIELDS {
        cols.push(col(ctx.field_label("dsp", field), Kind::Int, 12.0));
    }
    let first_indicator_col = cols.len() as u16;
    cols.extend([
        col(ctx.t("Места – общо", "Places – total"), Kind::Int, 10.0),
        col(
            ctx.t("Места в услуги за деца", "Places in services for children"),
            Kind::Int,
            10.0,
        ),
        col(
            ctx.t("Места в услуги за стари хора", "Places in services for the elderly"),
            Kind::Int,
            10.0,
        ),
        col(
            ctx.t("Места на 1000 жители", "Places per 1,000 inhabitants"),
            Kind::Decimal,
            11.0,
        ),
        col(
            ctx.t("Места за деца на 1000 деца", "Children's places per 1,000 children"),
            Kind::Decimal,
            11.0,
        ),
        col(
            ctx.t(
                "Места за стари хора на 1000 души над 65 г.",
                "Places for the elderly per 1,000 people over 65",
            ),
            Kind::Decimal,
            12.0,
        ),
        col(
            ctx.t("Дял на децата в семейна среда", "Share of children in family-type care"),
            Kind::Percent,
            11.0,
        ),
    ]);
    let (c_pop, c_child, c_old) = (1u16, 2u16, 3u16);
    let dsp_col = |field: &str| 4 + DSP_FIELDS.iter().position(|x| *x == field).unwrap_or(0) as u16;
    let (c_places, c_places_children, c_places_elderly) =
        (first_indicator_col, first_indicator_col + 1, first_indicator_col + 2);
    let header_row = 3;
    let indicators = |row: u32, figures: &Figures| -> Vec<Out> {
        let per_1000 = |num: u16, den: u16, cached: Option<f64>| {
            Out::formula(
                format!(
                    "=IF(N({den})>0,{num}/{den}*1000,\"\")",
                    num = cell(row, num),
                    den = cell(row, den)
                ),
                cached,
            )
        };
        let (foster, kinship, residential, institutions) = (
            cell(row, dsp_col("children_foster")),
            cell(row, dsp_col("children_kinship")),
            cell(row, dsp_col("children_residential")),
            cell(row, dsp_col("children_institutions")),
        );
        vec![
            per_1000(c_places, c_pop, figures.places_per_1000()),
            per_1000(c_places_children, c_child, figures.children_places_per_1000()),
            per_1000(c_places_elderly, c_old, figures.elderly_places_per_1000()),
            Out::formula(
                format!(
                    "=IF(COUNT({foster},{kinship},{residential},{institutions})=4,IF({foster}+{kinship}+{residential}+{institutions}>0,({foster}+{kinship})/({foster}+{kinship}+{residential}+{institutions}),\"\"),\"\")"
                ),
                figures.family_care_share(),
            ),
        ]
    };
    let figures_cells = |figures: &Figures| -> Vec<Out> {
        let mut cells = vec![
            Out::text(figures.municipality.clone()),
            Out::int(figures.population),
            Out::int(figures.population_children),
            Out::int(figures.population_elderly),
        ];
        cells.extend(DSP_FIELDS.iter().map(|field| Out::int(figures.dsp_value(field))));
        cells.extend([
            Out::Int(figures.capacity),
            Out::Int(figures.capacity_children),
            Out::Int(figures.capacity_elderly),
        ]);
        cells
    };
    let rows: Vec<Vec<Out>> = ctx
        .agg
        .by_municipality
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut cells = figures_cells(m);
            cells.extend(indicators(header_row + 1 + i as u32, m));
            cells
        })
        .collect();
    let first = header_row + 1;
    let last = header_row + rows.len().max(1) as u32;
    let totals_row = last + 1;
    let total = crate::aggregate::total_of("", ctx.agg.by_municipality.iter());
    let mut totals = vec![Out::text(ctx.t("Общо за областта", "Oblast total"))];
    let sums = figures_cells(&total);
    for (i, value) in sums.iter().enumerate().skip(1) {
        let cached = match value {
            Out::Int(v) => Some(*v as f64),
            _ => None,
        };
        totals.push(Out::formula(
            format!("=SUM({})", column_range(i as u16, first, last)),
            cached.or(Some(0.0)),
        ));
    }
    totals.extend(indicators(totals_row, &total));
    write_table(ws, f, header_row, &cols, &rows, Some(&totals))?;
    ws.set_row_height(header_row, 60.0)?;
    ws.set_freeze_panes(header_row + 1, 1)?;
    print_setup(ws, true);
    Ok(())
}

// ---- Annex 4: financing ------------------------------------------------------

fn annex4(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    ws.write_string_with_format(0, 0, ctx.t("Приложение 4. Финансиране", "Annex 4. Financing"), &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Утвърденият бюджет е по картите на общините; средствата по източник са сумите от картите на активните услуги.",
            "Approved budgets from the municipal cards; funds by source summed from the cards of active services.",
        ),
        &f.subtitle,
    )?;
    let cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 18.0),
        col(
            ctx.t(
                "Утвърден бюджет – държавно делегирани дейности (лв.)",
                "Approved budget – state-delegated (BGN)",
            ),
            Kind::Money,
            16.0,
        ),
        col(
            ctx.t(
                "Утвърден бюджет – местни дейности (лв.)",
                "Approved budget – local (BGN)",
            ),
            Kind::Money,
            16.0,
        ),
        col(
            ctx.t(
                "Средства – държавно делегирана дейност (лв.)",
                "Funds – state-delegated (BGN)",
            ),
            Kind::Money,
            16.0,
        ),
        col(
            ctx.t("Средства – местна дейност (лв.)", "Funds – local (BGN)"),
            Kind::Money,
            16.0,
        ),
        col(
            ctx.t("Средства – проекти и други (лв.)", "Funds – projects and other (BGN)"),
            Kind::Money,
            16.0,
        ),
        col(ctx.t("Средства – общо (лв.)", "Funds – total (BGN)"), Kind::Money, 16.0),
        col(
            ctx.t("Дял на държавно делегираните", "State-delegated share"),
            Kind::Percent,
            12.0,
        ),
    ];
    let header_row = 3;
    let rows: Vec<Vec<Out>> = ctx
        .agg
        .by_municipality
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let row = header_row + 1 + i as u32;
            let total = m.budget_state + m.budget_local + m.budget_other;
            vec![
                Out::text(m.municipality.clone()),
                Out::num(m.approved_state),
                Out::num(m.approved_local),
                Out::Num(m.budget_state),
                Out::Num(m.budget_local),
                Out::Num(m.budget_other),
                Out::formula(format!("=SUM({}:{})", cell(row, 3), cell(row, 5)), Some(total)),
                Out::formula(
                    format!("=IF({}>0,{}/{},\"\")", cell(row, 6), cell(row, 3), cell(row, 6)),
                    m.state_share(),
                ),
            ]
        })
        .collect();
    let first = header_row + 1;
    let last = header_row + rows.len().max(1) as u32;
    let total = crate::aggregate::total_of("", ctx.agg.by_municipality.iter());
    let cached = [
        total.approved_state.unwrap_or(0.0),
        total.approved_local.unwrap_or(0.0),
        total.budget_state,
        total.budget_local,
        total.budget_other,
        total.budget_state + total.budget_local + total.budget_other,
    ];
    let mut totals = vec![Out::text(ctx.t("Общо за областта", "Oblast total"))];
    for (i, value) in cached.iter().enumerate() {
        let c = 1 + i as u16;
        totals.push(Out::formula(
            format!("=SUM({})", column_range(c, first, last)),
            Some(*value),
        ));
    }
    let t = last + 1;
    totals.push(Out::formula(
        format!("=IF({}>0,{}/{},\"\")", cell(t, 6), cell(t, 3), cell(t, 6)),
        total.state_share(),
    ));
    write_table(ws, f, header_row, &cols, &rows, Some(&totals))?;
    ws.set_row_height(header_row, 48.0)?;
    print_setup(ws, true);
    Ok(())
}

// ---- Annex 5: changes in the network ---------------------------------------

fn annex5(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    ws.write_string_with_format(
        0,
        0,
        ctx.t(
            "Приложение 5. Промени в мрежата от услуги",
            "Annex 5. Changes in the network of services",
        ),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Открити и закрити през периода услуги и услуги с приключило проектно финансиране (по картите на услугите).",
            "Services opened and closed in the period and services whose project funding ended (from the service cards).",
        ),
        &f.subtitle,
    )?;
    let cols = vec![
        col(ctx.t("Промяна", "Change"), Kind::Text, 26.0),
        col(ctx.t("Община", "Municipality"), Kind::Text, 16.0),
        col(ctx.t("Наименование", "Name"), Kind::Wrap, 40.0),
        col(ctx.t("Вид на услугата", "Service type"), Kind::Wrap, 34.0),
        col(ctx.t("Дата", "Date"), Kind::Date, 12.0),
        col(ctx.t("Капацитет", "Capacity"), Kind::Int, 10.0),
        col(
            ctx.t("Продължава да функционира", "Continues to operate"),
            Kind::Text,
            12.0,
        ),
    ];
    let mut rows = Vec::new();
    let counted = ctx.agg.services.iter().filter(|s| s.counted);
    for s in counted {
        let base = |change: &str, date| {
            vec![
                Out::text(change.to_string()),
                Out::text(s.municipality.clone()),
                Out::text(s.service_name.clone()),
                Out::text(s.service_type_name.clone()),
                Out::date(date),
                Out::int(s.capacity),
            ]
        };
        if s.opened_in_period {
            let mut r = base(ctx.t("открита", "opened"), s.start_date);
            r.push(Out::Empty);
            rows.push(r);
        }
        if s.closed_in_period {
            let mut r = base(ctx.t("закрита", "closed"), s.end_date);
            r.push(Out::Empty);
            rows.push(r);
        }
        if s.project_ended {
            let goes_on = s.end_date.is_none_or(|end| s.project_end.is_some_and(|p| end > p));
            let mut r = base(
                ctx.t("приключило проектно финансиране", "project funding ended"),
                s.project_end,
            );
            r.push(Out::text(yes_no(lang, goes_on)));
            rows.push(r);
        }
    }
    let header_row = 3;
    let mut row = write_table(ws, f, header_row, &cols, &rows, None)?;

    // What the municipal cards declare, per municipality.
    row += 2;
    ws.write_string_with_format(
        row,
        0,
        ctx.t("Декларирано в картите на общините", "Declared on the municipal cards"),
        &f.title,
    )?;
    row += 1;
    let declared_cols = [
        col(ctx.t("Община", "Municipality"), Kind::Text, 0.0),
        col(ctx.field_label("municipality", "services_opened"), Kind::Int, 0.0),
        col(ctx.field_label("municipality", "services_closed"), Kind::Int, 0.0),
        col(ctx.field_label("municipality", "projects_ended"), Kind::Int, 0.0),
        col(ctx.field_label("municipality", "projects_sustained"), Kind::Int, 0.0),
    ];
    for (i, c) in declared_cols.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, &c.header, &f.header)?;
    }
    let first = row + 1;
    for m in &ctx.agg.by_municipality {
        row += 1;
        let values = [
            Out::text(m.municipality.clone()),
            Out::int(m.declared_opened),
            Out::int(m.declared_closed),
            Out::int(m.declared_projects_ended),
            Out::int(m.declared_projects_sustained),
        ];
        for (i, (c, v)) in declared_cols.iter().zip(&values).enumerate() {
            write_cell(ws, f, row, i as u16, c.kind, v, false)?;
        }
    }
    let last = row.max(first);
    row += 1;
    let total = crate::aggregate::total_of("", ctx.agg.by_municipality.iter());
    write_cell(ws, f, row, 0, Kind::Text, &Out::text(ctx.t("Общо", "Total")), true)?;
    for (i, cached) in [
        total.declared_opened,
        total.declared_closed,
        total.declared_projects_ended,
        total.declared_projects_sustained,
    ]
    .iter()
    .enumerate()
    {
        let c = 1 + i as u16;
        write_cell(
            ws,
            f,
            row,
            c,
            Kind::Int,
            &Out::formula(
                format!("=SUM({})", column_range(c, first, last)),
                Some(cached.unwrap_or(0) as f64),
            ),
            true,
        )?;
    }
    print_setup(ws, true);
    Ok(())
}

// ---- Submissions -------------------------------------------------------------

fn submissions(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    ws.write_string_with_format(
        0,
        0,
        ctx.t("Подадени данни по общини", "Submissions by municipality"),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Пълни: карта на общината и ред в ДСП без грешки; непълни: нещо липсва или има грешки; липсват: нищо не е получено от общината.",
            "Complete: municipal card and DSP row without errors; incomplete: something missing or with errors; missing: nothing received from the municipality.",
        ),
        &f.subtitle,
    )?;
    let cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 18.0),
        col(ctx.t("Код", "Code"), Kind::Text, 8.0),
        col(ctx.t("Карта на общината", "Municipal card"), Kind::Text, 11.0),
        col(ctx.t("Карти на услуги за лица", "Adult service cards"), Kind::Int, 11.0),
        col(ctx.t("Карти на услуги за деца", "Child service cards"), Kind::Int, 11.0),
        col(ctx.t("Ред в таблица на ДСП", "DSP row"), Kind::Text, 10.0),
        col(ctx.t("Грешки", "Errors"), Kind::Int, 9.0),
        col(ctx.t("Предупреждения", "Warnings"), Kind::Int, 12.0),
        col(ctx.t("Дата на попълване", "Filled in on"), Kind::Date, 12.0),
        col(ctx.t("Състояние", "Status"), Kind::Text, 12.0),
    ];
    let header_row = 3;
    let rows: Vec<Vec<Out>> = ctx
        .agg
        .submissions
        .iter()
        .map(|s| {
            vec![
                Out::text(s.municipality.clone()),
                Out::text(s.municipality_code.clone()),
                Out::text(yes_no(lang, s.municipal_card)),
                Out::Int(s.adult_cards),
                Out::Int(s.child_cards),
                Out::text(yes_no(lang, s.dsp_row)),
                Out::Int(s.errors),
                Out::Int(s.warnings),
                Out::date(s.filled_on),
                Out::text(status(lang, s.status)),
            ]
        })
        .collect();
    let first = header_row + 1;
    let last = header_row + rows.len().max(1) as u32;
    let sum =
        |c: u16, cached: i64| Out::formula(format!("=SUM({})", column_range(c, first, last)), Some(cached as f64));
    let count_yes = |c: u16, cached: usize| {
        Out::formula(
            format!("=COUNTIF({},\"{}\")", column_range(c, first, last), yes_no(lang, true)),
            Some(cached as f64),
        )
    };
    let s = &ctx.agg.submissions;
    let totals = vec![
        Out::text(ctx.t("Общо", "Total")),
        Out::Empty,
        count_yes(2, s.iter().filter(|x| x.municipal_card).count()),
        sum(3, s.iter().map(|x| x.adult_cards).sum()),
        sum(4, s.iter().map(|x| x.child_cards).sum()),
        count_yes(5, s.iter().filter(|x| x.dsp_row).count()),
        sum(6, s.iter().map(|x| x.errors).sum()),
        sum(7, s.iter().map(|x| x.warnings).sum()),
        Out::Empty,
        Out::Empty,
    ];
    write_table(ws, f, header_row, &cols, &rows, Some(&totals))?;
    for (i, sub) in s.iter().enumerate() {
        let format = match sub.status {
            Status::Complete => &f.good,
            Status::Incomplete => &f.warn,
            Status::Missing => &f.bad,
        };
        write_with(ws, first + i as u32, 9, &Out::text(status(lang, sub.status)), format)?;
    }
    ws.set_row_height(header_row, 45.0)?;
    print_setup(ws, true);
    Ok(())
}

// ---- Issues --------------------------------------------------------------------

fn issues(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let messages = Messages {
        lang: ctx.lang,
        schemas: &ctx.config.schemas,
    };
    ws.write_string_with_format(0, 0, ctx.t("Грешки и предупреждения", "Errors and warnings"), &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Запис с грешка не е включен в сумите; записите само с предупреждения са включени.",
            "A record with an error adds to no figure; records with warnings only are included.",
        ),
        &f.subtitle,
    )?;
    let cols = vec![
        col(ctx.t("Файл", "File"), Kind::Wrap, 30.0),
        col(ctx.t("Лист", "Sheet"), Kind::Text, 14.0),
        col(ctx.t("Клетка", "Cell"), Kind::Text, 8.0),
        col(ctx.t("Образец", "Template"), Kind::Text, 16.0),
        col(ctx.t("Поле", "Field"), Kind::Wrap, 24.0),
        col(ctx.t("Стойност", "Value"), Kind::Wrap, 20.0),
        col(ctx.t("Вид", "Severity"), Kind::Text, 14.0),
        col(ctx.t("Код", "Code"), Kind::Text, 18.0),
        col(ctx.t("Съобщение", "Message"), Kind::Wrap, 70.0),
        col(ctx.t("Община", "Municipality"), Kind::Text, 10.0),
    ];
    let rows: Vec<Vec<Out>> = ctx
        .run
        .issues
        .iter()
        .map(|issue| {
            vec![
                Out::text(issue.location.file.clone()),
                Out::text(issue.location.sheet.clone()),
                Out::text(issue.location.cell.map(|c| c.to_string()).unwrap_or_default()),
                Out::text(
                    issue
                        .template
                        .as_deref()
                        .map(|t| messages.template_title(t))
                        .unwrap_or_default(),
                ),
                Out::text(
                    issue
                        .field
                        .as_deref()
                        .map(|field| messages.field_label(issue.template.as_deref(), field))
                        .unwrap_or_default(),
                ),
                Out::text(issue.value.clone()),
                Out::text(issue.severity.label(ctx.lang)),
                Out::text(issue.code()),
                Out::text(messages.message(issue)),
                Out::text(issue.municipality.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let header_row = 3;
    write_table(ws, f, header_row, &cols, &rows, None)?;
    for (i, issue) in ctx.run.issues.iter().enumerate() {
        let format = if issue.severity == Severity::Error {
            &f.bad
        } else {
            &f.warn
        };
        write_with(
            ws,
            header_row + 1 + i as u32,
            6,
            &Out::text(issue.severity.label(ctx.lang)),
            format,
        )?;
    }
    print_setup(ws, true);
    Ok(())
}
