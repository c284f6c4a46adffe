//! A recipe as one SQL query, for data no browser holds: the relational
//! steps as a chain of common table expressions that DataFusion and DuckDB
//! run with the lab's answers (`datalabb sql`). Where SQL's defaults
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
//! the same).

use crate::data::Catalog;
use crate::data::schema::ColumnType;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::ops::keys::Normalize;
use crate::recipe::plan::{self, Schema};
use crate::recipe::{Comparison, Predicate, Recipe, Step, Value};

/// The SQL dialects the query is written for (and tested in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    DataFusion,
    DuckDb,
}

impl Dialect {
    pub fn parse(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "datafusion" => Some(Dialect::DataFusion),
            "duckdb" => Some(Dialect::DuckDb),
            _ => None,
        }
    }
}

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

/// `name` as a quoted identifier.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A number literal that reads back as the same `f64`.
fn number(v: f64) -> Result<String, String> {
    if v.is_finite() {
        Ok(format!("CAST({v:?} AS DOUBLE)"))
    } else {
        Err(format!("the number {v} has no SQL literal"))
    }
}

/// `recipe`'s relational steps as SQL, checked against `catalog`.
pub fn to_sql(recipe: &Recipe, catalog: &Catalog, _dialect: Dialect) -> Result<Sql, SqlError> {
    let plan = plan::check(recipe, catalog).map_err(|e| SqlError::Plan(e.to_string()))?;
    let mut preamble = String::from(
        "-- Tables, each an Arrow file of the catalog (register them by these names):\n",
    );
    for input in &recipe.inputs {
        let url = catalog
            .dataset(&input.dataset)
            .and_then(|d| d.version(&input.sha256))
            .map(|v| v.url.clone())
            .unwrap_or_default();
        preamble.push_str(&format!(
            "--   {} = {url} (dataset {}, SHA-256 {})\n",
            ident(&input.name),
            input.dataset,
            input.sha256
        ));
    }
    let first = recipe
        .inputs
        .first()
        .ok_or_else(|| SqlError::Plan("no input".into()))?;
    let mut ctes = vec![format!("s0 AS (SELECT * FROM {})", ident(&first.name))];
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
            Step::Cluster { .. } | Step::Project { .. } => {
                note = Some(format!(
                    "The query computes the steps before step {} ({}); that step and the ones after it run in the lab or in `datalabb run` on the query's result.",
                    index + 1,
                    step.kind()
                ));
                computed.steps.truncate(index);
                break;
            }
            Step::Select { columns } => {
                let list: Vec<String> = columns.iter().map(|c| ident(c)).collect();
                format!("SELECT {} FROM {prev}", list.join(", "))
            }
            Step::Rename { from, to } => {
                let list: Vec<String> = before
                    .iter()
                    .map(|(n, _)| {
                        if n == from {
                            format!("{} AS {}", ident(n), ident(to))
                        } else {
                            ident(n)
                        }
                    })
                    .collect();
                format!("SELECT {} FROM {prev}", list.join(", "))
            }
            Step::Filter { predicate } => {
                format!(
                    "SELECT * FROM {prev} WHERE {}",
                    condition(predicate, before).map_err(fail)?
                )
            }
            Step::Derive { name, formula } => {
                format!(
                    "SELECT *, {} AS {} FROM {prev}",
                    derived(formula).map_err(fail)?,
                    ident(name)
                )
            }
            Step::GroupBy { by, measures } => group_by(&prev, by, measures).map_err(fail)?,
            Step::Sort { column, descending } => {
                let by = format!(
                    "{} {} NULLS LAST",
                    ident(column),
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
            } => {
                pivot(&prev, before, keys_index, column, values, keys, *aggregate).map_err(fail)?
            }
            Step::Join { input, spec } => {
                let right = plan.inputs.get(input).cloned().unwrap_or_default();
                join(&prev, before, input, &right, spec).map_err(fail)?
            }
            Step::Unpivot {
                columns,
                name,
                value,
            } => unpivot(&prev, before, columns, name, value).map_err(fail)?,
            Step::Union { .. } => {
                return Err(fail(
                    "appending rows by column name is not yet written as SQL".into(),
                ));
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

fn type_of<'a>(schema: &'a Schema, column: &str) -> Option<&'a ColumnType> {
    schema.iter().find(|(n, _)| n == column).map(|(_, t)| t)
}

fn op(cmp: Comparison) -> &'static str {
    match cmp {
        Comparison::Eq => "=",
        Comparison::Ne => "<>",
        Comparison::Lt => "<",
        Comparison::Le => "<=",
        Comparison::Gt => ">",
        Comparison::Ge => ">=",
    }
}

