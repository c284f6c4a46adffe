//! Publishing (native): build the static data host's files from the
//! source manifests in `datasets/`.
//!
//! For each manifest: read and verify its sources ([`source`]), build the
//! table ([`transforms`]), check it against the documented columns and key,
//! write it as an Arrow IPC file named by its content
//! (`<id>/<first 12 hex of sha256>.arrow`) and list it in `catalog.json`.
//! Publishing is deterministic and never deletes: unchanged sources give
//! byte-identical files, a changed source adds a version beside the old
//! ones. Every file is written aside and renamed into place.

pub mod manifest;
pub mod source;
pub mod table;
pub mod transforms;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::Schema;
use arrow::row::{RowConverter, SortField};
use serde::Serialize;

use crate::data::catalog::{Catalog, Column, Dataset, DatasetVersion, FileCopy, Localized, Source};
use crate::data::hash::sha256_hex;
use crate::data::ipc::{METADATA_KEY, write_file};
use crate::error::PublishError;
use manifest::{Manifest, Manifests};
use source::SourceFile;
use table::Links;

/// What to publish, from where, to where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder of manifests (`datasets/`).
    pub manifests: PathBuf,
    /// The output folder (`public/data/`).
    pub out: PathBuf,
    /// The folder that mirrors the upstream files, if any.
    pub mirror: Option<PathBuf>,
}

/// What publishing one dataset did.
#[derive(Debug, Clone)]
pub struct DatasetReport {
    pub id: String,
    pub rows: usize,
    pub columns: usize,
    pub bytes: usize,
    pub sha256: String,
    /// `true` when this run added a version; `false` when it was there.
    pub new_version: bool,
    pub links: Vec<Links>,
    pub notes: Vec<String>,
    pub millis: u128,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    pub datasets: Vec<DatasetReport>,
    pub catalog: PathBuf,
}

/// Publishes every manifest of `options.manifests` into `options.out`.
pub fn publish(options: &Options) -> Result<Report, PublishError> {
    let manifests = Manifests::load(&options.manifests)?;
    let catalog_path = options.out.join("catalog.json");
    let mut catalog = read_catalog(&catalog_path)?;

    // Each source is read and verified once, however many datasets use it.
    let mut files: BTreeMap<&str, SourceFile> = BTreeMap::new();
    for manifest in &manifests.datasets {
        for key in &manifest.sources {
            if !files.contains_key(key.as_str()) {
                let spec = &manifests.sources[key];
                files.insert(key, source::read(key, spec, options.mirror.as_deref())?);
            }
        }
    }

    let mut reports = Vec::new();
    let mut written = Vec::new();
    // The entities come last: they are built from the other tables.
    let mut order: Vec<&Manifest> = manifests.datasets.iter().collect();
    order.sort_by_key(|m| m.transform == transforms::ENTITIES);
    let mut published: Vec<(&Manifest, RecordBatch)> = Vec::new();
    for manifest in order {
        let started = Instant::now();
        let sources = transforms::Sources {
            dataset: &manifest.id,
            files: manifest
                .sources
                .iter()
                .map(|k| (k.as_str(), &files[k.as_str()]))
                .collect(),
        };
        let output = transforms::run(&manifest.transform, &sources, &published)?;
        let table = document(manifest, &manifests, output.table)?;
        check_key(manifest, &table)?;
        let bytes = write_file(&table).map_err(|e| dataset_error(manifest, e.to_string()))?;
        let sha256 = sha256_hex(&bytes);
        let url = format!("{}/{}.arrow", manifest.id, &sha256[..12]);
        let path = options.out.join(&url);
        if !path.exists() {
            write_aside(&path, &bytes)?;
            written.push(path.clone());
        } else if sha256_hex(&read(&path)?) != sha256 {
            return Err(dataset_error(
                manifest,
                format!(
                    "{} exists with other content; remove it or publish elsewhere",
                    path.display()
                ),
            ));
        }
        let parquet = parquet_copy(&options.out, manifest, &table)?;
        let version = DatasetVersion {
            sha256: sha256.clone(),
            url,
            rows: table.num_rows() as u64,
            bytes: bytes.len() as u64,
            columns: columns(manifest, &table),
            key_columns: manifest.key_columns.clone(),
            parquet: Some(parquet),
        };
        let new_version = add_version(&mut catalog, manifest, &manifests, version);
        reports.push(DatasetReport {
            id: manifest.id.clone(),
            rows: table.num_rows(),
            columns: table.num_columns(),
            bytes: bytes.len(),
            sha256,
            new_version,
            links: output.links,
            notes: output.notes,
            millis: started.elapsed().as_millis(),
        });
        published.push((manifest, table));
    }
    catalog.datasets.sort_by(|a, b| a.id.cmp(&b.id));
    catalog.validate().map_err(|error| PublishError::Catalog {
        path: catalog_path.display().to_string(),
        error,
    })?;
    write_aside(&catalog_path, catalog.to_json().as_bytes())?;
    Ok(Report {
        datasets: reports,
        catalog: catalog_path,
    })
}

