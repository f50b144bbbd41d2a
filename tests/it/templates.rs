//! Generated templates (issue #3): what `socmon::templates` writes carries
//! drop-downs, formats, protection and the marker, and reads back unchanged
//! — blank, filled in by other programs (openpyxl, LibreOffice re-saving as
//! .xls and .ods), and prefilled from a previous run then updated.
//!
//! The filled fixtures under `tests/fixtures/templates/` are made by
//! `make_fixtures.sh` there (Python and LibreOffice are not needed to run
//! the tests); it calls the two ignored tests at the end of this file to get
//! the templates to fill.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use socmon::issue::Severity;
use socmon::normalize::key;
use socmon::period::Period;
use socmon::pipeline;
use socmon::run::Run;
use socmon::templates::{self, Lang};

use super::support::*;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/templates"))
}

/// The parts of an .xlsx file, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            parts.insert(name, text);
        }
    }
    parts
}

/// The rows of a workbook's marker sheet: (sheet or "*", template id, version).
fn marker_of(bytes: &[u8]) -> Vec<(String, String, String)> {
    let mut workbook = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = workbook.worksheet_range("_socmon").unwrap();
    range
        .rows()
        .map(|row| {
            let text = |c: Option<&Data>| match c {
                Some(Data::Float(f)) => format!("{f}"),
                Some(Data::Int(i)) => format!("{i}"),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            (text(row.first()), text(row.get(1)), text(row.get(2)))
        })
        .collect()
}

fn blank_files(lang: Lang) -> Vec<(String, Vec<u8>)> {
    templates::blank(&schemas(), "RSE", lang, templates::StrategyYears::CURRENT).unwrap()
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}

/// Runs the checks on one folder of returns, for a period.
fn check_with(input: &Path, period: Period) -> Run {
    let mut config = config(input, Some("RSE"));
    config.period = period;
    pipeline::check(&config).unwrap()
}

/// The findings of a run other than missing submissions and card counts
/// (a folder holds one file, not the whole oblast).
fn own_findings(run: &Run) -> Vec<String> {
    run.issues
        .iter()
        .filter(|i| !matches!(i.code(), "missing_submission" | "card_count"))
        .map(|i| {
            format!(
                "{} {} {} {} {:?} {}",
                i.location.sheet,
                i.location.cell.map(|c| c.to_string()).unwrap_or_default(),
                i.code(),
                i.severity.as_str(),
                i.field,
                i.value
            )
        })
        .collect()
}

#[test]
fn blank_templates_are_one_workbook_per_template() {
    let names: Vec<String> = blank_files(Lang::Bg).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "dsp.xlsx",
            "municipality.xlsx",
            "provider_visit.xlsx",
            "registry.xlsx",
            "service_adults.xlsx",
            "service_children.xlsx",
            "strategy_indicators.xlsx",
            "strategy_plan.xlsx",
            "strategy_report.xlsx"
        ]
    );
}

#[test]
fn blank_templates_carry_drop_downs_defined_names_and_formats() {
    for lang in [Lang::Bg, Lang::En] {
        let files = blank_files(lang);
        let adults = unzip(file(&files, "service_adults.xlsx"));
        let workbook = &adults["xl/workbook.xml"];
        for name in [
            "socmon_oblast",
            "socmon_municipality",
            "socmon_service_type",
            "socmon_provider_type",
            "socmon_financing",
        ] {
            assert!(
                workbook.contains(&format!("<definedName name=\"{name}\">")),
                "{name}: {workbook}"
            );
        }
        // The card is the first sheet; its drop-downs refer to the names.
        let card = &adults["xl/worksheets/sheet1.xml"];
        for name in ["socmon_municipality", "socmon_service_type", "socmon_financing"] {
            assert!(
                card.contains(&format!("<formula1>{name}</formula1>")),
                "{name} is no drop-down"
            );
        }
        assert!(card.contains("<dataValidation type=\"whole\""), "no whole-number check");
        assert!(card.contains("<dataValidation type=\"decimal\""), "no number check");
        assert!(card.contains("<dataValidation type=\"date\""), "no date check");
        assert!(card.contains("promptTitle="), "no input message");
        let styles = &adults["xl/styles.xml"];
        for format in ["#,##0", "#,##0.00", "dd.mm.yyyy"] {
            assert!(styles.contains(&format!("formatCode=\"{format}\"")), "{format}");
        }
        // The lists and the marker are hidden sheets.
        assert_eq!(workbook.matches("state=\"hidden\"").count(), 2, "{workbook}");

        // The children's card offers children's services only, the adults' adults' only.
        let lists_of = |name: &str| -> Vec<String> {
            let bytes = file(&files, name);
            let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
            let sheet = if lang == Lang::Bg { "Списъци" } else { "Lists" };
            let range = wb.worksheet_range(sheet).unwrap();
            range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect()
        };
        let adults_lists = lists_of("service_adults.xlsx");
        let children_lists = lists_of("service_children.xlsx");
        let (elderly, crisis, cop) = match lang {
            Lang::Bg => (
                "Дневен център за стари хора",
                "Кризисен център",
                "Център за обществена подкрепа",
            ),
            Lang::En => (
                "Day centre for elderly people",
                "Crisis centre",
                "Community support centre",
            ),
        };
        assert!(adults_lists.iter().any(|v| v == elderly) && !adults_lists.iter().any(|v| v == cop));
        assert!(children_lists.iter().any(|v| v == cop) && !children_lists.iter().any(|v| v == elderly));
        assert!(adults_lists.iter().any(|v| v == crisis) && children_lists.iter().any(|v| v == crisis));
        let municipalities = if lang == Lang::Bg {
            "Сливо поле"
        } else {
            "Slivo pole"
        };
        assert!(adults_lists.iter().any(|v| v == municipalities));
        // Age groups and yes/no where the schema has them.
        assert!(
            children_lists
                .iter()
                .any(|v| v == if lang == Lang::Bg { "7–18" } else { "7-18" })
        );
        let municipal = unzip(file(&files, "municipality.xlsx"));
        assert!(municipal["xl/workbook.xml"].contains("<definedName name=\"socmon_yes_no\">"));
    }
}