/// A literal of the column's type.
fn literal(value: &Value, column_type: &ColumnType) -> Result<String, String> {
    match value {
        Value::Number(v) if column_type.is_number() => number(*v),
        Value::Text(t) if column_type.is_text() => Ok(text(t)),
        Value::Text(t) if *column_type == ColumnType::Date => crate::data::csv::parse_date(t)
            .map(|_| format!("DATE {}", text(t)))
            .ok_or_else(|| format!("{t:?} is not a date")),
        Value::Bool(b) if *column_type == ColumnType::Boolean => Ok(b.to_string().to_uppercase()),
        _ => Err(format!(
            "a {} compared with {value:?}",
            column_type.as_str()
        )),
    }
}

/// A predicate that is never null: a comparison with null is false.
fn condition(predicate: &Predicate, schema: &Schema) -> Result<String, String> {
    let typed = |column: &str| {
        type_of(schema, column)
            .cloned()
            .ok_or_else(|| format!("no column {column:?}"))
    };
    Ok(match predicate {
        Predicate::IsNull { column } => format!("({} IS NULL)", ident(column)),
        Predicate::Compare { column, cmp, value } => {
            let t = typed(column)?;
            if matches!(t, ColumnType::Timestamp(_) | ColumnType::Other(_)) {
                return Err(format!("comparisons of {} columns", t.as_str()));
            }
            format!(
                "COALESCE({} {} {}, FALSE)",
                ident(column),
                op(*cmp),
                literal(value, &t)?
            )
        }
        Predicate::In { column, values } => {
            let t = typed(column)?;
            if values.is_empty() {
                return Ok("FALSE".into());
            }
            let list = values
                .iter()
                .map(|v| literal(v, &t))
                .collect::<Result<Vec<_>, _>>()?;
            format!(
                "COALESCE({} IN ({}), FALSE)",
                ident(column),
                list.join(", ")
            )
        }
        Predicate::And { all } if all.is_empty() => "TRUE".into(),
        Predicate::Or { any } if any.is_empty() => "FALSE".into(),
        Predicate::And { all } => format!(
            "({})",
            all.iter()
                .map(|p| condition(p, schema))
                .collect::<Result<Vec<_>, _>>()?
                .join(" AND ")
        ),
        Predicate::Or { any } => format!(
            "({})",
            any.iter()
                .map(|p| condition(p, schema))
                .collect::<Result<Vec<_>, _>>()?
                .join(" OR ")
        ),
        Predicate::Not { not } => format!("(NOT {})", condition(not, schema)?),
    })
}

/// Null unless finite, as the lab's derived columns are.
fn finite(expression: &str) -> String {
    format!("(CASE WHEN abs({expression}) <= 1.7976931348623157e308 THEN {expression} END)")
}

fn operand(o: &Operand) -> Result<String, String> {
    match o {
        Operand::Number(v) => number(*v),
        Operand::Column(c) => Ok(format!("CAST({} AS DOUBLE)", ident(c))),
    }
}

