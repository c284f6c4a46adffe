//! Typed access to a column's values for summaries, search and sorting,
//! without arrow's cast, sort and comparator kernels: those are
//! instantiated for every pair of types and took several megabytes of the
//! worker's wasm, for the handful of types the lab reads.

use std::cmp::Ordering;

use arrow::array::{Array, AsArray, BooleanArray, StringArray};
use arrow::datatypes::TimeUnit;
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, Time32MillisecondType, Time32SecondType, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::data::time::{self, Zone};
use crate::data::{Lang, format};

/// A column's values as numbers, for ints, uints and floats (`None` for
/// null, and for columns of other types).
pub fn numbers(array: &dyn Array) -> Option<Vec<Option<f64>>> {
    macro_rules! collect {
        ($t:ty, $f:expr) => {
            array
                .as_primitive_opt::<$t>()
                .map(|a| a.iter().map(|v| v.map($f)).collect())
        };
    }
    match array.data_type() {
        DataType::Int8 => collect!(Int8Type, f64::from),
        DataType::Int16 => collect!(Int16Type, f64::from),
        DataType::Int32 => collect!(Int32Type, f64::from),
        DataType::Int64 => collect!(Int64Type, |v| v as f64),
        DataType::UInt8 => collect!(UInt8Type, f64::from),
        DataType::UInt16 => collect!(UInt16Type, f64::from),
        DataType::UInt32 => collect!(UInt32Type, f64::from),
        DataType::UInt64 => collect!(UInt64Type, |v| v as f64),
        DataType::Float16 => collect!(Float16Type, f64::from),
        DataType::Float32 => collect!(Float32Type, f64::from),
        DataType::Float64 => collect!(Float64Type, |v| v),
        _ => None,
    }
}

/// A column of text: plain strings, or a dictionary of them.
pub enum Texts<'a> {
    Plain(&'a StringArray),
    Large(&'a arrow::array::LargeStringArray),
    /// Each row's index into `values`, and whether the row is valid.
    Dictionary {
        keys: Vec<Option<usize>>,
        values: &'a StringArray,
    },
}

impl<'a> Texts<'a> {
    /// The text of row `i` (`None` for null or out of range).
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Texts::Plain(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Texts::Large(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            Texts::Dictionary { keys, values } => {
                let key = (*keys.get(i)?)?;
                (key < values.len() && values.is_valid(key)).then(|| values.value(key))
            }
        }
    }
}

/// The column as text, when it holds text.
pub fn texts(array: &dyn Array) -> Option<Texts<'_>> {
    match array.data_type() {
        DataType::Utf8 => array.as_string_opt::<i32>().map(Texts::Plain),
        DataType::LargeUtf8 => array.as_string_opt::<i64>().map(Texts::Large),
        DataType::Dictionary(_, value) if **value == DataType::Utf8 => {
            let dictionary = array.as_any_dictionary_opt()?;
            let values = dictionary.values().as_string_opt::<i32>()?;
            // arrow's `normalized_keys` asserts on an empty dictionary,
            // which a file of zero rows (or all nulls) may carry.
            let keys = if values.is_empty() {
                vec![None; array.len()]
            } else {
                dictionary
                    .normalized_keys()
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| array.is_valid(i).then_some(k))
                    .collect()
            };
            Some(Texts::Dictionary { keys, values })
        }
        _ => None,
    }
}

/// Every value of `array` as the preview shows it, null and blank text as
/// `None`: a column read as text, whatever its type.
pub fn shown(array: &dyn Array) -> Vec<Option<String>> {
    let text = formatter(array);
    (0..array.len())
        .map(|i| text(i).filter(|t| !t.trim().is_empty()))
        .collect()
}

/// Formats row `i` of `array` as the preview shows it (`None` for null).
/// Timestamps are written by [`crate::data::time`].
pub fn formatter(array: &dyn Array) -> Box<dyn Fn(usize) -> Option<String> + '_> {
    if let DataType::Timestamp(unit, zone) = array.data_type() {
        let zone = Zone::parse(zone.as_deref());
        let unit = *unit;
        let values = timestamps(array);
        return Box::new(move |i| {
            if i >= array.len() || array.is_null(i) {
                return None;
            }
            values.get(i).map(|v| time::format(*v, unit, zone))
        });
    }
    let formatter = ArrayFormatter::try_new(array, &FormatOptions::default()).ok();
    Box::new(move |i| {
        if i >= array.len() || array.is_null(i) {
            return None;
        }
        formatter.as_ref().map(|f| f.value(i).to_string())
    })
}

