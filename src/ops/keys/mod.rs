//! Row keys for joins and group-by: one or several columns read once into
//! a typed form, hashed per row and compared between rows, without
//! building a value per row. Integers (and dates) compare as integers,
//! floats by their bits, text as text after an optional normalisation, and
//! a text key against an integer key as text. Small ranges of integers
//! are addressed directly ([`dense`]).

use std::cell::OnceCell;

use arrow::array::{Array, ArrayRef};
use arrow::buffer::{NullBuffer, ScalarBuffer};
use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

use crate::data::values::{Texts, formatter, numbers, texts};

mod dense;
pub use dense::{Dense, NO_POSITION};

/// How text keys are made comparable before matching.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalize {
    /// Exactly as written.
    #[default]
    Exact,
    /// Without leading and trailing spaces.
    Trim,
    /// Trimmed and lowercase.
    Case,
    /// Only the digits: `202100-4284` matches `2021004284`.
    Digits,
}

impl Normalize {
    pub const ALL: [Normalize; 4] = [
        Normalize::Exact,
        Normalize::Trim,
        Normalize::Case,
        Normalize::Digits,
    ];

    fn apply(self, text: &str) -> String {
        match self {
            Normalize::Exact => text.to_string(),
            Normalize::Trim => text.trim().to_string(),
            Normalize::Case => text.trim().to_lowercase(),
            Normalize::Digits => text.chars().filter(char::is_ascii_digit).collect(),
        }
    }
}

/// How a key column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Int,
    Float,
    Text,
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer() || matches!(t, DataType::Date32 | DataType::Date64)
}

fn mode(types: &[&DataType], normalize: Normalize) -> Mode {
    if types.iter().all(|t| is_integer(t)) {
        Mode::Int
    } else if types.iter().all(|t| t.is_numeric()) && normalize == Normalize::Exact {
        Mode::Float
    } else {
        Mode::Text
    }
}

/// Integer key values: 32-bit columns (years, regions, dates) read in
/// place, others widened once.
enum Ints {
    I32(ScalarBuffer<i32>),
    I64(Vec<i64>),
}

