//! The compute worker's message loop (wasm32). It decodes each message,
//! hands it to [`Engine`], and posts the answer back. It announces itself
//! with `Response::Ready`, because messages posted before its wasm module
//! has started would be lost. Downloads run as tasks, so the worker keeps
//! answering (and can cancel them) while they last.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{AbortController, DedicatedWorkerGlobalScope, MessageEvent};

use crate::data::hash::sha256_hex;
use crate::data::load::{Limits, is_parquet};
use crate::engine::download;
use crate::engine::handler::{
    Engine, HEAD_ROWS, Outcome, catalog_summary, check_hash, file_summary, hash_matches,
};
use crate::engine::helpers::{Handed, pool};
use crate::engine::parquet::Reader;
use crate::engine::protocol::{self, Envelope, Request, Response, TableSummary, Timings};
use crate::engine::transport;
use crate::engine::warm::WarmUp;

/// What the worker holds between messages.
struct Worker {
    scope: DedicatedWorkerGlobalScope,
    engine: RefCell<Engine>,
    /// Running downloads by request id.
    downloads: RefCell<BTreeMap<u64, AbortController>>,
    /// The readers of Parquet files read as they are needed, by dataset.
    readers: RefCell<BTreeMap<String, Rc<Reader>>>,
    /// Whether columns are being read, or jobs run in helpers, for a
    /// message; the messages after it wait in `waiting`, in order.
    reading: Cell<bool>,
    waiting: RefCell<VecDeque<Message>>,
}

/// A request taken in, with its bulk bytes and when it came.
struct Message {
    id: u64,
    request: Request,
    bulk: Option<Vec<u8>>,
    started: f64,
}

/// Starts the worker: installs the message handler and says it is ready.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    if pool::is_helper(&scope) {
        pool::serve(scope);
        return;
    }
    crate::data::time::set_zone_rules(crate::engine::zones::offset);
    let engine = Engine::new();
    engine.jobs().borrow_mut().set_helpers(pool::cores(&scope));
    let worker = Rc::new(Worker {
        scope: scope.clone(),
        engine: RefCell::new(engine),
        downloads: RefCell::new(BTreeMap::new()),
        readers: RefCell::new(BTreeMap::new()),
        reading: Cell::new(false),
        waiting: RefCell::new(VecDeque::new()),
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let started = now(&worker.scope);
        let decoded = transport::unpack(&event.data(), "page").and_then(|(header, bulk)| {
            protocol::decode::<Request>(&header, "page").map(|envelope| (envelope, bulk))
        });
        match decoded {
            Ok((Envelope { id, body, .. }, bulk)) => take(
                &worker,
                Message {
                    id,
                    request: body,
                    bulk,
                    started,
                },
            ),
            Err(e) => post(
                &worker.scope,
                0,
                &Response::Error {
                    message: e.to_string(),
                },
            ),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(
        &scope,
        0,
        &Response::Ready {
            engine_version: crate::VERSION.to_string(),
        },
    );
    wasm_bindgen_futures::spawn_local(warm_up(scope));
}

/// How long after `Ready` the warm-up starts: the page's first requests
/// (the catalog, the datasets a view opens) come within milliseconds and
/// go first.
const WARM_UP_AFTER_MS: i32 = 300;

/// Runs the warm-up (`engine::warm`) a piece per task, so that messages
/// are answered between its pieces.
async fn warm_up(scope: DedicatedWorkerGlobalScope) {
    let mut warm = WarmUp::default();
    let mut pieces = Vec::new();
    loop {
        // The next task: messages that came meanwhile go first.
        let wait = if pieces.is_empty() {
            WARM_UP_AFTER_MS
        } else {
            0
        };
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, wait);
        });
        if wasm_bindgen_futures::JsFuture::from(tick).await.is_err() {
            return;
        }
        let began = now(&scope);
        let more = warm.step();
        pieces.push((now(&scope) - began).round());
        match more {
            Ok(true) => {}
            Ok(false) => {
                // For whoever measures: what the warm-up cost.
                let busy: f64 = pieces.iter().sum();
                web_sys::console::debug_1(
                    &format!("warm-up: {busy:.0} ms, pieces {pieces:?} ms").into(),
                );
                return;
            }
            Err(why) => {
                web_sys::console::debug_1(&format!("warm-up stopped: {why}").into());
                return;
            }
        }
    }
}

