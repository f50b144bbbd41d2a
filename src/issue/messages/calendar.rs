//! The wording of the reporting calendar's findings: Bulgarian and English
//! side by side.

use chrono::NaiveDate;

use crate::issue::calendar::{DeadlineKey, DecisionDate};
use crate::issue::{CalendarFinding, Lang};

fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The message of a calendar finding: what is wrong and what to do.
pub(super) fn message(finding: &CalendarFinding, lang: Lang) -> String {
    let bg = lang == Lang::Bg;
    match finding {
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
