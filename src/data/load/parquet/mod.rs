//! Parquet files, read with the `parquet` crate's Arrow reader after the
//! same kind of walk as the IPC loader's: the footer against the file, the
//! row and column counts and types against [`Limits`], every column chunk's
//! place in the file, and every page header (read here, in Thrift's compact
//! protocol) against its chunk, its codec's largest expansion and the
//! budget, so that no length a file declares makes the reader allocate
//! without bound or panic. The walk also checks what the reader trusts
//! inside a page: that a page of dictionary codes follows its dictionary,
//! that every run of a page's definition levels (which say which rows
//! are null) fits the page, and that every run header of its dictionary
//! codes ends within ten bytes: the reader's run decoder panics on a run
//! that overruns and on a longer header. For that, a page is decompressed
//! here too.
//! Batches are then decoded a few rows at a time, each counted against the
//! budget before the next.
//!
//! Codecs: uncompressed, Snappy, gzip, LZ4 and zstd everywhere (pure
//! Rust; zstd is inflated by the lab, see [`inflate`]); Brotli natively
//! only (the browser build names the codec instead).
//!
//! Natively, a panic inside the crate's reader on a file the walk passed
//! is caught and said as the file being damaged. In the browser the
//! Parquet worker, which runs this reader alone, contains it.

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field};
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::basic::{Compression, Type as PhysicalType};
use parquet::file::metadata::ColumnChunkMetaData;

use super::types::supported;
use super::{LZ4_MAX_RATIO, Limits, Table, ZSTD_MAX_RATIO, corrupt, truncated};
use crate::error::LoadError;

mod inflate;
mod pages;

use pages::{BIT_PACKED, DICTIONARY_PAGE, PageHeader, RLE, header, page_fits};

pub(super) const MAGIC: &[u8; 4] = b"PAR1";

/// The most a page may declare, whatever its codec: writers make pages of
/// about 1 MiB.
const MAX_PAGE: u64 = 256 << 20;
/// Rows decoded at a time, at most.
const MAX_BATCH_ROWS: u64 = 8192;

/// Whether `bytes` start as a Parquet file does.
pub(super) fn is_parquet(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// What of a Parquet file to read: all its columns or those named, and all
/// its rows or only its first ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct Part<'a> {
    /// The columns read (`None`: all).
    pub columns: Option<&'a BTreeSet<String>>,
    /// `Some(n)`: only the first `n` rows, from the row groups that hold
    /// them (the pages of the others are neither checked nor decoded).
    pub head: Option<u64>,
}

