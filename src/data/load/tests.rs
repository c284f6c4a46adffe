//! The loader on good, cut, damaged and hostile files.

use std::sync::Arc;

use arrow::array::{
    BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array, StringArray,
};
use arrow::datatypes::{Field, Int32Type};
use arrow::ipc::writer::{FileWriter, IpcWriteOptions, StreamWriter};

use super::*;

/// A table of every common column type, with nulls, in two batches.
pub(crate) fn sample() -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int32, true),
        Field::new("value", DataType::Float64, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("flag", DataType::Boolean, true),
        Field::new("day", DataType::Date32, true),
        Field::new(
            "kind",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
    ]));
    (0..2)
        .map(|b| {
            let n = 50 + b * 25;
            let kind: DictionaryArray<Int32Type> = (0..n)
                .map(|i| ["län", "kommun", "myndighet"].get(i % 4).copied())
                .collect();
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(
                        (0..n)
                            .map(|i| (i % 7 != 0).then_some(i as i32))
                            .collect::<Int32Array>(),
                    ),
                    Arc::new(
                        (0..n)
                            .map(|i| Some(i as f64 * 1.5))
                            .collect::<Float64Array>(),
                    ),
                    Arc::new(
                        (0..n)
                            .map(|i| (i % 5 != 0).then(|| format!("rad {i} åäö")))
                            .collect::<StringArray>(),
                    ),
                    Arc::new((0..n).map(|i| Some(i % 2 == 0)).collect::<BooleanArray>()),
                    Arc::new(
                        (0..n)
                            .map(|i| Some(19_000 + i as i32))
                            .collect::<Date32Array>(),
                    ),
                    Arc::new(kind),
                ],
            )
            .unwrap()
        })
        .collect()
}

pub(crate) fn file(batches: &[RecordBatch], lz4: bool) -> Vec<u8> {
    let options = options(lz4);
    let mut writer =
        FileWriter::try_new_with_options(Vec::new(), &batches[0].schema(), options).unwrap();
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    writer.into_inner().unwrap()
}

pub(crate) fn stream(batches: &[RecordBatch], lz4: bool) -> Vec<u8> {
    let options = options(lz4);
    let mut writer =
        StreamWriter::try_new_with_options(Vec::new(), &batches[0].schema(), options).unwrap();
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    writer.into_inner().unwrap()
}

fn options(lz4: bool) -> IpcWriteOptions {
    let compression = lz4.then_some(arrow_ipc::CompressionType::LZ4_FRAME);
    IpcWriteOptions::default()
        .try_with_compression(compression)
        .unwrap()
}

#[test]
fn decodes_files_and_streams_plain_and_lz4() {
    let batches = sample();
    for lz4 in [false, true] {
        for (format, bytes) in [
            (Format::File, file(&batches, lz4)),
            (Format::Stream, stream(&batches, lz4)),
        ] {
            assert_eq!(sniff(&bytes).unwrap(), format);
            let table = decode(bytes, &Limits::default()).unwrap();
            assert_eq!(table.batches, batches, "{format:?}, lz4 {lz4}");
            assert_eq!(table.num_rows(), 125);
        }
    }
}

