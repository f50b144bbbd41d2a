//! The command line as a user meets it: exit codes, the summary, the
//! findings printed by `validate`, usage errors that say what is accepted.

use std::path::Path;
use std::process::Output;

use socmon::book::BookFormat;

use super::support::*;

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A folder with one clean card and one card with an error.
fn returns(dir: &Path) {
    put(
        dir,
        "input/Бяла/дц.xlsx",
        &book(vec![form_sheet(
            "Карта",
            ADULTS_TITLE,
            &adults_card("Бяла", "ДЦ Надежда"),
            Style::default(),
        )]),
        BookFormat::Xlsx,
    );
    let broken = with(
        adults_card("Бяла", "ДЦ Слънце"),
        "Дата на откриване",
        Some(t("01.03.16")),
    );
    put(
        dir,
        "input/Бяла/дц2.xlsx",
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &broken, Style::default())]),
        BookFormat::Xlsx,
    );
}

#[test]
fn help_documents_the_commands_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let help = socmon(&["--help"], dir.path());
    assert_eq!(code(&help), 0);
    let text = stdout(&help);
    for word in ["run", "validate", "Exit codes", "--strict"] {
        assert!(text.contains(word), "--help lacks {word}: {text}");
    }
    let run_help = stdout(&socmon(&["run", "--help"], dir.path()));
    for flag in [
        "--input",
        "--output",
        "--period",
        "--oblast",
        "--lang",
        "--strict",
        "--max-cells",
        "2017Q2",
    ] {
        assert!(run_help.contains(flag), "run --help lacks {flag}");
    }
    assert_eq!(code(&socmon(&[], dir.path())), 2, "no command is a usage error");
    assert_eq!(code(&socmon(&["frobnicate"], dir.path())), 2);
}

#[test]
fn run_writes_the_report_and_exits_0_or_1_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    let output = socmon(&["run", "--oblast", "RSE"], dir.path());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let summary = stderr(&output);
    assert!(summary.contains("Русе (RSE)"), "{summary}");
    assert!(summary.contains("записи: 2 (приети 1, отхвърлени 1)"), "{summary}");
    assert!(summary.contains("output/report.xlsx"), "{summary}");
    for file in [
        "output/report.xlsx",
        "output/run.json",
        "output/data/services.csv",
        "output/data/issues.csv",
        "output/feedback/RSE04.xlsx",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} missing");
    }
    let strict = socmon(&["run", "--oblast", "RSE", "--strict", "--quiet"], dir.path());
    assert_eq!(code(&strict), 1);
    assert!(
        stderr(&strict).is_empty(),
        "--quiet prints nothing: {}",
        stderr(&strict)
    );
    assert!(
        dir.path().join("output/report.xlsx").is_file(),
        "--strict still writes the report"
    );
}

#[test]
fn validate_prints_each_finding_at_its_cell_and_exits_1_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    let output = socmon(&["validate", "--oblast", "RSE"], dir.path());
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert!(
        text.contains("Бяла/дц2.xlsx, Карта, B12: грешка [type] „Дата на откриване“: „01.03.16“ е с двуцифрена година"),
        "{text}"
    );
    assert!(!dir.path().join("output").exists(), "validate writes nothing");
    let english = stdout(&socmon(&["validate", "--oblast", "RSE", "--lang", "en"], dir.path()));
    assert!(
        english.contains("error [type] \"Opening date\": \"01.03.16\" has a two-digit year"),
        "{english}"
    );
    // Without errors, 0.
    std::fs::remove_file(dir.path().join("input/Бяла/дц2.xlsx")).unwrap();
    assert_eq!(
        code(&socmon(&["validate", "--oblast", "RSE", "--quiet"], dir.path())),
        0
    );
}

#[test]
fn usage_errors_say_what_is_accepted_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    let bad_period = socmon(&["run", "--period", "2017Q5"], dir.path());
    assert_eq!(code(&bad_period), 2);
    assert!(
        stderr(&bad_period).contains("2017Q2, 2017, 2016H1"),
        "{}",
        stderr(&bad_period)
    );
    let bad_oblast = socmon(&["run", "--oblast", "XYZ"], dir.path());
    assert_eq!(code(&bad_oblast), 2);
    assert!(stderr(&bad_oblast).contains("RSE (Русе)"), "{}", stderr(&bad_oblast));
    let no_input = socmon(&["run", "--input", "nowhere"], dir.path());
    assert_eq!(code(&no_input), 2);
    assert!(stderr(&no_input).contains("nowhere"), "{}", stderr(&no_input));
}

