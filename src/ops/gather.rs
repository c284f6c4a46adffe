//! Picking rows out of columns: the one kernel behind filter, sort, join,
//! group-by keys, pivot, unpivot and union. Written for the column types
//! the lab reads, instead of arrow's `take`, `interleave` and `concat`:
//! those are instantiated for every Arrow type (lists, unions, run-ends,
//! with a comparator for each) and made up about a megabyte of the
//! worker's wasm.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, DictionaryArray, NullArray, PrimitiveArray, StringArray,
};
use arrow::datatypes::*;

use crate::error::OpsError;

/// A row that is not there: its value is null.
pub const MISSING: u32 = u32::MAX;

/// The most bytes of text one column may hold: arrow's text columns count
/// their bytes in 32 bits, and the browser's memory is 4 GiB in all.
pub const MAX_TEXT_BYTES: u64 = 1 << 30;

/// The bytes a column of rows `rows` of `array` takes: its values' widths,
/// and for text the lengths of the texts taken plus their offsets.
/// Counted before taking, so a step can refuse what would not fit.
pub fn taken_bytes(array: &dyn Array, rows: &[u32]) -> u64 {
    let n = rows.len() as u64;
    match array.data_type() {
        DataType::Utf8 => {
            let text = array.as_string::<i32>();
            let bytes: u64 = rows
                .iter()
                .filter(|&&r| (r as usize) < text.len())
                .map(|&r| text.value_length(r as usize) as u64)
                .sum();
            bytes + 4 * n
        }
        DataType::LargeUtf8 => {
            let text = array.as_string::<i64>();
            let bytes: u64 = rows
                .iter()
                .filter(|&&r| (r as usize) < text.len())
                .map(|&r| text.value_length(r as usize) as u64)
                .sum();
            bytes + 8 * n
        }
        other => n * other.primitive_width().unwrap_or(8) as u64,
    }
}

/// The rows `keep` marks, in order. Written without a branch per row, so
/// that a mask of scattered rows costs what a regular one does.
pub fn kept_rows(keep: &[bool]) -> Vec<u32> {
    let mut rows = Vec::new();
    add_kept_rows(keep, 0, &mut rows);
    rows
}

/// Appends to `rows` the rows `keep` marks, each plus `offset`, in order
/// and without a branch per row (as [`kept_rows`]).
///
/// Never inlined: a filter calls it once a part, and a browser runs a
/// WebAssembly function as quickly compiled code until its optimised code
/// is ready and it is called again. Inlined into the loop over the parts,
/// the listing waited for the next analysis (seven of them in a row, on
/// this kind of machine); called once a part, it is optimised within the
/// first few.
#[inline(never)]
pub fn add_kept_rows(keep: &[bool], offset: u32, rows: &mut Vec<u32>) {
    let from = rows.len();
    rows.resize(from + keep.len(), 0);
    let mut n = from;
    for (i, &k) in keep.iter().enumerate() {
        rows[n] = offset.wrapping_add(i as u32);
        n += usize::from(k);
    }
    rows.truncate(n);
}

/// Rows `rows` of `array` (null where [`MISSING`]).
pub fn take(array: &dyn Array, rows: &[u32]) -> Result<ArrayRef, OpsError> {
    // Numbers without nulls, every row there (most of a join's and a
    // filter's columns): a plain copy loop, no validity to build.
    let len = array.len();
    let dense = array.null_count() == 0 && rows.iter().all(|&r| (r as usize) < len);
    if dense {
        macro_rules! copy {
            ($t:ty) => {{
                let values = array.as_primitive::<$t>().values();
                let taken: Vec<_> = rows.iter().map(|&r| values[r as usize]).collect();
                return Ok(Arc::new(
                    PrimitiveArray::<$t>::new(taken.into(), None)
                        .with_data_type(array.data_type().clone()),
                ));
            }};
        }
        match array.data_type() {
            DataType::Int32 => copy!(Int32Type),
            DataType::Int64 => copy!(Int64Type),
            DataType::Float64 => copy!(Float64Type),
            DataType::Date32 => copy!(Date32Type),
            _ => {}
        }
    }
    gather(
        &[array],
        rows.iter()
            .map(|&r| (r != MISSING).then_some((0, r as usize))),
    )
}

