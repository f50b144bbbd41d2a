//! The findings of the strategy's templates and of matching the plan with
//! the services: their facts and stable codes. They travel as
//! [`super::Finding::Strategy`]; their wording is in `messages/strategy.rs`.

use crate::sheet::CellRef;

/// The facts of one finding about the plan, the indicators or a report.
#[derive(Debug, Clone, PartialEq)]
pub enum StrategyFinding {
    /// The strategy's years are not two years such as „2016–2020".
    StrategyYearsUnreadable,
    /// A deadline outside the strategy's years.
    YearOutside { from: i32, to: i32 },
    /// The same action (municipality, action, type, name) twice in one plan version.
    DuplicateAction { other: CellRef, version: String },
    /// Two plan files of one oblast that are the same version.
    SameVersion { other_file: String, version: String },
    /// A capacity written for a closure, which has none after it.
    CapacityOnClosure,
    /// A figure key socmon does not know; the valid ones.
    UnknownFigureKey { valid: Vec<String> },
    /// The same indicator code twice in the oblast's indicators.
    DuplicateIndicator { other: String },
    /// A scope that is neither the oblast nor one of its municipalities.
    UnknownScope { closest: Vec<(String, String)> },
    /// An indicator code in a report that the oblast's indicators lack.
    UnknownIndicator { known: Vec<String> },
    /// An indicator is given but no value for it.
    ValueRequired,
    /// A not-done or postponed activity without its difficulties.
    DifficultiesExpected { status: String },
    /// A report's period differs from the run's.
    ReportPeriodDiffers { report_period: String, run_period: String },
    /// The municipal card's count of services whose project ended, or of
    /// those that went on, differs from the service cards.
    ProjectCount {
        declared: i64,
        found: usize,
        sustained: bool,
    },
}

impl StrategyFinding {
    /// The stable code, as in `issues.csv`.
    pub fn code(&self) -> &'static str {
        use StrategyFinding::*;
        match self {
            StrategyYearsUnreadable => "type",
            YearOutside { .. } => "range",
            DuplicateAction { .. } | DuplicateIndicator { .. } => "duplicate",
            SameVersion { .. } => "plan_version",
            CapacityOnClosure => "cross_field",
            UnknownFigureKey { .. } => "enum",
            UnknownScope { .. } => "unknown_municipality",
            UnknownIndicator { .. } => "unknown_indicator",
            ValueRequired | DifficultiesExpected { .. } => "required",
            ReportPeriodDiffers { .. } => "period",
            ProjectCount { .. } => "card_count",
        }
    }
}
