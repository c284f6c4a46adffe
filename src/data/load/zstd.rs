//! zstd-compressed batches, decoded in pure Rust.

use arrow::buffer::Buffer;
use arrow_ipc::CompressionType;

use super::{corrupt, read_i64};
use crate::error::LoadError;

pub(super) fn is_zstd(batch: &arrow_ipc::RecordBatch) -> bool {
    batch
        .compression()
        .is_some_and(|c| c.codec() == CompressionType::ZSTD)
}

/// Rewrites a batch whose buffers are zstd frames as an uncompressed one:
/// its header (a flatbuffer whose root is the batch, or the dictionary
/// batch holding it) and its body. arrow-ipc reads zstd only through C
/// code that does not build for the browser; `ruzstd` is pure Rust. Every
/// buffer's range and declared size were checked by `check_batch`, and no
/// frame may inflate past the size it declares.
pub(super) fn inflate_zstd(
    batch: &arrow_ipc::RecordBatch,
    body: &[u8],
    dictionary: Option<(i64, bool)>,
) -> Result<(Vec<u8>, Buffer), LoadError> {
    use std::io::Read;
    let mut out: Vec<u8> = Vec::new();
    let mut buffers = Vec::new();
    for buffer in batch.buffers().iter().flatten() {
        let raw = usize::try_from(buffer.offset())
            .ok()
            .zip(usize::try_from(buffer.length()).ok())
            .and_then(|(o, l)| body.get(o..o.checked_add(l)?))
            .ok_or_else(|| corrupt("a compressed buffer lies outside its message".into()))?;
        let start = out.len();
        if !raw.is_empty() {
            let declared = read_i64(raw, 0)
                .ok_or_else(|| corrupt("a compressed buffer is too short".into()))?;
            let frame = &raw[8..];
            if declared == -1 {
                out.extend_from_slice(frame);
            } else {
                let expected = u64::try_from(declared).map_err(|_| {
                    corrupt(format!(
                        "a compressed buffer claims to hold {declared} bytes"
                    ))
                })?;
                let mut decoder = ruzstd::decoding::StreamingDecoder::new(frame)
                    .map_err(|e| corrupt(format!("a zstd buffer cannot be read ({e})")))?;
                let read = (&mut decoder)
                    .take(expected.saturating_add(1))
                    .read_to_end(&mut out)
                    .map_err(|e| corrupt(format!("a zstd buffer cannot be read ({e})")))?;
                if read as u64 != expected {
                    return Err(corrupt(format!(
                        "a zstd buffer holds {read} bytes, not the {expected} it declares"
                    )));
                }
            }
        }
        let length = out.len() - start;
        buffers.push(arrow_ipc::Buffer::new(start as i64, length as i64));
        out.resize(out.len().next_multiple_of(8), 0);
    }
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    let nodes: Vec<arrow_ipc::FieldNode> = batch.nodes().iter().flatten().copied().collect();
    let nodes = fbb.create_vector(&nodes);
    let buffers = fbb.create_vector(&buffers);
    let variadic = batch
        .variadicBufferCounts()
        .map(|v| v.iter().collect::<Vec<i64>>());
    let variadic = variadic.map(|v| fbb.create_vector(&v));
    let data = arrow_ipc::RecordBatch::create(
        &mut fbb,
        &arrow_ipc::RecordBatchArgs {
            length: batch.length(),
            nodes: Some(nodes),
            buffers: Some(buffers),
            compression: None,
            variadicBufferCounts: variadic,
        },
    );
    match dictionary {
        None => fbb.finish(data, None),
        Some((id, is_delta)) => {
            let dictionary = arrow_ipc::DictionaryBatch::create(
                &mut fbb,
                &arrow_ipc::DictionaryBatchArgs {
                    id,
                    data: Some(data),
                    isDelta: is_delta,
                },
            );
            fbb.finish(dictionary, None)
        }
    }
    Ok((fbb.finished_data().to_vec(), Buffer::from_vec(out)))
}
