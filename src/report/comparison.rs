//! The sheets about change: takes the [`Comparison`] with the history and
//! the run's outlier findings and writes „Сравнение" (services opened,
//! closed and continued with their figures then and now; every
//! municipality's and the oblast's figures then and now), „Динамика" (line
//! charts of places and users over every stored period) and „Отклонения"
//! (the values that deserve a second look). Without an earlier period the
//! sheets say so.

use rust_xlsxwriter::{Chart, ChartType, Worksheet, XlsxError};

use super::sheetkit::{Col, Kind, Out, col, finding_place, print_setup, write_cell, write_header, write_table};
use super::workbook::Ctx;
use crate::aggregate::Figures;
use crate::compare::{ChangeStatus, FigureKind, MatchedBy};
use crate::issue::{Finding, Lang, Messages, OutlierCheck};
use crate::period::Period;

fn status_text(lang: Lang, status: ChangeStatus) -> &'static str {
    match (lang, status) {
        (Lang::Bg, ChangeStatus::Opened) => "открита",
        (Lang::Bg, ChangeStatus::Closed) => "закрита",
        (Lang::Bg, ChangeStatus::Continued) => "продължава",
        (Lang::En, s) => s.as_str(),
    }
}

fn matched_text(lang: Lang, how: Option<MatchedBy>) -> &'static str {
    match (lang, how) {
        (_, None) => "",
        (Lang::Bg, Some(MatchedBy::Identity)) => "наименование",
        (Lang::Bg, Some(MatchedBy::Address)) => "адрес",
        (Lang::Bg, Some(MatchedBy::Provider)) => "доставчик",
        (Lang::En, Some(MatchedBy::Identity)) => "name",
        (Lang::En, Some(MatchedBy::Address)) => "address",
        (Lang::En, Some(MatchedBy::Provider)) => "provider",
    }
}

fn period_text(ctx: &Ctx, period: &Period) -> String {
    format!(
        "{} ({}, {} {})",
        period.name(),
        period.display_bg(),
        period.days(),
        ctx.t("дни", "days")
    )
}

/// The lines under a sheet's title: the run's period, what it is compared
/// with, and the note when the two differ in length.
fn compared_lines(ctx: &Ctx) -> Vec<String> {
    let cmp = ctx.comparison;
    let mut lines = vec![format!(
        "{}: {}",
        ctx.t("Отчетен период", "Reporting period"),
        period_text(ctx, &ctx.config.period)
    )];
    for b in &cmp.baselines {
        let data = b
            .meta
            .data_date
            .map(|d| format!("; {} {}", ctx.t("данни към", "data as of"), d.format("%d.%m.%Y")))
            .unwrap_or_default();
        lines.push(format!(
            "{} ({}): {}{data}",
            ctx.t("Сравнен с", "Compared with"),
            ctx.oblast_name(&b.oblast_code),
            period_text(ctx, &b.meta.period)
        ));
        if !b.same_length {
            lines.push(
                ctx.t(
                    "Внимание: периодите са с различна дължина. Обслужените потребители и средствата се натрупват за периода и не са сравними; за отклонения са сравнени само местата и средният брой потребители.",
                    "Note: the periods differ in length. Users served and funds add up over a period and are not comparable; only places and average users were checked for outliers.",
                )
                .to_string(),
            );
        }
    }
    let why = if ctx.config.history.is_none() {
        ctx.t(
            "историята не е използвана (--no-history): отчетът не е сравнен с предходни периоди и не е записан в историята.",
            "the history was not used (--no-history): the report is not compared with earlier periods nor stored in the history.",
        )
    } else {
        ctx.t(
            "в историята няма по-ранен отчет за сравнение; сравнението ще е възможно от следващия период.",
            "the history holds no earlier run to compare with; the comparison starts with the next period.",
        )
    };
    for oblast in &cmp.without_baseline {
        lines.push(format!(
            "{} ({}): {why}",
            ctx.t("Няма предходен период", "No earlier period"),
            ctx.oblast_name(oblast),
        ));
    }
    lines
}

fn kind_of(kind: FigureKind) -> Kind {
    match kind {
        FigureKind::Count => Kind::Int,
        FigureKind::Decimal => Kind::Decimal,
        FigureKind::Money => Kind::Money,
        FigureKind::Share => Kind::Percent,
    }
}

// ---- Сравнение ------------------------------------------------------------------

