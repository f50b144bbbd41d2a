//! The reporting calendar (CALENDAR.md): deadlines, when each return came
//! and from which source, timeliness, the registry's bad rows, the council
//! decision's date, reminders and their contacts.

use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use socmon::book::{BookCell, BookFormat, BookSheet, BookValue};
use socmon::calendar::{Deadlines, Source, Timeliness};
use socmon::pipeline;

use super::strategy::{REPORT_HEADER, REPORT_TITLE, activity, titled_table};
use super::support::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Sets a file's modification time to noon of a day.
fn touch(path: &Path, on: NaiveDate) {
    let secs = on.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
    let time = if secs >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    };
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

/// An adult service card of a municipality, with its fill-in date or none.
fn card(municipality: &str, filled_on: Option<BookValue>) -> socmon::book::Book {
    let rows = with(
        adults_card(municipality, "Дневен център"),
        "Дата на попълване",
        filled_on,
    );
    book(vec![form_sheet("Карта", ADULTS_TITLE, &rows, Style::default())])
}

/// A municipal card with the person and contact as given.
fn municipal_card(municipality: &str, filled_by: &str, contact: &str) -> socmon::book::Book {
    let rows = vec![
        ("Област", t("Русе")),
        ("Община", t(municipality)),
        ("Население – общо", n(10_000.0)),
        ("Утвърден бюджет – държавно делегирани дейности (лв.)", n(100_000.0)),
        ("Утвърден бюджет – местни дейности (лв.)", n(10_000.0)),
        ("Приет годишен план за развитие на социалните услуги", t("да")),
        ("Дата на попълване", d(2017, 7, 20)),
        ("Попълнил (име, длъжност)", t(filled_by)),
        ("Телефон, e-mail", t(contact)),
    ];
    book(vec![form_sheet("Община", MUNICIPAL_TITLE, &rows, Style::default())])
}

/// A registry sheet: a title, then the header and rows as written.
fn registry_sheet(header: &[&str], rows: &[Vec<BookValue>]) -> BookSheet {
    let mut cells = vec![BookCell {
        row: 0,
        col: 0,
        value: t("Регистър на входящите документи"),
    }];
    for (c, h) in header.iter().enumerate() {
        cells.push(BookCell {
            row: 2,
            col: c as u16,
            value: t(h),
        });
    }
    for (r, values) in rows.iter().enumerate() {
        for (c, v) in values.iter().enumerate() {
            cells.push(BookCell {
                row: 3 + r as u32,
                col: c as u16,
                value: v.clone(),
            });
        }
    }
    BookSheet {
        name: "Входящи".into(),
        hidden: false,
        cells,
        merges: Vec::new(),
        column_widths: Vec::new(),
    }
}

fn with_deadline(input: &Path, deadlines: Deadlines) -> socmon::config::Config {
    let mut config = config(input, Some("RSE"));
    config.deadlines = deadlines;
    config
}

fn returns_by(deadline: NaiveDate) -> Deadlines {
    Deadlines {
        returns: Some(deadline),
        ..Deadlines::default()
    }
}

