//! The recipe's learning steps: `cluster` adds a column of cluster labels,
//! `project` adds the principal components (or a t-SNE map) as columns.
//! Checked against the schema before running (as every step is), then run
//! on the table with the kernels of [`crate::ml`], which know nothing of
//! recipes.

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
}

/// The kinds of projection, without their parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectionKind {
    Pca,
    Tsne,
}

impl ProjectionKind {
    pub const ALL: [ProjectionKind; 2] = [ProjectionKind::Pca, ProjectionKind::Tsne];

    /// The prefix of the columns a projection of this kind names by
    /// default (`pc1`, `tsne1`, …).
    pub fn prefix(self) -> &'static str {
        match self {
            ProjectionKind::Pca => "pc",
            ProjectionKind::Tsne => "tsne",
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
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch};

    use super::*;

    use crate::ml::silhouette::adjusted_rand;
    use crate::ml::tests::{blobs, centres};
    use crate::ops::no_progress;

    fn schema(columns: usize) -> Schema {
        (0..columns)
            .map(|i| (format!("x{i}"), "Float64".into()))
            .collect()
    }

    fn features(columns: &[&str]) -> Features {
        Features {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            ..Features::default()
        }
    }

    fn kmeans(k: usize) -> Method {
        Method::KMeans {
            k,
            restarts: 10,
            seed: 1,
        }
    }

