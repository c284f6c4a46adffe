//! Hash joins on one or several key columns: inner, left, right, full,
//! semi and anti, with key normalisation and diagnostics of how well the
//! two tables linked. Deterministic: rows come in left-table order, each
//! left row's matches in right-table order, then (right and full joins) the
//! unmatched right rows in their order.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Field, Schema};
use serde::{Deserialize, Serialize};

use crate::data::values::formatter;
use crate::error::OpsError;
use crate::ops::gather::{MISSING, gather, take, taken_bytes};
use crate::ops::keys::{Index, Keys, Normalize};
use crate::ops::{CHUNK, Progress, column_index};

/// The kinds of join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinKind {
    /// Rows whose keys match on both sides.
    Inner,
    /// Every left row, with the right row's values where one matches.
    Left,
    /// Every right row, with the left row's values where one matches.
    Right,
    /// Every row of both sides.
    Full,
    /// Left rows that have a match (left columns only).
    Semi,
    /// Left rows that have no match (left columns only).
    Anti,
}

impl JoinKind {
    pub const ALL: [JoinKind; 6] = [
        JoinKind::Inner,
        JoinKind::Left,
        JoinKind::Right,
        JoinKind::Full,
        JoinKind::Semi,
        JoinKind::Anti,
    ];
}

/// A join: key columns by name on each side, the kind, the normalisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinSpec {
    pub kind: JoinKind,
    pub left_on: Vec<String>,
    pub right_on: Vec<String>,
    #[serde(default)]
    pub normalize: Normalize,
}

/// How well two tables linked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JoinStats {
    pub left_rows: u64,
    pub right_rows: u64,
    /// Left rows with at least one match.
    pub left_matched: u64,
    /// Right rows with at least one match.
    pub right_matched: u64,
    pub output_rows: u64,
    /// Right rows whose key another right row shares: each matching left
    /// row is repeated for them.
    pub right_duplicates: u64,
    /// The first few unmatched keys of each side, as text.
    pub left_unmatched_sample: Vec<String>,
    pub right_unmatched_sample: Vec<String>,
}

/// Unmatched keys listed in [`JoinStats`].
const SAMPLE: usize = 5;
/// The most rows a join may make.
pub const MAX_OUTPUT_ROWS: usize = 50_000_000;
/// The most bytes a join's output may take: half the browser's memory,
/// which also holds its inputs.
pub const MAX_OUTPUT_BYTES: u64 = 2 << 30;

/// Joins `left` and `right`. `progress` is called between chunks of left
/// rows and may stop the join.
pub fn join(
    left: &RecordBatch,
    right: &RecordBatch,
    spec: &JoinSpec,
    progress: &mut Progress,
) -> Result<(RecordBatch, JoinStats), OpsError> {
    join_keeping(left, right, spec, &|_| true, progress)
}

/// [`join`], making only the output columns whose names `keep` accepts
/// (a recipe's later steps read no others). Names are chosen as if all
/// were made, so the kept ones are named as [`join`] names them.
pub fn join_keeping(
    left: &RecordBatch,
    right: &RecordBatch,
    spec: &JoinSpec,
    keep: &dyn Fn(&str) -> bool,
    progress: &mut Progress,
) -> Result<(RecordBatch, JoinStats), OpsError> {
    let matched = Matched::find(left, right, spec, progress)?;
    let batch = matched.columns(0..matched.rows(), keep)?;
    Ok((batch, matched.stats))
}

/// A join's rows found but not made: for each output row, the row of each
/// side it comes from. [`Matched::columns`] makes any run of them, so a
/// join followed by a group-by can be made and measured a part at a time
/// and never be whole.
pub struct Matched<'a> {
    left: &'a RecordBatch,
    right: &'a RecordBatch,
    spec: &'a JoinSpec,
    left_keys: Vec<usize>,
    right_keys: Vec<usize>,
    /// Row numbers to take from each side; MISSING where a side has none.
    left_take: Vec<u32>,
    right_take: Vec<u32>,
    pub stats: JoinStats,
}

