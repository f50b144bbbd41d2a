//! Reference data: takes the CSV tables under `schemas/reference/` and the
//! project's extra aliases (`schemas/aliases.toml`) and gives lookup indexes
//! that turn whatever a return wrote ("общ. Русе", "RSE27", "ЦНСТ") into codes.
//!
//! Lookups never guess: a written form that fits several entries comes back
//! as [`Lookup::Ambiguous`] with all of them, an unknown one as
//! [`Lookup::Unknown`] with the closest known names.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::normalize::{edit_distance, key};

/// An oblast (NSI code, e.g. `RSE`).
#[derive(Debug, Clone, Deserialize)]
pub struct Oblast {
    #[serde(rename = "oblast_code")]
    pub code: String,
    #[serde(rename = "oblast_name_bg")]
    pub name_bg: String,
    #[serde(rename = "oblast_name_en")]
    pub name_en: String,
    pub nuts3: String,
    #[serde(default)]
    pub aliases_bg: String,
}

/// A municipality (NSI code, e.g. `RSE27`) and the oblast it lies in.
#[derive(Debug, Clone, Deserialize)]
pub struct Municipality {
    pub oblast_code: String,
    #[serde(rename = "municipality_code")]
    pub code: String,
    #[serde(rename = "municipality_name_bg")]
    pub name_bg: String,
    #[serde(rename = "municipality_name_en")]
    pub name_en: String,
    pub ekatte_centre: String,
    #[serde(default)]
    pub aliases_bg: String,
}

/// Which service card may carry a service type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Card {
    Adults,
    Children,
    Both,
}

impl Card {
    pub fn as_str(self) -> &'static str {
        match self {
            Card::Adults => "adults",
            Card::Children => "children",
            Card::Both => "both",
        }
    }
}

/// A type of social service from the nomenclature of the period.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceType {
    pub code: String,
    pub name_bg: String,
    #[serde(default)]
    pub abbr_bg: String,
    pub name_en: String,
    /// community, residential community or specialised institution.
    pub category: String,
    pub target_group: String,
    pub card: Card,
    pub state_delegated_typical: String,
}

/// An entry of a small code list (financing types, provider types).
#[derive(Debug, Clone, Deserialize)]
pub struct Choice {
    pub code: String,
    pub name_bg: String,
    pub name_en: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub aliases_bg: String,
    /// The usual abbreviation (institutions: РДСП, РЗИ), where the table has one.
    #[serde(default)]
    pub abbr_bg: String,
    /// Inspection areas: the institutions that usually check the area (`;`-separated codes).
    #[serde(default)]
    pub checked_by: String,
}

/// What a lookup of a written form found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(usize),
    /// Several entries fit; their indexes, in table order.
    Ambiguous(Vec<usize>),
    /// None fits; the closest known entries, best first (may be empty).
    Unknown {
        closest: Vec<usize>,
    },
}

/// An index from normalised written forms to entries of one table.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    by_key: HashMap<String, Vec<usize>>,
}

impl Vocabulary {
    /// Adds a written form of entry `index`; forms that normalise to nothing are skipped.
    pub fn insert(&mut self, form: &str, index: usize) {
        let form_key = key(form);
        if form_key.is_empty() {
            return;
        }
        let entries = self.by_key.entry(form_key).or_default();
        if !entries.contains(&index) {
            entries.push(index);
            entries.sort_unstable();
        }
    }

    /// The entries a normalised key names (empty when none).
    pub fn candidates(&self, form_key: &str) -> &[usize] {
        self.by_key.get(form_key).map_or(&[], Vec::as_slice)
    }

    /// Looks a written form up.
    pub fn lookup(&self, form: &str) -> Lookup {
        let form_key = key(form);
        match self.candidates(&form_key) {
            [one] => Lookup::Found(*one),
            [] => Lookup::Unknown {
                closest: self.closest(&form_key, 3),
            },
            many => Lookup::Ambiguous(many.to_vec()),
        }
    }

