//! zstd pages, inflated by the lab in pure Rust (`ruzstd`). The `parquet`
//! crate's only zstd decoder is C code that does not build for the
//! browser, and polars and DuckDB write zstd. So after the walk has
//! checked a zstd chunk, each of its pages is inflated here and appended
//! to the file's bytes with its header's compressed size rewritten, and
//! the chunk's metadata is pointed at the copy and marked uncompressed.
//! The crate then reads it as any uncompressed chunk. Natively too: the
//! browser and `datalabb run` read zstd by the same path.

use bytes::Bytes;
use parquet::basic::Compression;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData};

use super::pages::{DATA_PAGE_V2, inflate, plain_fits};
use super::{chunk_pages, level_width};
use crate::data::load::corrupt;
use crate::error::LoadError;

/// Whether the lab inflates chunks of `codec` itself.
pub(super) fn inflated_here(codec: Compression) -> bool {
    matches!(codec, Compression::ZSTD(_))
}

/// The file's bytes with the chunks `read` (by row group and leaf index)
/// that the lab inflates appended uncompressed, and the metadata pointing
/// at them. At most `budget` bytes are appended. Every page was checked by
/// the walk; what it declares is checked again here all the same.
pub(super) fn inflate_chunks(
    bytes: Bytes,
    data_end: u64,
    metadata: &ParquetMetaData,
    read: impl Fn(usize, usize) -> bool,
    budget: u64,
) -> Result<(Bytes, ParquetMetaData), LoadError> {
    let mut out = Vec::from(bytes);
    let file_len = out.len();
    let mut builder = metadata.clone().into_builder();
    let mut groups = Vec::new();
    for (at, group) in builder.take_row_groups().into_iter().enumerate() {
        let mut chunks = Vec::with_capacity(group.num_columns());
        for (leaf, chunk) in group.columns().iter().enumerate() {
            chunks.push(if read(at, leaf) && inflated_here(chunk.compression()) {
                inflate_chunk(&mut out, file_len, data_end, chunk, budget)?
            } else {
                chunk.clone()
            });
        }
        let group = group
            .into_builder()
            .set_column_metadata(chunks)
            .build()
            .map_err(|e| corrupt(e.to_string()))?;
        groups.push(group);
    }
    // The page index would point at the pages as they were.
    let metadata = builder.set_row_groups(groups).set_page_index(None).build();
    Ok((Bytes::from(out), metadata))
}

/// Appends `chunk`'s pages to `out`, inflated, and returns its metadata
/// pointing at them.
fn inflate_chunk(
    out: &mut Vec<u8>,
    file_len: usize,
    data_end: u64,
    chunk: &ColumnChunkMetaData,
    budget: u64,
) -> Result<ColumnChunkMetaData, LoadError> {
    let name = chunk.column_path().string();
    let damaged = |what: String| corrupt(format!("a page of column {name:?} {what}"));
    let codec = chunk.compression();
    let width = level_width(chunk);
    // The pages, as the walk found them (in the file's own bytes).
    let pages = chunk_pages(&out[..file_len], data_end, chunk)?;
    let new_start = out.len();
    // No values: an empty chunk (as pyarrow writes for zero rows).
    let mut data_page = pages.is_empty().then_some(new_start);
    for (at, page) in pages {
        let here = out.len();
        if at as i64 == chunk.data_page_offset() {
            data_page = Some(here);
        }
        let header_end = at + page.header_len as usize;
        let body = header_end..header_end + page.compressed as usize;
        let size =
            usize::try_from(page.uncompressed).map_err(|_| damaged("is too large".into()))?;
        // A version 2 page keeps its levels uncompressed before its values,
        // and says whether the values are compressed; a page that declares
        // no bytes (beside its levels) holds none, whatever its frame.
        let v2 = page.kind == DATA_PAGE_V2;
        let kept = if v2 {
            usize::try_from(page.levels())
                .ok()
                .filter(|l| *l <= size && *l <= body.len())
                .ok_or_else(|| damaged("has levels longer than itself".into()))?
        } else {
            0
        };
        let values = if v2 && page.values_compressed == Some(false) {
            None
        } else if size == kept {
            Some(Vec::new())
        } else {
            let stored = &out[body.start + kept..body.end];
            let values = inflate(codec, stored, size - kept)
                .filter(|v| v.len() == size - kept)
                .ok_or_else(|| damaged(format!("does not inflate to its {size} bytes")))?;
            Some(values)
        };
        // A data page's levels and codes, which the walk left to be
        // checked here, once inflated.
        if page.data {
            let levels = &out[body.start..body.start + kept];
            let plain = values
                .as_deref()
                .unwrap_or(&out[body.start + kept..body.end]);
            plain_fits(&page, levels, plain, width).map_err(|what| damaged(what.into()))?;
        }
        let stored_len = match &values {
            Some(values) => kept + values.len(),
            None => body.len(),
        };
        let appended = (out.len() - file_len) as u64 + page.header_len + 5 + stored_len as u64;
        if appended > budget {
            return Err(LoadError::TooLarge {
                what: "inflated pages",
                size: appended,
                limit: budget,
            });
        }
        // The header as it was, with the stored size in place of the
        // compressed one.
        let field = page.compressed_field.clone();
        out.extend_from_within(at..at + field.start);
        write_i32(out, stored_len);
        out.extend_from_within(at + field.end..header_end);
        match values {
            Some(values) => {
                out.extend_from_within(body.start..body.start + kept);
                out.extend_from_slice(&values);
            }
            None => out.extend_from_within(body),
        }
    }
    let data_page = data_page.ok_or_else(|| {
        corrupt(format!(
            "column {name:?}'s first data page is not where its metadata says"
        ))
    })?;
    let offset = |at: usize| i64::try_from(at).map_err(|_| damaged("is too large".into()));
    chunk
        .clone()
        .into_builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_total_compressed_size(offset(out.len() - new_start)?)
        .set_data_page_offset(offset(data_page)?)
        .set_dictionary_page_offset(match chunk.dictionary_page_offset() {
            Some(_) => Some(offset(new_start)?),
            None => None,
        })
        .set_offset_index_offset(None)
        .set_offset_index_length(None)
        .set_column_index_offset(None)
        .set_column_index_length(None)
        .build()
        .map_err(|e| corrupt(e.to_string()))
}

/// Writes `n` as Thrift's compact protocol writes an i32: zigzag, then
/// seven bits a byte.
fn write_i32(out: &mut Vec<u8>, n: usize) {
    let n = n as u64;
    let mut v = n << 1; // zigzag of a non-negative number
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::super::pages::header;
    use super::*;

    #[test]
    fn a_size_is_written_as_the_header_reader_reads_it() {
        for n in [
            0usize,
            1,
            63,
            64,
            100,
            8191,
            8192,
            1 << 20,
            i32::MAX as usize,
        ] {
            // A header: type 0, uncompressed n, compressed n, data page
            // header with one value.
            let mut bytes = vec![0x15, 0x00, 0x15];
            write_i32(&mut bytes, n);
            bytes.push(0x15);
            let from = bytes.len();
            write_i32(&mut bytes, n);
            let to = bytes.len();
            bytes.extend([0x2c, 0x15, 0x02, 0x00, 0x00]);
            let read = header(&bytes).map(|page| {
                let sizes = (page.uncompressed, page.compressed);
                (sizes, page.compressed_field, page.header_len as usize)
            });
            assert_eq!(read, Some(((n as u64, n as u64), from..to, bytes.len())));
        }
    }
}
