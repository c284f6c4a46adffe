//! Reshaping tables: union (the rows of two tables, columns matched by
//! name), pivot (long to wide: one column per listed value of a column,
//! say a column per year) and unpivot (wide to long: a row per listed
//! column). Output orders are fixed: a union keeps the first table's rows
//! then the second's; a pivot's rows are its groups in order of first
//! appearance; an unpivot repeats each row once per column, in order.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ops::gather::{gather, take};
use arrow::array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, new_null_array,
};
use arrow::datatypes::{DataType, Field, Schema};

use crate::data::values::{formatter, numbers};
use crate::error::OpsError;
use crate::ops::gather::taken_bytes;
use crate::ops::group::{Aggregate, assign_groups};
use crate::ops::join::{MAX_OUTPUT_BYTES, MAX_OUTPUT_ROWS};
use crate::ops::keys::Keys;
use crate::ops::{Progress, column_index};

/// The rows of `top`, then those of `bottom`; columns matched by name (the
/// first table's order, then the second's new columns), null where a table
/// lacks a column. A column must have the same type in both.
pub fn union(top: &RecordBatch, bottom: &RecordBatch) -> Result<RecordBatch, OpsError> {
    let rows = top.num_rows() + bottom.num_rows();
    if rows > MAX_OUTPUT_ROWS {
        return Err(OpsError::TooLarge {
            what: "the union",
            rows: rows as u64,
            limit: MAX_OUTPUT_ROWS as u64,
        });
    }
    let mut fields: Vec<Field> = top
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    for field in bottom.schema().fields() {
        if !fields.iter().any(|f| f.name() == field.name()) {
            fields.push(field.as_ref().clone().with_nullable(true));
        }
    }
    // Both tables' values are copied into the union.
    let bytes: u64 = [top, bottom]
        .iter()
        .flat_map(|b| b.columns())
        .map(|c| c.get_array_memory_size() as u64)
        .sum();
    if bytes > MAX_OUTPUT_BYTES {
        return Err(OpsError::TooManyBytes {
            what: "the union",
            bytes,
            limit: MAX_OUTPUT_BYTES,
        });
    }
    let side = |batch: &RecordBatch, field: &Field| -> Result<ArrayRef, OpsError> {
        match batch.schema().index_of(field.name()) {
            Ok(i) if batch.column(i).data_type() == field.data_type() => {
                Ok(batch.column(i).clone())
            }
            Ok(i) => Err(OpsError::Invalid(format!(
                "column {:?} is {} in one table and {} in the other",
                field.name(),
                field.data_type(),
                batch.column(i).data_type()
            ))),
            Err(_) => Ok(new_null_array(field.data_type(), batch.num_rows())),
        }
    };
    let columns = fields
        .iter()
        .map(|f| {
            let (a, b) = (side(top, f)?, side(bottom, f)?);
            let picks: Vec<Option<(usize, usize)>> = (0..a.len())
                .map(|r| Some((0, r)))
                .chain((0..b.len()).map(|r| Some((1, r))))
                .collect();
            gather(&[a.as_ref(), b.as_ref()], picks.into_iter())
        })
        .collect::<Result<Vec<ArrayRef>, OpsError>>()?;
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        columns,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(rows)),
    )?)
}

