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
            "Сравнение",
            "Динамика",
            "Отклонения",
            "Проверки на доставчици",
            "Подадени данни",
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
