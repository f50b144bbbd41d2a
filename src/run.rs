//! The run's checked data: what reading and checking the returns gave (the
//! [`Run`]: file counts, records, findings and who sent each file) and how
//! long each stage took.
//! Every stage below the pipeline reads it; none of them runs anything.

use std::collections::BTreeMap;

use crate::issue::{Issue, Severity};
use crate::sender::Senders;
use crate::validate::Record;

/// How many files a run saw and what became of them.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileCounts {
    /// Every file below the input folder (hidden and lock files excepted).
    pub seen: usize,
    /// Spreadsheets opened and read.
    pub read: usize,
    /// Files that could not be read (each has an `unreadable_file` issue).
    pub failed: usize,
    /// Documentation and settings beside the returns (README, .txt, socmon.toml).
    pub skipped: usize,
    /// Read files by format.
    pub by_format: BTreeMap<String, usize>,
}

/// A finished check: everything found, before the figures are added up.
#[derive(Debug)]
pub struct Run {
    pub files: FileCounts,
    pub skipped_files: Vec<String>,
    /// The oblast(s) the run reports on (codes).
    pub oblasts: Vec<String>,
    pub records: Vec<Record>,
    /// Every finding, in report order, each given to the sender of its file.
    pub issues: Vec<Issue>,
    /// Who sent each file: whose feedback and counts its findings go to.
    pub senders: Senders,
    /// How long each stage took and the process's peak memory at its end
    /// (read, validate, …), for `--timings`; never written to an output.
    pub timings: Vec<Stage>,
}

/// One stage of a run, as `--timings` prints it.
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub name: &'static str,
    pub took: std::time::Duration,
    /// The process's peak resident memory so far, in bytes (Linux only).
    pub peak_bytes: Option<u64>,
}

impl Stage {
    /// A stage that began at `started` and ends now.
    pub fn ended(name: &'static str, started: std::time::Instant) -> Stage {
        Stage::took(name, started.elapsed())
    }

    pub fn took(name: &'static str, took: std::time::Duration) -> Stage {
        Stage {
            name,
            took,
            peak_bytes: peak_resident_bytes(),
        }
    }
}

/// The process's peak resident set (VmHWM), where the system tells it.
fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

impl Run {
    pub fn records_accepted(&self) -> usize {
        self.records.iter().filter(|r| r.accepted()).count()
    }

    pub fn errors(&self) -> usize {
        self.issues.iter().filter(|i| i.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.issues.len() - self.errors()
    }

    /// Adds findings made across periods (the outliers, which are warnings,
    /// so no record changes status), each given to the sender of its file,
    /// in report order. Nothing is counted before the findings are final.
    pub fn add_findings(&mut self, mut findings: Vec<Issue>) {
        self.senders.assign(&mut findings);
        self.issues.extend(findings);
        sort_issues(&mut self.issues);
    }
}

/// Findings in report order: by file, sheet, cell, field and code; those
/// about no file (missing submissions) last.
pub fn sort_issues(issues: &mut [Issue]) {
    issues.sort_by(|a, b| (a.location.file.is_empty(), a.sort_key()).cmp(&(b.location.file.is_empty(), b.sort_key())));
}
