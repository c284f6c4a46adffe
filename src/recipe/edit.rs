//! Editing a recipe the way the recipe panel does: a new step with
//! sensible defaults for the table it receives, a join that suggests the
//! dataset and keys that link, the inputs kept to those the steps use, and
//! filters as a flat list of conditions a form can show. Pure, so the page
//! stays thin and this is tested natively.

use crate::data::{Catalog, Dataset};
use crate::ml::features::Features;
use crate::ops::derive::{ArithOp, Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinSpec};
use crate::ops::keys::Normalize;
use crate::recipe::learn::{Method, Projection};
use crate::recipe::plan::{Schema, is_number};
use crate::recipe::{Comparison, Input, Predicate, RECIPE_VERSION, Recipe, Step, Value};

/// The kinds of step the panel offers, in the order it offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Filter,
    Join,
    Derive,
    GroupBy,
    Pivot,
    Unpivot,
    Union,
    Sort,
    Select,
    Rename,
    Limit,
    Cluster,
    Project,
}

impl StepKind {
    pub const ALL: [StepKind; 13] = [
        StepKind::Filter,
        StepKind::Join,
        StepKind::Derive,
        StepKind::GroupBy,
        StepKind::Pivot,
        StepKind::Unpivot,
        StepKind::Union,
        StepKind::Sort,
        StepKind::Select,
        StepKind::Rename,
        StepKind::Limit,
        StepKind::Cluster,
        StepKind::Project,
    ];
}

impl StepKind {
    /// The kind of `step`.
    pub fn of(step: &Step) -> StepKind {
        match step {
            Step::Filter { .. } => StepKind::Filter,
            Step::Join { .. } => StepKind::Join,
            Step::Derive { .. } => StepKind::Derive,
            Step::GroupBy { .. } => StepKind::GroupBy,
            Step::Sort { .. } => StepKind::Sort,
            Step::Select { .. } => StepKind::Select,
            Step::Rename { .. } => StepKind::Rename,
            Step::Limit { .. } => StepKind::Limit,
            Step::Union { .. } => StepKind::Union,
            Step::Pivot { .. } => StepKind::Pivot,
            Step::Unpivot { .. } => StepKind::Unpivot,
            Step::Cluster { .. } => StepKind::Cluster,
            Step::Project { .. } => StepKind::Project,
        }
    }

