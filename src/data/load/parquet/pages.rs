//! A page header in Thrift's compact protocol (the fields the walk needs),
//! and the checks of what the reader trusts inside a page: its definition
//! levels' runs and its dictionary codes' run headers, read from the page
//! (decompressed as the reader would).

use parquet::basic::Compression;

/// Page types and encodings, as Parquet's format numbers them.
pub(super) const DATA_PAGE_V2: i32 = 3;
pub(super) const DICTIONARY_PAGE: i32 = 2;
const PLAIN_DICTIONARY: i32 = 2;
pub(super) const RLE: i32 = 3;
pub(super) const BIT_PACKED: i32 = 4;
const RLE_DICTIONARY: i32 = 8;

/// What the walk needs of a page header.
#[derive(Debug, Default, PartialEq)]
pub(super) struct PageHeader {
    pub header_len: u64,
    pub kind: i32,
    pub uncompressed: u64,
    pub compressed: u64,
    /// Whether the page holds values (a data page, either version).
    pub data: bool,
    pub values: u64,
    /// Whether its values are codes into the chunk's dictionary.
    pub dictionary_codes: bool,
    /// A version 1 page's definition level encoding.
    pub level_encoding: Option<i32>,
    /// A version 2 page's repetition and definition levels' lengths (stored
    /// uncompressed before its values).
    pub repetition_len: u64,
    pub definition_len: u64,
    /// Where the compressed size's value lies in the header (to rewrite
    /// it when the page is stored inflated).
    pub compressed_field: std::ops::Range<usize>,
    /// A version 2 page's flag: whether its values are compressed (they
    /// are when the flag is missing).
    pub values_compressed: Option<bool>,
    /// A dictionary page's count of values.
    pub dictionary_values: Option<u64>,
}

impl PageHeader {
    /// All of a version 2 page's levels.
    pub(super) fn levels(&self) -> u64 {
        self.repetition_len.saturating_add(self.definition_len)
    }
}

/// Whether what the reader trusts inside a data page fits it (see
/// [`plain_fits`]); the page as stored, decompressed here as the reader
/// would when a check needs it.
pub(super) fn page_fits(
    page: &PageHeader,
    stored: &[u8],
    codec: Compression,
    width: u32,
) -> Result<(), &'static str> {
    let plain = |stored: &[u8], size: u64| -> Result<Option<Vec<u8>>, &'static str> {
        if codec == Compression::UNCOMPRESSED {
            return Ok(None);
        }
        inflate(codec, stored, size as usize)
            .map(Some)
            .ok_or("does not decompress")
    };
    if page.kind == DATA_PAGE_V2 {
        let split = usize::try_from(page.levels()).map_or(stored.len(), |l| l.min(stored.len()));
        let (levels, values) = stored.split_at(split);
        // Only the codes are read from the values.
        let inflated = if page.dictionary_codes && page.values_compressed != Some(false) {
            plain(values, page.uncompressed.saturating_sub(page.levels()))?
        } else {
            None
        };
        return plain_fits(page, levels, inflated.as_deref().unwrap_or(values), width);
    }
    let levels_read = width > 0 && page.level_encoding != Some(BIT_PACKED);
    if !levels_read && !page.dictionary_codes {
        return Ok(());
    }
    let inflated = plain(stored, page.uncompressed)?;
    plain_fits(page, &[], inflated.as_deref().unwrap_or(stored), width)
}

