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
use crate::ops::{CHUNK, Progress, column_index, schema_index};

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
    let keys = key_indices
        .iter()
        .map(|&i| {
            let column = match selection {
                Some(rows) => take(batch.column(i).as_ref(), rows)?,
                None => batch.column(i).clone(),
            };
            Ok((batch.schema().field(i).clone(), column))
        })
        .collect::<Result<Vec<_>, OpsError>>()?;
    let rows = selection.map_or(batch.num_rows(), <[u32]>::len);
    let mut grouping = Grouping::new(keys, rows, measures, &batch.schema(), progress)?;
    grouping.add(batch, selection)?;
    grouping.finish()
}

/// A group-by whose measured columns come a part at a time (a join's
/// output, made and measured in parts, is never whole): each row's group
/// is found first from the key columns of all rows, then the parts are
/// folded in row order, so the result has the same bits as measuring the
/// whole table at once. Every measure but the distinct count can be fed
/// in parts ([`Grouping::in_parts`]).
pub struct Grouping {
    /// The key columns' fields and values at each group's first row.
    keys: Vec<(Field, ArrayRef)>,
    /// Each row's group; `None`: every row is in the one group.
    group_of: Option<Vec<u32>>,
    rows: usize,
    /// Rows folded so far.
    done: usize,
    folds: Vec<(Measure, Fold)>,
}

impl Grouping {
    /// Whether `measures` can be fed in parts.
    pub fn in_parts(measures: &[Measure]) -> bool {
        measures
            .iter()
            .all(|m| m.aggregate != Aggregate::CountDistinct)
    }

    /// Groups `rows` rows by `keys` (each column with its field, all rows),
    /// to compute `measures` of columns of `schema`.
    pub fn new(
        keys: Vec<(Field, ArrayRef)>,
        rows: usize,
        measures: &[Measure],
        schema: &Schema,
        progress: &mut Progress,
    ) -> Result<Grouping, OpsError> {
        let mut names: Vec<&str> = keys.iter().map(|(f, _)| f.name().as_str()).collect();
        for measure in measures {
            if names.contains(&measure.name.as_str()) {
                return Err(OpsError::Invalid(format!(
                    "two output columns are called {:?}",
                    measure.name
                )));
            }
            names.push(&measure.name);
            match (&measure.column, measure.aggregate) {
                (_, Aggregate::Count) => {}
                (Some(name), _) => {
                    schema_index(schema, name, "the table")?;
                }
                (None, aggregate) => {
                    return Err(OpsError::Invalid(format!(
                        "{aggregate:?} of which column? ({})",
                        measure.name
                    )));
                }
            }
        }
        if names.is_empty() {
            return Err(OpsError::Invalid(
                "a group-by needs a key or a measure".into(),
            ));
        }
        // Each row's group; groups numbered by first appearance. Without
        // keys every row is in the one group, and no list of groups is made.
        let (group_of, firsts) = if keys.is_empty() {
            (None, vec![0u32])
        } else {
            let columns: Vec<ArrayRef> = keys.iter().map(|(_, c)| c.clone()).collect();
            let (group_of, firsts) = assign_groups(&Keys::single(&columns), progress)?;
            (Some(group_of), firsts)
        };
        let keys = keys
            .into_iter()
            .map(|(field, column)| Ok((field.with_nullable(true), take(column.as_ref(), &firsts)?)))
            .collect::<Result<_, OpsError>>()?;
        let groups = firsts.len();
        Ok(Grouping {
            keys,
            group_of,
            rows,
            done: 0,
            folds: measures
                .iter()
                .map(|m| (m.clone(), Fold::new(m.aggregate, groups)))
                .collect(),
        })
    }

