//! How an encoded message crosses `postMessage`: a plain JS object
//! `{ h: <JSON header>, b?: ArrayBuffer }`. The bulk buffer is listed as
//! transferable, so the browser moves it to the other side without a copy.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::ProtocolError;

/// A message ready for `postMessage`, and the list of what to transfer.
pub struct Packed {
    pub message: JsValue,
    pub transfer: Array,
}

/// Packs a JSON header and an optional bulk buffer, which is transferred:
/// after posting, the sender's buffer is empty.
pub fn pack(header: &str, bulk: Option<&ArrayBuffer>) -> Result<Packed, ProtocolError> {
    let message = Object::new();
    let transfer = Array::new();
    set(&message, "h", &JsValue::from_str(header))?;
    if let Some(buffer) = bulk {
        set(&message, "b", buffer)?;
        transfer.push(buffer);
    }
    Ok(Packed {
        message: message.into(),
        transfer,
    })
}

/// Copies bytes out of wasm memory into a fresh `ArrayBuffer`, to send.
pub fn buffer(bytes: &[u8]) -> ArrayBuffer {
    Uint8Array::from(bytes).buffer()
}

/// Unpacks what [`pack`] made; anything else is an error naming `from`.
pub fn unpack(
    data: &JsValue,
    from: &'static str,
) -> Result<(String, Option<Vec<u8>>), ProtocolError> {
    let malformed = |message: &str| ProtocolError::Malformed {
        from,
        message: message.to_string(),
    };
    if !data.is_object() {
        return Err(malformed("it is not an object"));
    }
    let header = Reflect::get(data, &JsValue::from_str("h"))
        .map_err(|_| malformed("its header cannot be read"))?
        .as_string()
        .ok_or_else(|| malformed("its header is not text"))?;
    let bulk = Reflect::get(data, &JsValue::from_str("b"))
        .map_err(|_| malformed("its data cannot be read"))?;
    let bulk = if bulk.is_undefined() {
        None
    } else {
        let buffer = bulk
            .dyn_into::<ArrayBuffer>()
            .map_err(|_| malformed("its data is not an ArrayBuffer"))?;
        Some(Uint8Array::new(&buffer).to_vec())
    };
    Ok((header, bulk))
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), ProtocolError> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| ProtocolError::Encode(format!("cannot set {key:?} on a message")))
}

/// A readable text for a thrown JS value.
pub fn js_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
