//! The lab's frame: header (name, language switch, engine status), the
//! main area and the footer. It owns the page's state and the bridge to
//! the compute worker.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::data::{Catalog, Dataset, Lang};
use crate::engine::protocol::{Request, Response, TableSummary};
use crate::recipe::url;
use crate::ui::analysis::AnalysisPage;
use crate::ui::bridge::{Bridge, EngineEvent};
use crate::ui::catalog::{CatalogList, CuratedList};
use crate::ui::dataset_page::DatasetPage;
use crate::ui::datasets::LoadedPanel;
use crate::ui::embed::EmbedPage;
use crate::ui::fetch;
use crate::ui::files::OpenFiles;
use crate::ui::i18n::texts;

/// The largest file a visitor may open: the engine's decode limit.
const MAX_FILE_BYTES: f64 = (1u64 << 30) as f64;

/// Where the catalog is, relative to the page.
const CATALOG_PATH: &str = "data/catalog.json";
/// The worker's loader script that Trunk writes beside the page.
const WORKER_SCRIPT: &str = "worker_loader.js";
/// How many crashes in a row the page recovers from by itself.
const AUTO_RESTARTS: u32 = 3;

/// The compute worker as the page sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineState {
    Starting,
    Ready { version: String },
    Restarting,
    Stopped { reason: String },
}

impl EngineState {
    fn key(&self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Ready { .. } => "ready",
            Self::Restarting => "restarting",
            Self::Stopped { .. } => "stopped",
        }
    }
}

/// The catalog as the page sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogState {
    Loading,
    Loaded(Catalog),
    Failed(String),
}

/// A dataset as the page sees it: being opened, open in the worker, or
/// failed to open.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadState {
    Loading { loaded: u64, total: Option<u64> },
    Loaded(TableSummary),
    Failed(String),
}

/// Which page the lab shows; kept in the address's fragment
/// (`#/dataset/<id>`, `#/analysis/r1.…`), so the back button and links work.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Home,
    Dataset(String),
    /// An analysis: the link text of its recipe (`r1.…`), decoded by the
    /// analysis page, which shows what is wrong with it.
    Analysis(String),
    /// An analysis's chart alone, for an iframe (`#/embed/r1.…`): the
    /// datasets the link pins, or with `?follow` their newest versions.
    Embed {
        link: String,
        follow: bool,
    },
}

/// The fragment prefix of an embedded chart.
pub const EMBED: &str = "/embed/";
/// The suffix of an embed that follows the datasets' newest versions.
pub const FOLLOW: &str = "?follow";

/// Which page a route shows, without its details: the frame re-renders
/// only when this changes, so an analysis's edits keep its page.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    Home,
    Dataset(String),
    Analysis,
    Embed,
}

impl Route {
    /// The route of a location fragment such as `#/dataset/agencies`.
    pub fn from_hash(hash: &str) -> Self {
        let hash = hash.trim_start_matches('#');
        if let Some(link) = hash.strip_prefix(url::ROUTE) {
            return Route::Analysis(link.to_string());
        }
        if let Some(rest) = hash.strip_prefix(EMBED) {
            let (link, follow) = match rest.strip_suffix(FOLLOW) {
                Some(link) => (link, true),
                None => (rest, false),
            };
            return Route::Embed {
                link: link.to_string(),
                follow,
            };
        }
        match hash.strip_prefix("/dataset/") {
            Some(id) if !id.is_empty() => Route::Dataset(
                js_sys::decode_uri_component(id)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_else(|| id.to_string()),
            ),
            _ => Route::Home,
        }
    }

    /// The fragment that shows this route.
    pub fn hash(&self) -> String {
        match self {
            Route::Home => "#/".to_string(),
            Route::Dataset(id) => format!("#/dataset/{}", js_sys::encode_uri_component(id)),
            Route::Analysis(link) => format!("#{}{link}", url::ROUTE),
            Route::Embed { link, follow } => {
                format!("#{EMBED}{link}{}", if *follow { FOLLOW } else { "" })
            }
        }
    }

    pub fn page(&self) -> Page {
        match self {
            Route::Home => Page::Home,
            Route::Dataset(id) => Page::Dataset(id.clone()),
            Route::Analysis(_) => Page::Analysis,
            Route::Embed { .. } => Page::Embed,
        }
    }

    /// A link to this route: the page's own address with the route's
    /// fragment. (A bare `#…` would resolve against the page's `<base>`,
    /// which drops the query and reloads the lab.)
    pub fn href(&self) -> String {
        let page = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let page = page.split('#').next().unwrap_or_default();
        format!("{page}{}", self.hash())
    }
}

/// A message for the visitor about the engine, shown above the main area.
#[derive(Debug, Clone, PartialEq)]
enum Notice {
    Restarted { reason: String },
    Stopped { reason: String },
}