#[test]
fn each_source_of_a_received_date_in_its_order_of_trust() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    // Named by file in the registry (its own fill-in date is earlier).
    put(
        &input,
        "Бяла/карта.xlsx",
        &card("Бяла", Some(d(2017, 7, 14))),
        BookFormat::Xlsx,
    );
    // Dated by a registry row of its sender (no file named), over its fill-in date.
    put(
        &input,
        "Ветово/карта.xlsx",
        &card("Ветово", Some(d(2017, 8, 2))),
        BookFormat::Xlsx,
    );
    // Not in the registry: its fill-in date.
    put(
        &input,
        "Борово/карта.xlsx",
        &card("Борово", Some(d(2017, 7, 10))),
        BookFormat::Xlsx,
    );
    // No fill-in date: the file's time, said so.
    put(&input, "Иваново/карта.xlsx", &card("Иваново", None), BookFormat::Xlsx);
    touch(&input.join("Иваново/карта.xlsx"), day(2017, 8, 9));
    // A file time in the future and one before the period: not trusted.
    put(&input, "Ценово/карта.xlsx", &card("Ценово", None), BookFormat::Xlsx);
    touch(&input.join("Ценово/карта.xlsx"), day(2099, 1, 1));
    put(
        &input,
        "Сливо поле/карта.xlsx",
        &card("Сливо поле", None),
        BookFormat::Xlsx,
    );
    touch(&input.join("Сливо поле/карта.xlsx"), day(2015, 3, 1));
    std::fs::write(
        input.join("входящ регистър.csv"),
        "Вх. №;Дата;Подател;Файл\n\
         94-00-12;20.07.2017;Община Бяла;карта.xlsx\n\
         94-00-13;03.08.2017;Община Ветово;\n\
         94-00-14;01.08.2017;Община Ветово;\n\
         94-00-15;вчера;Община Борово;\n\
         94-00-16;05.08.2017;Община Атлантида;\n\
         94-00-17;05.08.2017;Община Габрово;\n\
         94-00-18;05.08.2017;Община Русе;няма такъв.xlsx\n",
    )
    .unwrap();
    let run = pipeline::check(&with_deadline(&input, returns_by(day(2017, 7, 31)))).unwrap();
    let of = |code: &str| run.calendar.of(code).unwrap();
    let received = |code: &str| of(code).received.as_ref().map(|r| (r.on, r.source));

    assert_eq!(received("RSE04"), Some((day(2017, 7, 20), Source::Registry)));
    assert_eq!(received("RSE05"), Some((day(2017, 8, 3), Source::Registry)));
    assert_eq!(received("RSE03"), Some((day(2017, 7, 10), Source::FilledOn)));
    assert_eq!(received("RSE13"), Some((day(2017, 8, 9), Source::FileTime)));
    assert_eq!(received("RSE37"), None);
    assert_eq!(received("RSE33"), None);

    assert_eq!(of("RSE04").timeliness, Some(Timeliness::OnTime));
    assert_eq!(of("RSE05").timeliness, Some(Timeliness::Late { days: 3 }));
    assert_eq!(of("RSE03").timeliness, Some(Timeliness::OnTime));
    assert_eq!(of("RSE13").timeliness, Some(Timeliness::Late { days: 9 }));
    // Sent, but with no date to trust: not judged.
    assert_eq!(of("RSE37").timeliness, None);
    // Sent nothing.
    assert_eq!(of("RSE27").timeliness, Some(Timeliness::Missing));

    // Late returns are warnings at the file that came last, with the date, source and deadline.
    let late = issues_at(&run, "Ветово/карта.xlsx")
        .into_iter()
        .find(|i| i.code() == "late")
        .expect("a late finding");
    assert_eq!(late.municipality.as_deref(), Some("RSE05"));
    let messages = socmon::issue::Messages {
        lang: socmon::issue::Lang::Bg,
        schemas: &config(&input, None).schemas,
    };
    let text = messages.message(late);
    for part in ["03.08.2017", "входящ регистър", "31.07.2017", "3 дни"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    // An untrusted file time is said, at its file.
    for file in ["Ценово/карта.xlsx", "Сливо поле/карта.xlsx"] {
        assert!(issues_at(&run, file).iter().any(|i| i.code() == "file_time"), "{file}");
    }
    // The registry's bad rows are findings at their cells; the rows are ignored.
    let registry = findings(&run)
        .into_iter()
        .filter(|(file, ..)| file == "входящ регистър.csv")
        .map(|(_, cell, code, _)| (cell, code))
        .collect::<Vec<_>>();
    for expected in [
        ("B5", "type"),
        ("C6", "unknown_municipality"),
        ("C7", "wrong_oblast"),
        ("D8", "unknown_file"),
    ] {
        assert!(
            registry
                .iter()
                .any(|(cell, code)| cell.ends_with(expected.0) && code == expected.1),
            "{expected:?} in {registry:?}"
        );
    }
    // The registry's rows are no returns and its findings are nobody's feedback.
    assert!(run.records.iter().all(|r| !r.file.ends_with(".csv")));
    assert_eq!(run.registry.len(), 7);
    assert!(
        run.issues
            .iter()
            .filter(|i| i.location.file.ends_with(".csv"))
            .all(|i| i.municipality.is_none())
    );
}

#[test]
fn a_registry_workbook_is_recognised_by_its_header_and_matches_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    put(
        &input,
        "Бяла/Бяла_карта_ДЦ.xlsx",
        &card("Бяла", Some(d(2017, 7, 14))),
        BookFormat::Xlsx,
    );
    let sheet = registry_sheet(
        &["Входящ номер", "Дата на постъпване", "Подател", "Име на файла"],
        &[vec![t("94-00-1"), d(2017, 8, 4), t("общ. Бяла"), t("Бяла_карта_ДЦ")]],
    );
    put(&input, "регистър.xls", &book(vec![sheet]), BookFormat::Xls);
    let run = pipeline::check(&with_deadline(&input, returns_by(day(2017, 7, 31)))).unwrap();
    let bjala = run.calendar.of("RSE04").unwrap();
    assert_eq!(
        bjala.received.as_ref().map(|r| (r.on, r.source, r.file.as_str())),
        Some((day(2017, 8, 4), Source::Registry, "Бяла/Бяла_карта_ДЦ.xlsx"))
    );
    assert_eq!(bjala.timeliness, Some(Timeliness::Late { days: 4 }));
    assert_eq!(run.registry.len(), 1);
}

#[test]
fn without_a_deadline_nothing_is_judged_but_the_dates_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    put(
        &input,
        "Бяла/карта.xlsx",
        &card("Бяла", Some(d(2017, 9, 14))),
        BookFormat::Xlsx,
    );
    let run = pipeline::check(&config(&input, Some("RSE"))).unwrap();
    let bjala = run.calendar.of("RSE04").unwrap();
    assert_eq!(bjala.received.as_ref().map(|r| r.on), Some(day(2017, 9, 14)));
    assert!(run.calendar.municipalities.iter().all(|m| m.timeliness.is_none()));
    assert!(run.issues.iter().all(|i| i.code() != "late"));
    assert_eq!(run.calendar.counts(None).share_on_time, None);
}

