//! The drop-down lists of a template: takes a field and the oblast and gives
//! the choices as they are written in the cell (names the reader resolves to
//! exactly one code), and collects the lists of one workbook so that they can
//! be written on a hidden sheet and named.
//!
//! The lists live on a sheet, not inline in the validation, because Excel
//! refuses an inline list longer than 255 characters (the service types alone
//! are several thousand), and because a workbook-level name keeps working in
//! a copy of the card sheet.

use crate::issue::Lang;
use crate::reference::{Municipality, Oblast, Reference, Table};
use crate::schema::{Choices, Common, Field, FieldType, Schemas};

/// The words written for yes and no. Each must be one of `yes_values` /
/// `no_values` in `common.toml` (a unit test checks it).
pub(crate) fn yes_no(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Bg => ["да", "не"],
        Lang::En => ["yes", "no"],
    }
}

/// How an oblast is written so that it names only that oblast: its name,
/// else the first of its other names that is unambiguous (a bare „София“
/// fits two oblasts; „Софийска област“ one), else its code.
pub(crate) fn oblast_name(reference: &Reference, common: &Common, oblast: &Oblast, lang: Lang) -> String {
    let unique = |written: &str| {
        let found = reference.oblast_candidates(written, &common.oblast_prefixes);
        found.len() == 1 && reference.oblasts[found[0]].code == oblast.code
    };
    let preferred = match lang {
        Lang::Bg => [oblast.name_bg.as_str(), oblast.name_en.as_str()],
        Lang::En => [oblast.name_en.as_str(), oblast.name_bg.as_str()],
    };
    preferred
        .into_iter()
        .chain(oblast.aliases_bg.split(';').map(str::trim))
        .find(|w| !w.is_empty() && unique(w))
        .map_or_else(|| oblast.code.clone(), str::to_string)
}

/// How a municipality is written: its name when that names only it among the
/// municipalities of its oblast (the reader narrows a shared name such as
/// „Бяла“ by the oblast), else its code.
pub(crate) fn municipality_name(reference: &Reference, common: &Common, m: &Municipality, lang: Lang) -> String {
    let name = match lang {
        Lang::Bg => &m.name_bg,
        Lang::En => &m.name_en,
    };
    let found: Vec<usize> = reference
        .municipality_candidates(name, &common.municipality_prefixes)
        .into_iter()
        .filter(|&i| reference.municipalities[i].oblast_code == m.oblast_code)
        .collect();
    if found.len() == 1 && reference.municipalities[found[0]].code == m.code {
        name.clone()
    } else {
        m.code.clone()
    }
}

/// The name of a reference entry in the template's language.
fn entry_name(reference: &Reference, table: Table, index: usize, lang: Lang) -> String {
    match lang {
        Lang::Bg => reference.entry(table, index).1.to_string(),
        Lang::En => reference.entry_en(table, index).to_string(),
    }
}

/// A field's choices with their codes, in the order of the reference table or
/// schema, as (code, what the cell shows). Empty for fields without choices.
pub(crate) fn choices(schemas: &Schemas, oblast: &Oblast, field: &Field, lang: Lang) -> Vec<(String, String)> {
    let reference = &schemas.reference;
    let common = &schemas.common;
    match field.kind {
        FieldType::Oblast => vec![(oblast.code.clone(), oblast_name(reference, common, oblast, lang))],
        FieldType::Municipality => reference
            .municipalities_of(&oblast.code)
            .map(|m| (m.code.clone(), municipality_name(reference, common, m, lang)))
            .collect(),
        FieldType::YesNo => {
            let [yes, no] = yes_no(lang);
            vec![("true".into(), yes.into()), ("false".into(), no.into())]
        }
        FieldType::Enum => match &field.choices {
            Some(Choices::Reference(table)) => {
                let codes = reference.codes(*table);
                codes
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        *table != Table::ServiceTypes
                            || field.cards.is_empty()
                            || field.cards.contains(&reference.service_types[*i].card)
                    })
                    .map(|(i, code)| (code.to_string(), entry_name(reference, *table, i, lang)))
                    .collect()
            }
            Some(Choices::Inline { values, .. }) => values
                .iter()
                .map(|v| {
                    // The inline values carry only a Bulgarian label; the code reads back in English.
                    let shown = match lang {
                        Lang::Bg => v.label.clone(),
                        Lang::En => v.code.clone(),
                    };
                    (v.code.clone(), shown)
                })
                .collect(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The base of the defined name of a field's list (ASCII, so that every
/// spreadsheet program accepts it).
fn base_name(field: &Field) -> String {
    let what = match (field.kind, &field.choices) {
        (FieldType::Oblast, _) => "oblast".to_string(),
        (FieldType::Municipality, _) => "municipality".to_string(),
        (FieldType::YesNo, _) => "yes_no".to_string(),
        (_, Some(Choices::Reference(Table::ServiceTypes))) => "service_type".to_string(),
        (_, Some(Choices::Reference(Table::FinancingTypes))) => "financing".to_string(),
        (_, Some(Choices::Reference(Table::ProviderTypes))) => "provider_type".to_string(),
        _ => field
            .id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect(),
    };
    format!("socmon_{what}")
}

/// The lists of one workbook, each with its defined name, in the order
/// they were first asked for (one column each on the lists sheet).
#[derive(Debug, Default)]
pub(crate) struct Lists {
    pub(crate) entries: Vec<(String, Vec<String>)>,
    /// The names of the lists whose values are numbers (the plan's years),
    /// written as numbers so that a value chosen is a number.
    pub(crate) numbers: std::collections::BTreeSet<String>,
}

impl Lists {
    /// The defined name of a list with these values; the same values share
    /// one name (the municipalities of every card of a workbook), different
    /// values under the same base get a suffix (the service types of the
    /// adults' and the children's cards).
    pub(crate) fn name_for(&mut self, field: &Field, values: Vec<String>) -> String {
        if let Some((name, _)) = self.entries.iter().find(|(_, v)| *v == values) {
            return name.clone();
        }
        let base = base_name(field);
        let mut name = base.clone();
        let mut n = 2;
        while self.entries.iter().any(|(existing, _)| *existing == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.entries.push((name.clone(), values));
        name
    }

    /// As [`Lists::name_for`], for a list of numbers.
    pub(crate) fn name_for_numbers(&mut self, field: &Field, values: &[i32]) -> String {
        let name = self.name_for(field, values.iter().map(i32::to_string).collect());
        self.numbers.insert(name.clone());
        name
    }
}
