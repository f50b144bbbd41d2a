//! Monitoring visits to providers (VISITS.md): the protocol, a form and a
//! table on one sheet, read from .xlsx, .xls and .ods with every finding at
//! its cell; visits matched with the service cards; recommendations followed
//! across periods; the sheet, the CSV files, the feedback and the history.

use std::path::Path;

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
        cells.push(BookCell {
            row,
            col: 0,
            value: t(label),
        });
        merges.push(Merge {
            first_row: row,
            first_col: 0,
            last_row: row,
            last_col: 1,
        });
        cells.push(BookCell {
            row,
            col: 2,
            value: value.clone(),
        });
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
fn at(run: &socmon::run::Run, file: &str) -> Vec<(String, String, String)> {
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
    for (format, ext) in [
        (BookFormat::Xlsx, "xlsx"),
        (BookFormat::Xls, "xls"),
        (BookFormat::Ods, "ods"),
    ] {
        put(
            dir.path(),
            &format!("protocol.{ext}"),
            &protocol_book(&form, &rows),
            format,
        );
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
        [
            t("Хигиена и здравно обслужване"),
            t("сериозни несъответствия"),
            t("Няма изолатор"),
            e(),
            e(),
            e(),
            e(),
            e(),
        ],
        // Row 17: non-compliance without a finding; a deadline before the visit.
        [
            t("Храна и хранене"),
            t("несъответствия"),
            e(),
            t("Меню"),
            d(2017, 3, 1),
            e(),
            e(),
            e(),
        ],
        // Row 18: a recommendation without a deadline; done without a date.
        [
            t("Персонал"),
            t("съответства"),
            e(),
            t("Супервизия"),
            e(),
            e(),
            t("изпълнена"),
            e(),
        ],
        [t("материална база"), t("съответства"), e(), e(), e(), e(), e(), e()],
        // Row 20: minor without a recommendation (a warning); done before the visit.
        [
            t("Лиценз"),
            t("несъответствия"),
            t("Изтекъл"),
            e(),
            e(),
            e(),
            t("изпълнена"),
            d(2017, 2, 1),
        ],
        // Row 21: clean.
        [
            t("Права на потребителите"),
            t("съответства"),
            e(),
            e(),
            e(),
            e(),
            e(),
            e(),
        ],
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
        assert!(
            text.contains(known),
            "the message names every known institution: {text}"
        );
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

/// The fixture protocol saved by LibreOffice (tests/fixtures/visits/README.md).
fn libreoffice_protocol(ext: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("protocol-bjala-2017-09.{ext}");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/visits")
            .join(&name),
        dir.path().join(&name),
    )
    .unwrap();
    (dir, name)
}

#[test]
fn a_protocol_saved_by_libreoffice_as_xls_and_ods_gives_its_mistakes_at_their_cells() {
    for ext in ["xls", "ods"] {
        let (dir, name) = libreoffice_protocol(ext);
        let mut config = config(dir.path(), Some("RSE"));
        config.period = "2017Q3".parse().unwrap();
        let run = socmon::pipeline::check(&config).unwrap();
        assert_eq!(
            at(&run, &name),
            owned(&[
                ("C9", "enum", "error"),
                ("E17", "cross_field", "error"),
                ("C18", "required", "error"),
                ("A16", "duplicate", "error"),
                ("A19", "duplicate", "error"),
            ]),
            "{name}"
        );
        let schemas = schemas();
        let records = records_of(&run, &name);
        assert_eq!(records.len(), 6, "{name}: the form and five rows");
        assert_eq!(value(&schemas, records[0], "visit_date"), "2017-09-12", "{name}");
        assert_eq!(value(&schemas, records[0], "service_type"), "DC_ELDERLY", "{name}");
        assert_eq!(value(&schemas, records[0], "users_present"), "18", "{name}");
        assert_eq!(value(&schemas, records[2], "deadline"), "2017-12-31", "{name}");
        let messages = socmon::issue::Messages {
            lang: socmon::issue::Lang::Bg,
            schemas: &schemas,
        };
        let team = issues_at(&run, &name).into_iter().find(|i| i.code() == "enum").unwrap();
        assert!(messages.message(team).contains("„РИОСВ“"), "{}", messages.message(team));
        let english = socmon::issue::Messages {
            lang: socmon::issue::Lang::En,
            schemas: &schemas,
        };
        let before = issues_at(&run, &name)
            .into_iter()
            .find(|i| i.code() == "cross_field")
            .unwrap();
        assert!(
            english
                .message(before)
                .contains("before the date of the visit (12.09.2017)"),
            "{}",
            english.message(before)
        );
    }
}

/// One period's run into a shared history: the adults card of the day
/// centre (so visits to it are matched) and the given protocols.
fn run_period(root: &Path, name: &str, period: &str, protocols: &[(&str, Book)]) -> socmon::pipeline::Reported {
    let input = root.join(name);
    put(
        &input,
        "byala/card.xlsx",
        &book(vec![form_sheet(
            "Карта",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ за стари хора „Слънце“"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    for (file, protocol) in protocols {
        put(&input, file, protocol, BookFormat::Xlsx);
    }
    let mut config = config(&input, Some("RSE"));
    config.period = period.parse().unwrap();
    config.output = root.join(format!("out-{name}"));
    config.history = Some(socmon::config::HistoryConfig {
        dir: root.join("history"),
        compare_with: None,
    });
    socmon::pipeline::report(&config).unwrap()
}

/// visit_findings.csv as (visit date, area, recommendation, status).
fn statuses(out: &Path) -> Vec<(String, String, String, String)> {
    let mut rows: Vec<(String, String, String, String)> = csv_rows(&out.join("data/visit_findings.csv"))
        .into_iter()
        .map(|r| {
            (
                r["visit_date"].clone(),
                r["area"].clone(),
                r["recommendation"].clone(),
                r["status"].clone(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn four(a: &str, b: &str, c: &str, d: &str) -> (String, String, String, String) {
    (a.into(), b.into(), c.into(), d.into())
}

#[test]
fn two_periods_into_one_history_give_done_open_and_overdue() {
    let root = tempfile::tempdir().unwrap();
    let service = "ДЦ за стари хора „Слънце“";
    // 2017Q1: the first visit, three recommendations.
    let first = protocol_book(
        &protocol_form(service, d(2017, 3, 14), "РДСП, РЗИ, Община"),
        &[
            [
                t("Материална база"),
                t("несъответствия"),
                t("Няма рампа"),
                t("Рампа"),
                d(2017, 6, 30),
                t("Кмет"),
                e(),
                e(),
            ],
            [
                t("Хигиена и здравно обслужване"),
                t("сериозни несъответствия"),
                t("Няма изолатор"),
                t("Изолатор"),
                d(2017, 4, 15),
                t("Управител"),
                e(),
                e(),
            ],
            [
                t("Храна и хранене"),
                t("несъответствия"),
                t("Няма меню"),
                t("Меню"),
                d(2017, 12, 31),
                t("Управител"),
                e(),
                e(),
            ],
            [t("Персонал"), t("съответства"), e(), e(), e(), e(), e(), e()],
        ],
    );
    let q1 = run_period(root.path(), "q1", "2017Q1", &[("byala/protocol.xlsx", first)]);
    assert_eq!(
        statuses(&root.path().join("out-q1")),
        [
            four("2017-03-14", "FOOD", "Меню", "open"),
            four("2017-03-14", "HEALTH", "Изолатор", "open"),
            four("2017-03-14", "PREMISES", "Рампа", "open"),
            four("2017-03-14", "STAFF", "", ""),
        ]
    );
    assert!(q1.run.issues.iter().all(|i| i.code() != "unknown_service"));

    // 2017Q2: the follow-up closes the premises (done as found on the day
    // of the visit: a completion date is never before the visit), the hygiene is still in
    // progress (its deadline has passed: overdue), the food was not checked
    // again (open until its deadline). A second protocol is about a service
    // the cards do not have.
    let follow_up = protocol_book(
        &protocol_form(service, d(2017, 6, 20), "РДСП; ОДБХ"),
        &[
            [
                t("Материална база"),
                t("съответства"),
                e(),
                e(),
                e(),
                e(),
                t("изпълнена"),
                d(2017, 6, 20),
            ],
            [
                t("Хигиена и здравно обслужване"),
                t("сериозни несъответствия"),
                t("Изолаторът не е готов"),
                t("Изолатор до края на годината"),
                d(2017, 12, 31),
                t("Управител"),
                t("в процес"),
                e(),
            ],
        ],
    );
    // A service of another type: no card fits it by name, nor by provider.
    let mut csri = protocol_form("ЦСРИ Бяла", d(2017, 5, 10), "РДСП");
    csri[3].1 = t("Център за социална рехабилитация и интеграция");
    let unknown = protocol_book(
        &csri,
        &[[t("Персонал"), t("съответства"), e(), e(), e(), e(), e(), e()]],
    );
    let q2 = run_period(
        root.path(),
        "q2",
        "2017Q2",
        &[("byala/follow-up.xlsx", follow_up), ("byala/csri.xlsx", unknown)],
    );
    let out = root.path().join("out-q2");
    assert_eq!(
        statuses(&out),
        [
            four("2017-03-14", "FOOD", "Меню", "open"),
            four("2017-03-14", "HEALTH", "Изолатор", "overdue"),
            four("2017-03-14", "PREMISES", "Рампа", "done"),
            four("2017-05-10", "STAFF", "", ""),
            four("2017-06-20", "HEALTH", "Изолатор до края на годината", "open"),
            four("2017-06-20", "PREMISES", "", ""),
        ]
    );
    // The unmatched visit still counts, with a warning naming the closest service.
    let visits = csv_rows(&out.join("data/visits.csv"));
    let matched: Vec<(String, String, String)> = visits
        .iter()
        .map(|v| (v["service_name"].clone(), v["matched"].clone(), v["team"].clone()))
        .collect();
    assert_eq!(
        matched,
        [
            ("ЦСРИ Бяла".to_string(), "false".to_string(), "RDSA".to_string()),
            (service.to_string(), "true".to_string(), "RDSA;ODFS".to_string()),
        ]
    );
    let warning = q2.run.issues.iter().find(|i| i.code() == "unknown_service").unwrap();
    assert_eq!(warning.location.file, "byala/csri.xlsx");
    assert_eq!(warning.location.cell.unwrap().to_string(), "C5");
    let messages = socmon::issue::Messages {
        lang: socmon::issue::Lang::Bg,
        schemas: &schemas(),
    };
    assert!(
        messages.message(warning).contains(service),
        "{}",
        messages.message(warning)
    );
    // The municipality's feedback lists its overdue recommendation.
    let feedback = out.join("feedback/RSE04.xlsx");
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&feedback).unwrap();
    use calamine::Reader;
    let sheet = workbook.worksheet_range("Просрочени препоръки").unwrap();
    let texts: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(texts.iter().any(|c| c == "Изолатор"), "{texts:?}");
    assert!(
        !texts.iter().any(|c| c == "Меню"),
        "an open one is not overdue: {texts:?}"
    );
    // The report's sheet, and the history keeps both tables of both periods.
    let mut report: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    assert!(report.sheet_names().contains(&"Проверки на доставчици".to_string()));
    let visits_sheet = report.worksheet_range("Проверки на доставчици").unwrap();
    let shown: Vec<String> = visits_sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(shown.iter().any(|c| c == "просрочена"), "{shown:?}");
    for period in ["2017Q1", "2017Q2"] {
        for table in ["visits", "visit_findings"] {
            let path = root
                .path()
                .join(format!("history/oblast=RSE/period={period}/{table}.parquet"));
            assert!(path.is_file(), "{}", path.display());
        }
    }
}

#[test]
fn a_protocol_without_its_table_or_without_rows_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let form = protocol_form("ДЦ за стари хора „Слънце“", d(2017, 3, 14), "РДСП");
    // The form alone: the table's header is not on the sheet.
    let alone = BookSheet {
        cells: protocol_sheet(&form, &[])
            .cells
            .into_iter()
            .filter(|c| c.row < 12)
            .collect(),
        ..protocol_sheet(&form, &[])
    };
    put(dir.path(), "alone.xlsx", &book(vec![alone]), BookFormat::Xlsx);
    // The header, then nothing.
    put(dir.path(), "empty.xlsx", &protocol_book(&form, &[]), BookFormat::Xlsx);
    let run = check(dir.path());
    let sheet_level = |file: &str| -> Vec<(String, String, String)> {
        issues_at(&run, file)
            .iter()
            .map(|i| {
                (
                    i.field.clone().unwrap_or_default(),
                    i.code().to_string(),
                    i.severity.as_str().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        sheet_level("alone.xlsx"),
        [
            ("area".to_string(), "required".to_string(), "error".to_string()),
            ("assessment".to_string(), "required".to_string(), "error".to_string()),
        ]
    );
    assert!(!records_of(&run, "alone.xlsx")[0].accepted());
    assert_eq!(
        sheet_level("empty.xlsx"),
        [(String::new(), "empty_table".to_string(), "warning".to_string())]
    );
    let empty = records_of(&run, "empty.xlsx");
    assert_eq!(empty.len(), 1, "the form alone");
    assert!(empty[0].accepted(), "a visit without rows still counts");
}