/// An implementation report of a municipality with its council decision as written.
fn report(municipality: &str, decision: &str, filled_on: &str) -> socmon::book::Book {
    let sheet = titled_table(
        "Отчет",
        REPORT_TITLE,
        &[
            ("Област", t("Русе")),
            ("Община", t(municipality)),
            ("Отчетен период от", t("01.01.2016")),
            ("Отчетен период до", t("30.06.2017")),
            ("Решение на Общинския съвет за приемане (№, дата)", t(decision)),
            ("Дата на попълване", t(filled_on)),
        ],
        &REPORT_HEADER,
        &[activity("1.1", "Разкриване на ДЦ", "изпълнена", "", None, "")],
    );
    book(vec![sheet])
}

#[test]
fn the_council_decision_is_read_from_its_text_forms_and_judged_with_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    put(
        &input,
        "Бяла/отчет.xlsx",
        &report("Бяла", "Решение № 123/25.10.2017", "09.10.2017"),
        BookFormat::Xlsx,
    );
    put(
        &input,
        "Ветово/отчет.xlsx",
        &report("Ветово", "№ 45 от 02.11.2017 г.", "12.10.2017"),
        BookFormat::Xlsx,
    );
    put(
        &input,
        "Борово/отчет.xlsx",
        &report("Борово", "Решение № 12 (предстои)", "10.10.2017"),
        BookFormat::Xlsx,
    );
    let deadlines = Deadlines {
        returns: None,
        strategy_report: Some(day(2017, 10, 10)),
        council_decision: Some(day(2017, 10, 30)),
    };
    let run = pipeline::check(&with_deadline(&input, deadlines)).unwrap();
    let of = |code: &str| run.calendar.of(code).unwrap();
    assert_eq!(of("RSE04").council_decision_on, Some(day(2017, 10, 25)));
    assert_eq!(of("RSE04").council_timeliness, Some(Timeliness::OnTime));
    assert_eq!(of("RSE04").report_timeliness, Some(Timeliness::OnTime));
    assert_eq!(of("RSE05").council_decision_on, Some(day(2017, 11, 2)));
    assert_eq!(of("RSE05").council_timeliness, Some(Timeliness::Late { days: 3 }));
    assert_eq!(of("RSE05").report_timeliness, Some(Timeliness::Late { days: 2 }));
    // No readable date: a warning at its cell, and the council is not judged.
    assert_eq!(of("RSE03").council_decision_on, None);
    assert_eq!(of("RSE03").council_timeliness, None);
    let undated = issues_at(&run, "Борово/отчет.xlsx")
        .into_iter()
        .find(|i| i.code() == "decision_date")
        .expect("a decision_date warning");
    assert_eq!(undated.location.cell.map(|c| c.to_string()).as_deref(), Some("B7"));
    assert_eq!(undated.severity, socmon::issue::Severity::Warning);
    // Nothing came from Русе: report and decision missing.
    assert_eq!(of("RSE27").report_timeliness, Some(Timeliness::Missing));
    assert_eq!(of("RSE27").council_timeliness, Some(Timeliness::Missing));
    // The late decision is a finding at its cell.
    assert!(
        issues_at(&run, "Ветово/отчет.xlsx")
            .iter()
            .any(|i| i.code() == "late" && i.field.as_deref() == Some("council_decision"))
    );
}

