//! The written report read back: the workbook's figures agree with the CSV
//! data to the unit, totals are formulas with cached values, text that looks
//! like a formula stays text, the same input gives the same bytes.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use socmon::book::{BookCell, BookFormat};

use super::support::*;

/// An oblast's worth of returns: a municipal card, service cards, a DSP table,
/// one card with an error, one service whose name starts with "=".
fn returns(input: &Path) {
    let municipal = vec![
        ("Област", t("Русе")),
        ("Община", t("Бяла")),
        ("Отчетен период от", d(2016, 1, 1)),
        ("Отчетен период до", d(2017, 6, 30)),
        ("Население – общо", t("12 500")),
        ("Население 0–17 години", n(1_800.0)),
        ("Население над 65 години", n(3_100.0)),
        ("Брой социални услуги в общността", n(3.0)),
        ("Брой специализирани институции", n(0.0)),
        ("Утвърден бюджет – държавно делегирани дейности (лв.)", t("450 000,00")),
        ("Утвърден бюджет – местни дейности (лв.)", t("120 000,50 лв.")),
        ("Приет годишен план за развитие на социалните услуги", t("Да")),
        ("Дата на попълване", t("15.07.2017")),
    ];
    put(
        input,
        "Бяла/община.xlsx",
        &book(vec![form_sheet("Карта", MUNICIPAL_TITLE, &municipal, Style::default())]),
        BookFormat::Xlsx,
    );
    put(
        input,
        "Бяла/дц.xlsx",
        &book(vec![form_sheet(
            "Карта",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ Надежда"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    let injected = with(adults_card("Бяла", "=1+1"), "Адрес", Some(t("@SUM(A1)")));
    let injected = with(
        injected,
        "Вид на социалната услуга",
        Some(t("Домашен социален патронаж")),
    );
    let injected = with(injected, "Капацитет (брой места)", Some(n(120.0)));
    put(
        input,
        "Бяла/патронаж.ods",
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &injected, Style::default())]),
        BookFormat::Ods,
    );
    let children = vec![
        ("Област", t("RSE")),
        ("Община", t("RSE04")),
        ("Населено място", t("гр. Бяла")),
        ("Наименование на социалната услуга", t("ЦОП Бяла")),
        ("Вид на социалната услуга", t("ЦОП")),
        ("Доставчик на услугата", t("Община Бяла")),
        ("Вид на доставчика", t("Община")),
        ("Начин на финансиране", t("Държавно делегирана дейност")),
        ("Дата на откриване", t("01.06.2016")),
        ("Капацитет (брой места)", n(25.0)),
        ("Среден брой потребители за периода", n(22.0)),
        ("Брой обслужени потребители за периода", n(40.0)),
        ("Средства за периода – държавно делегирана дейност (лв.)", n(80_000.0)),
    ];
    put(
        input,
        "Бяла/цоп.xls",
        &book(vec![form_sheet("ЦОП", CHILDREN_TITLE, &children, Style::default())]),
        BookFormat::Xls,
    );
    let broken = with(
        adults_card("Бяла", "ДЦ Слънце"),
        "Капацитет (брой места)",
        Some(t("двадесет")),
    );
    put(
        input,
        "Бяла/грешен.xlsx",
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &broken, Style::default())]),
        BookFormat::Xlsx,
    );
    let mut dsp = dsp_sheet();
    dsp.cells.push(BookCell {
        row: 14,
        col: 0,
        value: t("Изготвил: =ДСП Русе"),
    });
    put(input, "ДСП/дсп_русе.xlsx", &book(vec![dsp]), BookFormat::Xlsx);
}

fn run_cli(dir: &Path, output: &str) {
    let status = Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args(["run", "--oblast", "RSE", "--quiet", "--output", output])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success());
}

