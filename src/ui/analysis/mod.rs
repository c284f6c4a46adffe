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
//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

mod forms;
mod insight;
mod panel;
mod result;
mod share;
mod steps;
mod widgets;

pub(crate) use panel::{Panel, open_inputs};
pub(crate) use share::Copyable;

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::chart::Context;
use crate::data::Lang;
use crate::recipe::url;
use crate::ui::analysis::result::ResultView;
use crate::ui::analysis::steps::Inputs;
use crate::ui::analysis::steps::StepList;
use crate::ui::i18n::texts;
use crate::ui::route::Route;
use crate::ui::state::Lab;

/// The analysis page.
#[component]
pub fn AnalysisPage() -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let recipe = Memo::new(move |_| {
        lab.route.with(|r| match r {
            Route::Analysis(link) => url::decode(link).map_err(|e| e.to_string()),
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