/// Long to wide: a row per group of `index`, and a column per value of
/// `keys` holding the aggregate of `values` over the group's rows whose
/// `column` reads as that key (as the preview shows it: `2021`, `Fi`).
/// Rows whose `column` is none of the keys are left out.
pub fn pivot(
    batch: &RecordBatch,
    index: &[String],
    column: &str,
    values: &str,
    keys: &[String],
    aggregate: Aggregate,
    progress: &mut Progress,
) -> Result<RecordBatch, OpsError> {
    let key_of: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    if key_of.len() != keys.len() || keys.is_empty() {
        return Err(OpsError::Invalid(
            "the new columns must be listed once each".into(),
        ));
    }
    let pivot_column = batch.column(column_index(batch, column, "the table")?);
    let text = formatter(pivot_column.as_ref());
    let measured = batch.column(column_index(batch, values, "the table")?);
    let numbers = match aggregate {
        Aggregate::Count => None,
        _ => Some(
            numbers(measured.as_ref())
                .ok_or_else(|| OpsError::Invalid(format!("{values:?} is not a number column")))?,
        ),
    };
    let index_columns: Vec<ArrayRef> = index
        .iter()
        .map(|c| column_index(batch, c, "the table").map(|i| batch.column(i).clone()))
        .collect::<Result<_, _>>()?;
    let (group_of, firsts) = if index_columns.is_empty() {
        (vec![0u32; batch.num_rows()], vec![0u32])
    } else {
        assign_groups(&Keys::single(&index_columns), progress)?
    };
    let groups = firsts.len();
    // One accumulator per (group, key): count, sum, min, max.
    let cells = groups
        .checked_mul(keys.len())
        .filter(|c| *c <= MAX_OUTPUT_ROWS)
        .ok_or_else(|| OpsError::TooLarge {
            what: "the pivot",
            rows: (groups as u64).saturating_mul(keys.len() as u64),
            limit: MAX_OUTPUT_ROWS as u64,
        })?;
    let mut count = vec![0i64; cells];
    let mut sum = vec![0.0f64; cells];
    let mut min = vec![f64::INFINITY; cells];
    let mut max = vec![f64::NEG_INFINITY; cells];
    for (row, group) in group_of.iter().enumerate() {
        let Some(key) = text(row).and_then(|t| key_of.get(t.as_str()).copied()) else {
            continue;
        };
        let cell = *group as usize * keys.len() + key;
        match &numbers {
            None => count[cell] += i64::from(!measured.is_null(row)),
            Some(values) => {
                if let Some(v) = values[row] {
                    count[cell] += 1;
                    sum[cell] += v;
                    min[cell] = min[cell].min(v);
                    max[cell] = max[cell].max(v);
                }
            }
        }
    }
    let mut fields: Vec<Field> = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (name, array) in index.iter().zip(&index_columns) {
        fields.push(Field::new(name, array.data_type().clone(), true));
        columns.push(take(array.as_ref(), &firsts)?);
    }
    for (k, key) in keys.iter().enumerate() {
        let cell = |g: usize| g * keys.len() + k;
        let array: ArrayRef = match aggregate {
            Aggregate::Count => Arc::new(Int64Array::from_iter_values(
                (0..groups).map(|g| count[cell(g)]),
            )),
            _ => Arc::new(
                (0..groups)
                    .map(|g| {
                        let c = cell(g);
                        (count[c] > 0).then(|| match aggregate {
                            Aggregate::Mean => sum[c] / count[c] as f64,
                            Aggregate::Min => min[c],
                            Aggregate::Max => max[c],
                            _ => sum[c],
                        })
                    })
                    .collect::<Float64Array>(),
            ),
        };
        fields.push(Field::new(key, array.data_type().clone(), true));
        columns.push(array);
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Wide to long: each row once per column of `columns`, the other columns
/// repeated, with the column's name in `name` and its value in `value`
/// (Float64 when all the columns hold numbers, else their text).
pub fn unpivot(
    batch: &RecordBatch,
    columns: &[String],
    name: &str,
    value: &str,
) -> Result<RecordBatch, OpsError> {
    let melted: Vec<usize> = columns
        .iter()
        .map(|c| column_index(batch, c, "the table"))
        .collect::<Result<_, _>>()?;
    if melted.is_empty() {
        return Err(OpsError::Invalid(
            "choose the columns that become rows".into(),
        ));
    }
    let rows = batch.num_rows();
    let out_rows = rows
        .checked_mul(melted.len())
        .filter(|n| *n <= MAX_OUTPUT_ROWS)
        .ok_or_else(|| OpsError::TooLarge {
            what: "the unpivot",
            rows: (rows as u64).saturating_mul(melted.len() as u64),
            limit: MAX_OUTPUT_ROWS as u64,
        })?;
    let repeat: Vec<u32> = (0..rows as u32)
        .flat_map(|r| std::iter::repeat_n(r, melted.len()))
        .collect();
    let schema = batch.schema();
    // Every kept column is repeated once per melted one: counted first.
    let bytes: u64 = (0..batch.num_columns())
        .filter(|i| !melted.contains(i))
        .map(|i| taken_bytes(batch.column(i).as_ref(), &repeat))
        .sum();
    if bytes > MAX_OUTPUT_BYTES {
        return Err(OpsError::TooManyBytes {
            what: "the unpivot",
            bytes,
            limit: MAX_OUTPUT_BYTES,
        });
    }
    let mut fields: Vec<Field> = Vec::new();
    let mut out: Vec<ArrayRef> = Vec::new();
    for (i, field) in schema.fields().iter().enumerate() {
        if !melted.contains(&i) {
            fields.push(field.as_ref().clone());
            out.push(take(batch.column(i).as_ref(), &repeat)?);
        }
    }
    if fields.iter().any(|f| f.name() == name || f.name() == value) || name == value {
        return Err(OpsError::Invalid(format!(
            "the new columns {name:?} and {value:?} must be new names"
        )));
    }
    let names =
        StringArray::from_iter_values((0..out_rows).map(|i| columns[i % melted.len()].as_str()));
    let as_numbers: Option<Vec<Vec<Option<f64>>>> = melted
        .iter()
        .map(|&i| numbers(batch.column(i).as_ref()))
        .collect();
    let values: ArrayRef = match as_numbers {
        Some(cols) => Arc::new(
            (0..out_rows)
                .map(|i| cols[i % melted.len()][i / melted.len()])
                .collect::<Float64Array>(),
        ),
        None => {
            let texts: Vec<_> = melted
                .iter()
                .map(|&i| formatter(batch.column(i).as_ref()))
                .collect();
            Arc::new(
                (0..out_rows)
                    .map(|i| texts[i % melted.len()](i / melted.len()))
                    .collect::<StringArray>(),
            )
        }
    };
    fields.push(Field::new(name, DataType::Utf8, false));
    fields.push(Field::new(value, values.data_type().clone(), true));
    out.push(Arc::new(names));
    out.push(values);
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        out,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(out_rows)),
    )?)
}

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, Int32Array};
    use arrow::datatypes::{Float64Type, Int64Type};

    use super::*;
    use crate::ops::no_progress;

    fn long() -> RecordBatch {
        RecordBatch::try_from_iter(vec![
            (
                "org",
                Arc::new(StringArray::from(vec!["a", "b", "a", "a", "b", "c"])) as ArrayRef,
            ),
            (
                "year",
                Arc::new(Int32Array::from(vec![2020, 2020, 2021, 2021, 2022, 2019])) as _,
            ),
            (
                "fte",
                Arc::new(Float64Array::from(vec![
                    Some(1.0),
                    Some(2.0),
                    Some(3.0),
                    Some(4.0),
                    None,
                    Some(9.0),
                ])) as _,
            ),
        ])
        .unwrap()
    }

    fn keys() -> Vec<String> {
        ["2020", "2021", "2022"].map(String::from).to_vec()
    }

    #[test]
    fn pivot_puts_years_into_columns_by_group() {
        let wide = pivot(
            &long(),
            &["org".into()],
            "year",
            "fte",
            &keys(),
            Aggregate::Sum,
            &mut no_progress,
        )
        .unwrap();
        let names: Vec<_> = wide
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["org", "2020", "2021", "2022"]);
        // Groups by first appearance; c has no listed year, so all null.
        assert_eq!(wide.num_rows(), 3);
        let col = |n: usize| {
            wide.column(n)
                .as_primitive::<Float64Type>()
                .iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(col(1), [Some(1.0), Some(2.0), None]);
        assert_eq!(col(2), [Some(7.0), None, None]);
        assert_eq!(col(3), [None, None, None], "b's 2022 value is null");
        let counts = pivot(
            &long(),
            &[],
            "year",
            "fte",
            &keys(),
            Aggregate::Count,
            &mut no_progress,
        )
        .unwrap();
        let n: Vec<i64> = counts
            .columns()
            .iter()
            .map(|c| c.as_primitive::<Int64Type>().value(0))
            .collect();
        assert_eq!(n, [2, 2, 0]);
        let mean = pivot(
            &long(),
            &[],
            "year",
            "fte",
            &keys(),
            Aggregate::Mean,
            &mut no_progress,
        )
        .unwrap();
        assert_eq!(mean.column(1).as_primitive::<Float64Type>().value(0), 3.5);
    }

    #[test]
    fn unpivot_then_pivot_gives_the_wide_table_back() {
        let wide = pivot(
            &long(),
            &["org".into()],
            "year",
            "fte",
            &keys(),
            Aggregate::Sum,
            &mut no_progress,
        )
        .unwrap();
        let back = unpivot(&wide, &keys(), "year", "fte").unwrap();
        assert_eq!(back.num_rows(), 9);
        assert_eq!(back.column(1).as_string::<i32>().value(4), "2021");
        let again = pivot(
            &back,
            &["org".into()],
            "year",
            "fte",
            &keys(),
            Aggregate::Sum,
            &mut no_progress,
        )
        .unwrap();
        assert_eq!(again, wide);
        // Mixed types become text; names must be new.
        let mixed = unpivot(&long(), &["org".into(), "fte".into()], "k", "v").unwrap();
        assert_eq!(mixed.column(2).data_type(), &DataType::Utf8);
        assert_eq!(mixed.column(2).as_string::<i32>().value(1), "1.0");
        assert!(unpivot(&long(), &["fte".into()], "org", "v").is_err());
        assert!(unpivot(&long(), &[], "k", "v").is_err());
    }

    #[test]
    fn union_matches_columns_by_name_and_fills_nulls() {
        let other = RecordBatch::try_from_iter(vec![
            ("fte", Arc::new(Float64Array::from(vec![5.0])) as ArrayRef),
            ("note", Arc::new(StringArray::from(vec!["x"])) as _),
        ])
        .unwrap();
        let both = union(&long(), &other).unwrap();
        assert_eq!(both.num_rows(), 7);
        let names: Vec<_> = both
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["org", "year", "fte", "note"]);
        assert!(both.column(0).is_null(6) && both.column(3).is_null(0));
        assert_eq!(both.column(2).as_primitive::<Float64Type>().value(6), 5.0);
        let clash = RecordBatch::try_from_iter(vec![(
            "year",
            Arc::new(StringArray::from(vec!["2020"])) as ArrayRef,
        )])
        .unwrap();
        assert!(
            union(&long(), &clash)
                .unwrap_err()
                .to_string()
                .contains("Int32")
        );
    }
}
