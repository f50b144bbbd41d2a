//! The messy returns TEMPLATES.md describes, one case each: how the card is
//! laid out and how values are written must not change what is read, and
//! each honest mistake is reported at its cell with the right code.

use socmon::book::{BookCell, BookFormat, BookSheet};

use super::support::*;

/// Rows of a card: label and value.
type CardRows = Vec<(&'static str, socmon::book::BookValue)>;

/// Expected findings on a card: cell, code, severity.
type Expected = Vec<(&'static str, &'static str, &'static str)>;

fn one_card(
    rows: Vec<(&'static str, socmon::book::BookValue)>,
    style: Style,
    format: BookFormat,
) -> (tempfile::TempDir, socmon::run::Run) {
    let dir = tempfile::tempdir().unwrap();
    let name = match format {
        BookFormat::Xlsx => "card.xlsx",
        BookFormat::Xls => "card.xls",
        BookFormat::Ods => "card.ods",
    };
    put(
        dir.path(),
        name,
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &rows, style)]),
        format,
    );
    let run = check(dir.path());
    (dir, run)
}

/// The figures a clean adults card gives, whatever its layout.
fn assert_clean_card(run: &socmon::run::Run) {
    let schemas = schemas();
    assert_eq!(
        findings(run),
        Vec::<(String, String, String, String)>::new(),
        "{:#?}",
        run.issues
    );
    assert_eq!(run.records.len(), 1);
    let r = &run.records[0];
    assert!(r.accepted());
    assert_eq!(r.municipality.as_deref(), Some("RSE04"));
    assert_eq!(value(&schemas, r, "service_type"), "DC_ELDERLY");
    assert_eq!(value(&schemas, r, "capacity"), "30");
    assert_eq!(value(&schemas, r, "avg_users"), "28.5");
    assert_eq!(value(&schemas, r, "budget_state"), "185250.5");
    assert_eq!(value(&schemas, r, "start_date"), "2010-03-01");
    assert_eq!(value(&schemas, r, "financing"), "STATE_DELEGATED");
}

#[test]
fn every_label_layout_reads_the_same_card() {
    let layouts = [
        Style::default(),
        Style {
            numbered_in_label: true,
            ..Style::default()
        },
        Style {
            number_column: true,
            ..Style::default()
        },
        Style {
            number_column: true,
            label_span: 3,
            ..Style::default()
        },
        Style {
            label_span: 2,
            blank_rows: true,
            ..Style::default()
        },
        Style {
            title: false,
            ..Style::default()
        },
    ];
    for style in layouts {
        for format in [BookFormat::Xlsx, BookFormat::Xls, BookFormat::Ods] {
            let (_dir, run) = one_card(adults_card("Бяла", "Дневен център „Надежда“"), style, format);
            assert_clean_card(&run);
        }
    }
}

#[test]
fn retyped_labels_are_recognised() {
    let rows = adults_card("Бяла", "Дневен център „Надежда“");
    let retyped: Vec<(&'static str, socmon::book::BookValue)> = rows
        .into_iter()
        .map(|(label, value)| {
            let written: &'static str = match label {
                // Upper case, trailing colon and star, a line break, Latin look-alikes (K, a, p, e).
                "Капацитет (брой места)" => "KAПАЦИТЕТ\n(брой места):",
                "Вид на социалната услуга" => "Вид на социалната услуга*",
                "Среден брой потребители за периода" => {
                    "Cреден   брой потребители\nза периода"
                }
                "Начин на финансиране" => "Начин на финансиране :",
                // An alias from the schema.
                "Наименование на социалната услуга" => "Наименование на услугата",
                other => other,
            };
            (written, value)
        })
        .collect();
    let (_dir, run) = one_card(retyped, Style::default(), BookFormat::Xlsx);
    assert_clean_card(&run);
}

