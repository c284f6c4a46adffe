//! An analysis's chart alone, for an article's iframe (`#/embed/r1.…`):
//! the chart (its frame carries the title, sources and licence) and a link
//! that opens the analysis in the lab. The datasets are the versions the
//! link pins, so the chart never changes under the article; `?follow`
//! takes each dataset's newest version instead. Whatever goes wrong (a
//! version no longer on the host, a host that is down, a recipe that
//! fails) is one short sentence and the link, never an empty frame.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::{Catalog, Lang};
use crate::engine::protocol::{Request, Response};
use crate::ml::insight::Insight;
use crate::recipe::{ChartKind, Recipe, Step, url};
use crate::ui::analysis::{Panel, chart_context};
use crate::ui::chart::ChartView;
use crate::ui::i18n::{EmbedTexts, embed_texts};
use crate::ui::route::Route;
use crate::ui::state::{CatalogState, EngineState, Lab, LoadState};

/// `recipe` with each input at its dataset's newest version (inputs of
/// datasets the catalog lacks stay as they are).
pub fn follow_latest(mut recipe: Recipe, catalog: &Catalog) -> Recipe {
    for input in &mut recipe.inputs {
        if let Some(latest) = catalog.dataset(&input.dataset).and_then(|d| d.latest()) {
            input.sha256 = latest.sha256.clone();
        }
    }
    recipe
}

/// Why the chart cannot show, before anything runs: an input whose
/// dataset or version the host no longer has.
fn missing(recipe: &Recipe, catalog: &Catalog, t: &EmbedTexts) -> Option<String> {
    recipe.inputs.iter().find_map(|input| {
        let dataset = catalog.dataset(&input.dataset);
        let short = input.sha256.get(..12).unwrap_or(&input.sha256);
        match dataset {
            None => Some(format!("{} ({})", t.dataset_gone, input.dataset)),
            Some(d) if d.version(&input.sha256).is_none() => {
                Some(format!("{} ({} {short})", t.version_gone, input.dataset))
            }
            _ => None,
        }
    })
}

