//! The recipe's learning steps: `cluster` adds a column of cluster labels,
//! `project` adds the principal components (or a t-SNE map) as columns,
//! `anomaly` ([`anomaly`]) a score of how unusual each row is.
//! Checked against the schema before running (as every step is), then run
//! on the table with the kernels of [`crate::ml`], which know nothing of
//! recipes.

pub mod anomaly;

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch};
use serde::{Deserialize, Serialize};

use crate::error::OpsError;
use crate::ml::agglomerative::{Linkage, agglomerative};
use crate::ml::dbscan::{DbscanParams, dbscan};
use crate::ml::features::{Features, extract};
use crate::ml::gmm::{GmmParams, gmm};
use crate::ml::kmeans::{KMeansParams, MAX_RESTARTS, kmeans};
use crate::ml::pca::pca;
use crate::ml::tsne::{TsneParams, tsne};
use crate::ml::{NOISE, Progress};
use crate::ops::append_columns;
use crate::recipe::error::{Budget, StepError};
use crate::recipe::plan::{ColumnType, Schema};

/// How a `cluster` step finds groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Method {
    /// k groups around centres (k-means++, the best of `restarts` runs).
    KMeans {
        k: usize,
        #[serde(default = "restarts", skip_serializing_if = "is_restarts")]
        restarts: usize,
        #[serde(default = "seed", skip_serializing_if = "is_seed")]
        seed: u64,
    },
    /// Dense regions: rows with `min_points` rows within `eps`, and the
    /// rows near them; the rest is noise (label −1).
    Dbscan { eps: f64, min_points: usize },
    /// k normal distributions (a Gaussian mixture); each row's most
    /// probable one, and that probability in a second column.
    GaussianMixture {
        k: usize,
        #[serde(default = "seed", skip_serializing_if = "is_seed")]
        seed: u64,
    },
    /// Rows merged bottom-up until k clusters remain.
    Agglomerative {
        k: usize,
        #[serde(default = "ward", skip_serializing_if = "is_ward")]
        linkage: Linkage,
    },
}

/// The kinds of clustering, without their parameters: what a form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    KMeans,
    Dbscan,
    GaussianMixture,
    Agglomerative,
}

impl MethodKind {
    /// In the order the panel lists them.
    pub const ALL: [MethodKind; 4] = [
        MethodKind::KMeans,
        MethodKind::Dbscan,
        MethodKind::GaussianMixture,
        MethodKind::Agglomerative,
    ];
}

impl Method {
    /// This method's kind.
    pub fn kind(&self) -> MethodKind {
        match self {
            Method::KMeans { .. } => MethodKind::KMeans,
            Method::Dbscan { .. } => MethodKind::Dbscan,
            Method::GaussianMixture { .. } => MethodKind::GaussianMixture,
            Method::Agglomerative { .. } => MethodKind::Agglomerative,
        }
    }

    /// A method of `kind` with its defaults, keeping this one's k where
    /// both have one.
    pub fn switch(&self, kind: MethodKind) -> Method {
        let k = self.k().unwrap_or(3);
        match kind {
            MethodKind::Dbscan => Method::Dbscan {
                eps: 0.5,
                min_points: 5,
            },
            MethodKind::GaussianMixture => Method::GaussianMixture { k, seed: seed() },
            MethodKind::Agglomerative => Method::Agglomerative { k, linkage: ward() },
            MethodKind::KMeans => Method::KMeans {
                k,
                restarts: restarts(),
                seed: seed(),
            },
        }
    }

    /// The number of clusters asked for (not DBSCAN's).
    pub fn k(&self) -> Option<usize> {
        match self {
            Method::KMeans { k, .. }
            | Method::GaussianMixture { k, .. }
            | Method::Agglomerative { k, .. } => Some(*k),
            Method::Dbscan { .. } => None,
        }
    }

    /// The same method with `k` clusters (`None` for DBSCAN).
    pub fn with_k(&self, new: usize) -> Option<Method> {
        let mut m = self.clone();
        match &mut m {
            Method::KMeans { k, .. }
            | Method::GaussianMixture { k, .. }
            | Method::Agglomerative { k, .. } => *k = new,
            Method::Dbscan { .. } => return None,
        }
        Some(m)
    }

    /// The seed of a method that draws random numbers.
    pub fn seed(&self) -> Option<u64> {
        match self {
            Method::KMeans { seed, .. } | Method::GaussianMixture { seed, .. } => Some(*seed),
            _ => None,
        }
    }

