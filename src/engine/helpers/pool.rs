//! The helpers themselves (wasm32): started for one list of jobs, each
//! given the matrix, then the next job not yet taken (the largest first)
//! until none is left;
//! ended when the list is done, so that their memory goes with them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::{Answer, Ask, HELPER, Handed, Helper, allowed_cores, decode, matrix_bytes};
use crate::engine::child::{Child, Failed, READY, reply};
use crate::engine::transport;
use crate::ml::jobs::Done;

/// How many helpers this worker may run: the cores the browser reports,
/// or fewer when its script was given `?cores=N` (the page's own).
pub fn cores(scope: &DedicatedWorkerGlobalScope) -> usize {
    let reported = scope.navigator().hardware_concurrency();
    let reported = if reported.is_finite() && reported >= 1.0 {
        reported as usize
    } else {
        1
    };
    let asked = web_sys::UrlSearchParams::new_with_str(&scope.location().search())
        .ok()
        .and_then(|p| p.get("cores"))
        .and_then(|value| allowed_cores(&value));
    asked.map_or(reported, |asked| asked.min(reported))
}

/// Whether this worker was started as a helper.
pub fn is_helper(scope: &DedicatedWorkerGlobalScope) -> bool {
    scope.name() == HELPER
}

/// A helper's script, beside the compute worker's: it loads the compute
/// worker's glue and waits for its compiled module.
const SCRIPT: &str = "helper_loader.js";

/// Runs `handed`'s jobs in `helpers` helper workers (this worker's own
/// module, handed over compiled); `progress` hears (jobs done, jobs in
/// all). The answers come in the jobs' order.
pub async fn run(
    handed: &Handed,
    helpers: usize,
    progress: Rc<dyn Fn(u64, u64)>,
) -> Result<Vec<Done>, String> {
    // The largest jobs first, so that no helper starts a large one last
    // while the others idle.
    let mut order: Vec<usize> = (0..handed.jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(handed.jobs[i].size(&handed.x)));
    let shared = Rc::new(Shared {
        x: handed.x.clone(),
        jobs: handed.jobs.clone(),
        order,
        bytes: matrix_bytes(&handed.x),
        next: Cell::new(0),
        answers: RefCell::new(vec![None; handed.jobs.len()]),
        stop: Cell::new(false),
    });
    let helpers = helpers.clamp(1, handed.jobs.len().max(1));
    let each = Array::new();
    for _ in 0..helpers {
        let shared = shared.clone();
        let progress = progress.clone();
        each.push(&future_to_promise(async move {
            let work = serve_jobs(&shared, &*progress).await;
            if work.is_err() {
                // The others stop at their next job.
                shared.stop.set(true);
            }
            work.map(|()| JsValue::UNDEFINED)
                .map_err(|e| JsValue::from_str(&e))
        }));
    }
    JsFuture::from(Promise::all(&each))
        .await
        .map_err(|e| e.as_string().unwrap_or_default())?;
    let answers = shared.answers.take();
    answers
        .into_iter()
        .map(|a| a.ok_or_else(|| "a job was left without an answer".to_string()))
        .collect()
}

/// What the helpers of one list share.
struct Shared {
    x: crate::ml::matrix::Matrix,
    jobs: Vec<crate::ml::jobs::Job>,
    /// The jobs in the order they are taken.
    order: Vec<usize>,
    bytes: Vec<u8>,
    /// The next place in `order` no helper has taken.
    next: Cell<usize>,
    answers: RefCell<Vec<Option<Done>>>,
    /// A helper failed: the others take no more jobs.
    stop: Cell<bool>,
}

/// One helper: started, given the matrix, then jobs until none is left.
async fn serve_jobs(shared: &Shared, progress: &dyn Fn(u64, u64)) -> Result<(), String> {
    let clock = web_sys::js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .performance();
    let at = || clock.as_ref().map_or(0.0, |p| p.now());
    let began = at();
    let module = wasm_bindgen::module();
    let child = Child::start(SCRIPT, Some(HELPER), Some(&module), "a helper worker")
        .await
        .map_err(said)?;
    let started = at();
    let matrix = Ask::Matrix {
        rows: shared.x.rows,
        cols: shared.x.cols,
    };
    let header = serde_json::to_string(&matrix).map_err(|e| e.to_string())?;
    let (answer, _) = child
        .ask(&header, Some(&shared.bytes))
        .await
        .map_err(said)?;
    match serde_json::from_str::<Answer>(&answer) {
        Ok(Answer::Held) => {}
        Ok(Answer::Error(message)) => return Err(message),
        _ => return Err("a helper worker answered out of turn".into()),
    }
    let held = at();
    let mut timed = Vec::new();
    let total = shared.jobs.len() as u64;
    loop {
        let taken = shared.next.get();
        let Some(&i) = shared.order.get(taken) else {
            // For whoever measures: where a helper's time went.
            web_sys::console::debug_1(
                &format!(
                    "helper: started in {:.0} ms, matrix held in {:.0} ms, jobs {timed:?} ms",
                    started - began,
                    held - started
                )
                .into(),
            );
            return Ok(());
        };
        if shared.stop.get() {
            return Ok(());
        }
        let job_began = at();
        shared.next.set(taken + 1);
        let job = &shared.jobs[i];
        let header = serde_json::to_string(&Ask::Job(job.clone())).map_err(|e| e.to_string())?;
        let (answer, bulk) = child.ask(&header, None).await.map_err(said)?;
        let done = decode(&shared.x, job, &answer, bulk)?;
        timed.push((at() - job_began).round());
        let answered = {
            let mut answers = shared.answers.borrow_mut();
            answers[i] = Some(done);
            answers.iter().filter(|a| a.is_some()).count() as u64
        };
        progress(answered, total);
    }
}

fn said(failed: Failed) -> String {
    match failed {
        Failed::Start(m) | Failed::Post(m) | Failed::Garbled(m) | Failed::Stopped(m) => {
            format!("a helper worker failed ({m})")
        }
    }
}

/// A helper's side: says it is ready, then answers each message
/// ([`Helper::answer`]).
pub fn serve(scope: DedicatedWorkerGlobalScope) {
    let reply_to = scope.clone();
    let helper = RefCell::new(Helper::default());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (header, bulk) = match transport::unpack(&event.data(), "the compute worker") {
            Ok((header, bulk)) => helper.borrow_mut().answer(&header, bulk),
            Err(e) => (
                serde_json::to_string(&Answer::Error(e.to_string())).unwrap_or_default(),
                None,
            ),
        };
        reply(&reply_to, &header, bulk.as_deref());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    reply(&scope, READY, None);
}
