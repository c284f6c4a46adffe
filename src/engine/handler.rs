//! The engine's state and what it does with each request. Pure: the
//! worker loop (`worker`) only moves bytes between this and the page.

use crate::data::Catalog;
use crate::engine::protocol::{Request, Response};

/// What the worker must do after a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Post this answer to the page.
    Reply(Response),
    /// Throw an uncaught error, as a crash would (`Request::SimulateCrash`).
    Crash,
}

/// The tables and metadata the worker holds between requests.
#[derive(Debug, Default)]
pub struct Engine {
    catalog: Option<Catalog>,
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
        }
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

    #[test]
    fn simulate_crash_asks_the_worker_to_crash() {
        assert_eq!(
            Engine::new().handle(Request::SimulateCrash, None),
            Outcome::Crash
        );
    }
}