    /// The same method with another seed (`None` without one).
    pub fn with_seed(&self, new: u64) -> Option<Method> {
        let mut m = self.clone();
        match &mut m {
            Method::KMeans { seed, .. } | Method::GaussianMixture { seed, .. } => *seed = new,
            _ => return None,
        }
        Some(m)
    }

    /// The new columns' names and types after a cluster step named `name`.
    pub fn columns(&self, name: &str) -> Vec<(String, ColumnType)> {
        let mut out = vec![(name.to_string(), ColumnType::int32())];
        if matches!(self, Method::GaussianMixture { .. }) {
            out.push((probability_name(name), ColumnType::float64()));
        }
        out
    }
}

/// The column of a mixture's membership probabilities.
pub fn probability_name(name: &str) -> String {
    format!("{name}_probability")
}

fn ward() -> Linkage {
    Linkage::Ward
}
fn is_ward(l: &Linkage) -> bool {
    *l == Linkage::Ward
}

/// How a `project` step maps the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Projection {
    /// Principal components: the directions of most variance.
    #[default]
    Pca,
    /// t-SNE: a map that keeps near neighbours near (up to 2,000 rows).
    Tsne {
        perplexity: f64,
        #[serde(default = "seed", skip_serializing_if = "is_seed")]
        seed: u64,
    },
    /// The middle layer of an autoencoder d → 16 → components → 16 → d.
    Autoencoder(anomaly::Training),
    /// UMAP: a map that keeps each row's nearest neighbours near, for up
    /// to 100,000 rows.
    Umap {
        #[serde(default = "neighbours", skip_serializing_if = "is_neighbours")]
        neighbours: usize,
        #[serde(default = "seed", skip_serializing_if = "is_seed")]
        seed: u64,
    },
}

fn neighbours() -> usize {
    15
}
fn is_neighbours(n: &usize) -> bool {
    *n == neighbours()
}

/// The kinds of projection, without their parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectionKind {
    Pca,
    Tsne,
    Umap,
    Autoencoder,
}

impl ProjectionKind {
    pub const ALL: [ProjectionKind; 4] = [
        ProjectionKind::Pca,
        ProjectionKind::Tsne,
        ProjectionKind::Umap,
        ProjectionKind::Autoencoder,
    ];

    /// The prefix of the columns a projection of this kind names by
    /// default (`pc1`, `tsne1`, …).
    pub fn prefix(self) -> &'static str {
        match self {
            ProjectionKind::Pca => "pc",
            ProjectionKind::Tsne => "tsne",
            ProjectionKind::Autoencoder => "code",
            ProjectionKind::Umap => "umap",
        }
    }
}

impl Projection {
    pub fn is_pca(&self) -> bool {
        *self == Projection::Pca
    }

    /// This projection's kind.
    pub fn kind(&self) -> ProjectionKind {
        match self {
            Projection::Pca => ProjectionKind::Pca,
            Projection::Tsne { .. } => ProjectionKind::Tsne,
            Projection::Autoencoder(_) => ProjectionKind::Autoencoder,
            Projection::Umap { .. } => ProjectionKind::Umap,
        }
    }

    /// A projection of `kind` with its defaults (this one if it is of
    /// that kind already).
    pub fn switch(&self, kind: ProjectionKind) -> Projection {
        match (kind, self) {
            (ProjectionKind::Tsne, Projection::Tsne { .. }) => *self,
            (ProjectionKind::Tsne, _) => Projection::Tsne {
                perplexity: 30.0,
                seed: seed(),
            },
            (ProjectionKind::Pca, _) => Projection::Pca,
            (ProjectionKind::Autoencoder, Projection::Autoencoder(_)) => *self,
            (ProjectionKind::Autoencoder, _) => Projection::Autoencoder(Default::default()),
            (ProjectionKind::Umap, Projection::Umap { .. }) => *self,
            (ProjectionKind::Umap, _) => Projection::Umap {
                neighbours: neighbours(),
                seed: seed(),
            },
        }
    }
}

fn restarts() -> usize {
    10
}
fn is_restarts(r: &usize) -> bool {
    *r == restarts()
}
fn seed() -> u64 {
    1
}
fn is_seed(s: &u64) -> bool {
    *s == seed()
}

/// The largest k a recipe may ask for.
pub const MAX_K: usize = 1000;
/// The most principal components a `project` step adds.
pub const MAX_COMPONENTS: u8 = 3;

/// The names of a projection's columns: `pc1`, `pc2`, … for prefix `pc`.
pub fn projected_names(prefix: &str, components: u8) -> Vec<String> {
    (1..=components).map(|c| format!("{prefix}{c}")).collect()
}

