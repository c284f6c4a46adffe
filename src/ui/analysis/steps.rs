//! The analysis's inputs and steps: each step's card with its form, output
//! schema, rows, join diagnostics and downloads.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::Lang;
use crate::data::export::Format;
use crate::data::hash::short_hash;
use crate::engine::protocol::{Request, Response};
use crate::ops::derive::{Formula, Operand};
use crate::ops::join::JoinStats;
use crate::recipe::Step;
use crate::recipe::edit::{self, StepKind};
use crate::ui::analysis::forms::derive::DeriveForm;
use crate::ui::analysis::forms::filter::FilterForm;
use crate::ui::analysis::forms::group::GroupForm;
use crate::ui::analysis::forms::join::JoinForm;
use crate::ui::analysis::forms::learn::LearnForm;
use crate::ui::analysis::forms::limit::LimitForm;
use crate::ui::analysis::forms::pivot::PivotForm;
use crate::ui::analysis::forms::rename::RenameForm;
use crate::ui::analysis::forms::select::SelectForm;
use crate::ui::analysis::forms::sort::SortForm;
use crate::ui::analysis::forms::union::UnionForm;
use crate::ui::analysis::forms::unpivot::UnpivotForm;
use crate::ui::analysis::panel::Panel;
use crate::ui::browser::save;
use crate::ui::i18n::{AnalysisTexts, Label, analysis_texts, count, counted, texts};
use crate::ui::route::Route;
use crate::ui::state::LoadState;

/// The datasets the analysis reads, and how far each is opened.
#[component]
pub(crate) fn Inputs(panel: Panel) -> impl IntoView {
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
                let key = catalog.as_ref().map_or_else(
                    || input.dataset.clone(),
                    |c| c.table_key(&input.dataset, &input.sha256),
                );
                let state = lab.loads.with(|l| l.get(&key).cloned());
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
pub(crate) fn shape(i: usize, step: &Step) -> String {
    let detail = match step {
        Step::Filter { predicate } => match edit::conditions(predicate) {
            Some((_, list)) => list.len().to_string(),
            None => "nested".into(),
        },
        Step::Join { spec, .. } => spec.left_on.len().to_string(),
        Step::Cluster { method, .. } => format!("{:?}", method.kind()),
        Step::Anomaly { flag, .. } => format!("{:?}", flag.kind()),
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
            format!("{:?}/{within}/{number}", edit::FormulaChoice::of(formula))
        }
        _ => String::new(),
    };
    format!("{i}:{}:{detail}", step.kind())
}

/// The steps, each with its form, output and diagnostics; and the buttons
/// that add steps.
#[component]
pub(crate) fn StepList(panel: Panel) -> impl IntoView {
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
                .map(|kind| {
                    view! {
                        <button
                            class="small"
                            data-testid=format!("add-{kind:?}").to_lowercase()
                            on:click=move |_| add(kind)
                        >
                            {move || kind.label(panel.lang.get())}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The label of step kind `step` in the page's language.
pub(crate) fn kind_label(lang: Lang, step: &Step) -> &'static str {
    StepKind::of(step).label(lang)
}

/// Step `i`: its heading and buttons, form, output schema, rows and error.
#[component]
pub(crate) fn StepCard(panel: Panel, i: usize) -> impl IntoView {
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
                    {schema.iter().map(|(n, t)| view! { <code class="column-chip" title=t.to_string()>{n.clone()}</code>" " }).collect_view()}
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
        Step::Cluster { .. } | Step::Project { .. } | Step::Anomaly { .. } => {
            view! { <LearnForm panel=panel i=i step=step /> }.into_any()
        }
    };
    view! {
        <li class="step" data-testid="step" data-kind=initial.kind()>
            <header class="step-head">
                <h3>{format!("{}. ", i + 1)}{move || step.get().map(|s| kind_label(panel.lang.get(), &s))}</h3>
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
pub(crate) fn Downloads(
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
pub(crate) fn JoinDiagnostics(stats: JoinStats, t: &'static AnalysisTexts) -> impl IntoView {
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
