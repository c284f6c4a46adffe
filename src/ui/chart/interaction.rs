//! The chart's pointer and keys: hover for a tooltip, a click on the
//! legend to highlight a group, drag to pan, shift-drag to brush, the wheel
//! and + / − / 0 / arrows to zoom and pan, Escape to clear. The arithmetic
//! is `chart::interact`'s; this turns events into its calls.

use leptos::prelude::*;

use super::state::Chart;
use crate::chart::{View, interact};

impl Chart {
    /// A pointer position in CSS pixels, in device pixels.
    fn device(self, x: i32, y: i32) -> (f32, f32) {
        let s = self.scale();
        (x as f32 * s, y as f32 * s)
    }

    pub(super) fn zoom(self, factor: f64, at: Option<(f32, f32)>) {
        if let Some(v) = self
            .current()
            .and_then(|f| interact::zoom_at(&f, factor, at))
        {
            self.view_box.set(Some(v));
            self.hovers.tip.set(None);
            self.ask();
        }
    }

    fn pan(self, dx: f32, dy: f32, from: Option<View>) {
        if let Some(v) = self
            .current()
            .and_then(|f| interact::pan_by(&f, dx, dy, from))
        {
            self.view_box.set(Some(v));
            self.ask();
        }
    }

    /// Back to the whole chart.
    pub(super) fn reset(self) {
        self.view_box.set(None);
        self.brush.set(None);
        self.ask();
    }

    pub(super) fn on_move(self, e: web_sys::MouseEvent) {
        let (x, y) = self.device(e.offset_x(), e.offset_y());
        if let Some((sx, sy, shift, from)) = self.drag.get_value() {
            if shift {
                self.brush.set(Some((sx, sy, x, y)));
            } else {
                self.pan(x - sx, y - sy, from);
            }
            return;
        }
        self.hovers.ask(self.lab, x, y);
    }

    pub(super) fn on_down(self, e: web_sys::MouseEvent) {
        let (x, y) = self.device(e.offset_x(), e.offset_y());
        let Some(frame) = self.current() else {
            return;
        };
        // A legend entry toggles its group's highlight.
        if let Some(g) = frame
            .legend
            .iter()
            .find(|l| l.rect.contains(x, y))
            .map(|l| l.group)
        {
            let again = self.highlight.get_untracked() == Some(g);
            self.highlight.set(if again { None } else { Some(g) });
            self.ask();
            return;
        }
        if frame.zoomable && frame.plot.contains(x, y) {
            e.prevent_default();
            self.hovers.tip.set(None);
            self.drag
                .set_value(Some((x, y, e.shift_key(), self.view_box.get_untracked())));
        }
    }

    pub(super) fn on_up(self) {
        self.drag.set_value(None);
    }

    pub(super) fn on_leave(self) {
        self.drag.set_value(None);
        self.hovers.tip.set(None);
    }

    pub(super) fn on_wheel(self, e: web_sys::WheelEvent) {
        let (x, y) = self.device(e.offset_x(), e.offset_y());
        let inside = self.shown.with_value(|s| {
            s.as_ref()
                .is_some_and(|s| s.frame.zoomable && s.frame.plot.contains(x, y))
        });
        if inside {
            e.prevent_default();
            self.zoom(if e.delta_y() > 0.0 { 1.25 } else { 0.8 }, Some((x, y)));
        }
    }

    pub(super) fn on_key(self, e: web_sys::KeyboardEvent) {
        let step = 40.0 * self.scale();
        let from = self.view_box.get_untracked();
        match e.key().as_str() {
            "+" | "=" => self.zoom(0.8, None),
            "-" => self.zoom(1.25, None),
            "0" => self.reset(),
            "ArrowLeft" => self.pan(step, 0.0, from),
            "ArrowRight" => self.pan(-step, 0.0, from),
            "ArrowUp" => self.pan(0.0, step, from),
            "ArrowDown" => self.pan(0.0, -step, from),
            "Escape" => {
                self.hovers.tip.set(None);
                self.brush.set(None);
            }
            _ => return,
        }
        e.prevent_default();
    }

    /// The brushed rectangle in data units: (x0, x1, y0, y1).
    pub(super) fn brushed(self) -> Option<super::Brush> {
        let rect = self.brush.get()?;
        self.shown
            .with_value(|s| interact::brushed(&s.as_ref()?.frame, rect))
    }
}
