//! A [`Frame`] onto any plotters backend: the page's canvas
//! (plotters-canvas) and SVG (plotters' SVG backend, natively and on the
//! page). Drawn in two layers so that an image of the marks can go between
//! them: [`under`] (background, grid) and [`over`] (axes, labels, legend,
//! title, notes, footer); [`marks`] draws the marks as shapes.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::boxes::{TICK_GAP_PX, x_label_mid};
use super::frame::furniture::Align;
use super::frame::{Frame, Mark, Rect, SMALL_PX, TEXT_PX, TextStyle, text_lines};
use super::{ChartError, ramp};

type Drawn = Result<(), ChartError>;

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x5f, 0x5f, 0x5f);
const GRID: RGBColor = RGBColor(0xe6, 0xe6, 0xe6);
const FONT: &str = "sans-serif";

fn p(x: f32, y: f32) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

fn fail<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// The background and the grid lines.
pub fn under<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame) -> Drawn {
    root.fill(&WHITE).map_err(fail)?;
    let plot = frame.plot;
    let s = frame.scale;
    let grid = ShapeStyle::from(&GRID).stroke_width(s.round().max(1.0) as u32);
    if frame.x.grid {
        for t in &frame.x.ticks {
            if t.at >= plot.x0 - 0.5 && t.at <= plot.x1 + 0.5 {
                root.draw(&PathElement::new(
                    vec![p(t.at, plot.y0), p(t.at, plot.y1)],
                    grid,
                ))
                .map_err(fail)?;
            }
        }
    }
    if frame.y.grid {
        for t in &frame.y.ticks {
            if t.at >= plot.y0 - 0.5 && t.at <= plot.y1 + 0.5 {
                root.draw(&PathElement::new(
                    vec![p(plot.x0, t.at), p(plot.x1, t.at)],
                    grid,
                ))
                .map_err(fail)?;
            }
        }
    }
    Ok(())
}

/// The marks as shapes, clipped to the plot.
pub fn marks<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame) -> Drawn {
    let Some(marks) = &frame.marks else {
        return Ok(());
    };
    let plot = frame.plot;
    for mark in marks {
        match mark {
            Mark::Circle { x, y, r, rgba } => {
                if !plot.contains(*x, *y) {
                    continue;
                }
                let c = RGBAColor(rgba[0], rgba[1], rgba[2], f64::from(rgba[3]) / 255.0);
                root.draw(&Circle::new(
                    p(*x, *y),
                    r.round().max(1.0) as i32,
                    c.filled(),
                ))
                .map_err(fail)?;
            }
            Mark::Rect { rect, rgba } => {
                let r = clip(rect, &plot);
                if r.width() <= 0.0 && r.height() <= 0.0 {
                    continue;
                }
                let c = RGBAColor(rgba[0], rgba[1], rgba[2], f64::from(rgba[3]) / 255.0);
                root.draw(&Rectangle::new([p(r.x0, r.y0), p(r.x1, r.y1)], c.filled()))
                    .map_err(fail)?;
            }
            Mark::Path {
                points,
                width,
                rgba,
            } => {
                let c = RGBAColor(rgba[0], rgba[1], rgba[2], f64::from(rgba[3]) / 255.0);
                let style = ShapeStyle::from(&c).stroke_width(width.round().max(1.0) as u32);
                // Segments wholly outside the plot are left out (zoom).
                let inside: Vec<(i32, i32)> = points
                    .iter()
                    .filter(|(x, y)| plot.contains(*x, *y))
                    .map(|(x, y)| p(*x, *y))
                    .collect();
                if inside.len() >= 2 {
                    root.draw(&PathElement::new(inside, style)).map_err(fail)?;
                }
            }
        }
    }
    Ok(())
}

fn clip(r: &Rect, plot: &Rect) -> Rect {
    Rect {
        x0: r.x0.max(plot.x0),
        y0: r.y0.max(plot.y0),
        x1: r.x1.min(plot.x1),
        y1: r.y1.min(plot.y1),
    }
}

