//! The run: takes a resolved [`Config`] and runs the stages in order —
//! walk the input folder, read and recognise every file in parallel, settle
//! the oblast, validate, check across files ([`check`], which gives the
//! [`Run`] with its counts, records and issues), then add up, compare with
//! the history, and write the report and the history ([`report`]).

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::aggregate::Aggregates;
use crate::compare::Comparison;
use crate::config::{Config, OblastChoice};
use crate::error::{Error, Result};
use crate::extract::{self, SheetRecords};
use crate::history::{History, Partition, StoredPeriod};
use crate::ingest::{self, Format, FoundFile, LinkProblem, SkipReason};
use crate::issue::{Finding, Issue, Location, Severity};
use crate::normalize::key;
use crate::schema::{FieldType, Layout, Schemas};
use crate::sheet::Sheet;
use crate::validate::value::is_blank;
use crate::validate::{self, Context, Record, across};

/// What reading one file gave.
#[derive(Debug)]
struct FileOutcome {
    relative: String,
    format: Option<Format>,
    sheets: Vec<SheetRecords>,
    issues: Vec<Issue>,
    /// The file's records checked on their own, when the oblast was known
    /// before reading (its raw sheets are then dropped at once).
    checked: Option<(Vec<Record>, Vec<Issue>)>,
}

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
    /// Every finding, in report order.
    pub issues: Vec<Issue>,
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
    fn ended(name: &'static str, started: std::time::Instant) -> Stage {
        Stage::took(name, started.elapsed())
    }

    fn took(name: &'static str, took: std::time::Duration) -> Stage {
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
}

/// The template id and schema version a generated template declares for
/// each sheet ("*" for every sheet), read from its hidden marker sheet.
fn marker_entries(marker: &Sheet) -> BTreeMap<String, (String, Option<u32>)> {
    marker
        .rows()
        .filter_map(|(_, cells)| {
            let sheet = cells.first()?.value.display();
            let template = cells.get(1)?.value.display();
            let version = cells.get(2).and_then(|c| c.value.display().trim().parse::<u32>().ok());
            Some((sheet, (template, version)))
        })
        .collect()
}

/// Reads one file and finds its records.
fn read_one(file: &FoundFile, config: &Config) -> FileOutcome {
    let schemas = &config.schemas;
    let probe = |sheet: &Sheet| extract::recognise(sheet, schemas).is_some();
    let mut outcome = FileOutcome {
        relative: file.relative.clone(),
        format: None,
        sheets: Vec::new(),
        issues: Vec::new(),
        checked: None,
    };
    let read = match ingest::read_file(file, &config.limits, &schemas.common, &probe) {
        Ok(read) => read,
        Err(problem) => {
            outcome.issues.push(Issue::error(
                Location::file(&file.relative),
                Finding::UnreadableFile { problem },
            ));
            return outcome;
        }
    };
    outcome.format = Some(read.format);
    let markers = read.workbook.marker.as_ref().map(marker_entries).unwrap_or_default();
    let mut unknown: Vec<String> = read
        .workbook
        .skipped
        .iter()
        .filter(|s| s.reason == SkipReason::NoTemplateInFirstRows)
        .map(|s| s.name.clone())
        .collect();
    for sheet in &read.workbook.sheets {
        let declared = markers.get(&sheet.name).or_else(|| markers.get("*"));
        let template = match declared {
            Some((id, version)) => match schemas.template_index(id) {
                Some(t) => {
                    if let Some(issue) = version_issue(schemas, t, *version, &file.relative, &sheet.name) {
                        let stop = issue.severity == Severity::Error;
                        outcome.issues.push(issue);
                        if stop {
                            continue;
                        }
                    }
                    Some(t)
                }
                None => extract::recognise(sheet, schemas),
            },
            None => extract::recognise(sheet, schemas),
        };
        let Some(template) = template else {
            unknown.push(sheet.name.clone());
            continue;
        };
        let found = extract::read_sheet(sheet, schemas, template, &file.relative);
        let template_id = &schemas.templates[template].id;
        for stray in &found.stray_rows {
            outcome.issues.push(
                Issue::warning(
                    Location::cell(&file.relative, &sheet.name, stray.at),
                    Finding::RowAfterTable,
                )
                .template(template_id),
            );
        }
        if found.empty_table {
            outcome.issues.push(
                Issue::warning(Location::sheet(&file.relative, &sheet.name), Finding::EmptyTable).template(template_id),
            );
        }
        // A card with labels but no value at all (a blank template sheet) is no record;
        // the oblast does not count, since generated templates come with it filled in.
        let fields = &schemas.templates[template].fields;
        let blank = schemas.templates[template].layout != Layout::Table
            && found.records.iter().all(|r| {
                r.fields.iter().all(|f| {
                    fields[f.field].kind == FieldType::Oblast
                        || f.value.as_ref().is_none_or(|v| is_blank(v, &schemas.common))
                })
            });
        if blank {
            outcome.issues.push(
                Issue::warning(Location::sheet(&file.relative, &sheet.name), Finding::BlankCard).template(template_id),
            );
        } else if !found.records.is_empty() {
            outcome.sheets.push(found);
        }
    }
    let templated = !outcome.sheets.is_empty() || outcome.issues.iter().any(|i| i.template.is_some());
    if !templated {
        outcome.issues.push(Issue::error(
            Location::file(&file.relative),
            Finding::UnknownTemplate { sheets_read: 0 },
        ));
    } else {
        for name in unknown {
            outcome.issues.push(Issue::warning(
                Location::sheet(&file.relative, &name),
                Finding::UnknownTemplate {
                    sheets_read: outcome.sheets.len(),
                },
            ));
        }
    }
    outcome
}

