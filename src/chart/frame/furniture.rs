//! An article's furniture on a laid-out chart: values printed at the
//! bars' ends, names at the right end of the lines, and annotations (a
//! text pinned to a category or a point), each placed inside the frame.

use serde::{Deserialize, Serialize};

use super::{Frame, Mark, Rect, SMALL_PX, Scale, TEXT_PX, ellipsis, text_width};
use crate::chart::prepare::{Body, Points, Prepared};
use crate::chart::{Lang, group_color};
use crate::data::format::{decimals_for, number};
use crate::recipe::Annotation;

/// How a placed text hangs on its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Align {
    /// The text starts at the point.
    Left,
    /// The text ends at the point.
    Right,
    /// The text's middle is at the point.
    Center,
}

/// A text drawn at a point: vertically centred on `y`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub text: String,
    pub x: f32,
    pub y: f32,
    pub align: Align,
    pub rgb: [u8; 3],
    /// Font size in CSS pixels.
    pub px: f32,
    pub bold: bool,
    /// Drawn on a white ground (an annotation over marks).
    pub ground: bool,
}

impl Placed {
    /// The box the text takes, in device pixels (estimated as layout does).
    pub fn rect(&self, scale: f32) -> Rect {
        let w = text_width(&self.text, self.px * scale);
        let h = self.px * scale * 1.2;
        let x0 = match self.align {
            Align::Left => self.x,
            Align::Right => self.x - w,
            Align::Center => self.x - w / 2.0,
        };
        Rect {
            x0,
            y0: self.y - h / 2.0,
            x1: x0 + w,
            y1: self.y + h / 2.0,
        }
    }
}

/// An annotation's pin: a ring at the place and a line to its text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pin {
    pub x: f32,
    pub y: f32,
    pub to: (f32, f32),
}

const INK: [u8; 3] = [0x22, 0x22, 0x22];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];

/// The room kept right of a line chart's plot for the lines' names: the
/// widest name, at most a quarter of the width; none on a phone (under
/// 480 CSS pixels), where the legend names them.
pub(super) fn end_label_room(prepared: &Prepared, width: f32, s: f32) -> f32 {
    let Body::Points(points) = &prepared.body else {
        return 0.0;
    };
    if prepared.groups.is_empty() || width / s < 480.0 {
        return 0.0;
    }
    let widest = points
        .lines
        .iter()
        .filter(|l| l.highlighted)
        .map(|l| text_width(&ellipsis(&l.name, 24), SMALL_PX * s))
        .fold(0.0, f32::max);
    if widest == 0.0 {
        0.0
    } else {
        (widest + 8.0 * s).min(width * 0.25)
    }
}

/// The names of a line chart's coloured lines at their last point in view,
/// moved apart so that no two overlap; a name that cannot fit is left to
/// the legend.
pub(super) fn line_labels(prepared: &Prepared, frame: &Frame, room: f32) -> Vec<Placed> {
    let Body::Points(points) = &prepared.body else {
        return Vec::new();
    };
    if room <= 0.0 {
        return Vec::new();
    }
    let s = frame.scale;
    let plot = frame.plot;
    let chars = ((room - 8.0 * s) / (SMALL_PX * s * 0.62)).max(3.0) as usize;
    let mut wanted: Vec<(f32, String, [u8; 3])> = Vec::new();
    for line in points.lines.iter().filter(|l| l.highlighted) {
        let last = (line.start..line.end).rev().find_map(|i| {
            let (x, y) = (
                frame.x.scale.map(points.x[i]),
                frame.y.scale.map(points.y[i]),
            );
            plot.contains(x, y).then_some(y)
        });
        if let Some(y) = last {
            wanted.push((y, ellipsis(&line.name, chars), group_color(line.group)));
        }
    }
    wanted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let gap = SMALL_PX * s * 1.25;
    let mut placed: Vec<Placed> = Vec::new();
    let mut floor = plot.y0 + gap / 2.0;
    for (y, text, rgb) in wanted {
        let y = y.max(floor);
        if y > plot.y1 - gap / 2.0 {
            continue;
        }
        floor = y + gap;
        placed.push(Placed {
            text,
            x: plot.x1 + 6.0 * s,
            y,
            align: Align::Left,
            rgb,
            px: SMALL_PX,
            bold: false,
            ground: false,
        });
    }
    placed
}