/// The most feature columns a learning step reads: PCA's covariance has
/// d² cells and its sweeps take d³ steps, a mixture keeps k·d² per fit.
pub const MAX_FEATURES: usize = 256;
/// The most cells a mixture's memberships (rows × k) may take: 400 MB.
pub const MAX_MEMBERSHIPS: u64 = 50_000_000;
/// The most distance terms (rows × k × features × restarts) one Lloyd
/// iteration of every restart may compute, several seconds in the browser.
pub const MAX_KMEANS_WORK: u64 = 20_000_000_000;

fn check_features(schema: &Schema, features: &Features) -> Result<(), StepError> {
    if features.columns.is_empty() {
        return Err(StepError::NoFeatures);
    }
    if features.columns.len() > MAX_FEATURES {
        return Err(StepError::TooManyFeatures(features.columns.len()));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = features.columns.iter().find(|c| !seen.insert(c.as_str())) {
        return Err(StepError::FeatureTwice(twice.clone()));
    }
    for c in &features.columns {
        let (_, t) = schema
            .iter()
            .find(|(n, _)| n == c)
            .ok_or_else(|| OpsError::NoColumn {
                column: c.clone(),
                table: "the table".into(),
                suggestion: None,
            })?;
        if !t.is_number() {
            return Err(StepError::NotNumber {
                column: c.clone(),
                data_type: t.to_string(),
            });
        }
    }
    Ok(())
}

fn check_new(schema: &Schema, name: &str) -> Result<(), StepError> {
    if name.trim().is_empty() {
        return Err(StepError::NoName);
    }
    if schema.iter().any(|(n, _)| n == name) {
        return Err(StepError::Exists(name.to_string()));
    }
    Ok(())
}

/// The schema after a `cluster` step.
pub fn check_cluster(
    schema: &Schema,
    features: &Features,
    method: &Method,
    name: &str,
) -> Result<Schema, StepError> {
    check_features(schema, features)?;
    let check_k = |k: &usize| {
        if (1..=MAX_K).contains(k) {
            Ok(())
        } else {
            Err(StepError::K(*k))
        }
    };
    match method {
        Method::GaussianMixture { k, .. } | Method::Agglomerative { k, .. } => check_k(k)?,
        Method::KMeans { k, restarts, .. } => {
            check_k(k)?;
            if !(1..=MAX_RESTARTS).contains(restarts) {
                return Err(StepError::Restarts);
            }
        }
        Method::Dbscan { eps, min_points } => {
            if !(eps.is_finite() && *eps > 0.0) {
                return Err(StepError::Eps(*eps));
            }
            if !(1..=1_000_000).contains(min_points) {
                return Err(StepError::MinPoints);
            }
        }
    }
    let mut out = schema.clone();
    for (column, data_type) in method.columns(name) {
        check_new(&out, &column)?;
        out.push((column, data_type));
    }
    Ok(out)
}

/// The schema after a `project` step.
pub fn check_project(
    schema: &Schema,
    features: &Features,
    components: u8,
    prefix: &str,
    method: &Projection,
) -> Result<Schema, StepError> {
    check_features(schema, features)?;
    if let Projection::Tsne { perplexity, .. } = method
        && !(perplexity.is_finite() && *perplexity >= 1.0)
    {
        return Err(StepError::Perplexity(*perplexity));
    }
    if let Projection::Umap { neighbours, .. } = method
        && !(2..=crate::ml::umap::MAX_NEIGHBOURS).contains(neighbours)
    {
        return Err(StepError::Neighbours(*neighbours));
    }
    if let Projection::Autoencoder(training) = method {
        crate::ml::autoencoder::check_params(&training.params(usize::from(components.max(1))))?;
    }
    if components == 0
        || components > MAX_COMPONENTS
        || usize::from(components) > features.columns.len()
    {
        return Err(StepError::Components {
            most: MAX_COMPONENTS.min(features.columns.len().min(255) as u8),
            features: features.columns.len(),
        });
    }
    let mut out = schema.clone();
    for name in projected_names(prefix, components) {
        check_new(&out, &name)?;
        out.push((name, ColumnType::float64()));
    }
    Ok(out)
}

/// Adds column `name`: each row's cluster (−1 for noise, null for a row
/// left out for a missing value); for a mixture also `name_probability`.
pub fn cluster(
    batch: &RecordBatch,
    features: &Features,
    method: &Method,
    name: &str,
    progress: &mut Progress,
) -> Result<RecordBatch, StepError> {
    let x = extract(batch, features)?;
    check_budget(x.matrix.rows, x.matrix.cols, method).map_err(StepError::Budget)?;
    let mut probability = None;
    let labels: Vec<i32> = match method {
        Method::KMeans { k, restarts, seed } => {
            let params = KMeansParams {
                k: *k,
                restarts: *restarts,
                max_iterations: 300,
                seed: *seed,
            };
            kmeans(&x.matrix, &params, progress)?
                .labels
                .iter()
                .map(|&l| l as i32)
                .collect()
        }
        Method::Dbscan { eps, min_points } => {
            dbscan(
                &x.matrix,
                &DbscanParams {
                    eps: *eps,
                    min_points: *min_points,
                },
                progress,
            )?
            .labels
        }
        Method::GaussianMixture { k, seed } => {
            let fit = gmm(&x.matrix, &GmmParams { k: *k, seed: *seed }, progress)?;
            probability = Some(fit.probability);
            fit.labels.iter().map(|&l| l as i32).collect()
        }
        Method::Agglomerative { k, linkage } => agglomerative(&x.matrix, *k, *linkage, progress)?
            .labels
            .iter()
            .map(|&l| l as i32)
            .collect(),
    };
    let mut column = vec![None; batch.num_rows()];
    for (&row, &label) in x.rows.iter().zip(&labels) {
        column[row] = Some(if label < 0 { NOISE } else { label });
    }
    let mut new = vec![(
        name.to_string(),
        Arc::new(Int32Array::from(column)) as ArrayRef,
    )];
    if let Some(p) = probability {
        new.push((
            probability_name(name),
            spread(batch.num_rows(), &x.rows, &p),
        ));
    }
    Ok(append_columns(batch, new)?)
}

/// Refuses, before any allocation, a clustering of `rows` × `features`
/// whose memory or work would overwhelm the browser.
pub fn check_budget(rows: usize, features: usize, method: &Method) -> Result<(), Budget> {
    let (n, d) = (rows as u64, features as u64);
    match method {
        Method::GaussianMixture { k, .. } => {
            let cells = n.saturating_mul(*k as u64);
            if cells > MAX_MEMBERSHIPS {
                return Err(Budget::Memberships {
                    k: *k,
                    rows,
                    cells,
                    most: MAX_MEMBERSHIPS,
                });
            }
        }
        Method::KMeans { k, restarts, .. } => {
            let work = n
                .saturating_mul(*k as u64)
                .saturating_mul(d)
                .saturating_mul(*restarts as u64);
            if work > MAX_KMEANS_WORK {
                return Err(Budget::KMeansWork {
                    k: *k,
                    restarts: *restarts,
                    rows,
                    features,
                    work,
                    most: MAX_KMEANS_WORK,
                });
            }
        }
        Method::Dbscan { .. } | Method::Agglomerative { .. } => {}
    }
    Ok(())
}

/// Adds the first `components` principal components of the features, or
/// the coordinates of their t-SNE map.
pub fn project(
    batch: &RecordBatch,
    features: &Features,
    components: u8,
    prefix: &str,
    method: &Projection,
    progress: &mut Progress,
) -> Result<RecordBatch, StepError> {
    let x = extract(batch, features)?;
    let k = usize::from(components);
    let projected = match method {
        Projection::Pca => pca(&x.matrix, k)?.projected,
        Projection::Tsne { perplexity, seed } => {
            let params = TsneParams {
                perplexity: *perplexity,
                dimensions: k,
                seed: *seed,
            };
            tsne(&x.matrix, &params, progress)?
        }
        Projection::Autoencoder(training) => {
            crate::ml::autoencoder::autoencoder(&x.matrix, &training.params(k), progress)?.codes
        }
        Projection::Umap { neighbours, seed } => {
            let params = crate::ml::umap::UmapParams {
                neighbours: *neighbours,
                dimensions: k,
                epochs: None,
                seed: *seed,
            };
            crate::ml::umap::umap(&x.matrix, &params, progress)?
        }
    };
    let names = projected_names(prefix, components);
    let mut columns = Vec::with_capacity(k);
    // A column per coordinate the method gave (as many as the names).
    for (c, name) in (0..projected.cols).zip(names) {
        let values: Vec<f64> = (0..projected.rows).map(|i| projected.row(i)[c]).collect();
        columns.push((name, spread(batch.num_rows(), &x.rows, &values)));
    }
    Ok(append_columns(batch, columns)?)
}

/// A column of `len` rows with `values` at `rows` and nulls elsewhere.
fn spread(len: usize, rows: &[usize], values: &[f64]) -> ArrayRef {
    let mut column = vec![None; len];
    for (&row, &v) in rows.iter().zip(values) {
        column[row] = Some(v);
    }
    Arc::new(Float64Array::from(column))
}

#[cfg(test)]
mod tests;
