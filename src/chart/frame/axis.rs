//! Numeric and band axes: scales, nicely stepped ticks, padding.

use crate::chart::Lang;
use crate::chart::prepare::{Body, Prepared};
use crate::data::format::{grouped, number, short};

use super::{Axis, SMALL_PX, Scale, Tick, text_width};

impl Tick {
    pub(super) fn at_band(mut self, i: usize) -> Tick {
        self.at = i as f32;
        self
    }
}

/// Places band labels at band centres, leaving out labels (every 2nd,
/// 3rd, …) when they would overlap.
pub(super) fn band_ticks(labels: Vec<Tick>, band: &Scale, needed: f32) -> Vec<Tick> {
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

pub(super) fn min_max(values: impl Iterator<Item = f64>) -> (f64, f64) {
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
pub(super) fn padded(lo: f64, hi: f64, log: bool, tight: bool) -> (f64, f64) {
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
pub(super) fn nice_step(span: f64, count: f64) -> f64 {
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

/// What a numeric axis shows and where it is drawn.
pub(super) struct AxisSpec<'a> {
    pub title: &'a str,
    /// The data range, low to high.
    pub domain: (f64, f64),
    pub log: bool,
    /// The pixel range the domain maps to (start, end).
    pub range: (f32, f32),
    /// Device pixels per CSS pixel.
    pub scale: f32,
    pub lang: Lang,
    /// Years: thousands not grouped (`2024`).
    pub years: bool,
    /// A horizontal axis spaces its ticks wider (labels are wide).
    pub horizontal: bool,
}

/// A numeric axis: its scale and nicely stepped ticks (decades on a log
/// scale, with 2× and 5× marks when it spans less than two).
pub(super) fn numeric_axis(spec: &AxisSpec) -> Axis {
    let AxisSpec {
        title,
        domain: (d0, d1),
        log,
        range: (r0, r1),
        scale: s,
        lang,
        years,
        horizontal,
    } = *spec;
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
pub(super) fn y_label_estimate(
    prepared: &Prepared,
    lang: Lang,
    (top, bottom): (f32, f32),
    s: f32,
) -> f32 {
    // The widest label of the ticks an axis this high gets.
    let widest = |lo: f64, hi: f64, log: bool| {
        numeric_axis(&AxisSpec {
            title: "",
            domain: (lo, hi),
            log,
            range: (bottom, top),
            scale: s,
            lang,
            years: false,
            horizontal: false,
        })
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
