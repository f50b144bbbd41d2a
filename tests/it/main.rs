//! The integration tests: one binary, one module per area.

mod cli;
mod fuzz;
mod history;
mod hostile;
mod messy;
mod report;
mod sample;
mod schemas;
mod support;
mod templates;