/// Formats row `i` of `array` as the page shows it, in `lang`: numbers
/// with the language's marks and as many decimals as the column needs
/// ([`format::decimals_for`]; missing, NaN and infinities as `None`),
/// thousands grouped except in a column of years; timestamps of a named
/// zone in its local time where the platform has the zone's rules
/// ([`time::format_shown`]); everything else as [`formatter`]. For the
/// preview, summaries and tooltips; exports and keys use [`formatter`].
pub fn display_formatter(
    array: &dyn Array,
    lang: Lang,
) -> Box<dyn Fn(usize) -> Option<String> + '_> {
    if let DataType::Timestamp(unit, zone) = array.data_type() {
        let unit = *unit;
        let zone = zone.as_deref();
        let values = timestamps(array);
        return Box::new(move |i| {
            if i >= array.len() || array.is_null(i) {
                return None;
            }
            values.get(i).map(|v| time::format_shown(*v, unit, zone))
        });
    }
    let Some(value) = number_at(array) else {
        return formatter(array);
    };
    let is_float = matches!(
        array.data_type(),
        DataType::Float16 | DataType::Float32 | DataType::Float64
    );
    let sample = sample_values(array, &value);
    let decimals = if is_float {
        format::decimals_for(&sample)
    } else {
        0
    };
    // Years read 2024, not 2 024.
    let years =
        !is_float && !sample.is_empty() && sample.iter().all(|v| (1000.0..=2999.0).contains(v));
    Box::new(move |i| {
        if i >= array.len() || array.is_null(i) {
            return None;
        }
        let v = value(i);
        v.is_finite()
            .then(|| format::grouped(v, decimals, lang, !years))
    })
}

/// Reads row `i` of a number column as f64 (for the ints, uints and floats
/// the lab reads; `None` for other columns). Rows must be in range.
type NumberAt<'a> = Box<dyn Fn(usize) -> f64 + 'a>;

fn number_at(array: &dyn Array) -> Option<NumberAt<'_>> {
    macro_rules! at {
        ($t:ty) => {{
            let values = array.as_primitive::<$t>().values();
            Some(Box::new(move |i: usize| values[i] as f64) as NumberAt<'_>)
        }};
    }
    match array.data_type() {
        DataType::Int8 => at!(Int8Type),
        DataType::Int16 => at!(Int16Type),
        DataType::Int32 => at!(Int32Type),
        DataType::Int64 => at!(Int64Type),
        DataType::UInt8 => at!(UInt8Type),
        DataType::UInt16 => at!(UInt16Type),
        DataType::UInt32 => at!(UInt32Type),
        DataType::UInt64 => at!(UInt64Type),
        DataType::Float32 => at!(Float32Type),
        DataType::Float64 => at!(Float64Type),
        DataType::Float16 => {
            let values = array.as_primitive::<Float16Type>().values();
            Some(Box::new(move |i: usize| f64::from(values[i].to_f32())))
        }
        _ => None,
    }
}

/// The values of up to [`format::PRECISION_SAMPLE`] rows of a number
/// column, at scattered places (all rows of a smaller column); nulls left
/// out.
fn sample_values(array: &dyn Array, value: &NumberAt<'_>) -> Vec<f64> {
    let len = array.len();
    let rows: Box<dyn Iterator<Item = usize>> = if len <= format::PRECISION_SAMPLE {
        Box::new(0..len)
    } else {
        Box::new(
            (0..format::PRECISION_SAMPLE as u64)
                .map(move |k| (format::scatter(k) % len as u64) as usize),
        )
    };
    rows.filter(|&i| array.is_valid(i)).map(value).collect()
}

/// Whether the preview can show `array`'s values: every column type the
/// loader accepts must pass, or its values would show as missing.
pub fn formattable(array: &dyn Array) -> bool {
    matches!(array.data_type(), DataType::Timestamp(..))
        || ArrayFormatter::try_new(array, &FormatOptions::default()).is_ok()
}

