//! An analysis as data: the recipe. Its input datasets pinned by id and
//! SHA-256, an ordered list of steps, and the chart. Versioned and
//! serialisable; [`plan::validate`] checks it into a plan (every step's
//! output schema) before anything runs, and [`url`] carries it in a link.
//!
//! The steps run one after the other on one table, which starts as the
//! first input; a join brings in another input by its name.
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

pub mod cite;
pub mod columns;
pub mod curated;
pub mod edit;
pub mod entity;
pub mod error;
pub mod execute;
pub mod filter;
pub mod findings;
pub mod learn;
pub mod plan;
pub mod route;
pub mod run;
pub mod sql;
pub mod star;
pub mod url;

#[cfg(test)]
pub(crate) mod tests;

use serde::{Deserialize, Serialize};

use crate::ml::features::Features;
use crate::ops::derive::Formula;
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::JoinSpec;
use crate::recipe::learn::anomaly::{Flag, Scorer};
use crate::recipe::learn::{Method, Projection};

/// Bumped when the recipe changes shape; older versions keep opening.
pub const RECIPE_VERSION: u32 = 1;

/// A whole analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// The recipe format version, [`RECIPE_VERSION`].
    pub v: u32,
    pub inputs: Vec<Input>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "ChartSpec::is_default")]
    pub chart: ChartSpec,
}

/// A dataset version the recipe reads, under a short name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The name steps use for it (often the dataset id).
    pub name: String,
    /// The catalog's dataset id.
    pub dataset: String,
    /// The version, pinned: a shared analysis never changes under its reader.
    pub sha256: String,
}

/// One step of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Keep these columns, in this order.
    Select { columns: Vec<String> },
    /// Rename a column.
    Rename { from: String, to: String },
    /// Keep the rows for which the predicate holds.
    Filter { predicate: Predicate },
    /// Join the table to input `input`.
    Join {
        input: String,
        #[serde(flatten)]
        spec: JoinSpec,
    },
    /// Add a column computed from others.
    Derive { name: String, formula: Formula },
    /// Group by columns and compute measures.
    GroupBy {
        by: Vec<String>,
        measures: Vec<Measure>,
    },
    /// Order the rows by a column.
    Sort {
        column: String,
        #[serde(default, skip_serializing_if = "is_false")]
        descending: bool,
    },
    /// Keep the first rows.
    Limit { rows: u64 },
    /// Append the rows of input `input`; columns matched by name.
    Union { input: String },
    /// Long to wide: a row per group of `index`, a column per value of
    /// `keys` (values of `column`) with the aggregate of `values`.
    Pivot {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        index: Vec<String>,
        column: String,
        values: String,
        keys: Vec<String>,
        #[serde(default = "sum", skip_serializing_if = "is_sum")]
        aggregate: Aggregate,
    },
    /// Wide to long: a row per column of `columns`, its name in `name` and
    /// its value in `value`.
    Unpivot {
        columns: Vec<String>,
        name: String,
        value: String,
    },
    /// Find groups of similar rows in the `features`: a column `name` of
    /// cluster labels (−1 noise; null for a row left out).
    Cluster {
        features: Features,
        method: Method,
        name: String,
    },
    /// The first `components` principal components of the `features`, as
    /// columns `<prefix>1`, `<prefix>2`, ….
    Project {
        features: Features,
        components: u8,
        prefix: String,
        /// PCA (the default, left out of links) or t-SNE.
        #[serde(default, skip_serializing_if = "Projection::is_pca")]
        method: Projection,
    },
    /// How unusual each row is in the `features`: a column `name` of
    /// scores (higher is more unusual; null for a row left out) and a
    /// column `<name>_flag`, true for the most unusual rows.
    Anomaly {
        features: Features,
        #[serde(default, skip_serializing_if = "Scorer::is_default")]
        method: Scorer,
        #[serde(default, skip_serializing_if = "Flag::is_default")]
        flag: Flag,
        name: String,
    },
}

