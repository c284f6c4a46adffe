//! The layout of a chart at a size: where the plot, the axes, the legend,
//! the title and the footer go, the scales that place values, and the
//! marks as shapes when they are few enough to draw one by one.
//!
//! Everything is in device pixels. Text widths are estimated from the
//! character count (the worker cannot measure text), generously, so that
//! the page's real text fits the space given to it.

use serde::{Deserialize, Serialize};

use super::prepare::{Body, Prepared};
use super::{Context, Lang, Size, View, group_color, ramp};
use crate::data::format::{grouped, number, short};
use crate::recipe::ChartKind;

/// The most marks drawn as shapes (and written to SVG one by one); above
/// this the worker rasterises them.
pub const MAX_VECTOR_MARKS: usize = 5000;

/// A rectangle in device pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// How an axis places values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Scale {
    /// `d0..d1` onto `r0..r1`.
    Linear { d0: f64, d1: f64, r0: f32, r1: f32 },
    /// `log10(d0)..log10(d1)` onto `r0..r1`.
    Log { l0: f64, l1: f64, r0: f32, r1: f32 },
    /// `n` equal bands from `r0` to `r1`; value `i` is band `i`'s start.
    Band { n: usize, r0: f32, r1: f32 },
}

impl Scale {
    /// The position of `v` (bands: the start of band `v`).
    pub fn map(&self, v: f64) -> f32 {
        match *self {
            Scale::Linear { d0, d1, r0, r1 } => {
                let t = if d1 > d0 { (v - d0) / (d1 - d0) } else { 0.5 };
                clamp_px(f64::from(r0) + t * f64::from(r1 - r0))
            }
            Scale::Log { l0, l1, r0, r1 } => {
                let l = if v > 0.0 { v.log10() } else { l0 - 1.0 };
                let t = if l1 > l0 { (l - l0) / (l1 - l0) } else { 0.5 };
                clamp_px(f64::from(r0) + t * f64::from(r1 - r0))
            }
            Scale::Band { n, r0, r1 } => {
                let step = (r1 - r0) / n.max(1) as f32;
                clamp_px(f64::from(r0) + v * f64::from(step))
            }
        }
    }

    /// The value at position `p` (not for bands).
    pub fn invert(&self, p: f32) -> f64 {
        match *self {
            Scale::Linear { d0, d1, r0, r1 } => {
                let t = if r1 != r0 {
                    f64::from((p - r0) / (r1 - r0))
                } else {
                    0.0
                };
                d0 + t * (d1 - d0)
            }
            Scale::Log { l0, l1, r0, r1 } => {
                let t = if r1 != r0 {
                    f64::from((p - r0) / (r1 - r0))
                } else {
                    0.0
                };
                10f64.powf(l0 + t * (l1 - l0))
            }
            Scale::Band { n, r0, r1 } => {
                let step = (r1 - r0) / n.max(1) as f32;
                if step != 0.0 {
                    f64::from(((p - r0) / step).floor())
                } else {
                    0.0
                }
            }
        }
    }

    /// The data range shown (bands: `0..n`).
    pub fn domain(&self) -> (f64, f64) {
        match *self {
            Scale::Linear { d0, d1, .. } => (d0, d1),
            Scale::Log { l0, l1, .. } => (10f64.powf(l0), 10f64.powf(l1)),
            Scale::Band { n, .. } => (0.0, n as f64),
        }
    }
}

/// Keeps a position inside what `f32` and the backends handle.
fn clamp_px(v: f64) -> f32 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-1e6, 1e6) as f32
    }
}

/// A tick: its position along the axis and its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    pub at: f32,
    pub label: String,
}

/// One axis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub title: String,
    pub scale: Scale,
    pub ticks: Vec<Tick>,
    /// Whether grid lines run from the ticks across the plot.
    pub grid: bool,
}

/// A legend entry and where it is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegendEntry {
    pub label: String,
    pub color: [u8; 3],
    pub rect: Rect,
    /// The colour group it names (what a click highlights).
    pub group: u8,
    /// Drawn faded while another group is highlighted.
    pub faded: bool,
}

/// A mark drawn as a shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Mark {
    Circle {
        x: f32,
        y: f32,
        r: f32,
        rgba: [u8; 4],
    },
    Rect {
        rect: Rect,
        rgba: [u8; 4],
    },
    Path {
        points: Vec<(f32, f32)>,
        width: f32,
        rgba: [u8; 4],
    },
}

