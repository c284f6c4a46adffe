//! Checking a recipe into a plan before anything runs: the inputs exist in
//! the catalog at the pinned version, and every step's columns exist in
//! the table it receives. Each step's output schema is known, so an edit
//! that breaks a later step is reported at once, naming the step and the
//! column, with the closest name as a suggestion.

use std::collections::BTreeMap;

use crate::data::Catalog;
use crate::data::csv::parse_date;
use crate::error::OpsError;
use crate::ops::group::Aggregate;
use crate::ops::join::JoinKind;
use crate::recipe::error::{RecipeError, StepError};
use crate::recipe::{Predicate, RECIPE_VERSION, Recipe, Step, Value};

pub use crate::data::schema::{ColumnType, Schema};

/// The most steps a recipe may have.
pub const MAX_STEPS: usize = 200;
/// The deepest a filter's predicate may nest.
pub const MAX_DEPTH: usize = 32;
/// The most columns a step may make (a pivot's keys, say): the loader's
/// cap, so a link cannot make a table no file could hold.
pub const MAX_COLUMNS: usize = 10_000;
/// The most values an `in` condition may list.
pub const MAX_IN_VALUES: usize = 10_000;

/// A checked recipe: the input schemas and each step's output schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub inputs: BTreeMap<String, Schema>,
    /// The schema after each step (the first input's before any).
    pub schemas: Vec<Schema>,
}

/// Why a recipe cannot run (the error names the step it concerns, or
/// none for the recipe as a whole), and the schemas of the steps before
/// it, which the recipe panel still shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    pub error: RecipeError,
    /// The first input's schema, then the output of each step that checked.
    pub schemas: Vec<Schema>,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// Checks `recipe` against `catalog`.
pub fn validate(recipe: &Recipe, catalog: &Catalog) -> Result<Plan, RecipeError> {
    check(recipe, catalog).map_err(|e| e.error)
}

/// Checks `recipe` against `catalog`; on an error, says which step failed
/// and what the steps before it produce.
pub fn check(recipe: &Recipe, catalog: &Catalog) -> Result<Plan, PlanError> {
    let whole = |error: RecipeError| PlanError {
        error,
        schemas: Vec::new(),
    };
    if recipe.v != RECIPE_VERSION {
        return Err(whole(RecipeError::Version(recipe.v)));
    }
    if recipe.steps.len() > MAX_STEPS {
        return Err(whole(RecipeError::TooManySteps(recipe.steps.len())));
    }
    let mut inputs = BTreeMap::new();
    for input in &recipe.inputs {
        let Some(dataset) = catalog.datasets.iter().find(|d| d.id == input.dataset) else {
            return Err(whole(RecipeError::NoDataset {
                input: input.name.clone(),
                dataset: input.dataset.clone(),
            }));
        };
        let Some(version) = dataset.versions.iter().find(|v| v.sha256 == input.sha256) else {
            return Err(whole(RecipeError::NoVersion {
                input: input.name.clone(),
                dataset: input.dataset.clone(),
                short: crate::data::hash::short_hash(&input.sha256),
            }));
        };
        let schema = version
            .columns
            .iter()
            .map(|c| (c.name.clone(), ColumnType::from(c.data_type.as_str())))
            .collect();
        if inputs.insert(input.name.clone(), schema).is_some() {
            return Err(whole(RecipeError::TwoInputs(input.name.clone())));
        }
    }
    let first = recipe
        .inputs
        .first()
        .and_then(|i| inputs.get(&i.name))
        .cloned()
        .ok_or_else(|| whole(RecipeError::NoInput))?;
    let mut schemas = vec![first];
    for (n, step) in recipe.steps.iter().enumerate() {
        let current = schemas.last().cloned().unwrap_or_default();
        let checked = step_schema(step, &current, &inputs).and_then(|next| {
            if next.len() > MAX_COLUMNS {
                Err(StepError::TooManyColumns(next.len()))
            } else {
                Ok(next)
            }
        });
        match checked {
            Ok(next) => schemas.push(next),
            Err(e) => {
                return Err(PlanError {
                    error: RecipeError::Step {
                        index: n,
                        kind: step.kind(),
                        error: Box::new(e),
                    },
                    schemas,
                });
            }
        }
    }
    Ok(Plan { inputs, schemas })
}

