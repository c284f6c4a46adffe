//! Loading Arrow IPC files and streams, and Parquet files (`parquet`), from
//! bytes, safely.
//!
//! arrow-ipc trusts the lengths and offsets a file declares: a negative
//! body length, a footer or buffer that points outside the file, or an lz4
//! buffer that announces gigabytes make it panic or allocate without
//! bound, and in wasm a panic or an out-of-memory abort kills the lab. So
//! [`decode`] walks the file's messages itself first: it checks the footer,
//! every block and every buffer against the file's size, every declared
//! length against [`Limits`], and every column type against the types the
//! lab reads. Only then does it hand each message to arrow-ipc, which also
//! validates the arrays it builds.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::buffer::Buffer;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow_ipc::reader::read_record_batch;
use arrow_ipc::{CompressionType, MessageHeader, MetadataVersion};

use crate::error::LoadError;

mod batches;
mod parquet;
mod types;
mod zstd;

pub use parquet::{parquet_columns, parquet_head};

#[cfg(test)]
pub(crate) mod tests;

use types::{batch_layout, normalize, supported, variadic_counts};
use zstd::{inflate_zstd, is_zstd};

const MAGIC: &[u8; 6] = b"ARROW1";
const CONTINUATION: [u8; 4] = [0xff; 4];
/// The most an LZ4 frame can expand.
const LZ4_MAX_RATIO: u64 = 255;
/// The most a zstd frame can expand: an RLE block of 128 KiB takes 4 bytes.
const ZSTD_MAX_RATIO: u64 = 1 << 15;

/// What one file may make the lab allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of decoded column data (the sum of all buffers, after lz4).
    pub max_decoded_bytes: u64,
    /// Rows over all batches.
    pub max_rows: u64,
    /// Columns.
    pub max_columns: usize,
}

impl Default for Limits {
    /// Sized for the browser's 4 GiB wasm heap, which must also hold the
    /// downloaded bytes, the worker's other tables and their results.
    fn default() -> Self {
        Self {
            max_decoded_bytes: 1 << 30,
            max_rows: 100_000_000,
            max_columns: 10_000,
        }
    }
}

/// A decoded table: its schema and its record batches.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl Table {
    /// Rows over all batches.
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// All batches as one, so that a row is one index (see [`batches`]).
    pub fn into_batch(self) -> Result<RecordBatch, LoadError> {
        batches::joined(self.schema, self.batches)
    }
}

/// The two IPC formats, and Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.arrow`: magic, messages, footer with an index of blocks.
    File,
    /// `.arrows`: a sequence of messages, the schema first.
    Stream,
    /// `.parquet`: magic, column chunks of pages, footer.
    Parquet,
}

/// Which format `bytes` are in, or why they are not a table file at all.
pub fn sniff(bytes: &[u8]) -> Result<Format, LoadError> {
    if bytes.is_empty() {
        return Err(LoadError::Empty);
    }
    if bytes.starts_with(MAGIC) {
        return Ok(Format::File);
    }
    if parquet::is_parquet(bytes) {
        return Ok(Format::Parquet);
    }
    if bytes.starts_with(&CONTINUATION) {
        return Ok(Format::Stream);
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if text.trim_ascii_start().starts_with(b"<") {
        return Err(LoadError::Html);
    }
    // Streams written before the continuation marker start with a small
    // positive metadata length.
    if let Some(len) = read_i32(bytes, 0).and_then(|l| usize::try_from(l).ok())
        && len > 0
        && let Some(metadata) = bytes.get(4..4 + len)
        && root_message(metadata).is_ok()
    {
        return Ok(Format::Stream);
    }
    let start: String = String::from_utf8_lossy(&bytes[..bytes.len().min(8)]).into_owned();
    Err(LoadError::NotArrow {
        start: format!("{start:?}"),
    })
}

/// What kind of file the visitor opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Arrow,
    Parquet,
    Csv,
}

