//! Putting cells in rows: takes a planned [`Return`] and gives its
//! [`Book`] (cards as label/value rows, DSP tables with their title block,
//! header, totals) and the [`Place`] of every record — where each field's
//! value is and the record's anchor — which is where a correct reader
//! reports what it finds.
//!
//! The places follow the reading rules of TEMPLATES.md: a card's value is
//! the cell right of its label (past a merged label), its anchor the first
//! label on the sheet (the title block's "Област: …" when there is one); a
//! table row's anchor is its first filled cell.

use std::collections::BTreeMap;

use super::plan::{CardSheet, Numbering, Return, Sheet, Spacing, TableSheet, TitleBlock, TitleLine};
use crate::book::{Book, BookCell, BookError, BookSheet, BookValue, Merge};
use crate::schema::fields::{dsp, municipal, service};
use crate::schema::{Role, Schemas, Template};
use crate::sheet::CellRef;

/// Where a record is on its sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) sheet: String,
    pub(crate) anchor: CellRef,
    /// Field id → the cell of its value (or where the value should be).
    pub(crate) cells: BTreeMap<String, CellRef>,
}

/// A file written out: its bytes and its records' places, in record order.
pub(crate) struct Rendered {
    pub(crate) bytes: Vec<u8>,
    pub(crate) places: Vec<Place>,
}

/// Cells and merges of a sheet being laid out.
#[derive(Default)]
struct Grid {
    cells: Vec<BookCell>,
    merges: Vec<Merge>,
    widths: Vec<(u16, f64)>,
}

impl Grid {
    fn put(&mut self, row: u32, col: u16, value: BookValue) {
        self.cells.push(BookCell { row, col, value });
    }

    fn text(&mut self, row: u32, col: u16, text: impl Into<String>) {
        self.put(row, col, BookValue::Text(text.into()));
    }

    fn merge(&mut self, first_row: u32, first_col: u16, last_row: u32, last_col: u16) {
        if (first_row, first_col) != (last_row, last_col) {
            self.merges.push(Merge {
                first_row,
                first_col,
                last_row,
                last_col,
            });
        }
    }

    fn into_sheet(self, name: &str) -> BookSheet {
        BookSheet {
            name: name.to_string(),
            hidden: false,
            cells: self.cells,
            merges: self.merges,
            column_widths: self.widths,
        }
    }
}

/// The numbered sections of a card, by the field each begins with.
fn section(role: Role, field: &str) -> Option<&'static str> {
    Some(match (role, field) {
        (Role::ServiceCard, service::OBLAST) => "I. Обща информация за услугата",
        (Role::ServiceCard, service::PROVIDER_NAME) => "II. Доставчик и финансиране",
        (Role::ServiceCard, service::START_DATE) => "III. Откриване и закриване",
        (Role::ServiceCard, service::CAPACITY) => "IV. Капацитет и потребители",
        (Role::ServiceCard, service::STAFF_POSITIONS) => "V. Персонал и средства",
        (Role::ServiceCard, service::FILLED_ON) => "VI. Попълнил",
        (Role::MunicipalCard, municipal::OBLAST) => "I. Общи данни",
        (Role::MunicipalCard, municipal::SERVICES_COMMUNITY) => "II. Социални услуги",
        (Role::MunicipalCard, municipal::BUDGET_STATE) => "III. Бюджет и проекти",
        (Role::MunicipalCard, municipal::ANNUAL_PLAN) => "IV. Планиране и мониторинг",
        (Role::MunicipalCard, municipal::FILLED_ON) => "V. Попълнил",
        _ => return None,
    })
}

/// "Приложение № N" of the card's template in the call for returns (the
/// registry is the administration's own, no annex of it).
fn annex_number(template: &Template) -> Option<u32> {
    match (template.role, template.card) {
        (Role::ServiceCard, Some(crate::reference::Card::Children)) => Some(2),
        (Role::ServiceCard, _) => Some(1),
        (Role::MunicipalCard, _) => Some(3),
        (Role::Dsp, _) => Some(4),
        (Role::ProviderVisit, _) => Some(8),
        (Role::StrategyPlan, _) => Some(5),
        (Role::StrategyIndicators, _) => Some(6),
        (Role::StrategyReport, _) => Some(7),
        (Role::Registry, _) => None,
    }
}

/// A "в т.ч." line is numbered under the line before it ("5.1.").
fn is_sub_line(label: &str) -> bool {
    let lower = label.to_lowercase();
    lower.starts_with("в т") || lower.starts_with("от тях") || lower.starts_with("в това число")
}

