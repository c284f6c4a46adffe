//! The lab's clustering kernels against linfa's, an independent Rust
//! implementation, on the same seeded data: a second reference beside
//! scikit-learn (`tests/python`). k-means must reach an inertia no worse
//! than linfa's by more than 0.1 % and find the same clusters; DBSCAN with
//! the same eps and minimum points must label the same rows as noise and
//! group the others the same way.
#![cfg(not(target_arch = "wasm32"))]

use datalabb::ml::dbscan::{DbscanParams, dbscan};
use datalabb::ml::kmeans::{KMeansParams, kmeans};
use datalabb::ml::matrix::Matrix;
use datalabb::ml::no_progress;
use datalabb::ml::silhouette::adjusted_rand;
use datalabb::ml::synthetic::blobs;
use linfa::DatasetBase;
use linfa::traits::{Fit, Predict, Transformer};
use linfa_clustering::{Dbscan, KMeans};
use ndarray::Array2;

fn array(x: &Matrix) -> Array2<f64> {
    Array2::from_shape_vec((x.rows, x.cols), x.data.clone()).unwrap()
}

/// The sum of squared distances of each row to its centre.
fn inertia(x: &Matrix, labels: &[usize], centres: &Array2<f64>) -> f64 {
    (0..x.rows)
        .map(|i| {
            let c = centres.row(labels[i]);
            x.row(i)
                .iter()
                .zip(c.iter())
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .sum()
}

#[test]
fn kmeans_matches_linfa() {
    for (seed, (n, d, k)) in [(1, (600, 2, 3)), (2, (2_000, 8, 5)), (3, (1_000, 4, 8))] {
        let (x, _) = blobs(n, d, k, seed);
        let ours = kmeans(
            &x,
            &KMeansParams {
                k,
                restarts: 10,
                max_iterations: 300,
                seed,
            },
            &mut no_progress,
        )
        .unwrap();
        let data = DatasetBase::from(array(&x));
        let model = KMeans::params(k)
            .n_runs(10)
            .max_n_iterations(300)
            .tolerance(1e-9)
            .fit(&data)
            .unwrap();
        let theirs: Vec<usize> = model.predict(&data).to_vec();
        let theirs_inertia = inertia(&x, &theirs, model.centroids());
        assert!(
            ours.inertia <= theirs_inertia * 1.001,
            "seed {seed}: inertia {} against linfa's {theirs_inertia}",
            ours.inertia
        );
        let a: Vec<i32> = ours.labels.iter().map(|&l| l as i32).collect();
        let b: Vec<i32> = theirs.iter().map(|&l| l as i32).collect();
        let agreement = adjusted_rand(&a, &b);
        println!(
            "k-means {n}×{d}, k = {k}: inertia {:.6} (linfa {theirs_inertia:.6}), adjusted Rand {agreement:.4}",
            ours.inertia
        );
        assert!(agreement > 0.99, "seed {seed}: adjusted Rand {agreement}");
    }
}

#[test]
fn dbscan_matches_linfa() {
    for (seed, eps, min_points) in [(4, 0.6, 5), (5, 0.9, 10), (6, 0.4, 3)] {
        let (x, _) = blobs(1_500, 2, 4, seed);
        let ours = dbscan(&x, &DbscanParams { eps, min_points }, &mut no_progress).unwrap();
        let theirs = Dbscan::params(min_points)
            .tolerance(eps)
            .transform(&array(&x))
            .unwrap();
        let theirs: Vec<i32> = theirs.iter().map(|c| c.map_or(-1, |c| c as i32)).collect();
        // Noise is the same rows in both: whether a row has min_points
        // neighbours within eps does not depend on the order of visits.
        let noise = |l: &[i32]| -> Vec<usize> { (0..l.len()).filter(|&i| l[i] < 0).collect() };
        assert_eq!(noise(&ours.labels), noise(&theirs), "seed {seed}");
        // A border row near two clusters may join either; with these blobs
        // the clusterings agree almost exactly.
        let agreement = adjusted_rand(&ours.labels, &theirs);
        println!(
            "DBSCAN eps {eps}, min points {min_points}: {} clusters, {} noise rows, adjusted Rand {agreement:.4}",
            ours.clusters,
            noise(&ours.labels).len()
        );
        assert!(agreement > 0.99, "seed {seed}: adjusted Rand {agreement}");
    }
}