/// Tells a visitor's file apart by its name and, failing that, its first
/// bytes: `.csv`, `.tsv` and `.txt` are CSV, `.arrow`, `.arrows`, `.ipc` and
/// `.feather` are Arrow, `.parquet` and `.pq` Parquet; any other name is
/// what its bytes say. Arrow and Parquet files both go to [`decode`], which
/// tells them apart by their bytes again.
pub fn detect(name: &str, bytes: &[u8]) -> FileKind {
    let lower = name.to_lowercase();
    let named = |extensions: &[&str]| extensions.iter().any(|e| lower.ends_with(e));
    if named(&[".csv", ".tsv", ".txt"]) {
        FileKind::Csv
    } else if named(&[".arrow", ".arrows", ".ipc", ".feather"]) {
        FileKind::Arrow
    } else if named(&[".parquet", ".pq"]) {
        FileKind::Parquet
    } else {
        match sniff(bytes) {
            Err(LoadError::NotArrow { .. }) => FileKind::Csv,
            Ok(Format::Parquet) => FileKind::Parquet,
            _ => FileKind::Arrow,
        }
    }
}

/// Decodes an Arrow IPC file or stream, or a Parquet file, checking it
/// first (see the module documentation). Never panics, whatever the bytes.
pub fn decode(bytes: Vec<u8>, limits: &Limits) -> Result<Table, LoadError> {
    decode_columns(bytes, limits, None)
}

/// [`decode`], and of a Parquet file only the `columns` named (the pages of
/// the others are neither checked nor decoded); all of an Arrow file, whose
/// columns cost nothing to keep.
pub fn decode_columns(
    bytes: Vec<u8>,
    limits: &Limits,
    columns: Option<&BTreeSet<String>>,
) -> Result<Table, LoadError> {
    let format = sniff(&bytes)?;
    if format == Format::Parquet {
        // In the browser, Parquet is read by a worker of its own (see
        // `parquet_to_ipc`), so the compute worker's module stays small.
        #[cfg(target_arch = "wasm32")]
        return {
            let _ = columns;
            Err(LoadError::ParquetElsewhere)
        };
        #[cfg(not(target_arch = "wasm32"))]
        return normalize(
            parquet::decode(
                bytes.into(),
                limits,
                parquet::Part {
                    columns,
                    head: None,
                },
            )?
            .0,
        );
    }
    let buffer = Buffer::from_vec(bytes);
    let mut decoder = Decoder {
        bytes: &buffer,
        limits,
        decoded_bytes: 0,
        rows: 0,
        dictionaries: HashMap::new(),
        batches: Vec::new(),
    };
    let schema = match format {
        Format::File => decoder.file()?,
        _ => decoder.stream()?,
    };
    normalize(Table {
        schema,
        batches: decoder.batches,
    })
}

/// Whether `bytes` are a Parquet file's (by its first bytes).
pub fn is_parquet(bytes: &[u8]) -> bool {
    parquet::is_parquet(bytes)
}

struct Decoder<'a> {
    bytes: &'a Buffer,
    limits: &'a Limits,
    decoded_bytes: u64,
    rows: u64,
    dictionaries: HashMap<i64, ArrayRef>,
    batches: Vec<RecordBatch>,
}

/// One message: its flatbuffer and where its body is in the file.
struct Located<'a> {
    message: arrow_ipc::Message<'a>,
    body_start: usize,
    body_len: usize,
}

