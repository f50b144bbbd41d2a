//! Helpers shared by the integration tests: build small real-looking
//! returns with the `book` writer, run the pipeline on a folder, and look
//! findings and records up by place.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use socmon::book::{Book, BookCell, BookFormat, BookSheet, BookValue, Merge};
use socmon::config::{Config, OblastChoice, PeriodSource};
use socmon::ingest::Limits;
use socmon::issue::{Issue, Lang};
use socmon::period::Period;
use socmon::pipeline;
use socmon::run::Run;
use socmon::schema::{SchemaSource, Schemas};
use socmon::validate::Record;

pub fn t(text: &str) -> BookValue {
    BookValue::Text(text.to_string())
}

pub fn n(value: f64) -> BookValue {
    BookValue::Number(value)
}

pub fn d(y: i32, m: u32, day: u32) -> BookValue {
    BookValue::Date(NaiveDate::from_ymd_opt(y, m, day).unwrap())
}

/// How a card lays its labels out.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// "5." in the label's own cell.
    pub numbered_in_label: bool,
    /// A number in column A, the label in column B.
    pub number_column: bool,
    /// The label spans this many columns (merged).
    pub label_span: u16,
    /// A blank row after every field.
    pub blank_rows: bool,
    /// The card's title in the first row.
    pub title: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            numbered_in_label: false,
            number_column: false,
            label_span: 1,
            blank_rows: false,
            title: true,
        }
    }
}

/// A form sheet: an optional title, then a label and a value per row.
pub fn form_sheet(name: &str, title: &str, rows: &[(&str, BookValue)], style: Style) -> BookSheet {
    let mut cells = Vec::new();
    let mut merges = Vec::new();
    let mut row = 0u32;
    if style.title {
        cells.push(BookCell {
            row,
            col: 0,
            value: t(title),
        });
        row += 2;
    }
    let label_col: u16 = if style.number_column { 1 } else { 0 };
    for (i, (label, value)) in rows.iter().enumerate() {
        if style.number_column {
            cells.push(BookCell {
                row,
                col: 0,
                value: t(&format!("{}.", i + 1)),
            });
        }
        let label = if style.numbered_in_label {
            format!("{}. {label}", i + 1)
        } else {
            label.to_string()
        };
        cells.push(BookCell {
            row,
            col: label_col,
            value: t(&label),
        });
        if style.label_span > 1 {
            merges.push(Merge {
                first_row: row,
                first_col: label_col,
                last_row: row,
                last_col: label_col + style.label_span - 1,
            });
        }
        if !matches!(value, BookValue::Text(s) if s.is_empty()) {
            cells.push(BookCell {
                row,
                col: label_col + style.label_span,
                value: value.clone(),
            });
        }
        row += if style.blank_rows { 2 } else { 1 };
    }
    BookSheet {
        name: name.to_string(),
        hidden: false,
        cells,
        merges,
        column_widths: Vec::new(),
    }
}

pub fn book(sheets: Vec<BookSheet>) -> Book {
    Book {
        sheets,
        title: None,
        custom_properties: Vec::new(),
    }
}

/// Writes a book into a folder under a relative name.
pub fn put(dir: &Path, relative: &str, book: &Book, format: BookFormat) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, book.to_bytes(format).unwrap()).unwrap();
}

pub const ADULTS_TITLE: &str = "Карта за описание на социална услуга за лица";
pub const CHILDREN_TITLE: &str = "Карта за описание на социална услуга за деца";
pub const MUNICIPAL_TITLE: &str = "Карта за събиране на информация от общинска администрация";

/// A clean adult service card of a municipality of Ruse oblast.
pub fn adults_card(municipality: &str, name: &str) -> Vec<(&'static str, BookValue)> {
    vec![
        ("Област", t("Русе")),
        ("Община", t(municipality)),
        ("Населено място", t("гр. Бяла")),
        ("Наименование на социалната услуга", t(name)),
        ("Вид на социалната услуга", t("Дневен център за стари хора")),
        ("Адрес", t("ул. „Славянска“ 5")),
        ("Доставчик на услугата", t("Община Бяла")),
        ("Вид на доставчика", t("Община")),
        ("Начин на финансиране", t("Държавно делегирана дейност")),
        ("Дата на откриване", d(2010, 3, 1)),
        ("Капацитет (брой места)", n(30.0)),
        ("Среден брой потребители за периода", n(28.5)),
        ("Брой обслужени потребители за периода", n(41.0)),
        ("в т.ч. лица с увреждания", n(5.0)),
        ("в т.ч. лица над 65 години", n(39.0)),
        ("Средства за периода – държавно делегирана дейност (лв.)", n(185_250.5)),
        ("Средства за периода – местна дейност (лв.)", n(12_000.0)),
        ("Дата на попълване", d(2017, 7, 14)),
        ("Телефон, e-mail", t("0817 72 234, soc@byala.bg")),
    ]
}

/// Replaces (or, with `None`, drops) a row of a card by label.
pub fn with(
    mut rows: Vec<(&'static str, BookValue)>,
    label: &'static str,
    value: Option<BookValue>,
) -> Vec<(&'static str, BookValue)> {
    match (rows.iter().position(|(l, _)| *l == label), value) {
        (Some(i), Some(v)) => rows[i].1 = v,
        (Some(i), None) => {
            rows.remove(i);
        }
        (None, Some(v)) => rows.push((label, v)),
        (None, None) => {}
    }
    rows
}

pub fn schemas() -> Schemas {
    Schemas::load(&SchemaSource::Folder(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas"
    ))))
    .unwrap()
}