fn derived(formula: &Formula) -> Result<String, String> {
    match formula {
        Formula::Arithmetic { op, left, right } => {
            let (l, r) = (operand(left)?, operand(right)?);
            Ok(match op {
                ArithOp::Add => finite(&format!("({l} + {r})")),
                ArithOp::Sub => finite(&format!("({l} - {r})")),
                ArithOp::Mul => finite(&format!("({l} * {r})")),
                ArithOp::Div => finite(&format!(
                    "({l} / (CASE WHEN {r} = 0 THEN NULL ELSE {r} END))"
                )),
            })
        }
        Formula::Log { column } => {
            let x = format!("CAST({} AS DOUBLE)", ident(column));
            Ok(finite(&format!("(CASE WHEN {x} > 0 THEN ln({x}) END)")))
        }
        Formula::Share { .. } | Formula::Change { .. } => {
            Err("shares and changes (window functions) are not yet written as SQL".into())
        }
    }
}

/// A column's numbers as the lab's aggregates read them: NaN left out.
fn no_nan(column: &str) -> String {
    let x = format!("CAST({} AS DOUBLE)", ident(column));
    format!("(CASE WHEN isnan({x}) THEN NULL ELSE {x} END)")
}

fn measure(m: &Measure) -> Result<String, String> {
    let column = || {
        m.column
            .as_deref()
            .ok_or_else(|| format!("{:?} needs a column", m.aggregate))
    };
    let expression = match m.aggregate {
        Aggregate::Count => "COUNT(*)".to_string(),
        Aggregate::Sum => format!("COALESCE(SUM({}), CAST(0 AS DOUBLE))", no_nan(column()?)),
        Aggregate::Mean => format!("AVG({})", no_nan(column()?)),
        Aggregate::Median => format!("MEDIAN({})", no_nan(column()?)),
        Aggregate::Min => format!("MIN({})", no_nan(column()?)),
        Aggregate::Max => format!("MAX({})", no_nan(column()?)),
        Aggregate::CountDistinct => format!("COUNT(DISTINCT {})", ident(column()?)),
    };
    Ok(format!("{expression} AS {}", ident(&m.name)))
}

fn group_by(prev: &str, by: &[String], measures: &[Measure]) -> Result<String, String> {
    let mut list: Vec<String> = by.iter().map(|c| ident(c)).collect();
    for m in measures {
        list.push(measure(m)?);
    }
    Ok(grouped(prev, &list, by))
}

fn pivot(
    prev: &str,
    schema: &Schema,
    index: &[String],
    column: &str,
    values: &str,
    keys: &[String],
    aggregate: Aggregate,
) -> Result<String, String> {
    match type_of(schema, column) {
        Some(t) if t.is_plain_text() || matches!(t, ColumnType::Integer(_)) => {}
        Some(t) => return Err(format!("pivoting on a {} column", t.as_str())),
        None => return Err(format!("no column {column:?}")),
    }
    let cell = |key: &str| {
        format!(
            "CASE WHEN CAST({} AS VARCHAR) = {} THEN {} END",
            ident(column),
            text(key),
            if aggregate == Aggregate::Count {
                ident(values)
            } else {
                no_nan_kept(values)
            }
        )
    };
    let mut list: Vec<String> = index.iter().map(|c| ident(c)).collect();
    for key in keys {
        let expression = match aggregate {
            Aggregate::Count => format!("COUNT({})", cell(key)),
            Aggregate::Sum => format!("SUM({})", cell(key)),
            Aggregate::Mean => format!("AVG({})", cell(key)),
            Aggregate::Min => format!("MIN({})", cell(key)),
            Aggregate::Max => format!("MAX({})", cell(key)),
            Aggregate::Median | Aggregate::CountDistinct => {
                return Err(format!("a pivot's {aggregate:?}"));
            }
        };
        list.push(format!("{expression} AS {}", ident(key)));
    }
    Ok(grouped(prev, &list, index))
}

/// A pivot's values as the lab reads them (NaN counts, as a value).
fn no_nan_kept(column: &str) -> String {
    format!("CAST({} AS DOUBLE)", ident(column))
}

