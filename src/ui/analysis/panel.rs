//! The analysis page's shared state: the recipe in the address, its plan,
//! the runs in the worker and the edits that write a new address.

use leptos::prelude::*;

use crate::data::{Catalog, Lang};
use crate::engine::protocol::{RecipeError, Request, Response, StepOutcome, TableSummary};
use crate::recipe::edit::{self};
use crate::recipe::plan::{self, Schema};
use crate::recipe::{Recipe, Step, url};
use crate::ui::i18n::{AnalysisTexts, analysis_texts};
use crate::ui::route::show_analysis;
use crate::ui::state::{CatalogState, Lab, LoadState};

/// How far a run is: step `step` (from 0) of `steps`, `done` of `total`
/// (rows, epochs or iterations), and a training's loss so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RunProgress {
    pub(crate) step: usize,
    pub(crate) steps: usize,
    pub(crate) done: u64,
    pub(crate) total: u64,
    pub(crate) loss: Option<f64>,
}

/// What the worker said of the last run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ran {
    pub(crate) recipe: Recipe,
    pub(crate) steps: Vec<StepOutcome>,
    pub(crate) error: Option<RecipeError>,
    pub(crate) result: Option<TableSummary>,
    pub(crate) run_ms: f64,
}

/// The page's shared state; `Copy`, so every handler can hold it.
#[derive(Clone, Copy)]
pub(crate) struct Panel {
    pub(crate) lab: Lab,
    pub(crate) lang: RwSignal<Lang>,
    /// The recipe in the address, or why it cannot be read.
    pub(crate) recipe: Memo<Result<Recipe, String>>,
    pub(crate) catalog: Memo<Option<Catalog>>,
    /// The first input's schema, then each step's output, as far as the
    /// recipe checks; and the check's error.
    pub(crate) schemas: Memo<Vec<Schema>>,
    pub(crate) check_error: Memo<Option<(Option<usize>, String)>>,
    pub(crate) ran: RwSignal<Option<Ran>>,
    /// Counts the results kept in `ran` that differ from the one before (a
    /// chart re-draws on each).
    pub(crate) runs: RwSignal<u64>,
    pub(crate) running: RwSignal<bool>,
    /// The recipe whose run the visitor stopped: not run again by itself
    /// (when its inputs come back after the engine restarts, say) until the
    /// recipe changes or the visitor asks.
    pub(crate) stopped: StoredValue<Option<Recipe>>,
    /// How far the run out is.
    pub(crate) progress: RwSignal<Option<RunProgress>>,
    pub(crate) in_flight: StoredValue<bool>,
    pub(crate) wanted: StoredValue<Option<Recipe>>,
    /// `true` while the visitor types in a field: the first keystroke
    /// pushes a history entry, the following ones replace it.
    pub(crate) typing: StoredValue<bool>,
}

/// Opens the inputs `recipe` pins that are not open (tracking their
/// load states); `true` while any is on its way. A failed open is not
/// retried in a loop: the run reports it.
pub(crate) fn open_inputs(lab: Lab, recipe: &Recipe, catalog: &Catalog) -> bool {
    let mut waiting = false;
    for input in &recipe.inputs {
        let key = catalog.table_key(&input.dataset, &input.sha256);
        let state = lab.loads.with(|l| l.get(&key).cloned());
        match state {
            Some(LoadState::Loaded(s)) if s.sha256 == input.sha256 => {}
            Some(LoadState::Loading { .. }) => waiting = true,
            Some(LoadState::Failed(_)) => {}
            _ => {
                if let Some(dataset) = catalog.dataset(&input.dataset)
                    && dataset.version(&input.sha256).is_some()
                {
                    lab.open_input(dataset, &input.sha256);
                    waiting = true;
                }
            }
        }
    }
    waiting
}

impl Panel {
    /// A panel for `recipe`: checks it against the catalog, opens the
    /// inputs it pins and runs it whenever it changes.
    pub(crate) fn start(
        lab: Lab,
        lang: RwSignal<Lang>,
        recipe: Memo<Result<Recipe, String>>,
    ) -> Panel {
        let catalog = Memo::new(move |_| match lab.catalog.get() {
            CatalogState::Loaded(catalog) => Some(catalog),
            _ => None,
        });
        let checked = Memo::new(move |_| {
            let (Ok(recipe), Some(catalog)) = (recipe.get(), catalog.get()) else {
                return (Vec::new(), None);
            };
            match plan::check(&recipe, &catalog) {
                Ok(plan) => (plan.schemas, None),
                Err(e) => (e.schemas, Some((e.error.step(), e.error.to_string()))),
            }
        });
        let panel = Panel {
            lab,
            lang,
            recipe,
            catalog,
            schemas: Memo::new(move |_| checked.with(|c| c.0.clone())),
            check_error: Memo::new(move |_| checked.with(|c| c.1.clone())),
            ran: RwSignal::new(None),
            runs: RwSignal::new(0),
            running: RwSignal::new(false),
            stopped: StoredValue::new(None),
            progress: RwSignal::new(None),
            in_flight: StoredValue::new(false),
            wanted: StoredValue::new(None),
            typing: StoredValue::new(false),
        };
        // Opens the inputs the recipe pins, then runs it.
        Effect::new(move |_| {
            let (Ok(recipe), Some(catalog)) = (recipe.get(), catalog.get()) else {
                return;
            };
            if !lab.engine_ready() {
                return;
            }
            let waiting = open_inputs(lab, &recipe, &catalog);
            let stopped = panel.stopped.with_value(|s| s.as_ref() == Some(&recipe));
            if !waiting && !stopped {
                panel.run(recipe);
            }
        });
        panel
    }

