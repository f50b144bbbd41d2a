//! Values: takes one cell as written and the schema field it belongs to and
//! gives the typed value, or the finding that says why it cannot be one.

use chrono::NaiveDate;

use crate::issue::{Expected, Finding};
use crate::normalize::{
    DateError, NumberError, email_is_well_formed, excel_serial_date, fold_text, key, parse_date_text,
    parse_iso_datetime, parse_number,
};
use crate::reference::{Card, Lookup, Reference, Table};
use crate::schema::{Choices, Common, Field, FieldType, TextFormat};
use crate::sheet::{CellValue, format_number};

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A code of an enumeration, a municipality or an oblast.
    Code(String),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(t) | Value::Code(t) => Some(t),
            _ => None,
        }
    }

    /// As written in reports: ISO dates, `true`/`false`, plain numbers.
    pub fn display(&self) -> String {
        match self {
            Value::Text(t) | Value::Code(t) => t.clone(),
            Value::Int(i) => i.to_string(),
            Value::Number(n) => format_number(*n),
            Value::Date(d) => d.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }

    /// Whether two values say the same (texts compared by their key).
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => key(a) == key(b),
            (a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() < 1e-9,
                _ => a == b,
            },
        }
    }
}

/// The text of a cell for a text-like field (numbers shown plainly).
fn cell_text(raw: &CellValue) -> String {
    match raw {
        CellValue::Text(t) => fold_text(t),
        other => other.display(),
    }
}

/// Whether a cell holds one of the ways of writing "nothing" ("", "-", "н/п").
pub fn is_blank(raw: &CellValue, common: &Common) -> bool {
    matches!(raw, CellValue::Text(t) if common.is_empty_text(t))
}

fn number_finding(error: NumberError, expected: Expected) -> Finding {
    match error {
        NumberError::NotANumber => Finding::NotA { expected },
        NumberError::BadGrouping => Finding::BadGrouping,
    }
}

fn read_number(raw: &CellValue, expected: Expected, common: &Common) -> Result<f64, Finding> {
    match raw {
        CellValue::Number(n) if n.is_finite() => Ok(*n),
        CellValue::Text(t) => parse_number(t, &common.currency_suffixes).map_err(|e| number_finding(e, expected)),
        _ => Err(Finding::NotA { expected }),
    }
}

fn read_date(raw: &CellValue) -> Result<NaiveDate, Finding> {
    match raw {
        CellValue::DateTime(dt) => Ok(dt.date()),
        CellValue::DateIso(text) => parse_iso_datetime(text).ok_or(Finding::NotA {
            expected: Expected::Date,
        }),
        CellValue::Text(text) => parse_date_text(text).map_err(|e| match e {
            DateError::NotADate => Finding::NotA {
                expected: Expected::Date,
            },
            DateError::TwoDigitYear => Finding::TwoDigitYear,
            DateError::NoSuchDay => Finding::NoSuchDay,
        }),
        CellValue::Number(n) => excel_serial_date(*n).ok_or(Finding::NotA {
            expected: Expected::Date,
        }),
        _ => Err(Finding::NotA {
            expected: Expected::Date,
        }),
    }
}

fn read_yes_no(raw: &CellValue, common: &Common) -> Result<bool, Finding> {
    let not = Finding::NotA {
        expected: Expected::YesNo,
    };
    match raw {
        CellValue::Bool(b) => Ok(*b),
        CellValue::Number(n) if *n == 1.0 => Ok(true),
        CellValue::Number(n) if *n == 0.0 => Ok(false),
        CellValue::Text(t) => {
            let k = key(t);
            if common.yes_values.contains(&k) {
                Ok(true)
            } else if common.no_values.contains(&k) {
                Ok(false)
            } else {
                Err(not)
            }
        }
        _ => Err(not),
    }
}

fn check_range(field: &Field, n: f64) -> Result<(), Finding> {
    if let Some(min) = field.min
        && n < min
    {
        return Err(Finding::BelowMin { min });
    }
    if let Some(max) = field.max
        && n > max
    {
        return Err(Finding::AboveMax { max });
    }
    Ok(())
}

fn pairs(reference: &Reference, table: Table, indexes: &[usize]) -> Vec<(String, String)> {
    indexes
        .iter()
        .map(|&i| {
            let (code, name) = reference.entry(table, i);
            (code.to_string(), name.to_string())
        })
        .collect()
}