pub(super) fn comparison(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    let cmp = ctx.comparison;
    ws.write_string_with_format(
        0,
        0,
        ctx.t("Сравнение с предходния период", "Comparison with the previous period"),
        &f.title,
    )?;
    let mut row = 1;
    for line in compared_lines(ctx) {
        ws.write_string_with_format(row, 0, line, &f.subtitle)?;
        row += 1;
    }
    row += 1;

    // How many services opened, closed and continued.
    write_header(
        ws,
        f,
        row,
        0,
        &[
            col(ctx.t("Промени в мрежата", "Changes in the network"), Kind::Text, 30.0),
            col(ctx.t("Услуги", "Services"), Kind::Int, 14.0),
        ],
    )?;
    for status in [ChangeStatus::Opened, ChangeStatus::Closed, ChangeStatus::Continued] {
        row += 1;
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(status_text(lang, status)), false)?;
        write_cell(ws, f, row, 1, Kind::Int, &Out::Int(cmp.count(status) as i64), false)?;
    }
    row += 2;

    // Figures per municipality and oblast, then and now.
    ws.write_string_with_format(
        row,
        0,
        ctx.t(
            "Показатели по общини и за областта (услуги, места, потребители, средства, ДСП, индикатори)",
            "Figures by municipality and for the oblast (services, places, users, funds, DSP, indicators)",
        ),
        &f.subtitle,
    )?;
    row += 1;
    let figure_cols = [
        col(ctx.t("Община / област", "Municipality / oblast"), Kind::Text, 30.0),
        col(ctx.t("Показател", "Figure"), Kind::Wrap, 40.0),
        col(ctx.t("Преди", "Then"), Kind::Decimal, 14.0),
        col(ctx.t("Сега", "Now"), Kind::Decimal, 14.0),
        col(ctx.t("Промяна", "Change"), Kind::Decimal, 14.0),
        col(ctx.t("Промяна %", "Change %"), Kind::Percent, 12.0),
    ];
    write_header(ws, f, row, 0, &figure_cols)?;
    for change in &cmp.figures {
        row += 1;
        let figure = change.figure();
        let kind = kind_of(figure.kind);
        let name = if change.municipality_code.is_empty() {
            format!("{} {}", ctx.t("Област", "Oblast"), ctx.oblast_name(&change.oblast_code))
        } else {
            change.name.clone()
        };
        let label = figure.label(&ctx.config.schemas, lang);
        let total = change.municipality_code.is_empty();
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(name), total)?;
        write_cell(ws, f, row, 1, Kind::Wrap, &Out::text(label), total)?;
        write_cell(ws, f, row, 2, kind, &Out::num(change.then), total)?;
        write_cell(ws, f, row, 3, kind, &Out::num(change.now), total)?;
        write_cell(ws, f, row, 4, kind, &Out::num(change.change()), total)?;
        write_cell(ws, f, row, 5, Kind::Percent, &Out::num(change.share()), total)?;
    }
    if cmp.figures.is_empty() {
        row += 1;
        ws.write_string_with_format(
            row,
            0,
            ctx.t("Няма с какво да се сравни.", "Nothing to compare with."),
            &f.text,
        )?;
    }
    row += 2;

    // Every service matched or not.
    ws.write_string_with_format(
        row,
        0,
        ctx.t(
            "Услуги: открити, закрити и продължаващи, с данните преди и сега",
            "Services: opened, closed and continued, with their figures then and now",
        ),
        &f.subtitle,
    )?;
    row += 1;
    let cols: Vec<Col> = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 30.0),
        col(ctx.t("Наименование", "Name"), Kind::Wrap, 40.0),
        col(ctx.t("Вид на услугата", "Service type"), Kind::Text, 14.0),
        col(ctx.t("Статус", "Status"), Kind::Text, 14.0),
        col(ctx.t("Съпоставена по", "Matched by"), Kind::Text, 12.0),
        col(ctx.t("Места преди", "Places then"), Kind::Int, 10.0),
        col(ctx.t("Места сега", "Places now"), Kind::Int, 10.0),
        col(
            ctx.t("Среден брой потребители преди", "Average users then"),
            Kind::Decimal,
            12.0,
        ),
        col(
            ctx.t("Среден брой потребители сега", "Average users now"),
            Kind::Decimal,
            12.0,
        ),
        col(ctx.t("Обслужени преди", "Users served then"), Kind::Int, 11.0),
        col(ctx.t("Обслужени сега", "Users served now"), Kind::Int, 11.0),
        col(ctx.t("Държавни средства преди", "State funds then"), Kind::Money, 13.0),
        col(ctx.t("Държавни средства сега", "State funds now"), Kind::Money, 13.0),
        col(ctx.t("Местни средства преди", "Local funds then"), Kind::Money, 13.0),
        col(ctx.t("Местни средства сега", "Local funds now"), Kind::Money, 13.0),
        col(ctx.t("Други средства преди", "Other funds then"), Kind::Money, 13.0),
        col(ctx.t("Други средства сега", "Other funds now"), Kind::Money, 13.0),
        col(ctx.t("Открита", "Opened"), Kind::Date, 12.0),
        col(ctx.t("Закрита", "Closed"), Kind::Date, 12.0),
    ];
    let header = row;
    write_header(ws, f, header, 0, &cols)?;
    for change in &cmp.services {
        row += 1;
        let s = &change.service;
        let (t, n) = (change.then.as_ref(), change.now.as_ref());
        let values = [
            Out::text(s.municipality.clone()),
            Out::text(s.service_name.clone()),
            Out::text(s.service_type.clone()),
            Out::text(status_text(lang, change.status)),
            Out::text(matched_text(lang, change.matched_by)),
            Out::int(t.and_then(|x| x.capacity)),
            Out::int(n.and_then(|x| x.capacity)),
            Out::num(t.and_then(|x| x.avg_users)),
            Out::num(n.and_then(|x| x.avg_users)),
            Out::int(t.and_then(|x| x.users_served)),
            Out::int(n.and_then(|x| x.users_served)),
            Out::num(t.and_then(|x| x.budget_state)),
            Out::num(n.and_then(|x| x.budget_state)),
            Out::num(t.and_then(|x| x.budget_local)),
            Out::num(n.and_then(|x| x.budget_local)),
            Out::num(t.and_then(|x| x.budget_other)),
            Out::num(n.and_then(|x| x.budget_other)),
            Out::date(s.start_date),
            Out::date(n.and_then(|x| x.end_date)),
        ];
        for (i, (c, value)) in cols.iter().zip(&values).enumerate() {
            write_cell(ws, f, row, i as u16, c.kind, value, false)?;
        }
        // The status stands out: green for opened, red for closed.
        let format = match change.status {
            ChangeStatus::Opened => Some(&f.good),
            ChangeStatus::Closed => Some(&f.bad),
            ChangeStatus::Continued => None,
        };
        if let Some(format) = format {
            super::sheetkit::write_with(ws, row, 3, &values[3], format)?;
        }
    }
    // The one autofilter of the sheet: on its longest table.
    ws.autofilter(header, 0, row.max(header), cols.len() as u16 - 1)?;
    print_setup(ws, true);
    Ok(())
}