/// A timestamp column's raw values (empty for other columns).
pub fn timestamps(array: &dyn Array) -> &[i64] {
    use arrow::datatypes::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    macro_rules! raw {
        ($t:ty) => {
            array
                .as_primitive_opt::<$t>()
                .map(|a| a.values().as_ref())
                .unwrap_or_default()
        };
    }
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => raw!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => raw!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => raw!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => raw!(TimestampNanosecondType),
        _ => &[],
    }
}

/// The distinct values of `array` as text, in the order of its values
/// (nulls left out), at most `limit` of them; and whether there were more.
pub fn distinct(array: &dyn Array, limit: usize) -> (Vec<String>, bool) {
    let mut rows: Vec<u32> = (0..array.len() as u32).collect();
    sort_rows(array, &mut rows, false);
    let text = formatter(array);
    let mut values: Vec<String> = Vec::new();
    for row in rows {
        let Some(value) = text(row as usize) else {
            continue;
        };
        if values.last() != Some(&value) {
            if values.len() == limit {
                return (values, true);
            }
            values.push(value);
        }
    }
    (values, false)
}

/// A column's values in an order-preserving form, to compare rows.
pub enum Keys<'a> {
    Signed(Vec<i64>),
    Unsigned(Vec<u64>),
    Float(Vec<f64>),
    Wide(Vec<i128>),
    Bool(&'a BooleanArray),
    Text(Texts<'a>),
    /// Any other type, by its text.
    Formatted(Vec<Option<String>>),
}

impl<'a> Keys<'a> {
    /// Orders the values of rows `i` and `j`, both valid.
    pub fn compare(&self, i: usize, j: usize) -> Ordering {
        fn pick<T: Copy + Default>(v: &[T], i: usize) -> T {
            v.get(i).copied().unwrap_or_default()
        }
        match self {
            Keys::Signed(v) => pick(v, i).cmp(&pick(v, j)),
            Keys::Unsigned(v) => pick(v, i).cmp(&pick(v, j)),
            Keys::Float(v) => pick(v, i).total_cmp(&pick(v, j)),
            Keys::Wide(v) => pick(v, i).cmp(&pick(v, j)),
            Keys::Bool(a) => {
                let at = |i| i < a.len() && a.value(i);
                at(i).cmp(&at(j))
            }
            Keys::Text(t) => t.get(i).cmp(&t.get(j)),
            Keys::Formatted(v) => v.get(i).cmp(&v.get(j)),
        }
    }
}

/// The sort keys of a column.
pub fn keys(array: &dyn Array) -> Keys<'_> {
    macro_rules! values {
        ($variant:ident, $t:ty, $f:expr) => {
            if let Some(a) = array.as_primitive_opt::<$t>() {
                return Keys::$variant(a.values().iter().map(|&v| $f(v)).collect());
            }
        };
    }
    match array.data_type() {
        DataType::Int8 => values!(Signed, Int8Type, i64::from),
        DataType::Int16 => values!(Signed, Int16Type, i64::from),
        DataType::Int32 => values!(Signed, Int32Type, i64::from),
        DataType::Int64 => values!(Signed, Int64Type, |v| v),
        DataType::Date32 => values!(Signed, Date32Type, i64::from),
        DataType::Time32(arrow::datatypes::TimeUnit::Second) => {
            values!(Signed, Time32SecondType, i64::from)
        }
        DataType::Time32(arrow::datatypes::TimeUnit::Millisecond) => {
            values!(Signed, Time32MillisecondType, i64::from)
        }
        DataType::UInt8 => values!(Unsigned, UInt8Type, u64::from),
        DataType::UInt16 => values!(Unsigned, UInt16Type, u64::from),
        DataType::UInt32 => values!(Unsigned, UInt32Type, u64::from),
        DataType::UInt64 => values!(Unsigned, UInt64Type, |v| v),
        DataType::Float16 => values!(Float, Float16Type, f64::from),
        DataType::Float32 => values!(Float, Float32Type, f64::from),
        DataType::Float64 => values!(Float, Float64Type, |v| v),
        DataType::Decimal128(..) => values!(Wide, Decimal128Type, |v| v),
        // One unit per column, so the raw values order the instants.
        DataType::Timestamp(..) => return Keys::Signed(timestamps(array).to_vec()),
        DataType::Boolean => {
            if let Some(a) = array.as_boolean_opt() {
                return Keys::Bool(a);
            }
        }
        _ => {
            if let Some(t) = texts(array) {
                return Keys::Text(t);
            }
        }
    }
    // Dates and times of 64 bits, binary and the rest: by their text, which
    // for ISO dates and times is their order.
    let format = formatter(array);
    Keys::Formatted((0..array.len()).map(format).collect())
}