fn step_schema(
    step: &Step,
    schema: &Schema,
    inputs: &BTreeMap<String, Schema>,
) -> Result<Schema, StepError> {
    let table = "the table";
    match step {
        Step::Select { columns } => {
            if columns.is_empty() {
                return Err(StepError::NoColumns);
            }
            let mut out = Schema::new();
            for name in columns {
                let t = column(schema, name, table)?;
                if out.iter().any(|(n, _)| n == name) {
                    return Err(StepError::ChosenTwice(name.clone()));
                }
                out.push((name.clone(), t.clone()));
            }
            Ok(out)
        }
        Step::Rename { from, to } => {
            column(schema, from, table)?;
            if to.trim().is_empty() {
                return Err(StepError::EmptyName);
            }
            if from != to && schema.iter().any(|(n, _)| n == to) {
                return Err(StepError::Exists(to.clone()));
            }
            Ok(schema
                .iter()
                .map(|(n, t)| (if n == from { to.clone() } else { n.clone() }, t.clone()))
                .collect())
        }
        Step::Filter { predicate } => {
            check_predicate(predicate, schema, 0)?;
            Ok(schema.clone())
        }
        Step::Join { input, spec } => {
            let right = inputs
                .get(input)
                .ok_or_else(|| StepError::NoInput(input.clone()))?;
            if spec.left_on.is_empty() || spec.left_on.len() != spec.right_on.len() {
                return Err(StepError::JoinKeys);
            }
            for name in &spec.left_on {
                column(schema, name, table)?;
            }
            for name in &spec.right_on {
                column(right, name, &format!("{input:?}"))?;
            }
            if matches!(spec.kind, JoinKind::Semi | JoinKind::Anti) {
                return Ok(schema.clone());
            }
            let mut out = schema.clone();
            for (name, t) in right {
                if spec.right_on.contains(name) && spec.left_on == spec.right_on {
                    continue;
                }
                let mut name = name.clone();
                while out.iter().any(|(n, _)| *n == name) {
                    name.push_str("_right");
                }
                out.push((name, t.clone()));
            }
            Ok(out)
        }
        Step::Cluster {
            features,
            method,
            name,
        } => crate::recipe::learn::check_cluster(schema, features, method, name),
        Step::Project {
            features,
            components,
            prefix,
            method,
        } => crate::recipe::learn::check_project(schema, features, *components, prefix, method),
        Step::Anomaly {
            features,
            method,
            flag,
            name,
        } => crate::recipe::learn::anomaly::check_anomaly(schema, features, method, flag, name),
        Step::Derive { name, formula } => {
            for c in formula.columns() {
                column(schema, c, table)?;
            }
            for c in formula.number_columns() {
                let t = column(schema, c, table)?;
                if !t.is_number() {
                    return Err(StepError::NotNumber {
                        column: c.to_string(),
                        data_type: t.to_string(),
                    });
                }
            }
            if name.trim().is_empty() {
                return Err(StepError::NoName);
            }
            if schema.iter().any(|(n, _)| n == name) {
                return Err(StepError::Exists(name.clone()));
            }
            let mut out = schema.clone();
            out.push((name.clone(), ColumnType::float64()));
            Ok(out)
        }
        Step::GroupBy { by, measures } => {
            let mut out = Schema::new();
            for name in by {
                if out.iter().any(|(n, _)| n == name) {
                    return Err(StepError::ChosenTwice(name.clone()));
                }
                out.push((name.clone(), column(schema, name, table)?.clone()));
            }
            for m in measures {
                let output = match (m.aggregate, &m.column) {
                    (Aggregate::Count, _) => ColumnType::int64(),
                    (_, None) => return Err(StepError::NoMeasureColumn(m.aggregate)),
                    (Aggregate::CountDistinct, Some(c)) => {
                        column(schema, c, table)?;
                        ColumnType::int64()
                    }
                    (aggregate, Some(c)) => {
                        let t = column(schema, c, table)?;
                        if !t.is_number() {
                            return Err(StepError::MeasureNotNumber {
                                aggregate,
                                column: c.clone(),
                                data_type: t.to_string(),
                            });
                        }
                        ColumnType::float64()
                    }
                };
                if out.iter().any(|(n, _)| *n == m.name) {
                    return Err(StepError::TwoOutputs(m.name.clone()));
                }
                out.push((m.name.clone(), output));
            }
            if out.is_empty() {
                return Err(StepError::EmptyGroupBy);
            }
            Ok(out)
        }
        Step::Sort { column: name, .. } => {
            column(schema, name, table)?;
            Ok(schema.clone())
        }
        Step::Limit { .. } => Ok(schema.clone()),
        Step::Union { input } => {
            let other = inputs
                .get(input)
                .ok_or_else(|| StepError::NoInput(input.clone()))?;
            let mut out = schema.clone();
            for (name, t) in other {
                match out.iter().find(|(n, _)| n == name) {
                    Some((_, mine)) if mine != t => {
                        return Err(StepError::UnionTypes {
                            column: name.clone(),
                            here: mine.to_string(),
                            there: t.to_string(),
                            input: input.clone(),
                        });
                    }
                    Some(_) => {}
                    None => out.push((name.clone(), t.clone())),
                }
            }
            Ok(out)
        }
        Step::Pivot {
            index,
            column: pivoted,
            values,
            keys,
            aggregate,
        } => {
            let mut out = Schema::new();
            for name in index {
                if out.iter().any(|(n, _)| n == name) {
                    return Err(StepError::ChosenTwice(name.clone()));
                }
                out.push((name.clone(), column(schema, name, table)?.clone()));
            }
            column(schema, pivoted, table)?;
            let t = column(schema, values, table)?;
            let output = match aggregate {
                Aggregate::Count => ColumnType::int64(),
                Aggregate::Sum | Aggregate::Mean | Aggregate::Min | Aggregate::Max => {
                    if !t.is_number() {
                        return Err(StepError::NotNumber {
                            column: values.clone(),
                            data_type: t.to_string(),
                        });
                    }
                    ColumnType::float64()
                }
                other => return Err(StepError::PivotAggregate(*other)),
            };
            if keys.is_empty() {
                return Err(StepError::NoPivotKeys(pivoted.clone()));
            }
            if keys.len() > MAX_COLUMNS {
                return Err(StepError::TooManyKeys(keys.len()));
            }
            // A set, so that thousands of keys are checked in one pass.
            let mut taken: std::collections::HashSet<String> =
                out.iter().map(|(n, _)| n.clone()).collect();
            for key in keys {
                if key.is_empty() || !taken.insert(key.clone()) {
                    return Err(StepError::NotNew(key.clone()));
                }
                out.push((key.clone(), output.clone()));
            }
            Ok(out)
        }
        Step::Unpivot {
            columns,
            name,
            value,
        } => {
            if columns.is_empty() {
                return Err(StepError::NoUnpivotColumns);
            }
            let mut numeric = true;
            for c in columns {
                numeric &= column(schema, c, table)?.is_number();
            }
            let mut out: Schema = schema
                .iter()
                .filter(|(n, _)| !columns.contains(n))
                .cloned()
                .collect();
            for new in [name, value] {
                if new.trim().is_empty() || out.iter().any(|(n, _)| n == new) || name == value {
                    return Err(StepError::NotNew(new.clone()));
                }
            }
            out.push((name.clone(), ColumnType::utf8()));
            out.push((
                value.clone(),
                if numeric {
                    ColumnType::float64()
                } else {
                    ColumnType::utf8()
                },
            ));
            Ok(out)
        }
    }
}