#[test]
fn not_arrow_gets_a_message_that_says_what_it_is() {
    assert_eq!(
        decode(Vec::new(), &Limits::default()),
        Err(LoadError::Empty)
    );
    assert_eq!(
        decode(
            b"\n  <!DOCTYPE html><html>404</html>".to_vec(),
            &Limits::default()
        ),
        Err(LoadError::Html)
    );
    let error = decode(b"PK\x03\x04zipfile".to_vec(), &Limits::default()).unwrap_err();
    assert!(matches!(error, LoadError::NotArrow { .. }), "{error}");
    assert!(error.to_string().contains("PK"), "{error}");
    let error = decode(
        b"county_code;name\n01;Stockholm".to_vec(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(error, LoadError::NotArrow { .. }), "{error}");
}

#[test]
fn truncated_files_are_reported_as_such() {
    let bytes = file(&sample(), false);
    for cut in [1, 7, 12, bytes.len() / 2, bytes.len() - 1] {
        let error = decode(bytes[..cut].to_vec(), &Limits::default()).unwrap_err();
        assert!(
            matches!(
                error,
                LoadError::Truncated { .. }
                    | LoadError::Corrupt { .. }
                    | LoadError::NotArrow { .. }
            ),
            "cut at {cut}: {error}"
        );
    }
    let bytes = stream(&sample(), false);
    let error = decode(bytes[..bytes.len() / 2].to_vec(), &Limits::default()).unwrap_err();
    assert!(matches!(error, LoadError::Truncated { .. }), "{error}");
}

#[test]
fn limits_are_enforced_before_allocating() {
    let bytes = file(&sample(), false);
    let rows = Limits {
        max_rows: 100,
        ..Limits::default()
    };
    assert!(matches!(
        decode(bytes.clone(), &rows),
        Err(LoadError::TooLarge { what: "rows", .. })
    ));
    let small = Limits {
        max_decoded_bytes: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        decode(bytes.clone(), &small),
        Err(LoadError::TooLarge { .. })
    ));
    let columns = Limits {
        max_columns: 3,
        ..Limits::default()
    };
    assert!(matches!(
        decode(bytes, &columns),
        Err(LoadError::TooLarge {
            what: "columns",
            ..
        })
    ));
}

#[test]
fn an_lz4_buffer_announcing_gigabytes_is_refused() {
    let bytes = stream(&sample(), true);
    // Find the first compressed buffer's declared length: the body of
    // the first record batch starts with it. Replace every plausible
    // small declared length (i64 LE) with 2 GiB.
    let mut hostile = bytes.clone();
    let mut replaced = 0;
    for at in (0..hostile.len() - 8).step_by(8) {
        let n = i64::from_le_bytes(hostile[at..at + 8].try_into().unwrap());
        if (200..=1000).contains(&n) {
            hostile[at..at + 8].copy_from_slice(&(2_i64 << 30).to_le_bytes());
            replaced += 1;
        }
    }
    assert!(replaced > 0);
    let error = decode(hostile, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            error,
            LoadError::TooLarge { .. } | LoadError::Corrupt { .. }
        ),
        "{error}"
    );
}

#[test]
fn files_are_told_apart_by_name_then_by_bytes() {
    let arrow = file(&sample(), false);
    assert_eq!(detect("a.CSV", &arrow), FileKind::Csv);
    assert_eq!(detect("kommuner.txt", b"a;b"), FileKind::Csv);
    assert_eq!(detect("a.feather", b"a,b\n1,2"), FileKind::Arrow);
    assert_eq!(detect("download", &arrow), FileKind::Arrow);
    assert_eq!(detect("download", b"a,b\n1,2"), FileKind::Csv);
    // An empty or HTML file without a name is Arrow's to refuse by name.
    assert_eq!(detect("download", b""), FileKind::Arrow);
    assert_eq!(detect("download", b"<html>"), FileKind::Arrow);
}

#[test]
fn nested_types_are_refused_by_name() {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Int32, true)));
    assert!(!supported(&list));
    assert!(supported(&DataType::Dictionary(
        Box::new(DataType::Int8),
        Box::new(DataType::Utf8)
    )));
    assert!(!supported(&DataType::Dictionary(
        Box::new(DataType::Utf8),
        Box::new(DataType::Utf8)
    )));
}

