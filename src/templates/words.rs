//! What the templates say to the person filling them in, in Bulgarian or
//! English: sheet names, notes, the hints and messages of each kind of value
//! cell, and the paragraphs of the instructions sheet. Field labels and help
//! texts are not here: they come from the schema files.

use crate::issue::Lang;
use crate::schema::{Field, FieldType, Role, Template};
use crate::sheet::format_number;

/// One of two texts by language.
pub(crate) fn pick(lang: Lang, bg: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Bg => bg,
        Lang::En => en,
    }
}

/// The label as written on a template: "*" after a required field's label
/// (the reader drops it).
pub(crate) fn label(field: &Field, lang: Lang) -> String {
    let text = match lang {
        Lang::Bg => &field.label,
        Lang::En => &field.label_en,
    };
    if field.required {
        format!("{text} *")
    } else {
        text.clone()
    }
}

/// A field's label without the required mark, for messages.
pub(crate) fn plain_label(field: &Field, lang: Lang) -> &str {
    match lang {
        Lang::Bg => &field.label,
        Lang::En => &field.label_en,
    }
}

pub(crate) fn title(template: &Template, lang: Lang) -> &str {
    match lang {
        Lang::Bg => &template.title,
        Lang::En => &template.title_en,
    }
}

/// The name of the instructions sheet; it must be one of `instruction_sheets`
/// in `common.toml`, so that the reader skips it.
pub(crate) fn instructions_sheet(lang: Lang) -> &'static str {
    pick(lang, "Указания", "Instructions")
}

/// The hidden sheet that holds the drop-down lists.
pub(crate) fn lists_sheet(lang: Lang) -> &'static str {
    pick(lang, "Списъци", "Lists")
}

/// What a value cell of this field takes, in a few words (with the unit).
pub(crate) fn kind_hint(field: &Field, lang: Lang) -> String {
    let bound = |lang: Lang| -> String {
        match (field.min, field.max) {
            (Some(min), Some(max)) => match lang {
                Lang::Bg => format!(" от {} до {}", format_number(min), format_number(max)),
                Lang::En => format!(" from {} to {}", format_number(min), format_number(max)),
            },
            (Some(min), None) => match lang {
                Lang::Bg => format!(", не по-малко от {}", format_number(min)),
                Lang::En => format!(", at least {}", format_number(min)),
            },
            (None, Some(max)) => match lang {
                Lang::Bg => format!(", не повече от {}", format_number(max)),
                Lang::En => format!(", at most {}", format_number(max)),
            },
            (None, None) => String::new(),
        }
    };
    match field.kind {
        FieldType::Text => pick(lang, "Текст.", "Text.").to_string(),
        FieldType::Integer => format!("{}{}.", pick(lang, "Цяло число", "A whole number"), bound(lang)),
        FieldType::Decimal => format!(
            "{}{}.",
            pick(lang, "Число, може с десетична запетая", "A number, decimals allowed"),
            bound(lang)
        ),
        FieldType::Money => format!(
            "{}{}.",
            pick(
                lang,
                "Сума в лева, до два знака след запетаята, без „лв.“",
                "An amount in BGN, up to two decimals, without \"BGN\""
            ),
            bound(lang)
        ),
        FieldType::Date => pick(
            lang,
            "Дата във формат дд.мм.гггг (например 30.06.2017).",
            "A date, dd.mm.yyyy (for example 30.06.2017).",
        )
        .to_string(),
        FieldType::YesNo => pick(
            lang,
            "Да или не: изберете от списъка.",
            "Yes or no: choose from the list.",
        )
        .to_string(),
        FieldType::Oblast | FieldType::Municipality | FieldType::Enum => {
            pick(lang, "Изберете от падащия списък.", "Choose from the drop-down list.").to_string()
        }
    }
}

/// What a field wants, in plain words: the schema's help (Bulgarian; the
/// schemas have no English help, so English templates give the hint only)
/// and the kind of value, unless the help already says it.
pub(crate) fn explanation(field: &Field, lang: Lang) -> Vec<String> {
    let help = match lang {
        Lang::Bg => field.help.trim(),
        Lang::En => "",
    };
    let hint = kind_hint(field, lang);
    let said = field.kind == FieldType::Date && help.contains("дд.мм.гггг");
    let mut out = Vec::new();
    if !help.is_empty() {
        out.push(help.to_string());
    }
    if !said {
        out.push(hint);
    }
    out
}

