//! Join and group-by benchmark, native. `scripts/bench.sh` runs the same
//! analyses in the browser's worker (benches/ops.mjs).
//!
//!   cargo bench --bench ops            RUNS=N for more runs
//!
//! A fact table of 10,000,000 rows (region int32, year int32, value
//! float64) joined to a dimension table of 150,000 rows (region, year,
//! weight float64) on (region, year), about 80 % of fact rows matching,
//! reduced to sum(value × weight) and count; and the fact table grouped by
//! (region, year) into count and sum(value); and the fact table filtered
//! to year ≥ 2010 (half its rows) into sum(value) and count, beside the
//! plain path it replaced. Measured twice: the kernels
//! alone, and the analyses as the browser runs them (`recipe::run` of the
//! links `datalabb generate --star` writes). Medians of several runs, with
//! same-run baselines (one pass summing `value`: a plain loop, and as an
//! analysis) to compare against on a noisy machine. Asserts nothing but
//! that the kernels agree with the arithmetic.

// The command-line tool's generator is native only; on wasm32 (`clippy
// --all-targets`) this is an empty program.
#[cfg(not(target_arch = "wasm32"))]
mod common;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common::{median, report};
    use std::collections::BTreeMap;
    use std::hint::black_box;
    use std::time::Instant;

    use arrow::array::AsArray;
    use arrow::datatypes::{Float64Type, Int64Type};
    use datalabb::data::values::numbers;
    use datalabb::ops::gather::take;
    use datalabb::ops::group::{Aggregate, Measure, group_by};
    use datalabb::ops::join::{JoinKind, JoinSpec, join};
    use datalabb::ops::keys::Normalize;
    use datalabb::ops::no_progress;
    use datalabb::recipe::run::run;
    use datalabb::recipe::star::{STAR_REGIONS, STAR_YEARS, star_recipes, star_tables};

    const FACT_ROWS: usize = 10_000_000;

    fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
        let start = Instant::now();
        let out = f();
        (start.elapsed().as_secs_f64() * 1000.0, out)
    }

    pub fn main() {
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5);
        let (fact, dim) = star_tables(FACT_ROWS).expect("the star tables");
        let tables = BTreeMap::from([
            ("fact".to_string(), fact.clone()),
            ("dimension".to_string(), dim.clone()),
        ]);
        let recipes = star_recipes("", "");
        let mut analyses: Vec<Vec<f64>> = vec![Vec::new(); recipes.len()];
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
        let mut plain_filters = Vec::new();
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
            assert_eq!(
                grouped.num_rows(),
                (STAR_REGIONS * 5 / 4 * STAR_YEARS) as usize
            );
            // The filter as it ran before it compared in the column's own
            // type and gathered only what is read later: every year read
            // as an f64 option, every column gathered.
            let (ms, (count, total)) = time(|| {
                let years = numbers(fact.column(1).as_ref()).unwrap();
                let rows: Vec<u32> = years
                    .iter()
                    .enumerate()
                    .filter(|(_, y)| y.is_some_and(|y| y.total_cmp(&2010.0).is_ge()))
                    .map(|(i, _)| i as u32)
                    .collect();
                let columns: Vec<_> = fact
                    .columns()
                    .iter()
                    .map(|c| take(c.as_ref(), &rows).unwrap())
                    .collect();
                let value = columns[2].as_primitive::<Float64Type>();
                (rows.len(), value.values().iter().sum::<f64>())
            });
            plain_filters.push(ms);
            black_box((count, total));
            for ((_, recipe), times) in recipes.iter().zip(&mut analyses) {
                let (ms, result) = time(|| run(recipe, &tables, &mut no_progress).expect("runs"));
                times.push(ms);
                black_box(result);
            }
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
        report(
            "filter year ≥ 2010 + sum(value), the plain path",
            &plain_filters,
            baseline,
        );
        println!("the analyses as the browser's worker runs them (recipe::run):");
        for ((name, _), times) in recipes.iter().zip(&analyses) {
            report(&format!("analysis {name}"), times, baseline);
        }
    }
}
