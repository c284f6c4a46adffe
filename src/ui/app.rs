//! The lab's frame: header (name, language switch, engine status), the
//! main area and the footer. It owns the page's state and the bridge to
//! the compute worker.

use leptos::prelude::*;

use crate::ui::route::Href;

use crate::data::Lang;
use crate::ui::analysis::AnalysisPage;
use crate::ui::catalog::{CatalogList, CuratedList};
use crate::ui::dataset_page::DatasetPage;
use crate::ui::datasets::LoadedPanel;
use crate::ui::embed::EmbedPage;
use crate::ui::entity::EntityPage;
use crate::ui::files::OpenFiles;
use crate::ui::i18n::texts;
use crate::ui::route::{Page, Route, follow_hash};
use crate::ui::search::SiteSearch;
use crate::ui::state::{EngineState, Lab, Notice};

/// The language the visitor sees first: `?lang=sv|en`, else the one they
/// chose last time, else the browser's.
fn initial_lang() -> Lang {
    let window = web_sys::window();
    let param = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get("lang"));
    let remembered = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    match param.or(remembered).as_deref() {
        Some("sv") => Lang::Sv,
        Some("en") => Lang::En,
        _ => match window.and_then(|w| w.navigator().language()) {
            Some(l) if l.starts_with("sv") => Lang::Sv,
            _ => Lang::En,
        },
    }
}

/// Where the visitor's choice of language is remembered.
const LANG_KEY: &str = "datalabb.lang";

/// `true` when the page was opened with `?debug`, which shows diagnostics.
fn debug_mode() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .is_some_and(|p| p.has("debug"))
}

/// The whole lab.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(initial_lang());
    let lab = Lab::new();
    provide_context(lab);
    provide_context(lang);
    follow_hash(lab.route);
    let page = Memo::new(move |_| lab.route.with(Route::page));
    lab.start_engine();
    lab.load_catalog();
    Effect::new(move |_| {
        let code = match lang.get() {
            Lang::Sv => "sv",
            Lang::En => "en",
        };
        let window = web_sys::window();
        if let Some(root) = window
            .as_ref()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            // Only screen readers and hyphenation depend on it.
            let _ = root.set_attribute("lang", code);
        }
        // Private windows may refuse storage; then the choice is not kept.
        if let Some(storage) = window.and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(LANG_KEY, code);
        }
    });

    // An embedded chart shows nothing of the lab's frame.
    let framed = move || page.get() != Page::Embed;
    view! {
        <Show when=framed>
        <header class="topbar">
            <a class="brand" href=Route::Home.href()>
                <span class="logo" aria-hidden="true">"▦"</span>
                <span class="name">"Datalabb"</span>
            </a>
            <p class="tagline">{move || texts(lang.get()).tagline}</p>
            <LangSwitch lang=lang />
            <EngineStatus lab=lab lang=lang />
        </header>
        </Show>
        <main
            class="main"
            class:embed=move || !framed()
            id="main"
            on:dragover=move |event: web_sys::DragEvent| event.prevent_default()
            on:drop=move |event: web_sys::DragEvent| {
                event.prevent_default();
                lab.open_files(crate::ui::files::dropped(&event));
            }
        >
            <Show when=framed>
                <EngineNotice lab=lab lang=lang />
            </Show>
            {move || match page.get() {
                Page::Embed => view! { <EmbedPage /> }.into_any(),
                Page::Dataset(id) => view! { <DatasetPage id=id /> }.into_any(),
                Page::Analysis => view! { <AnalysisPage /> }.into_any(),
                Page::Entity(kind, key) => view! { <EntityPage kind=kind key=key /> }.into_any(),
                Page::Home => view! {
                    <SiteSearch lab=lab lang=lang.read_only() />
                    <CuratedList state=lab.catalog.read_only() lang=lang.read_only() />
                    <OpenFiles />
                    <LoadedPanel />
                    <CatalogList
                        state=lab.catalog.read_only()
                        lang=lang.read_only()
                        on_retry=Callback::new(move |_| lab.load_catalog())
                        engine_running=Signal::derive(move || {
                            !matches!(lab.engine.get(), EngineState::Stopped { .. })
                        })
                    />
                }
                .into_any(),
            }}
        </main>
        <Show when=framed>
        <footer class="footer">
            <p>{move || texts(lang.get()).footer}</p>
            {debug_mode()
                .then(|| {
                    view! {
                        <details class="diagnostics" open>
                            <summary>{move || texts(lang.get()).diagnostics}</summary>
                            <button
                                data-testid="simulate-crash"
                                on:click=move |_| lab.simulate_crash()
                            >
                                {move || texts(lang.get()).simulate_crash}
                            </button>
                        </details>
                    }
                })}
        </footer>
        </Show>
    }
}

/// Swedish / English, as two toggle buttons.
#[component]
fn LangSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    let button = move |value: Lang, label: &'static str, name: &'static str| {
        view! {
            <button
                class="lang"
                data-testid=format!("lang-{label}")
                lang=label
                aria-pressed=move || (lang.get() == value).to_string()
                title=name
                on:click=move |_| lang.set(value)
            >
                {label.to_uppercase()}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label="Språk / Language">
            {button(Lang::Sv, "sv", "Svenska")}
            {button(Lang::En, "en", "English")}
        </div>
    }
}

/// The engine's state as a small pill with a restart button when stopped.
#[component]
fn EngineStatus(lab: Lab, lang: RwSignal<Lang>) -> impl IntoView {
    let label = move || {
        let t = texts(lang.get());
        match lab.engine.get() {
            EngineState::Starting => t.engine_starting.to_string(),
            EngineState::Ready { version } => format!("{} · v{version}", t.engine_ready),
            EngineState::Restarting => t.engine_restarting.to_string(),
            EngineState::Stopped { .. } => t.engine_stopped.to_string(),
        }
    };
    let title = move || match lab.engine.get() {
        EngineState::Stopped { reason } => reason,
        _ => String::new(),
    };
    view! {
        <div
            class="engine"
            data-testid="engine-status"
            data-state=move || lab.engine.get().key()
            role="status"
            title=title
        >
            <span class="dot" aria-hidden="true"></span>
            <span>{label}</span>
            <Show when=move || matches!(lab.engine.get(), EngineState::Stopped { .. })>
                <button class="small" on:click=move |_| {
                    lab.restart_by_hand();
                }>{move || texts(lang.get()).restart}</button>
            </Show>
        </div>
    }
}

/// Tells the visitor that the engine crashed, and what happened next.
#[component]
fn EngineNotice(lab: Lab, lang: RwSignal<Lang>) -> impl IntoView {
    move || {
        lab.notice.get().map(|notice| {
            let t = texts(lang.get());
            let (kind, headline, reason) = match notice {
                Notice::Restarted { reason } => ("warning", t.restarted_notice, reason),
                Notice::Stopped { reason } => ("error", t.stopped_notice, reason),
            };
            view! {
                <div class=format!("notice {kind}") role="alert" data-testid="engine-notice" data-kind=kind>
                    <p><strong>{headline}</strong></p>
                    <p class="detail">{reason}</p>
                    <button class="small" on:click=move |_| lab.notice.set(None)>{t.dismiss}</button>
                </div>
            }
        })
    }
}
