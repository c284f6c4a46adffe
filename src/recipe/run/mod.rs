//! Running a checked recipe on its input tables: each step in turn on one
//! table, with the kernels of `ops`. The same code runs in the browser's
//! worker and in the command-line tool, so both produce the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Field, Schema};

use crate::data::values::sort_rows;
use crate::ml::MlError;
use crate::ops::derive::derive;
use crate::ops::gather::kept_rows;
use crate::ops::gather::take;
use crate::ops::group::group_by;
use crate::ops::join::{JoinKind, JoinStats, RIGHT, join_keeping};
use crate::ops::reshape::{pivot, union, unpivot};
use crate::ops::{Progress, column_index};
use crate::recipe::error::{RecipeError, StepError};
use crate::recipe::filter::matches;
use crate::recipe::{Predicate, Recipe, Step};

mod parts;
pub(crate) use parts::join_then_group;
use parts::{filter_then_group, join_in_parts};

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    pub rows: u64,
    /// For a join: how well the tables linked.
    pub join: Option<JoinStats>,
}

/// Why a run stopped (the error names the step, or none when it stopped
/// before any) and what the steps before it did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    pub error: RecipeError,
    pub reports: Vec<StepReport>,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// Runs `recipe` on `tables` (its inputs by name). Errors name the step.
pub fn run(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    progress: &mut Progress,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    let mut on_step = |_: usize, done: u64, total: u64| progress(done, total);
    run_with(recipe, tables, &mut on_step, Plan::fast(&recipe.steps))
}

/// Called with (step, rows done, rows in all) as a run goes: at the start
/// of each step and between chunks of the kernels that report.
pub type StepProgress<'a> = dyn FnMut(usize, u64, u64) -> ControlFlow<()> + 'a;

/// [`run`], telling `on_step` how far it is, and starting where `resume`
/// holds the same recipe's place (see [`Resume`]).
pub fn run_steps(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
    resume: &mut Resume,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    run_from(recipe, tables, on_step, Plan::fast(&recipe.steps), resume)
}

/// Where a run stopped to hand a learning step's jobs to helper workers
/// (`MlError::Handed`, see `engine::helpers`): the table that step
/// received and the reports of the steps before it. The same recipe run
/// again (once the helpers have answered) starts at that step instead of
/// running the steps before it a second time. A run takes what is held,
/// so a place is used once, and only by the recipe whose inputs and
/// steps before it are the same.
#[derive(Debug, Default)]
pub struct Resume(Option<Held>);

#[derive(Debug)]
struct Held {
    inputs: Vec<crate::recipe::Input>,
    steps: Vec<Step>,
    table: RecordBatch,
    reports: Vec<StepReport>,
}

impl Resume {
    /// The place held for `recipe`: the step to start at, its table and
    /// the reports before it. Whatever was held is forgotten.
    fn take_for(&mut self, recipe: &Recipe) -> Option<(usize, RecordBatch, Vec<StepReport>)> {
        let held = self.0.take()?;
        let at = held.steps.len();
        (held.inputs == recipe.inputs && recipe.steps.get(..at) == Some(&held.steps[..]))
            .then_some((at, held.table, held.reports))
    }
}

/// [`run`] with every column of every step made, to test that leaving
/// out the unread ones changes nothing.
#[cfg(test)]
pub(crate) fn run_unpruned(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    let all = vec![Needed::All; recipe.steps.len()];
    run_with(
        recipe,
        tables,
        &mut |_, _, _| ControlFlow::Continue(()),
        Plan {
            needed: all,
            fuse: false,
            part_rows: PART_ROWS,
        },
    )
}

/// [`run`] with a join and the group-by after it made and measured in
/// parts of `part_rows` rows, to test parts smaller than a table.
#[cfg(test)]
pub(crate) fn run_in_parts(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    part_rows: usize,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    let plan = Plan {
        part_rows,
        ..Plan::fast(&recipe.steps)
    };
    run_with(
        recipe,
        tables,
        &mut |_, _, _| ControlFlow::Continue(()),
        plan,
    )
}

/// How to run: the columns each step must make, and whether steps run
/// together (a filter and the group-by after it as one pass; a join, the
/// derived columns and the group-by after it in parts of `part_rows`).
struct Plan {
    needed: Vec<Needed>,
    fuse: bool,
    part_rows: usize,
}