#[test]
fn the_oblast_is_read_from_the_data_unless_it_names_several() {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    let output = socmon(&["run"], dir.path());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let varna = with(
        with(adults_card("Девня", "ДЦ"), "Област", Some(t("Варна"))),
        "Община",
        Some(t("Девня")),
    );
    put(
        dir.path(),
        "input/Девня/дц.xlsx",
        &book(vec![form_sheet("Карта", ADULTS_TITLE, &varna, Style::default())]),
        BookFormat::Xlsx,
    );
    let several = socmon(&["run"], dir.path());
    assert_eq!(code(&several), 2);
    let message = stderr(&several);
    assert!(
        message.contains("RSE (2 files") && message.contains("VAR (1 files: Девня/дц.xlsx)"),
        "{message}"
    );
    assert!(message.contains("--oblast"), "{message}");
    // With the oblast given, the Varna card is reported and left out.
    assert_eq!(code(&socmon(&["run", "--oblast", "RSE", "--quiet"], dir.path())), 0);
    let issues = std::fs::read_to_string(dir.path().join("output/data/issues.csv")).unwrap();
    assert!(
        issues.contains("Девня/дц.xlsx,Карта,B4,service_adults,municipality,error,wrong_oblast"),
        "{issues}"
    );
}

#[test]
fn a_settings_file_in_the_input_folder_sets_the_period_and_oblast() {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    std::fs::write(
        dir.path().join("input/socmon.toml"),
        "period = \"2017Q2\"\noblast = \"RSE\"\n",
    )
    .unwrap();
    let output = socmon(&["run", "--quiet"], dir.path());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("output/run.json")).unwrap()).unwrap();
    assert_eq!(summary["period"]["name"], "2017Q2");
    assert_eq!(summary["period"]["source"], "settings_file");
    assert_eq!(summary["files_skipped"], 1, "socmon.toml is not a return");
}

/// A folder with the returns and a report made from them: (folder, the report's bytes).
fn with_a_report() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    assert_eq!(code(&socmon(&["run", "--oblast", "RSE", "--quiet"], dir.path())), 0);
    let report = std::fs::read(dir.path().join("output/report.xlsx")).unwrap();
    (dir, report)
}

#[test]
fn an_output_that_cannot_be_written_is_a_fatal_error_and_the_previous_report_stays() {
    let (dir, before) = with_a_report();
    // A file where the output folder should be.
    std::fs::write(dir.path().join("blocked"), b"not a folder").unwrap();
    let output = socmon(&["run", "--oblast", "RSE", "--output", "blocked"], dir.path());
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cannot write"), "{}", stderr(&output));
    assert_eq!(std::fs::read(dir.path().join("output/report.xlsx")).unwrap(), before);
}

#[test]
fn a_temporary_folder_that_cannot_be_written_is_a_fatal_error_and_the_previous_report_stays() {
    // Annex 1 goes through a temporary file (a low-memory worksheet).
    let (dir, before) = with_a_report();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args(["run", "--oblast", "RSE", "--quiet"])
        .current_dir(dir.path())
        .env("TMPDIR", dir.path().join("no such folder"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("cannot write"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    assert_eq!(std::fs::read(dir.path().join("output/report.xlsx")).unwrap(), before);
}

/// A copy of the shipped `schemas/` folder (reference data included).
fn copy_schemas(to: &Path) {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for sub in ["", "reference"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for entry in std::fs::read_dir(shipped.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no {from}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn renaming_a_field_the_figures_add_up_stops_the_run_with_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    returns(dir.path());
    let schemas = dir.path().join("my-schemas");
    copy_schemas(&schemas);
    let run = |output: &str| {
        socmon(
            &[
                "run",
                "--oblast",
                "RSE",
                "--schemas",
                "my-schemas",
                "--output",
                output,
                "--no-history",
            ],
            dir.path(),
        )
    };
    let as_shipped = run("out-shipped");
    assert_eq!(code(&as_shipped), 0, "{}", stderr(&as_shipped));

    // `capacity` renamed, and the rules that name it with it: the schema
    // holds together, but the figures would add up nothing.
    let adults = schemas.join("service_adults.toml");
    edit(&adults, "id = \"capacity\"", "id = \"places\"");
    edit(&adults, "right = \"capacity\"", "right = \"places\"");
    let renamed = run("out-renamed");
    assert_eq!(code(&renamed), 2, "{}", stderr(&renamed));
    let message = stderr(&renamed);
    for word in ["capacity", "service_adults", "service_adults.toml", "integer"] {
        assert!(message.contains(word), "the message lacks {word}: {message}");
    }
    assert!(!dir.path().join("out-renamed").exists(), "nothing is written");

    // The id kept, the type changed: as fatal, and the message says both types.
    edit(&adults, "id = \"places\"", "id = \"capacity\"");
    edit(&adults, "right = \"places\"", "right = \"capacity\"");
    edit(
        &schemas.join("dsp.toml"),
        "aliases = [\"Деца в приемна грижа\", \"Приемни семейства\"]\ntype = \"integer\"",
        "aliases = [\"Деца в приемна грижа\", \"Приемни семейства\"]\ntype = \"decimal\"",
    );
    let retyped = run("out-retyped");
    assert_eq!(code(&retyped), 2, "{}", stderr(&retyped));
    let message = stderr(&retyped);
    for word in ["children_foster", "dsp.toml", "decimal", "integer"] {
        assert!(message.contains(word), "the message lacks {word}: {message}");
    }
}
