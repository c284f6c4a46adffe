//! Derived columns: arithmetic of columns and numbers, the natural log, a
//! value's share of its group's total, and the change from the previous
//! row of its group in a given order (a year, say). The new column is
//! Float64, appended to the table; a value that cannot be computed
//! (a null input, a division by zero, the log of zero, the first year of a
//! group) is null.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, RecordBatch};
use arrow::buffer::{NullBuffer, ScalarBuffer};
use arrow::datatypes::Float64Type;
use serde::{Deserialize, Serialize};

use crate::data::values::{numbers, sort_rows};
use crate::error::OpsError;
use crate::ops::group::assign_groups;
use crate::ops::keys::Keys;
use crate::ops::{Progress, append_columns, column_index};

/// How a derived column is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fn", rename_all = "snake_case", deny_unknown_fields)]
pub enum Formula {
    /// `left <op> right`, each a column or a number.
    Arithmetic {
        op: ArithOp,
        left: Operand,
        right: Operand,
    },
    /// The natural logarithm (null for values ≤ 0).
    Log { column: String },
    /// The value divided by the total of its group (of all rows when
    /// `within` is empty).
    Share {
        column: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        within: Vec<String>,
    },
    /// The value minus the value of the previous row of its group in the
    /// order of `order` (as a percentage of that value when `percent`).
    Change {
        column: String,
        order: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        within: Vec<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        percent: bool,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A column by name, or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Operand {
    Number(f64),
    Column(String),
}

impl Formula {
    /// The columns the formula reads.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Formula::Arithmetic { left, right, .. } => [left, right]
                .into_iter()
                .filter_map(|o| match o {
                    Operand::Column(c) => Some(c.as_str()),
                    Operand::Number(_) => None,
                })
                .collect(),
            Formula::Log { column } => vec![column],
            Formula::Share { column, within } => std::iter::once(column.as_str())
                .chain(within.iter().map(String::as_str))
                .collect(),
            Formula::Change {
                column,
                order,
                within,
                ..
            } => [column.as_str(), order.as_str()]
                .into_iter()
                .chain(within.iter().map(String::as_str))
                .collect(),
        }
    }

    /// The columns that must hold numbers.
    pub fn number_columns(&self) -> Vec<&str> {
        match self {
            Formula::Arithmetic { .. } => self.columns(),
            Formula::Log { column }
            | Formula::Share { column, .. }
            | Formula::Change { column, .. } => {
                vec![column]
            }
        }
    }
}

/// A column's values as f64 with its validity: Float64 read in place.
struct Floats {
    values: ScalarBuffer<f64>,
    nulls: Option<NullBuffer>,
}

impl Floats {
    fn read(batch: &RecordBatch, name: &str) -> Result<Floats, OpsError> {
        let array = batch.column(column_index(batch, name, "the table")?);
        if let Some(a) = array.as_primitive_opt::<Float64Type>() {
            return Ok(Floats {
                values: a.values().clone(),
                nulls: a.nulls().cloned(),
            });
        }
        let values = numbers(array.as_ref())
            .ok_or_else(|| OpsError::Invalid(format!("{name:?} is not a number column")))?;
        let a = Float64Array::from(values);
        Ok(Floats {
            values: a.values().clone(),
            nulls: a.nulls().cloned(),
        })
    }

    fn get(&self, row: usize) -> Option<f64> {
        match &self.nulls {
            Some(n) if n.is_null(row) => None,
            _ => Some(self.values[row]),
        }
    }
}

