//! Why a recipe cannot be checked or run: [`RecipeError`] for the recipe
//! as a whole (version, inputs, a step by its place), [`StepError`] for
//! what is wrong in one step, and [`LinkError`] for a link that holds no
//! readable recipe. Each says it in words for the visitor; callers and
//! tests match the variants.

use thiserror::Error;

use crate::error::OpsError;
use crate::ml::MlError;
use crate::ml::iforest::{MAX_SAMPLE, MAX_TREES};
use crate::ml::kmeans::MAX_RESTARTS;
use crate::ml::umap::MAX_NEIGHBOURS;
use crate::ops::group::Aggregate;
use crate::recipe::RECIPE_VERSION;
use crate::recipe::learn::{MAX_FEATURES, MAX_K};
use crate::recipe::plan::{MAX_COLUMNS, MAX_DEPTH, MAX_IN_VALUES, MAX_STEPS};

/// Why a recipe cannot be checked or run.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RecipeError {
    #[error("this analysis is recipe version {0}; this lab reads version {RECIPE_VERSION}")]
    Version(u32),
    #[error("the analysis has {0} steps, more than the {MAX_STEPS} allowed")]
    TooManySteps(usize),
    #[error("input {input:?}: the catalog has no dataset {dataset:?}")]
    NoDataset { input: String, dataset: String },
    #[error("input {input:?}: dataset {dataset:?} has no version {short}")]
    NoVersion {
        input: String,
        dataset: String,
        short: String,
    },
    #[error("two inputs are called {0:?}")]
    TwoInputs(String),
    #[error("the analysis has no input dataset")]
    NoInput,
    #[error("input {0:?} is not loaded")]
    NotLoaded(String),
    #[error("input {input:?}: dataset {dataset:?} (version {short}) is not open")]
    NotOpen {
        input: String,
        dataset: String,
        short: String,
    },
    /// Step `index` (from 0) of kind `kind` cannot be checked or run.
    #[error("step {} ({kind}): {error}", .index + 1)]
    Step {
        index: usize,
        kind: &'static str,
        error: Box<StepError>,
    },
}

impl RecipeError {
    /// The step the error concerns (`None`: the recipe as a whole).
    pub fn step(&self) -> Option<usize> {
        match self {
            RecipeError::Step { index, .. } => Some(*index),
            _ => None,
        }
    }
}