impl<'a> Matched<'a> {
    /// Matches the rows of `left` and `right`. `progress` is called between
    /// chunks of left rows and may stop it.
    pub fn find(
        left: &'a RecordBatch,
        right: &'a RecordBatch,
        spec: &'a JoinSpec,
        progress: &mut Progress,
    ) -> Result<Matched<'a>, OpsError> {
        if spec.left_on.is_empty() || spec.left_on.len() != spec.right_on.len() {
            return Err(OpsError::Invalid(format!(
                "a join needs as many key columns on the right ({}) as on the left ({}), at least one",
                spec.right_on.len(),
                spec.left_on.len()
            )));
        }
        let left_keys: Vec<usize> = spec
            .left_on
            .iter()
            .map(|name| column_index(left, name, "the left table"))
            .collect::<Result<_, _>>()?;
        let right_keys: Vec<usize> = spec
            .right_on
            .iter()
            .map(|name| column_index(right, name, "the right table"))
            .collect::<Result<_, _>>()?;
        let left_columns: Vec<ArrayRef> =
            left_keys.iter().map(|&i| left.column(i).clone()).collect();
        let right_columns: Vec<ArrayRef> = right_keys
            .iter()
            .map(|&i| right.column(i).clone())
            .collect();
        let (lk, rk) = Keys::pair(&left_columns, &right_columns, spec.normalize);
        let index = Index::build(&rk);
        let exact = index.exact();

        let mut probe = Probe::new(spec.kind, left.num_rows(), right.num_rows());
        // At most one right row per key and a dense index: the common
        // join of a fact table with a dimension, probed in batches.
        let unique = index.unique();
        for start in (0..left.num_rows()).step_by(CHUNK) {
            if progress(start as u64, left.num_rows() as u64).is_break() {
                return Err(OpsError::Cancelled);
            }
            let end = (start + CHUNK).min(left.num_rows());
            // A dense index is probed by positions computed a column at a
            // time, a chunk of rows at a time.
            let positions = index.positions(&lk, start..end);
            match (unique, &positions) {
                (Some(heads), Some(positions)) => {
                    probe.batch(heads, positions, start, &left_columns);
                }
                _ => {
                    for row in start..end {
                        let candidates = match &positions {
                            Some(p) => index.at(p[row - start]),
                            None => index.candidates(&lk, row),
                        };
                        let matches =
                            candidates.filter(|&other| exact || lk.equal(row, &rk, other));
                        probe.row(row, matches, &left_columns)?;
                    }
                }
            }
            probe.fits()?;
        }
        let Probe {
            mut stats,
            left_take,
            right_take,
            ..
        } = probe.right_rows(&right_columns);
        stats.left_rows = left.num_rows() as u64;
        stats.right_rows = right.num_rows() as u64;
        stats.right_duplicates = duplicates(&rk, &index);
        stats.output_rows = left_take.len() as u64;
        // Finished: a stop asked for now comes too late to matter.
        let _ = progress(left.num_rows() as u64, left.num_rows() as u64);
        Ok(Matched {
            left,
            right,
            spec,
            left_keys,
            right_keys,
            left_take,
            right_take,
            stats,
        })
    }

    /// The number of output rows.
    pub fn rows(&self) -> usize {
        self.left_take.len()
    }

    /// The output's columns that `keep` accepts, by name, each with where
    /// it comes from.
    fn fields(&self, keep: &dyn Fn(&str) -> bool) -> Vec<(String, Source)> {
        output_fields(self.left, self.right, self.spec, &self.right_keys, keep)
    }

    /// Output rows `range` with only the columns whose names `keep`
    /// accepts.
    pub fn columns(
        &self,
        range: std::ops::Range<usize>,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<RecordBatch, OpsError> {
        let (left, right, spec) = (self.left, self.right, self.spec);
        let left_take = self.left_take.get(range.clone()).unwrap_or_default();
        let right_take = self.right_take.get(range).unwrap_or_default();
        // The output's bytes are counted column by column before each is
        // made, so a join of few rows but long texts (a self-join on a key
        // that repeats) is refused before it fills the browser's memory.
        let mut bytes: u64 = 0;
        let mut budget = |column: &dyn Array, rows: &[u32]| -> Result<(), OpsError> {
            bytes = bytes.saturating_add(taken_bytes(column, rows));
            if bytes > MAX_OUTPUT_BYTES {
                Err(OpsError::TooManyBytes {
                    what: "the join",
                    bytes,
                    limit: MAX_OUTPUT_BYTES,
                })
            } else {
                Ok(())
            }
        };
        let mut fields: Vec<Field> = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (name, source) in self.fields(keep) {
            match source {
                Source::Left(i) => {
                    let field = left.schema_ref().field(i).clone();
                    let column = left.column(i);
                    // A key of a right row without a match comes from the right.
                    let key = self.left_keys.iter().position(|&k| k == i);
                    let from_right = key
                        .and_then(|k| self.right_keys.get(k))
                        .map(|&r| right.column(r))
                        .filter(|r| {
                            matches!(spec.kind, JoinKind::Right | JoinKind::Full)
                                && r.data_type() == column.data_type()
                        });
                    budget(column.as_ref(), left_take)?;
                    let column = match from_right {
                        Some(r) => {
                            let picks =
                                left_take
                                    .iter()
                                    .zip(right_take)
                                    .map(|(&l, &r)| match (l, r) {
                                        (MISSING, MISSING) => None,
                                        (MISSING, r) => Some((1, r as usize)),
                                        (l, _) => Some((0, l as usize)),
                                    });
                            gather(&[column.as_ref(), r.as_ref()], picks)?
                        }
                        None => take(column.as_ref(), left_take)?,
                    };
                    fields.push(field.with_nullable(true));
                    columns.push(column);
                }
                Source::Right(i) => {
                    let field = right.schema_ref().field(i);
                    let column = right.column(i);
                    budget(column.as_ref(), right_take)?;
                    fields.push(Field::new(name, field.data_type().clone(), true));
                    columns.push(take(column.as_ref(), right_take)?);
                }
            }
        }
        Ok(RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(left_take.len())),
        )?)
    }
}