pub fn config(input: &Path, oblast: Option<&str>) -> Config {
    Config {
        input: input.to_path_buf(),
        output: input.join("../output"),
        period: Period::report_2016_2017(),
        period_source: PeriodSource::Default,
        oblast: oblast.map_or(OblastChoice::FromData, |o| OblastChoice::One(o.to_string())),
        lang: Lang::Bg,
        strict: false,
        limits: Limits::default(),
        schemas: schemas(),
        progress: false,
        threads: Some(2),
        history: None,
    }
}

pub fn check(input: &Path) -> Run {
    pipeline::check(&config(input, Some("RSE"))).unwrap()
}

/// The findings of a run other than missing submissions, as (file, cell, code, severity).
pub fn findings(run: &Run) -> Vec<(String, String, String, String)> {
    run.issues
        .iter()
        .filter(|i| i.code() != "missing_submission")
        .map(|i| {
            (
                i.location.file.clone(),
                i.location.cell.map(|c| c.to_string()).unwrap_or_default(),
                i.code().to_string(),
                i.severity.as_str().to_string(),
            )
        })
        .collect()
}

pub fn issues_at<'a>(run: &'a Run, file: &str) -> Vec<&'a Issue> {
    run.issues.iter().filter(|i| i.location.file == file).collect()
}

/// The records read from one file.
pub fn records_of<'a>(run: &'a Run, file: &str) -> Vec<&'a Record> {
    run.records.iter().filter(|r| r.file == file).collect()
}

/// A record's value of a field, as reports write it.
pub fn value(schemas: &Schemas, record: &Record, field: &str) -> String {
    let template = &schemas.templates[record.template];
    record.get(template, field).map(|v| v.display()).unwrap_or_default()
}

/// A DSP table as DSPs send it: title block, a two-row header with merged
/// groups, a row of column numbers, three municipalities, a totals row.
pub fn dsp_sheet() -> BookSheet {
    let mut cells = vec![
        BookCell {
            row: 0,
            col: 0,
            value: t("Информация от Дирекция „Социално подпомагане“ за деца и лица с увреждания по общини"),
        },
        BookCell {
            row: 1,
            col: 0,
            value: t("Дирекция „Социално подпомагане“ – Русе"),
        },
        BookCell {
            row: 2,
            col: 0,
            value: t("Област:"),
        },
        BookCell {
            row: 2,
            col: 1,
            value: t("Русе"),
        },
        BookCell {
            row: 3,
            col: 0,
            value: t("Към дата: 30.06.2017 г."),
        },
        BookCell {
            row: 5,
            col: 0,
            value: t("№"),
        },
        BookCell {
            row: 5,
            col: 1,
            value: t("Община"),
        },
        BookCell {
            row: 5,
            col: 2,
            value: t("Деца"),
        },
        BookCell {
            row: 6,
            col: 2,
            value: t("0–17 г. – общо"),
        },
        BookCell {
            row: 6,
            col: 3,
            value: t("с увреждания"),
        },
        BookCell {
            row: 6,
            col: 4,
            value: t("в приемни семейства"),
        },
        BookCell {
            row: 6,
            col: 5,
            value: t("настанени при близки и роднини"),
        },
        BookCell {
            row: 6,
            col: 6,
            value: t("в резидентни услуги"),
        },
        BookCell {
            row: 6,
            col: 7,
            value: t("в специализирани институции"),
        },
        BookCell {
            row: 5,
            col: 8,
            value: t("Лица с увреждания над 18 г. (с решение на ТЕЛК/НЕЛК)"),
        },
        BookCell {
            row: 6,
            col: 9,
            value: t("в т.ч. с над 90 % степен на увреждане"),
        },
    ];
    for c in 0..10u16 {
        cells.push(BookCell {
            row: 7,
            col: c,
            value: n(f64::from(c) + 1.0),
        });
    }
    let rows = [
        ("Русе", [24_000.0, 310.0, 40.0, 60.0, 30.0, 12.0, 9_500.0, 1_300.0]),
        ("Бяла", [1_800.0, 25.0, 6.0, 9.0, 4.0, 0.0, 900.0, 120.0]),
        ("Иваново", [900.0, 11.0, 2.0, 3.0, 0.0, 0.0, 500.0, 60.0]),
    ];
    for (i, (name, values)) in rows.iter().enumerate() {
        let row = 8 + i as u32;
        cells.push(BookCell {
            row,
            col: 0,
            value: n(i as f64 + 1.0),
        });
        cells.push(BookCell {
            row,
            col: 1,
            value: t(name),
        });
        for (j, v) in values.iter().enumerate() {
            let col = if j < 6 { 2 + j as u16 } else { 8 + (j - 6) as u16 };
            cells.push(BookCell { row, col, value: n(*v) });
        }
    }
    cells.push(BookCell {
        row: 11,
        col: 1,
        value: t("ОБЩО"),
    });
    cells.push(BookCell {
        row: 11,
        col: 2,
        value: n(26_700.0),
    });
    let merges = vec![
        Merge {
            first_row: 5,
            first_col: 0,
            last_row: 6,
            last_col: 0,
        },
        Merge {
            first_row: 5,
            first_col: 1,
            last_row: 6,
            last_col: 1,
        },
        Merge {
            first_row: 5,
            first_col: 2,
            last_row: 5,
            last_col: 7,
        },
        Merge {
            first_row: 5,
            first_col: 8,
            last_row: 6,
            last_col: 8,
        },
    ];
    BookSheet {
        name: "ДСП".into(),
        hidden: false,
        cells,
        merges,
        column_widths: Vec::new(),
    }
}

/// The rows of a CSV output, each as column name → value.
pub fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// Runs the socmon binary in a folder and gives what it printed and its exit status.
pub fn socmon(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("socmon runs")
}