impl<'a> Decoder<'a> {
    fn file(&mut self) -> Result<SchemaRef, LoadError> {
        let bytes: &'a [u8] = self.bytes.as_slice();
        let size = bytes.len();
        // magic (6) + padding (2) ... footer, footer length (4), magic (6)
        if size < 6 + 2 + 4 + 6 {
            return Err(truncated("it ends before its footer"));
        }
        if &bytes[size - 6..] != MAGIC {
            return Err(truncated("the end-of-file marker is missing"));
        }
        let footer_len = read_i32(bytes, size - 10).unwrap_or(-1);
        let footer_end = size - 10;
        let footer_start = usize::try_from(footer_len)
            .ok()
            .and_then(|len| footer_end.checked_sub(len))
            .filter(|start| *start >= 8)
            .ok_or_else(|| {
                corrupt(format!(
                    "the footer length {footer_len} does not fit the file"
                ))
            })?;
        let footer = arrow_ipc::root_as_footer(&bytes[footer_start..footer_end])
            .map_err(|e| corrupt(format!("the footer cannot be read ({e})")))?;
        let schema = footer
            .schema()
            .ok_or_else(|| corrupt("the footer has no schema".into()))?;
        let schema = self.schema(
            arrow_ipc::convert::try_fb_to_schema(schema)
                .map_err(|e| corrupt(format!("the schema cannot be read ({e})")))?,
        )?;
        let version = footer.version();
        let dictionaries: Vec<arrow_ipc::Block> = footer
            .dictionaries()
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        let record_batches: Vec<arrow_ipc::Block> = footer
            .recordBatches()
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        for block in dictionaries {
            let located = self.block(&block, footer_start)?;
            self.dictionary(&located, &schema, version)?;
        }
        for block in record_batches {
            let located = self.block(&block, footer_start)?;
            self.record_batch(&located, &schema, version)?;
        }
        Ok(schema)
    }

