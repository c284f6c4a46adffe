//! The anomaly step: its checks, budget, flags, links and both scorers.
use arrow::array::{Array, Float64Array, Int32Array};

use super::*;
use crate::ml::no_progress;
use crate::ml::rng::Rng;
use crate::recipe::{Input, Recipe, Step};

/// 300 ordinary rows around the origin, 3 far off (rows 100, 200,
/// 300), and row 5 without a value in `a`.
fn table() -> RecordBatch {
    let mut rng = Rng::new(3);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..303 {
        let far = [100, 200, 300].contains(&i);
        a.push((i != 5).then(|| if far { 9.0 } else { rng.normal() }));
        b.push(if far { -8.0 } else { rng.normal() });
    }
    RecordBatch::try_from_iter([
        ("a", Arc::new(Float64Array::from(a)) as ArrayRef),
        ("b", Arc::new(Float64Array::from(b)) as ArrayRef),
        (
            "id",
            Arc::new(Int32Array::from_iter_values(0..303)) as ArrayRef,
        ),
    ])
    .unwrap()
}

fn features() -> Features {
    Features {
        columns: vec!["a".into(), "b".into()],
        ..Features::default()
    }
}

fn schema() -> Schema {
    table()
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), ColumnType::of(f.data_type())))
        .collect()
}

fn step(flag: Flag) -> Step {
    Step::Anomaly {
        features: features(),
        method: Scorer::default(),
        flag,
        name: "odd".into(),
    }
}

fn run(flag: Flag) -> RecordBatch {
    let recipe = Recipe {
        v: 1,
        inputs: vec![Input {
            name: "t".into(),
            dataset: "t".into(),
            sha256: String::new(),
        }],
        steps: vec![step(flag)],
        chart: Default::default(),
    };
    let tables = std::collections::BTreeMap::from([("t".to_string(), table())]);
    crate::recipe::run::run(&recipe, &tables, &mut no_progress)
        .unwrap()
        .0
}

fn flagged(out: &RecordBatch) -> Vec<usize> {
    let flag = out
        .column_by_name("odd_flag")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    (0..flag.len())
        .filter(|&i| flag.is_valid(i) && flag.value(i))
        .collect()
}

#[test]
fn the_step_scores_flags_and_leaves_out_rows_without_values() {
    let out = run(Flag::Share(0.01));
    let score = out
        .column_by_name("odd")
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(score.is_null(5), "a row without a value gets no score");
    assert!(out.column_by_name("odd_flag").unwrap().is_null(5));
    // 302 scored rows: 1% is 3.02, so 4 rows; the 3 planted first.
    let top = flagged(&out);
    assert_eq!(top.len(), 4, "{top:?}");
    for planted in [100, 200, 300] {
        assert!(top.contains(&planted), "{top:?}");
    }
    // The same bits on rerun.
    let again = run(Flag::Share(0.01));
    assert_eq!(out, again);
    // A threshold flags the rows at or above it.
    let out = run(Flag::Threshold(0.7));
    let score = out
        .column_by_name("odd")
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    let above: Vec<usize> = (0..score.len())
        .filter(|&i| score.is_valid(i) && score.value(i) >= 0.7)
        .collect();
    assert_eq!(flagged(&out), above);
    assert!(above.contains(&100), "{above:?}");
    // A share of 1 flags every scored row.
    assert_eq!(flagged(&run(Flag::Share(1.0))).len(), 302);
}

