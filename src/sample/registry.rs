//! The sample's calendar: a registry of incoming documents per oblast (a
//! workbook, as a regional administration keeps it) dating every
//! municipality's returns, and the deadline of the returns a month after
//! the period, some municipalities late by it. Dates come from the seed, so
//! the same seed gives the same registry.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::plan::{Return, Sheet, Subject};
use super::rng::Rng;
use crate::book::{Book, BookCell, BookFormat, BookSheet, BookValue};
use crate::period::Period;
use crate::reference::Reference;

/// The name of each oblast's registry of incoming documents.
pub(crate) const REGISTRY_FILE: &str = "Входящ регистър.xlsx";

/// A municipality whose returns the registry dates after the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedLate {
    pub municipality: String,
    pub received_on: NaiveDate,
    pub days: i64,
    /// The file the `late` warning is at: the municipality's last file in
    /// name order among those dated last.
    pub file: String,
}

/// The sample's calendar: the registries and who is late.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalendarTruth {
    /// The deadline of the returns written into `socmon.toml`.
    pub deadline: Option<NaiveDate>,
    pub late: Vec<ExpectedLate>,
    /// Per municipality: the day its returns came (by the registry).
    pub received: BTreeMap<String, NaiveDate>,
}

/// A registry written: its path in the sample and its bytes.
pub(crate) type RegistryFile = (String, Vec<u8>);

/// The deadline of a period's returns: a month after it ends.
pub fn deadline(period: Period) -> NaiveDate {
    period.end.checked_add_days(Days::new(31)).unwrap_or(period.end)
}

/// The sender of a return: the municipality of its cards (none for a DSP table).
fn sender(r: &Return) -> Option<&str> {
    r.sheets.iter().find_map(|s| match s {
        Sheet::Card(card) if card.record.subject != Subject::DspRow => Some(card.record.municipality.as_str()),
        _ => None,
    })
}

fn is_municipal_card(r: &Return) -> bool {
    r.sheets
        .iter()
        .any(|s| matches!(s, Sheet::Card(c) if c.record.subject == Subject::MunicipalCard))
}

fn text(row: u32, col: u16, value: &str) -> BookCell {
    BookCell {
        row,
        col,
        value: BookValue::Text(value.to_string()),
    }
}

/// `oblasts`: (code, folder prefix, name) of each oblast of the sample.
/// One registry per oblast (`<base>Входящ регистър.xlsx`): for each
/// municipality a row by sender (no file named) with the day its returns
/// came, and a row naming its municipal card's file, registered earlier.
/// A quarter of the municipalities (at least one) are late.
///
/// Errors: the book writer's, as text.
pub(crate) fn registries(
    reference: &Reference,
    oblasts: &[(String, String, String)],
    period: Period,
    returns: &[Return],
    seed: u64,
) -> Result<(Vec<RegistryFile>, CalendarTruth), String> {
    let deadline = deadline(period);
    let mut truth = CalendarTruth {
        deadline: Some(deadline),
        ..CalendarTruth::default()
    };
    let mut files = Vec::new();
    for (code, base, oblast_name) in oblasts {
        let mut rng = Rng::derive(seed, &format!("calendar {code}"));
        // The municipalities of the oblast that sent something, with their files.
        let mut sent: BTreeMap<&str, Vec<&Return>> = BTreeMap::new();
        for r in returns.iter().filter(|r| &r.oblast == code) {
            if let Some(m) = sender(r) {
                sent.entry(m).or_default().push(r);
            }
        }
        let mut order: Vec<&str> = sent.keys().copied().collect();
        rng.shuffle(&mut order);
        let late_count = (order.len() / 4).max(1).min(order.len());
        let mut rows: Vec<(NaiveDate, String, Option<String>)> = Vec::new();
        for (i, m) in order.iter().enumerate() {
            let late = i < late_count;
            let received = if late {
                deadline + Days::new(rng.range(3, 21) as u64)
            } else {
                deadline - Days::new(rng.range(1, 20) as u64)
            };
            let name = reference
                .municipality(m)
                .map_or_else(|| m.to_string(), |x| x.name_bg.clone());
            rows.push((received, name.clone(), None));
            // The municipal card named on a row of its own, registered
            // earlier (when other files came with it: they carry the day).
            if let Some(card) = sent[m].iter().find(|r| is_municipal_card(r))
                && sent[m].len() > 1
            {
                let earlier = received - Days::new(rng.range(1, 6) as u64);
                let file = card.relative.rsplit('/').next().unwrap_or(&card.relative).to_string();
                rows.push((earlier, name, Some(file)));
            }
            truth.received.insert(m.to_string(), received);
            if late {
                // The late warning is at the first file (in name order) of
                // those dated last: the files no row names.
                let card_file = sent[m]
                    .iter()
                    .find(|r| is_municipal_card(r))
                    .filter(|_| sent[m].len() > 1)
                    .map(|r| r.relative.as_str());
                let file = sent[m]
                    .iter()
                    .map(|r| r.relative.as_str())
                    .filter(|f| Some(*f) != card_file)
                    .min()
                    .unwrap_or_default()
                    .to_string();
                truth.late.push(ExpectedLate {
                    municipality: m.to_string(),
                    received_on: received,
                    days: (received - deadline).num_days(),
                    file,
                });
            }
        }
        rows.sort();
        let mut cells = vec![
            text(0, 0, "Регистър на входящите документи"),
            text(1, 0, &format!("Областна администрация – {oblast_name}")),
        ];
        for (col, header) in ["Входящ №", "Дата", "Подател", "Файл", "Относно"].iter().enumerate()
        {
            cells.push(text(3, col as u16, header));
        }
        for (i, (on, name, file)) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            cells.push(text(row, 0, &format!("94-00-{}", 100 + i)));
            cells.push(BookCell {
                row,
                col: 1,
                value: BookValue::Date(*on),
            });
            cells.push(text(row, 2, &format!("Община {name}")));
            if let Some(file) = file {
                cells.push(text(row, 3, file));
            }
            cells.push(text(row, 4, "Мониторинг на социалните услуги"));
        }
        let book = Book {
            sheets: vec![BookSheet {
                name: "Входящи".into(),
                hidden: false,
                cells,
                merges: Vec::new(),
                column_widths: vec![(0, 12.0), (1, 12.0), (2, 22.0), (3, 48.0), (4, 34.0)],
            }],
            title: Some("Регистър на входящите документи".into()),
            custom_properties: Vec::new(),
        };
        let bytes = book.to_bytes(BookFormat::Xlsx).map_err(|e| e.to_string())?;
        files.push((format!("{base}{REGISTRY_FILE}"), bytes));
    }
    truth.late.sort_by(|a, b| a.municipality.cmp(&b.municipality));
    Ok((files, truth))
}