fn number(data: Option<&Data>) -> f64 {
    match data {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn the_workbook_agrees_with_the_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    returns(&dir.path().join("input"));
    run_cli(dir.path(), "output");
    let out = dir.path().join("output");
    let mut workbook: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Резюме",
            "Приложение 1",
            "Приложение 2",
            "Приложение 3",
            "Приложение 4",
            "Приложение 5",
            "Изпълнение на стратегията",
            "Сравнение",
            "Динамика",
            "Отклонения",
            "Проверки на доставчици",
            "Подадени данни",
            "Напомняния",
            "Грешки"
        ]
    );

    // Annex 2: per municipality, the total places and users equal by_municipality.csv.
    let by_municipality = csv_rows(&out.join("data/by_municipality.csv"));
    let annex2 = workbook.worksheet_range("Приложение 2").unwrap();
    let rows: Vec<&[Data]> = annex2.rows().collect();
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| *c == "Община"))
        .unwrap()
        + 2;
    let width = rows[header].len();
    for m in &by_municipality {
        let row = rows.iter().find(|r| r[0].to_string() == m["municipality"]).unwrap();
        assert_eq!(
            number(row.get(width - 2)),
            m["capacity"].parse::<f64>().unwrap(),
            "{}",
            m["municipality"]
        );
        assert_eq!(
            number(row.get(width - 1)),
            m["avg_users"].parse::<f64>().unwrap(),
            "{}",
            m["municipality"]
        );
    }
    let total_row = rows.iter().rev().find(|r| r[0] == "Общо за областта").unwrap();
    let capacity_total: f64 = by_municipality
        .iter()
        .map(|m| m["capacity"].parse::<f64>().unwrap())
        .sum();
    assert_eq!(number(total_row.get(width - 2)), capacity_total);
    assert_eq!(
        capacity_total,
        30.0 + 120.0 + 25.0,
        "the card with an error adds nothing"
    );

    // The totals are formulas (with the cached values read above).
    let formulas = workbook.worksheet_formula("Приложение 2").unwrap();
    assert!(
        formulas.used_cells().any(|(_, _, f)| f.starts_with("SUBTOTAL(9,")),
        "no total formula in Annex 2"
    );

    // Annex 1 lists every accepted service, as services.csv does.
    let services = csv_rows(&out.join("data/services.csv"));
    assert_eq!(services.len(), 3);
    let annex1 = workbook.worksheet_range("Приложение 1").unwrap();
    let names: Vec<String> = annex1
        .rows()
        .skip(4)
        .take(services.len())
        .map(|r| r[2].to_string())
        .collect();
    let mut expected: Vec<String> = services
        .iter()
        .map(|s| s["service_name"].trim_start_matches('\'').to_string())
        .collect();
    expected.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, expected);

    // A name that starts with "=" is text in the workbook and neutralised in the CSV.
    assert!(names.contains(&"=1+1".to_string()));
    assert!(
        annex1
            .used_cells()
            .any(|(_, _, v)| matches!(v, Data::String(s) if s == "=1+1"))
    );
    let formulas1 = workbook.worksheet_formula("Приложение 1").unwrap();
    assert!(formulas1.used_cells().all(|(_, _, f)| !f.contains("1+1")));
    let patronage = services.iter().find(|s| s["service_name"].contains("1+1")).unwrap();
    assert_eq!(patronage["service_name"], "'=1+1");
    assert_eq!(patronage["address"], "'@SUM(A1)");

    // DSP figures in Annex 3 equal dsp.csv.
    let dsp = csv_rows(&out.join("data/dsp.csv"));
    assert_eq!(dsp.len(), 3);
    let annex3 = workbook.worksheet_range("Приложение 3").unwrap();
    for row in &dsp {
        let line = annex3.rows().find(|r| r[0].to_string() == row["municipality"]).unwrap();
        assert_eq!(number(line.get(4)), row["children_total"].parse::<f64>().unwrap());
    }

    // Every issue is on the Issues sheet.
    let issues = csv_rows(&out.join("data/issues.csv"));
    let sheet = workbook.worksheet_range("Грешки").unwrap();
    assert_eq!(sheet.rows().count(), 4 + issues.len());
    assert!(
        issues
            .iter()
            .any(|i| i["file"] == "Бяла/грешен.xlsx" && i["code"] == "type" && i["cell"] == "B13")
    );

    // run.json keeps its promise.
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let (read, accepted, rejected) = (
        summary["records_read"].as_u64().unwrap(),
        summary["records_accepted"].as_u64().unwrap(),
        summary["records_rejected"].as_u64().unwrap(),
    );
    assert_eq!(read, accepted + rejected);
    assert_eq!((read, rejected), (8, 1));
    assert_eq!(
        summary["errors"].as_u64().unwrap() as usize,
        issues.iter().filter(|i| i["severity"] == "error").count()
    );

    // Feedback goes to the municipality whose returns have findings.
    assert!(out.join("feedback/RSE04.xlsx").is_file());
    let mut feedback: Xlsx<_> = open_workbook(out.join("feedback/RSE04.xlsx")).unwrap();
    let sheet = feedback.worksheet_range("Обратна връзка").unwrap();
    assert!(sheet.used_cells().any(|(_, _, v)| *v == "Бяла/грешен.xlsx"));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    returns(&dir.path().join("input"));
    run_cli(dir.path(), "first");
    run_cli(dir.path(), "second");
    let files = |root: &Path| -> Vec<(String, Vec<u8>)> {
        let mut found = Vec::new();
        for sub in ["", "data", "feedback"] {
            for entry in std::fs::read_dir(root.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    found.push((
                        path.strip_prefix(root).unwrap().display().to_string(),
                        std::fs::read(&path).unwrap(),
                    ));
                }
            }
        }
        found.sort();
        found
    };
    let (first, second) = (files(&dir.path().join("first")), files(&dir.path().join("second")));
    assert!(first.len() >= 10);
    assert_eq!(first.len(), second.len());
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{name} differs between two runs");
    }
}