/// Decodes a Parquet file after checking it (see the module documentation):
/// the part of it `part` names. Also gives the rows of the whole file.
pub(super) fn decode(bytes: Bytes, limits: &Limits, part: Part) -> Result<(Table, u64), LoadError> {
    let columns = part.columns;
    let size = bytes.len() as u64;
    if size < 12 {
        return Err(truncated("it ends before its footer"));
    }
    if !bytes.ends_with(MAGIC) {
        return Err(truncated("the end-of-file marker is missing"));
    }
    let footer_len = u64::from(u32::from_le_bytes(
        bytes[bytes.len() - 8..bytes.len() - 4]
            .try_into()
            .unwrap_or_default(),
    ));
    let data_end = (size - 8)
        .checked_sub(footer_len)
        .filter(|end| *end >= 4)
        .ok_or_else(|| {
            corrupt(format!(
                "the footer length {footer_len} does not fit the file"
            ))
        })?;
    let metadata = ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new())
        .map_err(|e| corrupt(format!("the footer cannot be read ({e})")))?;
    let metadata = with_read_types(metadata)?;
    // The columns read: their places in the file's top-level fields.
    let roots: Vec<usize> = metadata
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| columns.is_none_or(|c| c.contains(f.name())))
        .map(|(i, _)| i)
        .collect();
    let schema = Arc::new(
        metadata
            .schema()
            .project(&roots)
            .map_err(|e| corrupt(e.to_string()))?,
    );
    if schema.fields().len() > limits.max_columns {
        return Err(LoadError::TooLarge {
            what: "columns",
            size: schema.fields().len() as u64,
            limit: limits.max_columns as u64,
        });
    }
    for field in schema.fields() {
        if !supported(field.data_type()) {
            return Err(LoadError::UnsupportedType {
                column: field.name().clone(),
                data_type: field.data_type().to_string(),
            });
        }
    }
    let file = metadata.metadata();
    let mut rows: u64 = 0;
    // The most one row can take once decoded: fixed widths, and for text
    // and binary the largest page of its chunks (a dictionary's value can
    // be repeated in every row).
    let mut widest = vec![16u64; file.file_metadata().schema_descr().num_columns()];
    // The row groups read: all, or the first ones that hold the head.
    let mut groups = 0;
    for group in file.row_groups() {
        let group_rows = u64::try_from(group.num_rows())
            .map_err(|_| corrupt(format!("a row group has {} rows", group.num_rows())))?;
        let before = rows;
        rows = rows.saturating_add(group_rows);
        if rows > limits.max_rows {
            return Err(LoadError::TooLarge {
                what: "rows",
                size: rows,
                limit: limits.max_rows,
            });
        }
        if part.head.is_some_and(|head| before >= head) {
            continue;
        }
        groups += 1;
        for (column, chunk) in group.columns().iter().enumerate() {
            let descriptor = file.file_metadata().schema_descr();
            if column >= descriptor.num_columns()
                || !roots.contains(&descriptor.get_column_root_idx(column))
            {
                continue;
            }
            let largest = check_chunk(&bytes, data_end, chunk, limits)?;
            if let Some(width) = widest.get_mut(column)
                && matches!(
                    chunk.column_type(),
                    PhysicalType::BYTE_ARRAY | PhysicalType::FIXED_LEN_BYTE_ARRAY
                )
            {
                *width = (*width).max(largest);
            }
        }
    }
    let row_bytes = widest.iter().fold(16u64, |sum, w| sum.saturating_add(*w));
    let wanted = part.head.map_or(rows, |head| head.min(rows));
    let fixed = wanted.saturating_mul(16 * schema.fields().len() as u64);
    if fixed > limits.max_decoded_bytes {
        return Err(LoadError::TooLarge {
            what: "decoded columns",
            size: fixed,
            limit: limits.max_decoded_bytes,
        });
    }
    let descriptor = file.file_metadata().schema_descr_ptr();
    let read = |group: usize, leaf: usize| {
        group < groups
            && leaf < descriptor.num_columns()
            && roots.contains(&descriptor.get_column_root_idx(leaf))
    };
    let inflating = file.row_groups().iter().enumerate().any(|(group, g)| {
        g.columns()
            .iter()
            .enumerate()
            .any(|(leaf, c)| read(group, leaf) && inflate::inflated_here(c.compression()))
    });
    let (bytes, metadata) = if inflating {
        let (bytes, inflated) =
            inflate::inflate_chunks(bytes, data_end, file, read, limits.max_decoded_bytes)?;
        let options = ArrowReaderOptions::new().with_schema(metadata.schema().clone());
        let metadata = ArrowReaderMetadata::try_new(Arc::new(inflated), options)
            .map_err(|e| corrupt(e.to_string()))?;
        (bytes, metadata)
    } else {
        (bytes, metadata)
    };
    let reading = Reading {
        roots: &roots,
        groups,
        rows: wanted,
        row_bytes,
    };
    let batches = contained(|| read_batches(&bytes, &metadata, &reading, limits))?;
    let got: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    if got != wanted {
        return Err(corrupt(format!(
            "the footer promises {wanted} rows and the pages hold {got}"
        )));
    }
    Ok((Table { schema, batches }, rows))
}

/// The first `rows` rows of a Parquet file, every column, read and checked
/// as [`super::decode`] reads a file natively (only the row groups that hold them),
/// as one Arrow IPC file; and the rows of the whole file. What the
/// browser's Parquet worker (`engine::parquet`) hands the compute worker
/// when a file opens. Only that worker's module links the Parquet reader.
pub fn parquet_head(bytes: Bytes, limits: &Limits, rows: u64) -> Result<(Vec<u8>, u64), LoadError> {
    let part = Part {
        columns: None,
        head: Some(rows),
    };
    let (table, all) = decode(bytes, limits, part)?;
    Ok((ipc_file(table)?, all))
}

/// The `columns` of a Parquet file, every row, as one Arrow IPC file: what
/// the Parquet worker hands the compute worker when a step or a view needs
/// them. The pages of the other columns are neither checked nor decoded.
pub fn parquet_columns(
    bytes: Bytes,
    limits: &Limits,
    columns: &BTreeSet<String>,
) -> Result<Vec<u8>, LoadError> {
    let part = Part {
        columns: Some(columns),
        head: None,
    };
    ipc_file(decode(bytes, limits, part)?.0)
}

