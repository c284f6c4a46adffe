//! Downloads in the worker (wasm32): from the browser's Cache API when the
//! file is there (keyed by its SHA-256, so reopening, another tab or a
//! restarted worker does not download again), otherwise from the network
//! with progress, a size cap and cancellation.

use js_sys::{Reflect, Uint8Array};

use crate::engine::transport::js_text;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Cache, RequestInit, Response, WorkerGlobalScope};

/// The cache that holds dataset files.
const CACHE_NAME: &str = "datalabb-datasets-v1";
/// Progress is reported at most once per this many bytes.
const PROGRESS_STEP: u64 = 256 * 1024;

/// The Cache API key of a file: its hash, whatever URL served it.
fn cache_key(sha256: &str) -> String {
    format!("https://datalabb.invalid/sha256/{sha256}")
}

/// Turns what `fetch` resolved to into a response that answered 2xx and
/// announces at most `limit` bytes; returns it with its announced length.
pub fn checked_response(
    url: &str,
    fetched: JsValue,
    limit: u64,
) -> Result<(Response, Option<u64>), String> {
    let response: Response = fetched
        .dyn_into()
        .map_err(|_| format!("{url}: the browser returned no response"))?;
    if !response.ok() {
        return Err(format!(
            "{url} answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let announced = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|l| l.trim().parse::<u64>().ok());
    if let Some(length) = announced
        && length > limit
    {
        return Err(format!(
            "{url} announces {length} bytes, more than the {limit} this lab loads; \
             use the command-line tool for data this large"
        ));
    }
    Ok((response, announced))
}

/// SHA-256 of `bytes` as lowercase hex, computed by the browser's
/// WebCrypto: native code, several times faster than hashing in wasm (see
/// the loading benchmark). `None` where WebCrypto is missing (a page served
/// over plain HTTP from another host than localhost); then the caller
/// hashes in wasm.
pub async fn sha256_webcrypto(scope: &WorkerGlobalScope, bytes: &[u8]) -> Option<String> {
    let subtle = scope.crypto().ok()?.subtle();
    // WebCrypto copies the bytes when called, so a view of wasm memory is safe.
    let promise = subtle.digest_with_str_and_u8_array("SHA-256", bytes).ok()?;
    let digest = JsFuture::from(promise).await.ok()?;
    let digest = Uint8Array::new(&digest).to_vec();
    (digest.len() == 32).then(|| digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// What a failed `fetch` says, for a visitor.
pub fn unreachable(url: &str, error: &JsValue) -> String {
    format!(
        "{url} could not be reached ({}); check your connection and try again",
        js_text(error)
    )
}

/// The dataset cache, when the browser gives one: a page without an
/// origin of its own (an iframe in a sandbox, or under an opaque page) has
/// no `caches` at all, and the lab then downloads without one.
async fn open_cache(scope: &WorkerGlobalScope) -> Option<Cache> {
    let caches: web_sys::CacheStorage = js_sys::Reflect::get(scope, &"caches".into())
        .ok()
        .filter(|c| c.is_object())?
        .dyn_into()
        .ok()?;
    JsFuture::from(caches.open(CACHE_NAME))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// The cached bytes of the file with this hash, if the cache has them.
pub async fn cached(scope: &WorkerGlobalScope, sha256: &str) -> Option<Vec<u8>> {
    let cache = open_cache(scope).await?;
    let found = JsFuture::from(cache.match_with_str(&cache_key(sha256)))
        .await
        .ok()?;
    let response: Response = found.dyn_into().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// Keeps verified bytes in the cache. A full or missing cache only costs
/// a later download, so failures are ignored.
pub async fn remember(scope: &WorkerGlobalScope, sha256: &str, bytes: &[u8]) {
    let Some(cache) = open_cache(scope).await else {
        return;
    };
    let array = Uint8Array::from(bytes);
    if let Ok(response) = Response::new_with_opt_buffer_source(Some(&array)) {
        let _ = JsFuture::from(cache.put_with_str(&cache_key(sha256), &response)).await;
    }
}

/// Downloads `url`, refusing more than `limit` bytes; `progress` hears
/// `(loaded, total)` as chunks arrive. `expected` (the catalog's size)
/// stands in for a missing Content-Length.
pub async fn fetch(
    scope: &WorkerGlobalScope,
    url: &str,
    expected: u64,
    limit: u64,
    signal: &AbortSignal,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let cancelled = || "the download was cancelled".to_string();
    let init = RequestInit::new();
    init.set_signal(Some(signal));
    let fetched = JsFuture::from(scope.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| {
            if signal.aborted() {
                cancelled()
            } else {
                unreachable(url, &e)
            }
        })?;
    let (response, announced) = checked_response(url, fetched, limit)?;
    let total = announced.or((expected > 0).then_some(expected));
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| format!("{url}: the body cannot be read"))?;
    let capacity = total.unwrap_or(0).min(limit) as usize;
    let mut bytes = Vec::with_capacity(capacity);
    let mut reported = 0;
    progress(0, total);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| {
            if signal.aborted() {
                cancelled()
            } else {
                format!("{url}: the download broke off ({})", js_text(&e))
            }
        })?;
        let done = Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(|| format!("{url}: the download sent something that is not bytes"))?;
        if bytes.len() as u64 + u64::from(value.length()) > limit {
            let _ = reader.cancel();
            return Err(format!(
                "{url} is larger than the {limit} bytes this lab loads"
            ));
        }
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        let loaded = bytes.len() as u64;
        if loaded - reported >= PROGRESS_STEP {
            reported = loaded;
            progress(loaded, total);
        }
    }
    progress(bytes.len() as u64, total);
    Ok(bytes)
}
