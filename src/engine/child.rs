//! A worker the compute worker starts and talks to in turn (wasm32): the
//! Parquet reader (`engine::parquet`) and the helpers that run learning
//! jobs (`engine::helpers`). It says `"ready"` once its module runs; then
//! each message posted is answered by one message, both in `transport`'s
//! form (a JSON header and a bulk buffer). Dropping it ends the worker.

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsValue};
use web_sys::{MessageEvent, Worker, WorkerOptions};

use crate::engine::transport::{self, js_text};

/// What a child says when its module runs.
pub const READY: &str = "\"ready\"";

/// A started child worker.
pub struct Child {
    worker: Worker,
    /// Its name in messages ("the Parquet reader").
    who: &'static str,
}

impl Drop for Child {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Why talking to a child failed.
pub enum Failed {
    /// It could not be started.
    Start(String),
    /// A message could not be posted to it.
    Post(String),
    /// It stopped (a crash, a script that did not load).
    Stopped(String),
    /// It answered something that is not a message.
    Garbled(String),
}

impl Child {
    /// Starts `script` (named `name`, which the child reads to know its
    /// role), posts it `first` if given (a helper's compiled module), and
    /// waits until it says it is ready.
    pub async fn start(
        script: &str,
        name: Option<&str>,
        first: Option<&JsValue>,
        who: &'static str,
    ) -> Result<Child, Failed> {
        let failed = |e: JsValue| Failed::Start(format!("{who} could not start ({})", js_text(&e)));
        let options = WorkerOptions::new();
        if let Some(name) = name {
            options.set_name(name);
        }
        let worker = Worker::new_with_options(script, &options).map_err(failed)?;
        let child = Child { worker, who };
        if let Some(first) = first {
            child.worker.post_message(first).map_err(failed)?;
        }
        let (header, _) = child.next().await?;
        if header != READY {
            return Err(Failed::Garbled(format!("{who} answered out of turn")));
        }
        Ok(child)
    }

    /// Posts `header` (with `bulk`, transferred) and waits for the
    /// answer's header and bulk.
    pub async fn ask(
        &self,
        header: &str,
        bulk: Option<&[u8]>,
    ) -> Result<(String, Option<Vec<u8>>), Failed> {
        let answer = self.next();
        let buffer = bulk.map(transport::buffer);
        transport::pack(header, buffer.as_ref())
            .map_err(|e| e.to_string())
            .and_then(|packed| {
                self.worker
                    .post_message_with_transfer(&packed.message, &packed.transfer)
                    .map_err(|e| js_text(&e))
            })
            .map_err(Failed::Post)?;
        answer.await
    }

    /// The worker's next message, or its error as text.
    async fn next(&self) -> Result<(String, Option<Vec<u8>>), Failed> {
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
        let data = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| Failed::Stopped(e.as_string().unwrap_or_default()))?;
        transport::unpack(&data, self.who).map_err(|e| Failed::Garbled(e.to_string()))
    }
}

/// Posts a child's answer (or its `"ready"`) back to the compute worker.
pub fn reply(scope: &web_sys::DedicatedWorkerGlobalScope, header: &str, bulk: Option<&[u8]>) {
    let buffer = bulk.map(transport::buffer);
    let posted = transport::pack(header, buffer.as_ref())
        .map_err(|e| e.to_string())
        .and_then(|packed| {
            scope
                .post_message_with_transfer(&packed.message, &packed.transfer)
                .map_err(|e| js_text(&e))
        });
    if let Err(e) = posted {
        web_sys::console::error_1(&e.into());
    }
}
