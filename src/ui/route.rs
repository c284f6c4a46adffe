//! The page's end of the lab's addresses (`recipe::route` parses and
//! writes them): following the fragment, showing a route, links to routes.

use leptos::prelude::*;

pub use crate::recipe::route::{Page, Route};

/// A link to a route on this page (its address, query kept).
pub trait Href {
    fn href(&self) -> String;
}

impl Href for Route {
    fn href(&self) -> String {
        let page = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        self.href_on(&page)
    }
}

/// Shows `route`: sets the address's fragment, which the lab follows.
pub fn navigate(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.hash());
    }
}

/// Shows the analysis of link text `link` (`r1.…`) without reloading:
/// `push` adds a history entry (a committed edit, which back undoes),
/// otherwise the current entry is replaced (typing).
pub fn show_analysis(route: RwSignal<Route>, link: String, push: bool) {
    let next = Route::Analysis(link);
    if route.with_untracked(|r| *r == next) {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = next.href();
        let _ = if push {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        } else {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        };
    }
    route.set(next);
}

/// Keeps `route` in step with the address's fragment.
pub(crate) fn follow_hash(route: RwSignal<Route>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let read = move || {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        let next = Route::from_hash(&hash);
        let new_page = route.with_untracked(|r| r.page() != next.page());
        route.set(next);
        // A new page starts at its top; an analysis walked back keeps its place.
        if new_page && let Some(w) = web_sys::window() {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    };
    read();
    // The listener lives as long as the page.
    gloo_events::EventListener::new(&window, "hashchange", move |_| read()).forget();
}
