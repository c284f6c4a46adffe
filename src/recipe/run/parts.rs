//! Steps run together over parts of a table, never made whole: a filter
//! and the group-by after it, and a join with the derived columns and the
//! group-by after it. Each gives the bits of running the steps one at a
//! time.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use arrow::array::RecordBatch;

use super::{StepProgress, StepReport, predicate_columns};
use crate::error::OpsError;
use crate::ops::column_index;
use crate::ops::derive::{Formula, derive};
use crate::ops::gather::add_kept_rows;
use crate::ops::group::{Grouping, group_by_rows};
use crate::ops::join::{Matched, output_names};
use crate::recipe::error::StepError;
use crate::recipe::filter::matches;
use crate::recipe::{Predicate, Step};

/// A filter and the group-by after it in one pass over parts of
/// `part_rows` rows: each part's rows are tested, and the kept ones are
/// folded in place (without keys) or listed for the grouping (with keys),
/// so neither a mark per row of the whole table nor the kept rows'
/// columns are made. The folds see the kept rows in table order, so the
/// result has the bits of gathering them first. Returns the table and how
/// many rows the filter kept; `Err(None)` when the steps would fail (the
/// caller runs them one at a time, which says why), `Err(Some)` when the
/// run is cancelled (with the step, 0 or 1, it was in).
pub(super) fn filter_then_group(
    table: &RecordBatch,
    predicate: &Predicate,
    by: &[String],
    measures: &[crate::ops::group::Measure],
    part_rows: usize,
    on_step: &mut StepProgress,
) -> Result<(RecordBatch, u64), Option<(usize, StepError)>> {
    // Only the columns the two steps read are sliced into parts.
    let mut read: Vec<&str> = predicate_columns(predicate);
    read.extend(by.iter().map(String::as_str));
    read.extend(measures.iter().filter_map(|m| m.column.as_deref()));
    let indices: Vec<usize> = (0..table.num_columns())
        .filter(|&i| read.contains(&table.schema_ref().field(i).name().as_str()))
        .collect();
    let read = table.project(&indices).map_err(|_| None)?;
    let rows = read.num_rows();
    let part_rows = part_rows.max(1);
    let cancelled = |k: usize| Some((k, StepError::from(OpsError::Cancelled)));
    // Without keys the kept rows are folded part by part; with keys (or a
    // distinct count, made of all rows at once) they are listed, since a
    // row's group is found from all the keys at once.
    let mut grouping = if by.is_empty() && Grouping::in_parts(measures) {
        let mut none = |_, _| ControlFlow::Continue(());
        Some(
            Grouping::new(Vec::new(), rows, measures, &read.schema(), &mut none)
                .map_err(|_| None)?,
        )
    } else {
        None
    };
    let mut listed: Vec<u32> = Vec::new();
    let mut kept_here: Vec<u32> = Vec::with_capacity(part_rows.min(rows));
    let mut kept = 0u64;
    let mut start = 0;
    // At least one part, so that an empty table's predicate is checked.
    loop {
        if on_step(0, start as u64, rows as u64).is_break() {
            return Err(cancelled(0));
        }
        let len = part_rows.min(rows - start);
        let part = read.slice(start, len);
        let keep = matches(predicate, &part).map_err(|_| None)?;
        match &mut grouping {
            Some(grouping) => {
                kept_here.clear();
                add_kept_rows(&keep, 0, &mut kept_here);
                kept += kept_here.len() as u64;
                grouping.add(&part, Some(&kept_here)).map_err(|_| None)?;
            }
            None => {
                let before = listed.len();
                add_kept_rows(&keep, start as u32, &mut listed);
                kept += (listed.len() - before) as u64;
            }
        }
        start += len;
        if start >= rows {
            break;
        }
    }
    let _ = on_step(1, 0, kept);
    let grouped = match grouping {
        Some(grouping) => grouping.finish(),
        None => {
            let mut progress = |done, total| on_step(1, done, total);
            group_by_rows(&read, Some(&listed), by, measures, &mut progress)
        }
    };
    match grouped {
        Ok(table) => Ok((table, kept)),
        Err(OpsError::Cancelled) => Err(cancelled(1)),
        Err(_) => Err(None),
    }
}

/// How many of `steps` run as a join made in parts: a join, derived
/// columns of one row each (arithmetic, logarithm), then a group-by whose
/// keys come from the join and whose measures can be fed in parts. `None`
/// when they do not, or when a step would fail: then the steps run one by
/// one and say so as they always do.
pub(crate) fn join_then_group(
    steps: &[Step],
    table: &RecordBatch,
    tables: &BTreeMap<String, RecordBatch>,
) -> Option<usize> {
    let Some(Step::Join { input, spec }) = steps.first() else {
        return None;
    };
    let joined = output_names(table, tables.get(input)?, spec)?;
    let mut names: BTreeSet<&str> = joined.iter().map(String::as_str).collect();
    if names.len() != joined.len() {
        return None;
    }
    let mut derived = BTreeSet::new();
    for (k, step) in steps.iter().enumerate().skip(1) {
        match step {
            Step::Derive { name, formula } => {
                let row_wise = matches!(formula, Formula::Arithmetic { .. } | Formula::Log { .. });
                let read = formula.columns();
                if !row_wise
                    || names.contains(name.as_str())
                    || !read.iter().all(|c| names.contains(c))
                {
                    return None;
                }
                names.insert(name);
                derived.insert(name.as_str());
            }
            Step::GroupBy { by, measures } => {
                let keys_joined = by
                    .iter()
                    .all(|b| names.contains(b.as_str()) && !derived.contains(b.as_str()));
                let read = measures
                    .iter()
                    .filter_map(|m| m.column.as_deref())
                    .all(|c| names.contains(c));
                return (keys_joined && read && Grouping::in_parts(measures)).then_some(k + 1);
            }
            _ => return None,
        }
    }
    None
}

