//! Realistic sample returns: takes [`SampleOptions`] (oblasts, scale, seed,
//! the share of returns with a planted mistake, the period) and the schemas,
//! and gives the files municipalities and Social Assistance Directorates
//! would send in — a municipal card per municipality, service cards for
//! adults and for children (one file each, or all in one workbook), DSP
//! tables — in the messy shapes TEMPLATES.md allows, together with the
//! [`Truth`]: the figures a correct reader must add up and every issue it
//! must report, at its file, sheet and cell.
//!
//! It serves the shipped demo input (`input/`, Ruse oblast), the tests that
//! compare the pipeline's figures with the truth, and a benchmark at
//! national scale. The same options always give byte-identical files: the
//! sample draws from its own generator (`rng`) and the book writers are
//! deterministic.
//!
//! The stages, one module each: `model` (the synthetic world: services,
//! places, users, money) → `plan` (what each file holds, written the way
//! people write, see `forms`) → `mistakes` → `layout` (cells in rows,
//! where each record lands) → `truth`; `readme` describes the result.

mod forms;
mod later;
mod layout;
mod mistakes;
mod model;
mod names;
mod plan;
mod readme;
pub mod registry;
mod rng;
mod strategy;
mod truth;
mod visits;

use std::path::Path;

use rayon::prelude::*;

pub use later::{Planned, PlannedChange};
pub use mistakes::Mistake;
pub use truth::{ExpectedFigures, ExpectedOutlier, PlantedIssue, Truth};

use crate::error::{Error, Result};
use crate::period::Period;
use crate::reference::Card;
use crate::schema::fields::service;
use crate::schema::{Role, Schemas};
use forms::Forms;
use plan::Planner;
use rng::Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOptions {
    /// Oblast codes (or names), e.g. `["RSE"]`; all 28 for a national set.
    pub oblasts: Vec<String>,
    /// 1 gives about 15 service cards for a mid-sized municipality (fewer
    /// for small ones, more for the oblast centres); K multiplies them.
    pub scale: u32,
    pub seed: u64,
    /// The share of returns (files) that carry one planted honest mistake, 0.0..=1.0.
    pub mistakes: f64,
    pub period: Period,
    /// Write the returns of this later period instead: the world drawn for
    /// `period` moved on to it, with planted changes (see `later`).
    pub later: Option<Period>,
}

impl SampleOptions {
    /// The shipped demo: Ruse oblast, seed 2017, 15 % of the returns with a
    /// mistake, the period of the 2016–2017 report.
    pub fn ruse_demo() -> SampleOptions {
        SampleOptions {
            oblasts: vec!["RSE".to_string()],
            scale: 1,
            seed: 2017,
            mistakes: 0.15,
            period: Period::report_2016_2017(),
            later: None,
        }
    }
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// Relative to the sample's folder, with "/" between parts.
    pub relative: String,
    pub bytes: Vec<u8>,
}

/// The generated files and what a correct reader must find in them.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The returns, then `README.md` and `socmon.toml` (which a run skips).
    pub files: Vec<SampleFile>,
    pub truth: Truth,
}

/// The templates a sample fills in, found by their role.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Templates {
    pub(crate) municipal: usize,
    pub(crate) adults: usize,
    pub(crate) children: usize,
    pub(crate) dsp: usize,
    /// The strategy's plan, indicators and report, when the schemas have them.
    pub(crate) strategy: Option<strategy::StrategyTemplates>,
}

impl Templates {
    fn find(schemas: &Schemas) -> Result<Templates> {
        let find = |role: Role, card: Option<Card>, what: &str| {
            schemas
                .templates
                .iter()
                .position(|t| t.role == role && (card.is_none() || t.card == card))
                .ok_or_else(|| Error::Schema {
                    file: "schemas/".into(),
                    message: format!("no template for {what}, which a sample needs"),
                })
        };
        Ok(Templates {
            municipal: find(Role::MunicipalCard, None, "the municipal card")?,
            adults: find(Role::ServiceCard, Some(Card::Adults), "service cards for adults")?,
            children: find(Role::ServiceCard, Some(Card::Children), "service cards for children")?,
            dsp: find(Role::Dsp, None, "the DSP table")?,
            strategy: match (
                find(Role::StrategyPlan, None, "the plan"),
                find(Role::StrategyIndicators, None, "the indicators"),
                find(Role::StrategyReport, None, "the report"),
            ) {
                (Ok(plan), Ok(indicators), Ok(report)) => Some(strategy::StrategyTemplates {
                    plan,
                    indicators,
                    report,
                }),
                _ => None,
            },
        })
    }
}

