//! Unsupervised learning on a table's number columns, natively and in the
//! worker with the same code and the same seeded random numbers, so a
//! recipe and seed give the same labels everywhere.
//!
//! | file | role |
//! |------|------|
//! | `rng.rs`        | SplitMix64: a small, seeded, platform-independent generator |
//! | `matrix.rs`     | a dense row-major matrix of `f64` |
//! | `features.rs`   | columns -> a matrix: missing values (drop, mean, median), column scaling (z-score, min-max, log1p), row scaling (by the row's mean, index to the first column = 100) |
//! | `kmeans.rs`     | k-means: k-means++ starts, several restarts, Lloyd iterations in chunks with progress and cancel |
//! | `gmm.rs`        | Gaussian mixture: full covariances, EM from a k-means start; each row's most probable component and its probability |
//! | `agglomerative.rs` | Ward, average and complete linkage by the nearest-neighbour chain; refuses above 5,000 rows (n² memory) |
//! | `dbscan.rs`     | DBSCAN: a grid over the first two dimensions finds neighbours; a work cap refuses an eps that makes every point a neighbour of every other |
//! | `pca.rs`        | principal components from the covariance matrix by Jacobi's symmetric eigen-decomposition |
//! | `tsne.rs`       | t-SNE, exact (every pair each iteration), up to 2,000 rows; seeded |
//! | `synthetic.rs`  | seeded blobs for the benchmarks (native and browser) |
//! | `silhouette.rs` | the mean silhouette (on a seeded sample of rows when they are many), and the adjusted Rand index of two labellings |
//!
//! Pure: no clock, no IO. Errors are messages for the visitor.

pub mod agglomerative;
pub mod dbscan;
pub mod features;
pub mod gmm;
pub mod insight;
pub mod kmeans;
pub mod matrix;
pub mod pca;
pub mod rng;
pub mod silhouette;
pub mod synthetic;
pub mod tsne;

#[cfg(test)]
pub(crate) mod tests;

/// Why a method cannot run on the data, in words for the visitor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MlError(pub String);

/// Called between chunks of work with (done, total); `Break` cancels it
/// (the kernels' progress, [`crate::ops::Progress`]).
pub use crate::ops::{Progress, no_progress};

/// The label of noise (DBSCAN).
pub const NOISE: i32 = -1;

/// Squared Euclidean distance. Four running sums, not one: additions in
/// one chain wait for each other, four chains overlap (2–3× faster at 8
/// features, natively and in wasm). The order is fixed, so every platform
/// adds the same numbers in the same order.
#[inline]
pub fn distance2(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut sums = [0.0; 4];
    let mut fours_a = a.chunks_exact(4);
    let mut fours_b = b.chunks_exact(4);
    for (x, y) in (&mut fours_a).zip(&mut fours_b) {
        for j in 0..4 {
            let d = x[j] - y[j];
            sums[j] += d * d;
        }
    }
    let mut rest = 0.0;
    for (x, y) in fours_a.remainder().iter().zip(fours_b.remainder()) {
        rest += (x - y) * (x - y);
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + rest
}
