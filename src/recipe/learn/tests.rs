//! The learning steps' checks, budgets and runs.
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch};

use super::*;

use crate::ml::silhouette::adjusted_rand;
use crate::ml::tests::{blobs, centres};
use crate::ops::no_progress;

fn schema(columns: usize) -> Schema {
    (0..columns)
        .map(|i| (format!("x{i}"), "Float64".into()))
        .collect()
}

fn features(columns: &[&str]) -> Features {
    Features {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        ..Features::default()
    }
}

fn kmeans(k: usize) -> Method {
    Method::KMeans {
        k,
        restarts: 10,
        seed: 1,
    }
}

#[test]
fn repeated_and_too_many_features_are_refused_before_any_work() {
    let error = check_cluster(&schema(3), &features(&["x0", "x1", "x0"]), &kmeans(2), "c")
        .unwrap_err()
        .to_string();
    assert!(error.contains("\"x0\" is chosen twice"), "{error}");
    let wide = schema(MAX_FEATURES + 1);
    let names: Vec<&str> = wide.iter().map(|(n, _)| n.as_str()).collect();
    let error = check_project(&wide, &features(&names), 2, "pc", &Projection::Pca)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!("at most {MAX_FEATURES}")),
        "{error}"
    );
    check_project(
        &wide,
        &features(&names[..MAX_FEATURES]),
        2,
        "pc",
        &Projection::Pca,
    )
    .unwrap();
}

#[test]
fn budgets_refuse_work_the_browser_cannot_hold() {
    check_budget(1_000_000, 8, &kmeans(10)).unwrap();
    assert!(matches!(
        check_budget(1_000_000, 256, &kmeans(1000)),
        Err(Budget::KMeansWork { k: 1000, .. })
    ));
    let error = check_budget(1_000_000, 256, &kmeans(1000))
        .unwrap_err()
        .to_string();
    assert!(error.contains("choose a smaller k"), "{error}");
    let gmm = Method::GaussianMixture { k: 1000, seed: 1 };
    check_budget(50_000, 8, &gmm).unwrap();
    let error = check_budget(100_000, 8, &gmm).unwrap_err().to_string();
    assert!(error.contains("memberships"), "{error}");
    // Saturating, not overflowing.
    assert!(check_budget(usize::MAX, usize::MAX, &kmeans(MAX_K)).is_err());
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
    let err = crate::recipe::run::run(&too_many, &tables, &mut no_progress)
        .unwrap_err()
        .to_string();
    assert!(err.to_string().contains("more than the 600 rows"), "{err}");
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
        ("a".to_string(), "Float64".into()),
        ("g_probability".to_string(), "Float64".into()),
    ];
    let features = Features {
        columns: vec!["a".into()],
        ..Features::default()
    };
    let gmm = Method::GaussianMixture { k: 2, seed: 1 };
    let e = crate::recipe::learn::check_cluster(&schema, &features, &gmm, "g")
        .unwrap_err()
        .to_string();
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
    for kind in crate::recipe::learn::MethodKind::ALL {
        let other = m.switch(kind);
        assert_eq!(other.kind(), kind);
        if kind != crate::recipe::learn::MethodKind::Dbscan {
            assert_eq!(other.k(), Some(5));
        }
    }
    let json =
        serde_json::to_string(&m.switch(crate::recipe::learn::MethodKind::Agglomerative)).unwrap();
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