/// The plan template's year column offers exactly the strategy's years (as
/// numbers), and its title block names the same strategy period, in both
/// languages and for another strategy than 2016–2020 too.
#[test]
fn the_plan_template_offers_exactly_the_strategy_years_in_its_year_column() {
    for (lang, strategy) in [
        (Lang::Bg, templates::StrategyYears::CURRENT),
        (Lang::En, templates::StrategyYears::CURRENT),
        (
            Lang::Bg,
            templates::StrategyYears {
                first: 2021,
                last: 2027,
            },
        ),
    ] {
        let files = templates::blank(&schemas(), "RSE", lang, strategy).unwrap();
        let bytes = file(&files, "strategy_plan.xlsx");
        let parts = unzip(bytes);
        // The defined name of the years' list, and its column on the lists sheet.
        let workbook = &parts["xl/workbook.xml"];
        let range = workbook
            .split("<definedName name=\"socmon_year\">")
            .nth(1)
            .and_then(|rest| rest.split("</definedName>").next())
            .unwrap_or_else(|| panic!("no list of years: {workbook}"));
        let (sheet, cells) = range.split_once('!').unwrap();
        let first = cells.split(':').next().unwrap().replace('$', "");
        let column = socmon::sheet::CellRef::parse(&first).unwrap().col;
        let mut wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let lists = wb.worksheet_range(sheet.trim_matches('\'')).unwrap();
        let years: Vec<Data> = lists
            .rows()
            .filter_map(|r| r.get(column as usize).cloned())
            .filter(|c| *c != Data::Empty)
            .collect();
        let want: Vec<Data> = strategy.years().map(|y| Data::Float(f64::from(y))).collect();
        assert_eq!(years, want, "{lang:?} {strategy:?}");

        // The drop-down is on the year column, under its header, and on no other column.
        let plan_sheet = if lang == Lang::Bg { "План" } else { "Plan" };
        let plan = wb.worksheet_range(plan_sheet).unwrap();
        let header = if lang == Lang::Bg {
            "Срок (година)"
        } else {
            "Deadline (year)"
        };
        let (header_row, year_col) = plan
            .cells()
            .find(|(_, _, v)| v.to_string().trim_end_matches(" *") == header)
            .map(|(r, c, _)| (r as u32, c as u32))
            .unwrap_or_else(|| panic!("no header {header}"));
        let letter = socmon::sheet::column_name(year_col);
        let card = &parts["xl/worksheets/sheet1.xml"];
        let validation = card
            .split("<dataValidation ")
            .find(|v| v.contains("<formula1>socmon_year</formula1>"))
            .expect("the year column has a drop-down");
        let sqref = validation.split("sqref=\"").nth(1).unwrap().split('"').next().unwrap();
        let top = header_row + 2;
        assert!(
            sqref.starts_with(&format!("{letter}{top}:{letter}")),
            "{sqref}, header at {letter}{}",
            header_row + 1
        );
        assert_eq!(card.matches("<formula1>socmon_year</formula1>").count(), 1);
        // The title block names the strategy's period.
        let period = plan
            .cells()
            .find(|(_, _, v)| v.to_string() == strategy.text())
            .map(|(r, _, _)| r);
        assert!(
            period.is_some_and(|r| r < header_row as usize),
            "{lang:?}: no strategy period {}",
            strategy.text()
        );
    }
}

