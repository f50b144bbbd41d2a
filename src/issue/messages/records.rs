//! Messages about a record against its own fields, the run and the other
//! records: cross-field rules, licences, periods, oblasts, a field filled in
//! twice, duplicates, declared counts and submissions that never came.

use super::{Said, number};
use crate::issue::{Lang, Location};
use crate::sheet::CellRef;

pub(super) fn municipality_not_in_oblast(
    s: &Said,
    municipality: &str,
    its_oblast: &str,
    stated_oblast: &str,
) -> String {
    match s.lang {
        Lang::Bg => {
            format!("Община {municipality} е в област {its_oblast}, а картата посочва област {stated_oblast}.")
        }
        Lang::En => format!(
            "Municipality {municipality} lies in oblast {its_oblast}, but the record names oblast {stated_oblast}."
        ),
    }
}

pub(super) fn other_oblast(s: &Said, oblast: &str, run_oblast: &str) -> String {
    match s.lang {
        Lang::Bg => format!("Записът е за област {oblast}, а отчетът е за област {run_oblast}; не е включен в отчета."),
        Lang::En => {
            format!("The record is about oblast {oblast}, but the report is for oblast {run_oblast}; it is left out.")
        }
    }
}

pub(super) fn conflict(s: &Said, other_cell: CellRef, other_value: &str) -> String {
    let (Said { label, value, .. }, other_value) = (s, s.quote(other_value));
    match s.lang {
        Lang::Bg => format!(
            "{label} е попълнено два пъти с различни стойности: {value} и {other_value} (клетка {other_cell}). Оставете една."
        ),
        Lang::En => format!(
            "{label} is filled in twice with different values: {value} and {other_value} (cell {other_cell}). Keep one."
        ),
    }
}

pub(super) fn not_at_most(s: &Said, other_field: &str, other_value: &str, factor: f64) -> String {
    let (label, written, other) = (&s.label, s.written, s.other(other_field));
    let bound = match (factor == 1.0, s.lang) {
        (true, _) => other,
        (false, Lang::Bg) => format!("{} пъти {other}", number(factor)),
        (false, Lang::En) => format!("{} times {other}", number(factor)),
    };
    match s.lang {
        Lang::Bg => format!("{label} ({written}) е повече от {bound} ({other_value}); не може да е повече."),
        Lang::En => format!("{label} ({written}) is more than {bound} ({other_value}); it cannot be more."),
    }
}

pub(super) fn sum_not_at_most(s: &Said, fields: &[String], sum: &str, other_field: &str, other_value: &str) -> String {
    let names = fields.iter().map(|f| s.other(f)).collect::<Vec<_>>().join(" + ");
    let other = s.other(other_field);
    match s.lang {
        Lang::Bg => format!("{names} = {sum} е повече от {other} ({other_value})."),
        Lang::En => format!("{names} = {sum} is more than {other} ({other_value})."),
    }
}

pub(super) fn date_before(s: &Said, other_field: &str, other_value: &str) -> String {
    let (label, written, other) = (&s.label, s.written, s.other(other_field));
    match s.lang {
        Lang::Bg => format!("{label} ({written}) е преди {other} ({other_value})."),
        Lang::En => format!("{label} ({written}) is before {other} ({other_value})."),
    }
}

pub(super) fn ends_in_period(s: &Said, period_end: &str) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!("{label}: {value} изтича преди края на отчетния период ({period_end}); подновете лиценза."),
        Lang::En => {
            format!("{label}: {value} ends before the end of the reporting period ({period_end}); renew the licence.")
        }
    }
}

pub(super) fn ended_before_period(s: &Said, period_start: &str) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!(
            "{label}: {value} е изтекъл преди началото на отчетния период ({period_start}); услугата няма валиден лиценз."
        ),
        Lang::En => format!(
            "{label}: {value} expired before the reporting period began ({period_start}); the service has no valid licence."
        ),
    }
}

pub(super) fn period_differs(s: &Said, card_period: &str, run_period: &str) -> String {
    match s.lang {
        Lang::Bg => format!("Картата е за период {card_period}, а отчетът е за {run_period}."),
        Lang::En => format!("The card covers {card_period}, but the report covers {run_period}."),
    }
}

pub(super) fn duplicate(s: &Said, other: &Location, counted: bool) -> String {
    let where_ = other.describe();
    match (s.lang, counted) {
        (Lang::Bg, true) => format!("Същият запис е подаден и в {where_}; броен е само този."),
        (Lang::En, true) => format!("The same record was also sent in {where_}; only this one is counted."),
        (Lang::Bg, false) => format!("Същият запис вече е подаден в {where_}; този не е броен втори път."),
        (Lang::En, false) => format!("The same record was already sent in {where_}; this one is not counted twice."),
    }
}

pub(super) fn duplicate_in_file(s: &Said, cell: CellRef) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => {
            format!("{label}: {value} се среща втори път в таблицата (и в клетка {cell}); всяка община е на един ред.")
        }
        Lang::En => {
            format!("{label}: {value} appears twice in the table (also in cell {cell}); one row per municipality.")
        }
    }
}

pub(super) fn card_count(s: &Said, declared: i64, received: usize) -> String {
    let label = &s.label;
    match s.lang {
        Lang::Bg => format!("{label}: посочени са {declared}, а са получени {received} карти на услуги от този вид."),
        Lang::En => format!("{label}: {declared} declared, but {received} service cards of this kind were received."),
    }
}

pub(super) fn missing_municipal_card(s: &Said, municipality: &str) -> String {
    match s.lang {
        Lang::Bg => format!("Няма получена карта от общинската администрация на община {municipality}."),
        Lang::En => format!("No municipal administration card was received from {municipality}."),
    }
}

pub(super) fn missing_dsp_row(s: &Said, municipality: &str) -> String {
    match s.lang {
        Lang::Bg => format!("Няма ред за община {municipality} в таблиците от дирекции „Социално подпомагане“."),
        Lang::En => format!("No DSP table has a row for municipality {municipality}."),
    }
}
