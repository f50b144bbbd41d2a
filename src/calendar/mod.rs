//! The reporting calendar (`../shared/spec/CALENDAR.md`): takes the run's
//! returns, the registry of incoming documents, the files' times and the
//! period's deadlines and gives, per municipality, when its returns came
//! (each date with its source, in the spec's order of trust: the registry,
//! the card's fill-in date, the file's modification time), whether that was
//! in time, and the findings about it (`late`, an untrusted file time, a
//! registry row naming no file).
//!
//! - [`deadlines`]: `[deadlines]` of `socmon.toml` and `--deadline KEY=DATE`;
//! - [`decision`]: the date of a council decision read from its free text;
//! - [`contact`]: the person, phone and e-mail of a municipal card;
//!
//! Its findings are `crate::issue::CalendarFinding` (worded in `issue/messages/calendar.rs`).
//! - [`reminders`]: whom to remind of what.

pub mod contact;
pub mod deadlines;
pub mod decision;
pub mod reminders;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

pub use crate::issue::CalendarFinding;
pub use crate::issue::calendar::Source;
pub use deadlines::{DeadlineKey, Deadlines};

use crate::issue::{Finding, Issue, Location};
use crate::normalize::key;
use crate::period::Period;
use crate::schema::fields::registry;
use crate::schema::{Role, Schemas};
use crate::sender::Senders;
use crate::validate::Record;

/// When a return came and how that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub on: NaiveDate,
    pub source: Source,
    /// The file (relative to the input folder) that came then.
    pub file: String,
}

/// Whether something came in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    Late { days: i64 },
    Missing,
}

impl Timeliness {
    /// As the CSV files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::OnTime => "on_time",
            Timeliness::Late { .. } => "late",
            Timeliness::Missing => "missing",
        }
    }

    /// In the user's words („в срок" / „закъснели" / „липсват").
    pub fn label(self, lang: crate::issue::Lang) -> &'static str {
        use crate::issue::Lang::{Bg, En};
        match (self, lang) {
            (Timeliness::OnTime, Bg) => "в срок",
            (Timeliness::Late { .. }, Bg) => "закъснели",
            (Timeliness::Missing, Bg) => "липсват",
            (Timeliness::OnTime, En) => "on time",
            (Timeliness::Late { .. }, En) => "late",
            (Timeliness::Missing, En) => "missing",
        }
    }

    /// Days late: 0 when in time, none when nothing came.
    pub fn days_late(self) -> Option<i64> {
        match self {
            Timeliness::OnTime => Some(0),
            Timeliness::Late { days } => Some(days),
            Timeliness::Missing => None,
        }
    }

    /// Judges a received date against a deadline.
    pub fn judge(received: Option<NaiveDate>, deadline: NaiveDate) -> Timeliness {
        match received {
            None => Timeliness::Missing,
            Some(on) if on <= deadline => Timeliness::OnTime,
            Some(on) => Timeliness::Late {
                days: (on - deadline).num_days(),
            },
        }
    }
}

/// One municipality's returns, implementation report and council decision in time.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityDates {
    pub oblast_code: String,
    pub municipality_code: String,
    pub municipality: String,
    /// The returns (files of cards and tables) it sent.
    pub files: usize,
    /// When its returns came: the latest over its dated returns.
    pub received: Option<Received>,
    /// The deadline of the returns, when one was set.
    pub deadline: Option<NaiveDate>,
    /// None when not judged: no deadline, or returns with no date to trust.
    pub timeliness: Option<Timeliness>,
    /// The files of its implementation report.
    pub report_files: usize,
    /// When its implementation report came.
    pub report_received: Option<Received>,
    pub report_timeliness: Option<Timeliness>,
    /// The date of the council's decision adopting the report.
    pub council_decision_on: Option<NaiveDate>,
    pub council_timeliness: Option<Timeliness>,
}

