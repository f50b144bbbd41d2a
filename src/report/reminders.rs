//! The calendar in the report: the timeliness columns of „Подадени данни",
//! the sheet „Напомняния" (Reminders), `data/reminders.csv`,
//! `reminders.txt` (one short message per municipality, ready to send) and
//! `timeliness` in `run.json`.

use rust_xlsxwriter::{Worksheet, XlsxError};
use serde::Serialize;

use super::sheetkit::{Col, Kind, Out, col, write_header, write_row};
use super::workbook::Ctx;
use crate::aggregate::Aggregates;
use crate::calendar::reminders::{self, ContactFrom, Known, Reminder};
use crate::calendar::{Calendar, Timeliness};
use crate::config::Config;
use crate::issue::Lang;
use crate::report::text::tr;
use crate::run::Run;

/// The columns the calendar adds to „Подадени данни".
pub(super) fn timeliness_columns(ctx: &Ctx) -> Vec<Col> {
    vec![
        col(ctx.t("Получено на", "Received on"), Kind::Date, 12.0),
        col(ctx.t("Източник на датата", "Date from"), Kind::Text, 14.0),
        col(ctx.t("Срок", "Deadline"), Kind::Date, 12.0),
        col(ctx.t("Дни закъснение", "Days late"), Kind::Int, 10.0),
        col(ctx.t("Срочност", "Timeliness"), Kind::Text, 11.0),
        col(
            ctx.t("Отчет за изпълнението получен на", "Implementation report received on"),
            Kind::Date,
            14.0,
        ),
        col(ctx.t("Срочност на отчета", "Report timeliness"), Kind::Text, 11.0),
        col(
            ctx.t("Решение на ОбС за приемане от", "Council decision adopting it on"),
            Kind::Date,
            14.0,
        ),
        col(ctx.t("Срочност на решението", "Decision timeliness"), Kind::Text, 11.0),
    ]
}

fn label(lang: Lang, t: Option<Timeliness>) -> Out {
    t.map_or(Out::Empty, |t| Out::text(t.label(lang)))
}

/// A municipality's cells under [`timeliness_columns`].
pub(super) fn timeliness_cells(ctx: &Ctx, municipality: &str) -> Vec<Out> {
    let lang = ctx.lang;
    let Some(m) = ctx.run.calendar.of(municipality) else {
        return timeliness_columns(ctx).iter().map(|_| Out::Empty).collect();
    };
    vec![
        Out::date(m.received.as_ref().map(|r| r.on)),
        m.received
            .as_ref()
            .map_or(Out::Empty, |r| Out::text(r.source.label(lang))),
        Out::date(m.deadline),
        Out::int(m.timeliness.and_then(Timeliness::days_late)),
        label(lang, m.timeliness),
        Out::date(m.report_received.as_ref().map(|r| r.on)),
        label(lang, m.report_timeliness),
        Out::date(m.council_decision_on),
        label(lang, m.council_timeliness),
    ]
}

fn percent(share: f64) -> String {
    format!("{:.1}", share * 100.0).replace('.', ",")
}

/// The oblasts' timeliness, for the note above „Подадени данни" (empty
/// without a deadline for the returns).
pub(super) fn timeliness_note(ctx: &Ctx) -> String {
    let calendar = &ctx.run.calendar;
    let Some(deadline) = calendar.deadlines.returns else {
        return String::new();
    };
    let mut parts = Vec::new();
    for oblast in &ctx.run.oblasts {
        let counts = calendar.counts(Some(oblast));
        let Some(share) = counts.share_on_time else { continue };
        let all = calendar
            .municipalities
            .iter()
            .filter(|m| &m.oblast_code == oblast)
            .count();
        let name = ctx.oblast_name(oblast);
        parts.push(match ctx.lang {
            Lang::Bg => format!(
                "{name}: в срок {} от {all} общини ({} %), закъснели {}, липсват {}",
                counts.on_time,
                percent(share),
                counts.late,
                counts.missing
            ),
            Lang::En => format!(
                "{name}: on time {} of {all} municipalities ({} %), late {}, missing {}",
                counts.on_time,
                percent(share),
                counts.late,
                counts.missing
            ),
        });
    }
    let day = deadline.format("%d.%m.%Y");
    match ctx.lang {
        Lang::Bg => format!(" Срок за отчетните данни {day}. {}.", parts.join("; ")),
        Lang::En => format!(" Deadline of the returns {day}. {}.", parts.join("; ")),
    }
}

/// A municipality's timeliness in words, as „Динамика" shows it.
fn timeliness_word(lang: Lang, word: &str, days: Option<i64>) -> String {
    match (word, lang) {
        ("on_time", _) => Timeliness::OnTime.label(lang).to_string(),
        ("late", Lang::Bg) => format!("закъснели ({} дни)", days.unwrap_or(0)),
        ("late", Lang::En) => format!("late ({} days)", days.unwrap_or(0)),
        ("missing", _) => Timeliness::Missing.label(lang).to_string(),
        _ => String::new(),
    }
}

