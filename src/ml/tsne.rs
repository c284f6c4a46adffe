//! t-SNE (van der Maaten & Hinton 2008): a map of the rows in two (or
//! three) dimensions that keeps each row's near neighbours near, for
//! looking at clusters.
//!
//! Up to [`EXACT_ROWS`] rows it is exact: every pair of rows is measured
//! in every iteration (n² memory and time). Above, up to [`MAX_ROWS`], it
//! is Barnes–Hut t-SNE (van der Maaten 2014), as scikit-learn's default:
//! each row's affinities reach only its ⌊3 · perplexity⌋ + 1 nearest
//! neighbours ([`super::neighbours`]), and the repulsion of far groups of
//! rows is taken from a tree of the map ([`super::spacetree`], θ = 0.5).
//! Seeded, with `libm`'s exp and log, so the browser and the command line
//! draw the same map.

use super::matrix::Matrix;
use super::neighbours::nearest;
use super::rng::Rng;
use super::spacetree::SpaceTree;
use super::{MlError, Progress, distance2};

/// The most rows the exact t-SNE takes (about 15 s in the browser).
pub const EXACT_ROWS: usize = 2_000;
/// The most rows Barnes–Hut t-SNE takes (about 70 s natively, 750
/// iterations; UMAP maps more rows faster).
pub const MAX_ROWS: usize = 10_000;
/// The largest perplexity above [`EXACT_ROWS`] rows (each row keeps three
/// times as many neighbours).
pub const MAX_PERPLEXITY: f64 = 100.0;
/// Barnes–Hut's θ: a cell narrower than θ times its distance counts as one.
const THETA: f64 = 0.5;
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
    if n > EXACT_ROWS {
        return barnes_hut(x, params, progress);
    }
    check(n, params.perplexity, false)?;
    let (perplexity, dims) = (params.perplexity, params.dimensions.clamp(1, 3));
    let p = affinities(x, perplexity);
    let Descent {
        mut y,
        rate,
        mut velocity,
        mut gains,
    } = start(n, dims, params.seed);
    let mut gradient = vec![0.0; n * dims];
    let mut q = vec![0.0; n * (n - 1) / 2];
    for it in 0..ITERATIONS {
        if it % 10 == 0 && progress(it as u64, ITERATIONS as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        let (exaggeration, momentum) = schedule(it);
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
        descend(&mut y, &gradient, &mut velocity, &mut gains, momentum, rate);
    }
    finished(y)
}

/// Refuses, before any work, too many rows or too few, and a perplexity
/// outside 1 to a third of the rows (and to [`MAX_PERPLEXITY`] for
/// Barnes–Hut).
fn check(n: usize, perplexity: f64, barnes_hut: bool) -> Result<(), MlError> {
    if n > MAX_ROWS {
        return Err(MlError::TsneTooManyRows {
            rows: n,
            most: MAX_ROWS,
        });
    }
    if n < 4 {
        return Err(MlError::TsneTooFewRows(n));
    }
    let mut most = (n - 1) as f64 / 3.0;
    if barnes_hut {
        most = most.min(MAX_PERPLEXITY);
    }
    if !(perplexity.is_finite() && perplexity >= 1.0 && perplexity <= most) {
        return Err(MlError::Perplexity {
            perplexity,
            most: most.floor(),
            rows: n,
        });
    }
    Ok(())
}

/// The map's first state and its optimiser's: a small seeded random start,
/// the learning rate, velocities and gains.
struct Descent {
    y: Matrix,
    rate: f64,
    velocity: Vec<f64>,
    gains: Vec<f64>,
}

fn start(n: usize, dims: usize, seed: u64) -> Descent {
    let mut rng = Rng::new(seed);
    let mut y = Matrix::zeros(n, dims);
    y.data.iter_mut().for_each(|v| *v = rng.normal() * 1e-4);
    Descent {
        y,
        rate: (n as f64 / EXAGGERATION / 4.0).max(50.0),
        velocity: vec![0.0; n * dims],
        gains: vec![1.0; n * dims],
    }
}

/// The exaggeration and momentum of iteration `it`.
fn schedule(it: usize) -> (f64, f64) {
    if it < EXAGGERATED {
        (EXAGGERATION, 0.5)
    } else {
        (1.0, 0.8)
    }
}

/// One step of gradient descent with momentum and per-coordinate gains,
/// then the map centred again.
fn descend(
    y: &mut Matrix,
    gradient: &[f64],
    velocity: &mut [f64],
    gains: &mut [f64],
    momentum: f64,
    rate: f64,
) {
    let (n, dims) = (y.rows, y.cols);
    for c in 0..n * dims {
        let same = (gradient[c] > 0.0) == (velocity[c] > 0.0);
        let gain: f64 = if same { gains[c] * 0.8 } else { gains[c] + 0.2 };
        gains[c] = gain.max(0.01);
        velocity[c] = momentum * velocity[c] - rate * gains[c] * gradient[c];
        y.data[c] += velocity[c];
    }
    for d in 0..dims {
        let mean = (0..n).map(|i| y.data[i * dims + d]).sum::<f64>() / n as f64;
        (0..n).for_each(|i| y.data[i * dims + d] -= mean);
    }
}

fn finished(y: Matrix) -> Result<Matrix, MlError> {
    if y.data.iter().any(|v| !v.is_finite()) {
        return Err(MlError::TsneDiverged);
    }
    Ok(y)
}