#[test]
fn values_written_the_bulgarian_way_are_read() {
    let rows = adults_card("общ. Бяла", "Дневен център „Надежда“");
    let rows = with(rows, "Област", Some(t("обл. Русе")));
    let rows = with(rows, "Капацитет (брой места)", Some(t("30")));
    let rows = with(rows, "Среден брой потребители за периода", Some(t("28,5")));
    let rows = with(
        rows,
        "Средства за периода – държавно делегирана дейност (лв.)",
        Some(t("185 250,50 лв.")),
    );
    let rows = with(rows, "Средства за периода – местна дейност (лв.)", Some(t("12.000,00")));
    let rows = with(rows, "Дата на откриване", Some(t("1.3.2010 г.")));
    let rows = with(rows, "Дата на попълване", Some(t("2017-07-14")));
    let rows = with(rows, "Начин на финансиране", Some(t("ДДД")));
    let rows = with(rows, "Вид на социалната услуга", Some(t("DC_ELDERLY")));
    let rows = with(rows, "в т.ч. лица с увреждания", Some(t("н/п")));
    let (_dir, run) = one_card(rows, Style::default(), BookFormat::Xlsx);
    assert_clean_card(&run);
    let schemas = schemas();
    assert_eq!(value(&schemas, &run.records[0], "budget_local"), "12000");
    assert_eq!(
        value(&schemas, &run.records[0], "users_disabled"),
        "",
        "н/п counts as empty"
    );
}

#[test]
fn a_field_twice_agrees_or_is_an_error_at_both_places() {
    // The title block repeats the oblast ("Област: Русе") and the card says it again.
    let dir = tempfile::tempdir().unwrap();
    let mut sheet = form_sheet(
        "Карта",
        ADULTS_TITLE,
        &adults_card("Бяла", "ДЦ Надежда"),
        Style::default(),
    );
    sheet.cells.push(BookCell {
        row: 1,
        col: 0,
        value: t("Област: RSE"),
    });
    put(dir.path(), "same.xlsx", &book(vec![sheet]), BookFormat::Xlsx);
    let mut sheet = form_sheet(
        "Карта",
        ADULTS_TITLE,
        &adults_card("Бяла", "ДЦ Слънце"),
        Style::default(),
    );
    sheet.cells.push(BookCell {
        row: 1,
        col: 0,
        value: t("Област: Варна"),
    });
    put(dir.path(), "different.xlsx", &book(vec![sheet]), BookFormat::Xlsx);
    let run = check(dir.path());
    assert!(
        issues_at(&run, "same.xlsx")
            .iter()
            .all(|i| i.code() == "card_count" || i.severity.as_str() == "warning")
    );
    let conflicts: Vec<String> = issues_at(&run, "different.xlsx")
        .iter()
        .filter(|i| i.code() == "conflict")
        .map(|i| i.location.cell.unwrap().to_string())
        .collect();
    assert_eq!(conflicts, ["A2", "B3"]);
    assert!(!records_of(&run, "different.xlsx")[0].accepted());
}

#[test]
fn unknown_labels_are_ignored() {
    let mut rows = adults_card("Бяла", "ДЦ Надежда");
    rows.insert(3, ("Бележка на попълващия", t("нищо особено")));
    let (_dir, run) = one_card(rows, Style::default(), BookFormat::Xlsx);
    assert_clean_card(&run);
}