    #[test]
    fn repeated_and_too_many_features_are_refused_before_any_work() {
        let error = check_cluster(&schema(3), &features(&["x0", "x1", "x0"]), &kmeans(2), "c")
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"x0\" is chosen twice"), "{error}");
        let wide = schema(MAX_FEATURES + 1);
        let names: Vec<&str> = wide.iter().map(|(n, _)| n.as_str()).collect();
        let error = check_project(&wide, &features(&names), 2, "pc", &Projection::Pca)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&format!("at most {MAX_FEATURES}")),
            "{error}"
        );
        check_project(
            &wide,
            &features(&names[..MAX_FEATURES]),
            2,
            "pc",
            &Projection::Pca,
        )
        .unwrap();
    }

    #[test]
    fn budgets_refuse_work_the_browser_cannot_hold() {
        check_budget(1_000_000, 8, &kmeans(10)).unwrap();
        assert!(matches!(
            check_budget(1_000_000, 256, &kmeans(1000)),
            Err(Budget::KMeansWork { k: 1000, .. })
        ));
        let error = check_budget(1_000_000, 256, &kmeans(1000))
            .unwrap_err()
            .to_string();
        assert!(error.contains("choose a smaller k"), "{error}");
        let gmm = Method::GaussianMixture { k: 1000, seed: 1 };
        check_budget(50_000, 8, &gmm).unwrap();
        let error = check_budget(100_000, 8, &gmm).unwrap_err().to_string();
        assert!(error.contains("memberships"), "{error}");
        // Saturating, not overflowing.
        assert!(check_budget(usize::MAX, usize::MAX, &kmeans(MAX_K)).is_err());
    }

    #[test]
    fn cluster_and_project_steps_run_in_a_recipe() {
        use crate::recipe::learn::Method;
        use crate::recipe::{Input, Recipe, Step};
        let (x, truth) = blobs(&centres(), 150, 1.0, 21);
        let column = |j: usize| {
            Arc::new(Float64Array::from(
                (0..x.rows).map(|i| x.row(i)[j]).collect::<Vec<_>>(),
            )) as ArrayRef
        };
        let mut a: Vec<Option<f64>> = (0..x.rows).map(|i| Some(x.row(i)[0])).collect();
        a[0] = None;
        let batch = RecordBatch::try_from_iter([
            ("a", Arc::new(Float64Array::from(a)) as ArrayRef),
            ("b", column(1)),
            ("c", column(2)),
        ])
        .unwrap();
        let features = Features {
            columns: vec!["a".into(), "b".into(), "c".into()],
            ..Features::default()
        };
        let recipe = Recipe {
            v: 1,
            inputs: vec![Input {
                name: "t".into(),
                dataset: "t".into(),
                sha256: String::new(),
            }],
            steps: vec![
                Step::Cluster {
                    features: features.clone(),
                    method: Method::KMeans {
                        k: 4,
                        restarts: 10,
                        seed: 7,
                    },
                    name: "cluster".into(),
                },
                Step::Project {
                    features,
                    components: 2,
                    prefix: "pc".into(),
                    method: crate::recipe::learn::Projection::Pca,
                },
            ],
            chart: Default::default(),
        };
        let tables = std::collections::BTreeMap::from([("t".to_string(), batch)]);
        let (out, _) = crate::recipe::run::run(&recipe, &tables, &mut no_progress).unwrap();
        let names: Vec<String> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["a", "b", "c", "cluster", "pc1", "pc2"]);
        let labels = out
            .column(3)
            .as_any()
            .downcast_ref::<arrow::array::Int32Array>()
            .unwrap();
        assert!(labels.is_null(0), "the row without a value has no label");
        let found: Vec<i32> = (1..x.rows).map(|i| labels.value(i)).collect();
        assert!(adjusted_rand(&found, &truth[1..]) >= 0.99);
        let pc1 = out
            .column(4)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert!(pc1.is_null(0) && (1..x.rows).all(|i| pc1.value(i).is_finite()));
        let (again, _) = crate::recipe::run::run(&recipe, &tables, &mut no_progress).unwrap();
        assert_eq!(out, again, "the same recipe and seed, the same labels");
        // k above the rows: a message naming the step.
        let mut too_many = recipe.clone();
        too_many.steps[0] = Step::Cluster {
            features: Features {
                columns: vec!["b".into()],
                ..Features::default()
            },
            method: Method::KMeans {
                k: 1000,
                restarts: 1,
                seed: 1,
            },
            name: "cluster".into(),
        };
        let err = crate::recipe::run::run(&too_many, &tables, &mut no_progress)
            .unwrap_err()
            .to_string();
        assert!(err.to_string().contains("more than the 600 rows"), "{err}");
        // A mixture adds its probabilities; every method finds the blobs, and
        // the rows it left out stay null.
        for method in [
            Method::GaussianMixture { k: 4, seed: 2 },
            Method::Agglomerative {
                k: 4,
                linkage: crate::ml::agglomerative::Linkage::Average,
            },
        ] {
            let mut other = recipe.clone();
            other.steps.truncate(1);
            if let Step::Cluster { method: m, .. } = &mut other.steps[0] {
                *m = method.clone();
            }
            let (out, _) = crate::recipe::run::run(&other, &tables, &mut no_progress).unwrap();
            let labels = out
                .column(3)
                .as_any()
                .downcast_ref::<arrow::array::Int32Array>()
                .unwrap();
            let found: Vec<i32> = (1..x.rows).map(|i| labels.value(i)).collect();
            assert!(labels.is_null(0) && adjusted_rand(&found, &truth[1..]) >= 0.99);
            let gmm = matches!(method, Method::GaussianMixture { .. });
            assert_eq!(out.num_columns(), if gmm { 5 } else { 4 });
            if gmm {
                assert_eq!(out.schema().field(4).name(), "cluster_probability");
                let p = out
                    .column(4)
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .unwrap();
                assert!(p.is_null(0) && (1..x.rows).all(|i| p.value(i) > 0.9));
            }
        }
        // The probability column's name is checked like the label's.
        let schema = vec![
            ("a".to_string(), "Float64".into()),
            ("g_probability".to_string(), "Float64".into()),
        ];
        let features = Features {
            columns: vec!["a".into()],
            ..Features::default()
        };
        let gmm = Method::GaussianMixture { k: 2, seed: 1 };
        let e = crate::recipe::learn::check_cluster(&schema, &features, &gmm, "g")
            .unwrap_err()
            .to_string();
        assert!(e.contains("g_probability"), "{e}");
        assert!(
            crate::recipe::learn::check_cluster(&schema, &features, &gmm.with_k(0).unwrap(), "h")
                .is_err()
        );
    }

    #[test]
    fn methods_switch_keeping_k_and_read_old_links() {
        use crate::recipe::learn::Method;
        let m = Method::KMeans {
            k: 5,
            restarts: 10,
            seed: 1,
        };
        for kind in crate::recipe::learn::MethodKind::ALL {
            let other = m.switch(kind);
            assert_eq!(other.kind(), kind);
            if kind != crate::recipe::learn::MethodKind::Dbscan {
                assert_eq!(other.k(), Some(5));
            }
        }
        let json =
            serde_json::to_string(&m.switch(crate::recipe::learn::MethodKind::Agglomerative))
                .unwrap();
        assert_eq!(json, r#"{"agglomerative":{"k":5}}"#);
        let read: Method = serde_json::from_str(r#"{"gaussian_mixture":{"k":2}}"#).unwrap();
        assert_eq!(read.seed(), Some(1));
        let linked: Method =
            serde_json::from_str(r#"{"agglomerative":{"k":2,"linkage":"complete"}}"#).unwrap();
        assert_eq!(linked.with_k(7).unwrap().k(), Some(7));
        assert!(
            serde_json::from_str::<Method>(r#"{"agglomerative":{"k":2,"linkage":"single"}}"#)
                .is_err()
        );
    }
}