/// A downloaded file: where it came from and its bytes.
#[derive(Clone)]
struct Downloaded {
    url: String,
    bytes: Rc<Vec<u8>>,
}

/// What a component does with the engine's answer to its request.
type OnReply = Rc<dyn Fn(Response)>;

/// Everything the page's event handlers share. Signals are `Copy`; the
/// bridge and the catalog's bytes stay on this thread. Components below
/// the frame reach it as a context.
#[derive(Clone, Copy)]
pub struct Lab {
    pub engine: RwSignal<EngineState>,
    pub catalog: RwSignal<CatalogState>,
    pub route: RwSignal<Route>,
    /// Answers awaited by components (rows, summaries), by request id.
    replies: StoredValue<BTreeMap<u64, OnReply>, LocalStorage>,
    /// Files the visitor opened, by dataset id, to read again for a
    /// restarted worker.
    files: StoredValue<BTreeMap<String, web_sys::File>, LocalStorage>,
    /// The datasets opened (or being opened), by id.
    pub loads: RwSignal<BTreeMap<String, LoadState>>,
    /// The open request of each dataset, to resend to a restarted worker.
    open_requests: StoredValue<BTreeMap<String, Request>, LocalStorage>,
    /// Request id -> the dataset it opens.
    pending: StoredValue<BTreeMap<u64, String>, LocalStorage>,
    notice: RwSignal<Option<Notice>>,
    bridge: StoredValue<Option<Bridge>, LocalStorage>,
    /// The downloaded catalog, kept to give a restarted worker.
    catalog_bytes: StoredValue<Option<Downloaded>, LocalStorage>,
    catalog_request: StoredValue<Option<u64>, LocalStorage>,
    crashes: StoredValue<Rc<Cell<u32>>, LocalStorage>,
}

impl Lab {
    fn new() -> Self {
        Self {
            engine: RwSignal::new(EngineState::Starting),
            catalog: RwSignal::new(CatalogState::Loading),
            route: RwSignal::new(Route::Home),
            replies: StoredValue::new_local(BTreeMap::new()),
            files: StoredValue::new_local(BTreeMap::new()),
            loads: RwSignal::new(BTreeMap::new()),
            open_requests: StoredValue::new_local(BTreeMap::new()),
            pending: StoredValue::new_local(BTreeMap::new()),
            notice: RwSignal::new(None),
            bridge: StoredValue::new_local(None),
            catalog_bytes: StoredValue::new_local(None),
            catalog_request: StoredValue::new_local(None),
            crashes: StoredValue::new_local(Rc::new(Cell::new(0))),
        }
    }

    fn start_engine(self) {
        let started = fetch::resolve(WORKER_SCRIPT)
            .and_then(|url| Bridge::spawn(url, move |event| self.on_engine(event)));
        match started {
            Ok(bridge) => self.bridge.set_value(Some(bridge)),
            Err(reason) => self.engine.set(EngineState::Stopped { reason }),
        }
    }

    fn on_engine(self, event: EngineEvent) {
        match event {
            EngineEvent::Ready { engine_version } => {
                self.engine.set(EngineState::Ready {
                    version: engine_version,
                });
            }
            EngineEvent::Reply { id, response } => {
                if self.catalog_request.get_value() == Some(id) {
                    match response {
                        Response::Catalog { catalog, .. } => {
                            self.crashes.with_value(|c| c.set(0));
                            self.catalog.set(CatalogState::Loaded(catalog));
                        }
                        Response::Error { message } => {
                            self.catalog.set(CatalogState::Failed(message))
                        }
                        _ => {}
                    }
                } else if let Some(dataset) = self.pending.with_value(|p| p.get(&id).cloned()) {
                    self.on_dataset(id, dataset, response);
                } else if let Some(reply) = self.replies.with_value(|r| r.get(&id).cloned()) {
                    // Progress comes before the answer, which ends the request.
                    if !matches!(response, Response::RunProgress { .. }) {
                        self.replies.update_value(|r| {
                            r.remove(&id);
                        });
                    }
                    reply(response);
                }
            }
            EngineEvent::Died { reason } => {
                let crashes = self.crashes.with_value(|c| {
                    c.set(c.get() + 1);
                    c.get()
                });
                if crashes <= AUTO_RESTARTS {
                    self.notice.set(Some(Notice::Restarted { reason }));
                    self.restart();
                } else {
                    self.notice.set(Some(Notice::Stopped {
                        reason: reason.clone(),
                    }));
                    self.engine.set(EngineState::Stopped { reason });
                }
            }
        }
    }

