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
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::ops::keys::Normalize;
use crate::recipe::{Comparison, Input, Predicate, RECIPE_VERSION, Recipe, Step, Value, url};

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

/// Regions of the star schema's dimension table; its 7,500 regions are
/// 80 % of the fact table's.
pub const STAR_REGIONS: i32 = 7_500;
/// Years of the star schema.
pub const STAR_YEARS: i32 = 20;

/// The join benchmark's tables: a fact table of `fact_rows` rows (region
/// int32, year int32, value float64) and a dimension table of 150,000 rows
/// (region, year, weight float64) keyed on (region, year), with about 80 %
/// of fact rows matching. Deterministic.
pub fn star_tables(fact_rows: usize) -> Result<(RecordBatch, RecordBatch), String> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let fact_regions = (STAR_REGIONS * 5 / 4) as u64;
    let mut region = Vec::with_capacity(fact_rows);
    let mut year = Vec::with_capacity(fact_rows);
    let mut value = Vec::with_capacity(fact_rows);
    for _ in 0..fact_rows {
        let r = rng.next();
        region.push((r % fact_regions) as i32);
        year.push(2000 + ((r >> 20) % STAR_YEARS as u64) as i32);
        value.push(((r >> 40) % 1000) as f64 / 10.0);
    }
    let batch = |columns: Vec<(&str, ArrayRef)>| {
        RecordBatch::try_from_iter(columns).map_err(|e| e.to_string())
    };
    let fact = batch(vec![
        ("region", Arc::new(Int32Array::from(region))),
        ("year", Arc::new(Int32Array::from(year))),
        ("value", Arc::new(Float64Array::from(value))),
    ])?;
    let pairs = (0..STAR_REGIONS).flat_map(|r| (0..STAR_YEARS).map(move |y| (r, 2000 + y)));
    let dim = batch(vec![
        (
            "region",
            Arc::new(pairs.clone().map(|(r, _)| r).collect::<Int32Array>()),
        ),
        (
            "year",
            Arc::new(pairs.clone().map(|(_, y)| y).collect::<Int32Array>()),
        ),
        (
            "weight",
            Arc::new(
                (0..pairs.count())
                    .map(|i| 1.0 + (i % 7) as f64 / 10.0)
                    .collect::<Float64Array>(),
            ),
        ),
    ])?;
    Ok((fact, dim))
}

/// The benchmark's analyses of the star schema, by name: the join
/// (fact ⋈ dimension on (region, year), then sum(value × weight) and
/// count), the group-by ((region, year) into count and sum(value)) and a
/// baseline (one pass: sum(value) and count of the fact table).
pub fn star_recipes(fact_sha256: &str, dim_sha256: &str) -> Vec<(&'static str, Recipe)> {
    let input = |name: &str, sha256: &str| Input {
        name: name.into(),
        dataset: name.into(),
        sha256: sha256.into(),
    };
    let measure = |aggregate, column: Option<&str>, name: &str| Measure {
        aggregate,
        column: column.map(Into::into),
        name: name.into(),
    };
    let recipe = |inputs, steps| Recipe {
        v: RECIPE_VERSION,
        inputs,
        steps,
        chart: Default::default(),
    };
    let keys = vec!["region".to_string(), "year".to_string()];
    vec![
        (
            "baseline",
            recipe(
                vec![input("fact", fact_sha256)],
                vec![Step::GroupBy {
                    by: vec![],
                    measures: vec![
                        measure(Aggregate::Sum, Some("value"), "total"),
                        measure(Aggregate::Count, None, "n"),
                    ],
                }],
            ),
        ),
        (
            "join",
            recipe(
                vec![input("fact", fact_sha256), input("dimension", dim_sha256)],
                vec![
                    Step::Join {
                        input: "dimension".into(),
                        spec: JoinSpec {
                            kind: JoinKind::Inner,
                            left_on: keys.clone(),
                            right_on: keys.clone(),
                            normalize: Normalize::Exact,
                        },
                    },
                    Step::Derive {
                        name: "weighted".into(),
                        formula: Formula::Arithmetic {
                            op: ArithOp::Mul,
                            left: Operand::Column("value".into()),
                            right: Operand::Column("weight".into()),
                        },
                    },
                    Step::GroupBy {
                        by: vec![],
                        measures: vec![
                            measure(Aggregate::Sum, Some("weighted"), "total"),
                            measure(Aggregate::Count, None, "n"),
                        ],
                    },
                ],
            ),
        ),
        (
            "group-by",
            recipe(
                vec![input("fact", fact_sha256)],
                vec![Step::GroupBy {
                    by: keys,
                    measures: vec![
                        measure(Aggregate::Count, None, "n"),
                        measure(Aggregate::Sum, Some("value"), "total"),
                    ],
                }],
            ),
        ),
        (
            "filter",
            recipe(
                vec![input("fact", fact_sha256)],
                vec![
                    Step::Filter {
                        predicate: Predicate::Compare {
                            column: "year".into(),
                            cmp: Comparison::Ge,
                            value: Value::Number(2010.0),
                        },
                    },
                    Step::GroupBy {
                        by: vec![],
                        measures: vec![
                            measure(Aggregate::Sum, Some("value"), "total"),
                            measure(Aggregate::Count, None, "n"),
                        ],
                    },
                ],
            ),
        ),
    ]
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
    use arrow::array::AsArray;

    use crate::data::load::{Limits, decode};

    #[test]
    fn the_star_tables_match_four_fifths_of_the_fact_rows() {
        let (fact, dim) = star_tables(100_000).unwrap();
        assert_eq!(dim.num_rows(), (STAR_REGIONS * STAR_YEARS) as usize);
        let regions = fact.column(0).as_primitive::<arrow::datatypes::Int32Type>();
        let matching = regions
            .values()
            .iter()
            .filter(|r| **r < STAR_REGIONS)
            .count();
        assert!((78_000..82_000).contains(&matching), "{matching}");
        assert_eq!(star_tables(100_000).unwrap().0, fact);
    }

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