/// Answers a message: now, or once the columns of Parquet files it needs
/// are read, or (while columns are read for another) after that one.
fn take(worker: &Rc<Worker>, message: Message) {
    if worker.reading.get() && !matches!(message.request, Request::Cancel { .. }) {
        worker.waiting.borrow_mut().push_back(message);
        return;
    }
    if matches!(message.request, Request::OpenFile { .. })
        && message.bulk.as_deref().is_some_and(is_parquet)
    {
        let worker = worker.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let response =
                open_parquet(&worker, message.request, message.bulk.unwrap_or_default()).await;
            post(&worker.scope, message.id, &response);
        });
        return;
    }
    let wants = match worker.engine.try_borrow() {
        Ok(engine) => engine.wants(&message.request),
        Err(_) => Vec::new(),
    };
    if wants.is_empty() {
        answer(worker, message);
        return;
    }
    worker.reading.set(true);
    let worker = worker.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let handed = match read_columns(&worker, wants).await {
            Ok(()) => {
                worker.reading.set(false);
                answer(&worker, message)
            }
            Err(message_text) => {
                post(
                    &worker.scope,
                    message.id,
                    &Response::Error {
                        message: message_text,
                    },
                );
                false
            }
        };
        if !handed {
            resume(&worker);
        }
    });
}

/// Takes the messages that waited, in order, until one waits again.
fn resume(worker: &Rc<Worker>) {
    worker.reading.set(false);
    while !worker.reading.get() {
        let Some(next) = worker.waiting.borrow_mut().pop_front() else {
            break;
        };
        take(worker, next);
    }
}

/// Runs the jobs the engine handed on in helper workers, then handles
/// `message` again (its jobs now answered); the messages after it wait.
/// If the helpers fail, the jobs of this and later requests run here.
fn hand_on(worker: &Rc<Worker>, message: Message, handed: Handed, step: Option<(usize, usize)>) {
    worker.reading.set(true);
    let worker = worker.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let helpers = worker
            .engine
            .borrow()
            .jobs()
            .borrow()
            .helpers_for(&handed.x);
        let (scope, id) = (worker.scope.clone(), message.id);
        let progress = Rc::new(move |done, total| {
            if let Some((step, steps)) = step {
                let progress = Response::RunProgress {
                    step,
                    steps,
                    done,
                    total,
                    loss: None,
                };
                post(&scope, id, &progress);
            }
        });
        let began = now(&worker.scope);
        let done = pool::run(&handed, helpers, progress).await;
        // For whoever measures: how long the helpers took.
        web_sys::console::debug_1(
            &format!(
                "helpers: {} jobs on {} × {} values in {helpers} helpers, {:.0} ms",
                handed.jobs.len(),
                handed.x.rows,
                handed.x.cols,
                now(&worker.scope) - began
            )
            .into(),
        );
        {
            let engine = worker.engine.borrow();
            let mut jobs = engine.jobs().borrow_mut();
            match done {
                Ok(done) => jobs.answered(handed, done),
                Err(e) => {
                    web_sys::console::warn_1(
                        &format!("learning runs in this worker alone: {e}").into(),
                    );
                    jobs.set_helpers(0);
                }
            }
        }
        worker.reading.set(false);
        if !answer(&worker, message) {
            resume(&worker);
        }
    });
}