/// A column of `picks.len()` rows: each `(source, row)` of `sources` (of
/// one type), or null for `None`.
pub fn gather(
    sources: &[&dyn Array],
    picks: impl ExactSizeIterator<Item = Option<(usize, usize)>> + Clone,
) -> Result<ArrayRef, OpsError> {
    let Some(first) = sources.first() else {
        return Err(OpsError::Invalid("nothing to take rows from".into()));
    };
    let data_type = first.data_type();
    if let Some(other) = sources.iter().find(|s| s.data_type() != data_type) {
        return Err(OpsError::Invalid(format!(
            "cannot put {} and {} values in one column",
            data_type,
            other.data_type()
        )));
    }
    let valid =
        |&(s, r): &(usize, usize)| sources.get(s).is_some_and(|a| r < a.len() && a.is_valid(r));
    macro_rules! primitive {
        ($t:ty) => {{
            let typed: Vec<&PrimitiveArray<$t>> =
                sources.iter().map(|a| a.as_primitive::<$t>()).collect();
            let array: PrimitiveArray<$t> = picks
                .map(|p| p.filter(valid).map(|(s, r)| typed[s].value(r)))
                .collect();
            Arc::new(array.with_data_type(data_type.clone())) as ArrayRef
        }};
    }
    Ok(match data_type {
        DataType::Null => Arc::new(NullArray::new(picks.len())),
        DataType::Boolean => {
            let typed: Vec<&BooleanArray> = sources.iter().map(|a| a.as_boolean()).collect();
            Arc::new(
                picks
                    .map(|p| p.filter(valid).map(|(s, r)| typed[s].value(r)))
                    .collect::<BooleanArray>(),
            )
        }
        DataType::Int8 => primitive!(Int8Type),
        DataType::Int16 => primitive!(Int16Type),
        DataType::Int32 => primitive!(Int32Type),
        DataType::Int64 => primitive!(Int64Type),
        DataType::UInt8 => primitive!(UInt8Type),
        DataType::UInt16 => primitive!(UInt16Type),
        DataType::UInt32 => primitive!(UInt32Type),
        DataType::UInt64 => primitive!(UInt64Type),
        DataType::Float16 => primitive!(Float16Type),
        DataType::Float32 => primitive!(Float32Type),
        DataType::Float64 => primitive!(Float64Type),
        DataType::Date32 => primitive!(Date32Type),
        DataType::Date64 => primitive!(Date64Type),
        DataType::Decimal128(..) => primitive!(Decimal128Type),
        DataType::Timestamp(TimeUnit::Second, _) => primitive!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => primitive!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => primitive!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => primitive!(TimestampNanosecondType),
        DataType::Utf8 => {
            let typed: Vec<&StringArray> = sources.iter().map(|a| a.as_string::<i32>()).collect();
            // arrow's builder panics past 2 GiB of text: count first.
            let bytes: u64 = picks
                .clone()
                .filter_map(|p| p.filter(valid))
                .map(|(s, r)| typed[s].value_length(r) as u64)
                .sum();
            if bytes > MAX_TEXT_BYTES {
                return Err(OpsError::TooManyBytes {
                    what: "a text column",
                    bytes,
                    limit: MAX_TEXT_BYTES,
                });
            }
            Arc::new(
                picks
                    .map(|p| p.filter(valid).map(|(s, r)| typed[s].value(r)))
                    .collect::<StringArray>(),
            )
        }
        DataType::LargeUtf8 => {
            let typed: Vec<_> = sources.iter().map(|a| a.as_string::<i64>()).collect();
            Arc::new(
                picks
                    .map(|p| p.filter(valid).map(|(s, r)| typed[s].value(r)))
                    .collect::<arrow::array::LargeStringArray>(),
            )
        }
        DataType::Dictionary(key, _) if **key == DataType::Int32 => {
            dictionary::<Int32Type>(sources, picks)?
        }
        DataType::Dictionary(key, _) if **key == DataType::Int16 => {
            dictionary::<Int16Type>(sources, picks)?
        }
        DataType::Dictionary(key, _) if **key == DataType::Int8 => {
            dictionary::<Int8Type>(sources, picks)?
        }
        other => {
            return Err(OpsError::Invalid(format!(
                "columns of type {other} cannot be used in this step yet"
            )));
        }
    })
}