/// The rows of a join's output made at a time when a group-by follows it:
/// enough that each part's loops run long, few enough that a part's
/// columns stay in the processor's cache.
const PART_ROWS: usize = 16_384;

impl Plan {
    fn fast(steps: &[Step]) -> Plan {
        Plan {
            needed: needs(steps).0,
            fuse: true,
            part_rows: PART_ROWS,
        }
    }
}

fn run_with(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
    plan: Plan,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    run_from(recipe, tables, on_step, plan, &mut Resume::default())
}

fn run_from(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
    plan: Plan,
    resume: &mut Resume,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    let whole = |error: RecipeError| RunError {
        error,
        reports: Vec::new(),
    };
    let first = recipe
        .inputs
        .first()
        .ok_or_else(|| whole(RecipeError::NoInput))?;
    let (mut n, mut table, mut reports) = match resume.take_for(recipe) {
        Some(held) => held,
        None => {
            let table = tables
                .get(&first.name)
                .cloned()
                .ok_or_else(|| whole(RecipeError::NotLoaded(first.name.clone())))?;
            (0, table, Vec::new())
        }
    };
    let failed = |n: usize, e: StepError, reports: Vec<StepReport>| RunError {
        error: RecipeError::Step {
            index: n,
            kind: recipe.steps[n].kind(),
            error: Box::new(e),
        },
        reports,
    };
    while n < recipe.steps.len() {
        let step = &recipe.steps[n];
        let _ = on_step(n, 0, table.num_rows() as u64);
        // A filter and the group-by after it: one pass, the predicate
        // tested a part at a time and the group-by reading the kept rows
        // of each part in place.
        if plan.fuse
            && let (Step::Filter { predicate }, Some(Step::GroupBy { by, measures })) =
                (step, recipe.steps.get(n + 1))
        {
            let mut on = |k: usize, done, total| on_step(n + k, done, total);
            match filter_then_group(&table, predicate, by, measures, plan.part_rows, &mut on) {
                Ok((next, kept)) => {
                    reports.push(StepReport {
                        rows: kept,
                        join: None,
                    });
                    reports.push(StepReport {
                        rows: next.num_rows() as u64,
                        join: None,
                    });
                    table = next;
                    n += 2;
                    continue;
                }
                Err(Some((k, e))) => return Err(failed(n + k, e, reports)),
                // Any other failure is said by the steps one at a time.
                Err(None) => {}
            }
        }
        // A join, derived columns and a group-by: the join's output made
        // and measured a part at a time, never whole.
        if plan.fuse
            && let Some(count) = join_then_group(&recipe.steps[n..], &table, tables)
        {
            let steps = &recipe.steps[n..n + count];
            match join_in_parts(
                steps,
                &table,
                tables,
                plan.part_rows,
                &mut |k, done, total| on_step(n + k, done, total),
                &mut reports,
            ) {
                Ok(next) => table = next,
                Err((k, e)) => return Err(failed(n + k, e, reports)),
            }
            n += count;
            continue;
        }
        let mut progress = |done, total| on_step(n, done, total);
        match apply(step, &table, tables, &plan.needed[n], &mut progress) {
            Ok((next, join)) => {
                reports.push(StepReport {
                    rows: next.num_rows() as u64,
                    join,
                });
                table = next;
            }
            Err(StepError::Ml(MlError::Handed)) => {
                resume.0 = Some(Held {
                    inputs: recipe.inputs.clone(),
                    steps: recipe.steps[..n].to_vec(),
                    table,
                    reports: reports.clone(),
                });
                return Err(failed(n, StepError::Ml(MlError::Handed), reports));
            }
            Err(e) => return Err(failed(n, e, reports)),
        }
        n += 1;
    }
    Ok((table, reports))
}

/// The columns later steps (and the result) read from a step's output:
/// all, or these names.
#[derive(Debug, Clone, PartialEq)]
enum Needed {
    All,
    Some(BTreeSet<String>),
}

impl Needed {
    fn contains(&self, name: &str) -> bool {
        match self {
            Needed::All => true,
            Needed::Some(names) => names.contains(name),
        }
    }

    /// These, less `removed`, plus `added`.
    fn with(&self, removed: &[&str], added: &[&str]) -> Needed {
        match self {
            Needed::All => Needed::All,
            Needed::Some(names) => {
                let mut names = names.clone();
                for r in removed {
                    names.remove(*r);
                }
                names.extend(added.iter().map(|a| a.to_string()));
                Needed::Some(names)
            }
        }
    }
}