fn sum() -> Aggregate {
    Aggregate::Sum
}

fn is_sum(a: &Aggregate) -> bool {
    *a == Aggregate::Sum
}

impl Step {
    /// The step's kind, as errors name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Step::Select { .. } => "select",
            Step::Rename { .. } => "rename",
            Step::Filter { .. } => "filter",
            Step::Join { .. } => "join",
            Step::Derive { .. } => "derive",
            Step::GroupBy { .. } => "group by",
            Step::Sort { .. } => "sort",
            Step::Limit { .. } => "limit",
            Step::Union { .. } => "union",
            Step::Pivot { .. } => "pivot",
            Step::Unpivot { .. } => "unpivot",
            Step::Cluster { .. } => "cluster",
            Step::Project { .. } => "project",
            Step::Anomaly { .. } => "anomaly",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A condition on a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Predicate {
    /// `column <cmp> value`.
    Compare {
        column: String,
        cmp: Comparison,
        value: Value,
    },
    /// The column's value is one of `values`.
    In {
        column: String,
        values: Vec<Value>,
    },
    /// The column is null.
    IsNull {
        column: String,
    },
    And {
        all: Vec<Predicate>,
    },
    Or {
        any: Vec<Predicate>,
    },
    Not {
        not: Box<Predicate>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    /// Every comparison.
    pub const ALL: [Comparison; 6] = [
        Comparison::Eq,
        Comparison::Ne,
        Comparison::Lt,
        Comparison::Le,
        Comparison::Gt,
        Comparison::Ge,
    ];
}

/// A literal in a predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// What the chart shows (v1). Defaults are left out of the serialised
/// form, so that later versions can add fields without changing old links
/// (the fields after `title` came after the first links were shared).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    #[serde(default, skip_serializing_if = "is_default")]
    pub kind: ChartKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Colour by this column: a group per value (scatter, bar), a line per
    /// value (line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Scatter: the points' area follows this number column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The column that names a point in its tooltip (e.g. the agency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Heatmap: the number shown by each cell's colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Bar: stack the colour groups instead of placing them side by side.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stacked: bool,
    /// Bar: which way the bars run.
    #[serde(default, skip_serializing_if = "is_default")]
    pub orientation: Orientation,
    #[serde(default, skip_serializing_if = "is_false")]
    pub log_x: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub log_y: bool,
    /// Histogram: the number of bins (chosen from the data when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bins: Option<u32>,
    /// Line: the lines drawn in colour; bar: the categories drawn in
    /// colour. The others are drawn grey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<String>,
    /// A marked position on the x axis (e.g. the best k of an elbow chart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_x: Option<f64>,
    /// A line under the title (it wraps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// A note under the chart, above the source (it wraps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Bar: print each bar's value at its end.
    #[serde(default, skip_serializing_if = "is_false")]
    pub values: bool,
    /// Texts pinned to a category or a point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Annotation>,
}

/// A text pinned to a place in the chart: a bar's category (bar), a
/// line's name or an x value (line), or an x value (scatter, histogram).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// The category, line name or x value (as text, e.g. `"2015"`).
    pub at: String,
    /// Where on the y axis; when absent, the mark's own value (a bar's
    /// end, a line's value at `at`), else the top of the plot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    pub text: String,
}

impl ChartSpec {
    pub fn is_default(&self) -> bool {
        *self == ChartSpec::default()
    }
}

/// Which way the bars of a bar chart run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    /// Horizontal when the labels are long or many, else vertical.
    #[default]
    Auto,
    Vertical,
    Horizontal,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// The kinds of chart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// A table, no chart.
    #[default]
    Table,
    Bar,
    Line,
    Scatter,
    Histogram,
    Heatmap,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::Table,
        ChartKind::Bar,
        ChartKind::Line,
        ChartKind::Scatter,
        ChartKind::Histogram,
        ChartKind::Heatmap,
    ];
}