fn ipc_file(table: Table) -> Result<Vec<u8>, LoadError> {
    let batch = super::types::normalize(table)?.into_batch()?;
    crate::data::ipc::write_file(&batch).map_err(|e| corrupt(e.to_string()))
}

/// What [`read_batches`] reads: the `roots` columns of the first `groups`
/// row groups, their first `rows` rows; a row takes at most `row_bytes`.
struct Reading<'a> {
    roots: &'a [usize],
    groups: usize,
    rows: u64,
    row_bytes: u64,
}

/// The batches `reading` names, each counted against the budget before the
/// next is decoded.
fn read_batches(
    bytes: &Bytes,
    metadata: &ArrowReaderMetadata,
    reading: &Reading,
    limits: &Limits,
) -> Result<Vec<RecordBatch>, LoadError> {
    let row_bytes = reading.row_bytes;
    let file = metadata.metadata();
    let mut decoded: u64 = 0;
    let mut batches: Vec<RecordBatch> = Vec::new();
    let mut reader: Option<parquet::arrow::arrow_reader::ParquetRecordBatchReader> = None;
    let mut batch_rows = 0;
    loop {
        // Rows per batch such that even the worst batch fits what is left.
        let left = limits.max_decoded_bytes.saturating_sub(decoded);
        let fits = (left / row_bytes).clamp(1, MAX_BATCH_ROWS) as usize;
        if reader.is_none() || fits < batch_rows / 2 {
            // A reader with a smaller batch size, from where the last one
            // stopped (at most a few times: the size at least halves).
            let done: usize = batches.iter().map(RecordBatch::num_rows).sum();
            let left = usize::try_from(reading.rows)
                .unwrap_or(usize::MAX)
                .saturating_sub(done);
            let built =
                ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), metadata.clone())
                    .with_batch_size(fits)
                    .with_row_groups((0..reading.groups).collect())
                    .with_offset(done)
                    .with_limit(left)
                    .with_projection(ProjectionMask::roots(
                        file.file_metadata().schema_descr(),
                        reading.roots.iter().copied(),
                    ))
                    .build()
                    .map_err(|e| corrupt(e.to_string()))?;
            reader = Some(built);
            batch_rows = fits;
        }
        let Some(next) = reader.as_mut().and_then(Iterator::next) else {
            break;
        };
        let batch = next.map_err(read_error)?;
        decoded = decoded.saturating_add(batch.get_array_memory_size() as u64);
        if decoded > limits.max_decoded_bytes {
            return Err(LoadError::TooLarge {
                what: "decoded columns",
                size: decoded,
                limit: limits.max_decoded_bytes,
            });
        }
        batches.push(batch);
    }
    Ok(batches)
}

/// Runs the crate's reader; natively, a panic in it (damage the walk does
/// not look for) is caught and said as the file being damaged, without the
/// panic's own report. In the browser a panic ends the Parquet worker,
/// whose owner says the same (`engine::parquet`).
#[cfg(not(target_arch = "wasm32"))]
fn contained<T>(read: impl FnOnce() -> Result<T, LoadError>) -> Result<T, LoadError> {
    use std::cell::Cell;
    use std::panic::{self, AssertUnwindSafe};
    thread_local!(static QUIET: Cell<bool> = const { Cell::new(false) });
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(read));
    QUIET.with(|q| q.set(false));
    outcome.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(corrupt(format!("the Parquet reader stopped on it ({why})")))
    })
}

#[cfg(target_arch = "wasm32")]
fn contained<T>(read: impl FnOnce() -> Result<T, LoadError>) -> Result<T, LoadError> {
    read()
}

