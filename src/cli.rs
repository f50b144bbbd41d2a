//! The command line: clap types stay here. Parses the arguments, resolves
//! them into a [`Config`], runs the command and turns the outcome into an
//! exit code (0 report written, 1 errors found with `--strict` or any error
//! in `validate`, 2 usage or fatal error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::calendar::Timeliness;
use crate::compare::{ChangeStatus, Comparison};
use crate::config::{self, Config, HistoryConfig, Settings};
use crate::error::{Error, Result};
use crate::history::History;
use crate::ingest::Limits;
use crate::issue::{Lang, Messages, Severity};
use crate::pipeline;
use crate::report;
use crate::run::Run;
use crate::schema::{SchemaSource, Schemas};

const EXIT_CODES: &str = "Exit codes:
  0  the report was written (run), or no error was found (validate)
  1  errors were found in the returns: with --strict (run; the report is still written), or any error (validate)
  2  usage error or fatal error (bad flags, unreadable input folder, broken schema, output not writable)";

/// socmon — the monitoring report of a regional strategy for social services,
/// made from the spreadsheets municipalities and DSPs send in.
#[derive(Debug, Parser)]
#[command(name = "socmon", version, after_help = EXIT_CODES, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read every return (and visit protocol) in the input folder, check it and
    /// write the report (workbook, data/*.csv, run.json, feedback/<code>.xlsx,
    /// reminders.txt) to the output folder; compare with the history of runs,
    /// follow the visits' recommendations, and store this run in it (unless
    /// --no-history).
    Run(RunArgs),
    /// Read and check the returns and print every finding; write nothing.
    Validate(CheckArgs),
    /// Write the templates municipalities and DSPs fill in, and the protocol of
    /// a monitoring visit, from the schemas: blank, or prefilled per
    /// municipality from a previous run's data.
    Templates(TemplateArgs),
    /// Write realistic sample returns (synthetic figures, real municipalities)
    /// in every shape the templates allow, with each oblast's strategy (a plan
    /// and its update, indicators, municipal reports), protocols of
    /// monitoring visits, a registry of incoming documents and a socmon.toml
    /// with the period's deadlines (some municipalities late, some missing a
    /// report or a council decision); the same seed gives the same files.
    Sample(SampleArgs),
    /// List the periods stored in the history of runs, or remove one.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// The history folder.
    #[arg(long, default_value = "history", value_name = "DIR")]
    history: PathBuf,
    /// Remove the period given with --oblast and --period.
    #[arg(long, requires_all = ["oblast", "period"])]
    remove: bool,
    /// Oblast code (with --remove).
    #[arg(long, value_name = "CODE")]
    oblast: Option<String>,
    /// Period (with --remove), as for `run`.
    #[arg(long, value_name = "P")]
    period: Option<String>,
}

#[derive(Debug, Args)]
struct SampleArgs {
    /// Oblast code (repeat for several), or `all` for the whole country.
    #[arg(long, value_name = "CODE", required_unless_present = "all")]
    oblast: Vec<String>,
    /// The whole country: every oblast (the same as `--oblast all`).
    #[arg(long, conflicts_with = "oblast")]
    all: bool,
    /// Service cards per municipality, as a multiple of about 15.
    #[arg(long, default_value_t = 1, value_name = "K")]
    scale: u32,
    /// Seed of the generator.
    #[arg(long, default_value_t = 2017, value_name = "S")]
    seed: u64,
    /// Share of returns with one planted honest mistake (0 to 1).
    #[arg(long, default_value_t = 0.15, value_name = "SHARE")]
    mistakes: f64,
    /// Reporting period of the returns (as for `run`).
    #[arg(long, value_name = "P")]
    period: Option<String>,
    /// Write the returns of this later period instead: the same world a step on,
    /// with planned changes (a service opened, one closed, capacities changed,
    /// one suspicious jump) listed in the sample's README, and follow-up visits
    /// that close some of the base period's recommendations.
    #[arg(long, value_name = "P")]
    later: Option<String>,
    /// Folder to write the returns to (files already there are left alone).
    #[arg(long, value_name = "DIR")]
    output: PathBuf,
}

