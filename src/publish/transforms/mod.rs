//! The transformations that turn source files into published tables. A
//! manifest names one by its `transform`; each reads the sources it needs
//! by their key in `datasets/sources.toml`.
//!
//! | transform | table |
//! |-----------|-------|
//! | `agencies` | one row per agency (organisation number) |
//! | `agency_staff_esv` | employees and FTE per agency and year (ESV) |
//! | `agency_fte_stkt` | FTE per agency and year (Statskontoret) |
//! | `agency_staff_gender` | employees by gender per agency and year (Arbetsgivarverket) |
//! | `appropriation_letters` | one row per appropriation direction or amendment |
//! | `appropriation_counts` | letters and amendments per agency and year |
//! | `counties` | Sweden's counties |
//! | `municipalities` | Sweden's municipalities with their county |
//! | `entities` | every agency, ministry, area, county and municipality the other tables name (built after them) |

mod agencies;
mod entities;
mod geo;
mod letters;
pub mod registers;

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::error::PublishError;
use crate::publish::manifest::Manifest;
use crate::publish::source::SourceFile;
use crate::publish::table::Output;

/// The names of every transformation.
pub const TRANSFORMS: &[&str] = &[
    "agencies",
    "agency_staff_esv",
    "agency_fte_stkt",
    "agency_staff_gender",
    "appropriation_letters",
    "appropriation_counts",
    "counties",
    "municipalities",
    ENTITIES,
];

/// The transformation that reads the other tables of the same run.
pub const ENTITIES: &str = "entities";

/// The verified source files of one dataset, by key.
pub struct Sources<'a> {
    pub dataset: &'a str,
    pub files: BTreeMap<&'a str, &'a SourceFile>,
}

impl Sources<'_> {
    /// The source `key`; an error names the dataset whose manifest lacks it.
    pub fn get(&self, key: &str) -> Result<&SourceFile, PublishError> {
        self.files
            .get(key)
            .copied()
            .ok_or_else(|| PublishError::Dataset {
                dataset: self.dataset.to_string(),
                message: format!(
                    "its transformation needs source {key:?}; add it to the manifest's sources"
                ),
            })
    }
}

/// Runs transformation `name` on `sources`; `published` holds the tables
/// this run built before, with their manifests (only the entities read
/// them).
pub fn run(
    name: &str,
    sources: &Sources,
    published: &[(&Manifest, arrow::array::RecordBatch)],
) -> Result<Output, PublishError> {
    match name {
        ENTITIES => entities::entities(sources, published),
        "agencies" => agencies::agencies(sources),
        "agency_staff_esv" => agencies::staff_esv(sources),
        "agency_fte_stkt" => agencies::fte_stkt(sources),
        "agency_staff_gender" => agencies::staff_gender(sources),
        "appropriation_letters" => letters::letters(sources),
        "appropriation_counts" => letters::counts(sources),
        "counties" => geo::counties(sources),
        "municipalities" => geo::municipalities(sources),
        other => Err(PublishError::Dataset {
            dataset: sources.dataset.to_string(),
            message: format!(
                "unknown transform {other:?}; known: {}",
                TRANSFORMS.join(", ")
            ),
        }),
    }
}

/// Parses a JSON source; an error names the file and the line.
pub fn parse_json<T: DeserializeOwned>(file: &SourceFile) -> Result<T, PublishError> {
    serde_json::from_slice(&file.bytes).map_err(|e| PublishError::Parse {
        file: file.origin.clone(),
        line: e.line() as u64,
        message: e.to_string(),
    })
}

/// Parses a CSV source with a header row into records with their line
/// numbers; an error names the file and the line, or the missing column.
pub fn parse_csv<T: DeserializeOwned>(
    file: &SourceFile,
    required: &[&str],
) -> Result<Vec<(u64, T)>, PublishError> {
    let bytes = file
        .bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(&file.bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let parse_error = |e: csv::Error| PublishError::Parse {
        file: file.origin.clone(),
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(parse_error)?.clone();
    if let Some(missing) = required.iter().find(|r| !headers.iter().any(|h| h == **r)) {
        return Err(PublishError::Parse {
            file: file.origin.clone(),
            line: 1,
            message: format!("the header has no column {missing:?}"),
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(parse_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| PublishError::Parse {
                file: file.origin.clone(),
                line,
                message: e.to_string(),
            })?;
        rows.push((line, row));
    }
    Ok(rows)
}

/// Wraps a table-building error with the dataset's id.
fn built(
    dataset: &str,
    result: Result<arrow::array::RecordBatch, String>,
) -> Result<arrow::array::RecordBatch, PublishError> {
    result.map_err(|message| PublishError::Dataset {
        dataset: dataset.to_string(),
        message,
    })
}