/// Each bar's value at its end: outside the bar where it fits, else
/// inside it in white; on vertical bars only when every value fits its
/// bar's width. Stacked bars show their totals.
pub(super) fn bar_values(prepared: &Prepared, frame: &Frame, lang: Lang) -> Vec<Placed> {
    let Body::Bars {
        values,
        stacked,
        horizontal,
        categories,
    } = &prepared.body
    else {
        return Vec::new();
    };
    if !prepared.furniture.values {
        return Vec::new();
    }
    let s = frame.scale;
    let plot = frame.plot;
    let all: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let decimals = decimals_for(&all).min(2);
    let text = |v: f64| number(v, decimals, lang);
    // The bars as (value, rectangle): each bar, or each stack's total.
    let rects: Vec<Rect> = match &frame.marks {
        Some(marks) => marks
            .iter()
            .filter_map(|m| match m {
                Mark::Rect { rect, .. } => Some(*rect),
                _ => None,
            })
            .collect(),
        None => return Vec::new(),
    };
    let mut bars: Vec<(f64, Rect)> = Vec::new();
    if *stacked {
        let per = values.len().max(1);
        for c in 0..categories.len() {
            let total: f64 = values.iter().map(|g| g[c]).filter(|v| v.is_finite()).sum();
            let group = rects.get(c * per..(c + 1) * per).unwrap_or_default();
            let hull = group.iter().fold(None::<Rect>, |acc, r| {
                Some(match acc {
                    None => *r,
                    Some(a) => Rect {
                        x0: a.x0.min(r.x0),
                        y0: a.y0.min(r.y0),
                        x1: a.x1.max(r.x1),
                        y1: a.y1.max(r.y1),
                    },
                })
            });
            if let Some(hull) = hull {
                bars.push((total, hull));
            }
        }
    } else {
        for c in 0..categories.len() {
            for (g, series) in values.iter().enumerate() {
                if let Some(r) = rects.get(c * values.len() + g) {
                    bars.push((series[c], *r));
                }
            }
        }
    }
    let gap = 3.0 * s;
    let px = SMALL_PX;
    let mut out = Vec::new();
    for (v, r) in bars {
        if !v.is_finite() {
            continue;
        }
        let label = text(v);
        let w = text_width(&label, px * s);
        if *horizontal {
            let y = (r.y0 + r.y1) / 2.0;
            if r.height() < px * s {
                continue;
            }
            let (outside, inside) = if v < 0.0 {
                ((r.x0 - gap, Align::Right), (r.x0 + gap, Align::Left))
            } else {
                ((r.x1 + gap, Align::Left), (r.x1 - gap, Align::Right))
            };
            let fits_outside = if v < 0.0 {
                r.x0 - gap - w >= plot.x0
            } else {
                r.x1 + gap + w <= plot.x1
            };
            let (x, align, rgb) = if fits_outside {
                (outside.0, outside.1, INK)
            } else if r.width() >= w + 2.0 * gap {
                (inside.0, inside.1, WHITE)
            } else {
                continue;
            };
            out.push(Placed {
                text: label,
                x,
                y,
                align,
                rgb,
                px,
                bold: false,
                ground: false,
            });
        } else {
            if w > r.width() + 4.0 * s {
                // Values wider than their bars would run into each other.
                return Vec::new();
            }
            let h = px * s * 1.2;
            let x = (r.x0 + r.x1) / 2.0;
            let (y, rgb) = if v < 0.0 {
                if r.y1 + gap + h <= plot.y1 {
                    (r.y1 + gap + h / 2.0, INK)
                } else {
                    (r.y1 - gap - h / 2.0, WHITE)
                }
            } else if r.y0 - gap - h >= plot.y0 {
                (r.y0 - gap - h / 2.0, INK)
            } else {
                (r.y0 + gap + h / 2.0, WHITE)
            };
            out.push(Placed {
                text: label,
                x,
                y,
                align: Align::Center,
                rgb,
                px,
                bold: false,
                ground: false,
            });
        }
    }
    out
}