/// `--lang`: the command line's name for [`Lang`], which knows no clap.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LangArg {
    Bg,
    En,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::Bg => Lang::Bg,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Args)]
struct TemplateArgs {
    /// Oblast code (RSE) or name: its municipalities fill the drop-down lists.
    #[arg(long, value_name = "CODE")]
    oblast: String,
    /// Folder to write the templates to.
    #[arg(long, default_value = "templates", value_name = "DIR")]
    output: PathBuf,
    /// Language of labels and instructions (returns in either are read back).
    #[arg(long, value_enum, default_value_t = LangArg::Bg)]
    lang: LangArg,
    /// A previous run's output (or its data/ folder): write one workbook per
    /// municipality, prefilled with the services it reported.
    #[arg(long, value_name = "DIR")]
    prefill_from: Option<PathBuf>,
    /// Folder with the schema files. Default: ./schemas when present, else the built-in copy.
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,
    /// The years of the oblast's strategy (first and last): the plan template
    /// offers them in its year column and writes them as its strategy period.
    #[arg(long, default_value = "2016-2020", value_name = "YEARS")]
    strategy_years: String,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Folder with the returns (read recursively; never written to).
    #[arg(long, default_value = "input", value_name = "DIR")]
    input: PathBuf,
    /// Reporting period: 2017Q2, 2017, 2016H1, 2017-03 or 2016-01-01..2017-06-30.
    /// Default: `period` in socmon.toml (input folder or current folder), else 2016-01-01..2017-06-30.
    #[arg(long, value_name = "P")]
    period: Option<String>,
    /// Oblast code (RSE) or name, or `all` for a national run. Default: `oblast` in socmon.toml,
    /// else the one the returns name.
    #[arg(long, value_name = "CODE")]
    oblast: Option<String>,
    /// Language of messages and the report.
    #[arg(long, value_enum, default_value_t = LangArg::Bg)]
    lang: LangArg,
    /// Folder with the schema files. Default: ./schemas when present, else the built-in copy.
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    /// A deadline of the period, over `[deadlines]` of socmon.toml (repeatable):
    /// returns, strategy_report or council_decision, e.g. --deadline returns=2017-07-31.
    #[arg(long, value_name = "KEY=DATE")]
    deadline: Vec<String>,
    /// Threads for reading files (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Print no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    check: CheckArgs,
    /// Folder for the report; only socmon's own outputs in it are replaced.
    #[arg(long, default_value = "output", value_name = "DIR")]
    output: PathBuf,
    /// Exit with 1 when any error was found (the report is still written).
    #[arg(long)]
    strict: bool,
    /// Print how long each stage took (read, validate, aggregate, compare, write) and the peak memory after each, on stderr.
    #[arg(long)]
    timings: bool,
    /// Folder of the history of runs (Parquet by oblast and period): compared
    /// with, and this run's data stored into. Default: history/ beside the output folder.
    #[arg(long, value_name = "DIR")]
    history: Option<PathBuf>,
    /// Compare with this stored period instead of the latest one before the run's.
    #[arg(long, value_name = "P")]
    compare_with: Option<String>,
    /// Neither compare with the history nor store this run in it: a trial run
    /// over draft returns, which must not replace the period's stored data.
    #[arg(long, conflicts_with_all = ["history", "compare_with"])]
    no_history: bool,
}

/// What one file, and the run, may cost; a file over a limit is reported as
/// `unreadable_file` with the limit it broke, and the run goes on.
#[derive(Debug, Args)]
struct LimitArgs {
    /// Largest file read, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_mib: u64,
    /// Most a file's zip parts (or an .xls stream) may inflate to, in MiB; also caps the text its cells expand to.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    max_inflated_mib: u64,
    /// Most filled cells in one sheet (for .xls/.ods also the area around them).
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    max_cells: u64,
    /// Most sheets in one workbook.
    #[arg(long, default_value_t = 500, value_name = "N")]
    max_sheets: usize,
    /// Memory shared by the files being read at once, in MiB: each file reserves its worst case first and waits
    /// for room; a file whose worst case alone is larger is refused. Reports and figures are not counted.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    max_memory: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_mib.saturating_mul(1024 * 1024),
            max_inflated_bytes: self.max_inflated_mib.saturating_mul(1024 * 1024),
            max_cells_per_sheet: self.max_cells,
            max_sheets: self.max_sheets,
            max_memory_bytes: self.max_memory.saturating_mul(1024 * 1024),
            ..Limits::default()
        }
    }
}

fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|e| Error::Usage(format!("current folder: {e}")))
}

/// The schemas: `--schemas DIR`, else ./schemas when present, else built in.
fn load_schemas(flag: Option<&PathBuf>, cwd: &std::path::Path) -> Result<Schemas> {
    let source = match flag {
        Some(dir) => SchemaSource::Folder(dir.clone()),
        None => match SchemaSource::default_for(cwd) {
            SchemaSource::Folder(_) => SchemaSource::Folder(PathBuf::from("schemas")),
            built_in => built_in,
        },
    };
    Schemas::load(&source)
}

fn parse_period(text: &str) -> Result<crate::period::Period> {
    text.parse()
        .map_err(|e: crate::period::PeriodError| Error::Usage(e.to_string()))
}

fn resolve(args: &CheckArgs, output: Option<PathBuf>, strict: bool) -> Result<Config> {
    let cwd = current_dir()?;
    let schemas = load_schemas(args.schemas.as_ref(), &cwd)?;
    let (settings, settings_path) = Settings::find(&args.input, &cwd)?;
    let settings_name = settings_path.map_or_else(|| config::SETTINGS_FILE.to_string(), |p| p.display().to_string());
    let deadlines = crate::calendar::Deadlines::resolve(settings.deadlines.as_ref(), &settings_name, &args.deadline)?;
    let (period, period_source) = config::resolve_period(args.period.as_deref(), &settings)?;
    let oblast = config::resolve_oblast(args.oblast.as_deref(), &settings, &schemas)?;
    if args.threads == Some(0) {
        return Err(Error::Usage("--threads must be at least 1".into()));
    }
    Ok(Config {
        input: args.input.clone(),
        output: output.unwrap_or_else(|| PathBuf::from("output")),
        period,
        period_source,
        oblast,
        lang: args.lang.into(),
        strict,
        limits: args.limits.limits(),
        schemas,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        threads: args.threads,
        history: None,
        deadlines,
    })
}

/// The history of a `run`: the folder and the period to compare with.
fn resolve_history(args: &RunArgs, output: &std::path::Path) -> Result<HistoryConfig> {
    Ok(HistoryConfig {
        dir: config::resolve_history(args.history.as_deref(), output, &current_dir()?)?,
        compare_with: args.compare_with.as_deref().map(parse_period).transpose()?,
    })
}

