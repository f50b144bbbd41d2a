//! The strategy's implementation (STRATEGY.md), one rule per test on small
//! real-looking returns: the plan, the indicators and the municipalities'
//! reports read with everything the other templates get, each mistake at
//! its cell; the plan version in force; every status of the matching; the
//! indicators; the outputs.

use std::path::Path;

use socmon::book::{BookCell, BookFormat, BookSheet, BookValue, Merge};
use socmon::config::HistoryConfig;
use socmon::period::Period;

use super::support::*;

pub const PLAN_TITLE: &str = "План за развитие на социалните услуги в област Русе";
pub const INDICATORS_TITLE: &str = "Индикатори за изпълнение на стратегията";
pub const REPORT_TITLE: &str = "Отчет за изпълнението на общинската стратегия за развитие на социалните услуги";

/// A table with a title block: the title (merged over the header's width),
/// "label: value" lines, a blank row, the header, the rows.
pub fn titled_table(
    name: &str,
    title: &str,
    title_block: &[(&str, BookValue)],
    header: &[&str],
    rows: &[Vec<BookValue>],
) -> BookSheet {
    let mut cells = vec![BookCell {
        row: 0,
        col: 0,
        value: t(title),
    }];
    let merges = vec![Merge {
        first_row: 0,
        first_col: 0,
        last_row: 0,
        last_col: header.len().saturating_sub(1) as u16,
    }];
    let mut row = 2u32;
    for (label, value) in title_block {
        cells.push(BookCell {
            row,
            col: 0,
            value: t(label),
        });
        cells.push(BookCell {
            row,
            col: 1,
            value: value.clone(),
        });
        row += 1;
    }
    row += 1;
    for (c, h) in header.iter().enumerate() {
        cells.push(BookCell {
            row,
            col: c as u16,
            value: t(h),
        });
    }
    for values in rows {
        row += 1;
        for (c, v) in values.iter().enumerate() {
            if !matches!(v, BookValue::Text(s) if s.is_empty()) {
                cells.push(BookCell {
                    row,
                    col: c as u16,
                    value: v.clone(),
                });
            }
        }
    }
    BookSheet {
        name: name.to_string(),
        hidden: false,
        cells,
        merges,
        column_widths: Vec::new(),
    }
}

pub const PLAN_HEADER: [&str; 9] = [
    "Община",
    "Действие",
    "Вид на социалната услуга",
    "Наименование на услугата",
    "Капацитет след действието (места)",
    "Срок (година)",
    "Източник на финансиране",
    "Мярка",
    "Бележка",
];

/// A plan row: municipality, action, type, name, places, year, measure.
pub fn plan_row(
    m: &str,
    action: &str,
    kind: &str,
    name: &str,
    places: Option<f64>,
    year: f64,
    measure: &str,
) -> Vec<BookValue> {
    vec![
        t(m),
        t(action),
        t(kind),
        t(name),
        places.map_or(t(""), n),
        n(year),
        t("Държавно делегирана дейност"),
        t(measure),
        t(""),
    ]
}

pub fn plan_sheet(updated_on: Option<BookValue>, rows: &[Vec<BookValue>]) -> BookSheet {
    let mut block = vec![
        ("Област", t("Русе")),
        (
            "Стратегия",
            t("Областна стратегия за развитие на социалните услуги 2016–2020"),
        ),
        ("Период на стратегията", t("2016–2020")),
    ];
    if let Some(date) = updated_on {
        block.push(("Актуализация от", date));
    }
    titled_table("План", PLAN_TITLE, &block, &PLAN_HEADER, rows)
}

/// The Ruse plan of the tests: four actions in Бяла and Борово.
pub fn ruse_plan() -> Vec<Vec<BookValue>> {
    vec![
        plan_row(
            "Бяла",
            "откриване",
            "Дневен център за стари хора",
            "",
            Some(30.0),
            2016.0,
            "2.1.1",
        ),
        plan_row(
            "Бяла",
            "разширяване",
            "Домашен социален патронаж",
            "Патронаж Бяла",
            Some(150.0),
            2017.0,
            "2.1.2",
        ),
        plan_row(
            "Борово",
            "закриване",
            "Дом за стари хора",
            "ДСХ Борово",
            None,
            2016.0,
            "3.1.1",
        ),
        plan_row(
            "Борово",
            "откриване",
            "Център за социална рехабилитация и интеграция",
            "",
            Some(20.0),
            2019.0,
            "2.2.1",
        ),
    ]
}

