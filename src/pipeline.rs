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
use crate::ingest::{self, Format, FoundFile, LinkProblem};
use crate::issue::{Finding, Issue, Location, Severity};
use crate::normalize::key;
use crate::run::{FileCounts, Run, Stage, sort_issues};
use crate::schema::Schemas;
use crate::sheet::Sheet;
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

/// Reads one file and finds its records.
fn read_one(file: &FoundFile, config: &Config) -> FileOutcome {
    let schemas = &config.schemas;
    let probe = |sheet: &Sheet| extract::recognise(sheet, schemas).is_some();
    match ingest::read_file(file, &config.limits, &schemas.common, &probe) {
        Ok(read) => {
            let extracted = extract::extract_return(&read.workbook, &file.relative, schemas);
            FileOutcome {
                relative: file.relative.clone(),
                format: Some(read.format),
                sheets: extracted.sheets,
                issues: extracted.issues,
                checked: None,
            }
        }
        Err(problem) => FileOutcome {
            relative: file.relative.clone(),
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
                    Ok(Partition {
                        oblast: stored.meta.oblast_code.clone(),
                        period: config.period,
                        tables: crate::history::tables::frames(&config.schemas, &run, &aggregates, &stored)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Some(history.stage(partitions)?))
        },
        || crate::report::build(config, &run, &aggregates, &comparison),
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