#[component]
pub fn EmbedPage() -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let t = move || embed_texts(lang.get());
    let route = Memo::new(move |_| {
        lab.route.with(|r| match r {
            Route::Embed { link, follow } => Some((link.clone(), *follow)),
            _ => None,
        })
    });
    let catalog = Memo::new(move |_| match lab.catalog.get() {
        CatalogState::Loaded(catalog) => Some(catalog),
        _ => None,
    });
    // The recipe as the link says, then (to follow updates) at the newest
    // versions once the catalog is there.
    let recipe = Memo::new(move |_| {
        let (link, follow) = route.get().ok_or_else(String::new)?;
        let recipe = url::decode(&link).map_err(|e| e.to_string())?;
        match (follow, catalog.get()) {
            (true, Some(catalog)) => Ok(follow_latest(recipe, &catalog)),
            (true, None) => Err(String::new()),
            (false, _) => Ok(recipe),
        }
    });
    let panel = Panel::start(lab, lang, recipe);
    let current = panel.current();
    let result = Memo::new(move |_| current.get().and_then(|r| r.result));
    // The lab's page of this analysis, in a new tab.
    let open_in_lab = move || {
        route
            .get()
            .map(|(link, _)| Route::Analysis(link).href())
            .unwrap_or_else(|| Route::Home.href())
    };

    // What to say instead of the chart, if anything (read in three places).
    let problem = Memo::new(move |_| -> Option<String> {
        let t = t();
        let (link, _) = route.get()?;
        if let Err(e) = url::decode(&link) {
            return Some(format!("{} {e}", t.broken_link));
        }
        if let EngineState::Stopped { .. } = lab.engine.get() {
            return Some(t.engine_stopped.to_string());
        }
        match lab.catalog.get() {
            CatalogState::Failed(e) => return Some(format!("{} {e}", t.host_down)),
            CatalogState::Loading => return None,
            CatalogState::Loaded(_) => {}
        }
        let recipe = recipe.get().ok()?;
        if let Some(gone) = catalog.with(|c| c.as_ref().and_then(|c| missing(&recipe, c, t))) {
            return Some(gone);
        }
        for input in &recipe.inputs {
            let key = catalog.with(|c| {
                c.as_ref().map_or_else(
                    || input.dataset.clone(),
                    |c| c.table_key(&input.dataset, &input.sha256),
                )
            });
            if let Some(LoadState::Failed(e)) = lab.loads.with(|l| l.get(&key).cloned()) {
                return Some(format!("{} {e}", t.load_failed));
            }
        }
        if recipe.chart.kind == ChartKind::Table {
            return Some(t.no_chart.to_string());
        }
        let ran = current.get()?;
        ran.error.map(|e| format!("{} {}", t.failed, e.message))
    });
    let loading = move || problem.with(Option::is_none) && result.with(Option::is_none);
    // The page around the iframe learns the height this embed wants
    // whenever it may change: when the chart or a message shows, and when
    // the width changes.
    let id = Memo::new(move |_| {
        route
            .get()
            .map(|(link, _)| crate::recipe::cite::recipe_hash(&link))
    });
    // The height at which every label of the chart fits, when that is
    // more than the width gives.
    let wanted = StoredValue::new(None::<u32>);
    let post = move || {
        if let (Some(Some(id)), Some(wanted)) = (id.try_get_untracked(), wanted.try_get_value()) {
            post_height(&id, wanted);
        }
    };
    // The last cluster step's profiles or anomaly step's most unusual
    // rows in words, as the chart's caption: asked of the worker after
    // each run of a recipe that has one.
    let caption = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        let Some(ran) = current.get() else {
            return;
        };
        let step = ran
            .recipe
            .steps
            .iter()
            .rposition(|s| matches!(s, Step::Cluster { .. } | Step::Anomaly { .. }));
        let (Some(step), Some(_)) = (step, ran.result) else {
            caption.set(Vec::new());
            return;
        };
        let insight = match ran.recipe.steps.get(step) {
            Some(Step::Anomaly { .. }) => Insight::Outliers,
            _ => Insight::Profiles,
        };
        let request = Request::Insight {
            member: ran.recipe.chart.label.clone(),
            recipe: ran.recipe,
            step,
            insight,
            lang: lang.get_untracked(),
        };
        lab.ask(&request, move |response| {
            if let Response::Insight { sentences, .. } = response
                && !caption.is_disposed()
            {
                caption.set(sentences);
            }
        });
    });
    // The plotted table instead of the chart, in the frame.
    let data_shown = RwSignal::new(false);
    Effect::new(move |_| {
        problem.track();
        result.track();
        panel.runs.track();
        data_shown.track();
        caption.track();
        set_timeout(post, std::time::Duration::from_millis(100));
    });
    let on_drawn = Callback::new(move |height: Option<u32>| {
        wanted.set_value(height);
        post();
    });
    if let Some(window) = web_sys::window() {
        let on_resize = gloo_events::EventListener::new(&window, "resize", move |_| post());
        StoredValue::new_local(on_resize);
    }

    view! {
        <article class="embed-page" data-testid="embed">
            {move || problem.get().map(|m| view! {
                <p class="notice error" role="alert" data-testid="embed-error">{m}</p>
            })}
            <Show when=loading>
                <p class="muted embed-loading" role="status" data-testid="embed-loading">{move || t().loading}</p>
            </Show>
            <Show when=move || problem.with(Option::is_none)>
                <ChartView
                    lab=lab
                    lang=lang
                    spec=Signal::derive(move || panel.recipe.with(|r| r.as_ref().map(|r| r.chart.clone()).unwrap_or_default()))
                    schema=Signal::derive(move || panel.schemas.with(|s| s.last().cloned().unwrap_or_default()))
                    result=Signal::derive(move || result.with(Option::is_some).then(|| panel.runs.get()))
                    context=Signal::derive(move || chart_context(panel))
                    stem=Signal::derive(|| "embed".to_string())
                    on_spec=Callback::new(|_| {})
                    on_filter=Callback::new(|_| {})
                    embedded=true
                    on_drawn=on_drawn
                    data_tab=data_shown
                />
            </Show>
            <Show when=move || problem.with(Option::is_none) && !data_shown.get() && !caption.with(Vec::is_empty)>
                <ul class="embed-caption" data-testid="embed-caption">
                    {move || caption.get().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                </ul>
            </Show>
            <p class="embed-link">
                <Show when=move || problem.with(Option::is_none) && result.with(Option::is_some)>
                    <button class="link" data-testid="embed-data" aria-pressed=move || data_shown.get().to_string()
                        on:click=move |_| data_shown.update(|d| *d = !*d)>
                        {move || if data_shown.get() { t().show_chart } else { t().show_data }}
                    </button>
                    " · "
                </Show>
                <a href=open_in_lab target="_blank" rel="noopener" data-testid="embed-open">{move || t().open_in_lab}</a>
            </p>
        </article>
    }
    .into_any()
}

/// Tells the page around this embed (if any) the height its content wants:
/// the chart at [`crate::chart::embed_height`] of the width, or taller when
/// that is what its labels need (`wanted`), and whatever else shows. One message, `{"datalabb:height": h, "id": "…"}`, to any
/// origin: it says nothing but a height. The embed never reads messages.
fn post_height(id: &str, wanted: Option<u32>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    // Not framed: the parent is the window itself.
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let Some(document) = window.document() else {
        return;
    };
    let Ok(Some(article)) = document.query_selector("[data-testid=embed]") else {
        return;
    };
    let width = document
        .document_element()
        .map(|e| e.client_width())
        .unwrap_or(0)
        .max(0) as u32;
    let charted = document
        .query_selector(".chart-box:not(.hidden) canvas")
        .ok()
        .flatten()
        .is_some_and(|c| c.client_height() > 0);
    // With a chart: its height at this width and the link (the chart fills
    // the frame less the link); without: the message as it stands.
    // A cluster step's caption under the chart, if any.
    let caption = document
        .query_selector("[data-testid=embed-caption]")
        .ok()
        .flatten()
        .map_or(0, |c| c.scroll_height().max(0) as u32);
    let height = if charted {
        let chart = crate::chart::chart_height_in_embed(width).max(wanted.unwrap_or(0));
        (chart + crate::chart::EMBED_LINK_PX + caption).min(4000) as i32
    } else {
        article.scroll_height()
    }
    .max(100);
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &message,
        &crate::recipe::cite::HEIGHT_KEY.into(),
        &f64::from(height).into(),
    );
    let _ = js_sys::Reflect::set(&message, &"id".into(), &id.into());
    let _ = parent.post_message(&message, "*");
}