fn cell_of(run: &socmon::run::Run, file: &str, code: &str) -> Vec<String> {
    issues_at(run, file)
        .into_iter()
        .filter(|i| i.code() == code)
        .map(|i| i.location.cell.map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

fn message_of(run: &socmon::run::Run, file: &str, code: &str) -> String {
    let schemas = schemas();
    let messages = socmon::issue::Messages {
        lang: socmon::issue::Lang::Bg,
        schemas: &schemas,
    };
    issues_at(run, file)
        .into_iter()
        .find(|i| i.code() == code)
        .map(|i| messages.message(i))
        .unwrap_or_else(|| panic!("no {code} in {file}: {:#?}", run.issues))
}

// ---- the plan: read like the other templates ------------------------------

#[test]
fn a_clean_plan_is_read_row_by_row_with_its_title_block() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    assert!(issues_at(&run, "план.xlsx").is_empty(), "{:#?}", run.issues);
    let rows = records_of(&run, "план.xlsx");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.accepted()));
    let s = schemas();
    assert_eq!(value(&s, rows[0], "municipality"), "RSE04");
    assert_eq!(value(&s, rows[0], "action"), "OPEN");
    assert_eq!(value(&s, rows[0], "service_type"), "DC_ELDERLY");
    assert_eq!(value(&s, rows[1], "action"), "EXPAND");
    assert_eq!(value(&s, rows[2], "action"), "CLOSE");
    assert_eq!(value(&s, rows[0], "strategy_period"), "2016–2020");
}

