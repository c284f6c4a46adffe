//! Decoding benchmark, native: the same table as an uncompressed Arrow IPC
//! file (the baseline, in the same run) and as Parquet files of about
//! 100 MB (Snappy, zstd and uncompressed pages, dictionary-coded text), each
//! through `data::load::decode`, the loader the browser's worker and
//! `datalabb run` use (its page walk included, and the batches joined into
//! one), and the Snappy file's batches before they are joined and by the
//! parquet crate's reader alone (what the walk and the join cost). And
//! what the browser's Parquet worker reads of the Snappy file when it
//! opens (its first 1,000 rows) and when an analysis reads one column
//! (`value`), each as the Arrow IPC file it hands over.
//! Throughput is the file's bytes over the time.
//!
//!   cargo bench --bench decode          RUNS=N for more runs, ROWS=N rows

// `median` and `report` of the shared helpers.
#[cfg(not(target_arch = "wasm32"))]
mod common;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common::{median, report};
    use std::hint::black_box;
    use std::sync::Arc;
    use std::time::Instant;

    use arrow::array::{ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    use datalabb::data::ipc::write_file;
    use datalabb::data::load::{Limits, decode, parquet_columns, parquet_head};
    use datalabb::ml::rng::Rng;

    fn table(rows: usize) -> RecordBatch {
        let mut rng = Rng::new(11);
        let names: Vec<String> = (0..400).map(|i| format!("Myndighet nummer {i}")).collect();
        let id: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows as i64));
        let year: ArrayRef = Arc::new(Int32Array::from_iter_values(
            (0..rows).map(|_| 1990 + rng.below(35) as i32),
        ));
        let value: ArrayRef = Arc::new(Float64Array::from_iter(
            (0..rows).map(|i| (i % 17 != 0).then(|| rng.normal() * 1e4)),
        ));
        let name: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..rows).map(|_| names[rng.below(names.len())].as_str()),
        ));
        RecordBatch::try_from_iter([("id", id), ("year", year), ("value", value), ("name", name)])
            .expect("table")
    }

    fn parquet(batch: &RecordBatch, codec: Compression) -> Vec<u8> {
        let properties = WriterProperties::builder().set_compression(codec).build();
        let mut bytes = Vec::new();
        let mut writer =
            ArrowWriter::try_new(&mut bytes, batch.schema(), Some(properties)).expect("writer");
        writer.write(batch).expect("write");
        writer.close().expect("close");
        bytes
    }

    pub fn main() {
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5);
        let rows: usize = std::env::var("ROWS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(6_000_000);
        let batch = table(rows);
        let files = [
            ("Arrow IPC, uncompressed", write_file(&batch).expect("ipc")),
            ("Parquet, Snappy", parquet(&batch, Compression::SNAPPY)),
            (
                "Parquet, zstd (inflated by the lab)",
                parquet(&batch, Compression::ZSTD(Default::default())),
            ),
            (
                "Parquet, uncompressed",
                parquet(&batch, Compression::UNCOMPRESSED),
            ),
        ];
        println!(
            "decode of {rows} rows (id Int64, year Int32, value Float64 with nulls, name text of 400 values), {runs} runs"
        );
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); files.len()];
        let mut alone = Vec::new();
        // The Snappy file's batches, before they are joined into one.
        let mut walked = Vec::new();
        // What the Parquet worker reads of it: the open, one column.
        let (mut head, mut column) = (Vec::new(), Vec::new());
        let snappy = bytes::Bytes::from(files[1].1.clone());
        let value = ["value".to_string()].into();
        for _ in 0..runs {
            let input = bytes::Bytes::from(files[1].1.clone());
            let started = Instant::now();
            let reader =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(input)
                    .expect("reader")
                    .with_batch_size(8192)
                    .build()
                    .expect("reader");
            let read: usize = reader.map(|b| b.expect("batch").num_rows()).sum();
            alone.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(black_box(read), rows);
            let started = Instant::now();
            let (first, all) =
                parquet_head(snappy.clone(), &Limits::default(), 1000).expect("head");
            head.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!((black_box(first).is_empty(), all), (false, rows as u64));
            let started = Instant::now();
            let read = parquet_columns(snappy.clone(), &Limits::default(), &value).expect("column");
            column.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(black_box(read).len() > rows * 8);
            // Interleaved, so that a noisy moment hits every file alike.
            // The input's copy is made before the clock starts.
            for (i, (_, bytes)) in files.iter().enumerate() {
                let input = bytes.clone();
                let started = Instant::now();
                let table = decode(input, &Limits::default()).expect("decode");
                let decoded = started.elapsed();
                let batch = table.into_batch().expect("one batch");
                times[i].push(started.elapsed().as_secs_f64() * 1000.0);
                if i == 1 {
                    walked.push(decoded.as_secs_f64() * 1000.0);
                }
                assert_eq!(black_box(batch).num_rows(), rows);
            }
        }
        let baseline = median(times[0].clone());
        for ((label, bytes), runs) in files.iter().zip(&times) {
            let mb = bytes.len() as f64 / 1e6;
            let m = median(runs.clone());
            report(
                &format!("{label} ({mb:.0} MB, {:.0} MB/s)", mb / (m / 1000.0)),
                runs,
                baseline,
            );
        }
        report(
            "Parquet, Snappy, walk and reader (batches, not joined)",
            &walked,
            baseline,
        );
        report(
            "Parquet, Snappy, the parquet crate alone (batches)",
            &alone,
            baseline,
        );
        report(
            "Parquet, Snappy, its first 1,000 rows (the browser's open)",
            &head,
            baseline,
        );
        report(
            "Parquet, Snappy, the column value (an analysis reading it)",
            &column,
            baseline,
        );
    }
}