#[test]
fn reminders_name_what_is_missing_or_late_and_whom_to_call_or_that_there_is_no_contact() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let output = dir.path().join("output");
    // Late, with a contact on its municipal card.
    put(
        &input,
        "Бяла/община.xlsx",
        &municipal_card(
            "Бяла",
            "Мария Иванова, главен експерт",
            "0817 72 234, m.ivanova@byala.bg",
        ),
        BookFormat::Xlsx,
    );
    put(
        &input,
        "Бяла/карта.xlsx",
        &card("Бяла", Some(d(2017, 8, 14))),
        BookFormat::Xlsx,
    );
    // In time, but without its municipal card, and so without a contact.
    put(
        &input,
        "Ветово/карта.xlsx",
        &card("Ветово", Some(d(2017, 7, 14))),
        BookFormat::Xlsx,
    );
    let mut config = with_deadline(&input, returns_by(day(2017, 7, 31)));
    config.output = output.clone();
    pipeline::report(&config).unwrap();

    let rows = csv_rows(&output.join("data/reminders.csv"));
    let row = |code: &str| rows.iter().find(|r| r["municipality_code"] == code).unwrap();
    assert_eq!(row("RSE04")["late"], "14");
    assert_eq!(row("RSE04")["missing"], "");
    assert_eq!(row("RSE04")["deadline"], "2017-07-31");
    assert_eq!(row("RSE04")["contact_name"], "Мария Иванова");
    assert_eq!(row("RSE04")["contact_phone"], "0817 72 234");
    assert_eq!(row("RSE04")["contact_email"], "m.ivanova@byala.bg");
    assert_eq!(row("RSE05")["missing"], "карта на общината");
    assert_eq!(row("RSE05")["late"], "");
    assert_eq!(row("RSE05")["contact_name"], "");
    assert_eq!(row("RSE05")["contact_phone"], "");
    // Every municipality that sent nothing is there too; none in time with all sent.
    assert!(
        rows.iter()
            .any(|r| r["municipality_code"] == "RSE27" && r["missing"].starts_with("всички"))
    );
    let text = std::fs::read_to_string(output.join("reminders.txt")).unwrap();
    assert!(
        text.contains("Община Бяла (RSE04) — до: Мария Иванова, 0817 72 234, m.ivanova@byala.bg"),
        "{text}"
    );
    assert!(text.contains("14 дни след срока 31.07.2017"), "{text}");
    assert!(
        text.contains("Община Ветово (RSE05) — до: няма контакт в картата на общината"),
        "{text}"
    );

    let submissions = csv_rows(&output.join("data/submissions.csv"));
    let bjala = submissions.iter().find(|r| r["municipality_code"] == "RSE04").unwrap();
    assert_eq!(bjala["received_on"], "2017-08-14");
    assert_eq!(bjala["received_source"], "filled_on");
    assert_eq!(bjala["days_late"], "14");
    assert_eq!(bjala["timeliness"], "late");
    let vetovo = submissions.iter().find(|r| r["municipality_code"] == "RSE05").unwrap();
    assert_eq!(
        (vetovo["days_late"].as_str(), vetovo["timeliness"].as_str()),
        ("0", "on_time")
    );

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(output.join("run.json")).unwrap()).unwrap();
    let timeliness = &json["timeliness"];
    assert_eq!(timeliness["deadlines"]["returns"], "2017-07-31");
    assert_eq!(timeliness["on_time"], 1);
    assert_eq!(timeliness["late"], 1);
    let municipalities = run_municipalities(&config);
    assert_eq!(timeliness["missing"], municipalities - 2);
    let share = timeliness["share_on_time"].as_f64().unwrap();
    assert!((share - 1.0 / municipalities as f64).abs() < 1e-9, "{share}");
}

/// The three deadlines of Ruse's first report: returns, implementation
/// report, council decision.
fn all_three() -> Deadlines {
    Deadlines {
        returns: Some(day(2017, 7, 31)),
        strategy_report: Some(day(2017, 10, 10)),
        council_decision: Some(day(2017, 10, 30)),
    }
}

/// A municipality's returns, in time: its municipal card (with a contact)
/// and a service card.
fn returns_in_time(input: &Path, municipality: &str, folder: &str) {
    put(
        input,
        &format!("{folder}/община.xlsx"),
        &municipal_card(municipality, "Иван Петров, експерт", "082 123 456, i.petrov@example.bg"),
        BookFormat::Xlsx,
    );
    put(
        input,
        &format!("{folder}/карта.xlsx"),
        &card(municipality, Some(d(2017, 7, 14))),
        BookFormat::Xlsx,
    );
}

/// Runs the report with all three deadlines and gives the output folder.
fn report_all_three(dir: &Path, lang: socmon::issue::Lang) -> std::path::PathBuf {
    let mut config = with_deadline(&dir.join("input"), all_three());
    config.output = dir.join(format!("output-{lang:?}"));
    config.lang = lang;
    pipeline::report(&config).unwrap();
    config.output
}

/// The message of one municipality in `reminders.txt` (its block up to the next).
fn message_of<'a>(text: &'a str, code: &str) -> &'a str {
    let blocks: Vec<&str> = text
        .split("\n---\n")
        .filter(|b| b.contains(&format!("({code})")))
        .collect();
    assert_eq!(blocks.len(), 1, "one message for {code}:\n{text}");
    blocks[0]
}

