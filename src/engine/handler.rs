//! The engine's state and what it does with each request. Pure: the
//! worker loop (`worker`) only moves bytes between this and the page.

use std::collections::BTreeMap;

use arrow::array::{Array, Float64Array, RecordBatch};

use crate::chart::frame::{Frame, layout};
use crate::chart::prepare::{Body, Prepared, prepare};
use crate::chart::raster::{Grid, Hit, hit, rasterise};
use crate::chart::{Context, Lang, Size, View};
use crate::data::Catalog;
use crate::data::csv::{self, ColumnType, RawCsv};
use crate::data::export::export;
use crate::data::hash::sha256_hex;
use crate::data::load::{Limits, Table, decode};
use crate::data::summary::summarize;
use crate::data::values::{formatter, sort_rows};
use crate::data::view::Selection;
use crate::engine::protocol::{
    INSIGHT, MAX_INSIGHT_ROWS, Origin, PROFILE, RESULT, RecipeError, Request, Response,
    StepOutcome, TableSummary, Timings, Tip,
};
use crate::error::LoadError;
use crate::ml::features::extract;
use crate::ml::insight::{Insight, choose_k, k_distance, profiles};
use crate::ops::no_progress;
use crate::recipe::plan::{self, Schema};
use crate::recipe::{ChartSpec, Recipe, Step, run};

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
    /// All its rows in one batch.
    pub batch: RecordBatch,
    /// For a CSV file: its text columns and guessed types, to read it again
    /// with corrected types.
    csv: Option<(RawCsv, Vec<ColumnType>)>,
    /// The preview's last search and sort, kept while the visitor scrolls.
    selection: Selection,
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

/// A chart the worker keeps: its values, its last layout and (after the
/// first hover) the index of its points.
struct ChartState {
    dataset: String,
    spec: ChartSpec,
    context: Context,
    rows: usize,
    prepared: Prepared,
    frame: Option<Frame>,
    grid: Option<Grid>,
}

/// A prepared chart laid out at `size` (its big series rasterised).
fn drawn(
    prepared: &Prepared,
    size: Size,
    view: Option<View>,
    highlight: Option<u8>,
    context: &Context,
) -> Response {
    let frame = layout(prepared, context, size, view, highlight);
    let (image, pixels) = match rasterise(prepared, &frame, highlight) {
        Some(r) => (Some((r.width, r.height)), r.rgba),
        None => (None, Vec::new()),
    };
    Response::Chart {
        frame: Box::new(frame),
        table: prepared.table.clone(),
        image,
        pixels,
        chart_ms: 0.0,
    }
}

/// A tooltip for `found`: the label column (or the group) as its title,
/// then the chart's columns.
fn tip(
    prepared: &Prepared,
    spec: &ChartSpec,
    language: Lang,
    batch: &RecordBatch,
    found: Hit,
) -> Tip {
    let lang = |v: f64| crate::chart::format::short(v, language);
    match found {
        Hit::Point { index, row, at } => {
            let value = |name: &Option<String>| -> Option<(String, String)> {
                let name = name.as_ref()?;
                let column = batch.column_by_name(name)?;
                let text = formatter(column.as_ref())(row as usize).unwrap_or_else(|| "–".into());
                Some((name.clone(), text))
            };
            let group = match &prepared.body {
                Body::Points(p) => p.group.get(index).copied(),
                _ => None,
            };
            // The label names the point; without one, its colour group does
            // (and is not repeated below).
            let (title, named_by_color) = match (value(&spec.label), value(&spec.color)) {
                (Some((_, t)), _) => (t, false),
                (None, Some((_, t))) => (t, true),
                (None, None) => (String::new(), false),
            };
            let shown = if named_by_color { &None } else { &spec.color };
            let lines = [shown, &spec.x, &spec.y, &spec.size]
                .into_iter()
                .filter_map(value)
                .collect();
            Tip {
                x: at.0,
                y: at.1,
                title,
                lines,
                group,
            }
        }
        Hit::Bar {
            category,
            group,
            rect,
        } => {
            let Body::Bars {
                categories, values, ..
            } = &prepared.body
            else {
                return empty_tip();
            };
            let mut lines = Vec::new();
            if let Some(name) = prepared.groups.get(group) {
                lines.push((spec.color.clone().unwrap_or_default(), name.clone()));
            }
            let v = values
                .get(group)
                .and_then(|g| g.get(category))
                .copied()
                .unwrap_or(0.0);
            lines.push((prepared.y_title.clone(), lang(v)));
            Tip {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y0,
                title: categories.get(category).cloned().unwrap_or_default(),
                lines,
                group: (!prepared.groups.is_empty()).then(|| prepared.group_id(group)),
            }
        }
        Hit::Bin { bin, rect } => {
            let row = prepared.table.rows.get(bin).cloned().unwrap_or_default();
            let get = |i: usize| row.get(i).cloned().unwrap_or_default();
            Tip {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y0,
                title: format!("{} – {}", get(0), get(1)),
                lines: vec![(prepared.y_title.clone(), get(2))],
                group: None,
            }
        }
        Hit::Cell { x, y, rect } => {
            let Body::Heatmap { xs, ys, cells } = &prepared.body else {
                return empty_tip();
            };
            let v = cells.get(y * xs.len() + x).copied().flatten();
            Tip {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y0,
                title: format!(
                    "{} · {}",
                    ys.get(y).cloned().unwrap_or_default(),
                    xs.get(x).cloned().unwrap_or_default()
                ),
                lines: vec![(
                    spec.value.clone().unwrap_or_else(|| "n".into()),
                    v.map(lang).unwrap_or_else(|| "–".into()),
                )],
                group: None,
            }
        }
    }
}