#[test]
fn hostile_parameters_are_refused_before_any_work() {
    let schema = schema();
    let forest = |trees, sample| Scorer::IsolationForest {
        trees,
        sample,
        seed: 1,
    };
    for (scorer, flag) in [
        (forest(0, 256), Flag::default()),
        (forest(1_000_000_000, 256), Flag::default()),
        (forest(100, 1), Flag::default()),
        (forest(100, usize::MAX), Flag::default()),
        (Scorer::default(), Flag::Share(0.0)),
        (Scorer::default(), Flag::Share(-0.5)),
        (Scorer::default(), Flag::Share(1.5)),
        (Scorer::default(), Flag::Share(f64::NAN)),
        (Scorer::default(), Flag::Threshold(f64::NAN)),
        (Scorer::default(), Flag::Threshold(f64::INFINITY)),
        (Scorer::default(), Flag::Threshold(1.5)),
        (Scorer::default(), Flag::Threshold(-0.1)),
    ] {
        let error = check_anomaly(&schema, &features(), &scorer, &flag, "odd");
        assert!(error.is_err(), "{scorer:?} {flag:?}");
    }
    // Names: the score and the flag must both be new.
    for name in ["a", "", "  "] {
        let error = check_anomaly(
            &schema,
            &features(),
            &Scorer::default(),
            &Flag::default(),
            name,
        );
        assert!(error.is_err(), "{name:?}");
    }
    let mut taken = schema.clone();
    taken.push(("odd_flag".into(), ColumnType::Boolean));
    let error = check_anomaly(
        &taken,
        &features(),
        &Scorer::default(),
        &Flag::default(),
        "odd",
    )
    .unwrap_err();
    assert!(error.to_string().contains("odd_flag"), "{error}");
    // Text features are refused.
    let text = Features {
        columns: vec!["a".into(), "missing".into()],
        ..Features::default()
    };
    assert!(check_anomaly(&schema, &text, &Scorer::default(), &Flag::default(), "odd").is_err());
    let out = check_anomaly(
        &schema,
        &features(),
        &Scorer::default(),
        &Flag::default(),
        "odd",
    )
    .unwrap();
    assert_eq!(out.len(), 5);
    assert_eq!(out[4], ("odd_flag".to_string(), ColumnType::Boolean));
}

#[test]
fn a_forest_too_large_for_the_browser_is_refused_before_it_grows() {
    let rows = (MAX_FOREST_WORK / MAX_TREES as u64 + 1) as usize;
    let batch = RecordBatch::try_from_iter([(
        "a",
        Arc::new(Float64Array::from_iter_values((0..rows).map(|i| i as f64))) as ArrayRef,
    )])
    .unwrap();
    let features = Features {
        columns: vec!["a".into()],
        ..Features::default()
    };
    let scorer = Scorer::IsolationForest {
        trees: MAX_TREES,
        sample: 256,
        seed: 1,
    };
    let mut calls = 0;
    let error = anomaly(
        &batch,
        &features,
        &scorer,
        &Flag::default(),
        "odd",
        &mut |_, _| {
            calls += 1;
            std::ops::ControlFlow::Continue(())
        },
    )
    .unwrap_err();
    assert!(
        matches!(error, StepError::Budget(Budget::ForestWork { .. })),
        "{error}"
    );
    assert_eq!(calls, 0, "no tree was grown");
}

