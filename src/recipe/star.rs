//! The benchmark's star schema, made here so that the command line
//! (`datalabb generate --star`), the benchmarks and the compute worker's
//! warm-up (`engine::warm`) use the same tables and analyses: a fact table
//! (region, year, value) and a dimension table keyed on (region, year),
//! and four analyses of them (a baseline pass, a join, a group-by, a
//! filter).

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch};

use crate::ml::rng::Xorshift;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::ops::keys::Normalize;
use crate::recipe::{Comparison, Input, Predicate, RECIPE_VERSION, Recipe, Step, Value};

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
    let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
    let fact_regions = (STAR_REGIONS * 5 / 4) as u64;
    let mut region = Vec::with_capacity(fact_rows);
    let mut year = Vec::with_capacity(fact_rows);
    let mut value = Vec::with_capacity(fact_rows);
    for _ in 0..fact_rows {
        let r = rng.next_u64();
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;

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
}
