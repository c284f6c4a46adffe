//! Group-by: rows with equal keys (null equal to null) become one row,
//! with count, sum, mean, median, min, max and distinct count of other
//! columns. Groups come in the order of their first row, so the result is
//! the same on every run and platform.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Float64Type, Schema};
use serde::{Deserialize, Serialize};

use crate::data::values::numbers;
use crate::error::OpsError;
use crate::ops::gather::take;
use crate::ops::keys::Keys;
use crate::ops::{CHUNK, Progress, column_index};

/// What to compute for each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Rows in the group (the column is ignored).
    Count,
    Sum,
    Mean,
    Median,
    Min,
    Max,
    /// Distinct non-null values.
    CountDistinct,
}

impl Aggregate {
    pub const ALL: [Aggregate; 7] = [
        Aggregate::Count,
        Aggregate::Sum,
        Aggregate::Mean,
        Aggregate::Median,
        Aggregate::Min,
        Aggregate::Max,
        Aggregate::CountDistinct,
    ];
    /// Those a pivot computes (one value per cell, of a number column or a
    /// count).
    pub const PIVOT: [Aggregate; 5] = [
        Aggregate::Count,
        Aggregate::Sum,
        Aggregate::Mean,
        Aggregate::Min,
        Aggregate::Max,
    ];
}

/// One output column: the aggregate of a column, under a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub aggregate: Aggregate,
    /// The input column (`None` for [`Aggregate::Count`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub name: String,
}

/// Groups `batch` by the columns `by` and computes `measures`.
pub fn group_by(
    batch: &RecordBatch,
    by: &[String],
    measures: &[Measure],
    progress: &mut Progress,
) -> Result<RecordBatch, OpsError> {
    group_by_rows(batch, None, by, measures, progress)
}

