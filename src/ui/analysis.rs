//! The analysis page: the recipe panel and its result.
//!
//! The address is the truth: the recipe is decoded from the fragment
//! (`#/analysis/r1.…`) and every edit writes a new fragment (a committed
//! edit pushes a history entry, typing replaces it), so back and forward
//! walk through the edits and a copied address opens the same analysis.
//! The page checks the recipe into a plan itself (the column pickers need
//! each step's input schema at once); the worker opens the inputs, runs
//! the steps and keeps the result, which the preview pages like any table.
//! Only the newest recipe runs: edits made while a run is out wait for it,
//! and its answer is dropped if the recipe changed meanwhile.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::chart::Context;
use crate::data::export::Format;
use crate::data::hash::short_hash;
use crate::data::{Catalog, Lang};
use crate::engine::protocol::{
    INSIGHT, PROFILE, RESULT, RecipeError, Request, Response, StepOutcome, TableSummary,
};
use crate::ml::agglomerative::Linkage;
use crate::ml::features::{ColumnScale, Features, Missing, RowScale};
use crate::ml::insight::Insight;
use crate::ops::derive::{Formula, Operand};
use crate::ops::group::{Aggregate, Measure};
use crate::ops::join::{JoinKind, JoinStats};
use crate::ops::keys::Normalize;
use crate::recipe::edit::{self, Combine, Condition, ConditionOp, StepKind};
use crate::recipe::learn::{Method, Projection};
use crate::recipe::plan::{self, Schema, is_number};
use crate::recipe::{ChartKind, ChartSpec, Comparison, Predicate, Recipe, Step, Value, url};
use crate::ui::app::{CatalogState, Lab, LoadState, Route, show_analysis};
use crate::ui::chart::{Brush, ChartView, SmallChart};
use crate::ui::i18n::{AnalysisTexts, analysis_texts, count, counted, learn_texts, texts};
use crate::ui::preview::Preview;
use crate::ui::share::{CitePanel, EmbedPanel};

