//! Running a checked recipe on its input tables: each step in turn on one
//! table, with the kernels of `ops`. The same code runs in the browser's
//! worker and in the command-line tool, so both produce the same bytes.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{DataType, Date32Type, Field, Schema};

use crate::data::csv::parse_date;
use crate::data::values::{numbers, sort_rows, texts};
use crate::ops::derive::derive;
use crate::ops::gather::take;
use crate::ops::group::group_by;
use crate::ops::join::{JoinStats, join_keeping};
use crate::ops::reshape::{pivot, union, unpivot};
use crate::ops::{Progress, column_index};
use crate::recipe::error::{RecipeError, StepError};
use crate::recipe::{Comparison, Predicate, Recipe, Step, Value};

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
    run_with(recipe, tables, &mut on_step, needed_after(&recipe.steps))
}

/// Called with (step, rows done, rows in all) as a run goes: at the start
/// of each step and between chunks of the kernels that report.
pub type StepProgress<'a> = dyn FnMut(usize, u64, u64) -> ControlFlow<()> + 'a;

/// [`run`], telling `on_step` how far it is.
pub fn run_steps(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    run_with(recipe, tables, on_step, needed_after(&recipe.steps))
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
        all,
    )
}

fn run_with(
    recipe: &Recipe,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
    needed: Vec<Needed>,
) -> Result<(RecordBatch, Vec<StepReport>), RunError> {
    let whole = |error: RecipeError| RunError {
        error,
        reports: Vec::new(),
    };
    let first = recipe
        .inputs
        .first()
        .ok_or_else(|| whole(RecipeError::NoInput))?;
    let mut table = tables
        .get(&first.name)
        .cloned()
        .ok_or_else(|| whole(RecipeError::NotLoaded(first.name.clone())))?;
    let mut reports = Vec::new();
    for (n, step) in recipe.steps.iter().enumerate() {
        let _ = on_step(n, 0, table.num_rows() as u64);
        let mut progress = |done, total| on_step(n, done, total);
        match apply(step, &table, tables, &needed[n], &mut progress) {
            Ok((next, join)) => {
                reports.push(StepReport {
                    rows: next.num_rows() as u64,
                    join,
                });
                table = next;
            }
            Err(e) => {
                return Err(RunError {
                    error: RecipeError::Step {
                        index: n,
                        kind: step.kind(),
                        error: Box::new(e),
                    },
                    reports,
                });
            }
        }
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
fn needed_after(steps: &[Step]) -> Vec<Needed> {
    let mut needed = vec![Needed::All; steps.len()];
    let mut after = Needed::All;
    for (n, step) in steps.iter().enumerate().rev() {
        needed[n] = after.clone();
        after = match step {
            Step::Select { columns } => only(columns),
            Step::Rename { from, to } => after.with(&[to], &[from]),
            Step::Filter { predicate } => after.with(&[], &predicate_columns(predicate)),
            Step::Join { spec, .. } => {
                let keys: Vec<&str> = spec.left_on.iter().map(String::as_str).collect();
                after.with(&[], &keys)
            }
            Step::Derive { name, formula } => after.with(&[name], &formula.columns()),
            Step::Cluster { features, name, .. } => {
                let columns: Vec<&str> = features.columns.iter().map(String::as_str).collect();
                after.with(&[name.as_str()], &columns)
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
    needed
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
            let keep = matches(predicate, table)?;
            let rows: Vec<u32> = keep
                .iter()
                .enumerate()
                .filter(|(_, k)| **k)
                .map(|(i, _)| i as u32)
                .collect();
            take_rows(table, rows)?
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

/// Which rows satisfy `predicate` (null never satisfies a comparison).
fn matches(predicate: &Predicate, table: &RecordBatch) -> Result<Vec<bool>, StepError> {
    let rows = table.num_rows();
    let column = |name: &str| -> Result<&ArrayRef, StepError> {
        Ok(table.column(column_index(table, name, "the table")?))
    };
    Ok(match predicate {
        Predicate::IsNull { column: c } => {
            let c = column(c)?;
            (0..rows).map(|i| c.is_null(i)).collect()
        }
        Predicate::Compare {
            column: c,
            cmp,
            value,
        } => {
            let array = column(c)?;
            compare(array, c, std::slice::from_ref(value), |o| holds(*cmp, o))?
        }
        Predicate::In { column: c, values } => {
            compare(column(c)?, c, values, |o| o == Ordering::Equal)?
        }
        Predicate::And { all } => {
            let mut keep = vec![true; rows];
            for p in all {
                for (k, m) in keep.iter_mut().zip(matches(p, table)?) {
                    *k &= m;
                }
            }
            keep
        }
        Predicate::Or { any } => {
            let mut keep = vec![false; rows];
            for p in any {
                for (k, m) in keep.iter_mut().zip(matches(p, table)?) {
                    *k |= m;
                }
            }
            keep
        }
        Predicate::Not { not } => matches(not, table)?.into_iter().map(|m| !m).collect(),
    })
}

fn holds(cmp: Comparison, order: Ordering) -> bool {
    match cmp {
        Comparison::Eq => order == Ordering::Equal,
        Comparison::Ne => order != Ordering::Equal,
        Comparison::Lt => order == Ordering::Less,
        Comparison::Le => order != Ordering::Greater,
        Comparison::Gt => order == Ordering::Greater,
        Comparison::Ge => order != Ordering::Less,
    }
}

/// Rows whose value compared with any of `values` satisfies `test`.
fn compare(
    array: &ArrayRef,
    name: &str,
    values: &[Value],
    test: impl Fn(Ordering) -> bool,
) -> Result<Vec<bool>, StepError> {
    let rows = array.len();
    let mismatch = |wanted: &'static str| StepError::Mismatch {
        column: name.to_string(),
        data_type: array.data_type().to_string(),
        wanted,
    };
    if let Some(numbers) = numbers(array.as_ref()) {
        let literals = values
            .iter()
            .map(|v| match v {
                Value::Number(x) => Ok(*x),
                _ => Err(mismatch("a number")),
            })
            .collect::<Result<Vec<f64>, _>>()?;
        return Ok(numbers
            .iter()
            .map(|v| v.is_some_and(|v| literals.iter().any(|l| test(v.total_cmp(l)))))
            .collect());
    }
    if *array.data_type() == DataType::Date32 {
        let dates = array
            .as_primitive_opt::<Date32Type>()
            .ok_or_else(|| mismatch("a date"))?;
        let literals = values
            .iter()
            .map(|v| match v {
                Value::Text(t) => {
                    parse_date(t).ok_or_else(|| mismatch("a date such as \"2024-01-31\""))
                }
                _ => Err(mismatch("a date such as \"2024-01-31\"")),
            })
            .collect::<Result<Vec<i32>, _>>()?;
        return Ok(dates
            .iter()
            .map(|v| v.is_some_and(|v| literals.iter().any(|l| test(v.cmp(l)))))
            .collect());
    }
    if let DataType::Timestamp(unit, zone) = array.data_type() {
        // Instants as the column shows them (`2024-03-31T02:30:00Z`).
        let zone = crate::data::time::Zone::parse(zone.as_deref());
        let wanted = "an instant such as \"2024-03-31T02:30:00Z\"";
        let literals = values
            .iter()
            .map(|v| match v {
                Value::Text(t) => {
                    crate::data::time::parse_instant(t, *unit, zone).ok_or_else(|| mismatch(wanted))
                }
                _ => Err(mismatch(wanted)),
            })
            .collect::<Result<Vec<i64>, _>>()?;
        let raw = crate::data::values::timestamps(array.as_ref());
        return Ok((0..rows)
            .map(|i| {
                array.is_valid(i)
                    && raw
                        .get(i)
                        .is_some_and(|v| literals.iter().any(|l| test(v.cmp(l))))
            })
            .collect());
    }
    if let Some(booleans) = array.as_boolean_opt() {
        let literals = values
            .iter()
            .map(|v| match v {
                Value::Bool(b) => Ok(*b),
                _ => Err(mismatch("true or false")),
            })
            .collect::<Result<Vec<bool>, _>>()?;
        return Ok(booleans
            .iter()
            .map(|v| v.is_some_and(|v| literals.iter().any(|l| test(v.cmp(l)))))
            .collect());
    }
    let Some(text) = texts(array.as_ref()) else {
        return Err(StepError::NotComparable {
            column: name.to_string(),
            data_type: array.data_type().to_string(),
        });
    };
    let literals = values
        .iter()
        .map(|v| match v {
            Value::Text(t) => Ok(t.as_str()),
            _ => Err(mismatch("a text")),
        })
        .collect::<Result<Vec<&str>, _>>()?;
    Ok((0..rows)
        .map(|i| {
            text.get(i)
                .is_some_and(|v| literals.iter().any(|l| test(v.cmp(l))))
        })
        .collect())
}

#[cfg(test)]
mod timestamp_tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, RecordBatch, TimestampMillisecondArray};

    use super::*;

    #[test]
    fn filters_compare_timestamps_as_they_are_shown() {
        // 2024-03-31T00:30:00Z and two hours later, in a named zone (shown
        // in UTC) and in a fixed offset.
        let at = 1_711_845_000_000_i64;
        let values = vec![Some(at), None, Some(at + 7_200_000)];
        let table = RecordBatch::try_from_iter([
            (
                "stockholm",
                Arc::new(
                    TimestampMillisecondArray::from(values.clone())
                        .with_timezone("Europe/Stockholm"),
                ) as ArrayRef,
            ),
            (
                "offset",
                Arc::new(TimestampMillisecondArray::from(values).with_timezone("+01:00"))
                    as ArrayRef,
            ),
        ])
        .unwrap();
        let compare = |column: &str, cmp, text: &str| {
            matches(
                &Predicate::Compare {
                    column: column.into(),
                    cmp,
                    value: Value::Text(text.into()),
                },
                &table,
            )
        };
        assert_eq!(
            compare("stockholm", Comparison::Ge, "2024-03-31T01:00Z").unwrap(),
            [false, false, true]
        );
        assert_eq!(
            compare("stockholm", Comparison::Eq, "2024-03-31T00:30:00Z").unwrap(),
            [true, false, false]
        );
        // Without a suffix, in the offset the column shows.
        assert_eq!(
            compare("offset", Comparison::Eq, "2024-03-31T01:30").unwrap(),
            [true, false, false]
        );
        let error = compare("offset", Comparison::Eq, "yesterday")
            .unwrap_err()
            .to_string();
        assert!(error.contains("an instant such as"), "{error}");
    }
}
