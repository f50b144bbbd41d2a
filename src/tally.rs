//! The count of findings: takes the run's final findings (outliers
//! included, each given to the sender of its file) and counts errors and
//! warnings once — per municipality, per oblast, per code — for the
//! feedback, the report, the CSV files and the history alike.

use std::collections::BTreeMap;

use crate::issue::{Issue, Severity};
use crate::sender::Senders;

/// Errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: i64,
    pub warnings: i64,
}

impl Counts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }
}

/// How many findings of one code and severity one municipality has (none:
/// those whose sender cannot be told) in one oblast.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CodeKey {
    pub oblast: Option<String>,
    pub municipality: Option<String>,
    pub code: &'static str,
    pub severity: Severity,
}

/// The run's findings counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Every finding of the run.
    pub total: Counts,
    by_municipality: BTreeMap<String, Counts>,
    by_oblast: BTreeMap<String, Counts>,
    by_code: BTreeMap<CodeKey, i64>,
}

impl Tally {
    /// Counts the findings: each to the municipality it was given to
    /// (`Issue::municipality`, its file's sender) and to the oblast of its
    /// file ([`Senders::oblast_of`]).
    pub fn count(senders: &Senders, issues: &[Issue]) -> Tally {
        let mut tally = Tally::default();
        for issue in issues {
            tally.total.add(issue.severity);
            let oblast = senders.oblast_of(issue);
            if let Some(m) = &issue.municipality {
                tally.by_municipality.entry(m.clone()).or_default().add(issue.severity);
            }
            if let Some(o) = &oblast {
                tally.by_oblast.entry(o.clone()).or_default().add(issue.severity);
            }
            *tally
                .by_code
                .entry(CodeKey {
                    oblast,
                    municipality: issue.municipality.clone(),
                    code: issue.code(),
                    severity: issue.severity,
                })
                .or_default() += 1;
        }
        tally
    }

    /// A municipality's errors and warnings: those in the files it sent,
    /// and its missing submissions.
    pub fn municipality(&self, code: &str) -> Counts {
        self.by_municipality.get(code).copied().unwrap_or_default()
    }

    /// An oblast's errors and warnings.
    pub fn oblast(&self, code: &str) -> Counts {
        self.by_oblast.get(code).copied().unwrap_or_default()
    }