/// „Динамика": the returns' timeliness in every stored period and this one —
/// per municipality in one oblast's run, the share on time per oblast in a
/// national run. Gives the next free row.
pub(super) fn timeliness_trend(
    ctx: &Ctx,
    ws: &mut Worksheet,
    first_row: u32,
    periods: &[crate::period::Period],
) -> Result<u32, XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    let run = ctx.run;
    let current = ctx.config.period;
    let single = run.oblasts.len() == 1;
    ws.write_string_with_format(
        first_row,
        0,
        ctx.t("Срочност на отчетните данни", "Timeliness of the returns"),
        &f.subtitle,
    )?;
    let header = first_row + 1;
    let stored = |oblast: &str, period: &crate::period::Period| {
        ctx.comparison
            .earlier
            .get(oblast)
            .and_then(|ps| ps.iter().find(|p| p.meta.period == *period))
            .map(|p| p.timeliness.as_slice())
    };
    // Units: municipalities of the one oblast, else the oblasts.
    let units: Vec<(String, String)> = if single {
        run.calendar
            .municipalities
            .iter()
            .map(|m| (m.municipality_code.clone(), m.municipality.clone()))
            .collect()
    } else {
        run.oblasts.iter().map(|o| (o.clone(), ctx.oblast_name(o))).collect()
    };
    let mut cols = vec![col(ctx.t("Период", "Period"), Kind::Text, 26.0)];
    let kind = if single { Kind::Text } else { Kind::Percent };
    cols.extend(units.iter().map(|(_, name)| col(name.clone(), kind, 13.0)));
    if single {
        cols.push(col(ctx.t("Дял в срок", "Share on time"), Kind::Percent, 11.0));
    }
    write_header(ws, f, header, 0, &cols)?;
    let share = |rows: &[crate::history::tables::StoredTimeliness]| -> Option<f64> {
        let judged = rows.iter().any(|t| t.deadline.is_some());
        (judged && !rows.is_empty())
            .then(|| rows.iter().filter(|t| t.timeliness == "on_time").count() as f64 / rows.len() as f64)
    };
    let mut row = header;
    for period in periods {
        row += 1;
        let mut values = vec![Out::text(period.name())];
        if single {
            let oblast = &run.oblasts[0];
            if *period == current {
                for m in &run.calendar.municipalities {
                    let word = m.timeliness.map(|t| t.as_str()).unwrap_or("");
                    let days = m.timeliness.and_then(Timeliness::days_late);
                    values.push(Out::text(timeliness_word(lang, word, days)));
                }
                values.push(Out::num(run.calendar.counts(Some(oblast)).share_on_time));
            } else {
                let rows = stored(oblast, period).unwrap_or(&[]);
                for (code, _) in &units {
                    let found = rows.iter().find(|t| &t.municipality_code == code);
                    values.push(Out::text(
                        found
                            .map(|t| timeliness_word(lang, &t.timeliness, t.days_late))
                            .unwrap_or_default(),
                    ));
                }
                values.push(Out::num(share(rows)));
            }
        } else {
            for (oblast, _) in &units {
                values.push(Out::num(if *period == current {
                    run.calendar.counts(Some(oblast)).share_on_time
                } else {
                    stored(oblast, period).and_then(share)
                }));
            }
        }
        write_row(ws, f, row, &cols, &values, false)?;
    }
    Ok(row + 2)
}

/// Whom to remind of what: this run's calendar, what each municipality
/// sent, the contacts of its municipal cards (else the history's).
pub fn reminders(config: &Config, run: &Run, aggregates: &Aggregates) -> Vec<Reminder> {
    let contacts = reminders::contacts_of_run(&config.schemas, &run.records);
    reminders::reminders(
        &run.calendar,
        &Known {
            submissions: &aggregates.submissions,
            contacts: &contacts,
            stored_contacts: &run.calendar.stored_contacts,
            late_before: &run.calendar.late_before,
        },
    )
}

fn contact_from(lang: Lang, from: &ContactFrom) -> String {
    match from {
        ContactFrom::ThisRun => tr(lang, "картата на общината", "the municipal card").to_string(),
        ContactFrom::Period(period) => match lang {
            Lang::Bg => format!("картата за {period}"),
            Lang::En => format!("the card of {period}"),
        },
        ContactFrom::Nowhere => tr(lang, "няма контакт", "no contact").to_string(),
    }
}

