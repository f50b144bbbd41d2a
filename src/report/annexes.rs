//! The annexes of the report and the submissions sheet: takes the figures
//! and writes Annexes 1–5 and „Подадени данни". With one oblast each table
//! ends in an oblast total; a national run groups the rows by oblast with a
//! subtotal per oblast and a country total (SUBTOTAL formulas, so the
//! country total does not count the subtotals twice).

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::sheetkit::{
    Col, Kind, Out, cell, col, column_range, print_setup, write_cell, write_header, write_table, write_with,
};
use super::text::{status, yes_no};
use super::workbook::Ctx;
use crate::aggregate::{DSP_FIELDS, Figures, Status, total_of};
use crate::exact::{DECIMAL, MONEY};
use crate::issue::Lang;

/// A subtotal formula over rows `first..=last` of a column.
fn subtotal(column: u16, first: u32, last: u32, cached: f64) -> Out {
    Out::formula(
        format!("=SUBTOTAL(9,{})", column_range(column, first, last)),
        Some(cached),
    )
}

/// The rows of a grouped table: the items, their oblast, a data row per
/// item and a total row over a group.
pub(super) struct Rows<'a, T, C, S> {
    items: &'a [T],
    oblast: fn(&T) -> &str,
    /// The cells of an item's row (`row` for formulas on the row's own cells).
    cells: C,
    /// The cells of a total row at `row`, labelled `label`, over `items` in data rows `first..=last`.
    totals: S,
}