const JOIN_KINDS: [JoinKind; 6] = [
    JoinKind::Inner,
    JoinKind::Left,
    JoinKind::Right,
    JoinKind::Full,
    JoinKind::Semi,
    JoinKind::Anti,
];
const NORMALIZE: [Normalize; 4] = [
    Normalize::Exact,
    Normalize::Trim,
    Normalize::Case,
    Normalize::Digits,
];
const AGGREGATES: [Aggregate; 7] = [
    Aggregate::Count,
    Aggregate::Sum,
    Aggregate::Mean,
    Aggregate::Median,
    Aggregate::Min,
    Aggregate::Max,
    Aggregate::CountDistinct,
];

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
    /// How far the run out is: (step, steps, rows done, rows in all).
    pub(crate) progress: RwSignal<Option<(usize, usize, u64, u64)>>,
    pub(crate) in_flight: StoredValue<bool>,
    pub(crate) wanted: StoredValue<Option<Recipe>>,
    /// `true` while the visitor types in a field: the first keystroke
    /// pushes a history entry, the following ones replace it.
    pub(crate) typing: StoredValue<bool>,
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
                Err(e) => (e.schemas, Some((e.step, e.message))),
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
            let mut waiting = false;
            for input in &recipe.inputs {
                let state = lab.loads.with(|l| l.get(&input.dataset).cloned());
                match state {
                    Some(LoadState::Loaded(s)) if s.sha256 == input.sha256 => {}
                    Some(LoadState::Loading { .. }) => waiting = true,
                    // The run reports it (a failed open is not retried in a loop).
                    Some(LoadState::Failed(_)) => {}
                    _ => {
                        if let Some(dataset) = catalog.dataset(&input.dataset)
                            && dataset.version(&input.sha256).is_some()
                        {
                            lab.open_version(dataset, &input.sha256);
                            waiting = true;
                        }
                    }
                }
            }
            if !waiting {
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

    fn t(self) -> &'static AnalysisTexts {
        analysis_texts(self.lang.get())
    }

    /// Applies `change` to the recipe and shows the result in the address.
    fn edit(self, push: bool, change: impl FnOnce(&mut Recipe)) {
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
    fn type_edit(self, change: impl FnOnce(&mut Recipe)) {
        let push = !self.typing.get_value();
        self.typing.set_value(true);
        self.edit(push, change);
    }

    fn done_typing(self) {
        self.typing.set_value(false);
    }

    /// Changes step `i`: a committed edit (`committed`) pushes a history
    /// entry, typing pushes on its first keystroke and replaces after.
    fn step(self, i: usize, committed: bool, change: impl FnOnce(&mut Step)) {
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
    fn input_schema(self, i: usize) -> Signal<Schema> {
        let schemas = self.schemas;
        Signal::derive(move || schemas.with(|s| s.get(i).or(s.last()).cloned().unwrap_or_default()))
    }

    /// Runs `recipe` in the worker, or keeps it for when the run out ends.
    fn run(self, recipe: Recipe) {
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
                } = response
                {
                    self.progress.set(Some((step, steps, done, total)));
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

/// The analysis page.
#[component]
pub fn AnalysisPage() -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let recipe = Memo::new(move |_| {
        lab.route.with(|r| match r {
            Route::Analysis(link) => url::decode(link),
            _ => Err(String::new()),
        })
    });
    let panel = Panel::start(lab, lang, recipe);
    // Only whether the link reads re-renders the page; edits update the
    // parts in place (the chart keeps its canvas, zoom and hover state).
    let readable =
        Memo::new(move |_| recipe.with(|r| r.as_ref().map(|_| ()).map_err(Clone::clone)));
    let body = move || match readable.get() {
        Err(message) => view! {
            <div class="notice error" role="alert" data-testid="analysis-error">
                <p><strong>{move || panel.t().broken_link}</strong></p>
                <p class="detail">{message}</p>
                <p><a href=Route::Home.href()>{move || panel.t().start_again}</a></p>
            </div>
        }
        .into_any(),
        Ok(_) => view! {
            <Inputs panel=panel />
            <StepList panel=panel />
            <ResultView panel=panel />
        }
        .into_any(),
    };
    view! {
        <article class="analysis-page" data-testid="analysis-page">
            <p class="back"><a href=Route::Home.href()>{move || texts(lang.get()).all_datasets}</a></p>
            <h1>{move || panel.t().heading}</h1>
            <p class="muted">{move || panel.t().intro}</p>
            {body}
        </article>
    }
    .into_any()
}

/// The datasets the analysis reads, and how far each is opened.
#[component]
fn Inputs(panel: Panel) -> impl IntoView {
    let lab = panel.lab;
    let lang = panel.lang;
    let items = move || {
        let Ok(recipe) = panel.recipe.get() else {
            return Vec::new();
        };
        let catalog = panel.catalog.get();
        recipe
            .inputs
            .iter()
            .map(|input| {
                let title = catalog
                    .as_ref()
                    .and_then(|c| c.dataset(&input.dataset))
                    .map(|d| d.title.get(lang.get()).to_string())
                    .unwrap_or_else(|| input.dataset.clone());
                let state = lab.loads.with(|l| l.get(&input.dataset).cloned());
                let status = match state {
                    Some(LoadState::Loaded(s)) if s.sha256 == input.sha256 => {
                        counted(s.rows, texts(lang.get()).rows)
                    }
                    Some(LoadState::Failed(m)) => m,
                    _ => panel.t().opening.to_string(),
                };
                let href = Route::Dataset(input.dataset.clone()).href();
                view! {
                    <li data-testid="analysis-input" data-dataset=input.dataset.clone()>
                        <a href=href>{title}</a>
                        " "
                        <span class="muted">
                            {format!("{} {} · ", panel.t().version, short_hash(&input.sha256))}
                            {status}
                        </span>
                    </li>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <h2>{move || panel.t().inputs}</h2>
        <ul class="inputs">{items}</ul>
    }
}

/// A key that changes when a step's form must be rebuilt: its position,
/// kind and the lengths of its lists.
fn shape(i: usize, step: &Step) -> String {
    let detail = match step {
        Step::Filter { predicate } => match edit::conditions(predicate) {
            Some((_, list)) => list.len().to_string(),
            None => "nested".into(),
        },
        Step::Join { spec, .. } => spec.left_on.len().to_string(),
        Step::Cluster { method, .. } => method.index().to_string(),
        Step::Pivot { index, .. } => index.len().to_string(),
        Step::GroupBy { by, measures } => format!("{}/{}", by.len(), measures.len()),
        Step::Derive { formula, .. } => {
            let within = match formula {
                Formula::Share { within, .. } | Formula::Change { within, .. } => within.len(),
                _ => 0,
            };
            let number = matches!(
                formula,
                Formula::Arithmetic {
                    right: Operand::Number(_),
                    ..
                }
            );
            format!("{}/{within}/{number}", edit::formula_choice(formula))
        }
        _ => String::new(),
    };
    format!("{i}:{}:{detail}", step.kind())
}

/// The steps, each with its form, output and diagnostics; and the buttons
/// that add steps.
#[component]
fn StepList(panel: Panel) -> impl IntoView {
    let keys = Memo::new(move |_| {
        panel.recipe.with(|r| match r {
            Ok(r) => r
                .steps
                .iter()
                .enumerate()
                .map(|(i, s)| shape(i, s))
                .collect(),
            Err(_) => Vec::new(),
        })
    });
    let add = move |kind: StepKind| {
        let Some(catalog) = panel.catalog.get_untracked() else {
            return;
        };
        let schema = panel
            .schemas
            .with_untracked(|s| s.last().cloned().unwrap_or_default());
        panel.edit(true, |r| {
            let _ = edit::add_step(r, kind, &schema, &catalog);
        });
    };
    let whole_error = move || {
        let ran = panel.ran.get();
        let from_run = ran
            .and_then(|r| r.error)
            .filter(|e| e.step.is_none())
            .map(|e| e.message);
        let from_check = panel
            .check_error
            .get()
            .filter(|(s, _)| s.is_none())
            .map(|(_, m)| m);
        from_check.or(from_run).map(|m| {
            view! { <p class="notice error" role="alert" data-testid="recipe-error">{m}</p> }
        })
    };
    view! {
        <h2>{move || panel.t().steps}</h2>
        {whole_error}
        <Show when=move || keys.with(Vec::is_empty)>
            <p class="muted">{move || panel.t().no_steps}</p>
        </Show>
        <ol class="steps" data-testid="steps">
            <For each=move || keys.get() key=|k| k.clone() let:key>
                {
                    let i: usize = key.split(':').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    view! { <StepCard panel=panel i=i /> }
                }
            </For>
        </ol>
        <div class="add-step" role="group" aria-label=move || panel.t().add_step>
            <span class="muted">{move || panel.t().add_step}": "</span>
            {StepKind::ALL
                .into_iter()
                .enumerate()
                .map(|(n, kind)| {
                    view! {
                        <button
                            class="small"
                            data-testid=format!("add-{kind:?}").to_lowercase()
                            on:click=move |_| add(kind)
                        >
                            {move || panel.t().kinds[n]}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The label of step kind `step` in the page's language.
fn kind_label(t: &AnalysisTexts, step: &Step) -> &'static str {
    t.kinds[StepKind::of(step).index()]
}

/// Step `i`: its heading and buttons, form, output schema, rows and error.
#[component]
fn StepCard(panel: Panel, i: usize) -> impl IntoView {
    let step = Memo::new(move |_| {
        panel
            .recipe
            .with(|r| r.as_ref().ok().and_then(|r| r.steps.get(i).cloned()))
    });
    let count_steps = move || {
        panel
            .recipe
            .with(|r| r.as_ref().map_or(0, |r| r.steps.len()))
    };
    let Some(initial) = step.get_untracked() else {
        return ().into_any();
    };
    let move_by = move |delta: isize| {
        panel.edit(true, |r| {
            let j = i as isize + delta;
            if j >= 0 && (j as usize) < r.steps.len() {
                r.steps.swap(i, j as usize);
            }
        })
    };
    let remove = move |_| {
        panel.edit(true, |r| {
            if i < r.steps.len() {
                r.steps.remove(i);
            }
        })
    };
    let error = move || {
        let from_check = panel
            .check_error
            .get()
            .filter(|(s, _)| *s == Some(i))
            .map(|(_, m)| m);
        let from_run = panel
            .ran
            .get()
            .and_then(|r| r.error)
            .filter(|e| e.step == Some(i))
            .map(|e| e.message);
        from_check.or(from_run).map(|m| {
            view! { <p class="step-error" role="alert" data-testid="step-error">{m}</p> }
        })
    };
    let output = move || {
        let schema = panel.schemas.with(|s| s.get(i + 1).cloned())?;
        let ran = panel
            .ran
            .get()
            .filter(|r| Some(&r.recipe) == panel.recipe.get().as_ref().ok());
        let outcome = ran.as_ref().and_then(|r| r.steps.get(i).cloned());
        let lang = panel.lang.get();
        let rows = outcome
            .as_ref()
            .and_then(|o| o.rows)
            .map(|n| counted(n, texts(lang).rows));
        let join = outcome.and_then(|o| o.join);
        Some(view! {
            <div class="step-output" data-testid="step-output">
                <p>
                    <span class="muted">{panel.t().output}" → "</span>
                    <strong data-testid="step-rows">{rows.unwrap_or_else(|| "…".into())}</strong>
                    " · "
                    {schema.iter().map(|(n, t)| view! { <code class="column-chip" title=t.clone()>{n.clone()}</code>" " }).collect_view()}
                </p>
                {join.map(|j| view! { <JoinDiagnostics stats=j t=analysis_texts(lang) /> })}
                <details class="step-downloads">
                    <summary>{panel.t().download_step}</summary>
                    <Downloads panel=panel prefix="step-" ask=move |format| panel.recipe.get_untracked().ok().map(|recipe| {
                        Request::ExportStep { recipe, step: i, format }
                    }) />
                </details>
            </div>
        })
    };
    let form = match initial {
        Step::Filter { .. } => view! { <FilterForm panel=panel i=i step=step /> }.into_any(),
        Step::Join { .. } => view! { <JoinForm panel=panel i=i step=step /> }.into_any(),
        Step::GroupBy { .. } => view! { <GroupForm panel=panel i=i step=step /> }.into_any(),
        Step::Sort { .. } => view! { <SortForm panel=panel i=i step=step /> }.into_any(),
        Step::Select { .. } => view! { <SelectForm panel=panel i=i step=step /> }.into_any(),
        Step::Rename { .. } => view! { <RenameForm panel=panel i=i step=step /> }.into_any(),
        Step::Limit { .. } => view! { <LimitForm panel=panel i=i step=step /> }.into_any(),
        Step::Derive { .. } => view! { <DeriveForm panel=panel i=i step=step /> }.into_any(),
        Step::Union { .. } => view! { <UnionForm panel=panel i=i step=step /> }.into_any(),
        Step::Pivot { .. } => view! { <PivotForm panel=panel i=i step=step /> }.into_any(),
        Step::Unpivot { .. } => view! { <UnpivotForm panel=panel i=i step=step /> }.into_any(),
        Step::Cluster { .. } | Step::Project { .. } => {
            view! { <LearnForm panel=panel i=i step=step /> }.into_any()
        }
    };
    view! {
        <li class="step" data-testid="step" data-kind=initial.kind()>
            <header class="step-head">
                <h3>{format!("{}. ", i + 1)}{move || step.get().map(|s| kind_label(panel.t(), &s))}</h3>
                <span class="step-buttons">
                    <button class="small" title=move || panel.t().move_up aria-label=move || panel.t().move_up
                        disabled={move || i == 0} on:click=move |_| move_by(-1)>"↑"</button>
                    <button class="small" title=move || panel.t().move_down aria-label=move || panel.t().move_down
                        disabled={move || i + 1 >= count_steps()} on:click=move |_| move_by(1)>"↓"</button>
                    <button class="small" title=move || panel.t().remove aria-label=move || panel.t().remove
                        data-testid="remove-step" on:click=remove>"✕"</button>
                </span>
            </header>
            <div class="step-form">{form}</div>
            {error}
            {output}
        </li>
    }
    .into_any()
}

/// Buttons that download a table as CSV, as CSV for a Swedish
/// spreadsheet and as Arrow; `ask` is the worker request for a format
/// (`None`: nothing to download).
#[component]
fn Downloads(
    panel: Panel,
    /// Before the buttons' test ids (`download-csv`, …).
    prefix: &'static str,
    ask: impl Fn(Format) -> Option<Request> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let download = move |format: Format| {
        let Some(request) = ask(format) else {
            return;
        };
        panel.lab.ask(&request, move |response| match response {
            _ if error.is_disposed() => {}
            Response::Exported {
                name,
                bytes,
                format,
            } => error.set(save(&name, format.mime(), &bytes).err()),
            Response::Error { message } => error.set(Some(message)),
            _ => {}
        })
    };
    let t = move || panel.t();
    view! {
        <div class="form-row downloads">
            <button class="small" data-testid=format!("{prefix}download-csv") on:click=move |_| download(Format::Csv)>{move || t().download_csv}</button>
            <button class="small" data-testid=format!("{prefix}download-csv-sv") on:click=move |_| download(Format::CsvSv)>{move || t().download_csv_sv}</button>
            <button class="small" data-testid=format!("{prefix}download-arrow") on:click=move |_| download(Format::Arrow)>{move || t().download_arrow}</button>
        </div>
        {move || error.get().map(|m| view! { <p class="notice error" role="alert">{m}</p> })}
    }
}

/// How well a join linked its tables.
#[component]
fn JoinDiagnostics(stats: JoinStats, t: &'static AnalysisTexts) -> impl IntoView {
    // Rounded down, so that 4 655 of 4 660 does not read as all.
    let share = |n: u64, of: u64| {
        n.saturating_mul(1000)
            .checked_div(of)
            .map(|tenths| format!(" ({} %)", tenths as f64 / 10.0))
            .unwrap_or_default()
    };
    let sample = |keys: &[String]| {
        (!keys.is_empty()).then(|| format!("; {} {}", t.unmatched, keys.join(", ")))
    };
    view! {
        <ul class="join-stats" data-testid="join-stats">
            <li data-testid="join-left">
                {t.linked}" "{count(stats.left_matched)}" / "{count(stats.left_rows)}" "{t.left_rows}
                {share(stats.left_matched, stats.left_rows)}{sample(&stats.left_unmatched_sample)}
            </li>
            <li data-testid="join-right">
                {t.linked}" "{count(stats.right_matched)}" / "{count(stats.right_rows)}" "{t.right_rows}
                {share(stats.right_matched, stats.right_rows)}{sample(&stats.right_unmatched_sample)}
            </li>
            {(stats.right_duplicates > 0).then(|| view! {
                <li class="warning" data-testid="join-duplicates">{count(stats.right_duplicates)}" "{t.duplicates}</li>
            })}
        </ul>
    }
}

/// A `<select>` of columns of `schema`, showing `value` (also when it is
/// not among them: the error below says so).
fn column_select(
    panel: Panel,
    label: impl Fn() -> String + Send + Sync + 'static,
    testid: &'static str,
    schema: Signal<Schema>,
    value: Signal<String>,
    on_pick: impl Fn(String) + 'static,
) -> impl IntoView {
    let options = move || {
        let current = value.get();
        let mut list = schema.get();
        if !current.is_empty() && !list.iter().any(|(n, _)| *n == current) {
            list.insert(0, (current.clone(), panel.t().missing.to_string()));
        }
        list.into_iter()
            .map(|(n, t)| {
                let selected = n == current;
                view! { <option value=n.clone() selected=selected>{format!("{n} · {t}")}</option> }
            })
            .collect_view()
    };
    view! {
        <select
            aria-label=label
            data-testid=testid
            prop:value=move || value.get()
            on:change=move |e| on_pick(event_target_value(&e))
        >
            {options}
        </select>
    }
}

/// A `<select>` of fixed choices; `labels[n]` is shown for `choices[n]`.
fn choice_select<T: Copy + PartialEq + Send + Sync + 'static>(
    label: impl Fn() -> String + Send + Sync + 'static,
    testid: &'static str,
    choices: &'static [T],
    labels: impl Fn(usize) -> &'static str + Copy + Send + Sync + 'static,
    value: Signal<T>,
    on_pick: impl Fn(T) + 'static,
) -> impl IntoView {
    view! {
        <select
            aria-label=label
            data-testid=testid
            on:change=move |e| {
                if let Some(choice) = event_target_value(&e).parse::<usize>().ok().and_then(|n| choices.get(n)) {
                    on_pick(*choice);
                }
            }
        >
            {move || {
                let current = value.get();
                choices
                    .iter()
                    .enumerate()
                    .map(|(n, c)| view! { <option value=n.to_string() selected=*c == current>{labels(n)}</option> })
                    .collect_view()
            }}
        </select>
    }
}

/// A text field bound to `value`, which keeps what the visitor typed
/// while it means the same (`same`), so that `12,` is not rewritten to
/// `12` under the cursor.
fn text_field(
    panel: Panel,
    label: impl Fn() -> String + Send + Sync + 'static,
    value: Signal<String>,
    same: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    on_type: impl Fn(String) + 'static,
    testid: &'static str,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Input>::new();
    let shown = move || {
        let wanted = value.get();
        match node.get_untracked() {
            Some(input) if same(&input.value(), &wanted) => input.value(),
            _ => wanted,
        }
    };
    view! {
        <input
            type="text"
            node_ref=node
            aria-label=label
            data-testid=testid
            prop:value=shown
            on:input=move |e| on_type(event_target_value(&e))
            on:change=move |_| panel.done_typing()
            on:blur=move |_| panel.done_typing()
        />
    }
}

/// A filter: conditions combined by all / any.
#[component]
fn FilterForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let form = Memo::new(move |_| match step.get() {
        Some(Step::Filter { predicate }) => edit::conditions(&predicate)
            .map(Ok)
            .unwrap_or_else(|| Err(serde_json::to_string(&predicate).unwrap_or_default())),
        _ => Ok((Combine::All, Vec::new())),
    });
    let set = move |push: bool, change: &dyn Fn(&mut Combine, &mut Vec<Condition>)| {
        let Ok((mut combine, mut list)) = form.get_untracked() else {
            return;
        };
        change(&mut combine, &mut list);
        let predicate = edit::predicate(combine, &list, &schema.get_untracked());
        let apply = move |s: &mut Step| {
            if let Step::Filter { predicate: p } = s {
                *p = predicate;
            }
        };
        panel.step(i, push, apply);
    };
    let Ok((_, initial)) = form.get_untracked() else {
        let json = move || form.get().err().unwrap_or_default();
        return view! {
            <p class="muted">{move || panel.t().nested_filter}</p>
            <pre class="nested">{json}</pre>
        }
        .into_any();
    };
    const COMBINES: [Combine; 2] = [Combine::All, Combine::Any];
    let combine = Signal::derive(move || form.get().map(|f| f.0).unwrap_or(Combine::All));
    let condition = move |n: usize| {
        let get = move || {
            form.get()
                .ok()
                .and_then(|f| f.1.get(n).cloned())
                .unwrap_or(Condition {
                    column: String::new(),
                    op: ConditionOp::Eq,
                    value: String::new(),
                })
        };
        let column_type = move || {
            let c = get().column;
            schema
                .with(|s| s.iter().find(|(n, _)| *n == c).map(|(_, t)| t.clone()))
                .unwrap_or_default()
        };
        view! {
            <div class="condition" data-testid="condition">
                {column_select(
                    panel,
                    move || panel.t().kinds[StepKind::Filter.index()].to_string(),
                    "condition-column",
                    schema,
                    Signal::derive(move || get().column),
                    move |c| set(true, &|_, l| if let Some(x) = l.get_mut(n) { x.column = c.clone() }),
                )}
                {choice_select(
                    move || "op".to_string(),
                    "condition-op",
                    &ConditionOp::ALL,
                    |k| ConditionOp::ALL[k].symbol(),
                    Signal::derive(move || get().op),
                    move |op| set(true, &|_, l| if let Some(x) = l.get_mut(n) { x.op = op }),
                )}
                <Show when=move || get().op.takes_value()>
                    {text_field(
                        panel,
                        move || panel.t().value.to_string(),
                        Signal::derive(move || get().value),
                        move |a, b| {
                            let t = column_type();
                            a.split(';').map(|v| edit::literal(v, &t)).collect::<Vec<_>>()
                                == b.split(';').map(|v| edit::literal(v, &t)).collect::<Vec<_>>()
                        },
                        move |v| set(false, &|_, l| if let Some(x) = l.get_mut(n) { x.value = v.clone() }),
                        "condition-value",
                    )}
                </Show>
                <Show when=move || get().op == ConditionOp::In>
                    <span class="muted small">{move || panel.t().in_hint}</span>
                </Show>
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| set(true, &|_, l| if n < l.len() { l.remove(n); })>"✕"</button>
            </div>
        }
    };
    let add = move |_| {
        let column =
            schema.with_untracked(|s| s.first().map(|(n, _)| n.clone()).unwrap_or_default());
        set(true, &|_, l| {
            l.push(Condition {
                column: column.clone(),
                op: ConditionOp::Eq,
                value: String::new(),
            })
        })
    };
    view! {
        {(0..initial.len()).map(condition).collect_view()}
        <div class="form-row">
            {choice_select(
                move || panel.t().all.to_string(),
                "condition-combine",
                &COMBINES,
                move |k| if k == 0 { panel.t().all } else { panel.t().any },
                combine,
                move |c| set(true, &|x, _| *x = c),
            )}
            <button class="small" data-testid="add-condition" on:click=add>{move || panel.t().add_condition}</button>
        </div>
    }
    .into_any()
}

/// A join: the dataset, the kind, the key pairs and their comparison.
#[component]
fn JoinForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let left = panel.input_schema(i);
    let spec = Memo::new(move |_| match step.get() {
        Some(Step::Join { input, spec }) => Some((input, spec)),
        _ => None,
    });
    // The joined input's dataset and its schema, from the catalog.
    let dataset = Memo::new(move |_| {
        let (input, _) = spec.get()?;
        let recipe = panel.recipe.get().ok()?;
        recipe.inputs.iter().find(|x| x.name == input).cloned()
    });
    let right = Signal::derive(move || {
        let (Some(input), Some(catalog)) = (dataset.get(), panel.catalog.get()) else {
            return Schema::new();
        };
        catalog
            .dataset(&input.dataset)
            .and_then(|d| d.version(&input.sha256))
            .map(|v| {
                v.columns
                    .iter()
                    .map(|c| (c.name.clone(), c.data_type.clone()))
                    .collect()
            })
            .unwrap_or_default()
    });
    let change = move |f: &dyn Fn(&mut crate::ops::join::JoinSpec)| {
        panel.step(i, true, |s| {
            if let Step::Join { spec, .. } = s {
                f(spec);
            }
        })
    };
    let pick_dataset = move |id: String| {
        let (Some(catalog), schema) = (panel.catalog.get_untracked(), left.get_untracked()) else {
            return;
        };
        if let Some(d) = catalog.dataset(&id) {
            let d = d.clone();
            panel.edit(true, |r| edit::set_join_dataset(r, i, &schema, &d));
        }
    };
    let pairs = spec.get_untracked().map_or(0, |(_, s)| s.left_on.len());
    let pair = move |n: usize| {
        let side = move |right_side: bool| {
            Signal::derive(move || {
                spec.get()
                    .and_then(|(_, s)| {
                        let list = if right_side { s.right_on } else { s.left_on };
                        list.get(n).cloned()
                    })
                    .unwrap_or_default()
            })
        };
        view! {
            <div class="form-row key-pair" data-testid="key-pair">
                <span class="muted">{move || panel.t().key_pair}</span>
                {column_select(panel, move || format!("{} {}", panel.t().key_pair, n + 1), "key-left", left, side(false),
                    move |c| change(&|s| if let Some(x) = s.left_on.get_mut(n) { *x = c.clone() }))}
                " = "
                {column_select(panel, move || format!("{} {}", panel.t().key_pair, n + 1), "key-right", right, side(true),
                    move |c| change(&|s| if let Some(x) = s.right_on.get_mut(n) { *x = c.clone() }))}
                {(n > 0).then(|| view! {
                    <button class="small" aria-label=move || panel.t().remove on:click=move |_| change(&|s| {
                        if n < s.left_on.len() { s.left_on.remove(n); }
                        if n < s.right_on.len() { s.right_on.remove(n); }
                    })>"✕"</button>
                })}
            </div>
        }
    };
    let add_pair = move |_| {
        let (l, r) = (left.get_untracked(), right.get_untracked());
        change(&|s| {
            let next = l
                .iter()
                .find(|(n, _)| !s.left_on.contains(n) && r.iter().any(|(m, _)| m == n));
            let name = next.map(|(n, _)| n.clone());
            s.left_on.push(
                name.clone()
                    .or_else(|| l.first().map(|c| c.0.clone()))
                    .unwrap_or_default(),
            );
            s.right_on.push(
                name.or_else(|| r.first().map(|c| c.0.clone()))
                    .unwrap_or_default(),
            );
        })
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().with_dataset}</span>
            <select aria-label=move || panel.t().with_dataset data-testid="join-dataset"
                on:change=move |e| pick_dataset(event_target_value(&e))>
                {dataset_options(panel, move || dataset.get().map(|d| d.dataset).unwrap_or_default())}
            </select>
            {choice_select(
                move || panel.t().join_kind.to_string(),
                "join-kind",
                &JOIN_KINDS,
                move |k| panel.t().join_kinds[k],
                Signal::derive(move || spec.get().map_or(JoinKind::Inner, |(_, s)| s.kind)),
                move |k| change(&|s| s.kind = k),
            )}
        </div>
        {(0..pairs).map(pair).collect_view()}
        <div class="form-row">
            <button class="small" on:click=add_pair>{move || panel.t().add_key}</button>
            <span class="muted">{move || panel.t().compare_keys}</span>
            {choice_select(
                move || panel.t().compare_keys.to_string(),
                "join-normalize",
                &NORMALIZE,
                move |k| panel.t().normalize[k],
                Signal::derive(move || spec.get().map_or(Normalize::Exact, |(_, s)| s.normalize)),
                move |k| change(&|s| s.normalize = k),
            )}
        </div>
    }
}

/// A group-by: key columns and measures.
#[component]
fn GroupForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::GroupBy { by, measures }) => (by, measures),
        _ => (Vec::new(), Vec::new()),
    });
    let change = move |push: bool, f: &dyn Fn(&mut Vec<String>, &mut Vec<Measure>)| {
        let apply = |s: &mut Step| {
            if let Step::GroupBy { by, measures } = s {
                f(by, measures);
            }
        };
        panel.step(i, push, apply);
    };
    let (by_count, measure_count) = parts.with_untracked(|(b, m)| (b.len(), m.len()));
    let key = move |n: usize| {
        view! {
            <span class="group-key" data-testid="group-key">
                {column_select(panel, move || panel.t().group_by.to_string(), "group-column", schema,
                    Signal::derive(move || parts.with(|(b, _)| b.get(n).cloned().unwrap_or_default())),
                    move |c| change(true, &|b, _| if let Some(x) = b.get_mut(n) { *x = c.clone() }))}
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| change(true, &|b, _| if n < b.len() { b.remove(n); })>"✕"</button>
            </span>
        }
    };
    let measure = move |n: usize| {
        let get = move || parts.with(|(_, m)| m.get(n).cloned());
        let aggregate = Signal::derive(move || get().map_or(Aggregate::Count, |m| m.aggregate));
        view! {
            <div class="form-row measure" data-testid="measure">
                {choice_select(move || panel.t().measures.to_string(), "measure-aggregate", &AGGREGATES, move |k| panel.t().aggregates[k], aggregate,
                    move |a| change(true, &|_, m| if let Some(x) = m.get_mut(n) {
                        x.aggregate = a;
                        if a == Aggregate::Count {
                            x.column = None;
                        } else if x.column.is_none() {
                            x.column = schema.with_untracked(|s| {
                                s.iter().find(|(_, t)| is_number(t) || a == Aggregate::CountDistinct)
                                    .map(|(c, _)| c.clone())
                            });
                        }
                    }))}
                <Show when=move || aggregate.get() != Aggregate::Count>
                    {column_select(panel, move || panel.t().measures.to_string(), "measure-column", schema,
                        Signal::derive(move || get().and_then(|m| m.column).unwrap_or_default()),
                        move |c| change(true, &|_, m| if let Some(x) = m.get_mut(n) { x.column = Some(c.clone()) }))}
                </Show>
                <span class="muted">{move || panel.t().name}</span>
                {text_field(panel, move || panel.t().name.to_string(),
                    Signal::derive(move || get().map(|m| m.name).unwrap_or_default()),
                    |a, b| a == b,
                    move |v| change(false, &|_, m| if let Some(x) = m.get_mut(n) { x.name = v.clone() }),
                    "measure-name")}
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| change(true, &|_, m| if n < m.len() { m.remove(n); })>"✕"</button>
            </div>
        }
    };
    let add_key = move |_| {
        let next = schema.with_untracked(|s| s.first().map(|(n, _)| n.clone()).unwrap_or_default());
        change(true, &|b, _| {
            let pick = schema.with_untracked(|s| {
                s.iter()
                    .find(|(n, _)| !b.contains(n))
                    .map(|(n, _)| n.clone())
            });
            b.push(pick.unwrap_or_else(|| next.clone()));
        })
    };
    let add_measure = move |_| {
        let column =
            schema.with_untracked(|s| s.iter().find(|(_, t)| is_number(t)).map(|(n, _)| n.clone()));
        change(true, &|_, m| {
            let name = format!("sum_{}", column.clone().unwrap_or_default());
            let taken = m.iter().any(|x| x.name == name);
            m.push(match &column {
                Some(c) if !taken => Measure {
                    aggregate: Aggregate::Sum,
                    column: Some(c.clone()),
                    name,
                },
                _ => Measure {
                    aggregate: Aggregate::Count,
                    column: None,
                    name: format!("count_{}", m.len() + 1),
                },
            });
        })
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().group_by}</span>
            {(0..by_count).map(key).collect_view()}
            <button class="small" data-testid="add-group" on:click=add_key>{move || panel.t().add_group}</button>
        </div>
        <span class="muted">{move || panel.t().measures}</span>
        {(0..measure_count).map(measure).collect_view()}
        <div class="form-row">
            <button class="small" data-testid="add-measure" on:click=add_measure>{move || panel.t().add_measure}</button>
        </div>
    }
}

/// The value of the right operand's `<select>` that stands for a number.
const NUMBER_OPERAND: &str = "\u{1}number";

/// A derived column: its name and formula.
#[component]
fn DeriveForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::Derive { name, formula }) => Some((name, formula)),
        _ => None,
    });
    let formula = move || parts.get().map(|(_, f)| f);
    let change = move |push: bool, f: &dyn Fn(&mut String, &mut Formula)| {
        let apply = |s: &mut Step| {
            if let Step::Derive { name, formula } = s {
                f(name, formula);
            }
        };
        panel.step(i, push, apply);
    };
    let Some((_, initial)) = parts.get_untracked() else {
        return ().into_any();
    };
    const CHOICES: [usize; edit::FORMULA_CHOICES] = [0, 1, 2, 3, 4, 5, 6, 7];
    let choice = Signal::derive(move || formula().map_or(0, |f| edit::formula_choice(&f)));
    let column = Signal::derive(move || {
        formula()
            .and_then(|f| f.number_columns().first().map(|c| c.to_string()))
            .unwrap_or_default()
    });
    let set_column = move |c: String| {
        change(true, &|_, f| match f {
            Formula::Arithmetic { left, .. } => *left = Operand::Column(c.clone()),
            Formula::Log { column }
            | Formula::Share { column, .. }
            | Formula::Change { column, .. } => *column = c.clone(),
        })
    };
    let right = move || match formula() {
        Some(Formula::Arithmetic { right, .. }) => Some(right),
        _ => None,
    };
    let operand_view = matches!(initial, Formula::Arithmetic { .. }).then(|| {
        let numeric = matches!(
            initial,
            Formula::Arithmetic {
                right: Operand::Number(_),
                ..
            }
        );
        let pick = move |value: String| {
            change(true, &|_, f| {
                if let Formula::Arithmetic { right, .. } = f {
                    *right = if value == NUMBER_OPERAND {
                        Operand::Number(1.0)
                    } else {
                        Operand::Column(value.clone())
                    };
                }
            })
        };
        let options = move || {
            let current = match right() {
                Some(Operand::Column(c)) => c,
                _ => NUMBER_OPERAND.to_string(),
            };
            let mut list: Vec<(String, String)> = schema
                .get()
                .into_iter()
                .filter(|(_, t)| is_number(t))
                .map(|(n, t)| (n.clone(), format!("{n} · {t}")))
                .collect();
            list.push((NUMBER_OPERAND.to_string(), panel.t().number.to_string()));
            list.into_iter()
                .map(|(value, label)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{label}</option> }
                })
                .collect_view()
        };
        view! {
            <select aria-label="b" data-testid="derive-right" on:change=move |e| pick(event_target_value(&e))>
                {options}
            </select>
            {numeric.then(|| text_field(
                panel,
                move || panel.t().number.to_string(),
                Signal::derive(move || match right() {
                    Some(Operand::Number(n)) => n.to_string(),
                    _ => String::new(),
                }),
                |a, b| edit::literal(a, "Float64") == edit::literal(b, "Float64"),
                move |v| {
                    if let crate::recipe::Value::Number(n) = edit::literal(&v, "Float64") {
                        change(false, &|_, f| {
                            if let Formula::Arithmetic { right, .. } = f {
                                *right = Operand::Number(n);
                            }
                        })
                    }
                },
                "derive-number",
            ))}
        }
    });
    let within = |f: &Formula| match f {
        Formula::Share { within, .. } | Formula::Change { within, .. } => within.clone(),
        _ => Vec::new(),
    };
    let within_count = within(&initial).len();
    let groups_view = matches!(initial, Formula::Share { .. } | Formula::Change { .. }).then(|| {
        let set_within = move |f: &dyn Fn(&mut Vec<String>)| {
            change(true, &|_, formula| {
                if let Formula::Share { within, .. } | Formula::Change { within, .. } = formula {
                    f(within);
                }
            })
        };
        let key = move |n: usize| {
            view! {
                <span class="group-key">
                    {column_select(panel, move || panel.t().within.to_string(), "derive-within", schema,
                        Signal::derive(move || formula().map(|f| within(&f)).and_then(|w| w.get(n).cloned()).unwrap_or_default()),
                        move |c| set_within(&|w| if let Some(x) = w.get_mut(n) { *x = c.clone() }))}
                    <button class="small" aria-label=move || panel.t().remove
                        on:click=move |_| set_within(&|w| if n < w.len() { w.remove(n); })>"✕"</button>
                </span>
            }
        };
        let add = move |_| {
            let pick = schema.with_untracked(|s| {
                s.iter().find(|(_, t)| !is_number(t)).or(s.first()).map(|(n, _)| n.clone())
            });
            set_within(&|w| w.push(pick.clone().unwrap_or_default()))
        };
        view! {
            <div class="form-row">
                <span class="muted">{move || panel.t().within}</span>
                {(0..within_count).map(key).collect_view()}
                <button class="small" data-testid="add-within" on:click=add>{move || panel.t().add_within}</button>
            </div>
        }
    });
    let order_view = matches!(initial, Formula::Change { .. }).then(|| {
        view! {
            <span class="muted">{move || panel.t().in_order_of}</span>
            {column_select(panel, move || panel.t().in_order_of.to_string(), "derive-order", schema,
                Signal::derive(move || match formula() {
                    Some(Formula::Change { order, .. }) => order,
                    _ => String::new(),
                }),
                move |c| change(true, &|_, f| if let Formula::Change { order, .. } = f { *order = c.clone() }))}
        }
    });
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().name}</span>
            {text_field(panel, move || panel.t().name.to_string(),
                Signal::derive(move || parts.get().map(|(n, _)| n).unwrap_or_default()),
                |a, b| a == b,
                move |v| change(false, &|name, _| *name = v.clone()),
                "derive-name")}
            " = "
            {choice_select(
                move || panel.t().kinds[StepKind::Derive.index()].to_string(),
                "derive-formula",
                &CHOICES,
                move |k| panel.t().formulas[k],
                choice,
                move |c| {
                    let schema = schema.get_untracked();
                    change(true, &|_, f| *f = edit::with_formula_choice(f, c, &schema))
                },
            )}
        </div>
        <div class="form-row">
            {column_select(panel, move || "a".to_string(), "derive-column", Signal::derive(move || {
                schema.get().into_iter().filter(|(_, t)| is_number(t)).collect()
            }), column, set_column)}
            {operand_view}
            {order_view}
        </div>
        {groups_view}
    }
    .into_any()
}