    /// Folds the next rows: those of `part` (`selection`'s rows of it when
    /// given), which follow the rows folded before.
    pub fn add(&mut self, part: &RecordBatch, selection: Option<&[u32]>) -> Result<(), OpsError> {
        let rows = selection.map_or(part.num_rows(), <[u32]>::len);
        let end = self.done.saturating_add(rows);
        if end > self.rows {
            return Err(OpsError::Invalid(format!(
                "a group-by of {} rows was given {end}",
                self.rows
            )));
        }
        let of = match &self.group_of {
            Some(of) => Some(of.get(self.done..end).ok_or_else(|| {
                OpsError::Invalid(format!("rows {}..{end} have no groups", self.done))
            })?),
            None => None,
        };
        let groups = Groups { of, rows };
        let first = self.done == 0;
        for (measure, fold) in &mut self.folds {
            let input = match &measure.column {
                Some(name) if measure.aggregate != Aggregate::Count => {
                    Some(part.column(column_index(part, name, "the table")?))
                }
                _ => None,
            };
            fold.add(input, &groups, selection, first)?;
        }
        self.done = end;
        Ok(())
    }

    /// The table: one row per group, its keys, then its measures.
    pub fn finish(self) -> Result<RecordBatch, OpsError> {
        let (mut fields, mut columns): (Vec<Field>, Vec<ArrayRef>) = self.keys.into_iter().unzip();
        for (measure, fold) in self.folds {
            let (data_type, array) = fold.finish();
            fields.push(Field::new(&measure.name, data_type, true));
            columns.push(array);
        }
        Ok(RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            columns,
        )?)
    }
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
}