    /// Starts a new worker and gives it what the old one had: the catalog
    /// and the datasets opened (from the browser's cache, not the network).
    fn restart(self) {
        self.engine.set(EngineState::Restarting);
        self.pending.update_value(BTreeMap::clear);
        let waiting = self
            .replies
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for reply in waiting.into_values() {
            reply(Response::Error {
                message: "the compute engine restarted; try again".into(),
            });
        }
        match self.bridge.get_value() {
            None => self.start_engine(),
            Some(bridge) => {
                if let Err(reason) = bridge.respawn() {
                    self.engine.set(EngineState::Stopped { reason });
                    return;
                }
            }
        }
        self.send_catalog();
        for (dataset, request) in self.open_requests.get_value() {
            self.send_open(dataset, request);
        }
        for (dataset, file) in self.files.get_value() {
            self.read_file(dataset, file);
        }
    }

    /// Whether the engine runs and takes requests.
    pub fn engine_ready(self) -> bool {
        matches!(self.engine.get(), EngineState::Ready { .. })
    }

    /// Sends `request` and calls `on_reply` with the engine's answer (or an
    /// error when it cannot be sent or the engine restarts first).
    pub fn ask(self, request: &Request, on_reply: impl Fn(Response) + 'static) {
        let sent = match self.bridge.get_value() {
            Some(bridge) => bridge.send(request, None).map_err(|e| e.to_string()),
            None => Err("the compute engine is not running".to_string()),
        };
        match sent {
            Ok(id) => self.replies.update_value(|r| {
                r.insert(id, Rc::new(on_reply));
            }),
            Err(message) => on_reply(Response::Error { message }),
        }
    }

    /// Opens files the visitor chose or dropped; each becomes dataset
    /// `file:<name>` and its page is shown.
    pub fn open_files(self, files: Vec<web_sys::File>) {
        let mut last = None;
        for file in files {
            let dataset = format!("file:{}", file.name());
            if file.size() > MAX_FILE_BYTES {
                self.set_load(
                    &dataset,
                    LoadState::Failed(format!(
                        "{}: the file is {} bytes, more than the {} bytes the lab opens",
                        file.name(),
                        file.size(),
                        MAX_FILE_BYTES
                    )),
                );
            } else {
                self.files.update_value(|f| {
                    f.insert(dataset.clone(), file.clone());
                });
                self.read_file(dataset.clone(), file);
            }
            last = Some(dataset);
        }
        if let Some(dataset) = last {
            navigate(&Route::Dataset(dataset));
        }
    }

    /// Reads a file's bytes and moves them to the engine.
    fn read_file(self, dataset: String, file: web_sys::File) {
        let total = file.size() as u64;
        self.set_load(
            &dataset,
            LoadState::Loading {
                loaded: 0,
                total: Some(total),
            },
        );
        leptos::task::spawn_local(async move {
            let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
            let buffer = match read.map(|b| b.dyn_into::<js_sys::ArrayBuffer>()) {
                Ok(Ok(buffer)) => buffer,
                Ok(Err(_)) | Err(_) => {
                    self.files.update_value(|f| {
                        f.remove(&dataset);
                    });
                    self.set_load(
                        &dataset,
                        LoadState::Failed(format!(
                            "{}: the browser could not read the file; is it still there?",
                            file.name()
                        )),
                    );
                    return;
                }
            };
            let Some(bridge) = self.bridge.get_value() else {
                return;
            };
            let request = Request::OpenFile {
                dataset: dataset.clone(),
                name: file.name(),
            };
            match bridge.send_buffer(&request, Some(buffer)) {
                Ok(id) => self.pending.update_value(|p| {
                    p.insert(id, dataset);
                }),
                Err(e) => self.set_load(&dataset, LoadState::Failed(e.to_string())),
            }
        });
    }

    /// Opens the latest version of `dataset` in the engine.
    pub fn open_dataset(self, dataset: &Dataset) {
        if let Some(version) = dataset.latest() {
            self.open_version(dataset, &version.sha256);
        }
    }

    /// Opens version `sha256` of `dataset` in the engine (replacing any
    /// other version of it that is open).
    pub fn open_version(self, dataset: &Dataset, sha256: &str) {
        let (Some(version), Some(catalog)) =
            (dataset.version(sha256), self.catalog_bytes.get_value())
        else {
            return;
        };
        let url = match fetch::resolve_against(&version.url, &catalog.url) {
            Ok(url) => url,
            Err(message) => {
                self.set_load(&dataset.id, LoadState::Failed(message));
                return;
            }
        };
        let request = Request::OpenDataset {
            dataset: dataset.id.clone(),
            sha256: version.sha256.clone(),
            url,
            bytes: version.bytes,
        };
        self.open_requests.update_value(|r| {
            r.insert(dataset.id.clone(), request.clone());
        });
        self.send_open(dataset.id.clone(), request);
    }