fn empty_tip() -> Tip {
    Tip {
        x: 0.0,
        y: 0.0,
        title: String::new(),
        lines: Vec::new(),
        group: None,
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

    /// [`Engine::handle`], telling `report` how a long request goes
    /// ([`Response::RunProgress`] while an analysis runs).
    pub fn handle_reporting(
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
            } => {
                let Some(loaded) = self.tables.get_mut(&dataset) else {
                    return not_loaded(&dataset);
                };
                if loaded.selection.search != search || loaded.selection.sort != sort {
                    match Selection::new(&loaded.batch, &search, sort) {
                        Ok(selection) => loaded.selection = selection,
                        Err(message) => return error(format!("{dataset}: {message}")),
                    }
                }
                let offset = usize::try_from(offset).unwrap_or(usize::MAX);
                Outcome::Reply(Response::Rows {
                    total: loaded.selection.len() as u64,
                    offset: offset as u64,
                    rows: loaded.selection.page(&loaded.batch, offset, limit as usize),
                    dataset,
                })
            }
            Request::Summarize { dataset } => match self.tables.get(&dataset) {
                Some(loaded) => Outcome::Reply(Response::Summaries {
                    columns: summarize(&loaded.batch),
                    dataset,
                }),
                None => not_loaded(&dataset),
            },
            Request::CloseDataset { dataset } => {
                self.tables.remove(&dataset);
                Outcome::Reply(Response::DatasetClosed { dataset })
            }
            Request::Cancel { request } => Outcome::Cancel { request },
            Request::RunRecipe { recipe } => Outcome::Reply(self.run_recipe(&recipe, report)),
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
                .and_then(|t| export(&t, format))
            {
                Ok(bytes) => Outcome::Reply(Response::Exported {
                    name: format!("analysis-step-{}.{}", step + 1, format.extension()),
                    format,
                    bytes,
                }),
                Err(message) => error(message),
            },
            Request::Export { dataset, format } => match self.tables.get(&dataset) {
                Some(loaded) => match export(&loaded.batch, format) {
                    Ok(bytes) => Outcome::Reply(Response::Exported {
                        name: format!("{}.{}", file_stem(&dataset), format.extension()),
                        format,
                        bytes,
                    }),
                    Err(e) => error(format!("{dataset}: {e}")),
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

    /// Lays out the chart `spec` of `dataset` (prepared again only when the
    /// dataset, spec or context changed) and rasterises big series.
    fn chart(
        &mut self,
        dataset: &str,
        spec: ChartSpec,
        context: Context,
        size: Size,
        view: Option<View>,
        highlight: Option<u8>,
    ) -> Response {
        let Some(loaded) = self.tables.get(dataset) else {
            return Response::Error {
                message: format!("{dataset}: not loaded; open it first"),
            };
        };
        if dataset != RESULT {
            // The small charts beside an analysis (the elbow, profiles) are
            // drawn and forgotten; the analysis's chart keeps its tooltips.
            return match prepare(&loaded.batch, &spec, &context) {
                Ok(prepared) => drawn(&prepared, size, view, highlight, &context),
                Err(e) => Response::Error { message: e.0 },
            };
        }
        let same = self.chart.as_ref().is_some_and(|c| {
            c.dataset == dataset
                && c.spec == spec
                && c.context == context
                && c.rows == loaded.batch.num_rows()
        });
        if !same {
            self.chart = None;
            match prepare(&loaded.batch, &spec, &context) {
                Ok(prepared) => {
                    self.chart = Some(ChartState {
                        dataset: dataset.to_string(),
                        spec,
                        context,
                        rows: loaded.batch.num_rows(),
                        prepared,
                        frame: None,
                        grid: None,
                    })
                }
                Err(e) => return Response::Error { message: e.0 },
            }
        }
        let Some(state) = self.chart.as_mut() else {
            return Response::Error {
                message: "no chart".into(),
            };
        };
        let response = drawn(&state.prepared, size, view, highlight, &state.context);
        // The nearest-point index is built on the first hover, not here.
        state.grid = None;
        if let Response::Chart { frame, .. } = &response {
            state.frame = Some(frame.as_ref().clone());
        }
        response
    }

    /// The tooltip of the mark at `(x, y)` of the last chart.
    fn chart_hit(&mut self, x: f32, y: f32) -> Option<Tip> {
        let state = self.chart.as_mut()?;
        let frame = state.frame.as_ref()?;
        if let (Body::Points(points), None) = (&state.prepared.body, &state.grid) {
            state.grid = Some(Grid::new(points, frame));
        }
        let found = hit(&state.prepared, frame, state.grid.as_ref(), x, y)?;
        let batch = &self.tables.get(&state.dataset)?.batch;
        Some(tip(
            &state.prepared,
            &state.spec,
            state.context.lang,
            batch,
            found,
        ))
    }

    /// Checks `recipe` against the catalog and runs it on the opened
    /// datasets it pins; keeps the result as [`RESULT`]. Whatever fails,
    /// the answer carries the schemas of the steps that checked.
    fn run_recipe(&mut self, recipe: &Recipe, report: &mut dyn FnMut(Response)) -> Response {
        // A stale result is never shown beside a newer analysis.
        self.tables.remove(RESULT);
        let failed = |input: Schema, steps: Vec<StepOutcome>, step, message| Response::RecipeRan {
            input,
            steps,
            error: Some(RecipeError { step, message }),
            result: None,
            run_ms: 0.0,
        };
        let Some(catalog) = &self.catalog else {
            return failed(vec![], vec![], None, "the catalog is not loaded yet".into());
        };
        let plan = match plan::check(recipe, catalog) {
            Ok(plan) => plan,
            Err(e) => {
                let mut schemas = e.schemas.into_iter();
                let input = schemas.next().unwrap_or_default();
                let steps = schemas.map(|schema| StepOutcome {
                    schema,
                    ..StepOutcome::default()
                });
                return failed(input, steps.collect(), e.step, e.message);
            }
        };
        let mut schemas = plan.schemas.into_iter();
        let input = schemas.next().unwrap_or_default();
        let mut steps: Vec<StepOutcome> = schemas
            .map(|schema| StepOutcome {
                schema,
                ..StepOutcome::default()
            })
            .collect();
        let tables = match self.input_tables(recipe) {
            Ok(tables) => tables,
            Err(message) => return failed(input, steps, None, message),
        };
        let record = |steps: &mut Vec<StepOutcome>, reports: Vec<run::StepReport>| {
            for (outcome, report) in steps.iter_mut().zip(reports) {
                outcome.rows = Some(report.rows);
                outcome.join = report.join;
            }
        };
        let steps_in_all = recipe.steps.len();
        let mut on_step = |step, done, total| {
            report(Response::RunProgress {
                step,
                steps: steps_in_all,
                done,
                total,
            });
            std::ops::ControlFlow::Continue(())
        };
        match run::run_steps(recipe, &tables, &mut on_step) {
            Ok((batch, reports)) => {
                record(&mut steps, reports);
                let kept = self.keep(analysis_summary(RESULT), batch, None);
                let result = match kept {
                    Response::DatasetOpened { summary } => Some(summary),
                    _ => None,
                };
                Response::RecipeRan {
                    input,
                    steps,
                    error: None,
                    result,
                    run_ms: 0.0,
                }
            }
            Err(e) => {
                let step = e.step;
                let message = e.message.clone();
                record(&mut steps, e.reports);
                failed(input, steps, step, message)
            }
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
        let opened = decode(bytes, &Limits::default()).and_then(Table::into_batch);
        match opened {
            Ok(batch) => self.keep(
                TableSummary {
                    dataset: dataset.to_string(),
                    origin: Origin::Catalog,
                    sha256: sha256.to_string(),
                    rows: 0,
                    columns: Vec::new(),
                    file_bytes,
                    memory_bytes: 0,
                    from_cache,
                    csv: None,
                    timings: Timings::default(),
                },
                batch,
                None,
            ),
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
        let file_bytes = bytes.len() as u64;
        let sha256 = sha256_hex(&bytes);
        let lower = name.to_lowercase();
        let is_csv = [".csv", ".tsv", ".txt"].iter().any(|e| lower.ends_with(e))
            || (![".arrow", ".arrows", ".ipc", ".feather"]
                .iter()
                .any(|e| lower.ends_with(e))
                && matches!(
                    crate::data::load::sniff(&bytes),
                    Err(LoadError::NotArrow { .. })
                ));
        let summary = TableSummary {
            dataset: dataset.to_string(),
            origin: Origin::File {
                name: name.to_string(),
            },
            sha256,
            rows: 0,
            columns: Vec::new(),
            file_bytes,
            memory_bytes: 0,
            from_cache: false,
            csv: None,
            timings: Timings::default(),
        };
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
    fn retype(&mut self, dataset: &str, types: &[ColumnType], decimal_comma: bool) -> Response {
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

    /// The opened tables of `recipe`'s inputs, by input name.
    fn input_tables(&self, recipe: &Recipe) -> Result<BTreeMap<String, RecordBatch>, String> {
        let mut tables = BTreeMap::new();
        for wanted in &recipe.inputs {
            match self.tables.get(&wanted.dataset) {
                Some(loaded) if loaded.summary.sha256 == wanted.sha256 => {
                    tables.insert(wanted.name.clone(), loaded.batch.clone());
                }
                _ => {
                    return Err(format!(
                        "input {:?}: dataset {:?} (version {}) is not open",
                        wanted.name,
                        wanted.dataset,
                        crate::data::hash::short_hash(&wanted.sha256)
                    ));
                }
            }
        }
        Ok(tables)
    }

    /// The distinct values (sorted by value, as text) of `column` in the
    /// table step `step` of `recipe` receives; and whether there were
    /// more than `limit` (at most [`MAX_DISTINCT`]).
    /// The table after the first `steps` steps of `recipe`.
    fn step_table(&mut self, mut recipe: Recipe, steps: usize) -> Result<RecordBatch, String> {
        if steps > recipe.steps.len() {
            return Err(format!("the analysis has {} steps", recipe.steps.len()));
        }
        recipe.steps.truncate(steps);
        if let Some((made_by, table)) = &self.step_made
            && *made_by == recipe
        {
            return Ok(table.clone());
        }
        let catalog = self
            .catalog
            .as_ref()
            .ok_or("the catalog is not loaded yet")?;
        plan::check(&recipe, catalog).map_err(|e| e.message)?;
        let tables = self.input_tables(&recipe)?;
        let (table, _) = run::run(&recipe, &tables, &mut no_progress).map_err(|e| e.message)?;
        self.step_made = Some((recipe, table.clone()));
        Ok(table)
    }

    fn distinct(
        &mut self,
        recipe: Recipe,
        step: usize,
        column: &str,
        limit: u32,
    ) -> Result<(Vec<String>, bool), String> {
        let table = self.step_table(recipe, step)?;
        let array = table.column(
            crate::ops::column_index(&table, column, "the table").map_err(|e| e.to_string())?,
        );
        let mut rows: Vec<u32> = (0..array.len() as u32).collect();
        sort_rows(array.as_ref(), &mut rows, false);
        let text = formatter(array.as_ref());
        let limit = (limit as usize).min(MAX_DISTINCT);
        let mut values: Vec<String> = Vec::new();
        for row in rows {
            let Some(value) = text(row as usize) else {
                continue;
            };
            if values.last() != Some(&value) {
                if values.len() == limit {
                    return Ok((values, true));
                }
                values.push(value);
            }
        }
        Ok((values, false))
    }

    /// Works out `insight` for the cluster step `step` of `recipe`, keeps
    /// its tables as [`INSIGHT`] (and [`PROFILE`]) and answers with the
    /// table as text.
    fn insight(
        &mut self,
        recipe: Recipe,
        step: usize,
        insight: &Insight,
        member: Option<&str>,
        lang: Lang,
        report: &mut dyn FnMut(Response),
    ) -> Result<Response, String> {
        let Some(Step::Cluster {
            features,
            method,
            name,
        }) = recipe.steps.get(step).cloned()
        else {
            return Err(format!(
                "step {} is not a cluster step",
                step.saturating_add(1)
            ));
        };
        // The elbow and the k-distances need the table the step receives,
        // the profiles the one it makes.
        let steps = if *insight == Insight::Profiles {
            step + 1
        } else {
            step
        };
        let in_all = recipe.steps.len();
        let table = self.step_table(recipe, steps)?;
        let seed = method.seed().unwrap_or(1);
        let found = match insight {
            Insight::ChooseK { from, to } => {
                let x = extract(&table, &features).map_err(|e| e.0)?;
                let mut progress = |done, total| {
                    report(Response::RunProgress {
                        step,
                        steps: in_all,
                        done,
                        total,
                    });
                    std::ops::ControlFlow::Continue(())
                };
                choose_k(&x.matrix, *from, *to, seed, &mut progress)
            }
            Insight::KDistance { k } => {
                let x = extract(&table, &features).map_err(|e| e.0)?;
                k_distance(&x.matrix, *k, seed)
            }
            Insight::Profiles => profiles(&table, &features, &name, member),
        }
        .map_err(|e| e.0)?;
        // Numbers with four significant digits in the page's language.
        let text = |batch: &RecordBatch| -> Vec<Vec<String>> {
            type Text<'a> = Box<dyn Fn(usize) -> Option<String> + 'a>;
            let columns: Vec<Text> = batch
                .columns()
                .iter()
                .map(|c| match c.as_any().downcast_ref::<Float64Array>() {
                    Some(f) => Box::new(move |r: usize| {
                        f.is_valid(r)
                            .then(|| crate::chart::format::short(f.value(r), lang))
                    }) as Text,
                    None => Box::new(formatter(c.as_ref())),
                })
                .collect();
            (0..batch.num_rows().min(MAX_INSIGHT_ROWS))
                .map(|r| columns.iter().map(|f| f(r).unwrap_or_default()).collect())
                .collect()
        };
        let response = Response::Insight {
            columns: found
                .table
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            rows: text(&found.table),
            total: found.table.num_rows() as u64,
            mark: found.mark,
            suggestion: found.suggestion,
            insight_ms: 0.0,
        };
        for (dataset, batch) in [(INSIGHT, Some(found.table)), (PROFILE, found.long)] {
            self.tables.remove(dataset);
            if let Some(batch) = batch {
                self.keep(analysis_summary(dataset), batch, None);
            }
        }
        Ok(response)
    }

    /// Keeps a decoded table under its summary's dataset id, replacing any
    /// table of that id, and answers with its summary.
    fn keep(
        &mut self,
        mut summary: TableSummary,
        batch: RecordBatch,
        csv: Option<(RawCsv, Vec<ColumnType>)>,
    ) -> Response {
        summary.rows = batch.num_rows() as u64;
        summary.columns = batch
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().to_string()))
            .collect();
        summary.memory_bytes = memory(&batch);
        self.tables.insert(
            summary.dataset.clone(),
            Loaded {
                summary: summary.clone(),
                selection: Selection::all(&batch),
                batch,
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

/// A file name for a dataset id: `file:kommuner.csv` -> `kommuner`,
/// the analysis's result -> `analysis`.
fn file_stem(dataset: &str) -> String {
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

/// Checks that `bytes` are the file the catalog lists for `url`.
pub fn check_hash(url: &str, sha256: &str, bytes: &[u8]) -> Result<(), String> {
    hash_matches(url, sha256, &sha256_hex(bytes))
}

/// Checks a file's computed hash `actual` against the catalog's `sha256`.
pub fn hash_matches(url: &str, sha256: &str, actual: &str) -> Result<(), String> {
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

fn not_loaded(dataset: &str) -> Outcome {
    error(format!("{dataset} is not loaded; open it again"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;
    use crate::recipe::{Predicate, Step};

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

    fn reply(engine: &mut Engine, request: Request, bulk: Option<Vec<u8>>) -> Response {
        match engine.handle(request, bulk) {
            Outcome::Reply(response) => response,
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    fn open_csv(engine: &mut Engine, bytes: &[u8]) -> Response {
        reply(
            engine,
            Request::OpenFile {
                dataset: "file:k.csv".into(),
                name: "k.csv".into(),
            },
            Some(bytes.to_vec()),
        )
    }

    #[test]
    fn opens_a_csv_file_pages_sorts_searches_and_retypes_it() {
        let mut engine = Engine::new();
        let Response::DatasetOpened { summary } = open_csv(
            &mut engine,
            b"kommun;kod;andel
G\xe4vle;2180;12,5
Ume\xe5;0114;n/a
",
        ) else {
            panic!("expected the file to open");
        };
        assert_eq!(
            summary.origin,
            Origin::File {
                name: "k.csv".into()
            }
        );
        assert_eq!(summary.sha256.len(), 64);
        assert_eq!(
            summary.columns[2],
            ("andel".to_string(), "Utf8".to_string())
        );
        let report = summary.csv.clone().unwrap();
        assert!(report.decimal_comma);
        let rows = |engine: &mut Engine, search: &str, sort| {
            let Response::Rows { total, rows, .. } = reply(
                engine,
                Request::Rows {
                    dataset: "file:k.csv".into(),
                    search: search.into(),
                    sort,
                    offset: 0,
                    limit: 10,
                },
                None,
            ) else {
                panic!("expected rows");
            };
            (total, rows)
        };
        let (total, page) = rows(&mut engine, "", None);
        assert_eq!((total, page[0].cells[0].as_deref()), (2, Some("Gävle")));
        let (total, page) = rows(&mut engine, "umea", None);
        assert_eq!((total, page[0].index), (1, 1));
        let descending = Some(crate::data::view::SortKey {
            column: 0,
            descending: true,
        });
        assert_eq!(rows(&mut engine, "", descending).1[0].index, 1);
        let Response::DatasetOpened { summary } = reply(
            &mut engine,
            Request::Retype {
                dataset: "file:k.csv".into(),
                types: vec![ColumnType::Text, ColumnType::Text, ColumnType::Decimal],
                decimal_comma: true,
            },
            None,
        ) else {
            panic!("expected the retyped table");
        };
        assert_eq!(summary.columns[2].1, "Float64");
        assert_eq!(summary.csv.unwrap().columns[2].unreadable, 1);
        let (_, page) = rows(&mut engine, "", None);
        assert_eq!(page[0].cells[2].as_deref(), Some("12.5"));
        assert_eq!(page[1].cells[2], None);
        let Response::Summaries { columns, .. } = reply(
            &mut engine,
            Request::Summarize {
                dataset: "file:k.csv".into(),
            },
            None,
        ) else {
            panic!("expected summaries");
        };
        assert_eq!((columns[2].nulls, columns[2].mean), (1, Some(12.5)));
    }

    #[test]
    fn bad_files_and_requests_are_errors_and_keep_what_is_loaded() {
        let mut engine = Engine::new();
        open_csv(&mut engine, b"a;b\n1;2\n");
        for (name, bytes) in [
            ("empty.csv", Vec::new()),
            ("page.arrow", b"<html>".to_vec()),
            ("cut.arrow", arrow_file()[..100].to_vec()),
            ("many.csv", b"a;b\n1;2;3\n".to_vec()),
            ("binary", vec![0, 1, 2, 3]),
        ] {
            let Response::Error { message } = reply(
                &mut engine,
                Request::OpenFile {
                    dataset: format!("file:{name}"),
                    name: name.into(),
                },
                Some(bytes),
            ) else {
                panic!("{name}: expected an error");
            };
            assert!(message.starts_with(&format!("{name}: ")), "{message}");
        }
        let Response::Error { message } = reply(
            &mut engine,
            Request::Retype {
                dataset: "file:k.csv".into(),
                types: vec![ColumnType::Text],
                decimal_comma: false,
            },
            None,
        ) else {
            panic!("expected an error");
        };
        assert!(message.contains("2 columns"), "{message}");
        let arrow = arrow_file();
        reply(
            &mut engine,
            Request::OpenFile {
                dataset: "file:t.arrow".into(),
                name: "t.arrow".into(),
            },
            Some(arrow),
        );
        for request in [
            Request::Retype {
                dataset: "file:t.arrow".into(),
                types: vec![],
                decimal_comma: false,
            },
            Request::Rows {
                dataset: "nope".into(),
                search: String::new(),
                sort: None,
                offset: u64::MAX,
                limit: u32::MAX,
            },
            Request::Rows {
                dataset: "file:t.arrow".into(),
                search: String::new(),
                sort: Some(crate::data::view::SortKey {
                    column: 99,
                    descending: false,
                }),
                offset: 0,
                limit: 1,
            },
            Request::Summarize {
                dataset: "nope".into(),
            },
        ] {
            assert!(matches!(
                reply(&mut engine, request, None),
                Response::Error { .. }
            ));
        }
        let Response::Rows { total, rows, .. } = reply(
            &mut engine,
            Request::Rows {
                dataset: "file:t.arrow".into(),
                search: String::new(),
                sort: None,
                offset: u64::MAX,
                limit: u32::MAX,
            },
            None,
        ) else {
            panic!("expected rows");
        };
        assert_eq!((total, rows.len()), (50, 0));
        assert_eq!(engine.tables().len(), 2);
    }

    /// The fixture catalog with its agencies and latest staff tables
    /// opened (made here, in the catalog's columns), and a recipe on them.
    fn engine_with_fixture_tables() -> (Engine, Recipe) {
        let mut engine = Engine::new();
        let catalog = fixture_catalog();
        load(&mut engine, Some(catalog.to_json().as_bytes()));
        let [agencies, staff] = crate::recipe::tests::fixture_tables();
        let sha = |id: &str| {
            let d = catalog.datasets.iter().find(|d| d.id == id).unwrap();
            d.latest().unwrap().sha256.clone()
        };
        for (id, batch) in [("fixture-agencies", agencies), ("fixture-staff", staff)] {
            let bytes = crate::data::ipc::write_file(&batch).unwrap();
            let opened = engine.open_verified(id, &sha(id), "u", bytes, false);
            assert!(
                matches!(opened, Response::DatasetOpened { .. }),
                "{opened:?}"
            );
        }
        let mut recipe = crate::recipe::url::tests::staff_by_ministry();
        recipe.inputs[0].dataset = "fixture-agencies".into();
        recipe.inputs[0].sha256 = sha("fixture-agencies");
        recipe.inputs[1].dataset = "fixture-staff".into();
        recipe.inputs[1].sha256 = sha("fixture-staff");
        if let Step::GroupBy { measures, .. } = &mut recipe.steps[2] {
            measures[0].column = Some("fte".into());
        }
        (engine, recipe)
    }

    #[test]
    fn insights_of_a_cluster_step_are_kept_as_tables_and_charted() {
        use crate::ml::features::Features;
        use crate::ml::insight::Insight;
        use crate::recipe::learn::Method;
        let (mut engine, mut recipe) = engine_with_fixture_tables();
        recipe.inputs.truncate(1);
        recipe.inputs[0] = crate::recipe::Input {
            name: "staff".into(),
            dataset: "fixture-staff".into(),
            sha256: engine.tables["fixture-staff"].summary.sha256.clone(),
        };
        recipe.steps = vec![Step::Cluster {
            features: Features {
                columns: vec!["year".into(), "fte".into()],
                ..Features::default()
            },
            method: Method::KMeans {
                k: 2,
                restarts: 10,
                seed: 1,
            },
            name: "cluster".into(),
        }];
        recipe.chart = Default::default();
        let ask = |engine: &mut Engine, insight: Insight, step: usize, member: Option<&str>| {
            reply(
                engine,
                Request::Insight {
                    recipe: recipe.clone(),
                    step,
                    insight,
                    member: member.map(str::to_string),
                    lang: Lang::En,
                },
                None,
            )
        };
        let Response::Insight {
            columns,
            rows,
            total,
            mark,
            ..
        } = ask(
            &mut engine,
            Insight::ChooseK { from: 1, to: 5 },
            0,
            Some("org_nr"),
        )
        else {
            panic!("no elbow");
        };
        assert_eq!(columns, ["k", "inertia", "silhouette"]);
        assert_eq!(
            (total, rows.len(), mark),
            (3, 3, Some(2.0)),
            "k up to the 3 rows"
        );
        let Response::Insight { columns, total, .. } =
            ask(&mut engine, Insight::Profiles, 0, Some("org_nr"))
        else {
            panic!("no profiles");
        };
        assert_eq!(total, 2);
        assert_eq!(
            columns,
            ["cluster", "size", "sets_apart", "members", "year", "fte"]
        );
        // The profiles' long form draws as a heatmap.
        let chart = reply(
            &mut engine,
            Request::Chart {
                dataset: PROFILE.into(),
                spec: ChartSpec {
                    kind: crate::recipe::ChartKind::Heatmap,
                    x: Some("feature".into()),
                    y: Some("cluster".into()),
                    value: Some("difference_sd".into()),
                    ..ChartSpec::default()
                },
                context: Context::default(),
                size: Size {
                    width: 400,
                    height: 300,
                    scale: 1.0,
                },
                view: None,
                highlight: None,
            },
            None,
        );
        assert!(matches!(chart, Response::Chart { .. }), "{chart:?}");
        assert!(matches!(
            ask(&mut engine, Insight::KDistance { k: 1 }, 0, None),
            Response::Insight { total: 3, .. }
        ));
        for (insight, step) in [(Insight::Profiles, 1), (Insight::KDistance { k: 9 }, 0)] {
            assert!(matches!(
                ask(&mut engine, insight, step, None),
                Response::Error { .. }
            ));
        }
    }

    #[test]
    fn exports_the_table_of_any_step() {
        let (mut engine, recipe) = engine_with_fixture_tables();
        let export = |engine: &mut Engine, step: usize, format| {
            reply(
                engine,
                Request::ExportStep {
                    recipe: recipe.clone(),
                    step,
                    format,
                },
                None,
            )
        };
        let Response::Exported { name, bytes, .. } =
            export(&mut engine, 0, crate::data::export::Format::CsvSv)
        else {
            panic!("no export");
        };
        assert_eq!(name, "analysis-step-1.csv");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("org_nr;name;ministry;"), "{text}");
        assert!(text.contains(";2,5"), "decimal commas: {text}");
        for step in [99, usize::MAX] {
            assert!(matches!(
                export(&mut engine, step, crate::data::export::Format::Arrow),
                Response::Error { .. }
            ));
        }
        // Asked again, the step's table comes from the one kept; once an
        // input is closed, it is not kept any more.
        assert!(matches!(
            export(&mut engine, 0, crate::data::export::Format::Csv),
            Response::Exported { .. }
        ));
        reply(
            &mut engine,
            Request::CloseDataset {
                dataset: "fixture-agencies".into(),
            },
            None,
        );
        assert!(matches!(
            export(&mut engine, 0, crate::data::export::Format::Csv),
            Response::Error { .. }
        ));
    }

    #[test]
    fn runs_a_recipe_keeps_its_result_and_exports_it() {
        let (mut engine, recipe) = engine_with_fixture_tables();
        let Response::RecipeRan {
            input,
            steps,
            error,
            result,
            ..
        } = reply(&mut engine, Request::RunRecipe { recipe }, None)
        else {
            panic!("not a run");
        };
        assert_eq!(error, None);
        assert_eq!(input.len(), 3);
        assert_eq!(steps.len(), 4);
        let join = steps[0].join.as_ref().unwrap();
        assert_eq!((join.left_matched, join.right_matched), (2, 3));
        assert_eq!(
            steps.iter().map(|s| s.rows).collect::<Vec<_>>(),
            [Some(3), Some(2), Some(2), Some(2)]
        );
        let result = result.unwrap();
        assert_eq!(result.dataset, RESULT);
        assert_eq!(result.origin, Origin::Analysis);
        let Response::Exported { name, bytes, .. } = reply(
            &mut engine,
            Request::Export {
                dataset: RESULT.into(),
                format: crate::data::export::Format::Csv,
            },
            None,
        ) else {
            panic!("not exported");
        };
        assert_eq!(name, "analysis.csv");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "ministry,staff\nJu,4.0\nFi,2.5\n"
        );
    }

    #[test]
    fn charts_a_result_and_answers_hovers() {
        let (mut engine, recipe) = engine_with_fixture_tables();
        reply(&mut engine, Request::RunRecipe { recipe }, None);
        let chart = |spec: crate::recipe::ChartSpec, view: Option<View>| Request::Chart {
            dataset: RESULT.into(),
            spec,
            context: Context::default(),
            size: Size {
                width: 400,
                height: 300,
                scale: 2.0,
            },
            view,
            highlight: None,
        };
        let bar = crate::recipe::ChartSpec {
            kind: crate::recipe::ChartKind::Bar,
            x: Some("ministry".into()),
            y: Some("staff".into()),
            ..Default::default()
        };
        let Response::Chart {
            frame,
            table,
            image,
            ..
        } = reply(&mut engine, chart(bar.clone(), None), None)
        else {
            panic!("no chart");
        };
        assert_eq!((frame.width, frame.height), (800, 600));
        assert_eq!(image, None, "two bars are drawn as shapes");
        assert_eq!(table.rows, [["Ju", "4"], ["Fi", "2.5"]]);
        // Hovering the first bar names it; far outside, nothing.
        let marks = frame.marks.unwrap();
        let crate::chart::frame::Mark::Rect { rect, .. } = &marks[0] else {
            panic!()
        };
        let Response::ChartHit { tip } = reply(
            &mut engine,
            Request::ChartHit {
                x: (rect.x0 + rect.x1) / 2.0,
                y: rect.y1 - 2.0,
            },
            None,
        ) else {
            panic!()
        };
        assert_eq!(tip.unwrap().title, "Ju");
        let Response::ChartHit { tip } = reply(
            &mut engine,
            Request::ChartHit {
                x: -1e9,
                y: f32::NAN,
            },
            None,
        ) else {
            panic!()
        };
        assert_eq!(tip, None);
        // A column the result lacks, a text axis: messages, not panics.
        let mut missing = bar.clone();
        missing.y = Some("nope".into());
        assert!(matches!(
            reply(&mut engine, chart(missing, None), None),
            Response::Error { .. }
        ));
        let mut text = bar.clone();
        text.kind = crate::recipe::ChartKind::Scatter;
        assert!(
            matches!(reply(&mut engine, chart(text, None), None), Response::Error { message } if message.contains("not numbers"))
        );
        // Hovering after a failed chart finds nothing.
        let Response::ChartHit { tip } =
            reply(&mut engine, Request::ChartHit { x: 1.0, y: 1.0 }, None)
        else {
            panic!()
        };
        assert_eq!(tip, None);
        assert!(matches!(
            reply(
                &mut engine,
                Request::Chart {
                    dataset: "gone".into(),
                    spec: bar,
                    context: Context::default(),
                    size: Size {
                        width: 0,
                        height: 0,
                        scale: f32::NAN
                    },
                    view: None,
                    highlight: Some(200),
                },
                None
            ),
            Response::Error { .. }
        ));
    }

    #[test]
    fn a_run_reports_each_step_as_it_goes() {
        let (mut engine, recipe) = engine_with_fixture_tables();
        let mut reports = Vec::new();
        let outcome = engine.handle_reporting(Request::RunRecipe { recipe }, None, &mut |r| {
            reports.push(r)
        });
        assert!(matches!(
            outcome,
            Outcome::Reply(Response::RecipeRan { error: None, .. })
        ));
        let steps: Vec<usize> = reports
            .iter()
            .map(|r| match r {
                Response::RunProgress { step, steps: 4, .. } => *step,
                other => panic!("not progress: {other:?}"),
            })
            .collect();
        // Every step starts with a report, in order.
        let mut firsts = steps.clone();
        firsts.dedup();
        assert_eq!(firsts, [0, 1, 2, 3]);
    }

    #[test]
    fn distinct_values_of_a_column_where_a_step_receives_it() {
        let (mut engine, recipe) = engine_with_fixture_tables();
        let mut distinct = |step: usize, limit: u32| {
            reply(
                &mut engine,
                Request::Distinct {
                    recipe: recipe.clone(),
                    step,
                    column: "year".into(),
                    limit,
                },
                None,
            )
        };
        let values = |v: &[&str], more| Response::Distinct {
            values: v.iter().map(|s| s.to_string()).collect(),
            more,
        };
        assert_eq!(distinct(1, 100), values(&["2009", "2012"], false));
        assert_eq!(
            distinct(2, 100),
            values(&["2012"], false),
            "after 2010–2024"
        );
        assert_eq!(distinct(1, 1), values(&["2009"], true));
        assert!(
            matches!(distinct(0, 10), Response::Error { .. }),
            "agencies have no year"
        );
    }

    #[test]
    fn a_broken_recipe_names_its_step_and_keeps_the_steps_before() {
        let (mut engine, mut recipe) = engine_with_fixture_tables();
        let good = recipe.clone();
        assert!(matches!(
            reply(
                &mut engine,
                Request::RunRecipe {
                    recipe: good.clone()
                },
                None
            ),
            Response::RecipeRan { error: None, .. }
        ));
        if let Step::Filter {
            predicate: Predicate::And { all },
        } = &mut recipe.steps[1]
        {
            all.push(Predicate::IsNull {
                column: "yeer".into(),
            });
        }
        let Response::RecipeRan {
            steps,
            error,
            result,
            ..
        } = reply(&mut engine, Request::RunRecipe { recipe }, None)
        else {
            panic!("not a run");
        };
        let error = error.unwrap();
        assert_eq!(error.step, Some(1));
        assert!(
            error.message.contains("did you mean \"year\""),
            "{}",
            error.message
        );
        assert_eq!(steps.len(), 1, "the join still shows its schema");
        assert!(result.is_none());
        assert!(!engine.tables().contains_key(RESULT), "no stale result");
        // An input that is not open, and no catalog at all.
        let mut other = good.clone();
        other.inputs[1].sha256 = fixture_catalog().datasets[1].versions[0].sha256.clone();
        let Response::RecipeRan { error, .. } =
            reply(&mut engine, Request::RunRecipe { recipe: other }, None)
        else {
            panic!("not a run");
        };
        assert!(error.unwrap().message.contains("is not open"));
        let Response::RecipeRan { error, .. } = reply(
            &mut Engine::new(),
            Request::RunRecipe { recipe: good },
            None,
        ) else {
            panic!("not a run");
        };
        assert!(error.unwrap().message.contains("catalog"));
    }

    #[test]
    fn simulate_crash_asks_the_worker_to_crash() {
        assert_eq!(
            Engine::new().handle(Request::SimulateCrash, None),
            Outcome::Crash
        );
    }
}
