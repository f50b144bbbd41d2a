//! Template schemas: takes the TOML files under `schemas/` (or the copy built
//! into the binary) and gives checked [`Template`]s with their label indexes,
//! the shared value conventions ([`Common`]) and the [`Reference`] data.
//!
//! The field lists, labels, aliases, types and cross-field rules live in the
//! schema files, not here: adding a field or an alias is a schema edit. This
//! module only knows the vocabulary of the format (documented in
//! `schemas/README.md`) and refuses a schema that does not hold together.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::issue::{Labels, Lang, Severity};
use crate::normalize::{fold_text, key, label_key};
use crate::reference::{Card, Reference, ReferenceSources, Table, Vocabulary};

pub mod fields;

/// How a template lays its fields out on a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One record per sheet; a label and its value on each row.
    Form,
    /// A header row, then one record per row.
    Table,
    /// A form and a table on one sheet (a visit protocol): the form's
    /// fields first, then a table header, then one row per entry. The form
    /// is one record; each row is another, read with the form's values.
    #[serde(rename = "form_table")]
    FormTable,
}

/// What a template's records are in the monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A card describing one social service.
    ServiceCard,
    /// The card of the municipal administration.
    MunicipalCard,
    /// A DSP row: children and persons with disabilities of one municipality.
    Dsp,
    /// A monitoring visit to a provider: the protocol and its rows (`crate::visits`).
    ProviderVisit,
    /// A planned action of the strategy's plan of services (STRATEGY.md §5).
    StrategyPlan,
    /// An indicator of the strategy's logical framework (STRATEGY.md §6).
    StrategyIndicators,
    /// An activity of a municipality's implementation report (STRATEGY.md §7).
    StrategyReport,
    /// A row of the registry of incoming documents: when a return was
    /// registered (it dates the returns; it is no return itself).
    Registry,
}

impl Role {
    /// The roles of the strategy's own templates (plan, indicators, reports),
    /// which add to none of the service figures.
    pub fn is_strategy(self) -> bool {
        matches!(
            self,
            Role::StrategyPlan | Role::StrategyIndicators | Role::StrategyReport
        )
    }
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Integer,
    Decimal,
    Money,
    Date,
    YesNo,
    Oblast,
    Municipality,
    Enum,
}

impl FieldType {
    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Integer | FieldType::Decimal | FieldType::Money)
    }
}

/// A check on the form of a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    /// Where an e-mail address is present, it must look like one.
    Email,
}

/// A value of an enumeration declared in the schema itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlineValue {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Where an enumeration field takes its values.
#[derive(Debug, Clone)]
pub enum Choices {
    Reference(Table),
    Inline {
        values: Vec<InlineValue>,
        names: Vocabulary,
    },
}

/// One field of a template.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub label_en: String,
    pub aliases: Vec<String>,
    pub kind: FieldType,
    pub required: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub choices: Option<Choices>,
    /// For service types: the cards (`card` column) this template accepts.
    pub cards: Vec<Card>,
    /// For a municipality: the field holding the oblast it must lie in.
    pub in_oblast: Option<usize>,
    /// In a table: no two rows of one file may hold the same value.
    pub unique_in_file: bool,
    pub format: Option<TextFormat>,
    /// For a municipal-card count: the service-type categories whose cards it is compared with.
    pub count_of_cards: Vec<String>,
    /// Plain-words explanation for the person filling the template in.
    pub help: String,
    /// A field of a table's title block (one value for every row).
    pub in_title: bool,
    /// A column of the table part of a form-and-table sheet (`row_fields`).
    pub in_row: bool,
    /// An enumeration holding several values, separated by „,“, „;“ or new
    /// lines (a visit's team of institutions); read as their codes joined by `;`.
    pub list: bool,
    /// Outliers: this field's own share of change since the previous period
    /// that deserves a second look (else [`Outliers::change`]).
    pub outlier_change: Option<f64>,
    /// Outliers: and its own least absolute change (else [`Outliers::min_change`]).
    pub outlier_min_change: Option<f64>,
    /// A prefilled template (`socmon templates --prefill-from`) carries the previous
    /// period's value over.
    pub prefill: bool,
}

/// A rule between fields of one record.
#[derive(Debug, Clone)]
pub enum Rule {
    /// `left ≤ right × factor`, reported at field `at`.
    Le {
        left: usize,
        right: usize,
        factor: f64,
        severity: Severity,
        at: usize,
    },
    /// `sum(left) ≤ right`.
    SumLe {
        left: Vec<usize>,
        right: usize,
        severity: Severity,
        at: usize,
    },
    /// `field` is required when `when` holds one of `codes`.
    RequiredIf {
        field: usize,
        when: usize,
        codes: Vec<String>,
    },
    /// `field` is required unless `when` holds one of `codes`.
    RequiredUnless {
        field: usize,
        when: usize,
        codes: Vec<String>,
    },
    /// A date that must last through the reporting period: ending inside it
    /// is a warning, ending before it an error.
    ValidThroughPeriod { field: usize },
    /// Two dates that should be the run's period: a difference is a warning.
    MatchesPeriod { start: usize, end: usize },
}

/// A checked template schema.
#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub version: u32,
    pub layout: Layout,
    pub role: Role,
    /// For service cards: which card this is.
    pub card: Option<Card>,
    pub title: String,
    pub title_en: String,
    /// Keys of the phrases that name this template in a sheet's first rows.
    pub title_phrases: Vec<String>,
    /// A searcher for each title phrase that is not empty, built once.
    title_finders: Vec<memchr::memmem::Finder<'static>>,
    /// The fields that make two records the same service.
    pub identity: Vec<usize>,
    /// Title-block fields first (tables only), then the fields in schema order.
    pub fields: Vec<Field>,
    pub rules: Vec<Rule>,
    /// The schema file it was read from.
    pub file: String,
    /// What each version changed.
    pub changes: Vec<Change>,
    labels: HashMap<String, usize>,
}

