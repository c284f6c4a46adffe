//! Known structure recovered from seeded blobs, and hostile inputs.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};

use super::dbscan::{DbscanParams, dbscan, k_distances};
use super::features::{ColumnScale, Features, Missing, RowScale, extract};
use super::kmeans::{KMeansParams, kmeans};
use super::matrix::Matrix;
use super::pca::pca;
use super::rng::Rng;
use super::silhouette::{adjusted_rand, silhouette};
use super::*;

/// `per` rows around each of `centres`, normal with deviation `sd`; the
/// true labels.
pub(crate) fn blobs(centres: &[Vec<f64>], per: usize, sd: f64, seed: u64) -> (Matrix, Vec<i32>) {
    let mut rng = Rng::new(seed);
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for (c, centre) in centres.iter().enumerate() {
        for _ in 0..per {
            rows.push(centre.iter().map(|m| m + sd * rng.normal()).collect());
            labels.push(c as i32);
        }
    }
    (Matrix::from_rows(&rows).unwrap(), labels)
}

fn centres() -> Vec<Vec<f64>> {
    vec![
        vec![0.0, 0.0, 0.0],
        vec![10.0, 0.0, 5.0],
        vec![0.0, 10.0, -5.0],
        vec![10.0, 10.0, 10.0],
    ]
}

#[test]
fn kmeans_recovers_blobs_and_is_deterministic() {
    let (x, truth) = blobs(&centres(), 250, 1.0, 7);
    let params = KMeansParams {
        k: 4,
        restarts: 5,
        max_iterations: 100,
        seed: 42,
    };
    let a = kmeans(&x, &params, &mut no_progress).unwrap();
    let labels: Vec<i32> = a.labels.iter().map(|&l| l as i32).collect();
    assert!(
        adjusted_rand(&labels, &truth) >= 0.99,
        "{}",
        adjusted_rand(&labels, &truth)
    );
    let b = kmeans(&x, &params, &mut no_progress).unwrap();
    assert_eq!(a, b, "the same seed, the same clustering");
    // The inertia is about n · d · sd².
    assert!(
        (a.inertia / (1000.0 * 3.0) - 1.0).abs() < 0.15,
        "{}",
        a.inertia
    );
    // More restarts never do worse.
    let more = kmeans(
        &x,
        &KMeansParams {
            restarts: 20,
            ..params
        },
        &mut no_progress,
    )
    .unwrap();
    assert!(more.inertia <= a.inertia + 1e-9);
}

#[test]
fn kmeans_edges_are_messages() {
    let (x, _) = blobs(&centres(), 3, 1.0, 1);
    let p = |k| KMeansParams {
        k,
        ..KMeansParams::default()
    };
    assert!(
        kmeans(&x, &p(0), &mut no_progress)
            .unwrap_err()
            .0
            .contains("at least 1")
    );
    assert!(
        kmeans(&x, &p(13), &mut no_progress)
            .unwrap_err()
            .0
            .contains("more than the 12 rows")
    );
    // k = rows: every row its own cluster, inertia 0.
    let all = kmeans(&x, &p(12), &mut no_progress).unwrap();
    assert!(all.inertia.abs() < 1e-12);
    // One row; identical rows; a cancel.
    let one = Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap();
    assert_eq!(kmeans(&one, &p(1), &mut no_progress).unwrap().labels, [0]);
    let same = Matrix::from_rows(&vec![vec![3.0, 3.0]; 50]).unwrap();
    let r = kmeans(&same, &p(3), &mut no_progress).unwrap();
    assert!(r.inertia == 0.0 && r.centres.data.iter().all(|v| v.is_finite()));
    assert!(
        kmeans(&x, &p(2), &mut |_, _| std::ops::ControlFlow::Break(()))
            .unwrap_err()
            .0
            .contains("cancelled")
    );
}

