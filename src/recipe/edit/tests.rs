//! The panel's edits, natively.

use super::*;
use crate::data::Catalog;
use crate::data::catalog::fixture_catalog;
use crate::ops::keys::Normalize;
use crate::recipe::plan;
use crate::recipe::{Comparison, Predicate, Value};

fn agencies() -> (Catalog, Recipe) {
    let catalog = fixture_catalog();
    let recipe = start(catalog.dataset("fixture-agencies").unwrap()).unwrap();
    (catalog, recipe)
}

#[test]
fn every_kind_of_step_starts_valid_on_the_table_it_receives() {
    let (catalog, mut recipe) = agencies();
    for kind in StepKind::ALL {
        let schema = plan::check(&recipe, &catalog)
            .unwrap()
            .schemas
            .pop()
            .unwrap();
        if add_step(&mut recipe, kind, &schema, &catalog).is_none() {
            // Nothing in the fixture catalog shares the pivoted columns.
            assert_eq!(kind, StepKind::Union);
            continue;
        }
        // The panel fills a pivot's keys from the data.
        if let Some(Step::Pivot { keys, .. }) = recipe.steps.last_mut() {
            *keys = vec!["2020".into(), "2021".into()];
        }
        if let Err(e) = plan::check(&recipe, &catalog) {
            panic!("{kind:?}: {e}");
        }
    }
    assert_eq!(recipe.steps.len(), StepKind::ALL.len() - 1);
    // A union is suggested where a dataset shares columns.
    let (catalog, mut recipe) = agencies();
    let schema = plan::check(&recipe, &catalog).unwrap().schemas[0].clone();
    add_step(&mut recipe, StepKind::Union, &schema, &catalog).unwrap();
    assert_eq!(
        recipe.steps[0],
        Step::Union {
            input: "fixture-agencies_2".into()
        }
    );
    plan::check(&recipe, &catalog).unwrap();
}

#[test]
fn every_formula_choice_makes_a_valid_derive_step() {
    let (catalog, mut recipe) = agencies();
    let schema = plan::check(&recipe, &catalog).unwrap().schemas[0].clone();
    add_step(&mut recipe, StepKind::Join, &schema, &catalog).unwrap();
    let joined = plan::check(&recipe, &catalog)
        .unwrap()
        .schemas
        .pop()
        .unwrap();
    add_step(&mut recipe, StepKind::Derive, &joined, &catalog).unwrap();
    for choice in FormulaChoice::ALL {
        let Some(Step::Derive { formula, .. }) = recipe.steps.last_mut() else {
            panic!("not a derive step");
        };
        *formula = choice.apply(formula, &joined);
        assert_eq!(FormulaChoice::of(formula), choice);
        if let Err(e) = plan::check(&recipe, &catalog) {
            panic!("choice {choice:?}: {e}");
        }
    }
    // A table without numbers has nothing to derive from.
    let text: Schema = vec![("name".into(), "Utf8".into())];
    assert_eq!(
        add_step(&mut recipe, StepKind::Derive, &text, &catalog),
        None
    );
}

#[test]
fn a_join_suggests_a_dataset_by_its_key_and_compares_digits_of_org_nr() {
    let (catalog, mut recipe) = agencies();
    let schema = plan::check(&recipe, &catalog).unwrap().schemas[0].clone();
    add_step(&mut recipe, StepKind::Join, &schema, &catalog).unwrap();
    let Step::Join { input, spec } = &recipe.steps[0] else {
        panic!("not a join");
    };
    assert_eq!(input, "fixture-staff");
    assert_eq!(spec.left_on, ["org_nr"]);
    assert_eq!(spec.normalize, Normalize::Digits);
    assert_eq!(recipe.inputs.len(), 2);
    // Removing the join drops its input.
    recipe.steps.clear();
    prune_inputs(&mut recipe);
    assert_eq!(recipe.inputs.len(), 1);
}

