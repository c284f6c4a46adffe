//! Entities: the search over the opened `entities` dataset (its index
//! built once per version) and the panels of an entity's page, each a
//! recipe run like an analysis whose result is kept for its chart and
//! sent as values.

use crate::data::entities::{self, Entity, EntityKind, Hit, Index, Match};
use crate::engine::protocol::{RecipeError, Response};
use crate::recipe::Recipe;
use crate::recipe::execute::execute;
use crate::recipe::findings::Table;

use super::{Engine, analysis_summary};

/// The id of the dataset the search reads.
pub const ENTITIES: &str = "entities";
/// The most hits a search returns.
pub const MAX_HITS: usize = 100;
/// The most rows of a panel sent to the page.
pub const MAX_PANEL_ROWS: usize = 10_000;
/// The longest panel name (it is part of a dataset id).
const MAX_PANEL_NAME: usize = 64;

impl Engine {
    /// The index of the opened entities dataset, built on first use.
    fn entity_index(&mut self) -> Result<&Index, String> {
        let loaded = self
            .tables
            .get(ENTITIES)
            .ok_or("the list of agencies and places is not loaded yet")?;
        let sha = &loaded.summary.sha256;
        let cached = self.entities.take().filter(|(s, _)| s == sha);
        let (sha, index) = match cached {
            Some(cached) => cached,
            None => (sha.clone(), Index::new(entities::read(loaded.whole()?)?)),
        };
        Ok(&self.entities.insert((sha, index)).1)
    }

    pub(super) fn find_entities(&mut self, query: &str, limit: u32) -> Response {
        match self.entity_index() {
            Ok(index) => Response::Entities {
                hits: index.find(query, (limit as usize).min(MAX_HITS)),
                searched: index.len() as u64,
            },
            Err(message) => Response::Error { message },
        }
    }

    /// The entity of `kind` with `key`, then the entities it links to (its
    /// ministry, area, municipality, county), for the page's header.
    pub(super) fn entity(&mut self, kind: EntityKind, key: &str) -> Response {
        match self.entity_index() {
            Ok(index) => {
                let hit = |e: &Entity| Hit {
                    matched: e.name.clone(),
                    entity: e.clone(),
                    how: Match::Key,
                };
                let mut hits = Vec::new();
                if let Some(e) = index.get(kind, key) {
                    hits.push(hit(e));
                    let related = [
                        (EntityKind::Ministry, &e.ministry),
                        (EntityKind::Area, &e.area),
                        (EntityKind::Municipality, &e.municipality),
                        (EntityKind::County, &e.county),
                    ];
                    for (kind, key) in related {
                        if let Some(r) = key.as_deref().and_then(|k| index.get(kind, k)) {
                            hits.push(hit(r));
                        }
                    }
                }
                Response::Entities {
                    hits,
                    searched: index.len() as u64,
                }
            }
            Err(message) => Response::Error { message },
        }
    }

    /// Runs a panel's recipe; keeps its result as `panel:<name>`.
    pub(super) fn run_panel(&mut self, recipe: &Recipe, name: &str, rows: u32) -> Response {
        let name: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(MAX_PANEL_NAME)
            .collect();
        let failed = |message: String| Response::PanelRan {
            name: name.clone(),
            table: None,
            error: Some(RecipeError {
                step: None,
                message,
            }),
        };
        let Some(catalog) = &self.catalog else {
            return failed("the catalog is not loaded yet".into());
        };
        let tables = self.input_tables(recipe);
        let done = execute(recipe, catalog, &tables, &mut |_, _, _| {
            std::ops::ControlFlow::Continue(())
        });
        match done.result {
            Ok(batch) => {
                let table = Table::from_batch(&batch, (rows as usize).min(MAX_PANEL_ROWS));
                self.keep(analysis_summary(&format!("panel:{name}")), batch, None);
                Response::PanelRan {
                    name,
                    table: Some(table),
                    error: None,
                }
            }
            Err(e) => Response::PanelRan {
                name,
                table: None,
                error: Some(RecipeError {
                    step: e.step(),
                    message: e.to_string(),
                }),
            },
        }
    }
}
