//! The run: takes a resolved [`Config`] and runs the stages in order, each
//! handing its typed result down; nothing below imports this module.
//!
//! - [`check`] (what `socmon validate` does): walk the input folder, read
//!   and extract every file in parallel, settle the oblast, validate, check
//!   across files, and give each finding to the sender of its file — the
//!   checked [`Run`].
//! - [`report`] (what `socmon run` does): the check, then add up the
//!   figures, compare them with the history, find the outliers — the
//!   findings are then final — count them once ([`Tally`]), and write the
//!   report and the history.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::compare::Comparison;
use crate::config::{Config, OblastChoice};
use crate::error::{Error, Result};
use crate::extract::{self, SheetRecords};
use crate::history::{self, History, Partition, StoredPeriod};
use crate::ingest::{self, Format, FoundFile, LinkProblem};
use crate::issue::{Finding, Issue, Location};
use crate::run::{FileCounts, Run, Stage, sort_issues};
use crate::sender::Senders;
use crate::sheet::Sheet;
use crate::tally::Tally;
use crate::validate::{self, Context, Record, across};
use crate::{aggregate, calendar, compare, outliers, report};

/// What reading one file gave.
#[derive(Debug)]
struct FileOutcome {
    format: Option<Format>,
    sheets: Vec<SheetRecords>,
    issues: Vec<Issue>,
    /// The file's records checked on their own, when the oblast was known
    /// before reading (its raw sheets are then dropped at once).
    checked: Option<(Vec<Record>, Vec<Issue>)>,
}

/// Reads one file and finds its records.
fn read_one(file: &FoundFile, config: &Config) -> FileOutcome {
    let schemas = &config.schemas;
    let probe = |sheet: &Sheet| extract::recognise(sheet, schemas).is_some();
    match ingest::read_file(file, &config.limits, &schemas.common, &probe) {
        Ok(read) => {
            let extracted = extract::extract_return(&read.workbook, &file.relative, schemas);
            FileOutcome {
                format: Some(read.format),
                sheets: extracted.sheets,
                issues: extracted.issues,
                checked: None,
            }
        }
        Err(problem) => FileOutcome {
            format: None,
            sheets: Vec::new(),
            issues: vec![Issue::error(
                Location::file(&file.relative),
                Finding::UnreadableFile { problem },
            )],
            checked: None,
        },
    }
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
        issues.extend(outcome.issues);
        issues.append(&mut file_issues);
        records.append(&mut file_records);
    }
    // The registry's rows date the returns; they are no returns themselves.
    let (registry, mut records): (Vec<Record>, Vec<Record>) = records
        .into_iter()
        .partition(|r| validate::role_of(&config.schemas, r) == crate::schema::Role::Registry);
    issues.extend(across::check_duplicates(&config.schemas, &mut records));
    issues.extend(across::check_card_counts(&ctx, &mut records));
    for oblast in &oblasts {
        issues.extend(across::check_missing(&ctx, oblast, &records));
    }
    // The strategy's plan, indicators and reports (STRATEGY.md).
    issues.extend(crate::strategy::check(&ctx, &mut records));
    crate::strategy::check::settle(&config.schemas, &mut issues);
    for link in &walked.skipped_links {
        issues.push(Issue::warning(
            Location::file(&link.relative),
            Finding::LinkNotFollowed {
                looped: link.reason == LinkProblem::Loop,
            },
        ));
    }
    // Each finding goes to the municipality that sent its file, decided once for every file.
    let senders = Senders::decide(&config.schemas, &oblasts, &records);
    let (calendar, found) = received_dates(config, &oblasts, &returns, &records, &registry, &senders);
    issues.extend(found);
    senders.assign(&mut issues);
    sort_issues(&mut issues);
    Ok(Run {
        files,
        skipped_files: skipped.into_iter().map(|f| f.relative).collect(),
        oblasts,
        records,
        issues,
        senders,
        registry,
        calendar,
        timings: vec![read_stage, Stage::ended("validate", started)],
    })
}

/// What the history knows of the calendar: per oblast, its stored periods
/// that end before this one begins, oldest first (late last period, the
/// latest contact of a municipality that sent no card now).
fn remember_calendar(calendar: &mut calendar::Calendar, comparison: &Comparison, period: crate::period::Period) {
    for stored in comparison.earlier.values() {
        let past: Vec<calendar::PastPeriod> = stored
            .iter()
            .filter(|p| p.meta.period.end < period.start)
            .map(|p| calendar::PastPeriod {
                name: p.meta.period.name(),
                late_or_missing: p
                    .timeliness
                    .iter()
                    .filter(|t| t.late_or_missing())
                    .map(|t| t.municipality_code.clone())
                    .collect(),
                contacts: p
                    .timeliness
                    .iter()
                    .map(|t| (t.municipality_code.clone(), t.contact()))
                    .collect(),
            })
            .collect();
        calendar.remember(&past);
    }
}

