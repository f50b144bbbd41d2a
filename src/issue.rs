//! Findings about the data: every problem found in a return is an [`Issue`]
//! with its place (file, sheet, cell), the template and field, the value as
//! written, a severity, and a [`Finding`] that carries the facts. The stable
//! code and the message (Bulgarian or English) are derived from the finding
//! when a report is written, never stored as preformatted text.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::schema::Schemas;
use crate::sheet::CellRef;

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

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Error, Lang::Bg) => "грешка",
            (Severity::Warning, Lang::Bg) => "предупреждение",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::En) => "warning",
        }
    }
}

/// The language of what users read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
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
    /// A finding about a monitoring-visit protocol (`crate::visits`).
    Visit(crate::visits::VisitFinding),
    /// A finding of the strategy's templates and matching (plan, indicators,
    /// reports); its codes and messages live in [`crate::strategy::findings`].
    Strategy(crate::strategy::findings::StrategyFinding),
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
            Visit(visit) => visit.code(),
            Strategy(f) => f.code(),
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

/// Renders messages in the user's language; field labels come from the schemas.
pub struct Messages<'a> {
    pub lang: Lang,
    pub schemas: &'a Schemas,
}

fn quote(lang: Lang, text: &str) -> String {
    match lang {
        Lang::Bg => format!("„{text}“"),
        Lang::En => format!("\"{text}\""),
    }
}

