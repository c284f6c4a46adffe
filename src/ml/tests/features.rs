//! Features: scaling, filling and refusing.

use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray};

use crate::ml::features::{ColumnScale, Features, Missing, RowScale, extract};

#[test]
fn features_scale_and_fill() {
    let batch = RecordBatch::try_from_iter([
        (
            "a",
            Arc::new(Float64Array::from(vec![
                Some(1.0),
                Some(2.0),
                None,
                Some(4.0),
                Some(f64::INFINITY),
            ])) as ArrayRef,
        ),
        (
            "b",
            Arc::new(Float64Array::from(vec![
                Some(10.0),
                Some(20.0),
                Some(30.0),
                Some(40.0),
                Some(50.0),
            ])) as ArrayRef,
        ),
        (
            "c",
            Arc::new(Float64Array::from(vec![Some(7.0); 5])) as ArrayRef,
        ),
        (
            "none",
            Arc::new(Float64Array::from(vec![None::<f64>; 5])) as ArrayRef,
        ),
        ("t", Arc::new(StringArray::from(vec!["x"; 5])) as ArrayRef),
    ])
    .unwrap();
    let spec = |cols: &[&str], missing, scale, row_scale| Features {
        columns: cols.iter().map(|c| c.to_string()).collect(),
        missing,
        scale,
        row_scale,
    };
    let dropped = extract(
        &batch,
        &spec(
            &["a", "b"],
            Missing::Drop,
            ColumnScale::None,
            RowScale::None,
        ),
    )
    .unwrap();
    assert_eq!(dropped.rows, [0, 1, 3]);
    assert_eq!(dropped.dropped, 2);
    let median = extract(
        &batch,
        &spec(&["a"], Missing::Median, ColumnScale::None, RowScale::None),
    )
    .unwrap();
    assert_eq!(median.matrix.data, [1.0, 2.0, 2.0, 4.0, 2.0]);
    let z = extract(
        &batch,
        &spec(
            &["b", "c"],
            Missing::Drop,
            ColumnScale::ZScore,
            RowScale::None,
        ),
    )
    .unwrap();
    let col_b: Vec<f64> = (0..5).map(|i| z.matrix.row(i)[0]).collect();
    assert!((col_b.iter().sum::<f64>()).abs() < 1e-12);
    assert!(z.matrix.data.iter().all(|v| v.is_finite()));
    assert!(
        (0..5).all(|i| z.matrix.row(i)[1] == 0.0),
        "a constant column is 0"
    );
    let indexed = extract(
        &batch,
        &spec(
            &["b", "c"],
            Missing::Drop,
            ColumnScale::None,
            RowScale::IndexFirst,
        ),
    )
    .unwrap();
    assert_eq!(indexed.matrix.row(0), [100.0, 70.0]);
    let by_mean = extract(
        &batch,
        &spec(
            &["b", "c"],
            Missing::Drop,
            ColumnScale::MinMax,
            RowScale::Mean,
        ),
    )
    .unwrap();
    assert!(by_mean.matrix.data.iter().all(|v| (0.0..=1.0).contains(v)));
    let err = |cols: &[&str], missing| {
        extract(
            &batch,
            &spec(cols, missing, ColumnScale::ZScore, RowScale::None),
        )
        .unwrap_err()
        .to_string()
    };
    assert!(err(&["t"], Missing::Drop).contains("not numbers"));
    assert!(err(&["nope"], Missing::Drop).contains("not in the table"));
    assert!(err(&["none"], Missing::Mean).contains("no values"));
    assert!(err(&["none"], Missing::Drop).contains("No row"));
    assert!(err(&[], Missing::Drop).contains("at least one"));
}
