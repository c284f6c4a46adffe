//! What the pointer and the keys do to a chart on screen, in data units:
//! zoom about a point, pan by a drag, a brushed rectangle. Pure, so the
//! page only turns events into calls and the arithmetic is tested natively.
//! Positions are in device pixels of the frame.

use crate::chart::View;
use crate::chart::frame::Frame;

/// The frame's current view: its axes' domains.
pub fn current_view(frame: &Frame) -> View {
    let (x0, x1) = frame.x.scale.domain();
    let (y0, y1) = frame.y.scale.domain();
    View { x0, x1, y0, y1 }
}

/// The view zoomed by `factor` (below 1 zooms in) about the point at `at`,
/// or about the middle; `None` when the frame does not zoom or the result
/// would be empty, reversed or not finite.
pub fn zoom_at(frame: &Frame, factor: f64, at: Option<(f32, f32)>) -> Option<View> {
    if !(frame.zoomable && factor.is_finite() && factor > 0.0) {
        return None;
    }
    let base = current_view(frame);
    let (cx, cy) = match at {
        Some((px, py)) => (frame.x.scale.invert(px), frame.y.scale.invert(py)),
        None => ((base.x0 + base.x1) / 2.0, (base.y0 + base.y1) / 2.0),
    };
    let view = View {
        x0: cx - (cx - base.x0) * factor,
        x1: cx + (base.x1 - cx) * factor,
        y0: cy - (cy - base.y0) * factor,
        y1: cy + (base.y1 - cy) * factor,
    }
    .checked()?;
    // Closer than float precision shows nothing new.
    ((view.x1 - view.x0) > 1e-12 * base.x1.abs().max(1.0)).then_some(view)
}

/// `from` (or the frame's view) moved with a drag of `(dx, dy)` device
/// pixels: the data follows the pointer. `None` when the frame does not
/// zoom.
pub fn pan_by(frame: &Frame, dx: f32, dy: f32, from: Option<View>) -> Option<View> {
    if !frame.zoomable {
        return None;
    }
    let base = from.unwrap_or_else(|| current_view(frame));
    let px = frame.plot.width().max(1.0) as f64;
    let py = frame.plot.height().max(1.0) as f64;
    let sx = (base.x1 - base.x0) / px * f64::from(dx);
    let sy = (base.y1 - base.y0) / py * f64::from(dy);
    View {
        x0: base.x0 - sx,
        x1: base.x1 - sx,
        y0: base.y0 + sy,
        y1: base.y1 + sy,
    }
    .checked()
}

/// A rectangle dragged from `(x0, y0)` to `(x1, y1)` in data units
/// `(x_low, x_high, y_low, y_high)`; `None` when it is under 3 pixels on
/// a side (a click, not a selection).
pub fn brushed(
    frame: &Frame,
    (x0, y0, x1, y1): (f32, f32, f32, f32),
) -> Option<(f64, f64, f64, f64)> {
    if (x1 - x0).abs() < 3.0 || (y1 - y0).abs() < 3.0 {
        return None;
    }
    let (a, b) = (
        frame.x.scale.invert(x0.min(x1)),
        frame.x.scale.invert(x0.max(x1)),
    );
    // Screen y grows downwards.
    let (c, d) = (
        frame.y.scale.invert(y0.max(y1)),
        frame.y.scale.invert(y0.min(y1)),
    );
    Some((a, b, c, d))
}
