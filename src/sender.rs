//! Who sent each return: takes the run's oblasts and records and decides,
//! once, which municipality sent each file — the one its folder names, when
//! the returns are kept in a folder per municipality, else the one most of
//! its records name — and gives each finding to the sender of its file,
//! since that is who must correct it (`REPORT.md`, "Feedback to
//! municipalities"). Only a municipality of the run's oblast(s) can be a
//! sender; a file whose sender cannot be told goes to the analyst's lists
//! only. A DSP table, the strategy's plan and its indicators, and a visit
//! protocol are not a municipality's return: their rows do not vote.

use std::collections::{BTreeMap, HashMap};

use crate::issue::Issue;
use crate::normalize::key;
use crate::schema::{Role, Schemas};
use crate::validate::Record;

/// Who a file (and every finding in it) belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sender {
    /// The municipality that sent it (code), when it can be told.
    pub municipality: Option<String>,
    /// The oblast it reports on: the sender's, else the run's when it has
    /// one, else the oblast whose folder („Област Варна") it lies in, else
    /// the one most of its records lie in.
    pub oblast: Option<String>,
}

/// A municipality of the run, as folder names are matched against it.
#[derive(Debug, Clone)]
struct Known {
    code: String,
    oblast: String,
    /// Its name normalised, padded with spaces for whole-word matching.
    name_key: String,
}

/// The sender of every file of a run.
#[derive(Debug, Clone, Default)]
pub struct Senders {
    municipalities: Vec<Known>,
    /// Each municipality's place in `municipalities`, by its code.
    index: HashMap<String, usize>,
    /// The run's oblast when it has exactly one.
    single_oblast: Option<String>,
    /// Files with records, by their path relative to the input folder.
    by_file: HashMap<String, Sender>,
    /// The keys of the words that make a folder an oblast's („Област", „обл."),
    /// each with a space after it.
    oblast_prefixes: Vec<String>,
    /// The run's oblasts by the key of their folder's name („област русе").
    oblast_folders: HashMap<String, String>,
}

/// The folder a file is in (its own, not those further up); `None` for a
/// file at the top of the input folder.
fn folder_of(file: &str) -> Option<&str> {
    let (folder, _) = file.rsplit_once(['/', '\\'])?;
    folder.rsplit(['/', '\\']).next()
}

/// The value most often counted, when one is counted more than any other.
fn most_named(counts: BTreeMap<&str, usize>) -> Option<String> {
    let top = counts.values().copied().max()?;
    let mut at_top = counts.into_iter().filter(|(_, n)| *n == top);
    let (first, _) = at_top.next()?;
    at_top.next().is_none().then(|| first.to_string())
}

