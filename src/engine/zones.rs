//! Named time zones' rules from the browser's `Intl` (wasm32), given to
//! `data::time` so that the page shows a named zone's timestamps in local
//! time. Every call into JavaScript that can throw (an unknown zone, a date
//! out of range) is caught: a zone the browser does not know falls back to
//! UTC, never stops the engine.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::data::time::days_from_civil;

/// The most zones kept formatted (a file cannot make the worker keep
/// thousands of formatters).
const MAX_ZONES: usize = 64;

thread_local! {
    static FORMATS: RefCell<HashMap<String, Option<JsValue>>> = RefCell::new(HashMap::new());
}

/// The offset of `zone` at `utc_seconds` in seconds east of UTC.
pub fn offset(zone: &str, utc_seconds: i64) -> Option<i32> {
    // JavaScript dates reach ±8.64e15 ms.
    if utc_seconds.unsigned_abs() > 8_000_000_000_000 {
        return None;
    }
    let format = FORMATS.with(|formats| {
        let mut formats = formats.borrow_mut();
        if !formats.contains_key(zone) && formats.len() >= MAX_ZONES {
            return None;
        }
        formats
            .entry(zone.to_string())
            .or_insert_with(|| formatter(zone))
            .clone()
    })?;
    let date = js_sys::Date::new(&JsValue::from_f64(utc_seconds as f64 * 1000.0));
    let parts: Array = Reflect::get(&format, &"formatToParts".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?
        .call1(&format, &date)
        .ok()?
        .dyn_into()
        .ok()?;
    let mut fields = [0i64; 6];
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let at = ["year", "month", "day", "hour", "minute", "second"]
            .iter()
            .position(|k| *k == kind);
        if let Some(at) = at {
            fields[at] = Reflect::get(&part, &"value".into())
                .ok()?
                .as_string()?
                .parse()
                .ok()?;
        }
    }
    let [year, month, day, hour, minute, second] = fields;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || year.abs() > 300_000 {
        return None;
    }
    let days = days_from_civil(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?);
    // Some engines write midnight as 24.
    let local = days * 86_400 + (hour % 24) * 3600 + minute * 60 + second;
    i32::try_from(local - utc_seconds).ok()
}

/// An `Intl.DateTimeFormat` for `zone` with numeric fields on a 24-hour
/// clock, or `None` when the browser does not know the zone.
fn formatter(zone: &str) -> Option<JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = Object::new();
    for (key, value) in [
        ("timeZone", zone),
        ("hourCycle", "h23"),
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("second", "numeric"),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    let arguments = Array::of2(&"en-US".into(), &options);
    // Throws a RangeError for a zone it does not know: caught here.
    Reflect::construct(&constructor, &arguments).ok()
}