impl<'a, T, C, S> Rows<'a, T, C, S>
where
    C: Fn(u32, &T) -> Vec<Out>,
    S: Fn(u32, String, &[&'a T], u32, u32) -> Vec<Out>,
{
    pub(super) fn new(items: &'a [T], oblast: fn(&T) -> &str, cells: C, totals: S) -> Self {
        Rows {
            items,
            oblast,
            cells,
            totals,
        }
    }
}

/// Writes data rows grouped by oblast from `first_row`: a data row per item,
/// and total rows — one per oblast and one for the country when there are
/// several, else one for the oblast. Gives the last data row and the row
/// after everything written.
pub(super) fn write_grouped<'a, T, C, S>(
    ctx: &Ctx,
    ws: &mut Worksheet,
    first_row: u32,
    cols: &[Col],
    rows: Rows<'a, T, C, S>,
) -> Result<(u32, u32), XlsxError>
where
    C: Fn(u32, &T) -> Vec<Out>,
    S: Fn(u32, String, &[&'a T], u32, u32) -> Vec<Out>,
{
    let Rows {
        items,
        oblast,
        cells,
        totals,
    } = rows;
    let f = &ctx.f;
    let write_row = |ws: &mut Worksheet, row: u32, values: &[Out], total: bool| -> Result<(), XlsxError> {
        super::sheetkit::write_row(ws, f, row, cols, values, total)
    };
    let several = items.windows(2).any(|w| oblast(&w[0]) != oblast(&w[1]));
    let mut row = first_row;
    let mut start = 0;
    while start < items.len() {
        let code = oblast(&items[start]);
        let end = items[start..]
            .iter()
            .position(|i| oblast(i) != code)
            .map_or(items.len(), |n| start + n);
        let group: Vec<&T> = items[start..end].iter().collect();
        let group_first = row;
        for item in &group {
            write_row(ws, row, &cells(row, item), false)?;
            row += 1;
        }
        if several {
            let label = format!(
                "{} {}",
                ctx.t("Общо за област", "Total for oblast"),
                ctx.oblast_name(code)
            );
            write_row(ws, row, &totals(row, label, &group, group_first, row - 1), true)?;
            row += 1;
        }
        start = end;
    }
    let last_data = row.saturating_sub(1).max(first_row);
    let label = if several {
        ctx.t("Общо за страната", "Country total").to_string()
    } else {
        ctx.t("Общо за областта", "Oblast total").to_string()
    };
    let all: Vec<&T> = items.iter().collect();
    write_row(ws, row, &totals(row, label, &all, first_row, last_data), true)?;
    Ok((last_data, row + 1))
}

/// Freezes, filters and prints a table whose header is at `header_row`.
fn finish_table(
    ws: &mut Worksheet,
    header_row: u32,
    last_row: u32,
    columns: usize,
    frozen_cols: u16,
) -> Result<(), XlsxError> {
    ws.autofilter(
        header_row,
        0,
        last_row.max(header_row),
        columns.saturating_sub(1) as u16,
    )?;
    ws.set_freeze_panes(header_row + 1, frozen_cols)?;
    ws.set_repeat_rows(header_row, header_row)?;
    print_setup(ws, true);
    Ok(())
}

fn titles(ctx: &Ctx, ws: &mut Worksheet, title: &str, note: &str) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, title, &ctx.f.title)?;
    if !note.is_empty() {
        ws.write_string_with_format(1, 0, note, &ctx.f.subtitle)?;
    }
    Ok(())
}

// ---- Annex 1: every accepted service ----------------------------------------

pub(super) fn annex1(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
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
    // One row per service card: at national scale ×10 that is 42,000 rows,
    // written as they are made rather than collected first.
    let rows = ctx.agg.services.iter().map(|s| {
        [
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
    });
    let header_row = 3;
    let (first, last) = (header_row + 1, header_row + ctx.agg.services.len().max(1) as u32);
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
    let users = DECIMAL.sum(counted.iter().filter_map(|s| s.avg_users));
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
    write_table(ws, f, header_row, &cols, rows, Some(&totals))?;
    print_setup(ws, true);
    Ok(())
}

// ---- Annex 2: capacity and users by municipality and service type ---------

pub(super) fn annex2(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    titles(
        ctx,
        ws,
        ctx.t(
            "Приложение 2. Капацитет и потребители по общини и видове услуги",
            "Annex 2. Capacity and users by municipality and service type",
        ),
        ctx.t(
            "Местата и средният брой потребители на активните в периода услуги, всяка веднъж.",
            "Places and average users of the services active in the period, each once.",
        ),
    )?;
    // The service types that occur, in nomenclature order.
    let mut types: Vec<(String, String)> = Vec::new();
    for t in &ctx.agg.by_service_type {
        if !types.iter().any(|(code, _)| code == &t.service_type) {
            types.push((t.service_type.clone(), t.name.clone()));
        }
    }
    let (group_row, header_row) = (2, 3);
    let places = ctx.t("Места", "Places");
    let users = ctx.t("Потребители", "Users");
    let mut cols = vec![col(ctx.t("Община", "Municipality"), Kind::Text, 20.0)];
    for _ in &types {
        cols.push(col(places, Kind::Int, 10.0));
        cols.push(col(users, Kind::Decimal, 11.0));
    }
    cols.push(col(places, Kind::Int, 11.0));
    cols.push(col(users, Kind::Decimal, 12.0));
    write_header(ws, f, header_row, 0, &cols)?;
    ws.merge_range(group_row, 0, header_row, 0, ctx.t("Община", "Municipality"), &f.header)?;
    for (i, (_, name)) in types.iter().enumerate() {
        let c = 1 + 2 * i as u16;
        ws.merge_range(group_row, c, group_row, c + 1, name, &f.header)?;
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
    let figure = |m: &Figures, code: &str| {
        lookup
            .get(&(m.municipality_code.as_str(), code))
            .copied()
            .unwrap_or((0, 0.0))
    };
    let row_sum = |row: u32, offset: u16| -> String {
        let cells: Vec<String> = (0..types.len()).map(|i| cell(row, 1 + 2 * i as u16 + offset)).collect();
        if cells.is_empty() {
            "=0".to_string()
        } else {
            format!("={}", cells.join("+"))
        }
    };
    let (last, _) = write_grouped(
        ctx,
        ws,
        header_row + 1,
        &cols,
        Rows::new(
            &ctx.agg.by_municipality,
            |x| x.oblast_code.as_str(),
            |row, m| {
                let mut cells = vec![Out::text(m.municipality.clone())];
                for (code, _) in &types {
                    let (cap, avg) = figure(m, code);
                    cells.push(Out::Int(cap));
                    cells.push(Out::Num(avg));
                }
                cells.push(Out::formula(row_sum(row, 0), Some(m.capacity as f64)));
                cells.push(Out::formula(row_sum(row, 1), Some(m.avg_users)));
                cells
            },
            |_, label, group, first, last| {
                let mut cells = vec![Out::text(label)];
                for (code, _) in &types {
                    let c = cells.len() as u16;
                    let cap: i64 = group.iter().map(|m| figure(m, code).0).sum();
                    let avg = DECIMAL.sum(group.iter().map(|m| figure(m, code).1));
                    cells.push(subtotal(c, first, last, cap as f64));
                    cells.push(subtotal(c + 1, first, last, avg));
                }
                cells.push(subtotal(
                    total_col,
                    first,
                    last,
                    group.iter().map(|m| m.capacity as f64).sum(),
                ));
                cells.push(subtotal(
                    total_col + 1,
                    first,
                    last,
                    DECIMAL.sum(group.iter().map(|m| m.avg_users)),
                ));
                cells
            },
        ),
    )?;
    finish_table(ws, header_row, last, cols.len(), 1)?;
    ws.set_repeat_rows(group_row, header_row)?;
    Ok(())
}

// ---- Annex 3: DSP figures and indicators ----------------------------------

pub(super) fn annex3(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    titles(
        ctx,
        ws,
        ctx.t(
            "Приложение 3. Деца и лица с увреждания (ДСП) и показатели за обхват",
            "Annex 3. Children and persons with disabilities (DSP) and coverage indicators",
        ),
        ctx.t(
            "Населението е по картите на общините; местата са на активните услуги; семейна среда = (приемни семейства + близки) / (приемни + близки + резидентни + институции).",
            "Population from the municipal cards; places of active services; family-type care = (foster + kinship) / (foster + kinship + residential + institutions).",
        ),
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
    let places_col = cols.len() as u16;
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
    let dsp_col = |field: &str| 4 + DSP_FIELDS.iter().position(|x| *x == field).unwrap_or(0) as u16;
    // The indicators, as formulas on the row's own cells (data rows and totals alike).
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
        let [foster, kinship, residential, institutions] = [
            crate::schema::fields::dsp::CHILDREN_FOSTER,
            crate::schema::fields::dsp::CHILDREN_KINSHIP,
            crate::schema::fields::dsp::CHILDREN_RESIDENTIAL,
            crate::schema::fields::dsp::CHILDREN_INSTITUTIONS,
        ]
        .map(|f| cell(row, dsp_col(f)));
        vec![
            per_1000(places_col, 1, figures.places_per_1000()),
            per_1000(places_col + 1, 2, figures.children_places_per_1000()),
            per_1000(places_col + 2, 3, figures.elderly_places_per_1000()),
            Out::formula(
                format!(
                    "=IF(COUNT({foster},{kinship},{residential},{institutions})=4,IF({foster}+{kinship}+{residential}+{institutions}>0,({foster}+{kinship})/({foster}+{kinship}+{residential}+{institutions}),\"\"),\"\")"
                ),
                figures.family_care_share(),
            ),
        ]
    };
    let counts = |figures: &Figures| -> Vec<Option<i64>> {
        let mut values = vec![
            figures.population,
            figures.population_children,
            figures.population_elderly,
        ];
        values.extend(DSP_FIELDS.iter().map(|field| figures.dsp_value(field)));
        values.extend([
            Some(figures.capacity),
            Some(figures.capacity_children),
            Some(figures.capacity_elderly),
        ]);
        values
    };
    let header_row = 3;
    write_header(ws, &ctx.f, header_row, 0, &cols)?;
    let (last, _) = write_grouped(
        ctx,
        ws,
        header_row + 1,
        &cols,
        Rows::new(
            &ctx.agg.by_municipality,
            |x| x.oblast_code.as_str(),
            |row, m| {
                let mut cells = vec![Out::text(m.municipality.clone())];
                cells.extend(counts(m).into_iter().map(Out::int));
                cells.extend(indicators(row, m));
                cells
            },
            |row, label, group, first, last| {
                let total = total_of("", group.iter().copied());
                let mut cells = vec![Out::text(label)];
                for (i, value) in counts(&total).into_iter().enumerate() {
                    cells.push(subtotal(1 + i as u16, first, last, value.unwrap_or(0) as f64));
                }
                cells.extend(indicators(row, &total));
                cells
            },
        ),
    )?;
    ws.set_row_height(header_row, 60.0)?;
    finish_table(ws, header_row, last, cols.len(), 1)
}

// ---- Annex 4: financing ------------------------------------------------------

pub(super) fn annex4(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    titles(
        ctx,
        ws,
        ctx.t("Приложение 4. Финансиране", "Annex 4. Financing"),
        ctx.t(
            "Утвърденият бюджет е по картите на общините; средствата по източник са сумите от картите на активните услуги.",
            "Approved budgets from the municipal cards; funds by source summed from the cards of active services.",
        ),
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
    // Total and share, as formulas on the row's own cells.
    let derived = |row: u32, figures: &Figures| -> [Out; 2] {
        let total = MONEY.sum([figures.budget_state, figures.budget_local, figures.budget_other]);
        [
            Out::formula(format!("=SUM({}:{})", cell(row, 3), cell(row, 5)), Some(total)),
            Out::formula(
                format!("=IF({}>0,{}/{},\"\")", cell(row, 6), cell(row, 3), cell(row, 6)),
                figures.state_share(),
            ),
        ]
    };
    let header_row = 3;
    write_header(ws, &ctx.f, header_row, 0, &cols)?;
    let (last, _) = write_grouped(
        ctx,
        ws,
        header_row + 1,
        &cols,
        Rows::new(
            &ctx.agg.by_municipality,
            |x| x.oblast_code.as_str(),
            |row, m| {
                let mut cells = vec![
                    Out::text(m.municipality.clone()),
                    Out::num(m.approved_state),
                    Out::num(m.approved_local),
                    Out::Num(m.budget_state),
                    Out::Num(m.budget_local),
                    Out::Num(m.budget_other),
                ];
                cells.extend(derived(row, m));
                cells
            },
            |row, label, group, first, last| {
                let total = total_of("", group.iter().copied());
                let mut cells = vec![Out::text(label)];
                for (i, value) in [
                    total.approved_state.unwrap_or(0.0),
                    total.approved_local.unwrap_or(0.0),
                    total.budget_state,
                    total.budget_local,
                    total.budget_other,
                ]
                .into_iter()
                .enumerate()
                {
                    cells.push(subtotal(1 + i as u16, first, last, value));
                }
                cells.extend(derived(row, &total));
                cells
            },
        ),
    )?;
    ws.set_row_height(header_row, 48.0)?;
    finish_table(ws, header_row, last, cols.len(), 1)
}

// ---- Annex 5: changes in the network ---------------------------------------

pub(super) fn annex5(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
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
        col(
            ctx.field_label("municipality", crate::schema::fields::municipal::SERVICES_OPENED),
            Kind::Int,
            0.0,
        ),
        col(
            ctx.field_label("municipality", crate::schema::fields::municipal::SERVICES_CLOSED),
            Kind::Int,
            0.0,
        ),
        col(
            ctx.field_label("municipality", crate::schema::fields::municipal::PROJECTS_ENDED),
            Kind::Int,
            0.0,
        ),
        col(
            ctx.field_label("municipality", crate::schema::fields::municipal::PROJECTS_SUSTAINED),
            Kind::Int,
            0.0,
        ),
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

pub(super) fn submissions(ctx: &Ctx, ws: &mut Worksheet) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    let note = format!(
        "{}{}",
        ctx.t(
            "Пълни: карта на общината и ред в ДСП без грешки; непълни: нещо липсва или има грешки; липсват: нищо не е получено от общината.",
            "Complete: municipal card and DSP row without errors; incomplete: something missing or with errors; missing: nothing received from the municipality.",
        ),
        super::reminders::timeliness_note(ctx)
    );
    titles(
        ctx,
        ws,
        ctx.t("Подадени данни по общини", "Submissions by municipality"),
        &note,
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
    let cols: Vec<_> = cols
        .into_iter()
        .chain(super::reminders::timeliness_columns(ctx))
        .collect();
    let header_row = 3;
    write_header(ws, f, header_row, 0, &cols)?;
    let count_yes = |c: u16, first: u32, last: u32, cached: usize| {
        Out::formula(
            format!("=COUNTIF({},\"{}\")", column_range(c, first, last), yes_no(lang, true)),
            Some(cached as f64),
        )
    };
    let status_format = |s: Status| match s {
        Status::Complete => &f.good,
        Status::Incomplete => &f.warn,
        Status::Missing => &f.bad,
    };
    let submissions = &ctx.agg.submissions;
    let (last, _) = write_grouped(
        ctx,
        ws,
        header_row + 1,
        &cols,
        Rows::new(
            submissions,
            |x| x.oblast_code.as_str(),
            |_, s| {
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
                .into_iter()
                .chain(super::reminders::timeliness_cells(ctx, &s.municipality_code))
                .collect()
            },
            |_, label, group, first, last| {
                vec![
                    Out::text(label),
                    Out::Empty,
                    count_yes(2, first, last, group.iter().filter(|x| x.municipal_card).count()),
                    subtotal(3, first, last, group.iter().map(|x| x.adult_cards).sum::<i64>() as f64),
                    subtotal(4, first, last, group.iter().map(|x| x.child_cards).sum::<i64>() as f64),
                    count_yes(5, first, last, group.iter().filter(|x| x.dsp_row).count()),
                    subtotal(6, first, last, group.iter().map(|x| x.errors).sum::<i64>() as f64),
                    subtotal(7, first, last, group.iter().map(|x| x.warnings).sum::<i64>() as f64),
                    Out::Empty,
                    Out::Empty,
                ]
                .into_iter()
                .chain(super::reminders::timeliness_columns(ctx).iter().map(|_| Out::Empty))
                .collect()
            },
        ),
    )?;
    // The status cells coloured by status (rows are found again by code).
    let mut row = header_row + 1;
    let mut next = submissions.iter().peekable();
    while let Some(s) = next.next() {
        write_with(ws, row, 9, &Out::text(status(lang, s.status)), status_format(s.status))?;
        row += 1;
        if next.peek().is_some_and(|n| n.oblast_code != s.oblast_code) {
            row += 1;
        }
    }
    ws.set_row_height(header_row, 45.0)?;
    finish_table(ws, header_row, last, cols.len(), 1)
}
