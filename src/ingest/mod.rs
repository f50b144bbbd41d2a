//! Ingest: takes the input folder and gives, per file, either its readable
//! sheets or the reason it could not be read. Nothing here knows templates
//! beyond the probe it is handed; nothing here writes to the input.

pub mod guard;
pub mod sniff;
pub mod walk;
pub mod workbook;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use sniff::Format;
pub use walk::{FoundFile, LinkProblem, SkippedLink, Walk, walk};
pub use workbook::{Probe, SkipReason, SkippedSheet, Workbook};

use crate::issue::FileProblem;
use crate::schema::Common;

/// What one file may cost; every limit is checked before the memory it
/// guards is spent. Defaults are documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of a file on disk.
    pub max_file_bytes: u64,
    /// Sum of the inflated sizes of a zip-based file's parts, or the size of
    /// an .xls workbook stream.
    pub max_inflated_bytes: u64,
    /// Filled cells in one sheet, and for .xls/.ods the area of the box
    /// around them (those readers build that box in memory).
    pub max_cells_per_sheet: u64,
    /// Sheets in one workbook.
    pub max_sheets: usize,
    /// Rows of a sheet read before deciding whether it can be a template.
    pub probe_rows: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_inflated_bytes: 256 * 1024 * 1024,
            max_cells_per_sheet: 1_000_000,
            max_sheets: 500,
            probe_rows: 200,
        }
    }
}

/// File names that are documentation or settings beside the returns: they
/// are listed as skipped, not reported as unreadable returns.
const NOT_RETURNS: &[&str] = &["md", "txt", "toml", "json", "log"];

/// Whether a file is documentation or settings rather than a return.
pub fn is_not_a_return(relative: &str) -> bool {
    let extension = relative.rsplit_once('.').map(|(_, e)| e.to_lowercase());
    extension.is_some_and(|e| NOT_RETURNS.contains(&e.as_str()))
}

/// What reading one file gave.
#[derive(Debug)]
pub struct FileRead {
    pub format: Format,
    pub workbook: Workbook,
}

/// Reads one file: sniffs its content, checks the limits, reads its sheets.
/// A panic inside a reader is caught and becomes a [`FileProblem`], so one
/// file can never take the run down.
///
/// Errors: the [`FileProblem`] that made the file unreadable.
pub fn read_file(
    file: &FoundFile,
    limits: &Limits,
    common: &Common,
    probe: Probe<'_>,
) -> Result<FileRead, FileProblem> {
    let size = std::fs::metadata(&file.path)
        .map_err(|e| FileProblem::Io { detail: e.to_string() })?
        .len();
    if size > limits.max_file_bytes {
        return Err(FileProblem::TooLarge {
            bytes: size,
            limit: limits.max_file_bytes,
        });
    }
    let bytes = std::fs::read(&file.path).map_err(|e| FileProblem::Io { detail: e.to_string() })?;
    read_bytes(&bytes, limits, common, probe)
}

thread_local! {
    /// Set while a reader runs on this thread: its panics become findings.
    static READING: Cell<bool> = const { Cell::new(false) };
}

/// Keeps a panic inside a spreadsheet reader off the terminal (it becomes
/// an `unreadable_file` finding instead); any other panic is printed as usual.
pub fn quiet_reader_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !READING.with(Cell::get) {
            default(info);
        }
    }));
}

/// Clears the reading flag however the reader ends.
struct ReadingGuard;

impl Drop for ReadingGuard {
    fn drop(&mut self) {
        READING.with(|r| r.set(false));
    }
}

/// Reads a spreadsheet from memory (see [`read_file`]).
///
/// Errors: the [`FileProblem`] that made the bytes unreadable.
pub fn read_bytes(bytes: &[u8], limits: &Limits, common: &Common, probe: Probe<'_>) -> Result<FileRead, FileProblem> {
    READING.with(|r| r.set(true));
    let _guard = ReadingGuard;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let format = sniff::sniff(bytes)?;
        let workbook = workbook::read_workbook(bytes, format, limits, common, probe)?;
        Ok(FileRead { format, workbook })
    }));
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(FileProblem::ReaderFailed { detail })
        }
    }
}
