//! A column's values as categories, weights, colour groups.

use std::collections::HashMap;

use arrow::array::{Array, BooleanArray};

use crate::data::values::{formatter, numbers, texts};

use super::{MAX_GROUPS, Words};

/// A column's values as categories: the distinct values as text, in
/// order of first appearance, and each listed row's index into them.
/// Numbers and text are coded by value without making a string per row;
/// each distinct value is formatted once ("–" for null), a true or false
/// as the chart's language says yes or no.
pub(super) struct Coded {
    pub(super) names: Vec<String>,
    pub(super) codes: Vec<u32>,
}

impl Coded {
    /// How many listed rows have each value.
    pub(super) fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.names.len()];
        for &c in &self.codes {
            counts[c as usize] += 1;
        }
        counts
    }
}

/// A fast hasher for coding categories (std's SipHash resists hostile
/// keys, which a chart of the visitor's own table does not need, at a
/// third of the time of coding a million rows). Multiply-and-rotate, as
/// rustc's FxHash.
#[derive(Default)]
pub(super) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

pub(super) fn coded(array: &dyn Array, rows: &[usize], w: &Words) -> Coded {
    let format = formatter(array);
    if let Some(flags) = array.as_any().downcast_ref::<BooleanArray>() {
        // Codes 0 and 1 for no and yes, 2 for null; then renumbered in
        // order of first appearance, as the other columns.
        let mut index = [u32::MAX; 3];
        let (mut names, mut codes) = (Vec::new(), Vec::with_capacity(rows.len()));
        for &i in rows {
            let key = if flags.is_null(i) {
                2
            } else {
                usize::from(flags.value(i))
            };
            if index[key] == u32::MAX {
                index[key] = names.len() as u32;
                names.push([w.no, w.yes, "–"][key].to_string());
            }
            codes.push(index[key]);
        }
        return Coded { names, codes };
    }
    let mut names: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(rows.len());
    let name_of = |i: usize, names: &mut Vec<String>| {
        names.push(format(i).unwrap_or_else(|| "–".to_string()));
        (names.len() - 1) as u32
    };
    if let Some(values) = numbers(array) {
        let mut index: FastMap<Option<u64>, u32> = FastMap::default();
        for &i in rows {
            let key = values[i].map(f64::to_bits);
            let code = *index.entry(key).or_insert_with(|| name_of(i, &mut names));
            codes.push(code);
        }
    } else if let Some(texts) = texts(array) {
        let mut index: FastMap<Option<&str>, u32> = FastMap::default();
        for &i in rows {
            let code = *index
                .entry(texts.get(i))
                .or_insert_with(|| name_of(i, &mut names));
            codes.push(code);
        }
    } else {
        let mut index: FastMap<String, u32> = FastMap::default();
        for &i in rows {
            let text = format(i).unwrap_or_else(|| "–".to_string());
            let next = index.len() as u32;
            let code = *index.entry(text.clone()).or_insert_with(|| {
                names.push(text);
                next
            });
            codes.push(code);
        }
    }
    Coded { names, codes }
}

/// Row `i`'s number of `values` (1 when there is no number column, to
/// count rows), or `None`, counted in `skipped`, when it has none.
pub(super) fn weight(values: Option<&[Option<f64>]>, i: usize, skipped: &mut usize) -> Option<f64> {
    let Some(values) = values else {
        return Some(1.0);
    };
    let v = values.get(i).copied().flatten().filter(|v| v.is_finite());
    if v.is_none() {
        *skipped += 1;
    }
    v
}

/// Compares names as numbers when both are numbers, else as text.
pub(super) fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    }
}

/// Colour groups for `names`: at most [`MAX_GROUPS`], the most frequent
/// kept (in natural order) and the rest folded into "other". Returns the
/// legend, whether it ends with "other", and each name's group.
pub(super) fn fold_groups(coded: &Coded, w: &Words) -> (Vec<String>, bool, Vec<u8>) {
    let counts = coded.counts();
    let mut by_count: Vec<usize> = (0..coded.names.len()).collect();
    by_count.sort_by(|&a, &b| {
        counts[b]
            .cmp(&counts[a])
            .then_with(|| natural(&coded.names[a], &coded.names[b]))
    });
    let other = by_count.len() > MAX_GROUPS;
    let keep = if other {
        MAX_GROUPS - 1
    } else {
        by_count.len()
    };
    let mut kept: Vec<usize> = by_count[..keep].to_vec();
    kept.sort_by(|&a, &b| natural(&coded.names[a], &coded.names[b]));
    let mut group_of_code = vec![crate::chart::OTHER_GROUP; coded.names.len()];
    for (g, &c) in kept.iter().enumerate() {
        group_of_code[c] = g as u8;
    }
    let of = coded
        .codes
        .iter()
        .map(|&c| group_of_code[c as usize])
        .collect();
    let mut groups: Vec<String> = kept.iter().map(|&c| coded.names[c].clone()).collect();
    if other {
        groups.push(format!("{} ({})", w.other, by_count.len() - keep));
    }
    (groups, other, of)
}
