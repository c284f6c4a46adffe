//! The layout of a chart at a size: where the plot, the axes, the legend,
//! the title and the footer go, the scales that place values, and the
//! marks as shapes when they are few enough to draw one by one.
//!
//! Everything is in device pixels. Text widths are estimated from the
//! character count (the worker cannot measure text), generously, so that
//! the page's real text fits the space given to it.

//!
//! Its files, one line each, are on the module map in ARCHITECTURE.md.

mod axis;
pub mod boxes;
mod chrome;
pub mod furniture;
mod labels;
mod marks;
mod scale;

use serde::{Deserialize, Serialize};

use crate::chart::prepare::{Body, Prepared};
use crate::chart::{Context, Size, View, group_color, ramp};
use crate::data::format::{grouped, short};
use crate::recipe::ChartKind;

use axis::{AxisSpec, band_ticks, min_max, numeric_axis, padded, y_label_estimate};
pub use chrome::{Line, TextStyle, text_lines};
use chrome::{footer, footer_lines};
use furniture::{Pin, Placed};
pub use labels::layout;
pub use marks::point_style;
use marks::{bar_marks, point_marks};
pub use scale::{Rect, Scale};

/// The most marks drawn as shapes (and written to SVG one by one); above
/// this the worker rasterises them.
pub const MAX_VECTOR_MARKS: usize = 5000;

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
    /// The title in the lines it is drawn in (it wraps, at most three).
    pub title_lines: Vec<String>,
    /// The chart in words, for a screen reader ([`crate::chart::describe`]).
    pub description: String,
    /// The lab's notes (rows left out, labels that do not fit) in the
    /// lines they are drawn in.
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
    /// The least height in CSS pixels at which every category label of a
    /// horizontal bar chart or a heatmap's rows fits (an embed asks its
    /// page for it).
    pub wanted_height: Option<u32>,
    /// The subtitle in the lines it is drawn in.
    pub subtitle_lines: Vec<String>,
    /// The note under the chart in the lines it is drawn in.
    pub note_lines: Vec<String>,
    /// Texts at points: bar values, line names, annotations.
    pub texts: Vec<Placed>,
    /// The annotations' pins.
    pub pins: Vec<Pin>,
    /// Where the middle of the x axis's title is.
    pub x_title_mid: f32,
}

/// The most lines a title wraps to.
pub const TITLE_LINES: usize = 3;

/// The height of a title of `lines` lines at `s` device pixels per CSS
/// pixel, with the space under it.
pub fn title_block(lines: usize, s: f32) -> f32 {
    (22.0 + lines.saturating_sub(1) as f32 * 20.0) * s
}

/// The room under the plot for the x axis's labels, in CSS pixels (an
/// axis title adds 16).
pub const BOTTOM_AXIS_PX: f32 = 19.0;

/// The height of a note's line under the title, in CSS pixels.
pub const NOTE_PX: f32 = 15.0;

/// Font sizes in CSS pixels.
pub const TITLE_PX: f32 = 16.0;
pub const SUBTITLE_PX: f32 = 13.0;
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