/// The datasets of the catalog as `<option>`s, `current` selected.
fn dataset_options(
    panel: Panel,
    current: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let current = current();
        let lang = panel.lang.get();
        panel.catalog.get().map(|c| {
            c.datasets
                .iter()
                .map(|d| {
                    view! {
                        <option value=d.id.clone() selected=d.id == current>{d.title.get(lang).to_string()}</option>
                    }
                })
                .collect_view()
        })
    }
}

/// A union: the dataset whose rows are appended.
#[component]
fn UnionForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let current = move || {
        let Some(Step::Union { input }) = step.get() else {
            return String::new();
        };
        panel
            .recipe
            .with(|r| {
                r.as_ref().ok().and_then(|r| {
                    r.inputs
                        .iter()
                        .find(|x| x.name == input)
                        .map(|x| x.dataset.clone())
                })
            })
            .unwrap_or_default()
    };
    let pick = move |id: String| {
        let Some(catalog) = panel.catalog.get_untracked() else {
            return;
        };
        if let Some(d) = catalog.dataset(&id).cloned() {
            panel.edit(true, |r| edit::set_union_dataset(r, i, &d));
        }
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().append_rows_of}</span>
            <select aria-label=move || panel.t().append_rows_of data-testid="union-dataset"
                on:change=move |e| pick(event_target_value(&e))>
                {dataset_options(panel, current)}
            </select>
        </div>
    }
}

