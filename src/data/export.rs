//! A table written out for the visitor to keep: Arrow IPC (the lab's own
//! deterministic writer) or CSV (values as the preview shows them, nulls
//! empty). The browser's download and the command-line `run` call this,
//! so both write the same bytes.

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::data::values::formatter;

/// The formats a result can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Arrow,
    Csv,
}

impl Format {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Arrow => "arrow",
            Format::Csv => "csv",
        }
    }

    /// The media type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Arrow => "application/vnd.apache.arrow.file",
            Format::Csv => "text/csv",
        }
    }
}

/// The bytes of `batch` in `format`.
pub fn export(batch: &RecordBatch, format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Arrow => crate::data::ipc::write_file(batch).map_err(|e| e.to_string()),
        Format::Csv => csv(batch),
    }
}

fn csv(batch: &RecordBatch) -> Result<Vec<u8>, String> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let schema = batch.schema();
    writer
        .write_record(schema.fields().iter().map(|f| f.name().as_str()))
        .map_err(|e| e.to_string())?;
    let formats: Vec<_> = batch
        .columns()
        .iter()
        .map(|c| formatter(c.as_ref()))
        .collect();
    for row in 0..batch.num_rows() {
        writer
            .write_record(formats.iter().map(|f| f(row).unwrap_or_default()))
            .map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Float64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;
    use crate::data::load::{Limits, decode};

    fn table() -> RecordBatch {
        RecordBatch::try_new(
            Arc::new(Schema::new(vec![
                Field::new("name", DataType::Utf8, true),
                Field::new("fte", DataType::Float64, true),
            ])),
            vec![
                Arc::new(StringArray::from(vec![Some("a, \"b\""), None])),
                Arc::new(Float64Array::from(vec![Some(1.5), None])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn csv_quotes_and_leaves_nulls_empty() {
        let text = String::from_utf8(export(&table(), Format::Csv).unwrap()).unwrap();
        assert_eq!(text, "name,fte\n\"a, \"\"b\"\"\",1.5\n,\n");
    }

    #[test]
    fn arrow_reads_back_the_same_table_and_is_deterministic() {
        let bytes = export(&table(), Format::Arrow).unwrap();
        assert_eq!(bytes, export(&table(), Format::Arrow).unwrap());
        let back = decode(bytes, &Limits::default())
            .unwrap()
            .into_batch()
            .unwrap();
        assert_eq!(back, table());
    }
}
