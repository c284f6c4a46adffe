//! Tables: catalog datasets (verified, decoded) and the visitor's own
//! files (Arrow or CSV), kept by dataset id.

use crate::data::csv::{self, ColumnType};
use crate::data::hash::{check_hash, sha256_hex};
use crate::data::load::{FileKind, Limits, Table, decode, detect};
use crate::engine::protocol::{Origin, Response, TableSummary, Timings};

use super::{Engine, Loaded};

impl Engine {
    /// Verifies and decodes a downloaded dataset file and keeps it. On any
    /// error the datasets already loaded stay as they are.
    pub fn open_dataset(
        &mut self,
        dataset: &str,
        sha256: &str,
        url: &str,
        bytes: Vec<u8>,
        from_cache: bool,
    ) -> Response {
        match check_hash(url, sha256, &bytes) {
            Ok(()) => self.open_verified(dataset, sha256, url, bytes, from_cache),
            Err(e) => Response::Error {
                message: e.to_string(),
            },
        }
    }

    /// [`Engine::open_dataset`] for bytes whose hash [`check_hash`] passed.
    pub fn open_verified(
        &mut self,
        dataset: &str,
        sha256: &str,
        url: &str,
        bytes: Vec<u8>,
        from_cache: bool,
    ) -> Response {
        let summary = catalog_summary(dataset, sha256, bytes.len() as u64, from_cache);
        let opened = decode(bytes, &Limits::default()).and_then(Table::into_batch);
        match opened {
            Ok(batch) => self.keep(summary, batch, None),
            Err(e) => Response::Error {
                message: format!("{url}: {e}"),
            },
        }
    }

    /// Opens a file the visitor chose: Arrow (file or stream) or CSV, told
    /// apart by its name and, failing that, its first bytes. On any error
    /// the datasets already loaded stay as they are.
    pub fn open_file(&mut self, dataset: &str, name: &str, bytes: Vec<u8>) -> Response {
        let limits = Limits::default();
        let summary = file_summary(dataset, name, &bytes, sha256_hex(&bytes));
        let is_csv = detect(name, &bytes) == FileKind::Csv;
        let opened = if is_csv {
            csv::import(&bytes, &limits).and_then(|(raw, table, report)| {
                let types = report.columns.iter().map(|c| c.inferred).collect();
                Ok((table.into_batch()?, Some((raw, types)), Some(report)))
            })
        } else {
            decode(bytes, &limits).and_then(|table| Ok((table.into_batch()?, None, None)))
        };
        match opened {
            Ok((batch, raw, report)) => self.keep(
                TableSummary {
                    csv: report,
                    ..summary
                },
                batch,
                raw,
            ),
            Err(e) => Response::Error {
                message: format!("{name}: {e}"),
            },
        }
    }

    /// Reads an opened CSV file again with the visitor's column types.
    pub(super) fn retype(
        &mut self,
        dataset: &str,
        types: &[ColumnType],
        decimal_comma: bool,
    ) -> Response {
        let converted = match self.tables.get(dataset) {
            None => Err(format!("{dataset} is not loaded; open it again")),
            Some(Loaded { csv: None, .. }) => {
                Err(format!("{dataset} is not a CSV file; its types are fixed"))
            }
            Some(Loaded {
                csv: Some((raw, inferred)),
                ..
            }) => csv::convert(raw, decimal_comma, types, inferred)
                .and_then(|(table, report)| Ok((table.into_batch()?, report)))
                .map_err(|e| format!("{dataset}: {e}")),
        };
        match (converted, self.tables.remove(dataset)) {
            (Ok((batch, report)), Some(old)) => self.keep(
                TableSummary {
                    csv: Some(report),
                    ..old.summary
                },
                batch,
                old.csv,
            ),
            (Err(message), old) => {
                if let Some(old) = old {
                    self.tables.insert(dataset.to_string(), old);
                }
                Response::Error { message }
            }
            (Ok(_), None) => Response::Error {
                message: format!("{dataset} is not loaded; open it again"),
            },
        }
    }
}

/// The summary of a catalog dataset's file of `file_bytes` bytes, before
/// `keep` fills in what its table holds.
pub fn catalog_summary(
    dataset: &str,
    sha256: &str,
    file_bytes: u64,
    from_cache: bool,
) -> TableSummary {
    TableSummary {
        dataset: dataset.to_string(),
        origin: Origin::Catalog,
        sha256: sha256.to_string(),
        rows: 0,
        columns: Vec::new(),
        file_bytes,
        memory_bytes: 0,
        read_as_needed: false,
        from_cache,
        csv: None,
        timings: Timings::default(),
    }
}

/// The summary of a file the visitor chose, `bytes` with the SHA-256
/// `sha256`, before `keep` fills in what its table holds.
pub fn file_summary(dataset: &str, name: &str, bytes: &[u8], sha256: String) -> TableSummary {
    TableSummary {
        dataset: dataset.to_string(),
        origin: Origin::File {
            name: name.to_string(),
        },
        sha256,
        file_bytes: bytes.len() as u64,
        ..catalog_summary(dataset, "", 0, false)
    }
}

/// A file name for a dataset id: `file:kommuner.csv` -> `kommuner`,
/// the analysis's result -> `analysis`.
pub(super) fn file_stem(dataset: &str) -> String {
    let name = dataset.rsplit(':').next().unwrap_or(dataset);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean == "result" {
        "analysis".into()
    } else if clean.is_empty() {
        "table".into()
    } else {
        clean
    }
}
