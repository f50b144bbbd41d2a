//! Monitoring visits to providers (VISITS.md): the protocol, a form and a
//! table on one sheet, read from .xlsx, .xls and .ods with every finding at
//! its cell; visits matched with the service cards; recommendations followed
//! across periods; the sheet, the CSV files, the feedback and the history.


use socmon::book::{Book, BookCell, BookFormat, BookSheet, BookValue, Merge};

use super::support::*;

pub const PROTOCOL_TITLE: &str = "Протокол от мониторингова проверка на доставчик на социална услуга";
const HEADER: [&str; 8] = [
    "Област на проверка",
    "Оценка",
    "Констатации",
    "Препоръки",
    "Срок",
    "Отговорник",
    "Изпълнение",
    "Дата на изпълнение",
];

/// A protocol as a monitoring team types it: the title, the form with its
/// labels merged over two columns and the value in C, a blank row, the
/// table's header, one row per area, a signature line.
pub fn protocol_sheet(form: &[(&str, BookValue)], rows: &[[BookValue; 8]]) -> BookSheet {
    let mut cells = vec![BookCell {
        row: 0,
        col: 0,
        value: t(PROTOCOL_TITLE),
    }];
    let mut merges = vec![Merge {
        first_row: 0,
        first_col: 0,
        last_row: 0,
        last_col: 7,
    }];
    let mut row = 2u32;
    for (label, value) in form {
        cells.push(BookCell { row, col: 0, value: t(label) });
        merges.push(Merge {
            first_row: row,
            first_col: 0,
            last_row: row,
            last_col: 1,
        });
        cells.push(BookCell { row, col: 2, value: value.clone() });
        row += 1;
    }
    row += 1;
    for (col, h) in HEADER.iter().enumerate() {
        cells.push(BookCell {
            row,
            col: col as u16,
            value: t(h),
        });
    }
    for values in rows {
        row += 1;
        for (col, v) in values.iter().enumerate() {
            if !matches!(v, BookValue::Text(s) if s.is_empty()) {
                cells.push(BookCell {
                    row,
                    col: col as u16,
                    value: v.clone(),
                });
            }
        }
    }
    cells.push(BookCell {
        row: row + 2,
        col: 0,
        value: t("Проверяващи: ………… (РДСП) ………… (РЗИ)"),
    });
    BookSheet {
        name: "Протокол".into(),
        hidden: false,
        cells,
        merges,
        column_widths: Vec::new(),
    }
}

/// The form of a protocol about the day centre of the adults card of `support`.
pub fn protocol_form(service: &str, date: BookValue, team: &str) -> Vec<(&'static str, BookValue)> {
    vec![
        ("Област", t("Русе")),
        ("Община", t("Бяла")),
        ("Наименование на социалната услуга", t(service)),
        ("Вид на социалната услуга", t("Дневен център за стари хора")),
        ("Доставчик на услугата", t("Община Бяла")),
        ("Дата на проверката", date),
        ("Проверяващи институции", t(team)),
        ("Потребители в деня на проверката", n(18.0)),
        ("Персонал в деня на проверката", n(6.0)),
        ("Протокол №", t("14")),
    ]
}

fn e() -> BookValue {
    t("")
}

fn protocol_book(form: &[(&str, BookValue)], rows: &[[BookValue; 8]]) -> Book {
    book(vec![protocol_sheet(form, rows)])
}

