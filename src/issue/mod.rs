//! Findings about the data: every problem found in a return is an [`Issue`]
//! with its place (file, sheet, cell), the template and field, the value as
//! written, a severity, and a [`Finding`] that carries the facts. The stable
//! code is derived from the finding here; the message (Bulgarian or English)
//! is derived from it when a report is written ([`Messages`], in `messages/`),
//! never stored as preformatted text.
//!
//! This file is the model only: it knows no schema and no wording.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::sheet::CellRef;

pub mod calendar;
mod messages;
mod strategy;
mod visits;

pub use calendar::CalendarFinding;
pub use messages::{Labels, Messages};
pub use strategy::StrategyFinding;
pub use visits::VisitFinding;

/// How bad a finding is: an error rejects the record, a warning keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The language of what users read (the command line's `--lang` maps to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Bg,
    En,
}

/// Where a finding is: the file (relative to the input folder, with "/"),
/// the sheet and the cell. A finding about a whole file has no sheet; one
/// about a missing submission has no file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    pub file: String,
    pub sheet: String,
    pub cell: Option<CellRef>,
}

impl Location {
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_string(),
            ..Location::default()
        }
    }

    pub fn sheet(file: &str, sheet: &str) -> Location {
        Location {
            file: file.to_string(),
            sheet: sheet.to_string(),
            cell: None,
        }
    }

    pub fn cell(file: &str, sheet: &str, cell: CellRef) -> Location {
        Location {
            file: file.to_string(),
            sheet: sheet.to_string(),
            cell: Some(cell),
        }
    }

    /// "file, sheet, cell" for messages.
    pub fn describe(&self) -> String {
        let mut out = self.file.clone();
        if !self.sheet.is_empty() {
            let _ = write!(out, ", {}", self.sheet);
        }
        if let Some(cell) = self.cell {
            let _ = write!(out, ", {cell}");
        }
        out
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Protected with a password.
    Encrypted,
    /// Nothing in it (zero bytes).
    Empty,
    /// Its content is not a spreadsheet the tool reads.
    NotASpreadsheet { looks_like: Option<String> },
    /// A spreadsheet, but damaged or cut short.
    Damaged { detail: String },
    /// Larger on disk than the limit.
    TooLarge { bytes: u64, limit: u64 },
    /// Its parts would inflate beyond the limit (a zip bomb or an absurd sheet).
    InflatesTooMuch { bytes: u64, limit: u64 },
    /// The text its cells hold is out of proportion to the file (a long
    /// shared string shown in very many cells).
    TextTooLong { bytes: u64, limit: u64 },
    /// Its worst case alone is more memory than the run may spend on reading.
    OverMemoryBudget { bytes: u64, limit: u64 },
    /// A sheet with more cells than the limit.
    TooManyCells { sheet: String, limit: u64 },
    /// More sheets than the limit.
    TooManySheets { sheets: usize, limit: usize },
    /// The operating system could not read it.
    Io { detail: String },
    /// Reading it panicked inside a library; the run went on without it.
    ReaderFailed { detail: String },
}

/// What kind of value a field expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Integer,
    Decimal,
    Money,
    Date,
    YesNo,
}

/// What an outlier was compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum OutlierCheck {
    /// A change since the previous period beyond the field's threshold.
    Change {
        previous: f64,
        /// The earlier period's name ("2017Q2").
        previous_period: String,
        /// The share of change allowed (0.5 = 50 %).
        threshold: f64,
    },
    /// Outside the lowest..highest value of the service in the stored periods.
    OutsideRange { low: f64, high: f64, periods: usize },
    /// Users served in the period far above the places.
    ServedPerPlace { capacity: i64, limit: f64 },
    /// Funds per place far from the oblast's median for the service type.
    BudgetPerPlace {
        /// All funds of the service (state + local + other) and its places.
        total: f64,
        capacity: i64,
        median: f64,
        /// Services of the type behind the median.
        services: usize,
        factor: f64,
    },
}

