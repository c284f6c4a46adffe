//! Unsupervised learning benchmark, native: k-means on 1,000,000 rows × 8
//! float64 features, k = 8, 10 Lloyd iterations from a fixed start (the
//! k-means++ start timed apart); DBSCAN on 100,000 two-dimensional points;
//! the silhouette of 10,000 rows; t-SNE of 1,000 rows (exact) and of 5,000
//! rows (Barnes–Hut); the isolation
//! forest's scores of 100,000 rows × 8 (100 trees of 256); an autoencoder
//! (16 → 16 → 2 → 16 → 16, tanh, Adam) on 10,000 rows × 16 for 50 epochs;
//! UMAP of 10,000 and 50,000 rows × 8 (15 neighbours, 2 dimensions).
//! Beside a same-run
//! baseline: one pass summing every value of the 1,000,000 × 8 matrix.
//! linfa's k-means (its own k-means++ start, one run of 10 iterations) and
//! DBSCAN run on the same matrices, the measurement behind keeping the
//! kernels ours (ARCHITECTURE.md).
//!
//!   cargo bench --bench ml             RUNS=N for more runs, QUICK=1 for
//!                                      the baseline, k-means and DBSCAN only

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
    use std::time::Instant;

    use datalabb::ml::autoencoder::{AutoencoderParams, autoencoder};
    use datalabb::ml::dbscan::{DbscanParams, dbscan};
    use datalabb::ml::iforest::{IsolationParams, isolation_forest};
    use datalabb::ml::kmeans::{lloyd, plus_plus};
    use datalabb::ml::no_progress;
    use datalabb::ml::rng::Rng;
    use datalabb::ml::silhouette::silhouette;
    use datalabb::ml::synthetic::blobs;
    use datalabb::ml::tsne::{TsneParams, tsne};
    use datalabb::ml::umap::{UmapParams, umap};
    use linfa::DatasetBase;
    use linfa::traits::{Fit, Transformer};
    use linfa_clustering::{Dbscan, KMeans};
    use ndarray::Array2;

    pub fn main() {
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5);
        let quick = std::env::var_os("QUICK").is_some();
        let (big, _) = blobs(1_000_000, 8, 8, 1);
        let (flat, _) = blobs(100_000, 2, 10, 2);
        let (small, small_labels) = blobs(10_000, 8, 8, 3);
        let (map, _) = blobs(1_000, 8, 8, 4);
        let (large_map, _) = blobs(5_000, 8, 8, 4);
        let (wide, _) = blobs(100_000, 8, 8, 5);
        let (sixteen, _) = blobs(10_000, 16, 8, 6);
        let (ten_k, _) = blobs(10_000, 8, 8, 7);
        let (fifty_k, _) = blobs(50_000, 8, 8, 8);
        let mut rows: Vec<(&str, Vec<f64>)> = vec![
            ("baseline: one pass summing 1,000,000 × 8 values", vec![]),
            ("k-means++ start, 1,000,000 × 8, k = 8", vec![]),
            ("k-means, 10 Lloyd iterations, 1,000,000 × 8, k = 8", vec![]),
            ("DBSCAN, 100,000 × 2, eps 0.3, min points 5", vec![]),
            ("silhouette, 10,000 rows × 8", vec![]),
            ("t-SNE, 1,000 rows × 8 into 2 dimensions", vec![]),
            (
                "linfa k-means, start + 10 iterations, 1,000,000 × 8, k = 8",
                vec![],
            ),
            ("linfa DBSCAN, 100,000 × 2, eps 0.3, min points 5", vec![]),
            (
                "isolation forest, 100,000 × 8, 100 trees of 256 rows",
                vec![],
            ),
            ("autoencoder, 10,000 × 16, 16-2-16 tanh, 50 epochs", vec![]),
            ("UMAP, 10,000 × 8, 15 neighbours, 500 epochs", vec![]),
            ("UMAP, 50,000 × 8, 15 neighbours, 200 epochs", vec![]),
            (
                "t-SNE (Barnes–Hut), 5,000 rows × 8 into 2 dimensions",
                vec![],
            ),
        ];
        let big_array = Array2::from_shape_vec((big.rows, big.cols), big.data.clone()).unwrap();
        let big_set = DatasetBase::from(big_array);
        let flat_array = Array2::from_shape_vec((flat.rows, flat.cols), flat.data.clone()).unwrap();
        for _ in 0..runs {
            let t = Instant::now();
            black_box(big.data.iter().sum::<f64>());
            rows[0].1.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let start = plus_plus(&big, 8, &mut Rng::new(9));
            rows[1].1.push(t.elapsed().as_secs_f64() * 1000.0);
            // Exactly 10 iterations: a start far from convergence.
            let t = Instant::now();
            let run = lloyd(&big, start, 10, &mut no_progress).expect("k-means");
            rows[2].1.push(t.elapsed().as_secs_f64() * 1000.0);
            black_box(run.inertia);
            let t = Instant::now();
            let found = dbscan(
                &flat,
                &DbscanParams {
                    eps: 0.3,
                    min_points: 5,
                },
                &mut no_progress,
            )
            .expect("DBSCAN");
            rows[3].1.push(t.elapsed().as_secs_f64() * 1000.0);
            black_box(found.clusters);
            if quick {
                continue;
            }
            let t = Instant::now();
            black_box(silhouette(&small, &small_labels, 10_000, 1).expect("silhouette"));
            rows[4].1.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let params = TsneParams {
                perplexity: 30.0,
                dimensions: 2,
                seed: 1,
            };
            black_box(tsne(&map, &params, &mut no_progress).expect("t-SNE"));
            rows[5].1.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let model = KMeans::params(8)
                .n_runs(1)
                .max_n_iterations(10)
                .tolerance(1e-12)
                .fit(&big_set)
                .expect("linfa k-means");
            rows[6].1.push(t.elapsed().as_secs_f64() * 1000.0);
            black_box(model.centroids());
            let t = Instant::now();
            let labels = Dbscan::params(5)
                .tolerance(0.3)
                .transform(&flat_array)
                .expect("linfa DBSCAN");
            rows[7].1.push(t.elapsed().as_secs_f64() * 1000.0);
            black_box(labels);
            let t = Instant::now();
            let scores = isolation_forest(&wide, &IsolationParams::default(), &mut no_progress)
                .expect("isolation forest");
            rows[8].1.push(t.elapsed().as_secs_f64() * 1000.0);
            black_box(scores);
            let t = Instant::now();
            let params = AutoencoderParams {
                epochs: 50,
                learning_rate: 0.01,
                ..AutoencoderParams::default()
            };
            let fit = autoencoder(&sixteen, &params, &mut no_progress).expect("autoencoder");
            rows[9].1.push(t.elapsed().as_secs_f64() * 1000.0);
            black_box(fit.errors);
            for (at, x) in [(10, &ten_k), (11, &fifty_k)] {
                let params = UmapParams {
                    neighbours: 15,
                    dimensions: 2,
                    epochs: None,
                    seed: 1,
                };
                let t = Instant::now();
                black_box(umap(x, &params, &mut no_progress).expect("UMAP"));
                rows[at].1.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let t = Instant::now();
            let params = TsneParams {
                perplexity: 30.0,
                dimensions: 2,
                seed: 1,
            };
            black_box(tsne(&large_map, &params, &mut no_progress).expect("t-SNE"));
            rows[12].1.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let iterations = lloyd(
            &big,
            plus_plus(&big, 8, &mut Rng::new(9)),
            10,
            &mut no_progress,
        )
        .expect("k-means")
        .iterations;
        let base = median(rows[0].1.clone());
        println!(
            "native, {runs} runs (k-means ran {iterations} of its 10 iterations before the labels settled):"
        );
        for (name, xs) in rows.iter().filter(|(_, xs)| !xs.is_empty()) {
            report(name, xs, base);
        }
    }
}
