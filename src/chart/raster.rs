//! The marks of big series as an image, and the nearest mark under the
//! pointer.
//!
//! The image covers the plot rectangle in device pixels, RGBA with
//! straight (not premultiplied) alpha, as `ImageData` wants it. Points are
//! discs blended over a transparent background; lines are one-pixel-wide
//! segments per device pixel of width.

use super::frame::{Frame, Mark, Rect, point_style};
use super::group_color;
use super::prepare::{Body, Points, Prepared};
use crate::recipe::ChartKind;

/// An RGBA image of the plot rectangle.
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Rasterises the points or lines of `prepared` as `frame` places them, or
/// `None` when the frame draws its marks as shapes.
pub fn rasterise(prepared: &Prepared, frame: &Frame, highlight: Option<u8>) -> Option<Raster> {
    if frame.marks.is_some() {
        return None;
    }
    let Body::Points(p) = &prepared.body else {
        return None;
    };
    let plot = frame.plot;
    let width = plot.width().max(1.0).ceil() as u32;
    let height = plot.height().max(1.0).ceil() as u32;
    let mut canvas = Canvas {
        width,
        height,
        acc: vec![0u8; width as usize * height as usize * 4],
    };
    let (xs, ys) = (frame.x.scale, frame.y.scale);
    let s = frame.scale;
    if prepared.kind == ChartKind::Line {
        for line in &p.lines {
            let (rgba, w) = if line.highlighted {
                let c = group_color(line.group);
                let a = if highlight.is_some_and(|h| h != line.group) {
                    50
                } else {
                    240
                };
                ([c[0], c[1], c[2], a], (2.0 * s).round().max(1.0) as i32)
            } else {
                (
                    [0x99, 0x99, 0x99, if highlight.is_some() { 40 } else { 90 }],
                    s.round().max(1.0) as i32,
                )
            };
            let mut last: Option<(f32, f32)> = None;
            for i in line.start..line.end {
                let at = (xs.map(p.x[i]) - plot.x0, ys.map(p.y[i]) - plot.y0);
                if let Some(prev) = last {
                    canvas.segment(prev, at, w, rgba);
                }
                last = Some(at);
            }
        }
    } else {
        let (r, alpha) = point_style(p.x.len());
        let disc = |radius: f32| Disc::new(radius * s);
        let plain = disc(r);
        let colors: Vec<[u8; 4]> = (0..=8u8)
            .map(|g| {
                let c = group_color(g);
                let a = if highlight.is_some_and(|h| h != g) {
                    alpha * 0.15
                } else {
                    alpha
                };
                [c[0], c[1], c[2], (a * 255.0).round() as u8]
            })
            .collect();
        let (x0, x1) = (plot.x0, plot.x1);
        // The points in view, then drawn band by band (16 device pixels
        // high, points in data order within a band): a million discs in
        // data order hit the image at random and wait on memory; by band
        // they stay in cache. The order only matters where discs of
        // different colours overlap, and it is fixed.
        const BAND: f32 = 16.0;
        let bands = (plot.height() / BAND).ceil().max(1.0) as usize + 4;
        let mut visible: Vec<(f32, f32, u32)> = Vec::with_capacity(p.x.len());
        let mut counts = vec![0u32; bands + 1];
        for i in 0..p.x.len() {
            let px = xs.map(p.x[i]) - x0;
            let py = ys.map(p.y[i]) - plot.y0;
            if px < -20.0 * s
                || py < -20.0 * s
                || px > (x1 - x0) + 20.0 * s
                || py > plot.height() + 20.0 * s
            {
                continue;
            }
            let band = (((py + 40.0 * s) / BAND) as usize).min(bands - 1);
            counts[band + 1] += 1;
            visible.push((px, py, i as u32));
        }
        for b in 0..bands {
            counts[b + 1] += counts[b];
        }
        let mut order = vec![0u32; visible.len()];
        for (k, &(_, py, _)) in visible.iter().enumerate() {
            let band = (((py + 40.0 * s) / BAND) as usize).min(bands - 1);
            order[counts[band] as usize] = k as u32;
            counts[band] += 1;
        }
        for k in order {
            let (px, py, i) = visible[k as usize];
            let i = i as usize;
            let color = colors[usize::from(p.group[i].min(8))];
            match &p.size {
                Some(size) => {
                    canvas.disc(px, py, &disc(2.0 + 10.0 * size[i].max(0.0).sqrt()), color)
                }
                None => canvas.disc(px, py, &plain, color),
            }
        }
    }
    Some(Raster {
        width,
        height,
        rgba: canvas.finish(),
    })
}