#[test]
fn the_filter_form_round_trips_its_conditions() {
    let schema: Schema = vec![
        ("year".into(), "Int32".into()),
        ("name".into(), "Utf8".into()),
        ("open".into(), "Boolean".into()),
    ];
    let form = vec![
        Condition {
            column: "year".into(),
            op: ConditionOp::Ge,
            value: "2 010".into(),
        },
        Condition {
            column: "name".into(),
            op: ConditionOp::In,
            value: "A; B ;".into(),
        },
        Condition {
            column: "open".into(),
            op: ConditionOp::Eq,
            value: "sant".into(),
        },
        Condition {
            column: "name".into(),
            op: ConditionOp::NotNull,
            value: String::new(),
        },
    ];
    let p = predicate(Combine::Any, &form, &schema);
    let Predicate::Or { any } = &p else {
        panic!("not an or");
    };
    assert_eq!(
        any[0],
        Predicate::Compare {
            column: "year".into(),
            cmp: Comparison::Ge,
            value: Value::Number(2010.0)
        }
    );
    assert_eq!(any[2].clone(), {
        Predicate::Compare {
            column: "open".into(),
            cmp: Comparison::Eq,
            value: Value::Bool(true),
        }
    });
    let (combine, back) = conditions(&p).unwrap();
    assert_eq!(combine, Combine::Any);
    assert_eq!(back[0].value, "2010");
    assert_eq!(back[1].value, "A; B");
    assert_eq!(back[3].op, ConditionOp::NotNull);
    // Deeper nesting is not a flat form.
    let nested = Predicate::And {
        all: vec![Predicate::Or { any: vec![] }],
    };
    assert_eq!(conditions(&nested), None);
}

#[test]
fn literals_follow_the_column_type() {
    assert_eq!(literal("12,5", &"Float64".into()), Value::Number(12.5));
    assert_eq!(literal("x", &"Int32".into()), Value::Text("x".into()));
    assert_eq!(literal("inf", &"Float64".into()), Value::Text("inf".into()));
    assert_eq!(
        literal(" 2020 ", &"Utf8".into()),
        Value::Text("2020".into())
    );
    assert_eq!(literal("Nej", &"Boolean".into()), Value::Bool(false));
}

