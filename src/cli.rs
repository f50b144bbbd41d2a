//! The command line: clap types stay here. Parses the arguments, resolves
//! them into a [`Config`], runs the command and turns the outcome into an
//! exit code (0 report written, 1 errors found with `--strict` or any error
//! in `validate`, 2 usage or fatal error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, Config, Settings};
use crate::error::{Error, Result};
use crate::ingest::Limits;
use crate::issue::{Lang, Messages, Severity};
use crate::pipeline::{self, Run};
use crate::report;
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
    /// Read every return in the input folder, check it and write the report
    /// (workbook, data/*.csv, run.json, feedback/<code>.xlsx) to the output folder.
    Run(RunArgs),
    /// Read and check the returns and print every finding; write nothing.
    Validate(CheckArgs),
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
    /// Oblast code (RSE) or name. Default: `oblast` in socmon.toml, else the one the returns name.
    #[arg(long, value_name = "CODE")]
    oblast: Option<String>,
    /// Language of messages and the report.
    #[arg(long, value_enum, default_value_t = Lang::Bg)]
    lang: Lang,
    /// Folder with the schema files. Default: ./schemas when present, else the built-in copy.
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
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
}

/// What one file may cost; see the README for why each limit exists.
#[derive(Debug, Args)]
struct LimitArgs {
    /// Largest file read, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_mib: u64,
    /// Most a file's zip parts (or an .xls stream) may inflate to, in MiB.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    max_inflated_mib: u64,
    /// Most filled cells in one sheet (for .xls/.ods also the area around them).
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    max_cells: u64,
    /// Most sheets in one workbook.
    #[arg(long, default_value_t = 500, value_name = "N")]
    max_sheets: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_mib.saturating_mul(1024 * 1024),
            max_inflated_bytes: self.max_inflated_mib.saturating_mul(1024 * 1024),
            max_cells_per_sheet: self.max_cells,
            max_sheets: self.max_sheets,
            ..Limits::default()
        }
    }
}

fn resolve(args: &CheckArgs, output: Option<PathBuf>, strict: bool) -> Result<Config> {
    let cwd = std::env::current_dir().map_err(|e| Error::Usage(format!("current folder: {e}")))?;
    let source = match &args.schemas {
        Some(dir) => SchemaSource::Folder(dir.clone()),
        None => match SchemaSource::default_for(&cwd) {
            SchemaSource::Folder(_) => SchemaSource::Folder(PathBuf::from("schemas")),
            built_in => built_in,
        },
    };
    let schemas = Schemas::load(&source)?;
    let (settings, _) = Settings::find(&args.input, &cwd)?;
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
        lang: args.lang,
        strict,
        limits: args.limits.limits(),
        schemas,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        threads: args.threads,
    })
}

/// The short summary on stderr.
fn print_summary(config: &Config, run: &Run, report: Option<&std::path::Path>) {
    let t = |bg: &'static str, en: &'static str| report::text::tr(config.lang, bg, en);
    let oblasts: Vec<String> = run
        .oblasts
        .iter()
        .map(|code| {
            let name = config
                .schemas
                .reference
                .oblast(code)
                .map_or(code.as_str(), |o| o.name_bg.as_str());
            format!("{name} ({code})")
        })
        .collect();
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
    let config = resolve(&args.check, Some(args.output.clone()), args.strict)?;
    let run = pipeline::check(&config)?;
    let aggregates =
        crate::aggregate::aggregate(&config.schemas, &config.period, &run.oblasts, &run.records, &run.issues)?;
    let files = report::build(&config, &run, &aggregates)?;
    let path = report::write(&config.output, &files)?;
    if !args.check.quiet {
        print_summary(&config, &run, Some(&path));
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
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("socmon: {e}");
            ExitCode::from(2)
        }
    }
}
