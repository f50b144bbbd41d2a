//! Plain data: takes the run and its figures and gives the CSV files of
//! `output/data/` (UTF-8, a header row, the contract columns of REPORT.md
//! first). Money has two decimals, dates are ISO 8601, booleans
//! `true`/`false`; a text that starts with `=`, `+`, `-`, `@` (or a tab or a
//! carriage return) is prefixed with `'` so that no spreadsheet reads it as a
//! formula (OWASP's rule for CSV injection), and stays readable.

use chrono::NaiveDate;

use crate::aggregate::{Aggregates, DSP_FIELDS, Figures};
use crate::compare::Comparison;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::issue::Messages;
use crate::run::Run;

/// A text made safe for a spreadsheet cell.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

pub fn money(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.2}")).unwrap_or_default()
}

/// A decimal rounded to two places, without trailing zeros.
pub fn decimal(value: Option<f64>) -> String {
    value
        .map(|v| {
            let text = format!("{:.2}", (v * 100.0).round() / 100.0);
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        })
        .unwrap_or_default()
}

pub fn int(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

pub fn date(value: Option<NaiveDate>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

/// A CSV file being written straight into the staging folder, a row at a time.
struct Table {
    relative: String,
    writer: csv::Writer<super::OutputFile>,
}

impl Table {
    fn new(out: &super::Outputs, name: &str, header: &[&str]) -> Result<Table> {
        let relative = format!("{}/{name}", crate::paths::DATA_DIR);
        let mut writer = csv::Writer::from_writer(out.create(&relative)?);
        writer.write_record(header).map_err(|e| Error::output(&relative, e))?;
        Ok(Table { relative, writer })
    }

    fn row(&mut self, cells: Vec<String>) -> Result<()> {
        self.writer
            .write_record(&cells)
            .map_err(|e| Error::output(&self.relative, e))
    }

    /// The file complete on the disk; gives its path in the output folder.
    fn finish(self) -> Result<String> {
        let relative = self.relative;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::output(&relative, e.to_string()))?;
        file.finish()?;
        Ok(relative)
    }
}

/// The calendar's columns of a municipality in `submissions.csv`.
fn timeliness_cells(calendar: &crate::calendar::Calendar, municipality: &str) -> Vec<String> {
    use crate::calendar::Timeliness;
    let Some(m) = calendar.of(municipality) else {
        return vec![String::new(); 9];
    };
    let word = |t: Option<Timeliness>| t.map(|t| t.as_str().to_string()).unwrap_or_default();
    vec![
        date(m.received.as_ref().map(|r| r.on)),
        m.received
            .as_ref()
            .map(|r| r.source.as_str().to_string())
            .unwrap_or_default(),
        date(m.deadline),
        int(m.timeliness.and_then(Timeliness::days_late)),
        word(m.timeliness),
        date(m.report_received.as_ref().map(|r| r.on)),
        word(m.report_timeliness),
        date(m.council_decision_on),
        word(m.council_timeliness),
    ]
}

/// Text cells, neutralised.
fn texts<const N: usize>(values: [&str; N]) -> Vec<String> {
    values.iter().map(|v| neutralise(v)).collect()
}

fn figures_row(f: &Figures, with_municipality: bool) -> Vec<String> {
    let mut row = vec![neutralise(&f.oblast_code)];
    if with_municipality {
        row.push(neutralise(&f.municipality_code));
        row.push(neutralise(&f.municipality));
    }
    row.extend([
        f.services.to_string(),
        f.capacity.to_string(),
        decimal(Some(f.avg_users)),
        f.users_served.to_string(),
        money(Some(f.budget_state)),
        money(Some(f.budget_local)),
        money(Some(f.budget_other)),
        int(f.dsp_value(crate::schema::fields::dsp::CHILDREN_DISABLED)),
        int(f.dsp_value(crate::schema::fields::dsp::ADULTS_DISABLED)),
        int(f.population),
        int(f.population_children),
        int(f.population_elderly),
        f.capacity_children.to_string(),
        f.capacity_elderly.to_string(),
        decimal(f.places_per_1000()),
        decimal(f.children_places_per_1000()),
        decimal(f.elderly_places_per_1000()),
        f.family_care_share().map(|s| format!("{s:.4}")).unwrap_or_default(),
        money(f.approved_state),
        money(f.approved_local),
    ]);
    row
}

const FIGURES_TAIL: &[&str] = &[
    "services",
    "capacity",
    "avg_users",
    "users_served",
    "budget_state",
    "budget_local",
    "budget_other",
    "children_disabled",
    "adults_disabled",
    "population",
    "population_children",
    "population_elderly",
    "capacity_children",
    "capacity_elderly",
    "places_per_1000",
    "children_places_per_1000",
    "elderly_places_per_1000",
    "family_care_share",
    "approved_budget_state",
    "approved_budget_local",
];

/// Writes every CSV file into `out`, each row as it is made; gives their
/// paths in the output folder.
///
/// Errors: [`Error::Output`] if a record cannot be encoded or written.
pub fn build(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    comparison: &Comparison,
    out: &super::Outputs,
) -> Result<Vec<String>> {
    let mut files = Vec::new();

    let mut services = Table::new(
        out,
        "services.csv",
        &[
            "file",
            "sheet",
            "template",
            "oblast_code",
            "municipality_code",
            "municipality",
            "service_type",
            "service_name",
            "provider_type",
            "financing",
            "capacity",
            "avg_users",
            "users_served",
            "budget_state",
            "budget_local",
            "budget_other",
            "start_date",
            "end_date",
            "active",
            // Beyond the contract:
            "card",
            "settlement",
            "address",
            "provider_name",
            "project_end",
            "counted",
            "occupancy",
            "license_no",
            "license_valid_until",
            "age_group",
        ],
    )?;
    for s in &aggregates.services {
        let mut row = texts([
            &s.file,
            &s.sheet,
            &s.template,
            &s.oblast_code,
            &s.municipality_code,
            &s.municipality,
            &s.service_type,
            &s.service_name,
            &s.provider_type,
            &s.financing,
        ]);
        row.extend([
            int(s.capacity),
            decimal(s.avg_users),
            int(s.users_served),
            money(s.budget_state),
            money(s.budget_local),
            money(s.budget_other),
            date(s.start_date),
            date(s.end_date),
            s.active.to_string(),
            s.card.as_str().to_string(),
            neutralise(&s.settlement),
            neutralise(&s.address),
            neutralise(&s.provider_name),
            date(s.project_end),
            s.counted.to_string(),
            s.occupancy().map(|o| format!("{o:.4}")).unwrap_or_default(),
            neutralise(&s.license_no),
            date(s.license_valid_until),
            neutralise(&s.age_group),
        ]);
        services.row(row)?;
    }
    files.push(services.finish()?);

    let mut header = vec!["oblast_code", "municipality_code", "municipality"];
    header.extend(FIGURES_TAIL);
    let mut by_municipality = Table::new(out, "by_municipality.csv", &header)?;
    for f in &aggregates.by_municipality {
        by_municipality.row(figures_row(f, true))?;
    }
    files.push(by_municipality.finish()?);

    let mut header = vec!["oblast_code"];
    header.extend(FIGURES_TAIL);
    let mut by_oblast = Table::new(out, "by_oblast.csv", &header)?;
    for f in &aggregates.oblast_totals {
        by_oblast.row(figures_row(f, false))?;
    }
    files.push(by_oblast.finish()?);

    let mut by_type = Table::new(
        out,
        "by_service_type.csv",
        &[
            "oblast_code",
            "service_type",
            "services",
            "capacity",
            "avg_users",
            "users_served",
            "service_type_name",
        ],
    )?;
    for t in &aggregates.by_service_type {
        by_type.row(vec![
            neutralise(&t.oblast_code),
            neutralise(&t.service_type),
            t.services.to_string(),
            t.capacity.to_string(),
            decimal(Some(t.avg_users)),
            t.users_served.to_string(),
            neutralise(&t.name),
        ])?;
    }
    files.push(by_type.finish()?);

    let mut header = vec!["oblast_code", "municipality_code", "municipality"];
    header.extend(DSP_FIELDS);
    header.extend(["file", "sheet", "counted"]);
    let mut dsp = Table::new(out, "dsp.csv", &header)?;
    for d in &aggregates.dsp {
        let name = config
            .schemas
            .reference
            .municipality(&d.municipality_code)
            .map(|m| m.name_bg.clone())
            .unwrap_or_default();
        let mut row = texts([&d.oblast_code, &d.municipality_code, &name]);
        row.extend(d.values.iter().map(|(_, v)| int(*v)));
        row.extend([neutralise(&d.file), neutralise(&d.sheet), d.counted.to_string()]);
        dsp.row(row)?;
    }
    files.push(dsp.finish()?);

    let mut submissions = Table::new(
        out,
        "submissions.csv",
        &[
            "oblast_code",
            "municipality_code",
            "municipality",
            "municipal_card",
            "adult_cards",
            "child_cards",
            "dsp_row",
            "errors",
            "warnings",
            "status",
            "filled_on",
            "received_on",
            "received_source",
            "deadline",
            "days_late",
            "timeliness",
            "report_received_on",
            "report_timeliness",
            "council_decision_on",
            "council_timeliness",
        ],
    )?;
    for s in &aggregates.submissions {
        let mut row = texts([&s.oblast_code, &s.municipality_code, &s.municipality]);
        row.extend([
            s.municipal_card.to_string(),
            s.adult_cards.to_string(),
            s.child_cards.to_string(),
            s.dsp_row.to_string(),
            s.errors.to_string(),
            s.warnings.to_string(),
            s.status.as_str().to_string(),
            date(s.filled_on),
        ]);
        row.extend(timeliness_cells(&run.calendar, &s.municipality_code));
        submissions.row(row)?;
    }
    files.push(submissions.finish()?);

    let list = super::reminders::reminders(config, run, aggregates);
    let (header, rows) = super::reminders::csv_rows(&list, config.lang);
    let mut reminders = Table::new(out, "reminders.csv", &header)?;
    for row in rows {
        reminders.row(row.iter().map(|c| neutralise(c)).collect())?;
    }
    files.push(reminders.finish()?);

    let messages = Messages {
        lang: config.lang,
        schemas: &config.schemas,
    };
    let mut issues = Table::new(
        out,
        "issues.csv",
        &[
            "file",
            "sheet",
            "cell",
            "template",
            "field",
            "severity",
            "code",
            "value",
            "message",
            "municipality_code",
        ],
    )?;
    for issue in &run.issues {
        let cell = issue.location.cell.map(|c| c.to_string()).unwrap_or_default();
        issues.row(vec![
            neutralise(&issue.location.file),
            neutralise(&issue.location.sheet),
            cell,
            issue.template.clone().unwrap_or_default(),
            issue.field.clone().unwrap_or_default(),
            issue.severity.as_str().to_string(),
            issue.code().to_string(),
            neutralise(&issue.value),
            neutralise(&messages.message(issue)),
            issue.municipality.clone().unwrap_or_default(),
        ])?;
    }
    files.push(issues.finish()?);
    files.push(comparison_csv(config, comparison, out)?);
    Ok(files)
}

/// The columns of `comparison.csv`: one row per service matched or not.
pub const COMPARISON_COLUMNS: &[&str] = &[
    "oblast_code",
    "municipality_code",
    "municipality",
    "service_type",
    "service_name",
    "status",
    "matched_by",
    "period_then",
    "period_now",
    "capacity_then",
    "capacity_now",
    "avg_users_then",
    "avg_users_now",
    "users_served_then",
    "users_served_now",
    "budget_state_then",
    "budget_state_now",
    "budget_local_then",
    "budget_local_now",
    "budget_other_then",
    "budget_other_now",
    "start_date",
    "end_date",
    "file_then",
    "sheet_then",
    "file_now",
    "sheet_now",
];

fn comparison_csv(config: &Config, comparison: &Comparison, out: &super::Outputs) -> Result<String> {
    let mut table = Table::new(out, "comparison.csv", COMPARISON_COLUMNS)?;
    for change in &comparison.services {
        let s = &change.service;
        let (then, now) = (change.then.as_ref(), change.now.as_ref());
        let then_period = comparison
            .baseline(&s.oblast_code)
            .map(|b| b.meta.period.name())
            .unwrap_or_default();
        let mut row = texts([
            &s.oblast_code,
            &s.municipality_code,
            &s.municipality,
            &s.service_type,
            &s.service_name,
        ]);
        row.extend([
            change.status.as_str().to_string(),
            change.matched_by.map(|m| m.as_str()).unwrap_or_default().to_string(),
            then_period,
            config.period.name(),
            int(then.and_then(|t| t.capacity)),
            int(now.and_then(|n| n.capacity)),
            decimal(then.and_then(|t| t.avg_users)),
            decimal(now.and_then(|n| n.avg_users)),
            int(then.and_then(|t| t.users_served)),
            int(now.and_then(|n| n.users_served)),
            money(then.and_then(|t| t.budget_state)),
            money(now.and_then(|n| n.budget_state)),
            money(then.and_then(|t| t.budget_local)),
            money(now.and_then(|n| n.budget_local)),
            money(then.and_then(|t| t.budget_other)),
            money(now.and_then(|n| n.budget_other)),
            date(s.start_date),
            date(now.and_then(|n| n.end_date)),
            neutralise(then.map_or("", |t| t.file.as_str())),
            neutralise(then.map_or("", |t| t.sheet.as_str())),
            neutralise(now.map_or("", |n| n.file.as_str())),
            neutralise(now.map_or("", |n| n.sheet.as_str())),
        ]);
        table.row(row)?;
    }
    table.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_neutralised_but_readable() {
        assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(neutralise("+359 82 123"), "'+359 82 123");
        assert_eq!(neutralise("-ул. Борисова"), "'-ул. Борисова");
        assert_eq!(neutralise("@sum"), "'@sum");
        assert_eq!(neutralise("Дневен център"), "Дневен център");
    }

    #[test]
    fn numbers_are_written_plainly() {
        assert_eq!(money(Some(1250.5)), "1250.50");
        assert_eq!(decimal(Some(12.5)), "12.5");
        assert_eq!(decimal(Some(12.0)), "12");
        assert_eq!(decimal(Some(1.0 / 3.0)), "0.33");
        assert_eq!(int(None), "");
    }
}
