//! Opening datasets in the engine: the controls on a dataset's card
//! (open, progress, cancel, unload) and the panel of loaded data.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::{Dataset, Lang};
use crate::engine::protocol::TableSummary;
use crate::ui::i18n::{Texts, counted, size, texts};
use crate::ui::route::Route;
use crate::ui::state::{Lab, LoadState};

/// Open / progress / loaded / failed, for one dataset.
#[component]
pub fn DatasetLoad(dataset: Dataset) -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let id = dataset.id.clone();
    let state = {
        let id = id.clone();
        move || lab.loads.with(|l| l.get(&id).cloned())
    };
    let key = {
        let state = state.clone();
        move || match state() {
            None => "idle",
            Some(LoadState::Loading { .. }) => "loading",
            Some(LoadState::Loaded(_)) => "loaded",
            Some(LoadState::Failed(_)) => "failed",
        }
    };
    let dataset = StoredValue::new(dataset);
    view! {
        <div class="load" data-testid="dataset-load" data-state=key>
            {move || {
                let t = texts(lang.get());
                let lang = lang.get();
                let id = id.clone();
                match state() {
                    None => view! {
                        <button class="primary" data-testid="open-dataset" on:click=move |_| dataset.with_value(|d| lab.open_dataset(d))>
                            {t.open}
                        </button>
                    }.into_any(),
                    Some(LoadState::Loading { loaded, total }) => {
                        let label = match total {
                            Some(total) => format!("{} {} {}", size(loaded, lang), t.of, size(total, lang)),
                            None => size(loaded, lang),
                        };
                        view! {
                            <progress max=total.unwrap_or(0).max(1) value=loaded aria-label=t.downloading></progress>
                            <span class="muted">{label}</span>
                            <button class="small" data-testid="cancel-dataset" on:click=move |_| lab.cancel_dataset(&id)>{t.cancel}</button>
                        }.into_any()
                    }
                    Some(LoadState::Loaded(summary)) => {
                        let source = if summary.from_cache { t.from_cache } else { t.downloaded };
                        let href = Route::Dataset(id.clone()).href();
                        view! {
                            <span
                                class="ok"
                                data-testid="dataset-summary"
                                data-hash-ms=summary.timings.hash_ms
                                data-decode-ms=summary.timings.decode_ms
                                data-file-bytes=summary.file_bytes
                                data-rows=summary.rows
                                data-memory-bytes=summary.memory_bytes
                            >
                                {format!(
                                    "✓ {} · {} · {} ({source})",
                                    counted(summary.rows, t.rows),
                                    counted(summary.columns.len() as u64, t.columns),
                                    memory_text(&summary, t, lang),
                                )}
                            </span>
                            {(lab.route.get_untracked() != Route::Dataset(id.clone())).then(|| view! {
                                <a class="button small" href=href.clone() data-testid="show-dataset">{t.show}</a>
                            })}
                            <button class="small" on:click=move |_| lab.close_dataset(&id)>{t.unload}</button>
                        }.into_any()
                    }
                    Some(LoadState::Failed(message)) => view! {
                        <div class="notice error" role="alert" data-testid="dataset-error">
                            <p><strong>{t.open_failed}</strong></p>
                            <p class="detail">{message}</p>
                            <button class="small" on:click=move |_| dataset.with_value(|d| lab.open_dataset(d))>{t.retry}</button>
                        </div>
                    }.into_any(),
                }
            }}
        </div>
    }
    .into_any()
}

/// What is loaded in the engine, how much memory it takes, and unload.
#[component]
pub fn LoadedPanel() -> impl IntoView {
    let (Some(lab), Some(lang)) = (use_context::<Lab>(), use_context::<RwSignal<Lang>>()) else {
        return ().into_any();
    };
    let loaded = move || {
        lab.loads.with(|l| {
            l.values()
                .filter_map(|s| match s {
                    LoadState::Loaded(summary) => Some(summary.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !loaded().is_empty()>
            <section class="loaded-panel" data-testid="loaded-panel" aria-live="polite">
                <h2>{move || texts(lang.get()).loaded_data}</h2>
                <ul>
                    {move || {
                        let t = texts(lang.get());
                        let lang = lang.get();
                        loaded()
                            .into_iter()
                            .map(|summary| {
                                let id = summary.dataset.clone();
                                let href = Route::Dataset(id.clone()).href();
                                view! {
                                    <li data-testid="loaded-dataset" data-id=summary.dataset.clone()>
                                        <a class="id" href=href data-testid="show-dataset">{summary.dataset.clone()}</a>
                                        <span>{counted(summary.rows, t.rows)}</span>
                                        <span>{memory_text(&summary, t, lang)}</span>
                                        <button class="small" on:click=move |_| lab.close_dataset(&id)>{t.unload}</button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <p class="muted">
                    {move || {
                        let total: u64 = loaded().iter().map(|s| s.memory_bytes).sum();
                        format!("{}: {}", texts(lang.get()).total, size(total, lang.get()))
                    }}
                </p>
            </section>
        </Show>
    }
    .into_any()
}

/// `21 kB in memory`, or of a Parquet file read as it is needed, what its
/// open read so far.
pub fn memory_text(summary: &TableSummary, t: &Texts, lang: Lang) -> String {
    let held = if summary.read_as_needed {
        t.in_memory_so_far
    } else {
        t.in_memory
    };
    format!("{} {held}", size(summary.memory_bytes, lang))
}