/// The oblast codes the options name, each once, in the order given.
fn oblast_codes(schemas: &Schemas, options: &SampleOptions) -> Result<Vec<String>> {
    let reference = &schemas.reference;
    let mut codes: Vec<String> = Vec::new();
    for written in &options.oblasts {
        let found = reference.oblast_candidates(written, &schemas.common.oblast_prefixes);
        let [one] = found.as_slice() else {
            let known: Vec<&str> = reference.oblasts.iter().map(|o| o.code.as_str()).collect();
            return Err(Error::Usage(format!(
                "unknown or ambiguous oblast \"{written}\"; use one of the codes: {}",
                known.join(", ")
            )));
        };
        let code = reference.oblasts[*one].code.clone();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Err(Error::Usage("a sample needs at least one oblast (e.g. RSE)".into()));
    }
    Ok(codes)
}

/// Generates the returns of the options' oblasts and their truth.
///
/// Errors: [`Error::Usage`] for an unknown oblast, a scale of 0 or a share
/// of mistakes outside 0..=1; [`Error::Schema`] when the schemas lack a
/// template the sample fills in; [`Error::Output`] when a file cannot be
/// written in its format (a bug, never a property of the options).
pub fn generate(schemas: &Schemas, options: &SampleOptions) -> Result<Sample> {
    if !(0.0..=1.0).contains(&options.mistakes) {
        return Err(Error::Usage(format!(
            "the share of returns with a mistake must lie in 0..=1, not {}",
            options.mistakes
        )));
    }
    if options.scale == 0 {
        return Err(Error::Usage("the scale must be at least 1".into()));
    }
    if let Some(later) = options.later
        && later.start <= options.period.end
    {
        return Err(Error::Usage(format!(
            "the later period {} must begin after the period {} ends",
            later.name(),
            options.period.name()
        )));
    }
    let oblasts = oblast_codes(schemas, options)?;
    // The period the returns are for.
    let period = options.later.unwrap_or(options.period);
    let templates = Templates::find(schemas)?;
    let reference = &schemas.reference;
    let forms = Forms::new(reference);
    let count_fields: Vec<(String, Vec<String>)> = schemas.templates[templates.municipal]
        .fields
        .iter()
        .filter(|f| !f.count_of_cards.is_empty())
        .map(|f| (f.id.clone(), f.count_of_cards.clone()))
        .collect();
    let planner = |rng: Rng| Planner::new(schemas, &templates, &forms, period, rng);

    // Each oblast draws from its own generator, so it comes out the same
    // whichever oblasts are generated with it.
    let mut next_id = 0;
    let mut returns = Vec::new();
    let mut planned = Vec::new();
    let mut statuses = Vec::new();
    let mut strategy_returns = Vec::new();
    let mut reports = Vec::new();
    let mut protocols = Vec::new();
    for code in &oblasts {
        let mut rng = Rng::derive(options.seed, code);
        let mut world = model::oblast(
            reference,
            code,
            options.period,
            options.scale,
            &count_fields,
            &mut rng,
            &mut next_id,
        );
        let base = if oblasts.len() > 1 {
            format!("Област {}/", forms.oblast_name(code))
        } else {
            String::new()
        };
        // The strategy's plan, indicators and reports, from the world as
        // drawn for the base period and from a generator of their own, so
        // that the other returns stay as they were and a later period has
        // the same plan.
        if let Some(strategy_templates) = templates.strategy {
            let mut strategy_planner = planner(Rng::derive(options.seed, &format!("{code} strategy")));
            let (written, sent) = strategy::oblast_returns(
                &mut strategy_planner,
                strategy_templates,
                code,
                &base,
                &world,
                options.period,
                period,
                options.mistakes,
                &mut Rng::derive(options.seed, &format!("{code} reports calendar")),
            );
            strategy_returns.extend(written);
            reports.extend(sent);
        }
        if let Some(later) = options.later {
            let in_figures = |world: &[model::Municipality], period: Period| -> Vec<(usize, String, String, bool)> {
                world
                    .iter()
                    .flat_map(|m| {
                        m.services.iter().filter(|s| forms::active(&s.facts, period)).map(|s| {
                            (
                                s.id,
                                m.code.clone(),
                                forms::text(&s.facts, service::SERVICE_NAME).unwrap_or("").to_string(),
                                forms::date(&s.facts, service::END_DATE).is_some_and(|d| period.contains(d)),
                            )
                        })
                    })
                    .collect()
            };
            let before = in_figures(&world, options.period);
            // Its own generator, so that the returns are laid out as the base period's were.
            let mut step_rng = Rng::derive(options.seed, &format!("{code} {}", later.name()));
            planned.extend(later::step(
                reference,
                &mut world,
                options.period,
                later,
                &count_fields,
                &mut step_rng,
                &mut next_id,
            ));
            let after = in_figures(&world, later);
            for (id, municipality, name, closing) in &after {
                let status = match (before.iter().any(|b| b.0 == *id), closing) {
                    (true, false) => "continued",
                    (true, true) => "closed",
                    (false, _) => "opened",
                };
                statuses.push((municipality.clone(), name.clone(), status.to_string()));
            }
            for (id, municipality, name, _) in &before {
                if !after.iter().any(|a| a.0 == *id) {
                    statuses.push((municipality.clone(), name.clone(), "closed".to_string()));
                }
            }
        }
        returns.extend(planner(rng).oblast_returns(code, &base, &world));
        // Monitoring visits to providers (VISITS.md): protocols beside the returns.
        protocols.push(visits::protocols(reference, code, &base, &world, options)?);
    }
    let protected: Vec<usize> = planned.iter().map(|p: &Planned| p.service_id).collect();
    mistakes::plant(
        &mut planner(Rng::derive(options.seed, "mistakes")),
        &mut returns,
        options.mistakes,
        &protected,
    );
    returns.extend(strategy_returns);
    returns.sort_by(|a, b| a.relative.cmp(&b.relative));

    let rendered = returns
        .par_iter()
        .map(|r| layout::render(schemas, r).map_err(|e| Error::output(&r.relative, e)))
        .collect::<Result<Vec<_>>>()?;
    let places: Vec<Vec<layout::Place>> = rendered.iter().map(|r| r.places.clone()).collect();
    let mut truth = truth::evaluate(schemas, period, &oblasts, &returns, &places);
    statuses.sort();
    truth.statuses = statuses;
    for jump in planned.iter().filter(|p| p.change == PlannedChange::SuspiciousJump) {
        truth
            .outliers
            .extend(truth::expected_outliers(&returns, &places, jump.service_id));
    }
    truth.planned = planned;
    let mut files: Vec<SampleFile> = returns
        .iter()
        .zip(rendered)
        .map(|(r, rendered)| SampleFile {
            relative: r.relative.clone(),
            bytes: rendered.bytes,
        })
        .collect();
    for visits in protocols {
        truth.planted.extend(visits.planted);
        truth.records += visits.records;
        truth.records_rejected += visits.rejected;
        files.extend(visits.files);
    }
    // The calendar: a registry per oblast dating the returns and the
    // implementation reports; deadlines after the period.
    let named: Vec<(String, String, String)> = oblasts
        .iter()
        .map(|code| {
            let base = if oblasts.len() > 1 {
                format!("Област {}/", forms.oblast_name(code))
            } else {
                String::new()
            };
            (code.clone(), base, forms.oblast_name(code))
        })
        .collect();
    let reports = templates.strategy.map(|_| reports.as_slice());
    let (registries, calendar) = registry::registries(reference, &named, period, &returns, reports, options.seed)
        .map_err(|e| Error::output(registry::REGISTRY_FILE, e))?;
    for (relative, bytes) in registries {
        files.push(SampleFile { relative, bytes });
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    truth.calendar = calendar;
    let readme = readme::readme(schemas, options, &oblasts, &files, &truth);
    files.push(SampleFile {
        relative: "README.md".into(),
        bytes: readme.into_bytes(),
    });
    // The period (and the oblast) the set is for, so that a plain run reads it right.
    let mut settings = format!("period = \"{}\"\n", period.name());
    if let [one] = oblasts.as_slice() {
        settings.push_str(&format!("oblast = \"{one}\"\n"));
    }
    let deadlines = truth.calendar.deadlines;
    if !deadlines.is_empty() {
        settings.push_str("\n[deadlines]\n");
        for key in crate::calendar::DeadlineKey::ALL {
            if let Some(day) = deadlines.get(key) {
                settings.push_str(&format!("{} = \"{day}\"\n", key.as_str()));
            }
        }
    }
    files.push(SampleFile {
        relative: crate::config::SETTINGS_FILE.into(),
        bytes: settings.into_bytes(),
    });
    Ok(Sample { files, truth })
}

/// Writes the files below `dir` (creating folders); never touches other files there.
///
/// Errors: the first I/O error met.
pub fn write(sample: &Sample, dir: &Path) -> std::io::Result<()> {
    for file in &sample.files {
        let path = file
            .relative
            .split('/')
            .fold(dir.to_path_buf(), |path, part| path.join(part));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.bytes)?;
    }
    Ok(())
}

