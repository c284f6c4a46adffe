//! Steps that change a table's shape: group-by, pivot, join (with the
//! lab's key normalisation), unpivot and union, each one `SELECT`.

use super::Dialect;
use super::expr::{measure, type_of};
use crate::data::schema::ColumnType;
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::ops::keys::Normalize;
use crate::recipe::plan::Schema;

pub(super) fn group_by(
    d: Dialect,
    prev: &str,
    by: &[String],
    measures: &[Measure],
) -> Result<String, String> {
    let mut list: Vec<String> = by.iter().map(|c| d.ident(c)).collect();
    for m in measures {
        list.push(measure(d, m)?);
    }
    Ok(grouped(d, prev, &list, by))
}

pub(super) struct Pivot<'a> {
    pub index: &'a [String],
    pub column: &'a str,
    pub values: &'a str,
    pub keys: &'a [String],
    pub aggregate: Aggregate,
}

pub(super) fn pivot(d: Dialect, prev: &str, schema: &Schema, p: Pivot) -> Result<String, String> {
    match type_of(schema, p.column) {
        Some(t) if t.is_plain_text() || matches!(t, ColumnType::Integer(_)) => {}
        Some(t) => return Err(format!("pivoting on a {} column", t.as_str())),
        None => return Err(format!("no column {:?}", p.column)),
    }
    // A pivot's values as the lab reads them (NaN counts, as a value).
    let value = if p.aggregate == Aggregate::Count {
        d.ident(p.values)
    } else {
        format!("CAST({} AS DOUBLE)", d.ident(p.values))
    };
    let cell = |key: &str| {
        format!(
            "CASE WHEN {} = {} THEN {value} END",
            d.as_text(&d.ident(p.column)),
            d.text(key),
        )
    };
    let mut list: Vec<String> = p.index.iter().map(|c| d.ident(c)).collect();
    for key in p.keys {
        let expression = match p.aggregate {
            Aggregate::Count => format!("COUNT({})", cell(key)),
            Aggregate::Sum => format!("SUM({})", cell(key)),
            Aggregate::Mean => format!("AVG({})", cell(key)),
            Aggregate::Min => format!("MIN({})", cell(key)),
            Aggregate::Max => format!("MAX({})", cell(key)),
            Aggregate::Median | Aggregate::CountDistinct => {
                return Err(format!("a pivot's {:?}", p.aggregate));
            }
        };
        list.push(format!("{expression} AS {}", d.ident(key)));
    }
    Ok(grouped(d, prev, &list, p.index))
}

/// `SELECT list FROM prev`, grouped by `by` when there are keys.
fn grouped(d: Dialect, prev: &str, list: &[String], by: &[String]) -> String {
    let select = format!("SELECT {} FROM {prev}", list.join(", "));
    if by.is_empty() {
        return select;
    }
    let keys: Vec<String> = by.iter().map(|c| d.ident(c)).collect();
    format!("{select} GROUP BY {}", keys.join(", "))
}

/// A key as the lab compares it after `normalize` (the text the preview
/// shows, for an integer).
fn normalized(d: Dialect, expression: &str, normalize: Normalize) -> String {
    let text = d.as_text(expression);
    match normalize {
        Normalize::Exact => expression.to_string(),
        Normalize::Trim => format!("trim({text})"),
        Normalize::Case => format!("lower(trim({text}))"),
        Normalize::Digits => d.digits(&text),
    }
}

pub(super) fn join(
    d: Dialect,
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
                normalized(d, &format!("l.{}", d.ident(l)), spec.normalize),
                normalized(d, &format!("r.{}", d.ident(r)), spec.normalize)
            )
        })
        .collect();
    let on = on.join(" AND ");
    let table = d.ident(input);
    if matches!(kind, JoinKind::Semi | JoinKind::Anti) {
        return Ok(d.semi_join(prev, &table, &on, kind == JoinKind::Anti));
    }
    let shared = left_on == right_on;
    // Shared keys are one column, from the right side for right rows
    // without a match.
    let mut list: Vec<String> = left
        .iter()
        .map(|(n, _)| {
            if shared && left_on.contains(n) && matches!(kind, JoinKind::Right | JoinKind::Full) {
                format!("COALESCE(l.{0}, r.{0}) AS {0}", d.ident(n))
            } else {
                format!("l.{}", d.ident(n))
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
        list.push(format!("r.{} AS {}", d.ident(n), d.ident(&name)));
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
pub(super) fn unpivot(
    d: Dialect,
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
        .map(|(n, _)| d.ident(n))
        .collect();
    let parts: Vec<String> = columns
        .iter()
        .map(|c| {
            let v = if numbers {
                format!("CAST({} AS DOUBLE)", d.ident(c))
            } else {
                d.ident(c)
            };
            let mut list = kept.clone();
            list.push(format!("{} AS {}", d.text(c), d.ident(name)));
            list.push(format!("{v} AS {}", d.ident(value)));
            format!("SELECT {} FROM {prev}", list.join(", "))
        })
        .collect();
    Ok(parts.join(" UNION ALL "))
}

/// The rows of `prev`, then those of `input`, in the columns of `out` (the
/// union's schema): a column one side lacks is a typed null there.
pub(super) fn union(
    d: Dialect,
    prev: &str,
    top: &Schema,
    input: &str,
    bottom: &Schema,
    out: &Schema,
) -> Result<String, String> {
    let side = |schema: &Schema| -> Result<String, String> {
        let list = out
            .iter()
            .map(|(n, t)| match type_of(schema, n) {
                Some(_) => Ok(d.ident(n)),
                None => d
                    .type_name(t)
                    .map(|sql| format!("CAST(NULL AS {sql}) AS {}", d.ident(n)))
                    .ok_or_else(|| {
                        format!("a column {n:?} of {} that one table lacks", t.as_str())
                    }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(list.join(", "))
    };
    Ok(format!(
        "SELECT {} FROM {prev} UNION ALL SELECT {} FROM {}",
        side(top)?,
        side(bottom)?,
        d.ident(input)
    ))
}