impl Senders {
    /// Decides the sender of every file that gave records.
    pub fn decide(schemas: &Schemas, oblasts: &[String], records: &[Record]) -> Senders {
        let municipalities: Vec<Known> = oblasts
            .iter()
            .flat_map(|o| schemas.reference.municipalities_of(o))
            .map(|m| Known {
                code: m.code.clone(),
                oblast: m.oblast_code.clone(),
                name_key: format!(" {} ", key(&m.name_bg)),
            })
            .collect();
        let index = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code.clone(), i))
            .collect();
        let mut senders = Senders {
            municipalities,
            index,
            single_oblast: (oblasts.len() == 1).then(|| oblasts[0].clone()),
            by_file: HashMap::new(),
            oblast_prefixes: schemas
                .common
                .oblast_prefixes
                .iter()
                .map(|p| format!("{} ", key(p)))
                .filter(|p| p.trim() != "")
                .collect(),
            oblast_folders: oblasts
                .iter()
                .filter_map(|code| schemas.reference.oblast(code))
                .flat_map(|o| {
                    schemas
                        .common
                        .oblast_prefixes
                        .iter()
                        .map(move |p| (key(&format!("{p} {}", o.name_bg)), o.code.clone()))
                })
                .collect(),
        };
        // Per file: the run's municipalities its returns name, and the oblasts its records lie in.
        let mut named: BTreeMap<&str, (BTreeMap<&str, usize>, BTreeMap<&str, usize>)> = BTreeMap::new();
        for record in records {
            let (municipalities, oblasts_named) = named.entry(record.file.as_str()).or_default();
            if let Some(oblast) = record.oblast.as_deref().filter(|o| oblasts.iter().any(|run| run == o)) {
                *oblasts_named.entry(oblast).or_default() += 1;
            }
            // Neither a DSP table nor the strategy's plan or indicators nor a
            // visit protocol (the monitoring unit's) is a municipality's
            // return: their rows do not vote.
            if matches!(
                schemas.templates[record.template].role,
                Role::Dsp | Role::StrategyPlan | Role::StrategyIndicators | Role::ProviderVisit
            ) {
                continue;
            }
            if let Some(m) = record.municipality.as_deref().filter(|m| senders.known(m).is_some()) {
                *municipalities.entry(m).or_default() += 1;
            }
        }
        // A folder holds many files: each is matched against the run's
        // municipalities once.
        let mut by_folder: HashMap<&str, Option<String>> = HashMap::new();
        for (file, (municipalities, oblasts_named)) in named {
            let from_folder = match folder_of(file) {
                Some(folder) => by_folder
                    .entry(folder)
                    .or_insert_with(|| senders.folder_municipality(folder))
                    .clone(),
                None => None,
            };
            let municipality = from_folder.or_else(|| most_named(municipalities));
            let oblast = match &municipality {
                Some(m) => senders.known(m).map(|k| k.oblast.clone()),
                None => senders
                    .single_oblast
                    .clone()
                    .or_else(|| senders.folder_oblast(file))
                    .or_else(|| most_named(oblasts_named)),
            };
            senders
                .by_file
                .insert(file.to_string(), Sender { municipality, oblast });
        }
        senders
    }

    fn known(&self, code: &str) -> Option<&Known> {
        self.index.get(code).map(|&i| &self.municipalities[i])
    }

    /// The municipality a file's folder names: the folder it is in, when
    /// its name names exactly one of the run's municipalities, by code
    /// („SFO09_Godech") or by name („Борово"). Folders further up are an
    /// oblast's („Област Русе/ДСП/…") or anything else, and do not count.
    fn from_folder(&self, file: &str) -> Option<String> {
        self.folder_municipality(folder_of(file)?)
    }

    /// The oblast whose folder („Област Варна") a file lies in directly:
    /// the oblast's own documents (its registry) report on it.
    fn folder_oblast(&self, file: &str) -> Option<String> {
        self.oblast_folders.get(&key(folder_of(file)?)).cloned()
    }

    /// The municipality a folder's own name names (see [`Self::from_folder`]).
    fn folder_municipality(&self, folder: &str) -> Option<String> {
        // „Област Русе" is the oblast's folder (its registry, its DSP),
        // though Русе is also a municipality's name.
        let name_key = key(folder);
        if self.oblast_prefixes.iter().any(|p| name_key.starts_with(p.as_str())) {
            return None;
        }
        let upper = folder.to_uppercase();
        let folder_key = format!(" {name_key} ");
        let mut found = self
            .municipalities
            .iter()
            .filter(|m| upper.contains(&m.code) || folder_key.contains(&m.name_key));
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one.code.clone()),
            _ => None,
        }
    }

    /// The sender of a file (relative to the input folder); a file that gave
    /// no record is told by its folder alone.
    pub fn of(&self, file: &str) -> Sender {
        if let Some(sender) = self.by_file.get(file) {
            return sender.clone();
        }
        let municipality = self.from_folder(file);
        let oblast = match &municipality {
            Some(m) => self.known(m).map(|k| k.oblast.clone()),
            None => self.single_oblast.clone().or_else(|| self.folder_oblast(file)),
        };
        Sender { municipality, oblast }
    }

    /// The oblast a finding counts to: its file's, or, for a finding about
    /// no file (a missing submission), its municipality's; the run's when it
    /// has one.
    pub fn oblast_of(&self, issue: &Issue) -> Option<String> {
        if let Some(oblast) = &self.single_oblast {
            return Some(oblast.clone());
        }
        if issue.location.file.is_empty() {
            issue
                .municipality
                .as_deref()
                .and_then(|m| self.known(m))
                .map(|k| k.oblast.clone())
        } else {
            self.of(&issue.location.file).oblast
        }
    }

    /// Gives each finding about a file to the file's sender (none when it
    /// cannot be told). A finding about no file keeps the municipality it
    /// is about (a missing submission is that municipality's to send).
    pub fn assign(&self, issues: &mut [Issue]) {
        for issue in issues {
            if !issue.location.file.is_empty() {
                issue.municipality = self.of(&issue.location.file).municipality;
            }
        }
    }
}