/// The aggregates a pivot computes, as places in `AGGREGATES`.
const PIVOT_AGGREGATES: [Aggregate; 5] = [
    Aggregate::Count,
    Aggregate::Sum,
    Aggregate::Mean,
    Aggregate::Min,
    Aggregate::Max,
];

/// An edit of a pivot's index, column, values, keys and aggregate.
type PivotChange<'a> =
    dyn Fn(&mut Vec<String>, &mut String, &mut String, &mut Vec<String>, &mut Aggregate) + 'a;

/// A pivot: rows per index, a column per listed value.
#[component]
fn PivotForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::Pivot {
            index,
            column,
            values,
            keys,
            aggregate,
        }) => Some((index, column, values, keys, aggregate)),
        _ => None,
    });
    let Some((initial_index, _, _, initial_keys, _)) = parts.get_untracked() else {
        return ().into_any();
    };
    let change = move |push: bool, f: &PivotChange<'_>| {
        let apply = |s: &mut Step| {
            if let Step::Pivot {
                index,
                column,
                values,
                keys,
                aggregate,
            } = s
            {
                f(index, column, values, keys, aggregate);
            }
        };
        panel.step(i, push, apply);
    };
    let problem = RwSignal::new(None::<String>);
    // Fills the new columns with the values of the pivoted column.
    let fill = move |push: bool| {
        let (Ok(recipe), Some((_, column, ..))) =
            (panel.recipe.get_untracked(), parts.get_untracked())
        else {
            return;
        };
        let request = Request::Distinct {
            recipe,
            step: i,
            column,
            limit: 200,
        };
        panel.lab.ask(&request, move |response| match response {
            _ if problem.is_disposed() => {}
            Response::Distinct { values, more } => {
                problem.set(more.then(|| format!("{} …", values.len())));
                if push {
                    change(true, &|_, _, _, k, _| *k = values.clone());
                } else {
                    panel.edit(false, |r| {
                        if let Some(Step::Pivot { keys, .. }) = r.steps.get_mut(i) {
                            *keys = values.clone();
                        }
                    });
                }
            }
            Response::Error { message } => problem.set(Some(message)),
            _ => {}
        });
    };
    if initial_keys.is_empty() {
        fill(false);
    }
    let key = move |n: usize| {
        view! {
            <span class="group-key">
                {column_select(panel, move || panel.t().one_row_per.to_string(), "pivot-index", schema,
                    Signal::derive(move || parts.get().and_then(|p| p.0.get(n).cloned()).unwrap_or_default()),
                    move |c| change(true, &|x, _, _, _, _| if let Some(v) = x.get_mut(n) { *v = c.clone() }))}
                <button class="small" aria-label=move || panel.t().remove
                    on:click=move |_| change(true, &|x, _, _, _, _| if n < x.len() { x.remove(n); })>"✕"</button>
            </span>
        }
    };
    let add_key = move |_| {
        let pick = schema.with_untracked(|s| s.first().map(|(n, _)| n.clone()).unwrap_or_default());
        change(true, &|x, _, _, _, _| x.push(pick.clone()))
    };
    let aggregate = Signal::derive(move || parts.get().map_or(Aggregate::Sum, |p| p.4));
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().one_row_per}</span>
            {(0..initial_index.len()).map(key).collect_view()}
            <button class="small" on:click=add_key>{move || panel.t().add_group}</button>
        </div>
        <div class="form-row">
            <span class="muted">{move || panel.t().pivot_column}</span>
            {column_select(panel, move || panel.t().pivot_column.to_string(), "pivot-column", schema,
                Signal::derive(move || parts.get().map(|p| p.1).unwrap_or_default()),
                move |c| {
                    change(true, &|_, column, _, _, _| *column = c.clone());
                    fill(false);
                })}
            {choice_select(move || panel.t().measures.to_string(), "pivot-aggregate", &PIVOT_AGGREGATES,
                move |k| {
                    let at = AGGREGATES.iter().position(|a| *a == PIVOT_AGGREGATES[k]).unwrap_or(0);
                    panel.t().aggregates[at]
                },
                aggregate,
                move |a| change(true, &|_, _, _, _, x| *x = a))}
            <span class="muted">{move || panel.t().pivot_values}</span>
            {column_select(panel, move || panel.t().pivot_values.to_string(), "pivot-values", schema,
                Signal::derive(move || parts.get().map(|p| p.2).unwrap_or_default()),
                move |c| change(true, &|_, _, values, _, _| *values = c.clone()))}
        </div>
        <div class="form-row">
            <label class="field grow">
                <span class="muted">{move || panel.t().new_columns}</span>
                {text_field(panel, move || panel.t().new_columns.to_string(),
                    Signal::derive(move || parts.get().map(|p| p.3.join("; ")).unwrap_or_default()),
                    |a, b| split_list(a) == split_list(b),
                    move |v| change(false, &|_, _, _, keys, _| *keys = split_list(&v)),
                    "pivot-keys")}
            </label>
            <button class="small" data-testid="pivot-fill" on:click=move |_| fill(true)>{move || panel.t().all_values}</button>
            {move || problem.get().map(|p| view! { <span class="muted">{p}</span> })}
        </div>
    }
    .into_any()
}