/// A marker naming a schema version other than the tool's.
fn version_issue(schemas: &Schemas, template: usize, version: Option<u32>, file: &str, sheet: &str) -> Option<Issue> {
    let known = schemas.templates[template].version;
    let declared = version?;
    if declared == known {
        return None;
    }
    let severity = if declared > known {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(
        Issue::new(
            Location::sheet(file, sheet),
            severity,
            Finding::SchemaVersion {
                declared,
                known,
                changes: schemas.templates[template].changes_since(declared),
            },
        )
        .template(&schemas.templates[template].id)
        .value(declared.to_string()),
    )
}

/// What checking a record needs to know of the run.
fn context<'a>(config: &'a Config, oblasts: &'a [String]) -> Context<'a> {
    Context {
        schemas: &config.schemas,
        period: config.period,
        oblast: (oblasts.len() == 1).then(|| oblasts[0].as_str()),
    }
}

/// The oblast(s) of the run when the configuration names them (one, or all).
fn known_oblasts(config: &Config) -> Option<Vec<String>> {
    match &config.oblast {
        OblastChoice::One(code) => Some(vec![code.clone()]),
        OblastChoice::All => {
            let mut all: Vec<String> = config
                .schemas
                .reference
                .oblasts
                .iter()
                .map(|o| o.code.clone())
                .collect();
            all.sort();
            Some(all)
        }
        OblastChoice::FromData => None,
    }
}

/// Settles the oblast of the run.
///
/// Errors: [`Error::Usage`] when the returns name several oblasts (or none)
/// and none was given.
fn settle_oblast(config: &Config, outcomes: &[FileOutcome]) -> Result<Vec<String>> {
    if let Some(oblasts) = known_oblasts(config) {
        return Ok(oblasts);
    }
    let named = across::oblasts_named(&config.schemas, outcomes.iter().flat_map(|o| o.sheets.iter()));
    match named.len() {
        1 => Ok(named.into_keys().collect()),
        0 => Err(Error::Usage(
            "no return names a known oblast or municipality; give the oblast with --oblast CODE (e.g. --oblast RSE)"
                .into(),
        )),
        _ => {
            let listing: Vec<String> = named
                .iter()
                .map(|(code, files)| {
                    let shown: Vec<&str> = files.iter().take(3).map(String::as_str).collect();
                    let more = if files.len() > 3 {
                        format!(", +{}", files.len() - 3)
                    } else {
                        String::new()
                    };
                    format!("{code} ({} files: {}{more})", files.len(), shown.join(", "))
                })
                .collect();
            Err(Error::Usage(format!(
                "the returns name several oblasts: {}; choose one with --oblast CODE",
                listing.join("; ")
            )))
        }
    }
}

/// The municipality a file's path names (a folder or file name such as
/// "Бяла/…" or "RSE04_карта.xlsx"), when exactly one of the run's does.
fn municipality_from_path(schemas: &Schemas, oblasts: &[String], relative: &str) -> Option<String> {
    let path_key = format!(" {} ", key(relative));
    let upper = relative.to_uppercase();
    let found: Vec<&str> = oblasts
        .iter()
        .flat_map(|o| schemas.reference.municipalities_of(o))
        .filter(|m| upper.contains(&m.code) || path_key.contains(&format!(" {} ", key(&m.name_bg))))
        .map(|m| m.code.as_str())
        .collect();
    match found.as_slice() {
        [one] => Some((*one).to_string()),
        _ => None,
    }
}

fn progress_bar(config: &Config, files: usize) -> Option<indicatif::ProgressBar> {
    if !config.progress || files < 20 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// Reads and checks every return: the part of a run before any figure is
/// added up (what `socmon validate` does).
///
/// Errors: [`Error::Input`] when the input folder cannot be read,
/// [`Error::Usage`] when the oblast cannot be settled.
pub fn check(config: &Config) -> Result<Run> {
    let started = std::time::Instant::now();
    let walked = ingest::walk(&config.input)?;
    let (returns, skipped): (Vec<FoundFile>, Vec<FoundFile>) = walked
        .files
        .into_iter()
        .partition(|f| !ingest::is_not_a_return(&f.relative));
    let bar = progress_bar(config, returns.len());
    // With the oblast given, each file is checked as soon as it is read and
    // only its records are kept: a national run holds no raw sheets.
    let known = known_oblasts(config);
    let early = known.as_deref().map(|oblasts| context(config, oblasts));
    let work = || {
        returns
            .par_iter()
            .map(|file| {
                let mut outcome = read_one(file, config);
                if let Some(ctx) = &early {
                    outcome.checked = Some(validate::record::validate_file(ctx, &outcome.sheets));
                    outcome.sheets = Vec::new();
                }
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                outcome
            })
            .collect::<Vec<_>>()
    };
    let mut outcomes = match config.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::Usage(e.to_string()))?
            .install(work),
        None => work(),
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let mut files = FileCounts {
        seen: returns.len() + skipped.len(),
        skipped: skipped.len(),
        ..FileCounts::default()
    };
    for outcome in &outcomes {
        match outcome.format {
            Some(format) => {
                files.read += 1;
                *files.by_format.entry(format.as_str().to_string()).or_default() += 1;
            }
            None => files.failed += 1,
        }
    }

    let read_stage = Stage::ended("read", started);
    let started = std::time::Instant::now();
    let oblasts = match known {
        Some(oblasts) => oblasts,
        None => settle_oblast(config, &outcomes)?,
    };
    let ctx = context(config, &oblasts);
    let validated: Vec<(Vec<Record>, Vec<Issue>)> = outcomes
        .par_iter_mut()
        .map(|o| {
            o.checked
                .take()
                .unwrap_or_else(|| validate::record::validate_file(&ctx, &o.sheets))
        })
        .collect();

    let mut records = Vec::new();
    let mut issues = Vec::new();
    for (outcome, (mut file_records, mut file_issues)) in outcomes.into_iter().zip(validated) {
        let mut file_level = outcome.issues;
        let owner = file_records
            .iter()
            .find_map(|r| r.municipality.clone())
            .or_else(|| municipality_from_path(&config.schemas, &oblasts, &outcome.relative));
        for issue in &mut file_level {
            if issue.municipality.is_none() {
                issue.municipality = owner.clone();
            }
        }
        issues.append(&mut file_level);
        issues.append(&mut file_issues);
        records.append(&mut file_records);
    }
    issues.extend(across::check_duplicates(&config.schemas, &mut records));
    issues.extend(across::check_card_counts(&ctx, &mut records));
    for oblast in &oblasts {
        issues.extend(across::check_missing(&ctx, oblast, &records));
    }
    for link in &walked.skipped_links {
        issues.push(Issue::warning(
            Location::file(&link.relative),
            Finding::LinkNotFollowed {
                looped: link.reason == LinkProblem::Loop,
            },
        ));
    }
    sort_issues(&mut issues);
    Ok(Run {
        files,
        skipped_files: skipped.into_iter().map(|f| f.relative).collect(),
        oblasts,
        records,
        issues,
        timings: vec![read_stage, Stage::ended("validate", started)],
    })
}

/// Findings in report order: by file, sheet, cell, field and code; those
/// about no file (missing submissions) last.
fn sort_issues(issues: &mut [Issue]) {
    issues.sort_by(|a, b| (a.location.file.is_empty(), a.sort_key()).cmp(&(b.location.file.is_empty(), b.sort_key())));
}

/// Adds findings made after the figures were added up (outliers, which are
/// warnings, so no record changes status) to the run, in report order, and
/// to the counts of each municipality's submission.
pub fn add_findings(run: &mut Run, aggregates: &mut crate::aggregate::Aggregates, findings: Vec<Issue>) {
    let at: std::collections::HashMap<String, usize> = aggregates
        .submissions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.municipality_code.clone(), i))
        .collect();
    for issue in &findings {
        if let Some(&i) = issue.municipality.as_ref().and_then(|code| at.get(code)) {
            let submission = &mut aggregates.submissions[i];
            match issue.severity {
                Severity::Error => submission.errors += 1,
                Severity::Warning => submission.warnings += 1,
            }
        }
    }
    run.issues.extend(findings);
    sort_issues(&mut run.issues);
}

