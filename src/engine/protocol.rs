//! Messages between the page and the compute worker.
//!
//! Each message is an [`Envelope`]: the protocol version, a request id
//! chosen by the page (answers carry the id of their request; `0` is a
//! message nobody asked for) and a typed body. Envelopes travel as JSON
//! text; bulk data (file bytes) travels beside them as a transferred
//! `ArrayBuffer`, never inside the JSON.
//!
//! The codec returns a [`ProtocolError`] for anything it cannot read,
//! including a message of another protocol version, so that a page and a
//! worker from different deployments never misread each other.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::chart::frame::Frame;
use crate::chart::prepare::DataTable;
use crate::chart::{Context, Size, View};
use crate::data::csv::{ColumnType, CsvReport};
use crate::data::entities::{EntityKind, Hit};
use crate::data::export::Format;
use crate::data::summary::ColumnSummary;
use crate::data::view::{Row, SortKey};
use crate::data::{Catalog, Lang};
use crate::error::ProtocolError;
use crate::ml::insight::Insight;
use crate::recipe::plan::Schema;
use crate::recipe::{ChartSpec, Recipe};

/// Bumped whenever a message changes shape.
pub const PROTOCOL_VERSION: u32 = 6;

/// The largest JSON header accepted; bulk data goes beside it.
pub const MAX_HEADER_BYTES: usize = 32 * 1024 * 1024;

/// A message and its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The protocol version, [`PROTOCOL_VERSION`].
    pub v: u32,
    /// The request id; answers carry the id of the request they answer.
    pub id: u64,
    pub body: T,
}

/// What the page asks of the worker. Externally tagged (`{"run_recipe":
/// {...}}`): an internally tagged enum is read through serde's buffered
/// `Content`, whose code is made again for every type a message holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Take the catalog: the bytes of `catalog.json` travel as the bulk
    /// buffer. The worker answers [`Response::Catalog`].
    LoadCatalog {
        /// Where the bytes came from, for error messages.
        url: String,
    },
    /// Throw an uncaught error inside the worker, as a crash would. Used by
    /// the diagnostics panel and the tests of crash recovery.
    SimulateCrash,
    /// Download (or take from the browser's cache), verify and decode a
    /// dataset version, and keep it. The worker answers with
    /// [`Response::Progress`] while downloading, then
    /// [`Response::DatasetOpened`] or [`Response::Error`].
    OpenDataset {
        dataset: String,
        sha256: String,
        /// The absolute URL of the Arrow file.
        url: String,
        /// The size the catalog gives, for progress when the host sends no
        /// length.
        bytes: u64,
    },
    /// Open a file the visitor chose (Arrow file or stream, or CSV); its
    /// bytes travel as the bulk buffer and never leave the browser. Kept as
    /// `dataset`; answered like [`Request::OpenDataset`].
    OpenFile { dataset: String, name: String },
    /// Read an opened CSV file again with other column types (one per
    /// column) and decimal mark. Answered by [`Response::DatasetOpened`].
    Retype {
        dataset: String,
        types: Vec<ColumnType>,
        decimal_comma: bool,
    },
    /// A page of rows for the preview: those containing `search` (empty:
    /// all), sorted by `sort`, from `offset`. Answered by
    /// [`Response::Rows`].
    Rows {
        dataset: String,
        search: String,
        sort: Option<SortKey>,
        offset: u64,
        limit: u32,
        /// The language the numbers are written in.
        #[serde(default)]
        lang: Lang,
    },
    /// Column summaries of a dataset. Answered by [`Response::Summaries`].
    Summarize {
        dataset: String,
        #[serde(default)]
        lang: Lang,
    },
    /// Drop a loaded dataset. Answered by [`Response::DatasetClosed`].
    CloseDataset { dataset: String },
    /// Stop request `request` (a download); it answers with an error.
    Cancel { request: u64 },
    /// Check and run an analysis on the opened datasets its inputs pin; the
    /// result is kept as dataset [`RESULT`] (pages of rows, summaries and
    /// export work on it as on any dataset). Answered by
    /// [`Response::RecipeRan`].
    RunRecipe { recipe: Recipe },
    /// Run a panel of an entity's page: `recipe` as [`Request::RunRecipe`]
    /// runs it, its result kept as `panel:<name>` (for its chart) and its
    /// first `rows` rows sent as values. Answered by [`Response::PanelRan`].
    RunPanel {
        recipe: Recipe,
        name: String,
        rows: u32,
    },
    /// The entities whose names or keys match `query` (the opened
    /// `entities` dataset), best first. Answered by [`Response::Entities`].
    FindEntities { query: String, limit: u32 },
    /// The entity of `kind` with `key`. Answered by [`Response::Entities`]:
    /// none, or the entity and then those it links to (ministry, area,
    /// municipality, county).
    Entity { kind: EntityKind, key: String },
    /// The distinct values of `column` in the table that step `step` of
    /// `recipe` receives (sorted, at most `limit`), for the pivot form.
    /// Answered by [`Response::Distinct`].
    Distinct {
        recipe: Recipe,
        step: usize,
        column: String,
        limit: u32,
    },
    /// Write a loaded dataset as a file. Answered by [`Response::Exported`].
    Export { dataset: String, format: Format },
    /// Write the table step `step` of `recipe` makes as a file. Answered
    /// by [`Response::Exported`].
    ExportStep {
        recipe: Recipe,
        step: usize,
        format: Format,
    },
    /// Work out `insight` for the cluster step `step` of `recipe`: the
    /// elbow and the k-distances from the table it receives, the profiles
    /// from the table it makes (`member`: a text column whose values list
    /// each cluster's rows). The table is kept as dataset [`INSIGHT`] (and
    /// the profiles' long form as [`PROFILE`]) for charts and export.
    /// Answered by [`Response::Insight`], with progress.
    Insight {
        recipe: Recipe,
        step: usize,
        insight: Insight,
        #[serde(default)]
        member: Option<String>,
        /// The language numbers are written in.
        #[serde(default)]
        lang: crate::data::Lang,
    },
    /// Lay out (and, for big series, rasterise) the chart `spec` of a
    /// loaded dataset at `size`; `view` zooms, `highlight` fades every
    /// colour group but one. Answered by [`Response::Chart`]. The worker
    /// keeps the chart for [`Request::ChartHit`].
    Chart {
        dataset: String,
        spec: ChartSpec,
        context: Context,
        size: Size,
        #[serde(default)]
        view: Option<View>,
        #[serde(default)]
        highlight: Option<u8>,
    },
    /// The mark nearest to `(x, y)` (device pixels) of the last chart.
    /// Answered by [`Response::ChartHit`].
    ChartHit { x: f32, y: f32 },
}