/// A `;`-separated list, trimmed, without empty entries.
fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// An unpivot: the columns that become rows, and the two new names.
#[component]
fn UnpivotForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let parts = Memo::new(move |_| match step.get() {
        Some(Step::Unpivot {
            columns,
            name,
            value,
        }) => (columns, name, value),
        _ => (Vec::new(), String::new(), String::new()),
    });
    let toggle = move |column: String, on: bool| {
        let order = schema.get_untracked();
        panel.step(i, true, |s| {
            if let Step::Unpivot { columns, .. } = s {
                columns.retain(|c| *c != column);
                if on {
                    columns.push(column.clone());
                    columns.sort_by_key(|c| {
                        order.iter().position(|(n, _)| n == c).unwrap_or(usize::MAX)
                    });
                }
            }
        })
    };
    let rename = move |which: bool, v: String| {
        panel.step(i, false, |s| {
            if let Step::Unpivot { name, value, .. } = s {
                if which {
                    *name = v.clone()
                } else {
                    *value = v.clone()
                }
            }
        })
    };
    view! {
        <div class="form-row checks">
            {move || schema.get().into_iter().map(|(n, t)| {
                let column = n.clone();
                let checked = parts.with(|p| p.0.contains(&n));
                view! {
                    <label class="check" title=t>
                        <input type="checkbox" prop:checked=checked
                            on:change=move |e| toggle(column.clone(), event_target_checked(&e)) />
                        <code>{n}</code>
                    </label>
                }
            }).collect_view()}
        </div>
        <div class="form-row">
            <span class="muted">{move || panel.t().name_into}</span>
            {text_field(panel, move || panel.t().name_into.to_string(), Signal::derive(move || parts.get().1), |a, b| a == b,
                move |v| rename(true, v), "unpivot-name")}
            <span class="muted">{move || panel.t().value_into}</span>
            {text_field(panel, move || panel.t().value_into.to_string(), Signal::derive(move || parts.get().2), |a, b| a == b,
                move |v| rename(false, v), "unpivot-value")}
        </div>
    }
}

