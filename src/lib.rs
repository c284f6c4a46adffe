//! Datalabb: a data lab that runs entirely in the visitor's browser.
//!
//! The crate is one package with a pure core and thin edges:
//!
//! | module   | role |
//! |----------|------|
//! | [`chart`]  | charts: a chart spec and a table -> values, layout, raster marks, drawing onto plotters backends (canvas, SVG) |
//! | [`data`]   | bytes <-> data models: the published catalog (format v1), Arrow IPC files (written, and loaded with checks), SHA-256 |
//! | [`engine`] | the compute worker: its versioned message protocol (both targets) and, on wasm32, the worker loop and the JS transport |
//! | [`error`]  | one error enum per layer, with messages a visitor can act on |
//! | [`ml`]     | unsupervised learning: features, k-means, DBSCAN, PCA, silhouette (seeded, the same natively and in the worker) |
//! | [`ops`]    | relational kernels on Arrow batches: joins (with diagnostics) and group-by |
//! | [`recipe`] | the analysis as data: model, validation into a plan, the link codec |
//! | `ui`       | (wasm32) the Leptos page; renders what the engine answers, computes nothing |
//! | `publish`  | (native) build the static data host from the manifests in `datasets/` |
//! | `cli`      | (native) the command-line tool |
//!
//! The core (`data`, `engine::protocol`) takes bytes and returns values: no
//! fetch, no DOM, no clock, no global state, so `cargo test` exercises it
//! natively. See `ARCHITECTURE.md` for the data flow.

pub mod chart;
pub mod data;
pub mod engine;
pub mod error;
pub mod ml;
pub mod ops;
pub mod recipe;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(not(target_arch = "wasm32"))]
pub mod publish;

#[cfg(target_arch = "wasm32")]
pub mod ui;

/// The version of this build, reported by the engine and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
