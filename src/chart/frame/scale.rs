//! Rectangles and the scales that place values along an axis, in device
//! pixels.

use serde::{Deserialize, Serialize};

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
