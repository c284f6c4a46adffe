//! A recipe checked and run in one call: what the page's recipe panel and
//! `datalabb run` both need, every step's schema (known before running)
//! and rows (once run), and the result or the error that stopped it.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

use crate::data::Catalog;
use crate::ops::join::JoinStats;
use crate::recipe::Recipe;
use crate::recipe::error::RecipeError;
use crate::recipe::plan::{self, Schema};
use crate::recipe::run::{self, Resume, StepProgress};

/// What one step of an analysis produces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// Its output columns and types (known before running).
    pub schema: Schema,
    /// Its output rows, once run.
    pub rows: Option<u64>,
    /// For a join: how well the tables linked.
    pub join: Option<JoinStats>,
}

/// A recipe checked and run: the first input's schema, one outcome per
/// step that checked, and the result table or why there is none.
#[derive(Debug, Clone)]
pub struct Execution {
    pub input: Schema,
    pub steps: Vec<StepOutcome>,
    pub result: Result<RecordBatch, RecipeError>,
}

/// Checks `recipe` against `catalog`, then runs it on `tables` (the opened
/// inputs by input name; one that is missing is an error naming its
/// dataset and version). `on_step` hears how far the run is.
pub fn execute(
    recipe: &Recipe,
    catalog: &Catalog,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
) -> Execution {
    execute_from(recipe, catalog, tables, on_step, &mut Resume::default())
}

/// [`execute`], starting where `resume` holds the recipe's place (the
/// compute worker, once helper workers have run a step's jobs), and
/// holding it there when a step hands its jobs on.
pub fn execute_from(
    recipe: &Recipe,
    catalog: &Catalog,
    tables: &BTreeMap<String, RecordBatch>,
    on_step: &mut StepProgress,
    resume: &mut Resume,
) -> Execution {
    let (schemas, checked) = match plan::check(recipe, catalog) {
        Ok(plan) => (plan.schemas, Ok(())),
        Err(e) => (e.schemas, Err(e.error)),
    };
    let mut schemas = schemas.into_iter();
    let input = schemas.next().unwrap_or_default();
    let mut steps: Vec<StepOutcome> = schemas
        .map(|schema| StepOutcome {
            schema,
            ..StepOutcome::default()
        })
        .collect();
    let result = checked
        .and_then(|()| opened(recipe, tables))
        .and_then(|()| match run::run_steps(recipe, tables, on_step, resume) {
            Ok((batch, reports)) => {
                record(&mut steps, reports);
                Ok(batch)
            }
            Err(e) => {
                record(&mut steps, e.reports);
                Err(e.error)
            }
        });
    Execution {
        input,
        steps,
        result,
    }
}

/// An error for the first input of `recipe` that `tables` lacks.
fn opened(recipe: &Recipe, tables: &BTreeMap<String, RecordBatch>) -> Result<(), RecipeError> {
    match recipe.inputs.iter().find(|i| !tables.contains_key(&i.name)) {
        Some(missing) => Err(RecipeError::NotOpen {
            input: missing.name.clone(),
            dataset: missing.dataset.clone(),
            short: crate::data::hash::short_hash(&missing.sha256),
        }),
        None => Ok(()),
    }
}

fn record(steps: &mut [StepOutcome], reports: Vec<run::StepReport>) {
    for (outcome, report) in steps.iter_mut().zip(reports) {
        outcome.rows = Some(report.rows);
        outcome.join = report.join;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipe::error::StepError;
    use crate::recipe::{Input, RECIPE_VERSION, Step};

    fn no_steps() -> impl FnMut(usize, u64, u64) -> std::ops::ControlFlow<()> {
        |_, _, _| std::ops::ControlFlow::Continue(())
    }

    /// The fixture catalog and tables, and a recipe of two steps on them.
    fn fixture_inputs() -> (Catalog, BTreeMap<String, RecordBatch>, Recipe) {
        let (catalog, inputs, tables) = crate::recipe::tests::fixture_inputs();
        let recipe = Recipe {
            v: RECIPE_VERSION,
            inputs,
            steps: vec![
                Step::Sort {
                    column: "name".into(),
                    descending: true,
                },
                Step::Limit { rows: 1 },
            ],
            chart: Default::default(),
        };
        (catalog, tables, recipe)
    }

    #[test]
    fn a_run_gives_every_step_its_schema_and_rows() {
        let (catalog, tables, recipe) = fixture_inputs();
        let done = execute(&recipe, &catalog, &tables, &mut no_steps());
        let result = done.result.unwrap();
        assert!(!done.input.is_empty());
        assert_eq!(done.steps.len(), recipe.steps.len());
        assert!(done.steps.iter().all(|s| s.rows.is_some()));
        assert_eq!(
            done.steps.last().unwrap().rows,
            Some(result.num_rows() as u64)
        );
    }

    #[test]
    fn a_broken_step_keeps_the_schemas_before_it() {
        let (catalog, tables, mut recipe) = fixture_inputs();
        recipe.steps.push(Step::Sort {
            column: "no such column".into(),
            descending: false,
        });
        let done = execute(&recipe, &catalog, &tables, &mut no_steps());
        let last = recipe.steps.len() - 1;
        match done.result {
            Err(RecipeError::Step { index, error, .. }) => {
                assert_eq!(index, last);
                assert!(matches!(*error, StepError::Ops(_)), "{error:?}");
            }
            other => panic!("{other:?}"),
        }
        // Checked up to the broken step; nothing ran.
        assert_eq!(done.steps.len(), last);
        assert!(done.steps.iter().all(|s| s.rows.is_none()));
    }

    #[test]
    fn an_input_not_opened_is_named() {
        let (catalog, mut tables, recipe) = fixture_inputs();
        let Input { name, dataset, .. } = recipe.inputs[0].clone();
        tables.remove(&name);
        let done = execute(&recipe, &catalog, &tables, &mut no_steps());
        assert!(matches!(
            done.result,
            Err(RecipeError::NotOpen { ref input, dataset: ref d, .. }) if *input == name && *d == dataset
        ));
        // The plan checked, so the steps' schemas are there.
        assert_eq!(done.steps.len(), recipe.steps.len());
    }
}