#[test]
fn labels_are_locked_value_cells_unlocked_and_sheets_protected_without_password() {
    let files = blank_files(Lang::Bg);
    for (name, bytes) in &files {
        let parts = unzip(bytes);
        let card = &parts["xl/worksheets/sheet1.xml"];
        let protection = card
            .split("<sheetProtection")
            .nth(1)
            .and_then(|rest| rest.split("/>").next())
            .unwrap_or_else(|| panic!("{name}: the card is not protected"));
        assert!(!protection.contains("password"), "{name}: {protection}");
        assert!(protection.contains("sheet=\"1\""), "{name}: {protection}");
        // Exactly the value cells carry the unlocked style.
        let styles = &parts["xl/styles.xml"];
        assert!(
            styles.contains("<protection locked=\"0\"/>"),
            "{name}: no unlocked style"
        );
    }
    // The DSP sheet lets rows be deleted (a DSP serves some municipalities only).
    let dsp = unzip(file(&files, "dsp.xlsx"));
    assert!(dsp["xl/worksheets/sheet1.xml"].contains("deleteRows=\"0\""));
}

#[test]
fn the_marker_declares_every_sheet_with_the_schema_version() {
    let s = schemas();
    for (name, bytes) in blank_files(Lang::Bg) {
        let id = name.trim_end_matches(".xlsx");
        let version = s.template(id).unwrap().version.to_string();
        assert_eq!(
            marker_of(&bytes),
            [("*".to_string(), id.to_string(), version)],
            "{name}"
        );
        let parts = unzip(&bytes);
        assert!(parts["docProps/custom.xml"].contains("socmon_template"), "{name}");
    }
}

/// Blank templates put in an input folder.
fn blank_folder(lang: Lang) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    templates::write(&blank_files(lang), &input).unwrap();
    dir
}

#[test]
fn blank_cards_read_back_as_blank_not_as_errors() {
    for lang in [Lang::Bg, Lang::En] {
        let dir = blank_folder(lang);
        let input = dir.path().join("input");
        // Blank tables (the DSP's, the strategy's, the registry) read back as empty tables.
        for table in [
            "dsp",
            "registry",
            "strategy_indicators",
            "strategy_plan",
            "strategy_report",
        ] {
            std::fs::remove_file(input.join(format!("{table}.xlsx"))).unwrap();
        }
        let run = check(&input);
        assert!(run.records.is_empty());
        let mut found: Vec<(String, String)> = run
            .issues
            .iter()
            .filter(|i| i.code() != "missing_submission")
            .map(|i| (i.location.file.clone(), i.code().to_string()))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("municipality.xlsx".to_string(), "blank_card".to_string()),
                ("provider_visit.xlsx".to_string(), "blank_card".to_string()),
                ("service_adults.xlsx".to_string(), "blank_card".to_string()),
                ("service_children.xlsx".to_string(), "blank_card".to_string()),
            ],
            "{lang:?}"
        );
    }
}

#[test]
fn the_blank_dsp_table_is_recognised_and_its_unfilled_rows_are_no_records() {
    for lang in [Lang::Bg, Lang::En] {
        let dir = blank_folder(lang);
        let input = dir.path().join("input");
        let run = check(&input);
        // Rows that name a municipality and nothing else (the DSP does not
        // serve it, or has not filled it in) are no records; the table is
        // recognised, and found empty — not read as unknown, no totals read as data.
        assert!(records_of(&run, "dsp.xlsx").is_empty(), "{lang:?}");
        let codes: Vec<&str> = issues_at(&run, "dsp.xlsx").iter().map(|i| i.code()).collect();
        assert_eq!(codes, ["empty_table"], "{lang:?}");
    }
}

// ---- filled in by other programs -------------------------------------------

/// What `make_fixtures.sh` wrote into the templates: per file, per sheet,
/// per field id, the value written and the value the reader must give.
#[derive(serde::Deserialize)]
struct Filled {
    files: BTreeMap<String, FilledFile>,
    prefilled: BTreeMap<String, FilledFile>,
}

