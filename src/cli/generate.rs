//! Generated test tables: as many rows as asked, numbers and strings,
//! written as a real Arrow file with a catalog beside it. For the preview's
//! million-row test and the loading benchmark; never in the public catalog.

use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    StringArray,
};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::ipc::writer::FileWriter;

use crate::cli::write_atomically;
use crate::data::catalog::{Catalog, Column, Dataset, DatasetVersion, Licence, Localized, Source};
use crate::data::hash::sha256_hex;

/// Rows per record batch.
const BATCH_ROWS: usize = 65_536;

const PLACES: [&str; 12] = [
    "Stockholm",
    "Göteborg",
    "Malmö",
    "Uppsala",
    "Västerås",
    "Örebro",
    "Linköping",
    "Helsingborg",
    "Jönköping",
    "Norrköping",
    "Umeå",
    "Gävle",
];

/// A small deterministic generator (xorshift64*), so that the same
/// arguments write the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("place", DataType::Utf8, false),
        Field::new("year", DataType::Int32, false),
        Field::new("value", DataType::Float64, false),
        Field::new("share", DataType::Float64, true),
        Field::new("day", DataType::Date32, false),
        Field::new("active", DataType::Boolean, false),
        Field::new("note", DataType::Utf8, true),
    ]))
}

/// Rows `start..start + len` of the generated table.
fn batch(rng: &mut Rng, start: usize, len: usize) -> Result<RecordBatch, String> {
    let ids = start..start + len;
    let mut values = Vec::with_capacity(len);
    let mut shares = Vec::with_capacity(len);
    let mut places = Vec::with_capacity(len);
    for _ in ids.clone() {
        values.push((rng.unit() * 1_000_000.0).round() / 100.0);
        let share = rng.unit();
        shares.push((share > 0.1).then_some(share));
        places.push(PLACES[(rng.next() % PLACES.len() as u64) as usize]);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ids.clone().map(|i| i as i64 + 1).collect::<Int64Array>()),
        Arc::new(StringArray::from(places)),
        Arc::new(
            ids.clone()
                .map(|i| 2000 + (i % 26) as i32)
                .collect::<Int32Array>(),
        ),
        Arc::new(Float64Array::from(values)),
        Arc::new(Float64Array::from(shares)),
        Arc::new(Date32Array::from_iter_values(
            ids.clone().map(|i| 10_957 + (i % 9_000) as i32),
        )),
        Arc::new(
            ids.clone()
                .map(|i| Some(i % 3 != 0))
                .collect::<BooleanArray>(),
        ),
        Arc::new(
            ids.map(|i| (i % 17 != 0).then(|| format!("rad {} av testdata", i + 1)))
                .collect::<StringArray>(),
        ),
    ];
    RecordBatch::try_new(schema(), columns).map_err(|e| e.to_string())
}

/// The Arrow file of a generated table of `rows` rows.
pub fn table_file(rows: usize) -> Result<Vec<u8>, String> {
    let mut writer = FileWriter::try_new(Vec::new(), &schema()).map_err(|e| e.to_string())?;
    let mut rng = Rng(0x5eed_da7a_1abb_0001);
    let mut start = 0;
    while start < rows {
        let len = BATCH_ROWS.min(rows - start);
        writer
            .write(&batch(&mut rng, start, len)?)
            .map_err(|e| e.to_string())?;
        start += len;
    }
    writer.finish().map_err(|e| e.to_string())?;
    writer.into_inner().map_err(|e| e.to_string())
}

/// Writes `<out>/<id>/<sha12>.arrow` and `<out>/catalog.json`.
pub fn write(out: &Path, id: &str, rows: usize) -> Result<String, String> {
    let bytes = table_file(rows)?;
    let sha256 = sha256_hex(&bytes);
    let url = format!("{id}/{}.arrow", &sha256[..12]);
    let dir = out.join(id);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_atomically(&out.join(&url), &bytes)?;
    let column = |name: &str, data_type: &str, sv: &str, en: &str| Column {
        name: name.into(),
        data_type: data_type.into(),
        description: Localized::new(sv, en),
        unit: None,
    };
    let catalog = Catalog::new(vec![Dataset {
        id: id.into(),
        title: Localized::new(
            format!("Genererad tabell, {rows} rader"),
            format!("Generated table, {rows} rows"),
        ),
        description: Localized::new(
            "Genererade testdata med tal och text, för tester och mätningar.",
            "Generated test data with numbers and text, for tests and benchmarks.",
        ),
        tags: vec!["fixture".into()],
        sources: vec![Source {
            name: "Datalabb test fixture".into(),
            url: "https://example.org/datalabb-fixture".into(),
        }],
        licence: Licence {
            name: "CC0 1.0".into(),
            url: Some("https://creativecommons.org/publicdomain/zero/1.0/".into()),
        },
        versions: vec![DatasetVersion {
            sha256,
            url,
            rows: rows as u64,
            bytes: bytes.len() as u64,
            columns: vec![
                column("id", "Int64", "Löpnummer", "Running number"),
                column("place", "Utf8", "Ort", "Place"),
                column("year", "Int32", "År", "Year"),
                column("value", "Float64", "Värde", "Value"),
                column(
                    "share",
                    "Float64",
                    "Andel (ibland tom)",
                    "Share (sometimes null)",
                ),
                column("day", "Date32", "Dag", "Day"),
                column("active", "Boolean", "Aktiv", "Active"),
                column("note", "Utf8", "Anteckning", "Note"),
            ],
            key_columns: vec!["id".into()],
        }],
    }]);
    write_atomically(&out.join("catalog.json"), catalog.to_json().as_bytes())?;
    Ok(format!(
        "wrote {rows} generated rows ({} bytes) and a catalog to {}",
        bytes.len(),
        out.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::load::{Limits, decode};

    #[test]
    fn a_generated_table_is_deterministic_and_loads() {
        let bytes = table_file(70_000).unwrap();
        assert_eq!(bytes, table_file(70_000).unwrap());
        let table = decode(bytes, &Limits::default()).unwrap();
        assert_eq!(table.num_rows(), 70_000);
        assert_eq!(table.batches.len(), 2);
        assert_eq!(table.schema.fields().len(), 8);
    }
}