/// Appends column `name`, computed by `formula`, to `batch`.
pub fn derive(
    batch: &RecordBatch,
    name: &str,
    formula: &Formula,
    progress: &mut Progress,
) -> Result<RecordBatch, OpsError> {
    if batch.schema().fields().iter().any(|f| f.name() == name) {
        return Err(OpsError::Invalid(format!(
            "there is already a column {name:?}"
        )));
    }
    let rows = batch.num_rows();
    let column: ArrayRef = match formula {
        Formula::Arithmetic { op, left, right } => Arc::new(arithmetic(batch, *op, left, right)?),
        Formula::Log { column } => {
            let x = Floats::read(batch, column)?;
            Arc::new(
                (0..rows)
                    .map(|r| x.get(r).filter(|v| *v > 0.0).map(libm::log))
                    .collect::<Float64Array>(),
            )
        }
        Formula::Share { column, within } => {
            let x = Floats::read(batch, column)?;
            let (group_of, groups) = groups(batch, within, progress)?;
            let mut totals = vec![0.0; groups];
            for (r, g) in group_of.iter().enumerate() {
                if let Some(v) = x.get(r) {
                    totals[*g as usize] += v;
                }
            }
            Arc::new(
                (0..rows)
                    .map(|r| {
                        let total = totals[group_of[r] as usize];
                        x.get(r).filter(|_| total != 0.0).map(|v| v / total)
                    })
                    .collect::<Float64Array>(),
            )
        }
        Formula::Change {
            column,
            order,
            within,
            percent,
        } => {
            let x = Floats::read(batch, column)?;
            let order_at = column_index(batch, order, "the table")?;
            let (group_of, _) = groups(batch, within, progress)?;
            // Rows in order (stable: ties keep table order, nulls last),
            // then the previous row of the same group is the last one seen.
            let mut sorted: Vec<u32> = (0..rows as u32).collect();
            sort_rows(batch.column(order_at).as_ref(), &mut sorted, false);
            let mut last: Vec<Option<u32>> =
                vec![None; group_of.iter().max().map_or(0, |m| *m as usize + 1)];
            let mut out: Vec<Option<f64>> = vec![None; rows];
            for row in sorted {
                let g = group_of[row as usize] as usize;
                let previous = last[g].and_then(|p| x.get(p as usize));
                out[row as usize] = match (x.get(row as usize), previous) {
                    (Some(v), Some(p)) if *percent => (p != 0.0).then(|| (v - p) / p.abs() * 100.0),
                    (Some(v), Some(p)) => Some(v - p),
                    _ => None,
                };
                last[g] = Some(row);
            }
            Arc::new(Float64Array::from(out))
        }
    };
    Ok(append_columns(batch, vec![(name.to_string(), column)])?)
}

fn arithmetic(
    batch: &RecordBatch,
    op: ArithOp,
    left: &Operand,
    right: &Operand,
) -> Result<Float64Array, OpsError> {
    let rows = batch.num_rows();
    let read = |o: &Operand| -> Result<Either, OpsError> {
        Ok(match o {
            Operand::Number(n) => Either::Number(*n),
            Operand::Column(c) => Either::Column(Floats::read(batch, c)?),
        })
    };
    let (l, r) = (read(left)?, read(right)?);
    let apply = |a: f64, b: f64| -> Option<f64> {
        let v = match op {
            ArithOp::Add => a + b,
            ArithOp::Sub => a - b,
            ArithOp::Mul => a * b,
            ArithOp::Div if b == 0.0 => return None,
            ArithOp::Div => a / b,
        };
        v.is_finite().then_some(v)
    };
    // Two Float64 columns without nulls (the common case): one pass over
    // the buffers, no per-row branch on validity.
    if let (Either::Column(a), Either::Column(b)) = (&l, &r)
        && a.nulls.is_none()
        && b.nulls.is_none()
        && op != ArithOp::Div
    {
        let values: Vec<f64> = match op {
            ArithOp::Add => a
                .values
                .iter()
                .zip(b.values.iter())
                .map(|(x, y)| x + y)
                .collect(),
            ArithOp::Sub => a
                .values
                .iter()
                .zip(b.values.iter())
                .map(|(x, y)| x - y)
                .collect(),
            _ => a
                .values
                .iter()
                .zip(b.values.iter())
                .map(|(x, y)| x * y)
                .collect(),
        };
        if values.iter().all(|v| v.is_finite()) {
            return Ok(Float64Array::from(values));
        }
    }
    Ok((0..rows)
        .map(|row| apply(l.get(row)?, r.get(row)?))
        .collect())
}

enum Either {
    Number(f64),
    Column(Floats),
}

impl Either {
    fn get(&self, row: usize) -> Option<f64> {
        match self {
            Either::Number(n) => Some(*n),
            Either::Column(c) => c.get(row),
        }
    }
}

/// Each row's group by the columns `within` (one group when empty).
fn groups(
    batch: &RecordBatch,
    within: &[String],
    progress: &mut Progress,
) -> Result<(Vec<u32>, usize), OpsError> {
    if within.is_empty() {
        return Ok((vec![0; batch.num_rows()], 1));
    }
    let columns: Vec<ArrayRef> = within
        .iter()
        .map(|c| column_index(batch, c, "the table").map(|i| batch.column(i).clone()))
        .collect::<Result<_, _>>()?;
    let (group_of, firsts) = assign_groups(&Keys::single(&columns), progress)?;
    Ok((group_of, firsts.len().max(1)))
}