/// The comparison lines of the summary: what the run was compared with and
/// what changed, and a note when the periods differ in length.
fn print_comparison(config: &Config, comparison: &Comparison, outliers: usize, stored: &[String]) {
    let t = |bg: &'static str, en: &'static str| report::text::tr(config.lang, bg, en);
    let mut err = std::io::stderr().lock();
    for baseline in &comparison.baselines {
        let _ = writeln!(
            err,
            "  {} {} ({}, {} {}): {} {}, {} {}, {} {}",
            t("сравнение с", "compared with"),
            baseline.meta.period.name(),
            baseline.oblast_code,
            baseline.meta.period.days(),
            t("дни", "days"),
            t("открити", "opened"),
            comparison
                .services
                .iter()
                .filter(|s| s.status == ChangeStatus::Opened && s.service.oblast_code == baseline.oblast_code)
                .count(),
            t("закрити", "closed"),
            comparison
                .services
                .iter()
                .filter(|s| s.status == ChangeStatus::Closed && s.service.oblast_code == baseline.oblast_code)
                .count(),
            t("продължаващи", "continued"),
            comparison
                .services
                .iter()
                .filter(|s| s.status == ChangeStatus::Continued && s.service.oblast_code == baseline.oblast_code)
                .count(),
        );
        if !baseline.same_length {
            let _ = writeln!(
                err,
                "  {}",
                match config.lang {
                    Lang::Bg => format!(
                        "внимание: периодите са с различна дължина ({} и {} дни); обслужените потребители и средствата не са сравнявани за отклонения",
                        baseline.meta.period.days(),
                        config.period.days()
                    ),
                    Lang::En => format!(
                        "note: the periods differ in length ({} and {} days); users served and funds were not compared for outliers",
                        baseline.meta.period.days(),
                        config.period.days()
                    ),
                }
            );
        }
    }
    if config.history.is_none() {
        let _ = writeln!(
            err,
            "  {}",
            t(
                "сравнение: историята не е използвана (--no-history)",
                "comparison: the history was not used (--no-history)"
            )
        );
    } else if comparison.baselines.is_empty() {
        let _ = writeln!(
            err,
            "  {}",
            t(
                "сравнение: в историята няма предходен период",
                "comparison: no earlier period in the history"
            )
        );
    }
    let _ = writeln!(err, "  {}: {outliers}", t("отклонения", "outliers"));
    if !stored.is_empty() {
        let _ = writeln!(err, "  {}: {}", t("история", "history"), stored.join(", "));
    }
}

/// The calendar's lines of the summary: the returns in time against their
/// deadline, the implementation reports and the councils' decisions
/// against theirs (each only with its deadline), and the reminders written.
fn print_calendar(config: &Config, run: &Run, report: &std::path::Path) {
    let t = |bg: &'static str, en: &'static str| report::text::tr(config.lang, bg, en);
    let counts = run.calendar.counts(None);
    let reminders = report.with_file_name(crate::paths::REMINDERS_FILE);
    let mut err = std::io::stderr().lock();
    if let (Some(deadline), Some(share)) = (run.calendar.deadlines.returns, counts.share_on_time) {
        let _ = writeln!(
            err,
            "  {} {}: {} {} {} {} ({} %), {} {}, {} {}",
            t("срок", "deadline"),
            deadline.format("%d.%m.%Y"),
            t("в срок", "on time"),
            counts.on_time,
            t("от", "of"),
            run.calendar.municipalities.len(),
            match config.lang {
                Lang::Bg => format!("{:.1}", share * 100.0).replace('.', ","),
                Lang::En => format!("{:.1}", share * 100.0),
            },
            t("закъснели", "late"),
            counts.late,
            t("липсват", "missing"),
            counts.missing
        );
    }
    let dates = &run.calendar.municipalities;
    for (what, deadline, judged) in [
        (
            t("отчети за изпълнението", "implementation reports"),
            run.calendar.deadlines.strategy_report,
            dates.iter().map(|m| m.report_timeliness).collect::<Vec<_>>(),
        ),
        (
            t("решения на общинските съвети", "council decisions"),
            run.calendar.deadlines.council_decision,
            dates.iter().map(|m| m.council_timeliness).collect(),
        ),
    ] {
        let Some(deadline) = deadline else { continue };
        let count = |f: fn(&Timeliness) -> bool| judged.iter().flatten().filter(|t| f(t)).count();
        let _ = writeln!(
            err,
            "  {what}, {} {}: {} {}, {} {}, {} {}",
            t("срок", "deadline"),
            deadline.format("%d.%m.%Y"),
            t("в срок", "on time"),
            count(|t| *t == Timeliness::OnTime),
            t("закъснели", "late"),
            count(|t| matches!(t, Timeliness::Late { .. })),
            t("липсват", "missing"),
            count(|t| *t == Timeliness::Missing),
        );
    }
    let _ = writeln!(err, "  {}: {}", t("напомняния", "reminders"), reminders.display());
}

