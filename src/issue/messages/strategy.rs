//! The wording of the strategy's findings (plan, indicators, municipal
//! reports, sustainability): Bulgarian and English side by side.

use super::Messages;
use crate::issue::{Issue, Lang, StrategyFinding};

/// What is wrong and what is expected, in the user's language.
pub(super) fn strategy(messages: &Messages, issue: &Issue, finding: &StrategyFinding) -> String {
    use StrategyFinding::*;
    let bg = messages.lang == Lang::Bg;
    let q = |text: &str| match messages.lang {
        Lang::Bg => format!("„{text}“"),
        Lang::En => format!("\"{text}\""),
    };
    let value = q(&issue.value);
    let label = issue
        .field
        .as_deref()
        .map(|f| q(&messages.field_label(issue.template.as_deref(), f)))
        .unwrap_or_default();
    match finding {
        StrategyYearsUnreadable => {
            if bg {
                format!("Периодът на стратегията {value} не се чете като две години. Напишете го като 2016–2020.")
            } else {
                format!("The strategy period {value} does not read as two years. Write it as 2016–2020.")
            }
        }
        YearOutside { from, to } => {
            if bg {
                format!(
                    "Срокът {value} е извън годините на стратегията ({from}–{to}). Посочете година от {from} до {to}."
                )
            } else {
                format!(
                    "The deadline {value} is outside the strategy's years ({from}–{to}). Give a year from {from} to {to}."
                )
            }
        }
        DuplicateAction { other, version } => {
            if bg {
                format!(
                    "Същото действие (община, действие, вид и наименование на услугата) е и на ред {} на същата версия на плана ({version}). Оставете го веднъж.",
                    other.row + 1
                )
            } else {
                format!(
                    "The same action (municipality, action, type and name of the service) is also on row {} of the same plan version ({version}). Keep it once.",
                    other.row + 1
                )
            }
        }
        SameVersion { other_file, version } => {
            if bg {
                format!(
                    "Този файл и {other_file} са една и съща версия на плана ({version}, същата дата в „Актуализация от“); никой от двата не е използван. Оставете само единия или поправете датата на актуализацията."
                )
            } else {
                format!(
                    "This file and {other_file} are the same plan version ({version}, the same date in \"Updated on\"); neither was used. Keep only one, or correct the update date."
                )
            }
        }
        CapacityOnClosure => {
            if bg {
                format!(
                    "При закриване няма капацитет след действието, а е посочен {value}; не е използван. Оставете клетката празна."
                )
            } else {
                format!(
                    "A closure has no capacity after it, but {value} is given; it was not used. Leave the cell empty."
                )
            }
        }
        UnknownFigureKey { valid } => {
            if bg {
                format!("Непознат показател {value}. Валидни са: {}.", valid.join(", "))
            } else {
                format!("Unknown figure key {value}. Valid keys: {}.", valid.join(", "))
            }
        }
        DuplicateIndicator { other } => {
            if bg {
                format!(
                    "Кодът на индикатор {value} е и в {other}; кодовете в индикаторите на областта трябва да са различни."
                )
            } else {
                format!(
                    "The indicator code {value} is also in {other}; the codes of the oblast's indicators must differ."
                )
            }
        }
        UnknownScope { closest } => {
            let near = closest
                .iter()
                .map(|(code, name)| format!("{name} ({code})"))
                .collect::<Vec<_>>()
                .join("; ");
            match (bg, near.is_empty()) {
                (true, true) => format!(
                    "Обхватът {value} не е областта, нито нейна община. Оставете празно за областта или посочете община."
                ),
                (true, false) => format!("Обхватът {value} не е областта, нито нейна община. Най-близки: {near}."),
                (false, true) => format!(
                    "The scope {value} is neither the oblast nor one of its municipalities. Leave it empty for the oblast or name a municipality."
                ),
                (false, false) => {
                    format!("The scope {value} is neither the oblast nor one of its municipalities. Closest: {near}.")
                }
            }
        }
        UnknownIndicator { known } => {
            if bg {
                format!(
                    "Индикаторите на областта нямат код {value}. Известни кодове: {}.",
                    known.join(", ")
                )
            } else {
                format!(
                    "The oblast's indicators have no code {value}. Known codes: {}.",
                    known.join(", ")
                )
            }
        }
        ValueRequired => {
            if bg {
                format!("Посочен е индикатор, но полето {label} е празно. Попълнете постигнатата стойност.")
            } else {
                format!("An indicator is given but {label} is empty. Fill in the value achieved.")
            }
        }
        DifficultiesExpected { status } => {
            if bg {
                format!("Дейността е „{status}“, а полето {label} е празно. Опишете трудностите и причините.")
            } else {
                format!("The activity is \"{status}\", but {label} is empty. Describe the difficulties and reasons.")
            }
        }
        ReportPeriodDiffers {
            report_period,
            run_period,
        } => {
            if bg {
                format!("Отчетът е за периода {report_period}, а докладът – за {run_period}.")
            } else {
                format!("The report covers {report_period}, the monitoring report {run_period}.")
            }
        }
        ProjectCount {
            declared,
            found,
            sustained,
        } => match (bg, sustained) {
            (true, false) => format!(
                "{label}: посочени са {declared}, а картите на услугите показват {found} услуги с приключило проектно финансиране."
            ),
            (true, true) => format!(
                "{label}: посочени са {declared}, а картите на услугите показват {found} услуги, продължили след края на проекта."
            ),
            (false, false) => format!(
                "{label}: {declared} declared, but the service cards show {found} services whose project funding ended."
            ),
            (false, true) => format!(
                "{label}: {declared} declared, but the service cards show {found} services that went on after their project ended."
            ),
        },
    }
}