/// Everything the page needs to draw a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub kind: ChartKind,
    /// Device pixels.
    pub width: u32,
    pub height: u32,
    pub scale: f32,
    pub title: String,
    pub notes: Vec<String>,
    /// Source, licence and the lab's name, in one or two lines.
    pub footer: Vec<String>,
    pub plot: Rect,
    pub x: Axis,
    pub y: Axis,
    pub legend: Vec<LegendEntry>,
    /// A heatmap's colour ramp: where, and the labels of its ends.
    pub ramp: Option<(Rect, String, String)>,
    /// The marks as shapes, or `None` when they come as an image of the
    /// plot rectangle.
    pub marks: Option<Vec<Mark>>,
    /// A marked x position (e.g. the best k) and its label.
    pub mark_x: Option<(f32, String)>,
    /// Points or bars plotted (in view).
    pub shown: u64,
    /// Whether the chart can zoom (scatter, line).
    pub zoomable: bool,
}

/// Font sizes in CSS pixels.
pub const TITLE_PX: f32 = 16.0;
pub const TEXT_PX: f32 = 12.0;
pub const SMALL_PX: f32 = 11.0;

/// A generous estimate of the width of `text` at font size `px`.
pub fn text_width(text: &str, px: f32) -> f32 {
    text.chars().count() as f32 * px * 0.62
}

