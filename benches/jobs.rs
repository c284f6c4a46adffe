//! Learning jobs side by side, native: each job of a k-means step (k = 8,
//! 10 restarts) and of the elbow (k = 2…10) on 200,000 rows × 3 features
//! (uniform values, as the browser benchmark's generated table, and
//! Gaussian blobs), timed one at a time; then the time the list would
//! take on P cores when each core takes the largest job not yet taken
//! (what the browser's helpers do), without the helpers' start. It
//! models the split; `benches/helpers.mjs` measures it in the browser.
//!
//!   cargo bench --bench jobs           RUNS=N for more runs

#[cfg(not(target_arch = "wasm32"))]
#[allow(dead_code)] // its `report` is for benches against a baseline
mod common;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common::median;
    use std::time::Instant;

    use datalabb::ml::jobs::{Job, restart_jobs, run_job};
    use datalabb::ml::kmeans::KMeansParams;
    use datalabb::ml::matrix::Matrix;
    use datalabb::ml::no_progress;
    use datalabb::ml::rng::Rng;
    use datalabb::ml::synthetic::blobs;

    pub fn main() {
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(3);
        let mut rng = Rng::new(1);
        let uniform = Matrix {
            rows: 200_000,
            cols: 3,
            data: (0..600_000).map(|_| rng.next_f64()).collect(),
        };
        let (clustered, _) = blobs(200_000, 3, 8, 2);
        let params = KMeansParams {
            k: 8,
            restarts: 10,
            max_iterations: 300,
            seed: 1,
        };
        let elbow: Vec<Job> = (2..=10).map(|k| Job::Elbow { k, seed: 1 }).collect();
        for (data, x) in [("uniform", &uniform), ("blobs", &clustered)] {
            for (what, jobs) in [
                ("k-means, 10 restarts", restart_jobs(&params)),
                ("elbow, k = 2…10", elbow.clone()),
            ] {
                let times: Vec<f64> = jobs
                    .iter()
                    .map(|job| {
                        median(
                            (0..runs)
                                .map(|_| {
                                    let t = Instant::now();
                                    run_job(x, job, &mut no_progress).unwrap();
                                    t.elapsed().as_secs_f64() * 1e3
                                })
                                .collect(),
                        )
                    })
                    .collect();
                let one: f64 = times.iter().sum();
                let on = |cores: usize| largest_first(x, &jobs, &times, cores);
                println!(
                    "{what} on {data}: jobs {} ms; one core {one:.0} ms; 2 cores {:.0} ms ({:.2}×), 4 cores {:.0} ms ({:.2}×), 8 cores {:.0} ms ({:.2}×)",
                    times
                        .iter()
                        .map(|t| format!("{t:.0}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    on(2),
                    one / on(2),
                    on(4),
                    one / on(4),
                    on(8),
                    one / on(8),
                );
            }
        }
    }

    /// When the last job ends if each of `cores` takes the largest job (by
    /// its size) not yet taken whenever it is free.
    fn largest_first(x: &Matrix, jobs: &[Job], times: &[f64], cores: usize) -> f64 {
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].size(x)));
        let mut free = vec![0.0f64; cores];
        for i in order {
            let first = free
                .iter_mut()
                .min_by(|a, b| a.total_cmp(b))
                .expect("a core");
            *first += times[i];
        }
        free.into_iter().fold(0.0, f64::max)
    }
}
