//! Which rows a filter keeps: a predicate evaluated on a table, one
//! `bool` per row. Numbers are compared in their own type's loop (no copy
//! of the column), dates, instants, booleans and text as the column shows
//! them; null never satisfies a comparison.

use std::cmp::Ordering;

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray, RecordBatch};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};

use crate::data::csv::parse_date;
use crate::data::values::{numbers, texts};
use crate::ops::column_index;
use crate::recipe::error::StepError;
use crate::recipe::{Comparison, Predicate, Value};

/// Which rows satisfy `predicate` (null never satisfies a comparison).
pub fn matches(predicate: &Predicate, table: &RecordBatch) -> Result<Vec<bool>, StepError> {
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
    let number_literals = || {
        values
            .iter()
            .map(|v| match v {
                Value::Number(x) => Ok(*x),
                _ => Err(mismatch("a number")),
            })
            .collect::<Result<Vec<f64>, _>>()
    };
    if numbers_column(array.data_type())
        && let Some(keep) = compare_primitive(array.as_ref(), &number_literals()?, &test)
    {
        return Ok(keep);
    }
    if let Some(numbers) = numbers(array.as_ref()) {
        let literals = number_literals()?;
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

/// Whether `data_type` is one [`compare_primitive`] reads.
fn numbers_column(data_type: &DataType) -> bool {
    use DataType::*;
    matches!(
        data_type,
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 | Float32 | Float64
    )
}

/// Rows of a number column that `test` keeps against any of `literals`,
/// in the column's own type: the same answer as comparing the column read
/// as `f64` options ([`numbers`]), without making that copy.
fn compare_primitive(
    array: &dyn Array,
    literals: &[f64],
    test: &impl Fn(Ordering) -> bool,
) -> Option<Vec<bool>> {
    macro_rules! integers {
        ($($t:ty),*) => {
            $(if let Some(a) = array.as_primitive_opt::<$t>() {
                return Some(match literals {
                    [l] => {
                        type Native = <$t as ArrowPrimitiveType>::Native;
                        keep_integers(a, *l, test, (Native::MIN, Native::MAX), |v| v as f64)
                    }
                    _ => keep(a, literals, test, |v| v as f64),
                });
            })*
        };
    }
    integers!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type
    );
    if let Some(a) = array.as_primitive_opt::<Float32Type>() {
        return Some(keep(a, literals, test, f64::from));
    }
    if let Some(a) = array.as_primitive_opt::<Float64Type>() {
        return Some(keep(a, literals, test, |v| v));
    }
    None
}

/// [`keep`] of an integer column against one literal, compared as
/// integers. Read as `f64`, integers keep their order (a conversion that
/// rounds makes neighbours equal, never swaps them), so the values that
/// compare below, equal to and above the literal are three runs of the
/// type's range; their ends are found by bisection, once, and each row is
/// then compared with them in its own type, a loop the compiler turns into
/// SIMD instructions.
fn keep_integers<T>(
    array: &PrimitiveArray<T>,
    literal: f64,
    test: &impl Fn(Ordering) -> bool,
    (min, max): (T::Native, T::Native),
    as_f64: impl Fn(T::Native) -> f64,
) -> Vec<bool>
where
    T: ArrowPrimitiveType,
    T::Native: Into<i128> + TryFrom<i128>,
{
    let (min, max): (i128, i128) = (min.into(), max.into());
    let l = order_key(literal);
    let key = |x: i128| T::Native::try_from(x).ok().map(|v| order_key(as_f64(v)));
    // The first value of the range whose key passes `rises` (false, then
    // true, along the range), or one past the range.
    let first = |rises: &dyn Fn(i64) -> bool| {
        let (mut a, mut b) = (min, max + 1);
        while a < b {
            let mid = a + (b - a) / 2;
            if key(mid).is_some_and(rises) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        b
    };
    let equal_from = first(&|k| k >= l);
    let above_from = first(&|k| k > l);
    // The rows kept: those in `from..=to`, or those outside it.
    let (from, to, outside) = match (
        test(Ordering::Less),
        test(Ordering::Equal),
        test(Ordering::Greater),
    ) {
        (false, false, false) => (max, min, false),
        (true, true, true) => (min, max, false),
        (true, false, false) => (min, equal_from - 1, false),
        (true, true, false) => (min, above_from - 1, false),
        (false, true, false) => (equal_from, above_from - 1, false),
        (false, true, true) => (equal_from, max, false),
        (false, false, true) => (above_from, max, false),
        (true, false, true) => (equal_from, above_from - 1, true),
    };
    let values = array.values();
    let out = match (T::Native::try_from(from), T::Native::try_from(to)) {
        (Ok(from), Ok(to)) if from <= to => values
            .iter()
            .map(|&v| (v >= from) & (v <= to) != outside)
            .collect(),
        // An empty run: every row is outside it.
        _ => vec![outside; values.len()],
    };
    without_nulls(out, array)
}

/// `keep` with the rows where `array` is null not kept.
fn without_nulls(mut keep: Vec<bool>, array: &dyn Array) -> Vec<bool> {
    if let Some(nulls) = array.nulls().filter(|n| n.null_count() > 0) {
        for (k, valid) in keep.iter_mut().zip(nulls.iter()) {
            *k &= valid;
        }
    }
    keep
}

/// The key of `v` in `f64::total_cmp`'s order, as an integer: comparing
/// keys is comparing the numbers by `total_cmp`, without a branch.
#[inline(always)]
fn order_key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// One pass over the values (and their validity, when some are null). A
/// single literal, the common case, compares order keys without a branch,
/// so that the loop runs at memory speed whatever the data's order.
fn keep<T: ArrowPrimitiveType>(
    array: &PrimitiveArray<T>,
    literals: &[f64],
    test: &impl Fn(Ordering) -> bool,
    as_f64: impl Fn(T::Native) -> f64 + Copy,
) -> Vec<bool> {
    let values = array.values();
    let out: Vec<bool> = match literals {
        [l] => {
            let l = order_key(*l);
            let key = |v: T::Native| order_key(as_f64(v));
            // Which orderings pass, read once: then one comparison each.
            let (less, equal, greater) = (
                test(Ordering::Less),
                test(Ordering::Equal),
                test(Ordering::Greater),
            );
            match (less, equal, greater) {
                (false, false, false) => vec![false; values.len()],
                (true, true, true) => vec![true; values.len()],
                (true, false, false) => values.iter().map(|&v| key(v) < l).collect(),
                (true, true, false) => values.iter().map(|&v| key(v) <= l).collect(),
                (false, true, false) => values.iter().map(|&v| key(v) == l).collect(),
                (false, true, true) => values.iter().map(|&v| key(v) >= l).collect(),
                (false, false, true) => values.iter().map(|&v| key(v) > l).collect(),
                (true, false, true) => values.iter().map(|&v| key(v) != l).collect(),
            }
        }
        _ => values
            .iter()
            .map(|&v| {
                let v = as_f64(v);
                literals.iter().any(|l| test(v.total_cmp(l)))
            })
            .collect(),
    };
    without_nulls(out, array)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{
        ArrayRef, Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Int64Array,
        UInt8Array, UInt64Array,
    };

    use super::*;
    use crate::ml::rng::Rng;

    /// The plain path: the column read as `f64` options, then compared.
    fn reference(array: &dyn Array, literals: &[f64], cmp: Comparison) -> Vec<bool> {
        numbers(array)
            .expect("a number column")
            .iter()
            .map(|v| v.is_some_and(|v| literals.iter().any(|l| holds(cmp, v.total_cmp(l)))))
            .collect()
    }

    #[test]
    fn typed_comparisons_equal_the_plain_path_on_random_columns_with_and_without_nulls() {
        let mut rng = Rng::new(7);
        let odd = [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e-300,
            // Where f64 stops holding every integer, and the types' ends.
            9_007_199_254_740_993.0,
            -9_007_199_254_740_992.0,
            9_223_372_036_854_775_807.0,
            -9_223_372_036_854_775_808.0,
            18_446_744_073_709_551_615.0,
            127.5,
            -128.0,
            255.0,
            2.5,
        ];
        for round in 0..300 {
            let n = rng.below(200);
            let nulls = round % 2 == 1;
            let valid = |rng: &mut Rng| !nulls || rng.below(4) != 0;
            let pick = |rng: &mut Rng| -> f64 {
                if rng.below(4) == 0 {
                    odd[rng.below(odd.len())]
                } else {
                    (rng.below(2001) as f64 - 1000.0) / if rng.below(2) == 0 { 1.0 } else { 7.0 }
                }
            };
            let arrays: Vec<ArrayRef> = vec![
                Arc::new(Int8Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| rng.below(256) as i64 as i8)),
                )),
                Arc::new(Int32Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| rng.below(4001) as i32 - 2000)),
                )),
                Arc::new(Int64Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| rng.next_u64() as i64)),
                )),
                Arc::new(UInt64Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| rng.next_u64())),
                )),
                // Integers next to the literals: where f64 rounds them,
                // and the types' ends.
                Arc::new(Int64Array::from_iter((0..n).map(|_| {
                    let near = [1i64 << 53, -(1 << 53), i64::MAX, i64::MIN, 0, 127, -128];
                    let at = near[rng.below(near.len())];
                    valid(&mut rng).then(|| at.saturating_add(rng.below(9) as i64 - 4))
                }))),
                Arc::new(UInt64Array::from_iter((0..n).map(|_| {
                    let near = [1u64 << 53, u64::MAX, 0, 255];
                    let at = near[rng.below(near.len())];
                    valid(&mut rng)
                        .then(|| at.saturating_add(rng.below(5) as u64).saturating_sub(2))
                }))),
                Arc::new(UInt8Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| rng.below(256) as u8)),
                )),
                Arc::new(Int16Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| rng.next_u64() as i16)),
                )),
                Arc::new(Float32Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| pick(&mut rng) as f32)),
                )),
                Arc::new(Float64Array::from_iter(
                    (0..n).map(|_| valid(&mut rng).then(|| pick(&mut rng))),
                )),
            ];
            // One literal (compared as integers in integer columns) as often
            // as several.
            let count = if rng.below(2) == 0 {
                1
            } else {
                2 + rng.below(2)
            };
            let literals: Vec<f64> = (0..count).map(|_| pick(&mut rng)).collect();
            for array in &arrays {
                for cmp in Comparison::ALL {
                    let fast = compare_primitive(array.as_ref(), &literals, &|o| holds(cmp, o))
                        .expect("a primitive column");
                    assert_eq!(
                        fast,
                        reference(array.as_ref(), &literals, cmp),
                        "{} {cmp:?} {literals:?}",
                        array.data_type()
                    );
                }
            }
        }
    }
}
