//! Quarter after quarter (issue #5): two runs over two generated quarters of
//! the Ruse sample give the comparison and the outliers a person expects;
//! the history is Parquet that polars' own reader reads; a re-run replaces
//! its period and an interrupted one leaves the history as it was; the same
//! input still gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{Reader, Xlsx, open_workbook};
use polars::prelude::DataType;
use polars_io::prelude::{ParquetReader, SerReader};
use socmon::history::{History, Partition};
use socmon::period::Period;
use socmon::sample::{self, PlannedChange, Sample, SampleOptions};

use crate::support::{self, socmon};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn quarter(later: Option<&str>) -> (SampleOptions, Sample) {
    let options = SampleOptions {
        oblasts: vec!["RSE".into()],
        scale: 1,
        seed: 2017,
        mistakes: 0.0,
        period: "2017Q2".parse::<Period>().unwrap(),
        later: later.map(|p| p.parse::<Period>().unwrap()),
    };
    let sample = sample::generate(&support::schemas(), &options).expect("the sample is generated");
    (options, sample)
}

/// A folder with the two quarters: `q2/` and `q3/`, and the truth of the later one.
fn two_quarters() -> (tempfile::TempDir, Sample) {
    let dir = tempfile::tempdir().unwrap();
    let (_, q2) = quarter(None);
    let (_, q3) = quarter(Some("2017Q3"));
    sample::write(&q2, &dir.path().join("q2")).unwrap();
    sample::write(&q3, &dir.path().join("q3")).unwrap();
    (dir, q3)
}