#[test]
fn a_municipality_missing_only_its_council_decision_is_reminded_of_it_with_the_council_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    returns_in_time(&input, "Бяла", "Бяла");
    // Its report came in time, with no council decision written in it.
    put(
        &input,
        "Бяла/отчет.xlsx",
        &report("Бяла", "", "09.10.2017"),
        BookFormat::Xlsx,
    );
    let out = report_all_three(dir.path(), socmon::issue::Lang::Bg);

    let rows = csv_rows(&out.join("data/reminders.csv"));
    let bjala: Vec<_> = rows.iter().filter(|r| r["municipality_code"] == "RSE04").collect();
    assert_eq!(bjala.len(), 1);
    let bjala = bjala[0];
    // Nothing of its returns or its report, only the decision with its deadline.
    for column in [
        "missing",
        "late",
        "deadline",
        "report_timeliness",
        "report_days_late",
        "report_deadline",
    ] {
        assert_eq!(bjala[column], "", "{column}");
    }
    assert_eq!(bjala["council_timeliness"], "missing");
    assert_eq!(bjala["council_days_late"], "");
    assert_eq!(bjala["council_deadline"], "2017-10-30");
    assert_eq!(bjala["contact_name"], "Иван Петров");

    let text = std::fs::read_to_string(out.join("reminders.txt")).unwrap();
    let message = message_of(&text, "RSE04");
    assert!(
        message.contains(
            "все още не сме получили от община Бяла: решение на общинския съвет за приемане на отчета (срок 30.10.2017). \
             Моля, изпратете липсващото възможно най-скоро."
        ),
        "{message}"
    );
    assert!(!message.contains("закъсня"), "{message}");
    assert!(!message.contains("отчет за изпълнението"), "{message}");

    // „Напомняния": the decision's column, its deadline in the header, says it is missing.
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    use calamine::Reader;
    let sheet = workbook.worksheet_range("Напомняния").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows.iter().find(|r| r.first().is_some_and(|c| c == "Община")).unwrap();
    let column = header
        .iter()
        .position(|h| h == "Решение на ОбС за приемането му, срок 30.10.2017")
        .expect("the decision's column with its deadline");
    let row = rows.iter().find(|r| r.get(1).is_some_and(|c| c == "RSE04")).unwrap();
    assert_eq!(row[column], "липсва");
    assert_eq!(row[column - 2], "", "its returns came in time");
    assert_eq!(row[column - 1], "", "its report came in time");
}

#[test]
fn a_municipality_late_with_its_report_is_reminded_with_the_days() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    returns_in_time(&input, "Ветово", "Ветово");
    // Filled in (and so received) two days after the report's deadline; adopted in time.
    put(
        &input,
        "Ветово/отчет.xlsx",
        &report("Ветово", "№ 45 от 27.10.2017 г.", "12.10.2017"),
        BookFormat::Xlsx,
    );
    let out = report_all_three(dir.path(), socmon::issue::Lang::Bg);

    let rows = csv_rows(&out.join("data/reminders.csv"));
    let vetovo = rows.iter().find(|r| r["municipality_code"] == "RSE05").unwrap();
    assert_eq!(vetovo["report_timeliness"], "late");
    assert_eq!(vetovo["report_days_late"], "2");
    assert_eq!(vetovo["report_deadline"], "2017-10-10");
    assert_eq!(vetovo["council_timeliness"], "");
    assert_eq!((vetovo["missing"].as_str(), vetovo["late"].as_str()), ("", ""));

    let text = std::fs::read_to_string(out.join("reminders.txt")).unwrap();
    let message = message_of(&text, "RSE05");
    assert!(
        message.contains(
            "община Ветово закъсня с: отчета за изпълнението на общинската стратегия \
             (получен на 12.10.2017, 2 дни след срока 10.10.2017)."
        ),
        "{message}"
    );
    assert!(!message.contains("не сме получили"), "{message}");
}

#[test]
fn a_municipality_late_with_its_returns_and_missing_its_report_gets_one_message_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    // Its returns came five days late, and no implementation report at all.
    put(
        &input,
        "Борово/община.xlsx",
        &municipal_card("Борово", "Анна Колева, специалист", "0817 2 12 34"),
        BookFormat::Xlsx,
    );
    put(
        &input,
        "Борово/карта.xlsx",
        &card("Борово", Some(d(2017, 8, 5))),
        BookFormat::Xlsx,
    );
    let out = report_all_three(dir.path(), socmon::issue::Lang::Bg);

    let rows = csv_rows(&out.join("data/reminders.csv"));
    let borovo: Vec<_> = rows.iter().filter(|r| r["municipality_code"] == "RSE03").collect();
    assert_eq!(borovo.len(), 1, "one row for the municipality");
    let borovo = borovo[0];
    assert_eq!(borovo["late"], "5");
    assert_eq!(borovo["deadline"], "2017-07-31");
    assert_eq!(borovo["report_timeliness"], "missing");
    assert_eq!(borovo["report_deadline"], "2017-10-10");
    // With no report there is no decision either.
    assert_eq!(borovo["council_timeliness"], "missing");

    let text = std::fs::read_to_string(out.join("reminders.txt")).unwrap();
    let message = message_of(&text, "RSE03");
    assert!(
        message.starts_with("Община Борово (RSE03) — до: Анна Колева, 0817 2 12 34\n"),
        "{message}"
    );
    assert!(
        message.contains(
            "все още не сме получили от община Борово: отчет за изпълнението на общинската стратегия (срок 10.10.2017); \
             решение на общинския съвет за приемане на отчета (срок 30.10.2017)."
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "Община Борово закъсня и с: отчетните данни (получени на 05.08.2017, 5 дни след срока 31.07.2017)."
        ),
        "{message}"
    );

    // The same in English with --lang en.
    let out = report_all_three(dir.path(), socmon::issue::Lang::En);
    let text = std::fs::read_to_string(out.join("reminders.txt")).unwrap();
    let message = message_of(&text, "RSE03");
    assert!(
        message.contains(
            "we have not received from Борово municipality: the implementation report of the municipal strategy \
             (deadline 10.10.2017); the council decision adopting the report (deadline 30.10.2017)."
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "Борово municipality was also late with: the returns (received on 05.08.2017, 5 days after the deadline 31.07.2017)."
        ),
        "{message}"
    );
}

