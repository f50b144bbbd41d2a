//! Report: takes a checked [`Run`], its [`Aggregates`] and the
//! [`Comparison`] with the history and writes the outputs — the monitoring
//! workbook, `data/*.csv`, `run.json` and
//! `feedback/<municipality_code>.xlsx` — into the output folder.
//!
//! Each file is written to a staging folder inside the output folder as
//! soon as it is made (so a national run never holds every output's bytes
//! at once); only when every file is complete are they moved into place, so
//! a failed run (full disk, a crash, an unwritable file) leaves the previous
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

use std::io::Write;

use crate::aggregate::Aggregates;
use crate::compare::Comparison;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::paths::{DATA_DIR, FEEDBACK_DIR, OUTPUTS, REMINDERS_FILE, REPORT_FILE, RUN_FILE};
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

/// The outputs of a run as they are made: a staging folder inside the
/// output folder that each output is written into (and synced) as soon as
/// it is made, so that only the outputs being made are in memory, never
/// all of them. [`Outputs::publish`] then swaps them in at once; dropped
/// without it, the staging is removed and the output folder is as it was.
#[derive(Debug)]
pub struct Outputs {
    output: PathBuf,
    /// `None` only once published or being dropped.
    staged: Option<StagedDir>,
    /// The output folder was made by this run (and is removed again when
    /// nothing is published).
    made: bool,
}

/// One output being written into the staging folder; [`OutputFile::finish`]
/// makes it complete on the disk.
pub struct OutputFile {
    path: PathBuf,
    writer: std::io::BufWriter<std::fs::File>,
}

impl Write for OutputFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.writer.write(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

impl OutputFile {
    /// Writes what is buffered and waits until the file is on the disk.
    ///
    /// Errors: [`Error::Output`] naming the file.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::output(&path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::output(&path, e))
    }
}

impl Outputs {
    /// An empty staging folder inside `output` (made when missing), after
    /// undoing what a crashed run left there. The folders `data/` and
    /// `feedback/` are always there, even when empty (no feedback to send).
    ///
    /// Errors: [`Error::Output`] when the folders cannot be made or a
    /// crashed run's leftovers cannot be cleared.
    pub fn begin(output: &Path) -> Result<Outputs> {
        let made = !output.exists();
        std::fs::create_dir_all(output).map_err(|e| Error::output(output, e))?;
        let mut outputs = Outputs {
            output: output.to_path_buf(),
            staged: None,
            made,
        };
        recover(output)?;
        let staged = StagedDir::begin(output, output_error)?;
        for dir in [DATA_DIR, FEEDBACK_DIR] {
            let folder = staged.path().join(dir);
            std::fs::create_dir_all(&folder).map_err(|e| Error::output(&folder, e))?;
        }
        outputs.staged = Some(staged);
        Ok(outputs)
    }

    /// Where `relative` is staged.
    fn staged_path(&self, relative: &str) -> PathBuf {
        match &self.staged {
            Some(staged) => staged.path().join(relative),
            None => self.output.join(relative),
        }
    }

    /// A new file at `relative` in the staging folder, to be written and
    /// then [finished](OutputFile::finish).
    ///
    /// Errors: [`Error::Output`] when the file cannot be made.
    pub fn create(&self, relative: &str) -> Result<OutputFile> {
        let path = self.staged_path(relative);
        let file = std::fs::File::create(&path).map_err(|e| Error::output(&path, e))?;
        Ok(OutputFile {
            writer: std::io::BufWriter::with_capacity(1 << 16, file),
            path,
        })
    }

    /// Writes a whole output made in memory at `relative`, synced.
    ///
    /// Errors: [`Error::Output`] naming the file.
    pub fn put(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let mut file = self.create(relative)?;
        file.write_all(bytes).map_err(|e| Error::output(&file.path, e))?;
        file.finish()
    }

    /// Swaps the staged outputs in, replacing the previous ones all at
    /// once; other files in the output folder are left alone. Gives the
    /// report workbook's path.
    ///
    /// Errors: [`Error::Output`] naming what could not be moved; the
    /// previous report is then still in place.
    pub fn publish(mut self) -> Result<PathBuf> {
        let Some(mut staged) = self.staged.take() else {
            return Err(Error::output(&self.output, "the outputs were already published"));
        };
        self.made = false;
        for name in OUTPUTS {
            staged.replace(name);
        }
        staged.commit()?;
        Ok(self.output.join(REPORT_FILE))
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        // The staging first (its own drop removes it), then the output
        // folder when this run made it and it is still empty.
        drop(self.staged.take());
        if self.made {
            let _ = std::fs::remove_dir(&self.output);
        }
    }
}