#[cfg(test)]
mod tests {
    use arrow::array::{Int32Array, StringArray};

    use super::*;
    use crate::ops::no_progress;

    fn table() -> RecordBatch {
        RecordBatch::try_from_iter(vec![
            (
                "org",
                Arc::new(StringArray::from(vec!["a", "b", "a", "b", "a"])) as ArrayRef,
            ),
            (
                "year",
                Arc::new(Int32Array::from(vec![2021, 2020, 2020, 2021, 2022])) as _,
            ),
            (
                "fte",
                Arc::new(Float64Array::from(vec![
                    Some(12.0),
                    Some(5.0),
                    Some(10.0),
                    None,
                    Some(0.0),
                ])) as _,
            ),
            ("n", Arc::new(Int32Array::from(vec![2, 0, 5, 1, 4])) as _),
        ])
        .unwrap()
    }

    fn run(formula: Formula) -> Vec<Option<f64>> {
        let out = derive(&table(), "x", &formula, &mut no_progress).unwrap();
        assert_eq!(out.num_columns(), 5);
        out.column(4).as_primitive::<Float64Type>().iter().collect()
    }

    fn col(name: &str) -> Operand {
        Operand::Column(name.into())
    }

    #[test]
    fn arithmetic_of_columns_and_numbers_with_nulls_and_division_by_zero() {
        let ratio = run(Formula::Arithmetic {
            op: ArithOp::Div,
            left: col("fte"),
            right: col("n"),
        });
        assert_eq!(ratio, [Some(6.0), None, Some(2.0), None, Some(0.0)]);
        let times = run(Formula::Arithmetic {
            op: ArithOp::Mul,
            left: col("n"),
            right: Operand::Number(1.5),
        });
        assert_eq!(
            times,
            [Some(3.0), Some(0.0), Some(7.5), Some(1.5), Some(6.0)]
        );
        let minus = run(Formula::Arithmetic {
            op: ArithOp::Sub,
            left: Operand::Number(1.0),
            right: col("fte"),
        });
        assert_eq!(
            minus,
            [Some(-11.0), Some(-4.0), Some(-9.0), None, Some(1.0)]
        );
    }

    #[test]
    fn log_is_null_where_it_is_undefined() {
        let log = run(Formula::Log {
            column: "fte".into(),
        });
        assert_eq!(log[2], Some(libm::log(10.0)));
        assert_eq!((log[3], log[4]), (None, None));
    }

    #[test]
    fn share_of_the_total_and_within_groups() {
        let all = run(Formula::Share {
            column: "fte".into(),
            within: vec![],
        });
        assert_eq!(all[0], Some(12.0 / 27.0));
        let by_org = run(Formula::Share {
            column: "fte".into(),
            within: vec!["org".into()],
        });
        assert_eq!(
            by_org,
            [
                Some(12.0 / 22.0),
                Some(1.0),
                Some(10.0 / 22.0),
                None,
                Some(0.0)
            ]
        );
    }

    #[test]
    fn change_from_the_previous_year_of_the_same_group() {
        let change = |percent| {
            run(Formula::Change {
                column: "fte".into(),
                order: "year".into(),
                within: vec!["org".into()],
                percent,
            })
        };
        // a: 2020 10, 2021 12, 2022 0; b: 2020 5, 2021 null.
        assert_eq!(change(false), [Some(2.0), None, None, None, Some(-12.0)]);
        assert_eq!(change(true), [Some(20.0), None, None, None, Some(-100.0)]);
    }

    #[test]
    fn bad_columns_are_errors() {
        let t = table();
        let err = |f: Formula| {
            derive(&t, "x", &f, &mut no_progress)
                .unwrap_err()
                .to_string()
        };
        assert!(
            err(Formula::Log {
                column: "org".into()
            })
            .contains("not a number")
        );
        assert!(
            err(Formula::Log {
                column: "ftee".into()
            })
            .contains("did you mean \"fte\"")
        );
        let again = derive(
            &t,
            "fte",
            &Formula::Log { column: "n".into() },
            &mut no_progress,
        );
        assert!(again.unwrap_err().to_string().contains("already"));
    }
}