/// [`group_by`] of only the rows `selection` of `batch` (a filter's kept
/// rows, in order): the keys are gathered, the measures read in place, so
/// a filter and a group-by make one pass and no copy of the measured
/// columns. The same result as gathering the rows first.
pub fn group_by_rows(
    batch: &RecordBatch,
    selection: Option<&[u32]>,
    by: &[String],
    measures: &[Measure],
    progress: &mut Progress,
) -> Result<RecordBatch, OpsError> {
    let key_indices: Vec<usize> = by
        .iter()
        .map(|name| column_index(batch, name, "the table"))
        .collect::<Result<_, _>>()?;
    let key_columns: Vec<ArrayRef> = key_indices
        .iter()
        .map(|&i| match selection {
            Some(rows) => take(batch.column(i).as_ref(), rows),
            None => Ok(batch.column(i).clone()),
        })
        .collect::<Result<_, _>>()?;
    let rows = selection.map_or(batch.num_rows(), <[u32]>::len);
    // Each row's group; groups numbered by first appearance. Without keys
    // every row is in the one group, and no list of groups is made.
    let (group_of, firsts) = if key_columns.is_empty() {
        (None, vec![0u32])
    } else {
        let (group_of, firsts) = assign_groups(&Keys::single(&key_columns), progress)?;
        (Some(group_of), firsts)
    };
    let groups = Groups {
        of: group_of.as_deref(),
        rows,
        count: firsts.len(),
    };

    let mut fields: Vec<Field> = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (&i, column) in key_indices.iter().zip(&key_columns) {
        let field = batch.schema().field(i).clone();
        fields.push(field.with_nullable(true));
        columns.push(take(column.as_ref(), &firsts)?);
    }
    for measure in measures {
        if fields.iter().any(|f| f.name() == &measure.name) {
            return Err(OpsError::Invalid(format!(
                "two output columns are called {:?}",
                measure.name
            )));
        }
        let input = match (&measure.column, measure.aggregate) {
            (_, Aggregate::Count) => None,
            (Some(name), _) => Some(batch.column(column_index(batch, name, "the table")?)),
            (None, aggregate) => {
                return Err(OpsError::Invalid(format!(
                    "{aggregate:?} of which column? ({})",
                    measure.name
                )));
            }
        };
        let (data_type, array) = aggregate(measure.aggregate, input, &groups, selection)?;
        fields.push(Field::new(&measure.name, data_type, true));
        columns.push(array);
    }
    if columns.is_empty() {
        return Err(OpsError::Invalid(
            "a group-by needs a key or a measure".into(),
        ));
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Numbers each row's group by first appearance; returns the group of
/// every row and the first row of every group.
pub(crate) fn assign_groups(
    keys: &Keys,
    progress: &mut Progress,
) -> Result<(Vec<u32>, Vec<u32>), OpsError> {
    let rows = keys.rows();
    // Integer keys of small ranges without nulls: a group per dense position.
    // (Every row has a position: the ranges were taken from these values.)
    if !keys.any_null()
        && let Some(dense) = keys.dense(rows.max(1024))
    {
        let mut group_at = vec![u32::MAX; dense.size];
        let mut firsts: Vec<u32> = Vec::new();
        let mut group_of = dense.positions(keys);
        for (row, slot) in group_of.iter_mut().enumerate() {
            if row % CHUNK == 0 && progress(row as u64, rows as u64).is_break() {
                return Err(OpsError::Cancelled);
            }
            let Some(group) = group_at.get_mut(*slot as usize) else {
                return Err(OpsError::Invalid(format!("row {row} has no group")));
            };
            if *group == u32::MAX {
                *group = firsts.len() as u32;
                firsts.push(row as u32);
            }
            // The position becomes the group, in place.
            *slot = *group;
        }
        return Ok((group_of, firsts));
    }
    // Open addressing over (hash, group), grown as groups come: sized by
    // groups, not rows, so that a few groups of many rows stay in cache.
    let mut slots: Vec<(u64, u32)> = vec![(0, u32::MAX); 1024];
    let mut firsts: Vec<u32> = Vec::new();
    let mut group_of = Vec::with_capacity(rows);
    for row in 0..rows {
        if row % CHUNK == 0 && progress(row as u64, rows as u64).is_break() {
            return Err(OpsError::Cancelled);
        }
        if firsts.len() * 2 >= slots.len() {
            slots = grow(&slots);
        }
        let mask = slots.len() - 1;
        let hash = keys.hash_with_nulls(row);
        let mut slot = (hash as usize) & mask;
        let group = loop {
            let (h, group) = slots[slot];
            if group == u32::MAX {
                let new = firsts.len() as u32;
                firsts.push(row as u32);
                slots[slot] = (hash, new);
                break new;
            }
            if h == hash
                && firsts
                    .get(group as usize)
                    .is_some_and(|&first| keys.same_group(row, first as usize))
            {
                break group;
            }
            slot = (slot + 1) & mask;
        };
        group_of.push(group);
    }
    // Finished: a stop asked for now comes too late to matter.
    let _ = progress(rows as u64, rows as u64);
    Ok((group_of, firsts))
}

/// The table at twice the size, its entries placed again.
fn grow(slots: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let mut grown = vec![(0, u32::MAX); slots.len() * 2];
    let mask = grown.len() - 1;
    for &(hash, group) in slots.iter().filter(|(_, g)| *g != u32::MAX) {
        let mut slot = (hash as usize) & mask;
        while grown[slot].1 != u32::MAX {
            slot = (slot + 1) & mask;
        }
        grown[slot] = (hash, group);
    }
    grown
}

/// Which group each row is in.
struct Groups<'a> {
    /// Per row; `None`: all rows are in group 0.
    of: Option<&'a [u32]>,
    rows: usize,
    /// How many groups.
    count: usize,
}

impl Groups<'_> {
    /// Folds `values` into one result per group with `f` (a tight loop for
    /// the one-group case, which has no list to read).
    fn fold<T: Copy, V>(
        &self,
        init: T,
        values: impl Iterator<Item = V>,
        f: impl Fn(T, V) -> T,
    ) -> Vec<T> {
        let mut out = vec![init; self.count];
        match self.of {
            None => {
                if let Some(slot) = out.first_mut() {
                    *slot = values.fold(init, &f);
                }
            }
            Some(of) => {
                for (&g, v) in of.iter().zip(values) {
                    if let Some(slot) = out.get_mut(g as usize) {
                        *slot = f(*slot, v);
                    }
                }
            }
        }
        out
    }
}