fn read_choice(field: &Field, text: &str, reference: &Reference) -> Result<String, Finding> {
    match field.choices.as_ref() {
        Some(Choices::Inline { values, names }) => match names.lookup(text) {
            Lookup::Found(i) => Ok(values[i].code.clone()),
            Lookup::Ambiguous(found) => Err(Finding::AmbiguousChoice {
                candidates: found
                    .iter()
                    .map(|&i| (values[i].code.clone(), values[i].label.clone()))
                    .collect(),
            }),
            Lookup::Unknown { .. } => Err(Finding::UnknownChoice {
                closest: Vec::new(),
                allowed: values.iter().map(|v| v.label.clone()).collect(),
            }),
        },
        Some(Choices::Reference(table)) => {
            let table = *table;
            let allowed_card = |i: usize| {
                table != Table::ServiceTypes
                    || field.cards.is_empty()
                    || field.cards.contains(&reference.service_types[i].card)
            };
            match reference.lookup(table, text) {
                Lookup::Found(i) if allowed_card(i) => Ok(reference.entry(table, i).0.to_string()),
                Lookup::Found(i) => {
                    let service = &reference.service_types[i];
                    Err(Finding::WrongCard {
                        service_type: service.name_bg.clone(),
                        card: match service.card {
                            Card::Children => "children",
                            _ => "adults",
                        }
                        .to_string(),
                    })
                }
                Lookup::Ambiguous(found) => {
                    let fitting: Vec<usize> = found.iter().copied().filter(|&i| allowed_card(i)).collect();
                    match fitting.as_slice() {
                        [one] => Ok(reference.entry(table, *one).0.to_string()),
                        [] => Err(Finding::AmbiguousChoice {
                            candidates: pairs(reference, table, &found),
                        }),
                        many => Err(Finding::AmbiguousChoice {
                            candidates: pairs(reference, table, many),
                        }),
                    }
                }
                Lookup::Unknown { closest } => Err(Finding::UnknownChoice {
                    // The strategy's short lists (STRATEGY.md) are named whole, not by the closest.
                    closest: if matches!(table, Table::PlanActions | Table::ActivityStatuses) {
                        Vec::new()
                    } else {
                        pairs(reference, table, &closest)
                    },
                    allowed: if reference.codes(table).len() <= 8 {
                        (0..reference.codes(table).len())
                            .map(|i| reference.entry(table, i).1.to_string())
                            .collect()
                    } else {
                        Vec::new()
                    },
                }),
            }
        }
        None => Err(Finding::UnknownChoice {
            closest: Vec::new(),
            allowed: Vec::new(),
        }),
    }
}

/// Reads one non-empty cell as the field's type.
///
/// Municipalities and oblasts come back as text: they are resolved per
/// record, where each can help read the other. Errors: the finding that
/// says what is wrong with the value.
pub fn read_value(field: &Field, raw: &CellValue, common: &Common, reference: &Reference) -> Result<Value, Finding> {
    match field.kind {
        FieldType::Text | FieldType::Municipality | FieldType::Oblast => {
            let text = cell_text(raw);
            if field.format == Some(TextFormat::Email) && email_is_well_formed(&text) == Some(false) {
                return Err(Finding::BadEmail);
            }
            Ok(Value::Text(text))
        }
        FieldType::Integer => {
            let n = read_number(raw, Expected::Integer, common)?;
            if n.fract() != 0.0 {
                return Err(Finding::Fraction);
            }
            check_range(field, n)?;
            if n.abs() >= 9e15 {
                return Err(Finding::NotA {
                    expected: Expected::Integer,
                });
            }
            Ok(Value::Int(n as i64))
        }
        FieldType::Decimal | FieldType::Money => {
            let expected = if field.kind == FieldType::Money {
                Expected::Money
            } else {
                Expected::Decimal
            };
            let n = read_number(raw, expected, common)?;
            check_range(field, n)?;
            Ok(Value::Number(n))
        }
        FieldType::Date => read_date(raw).map(Value::Date),
        FieldType::YesNo => read_yes_no(raw, common).map(Value::Bool),
        // Split before white space is folded: a new line separates items.
        FieldType::Enum if field.list => match raw {
            CellValue::Text(t) => read_list(field, t, reference),
            other => read_list(field, &other.display(), reference),
        },
        FieldType::Enum => read_choice(field, &cell_text(raw), reference).map(Value::Code),
    }
}