/// The reader's metadata, told the types the lab reads some columns as:
/// - the zone of each timestamp column that the writer stored in
///   `ARROW:schema` where the reader dropped it (it does when the stored
///   unit differs from Parquet's: pyarrow writes seconds as milliseconds),
///   which would show `+01:00` instants in UTC;
/// - 32-bit keys for a dictionary column stored with 8- or 16-bit ones
///   (pandas' categoricals through pyarrow): a batch's rows from several
///   row groups share one dictionary, all of theirs, which overflows
///   narrow keys when the row groups hold different values.
fn with_read_types(metadata: ArrowReaderMetadata) -> Result<ArrowReaderMetadata, LoadError> {
    let zones = written_zones(metadata.metadata());
    let read_as = |field: &Field| match field.data_type() {
        DataType::Timestamp(unit, zone) => zones
            .iter()
            .find(|(name, written)| name == field.name() && zone.as_ref() != Some(written))
            .map(|(_, written)| DataType::Timestamp(*unit, Some(written.clone()))),
        DataType::Dictionary(key, value)
            if matches!(
                **key,
                DataType::Int8 | DataType::Int16 | DataType::UInt8 | DataType::UInt16
            ) =>
        {
            Some(DataType::Dictionary(
                Box::new(DataType::Int32),
                value.clone(),
            ))
        }
        _ => None,
    };
    let schema = metadata.schema();
    if !schema.fields().iter().any(|f| read_as(f).is_some()) {
        return Ok(metadata);
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let t = read_as(f).unwrap_or_else(|| f.data_type().clone());
            f.as_ref().clone().with_data_type(t)
        })
        .collect();
    let hint = Arc::new(arrow::datatypes::Schema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    ));
    ArrowReaderMetadata::try_new(
        metadata.metadata().clone(),
        ArrowReaderOptions::new().with_schema(hint),
    )
    .map_err(|e| corrupt(format!("the footer cannot be read ({e})")))
}

/// The time zone of each timestamp column in the Arrow schema the writer
/// stored (`ARROW:schema`), where there is one. The reader drops a zone
/// when the stored unit differs from Parquet's (pyarrow writes seconds as
/// milliseconds), which would show `+01:00` instants in UTC.
fn written_zones(file: &parquet::file::metadata::ParquetMetaData) -> Vec<(String, Arc<str>)> {
    use base64::Engine;
    let Some(stored) = file
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|e| e.key == "ARROW:schema"))
        .and_then(|e| e.value.as_deref())
    else {
        return Vec::new();
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(stored) else {
        return Vec::new();
    };
    let Ok(schema) = arrow_ipc::convert::try_schema_from_ipc_buffer(&bytes) else {
        return Vec::new();
    };
    schema
        .fields()
        .iter()
        .filter_map(|f| match f.data_type() {
            DataType::Timestamp(_, Some(zone)) => Some((f.name().clone(), zone.clone())),
            _ => None,
        })
        .collect()
}

/// A reader's error, with the codec named when it is one this build lacks.
fn read_error(e: impl std::fmt::Display) -> LoadError {
    let text = e.to_string();
    match text.split("Disabled feature at compile time: ").nth(1) {
        Some(codec) => LoadError::UnsupportedParquetCodec {
            codec: codec.trim().to_string(),
        },
        None => corrupt(text),
    }
}

/// The codec's name when this build cannot decode it.
fn unreadable(codec: Compression) -> Option<&'static str> {
    match codec {
        Compression::UNCOMPRESSED
        | Compression::SNAPPY
        | Compression::GZIP(_)
        | Compression::LZ4
        | Compression::LZ4_RAW => None,
        // Inflated by the lab (see `inflate`).
        Compression::ZSTD(_) => None,
        Compression::BROTLI(_) if cfg!(not(target_arch = "wasm32")) => None,
        Compression::BROTLI(_) => Some("Brotli"),
        Compression::LZO => Some("LZO"),
    }
}

/// How much a page of `codec` can grow when it is decompressed.
fn max_ratio(codec: Compression) -> u64 {
    match codec {
        Compression::UNCOMPRESSED => 1,
        // A three-byte copy makes 64 bytes.
        Compression::SNAPPY => 22,
        // Deflate's longest match (258 bytes) in about two bits.
        Compression::GZIP(_) => 1032,
        Compression::LZ4 | Compression::LZ4_RAW => LZ4_MAX_RATIO,
        _ => ZSTD_MAX_RATIO,
    }
}

/// The bits of a definition level of `chunk`'s column (0 when it has no
/// nulls to mark).
fn level_width(chunk: &ColumnChunkMetaData) -> u32 {
    16 - (chunk.column_descr().max_def_level().max(0) as u16).leading_zeros()
}

