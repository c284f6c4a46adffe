//! Datalabb: a data lab that runs entirely in the visitor's browser.
//!
//! One package with a pure core (`data`, `ops`, `ml`, `recipe`, `chart`,
//! `error`) and thin edges: `engine` (the compute worker's protocol and
//! request handling), `ui` (the Leptos page, wasm32), `publish` and `cli`
//! (native). ARCHITECTURE.md is the map: the layers, every module in one
//! line, the data flow and the tests.

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