#[test]
fn dbscan_recovers_blobs_and_noise() {
    let two_d: Vec<Vec<f64>> = centres().iter().map(|c| c[..2].to_vec()).collect();
    let (mut x, mut truth) = blobs(&two_d, 200, 0.5, 3);
    // Far-away single rows are noise.
    for (i, p) in [[50.0, 50.0], [-40.0, 30.0], [30.0, -40.0]]
        .iter()
        .enumerate()
    {
        x.data.extend_from_slice(p);
        x.rows += 1;
        truth.push(NOISE - i as i32);
    }
    let r = dbscan(
        &x,
        &DbscanParams {
            eps: 1.0,
            min_points: 5,
        },
        &mut no_progress,
    )
    .unwrap();
    assert_eq!(r.clusters, 4);
    assert_eq!(&r.labels[800..], &[NOISE; 3]);
    let found = &r.labels[..800];
    assert!(
        adjusted_rand(found, &truth[..800]) >= 0.99,
        "{}",
        adjusted_rand(found, &truth[..800])
    );
    // eps of zero, negative, NaN; min points 0; an eps that joins everything.
    for eps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(dbscan(&x, &DbscanParams { eps, min_points: 5 }, &mut no_progress).is_err());
    }
    assert!(
        dbscan(
            &x,
            &DbscanParams {
                eps: 1.0,
                min_points: 0
            },
            &mut no_progress
        )
        .is_err()
    );
    let (big, _) = blobs(&[vec![0.0, 0.0]], 30_000, 1.0, 9);
    let err = dbscan(
        &big,
        &DbscanParams {
            eps: 1e6,
            min_points: 5,
        },
        &mut no_progress,
    )
    .unwrap_err();
    assert!(err.0.contains("smaller eps"), "{err}");
    let kd = k_distances(&x, 4, 200, 1).unwrap();
    assert!(
        kd.windows(2).all(|w| w[0] >= w[1]) && kd[0] > 20.0,
        "noise rows come first"
    );
}

#[test]
fn pca_finds_the_axes_of_stretched_data() {
    let mut rng = Rng::new(5);
    // x along (1, 1)/√2 with deviation 10, across it deviation 1.
    let rows: Vec<Vec<f64>> = (0..5000)
        .map(|_| {
            let (a, b) = (10.0 * rng.normal(), rng.normal());
            let s = std::f64::consts::FRAC_1_SQRT_2;
            vec![s * (a - b) + 3.0, s * (a + b) - 2.0]
        })
        .collect();
    let x = Matrix::from_rows(&rows).unwrap();
    let p = pca(&x, 2).unwrap();
    let first = p.components.row(0);
    assert!(
        (first[0] - first[1]).abs() < 0.02 && first[0] > 0.0,
        "{first:?}"
    );
    assert!(
        (p.explained[0] - 100.0 / 101.0).abs() < 0.01,
        "{:?}",
        p.explained
    );
    assert!((p.explained.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // Projections are centred and their variances are the eigenvalues.
    let mean0: f64 = (0..x.rows).map(|i| p.projected.row(i)[0]).sum::<f64>() / x.rows as f64;
    assert!(mean0.abs() < 1e-9);
    // Jacobi on a known matrix.
    let (values, _) = pca::jacobi(vec![2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 5.0], 3);
    let mut v = values.clone();
    v.sort_by(f64::total_cmp);
    for (got, want) in v.iter().zip([1.0, 3.0, 5.0]) {
        assert!((got - want).abs() < 1e-12, "{values:?}");
    }
    assert!(pca(&Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap(), 1).is_err());
    assert!(pca(&x, 3).is_err());
    // Constant data: no variance, no NaN.
    let flat = pca(&Matrix::from_rows(&vec![vec![1.0, 1.0]; 10]).unwrap(), 2).unwrap();
    assert!(
        flat.explained
            .iter()
            .chain(&flat.projected.data)
            .all(|v| v.is_finite())
    );
}

#[test]
fn silhouette_and_rand_index() {
    let (x, truth) = blobs(&centres(), 100, 0.5, 11);
    let good = silhouette(&x, &truth, 10_000, 1).unwrap();
    assert!(good > 0.8, "{good}");
    let shuffled: Vec<i32> = (0..x.rows as i32).map(|i| i % 4).collect();
    assert!(silhouette(&x, &shuffled, 10_000, 1).unwrap() < 0.1);
    // A sample of rows gives about the same.
    let sampled = silhouette(&x, &truth, 200, 1).unwrap();
    assert!((sampled - good).abs() < 0.05);
    assert!(silhouette(&x, &vec![0; x.rows], 100, 1).is_err());
    assert_eq!(adjusted_rand(&[0, 0, 1, 1], &[5, 5, 9, 9]), 1.0);
    assert!(adjusted_rand(&[0, 1, 0, 1, 0, 1, 0, 1], &[0, 0, 1, 1, 0, 0, 1, 1]) < 0.1);
}

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
        .0
    };
    assert!(err(&["t"], Missing::Drop).contains("not numbers"));
    assert!(err(&["nope"], Missing::Drop).contains("not in the table"));
    assert!(err(&["none"], Missing::Mean).contains("no values"));
    assert!(err(&["none"], Missing::Drop).contains("No row"));
    assert!(err(&[], Missing::Drop).contains("at least one"));
}

