//! Deadlines: takes `[deadlines]` of `socmon.toml` and the `--deadline
//! KEY=DATE` flags (which override the file) and gives the period's
//! [`Deadlines`]. What has no deadline is not judged; a key that is not one
//! of [`DeadlineKey::ALL`], or a value that is not a date, is a usage error
//! naming the valid keys.

use chrono::NaiveDate;

pub use crate::issue::calendar::DeadlineKey;

use crate::error::{Error, Result};
use crate::normalize::parse_date_text;

impl DeadlineKey {
    /// Reads a key.
    ///
    /// Errors: [`Error::Usage`] naming the valid keys.
    pub fn parse(text: &str, whence: &str) -> Result<DeadlineKey> {
        let wanted = text.trim();
        DeadlineKey::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{whence}: unknown deadline \"{wanted}\"; the deadlines are {}",
                    valid_keys()
                ))
            })
    }
}

fn valid_keys() -> String {
    DeadlineKey::ALL.map(DeadlineKey::as_str).join(", ")
}

/// The period's deadlines; `None`: not judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Deadlines {
    pub returns: Option<NaiveDate>,
    pub strategy_report: Option<NaiveDate>,
    pub council_decision: Option<NaiveDate>,
}

/// Reads a deadline's date: `2017-07-31` or `31.07.2017`.
fn parse_day(key: DeadlineKey, text: &str, whence: &str) -> Result<NaiveDate> {
    parse_date_text(text).map_err(|_| {
        Error::Usage(format!(
            "{whence}: deadline {} = \"{text}\" is not a date (write 2017-07-31 or 31.07.2017); the deadlines are {}",
            key.as_str(),
            valid_keys()
        ))
    })
}

impl Deadlines {
    pub fn get(&self, key: DeadlineKey) -> Option<NaiveDate> {
        match key {
            DeadlineKey::Returns => self.returns,
            DeadlineKey::StrategyReport => self.strategy_report,
            DeadlineKey::CouncilDecision => self.council_decision,
        }
    }

    pub fn set(&mut self, key: DeadlineKey, day: NaiveDate) {
        match key {
            DeadlineKey::Returns => self.returns = Some(day),
            DeadlineKey::StrategyReport => self.strategy_report = Some(day),
            DeadlineKey::CouncilDecision => self.council_decision = Some(day),
        }
    }

    pub fn is_empty(&self) -> bool {
        DeadlineKey::ALL.iter().all(|&k| self.get(k).is_none())
    }

    /// The deadlines of a settings file's `[deadlines]` table (a date as a
    /// string or a TOML date), then the flags (`KEY=DATE`) over them.
    ///
    /// Errors: [`Error::Usage`] for an unknown key or a value that is not a
    /// date, naming the valid keys.
    pub fn resolve(file: Option<&toml::Table>, file_name: &str, flags: &[String]) -> Result<Deadlines> {
        let mut deadlines = Deadlines::default();
        let whence = format!("{file_name} [deadlines]");
        for (name, value) in file.into_iter().flatten() {
            let key = DeadlineKey::parse(name, &whence)?;
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                other => other.to_string(),
            };
            deadlines.set(key, parse_day(key, &text, &whence)?);
        }
        for flag in flags {
            let Some((name, text)) = flag.split_once('=') else {
                return Err(Error::Usage(format!(
                    "--deadline {flag}: write KEY=DATE (e.g. --deadline returns=2017-07-31); the deadlines are {}",
                    valid_keys()
                )));
            };
            let key = DeadlineKey::parse(name, "--deadline")?;
            deadlines.set(key, parse_day(key, text.trim(), "--deadline")?);
        }
        Ok(deadlines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn table(text: &str) -> toml::Table {
        let whole: toml::Table = toml::from_str(text).unwrap();
        whole["deadlines"].as_table().unwrap().clone()
    }

    #[test]
    fn each_deadline_is_read_from_the_settings_file_as_text_or_toml_date() {
        let file = table(
            "[deadlines]\nreturns = \"2017-07-31\"\nstrategy_report = 2017-10-10\ncouncil_decision = \"30.10.2017\"\n",
        );
        let d = Deadlines::resolve(Some(&file), "socmon.toml", &[]).unwrap();
        assert_eq!(d.returns, Some(day(2017, 7, 31)));
        assert_eq!(d.strategy_report, Some(day(2017, 10, 10)));
        assert_eq!(d.council_decision, Some(day(2017, 10, 30)));
    }

    #[test]
    fn a_missing_deadline_is_not_judged_and_a_flag_overrides_the_file() {
        let file = table("[deadlines]\nreturns = \"2017-07-31\"\n");
        let flags = [
            "returns=2017-08-15".to_string(),
            "council_decision=2017-10-30".to_string(),
        ];
        let d = Deadlines::resolve(Some(&file), "socmon.toml", &flags).unwrap();
        assert_eq!(d.returns, Some(day(2017, 8, 15)));
        assert_eq!(d.strategy_report, None);
        assert_eq!(d.council_decision, Some(day(2017, 10, 30)));
        assert!(Deadlines::resolve(None, "socmon.toml", &[]).unwrap().is_empty());
    }

    #[test]
    fn a_bad_key_or_date_is_a_usage_error_naming_the_valid_keys() {
        for flags in [
            vec!["report=2017-07-31".to_string()],
            vec!["returns=31.13.2017".to_string()],
            vec!["returns".to_string()],
        ] {
            let message = Deadlines::resolve(None, "socmon.toml", &flags).unwrap_err().to_string();
            assert!(
                message.contains("returns, strategy_report, council_decision"),
                "{message}"
            );
        }
        let file = table("[deadlines]\nreturn = \"2017-07-31\"\n");
        let message = Deadlines::resolve(Some(&file), "socmon.toml", &[])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("socmon.toml [deadlines]") && message.contains("\"return\""),
            "{message}"
        );
    }
}
