//! The compute engine: the work the page hands to its Web Worker.
//!
//! The handler and the protocol build for both targets and are tested
//! natively; the worker's loop, transport, downloads and zone rules are
//! wasm32. Each file's purpose is on the module map in ARCHITECTURE.md.

pub mod handler;
pub mod helpers;
pub mod protocol;
pub mod warm;

#[cfg(target_arch = "wasm32")]
pub mod child;

#[cfg(target_arch = "wasm32")]
pub mod download;

#[cfg(target_arch = "wasm32")]
pub mod parquet;

#[cfg(target_arch = "wasm32")]
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod worker;

#[cfg(target_arch = "wasm32")]
pub mod zones;
