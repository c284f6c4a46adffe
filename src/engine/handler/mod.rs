//! The engine's state and what it does with each request. Pure: the
//! worker loop (`worker`) only moves bytes between this and the page.
//!
//! Each arm of [`Engine::handle_reporting`] calls one method, which calls
//! the core and wraps its answer. The methods live by concern:
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

mod analyses;
mod charts;
pub mod entities;
mod partial;
mod tables;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use arrow::array::RecordBatch;

use crate::data::Catalog;
use crate::data::csv::{ColumnType, RawCsv};
use crate::data::export::export;
use crate::data::summary::summarize;
use crate::data::view::Selection;
use crate::engine::helpers::Memo;
use crate::engine::protocol::{Origin, Request, Response, TableSummary, Timings};
use crate::ml::jobs::{Farm, with_farm};
use crate::recipe::Recipe;
use crate::recipe::run::Resume;

pub use crate::data::hash::{check_hash, hash_matches};
use charts::ChartState;
use tables::file_stem;

pub use partial::HEAD_ROWS;
pub use tables::{catalog_summary, file_summary};

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

/// The most distinct values [`Request::Distinct`] returns.
pub const MAX_DISTINCT: usize = 1000;

/// A dataset version the worker holds.
#[derive(Debug)]
pub struct Loaded {
    pub summary: TableSummary,
    /// Its rows: all of them, or of a Parquet file what is read so far.
    rows: Held,
    /// For a CSV file: its text columns and guessed types, to read it again
    /// with corrected types.
    csv: Option<(RawCsv, Vec<ColumnType>)>,
    /// The preview's last search and sort, kept while the visitor scrolls.
    selection: Selection,
}

/// A dataset's rows as the worker holds them.
#[derive(Debug)]
enum Held {
    /// Every column, all rows, in one batch.
    Whole(RecordBatch),
    /// A Parquet file read as it is needed (see `partial`).
    Parquet(partial::Partial),
}

