//! The engine's state and what it does with each request. Pure: the
//! worker loop (`worker`) only moves bytes between this and the page.

use std::collections::BTreeMap;

use crate::data::Catalog;
use crate::data::hash::sha256_hex;
use crate::data::load::{Limits, Table, decode};
use crate::engine::protocol::{Request, Response, TableSummary};

/// What the worker must do after a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Post this answer to the page.
    Reply(Response),
    /// Throw an uncaught error, as a crash would (`Request::SimulateCrash`).
    Crash,
    /// Download this file (or take it from the cache), then call
    /// [`Engine::open_dataset`] with its bytes.
    Download {
        dataset: String,
        sha256: String,
        url: String,
        bytes: u64,
    },
    /// Stop the download of request `request`.
    Cancel { request: u64 },
}

/// A dataset version the worker holds.
#[derive(Debug)]
pub struct Loaded {
    pub summary: TableSummary,
    pub table: Table,
}

/// The tables and metadata the worker holds between requests.
#[derive(Debug, Default)]
pub struct Engine {
    catalog: Option<Catalog>,
    tables: BTreeMap<String, Loaded>,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    /// The catalog last loaded, if any.
    pub fn catalog(&self) -> Option<&Catalog> {
        self.catalog.as_ref()
    }

    /// Handles one request with its bulk bytes (if it came with any).
    pub fn handle(&mut self, request: Request, bulk: Option<Vec<u8>>) -> Outcome {
        match request {
            Request::LoadCatalog { url } => {
                let Some(bytes) = bulk else {
                    return error(format!("{url}: the catalog's bytes did not arrive"));
                };
                match Catalog::from_json(&bytes) {
                    Ok(catalog) => {
                        self.catalog = Some(catalog.clone());
                        Outcome::Reply(Response::Catalog {
                            engine_version: crate::VERSION.to_string(),
                            catalog,
                        })
                    }
                    // The catalog already loaded, if any, stays.
                    Err(e) => error(format!("{url}: {e}")),
                }
            }
            Request::SimulateCrash => Outcome::Crash,
            Request::OpenDataset {
                dataset,
                sha256,
                url,
                bytes,
            } => Outcome::Download {
                dataset,
                sha256,
                url,
                bytes,
            },
            Request::CloseDataset { dataset } => {
                self.tables.remove(&dataset);
                Outcome::Reply(Response::DatasetClosed { dataset })
            }
            Request::Cancel { request } => Outcome::Cancel { request },
        }
    }

    /// The datasets loaded, by id.
    pub fn tables(&self) -> &BTreeMap<String, Loaded> {
        &self.tables
    }

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
            Err(message) => Response::Error { message },
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
        let file_bytes = bytes.len() as u64;
        let table = match decode(bytes, &Limits::default()) {
            Ok(table) => table,
            Err(e) => {
                return Response::Error {
                    message: format!("{url}: {e}"),
                };
            }
        };
        let summary = TableSummary {
            dataset: dataset.to_string(),
            sha256: sha256.to_string(),
            rows: table.num_rows() as u64,
            columns: table
                .schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), f.data_type().to_string()))
                .collect(),
            file_bytes,
            memory_bytes: memory(&table),
            from_cache,
        };
        self.tables.insert(
            dataset.to_string(),
            Loaded {
                summary: summary.clone(),
                table,
            },
        );
        Response::DatasetOpened { summary }
    }
}

/// The bytes a table's values take. Columns decoded without a copy share
/// the file's buffer, so each counts only its own slice of it.
fn memory(table: &Table) -> u64 {
    table
        .batches
        .iter()
        .flat_map(|batch| batch.columns())
        .map(|column| column.to_data().get_slice_memory_size().unwrap_or(0) as u64)
        .sum()
}

/// Checks that `bytes` are the file the catalog lists for `url`.
pub fn check_hash(url: &str, sha256: &str, bytes: &[u8]) -> Result<(), String> {
    let actual = sha256_hex(bytes);
    if actual == sha256 {
        Ok(())
    } else {
        Err(format!(
            "{url}: the file's SHA-256 is {actual}, but the catalog lists {sha256}; \
             the host serves another file than it announces: try again later, or tell the host"
        ))
    }
}