impl Ints {
    #[inline]
    fn get(&self, row: usize) -> Option<i64> {
        match self {
            Ints::I32(v) => v.get(row).map(|&x| i64::from(x)),
            Ints::I64(v) => v.get(row).copied(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Ints::I32(v) => v.len(),
            Ints::I64(v) => v.len(),
        }
    }

    /// The smallest and largest valid value (`(i64::MAX, i64::MIN)` when
    /// there is none); a tight loop over the buffer when nothing is null.
    fn range(&self, nulls: Option<&NullBuffer>) -> (i64, i64) {
        let fold = |(lo, hi): (i64, i64), v: i64| (lo.min(v), hi.max(v));
        let empty = (i64::MAX, i64::MIN);
        match (self, nulls) {
            (Ints::I32(v), None) => {
                let (lo, hi) = v
                    .iter()
                    .fold((i32::MAX, i32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
                if v.is_empty() {
                    empty
                } else {
                    (i64::from(lo), i64::from(hi))
                }
            }
            (Ints::I64(v), None) => v.iter().copied().fold(empty, fold),
            (_, Some(nulls)) => (0..self.len())
                .filter(|&i| nulls.is_valid(i))
                .filter_map(|i| self.get(i))
                .fold(empty, fold),
        }
    }
}

/// One key column, read: values and validity.
enum Column<'a> {
    Int(Ints, Option<NullBuffer>),
    Float(Vec<u64>, Option<NullBuffer>),
    Text(Texts<'a>),
    Owned(Vec<Option<String>>),
}

impl Column<'_> {
    fn read(array: &ArrayRef, mode: Mode, normalize: Normalize) -> Column<'_> {
        let len = array.len();
        let nulls = array.logical_nulls();
        match mode {
            Mode::Int => {
                if let Some(values) = integers(array) {
                    return Column::Int(values, nulls);
                }
            }
            Mode::Float => {
                if let Some(values) = numbers(array.as_ref()) {
                    // -0.0 equals 0.0; every NaN is one value.
                    let bits = values
                        .into_iter()
                        .map(|v| {
                            let v = v.unwrap_or(0.0);
                            if v.is_nan() { f64::NAN } else { v + 0.0 }.to_bits()
                        })
                        .collect();
                    return Column::Float(bits, nulls);
                }
            }
            Mode::Text => {}
        }
        if normalize == Normalize::Exact
            && let Some(t) = texts(array.as_ref())
        {
            return Column::Text(t);
        }
        let source = texts(array.as_ref());
        let format = formatter(array.as_ref());
        Column::Owned(
            (0..len)
                .map(|i| match &source {
                    Some(t) => t.get(i).map(|v| normalize.apply(v)),
                    None => format(i).map(|v| normalize.apply(&v)),
                })
                .collect(),
        )
    }

    fn is_null(&self, row: usize) -> bool {
        match self {
            Column::Int(v, nulls) => {
                row >= v.len() || nulls.as_ref().is_some_and(|n| n.is_null(row))
            }
            Column::Float(v, nulls) => {
                row >= v.len() || nulls.as_ref().is_some_and(|n| n.is_null(row))
            }
            Column::Text(t) => t.get(row).is_none(),
            Column::Owned(v) => v.get(row).is_none_or(Option::is_none),
        }
    }

    /// Mixes each row's value into `hashes`, a column at a time: one tight
    /// loop per column.
    fn hash_into(&self, hashes: &mut [u64]) {
        match self {
            // The same hash for the same number, whatever its width.
            Column::Int(Ints::I32(values), _) => {
                for (h, &v) in hashes.iter_mut().zip(values.iter()) {
                    *h = mix(*h ^ i64::from(v) as u64);
                }
            }
            Column::Int(Ints::I64(values), _) => {
                for (h, &v) in hashes.iter_mut().zip(values) {
                    *h = mix(*h ^ v as u64);
                }
            }
            Column::Float(values, _) => {
                for (h, &v) in hashes.iter_mut().zip(values) {
                    *h = mix(*h ^ v);
                }
            }
            Column::Text(t) => {
                for (i, h) in hashes.iter_mut().enumerate() {
                    *h = mix(*h ^ t.get(i).map_or(0, fnv));
                }
            }
            Column::Owned(v) => {
                for (h, text) in hashes.iter_mut().zip(v) {
                    *h = mix(*h ^ text.as_deref().map_or(0, fnv));
                }
            }
        }
    }

    /// Whether some row may be null (plain integer and float columns say
    /// so by their validity buffer).
    fn may_have_nulls(&self) -> bool {
        match self {
            Column::Int(_, nulls) | Column::Float(_, nulls) => nulls.is_some(),
            _ => true,
        }
    }

    /// Marks the rows where this column is null.
    fn mark_nulls(&self, nulls: &mut [bool]) {
        match self {
            Column::Int(_, None) | Column::Float(_, None) => {}
            _ => {
                for (row, null) in nulls.iter_mut().enumerate() {
                    *null |= self.is_null(row);
                }
            }
        }
    }

    /// `Some(equal)` when both are valid; `None` when either is null.
    fn equal(&self, row: usize, other: &Self, other_row: usize) -> Option<bool> {
        if self.is_null(row) || other.is_null(other_row) {
            return None;
        }
        match (self, other) {
            (Column::Int(a, _), Column::Int(b, _)) => Some(a.get(row)? == b.get(other_row)?),
            (Column::Float(a, _), Column::Float(b, _)) => Some(a.get(row)? == b.get(other_row)?),
            _ => Some(self.text(row)? == other.text(other_row)?),
        }
    }

    fn text(&self, row: usize) -> Option<&str> {
        match self {
            Column::Text(t) => t.get(row),
            Column::Owned(v) => v.get(row)?.as_deref(),
            _ => None,
        }
    }
}

/// Integer values of an integer or date column (nulls read as 0; the
/// validity says which they are).
fn integers(array: &ArrayRef) -> Option<Ints> {
    use arrow::array::AsArray;
    use arrow::datatypes::*;
    match array.data_type() {
        DataType::Int32 => {
            return Some(Ints::I32(
                array.as_primitive::<Int32Type>().values().clone(),
            ));
        }
        DataType::Date32 => {
            return Some(Ints::I32(
                array.as_primitive::<Date32Type>().values().clone(),
            ));
        }
        _ => {}
    }
    macro_rules! widen {
        ($t:ty) => {
            array
                .as_primitive_opt::<$t>()
                .map(|a| Ints::I64(a.values().iter().map(|&v| v as i64).collect()))
        };
    }
    match array.data_type() {
        DataType::Int8 => widen!(Int8Type),
        DataType::Int16 => widen!(Int16Type),
        DataType::Int64 => widen!(Int64Type),
        DataType::UInt8 => widen!(UInt8Type),
        DataType::UInt16 => widen!(UInt16Type),
        DataType::UInt32 => widen!(UInt32Type),
        // Beyond i64 they keep their bits: still one value each.
        DataType::UInt64 => widen!(UInt64Type),
        DataType::Date64 => widen!(Date64Type),
        _ => None,
    }
}

/// The key columns of one table. Row hashes are computed on first use: a
/// dense index ([`Dense`]) needs none.
pub struct Keys<'a> {
    columns: Vec<Column<'a>>,
    rows: usize,
    hashes: OnceCell<Vec<u64>>,
    /// Rows with a null in some key column (`None`: no column has nulls).
    nulls: Option<Vec<bool>>,
    any_null: bool,
}

