//! Report: takes a checked [`Run`], its [`Aggregates`] and the
//! [`Comparison`] with the history and writes the outputs — the monitoring
//! workbook, `data/*.csv`, `run.json` and
//! `feedback/<municipality_code>.xlsx` — into the output folder.
//!
//! Everything is first written to a staging folder inside the output
//! folder; only when every file is complete are they moved into place, so a
//! failed run (full disk, a crash, an unwritable file) leaves the previous
//! report as it was. The same input gives the same bytes: no clock is read.

pub mod annexes;
pub mod comparison;
pub mod csv;
pub mod feedback;
pub mod json;
pub mod reminders;
pub mod sheetkit;
pub mod strategy;
pub mod text;
pub mod visits;
pub mod workbook;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::aggregate::Aggregates;
use crate::compare::Comparison;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::paths::{DATA_DIR, FEEDBACK_DIR, OUTPUTS, REMINDERS_FILE, REPORT_FILE, RUN_FILE, feedback_file};
use crate::run::Run;
use crate::staged::{self, StagedDir};
use crate::strategy::Assessment;

/// What a run wrote, relative to the output folder.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Written {
    pub report: String,
    pub data: Vec<String>,
    pub feedback: Vec<String>,
    pub reminders: String,
}

/// A file to be written: its path relative to the output folder and bytes.
pub struct OutputFile {
    pub relative: String,
    pub bytes: Vec<u8>,
}

/// The monitoring workbook. rust_xlsxwriter writes the rows of its
/// low-memory sheet (Annex 1) to a temporary file and panics when that
/// write fails (a full temporary folder): that becomes an [`Error::Output`]
/// like any other file that cannot be written, and the previous report
/// stays in place.
fn report_workbook(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    strategy: &Assessment,
    visits: &crate::visits::follow::Visits,
) -> Result<Vec<u8>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        workbook::build(config, run, aggregates, comparison, strategy, visits)
    }))
    .unwrap_or_else(|_| {
        Err(Error::output(
            std::env::temp_dir(),
            "cannot write the report's temporary file (is the disk full?)",
        ))
    })
}

/// Builds every output in memory (the rows of Annex 1 go through a
/// temporary file; nothing else touches the disk).
///
/// Errors: [`Error::Output`] when a workbook cannot be built.
pub fn build(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    strategy: &Assessment,
    visits: &crate::visits::follow::Visits,
) -> Result<Vec<OutputFile>> {
    // The report workbook is the largest single piece of work: built beside the rest.
    let (report, (data, feedback)) = rayon::join(
        || report_workbook(config, run, aggregates, comparison, strategy, visits),
        || {
            rayon::join(
                || {
                    let mut data = csv::build(config, run, aggregates, comparison)?;
                    data.extend(visits::csv_files(visits)?);
                    Ok::<_, Error>(data)
                },
                || feedback::build(config, run, aggregates, strategy, visits),
            )
        },
    );
    // The strategy's CSV files come only with the strategy's input: a run
    // without a plan changes nothing but the sheet that says so.
    let strategy_data = if strategy.has_input() {
        strategy::csv_files(&config.schemas.reference, strategy)?
    } else {
        Vec::new()
    };
    let mut files = vec![OutputFile {
        relative: REPORT_FILE.to_string(),
        bytes: report?,
    }];
    for (name, bytes) in data?.into_iter().chain(strategy_data) {
        files.push(OutputFile {
            relative: format!("{DATA_DIR}/{name}"),
            bytes,
        });
    }
    for (code, bytes) in feedback? {
        files.push(OutputFile {
            relative: feedback_file(&code),
            bytes,
        });
    }
    files.push(OutputFile {
        relative: REMINDERS_FILE.to_string(),
        bytes: reminders::text(config, &reminders::reminders(config, run, aggregates)).into_bytes(),
    });
    let written = Written {
        report: REPORT_FILE.to_string(),
        reminders: REMINDERS_FILE.to_string(),
        data: files
            .iter()
            .filter(|f| f.relative.starts_with(DATA_DIR))
            .map(|f| f.relative.clone())
            .collect(),
        feedback: files
            .iter()
            .filter(|f| f.relative.starts_with(FEEDBACK_DIR))
            .map(|f| f.relative.clone())
            .collect(),
    };
    files.push(OutputFile {
        relative: RUN_FILE.to_string(),
        bytes: json::build(config, run, aggregates, comparison, strategy, &written)?,
    });
    Ok(files)
}