/// The run's calendar: the deadlines and every municipality's dates.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub deadlines: Deadlines,
    /// One row per municipality of the run's oblasts, in code order.
    pub municipalities: Vec<MunicipalityDates>,
    /// Whether any registry of incoming documents was read.
    pub registry_read: bool,
    /// From the history: the latest stored contact of each municipality,
    /// with the name of its period (for one that sent no card this time).
    pub stored_contacts: BTreeMap<String, (contact::Contact, String)>,
    /// From the history: the municipalities late or missing in the
    /// previous stored period of their oblast.
    pub late_before: std::collections::BTreeSet<String>,
}

/// The counts of one oblast (or the run) against the returns' deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Counts {
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    /// Municipalities that sent returns with no date to trust.
    pub undated: usize,
    /// The share of municipalities whose returns came in time (the
    /// reporting rate on time); none without a deadline.
    pub share_on_time: Option<f64>,
}

impl Calendar {
    /// The counts of an oblast's municipalities (every oblast's for `None`).
    pub fn counts(&self, oblast: Option<&str>) -> Counts {
        let mut counts = Counts::default();
        let rows = self
            .municipalities
            .iter()
            .filter(|m| oblast.is_none_or(|o| m.oblast_code == o));
        let mut all = 0;
        for m in rows {
            all += 1;
            match m.timeliness {
                Some(Timeliness::OnTime) => counts.on_time += 1,
                Some(Timeliness::Late { .. }) => counts.late += 1,
                Some(Timeliness::Missing) => counts.missing += 1,
                None => counts.undated += usize::from(m.files > 0),
            }
        }
        if self.deadlines.returns.is_some() && all > 0 {
            counts.share_on_time = Some(counts.on_time as f64 / all as f64);
        }
        counts
    }

    pub fn of(&self, municipality: &str) -> Option<&MunicipalityDates> {
        self.municipalities.iter().find(|m| m.municipality_code == municipality)
    }

    /// Takes in what the history knows of earlier periods (one oblast's,
    /// oldest first, each ending before this run's period begins): the
    /// municipalities late or missing in the latest of them, and each
    /// municipality's latest stored contact.
    pub fn remember(&mut self, past: &[PastPeriod]) {
        if let Some(last) = past.last() {
            self.late_before.extend(last.late_or_missing.iter().cloned());
        }
        for period in past {
            for (code, contact) in &period.contacts {
                if !contact.is_empty() {
                    self.stored_contacts
                        .insert(code.clone(), (contact.clone(), period.name.clone()));
                }
            }
        }
    }
}

/// What the calendar needs of one stored earlier period.
#[derive(Debug, Clone, Default)]
pub struct PastPeriod {
    /// Its name (`2017Q2`), as the reminders say where a contact came from.
    pub name: String,
    /// Municipalities whose returns were late or missing then.
    pub late_or_missing: std::collections::BTreeSet<String>,
    /// The contact of each municipality's card then.
    pub contacts: BTreeMap<String, contact::Contact>,
}

/// A file of the input folder that is a return, with its modification day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnFile {
    pub relative: String,
    pub modified: Option<NaiveDate>,
}

/// What the calendar is made from.
pub struct Inputs<'a> {
    pub schemas: &'a Schemas,
    pub period: Period,
    pub oblasts: &'a [String],
    pub deadlines: Deadlines,
    /// The returns' records (the registry's rows are not among them).
    pub records: &'a [Record],
    /// The registry's rows, checked like any table.
    pub registry: &'a [Record],
    /// Every return file walked (read or not), the registry's files excepted.
    pub files: &'a [ReturnFile],
    pub senders: &'a Senders,
    /// Today, for a file time in the future (the only date read from the clock).
    pub today: NaiveDate,
}

/// A file name as a registry row and a file are matched: its last part,
/// normalised, with and without its extension.
fn name_keys(name: &str) -> (String, String) {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    (key(last), key(stem))
}

/// What a file is to the calendar: a return (cards, DSP tables, and a file
/// that gave no record), a part of an implementation report, or neither
/// (the strategy's plan and indicators and the visit protocols, which are
/// the monitoring unit's own).
#[derive(Debug, Clone, Copy, Default)]
struct FileKind {
    returns: bool,
    report: bool,
}

