//! Messages about one value: missing, of the wrong type, out of range, not
//! one of the allowed choices, an unknown place, a malformed e-mail.

use super::{Said, list_pairs, number};
use crate::issue::{Expected, Lang};

pub(super) fn required(s: &Said) -> String {
    let label = &s.label;
    match s.lang {
        Lang::Bg => format!("Полето {label} е задължително, а е празно. Попълнете го."),
        Lang::En => format!("{label} is required but empty. Fill it in."),
    }
}

pub(super) fn label_missing(s: &Said) -> String {
    let label = &s.label;
    match s.lang {
        Lang::Bg => format!("Редът {label} липсва в картата. Добавете го с попълнена стойност (използвайте образеца)."),
        Lang::En => format!("The row {label} is missing from the card. Add it with its value (use the template)."),
    }
}

pub(super) fn required_because(s: &Said, other_field: &str, other_value: &str) -> String {
    let (label, other, value) = (&s.label, s.other(other_field), s.quote(other_value));
    match s.lang {
        Lang::Bg => format!("Полето {label} е задължително, когато {other} е {value}, а е празно."),
        Lang::En => format!("{label} is required when {other} is {value}, but it is empty."),
    }
}

pub(super) fn not_a(s: &Said, expected: Expected) -> String {
    let Said { label, value, .. } = s;
    let what = match (expected, s.lang) {
        (Expected::Integer, Lang::Bg) => "цяло число (например 12 или 1 250)",
        (Expected::Integer, Lang::En) => "a whole number (e.g. 12 or 1 250)",
        (Expected::Decimal, Lang::Bg) => "число (например 12,5 или 1 250)",
        (Expected::Decimal, Lang::En) => "a number (e.g. 12,5 or 1 250)",
        (Expected::Money, Lang::Bg) => "сума в лева (например 1 250,50)",
        (Expected::Money, Lang::En) => "an amount in BGN (e.g. 1 250,50)",
        (Expected::Date, Lang::Bg) => "дата във формат дд.мм.гггг (например 01.03.2016)",
        (Expected::Date, Lang::En) => "a date written dd.mm.yyyy (e.g. 01.03.2016)",
        (Expected::YesNo, Lang::Bg) => "„да“ или „не“",
        (Expected::YesNo, Lang::En) => "\"да\" or \"не\" (yes or no)",
    };
    match s.lang {
        Lang::Bg => format!("{label}: {value} не може да се прочете; очаква се {what}."),
        Lang::En => format!("{label}: {value} cannot be read; expected {what}."),
    }
}

pub(super) fn fraction(s: &Said) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!("{label}: {value} има дробна част; очаква се цяло число."),
        Lang::En => format!("{label}: {value} has a fraction part; expected a whole number."),
    }
}

pub(super) fn bad_grouping(s: &Said) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!(
            "{label}: {value} не е ясно число (разделителите на хилядите са по три цифри, десетичният знак е запетая, например 1 250,50)."
        ),
        Lang::En => format!(
            "{label}: {value} is not a clear number (thousands come in groups of three, the decimal mark is a comma, e.g. 1 250,50)."
        ),
    }
}

pub(super) fn two_digit_year(s: &Said) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!("{label}: {value} е с двуцифрена година; напишете годината с четири цифри (дд.мм.гггг)."),
        Lang::En => format!("{label}: {value} has a two-digit year; write the year with four digits (dd.mm.yyyy)."),
    }
}

pub(super) fn no_such_day(s: &Said) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!("{label}: {value} не е съществуваща дата."),
        Lang::En => format!("{label}: {value} is not a date that exists."),
    }
}

pub(super) fn below_min(s: &Said, min: f64) -> String {
    let Said { label, value, .. } = s;
    match (s.lang, min == 0.0) {
        (Lang::Bg, true) => format!("{label}: {value} е отрицателно; очаква се число не по-малко от 0."),
        (Lang::En, true) => format!("{label}: {value} is negative; expected a number of at least 0."),
        (Lang::Bg, false) => format!("{label}: {value} е под минимума; очаква се поне {}.", number(min)),
        (Lang::En, false) => format!(
            "{label}: {value} is below the minimum; expected at least {}.",
            number(min)
        ),
    }
}

pub(super) fn above_max(s: &Said, max: f64) -> String {
    let (Said { label, value, .. }, max) = (s, number(max));
    match s.lang {
        Lang::Bg => format!("{label}: {value} е над максимума; очаква се най-много {max}."),
        Lang::En => format!("{label}: {value} is above the maximum; expected at most {max}."),
    }
}