/// The facts of one finding.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A required field is empty.
    Required,
    /// A required field's label is not on the card at all.
    LabelMissing,
    /// Required because another field holds one of some values.
    RequiredBecause {
        other_field: String,
        other_value: String,
    },
    /// Not readable as the expected type.
    NotA {
        expected: Expected,
    },
    /// An integer field with a fraction part.
    Fraction,
    /// Thousands groups that do not read as one number.
    BadGrouping,
    /// A two-digit year.
    TwoDigitYear,
    /// A date that does not exist.
    NoSuchDay,
    /// Below the field's minimum.
    BelowMin {
        min: f64,
    },
    /// Above the field's maximum.
    AboveMax {
        max: f64,
    },
    /// Not one of the allowed values; the closest ones (code, name).
    UnknownChoice {
        closest: Vec<(String, String)>,
        allowed: Vec<String>,
    },
    /// Fits several values (code, name).
    AmbiguousChoice {
        candidates: Vec<(String, String)>,
    },
    /// A service type that the other card carries.
    WrongCard {
        service_type: String,
        card: String,
    },
    /// A municipality the reference does not know; the closest (code, name).
    UnknownMunicipality {
        closest: Vec<(String, String)>,
    },
    /// A name that several municipalities share (code, name, oblast).
    AmbiguousMunicipality {
        candidates: Vec<(String, String, String)>,
    },
    UnknownOblast {
        closest: Vec<(String, String)>,
    },
    AmbiguousOblast {
        candidates: Vec<(String, String)>,
    },
    /// The municipality does not lie in the oblast the record names.
    MunicipalityNotInOblast {
        municipality: String,
        its_oblast: String,
        stated_oblast: String,
    },
    /// The record is about another oblast than the run's.
    OtherOblast {
        oblast: String,
        run_oblast: String,
    },
    /// An e-mail address that is not well formed.
    BadEmail,
    /// The same field twice on one card with different values.
    Conflict {
        other: CellRef,
        other_value: String,
    },
    /// `field ≤ other × factor` does not hold.
    NotAtMost {
        other_field: String,
        other_value: String,
        factor: f64,
    },
    /// `sum(fields) ≤ other` does not hold.
    SumNotAtMost {
        fields: Vec<String>,
        sum: String,
        other_field: String,
        other_value: String,
    },
    /// A date before another date field.
    DateBefore {
        other_field: String,
        other_value: String,
    },
    /// A validity that ends inside the period.
    EndsInPeriod {
        period_end: String,
    },
    /// A validity that ended before the period began.
    EndedBeforePeriod {
        period_start: String,
    },
    /// A card's own period differs from the run's.
    PeriodDiffers {
        card_period: String,
        run_period: String,
    },
    /// The same record in two places; `counted` says whether this one is the one counted.
    Duplicate {
        other: Location,
        counted: bool,
    },
    /// The same value twice in one table where it must be unique.
    DuplicateInFile {
        other: CellRef,
    },
    /// The municipal card's count differs from the cards received.
    CardCount {
        declared: i64,
        received: usize,
    },
    /// No municipal card from the municipality.
    MissingMunicipalCard {
        municipality: String,
    },
    /// No DSP row for the municipality.
    MissingDspRow {
        municipality: String,
    },
    /// A file that could not be read.
    UnreadableFile {
        problem: FileProblem,
    },
    /// A sheet or file that matches no template.
    UnknownTemplate {
        sheets_read: usize,
    },
    /// A row after the end of a table that looks like data.
    RowAfterTable,
    /// A table with a header but no rows.
    EmptyTable,
    /// A card with its labels but not one value.
    BlankCard,
    /// A template made from another schema version than the tool's; the
    /// notes of what changed since it.
    SchemaVersion {
        declared: u32,
        known: u32,
        changes: Vec<String>,
    },
    /// A directory link in the input folder that was not followed.
    LinkNotFollowed {
        looped: bool,
    },
    /// A value that deserves a second look (a warning, never an error).
    Outlier(OutlierCheck),
    /// A finding of the strategy's templates and matching (plan, indicators,
    /// reports, sustainability).
    Strategy(StrategyFinding),
    /// A finding about a monitoring-visit protocol (`crate::visits`).
    Visit(VisitFinding),
    /// About when returns came (`crate::calendar`).
    Calendar(CalendarFinding),
}

