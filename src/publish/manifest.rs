//! Dataset manifests (`datasets/<id>.toml`) and the shared source list
//! (`datasets/sources.toml`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::catalog::{Licence, Localized, is_sha256_hex, is_valid_id};
use crate::error::PublishError;

/// One upstream file, as `datasets/sources.toml` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// A human name for reports and the catalog.
    pub name: String,
    /// The file's path inside the mirror folder.
    pub mirror: String,
    /// The upstream URL, pinned to a commit.
    pub url: String,
    pub sha256: String,
    pub licence: String,
}

/// Documentation of one output column.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDoc {
    pub name: String,
    pub description: Localized,
    #[serde(default)]
    pub unit: Option<String>,
    /// The kind of entity whose keys the column holds (`agency`,
    /// `ministry`, `area`, `county`, `municipality`), for the entities
    /// dataset and the catalog.
    #[serde(default)]
    pub entity: Option<crate::data::entities::EntityKind>,
}

/// One dataset to publish.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: String,
    /// The name of the transformation that builds the table
    /// (see `publish::transforms`).
    pub transform: String,
    pub title: Localized,
    pub description: Localized,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Keys of `sources.toml` this dataset is built from.
    pub sources: Vec<String>,
    pub licence: Licence,
    #[serde(default)]
    pub key_columns: Vec<String>,
    pub columns: Vec<ColumnDoc>,
}

/// The manifests and sources of a `datasets/` folder.
#[derive(Debug, Clone)]
pub struct Manifests {
    pub sources: BTreeMap<String, SourceSpec>,
    /// Sorted by id.
    pub datasets: Vec<Manifest>,
}

impl Manifests {
    /// Reads `dir/sources.toml` and every other `dir/*.toml` as a manifest.
    pub fn load(dir: &Path) -> Result<Self, PublishError> {
        let sources_path = dir.join("sources.toml");
        let sources: BTreeMap<String, SourceSpec> = parse_toml(&sources_path)?;
        for (id, spec) in &sources {
            if !is_sha256_hex(&spec.sha256) {
                return Err(manifest_error(
                    &sources_path,
                    format!("source {id}: sha256 must be 64 lowercase hex digits"),
                ));
            }
            if spec
                .mirror
                .split('/')
                .any(|part| part == ".." || part.is_empty())
            {
                return Err(manifest_error(
                    &sources_path,
                    format!("source {id}: mirror must be a relative path inside the mirror"),
                ));
            }
        }
        let entries = std::fs::read_dir(dir).map_err(|e| PublishError::Io {
            path: dir.display().to_string(),
            message: format!("cannot list the manifests: {e}"),
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && !p.ends_with("sources.toml"))
            .collect();
        paths.sort();
        let mut datasets = Vec::new();
        for path in paths {
            let manifest: Manifest = parse_toml(&path)?;
            manifest.check(&path, &sources)?;
            if datasets.iter().any(|d: &Manifest| d.id == manifest.id) {
                return Err(manifest_error(
                    &path,
                    format!("id {:?} is used twice", manifest.id),
                ));
            }
            datasets.push(manifest);
        }
        datasets.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Self { sources, datasets })
    }
}

impl Manifest {
    fn check(
        &self,
        path: &Path,
        sources: &BTreeMap<String, SourceSpec>,
    ) -> Result<(), PublishError> {
        let fail = |message: String| Err(manifest_error(path, message));
        if !is_valid_id(&self.id) {
            return fail(format!(
                "id {:?} must be lowercase letters, digits, '_' or '-'",
                self.id
            ));
        }
        if path.file_stem().and_then(|s| s.to_str()) != Some(self.id.as_str()) {
            return fail(format!(
                "the file of dataset {:?} must be named {}.toml",
                self.id, self.id
            ));
        }
        if let Some(missing) = self.sources.iter().find(|s| !sources.contains_key(*s)) {
            return fail(format!("source {missing:?} is not in sources.toml"));
        }
        for (what, text) in [("title", &self.title), ("description", &self.description)] {
            if text.sv.trim().is_empty() || text.en.trim().is_empty() {
                return fail(format!("the {what} needs both sv and en"));
            }
        }
        if let Some(key) = self
            .key_columns
            .iter()
            .find(|k| !self.columns.iter().any(|c| &c.name == *k))
        {
            return fail(format!(
                "key column {key:?} is not documented under [[columns]]"
            ));
        }
        Ok(())
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, PublishError> {
    let text = std::fs::read_to_string(path).map_err(|e| PublishError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|span| {
            text.as_bytes()
                .iter()
                .take(span.start)
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        });
        let message = e.message().to_string();
        match line {
            Some(line) => manifest_error(path, format!("line {line}: {message}")),
            None => manifest_error(path, message),
        }
    })
}

fn manifest_error(path: &Path, message: String) -> PublishError {
    PublishError::Manifest {
        path: path.display().to_string(),
        message,
    }
}
