//! A new step with defaults that fit the table it receives.

use crate::data::Catalog;
use crate::ml::features::Features;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::recipe::learn::anomaly::{Flag, Scorer, flag_name};
use crate::recipe::learn::{Method, Projection};
use crate::recipe::plan::{ColumnType, Schema};
use crate::recipe::{ChartKind, ChartSpec, Predicate, Recipe, Step};

use super::StepKind;
use super::suggestions::{ensure_input, normalize_for, suggest_join, suggest_union};

/// Appends a step of `kind` with defaults that fit `schema` (the table it
/// receives). A join also adds the dataset it reads as an input. `None`
/// when nothing fits (a join with no dataset sharing a column).
pub fn add_step(
    recipe: &mut Recipe,
    kind: StepKind,
    schema: &Schema,
    catalog: &Catalog,
) -> Option<()> {
    let first = |pred: fn(&ColumnType) -> bool| {
        schema
            .iter()
            .find(|(_, t)| pred(t))
            .or_else(|| schema.first())
            .map(|(n, _)| n.clone())
    };
    let step = match kind {
        StepKind::Filter => {
            let column = first(|_| true)?;
            Step::Filter {
                predicate: Predicate::And {
                    all: vec![Predicate::Not {
                        not: Box::new(Predicate::IsNull { column }),
                    }],
                },
            }
        }
        StepKind::Join => {
            let used: Vec<&str> = recipe.inputs.iter().map(|i| i.dataset.as_str()).collect();
            let (dataset, left, right) = suggest_join(schema, catalog, &used)
                .or_else(|| suggest_join(schema, catalog, &[]))?;
            let input = ensure_input(recipe, dataset)?;
            Step::Join {
                input,
                spec: JoinSpec {
                    kind: JoinKind::Inner,
                    normalize: normalize_for(&left),
                    left_on: vec![left],
                    right_on: vec![right],
                },
            }
        }
        StepKind::Derive => {
            // Measures, not years or codes, and decimals before counts.
            let mut numbers: Vec<&String> = schema
                .iter()
                .filter(|(n, t)| t.is_number() && !is_time_or_code(n))
                .map(|(n, _)| n)
                .collect();
            numbers.sort_by_key(|n| {
                schema
                    .iter()
                    .find(|(c, _)| c == *n)
                    .is_some_and(|(_, t)| !t.is_float())
            });
            match numbers.as_slice() {
                [] => return None,
                [only] => Step::Derive {
                    name: unique_name(schema, &format!("share_{only}")),
                    formula: Formula::Share {
                        column: (*only).clone(),
                        within: Vec::new(),
                    },
                },
                [a, b, ..] => Step::Derive {
                    name: unique_name(schema, &format!("{a}_per_{b}")),
                    formula: Formula::Arithmetic {
                        op: ArithOp::Div,
                        left: Operand::Column((*a).clone()),
                        right: Operand::Column((*b).clone()),
                    },
                },
            }
        }
        StepKind::GroupBy => Step::GroupBy {
            by: first(ColumnType::is_plain_text).into_iter().collect(),
            measures: vec![Measure {
                aggregate: Aggregate::Count,
                column: None,
                name: "rows".into(),
            }],
        },
        StepKind::Sort => Step::Sort {
            column: first(|_| true)?,
            descending: false,
        },
        StepKind::Select => Step::Select {
            columns: schema.iter().map(|(n, _)| n.clone()).collect(),
        },
        StepKind::Rename => {
            let from = first(|_| true)?;
            Step::Rename {
                to: unique_name(schema, &format!("{from}_2")),
                from,
            }
        }
        StepKind::Limit => Step::Limit { rows: 10 },
        StepKind::Cluster | StepKind::Project | StepKind::Anomaly => {
            // Measures (not years or codes), scaled to z-scores.
            let columns: Vec<String> = schema
                .iter()
                .filter(|(n, t)| t.is_number() && !is_time_or_code(n))
                .map(|(n, _)| n.clone())
                .collect();
            if columns.is_empty() {
                return None;
            }
            let features = Features {
                columns,
                ..Features::default()
            };
            if kind == StepKind::Anomaly {
                // A name free for the score and for its flag.
                let name = (1..)
                    .map(|i| match i {
                        1 => "anomaly".to_string(),
                        i => format!("anomaly_{i}"),
                    })
                    .find(|n| {
                        let flag = flag_name(n);
                        !schema.iter().any(|(c, _)| *c == *n || *c == flag)
                    })
                    .unwrap_or_default();
                Step::Anomaly {
                    features,
                    method: Scorer::default(),
                    flag: Flag::default(),
                    name,
                }
            } else if kind == StepKind::Cluster {
                Step::Cluster {
                    features,
                    method: Method::KMeans {
                        k: 3,
                        restarts: 10,
                        seed: 1,
                    },
                    name: unique_name(schema, "cluster"),
                }
            } else {
                let components = features.columns.len().min(2) as u8;
                let prefix = ["pc", "pca_", "component_"]
                    .into_iter()
                    .find(|p| {
                        crate::recipe::learn::projected_names(p, components)
                            .iter()
                            .all(|n| !schema.iter().any(|(c, _)| c == n))
                    })
                    .unwrap_or("pc")
                    .to_string();
                Step::Project {
                    features,
                    components,
                    prefix,
                    method: Projection::Pca,
                }
            }
        }
        StepKind::Union => {
            let dataset = suggest_union(schema, catalog)?;
            Step::Union {
                input: ensure_input(recipe, dataset)?,
            }
        }
        StepKind::Pivot => {
            let column = schema
                .iter()
                .find(|(n, _)| is_year(n))
                .or_else(|| schema.first())
                .map(|(n, _)| n.clone())?;
            let measure = schema
                .iter()
                .find(|(n, t)| t.is_number() && !is_time_or_code(n) && *n != column)
                .map(|(n, _)| n.clone());
            let index = schema
                .iter()
                .find(|(n, t)| t.is_text() && *n != column)
                .map(|(n, _)| n.clone());
            Step::Pivot {
                index: index.into_iter().collect(),
                values: measure.clone().unwrap_or_else(|| column.clone()),
                aggregate: if measure.is_some() {
                    Aggregate::Sum
                } else {
                    Aggregate::Count
                },
                column,
                // The panel fills in the column's values from the data.
                keys: Vec::new(),
            }
        }
        StepKind::Unpivot => {
            let measures: Vec<String> = schema
                .iter()
                .filter(|(n, t)| t.is_number() && !is_time_or_code(n))
                .map(|(n, _)| n.clone())
                .collect();
            let columns = if measures.is_empty() {
                schema.last().map(|(n, _)| vec![n.clone()])?
            } else {
                measures
            };
            Step::Unpivot {
                name: unique_name(schema, "column"),
                value: unique_name(schema, "value"),
                columns,
            }
        }
    };
    recipe.steps.push(step);
    Some(())
}