#[test]
fn an_action_not_in_the_list_is_an_error_naming_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = ruse_plan();
    rows[0][1] = t("преобразуване");
    put(
        dir.path(),
        "план.xlsx",
        &book(vec![plan_sheet(None, &rows)]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    // Title row, blank, three title lines, blank, header on row 7: data from row 8.
    assert_eq!(cell_of(&run, "план.xlsx", "enum"), ["B8"]);
    let message = message_of(&run, "план.xlsx", "enum");
    for valid in ["откриване", "разширяване", "намаляване", "закриване"] {
        assert!(message.contains(valid), "{message}");
    }
    // Other words in use are read.
    let mut rows = ruse_plan();
    rows[0][1] = t("Разкриване");
    put(
        dir.path(),
        "план.xlsx",
        &book(vec![plan_sheet(None, &rows)]),
        BookFormat::Xlsx,
    );
    assert!(issues_at(&check(dir.path()), "план.xlsx").is_empty());
}

#[test]
fn a_year_outside_the_strategys_years_is_an_error_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = ruse_plan();
    rows[1][5] = n(2022.0);
    put(
        dir.path(),
        "план.xlsx",
        &book(vec![plan_sheet(None, &rows)]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    assert_eq!(cell_of(&run, "план.xlsx", "range"), ["F9"]);
    assert!(message_of(&run, "план.xlsx", "range").contains("2016–2020"));
    assert!(!records_of(&run, "план.xlsx")[1].accepted());
}

#[test]
fn the_same_action_twice_in_one_version_is_an_error_at_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = ruse_plan();
    let mut again = rows[1].clone();
    // The same after normalisation: case and spacing differ.
    again[3] = t("патронаж  БЯЛА");
    rows.push(again);
    put(
        dir.path(),
        "план.xlsx",
        &book(vec![plan_sheet(None, &rows)]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    let mut cells = cell_of(&run, "план.xlsx", "duplicate");
    cells.sort();
    assert_eq!(cells, ["B12", "B9"]);
}

#[test]
fn an_opening_without_capacity_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = ruse_plan();
    rows[0][4] = t("");
    put(
        dir.path(),
        "план.xlsx",
        &book(vec![plan_sheet(None, &rows)]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    assert_eq!(cell_of(&run, "план.xlsx", "required"), ["E8"]);
    assert!(!records_of(&run, "план.xlsx")[0].accepted());
}

#[test]
fn a_plan_for_another_oblast_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![plan_row(
        "Аврен",
        "откриване",
        "Дневен център за стари хора",
        "",
        Some(20.0),
        2017.0,
        "1.1",
    )];
    let mut sheet = plan_sheet(None, &rows);
    for c in &mut sheet.cells {
        if c.value == t("Русе") {
            c.value = t("Варна");
        }
    }
    put(dir.path(), "план-варна.xlsx", &book(vec![sheet]), BookFormat::Xlsx);
    let run = check(dir.path());
    assert_eq!(cell_of(&run, "план-варна.xlsx", "wrong_oblast"), ["A8"]);
    assert!(records_of(&run, "план-варна.xlsx").iter().all(|r| !r.accepted()));
}

#[test]
fn two_plan_files_of_the_same_version_are_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let update = Some(t("15.09.2016"));
    put(
        dir.path(),
        "план-а.xlsx",
        &book(vec![plan_sheet(update.clone(), &ruse_plan())]),
        BookFormat::Xlsx,
    );
    put(
        dir.path(),
        "план-б.xlsx",
        &book(vec![plan_sheet(update, &ruse_plan()[..2])]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    assert!(message_of(&run, "план-а.xlsx", "plan_version").contains("план-б.xlsx"));
    assert!(message_of(&run, "план-б.xlsx", "plan_version").contains("план-а.xlsx"));
    // Findings about the plan are the analyst's, not a municipality's.
    assert!(
        run.issues
            .iter()
            .filter(|i| i.code() == "plan_version")
            .all(|i| i.municipality.is_none())
    );
}

// ---- indicators and reports ---------------------------------------------

pub const INDICATOR_HEADER: [&str; 10] = [
    "Код",
    "Индикатор",
    "Мярка",
    "Мярка за стойността",
    "Базова стойност",
    "Година на базовата стойност",
    "Целева стойност",
    "Година на целевата стойност",
    "Изчислява се от",
    "Обхват",
];

pub fn indicator_row(code: &str, name: &str, base: f64, target: f64, figure: &str, scope: &str) -> Vec<BookValue> {
    vec![
        t(code),
        t(name),
        t("2.1"),
        t("брой"),
        n(base),
        n(2015.0),
        n(target),
        n(2020.0),
        t(figure),
        t(scope),
    ]
}

pub fn indicators_sheet(rows: &[Vec<BookValue>]) -> BookSheet {
    titled_table(
        "Индикатори",
        INDICATORS_TITLE,
        &[("Област", t("Русе"))],
        &INDICATOR_HEADER,
        rows,
    )
}

pub const REPORT_HEADER: [&str; 9] = [
    "Мярка",
    "Дейност",
    "Състояние",
    "Код на индикатор",
    "Постигната стойност",
    "Изразходвани средства (лв.)",
    "Източник на финансиране",
    "Трудности и причини за неизпълнение",
    "Коментар",
];

pub fn report_sheet(municipality: &str, rows: &[Vec<BookValue>]) -> BookSheet {
    titled_table(
        "Отчет",
        REPORT_TITLE,
        &[
            ("Област", t("Русе")),
            ("Община", t(municipality)),
            ("Отчетен период от", t("01.01.2016")),
            ("Отчетен период до", t("30.06.2017")),
            ("Дата на попълване", t("10.10.2017")),
        ],
        &REPORT_HEADER,
        rows,
    )
}

pub fn activity(
    measure: &str,
    what: &str,
    status: &str,
    indicator: &str,
    value: Option<f64>,
    difficulties: &str,
) -> Vec<BookValue> {
    vec![
        t(measure),
        t(what),
        t(status),
        t(indicator),
        value.map_or(t(""), n),
        t("12 500,00"),
        t("Местна дейност"),
        t(difficulties),
        t(""),
    ]
}

#[test]
fn an_unknown_figure_key_is_an_error_naming_the_valid_keys() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        indicator_row("И1", "Места в общността", 400.0, 600.0, "capacity:community", ""),
        indicator_row("И2", "Услуги", 40.0, 60.0, "services:csri", ""),
        indicator_row("И3", "Места", 400.0, 600.0, "капацитет", ""),
    ];
    put(
        dir.path(),
        "индикатори.xlsx",
        &book(vec![indicators_sheet(&rows)]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    // Data from row 6: title, blank, Област, blank, header on row 5.
    assert_eq!(cell_of(&run, "индикатори.xlsx", "enum"), ["I8"]);
    let message = message_of(&run, "индикатори.xlsx", "enum");
    for key in [
        "capacity:community",
        "dsp:children_institutions",
        "places_per_1000",
        "services:TYPE",
    ] {
        assert!(message.contains(key), "{message}");
    }
}

#[test]
fn a_report_with_an_indicator_the_oblast_lacks_or_an_unknown_status_is_wrong_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "индикатори.xlsx",
        &book(vec![indicators_sheet(&[indicator_row(
            "И5",
            "Деца, изведени",
            0.0,
            40.0,
            "",
            "",
        )])]),
        BookFormat::Xlsx,
    );
    let rows = vec![
        activity("2.1.1", "Разкриване на ДЦ", "изпълнена", "И5", Some(12.0), ""),
        activity("2.1.2", "Обучения", "изпълнена", "И9", Some(3.0), ""),
        activity("2.1.3", "Кампания", "почти готова", "", None, ""),
        activity("2.2.1", "Приемна грижа", "отложена", "", None, ""),
        activity("2.2.2", "Наблюдение", "изпълнена", "И5", None, ""),
    ];
    put(
        dir.path(),
        "Бяла/отчет.xlsx",
        &book(vec![report_sheet("Бяла", &rows)]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    let f = "Бяла/отчет.xlsx";
    // Header on row 9, data from row 10.
    assert_eq!(cell_of(&run, f, "unknown_indicator"), ["D11"]);
    assert!(message_of(&run, f, "unknown_indicator").contains("И5"));
    assert_eq!(cell_of(&run, f, "enum"), ["C12"]);
    let statuses = message_of(&run, f, "enum");
    for valid in ["изпълнена", "изпълнява се", "неизпълнена", "отложена", "отпаднала"]
    {
        assert!(statuses.contains(valid), "{statuses}");
    }
    // A postponed activity without its reasons is a warning; an indicator without its value an error.
    let required: Vec<(String, String)> = issues_at(&run, f)
        .into_iter()
        .filter(|i| i.code() == "required")
        .map(|i| (i.location.cell.unwrap().to_string(), i.severity.as_str().to_string()))
        .collect();
    assert_eq!(
        required,
        [
            ("H13".to_string(), "warning".to_string()),
            ("E14".to_string(), "error".to_string())
        ]
    );
    // Findings of a report go to the municipality that sent it.
    assert!(
        issues_at(&run, f)
            .iter()
            .all(|i| i.municipality.as_deref() == Some("RSE04"))
    );
}

// ---- files written by LibreOffice -----------------------------------------

#[test]
fn a_plan_saved_by_libreoffice_as_xls_and_ods_reads_as_the_xlsx() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/strategy");
    let mut read = Vec::new();
    for name in [
        "plan-libreoffice.xls",
        "plan-libreoffice.ods",
        "report-libreoffice.ods",
        "indicators-libreoffice.xls",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(fixtures.join(name), dir.path().join(name)).unwrap();
        let run = check(dir.path());
        assert!(issues_at(&run, name).is_empty(), "{name}: {:#?}", run.issues);
        let s = schemas();
        read.push((
            name,
            records_of(&run, name)
                .iter()
                .map(|r| {
                    let t = &s.templates[r.template];
                    format!(
                        "{}:{}",
                        t.id,
                        r.values
                            .iter()
                            .flatten()
                            .map(|v| v.display())
                            .collect::<Vec<_>>()
                            .join("|")
                    )
                })
                .collect::<Vec<_>>(),
        ));
    }
    assert_eq!(read[0].1, read[1].1, "the .xls and .ods plans read the same");
    assert_eq!(read[0].1.len(), 4);
    assert_eq!(read[2].1.len(), 3);
    assert_eq!(read[3].1.len(), 3);
}

// ---- matching the plan with the services -----------------------------------

/// An adult card of Ruse oblast: municipality, type, name, places, opened, closed.
fn service(
    dir: &Path,
    file: &str,
    m: &str,
    kind: &str,
    name: &str,
    places: f64,
    opened: BookValue,
    closed: Option<BookValue>,
) {
    let mut rows = adults_card(m, name);
    rows = with(rows, "Вид на социалната услуга", Some(t(kind)));
    rows = with(rows, "Капацитет (брой места)", Some(n(places)));
    rows = with(rows, "Среден брой потребители за периода", Some(n(places * 0.8)));
    rows = with(rows, "Дата на откриване", Some(opened));
    if let Some(c) = closed {
        rows = with(rows, "Дата на закриване", Some(c));
    }
    put(
        dir,
        file,
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &rows, Style::default())]),
        BookFormat::Xlsx,
    );
}