/// The decimals a number shows in its shortest exact form (1817753.83 → 2,
/// 1817753.8299999996 → 10).
fn decimals(value: f64) -> usize {
    let text = value.to_string();
    text.split_once('.').map_or(0, |(_, fraction)| fraction.len())
}

/// Money and decimals are added exactly: on the shipped Ruse sample every
/// amount in leva of the summary and of Annex 4 (funds) is a whole number of
/// stotinki, and the average users have the one decimal their addends have —
/// never a binary remainder such as 1817753.8299999996 or 2812.2000000000003.
#[test]
fn sums_of_money_and_decimals_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("input");
    let status = Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args(["run", "--quiet", "--no-history", "--output", "output", "--input"])
        .arg(&input)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut workbook: Xlsx<_> = open_workbook(dir.path().join("output/report.xlsx")).unwrap();

    let summary = workbook.worksheet_range("Резюме").unwrap();
    let mut checked = Vec::new();
    for row in summary.rows() {
        let (Some(Data::String(label)), Some(value)) = (row.first(), row.get(1)) else {
            continue;
        };
        let most = if label.contains("(лв.)") {
            2
        } else if label.contains("потребители") {
            1
        } else {
            continue;
        };
        let value = number(Some(value));
        assert!(decimals(value) <= most, "Резюме, {label}: {value}");
        checked.push(value);
    }
    assert!(checked.contains(&1_817_753.83), "{checked:?}");
    assert!(checked.contains(&2812.2), "{checked:?}");

    let funds = workbook.worksheet_range("Приложение 4").unwrap();
    let header = funds.rows().nth(3).unwrap().to_vec();
    let mut amounts = 0;
    for row in funds.rows().skip(4) {
        for (head, value) in header.iter().zip(row) {
            if head.to_string().contains("(лв.)") && matches!(value, Data::Float(_)) {
                let value = number(Some(value));
                assert!(decimals(value) <= 2, "Приложение 4, {head}: {value}");
                amounts += 1;
            }
        }
    }
    assert!(amounts > 40, "{amounts} amounts in Annex 4");
}

