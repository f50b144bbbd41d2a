//! The resolved configuration a run works from: paths, period, oblast,
//! language, limits and the loaded schemas. Built from the command line (see
//! `cli`) and the optional settings file `socmon.toml` in the input folder or
//! the current folder; no stage sees command-line types.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::ingest::Limits;
use crate::issue::Lang;
use crate::period::Period;
use crate::schema::Schemas;

/// Which oblast(s) a run reports on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OblastChoice {
    /// Given on the command line or in the settings file.
    One(String),
    /// Read from the data; an error when it names several.
    FromData,
    /// Every oblast of the country (`--oblast all`): a national run.
    All,
}

/// Where the period came from, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodSource {
    CommandLine,
    SettingsFile,
    Default,
}

/// Everything a run needs.
#[derive(Debug)]
pub struct Config {
    pub input: PathBuf,
    pub output: PathBuf,
    pub period: Period,
    pub period_source: PeriodSource,
    pub oblast: OblastChoice,
    pub lang: Lang,
    pub strict: bool,
    pub limits: Limits,
    pub schemas: Schemas,
    /// Draw a progress bar on stderr (a terminal and many files).
    pub progress: bool,
    /// Worker threads for reading files (None: one per core).
    pub threads: Option<usize>,
    /// The history of runs to compare with and store into (None: neither,
    /// as for `socmon validate`).
    pub history: Option<HistoryConfig>,
}

/// Where the history of runs is kept and what a run compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryConfig {
    pub dir: PathBuf,
    /// Compare with this stored period instead of the latest one before the run's.
    pub compare_with: Option<Period>,
}

/// The default history folder: `history/` beside the output folder.
pub fn default_history_dir(output: &Path) -> PathBuf {
    output.parent().unwrap_or(Path::new("")).join("history")
}

/// Resolves the history folder: `--history DIR`, else `history/` beside the
/// output folder.
///
/// Errors: [`Error::Usage`] when the folder lies inside what a run replaces
/// (the report, run.json, data/ or feedback/ of the output folder), where the
/// next run would delete it.
pub fn resolve_history(flag: Option<&Path>, output: &Path, cwd: &Path) -> Result<PathBuf> {
    let dir = flag.map_or_else(|| default_history_dir(output), Path::to_path_buf);
    let absolute = |p: &Path| -> Vec<String> {
        cwd.join(p)
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                std::path::Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .fold(Vec::new(), |mut parts, part| {
                if part == ".." {
                    parts.pop();
                } else {
                    parts.push(part);
                }
                parts
            })
    };
    let history = absolute(&dir);
    let output = absolute(output);
    for replaced in crate::paths::OUTPUTS {
        let mut target = output.clone();
        target.push(replaced.to_string());
        if history.starts_with(&target) {
            return Err(Error::Usage(format!(
                "--history {}: inside {replaced} of the output folder, which every run replaces; choose another folder",
                dir.display()
            )));
        }
    }
    Ok(dir)
}

/// The settings file (`socmon.toml`) an input folder or project may carry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub period: Option<String>,
    pub oblast: Option<String>,
}

pub const SETTINGS_FILE: &str = "socmon.toml";

impl Settings {
    /// Reads `socmon.toml` from the input folder, else from the current folder.
    ///
    /// Errors: [`Error::Usage`] when a settings file exists but cannot be read.
    pub fn find(input: &Path, cwd: &Path) -> Result<(Settings, Option<PathBuf>)> {
        for dir in [input, cwd] {
            let path = dir.join(SETTINGS_FILE);
            if path.is_file() {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
                let settings: Settings =
                    toml::from_str(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
                return Ok((settings, Some(path)));
            }
        }
        Ok((Settings::default(), None))
    }
}

/// Resolves the period: the command line, else the settings file, else the
/// period of the 2016–2017 report.
///
/// Errors: [`Error::Usage`] for a period that cannot be read.
pub fn resolve_period(flag: Option<&str>, settings: &Settings) -> Result<(Period, PeriodSource)> {
    let parse = |text: &str| text.parse::<Period>().map_err(|e| Error::Usage(e.to_string()));
    if let Some(text) = flag {
        return Ok((parse(text)?, PeriodSource::CommandLine));
    }
    if let Some(text) = settings.period.as_deref() {
        return Ok((parse(text)?, PeriodSource::SettingsFile));
    }
    Ok((Period::report_2016_2017(), PeriodSource::Default))
}

/// Resolves the oblast: a code or a name, checked against the reference.
///
/// Errors: [`Error::Usage`] naming the valid codes when the oblast is unknown.
pub fn resolve_oblast(flag: Option<&str>, settings: &Settings, schemas: &Schemas) -> Result<OblastChoice> {
    let Some(written) = flag.or(settings.oblast.as_deref()) else {
        return Ok(OblastChoice::FromData);
    };
    if written.trim().eq_ignore_ascii_case("all") {
        return Ok(OblastChoice::All);
    }
    let reference = &schemas.reference;
    let found = reference.oblast_candidates(written, &schemas.common.oblast_prefixes);
    match found.as_slice() {
        [one] => Ok(OblastChoice::One(reference.oblasts[*one].code.clone())),
        _ => {
            let codes: Vec<String> = reference
                .oblasts
                .iter()
                .map(|o| format!("{} ({})", o.code, o.name_bg))
                .collect();
            Err(Error::Usage(format!(
                "unknown or ambiguous oblast \"{written}\"; use one of the codes, or all: {}",
                codes.join(", ")
            )))
        }
    }
}