    /// Up to `n` entries whose forms are nearest to `form_key` in edit
    /// distance, within a third of its length (at least 2).
    pub fn closest(&self, form_key: &str, n: usize) -> Vec<usize> {
        let limit = (form_key.chars().count() / 3).max(2);
        let mut scored: BTreeMap<(usize, usize), ()> = BTreeMap::new();
        for (known, entries) in &self.by_key {
            let distance = edit_distance(form_key, known);
            if distance <= limit {
                for &entry in entries {
                    scored.insert((distance, entry), ());
                }
            }
        }
        let mut out: Vec<usize> = Vec::new();
        for (_, entry) in scored.into_keys() {
            if !out.contains(&entry) {
                out.push(entry);
            }
            if out.len() == n {
                break;
            }
        }
        out
    }
}

/// The project's own extra aliases, by table (`schemas/aliases.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraAliases {
    #[serde(default)]
    pub service_types: BTreeMap<String, String>,
    #[serde(default)]
    pub financing_types: BTreeMap<String, String>,
    #[serde(default)]
    pub provider_types: BTreeMap<String, String>,
    #[serde(default)]
    pub institutions: BTreeMap<String, String>,
    #[serde(default)]
    pub inspection_areas: BTreeMap<String, String>,
    #[serde(default)]
    pub plan_actions: BTreeMap<String, String>,
    #[serde(default)]
    pub activity_statuses: BTreeMap<String, String>,
}

/// The texts of the reference files, as read from `schemas/`.
pub struct ReferenceSources {
    pub oblasts: String,
    pub municipalities: String,
    pub service_types: String,
    pub financing_types: String,
    pub provider_types: String,
    pub institutions: String,
    pub inspection_areas: String,
    pub plan_actions: String,
    pub activity_statuses: String,
    pub aliases: String,
}

/// Every reference table with its lookup indexes.
#[derive(Debug)]
pub struct Reference {
    pub oblasts: Vec<Oblast>,
    pub municipalities: Vec<Municipality>,
    pub service_types: Vec<ServiceType>,
    pub financing_types: Vec<Choice>,
    pub provider_types: Vec<Choice>,
    /// The institutions that take part in monitoring visits (`provider_visit`).
    pub institutions: Vec<Choice>,
    /// The areas a monitoring visit checks.
    pub inspection_areas: Vec<Choice>,
    /// What a strategy's plan does to a service (STRATEGY.md).
    pub plan_actions: Vec<Choice>,
    /// The status of an activity in a municipality's implementation report.
    pub activity_statuses: Vec<Choice>,
    oblast_names: Vocabulary,
    municipality_names: Vocabulary,
    service_names: Vocabulary,
    financing_names: Vocabulary,
    provider_names: Vocabulary,
    institution_names: Vocabulary,
    area_names: Vocabulary,
    action_names: Vocabulary,
    activity_status_names: Vocabulary,
    oblast_by_code: HashMap<String, usize>,
    municipality_by_code: HashMap<String, usize>,
    service_by_code: HashMap<String, usize>,
    financing_by_code: HashMap<String, usize>,
    provider_by_code: HashMap<String, usize>,
    institution_by_code: HashMap<String, usize>,
    area_by_code: HashMap<String, usize>,
    action_by_code: HashMap<String, usize>,
    activity_status_by_code: HashMap<String, usize>,
    /// The most characters of any enumeration table's code: a longer text is no code.
    longest_code: usize,
}

/// Which reference table an enumeration field takes its values from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    ServiceTypes,
    FinancingTypes,
    ProviderTypes,
    /// The institutions of a monitoring visit's team.
    Institutions,
    /// The areas a monitoring visit checks.
    InspectionAreas,
    PlanActions,
    ActivityStatuses,
}

impl Table {
    pub fn file_name(self) -> &'static str {
        match self {
            Table::ServiceTypes => "reference/service_types.csv",
            Table::FinancingTypes => "reference/financing_types.csv",
            Table::ProviderTypes => "reference/provider_types.csv",
            Table::Institutions => "reference/institutions.csv",
            Table::InspectionAreas => "reference/inspection_areas.csv",
            Table::PlanActions => "reference/plan_actions.csv",
            Table::ActivityStatuses => "reference/activity_statuses.csv",
        }
    }
}