/// A colour ready to blend: premultiplied, and what it leaves of the
/// pixel under it.
struct Paint {
    src: [u32; 4],
    keep: u32,
}

impl Paint {
    fn new(rgba: [u8; 4]) -> Paint {
        let sa = u32::from(rgba[3]);
        Paint {
            src: [
                div255(u32::from(rgba[0]) * sa),
                div255(u32::from(rgba[1]) * sa),
                div255(u32::from(rgba[2]) * sa),
                sa,
            ],
            keep: 255 - sa,
        }
    }
}

/// "Source over" for one premultiplied pixel.
#[inline]
fn blend_pixel(px: &mut [u8], paint: &Paint) {
    for (c, src) in px.iter_mut().zip(paint.src) {
        *c = (src + div255(u32::from(*c) * paint.keep)) as u8;
    }
}

/// `v / 255`, rounded, for `v` up to 255 × 255.
#[inline]
fn div255(v: u32) -> u32 {
    (v + 128 + ((v + 128) >> 8)) >> 8
}

/// A disc's pixel offsets and coverage, computed once per radius.
struct Disc {
    spans: Vec<(i32, i32, i32)>,
}

impl Disc {
    fn new(radius: f32) -> Disc {
        let r = radius.clamp(0.5, 64.0);
        let ri = r.ceil() as i32;
        let mut spans = Vec::new();
        // A pixel belongs to the disc when its centre is within r (and a
        // little: a radius of 1.5 gives a 3 × 3 square).
        let reach2 = r * r + 0.25;
        for dy in -ri..=ri {
            let fy = dy as f32;
            if fy * fy <= reach2 {
                let b = (reach2 - fy * fy).sqrt().floor() as i32;
                spans.push((dy, -b, b));
            }
        }
        Disc { spans }
    }
}

struct Canvas {
    width: u32,
    height: u32,
    acc: Vec<u8>,
}

impl Canvas {
    /// Blends `rgba` ("source over") over the pixel at `(x, y)`. The
    /// canvas holds premultiplied colour while drawing, so a blend is a
    /// multiply and add per channel with no division by a varying alpha;
    /// [`Canvas::finish`] turns it into straight alpha once per pixel.
    #[inline]
    fn blend(&mut self, x: i32, y: i32, rgba: [u8; 4]) {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        blend_pixel(&mut self.acc[i..i + 4], &Paint::new(rgba));
    }

    /// The image with straight alpha, as `ImageData` wants it.
    fn finish(mut self) -> Vec<u8> {
        // c · 255 / a through a table of 255 / a in 16.16 fixed point: a
        // division per channel of a million pixels costs more than the
        // drawing.
        let mut scale = [0u32; 256];
        for (a, s) in scale.iter_mut().enumerate().skip(1) {
            *s = ((255u32 << 16) + a as u32 / 2) / a as u32;
        }
        for px in self.acc.chunks_exact_mut(4) {
            let a = usize::from(px[3]);
            if a != 0 && a != 255 {
                let f = scale[a];
                for c in &mut px[..3] {
                    *c = ((u32::from(*c) * f + (1 << 15)) >> 16).min(255) as u8;
                }
            }
        }
        self.acc
    }

    fn disc(&mut self, cx: f32, cy: f32, disc: &Disc, rgba: [u8; 4]) {
        let (cx, cy) = (cx.round() as i32, cy.round() as i32);
        let paint = Paint::new(rgba);
        for &(dy, a, b) in &disc.spans {
            let y = cy + dy;
            if y < 0 || y >= self.height as i32 {
                continue;
            }
            let from = (cx + a).max(0);
            let to = (cx + b).min(self.width as i32 - 1);
            if from > to {
                continue;
            }
            // The row's pixels as one slice: no bounds check per pixel.
            let start = (y as usize * self.width as usize + from as usize) * 4;
            let end = (y as usize * self.width as usize + to as usize + 1) * 4;
            for px in self.acc[start..end].chunks_exact_mut(4) {
                blend_pixel(px, &paint);
            }
        }
    }