fn list_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(code, name)| format!("{name} ({code})"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn number(n: f64) -> String {
    crate::sheet::format_number(n)
}

impl Messages<'_> {
    /// The label of a field in the user's language (the id when unknown).
    pub fn field_label(&self, template: Option<&str>, field: &str) -> String {
        let found = template
            .and_then(|t| self.schemas.template(t))
            .and_then(|t| t.fields.iter().find(|f| f.id == field))
            .or_else(|| {
                self.schemas
                    .templates
                    .iter()
                    .find_map(|t| t.fields.iter().find(|f| f.id == field))
            });
        match (found, self.lang) {
            (Some(f), Lang::Bg) => f.label.clone(),
            (Some(f), Lang::En) => f.label_en.clone(),
            (None, _) => field.to_string(),
        }
    }

    /// The template's title in the user's language.
    pub fn template_title(&self, template: &str) -> String {
        match (self.schemas.template(template), self.lang) {
            (Some(t), Lang::Bg) => t.title.clone(),
            (Some(t), Lang::En) => t.title_en.clone(),
            (None, _) => template.to_string(),
        }
    }

    /// The message of an issue: what is wrong and what is expected.
    pub fn message(&self, issue: &Issue) -> String {
        let lang = self.lang;
        let bg = lang == Lang::Bg;
        let t = issue.template.as_deref();
        let label = issue
            .field
            .as_deref()
            .map(|f| quote(lang, &self.field_label(t, f)))
            .unwrap_or_default();
        let value = quote(lang, &issue.value);
        let other = |f: &str| quote(lang, &self.field_label(t, f));
        use Finding::*;
        match &issue.finding {
            Required => {
                if bg {
                    format!("Полето {label} е задължително, а е празно. Попълнете го.")
                } else {
                    format!("{label} is required but empty. Fill it in.")
                }
            }
            LabelMissing => {
                if bg {
                    format!("Редът {label} липсва в картата. Добавете го с попълнена стойност (използвайте образеца).")
                } else {
                    format!("The row {label} is missing from the card. Add it with its value (use the template).")
                }
            }
            RequiredBecause {
                other_field,
                other_value,
            } => {
                if bg {
                    format!(
                        "Полето {label} е задължително, когато {} е {}, а е празно.",
                        other(other_field),
                        quote(lang, other_value)
                    )
                } else {
                    format!(
                        "{label} is required when {} is {}, but it is empty.",
                        other(other_field),
                        quote(lang, other_value)
                    )
                }
            }
            NotA { expected } => {
                let what = match (expected, bg) {
                    (Expected::Integer, true) => "цяло число (например 12 или 1 250)",
                    (Expected::Decimal, true) => "число (например 12,5 или 1 250)",
                    (Expected::Money, true) => "сума в лева (например 1 250,50)",
                    (Expected::Date, true) => "дата във формат дд.мм.гггг (например 01.03.2016)",
                    (Expected::YesNo, true) => "„да“ или „не“",
                    (Expected::Integer, false) => "a whole number (e.g. 12 or 1 250)",
                    (Expected::Decimal, false) => "a number (e.g. 12,5 or 1 250)",
                    (Expected::Money, false) => "an amount in BGN (e.g. 1 250,50)",
                    (Expected::Date, false) => "a date written dd.mm.yyyy (e.g. 01.03.2016)",
                    (Expected::YesNo, false) => "\"да\" or \"не\" (yes or no)",
                };
                if bg {
                    format!("{label}: {value} не може да се прочете; очаква се {what}.")
                } else {
                    format!("{label}: {value} cannot be read; expected {what}.")
                }
            }
            Fraction => {
                if bg {
                    format!("{label}: {value} има дробна част; очаква се цяло число.")
                } else {
                    format!("{label}: {value} has a fraction part; expected a whole number.")
                }
            }
            BadGrouping => {
                if bg {
                    format!(
                        "{label}: {value} не е ясно число (разделителите на хилядите са по три цифри, десетичният знак е запетая, например 1 250,50)."
                    )
                } else {
                    format!(
                        "{label}: {value} is not a clear number (thousands come in groups of three, the decimal mark is a comma, e.g. 1 250,50)."
                    )
                }
            }
            TwoDigitYear => {
                if bg {
                    format!("{label}: {value} е с двуцифрена година; напишете годината с четири цифри (дд.мм.гггг).")
                } else {
                    format!("{label}: {value} has a two-digit year; write the year with four digits (dd.mm.yyyy).")
                }
            }
            NoSuchDay => {
                if bg {
                    format!("{label}: {value} не е съществуваща дата.")
                } else {
                    format!("{label}: {value} is not a date that exists.")
                }
            }
            BelowMin { min } => {
                if bg {
                    if *min == 0.0 {
                        format!("{label}: {value} е отрицателно; очаква се число не по-малко от 0.")
                    } else {
                        format!("{label}: {value} е под минимума; очаква се поне {}.", number(*min))
                    }
                } else if *min == 0.0 {
                    format!("{label}: {value} is negative; expected a number of at least 0.")
                } else {
                    format!(
                        "{label}: {value} is below the minimum; expected at least {}.",
                        number(*min)
                    )
                }
            }
            AboveMax { max } => {
                if bg {
                    format!(
                        "{label}: {value} е над максимума; очаква се най-много {}.",
                        number(*max)
                    )
                } else {
                    format!(
                        "{label}: {value} is above the maximum; expected at most {}.",
                        number(*max)
                    )
                }
            }
            UnknownChoice { closest, allowed } => {
                let hint = if !closest.is_empty() {
                    if bg {
                        format!(" Най-близки: {}.", list_pairs(closest))
                    } else {
                        format!(" Closest: {}.", list_pairs(closest))
                    }
                } else if !allowed.is_empty() && allowed.len() <= 8 {
                    if bg {
                        format!(" Допустими: {}.", allowed.join("; "))
                    } else {
                        format!(" Allowed: {}.", allowed.join("; "))
                    }
                } else {
                    String::new()
                };
                if bg {
                    format!("{label}: {value} не е от допустимите стойности.{hint}")
                } else {
                    format!("{label}: {value} is not one of the allowed values.{hint}")
                }
            }
            AmbiguousChoice { candidates } => {
                if bg {
                    format!(
                        "{label}: {value} е двусмислено, може да е: {}. Напишете пълното наименование.",
                        list_pairs(candidates)
                    )
                } else {
                    format!(
                        "{label}: {value} is ambiguous; it may be: {}. Write the full name.",
                        list_pairs(candidates)
                    )
                }
            }
            WrongCard { service_type, card } => {
                let card_name = match (card.as_str(), bg) {
                    ("children", true) => "картата за деца",
                    ("adults", true) => "картата за лица",
                    ("children", false) => "the card for children",
                    _ if bg => "другата карта",
                    ("adults", false) => "the card for adults",
                    _ => "the other card",
                };
                if bg {
                    format!(
                        "{label}: видът {} не се описва в тази карта; попълнете {card_name}.",
                        quote(lang, service_type)
                    )
                } else {
                    format!(
                        "{label}: the type {} does not belong on this card; fill in {card_name}.",
                        quote(lang, service_type)
                    )
                }
            }
            UnknownMunicipality { closest } => {
                if bg {
                    if closest.is_empty() {
                        format!(
                            "Непозната община {value}. Напишете името или кода по ЕКАТТЕ (например Русе или RSE27)."
                        )
                    } else {
                        format!("Непозната община {value}; най-близки: {}.", list_pairs(closest))
                    }
                } else if closest.is_empty() {
                    format!("Unknown municipality {value}. Write its name or NSI code (e.g. Русе or RSE27).")
                } else {
                    format!("Unknown municipality {value}; closest: {}.", list_pairs(closest))
                }
            }
            AmbiguousMunicipality { candidates } => {
                let names = candidates
                    .iter()
                    .map(|(code, name, oblast)| format!("{name} ({code}, {oblast})"))
                    .collect::<Vec<_>>()
                    .join("; ");
                if bg {
                    format!("Общината {value} е двусмислена: {names}. Попълнете и областта или напишете кода.")
                } else {
                    format!("The municipality {value} is ambiguous: {names}. Fill in the oblast or write the code.")
                }
            }
            UnknownOblast { closest } => {
                if bg {
                    if closest.is_empty() {
                        format!("Непозната област {value}. Напишете името или кода (например Русе или RSE).")
                    } else {
                        format!("Непозната област {value}; най-близки: {}.", list_pairs(closest))
                    }
                } else if closest.is_empty() {
                    format!("Unknown oblast {value}. Write its name or code (e.g. Русе or RSE).")
                } else {
                    format!("Unknown oblast {value}; closest: {}.", list_pairs(closest))
                }
            }
            AmbiguousOblast { candidates } => {
                if bg {
                    format!(
                        "Областта {value} е двусмислена: {}. Напишете „Софийска област“ или „София-град“, или кода.",
                        list_pairs(candidates)
                    )
                } else {
                    format!(
                        "The oblast {value} is ambiguous: {}. Write „Софийска област“ or „София-град“, or the code.",
                        list_pairs(candidates)
                    )
                }
            }
            MunicipalityNotInOblast {
                municipality,
                its_oblast,
                stated_oblast,
            } => {
                if bg {
                    format!("Община {municipality} е в област {its_oblast}, а картата посочва област {stated_oblast}.")
                } else {
                    format!(
                        "Municipality {municipality} lies in oblast {its_oblast}, but the record names oblast {stated_oblast}."
                    )
                }
            }
            OtherOblast { oblast, run_oblast } => {
                if bg {
                    format!("Записът е за област {oblast}, а отчетът е за област {run_oblast}; не е включен в отчета.")
                } else {
                    format!(
                        "The record is about oblast {oblast}, but the report is for oblast {run_oblast}; it is left out."
                    )
                }
            }
            BadEmail => {
                if bg {
                    format!("{label}: {value} съдържа неправилен e-mail адрес (очаква се име@домейн.bg).")
                } else {
                    format!("{label}: {value} holds a malformed e-mail address (expected name@domain.bg).")
                }
            }
            Conflict {
                other: other_cell,
                other_value,
            } => {
                if bg {
                    format!(
                        "{label} е попълнено два пъти с различни стойности: {value} и {} (клетка {other_cell}). Оставете една.",
                        quote(lang, other_value)
                    )
                } else {
                    format!(
                        "{label} is filled in twice with different values: {value} and {} (cell {other_cell}). Keep one.",
                        quote(lang, other_value)
                    )
                }
            }
            NotAtMost {
                other_field,
                other_value,
                factor,
            } => {
                let bound = if *factor == 1.0 {
                    other(other_field)
                } else if bg {
                    format!("{} пъти {}", number(*factor), other(other_field))
                } else {
                    format!("{} times {}", number(*factor), other(other_field))
                };
                if bg {
                    format!(
                        "{label} ({}) е повече от {bound} ({other_value}); не може да е повече.",
                        issue.value
                    )
                } else {
                    format!(
                        "{label} ({}) is more than {bound} ({other_value}); it cannot be more.",
                        issue.value
                    )
                }
            }
            SumNotAtMost {
                fields,
                sum,
                other_field,
                other_value,
            } => {
                let names = fields.iter().map(|f| other(f)).collect::<Vec<_>>().join(" + ");
                if bg {
                    format!("{names} = {sum} е повече от {} ({other_value}).", other(other_field))
                } else {
                    format!("{names} = {sum} is more than {} ({other_value}).", other(other_field))
                }
            }
            DateBefore {
                other_field,
                other_value,
            } => {
                if bg {
                    format!(
                        "{label} ({}) е преди {} ({other_value}).",
                        issue.value,
                        other(other_field)
                    )
                } else {
                    format!(
                        "{label} ({}) is before {} ({other_value}).",
                        issue.value,
                        other(other_field)
                    )
                }
            }
            EndsInPeriod { period_end } => {
                if bg {
                    format!("{label}: {value} изтича преди края на отчетния период ({period_end}); подновете лиценза.")
                } else {
                    format!(
                        "{label}: {value} ends before the end of the reporting period ({period_end}); renew the licence."
                    )
                }
            }
            EndedBeforePeriod { period_start } => {
                if bg {
                    format!(
                        "{label}: {value} е изтекъл преди началото на отчетния период ({period_start}); услугата няма валиден лиценз."
                    )
                } else {
                    format!(
                        "{label}: {value} expired before the reporting period began ({period_start}); the service has no valid licence."
                    )
                }
            }
            PeriodDiffers {
                card_period,
                run_period,
            } => {
                if bg {
                    format!("Картата е за период {card_period}, а отчетът е за {run_period}.")
                } else {
                    format!("The card covers {card_period}, but the report covers {run_period}.")
                }
            }
            Duplicate { other: place, counted } => {
                let where_ = place.describe();
                match (bg, counted) {
                    (true, true) => format!("Същият запис е подаден и в {where_}; броен е само този."),
                    (true, false) => format!("Същият запис вече е подаден в {where_}; този не е броен втори път."),
                    (false, true) => format!("The same record was also sent in {where_}; only this one is counted."),
                    (false, false) => {
                        format!("The same record was already sent in {where_}; this one is not counted twice.")
                    }
                }
            }
            DuplicateInFile { other: cell } => {
                if bg {
                    format!(
                        "{label}: {value} се среща втори път в таблицата (и в клетка {cell}); всяка община е на един ред."
                    )
                } else {
                    format!(
                        "{label}: {value} appears twice in the table (also in cell {cell}); one row per municipality."
                    )
                }
            }
            CardCount { declared, received } => {
                if bg {
                    format!("{label}: посочени са {declared}, а са получени {received} карти на услуги от този вид.")
                } else {
                    format!("{label}: {declared} declared, but {received} service cards of this kind were received.")
                }
            }
            MissingMunicipalCard { municipality } => {
                if bg {
                    format!("Няма получена карта от общинската администрация на община {municipality}.")
                } else {
                    format!("No municipal administration card was received from {municipality}.")
                }
            }
            MissingDspRow { municipality } => {
                if bg {
                    format!("Няма ред за община {municipality} в таблиците от дирекции „Социално подпомагане“.")
                } else {
                    format!("No DSP table has a row for municipality {municipality}.")
                }
            }
            UnreadableFile { problem } => self.file_problem(problem),
            UnknownTemplate { .. } => match (bg, issue.location.sheet.is_empty()) {
                (true, false) => {
                    "Листът не прилича на нито един от образците (липсват заглавие и познати редове); не е прочетен."
                        .to_string()
                }
                (true, true) => "Файлът не съдържа лист по някой от образците; не е прочетен.".to_string(),
                (false, false) => {
                    "The sheet matches no template (no known title or labels); it was not read.".to_string()
                }
                (false, true) => "The file holds no sheet that follows a template; it was not read.".to_string(),
            },
            SchemaVersion {
                declared,
                known,
                changes,
            } => {
                let what = changes.join("; ");
                match (bg, declared > known) {
                    (true, true) => format!(
                        "Образецът е от по-нова версия на схемата ({declared}) от тази, която програмата познава ({known}); обновете socmon."
                    ),
                    (false, true) => format!(
                        "The template is from a newer schema version ({declared}) than this tool knows ({known}); update socmon."
                    ),
                    (true, false) => format!(
                        "Образецът е от по-стара версия на схемата ({declared}; текущата е {known}). Промени: {}. Използвайте новия образец.",
                        if what.is_empty() { "—".into() } else { what }
                    ),
                    (false, false) => format!(
                        "The template is from an older schema version ({declared}; current is {known}). Changes: {}. Use the new template.",
                        if what.is_empty() { "—".into() } else { what }
                    ),
                }
            }
            LinkNotFollowed { looped } => match (bg, looped) {
                (true, true) => {
                    "Връзка към папка, която вече е прочетена (кръгова връзка); не е последвана.".to_string()
                }
                (true, false) => "Връзка към несъществуваща или недостъпна папка; не е последвана.".to_string(),
                (false, true) => "A link to a folder already read (a loop); not followed.".to_string(),
                (false, false) => "A link to a folder that does not exist or cannot be read; not followed.".to_string(),
            },
            Outlier(outlier) => self.outlier(issue, outlier, &label),
            Visit(visit) => crate::visits::findings::message(self, issue, visit, &label),
            Strategy(finding) => finding.message(self, issue),
            RowAfterTable => {
                if bg {
                    "Ред след края на таблицата (след празен ред или ред „Общо“); не е прочетен. Махнете празния ред или преместете реда.".to_string()
                } else {
                    "A row after the end of the table (after an empty row or a totals row); it was not read. Remove the empty row or move the row.".to_string()
                }
            }
            BlankCard => {
                if bg {
                    "Картата е празна (няма нито една попълнена стойност); не е прочетена.".to_string()
                } else {
                    "The card is blank (not one value filled in); it was not read.".to_string()
                }
            }
            EmptyTable => {
                if bg {
                    "Таблицата има заглавен ред, но няма редове с данни.".to_string()
                } else {
                    "The table has a header but no data rows.".to_string()
                }
            }
        }
    }

    /// An outlier: the value, what it was compared with, and what to check.
    fn outlier(&self, issue: &Issue, outlier: &OutlierCheck, label: &str) -> String {
        let bg = self.lang == Lang::Bg;
        let value = &issue.value;
        let n = |x: f64| number((x * 100.0).round() / 100.0);
        let pct = |x: f64| format!("{} %", number((x * 1000.0).round() / 10.0));
        match outlier {
            OutlierCheck::Change {
                previous,
                previous_period,
                threshold,
            } => {
                let now: f64 = value.parse().unwrap_or(f64::NAN);
                let change = if *previous != 0.0 {
                    let share = (now - previous) / previous.abs();
                    format!("{}{}", if share > 0.0 { "+" } else { "" }, pct(share))
                } else {
                    "—".into()
                };
                if bg {
                    format!(
                        "{label} е {value}, а за предходния период ({previous_period}) е {} ({change}; праг {}). Проверете стойността.",
                        n(*previous),
                        pct(*threshold)
                    )
                } else {
                    format!(
                        "{label} is {value}, against {} in the previous period ({previous_period}) ({change}; threshold {}). Check the value.",
                        n(*previous),
                        pct(*threshold)
                    )
                }
            }
            OutlierCheck::OutsideRange { low, high, periods } => {
                if bg {
                    format!(
                        "{label} е {value}, извън досегашните стойности на услугата ({}–{} в {periods} съхранени периода). Проверете стойността.",
                        n(*low),
                        n(*high)
                    )
                } else {
                    format!(
                        "{label} is {value}, outside the service's values so far ({}–{} in {periods} stored periods). Check the value.",
                        n(*low),
                        n(*high)
                    )
                }
            }
            OutlierCheck::ServedPerPlace { capacity, limit } => {
                let served: f64 = value.parse().unwrap_or(f64::NAN);
                let per_place = if *capacity > 0 {
                    n(served / *capacity as f64)
                } else {
                    "—".into()
                };
                if bg {
                    format!(
                        "{label} е {value} при капацитет {capacity} места ({per_place} на място; обичайно до {}). Проверете обслужените потребители и капацитета.",
                        n(*limit)
                    )
                } else {
                    format!(
                        "{label} is {value} for {capacity} places ({per_place} per place; usually at most {}). Check the users served and the capacity.",
                        n(*limit)
                    )
                }
            }
            OutlierCheck::BudgetPerPlace {
                total,
                capacity,
                median,
                services,
                factor,
            } => {
                let per_place = if *capacity > 0 { total / *capacity as f64 } else { 0.0 };
                let times = if *median > 0.0 { per_place / median } else { 0.0 };
                let (how, how_en) = if times >= 1.0 {
                    (format!("{} пъти повече от", n(times)), format!("{} times", n(times)))
                } else {
                    (
                        format!("{} пъти по-малко от", n(1.0 / times.max(f64::MIN_POSITIVE))),
                        format!("1/{} of", n(1.0 / times.max(f64::MIN_POSITIVE))),
                    )
                };
                if bg {
                    format!(
                        "Средствата на място са {} лв. ({} лв. за {capacity} места) – {how} медианата за този вид услуга в областта ({} лв., {services} услуги; праг {} пъти). Проверете средствата и капацитета.",
                        n(per_place),
                        n(*total),
                        n(*median),
                        n(*factor)
                    )
                } else {
                    format!(
                        "The funds per place are {} BGN ({} BGN for {capacity} places) – {how_en} the oblast's median for this type of service ({} BGN, {services} services; threshold {} times). Check the funds and the capacity.",
                        n(per_place),
                        n(*total),
                        n(*median),
                        n(*factor)
                    )
                }
            }
        }
    }

    fn file_problem(&self, problem: &FileProblem) -> String {
        // 1000000 → "1 000 000", as Bulgarian (and SI) writing groups digits.
        let thousands = |n: u64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push('\u{a0}');
                }
                out.push(c);
            }
            out
        };
        let bg = self.lang == Lang::Bg;
        // "1024,0 MiB" in Bulgarian, "1024.0 MiB" in English.
        let mib = |b: &u64| {
            let text = format!("{:.1} MiB", *b as f64 / 1_048_576.0);
            if bg { text.replace('.', ",") } else { text }
        };
        match problem {
            FileProblem::Encrypted => {
                if bg {
                    "Файлът е защитен с парола и не може да бъде прочетен. Изпратете го без парола.".into()
                } else {
                    "The file is protected with a password and cannot be read. Send it without a password.".into()
                }
            }
            FileProblem::Empty => {
                if bg {
                    "Файлът е празен (0 байта).".into()
                } else {
                    "The file is empty (0 bytes).".into()
                }
            }
            FileProblem::NotASpreadsheet { looks_like } => match (bg, looks_like) {
                (true, Some(kind)) => format!(
                    "Файлът не е електронна таблица (прилича на {kind}). Изпратете го като .xlsx, .xls или .ods."
                ),
                (true, None) => {
                    "Файлът не е електронна таблица, която може да се прочете. Изпратете го като .xlsx, .xls или .ods."
                        .into()
                }
                (false, Some(kind)) => {
                    format!("The file is not a spreadsheet (it looks like {kind}). Send it as .xlsx, .xls or .ods.")
                }
                (false, None) => {
                    "The file is not a spreadsheet that can be read. Send it as .xlsx, .xls or .ods.".into()
                }
            },
            FileProblem::Damaged { detail } => {
                if bg {
                    format!("Файлът е повреден или непълен ({detail}). Запишете го отново и го изпратете пак.")
                } else {
                    format!("The file is damaged or incomplete ({detail}). Save it again and resend it.")
                }
            }
            FileProblem::TooLarge { bytes, limit } => {
                if bg {
                    format!("Файлът е твърде голям ({}; границата е {}).", mib(bytes), mib(limit))
                } else {
                    format!("The file is too large ({}; the limit is {}).", mib(bytes), mib(limit))
                }
            }
            FileProblem::InflatesTooMuch { bytes, limit } => {
                if bg {
                    format!(
                        "Съдържанието на файла се разгъва до {} (границата е {}); не е прочетен.",
                        mib(bytes),
                        mib(limit)
                    )
                } else {
                    format!(
                        "The file's content inflates to {} (the limit is {}); it was not read.",
                        mib(bytes),
                        mib(limit)
                    )
                }
            }
            FileProblem::TextTooLong { bytes, limit } => {
                if bg {
                    format!(
                        "Текстът в клетките на файла възлиза на над {} (границата за файл с такъв размер е {}); файлът не е прочетен.",
                        mib(bytes),
                        mib(limit)
                    )
                } else {
                    format!(
                        "The text in the file's cells comes to over {} (the limit for a file of this size is {}); the file was not read.",
                        mib(bytes),
                        mib(limit)
                    )
                }
            }
            FileProblem::OverMemoryBudget { bytes, limit } => {
                if bg {
                    format!(
                        "Прочитането на файла би изисквало до {} памет, повече от разрешените {} (--max-memory); файлът не е прочетен.",
                        mib(bytes),
                        mib(limit)
                    )
                } else {
                    format!(
                        "Reading the file could take up to {} of memory, more than the {} allowed (--max-memory); the file was not read.",
                        mib(bytes),
                        mib(limit)
                    )
                }
            }
            FileProblem::TooManyCells { sheet, limit } => {
                let limit = thousands(*limit);
                if bg {
                    format!(
                        "Листът „{sheet}“ има повече от {limit} попълнени клетки (или обхваща повече от {limit} клетки); файлът не е прочетен."
                    )
                } else {
                    format!(
                        "Sheet \"{sheet}\" has more than {limit} filled cells (or spans more than {limit} cells); the file was not read."
                    )
                }
            }
            FileProblem::TooManySheets { sheets, limit } => {
                if bg {
                    format!("Файлът има {sheets} листа (границата е {limit}); не е прочетен.")
                } else {
                    format!("The file has {sheets} sheets (the limit is {limit}); it was not read.")
                }
            }
            FileProblem::Io { detail } => {
                if bg {
                    format!("Файлът не може да бъде отворен ({detail}).")
                } else {
                    format!("The file cannot be opened ({detail}).")
                }
            }
            FileProblem::ReaderFailed { detail } => {
                if bg {
                    format!("Четенето на файла се провали ({detail}); файлът е пропуснат.")
                } else {
                    format!("Reading the file failed ({detail}); the file was skipped.")
                }
            }
        }
    }
}
