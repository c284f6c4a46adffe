//! `datalabb ml`: one learning method on the number columns of an Arrow
//! file, as they are (no scaling), with its full answer as JSON: labels,
//! inertia, core rows, components, anomaly scores, an autoencoder's
//! reconstruction errors. The tests compare it
//! with scikit-learn on the same data.

use std::path::Path;

use serde_json::{Value, json};

use crate::data::load::{Limits, decode};
use crate::ml::agglomerative::{Linkage, agglomerative};
use crate::ml::autoencoder::{AutoencoderParams, autoencoder};
use crate::ml::dbscan::{DbscanParams, dbscan};
use crate::ml::features::{ColumnScale, Features, Missing, RowScale, extract};
use crate::ml::gmm::{GmmParams, gmm};
use crate::ml::iforest::{IsolationParams, isolation_forest};
use crate::ml::kmeans::{KMeans, KMeansParams, kmeans};
use crate::ml::matrix::Matrix;
use crate::ml::no_progress;
use crate::ml::pca::pca;
use crate::ml::silhouette::silhouette;
use crate::ml::tsne::{TsneParams, barnes_hut, tsne};
use crate::ml::umap::{UmapParams, umap};

/// A method and its parameters, as the command line gives them.
#[derive(clap::Args)]
pub struct Method {
    /// kmeans, dbscan, gmm, agglomerative, pca, silhouette, iforest,
    /// autoencoder, umap or tsne.
    #[arg(long = "method")]
    pub name: String,
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 10)]
    pub restarts: usize,
    #[arg(long, default_value_t = 0.5)]
    pub eps: f64,
    #[arg(long, default_value_t = 5)]
    pub min_points: usize,
    /// ward, average or complete.
    #[arg(long, default_value = "ward")]
    pub linkage: String,
    #[arg(long, default_value_t = 2)]
    pub components: usize,
    /// The isolation forest's trees.
    #[arg(long, default_value_t = 100)]
    pub trees: usize,
    /// The rows each of its trees is grown on.
    #[arg(long, default_value_t = 256)]
    pub sample: usize,
    /// The autoencoder's epochs.
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Adam's step size.
    #[arg(long, default_value_t = 0.001)]
    pub learning_rate: f64,
    /// The units of the autoencoder's outer hidden layers (its middle
    /// layer has `--components`).
    #[arg(long, default_value_t = 16)]
    pub hidden: usize,
    /// UMAP's neighbours.
    #[arg(long, default_value_t = 15)]
    pub neighbours: usize,
    /// t-SNE's perplexity.
    #[arg(long, default_value_t = 30.0)]
    pub perplexity: f64,
    /// t-SNE by Barnes–Hut at any size (the lab takes it above 2,000 rows).
    #[arg(long)]
    pub barnes_hut: bool,
}

impl Method {
    /// k-means with this k, seed and restarts.
    fn kmeans(&self, x: &Matrix) -> Result<KMeans, String> {
        let params = KMeansParams {
            k: self.k,
            restarts: self.restarts,
            max_iterations: 300,
            seed: self.seed,
        };
        kmeans(x, &params, &mut no_progress).map_err(|e| e.to_string())
    }
}

/// Runs `method` on the number columns of the Arrow file at `input`;
/// returns the answer as JSON text.
pub fn run(input: &Path, method: &Method) -> Result<String, String> {
    let bytes = std::fs::read(input).map_err(|e| format!("{}: {e}", input.display()))?;
    let batch = decode(bytes, &Limits::default())
        .and_then(|t| t.into_batch())
        .map_err(|e| format!("{}: {e}", input.display()))?;
    let features = Features {
        columns: batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect(),
        missing: Missing::Drop,
        scale: ColumnScale::None,
        row_scale: RowScale::None,
    };
    let x = extract(&batch, &features)
        .map_err(|e| e.to_string())?
        .matrix;
    let answer = answer(&x, method).map_err(|e| format!("{}: {e}", method.name))?;
    serde_json::to_string(&answer).map_err(|e| e.to_string())
}