/// The short summary on stderr.
fn print_summary(config: &Config, run: &Run, report: Option<&std::path::Path>) {
    let t = |bg: &'static str, en: &'static str| report::text::tr(config.lang, bg, en);
    // A national run names the count, not 28 oblasts on one line.
    let oblasts: Vec<String> = if run.oblasts.len() > 3 {
        vec![format!(
            "{} ({})",
            t("всички области", "all oblasts"),
            run.oblasts.len()
        )]
    } else {
        run.oblasts
            .iter()
            .map(|code| {
                let name = config
                    .schemas
                    .reference
                    .oblast(code)
                    .map_or(code.as_str(), |o| o.name_bg.as_str());
                format!("{name} ({code})")
            })
            .collect()
    };
    let accepted = run.records_accepted();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "socmon: {}, {}", oblasts.join(", "), config.period.display_bg());
    let _ = writeln!(
        err,
        "  {}: {} ({} {}, {} {}, {} {})",
        t("файлове", "files"),
        run.files.seen,
        t("прочетени", "read"),
        run.files.read,
        t("нечетими", "unreadable"),
        run.files.failed,
        t("пропуснати", "skipped"),
        run.files.skipped
    );
    let _ = writeln!(
        err,
        "  {}: {} ({} {}, {} {})",
        t("записи", "records"),
        run.records.len(),
        t("приети", "accepted"),
        accepted,
        t("отхвърлени", "rejected"),
        run.records.len() - accepted
    );
    let _ = writeln!(
        err,
        "  {}: {}, {}: {}",
        t("грешки", "errors"),
        run.errors(),
        t("предупреждения", "warnings"),
        run.warnings()
    );
    if let Some(path) = report {
        let _ = writeln!(err, "  {}: {}", t("отчет", "report"), path.display());
    }
}

/// Prints every finding, one a line, to stdout.
fn print_findings(config: &Config, run: &Run) {
    let messages = Messages {
        lang: config.lang,
        schemas: &config.schemas,
    };
    let mut out = std::io::stdout().lock();
    for issue in &run.issues {
        let place = issue.location.describe();
        let place = if place.is_empty() { "—".to_string() } else { place };
        let _ = writeln!(
            out,
            "{place}: {} [{}] {}",
            issue.severity.label(config.lang),
            issue.code(),
            messages.message(issue)
        );
    }
}