fn card_sheet(schemas: &Schemas, card: &CardSheet) -> (BookSheet, Place) {
    let template = &schemas.templates[card.template];
    let style = card.style;
    let value_col = style.value_col();
    let mut grid = Grid::default();
    let mut anchor: Option<CellRef> = None;
    let mut cells: BTreeMap<String, CellRef> = BTreeMap::new();
    let mut row: u32 = 0;
    if style.annex
        && let Some(annex) = annex_number(template)
    {
        grid.text(row, value_col, format!("Приложение № {annex}"));
        row += 1;
    }
    if style.title != TitleBlock::None {
        grid.text(row, 0, template.title.clone());
        grid.merge(row, 0, row, value_col);
        row += 1;
        if let Some(oblast) = &card.oblast_title {
            grid.text(row, 0, oblast.clone());
            let at = CellRef::new(row, 0);
            anchor.get_or_insert(at);
            cells.entry("oblast".to_string()).or_insert(at);
            row += 1;
        }
        row += 1;
    }
    let (mut number, mut sub) = (0u32, 0u32);
    for (i, line) in card.lines.iter().enumerate() {
        if style.spacing != Spacing::Dense
            && let Some(heading) = section(template.role, &line.field)
        {
            if i > 0 {
                row += 1;
            }
            if style.spacing == Spacing::Sections {
                grid.text(row, style.label_col, heading);
                row += 1;
            }
        }
        let sub_line = is_sub_line(&line.label) && number > 0;
        if sub_line {
            sub += 1;
        } else {
            number += 1;
            sub = 0;
        }
        let numbered = if sub_line {
            format!("{number}.{sub}.")
        } else {
            format!("{number}.")
        };
        let label = match style.numbering {
            Numbering::InLabel => format!("{numbered} {}", line.label),
            _ => line.label.clone(),
        };
        match style.numbering {
            Numbering::OwnColumnNumber if !sub_line => grid.put(row, 0, BookValue::Number(f64::from(number))),
            // A sub-number is no whole number: it stays text.
            Numbering::OwnColumnNumber => grid.text(row, 0, numbered.trim_end_matches('.')),
            Numbering::OwnColumnText => grid.text(row, 0, numbered),
            _ => {}
        }
        grid.text(row, style.label_col, label);
        if style.merged {
            grid.merge(row, style.label_col, row, style.label_col + 2);
        }
        if let Some(value) = line.value.to_book() {
            grid.put(row, value_col, value);
        }
        let at = CellRef::new(row, u32::from(value_col));
        cells.entry(line.field.clone()).or_insert(at);
        anchor.get_or_insert(CellRef::new(row, u32::from(style.label_col)));
        row += 1;
    }
    if matches!(style.numbering, Numbering::OwnColumnNumber | Numbering::OwnColumnText) {
        grid.widths.push((0, 5.0));
    }
    if style.merged {
        for col in style.label_col..style.label_col + 3 {
            grid.widths.push((col, 18.0));
        }
    } else {
        grid.widths.push((style.label_col, 52.0));
    }
    grid.widths.push((value_col, 34.0));
    let place = Place {
        sheet: card.name.clone(),
        anchor: anchor.unwrap_or_default(),
        cells,
    };
    (grid.into_sheet(&card.name), place)
}

fn table_sheet(table: &TableSheet) -> (BookSheet, Vec<Place>) {
    let style = table.style;
    let mut grid = Grid::default();
    let first_col: u16 = u16::from(style.number_column);
    let cols: Vec<u16> = (0..table.columns.len()).map(|i| first_col + i as u16).collect();
    let last_col = cols.last().copied().unwrap_or(first_col);
    let mut row: u32 = 0;
    for (i, line) in table.title.iter().enumerate() {
        match line {
            TitleLine::Text(text) => grid.text(row, 0, text.clone()),
            TitleLine::Pair(label, value) => {
                grid.text(row, 0, label.clone());
                if let Some(v) = value.to_book() {
                    grid.put(row, 1, v);
                }
            }
        }
        if i == 0 {
            grid.merge(row, 0, row, last_col);
        }
        row += 1;
    }
    row += 1;

    // The header: one row, or group headers merged above the column headers.
    let header_rows: u32 = if style.two_row_header { 2 } else { 1 };
    let bottom = row + header_rows - 1;
    if style.number_column {
        grid.text(row, 0, "№");
        grid.merge(row, 0, bottom, 0);
    }
    let mut i = 0;
    while i < table.columns.len() {
        let column = &table.columns[i];
        match column.group.filter(|_| style.two_row_header) {
            Some(group) => {
                let run = table.columns[i..].iter().take_while(|c| c.group == Some(group)).count();
                grid.text(row, cols[i], group);
                grid.merge(row, cols[i], row, cols[i + run - 1]);
                for (offset, c) in table.columns[i..i + run].iter().enumerate() {
                    grid.text(bottom, cols[i + offset], c.header.clone());
                }
                i += run;
            }
            None => {
                grid.text(row, cols[i], column.header.clone());
                grid.merge(row, cols[i], bottom, cols[i]);
                i += 1;
            }
        }
    }
    row = bottom + 1;
    if style.column_numbers {
        for col in 0..=last_col {
            grid.put(row, col, BookValue::Number(f64::from(col) + 1.0));
        }
        row += 1;
    }

    let mut places = Vec::new();
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for (n, data) in table.rows.iter().enumerate() {
        if style.number_column {
            grid.put(row, 0, BookValue::Number(n as f64 + 1.0));
        }
        let mut cells = BTreeMap::new();
        let mut first_filled: Option<u16> = style.number_column.then_some(0);
        for (column, &col) in table.columns.iter().zip(&cols) {
            cells.insert(column.field.clone(), CellRef::new(row, u32::from(col)));
            if let Some(value) = data.values.get(&column.field).and_then(|v| v.to_book()) {
                grid.put(row, col, value);
                first_filled.get_or_insert(col);
            }
            if let Some(v) = super::forms::int(&data.record.facts, &column.field) {
                *totals.entry(column.field.clone()).or_default() += v;
            }
        }
        places.push(Place {
            sheet: table.name.clone(),
            anchor: CellRef::new(row, u32::from(first_filled.unwrap_or(first_col))),
            cells,
        });
        row += 1;
    }
    if let Some(label) = table.totals {
        for (column, &col) in table.columns.iter().zip(&cols) {
            if column.field == dsp::MUNICIPALITY {
                grid.text(row, col, label);
            } else if let Some(sum) = totals.get(&column.field) {
                grid.put(row, col, BookValue::Number(*sum as f64));
            }
        }
        row += 1;
    }
    if let Some(footer) = &table.footer {
        grid.text(row + 1, 0, footer.clone());
    }
    if style.number_column {
        grid.widths.push((0, 5.0));
    }
    for (column, &col) in table.columns.iter().zip(&cols) {
        grid.widths
            .push((col, if column.field == dsp::MUNICIPALITY { 22.0 } else { 14.0 }));
    }
    (grid.into_sheet(&table.name), places)
}