impl<'a> Keys<'a> {
    fn new(columns: Vec<Column<'a>>, rows: usize) -> Self {
        let nulls = columns.iter().any(Column::may_have_nulls).then(|| {
            let mut nulls = vec![false; rows];
            for column in &columns {
                column.mark_nulls(&mut nulls);
            }
            nulls
        });
        Keys {
            any_null: nulls.as_ref().is_some_and(|n| n.contains(&true)),
            columns,
            rows,
            hashes: OnceCell::new(),
            nulls,
        }
    }

    fn hashes(&self) -> &[u64] {
        self.hashes.get_or_init(|| {
            let mut hashes = vec![SEED; self.rows];
            for column in &self.columns {
                column.hash_into(&mut hashes);
            }
            hashes
        })
    }

    /// `true` when some row has a null in some key column.
    pub fn any_null(&self) -> bool {
        self.any_null
    }

    /// Reads the key columns of two tables to be matched, pair by pair.
    pub fn pair(
        left: &'a [ArrayRef],
        right: &'a [ArrayRef],
        normalize: Normalize,
    ) -> (Keys<'a>, Keys<'a>) {
        let (mut l, mut r) = (Vec::new(), Vec::new());
        for (a, b) in left.iter().zip(right) {
            let mode = mode(&[a.data_type(), b.data_type()], normalize);
            l.push(Column::read(a, mode, normalize));
            r.push(Column::read(b, mode, normalize));
        }
        (
            Keys::new(l, left.first().map_or(0, |c| c.len())),
            Keys::new(r, right.first().map_or(0, |c| c.len())),
        )
    }