/// Runs the report on `input` (period as given, history optional) and gives plan_status.csv.
fn plan_status(
    input: &Path,
    output: &Path,
    period: Period,
    history: Option<&Path>,
) -> Vec<std::collections::HashMap<String, String>> {
    let mut config = config(input, Some("RSE"));
    config.output = output.to_path_buf();
    config.period = period;
    config.history = history.map(|h| HistoryConfig {
        dir: h.to_path_buf(),
        compare_with: None,
    });
    socmon::pipeline::report(&config).unwrap();
    csv_rows(&output.join("data/plan_status.csv"))
}

fn period(text: &str) -> Period {
    text.parse().unwrap()
}

fn status_of(rows: &[std::collections::HashMap<String, String>], m: &str, action: &str) -> (String, String, String) {
    let r = rows
        .iter()
        .find(|r| r["municipality_code"] == m && r["action"] == action)
        .unwrap_or_else(|| panic!("no {m} {action}: {rows:#?}"));
    (r["status"].clone(), r["partly"].clone(), r["matched_service"].clone())
}

#[test]
fn an_opening_realised_in_its_year_is_on_time_and_with_fewer_places_partly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    put(
        &input,
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    // Two day centres opened in Бяла: the one closest to the plan's 30 places is taken.
    service(
        &input,
        "Бяла/дц1.xlsx",
        "Бяла",
        "Дневен център за стари хора",
        "ДЦ Слънце",
        25.0,
        d(2016, 9, 1),
        None,
    );
    service(
        &input,
        "Бяла/дц2.xlsx",
        "Бяла",
        "Дневен център за стари хора",
        "ДЦ Луна",
        12.0,
        d(2016, 10, 1),
        None,
    );
    let rows = plan_status(&input, &dir.path().join("out"), Period::report_2016_2017(), None);
    assert_eq!(
        status_of(&rows, "RSE04", "open"),
        ("on_time".into(), "true".into(), "ДЦ Слънце".into())
    );
}

