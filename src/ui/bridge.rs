//! The page's end of the compute worker: a thin bridge over
//! `web_sys::Worker`.
//!
//! - Requests are encoded with [`protocol`]; bulk bytes are transferred.
//! - Requests sent before the worker says `Ready` wait in a queue, because
//!   a worker whose wasm module is still starting would drop them.
//! - The worker's `error` and `messageerror` events, and any message the
//!   page cannot decode, end that worker: it is terminated and the page is
//!   told with [`EngineEvent::Died`]. [`Bridge::respawn`] starts a new one.
//! - Events reach the page's handler from a fresh task, never from inside
//!   the worker's callbacks, so the handler may respawn or send at once.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::ArrayBuffer;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::engine::protocol::{self, Envelope, Request, Response};
use crate::engine::transport::{self, js_text};
use crate::error::ProtocolError;

/// What the bridge tells the page.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// The worker has started and takes requests.
    Ready { engine_version: String },
    /// An answer to request `id`.
    Reply { id: u64, response: Response },
    /// The worker crashed or spoke nonsense and was terminated.
    Died { reason: String },
}

type Handler = Rc<dyn Fn(EngineEvent)>;

/// A handle to the compute worker. Cheap to clone.
#[derive(Clone)]
pub struct Bridge {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    script_url: String,
    handler: Handler,
    worker: Option<Live>,
    next_id: u64,
    /// Counts spawned workers, so events of a terminated one are ignored.
    generation: u64,
}

/// A running worker, its callbacks (kept alive with it) and its queue.
struct Live {
    worker: Worker,
    ready: bool,
    queue: Vec<(String, Option<ArrayBuffer>)>,
    _callbacks: Callbacks,
}

struct Callbacks {
    _message: Closure<dyn FnMut(MessageEvent)>,
    _error: Closure<dyn FnMut(ErrorEvent)>,
    _message_error: Closure<dyn FnMut(MessageEvent)>,
}

impl Bridge {
    /// Starts the worker from the classic script at `script_url`.
    pub fn spawn(
        script_url: String,
        handler: impl Fn(EngineEvent) + 'static,
    ) -> Result<Self, String> {
        let bridge = Self {
            inner: Rc::new(RefCell::new(Inner {
                script_url,
                handler: Rc::new(handler),
                worker: None,
                next_id: 1,
                generation: 0,
            })),
        };
        bridge.respawn()?;
        Ok(bridge)
    }