/// A finished `socmon run`: the checked run with its outliers, the
/// comparison, and where the outputs went.
#[derive(Debug)]
pub struct Reported {
    pub run: Run,
    pub comparison: Comparison,
    /// How many of the run's findings are outliers.
    pub outliers: usize,
    /// The report workbook.
    pub report: std::path::PathBuf,
    /// The history folder and the period folders this run stored, when it keeps one.
    pub history: Option<(std::path::PathBuf, Vec<std::path::PathBuf>)>,
}

/// The stored periods of the run's oblasts, by oblast.
fn stored_periods(history: Option<&History>, oblasts: &[String]) -> Result<BTreeMap<String, Vec<StoredPeriod>>> {
    let Some(history) = history else {
        return Ok(BTreeMap::new());
    };
    oblasts
        .par_iter()
        .map(|oblast| Ok((oblast.clone(), history.load(oblast)?)))
        .collect()
}

/// Checks the returns, adds up the accepted records, compares them with the
/// history and flags outliers, then writes the report and stores the run's
/// data in the history — the history only once the report is in place, so a
/// failed run changes neither.
///
/// Errors: every fatal [`Error`]; findings about the data are in the run.
pub fn report(config: &Config) -> Result<Reported> {
    let mut run = check(config)?;
    let started = std::time::Instant::now();
    let mut aggregates: Aggregates =
        crate::aggregate::aggregate(&config.schemas, &config.period, &run.oblasts, &run.records, &run.issues)?;
    run.timings.push(Stage::ended("aggregate", started));

    let started = std::time::Instant::now();
    let history = config.history.as_ref().map(|h| History::open(&h.dir)).transpose()?;
    // Each oblast's part of this run: compared with the history, then stored.
    let mut current: Vec<StoredPeriod> = run
        .oblasts
        .iter()
        .map(|o| StoredPeriod::current(&config.schemas, config.period, &run, &aggregates, o))
        .collect();
    let stored = stored_periods(history.as_ref(), &run.oblasts)?;
    let compare_with = config.history.as_ref().and_then(|h| h.compare_with);
    let comparison = crate::compare::compare(&current, stored, compare_with)?;
    let outliers = crate::outliers::find(&config.schemas, config.period, &run, &aggregates, &comparison);
    let outlier_count = outliers.len();
    add_findings(&mut run, &mut aggregates, outliers);
    // Provider visits: matched with the cards, followed across the stored periods.
    // Their warnings are the monitoring team's: in no municipality's submission counts.
    let visits = crate::visits::run(config, &run, &aggregates, history.as_ref())?;
    run.issues.extend(visits.issues.iter().cloned());
    sort_issues(&mut run.issues);
    for period in &mut current {
        period.recount_findings(&config.schemas, &run);
    }
    let compared = Stage::ended("compare", started);

    // The history's tables and the report's files are built side by side:
    // both only read the run, and each is most of a core's work.
    let started = std::time::Instant::now();
    let (staged, files) = rayon::join(
        || -> Result<_> {
            let Some(history) = &history else {
                return Ok(None);
            };
            let partitions = current
                .into_par_iter()
                .map(|stored| {
                    let mut tables = crate::history::tables::frames(&config.schemas, &run, &aggregates, &stored)?;
                    tables.extend(crate::visits::stored::frames(&visits, &stored.meta.oblast_code)?);
                    Ok(Partition {
                        oblast: stored.meta.oblast_code.clone(),
                        period: config.period,
                        tables,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Some(history.stage(partitions)?))
        },
        || crate::report::build(config, &run, &aggregates, &comparison, &visits),
    );
    let staged = staged?;
    let report = crate::report::write(&config.output, &files?)?;
    run.timings.push(compared);
    run.timings.push(Stage::ended("write", started));

    let history = match (staged, history) {
        (Some(staged), Some(history)) => {
            staged.commit()?;
            let periods = run
                .oblasts
                .iter()
                .map(|o| history.period_dir(o, &config.period))
                .collect();
            Some((history.dir().to_path_buf(), periods))
        }
        _ => None,
    };
    Ok(Reported {
        run,
        comparison,
        outliers: outlier_count,
        report,
        history,
    })
}
