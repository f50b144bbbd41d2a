//! Ingest: takes the input folder and gives, per file, either its readable
//! sheets or the reason it could not be read. Nothing here knows templates
//! beyond the probe it is handed; nothing here writes to the input.

pub mod budget;
pub mod csv;
pub mod guard;
pub mod sniff;
pub mod walk;
pub mod workbook;
pub mod xlsx;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use sniff::Format;
pub use walk::{FoundFile, LinkProblem, SkippedLink, Walk, walk};
pub use workbook::{Probe, SkipReason, SkippedSheet, Workbook};

use crate::issue::FileProblem;
use crate::schema::Common;

/// What one file, and the whole run, may cost; every limit is checked
/// before the memory it guards is spent, and a file over a limit becomes an
/// `unreadable_file` finding that names the limit.
///
/// | limit | default | bounds |
/// | --- | --- | --- |
/// | `max_file_bytes` | 64 MiB | bytes read from disk for one file |
/// | `max_inflated_bytes` | 256 MiB | what one file inflates to: its zip parts' declared sizes (the zip reader refuses to inflate a part past its declared size), an .xls workbook stream, and the text its cells expand to |
/// | `max_cells_per_sheet` | 1,000,000 | filled cells of one sheet; for .xls/.ods also the box around them, which calamine allocates |
/// | `max_sheets` | 500 | sheets in one workbook |
/// | `max_memory_bytes` | 1 GiB | the worst-case memory of all files being read at once (see [`budget`]) |
/// | `probe_rows` | 200 | rows of an .xlsx sheet read before a sheet that looks like no template is dropped |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of a file on disk.
    pub max_file_bytes: u64,
    /// Sum of the inflated sizes of a zip-based file's parts, or the size of
    /// an .xls workbook stream; the text a file's cells hold is also capped
    /// by [`Limits::text_allowance`], which never exceeds this.
    pub max_inflated_bytes: u64,
    /// Filled cells in one sheet, and for .xls/.ods the area of the box
    /// around them (those readers build that box in memory).
    pub max_cells_per_sheet: u64,
    /// Sheets in one workbook.
    pub max_sheets: usize,
    /// Memory shared by the files read at the same time: each file reserves
    /// its worst case before reading and waits while the others hold the
    /// budget; a file whose worst case alone exceeds it is refused.
    pub max_memory_bytes: u64,
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
            max_memory_bytes: 1024 * 1024 * 1024,
            probe_rows: 200,
        }
    }
}

/// Text any file's cells may hold, whatever its size.
const TEXT_FLOOR: u64 = 1024 * 1024;
/// How many times its inflated size a file's cell text may be: a shared
/// string shown in many cells is held once per cell.
const TEXT_FACTOR: u64 = 8;

impl Limits {
    /// The text the cells of a file that inflates to `inflated` bytes may
    /// hold: eight times that, at least 1 MiB, at most `max_inflated_bytes`.
    /// A real return repeats short labels; a file that makes a long shared
    /// string appear in a million cells (terabytes of text) is refused.
    pub fn text_allowance(&self, inflated: u64) -> u64 {
        inflated
            .saturating_mul(TEXT_FACTOR)
            .max(TEXT_FLOOR)
            .min(self.max_inflated_bytes)
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
    /// The memory the workbook holds, given back to the run's budget when
    /// this is dropped.
    memory: budget::Reservation,
}

impl FileRead {
    /// Bytes of the run's memory budget this read still holds.
    pub fn reserved_bytes(&self) -> u64 {
        self.memory.bytes()
    }

    /// The most bytes of the budget this read reserved: its worst case.
    pub fn reserved_peak_bytes(&self) -> u64 {
        self.memory.peak()
    }
}

/// What holding a file's bytes and opening its container may cost before
/// its structure is known: the bytes, and for a zip its central directory
/// (the zip reader keeps a few hundred bytes per entry, and an entry takes
/// at least 46 bytes of the file).
fn opening_cost(bytes: &[u8]) -> u64 {
    let len = bytes.len() as u64;
    if bytes.starts_with(b"PK") {
        len.saturating_mul(8)
    } else {
        len.saturating_mul(2)
    }
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
    use std::io::Read;
    let io = |e: std::io::Error| FileProblem::Io { detail: e.to_string() };
    // Opened once: its size from the open file, then at most that many bytes
    // and one more (a file that grew past the limit since is still refused).
    let mut opened = std::fs::File::open(&file.path).map_err(io)?;
    let size = opened.metadata().map_err(io)?.len();
    if size > limits.max_file_bytes {
        return Err(FileProblem::TooLarge {
            bytes: size,
            limit: limits.max_file_bytes,
        });
    }
    let mut memory = budget::Reservation::new(size, limits.max_memory_bytes)?;
    let mut bytes = Vec::with_capacity(size as usize);
    (&mut opened)
        .take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(FileProblem::TooLarge {
            bytes: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let size = bytes.len() as u64;
    // A table kept as CSV (a registry exported from an office system): one sheet of text.
    if csv::is_csv(&file.relative)
        && matches!(sniff::sniff(&bytes), Err(FileProblem::NotASpreadsheet { looks_like: Some(ref t) }) if t == "text")
    {
        memory.grow_to(size.saturating_mul(4))?;
        let name = file.relative.rsplit('/').next().unwrap_or(&file.relative);
        let sheet = csv::read(&bytes, name, limits)?;
        return Ok(FileRead {
            format: Format::Csv,
            workbook: workbook::Workbook {
                sheets: vec![sheet],
                ..workbook::Workbook::default()
            },
            memory,
        });
    }
    memory.grow_to(opening_cost(&bytes))?;
    read_reserved(&bytes, limits, common, probe, memory)
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
    let memory = budget::Reservation::new(opening_cost(bytes), limits.max_memory_bytes)?;
    read_reserved(bytes, limits, common, probe, memory)
}

/// Reads bytes whose opening cost is reserved; the reservation grows to the
/// file's worst case once its structure is checked, and shrinks to what the
/// workbook holds when it is read.
fn read_reserved(
    bytes: &[u8],
    limits: &Limits,
    common: &Common,
    probe: Probe<'_>,
    mut memory: budget::Reservation,
) -> Result<FileRead, FileProblem> {
    READING.with(|r| r.set(true));
    let _guard = ReadingGuard;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let sniffed = sniff::sniff_opened(bytes)?;
        let format = sniffed.format;
        let workbook = workbook::read_workbook(bytes, format, sniffed.zip, limits, common, probe, &mut memory)?;
        memory.shrink_to(workbook.held_bytes());
        Ok(FileRead {
            format,
            workbook,
            memory,
        })
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
