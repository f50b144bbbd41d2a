//! Monitoring visits to providers (`../shared/spec/VISITS.md`): the visit
//! protocols (`provider_visit`, a form and a table on one sheet) checked
//! ([`protocol`]), each visit matched with this run's service cards, its
//! recommendations followed across periods, and the coverage of the
//! state-delegated services ([`follow`]).
//!
//! A protocol comes out of validation as records of the `provider_visit`
//! template: the form first, then one record per row, each row carrying the
//! form's values. [`Protocol`]s put them together again.

pub mod follow;
pub mod stored;

use crate::schema::fields::visit;
use crate::schema::{Role, Schemas, Template};
use crate::validate::Record;

/// Whether a record of the visit template is one of a protocol's rows (its
/// area's cell is known) rather than the protocol's form.
pub fn is_row(template: &Template, record: &Record) -> bool {
    template
        .field_index(visit::AREA)
        .is_some_and(|f| record.cells[f].is_some())
}

/// One protocol as read: its form and its rows, by index into the run's records.
#[derive(Debug, Clone)]
pub struct Protocol {
    pub form: usize,
    pub rows: Vec<usize>,
}

/// The protocols among the run's records, in report order. Rows follow
/// their form (validation gives them so).
pub fn protocols(schemas: &Schemas, records: &[Record]) -> Vec<Protocol> {
    let mut out: Vec<Protocol> = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let template = &schemas.templates[record.template];
        if template.role != Role::ProviderVisit {
            continue;
        }
        if is_row(template, record) {
            if let Some(last) = out
                .last_mut()
                .filter(|p| records[p.form].file == record.file && records[p.form].sheet == record.sheet)
            {
                last.rows.push(i);
            }
        } else {
            out.push(Protocol {
                form: i,
                rows: Vec::new(),
            });
        }
    }
    out
}

/// The run's visits: the earlier periods' rows read from the history (when
/// the run keeps one), then every visit matched and followed.
///
/// Errors: [`crate::error::Error::History`] when a stored table cannot be read.
pub fn run(
    config: &crate::config::Config,
    run: &crate::run::Run,
    aggregates: &crate::aggregate::Aggregates,
    history: Option<&crate::history::History>,
) -> crate::error::Result<follow::Visits> {
    let mut earlier = follow::Earlier::default();
    if let Some(history) = history {
        for oblast in &run.oblasts {
            let stored = stored::load(history, oblast, &config.period)?;
            earlier.rows.extend(stored.rows);
            earlier.visited.extend(stored.visited);
        }
    }
    Ok(follow::follow(
        &config.schemas,
        &config.period,
        &run.records,
        &aggregates.services,
        &run.oblasts,
        earlier,
    ))
}