/// Axes, tick labels, axis titles, the marked x, legend, title, notes and
/// footer.
pub fn over<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame) -> Drawn {
    let s = frame.scale;
    let plot = frame.plot;
    let pad = 10.0 * s;
    let axis = ShapeStyle::from(&MUTED).stroke_width(s.round().max(1.0) as u32);
    let small = (FONT, f64::from(SMALL_PX * s)).into_font().color(&MUTED);
    let text = (FONT, f64::from(TEXT_PX * s)).into_font().color(&INK);

    // Axis lines: the bottom and the left of the plot.
    root.draw(&PathElement::new(
        vec![p(plot.x0, plot.y1), p(plot.x1, plot.y1)],
        axis,
    ))
    .map_err(fail)?;
    root.draw(&PathElement::new(
        vec![p(plot.x0, plot.y0), p(plot.x0, plot.y1)],
        axis,
    ))
    .map_err(fail)?;
    let tick = 4.0 * s;
    for t in &frame.x.ticks {
        if t.at < plot.x0 - 0.5 || t.at > plot.x1 + 0.5 {
            continue;
        }
        root.draw(&PathElement::new(
            vec![p(t.at, plot.y1), p(t.at, plot.y1 + tick)],
            axis,
        ))
        .map_err(fail)?;
        let style = small.pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(
            t.label.clone(),
            p(
                x_label_mid(frame, &t.label, t.at),
                plot.y1 + TICK_GAP_PX * s,
            ),
            style,
        ))
        .map_err(fail)?;
    }
    for t in &frame.y.ticks {
        if t.at < plot.y0 - 0.5 || t.at > plot.y1 + 0.5 {
            continue;
        }
        root.draw(&PathElement::new(
            vec![p(plot.x0 - tick, t.at), p(plot.x0, t.at)],
            axis,
        ))
        .map_err(fail)?;
        let style = small.pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(
            t.label.clone(),
            p(plot.x0 - tick - 3.0 * s, t.at),
            style,
        ))
        .map_err(fail)?;
    }
    if !frame.x.title.is_empty() {
        let style = text.pos(Pos::new(HPos::Center, VPos::Top));
        let at = p(frame.x_title_mid, plot.y1 + tick + 18.0 * s);
        root.draw(&Text::new(frame.x.title.clone(), at, style))
            .map_err(fail)?;
    }
    if !frame.y.title.is_empty() {
        let style = text
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let at = p(pad, (plot.y0 + plot.y1) / 2.0);
        root.draw(&Text::new(frame.y.title.clone(), at, style))
            .map_err(fail)?;
    }
    if let Some((x, label)) = &frame.mark_x {
        let dash = ShapeStyle::from(&INK).stroke_width(s.round().max(1.0) as u32);
        let size = (4.0 * s) as i32;
        root.draw(&DashedPathElement::new(
            vec![p(*x, plot.y0), p(*x, plot.y1)],
            size,
            size,
            dash,
        ))
        .map_err(fail)?;
        let style = small.color(&INK).pos(Pos::new(HPos::Left, VPos::Top));
        root.draw(&Text::new(
            label.clone(),
            p(*x + 4.0 * s, plot.y0 + 2.0 * s),
            style,
        ))
        .map_err(fail)?;
    }

    // Title, subtitle, notes, the note under the chart and the footer.
    for line in text_lines(frame) {
        let px = f64::from(line.style.px() * s);
        let font = match line.style {
            TextStyle::Title => (FONT, px, FontStyle::Bold).into_font().color(&INK),
            TextStyle::Subtitle | TextStyle::ChartNote => (FONT, px).into_font().color(&INK),
            TextStyle::Note | TextStyle::Footer => (FONT, px).into_font().color(&MUTED),
        };
        let style = font.pos(Pos::new(HPos::Left, VPos::Top));
        root.draw(&Text::new(line.text.to_string(), p(line.x, line.y), style))
            .map_err(fail)?;
    }
    furniture(root, frame)?;
    for entry in &frame.legend {
        let r = entry.rect;
        let alpha = if entry.faded { 0.3 } else { 1.0 };
        let c = RGBAColor(entry.color[0], entry.color[1], entry.color[2], alpha);
        let mid = (r.y0 + r.y1) / 2.0;
        let half = 5.0 * s;
        root.draw(&Rectangle::new(
            [p(r.x0, mid - half), p(r.x0 + 2.0 * half, mid + half)],
            c.filled(),
        ))
        .map_err(fail)?;
        let ink = if entry.faded {
            RGBAColor(0x22, 0x22, 0x22, 0.4)
        } else {
            RGBAColor(0x22, 0x22, 0x22, 1.0)
        };
        let style = text.color(&ink).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(
            entry.label.clone(),
            p(r.x0 + 2.0 * half + 5.0 * s, mid),
            style,
        ))
        .map_err(fail)?;
    }
    if let Some((r, lo, hi)) = &frame.ramp {
        let steps = 32;
        for i in 0..steps {
            let t = i as f64 / (steps - 1) as f64;
            let c = ramp(t);
            let x0 = r.x0 + r.width() * i as f32 / steps as f32;
            let x1 = r.x0 + r.width() * (i + 1) as f32 / steps as f32;
            root.draw(&Rectangle::new(
                [p(x0, r.y0), p(x1, r.y1)],
                RGBColor(c[0], c[1], c[2]).filled(),
            ))
            .map_err(fail)?;
        }
        let mid = (r.y0 + r.y1) / 2.0;
        root.draw(&Text::new(
            lo.clone(),
            p(r.x0 - 6.0 * s, mid),
            small.pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(fail)?;
        root.draw(&Text::new(
            hi.clone(),
            p(r.x1 + 6.0 * s, mid),
            small.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(fail)?;
    }
    Ok(())
}

/// Texts at points (bar values, line names, annotations) and the
/// annotations' pins.
fn furniture<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame) -> Drawn {
    let s = frame.scale;
    let thin = ShapeStyle::from(&INK).stroke_width(s.round().max(1.0) as u32);
    for pin in &frame.pins {
        root.draw(&Circle::new(
            p(pin.x, pin.y),
            (3.0 * s).round() as i32,
            thin,
        ))
        .map_err(fail)?;
        root.draw(&PathElement::new(
            vec![p(pin.x, pin.y), p(pin.to.0, pin.to.1)],
            thin,
        ))
        .map_err(fail)?;
    }
    for t in &frame.texts {
        let color = RGBColor(t.rgb[0], t.rgb[1], t.rgb[2]);
        let px = f64::from(t.px * s);
        let font = if t.bold {
            (FONT, px, FontStyle::Bold).into_font()
        } else {
            (FONT, px).into_font()
        };
        let h = match t.align {
            Align::Left => HPos::Left,
            Align::Right => HPos::Right,
            Align::Center => HPos::Center,
        };
        // Annotations stand on a white ground so that marks under them do
        // not cross the text.
        if t.ground {
            let r = t.rect(s);
            root.draw(&Rectangle::new(
                [p(r.x0 - 2.0 * s, r.y0), p(r.x1 + 2.0 * s, r.y1)],
                WHITE.mix(0.85).filled(),
            ))
            .map_err(fail)?;
        }
        let style = font.color(&color).pos(Pos::new(h, VPos::Center));
        root.draw(&Text::new(t.text.clone(), p(t.x, t.y), style))
            .map_err(fail)?;
    }
    Ok(())
}

/// The whole frame with its marks as shapes.
pub fn all<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, frame: &Frame) -> Drawn {
    under(root, frame)?;
    marks(root, frame)?;
    over(root, frame)?;
    root.present().map_err(fail)
}

/// The frame as an SVG document. `image` is a PNG data URL of the marks'
/// image, for frames whose marks were rasterised.
pub fn svg(frame: &Frame, image: Option<&str>) -> Result<String, ChartError> {
    let size = (frame.width, frame.height);
    let mut below = String::new();
    let mut above = String::new();
    {
        let root = SVGBackend::with_string(&mut below, size).into_drawing_area();
        under(&root, frame)?;
        marks(&root, frame)?;
        root.present().map_err(fail)?;
    }
    {
        let root = SVGBackend::with_string(&mut above, size).into_drawing_area();
        over(&root, frame)?;
        root.present().map_err(fail)?;
    }
    // One document: the lower layer, the image, then the upper layer's
    // elements (its own <svg> wrapper left out).
    let end = below.rfind("</svg>").ok_or_else(|| fail("no SVG end"))?;
    let mut out = below[..end].to_string();
    if let Some(url) = image {
        let r = frame.plot;
        out.push_str(&format!(
            "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" href=\"{}\"/>\n",
            r.x0.round(),
            r.y0.round(),
            r.width().ceil(),
            r.height().ceil(),
            url.replace('"', "")
        ));
    }
    let start = above
        .find('>')
        .map(|i| i + 1)
        .ok_or_else(|| fail("no SVG start"))?;
    let stop = above.rfind("</svg>").ok_or_else(|| fail("no SVG end"))?;
    out.push_str(&above[start..stop]);
    out.push_str("</svg>\n");
    Ok(out)
}