/// Whether what the reader trusts inside a data page, uncompressed, fits
/// it: every run of its definition levels (an RLE / bit-packed hybrid of
/// `width` bits) that its values need, and every run header of its
/// dictionary codes. The reader's level decoder panics on a run that
/// overruns the page, and its run decoder on a run header longer than ten
/// bytes. A version 2 page's `levels` are those stored before its values;
/// a version 1 page has them at the start of `values`, its whole body.
pub(super) fn plain_fits(
    page: &PageHeader,
    levels: &[u8],
    values: &[u8],
    width: u32,
) -> Result<(), &'static str> {
    const OVERRUN: &str = "has definition levels that overrun it";
    let count = page.values;
    let codes = if page.kind == DATA_PAGE_V2 {
        let start = page.repetition_len as usize;
        let fit = levels
            .get(start..start.saturating_add(page.definition_len as usize))
            .is_some_and(|levels| width == 0 || runs_fit(levels, width, count));
        if !fit {
            return Err(OVERRUN);
        }
        values
    } else if width == 0 {
        values
    } else if page.level_encoding == Some(BIT_PACKED) {
        // Plain bits, read from the data and never past it.
        let bits = count.saturating_mul(u64::from(width)).div_ceil(8);
        values
            .get(usize::try_from(bits).unwrap_or(usize::MAX)..)
            .unwrap_or(&[])
    } else {
        // A four-byte length, then the runs.
        let len = values
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or(OVERRUN)?;
        let end = 4usize.saturating_add(len);
        let fit = values
            .get(4..end)
            .is_some_and(|levels| runs_fit(levels, width, count));
        if !fit {
            return Err(OVERRUN);
        }
        &values[end..]
    };
    if page.dictionary_codes && !code_headers_fit(codes, count) {
        return Err("has a run header of dictionary codes longer than ten bytes");
    }
    Ok(())
}

/// Whether the run headers of at most `count` dictionary codes (a byte of
/// bit width, then an RLE / bit-packed hybrid) that the reader may read
/// are each at most ten bytes: its run decoder panics at the eleventh.
/// Where the codes end early the reader stops with an error of its own.
fn code_headers_fit(codes: &[u8], count: u64) -> bool {
    let Some((&width, runs)) = codes.split_first() else {
        return true;
    };
    let mut at = 0usize;
    let mut seen = 0u64;
    while seen < count && at < runs.len() {
        let mut r = Compact { bytes: runs, at };
        let Some(header) = r.varint() else {
            // Not ended in ten bytes: the reader panics where an eleventh
            // follows, and stops by itself where the codes end.
            return runs.len() - at <= 10;
        };
        let (codes, len) = run(header, u32::from(width));
        seen = seen.saturating_add(codes);
        at = usize::try_from(len)
            .ok()
            .and_then(|len| r.at.checked_add(len))
            .unwrap_or(usize::MAX);
    }
    true
}

/// A run of an RLE / bit-packed hybrid of `width` bits, from its header:
/// how many values it holds and how many bytes follow the header.
fn run(header: u64, width: u32) -> (u64, u64) {
    let run = header >> 1;
    if header & 1 == 1 {
        // Bit-packed: groups of eight values, `width` bytes a group.
        (run.saturating_mul(8), run.saturating_mul(u64::from(width)))
    } else {
        // Repeated: one value, in whole bytes.
        (run, u64::from(width.div_ceil(8)))
    }
}

/// Whether the runs that make `count` levels of `width` bits lie in `data`.
fn runs_fit(data: &[u8], width: u32, count: u64) -> bool {
    let mut r = Compact { bytes: data, at: 0 };
    let mut seen = 0u64;
    while seen < count {
        let Some(header) = r.varint() else {
            return false;
        };
        let (levels, len) = run(header, width);
        if usize::try_from(len).map_or(true, |len| r.advance(len).is_none()) {
            return false;
        }
        seen = seen.saturating_add(levels);
    }
    true
}