#[component]
fn SortForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let get = move || match step.get() {
        Some(Step::Sort { column, descending }) => (column, descending),
        _ => (String::new(), false),
    };
    let change = move |f: &dyn Fn(&mut String, &mut bool)| {
        panel.step(i, true, |s| {
            if let Step::Sort { column, descending } = s {
                f(column, descending);
            }
        })
    };
    view! {
        <div class="form-row">
            {column_select(panel, move || panel.t().kinds[StepKind::Sort.index()].to_string(), "sort-column", schema, Signal::derive(move || get().0),
                move |c| change(&|col, _| *col = c.clone()))}
            <label class="check">
                <input type="checkbox" data-testid="sort-descending" prop:checked=move || get().1
                    on:change=move |e| { let on = event_target_checked(&e); change(&|_, d| *d = on) } />
                {move || panel.t().descending}
            </label>
        </div>
    }
}

#[component]
fn SelectForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let chosen = move || match step.get() {
        Some(Step::Select { columns }) => columns,
        _ => Vec::new(),
    };
    let toggle = move |name: String, on: bool| {
        let order = schema.get_untracked();
        panel.step(i, true, |s| {
            if let Step::Select { columns } = s {
                columns.retain(|c| *c != name);
                if on {
                    columns.push(name.clone());
                    // Keep the table's order among those chosen from it.
                    columns.sort_by_key(|c| {
                        order.iter().position(|(n, _)| n == c).unwrap_or(usize::MAX)
                    });
                }
            }
        })
    };
    view! {
        <div class="form-row checks">
            {move || schema.get().into_iter().map(|(n, t)| {
                let name = n.clone();
                let checked = chosen().contains(&n);
                view! {
                    <label class="check" title=t>
                        <input type="checkbox" prop:checked=checked
                            on:change=move |e| toggle(name.clone(), event_target_checked(&e)) />
                        <code>{n}</code>
                    </label>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn RenameForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let get = move || match step.get() {
        Some(Step::Rename { from, to }) => (from, to),
        _ => (String::new(), String::new()),
    };
    view! {
        <div class="form-row">
            {column_select(panel, move || panel.t().kinds[StepKind::Rename.index()].to_string(), "rename-from", schema, Signal::derive(move || get().0),
                move |c| panel.step(i, true, |s| if let Step::Rename { from, .. } = s { *from = c.clone() }))}
            " → "
            {text_field(panel, move || panel.t().new_name.to_string(), Signal::derive(move || get().1), |a, b| a == b,
                move |v| panel.step(i, false, |s| if let Step::Rename { to, .. } = s { *to = v.clone() }),
                "rename-to")}
        </div>
    }
}

#[component]
fn LimitForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let get = move || match step.get() {
        Some(Step::Limit { rows }) => rows.to_string(),
        _ => String::new(),
    };
    view! {
        <div class="form-row">
            <span class="muted">{move || panel.t().first_rows}</span>
            {text_field(panel, move || panel.t().first_rows.to_string(), Signal::derive(get),
                |a, b| a.trim().parse::<u64>().ok() == b.trim().parse::<u64>().ok(),
                move |v| {
                    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                    if let Ok(n) = digits.parse::<u64>() {
                        panel.step(i, false, |s| if let Step::Limit { rows } = s { *rows = n });
                    }
                },
                "limit-rows")}
        </div>
    }
}

const MISSING: [Missing; 3] = [Missing::Drop, Missing::Mean, Missing::Median];
const SCALES: [ColumnScale; 4] = [
    ColumnScale::None,
    ColumnScale::ZScore,
    ColumnScale::MinMax,
    ColumnScale::Log1p,
];
const ROW_SCALES: [RowScale; 3] = [RowScale::None, RowScale::Mean, RowScale::IndexFirst];
const METHODS: [usize; Method::COUNT] = [0, 1, 2, 3];
const COMPONENTS: [u8; 3] = [1, 2, 3];
const PROJECTIONS: [usize; 2] = [0, 1];

fn features_mut(step: &mut Step) -> Option<&mut Features> {
    match step {
        Step::Cluster { features, .. } | Step::Project { features, .. } => Some(features),
        _ => None,
    }
}

/// A field of a cluster step's method: `get` shows it, `set` reads what
/// is typed into a new method (`None`: not a value, nothing changes).
fn method_field(
    panel: Panel,
    i: usize,
    method: Memo<Option<Method>>,
    label: &'static str,
    testid: &'static str,
    get: fn(&Method) -> Option<String>,
    set: fn(&Method, &str) -> Option<Method>,
) -> impl IntoView {
    let read = move |text: &str| method.get_untracked().and_then(|m| set(&m, text));
    view! {
        <span class="muted">{label}</span>
        {text_field(panel, move || label.to_string(),
            Signal::derive(move || method.get().as_ref().and_then(get).unwrap_or_default()),
            move |a, b| read(a) == read(b),
            move |v| if let Some(new) = read(&v) {
                panel.step(i, false, move |s| if let Step::Cluster { method, .. } = s { *method = new });
            },
            testid)}
    }
}

/// A cluster or project step: the features (number columns, missing
/// values, scaling of columns and rows), then the method and its
/// parameters, or the number of components.
#[component]
fn LearnForm(panel: Panel, i: usize, step: Memo<Option<Step>>) -> impl IntoView {
    let schema = panel.input_schema(i);
    let t = move || learn_texts(panel.lang.get());
    let features = Memo::new(move |_| match step.get() {
        Some(Step::Cluster { features, .. } | Step::Project { features, .. }) => features,
        _ => Features::default(),
    });
    let set = move |change: Box<dyn FnOnce(&mut Features)>| {
        panel.step(i, true, move |s| {
            if let Some(f) = features_mut(s) {
                change(f)
            }
        })
    };
    let toggle = move |column: String, on: bool| {
        let order = schema.get_untracked();
        set(Box::new(move |f| {
            f.columns.retain(|c| *c != column);
            if on {
                f.columns.push(column.clone());
                f.columns
                    .sort_by_key(|c| order.iter().position(|(n, _)| n == c).unwrap_or(usize::MAX));
            }
        }))
    };
    let cluster = move || matches!(step.get(), Some(Step::Cluster { .. }));
    let projection = Memo::new(move |_| match step.get() {
        Some(Step::Project { method, .. }) => method,
        _ => Projection::Pca,
    });
    let method = Memo::new(move |_| match step.get() {
        Some(Step::Cluster { method, .. }) => Some(method),
        _ => None,
    });
    let method_params = move || {
        let t = t();
        let k = method.get().and_then(|m| m.k()).map(|_| {
            method_field(
                panel,
                i,
                method,
                t.k,
                "cluster-k",
                |m| m.k().map(|k| k.to_string()),
                |m, v| v.trim().parse::<usize>().ok().and_then(|k| m.with_k(k)),
            )
        });
        let seed = method.get().and_then(|m| m.seed()).map(|_| {
            method_field(
                panel,
                i,
                method,
                t.seed,
                "cluster-seed",
                |m| m.seed().map(|s| s.to_string()),
                |m, v| v.trim().parse::<u64>().ok().and_then(|s| m.with_seed(s)),
            )
        });
        let detail = match method.get() {
            Some(Method::Dbscan { .. }) => view! {
                {method_field(panel, i, method, t.eps, "cluster-eps",
                    |m| match m { Method::Dbscan { eps, .. } => Some(eps.to_string()), _ => None },
                    |m, v| match (m, v.trim().replace(',', ".").parse::<f64>()) {
                        (Method::Dbscan { min_points, .. }, Ok(eps)) if eps.is_finite() => Some(Method::Dbscan { eps, min_points: *min_points }),
                        _ => None,
                    })}
                {method_field(panel, i, method, t.min_points, "cluster-min-points",
                    |m| match m { Method::Dbscan { min_points, .. } => Some(min_points.to_string()), _ => None },
                    |m, v| match (m, v.trim().parse::<usize>()) {
                        (Method::Dbscan { eps, .. }, Ok(min_points)) => Some(Method::Dbscan { eps: *eps, min_points }),
                        _ => None,
                    })}
            }.into_any(),
            Some(Method::Agglomerative { .. }) => choice_select(move || t.linkage.to_string(), "cluster-linkage", &Linkage::ALL,
                move |n| t.linkages[n],
                Signal::derive(move || match method.get() { Some(Method::Agglomerative { linkage, .. }) => linkage, _ => Linkage::Ward }),
                move |l| panel.step(i, true, move |s| if let Step::Cluster { method: Method::Agglomerative { linkage, .. }, .. } = s { *linkage = l })).into_any(),
            _ => ().into_any(),
        };
        view! { {k} {seed} {detail} }
    };
    view! {
        <div class="form-row"><span class="muted">{move || t().features}</span></div>
        <div class="form-row checks">
            {move || schema.get().into_iter().filter(|(_, ty)| is_number(ty)).map(|(n, ty)| {
                let column = n.clone();
                let checked = features.with(|f| f.columns.contains(&n));
                view! {
                    <label class="check" title=ty>
                        <input type="checkbox" data-testid="feature" prop:checked=checked
                            on:change=move |e| toggle(column.clone(), event_target_checked(&e)) />
                        <code>{n}</code>
                    </label>
                }
            }).collect_view()}
        </div>
        <div class="form-row">
            {choice_select(move || t().missing.to_string(), "features-missing", &MISSING, move |n| t().missing_choices[n],
                Signal::derive(move || features.get().missing), move |m| set(Box::new(move |f| f.missing = m)))}
            {choice_select(move || t().scale.to_string(), "features-scale", &SCALES, move |n| t().scale_choices[n],
                Signal::derive(move || features.get().scale), move |m| set(Box::new(move |f| f.scale = m)))}
            {choice_select(move || t().row_scale.to_string(), "features-row-scale", &ROW_SCALES, move |n| t().row_scale_choices[n],
                Signal::derive(move || features.get().row_scale), move |m| set(Box::new(move |f| f.row_scale = m)))}
        </div>
        <Show when=cluster>
            <div class="form-row">
                {choice_select(move || t().method.to_string(), "cluster-method", &METHODS, move |n| t().methods[n],
                    Signal::derive(move || method.get().map_or(0, |m| m.index())),
                    move |m| panel.step(i, true, move |s| if let Step::Cluster { method, .. } = s {
                        *method = method.switch(m);
                    }))}
                {method_params}
                <span class="muted">{move || t().name}</span>
                {text_field(panel, move || t().name.to_string(),
                    Signal::derive(move || match step.get() { Some(Step::Cluster { name, .. }) => name, _ => String::new() }),
                    |a, b| a == b,
                    move |v| panel.step(i, false, |s| if let Step::Cluster { name, .. } = s { *name = v.clone() }),
                    "cluster-name")}
            </div>
            <InsightPanel panel=panel i=i method=method />
        </Show>
        <Show when=move || !cluster()>
            <div class="form-row">
                {choice_select(move || t().projection.to_string(), "project-method", &PROJECTIONS, move |n| t().projections[n],
                    Signal::derive(move || usize::from(!projection.get().is_pca())),
                    move |m| panel.step(i, true, move |s| if let Step::Project { method, prefix, .. } = s {
                        *method = if m == 0 { Projection::Pca } else { Projection::Tsne { perplexity: 30.0, seed: 1 } };
                        // The default names follow the method.
                        match (m, prefix.as_str()) {
                            (1, "pc") => *prefix = "tsne".into(),
                            (0, "tsne") => *prefix = "pc".into(),
                            _ => {}
                        }
                    }))}
                {move || match projection.get() {
                    Projection::Tsne { .. } => Some(view! {
                        <span class="muted">{move || t().perplexity}</span>
                        {text_field(panel, move || t().perplexity.to_string(),
                            Signal::derive(move || match projection.get() { Projection::Tsne { perplexity, .. } => perplexity.to_string(), _ => String::new() }),
                            |a, b| a == b,
                            move |v| if let Ok(p) = v.trim().replace(',', ".").parse::<f64>() {
                                panel.step(i, false, move |s| if let Step::Project { method: Projection::Tsne { perplexity, .. }, .. } = s { *perplexity = p })
                            },
                            "project-perplexity")}
                    }),
                    Projection::Pca => None,
                }}
                {choice_select(move || t().components.to_string(), "project-components", &COMPONENTS, |n| ["1", "2", "3"][n],
                    Signal::derive(move || match step.get() { Some(Step::Project { components, .. }) => components, _ => 2 }),
                    move |c| panel.step(i, true, move |s| if let Step::Project { components, .. } = s { *components = c }))}
                <span class="muted">{move || t().prefix}</span>
                {text_field(panel, move || t().prefix.to_string(),
                    Signal::derive(move || match step.get() { Some(Step::Project { prefix, .. }) => prefix, _ => String::new() }),
                    |a, b| a == b,
                    move |v| panel.step(i, false, |s| if let Step::Project { prefix, .. } = s { *prefix = v.clone() }),
                    "project-prefix")}
            </div>
        </Show>
    }
}

/// The result: its size, downloads, the link, and the preview.
#[component]
fn ResultView(panel: Panel) -> impl IntoView {
    let lab = panel.lab;
    let current = panel.current();
    let result = Memo::new(move |_| current.get().and_then(|r| r.result));
    let status = move || {
        let lang = panel.lang.get();
        let t = panel.t();
        if panel.running.get() || (current.get().is_none() && panel.recipe.with(Result::is_ok)) {
            return match panel.progress.get() {
                Some((step, steps, done, total)) if steps > 0 => {
                    let percent = (done * 100).checked_div(total).unwrap_or(0).min(100);
                    format!(
                        "{} {} {} {} {steps} · {percent} %",
                        t.running,
                        t.step,
                        step + 1,
                        t.of
                    )
                }
                _ => t.running.to_string(),
            };
        }
        match current.get() {
            Some(Ran {
                result: Some(s),
                run_ms,
                ..
            }) => format!(
                "{} × {} · {} {} ms",
                counted(s.rows, texts(lang).rows),
                counted(s.columns.len() as u64, texts(lang).columns),
                t.ran_in,
                run_ms.round()
            ),
            _ => String::new(),
        }
    };
    let link = move || lab.route.with(|r| r.href());
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&link());
            copied.set(true);
        }
    };
    Effect::new(move |_| {
        lab.route.track();
        copied.set(false);
    });
    view! {
        <h2>{move || panel.t().result}</h2>
        <p
            class="result-status"
            data-testid="result-status"
            data-run-ms=move || current.get().filter(|r| r.result.is_some()).map(|r| r.run_ms.to_string())
            aria-live="polite"
        >
            {status}
        </p>
        <div class="form-row share">
            <label class="field grow">
                <span class="muted">{move || panel.t().link}</span>
                <input type="text" readonly data-testid="analysis-link" prop:value=link
                    on:focus=move |e| {
                        if let Some(input) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    } />
            </label>
            <button class="small" data-testid="copy-link" on:click=copy>
                {move || if copied.get() { panel.t().copied } else { panel.t().copy }}
            </button>
        </div>
        <div class="share-panels">
            <EmbedPanel panel=panel />
            <CitePanel panel=panel />
        </div>
        <Show when=move || result.with(Option::is_some)>
            <Downloads panel=panel prefix="" ask=move |format| Some(Request::Export { dataset: RESULT.into(), format }) />
        </Show>
        <ChartView
            lab=lab
            lang=panel.lang
            spec=Signal::derive(move || panel.recipe.with(|r| r.as_ref().map(|r| r.chart.clone()).unwrap_or_default()))
            schema=Signal::derive(move || panel.schemas.with(|s| s.last().cloned().unwrap_or_default()))
            result=Signal::derive(move || result.with(Option::is_some).then(|| panel.runs.get()))
            context=Signal::derive(move || chart_context(panel))
            stem=Signal::derive(move || panel.recipe.with(|r| r.as_ref().ok().and_then(|r| r.inputs.first()).map(|i| i.dataset.clone()).unwrap_or_else(|| "analysis".into())))
            on_spec=Callback::new(move |chart: ChartSpec| panel.edit(true, move |r| r.chart = chart))
            on_filter=Callback::new(move |(x, y, (x0, x1, y0, y1)): (String, String, Brush)| {
                panel.edit(true, move |r| r.steps.push(brush_filter(&x, &y, x0, x1, y0, y1)))
            })
        />
        {move || result.get().map(|summary| view! { <div class="result" class:stale=move || panel.running.get()><Preview summary=summary /></div> })}
    }
}