fn only<'a>(names: impl IntoIterator<Item = &'a String>) -> Needed {
    Needed::Some(names.into_iter().cloned().collect())
}

/// For each step, the columns of its output that are read later: steps
/// that make few columns (select, group-by, pivot) bound what the steps
/// before them must make. A join makes only those (its largest cost is
/// copying columns nobody reads).
fn needs(steps: &[Step]) -> (Vec<Needed>, Needed) {
    let mut needed = vec![Needed::All; steps.len()];
    let mut after = Needed::All;
    for (n, step) in steps.iter().enumerate().rev() {
        needed[n] = after.clone();
        after = match step {
            Step::Select { columns } => only(columns),
            Step::Rename { from, to } => after.with(&[to], &[from]),
            Step::Filter { predicate } => after.with(&[], &predicate_columns(predicate)),
            Step::Join { spec, .. } => {
                // A right column is named after the left ones it meets
                // (`x` becomes `x_right` beside a left `x`): a name read
                // later with that ending may need a left column that is
                // read nowhere, so then the left is made whole.
                let keys: Vec<&str> = spec.left_on.iter().map(String::as_str).collect();
                match &after {
                    Needed::Some(names) if names.iter().any(|n| n.ends_with(RIGHT)) => Needed::All,
                    _ => after.with(&[], &keys),
                }
            }
            Step::Derive { name, formula } => after.with(&[name], &formula.columns()),
            Step::Cluster { features, name, .. } => {
                let columns: Vec<&str> = features.columns.iter().map(String::as_str).collect();
                after.with(&[name.as_str()], &columns)
            }
            Step::Anomaly { features, name, .. } => {
                let columns: Vec<&str> = features.columns.iter().map(String::as_str).collect();
                let flag = crate::recipe::learn::anomaly::flag_name(name);
                after.with(&[name.as_str(), flag.as_str()], &columns)
            }
            Step::Project {
                features,
                components,
                prefix,
                ..
            } => {
                let columns: Vec<&str> = features.columns.iter().map(String::as_str).collect();
                let made = crate::recipe::learn::projected_names(prefix, *components);
                let made: Vec<&str> = made.iter().map(String::as_str).collect();
                after.with(&made, &columns)
            }
            Step::GroupBy { by, measures } => only(
                by.iter()
                    .chain(measures.iter().filter_map(|m| m.column.as_ref())),
            ),
            Step::Sort { column, .. } => after.with(&[], &[column]),
            Step::Limit { .. } | Step::Union { .. } => after,
            Step::Pivot {
                index,
                column,
                values,
                ..
            } => only(index.iter().chain([column, values])),
            Step::Unpivot {
                columns,
                name,
                value,
            } => {
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                after.with(&[name, value], &columns)
            }
        };
    }
    (needed, after)
}

/// The columns of each input (by input name) that the recipe's steps and
/// its result read, or `None` for all of them: a reader may leave the
/// others out (as `datalabb run` and the browser do for a Parquet file).
/// Of a join's other input: the columns read later under their own name,
/// and its keys; all of it when a name ending in `_right` is read later
/// (such a name depends on the left's columns). Of an appended input: the
/// columns read later. An input not used by any step needs none.
pub fn input_columns(recipe: &Recipe) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let (needed, first) = needs(&recipe.steps);
    let mut columns: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    let mut add = |input: &str, wanted: Needed| {
        let entry = columns
            .entry(input.to_string())
            .or_insert_with(|| Some(BTreeSet::new()));
        match (entry.as_mut(), wanted) {
            (Some(names), Needed::Some(more)) => names.extend(more),
            (_, Needed::All) => *entry = None,
            (None, _) => {}
        }
    };
    for input in &recipe.inputs {
        add(&input.name, Needed::Some(BTreeSet::new()));
    }
    if let Some(input) = recipe.inputs.first() {
        add(&input.name, first);
    }
    for (step, after) in recipe.steps.iter().zip(needed) {
        match step {
            Step::Join { input, spec } => {
                let keys = only(&spec.right_on);
                let wanted = match after {
                    _ if matches!(spec.kind, JoinKind::Semi | JoinKind::Anti) => keys,
                    Needed::Some(names) if !names.iter().any(|n| n.ends_with(RIGHT)) => {
                        keys.with(&[], &names.iter().map(String::as_str).collect::<Vec<_>>())
                    }
                    _ => Needed::All,
                };
                add(input, wanted);
            }
            Step::Union { input } => add(input, after),
            _ => {}
        }
    }
    columns
}