    /// Reads the key columns of one table (group-by).
    pub fn single(columns: &'a [ArrayRef]) -> Keys<'a> {
        let read = columns
            .iter()
            .map(|c| {
                Column::read(
                    c,
                    mode(&[c.data_type()], Normalize::Exact),
                    Normalize::Exact,
                )
            })
            .collect();
        Keys::new(read, columns.first().map_or(0, |c| c.len()))
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The hash of row `row`'s key; `None` when a part of it is null.
    pub fn hash(&self, row: usize) -> Option<u64> {
        if row >= self.rows || self.null_at(row) {
            return None;
        }
        self.hashes().get(row).copied()
    }

    /// Whether row `row` has a null in some key column.
    #[inline]
    fn null_at(&self, row: usize) -> bool {
        self.nulls
            .as_ref()
            .is_some_and(|n| n.get(row).copied().unwrap_or(true))
    }

    /// The hash of row `row`'s key with nulls as a value (group-by).
    pub fn hash_with_nulls(&self, row: usize) -> u64 {
        self.hashes().get(row).copied().unwrap_or(SEED)
    }

    /// Row `row` of these keys equals row `other_row` of `other` (nulls
    /// never equal).
    pub fn equal(&self, row: usize, other: &Keys, other_row: usize) -> bool {
        self.columns
            .iter()
            .zip(&other.columns)
            .all(|(a, b)| a.equal(row, b, other_row) == Some(true))
    }

    /// As [`Keys::equal`], with null equal to null (group-by).
    pub fn same_group(&self, row: usize, other_row: usize) -> bool {
        self.columns
            .iter()
            .all(|c| match (c.is_null(row), c.is_null(other_row)) {
                (true, true) => true,
                (false, false) => c.equal(row, c, other_row) == Some(true),
                _ => false,
            })
    }
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of a text: deterministic on every platform, quick for short keys.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(SEED, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64's finaliser.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Rows of a table by key: each key's rows form a chain in table order.
/// Keys are found by a dense position ([`Dense`]) where the key columns
/// allow it, else by hash in an open-addressing table.
pub struct Index {
    lookup: Lookup,
    next: Vec<u32>,
}

enum Lookup {
    /// Head row per dense position.
    Dense(Dense, Vec<u32>),
    /// (hash, head row) per slot.
    Hashed { mask: usize, slots: Vec<(u64, u32)> },
}

const EMPTY: u32 = u32::MAX;

impl Index {
    /// Indexes every row of `keys` whose key has no null part.
    pub fn build(keys: &Keys) -> Index {
        let mut next = vec![EMPTY; keys.rows()];
        // Dense when the table is at most four slots per row.
        if let Some(dense) = keys.dense(keys.rows().saturating_mul(4).max(1024)) {
            let mut heads = vec![EMPTY; dense.size];
            let positions = dense.positions(keys);
            // Backwards, so that each chain runs in table order.
            for row in (0..keys.rows()).rev() {
                if let Some(head) = heads.get_mut(positions[row] as usize) {
                    next[row] = *head;
                    *head = row as u32;
                }
            }
            return Index {
                lookup: Lookup::Dense(dense, heads),
                next,
            };
        }
        let capacity = (keys.rows() * 2).next_power_of_two().max(16);
        let mask = capacity - 1;
        let mut slots = vec![(0, EMPTY); capacity];
        for row in (0..keys.rows()).rev() {
            if let Some(hash) = keys.hash(row) {
                let slot = slot(&slots, mask, hash);
                next[row] = slots[slot].1;
                slots[slot] = (hash, row as u32);
            }
        }
        Index {
            lookup: Lookup::Hashed { mask, slots },
            next,
        }
    }

    /// The rows that may have row `row` of `keys`'s key, in table order:
    /// exactly those for a dense index; those with its hash otherwise.
    pub fn candidates(&self, keys: &Keys, row: usize) -> Chain<'_> {
        let head = match &self.lookup {
            Lookup::Dense(dense, heads) => dense
                .position(keys, row)
                .and_then(|p| heads.get(p).copied())
                .unwrap_or(EMPTY),
            Lookup::Hashed { mask, slots } => match keys.hash(row) {
                Some(hash) => slots[slot(slots, *mask, hash)].1,
                None => EMPTY,
            },
        };
        Chain {
            next: &self.next,
            row: head,
        }
    }

    /// For a dense index: the position of each row `rows` of `keys`
    /// (another table's keys, read with the same modes), for [`Index::at`].
    pub fn positions(&self, keys: &Keys, rows: std::ops::Range<usize>) -> Option<Vec<u32>> {
        match &self.lookup {
            Lookup::Dense(dense, _) => Some(dense.positions_of(keys, rows)),
            Lookup::Hashed { .. } => None,
        }
    }

    /// For a dense index in which no two rows share a key: the row at each
    /// position (`u32::MAX` where none is), so a match is one read.
    pub fn unique(&self) -> Option<&[u32]> {
        match &self.lookup {
            Lookup::Dense(_, heads) if self.next.iter().all(|&n| n == EMPTY) => Some(heads),
            _ => None,
        }
    }

    /// The rows at dense position `position` (none for [`NO_POSITION`]).
    pub fn at(&self, position: u32) -> Chain<'_> {
        let head = match &self.lookup {
            Lookup::Dense(_, heads) => heads.get(position as usize).copied().unwrap_or(EMPTY),
            Lookup::Hashed { .. } => EMPTY,
        };
        Chain {
            next: &self.next,
            row: head,
        }
    }

    /// `true` when a candidate is certainly a match (no comparison needed).
    pub fn exact(&self) -> bool {
        matches!(self.lookup, Lookup::Dense(..))
    }
}

/// The slot of `hash`: where it is, or the empty one where it goes. The
/// table is at most half full, so the search ends.
fn slot(slots: &[(u64, u32)], mask: usize, hash: u64) -> usize {
    let mut slot = (hash as usize) & mask;
    loop {
        let (h, head) = slots[slot];
        if head == EMPTY || h == hash {
            return slot;
        }
        slot = (slot + 1) & mask;
    }
}

pub struct Chain<'a> {
    next: &'a [u32],
    row: u32,
}

impl Iterator for Chain<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.row == EMPTY {
            return None;
        }
        let row = self.row as usize;
        self.row = self.next.get(row).copied().unwrap_or(EMPTY);
        Some(row)
    }
}