fn run_command(args: &RunArgs) -> Result<ExitCode> {
    let mut config = resolve(&args.check, Some(args.output.clone()), args.strict)?;
    config.history = if args.no_history {
        None
    } else {
        Some(resolve_history(args, &args.output)?)
    };
    let reported = pipeline::report(&config)?;
    let run = &reported.run;
    if args.timings {
        let stages: Vec<String> = run
            .timings
            .iter()
            .map(|stage| format!("{} {:.3} s", stage.name, stage.took.as_secs_f64()))
            .collect();
        let peaks: Vec<String> = run
            .timings
            .iter()
            .filter_map(|stage| Some(format!("{} {}", stage.name, stage.peak_bytes? / (1024 * 1024))))
            .collect();
        eprintln!(
            "timings: {}; records {}; files {}; peak MiB after {}",
            stages.join(", "),
            run.records.len(),
            run.files.seen,
            peaks.join(", ")
        );
    }
    if !args.check.quiet {
        let stored = match &reported.history {
            Some((dir, periods)) if periods.len() > 3 => vec![format!(
                "{} ({} {})",
                dir.display(),
                periods.len(),
                report::text::tr(config.lang, "периода", "periods")
            )],
            Some((_, periods)) => periods.iter().map(|p| p.display().to_string()).collect(),
            None => Vec::new(),
        };
        print_summary(&config, run, Some(&reported.report));
        print_calendar(&config, run, &reported.report);
        print_comparison(&config, &reported.comparison, reported.outliers, &stored);
    }
    Ok(if config.strict && run.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn validate_command(args: &CheckArgs) -> Result<ExitCode> {
    let config = resolve(args, None, false)?;
    let run = pipeline::check(&config)?;
    print_findings(&config, &run);
    if !args.quiet {
        print_summary(&config, &run, None);
    }
    let errors = run.issues.iter().any(|i| i.severity == Severity::Error);
    Ok(if errors { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn templates_command(args: &TemplateArgs) -> Result<ExitCode> {
    let (first, last) = crate::strategy::plan::strategy_years(&args.strategy_years).ok_or_else(|| {
        Error::Usage(format!(
            "--strategy-years {}: write the strategy's first and last year, e.g. 2016-2020",
            args.strategy_years
        ))
    })?;
    let schemas = load_schemas(args.schemas.as_ref(), &current_dir()?)?;
    let strategy = crate::templates::StrategyYears { first, last };
    let files = match &args.prefill_from {
        Some(previous) => crate::templates::prefilled(&schemas, &args.oblast, args.lang.into(), previous)?,
        None => crate::templates::blank(&schemas, &args.oblast, args.lang.into(), strategy)?,
    };
    crate::templates::write(&files, &args.output).map_err(|e| Error::output(&args.output, e))?;
    let mut err = std::io::stderr().lock();
    for (name, _) in &files {
        let _ = writeln!(err, "{}", args.output.join(name).display());
    }
    Ok(ExitCode::SUCCESS)
}

fn sample_command(args: &SampleArgs) -> Result<ExitCode> {
    let schemas = load_schemas(None, &current_dir()?)?;
    let mut oblasts = Vec::new();
    let everything = ["all".to_string()];
    let wanted = if args.all { &everything[..] } else { &args.oblast[..] };
    for written in wanted {
        if written.eq_ignore_ascii_case("all") {
            oblasts.extend(schemas.reference.oblasts.iter().map(|o| o.code.clone()));
            continue;
        }
        match config::resolve_oblast(Some(written), &Settings::default(), &schemas)? {
            config::OblastChoice::One(code) => oblasts.push(code),
            _ => return Err(Error::Usage(format!("unknown oblast \"{written}\""))),
        }
    }
    oblasts.sort();
    oblasts.dedup();
    let period = match &args.period {
        Some(text) => parse_period(text)?,
        None => crate::period::Period::report_2016_2017(),
    };
    let options = crate::sample::SampleOptions {
        oblasts,
        scale: args.scale,
        seed: args.seed,
        mistakes: args.mistakes,
        period,
        later: args.later.as_deref().map(parse_period).transpose()?,
    };
    let sample = crate::sample::generate(&schemas, &options)?;
    crate::sample::write(&sample, &args.output).map_err(|e| Error::output(&args.output, e))?;
    eprintln!(
        "socmon: {} files, {} records ({} with errors) in {}",
        sample.files.len(),
        sample.truth.records,
        sample.truth.records_rejected,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Lists the stored periods (stdout), or removes one.
fn history_command(args: &HistoryArgs) -> Result<ExitCode> {
    let history = History::open(&args.history)?;
    if args.remove {
        let (Some(oblast), Some(period)) = (&args.oblast, &args.period) else {
            return Err(Error::Usage("--remove needs --oblast CODE and --period P".into()));
        };
        let period = parse_period(period)?;
        let oblast = oblast.trim().to_uppercase();
        if history.remove(&oblast, &period)? {
            eprintln!("socmon: removed {}", history.period_dir(&oblast, &period).display());
            return Ok(ExitCode::SUCCESS);
        }
        return Err(Error::Usage(format!(
            "{oblast} {} is not stored in {}",
            period.name(),
            args.history.display()
        )));
    }
    let entries = history.list()?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "oblast\tperiod\tfrom\tto\tdata_date\tfiles\trecords");
    for e in &entries {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            e.meta.oblast_code,
            e.meta.period.name(),
            e.meta.period.start,
            e.meta.period.end,
            e.meta.data_date.map(|d| d.to_string()).unwrap_or_default(),
            e.files,
            e.records
        );
    }
    if entries.is_empty() {
        eprintln!("socmon: no period stored in {}", args.history.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs socmon with the process's arguments and gives its exit code.
pub fn main() -> ExitCode {
    crate::ingest::quiet_reader_panics();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match &cli.command {
        Command::Run(args) => run_command(args),
        Command::Validate(args) => validate_command(args),
        Command::Templates(args) => templates_command(args),
        Command::Sample(args) => sample_command(args),
        Command::History(args) => history_command(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("socmon: {e}");
            ExitCode::from(2)
        }
    }
}