/// Sorts row numbers by `array`'s values: nulls last, equal values in the
/// order the rows came (a stable sort), so the result is the same on every
/// run and platform.
pub fn sort_rows(array: &dyn Array, rows: &mut [u32], descending: bool) {
    let keys = keys(array);
    let valid = |r: u32| (r as usize) < array.len() && array.is_valid(r as usize);
    rows.sort_by(|&a, &b| match (valid(a), valid(b)) {
        (true, true) => {
            let order = keys.compare(a as usize, b as usize);
            if descending { order.reverse() } else { order }
        }
        (false, false) => Ordering::Equal,
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use arrow::array::{ArrayRef, DictionaryArray, Float64Array, Int32Array};

    #[test]
    fn sorts_numbers_text_and_dictionaries_stably_with_nulls_last() {
        let numbers: ArrayRef = Arc::new(Int32Array::from(vec![Some(3), None, Some(1), Some(3)]));
        let mut rows = vec![0, 1, 2, 3];
        sort_rows(numbers.as_ref(), &mut rows, false);
        assert_eq!(rows, [2, 0, 3, 1]);
        sort_rows(numbers.as_ref(), &mut rows, true);
        assert_eq!(rows, [0, 3, 2, 1]);
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN, -0.0, 0.0, -1.0]));
        let mut rows = vec![0, 1, 2, 3];
        sort_rows(floats.as_ref(), &mut rows, false);
        assert_eq!(rows, [3, 1, 2, 0]);
        let kinds: DictionaryArray<Int32Type> =
            vec![Some("kommun"), None, Some("län"), Some("kommun")]
                .into_iter()
                .collect();
        let kinds: ArrayRef = Arc::new(kinds);
        let mut rows = vec![0, 1, 2, 3];
        sort_rows(kinds.as_ref(), &mut rows, true);
        assert_eq!(rows, [2, 0, 3, 1]);
        let Some(text) = texts(kinds.as_ref()) else {
            panic!("a dictionary of strings is text");
        };
        assert_eq!(
            (text.get(2), text.get(1), text.get(99)),
            (Some("län"), None, None)
        );
        // Row numbers past the end sort last and do not panic.
        let mut rows = vec![99, 0];
        sort_rows(kinds.as_ref(), &mut rows, false);
        assert_eq!(rows, [0, 99]);
    }

    #[test]
    fn distinct_values_are_sorted_capped_and_skip_nulls() {
        let years: ArrayRef = Arc::new(Int32Array::from(vec![
            Some(2024),
            None,
            Some(2010),
            Some(2024),
            Some(-1),
        ]));
        assert_eq!(
            distinct(years.as_ref(), 10),
            (vec!["-1".into(), "2010".into(), "2024".into()], false)
        );
        assert_eq!(
            distinct(years.as_ref(), 2),
            (vec!["-1".into(), "2010".into()], true)
        );
        assert_eq!(distinct(years.as_ref(), 0), (vec![], true));
        let empty: ArrayRef = Arc::new(Int32Array::from(Vec::<i32>::new()));
        assert_eq!(distinct(empty.as_ref(), 5), (vec![], false));
    }

    #[test]
    fn numbers_are_read_from_every_number_type() {
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![Some(2), None]));
        assert_eq!(numbers(ints.as_ref()), Some(vec![Some(2.0), None]));
        let text: ArrayRef = Arc::new(StringArray::from(vec!["2"]));
        assert_eq!(numbers(text.as_ref()), None);
    }
}
