//! The monitoring-report workbook: takes the run and its figures and gives
//! the .xlsx bytes — Summary with charts, Annexes 1–5, the comparison with
//! the previous period, trends, outliers, Submissions, Issues —
//! in Bulgarian (or English). Totals are formulas with cached values, every
//! table has a frozen header and an autofilter, wide annexes print
//! landscape, and the document properties are filled. The creation date is
//! the data's, so the same input gives the same bytes.

use rust_xlsxwriter::{Chart, ChartType, DocProperties, Workbook, Worksheet, XlsxError};

use super::sheetkit::{
    Formats, Kind, Out, col, finding_place, print_setup, write_cell, write_header, write_table, write_with,
};
use super::text::{sheet_names, status, tr};
use crate::aggregate::{Aggregates, Status};
use crate::compare::Comparison;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::issue::{Lang, Messages, Severity};
use crate::run::Run;

fn xlsx_error(e: XlsxError) -> Error {
    Error::output(super::REPORT_FILE, e)
}

/// Everything the sheets need.
pub(super) struct Ctx<'a> {
    pub(super) config: &'a Config,
    pub(super) run: &'a Run,
    pub(super) agg: &'a Aggregates,
    pub(super) comparison: &'a Comparison,
    pub(super) lang: Lang,
    pub(super) f: Formats,
}

impl Ctx<'_> {
    pub(super) fn t(&self, bg: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, bg, en)
    }

    /// An oblast's name in the user's language.
    pub(super) fn oblast_name(&self, code: &str) -> String {
        self.config
            .schemas
            .reference
            .oblast(code)
            .map_or(code.to_string(), |o| match self.lang {
                Lang::Bg => o.name_bg.clone(),
                Lang::En => o.name_en.clone(),
            })
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

    pub(super) fn field_label(&self, template: &str, field: &str) -> String {
        Messages {
            lang: self.lang,
            schemas: &self.config.schemas,
        }
        .field_label(Some(template), field)
    }
}

/// Builds the workbook and saves it into `out`.
///
/// Errors: [`Error::Output`] if rust_xlsxwriter refuses something or `out`
/// cannot be written.
pub fn build(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    strategy: &crate::strategy::Assessment,
    visits: &crate::visits::follow::Visits,
    out: impl std::io::Write + Send,
) -> Result<()> {
    let ctx = Ctx {
        config,
        run,
        agg: aggregates,
        comparison,
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
    // Annex 1 has a row per service card (42,000 in a national run ×10): a
    // "low memory" worksheet writes its rows to a temporary file as they
    // come instead of keeping every cell until the workbook is saved.
    super::annexes::annex1(
        &ctx,
        workbook
            .add_worksheet_with_low_memory()
            .map_err(xlsx_error)?
            .set_name(names.annexes[0])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::annexes::annex2(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[1])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::annexes::annex3(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[2])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::annexes::annex4(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[3])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::annexes::annex5(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.annexes[4])
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    let strategy_sheet = super::strategy::sheet_name(ctx.lang);
    super::strategy::sheet(
        &ctx,
        workbook.add_worksheet().set_name(strategy_sheet).map_err(xlsx_error)?,
        strategy,
    )
    .map_err(xlsx_error)?;
    super::comparison::comparison(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.comparison)
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::comparison::trends(
        &ctx,
        workbook.add_worksheet().set_name(names.trends).map_err(xlsx_error)?,
        names.trends,
    )
    .map_err(xlsx_error)?;
    super::comparison::outliers(
        &ctx,
        workbook.add_worksheet().set_name(names.outliers).map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    // Provider visits (VISITS.md): its own module.
    super::visits::sheet(
        config,
        visits,
        workbook
            .add_worksheet()
            .set_name(super::visits::sheet_name(ctx.lang))
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::annexes::submissions(
        &ctx,
        workbook
            .add_worksheet()
            .set_name(names.submissions)
            .map_err(xlsx_error)?,
    )
    .map_err(xlsx_error)?;
    super::reminders::sheet(
        &ctx,
        workbook.add_worksheet().set_name(names.reminders).map_err(xlsx_error)?,
        &super::reminders::reminders(config, run, aggregates),
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
    workbook.save_to_writer(out).map_err(xlsx_error)
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
    let children_disabled = total.dsp_value(crate::schema::fields::dsp::CHILDREN_DISABLED);
    let adults_disabled = total.dsp_value(crate::schema::fields::dsp::ADULTS_DISABLED);
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
    let mut pie_row = 21;
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
        // A bar per service type: tall enough for every label to show.
        let height = (90 + 26 * (types_last - types_header)).max(320);
        chart.set_width(640).set_height(height);
        ws.insert_chart(21, 4, &chart)?;
        pie_row = 22 + height.div_ceil(20);
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
        ws.insert_chart(pie_row, 4, &chart)?;
    }
    print_setup(ws, false);
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
        col(ctx.t("Поле", "Field"), Kind::Wrap, 24.0),
        col(ctx.t("Стойност", "Value"), Kind::Wrap, 20.0),
        col(ctx.t("Образец", "Template"), Kind::Wrap, 24.0),
        col(ctx.t("Вид", "Severity"), Kind::Text, 16.0),
        col(ctx.t("Код", "Code"), Kind::Text, 18.0),
        col(ctx.t("Съобщение", "Message"), Kind::Wrap, 70.0),
        col(ctx.t("Община", "Municipality"), Kind::Text, 10.0),
    ];
    let rows: Vec<Vec<Out>> = ctx
        .run
        .issues
        .iter()
        .map(|issue| {
            finding_place(&messages, issue)
                .into_iter()
                .chain([
                    Out::text(
                        issue
                            .template
                            .as_deref()
                            .map(|t| messages.template_title(t))
                            .unwrap_or_default(),
                    ),
                    Out::text(issue.severity.label(ctx.lang)),
                    Out::text(issue.code()),
                    Out::text(messages.message(issue)),
                    Out::text(issue.municipality.clone().unwrap_or_default()),
                ])
                .collect()
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