#[test]
fn cluster_and_project_steps_run_in_a_recipe() {
    use crate::recipe::learn::Method;
    use crate::recipe::{Input, Recipe, Step};
    let (x, truth) = blobs(&centres(), 150, 1.0, 21);
    let column = |j: usize| {
        Arc::new(Float64Array::from(
            (0..x.rows).map(|i| x.row(i)[j]).collect::<Vec<_>>(),
        )) as ArrayRef
    };
    let mut a: Vec<Option<f64>> = (0..x.rows).map(|i| Some(x.row(i)[0])).collect();
    a[0] = None;
    let batch = RecordBatch::try_from_iter([
        ("a", Arc::new(Float64Array::from(a)) as ArrayRef),
        ("b", column(1)),
        ("c", column(2)),
    ])
    .unwrap();
    let features = Features {
        columns: vec!["a".into(), "b".into(), "c".into()],
        ..Features::default()
    };
    let recipe = Recipe {
        v: 1,
        inputs: vec![Input {
            name: "t".into(),
            dataset: "t".into(),
            sha256: String::new(),
        }],
        steps: vec![
            Step::Cluster {
                features: features.clone(),
                method: Method::KMeans {
                    k: 4,
                    restarts: 10,
                    seed: 7,
                },
                name: "cluster".into(),
            },
            Step::Project {
                features,
                components: 2,
                prefix: "pc".into(),
                method: crate::recipe::learn::Projection::Pca,
            },
        ],
        chart: Default::default(),
    };
    let tables = std::collections::BTreeMap::from([("t".to_string(), batch)]);
    let (out, _) = crate::recipe::run::run(&recipe, &tables, &mut no_progress).unwrap();
    let names: Vec<String> = out
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["a", "b", "c", "cluster", "pc1", "pc2"]);
    let labels = out
        .column(3)
        .as_any()
        .downcast_ref::<arrow::array::Int32Array>()
        .unwrap();
    assert!(labels.is_null(0), "the row without a value has no label");
    let found: Vec<i32> = (1..x.rows).map(|i| labels.value(i)).collect();
    assert!(adjusted_rand(&found, &truth[1..]) >= 0.99);
    let pc1 = out
        .column(4)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(pc1.is_null(0) && (1..x.rows).all(|i| pc1.value(i).is_finite()));
    let (again, _) = crate::recipe::run::run(&recipe, &tables, &mut no_progress).unwrap();
    assert_eq!(out, again, "the same recipe and seed, the same labels");
    // k above the rows: a message naming the step.
    let mut too_many = recipe.clone();
    too_many.steps[0] = Step::Cluster {
        features: Features {
            columns: vec!["b".into()],
            ..Features::default()
        },
        method: Method::KMeans {
            k: 1000,
            restarts: 1,
            seed: 1,
        },
        name: "cluster".into(),
    };
    let err = crate::recipe::run::run(&too_many, &tables, &mut no_progress).unwrap_err();
    assert!(
        err.message.contains("more than the 600 rows"),
        "{}",
        err.message
    );
    // A mixture adds its probabilities; every method finds the blobs, and
    // the rows it left out stay null.
    for method in [
        Method::GaussianMixture { k: 4, seed: 2 },
        Method::Agglomerative {
            k: 4,
            linkage: crate::ml::agglomerative::Linkage::Average,
        },
    ] {
        let mut other = recipe.clone();
        other.steps.truncate(1);
        if let Step::Cluster { method: m, .. } = &mut other.steps[0] {
            *m = method.clone();
        }
        let (out, _) = crate::recipe::run::run(&other, &tables, &mut no_progress).unwrap();
        let labels = out
            .column(3)
            .as_any()
            .downcast_ref::<arrow::array::Int32Array>()
            .unwrap();
        let found: Vec<i32> = (1..x.rows).map(|i| labels.value(i)).collect();
        assert!(labels.is_null(0) && adjusted_rand(&found, &truth[1..]) >= 0.99);
        let gmm = matches!(method, Method::GaussianMixture { .. });
        assert_eq!(out.num_columns(), if gmm { 5 } else { 4 });
        if gmm {
            assert_eq!(out.schema().field(4).name(), "cluster_probability");
            let p = out
                .column(4)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap();
            assert!(p.is_null(0) && (1..x.rows).all(|i| p.value(i) > 0.9));
        }
    }
    // The probability column's name is checked like the label's.
    let schema = vec![
        ("a".to_string(), "Float64".to_string()),
        ("g_probability".to_string(), "Float64".to_string()),
    ];
    let features = Features {
        columns: vec!["a".into()],
        ..Features::default()
    };
    let gmm = Method::GaussianMixture { k: 2, seed: 1 };
    let e = crate::recipe::learn::check_cluster(&schema, &features, &gmm, "g").unwrap_err();
    assert!(e.contains("g_probability"), "{e}");
    assert!(
        crate::recipe::learn::check_cluster(&schema, &features, &gmm.with_k(0).unwrap(), "h")
            .is_err()
    );
}