#[test]
fn a_dictionary_delta_adds_to_the_dictionary_before_it() {
    use arrow_ipc::writer::DictionaryHandling;
    let kind = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let schema = Arc::new(Schema::new(vec![Field::new("kind", kind, true)]));
    // The second batch's dictionary is the first's and two more values,
    // which the writer sends as a delta; its rows use old and new values.
    let batch = |values: &[&str], keys: &[Option<i32>]| {
        let keys: Int32Array = keys.iter().copied().collect();
        let column = DictionaryArray::<Int32Type>::try_new(
            keys,
            Arc::new(StringArray::from(values.to_vec())),
        )
        .unwrap();
        RecordBatch::try_new(schema.clone(), vec![Arc::new(column)]).unwrap()
    };
    let batches = [
        batch(&["län", "kommun"], &[Some(0), Some(1), None]),
        batch(
            &["län", "kommun", "myndighet", "region"],
            &[Some(3), Some(0), Some(2), None, Some(1)],
        ),
    ];
    let write = |handling| {
        let options = IpcWriteOptions::default().with_dictionary_handling(handling);
        let mut writer = StreamWriter::try_new_with_options(Vec::new(), &schema, options).unwrap();
        for b in &batches {
            writer.write(b).unwrap();
        }
        writer.finish().unwrap();
        writer.into_inner().unwrap()
    };
    let delta = write(DictionaryHandling::Delta);
    let resent = write(DictionaryHandling::Resend);
    // The same batches and dictionaries: only a delta makes them differ.
    assert_ne!(delta, resent, "the writer sent no delta");
    let text = |bytes: Vec<u8>| -> Vec<Option<String>> {
        let table = decode(bytes, &Limits::default()).unwrap();
        table
            .batches
            .iter()
            .flat_map(|b| dictionary_text(b.column(0)))
            .collect()
    };
    let expected: Vec<Option<String>> = [
        Some("län"),
        Some("kommun"),
        None,
        Some("region"),
        Some("län"),
        Some("myndighet"),
        None,
        Some("kommun"),
    ]
    .iter()
    .map(|v| v.map(String::from))
    .collect();
    assert_eq!(text(delta), expected);
    assert_eq!(text(resent), expected);
}

/// A dictionary column's rows as text.
fn dictionary_text(column: &dyn arrow::array::Array) -> Vec<Option<String>> {
    use arrow::array::AsArray;
    let column = column.as_any_dictionary();
    let values = column.values().as_string::<i32>();
    let keys = column.normalized_keys();
    (0..column.len())
        .map(|i| {
            column
                .is_valid(i)
                .then(|| values.value(keys[i]).to_string())
        })
        .collect()
}

#[test]
fn into_batch_puts_the_batches_one_after_the_other() {
    // Two batches with dictionaries of their own, and one of no rows.
    let mut batches = sample();
    batches.insert(1, batches[0].slice(0, 0));
    let schema = batches[0].schema();
    let table = Table {
        schema: schema.clone(),
        batches: batches.clone(),
    };
    let one = table.into_batch().unwrap();
    let reference = arrow::compute::concat_batches(&schema, &batches).unwrap();
    assert_eq!(one.num_rows(), 125);
    for (c, field) in schema.fields().iter().enumerate() {
        if matches!(field.data_type(), DataType::Dictionary(..)) {
            assert_eq!(
                dictionary_text(one.column(c)),
                dictionary_text(reference.column(c))
            );
        } else {
            assert_eq!(one.column(c), reference.column(c), "{}", field.name());
        }
    }
    // No batches: no rows, the schema kept; one batch: itself.
    let empty = Table {
        schema: schema.clone(),
        batches: vec![],
    };
    assert_eq!(empty.into_batch().unwrap().num_rows(), 0);
    let single = Table {
        schema,
        batches: vec![batches[0].clone()],
    };
    assert_eq!(single.into_batch().unwrap(), batches[0]);
}

#[test]
fn dictionaries_too_many_for_their_keys_are_joined_with_wider_keys() {
    use arrow::datatypes::Int8Type;
    let kind = DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8));
    let schema = Arc::new(Schema::new(vec![Field::new("kind", kind, true)]));
    // Batches with dictionaries of their own (as a stream's replacements or
    // a Parquet file's row groups give them): `size` values each.
    let batches = |size: usize| -> Vec<RecordBatch> {
        (0..2)
            .map(|b| {
                let texts: Vec<Option<String>> = (0..size)
                    .rev()
                    .map(|i| (i % 7 != 3).then(|| format!("{b}-{i}")))
                    .collect();
                let column: DictionaryArray<Int8Type> =
                    texts.iter().map(|t| t.as_deref()).collect();
                RecordBatch::try_new(schema.clone(), vec![Arc::new(column)]).unwrap()
            })
            .collect()
    };
    let expected = |size: usize| -> Vec<Option<String>> {
        (0..2)
            .flat_map(|b| {
                (0..size)
                    .rev()
                    .map(move |i| (i % 7 != 3).then(|| format!("{b}-{i}")))
            })
            .collect()
    };
    for (size, key) in [(100, DataType::Int32), (50, DataType::Int8)] {
        let table = Table {
            schema: schema.clone(),
            batches: batches(size),
        };
        let one = table.into_batch().unwrap();
        assert_eq!(dictionary_text(one.column(0)), expected(size), "{size}");
        let DataType::Dictionary(keys, _) = one.schema().field(0).data_type().clone() else {
            panic!("not a dictionary");
        };
        assert_eq!(*keys, key, "{size}");
    }
}