fn check_predicate(predicate: &Predicate, schema: &Schema, depth: usize) -> Result<(), StepError> {
    if depth > MAX_DEPTH {
        return Err(StepError::TooDeep);
    }
    match predicate {
        Predicate::Compare {
            column: c, value, ..
        } => literals(
            c,
            column(schema, c, "the table")?,
            std::slice::from_ref(value),
        ),
        Predicate::In { column: c, values } => {
            if values.len() > MAX_IN_VALUES {
                return Err(StepError::TooManyValues {
                    column: c.clone(),
                    count: values.len(),
                });
            }
            literals(c, column(schema, c, "the table")?, values)
        }
        Predicate::IsNull { column: c } => column(schema, c, "the table").map(|_| ()),
        Predicate::And { all: list } | Predicate::Or { any: list } => list
            .iter()
            .try_for_each(|p| check_predicate(p, schema, depth + 1)),
        Predicate::Not { not } => check_predicate(not, schema, depth + 1),
    }
}

/// Checks that `values` can be compared with column `name` of type `t`
/// (the rules of the filter kernel, said before anything runs).
fn literals(name: &str, t: &ColumnType, values: &[Value]) -> Result<(), StepError> {
    let mismatch = |wanted: &'static str| StepError::Mismatch {
        column: name.to_string(),
        data_type: t.to_string(),
        wanted,
    };
    let all = |ok: &dyn Fn(&Value) -> bool, wanted: &'static str| {
        if values.iter().all(ok) {
            Ok(())
        } else {
            Err(mismatch(wanted))
        }
    };
    if t.is_number() {
        all(&|v| matches!(v, Value::Number(_)), "a number")
    } else if *t == ColumnType::Date {
        all(
            &|v| matches!(v, Value::Text(d) if parse_date(d).is_some()),
            "a date such as \"2024-01-31\"",
        )
    } else if matches!(t, ColumnType::Timestamp(_)) {
        all(
            &|v| {
                matches!(v, Value::Text(d) if crate::data::time::parse_instant(
                    d,
                    arrow::datatypes::TimeUnit::Second,
                    crate::data::time::Zone::Naive,
                )
                .is_some())
            },
            "an instant such as \"2024-03-31T02:30:00Z\"",
        )
    } else if *t == ColumnType::Boolean {
        all(&|v| matches!(v, Value::Bool(_)), "true or false")
    } else if t.is_text() {
        all(&|v| matches!(v, Value::Text(_)), "a text")
    } else {
        Err(StepError::NotComparable {
            column: name.to_string(),
            data_type: t.to_string(),
        })
    }
}

