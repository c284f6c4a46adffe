//! Column summaries: what a visitor wants to know about a column before
//! using it. Type, nulls and distinct values for every column; minimum,
//! maximum, mean and a histogram for numbers; the most common values for
//! everything else. Exact, and deterministic: ties between values are
//! broken by the values themselves, never by hash order.

use std::collections::{HashMap, HashSet};

use arrow::array::{Array, ArrayRef, RecordBatch};
use serde::{Deserialize, Serialize};

use crate::data::Lang;
use crate::data::values::{display_formatter, formatter, keys, numbers, texts};

/// Bars in a histogram.
pub const BINS: usize = 20;
/// Most common values listed.
pub const TOP: usize = 5;
/// Longest value text kept in a summary, in characters.
const MAX_TEXT: usize = 60;

/// One column, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    pub data_type: String,
    pub rows: u64,
    pub nulls: u64,
    pub distinct: u64,
    /// Smallest and largest value, as the preview shows them.
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<f64>,
    pub histogram: Option<Histogram>,
    /// The most common values and their counts (not for numbers).
    pub top: Vec<(String, u64)>,
}

/// Counts of values in [`BINS`] equal bins from `lo` to `hi`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
}

/// Summarises every column of `batch`.
pub fn summarize(batch: &RecordBatch, lang: Lang) -> Vec<ColumnSummary> {
    batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| summarize_column(field.name(), column, lang))
        .collect()
}

fn summarize_column(name: &str, column: &ArrayRef, lang: Lang) -> ColumnSummary {
    let mut summary = ColumnSummary {
        name: name.to_string(),
        data_type: column.data_type().to_string(),
        rows: column.len() as u64,
        nulls: column.logical_null_count() as u64,
        distinct: 0,
        min: None,
        max: None,
        mean: None,
        histogram: None,
        top: Vec::new(),
    };
    match numbers(column.as_ref()) {
        Some(values) => numeric(column, &values, &mut summary, lang),
        None => categorical(column, &mut summary, lang),
    }
    summary
}

/// Min, max, mean, histogram and distinct count of a number column.
fn numeric(column: &ArrayRef, values: &[Option<f64>], summary: &mut ColumnSummary, lang: Lang) {
    let mut distinct = HashSet::new();
    let (mut lo, mut hi) = ((f64::INFINITY, 0usize), (f64::NEG_INFINITY, 0usize));
    let (mut sum, mut count) = (0.0, 0u64);
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v.filter(|v| !v.is_nan()) else {
            continue;
        };
        // -0.0 and 0.0 are one value.
        distinct.insert((v + 0.0).to_bits());
        if v < lo.0 {
            lo = (v, i);
        }
        if v > hi.0 {
            hi = (v, i);
        }
        sum += v;
        count += 1;
    }
    summary.distinct = distinct.len() as u64;
    if count == 0 {
        return;
    }
    let format = display_formatter(column.as_ref(), lang);
    summary.min = format(lo.1).map(|t| shorten(&t));
    summary.max = format(hi.1).map(|t| shorten(&t));
    summary.mean = Some(sum / count as f64).filter(|m| m.is_finite());
    let mut counts = vec![0u64; BINS];
    let width = hi.0 - lo.0;
    for v in values.iter().flatten().filter(|v| !v.is_nan()) {
        let bin = if width > 0.0 && width.is_finite() {
            (((v - lo.0) / width) * BINS as f64) as usize
        } else {
            0
        };
        counts[bin.min(BINS - 1)] += 1;
    }
    summary.histogram = Some(Histogram {
        lo: lo.0,
        hi: hi.0,
        counts,
    });
}

