//! The findings of the reporting calendar (`crate::calendar`): their facts
//! and stable codes — a late return (`late`), a file time that is not
//! trusted (`file_time`), a registry row naming no file (`unknown_file`), a
//! council decision with no readable date (`decision_date`) — and the
//! plain values they name (which deadline, where a date came from, why a
//! decision's text gave none), which the calendar stage uses too. Their
//! wording is in `messages/calendar.rs`.

use chrono::NaiveDate;

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

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineKey {
    /// The cards and DSP tables.
    Returns,
    /// The municipalities' implementation reports of the strategy.
    StrategyReport,
    /// The council's decision adopting that report.
    CouncilDecision,
}

impl DeadlineKey {
    pub const ALL: [DeadlineKey; 3] = [
        DeadlineKey::Returns,
        DeadlineKey::StrategyReport,
        DeadlineKey::CouncilDecision,
    ];

    /// The key as `socmon.toml` and `--deadline` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKey::Returns => "returns",
            DeadlineKey::StrategyReport => "strategy_report",
            DeadlineKey::CouncilDecision => "council_decision",
        }
    }
}

/// Where a received date came from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The registry of incoming documents (входящ регистър).
    Registry,
    /// The card's „Дата на попълване".
    FilledOn,
    /// The file's modification time: a last resort.
    FileTime,
}

impl Source {
    /// As `submissions.csv` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Registry => "registry",
            Source::FilledOn => "filled_on",
            Source::FileTime => "file_time",
        }
    }

    /// In the user's words.
    pub fn label(self, lang: super::Lang) -> &'static str {
        use super::Lang::{Bg, En};
        match (self, lang) {
            (Source::Registry, Bg) => "входящ регистър",
            (Source::FilledOn, Bg) => "дата на попълване",
            (Source::FileTime, Bg) => "дата на файла",
            (Source::Registry, En) => "registry",
            (Source::FilledOn, En) => "date filled in",
            (Source::FileTime, En) => "file time",
        }
    }
}

/// Why a decision's text gave no date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionDate {
    /// Nothing in the text is written as a date.
    NoDate,
    /// A date with a two-digit year („25.10.17"): the century is a guess.
    TwoDigitYear,
    /// Written as a date, but no such day („31.11.2017").
    NoSuchDay,
}