#[test]
fn an_autoencoder_scores_by_reconstruction_error_and_projects_by_its_middle() {
    let training = Training {
        epochs: 60,
        ..Training::default()
    };
    let scorer = Scorer::Autoencoder(training);
    let mut progress = Vec::new();
    let out = anomaly(
        &table(),
        &features(),
        &scorer,
        &Flag::Share(0.01),
        "odd",
        &mut |d, t| {
            progress.push((d, t));
            std::ops::ControlFlow::Continue(())
        },
    )
    .unwrap();
    assert_eq!(progress.len(), 60, "an epoch at a time");
    assert_eq!(progress[59], (59, 60));
    let top = flagged(&out);
    for planted in [100, 200, 300] {
        assert!(top.contains(&planted), "{top:?}");
    }
    let again = anomaly(
        &table(),
        &features(),
        &scorer,
        &Flag::Share(0.01),
        "odd",
        &mut no_progress,
    )
    .unwrap();
    assert_eq!(out, again, "the same bits on rerun");
    // Its projection: the middle layer's values, null where left out.
    let projected = crate::recipe::learn::project(
        &table(),
        &features(),
        2,
        "code",
        &crate::recipe::learn::Projection::Autoencoder(training),
        &mut no_progress,
    )
    .unwrap();
    let code = projected
        .column_by_name("code2")
        .unwrap()
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(code.is_null(5) && code.is_valid(6));
    assert!(
        (0..code.len())
            .filter(|&i| code.is_valid(i))
            .all(|i| code.value(i).abs() <= 1.0),
        "tanh"
    );
    // Hostile training, refused when the recipe is checked.
    for bad in [
        Training {
            epochs: 0,
            ..training
        },
        Training {
            epochs: 1_000_000_000,
            ..training
        },
        Training {
            learning_rate: f64::NAN,
            ..training
        },
        Training {
            learning_rate: -1.0,
            ..training
        },
    ] {
        let scorer = Scorer::Autoencoder(bad);
        assert!(
            check_anomaly(&schema(), &features(), &scorer, &Flag::default(), "odd").is_err(),
            "{bad:?}"
        );
        let projection = crate::recipe::learn::Projection::Autoencoder(bad);
        assert!(
            crate::recipe::learn::check_project(&schema(), &features(), 2, "code", &projection)
                .is_err()
        );
    }
    // A reconstruction error has no ceiling: a threshold above 1 is fine.
    check_anomaly(
        &schema(),
        &features(),
        &scorer,
        &Flag::Threshold(3.0),
        "odd",
    )
    .unwrap();
    assert!(
        check_anomaly(
            &schema(),
            &features(),
            &scorer,
            &Flag::Threshold(-1.0),
            "odd"
        )
        .is_err()
    );
    let json = serde_json::to_string(&scorer).unwrap();
    assert_eq!(json, r#"{"autoencoder":{"epochs":60}}"#);
    assert_eq!(serde_json::from_str::<Scorer>(&json).unwrap(), scorer);
    assert!(serde_json::from_str::<Scorer>(r#"{"autoencoder":{"layers":3}}"#).is_err());
}

#[test]
fn flags_take_the_share_and_keep_ties_in_row_order() {
    let scores = [0.5, 0.9, 0.9, 0.1, 0.9];
    assert_eq!(
        flags(&scores, &Flag::Share(0.4)),
        [false, true, true, false, false]
    );
    assert_eq!(
        flags(&scores, &Flag::Share(0.01)),
        [false, true, false, false, false]
    );
    assert_eq!(flags(&[], &Flag::Share(0.5)), Vec::<bool>::new());
    assert_eq!(
        flags(&scores, &Flag::Threshold(0.5)),
        [true, true, true, false, true]
    );
}

#[test]
fn links_leave_out_the_defaults_and_read_them_back() {
    let json = serde_json::to_string(&step(Flag::default())).unwrap();
    assert_eq!(
        json,
        r#"{"op":"anomaly","features":{"columns":["a","b"]},"name":"odd"}"#
    );
    let back: Step = serde_json::from_str(&json).unwrap();
    assert_eq!(back, step(Flag::default()));
    let full = r#"{"op":"anomaly","features":{"columns":["a"]},"method":{"isolation_forest":{"trees":50,"seed":9}},"flag":{"threshold":0.65},"name":"x"}"#;
    let Step::Anomaly { method, flag, .. } = serde_json::from_str(full).unwrap() else {
        panic!("not an anomaly step");
    };
    assert_eq!(
        method,
        Scorer::IsolationForest {
            trees: 50,
            sample: 256,
            seed: 9
        }
    );
    assert_eq!(flag, Flag::Threshold(0.65));
    for wrong in [
        r#"{"op":"anomaly","features":{"columns":["a"]},"method":{"umap":{}},"name":"x"}"#,
        r#"{"op":"anomaly","features":{"columns":["a"]},"flag":{"share":"a"},"name":"x"}"#,
        r#"{"op":"anomaly","features":{"columns":["a"]},"method":{"isolation_forest":{"trees":-1}},"name":"x"}"#,
    ] {
        assert!(serde_json::from_str::<Step>(wrong).is_err(), "{wrong}");
    }
}
