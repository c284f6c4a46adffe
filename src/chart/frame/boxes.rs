//! The box of every text a frame draws, estimated as layout estimates
//! text (generously): the layout tests check that no two overlap and that
//! all are inside the frame. The anchors are those of `chart::draw`.

use super::{Frame, Rect, SMALL_PX, TEXT_PX, text_lines, text_width};

/// The gap between the plot and an x tick label, in CSS pixels (the
/// tick's length and the space after it, clear of the lowest y label).
pub const TICK_GAP_PX: f32 = 7.0;

/// Where the middle of an x tick's label is: under its tick, or moved in
/// so that it stays inside the frame (the last label of an axis that ends
/// at the frame's edge).
pub fn x_label_mid(frame: &Frame, label: &str, at: f32) -> f32 {
    let s = frame.scale;
    let half = text_width(label, SMALL_PX * s) / 2.0;
    let right = frame.width as f32 - 2.0 * s - half;
    at.min(right).max(2.0 * s + half)
}

/// What a text box is, for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    pub rect: Rect,
    pub text: String,
    pub what: &'static str,
}

fn boxed(x: f32, y: f32, w: f32, h: f32) -> Rect {
    Rect {
        x0: x,
        y0: y,
        x1: x + w,
        y1: y + h,
    }
}

/// Every text of `frame` with its box.
pub fn text_boxes(frame: &Frame) -> Vec<TextBox> {
    let s = frame.scale;
    let plot = frame.plot;
    let small_h = SMALL_PX * s * 1.2;
    let text_h = TEXT_PX * s * 1.2;
    let mut out = Vec::new();
    let mut push = |rect: Rect, text: &str, what: &'static str| {
        if !text.is_empty() {
            out.push(TextBox {
                rect,
                text: text.to_string(),
                what,
            });
        }
    };
    for line in text_lines(frame) {
        push(line.rect(s), line.text, "line");
    }
    for t in &frame.x.ticks {
        if t.at < plot.x0 - 0.5 || t.at > plot.x1 + 0.5 {
            continue;
        }
        let w = text_width(&t.label, SMALL_PX * s);
        let mid = x_label_mid(frame, &t.label, t.at);
        let rect = boxed(mid - w / 2.0, plot.y1 + TICK_GAP_PX * s, w, small_h);
        push(rect, &t.label, "x tick");
    }
    for t in &frame.y.ticks {
        if t.at < plot.y0 - 0.5 || t.at > plot.y1 + 0.5 {
            continue;
        }
        let w = text_width(&t.label, SMALL_PX * s);
        let x1 = plot.x0 - 7.0 * s;
        push(
            boxed(x1 - w, t.at - small_h / 2.0, w, small_h),
            &t.label,
            "y tick",
        );
    }
    if !frame.x.title.is_empty() {
        let w = text_width(&frame.x.title, TEXT_PX * s);
        let rect = boxed(frame.x_title_mid - w / 2.0, plot.y1 + 22.0 * s, w, text_h);
        push(rect, &frame.x.title, "x title");
    }
    if !frame.y.title.is_empty() {
        // Drawn turned a quarter: its width runs along the y axis.
        let w = text_width(&frame.y.title, TEXT_PX * s);
        let mid = (plot.y0 + plot.y1) / 2.0;
        let rect = boxed(10.0 * s, mid - w / 2.0, text_h, w);
        push(rect, &frame.y.title, "y title");
    }
    if let Some((x, label)) = &frame.mark_x {
        let w = text_width(label, SMALL_PX * s);
        push(
            boxed(x + 4.0 * s, plot.y0 + 2.0 * s, w, small_h),
            label,
            "mark",
        );
    }
    for entry in &frame.legend {
        let r = entry.rect;
        let mid = (r.y0 + r.y1) / 2.0;
        let w = text_width(&entry.label, TEXT_PX * s);
        let rect = boxed(r.x0 + 15.0 * s, mid - text_h / 2.0, w, text_h);
        push(rect, &entry.label, "legend");
    }
    if let Some((r, lo, hi)) = &frame.ramp {
        let mid = (r.y0 + r.y1) / 2.0;
        let (wl, wh) = (text_width(lo, SMALL_PX * s), text_width(hi, SMALL_PX * s));
        push(
            boxed(r.x0 - 6.0 * s - wl, mid - small_h / 2.0, wl, small_h),
            lo,
            "ramp",
        );
        push(
            boxed(r.x1 + 6.0 * s, mid - small_h / 2.0, wh, small_h),
            hi,
            "ramp",
        );
    }
    for t in &frame.texts {
        push(t.rect(s), &t.text, "placed");
    }
    out
}