/// The command that regenerates a sample into `folder`.
pub fn command(options: &SampleOptions, folder: &str) -> String {
    readme::command(options, folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaSource;

    fn schemas() -> Schemas {
        Schemas::load(&SchemaSource::BuiltIn).unwrap()
    }

    #[test]
    fn every_shape_occurs_in_the_ruse_set() {
        let schemas = schemas();
        let options = SampleOptions::ruse_demo();
        let templates = Templates::find(&schemas).unwrap();
        let forms = Forms::new(&schemas.reference);
        let count_fields: Vec<(String, Vec<String>)> = vec![];
        let mut rng = Rng::derive(options.seed, "RSE");
        let mut next_id = 0;
        let world = model::oblast(
            &schemas.reference,
            "RSE",
            options.period,
            1,
            &count_fields,
            &mut rng,
            &mut next_id,
        );
        let mut planner = Planner::new(&schemas, &templates, &forms, options.period, rng);
        let returns = planner.oblast_returns("RSE", "", &world);
        // An oblast of eight municipalities sends one DSP table, which shows one of the table shapes.
        let unused: Vec<_> = planner
            .dice
            .variety
            .unused()
            .into_iter()
            .filter(|(kind, _)| !kind.starts_with("dsp_"))
            .collect();
        assert!(unused.is_empty(), "shapes never used in the Ruse set: {unused:?}");
        let formats: std::collections::BTreeSet<&str> = returns.iter().map(|r| plan::extension(r.format)).collect();
        assert_eq!(formats.len(), 3, "{formats:?}");
    }

    #[test]
    fn options_are_checked() {
        let schemas = schemas();
        let mut options = SampleOptions::ruse_demo();
        options.oblasts = vec!["Атлантида".into()];
        assert!(matches!(generate(&schemas, &options), Err(Error::Usage(_))));
        options.oblasts = vec!["RSE".into()];
        options.mistakes = 1.5;
        assert!(matches!(generate(&schemas, &options), Err(Error::Usage(_))));
    }

    #[test]
    fn the_regenerating_command_names_the_options() {
        assert_eq!(
            command(&SampleOptions::ruse_demo(), "input"),
            "socmon sample --oblast RSE --seed 2017 --mistakes 0.15 --output input"
        );
    }
}