/// Writes the outputs into `output`, replacing the previous ones only once
/// every new file is complete. Other files in `output` are left alone.
///
/// Errors: [`Error::Output`] naming the path that could not be written; the
/// previous report is then still in place.
pub fn write(output: &Path, files: &[OutputFile]) -> Result<PathBuf> {
    std::fs::create_dir_all(output).map_err(|e| Error::output(output, e))?;
    recover(output)?;
    let mut staged = StagedDir::begin(output, output_error)?;
    stage(staged.path(), files)?;
    for name in OUTPUTS {
        staged.replace(name);
    }
    staged.commit()?;
    Ok(output.join(REPORT_FILE))
}

fn output_error(path: &Path, message: String) -> Error {
    Error::output(path, message)
}

fn stage(staging: &Path, files: &[OutputFile]) -> Result<()> {
    // The folders first (they always exist, even when empty: no feedback to
    // send), then the files side by side: each waits for its own sync to the
    // disk (strace on a national run: 283 syncs, 22 ms one after another).
    let folders: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| staging.join(&f.relative).parent().map(Path::to_path_buf))
        .chain([DATA_DIR, FEEDBACK_DIR].map(|dir| staging.join(dir)))
        .collect();
    for folder in &folders {
        std::fs::create_dir_all(folder).map_err(|e| Error::output(folder, e))?;
    }
    files
        .par_iter()
        .try_for_each(|file| write_synced(&staging.join(&file.relative), &file.bytes))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path).map_err(|e| Error::output(path, e))?;
    file.write_all(bytes).map_err(|e| Error::output(path, e))?;
    file.sync_all().map_err(|e| Error::output(path, e))
}

/// Undoes what a run that crashed (or lost power) in the middle of writing
/// left behind: an output it had moved aside and not yet replaced is put
/// back, and its staging is removed.
///
/// Errors: [`Error::Output`] when a leftover cannot be moved or removed.
fn recover(output: &Path) -> Result<()> {
    staged::recover(output, 1, output_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(relative: &str, text: &str) -> OutputFile {
        OutputFile {
            relative: relative.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_report_moved_aside_by_a_crashed_run_is_put_back_and_its_staging_removed() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        // A crashed run (pid 1) had moved report.xlsx and data/ aside and
        // moved only its new run.json in; its staging still holds the rest.
        let aside = output.join(".socmon-previous-1");
        std::fs::create_dir_all(aside.join(DATA_DIR)).unwrap();
        std::fs::write(aside.join(REPORT_FILE), "old report").unwrap();
        std::fs::write(aside.join(DATA_DIR).join("services.csv"), "old csv").unwrap();
        std::fs::write(output.join(RUN_FILE), "new run.json").unwrap();
        std::fs::create_dir_all(output.join(".socmon-staging-1").join(DATA_DIR)).unwrap();

        recover(output).unwrap();

        assert_eq!(std::fs::read_to_string(output.join(REPORT_FILE)).unwrap(), "old report");
        assert_eq!(
            std::fs::read_to_string(output.join(DATA_DIR).join("services.csv")).unwrap(),
            "old csv"
        );
        assert_eq!(std::fs::read_to_string(output.join(RUN_FILE)).unwrap(), "new run.json");
        let names: Vec<String> = std::fs::read_dir(output)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.starts_with(".socmon-")), "{names:?}");
    }

    #[test]
    fn outputs_replace_the_previous_ones_and_leave_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        write(
            out,
            &[
                file(REPORT_FILE, "one"),
                file("data/services.csv", "a"),
                file(RUN_FILE, "{}"),
            ],
        )
        .unwrap();
        write(
            out,
            &[
                file(REPORT_FILE, "two"),
                file("data/issues.csv", "b"),
                file(RUN_FILE, "{}"),
            ],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(out.join(REPORT_FILE)).unwrap(), "two");
        assert!(!out.join("data/services.csv").exists(), "a stale data file survived");
        assert!(out.join("data/issues.csv").exists());
        assert!(out.join(FEEDBACK_DIR).is_dir());
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        let leftovers: Vec<_> = std::fs::read_dir(out)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".socmon"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_failed_write_leaves_the_previous_report_intact() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write(&out, &[file(REPORT_FILE, "previous"), file(RUN_FILE, "{}")]).unwrap();
        // A file that cannot be created: a staged path whose parent is a file.
        let err = write(
            &out,
            &[
                file(REPORT_FILE, "new"),
                file("data", "x"),
                file("data/services.csv", "y"),
            ],
        );
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(out.join(REPORT_FILE)).unwrap(), "previous");
        // An output folder that cannot be written to at all.
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
        let denied = write(&out, &[file(REPORT_FILE, "new")]);
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
        if denied.is_ok() {
            // Running as root: permissions do not apply; nothing more to check.
            return;
        }
        assert_eq!(std::fs::read_to_string(out.join(REPORT_FILE)).unwrap(), "previous");
    }
}