/// `SELECT list FROM prev`, grouped by `by` when there are keys.
fn grouped(prev: &str, list: &[String], by: &[String]) -> String {
    let select = format!("SELECT {} FROM {prev}", list.join(", "));
    if by.is_empty() {
        return select;
    }
    let keys: Vec<String> = by.iter().map(|c| ident(c)).collect();
    format!("{select} GROUP BY {}", keys.join(", "))
}

/// A key as the lab compares it after `normalize` (the text the preview
/// shows, for an integer).
fn normalized(expression: &str, normalize: Normalize) -> String {
    let text = format!("CAST({expression} AS VARCHAR)");
    match normalize {
        Normalize::Exact => expression.to_string(),
        Normalize::Trim => format!("trim({text})"),
        Normalize::Case => format!("lower(trim({text}))"),
        Normalize::Digits => format!("regexp_replace({text}, '[^0-9]', '', 'g')"),
    }
}

fn join(
    prev: &str,
    left: &Schema,
    input: &str,
    right: &Schema,
    spec: &JoinSpec,
) -> Result<String, String> {
    let (kind, left_on, right_on) = (spec.kind, &spec.left_on, &spec.right_on);
    if spec.normalize != Normalize::Exact {
        // Normalised keys are text: the lab reads an integer as its digits.
        for (schema, keys) in [(left, left_on), (right, right_on)] {
            for k in keys {
                match type_of(schema, k) {
                    Some(t) if t.is_plain_text() || matches!(t, ColumnType::Integer(_)) => {}
                    _ => {
                        return Err(format!(
                            "a normalised key {k:?} that is neither text nor an integer"
                        ));
                    }
                }
            }
        }
    }
    let on: Vec<String> = left_on
        .iter()
        .zip(right_on)
        .map(|(l, r)| {
            format!(
                "{} = {}",
                normalized(&format!("l.{}", ident(l)), spec.normalize),
                normalized(&format!("r.{}", ident(r)), spec.normalize)
            )
        })
        .collect();
    let on = on.join(" AND ");
    let table = ident(input);
    if matches!(kind, JoinKind::Semi | JoinKind::Anti) {
        let not = if kind == JoinKind::Anti { "NOT " } else { "" };
        return Ok(format!(
            "SELECT l.* FROM {prev} l WHERE {not}EXISTS (SELECT 1 FROM {table} r WHERE {on})"
        ));
    }
    let shared = left_on == right_on;
    // Shared keys are one column, from the right side for right rows
    // without a match.
    let mut list: Vec<String> = left
        .iter()
        .map(|(n, _)| {
            if shared && left_on.contains(n) && matches!(kind, JoinKind::Right | JoinKind::Full) {
                format!("COALESCE(l.{0}, r.{0}) AS {0}", ident(n))
            } else {
                format!("l.{}", ident(n))
            }
        })
        .collect();
    let mut names: Vec<String> = left.iter().map(|(n, _)| n.clone()).collect();
    for (n, _) in right {
        if shared && right_on.contains(n) {
            continue;
        }
        let mut name = n.clone();
        while names.contains(&name) {
            name.push_str("_right");
        }
        list.push(format!("r.{} AS {}", ident(n), ident(&name)));
        names.push(name);
    }
    let how = match kind {
        JoinKind::Inner => "INNER",
        JoinKind::Left => "LEFT",
        JoinKind::Right => "RIGHT",
        _ => "FULL",
    };
    Ok(format!(
        "SELECT {} FROM {prev} l {how} JOIN {table} r ON {on}",
        list.join(", ")
    ))
}