/// Distinct count, most common values and min and max of any other
/// column: text, booleans, dates, dictionaries.
fn categorical(column: &ArrayRef, summary: &mut ColumnSummary, lang: Lang) {
    let array = column.as_ref();
    let counted: Vec<(String, u64)> = match texts(array) {
        // Counted by reference: no allocation per row.
        Some(text) => {
            let mut counts: HashMap<&str, u64> = HashMap::new();
            for i in 0..array.len() {
                if let Some(value) = text.get(i) {
                    *counts.entry(value).or_insert(0) += 1;
                }
            }
            counts
                .into_iter()
                .map(|(v, n)| (v.to_string(), n))
                .collect()
        }
        None => {
            let format = formatter(array);
            let mut counts: HashMap<String, u64> = HashMap::new();
            for text in (0..array.len()).filter_map(format) {
                *counts.entry(text).or_insert(0) += 1;
            }
            counts.into_iter().collect()
        }
    };
    if !matches!(array.data_type(), arrow::datatypes::DataType::Boolean) {
        let keys = keys(array);
        let (mut lo, mut hi) = (None::<usize>, None::<usize>);
        for i in (0..array.len()).filter(|&i| array.is_valid(i)) {
            if lo.is_none_or(|l| keys.compare(i, l).is_lt()) {
                lo = Some(i);
            }
            if hi.is_none_or(|h| keys.compare(i, h).is_gt()) {
                hi = Some(i);
            }
        }
        let format = display_formatter(array, lang);
        summary.min = lo.and_then(&format).map(|t| shorten(&t));
        summary.max = hi.and_then(&format).map(|t| shorten(&t));
    }
    summary.distinct = counted.len() as u64;
    let mut top = counted;
    top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(TOP);
    summary.top = top.into_iter().map(|(v, n)| (shorten(&v), n)).collect();
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(MAX_TEXT - 1).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RecordBatch {
        crate::data::load::tests::sample().remove(0)
    }

    #[test]
    fn summarises_numbers() {
        let summaries = summarize(&sample(), Lang::En);
        let id = &summaries[0];
        assert_eq!((id.name.as_str(), id.data_type.as_str()), ("id", "Int32"));
        // ids 0..50, every 7th null: 8 nulls.
        assert_eq!((id.rows, id.nulls, id.distinct), (50, 8, 42));
        assert_eq!(
            (id.min.as_deref(), id.max.as_deref()),
            (Some("1"), Some("48"))
        );
        let expected_mean = (1..50).filter(|i| i % 7 != 0).sum::<i32>() as f64 / 42.0;
        assert_eq!(id.mean, Some(expected_mean));
        let histogram = id.histogram.as_ref().unwrap();
        assert_eq!((histogram.lo, histogram.hi), (1.0, 48.0));
        assert_eq!(histogram.counts.len(), BINS);
        assert_eq!(histogram.counts.iter().sum::<u64>(), 42);
        assert!(id.top.is_empty());
    }

    #[test]
    fn summarises_text_dates_booleans_and_dictionaries() {
        let summaries = summarize(&sample(), Lang::En);
        let name = &summaries[2];
        assert_eq!((name.nulls, name.distinct), (10, 40));
        assert_eq!(name.min.as_deref(), Some("rad 1 åäö"));
        assert_eq!(name.max.as_deref(), Some("rad 9 åäö"));
        assert_eq!(name.top[0], ("rad 1 åäö".to_string(), 1));
        let flag = &summaries[3];
        assert_eq!(
            flag.top,
            [("false".to_string(), 25), ("true".to_string(), 25)]
        );
        assert_eq!(flag.min, None);
        let day = &summaries[4];
        assert_eq!(day.min.as_deref(), Some("2022-01-08"));
        assert_eq!(day.max.as_deref(), Some("2022-02-26"));
        let kind = &summaries[5];
        // i % 4 == 3 is null: 12 nulls, three values.
        assert_eq!((kind.nulls, kind.distinct), (12, 3));
        assert_eq!(kind.top[0], ("kommun".to_string(), 13));
        assert_eq!(kind.min.as_deref(), Some("kommun"));
    }

    #[test]
    fn empty_and_odd_columns_do_not_panic() {
        let batch = sample().slice(0, 0);
        for summary in summarize(&batch, Lang::En) {
            assert_eq!((summary.rows, summary.distinct), (0, 0));
            assert_eq!(summary.min, None);
        }
        use arrow::array::Float64Array;
        use std::sync::Arc;
        let odd: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(f64::NAN),
            None,
            Some(f64::INFINITY),
            Some(-0.0),
            Some(0.0),
        ]));
        let summary = summarize_column("x", &odd, Lang::En);
        assert_eq!(summary.distinct, 2);
        assert_eq!(summary.mean, None);
        assert_eq!(summary.histogram.unwrap().counts.iter().sum::<u64>(), 3);
        let long: ArrayRef = Arc::new(arrow::array::StringArray::from(vec!["x".repeat(500)]));
        assert_eq!(
            summarize_column("t", &long, Lang::En).top[0]
                .0
                .chars()
                .count(),
            MAX_TEXT
        );
    }
}