#[test]
fn methods_switch_keeping_k_and_read_old_links() {
    use crate::recipe::learn::Method;
    let m = Method::KMeans {
        k: 5,
        restarts: 10,
        seed: 1,
    };
    for index in 0..Method::COUNT {
        let other = m.switch(index);
        assert_eq!(other.index(), index);
        if index != 1 {
            assert_eq!(other.k(), Some(5));
        }
    }
    let json = serde_json::to_string(&m.switch(3)).unwrap();
    assert_eq!(json, r#"{"agglomerative":{"k":5}}"#);
    let read: Method = serde_json::from_str(r#"{"gaussian_mixture":{"k":2}}"#).unwrap();
    assert_eq!(read.seed(), Some(1));
    let linked: Method =
        serde_json::from_str(r#"{"agglomerative":{"k":2,"linkage":"complete"}}"#).unwrap();
    assert_eq!(linked.with_k(7).unwrap().k(), Some(7));
    assert!(
        serde_json::from_str::<Method>(r#"{"agglomerative":{"k":2,"linkage":"single"}}"#).is_err()
    );
}

#[test]
fn dbscan_agrees_with_a_scan_of_all_pairs() {
    let mut rng = Rng::new(77);
    for round in 0..20 {
        let n = 50 + rng.below(300);
        let d = 1 + rng.below(4);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..d).map(|_| rng.next_f64() * 10.0).collect())
            .collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let eps = 0.3 + rng.next_f64() * 2.0;
        let min_points = 1 + rng.below(8);
        let found = dbscan(&x, &DbscanParams { eps, min_points }, &mut no_progress).unwrap();
        // The reference: every pair.
        let near = |i: usize| {
            (0..n)
                .filter(|&j| distance2(x.row(i), x.row(j)) <= eps * eps)
                .collect::<Vec<_>>()
        };
        let core: Vec<bool> = (0..n).map(|i| near(i).len() >= min_points).collect();
        assert_eq!(found.core, core, "round {round}: core rows");
        for i in 0..n {
            let reachable = core[i] || near(i).iter().any(|&j| core[j]);
            assert_eq!(
                found.labels[i] != NOISE,
                reachable,
                "round {round}: row {i} noise or not"
            );
        }
        // Core rows: the same groups (connected through core neighbours).
        let core_rows: Vec<usize> = (0..n).filter(|&i| core[i]).collect();
        let mut reference = vec![-1i32; n];
        let mut next = 0;
        for &s in &core_rows {
            if reference[s] >= 0 {
                continue;
            }
            let mut stack = vec![s];
            reference[s] = next;
            while let Some(i) = stack.pop() {
                for j in near(i) {
                    if core[j] && reference[j] < 0 {
                        reference[j] = next;
                        stack.push(j);
                    }
                }
            }
            next += 1;
        }
        let a: Vec<i32> = core_rows.iter().map(|&i| found.labels[i]).collect();
        let b: Vec<i32> = core_rows.iter().map(|&i| reference[i]).collect();
        if !a.is_empty() {
            assert_eq!(
                adjusted_rand(&a, &b),
                1.0,
                "round {round}: clusters of core rows"
            );
        }
    }
}

#[test]
fn gaussian_mixture_recovers_blobs_with_probabilities() {
    use super::gmm::{GmmParams, gmm};
    let (x, truth) = blobs(&centres(), 200, 1.0, 11);
    let params = GmmParams { k: 4, seed: 3 };
    let fit = gmm(&x, &params, &mut no_progress).unwrap();
    let labels: Vec<i32> = fit.labels.iter().map(|&l| l as i32).collect();
    assert!(adjusted_rand(&labels, &truth) >= 0.99);
    assert!(fit.converged && fit.log_likelihood.is_finite());
    assert!(fit.probability.iter().all(|p| (0.25..=1.0).contains(p)));
    // Well apart: nearly every row is sure of its component.
    let sure = fit.probability.iter().filter(|&&p| p > 0.99).count();
    assert!(sure > 780, "{sure}");
    assert!((fit.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert_eq!(fit, gmm(&x, &params, &mut no_progress).unwrap());
}

#[test]
fn gaussian_mixture_is_unsure_between_overlapping_clusters() {
    use super::gmm::{GmmParams, gmm};
    // Two overlapping normal clusters at 0 and 3 (deviation 1): the fitted
    // means and weights are close to the truth, rows halfway are about
    // 50/50, rows at the centres are sure.
    let (x, _) = blobs(&[vec![0.0], vec![3.0]], 2000, 1.0, 21);
    let fit = gmm(&x, &GmmParams { k: 2, seed: 1 }, &mut no_progress).unwrap();
    let mut means: Vec<f64> = fit.means.data.clone();
    means.sort_by(f64::total_cmp);
    assert!(
        (means[0] - 0.0).abs() < 0.15 && (means[1] - 3.0).abs() < 0.15,
        "{means:?}"
    );
    assert!(
        fit.weights.iter().all(|w| (w - 0.5).abs() < 0.05),
        "{:?}",
        fit.weights
    );
    let near = |v: f64| {
        let i = (0..x.rows)
            .min_by(|&a, &b| (x.row(a)[0] - v).abs().total_cmp(&(x.row(b)[0] - v).abs()))
            .unwrap();
        fit.probability[i]
    };
    assert!(near(1.5) < 0.65, "{}", near(1.5));
    assert!(near(-1.0) > 0.95 && near(4.0) > 0.95);
}

#[test]
fn gaussian_mixture_edges_are_messages_not_nan() {
    use super::gmm::{GmmParams, gmm};
    let p = |k| GmmParams { k, seed: 1 };
    let (x, _) = blobs(&centres(), 3, 1.0, 1);
    assert!(
        gmm(&x, &p(0), &mut no_progress)
            .unwrap_err()
            .0
            .contains("at least 1")
    );
    assert!(
        gmm(&x, &p(13), &mut no_progress)
            .unwrap_err()
            .0
            .contains("12 rows")
    );
    // Identical rows, one row, a component per row, a constant feature:
    // the regularised covariance keeps every number finite.
    let same = Matrix::from_rows(&vec![vec![3.0, 3.0]; 40]).unwrap();
    let one = Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap();
    let constant =
        Matrix::from_rows(&(0..30).map(|i| vec![i as f64, 7.0]).collect::<Vec<_>>()).unwrap();
    for (m, k) in [(&same, 2), (&one, 1), (&x, 12), (&constant, 3)] {
        let fit = gmm(m, &p(k), &mut no_progress).unwrap();
        assert!(
            fit.probability
                .iter()
                .all(|v| v.is_finite() && *v > 0.0 && *v <= 1.0 + 1e-12)
        );
        assert!(fit.log_likelihood.is_finite());
    }
    assert!(
        gmm(&x, &p(2), &mut |_, _| std::ops::ControlFlow::Break(()))
            .unwrap_err()
            .0
            .contains("cancelled")
    );
}

#[test]
fn agglomerative_recovers_blobs_with_every_linkage() {
    use super::agglomerative::{Linkage, agglomerative};
    let (x, truth) = blobs(&centres(), 60, 1.0, 9);
    for linkage in Linkage::ALL {
        let r = agglomerative(&x, 4, linkage, &mut no_progress).unwrap();
        let labels: Vec<i32> = r.labels.iter().map(|&l| l as i32).collect();
        assert!(adjusted_rand(&labels, &truth) >= 0.99, "{linkage:?}");
        assert_eq!(r.merges.len(), 239);
        assert_eq!(r.labels[0], 0, "numbered by their first rows");
        assert!(r.merges.windows(2).all(|w| w[0].height <= w[1].height));
        assert_eq!(r.merges.last().unwrap().size, 240);
    }
}

/// Merge heights by the definitions, from the rows: the closest pair of
/// clusters each time (n³, small tables only).
fn naive_heights(x: &Matrix, linkage: super::agglomerative::Linkage) -> Vec<f64> {
    use super::agglomerative::Linkage;
    let mut clusters: Vec<Vec<usize>> = (0..x.rows).map(|i| vec![i]).collect();
    let dist = |i: usize, j: usize| distance2(x.row(i), x.row(j)).sqrt();
    let centre = |c: &[usize]| -> Vec<f64> {
        (0..x.cols)
            .map(|d| c.iter().map(|&i| x.row(i)[d]).sum::<f64>() / c.len() as f64)
            .collect()
    };
    let between = |a: &[usize], b: &[usize]| -> f64 {
        match linkage {
            Linkage::Ward => {
                let (na, nb) = (a.len() as f64, b.len() as f64);
                (2.0 * na * nb / (na + nb) * distance2(&centre(a), &centre(b))).sqrt()
            }
            Linkage::Average => {
                a.iter()
                    .flat_map(|&i| b.iter().map(move |&j| (i, j)))
                    .map(|(i, j)| dist(i, j))
                    .sum::<f64>()
                    / (a.len() * b.len()) as f64
            }
            Linkage::Complete => a
                .iter()
                .flat_map(|&i| b.iter().map(move |&j| (i, j)))
                .map(|(i, j)| dist(i, j))
                .fold(0.0, f64::max),
        }
    };
    let mut heights = Vec::new();
    while clusters.len() > 1 {
        let mut best = (0, 1, f64::INFINITY);
        for a in 0..clusters.len() {
            for b in a + 1..clusters.len() {
                let h = between(&clusters[a], &clusters[b]);
                if h < best.2 {
                    best = (a, b, h);
                }
            }
        }
        let merged = clusters.remove(best.1);
        clusters[best.0].extend(merged);
        heights.push(best.2);
    }
    heights
}

#[test]
fn agglomerative_agrees_with_the_definitions_on_random_tables() {
    use super::agglomerative::{Linkage, agglomerative};
    let mut rng = Rng::new(77);
    for case in 0..12 {
        let n = 5 + rng.below(40);
        let d = 1 + rng.below(4);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..d).map(|_| rng.normal() * 3.0).collect())
            .collect();
        let x = Matrix::from_rows(&rows).unwrap();
        for linkage in Linkage::ALL {
            let r = agglomerative(&x, 1, linkage, &mut no_progress).unwrap();
            let got: Vec<f64> = r.merges.iter().map(|m| m.height).collect();
            let want = naive_heights(&x, linkage);
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() < 1e-9 * w.max(1.0),
                    "case {case} {linkage:?}: {got:?} vs {want:?}"
                );
            }
        }
    }
}

