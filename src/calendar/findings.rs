//! The calendar's findings, with their codes and messages in both
//! languages: a late return (`late`), a file time that is not trusted
//! (`file_time`), a registry row naming no file (`unknown_file`), a council
//! decision with no readable date (`decision_date`).

use chrono::NaiveDate;

use super::decision::DecisionDate;
use super::{DeadlineKey, Source};
use crate::issue::Lang;

#[derive(Debug, Clone, PartialEq)]
pub enum CalendarFinding {
    /// The returns, the implementation report or the council decision came
    /// after its deadline (the decision's date is that of its text: no source).
    Late {
        what: DeadlineKey,
        received_on: NaiveDate,
        source: Option<Source>,
        deadline: NaiveDate,
        days: i64,
    },
    /// A file's modification time in the future or before the period: not
    /// used as its received date.
    FileTimeUntrusted {
        modified: NaiveDate,
        future: bool,
        period_start: NaiveDate,
    },
    /// A registry row whose file name names no file of the input folder.
    NoSuchFile { name: String },
    /// A council decision's text with no readable date.
    DecisionUndated { why: DecisionDate },
}

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

impl CalendarFinding {
    /// The stable code, as in `issues.csv`.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarFinding::Late { .. } => "late",
            CalendarFinding::FileTimeUntrusted { .. } => "file_time",
            CalendarFinding::NoSuchFile { .. } => "unknown_file",
            CalendarFinding::DecisionUndated { .. } => "decision_date",
        }
    }

    /// What is wrong and what to do, in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let bg = lang == Lang::Bg;
        match self {
            CalendarFinding::Late {
                what,
                received_on,
                source,
                deadline,
                days,
            } => {
                let (on, deadline) = (day(*received_on), day(*deadline));
                let source = source.map(|s| format!(" ({})", s.label(lang))).unwrap_or_default();
                match (what, bg) {
                    (DeadlineKey::Returns, true) => {
                        format!("Отчетните данни са получени на {on}{source}, {days} дни след срока {deadline}.")
                    }
                    (DeadlineKey::StrategyReport, true) => format!(
                        "Отчетът за изпълнението на стратегията е получен на {on}{source}, {days} дни след срока {deadline}."
                    ),
                    (DeadlineKey::CouncilDecision, true) => {
                        format!("Общинският съвет е приел отчета на {on}, {days} дни след срока {deadline}.")
                    }
                    (DeadlineKey::Returns, false) => {
                        format!("The returns came on {on}{source}, {days} days after the deadline {deadline}.")
                    }
                    (DeadlineKey::StrategyReport, false) => format!(
                        "The strategy's implementation report came on {on}{source}, {days} days after the deadline {deadline}."
                    ),
                    (DeadlineKey::CouncilDecision, false) => {
                        format!("The council adopted the report on {on}, {days} days after the deadline {deadline}.")
                    }
                }
            }
            CalendarFinding::FileTimeUntrusted {
                modified,
                future,
                period_start,
            } => match (bg, future) {
                (true, true) => format!(
                    "Датата на файла ({}) е в бъдещето; не е приета за дата на получаване. Впишете датата в регистъра или в „Дата на попълване“.",
                    day(*modified)
                ),
                (true, false) => format!(
                    "Датата на файла ({}) е преди началото на периода ({}); не е приета за дата на получаване. Впишете датата в регистъра или в „Дата на попълване“.",
                    day(*modified),
                    day(*period_start)
                ),
                (false, true) => format!(
                    "The file's time ({}) is in the future; not taken as its received date. Enter the date in the registry or in \"Date filled in\".",
                    day(*modified)
                ),
                (false, false) => format!(
                    "The file's time ({}) is before the period began ({}); not taken as its received date. Enter the date in the registry or in \"Date filled in\".",
                    day(*modified),
                    day(*period_start)
                ),
            },
            CalendarFinding::NoSuchFile { name } => {
                if bg {
                    format!("В папката с отчетите няма файл „{name}“; редът от регистъра не е използван.")
                } else {
                    format!("No file \"{name}\" in the folder of returns; the registry row was not used.")
                }
            }
            CalendarFinding::DecisionUndated { why } => {
                let reason = match (bg, why) {
                    (true, DecisionDate::NoDate) => "в текста няма дата",
                    (true, DecisionDate::TwoDigitYear) => "годината е с две цифри",
                    (true, DecisionDate::NoSuchDay) => "такъв ден няма",
                    (false, DecisionDate::NoDate) => "the text holds no date",
                    (false, DecisionDate::TwoDigitYear) => "the year has two digits",
                    (false, DecisionDate::NoSuchDay) => "no such day exists",
                };
                if bg {
                    format!(
                        "Датата на решението не може да бъде прочетена ({reason}); срокът за решението не е проверен. Пишете „Решение № 123/25.10.2017“ или „№ 45 от 27.10.2017 г.“."
                    )
                } else {
                    format!(
                        "The decision's date cannot be read ({reason}); its deadline was not checked. Write \"Решение № 123/25.10.2017\" or \"№ 45 от 27.10.2017 г.\"."
                    )
                }
            }
        }
    }
}
