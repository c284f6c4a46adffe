//! A file's batches joined into one table, and a dictionary's delta
//! appended to it, with arrow's `MutableArrayData`: arrow's `concat` (and
//! arrow-ipc's `read_dictionary`, which calls it) brings the concat and
//! interleave kernels of every Arrow type into the worker, about 850 KB of
//! its wasm.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, DictionaryArray, Int32Array, MutableArrayData, RecordBatch,
    RecordBatchOptions, make_array,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::corrupt;
use crate::error::LoadError;

/// `batches` (of `schema`) as one batch. Dictionaries that differ between
/// batches are put one after the other, their keys moved along; where
/// that overflows 8- or 16-bit keys, the keys are widened to 32 bits and
/// the column's type with them.
pub(super) fn joined(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<RecordBatch, LoadError> {
    let batches = match <[RecordBatch; 1]>::try_from(batches) {
        Ok([batch]) => return Ok(batch),
        Err(batches) if batches.is_empty() => return Ok(RecordBatch::new_empty(schema)),
        Err(batches) => batches,
    };
    let rows = batches.iter().map(RecordBatch::num_rows).sum();
    let columns = (0..schema.fields().len())
        .map(|c| {
            let parts = batches
                .iter()
                .map(|b| b.columns().get(c).cloned())
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| corrupt("a batch lacks a column of the schema".into()))?;
            match widened_dictionary(&parts)? {
                Some(widened) => Ok(widened),
                None => appended(&parts),
            }
        })
        .collect::<Result<Vec<_>, LoadError>>()?;
    // A widened dictionary's keys change its column's type.
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .zip(&columns)
        .map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone()))
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    RecordBatch::try_new_with_options(schema, columns, &options).map_err(|e| corrupt(e.to_string()))
}

/// `parts` one after the other; parts of different types are an error
/// (`MutableArrayData` would assert), as are text offsets or dictionary
/// keys that would overflow.
pub(super) fn appended(parts: &[ArrayRef]) -> Result<ArrayRef, LoadError> {
    let Some(first) = parts.first() else {
        return Err(corrupt("nothing to put together".into()));
    };
    if let Some(other) = parts.iter().find(|p| p.data_type() != first.data_type()) {
        return Err(corrupt(format!(
            "{} and {} values in one column",
            first.data_type(),
            other.data_type()
        )));
    }
    let failed = |e: arrow::error::ArrowError| corrupt(e.to_string());
    let data: Vec<_> = parts.iter().map(|p| p.to_data()).collect();
    let rows = data.iter().map(|d| d.len()).sum();
    let mut all = MutableArrayData::try_new(data.iter().collect(), false, rows).map_err(failed)?;
    for (b, part) in data.iter().enumerate() {
        all.try_extend(b, 0, part.len()).map_err(failed)?;
    }
    Ok(make_array(all.freeze()))
}

/// A dictionary column whose batches bring dictionaries of their own that,
/// one after the other, hold more values than its keys can count (8-bit
/// keys and two row groups of 100 values each): its keys widened to 32
/// bits, each batch's moved past the dictionaries before it. `None` for
/// any other column.
fn widened_dictionary(parts: &[ArrayRef]) -> Result<Option<ArrayRef>, LoadError> {
    let Some(DataType::Dictionary(key, _)) = parts.first().map(|p| p.data_type()) else {
        return Ok(None);
    };
    let most: usize = match **key {
        DataType::Int8 => 1 << 7,
        DataType::UInt8 => 1 << 8,
        DataType::Int16 => 1 << 15,
        DataType::UInt16 => 1 << 16,
        _ => return Ok(None),
    };
    // Parts of another type are `appended`'s error.
    let Some(dictionaries) = parts
        .iter()
        .map(|p| p.as_any_dictionary_opt())
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let shared = dictionaries
        .windows(2)
        .all(|w| w[0].values().to_data().ptr_eq(&w[1].values().to_data()));
    let total: usize = dictionaries.iter().map(|d| d.values().len()).sum();
    if shared || total <= most {
        return Ok(None);
    }
    let too_many = || corrupt(format!("a dictionary column holds {total} values in all"));
    let mut keys = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    let mut offset = 0usize;
    for d in &dictionaries {
        // arrow's `normalized_keys` asserts on an empty dictionary, whose
        // rows can only be null.
        let normal = if d.values().is_empty() {
            vec![]
        } else {
            d.normalized_keys()
        };
        for i in 0..d.len() {
            keys.push(match normal.get(i) {
                Some(&k) if d.is_valid(i) => {
                    Some(i32::try_from(offset + k).map_err(|_| too_many())?)
                }
                _ => None,
            });
        }
        offset += d.values().len();
    }
    let values: Vec<ArrayRef> = dictionaries.iter().map(|d| d.values().clone()).collect();
    let widened = DictionaryArray::try_new(Int32Array::from(keys), appended(&values)?)
        .map_err(|e| corrupt(e.to_string()))?;
    Ok(Some(Arc::new(widened)))
}