/// Wide to long, a `SELECT` per column: the value as a number when every
/// column holds numbers, as text when every one holds text.
fn unpivot(
    prev: &str,
    schema: &Schema,
    columns: &[String],
    name: &str,
    value: &str,
) -> Result<String, String> {
    let types: Vec<&ColumnType> = columns.iter().filter_map(|c| type_of(schema, c)).collect();
    let numbers = types.iter().all(|t| t.is_number());
    if !numbers && !types.iter().all(|t| t.is_plain_text()) {
        return Err("unpivoting columns of mixed or other types".into());
    }
    let kept: Vec<String> = schema
        .iter()
        .filter(|(n, _)| !columns.contains(n))
        .map(|(n, _)| ident(n))
        .collect();
    let parts: Vec<String> = columns
        .iter()
        .map(|c| {
            let v = if numbers {
                format!("CAST({} AS DOUBLE)", ident(c))
            } else {
                ident(c)
            };
            let mut list = kept.clone();
            list.push(format!("{} AS {}", text(c), ident(name)));
            list.push(format!("{v} AS {}", ident(value)));
            format!("SELECT {} FROM {prev}", list.join(", "))
        })
        .collect();
    Ok(parts.join(" UNION ALL "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;

    fn recipe(steps: serde_json::Value) -> Recipe {
        let catalog = fixture_catalog();
        let agencies = catalog
            .dataset("fixture-agencies")
            .and_then(|d| d.latest())
            .expect("fixture");
        serde_json::from_value(serde_json::json!({
            "v": 1,
            "inputs": [{ "name": "a", "dataset": "fixture-agencies", "sha256": agencies.sha256 }],
            "steps": steps,
        }))
        .expect("recipe")
    }

    fn sql(steps: serde_json::Value) -> Result<Sql, SqlError> {
        to_sql(&recipe(steps), &fixture_catalog(), Dialect::DataFusion)
    }

    #[test]
    fn the_labs_semantics_are_spelled_out() {
        let out = sql(serde_json::json!([
            { "op": "filter", "predicate": { "op": "not", "not": { "op": "compare", "column": "ministry", "cmp": "eq", "value": "Fi" } } },
            { "op": "group_by", "by": ["ministry"], "measures": [{ "aggregate": "count", "name": "n" }] },
            { "op": "sort", "column": "n", "descending": true },
            { "op": "limit", "rows": 3 },
        ]))
        .expect("sql");
        // A null ministry is kept by NOT, as in the lab.
        assert!(
            out.query
                .contains("(NOT COALESCE(\"ministry\" = 'Fi', FALSE))"),
            "{}",
            out.query
        );
        assert!(
            out.query.contains("ORDER BY \"n\" DESC NULLS LAST LIMIT 3"),
            "{}",
            out.query
        );
        assert!(
            out.query.ends_with("ORDER BY \"n\" DESC NULLS LAST"),
            "{}",
            out.query
        );
        assert_eq!(out.note, None);
        assert!(
            out.preamble.contains("\"a\" = fixture-agencies/"),
            "{}",
            out.preamble
        );
    }

    #[test]
    fn what_sql_cannot_say_exactly_is_refused_by_step() {
        let limit = sql(serde_json::json!([{ "op": "limit", "rows": 3 }])).unwrap_err();
        assert!(
            matches!(
                limit,
                SqlError::Step {
                    index: 0,
                    kind: "limit",
                    ..
                }
            ),
            "{limit}"
        );
        let share = sql(serde_json::json!([
            { "op": "derive", "name": "s", "formula": { "fn": "share", "column": "org_nr" } },
        ]));
        assert!(share.is_err());
        let identifiers = ident("a\"b");
        assert_eq!(identifiers, "\"a\"\"b\"");
        assert_eq!(text("O'Brien"), "'O''Brien'");
    }

    #[test]
    fn a_learning_step_ends_the_query_with_a_note() {
        let out = sql(serde_json::json!([
            { "op": "select", "columns": ["org_nr", "name"] },
            { "op": "cluster", "features": { "columns": ["org_nr"] }, "method": { "k_means": { "k": 2 } }, "name": "c" },
        ]));
        match out {
            Ok(out) => {
                assert!(
                    out.note
                        .as_deref()
                        .is_some_and(|n| n.contains("step 2 (cluster)"))
                );
                assert_eq!(out.computed.steps.len(), 1);
            }
            // The fixture has no number column to cluster: the recipe does
            // not check, which is said as such.
            Err(e) => assert!(matches!(e, SqlError::Plan(_)), "{e}"),
        }
    }
}
