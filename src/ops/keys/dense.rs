//! Dense addressing of integer keys with small ranges: a key's position
//! in a table of all combinations of its columns' values, so matching
//! needs neither a hash nor a comparison (a "perfect hash"); positions
//! computed a column and a run of rows at a time.

use super::{Column, Ints, Keys};

/// Integer keys with small ranges, addressed directly: the position of a
/// key in a dense table of all combinations of its columns' values, so
/// matching needs neither a hash nor a comparison (a "perfect hash").
pub struct Dense {
    /// Per column: the smallest value and the number of values in range.
    ranges: Vec<(i64, u64)>,
    /// The number of combinations.
    pub size: usize,
}

/// The largest dense table, in slots.
const MAX_DENSE: u64 = 1 << 24;

impl Dense {
    /// The position of row `row` of `keys`; `None` for a null or a value
    /// outside the ranges.
    pub fn position(&self, keys: &Keys, row: usize) -> Option<usize> {
        if row >= keys.rows || keys.null_at(row) {
            return None;
        }
        let mut position = 0u64;
        for ((lo, span), column) in self.ranges.iter().zip(&keys.columns) {
            let Column::Int(values, _) = column else {
                return None;
            };
            let offset = values.get(row)?.checked_sub(*lo)?;
            let offset = u64::try_from(offset).ok().filter(|o| o < span)?;
            position = position * span + offset;
        }
        usize::try_from(position).ok()
    }
}

/// The position of a row whose key is null or outside the dense ranges.
pub const NO_POSITION: u32 = u32::MAX;

impl Dense {
    /// Every row's position ([`NO_POSITION`] for a null key or a value out
    /// of range), computed a column at a time in tight loops: the same
    /// positions as [`Dense::position`], without its per-row dispatch.
    pub fn positions(&self, keys: &Keys) -> Vec<u32> {
        self.positions_of(keys, 0..keys.rows)
    }

    /// [`Dense::positions`] of the rows `rows` only (a run that stays in
    /// the processor's cache while it is used).
    pub fn positions_of(&self, keys: &Keys, rows: std::ops::Range<usize>) -> Vec<u32> {
        let rows = rows.start.min(keys.rows)..rows.end.min(keys.rows);
        // Positions are below `size` <= MAX_DENSE < u32::MAX. Each column's
        // loop is branch-free: out-of-range values are noted beside the
        // position (offsets wrap, so a value below the range is one too).
        let mut positions = vec![0u32; rows.len()];
        let mut in_range = vec![true; rows.len()];
        for ((lo, span), column) in self.ranges.iter().zip(&keys.columns) {
            let (lo, span) = (*lo, *span);
            let step = |p: &mut u32, ok: &mut bool, v: i64| {
                let offset = v.wrapping_sub(lo) as u64;
                *ok &= offset < span;
                *p = p.wrapping_mul(span as u32).wrapping_add(offset as u32);
            };
            match column {
                // 32-bit values in 32-bit arithmetic, which vectorises four
                // to a register: with `lo` a 32-bit value and a span below
                // 2^32 (at most MAX_DENSE), a value is in range exactly when
                // its wrapped 32-bit offset is below the span.
                Column::Int(Ints::I32(values), _)
                    if i32::try_from(lo).is_ok() && span <= u64::from(u32::MAX) =>
                {
                    let (lo, span) = (lo as i32 as u32, span as u32);
                    let values = values.get(rows.clone()).unwrap_or_default();
                    for ((p, ok), &v) in positions.iter_mut().zip(&mut in_range).zip(values) {
                        let offset = (v as u32).wrapping_sub(lo);
                        *ok &= offset < span;
                        *p = p.wrapping_mul(span).wrapping_add(offset);
                    }
                }
                Column::Int(Ints::I32(values), _) => {
                    let values = values.get(rows.clone()).unwrap_or_default();
                    for ((p, ok), &v) in positions.iter_mut().zip(&mut in_range).zip(values) {
                        step(p, ok, i64::from(v));
                    }
                }
                Column::Int(Ints::I64(values), _) => {
                    let values = values.get(rows.clone()).unwrap_or_default();
                    for ((p, ok), &v) in positions.iter_mut().zip(&mut in_range).zip(values) {
                        step(p, ok, v);
                    }
                }
                _ => in_range.fill(false),
            }
        }
        for (p, ok) in positions.iter_mut().zip(in_range) {
            *p = if ok { *p } else { NO_POSITION };
        }
        if let Some(nulls) = &keys.nulls {
            for (p, &null) in positions
                .iter_mut()
                .zip(nulls.get(rows).unwrap_or_default())
            {
                if null {
                    *p = NO_POSITION;
                }
            }
        }
        positions
    }
}

impl Keys<'_> {
    /// A dense addressing of these keys when every column is an integer
    /// and the combinations of their ranges number at most `limit` (and
    /// [`MAX_DENSE`]); `None` otherwise.
    pub fn dense(&self, limit: usize) -> Option<Dense> {
        let mut ranges = Vec::new();
        let mut size = 1u64;
        for column in &self.columns {
            let Column::Int(values, nulls) = column else {
                return None;
            };
            let (lo, hi) = values.range(nulls.as_ref());
            let span = if lo > hi {
                1
            } else {
                u64::try_from(i128::from(hi) - i128::from(lo) + 1).ok()?
            };
            size = size.checked_mul(span)?;
            ranges.push((lo.min(hi), span));
        }
        (size <= (limit as u64).min(MAX_DENSE)).then_some(Dense {
            ranges,
            size: size as usize,
        })
    }
}