#[derive(serde::Deserialize)]
struct FilledFile {
    /// The sheets and their fields: field id → [written, expected].
    sheets: BTreeMap<String, BTreeMap<String, (serde_json::Value, String)>>,
    /// DSP rows: municipality code → field id → [written, expected].
    #[serde(default)]
    rows: BTreeMap<String, BTreeMap<String, (serde_json::Value, String)>>,
}

fn filled() -> Filled {
    let text = std::fs::read_to_string(fixtures().join("filled.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The fixtures made from one filled template, in every format.
fn variants(stem: &str) -> Vec<PathBuf> {
    ["xlsx", "xls", "ods"]
        .iter()
        .map(|ext| fixtures().join(format!("filled/{stem}.{ext}")))
        .filter(|p| p.exists())
        .collect()
}

/// Reads one fixture alone (for a period) and checks every value against
/// `filled.json`: no finding, and each field exactly as written.
fn check_filled(path: &Path, expected: &FilledFile, period: Period) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::copy(path, input.join(&name)).unwrap();
    let run = check_with(&input, period);
    assert_eq!(own_findings(&run), Vec::<String>::new(), "{name}");
    let s = schemas();
    let records = records_of(&run, &name);
    let mut seen = 0;
    for (sheet, fields) in &expected.sheets {
        let on_sheet: Vec<_> = records.iter().filter(|r| &r.sheet == sheet).collect();
        if expected.rows.is_empty() {
            assert_eq!(on_sheet.len(), 1, "{name} {sheet}");
            let record = on_sheet[0];
            let template = &s.templates[record.template];
            for (i, field) in template.fields.iter().enumerate() {
                let want = fields.get(&field.id).map(|(_, e)| e.as_str()).unwrap_or("");
                let got = record.values[i].as_ref().map(|v| v.display()).unwrap_or_default();
                assert_eq!(got, want, "{name} {sheet} {}", field.id);
            }
            seen += 1;
        } else {
            assert_eq!(on_sheet.len(), expected.rows.len(), "{name} {sheet}");
            for record in on_sheet {
                let template = &s.templates[record.template];
                let municipality = value(&s, record, "municipality");
                let row = &expected.rows[&municipality];
                for (i, field) in template.fields.iter().enumerate() {
                    let want = row
                        .get(&field.id)
                        .or_else(|| fields.get(&field.id))
                        .map(|(_, e)| e.as_str())
                        .unwrap_or("");
                    let got = record.values[i].as_ref().map(|v| v.display()).unwrap_or_default();
                    assert_eq!(got, want, "{name} {sheet} {municipality} {}", field.id);
                }
                seen += 1;
            }
        }
    }
    assert_eq!(
        seen,
        records.len(),
        "{name}: records on sheets filled.json does not name"
    );
    run
}

#[test]
fn templates_filled_by_openpyxl_and_resaved_by_libreoffice_read_back_unchanged() {
    let filled = filled();
    let mut formats = Vec::new();
    for (stem, expected) in &filled.files {
        let paths = variants(stem);
        assert!(!paths.is_empty(), "no fixture for {stem}");
        for path in paths {
            check_filled(&path, expected, Period::report_2016_2017());
            formats.push(path.extension().unwrap().to_string_lossy().into_owned());
        }
    }
    for ext in ["xlsx", "xls", "ods"] {
        assert!(formats.iter().any(|f| f == ext), "no .{ext} fixture");
    }
}

#[test]
fn the_committed_fixtures_match_what_the_generator_writes() {
    let generated = blank_files(Lang::Bg);
    let s = schemas();
    for stem in filled().files.keys() {
        let want = marker_of(file(&generated, &format!("{stem}.xlsx")));
        for path in variants(stem) {
            let got = marker_of(&std::fs::read(&path).unwrap());
            assert_eq!(
                got,
                want,
                "{} was made from another schema version: run tests/fixtures/templates/make_fixtures.sh",
                path.display()
            );
        }
    }
    for path in std::fs::read_dir(fixtures().join("prefilled")).unwrap() {
        let path = path.unwrap().path();
        for (_, id, version) in marker_of(&std::fs::read(&path).unwrap()) {
            let template = s.template(&id).unwrap();
            assert_eq!(
                version,
                template.version.to_string(),
                "{} was made from another schema version: run tests/fixtures/templates/make_fixtures.sh",
                path.display()
            );
        }
    }
}

// ---- prefilled from a previous run -------------------------------------------

fn previous() -> PathBuf {
    fixtures().join("previous")
}

/// The identities (municipality, service type, normalised name) of the
/// services in a previous run's services.csv, for one municipality.
fn previous_identities(municipality: &str) -> Vec<(String, String, String)> {
    let mut reader = csv::Reader::from_path(previous().join("data/services.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut out: Vec<_> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[col("municipality_code")] == municipality && r[col("end_date")].is_empty())
        .map(|r| {
            (
                r[col("municipality_code")].to_string(),
                r[col("service_type")].to_string(),
                key(&r[col("service_name")]),
            )
        })
        .collect();
    out.sort();
    out
}

fn identities(run: &Run) -> Vec<(String, String, String)> {
    let s = schemas();
    let mut out: Vec<_> = run
        .records
        .iter()
        .filter(|r| s.templates[r.template].role == socmon::schema::Role::ServiceCard)
        .map(|r| {
            (
                value(&s, r, "municipality"),
                value(&s, r, "service_type"),
                key(&value(&s, r, "service_name")),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn prefilled_workbooks_carry_each_service_identity() {
    let s = schemas();
    for lang in [Lang::Bg, Lang::En] {
        let files = templates::prefilled(&s, "RSE", lang, &previous()).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let codes: Vec<String> = s
            .reference
            .municipalities_of("RSE")
            .map(|m| format!("{}.xlsx", m.code))
            .collect();
        assert_eq!(names, codes);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        templates::write(&files, &input).unwrap();
        let run = check_with(&input, Period::report_2016_2017());
        for m in s.reference.municipalities_of("RSE") {
            let file = format!("{}.xlsx", m.code);
            let records = records_of(&run, &file);
            let municipal: Vec<_> = records
                .iter()
                .filter(|r| s.templates[r.template].role == socmon::schema::Role::MunicipalCard)
                .collect();
            assert_eq!(municipal.len(), 1, "{file}");
            assert_eq!(value(&s, municipal[0], "municipality"), m.code);
            let mut found: Vec<_> = records
                .iter()
                .filter(|r| s.templates[r.template].role == socmon::schema::Role::ServiceCard)
                .map(|r| {
                    (
                        value(&s, r, "municipality"),
                        value(&s, r, "service_type"),
                        key(&value(&s, r, "service_name")),
                    )
                })
                .collect();
            found.sort();
            assert_eq!(found, previous_identities(&m.code), "{file}");
        }
        // What is left empty is what must be re-entered: only `required` errors.
        let left: Vec<(String, String)> = run
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Error && i.code() != "missing_submission")
            .map(|i| (i.code().to_string(), i.field.clone().unwrap_or_default()))
            .collect();
        assert!(!left.is_empty());
        // Re-entered every period, or (population) never sent; and the identity
        // fields services.csv does not carry yet.
        let mut allowed: Vec<&str> = vec![
            "avg_users",
            "users_served",
            "period_start",
            "period_end",
            "budget_state",
            "budget_local",
            "annual_plan",
            "population",
        ];
        let header = csv::Reader::from_path(previous().join("data/services.csv"))
            .unwrap()
            .headers()
            .unwrap()
            .clone();
        for column in ["license_no", "license_valid_until", "age_group"] {
            if !header.iter().any(|h| h == column) {
                allowed.push(column);
            }
        }
        for (code, field) in &left {
            assert_eq!(code, "required", "{field}");
            assert!(allowed.contains(&field.as_str()), "{field} should have been prefilled");
        }
    }
}

#[test]
fn a_prefilled_workbook_updated_and_returned_reads_back_as_the_same_services() {
    // RSE04 (Бяла) updated for the next quarter: the period, users and funds
    // typed in, a capacity changed, a service added by copying a card.
    let next_quarter: Period = "2017Q3".parse().unwrap();
    let filled = filled();
    let path = fixtures().join("prefilled/RSE04.xlsx");
    let run = check_filled(&path, &filled.prefilled["RSE04"], next_quarter);
    assert_eq!(run.records_accepted(), run.records.len());
    let mut expected = previous_identities("RSE04");
    assert!(!expected.is_empty());
    expected.push(("RSE04".into(), "SOC_ASSIST".into(), key("Социален асистент – Бяла")));
    expected.sort();
    assert_eq!(identities(&run), expected);
}

// ---- fixture generation (run by make_fixtures.sh) ---------------------------

fn fixture_out() -> PathBuf {
    PathBuf::from(std::env::var("SOCMON_FIXTURE_OUT").expect("SOCMON_FIXTURE_OUT: the folder to write into"))
}

/// Writes the blank templates of Ruse oblast for `make_fixtures.sh` to fill
/// (in English with SOCMON_FIXTURE_LANG=en, for a look at them).
#[test]
#[ignore = "run by tests/fixtures/templates/make_fixtures.sh"]
fn write_blank_templates_for_fixtures() {
    let lang = match std::env::var("SOCMON_FIXTURE_LANG").as_deref() {
        Ok("en") => Lang::En,
        _ => Lang::Bg,
    };
    templates::write(&blank_files(lang), &fixture_out()).unwrap();
}

/// Writes the prefilled workbooks made from `previous/` for `make_fixtures.sh` to update.
#[test]
#[ignore = "run by tests/fixtures/templates/make_fixtures.sh"]
fn write_prefilled_workbooks_for_fixtures() {
    let files = templates::prefilled(&schemas(), "RSE", Lang::Bg, &previous()).unwrap();
    templates::write(&files, &fixture_out()).unwrap();
}

// ---- the strategy's templates, filled and read back -------------------------

/// A value typed into a cell of a template.
#[derive(Debug, Clone, Copy)]
enum Typed {
    Text(&'static str),
    Number(f64),
    Date(i32, u32, u32),
}

/// A field of a filled template: its id, what was typed (none: what the
/// template itself wrote there) and the value the reader must give.
type Filled3 = (&'static str, Option<Typed>, &'static str);

/// One strategy template as the monitoring unit (plan, indicators) or a
/// municipality (report) fills it in `socmon templates`' workbook: the
/// title block, then a few rows.
struct StrategyFilling {
    template: &'static str,
    title: Vec<Filled3>,
    rows: Vec<Vec<Filled3>>,
}

fn strategy_fillings() -> Vec<StrategyFilling> {
    use Typed::{Date, Number, Text};
    vec![
        StrategyFilling {
            template: "strategy_plan",
            title: vec![
                ("oblast", None, "RSE"),
                (
                    "strategy",
                    Some(Text(
                        "Областна стратегия за развитие на социалните услуги в област Русе 2016–2020",
                    )),
                    "Областна стратегия за развитие на социалните услуги в област Русе 2016–2020",
                ),
                ("strategy_period", None, "2016–2020"),
            ],
            rows: vec![
                vec![
                    ("municipality", Some(Text("Бяла")), "RSE04"),
                    ("action", Some(Text("откриване")), "OPEN"),
                    ("service_type", Some(Text("Дневен център за стари хора")), "DC_ELDERLY"),
                    ("target_group", Some(Text("стари хора")), "стари хора"),
                    ("capacity", Some(Number(30.0)), "30"),
                    ("year", Some(Number(2018.0)), "2018"),
                    (
                        "financing",
                        Some(Text("Държавно делегирана дейност")),
                        "STATE_DELEGATED",
                    ),
                    ("cost", Some(Number(250_000.5)), "250000.5"),
                    ("measure", Some(Text("2.1.1")), "2.1.1"),
                ],
                vec![
                    ("municipality", Some(Text("Русе")), "RSE27"),
                    ("action", Some(Text("закриване")), "CLOSE"),
                    (
                        "service_type",
                        Some(Text("Дом за деца с умствена изостаналост")),
                        "DDUI",
                    ),
                    ("service_name", Some(Text("ДДУИ „Дъга“")), "ДДУИ „Дъга“"),
                    ("year", Some(Number(2017.0)), "2017"),
                    ("measure", Some(Text("3.1.1")), "3.1.1"),
                ],
                vec![
                    ("municipality", Some(Text("Сливо поле")), "RSE33"),
                    ("action", Some(Text("разширяване")), "EXPAND"),
                    (
                        "service_type",
                        Some(Text("Център за социална рехабилитация и интеграция")),
                        "CSRI",
                    ),
                    ("service_name", Some(Text("ЦСРИ Сливо поле")), "ЦСРИ Сливо поле"),
                    ("capacity", Some(Number(40.0)), "40"),
                    ("year", Some(Number(2019.0)), "2019"),
                    ("financing", Some(Text("Местна дейност")), "LOCAL"),
                    ("note", Some(Text("още 10 места")), "още 10 места"),
                ],
            ],
        },
        StrategyFilling {
            template: "strategy_indicators",
            title: vec![("oblast", None, "RSE")],
            rows: vec![
                vec![
                    ("code", Some(Text("И1")), "И1"),
                    (
                        "name",
                        Some(Text("Брой на социалните услуги")),
                        "Брой на социалните услуги",
                    ),
                    ("measure", Some(Text("2.1.1")), "2.1.1"),
                    ("unit", Some(Text("брой")), "брой"),
                    ("baseline", Some(Number(40.0)), "40"),
                    ("baseline_year", Some(Number(2015.0)), "2015"),
                    ("target", Some(Number(48.0)), "48"),
                    ("target_year", Some(Number(2020.0)), "2020"),
                    ("figure", Some(Text("services")), "services"),
                ],
                vec![
                    ("code", Some(Text("И8")), "И8"),
                    (
                        "name",
                        Some(Text("Обучени служители в социалните услуги")),
                        "Обучени служители в социалните услуги",
                    ),
                    ("measure", Some(Text("4.1.1")), "4.1.1"),
                    ("unit", Some(Text("брой")), "брой"),
                    ("baseline", Some(Number(0.0)), "0"),
                    ("target", Some(Number(120.0)), "120"),
                    ("target_year", Some(Number(2020.0)), "2020"),
                ],
            ],
        },
        StrategyFilling {
            template: "strategy_report",
            title: vec![
                ("oblast", None, "RSE"),
                ("municipality", Some(Text("Бяла")), "RSE04"),
                ("period_start", Some(Date(2016, 1, 1)), "2016-01-01"),
                ("period_end", Some(Date(2017, 6, 30)), "2017-06-30"),
                (
                    "council_decision",
                    Some(Text("Решение № 345/27.07.2017")),
                    "Решение № 345/27.07.2017",
                ),
                ("filled_on", Some(Date(2017, 7, 10)), "2017-07-10"),
                (
                    "filled_by",
                    Some(Text("Мария Иванова, главен експерт")),
                    "Мария Иванова, главен експерт",
                ),
                (
                    "contact",
                    Some(Text("0817 72 234, m.ivanova@byala.bg")),
                    "0817 72 234, m.ivanova@byala.bg",
                ),
            ],
            rows: vec![
                vec![
                    ("measure", Some(Text("2.1.1")), "2.1.1"),
                    (
                        "activity",
                        Some(Text("Разкриване на Дневен център за стари хора")),
                        "Разкриване на Дневен център за стари хора",
                    ),
                    ("status", Some(Text("изпълнена")), "DONE"),
                    ("funds", Some(Number(120_000.0)), "120000"),
                    (
                        "financing",
                        Some(Text("Държавно делегирана дейност")),
                        "STATE_DELEGATED",
                    ),
                ],
                vec![
                    ("measure", Some(Text("4.1.1")), "4.1.1"),
                    (
                        "activity",
                        Some(Text("Обучение на персонала на социалните услуги")),
                        "Обучение на персонала на социалните услуги",
                    ),
                    ("status", Some(Text("изпълнява се")), "IN_PROGRESS"),
                    ("indicator", Some(Text("И8")), "И8"),
                    ("value", Some(Number(12.0)), "12"),
                    ("comment", Some(Text("две обучения")), "две обучения"),
                ],
            ],
        },
    ]
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A template as `socmon templates` wrote it, typed into as a person fills it
/// in: each value goes into the shaded cell beside its title label, or under
/// its column's header in the n-th row, in the cell's own format (the sheet's
/// XML is edited, nothing else of the workbook changes).
fn fill_template(bytes: &[u8], filling: &StrategyFilling) -> Vec<u8> {
    let s = schemas();
    let template = s.template(filling.template).unwrap();
    let mut workbook = open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    let labelled = |label: &str| -> Vec<(u32, u32)> {
        range
            .cells()
            .filter(|(_, _, v)| v.to_string().trim_end_matches(" *") == label)
            .map(|(r, c, _)| (r as u32, c as u32))
            .collect()
    };
    let label = |id: &str| template.fields.iter().find(|f| f.id == id).unwrap().label.clone();
    let mut cells: Vec<(u32, u32, Typed)> = Vec::new();
    for (id, typed, _) in &filling.title {
        if let Some(typed) = typed {
            let (row, col) = *labelled(&label(id))
                .first()
                .unwrap_or_else(|| panic!("no label for {id}"));
            cells.push((row, col + 1, *typed));
        }
    }
    for (n, row) in filling.rows.iter().enumerate() {
        for (id, typed, _) in row {
            let (header, col) = *labelled(&label(id))
                .last()
                .unwrap_or_else(|| panic!("no header for {id}"));
            cells.push((header + 1 + n as u32, col, typed.unwrap()));
        }
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(data).unwrap();
            for (row, col, typed) in &cells {
                let at = format!("<c r=\"{}\" ", socmon::sheet::CellRef::new(*row, *col));
                let start = xml.find(&at).unwrap_or_else(|| panic!("no shaded cell {at}"));
                let end = start + xml[start..].find("/>").unwrap() + 2;
                let blank = &xml[start..end];
                assert!(!blank.contains('>') || blank.ends_with("/>"), "{blank}");
                let style = blank.split("s=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
                let cell = socmon::sheet::CellRef::new(*row, *col);
                let written = match typed {
                    Typed::Text(text) => format!(
                        "<c r=\"{cell}\" s=\"{style}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                        escape_xml(text)
                    ),
                    Typed::Number(n) => format!("<c r=\"{cell}\" s=\"{style}\"><v>{n}</v></c>"),
                    Typed::Date(y, m, d) => {
                        let day = chrono::NaiveDate::from_ymd_opt(*y, *m, *d).unwrap();
                        let serial = (day - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
                        format!("<c r=\"{cell}\" s=\"{style}\"><v>{serial}</v></c>")
                    }
                };
                xml.replace_range(start..end, &written);
            }
            data = xml.into_bytes();
        }
        writer.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut writer, &data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Reads a folder of filled strategy templates and checks that they give
/// exactly the records filled — every field as typed (or as the template
/// wrote it), nothing else — and no finding.
fn assert_strategy_read_back(input: &Path, file_of: &dyn Fn(&str) -> String) {
    let run = check_with(input, Period::report_2016_2017());
    assert_eq!(own_findings(&run), Vec::<String>::new(), "{}", input.display());
    let s = schemas();
    for filling in strategy_fillings() {
        let name = file_of(filling.template);
        let records = records_of(&run, &name);
        assert_eq!(records.len(), filling.rows.len(), "{name}");
        for (record, row) in records.iter().zip(&filling.rows) {
            assert!(record.accepted(), "{name}");
            let template = &s.templates[record.template];
            assert_eq!(template.id, filling.template, "{name}");
            for (i, field) in template.fields.iter().enumerate() {
                let want = row
                    .iter()
                    .chain(&filling.title)
                    .find(|(id, _, _)| *id == field.id)
                    .map_or("", |(_, _, want)| *want);
                let got = record.values[i].as_ref().map(|v| v.display()).unwrap_or_default();
                assert_eq!(got, want, "{name} row {} {}", record.anchor, field.id);
            }
        }
    }
}

/// The three strategy templates as `socmon templates` writes them, filled
/// with a few rows, read back as exactly those records with no finding.
#[test]
fn the_strategy_templates_filled_read_back_as_the_records_filled() {
    let files = blank_files(Lang::Bg);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let mut filled = Vec::new();
    for filling in strategy_fillings() {
        let name = format!("{}.xlsx", filling.template);
        filled.push((name.clone(), fill_template(file(&files, &name), &filling)));
    }
    templates::write(&filled, &input).unwrap();
    assert_strategy_read_back(&input, &|id| format!("{id}.xlsx"));
}

/// The same filled templates opened and saved again by LibreOffice Calc
/// (`tests/fixtures/strategy_templates/`, made by `make_fixtures.sh` there):
/// what a spreadsheet program writes reads back the same.
#[test]
fn the_strategy_templates_resaved_by_libreoffice_read_back_as_the_records_filled() {
    let fixtures = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/strategy_templates"
    ));
    let generated = blank_files(Lang::Bg);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    for filling in strategy_fillings() {
        let name = format!("{}.xlsx", filling.template);
        let bytes = std::fs::read(fixtures.join(&name)).unwrap();
        assert_eq!(
            marker_of(&bytes),
            marker_of(file(&generated, &name)),
            "{name} was made from another schema version: run tests/fixtures/strategy_templates/make_fixtures.sh"
        );
        // Saved by LibreOffice, not by socmon's writer; the plan keeps its years' drop-down.
        let parts = unzip(&bytes);
        let app = &parts["docProps/app.xml"];
        assert!(app.contains("LibreOffice"), "{name}: {app}");
        if filling.template == "strategy_plan" {
            assert!(parts["xl/worksheets/sheet1.xml"].contains("<formula1>socmon_year</formula1>"));
        }
        std::fs::write(input.join(&name), bytes).unwrap();
    }
    assert_strategy_read_back(&input, &|id| format!("{id}.xlsx"));
}

/// Writes the strategy templates filled as above, for `make_fixtures.sh` of
/// `tests/fixtures/strategy_templates/` to have LibreOffice save again.
#[test]
#[ignore = "run by tests/fixtures/strategy_templates/make_fixtures.sh"]
fn write_filled_strategy_templates_for_fixtures() {
    let files = blank_files(Lang::Bg);
    let filled: Vec<(String, Vec<u8>)> = strategy_fillings()
        .iter()
        .map(|filling| {
            let name = format!("{}.xlsx", filling.template);
            let bytes = fill_template(file(&files, &name), filling);
            (name, bytes)
        })
        .collect();
    templates::write(&filled, &fixture_out()).unwrap();
}
