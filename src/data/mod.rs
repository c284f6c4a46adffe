//! Bytes <-> data models. So far: the published catalog.

pub mod catalog;

pub use catalog::{Catalog, Column, Dataset, DatasetVersion, Lang, Licence, Localized, Source};