/// The type of column `name`, or an error naming `table` and suggesting
/// the closest name.
fn column<'a>(schema: &'a Schema, name: &str, table: &str) -> Result<&'a ColumnType, StepError> {
    if let Some((_, t)) = schema.iter().find(|(n, _)| n == name) {
        return Ok(t);
    }
    let names: Vec<&str> = schema.iter().map(|(n, _)| n.as_str()).collect();
    Err(StepError::Ops(OpsError::NoColumn {
        column: name.to_string(),
        table: table.to_string(),
        suggestion: crate::ops::closest(name, &names).map(str::to_string),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::{Column, Dataset, DatasetVersion, Licence, Localized, Source};
    use crate::recipe::url::tests::staff_by_ministry;
    use crate::recipe::{Comparison, Value};

    fn catalog() -> Catalog {
        let dataset = |id: &str, sha: char, columns: &[(&str, &str)]| Dataset {
            id: id.into(),
            title: Localized::new(id, id),
            description: Localized::new("", ""),
            tags: vec![],
            sources: vec![Source {
                name: "s".into(),
                url: "https://example.org".into(),
            }],
            licence: Licence {
                name: "CC0 1.0".into(),
                url: None,
            },
            versions: vec![DatasetVersion {
                sha256: sha.to_string().repeat(64),
                url: format!("{id}/x.arrow"),
                rows: 1,
                bytes: 1,
                columns: columns
                    .iter()
                    .map(|(n, t)| Column {
                        name: (*n).into(),
                        data_type: (*t).into(),
                        description: Localized::new("", ""),
                        unit: None,
                        entity: None,
                    })
                    .collect(),
                key_columns: vec![],
                parquet: None,
            }],
        };
        Catalog::new(vec![
            dataset(
                "agencies",
                'a',
                &[("org_nr", "Utf8"), ("name", "Utf8"), ("ministry", "Utf8")],
            ),
            dataset(
                "agency_staff",
                'b',
                &[("org_nr", "Utf8"), ("year", "Int32"), ("staff", "Int64")],
            ),
        ])
    }

    #[test]
    fn a_valid_recipe_has_a_schema_after_every_step() {
        let plan = validate(&staff_by_ministry(), &catalog()).unwrap();
        assert_eq!(plan.schemas.len(), 5);
        let names = |i: usize| {
            plan.schemas[i]
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(1), ["org_nr", "name", "ministry", "year", "staff"]);
        assert_eq!(
            plan.schemas[3],
            [
                ("ministry".to_string(), "Utf8".into()),
                ("staff".to_string(), "Float64".into())
            ]
        );
    }

    #[test]
    fn errors_name_the_step_and_the_column() {
        let catalog = catalog();
        let mut recipe = staff_by_ministry();
        if let Step::Join { spec, .. } = &mut recipe.steps[0] {
            spec.right_on = vec!["orgnr".into()];
        }
        assert_eq!(
            validate(&recipe, &catalog).unwrap_err().to_string(),
            "step 1 (join): column \"orgnr\" not found in \"staff\"; did you mean \"org_nr\"?"
        );
        let mut recipe = staff_by_ministry();
        recipe.steps[1] = Step::Filter {
            predicate: Predicate::Compare {
                column: "Year".into(),
                cmp: Comparison::Eq,
                value: Value::Number(1.0),
            },
        };
        assert_eq!(
            validate(&recipe, &catalog).unwrap_err().to_string(),
            "step 2 (filter): column \"Year\" not found in the table; did you mean \"year\"?"
        );
        let mut recipe = staff_by_ministry();
        recipe.steps.insert(
            3,
            Step::Select {
                columns: vec!["ministry".into()],
            },
        );
        assert_eq!(
            validate(&recipe, &catalog).unwrap_err().to_string(),
            "step 5 (sort): column \"staff\" not found in the table"
        );
        let mut recipe = staff_by_ministry();
        recipe.inputs[1].sha256 = "c".repeat(64);
        assert!(
            validate(&recipe, &catalog)
                .unwrap_err()
                .to_string()
                .contains("has no version cccccccccccc")
        );
        let mut recipe = staff_by_ministry();
        recipe.v = 2;
        assert!(
            validate(&recipe, &catalog)
                .unwrap_err()
                .to_string()
                .contains("recipe version 2")
        );
        let mut recipe = staff_by_ministry();
        let mut deep = Predicate::IsNull {
            column: "year".into(),
        };
        for _ in 0..40 {
            deep = Predicate::Not {
                not: Box::new(deep),
            };
        }
        recipe.steps[1] = Step::Filter { predicate: deep };
        assert!(
            validate(&recipe, &catalog)
                .unwrap_err()
                .to_string()
                .contains("nests deeper")
        );
        recipe.inputs.clear();
        assert!(validate(&recipe, &catalog).is_err());
    }

    #[test]
    fn errors_are_variants_that_name_the_step() {
        let catalog = catalog();
        let mut recipe = staff_by_ministry();
        if let Step::Join { spec, .. } = &mut recipe.steps[0] {
            spec.right_on = vec!["orgnr".into()];
        }
        let error = validate(&recipe, &catalog).unwrap_err();
        assert_eq!(error.step(), Some(0));
        let RecipeError::Step {
            index: 0,
            kind: "join",
            error,
        } = error
        else {
            panic!("{error:?}")
        };
        assert!(matches!(
            *error,
            StepError::Ops(OpsError::NoColumn { ref suggestion, .. })
                if suggestion.as_deref() == Some("org_nr")
        ));
        recipe.v = 2;
        assert_eq!(
            validate(&recipe, &catalog).unwrap_err(),
            RecipeError::Version(2)
        );
        let mut recipe = staff_by_ministry();
        recipe.steps[1] = Step::Filter {
            predicate: Predicate::Compare {
                column: "year".into(),
                cmp: crate::recipe::Comparison::Eq,
                value: Value::Text("2020".into()),
            },
        };
        let error = check(&recipe, &catalog).unwrap_err();
        assert!(matches!(
            &error.error,
            RecipeError::Step { index: 1, error, .. } if matches!(
                **error,
                StepError::Mismatch { wanted: "a number", .. }
            )
        ));
        // The steps before the broken one keep their schemas.
        assert_eq!(error.schemas.len(), 2);
    }

    #[test]
    fn huge_lists_and_pivots_are_refused_with_their_size() {
        let catalog = catalog();
        let mut recipe = staff_by_ministry();
        recipe.steps[1] = Step::Filter {
            predicate: Predicate::In {
                column: "name".into(),
                values: (0..MAX_IN_VALUES + 1)
                    .map(|i| Value::Text(i.to_string()))
                    .collect(),
            },
        };
        let error = validate(&recipe, &catalog).unwrap_err().to_string();
        assert!(error.contains("lists 10001 values"), "{error}");
        let pivot = |keys: usize| Step::Pivot {
            index: vec!["ministry".into()],
            column: "year".into(),
            values: "staff".into(),
            keys: (0..keys).map(|k| format!("y{k}")).collect(),
            aggregate: Aggregate::Sum,
        };
        let mut recipe = staff_by_ministry();
        recipe.steps.truncate(1);
        recipe.steps.push(pivot(MAX_COLUMNS - 1));
        validate(&recipe, &catalog).unwrap();
        recipe.steps[1] = pivot(MAX_COLUMNS + 1);
        let error = validate(&recipe, &catalog).unwrap_err().to_string();
        assert!(error.contains("more than the 10000"), "{error}");
        // A repeated key among thousands is found in one pass.
        let Step::Pivot { keys, .. } = &mut recipe.steps[1] else {
            unreachable!()
        };
        keys.truncate(5000);
        keys.push("y17".into());
        let error = validate(&recipe, &catalog).unwrap_err().to_string();
        assert!(error.contains("\"y17\" is empty or not new"), "{error}");
    }
}
