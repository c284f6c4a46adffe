//! The tooltip's requests to the worker.

use leptos::prelude::*;

use super::canvas::now;
use crate::engine::protocol::{Request, Response, Tip};
use crate::ui::state::Lab;

/// The tooltip's requests: one in flight; a position the pointer reaches
/// meanwhile is asked for when it answers (the positions between are
/// skipped).
#[derive(Clone, Copy)]
pub(super) struct Hovers {
    pub(super) tip: RwSignal<Option<Tip>>,
    pub(super) hit_ms: RwSignal<Option<f64>>,
    pub(super) in_flight: StoredValue<bool>,
    pub(super) next: StoredValue<Option<(f32, f32)>>,
}

impl Hovers {
    pub(super) fn ask(self, lab: Lab, x: f32, y: f32) {
        if self.in_flight.get_value() {
            self.next.set_value(Some((x, y)));
            return;
        }
        self.in_flight.set_value(true);
        let asked_at = now();
        lab.ask(&Request::ChartHit { x, y }, move |response| {
            if self.tip.is_disposed() {
                return;
            }
            self.hit_ms.set(Some(now() - asked_at));
            self.in_flight.set_value(false);
            if let Response::ChartHit { tip } = response {
                self.tip.set(tip);
            }
            if let Some((x, y)) = self.next.try_update_value(Option::take).flatten() {
                self.ask(lab, x, y);
            }
        });
    }
}