/// A column chunk's pages, each with where it starts in the file: its
/// place checked against the file's data (which ends at `data_end`), then
/// its page headers read until they hold the chunk's values, each inside
/// the chunk. A chunk of no values has no pages.
fn chunk_pages(
    bytes: &[u8],
    data_end: u64,
    chunk: &ColumnChunkMetaData,
) -> Result<Vec<(usize, PageHeader)>, LoadError> {
    let name = chunk.column_path().string();
    let start = chunk
        .dictionary_page_offset()
        .unwrap_or_else(|| chunk.data_page_offset());
    let outside = || {
        corrupt(format!(
            "column {name:?}'s pages (offset {start}, {} bytes) lie outside the file",
            chunk.compressed_size()
        ))
    };
    let start = u64::try_from(start).map_err(|_| outside())?;
    let len = u64::try_from(chunk.compressed_size()).map_err(|_| outside())?;
    if len == 0 && chunk.num_values() == 0 {
        // No pages (pyarrow writes a table of zero rows so).
        return Ok(Vec::new());
    }
    let end = start.checked_add(len).ok_or_else(outside)?;
    if start < 4 || end > data_end.min(bytes.len() as u64) {
        return Err(outside());
    }
    if chunk.data_page_offset() < 0 || chunk.num_values() < 0 {
        return Err(outside());
    }
    let values = chunk.num_values() as u64;
    let (mut at, mut seen) = (start as usize, 0u64);
    let mut pages = Vec::new();
    while seen < values {
        if at as u64 >= end {
            return Err(corrupt(format!(
                "column {name:?} ends after {seen} of its {values} values"
            )));
        }
        let page = header(&bytes[at..end as usize])
            .ok_or_else(|| corrupt(format!("column {name:?} has a damaged page header")))?;
        let body = at as u64 + page.header_len;
        if page.compressed > end.saturating_sub(body) {
            return Err(corrupt(format!(
                "a page of column {name:?} runs past its column's end"
            )));
        }
        if page.data {
            seen = seen.saturating_add(page.values);
        }
        let next = (body + page.compressed) as usize;
        pages.push((at, page));
        at = next;
    }
    Ok(pages)
}

/// Checks a column chunk's place and its pages; returns its largest page's
/// decompressed size.
fn check_chunk(
    bytes: &[u8],
    data_end: u64,
    chunk: &ColumnChunkMetaData,
    limits: &Limits,
) -> Result<u64, LoadError> {
    let name = chunk.column_path().string();
    if let Some(codec) = unreadable(chunk.compression()) {
        return Err(LoadError::UnsupportedParquetCodec {
            codec: codec.to_string(),
        });
    }
    let codec = chunk.compression();
    let ratio = max_ratio(codec);
    let level_width = level_width(chunk);
    // A page the lab inflates has its levels and codes checked then, on
    // the inflated page (see `inflate`), not inflated twice.
    let checked_later = inflate::inflated_here(codec);
    let (mut largest, mut dictionary) = (0u64, false);
    for (at, page) in chunk_pages(bytes, data_end, chunk)? {
        let body = at as u64 + page.header_len;
        let limit = (page.compressed.max(1))
            .saturating_mul(ratio)
            .saturating_add(page.levels())
            .min(MAX_PAGE)
            .min(limits.max_decoded_bytes);
        if page.uncompressed > limit {
            return Err(corrupt(format!(
                "a page of column {name:?} claims {} bytes from {} compressed",
                page.uncompressed, page.compressed
            )));
        }
        largest = largest.max(page.uncompressed);
        let damaged = |what: &str| corrupt(format!("a page of column {name:?} {what}"));
        if page.kind == DICTIONARY_PAGE
            && page.dictionary_values == Some(0)
            && page.uncompressed > 0
        {
            // The reader divides by the count.
            return Err(damaged("is a dictionary of no values that holds bytes"));
        }
        dictionary |= page.kind == DICTIONARY_PAGE;
        if page.data {
            if page.dictionary_codes && !dictionary {
                return Err(damaged("holds dictionary codes before any dictionary"));
            }
            if page
                .level_encoding
                .is_some_and(|e| e != RLE && e != BIT_PACKED)
            {
                return Err(damaged("has levels in an unknown encoding"));
            }
            let stored = &bytes[body as usize..(body + page.compressed) as usize];
            if !checked_later {
                page_fits(&page, stored, codec, level_width).map_err(damaged)?;
            }
        }
    }
    Ok(largest)
}
