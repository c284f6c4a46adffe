//! A recipe as one SQL query, for data no browser holds: the relational
//! steps as a chain of common table expressions that DataFusion, DuckDB and
//! Spark SQL run with the lab's answers (`datalabb sql`). Where SQL's defaults
//! differ from the lab's, the query spells the lab's behaviour out:
//! a comparison with null is false (so `NOT` keeps the row), sums skip NaN
//! and are 0 for a group without values, nulls sort last both ways, a
//! derived value that cannot be computed (a null, a division by zero, an
//! infinite result) is null. What SQL cannot say exactly yet is refused
//! with a message, never emitted wrong; a learning step ends the query, and
//! the note says that the rest runs in the lab.
//!
//! Known difference: the lab's sort keeps equal rows in the order they
//! came; SQL engines may order ties otherwise (rows, counts and sums are
//! the same), and so may a change from the previous row among rows with
//! equal values in its order.
//!
//! `dialect` (quoting, types, flags), `expr` (a row's or a group's
//! expressions), `tables` (steps that change the table's shape).

mod dialect;
mod expr;
mod tables;

pub use dialect::Dialect;

use crate::data::Catalog;
use crate::recipe::plan;
use crate::recipe::{Recipe, Step};
use expr::{condition, derived, type_of};
use tables::{Pivot, group_by, join, pivot, union, unpivot};

/// The query, what it reads, and what it leaves to the lab.
#[derive(Debug, Clone, PartialEq)]
pub struct Sql {
    /// Comment lines naming each input table's file and version.
    pub preamble: String,
    pub query: String,
    /// Steps the query does not compute (from the first learning step on).
    pub note: Option<String>,
    /// The recipe the query computes: all of it, or its steps before the
    /// first learning step.
    pub computed: Recipe,
}

/// Why a recipe has no SQL (yet).
#[derive(Debug, Clone, PartialEq)]
pub enum SqlError {
    /// The recipe does not check against the catalog.
    Plan(String),
    /// Step `index` (0-based) cannot be said exactly in SQL.
    Step {
        index: usize,
        kind: &'static str,
        why: String,
    },
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlError::Plan(e) => write!(f, "the analysis does not check: {e}"),
            SqlError::Step { index, kind, why } => {
                write!(f, "step {} ({kind}) has no exact SQL yet: {why}", index + 1)
            }
        }
    }
}

impl std::error::Error for SqlError {}