#[test]
fn an_opening_after_its_year_is_late_and_one_not_realised_is_overdue_or_not_yet_due() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    put(
        &input,
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    service(
        &input,
        "Бяла/дц.xlsx",
        "Бяла",
        "Дневен център за стари хора",
        "ДЦ Слънце",
        30.0,
        d(2017, 2, 1),
        None,
    );
    // A service opened before the strategy's first day realises no opening.
    service(
        &input,
        "Борово/цсри.xlsx",
        "Борово",
        "Център за социална рехабилитация и интеграция",
        "ЦСРИ Борово",
        20.0,
        d(2012, 2, 1),
        None,
    );
    let rows = plan_status(&input, &dir.path().join("out"), Period::report_2016_2017(), None);
    assert_eq!(
        status_of(&rows, "RSE04", "open"),
        ("late".into(), "false".into(), "ДЦ Слънце".into())
    );
    // Бяла's expansion of a service never sent, due 2017: the period ends in 2017, so not yet due.
    assert_eq!(status_of(&rows, "RSE04", "expand").0, "not_due");
    // Борово's opening due 2019 is not yet due.
    assert_eq!(
        status_of(&rows, "RSE03", "open"),
        ("not_due".into(), "false".into(), "".into())
    );
    // Борово's closure due 2016, its home still sent and open: overdue.
    assert_eq!(status_of(&rows, "RSE03", "close").0, "overdue");
    // The overdue action goes back to Борово in its feedback, which it gets for that alone.
    use calamine::Reader;
    let mut feedback: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out/feedback/RSE03.xlsx")).unwrap();
    let overdue = feedback.worksheet_range("Просрочени по плана").unwrap();
    assert_eq!(overdue.get_value((3, 0)).unwrap().to_string(), "закриване");
    assert_eq!(overdue.get_value((3, 2)).unwrap().to_string(), "ДСХ Борово");
    assert!(
        !dir.path().join("out/feedback/RSE04.xlsx").exists() || {
            let mut b: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out/feedback/RSE04.xlsx")).unwrap();
            b.worksheet_range("Просрочени по плана").is_err()
        }
    );
}

#[test]
fn an_expansion_is_realised_when_the_service_has_at_least_the_planned_places() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    put(
        &input,
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    service(
        &input,
        "Бяла/патронаж.xlsx",
        "Бяла",
        "Домашен социален патронаж",
        "Патронаж Бяла",
        150.0,
        d(2005, 1, 1),
        None,
    );
    let rows = plan_status(&input, &dir.path().join("out"), Period::report_2016_2017(), None);
    // No earlier period stored: dated by the last day of this period (2017), its year.
    assert_eq!(
        status_of(&rows, "RSE04", "expand"),
        ("on_time".into(), "false".into(), "Патронаж Бяла".into())
    );
    service(
        &input,
        "Бяла/патронаж.xlsx",
        "Бяла",
        "Домашен социален патронаж",
        "Патронаж Бяла",
        149.0,
        d(2005, 1, 1),
        None,
    );
    let rows = plan_status(&input, &dir.path().join("out"), Period::report_2016_2017(), None);
    assert_eq!(status_of(&rows, "RSE04", "expand").0, "not_due");
}