fn read_table<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| Error::Reference {
                file: file.to_string(),
                message: format!("row {}: {e}", i + 2),
            })
        })
        .collect()
}

fn split_aliases(aliases: &str) -> impl Iterator<Item = &str> {
    aliases.split(';').map(str::trim).filter(|a| !a.is_empty())
}

/// "София (столица)" → "София": the name without a parenthetical, which is
/// how people write it, so that a bare "София" fits both SFO and SOF.
fn without_parenthetical(name: &str) -> Option<&str> {
    let open = name.find('(')?;
    Some(name[..open].trim()).filter(|n| !n.is_empty())
}

fn code_index<T>(rows: &[T], code: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| (code(row).to_uppercase(), i))
        .collect()
}

fn choice_vocabulary(
    table: &str,
    rows: &[Choice],
    by_code: &HashMap<String, usize>,
    extra: &BTreeMap<String, String>,
) -> Result<Vocabulary> {
    let mut names = Vocabulary::default();
    for (i, row) in rows.iter().enumerate() {
        names.insert(&row.code, i);
        names.insert(&row.name_bg, i);
        names.insert(&row.name_en, i);
        names.insert(&row.abbr_bg, i);
        for alias in split_aliases(&row.aliases_bg) {
            names.insert(alias, i);
        }
    }
    add_extra(table, &mut names, by_code, extra)?;
    Ok(names)
}

fn add_extra(
    table: &str,
    names: &mut Vocabulary,
    by_code: &HashMap<String, usize>,
    extra: &BTreeMap<String, String>,
) -> Result<()> {
    for (form, code) in extra {
        let index = by_code.get(&code.to_uppercase()).ok_or_else(|| Error::Schema {
            file: "aliases.toml".into(),
            message: format!("[{table}] \"{form}\" names code {code}, which {table} does not have"),
        })?;
        names.insert(form, *index);
    }
    Ok(())
}