/// Barnes–Hut t-SNE: sparse affinities over each row's nearest neighbours,
/// attraction along them, repulsion from the tree of the map.
///
/// [`tsne`] takes this way above [`EXACT_ROWS`] rows; called directly it
/// runs at any size, as the tests comparing it with scikit-learn's do.
pub fn barnes_hut(
    x: &Matrix,
    params: &TsneParams,
    progress: &mut Progress,
) -> Result<Matrix, MlError> {
    let n = x.rows;
    check(n, params.perplexity, true)?;
    let (perplexity, dims, seed) = (
        params.perplexity,
        params.dimensions.clamp(1, 3),
        params.seed,
    );
    if progress(0, ITERATIONS as u64).is_break() {
        return Err(MlError::Cancelled);
    }
    let p = sparse_affinities(x, perplexity, seed);
    let Descent {
        mut y,
        rate,
        mut velocity,
        mut gains,
    } = start(n, dims, seed);
    let mut gradient = vec![0.0; n * dims];
    let mut repulsion = vec![[0.0; 3]; n];
    let mut stack = Vec::new();
    for it in 0..ITERATIONS {
        if it % 10 == 0 && progress(it as u64, ITERATIONS as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        let (exaggeration, momentum) = schedule(it);
        if y.data.iter().any(|v| !v.is_finite()) {
            return Err(MlError::TsneDiverged);
        }
        let tree = SpaceTree::new(&y.data, dims);
        let mut z = 0.0;
        for (i, r) in repulsion.iter_mut().enumerate() {
            let found = tree.repulsion(i, y.row(i), THETA, &mut stack);
            z += found.z;
            *r = found.force;
        }
        let z = z.max(f64::MIN_POSITIVE);
        for i in 0..n {
            let mut attraction = [0.0; 3];
            for &(j, pij) in &p[i] {
                let (a, b) = (y.row(i), y.row(j as usize));
                let q = 1.0 / (1.0 + distance2(a, b));
                for d in 0..dims {
                    attraction[d] += pij * q * (a[d] - b[d]);
                }
            }
            for d in 0..dims {
                gradient[i * dims + d] = 4.0 * (exaggeration * attraction[d] - repulsion[i][d] / z);
            }
        }
        descend(&mut y, &gradient, &mut velocity, &mut gains, momentum, rate);
    }
    finished(y)
}

/// Each row's symmetric affinities to its neighbours (and to the rows
/// that have it as a neighbour), summing to 1 over all rows.
fn sparse_affinities(x: &Matrix, perplexity: f64, seed: u64) -> Vec<Vec<(u32, f64)>> {
    let n = x.rows;
    let k = ((3.0 * perplexity) as usize + 1).min(n - 1);
    let knn = nearest(x, k, &mut Rng::new(seed));
    let mut pairs: Vec<(u32, u32, f64)> = Vec::with_capacity(2 * n * k);
    let mut row = vec![0.0; k];
    for (i, list) in knn.iter().enumerate() {
        let d: Vec<f64> = list.iter().map(|&(_, d2)| d2).collect();
        calibrate(&d, perplexity, &mut row[..d.len()]);
        for (&(j, _), &v) in list.iter().zip(&row) {
            pairs.push((i as u32, j, v));
            pairs.push((j, i as u32, v));
        }
    }
    pairs.sort_unstable_by_key(|&(i, j, _)| (i, j));
    let mut p: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for (i, j, v) in pairs {
        let list = &mut p[i as usize];
        match list.last_mut() {
            Some(last) if last.0 == j => last.1 += v,
            _ => list.push((j, v)),
        }
    }
    let total: f64 = p.iter().flatten().map(|e| e.1).sum();
    let total = total.max(f64::MIN_POSITIVE);
    p.iter_mut()
        .flatten()
        .for_each(|e| e.1 = (e.1 / total).max(1e-12));
    p
}

/// The symmetric affinities p of every pair (upper triangle, row by
/// row): p = (p_j|i + p_i|j) / 2n, with each row's p_·|i from [`calibrate`].
fn affinities(x: &Matrix, perplexity: f64) -> Vec<f64> {
    let n = x.rows;
    let mut conditional = vec![0.0; n * n];
    let mut d = vec![0.0; n - 1];
    let mut row = vec![0.0; n - 1];
    for i in 0..n {
        // The other rows' distances, in row order without i.
        for (at, j) in (0..n).filter(|&j| j != i).enumerate() {
            d[at] = distance2(x.row(i), x.row(j));
        }
        calibrate(&d, perplexity, &mut row);
        for (at, j) in (0..n).filter(|&j| j != i).enumerate() {
            conditional[i * n + j] = row[at];
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

/// A row's conditional affinities to the rows at squared distances `d`:
/// a Gaussian whose precision β is bisected until its entropy is
/// log(perplexity). Distances are shifted by the nearest one so exp never
/// underflows to all zeros.
fn calibrate(d: &[f64], perplexity: f64, row: &mut [f64]) {
    let target = libm::log(perplexity);
    let nearest = d.iter().copied().fold(f64::INFINITY, f64::min);
    let (mut beta, mut low, mut high) = (1.0, 0.0, f64::INFINITY);
    for _ in 0..64 {
        let mut sum = 0.0;
        let mut weighted = 0.0;
        for (r, &dj) in row.iter_mut().zip(d) {
            *r = libm::exp(-(dj - nearest) * beta);
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