/// A municipality's latest dated file of one kind, and how many it sent.
#[derive(Debug, Default)]
struct Latest {
    files: usize,
    received: Option<Received>,
}

impl Latest {
    fn add(&mut self, file: &str, received: Option<(NaiveDate, Source)>) {
        self.files += 1;
        if let Some((on, source)) = received
            && self.received.as_ref().is_none_or(|r| on > r.on)
        {
            self.received = Some(Received {
                on,
                source,
                file: file.to_string(),
            });
        }
    }

    /// Judged against a deadline: missing when nothing came, not judged
    /// when what came has no date to trust.
    fn judge(&self, deadline: Option<NaiveDate>) -> Option<Timeliness> {
        let deadline = deadline?;
        match (&self.received, self.files) {
            (_, 0) => Some(Timeliness::Missing),
            (Some(r), _) => Some(Timeliness::judge(Some(r.on), deadline)),
            (None, _) => None,
        }
    }
}

/// A late finding at the file that came last.
fn late(what: DeadlineKey, received: &Received, deadline: NaiveDate, days: i64, municipality: &str) -> Issue {
    Issue::warning(
        Location::file(&received.file),
        Finding::Calendar(CalendarFinding::Late {
            what,
            received_on: received.on,
            source: Some(received.source),
            deadline,
            days,
        }),
    )
    .municipality(Some(municipality))
}