    /// Terminates the current worker (if any) and starts a new one. Queued
    /// requests of the old worker are dropped: the page resends what the
    /// new one needs.
    pub fn respawn(&self) -> Result<(), String> {
        self.terminate();
        let (url, generation) = {
            let mut inner = self.inner.borrow_mut();
            inner.generation += 1;
            (inner.script_url.clone(), inner.generation)
        };
        let worker = Worker::new(&url).map_err(|e| {
            format!(
                "the compute engine could not be started from {url}: {}",
                js_text(&e)
            )
        })?;
        let callbacks = self.callbacks(generation);
        worker.set_onmessage(Some(callbacks._message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(callbacks._error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(callbacks._message_error.as_ref().unchecked_ref()));
        self.inner.borrow_mut().worker = Some(Live {
            worker,
            ready: false,
            queue: Vec::new(),
            _callbacks: callbacks,
        });
        Ok(())
    }

    /// Stops the worker at once; whatever it was computing is lost.
    pub fn terminate(&self) {
        let old = self.inner.borrow_mut().worker.take();
        if let Some(live) = old {
            live.worker.terminate();
            // The callbacks may be running right now (a worker that died
            // inside one): drop them from a later task, not from here.
            wasm_bindgen_futures::spawn_local(async move { drop(live) });
        }
    }

    /// Sends a request with optional bulk bytes (copied); returns its id.
    /// Waits in a queue until the worker is ready.
    pub fn send(&self, request: &Request, bulk: Option<&[u8]>) -> Result<u64, ProtocolError> {
        self.send_buffer(request, bulk.map(transport::buffer))
    }

    /// The id the next request will get: ids only grow, across restarts.
    pub fn next_id(&self) -> u64 {
        self.inner.borrow().next_id
    }

    /// Sends a request with a buffer that is moved to the worker, not
    /// copied (a file the visitor opened); returns its id.
    pub fn send_buffer(
        &self,
        request: &Request,
        bulk: Option<ArrayBuffer>,
    ) -> Result<u64, ProtocolError> {
        let mut inner = self.inner.borrow_mut();
        let id = inner.next_id;
        inner.next_id += 1;
        let header = protocol::encode(id, request)?;
        let Some(live) = inner.worker.as_mut() else {
            return Err(ProtocolError::Encode(
                "the compute engine is not running".into(),
            ));
        };
        if live.ready {
            post(&live.worker, &header, bulk.as_ref())?;
        } else {
            live.queue.push((header, bulk));
        }
        Ok(id)
    }

    fn callbacks(&self, generation: u64) -> Callbacks {
        let bridge = self.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            bridge.on_message(generation, &event);
        });
        let bridge = self.clone();
        let error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let message = event.message();
            let reason = if message.is_empty() {
                "the compute engine stopped with an error".to_string()
            } else {
                format!("the compute engine stopped: {message}")
            };
            bridge.died(generation, reason);
        });
        let bridge = self.clone();
        let message_error = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            bridge.died(
                generation,
                "a message from the compute engine could not be received".into(),
            );
        });
        Callbacks {
            _message: message,
            _error: error,
            _message_error: message_error,
        }
    }

    fn on_message(&self, generation: u64, event: &MessageEvent) {
        if self.inner.borrow().generation != generation {
            return;
        }
        let decoded =
            transport::unpack(&event.data(), "compute engine").and_then(|(header, bulk)| {
                let mut envelope = protocol::decode::<Response>(&header, "compute engine")?;
                // An export's bytes travel beside the header.
                match (&mut envelope.body, bulk) {
                    (Response::Exported { bytes, .. }, Some(bulk)) => *bytes = bulk,
                    (Response::Chart { pixels, .. }, Some(bulk)) => *pixels = bulk,
                    _ => {}
                }
                Ok(envelope)
            });
        match decoded {
            Ok(Envelope {
                body: Response::Ready { engine_version },
                ..
            }) => {
                if let Err(e) = self.flush() {
                    self.died(generation, e.to_string());
                    return;
                }
                self.emit(EngineEvent::Ready { engine_version });
            }
            Ok(Envelope { id, body, .. }) => self.emit(EngineEvent::Reply { id, response: body }),
            Err(e) => self.died(generation, e.to_string()),
        }
    }

    /// Marks the worker ready and posts what waited for it.
    fn flush(&self) -> Result<(), ProtocolError> {
        let mut inner = self.inner.borrow_mut();
        let Some(live) = inner.worker.as_mut() else {
            return Ok(());
        };
        live.ready = true;
        for (header, bulk) in std::mem::take(&mut live.queue) {
            post(&live.worker, &header, bulk.as_ref())?;
        }
        Ok(())
    }

    fn died(&self, generation: u64, reason: String) {
        if self.inner.borrow().generation != generation {
            return;
        }
        self.terminate();
        self.emit(EngineEvent::Died { reason });
    }

    fn emit(&self, event: EngineEvent) {
        let handler = self.inner.borrow().handler.clone();
        wasm_bindgen_futures::spawn_local(async move { handler(event) });
    }
}

fn post(worker: &Worker, header: &str, bulk: Option<&ArrayBuffer>) -> Result<(), ProtocolError> {
    let packed = transport::pack(header, bulk)?;
    worker
        .post_message_with_transfer(&packed.message, &packed.transfer)
        .map_err(|e| ProtocolError::Encode(js_text(&e)))
}