    /// Its place in [`StepKind::ALL`] (and in the lists of labels).
    pub fn index(self) -> usize {
        StepKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// The formulas the derive form offers, in its order: a ÷ b, a × b,
/// a + b, a − b, log, share, change, change in percent.
pub const FORMULA_CHOICES: usize = 8;

/// The derive form's choice for `formula`.
pub fn formula_choice(formula: &Formula) -> usize {
    match formula {
        Formula::Arithmetic { op, .. } => match op {
            ArithOp::Div => 0,
            ArithOp::Mul => 1,
            ArithOp::Add => 2,
            ArithOp::Sub => 3,
        },
        Formula::Log { .. } => 4,
        Formula::Share { .. } => 5,
        Formula::Change { percent, .. } => 6 + usize::from(*percent),
    }
}

/// `formula` turned into choice `choice`, keeping its column (and, for
/// arithmetic, its other operand) where the new one has them.
pub fn with_formula_choice(formula: &Formula, choice: usize, schema: &Schema) -> Formula {
    let numbers: Vec<&String> = schema
        .iter()
        .filter(|(_, t)| is_number(t))
        .map(|(n, _)| n)
        .collect();
    let column = formula
        .number_columns()
        .first()
        .map(|c| c.to_string())
        .or_else(|| numbers.first().map(|c| c.to_string()))
        .unwrap_or_default();
    let within = match formula {
        Formula::Share { within, .. } | Formula::Change { within, .. } => within.clone(),
        _ => Vec::new(),
    };
    let right = match formula {
        Formula::Arithmetic { right, .. } => right.clone(),
        _ => numbers
            .iter()
            .find(|n| ***n != column)
            .map_or(Operand::Number(1.0), |n| Operand::Column((*n).clone())),
    };
    let op = [ArithOp::Div, ArithOp::Mul, ArithOp::Add, ArithOp::Sub];
    match choice {
        0..=3 => Formula::Arithmetic {
            op: op[choice],
            left: Operand::Column(column),
            right,
        },
        4 => Formula::Log { column },
        5 => Formula::Share { column, within },
        _ => {
            let order = schema
                .iter()
                .find(|(n, _)| n == "year" || n == "år")
                .or_else(|| schema.iter().find(|(n, _)| *n != column))
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            Formula::Change {
                column,
                order,
                within,
                percent: choice == 7,
            }
        }
    }
}

/// A new analysis of the latest version of `dataset`.
pub fn start(dataset: &Dataset) -> Option<Recipe> {
    let version = dataset.latest()?;
    Some(Recipe {
        v: RECIPE_VERSION,
        inputs: vec![Input {
            name: dataset.id.clone(),
            dataset: dataset.id.clone(),
            sha256: version.sha256.clone(),
        }],
        steps: Vec::new(),
        chart: Default::default(),
    })
}

/// Appends a step of `kind` with defaults that fit `schema` (the table it
/// receives). A join also adds the dataset it reads as an input. `None`
/// when nothing fits (a join with no dataset sharing a column).
pub fn add_step(
    recipe: &mut Recipe,
    kind: StepKind,
    schema: &Schema,
    catalog: &Catalog,
) -> Option<()> {
    let first = |pred: fn(&str) -> bool| {
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
                .filter(|(n, t)| is_number(t) && !is_time_or_code(n))
                .map(|(n, _)| n)
                .collect();
            numbers.sort_by_key(|n| {
                schema
                    .iter()
                    .find(|(c, _)| c == *n)
                    .is_some_and(|(_, t)| !t.starts_with("Float"))
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
            by: first(|t| t == "Utf8" || t == "LargeUtf8")
                .into_iter()
                .collect(),
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
        StepKind::Cluster | StepKind::Project => {
            // Measures (not years or codes), scaled to z-scores.
            let columns: Vec<String> = schema
                .iter()
                .filter(|(n, t)| is_number(t) && !is_time_or_code(n))
                .map(|(n, _)| n.clone())
                .collect();
            if columns.is_empty() {
                return None;
            }
            let features = Features {
                columns,
                ..Features::default()
            };
            if kind == StepKind::Cluster {
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
                .find(|(n, t)| is_number(t) && !is_time_or_code(n) && *n != column)
                .map(|(n, _)| n.clone());
            let index = schema
                .iter()
                .find(|(n, t)| t.contains("Utf8") && *n != column)
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
                .filter(|(n, t)| is_number(t) && !is_time_or_code(n))
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
fn is_year(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower == "year" || lower == "år" || lower.ends_with("_year")
}

/// The dataset whose rows could be appended to a table of `schema`: the
/// one sharing the most columns of the same name and type.
pub fn suggest_union<'a>(schema: &Schema, catalog: &'a Catalog) -> Option<&'a Dataset> {
    catalog
        .datasets
        .iter()
        .filter_map(|d| {
            let shared = d
                .latest()?
                .columns
                .iter()
                .filter(|c| {
                    schema
                        .iter()
                        .any(|(n, t)| *n == c.name && *t == c.data_type)
                })
                .count();
            (shared > 0).then_some((shared, d))
        })
        .max_by_key(|(shared, _)| *shared)
        .map(|(_, d)| d)
}

/// Points union step `step` at `dataset`.
pub fn set_union_dataset(recipe: &mut Recipe, step: usize, dataset: &Dataset) {
    let Some(name) = ensure_input(recipe, dataset) else {
        return;
    };
    if let Some(Step::Union { input }) = recipe.steps.get_mut(step) {
        *input = name;
    }
    prune_inputs(recipe);
}

/// Whether a column name reads as a time or a code rather than a measure.
fn is_time_or_code(name: &str) -> bool {
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

/// The dataset to join a table of `schema` to, and the key on each side:
/// the first catalog dataset (not in `exclude`) one of whose key columns
/// the table has, else one sharing any column name.
pub fn suggest_join<'a>(
    schema: &Schema,
    catalog: &'a Catalog,
    exclude: &[&str],
) -> Option<(&'a Dataset, String, String)> {
    let has = |name: &str| schema.iter().any(|(n, _)| n == name);
    let candidates = || {
        catalog
            .datasets
            .iter()
            .filter(|d| !exclude.contains(&d.id.as_str()))
            .filter_map(|d| Some((d, d.latest()?)))
    };
    candidates()
        .find_map(|(d, v)| {
            let key = v.key_columns.iter().find(|k| has(k))?;
            Some((d, key.clone(), key.clone()))
        })
        .or_else(|| {
            candidates().find_map(|(d, v)| {
                let c = v.columns.iter().find(|c| has(&c.name))?;
                Some((d, c.name.clone(), c.name.clone()))
            })
        })
}

/// Organisation and other numbers are written with and without dashes or
/// spaces; compare their digits. Other keys: trimmed.
fn normalize_for(column: &str) -> Normalize {
    let lower = column.to_lowercase();
    if ["org_nr", "orgnr", "code", "kod", "nummer", "number"]
        .iter()
        .any(|k| lower.contains(k))
    {
        Normalize::Digits
    } else {
        Normalize::Trim
    }
}

/// The input name under which `dataset`'s latest version is read, added
/// if the recipe does not read it yet.
pub fn ensure_input(recipe: &mut Recipe, dataset: &Dataset) -> Option<String> {
    if let Some(input) = recipe
        .inputs
        .iter()
        .skip(1)
        .find(|i| i.dataset == dataset.id)
    {
        return Some(input.name.clone());
    }
    let sha256 = dataset.latest()?.sha256.clone();
    let taken = |n: &str| recipe.inputs.iter().any(|i| i.name == n);
    let name = if taken(&dataset.id) {
        (2..)
            .map(|i| format!("{}_{i}", dataset.id))
            .find(|n| !taken(n))?
    } else {
        dataset.id.clone()
    };
    recipe.inputs.push(Input {
        name: name.clone(),
        dataset: dataset.id.clone(),
        sha256,
    });
    Some(name)
}

/// Points join step `step` at `dataset`, with the keys suggested for it.
pub fn set_join_dataset(recipe: &mut Recipe, step: usize, schema: &Schema, dataset: &Dataset) {
    let Some(name) = ensure_input(recipe, dataset) else {
        return;
    };
    let single = Catalog::new(vec![dataset.clone()]);
    let keys = suggest_join(schema, &single, &[]).map(|(_, l, r)| (l, r));
    if let Some(Step::Join { input, spec }) = recipe.steps.get_mut(step) {
        *input = name;
        if let Some((left, right)) = keys {
            spec.normalize = normalize_for(&left);
            spec.left_on = vec![left];
            spec.right_on = vec![right];
        } else {
            let right = dataset
                .latest()
                .and_then(|v| v.columns.first())
                .map(|c| c.name.clone())
                .unwrap_or_default();
            spec.left_on.truncate(1);
            spec.right_on = vec![right];
        }
    }
    prune_inputs(recipe);
}

/// Drops the inputs (after the first) that no join or union reads.
pub fn prune_inputs(recipe: &mut Recipe) {
    let used: Vec<String> = recipe
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Join { input, .. } | Step::Union { input } => Some(input.clone()),
            _ => None,
        })
        .collect();
    let mut n = 0;
    recipe.inputs.retain(|i| {
        n += 1;
        n == 1 || used.contains(&i.name)
    });
}

/// How all conditions of a filter combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    All,
    Any,
}

/// One row of the filter form.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    pub op: ConditionOp,
    /// As typed; a list for [`ConditionOp::In`], separated by `;`.
    pub value: String,
}

/// The operators of the filter form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    IsNull,
    NotNull,
}

impl ConditionOp {
    pub const ALL: [ConditionOp; 9] = [
        ConditionOp::Eq,
        ConditionOp::Ne,
        ConditionOp::Lt,
        ConditionOp::Le,
        ConditionOp::Gt,
        ConditionOp::Ge,
        ConditionOp::In,
        ConditionOp::IsNull,
        ConditionOp::NotNull,
    ];

