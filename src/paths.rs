//! The names socmon gives what it writes: the outputs inside the output
//! folder (the only ones a run replaces) and the prefixes of the folders it
//! stages them in, in the output folder and in the history alike.

/// The monitoring workbook.
pub const REPORT_FILE: &str = "report.xlsx";
/// The run summary.
pub const RUN_FILE: &str = "run.json";
/// The CSV files.
pub const DATA_DIR: &str = "data";
/// One workbook per municipality with findings.
pub const FEEDBACK_DIR: &str = "feedback";

/// Everything a run writes into the output folder, and all it replaces there.
pub const OUTPUTS: [&str; 4] = [REPORT_FILE, RUN_FILE, DATA_DIR, FEEDBACK_DIR];

/// A folder new files are written to before they are swapped in.
pub const STAGING_PREFIX: &str = ".socmon-staging-";
/// A folder the previous copies are moved aside to during a swap.
pub const PREVIOUS_PREFIX: &str = ".socmon-previous-";
/// A folder a removed stored period is moved to before it is deleted.
pub const REMOVED_PREFIX: &str = ".socmon-removed-";

/// A feedback workbook's path relative to the output folder.
pub fn feedback_file(municipality_code: &str) -> String {
    format!("{FEEDBACK_DIR}/{municipality_code}.xlsx")
}
