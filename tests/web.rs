//! Browser tests (wasm-bindgen-test in headless Chromium): the parts of the
//! worker bridge that only a real browser can check.
#![cfg(target_arch = "wasm32")]

use datalabb::data::catalog::fixture_catalog;
use datalabb::engine::protocol::{self, Envelope, Request};
use datalabb::engine::transport;
use js_sys::{ArrayBuffer, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MessageChannel, MessageEvent};

#[path = "support/mutation.rs"]
mod mutation;

wasm_bindgen_test_configure!(run_in_browser);

/// The native mutation test's inputs, in the browser: where a 4 GiB heap
/// and `panic = abort` turn what native code survives into a dead lab.
#[wasm_bindgen_test]
fn mutated_arrow_files_give_errors_not_aborts_in_wasm() {
    use datalabb::data::load::{Limits, decode};
    let encodings = mutation::encodings();
    let mut rng = mutation::Rng::new(0x5eed_da7a_1abb);
    let (mut decoded, mut refused) = (0, 0);
    for i in 0..2000 {
        let input = mutation::mutate(&mut rng, encodings[i % encodings.len()].clone());
        match decode(input, &Limits::default()) {
            Ok(_) => decoded += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        refused > 1000 && decoded > 0,
        "{decoded} decoded, {refused} refused"
    );
}

/// Posts `message` through a real MessageChannel and returns what arrives.
async fn through_channel(message: &JsValue, transfer: &js_sys::Array) -> JsValue {
    let channel = MessageChannel::new().unwrap();
    let receiver = channel.port2();
    let arrived = js_sys::Promise::new(&mut |resolve, _reject| {
        let on_message = Closure::once_into_js(move |event: MessageEvent| {
            resolve.call1(&JsValue::NULL, &event.data()).unwrap();
        });
        receiver.set_onmessage(Some(on_message.unchecked_ref()));
    });
    channel
        .port1()
        .post_message_with_transferable(message, transfer)
        .unwrap();
    JsFuture::from(arrived).await.unwrap()
}

#[wasm_bindgen_test]
async fn a_message_with_bulk_bytes_crosses_a_channel_and_its_buffer_is_moved() {
    let bytes = fixture_catalog().to_json().into_bytes();
    let header = protocol::encode(
        42,
        &Request::LoadCatalog {
            url: "data/catalog.json".into(),
        },
    )
    .unwrap();
    let packed = transport::pack(&header, Some(&transport::buffer(&bytes))).unwrap();
    let sent: ArrayBuffer = Reflect::get(&packed.message, &"b".into()).unwrap().into();
    assert_eq!(sent.byte_length() as usize, bytes.len());

    let arrived = through_channel(&packed.message, &packed.transfer).await;

    // Transferred, not copied: the sender's buffer is now empty (detached).
    assert_eq!(sent.byte_length(), 0);
    let (header, bulk) = transport::unpack(&arrived, "page").unwrap();
    let envelope: Envelope<Request> = protocol::decode(&header, "page").unwrap();
    assert_eq!(envelope.id, 42);
    assert_eq!(bulk.as_deref(), Some(bytes.as_slice()));
}

#[wasm_bindgen_test]
fn hostile_js_values_are_errors_not_panics() {
    let not_text = js_sys::Object::new();
    Reflect::set(&not_text, &"h".into(), &7.into()).unwrap();
    let bad_bulk = js_sys::Object::new();
    Reflect::set(&bad_bulk, &"h".into(), &"{}".into()).unwrap();
    Reflect::set(&bad_bulk, &"b".into(), &"not a buffer".into()).unwrap();
    for value in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from_str("{\"v\":1}"),
        js_sys::Object::new().into(),
        not_text.into(),
        bad_bulk.into(),
    ] {
        let error = transport::unpack(&value, "compute engine").unwrap_err();
        assert!(error.to_string().contains("compute engine"), "{error}");
    }
}
