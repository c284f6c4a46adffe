//! Chart benchmark, native: the worker's part of a scatter chart of
//! 100,000 and 1,000,000 points at device pixel ratio 1 and 2 (prepare the
//! values, lay out, rasterise the points), beside a same-run baseline (one
//! pass mapping every point to a pixel). `scripts/bench.sh ONLY=chart`
//! measures the whole request-to-pixels time in the browser.
//!
//!   cargo bench --bench chart          RUNS=N for more runs

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

    use arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch};
    use datalabb::chart::frame::layout;
    use datalabb::chart::prepare::prepare;
    use datalabb::chart::raster::rasterise;
    use datalabb::chart::{Context, Size};
    use datalabb::ml::rng::Rng;
    use datalabb::recipe::{ChartKind, ChartSpec};

    fn ms(start: Instant) -> f64 {
        start.elapsed().as_secs_f64() * 1000.0
    }

    pub fn main() {
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5);
        let spec = ChartSpec {
            kind: ChartKind::Scatter,
            x: Some("x".into()),
            y: Some("y".into()),
            color: Some("year".into()),
            ..ChartSpec::default()
        };
        let context = Context::default();
        for n in [100_000usize, 1_000_000] {
            let mut rng = Rng::new(7);
            let xs: Vec<f64> = (0..n).map(|_| rng.normal() * 1000.0).collect();
            let ys: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let years: Vec<i32> = (0..n).map(|i| 2000 + (i % 25) as i32).collect();
            let batch = RecordBatch::try_from_iter([
                ("x", Arc::new(Float64Array::from(xs.clone())) as ArrayRef),
                ("y", Arc::new(Float64Array::from(ys.clone())) as ArrayRef),
                ("year", Arc::new(Int32Array::from(years)) as ArrayRef),
            ])
            .expect("a table");
            for scale in [1.0f32, 2.0] {
                let size = Size {
                    width: 1150,
                    height: 520,
                    scale,
                };
                let (mut base, mut prep, mut lay, mut ras) = (vec![], vec![], vec![], vec![]);
                for _ in 0..runs {
                    // Baseline: every point to a pixel index, summed.
                    let t = Instant::now();
                    let w = 1150.0 * f64::from(scale);
                    let sum: u64 = xs
                        .iter()
                        .zip(&ys)
                        .map(|(x, y)| {
                            ((x + 5000.0) / 10000.0 * w) as u64 + ((y + 5.0) * 100.0) as u64
                        })
                        .sum();
                    black_box(sum);
                    base.push(ms(t));
                    let t = Instant::now();
                    let prepared = prepare(&batch, &spec, &context).expect("prepared");
                    prep.push(ms(t));
                    let t = Instant::now();
                    let frame = layout(&prepared, &context, size, None, None);
                    lay.push(ms(t));
                    let t = Instant::now();
                    let image = rasterise(&prepared, &frame, None).expect("an image");
                    ras.push(ms(t));
                    black_box(image.rgba.len());
                }
                let b = median(base.clone());
                let show = |label: &str, xs: &[f64]| report(label, xs, b);
                println!("scatter of {n} points, pixel ratio {scale}, {runs} runs:");
                show("  baseline: every point to a pixel", &base);
                show("  prepare (columns, colour groups, data tab)", &prep);
                show("  layout (scales, ticks, legend)", &lay);
                show("  rasterise the points", &ras);
            }
        }
    }
}