/// `recipe`'s relational steps as SQL, checked against `catalog`.
pub fn to_sql(recipe: &Recipe, catalog: &Catalog, d: Dialect) -> Result<Sql, SqlError> {
    let plan = plan::check(recipe, catalog).map_err(|e| SqlError::Plan(e.to_string()))?;
    let mut preamble = format!(
        "-- {}. Tables, each an Arrow file of the catalog or its Parquet copy (register them by these names):\n",
        d.title()
    );
    for input in &recipe.inputs {
        let version = catalog
            .dataset(&input.dataset)
            .and_then(|d| d.version(&input.sha256));
        let url = version.map(|v| v.url.clone()).unwrap_or_default();
        let copy = version
            .and_then(|v| v.parquet.as_ref())
            .map(|p| format!(", or {}", p.url))
            .unwrap_or_default();
        preamble.push_str(&format!(
            "--   {} = {url}{copy} (dataset {}, SHA-256 {})\n",
            d.ident(&input.name),
            input.dataset,
            input.sha256
        ));
    }
    preamble.push_str(d.settings());
    let first = recipe
        .inputs
        .first()
        .ok_or_else(|| SqlError::Plan("no input".into()))?;
    let mut ctes = vec![format!("s0 AS (SELECT * FROM {})", d.ident(&first.name))];
    let mut note = None;
    let mut computed = recipe.clone();
    // The order of the rows as the last sort left it, while the steps
    // after it keep it (SQL keeps no order between queries unless told).
    let mut order: Option<(String, String)> = None;
    for (index, step) in recipe.steps.iter().enumerate() {
        let before = &plan.schemas[index];
        let prev = format!("s{index}");
        let fail = |why: String| SqlError::Step {
            index,
            kind: step.kind(),
            why,
        };
        let body = match step {
            Step::Cluster { .. } | Step::Project { .. } | Step::Anomaly { .. } => {
                note = Some(format!(
                    "The query computes the steps before step {} ({}); that step and the ones after it run in the lab or in `datalabb run` on the query's result.",
                    index + 1,
                    step.kind()
                ));
                computed.steps.truncate(index);
                break;
            }
            Step::Select { columns } => {
                let list: Vec<String> = columns.iter().map(|c| d.ident(c)).collect();
                format!("SELECT {} FROM {prev}", list.join(", "))
            }
            Step::Rename { from, to } => {
                let list: Vec<String> = before
                    .iter()
                    .map(|(n, _)| {
                        if n == from {
                            format!("{} AS {}", d.ident(n), d.ident(to))
                        } else {
                            d.ident(n)
                        }
                    })
                    .collect();
                format!("SELECT {} FROM {prev}", list.join(", "))
            }
            Step::Filter { predicate } => {
                format!(
                    "SELECT * FROM {prev} WHERE {}",
                    condition(d, predicate, before).map_err(fail)?
                )
            }
            Step::Derive { name, formula } => {
                format!(
                    "SELECT *, {} AS {} FROM {prev}",
                    derived(d, formula, before).map_err(fail)?,
                    d.ident(name)
                )
            }
            Step::GroupBy { by, measures } => group_by(d, &prev, by, measures).map_err(fail)?,
            Step::Sort { column, descending } => {
                let by = format!(
                    "{} {} NULLS LAST",
                    d.ident(column),
                    if *descending { "DESC" } else { "ASC" }
                );
                order = Some((column.clone(), by.clone()));
                format!("SELECT * FROM {prev} ORDER BY {by}")
            }
            Step::Limit { rows } => match &order {
                Some((_, by)) => format!("SELECT * FROM {prev} ORDER BY {by} LIMIT {rows}"),
                None => {
                    return Err(fail(
                        "a limit keeps the first rows in the lab's order, which SQL has only after a sort".into(),
                    ));
                }
            },
            Step::Pivot {
                index: keys_index,
                column,
                values,
                keys,
                aggregate,
            } => pivot(
                d,
                &prev,
                before,
                Pivot {
                    index: keys_index,
                    column,
                    values,
                    keys,
                    aggregate: *aggregate,
                },
            )
            .map_err(fail)?,
            Step::Join { input, spec } => {
                let right = plan.inputs.get(input).cloned().unwrap_or_default();
                join(d, &prev, before, input, &right, spec).map_err(fail)?
            }
            Step::Unpivot {
                columns,
                name,
                value,
            } => unpivot(d, &prev, before, columns, name, value).map_err(fail)?,
            Step::Union { input } => {
                let bottom = plan.inputs.get(input).cloned().unwrap_or_default();
                union(d, &prev, before, input, &bottom, &plan.schemas[index + 1]).map_err(fail)?
            }
        };
        // Steps that keep the rows' order keep the sort's, while its column
        // is still there under its name.
        let after = &plan.schemas[index + 1];
        let keeps = matches!(
            step,
            Step::Sort { .. }
                | Step::Limit { .. }
                | Step::Filter { .. }
                | Step::Derive { .. }
                | Step::Select { .. }
                | Step::Rename { .. }
        );
        if !keeps
            || order
                .as_ref()
                .is_some_and(|(c, _)| type_of(after, c).is_none())
        {
            order = None;
        }
        ctes.push(format!("s{} AS ({body})", index + 1));
    }
    let last = ctes.len() - 1;
    let ordered = order
        .map(|(_, by)| format!(" ORDER BY {by}"))
        .unwrap_or_default();
    let query = format!("WITH {}\nSELECT * FROM s{last}{ordered}", ctes.join(",\n"));
    Ok(Sql {
        preamble,
        query,
        note,
        computed,
    })
}

#[cfg(test)]
mod tests;
