//! Analyses: a recipe checked and run on the opened tables it pins, the
//! table of any of its steps (kept for the next request about the same
//! step), the distinct values a step receives and the help for a cluster
//! step.

use std::collections::BTreeMap;

use arrow::array::{Array, Float64Array, RecordBatch};

use crate::chart::Lang;
use crate::data::values::{distinct, formatter};
use crate::engine::protocol::{INSIGHT, MAX_INSIGHT_ROWS, PROFILE, RESULT, RecipeError, Response};
use crate::ml::features::extract;
use crate::ml::insight::{Insight, choose_k, k_distance, outliers, profiles};
use crate::recipe::columns::meanings;
use crate::recipe::execute::{execute, execute_from};
use crate::recipe::findings::{Table, clusters, outliers as outlier_sentences};
use crate::recipe::learn::anomaly::flag_name;
use crate::recipe::run::input_columns;
use crate::recipe::{Input, Recipe, Step};

use super::{Engine, Loaded, MAX_DISTINCT, analysis_summary};

impl Engine {
    /// Checks `recipe` against the catalog and runs it on the opened
    /// datasets it pins; keeps the result as [`RESULT`]. Whatever fails,
    /// the answer carries the schemas of the steps that checked.
    pub(super) fn run_recipe(
        &mut self,
        recipe: &Recipe,
        report: &mut dyn FnMut(Response),
    ) -> Response {
        // A stale result is never shown beside a newer analysis.
        self.tables.remove(RESULT);
        let Some(catalog) = &self.catalog else {
            return Response::RecipeRan {
                input: Vec::new(),
                steps: Vec::new(),
                error: Some(RecipeError {
                    step: None,
                    message: "the catalog is not loaded yet".into(),
                }),
                result: None,
                run_ms: 0.0,
            };
        };
        let tables = self.input_tables(recipe);
        let steps_in_all = recipe.steps.len();
        let mut on_step = |step, done, total| {
            report(Response::RunProgress {
                step,
                steps: steps_in_all,
                done,
                total,
                loss: crate::ml::autoencoder::latest_loss(),
            });
            std::ops::ControlFlow::Continue(())
        };
        let done = execute_from(recipe, catalog, &tables, &mut on_step, &mut self.resume);
        let (result, error) = match done.result {
            Ok(batch) => match self.keep(analysis_summary(RESULT), batch, None) {
                Response::DatasetOpened { summary } => (Some(summary), None),
                _ => (None, None),
            },
            Err(e) => (
                None,
                Some(RecipeError {
                    step: e.step(),
                    message: e.to_string(),
                }),
            ),
        };
        Response::RecipeRan {
            input: done.input,
            steps: done.steps,
            error,
            result,
            run_ms: 0.0,
        }
    }

    /// The opened tables of `recipe`'s inputs, by input name (those not
    /// open are left out; running says which).
    /// Of a Parquet file read as it is needed, an input gives only the
    /// columns the recipe reads (see [`input_columns`]).
    pub(super) fn input_tables(&self, recipe: &Recipe) -> BTreeMap<String, RecordBatch> {
        let columns = input_columns(recipe);
        let mut tables = BTreeMap::new();
        for wanted in &recipe.inputs {
            let read = columns.get(&wanted.name).and_then(Option::as_ref);
            if let Some(batch) = self
                .find_input(wanted)
                .and_then(|(_, loaded)| loaded.rows.columns(read))
            {
                tables.insert(wanted.name.clone(), batch);
            }
        }
        tables
    }

    /// The opened table of a recipe's input, and its key: kept under its
    /// table key by an analysis, or under its id when its page opened it.
    pub(super) fn find_input(&self, wanted: &Input) -> Option<(&String, &Loaded)> {
        let key = self
            .catalog
            .as_ref()
            .map(|c| c.table_key(&wanted.dataset, &wanted.sha256));
        key.iter()
            .chain(std::iter::once(&wanted.dataset))
            .filter_map(|k| self.tables.get_key_value(k))
            .find(|(_, loaded)| loaded.summary.sha256 == wanted.sha256)
    }

    /// The table after the first `steps` steps of `recipe`.
    pub(super) fn step_table(
        &mut self,
        mut recipe: Recipe,
        steps: usize,
    ) -> Result<RecordBatch, String> {
        if steps > recipe.steps.len() {
            return Err(format!("the analysis has {} steps", recipe.steps.len()));
        }
        recipe.steps.truncate(steps);
        if let Some((made_by, table)) = &self.step_made
            && *made_by == recipe
        {
            return Ok(table.clone());
        }
        let catalog = self
            .catalog
            .as_ref()
            .ok_or("the catalog is not loaded yet")?;
        let tables = self.input_tables(&recipe);
        let table = execute(&recipe, catalog, &tables, &mut |_, _, _| {
            std::ops::ControlFlow::Continue(())
        })
        .result
        .map_err(|e| e.to_string())?;
        self.step_made = Some((recipe, table.clone()));
        Ok(table)
    }

    /// The distinct values (sorted by value, as text) of `column` in the
    /// table step `step` of `recipe` receives; and whether there were
    /// more than `limit` (at most [`MAX_DISTINCT`]).
    pub(super) fn distinct(
        &mut self,
        recipe: Recipe,
        step: usize,
        column: &str,
        limit: u32,
    ) -> Result<(Vec<String>, bool), String> {
        let table = self.step_table(recipe, step)?;
        let array = table.column(
            crate::ops::column_index(&table, column, "the table").map_err(|e| e.to_string())?,
        );
        Ok(distinct(array.as_ref(), (limit as usize).min(MAX_DISTINCT)))
    }