/// Dates every municipality's returns, implementation report and council
/// decision and judges them against the deadlines.
pub fn build(inputs: &Inputs) -> (Calendar, Vec<Issue>) {
    let schemas = inputs.schemas;
    let mut issues = Vec::new();
    let (by_file, by_sender) = read_registry(inputs, &mut issues);

    // The fill-in date of each file (the latest its records give) and what it is.
    let mut filled: HashMap<&str, NaiveDate> = HashMap::new();
    let mut kinds: HashMap<&str, FileKind> = HashMap::new();
    for record in inputs.records {
        let template = &schemas.templates[record.template];
        let kind = kinds.entry(record.file.as_str()).or_default();
        match template.role {
            Role::ServiceCard | Role::MunicipalCard | Role::Dsp => kind.returns = true,
            Role::StrategyReport => kind.report = true,
            // The unit's own: the strategy's plan and indicators, the visit protocols, the registry.
            Role::StrategyPlan | Role::StrategyIndicators | Role::ProviderVisit | Role::Registry => continue,
        }
        if let Some(day) = record
            .get(template, crate::schema::fields::service::FILLED_ON)
            .and_then(|v| v.as_date())
        {
            let slot = filled.entry(record.file.as_str()).or_insert(day);
            *slot = (*slot).max(day);
        }
    }

    // Each file's date, by its sender.
    let mut returns: BTreeMap<String, Latest> = BTreeMap::new();
    let mut reports: BTreeMap<String, Latest> = BTreeMap::new();
    for file in inputs.files {
        // A file that gave no record (unreadable, no template) is a return.
        let kind = kinds.get(file.relative.as_str()).copied().unwrap_or(FileKind {
            returns: true,
            report: false,
        });
        if !kind.returns && !kind.report {
            continue;
        }
        let Some(sender) = inputs.senders.of(&file.relative).municipality else {
            continue;
        };
        let from_registry = by_file
            .get(file.relative.as_str())
            .or_else(|| by_sender.get(&sender))
            .map(|&d| (d, Source::Registry));
        let received = from_registry
            .or_else(|| filled.get(file.relative.as_str()).map(|&d| (d, Source::FilledOn)))
            .or_else(|| {
                let modified = file.modified?;
                let future = modified > inputs.today.succ_opt().unwrap_or(inputs.today);
                if future || modified < inputs.period.start {
                    issues.push(Issue::warning(
                        Location::file(&file.relative),
                        Finding::Calendar(CalendarFinding::FileTimeUntrusted {
                            modified,
                            future,
                            period_start: inputs.period.start,
                        }),
                    ));
                    return None;
                }
                Some((modified, Source::FileTime))
            });
        if kind.returns {
            returns.entry(sender.clone()).or_default().add(&file.relative, received);
        }
        if kind.report {
            reports.entry(sender).or_default().add(&file.relative, received);
        }
    }
    let decisions = council_decisions(inputs, &mut issues);

    let deadlines = inputs.deadlines;
    let mut municipalities = Vec::new();
    for oblast in inputs.oblasts {
        for m in schemas.reference.municipalities_of(oblast) {
            let sent = returns.remove(&m.code).unwrap_or_default();
            let timeliness = sent.judge(deadlines.returns);
            let report = reports.remove(&m.code).unwrap_or_default();
            let report_timeliness = report.judge(deadlines.strategy_report);
            for (what, latest, judged, deadline) in [
                (DeadlineKey::Returns, &sent, timeliness, deadlines.returns),
                (
                    DeadlineKey::StrategyReport,
                    &report,
                    report_timeliness,
                    deadlines.strategy_report,
                ),
            ] {
                if let (Some(Timeliness::Late { days }), Some(r), Some(deadline)) = (judged, &latest.received, deadline)
                {
                    issues.push(late(what, r, deadline, days, &m.code));
                }
            }
            let decision = decisions.get(m.code.as_str());
            let council_decision_on = decision.and_then(|d| d.on.as_ref().map(|(on, _)| *on));
            let council_timeliness = deadlines.council_decision.and_then(|deadline| match decision {
                Some(Decision { on: Some((on, _)), .. }) => Some(Timeliness::judge(Some(*on), deadline)),
                Some(Decision { undated: true, .. }) => None,
                _ => Some(Timeliness::Missing),
            });
            if let (Some(Timeliness::Late { days }), Some(Decision { on: Some((on, at)), .. }), Some(deadline)) =
                (council_timeliness, decision, deadlines.council_decision)
            {
                issues.push(
                    Issue::warning(
                        at.clone(),
                        Finding::Calendar(CalendarFinding::Late {
                            what: DeadlineKey::CouncilDecision,
                            received_on: *on,
                            source: None,
                            deadline,
                            days,
                        }),
                    )
                    .template("strategy_report")
                    .field(crate::schema::fields::report::COUNCIL_DECISION)
                    .municipality(Some(&m.code)),
                );
            }
            municipalities.push(MunicipalityDates {
                oblast_code: m.oblast_code.clone(),
                municipality_code: m.code.clone(),
                municipality: m.name_bg.clone(),
                files: sent.files,
                received: sent.received,
                deadline: deadlines.returns,
                timeliness,
                report_files: report.files,
                report_received: report.received,
                report_timeliness,
                council_decision_on,
                council_timeliness,
            });
        }
    }
    let calendar = Calendar {
        deadlines,
        municipalities,
        registry_read: !inputs.registry.is_empty(),
        ..Calendar::default()
    };
    (calendar, issues)
}