/// (cell, code, severity) of the findings in one file.
fn at(run: &socmon::pipeline::Run, file: &str) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = issues_at(run, file)
        .iter()
        .map(|i| {
            (
                i.location.cell.map(|c| c.to_string()).unwrap_or_default(),
                i.code().to_string(),
                i.severity.as_str().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn owned(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_clean_protocol_is_read_as_a_form_and_one_record_per_area() {
    let dir = tempfile::tempdir().unwrap();
    let form = protocol_form("ДЦ за стари хора „Слънце“", d(2017, 3, 14), "РДСП, РЗИ; Община");
    let rows = [
        [t("Персонал"), t("съответства"), e(), e(), e(), e(), e(), e()],
        [
            t("Материална база, достъпна среда и безопасност"),
            t("несъответствия"),
            t("Липсва рампа"),
            t("Да се изгради рампа"),
            d(2017, 12, 31),
            t("Кмет"),
            e(),
            e(),
        ],
        [t("храна"), t("не е проверено"), e(), e(), e(), e(), e(), e()],
    ];
    for (format, ext) in [(BookFormat::Xlsx, "xlsx"), (BookFormat::Xls, "xls"), (BookFormat::Ods, "ods")] {
        put(dir.path(), &format!("protocol.{ext}"), &protocol_book(&form, &rows), format);
    }
    let run = check(dir.path());
    let schemas = schemas();
    for ext in ["xlsx", "xls", "ods"] {
        let file = format!("protocol.{ext}");
        assert_eq!(at(&run, &file), [], "{file}: a clean protocol has no finding");
        let records = records_of(&run, &file);
        assert_eq!(records.len(), 4, "{file}: the form and three rows");
        assert_eq!(value(&schemas, records[0], "municipality"), "RSE04");
        assert_eq!(value(&schemas, records[0], "team"), "RDSA;RHI;MUNICIPALITY");
        assert_eq!(value(&schemas, records[0], "visit_date"), "2017-03-14");
        let areas: Vec<String> = records[1..].iter().map(|r| value(&schemas, r, "area")).collect();
        assert_eq!(areas, ["STAFF", "PREMISES", "FOOD"], "{file}");
        assert_eq!(value(&schemas, records[2], "assessment"), "minor");
        assert_eq!(value(&schemas, records[2], "deadline"), "2017-12-31");
        // Each row carries the form's values, so it stands on its own.
        assert_eq!(value(&schemas, records[2], "service_name"), "ДЦ за стари хора „Слънце“");
        assert!(records.iter().all(|r| r.accepted()));
    }
}

#[test]
fn each_mistake_of_a_protocol_is_a_finding_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let form = protocol_form("ДЦ за стари хора „Слънце“", d(2017, 3, 14), "РДСП; Пожарна");
    let rows = [
        // Row 15: premises; row 19 repeats it.
        [
            t("Материална база, достъпна среда и безопасност"),
            t("несъответствия"),
            t("Липсва рампа"),
            t("Да се изгради рампа"),
            d(2017, 12, 31),
            e(),
            e(),
            e(),
        ],
        // Row 16: serious non-compliance without a recommendation.
        [t("Хигиена и здравно обслужване"), t("сериозни несъответствия"), t("Няма изолатор"), e(), e(), e(), e(), e()],
        // Row 17: non-compliance without a finding; a deadline before the visit.
        [t("Храна и хранене"), t("несъответствия"), e(), t("Меню"), d(2017, 3, 1), e(), e(), e()],
        // Row 18: a recommendation without a deadline; done without a date.
        [t("Персонал"), t("съответства"), e(), t("Супервизия"), e(), e(), t("изпълнена"), e()],
        [t("материална база"), t("съответства"), e(), e(), e(), e(), e(), e()],
        // Row 20: minor without a recommendation (a warning); done before the visit.
        [t("Лиценз"), t("несъответствия"), t("Изтекъл"), e(), e(), e(), t("изпълнена"), d(2017, 2, 1)],
        // Row 21: clean.
        [t("Права на потребителите"), t("съответства"), e(), e(), e(), e(), e(), e()],
    ];
    put(dir.path(), "p.xlsx", &protocol_book(&form, &rows), BookFormat::Xlsx);
    let run = check(dir.path());
    assert_eq!(
        at(&run, "p.xlsx"),
        owned(&[
            ("C9", "enum", "error"),
            ("A15", "duplicate", "error"),
            ("A19", "duplicate", "error"),
            ("D16", "required", "error"),
            ("C17", "required", "error"),
            ("E17", "cross_field", "error"),
            ("E18", "required", "error"),
            ("H18", "required", "error"),
            ("D20", "required", "warning"),
            ("H20", "cross_field", "error"),
        ])
    );
    let messages = socmon::issue::Messages {
        lang: socmon::issue::Lang::Bg,
        schemas: &schemas(),
    };
    let team = issues_at(&run, "p.xlsx")
        .into_iter()
        .find(|i| i.code() == "enum")
        .unwrap();
    let text = messages.message(team);
    assert!(text.contains("„Пожарна“"), "{text}");
    for known in ["(RDSA)", "(RHI)", "(RIE)", "(ODFS)", "(SACP)", "(ASA)"] {
        assert!(text.contains(known), "the message names every known institution: {text}");
    }
    let twice = issues_at(&run, "p.xlsx")
        .into_iter()
        .find(|i| i.code() == "duplicate")
        .unwrap();
    assert!(messages.message(twice).contains("A19"), "{}", messages.message(twice));
    // Nothing is dropped: the form and seven rows; each with an error is
    // rejected, the clean last row is kept.
    let records = records_of(&run, "p.xlsx");
    let accepted: Vec<bool> = records.iter().map(|r| r.accepted()).collect();
    assert_eq!(accepted, [false, false, false, false, false, false, false, true]);
}