/// Where an annotation points, in data terms, if it has a place in this
/// chart: a category's band and value (bars), or an x and y (the rest).
/// `None` when `at` names no category, line or x value of the chart.
pub(crate) fn anchor(prepared: &Prepared, a: &Annotation) -> Option<Anchor> {
    let at = a.at.trim();
    let as_number = || {
        at.replace(['\u{202f}', ' '], "")
            .replace(',', ".")
            .parse::<f64>()
            .ok()
    };
    match &prepared.body {
        Body::Bars {
            categories,
            values,
            stacked,
            ..
        } => {
            let c = categories.iter().position(|c| c == at)?;
            let v = a.y.filter(|v| v.is_finite()).unwrap_or_else(|| {
                let vs = values.iter().map(|g| g[c]).filter(|v| v.is_finite());
                if *stacked {
                    vs.filter(|v| *v > 0.0).sum()
                } else {
                    vs.fold(0.0, f64::max)
                }
            });
            Some(Anchor::Band { index: c, value: v })
        }
        Body::Points(p) => {
            if let Some(line) = p.lines.iter().find(|l| !l.name.is_empty() && l.name == at) {
                let last = line.end.checked_sub(1).filter(|&i| i >= line.start)?;
                let y = a.y.filter(|v| v.is_finite()).unwrap_or(p.y[last]);
                return Some(Anchor::Point {
                    x: p.x[last],
                    y: Some(y),
                });
            }
            let x = as_number().filter(|v| v.is_finite())?;
            let y = a.y.filter(|v| v.is_finite()).or_else(|| nearest_y(p, x));
            Some(Anchor::Point { x, y })
        }
        Body::Histogram {
            edges,
            counts,
            log_x,
        } => {
            let x = as_number().filter(|v| v.is_finite())?;
            let key = if *log_x {
                if x <= 0.0 {
                    return None;
                }
                x.log10()
            } else {
                x
            };
            let bin = (0..counts.len()).find(|&i| key >= edges[i] && key <= edges[i + 1])?;
            let y = a.y.filter(|v| v.is_finite()).unwrap_or(counts[bin] as f64);
            Some(Anchor::Point { x, y: Some(y) })
        }
        Body::Heatmap { .. } => None,
    }
}

/// The y of the point at `x` (of a highlighted line first), if one is there.
fn nearest_y(p: &Points, x: f64) -> Option<f64> {
    let at = |i: usize| (p.x[i] - x).abs() <= f64::EPSILON * x.abs().max(1.0);
    let highlighted = p
        .lines
        .iter()
        .filter(|l| l.highlighted)
        .flat_map(|l| l.start..l.end)
        .find(|&i| at(i));
    highlighted
        .or_else(|| (0..p.x.len()).find(|&i| at(i)))
        .map(|i| p.y[i])
}

/// An annotation's place in data terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Anchor {
    /// Category `index` of a bar chart, at `value`.
    Band { index: usize, value: f64 },
    /// A point; `y` absent: the top of the plot.
    Point { x: f64, y: Option<f64> },
}