#[test]
fn honest_mistakes_are_reported_at_their_cells() {
    // Layout: title in row 1, a blank row, then one field per row from row 3 (label in A, value in B).
    let base = adults_card("Бяла", "ДЦ Надежда");
    let cases: Vec<(&str, CardRows, &str, &str, &str)> = vec![
        (
            "two_digit_year.xlsx",
            with(base.clone(), "Дата на откриване", Some(t("01.03.16"))),
            "B12",
            "type",
            "error",
        ),
        (
            "fraction.xlsx",
            with(base.clone(), "Капацитет (брой места)", Some(t("12,5"))),
            "B13",
            "type",
            "error",
        ),
        (
            "negative.xlsx",
            with(base.clone(), "Капацитет (брой места)", Some(n(-3.0))),
            "B13",
            "range",
            "error",
        ),
        (
            "ambiguous.xlsx",
            with(base.clone(), "Вид на социалната услуга", Some(t("ЦНСТ"))),
            "B7",
            "enum",
            "error",
        ),
        (
            "unknown_type.xlsx",
            with(base.clone(), "Вид на социалната услуга", Some(t("Център за нещо"))),
            "B7",
            "enum",
            "error",
        ),
        (
            "wrong_card.xlsx",
            with(base.clone(), "Вид на социалната услуга", Some(t("ЦОП"))),
            "B7",
            "wrong_card",
            "error",
        ),
        (
            "empty_required.xlsx",
            with(base.clone(), "Населено място", Some(t(""))),
            "B5",
            "required",
            "error",
        ),
        (
            "dash_required.xlsx",
            with(base.clone(), "Населено място", Some(t("-"))),
            "B5",
            "required",
            "error",
        ),
        (
            "over_capacity.xlsx",
            with(base.clone(), "Среден брой потребители за периода", Some(n(35.0))),
            "B14",
            "cross_field",
            "warning",
        ),
        (
            "over_twice.xlsx",
            with(base.clone(), "Среден брой потребители за периода", Some(n(61.0))),
            "B14",
            "cross_field",
            "error",
        ),
        (
            "disabled.xlsx",
            with(base.clone(), "в т.ч. лица с увреждания", Some(n(50.0))),
            "B16",
            "cross_field",
            "error",
        ),
        (
            "email.xlsx",
            with(base.clone(), "Телефон, e-mail", Some(t("0817 72 234, soc@byala"))),
            "B21",
            "format",
            "error",
        ),
        (
            "typo_municipality.xlsx",
            with(base.clone(), "Община", Some(t("Бялаа"))),
            "B4",
            "unknown_municipality",
            "error",
        ),
        (
            "other_oblast.xlsx",
            with(
                with(base.clone(), "Област", Some(t("Варна"))),
                "Община",
                Some(t("Девня")),
            ),
            "B4",
            "wrong_oblast",
            "error",
        ),
        (
            "not_in_oblast.xlsx",
            with(base.clone(), "Община", Some(t("Девня"))),
            "B4",
            "wrong_oblast",
            "error",
        ),
        (
            "project_end.xlsx",
            with(base.clone(), "Начин на финансиране", Some(t("ОП РЧР"))),
            "",
            "required",
            "error",
        ),
        (
            "closed_before_opened.xlsx",
            with(base.clone(), "Дата на закриване", Some(d(2009, 1, 1))),
            "B22",
            "cross_field",
            "error",
        ),
        (
            "no_date.xlsx",
            with(base.clone(), "Дата на откриване", None),
            "",
            "required",
            "error",
        ),
    ];
    for (file, rows, cell, code, severity) in cases {
        let dir = tempfile::tempdir().unwrap();
        put(
            dir.path(),
            file,
            &book(vec![form_sheet("Карта", ADULTS_TITLE, &rows, Style::default())]),
            BookFormat::Xlsx,
        );
        let run = check(dir.path());
        let found: Vec<(String, String, String, String)> = findings(&run)
            .into_iter()
            .filter(|(_, _, c, _)| c != "card_count")
            .collect();
        assert!(
            found.contains(&(
                file.to_string(),
                cell.to_string(),
                code.to_string(),
                severity.to_string()
            )),
            "{file}: expected {code} {severity} at {cell}, found {found:?}"
        );
        let accepted = run.records[0].accepted();
        assert_eq!(
            accepted,
            severity == "warning",
            "{file}: a record with an error is rejected, warnings keep it"
        );
        // Nothing else is reported on a card with one mistake.
        assert_eq!(found.len(), 1, "{file}: {found:?}");
    }
}

