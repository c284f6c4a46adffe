//! Unsupervised learning on a table's number columns, natively and in the
//! worker with the same code and the same seeded random numbers, so a
//! recipe and seed give the same labels everywhere.
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.
//!
//! Pure: no clock, no IO. Errors are messages for the visitor.

pub mod agglomerative;
pub mod autoencoder;
pub mod dbscan;
pub mod features;
pub mod gmm;
pub mod iforest;
pub mod insight;
pub mod jobs;
pub mod kmeans;
pub mod matrix;
pub mod neighbours;
pub mod pca;
pub mod rng;
pub mod silhouette;
pub mod spacetree;
pub mod synthetic;
pub mod tsne;
pub mod umap;

#[cfg(test)]
pub(crate) mod tests;

/// Why a method cannot run on the data. Each variant says it in words
/// for the visitor; callers match the variant.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MlError {
    #[error("cancelled")]
    Cancelled,
    /// The work went to helper workers; the run is answered once they
    /// are done (never shown: the compute worker runs the request again).
    #[error("the work went to helper workers")]
    Handed,
    #[error("Choose at least one number column.")]
    NoFeatures,
    #[error("Column \"{0}\" is not in the table.")]
    NoColumn(String),
    #[error("Column \"{column}\" is not numbers ({data_type}).")]
    NotNumbers { column: String, data_type: String },
    #[error("Column \"{0}\" has no values to fill its missing ones with.")]
    NothingToFill(String),
    #[error("No row has a value in every chosen column ({rows} rows; {dropped} lack one).")]
    NoCompleteRow { rows: usize, dropped: usize },
    #[error("{0}")]
    Table(String),
    #[error("k must be at least 1.")]
    KZero,
    #[error("restarts must be at least 1.")]
    NoRestarts,
    #[error("k = {k} is more than the {rows} rows: choose k of at most {rows}.")]
    KAboveRows { k: usize, rows: usize },
    #[error("Choose a range of k from 1 to at most {rows} rows, no wider than {widest} values.")]
    KRange { rows: usize, widest: usize },
    #[error(
        "The silhouette needs between 2 and {} clusters (the rows − 1); there are {clusters}.",
        .rows.saturating_sub(1)
    )]
    SilhouetteClusters { clusters: usize, rows: usize },
    #[error("{labels:?} is not a column of cluster labels")]
    NotLabels { labels: String },
    #[error("no row has a cluster")]
    NoClusteredRow,
    #[error("{column:?} is not a column of anomaly scores")]
    NotScores { column: String },
    #[error("no row has an anomaly score")]
    NoScoredRow,
    #[error(
        "t-SNE maps at most {most} rows in the browser, and there are {rows}. \
         Use UMAP (up to 100,000 rows) or PCA, or filter or group the rows first."
    )]
    TsneTooManyRows { rows: usize, most: usize },
    #[error("t-SNE needs at least 4 rows; there are {0}.")]
    TsneTooFewRows(usize),
    #[error(
        "The perplexity must be between 1 and {most:.0} (a third of the rows, and at most 100 above 2,000 rows) for {rows} rows; it is {perplexity}."
    )]
    Perplexity {
        perplexity: f64,
        most: f64,
        rows: usize,
    },
    #[error("t-SNE did not settle; scale the features first.")]
    TsneDiverged,
    #[error("A projection needs at least two rows.")]
    PcaTooFewRows,
    #[error("Choose between 1 and {features} components (the features).")]
    Components { features: usize },
    #[error(
        "a component's covariance is not positive definite: try fewer clusters or scale the features"
    )]
    NotPositiveDefinite,
    #[error(
        "Agglomerative clustering keeps the distance of every pair of rows: \
         at most {most} rows fit in the browser, and there are {rows}. \
         Use k-means, or filter or group the rows first."
    )]
    AgglomerativeTooManyRows { rows: usize, most: usize },
    #[error("no cluster left to merge")]
    NothingToMerge,
    #[error("eps must be a number above 0 (it is {0}).")]
    Eps(f64),
    #[error("min points must be at least 1.")]
    MinPoints,
    #[error(
        "eps = {eps} makes most rows neighbours of each other (about {work} distance computations, more than the {most} allowed): choose a smaller eps (the k-distance chart helps)."
    )]
    EpsTooWide { eps: f64, work: u64, most: u64 },
    #[error("k must be between 1 and {} (the rows − 1).", .rows.saturating_sub(1))]
    KDistance { rows: usize },
    #[error("The number of trees must be between 1 and {most}.")]
    Trees { most: usize },
    #[error("Each tree's sample must be between 2 and {most} rows.")]
    Sample { most: usize },
    #[error("This method needs at least {least} rows; there are {rows}.")]
    TooFewRows { rows: usize, least: usize },
    #[error(
        "UMAP maps at most {most} rows in the browser, and there are {rows}: filter, group or sample the rows first."
    )]
    UmapTooManyRows { rows: usize, most: usize },
    #[error("The neighbours must be between 2 and {most} (fewer than the {rows} rows).")]
    Neighbours { most: usize, rows: usize },
    #[error("The number of epochs must be between 1 and {most}.")]
    Epochs { most: usize },
    #[error("The learning rate must be a number above 0 and at most 1 (it is {0}).")]
    LearningRate(f64),
    #[error(
        "The hidden layers must have between 1 and {most} units, the middle one no more than the outer ones."
    )]
    Layers { most: usize },
    #[error(
        "Training would take {work} weight updates, more than the {most} the lab allows: choose fewer epochs or features, or filter or group the rows first."
    )]
    TrainingWork { work: u64, most: u64 },
    #[error(
        "The training diverged at epoch {epoch} (the loss is no longer a number): choose a smaller learning rate."
    )]
    Diverged { epoch: usize },
}

impl From<arrow::error::ArrowError> for MlError {
    fn from(e: arrow::error::ArrowError) -> Self {
        MlError::Table(e.to_string())
    }
}

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