/// `batches` as a Parquet file of row groups of `group_rows` rows, its
/// pages compressed with `codec`.
pub(crate) fn parquet_file(
    batches: &[RecordBatch],
    group_rows: usize,
    codec: ::parquet::basic::Compression,
) -> Vec<u8> {
    use ::parquet::arrow::ArrowWriter;
    use ::parquet::file::properties::WriterProperties;
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .set_compression(codec)
        .build();
    let mut bytes = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut bytes, batches[0].schema(), Some(properties)).unwrap();
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.close().unwrap();
    bytes
}

fn ipc_batch(ipc: Vec<u8>) -> RecordBatch {
    decode(ipc, &Limits::default())
        .unwrap()
        .into_batch()
        .unwrap()
}

#[test]
fn a_parquet_files_head_and_columns_are_what_the_whole_file_holds() {
    use ::parquet::basic::{Compression, ZstdLevel};
    let whole = Table {
        schema: sample()[0].schema(),
        batches: sample(),
    }
    .into_batch()
    .unwrap();
    let rows = whole.num_rows();
    let codecs = [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::ZSTD(ZstdLevel::default()),
    ];
    for codec in codecs {
        for group_rows in [1, 7, 50, 1000] {
            let bytes = bytes::Bytes::from(parquet_file(&sample(), group_rows, codec));
            let read = decode(bytes.to_vec(), &Limits::default())
                .unwrap()
                .into_batch()
                .unwrap();
            assert_eq!(read, whole, "{codec} {group_rows}");
            for head in [0, 1, 10, 49, 50, 51, 125, 126, 10_000] {
                let (ipc, all) = parquet_head(bytes.clone(), &Limits::default(), head).unwrap();
                assert_eq!(all, rows as u64);
                let first = ipc_batch(ipc);
                let n = (head as usize).min(rows);
                assert_eq!(first, whole.slice(0, n), "{codec} {group_rows} {head}");
            }
            let names = ["value", "kind"].map(String::from).into();
            let ipc = parquet_columns(bytes.clone(), &Limits::default(), &names).unwrap();
            assert_eq!(ipc_batch(ipc), whole.project(&[1, 5]).unwrap());
        }
    }
}

#[test]
fn a_parquet_files_damaged_pages_are_found_when_they_are_read() {
    // Row groups of 25 rows; the page header of the last row group's
    // "name" chunk is overwritten.
    let clean = parquet_file(&sample(), 25, ::parquet::basic::Compression::SNAPPY);
    let metadata = ::parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&bytes::Bytes::from(clean.clone()))
        .unwrap();
    let last = metadata.row_groups().last().unwrap();
    let at = last.column(2).data_page_offset() as usize;
    let mut damaged = clean;
    damaged[at..at + 8].fill(0xff);
    let damaged = bytes::Bytes::from(damaged);
    let limits = Limits::default();
    // The first rows and the other columns are read as before.
    let (head, rows) = parquet_head(damaged.clone(), &limits, 30).unwrap();
    assert_eq!((ipc_batch(head).num_rows(), rows), (30, 125));
    let others = ["id", "value", "flag"].map(String::from).into();
    assert_eq!(
        ipc_batch(parquet_columns(damaged.clone(), &limits, &others).unwrap()).num_rows(),
        125
    );
    // The damaged column says so when it is read.
    for columns in [["name"].map(String::from).into(), BTreeSet::new()] {
        let columns: BTreeSet<String> = columns;
        let all = sample()[0]
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let asked = if columns.is_empty() { all } else { columns };
        let error = parquet_columns(damaged.clone(), &limits, &asked).unwrap_err();
        assert!(error.to_string().contains("\"name\""), "{error}");
    }
}