impl Template {
    /// The field whose label or alias has this key.
    pub fn field_by_label(&self, label_key: &str) -> Option<usize> {
        self.labels.get(label_key).copied()
    }

    /// Whether a text (the keys of a sheet's first rows) holds one of the
    /// template's title phrases.
    pub fn is_titled_in(&self, text: &str) -> bool {
        self.title_finders.iter().any(|f| f.find(text.as_bytes()).is_some())
    }

    /// The index of a field by id.
    pub fn field_index(&self, id: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.id == id)
    }

    /// The fields read from the body of the sheet (not the title block).
    pub fn body_fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.fields.iter().enumerate().filter(|(_, f)| !f.in_title)
    }

    /// The notes of the versions after `version`, oldest first.
    pub fn changes_since(&self, version: u32) -> Vec<String> {
        self.changes
            .iter()
            .filter(|c| c.version > version && c.version <= self.version)
            .map(|c| format!("v{}: {}", c.version, c.note))
            .collect()
    }

    /// Label keys and the fields they name (for recognising the template).
    pub fn labels(&self) -> impl Iterator<Item = (&str, usize)> {
        self.labels.iter().map(|(k, &i)| (k.as_str(), i))
    }
}

/// Conventions shared by every template (`schemas/common.toml`).
#[derive(Debug, Clone)]
pub struct Common {
    /// Folded lower-case cell texts that count as empty.
    pub empty_values: HashSet<String>,
    /// The most characters other than white space of any of `empty_values`.
    longest_empty_value: usize,
    pub yes_values: HashSet<String>,
    pub no_values: HashSet<String>,
    /// Keys of sheet names that hold instructions.
    pub instruction_sheets: HashSet<String>,
    /// Keys of the first texts that mark a totals row.
    pub totals_labels: HashSet<String>,
    pub currency_suffixes: Vec<String>,
    pub municipality_prefixes: Vec<String>,
    pub oblast_prefixes: Vec<String>,
    pub marker_sheet: String,
    /// When a value deserves a second look (`[outliers]` in `common.toml`).
    pub outliers: Outliers,
    /// How the figures group services (`[counting]` in `common.toml`).
    pub counting: Counting,
}

/// Facts of the domain the figures are counted by, from `[counting]` in
/// `common.toml` (every key required).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counting {
    /// The financing types (codes of `reference/financing_types.csv`) that
    /// are projects: a project end by the end of the period is a project ended.
    pub project_financing: Vec<String>,
    /// The target group (of `reference/service_types.csv`) whose places are
    /// the places for the elderly.
    pub elderly_target_group: String,
}

impl Counting {
    /// Whether a financing type is a project.
    pub fn is_project(&self, financing: &str) -> bool {
        self.project_financing.iter().any(|code| code == financing)
    }
}

/// The thresholds of the outlier checks: values that are not wrong but
/// deserve a second look, from `[outliers]` in `common.toml` (every key
/// required: the thresholds live in the schemas, not here); a service-card
/// field may carry its own `outlier_change` / `outlier_min_change`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outliers {
    /// The service-card fields compared with earlier periods.
    pub fields: Vec<String>,
    /// Of those, the ones that add up over the period (users served, money):
    /// compared only between periods of the same length.
    pub flows: Vec<String>,
    /// Of those, the ones that do not depend on how many days a service ran
    /// (places): compared even for a service that opened or closed inside a period.
    pub stocks: Vec<String>,
    /// A change since the previous period beyond this share (0.5 = 50 %)…
    pub change: f64,
    /// …and at least this large in absolute terms.
    pub min_change: f64,
    /// Outside the lowest and highest value of the stored periods by more than this share.
    pub range_margin: f64,
    /// Earlier stored periods a service needs before its range is checked.
    pub range_min_periods: usize,
    /// Users served in the period per place above which the occupancy is far above capacity.
    pub served_per_place: f64,
    /// Funds per place more than this many times above (or below) the oblast's
    /// median for the service type.
    pub budget_per_place_factor: f64,
    /// Services of a type in the oblast needed before its median counts.
    pub median_min_services: usize,
}

impl Schemas {
    /// The change threshold of a service-card field: (share, least absolute change).
    pub fn change_threshold(&self, template: &str, field: &str) -> (f64, f64) {
        let own = self
            .template(template)
            .and_then(|t| t.fields.iter().find(|f| f.id == field));
        let o = &self.common.outliers;
        (
            own.and_then(|f| f.outlier_change).unwrap_or(o.change),
            own.and_then(|f| f.outlier_min_change).unwrap_or(o.min_change),
        )
    }
}

impl Common {
    /// Whether a cell text is one of the ways of writing "nothing".
    pub fn is_empty_text(&self, text: &str) -> bool {
        // Folding only joins white space, so a text with more other
        // characters than the longest marker is no marker: most values
        // are answered without folding.
        if text
            .chars()
            .filter(|c| !c.is_whitespace())
            .nth(self.longest_empty_value)
            .is_some()
        {
            return false;
        }
        let folded = fold_text(text).to_lowercase();
        folded.is_empty() || self.empty_values.contains(&folded)
    }
}

/// Every template, the shared conventions and the reference data.
#[derive(Debug)]
pub struct Schemas {
    pub templates: Vec<Template>,
    pub common: Common,
    pub reference: Reference,
    /// Where they were read from, for run.json ("built-in" or a folder).
    pub origin: String,
    /// The labels and aliases of every template, by key, with the
    /// (template, field) each names; built at load from `templates`.
    label_index: HashMap<String, Vec<(usize, usize)>>,
}

impl Schemas {
    /// The (template, field) pairs whose label or alias has this key, for
    /// every template at once.
    pub fn fields_labelled(&self, label_key: &str) -> &[(usize, usize)] {
        self.label_index.get(label_key).map_or(&[], Vec::as_slice)
    }

    pub fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }

    pub fn template_index(&self, id: &str) -> Option<usize> {
        self.templates.iter().position(|t| t.id == id)
    }
}

