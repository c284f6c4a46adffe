//! The web page (wasm32): Leptos components that render what the compute
//! engine answers and send it the visitor's requests. IO (fetch, the worker,
//! downloads) lives at this edge; numbers and data are worked on in the core
//! and the worker. ARCHITECTURE.md lists each file's purpose.

mod analysis;
mod app;
pub mod bridge;
mod browser;
mod catalog;
mod chart;
mod dataset_page;
mod datasets;
mod embed;
mod entity;
mod fetch;
mod files;
mod i18n;
mod preview;
mod route;
mod search;
mod state;

pub use app::App;

/// Mounts the lab on the page's `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