#[test]
fn a_licence_is_checked_against_the_period() {
    let children = |licence_until: socmon::book::BookValue| -> Vec<(&'static str, socmon::book::BookValue)> {
        vec![
            ("Област", t("Русе")),
            ("Община", t("Русе")),
            ("Населено място", t("гр. Русе")),
            ("Наименование на социалната услуга", t("ЦОП „Детство“")),
            ("Вид на социалната услуга", t("ЦОП")),
            ("Доставчик на услугата", t("Фондация „Детство“")),
            ("Вид на доставчика", t("НПО")),
            ("Лиценз от ДАЗД №", t("1234")),
            ("Лицензът е валиден до", licence_until),
            ("Начин на финансиране", t("ДДД")),
            ("Дата на откриване", d(2012, 1, 1)),
            ("Капацитет (брой места)", n(20.0)),
            ("Среден брой потребители за периода", n(18.0)),
            ("Брой обслужени потребители за периода", n(25.0)),
        ]
    };
    for (until, expected) in [
        (d(2020, 1, 1), None),
        (d(2017, 3, 31), Some(("license", "warning"))),
        (d(2015, 12, 31), Some(("license", "error"))),
    ] {
        let dir = tempfile::tempdir().unwrap();
        put(
            dir.path(),
            "cop.xlsx",
            &book(vec![form_sheet(
                "ЦОП",
                CHILDREN_TITLE,
                &children(until),
                Style::default(),
            )]),
            BookFormat::Xlsx,
        );
        let run = check(dir.path());
        let found: Vec<(String, String)> = findings(&run).into_iter().map(|(_, _, c, s)| (c, s)).collect();
        match expected {
            None => assert!(found.is_empty(), "{found:?}"),
            Some((code, severity)) => assert_eq!(found, [(code.to_string(), severity.to_string())]),
        }
    }
    // No licence number from an NGO: required.
    let dir = tempfile::tempdir().unwrap();
    let rows = with(children(d(2020, 1, 1)), "Лиценз от ДАЗД №", None);
    put(
        dir.path(),
        "cop.xlsx",
        &book(vec![form_sheet("ЦОП", CHILDREN_TITLE, &rows, Style::default())]),
        BookFormat::Xlsx,
    );
    let found: Vec<String> = findings(&check(dir.path())).into_iter().map(|(_, _, c, _)| c).collect();
    assert_eq!(found, ["required"]);
}

#[test]
fn several_cards_in_one_workbook_skip_instructions_and_hidden_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let mut hidden = form_sheet(
        "Стара",
        ADULTS_TITLE,
        &adults_card("Бяла", "Скрита услуга"),
        Style::default(),
    );
    hidden.hidden = true;
    let instructions = BookSheet {
        name: "Указания".into(),
        hidden: false,
        cells: vec![BookCell {
            row: 0,
            col: 0,
            value: t("Попълнете картата. Област: Русе"),
        }],
        merges: Vec::new(),
        column_widths: Vec::new(),
    };
    let sheets = vec![
        instructions,
        form_sheet("ДЦ", ADULTS_TITLE, &adults_card("Бяла", "ДЦ Надежда"), Style::default()),
        hidden,
        form_sheet(
            "ДЦ 2",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ Слънце"),
            Style {
                number_column: true,
                ..Style::default()
            },
        ),
    ];
    for format in [BookFormat::Xlsx, BookFormat::Xls, BookFormat::Ods] {
        let name = format!(
            "Бяла/услуги.{}",
            match format {
                BookFormat::Xlsx => "xlsx",
                BookFormat::Xls => "xls",
                BookFormat::Ods => "ods",
            }
        );
        let sub = tempfile::tempdir().unwrap();
        put(sub.path(), &name, &book(sheets.clone()), format);
        let run = check(sub.path());
        let sheets_read: Vec<&str> = run.records.iter().map(|r| r.sheet.as_str()).collect();
        assert_eq!(sheets_read, ["ДЦ", "ДЦ 2"], "{name}");
        assert!(run.records.iter().all(|r| r.accepted()), "{name}: {:?}", run.issues);
    }
    drop(dir);
}