/// The names the messages of findings use: labels and titles as the schemas write them.
impl Labels for Schemas {
    fn field_label(&self, template: Option<&str>, field: &str, lang: Lang) -> Option<String> {
        let found = template
            .and_then(|t| self.template(t))
            .and_then(|t| t.fields.iter().find(|f| f.id == field))
            .or_else(|| {
                self.templates
                    .iter()
                    .find_map(|t| t.fields.iter().find(|f| f.id == field))
            })?;
        Some(match lang {
            Lang::Bg => found.label.clone(),
            Lang::En => found.label_en.clone(),
        })
    }

    fn template_title(&self, template: &str, lang: Lang) -> Option<String> {
        let found = self.template(template)?;
        Some(match lang {
            Lang::Bg => found.title.clone(),
            Lang::En => found.title_en.clone(),
        })
    }
}

// ---- the file format --------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonFile {
    empty_values: Vec<String>,
    yes_values: Vec<String>,
    no_values: Vec<String>,
    instruction_sheets: Vec<String>,
    totals_labels: Vec<String>,
    currency_suffixes: Vec<String>,
    municipality_prefixes: Vec<String>,
    oblast_prefixes: Vec<String>,
    marker_sheet: String,
    outliers: Outliers,
    counting: Counting,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    template: String,
    version: u32,
    layout: Layout,
    role: Role,
    card: Option<Card>,
    title: String,
    title_en: String,
    #[serde(default)]
    title_phrases: Vec<String>,
    #[serde(default)]
    identity: Vec<String>,
    #[serde(default)]
    title_fields: Vec<FieldFile>,
    fields: Vec<FieldFile>,
    /// The table part of a form-and-table layout.
    #[serde(default)]
    row_fields: Vec<FieldFile>,
    /// Read one by one ([`RuleFile`]), so that an error names the rule.
    #[serde(default)]
    rules: Vec<toml::Table>,
    #[serde(default)]
    changes: Vec<Change>,
}

/// What a schema version changed, for the warning on returns made from an
/// older template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub version: u32,
    pub note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    id: String,
    label: String,
    label_en: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(rename = "type")]
    kind: FieldType,
    #[serde(default)]
    required: bool,
    min: Option<f64>,
    max: Option<f64>,
    source: Option<Table>,
    values: Option<Vec<InlineValue>>,
    #[serde(default)]
    cards: Vec<Card>,
    in_oblast: Option<String>,
    #[serde(default)]
    unique_in_file: bool,
    #[serde(default)]
    list: bool,
    format: Option<TextFormat>,
    #[serde(default)]
    count_of_cards: Vec<String>,
    #[serde(default)]
    help: String,
    outlier_change: Option<f64>,
    outlier_min_change: Option<f64>,
    #[serde(default)]
    prefill: bool,
}

/// One `[[rules]]` table. Its `kind` names the variant; it is read by
/// [`RuleFile::parse`] so that an error can name the key that is wrong.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RuleFile {
    Le {
        left: String,
        right: String,
        factor: Option<f64>,
        severity: Option<Severity>,
        at: Option<String>,
    },
    SumLe {
        left: Vec<String>,
        right: String,
        severity: Option<Severity>,
        at: Option<String>,
    },
    RequiredIf {
        field: String,
        when: String,
        #[serde(rename = "in")]
        codes: Vec<String>,
    },
    RequiredUnless {
        field: String,
        when: String,
        #[serde(rename = "in")]
        codes: Vec<String>,
    },
    ValidThroughPeriod {
        field: String,
    },
    MatchesPeriod {
        left: String,
        right: String,
    },
}

// ---- where the files come from ---------------------------------------------

/// The schema files built into the binary, used when no `schemas/` folder is
/// found, so that an installed `socmon` works from any folder.
const BUILT_IN: &[(&str, &str)] = &[
    ("common.toml", include_str!("../../schemas/common.toml")),
    ("aliases.toml", include_str!("../../schemas/aliases.toml")),
    ("service_adults.toml", include_str!("../../schemas/service_adults.toml")),
    (
        "service_children.toml",
        include_str!("../../schemas/service_children.toml"),
    ),
    ("municipality.toml", include_str!("../../schemas/municipality.toml")),
    ("dsp.toml", include_str!("../../schemas/dsp.toml")),
    ("provider_visit.toml", include_str!("../../schemas/provider_visit.toml")),
    ("strategy_plan.toml", include_str!("../../schemas/strategy_plan.toml")),
    (
        "strategy_indicators.toml",
        include_str!("../../schemas/strategy_indicators.toml"),
    ),
    (
        "strategy_report.toml",
        include_str!("../../schemas/strategy_report.toml"),
    ),
    ("registry.toml", include_str!("../../schemas/registry.toml")),
    (
        "reference/oblasts.csv",
        include_str!("../../schemas/reference/oblasts.csv"),
    ),
    (
        "reference/municipalities.csv",
        include_str!("../../schemas/reference/municipalities.csv"),
    ),
    (
        "reference/service_types.csv",
        include_str!("../../schemas/reference/service_types.csv"),
    ),
    (
        "reference/financing_types.csv",
        include_str!("../../schemas/reference/financing_types.csv"),
    ),
    (
        "reference/provider_types.csv",
        include_str!("../../schemas/reference/provider_types.csv"),
    ),
    (
        "reference/institutions.csv",
        include_str!("../../schemas/reference/institutions.csv"),
    ),
    (
        "reference/inspection_areas.csv",
        include_str!("../../schemas/reference/inspection_areas.csv"),
    ),
    (
        "reference/plan_actions.csv",
        include_str!("../../schemas/reference/plan_actions.csv"),
    ),
    (
        "reference/activity_statuses.csv",
        include_str!("../../schemas/reference/activity_statuses.csv"),
    ),
];

/// Files that are not template schemas.
const SUPPORT_FILES: &[&str] = &["common.toml", "aliases.toml"];

