//! Parquet in the browser, in a worker of its own (wasm32). The Parquet
//! reader is about as big as the rest of the compute worker, so it lives in
//! a module of its own (the `parquet` binary) that the browser fetches only
//! when a Parquet file is opened.
//!
//! Each Parquet file opened gets a Parquet worker ([`Reader`]), which keeps
//! the file and reads it as it is needed: first its first rows (every
//! column, from the row groups that hold them), then whole columns when a
//! request needs them (see `engine::handler::partial`). The compute worker
//! ends it when the file is read whole or closed. A file that crashes its
//! reader ends only that reader.
//!
//! Its messages cross as the compute worker's do (`transport`): a JSON
//! header and a bulk buffer. The Parquet worker says `"ready"` once its
//! module runs; then `{"open":{"head":N}}` with the file's bytes, answered
//! with `{"rows":R}` and the first rows as an Arrow IPC file, and
//! `{"read":{"columns":[..]}}`, answered with `{"rows":R}` and those
//! columns; or `{"error":"why"}`.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker};

use crate::data::load::{Limits, parquet_columns, parquet_head};
use crate::engine::transport::{self, js_text};

/// The Parquet worker's script, beside the compute worker's.
const SCRIPT: &str = "parquet_loader.js";
const READY: &str = "\"ready\"";
const OUT_OF_TURN: &str = "the Parquet reader answered out of turn";

/// What the compute worker asks of a Parquet worker.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Ask {
    /// The file comes with it: its first `head` rows.
    Open { head: u64 },
    /// These columns, every row.
    Read { columns: BTreeSet<String> },
}

/// A Parquet worker's answer, with an Arrow IPC file as the bulk, or why
/// not.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Answer {
    /// The first rows of a file of `rows` rows.
    Head {
        rows: u64,
    },
    /// The columns asked.
    Columns,
    Error(String),
}

/// A Parquet file held by a Parquet worker of its own. Dropping it ends
/// the worker.
pub struct Reader {
    worker: Worker,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

impl Reader {
    /// Starts a Parquet worker for the file `bytes` and reads its first
    /// `head` rows: the reader, those rows as an Arrow IPC file and the
    /// rows of the whole file.
    pub async fn open(bytes: Vec<u8>, head: u64) -> Result<(Reader, Vec<u8>, u64), String> {
        let failed = |e: JsValue| format!("the Parquet reader could not start ({})", js_text(&e));
        let reader = Reader {
            worker: Worker::new(SCRIPT).map_err(failed)?,
        };
        let ready = reader.next_message().await?;
        if transport::unpack(&ready, "the Parquet reader").map(|(h, _)| h) != Ok(READY.into()) {
            return Err(OUT_OF_TURN.into());
        }
        match reader.ask(&Ask::Open { head }, Some(bytes)).await? {
            (Answer::Head { rows }, ipc) => Ok((reader, ipc, rows)),
            _ => Err(OUT_OF_TURN.into()),
        }
    }

    /// The `columns` named, every row, as an Arrow IPC file.
    pub async fn columns(&self, columns: BTreeSet<String>) -> Result<Vec<u8>, String> {
        match self.ask(&Ask::Read { columns }, None).await? {
            (Answer::Columns, ipc) => Ok(ipc),
            _ => Err(OUT_OF_TURN.into()),
        }
    }

    /// Posts `ask` (with `bulk`, transferred) and waits for the answer; an
    /// error answer is the error.
    async fn ask(&self, ask: &Ask, bulk: Option<Vec<u8>>) -> Result<(Answer, Vec<u8>), String> {
        let header = serde_json::to_string(ask).map_err(|e| e.to_string())?;
        let answer = self.next_message();
        let buffer = bulk.map(|bytes| transport::buffer(&bytes));
        let sent = transport::pack(&header, buffer.as_ref())
            .map_err(|e| e.to_string())
            .and_then(|packed| {
                self.worker
                    .post_message_with_transfer(&packed.message, &packed.transfer)
                    .map_err(|e| js_text(&e))
            });
        if let Err(e) = sent {
            return Err(format!(
                "the file could not be handed to the Parquet reader ({e})"
            ));
        }
        let (header, bulk) =
            transport::unpack(&answer.await?, "the Parquet reader").map_err(|e| e.to_string())?;
        match serde_json::from_str(&header) {
            Ok(Answer::Error(message)) => Err(message),
            Ok(answer) => Ok((answer, bulk.unwrap_or_default())),
            Err(_) => Err("the Parquet reader answered in a form it should not".into()),
        }
    }