#[test]
fn a_dsp_table_with_title_block_merged_header_numbers_and_totals() {
    let schemas = schemas();
    for format in [BookFormat::Xlsx, BookFormat::Xls, BookFormat::Ods] {
        let dir = tempfile::tempdir().unwrap();
        put(dir.path(), "dsp.x", &book(vec![dsp_sheet()]), format);
        let run = check(dir.path());
        assert_eq!(
            findings(&run),
            Vec::<(String, String, String, String)>::new(),
            "{format:?}"
        );
        let municipalities: Vec<&str> = run.records.iter().map(|r| r.municipality.as_deref().unwrap()).collect();
        assert_eq!(municipalities, ["RSE27", "RSE04", "RSE13"], "{format:?}");
        let ruse = &run.records[0];
        assert_eq!(value(&schemas, ruse, "children_total"), "24000");
        assert_eq!(value(&schemas, ruse, "children_disabled"), "310");
        assert_eq!(value(&schemas, ruse, "children_foster"), "40");
        assert_eq!(value(&schemas, ruse, "children_institutions"), "12");
        assert_eq!(value(&schemas, ruse, "adults_disabled"), "9500");
        assert_eq!(value(&schemas, ruse, "adults_disabled_90"), "1300");
        assert_eq!(value(&schemas, ruse, "data_date"), "2017-06-30");
        assert_eq!(
            ruse.cells[schemas.template("dsp").unwrap().field_index("adults_disabled").unwrap()]
                .unwrap()
                .to_string(),
            "I9"
        );
    }
}

#[test]
fn bare_sofia_and_shared_names_are_settled_by_context() {
    let dir = tempfile::tempdir().unwrap();
    let card = |oblast: &str, municipality: &str| {
        with(
            with(adults_card(municipality, "ДЦ"), "Област", Some(t(oblast))),
            "Община",
            Some(t(municipality)),
        )
    };
    // „София" with a municipality of Sofia oblast is SFO.
    put(
        dir.path(),
        "a.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &card("София", "Самоков"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    // „София" with an unknown municipality is ambiguous.
    put(
        dir.path(),
        "b.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &card("София", "Нещоград"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    let run = socmon::pipeline::check(&config(dir.path(), Some("SFO"))).unwrap();
    assert!(
        issues_at(&run, "a.xlsx").iter().all(|i| i.code() != "unknown_oblast"),
        "{:?}",
        issues_at(&run, "a.xlsx")
    );
    assert_eq!(records_of(&run, "a.xlsx")[0].oblast.as_deref(), Some("SFO"));
    let b: Vec<&str> = issues_at(&run, "b.xlsx").iter().map(|i| i.code()).collect();
    assert!(
        b.contains(&"unknown_oblast") && b.contains(&"unknown_municipality"),
        "{b:?}"
    );

    // „Бяла" is in Ruse and in Varna oblast: the card's oblast decides.
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "ruse.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &card("Русе", "Бяла"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    let run = check(dir.path());
    assert_eq!(run.records[0].municipality.as_deref(), Some("RSE04"));
}

#[test]
fn duplicates_across_files_are_reported_at_both_places_and_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let rows = adults_card("Бяла", "ДЦ „Надежда“");
    put(
        dir.path(),
        "a/first.xlsx",
        &book(vec![form_sheet("К", ADULTS_TITLE, &rows, Style::default())]),
        BookFormat::Xlsx,
    );
    // The same service, its name typed differently.
    let again = with(rows, "Наименование на социалната услуга", Some(t("дц надежда")));
    put(
        dir.path(),
        "b/second.xls",
        &book(vec![form_sheet("К", ADULTS_TITLE, &again, Style::default())]),
        BookFormat::Xls,
    );
    let run = check(dir.path());
    let duplicates: Vec<(String, String)> = findings(&run)
        .into_iter()
        .filter(|(_, _, c, _)| c == "duplicate")
        .map(|(f, _, _, s)| (f, s))
        .collect();
    assert_eq!(
        duplicates,
        [
            ("a/first.xlsx".into(), "warning".into()),
            ("b/second.xls".into(), "warning".into())
        ]
    );
    let counted: Vec<bool> = run.records.iter().map(|r| r.counted).collect();
    assert_eq!(counted, [true, false]);
    let aggregates = socmon::aggregate::aggregate(
        &schemas(),
        &socmon::period::Period::report_2016_2017(),
        &run.oblasts,
        &run.records,
    )
    .unwrap();
    let byala = aggregates
        .by_municipality
        .iter()
        .find(|m| m.municipality_code == "RSE04")
        .unwrap();
    assert_eq!((byala.services, byala.capacity), (1, 30));
    assert_eq!(aggregates.services.len(), 2, "both copies are listed");
}

#[test]
fn files_that_are_not_returns_are_reported_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "good.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    std::fs::write(dir.path().join("empty.xlsx"), b"").unwrap();
    std::fs::write(dir.path().join("random.xls"), [7u8, 1, 250, 3, 99, 0, 0, 12, 200]).unwrap();
    std::fs::write(dir.path().join("scan.pdf"), b"%PDF-1.4 not a spreadsheet").unwrap();
    std::fs::write(dir.path().join("README.md"), b"# notes").unwrap();
    std::fs::write(dir.path().join("~$good.xlsx"), b"lock").unwrap();
    let good = std::fs::read(dir.path().join("good.xlsx")).unwrap();
    std::fs::write(dir.path().join("truncated.xlsx"), &good[..good.len() / 2]).unwrap();
    // An .xls saved under an .xlsx name is read by its content.
    put(
        dir.path(),
        "renamed.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ 2"),
            Style::default(),
        )]),
        BookFormat::Xls,
    );
    let before: Vec<(String, Vec<u8>)> = ["good.xlsx", "truncated.xlsx", "renamed.xlsx"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.path().join(f)).unwrap()))
        .collect();

    let run = check(dir.path());
    let unreadable: Vec<&str> = run
        .issues
        .iter()
        .filter(|i| i.code() == "unreadable_file")
        .map(|i| i.location.file.as_str())
        .collect();
    assert_eq!(unreadable, ["empty.xlsx", "random.xls", "scan.pdf", "truncated.xlsx"]);
    assert_eq!(run.files.seen, 7);
    assert_eq!((run.files.read, run.files.failed, run.files.skipped), (2, 4, 1));
    assert_eq!(run.records.len(), 2);
    for (file, bytes) in before {
        assert_eq!(
            std::fs::read(dir.path().join(&file)).unwrap(),
            bytes,
            "{file} was changed"
        );
    }
}