/// An insight's answer as the page keeps it.
#[derive(Clone, PartialEq)]
struct Answer {
    insight: Insight,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    total: u64,
    suggestion: Option<f64>,
    mark: Option<f64>,
}

/// Help with a cluster step: inertia and silhouette over k = 2…10 (the
/// elbow) with the best k, the k-distance curve with a suggested eps, and
/// the profiles of the clusters found (a heatmap and a table). A found
/// value is one click from the step.
#[component]
fn InsightPanel(panel: Panel, i: usize, method: Memo<Option<Method>>) -> impl IntoView {
    let t = move || learn_texts(panel.lang.get());
    let answer = RwSignal::new(None::<Result<Answer, String>>);
    let busy = RwSignal::new(false);
    let ask = move |insight: Insight| {
        let Ok(recipe) = panel.recipe.get_untracked() else {
            return;
        };
        // Members are listed by the chart's label, else the first text column.
        let member = recipe.chart.label.clone().or_else(|| {
            panel
                .input_schema(i)
                .get_untracked()
                .into_iter()
                .find(|(_, ty)| ty == "Utf8")
                .map(|(n, _)| n)
        });
        busy.set(true);
        let request = Request::Insight {
            recipe,
            step: i,
            insight: insight.clone(),
            member,
            lang: panel.lang.get_untracked(),
        };
        panel.lab.ask(&request, move |response| {
            if busy.is_disposed() {
                return;
            }
            match response {
                Response::Insight {
                    columns,
                    rows,
                    total,
                    mark,
                    suggestion,
                    ..
                } => {
                    busy.set(false);
                    answer.set(Some(Ok(Answer {
                        insight: insight.clone(),
                        columns,
                        rows,
                        total,
                        suggestion,
                        mark,
                    })));
                }
                Response::Error { message } => {
                    busy.set(false);
                    answer.set(Some(Err(message)));
                }
                _ => {}
            }
        });
    };
    let min_points = move || match method.get_untracked() {
        Some(Method::Dbscan { min_points, .. }) => min_points.max(2),
        _ => 4,
    };
    let line = |x: &str, y: &str, title: String, mark: Option<f64>| ChartSpec {
        kind: ChartKind::Line,
        x: Some(x.into()),
        y: Some(y.into()),
        title: Some(title),
        mark_x: mark,
        ..ChartSpec::default()
    };
    let charts = move || {
        let t = t();
        let Some(Ok(a)) = answer.get() else {
            return Vec::new();
        };
        match a.insight {
            Insight::ChooseK { .. } => vec![
                (INSIGHT, line("k", "inertia", t.inertia.into(), a.mark)),
                (
                    INSIGHT,
                    line("k", "silhouette", t.silhouette.into(), a.mark),
                ),
            ],
            Insight::KDistance { .. } => vec![(
                INSIGHT,
                line("rank", "distance", t.k_distance_title.into(), a.mark),
            )],
            Insight::Profiles => vec![(
                PROFILE,
                ChartSpec {
                    kind: ChartKind::Heatmap,
                    x: Some("feature".into()),
                    y: Some("cluster".into()),
                    value: Some("difference_sd".into()),
                    title: Some(t.profiles_title.into()),
                    ..ChartSpec::default()
                },
            )],
        }
    };
    let context = Signal::derive(move || chart_context(panel));
    let summary = move || {
        let t = t();
        let a = answer.get()?.ok()?;
        let v = a.suggestion?;
        let current = method.get()?;
        // The step with the suggested value, when it differs.
        let (text, changed) = match a.insight {
            Insight::ChooseK { .. } => (
                format!("{} {v}", t.best_k),
                current.with_k(v as usize).filter(|m| *m != current),
            ),
            Insight::KDistance { .. } => {
                let eps = round_for_link(v);
                let text = format!(
                    "{} {}",
                    t.suggested_eps,
                    crate::chart::format::short(eps, panel.lang.get_untracked())
                );
                match current {
                    Method::Dbscan { min_points, .. } => {
                        (text, Some(Method::Dbscan { eps, min_points }))
                    }
                    _ => (text, None),
                }
            }
            Insight::Profiles => return None,
        };
        Some(view! {
            <p data-testid="insight-suggestion">{text}" "
                {changed.map(|new| view! {
                    <button data-testid="insight-apply" on:click=move |_| {
                        let new = new.clone();
                        panel.step(i, true, move |s| if let Step::Cluster { method, .. } = s { *method = new })
                    }>{t.apply}</button>
                })}
            </p>
        })
    };
    let table = move || {
        let a = answer.get()?.ok()?;
        Some(view! {
            <div class="table-scroll">
                <table class="chart-data" data-testid="insight-table">
                    <caption>{format!("{} / {}", a.rows.len(), a.total)}</caption>
                    <thead><tr>{a.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>{a.rows.into_iter().map(|r| view! { <tr>{r.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}</tr> }).collect_view()}</tbody>
                </table>
            </div>
        })
    };
    view! {
        <div class="form-row insight-buttons">
            <span class="muted">{move || t().explore}</span>
            <button data-testid="insight-choose-k" disabled=move || busy.get()
                on:click=move |_| ask(Insight::ChooseK { from: 2, to: 10 })>{move || t().choose_k}</button>
            <button data-testid="insight-k-distance" disabled=move || busy.get()
                on:click=move |_| ask(Insight::KDistance { k: min_points() })>{move || t().k_distance}</button>
            <button data-testid="insight-profiles" disabled=move || busy.get()
                on:click=move |_| ask(Insight::Profiles)>{move || t().profiles}</button>
            {move || busy.get().then(|| view! { <span class="muted" role="status">{t().working}</span> })}
            {move || answer.get().is_some().then(|| view! {
                <button class="link" data-testid="insight-close" on:click=move |_| answer.set(None)>{t().close}</button>
            })}
        </div>
        {move || match answer.get() {
            Some(Err(e)) => Some(view! { <p class="notice error" role="alert" data-testid="insight-error">{e}</p> }.into_any()),
            Some(Ok(_)) => Some(view! {
                <div class="insight" data-testid="insight">
                    {summary}
                    <div class="small-charts">
                        {charts().into_iter().enumerate().map(|(n, (dataset, spec))| view! {
                            <SmallChart lab=panel.lab dataset=dataset spec=Signal::derive(move || Some(spec.clone()))
                                context=context testid=["insight-chart-1", "insight-chart-2"][n.min(1)] />
                        }).collect_view()}
                    </div>
                    {table}
                </div>
            }.into_any()),
            None => None,
        }}
    }
}

/// What a chart says of its data (sources, licences, units).
pub(crate) fn chart_context(panel: Panel) -> Context {
    let lang = panel.lang.get();
    match (panel.recipe.get(), panel.catalog.get()) {
        (Ok(recipe), Some(catalog)) => Context::for_recipe(&recipe, &catalog, lang),
        _ => Context {
            lang,
            ..Context::default()
        },
    }
}

/// The filter step of a brushed rectangle: `x` and `y` within it.
fn brush_filter(x: &str, y: &str, x0: f64, x1: f64, y0: f64, y1: f64) -> Step {
    let compare = |column: &str, cmp: Comparison, value: f64| Predicate::Compare {
        column: column.to_string(),
        cmp,
        value: Value::Number(round_for_link(value)),
    };
    Step::Filter {
        predicate: Predicate::And {
            all: vec![
                compare(x, Comparison::Ge, x0),
                compare(x, Comparison::Le, x1),
                compare(y, Comparison::Ge, y0),
                compare(y, Comparison::Le, y1),
            ],
        },
    }
}

/// A brushed bound with 6 significant digits: the link stays short and
/// the bound means what the visitor saw.
fn round_for_link(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 5 - v.abs().log10().floor() as i32;
    let factor = 10f64.powi(digits.clamp(-300, 300));
    let rounded = (v * factor).round() / factor;
    if rounded.is_finite() { rounded } else { v }
}

/// Offers `bytes` to the visitor as a file download.
pub(crate) fn save(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("{name}: the download could not start ({e:?})");
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| format!("{name}: no document"))?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The click has started the download; the URL is not needed after it.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