impl Groups<'_> {
    /// Folds `values` into `out`, one result per group, with `f` (a tight
    /// loop for the one-group case, which has no list to read).
    fn fold<T: Copy, V>(
        &self,
        out: &mut [T],
        values: impl Iterator<Item = V>,
        f: impl Fn(T, V) -> T,
    ) {
        match self.of {
            None => {
                if let Some(slot) = out.first_mut() {
                    *slot = values.fold(*slot, &f);
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
    }
}

/// One measure's running values per group.
enum Fold {
    Count(Vec<i64>),
    Sum(Vec<f64>),
    Mean(Vec<(f64, u64)>),
    Min(Vec<Option<f64>>),
    Max(Vec<Option<f64>>),
    Median(Vec<Vec<f64>>),
    /// Counted from one part only (distinct values across parts would
    /// need the parts kept).
    Distinct(Vec<i64>),
}

impl Fold {
    fn new(aggregate: Aggregate, groups: usize) -> Fold {
        match aggregate {
            Aggregate::Count => Fold::Count(vec![0; groups]),
            Aggregate::Sum => Fold::Sum(vec![0.0; groups]),
            Aggregate::Mean => Fold::Mean(vec![(0.0, 0); groups]),
            Aggregate::Min => Fold::Min(vec![None; groups]),
            Aggregate::Max => Fold::Max(vec![None; groups]),
            Aggregate::Median => Fold::Median(vec![Vec::new(); groups]),
            Aggregate::CountDistinct => Fold::Distinct(vec![0; groups]),
        }
    }

    /// Folds the rows of `groups`: row `r` is row `selection[r]` of `input`
    /// (row `r` without a selection). `first`: no rows were folded before.
    fn add(
        &mut self,
        input: Option<&ArrayRef>,
        groups: &Groups,
        selection: Option<&[u32]>,
        first: bool,
    ) -> Result<(), OpsError> {
        // Row `row` of the groups is row `at(row)` of the input.
        let at =
            |row: usize| selection.map_or(row, |s| s.get(row).map_or(usize::MAX, |&r| r as usize));
        let Some(input) = input else {
            if let Fold::Count(counts) = self {
                match groups.of {
                    None => {
                        if let Some(c) = counts.first_mut() {
                            *c += groups.rows as i64;
                        }
                    }
                    Some(_) => groups.fold(counts, std::iter::repeat(()), |c, ()| c + 1),
                }
            }
            return Ok(());
        };
        if let Fold::Distinct(counts) = self {
            if !first {
                return Err(OpsError::Invalid(
                    "a distinct count is made of the whole table, not of parts".into(),
                ));
            }
            let keys = Keys::single(std::slice::from_ref(input));
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
            return Ok(());
        }
        // Float64 without nulls is read in place; other types through numbers().
        if let Some(floats) = input.as_primitive_opt::<Float64Type>()
            && floats.null_count() == 0
        {
            let values = floats.values();
            match selection {
                None => self.values(values.iter().copied().map(Some), groups),
                Some(rows) => self.values(
                    rows.iter().map(|&r| values.get(r as usize).copied()),
                    groups,
                ),
            }
            return Ok(());
        }
        let Some(values) = numbers(input.as_ref()) else {
            return Err(OpsError::Invalid(format!(
                "{:?} needs a number column, not {}",
                self.aggregate(),
                input.data_type()
            )));
        };
        match selection {
            None => self.values(values.into_iter(), groups),
            Some(rows) => self.values(
                rows.iter()
                    .map(|&r| values.get(r as usize).copied().flatten()),
                groups,
            ),
        }
        Ok(())
    }

    fn aggregate(&self) -> Aggregate {
        match self {
            Fold::Count(_) => Aggregate::Count,
            Fold::Sum(_) => Aggregate::Sum,
            Fold::Mean(_) => Aggregate::Mean,
            Fold::Min(_) => Aggregate::Min,
            Fold::Max(_) => Aggregate::Max,
            Fold::Median(_) => Aggregate::Median,
            Fold::Distinct(_) => Aggregate::CountDistinct,
        }
    }

    /// Folds the values of each group (NaN and null skipped), keeping only
    /// what the aggregate needs.
    fn values(&mut self, values: impl Iterator<Item = Option<f64>>, groups: &Groups) {
        let valid = values.map(|v| v.filter(|v| !v.is_nan()));
        match self {
            Fold::Sum(sums) => groups.fold(sums, valid, |s, v| s + v.unwrap_or(0.0)),
            Fold::Mean(means) => groups.fold(means, valid, |(s, n), v| match v {
                Some(v) => (s + v, n + 1),
                None => (s, n),
            }),
            Fold::Min(mins) => groups.fold(mins, valid, |m: Option<f64>, v| match (m, v) {
                (Some(m), Some(v)) => Some(m.min(v)),
                (m, v) => m.or(v),
            }),
            Fold::Max(maxes) => groups.fold(maxes, valid, |m: Option<f64>, v| match (m, v) {
                (Some(m), Some(v)) => Some(m.max(v)),
                (m, v) => m.or(v),
            }),
            Fold::Median(lists) => {
                for (row, v) in valid.enumerate() {
                    let g = groups.of.map_or(0, |of| of[row]) as usize;
                    if let (Some(v), Some(list)) = (v, lists.get_mut(g)) {
                        list.push(v);
                    }
                }
            }
            Fold::Count(_) | Fold::Distinct(_) => {}
        }
    }

    /// The aggregate of each group, and its type.
    fn finish(self) -> (DataType, ArrayRef) {
        let floats = |values: Vec<Option<f64>>| -> (DataType, ArrayRef) {
            (DataType::Float64, Arc::new(Float64Array::from(values)))
        };
        match self {
            Fold::Count(counts) | Fold::Distinct(counts) => {
                (DataType::Int64, Arc::new(Int64Array::from(counts)))
            }
            Fold::Sum(sums) => floats(sums.into_iter().map(Some).collect()),
            Fold::Mean(means) => floats(
                means
                    .into_iter()
                    .map(|(s, n)| (n > 0).then(|| s / n as f64))
                    .collect(),
            ),
            Fold::Min(values) | Fold::Max(values) => floats(values),
            Fold::Median(mut lists) => floats(lists.iter_mut().map(|l| median(l)).collect()),
        }
    }
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
