//! The compute engine: the work the page hands to its Web Worker.
//!
//! - [`handler`] (both targets): the engine's state and what it does with
//!   each request, pure and tested natively.
//! - [`protocol`] (both targets): the typed, versioned messages and their
//!   codec, which returns errors and never panics.
//! - `transport` (wasm32): packs an encoded message and an optional bulk
//!   byte buffer into a JS message, transferring the buffer without a copy.
//! - `download` (wasm32): dataset files from the Cache API or the network,
//!   with progress, a size cap and cancellation.
//! - `worker` (wasm32): the worker's message loop and the state it holds.
//! - `zones` (wasm32): named time zones' rules from the browser's `Intl`.

pub mod handler;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod download;

#[cfg(target_arch = "wasm32")]
pub mod transport;

#[cfg(target_arch = "wasm32")]
pub mod worker;

#[cfg(target_arch = "wasm32")]
pub mod zones;