impl Reference {
    /// Parses and indexes the reference tables.
    ///
    /// Errors: [`Error::Reference`] for a malformed table, [`Error::Schema`]
    /// for an alias that names an unknown code.
    pub fn from_sources(sources: &ReferenceSources) -> Result<Self> {
        let oblasts: Vec<Oblast> = read_table("reference/oblasts.csv", &sources.oblasts)?;
        let municipalities: Vec<Municipality> = read_table("reference/municipalities.csv", &sources.municipalities)?;
        let service_types: Vec<ServiceType> = read_table("reference/service_types.csv", &sources.service_types)?;
        let financing_types: Vec<Choice> = read_table("reference/financing_types.csv", &sources.financing_types)?;
        let provider_types: Vec<Choice> = read_table("reference/provider_types.csv", &sources.provider_types)?;
        let institutions: Vec<Choice> = read_table("reference/institutions.csv", &sources.institutions)?;
        let inspection_areas: Vec<Choice> = read_table("reference/inspection_areas.csv", &sources.inspection_areas)?;
        let plan_actions: Vec<Choice> = read_table("reference/plan_actions.csv", &sources.plan_actions)?;
        let activity_statuses: Vec<Choice> = read_table("reference/activity_statuses.csv", &sources.activity_statuses)?;
        let extra: ExtraAliases = toml::from_str(&sources.aliases).map_err(|e| Error::Schema {
            file: "aliases.toml".into(),
            message: e.to_string(),
        })?;

        let oblast_by_code = code_index(&oblasts, |o| &o.code);
        for m in &municipalities {
            if !oblast_by_code.contains_key(&m.oblast_code) {
                return Err(Error::Reference {
                    file: "reference/municipalities.csv".into(),
                    message: format!(
                        "{} names oblast {}, which oblasts.csv does not have",
                        m.code, m.oblast_code
                    ),
                });
            }
        }

        let mut oblast_names = Vocabulary::default();
        for (i, o) in oblasts.iter().enumerate() {
            oblast_names.insert(&o.name_bg, i);
            oblast_names.insert(&o.name_en, i);
            if let Some(short) = without_parenthetical(&o.name_bg) {
                oblast_names.insert(short, i);
            }
            for alias in split_aliases(&o.aliases_bg) {
                oblast_names.insert(alias, i);
            }
        }

        let mut municipality_names = Vocabulary::default();
        for (i, m) in municipalities.iter().enumerate() {
            municipality_names.insert(&m.name_bg, i);
            municipality_names.insert(&m.name_en, i);
            for alias in split_aliases(&m.aliases_bg) {
                municipality_names.insert(alias, i);
            }
        }

        let service_by_code = code_index(&service_types, |s| &s.code);
        let mut service_names = Vocabulary::default();
        for (i, s) in service_types.iter().enumerate() {
            service_names.insert(&s.code, i);
            service_names.insert(&s.name_bg, i);
            service_names.insert(&s.name_en, i);
            service_names.insert(&s.abbr_bg, i);
        }
        add_extra(
            "service_types",
            &mut service_names,
            &service_by_code,
            &extra.service_types,
        )?;

        let financing_by_code = code_index(&financing_types, |c| &c.code);
        let financing_names = choice_vocabulary(
            "financing_types",
            &financing_types,
            &financing_by_code,
            &extra.financing_types,
        )?;
        let provider_by_code = code_index(&provider_types, |c| &c.code);
        let provider_names = choice_vocabulary(
            "provider_types",
            &provider_types,
            &provider_by_code,
            &extra.provider_types,
        )?;

        let institution_by_code = code_index(&institutions, |c| &c.code);
        let institution_names =
            choice_vocabulary("institutions", &institutions, &institution_by_code, &extra.institutions)?;
        let area_by_code = code_index(&inspection_areas, |c| &c.code);
        for area in &inspection_areas {
            if let Some(unknown) = split_aliases(&area.checked_by).find(|c| !institution_by_code.contains_key(*c)) {
                return Err(Error::Reference {
                    file: "reference/inspection_areas.csv".into(),
                    message: format!(
                        "{} names institution {unknown}, which institutions.csv does not have",
                        area.code
                    ),
                });
            }
        }
        let area_names = choice_vocabulary(
            "inspection_areas",
            &inspection_areas,
            &area_by_code,
            &extra.inspection_areas,
        )?;

        let action_by_code = code_index(&plan_actions, |c| &c.code);
        let action_names = choice_vocabulary("plan_actions", &plan_actions, &action_by_code, &extra.plan_actions)?;
        let activity_status_by_code = code_index(&activity_statuses, |c| &c.code);
        let activity_status_names = choice_vocabulary(
            "activity_statuses",
            &activity_statuses,
            &activity_status_by_code,
            &extra.activity_statuses,
        )?;

        let longest_code = [
            &service_by_code,
            &financing_by_code,
            &provider_by_code,
            &institution_by_code,
            &area_by_code,
            &action_by_code,
            &activity_status_by_code,
        ]
        .iter()
        .flat_map(|by_code| by_code.keys())
        .map(|code| code.chars().count())
        .max()
        .unwrap_or(0);
        Ok(Reference {
            longest_code,
            institution_by_code,
            area_by_code,
            institutions,
            inspection_areas,
            institution_names,
            area_names,
            action_by_code,
            activity_status_by_code,
            action_names,
            activity_status_names,
            plan_actions,
            activity_statuses,
            municipality_by_code: code_index(&municipalities, |m| &m.code),
            oblast_by_code,
            service_by_code,
            financing_by_code,
            provider_by_code,
            oblasts,
            municipalities,
            service_types,
            financing_types,
            provider_types,
            oblast_names,
            municipality_names,
            service_names,
            financing_names,
            provider_names,
        })
    }