/// [`layout`] once, without looking at the labels it left out.
pub(super) fn layout_once(
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
    let title_chars = ((w - 2.0 * pad) / (TITLE_PX * s * 0.62)).max(8.0) as usize;
    let title_lines = chrome::wrap(&prepared.title, title_chars, TITLE_LINES);
    let mut top = pad + title_block(title_lines.len(), s);
    let subtitle_lines = chrome::wrap_if(
        &prepared.furniture.subtitle,
        ((w - 2.0 * pad) / (SUBTITLE_PX * s * 0.62)).max(8.0) as usize,
        3,
    );
    top += chrome::subtitle_block(subtitle_lines.len(), s);
    let note_chars = ((w - 2.0 * pad) / (SMALL_PX * s * 0.62)).max(8.0) as usize;
    let notes: Vec<String> = prepared
        .notes
        .iter()
        .take(2)
        .flat_map(|n| chrome::wrap(n, note_chars, 2))
        .collect();
    top += notes.len() as f32 * NOTE_PX * s;

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
    let note_lines = chrome::wrap_if(
        &prepared.furniture.note,
        ((w - 2.0 * pad) / (SMALL_PX * s * 0.62)).max(8.0) as usize,
        4,
    );
    let footer_h = footer_h + chrome::note_block(note_lines.len(), s);
    let bottom_axis = (BOTTOM_AXIS_PX
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
    let horizontal_bars = matches!(
        prepared.body,
        Body::Bars {
            horizontal: true,
            ..
        }
    );
    let y_title_w = if prepared.y_title.is_empty() || horizontal_bars {
        0.0
    } else {
        18.0 * s
    };
    let left = pad + y_title_w + ylabels.min(w * 0.4 / s) * s + 8.0 * s;
    // Row labels (horizontal bars, heatmap rows) are cut to the room left
    // of the plot; their whole names are in the tooltips and the data tab.
    let row_chars = ((left - pad - y_title_w - 7.0 * s) / (SMALL_PX * s * 0.62))
        .floor()
        .clamp(4.0, 28.0) as usize;
    let end_room = furniture::end_label_room(prepared, w, s);
    let right = w - pad - 6.0 * s - end_room;
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
        title_lines,
        description: crate::chart::describe::describe(prepared, lang),
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
        wanted_height: None,
        subtitle_lines,
        note_lines,
        texts: Vec::new(),
        pins: Vec::new(),
        x_title_mid: (plot.x0 + plot.x1) / 2.0,
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
            frame.x = numeric_axis(&AxisSpec {
                title: &prepared.x_title,
                domain: (x0, x1),
                log: p.log_x,
                range: (plot.x0, plot.x1),
                scale: s,
                lang,
                years: p.x_years,
                horizontal: true,
            });
            frame.y = numeric_axis(&AxisSpec {
                title: &prepared.y_title,
                domain: (y0, y1),
                log: p.log_y,
                range: (plot.y1, plot.y0),
                scale: s,
                lang,
                years: false,
                horizontal: false,
            });
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
                        label: ellipsis(c, if *horizontal { row_chars } else { 14 }),
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
                frame.x = numeric_axis(&AxisSpec {
                    title: &prepared.y_title,
                    domain: (lo, hi),
                    log: false,
                    range: (plot.x0, plot.x1),
                    scale: s,
                    lang,
                    years: false,
                    horizontal: true,
                });
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
                frame.y = numeric_axis(&AxisSpec {
                    title: &prepared.y_title,
                    domain: (lo, hi),
                    log: false,
                    range: (plot.y1, plot.y0),
                    scale: s,
                    lang,
                    years: false,
                    horizontal: false,
                });
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
                numeric_axis(&AxisSpec {
                    title: &prepared.x_title,
                    domain: (10f64.powf(lo), 10f64.powf(hi)),
                    log: true,
                    range: (plot.x0, plot.x1),
                    scale: s,
                    lang,
                    years: false,
                    horizontal: true,
                })
            } else {
                numeric_axis(&AxisSpec {
                    title: &prepared.x_title,
                    domain: (lo, hi),
                    log: false,
                    range: (plot.x0, plot.x1),
                    scale: s,
                    lang,
                    years: false,
                    horizontal: true,
                })
            };
            frame.y = numeric_axis(&AxisSpec {
                title: &prepared.y_title,
                domain: (0.0, top_count * 1.04),
                log: false,
                range: (plot.y1, plot.y0),
                scale: s,
                lang,
                years: false,
                horizontal: false,
            });
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
                        label: ellipsis(c, row_chars),
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
    // Axis titles are cut to the plot's sides (the description has them whole).
    let fit = |title: &str, length: f32, px: f32| {
        ellipsis(title, (length / (px * s * 0.62)).max(4.0) as usize)
    };
    // The x title may run under the y labels: it is centred under the
    // plot where it fits, else moved in from the frame's edge.
    frame.x.title = fit(&frame.x.title, w - 2.0 * pad, TEXT_PX);
    let half = text_width(&frame.x.title, TEXT_PX * s) / 2.0;
    // min and max rather than clamp, which panics on a NaN bound.
    frame.x_title_mid = ((plot.x0 + plot.x1) / 2.0)
        .min(w - pad - half)
        .max(pad + half);
    frame.y.title = fit(&frame.y.title, plot.height(), TEXT_PX);
    let mut texts = furniture::bar_values(prepared, &frame, lang);
    texts.extend(furniture::line_labels(prepared, &frame, end_room));
    frame.pins = furniture::annotations(prepared, &frame, &mut texts);
    frame.texts = texts;
    frame
}
