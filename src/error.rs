//! Errors, one enum per layer. Every message is written for the person who
//! sees it: what failed, where, and what to do about it.

use thiserror::Error;

/// A catalog (`catalog.json`) that cannot be read or is not valid.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CatalogError {
    #[error("the catalog is {size} bytes, more than the {limit} bytes this lab reads")]
    TooLarge { size: usize, limit: usize },
    #[error("the catalog is not valid JSON (line {line}, column {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("this is not a Datalabb catalog (format is {found:?}, expected \"datalabb-catalog\")")]
    NotACatalog { found: String },
    #[error("catalog format version {found} is not supported; this lab reads version {supported}")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("dataset {index} in the catalog: {message}")]
    Invalid { index: usize, message: String },
}

/// A message between the page and the compute worker that cannot be
/// encoded or decoded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    #[error(
        "the compute engine speaks protocol version {found}, the page speaks {expected}; reload the page"
    )]
    Version { found: u32, expected: u32 },
    #[error("a message from the {from} could not be read: {message}")]
    Malformed { from: &'static str, message: String },
    #[error("a message could not be encoded: {0}")]
    Encode(String),
    #[error("a message is {size} bytes, more than the {limit} bytes allowed")]
    TooLarge { size: usize, limit: usize },
}

/// Publishing datasets failed. Nothing half-written is left behind.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PublishError {
    #[error("{path}: {message}")]
    Manifest { path: String, message: String },
    #[error(
        "source {source_id}: its SHA-256 is {actual}, but the manifest expects {expected}; \
         the file has changed: check it, then update datasets/sources.toml"
    )]
    HashMismatch {
        source_id: String,
        expected: String,
        actual: String,
    },
    #[error("source {source_id} could not be read: {tried}")]
    Unavailable { source_id: String, tried: String },
    #[error("{file}, line {line}: {message}")]
    Parse {
        file: String,
        line: u64,
        message: String,
    },
    #[error("dataset {dataset}: {message}")]
    Dataset { dataset: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// The catalog the datasets make is not valid (a bug in a transform).
    #[error("{path}: {error}")]
    Catalog { path: String, error: CatalogError },
}

/// An Arrow file (or stream) that cannot be loaded. Each message says what
/// is wrong with the file; the caller adds which file it was.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    #[error("the file is empty")]
    Empty,
    #[error(
        "this is a web page (HTML), not an Arrow file; the address may be wrong or the host may be showing an error page"
    )]
    Html,
    #[error("this is not an Arrow IPC file or stream, nor a Parquet file (it starts with {start})")]
    NotArrow { start: String },
    #[error("the file is cut short: {what}; download it again")]
    Truncated { what: String },
    #[error("the file is damaged: {what}")]
    Corrupt { what: String },
    #[error("the file would need {what} ({size}), more than the {limit} this lab allows")]
    TooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    #[error("column {column:?} has type {data_type}, which the lab does not read")]
    UnsupportedType { column: String, data_type: String },
    #[error("{}", csv_message(*line, message))]
    Csv { line: u64, message: String },
    #[error(
        "the file is compressed with {codec}, which the lab does not read (it reads uncompressed and LZ4 files)"
    )]
    UnsupportedCompression { codec: String },
    #[error("{}", parquet_codec_message(codec))]
    UnsupportedParquetCodec { codec: String },
    #[error(
        "Parquet files are read by the lab's Parquet module, which this part of the lab does not hold"
    )]
    ParquetElsewhere,
}

fn parquet_codec_message(codec: &str) -> String {
    let reads = if cfg!(target_arch = "wasm32") {
        "in the browser it reads uncompressed, Snappy, gzip, LZ4 and zstd pages; `datalabb run` also reads Brotli"
    } else {
        "it reads uncompressed, Snappy, gzip, LZ4, zstd and Brotli pages"
    };
    format!(
        "the Parquet file is compressed with {codec}, which the lab does not read here ({reads})"
    )
}

fn csv_message(line: u64, message: &str) -> String {
    if line == 0 {
        format!("the CSV file cannot be read: {message}")
    } else {
        format!("the CSV file cannot be read at line {line}: {message}")
    }
}

/// A table that cannot be written as a file.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ExportError {
    #[error("{0}")]
    Arrow(String),
    #[error("the CSV file cannot be written: {0}")]
    Csv(String),
}

impl From<arrow::error::ArrowError> for ExportError {
    fn from(e: arrow::error::ArrowError) -> Self {
        ExportError::Arrow(e.to_string())
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Csv(e.to_string())
    }
}

/// A sort or search of a table that cannot be made.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ViewError {
    #[error("there is no column {} to sort by; the table has {columns}", .column + 1)]
    NoSortColumn { column: usize, columns: usize },
    #[error("the table has too many rows to sort or search")]
    TooManyRows,
}

/// A relational step (join, group-by) that cannot run.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OpsError {
    #[error("column {column:?} not found in {table}{}", suggest(suggestion))]
    NoColumn {
        column: String,
        table: String,
        suggestion: Option<String>,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{what} would make {rows} rows, more than the {limit} this lab allows; filter first")]
    TooLarge {
        what: &'static str,
        rows: u64,
        limit: u64,
    },
    #[error(
        "{what} would take {bytes} bytes, more than the {limit} the browser can hold; filter the rows or select fewer columns first"
    )]
    TooManyBytes {
        what: &'static str,
        bytes: u64,
        limit: u64,
    },
    #[error("stopped")]
    Cancelled,
    #[error("{0}")]
    Arrow(String),
}

impl From<arrow::error::ArrowError> for OpsError {
    fn from(e: arrow::error::ArrowError) -> Self {
        OpsError::Arrow(e.to_string())
    }
}

fn suggest(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(name) => format!("; did you mean {name:?}?"),
        None => String::new(),
    }
}
