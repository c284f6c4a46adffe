//! Known structure recovered from seeded blobs, and hostile inputs; one
//! file per method.

mod agglomerative;
mod dbscan;
mod features;
mod gmm;
mod insight;
mod jobs;
mod kmeans;
mod pca;
mod silhouette;
mod tsne;

use crate::ml::matrix::Matrix;
use crate::ml::rng::Rng;

/// `per` rows around each of `centres`, normal with deviation `sd`; the
/// true labels.
pub(crate) fn blobs(centres: &[Vec<f64>], per: usize, sd: f64, seed: u64) -> (Matrix, Vec<i32>) {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (c, centre) in centres.iter().enumerate() {
        for _ in 0..per {
            rows.push(centre.iter().map(|m| m + sd * rng.normal()).collect());
            labels.push(c as i32);
        }
    }
    (Matrix::from_rows(&rows).unwrap(), labels)
}

pub(crate) fn centres() -> Vec<Vec<f64>> {
    vec![
        vec![0.0, 0.0, 0.0],
        vec![10.0, 0.0, 5.0],
        vec![0.0, 10.0, -5.0],
        vec![10.0, 10.0, 10.0],
    ]
}