fn aggregate(
    aggregate: Aggregate,
    input: Option<&ArrayRef>,
    groups: &Groups,
    selection: Option<&[u32]>,
) -> Result<(DataType, ArrayRef), OpsError> {
    // Row `row` of the groups is row `at(row)` of the input.
    let at = |row: usize| selection.map_or(row, |s| s.get(row).map_or(usize::MAX, |&r| r as usize));
    let Some(input) = input else {
        let counts = match groups.of {
            None => vec![groups.rows as i64],
            Some(_) => groups.fold(0i64, std::iter::repeat(()), |c, ()| c + 1),
        };
        return Ok((DataType::Int64, Arc::new(Int64Array::from(counts))));
    };
    if aggregate == Aggregate::CountDistinct {
        let keys = Keys::single(std::slice::from_ref(input));
        let mut counts = vec![0i64; groups.count];
        // Distinct by key equality, not by hash alone.
        let mut by_hash: HashMap<(u32, u64), Vec<usize>> = HashMap::new();
        for row in 0..groups.rows {
            let g = groups.of.map_or(0, |of| of[row]);
            let row = at(row);
            if row >= input.len() {
                continue;
            }
            let Some(hash) = keys.hash(row) else { continue };
            let rows = by_hash.entry((g, hash)).or_default();
            if !rows.iter().any(|&other| keys.equal(row, &keys, other)) {
                rows.push(row);
                if let Some(c) = counts.get_mut(g as usize) {
                    *c += 1;
                }
            }
        }
        return Ok((DataType::Int64, Arc::new(Int64Array::from(counts))));
    }
    // Float64 without nulls is read in place; other types through numbers().
    if let Some(floats) = input.as_primitive_opt::<Float64Type>()
        && floats.null_count() == 0
    {
        let values = floats.values();
        let folded = match selection {
            None => fold(aggregate, values.iter().copied().map(Some), groups),
            Some(rows) => fold(
                aggregate,
                rows.iter().map(|&r| values.get(r as usize).copied()),
                groups,
            ),
        };
        return Ok((DataType::Float64, Arc::new(folded)));
    }
    let Some(values) = numbers(input.as_ref()) else {
        return Err(OpsError::Invalid(format!(
            "{aggregate:?} needs a number column, not {}",
            input.data_type()
        )));
    };
    let folded = match selection {
        None => fold(aggregate, values.into_iter(), groups),
        Some(rows) => fold(
            aggregate,
            rows.iter()
                .map(|&r| values.get(r as usize).copied().flatten()),
            groups,
        ),
    };
    Ok((DataType::Float64, Arc::new(folded)))
}

/// Folds the values of each group into `aggregate` (NaN and null
/// skipped). One pass that keeps only what the aggregate needs.
fn fold(
    aggregate: Aggregate,
    values: impl Iterator<Item = Option<f64>>,
    groups: &Groups,
) -> Float64Array {
    let valid = values.map(|v| v.filter(|v| !v.is_nan()));
    let result: Vec<Option<f64>> = match aggregate {
        Aggregate::Sum => groups
            .fold(0.0, valid, |s, v| s + v.unwrap_or(0.0))
            .into_iter()
            .map(Some)
            .collect(),
        Aggregate::Mean => groups
            .fold((0.0, 0u64), valid, |(s, n), v| match v {
                Some(v) => (s + v, n + 1),
                None => (s, n),
            })
            .into_iter()
            .map(|(s, n)| (n > 0).then(|| s / n as f64))
            .collect(),
        Aggregate::Min => groups.fold(None, valid, |m: Option<f64>, v| match (m, v) {
            (Some(m), Some(v)) => Some(m.min(v)),
            (m, v) => m.or(v),
        }),
        Aggregate::Max => groups.fold(None, valid, |m: Option<f64>, v| match (m, v) {
            (Some(m), Some(v)) => Some(m.max(v)),
            (m, v) => m.or(v),
        }),
        Aggregate::Median => {
            let mut per_group: Vec<Vec<f64>> = vec![Vec::new(); groups.count];
            for (row, v) in valid.enumerate() {
                let g = groups.of.map_or(0, |of| of[row]) as usize;
                if let (Some(v), Some(list)) = (v, per_group.get_mut(g)) {
                    list.push(v);
                }
            }
            per_group.iter_mut().map(|list| median(list)).collect()
        }
        Aggregate::Count | Aggregate::CountDistinct => vec![None; groups.count],
    };
    Float64Array::from(result)
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}