fn municipal_card(municipality: &str) -> Vec<(&'static str, socmon::book::BookValue)> {
    vec![
        ("Област", t("Русе")),
        ("Община", t(municipality)),
        ("Отчетен период от", d(2016, 1, 1)),
        ("Отчетен период до", d(2017, 6, 30)),
        ("Население – общо", n(12_500.0)),
        ("Население 0–17 години", n(1_800.0)),
        ("Население над 65 години", n(3_100.0)),
        ("Брой социални услуги в общността", n(1.0)),
        ("Брой специализирани институции", n(0.0)),
        ("Утвърден бюджет – държавно делегирани дейности (лв.)", n(450_000.0)),
        ("Утвърден бюджет – местни дейности (лв.)", n(120_000.0)),
        ("Приет годишен план за развитие на социалните услуги", t("да")),
        ("Дата на попълване", d(2017, 7, 15)),
    ]
}

#[test]
fn the_municipal_card_is_checked_against_itself_the_period_and_the_cards_received() {
    // Row of each field (title in row 1, fields from row 3): population B7,
    // children B8, elderly B9, community services B10.
    let cases: Vec<(&str, CardRows, Expected)> = vec![
        ("clean.xlsx", municipal_card("Бяла"), vec![]),
        (
            "children_over_population.xlsx",
            with(municipal_card("Бяла"), "Население 0–17 години", Some(n(13_000.0))),
            vec![("B8", "cross_field", "error")],
        ),
        (
            "sum_over_population.xlsx",
            with(municipal_card("Бяла"), "Население над 65 години", Some(n(11_000.0))),
            vec![("B9", "cross_field", "error")],
        ),
        (
            "other_period.xlsx",
            with(municipal_card("Бяла"), "Отчетен период от", Some(d(2017, 1, 1))),
            vec![("B5", "period", "warning")],
        ),
        (
            "count_differs.xlsx",
            with(municipal_card("Бяла"), "Брой социални услуги в общността", Some(n(4.0))),
            vec![("B10", "card_count", "warning")],
        ),
        (
            "no_plan_answer.xlsx",
            with(
                municipal_card("Бяла"),
                "Приет годишен план за развитие на социалните услуги",
                Some(t("може би")),
            ),
            vec![("B14", "type", "error")],
        ),
    ];
    for (file, rows, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        put(
            dir.path(),
            file,
            &book(vec![form_sheet("Карта", MUNICIPAL_TITLE, &rows, Style::default())]),
            BookFormat::Xlsx,
        );
        // One service card received for the municipality: the card declares 1.
        put(
            dir.path(),
            "service.xlsx",
            &book(vec![form_sheet(
                "К",
                ADULTS_TITLE,
                &adults_card("Бяла", "ДЦ"),
                Style::default(),
            )]),
            BookFormat::Xlsx,
        );
        let run = check(dir.path());
        let found: Vec<(String, String, String)> = findings(&run)
            .into_iter()
            .filter(|(f, _, _, _)| f == file)
            .map(|(_, cell, code, severity)| (cell, code, severity))
            .collect();
        let expected: Vec<(String, String, String)> = expected
            .into_iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(found, expected, "{file}");
    }
}

