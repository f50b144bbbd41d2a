//! Feedback to municipalities: takes the run and gives, for each
//! municipality with any finding, a small workbook in Bulgarian (English
//! with `--lang en`) listing its own findings — those in the files it sent,
//! whatever municipality a card names, and its missing submissions: file,
//! sheet, cell, what is wrong and what to write instead — ready to send back.

use rayon::prelude::*;
use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};

use super::sheetkit::{Formats, Kind, Out, col, finding_place, print_setup, write_table, write_with};
use super::text::{tr, yes_no};
use crate::aggregate::{Aggregates, Submission};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::issue::{Issue, Messages, Severity};
use crate::paths::feedback_file;
use crate::run::Run;

/// Builds one workbook per municipality with findings and writes each into
/// `out` as soon as it is built; gives their paths, in code order.
/// Each finding was given to the municipality that sent its file (always
/// one of the run's, with its row of submissions); the rest are the
/// analyst's only.
///
/// Errors: [`Error::Output`] if a workbook cannot be built.
pub fn build(
    config: &Config,
    run: &Run,
    aggregates: &Aggregates,
    strategy: &crate::strategy::Assessment,
    visits: &crate::visits::follow::Visits,
    out: &super::Outputs,
) -> Result<Vec<String>> {
    let mut by_municipality: BTreeMap<&str, Vec<&Issue>> = BTreeMap::new();
    for issue in &run.issues {
        if let Some(code) = issue.municipality.as_deref() {
            by_municipality.entry(code).or_default().push(issue);
        }
    }
    // Each municipality's own planned actions that are overdue go back to it too.
    let overdue = super::strategy::overdue_by_municipality(strategy);
    for code in overdue.keys() {
        by_municipality.entry(code).or_default();
    }
    // And its overdue recommendations of monitoring visits.
    for row in visits.recommendations() {
        if row.status == Some(crate::visits::follow::Status::Overdue) {
            by_municipality.entry(row.municipality_code.as_str()).or_default();
        }
    }
    let by_municipality: Vec<(&Submission, Vec<&Issue>)> = by_municipality
        .into_iter()
        .filter_map(|(code, issues)| {
            let submission = aggregates.submissions.iter().find(|s| s.municipality_code == code)?;
            Some((submission, issues))
        })
        .collect();
    by_municipality
        .into_par_iter()
        .map(|(submission, issues)| {
            let code = &submission.municipality_code;
            let own = overdue.get(code.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let relative = feedback_file(code);
            let mut file = out.create(&relative)?;
            workbook(config, aggregates, visits, submission, &issues, own)
                .and_then(|mut wb| wb.save_to_writer(&mut file))
                .map_err(|e| Error::output(&relative, e))?;
            file.finish()?;
            Ok(relative)
        })
        .collect()
}

fn workbook(
    config: &Config,
    aggregates: &Aggregates,
    visits: &crate::visits::follow::Visits,
    submission: &Submission,
    issues: &[&Issue],
    overdue: &[&crate::strategy::matching::ActionStatus],
) -> Result<Workbook, XlsxError> {
    let lang = config.lang;
    let t = |bg: &'static str, en: &'static str| tr(lang, bg, en);
    let f = Formats::new();
    let messages = Messages {
        lang,
        schemas: &config.schemas,
    };
    let reference = &config.schemas.reference;
    let code = submission.municipality_code.as_str();
    let municipality = reference.municipality(code);
    let name = municipality.map_or(code.to_string(), |m| m.name_bg.clone());
    let oblast = municipality
        .and_then(|m| reference.oblast(&m.oblast_code))
        .map_or(String::new(), |o| o.name_bg.clone());
    let (errors, warnings) = (submission.errors, submission.warnings);

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(t("Обратна връзка", "Feedback"))?;
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{} – {} {name} ({code})",
            t(
                "Обратна връзка по данните за мониторинг",
                "Feedback on the monitoring returns"
            ),
            t("община", "municipality")
        ),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{}: {oblast}. {}: {}",
            t("Област", "Oblast"),
            t("Отчетен период", "Reporting period"),
            config.period.display_bg()
        ),
        &f.subtitle,
    )?;
    ws.write_string_with_format(
        2,
        0,
        format!(
            "{}: {}; {}: {}; {}: {}",
            t("Получена карта на общината", "Municipal card received"),
            yes_no(lang, submission.municipal_card),
            t("карти на услуги за лица", "adult service cards"),
            submission.adult_cards,
            t("карти на услуги за деца", "child service cards"),
            submission.child_cards
        ),
        &f.subtitle,
    )?;
    ws.write_string_with_format(
        3,
        0,
        format!(
            "{}: {errors}. {}: {warnings}. {}",
            t("Грешки", "Errors"),
            t("Предупреждения", "Warnings"),
            t(
                "Записите с грешки не са включени в отчета: поправете ги и изпратете файловете отново. Предупрежденията са за проверка.",
                "Records with errors are not in the report: correct them and send the files again. Warnings are to be checked.",
            )
        ),
        &f.subtitle,
    )?;
    let cols = vec![
        col("№", Kind::Int, 5.0),
        col(t("Файл", "File"), Kind::Wrap, 30.0),
        col(t("Лист", "Sheet"), Kind::Text, 14.0),
        col(t("Клетка", "Cell"), Kind::Text, 8.0),
        col(t("Поле", "Field"), Kind::Wrap, 26.0),
        col(t("Стойност", "Value"), Kind::Wrap, 18.0),
        col(t("Вид", "Severity"), Kind::Text, 16.0),
        col(t("Какво да се поправи", "What to fix"), Kind::Wrap, 70.0),
    ];
    let rows: Vec<Vec<Out>> = issues
        .iter()
        .enumerate()
        .map(|(i, issue)| {
            std::iter::once(Out::Int(i as i64 + 1))
                .chain(finding_place(&messages, issue))
                .chain([
                    Out::text(issue.severity.label(lang)),
                    Out::text(messages.message(issue)),
                ])
                .collect()
        })
        .collect();
    let header_row = 5;
    write_table(ws, &f, header_row, &cols, &rows, None)?;
    for (i, issue) in issues.iter().enumerate() {
        let format = if issue.severity == Severity::Error {
            &f.bad
        } else {
            &f.warn
        };
        write_with(
            ws,
            header_row + 1 + i as u32,
            6,
            &Out::text(issue.severity.label(lang)),
            format,
        )?;
    }
    print_setup(ws, true);
    if !overdue.is_empty() {
        super::strategy::overdue_sheet(&mut wb, config, &f, overdue)?;
    }
    super::visits::feedback_sheet(&mut wb, config, visits, &submission.municipality_code)?;
    let date = aggregates.data_date.unwrap_or(config.period.end).max(config.period.end);
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} – {name}", t("Обратна връзка", "Feedback")))
            .set_author("socmon")
            .set_creation_datetime(&super::sheetkit::creation_time(date)?),
    );
    Ok(wb)
}
