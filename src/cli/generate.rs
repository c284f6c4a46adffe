//! Generated test tables: as many rows as asked, numbers and strings,
//! written as a real Arrow file with a catalog beside it. For the preview's
//! million-row test and the loading benchmark; never in the public catalog.

use std::collections::BTreeMap;
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
use crate::ml::rng::Xorshift;
use crate::recipe::star::{star_recipes, star_tables};
use crate::recipe::url;

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
fn batch(rng: &mut Xorshift, start: usize, len: usize) -> Result<RecordBatch, String> {
    let ids = start..start + len;
    let mut values = Vec::with_capacity(len);
    let mut shares = Vec::with_capacity(len);
    let mut places = Vec::with_capacity(len);
    for _ in ids.clone() {
        values.push((rng.unit() * 1_000_000.0).round() / 100.0);
        let share = rng.unit();
        shares.push((share > 0.1).then_some(share));
        places.push(PLACES[(rng.next_u64() % PLACES.len() as u64) as usize]);
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
    let mut rng = Xorshift(0x5eed_da7a_1abb_0001);
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

/// Writes `bytes` as `<out>/<id>/<sha12>.arrow`; returns the catalog's
/// version entry for it.
fn write_version(
    out: &Path,
    id: &str,
    bytes: &[u8],
    rows: usize,
    columns: Vec<Column>,
    key_columns: &[&str],
) -> Result<DatasetVersion, String> {
    let sha256 = sha256_hex(bytes);
    let url = format!("{id}/{}.arrow", &sha256[..12]);
    let dir = out.join(id);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_atomically(&out.join(&url), bytes)?;
    Ok(DatasetVersion {
        sha256,
        url,
        rows: rows as u64,
        bytes: bytes.len() as u64,
        columns,
        key_columns: key_columns.iter().map(|k| k.to_string()).collect(),
        parquet: None,
    })
}

fn column(name: &str, data_type: DataType, sv: &str, en: &str) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.to_string(),
        description: Localized::new(sv, en),
        unit: None,
        entity: None,
    }
}

/// A generated dataset's catalog entry.
fn generated(id: &str, title: (String, String), version: DatasetVersion) -> Dataset {
    Dataset {
        id: id.into(),
        title: Localized::new(title.0, title.1),
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
        versions: vec![version],
    }
}

/// Writes `<out>/<id>/<sha12>.arrow` and `<out>/catalog.json`.
pub fn write(out: &Path, id: &str, rows: usize) -> Result<String, String> {
    // The id names a folder and a catalog entry: the catalog's rule.
    if !crate::data::catalog::is_valid_id(id) {
        return Err(format!(
            "--id {id:?} must be 1 to 64 lowercase letters, digits, '_' or '-'"
        ));
    }
    let bytes = table_file(rows)?;
    let columns = vec![
        column("id", DataType::Int64, "Löpnummer", "Running number"),
        column("place", DataType::Utf8, "Ort", "Place"),
        column("year", DataType::Int32, "År", "Year"),
        column("value", DataType::Float64, "Värde", "Value"),
        column(
            "share",
            DataType::Float64,
            "Andel (ibland tom)",
            "Share (sometimes null)",
        ),
        column("day", DataType::Date32, "Dag", "Day"),
        column("active", DataType::Boolean, "Aktiv", "Active"),
        column("note", DataType::Utf8, "Anteckning", "Note"),
    ];
    let version = write_version(out, id, &bytes, rows, columns, &["id"])?;
    let title = (
        format!("Genererad tabell, {rows} rader"),
        format!("Generated table, {rows} rows"),
    );
    let catalog = Catalog::new(vec![generated(id, title, version)]);
    write_atomically(&out.join("catalog.json"), catalog.to_json().as_bytes())?;
    Ok(format!(
        "wrote {rows} generated rows ({} bytes) and a catalog to {}",
        bytes.len(),
        out.display()
    ))
}

/// Writes the star schema's `fact` and `dimension` datasets, their
/// catalog, and `benchmarks.json` (the links of [`star_recipes`]) to `out`.
pub fn write_star(out: &Path, fact_rows: usize) -> Result<String, String> {
    let (fact, dim) = star_tables(fact_rows)?;
    let mut datasets = Vec::new();
    for (id, batch, value) in [
        (
            "fact",
            &fact,
            column("value", DataType::Float64, "Värde", "Value"),
        ),
        (
            "dimension",
            &dim,
            column("weight", DataType::Float64, "Vikt", "Weight"),
        ),
    ] {
        let bytes = crate::data::ipc::write_file(batch).map_err(|e| e.to_string())?;
        let columns = vec![
            column("region", DataType::Int32, "Region", "Region"),
            column("year", DataType::Int32, "År", "Year"),
            value,
        ];
        let keys: &[&str] = if id == "fact" {
            &[]
        } else {
            &["region", "year"]
        };
        let version = write_version(out, id, &bytes, batch.num_rows(), columns, keys)?;
        let rows = batch.num_rows();
        let title = (
            format!("Genererad {id}, {rows} rader"),
            format!("Generated {id}, {rows} rows"),
        );
        datasets.push(generated(id, title, version));
    }
    let sha = |n: usize| datasets[n].versions[0].sha256.clone();
    let links = star_recipes(&sha(0), &sha(1))
        .into_iter()
        .map(|(name, recipe)| Ok((name, url::encode(&recipe).map_err(|e| e.to_string())?)))
        .collect::<Result<BTreeMap<_, _>, String>>()?;
    let links = serde_json::to_string_pretty(&links).map_err(|e| e.to_string())?;
    write_atomically(&out.join("benchmarks.json"), links.as_bytes())?;
    write_atomically(
        &out.join("catalog.json"),
        Catalog::new(datasets).to_json().as_bytes(),
    )?;
    Ok(format!(
        "wrote a fact table of {} rows and a dimension table of {} rows to {}",
        fact.num_rows(),
        dim.num_rows(),
        out.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::load::{Limits, decode};

    #[test]
    fn a_generated_table_needs_an_id_the_catalog_accepts() {
        let out = std::env::temp_dir().join("datalabb-generate-id");
        for bad in ["../escape", "/abs", "Capital", "", "a b", &"x".repeat(65)] {
            let error = write(&out, bad, 10).unwrap_err();
            assert!(error.contains("--id"), "{bad}: {error}");
        }
        assert!(!out.join("..").join("escape").exists());
    }

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