    /// A segment `width` pixels wide (a DDA, each step a small square).
    fn segment(&mut self, a: (f32, f32), b: (f32, f32), width: i32, rgba: [u8; 4]) {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let steps = dx.abs().max(dy.abs()).ceil().clamp(1.0, 20_000.0) as i32;
        let half = width / 2;
        let mut last = (i32::MIN, i32::MIN);
        for k in 0..=steps {
            let t = k as f32 / steps as f32;
            let (x, y) = ((a.0 + dx * t).round() as i32, (a.1 + dy * t).round() as i32);
            if (x, y) == last {
                continue;
            }
            last = (x, y);
            for oy in -half..width - half {
                for ox in -half..width - half {
                    self.blend(x + ox, y + oy, rgba);
                }
            }
        }
    }
}

/// The nearest mark to a position, for tooltips.
#[derive(Debug, Clone, PartialEq)]
pub enum Hit {
    /// Point `index` of the prepared points (its table row is `row`).
    Point {
        index: usize,
        row: u32,
        at: (f32, f32),
    },
    /// Bar: category and group.
    Bar {
        category: usize,
        group: usize,
        rect: Rect,
    },
    /// Histogram bin.
    Bin { bin: usize, rect: Rect },
    /// Heatmap cell.
    Cell { x: usize, y: usize, rect: Rect },
}

/// The points of a frame in a grid of cells, to find the nearest point to
/// the pointer without looking at every point.
pub struct Grid {
    cell: f32,
    cols: usize,
    rows: usize,
    plot: Rect,
    /// `starts[c]..starts[c + 1]` index `members` for cell `c`.
    starts: Vec<u32>,
    members: Vec<u32>,
    /// Each point's position.
    at: Vec<(f32, f32)>,
}

impl Grid {
    /// Indexes the points inside the frame's plot (O(n), two passes).
    pub fn new(points: &Points, frame: &Frame) -> Grid {
        let plot = frame.plot;
        let cell = (16.0 * frame.scale).max(4.0);
        let cols = ((plot.width() / cell).ceil() as usize).clamp(1, 4096);
        let rows = ((plot.height() / cell).ceil() as usize).clamp(1, 4096);
        let (xs, ys) = (frame.x.scale, frame.y.scale);
        let at: Vec<(f32, f32)> = points
            .x
            .iter()
            .zip(&points.y)
            .map(|(&x, &y)| (xs.map(x), ys.map(y)))
            .collect();
        let cell_of = |p: (f32, f32)| -> Option<usize> {
            if !plot.contains(p.0, p.1) {
                return None;
            }
            let c = (((p.0 - plot.x0) / cell) as usize).min(cols - 1);
            let r = (((p.1 - plot.y0) / cell) as usize).min(rows - 1);
            Some(r * cols + c)
        };
        let mut starts = vec![0u32; cols * rows + 1];
        for &p in &at {
            if let Some(c) = cell_of(p) {
                starts[c + 1] += 1;
            }
        }
        for c in 0..cols * rows {
            starts[c + 1] += starts[c];
        }
        let mut fill = starts.clone();
        let mut members = vec![0u32; starts[cols * rows] as usize];
        for (i, &p) in at.iter().enumerate() {
            if let Some(c) = cell_of(p) {
                members[fill[c] as usize] = i as u32;
                fill[c] += 1;
            }
        }
        Grid {
            cell,
            cols,
            rows,
            plot,
            starts,
            members,
            at,
        }
    }

    /// The nearest point within `radius` device pixels of `(x, y)`; the
    /// later point wins a tie (it is drawn on top).
    pub fn nearest(&self, x: f32, y: f32, radius: f32) -> Option<usize> {
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let reach = (radius / self.cell).ceil() as i64;
        let c = ((x - self.plot.x0) / self.cell).floor() as i64;
        let r = ((y - self.plot.y0) / self.cell).floor() as i64;
        let mut best: Option<(f32, usize)> = None;
        for rr in (r - reach).max(0)..=(r + reach).min(self.rows as i64 - 1) {
            for cc in (c - reach).max(0)..=(c + reach).min(self.cols as i64 - 1) {
                let cell = rr as usize * self.cols + cc as usize;
                for &m in &self.members[self.starts[cell] as usize..self.starts[cell + 1] as usize]
                {
                    let (px, py) = self.at[m as usize];
                    let d = (px - x).powi(2) + (py - y).powi(2);
                    if d <= radius * radius
                        && best.is_none_or(|(bd, bi)| d < bd || (d == bd && m as usize > bi))
                    {
                        best = Some((d, m as usize));
                    }
                }
            }
        }
        best.map(|(_, i)| i)
    }

