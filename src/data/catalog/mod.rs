//! The catalog of published datasets, format v1 (`catalog.json`).
//!
//! The static data host serves one `catalog.json` beside the dataset files.
//! It lists every dataset with its texts in Swedish and English, its sources
//! and licence, and every published version. Versions are never removed, so
//! a shared analysis that pins a version's SHA-256 keeps working; the last
//! version listed is the latest.
//!
//! ```json
//! {
//!   "format": "datalabb-catalog",
//!   "version": 1,
//!   "datasets": [
//!     {
//!       "id": "agencies",
//!       "title": { "sv": "Myndigheter", "en": "Government agencies" },
//!       "description": { "sv": "En rad per myndighet.", "en": "One row per agency." },
//!       "tags": ["myndigheter", "agencies"],
//!       "sources": [{ "name": "ESV", "url": "https://www.esv.se/" }],
//!       "licence": { "name": "CC0 1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/" },
//!       "versions": [
//!         {
//!           "sha256": "0000000000000000000000000000000000000000000000000000000000000000",
//!           "url": "agencies/000000000000.arrow",
//!           "rows": 365,
//!           "bytes": 48210,
//!           "columns": [
//!             { "name": "org_nr", "type": "Utf8",
//!               "description": { "sv": "Organisationsnummer", "en": "Organisation number" } },
//!             { "name": "fte", "type": "Float64", "unit": "FTE",
//!               "description": { "sv": "Årsarbetskrafter", "en": "Full-time equivalents" } }
//!           ],
//!           "key_columns": ["org_nr"],
//!           "parquet": {
//!             "url": "agencies/111111111111.parquet",
//!             "sha256": "1111111111111111111111111111111111111111111111111111111111111111",
//!             "bytes": 40102
//!           }
//!         }
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! `parquet` (optional, added compatibly) is a copy of the same table as a
//! Parquet file, for people who take the data to other tools; the lab
//! reads the Arrow file.
//!
//! A version's `url` is resolved against the catalog's own URL, so a host
//! can serve the lab and its data under any path. Unknown fields are
//! ignored, so a later minor addition does not break older pages.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::CatalogError;

/// The value of the `format` field of every catalog.
pub const CATALOG_FORMAT: &str = "datalabb-catalog";
/// The catalog format version this build reads and writes.
pub const CATALOG_VERSION: u32 = 1;
/// The largest catalog this lab reads. Thousands of datasets fit well
/// below it; the cap keeps a hostile host from exhausting memory.
pub const MAX_CATALOG_BYTES: usize = 16 * 1024 * 1024;

/// The two languages of the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Swedish.
    Sv,
    /// English (the default for visitors whose browser is not Swedish).
    #[default]
    En,
}

/// A text in Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Localized {
    pub sv: String,
    pub en: String,
}