// ---- Динамика --------------------------------------------------------------------

/// The series of a trend table: a name and a value per period.
struct Series {
    name: String,
    values: Vec<Option<f64>>,
}

/// Writes a table with the periods as rows and the series as columns, and a
/// line chart of it to the right. Gives the row after the table.
#[allow(clippy::too_many_arguments)]
fn trend_table(
    ctx: &Ctx,
    ws: &mut Worksheet,
    sheet: &str,
    first_row: u32,
    title: &str,
    periods: &[String],
    series: &[Series],
    kind: Kind,
    chart_at: (u32, u16),
) -> Result<u32, XlsxError> {
    let f = &ctx.f;
    ws.write_string_with_format(first_row, 0, title, &f.subtitle)?;
    let header = first_row + 1;
    let mut cols = vec![col(ctx.t("Период", "Period"), Kind::Text, 26.0)];
    cols.extend(series.iter().map(|s| col(s.name.clone(), kind, 13.0)));
    write_header(ws, f, header, 0, &cols)?;
    for (i, period) in periods.iter().enumerate() {
        let row = header + 1 + i as u32;
        write_cell(ws, f, row, 0, Kind::Text, &Out::text(period.clone()), false)?;
        for (j, s) in series.iter().enumerate() {
            write_cell(ws, f, row, 1 + j as u16, kind, &Out::num(s.values[i]), false)?;
        }
    }
    let last = header + periods.len() as u32;
    if !periods.is_empty() && !series.is_empty() {
        let mut chart = Chart::new(ChartType::Line);
        for (j, s) in series.iter().enumerate() {
            let column = 1 + j as u16;
            chart
                .add_series()
                .set_name(s.name.as_str())
                .set_categories((sheet, header + 1, 0, last, 0))
                .set_values((sheet, header + 1, column, last, column));
        }
        chart.title().set_name(title);
        chart.set_width(720).set_height(360);
        ws.insert_chart(chart_at.0, chart_at.1, &chart)?;
    }
    Ok(last + 2)
}