pub(super) fn unknown_choice(s: &Said, closest: &[(String, String)], allowed: &[String]) -> String {
    let Said { label, value, .. } = s;
    let hint = if !closest.is_empty() {
        let closest = list_pairs(closest);
        match s.lang {
            Lang::Bg => format!(" Най-близки: {closest}."),
            Lang::En => format!(" Closest: {closest}."),
        }
    } else if !allowed.is_empty() && allowed.len() <= 8 {
        let allowed = allowed.join("; ");
        match s.lang {
            Lang::Bg => format!(" Допустими: {allowed}."),
            Lang::En => format!(" Allowed: {allowed}."),
        }
    } else {
        String::new()
    };
    match s.lang {
        Lang::Bg => format!("{label}: {value} не е от допустимите стойности.{hint}"),
        Lang::En => format!("{label}: {value} is not one of the allowed values.{hint}"),
    }
}

pub(super) fn ambiguous_choice(s: &Said, candidates: &[(String, String)]) -> String {
    let (Said { label, value, .. }, candidates) = (s, list_pairs(candidates));
    match s.lang {
        Lang::Bg => format!("{label}: {value} е двусмислено, може да е: {candidates}. Напишете пълното наименование."),
        Lang::En => format!("{label}: {value} is ambiguous; it may be: {candidates}. Write the full name."),
    }
}

pub(super) fn wrong_card(s: &Said, service_type: &str, card: &str) -> String {
    let (label, service_type) = (&s.label, s.quote(service_type));
    let card_name = match (card, s.lang) {
        ("children", Lang::Bg) => "картата за деца",
        ("children", Lang::En) => "the card for children",
        ("adults", Lang::Bg) => "картата за лица",
        ("adults", Lang::En) => "the card for adults",
        (_, Lang::Bg) => "другата карта",
        (_, Lang::En) => "the other card",
    };
    match s.lang {
        Lang::Bg => format!("{label}: видът {service_type} не се описва в тази карта; попълнете {card_name}."),
        Lang::En => format!("{label}: the type {service_type} does not belong on this card; fill in {card_name}."),
    }
}

pub(super) fn unknown_municipality(s: &Said, closest: &[(String, String)]) -> String {
    let value = &s.value;
    let closest = list_pairs(closest);
    match (s.lang, closest.is_empty()) {
        (Lang::Bg, true) => {
            format!("Непозната община {value}. Напишете името или кода по ЕКАТТЕ (например Русе или RSE27).")
        }
        (Lang::En, true) => format!("Unknown municipality {value}. Write its name or NSI code (e.g. Русе or RSE27)."),
        (Lang::Bg, false) => format!("Непозната община {value}; най-близки: {closest}."),
        (Lang::En, false) => format!("Unknown municipality {value}; closest: {closest}."),
    }
}

pub(super) fn ambiguous_municipality(s: &Said, candidates: &[(String, String, String)]) -> String {
    let value = &s.value;
    let names = candidates
        .iter()
        .map(|(code, name, oblast)| format!("{name} ({code}, {oblast})"))
        .collect::<Vec<_>>()
        .join("; ");
    match s.lang {
        Lang::Bg => format!("Общината {value} е двусмислена: {names}. Попълнете и областта или напишете кода."),
        Lang::En => format!("The municipality {value} is ambiguous: {names}. Fill in the oblast or write the code."),
    }
}

pub(super) fn unknown_oblast(s: &Said, closest: &[(String, String)]) -> String {
    let value = &s.value;
    let closest = list_pairs(closest);
    match (s.lang, closest.is_empty()) {
        (Lang::Bg, true) => format!("Непозната област {value}. Напишете името или кода (например Русе или RSE)."),
        (Lang::En, true) => format!("Unknown oblast {value}. Write its name or code (e.g. Русе or RSE)."),
        (Lang::Bg, false) => format!("Непозната област {value}; най-близки: {closest}."),
        (Lang::En, false) => format!("Unknown oblast {value}; closest: {closest}."),
    }
}

pub(super) fn ambiguous_oblast(s: &Said, candidates: &[(String, String)]) -> String {
    let (value, candidates) = (&s.value, list_pairs(candidates));
    match s.lang {
        Lang::Bg => format!(
            "Областта {value} е двусмислена: {candidates}. Напишете „Софийска област“ или „София-град“, или кода."
        ),
        Lang::En => format!(
            "The oblast {value} is ambiguous: {candidates}. Write „Софийска област“ or „София-град“, or the code."
        ),
    }
}

pub(super) fn bad_email(s: &Said) -> String {
    let Said { label, value, .. } = s;
    match s.lang {
        Lang::Bg => format!("{label}: {value} съдържа неправилен e-mail адрес (очаква се име@домейн.bg)."),
        Lang::En => format!("{label}: {value} holds a malformed e-mail address (expected name@domain.bg)."),
    }
}