/// When each municipality's returns came, and the calendar's findings: the
/// registry, the cards' fill-in dates, else the files' times (the returns'
/// files only, the registry's own excepted).
fn received_dates(
    config: &Config,
    oblasts: &[String],
    returns: &[FoundFile],
    records: &[Record],
    registry: &[Record],
    senders: &Senders,
) -> (calendar::Calendar, Vec<Issue>) {
    let registry_files: std::collections::HashSet<&str> = registry.iter().map(|r| r.file.as_str()).collect();
    let files: Vec<calendar::ReturnFile> = returns
        .iter()
        .filter(|f| !registry_files.contains(f.relative.as_str()))
        .map(|f| calendar::ReturnFile {
            relative: f.relative.clone(),
            modified: f
                .modified
                .map(|t| chrono::DateTime::<chrono::Local>::from(t).date_naive()),
        })
        .collect();
    calendar::build(&calendar::Inputs {
        schemas: &config.schemas,
        period: config.period,
        oblasts,
        deadlines: config.deadlines,
        records,
        registry,
        files: &files,
        senders,
        today: chrono::Local::now().date_naive(),
    })
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
fn stored_periods(
    history: Option<&History>,
    oblasts: &[String],
    period: &crate::period::Period,
) -> Result<BTreeMap<String, Vec<StoredPeriod>>> {
    let Some(history) = history else {
        return Ok(BTreeMap::new());
    };
    oblasts
        .par_iter()
        .map(|oblast| Ok((oblast.clone(), history.load(oblast, Some(period))?)))
        .collect()
}

/// Checks the returns, adds up the accepted records, compares them with the
/// history and flags outliers — the findings are then final, and only then
/// counted — then writes the report and stores the run's data in the
/// history — the history only once the report is in place, so a failed run
/// changes neither.
///
/// Errors: every fatal [`Error`]; findings about the data are in the run.
pub fn report(config: &Config) -> Result<Reported> {
    let schemas = &config.schemas;
    let mut run = check(config)?;
    let started = std::time::Instant::now();
    let mut aggregates = aggregate::aggregate(schemas, &config.period, &run.oblasts, &run.records)?;
    run.timings.push(Stage::ended("aggregate", started));

    let started = std::time::Instant::now();
    let history = config.history.as_ref().map(|h| History::open(&h.dir)).transpose()?;
    // Each oblast's part of this run: compared with the history, then stored.
    let current = StoredPeriod::of_run(schemas, config.period, &run, &aggregates);
    let stored = stored_periods(history.as_ref(), &run.oblasts, &config.period)?;
    let compare_with = config.history.as_ref().and_then(|h| h.compare_with);
    let comparison = compare::compare(&current, &aggregates.services, stored, compare_with)?;
    remember_calendar(&mut run.calendar, &comparison, config.period);
    let outliers = outliers::find(schemas, config.period, &run, &aggregates, &comparison);
    let outlier_count = outliers.len();
    run.add_findings(outliers);
    // Provider visits: matched with the cards, followed across the stored periods.
    let visits = crate::visits::run(config, &run, &aggregates, history.as_ref())?;
    run.add_findings(visits.issues.clone());
    // The strategy: the plan in force against the services, the indicators,
    // activities and sustainability (STRATEGY.md).
    let (strategy, strategy_findings) = crate::strategy::assess(
        schemas,
        config.period,
        &run.oblasts,
        &run.records,
        &aggregates,
        &comparison,
    );
    run.add_findings(strategy_findings);
    // The findings are final: counted once, for every output.
    let tally = Tally::count(&run.senders, &run.issues);
    aggregates.submissions = aggregate::submissions(schemas, &run.oblasts, &run.records, &tally);
    let compared = Stage::ended("compare", started);

    // The history's tables and the report's files are built side by side:
    // both only read the run, and each is most of a core's work. Each file
    // goes to its staging folder as soon as it is made.
    let started = std::time::Instant::now();
    let outputs = report::Outputs::begin(&config.output)?;
    let (staged, written) = rayon::join(
        || -> Result<_> {
            let Some(history) = &history else {
                return Ok(None);
            };
            let staged = history.stage_each(current, |stored| {
                let mut tables = history::tables::frames(schemas, &run, &aggregates, &stored, &tally)?;
                if let Some(a) = strategy.oblasts.iter().find(|a| a.oblast == stored.meta.oblast_code) {
                    tables.extend(crate::strategy::stored::frames(a)?);
                }
                tables.extend(crate::visits::stored::frames(&visits, &stored.meta.oblast_code)?);
                Ok(Partition {
                    oblast: stored.meta.oblast_code.clone(),
                    period: config.period,
                    tables,
                })
            })?;
            Ok(Some(staged))
        },
        || report::build(config, &run, &aggregates, &comparison, &strategy, &visits, &outputs),
    );
    let staged = staged?;
    written?;
    let report = outputs.publish()?;
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