#[test]
fn a_closure_is_realised_by_its_card_date_or_by_the_history_when_no_longer_sent() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    put(
        &input,
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    // Closed by its card in 2017, after its year 2016: late.
    service(
        &input,
        "Борово/дсх.xlsx",
        "Борово",
        "Дом за стари хора",
        "ДСХ Борово",
        40.0,
        d(1990, 1, 1),
        Some(d(2017, 3, 31)),
    );
    let rows = plan_status(&input, &dir.path().join("out"), Period::report_2016_2017(), None);
    assert_eq!(status_of(&rows, "RSE03", "close").0, "late");

    // Sent in 2016 (stored in the history), no longer sent in 2017Q1: closed, dated 31.03.2017.
    let history = dir.path().join("history");
    let q = dir.path().join("q");
    put(
        &q,
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    service(
        &q,
        "Борово/дсх.xlsx",
        "Борово",
        "Дом за стари хора",
        "ДСХ Борово",
        40.0,
        d(1990, 1, 1),
        None,
    );
    let rows = plan_status(&q, &dir.path().join("out16"), period("2016"), Some(&history));
    assert_eq!(status_of(&rows, "RSE03", "close").0, "not_due");
    std::fs::remove_file(q.join("Борово/дсх.xlsx")).unwrap();
    let rows = plan_status(&q, &dir.path().join("out17"), period("2017Q1"), Some(&history));
    let closed = rows.iter().find(|r| r["action"] == "close").unwrap();
    assert_eq!(closed["status"], "late");
    assert_eq!(closed["end_date"], "2017-03-31");
}

#[test]
fn the_plan_in_force_is_the_latest_version_dated_by_the_periods_end() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    put(
        &input,
        "план-2016.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    // The update moves Бяла's opening to 2018 and drops Борово's closure.
    let mut updated = ruse_plan();
    updated[0][5] = n(2018.0);
    updated.remove(2);
    put(
        &input,
        "план-актуализация.xlsx",
        &book(vec![plan_sheet(Some(d(2016, 9, 15)), &updated)]),
        BookFormat::Xlsx,
    );
    let rows = plan_status(&input, &dir.path().join("out"), Period::report_2016_2017(), None);
    assert!(rows.iter().all(|r| r["plan_version"] == "2016-09-15"), "{rows:#?}");
    assert_eq!(rows.len(), 3);
    assert_eq!(status_of(&rows, "RSE04", "open").0, "not_due");
    // For a period that ended before the update, the adopted plan is in force.
    let rows = plan_status(&input, &dir.path().join("out2"), period("2016Q2"), None);
    assert!(rows.iter().all(|r| r["plan_version"] == "adopted"));
    assert_eq!(rows.len(), 4);
}

#[test]
fn indicators_are_computed_from_figure_keys_else_summed_from_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    put(
        &input,
        "план.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    service(
        &input,
        "Бяла/дц.xlsx",
        "Бяла",
        "Дневен център за стари хора",
        "ДЦ Слънце",
        30.0,
        d(2016, 9, 1),
        None,
    );
    service(
        &input,
        "Бяла/патронаж.xlsx",
        "Бяла",
        "Домашен социален патронаж",
        "Патронаж Бяла",
        150.0,
        d(2005, 1, 1),
        None,
    );
    put(
        &input,
        "индикатори.xlsx",
        &book(vec![indicators_sheet(&[
            indicator_row("И1", "Места в общността", 100.0, 200.0, "capacity:community", ""),
            indicator_row("И2", "Дневни центрове в Бяла", 0.0, 2.0, "services:DC_ELDERLY", "Бяла"),
            indicator_row("И3", "Обучени служители", 0.0, 40.0, "", ""),
        ])]),
        BookFormat::Xlsx,
    );
    put(
        &input,
        "Бяла/отчет.xlsx",
        &book(vec![report_sheet(
            "Бяла",
            &[activity("2.1", "Обучения", "изпълнена", "И3", Some(12.0), "")],
        )]),
        BookFormat::Xlsx,
    );
    put(
        &input,
        "Борово/отчет.xlsx",
        &book(vec![report_sheet(
            "Борово",
            &[activity("2.1", "Обучения", "изпълнява се", "И3", Some(8.0), "")],
        )]),
        BookFormat::Xlsx,
    );
    let out = dir.path().join("out");
    plan_status(&input, &out, Period::report_2016_2017(), None);
    let rows = csv_rows(&out.join("data/indicators.csv"));
    let get = |code: &str| rows.iter().find(|r| r["code"] == code).unwrap().clone();
    assert_eq!(
        (
            get("И1")["actual"].as_str(),
            get("И1")["source"].as_str(),
            get("И1")["progress"].as_str()
        ),
        ("180", "computed", "0.8000")
    );
    assert_eq!(
        (get("И2")["actual"].as_str(), get("И2")["scope"].as_str()),
        ("1", "RSE04")
    );
    assert_eq!(
        (
            get("И3")["actual"].as_str(),
            get("И3")["source"].as_str(),
            get("И3")["progress"].as_str()
        ),
        ("20", "reported", "0.5000")
    );
    let activities = csv_rows(&out.join("data/activities.csv"));
    assert_eq!(activities.len(), 2);
    let of = |m: &str| activities.iter().find(|a| a["municipality_code"] == m).unwrap()["status"].clone();
    assert_eq!(of("RSE04"), "done");
    assert_eq!(of("RSE03"), "in_progress");
}

