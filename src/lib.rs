//! socmon: reads the returns of municipalities and Social Assistance
//! Directorates (DSP) for the monitoring of a regional strategy for social
//! services, checks every value against the template schemas, adds up what
//! is valid and writes the monitoring report.
//!
//! The pipeline, one module per stage:
//! [`ingest`] (files → sheets) → [`extract`] (sheets → raw records) →
//! [`validate`] (typed records + issues) → [`aggregate`] (polars frames) →
//! [`report`] (workbook, CSV, JSON, feedback). [`pipeline`] runs them in
//! order from a resolved [`config::Config`]. Quarter after quarter,
//! [`history`] keeps each run's data as Parquet, [`compare`] sets a run
//! against the previous period and [`outliers`] flags the values that
//! deserve a second look.

pub mod aggregate;
pub mod book;
pub mod cli;
pub mod compare;
pub mod config;
pub mod error;
pub mod extract;
pub mod history;
pub mod ingest;
pub mod issue;
pub mod normalize;
pub mod outliers;
pub mod period;
pub mod pipeline;
pub mod reference;
pub mod report;
pub mod sample;
pub mod schema;
pub mod sheet;
pub mod templates;
pub mod validate;
pub mod visits;
