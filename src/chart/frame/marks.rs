//! Points and bars as shapes, when they are few enough to draw one by one.

use crate::chart::group_color;
use crate::chart::prepare::{Body, Prepared};
use crate::recipe::ChartKind;

use super::{Frame, Mark, Rect, Scale};

/// The point's radius in CSS pixels and opacity for `n` points.
pub fn point_style(n: usize) -> (f32, f32) {
    match n {
        0..=1_000 => (3.5, 0.85),
        1_001..=10_000 => (2.5, 0.6),
        10_001..=100_000 => (1.8, 0.4),
        _ => (1.5, 0.25),
    }
}

pub(super) fn point_marks(
    p: &crate::chart::prepare::Points,
    kind: ChartKind,
    xs: &Scale,
    ys: &Scale,
    s: f32,
    highlight: Option<u8>,
) -> Vec<Mark> {
    let (r, alpha) = point_style(p.x.len());
    let rgba = |g: u8, a: f32| {
        let c = group_color(g);
        let faded = highlight.is_some_and(|h| h != g);
        let a = if faded { a * 0.2 } else { a };
        [c[0], c[1], c[2], (a * 255.0) as u8]
    };
    let mut marks = Vec::new();
    if kind == ChartKind::Line {
        for line in &p.lines {
            let points: Vec<(f32, f32)> = (line.start..line.end)
                .map(|i| (xs.map(p.x[i]), ys.map(p.y[i])))
                .collect();
            let (color, width) = if line.highlighted {
                (rgba(line.group, 0.95), 2.0 * s)
            } else {
                (
                    [0x99, 0x99, 0x99, if highlight.is_some() { 50 } else { 110 }],
                    1.0 * s,
                )
            };
            if points.len() == 1 {
                marks.push(Mark::Circle {
                    x: points[0].0,
                    y: points[0].1,
                    r: 2.0 * s,
                    rgba: color,
                });
            } else {
                marks.push(Mark::Path {
                    points,
                    width,
                    rgba: color,
                });
            }
        }
        return marks;
    }
    for i in 0..p.x.len() {
        let radius = match &p.size {
            Some(size) => (2.0 + 10.0 * size[i].max(0.0).sqrt()) * s,
            None => r * s,
        };
        marks.push(Mark::Circle {
            x: xs.map(p.x[i]),
            y: ys.map(p.y[i]),
            r: radius,
            rgba: rgba(p.group[i], alpha),
        });
    }
    marks
}

pub(super) fn bar_marks(
    values: &[Vec<f64>],
    stacked: bool,
    horizontal: bool,
    frame: &Frame,
    highlight: Option<u8>,
    prepared: &Prepared,
) -> Vec<Mark> {
    let (band, num) = if horizontal {
        (&frame.y.scale, &frame.x.scale)
    } else {
        (&frame.x.scale, &frame.y.scale)
    };
    let Scale::Band { n, r0, r1 } = *band else {
        return Vec::new();
    };
    let step = (r1 - r0) / n.max(1) as f32;
    let inner = step * 0.8;
    let groups = values.len().max(1);
    let zero = num.map(0.0);
    let mut marks = Vec::new();
    for c in 0..n {
        let start = r0 + step * c as f32 + step * 0.1;
        let (mut pos, mut neg) = (0.0f64, 0.0f64);
        for (g, series) in values.iter().enumerate() {
            let v = series[c];
            let (a, b, lo, hi) = if stacked {
                let base = if v < 0.0 { neg } else { pos };
                if v < 0.0 {
                    neg += v
                } else {
                    pos += v
                }
                (start, start + inner, num.map(base), num.map(base + v))
            } else {
                let w = inner / groups as f32;
                (
                    start + w * g as f32,
                    start + w * (g + 1) as f32,
                    zero,
                    num.map(v),
                )
            };
            let g8 = prepared.group_id(g);
            // Highlighted categories keep their colour; the rest are grey.
            let highlight_list = &prepared.furniture.highlight;
            let color = match &prepared.body {
                Body::Bars { categories, .. }
                    if !highlight_list.is_empty() && !highlight_list.contains(&categories[c]) =>
                {
                    crate::chart::OTHER
                }
                _ => group_color(g8),
            };
            let alpha = if highlight.is_some_and(|h| h != g8) {
                60
            } else {
                255
            };
            let rect = if horizontal {
                Rect {
                    x0: lo.min(hi),
                    y0: a,
                    x1: lo.max(hi),
                    y1: b,
                }
            } else {
                Rect {
                    x0: a,
                    y0: lo.min(hi),
                    x1: b,
                    y1: lo.max(hi),
                }
            };
            marks.push(Mark::Rect {
                rect,
                rgba: [color[0], color[1], color[2], alpha],
            });
        }
    }
    marks
}