#[test]
fn agglomerative_refuses_more_rows_than_fit_and_other_edges() {
    use super::agglomerative::{Linkage, MAX_ROWS, agglomerative};
    let big = Matrix::zeros(MAX_ROWS + 1, 1);
    let e = agglomerative(&big, 3, Linkage::Ward, &mut no_progress)
        .unwrap_err()
        .0;
    assert!(
        e.contains("at most 5000 rows") && e.contains("k-means"),
        "{e}"
    );
    let one = Matrix::from_rows(&[vec![1.0]]).unwrap();
    assert_eq!(
        agglomerative(&one, 1, Linkage::Ward, &mut no_progress)
            .unwrap()
            .labels,
        [0]
    );
    let same = Matrix::from_rows(&vec![vec![2.0, 2.0]; 30]).unwrap();
    for linkage in Linkage::ALL {
        let r = agglomerative(&same, 3, linkage, &mut no_progress).unwrap();
        assert!(r.merges.iter().all(|m| m.height == 0.0));
        assert_eq!(r.labels.iter().max(), Some(&2));
    }
    assert!(agglomerative(&same, 31, Linkage::Ward, &mut no_progress).is_err());
}

#[test]
fn insights_choose_k_suggest_eps_and_profile_clusters() {
    use super::insight::{choose_k, k_distance, profiles};
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

/// Lloyd's iterations as the textbook has them: every row to its nearest
/// centre, every time (an emptied cluster takes the farthest row).
fn plain_lloyd(x: &Matrix, mut centres: Matrix, iterations: usize) -> (Vec<u32>, f64) {
    use super::kmeans::nearest;
    let (k, d) = (centres.rows, x.cols);
    let mut labels = vec![u32::MAX; x.rows];
    for it in 0..iterations {
        let mut changed = false;
        let mut far = (0, -1.0);
        for (i, label) in labels.iter_mut().enumerate() {
            let (best, dist) = nearest(x.row(i), &centres);
            changed |= *label != best;
            *label = best;
            if dist > far.1 {
                far = (i, dist);
            }
        }
        if !changed && it > 0 {
            break;
        }
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            counts[l as usize] += 1;
            for j in 0..d {
                sums[l as usize * d + j] += x.row(i)[j];
            }
        }
        for c in 0..k {
            if counts[c] == 0 {
                centres.row_mut(c).copy_from_slice(x.row(far.0));
            } else {
                for j in 0..d {
                    centres.row_mut(c)[j] = sums[c * d + j] / counts[c] as f64;
                }
            }
        }
    }
    let inertia = (0..x.rows).map(|i| nearest(x.row(i), &centres).1).sum();
    let labels = (0..x.rows).map(|i| nearest(x.row(i), &centres).0).collect();
    (labels, inertia)
}