pub(super) fn trends(ctx: &Ctx, ws: &mut Worksheet, sheet: &str) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let cmp = ctx.comparison;
    ws.write_string_with_format(0, 0, ctx.t("Динамика по периоди", "Trends over the periods"), &f.title)?;
    let mut periods: Vec<Period> = cmp
        .trends
        .iter()
        .flat_map(|t| t.points.iter().map(|p| p.period))
        .collect();
    periods.sort_by_key(|p| (p.start, p.end));
    periods.dedup();
    let note = if ctx.config.history.is_none() {
        ctx.t(
            "Историята не е използвана (--no-history): графиките показват само текущия период.",
            "The history was not used (--no-history): the charts show the current period only.",
        )
        .to_string()
    } else if periods.len() < 2 {
        ctx.t(
            "В историята няма по-ранни периоди: графиките показват само текущия период; динамиката ще се вижда от следващия отчет.",
            "The history holds no earlier period: the charts show the current period only; trends show from the next run on.",
        )
        .to_string()
    } else {
        format!(
            "{}: {}",
            ctx.t("Периоди в историята и текущият", "Stored periods and the current one"),
            periods.iter().map(Period::name).collect::<Vec<_>>().join(", ")
        )
    };
    ws.write_string_with_format(1, 0, note, &f.subtitle)?;
    let lengths: std::collections::BTreeSet<i64> = periods.iter().map(|p| p.days() / 10).collect();
    if lengths.len() > 1 {
        ws.write_string_with_format(
            2,
            0,
            ctx.t(
                "Внимание: периодите са с различна дължина; обслужените потребители и средствата не са сравними между тях.",
                "Note: the periods differ in length; users served and funds are not comparable between them.",
            ),
            &f.subtitle,
        )?;
    }
    let labels: Vec<String> = periods.iter().map(|p| p.name()).collect();
    // One oblast: a line per municipality; a national run: a line per oblast.
    let units: Vec<(String, String)> = match cmp.trends.as_slice() {
        [one] => one
            .points
            .iter()
            .rev()
            .find(|p| p.current)
            .map(|p| {
                p.municipalities
                    .iter()
                    .map(|m| (m.municipality_code.clone(), m.municipality.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        many => many
            .iter()
            .map(|t| (t.oblast_code.clone(), ctx.oblast_name(&t.oblast_code)))
            .collect(),
    };
    let single = cmp.trends.len() == 1;
    let value_of = |code: &str, period: &Period, get: fn(&Figures) -> f64| -> Option<f64> {
        let trend = if single {
            cmp.trends.first()
        } else {
            cmp.trends.iter().find(|t| t.oblast_code == code)
        }?;
        let point = trend.points.iter().find(|p| p.period == *period)?;
        if single {
            point
                .municipalities
                .iter()
                .find(|m| m.municipality_code == code)
                .map(get)
        } else {
            Some(get(&point.total))
        }
    };
    let unit_series = |get: fn(&Figures) -> f64| -> Vec<Series> {
        units
            .iter()
            .map(|(code, name)| Series {
                name: name.clone(),
                values: periods.iter().map(|p| value_of(code, p, get)).collect(),
            })
            .collect()
    };
    let totals = |get: fn(&Figures) -> f64| -> Vec<Option<f64>> {
        periods
            .iter()
            .map(|p| {
                let figures: Vec<f64> = cmp
                    .trends
                    .iter()
                    .filter_map(|t| t.points.iter().find(|x| x.period == *p))
                    .map(|x| get(&x.total))
                    .collect();
                (!figures.is_empty()).then(|| crate::exact::DECIMAL.sum(figures))
            })
            .collect()
    };
    let row = 4;
    let places_title = if single {
        ctx.t("Места по общини", "Places by municipality")
    } else {
        ctx.t("Места по области", "Places by oblast")
    };
    let row = trend_table(
        ctx,
        ws,
        sheet,
        row,
        places_title,
        &labels,
        &unit_series(|f| f.capacity as f64),
        Kind::Int,
        (4, 12),
    )?;
    let users_title = if single {
        ctx.t("Среден брой потребители по общини", "Average users by municipality")
    } else {
        ctx.t("Среден брой потребители по области", "Average users by oblast")
    };
    let row = trend_table(
        ctx,
        ws,
        sheet,
        row,
        users_title,
        &labels,
        &unit_series(|f| f.avg_users),
        Kind::Decimal,
        (24, 12),
    )?;
    let total_series = vec![
        Series {
            name: ctx.t("Места", "Places").to_string(),
            values: totals(|f| f.capacity as f64),
        },
        Series {
            name: ctx.t("Среден брой потребители", "Average users").to_string(),
            values: totals(|f| f.avg_users),
        },
        Series {
            name: ctx.t("Обслужени потребители", "Users served").to_string(),
            values: totals(|f| f.users_served as f64),
        },
        Series {
            name: ctx.t("Услуги", "Services").to_string(),
            values: totals(|f| f.services as f64),
        },
    ];
    let row = trend_table(
        ctx,
        ws,
        sheet,
        row,
        ctx.t("Общо: услуги, места и потребители", "Total: services, places and users"),
        &labels,
        &total_series,
        Kind::Decimal,
        (44, 12),
    )?;
    let funds = vec![Series {
        name: ctx.t("Средства общо (лв.)", "Funds in total (BGN)").to_string(),
        values: totals(|f| crate::exact::MONEY.sum([f.budget_state, f.budget_local, f.budget_other])),
    }];
    trend_table(
        ctx,
        ws,
        sheet,
        row,
        ctx.t("Средства за услугите", "Funds of the services"),
        &labels,
        &funds,
        Kind::Money,
        (64, 12),
    )?;
    print_setup(ws, true);
    Ok(())
}

// ---- Отклонения ------------------------------------------------------------------

fn check_text(lang: Lang, check: &OutlierCheck) -> &'static str {
    match (lang, check) {
        (Lang::Bg, OutlierCheck::Change { .. }) => "промяна спрямо предходния период",
        (Lang::Bg, OutlierCheck::OutsideRange { .. }) => "извън досегашните стойности",
        (Lang::Bg, OutlierCheck::ServedPerPlace { .. }) => "обслужени далеч над местата",
        (Lang::Bg, OutlierCheck::BudgetPerPlace { .. }) => "средства на място спрямо медианата",
        (Lang::En, OutlierCheck::Change { .. }) => "change since the previous period",
        (Lang::En, OutlierCheck::OutsideRange { .. }) => "outside the values so far",
        (Lang::En, OutlierCheck::ServedPerPlace { .. }) => "users served far above the places",
        (Lang::En, OutlierCheck::BudgetPerPlace { .. }) => "funds per place against the median",
    }
}

pub(super) fn outliers(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    let messages = Messages {
        lang,
        schemas: &ctx.config.schemas,
    };
    ws.write_string_with_format(
        0,
        0,
        ctx.t("Отклонения: стойности за проверка", "Outliers: values to check"),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        ctx.t(
            "Предупреждения (код outlier): стойността не е грешна, но се различава силно от предходния период, от досегашните стойности, от местата или от медианата за вида услуга. Записите не са отхвърлени.",
            "Warnings (code outlier): the value is not wrong, but far from the previous period, the values so far, the places or the median for the type of service. No record was rejected.",
        ),
        &f.subtitle,
    )?;
    let mut row = 2;
    for line in compared_lines(ctx).into_iter().skip(1) {
        ws.write_string_with_format(row, 0, line, &f.subtitle)?;
        row += 1;
    }
    let cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 16.0),
        col(ctx.t("Файл", "File"), Kind::Wrap, 30.0),
        col(ctx.t("Лист", "Sheet"), Kind::Text, 14.0),
        col(ctx.t("Клетка", "Cell"), Kind::Text, 8.0),
        col(ctx.t("Поле", "Field"), Kind::Wrap, 24.0),
        col(ctx.t("Стойност", "Value"), Kind::Text, 14.0),
        col(ctx.t("Проверка", "Check"), Kind::Wrap, 24.0),
        col(ctx.t("Съобщение", "Message"), Kind::Wrap, 70.0),
    ];
    let reference = &ctx.config.schemas.reference;
    let rows: Vec<Vec<Out>> = ctx
        .run
        .issues
        .iter()
        .filter_map(|issue| match &issue.finding {
            Finding::Outlier(check) => Some((issue, check)),
            _ => None,
        })
        .map(|(issue, check)| {
            [Out::text(
                issue
                    .municipality
                    .as_deref()
                    .and_then(|m| reference.municipality(m))
                    .map(|m| m.name_bg.clone())
                    .unwrap_or_default(),
            )]
            .into_iter()
            .chain(finding_place(&messages, issue))
            .chain([Out::text(check_text(lang, check)), Out::text(messages.message(issue))])
            .collect()
        })
        .collect();
    let header = row + 1;
    let after = write_table(ws, f, header, &cols, &rows, None)?;
    if rows.is_empty() {
        ws.write_string_with_format(after, 0, ctx.t("Няма отклонения.", "No outliers."), &f.text)?;
    }
    print_setup(ws, true);
    Ok(())
}
