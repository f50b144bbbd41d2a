//! socmon: reads the returns of municipalities and Social Assistance
//! Directorates (DSP) for the monitoring of a regional strategy for social
//! services, checks every value against the template schemas, adds up what
//! is valid and writes the monitoring report.
//!
//! The pipeline, one module per stage:
//! [`ingest`] (files → sheets) → [`extract`] (sheets → raw records and the
//! workbook's findings) → [`validate`] (typed records + issues) →
//! [`sender`] (whose each finding is) → [`calendar`] (when each return
//! came, in time or not) → [`aggregate`] (polars frames) →
//! [`compare`] and [`outliers`] (against the [`history`]) → [`tally`]
//! (errors and warnings counted once) → [`report`] (workbook, CSV, JSON,
//! feedback) and [`history`] (each run's data as Parquet). [`pipeline`]
//! runs them in order from a resolved [`config::Config`] and hands the
//! checked [`run::Run`] down; nothing below it imports it.

pub mod aggregate;
pub mod book;
pub mod calendar;
pub mod cli;
pub mod compare;
pub mod config;
pub mod error;
pub mod exact;
pub mod extract;
pub mod history;
pub mod ingest;
pub mod issue;
pub mod normalize;
pub mod outliers;
pub mod paths;
pub mod period;
pub mod pipeline;
pub mod reference;
pub mod report;
pub mod run;
pub mod sample;
pub mod schema;
pub mod sender;
pub mod sheet;
pub mod staged;
pub mod strategy;
pub mod tally;
pub mod templates;
pub mod validate;
pub mod visits;
