//! The calendar in the report: the timeliness columns of „Подадени данни",
//! the sheet „Напомняния" (Reminders), `data/reminders.csv`,
//! `reminders.txt` (one short message per municipality, ready to send) and
//! `timeliness` in `run.json`.

use rust_xlsxwriter::{Worksheet, XlsxError};
use serde::Serialize;

use super::sheetkit::{Col, Kind, Out, col, write_header, write_row};
use super::workbook::Ctx;
use crate::aggregate::Aggregates;
use crate::calendar::reminders::{self, ContactFrom, Known, Lapse, Overdue, Reminder};
use crate::calendar::{Calendar, DeadlineKey, Timeliness};
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

fn day(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The header of an item's column on „Напомняния": what, and its deadline.
fn item_header(ctx: &Ctx, bg: &str, en: &str, deadline: Option<chrono::NaiveDate>) -> String {
    match (deadline, ctx.lang) {
        (Some(d), Lang::Bg) => format!("{bg}, срок {}", day(d)),
        (Some(d), Lang::En) => format!("{en}, deadline {}", day(d)),
        (None, Lang::Bg) => format!("{bg} (без срок)"),
        (None, Lang::En) => format!("{en} (no deadline)"),
    }
}

/// The returns' cell on „Напомняния": what is missing, and the days late
/// with the day they came, a line each.
fn returns_cell(lang: Lang, r: &Reminder) -> Out {
    let mut lines = Vec::new();
    if let Some(m) = r.missing {
        lines.push(match lang {
            Lang::Bg => format!("липсват: {}", m.label(lang)),
            Lang::En => format!("missing: {}", m.label(lang)),
        });
    }
    if let Some((days, on)) = r.late {
        lines.push(match lang {
            Lang::Bg => format!("закъснели {days} дни (получени на {})", day(on)),
            Lang::En => format!("late {days} days (received on {})", day(on)),
        });
    }
    if lines.is_empty() {
        Out::Empty
    } else {
        Out::text(lines.join("\n"))
    }
}

/// The implementation report's or the council decision's cell on „Напомняния".
fn overdue_cell(lang: Lang, overdue: Option<&Overdue>) -> Out {
    let Some(o) = overdue else { return Out::Empty };
    let decision = o.what == DeadlineKey::CouncilDecision;
    Out::text(match (o.lapse, lang) {
        (Lapse::Missing, Lang::Bg) => "липсва".to_string(),
        (Lapse::Missing, Lang::En) => "missing".to_string(),
        (Lapse::Late { days, on }, Lang::Bg) if decision => format!("закъсняло {days} дни (прието на {})", day(on)),
        (Lapse::Late { days, on }, Lang::Bg) => format!("закъснял {days} дни (получен на {})", day(on)),
        (Lapse::Late { days, on }, Lang::En) if decision => format!("late {days} days (adopted on {})", day(on)),
        (Lapse::Late { days, on }, Lang::En) => format!("late {days} days (received on {})", day(on)),
    })
}

/// The sheet „Напомняния": one row per municipality missing something or
/// late, a column for each deadline (the deadline in its header) saying
/// what is missing or how many days late, then whom to call.
pub(super) fn sheet(ctx: &Ctx, ws: &mut Worksheet, list: &[Reminder]) -> Result<(), XlsxError> {
    let f = &ctx.f;
    let lang = ctx.lang;
    let deadlines = &ctx.run.calendar.deadlines;
    ws.write_string_with_format(0, 0, ctx.t("Напомняния", "Reminders"), &f.title)?;
    let note = if list.is_empty() {
        ctx.t(
            "Няма община, от която да липсва нещо или която да е закъсняла.",
            "No municipality is missing anything or late.",
        )
    } else {
        ctx.t(
            "Общините, от които липсва нещо или които са закъснели с отчетните данни, отчета за изпълнението или решението на общинския съвет, и на кого да се обадите; съобщенията са в reminders.txt.",
            "The municipalities missing something or late with their returns, implementation report or council decision, and whom to call; the messages are in reminders.txt.",
        )
    };
    ws.write_string_with_format(1, 0, note, &f.subtitle)?;
    let cols = vec![
        col(ctx.t("Община", "Municipality"), Kind::Text, 18.0),
        col(ctx.t("Код", "Code"), Kind::Text, 8.0),
        col(
            item_header(ctx, "Отчетни данни", "Returns", deadlines.returns),
            Kind::Wrap,
            30.0,
        ),
        col(
            item_header(
                ctx,
                "Отчет за изпълнението",
                "Implementation report",
                deadlines.strategy_report,
            ),
            Kind::Wrap,
            24.0,
        ),
        col(
            item_header(
                ctx,
                "Решение на ОбС за приемането му",
                "Council decision adopting it",
                deadlines.council_decision,
            ),
            Kind::Wrap,
            24.0,
        ),
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
            returns_cell(lang, r),
            overdue_cell(lang, r.report.as_ref()),
            overdue_cell(lang, r.council_decision.as_ref()),
            Out::text(r.contact.name.clone()),
            Out::text(r.contact.phone.clone()),
            Out::text(r.contact.email.clone()),
            Out::text(contact_from(lang, &r.contact_from)),
            Out::text(super::text::yes_no(lang, r.late_last_period)),
        ];
        write_row(ws, f, row, &cols, &values, false)?;
        row += 1;
    }
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

/// An item's three columns in `reminders.csv`, as `submissions.csv` words
/// them: `late` or `missing`, the days late (empty when missing), the
/// deadline; all empty when it is in time or not judged.
fn overdue_columns(overdue: Option<&Overdue>) -> [String; 3] {
    match overdue {
        None => Default::default(),
        Some(o) => {
            let (word, days) = match o.lapse {
                Lapse::Missing => ("missing", String::new()),
                Lapse::Late { days, .. } => ("late", days.to_string()),
            };
            [word.to_string(), days, super::csv::date(Some(o.deadline))]
        }
    }
}

/// `data/reminders.csv`: one row per municipality. The contract columns
/// (`missing`, `late` and `deadline` are the returns', the deadline only
/// when they are missing or late), then
/// `late_last_period`, then the implementation report's and the council
/// decision's timeliness, days late and deadline when missing or late.
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
        "report_timeliness",
        "report_days_late",
        "report_deadline",
        "council_timeliness",
        "council_days_late",
        "council_deadline",
    ];
    let rows = list
        .iter()
        .map(|r| {
            let mut row = vec![
                r.oblast_code.clone(),
                r.municipality_code.clone(),
                r.municipality.clone(),
                r.missing.map(|m| m.label(lang).to_string()).unwrap_or_default(),
                r.late.map(|(days, _)| days.to_string()).unwrap_or_default(),
                super::csv::date(r.deadline.filter(|_| r.missing.is_some() || r.late.is_some())),
                r.contact.name.clone(),
                r.contact.phone.clone(),
                r.contact.email.clone(),
                r.late_last_period.to_string(),
            ];
            row.extend(overdue_columns(r.report.as_ref()));
            row.extend(overdue_columns(r.council_decision.as_ref()));
            row
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