/// The monitoring workbook, saved straight into its staged file.
/// rust_xlsxwriter writes the rows of its low-memory sheet (Annex 1) to a
/// temporary file and panics when that write fails (a full temporary
/// folder): that becomes an [`Error::Output`] like any other file that
/// cannot be written, and the previous report stays in place.
fn report_workbook(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    strategy: &Assessment,
    visits: &crate::visits::follow::Visits,
    out: &Outputs,
) -> Result<()> {
    let mut file = out.create(REPORT_FILE)?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        workbook::build(config, run, aggregates, comparison, strategy, visits, &mut file)
    }))
    .unwrap_or_else(|_| {
        Err(Error::output(
            std::env::temp_dir(),
            "cannot write the report's temporary file (is the disk full?)",
        ))
    })?;
    file.finish()
}

/// Makes every output and writes each into `out`'s staging folder as soon
/// as it is made (the rows of Annex 1 go through a temporary file first);
/// gives what was written.
///
/// Errors: [`Error::Output`] when a workbook cannot be built or a file
/// cannot be written.
pub fn build(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    strategy: &Assessment,
    visits: &crate::visits::follow::Visits,
    out: &Outputs,
) -> Result<Written> {
    let put_data = |files: Vec<(String, Vec<u8>)>| -> Result<Vec<String>> {
        files
            .into_iter()
            .map(|(name, bytes)| {
                let relative = format!("{DATA_DIR}/{name}");
                out.put(&relative, &bytes)?;
                Ok(relative)
            })
            .collect()
    };
    // The report workbook is the largest single piece of work: built beside the rest.
    let (report, (data, feedback)) = rayon::join(
        || report_workbook(config, run, aggregates, comparison, strategy, visits, out),
        || {
            rayon::join(
                || {
                    let mut data = csv::build(config, run, aggregates, comparison, out)?;
                    data.extend(put_data(visits::csv_files(visits)?)?);
                    Ok::<_, Error>(data)
                },
                || feedback::build(config, run, aggregates, strategy, visits, out),
            )
        },
    );
    report?;
    let mut data = data?;
    // The strategy's CSV files come only with the strategy's input: a run
    // without a plan changes nothing but the sheet that says so.
    if strategy.has_input() {
        data.extend(put_data(strategy::csv_files(&config.schemas.reference, strategy)?)?);
    }
    let feedback = feedback?;
    out.put(
        REMINDERS_FILE,
        reminders::text(config, &reminders::reminders(config, run, aggregates)).as_bytes(),
    )?;
    let written = Written {
        report: REPORT_FILE.to_string(),
        reminders: REMINDERS_FILE.to_string(),
        data,
        feedback,
    };
    out.put(
        RUN_FILE,
        &json::build(config, run, aggregates, comparison, strategy, &written)?,
    )?;
    Ok(written)
}

fn output_error(path: &Path, message: String) -> Error {
    Error::output(path, message)
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

    /// Stages the files (relative path, text) and publishes them.
    fn write(output: &Path, files: &[(&str, &str)]) -> Result<PathBuf> {
        let outputs = Outputs::begin(output)?;
        for (relative, text) in files {
            outputs.put(relative, text.as_bytes())?;
        }
        outputs.publish()
    }

    fn file<'a>(relative: &'a str, text: &'a str) -> (&'a str, &'a str) {
        (relative, text)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn each_output_is_on_the_disk_as_soon_as_it_is_made_and_published_all_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, &[file(REPORT_FILE, "previous"), file(RUN_FILE, "{}")]).unwrap();

        let outputs = Outputs::begin(out).unwrap();
        let staging = outputs.staged.as_ref().unwrap().path().to_path_buf();
        outputs.put(REPORT_FILE, b"new").unwrap();
        // Written into the staging folder at once, nothing held back in memory...
        assert_eq!(std::fs::read_to_string(staging.join(REPORT_FILE)).unwrap(), "new");
        let mut csv = outputs.create("data/services.csv").unwrap();
        csv.write_all(b"a,b\n").unwrap();
        csv.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(staging.join("data/services.csv")).unwrap(),
            "a,b\n"
        );
        // ...while the live folder still holds the previous run's outputs only.
        assert_eq!(std::fs::read_to_string(out.join(REPORT_FILE)).unwrap(), "previous");
        assert!(!out.join("data/services.csv").exists());

        outputs.publish().unwrap();
        assert_eq!(std::fs::read_to_string(out.join(REPORT_FILE)).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(out.join("data/services.csv")).unwrap(), "a,b\n");
        assert!(!out.join(RUN_FILE).exists(), "a stale output survived the swap");
        assert!(!staging.exists());
    }

    #[test]
    fn outputs_never_published_leave_the_output_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write(&out, &[file(REPORT_FILE, "previous")]).unwrap();
        let before = names(&out);
        {
            let outputs = Outputs::begin(&out).unwrap();
            outputs.put(REPORT_FILE, b"half a run").unwrap();
            // The run fails here: the outputs are dropped unpublished.
        }
        assert_eq!(names(&out), before);
        assert_eq!(std::fs::read_to_string(out.join(REPORT_FILE)).unwrap(), "previous");
        // An output folder that the failed run made is not left behind.
        let fresh = dir.path().join("fresh");
        drop(Outputs::begin(&fresh).unwrap());
        assert!(!fresh.exists());
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
        let names = names(output);
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
        // A file that cannot be created: `data` is a folder of the staging.
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
