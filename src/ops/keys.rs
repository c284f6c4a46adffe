//! Row keys for joins and group-by: one or several columns read once into
//! a typed form, hashed per row and compared between rows, without
//! building a value per row. Integers (and dates) compare as integers,
//! floats by their bits, text as text after an optional normalisation, and
//! a text key against an integer key as text.

use std::hash::{Hash, Hasher};

use arrow::array::{Array, ArrayRef};
use arrow::datatypes::DataType;
use serde::{Deserialize, Serialize};

use crate::data::values::{Texts, formatter, numbers, texts};

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

/// One key column, read.
enum Column<'a> {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<u64>>),
    Text(Texts<'a>),
    Owned(Vec<Option<String>>),
}

impl Column<'_> {
    fn read(array: &ArrayRef, mode: Mode, normalize: Normalize) -> Column<'_> {
        let len = array.len();
        match mode {
            Mode::Int => {
                if let Some(values) = integers(array) {
                    return Column::Int(values);
                }
            }
            Mode::Float => {
                if let Some(values) = numbers(array.as_ref()) {
                    // -0.0 equals 0.0; every NaN is one value.
                    return Column::Float(
                        values
                            .into_iter()
                            .map(|v| {
                                v.map(|v| if v.is_nan() { f64::NAN } else { v + 0.0 }.to_bits())
                            })
                            .collect(),
                    );
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

    fn hash(&self, row: usize, state: &mut impl Hasher) -> bool {
        match self {
            Column::Int(v) => v.get(row).copied().flatten().map(|x| x.hash(state)),
            Column::Float(v) => v.get(row).copied().flatten().map(|x| x.hash(state)),
            Column::Text(t) => t.get(row).map(|x| x.hash(state)),
            Column::Owned(v) => v.get(row).and_then(Option::as_deref).map(|x| x.hash(state)),
        }
        .is_some()
    }

    /// `Some(equal)` when both are valid; `None` when either is null.
    fn equal(&self, row: usize, other: &Self, other_row: usize) -> Option<bool> {
        match (self, other) {
            (Column::Int(a), Column::Int(b)) => {
                Some(a.get(row)?.as_ref()? == b.get(other_row)?.as_ref()?)
            }
            (Column::Float(a), Column::Float(b)) => {
                Some(a.get(row)?.as_ref()? == b.get(other_row)?.as_ref()?)
            }
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

    fn is_null(&self, row: usize) -> bool {
        match self {
            Column::Int(v) => v.get(row).is_none_or(Option::is_none),
            Column::Float(v) => v.get(row).is_none_or(Option::is_none),
            Column::Text(t) => t.get(row).is_none(),
            Column::Owned(v) => v.get(row).is_none_or(Option::is_none),
        }
    }
}

/// Integer values of an integer or date column.
fn integers(array: &ArrayRef) -> Option<Vec<Option<i64>>> {
    use arrow::array::AsArray;
    use arrow::datatypes::{Date32Type, Date64Type};
    match array.data_type() {
        DataType::Date32 => Some(
            array
                .as_primitive_opt::<Date32Type>()?
                .iter()
                .map(|v| v.map(i64::from))
                .collect(),
        ),
        DataType::Date64 => Some(array.as_primitive_opt::<Date64Type>()?.iter().collect()),
        DataType::UInt64 => {
            let values = array.as_primitive_opt::<arrow::datatypes::UInt64Type>()?;
            // Beyond i64 they keep their bits: still one value each.
            Some(values.iter().map(|v| v.map(|v| v as i64)).collect())
        }
        t if t.is_integer() => Some(
            numbers(array.as_ref())?
                .into_iter()
                .map(|v| v.map(|v| v as i64))
                .collect(),
        ),
        _ => None,
    }
}

/// The key columns of one table.
pub struct Keys<'a> {
    columns: Vec<Column<'a>>,
    rows: usize,
}

impl<'a> Keys<'a> {
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
            Keys {
                columns: l,
                rows: left.first().map_or(0, |c| c.len()),
            },
            Keys {
                columns: r,
                rows: right.first().map_or(0, |c| c.len()),
            },
        )
    }

    /// Reads the key columns of one table (group-by).
    pub fn single(columns: &'a [ArrayRef]) -> Keys<'a> {
        Keys {
            columns: columns
                .iter()
                .map(|c| {
                    Column::read(
                        c,
                        mode(&[c.data_type()], Normalize::Exact),
                        Normalize::Exact,
                    )
                })
                .collect(),
            rows: columns.first().map_or(0, |c| c.len()),
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The hash of row `row`'s key; `None` when a part of it is null.
    pub fn hash(&self, row: usize) -> Option<u64> {
        let mut state = Fnv(0xcbf2_9ce4_8422_2325);
        for column in &self.columns {
            if !column.hash(row, &mut state) {
                return None;
            }
        }
        Some(state.finish())
    }

    /// The hash of row `row`'s key with nulls as a value (group-by).
    pub fn hash_with_nulls(&self, row: usize) -> u64 {
        let mut state = Fnv(0xcbf2_9ce4_8422_2325);
        for column in &self.columns {
            if !column.hash(row, &mut state) {
                state.write_u8(0xff);
            }
        }
        state.finish()
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

/// FNV-1a over the bytes, finished with a 64-bit mixer: deterministic on
/// every platform, quick for short keys.
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = mix(self.0 ^ n);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// splitmix64's finaliser.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Rows of a table by key hash: open addressing over hashes, each slot the
/// first row of a chain of rows with that hash, in table order.
pub struct Index {
    mask: usize,
    slots: Vec<(u64, u32)>,
    next: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

impl Index {
    /// Indexes every row of `keys` whose key has no null part.
    pub fn build(keys: &Keys) -> Index {
        let capacity = (keys.rows() * 2).next_power_of_two().max(16);
        let mut index = Index {
            mask: capacity - 1,
            slots: vec![(0, EMPTY); capacity],
            next: vec![EMPTY; keys.rows()],
        };
        // Backwards, so that each chain runs in table order.
        for row in (0..keys.rows()).rev() {
            if let Some(hash) = keys.hash(row) {
                let slot = index.slot(hash);
                let (_, head) = index.slots[slot];
                index.next[row] = head;
                index.slots[slot] = (hash, row as u32);
            }
        }
        index
    }

    /// The slot of `hash`: where it is, or the empty one where it goes.
    fn slot(&self, hash: u64) -> usize {
        let mut slot = (hash as usize) & self.mask;
        loop {
            let (h, head) = self.slots[slot];
            if head == EMPTY || h == hash {
                return slot;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// The rows whose key hash is `hash`, in table order.
    pub fn rows(&self, hash: u64) -> Chain<'_> {
        let (_, head) = self.slots[self.slot(hash)];
        Chain {
            next: &self.next,
            row: head,
        }
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
