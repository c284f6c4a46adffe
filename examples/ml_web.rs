//! The learning benchmark's workload in the browser (`scripts/bench.sh`
//! with `ONLY=ml`, driven by `benches/ml.mjs`): the same seeded blobs and
//! calls as `cargo bench --bench ml`, exported to JavaScript, which times
//! each call. Built for wasm32 with the release profile and `wasm-opt -Oz`,
//! as the worker is.

fn main() {}

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;

    use datalabb::ml::autoencoder::{AutoencoderParams, autoencoder};
    use datalabb::ml::dbscan::{DbscanParams, dbscan};
    use datalabb::ml::iforest::{IsolationParams, isolation_forest};
    use datalabb::ml::kmeans::{lloyd, plus_plus};
    use datalabb::ml::matrix::Matrix;
    use datalabb::ml::no_progress;
    use datalabb::ml::rng::Rng;
    use datalabb::ml::silhouette::silhouette;
    use datalabb::ml::synthetic::blobs;
    use datalabb::ml::tsne::{TsneParams, tsne};
    use datalabb::ml::umap::{UmapParams, umap};
    use wasm_bindgen::prelude::*;

    #[derive(Default)]
    struct Data {
        big: Option<Matrix>,
        flat: Option<Matrix>,
        small: Option<(Matrix, Vec<i32>)>,
        map: Option<Matrix>,
        start: Option<Matrix>,
        wide: Option<Matrix>,
        sixteen: Option<Matrix>,
        ten_k: Option<Matrix>,
    }

    thread_local! {
        static DATA: RefCell<Data> = RefCell::new(Data::default());
    }

    fn with<T>(f: impl FnOnce(&mut Data) -> Result<T, String>) -> Result<T, JsError> {
        DATA.with(|d| f(&mut d.borrow_mut()))
            .map_err(|e| JsError::new(&e))
    }

    /// Generates the tables (not timed).
    #[wasm_bindgen]
    pub fn prepare() {
        DATA.with(|d| {
            let mut d = d.borrow_mut();
            d.big = Some(blobs(1_000_000, 8, 8, 1).0);
            d.flat = Some(blobs(100_000, 2, 10, 2).0);
            d.small = Some(blobs(10_000, 8, 8, 3));
            d.map = Some(blobs(1_000, 8, 8, 4).0);
            d.wide = Some(blobs(100_000, 8, 8, 5).0);
            d.sixteen = Some(blobs(10_000, 16, 8, 6).0);
            d.ten_k = Some(blobs(10_000, 8, 8, 7).0);
        });
    }

    /// The baseline: one pass summing the 1,000,000 × 8 values.
    #[wasm_bindgen]
    pub fn baseline() -> Result<f64, JsError> {
        with(|d| Ok(d.big.as_ref().ok_or("prepare first")?.data.iter().sum()))
    }

    /// The k-means++ start on 1,000,000 × 8, k = 8.
    #[wasm_bindgen]
    pub fn kmeans_start() -> Result<(), JsError> {
        with(|d| {
            let big = d.big.as_ref().ok_or("prepare first")?;
            d.start = Some(plus_plus(big, 8, &mut Rng::new(9)));
            Ok(())
        })
    }

    /// 10 Lloyd iterations from that start; returns the iterations run.
    #[wasm_bindgen]
    pub fn kmeans_lloyd() -> Result<u32, JsError> {
        with(|d| {
            let big = d.big.as_ref().ok_or("prepare first")?;
            let start = d.start.clone().ok_or("start first")?;
            let run = lloyd(big, start, 10, &mut no_progress).map_err(|e| e.to_string())?;
            Ok(run.iterations as u32)
        })
    }

    /// DBSCAN on 100,000 × 2, eps 0.3, min points 5; returns the clusters.
    #[wasm_bindgen]
    pub fn dbscan_run() -> Result<u32, JsError> {
        with(|d| {
            let flat = d.flat.as_ref().ok_or("prepare first")?;
            let params = DbscanParams {
                eps: 0.3,
                min_points: 5,
            };
            let found = dbscan(flat, &params, &mut no_progress).map_err(|e| e.to_string())?;
            Ok(found.clusters as u32)
        })
    }

    /// t-SNE of 1,000 rows × 8 into 2 dimensions (perplexity 30).
    #[wasm_bindgen]
    pub fn tsne_run() -> Result<f64, JsError> {
        with(|d| {
            let map = d.map.as_ref().ok_or("prepare first")?;
            let params = TsneParams {
                perplexity: 30.0,
                dimensions: 2,
                seed: 1,
            };
            let y = tsne(map, &params, &mut no_progress).map_err(|e| e.to_string())?;
            Ok(y.data[0])
        })
    }

    /// The exact silhouette of 10,000 rows × 8.
    #[wasm_bindgen]
    pub fn silhouette_run() -> Result<f64, JsError> {
        with(|d| {
            let (small, labels) = d.small.as_ref().ok_or("prepare first")?;
            silhouette(small, labels, 10_000, 1).map_err(|e| e.to_string())
        })
    }

    /// The isolation forest's scores of 100,000 rows × 8 (100 trees of 256).
    #[wasm_bindgen]
    pub fn iforest_run() -> Result<f64, JsError> {
        with(|d| {
            let wide = d.wide.as_ref().ok_or("prepare first")?;
            let scores = isolation_forest(wide, &IsolationParams::default(), &mut no_progress)
                .map_err(|e| e.to_string())?;
            Ok(scores[0])
        })
    }

    /// The autoencoder 16 → 16 → 2 → 16 → 16 on 10,000 rows, 50 epochs.
    #[wasm_bindgen]
    pub fn autoencoder_run() -> Result<f64, JsError> {
        with(|d| {
            let sixteen = d.sixteen.as_ref().ok_or("prepare first")?;
            let params = AutoencoderParams {
                epochs: 50,
                learning_rate: 0.01,
                ..AutoencoderParams::default()
            };
            let fit = autoencoder(sixteen, &params, &mut no_progress).map_err(|e| e.to_string())?;
            Ok(fit.errors[0])
        })
    }

    /// UMAP of 10,000 rows × 8 (15 neighbours, 500 epochs).
    #[wasm_bindgen]
    pub fn umap_run() -> Result<f64, JsError> {
        with(|d| {
            let ten_k = d.ten_k.as_ref().ok_or("prepare first")?;
            let params = UmapParams {
                neighbours: 15,
                dimensions: 2,
                epochs: None,
                seed: 1,
            };
            let y = umap(ten_k, &params, &mut no_progress).map_err(|e| e.to_string())?;
            Ok(y.data[0])
        })
    }
}