    /// The worker's next message, or its error (a crash, a script that did
    /// not load) as a message.
    async fn next_message(&self) -> Result<JsValue, String> {
        let worker = &self.worker;
        let promise = Promise::new(&mut |resolve, reject| {
            let on_message = Closure::once_into_js(move |event: MessageEvent| {
                let _ = resolve.call1(&JsValue::NULL, &event.data());
            });
            let on_error = Closure::once_into_js(move |event: web_sys::ErrorEvent| {
                // Handled here: not passed on as the compute worker's own
                // error, which the page would take for its crash.
                event.prevent_default();
                let message = event.message();
                let message = if message.is_empty() {
                    "it stopped".to_string()
                } else {
                    message
                };
                let _ = reject.call1(&JsValue::NULL, &message.into());
            });
            worker.set_onmessage(Some(on_message.unchecked_ref()));
            worker.set_onerror(Some(on_error.unchecked_ref()));
        });
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| {
                format!(
                    "the Parquet reader stopped on this file, which may be damaged ({}); what is open stays open",
                    e.as_string().unwrap_or_default()
                )
            })
    }
}

/// The Parquet worker's side: says it is ready, then keeps the file it is
/// given and answers what is asked of it. Each read is counted against
/// one budget of decoded bytes for the file.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let file: Rc<RefCell<Option<bytes::Bytes>>> = Rc::default();
    let spent = Rc::new(RefCell::new(0u64));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = transport::unpack(&event.data(), "the compute worker")
            .map_err(|e| e.to_string())
            .and_then(|(header, bulk)| {
                let ask = serde_json::from_str::<Ask>(&header)
                    .map_err(|_| "the Parquet reader was asked something it does not know")?;
                let mut limits = Limits::default();
                limits.max_decoded_bytes = limits.max_decoded_bytes.saturating_sub(*spent.borrow());
                let read = match (ask, bulk) {
                    (Ask::Open { head }, Some(bytes)) => {
                        let bytes = bytes::Bytes::from(bytes);
                        *file.borrow_mut() = Some(bytes.clone());
                        parquet_head(bytes, &limits, head)
                            .map(|(ipc, rows)| (Answer::Head { rows }, ipc))
                    }
                    (Ask::Read { columns }, None) => {
                        let Some(bytes) = file.borrow().clone() else {
                            return Err("the Parquet reader holds no file".into());
                        };
                        parquet_columns(bytes, &limits, &columns).map(|ipc| (Answer::Columns, ipc))
                    }
                    _ => return Err("the Parquet reader was asked out of turn".into()),
                };
                let (answer, ipc) = read.map_err(|e| e.to_string())?;
                *spent.borrow_mut() += ipc.len() as u64;
                Ok((answer, ipc))
            });
        let (header, bulk) = match answer {
            Ok((answer, ipc)) => (answer, Some(transport::buffer(&ipc))),
            Err(message) => (Answer::Error(message), None),
        };
        let posted = serde_json::to_string(&header)
            .map_err(|e| e.to_string())
            .and_then(|header| transport::pack(&header, bulk.as_ref()).map_err(|e| e.to_string()))
            .and_then(|packed| {
                reply
                    .post_message_with_transfer(&packed.message, &packed.transfer)
                    .map_err(|e| js_text(&e))
            });
        if let Err(e) = posted {
            web_sys::console::error_1(&e.into());
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    if let Ok(packed) = transport::pack(READY, None) {
        let _ = scope.post_message(&packed.message);
    }
}