fn run_municipalities(config: &socmon::config::Config) -> u64 {
    config.schemas.reference.municipalities_of("RSE").count() as u64
}

#[test]
fn a_bad_deadline_is_a_usage_error_naming_the_valid_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    for args in [
        vec!["validate", "--oblast", "RSE", "--deadline", "report=2017-10-10"],
        vec!["validate", "--oblast", "RSE", "--deadline", "returns=31.02.2017"],
        vec!["validate", "--oblast", "RSE", "--deadline", "returns"],
    ] {
        let out = socmon(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("returns, strategy_report, council_decision"),
            "{stderr}"
        );
    }
    std::fs::write(
        dir.path().join("input/socmon.toml"),
        "oblast = \"RSE\"\n[deadlines]\nreturns = \"2017-07-31\"\ncouncil = \"2017-10-30\"\n",
    )
    .unwrap();
    let out = socmon(&["validate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"council\"") && stderr.contains("strategy_report"),
        "{stderr}"
    );
}

#[test]
fn the_history_keeps_timeliness_and_contacts_so_reminders_say_late_last_period_too() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let run_period = |name: &str, period: &str, deadline: NaiveDate, files: &[(&str, socmon::book::Book)]| {
        let input = dir.path().join(name);
        for (file, book) in files {
            put(&input, file, book, BookFormat::Xlsx);
        }
        let mut config = with_deadline(&input, returns_by(deadline));
        config.period = period.parse().unwrap();
        config.output = dir.path().join(format!("{name}-out"));
        config.history = Some(socmon::config::HistoryConfig {
            dir: history.clone(),
            compare_with: None,
        });
        pipeline::report(&config).unwrap();
        config.output
    };
    // 2017Q2: Бяла late, with its municipal card and contact.
    run_period(
        "q2",
        "2017Q2",
        day(2017, 7, 31),
        &[
            (
                "Бяла/община.xlsx",
                municipal_card(
                    "Бяла",
                    "Мария Иванова, главен експерт",
                    "0817 72 234, m.ivanova@byala.bg",
                ),
            ),
            ("Бяла/карта.xlsx", card("Бяла", Some(d(2017, 8, 14)))),
        ],
    );
    // 2017Q3: late again, and without its municipal card this time.
    let out = run_period(
        "q3",
        "2017Q3",
        day(2017, 10, 31),
        &[("Бяла/карта.xlsx", card("Бяла", Some(d(2017, 11, 10))))],
    );
    let rows = csv_rows(&out.join("data/reminders.csv"));
    let bjala = rows.iter().find(|r| r["municipality_code"] == "RSE04").unwrap();
    assert_eq!(bjala["late"], "10");
    assert_eq!(bjala["missing"], "карта на общината");
    assert_eq!(bjala["late_last_period"], "true");
    // The contact is the latest stored one.
    assert_eq!(bjala["contact_name"], "Мария Иванова");
    assert_eq!(bjala["contact_email"], "m.ivanova@byala.bg");
    let text = std::fs::read_to_string(out.join("reminders.txt")).unwrap();
    assert!(text.contains("закъсняха и през предходния период"), "{text}");
    // A municipality missing in both periods was late (missing) last period too.
    let ruse = rows.iter().find(|r| r["municipality_code"] == "RSE27").unwrap();
    assert_eq!(ruse["late_last_period"], "true");
    // The stored period keeps the calendar.
    let stored = socmon::history::History::open(&history)
        .unwrap()
        .load("RSE", None)
        .unwrap();
    let q2 = &stored[0].timeliness;
    let bjala_q2 = q2.iter().find(|t| t.municipality_code == "RSE04").unwrap();
    assert_eq!(bjala_q2.received_on, Some(day(2017, 8, 14)));
    assert_eq!(bjala_q2.timeliness, "late");
    assert_eq!(bjala_q2.days_late, Some(14));
    assert_eq!(bjala_q2.contact_phone, "0817 72 234");
    // A run of a period already stored (a quarter run again) does not load
    // that period's tables: it is neither compared with nor followed.
    let opened = socmon::history::History::open(&history).unwrap();
    let again = stored[0].meta.period;
    let others = opened.load("RSE", Some(&again)).unwrap();
    assert_eq!(others.len(), stored.len() - 1);
    assert!(others.iter().all(|p| p.meta.period != again));
}