/// The tables and metadata the worker holds between requests.
#[derive(Default)]
pub struct Engine {
    catalog: Option<Catalog>,
    tables: BTreeMap<String, Loaded>,
    /// The last chart, kept for zooming and tooltips.
    chart: Option<ChartState>,
    /// The table the last request for a step's table made, by the recipe
    /// cut there: the elbow, k-distances, profiles and a step's download
    /// asked in turn run the recipe once, not once each.
    step_made: Option<(Recipe, RecordBatch)>,
    /// The search index of the entities dataset, by its SHA-256.
    entities: Option<(String, crate::data::entities::Index)>,
    /// Where learning jobs run: here, or handed to helper workers
    /// (`engine::helpers`).
    jobs: Rc<RefCell<Memo>>,
    /// Where the last analysis stopped to hand a step's jobs to helper
    /// workers: the same analysis handled again starts there.
    resume: Resume,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("catalog", &self.catalog.is_some())
            .field("tables", &self.tables.keys().collect::<Vec<_>>())
            .field("chart", &self.chart.as_ref().map(|c| &c.spec))
            .finish()
    }
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
        self.handle_reporting(request, bulk, &mut |_| {})
    }

    /// Where the learning jobs of a request run: the compute worker sets
    /// how many helpers it may start, takes the jobs handed on and gives
    /// their answers back (see `engine::helpers`).
    pub fn jobs(&self) -> &RefCell<Memo> {
        &self.jobs
    }

    /// [`Engine::handle`], telling `report` how a long request goes
    /// ([`Response::RunProgress`] while an analysis runs).
    pub fn handle_reporting(
        &mut self,
        request: Request,
        bulk: Option<Vec<u8>>,
        report: &mut dyn FnMut(Response),
    ) -> Outcome {
        let farm: Rc<RefCell<dyn Farm>> = self.jobs.clone();
        with_farm(farm, || self.handle_here(request, bulk, report))
    }

    fn handle_here(
        &mut self,
        request: Request,
        bulk: Option<Vec<u8>>,
        report: &mut dyn FnMut(Response),
    ) -> Outcome {
        // A request that may replace a table forgets the chart made of it.
        if !matches!(
            request,
            Request::Chart { .. }
                | Request::ChartHit { .. }
                | Request::Rows { .. }
                | Request::Summarize { .. }
                | Request::Export { .. }
                | Request::Distinct { .. }
                | Request::Insight { .. }
                | Request::ExportStep { .. }
                | Request::Cancel { .. }
                | Request::FindEntities { .. }
                | Request::Entity { .. }
        ) {
            self.chart = None;
            self.step_made = None;
        }
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
            Request::OpenFile { dataset, name } => match bulk {
                Some(bytes) => Outcome::Reply(self.open_file(&dataset, &name, bytes)),
                None => error(format!("{name}: the file's bytes did not arrive")),
            },
            Request::Retype {
                dataset,
                types,
                decimal_comma,
            } => Outcome::Reply(self.retype(&dataset, &types, decimal_comma)),
            Request::Rows {
                dataset,
                search,
                sort,
                offset,
                limit,
                lang,
            } => {
                let Some(Loaded {
                    rows, selection, ..
                }) = self.tables.get_mut(&dataset)
                else {
                    return not_loaded(&dataset);
                };
                // A Parquet file not read whole shows its first rows (the
                // worker reads the rest first when more are asked).
                let (batch, total) = match &*rows {
                    Held::Parquet(partial) if partial.shows(&search, sort, offset, limit) => {
                        (&partial.head, Some(partial.rows()))
                    }
                    Held::Whole(batch) => (batch, None),
                    Held::Parquet(_) => {
                        return error(format!("{dataset}: these rows are not read yet; try again"));
                    }
                };
                if selection.search != search || selection.sort != sort {
                    match Selection::new(batch, &search, sort) {
                        Ok(made) => *selection = made,
                        Err(message) => return error(format!("{dataset}: {message}")),
                    }
                }
                let offset = usize::try_from(offset).unwrap_or(usize::MAX);
                Outcome::Reply(Response::Rows {
                    total: total.unwrap_or(selection.len()) as u64,
                    offset: offset as u64,
                    rows: selection.page(batch, offset, limit as usize, lang),
                    dataset,
                })
            }
            Request::Summarize { dataset, lang } => match self.tables.get(&dataset) {
                Some(loaded) => match loaded.whole() {
                    Ok(batch) => Outcome::Reply(Response::Summaries {
                        columns: summarize(batch, lang),
                        dataset,
                    }),
                    Err(message) => error(message),
                },
                None => not_loaded(&dataset),
            },
            Request::CloseDataset { dataset } => {
                self.tables.remove(&dataset);
                Outcome::Reply(Response::DatasetClosed { dataset })
            }
            Request::Cancel { request } => Outcome::Cancel { request },
            Request::RunRecipe { recipe } => Outcome::Reply(self.run_recipe(&recipe, report)),
            Request::RunPanel { recipe, name, rows } => {
                Outcome::Reply(self.run_panel(&recipe, &name, rows))
            }
            Request::FindEntities { query, limit } => {
                Outcome::Reply(self.find_entities(&query, limit))
            }
            Request::Entity { kind, key } => Outcome::Reply(self.entity(kind, &key)),
            Request::Distinct {
                recipe,
                step,
                column,
                limit,
            } => match self.distinct(recipe, step, &column, limit) {
                Ok((values, more)) => Outcome::Reply(Response::Distinct { values, more }),
                Err(message) => error(message),
            },
            Request::Insight {
                recipe,
                step,
                insight,
                member,
                lang,
            } => Outcome::Reply(
                match self.insight(recipe, step, &insight, member.as_deref(), lang, report) {
                    Ok(response) => response,
                    Err(message) => Response::Error { message },
                },
            ),
            Request::ExportStep {
                recipe,
                step,
                format,
            } => match self
                // A step beyond the recipe (even usize::MAX) is its error.
                .step_table(recipe, step.saturating_add(1))
                .and_then(|t| export(&t, format).map_err(|e| e.to_string()))
            {
                Ok(bytes) => Outcome::Reply(Response::Exported {
                    name: format!("analysis-step-{}.{}", step + 1, format.extension()),
                    format,
                    bytes,
                }),
                Err(message) => error(message),
            },
            Request::Export { dataset, format } => match self.tables.get(&dataset) {
                Some(loaded) => match loaded
                    .whole()
                    .and_then(|batch| export(batch, format).map_err(|e| format!("{dataset}: {e}")))
                {
                    Ok(bytes) => Outcome::Reply(Response::Exported {
                        name: format!("{}.{}", file_stem(&dataset), format.extension()),
                        format,
                        bytes,
                    }),
                    Err(message) => error(message),
                },
                None => not_loaded(&dataset),
            },
            Request::Chart {
                dataset,
                spec,
                context,
                size,
                view,
                highlight,
            } => Outcome::Reply(self.chart(&dataset, spec, context, size, view, highlight)),
            Request::ChartHit { x, y } => Outcome::Reply(Response::ChartHit {
                tip: self.chart_hit(x, y),
            }),
        }
    }

    /// The datasets loaded, by id.
    pub fn tables(&self) -> &BTreeMap<String, Loaded> {
        &self.tables
    }

    /// Keeps a decoded table under its summary's dataset id, replacing any
    /// table of that id, and answers with its summary.
    fn keep(
        &mut self,
        summary: TableSummary,
        batch: RecordBatch,
        csv: Option<(RawCsv, Vec<ColumnType>)>,
    ) -> Response {
        self.keep_held(summary, Held::Whole(batch), csv)
    }

    /// [`Engine::keep`] for rows as they are held.
    fn keep_held(
        &mut self,
        mut summary: TableSummary,
        rows: Held,
        csv: Option<(RawCsv, Vec<ColumnType>)>,
    ) -> Response {
        let (shown, all_rows) = match &rows {
            Held::Whole(batch) => (batch, batch.num_rows()),
            Held::Parquet(partial) => (&partial.head, partial.rows()),
        };
        summary.rows = all_rows as u64;
        summary.columns = shown
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().to_string()))
            .collect();
        summary.memory_bytes = rows.memory();
        summary.read_as_needed = matches!(rows, Held::Parquet(_));
        let selection = Selection::all(shown);
        self.tables.insert(
            summary.dataset.clone(),
            Loaded {
                summary: summary.clone(),
                selection,
                rows,
                csv,
            },
        );
        Response::DatasetOpened { summary }
    }
}

/// The summary of a table the worker made (filled in by `keep`).
fn analysis_summary(dataset: &str) -> TableSummary {
    TableSummary {
        dataset: dataset.to_string(),
        origin: Origin::Analysis,
        sha256: String::new(),
        rows: 0,
        columns: Vec::new(),
        file_bytes: 0,
        memory_bytes: 0,
        read_as_needed: false,
        from_cache: false,
        csv: None,
        timings: Timings::default(),
    }
}

/// The bytes a table's values take. Columns decoded without a copy share
/// the file's buffer, so each counts only its own slice of it.
fn memory(batch: &RecordBatch) -> u64 {
    batch
        .columns()
        .iter()
        .map(|column| column.to_data().get_slice_memory_size().unwrap_or(0) as u64)
        .sum()
}

fn error(message: String) -> Outcome {
    Outcome::Reply(Response::Error { message })
}

fn not_loaded(dataset: &str) -> Outcome {
    error(format!("{dataset} is not loaded; open it again"))
}
