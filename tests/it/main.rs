//! The integration tests: one binary, one module per area.

mod calendar;
mod cli;
mod fuzz;
mod golden;
mod history;
mod hostile;
mod messy;
mod recalc;
mod report;
mod sample;
mod schemas;
mod snapshots;
mod strategy;
mod support;
mod templates;
mod visits;
mod xlsx;