/// Cuts `text` to at most `max` characters, with an ellipsis.
pub fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Lays `prepared` out at `size`. `view` zooms a scatter or line chart;
/// `highlight` fades every colour group but this one.
pub fn layout(
    prepared: &Prepared,
    context: &Context,
    size: Size,
    view: Option<View>,
    highlight: Option<u8>,
) -> Frame {
    let (width, height, s) = size.device();
    let (w, h) = (width as f32, height as f32);
    let pad = 10.0 * s;
    let lang = context.lang;
    let mut top = pad;
    top += 22.0 * s;
    let notes: Vec<String> = prepared.notes.iter().take(2).cloned().collect();
    top += notes.len() as f32 * 15.0 * s;

    // Legend: entries flow left to right and wrap, at most four rows (eight groups fit on a phone).
    let mut legend = Vec::new();
    let show_legend = prepared.groups.len() > 1
        || (prepared.groups.len() == 1 && prepared.kind != ChartKind::Histogram);
    if show_legend {
        let row_h = 18.0 * s;
        let (mut x, mut rows) = (pad, 0);
        top += 4.0 * s;
        for (g, label) in prepared.groups.iter().enumerate() {
            let label = ellipsis(label, 28);
            let entry_w = 16.0 * s + text_width(&label, TEXT_PX * s) + 14.0 * s;
            if x + entry_w > w - pad && x > pad {
                rows += 1;
                x = pad;
            }
            if rows >= 4 {
                break;
            }
            let g8 = prepared.group_id(g);
            let color = group_color(g8);
            legend.push(LegendEntry {
                label,
                color,
                rect: Rect {
                    x0: x,
                    y0: top + rows as f32 * row_h,
                    x1: x + entry_w - 10.0 * s,
                    y1: top + (rows + 1) as f32 * row_h,
                },
                faded: highlight.is_some_and(|h| h != g8),
                group: g8,
            });
            x += entry_w;
        }
        top += (rows + 1).min(4) as f32 * row_h;
    }
    let mut ramp_rect = None;
    if let Body::Heatmap { cells, .. } = &prepared.body {
        let (lo, hi) = min_max(cells.iter().flatten().copied());
        top += 4.0 * s;
        let r = Rect {
            x0: pad + text_width(&short(lo, lang), SMALL_PX * s) + 6.0 * s,
            y0: top + 3.0 * s,
            x1: 0.0,
            y1: top + 13.0 * s,
        };
        let r = Rect {
            x1: r.x0 + 140.0 * s,
            ..r
        };
        ramp_rect = Some((r, short(lo, lang), short(hi, lang)));
        top += 18.0 * s;
    }
    top += 8.0 * s;
    let footer = footer_lines(
        &footer(context),
        ((w - 2.0 * pad) / (SMALL_PX * s * 0.62)).max(8.0) as usize,
    );
    let footer_h = (2.0 + 14.0 * footer.len() as f32) * s;
    let bottom_axis = (16.0
        + if prepared.x_title.is_empty() {
            0.0
        } else {
            16.0
        })
        * s;
    let mut bottom = h - pad - footer_h - bottom_axis;

    // Scales and ticks need the plot's width and height, and the y axis's
    // width needs the ticks: the y labels are estimated first.
    let ylabels = y_label_estimate(prepared, lang, (top, bottom.max(top + 10.0 * s)), s);
    let y_title_w = if prepared.y_title.is_empty() {
        0.0
    } else {
        18.0 * s
    };
    let left = pad + y_title_w + ylabels.min(w * 0.4 / s) * s + 8.0 * s;
    let right = w - pad - 6.0 * s;
    if bottom < top + 10.0 * s {
        bottom = top + 10.0 * s;
    }
    let plot = Rect {
        x0: left,
        y0: top,
        x1: right.max(left + 10.0 * s),
        y1: bottom,
    };
    let mut frame = Frame {
        kind: prepared.kind,
        width,
        height,
        scale: s,
        title: prepared.title.clone(),
        notes,
        footer,
        plot,
        x: Axis {
            title: prepared.x_title.clone(),
            scale: Scale::Band {
                n: 1,
                r0: plot.x0,
                r1: plot.x1,
            },
            ticks: Vec::new(),
            grid: false,
        },
        y: Axis {
            title: prepared.y_title.clone(),
            scale: Scale::Band {
                n: 1,
                r0: plot.y1,
                r1: plot.y0,
            },
            ticks: Vec::new(),
            grid: false,
        },
        legend,
        ramp: ramp_rect,
        marks: None,
        mark_x: None,
        shown: 0,
        zoomable: false,
    };
    match &prepared.body {
        Body::Points(p) => {
            let (x0, x1) = min_max(p.x.iter().copied());
            let (y0, y1) = min_max(p.y.iter().copied());
            let (x0, x1, y0, y1) = match view.and_then(View::checked) {
                Some(v) => (v.x0, v.x1, v.y0, v.y1),
                None => {
                    let (a, b) = padded(x0, x1, p.log_x, prepared.kind == ChartKind::Line);
                    let (c, d) = padded(y0, y1, p.log_y, false);
                    (a, b, c, d)
                }
            };
            frame.x = numeric_axis(
                &prepared.x_title,
                x0,
                x1,
                p.log_x,
                plot.x0,
                plot.x1,
                s,
                lang,
                p.x_years,
                true,
            );
            frame.y = numeric_axis(
                &prepared.y_title,
                y0,
                y1,
                p.log_y,
                plot.y1,
                plot.y0,
                s,
                lang,
                false,
                false,
            );
            frame.zoomable = true;
            let (xs, ys) = (frame.x.scale, frame.y.scale);
            let (dx0, dx1) = xs.domain();
            let (dy0, dy1) = ys.domain();
            let inside =
                |i: usize| p.x[i] >= dx0 && p.x[i] <= dx1 && p.y[i] >= dy0 && p.y[i] <= dy1;
            frame.shown = (0..p.x.len()).filter(|&i| inside(i)).count() as u64;
            if p.x.len() <= MAX_VECTOR_MARKS {
                frame.marks = Some(point_marks(p, prepared.kind, &xs, &ys, s, highlight));
            }
        }
        Body::Bars {
            categories,
            values,
            stacked,
            horizontal,
        } => {
            let n = categories.len();
            let (lo, hi) = if *stacked {
                let mut lo = 0f64;
                let mut hi = 0f64;
                for c in 0..n {
                    let (mut neg, mut pos) = (0.0, 0.0);
                    for g in values {
                        if g[c] < 0.0 { neg += g[c] } else { pos += g[c] }
                    }
                    lo = lo.min(neg);
                    hi = hi.max(pos);
                }
                (lo, hi)
            } else {
                let (lo, hi) = min_max(values.iter().flatten().copied());
                (lo.min(0.0), hi.max(0.0))
            };
            let (lo, hi) = if hi > lo {
                (lo, hi + (hi - lo) * 0.04)
            } else {
                (lo - 1.0, hi + 1.0)
            };
            let labels: Vec<Tick> = categories
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Tick {
                        at: 0.0,
                        label: ellipsis(c, if *horizontal { 28 } else { 14 }),
                    }
                    .at_band(i)
                })
                .collect();
            if *horizontal {
                let band = Scale::Band {
                    n,
                    r0: plot.y0,
                    r1: plot.y1,
                };
                frame.y = Axis {
                    title: String::new(),
                    scale: band,
                    ticks: band_ticks(labels, &band, TEXT_PX * s * 1.3),
                    grid: false,
                };
                frame.x = numeric_axis(
                    &prepared.y_title,
                    lo,
                    hi,
                    false,
                    plot.x0,
                    plot.x1,
                    s,
                    lang,
                    false,
                    true,
                );
            } else {
                let band = Scale::Band {
                    n,
                    r0: plot.x0,
                    r1: plot.x1,
                };
                let widest = labels
                    .iter()
                    .map(|t| text_width(&t.label, SMALL_PX * s))
                    .fold(0.0, f32::max);
                frame.x = Axis {
                    title: prepared.x_title.clone(),
                    scale: band,
                    ticks: band_ticks(labels, &band, widest + 6.0 * s),
                    grid: false,
                };
                frame.y = numeric_axis(
                    &prepared.y_title,
                    lo,
                    hi,
                    false,
                    plot.y1,
                    plot.y0,
                    s,
                    lang,
                    false,
                    false,
                );
            }
            frame.marks = Some(bar_marks(
                values,
                *stacked,
                *horizontal,
                &frame,
                highlight,
                prepared,
            ));
            frame.shown = n as u64;
        }
        Body::Histogram {
            edges,
            counts,
            log_x,
        } => {
            let (lo, hi) = (
                edges.first().copied().unwrap_or(0.0),
                edges.last().copied().unwrap_or(1.0),
            );
            let top_count = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            frame.x = if *log_x {
                numeric_axis(
                    &prepared.x_title,
                    10f64.powf(lo),
                    10f64.powf(hi),
                    true,
                    plot.x0,
                    plot.x1,
                    s,
                    lang,
                    false,
                    true,
                )
            } else {
                numeric_axis(
                    &prepared.x_title,
                    lo,
                    hi,
                    false,
                    plot.x0,
                    plot.x1,
                    s,
                    lang,
                    false,
                    true,
                )
            };
            frame.y = numeric_axis(
                &prepared.y_title,
                0.0,
                top_count * 1.04,
                false,
                plot.y1,
                plot.y0,
                s,
                lang,
                false,
                false,
            );
            let mut marks = Vec::new();
            let color = group_color(0);
            for (i, &c) in counts.iter().enumerate() {
                let (a, b) = if *log_x {
                    (10f64.powf(edges[i]), 10f64.powf(edges[i + 1]))
                } else {
                    (edges[i], edges[i + 1])
                };
                let x0 = frame.x.scale.map(a);
                let x1 = frame.x.scale.map(b);
                let rect = Rect {
                    x0: x0 + 0.5 * s,
                    y0: frame.y.scale.map(c as f64),
                    x1: (x1 - 0.5 * s).max(x0 + 0.5 * s),
                    y1: plot.y1,
                };
                marks.push(Mark::Rect {
                    rect,
                    rgba: [color[0], color[1], color[2], 230],
                });
            }
            frame.marks = Some(marks);
            frame.shown = counts.iter().sum();
        }
        Body::Heatmap { xs, ys, cells } => {
            let xb = Scale::Band {
                n: xs.len(),
                r0: plot.x0,
                r1: plot.x1,
            };
            let yb = Scale::Band {
                n: ys.len(),
                r0: plot.y0,
                r1: plot.y1,
            };
            let xl: Vec<Tick> = xs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Tick {
                        at: 0.0,
                        label: ellipsis(c, 14),
                    }
                    .at_band(i)
                })
                .collect();
            let widest = xl
                .iter()
                .map(|t| text_width(&t.label, SMALL_PX * s))
                .fold(0.0, f32::max);
            frame.x = Axis {
                title: prepared.x_title.clone(),
                scale: xb,
                ticks: band_ticks(xl, &xb, widest + 6.0 * s),
                grid: false,
            };
            let yl: Vec<Tick> = ys
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Tick {
                        at: 0.0,
                        label: ellipsis(c, 28),
                    }
                    .at_band(i)
                })
                .collect();
            frame.y = Axis {
                title: prepared.y_title.clone(),
                scale: yb,
                ticks: band_ticks(yl, &yb, TEXT_PX * s * 1.3),
                grid: false,
            };
            let (lo, hi) = min_max(cells.iter().flatten().copied());
            let mut marks = Vec::new();
            for (yi, _) in ys.iter().enumerate() {
                for (xi, _) in xs.iter().enumerate() {
                    if let Some(v) = cells[yi * xs.len() + xi] {
                        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                        let c = ramp(t);
                        let rect = Rect {
                            x0: xb.map(xi as f64),
                            y0: yb.map(yi as f64),
                            x1: xb.map(xi as f64 + 1.0),
                            y1: yb.map(yi as f64 + 1.0),
                        };
                        marks.push(Mark::Rect {
                            rect,
                            rgba: [c[0], c[1], c[2], 255],
                        });
                    }
                }
            }
            frame.shown = marks.len() as u64;
            frame.marks = Some(marks);
        }
    }
    if let Some(m) = prepared.mark_x
        && matches!(frame.x.scale, Scale::Linear { .. } | Scale::Log { .. })
    {
        let at = frame.x.scale.map(m);
        let years = matches!(&prepared.body, Body::Points(p) if p.x_years);
        if at >= plot.x0 && at <= plot.x1 {
            let label = if years {
                grouped(m, 0, lang, false)
            } else {
                short(m, lang)
            };
            frame.mark_x = Some((at, label));
        }
    }
    frame
}