/// Has the Parquet workers read the columns `wants` names and adds them to
/// their datasets.
async fn read_columns(worker: &Worker, wants: Vec<(String, Vec<String>)>) -> Result<(), String> {
    for (dataset, columns) in wants {
        let Some(reader) = worker.readers.borrow().get(&dataset).cloned() else {
            return Err(format!(
                "{dataset}: the Parquet file is no longer held here; open it again"
            ));
        };
        let read = reader.columns(columns.into_iter().collect()).await;
        // A file opened again under the same name while this was read
        // has a reader of its own: these columns are not its.
        let current = worker
            .readers
            .borrow()
            .get(&dataset)
            .is_some_and(|r| Rc::ptr_eq(r, &reader));
        let added = match read {
            Ok(ipc) if current => match worker.engine.try_borrow_mut() {
                Ok(mut engine) => engine.add_columns(&dataset, ipc),
                Err(_) => Err("the compute engine is busy; try again".into()),
            },
            Ok(_) => Err(format!("{dataset} was opened again; try again")),
            Err(message) => {
                // A reader that stopped answers nothing more.
                if current {
                    worker.readers.borrow_mut().remove(&dataset);
                }
                Err(message)
            }
        };
        added?;
    }
    forget_readers(worker);
    Ok(())
}

/// Ends the Parquet workers of files that are closed or read whole.
fn forget_readers(worker: &Worker) {
    if let Ok(engine) = worker.engine.try_borrow() {
        worker
            .readers
            .borrow_mut()
            .retain(|dataset, _| engine.reads_as_needed(dataset));
    }
}

/// Handles a message on the engine and posts or does what it says;
/// whether it was handed on to helper workers instead (see [`hand_on`]).
fn answer(worker: &Rc<Worker>, message: Message) -> bool {
    let Message {
        id,
        request,
        bulk,
        started,
    } = message;
    // A request with no bulk can be handled again once helpers have run
    // its jobs; one with bulk runs its jobs here.
    let again = bulk.is_none().then(|| request.clone());
    if again.is_none()
        && let Ok(engine) = worker.engine.try_borrow()
    {
        engine.jobs().borrow_mut().run_here();
    }
    let mut at_step = None;
    let outcome = match worker.engine.try_borrow_mut() {
        Ok(mut engine) => {
            // Progress while a long request runs: at most every 100 ms,
            // and at each new step.
            let scope = &worker.scope;
            let mut last = (now(scope), usize::MAX);
            let mut report = |response: Response| {
                let step = match &response {
                    Response::RunProgress { step, steps, .. } => {
                        at_step = Some((*step, *steps));
                        *step
                    }
                    _ => 0,
                };
                let at = now(scope);
                if at - last.0 >= 100.0 || step != last.1 {
                    last = (at, step);
                    post(scope, id, &response);
                }
            };
            engine.handle_reporting(request, bulk, &mut report)
        }
        Err(_) => busy(),
    };
    let handed = match worker.engine.try_borrow() {
        Ok(engine) => {
            let mut jobs = engine.jobs().borrow_mut();
            let handed = jobs.take_handed();
            // A message taken while another waits for helpers (a cancel)
            // leaves that one's answers be.
            if handed.is_none() && !worker.reading.get() {
                jobs.finished();
            }
            handed
        }
        Err(_) => None,
    };
    if let (Some(handed), Some(request)) = (handed, again) {
        let message = Message {
            id,
            request,
            bulk: None,
            started,
        };
        hand_on(worker, message, handed, at_step);
        return true;
    }
    forget_readers(worker);
    match outcome {
        Outcome::Reply(mut response) => {
            // A local file is hashed and decoded in one step.
            let elapsed = now(&worker.scope) - started;
            match &mut response {
                Response::DatasetOpened { summary } => summary.timings.decode_ms = elapsed,
                Response::RecipeRan { run_ms, .. } => *run_ms = elapsed,
                Response::Chart { chart_ms, .. } => *chart_ms = elapsed,
                Response::Insight { insight_ms, .. } => *insight_ms = elapsed,
                _ => {}
            }
            post(&worker.scope, id, &response)
        }
        Outcome::Crash => wasm_bindgen::throw_str("simulated crash of the compute engine"),
        Outcome::Download {
            dataset,
            sha256,
            url,
            bytes,
        } => {
            let worker = worker.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let response = open(&worker, id, &dataset, &sha256, &url, bytes).await;
                post(&worker.scope, id, &response);
            });
        }
        Outcome::Cancel { request } => {
            if let Some(controller) = worker.downloads.borrow_mut().remove(&request) {
                controller.abort();
            }
        }
    }
    false
}

