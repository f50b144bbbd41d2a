//! The wording of the findings about monitoring-visit protocols:
//! Bulgarian and English side by side.

use super::Messages;
use crate::issue::{Issue, Lang, VisitFinding};

fn quote(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Bg => format!("„{text}“"),
        Lang::En => format!("\"{text}\""),
    }
}

/// The message of a visit finding: what is wrong and what is expected.
/// `label` is the field's label, quoted, in the user's language.
pub(super) fn message(messages: &Messages, issue: &Issue, finding: &VisitFinding, label: &str) -> String {
    let lang = messages.lang;
    let bg = lang == Lang::Bg;
    let value = quote(lang, &issue.value);
    let field = |id: &str| quote(lang, &messages.field_label(issue.template.as_deref(), id));
    match finding {
        VisitFinding::UnknownListItem { item, known } => {
            let names = known
                .iter()
                .map(|(code, name)| format!("{name} ({code})"))
                .collect::<Vec<_>>()
                .join("; ");
            if bg {
                format!(
                    "{label}: {} не е известна институция. Известни са: {names}. Пишете кода, наименованието или съкращението, разделени със запетая.",
                    quote(lang, item)
                )
            } else {
                format!(
                    "{label}: {} is not a known institution. Known: {names}. Write the code, name or abbreviation, separated by commas.",
                    quote(lang, item)
                )
            }
        }
        VisitFinding::AreaTwice { other } => {
            if bg {
                format!(
                    "{label}: {value} е записана два пъти в протокола (и на клетка {other}). Всяка област се записва на един ред."
                )
            } else {
                format!(
                    "{label}: {value} is written twice on the protocol (also at cell {other}). Each area goes on one row."
                )
            }
        }
        VisitFinding::FindingNeeded { assessment } => {
            if bg {
                format!(
                    "Полето {label} е празно, а оценката е {}: запишете какво е установено.",
                    quote(lang, assessment)
                )
            } else {
                format!(
                    "{label} is empty, but the assessment is {}: write what was found.",
                    quote(lang, assessment)
                )
            }
        }
        VisitFinding::RecommendationNeeded { assessment } => {
            if bg {
                format!(
                    "Полето {label} е празно, а оценката е {}: запишете какво трябва да се направи и в какъв срок.",
                    quote(lang, assessment)
                )
            } else {
                format!(
                    "{label} is empty, but the assessment is {}: write what must be done and by when.",
                    quote(lang, assessment)
                )
            }
        }
        VisitFinding::DeadlineNeeded { recommendation } => {
            if bg {
                format!(
                    "Полето {label} е празно, а има {}: запишете срока (дд.мм.гггг).",
                    field(recommendation)
                )
            } else {
                format!(
                    "{label} is empty, but there is a recommendation ({}): write the deadline (dd.mm.yyyy).",
                    field(recommendation)
                )
            }
        }
        VisitFinding::DoneOnNeeded { follow_up } => {
            if bg {
                format!(
                    "Полето {label} е празно, а {} е „изпълнена“: запишете датата на изпълнение.",
                    field(follow_up)
                )
            } else {
                format!(
                    "{label} is empty, but {} is \"done\": write the date it was done.",
                    field(follow_up)
                )
            }
        }
        VisitFinding::BeforeVisit { visit_date } => {
            if bg {
                format!("{label}: {value} е преди датата на проверката ({visit_date}); очаква се дата след проверката.")
            } else {
                format!(
                    "{label}: {value} is before the date of the visit ({visit_date}); expected a date after the visit."
                )
            }
        }
        VisitFinding::OutsidePeriod { period } => {
            if bg {
                format!("{label}: {value} е извън отчетния период ({period}). Проверете датата на проверката.")
            } else {
                format!("{label}: {value} is outside the reporting period ({period}). Check the date of the visit.")
            }
        }
        VisitFinding::UnknownService { closest } => {
            let hint = if closest.is_empty() {
                if bg {
                    " Общината няма приети карти на услуги в този отчет.".to_string()
                } else {
                    " The municipality has no accepted service cards in this report.".to_string()
                }
            } else if bg {
                format!(" Най-близки услуги на общината: {}.", closest.join("; "))
            } else {
                format!(" Closest services of the municipality: {}.", closest.join("; "))
            };
            if bg {
                format!(
                    "Проверената услуга {value} не съответства на нито една приета карта на услуга в отчета; проверката е отчетена без връзка с карта.{hint}"
                )
            } else {
                format!(
                    "The visited service {value} fits no accepted service card of this report; the visit is counted without a card.{hint}"
                )
            }
        }
    }
}
