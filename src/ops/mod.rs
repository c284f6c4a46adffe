//! Relational kernels on Arrow record batches: joins and group-by. Each
//! takes batches and returns a batch (no IO, no clock), works on typed
//! column values rather than per-row enums, and reports progress between
//! chunks through a callback that may stop it.
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

pub mod derive;
pub mod gather;
pub mod group;
pub mod join;
pub mod keys;
pub mod reshape;

#[cfg(test)]
mod tests;

use std::ops::ControlFlow;

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::datatypes::{Field, Schema};
use arrow::error::ArrowError;

use crate::error::OpsError;

/// Rows between two calls of the progress callback.
pub const CHUNK: usize = 65_536;

/// Called with (rows done, rows in all); `Break` stops the kernel, which
/// then returns [`OpsError::Cancelled`].
pub type Progress<'a> = dyn FnMut(u64, u64) -> ControlFlow<()> + 'a;

/// A progress callback that never stops anything.
pub fn no_progress(_: u64, _: u64) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// `batch` with `new` columns after its own (nullable, named as given).
pub fn append_columns(
    batch: &RecordBatch,
    new: Vec<(String, ArrayRef)>,
) -> Result<RecordBatch, ArrowError> {
    let mut fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    let mut columns = batch.columns().to_vec();
    for (name, array) in new {
        fields.push(Field::new(name, array.data_type().clone(), true));
        columns.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

/// The index of column `name` in `batch`, or an error that names `table`
/// and suggests the closest name.
pub fn column_index(batch: &RecordBatch, name: &str, table: &str) -> Result<usize, OpsError> {
    schema_index(batch.schema_ref(), name, table)
}

/// [`column_index`] in a schema.
pub fn schema_index(schema: &Schema, name: &str, table: &str) -> Result<usize, OpsError> {
    if let Some(i) = schema.fields().iter().position(|f| f.name() == name) {
        return Ok(i);
    }
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    Err(OpsError::NoColumn {
        column: name.to_string(),
        table: table.to_string(),
        suggestion: closest(name, &names).map(str::to_string),
    })
}

/// The candidate closest to `name` (ignoring case), if it is close enough
/// to be a likely typo.
pub fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(&c.to_lowercase(), &name.to_lowercase()), *c))
        .filter(|(d, c)| *d <= c.chars().count().max(name.chars().count()) / 3 + 1)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance between two short texts.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}