/// The title of the message Excel shows when a value is refused.
pub(crate) fn error_title(lang: Lang) -> &'static str {
    pick(lang, "Невалидна стойност", "Invalid value")
}

/// The message Excel shows when a value is refused.
pub(crate) fn error_message(field: &Field, lang: Lang) -> String {
    let what = kind_hint(field, lang);
    match lang {
        Lang::Bg => format!("„{}“: {what}", field.label),
        Lang::En => format!("\"{}\": {what}", field.label_en),
    }
}

/// The note under a card's title.
pub(crate) fn form_note(lang: Lang) -> &'static str {
    pick(
        lang,
        "Попълнете оцветените клетки в колона C. Полетата със * са задължителни. Указания за попълване — в лист „Указания“.",
        "Fill in the shaded cells of column C. Fields marked * are required. How to fill in: see the sheet \"Instructions\".",
    )
}

/// The note under a table's title: the DSP's has a row per municipality,
/// the others are filled row by row.
pub(crate) fn table_note(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Dsp => pick(
            lang,
            "Попълнете по един ред за всяка община, която дирекцията обслужва; редовете на другите общини изтрийте. Указания за попълване — в лист „Указания“.",
            "Fill in one row for each municipality the directorate serves; delete the rows of the others. How to fill in: see the sheet \"Instructions\".",
        ),
        Role::StrategyPlan => pick(
            lang,
            "Попълнете по един ред за всяко планирано действие, без празни редове между тях; преструктуриране — на два реда (закриване и откриване). Указания за попълване — в лист „Указания“.",
            "Fill in one row for each planned action, with no blank rows between them; a restructuring on two rows (a closure and an opening). How to fill in: see the sheet \"Instructions\".",
        ),
        Role::StrategyIndicators => pick(
            lang,
            "Попълнете по един ред за всеки индикатор, без празни редове между тях. Указания за попълване — в лист „Указания“.",
            "Fill in one row for each indicator, with no blank rows between them. How to fill in: see the sheet \"Instructions\".",
        ),
        Role::StrategyReport => pick(
            lang,
            "Попълнете по един ред за всяка дейност, без празни редове между тях. Указания за попълване — в лист „Указания“.",
            "Fill in one row for each activity, with no blank rows between them. How to fill in: see the sheet \"Instructions\".",
        ),
        _ => pick(
            lang,
            "Попълнете по един ред за всеки документ, без празни редове между тях. Указания за попълване — в лист „Указания“.",
            "Fill in one row for each document, with no blank rows between them. How to fill in: see the sheet \"Instructions\".",
        ),
    }
}

/// The header of a card's columns.
pub(crate) fn form_header(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Bg => ["№", "Поле", "Стойност"],
        Lang::En => ["№", "Field", "Value"],
    }
}

/// The first cell of the DSP table's totals row; it must be one of
/// `totals_labels` in `common.toml`, so that the reader stops there.
pub(crate) fn totals(lang: Lang) -> &'static str {
    pick(lang, "Общо", "Total")
}

/// The name of the card sheet of a blank template.
pub(crate) fn blank_sheet_name(template: &Template, lang: Lang) -> &'static str {
    use crate::reference::Card;
    use crate::schema::Role;
    match (template.role, template.card) {
        (Role::ServiceCard, Some(Card::Children)) => pick(lang, "Услуга за деца", "Service for children"),
        (Role::ServiceCard, _) => pick(lang, "Услуга за лица", "Service for adults"),
        (Role::MunicipalCard, _) => pick(lang, "Община", "Municipality"),
        (Role::Dsp, _) => pick(lang, "ДСП", "DSP"),
        (Role::ProviderVisit, _) => pick(lang, "Протокол", "Protocol"),
        (Role::StrategyPlan, _) => pick(lang, "План", "Plan"),
        (Role::StrategyIndicators, _) => pick(lang, "Индикатори", "Indicators"),
        (Role::StrategyReport, _) => pick(lang, "Отчет", "Report"),
        (Role::Registry, _) => pick(lang, "Входящ регистър", "Registry"),
    }
}

/// The name of the municipal card sheet of a prefilled workbook.
pub(crate) fn municipal_sheet_name(lang: Lang) -> &'static str {
    pick(lang, "Общинска карта", "Municipal card")
}
