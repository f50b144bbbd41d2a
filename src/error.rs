//! Fatal errors: what stops a run (bad flags, a broken schema, an output that
//! cannot be written). Problems in the data are never errors of this kind;
//! they are [`crate::issue::Issue`] values, collected and reported.

use std::path::PathBuf;

/// A reason the run cannot go on. Each maps to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("schema {file}: {message}")]
    Schema { file: String, message: String },

    #[error("reference data {file}: {message}")]
    Reference { file: String, message: String },

    #[error("input folder {path}: {source}")]
    Input {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write {path}: {message}")]
    Output { path: PathBuf, message: String },

    #[error("{0}")]
    Usage(String),

    /// The history of runs cannot be read or written.
    #[error("history {path}: {message}")]
    History { path: PathBuf, message: String },

    /// polars failed while adding up: a bug, never a data problem.
    #[error("aggregation failed: {0}")]
    Aggregate(String),
}

impl Error {
    pub fn output(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        Error::Output {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

impl Error {
    pub fn history(path: impl Into<PathBuf>, message: impl ToString) -> Self {
        Error::History {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