#[test]
fn a_brushed_rectangle_filters_both_axes_with_rounded_bounds() {
    let step = brush_filter("x", "y", 0.123456789, 1234567.89, -5.0, f64::NAN);
    let Step::Filter {
        predicate: Predicate::And { all },
    } = step
    else {
        panic!("a filter of an and");
    };
    let bounds: Vec<(String, Comparison, f64)> = all
        .into_iter()
        .map(|p| match p {
            Predicate::Compare {
                column,
                cmp,
                value: Value::Number(v),
            } => (column, cmp, v),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bounds[0], ("x".into(), Comparison::Ge, 0.123457));
    assert_eq!(bounds[1], ("x".into(), Comparison::Le, 1234570.0));
    assert_eq!(bounds[2], ("y".into(), Comparison::Ge, -5.0));
    assert_eq!(bounds[3].1, Comparison::Le);
    assert!(bounds[3].2.is_nan());
}

#[test]
fn link_rounding_keeps_six_significant_digits_and_odd_values() {
    assert_eq!(round_for_link(0.0), 0.0);
    assert_eq!(round_for_link(1.0 / 3.0), 0.333333);
    assert_eq!(round_for_link(-98765.4321), -98765.4);
    assert_eq!(round_for_link(f64::INFINITY), f64::INFINITY);
    assert_eq!(round_for_link(1e-310), 1e-310);
    assert_eq!(round_for_link(f64::MAX), f64::MAX);
}

#[test]
fn a_new_kind_of_chart_gets_columns_that_fit_it() {
    use crate::recipe::{ChartKind, ChartSpec};
    let schema: Schema = vec![
        ("agency".into(), "Utf8".into()),
        ("year".into(), "Int64".into()),
        ("fte".into(), "Float64".into()),
        ("ministry".into(), "Utf8".into()),
    ];
    let with = |kind| {
        chart_columns(
            ChartSpec {
                kind,
                ..ChartSpec::default()
            },
            &schema,
        )
    };
    let scatter = with(ChartKind::Scatter);
    assert_eq!(
        (scatter.x.as_deref(), scatter.y.as_deref()),
        (Some("year"), Some("fte"))
    );
    let bar = with(ChartKind::Bar);
    assert_eq!(
        (bar.x.as_deref(), bar.y.as_deref()),
        (Some("agency"), Some("year"))
    );
    let heatmap = with(ChartKind::Heatmap);
    assert_eq!(
        (
            heatmap.x.as_deref(),
            heatmap.y.as_deref(),
            heatmap.value.as_deref()
        ),
        (Some("agency"), Some("ministry"), Some("year"))
    );
    assert_eq!(with(ChartKind::Histogram).x.as_deref(), Some("year"));
    // Columns that fit are kept; a table of text only gets no numbers.
    let kept = chart_columns(
        ChartSpec {
            kind: ChartKind::Scatter,
            x: Some("fte".into()),
            y: Some("year".into()),
            ..ChartSpec::default()
        },
        &schema,
    );
    assert_eq!(
        (kept.x.as_deref(), kept.y.as_deref()),
        (Some("fte"), Some("year"))
    );
    let text: Schema = vec![("a".into(), "Utf8".into())];
    let line = chart_columns(
        ChartSpec {
            kind: ChartKind::Line,
            ..ChartSpec::default()
        },
        &text,
    );
    assert_eq!((line.x, line.y), (None, None));
    assert_eq!(
        chart_columns(ChartSpec::default(), &vec![]),
        ChartSpec::default()
    );
}

#[test]
fn switching_a_projection_moves_a_default_prefix_only() {
    use crate::ml::features::Features;
    use crate::recipe::learn::{Projection, ProjectionKind};
    let project = |prefix: &str, method| Step::Project {
        features: Features::default(),
        components: 2,
        prefix: prefix.into(),
        method,
    };
    let mut step = project("pc", Projection::Pca);
    switch_projection(&mut step, ProjectionKind::Tsne);
    assert!(
        matches!(&step, Step::Project { prefix, method: Projection::Tsne { perplexity, .. }, .. }
        if prefix == "tsne" && *perplexity == 30.0)
    );
    switch_projection(&mut step, ProjectionKind::Pca);
    assert!(
        matches!(&step, Step::Project { prefix, method: Projection::Pca, .. } if prefix == "pc")
    );
    let mut mine = project("map", Projection::Pca);
    switch_projection(&mut mine, ProjectionKind::Tsne);
    assert!(matches!(&mine, Step::Project { prefix, .. } if prefix == "map"));
    // A t-SNE switched to t-SNE keeps its perplexity.
    let mut tuned = project(
        "tsne",
        Projection::Tsne {
            perplexity: 5.0,
            seed: 3,
        },
    );
    switch_projection(&mut tuned, ProjectionKind::Tsne);
    assert!(
        matches!(&tuned, Step::Project { method: Projection::Tsne { perplexity, seed: 3 }, .. } if *perplexity == 5.0)
    );
    // In a recipe, the chart follows the projection's columns.
    let mut recipe = Recipe {
        v: 1,
        inputs: Vec::new(),
        steps: vec![project("pc", Projection::Pca)],
        chart: crate::recipe::ChartSpec {
            x: Some("pc1".into()),
            y: Some("pc2".into()),
            color: Some("cluster".into()),
            ..Default::default()
        },
    };
    super::switch_projection_at(&mut recipe, 0, ProjectionKind::Umap);
    assert_eq!(
        (recipe.chart.x.as_deref(), recipe.chart.y.as_deref()),
        (Some("umap1"), Some("umap2"))
    );
    assert_eq!(recipe.chart.color.as_deref(), Some("cluster"));
    super::switch_projection_at(&mut recipe, 5, ProjectionKind::Pca);
    assert_eq!(
        recipe.chart.x.as_deref(),
        Some("umap1"),
        "no step 6: nothing changes"
    );
}

#[test]
fn a_typed_list_and_the_first_annotation_edit_without_surprises() {
    use super::{first_annotation, list, set_first_annotation};
    assert_eq!(
        list(" Kriminalvården, ,Tullverket,Kriminalvården "),
        ["Kriminalvården", "Tullverket"]
    );
    assert!(list(" , ").is_empty());
    let mut spec = ChartSpec::default();
    set_first_annotation(&mut spec, Some(" 2015 ".into()), None);
    set_first_annotation(&mut spec, None, Some("Reform".into()));
    assert_eq!(
        first_annotation(&spec),
        ("2015".to_string(), "Reform".to_string())
    );
    spec.annotations.push(crate::recipe::Annotation {
        at: "2020".into(),
        y: None,
        text: "Pandemic".into(),
    });
    // Emptying the first removes it and keeps the second.
    set_first_annotation(&mut spec, Some(String::new()), Some(" ".into()));
    assert_eq!(
        first_annotation(&spec),
        ("2020".to_string(), "Pandemic".to_string())
    );
    assert_eq!(spec.annotations.len(), 1);
}
