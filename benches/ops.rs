//! Join and group-by benchmark, native. (The same kernels run in the
//! browser's worker; a browser run of this workload is still to come.)
//!
//!   cargo bench --bench ops            RUNS=N for more runs
//!
//! A fact table of 10,000,000 rows (region int32, year int32, value
//! float64) joined to a dimension table of 150,000 rows (region, year,
//! weight float64) on (region, year), about 80 % of fact rows matching,
//! reduced to sum(value × weight) and count; and the fact table grouped by
//! (region, year) into count and sum(value). Medians of several runs, with
//! a same-run baseline (one pass summing `value`) to compare against on a
//! noisy machine. Asserts nothing but that the kernels agree with the
//! arithmetic.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{Array, AsArray, Float64Array, Int32Array, RecordBatch};
use arrow::datatypes::{Field, Float64Type, Int64Type, Schema};
use datalabb::ops::group::{Aggregate, Measure, group_by};
use datalabb::ops::join::{JoinKind, JoinSpec, join};
use datalabb::ops::keys::Normalize;
use datalabb::ops::no_progress;

const FACT_ROWS: usize = 10_000_000;
const REGIONS: i32 = 7_500;
const YEARS: i32 = 20;

fn batch(columns: Vec<(&str, Arc<dyn Array>)>) -> RecordBatch {
    let schema = Schema::new(
        columns
            .iter()
            .map(|(n, c)| Field::new(*n, c.data_type().clone(), false))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(
        Arc::new(schema),
        columns.into_iter().map(|(_, c)| c).collect(),
    )
    .unwrap()
}

fn tables() -> (RecordBatch, RecordBatch) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Regions 0..9375: the 7,500 of the dimension are 80 %.
    let fact_regions = REGIONS * 5 / 4;
    let mut region = Vec::with_capacity(FACT_ROWS);
    let mut year = Vec::with_capacity(FACT_ROWS);
    let mut value = Vec::with_capacity(FACT_ROWS);
    for _ in 0..FACT_ROWS {
        let r = next();
        region.push((r % fact_regions as u64) as i32);
        year.push(2000 + ((r >> 20) % YEARS as u64) as i32);
        value.push(((r >> 40) % 1000) as f64 / 10.0);
    }
    let fact = batch(vec![
        ("region", Arc::new(Int32Array::from(region))),
        ("year", Arc::new(Int32Array::from(year))),
        ("value", Arc::new(Float64Array::from(value))),
    ]);
    let dim_region: Vec<i32> = (0..REGIONS)
        .flat_map(|r| (0..YEARS).map(move |_| r))
        .collect();
    let dim_year: Vec<i32> = (0..REGIONS)
        .flat_map(|_| (0..YEARS).map(|y| 2000 + y))
        .collect();
    let weight: Vec<f64> = (0..dim_region.len())
        .map(|i| 1.0 + (i % 7) as f64 / 10.0)
        .collect();
    let dim = batch(vec![
        ("region", Arc::new(Int32Array::from(dim_region))),
        ("year", Arc::new(Int32Array::from(dim_year))),
        ("weight", Arc::new(Float64Array::from(weight))),
    ]);
    (fact, dim)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64() * 1000.0, out)
}

fn report(label: &str, runs: &[f64], baseline: f64) {
    let shown: Vec<String> = runs.iter().map(|r| format!("{r:.0}")).collect();
    println!(
        "{label:<44} median {:>8.1} ms   {:>5.1}× baseline   runs: {}",
        median(runs.to_vec()),
        median(runs.to_vec()) / baseline,
        shown.join(", ")
    );
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let (fact, dim) = tables();
    let spec = JoinSpec {
        kind: JoinKind::Inner,
        left_on: vec!["region".into(), "year".into()],
        right_on: vec!["region".into(), "year".into()],
        normalize: Normalize::Exact,
    };
    let measures = [
        Measure {
            aggregate: Aggregate::Count,
            column: None,
            name: "n".into(),
        },
        Measure {
            aggregate: Aggregate::Sum,
            column: Some("value".into()),
            name: "sum".into(),
        },
    ];
    let (mut base, mut joins, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let values = fact.column(2).as_primitive::<Float64Type>();
        base.push(time(|| black_box(values.values().iter().sum::<f64>())).0);
        let (ms, (count, total)) = time(|| {
            let (joined, stats) = join(&fact, &dim, &spec, &mut no_progress).unwrap();
            let value = joined.column(2).as_primitive::<Float64Type>();
            let weight = joined.column(3).as_primitive::<Float64Type>();
            let total: f64 = value
                .values()
                .iter()
                .zip(weight.values())
                .map(|(v, w)| v * w)
                .sum();
            (stats.output_rows, total)
        });
        joins.push(ms);
        black_box((count, total));
        let fraction = count as f64 / FACT_ROWS as f64;
        assert!(
            (0.78..0.82).contains(&fraction),
            "{fraction} of fact rows matched"
        );
        let (ms, grouped) = time(|| {
            group_by(
                &fact,
                &["region".into(), "year".into()],
                &measures,
                &mut no_progress,
            )
            .unwrap()
        });
        groups.push(ms);
        let n = grouped.column(2).as_primitive::<Int64Type>();
        assert_eq!(n.values().iter().sum::<i64>() as usize, FACT_ROWS);
        assert_eq!(grouped.num_rows(), (REGIONS * 5 / 4 * YEARS) as usize);
    }
    let baseline = median(base.clone());
    println!(
        "fact {FACT_ROWS} rows, dimension {} rows; {runs} runs",
        dim.num_rows()
    );
    report("baseline: one pass summing value", &base, baseline);
    report(
        "join on (region, year) + sum(value × weight)",
        &joins,
        baseline,
    );
    report(
        "group by (region, year): count, sum(value)",
        &groups,
        baseline,
    );
}