fn run(dir: &Path, input: &str, output: &str) -> Output {
    let out = socmon(&["run", "--input", input, "--output", output], dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out
}

/// Every file below a folder with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn two_quarters_give_the_comparison_and_the_outliers_a_person_expects() {
    let (dir, truth_sample) = two_quarters();
    let truth = &truth_sample.truth;
    let first = run(dir.path(), "q2", "out-q2");
    assert!(
        stderr(&first).contains("няма предходен период"),
        "the first quarter has nothing to compare with: {}",
        stderr(&first)
    );
    let header_only = std::fs::read_to_string(dir.path().join("out-q2/data/comparison.csv")).unwrap();
    assert_eq!(
        header_only.lines().count(),
        1,
        "without an earlier period only the header: {header_only}"
    );

    let second = run(dir.path(), "q3", "out-q3");
    let summary = stderr(&second);
    assert!(summary.contains("сравнение с 2017Q2"), "{summary}");
    let out = dir.path().join("out-q3");

    // Opened, closed, continued: every service as the truth has it.
    let rows = support::csv_rows(&out.join("data/comparison.csv"));
    let found: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["municipality_code"].clone(),
                r["service_name"].clone(),
                r["status"].clone(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = truth.statuses.iter().cloned().collect();
    assert_eq!(rows.len(), expected.len());
    assert_eq!(found, expected);
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
    assert!(
        count("opened") >= 2,
        "the planted one and those opened after the base quarter"
    );
    assert!(
        count("closed") >= 2,
        "the planted one and those closed in the base quarter"
    );
    assert!(count("continued") > 80);
    assert!(
        rows.iter()
            .all(|r| r["period_then"] == "2017Q2" && r["period_now"] == "2017Q3")
    );

    // Each planted change, with its figures then and now.
    let planned = |change: PlannedChange| truth.planned.iter().filter(move |p| p.change == change);
    assert_eq!(planned(PlannedChange::Opened).count(), 1);
    assert_eq!(planned(PlannedChange::Closed).count(), 1);
    assert_eq!(planned(PlannedChange::CapacityChanged).count(), 2);
    assert_eq!(planned(PlannedChange::SuspiciousJump).count(), 1);
    let row_of = |p: &sample::Planned| {
        rows.iter()
            .find(|r| r["municipality_code"] == p.municipality && r["service_name"] == p.service_name)
            .unwrap_or_else(|| panic!("{} {} is not in comparison.csv", p.municipality, p.service_name))
    };
    for p in planned(PlannedChange::Opened) {
        let row = row_of(p);
        assert_eq!(row["status"], "opened");
        assert_eq!(row["capacity_then"], "");
        assert_eq!(row["capacity_now"], p.capacity_after.unwrap().to_string());
    }
    for p in planned(PlannedChange::Closed) {
        let row = row_of(p);
        assert_eq!(row["status"], "closed");
        assert!(
            row["end_date"].starts_with("2017-0"),
            "it closed inside the quarter: {row:?}"
        );
    }
    for p in planned(PlannedChange::CapacityChanged).chain(planned(PlannedChange::SuspiciousJump)) {
        let row = row_of(p);
        assert_eq!(row["status"], "continued");
        assert_eq!(row["matched_by"], "identity");
        assert_eq!(row["capacity_then"], p.capacity_before.unwrap().to_string());
        assert_eq!(row["capacity_now"], p.capacity_after.unwrap().to_string());
    }

    // The outliers: exactly the expected ones, at their cells, as warnings.
    let issues = support::csv_rows(&out.join("data/issues.csv"));
    let outliers: BTreeSet<(String, String, String, String)> = issues
        .iter()
        .filter(|i| i["code"] == "outlier")
        .map(|i| {
            assert_eq!(i["severity"], "warning");
            (
                i["file"].clone(),
                i["sheet"].clone(),
                i["cell"].clone(),
                i["field"].clone(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String)> = truth
        .outliers
        .iter()
        .map(|o| (o.file.clone(), o.sheet.clone(), o.cell.clone(), o.field.clone()))
        .collect();
    assert_eq!(expected.len(), 2, "a capacity jump and its funds per place");
    assert_eq!(outliers, expected, "outliers found (left) and planted (right)");
    let jump = planned(PlannedChange::SuspiciousJump).next().unwrap();
    let message = issues
        .iter()
        .find(|i| i["code"] == "outlier" && i["field"] == "capacity")
        .map(|i| i["message"].clone())
        .unwrap();
    assert!(
        message.contains("2017Q2") && message.contains(&jump.capacity_before.unwrap().to_string()),
        "the message says what it was compared with: {message}"
    );
    // A warning keeps the record: the jump is in the figures, and the feedback goes to its municipality.
    let services = support::csv_rows(&out.join("data/services.csv"));
    assert!(
        services.iter().any(
            |s| s["service_name"] == jump.service_name && s["capacity"] == jump.capacity_after.unwrap().to_string()
        )
    );
    let mut feedback: Xlsx<_> = open_workbook(out.join(format!("feedback/{}.xlsx", jump.municipality))).unwrap();
    let sheet = feedback.worksheet_range("Обратна връзка").unwrap();
    assert!(sheet.used_cells().any(|(_, _, v)| v.to_string() == message));

    // The workbook: the comparison, the trends and the outliers on their own sheets.
    let mut workbook: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let names = workbook.sheet_names();
    for name in ["Сравнение", "Динамика", "Отклонения"] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
    let sheet = workbook.worksheet_range("Отклонения").unwrap();
    let listed = sheet
        .rows()
        .filter(|r| r.iter().any(|c| c.to_string() == message))
        .count();
    assert_eq!(listed, 1);
    let sheet = workbook.worksheet_range("Сравнение").unwrap();
    assert!(sheet.used_cells().any(|(_, _, v)| v.to_string() == jump.service_name));
    assert!(sheet.used_cells().any(|(_, _, v)| v.to_string().contains("2017Q2")));
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(summary["comparison"]["compared_with"][0]["period"], "2017Q2");
    assert_eq!(summary["comparison"]["outliers"], 2);
    assert_eq!(summary["issues_by_code"]["outlier"], 2);
}

#[test]
fn the_history_is_parquet_that_polars_reads_and_socmon_lists() {
    let (dir, _) = two_quarters();
    run(dir.path(), "q2", "out-q2");
    run(dir.path(), "q3", "out-q3");
    let period = dir.path().join("history/oblast=RSE/period=2017Q3");
    for table in socmon::history::TABLES {
        assert!(period.join(format!("{table}.parquet")).is_file(), "{table}.parquet");
    }
    // Read with polars' own Parquet reader, not socmon's code.
    let read = |name: &str| {
        ParquetReader::new(std::fs::File::open(period.join(name)).unwrap())
            .finish()
            .unwrap()
    };
    let services = read("services.parquet");
    let csv_services = support::csv_rows(&dir.path().join("out-q3/data/services.csv"));
    assert_eq!(services.height(), csv_services.len());
    assert_eq!(services.column("capacity").unwrap().dtype(), &DataType::Int64);
    assert_eq!(services.column("budget_state").unwrap().dtype(), &DataType::Float64);
    assert_eq!(services.column("in_figures").unwrap().dtype(), &DataType::Boolean);
    assert_eq!(services.column("start_date").unwrap().dtype(), &DataType::String);
    let capacity: i64 = services
        .column("capacity")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .sum();
    let csv_capacity: i64 = csv_services
        .iter()
        .filter_map(|s| s["capacity"].parse::<i64>().ok())
        .sum();
    assert_eq!(capacity, csv_capacity);
    let run_row = read("run.parquet");
    assert_eq!(run_row.height(), 1);
    assert_eq!(
        run_row.column("period_name").unwrap().str().unwrap().get(0),
        Some("2017Q3")
    );
    let by_municipality = read("by_municipality.parquet");
    assert_eq!(by_municipality.height(), 8, "every municipality of Ruse oblast");

    let listing = socmon(&["history"], dir.path());
    assert_eq!(listing.status.code(), Some(0));
    let text = String::from_utf8_lossy(&listing.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].starts_with("RSE\t2017Q2\t2017-04-01\t2017-06-30\t2017-"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("RSE\t2017Q3\t2017-07-01\t2017-09-30\t2017-"),
        "{text}"
    );
    assert!(
        lines[2].ends_with(&format!(
            "\t{}\t{}",
            socmon::history::TABLES.len(),
            csv_services.len() + 8 + 8
        )),
        "{text}"
    );

    let removed = socmon(
        &["history", "--remove", "--oblast", "RSE", "--period", "2017Q2"],
        dir.path(),
    );
    assert_eq!(removed.status.code(), Some(0), "{}", stderr(&removed));
    assert!(!dir.path().join("history/oblast=RSE/period=2017Q2").exists());
    assert!(period.is_dir(), "nothing else is touched");
    let again = socmon(
        &["history", "--remove", "--oblast", "RSE", "--period", "2017Q2"],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(2));
}

/// The two quarters with the first one run and stored: (folder, the
/// history folder, what it holds).
fn q2_stored() -> (tempfile::TempDir, PathBuf, BTreeMap<PathBuf, Vec<u8>>) {
    let (dir, _) = two_quarters();
    let history = dir.path().join("history");
    run(dir.path(), "q2", "out-q2");
    let stored = snapshot(&history);
    (dir, history, stored)
}

#[test]
fn a_rerun_replaces_its_period_and_an_interrupted_one_leaves_the_history() {
    let (dir, history, stored) = q2_stored();
    // The same period again: replaced, not duplicated, byte for byte the same.
    run(dir.path(), "q2", "out-q2");
    assert_eq!(snapshot(&history), stored);
    let periods: Vec<_> = std::fs::read_dir(history.join("oblast=RSE")).unwrap().collect();
    assert_eq!(periods.len(), 1);
    assert_eq!(
        std::fs::read_dir(&history).unwrap().count(),
        1,
        "no staging left behind"
    );

    // A run whose report cannot be written stores nothing.
    std::fs::write(dir.path().join("blocked"), b"not a folder").unwrap();
    let failed = socmon(
        &["run", "--input", "q3", "--output", "blocked", "--history", "history"],
        dir.path(),
    );
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert_eq!(snapshot(&history), stored);

    // Interrupted after the new tables were staged, before the swap.
    let h = History::open(&history).unwrap();
    let frame = polars::df!("x" => [1i64]).unwrap();
    let staged = h
        .stage(vec![Partition {
            oblast: "RSE".into(),
            period: "2017Q2".parse().unwrap(),
            tables: vec![("run", frame)],
        }])
        .unwrap();
    assert_ne!(snapshot(&history), stored, "the staging is on disk");
    drop(staged);
    assert_eq!(snapshot(&history), stored);

    // A crash in the middle of a swap: the period moved aside, the new one not yet in.
    let aside = history.join(".socmon-previous-4242/oblast=RSE");
    std::fs::create_dir_all(&aside).unwrap();
    std::fs::rename(history.join("oblast=RSE/period=2017Q2"), aside.join("period=2017Q2")).unwrap();
    std::fs::create_dir_all(history.join(".socmon-staging-4242/oblast=RSE/period=2017Q2")).unwrap();
    let listing = socmon(&["history"], dir.path());
    assert!(String::from_utf8_lossy(&listing.stdout).contains("RSE\t2017Q2"));
    assert_eq!(snapshot(&history), stored, "the next opening puts it back");
}

#[test]
fn a_rerun_reads_nothing_of_the_period_it_replaces_but_an_earlier_one_must_read() {
    let (dir, history, stored) = q2_stored();
    // The period a run stores anew is replaced whole: even damaged, its
    // files are not read (not even `run.parquet`), and the new copy is the same.
    let period = history.join("oblast=RSE/period=2017Q2");
    for table in ["run", "services", "by_municipality", "visits", "visit_findings"] {
        std::fs::write(period.join(format!("{table}.parquet")), b"not Parquet").unwrap();
    }
    run(dir.path(), "q2", "out-q2");
    assert_eq!(snapshot(&history), stored);

    // A stored period the run compares with is read, and a damaged one stops it.
    std::fs::write(period.join("run.parquet"), b"not Parquet").unwrap();
    let failed = socmon(
        &["run", "--input", "q3", "--output", "out-q3", "--history", "history"],
        dir.path(),
    );
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    assert!(stderr(&failed).contains("run.parquet"), "{}", stderr(&failed));
}

#[test]
fn the_same_input_gives_the_same_bytes_with_a_history() {
    let (dir, _) = two_quarters();
    run(dir.path(), "q2", "out-q2");
    run(dir.path(), "q3", "first");
    run(dir.path(), "q3", "second");
    let (first, second) = (
        snapshot(&dir.path().join("first")),
        snapshot(&dir.path().join("second")),
    );
    assert!(first.len() >= 10);
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{} differs between two runs", name.display());
    }
}

#[test]
fn periods_of_different_lengths_are_compared_with_a_note() {
    let (dir, _) = two_quarters();
    run(dir.path(), "q2", "out-q2");
    // The same returns read as a half year: longer than the stored quarter.
    let out = socmon(
        &[
            "run",
            "--input",
            "q3",
            "--output",
            "out-h2",
            "--period",
            "2017H2",
            "--compare-with",
            "2017Q2",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = stderr(&out);
    assert!(summary.contains("различна дължина (91 и 184 дни)"), "{summary}");
    let issues = support::csv_rows(&dir.path().join("out-h2/data/issues.csv"));
    assert!(
        issues
            .iter()
            .filter(|i| i["code"] == "outlier")
            .all(|i| !i["field"].starts_with("users_served")),
        "flows are not compared between periods of different lengths"
    );
    let unknown = socmon(
        &[
            "run",
            "--input",
            "q3",
            "--output",
            "out-x",
            "--compare-with",
            "2016Q1",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("stored: 2017Q2"), "{}", stderr(&unknown));
}

#[test]
fn a_trial_run_without_the_history_neither_compares_nor_stores() {
    let (dir, history, stored) = q2_stored();
    // Draft returns of the next quarter, checked without touching the history.
    let trial = socmon(
        &["run", "--input", "q3", "--output", "out-trial", "--no-history"],
        dir.path(),
    );
    assert_eq!(trial.status.code(), Some(0), "{}", stderr(&trial));
    assert!(
        stderr(&trial).contains("историята не е използвана (--no-history)"),
        "{}",
        stderr(&trial)
    );
    assert_eq!(snapshot(&history), stored, "nothing stored, nothing replaced");
    let comparison = support::csv_rows(&dir.path().join("out-trial/data/comparison.csv"));
    assert!(comparison.is_empty(), "nothing to compare with: {comparison:?}");
    // Asking for both is refused before anything runs.
    let both = socmon(
        &[
            "run",
            "--input",
            "q3",
            "--output",
            "out-trial",
            "--no-history",
            "--history",
            "history",
        ],
        dir.path(),
    );
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}
