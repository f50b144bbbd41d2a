//! The findings of the strategy's templates and of matching the plan with
//! the services: their facts, stable codes and messages (Bulgarian and
//! English). They travel as [`crate::issue::Finding::Strategy`].

use crate::issue::{Issue, Lang, Messages};
use crate::sheet::CellRef;

/// The facts of one finding about the plan, the indicators or a report.
#[derive(Debug, Clone, PartialEq)]
pub enum StrategyFinding {
    /// The strategy's years are not two years such as „2016–2020".
    StrategyYearsUnreadable,
    /// A deadline outside the strategy's years.
    YearOutside { from: i32, to: i32 },
    /// The same action (municipality, action, type, name) twice in one plan version.
    DuplicateAction { other: CellRef, version: String },
    /// Two plan files of one oblast that are the same version.
    SameVersion { other_file: String, version: String },
    /// A capacity written for a closure, which has none after it.
    CapacityOnClosure,
    /// A figure key socmon does not know; the valid ones.
    UnknownFigureKey { valid: Vec<String> },
    /// The same indicator code twice in the oblast's indicators.
    DuplicateIndicator { other: String },
    /// A scope that is neither the oblast nor one of its municipalities.
    UnknownScope { closest: Vec<(String, String)> },
    /// An indicator code in a report that the oblast's indicators lack.
    UnknownIndicator { known: Vec<String> },
    /// An indicator is given but no value for it.
    ValueRequired,
    /// A not-done or postponed activity without its difficulties.
    DifficultiesExpected { status: String },
    /// A report's period differs from the run's.
    ReportPeriodDiffers { report_period: String, run_period: String },
    /// The municipal card's count of services whose project ended, or of
    /// those that went on, differs from the service cards.
    ProjectCount {
        declared: i64,
        found: usize,
        sustained: bool,
    },
}

impl StrategyFinding {
    /// The stable code, as in `issues.csv`.
    pub fn code(&self) -> &'static str {
        use StrategyFinding::*;
        match self {
            StrategyYearsUnreadable => "type",
            YearOutside { .. } => "range",
            DuplicateAction { .. } | DuplicateIndicator { .. } => "duplicate",
            SameVersion { .. } => "plan_version",
            CapacityOnClosure => "cross_field",
            UnknownFigureKey { .. } => "enum",
            UnknownScope { .. } => "unknown_municipality",
            UnknownIndicator { .. } => "unknown_indicator",
            ValueRequired | DifficultiesExpected { .. } => "required",
            ReportPeriodDiffers { .. } => "period",
            ProjectCount { .. } => "card_count",
        }
    }

    /// What is wrong and what is expected, in the user's language.
    pub fn message(&self, messages: &Messages, issue: &Issue) -> String {
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
        match self {
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
                    (false, false) => format!(
                        "The scope {value} is neither the oblast nor one of its municipalities. Closest: {near}."
                    ),
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
                    format!(
                        "The activity is \"{status}\", but {label} is empty. Describe the difficulties and reasons."
                    )
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
}
