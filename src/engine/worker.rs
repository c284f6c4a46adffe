//! The compute worker's message loop (wasm32). It decodes each message,
//! hands it to [`Engine`], and posts the answer back. It announces itself
//! with `Response::Ready`, because messages posted before its wasm module
//! has started would be lost.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::engine::handler::{Engine, Outcome};
use crate::engine::protocol::{self, Envelope, Request, Response};
use crate::engine::transport;

/// Starts the worker: installs the message handler and says it is ready.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine = Rc::new(RefCell::new(Engine::new()));
    let reply_scope = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let (id, outcome) = receive(&engine, &event);
        match outcome {
            Outcome::Reply(response) => post(&reply_scope, id, &response),
            Outcome::Crash => wasm_bindgen::throw_str("simulated crash of the compute engine"),
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
}

fn receive(engine: &RefCell<Engine>, event: &MessageEvent) -> (u64, Outcome) {
    let decoded = transport::unpack(&event.data(), "page").and_then(|(header, bulk)| {
        protocol::decode::<Request>(&header, "page").map(|envelope| (envelope, bulk))
    });
    match decoded {
        Ok((Envelope { id, body, .. }, bulk)) => match engine.try_borrow_mut() {
            Ok(mut engine) => (id, engine.handle(body, bulk)),
            Err(_) => (id, busy()),
        },
        Err(e) => (
            0,
            Outcome::Reply(Response::Error {
                message: e.to_string(),
            }),
        ),
    }
}

fn busy() -> Outcome {
    Outcome::Reply(Response::Error {
        message: "the compute engine is busy; try again".into(),
    })
}

/// Posts a response; a failure to post is logged, since there is nobody
/// else to tell.
fn post(scope: &DedicatedWorkerGlobalScope, id: u64, response: &Response) {
    let sent = protocol::encode(id, response)
        .and_then(|header| transport::pack(&header, None))
        .and_then(|packed| {
            scope
                .post_message_with_transfer(&packed.message, &packed.transfer)
                .map_err(|e| crate::error::ProtocolError::Encode(format!("{e:?}")))
        });
    if let Err(e) = sent {
        web_sys::console::error_1(&e.to_string().into());
    }
}