#[test]
fn lloyd_with_bounds_gives_the_labels_of_plain_lloyd() {
    use super::kmeans::{lloyd, plus_plus};
    let mut rng = Rng::new(12);
    for case in 0..20 {
        let n = 50 + rng.below(500);
        let d = 1 + rng.below(6);
        let k = 1 + rng.below(12);
        // Blobs, or structureless noise where labels keep changing.
        let x = if case % 2 == 0 {
            let centres: Vec<Vec<f64>> = (0..4)
                .map(|_| (0..d).map(|_| rng.next_f64() * 20.0).collect())
                .collect();
            blobs(&centres, n / 4 + 1, 1.0, case).0
        } else {
            Matrix::from_rows(
                &(0..n)
                    .map(|_| (0..d).map(|_| rng.normal()).collect())
                    .collect::<Vec<_>>(),
            )
            .unwrap()
        };
        let start = plus_plus(&x, k.min(x.rows), &mut Rng::new(case));
        for iterations in [1, 3, 50] {
            let fast = lloyd(&x, start.clone(), iterations, &mut no_progress).unwrap();
            let (labels, inertia) = plain_lloyd(&x, start.clone(), iterations);
            assert_eq!(fast.labels, labels, "case {case}, {iterations} iterations");
            assert!(
                (fast.inertia - inertia).abs() <= 1e-9 * inertia.max(1.0),
                "case {case}"
            );
        }
    }
}