impl Request {
    /// What the engine is doing while it answers this request, in words,
    /// for a message when the request stopped the engine ("opening
    /// agencies stopped the compute engine: …").
    pub fn activity(&self) -> String {
        let name = |dataset: &str| match dataset {
            RESULT => "the analysis's result".to_string(),
            other => other.strip_prefix("file:").unwrap_or(other).to_string(),
        };
        match self {
            Request::LoadCatalog { .. } => "reading the catalog".into(),
            Request::SimulateCrash => "a simulated crash".into(),
            Request::OpenDataset { dataset, .. } | Request::OpenFile { dataset, .. } => {
                format!("opening {}", name(dataset))
            }
            Request::Retype { dataset, .. } => format!("reading {} with new types", name(dataset)),
            Request::Rows { dataset, .. } => format!("paging the rows of {}", name(dataset)),
            Request::Summarize { dataset, .. } => format!("summarising {}", name(dataset)),
            Request::CloseDataset { dataset } => format!("closing {}", name(dataset)),
            Request::Cancel { .. } => "stopping a download".into(),
            Request::RunRecipe { .. } => "running the analysis".into(),
            Request::RunPanel { name, .. } => format!("the panel {name}"),
            Request::FindEntities { .. } => "searching".into(),
            Request::Entity { key, .. } => format!("finding {key}"),
            Request::Distinct { column, .. } => format!("listing the values of {column}"),
            Request::Export { dataset, .. } => format!("exporting {}", name(dataset)),
            Request::ExportStep { step, .. } => {
                format!("exporting step {}", step.saturating_add(1))
            }
            Request::Insight { step, .. } => {
                format!("the help for step {}", step.saturating_add(1))
            }
            Request::Chart { .. } => "drawing the chart".into(),
            Request::ChartHit { .. } => "finding the point under the pointer".into(),
        }
    }
}

