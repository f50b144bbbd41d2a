//! Columns of the stored tables: the few shapes every stored table is made
//! of (text, optional text, whole numbers, decimals, yes/no; dates as ISO
//! text), for the history's own tables and for the stages that hand it
//! theirs (the strategy, the visits).

use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame};

use crate::error::Result;

use super::tables::polars_error;

/// A date as the history stores it: ISO text.
pub fn iso(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.to_string())
}

pub fn text(name: &str, values: impl IntoIterator<Item = String>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<String>>())
}

pub fn opt_text(name: &str, values: impl IntoIterator<Item = Option<String>>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<Option<String>>>())
}

pub fn ints(name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<Option<i64>>>())
}

pub fn floats(name: &str, values: impl IntoIterator<Item = Option<f64>>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<Option<f64>>>())
}

pub fn bools(name: &str, values: impl IntoIterator<Item = Option<bool>>) -> Column {
    Column::new(name.into(), values.into_iter().collect::<Vec<Option<bool>>>())
}

/// A stored table of these columns.
///
/// Errors: [`crate::error::Error::Aggregate`] if polars refuses the frame (a bug).
pub fn frame(columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new_infer_height(columns).map_err(polars_error)
}