fn predicate_columns(predicate: &Predicate) -> Vec<&str> {
    match predicate {
        Predicate::Compare { column, .. }
        | Predicate::In { column, .. }
        | Predicate::IsNull { column } => vec![column],
        Predicate::And { all: list } | Predicate::Or { any: list } => {
            list.iter().flat_map(predicate_columns).collect()
        }
        Predicate::Not { not } => predicate_columns(not),
    }
}

fn apply(
    step: &Step,
    table: &RecordBatch,
    tables: &BTreeMap<String, RecordBatch>,
    needed: &Needed,
    progress: &mut Progress,
) -> Result<(RecordBatch, Option<JoinStats>), StepError> {
    let index = |name: &str| column_index(table, name, "the table");
    let batch = match step {
        Step::Select { columns } => {
            let indices = columns
                .iter()
                .map(|c| index(c))
                .collect::<Result<Vec<_>, _>>()?;
            table.project(&indices)?
        }
        Step::Rename { from, to } => {
            let at = index(from)?;
            let schema = table.schema();
            let fields: Vec<Field> = schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let f = f.as_ref().clone();
                    if i == at { f.with_name(to) } else { f }
                })
                .collect();
            RecordBatch::try_new(Arc::new(Schema::new(fields)), table.columns().to_vec())?
        }
        Step::Filter { predicate } => {
            let rows = kept_rows(&matches(predicate, table)?);
            // Only the columns later steps read are gathered.
            take_rows(&read_later(table, needed)?, rows)?
        }
        Step::Join { input, spec } => {
            let right = tables
                .get(input)
                .ok_or_else(|| StepError::NotLoaded(input.clone()))?;
            let keep = |name: &str| needed.contains(name);
            let (batch, stats) = join_keeping(table, right, spec, &keep, progress)?;
            return Ok((batch, Some(stats)));
        }
        Step::Derive { name, formula } => derive(table, name, formula, progress)?,
        Step::Cluster {
            features,
            method,
            name,
        } => crate::recipe::learn::cluster(table, features, method, name, progress)?,
        Step::Project {
            features,
            components,
            prefix,
            method,
        } => crate::recipe::learn::project(table, features, *components, prefix, method, progress)?,
        Step::Anomaly {
            features,
            method,
            flag,
            name,
        } => crate::recipe::learn::anomaly::anomaly(table, features, method, flag, name, progress)?,
        Step::GroupBy { by, measures } => group_by(table, by, measures, progress)?,
        Step::Sort { column, descending } => {
            let at = index(column)?;
            let mut rows: Vec<u32> = (0..table.num_rows() as u32).collect();
            sort_rows(table.column(at).as_ref(), &mut rows, *descending);
            take_rows(table, rows)?
        }
        Step::Union { input } => {
            let other = tables
                .get(input)
                .ok_or_else(|| StepError::NotLoaded(input.clone()))?;
            union(table, other)?
        }
        Step::Pivot {
            index,
            column,
            values,
            keys,
            aggregate,
        } => pivot(table, index, column, values, keys, *aggregate, progress)?,
        Step::Unpivot {
            columns,
            name,
            value,
        } => unpivot(table, columns, name, value)?,
        Step::Limit { rows } => {
            let n = usize::try_from(*rows)
                .unwrap_or(usize::MAX)
                .min(table.num_rows());
            table.slice(0, n)
        }
    };
    Ok((batch, None))
}

/// `table` with only the columns `needed` names, in their order.
fn read_later(table: &RecordBatch, needed: &Needed) -> Result<RecordBatch, StepError> {
    match needed {
        Needed::All => Ok(table.clone()),
        Needed::Some(names) => {
            let indices: Vec<usize> = (0..table.num_columns())
                .filter(|&i| names.contains(table.schema_ref().field(i).name()))
                .collect();
            Ok(table.project(&indices)?)
        }
    }
}

fn take_rows(table: &RecordBatch, rows: Vec<u32>) -> Result<RecordBatch, StepError> {
    let columns = table
        .columns()
        .iter()
        .map(|c| take(c.as_ref(), &rows))
        .collect::<Result<Vec<ArrayRef>, _>>()?;
    RecordBatch::try_new_with_options(
        table.schema(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows.len())),
    )
    .map_err(StepError::from)
}