    /// Findings by municipality, code and severity, of one oblast.
    pub fn by_code_in<'a>(&'a self, oblast: &'a str) -> impl Iterator<Item = (&'a CodeKey, i64)> + 'a {
        self.by_code
            .iter()
            .filter(move |(k, _)| k.oblast.as_deref() == Some(oblast))
            .map(|(k, n)| (k, *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::{Finding, Location};
    use crate::schema::{Role, SchemaSource, Schemas};
    use crate::sheet::CellRef;
    use crate::validate::Record;

    fn schemas() -> Schemas {
        Schemas::load(&SchemaSource::BuiltIn).unwrap()
    }

    /// A service card (or DSP row) read from `file` that names `municipality`.
    fn record(schemas: &Schemas, role: Role, file: &str, municipality: &str) -> Record {
        let template = schemas.templates.iter().position(|t| t.role == role).unwrap();
        let oblast = schemas
            .reference
            .municipality(municipality)
            .map(|m| m.oblast_code.clone());
        Record {
            template,
            file: file.into(),
            sheet: "Карта".into(),
            anchor: CellRef::new(0, 0),
            values: Vec::new(),
            cells: Vec::new(),
            municipality: Some(municipality.into()),
            oblast,
            errors: 0,
            warnings: 0,
            counted: true,
        }
    }

    fn error_in(file: &str, about: &str) -> Issue {
        Issue::error(Location::sheet(file, "Карта"), Finding::Required).municipality(Some(about))
    }

    fn warning_in(file: &str, about: &str) -> Issue {
        Issue::warning(Location::sheet(file, "Карта"), Finding::EmptyTable).municipality(Some(about))
    }

    fn missing_card(municipality: &str) -> Issue {
        Issue::warning(
            Location::default(),
            Finding::MissingMunicipalCard {
                municipality: municipality.into(),
            },
        )
        .municipality(Some(municipality))
    }

    /// REPORT.md, "Feedback to municipalities": each finding counts for the
    /// municipality that sent its file, whatever municipality its card names.
    #[test]
    fn findings_count_for_the_sender_of_their_file_once() {
        let schemas = schemas();
        let sofia = ["SFO".to_string()];
        let records = [
            // Godech's folder, a card naming Ruse.
            record(&schemas, Role::ServiceCard, "Годеч/карта.xlsx", "RSE27"),
            // No folder: two cards of Godech, one of Botevgrad.
            record(&schemas, Role::ServiceCard, "карти.xlsx", "SFO09"),
            record(&schemas, Role::ServiceCard, "карти.xlsx", "SFO09"),
            record(&schemas, Role::ServiceCard, "карти.xlsx", "SFO07"),
            // No folder, one card each: no sender.
            record(&schemas, Role::ServiceCard, "две.xlsx", "SFO09"),
            record(&schemas, Role::ServiceCard, "две.xlsx", "SFO07"),
            // A DSP table's rows are no municipality's return.
            record(&schemas, Role::Dsp, "ДСП/таблица.xlsx", "SFO07"),
            // A folder by code and a card of another oblast only.
            record(&schemas, Role::ServiceCard, "SFO07_Botevgrad/x.xlsx", "RSE27"),
            record(&schemas, Role::ServiceCard, "чужда.xlsx", "RSE27"),
        ];
        let senders = Senders::decide(&schemas, &sofia, &records);
        let mut issues = vec![
            error_in("Годеч/карта.xlsx", "RSE27"),
            warning_in("Годеч/карта.xlsx", "RSE27"),
            error_in("карти.xlsx", "SFO07"),
            error_in("две.xlsx", "SFO09"),
            error_in("ДСП/таблица.xlsx", "SFO07"),
            warning_in("SFO07_Botevgrad/x.xlsx", "RSE27"),
            error_in("чужда.xlsx", "RSE27"),
            // Unreadable: no record, its folder tells.
            error_in("Годеч/счупен.xlsx", "SFO09"),
            missing_card("SFO06"),
        ];
        senders.assign(&mut issues);
        let tally = Tally::count(&senders, &issues);

        let counts = |errors, warnings| Counts { errors, warnings };
        assert_eq!(tally.municipality("SFO09"), counts(3, 1));
        assert_eq!(tally.municipality("SFO07"), counts(0, 1));
        assert_eq!(tally.municipality("SFO06"), counts(0, 1));
        // Ruse is named, never a sender: nothing counts for it.
        assert_eq!(tally.municipality("RSE27"), counts(0, 0));
        // The oblast and the run have every finding, those of no sender included.
        assert_eq!(tally.oblast("SFO"), counts(6, 3));
        assert_eq!(tally.oblast("RSE"), counts(0, 0));
        assert_eq!(tally.total, counts(6, 3));
        let unsent: i64 = tally
            .by_code_in("SFO")
            .filter(|(k, _)| k.municipality.is_none())
            .map(|(_, n)| n)
            .sum();
        assert_eq!(unsent, 3);
    }

    /// A national run: a finding counts to the oblast of its file's sender,
    /// else of its records, and a missing submission to its municipality's.
    #[test]
    fn in_a_national_run_each_oblast_counts_its_own_files() {
        let schemas = schemas();
        let mut all: Vec<String> = schemas.reference.oblasts.iter().map(|o| o.code.clone()).collect();
        all.sort();
        let records = [
            record(&schemas, Role::ServiceCard, "RSE/Бяла/a.xlsx", "RSE04"),
            record(&schemas, Role::Dsp, "SFO/ДСП/b.xlsx", "SFO09"),
            record(&schemas, Role::Dsp, "SFO/ДСП/b.xlsx", "SFO07"),
        ];
        let senders = Senders::decide(&schemas, &all, &records);
        let mut issues = vec![
            error_in("RSE/Бяла/a.xlsx", "RSE04"),
            warning_in("SFO/ДСП/b.xlsx", "SFO09"),
            missing_card("VAR01"),
        ];
        senders.assign(&mut issues);
        let tally = Tally::count(&senders, &issues);
        let counts = |errors, warnings| Counts { errors, warnings };
        assert_eq!(tally.oblast("RSE"), counts(1, 0));
        assert_eq!(tally.oblast("SFO"), counts(0, 1));
        assert_eq!(tally.oblast("VAR"), counts(0, 1));
        assert_eq!(tally.municipality("RSE04"), counts(1, 0));
        assert_eq!(tally.municipality("SFO09"), counts(0, 0));
        assert_eq!(tally.municipality("VAR01"), counts(0, 1));
    }
}