    /// Works out `insight` for the cluster step `step` of `recipe`, keeps
    /// its tables as [`INSIGHT`] (and [`PROFILE`]) and answers with the
    /// table as text.
    pub(super) fn insight(
        &mut self,
        recipe: Recipe,
        step: usize,
        insight: &Insight,
        member: Option<&str>,
        lang: Lang,
        report: &mut dyn FnMut(Response),
    ) -> Result<Response, String> {
        // The step's features, its seed and the column it made.
        let (features, seed, made) = match (recipe.steps.get(step), insight) {
            (Some(Step::Anomaly { features, name, .. }), Insight::Outliers) => {
                (features.clone(), 1, name.clone())
            }
            (_, Insight::Outliers) => {
                return Err(format!(
                    "step {} is not an anomaly step",
                    step.saturating_add(1)
                ));
            }
            (
                Some(Step::Cluster {
                    features,
                    method,
                    name,
                }),
                _,
            ) => (features.clone(), method.seed().unwrap_or(1), name.clone()),
            _ => {
                return Err(format!(
                    "step {} is not a cluster step",
                    step.saturating_add(1)
                ));
            }
        };
        // The elbow and the k-distances need the table the step receives,
        // the profiles and the outliers the one it makes.
        let steps = if matches!(insight, Insight::Profiles | Insight::Outliers) {
            step + 1
        } else {
            step
        };
        let in_all = recipe.steps.len();
        let mut before = recipe.clone();
        before.steps.truncate(step);
        let table = self.step_table(recipe, steps)?;
        let flag = flag_name(&made);
        let found = match insight {
            Insight::ChooseK { from, to } => {
                let x = extract(&table, &features).map_err(|e| e.to_string())?;
                let mut progress = |done, total| {
                    report(Response::RunProgress {
                        step,
                        steps: in_all,
                        done,
                        total,
                        loss: None,
                    });
                    std::ops::ControlFlow::Continue(())
                };
                choose_k(&x.matrix, *from, *to, seed, &mut progress)
            }
            Insight::KDistance { k } => {
                let x = extract(&table, &features).map_err(|e| e.to_string())?;
                k_distance(&x.matrix, *k, seed)
            }
            Insight::Profiles => profiles(&table, &features, &made, member),
            Insight::Outliers => outliers(&table, &features, &made, &flag, member),
        }
        .map_err(|e| e.to_string())?;
        // Numbers with four significant digits in the page's language.
        let text = |batch: &RecordBatch| -> Vec<Vec<String>> {
            type Text<'a> = Box<dyn Fn(usize) -> Option<String> + 'a>;
            let columns: Vec<Text> = batch
                .columns()
                .iter()
                .map(|c| match c.as_any().downcast_ref::<Float64Array>() {
                    Some(f) => Box::new(move |r: usize| {
                        f.is_valid(r)
                            .then(|| crate::data::format::short(f.value(r), lang))
                    }) as Text,
                    None => Box::new(formatter(c.as_ref())),
                })
                .collect();
            (0..batch.num_rows().min(MAX_INSIGHT_ROWS))
                .map(|r| columns.iter().map(|f| f(r).unwrap_or_default()).collect())
                .collect()
        };
        // The profiles and the outliers in words, the features' units
        // from the catalog.
        let units = |catalog| -> Vec<(String, String)> {
            meanings(&before, catalog, lang)
                .into_iter()
                .filter_map(|(column, m)| Some((column, m.unit?)))
                .collect()
        };
        let sentences = match (insight, &self.catalog) {
            (Insight::Profiles, Some(catalog)) => clusters(
                &Table::from_batch(&found.table, MAX_INSIGHT_ROWS),
                &features.columns,
                &units(catalog),
                table.num_rows() as u64,
                lang,
            ),
            (Insight::Outliers, Some(catalog)) => {
                let (flagged, scored) = flag_counts(&table, &made, &flag);
                let scores: Vec<f64> = found
                    .table
                    .column_by_name("score")
                    .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
                    .map(|c| c.values().to_vec())
                    .unwrap_or_default();
                let long = found
                    .long
                    .as_ref()
                    .map_or_else(Table::default, |l| Table::from_batch(l, l.num_rows()));
                outlier_sentences(&long, &scores, flagged, scored, &units(catalog), lang)
            }
            _ => Vec::new(),
        };
        let response = Response::Insight {
            columns: found
                .table
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            rows: text(&found.table),
            total: found.table.num_rows() as u64,
            mark: found.mark,
            suggestion: found.suggestion,
            insight_ms: 0.0,
            sentences,
        };
        for (dataset, batch) in [(INSIGHT, Some(found.table)), (PROFILE, found.long)] {
            self.tables.remove(dataset);
            if let Some(batch) = batch {
                self.keep(analysis_summary(dataset), batch, None);
            }
        }
        Ok(response)
    }
}

/// How many rows of `table` carry the flag `flag`, and how many have a
/// score in `scores`.
fn flag_counts(table: &RecordBatch, scores: &str, flag: &str) -> (u64, u64) {
    let scored = table
        .column_by_name(scores)
        .map_or(0, |c| (c.len() - c.null_count()) as u64);
    let flagged = table
        .column_by_name(flag)
        .and_then(|c| c.as_any().downcast_ref::<arrow::array::BooleanArray>())
        .map_or(0, |c| c.true_count() as u64);
    (flagged, scored)
}