    pub fn oblast(&self, code: &str) -> Option<&Oblast> {
        self.oblast_by_code.get(&code.to_uppercase()).map(|&i| &self.oblasts[i])
    }

    pub fn oblast_index(&self, code: &str) -> Option<usize> {
        self.oblast_by_code.get(&code.to_uppercase()).copied()
    }

    pub fn municipality(&self, code: &str) -> Option<&Municipality> {
        self.municipality_by_code
            .get(&code.to_uppercase())
            .map(|&i| &self.municipalities[i])
    }

    pub fn service_type(&self, code: &str) -> Option<&ServiceType> {
        self.service_by_code.get(code).map(|&i| &self.service_types[i])
    }

    /// The municipalities of an oblast, in code order.
    pub fn municipalities_of<'a>(&'a self, oblast_code: &'a str) -> impl Iterator<Item = &'a Municipality> + 'a {
        self.municipalities.iter().filter(move |m| m.oblast_code == oblast_code)
    }

    /// The oblasts a written form may name: a code, a name, an alias, with
    /// or without a prefix such as "Област" or "обл.". Several for a bare
    /// "София" (SFO and SOF); empty when unknown.
    pub fn oblast_candidates(&self, written: &str, prefixes: &[String]) -> Vec<usize> {
        if let Some(&i) = self.oblast_by_code.get(&written.trim().to_uppercase()) {
            return vec![i];
        }
        candidates_with_prefixes(&self.oblast_names, written, prefixes)
    }

    pub fn closest_oblasts(&self, written: &str, prefixes: &[String]) -> Vec<usize> {
        self.oblast_names.closest(&strip_prefix_key(written, prefixes), 3)
    }

    /// The municipalities a written form may name (several for a name two
    /// oblasts share, such as „Бяла"; empty when unknown).
    pub fn municipality_candidates(&self, written: &str, prefixes: &[String]) -> Vec<usize> {
        if let Some(&i) = self.municipality_by_code.get(&written.trim().to_uppercase()) {
            return vec![i];
        }
        candidates_with_prefixes(&self.municipality_names, written, prefixes)
    }

    pub fn closest_municipalities(&self, written: &str, prefixes: &[String]) -> Vec<usize> {
        self.municipality_names.closest(&strip_prefix_key(written, prefixes), 3)
    }

    /// The vocabulary and rows of an enumeration table.
    pub fn lookup(&self, table: Table, written: &str) -> Lookup {
        let written_code = written.trim();
        let (names, by_code) = match table {
            Table::ServiceTypes => (&self.service_names, &self.service_by_code),
            Table::FinancingTypes => (&self.financing_names, &self.financing_by_code),
            Table::ProviderTypes => (&self.provider_names, &self.provider_by_code),
            Table::Institutions => (&self.institution_names, &self.institution_by_code),
            Table::InspectionAreas => (&self.area_names, &self.area_by_code),
            Table::PlanActions => (&self.action_names, &self.action_by_code),
            Table::ActivityStatuses => (&self.activity_status_names, &self.activity_status_by_code),
        };
        // Upper case has at least as many characters as the text: most
        // values, names longer than any code, are not upper-cased at all.
        if written_code.chars().count() <= self.longest_code
            && let Some(&i) = by_code.get(&written_code.to_uppercase())
        {
            return Lookup::Found(i);
        }
        names.lookup(written)
    }

    /// The code and Bulgarian name of entry `index` of a table.
    pub fn entry(&self, table: Table, index: usize) -> (&str, &str) {
        match table {
            Table::ServiceTypes => {
                let s = &self.service_types[index];
                (&s.code, &s.name_bg)
            }
            Table::FinancingTypes => {
                let c = &self.financing_types[index];
                (&c.code, &c.name_bg)
            }
            Table::ProviderTypes => {
                let c = &self.provider_types[index];
                (&c.code, &c.name_bg)
            }
            Table::PlanActions | Table::ActivityStatuses | Table::Institutions | Table::InspectionAreas => {
                let c = &self.choices(table)[index];
                (&c.code, &c.name_bg)
            }
        }
    }

    /// The English name of an entry.
    pub fn entry_en(&self, table: Table, index: usize) -> &str {
        match table {
            Table::ServiceTypes => &self.service_types[index].name_en,
            Table::FinancingTypes => &self.financing_types[index].name_en,
            Table::ProviderTypes => &self.provider_types[index].name_en,
            Table::Institutions => &self.institutions[index].name_en,
            Table::InspectionAreas => &self.inspection_areas[index].name_en,
            Table::PlanActions => &self.plan_actions[index].name_en,
            Table::ActivityStatuses => &self.activity_statuses[index].name_en,
        }
    }

    /// Index of an entry by code.
    pub fn code_index(&self, table: Table, code: &str) -> Option<usize> {
        let by_code = match table {
            Table::ServiceTypes => &self.service_by_code,
            Table::FinancingTypes => &self.financing_by_code,
            Table::ProviderTypes => &self.provider_by_code,
            Table::Institutions => &self.institution_by_code,
            Table::InspectionAreas => &self.area_by_code,
            Table::PlanActions => &self.action_by_code,
            Table::ActivityStatuses => &self.activity_status_by_code,
        };
        by_code.get(&code.to_uppercase()).copied()
    }

    /// Every code of a table, in table order.
    pub fn codes(&self, table: Table) -> Vec<&str> {
        match table {
            Table::ServiceTypes => self.service_types.iter().map(|s| s.code.as_str()).collect(),
            Table::FinancingTypes => self.financing_types.iter().map(|c| c.code.as_str()).collect(),
            Table::ProviderTypes => self.provider_types.iter().map(|c| c.code.as_str()).collect(),
            Table::Institutions => self.institutions.iter().map(|c| c.code.as_str()).collect(),
            Table::InspectionAreas => self.inspection_areas.iter().map(|c| c.code.as_str()).collect(),
            Table::PlanActions => self.plan_actions.iter().map(|c| c.code.as_str()).collect(),
            Table::ActivityStatuses => self.activity_statuses.iter().map(|c| c.code.as_str()).collect(),
        }
    }

    /// The rows of a small code list (every table but the service types).
    pub fn choices(&self, table: Table) -> &[Choice] {
        match table {
            Table::ServiceTypes => &[],
            Table::FinancingTypes => &self.financing_types,
            Table::ProviderTypes => &self.provider_types,
            Table::PlanActions => &self.plan_actions,
            Table::ActivityStatuses => &self.activity_statuses,
            Table::Institutions => &self.institutions,
            Table::InspectionAreas => &self.inspection_areas,
        }
    }
}