impl Tick {
    fn at_band(mut self, i: usize) -> Tick {
        self.at = i as f32;
        self
    }
}

/// Places band labels at band centres, leaving out labels (every 2nd,
/// 3rd, …) when they would overlap.
fn band_ticks(labels: Vec<Tick>, band: &Scale, needed: f32) -> Vec<Tick> {
    let Scale::Band { n, r0, r1 } = *band else {
        return labels;
    };
    let step = ((r1 - r0) / n.max(1) as f32).abs();
    let every = if step > 0.0 {
        (needed / step).ceil().max(1.0) as usize
    } else {
        1
    };
    labels
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, t)| Tick {
            at: band.map(i as f64) + (r1 - r0) / n.max(1) as f32 / 2.0,
            label: t.label,
        })
        .collect()
}

fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

/// A data range with a margin, and a width when it has none.
fn padded(lo: f64, hi: f64, log: bool, tight: bool) -> (f64, f64) {
    if log {
        let (l0, l1) = (
            lo.max(f64::MIN_POSITIVE).log10(),
            hi.max(f64::MIN_POSITIVE).log10(),
        );
        let m = if l1 > l0 { (l1 - l0) * 0.04 } else { 0.5 };
        return (10f64.powf(l0 - m), 10f64.powf(l1 + m));
    }
    if hi > lo && (hi - lo).is_finite() {
        let m = if tight { 0.0 } else { (hi - lo) * 0.04 };
        let (a, b) = (lo - m, hi + m);
        if a.is_finite() && b.is_finite() {
            (a, b)
        } else {
            (lo, hi)
        }
    } else if (hi - lo).is_finite() {
        let m = lo.abs().max(1.0) * 0.1;
        (lo - m, hi + m)
    } else {
        (lo / 2.0 - hi / 2.0, hi)
    }
}