/// The table as a Parquet file (Snappy pages, the Arrow schema and the
/// documentation in its metadata) beside the Arrow file, named by its own
/// SHA-256, for people who take the data to other tools.
fn parquet_copy(
    out: &Path,
    manifest: &Manifest,
    table: &RecordBatch,
) -> Result<FileCopy, PublishError> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    let write = || -> Result<Vec<u8>, parquet::errors::ParquetError> {
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("datalabb".into())
            .build();
        let mut bytes = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut bytes, table.schema(), Some(properties))?;
        writer.write(table)?;
        writer.close()?;
        Ok(bytes)
    };
    let bytes = write().map_err(|e| dataset_error(manifest, format!("its Parquet copy: {e}")))?;
    let sha256 = sha256_hex(&bytes);
    let url = format!("{}/{}.parquet", manifest.id, &sha256[..12]);
    let path = out.join(&url);
    if !path.exists() {
        write_aside(&path, &bytes)?;
    }
    Ok(FileCopy {
        url,
        sha256,
        bytes: bytes.len() as u64,
    })
}

fn dataset_error(manifest: &Manifest, message: String) -> PublishError {
    PublishError::Dataset {
        dataset: manifest.id.clone(),
        message,
    }
}

/// The catalog already published in the output, or a new one.
fn read_catalog(path: &Path) -> Result<Catalog, PublishError> {
    if !path.exists() {
        return Ok(Catalog::new(Vec::new()));
    }
    Catalog::from_json(&read(path)?).map_err(|e| PublishError::Io {
        path: path.display().to_string(),
        message: format!("{e}; it is left as it is: fix or move it, then publish again"),
    })
}

