//! The findings of the reporting calendar (`crate::calendar`): their facts
//! and stable codes — a late return (`late`), a file time that is not
//! trusted (`file_time`), a registry row naming no file (`unknown_file`), a
//! council decision with no readable date (`decision_date`). Their wording
//! is in `messages/calendar.rs`.

use chrono::NaiveDate;

use crate::calendar::decision::DecisionDate;
use crate::calendar::{DeadlineKey, Source};

#[derive(Debug, Clone, PartialEq)]
pub enum CalendarFinding {
    /// The returns, the implementation report or the council decision came
    /// after its deadline (the decision's date is that of its text: no source).
    Late {
        what: DeadlineKey,
        received_on: NaiveDate,
        source: Option<Source>,
        deadline: NaiveDate,
        days: i64,
    },
    /// A file's modification time in the future or before the period: not
    /// used as its received date.
    FileTimeUntrusted {
        modified: NaiveDate,
        future: bool,
        period_start: NaiveDate,
    },
    /// A registry row whose file name names no file of the input folder.
    NoSuchFile { name: String },
    /// A council decision's text with no readable date.
    DecisionUndated { why: DecisionDate },
}

impl CalendarFinding {
    /// The stable code, as in `issues.csv`.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarFinding::Late { .. } => "late",
            CalendarFinding::FileTimeUntrusted { .. } => "file_time",
            CalendarFinding::NoSuchFile { .. } => "unknown_file",
            CalendarFinding::DecisionUndated { .. } => "decision_date",
        }
    }
}
