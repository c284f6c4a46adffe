//! The web page (wasm32): Leptos components that render what the compute
//! engine answers. Nothing is computed here; IO (fetch, the worker) lives
//! at this edge.
//!
//! | file | role |
//! |------|------|
//! | `analysis.rs` | the analysis page: the recipe panel (a form per step, output and errors), the result, downloads and the link |
//! | `app.rs`     | the lab's frame and its state: engine status, catalog, routes |
//! | `chart.rs`   | the analysis's chart: settings, canvas (plotters-canvas + the worker's image of big series), tooltips, legend highlight, zoom, pan, brush to filter, data tab, PNG / SVG export |
//! | `bridge.rs`  | the page's end of the compute worker |
//! | `catalog.rs` | the list of published datasets |
//! | `dataset_page.rs` | a dataset's page: description, columns, versions; a CSV file's types |
//! | `datasets.rs` | opening a dataset in the engine (progress, cancel, unload), the loaded-data panel |
//! | `embed.rs`   | an analysis's chart alone for an iframe (`#/embed/r1.…`, `?follow` for the newest data), with short messages when it cannot show |
//! | `fetch.rs`   | downloads, with messages a visitor can act on |
//! | `files.rs`   | opening the visitor's own files (chooser, drag and drop) |
//! | `i18n.rs`    | the page's texts in Swedish and English |
//! | `share.rs`   | the analysis's Embed (iframe snippet, pinned or following updates) and Cite (citation, command) panels |
//! | `preview.rs` | the virtual preview table (search, sort, keyboard) and column summaries |

mod analysis;
mod app;
pub mod bridge;
mod catalog;
mod chart;
mod dataset_page;
mod datasets;
mod embed;
mod fetch;
mod files;
mod i18n;
mod preview;
mod share;

pub use app::App;

/// Mounts the lab on the page's `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