/// Opens a dataset: from the cache, else downloaded with progress; then
/// verified, remembered in the cache and decoded.
async fn open(
    worker: &Worker,
    id: u64,
    dataset: &str,
    sha256: &str,
    url: &str,
    expected: u64,
) -> Response {
    let scope: &web_sys::WorkerGlobalScope = worker.scope.unchecked_ref();
    if let Some(bytes) = download::cached(scope, sha256).await {
        let started = now(&worker.scope);
        if verify(scope, url, sha256, &bytes).await.is_ok() {
            let hash_ms = now(&worker.scope) - started;
            let source = (dataset, sha256, url);
            return open_verified(worker, source, bytes, true, hash_ms).await;
        }
    }
    let Ok(controller) = AbortController::new() else {
        return Response::Error {
            message: "the browser cannot start a download here".into(),
        };
    };
    worker.downloads.borrow_mut().insert(id, controller.clone());
    let limit = Limits::default().max_decoded_bytes;
    let mut progress =
        |loaded, total| post(&worker.scope, id, &Response::Progress { loaded, total });
    let fetched = download::fetch(
        scope,
        url,
        expected,
        limit,
        &controller.signal(),
        &mut progress,
    )
    .await;
    worker.downloads.borrow_mut().remove(&id);
    let bytes = match fetched {
        Ok(bytes) => bytes,
        Err(message) => return Response::Error { message },
    };
    let started = now(&worker.scope);
    if let Err(message) = verify(scope, url, sha256, &bytes).await {
        return Response::Error { message };
    }
    let hash_ms = now(&worker.scope) - started;
    download::remember(scope, sha256, &bytes).await;
    open_verified(worker, (dataset, sha256, url), bytes, false, hash_ms).await
}

/// Decodes a verified catalog file (dataset, SHA-256, URL): a Parquet one
/// read into Arrow by the Parquet worker first.
async fn open_verified(
    worker: &Worker,
    (dataset, sha256, url): (&str, &str, &str),
    bytes: Vec<u8>,
    from_cache: bool,
    hash_ms: f64,
) -> Response {
    if !is_parquet(&bytes) {
        return decode_timed(worker, hash_ms, |engine| {
            engine.open_verified(dataset, sha256, url, bytes, from_cache)
        });
    }
    let summary = catalog_summary(dataset, sha256, bytes.len() as u64, from_cache);
    let started = now(&worker.scope);
    let mut response = open_head(worker, summary, bytes).await;
    if let Response::DatasetOpened { summary } = &mut response {
        summary.timings = Timings {
            hash_ms,
            decode_ms: now(&worker.scope) - started,
        };
    }
    response
}

/// A visitor's Parquet file: hashed, then opened by a Parquet worker.
async fn open_parquet(worker: &Worker, request: Request, bytes: Vec<u8>) -> Response {
    let Request::OpenFile { dataset, name } = request else {
        return Response::Error {
            message: "only a file opens as a Parquet file".into(),
        };
    };
    let started = now(&worker.scope);
    let scope: &web_sys::WorkerGlobalScope = worker.scope.unchecked_ref();
    let sha256 = match download::sha256_webcrypto(scope, &bytes).await {
        Some(sha256) => sha256,
        None => sha256_hex(&bytes),
    };
    let summary = file_summary(&dataset, &name, &bytes, sha256);
    let mut response = open_head(worker, summary, bytes).await;
    if let Response::DatasetOpened { summary } = &mut response {
        summary.timings.decode_ms = now(&worker.scope) - started;
    }
    response
}