/// Runs `steps` (checked by [`join_then_group`]): the join's rows are
/// matched, each row's group found from the key columns of all of them,
/// then the columns the derived columns and the measures read are made
/// `part_rows` rows at a time, derived and folded into the groups in row
/// order. The same bits as making the join whole: each part's values are
/// those rows' values, and each group's values are folded in the same
/// order. Each step's report is added to `reports` as if it ran alone; an
/// error names its step, counted from the join.
pub(super) fn join_in_parts(
    steps: &[Step],
    table: &RecordBatch,
    tables: &BTreeMap<String, RecordBatch>,
    part_rows: usize,
    on_step: &mut StepProgress,
    reports: &mut Vec<StepReport>,
) -> Result<RecordBatch, (usize, StepError)> {
    let (Some(Step::Join { input, spec }), Some(Step::GroupBy { by, measures })) =
        (steps.first(), steps.last())
    else {
        let error = OpsError::Invalid("not a join and a group-by".into());
        return Err((0, error.into()));
    };
    let derives: Vec<(&String, &Formula)> = steps[1..steps.len() - 1]
        .iter()
        .filter_map(|s| match s {
            Step::Derive { name, formula } => Some((name, formula)),
            _ => None,
        })
        .collect();
    let grouped = steps.len() - 1;
    let right = tables
        .get(input)
        .ok_or_else(|| (0, StepError::NotLoaded(input.clone())))?;
    let matched = Matched::find(table, right, spec, &mut |done, total| {
        on_step(0, done, total)
    })
    .map_err(|e| (0, e.into()))?;
    let rows = matched.rows();
    // The reports of the join and of the derived columns before step `k`
    // (which stopped the run, or the group-by when it is done).
    let mut ran = |k: usize| {
        if k > 0 {
            reports.push(StepReport {
                rows: rows as u64,
                join: Some(matched.stats.clone()),
            });
        }
        reports.extend((1..k).map(|_| StepReport {
            rows: rows as u64,
            join: None,
        }));
    };
    let mut stop = |k: usize, error: StepError| {
        ran(k);
        (k, error)
    };
    let keys = matched
        .columns(0..rows, &|name| by.iter().any(|b| b == name))
        .map_err(|e| stop(0, e.into()))?;
    let keys = by
        .iter()
        .map(|name| {
            let at = column_index(&keys, name, "the table")?;
            Ok((keys.schema_ref().field(at).clone(), keys.column(at).clone()))
        })
        .collect::<Result<Vec<_>, OpsError>>()
        .map_err(|e| stop(grouped, e.into()))?;
    let made: BTreeSet<&str> = derives.iter().map(|(name, _)| name.as_str()).collect();
    let read: BTreeSet<String> = derives
        .iter()
        .flat_map(|(_, formula)| formula.columns())
        .chain(measures.iter().filter_map(|m| m.column.as_deref()))
        .filter(|c| !made.contains(c))
        .map(str::to_string)
        .collect();
    // Rows `range` of the join, with the columns read and the derived ones;
    // an error names the step, counted from the join.
    let part = |range: std::ops::Range<usize>| -> Result<RecordBatch, (usize, OpsError)> {
        let mut part = matched
            .columns(range, &|name| read.contains(name))
            .map_err(|e| (0, e))?;
        for (k, (name, formula)) in derives.iter().enumerate() {
            part = derive(&part, name, formula, &mut crate::ops::no_progress)
                .map_err(|e| (k + 1, e))?;
        }
        Ok(part)
    };
    let part_rows = part_rows.max(1);
    let mut end = part_rows.min(rows);
    // The first part (empty when the join is), which tells the group-by
    // the columns it measures.
    if on_step(grouped, 0, rows as u64).is_break() {
        return Err(stop(grouped, OpsError::Cancelled.into()));
    }
    let first = part(0..end).map_err(|(k, e)| stop(k, e.into()))?;
    let mut progress = |done, total| on_step(grouped, done, total);
    let mut grouping = Grouping::new(keys, rows, measures, &first.schema(), &mut progress)
        .map_err(|e| stop(grouped, e.into()))?;
    grouping
        .add(&first, None)
        .map_err(|e| stop(grouped, e.into()))?;
    while end < rows {
        if on_step(grouped, end as u64, rows as u64).is_break() {
            return Err(stop(grouped, OpsError::Cancelled.into()));
        }
        let start = end;
        end = start.saturating_add(part_rows).min(rows);
        let next = part(start..end).map_err(|(k, e)| stop(k, e.into()))?;
        grouping
            .add(&next, None)
            .map_err(|e| stop(grouped, e.into()))?;
    }
    let table = grouping.finish().map_err(|e| stop(grouped, e.into()))?;
    // Done: the join and every derived column made their rows, then the
    // group-by its groups.
    ran(grouped);
    reports.push(StepReport {
        rows: table.num_rows() as u64,
        join: None,
    });
    Ok(table)
}