/// The dataset id under which the worker keeps an analysis's result.
pub const RESULT: &str = "analysis:result";
/// The dataset id of the last insight's table.
pub const INSIGHT: &str = "analysis:insight";
/// The dataset id of the last profiles in long form.
pub const PROFILE: &str = "analysis:profile";
/// The rows of an insight's table sent as text.
pub const MAX_INSIGHT_ROWS: usize = 200;

/// What one step of an analysis produces (the core's type, sent as is).
pub use crate::recipe::execute::StepOutcome;

/// Why an analysis did not run to the end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeError {
    /// The step it concerns (from 0); `None`: the analysis as a whole.
    pub step: Option<usize>,
    pub message: String,
}

/// Where a loaded table came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A published dataset of the catalog.
    Catalog,
    /// A file the visitor opened.
    File { name: String },
    /// The result of an analysis.
    Analysis,
}

/// How long the steps of opening took in the worker, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub hash_ms: f64,
    pub decode_ms: f64,
}

/// A loaded table as the page sees it: no values, just its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSummary {
    pub dataset: String,
    pub origin: Origin,
    pub sha256: String,
    pub rows: u64,
    /// Column names and Arrow types.
    pub columns: Vec<(String, String)>,
    /// The size of the downloaded file.
    pub file_bytes: u64,
    /// The memory its decoded columns take in the worker.
    pub memory_bytes: u64,
    /// A Parquet file read as it is needed: `memory_bytes` is what its
    /// open read (its first rows), and grows as more is read.
    #[serde(default)]
    pub read_as_needed: bool,
    /// `true` when the bytes came from the browser's cache, not the network.
    pub from_cache: bool,
    /// For a CSV file: what the import found and chose.
    pub csv: Option<CsvReport>,
    /// Filled in by the worker, which has a clock.
    pub timings: Timings,
}

/// What the worker tells the page (tagged as [`Request`] is).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// Sent once, unasked, when the worker is ready to receive messages.
    Ready { engine_version: String },
    /// The catalog the worker was given and validated.
    Catalog {
        engine_version: String,
        catalog: Catalog,
    },
    /// A request failed; `message` is written for the visitor.
    Error { message: String },
    /// How far a download is: `loaded` bytes of `total` (when known).
    Progress { loaded: u64, total: Option<u64> },
    /// A dataset is loaded and kept in the worker.
    DatasetOpened { summary: TableSummary },
    /// A dataset was dropped.
    DatasetClosed { dataset: String },
    /// A page of rows: `total` rows match, these start at `offset`.
    Rows {
        dataset: String,
        total: u64,
        offset: u64,
        rows: Vec<Row>,
    },
    /// One summary per column.
    Summaries {
        dataset: String,
        columns: Vec<ColumnSummary>,
    },
    /// An analysis was checked and run: the first input's schema, then one
    /// outcome per step that checked; the error that stopped it, if any;
    /// the result's shape when it ran to the end (kept as [`RESULT`]).
    RecipeRan {
        input: Schema,
        steps: Vec<StepOutcome>,
        error: Option<RecipeError>,
        result: Option<TableSummary>,
        /// Filled in by the worker, which has a clock.
        run_ms: f64,
    },
    /// How far an analysis has run: step `step` (from 0) of `steps`, `done`
    /// of its `total` rows (or epochs, iterations). Sent while it runs,
    /// before its answer. `loss` is a training's loss so far.
    RunProgress {
        step: usize,
        steps: usize,
        done: u64,
        total: u64,
        loss: Option<f64>,
    },
    /// An insight's table (its first [`MAX_INSIGHT_ROWS`] rows as text,
    /// and the count of all), the x its chart marks and the value it
    /// suggests for the step (the best k, or an eps).
    Insight {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
        total: u64,
        mark: Option<f64>,
        suggestion: Option<f64>,
        insight_ms: f64,
        /// For the profiles: one sentence per cluster and one for the rows
        /// left out (`recipe::findings::clusters`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        sentences: Vec<String>,
    },
    /// A panel's values (its first rows), or the error that stopped it.
    PanelRan {
        name: String,
        table: Option<crate::recipe::findings::Table>,
        error: Option<RecipeError>,
    },
    /// Entities found, best first; `searched` is how many the index holds.
    Entities { hits: Vec<Hit>, searched: u64 },
    /// Distinct values, as the preview shows them; `more` when there were
    /// more than the limit.
    Distinct { values: Vec<String>, more: bool },
    /// A dataset written as a file; the bytes travel as the bulk buffer,
    /// not in the JSON header.
    Exported {
        name: String,
        format: Format,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// A chart laid out; when its marks were rasterised, `image` gives the
    /// image's size and its RGBA bytes travel as the bulk buffer.
    Chart {
        frame: Box<Frame>,
        table: DataTable,
        image: Option<(u32, u32)>,
        #[serde(skip)]
        pixels: Vec<u8>,
        /// Filled in by the worker, which has a clock.
        chart_ms: f64,
    },
    /// The mark under the pointer, if any.
    ChartHit { tip: Option<Tip> },
}