/// A step of 1, 2 or 5 times a power of ten, giving about `count` ticks.
fn nice_step(span: f64, count: f64) -> f64 {
    let raw = span / count.max(1.0);
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let f = raw / power;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

#[allow(clippy::too_many_arguments)]
fn numeric_axis(
    title: &str,
    d0: f64,
    d1: f64,
    log: bool,
    r0: f32,
    r1: f32,
    s: f32,
    lang: Lang,
    years: bool,
    horizontal: bool,
) -> Axis {
    let length = (r1 - r0).abs();
    let spacing = if horizontal { 110.0 } else { 45.0 } * s;
    let count = f64::from((length / spacing).max(2.0));
    let mut ticks = Vec::new();
    let scale = if log {
        let (l0, l1) = (
            d0.max(f64::MIN_POSITIVE).log10(),
            d1.max(f64::MIN_POSITIVE).log10(),
        );
        let scale = Scale::Log { l0, l1, r0, r1 };
        let decades = l1.floor() - l0.ceil() + 1.0;
        let every = (decades / count).ceil().max(1.0);
        let mut e = l0.ceil();
        while e <= l1 && ticks.len() < 40 {
            let v = 10f64.powf(e);
            ticks.push(Tick {
                at: scale.map(v),
                label: short(v, lang),
            });
            e += every;
        }
        if decades < 2.0 {
            // Less than two decades: 2× and 5× marks too.
            for base in [l0.floor(), l0.floor() + 1.0] {
                for m in [2.0, 5.0] {
                    let v = m * 10f64.powf(base);
                    if v.log10() >= l0 && v.log10() <= l1 {
                        ticks.push(Tick {
                            at: scale.map(v),
                            label: short(v, lang),
                        });
                    }
                }
            }
        }
        scale
    } else {
        let scale = Scale::Linear { d0, d1, r0, r1 };
        let step = nice_step(d1 - d0, count);
        let decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10().floor()) as usize
        };
        let mut v = (d0 / step).ceil() * step;
        while v <= d1 + step * 1e-9 && ticks.len() < 60 {
            let shown = if v.abs() < step * 1e-9 { 0.0 } else { v };
            ticks.push(Tick {
                at: scale.map(shown),
                label: grouped(shown, decimals, lang, !years),
            });
            v += step;
        }
        scale
    };
    Axis {
        title: title.to_string(),
        scale,
        ticks,
        grid: true,
    }
}

