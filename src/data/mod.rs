//! Bytes <-> data models: the published catalog, Arrow IPC files (written
//! by the publisher, loaded with checks by the engine), CSV import, column
//! summaries, the preview's rows and SHA-256.

pub mod catalog;
pub mod csv;
pub mod entities;
pub mod export;
pub mod format;
pub mod hash;
pub mod ipc;
pub mod load;
pub mod schema;
pub mod search;
pub mod summary;
pub mod time;
pub mod values;
pub mod view;

pub use catalog::{Catalog, Column, Dataset, DatasetVersion, Lang, Licence, Localized, Source};
