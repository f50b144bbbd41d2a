//! Validation: takes raw records (cells found on sheets) and gives typed
//! [`Record`]s and every [`Issue`] about them — per value ([`value`]), per
//! record ([`record`]) and across files ([`across`]). A record with any
//! error is rejected; warnings keep it.

pub mod across;
pub mod protocol;
pub mod record;
pub mod value;

pub use value::Value;

use crate::period::Period;
use crate::schema::{Role, Schemas, Template};
use crate::sheet::CellRef;

/// What validation needs to know about the run.
pub struct Context<'a> {
    pub schemas: &'a Schemas,
    pub period: Period,
    /// The run's oblast (code); `None` when every oblast is read.
    pub oblast: Option<&'a str>,
}

/// A record read and checked: values by field, where each came from, and
/// the municipality and oblast it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Index into the schemas' templates.
    pub template: usize,
    pub file: String,
    pub sheet: String,
    pub anchor: CellRef,
    /// One slot per template field (title-block fields included).
    pub values: Vec<Option<Value>>,
    pub cells: Vec<Option<CellRef>>,
    /// Municipality code, when resolved.
    pub municipality: Option<String>,
    /// Oblast code (the municipality's, else the one written), when resolved.
    pub oblast: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    /// False for the later copies of a duplicate: listed, not counted.
    pub counted: bool,
}

impl Record {
    pub fn accepted(&self) -> bool {
        self.errors == 0
    }

    /// The value of a field by id.
    pub fn get<'a>(&'a self, template: &Template, id: &str) -> Option<&'a Value> {
        template.field_index(id).and_then(|i| self.values[i].as_ref())
    }

    /// Where a record is, for messages: the anchor cell for tables, the sheet for cards.
    pub fn location(&self) -> crate::issue::Location {
        crate::issue::Location::cell(&self.file, &self.sheet, self.anchor)
    }
}

/// Records of each role, for the stages after validation.
pub fn role_of(schemas: &Schemas, record: &Record) -> Role {
    schemas.templates[record.template].role
}
