//! Bytes <-> data models: the published catalog and Arrow IPC files.

pub mod catalog;
pub mod hash;
pub mod ipc;

pub use catalog::{Catalog, Column, Dataset, DatasetVersion, Lang, Licence, Localized, Source};