/// The sheet „Напомняния".
pub(super) fn sheet(ctx: &Ctx, ws: &mut Worksheet, list: &[Reminder]) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    ws.write_string_with_format(0, 0, ctx.t("Напомняния", "Reminders"), &f.title)?;
    let note = if list.is_empty() {
        ctx.t(
            "Няма община, от която да липсва нещо или която да е закъсняла.",
            "No municipality is missing anything or late.",
        )
    } else {
        ctx.t(
            "Общините, от които липсва нещо или които са закъснели, и на кого да се обадите; съобщенията са в reminders.txt.",
            "The municipalities missing something or late, and whom to call; the messages are in reminders.txt.",
        )
    };
    ws.write_string_with_format(1, 0, note, &f.subtitle)?;
    let cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 18.0),
        col(ctx.t("Код", "Code"), Kind::Text, 8.0),
        col(ctx.t("Липсва", "Missing"), Kind::Wrap, 30.0),
        col(ctx.t("Дни закъснение", "Days late"), Kind::Int, 10.0),
        col(ctx.t("Получено на", "Received on"), Kind::Date, 12.0),
        col(ctx.t("Срок", "Deadline"), Kind::Date, 12.0),
        col(ctx.t("Лице за контакт", "Contact person"), Kind::Text, 20.0),
        col(ctx.t("Телефон", "Phone"), Kind::Text, 14.0),
        col(ctx.t("E-mail", "E-mail"), Kind::Text, 22.0),
        col(ctx.t("Контакт от", "Contact from"), Kind::Text, 18.0),
        col(
            ctx.t("Закъснели и предходния период", "Late last period too"),
            Kind::Text,
            12.0,
        ),
    ];
    let header_row = 3;
    write_header(ws, f, header_row, 0, &cols)?;
    let mut row = header_row + 1;
    for r in list {
        let values = vec![
            Out::text(r.municipality.clone()),
            Out::text(r.municipality_code.clone()),
            r.missing.map_or(Out::Empty, |m| Out::text(m.label(lang))),
            Out::int(r.late.map(|(days, _)| days)),
            Out::date(r.late.map(|(_, on)| on)),
            Out::date(r.deadline),
            Out::text(r.contact.name.clone()),
            Out::text(r.contact.phone.clone()),
            Out::text(r.contact.email.clone()),
            Out::text(contact_from(lang, &r.contact_from)),
            Out::text(super::text::yes_no(lang, r.late_last_period)),
        ];
        write_row(ws, f, row, &cols, &values, false)?;
        row += 1;
    }
    ws.set_row_height(header_row, 30.0)?;
    ws.autofilter(
        header_row,
        0,
        row.saturating_sub(1).max(header_row),
        cols.len() as u16 - 1,
    )?;
    ws.set_freeze_panes(header_row + 1, 1)?;
    super::sheetkit::print_setup(ws, true);
    Ok(())
}

/// `data/reminders.csv`: the contract columns, then `late_last_period`.
pub fn csv_rows(list: &[Reminder], lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        "oblast_code",
        "municipality_code",
        "municipality",
        "missing",
        "late",
        "deadline",
        "contact_name",
        "contact_phone",
        "contact_email",
        "late_last_period",
    ];
    let rows = list
        .iter()
        .map(|r| {
            vec![
                r.oblast_code.clone(),
                r.municipality_code.clone(),
                r.municipality.clone(),
                r.missing.map(|m| m.label(lang).to_string()).unwrap_or_default(),
                r.late.map(|(days, _)| days.to_string()).unwrap_or_default(),
                super::csv::date(r.deadline),
                r.contact.name.clone(),
                r.contact.phone.clone(),
                r.contact.email.clone(),
                r.late_last_period.to_string(),
            ]
        })
        .collect();
    (header, rows)
}

/// `reminders.txt`: one message per municipality, with whom it goes to.
pub fn text(config: &Config, list: &[Reminder]) -> String {
    let lang = config.lang;
    let period = config.period.display_bg();
    let mut out = String::new();
    if list.is_empty() {
        out.push_str(tr(
            lang,
            "Няма община, от която да липсва нещо или която да е закъсняла.\n",
            "No municipality is missing anything or late.\n",
        ));
        return out;
    }
    for (i, r) in list.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        let to: Vec<&str> = [&r.contact.name, &r.contact.phone, &r.contact.email]
            .into_iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        let to = if to.is_empty() {
            tr(
                lang,
                "няма контакт в картата на общината",
                "no contact on the municipal card",
            )
            .to_string()
        } else {
            to.join(", ")
        };
        out.push_str(&format!(
            "{} {} ({}) — {}: {to}\n\n",
            tr(lang, "Община", "Municipality"),
            r.municipality,
            r.municipality_code,
            tr(lang, "до", "to")
        ));
        out.push_str(&reminders::message(r, &period, lang));
    }
    out
}

/// `timeliness` in `run.json`.
#[derive(Serialize)]
pub struct TimelinessJson {
    pub deadlines: crate::calendar::Deadlines,
    /// The whole run's counts against the returns' deadline.
    #[serde(flatten)]
    pub counts: crate::calendar::Counts,
    /// Per oblast, in a national run (and for the one oblast otherwise).
    pub oblasts: Vec<OblastTimeliness>,
    pub registry_read: bool,
    pub reminders: usize,
}

#[derive(Serialize)]
pub struct OblastTimeliness {
    pub oblast: String,
    #[serde(flatten)]
    pub counts: crate::calendar::Counts,
}

pub fn json(run: &Run, calendar: &Calendar, reminders: usize) -> TimelinessJson {
    TimelinessJson {
        deadlines: calendar.deadlines,
        counts: calendar.counts(None),
        oblasts: run
            .oblasts
            .iter()
            .map(|o| OblastTimeliness {
                oblast: o.clone(),
                counts: calendar.counts(Some(o)),
            })
            .collect(),
        registry_read: calendar.registry_read,
        reminders,
    }
}
