//! Parquet in the browser, in a worker of its own (wasm32). The Parquet
//! reader is about as big as the rest of the compute worker, so it lives in
//! a module of its own (the `parquet` binary) that the browser fetches only
//! when a Parquet file is opened: the compute worker starts it, posts the
//! file's bytes and gets back an Arrow IPC file, or the loader's message,
//! then the Parquet worker is ended.
//!
//! Its messages: the Parquet worker posts `"ready"` once its module runs;
//! then a file (an `ArrayBuffer`, transferred) goes in and an `ArrayBuffer`
//! (the Arrow file) or a string (why not) comes out.

use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker};

use crate::data::load::{Limits, parquet_to_ipc};
use crate::engine::transport::{self, js_text};

/// The Parquet worker's script, beside the compute worker's.
const SCRIPT: &str = "parquet_loader.js";
const READY: &str = "ready";

/// The Parquet file `bytes` as an Arrow IPC file, read in a Parquet worker.
pub async fn to_arrow(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let failed = |e: JsValue| format!("the Parquet reader could not start ({})", js_text(&e));
    let worker = Worker::new(SCRIPT).map_err(failed)?;
    let result = exchange(&worker, bytes).await;
    worker.terminate();
    result
}

async fn exchange(worker: &Worker, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let ready = next_message(worker).await?;
    if ready.as_string().as_deref() != Some(READY) {
        return Err("the Parquet reader answered out of turn".into());
    }
    let answer = next_message(worker);
    let buffer = transport::buffer(&bytes);
    drop(bytes);
    worker
        .post_message_with_transfer(&buffer, &Array::of1(&buffer))
        .map_err(|e| {
            format!(
                "the file could not be handed to the Parquet reader ({})",
                js_text(&e)
            )
        })?;
    let data = answer.await?;
    match data.dyn_into::<ArrayBuffer>() {
        Ok(buffer) => Ok(Uint8Array::new(&buffer).to_vec()),
        Err(data) => Err(data
            .as_string()
            .unwrap_or_else(|| "the Parquet reader answered in a form it should not".into())),
    }
}

/// The worker's next message, or its error (a crash, a script that did not
/// load) as a message.
async fn next_message(worker: &Worker) -> Result<JsValue, String> {
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

/// The Parquet worker's side: says it is ready, then answers each file.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = match event.data().dyn_into::<ArrayBuffer>() {
            Ok(buffer) => parquet_to_ipc(Uint8Array::new(&buffer).to_vec(), &Limits::default())
                .map_err(|e| e.to_string()),
            Err(_) => Err("the Parquet reader takes a file's bytes".into()),
        };
        let posted = match answer {
            Ok(ipc) => {
                let buffer = transport::buffer(&ipc);
                reply.post_message_with_transfer(&buffer, &Array::of1(&buffer))
            }
            Err(message) => reply.post_message(&message.into()),
        };
        if let Err(e) = posted {
            web_sys::console::error_1(&e);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&READY.into());
}
