//! Help for a cluster step: choose k, eps, profiles.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};

use crate::ml::features::Features;
use crate::ml::matrix::Matrix;
use crate::ml::*;

use super::{blobs, centres};

#[test]
fn insights_choose_k_suggest_eps_and_profile_clusters() {
    use crate::ml::insight::{choose_k, k_distance, profiles};
    let (x, truth) = blobs(&centres(), 100, 1.0, 31);
    let elbow = choose_k(&x, 1, 8, 1, &mut no_progress).unwrap();
    assert_eq!(
        elbow.mark,
        Some(4.0),
        "the silhouette is highest at the true k"
    );
    assert_eq!(elbow.table.num_rows(), 8);
    let inertia = elbow
        .table
        .column(1)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(
        inertia.values().windows(2).all(|w| w[1] <= w[0] * 1.0001),
        "{inertia:?}"
    );
    let silhouette = elbow
        .table
        .column(2)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(silhouette.is_null(0), "no silhouette for one cluster");
    for bad in [(0, 3), (5, 2), (1, 100)] {
        assert!(
            choose_k(&x, bad.0, bad.1, 1, &mut no_progress).is_err(),
            "{bad:?}"
        );
    }
    // k above the rows is cut to the rows.
    let small = Matrix::from_rows(&[vec![0.0], vec![1.0], vec![5.0]]).unwrap();
    assert_eq!(
        choose_k(&small, 1, 10, 1, &mut no_progress)
            .unwrap()
            .table
            .num_rows(),
        3
    );

    // The knee of the k-distances lies between the blobs' spread and the
    // distance between blobs.
    let knee = k_distance(&x, 4, 1).unwrap();
    let distances = knee
        .table
        .column(1)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    let at = distances.value(knee.mark.unwrap() as usize - 1);
    assert!((0.3..5.0).contains(&at), "{at}");
    assert!(k_distance(&x, 0, 1).is_err() && k_distance(&small, 3, 1).is_err());

    // Profiles of the true labels: sizes, raw means near the centres, the
    // cluster at (10, 10, 10) set apart by c upwards.
    let labels: Vec<i32> = truth.clone();
    let names: Vec<String> = (0..x.rows).map(|i| format!("row{i}")).collect();
    let column = |j: usize| {
        Arc::new(Float64Array::from(
            (0..x.rows).map(|i| x.row(i)[j]).collect::<Vec<_>>(),
        )) as ArrayRef
    };
    let batch = RecordBatch::try_from_iter([
        ("a", column(0)),
        ("b", column(1)),
        ("c", column(2)),
        ("name", Arc::new(StringArray::from(names)) as ArrayRef),
        (
            "cluster",
            Arc::new(arrow::array::Int32Array::from(labels)) as ArrayRef,
        ),
    ])
    .unwrap();
    let features = Features {
        columns: vec!["a".into(), "b".into(), "c".into()],
        ..Features::default()
    };
    let p = profiles(&batch, &features, "cluster", Some("name")).unwrap();
    let names: Vec<String> = p
        .table
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        ["cluster", "size", "sets_apart", "members", "a", "b", "c"]
    );
    let sizes = p
        .table
        .column(1)
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .unwrap();
    assert_eq!(sizes.values(), &[100, 100, 100, 100]);
    let c = p
        .table
        .column(6)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!((c.value(3) - 10.0).abs() < 0.3 && (c.value(2) + 5.0).abs() < 0.3);
    let apart = p
        .table
        .column(2)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert!(apart.value(3).contains("c +"), "{}", apart.value(3));
    let members = p
        .table
        .column(3)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert!(members.value(0).starts_with("row0, row1") && members.value(0).ends_with('…'));
    let long = p.long.unwrap();
    assert_eq!(long.num_rows(), 12);
    assert!(
        profiles(&batch, &features, "name", None).is_err(),
        "not a label column"
    );
}

#[test]
fn an_outlier_is_also_measured_against_the_rows_most_like_it() {
    use crate::ml::insight::{PEERS, outliers};
    // 41 agencies: growth rises with size, by 10 points per doubling. The
    // largest grew 40 %, near everyone's mean but far below its peers'.
    let mut size = Vec::new();
    let mut growth = Vec::new();
    for i in 0..40 {
        let s = 2f64.powf(i as f64 / 4.0) * 10.0;
        size.push(s);
        growth.push(10.0 * (i as f64 / 4.0) + (i % 3) as f64);
    }
    size.push(12_000.0);
    growth.push(40.0);
    let n = size.len();
    let scores: Vec<f64> = (0..n).map(|i| if i == n - 1 { 0.9 } else { 0.3 }).collect();
    let flags: Vec<bool> = (0..n).map(|i| i == n - 1).collect();
    let batch = RecordBatch::try_from_iter([
        ("size", Arc::new(Float64Array::from(size)) as ArrayRef),
        ("growth", Arc::new(Float64Array::from(growth)) as ArrayRef),
        ("odd", Arc::new(Float64Array::from(scores)) as ArrayRef),
        (
            "odd_flag",
            Arc::new(arrow::array::BooleanArray::from(flags)) as ArrayRef,
        ),
    ])
    .unwrap();
    let features = Features {
        columns: vec!["size".into(), "growth".into()],
        ..Features::default()
    };
    let found = outliers(&batch, &features, "odd", "odd_flag", None).unwrap();
    let long = found.long.unwrap();
    let number = |c: &str, i: usize| {
        long.column_by_name(c)
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .value(i)
    };
    // Row 1 of the long table is the outlier's growth.
    let all = number("difference_sd", 1);
    let peer = number("peer_difference_sd", 1);
    assert!(all.abs() < 0.5, "near the mean of all: {all}");
    assert!(peer < -2.0, "far below its peers: {peer}");
    // Its peers for growth are the 20 largest others: their mean growth,
    // and its distance from it in their (population) standard deviation.
    let theirs: Vec<f64> = (20..40)
        .map(|i| 10.0 * (i as f64 / 4.0) + (i % 3) as f64)
        .collect();
    let want = theirs.iter().sum::<f64>() / PEERS as f64;
    let spread = (theirs.iter().map(|v| (v - want).powi(2)).sum::<f64>() / PEERS as f64).sqrt();
    assert!((number("peer_mean", 1) - want).abs() < 1e-9);
    assert!((peer - (40.0 - want) / spread).abs() < 1e-9, "{peer}");
    let peers = long
        .column_by_name("peers")
        .unwrap()
        .as_any()
        .downcast_ref::<arrow::array::Int64Array>()
        .unwrap();
    assert_eq!(peers.value(1), PEERS as i64);
    // With one feature there is nobody to be like: no peers.
    let one = Features {
        columns: vec!["growth".into()],
        ..Features::default()
    };
    let long = outliers(&batch, &one, "odd", "odd_flag", None)
        .unwrap()
        .long
        .unwrap();
    assert_eq!(long.column_by_name("peer_mean").unwrap().null_count(), 1);
}