    fn send_open(self, dataset: String, request: Request) {
        let Some(bridge) = self.bridge.get_value() else {
            return;
        };
        match bridge.send(&request, None) {
            Ok(id) => {
                self.pending.update_value(|p| {
                    p.insert(id, dataset.clone());
                });
                self.set_load(
                    &dataset,
                    LoadState::Loading {
                        loaded: 0,
                        total: None,
                    },
                );
            }
            Err(e) => self.set_load(&dataset, LoadState::Failed(e.to_string())),
        }
    }

    /// Stops opening `dataset`.
    pub fn cancel_dataset(self, dataset: &str) {
        let request = self
            .pending
            .with_value(|p| p.iter().find(|(_, d)| *d == dataset).map(|(id, _)| *id));
        if let (Some(request), Some(bridge)) = (request, self.bridge.get_value()) {
            let _ = bridge.send(&Request::Cancel { request }, None);
        }
    }

    /// Drops `dataset` from the engine and the page.
    pub fn close_dataset(self, dataset: &str) {
        self.open_requests.update_value(|r| {
            r.remove(dataset);
        });
        self.files.update_value(|f| {
            f.remove(dataset);
        });
        self.loads.update(|l| {
            l.remove(dataset);
        });
        if let Some(bridge) = self.bridge.get_value() {
            let _ = bridge.send(
                &Request::CloseDataset {
                    dataset: dataset.to_string(),
                },
                None,
            );
        }
    }

    /// Records what the engine says of a dataset (a retyped CSV file).
    pub fn set_load(self, dataset: &str, state: LoadState) {
        self.loads.update(|l| {
            l.insert(dataset.to_string(), state);
        });
    }

    fn on_dataset(self, id: u64, dataset: String, response: Response) {
        match response {
            Response::Progress { loaded, total } => {
                self.set_load(&dataset, LoadState::Loading { loaded, total });
                return;
            }
            Response::DatasetOpened { summary } => {
                self.set_load(&dataset, LoadState::Loaded(summary));
            }
            Response::Error { message } => {
                // A failed open is not reopened after a restart.
                self.open_requests.update_value(|r| {
                    r.remove(&dataset);
                });
                self.files.update_value(|f| {
                    f.remove(&dataset);
                });
                self.set_load(&dataset, LoadState::Failed(message));
            }
            _ => {}
        }
        self.pending.update_value(|p| {
            p.remove(&id);
        });
    }

    /// Downloads the catalog and hands it to the engine.
    fn load_catalog(self) {
        self.catalog.set(CatalogState::Loading);
        leptos::task::spawn_local(async move {
            let downloaded = match fetch::resolve(CATALOG_PATH) {
                Ok(url) => fetch::bytes(&url, crate::data::catalog::MAX_CATALOG_BYTES)
                    .await
                    .map(|bytes| (url, bytes)),
                Err(e) => Err(e),
            };
            match downloaded {
                Ok((url, bytes)) => {
                    self.catalog_bytes.set_value(Some(Downloaded {
                        url,
                        bytes: Rc::new(bytes),
                    }));
                    self.send_catalog();
                }
                Err(message) => self.catalog.set(CatalogState::Failed(message)),
            }
        });
    }

    /// Sends the downloaded catalog bytes (if any) to the engine.
    fn send_catalog(self) {
        let (Some(Downloaded { url, bytes }), Some(bridge)) =
            (self.catalog_bytes.get_value(), self.bridge.get_value())
        else {
            return;
        };
        let request = Request::LoadCatalog { url };
        match bridge.send(&request, Some(&bytes)) {
            Ok(id) => self.catalog_request.set_value(Some(id)),
            Err(e) => self.catalog.set(CatalogState::Failed(e.to_string())),
        }
    }

    fn simulate_crash(self) {
        if let Some(bridge) = self.bridge.get_value() {
            // A failure to send means there is no engine to crash.
            let _ = bridge.send(&Request::SimulateCrash, None);
        }
    }
}

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

/// Shows `route`: sets the address's fragment, which the lab follows.
pub fn navigate(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.hash());
    }
}

/// Shows the analysis of link text `link` (`r1.…`) without reloading:
/// `push` adds a history entry (a committed edit, which back undoes),
/// otherwise the current entry is replaced (typing).
pub fn show_analysis(route: RwSignal<Route>, link: String, push: bool) {
    let next = Route::Analysis(link);
    if route.with_untracked(|r| *r == next) {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = next.href();
        let _ = if push {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
    }
    route.set(next);
}

/// Keeps `route` in step with the address's fragment.
fn follow_hash(route: RwSignal<Route>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let read = move || {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        let next = Route::from_hash(&hash);
        let new_page = route.with_untracked(|r| r.page() != next.page());
        route.set(next);
        // A new page starts at its top; an analysis walked back keeps its place.
        if new_page && let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    };
    read();
    let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new(read);
    let _ =
        window.add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_change.forget();
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
                Page::Home => view! {
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
                    lab.crashes.with_value(|c| c.set(0));
                    lab.notice.set(None);
                    lab.restart();
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