/// The annotations' texts and pins, added to `texts` (the values and
/// names placed before). A text sits beside its place, on the first side
/// where it fits in the plot and covers no other text; where none is free
/// it takes the first and the values under it give way. A place out of
/// view (zoomed) has no annotation.
pub(super) fn annotations(prepared: &Prepared, frame: &Frame, texts: &mut Vec<Placed>) -> Vec<Pin> {
    let s = frame.scale;
    let plot = frame.plot;
    let mut pins = Vec::new();
    for a in &prepared.furniture.annotations {
        let Some(anchor) = anchor(prepared, a) else {
            continue;
        };
        // A horizontal bar's annotation can sit inside its bar, in white.
        let mut bar: Option<Rect> = None;
        let (x, y) = match anchor {
            Anchor::Band { index, value } => {
                let horizontal = matches!(
                    prepared.body,
                    Body::Bars {
                        horizontal: true,
                        ..
                    }
                );
                let (band, num) = if horizontal {
                    (frame.y.scale, frame.x.scale)
                } else {
                    (frame.x.scale, frame.y.scale)
                };
                let Scale::Band { n, r0, r1 } = band else {
                    continue;
                };
                let step = (r1 - r0) / n.max(1) as f32;
                let mid = band.map(index as f64) + step / 2.0;
                if horizontal {
                    let (a, b) = (num.map(0.0), num.map(value));
                    bar = Some(Rect {
                        x0: a.min(b),
                        y0: mid - step * 0.4,
                        x1: a.max(b),
                        y1: mid + step * 0.4,
                    });
                    (num.map(value), mid)
                } else {
                    (mid, num.map(value))
                }
            }
            Anchor::Point { x, y } => (
                frame.x.scale.map(x),
                y.map(|y| frame.y.scale.map(y)).unwrap_or(plot.y0 + 4.0 * s),
            ),
        };
        if !plot.contains(x, y) {
            continue;
        }
        let off = 10.0 * s;
        let chars = ((plot.width() * 0.9 - off) / (TEXT_PX * s * 0.62)).max(6.0) as usize;
        let text = ellipsis(a.text.trim(), chars.min(60));
        // Beside the place, moved in from the plot's sides where it would
        // stick out (on a phone, a long bar leaves no room beside its end).
        let at = |dx: f32, dy: f32| {
            let align = if dx > 0.0 { Align::Left } else { Align::Right };
            let mut placed = Placed {
                text: text.clone(),
                x: x + dx,
                y: y + dy,
                align,
                rgb: INK,
                px: TEXT_PX,
                bold: true,
                ground: true,
            };
            let r = placed.rect(s);
            if r.x1 > plot.x1 {
                placed.x -= r.x1 - plot.x1;
            }
            let r = placed.rect(s);
            if r.x0 < plot.x0 {
                placed.x += plot.x0 - r.x0;
            }
            placed
        };
        let inside = |p: &Placed| {
            let r = p.rect(s);
            r.x0 >= plot.x0 && r.x1 <= plot.x1 && r.y0 >= plot.y0 && r.y1 <= plot.y1
        };
        // Inside its bar, then beside the place on its row, then above
        // or below it.
        let mut candidates = Vec::new();
        if let Some(r) = bar {
            let inner = Placed {
                rgb: WHITE,
                ground: false,
                ..at(-off * 0.6, 0.0)
            };
            let t = inner.rect(s);
            if t.x0 >= r.x0 + 2.0 * s && t.x1 <= r.x1 && t.height() <= r.height() + 2.0 * s {
                candidates.push(inner);
            }
        }
        if matches!(anchor, Anchor::Band { .. }) {
            candidates.extend([at(off, 0.0), at(-off, 0.0)]);
        }
        for step in 1..=4 {
            let d = off * step as f32;
            for (dx, dy) in [(off, -d), (-off, -d), (off, d), (-off, d)] {
                candidates.push(at(dx, dy));
            }
        }
        let free = candidates
            .iter()
            .find(|c| inside(c) && !texts.iter().any(|t| overlaps(&t.rect(s), &c.rect(s))));
        let chosen = match free {
            Some(c) => c.clone(),
            None => match candidates.into_iter().find(|c| inside(c)) {
                Some(c) => {
                    // Values give way; another annotation does not.
                    let r = c.rect(s);
                    if texts.iter().any(|t| t.bold && overlaps(&t.rect(s), &r)) {
                        continue;
                    }
                    texts.retain(|t| !overlaps(&t.rect(s), &r));
                    c
                }
                None => continue,
            },
        };
        // A point is pinned; a bar is its own place.
        if bar.is_none() && matches!(anchor, Anchor::Point { .. }) {
            pins.push(Pin {
                x,
                y,
                to: (chosen.x, chosen.y),
            });
        }
        texts.push(chosen);
    }
    pins
}

/// Whether two boxes share more than a hairline.
pub fn overlaps(a: &Rect, b: &Rect) -> bool {
    a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5
}