/// A compressed page's bytes, at most `size` of them, as the reader would
/// decompress them; `None` when they cannot be.
pub(super) fn inflate(codec: Compression, stored: &[u8], size: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    match codec {
        Compression::SNAPPY => {
            if snap::raw::decompress_len(stored).ok()? > size {
                return None;
            }
            out = snap::raw::Decoder::new().decompress_vec(stored).ok()?;
        }
        Compression::GZIP(_) => {
            flate2::read::MultiGzDecoder::new(stored)
                .take(size as u64)
                .read_to_end(&mut out)
                .ok()?;
        }
        Compression::LZ4_RAW => out = lz4_flex::block::decompress(stored, size).ok()?,
        Compression::LZ4 => out = hadoop_lz4(stored, size)?,
        Compression::ZSTD(_) => {
            // Into a buffer of the declared size: a frame that inflates
            // past it is an error.
            out = vec![0; size];
            let written = ruzstd::decoding::FrameDecoder::new()
                .decode_all(stored, &mut out)
                .ok()?;
            out.truncate(written);
        }
        #[cfg(not(target_arch = "wasm32"))]
        Compression::BROTLI(_) => {
            brotli::Decompressor::new(stored, 4096)
                .take(size as u64)
                .read_to_end(&mut out)
                .ok()?;
        }
        _ => return None,
    }
    Some(out)
}

/// LZ4 as Hadoop frames it (blocks, each after its sizes, big-endian), or
/// failing that a plain LZ4 frame or block, as the reader tries them.
fn hadoop_lz4(stored: &[u8], size: usize) -> Option<Vec<u8>> {
    let framed = || {
        let mut out = Vec::new();
        let mut rest = stored;
        while !rest.is_empty() {
            let sizes = rest.get(..8)?;
            let expected = u32::from_be_bytes(sizes[..4].try_into().ok()?) as usize;
            let len = u32::from_be_bytes(sizes[4..].try_into().ok()?) as usize;
            let block = rest.get(8..8usize.checked_add(len)?)?;
            if out.len().checked_add(expected)? > size {
                return None;
            }
            out.extend(lz4_flex::block::decompress(block, expected).ok()?);
            rest = &rest[8 + len..];
        }
        Some(out)
    };
    framed()
        .or_else(|| {
            use std::io::Read;
            let mut out = Vec::new();
            lz4_flex::frame::FrameDecoder::new(stored)
                .take(size as u64)
                .read_to_end(&mut out)
                .ok()?;
            Some(out)
        })
        .or_else(|| lz4_flex::block::decompress(stored, size).ok())
}

/// Reads a page header in Thrift's compact protocol (the fields the walk
/// needs; others skipped), or `None` if it is damaged.
pub(super) fn header(bytes: &[u8]) -> Option<PageHeader> {
    let mut r = Compact { bytes, at: 0 };
    let mut page = PageHeader::default();
    let mut id = 0i16;
    let (mut kind, mut uncompressed, mut compressed) = (None, None, None);
    while let Some((field, t)) = r.field(&mut id)? {
        match (field, t) {
            (1, 5) => kind = Some(r.i32()?),
            (5, 12) => r.data_page_v1(&mut page)?,
            (7, 12) => page.dictionary_values = Some(r.dictionary_page()?),
            (8, 12) => r.data_page_v2(&mut page)?,
            (2, 5) => uncompressed = Some(u64::try_from(r.i32()?).ok()?),
            (3, 5) => {
                let from = r.at;
                compressed = Some(u64::try_from(r.i32()?).ok()?);
                page.compressed_field = from..r.at;
            }
            _ => r.skip(t, 0)?,
        }
    }
    page.header_len = r.at as u64;
    page.uncompressed = uncompressed?;
    page.compressed = compressed?;
    page.kind = kind?;
    page.data = matches!(page.kind, 0 | DATA_PAGE_V2);
    Some(page)
}

/// A cursor over Thrift compact protocol bytes.
struct Compact<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Nested structures deeper than this are taken as damage.
const MAX_DEPTH: usize = 16;

