//! The run summary (`run.json`): takes the run and gives its counts, period,
//! oblasts, limits and outputs as JSON. `records_read` always equals
//! `records_accepted + records_rejected`. No clock is read: the date it
//! carries is the data's.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Written;
use crate::aggregate::Aggregates;
use crate::compare::{ChangeStatus, Comparison};
use crate::config::{Config, PeriodSource};
use crate::error::{Error, Result};
use crate::issue::Lang;
use crate::run::{FileCounts, Run};

#[derive(Serialize)]
struct PeriodJson {
    name: String,
    start: String,
    end: String,
    source: PeriodSource,
}

#[derive(Serialize)]
struct LimitsJson {
    max_file_bytes: u64,
    max_inflated_bytes: u64,
    max_cells_per_sheet: u64,
    max_sheets: usize,
}

#[derive(Serialize)]
struct ComparedJson {
    oblast: String,
    period: String,
    start: String,
    end: String,
    same_length: bool,
}

#[derive(Serialize)]
struct ComparisonJson {
    compared_with: Vec<ComparedJson>,
    services_opened: usize,
    services_closed: usize,
    services_continued: usize,
    outliers: usize,
}

#[derive(Serialize)]
struct RunJson<'a> {
    tool: &'static str,
    version: &'static str,
    period: PeriodJson,
    oblasts: &'a [String],
    lang: Lang,
    files_seen: usize,
    files_read: usize,
    files_failed: usize,
    files_skipped: usize,
    records_read: usize,
    records_accepted: usize,
    records_rejected: usize,
    errors: usize,
    warnings: usize,
    issues_by_code: BTreeMap<&'static str, usize>,
    files: &'a FileCounts,
    skipped_files: &'a [String],
    data_date: Option<String>,
    schemas: &'a str,
    schema_versions: BTreeMap<&'a str, u32>,
    limits: LimitsJson,
    comparison: ComparisonJson,
    /// The strategy's implementation; absent when the input holds no plan,
    /// indicators or reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<Vec<crate::strategy::OblastFiguresJson>>,
    outputs: &'a Written,
}

/// The summary as pretty JSON.
///
/// Errors: [`Error::Output`] if serialisation fails.
pub fn build(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    strategy: &crate::strategy::Assessment,
    written: &Written,
) -> Result<Vec<u8>> {
    let accepted = run.records_accepted();
    let mut issues_by_code = BTreeMap::new();
    for issue in &run.issues {
        *issues_by_code.entry(issue.code()).or_default() += 1;
    }
    let summary = RunJson {
        tool: "socmon",
        version: env!("CARGO_PKG_VERSION"),
        period: PeriodJson {
            name: config.period.name(),
            start: config.period.start.to_string(),
            end: config.period.end.to_string(),
            source: config.period_source,
        },
        oblasts: &run.oblasts,
        lang: config.lang,
        files_seen: run.files.seen,
        files_read: run.files.read,
        files_failed: run.files.failed,
        files_skipped: run.files.skipped,
        records_read: run.records.len(),
        records_accepted: accepted,
        records_rejected: run.records.len() - accepted,
        errors: run.errors(),
        warnings: run.warnings(),
        issues_by_code,
        files: &run.files,
        skipped_files: &run.skipped_files,
        data_date: aggregates.data_date.map(|d| d.to_string()),
        schemas: &config.schemas.origin,
        schema_versions: config
            .schemas
            .templates
            .iter()
            .map(|t| (t.id.as_str(), t.version))
            .collect(),
        limits: LimitsJson {
            max_file_bytes: config.limits.max_file_bytes,
            max_inflated_bytes: config.limits.max_inflated_bytes,
            max_cells_per_sheet: config.limits.max_cells_per_sheet,
            max_sheets: config.limits.max_sheets,
        },
        comparison: ComparisonJson {
            compared_with: comparison
                .baselines
                .iter()
                .map(|b| ComparedJson {
                    oblast: b.oblast_code.clone(),
                    period: b.meta.period.name(),
                    start: b.meta.period.start.to_string(),
                    end: b.meta.period.end.to_string(),
                    same_length: b.same_length,
                })
                .collect(),
            services_opened: comparison.count(ChangeStatus::Opened),
            services_closed: comparison.count(ChangeStatus::Closed),
            services_continued: comparison.count(ChangeStatus::Continued),
            outliers: run.issues.iter().filter(|i| i.code() == "outlier").count(),
        },
        strategy: strategy.has_input().then(|| strategy.figures()),
        outputs: written,
    };
    let mut bytes = serde_json::to_vec_pretty(&summary).map_err(|e| Error::output(super::RUN_FILE, e))?;
    bytes.push(b'\n');
    Ok(bytes)
}