/// The files a feedback workbook lists, one per finding.
fn feedback_files(path: &Path) -> Vec<String> {
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    let sheet = workbook.worksheet_range("Обратна връзка").unwrap();
    // Row 6 (index 5) is the header; column B holds the file.
    sheet
        .rows()
        .skip(6)
        .map(|row| row.get(1).map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

/// REPORT.md, "Feedback to municipalities": a finding goes to the
/// municipality that sent its file — the one its folder names, else the one
/// most of its cards name — and no feedback is written for a municipality
/// outside the run's oblast.
#[test]
fn a_card_naming_another_oblasts_municipality_is_reported_to_its_sender() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let of_sofia = |municipality: &str, name: &str| {
        with(
            with(adults_card(municipality, name), "Област", Some(t("София"))),
            "Населено място",
            Some(t("гр. Годеч")),
        )
    };
    // Godech's folder: its card names „Община Русе" by mistake.
    put(
        &input,
        "Годеч/Карта за услуга - ДЦ Годеч.xlsx",
        &book(vec![form_sheet(
            "Карта",
            ADULTS_TITLE,
            &of_sofia("Община Русе", "ДЦ Годеч"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    // No folder: two of the workbook's three cards are Godech's.
    put(
        &input,
        "карти.xlsx",
        &book(vec![
            form_sheet("К1", ADULTS_TITLE, &of_sofia("Годеч", "ЦНСТ Годеч"), Style::default()),
            form_sheet("К2", ADULTS_TITLE, &of_sofia("Годеч", "ЗЖ Годеч"), Style::default()),
            form_sheet("К3", ADULTS_TITLE, &of_sofia("общ. Русе", "ДЦ Русе"), Style::default()),
        ]),
        BookFormat::Xlsx,
    );
    let status = Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args([
            "run",
            "--oblast",
            "SFO",
            "--no-history",
            "--quiet",
            "--output",
            "output",
        ])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = dir.path().join("output");

    let issues = csv_rows(&out.join("data/issues.csv"));
    let wrong: Vec<&str> = issues
        .iter()
        .filter(|i| i["code"] == "wrong_oblast")
        .map(|i| i["file"].as_str())
        .collect();
    assert_eq!(
        wrong,
        ["Годеч/Карта за услуга - ДЦ Годеч.xlsx", "карти.xlsx"],
        "{issues:#?}"
    );

    // Every finding of Godech's two files is Godech's, the wrong_oblast ones included…
    let in_godechs_files = |i: &&std::collections::HashMap<String, String>| {
        i["file"] == "Годеч/Карта за услуга - ДЦ Годеч.xlsx" || i["file"] == "карти.xlsx"
    };
    assert!(
        issues
            .iter()
            .filter(in_godechs_files)
            .all(|i| i["municipality_code"] == "SFO09")
    );
    // …and its feedback lists exactly Godech's findings: those of its files, then its missing submissions.
    let godech = out.join("feedback/SFO09.xlsx");
    assert!(godech.is_file());
    let listed = feedback_files(&godech);
    let of_godech: Vec<&str> = issues
        .iter()
        .filter(|i| i["municipality_code"] == "SFO09")
        .map(|i| i["file"].as_str())
        .collect();
    assert_eq!(listed, of_godech);
    assert_eq!(
        listed.iter().filter(|f| !f.is_empty()).count(),
        issues.iter().filter(in_godechs_files).count()
    );

    // None for Ruse, which is not in the run's oblast; none for a municipality not of Sofia oblast.
    assert!(!out.join("feedback/RSE27.xlsx").exists());
    for entry in std::fs::read_dir(out.join("feedback")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.starts_with("SFO"), "feedback/{name}");
    }

    // Submissions count them for Godech, as its feedback does.
    let submissions = csv_rows(&out.join("data/submissions.csv"));
    let row = submissions.iter().find(|s| s["municipality_code"] == "SFO09").unwrap();
    let count = |severity: &str| {
        issues
            .iter()
            .filter(|i| i["municipality_code"] == "SFO09" && i["severity"] == severity)
            .count()
    };
    assert!(count("error") >= 2);
    assert_eq!(row["errors"], count("error").to_string());
    assert_eq!(row["warnings"], count("warning").to_string());
    assert!(submissions.iter().all(|s| s["municipality_code"] != "RSE27"));
}
