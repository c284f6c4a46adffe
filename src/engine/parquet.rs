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

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::data::load::{Limits, parquet_columns, parquet_head};
use crate::engine::child::{Child, Failed, READY, reply};
use crate::engine::transport;

/// The Parquet worker's script, beside the compute worker's.
const SCRIPT: &str = "parquet_loader.js";
const WHO: &str = "the Parquet reader";
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
    child: Child,
}

impl Reader {
    /// Starts a Parquet worker for the file `bytes` and reads its first
    /// `head` rows: the reader, those rows as an Arrow IPC file and the
    /// rows of the whole file.
    pub async fn open(bytes: Vec<u8>, head: u64) -> Result<(Reader, Vec<u8>, u64), String> {
        let reader = Reader {
            child: Child::start(SCRIPT, None, None, WHO).await.map_err(said)?,
        };
        match reader.ask(&Ask::Open { head }, Some(&bytes)).await? {
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

    /// Posts `ask` (with `bulk`) and waits for the answer; an error
    /// answer is the error.
    async fn ask(&self, ask: &Ask, bulk: Option<&[u8]>) -> Result<(Answer, Vec<u8>), String> {
        let header = serde_json::to_string(ask).map_err(|e| e.to_string())?;
        let (header, bulk) = self.child.ask(&header, bulk).await.map_err(said)?;
        match serde_json::from_str(&header) {
            Ok(Answer::Error(message)) => Err(message),
            Ok(answer) => Ok((answer, bulk.unwrap_or_default())),
            Err(_) => Err("the Parquet reader answered in a form it should not".into()),
        }
    }
}

/// A failure to talk to the Parquet worker, for the visitor.
fn said(failed: Failed) -> String {
    match failed {
        Failed::Start(message) | Failed::Garbled(message) => message,
        Failed::Post(e) => format!("the file could not be handed to the Parquet reader ({e})"),
        Failed::Stopped(e) => format!(
            "the Parquet reader stopped on this file, which may be damaged ({e}); what is open stays open"
        ),
    }
}

/// The Parquet worker's side: says it is ready, then keeps the file it is
/// given and answers what is asked of it. Each read is counted against
/// one budget of decoded bytes for the file.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
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
            Ok((answer, ipc)) => (answer, Some(ipc)),
            Err(message) => (Answer::Error(message), None),
        };
        match serde_json::to_string(&header) {
            Ok(header) => reply(&reply_to, &header, bulk.as_deref()),
            Err(e) => web_sys::console::error_1(&e.to_string().into()),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    reply(&scope, READY, None);
}