/// Dictionary columns: the keys are gathered; all sources must share one
/// dictionary (a column taken from one table always does).
fn dictionary<K: ArrowDictionaryKeyType>(
    sources: &[&dyn Array],
    picks: impl ExactSizeIterator<Item = Option<(usize, usize)>> + Clone,
) -> Result<ArrayRef, OpsError>
where
    K::Native: Copy,
    PrimitiveArray<K>: From<Vec<Option<K::Native>>>,
{
    let typed: Vec<&DictionaryArray<K>> = sources.iter().map(|a| a.as_dictionary::<K>()).collect();
    let values = typed[0].values();
    if typed.iter().any(|d| !Arc::ptr_eq(d.values(), values)) {
        return Err(OpsError::Invalid(
            "dictionary-encoded columns of two tables cannot be put together yet".into(),
        ));
    }
    let keys: Vec<Option<K::Native>> = picks
        .map(|p| {
            p.and_then(|(s, r)| {
                let keys = typed.get(s)?.keys();
                (r < keys.len() && keys.is_valid(r)).then(|| keys.value(r))
            })
        })
        .collect();
    Ok(Arc::new(DictionaryArray::<K>::try_new(
        PrimitiveArray::<K>::from(keys),
        values.clone(),
    )?))
}

#[cfg(test)]
mod tests {
    use arrow::array::{Date32Array, Float64Array, Int32Array};

    use super::*;

    #[test]
    fn takes_rows_of_every_read_type_with_nulls_for_missing_rows() {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from(vec![Some(1), None, Some(3)])),
            Arc::new(Float64Array::from(vec![1.5, 2.5, 3.5])),
            Arc::new(StringArray::from(vec![Some("a"), Some("b"), None])),
            Arc::new(BooleanArray::from(vec![true, false, true])),
            Arc::new(Date32Array::from(vec![10, 20, 30])),
            Arc::new(NullArray::new(3)),
            Arc::new(
                vec!["x", "y", "x"]
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
        ];
        for column in &columns {
            // Every row there (the copy loop for numbers without nulls).
            let all = take(column.as_ref(), &[2, 0, 1]).unwrap();
            let indices = arrow::array::UInt32Array::from(vec![2, 0, 1]);
            let expected = arrow::compute::take(column.as_ref(), &indices, None).unwrap();
            assert_eq!(all.to_data(), expected.to_data(), "{}", column.data_type());
            let taken = take(column.as_ref(), &[2, MISSING, 0, 0]).unwrap();
            assert_eq!(taken.data_type(), column.data_type());
            assert_eq!(taken.len(), 4);
            assert!(taken.is_null(1) || *column.data_type() == DataType::Null);
            // The same as arrow's own take.
            let indices = arrow::array::UInt32Array::from(vec![Some(2), None, Some(0), Some(0)]);
            let expected = arrow::compute::take(column.as_ref(), &indices, None).unwrap();
            assert_eq!(
                taken.to_data(),
                expected.to_data(),
                "{}",
                column.data_type()
            );
        }
    }

    #[test]
    fn gathers_from_two_sources_and_refuses_mixed_types() {
        let a = Int32Array::from(vec![1, 2]);
        let b = Int32Array::from(vec![Some(7), None]);
        let picks = [Some((1, 0)), Some((0, 1)), Some((1, 1)), None, Some((0, 9))];
        let both = gather(&[&a, &b], picks.into_iter()).unwrap();
        let ints: Vec<Option<i32>> = both.as_primitive::<Int32Type>().iter().collect();
        assert_eq!(ints, [Some(7), Some(2), None, None, None]);
        let text = StringArray::from(vec!["x"]);
        assert!(gather(&[&a, &text], [Some((0, 0))].into_iter()).is_err());
        let list = arrow::array::ListArray::new_null(
            Arc::new(arrow::datatypes::Field::new_list_field(
                DataType::Int32,
                true,
            )),
            1,
        );
        assert!(
            take(&list, &[0])
                .unwrap_err()
                .to_string()
                .contains("cannot be used")
        );
    }
}
