//! The web page (wasm32): Leptos components that render what the compute
//! engine answers. Nothing is computed here; IO (fetch, the worker) lives
//! at this edge.
//!
//! | file | role |
//! |------|------|
//! | `app.rs`     | the lab's frame and its state: engine status, catalog |
//! | `bridge.rs`  | the page's end of the compute worker |
//! | `catalog.rs` | the list of published datasets |
//! | `datasets.rs` | opening a dataset in the engine (progress, cancel, unload), the loaded-data panel |
//! | `fetch.rs`   | downloads, with messages a visitor can act on |
//! | `i18n.rs`    | the page's texts in Swedish and English |

mod app;
pub mod bridge;
mod catalog;
mod datasets;
mod fetch;
mod i18n;

pub use app::App;

/// Mounts the lab on the page's `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