fn answer(x: &Matrix, m: &Method) -> Result<Value, String> {
    let labels = |l: &[u32]| l.iter().map(|&v| v as i64).collect::<Vec<_>>();
    Ok(match m.name.as_str() {
        "kmeans" => {
            let fit = m.kmeans(x)?;
            json!({
                "labels": labels(&fit.labels),
                "inertia": fit.inertia,
                "centres": rows(&fit.centres),
                "iterations": fit.iterations,
            })
        }
        "dbscan" => {
            let params = DbscanParams {
                eps: m.eps,
                min_points: m.min_points,
            };
            let fit = dbscan(x, &params, &mut no_progress).map_err(|e| e.to_string())?;
            json!({ "labels": fit.labels, "core": fit.core, "clusters": fit.clusters })
        }
        "gmm" => {
            let params = GmmParams {
                k: m.k,
                seed: m.seed,
            };
            let fit = gmm(x, &params, &mut no_progress).map_err(|e| e.to_string())?;
            json!({
                "labels": labels(&fit.labels),
                "probability": fit.probability,
                "weights": fit.weights,
                "means": rows(&fit.means),
                "log_likelihood": fit.log_likelihood,
                "converged": fit.converged,
            })
        }
        "agglomerative" => {
            let linkage = Linkage::ALL
                .into_iter()
                .find(|l| l.name() == m.linkage)
                .ok_or_else(|| format!("linkage {:?}: ward, average or complete", m.linkage))?;
            let fit =
                agglomerative(x, m.k, linkage, &mut no_progress).map_err(|e| e.to_string())?;
            let heights: Vec<f64> = fit.merges.iter().map(|g| g.height).collect();
            json!({ "labels": labels(&fit.labels), "heights": heights })
        }
        "pca" => {
            let fit = pca(x, m.components).map_err(|e| e.to_string())?;
            json!({
                "components": rows(&fit.components),
                "variances": fit.variances,
                "explained": fit.explained,
            })
        }
        "silhouette" => {
            // Of the k-means labels, on every row.
            let fit = m.kmeans(x)?;
            let l: Vec<i32> = fit.labels.iter().map(|&v| v as i32).collect();
            let score = silhouette(x, &l, x.rows, m.seed).map_err(|e| e.to_string())?;
            json!({ "labels": labels(&fit.labels), "silhouette": score })
        }
        "iforest" => {
            let params = IsolationParams {
                trees: m.trees,
                sample: m.sample,
                seed: m.seed,
            };
            let scores =
                isolation_forest(x, &params, &mut no_progress).map_err(|e| e.to_string())?;
            json!({ "scores": scores })
        }
        "autoencoder" => {
            let params = AutoencoderParams {
                hidden: m.hidden,
                bottleneck: m.components,
                epochs: m.epochs,
                learning_rate: m.learning_rate,
                seed: m.seed,
            };
            let fit = autoencoder(x, &params, &mut no_progress).map_err(|e| e.to_string())?;
            json!({ "errors": fit.errors, "codes": rows(&fit.codes), "losses": fit.losses })
        }
        "umap" => {
            let params = UmapParams {
                neighbours: m.neighbours,
                dimensions: m.components,
                epochs: None,
                seed: m.seed,
            };
            let map = umap(x, &params, &mut no_progress).map_err(|e| e.to_string())?;
            json!({ "map": rows(&map) })
        }
        "tsne" => {
            let params = TsneParams {
                perplexity: m.perplexity,
                dimensions: m.components,
                seed: m.seed,
            };
            let map = if m.barnes_hut {
                barnes_hut(x, &params, &mut no_progress)
            } else {
                tsne(x, &params, &mut no_progress)
            }
            .map_err(|e| e.to_string())?;
            json!({ "map": rows(&map) })
        }
        other => {
            return Err(format!(
                "unknown method {other:?}: kmeans, dbscan, gmm, agglomerative, pca, silhouette, iforest, autoencoder, umap or tsne"
            ));
        }
    })
}

fn rows(m: &Matrix) -> Vec<Vec<f64>> {
    (0..m.rows).map(|i| m.row(i).to_vec()).collect()
}