#[test]
fn a_run_without_a_plan_writes_the_sheet_saying_so_and_no_strategy_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    service(
        &input,
        "Бяла/дц.xlsx",
        "Бяла",
        "Дневен център за стари хора",
        "ДЦ Слънце",
        30.0,
        d(2016, 9, 1),
        None,
    );
    let out = dir.path().join("out");
    let mut config = config(&input, Some("RSE"));
    config.output = out.clone();
    socmon::pipeline::report(&config).unwrap();
    for name in [
        "plan_status.csv",
        "indicators.csv",
        "activities.csv",
        "sustainability.csv",
    ] {
        assert!(!out.join("data").join(name).exists(), "{name}");
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(json.get("strategy").is_none());
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    let range = wb.worksheet_range("Изпълнение на стратегията").unwrap();
    let text = range.get_value((2, 0)).unwrap().to_string();
    assert!(text.contains("няма план"), "{text}");
}

/// Writes the sources of the LibreOffice fixtures (`cargo test --test it
/// make_strategy_fixture_sources -- --ignored`); they are then saved by
/// LibreOffice: `soffice --headless --convert-to xls|ods` (README of the folder).
#[test]
#[ignore]
fn make_strategy_fixture_sources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/strategy-fixture-sources");
    put(
        &dir,
        "plan-libreoffice.xlsx",
        &book(vec![plan_sheet(None, &ruse_plan())]),
        BookFormat::Xlsx,
    );
    put(
        &dir,
        "report-libreoffice.xlsx",
        &book(vec![report_sheet(
            "Бяла",
            &[
                activity("2.1.1", "Разкриване на ДЦ за стари хора", "изпълнена", "", None, ""),
                activity("2.1.2", "Обучение на персонала", "в процес", "", None, ""),
                activity(
                    "2.2.1",
                    "Кампания за приемна грижа",
                    "Отложена",
                    "",
                    None,
                    "Няма кандидати",
                ),
            ],
        )]),
        BookFormat::Xlsx,
    );
    put(
        &dir,
        "indicators-libreoffice.xlsx",
        &book(vec![indicators_sheet(&[
            indicator_row(
                "1.1",
                "Места в услугите в общността",
                420.0,
                560.0,
                "capacity:community",
                "",
            ),
            indicator_row(
                "1.2",
                "Деца в специализирани институции",
                35.0,
                0.0,
                "dsp:children_institutions",
                "",
            ),
            indicator_row("2.1", "Обучени специалисти", 0.0, 120.0, "", "Русе"),
        ])]),
        BookFormat::Xlsx,
    );
}