/// The key of a written name with a leading prefix ("община", "обл.") dropped.
fn strip_prefix_key(written: &str, prefixes: &[String]) -> String {
    let written_key = key(written);
    for prefix in prefixes {
        let prefix_key = key(prefix);
        if let Some(rest) = written_key.strip_prefix(&prefix_key)
            && let Some(rest) = rest.strip_prefix(' ')
        {
            return rest.to_string();
        }
    }
    written_key
}

fn candidates_with_prefixes(names: &Vocabulary, written: &str, prefixes: &[String]) -> Vec<usize> {
    let direct = names.candidates(&key(written));
    if !direct.is_empty() {
        return direct.to_vec();
    }
    names.candidates(&strip_prefix_key(written, prefixes)).to_vec()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sources() -> ReferenceSources {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/");
        let read = |name: &str| std::fs::read_to_string(format!("{dir}{name}")).unwrap();
        ReferenceSources {
            oblasts: read("reference/oblasts.csv"),
            municipalities: read("reference/municipalities.csv"),
            service_types: read("reference/service_types.csv"),
            financing_types: read("reference/financing_types.csv"),
            provider_types: read("reference/provider_types.csv"),
            institutions: read("reference/institutions.csv"),
            inspection_areas: read("reference/inspection_areas.csv"),
            plan_actions: read("reference/plan_actions.csv"),
            activity_statuses: read("reference/activity_statuses.csv"),
            aliases: read("aliases.toml"),
        }
    }

    fn reference() -> Reference {
        Reference::from_sources(&sources()).unwrap()
    }

    fn prefixes(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_tables_have_the_documented_sizes() {
        let r = reference();
        assert_eq!(r.oblasts.len(), 28);
        assert_eq!(r.municipalities.len(), 265);
        assert_eq!(r.service_types.len(), 36);
        assert_eq!(r.financing_types.len(), 6);
        assert_eq!(r.provider_types.len(), 4);
        assert_eq!(r.plan_actions.len(), 4);
        assert_eq!(r.activity_statuses.len(), 5);
    }

    #[test]
    fn municipalities_are_found_by_code_name_and_prefixed_name() {
        let r = reference();
        let p = prefixes(&["Община", "общ.", "общ"]);
        let ruse = r.municipality("RSE27").unwrap();
        for written in [
            "RSE27",
            "rse27",
            "Русе",
            "РУСЕ",
            "Община Русе",
            "общ. Русе",
            "общ.Русе",
            "Ruse",
        ] {
            let found = r.municipality_candidates(written, &p);
            assert_eq!(found.len(), 1, "{written}");
            assert_eq!(r.municipalities[found[0]].code, ruse.code, "{written}");
        }
        assert_eq!(r.municipality_candidates("Добричка", &p).len(), 1);
        // Бяла is a municipality in Ruse and in Varna oblast.
        assert_eq!(r.municipality_candidates("Бяла", &p).len(), 2);
        assert!(r.municipality_candidates("Горна баня", &p).is_empty());
        let closest = r.closest_municipalities("Горна Мална", &p);
        assert_eq!(r.municipalities[closest[0]].code, "SFO10");
    }

    #[test]
    fn a_bare_sofia_fits_both_sofia_oblasts() {
        let r = reference();
        let p = prefixes(&["Област", "обл."]);
        let codes = |w: &str| -> Vec<String> {
            r.oblast_candidates(w, &p)
                .into_iter()
                .map(|i| r.oblasts[i].code.clone())
                .collect()
        };
        assert_eq!(codes("София"), ["SFO", "SOF"]);
        assert_eq!(codes("Софийска област"), ["SFO"]);
        assert_eq!(codes("София-град"), ["SOF"]);
        assert_eq!(codes("Област Русе"), ["RSE"]);
        assert_eq!(codes("обл. Русе"), ["RSE"]);
        assert_eq!(codes("RSE"), ["RSE"]);
    }

    #[test]
    fn ambiguous_abbreviations_name_every_candidate() {
        let r = reference();
        match r.lookup(Table::ServiceTypes, "ЦНСТ") {
            Lookup::Ambiguous(found) => assert_eq!(found.len(), 5),
            other => panic!("{other:?}"),
        }
        match r.lookup(Table::ServiceTypes, "ДЦ") {
            Lookup::Ambiguous(found) => assert_eq!(found.len(), 4),
            other => panic!("{other:?}"),
        }
        let found = |t, w| match r.lookup(t, w) {
            Lookup::Found(i) => r.entry(t, i).0.to_string(),
            other => panic!("{w}: {other:?}"),
        };
        assert_eq!(found(Table::ServiceTypes, "ЦСРИ"), "CSRI");
        assert_eq!(found(Table::ServiceTypes, "звено майка и бебе"), "MOTHER_BABY");
        assert_eq!(
            found(Table::ServiceTypes, "ЦНСТ за деца без увреждания"),
            "CNST_CH_NODIS"
        );
        assert_eq!(found(Table::FinancingTypes, "ДДД"), "STATE_DELEGATED");
        assert_eq!(found(Table::FinancingTypes, "ОП РЧР"), "PROJECT_OPHRD");
        assert_eq!(found(Table::ProviderTypes, "община"), "MUNICIPALITY");
        assert_eq!(found(Table::ProviderTypes, "ngo"), "NGO");
    }
}
