//! Seeded mutations of valid Arrow files and streams, shared by the native
//! mutation test (`tests/load_mutation.rs`) and the browser tests
//! (`tests/web.rs`), so the same inputs are tried on both.

use std::sync::Arc;

use arrow::array::{DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Int32Type, Schema};
use arrow::ipc::writer::{FileWriter, IpcWriteOptions, StreamWriter};

/// The project's seeded generator (SplitMix64), the same on every machine.
pub use datalabb::ml::rng::Rng;

pub fn batches() -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int64, true),
        Field::new("x", DataType::Float64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new(
            "d",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
    ]));
    (0..3)
        .map(|b| {
            let n = 20 + b * 7;
            let d: DictionaryArray<Int32Type> = (0..n)
                .map(|i| ["a", "bb", "ccc"].get(i % 4).copied())
                .collect();
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(
                        (0..n)
                            .map(|i| (i % 3 != 0).then_some(i as i64))
                            .collect::<Int64Array>(),
                    ),
                    Arc::new(
                        (0..n)
                            .map(|i| Some(i as f64 / 3.0))
                            .collect::<Float64Array>(),
                    ),
                    Arc::new(
                        (0..n)
                            .map(|i| (i % 4 != 1).then(|| "x".repeat(i % 9)))
                            .collect::<StringArray>(),
                    ),
                    Arc::new(d),
                ],
            )
            .unwrap()
        })
        .collect()
}

/// The sample as a file and as a stream, each plain and lz4-compressed.
pub fn encodings() -> Vec<Vec<u8>> {
    let batches = batches();
    let mut out = Vec::new();
    for lz4 in [false, true] {
        let options = IpcWriteOptions::default()
            .try_with_compression(lz4.then_some(arrow::ipc::CompressionType::LZ4_FRAME))
            .unwrap();
        let mut file =
            FileWriter::try_new_with_options(Vec::new(), &batches[0].schema(), options.clone())
                .unwrap();
        let mut stream =
            StreamWriter::try_new_with_options(Vec::new(), &batches[0].schema(), options).unwrap();
        for batch in &batches {
            file.write(batch).unwrap();
            stream.write(batch).unwrap();
        }
        file.finish().unwrap();
        stream.finish().unwrap();
        out.push(file.into_inner().unwrap());
        out.push(stream.into_inner().unwrap());
    }
    out
}

const INTERESTING_32: [i32; 9] = [0, -1, -8, 1, 8, i32::MAX, i32::MIN, 0x7fff_fff0, 1 << 30];
const INTERESTING_64: [i64; 8] = [0, -1, -2, 8, i64::MAX, i64::MIN, 1 << 31, 1 << 40];

/// One to four random edits: bytes, interesting integers, cuts, copies.
pub fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(6) {
            0 => bytes[at] = rng.next_u64() as u8,
            1 if at + 4 <= bytes.len() => {
                let value = INTERESTING_32[rng.below(INTERESTING_32.len())];
                bytes[at & !3..(at & !3) + 4].copy_from_slice(&value.to_le_bytes());
            }
            2 if (at & !7) + 8 <= bytes.len() => {
                let value = INTERESTING_64[rng.below(INTERESTING_64.len())];
                bytes[at & !7..(at & !7) + 8].copy_from_slice(&value.to_le_bytes());
            }
            3 => bytes.truncate(at),
            4 => {
                let end = (at + rng.below(64)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.below(bytes.len());
                bytes.splice(to..to, copy);
            }
            _ => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    bytes
}