/// A generated sample run as a user runs it (its `socmon.toml` read for the
/// period, the oblast and the three deadlines) reports exactly the late and
/// missing municipalities its truth lists: in `submissions.csv` for the
/// returns, the implementation report and the council decision, as `late`
/// findings at their files, and in `reminders.csv` and `reminders.txt` for
/// all three.
#[test]
fn the_sample_dates_every_return_by_its_registry_and_plants_late_and_missing_municipalities() {
    let schemas = schemas();
    let options = socmon::sample::SampleOptions {
        oblasts: vec!["RSE".into()],
        scale: 1,
        seed: 2017,
        mistakes: 0.15,
        period: socmon::period::Period::report_2016_2017(),
        later: None,
    };
    let sample = socmon::sample::generate(&schemas, &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    socmon::sample::write(&sample, &dir.path().join("in")).unwrap();
    let truth = &sample.truth.calendar;
    let settings = std::fs::read_to_string(dir.path().join("in/socmon.toml")).unwrap();
    assert!(
        settings.contains(
            "[deadlines]\nreturns = \"2017-07-31\"\nstrategy_report = \"2017-08-14\"\ncouncil_decision = \"2017-08-29\""
        ),
        "{settings}"
    );
    // Some late and some missing with each of the report and the decision;
    // the municipality with no report misses both.
    use socmon::calendar::DeadlineKey::{CouncilDecision, Returns, StrategyReport};
    for key in [Returns, StrategyReport, CouncilDecision] {
        assert!(truth.late.iter().any(|l| l.what == key), "none late with {key:?}");
    }
    for key in [StrategyReport, CouncilDecision] {
        assert!(truth.missing.iter().any(|m| m.what == key), "none missing {key:?}");
    }
    assert!(
        truth.missing.iter().any(|m| m.what == CouncilDecision
            && !truth
                .missing
                .iter()
                .any(|r| r.what == StrategyReport && r.municipality == m.municipality)),
        "a report came without its council's decision: {:?}",
        truth.missing
    );

    let output = socmon(&["run", "--input", "in", "--output", "out", "--no-history"], dir.path());
    let summary = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{summary}");
    let out = dir.path().join("out");
    // The summary counts each deadline's municipalities on time, late and missing.
    let count = |key, late: bool| {
        if late {
            truth.late.iter().filter(|l| l.what == key).count()
        } else {
            truth.missing.iter().filter(|m| m.what == key).count()
        }
    };
    for (what, key, day) in [
        ("отчети за изпълнението", StrategyReport, "14.08.2017"),
        ("решения на общинските съвети", CouncilDecision, "29.08.2017"),
    ] {
        let (late, missing) = (count(key, true), count(key, false));
        let line = format!(
            "{what}, срок {day}: в срок {}, закъснели {late}, липсват {missing}",
            8 - late - missing
        );
        assert!(summary.contains(&line), "{line}\n{summary}");
    }

    // Every municipality's timeliness, for each deadline, as the truth has it.
    let expected = |key, code: &str| {
        if truth.missing.iter().any(|m| m.what == key && m.municipality == code) {
            ("missing".to_string(), None)
        } else if let Some(l) = truth.late.iter().find(|l| l.what == key && l.municipality == code) {
            ("late".to_string(), Some(l.days))
        } else {
            ("on_time".to_string(), None)
        }
    };
    let submissions = csv_rows(&out.join("data/submissions.csv"));
    assert_eq!(submissions.len(), 8);
    for row in &submissions {
        let code = row["municipality_code"].as_str();
        let (timeliness, days) = expected(Returns, code);
        assert_eq!(row["timeliness"], timeliness, "{code}");
        assert_eq!(row["days_late"], days.unwrap_or(0).to_string(), "{code}");
        assert_eq!(row["received_on"], truth.received[code].to_string(), "{code}");
        assert_eq!(row["received_source"], "registry", "{code}");
        assert_eq!(row["report_timeliness"], expected(StrategyReport, code).0, "{code}");
        assert_eq!(
            row["report_received_on"],
            truth
                .report_received
                .get(code)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            "{code}"
        );
        assert_eq!(row["council_timeliness"], expected(CouncilDecision, code).0, "{code}");
        assert_eq!(
            row["council_decision_on"],
            truth
                .council_decision
                .get(code)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            "{code}"
        );
    }

    // A late finding at each late file (the decision's at its cell in the
    // report), with its municipality; no other.
    let issues = csv_rows(&out.join("data/issues.csv"));
    let mut late: Vec<(String, String, String)> = issues
        .iter()
        .filter(|i| i["code"] == "late")
        .map(|i| (i["file"].clone(), i["municipality_code"].clone(), i["field"].clone()))
        .collect();
    late.sort();
    let mut want: Vec<(String, String, String)> = truth
        .late
        .iter()
        .map(|l| {
            let field = if l.what == CouncilDecision {
                "council_decision"
            } else {
                ""
            };
            (l.file.clone(), l.municipality.clone(), field.to_string())
        })
        .collect();
    want.sort();
    assert_eq!(late, want);
    // The registry is read with no finding.
    assert!(issues.iter().all(|i| !i["file"].ends_with("регистър.xlsx")));

    // The reminders: exactly the municipalities late or missing with any of
    // the three deadlines, one row each, each item with its days and deadline.
    let reminders = csv_rows(&out.join("data/reminders.csv"));
    let mut reminded: Vec<(String, String, String, String)> = Vec::new();
    for r in &reminders {
        let code = &r["municipality_code"];
        assert_eq!(
            reminders.iter().filter(|o| &o["municipality_code"] == code).count(),
            1,
            "{code}"
        );
        if !r["missing"].is_empty() {
            reminded.push((code.clone(), "returns".into(), "missing".into(), r["deadline"].clone()));
        }
        if !r["late"].is_empty() {
            reminded.push((
                code.clone(),
                "returns".into(),
                format!("late {}", r["late"]),
                r["deadline"].clone(),
            ));
        }
        for (what, prefix) in [("strategy_report", "report"), ("council_decision", "council")] {
            let days = &r[&format!("{prefix}_days_late")];
            let state = match r[&format!("{prefix}_timeliness")].as_str() {
                "" => continue,
                "late" => format!("late {days}"),
                other => other.to_string(),
            };
            reminded.push((
                code.clone(),
                what.into(),
                state,
                r[&format!("{prefix}_deadline")].clone(),
            ));
        }
    }
    reminded.sort();
    let deadline = |key| truth.deadlines.get(key).unwrap().to_string();
    let mut want: Vec<(String, String, String, String)> = truth
        .late
        .iter()
        .map(|l| {
            (
                l.municipality.clone(),
                l.what.as_str().into(),
                format!("late {}", l.days),
                deadline(l.what),
            )
        })
        .chain(truth.missing.iter().map(|m| {
            (
                m.municipality.clone(),
                m.what.as_str().into(),
                "missing".into(),
                deadline(m.what),
            )
        }))
        .collect();
    want.sort();
    assert_eq!(reminded, want);
    // One message per municipality reminded, naming each of its items.
    let text = std::fs::read_to_string(out.join("reminders.txt")).unwrap();
    assert_eq!(text.matches("\n---\n").count() + 1, reminders.len(), "{text}");
    for (code, _, state, deadline) in &want {
        let message = message_of(&text, code);
        let day = chrono::NaiveDate::parse_from_str(deadline, "%Y-%m-%d")
            .unwrap()
            .format("%d.%m.%Y");
        let said = match state.strip_prefix("late ") {
            Some(days) => format!("{days} дни след срока {day}"),
            None => format!("(срок {day})"),
        };
        assert!(message.contains(&said), "{said}\n{message}");
    }
}

/// A national run reads each oblast's registry as that oblast's: „Община
/// Бяла" in the registry of Област Варна is Бяла of Варна (VAR05), as a run
/// over Варна alone reads it, not a name two oblasts share; and the
/// registry, kept in the oblast's folder „Област Варна", is the oblast's
/// own document, not the return of the municipality Варна.
#[test]
fn a_national_run_reads_each_oblasts_registry_in_its_own_oblast() {
    let schemas = schemas();
    let options = socmon::sample::SampleOptions {
        oblasts: vec!["RSE".into(), "VAR".into()],
        scale: 1,
        seed: 2017,
        mistakes: 0.0,
        period: socmon::period::Period::report_2016_2017(),
        later: None,
    };
    let sample = socmon::sample::generate(&schemas, &options).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    socmon::sample::write(&sample, &input).unwrap();
    let mut config = config(&input, None);
    config.oblast = socmon::config::OblastChoice::All;
    let run = pipeline::check(&config).unwrap();

    let registries: Vec<&str> = ["Област Русе/Входящ регистър.xlsx", "Област Варна/Входящ регистър.xlsx"]
        .into_iter()
        .filter(|f| input.join(f).exists())
        .collect();
    assert_eq!(
        registries.len(),
        2,
        "the sample keeps a registry in each oblast's folder"
    );
    for registry in &registries {
        let found: Vec<String> = issues_at(&run, registry).iter().map(|i| i.code().to_string()).collect();
        assert!(found.is_empty(), "{registry}: {found:?}");
    }
    for (code, oblast) in [("VAR05", "VAR"), ("RSE04", "RSE")] {
        let bjala = run.calendar.of(code).unwrap();
        assert_eq!(bjala.oblast_code, oblast);
        let received = bjala.received.as_ref().unwrap();
        assert_eq!(received.source, Source::Registry, "{code}: {received:?}");
    }
    // The oblast's folder names no municipality: what is found in a file
    // kept there goes to the analyst's lists, not to Русе's or Варна's feedback …
    let registry_rows = &run.registry;
    assert!(registry_rows.iter().any(|r| r.municipality.as_deref() == Some("VAR05")));
    for (registry, oblast) in registries.iter().zip(["RSE", "VAR"]) {
        let sender = run.senders.of(registry);
        assert_eq!(sender.municipality, None, "{registry}");
        // … and they count to the oblast whose folder it is.
        assert_eq!(sender.oblast.as_deref(), Some(oblast), "{registry}");
    }
}
