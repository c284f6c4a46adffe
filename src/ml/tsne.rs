//! t-SNE (van der Maaten & Hinton 2008): a map of the rows in two (or
//! three) dimensions that keeps each row's near neighbours near, for
//! looking at clusters. Exact: every pair of rows is measured in every
//! iteration, so it takes n² memory and time, and tables above
//! [`MAX_ROWS`] rows are refused with a message. Seeded, with `libm`'s
//! exp and log, so the browser and the command line draw the same map.

use super::matrix::Matrix;
use super::rng::Rng;
use super::{MlError, Progress, distance2};

/// The most rows t-SNE takes (about 15 s in the browser at this size).
pub const MAX_ROWS: usize = 2_000;
/// Iterations in all, and how many of them exaggerate the attraction
/// (so that clusters form before they spread).
pub const ITERATIONS: usize = 750;
pub const EXAGGERATED: usize = 250;
const EXAGGERATION: f64 = 12.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TsneParams {
    /// About how many neighbours each row keeps close (5–50).
    pub perplexity: f64,
    /// The dimensions of the map (1–3).
    pub dimensions: usize,
    pub seed: u64,
}

/// The rows of `x` placed in `params.dimensions` dimensions.
pub fn tsne(x: &Matrix, params: &TsneParams, progress: &mut Progress) -> Result<Matrix, MlError> {
    let n = x.rows;
    if n > MAX_ROWS {
        return Err(MlError::TsneTooManyRows {
            rows: n,
            most: MAX_ROWS,
        });
    }
    if n < 4 {
        return Err(MlError::TsneTooFewRows(n));
    }
    let perplexity = params.perplexity;
    let most = (n - 1) as f64 / 3.0;
    if !(perplexity.is_finite() && perplexity >= 1.0 && perplexity <= most) {
        return Err(MlError::Perplexity {
            perplexity,
            most: most.floor(),
            rows: n,
        });
    }
    let dims = params.dimensions.clamp(1, 3);
    let p = affinities(x, perplexity);
    // A small random start.
    let mut rng = Rng::new(params.seed);
    let mut y = Matrix::zeros(n, dims);
    y.data.iter_mut().for_each(|v| *v = rng.normal() * 1e-4);
    let rate = (n as f64 / EXAGGERATION / 4.0).max(50.0);
    let mut velocity = vec![0.0; n * dims];
    let mut gains = vec![1.0_f64; n * dims];
    let mut gradient = vec![0.0; n * dims];
    let mut q = vec![0.0; n * (n - 1) / 2];
    for it in 0..ITERATIONS {
        if it % 10 == 0 && progress(it as u64, ITERATIONS as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        let exaggeration = if it < EXAGGERATED { EXAGGERATION } else { 1.0 };
        let momentum = if it < EXAGGERATED { 0.5 } else { 0.8 };
        // The Student-t kernel of every pair, and its total.
        let mut total = 0.0;
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                let v = 1.0 / (1.0 + distance2(y.row(i), y.row(j)));
                q[k] = v;
                total += 2.0 * v;
                k += 1;
            }
        }
        let total = total.max(f64::MIN_POSITIVE);
        // The gradient: attraction by p, repulsion by q.
        gradient.iter_mut().for_each(|g| *g = 0.0);
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                let force = 4.0 * (exaggeration * p[k] - q[k] / total) * q[k];
                for d in 0..dims {
                    let delta = force * (y.data[i * dims + d] - y.data[j * dims + d]);
                    gradient[i * dims + d] += delta;
                    gradient[j * dims + d] -= delta;
                }
                k += 1;
            }
        }
        // Gradient descent with momentum and per-coordinate gains.
        for c in 0..n * dims {
            let same = (gradient[c] > 0.0) == (velocity[c] > 0.0);
            let gain: f64 = if same { gains[c] * 0.8 } else { gains[c] + 0.2 };
            gains[c] = gain.max(0.01);
            velocity[c] = momentum * velocity[c] - rate * gains[c] * gradient[c];
            y.data[c] += velocity[c];
        }
        // Keep the map centred.
        for d in 0..dims {
            let mean = (0..n).map(|i| y.data[i * dims + d]).sum::<f64>() / n as f64;
            (0..n).for_each(|i| y.data[i * dims + d] -= mean);
        }
    }
    if y.data.iter().any(|v| !v.is_finite()) {
        return Err(MlError::TsneDiverged);
    }
    Ok(y)
}

/// The symmetric affinities p of every pair (upper triangle, row by
/// row): each row's Gaussian over the others has the wanted perplexity
/// (found by bisection of its precision), then p = (p_j|i + p_i|j) / 2n.
fn affinities(x: &Matrix, perplexity: f64) -> Vec<f64> {
    let n = x.rows;
    let target = libm::log(perplexity);
    let mut conditional = vec![0.0; n * n];
    let mut d = vec![0.0; n];
    for i in 0..n {
        for (j, dj) in d.iter_mut().enumerate() {
            *dj = if i == j {
                0.0
            } else {
                distance2(x.row(i), x.row(j))
            };
        }
        // Distances are shifted by the nearest one so exp never underflows
        // to all zeros.
        let nearest = d
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &v)| v)
            .fold(f64::INFINITY, f64::min);
        // Bisect the precision beta until the entropy is log(perplexity).
        let (mut beta, mut low, mut high) = (1.0, 0.0, f64::INFINITY);
        let row = &mut conditional[i * n..(i + 1) * n];
        for _ in 0..64 {
            let mut sum = 0.0;
            let mut weighted = 0.0;
            for (j, (r, &dj)) in row.iter_mut().zip(&d).enumerate() {
                *r = if j == i {
                    0.0
                } else {
                    libm::exp(-(dj - nearest) * beta)
                };
                sum += *r;
                weighted += *r * (dj - nearest);
            }
            let entropy = libm::log(sum) + beta * weighted / sum;
            row.iter_mut().for_each(|r| *r /= sum);
            let difference = entropy - target;
            if difference.abs() < 1e-5 {
                break;
            }
            if difference > 0.0 {
                low = beta;
                beta = if high.is_finite() {
                    (beta + high) / 2.0
                } else {
                    beta * 2.0
                };
            } else {
                high = beta;
                beta = (beta + low) / 2.0;
            }
        }
    }
    let mut p = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            let v = (conditional[i * n + j] + conditional[j * n + i]) / (2.0 * n as f64);
            p.push(v.max(1e-12));
        }
    }
    p
}
