//! The start page's search box: agencies, ministries, areas, municipalities
//! and counties (searched in the worker, in the `entities` dataset, which
//! is opened on the first keystroke) and datasets (the catalog), grouped
//! by kind, best first; the arrow keys move between the results.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::data::entities::{EntityKind, Hit};
use crate::data::search::search;
use crate::data::{Dataset, Lang};
use crate::engine::handler::entities::ENTITIES;
use crate::engine::protocol::{Request, Response};
use crate::ui::i18n::entity_texts;
use crate::ui::route::{Href, Route};
use crate::ui::state::{CatalogState, Lab, LoadState};

/// The hits asked of the worker per query.
const HITS: u32 = 40;
/// The hits shown per kind.
const PER_KIND: usize = 6;
/// The datasets shown.
const DATASETS: usize = 4;

/// Whether the entities dataset is open: opens it when it is not and the
/// catalog has it. `Some(true)` when it can be searched, `Some(false)`
/// while it comes, `None` when the catalog lacks it or it failed.
pub(crate) fn entities_ready(lab: Lab) -> Option<bool> {
    let dataset = lab.catalog.with(|c| match c {
        CatalogState::Loaded(catalog) => Ok(catalog.dataset(ENTITIES).cloned()),
        _ => Err(()),
    });
    let Ok(dataset) = dataset else {
        return Some(false);
    };
    let dataset = dataset?;
    let latest = dataset.latest()?.sha256.clone();
    match lab.loads.with(|l| l.get(ENTITIES).cloned()) {
        Some(LoadState::Loaded(summary)) if summary.sha256 == latest => Some(true),
        Some(LoadState::Loading { .. }) => Some(false),
        Some(LoadState::Failed(_)) => None,
        _ => {
            if lab.engine_ready() {
                lab.open_dataset(&dataset);
            }
            Some(false)
        }
    }
}