impl Localized {
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`, falling back to the other language when empty.
    pub fn get(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::Sv => (&self.sv, &self.en),
            Lang::En => (&self.en, &self.sv),
        };
        if first.is_empty() { second } else { first }
    }
}

/// Where a dataset's data comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub url: String,
}

/// The licence under which a dataset is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One column of a published dataset version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// The Arrow data type as Arrow prints it (`Utf8`, `Int64`, `Float64`, …).
    #[serde(rename = "type")]
    pub data_type: String,
    #[serde(default)]
    pub description: Localized,
    /// The unit of the values (`FTE`, `SEK`, `persons`), when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The kind of thing the column's values are keys of (an agency's
    /// organisation number, a municipality's code, …), which links its
    /// rows to the entities dataset and the entity pages. Added to v1:
    /// older catalogs have none, older pages ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<crate::data::entities::EntityKind>,
}

/// One published, immutable version of a dataset: an Arrow IPC file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetVersion {
    /// SHA-256 of the file, 64 lowercase hex digits. Recipes pin versions by it.
    pub sha256: String,
    /// Where the file is, relative to the catalog (or absolute).
    pub url: String,
    pub rows: u64,
    pub bytes: u64,
    pub columns: Vec<Column>,
    /// Columns that identify a row or link it to other datasets.
    #[serde(default)]
    pub key_columns: Vec<String>,
    /// The same table as a Parquet file, for other tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parquet: Option<FileCopy>,
}

/// A copy of a version's table in another format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCopy {
    /// Where the file is, relative to the catalog (or absolute).
    pub url: String,
    /// SHA-256 of the file, 64 lowercase hex digits.
    pub sha256: String,
    pub bytes: u64,
}

/// One dataset with all its published versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    /// Stable identifier: lowercase letters, digits, `_` and `-`.
    pub id: String,
    pub title: Localized,
    pub description: Localized,
    #[serde(default)]
    pub tags: Vec<String>,
    pub sources: Vec<Source>,
    pub licence: Licence,
    /// Oldest first; the last one is the latest.
    pub versions: Vec<DatasetVersion>,
}

impl Dataset {
    /// The latest version (a validated catalog has at least one).
    pub fn latest(&self) -> Option<&DatasetVersion> {
        self.versions.last()
    }

    /// The version whose SHA-256 is `sha256`.
    pub fn version(&self, sha256: &str) -> Option<&DatasetVersion> {
        self.versions.iter().find(|v| v.sha256 == sha256)
    }
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub format: String,
    pub version: u32,
    pub datasets: Vec<Dataset>,
}

impl Catalog {
    /// A new, empty catalog of the current format.
    pub fn new(datasets: Vec<Dataset>) -> Self {
        Self {
            format: CATALOG_FORMAT.to_string(),
            version: CATALOG_VERSION,
            datasets,
        }
    }

    /// Reads and validates a catalog from the bytes of `catalog.json`.
    pub fn from_json(bytes: &[u8]) -> Result<Self, CatalogError> {
        if bytes.len() > MAX_CATALOG_BYTES {
            return Err(CatalogError::TooLarge {
                size: bytes.len(),
                limit: MAX_CATALOG_BYTES,
            });
        }
        // Check the header first, so that a newer format gets a message about
        // its version rather than about whichever field changed.
        #[derive(Deserialize)]
        struct Header {
            #[serde(default)]
            format: serde_json::Value,
            #[serde(default)]
            version: serde_json::Value,
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| json_error(e, bytes))?;
        match header.format.as_str() {
            Some(CATALOG_FORMAT) => {}
            _ => {
                return Err(CatalogError::NotACatalog {
                    found: shorten(&header.format.to_string(), 40),
                });
            }
        }
        match header.version.as_u64() {
            Some(v) if v == u64::from(CATALOG_VERSION) => {}
            other => {
                return Err(CatalogError::UnsupportedVersion {
                    found: other.and_then(|v| u32::try_from(v).ok()).unwrap_or(0),
                    supported: CATALOG_VERSION,
                });
            }
        }
        let catalog: Catalog = serde_json::from_slice(bytes).map_err(|e| json_error(e, bytes))?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Writes the catalog as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and numbers cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Checks what serde cannot: identifiers, hashes, unique names, keys.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let mut ids = BTreeSet::new();
        for (index, dataset) in self.datasets.iter().enumerate() {
            let invalid = |message: String| CatalogError::Invalid { index, message };
            if !is_valid_id(&dataset.id) {
                return Err(invalid(format!(
                    "id {:?} must be 1 to 64 lowercase letters, digits, '_' or '-'",
                    shorten(&dataset.id, 40)
                )));
            }
            if !ids.insert(dataset.id.as_str()) {
                return Err(invalid(format!("id {:?} appears twice", dataset.id)));
            }
            let id = &dataset.id;
            if dataset.title.sv.is_empty() && dataset.title.en.is_empty() {
                return Err(invalid(format!("{id}: the title is empty")));
            }
            if dataset.sources.is_empty() {
                return Err(invalid(format!("{id}: no source is named")));
            }
            if dataset.licence.name.is_empty() {
                return Err(invalid(format!("{id}: the licence is empty")));
            }
            // The page makes these links: only the web's own schemes.
            let links = dataset.sources.iter().map(|s| s.url.as_str());
            if let Some(url) = links
                .chain(dataset.licence.url.as_deref())
                .find(|url| !is_web_link(url))
            {
                return Err(invalid(format!(
                    "{id}: {:?} is not an http or https link",
                    shorten(url, 60)
                )));
            }
            if dataset.versions.is_empty() {
                return Err(invalid(format!("{id}: there is no version")));
            }
            let mut hashes = BTreeSet::new();
            for version in &dataset.versions {
                if !is_sha256_hex(&version.sha256) {
                    return Err(invalid(format!(
                        "{id}: {:?} is not a SHA-256 (64 lowercase hex digits)",
                        shorten(&version.sha256, 70)
                    )));
                }
                if !hashes.insert(version.sha256.as_str()) {
                    return Err(invalid(format!(
                        "{id}: version {} is listed twice",
                        version.sha256
                    )));
                }
                if version.url.trim().is_empty() {
                    return Err(invalid(format!(
                        "{id}: version {} has no URL",
                        version.sha256
                    )));
                }
                if has_scheme(&version.url) && !is_web_link(&version.url) {
                    return Err(invalid(format!(
                        "{id}: version {} is at {:?}, neither a relative path nor an http or https link",
                        version.sha256,
                        shorten(&version.url, 60)
                    )));
                }
                if let Some(copy) = &version.parquet
                    && (copy.url.trim().is_empty()
                        || (has_scheme(&copy.url) && !is_web_link(&copy.url))
                        || !is_sha256_hex(&copy.sha256))
                {
                    return Err(invalid(format!(
                        "{id}: version {}'s Parquet copy needs a relative path or an http or https link, and a SHA-256",
                        version.sha256
                    )));
                }
                let mut names = BTreeSet::new();
                for column in &version.columns {
                    if column.name.is_empty() || column.data_type.is_empty() {
                        return Err(invalid(format!("{id}: a column has an empty name or type")));
                    }
                    if !names.insert(column.name.as_str()) {
                        return Err(invalid(format!(
                            "{id}: column {:?} appears twice",
                            column.name
                        )));
                    }
                }
                if let Some(key) = version
                    .key_columns
                    .iter()
                    .find(|key| !names.contains(key.as_str()))
                {
                    return Err(invalid(format!(
                        "{id}: key column {key:?} is not one of its columns"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The dataset with id `id`.
    pub fn dataset(&self, id: &str) -> Option<&Dataset> {
        self.datasets.iter().find(|d| d.id == id)
    }

    /// The name under which version `sha256` of dataset `id` is kept open
    /// for an analysis: the id for its newest version (as its page opens
    /// it), `id@<first 12 hex>` for an older one, so that an analysis can
    /// read two versions of one dataset at once.
    pub fn table_key(&self, id: &str, sha256: &str) -> String {
        let newest = self
            .dataset(id)
            .and_then(Dataset::latest)
            .is_some_and(|v| v.sha256 == sha256);
        if newest {
            id.to_string()
        } else {
            format!("{id}@{}", crate::data::hash::short_hash(sha256))
        }
    }
}

/// `true` for 1 to 64 characters of `[a-z0-9_-]`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `true` for an absolute `http://` or `https://` link with a host and no
/// white space or control characters: the only links the catalog may give
/// the page (no `javascript:`, `data:` or `file:`).
pub fn is_web_link(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('/')
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `url` starts with a scheme (`name:`), as opposed to a path.
fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && !scheme.contains(['/', '?', '#'])
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// `true` for exactly 64 lowercase hex digits.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn json_error(error: serde_json::Error, bytes: &[u8]) -> CatalogError {
    let text = error.to_string();
    // serde_json ends its messages with the position, which we report apart.
    let position = format!(" at line {} column {}", error.line(), error.column());
    let mut message = shorten(text.strip_suffix(&position).unwrap_or(&text), 200);
    if bytes.trim_ascii_start().starts_with(b"<") {
        message.push_str("; the host answered with a web page, not the catalog");
    }
    CatalogError::Json {
        line: error.line(),
        column: error.column(),
        message,
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A small generated catalog for tests and for the first run of the lab
/// before any data is published. Its datasets are named as fixtures and
/// their files do not exist.
pub fn fixture_catalog() -> Catalog {
    let cc0 = Licence {
        name: "CC0 1.0".into(),
        url: Some("https://creativecommons.org/publicdomain/zero/1.0/".into()),
    };
    let source = Source {
        name: "Datalabb test fixture".into(),
        url: "https://example.org/datalabb-fixture".into(),
    };
    let column = |name: &str, data_type: &str, sv: &str, en: &str, unit: Option<&str>| Column {
        name: name.into(),
        data_type: data_type.into(),
        description: Localized::new(sv, en),
        unit: unit.map(Into::into),
        entity: None,
    };
    let version = |seed: u8, id: &str, rows: u64, columns: Vec<Column>, keys: &[&str]| {
        let sha256: String = (0..32u8)
            .map(|i| format!("{:02x}", i.wrapping_mul(7).wrapping_add(seed)))
            .collect();
        DatasetVersion {
            url: format!("{id}/{}.arrow", &sha256[..12]),
            sha256,
            rows,
            bytes: rows * 48 + 1024,
            columns,
            key_columns: keys.iter().map(|k| (*k).into()).collect(),
            parquet: None,
        }
    };
    Catalog::new(vec![
        Dataset {
            id: "fixture-agencies".into(),
            title: Localized::new("Testmyndigheter", "Test agencies"),
            description: Localized::new(
                "Genererade testdata: en rad per påhittad myndighet.",
                "Generated test data: one row per made-up agency.",
            ),
            tags: vec!["fixture".into(), "myndigheter".into(), "agencies".into()],
            sources: vec![source.clone()],
            licence: cc0.clone(),
            versions: vec![version(
                1,
                "fixture-agencies",
                12,
                vec![
                    column(
                        "org_nr",
                        "Utf8",
                        "Organisationsnummer",
                        "Organisation number",
                        None,
                    ),
                    column("name", "Utf8", "Namn", "Name", None),
                    column("ministry", "Utf8", "Departement", "Ministry", None),
                ],
                &["org_nr"],
            )],
        },
        Dataset {
            id: "fixture-staff".into(),
            title: Localized::new("Testpersonal per år", "Test staff by year"),
            description: Localized::new(
                "Genererade testdata: årsarbetskrafter per myndighet och år.",
                "Generated test data: full-time equivalents per agency and year.",
            ),
            tags: vec!["fixture".into(), "personal".into(), "staff".into()],
            sources: vec![source.clone()],
            licence: cc0.clone(),
            // Two versions of the same shape: an older one and the latest.
            versions: [(2, 150), (3, 180)]
                .into_iter()
                .map(|(seed, rows)| {
                    let columns = vec![
                        column(
                            "org_nr",
                            "Utf8",
                            "Organisationsnummer",
                            "Organisation number",
                            None,
                        ),
                        column("year", "Int32", "År", "Year", None),
                        column(
                            "fte",
                            "Float64",
                            "Årsarbetskrafter",
                            "Full-time equivalents",
                            Some("FTE"),
                        ),
                    ];
                    version(seed, "fixture-staff", rows, columns, &["org_nr", "year"])
                })
                .collect(),
        },
        Dataset {
            id: "fixture-counties".into(),
            title: Localized::new("Testlän", "Test counties"),
            description: Localized::new(
                "Genererade testdata: en uppslagstabell över län.",
                "Generated test data: a lookup table of counties.",
            ),
            tags: vec!["fixture".into(), "län".into(), "counties".into()],
            sources: vec![source],
            licence: cc0,
            versions: vec![version(
                4,
                "fixture-counties",
                21,
                vec![
                    column("county_code", "Utf8", "Länskod", "County code", None),
                    column("county_name", "Utf8", "Länets namn", "County name", None),
                ],
                &["county_code"],
            )],
        },
    ])
}

#[cfg(test)]
mod tests;
