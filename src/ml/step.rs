//! The recipe's learning steps: `cluster` adds a column of cluster labels,
//! `project` adds the principal components as columns. Checked against
//! the schema before running (as every step is), then run on the table.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch};
use serde::{Deserialize, Serialize};

use super::agglomerative::{Linkage, agglomerative};
use super::dbscan::{DbscanParams, dbscan};
use super::features::{Features, extract};
use super::gmm::{GmmParams, gmm};
use super::kmeans::{KMeansParams, MAX_RESTARTS, kmeans};
use super::pca::pca;
use super::tsne::{TsneParams, tsne};
use super::{NOISE, Progress};
use crate::ops::append_columns;
use crate::recipe::plan::{Schema, is_number};

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

impl Method {
    /// The methods in the order the panel lists them.
    pub const COUNT: usize = 4;

    /// This method's place in that list.
    pub fn index(&self) -> usize {
        match self {
            Method::KMeans { .. } => 0,
            Method::Dbscan { .. } => 1,
            Method::GaussianMixture { .. } => 2,
            Method::Agglomerative { .. } => 3,
        }
    }

    /// Method `index` with its defaults, keeping this one's k where both
    /// have one.
    pub fn switch(&self, index: usize) -> Method {
        let k = self.k().unwrap_or(3);
        match index {
            1 => Method::Dbscan {
                eps: 0.5,
                min_points: 5,
            },
            2 => Method::GaussianMixture { k, seed: seed() },
            3 => Method::Agglomerative { k, linkage: ward() },
            _ => Method::KMeans {
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
    pub fn columns(&self, name: &str) -> Vec<(String, String)> {
        let mut out = vec![(name.to_string(), "Int32".to_string())];
        if matches!(self, Method::GaussianMixture { .. }) {
            out.push((probability_name(name), "Float64".into()));
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
}

impl Projection {
    pub fn is_pca(&self) -> bool {
        *self == Projection::Pca
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

fn check_features(schema: &Schema, features: &Features) -> Result<(), String> {
    if features.columns.is_empty() {
        return Err("choose at least one number column".into());
    }
    for c in &features.columns {
        let (_, t) = schema
            .iter()
            .find(|(n, _)| n == c)
            .ok_or_else(|| format!("column {c:?} not found in the table"))?;
        if !is_number(t) {
            return Err(format!("{c:?} is {t}, not a number column"));
        }
    }
    Ok(())
}

fn check_new(schema: &Schema, name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the new column has no name".into());
    }
    if schema.iter().any(|(n, _)| n == name) {
        return Err(format!("there is already a column {name:?}"));
    }
    Ok(())
}

/// The schema after a `cluster` step.
pub fn check_cluster(
    schema: &Schema,
    features: &Features,
    method: &Method,
    name: &str,
) -> Result<Schema, String> {
    check_features(schema, features)?;
    let check_k = |k: &usize| {
        if (1..=MAX_K).contains(k) {
            Ok(())
        } else {
            Err(format!("k must be between 1 and {MAX_K} (it is {k})"))
        }
    };
    match method {
        Method::GaussianMixture { k, .. } | Method::Agglomerative { k, .. } => check_k(k)?,
        Method::KMeans { k, restarts, .. } => {
            check_k(k)?;
            if !(1..=MAX_RESTARTS).contains(restarts) {
                return Err(format!("restarts must be between 1 and {MAX_RESTARTS}"));
            }
        }
        Method::Dbscan { eps, min_points } => {
            if !(eps.is_finite() && *eps > 0.0) {
                return Err(format!("eps must be a number above 0 (it is {eps})"));
            }
            if !(1..=1_000_000).contains(min_points) {
                return Err("min points must be between 1 and 1 000 000".into());
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
) -> Result<Schema, String> {
    check_features(schema, features)?;
    if let Projection::Tsne { perplexity, .. } = method
        && !(perplexity.is_finite() && *perplexity >= 1.0)
    {
        return Err(format!(
            "the perplexity must be a number of at least 1 (it is {perplexity})"
        ));
    }
    if components == 0
        || components > MAX_COMPONENTS
        || usize::from(components) > features.columns.len()
    {
        return Err(format!(
            "choose 1 to {} components (at most the {} features)",
            MAX_COMPONENTS.min(features.columns.len().min(255) as u8),
            features.columns.len()
        ));
    }
    let mut out = schema.clone();
    for name in projected_names(prefix, components) {
        check_new(&out, &name)?;
        out.push((name, "Float64".into()));
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
) -> Result<RecordBatch, String> {
    let x = extract(batch, features).map_err(|e| e.0)?;
    let mut probability = None;
    let labels: Vec<i32> = match method {
        Method::KMeans { k, restarts, seed } => {
            let params = KMeansParams {
                k: *k,
                restarts: *restarts,
                max_iterations: 300,
                seed: *seed,
            };
            kmeans(&x.matrix, &params, progress)
                .map_err(|e| e.0)?
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
            )
            .map_err(|e| e.0)?
            .labels
        }
        Method::GaussianMixture { k, seed } => {
            let fit =
                gmm(&x.matrix, &GmmParams { k: *k, seed: *seed }, progress).map_err(|e| e.0)?;
            probability = Some(fit.probability);
            fit.labels.iter().map(|&l| l as i32).collect()
        }
        Method::Agglomerative { k, linkage } => agglomerative(&x.matrix, *k, *linkage, progress)
            .map_err(|e| e.0)?
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
    append_columns(batch, new).map_err(|e| e.to_string())
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
) -> Result<RecordBatch, String> {
    let x = extract(batch, features).map_err(|e| e.0)?;
    let k = usize::from(components);
    let projected = match method {
        Projection::Pca => pca(&x.matrix, k).map_err(|e| e.0)?.projected,
        Projection::Tsne { perplexity, seed } => {
            let params = TsneParams {
                perplexity: *perplexity,
                dimensions: k,
                seed: *seed,
            };
            tsne(&x.matrix, &params, progress).map_err(|e| e.0)?
        }
    };
    let names = projected_names(prefix, components);
    let mut columns = Vec::with_capacity(k);
    // A column per coordinate the method gave (as many as the names).
    for (c, name) in (0..projected.cols).zip(names) {
        let values: Vec<f64> = (0..projected.rows).map(|i| projected.row(i)[c]).collect();
        columns.push((name, spread(batch.num_rows(), &x.rows, &values)));
    }
    append_columns(batch, columns).map_err(|e| e.to_string())
}

/// A column of `len` rows with `values` at `rows` and nulls elsewhere.
fn spread(len: usize, rows: &[usize], values: &[f64]) -> ArrayRef {
    let mut column = vec![None; len];
    for (&row, &v) in rows.iter().zip(values) {
        column[row] = Some(v);
    }
    Arc::new(Float64Array::from(column))
}