/// Opens a Parquet file in a Parquet worker of its own, which reads its
/// first rows; keeps the worker while the file is not read whole.
async fn open_head(worker: &Worker, summary: TableSummary, bytes: Vec<u8>) -> Response {
    let dataset = summary.dataset.clone();
    let (reader, head, rows) = match Reader::open(bytes, HEAD_ROWS).await {
        Ok(opened) => opened,
        Err(message) => {
            return Response::Error {
                message: format!("{dataset}: {message}"),
            };
        }
    };
    let Ok(mut engine) = worker.engine.try_borrow_mut() else {
        return Response::Error {
            message: "the compute engine is busy; try again".into(),
        };
    };
    let response = engine.open_head(summary, head, rows);
    if engine.reads_as_needed(&dataset) {
        worker.readers.borrow_mut().insert(dataset, Rc::new(reader));
    } else {
        worker.readers.borrow_mut().remove(&dataset);
    }
    response
}

/// Checks a file's SHA-256 against the catalog: by WebCrypto when the
/// browser offers it, else in wasm.
async fn verify(
    scope: &web_sys::WorkerGlobalScope,
    url: &str,
    sha256: &str,
    bytes: &[u8],
) -> Result<(), String> {
    match download::sha256_webcrypto(scope, bytes).await {
        Some(actual) => hash_matches(url, sha256, &actual),
        None => check_hash(url, sha256, bytes),
    }
    .map_err(|e| e.to_string())
}

/// Runs `open` on the engine and records how long it and the hash took.
fn decode_timed(
    worker: &Worker,
    hash_ms: f64,
    open: impl FnOnce(&mut Engine) -> Response,
) -> Response {
    let Ok(mut engine) = worker.engine.try_borrow_mut() else {
        return Response::Error {
            message: "the compute engine is busy; try again".into(),
        };
    };
    let started = now(&worker.scope);
    let mut response = open(&mut engine);
    if let Response::DatasetOpened { summary } = &mut response {
        summary.timings = Timings {
            hash_ms,
            decode_ms: now(&worker.scope) - started,
        };
    }
    response
}

/// Milliseconds on the worker's clock (0 where there is none).
fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope.performance().map_or(0.0, |p| p.now())
}

fn busy() -> Outcome {
    Outcome::Reply(Response::Error {
        message: "the compute engine is busy; try again".into(),
    })
}

/// Posts a response (an export's bytes as a transferred buffer beside
/// it). An answer that cannot be encoded or posted is replaced by an error
/// that says so, so the page never waits for it; only when even that fails
/// is it logged, since there is nobody else to tell.
fn post(scope: &DedicatedWorkerGlobalScope, id: u64, response: &Response) {
    note_memory(scope);
    if let Err(e) = try_post(scope, id, response) {
        let error = Response::Error {
            message: format!("the compute engine could not send its answer: {e}"),
        };
        if let Err(e) = try_post(scope, id, &error) {
            web_sys::console::error_1(&e.to_string().into());
        }
    }
}

/// The worker's wasm memory in bytes, as the global `datalabbMemoryBytes`
/// of the worker, for the benchmarks (which read it through the browser's
/// devtools protocol). A wasm memory only grows, so this is the most the
/// worker has held so far.
fn note_memory(scope: &DedicatedWorkerGlobalScope) {
    let bytes = core::arch::wasm32::memory_size(0) as f64 * 65536.0;
    // A diagnostic: nothing depends on it being set.
    let _ = js_sys::Reflect::set(scope, &"datalabbMemoryBytes".into(), &bytes.into());
}

fn try_post(
    scope: &DedicatedWorkerGlobalScope,
    id: u64,
    response: &Response,
) -> Result<(), crate::error::ProtocolError> {
    let bulk = match response {
        Response::Exported { bytes, .. } => Some(transport::buffer(bytes)),
        Response::Chart { pixels, .. } if !pixels.is_empty() => Some(transport::buffer(pixels)),
        _ => None,
    };
    protocol::encode(id, response)
        .and_then(|header| transport::pack(&header, bulk.as_ref()))
        .and_then(|packed| {
            scope
                .post_message_with_transfer(&packed.message, &packed.transfer)
                .map_err(|e| crate::error::ProtocolError::Encode(format!("{e:?}")))
        })
}