/// The registry's dates: by the file a row names, and by sender for the
/// rows that name none (the latest of each); a row naming no file of the
/// input folder is a finding at its cell.
fn read_registry<'a>(
    inputs: &'a Inputs,
    issues: &mut Vec<Issue>,
) -> (HashMap<&'a str, NaiveDate>, HashMap<String, NaiveDate>) {
    let schemas = inputs.schemas;
    let mut by_file: HashMap<&str, NaiveDate> = HashMap::new();
    let mut by_sender: HashMap<String, NaiveDate> = HashMap::new();
    // The files by the key of their name (with and without its extension),
    // and by the key of their path in the input folder: each registry row is
    // one look-up, never a scan of every file.
    let mut files_by_name: HashMap<String, Vec<&ReturnFile>> = HashMap::new();
    let mut files_by_path: HashMap<String, Vec<&ReturnFile>> = HashMap::new();
    for f in inputs.files {
        let (whole, stem) = name_keys(&f.relative);
        files_by_name.entry(whole.clone()).or_default().push(f);
        if stem != whole {
            files_by_name.entry(stem).or_default().push(f);
        }
        files_by_path.entry(key(&f.relative)).or_default().push(f);
    }
    for row in inputs.registry.iter().filter(|r| r.accepted()) {
        let template = &schemas.templates[row.template];
        let Some(day) = row.get(template, registry::RECEIVED_ON).and_then(|v| v.as_date()) else {
            continue;
        };
        let named = row
            .get(template, registry::FILE)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(name) = named else {
            if let Some(sender) = &row.municipality {
                let slot = by_sender.entry(sender.clone()).or_insert(day);
                *slot = (*slot).max(day);
            }
            continue;
        };
        let (whole, _) = name_keys(name);
        let mut found: Vec<&ReturnFile> = files_by_name.get(&whole).cloned().unwrap_or_default();
        found.extend(files_by_path.get(&key(name)).into_iter().flatten().copied());
        found.sort_by(|a, b| a.relative.cmp(&b.relative));
        found.dedup_by(|a, b| a.relative == b.relative);
        // Several files of that name: the sender's, when it has one of them.
        if found.len() > 1
            && let Some(sender) = &row.municipality
        {
            let own: Vec<&ReturnFile> = found
                .iter()
                .copied()
                .filter(|f| inputs.senders.of(&f.relative).municipality.as_deref() == Some(sender.as_str()))
                .collect();
            if !own.is_empty() {
                found = own;
            }
        }
        if found.is_empty() {
            let at = template.field_index(registry::FILE).and_then(|f| row.cells[f]);
            let location = match at {
                Some(cell) => Location::cell(&row.file, &row.sheet, cell),
                None => row.location(),
            };
            issues.push(
                Issue::error(
                    location,
                    Finding::Calendar(CalendarFinding::NoSuchFile { name: name.to_string() }),
                )
                .template(&template.id)
                .field(registry::FILE)
                .value(name),
            );
            continue;
        }
        for f in found {
            let slot = by_file.entry(f.relative.as_str()).or_insert(day);
            *slot = (*slot).max(day);
        }
    }
    (by_file, by_sender)
}

/// A municipality's council decision adopting its implementation report.
#[derive(Debug, Default)]
struct Decision {
    /// The latest readable date and where it is written.
    on: Option<(NaiveDate, Location)>,
    /// Some text gave no readable date.
    undated: bool,
}

/// The council decisions of the implementation reports, by municipality;
/// a text with no readable date is a warning at its cell (once per sheet).
fn council_decisions<'a>(inputs: &'a Inputs, issues: &mut Vec<Issue>) -> HashMap<&'a str, Decision> {
    let schemas = inputs.schemas;
    let mut decisions: HashMap<&str, Decision> = HashMap::new();
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    for record in inputs.records {
        let template = &schemas.templates[record.template];
        if template.role != Role::StrategyReport {
            continue;
        }
        let Some(m) = record.municipality.as_deref() else {
            continue;
        };
        let Some(field) = template.field_index(crate::schema::fields::report::COUNCIL_DECISION) else {
            continue;
        };
        if !seen.insert((record.file.as_str(), record.sheet.as_str())) {
            continue;
        }
        let Some(text) = record.values[field].as_ref().and_then(|v| v.as_str()) else {
            continue;
        };
        let at = match record.cells[field] {
            Some(cell) => Location::cell(&record.file, &record.sheet, cell),
            None => Location::sheet(&record.file, &record.sheet),
        };
        let decision = decisions.entry(m).or_default();
        match decision::decision_date(text) {
            Ok(on) => {
                if decision.on.as_ref().is_none_or(|(d, _)| on > *d) {
                    decision.on = Some((on, at));
                }
            }
            Err(why) => {
                decision.undated = true;
                issues.push(
                    Issue::warning(at, Finding::Calendar(CalendarFinding::DecisionUndated { why }))
                        .template(&template.id)
                        .field(crate::schema::fields::report::COUNCIL_DECISION)
                        .value(text),
                );
            }
        }
    }
    decisions
}