/// What is wrong in one step.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StepError {
    /// A kernel refused (a missing column, a budget, a stop).
    #[error(transparent)]
    Ops(#[from] OpsError),
    /// A learning method refused the data.
    #[error(transparent)]
    Ml(#[from] MlError),
    #[error("choose at least one column")]
    NoColumns,
    #[error("column {0:?} is chosen twice")]
    ChosenTwice(String),
    #[error("the new name is empty")]
    EmptyName,
    #[error("the new column has no name")]
    NoName,
    #[error("there is already a column {0:?}")]
    Exists(String),
    #[error("there is no input {0:?}")]
    NoInput(String),
    #[error("input {0:?} is not loaded")]
    NotLoaded(String),
    #[error("it makes {0} columns, more than the {MAX_COLUMNS} a table may have")]
    TooManyColumns(usize),
    #[error("a join needs as many key columns on each side, at least one")]
    JoinKeys,
    #[error("{column:?} is {data_type}, not a number column")]
    NotNumber { column: String, data_type: String },
    #[error("{0:?} of which column?")]
    NoMeasureColumn(Aggregate),
    #[error("{aggregate:?} needs a number column; {column:?} is {data_type}")]
    MeasureNotNumber {
        aggregate: Aggregate,
        column: String,
        data_type: String,
    },
    #[error("two output columns are called {0:?}")]
    TwoOutputs(String),
    #[error("a group-by needs a key or a measure")]
    EmptyGroupBy,
    #[error("column {column:?} is {here} here and {there} in {input:?}")]
    UnionTypes {
        column: String,
        here: String,
        there: String,
        input: String,
    },
    #[error("a pivot cannot compute {0:?}; use a group-by")]
    PivotAggregate(Aggregate),
    #[error("list the values of {0:?} that become columns")]
    NoPivotKeys(String),
    #[error("{0} values would become columns, more than the {MAX_COLUMNS} a table may have")]
    TooManyKeys(usize),
    #[error("the new column {0:?} is empty or not new")]
    NotNew(String),
    #[error("choose the columns that become rows")]
    NoUnpivotColumns,
    #[error("the condition nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error(
        "the condition on {column:?} lists {count} values, more than the {MAX_IN_VALUES} allowed; \
         filter with a range or join a table of the values instead"
    )]
    TooManyValues { column: String, count: usize },
    /// A condition's value cannot be compared with its column.
    #[error("column {column:?} is {data_type}; compare it with {wanted}")]
    Mismatch {
        column: String,
        data_type: String,
        wanted: &'static str,
    },
    #[error("column {column:?} is {data_type}, which a filter cannot compare")]
    NotComparable { column: String, data_type: String },
    #[error("choose at least one number column")]
    NoFeatures,
    #[error("{0} feature columns are chosen; a learning step reads at most {MAX_FEATURES}")]
    TooManyFeatures(usize),
    #[error("column {0:?} is chosen twice as a feature")]
    FeatureTwice(String),
    #[error("k must be between 1 and {MAX_K} (it is {0})")]
    K(usize),
    #[error("restarts must be between 1 and {MAX_RESTARTS}")]
    Restarts,
    #[error("eps must be a number above 0 (it is {0})")]
    Eps(f64),
    #[error("min points must be between 1 and 1 000 000")]
    MinPoints,
    #[error("the perplexity must be a number of at least 1 (it is {0})")]
    Perplexity(f64),
    #[error("the number of trees must be between 1 and {MAX_TREES} (it is {0})")]
    Trees(usize),
    #[error("each tree's sample must be between 2 and {MAX_SAMPLE} rows (it is {0})")]
    Sample(usize),
    #[error(
        "an autoencoder's score threshold must be a reconstruction error of at least 0 (it is {0})"
    )]
    ErrorThreshold(f64),
    #[error("a UMAP's neighbours must be between 2 and {MAX_NEIGHBOURS} (it is {0})")]
    Neighbours(usize),
    #[error("the share of rows to flag must be above 0 and at most 1 (it is {0})")]
    Share(f64),
    #[error(
        "the score threshold must be between 0 and 1, as an isolation forest's scores are (it is {0})"
    )]
    Threshold(f64),
    #[error("choose 1 to {most} components (at most the {features} features)")]
    Components { most: u8, features: usize },
    /// A learning step whose memory or work would overwhelm the browser.
    #[error("{0}")]
    Budget(Budget),
}

impl From<arrow::error::ArrowError> for StepError {
    fn from(e: arrow::error::ArrowError) -> Self {
        StepError::Ops(e.into())
    }
}

/// A clustering refused before it allocates.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Budget {
    #[error(
        "a mixture of {k} components over {rows} rows keeps {cells} memberships, \
         more than the {most} the browser holds; choose a smaller k, \
         or filter or group the rows first"
    )]
    Memberships {
        k: usize,
        rows: usize,
        cells: u64,
        most: u64,
    },
    #[error(
        "k-means with k = {k} and {restarts} restarts over {rows} rows and \
         {features} features computes {work} distance terms an iteration, more \
         than the {most} the lab allows; choose a smaller k or fewer \
         restarts, or filter or group the rows first"
    )]
    KMeansWork {
        k: usize,
        restarts: usize,
        rows: usize,
        features: usize,
        work: u64,
        most: u64,
    },
    #[error(
        "an isolation forest of {trees} trees over {rows} rows walks {work} paths, \
         more than the {most} the lab allows; choose fewer trees, or filter or \
         group the rows first"
    )]
    ForestWork {
        trees: usize,
        rows: usize,
        work: u64,
        most: u64,
    },
}

/// Why a link holds no recipe this lab can read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("the link holds {0} characters, more than the {max} this lab reads", max = crate::recipe::url::MAX_LINK)]
    TooLong(usize),
    #[error(
        "the link is an analysis of encoding {0:?}, which this lab does not read; it reads \"r1\""
    )]
    Encoding(String),
    #[error("the link does not hold an analysis (it should start with \"r1.\")")]
    NotAnalysis,
    #[error("the link is damaged ({0}); copy it again")]
    Damaged(String),
    #[error("the link is damaged (its data does not unpack); copy it again")]
    Unpack,
    #[error(
        "the analysis in the link is larger than the {max} bytes this lab reads",
        max = crate::recipe::url::MAX_JSON
    )]
    TooLarge,
    #[error("the analysis in the link cannot be read: {0}")]
    Unreadable(String),
    #[error("the analysis cannot be written as a link: {0}")]
    Encode(String),
}