/// A guess of the widest y tick label, in characters times 0.62 × 11 px.
fn y_label_estimate(prepared: &Prepared, lang: Lang, (top, bottom): (f32, f32), s: f32) -> f32 {
    // The widest label of the ticks an axis this high gets.
    let widest = |lo: f64, hi: f64, log: bool| {
        numeric_axis("", lo, hi, log, bottom, top, s, lang, false, false)
            .ticks
            .iter()
            .map(|t| t.label.chars().count())
            .max()
            .unwrap_or(1)
    };
    let chars = match &prepared.body {
        Body::Bars {
            categories,
            horizontal: true,
            ..
        } => categories
            .iter()
            .map(|c| c.chars().count().min(28))
            .max()
            .unwrap_or(1),
        Body::Heatmap { ys, .. } => ys
            .iter()
            .map(|c| c.chars().count().min(28))
            .max()
            .unwrap_or(1),
        Body::Points(p) => {
            let (lo, hi) = min_max(p.y.iter().copied());
            let (lo, hi) = padded(lo, hi, p.log_y, false);
            widest(lo, hi, p.log_y)
        }
        Body::Bars { values, .. } => {
            let (lo, hi) = min_max(values.iter().flatten().copied());
            widest(lo.min(0.0), hi.max(0.0), false)
        }
        Body::Histogram { counts, .. } => {
            number(counts.iter().copied().max().unwrap_or(0) as f64, 0, lang)
                .chars()
                .count()
        }
    };
    text_width(&"0".repeat(chars), SMALL_PX)
}

/// "Källa: … · Licens: … · Datalabb".
fn footer(context: &Context) -> String {
    let (source, licence) = match context.lang {
        Lang::Sv => ("Källa", "Licens"),
        Lang::En => ("Source", "Licence"),
    };
    let mut parts = Vec::new();
    if !context.source.is_empty() {
        parts.push(format!("{source}: {}", context.source));
    }
    if !context.licence.is_empty() {
        parts.push(format!("{licence}: {}", context.licence));
    }
    parts.push("Datalabb".to_string());
    parts.join(" · ")
}

/// The footer's parts (split at " · ") in at most two lines of `chars`
/// characters; the second line is cut with an ellipsis when it must be.
fn footer_lines(text: &str, chars: usize) -> Vec<String> {
    const MAX_LINES: usize = 3;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // Word by word; a new line starts where the next word does not fit,
    // preferably after a " · " (checked first).
    for (i, part) in text.split(" · ").enumerate() {
        let part = if i == 0 {
            part.to_string()
        } else {
            format!("· {part}")
        };
        for word in part.split(' ') {
            let joined = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if joined.chars().count() <= chars || line.is_empty() || lines.len() + 1 >= MAX_LINES {
                line = joined;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            }
        }
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| ellipsis(l.trim_start_matches("· "), chars))
        .collect()
}

/// The point's radius in CSS pixels and opacity for `n` points.
pub fn point_style(n: usize) -> (f32, f32) {
    match n {
        0..=1_000 => (3.5, 0.85),
        1_001..=10_000 => (2.5, 0.6),
        10_001..=100_000 => (1.8, 0.4),
        _ => (1.5, 0.25),
    }
}

fn point_marks(
    p: &super::prepare::Points,
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

fn bar_marks(
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
            let color = group_color(g8);
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