/// What a right column's name takes while the output has that name
/// already.
pub const RIGHT: &str = "_right";

/// The names of a join's output columns, as [`join`] names them; `None`
/// when a key column is missing (the join itself says which).
pub fn output_names(
    left: &RecordBatch,
    right: &RecordBatch,
    spec: &JoinSpec,
) -> Option<Vec<String>> {
    let right_keys: Vec<usize> = spec
        .right_on
        .iter()
        .map(|name| right.schema_ref().index_of(name).ok())
        .collect::<Option<_>>()?;
    spec.left_on
        .iter()
        .all(|name| left.schema_ref().index_of(name).is_ok())
        .then(|| {
            output_fields(left, right, spec, &right_keys, &|_| true)
                .into_iter()
                .map(|(name, _)| name)
                .collect()
        })
}

/// The output's columns that `keep` accepts, by name, each with where it
/// comes from: every left column, then the right ones (without the keys
/// when both sides name them alike), a name taken already followed by
/// `_right`. Semi and anti joins make the left columns only.
fn output_fields(
    left: &RecordBatch,
    right: &RecordBatch,
    spec: &JoinSpec,
    right_keys: &[usize],
    keep: &dyn Fn(&str) -> bool,
) -> Vec<(String, Source)> {
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, field) in left.schema().fields().iter().enumerate() {
        names.push(field.name().clone());
        if keep(field.name()) {
            out.push((field.name().clone(), Source::Left(i)));
        }
    }
    if !matches!(spec.kind, JoinKind::Semi | JoinKind::Anti) {
        for (i, field) in right.schema().fields().iter().enumerate() {
            if right_keys.contains(&i) && spec.left_on == spec.right_on {
                continue;
            }
            let mut name = field.name().clone();
            while names.contains(&name) {
                name.push_str(RIGHT);
            }
            names.push(name.clone());
            if keep(&name) {
                out.push((name, Source::Right(i)));
            }
        }
    }
    out
}

/// Where an output column comes from: a column of the left or the right
/// table, by its place there.
#[derive(Debug, Clone, Copy)]
enum Source {
    Left(usize),
    Right(usize),
}

const _: () = assert!(
    MISSING == u32::MAX,
    "an empty slot of the index reads as MISSING"
);

/// A probe's findings so far: the output rows (the row of each side) and
/// the diagnostics.
struct Probe {
    kind: JoinKind,
    /// Whether output rows take right columns (not a semi or anti join).
    pairs: bool,
    stats: JoinStats,
    /// Per right row, whether it matched; one more place, which the
    /// batched probe marks for left rows without a match instead of
    /// branching.
    seen: Vec<bool>,
    left_take: Vec<u32>,
    right_take: Vec<u32>,
}

impl Probe {
    fn new(kind: JoinKind, left_rows: usize, right_rows: usize) -> Probe {
        let pairs = !matches!(kind, JoinKind::Semi | JoinKind::Anti);
        // Room for one output row per left row: most joins need about that.
        let room = if pairs {
            left_rows.min(MAX_OUTPUT_ROWS)
        } else {
            0
        };
        Probe {
            kind,
            pairs,
            stats: JoinStats::default(),
            seen: vec![false; right_rows + 1],
            left_take: Vec::with_capacity(room),
            right_take: Vec::with_capacity(room),
        }
    }

    /// Left row `row`, whose right rows are `matches`. A semi or anti
    /// join reads them all too: every right row that matches counts as
    /// matched.
    fn row(
        &mut self,
        row: usize,
        matches: impl Iterator<Item = usize>,
        left_keys: &[ArrayRef],
    ) -> Result<(), OpsError> {
        let mut matched = false;
        for other in matches {
            matched = true;
            if let Some(seen) = self.seen.get_mut(other) {
                *seen = true;
            }
            if self.pairs {
                self.left_take.push(row as u32);
                self.right_take.push(other as u32);
            }
        }
        if matched {
            self.stats.left_matched += 1;
        } else {
            self.unmatched(left_keys, row);
        }
        match self.kind {
            JoinKind::Left | JoinKind::Full if !matched => {
                self.left_take.push(row as u32);
                self.right_take.push(MISSING);
            }
            JoinKind::Semi if matched => self.left_take.push(row as u32),
            JoinKind::Anti if !matched => self.left_take.push(row as u32),
            _ => {}
        }
        // A left row may match many right rows: checked after each.
        self.fits()
    }

