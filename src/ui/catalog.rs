//! The list of published datasets, as the engine reported the catalog.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::search::search;
use crate::data::{Dataset, Lang};
use crate::recipe::curated::CURATED;
use crate::recipe::url;
use crate::ui::datasets::DatasetLoad;
use crate::ui::i18n::{counted, texts};
use crate::ui::route::Route;
use crate::ui::state::CatalogState;

/// The catalog: loading, failed (with a retry), or a list of datasets.
#[component]
pub fn CatalogList(
    /// What the engine said about the catalog.
    state: ReadSignal<CatalogState>,
    /// The visitor's language.
    lang: ReadSignal<Lang>,
    /// Called when the visitor asks to load the catalog again.
    on_retry: Callback<()>,
    /// `false` while the compute engine is stopped.
    engine_running: Signal<bool>,
) -> impl IntoView {
    let data_state = move || match state.get() {
        CatalogState::Loading => "loading",
        CatalogState::Loaded(_) => "loaded",
        CatalogState::Failed(_) => "failed",
    };
    view! {
        <section class="catalog" data-testid="catalog" data-state=data_state aria-busy=move || (data_state() == "loading").to_string()>
            <h1>{move || texts(lang.get()).datasets}</h1>
            {move || {
                let t = texts(lang.get());
                match state.get() {
                    CatalogState::Loading if !engine_running.get() => {
                        view! { <p class="muted">{t.catalog_needs_engine}</p> }.into_any()
                    }
                    CatalogState::Loading => view! { <p class="muted">{t.catalog_loading}</p> }.into_any(),
                    CatalogState::Failed(message) => view! {
                        <div class="notice error" role="alert" data-testid="catalog-error">
                            <p><strong>{t.catalog_failed}</strong></p>
                            <p class="detail">{message}</p>
                            <button class="small" on:click=move |_| on_retry.run(())>{t.retry}</button>
                        </div>
                    }.into_any(),
                    CatalogState::Loaded(catalog) if catalog.datasets.is_empty() => {
                        view! { <p class="muted">{t.catalog_empty}</p> }.into_any()
                    }
                    CatalogState::Loaded(catalog) => view! { <SearchableList catalog=catalog lang=lang /> }.into_any(),
                }
            }}
        </section>
    }
}

/// The start page's curated analyses, each a plain analysis link pinned
/// to the newest version of its datasets.
#[component]
pub fn CuratedList(state: ReadSignal<CatalogState>, lang: ReadSignal<Lang>) -> impl IntoView {
    let cards = move || {
        let CatalogState::Loaded(catalog) = state.get() else {
            return Vec::new();
        };
        let lang = lang.get();
        CURATED
            .iter()
            .filter_map(|c| {
                let recipe = c.recipe(&catalog, lang)?;
                let link = url::encode(&recipe).ok()?;
                Some((c, Route::Analysis(link).href()))
            })
            .map(|(c, href)| {
                view! {
                    <li class="card analysis-card" data-testid="curated" data-id=c.id>
                        <h2><a href=href.clone()>{c.title(lang)}</a></h2>
                        <p class="description">{c.summary(lang)}</p>
                        <p><a class="button small" href=href data-testid="curated-open">{texts(lang).open_analysis}</a></p>
                    </li>
                }
            })
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !cards().is_empty()>
            <section class="curated" data-testid="curated-list">
                <h1>{move || texts(lang.get()).analyses}</h1>
                <p class="muted">{move || texts(lang.get()).analyses_intro}</p>
                <ul class="cards">{cards}</ul>
            </section>
        </Show>
    }
}

/// A search box over the catalog and the datasets that match it.
#[component]
fn SearchableList(catalog: crate::data::Catalog, lang: ReadSignal<Lang>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let catalog = StoredValue::new(catalog);
    let found = move || {
        catalog.with_value(|c| {
            let hits: Vec<Dataset> = search(c, &query.get()).into_iter().cloned().collect();
            (hits, c.datasets.len())
        })
    };
    view! {
        <div class="search">
            <input
                type="search"
                data-testid="catalog-search"
                aria-label=move || texts(lang.get()).search_label
                placeholder=move || texts(lang.get()).search_placeholder
                prop:value=move || query.get()
                on:input=move |event| query.set(event_target_value(&event))
            />
            <span class="muted" data-testid="catalog-count" aria-live="polite">
                {move || {
                    let (hits, all) = found();
                    format!("{} {} {}", hits.len(), texts(lang.get()).of, all)
                }}
            </span>
        </div>
        {move || {
            let (hits, _) = found();
            if hits.is_empty() {
                view! { <p class="muted" data-testid="catalog-no-match">{texts(lang.get()).no_match}</p> }.into_any()
            } else {
                view! {
                    <ul class="cards">
                        {hits.into_iter().map(|d| view! { <DatasetCard dataset=d lang=lang /> }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        }}
    }
}

/// One dataset: title, description, size, tags, source and licence.
#[component]
fn DatasetCard(dataset: Dataset, lang: ReadSignal<Lang>) -> impl IntoView {
    let latest = dataset.latest().cloned();
    let rows = latest.as_ref().map_or(0, |v| v.rows);
    let columns = latest.as_ref().map_or(0, |v| v.columns.len() as u64);
    let versions = dataset.versions.len() as u64;
    let id = dataset.id.clone();
    let href = Route::Dataset(dataset.id.clone()).href();
    let id_label = dataset.id.clone();
    let tags = dataset.tags.clone();
    let sources = dataset.sources.clone();
    let licence = dataset.licence.clone();
    let title = dataset.title.clone();
    let for_load = dataset.clone();
    let description = dataset.description.clone();
    view! {
        <li class="card" data-testid="dataset-card" data-id=id>
            <h2><a href=href data-testid="dataset-link">{move || title.get(lang.get()).to_string()}</a></h2>
            <p class="muted id">{id_label}</p>
            <p class="description">{move || description.get(lang.get()).to_string()}</p>
            <p class="facts">
                {move || {
                    let t = texts(lang.get());
                    format!(
                        "{} · {} · {}",
                        counted(rows, t.rows),
                        counted(columns, t.columns),
                        counted(versions, t.versions)
                    )
                }}
            </p>
            <ul class="tags">
                {tags.into_iter().map(|tag| view! { <li>{tag}</li> }).collect_view()}
            </ul>
            <p class="provenance">
                {move || texts(lang.get()).source}": "
                {sources.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")}
                " · "{move || texts(lang.get()).licence}": "
                {licence.name.clone()}
            </p>
            <DatasetLoad dataset=for_load />
        </li>
    }
}