/// A chart's tooltip (made by [`crate::chart::tip`]).
pub use crate::chart::tip::Tip;

/// Encodes a message as JSON text.
pub fn encode<T: Serialize>(id: u64, body: &T) -> Result<String, ProtocolError> {
    let text = serde_json::to_string(&Envelope {
        v: PROTOCOL_VERSION,
        id,
        body,
    })
    .map_err(|e| ProtocolError::Encode(e.to_string()))?;
    if text.len() > MAX_HEADER_BYTES {
        return Err(ProtocolError::TooLarge {
            size: text.len(),
            limit: MAX_HEADER_BYTES,
        });
    }
    Ok(text)
}

/// Decodes a message sent by `from` (`"page"` or `"compute engine"`),
/// checking its protocol version before its shape.
pub fn decode<T: DeserializeOwned>(
    text: &str,
    from: &'static str,
) -> Result<Envelope<T>, ProtocolError> {
    if text.len() > MAX_HEADER_BYTES {
        return Err(ProtocolError::TooLarge {
            size: text.len(),
            limit: MAX_HEADER_BYTES,
        });
    }
    let malformed = |e: serde_json::Error| ProtocolError::Malformed {
        from,
        message: e.to_string(),
    };
    #[derive(Deserialize)]
    struct Version {
        v: u32,
    }
    let Version { v } = serde_json::from_str(text).map_err(malformed)?;
    if v != PROTOCOL_VERSION {
        return Err(ProtocolError::Version {
            found: v,
            expected: PROTOCOL_VERSION,
        });
    }
    serde_json::from_str(text).map_err(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;

    #[test]
    fn requests_and_responses_round_trip() {
        let requests = [
            Request::LoadCatalog {
                url: "data/catalog.json".into(),
            },
            Request::SimulateCrash,
            Request::OpenDataset {
                dataset: "agencies".into(),
                sha256: "ab".repeat(32),
                url: "https://example.org/data/agencies/abababababab.arrow".into(),
                bytes: 100,
            },
            Request::OpenFile {
                dataset: "file:kommuner.csv".into(),
                name: "kommuner.csv".into(),
            },
            Request::Retype {
                dataset: "file:kommuner.csv".into(),
                types: vec![ColumnType::Text, ColumnType::Decimal],
                decimal_comma: true,
            },
            Request::Rows {
                dataset: "agencies".into(),
                search: "län".into(),
                sort: Some(SortKey {
                    column: 2,
                    descending: true,
                }),
                offset: 100,
                limit: 50,
                lang: Lang::Sv,
            },
            Request::Summarize {
                dataset: "agencies".into(),
                lang: Default::default(),
            },
            Request::CloseDataset {
                dataset: "agencies".into(),
            },
            Request::Cancel { request: 3 },
            Request::RunRecipe {
                recipe: crate::recipe::url::tests::staff_by_ministry(),
            },
            Request::Export {
                dataset: RESULT.into(),
                format: Format::Csv,
            },
        ];
        for (id, request) in requests.into_iter().enumerate() {
            let text = encode(id as u64, &request).unwrap();
            let back: Envelope<Request> = decode(&text, "page").unwrap();
            assert_eq!(back.v, PROTOCOL_VERSION);
            assert_eq!(back.id, id as u64);
            assert_eq!(back.body, request);
        }
        let responses = [
            Response::Ready {
                engine_version: "0.1.0".into(),
            },
            Response::Catalog {
                engine_version: "0.1.0".into(),
                catalog: fixture_catalog(),
            },
            Response::Error {
                message: "nope".into(),
            },
            Response::Progress {
                loaded: 10,
                total: None,
            },
            Response::DatasetOpened {
                summary: TableSummary {
                    dataset: "agencies".into(),
                    origin: Origin::File {
                        name: "a.csv".into(),
                    },
                    sha256: "ab".repeat(32),
                    rows: 414,
                    columns: vec![("org_nr".into(), "Utf8".into())],
                    file_bytes: 100_938,
                    memory_bytes: 250_000,
                    read_as_needed: false,
                    from_cache: false,
                    csv: None,
                    timings: Timings {
                        hash_ms: 1.5,
                        decode_ms: 2.0,
                    },
                },
            },
            Response::Rows {
                dataset: "agencies".into(),
                total: 1,
                offset: 0,
                rows: vec![Row {
                    index: 7,
                    cells: vec![Some("x".into()), None],
                }],
            },
            Response::Summaries {
                dataset: "agencies".into(),
                columns: vec![],
            },
            Response::DatasetClosed {
                dataset: "agencies".into(),
            },
            Response::RecipeRan {
                input: vec![("org_nr".into(), "Utf8".into())],
                steps: vec![StepOutcome {
                    schema: vec![("fte".into(), "Float64".into())],
                    rows: Some(15),
                    join: Some(crate::ops::join::JoinStats::default()),
                }],
                error: Some(RecipeError {
                    step: Some(1),
                    message: "step 2 (filter): column \"yr\" not found".into(),
                }),
                result: None,
                run_ms: 3.5,
            },
            // The bytes travel beside the header, not in it.
            Response::Exported {
                name: "analysis.csv".into(),
                format: Format::Csv,
                bytes: Vec::new(),
            },
        ];
        for response in responses {
            let text = encode(7, &response).unwrap();
            let back: Envelope<Response> = decode(&text, "compute engine").unwrap();
            assert_eq!(back.body, response);
        }
    }

    #[test]
    fn the_wire_format_is_stable() {
        let text = encode(3, &Request::SimulateCrash).unwrap();
        assert_eq!(text, r#"{"v":6,"id":3,"body":"simulate_crash"}"#);
        let text = encode(
            4,
            &Request::CloseDataset {
                dataset: "x".into(),
            },
        )
        .unwrap();
        assert_eq!(
            text,
            r#"{"v":6,"id":4,"body":{"close_dataset":{"dataset":"x"}}}"#
        );
    }

    #[test]
    fn another_protocol_version_is_refused_before_its_shape() {
        let text = r#"{"v":7,"id":1,"body":{"something_new":{"x":[]}}}"#;
        assert_eq!(
            decode::<Response>(text, "compute engine").unwrap_err(),
            ProtocolError::Version {
                found: 7,
                expected: 6
            }
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "null",
            "[]",
            "{\"v\":6}",
            "{\"v\":6,\"id\":-1,\"body\":\"simulate_crash\"}",
            "{\"v\":6,\"id\":1,\"body\":\"unknown\"}",
            "{\"v\":6,\"id\":1,\"body\":{\"run_recipe\":{\"recipe\":7}}}",
            "{\"v\":6,\"id\":1,\"body\":{\"simulate_crash\":null,\"load_catalog\":{}}}",
            "{\"v\":\"1\"}",
            "\u{0}\u{1}\u{2}",
            &"[".repeat(10_000),
        ] {
            let error = decode::<Request>(text, "page").unwrap_err();
            assert!(
                matches!(error, ProtocolError::Malformed { from: "page", .. }),
                "{text:?}: {error:?}"
            );
            assert!(error.to_string().starts_with("a message from the page"));
        }
        let huge = " ".repeat(MAX_HEADER_BYTES + 1);
        assert!(matches!(
            decode::<Request>(&huge, "page"),
            Err(ProtocolError::TooLarge { .. })
        ));
    }
}
