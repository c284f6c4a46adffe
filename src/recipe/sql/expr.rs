//! Expressions of one row or one group: literals, a filter's conditions, a
//! derived column (arithmetic, logarithm, a share of a group's total, the
//! change from the previous row) and a group's measures, each as the lab
//! computes it.

use super::Dialect;
use crate::data::schema::ColumnType;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::recipe::plan::Schema;
use crate::recipe::{Comparison, Predicate, Value};

pub(super) fn type_of<'a>(schema: &'a Schema, column: &str) -> Option<&'a ColumnType> {
    schema.iter().find(|(n, _)| n == column).map(|(_, t)| t)
}

/// A number literal that reads back as the same `f64`.
pub(super) fn number(v: f64) -> Result<String, String> {
    if v.is_finite() {
        Ok(format!("CAST({v:?} AS DOUBLE)"))
    } else {
        Err(format!("the number {v} has no SQL literal"))
    }
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
fn literal(d: Dialect, value: &Value, column_type: &ColumnType) -> Result<String, String> {
    match value {
        Value::Number(v) if column_type.is_number() => number(*v),
        Value::Text(t) if column_type.is_text() => Ok(d.text(t)),
        Value::Text(t) if *column_type == ColumnType::Date => crate::data::csv::parse_date(t)
            .map(|_| format!("DATE {}", d.text(t)))
            .ok_or_else(|| format!("{t:?} is not a date")),
        Value::Bool(b) if *column_type == ColumnType::Boolean => Ok(b.to_string().to_uppercase()),
        _ => Err(format!(
            "a {} compared with {value:?}",
            column_type.as_str()
        )),
    }
}

/// A predicate that is never null: a comparison with null is false.
pub(super) fn condition(
    d: Dialect,
    predicate: &Predicate,
    schema: &Schema,
) -> Result<String, String> {
    let typed = |column: &str| {
        type_of(schema, column)
            .cloned()
            .ok_or_else(|| format!("no column {column:?}"))
    };
    let all = |list: &[Predicate], join: &str| -> Result<String, String> {
        Ok(format!(
            "({})",
            list.iter()
                .map(|p| condition(d, p, schema))
                .collect::<Result<Vec<_>, _>>()?
                .join(join)
        ))
    };
    Ok(match predicate {
        Predicate::IsNull { column } => format!("({} IS NULL)", d.ident(column)),
        Predicate::Compare { column, cmp, value } => {
            let t = typed(column)?;
            if matches!(t, ColumnType::Timestamp(_) | ColumnType::Other(_)) {
                return Err(format!("comparisons of {} columns", t.as_str()));
            }
            format!(
                "COALESCE({} {} {}, FALSE)",
                d.ident(column),
                op(*cmp),
                literal(d, value, &t)?
            )
        }
        Predicate::In { column, values } => {
            let t = typed(column)?;
            if values.is_empty() {
                return Ok("FALSE".into());
            }
            let list = values
                .iter()
                .map(|v| literal(d, v, &t))
                .collect::<Result<Vec<_>, _>>()?;
            format!(
                "COALESCE({} IN ({}), FALSE)",
                d.ident(column),
                list.join(", ")
            )
        }
        Predicate::And { all: list } if list.is_empty() => "TRUE".into(),
        Predicate::Or { any } if any.is_empty() => "FALSE".into(),
        Predicate::And { all: list } => all(list, " AND ")?,
        Predicate::Or { any } => all(any, " OR ")?,
        Predicate::Not { not } => format!("(NOT {})", condition(d, not, schema)?),
    })
}

/// Null unless finite, as the lab's derived columns are.
fn finite(expression: &str) -> String {
    format!("(CASE WHEN abs({expression}) <= 1.7976931348623157e308 THEN {expression} END)")
}

fn double(d: Dialect, column: &str) -> String {
    format!("CAST({} AS DOUBLE)", d.ident(column))
}

fn operand(d: Dialect, o: &Operand) -> Result<String, String> {
    match o {
        Operand::Number(v) => number(*v),
        Operand::Column(c) => Ok(double(d, c)),
    }
}

/// `OVER (PARTITION BY within [ORDER BY order])`.
fn window(d: Dialect, within: &[String], order: Option<&str>) -> String {
    let mut parts = Vec::new();
    if !within.is_empty() {
        let keys: Vec<String> = within.iter().map(|c| d.ident(c)).collect();
        parts.push(format!("PARTITION BY {}", keys.join(", ")));
    }
    if let Some(order) = order {
        parts.push(format!("ORDER BY {} ASC NULLS LAST", d.ident(order)));
    }
    format!("OVER ({})", parts.join(" "))
}

pub(super) fn derived(d: Dialect, formula: &Formula, schema: &Schema) -> Result<String, String> {
    match formula {
        Formula::Arithmetic { op, left, right } => {
            let (l, r) = (operand(d, left)?, operand(d, right)?);
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
            let x = double(d, column);
            Ok(finite(&format!("(CASE WHEN {x} > 0 THEN ln({x}) END)")))
        }
        // The value over the total of its group's values (NaN counted, as
        // the lab adds it); null where the total is 0 or there is none.
        Formula::Share { column, within } => {
            let x = double(d, column);
            let total = format!("SUM({x}) {}", window(d, within, None));
            Ok(format!("(CASE WHEN {total} <> 0 THEN {x} / {total} END)"))
        }
        // The previous row of the group in the order's column, ascending
        // with nulls last. Rows with equal order values have no order in
        // SQL; the lab takes them as they came.
        Formula::Change {
            column,
            order,
            within,
            percent,
        } => {
            match type_of(schema, order) {
                Some(t) if t.is_number() || t.is_plain_text() || *t == ColumnType::Date => {}
                Some(t) => return Err(format!("an order by a {} column", t.as_str())),
                None => return Err(format!("no column {order:?}")),
            }
            let x = double(d, column);
            let previous = format!("LAG({x}) {}", window(d, within, Some(order)));
            Ok(if *percent {
                format!(
                    "(CASE WHEN {previous} <> 0 THEN ({x} - {previous}) / abs({previous}) * CAST(100.0 AS DOUBLE) END)"
                )
            } else {
                format!("({x} - {previous})")
            })
        }
    }
}

/// A column's numbers as the lab's aggregates read them: NaN left out.
fn no_nan(d: Dialect, column: &str) -> String {
    let x = double(d, column);
    format!("(CASE WHEN isnan({x}) THEN NULL ELSE {x} END)")
}

pub(super) fn measure(d: Dialect, m: &Measure) -> Result<String, String> {
    let column = || {
        m.column
            .as_deref()
            .ok_or_else(|| format!("{:?} needs a column", m.aggregate))
    };
    let expression = match m.aggregate {
        Aggregate::Count => "COUNT(*)".to_string(),
        Aggregate::Sum => format!("COALESCE(SUM({}), CAST(0 AS DOUBLE))", no_nan(d, column()?)),
        Aggregate::Mean => format!("AVG({})", no_nan(d, column()?)),
        Aggregate::Median => format!("MEDIAN({})", no_nan(d, column()?)),
        Aggregate::Min => format!("MIN({})", no_nan(d, column()?)),
        Aggregate::Max => format!("MAX({})", no_nan(d, column()?)),
        Aggregate::CountDistinct => format!("COUNT(DISTINCT {})", d.ident(column()?)),
    };
    Ok(format!("{expression} AS {}", d.ident(&m.name)))
}
