//! Downloads from the static host, with errors a visitor can act on.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::download;
use crate::engine::transport::js_text;

/// Resolves `relative` against the page's base URL, so the lab works when
/// hosted under a sub-path.
pub fn resolve(relative: &str) -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("the page has no document")?;
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .ok_or("the page has no base URL")?;
    web_sys::Url::new_with_base(relative, &base)
        .map(|url| url.href())
        .map_err(|e| format!("{relative:?} is not a valid address: {}", js_text(&e)))
}

/// Resolves `relative` against the absolute URL `base` (a dataset file
/// against its catalog).
pub fn resolve_against(relative: &str, base: &str) -> Result<String, String> {
    web_sys::Url::new_with_base(relative, base)
        .map(|url| url.href())
        .map_err(|e| format!("{relative:?} is not a valid address: {}", js_text(&e)))
}

/// Downloads `url` whole, refusing more than `limit` bytes.
pub async fn bytes(url: &str, limit: usize) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("the page has no window")?;
    let fetched = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| download::unreachable(url, &e))?;
    let (response, _) = download::checked_response(url, fetched, limit as u64)?;
    let buffer = response
        .array_buffer()
        .map_err(|e| format!("{url}: {}", js_text(&e)))?;
    let buffer: ArrayBuffer = JsFuture::from(buffer)
        .await
        .map_err(|e| format!("{url}: the download broke off ({})", js_text(&e)))?
        .dyn_into()
        .map_err(|_| format!("{url}: the body is not binary data"))?;
    let length = buffer.byte_length() as usize;
    if length > limit {
        return Err(format!(
            "{url} is {length} bytes, more than the {limit} allowed"
        ));
    }
    Ok(Uint8Array::new(&buffer).to_vec())
}