fn error(message: String) -> Outcome {
    Outcome::Reply(Response::Error { message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;

    fn load(engine: &mut Engine, bytes: Option<&[u8]>) -> Outcome {
        engine.handle(
            Request::LoadCatalog {
                url: "data/catalog.json".into(),
            },
            bytes.map(<[u8]>::to_vec),
        )
    }

    #[test]
    fn loads_and_reports_the_catalog_it_was_given() {
        let mut engine = Engine::new();
        let catalog = fixture_catalog();
        let outcome = load(&mut engine, Some(catalog.to_json().as_bytes()));
        assert_eq!(
            outcome,
            Outcome::Reply(Response::Catalog {
                engine_version: crate::VERSION.to_string(),
                catalog: catalog.clone(),
            })
        );
        assert_eq!(engine.catalog(), Some(&catalog));
    }

    #[test]
    fn a_bad_catalog_is_an_error_and_keeps_the_loaded_one() {
        let mut engine = Engine::new();
        let catalog = fixture_catalog();
        load(&mut engine, Some(catalog.to_json().as_bytes()));
        let Outcome::Reply(Response::Error { message }) =
            load(&mut engine, Some(b"<html>Not found</html>"))
        else {
            panic!("expected an error");
        };
        assert!(message.starts_with("data/catalog.json: "), "{message}");
        assert_eq!(engine.catalog(), Some(&catalog));
        assert!(matches!(
            load(&mut engine, None),
            Outcome::Reply(Response::Error { .. })
        ));
    }

    fn arrow_file() -> Vec<u8> {
        crate::data::ipc::write_file(&crate::data::load::tests::sample()[0]).unwrap()
    }

    #[test]
    fn opens_a_verified_dataset_and_closes_it() {
        let mut engine = Engine::new();
        let bytes = arrow_file();
        let sha = sha256_hex(&bytes);
        let Response::DatasetOpened { summary } =
            engine.open_dataset("d", &sha, "u", bytes.clone(), true)
        else {
            panic!("expected the dataset to open");
        };
        assert_eq!((summary.rows, summary.columns.len()), (50, 6));
        assert_eq!(summary.columns[0], ("id".to_string(), "Int32".to_string()));
        assert_eq!(summary.file_bytes, bytes.len() as u64);
        assert!(summary.memory_bytes > 0 && summary.from_cache);
        assert_eq!(engine.tables().len(), 1);
        assert_eq!(
            engine.handle(
                Request::CloseDataset {
                    dataset: "d".into()
                },
                None
            ),
            Outcome::Reply(Response::DatasetClosed {
                dataset: "d".into()
            })
        );
        assert!(engine.tables().is_empty());
    }

    #[test]
    fn a_wrong_hash_or_a_broken_file_is_an_error_and_keeps_what_is_loaded() {
        let mut engine = Engine::new();
        let bytes = arrow_file();
        let sha = sha256_hex(&bytes);
        engine.open_dataset("d", &sha, "u", bytes.clone(), false);
        let Response::Error { message } = engine.open_dataset(
            "e",
            &"0".repeat(64),
            "https://h/e.arrow",
            bytes.clone(),
            false,
        ) else {
            panic!("expected an error");
        };
        assert!(
            message.contains(&sha) && message.contains(&"0".repeat(64)),
            "{message}"
        );
        let html = b"<html>404</html>".to_vec();
        let Response::Error { message } =
            engine.open_dataset("d", &sha256_hex(&html), "https://h/d.arrow", html, false)
        else {
            panic!("expected an error");
        };
        assert!(
            message.starts_with("https://h/d.arrow: this is a web page"),
            "{message}"
        );
        assert_eq!(engine.tables().len(), 1);
        assert_eq!(engine.tables()["d"].summary.rows, 50);
    }

    #[test]
    fn simulate_crash_asks_the_worker_to_crash() {
        assert_eq!(
            Engine::new().handle(Request::SimulateCrash, None),
            Outcome::Crash
        );
    }
}