/// The history keeps the plan in force, its statuses and the activities, so
/// that the next quarter's run shows each action's status then and now.
#[test]
fn a_later_run_shows_each_actions_status_then_and_now_from_the_history() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let q2 = plan_status(
        &root.join("ruse-2017Q2"),
        &dir.path().join("out-q2"),
        period("2017Q2"),
        Some(&history),
    );
    assert!(!q2.is_empty());
    // Without an earlier period there is nothing to show beside.
    assert!(
        q2.iter()
            .all(|r| r["previous_period"].is_empty() && r["previous_status"].is_empty())
    );
    let stored = history.join("oblast=RSE/period=2017Q2");
    for table in ["plan_status.parquet", "activities.parquet"] {
        assert!(stored.join(table).is_file(), "{table} is not in the history");
    }

    let q3 = plan_status(
        &root.join("ruse-2017Q3"),
        &dir.path().join("out-q3"),
        period("2017Q3"),
        Some(&history),
    );
    // The same plan: every action has its status then, the one Q2's run gave.
    assert_eq!(q3.len(), q2.len());
    for now in &q3 {
        assert_eq!(now["previous_period"], "2017Q2");
        let then = q2
            .iter()
            .find(|t| {
                ["municipality_code", "action", "service_type", "service_name"]
                    .iter()
                    .all(|k| t[*k] == now[*k])
            })
            .expect("the action was in Q2's plan");
        assert_eq!(now["previous_status"], then["status"], "{now:?}");
    }
    // And the sheet shows it in a column of its own.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out-q3/report.xlsx")).unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, "Изпълнение на стратегията").unwrap();
    let header = range
        .rows()
        .flat_map(|r| r.iter())
        .any(|c| c.to_string() == "Състояние към 30.06.2017");
    assert!(header, "no column with the status then");
}

/// A national run does the strategy per oblast: each oblast's plan, statuses,
/// indicators and activities on its own (two oblasts of `socmon sample`,
/// sharing the municipality name Бяла, read as `--oblast all`).
#[test]
fn a_national_run_assesses_each_oblasts_strategy_on_its_own() {
    let options = socmon::sample::SampleOptions {
        oblasts: vec!["RSE".into(), "VAR".into()],
        scale: 1,
        seed: 5,
        mistakes: 0.0,
        period: Period::report_2016_2017(),
        later: None,
    };
    let sample = socmon::sample::generate(&schemas(), &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    socmon::sample::write(&sample, &dir.path().join("in")).unwrap();
    let mut config = config(&dir.path().join("in"), None);
    config.oblast = socmon::config::OblastChoice::All;
    config.output = dir.path().join("out");
    socmon::pipeline::report(&config).unwrap();
    let data = dir.path().join("out/data");
    let plan = csv_rows(&data.join("plan_status.csv"));
    let indicators = csv_rows(&data.join("indicators.csv"));
    let activities = csv_rows(&data.join("activities.csv"));
    for oblast in ["RSE", "VAR"] {
        let of = |rows: &[std::collections::HashMap<String, String>]| {
            rows.iter().filter(|r| r["oblast_code"] == oblast).count()
        };
        assert!(of(&plan) > 10, "{oblast}: {} actions", of(&plan));
        assert!(of(&indicators) >= 8, "{oblast}: {} indicators", of(&indicators));
        assert!(of(&activities) > 10, "{oblast}: {} activities", of(&activities));
        // Each action belongs to a municipality of its own oblast.
        for r in plan.iter().filter(|r| r["oblast_code"] == oblast) {
            let m = config.schemas.reference.municipality(&r["municipality_code"]).unwrap();
            assert_eq!(m.oblast_code, oblast);
        }
        // Indicators computed from the oblast's own figures: its places per 1,000.
        let per_1000 = indicators
            .iter()
            .find(|i| i["oblast_code"] == oblast && i["code"] == "И5")
            .unwrap();
        assert_eq!(per_1000["source"], "computed");
        assert!(!per_1000["actual"].is_empty());
    }
    let i5: Vec<&String> = indicators
        .iter()
        .filter(|i| i["code"] == "И5")
        .map(|i| &i["actual"])
        .collect();
    assert_ne!(i5[0], i5[1], "each oblast's own figure");
    // Oblasts without a plan are not listed; run.json has one object per oblast with input.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/run.json")).unwrap()).unwrap();
    let oblasts: Vec<&str> = json["strategy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["oblast"].as_str().unwrap())
        .collect();
    assert_eq!(oblasts, ["RSE", "VAR"]);
    // The sheet has a section per oblast.
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(dir.path().join("out/report.xlsx")).unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, "Изпълнение на стратегията").unwrap();
    let texts: Vec<String> = range.rows().flat_map(|r| r.iter()).map(|c| c.to_string()).collect();
    for heading in ["Русе (RSE)", "Варна (VAR)"] {
        assert!(texts.iter().any(|t| t == heading), "no section for {heading}");
    }
}