    /// The symbol the form shows and its value attribute.
    pub fn symbol(self) -> &'static str {
        match self {
            ConditionOp::Eq => "=",
            ConditionOp::Ne => "≠",
            ConditionOp::Lt => "<",
            ConditionOp::Le => "≤",
            ConditionOp::Gt => ">",
            ConditionOp::Ge => "≥",
            ConditionOp::In => "in",
            ConditionOp::IsNull => "is null",
            ConditionOp::NotNull => "not null",
        }
    }

    pub fn from_symbol(symbol: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.symbol() == symbol)
    }

    /// Whether the operator takes a value.
    pub fn takes_value(self) -> bool {
        !matches!(self, ConditionOp::IsNull | ConditionOp::NotNull)
    }
}

/// A filter's predicate as the form's flat list, when it has that shape
/// (an and / or of simple conditions); `None` for deeper nesting, which
/// the form shows as text.
pub fn conditions(predicate: &Predicate) -> Option<(Combine, Vec<Condition>)> {
    let (combine, list) = match predicate {
        Predicate::And { all } => (Combine::All, all.as_slice()),
        Predicate::Or { any } => (Combine::Any, any.as_slice()),
        single => (Combine::All, std::slice::from_ref(single)),
    };
    let out = list.iter().map(condition).collect::<Option<Vec<_>>>()?;
    Some((combine, out))
}