#[test]
fn missing_submissions_are_reported_per_municipality_and_set_the_status() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "Бяла/карта.xlsx",
        &book(vec![form_sheet(
            "Карта",
            MUNICIPAL_TITLE,
            &municipal_card("Бяла"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    put(
        dir.path(),
        "Бяла/дц.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    put(
        dir.path(),
        "Русе/дц.xlsx",
        &book(vec![form_sheet(
            "К",
            ADULTS_TITLE,
            &adults_card("Русе", "ДЦ Русе"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    put(dir.path(), "ДСП/дсп.xlsx", &book(vec![dsp_sheet()]), BookFormat::Xlsx);
    let run = check(dir.path());
    let missing: Vec<(String, String)> = run
        .issues
        .iter()
        .filter(|i| i.code() == "missing_submission")
        .map(|i| (i.municipality.clone().unwrap(), i.template.clone().unwrap()))
        .collect();
    // The DSP table covers Русе, Бяла, Иваново; only Бяла sent its card.
    let mut expected = Vec::new();
    for m in ["RSE03", "RSE04", "RSE05", "RSE08", "RSE13", "RSE27", "RSE33", "RSE37"] {
        if m != "RSE04" {
            expected.push((m.to_string(), "municipality".to_string()));
        }
        if !["RSE04", "RSE13", "RSE27"].contains(&m) {
            expected.push((m.to_string(), "dsp".to_string()));
        }
    }
    assert_eq!(missing, expected);
    assert!(
        run.issues
            .iter()
            .filter(|i| i.code() == "missing_submission")
            .all(|i| i.severity.as_str() == "warning")
    );
    let aggregates = socmon::aggregate::aggregate(
        &schemas(),
        &socmon::period::Period::report_2016_2017(),
        &run.oblasts,
        &run.records,
    )
    .unwrap();
    let tally = socmon::tally::Tally::count(&run.senders, &run.issues);
    let submissions = socmon::aggregate::submissions(&schemas(), &run.oblasts, &run.records, &tally);
    let status: Vec<(&str, &str)> = submissions
        .iter()
        .map(|s| (s.municipality_code.as_str(), s.status.as_str()))
        .collect();
    assert_eq!(
        status,
        [
            ("RSE03", "missing"),
            ("RSE04", "complete"),
            ("RSE05", "missing"),
            ("RSE08", "missing"),
            ("RSE13", "missing"),
            ("RSE27", "incomplete"),
            ("RSE33", "missing"),
            ("RSE37", "missing"),
        ]
    );
    // Every municipality of the oblast has its row in the figures, those that sent nothing included.
    assert_eq!(aggregates.by_municipality.len(), 8);
    let ivanovo = aggregates
        .by_municipality
        .iter()
        .find(|m| m.municipality_code == "RSE13")
        .unwrap();
    assert_eq!(
        (
            ivanovo.services,
            ivanovo.population,
            ivanovo.dsp_value("children_total")
        ),
        (0, None, Some(900))
    );
}