    /// Where point `i` is drawn.
    pub fn position(&self, i: usize) -> Option<(f32, f32)> {
        self.at.get(i).copied()
    }
}

/// The mark under `(x, y)` (device pixels), using `grid` for points.
pub fn hit(prepared: &Prepared, frame: &Frame, grid: Option<&Grid>, x: f32, y: f32) -> Option<Hit> {
    match &prepared.body {
        Body::Points(p) => {
            let grid = grid?;
            let i = grid.nearest(x, y, 14.0 * frame.scale)?;
            Some(Hit::Point {
                index: i,
                row: *p.row.get(i)?,
                at: grid.position(i)?,
            })
        }
        Body::Bars { values, .. } => {
            let marks = frame.marks.as_ref()?;
            let groups = values.len().max(1);
            marks.iter().enumerate().rev().find_map(|(k, m)| match m {
                Mark::Rect { rect, .. }
                    if rect.contains(x, y) || thin_contains(rect, x, y, 3.0 * frame.scale) =>
                {
                    Some(Hit::Bar {
                        category: k / groups,
                        group: k % groups,
                        rect: *rect,
                    })
                }
                _ => None,
            })
        }
        Body::Histogram { .. } => {
            let marks = frame.marks.as_ref()?;
            marks.iter().enumerate().find_map(|(k, m)| match m {
                Mark::Rect { rect, .. }
                    if x >= rect.x0 && x <= rect.x1 && y >= frame.plot.y0 && y <= frame.plot.y1 =>
                {
                    Some(Hit::Bin {
                        bin: k,
                        rect: *rect,
                    })
                }
                _ => None,
            })
        }
        Body::Heatmap { xs, ys, .. } => {
            if !frame.plot.contains(x, y) {
                return None;
            }
            let cx = frame.x.scale.invert(x).max(0.0) as usize;
            let cy = frame.y.scale.invert(y).max(0.0) as usize;
            if cx >= xs.len() || cy >= ys.len() {
                return None;
            }
            let rect = Rect {
                x0: frame.x.scale.map(cx as f64),
                y0: frame.y.scale.map(cy as f64),
                x1: frame.x.scale.map(cx as f64 + 1.0),
                y1: frame.y.scale.map(cy as f64 + 1.0),
            };
            Some(Hit::Cell { x: cx, y: cy, rect })
        }
    }
}

/// Whether a bar too thin to point at (a zero value) is within `slack`.
fn thin_contains(rect: &Rect, x: f32, y: f32, slack: f32) -> bool {
    x >= rect.x0 - slack
        && x <= rect.x1 + slack
        && y >= rect.y0 - slack
        && y <= rect.y1 + slack
        && (rect.width() < 2.0 * slack || rect.height() < 2.0 * slack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blending_matches_source_over() {
        for v in 0..=255 * 255 {
            assert_eq!(div255(v), (v as f64 / 255.0).round() as u32, "{v}");
        }
        // Two layers of half-transparent colour against the exact formula.
        let mut canvas = Canvas {
            width: 1,
            height: 1,
            acc: vec![0; 4],
        };
        canvas.blend(0, 0, [200, 100, 0, 128]);
        canvas.blend(0, 0, [0, 50, 250, 100]);
        let out = canvas.finish();
        let (a1, a2) = (128.0 / 255.0, 100.0 / 255.0);
        let alpha: f64 = a2 + a1 * (1.0 - a2);
        let straight = |c1: f64, c2: f64| (c2 * a2 + c1 * a1 * (1.0 - a2)) / alpha;
        let want = [
            straight(200.0, 0.0),
            straight(100.0, 50.0),
            straight(0.0, 250.0),
            alpha * 255.0,
        ];
        for k in 0..4 {
            assert!(
                (f64::from(out[k]) - want[k]).abs() <= 2.0,
                "{k}: {out:?} vs {want:?}"
            );
        }
        // Outside the canvas nothing happens.
        let mut canvas = Canvas {
            width: 2,
            height: 2,
            acc: vec![0; 16],
        };
        canvas.blend(-1, 0, [1, 2, 3, 255]);
        canvas.blend(0, 2, [1, 2, 3, 255]);
        assert!(canvas.acc.iter().all(|&b| b == 0));
    }
}