fn condition(predicate: &Predicate) -> Option<Condition> {
    let text = |v: &Value| match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(t) => t.clone(),
    };
    Some(match predicate {
        Predicate::Compare { column, cmp, value } => Condition {
            column: column.clone(),
            op: match cmp {
                Comparison::Eq => ConditionOp::Eq,
                Comparison::Ne => ConditionOp::Ne,
                Comparison::Lt => ConditionOp::Lt,
                Comparison::Le => ConditionOp::Le,
                Comparison::Gt => ConditionOp::Gt,
                Comparison::Ge => ConditionOp::Ge,
            },
            value: text(value),
        },
        Predicate::In { column, values } => Condition {
            column: column.clone(),
            op: ConditionOp::In,
            value: values.iter().map(text).collect::<Vec<_>>().join("; "),
        },
        Predicate::IsNull { column } => Condition {
            column: column.clone(),
            op: ConditionOp::IsNull,
            value: String::new(),
        },
        Predicate::Not { not } => match not.as_ref() {
            Predicate::IsNull { column } => Condition {
                column: column.clone(),
                op: ConditionOp::NotNull,
                value: String::new(),
            },
            _ => return None,
        },
        _ => return None,
    })
}

/// The predicate of the form's conditions; values are read by the type
/// of their column in `schema` (numbers with a point or a comma).
pub fn predicate(combine: Combine, conditions: &[Condition], schema: &Schema) -> Predicate {
    let list = conditions
        .iter()
        .map(|c| {
            let data_type = schema
                .iter()
                .find(|(n, _)| *n == c.column)
                .map_or("Utf8", |(_, t)| t.as_str());
            let column = c.column.clone();
            let cmp = |cmp| Predicate::Compare {
                column: column.clone(),
                cmp,
                value: literal(&c.value, data_type),
            };
            match c.op {
                ConditionOp::Eq => cmp(Comparison::Eq),
                ConditionOp::Ne => cmp(Comparison::Ne),
                ConditionOp::Lt => cmp(Comparison::Lt),
                ConditionOp::Le => cmp(Comparison::Le),
                ConditionOp::Gt => cmp(Comparison::Gt),
                ConditionOp::Ge => cmp(Comparison::Ge),
                ConditionOp::In => Predicate::In {
                    values: c
                        .value
                        .split(';')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| literal(v, data_type))
                        .collect(),
                    column,
                },
                ConditionOp::IsNull => Predicate::IsNull { column },
                ConditionOp::NotNull => Predicate::Not {
                    not: Box::new(Predicate::IsNull { column }),
                },
            }
        })
        .collect();
    match combine {
        Combine::All => Predicate::And { all: list },
        Combine::Any => Predicate::Or { any: list },
    }
}

/// A typed value for a column of `data_type`: a number where one can be
/// read (`2 010`, `12,5`), true / false for booleans, else the text.
pub fn literal(text: &str, data_type: &str) -> Value {
    let trimmed = text.trim();
    let numeric = ["Int", "UInt", "Float", "Decimal"]
        .iter()
        .any(|p| data_type.starts_with(p));
    if numeric {
        let cleaned: String = trimmed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
            .map(|c| if c == ',' { '.' } else { c })
            .collect();
        if let Ok(n) = cleaned.parse::<f64>()
            && n.is_finite()
        {
            return Value::Number(n);
        }
    }
    if data_type == "Boolean" {
        match trimmed.to_lowercase().as_str() {
            "true" | "sant" | "ja" | "yes" => return Value::Bool(true),
            "false" | "falskt" | "nej" | "no" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::Text(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::fixture_catalog;
    use crate::recipe::plan;

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
        for choice in 0..FORMULA_CHOICES {
            let Some(Step::Derive { formula, .. }) = recipe.steps.last_mut() else {
                panic!("not a derive step");
            };
            *formula = with_formula_choice(formula, choice, &joined);
            assert_eq!(formula_choice(formula), choice);
            if let Err(e) = plan::check(&recipe, &catalog) {
                panic!("choice {choice}: {e}");
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
        assert_eq!(literal("12,5", "Float64"), Value::Number(12.5));
        assert_eq!(literal("x", "Int32"), Value::Text("x".into()));
        assert_eq!(literal("inf", "Float64"), Value::Text("inf".into()));
        assert_eq!(literal(" 2020 ", "Utf8"), Value::Text("2020".into()));
        assert_eq!(literal("Nej", "Boolean"), Value::Bool(false));
    }
}