/// An enumeration holding several values (a visit's team): each item by
/// code, name or alias; their codes joined by `;`. An unknown item names
/// every known value.
fn read_list(field: &Field, text: &str, reference: &Reference) -> Result<Value, Finding> {
    let mut codes: Vec<String> = Vec::new();
    for item in text.split([',', ';', '\n']).map(fold_text).filter(|i| !i.is_empty()) {
        let item = item.as_str();
        match read_choice(field, item, reference) {
            Ok(code) => {
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            Err(Finding::UnknownChoice { .. }) => {
                let known = match field.choices.as_ref() {
                    Some(Choices::Reference(table)) => {
                        let all: Vec<usize> = (0..reference.codes(*table).len()).collect();
                        pairs(reference, *table, &all)
                    }
                    Some(Choices::Inline { values, .. }) => {
                        values.iter().map(|v| (v.code.clone(), v.label.clone())).collect()
                    }
                    None => Vec::new(),
                };
                return Err(Finding::Visit(crate::issue::VisitFinding::UnknownListItem {
                    item: item.to_string(),
                    known,
                }));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(Value::Code(codes.join(";")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{SchemaSource, Schemas};
    use std::sync::OnceLock;

    fn schemas() -> &'static Schemas {
        static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| Schemas::load(&SchemaSource::BuiltIn).unwrap())
    }

    fn read(template: &str, field: &str, raw: CellValue) -> Result<Value, Finding> {
        let s = schemas();
        let t = s.template(template).unwrap();
        let f = &t.fields[t.field_index(field).unwrap()];
        read_value(f, &raw, &s.common, &s.reference)
    }

    fn text(t: &str) -> CellValue {
        CellValue::Text(t.into())
    }

    #[test]
    fn integers_accept_numbers_and_bulgarian_text() {
        assert_eq!(
            read("service_adults", "capacity", CellValue::Number(12.0)),
            Ok(Value::Int(12))
        );
        assert_eq!(read("service_adults", "capacity", text("1 250")), Ok(Value::Int(1250)));
        assert_eq!(read("service_adults", "capacity", text("12,5")), Err(Finding::Fraction));
        assert_eq!(
            read("service_adults", "capacity", CellValue::Number(-1.0)),
            Err(Finding::BelowMin { min: 0.0 })
        );
        assert_eq!(
            read("service_adults", "capacity", text("дванадесет")),
            Err(Finding::NotA {
                expected: Expected::Integer
            })
        );
    }

    #[test]
    fn money_accepts_every_documented_form() {
        for written in ["1 250,50", "1250.50 лв.", "1.250,50", "1\u{a0}250,50"] {
            assert_eq!(
                read("service_adults", "budget_state", text(written)),
                Ok(Value::Number(1250.5)),
                "{written}"
            );
        }
    }

    #[test]
    fn dates_accept_cells_text_and_iso() {
        let d = Value::Date(NaiveDate::from_ymd_opt(2016, 3, 1).unwrap());
        assert_eq!(read("service_adults", "start_date", text("1.3.2016 г.")), Ok(d.clone()));
        assert_eq!(
            read(
                "service_adults",
                "start_date",
                CellValue::DateIso("2016-03-01T00:00:00".into())
            ),
            Ok(d.clone())
        );
        let cell = NaiveDate::from_ymd_opt(2016, 3, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(read("service_adults", "start_date", CellValue::DateTime(cell)), Ok(d));
        assert_eq!(
            read("service_adults", "start_date", text("01.03.16")),
            Err(Finding::TwoDigitYear)
        );
    }

    #[test]
    fn yes_no_variants() {
        for (written, expected) in [
            ("да", true),
            ("ДА", true),
            ("Не", false),
            ("x", true),
            ("х", true),
            ("yes", true),
            ("0", false),
        ] {
            assert_eq!(
                read("municipality", "annual_plan", text(written)),
                Ok(Value::Bool(expected)),
                "{written}"
            );
        }
        assert_eq!(
            read("municipality", "annual_plan", CellValue::Number(1.0)),
            Ok(Value::Bool(true))
        );
        assert!(read("municipality", "annual_plan", text("може би")).is_err());
    }

    #[test]
    fn service_types_respect_the_card() {
        assert_eq!(
            read("service_children", "service_type", text("ЦОП")),
            Ok(Value::Code("CSC".into()))
        );
        assert!(matches!(
            read("service_adults", "service_type", text("ЦОП")),
            Err(Finding::WrongCard { .. })
        ));
        match read("service_children", "service_type", text("ЦНСТ")) {
            Err(Finding::AmbiguousChoice { candidates }) => {
                let codes: Vec<&str> = candidates.iter().map(|(c, _)| c.as_str()).collect();
                assert_eq!(codes, ["CNST_CH_NODIS", "CNST_CH_DIS"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read("service_children", "age_group", text("0-3 г.")),
            Ok(Value::Code("0-3".into()))
        );
    }

    #[test]
    fn an_email_where_present_must_look_like_one() {
        assert!(read("service_adults", "contact", text("082 123 456")).is_ok());
        assert_eq!(
            read("service_adults", "contact", text("082 123 456, soc@ruse")),
            Err(Finding::BadEmail)
        );
    }
}