/// The search box and its results.
#[component]
pub fn SiteSearch(lab: Lab, lang: ReadSignal<Lang>) -> impl IntoView {
    let t = move || entity_texts(lang.get());
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<Hit>::new());
    // The query the hits answer, and the one waiting for the worker.
    let answered = RwSignal::new(String::new());
    let in_flight = StoredValue::new(false);
    let wanted = StoredValue::new(None::<String>);

    fn ask(
        lab: Lab,
        text: String,
        hits: RwSignal<Vec<Hit>>,
        answered: RwSignal<String>,
        in_flight: StoredValue<bool>,
        wanted: StoredValue<Option<String>>,
    ) {
        if in_flight.get_value() {
            wanted.set_value(Some(text));
            return;
        }
        in_flight.set_value(true);
        let asked = text.clone();
        lab.ask(
            &Request::FindEntities {
                query: text,
                limit: HITS,
            },
            move |response| {
                if hits.is_disposed() {
                    return;
                }
                in_flight.set_value(false);
                match response {
                    Response::Entities { hits: found, .. } => hits.set(found),
                    _ => hits.set(Vec::new()),
                }
                answered.set(asked.clone());
                if let Some(next) = wanted.try_update_value(Option::take).flatten()
                    && next != asked
                {
                    ask(lab, next, hits, answered, in_flight, wanted);
                }
            },
        );
    }

    Effect::new(move |_| {
        let text = query.get();
        if text.trim().is_empty() {
            hits.set(Vec::new());
            answered.set(String::new());
            return;
        }
        if entities_ready(lab) == Some(true) {
            ask(lab, text, hits, answered, in_flight, wanted);
        }
    });
    let datasets = move || -> Vec<Dataset> {
        let text = query.get();
        if text.trim().is_empty() {
            return Vec::new();
        }
        lab.catalog.with(|c| match c {
            CatalogState::Loaded(c) => search(c, &text)
                .into_iter()
                .take(DATASETS)
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    };
    let pending = move || !query.with(|q| q.trim().is_empty()) && answered.get() != query.get();

    // Arrow keys: from the box to the first result, between results; Escape
    // empties the box.
    let on_key = move |event: web_sys::KeyboardEvent| {
        let key = event.key();
        if key == "Escape" {
            query.set(String::new());
            return;
        }
        if key != "ArrowDown" && key != "ArrowUp" {
            return;
        }
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(links) = document.query_selector_all("[data-testid=search-results] a") else {
            return;
        };
        let links: Vec<web_sys::HtmlElement> = (0..links.length())
            .filter_map(|i| links.item(i)?.dyn_into().ok())
            .collect();
        if links.is_empty() {
            return;
        }
        event.prevent_default();
        let active = document.active_element();
        let at = links.iter().position(|l| {
            active
                .as_ref()
                .is_some_and(|a| a == l.unchecked_ref::<web_sys::Element>())
        });
        let next = match (at, key.as_str()) {
            (None, "ArrowDown") => Some(0),
            (Some(i), "ArrowDown") => Some((i + 1).min(links.len() - 1)),
            (Some(0), "ArrowUp") => None,
            (Some(i), "ArrowUp") => Some(i - 1),
            _ => return,
        };
        match next {
            Some(i) => {
                let _ = links[i].focus();
            }
            None => {
                if let Some(input) = document
                    .query_selector("[data-testid=site-search]")
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = input.focus();
                }
            }
        }
    };

    view! {
        <section class="site-search" data-testid="site-search-panel" on:keydown=on_key>
            <h1>{move || t().search_title}</h1>
            <input
                type="search"
                data-testid="site-search"
                autocomplete="off"
                aria-label=move || t().search_label
                aria-describedby="site-search-hint"
                placeholder=move || t().search_placeholder
                prop:value=move || query.get()
                on:input=move |event| query.set(event_target_value(&event))
            />
            <p class="muted hint" id="site-search-hint">{move || t().search_hint}</p>
            <div data-testid="search-results" aria-live="polite" aria-busy=move || pending().to_string()>
                {move || {
                    let t = t();
                    let lang = lang.get();
                    let hits = hits.get();
                    let datasets = datasets();
                    let groups: Vec<(EntityKind, Vec<Hit>)> = EntityKind::ALL
                        .into_iter()
                        .map(|k| (k, hits.iter().filter(|h| h.entity.kind == Some(k)).take(PER_KIND).cloned().collect::<Vec<_>>()))
                        .filter(|(_, h)| !h.is_empty())
                        .collect();
                    // Kinds in the order of their best hit.
                    let mut groups = groups;
                    groups.sort_by_key(|(k, _)| hits.iter().position(|h| h.entity.kind == Some(*k)));
                    let empty = groups.is_empty() && datasets.is_empty();
                    let searched = !query.with(|q| q.trim().is_empty()) && !pending();
                    view! {
                        {groups.into_iter().map(|(kind, hits)| view! {
                            <div class="hit-group" data-kind=kind.name()>
                                <h2>{t.kinds(kind)}</h2>
                                <ul>
                                    {hits.into_iter().map(|hit| hit_view(hit, lang)).collect_view()}
                                </ul>
                            </div>
                        }).collect_view()}
                        {(!datasets.is_empty()).then(|| view! {
                            <div class="hit-group" data-kind="dataset">
                                <h2>{t.datasets}</h2>
                                <ul>
                                    {datasets.into_iter().map(|d| {
                                        let href = Route::Dataset(d.id.clone()).href();
                                        view! { <li><a href=href data-testid="search-hit">{d.title.get(lang).to_string()}</a></li> }
                                    }).collect_view()}
                                </ul>
                            </div>
                        })}
                        {(empty && searched).then(|| view! { <p class="muted" data-testid="search-none">{t.nothing_found}</p> })}
                        {(empty && !searched && !query.with(|q| q.trim().is_empty())).then(|| view! { <p class="muted">{t.searching}</p> })}
                    }
                }}
            </div>
        </section>
    }
}

/// One entity found: its name (and the name that matched, when another),
/// and its key.
fn hit_view(hit: Hit, lang: Lang) -> impl IntoView {
    let entity = hit.entity;
    let Some(kind) = entity.kind else {
        return ().into_any();
    };
    let href = Route::Entity {
        kind,
        key: entity.key.clone(),
    }
    .href();
    let title = entity.title(lang == Lang::En).to_string();
    let also =
        (hit.matched != title && hit.matched != entity.key).then(|| format!(" ({})", hit.matched));
    let key = match kind {
        EntityKind::Agency => match (entity.key.get(..6), entity.key.get(6..)) {
            (Some(a), Some(b)) if !b.is_empty() => format!("{a}-{b}"),
            _ => entity.key.clone(),
        },
        EntityKind::Ministry => String::new(),
        _ => entity.key.clone(),
    };
    view! {
        <li>
            <a href=href data-testid="search-hit" data-kind=kind.name() data-key=entity.key.clone()>{title}</a>
            <span class="muted">{also}" "{key}</span>
        </li>
    }
    .into_any()
}