/// Lays a return out and writes it in its format.
///
/// Errors: the [`BookError`] of a book the format cannot hold (a bug in the
/// sample, never a property of the options).
pub(crate) fn render(schemas: &Schemas, planned: &Return) -> Result<Rendered, BookError> {
    let mut book = Book::default();
    if planned.instructions {
        let mut grid = Grid::default();
        let lines = [
            "Указания за попълване",
            "1. Попълнете всички полета, отбелязани като задължителни.",
            "2. Датите се въвеждат във формат дд.мм.гггг.",
            "3. Сумите са в лева, с два знака след десетичната запетая.",
            "4. Не променяйте наименованията на редовете и колоните.",
        ];
        for (i, line) in lines.iter().enumerate() {
            grid.text(i as u32, 0, *line);
        }
        grid.widths.push((0, 70.0));
        book.sheets.push(grid.into_sheet("Указания"));
    }
    let mut places = Vec::new();
    let mut marker_rows: Vec<(String, usize)> = Vec::new();
    for sheet in &planned.sheets {
        match sheet {
            Sheet::Card(card) => {
                let (book_sheet, place) = card_sheet(schemas, card);
                book.sheets.push(book_sheet);
                places.push(place);
                marker_rows.push((card.name.clone(), card.template));
            }
            Sheet::Table(table) => {
                let (book_sheet, table_places) = table_sheet(table);
                book.sheets.push(book_sheet);
                places.extend(table_places);
                marker_rows.push((table.name.clone(), table.template));
            }
        }
    }
    if planned.empty_sheet {
        let name = (2..)
            .map(|n| format!("Лист{n}"))
            .find(|n| !book.sheets.iter().any(|s| s.name.eq_ignore_ascii_case(n)))
            .unwrap_or_default();
        book.sheets.push(BookSheet {
            name,
            ..BookSheet::default()
        });
    }
    if planned.marker {
        // A generated template names its template and schema version for
        // every sheet, or "*" when the file holds one template.
        let mut grid = Grid::default();
        let single = marker_rows.len() == 1;
        for (i, (sheet, template)) in marker_rows.iter().enumerate() {
            let t = &schemas.templates[*template];
            grid.text(i as u32, 0, if single { "*".to_string() } else { sheet.clone() });
            grid.text(i as u32, 1, t.id.clone());
            grid.put(i as u32, 2, BookValue::Number(f64::from(t.version)));
        }
        let mut marker = grid.into_sheet(&schemas.common.marker_sheet);
        marker.hidden = true;
        book.sheets.push(marker);
    }
    if let Some((_, template)) = marker_rows.first() {
        book.title = Some(schemas.templates[*template].title.clone());
    }
    Ok(Rendered {
        bytes: book.to_bytes(planned.format)?,
        places,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_lines_are_told_by_their_label() {
        assert!(is_sub_line("в т.ч. лица с увреждания"));
        assert!(is_sub_line("В Т.Ч. ДЕЦА С УВРЕЖДАНИЯ:"));
        assert!(!is_sub_line("Възрастова група"));
    }
}