#[test]
fn tsne_keeps_blobs_apart_and_refuses_what_it_cannot_do() {
    use super::tsne::{MAX_ROWS, TsneParams, tsne};
    let (x, truth) = blobs(&centres(), 30, 1.0, 41);
    let params = TsneParams {
        perplexity: 10.0,
        dimensions: 2,
        seed: 3,
    };
    let map = tsne(&x, &params, &mut no_progress).unwrap();
    assert_eq!((map.rows, map.cols), (120, 2));
    assert!(map.data.iter().all(|v| v.is_finite()));
    // The four blobs stay four groups on the map.
    let found = kmeans(
        &map,
        &KMeansParams {
            k: 4,
            ..KMeansParams::default()
        },
        &mut no_progress,
    )
    .unwrap();
    let labels: Vec<i32> = found.labels.iter().map(|&l| l as i32).collect();
    assert!(
        adjusted_rand(&labels, &truth) >= 0.99,
        "{}",
        adjusted_rand(&labels, &truth)
    );
    assert_eq!(map, tsne(&x, &params, &mut no_progress).unwrap(), "seeded");
    // Too many rows, too few, a perplexity above a third of the rows, NaN.
    let e = tsne(&Matrix::zeros(MAX_ROWS + 1, 2), &params, &mut no_progress)
        .unwrap_err()
        .0;
    assert!(e.contains("at most 2000 rows") && e.contains("PCA"), "{e}");
    assert!(tsne(&Matrix::zeros(3, 2), &params, &mut no_progress).is_err());
    for perplexity in [50.0, 0.5, f64::NAN] {
        let p = TsneParams {
            perplexity,
            ..params
        };
        assert!(
            tsne(&x, &p, &mut no_progress)
                .unwrap_err()
                .0
                .contains("perplexity")
        );
    }
    // Identical rows: a map of finite numbers.
    let same = Matrix::from_rows(&vec![vec![1.0, 1.0]; 30]).unwrap();
    let p = TsneParams {
        perplexity: 5.0,
        ..params
    };
    assert!(
        tsne(&same, &p, &mut no_progress)
            .unwrap()
            .data
            .iter()
            .all(|v| v.is_finite())
    );
    assert!(
        tsne(&x, &params, &mut |_, _| std::ops::ControlFlow::Break(()))
            .unwrap_err()
            .0
            .contains("cancelled")
    );
}