    /// The left rows `start..` whose dense positions are `positions`,
    /// against an index with at most one right row per key (`heads`: the
    /// row at each position, or MISSING). One pass without a branch per
    /// row: each row's right row is read, marked as seen, and both are
    /// written at the next output place, which advances only when the row
    /// is kept. A batch adds at most a row per left row.
    fn batch(&mut self, heads: &[u32], positions: &[u32], start: usize, left_keys: &[ArrayRef]) {
        let sink = self.seen.len().saturating_sub(1);
        let from = self.left_take.len();
        self.left_take.resize(from + positions.len(), 0);
        if self.pairs {
            self.right_take.resize(from + positions.len(), 0);
        }
        let (mut n, mut matched) = (0, 0);
        {
            let l = &mut self.left_take[from..];
            let r = if self.pairs {
                &mut self.right_take[from..]
            } else {
                &mut [][..]
            };
            for (i, &p) in positions.iter().enumerate() {
                let other = heads.get(p as usize).copied().unwrap_or(MISSING);
                let hit = other != MISSING;
                if let Some(s) = self.seen.get_mut((other as usize).min(sink)) {
                    *s = true;
                }
                if let Some(at) = l.get_mut(n) {
                    *at = (start + i) as u32;
                }
                if let Some(at) = r.get_mut(n) {
                    *at = other;
                }
                matched += usize::from(hit);
                n += usize::from(match self.kind {
                    JoinKind::Left | JoinKind::Full => true,
                    JoinKind::Inner | JoinKind::Right | JoinKind::Semi => hit,
                    JoinKind::Anti => !hit,
                });
            }
        }
        self.left_take.truncate(from + n);
        if self.pairs {
            self.right_take.truncate(from + n);
        }
        self.stats.left_matched += matched as u64;
        // The unmatched keys' sample: the batch read again while it is short.
        let wanted = SAMPLE.saturating_sub(self.stats.left_unmatched_sample.len());
        let missing = |p: &u32| heads.get(*p as usize).is_none_or(|&h| h == MISSING);
        let rows = (start..).zip(positions).filter(|(_, p)| missing(p));
        for (row, _) in rows.take(wanted) {
            self.unmatched(left_keys, row);
        }
    }

    /// Notes left row `row` as unmatched in the sample, while it is short.
    fn unmatched(&mut self, left_keys: &[ArrayRef], row: usize) {
        if self.stats.left_unmatched_sample.len() < SAMPLE {
            self.stats
                .left_unmatched_sample
                .push(key_text(left_keys, row));
        }
    }

    /// An error when the output has grown past [`MAX_OUTPUT_ROWS`].
    fn fits(&self) -> Result<(), OpsError> {
        if self.left_take.len() > MAX_OUTPUT_ROWS {
            return Err(OpsError::TooLarge {
                what: "the join",
                rows: self.left_take.len() as u64,
                limit: MAX_OUTPUT_ROWS as u64,
            });
        }
        Ok(())
    }

    /// After the left rows: the right rows' diagnostics, and (right and
    /// full joins) their unmatched rows appended.
    fn right_rows(mut self, right_keys: &[ArrayRef]) -> Probe {
        let rows = self.seen.len().saturating_sub(1);
        for row in 0..rows {
            if self.seen[row] {
                self.stats.right_matched += 1;
                continue;
            }
            if self.stats.right_unmatched_sample.len() < SAMPLE {
                self.stats
                    .right_unmatched_sample
                    .push(key_text(right_keys, row));
            }
            if matches!(self.kind, JoinKind::Right | JoinKind::Full) {
                self.left_take.push(MISSING);
                self.right_take.push(row as u32);
            }
        }
        self
    }
}

/// Right rows whose key another right row shares.
fn duplicates(keys: &Keys, index: &Index) -> u64 {
    (0..keys.rows())
        .filter(|&row| {
            index
                .candidates(keys, row)
                .any(|other| other != row && keys.equal(row, keys, other))
        })
        .count() as u64
}

fn key_text(columns: &[ArrayRef], row: usize) -> String {
    columns
        .iter()
        .map(|c| formatter(c.as_ref())(row).unwrap_or_else(|| "∅".into()))
        .collect::<Vec<_>>()
        .join(" · ")
}
