//! The integration tests: one binary, one module per area.

mod cli;
mod messy;
mod report;
mod support;
