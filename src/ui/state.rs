//! The page's state that every component shares ([`Lab`]): the engine's
//! status and the bridge to it, the catalog, the datasets opened, the route,
//! and recovery when the engine stops.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::data::{Catalog, Dataset};
use crate::engine::protocol::{Request, Response, TableSummary};
use crate::ui::bridge::{Bridge, EngineEvent};
use crate::ui::fetch;
use crate::ui::route::{Route, navigate};

/// The largest file a visitor may open: the engine's decode limit.
const MAX_FILE_BYTES: f64 = (1u64 << 30) as f64;

/// Where the catalog is, relative to the page.
const CATALOG_PATH: &str = "data/catalog.json";
/// The worker's loader script that Trunk writes beside the page.
const WORKER_SCRIPT: &str = "worker_loader.js";

/// The worker's script address, given the page's `?cores=N` when it has
/// one (the most cores the lab's learning may use; see `engine::helpers`).
fn with_cores(script: String) -> String {
    let asked = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get("cores"))
        .and_then(|value| crate::engine::helpers::allowed_cores(&value));
    match asked {
        Some(cores) => format!("{script}?cores={cores}"),
        None => script,
    }
}
/// How long the engine may stay silent while requests wait (no answer and
/// no progress) before the page gives up on it: long kernels report
/// progress at least every second, downloads as bytes arrive.
const SILENCE_MS: f64 = 120_000.0;

use crate::ui::browser::now;

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
    pub(crate) fn key(&self) -> &'static str {
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

/// A message for the visitor about the engine, shown above the main area.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Notice {
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
    /// Answers awaited by components (rows, summaries), by request id,
    /// with what the request does in words (for a crash's message).
    replies: StoredValue<BTreeMap<u64, (String, OnReply)>, LocalStorage>,
    /// Files the visitor opened, by dataset id, to read again for a
    /// restarted worker.
    files: StoredValue<BTreeMap<String, web_sys::File>, LocalStorage>,
    /// The datasets opened (or being opened), by id.
    pub loads: RwSignal<BTreeMap<String, LoadState>>,
    /// The open request of each dataset, to resend to a restarted worker.
    open_requests: StoredValue<BTreeMap<String, Request>, LocalStorage>,
    /// Request id -> the dataset it opens.
    pending: StoredValue<BTreeMap<u64, String>, LocalStorage>,
    pub(crate) notice: RwSignal<Option<Notice>>,
    bridge: StoredValue<Option<Bridge>, LocalStorage>,
    /// The downloaded catalog, kept to give a restarted worker.
    catalog_bytes: StoredValue<Option<Downloaded>, LocalStorage>,
    catalog_request: StoredValue<Option<u64>, LocalStorage>,
    crashes: StoredValue<Rc<Cell<u32>>, LocalStorage>,
    /// Requests from this id on were sent after the last restart by the
    /// visitor, not resent by the restart; an answer to one of them shows
    /// the engine works again and resets `crashes`.
    trusted_from: StoredValue<u64, LocalStorage>,
    /// When the engine last said anything (ms on the page's clock).
    last_heard: StoredValue<f64, LocalStorage>,
}