/// Whether a column holds years.
pub(super) fn is_year(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower == "year" || lower == "år" || lower.ends_with("_year")
}

/// Whether a column name reads as a time or a code rather than a measure.
pub(super) fn is_time_or_code(name: &str) -> bool {
    let lower = name.to_lowercase();
    ["year", "år", "code", "kod", "id", "nr", "division"]
        .iter()
        .any(|w| {
            lower == *w || lower.ends_with(&format!("_{w}")) || lower.starts_with(&format!("{w}_"))
        })
}

/// A name not in `schema`, from `wanted` with a number added if needed.
pub fn unique_name(schema: &Schema, wanted: &str) -> String {
    let taken = |n: &str| schema.iter().any(|(c, _)| c == n);
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..)
        .map(|i| format!("{wanted}_{i}"))
        .find(|n| !taken(n))
        .unwrap_or_default()
}

/// Fills in the columns a new kind of chart needs, from the result's
/// columns: numbers for numeric axes, text for categories.
pub fn chart_columns(mut spec: ChartSpec, schema: &Schema) -> ChartSpec {
    let numbers: Vec<&String> = schema
        .iter()
        .filter(|(_, t)| t.is_number())
        .map(|(n, _)| n)
        .collect();
    let texts: Vec<&String> = schema
        .iter()
        .filter(|(_, t)| !t.is_number())
        .map(|(n, _)| n)
        .collect();
    let is_num = |c: &Option<String>| c.as_ref().is_some_and(|c| numbers.contains(&c));
    let exists = |c: &Option<String>| {
        c.as_ref()
            .is_some_and(|c| schema.iter().any(|(n, _)| n == c))
    };
    match spec.kind {
        ChartKind::Table => {}
        ChartKind::Scatter | ChartKind::Line => {
            if !is_num(&spec.x) {
                spec.x = numbers.first().map(|s| s.to_string());
            }
            if !is_num(&spec.y) {
                spec.y = numbers
                    .iter()
                    .find(|n| Some(n.as_str()) != spec.x.as_deref())
                    .or(numbers.first())
                    .map(|s| s.to_string());
            }
        }
        ChartKind::Histogram => {
            if !is_num(&spec.x) {
                spec.x = numbers.first().map(|s| s.to_string());
            }
        }
        ChartKind::Bar | ChartKind::Heatmap => {
            if !exists(&spec.x) || is_num(&spec.x) {
                spec.x = texts
                    .first()
                    .or(schema.first().map(|(n, _)| n).as_ref())
                    .map(|s| s.to_string());
            }
            if spec.kind == ChartKind::Bar && !is_num(&spec.y) {
                spec.y = numbers.first().map(|s| s.to_string());
            }
            if spec.kind == ChartKind::Heatmap {
                if !exists(&spec.y) || spec.y == spec.x {
                    spec.y = texts.get(1).or(numbers.first()).map(|s| s.to_string());
                }
                if !is_num(&spec.value) {
                    spec.value = numbers
                        .iter()
                        .find(|n| Some(n.as_str()) != spec.y.as_deref())
                        .map(|s| s.to_string());
                }
            }
        }
    }
    spec
}
