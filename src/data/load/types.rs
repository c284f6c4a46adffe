//! Column types: which the lab reads, the width of each buffer they have
//! in a file, and the lab's own type for a decoded column (views as plain
//! text and binary).

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};

use super::{Table, corrupt};
use crate::error::LoadError;

/// The lab's own column types for a decoded table: text and binary views
/// (what polars writes for every text column) become plain text and binary,
/// so every kernel that reads text reads them. Refuses, by name, a column
/// whose values the preview could not show, rather than show them missing.
pub(super) fn normalize(table: Table) -> Result<Table, LoadError> {
    let plain = |data_type: &DataType| match data_type {
        DataType::Utf8View => DataType::Utf8,
        DataType::BinaryView => DataType::Binary,
        DataType::Dictionary(key, value) if **value == DataType::Utf8View => {
            DataType::Dictionary(key.clone(), Box::new(DataType::Utf8))
        }
        other => other.clone(),
    };
    let table = retype(table, |f| plain(f.data_type()), |c, _| plain_column(c))?;
    for batch in &table.batches {
        for (field, column) in table.schema.fields().iter().zip(batch.columns()) {
            if !crate::data::values::formattable(column.as_ref()) {
                return Err(LoadError::UnsupportedType {
                    column: field.name().clone(),
                    data_type: field.data_type().to_string(),
                });
            }
        }
    }
    Ok(table)
}

/// `table` with each field's type given by `new_type` and each column's
/// values by `convert` (the column, and its field's new type).
fn retype(
    table: Table,
    new_type: impl Fn(&Field) -> DataType,
    convert: impl Fn(&ArrayRef, &DataType) -> ArrayRef,
) -> Result<Table, LoadError> {
    let fields: Vec<Field> = table
        .schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_data_type(new_type(f)))
        .collect();
    let schema = Arc::new(Schema::new_with_metadata(
        fields,
        table.schema.metadata().clone(),
    ));
    let mut batches = Vec::with_capacity(table.batches.len());
    for batch in table.batches {
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(column, field)| convert(column, field.data_type()))
            .collect();
        let options =
            arrow::array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        batches.push(
            RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                .map_err(|e| corrupt(e.to_string()))?,
        );
    }
    Ok(Table { schema, batches })
}

/// A column of a view type as its plain type; others as they are.
pub(super) fn plain_column(column: &ArrayRef) -> ArrayRef {
    use arrow::array::{AsArray, BinaryArray, StringArray};
    match column.data_type() {
        DataType::Utf8View => Arc::new(StringArray::from_iter(column.as_string_view().iter())),
        DataType::BinaryView => Arc::new(BinaryArray::from_iter(column.as_binary_view().iter())),
        DataType::Dictionary(_, value) if **value == DataType::Utf8View => {
            let dictionary = column.as_any_dictionary();
            dictionary.with_values(plain_column(dictionary.values()))
        }
        _ => column.clone(),
    }
}

/// The view columns' counts of variadic data buffers, in column order.
pub(super) fn variadic_counts(batch: &arrow_ipc::RecordBatch) -> Vec<i64> {
    batch
        .variadicBufferCounts()
        .map(|v| v.iter().collect())
        .unwrap_or_default()
}

/// The element widths of a batch's buffers for columns of `types`: each
/// column's [`layout`], and for view columns (text and binary views) their
/// variadic data buffers, as many as `variadic` gives, in order.
pub(super) fn batch_layout(types: &[&DataType], variadic: &[i64]) -> Vec<u64> {
    let mut counts = variadic.iter();
    let mut widths = Vec::new();
    for data_type in types {
        widths.extend(layout(data_type));
        if matches!(data_type, DataType::Utf8View | DataType::BinaryView) {
            let count = counts.next().copied().unwrap_or(0).clamp(0, 1 << 20);
            widths.extend(std::iter::repeat_n(1, count as usize));
        }
    }
    widths
}

/// The element width in bytes of each IPC buffer of a column of a
/// supported type, in order (1 for bitmaps and bytes). arrow panics on a
/// buffer whose length is not a multiple of its element width.
pub(super) fn layout(data_type: &DataType) -> Vec<u64> {
    use DataType::*;
    let values = |width: u64| vec![1, width];
    match data_type {
        Null => Vec::new(),
        Boolean | Int8 | UInt8 => values(1),
        Int16 | UInt16 | Float16 => values(2),
        Int32 | UInt32 | Float32 | Date32 | Time32(_) => values(4),
        Int64 | UInt64 | Float64 | Date64 | Time64(_) | Timestamp(..) | Duration(_) => values(8),
        Decimal128(..) => values(16),
        Decimal256(..) => values(32),
        Utf8 | Binary => vec![1, 4, 1],
        LargeUtf8 | LargeBinary => vec![1, 8, 1],
        Utf8View | BinaryView => vec![1, 16],
        Dictionary(key, _) => layout(key),
        _ => Vec::new(),
    }
}

/// The column types the lab reads: flat types, and dictionaries of them.
pub(super) fn supported(data_type: &DataType) -> bool {
    use DataType::*;
    match data_type {
        Null | Boolean | Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
        | Float16 | Float32 | Float64 | Utf8 | LargeUtf8 | Utf8View | Binary | LargeBinary
        | BinaryView | Date32 | Date64 | Time32(_) | Time64(_) | Timestamp(..) | Duration(_)
        | Decimal128(..) | Decimal256(..) => true,
        Dictionary(key, value) => {
            key.is_dictionary_key_type() && !matches!(**value, Dictionary(..)) && supported(value)
        }
        _ => false,
    }
}