impl Lab {
    pub(crate) fn new() -> Self {
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
            trusted_from: StoredValue::new_local(0),
            last_heard: StoredValue::new_local(0.0),
        }
    }

    pub(crate) fn start_engine(self) {
        let started = fetch::resolve(WORKER_SCRIPT)
            .map(with_cores)
            .and_then(|url| Bridge::spawn(url, move |event| self.on_engine(event)));
        match started {
            Ok(bridge) => self.bridge.set_value(Some(bridge)),
            Err(reason) => self.engine.set(EngineState::Stopped { reason }),
        }
        self.watch();
    }

    /// Gives up on an engine that stays silent while requests wait: no
    /// answer, progress or other message for [`SILENCE_MS`] is a hang, and
    /// ends like a crash (the requests named, the engine restarted).
    fn watch(self) {
        self.last_heard.set_value(now());
        let _ = set_interval_with_handle(
            move || {
                let waiting = self.pending.with_value(|p| !p.is_empty())
                    || self.replies.with_value(|r| !r.is_empty());
                if waiting && now() - self.last_heard.get_value() > SILENCE_MS {
                    self.last_heard.set_value(now());
                    self.on_engine(EngineEvent::Died {
                        reason: format!("it did not answer for {} seconds", SILENCE_MS / 1000.0),
                    });
                }
            },
            std::time::Duration::from_secs(5),
        );
    }

    fn on_engine(self, event: EngineEvent) {
        self.last_heard.set_value(now());
        match event {
            EngineEvent::Ready { engine_version } => {
                self.engine.set(EngineState::Ready {
                    version: engine_version,
                });
            }
            EngineEvent::Reply { id, response } => {
                let answered = !matches!(
                    response,
                    Response::Progress { .. } | Response::RunProgress { .. }
                );
                if answered && id >= self.trusted_from.get_value() {
                    self.crashes.with_value(|c| c.set(0));
                }
                if self.catalog_request.get_value() == Some(id) {
                    match response {
                        Response::Catalog { catalog, .. } => {
                            self.catalog.set(CatalogState::Loaded(catalog));
                        }
                        Response::Error { message } => {
                            self.catalog.set(CatalogState::Failed(message))
                        }
                        _ => {}
                    }
                } else if let Some(dataset) = self.pending.with_value(|p| p.get(&id).cloned()) {
                    self.on_dataset(id, dataset, response);
                } else if let Some((_, reply)) = self.replies.with_value(|r| r.get(&id).cloned()) {
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
                let reason = self.stop_in_flight(reason);
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

    /// Ends every request that was in flight when the engine died: one of
    /// them stopped it, so none is sent again by itself. A dataset being
    /// opened shows why it failed (opening it again is the retry), and a
    /// component waiting for an answer gets an error. Returns the reason,
    /// naming what was in flight.
    fn stop_in_flight(self, reason: String) -> String {
        // "the compute engine stopped: X" reads as X after the activity.
        let cause = reason
            .strip_prefix("the compute engine stopped: ")
            .unwrap_or(&reason)
            .to_string();
        self.end_in_flight(
            &|activity| format!("{activity} stopped the compute engine: {cause}"),
            reason.clone(),
        )
    }

    /// Ends what is in flight with `message(activity)` (and, for a dataset,
    /// "open it again to retry"); returns the activities, or `fallback`.
    fn end_in_flight(self, message: &dyn Fn(&str) -> String, fallback: String) -> String {
        let opening = self
            .pending
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        let waiting = self
            .replies
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        let mut activities: Vec<String> = Vec::new();
        for dataset in opening.into_values() {
            let activity = Request::OpenFile {
                dataset: dataset.clone(),
                name: String::new(),
            }
            .activity();
            self.open_requests.update_value(|r| {
                r.remove(&dataset);
            });
            self.files.update_value(|f| {
                f.remove(&dataset);
            });
            self.set_load(
                &dataset,
                LoadState::Failed(format!("{}; open it again to retry", message(&activity))),
            );
            activities.push(activity);
        }
        for (activity, reply) in waiting.into_values() {
            reply(Response::Error {
                message: format!("{}; try again", message(&activity)),
            });
            activities.push(activity);
        }
        activities.dedup();
        if activities.is_empty() {
            fallback
        } else {
            message(&activities.join(", "))
        }
    }

    /// The visitor's Stop: ends the worker, whatever it computes, and starts
    /// a fresh one with the catalog and the datasets that were open (no
    /// cooperative cancel needed). What was in flight gets "… was stopped".
    /// Not a crash: the crash counter is left as it is.
    pub fn stop_work(self) {
        self.end_in_flight(&|activity| format!("{activity} was stopped"), String::new());
        self.restart();
    }

    /// The visitor's restart after the page stopped restarting by itself.
    pub(crate) fn restart_by_hand(self) {
        self.crashes.with_value(|c| c.set(0));
        self.notice.set(None);
        self.restart();
    }

    /// Starts a new worker and gives it what the old one had: the catalog
    /// and the datasets that were open (from the browser's cache, not the
    /// network). Requests in flight are not sent again (see
    /// [`Lab::stop_in_flight`]).
    fn restart(self) {
        self.engine.set(EngineState::Restarting);
        // After a crash these are empty already; a restart by hand ends
        // whatever still waits.
        self.pending.update_value(BTreeMap::clear);
        let waiting = self
            .replies
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for (_, reply) in waiting.into_values() {
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
        // Files are sent once read, later; their ids count as resent too.
        let resent = self.files.with_value(BTreeMap::len) as u64;
        if let Some(bridge) = self.bridge.get_value() {
            self.trusted_from.set_value(bridge.next_id() + resent);
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
                r.insert(id, (request.activity(), Rc::new(on_reply)));
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

    /// Opens version `sha256` of `dataset` for an analysis, under its
    /// table key (see `Catalog::table_key`), so that two versions of one
    /// dataset can be inputs of one recipe without replacing each other.
    pub fn open_input(self, dataset: &Dataset, sha256: &str) {
        let (Some(version), Some(catalog), CatalogState::Loaded(parsed)) = (
            dataset.version(sha256),
            self.catalog_bytes.get_value(),
            self.catalog.get_untracked(),
        ) else {
            return;
        };
        let key = parsed.table_key(&dataset.id, sha256);
        let url = match fetch::resolve_against(&version.url, &catalog.url) {
            Ok(url) => url,
            Err(message) => {
                self.set_load(&key, LoadState::Failed(message));
                return;
            }
        };
        let request = Request::OpenDataset {
            dataset: key.clone(),
            sha256: version.sha256.clone(),
            url,
            bytes: version.bytes,
        };
        self.open_requests.update_value(|r| {
            r.insert(key.clone(), request.clone());
        });
        self.send_open(key, request);
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
        // A visitor's file is decoded in one go, not downloaded in pieces:
        // the engine is stopped and started afresh.
        if self.files.with_value(|f| f.contains_key(dataset)) {
            self.stop_work();
            return;
        }
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
    pub(crate) fn load_catalog(self) {
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

    pub(crate) fn simulate_crash(self) {
        if let Some(bridge) = self.bridge.get_value() {
            // A failure to send means there is no engine to crash.
            let _ = bridge.send(&Request::SimulateCrash, None);
        }
    }
}