    /// The message a footer block points at, checked against the file.
    fn block(&self, block: &arrow_ipc::Block, end: usize) -> Result<Located<'a>, LoadError> {
        let bytes: &'a [u8] = self.bytes.as_slice();
        let (offset, meta_len, body_len) =
            (block.offset(), block.metaDataLength(), block.bodyLength());
        let bad = || {
            corrupt(format!(
                "a block (offset {offset}, metadata {meta_len}, body {body_len}) lies outside the file"
            ))
        };
        let offset = usize::try_from(offset).map_err(|_| bad())?;
        let meta_len = usize::try_from(meta_len).map_err(|_| bad())?;
        let body_len = usize::try_from(body_len).map_err(|_| bad())?;
        let body_start = offset.checked_add(meta_len).ok_or_else(bad)?;
        let body_end = body_start.checked_add(body_len).ok_or_else(bad)?;
        if offset < 8 || body_end > end {
            return Err(bad());
        }
        let (message, _) = self
            .message_at(&bytes[offset..body_start])?
            .ok_or_else(bad)?;
        if usize::try_from(message.bodyLength()).map_or(true, |len| len > body_len) {
            return Err(bad());
        }
        Ok(Located {
            message,
            body_start,
            body_len,
        })
    }

    /// Parses the encapsulated message at the start of `bytes`: returns it
    /// with the length of its prefix and metadata, or `None` at an
    /// end-of-stream marker.
    fn message_at(
        &self,
        bytes: &'a [u8],
    ) -> Result<Option<(arrow_ipc::Message<'a>, usize)>, LoadError> {
        let (prefix, len): (usize, _) = if bytes.starts_with(&CONTINUATION) {
            (8, read_i32(bytes, 4))
        } else {
            (4, read_i32(bytes, 0))
        };
        let len = len.ok_or_else(|| truncated("a message header is cut off"))?;
        if len == 0 {
            return Ok(None);
        }
        let len = usize::try_from(len)
            .map_err(|_| corrupt(format!("a message declares length {len}")))?;
        let end = prefix
            .checked_add(len)
            .filter(|end| *end <= bytes.len())
            .ok_or_else(|| truncated("a message is cut off"))?;
        let message = root_message(&bytes[prefix..end])?;
        Ok(Some((message, end)))
    }

    fn stream(&mut self) -> Result<SchemaRef, LoadError> {
        let bytes: &'a [u8] = self.bytes.as_slice();
        let mut at = 0;
        let mut schema: Option<SchemaRef> = None;
        while at < bytes.len() {
            let Some((message, meta_len)) = self.message_at(&bytes[at..])? else {
                break;
            };
            let body_start = at + meta_len;
            let body_len = usize::try_from(message.bodyLength()).map_err(|_| {
                corrupt(format!(
                    "a message declares a body of {} bytes",
                    message.bodyLength()
                ))
            })?;
            let body_end = body_start
                .checked_add(body_len)
                .filter(|end| *end <= bytes.len())
                .ok_or_else(|| truncated("a message's body is cut off"))?;
            let version = message.version();
            let located = Located {
                message,
                body_start,
                body_len,
            };
            match (located.message.header_type(), &schema) {
                (MessageHeader::Schema, None) => {
                    let fb = located
                        .message
                        .header_as_schema()
                        .ok_or_else(|| corrupt("the schema message is empty".into()))?;
                    let parsed = arrow_ipc::convert::try_fb_to_schema(fb)
                        .map_err(|e| corrupt(format!("the schema cannot be read ({e})")))?;
                    schema = Some(self.schema(parsed)?);
                }
                (MessageHeader::Schema, Some(_)) => {
                    return Err(corrupt("the schema appears twice".into()));
                }
                (_, None) => return Err(corrupt("the stream does not start with a schema".into())),
                (MessageHeader::DictionaryBatch, Some(s)) => {
                    let s = s.clone();
                    self.dictionary(&located, &s, version)?;
                }
                (MessageHeader::RecordBatch, Some(s)) => {
                    let s = s.clone();
                    self.record_batch(&located, &s, version)?;
                }
                (other, Some(_)) => return Err(corrupt(format!("unexpected message {other:?}"))),
            }
            at = body_end;
        }
        schema.ok_or_else(|| truncated("the stream has no schema"))
    }

    /// Checks the schema against the types the lab reads.
    fn schema(&self, schema: Schema) -> Result<SchemaRef, LoadError> {
        if schema.fields().len() > self.limits.max_columns {
            return Err(LoadError::TooLarge {
                what: "columns",
                size: schema.fields().len() as u64,
                limit: self.limits.max_columns as u64,
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
        Ok(Arc::new(schema))
    }

    /// Checks a record batch header (in a record batch or dictionary
    /// message) against its body and the limits. `layouts` are the buffer
    /// layouts the batch may have (see [`layout`]): one for a record batch,
    /// one per dictionary value type for a dictionary.
    fn check_batch(
        &mut self,
        batch: &arrow_ipc::RecordBatch,
        located: &Located,
        layouts: &[Vec<u64>],
    ) -> Result<(), LoadError> {
        let body =
            &self.bytes.as_slice()[located.body_start..located.body_start + located.body_len];
        let rows = u64::try_from(batch.length())
            .map_err(|_| corrupt(format!("a batch has {} rows", batch.length())))?;
        self.rows = self.rows.saturating_add(rows);
        if self.rows > self.limits.max_rows {
            return Err(LoadError::TooLarge {
                what: "rows",
                size: self.rows,
                limit: self.limits.max_rows,
            });
        }
        for node in batch.nodes().iter().flatten() {
            if node.length() < 0 || node.null_count() < 0 || node.null_count() > node.length() {
                return Err(corrupt(
                    "a column declares an impossible length or null count".into(),
                ));
            }
            if node.length() as u64 > self.limits.max_rows {
                return Err(LoadError::TooLarge {
                    what: "rows in a column",
                    size: node.length() as u64,
                    limit: self.limits.max_rows,
                });
            }
        }
        let codec = match batch.compression() {
            None => None,
            Some(c) if c.codec() == CompressionType::LZ4_FRAME => Some(LZ4_MAX_RATIO),
            Some(c) if c.codec() == CompressionType::ZSTD => Some(ZSTD_MAX_RATIO),
            Some(c) => {
                return Err(LoadError::UnsupportedCompression {
                    codec: format!("{:?}", c.codec()).to_lowercase(),
                });
            }
        };
        let mut decoded: u64 = 0;
        let mut sizes = Vec::new();
        for buffer in batch.buffers().iter().flatten() {
            let (offset, length) = (buffer.offset(), buffer.length());
            let range = usize::try_from(offset)
                .ok()
                .zip(usize::try_from(length).ok())
                .and_then(|(o, l)| Some(o..o.checked_add(l)?))
                .filter(|r| r.end <= body.len())
                .ok_or_else(|| {
                    corrupt(format!(
                        "a buffer (offset {offset}, length {length}) lies outside its message"
                    ))
                })?;
            let size = match codec {
                Some(max_ratio) if !range.is_empty() => {
                    let declared = read_i64(body, range.start)
                        .filter(|_| range.len() >= 8)
                        .ok_or_else(|| corrupt("a compressed buffer is too short".into()))?;
                    let stored = range.len() as u64 - 8;
                    match declared {
                        -1 => stored,
                        // A codec compresses at most so much; more is a lie
                        // that would make the decoder allocate for nothing.
                        n if n >= 0 && n as u64 <= stored.saturating_mul(max_ratio) + 64 => {
                            n as u64
                        }
                        n => {
                            return Err(corrupt(format!(
                                "a compressed buffer of {stored} bytes claims to hold {n}"
                            )));
                        }
                    }
                }
                _ => range.len() as u64,
            };
            decoded = decoded.saturating_add(size);
            sizes.push(size);
        }
        let fits = |layout: &Vec<u64>| {
            sizes
                .iter()
                .zip(layout)
                .all(|(size, width)| size % width == 0)
        };
        if !layouts.iter().any(fits) {
            return Err(corrupt(
                "a buffer's length does not fit its column's type".into(),
            ));
        }
        self.decoded_bytes = self.decoded_bytes.saturating_add(decoded);
        if self.decoded_bytes > self.limits.max_decoded_bytes {
            return Err(LoadError::TooLarge {
                what: "bytes of decoded data",
                size: self.decoded_bytes,
                limit: self.limits.max_decoded_bytes,
            });
        }
        Ok(())
    }

    fn body_bytes(&self, located: &Located) -> &'a [u8] {
        let bytes: &'a [u8] = self.bytes.as_slice();
        &bytes[located.body_start..located.body_start + located.body_len]
    }

    fn body(&self, located: &Located) -> Buffer {
        self.bytes
            .slice_with_length(located.body_start, located.body_len)
    }

    fn record_batch(
        &mut self,
        located: &Located,
        schema: &SchemaRef,
        version: MetadataVersion,
    ) -> Result<(), LoadError> {
        let batch = located
            .message
            .header_as_record_batch()
            .ok_or_else(|| corrupt("a block does not hold a record batch".into()))?;
        let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
        let layout = batch_layout(&types, &variadic_counts(&batch));
        self.check_batch(&batch, located, &[layout])?;
        let decoded = if is_zstd(&batch) {
            let (header, body) = inflate_zstd(&batch, self.body_bytes(located), None)?;
            let batch = flatbuffers::root::<arrow_ipc::RecordBatch>(&header)
                .map_err(|e| corrupt(format!("a batch cannot be rewritten ({e})")))?;
            read_record_batch(
                &body,
                batch,
                schema.clone(),
                &self.dictionaries,
                None,
                &version,
            )
        } else {
            read_record_batch(
                &self.body(located),
                batch,
                schema.clone(),
                &self.dictionaries,
                None,
                &version,
            )
        }
        .map_err(|e| corrupt(e.to_string()))?;
        self.batches.push(decoded);
        Ok(())
    }

    fn dictionary(
        &mut self,
        located: &Located,
        schema: &Schema,
        version: MetadataVersion,
    ) -> Result<(), LoadError> {
        let dictionary = located
            .message
            .header_as_dictionary_batch()
            .ok_or_else(|| corrupt("a block does not hold a dictionary".into()))?;
        let data = dictionary
            .data()
            .ok_or_else(|| corrupt("a dictionary has no data".into()))?;
        let variadic = variadic_counts(&data);
        let layouts: Vec<Vec<u64>> = schema
            .fields()
            .iter()
            .filter_map(|f| match f.data_type() {
                DataType::Dictionary(_, value) => Some(batch_layout(&[value], &variadic)),
                _ => None,
            })
            .collect();
        if layouts.is_empty() {
            return Err(corrupt("a dictionary belongs to no column".into()));
        }
        self.check_batch(&data, located, &layouts)?;
        if is_zstd(&data) {
            let (header, body) = inflate_zstd(
                &data,
                self.body_bytes(located),
                Some((dictionary.id(), dictionary.isDelta())),
            )?;
            let dictionary = flatbuffers::root::<arrow_ipc::DictionaryBatch>(&header)
                .map_err(|e| corrupt(format!("a dictionary cannot be rewritten ({e})")))?;
            self.add_dictionary(&body, dictionary, schema, &version)
        } else {
            self.add_dictionary(&self.body(located), dictionary, schema, &version)
        }
    }

    /// Reads a dictionary's values and keeps them under its id, as
    /// arrow-ipc's `read_dictionary` does; a delta is appended here with
    /// arrow's `MutableArrayData`, as the crate's function appends it with
    /// arrow's `concat`, which brings the concat and interleave kernels of
    /// every Arrow type into the worker (about 850 KB of its wasm).
    fn add_dictionary(
        &mut self,
        body: &Buffer,
        dictionary: arrow_ipc::DictionaryBatch,
        schema: &Schema,
        version: &MetadataVersion,
    ) -> Result<(), LoadError> {
        let id = dictionary.id();
        #[allow(deprecated)] // the ids as arrow-ipc's reader gives them to fields
        let fields = schema.fields_with_dict_id(id);
        let value_type = fields
            .first()
            .and_then(|f| match f.data_type() {
                DataType::Dictionary(_, value) => Some(value.as_ref().clone()),
                _ => None,
            })
            .ok_or_else(|| corrupt(format!("dictionary {id} belongs to no column")))?;
        let data = dictionary
            .data()
            .ok_or_else(|| corrupt("a dictionary has no data".into()))?;
        let values = Arc::new(Schema::new(vec![Field::new("", value_type, true)]));
        let values = read_record_batch(body, data, values, &self.dictionaries, None, version)
            .map_err(|e| corrupt(e.to_string()))?
            .column(0)
            .clone();
        let values = if dictionary.isDelta() {
            let earlier = self.dictionaries.get(&id).ok_or_else(|| {
                corrupt(format!(
                    "dictionary {id} adds to a dictionary not given before"
                ))
            })?;
            batches::appended(&[earlier.clone(), values])?
        } else {
            values
        };
        self.dictionaries.insert(id, values);
        Ok(())
    }
}

fn root_message(bytes: &[u8]) -> Result<arrow_ipc::Message<'_>, LoadError> {
    arrow_ipc::root_as_message(bytes)
        .map_err(|e| corrupt(format!("a message cannot be read ({e})")))
}

fn read_i32(bytes: &[u8], at: usize) -> Option<i32> {
    let slice = bytes.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes(slice.try_into().ok()?))
}

fn read_i64(bytes: &[u8], at: usize) -> Option<i64> {
    let slice = bytes.get(at..at.checked_add(8)?)?;
    Some(i64::from_le_bytes(slice.try_into().ok()?))
}

fn corrupt(what: String) -> LoadError {
    LoadError::Corrupt { what }
}

fn truncated(what: &str) -> LoadError {
    LoadError::Truncated { what: what.into() }
}