/// Where schema files are read from.
#[derive(Debug, Clone)]
pub enum SchemaSource {
    BuiltIn,
    Folder(PathBuf),
}

impl SchemaSource {
    fn read(&self, name: &str) -> Result<String> {
        match self {
            SchemaSource::BuiltIn => BUILT_IN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_string())
                .ok_or_else(|| Error::Schema {
                    file: name.into(),
                    message: "not built in".into(),
                }),
            SchemaSource::Folder(dir) => std::fs::read_to_string(dir.join(name)).map_err(|e| Error::Schema {
                file: dir.join(name).display().to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// The template schema files, sorted by name.
    fn template_files(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = match self {
            SchemaSource::BuiltIn => BUILT_IN
                .iter()
                .map(|(n, _)| (*n).to_string())
                .filter(|n| n.ends_with(".toml") && !n.contains('/'))
                .collect(),
            SchemaSource::Folder(dir) => std::fs::read_dir(dir)
                .map_err(|e| Error::Schema {
                    file: dir.display().to_string(),
                    message: e.to_string(),
                })?
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect(),
        };
        names.retain(|n| !SUPPORT_FILES.contains(&n.as_str()));
        names.sort();
        Ok(names)
    }

    fn describe(&self) -> String {
        match self {
            SchemaSource::BuiltIn => "built-in".into(),
            SchemaSource::Folder(dir) => dir.display().to_string(),
        }
    }

    /// `schemas/` in the current folder when it exists, else the built-in copy.
    pub fn default_for(cwd: &Path) -> SchemaSource {
        let dir = cwd.join("schemas");
        if dir.join("common.toml").is_file() {
            SchemaSource::Folder(dir)
        } else {
            SchemaSource::BuiltIn
        }
    }
}

// ---- loading and checking -------------------------------------------------

fn schema_error(file: &str, message: impl Into<String>) -> Error {
    Error::Schema {
        file: file.to_string(),
        message: message.into(),
    }
}

impl Schemas {
    /// Reads and checks every schema file and the reference data.
    ///
    /// Errors: [`Error::Schema`] naming the file and what is wrong (unknown
    /// key, a rule naming a missing field, two fields sharing a label...),
    /// [`Error::Reference`] for a malformed reference table.
    pub fn load(source: &SchemaSource) -> Result<Schemas> {
        let reference = Reference::from_sources(&ReferenceSources {
            oblasts: source.read("reference/oblasts.csv")?,
            municipalities: source.read("reference/municipalities.csv")?,
            service_types: source.read("reference/service_types.csv")?,
            financing_types: source.read("reference/financing_types.csv")?,
            provider_types: source.read("reference/provider_types.csv")?,
            institutions: source.read("reference/institutions.csv")?,
            inspection_areas: source.read("reference/inspection_areas.csv")?,
            plan_actions: source.read("reference/plan_actions.csv")?,
            activity_statuses: source.read("reference/activity_statuses.csv")?,
            aliases: source.read("aliases.toml")?,
        })?;
        let common_file: CommonFile =
            toml::from_str(&source.read("common.toml")?).map_err(|e| schema_error("common.toml", e.to_string()))?;
        let empty_values: HashSet<String> = common_file
            .empty_values
            .iter()
            .map(|v| fold_text(v).to_lowercase())
            .collect();
        let common = Common {
            longest_empty_value: empty_values
                .iter()
                .map(|v| v.chars().filter(|c| !c.is_whitespace()).count())
                .max()
                .unwrap_or(0),
            empty_values,
            yes_values: common_file.yes_values.iter().map(|v| key(v)).collect(),
            no_values: common_file.no_values.iter().map(|v| key(v)).collect(),
            instruction_sheets: common_file.instruction_sheets.iter().map(|v| key(v)).collect(),
            totals_labels: common_file.totals_labels.iter().map(|v| key(v)).collect(),
            currency_suffixes: common_file.currency_suffixes.iter().map(|v| v.to_lowercase()).collect(),
            municipality_prefixes: common_file.municipality_prefixes,
            oblast_prefixes: common_file.oblast_prefixes,
            marker_sheet: common_file.marker_sheet,
            outliers: common_file.outliers,
            counting: common_file.counting,
        };
        if let Some(clash) = common.yes_values.intersection(&common.no_values).next() {
            return Err(schema_error(
                "common.toml",
                format!("\"{clash}\" is both a yes and a no value"),
            ));
        }
        let mut templates = Vec::new();
        for file in source.template_files()? {
            let parsed: TemplateFile =
                toml::from_str(&source.read(&file)?).map_err(|e| schema_error(&file, e.to_string()))?;
            templates.push(build_template(&file, parsed, &reference)?);
        }
        check_set(&templates)?;
        for template in &templates {
            crate::schema::fields::check(template)?;
        }
        check_outliers(&common.outliers, &templates)?;
        check_counting(&common.counting, &reference)?;
        let mut label_index: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (t, template) in templates.iter().enumerate() {
            for (label, &field) in &template.labels {
                label_index.entry(label.clone()).or_default().push((t, field));
            }
        }
        Ok(Schemas {
            label_index,
            templates,
            common,
            reference,
            origin: source.describe(),
        })
    }
}

fn check_set(templates: &[Template]) -> Result<()> {
    let mut ids = HashSet::new();
    for t in templates {
        if !ids.insert(t.id.as_str()) {
            return Err(schema_error(
                &t.file,
                format!("template id {} is used by two files", t.id),
            ));
        }
    }
    for (role, card) in [
        (Role::ServiceCard, Some(Card::Adults)),
        (Role::ServiceCard, Some(Card::Children)),
        (Role::MunicipalCard, None),
        (Role::Dsp, None),
    ] {
        if !templates
            .iter()
            .any(|t| t.role == role && (card.is_none() || t.card == card))
        {
            return Err(schema_error(
                "schemas/",
                format!(
                    "no template has role {role:?}{}",
                    card.map(|c| format!(" for {}", c.as_str())).unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// The outlier settings name numeric fields of the service cards and sensible thresholds.
fn check_outliers(o: &Outliers, templates: &[Template]) -> Result<()> {
    let err = |message: String| schema_error("common.toml", format!("[outliers] {message}"));
    for id in o.fields.iter().chain(&o.flows).chain(&o.stocks) {
        let numeric = templates
            .iter()
            .filter(|t| t.role == Role::ServiceCard)
            .any(|t| t.fields.iter().any(|f| &f.id == id && f.kind.is_numeric()));
        if !numeric {
            return Err(err(format!("names {id}, which is no number field of a service card")));
        }
        if !crate::schema::fields::STORED_FIGURES.contains(&id.as_str()) {
            return Err(err(format!(
                "names {id}, which the history does not keep per service (it keeps {})",
                crate::schema::fields::STORED_FIGURES.join(", ")
            )));
        }
    }
    if let Some(other) = o.flows.iter().chain(&o.stocks).find(|f| !o.fields.contains(f)) {
        return Err(err(format!("flows/stocks name {other}, which `fields` does not list")));
    }
    let positive = [
        ("change", o.change),
        ("served_per_place", o.served_per_place),
        ("range_margin", o.range_margin + 1.0),
        ("min_change", o.min_change + 1.0),
    ];
    if let Some((name, _)) = positive.iter().find(|(_, v)| v.is_nan() || *v <= 0.0) {
        return Err(err(format!("{name} must be above 0")));
    }
    if o.budget_per_place_factor.is_nan() || o.budget_per_place_factor <= 1.0 {
        return Err(err("budget_per_place_factor must be above 1".into()));
    }
    Ok(())
}

/// The counting facts name codes the reference data has.
fn check_counting(c: &Counting, reference: &Reference) -> Result<()> {
    let err = |message: String| schema_error("common.toml", format!("[counting] {message}"));
    for code in &c.project_financing {
        if reference.code_index(Table::FinancingTypes, code).is_none() {
            return Err(err(format!(
                "project_financing names {code}, which {} does not have",
                Table::FinancingTypes.file_name()
            )));
        }
    }
    let group = &c.elderly_target_group;
    if !reference.service_types.iter().any(|s| &s.target_group == group) {
        return Err(err(format!(
            "elderly_target_group is \"{group}\", which no service type of {} has",
            Table::ServiceTypes.file_name()
        )));
    }
    Ok(())
}

fn build_field(file: &str, spec: FieldFile, in_title: bool, in_row: bool) -> Result<Field> {
    let choices = match (spec.kind, spec.source, spec.values) {
        (FieldType::Enum, Some(table), None) => Some(Choices::Reference(table)),
        (FieldType::Enum, None, Some(values)) => {
            let mut names = Vocabulary::default();
            for (i, v) in values.iter().enumerate() {
                names.insert(&v.code, i);
                names.insert(&v.label, i);
                for alias in &v.aliases {
                    names.insert(alias, i);
                }
            }
            Some(Choices::Inline { values, names })
        }
        (FieldType::Enum, _, _) => {
            return Err(schema_error(
                file,
                format!("field {}: an enum needs either `source` or `values`", spec.id),
            ));
        }
        (_, None, None) => None,
        _ => {
            return Err(schema_error(
                file,
                format!("field {}: `source`/`values` only go with type = \"enum\"", spec.id),
            ));
        }
    };
    if !spec.cards.is_empty() && !matches!(choices, Some(Choices::Reference(Table::ServiceTypes))) {
        return Err(schema_error(
            file,
            format!("field {}: `cards` only goes with source = \"service_types\"", spec.id),
        ));
    }
    if (spec.min.is_some() || spec.max.is_some()) && !spec.kind.is_numeric() {
        return Err(schema_error(
            file,
            format!("field {}: `min`/`max` only go with numbers", spec.id),
        ));
    }
    if (spec.outlier_change.is_some() || spec.outlier_min_change.is_some()) && !spec.kind.is_numeric() {
        return Err(schema_error(
            file,
            format!(
                "field {}: `outlier_change`/`outlier_min_change` only go with numbers",
                spec.id
            ),
        ));
    }
    if let Some((key, v)) = [("min", spec.min), ("max", spec.max)]
        .into_iter()
        .find_map(|(key, v)| v.filter(|v| !v.is_finite()).map(|v| (key, v)))
    {
        return Err(schema_error(
            file,
            format!("field {}: `{key}` is {v}; it must be a number", spec.id),
        ));
    }
    if let (Some(min), Some(max)) = (spec.min, spec.max)
        && min > max
    {
        return Err(schema_error(
            file,
            format!(
                "field {}: `min` ({min}) is above `max` ({max}); no value would do",
                spec.id
            ),
        ));
    }
    if spec.outlier_min_change.is_some_and(|c| !c.is_finite() || c < 0.0) {
        return Err(schema_error(
            file,
            format!("field {}: `outlier_min_change` is a number of at least 0", spec.id),
        ));
    }
    if spec.outlier_change.is_some_and(|c| !c.is_finite() || c <= 0.0) {
        return Err(schema_error(
            file,
            format!("field {}: `outlier_change` is a share above 0 (0.5 = 50 %)", spec.id),
        ));
    }
    if spec.list && spec.kind != FieldType::Enum {
        return Err(schema_error(
            file,
            format!("field {}: `list` only goes with type = \"enum\"", spec.id),
        ));
    }
    if spec.format.is_some() && spec.kind != FieldType::Text {
        return Err(schema_error(
            file,
            format!("field {}: `format` only goes with type = \"text\"", spec.id),
        ));
    }
    Ok(Field {
        id: spec.id,
        label: spec.label,
        label_en: spec.label_en,
        aliases: spec.aliases,
        kind: spec.kind,
        required: spec.required,
        min: spec.min,
        max: spec.max,
        choices,
        cards: spec.cards,
        in_oblast: None,
        unique_in_file: spec.unique_in_file,
        format: spec.format,
        count_of_cards: spec.count_of_cards,
        help: spec.help,
        in_title,
        in_row,
        list: spec.list,
        outlier_change: spec.outlier_change,
        outlier_min_change: spec.outlier_min_change,
        prefill: spec.prefill,
    })
}

fn build_template(file: &str, spec: TemplateFile, reference: &Reference) -> Result<Template> {
    if spec.template.trim().is_empty() {
        return Err(schema_error(file, "`template` (the template's id) is empty"));
    }
    if spec.version == 0 {
        return Err(schema_error(file, "version starts at 1"));
    }
    if spec.layout != Layout::Table && !spec.title_fields.is_empty() {
        return Err(schema_error(file, "title_fields only go with layout = \"table\""));
    }
    if (spec.layout == Layout::FormTable) == spec.row_fields.is_empty() {
        return Err(schema_error(
            file,
            "row_fields go with layout = \"form_table\", which needs them",
        ));
    }
    if (spec.role == Role::ServiceCard) != spec.card.is_some() {
        return Err(schema_error(
            file,
            "a service card (and only a service card) names its `card`",
        ));
    }
    let in_oblast_names: Vec<Option<String>> = spec
        .title_fields
        .iter()
        .chain(spec.fields.iter())
        .chain(spec.row_fields.iter())
        .map(|f| f.in_oblast.clone())
        .collect();
    let mut fields = Vec::new();
    for f in spec.title_fields {
        fields.push(build_field(file, f, true, false)?);
    }
    for f in spec.fields {
        fields.push(build_field(file, f, false, false)?);
    }
    for f in spec.row_fields {
        fields.push(build_field(file, f, false, true)?);
    }
    let mut seen = HashSet::new();
    for f in &fields {
        if f.id.trim().is_empty() {
            return Err(schema_error(
                file,
                format!("a field with label \"{}\" has an empty id", f.label),
            ));
        }
        if !seen.insert(f.id.as_str()) {
            return Err(schema_error(file, format!("field id {} appears twice", f.id)));
        }
    }
    let ids: Vec<String> = fields.iter().map(|f| f.id.clone()).collect();
    let index = |id: &str, what: &str| -> Result<usize> {
        ids.iter().position(|f| f == id).ok_or_else(|| {
            schema_error(
                file,
                format!("{what} names field {id}, which the template does not have"),
            )
        })
    };
    let mut resolved_in_oblast = Vec::new();
    for (i, name) in in_oblast_names.iter().enumerate() {
        if let Some(name) = name {
            let target = index(name, &format!("field {}'s in_oblast", fields[i].id))?;
            if fields[target].kind != FieldType::Oblast || fields[i].kind != FieldType::Municipality {
                return Err(schema_error(
                    file,
                    format!(
                        "field {}: in_oblast links a municipality to an oblast field",
                        fields[i].id
                    ),
                ));
            }
            resolved_in_oblast.push((i, target));
        }
    }
    for (i, target) in resolved_in_oblast {
        fields[i].in_oblast = Some(target);
    }
    for f in &fields {
        for category in &f.count_of_cards {
            if !reference.service_types.iter().any(|s| &s.category == category) {
                return Err(schema_error(
                    file,
                    format!("field {}: no service type has category \"{category}\"", f.id),
                ));
            }
        }
    }
    let identity = spec
        .identity
        .iter()
        .map(|id| index(id, "identity"))
        .collect::<Result<Vec<_>>>()?;

    let mut rules = Vec::new();
    for (i, rule) in spec.rules.into_iter().enumerate() {
        let rule = RuleFile::parse(rule)
            .map_err(|message| schema_error(file, format!("template {}, rule {}: {message}", spec.template, i + 1)))?;
        rules.push(build_rule(file, &spec.template, i + 1, rule, &fields, reference)?);
    }

    let mut labels: HashMap<String, usize> = HashMap::new();
    for (i, f) in fields.iter().enumerate() {
        // English labels count too, so that a template generated with --lang en reads back.
        for written in [&f.label, &f.label_en].into_iter().chain(f.aliases.iter()) {
            let label = label_key(written);
            if label.is_empty() {
                return Err(schema_error(
                    file,
                    format!("field {}: a label that is only punctuation", f.id),
                ));
            }
            if let Some(&other) = labels.get::<String>(&label)
                && other != i
            {
                return Err(schema_error(
                    file,
                    format!("fields {} and {} share the label \"{written}\"", fields[other].id, f.id),
                ));
            }
            labels.insert(label, i);
        }
    }

    let title_phrases: Vec<String> = spec
        .title_phrases
        .iter()
        .chain([&spec.title, &spec.title_en])
        .map(|p| key(p))
        .collect();
    Ok(Template {
        id: spec.template,
        version: spec.version,
        layout: spec.layout,
        role: spec.role,
        card: spec.card,
        title_finders: title_phrases
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| memchr::memmem::Finder::new(p.as_bytes()).into_owned())
            .collect(),
        title_phrases,
        title: spec.title,
        title_en: spec.title_en,
        identity,
        fields,
        rules,
        file: file.to_string(),
        changes: spec.changes,
        labels,
    })
}

impl RuleFile {
    /// Reads one `[[rules]]` table: its `kind`, then the keys that kind
    /// takes. The error says what is wrong and, where it is about one key,
    /// names it.
    fn parse(mut table: toml::Table) -> std::result::Result<RuleFile, String> {
        let kind = match table.remove("kind") {
            Some(toml::Value::String(kind)) => kind,
            Some(other) => return Err(format!("`kind` is {other}; it is the name of a kind of rule")),
            None => return Err("`kind` is missing".into()),
        };
        // `{ kind = { keys } }` reads as the variant straight from the text,
        // so an error keeps its place, and the place names the key.
        let text =
            toml::to_string(&toml::Table::from_iter([(kind, toml::Value::Table(table))])).map_err(|e| e.to_string())?;
        toml::from_str(&text).map_err(|e: toml::de::Error| {
            let message = e.message().trim_end().to_string();
            let line = e
                .span()
                .filter(|span| !text[span.clone()].contains('\n'))
                .and_then(|span| text[..span.start].rsplit('\n').next().map(|start| (start, span)))
                .map(|(start, span)| format!("{start}{}", &text[span.start..]));
            match line.as_deref().and_then(|l| l.split_once(" = ")) {
                Some((key, _)) if !key.starts_with('[') && !message.contains(key) => {
                    format!("`{key}`: {message}")
                }
                _ => message,
            }
        })
    }

    /// The rule's `kind` as the schema file writes it.
    fn kind(&self) -> &'static str {
        match self {
            RuleFile::Le { .. } => "le",
            RuleFile::SumLe { .. } => "sum_le",
            RuleFile::RequiredIf { .. } => "required_if",
            RuleFile::RequiredUnless { .. } => "required_unless",
            RuleFile::ValidThroughPeriod { .. } => "valid_through_period",
            RuleFile::MatchesPeriod { .. } => "matches_period",
        }
    }
}

/// A field type as the schema file writes it.
fn type_name(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Text => "text",
        FieldType::Integer => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Money => "money",
        FieldType::Date => "date",
        FieldType::YesNo => "yes_no",
        FieldType::Oblast => "oblast",
        FieldType::Municipality => "municipality",
        FieldType::Enum => "enum",
    }
}

/// Compiles the `number`th rule of a template (from 1, in file order).
///
/// Errors: [`Error::Schema`] naming the file, the template, the rule and
/// what is wrong: a field the template does not have, a field of a type the
/// rule cannot compare, a field compared with itself or listed twice, an
/// empty `left` or `in` list, a code the reference table does not have, a
/// `factor` that is no number above 0 (or one on dates), an `at` that is
/// none of the rule's fields. Keys and kinds the format does not know are
/// refused earlier, when the file is parsed.
fn build_rule(
    file: &str,
    template: &str,
    number: usize,
    rule: RuleFile,
    fields: &[Field],
    reference: &Reference,
) -> Result<Rule> {
    let kind = rule.kind();
    let err = |message: String| schema_error(file, format!("template {template}, rule {number} ({kind}): {message}"));
    let index = |key: &str, id: &str| -> Result<usize> {
        fields
            .iter()
            .position(|f| f.id == id)
            .ok_or_else(|| err(format!("`{key}` names field {id}, which the template does not have")))
    };
    let typed = |i: usize| format!("{} is {}", fields[i].id, type_name(fields[i].kind));
    // `at` names one of the rule's own fields: the finding sits at it.
    let at = |at: Option<String>, own: &[usize], default: usize| -> Result<usize> {
        let Some(id) = at else { return Ok(default) };
        let i = index("at", &id)?;
        if own.contains(&i) {
            Ok(i)
        } else {
            Err(err(format!("`at` names field {id}, which the rule does not compare")))
        }
    };
    // `field` is required depending on the reference code in `when`.
    let required_when = |field: &str, when: &str, codes: &[String]| -> Result<(usize, usize)> {
        let (f, w) = (index("field", field)?, index("when", when)?);
        if f == w {
            return Err(err(format!("`field` and `when` both name {field}")));
        }
        let Some(Choices::Reference(table)) = &fields[w].choices else {
            return Err(err(format!(
                "`when` names {when}, which is no enum of a reference table ({})",
                type_name(fields[w].kind)
            )));
        };
        if codes.is_empty() {
            return Err(err("`in` lists no code".into()));
        }
        if let Some(code) = codes.iter().find(|c| reference.code_index(*table, c).is_none()) {
            return Err(err(format!("`in`: {} has no code {code}", table.file_name())));
        }
        Ok((f, w))
    };
    Ok(match rule {
        RuleFile::Le {
            left,
            right,
            factor,
            severity,
            at: at_id,
        } => {
            let (l, r) = (index("left", &left)?, index("right", &right)?);
            if l == r {
                return Err(err(format!("compares {left} with itself")));
            }
            let (lk, rk) = (fields[l].kind, fields[r].kind);
            let dates = lk == FieldType::Date && rk == FieldType::Date;
            let numbers = lk.is_numeric() && rk.is_numeric();
            if !(dates || numbers) {
                return Err(err(format!(
                    "{left} ≤ {right}: both must be numbers or both dates, and {}, {}",
                    typed(l),
                    typed(r)
                )));
            }
            if let Some(f) = factor
                && (dates || !f.is_finite() || f <= 0.0)
            {
                return Err(err(if dates {
                    "`factor` only goes with numbers; dates are compared as they are".into()
                } else {
                    format!("`factor` is {f}; it must be a number above 0")
                }));
            }
            Rule::Le {
                left: l,
                right: r,
                factor: factor.unwrap_or(1.0),
                severity: severity.unwrap_or(Severity::Error),
                at: at(at_id, &[l, r], l)?,
            }
        }
        RuleFile::SumLe {
            left,
            right,
            severity,
            at: at_id,
        } => {
            if left.is_empty() {
                return Err(err("`left` lists no field; a sum needs at least one".into()));
            }
            let left_idx = left.iter().map(|l| index("left", l)).collect::<Result<Vec<_>>>()?;
            let r = index("right", &right)?;
            for (n, &i) in left_idx.iter().enumerate() {
                if left_idx[..n].contains(&i) {
                    return Err(err(format!("`left` lists {} twice", fields[i].id)));
                }
                if i == r {
                    return Err(err(format!("{right} is both in `left` and `right`")));
                }
            }
            if let Some(&i) = left_idx.iter().chain([&r]).find(|&&i| !fields[i].kind.is_numeric()) {
                return Err(err(format!("compares numbers only, and {}", typed(i))));
            }
            let own: Vec<usize> = left_idx.iter().copied().chain([r]).collect();
            Rule::SumLe {
                at: at(at_id, &own, left_idx[0])?,
                left: left_idx,
                right: r,
                severity: severity.unwrap_or(Severity::Error),
            }
        }
        RuleFile::RequiredIf { field, when, codes } => {
            let (field, when) = required_when(&field, &when, &codes)?;
            Rule::RequiredIf { field, when, codes }
        }
        RuleFile::RequiredUnless { field, when, codes } => {
            let (field, when) = required_when(&field, &when, &codes)?;
            Rule::RequiredUnless { field, when, codes }
        }
        RuleFile::ValidThroughPeriod { field } => {
            let f = index("field", &field)?;
            if fields[f].kind != FieldType::Date {
                return Err(err(format!("needs a date field, and {}", typed(f))));
            }
            Rule::ValidThroughPeriod { field: f }
        }
        RuleFile::MatchesPeriod { left, right } => {
            let (s, e) = (index("left", &left)?, index("right", &right)?);
            if s == e {
                return Err(err(format!("compares {left} with itself")));
            }
            if let Some(&i) = [s, e].iter().find(|&&i| fields[i].kind != FieldType::Date) {
                return Err(err(format!("needs two date fields, and {}", typed(i))));
            }
            Rule::MatchesPeriod { start: s, end: e }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> SchemaSource {
        SchemaSource::Folder(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas")))
    }

    #[test]
    fn the_ways_of_writing_nothing_are_empty_and_real_values_are_not() {
        let schemas = Schemas::load(&SchemaSource::BuiltIn).unwrap();
        let common = &schemas.common;
        for empty in [
            "",
            "  ",
            "-",
            " – ",
            "Н/П",
            "n/a",
            "N/A",
            "Няма   данни",
            "няма\nданни ",
        ] {
            assert!(common.is_empty_text(empty), "{empty:?}");
        }
        for value in [
            "0",
            "Русе",
            "няма данни за 2016",
            "н/п.",
            "Дневен център за възрастни хора",
        ] {
            assert!(!common.is_empty_text(value), "{value:?}");
        }
    }

    #[test]
    fn the_shipped_schemas_load_from_the_folder_and_built_in() {
        for source in [folder(), SchemaSource::BuiltIn] {
            let schemas = Schemas::load(&source).unwrap();
            let ids: Vec<&str> = schemas.templates.iter().map(|t| t.id.as_str()).collect();
            assert_eq!(
                ids,
                [
                    "dsp",
                    "municipality",
                    "provider_visit",
                    "registry",
                    "service_adults",
                    "service_children",
                    "strategy_indicators",
                    "strategy_plan",
                    "strategy_report"
                ]
            );
            let visit = schemas.template("provider_visit").unwrap();
            assert_eq!(visit.fields.iter().filter(|f| f.in_row).count(), 8);
            assert_eq!(visit.fields.iter().filter(|f| !f.in_row).count(), 10);
            let adults = schemas.template("service_adults").unwrap();
            assert_eq!(adults.fields.len(), 27);
            assert_eq!(schemas.template("service_children").unwrap().fields.len(), 32);
            assert_eq!(schemas.template("municipality").unwrap().fields.len(), 25);
            // DSP: three title-block fields, twelve columns.
            let dsp = schemas.template("dsp").unwrap();
            assert_eq!(dsp.fields.iter().filter(|f| f.in_title).count(), 3);
            assert_eq!(dsp.body_fields().count(), 12);
        }
    }

    #[test]
    fn labels_and_aliases_find_their_field() {
        let schemas = Schemas::load(&folder()).unwrap();
        let adults = schemas.template("service_adults").unwrap();
        let capacity = adults.field_index("capacity").unwrap();
        for written in [
            "Капацитет (брой места)",
            "5. Капацитет (брой места):",
            "КАПАЦИТЕТ",
            "Брой места*",
        ] {
            assert_eq!(adults.field_by_label(&label_key(written)), Some(capacity), "{written}");
        }
    }

    #[test]
    fn a_rule_naming_a_missing_field_is_refused() {
        let reference = Reference::from_sources(&crate::reference::tests::sources()).unwrap();
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/service_adults.toml"))
            .unwrap()
            .replace("right = \"users_served\"", "right = \"users_servd\"");
        let parsed: TemplateFile = toml::from_str(&text).unwrap();
        let err = build_template("service_adults.toml", parsed, &reference).unwrap_err();
        assert!(err.to_string().contains("users_servd"), "{err}");
    }

    #[test]
    fn the_counting_facts_must_name_codes_the_reference_data_has() {
        let schemas = Schemas::load(&SchemaSource::BuiltIn).unwrap();
        let counting = &schemas.common.counting;
        assert!(counting.is_project("PROJECT_OPHRD") && counting.is_project("PROJECT_OTHER"));
        assert!(!counting.is_project("STATE_DELEGATED"));
        assert!(check_counting(counting, &schemas.reference).is_ok());
        let unknown_code = Counting {
            project_financing: vec!["PROJECT_EU".into()],
            ..counting.clone()
        };
        let message = check_counting(&unknown_code, &schemas.reference)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("PROJECT_EU") && message.contains("common.toml"),
            "{message}"
        );
        let unknown_group = Counting {
            elderly_target_group: "seniors".into(),
            ..counting.clone()
        };
        let message = check_counting(&unknown_group, &schemas.reference)
            .unwrap_err()
            .to_string();
        assert!(message.contains("seniors"), "{message}");
    }

    #[test]
    fn outliers_watch_only_figures_the_history_keeps_per_service() {
        let schemas = Schemas::load(&SchemaSource::BuiltIn).unwrap();
        let mut outliers = schemas.common.outliers.clone();
        outliers.fields.push("waiting_list".into());
        let message = check_outliers(&outliers, &schemas.templates).unwrap_err().to_string();
        assert!(
            message.contains("waiting_list") && message.contains("capacity"),
            "{message}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/dsp.toml"))
            .unwrap()
            .replace("required = true", "requried = true");
        assert!(toml::from_str::<TemplateFile>(&text).is_err());
    }
}