impl Finding {
    /// The stable code of the finding, as in `issues.csv`.
    pub fn code(&self) -> &'static str {
        use Finding::*;
        match self {
            Required | LabelMissing | RequiredBecause { .. } => "required",
            NotA { .. } | Fraction | BadGrouping | TwoDigitYear | NoSuchDay => "type",
            BelowMin { .. } | AboveMax { .. } => "range",
            UnknownChoice { .. } | AmbiguousChoice { .. } => "enum",
            WrongCard { .. } => "wrong_card",
            UnknownMunicipality { .. } | AmbiguousMunicipality { .. } => "unknown_municipality",
            UnknownOblast { .. } | AmbiguousOblast { .. } => "unknown_oblast",
            MunicipalityNotInOblast { .. } | OtherOblast { .. } => "wrong_oblast",
            BadEmail => "format",
            Conflict { .. } => "conflict",
            NotAtMost { .. } | SumNotAtMost { .. } | DateBefore { .. } => "cross_field",
            EndsInPeriod { .. } | EndedBeforePeriod { .. } => "license",
            PeriodDiffers { .. } => "period",
            Duplicate { .. } | DuplicateInFile { .. } => "duplicate",
            CardCount { .. } => "card_count",
            MissingMunicipalCard { .. } | MissingDspRow { .. } => "missing_submission",
            UnreadableFile { .. } => "unreadable_file",
            UnknownTemplate { .. } => "unknown_template",
            RowAfterTable => "ignored_row",
            EmptyTable => "empty_table",
            BlankCard => "blank_card",
            SchemaVersion { .. } => "schema_version",
            LinkNotFollowed { .. } => "link_not_followed",
            Outlier(_) => "outlier",
            Strategy(f) => f.code(),
            Visit(visit) => visit.code(),
            Calendar(c) => c.code(),
        }
    }
}

/// One finding with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub location: Location,
    /// Template id, when known.
    pub template: Option<String>,
    /// Field id, when the finding is about one field.
    pub field: Option<String>,
    /// The value as written in the cell ("" when empty or not about a value).
    pub value: String,
    pub severity: Severity,
    pub finding: Finding,
    /// The municipality the finding concerns (code), when known: it decides
    /// whose feedback the finding goes to.
    pub municipality: Option<String>,
}

impl Issue {
    pub fn new(location: Location, severity: Severity, finding: Finding) -> Issue {
        Issue {
            location,
            template: None,
            field: None,
            value: String::new(),
            severity,
            finding,
            municipality: None,
        }
    }

    pub fn error(location: Location, finding: Finding) -> Issue {
        Issue::new(location, Severity::Error, finding)
    }

    pub fn warning(location: Location, finding: Finding) -> Issue {
        Issue::new(location, Severity::Warning, finding)
    }

    pub fn template(mut self, template: &str) -> Issue {
        self.template = Some(template.to_string());
        self
    }

    pub fn field(mut self, field: &str) -> Issue {
        self.field = Some(field.to_string());
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Issue {
        self.value = value.into();
        self
    }

    pub fn municipality(mut self, code: Option<&str>) -> Issue {
        self.municipality = code.map(str::to_string);
        self
    }

    pub fn code(&self) -> &'static str {
        self.finding.code()
    }

    /// The order issues are listed in: by file, sheet, cell, then field and code.
    pub fn sort_key(&self) -> (&str, &str, Option<CellRef>, &str, &'static str) {
        (
            &self.location.file,
            &self.location.sheet,
            self.location.cell,
            self.field.as_deref().unwrap_or(""),
            self.code(),
        )
    }
}
