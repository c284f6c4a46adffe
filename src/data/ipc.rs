//! Arrow IPC files: writing one record batch as an IPC file.
//!
//! The bytes are deterministic for a given batch: schema metadata is a hash
//! map, whose iteration order (and so the written order) changes between
//! processes, so [`write_file`] refuses more than one key in it. Datalabb
//! keeps its documentation under the single key [`METADATA_KEY`].

use arrow::array::RecordBatch;
use arrow::error::ArrowError;
use arrow::ipc::writer::FileWriter;

/// The one schema metadata key of a published file: a JSON document with
/// the dataset's title, description, sources, licence and column docs.
pub const METADATA_KEY: &str = "datalabb";

/// Writes `batch` as an Arrow IPC file (uncompressed, readable by pyarrow,
/// polars and DuckDB).
pub fn write_file(batch: &RecordBatch) -> Result<Vec<u8>, ArrowError> {
    let schema = batch.schema();
    let unordered =
        schema.metadata().len() > 1 || schema.fields().iter().any(|f| f.metadata().len() > 1);
    if unordered {
        return Err(ArrowError::InvalidArgumentError(
            "more than one metadata key would be written in a random order".into(),
        ));
    }
    let mut writer = FileWriter::try_new(Vec::new(), &schema)?;
    writer.write(batch)?;
    writer.finish()?;
    writer.into_inner()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow::array::{Int32Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use arrow::ipc::reader::FileReader;

    use super::*;

    fn batch(metadata: HashMap<String, String>) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("code", DataType::Utf8, false),
            Field::new("n", DataType::Int32, true),
        ])
        .with_metadata(metadata);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec!["0114", "0115"])),
                Arc::new(Int32Array::from(vec![Some(1), None])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn writes_a_file_arrow_reads_back() {
        let metadata = HashMap::from([(METADATA_KEY.to_string(), "{}".to_string())]);
        let bytes = write_file(&batch(metadata.clone())).unwrap();
        assert_eq!(&bytes[..6], b"ARROW1");
        let reader = FileReader::try_new(std::io::Cursor::new(bytes.clone()), None).unwrap();
        assert_eq!(reader.schema().metadata(), &metadata);
        let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
        assert_eq!(batches, vec![batch(metadata.clone())]);
        assert_eq!(
            write_file(&batch(metadata)).unwrap(),
            bytes,
            "deterministic"
        );
    }

    #[test]
    fn refuses_metadata_that_would_be_written_in_random_order() {
        let metadata = HashMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]);
        assert!(write_file(&batch(metadata)).is_err());
    }
}