impl Compact<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self) -> Option<i32> {
        i32::try_from(self.zigzag()?).ok()
    }

    /// The next field's id and type, or `None` (inside `Some`) at the end
    /// of the structure.
    fn field(&mut self, last: &mut i16) -> Option<Option<(i16, u8)>> {
        let b = self.byte()?;
        if b == 0 {
            return Some(None);
        }
        let (delta, t) = (b >> 4, b & 0x0f);
        *last = if delta == 0 {
            i16::try_from(self.zigzag()?).ok()?
        } else {
            last.checked_add(i16::from(delta))?
        };
        Some(Some((*last, t)))
    }

    fn count(&mut self) -> Option<u64> {
        u64::try_from(self.i32()?).ok()
    }

    /// A version 1 data page's header: its values, their encoding, and
    /// the definition levels' encoding.
    fn data_page_v1(&mut self, page: &mut PageHeader) -> Option<()> {
        let mut id = 0i16;
        while let Some((field, t)) = self.field(&mut id)? {
            match (field, t) {
                (1, 5) => page.values = self.count()?,
                (2, 5) => {
                    page.dictionary_codes = matches!(self.i32()?, PLAIN_DICTIONARY | RLE_DICTIONARY)
                }
                (3, 5) => page.level_encoding = Some(self.i32()?),
                _ => self.skip(t, 1)?,
            }
        }
        Some(())
    }

    /// A version 2 data page's header: its values, their encoding and its
    /// levels' lengths.
    fn data_page_v2(&mut self, page: &mut PageHeader) -> Option<()> {
        let mut id = 0i16;
        while let Some((field, t)) = self.field(&mut id)? {
            match (field, t) {
                (1, 5) => page.values = self.count()?,
                (4, 5) => {
                    page.dictionary_codes = matches!(self.i32()?, PLAIN_DICTIONARY | RLE_DICTIONARY)
                }
                (5, 5) => page.definition_len = self.count()?,
                (6, 5) => page.repetition_len = self.count()?,
                // A boolean field's value is its type: 1 true, 2 false.
                (7, 1 | 2) => page.values_compressed = Some(t == 1),
                _ => self.skip(t, 1)?,
            }
        }
        Some(())
    }

    /// A dictionary page's header: its count of values.
    fn dictionary_page(&mut self) -> Option<u64> {
        let (mut id, mut values) = (0i16, None);
        while let Some((field, t)) = self.field(&mut id)? {
            match (field, t) {
                (1, 5) => values = Some(self.count()?),
                _ => self.skip(t, 1)?,
            }
        }
        values
    }

    /// Skips a value of compact type `t`.
    fn skip(&mut self, t: u8, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match t {
            1 | 2 => {}
            3 => {
                self.byte()?;
            }
            4..=6 => {
                self.varint()?;
            }
            7 => self.advance(8)?,
            8 => {
                let len = usize::try_from(self.varint()?).ok()?;
                self.advance(len)?;
            }
            9 | 10 => {
                let b = self.byte()?;
                let (mut n, element) = (u64::from(b >> 4), b & 0x0f);
                if n == 15 {
                    n = self.varint()?;
                }
                for _ in 0..n {
                    self.list_element(element, depth)?;
                }
            }
            11 => {
                let n = self.varint()?;
                if n > 0 {
                    let types = self.byte()?;
                    for _ in 0..n {
                        self.list_element(types >> 4, depth)?;
                        self.list_element(types & 0x0f, depth)?;
                    }
                }
            }
            12 => {
                let mut id = 0i16;
                while let Some((_, t)) = self.field(&mut id)? {
                    self.skip(t, depth + 1)?;
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// A list's element: booleans take a byte there.
    fn list_element(&mut self, t: u8, depth: usize) -> Option<()> {
        if t == 1 || t == 2 {
            self.byte().map(|_| ())
        } else {
            self.skip(t, depth + 1)
        }
    }

    fn advance(&mut self, n: usize) -> Option<()> {
        let end = self.at.checked_add(n)?;
        (end <= self.bytes.len()).then(|| self.at = end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_header_is_read_and_damage_is_seen() {
        // type 0 (data), uncompressed 100, compressed 40, data page header
        // with 7 values, then stop.
        let bytes = [
            0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0x50, 0x2c, 0x15, 0x0e, 0x00, 0x00,
        ];
        let page = header(&bytes).expect("header");
        assert_eq!(
            page,
            PageHeader {
                header_len: 12,
                uncompressed: 100,
                compressed: 40,
                data: true,
                values: 7,
                compressed_field: 6..7,
                ..PageHeader::default()
            }
        );
        for cut in 0..bytes.len() {
            assert_eq!(header(&bytes[..cut]), None, "cut at {cut}");
        }
        // A negative size, and structures nested past the depth limit.
        assert_eq!(header(&[0x15, 0x00, 0x15, 0x01, 0x15, 0x50, 0x00]), None);
        let mut deep = vec![0x15, 0x00, 0x15, 0x02, 0x15, 0x02, 0x5c];
        deep.extend(std::iter::repeat_n(0x1c, 100));
        assert_eq!(header(&deep), None);
    }

    #[test]
    fn level_runs_must_lie_in_the_page() {
        // An RLE run of 5 ones (header 10, value 1), then a bit-packed run
        // of one group (header 3, one byte): 13 levels of one bit.
        assert!(runs_fit(&[10, 1, 3, 0xff], 1, 13));
        assert!(!runs_fit(&[10, 1, 3], 1, 13));
        // A bit-packed run of 100 groups in two bytes.
        assert!(!runs_fit(&[0xc9, 0x01, 0xff, 0xff], 1, 10));
        assert!(!runs_fit(&[], 1, 1));
        assert!(runs_fit(&[], 1, 0));
    }

    #[test]
    fn dictionary_code_run_headers_are_at_most_ten_bytes() {
        // Width 2; an RLE run of 3 codes (header 6, one byte of value),
        // then a bit-packed run of one group (header 3, two bytes).
        assert!(code_headers_fit(&[2, 6, 1, 3, 0xe4, 0xe4], 11));
        // Ten bytes of header: the reader reads it (and finds no values).
        let mut ten = vec![2];
        ten.extend([0xff; 9]);
        ten.push(0x01);
        assert!(code_headers_fit(&ten, 5));
        // Ten bytes that all go on, with an eleventh: the reader panics.
        let mut eleven = vec![2];
        eleven.extend([0x80; 11]);
        assert!(!code_headers_fit(&eleven, 5));
        // ... and also where it is not the first run.
        let mut later = vec![2, 6, 1];
        later.extend([0x80; 12]);
        assert!(!code_headers_fit(&later, 5));
        // ... but not once the page's values are all read, nor where the
        // codes end before an eleventh byte.
        assert!(code_headers_fit(&later, 3));
        assert!(code_headers_fit(&later[..12], 5));
        assert!(code_headers_fit(&[], 5));
        assert!(code_headers_fit(&[2], 5));
    }

    #[test]
    fn a_version_1_page_has_its_codes_after_its_levels() {
        let page = PageHeader {
            data: true,
            values: 4,
            dictionary_codes: true,
            level_encoding: Some(RLE),
            ..PageHeader::default()
        };
        // Levels: four bytes of length 2, an RLE run of 4 ones; then the
        // codes: width 1, and a header that never ends.
        let mut body = vec![2, 0, 0, 0, 8, 1, 1];
        body.extend([0x80; 11]);
        assert!(plain_fits(&page, &[], &body, 1).is_err());
        // Codes that end with the levels: the reader stops by itself.
        assert!(plain_fits(&page, &[], &body[..7], 1).is_ok());
        let no_codes = PageHeader {
            dictionary_codes: false,
            ..page
        };
        assert!(plain_fits(&no_codes, &[], &body, 1).is_ok());
        // Levels whose length runs past the page.
        assert_eq!(
            plain_fits(&no_codes, &[], &[200, 0, 0, 0, 8, 1], 1),
            Err("has definition levels that overrun it")
        );
    }
}