fn read(path: &Path) -> Result<Vec<u8>, PublishError> {
    std::fs::read(path).map_err(|e| PublishError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Writes `bytes` to a temporary name beside `path`, then renames it.
fn write_aside(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let io = |e: std::io::Error| PublishError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut aside = path.as_os_str().to_os_string();
    aside.push(".partial");
    let aside = PathBuf::from(aside);
    std::fs::write(&aside, bytes).map_err(io)?;
    std::fs::rename(&aside, path).map_err(|e| {
        let _ = std::fs::remove_file(&aside);
        io(e)
    })
}

/// The documentation carried in the file's schema metadata.
#[derive(Serialize)]
struct FileDoc<'a> {
    id: &'a str,
    title: &'a Localized,
    description: &'a Localized,
    sources: Vec<Source>,
    licence: &'a crate::data::catalog::Licence,
    key_columns: &'a [String],
    columns: &'a [manifest::ColumnDoc],
}

/// Checks the table's columns against the manifest's, in order, and adds
/// the documentation to the schema.
fn document(
    manifest: &Manifest,
    manifests: &Manifests,
    table: RecordBatch,
) -> Result<RecordBatch, PublishError> {
    let produced: Vec<&str> = table
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let documented: Vec<&str> = manifest.columns.iter().map(|c| c.name.as_str()).collect();
    if produced != documented {
        return Err(dataset_error(
            manifest,
            format!(
                "the table's columns are [{}] but the manifest documents [{}]",
                produced.join(", "),
                documented.join(", ")
            ),
        ));
    }
    let doc = FileDoc {
        id: &manifest.id,
        title: &manifest.title,
        description: &manifest.description,
        sources: sources(manifest, manifests),
        licence: &manifest.licence,
        key_columns: &manifest.key_columns,
        columns: &manifest.columns,
    };
    let json = serde_json::to_string(&doc).map_err(|e| dataset_error(manifest, e.to_string()))?;
    let schema = Schema::new(table.schema_ref().fields().clone())
        .with_metadata(HashMap::from([(METADATA_KEY.to_string(), json)]));
    table
        .with_schema(Arc::new(schema))
        .map_err(|e| dataset_error(manifest, e.to_string()))
}

/// Fails when the key columns do not identify rows: a repeated key among
/// the rows whose key has no null.
fn check_key(manifest: &Manifest, table: &RecordBatch) -> Result<(), PublishError> {
    if manifest.key_columns.is_empty() {
        return Ok(());
    }
    let mut arrays = Vec::new();
    for key in &manifest.key_columns {
        let column = table.column_by_name(key).ok_or_else(|| {
            dataset_error(manifest, format!("key column {key:?} is not in the table"))
        })?;
        arrays.push(column.clone());
    }
    let converter = RowConverter::new(
        arrays
            .iter()
            .map(|a| SortField::new(a.data_type().clone()))
            .collect(),
    )
    .map_err(|e| dataset_error(manifest, e.to_string()))?;
    let rows = converter
        .convert_columns(&arrays)
        .map_err(|e| dataset_error(manifest, e.to_string()))?;
    let mut seen = BTreeSet::new();
    for i in 0..table.num_rows() {
        if arrays.iter().any(|a| a.is_null(i)) {
            continue;
        }
        if !seen.insert(rows.row(i)) {
            return Err(dataset_error(
                manifest,
                format!(
                    "key ({}) repeats at row {i}; a key must identify one row",
                    manifest.key_columns.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn columns(manifest: &Manifest, table: &RecordBatch) -> Vec<Column> {
    table
        .schema_ref()
        .fields()
        .iter()
        .zip(&manifest.columns)
        .map(|(field, doc)| Column {
            name: field.name().clone(),
            data_type: field.data_type().to_string(),
            description: doc.description.clone(),
            unit: doc.unit.clone(),
            entity: doc.entity,
        })
        .collect()
}

fn sources(manifest: &Manifest, manifests: &Manifests) -> Vec<Source> {
    manifest
        .sources
        .iter()
        .map(|key| {
            let spec = &manifests.sources[key];
            Source {
                name: spec.name.clone(),
                url: spec.url.clone(),
            }
        })
        .collect()
}

/// Puts `version` last in the dataset's versions (adding the dataset if
/// new) and refreshes its texts. Returns `true` when the version is new.
/// Nothing is removed: a version published before stays addressable.
fn add_version(
    catalog: &mut Catalog,
    manifest: &Manifest,
    manifests: &Manifests,
    version: DatasetVersion,
) -> bool {
    let dataset = match catalog
        .datasets
        .iter_mut()
        .position(|d| d.id == manifest.id)
    {
        Some(index) => &mut catalog.datasets[index],
        None => {
            catalog.datasets.push(Dataset {
                id: manifest.id.clone(),
                title: manifest.title.clone(),
                description: manifest.description.clone(),
                tags: Vec::new(),
                sources: Vec::new(),
                licence: manifest.licence.clone(),
                versions: Vec::new(),
            });
            let last = catalog.datasets.len() - 1;
            &mut catalog.datasets[last]
        }
    };
    dataset.title = manifest.title.clone();
    dataset.description = manifest.description.clone();
    dataset.tags = manifest.tags.clone();
    dataset.sources = sources(manifest, manifests);
    dataset.licence = manifest.licence.clone();
    let existing = dataset
        .versions
        .iter()
        .position(|v| v.sha256 == version.sha256);
    let new = existing.is_none();
    if let Some(index) = existing {
        // Published before: it becomes the latest again, unchanged (a
        // Parquet copy added if it had none).
        let mut old = dataset.versions.remove(index);
        if old.parquet.is_none() {
            old.parquet = version.parquet;
        }
        dataset.versions.push(old);
    } else {
        dataset.versions.push(version);
    }
    new
}

impl Report {
    /// The report as text: a line per dataset, then links and notes.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<28} {:>7} {:>4} {:>9}  {:<12} {:>6}  {}\n",
            "dataset", "rows", "cols", "bytes", "sha256", "ms", "version"
        );
        for d in &self.datasets {
            out.push_str(&format!(
                "{:<28} {:>7} {:>4} {:>9}  {:<12} {:>6}  {}\n",
                d.id,
                d.rows,
                d.columns,
                d.bytes,
                &d.sha256[..12],
                d.millis,
                if d.new_version { "new" } else { "unchanged" }
            ));
        }
        for d in &self.datasets {
            for links in &d.links {
                out.push_str(&format!(
                    "{}: {}: {} of {} linked ({:.1} %)",
                    d.id,
                    links.what,
                    links.linked,
                    links.total,
                    links.rate()
                ));
                if !links.unlinked_examples.is_empty() {
                    out.push_str(&format!(
                        "; not linked, e.g. {}",
                        links.unlinked_examples.join(" | ")
                    ));
                }
                out.push('\n');
            }
            for note in &d.notes {
                out.push_str(&format!("{}: {note}\n", d.id));
            }
        }
        out.push_str(&format!("catalog: {}\n", self.catalog.display()));
        out
    }
}
