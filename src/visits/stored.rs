//! The visits in the history: each period stores its visits
//! (`visits.parquet`) and its protocols' rows (`visit_findings.parquet`),
//! so that a later run follows the recommendations of the earlier ones.
//! Dates are ISO text, as in every stored table.

use polars::prelude::{Column, DataFrame};

use super::follow::{Earlier, Status, VisitRow, Visits};
use crate::aggregate::Columns;
use crate::error::Result;
use crate::history::History;
use crate::history::columns::{frame, opt_text, text};
use crate::period::Period;

/// The two visit tables of one oblast's period: (file stem, frame); none
/// for an oblast with no visit protocol in the period (an absent table
/// reads as no visits, as for a period stored before visits were read,
/// and a national run without protocols writes 56 Parquet files fewer).
///
/// Errors: [`Error::Aggregate`] if polars refuses a frame (a bug).
pub fn frames(visits: &Visits, oblast: &str) -> Result<Vec<(&'static str, DataFrame)>> {
    let own: Vec<_> = visits.visits.iter().filter(|v| v.oblast_code == oblast).collect();
    let rows: Vec<&VisitRow> = visits.current_rows().filter(|r| r.oblast_code == oblast).collect();
    if own.is_empty() && rows.is_empty() {
        return Ok(Vec::new());
    }
    let visits_frame = frame(vec![
        text("oblast_code", own.iter().map(|v| v.oblast_code.clone())),
        text("municipality_code", own.iter().map(|v| v.municipality_code.clone())),
        text("municipality", own.iter().map(|v| v.municipality.clone())),
        text("service_type", own.iter().map(|v| v.service_type.clone())),
        text("service_name", own.iter().map(|v| v.service_name.clone())),
        text("provider_name", own.iter().map(|v| v.provider_name.clone())),
        opt_text("visit_date", own.iter().map(|v| v.visit_date.map(|d| d.to_string()))),
        text("team", own.iter().map(|v| v.team.join(";"))),
        Column::new("matched".into(), own.iter().map(|v| v.matched).collect::<Vec<bool>>()),
        text("service_key", own.iter().map(|v| v.service.2.clone())),
        text("service_key_type", own.iter().map(|v| v.service.1.clone())),
        text("file", own.iter().map(|v| v.file.clone())),
        text("sheet", own.iter().map(|v| v.sheet.clone())),
    ])?;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let rows_frame = frame(vec![
        text("oblast_code", rows.iter().map(|r| r.oblast_code.clone())),
        text("municipality_code", rows.iter().map(|r| r.municipality_code.clone())),
        text("service_type", rows.iter().map(|r| r.service_type.clone())),
        text("service_name", rows.iter().map(|r| r.service_name.clone())),
        text("service_key", rows.iter().map(|r| r.service.2.clone())),
        text("service_key_type", rows.iter().map(|r| r.service.1.clone())),
        text("visit_date", rows.iter().map(|r| r.visit_date.to_string())),
        text("area", rows.iter().map(|r| r.area.clone())),
        text("assessment", rows.iter().map(|r| r.assessment.clone())),
        text("finding", rows.iter().map(|r| r.finding.clone())),
        text("recommendation", rows.iter().map(|r| r.recommendation.clone())),
        opt_text("deadline", rows.iter().map(|r| date(r.deadline))),
        text("responsible", rows.iter().map(|r| r.responsible.clone())),
        text("follow_up", rows.iter().map(|r| r.follow_up.clone())),
        opt_text("done_on", rows.iter().map(|r| date(r.done_on))),
        text(
            "status",
            rows.iter().map(|r| r.status.map_or("", Status::as_str).to_string()),
        ),
        text("file", rows.iter().map(|r| r.file.clone())),
        text("sheet", rows.iter().map(|r| r.sheet.clone())),
        Column::new(
            "row".into(),
            rows.iter().map(|r| i64::from(r.row)).collect::<Vec<i64>>(),
        ),
    ])?;
    Ok(vec![("visits", visits_frame), ("visit_findings", rows_frame)])
}

/// The visits and visit rows of the periods stored for an oblast that end
/// before `period` begins (a period stored before visits were read has none).
///
/// Errors: [`Error::History`] when a stored table cannot be read.
pub fn load(history: &History, oblast: &str, period: &Period) -> Result<Earlier> {
    let mut earlier = Earlier::default();
    let before = |p: &Period| p.end < period.start;
    for (_, mut tables) in history.load_tables(oblast, &["visits", "visit_findings"], Some(period), before)? {
        if let Some(table) = tables[0].take() {
            let c = Columns(&table);
            let (m, t, k) = (
                c.text("municipality_code")?,
                c.text("service_key_type")?,
                c.text("service_key")?,
            );
            for ((m, t), k) in m.into_iter().zip(t).zip(k) {
                earlier.visited.insert((m, t, k));
            }
        }
        let Some(table) = tables[1].take() else {
            continue;
        };
        let c = Columns(&table);
        let n = table.height();
        let (oblast_code, municipality, service_type, service_name) = (
            c.text("oblast_code")?,
            c.text("municipality_code")?,
            c.text("service_type")?,
            c.text("service_name")?,
        );
        let (key_type, key_name) = (c.text("service_key_type")?, c.text("service_key")?);
        let (visit_date, area, assessment, finding) = (
            c.date("visit_date")?,
            c.text("area")?,
            c.text("assessment")?,
            c.text("finding")?,
        );
        let (recommendation, deadline, responsible) =
            (c.text("recommendation")?, c.date("deadline")?, c.text("responsible")?);
        let (follow_up, done_on, file, sheet, row) = (
            c.text("follow_up")?,
            c.date("done_on")?,
            c.text("file")?,
            c.text("sheet")?,
            c.i64("row")?,
        );
        for i in 0..n {
            let Some(day) = visit_date[i] else { continue };
            earlier.rows.push(VisitRow {
                oblast_code: oblast_code[i].clone(),
                municipality_code: municipality[i].clone(),
                service_type: service_type[i].clone(),
                service_name: service_name[i].clone(),
                service: (municipality[i].clone(), key_type[i].clone(), key_name[i].clone()),
                visit_date: day,
                area: area[i].clone(),
                assessment: assessment[i].clone(),
                finding: finding[i].clone(),
                recommendation: recommendation[i].clone(),
                deadline: deadline[i],
                responsible: responsible[i].clone(),
                follow_up: follow_up[i].clone(),
                done_on: done_on[i],
                status: None,
                file: file[i].clone(),
                sheet: sheet[i].clone(),
                row: row[i].and_then(|r| u32::try_from(r).ok()).unwrap_or(0),
                earlier: true,
            });
        }
    }
    Ok(earlier)
}