    /// The result of the recipe as it is now, once run.
    pub(crate) fn current(self) -> Memo<Option<Ran>> {
        Memo::new(move |_| {
            self.ran
                .get()
                .filter(|r| Some(&r.recipe) == self.recipe.get().as_ref().ok())
        })
    }

    pub(crate) fn t(self) -> &'static AnalysisTexts {
        analysis_texts(self.lang.get())
    }

    /// Applies `change` to the recipe and shows the result in the address.
    pub(crate) fn edit(self, push: bool, change: impl FnOnce(&mut Recipe)) {
        let Some(mut recipe) = self.recipe.get_untracked().ok() else {
            return;
        };
        change(&mut recipe);
        edit::prune_inputs(&mut recipe);
        if let Ok(link) = url::encode(&recipe) {
            show_analysis(self.lab.route, link, push);
        }
    }

    /// An edit from a text field: the first keystroke of a burst pushes.
    pub(crate) fn type_edit(self, change: impl FnOnce(&mut Recipe)) {
        let push = !self.typing.get_value();
        self.typing.set_value(true);
        self.edit(push, change);
    }

    pub(crate) fn done_typing(self) {
        self.typing.set_value(false);
    }

    /// Changes step `i`: a committed edit (`committed`) pushes a history
    /// entry, typing pushes on its first keystroke and replaces after.
    pub(crate) fn step(self, i: usize, committed: bool, change: impl FnOnce(&mut Step)) {
        let apply = |r: &mut Recipe| {
            if let Some(step) = r.steps.get_mut(i) {
                change(step);
            }
        };
        if committed {
            self.edit(true, apply);
        } else {
            self.type_edit(apply);
        }
    }

    /// The schema step `i` receives (the last known if an earlier step
    /// does not check).
    pub(crate) fn input_schema(self, i: usize) -> Signal<Schema> {
        let schemas = self.schemas;
        Signal::derive(move || schemas.with(|s| s.get(i).or(s.last()).cloned().unwrap_or_default()))
    }

    /// Runs `recipe` in the worker, or keeps it for when the run out ends.
    /// Stops the run out: the engine is restarted (see `Lab::stop_work`).
    pub(crate) fn stop(self) {
        let recipe = self.recipe.get_untracked().ok();
        self.stopped.set_value(recipe);
        self.lab.stop_work();
    }

    /// Runs the stopped recipe again.
    pub(crate) fn run_again(self) {
        self.stopped.set_value(None);
        if let Ok(recipe) = self.recipe.get_untracked() {
            self.run(recipe);
        }
    }

    pub(crate) fn run(self, recipe: Recipe) {
        if self.in_flight.get_value() {
            self.wanted.set_value(Some(recipe));
            return;
        }
        self.in_flight.set_value(true);
        self.running.set(true);
        let asked = recipe.clone();
        self.lab
            .ask(&Request::RunRecipe { recipe }, move |response| {
                // The analysis page was left meanwhile.
                if self.in_flight.is_disposed() {
                    return;
                }
                if let Response::RunProgress {
                    step,
                    steps,
                    done,
                    total,
                    loss,
                } = response
                {
                    self.progress.set(Some(RunProgress {
                        step,
                        steps,
                        done,
                        total,
                        loss,
                    }));
                    return;
                }
                self.progress.set(None);
                self.in_flight.set_value(false);
                if let Some(next) = self.wanted.try_update_value(Option::take).flatten()
                    && next != asked
                {
                    // Stale: a newer edit waits; its run replaces this one.
                    self.run(next);
                    return;
                }
                self.running.set(false);
                let ran = match response {
                    Response::RecipeRan {
                        steps,
                        error,
                        result,
                        run_ms,
                        ..
                    } => Ran {
                        recipe: asked.clone(),
                        steps,
                        error,
                        result,
                        run_ms,
                    },
                    Response::Error { message } => Ran {
                        recipe: asked.clone(),
                        steps: Vec::new(),
                        error: Some(RecipeError {
                            step: None,
                            message,
                        }),
                        result: None,
                        run_ms: 0.0,
                    },
                    _ => return,
                };
                // The same recipe run again (a dataset opened meanwhile, say)
                // gives the same result: the chart keeps its zoom.
                let same = self.ran.with_untracked(|r| {
                    r.as_ref()
                        .is_some_and(|r| r.recipe == ran.recipe && r.result == ran.result)
                });
                self.ran.set(Some(ran));
                if !same {
                    self.runs.update(|n| *n += 1);
                }
            });
    }
}
