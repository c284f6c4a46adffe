//! UMAP (McInnes, Healy & Melville 2018): a map of the rows in two (or
//! three) dimensions that keeps each row's nearest neighbours near, for
//! tens of thousands of rows.
//!
//! 1. The k nearest neighbours of every row ([`super::neighbours`]): exact
//!    for a few thousand rows, else by NN-descent.
//! 2. The fuzzy graph: each row's distances made into memberships
//!    exp(−(d − ρ) / σ), with ρ its nearest distance and σ such that the
//!    memberships sum to log2 k; the two directions joined as a + b − ab.
//! 3. The layout: from the first principal components (scaled to ±10),
//!    stochastic gradient descent pulls the graph's edges together (each
//!    edge as often as its weight asks) and pushes five random rows away
//!    per pull, with umap-learn's curve for a minimum distance of 0.1
//!    (a = 1.577, b = 0.895) and a step shrinking from 1 to 0.
//!
//! Seeded (`ml::rng`), with `libm`'s exp, log and pow and a fixed order of
//! updates, so the browser and the command line draw the same map.

use super::matrix::Matrix;
use super::neighbours::{Neighbours, nearest};
use super::pca::pca;
use super::rng::Rng;
use super::{MlError, Progress, distance2};

/// The most rows a map takes (about half a minute in the browser).
pub const MAX_ROWS: usize = 100_000;
/// The most neighbours a row keeps.
pub const MAX_NEIGHBOURS: usize = 100;

/// umap-learn's curve 1 / (1 + a d^(2b)) for min_dist 0.1, spread 1.
const A: f64 = 1.576_943_460_405_378;
const B: f64 = 0.895_060_878_112_139_6;
const NEGATIVE_SAMPLES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UmapParams {
    /// Neighbours each row keeps near (umap-learn: 15).
    pub neighbours: usize,
    /// The dimensions of the map (1–3).
    pub dimensions: usize,
    /// Epochs of the layout (umap-learn: 500 below 10,000 rows, else 200).
    pub epochs: Option<usize>,
    pub seed: u64,
}

/// Checks the parameters against the data, before any work.
pub fn check(rows: usize, params: &UmapParams) -> Result<(), MlError> {
    if rows > MAX_ROWS {
        return Err(MlError::UmapTooManyRows {
            rows,
            most: MAX_ROWS,
        });
    }
    if !(2..=MAX_NEIGHBOURS).contains(&params.neighbours) || params.neighbours >= rows {
        return Err(MlError::Neighbours {
            most: MAX_NEIGHBOURS.min(rows.saturating_sub(1)),
            rows,
        });
    }
    if params.epochs.is_some_and(|e| !(1..=5_000).contains(&e)) {
        return Err(MlError::Epochs { most: 5_000 });
    }
    Ok(())
}

/// The rows of `x` placed in `params.dimensions` dimensions. `progress`
/// is called with (step, steps): the neighbours count as a tenth, the
/// layout's epochs as the rest.
pub fn umap(x: &Matrix, params: &UmapParams, progress: &mut Progress) -> Result<Matrix, MlError> {
    check(x.rows, params)?;
    let n = x.rows;
    let k = params.neighbours;
    let epochs = params.epochs.unwrap_or(if n <= 10_000 { 500 } else { 200 });
    let total = (epochs + epochs / 10 + 1) as u64;
    let mut rng = Rng::new(params.seed);
    if progress(0, total).is_break() {
        return Err(MlError::Cancelled);
    }
    let knn = nearest(x, k, &mut rng);
    if progress((epochs / 10) as u64, total).is_break() {
        return Err(MlError::Cancelled);
    }
    let graph = fuzzy_graph(&knn, n, k);
    let dims = params.dimensions.clamp(1, 3);
    let mut y = start(x, dims, &mut rng);
    layout(&mut y, &graph, epochs, &mut rng, &mut |e| {
        progress((epochs / 10 + 1 + e) as u64, total)
    })?;
    Ok(y)
}

/// The symmetric fuzzy graph's edges (head, tail, weight), each pair once
/// per direction.
fn fuzzy_graph(knn: &Neighbours, n: usize, k: usize) -> Vec<(u32, u32, f64)> {
    let target = libm::log2(k as f64);
    let mut directed: Vec<Vec<(u32, f64)>> = Vec::with_capacity(n);
    for list in knn {
        let distances: Vec<f64> = list.iter().map(|&(_, d2)| d2.sqrt()).collect();
        let rho = distances.iter().copied().find(|&d| d > 0.0).unwrap_or(0.0);
        // σ by bisection: Σ exp(−max(0, d − ρ) / σ) = log2 k.
        let (mut lo, mut hi, mut sigma) = (0.0, f64::INFINITY, 1.0);
        for _ in 0..64 {
            let sum: f64 = distances
                .iter()
                .map(|&d| libm::exp(-(d - rho).max(0.0) / sigma))
                .sum();
            if (sum - target).abs() < 1e-5 {
                break;
            }
            if sum > target {
                hi = sigma;
                sigma = (lo + hi) / 2.0;
            } else {
                lo = sigma;
                sigma = if hi.is_finite() {
                    (lo + hi) / 2.0
                } else {
                    sigma * 2.0
                };
            }
        }
        // umap-learn's floor on σ: a thousandth of the mean distance.
        let mean = distances.iter().sum::<f64>() / distances.len().max(1) as f64;
        let sigma = sigma.max(1e-3 * mean).max(f64::MIN_POSITIVE);
        directed.push(
            list.iter()
                .zip(&distances)
                .map(|(&(j, _), &d)| (j, libm::exp(-(d - rho).max(0.0) / sigma)))
                .collect(),
        );
    }
    // w(i, j) + w(j, i) − w(i, j)·w(j, i), each unordered pair once.
    let mut pairs: std::collections::BTreeMap<(u32, u32), (f64, f64)> = Default::default();
    for (i, list) in directed.iter().enumerate() {
        for &(j, w) in list {
            let i = i as u32;
            let key = (i.min(j), i.max(j));
            let entry = pairs.entry(key).or_insert((0.0, 0.0));
            if i < j {
                entry.0 = w;
            } else {
                entry.1 = w;
            }
        }
    }
    let mut edges = Vec::with_capacity(pairs.len() * 2);
    for ((i, j), (a, b)) in pairs {
        let w = a + b - a * b;
        if w > 0.0 {
            edges.push((i, j, w));
            edges.push((j, i, w));
        }
    }
    edges
}

/// The first principal components, scaled so the largest lies at ±10,
/// with a little seeded noise (rows at one point would never part).
fn start(x: &Matrix, dims: usize, rng: &mut Rng) -> Matrix {
    let components = dims.min(x.cols);
    let mut y = Matrix::zeros(x.rows, dims);
    if let Ok(fit) = pca(x, components) {
        let largest = fit
            .projected
            .data
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if largest > 0.0 { 10.0 / largest } else { 0.0 };
        for i in 0..x.rows {
            for c in 0..components {
                y.row_mut(i)[c] = fit.projected.row(i)[c] * scale;
            }
        }
    }
    y.data.iter_mut().for_each(|v| *v += rng.normal() * 1e-4);
    y
}

/// Stochastic gradient descent on the map: every edge pulled as often as
/// its weight asks, each pull with five random rows pushed away.
fn layout(
    y: &mut Matrix,
    edges: &[(u32, u32, f64)],
    epochs: usize,
    rng: &mut Rng,
    progress: &mut dyn FnMut(usize) -> std::ops::ControlFlow<()>,
) -> Result<(), MlError> {
    let n = y.rows;
    let dims = y.cols;
    let most = edges.iter().fold(0.0f64, |m, e| m.max(e.2));
    // An edge whose weight would sample it less than once is left out.
    let kept: Vec<(usize, usize, f64)> = edges
        .iter()
        .filter(|e| e.2 >= most / epochs as f64)
        .map(|e| (e.0 as usize, e.1 as usize, most / e.2))
        .collect();
    let per_negative = |every: f64| every / NEGATIVE_SAMPLES as f64;
    let mut next = kept.iter().map(|e| e.2).collect::<Vec<f64>>();
    let mut next_negative = kept.iter().map(|e| per_negative(e.2)).collect::<Vec<f64>>();
    let mut head = vec![0.0; dims];
    for epoch in 0..epochs {
        if progress(epoch).is_break() {
            return Err(MlError::Cancelled);
        }
        let alpha = 1.0 - epoch as f64 / epochs as f64;
        let now = (epoch + 1) as f64;
        for (e, &(i, j, every)) in kept.iter().enumerate() {
            if next[e] > now {
                continue;
            }
            head.copy_from_slice(y.row(i));
            let d2 = distance2(&head, y.row(j));
            let pull = if d2 > 0.0 {
                // d^(2b) once; d^(2(b − 1)) is it divided by d².
                let power = libm::pow(d2, B);
                -2.0 * A * B * (power / d2) / (A * power + 1.0)
            } else {
                0.0
            };
            for (h, t) in head.iter_mut().zip(y.row_mut(j)) {
                let g = (pull * (*h - *t)).clamp(-4.0, 4.0) * alpha;
                *h += g;
                *t -= g;
            }
            next[e] += every;
            let negatives = ((now - next_negative[e]) / per_negative(every)).max(0.0) as usize;
            for _ in 0..negatives {
                let other = rng.below(n);
                if other == i {
                    continue;
                }
                let d2 = distance2(&head, y.row(other));
                let push = if d2 > 0.0 {
                    2.0 * B / ((0.001 + d2) * (A * libm::pow(d2, B) + 1.0))
                } else {
                    0.0
                };
                for (h, o) in head.iter_mut().zip(y.row(other)) {
                    let g = if push > 0.0 {
                        (push * (*h - o)).clamp(-4.0, 4.0)
                    } else {
                        4.0
                    };
                    *h += g * alpha;
                }
            }
            next_negative[e] += negatives as f64 * per_negative(every);
            y.row_mut(i).copy_from_slice(&head);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::neighbours::{exact_neighbours, shared};
    use crate::ml::no_progress;
    use crate::ml::synthetic::blobs;

    /// The share of each row's k nearest neighbours in `x` that are also
    /// among its k nearest in `y`.
    fn kept_neighbours(x: &Matrix, y: &Matrix, k: usize) -> f64 {
        shared(&exact_neighbours(x, k), &exact_neighbours(y, k))
    }

    #[test]
    fn the_map_keeps_clusters_apart_and_reruns_give_the_same_bits() {
        let (x, labels) = blobs(600, 8, 4, 7);
        let params = UmapParams {
            neighbours: 15,
            dimensions: 2,
            epochs: Some(200),
            seed: 1,
        };
        let y = umap(&x, &params, &mut no_progress).unwrap();
        assert_eq!((y.rows, y.cols), (600, 2));
        assert!(y.data.iter().all(|v| v.is_finite()));
        // Each row's nearest map neighbour is of its own blob.
        let near = exact_neighbours(&y, 1);
        let same = near
            .iter()
            .enumerate()
            .filter(|(i, n)| labels[*i] == labels[n[0].0 as usize])
            .count();
        assert!(same >= 590, "{same} of 600");
        assert!(kept_neighbours(&x, &y, 10) > 0.3);
        assert_eq!(umap(&x, &params, &mut no_progress).unwrap(), y);
    }

    #[test]
    fn hostile_parameters_are_refused_before_any_work() {
        let (x, _) = blobs(50, 3, 2, 1);
        for (neighbours, epochs) in [
            (0, None),
            (1, None),
            (50, None),
            (1_000, None),
            (15, Some(0)),
            (15, Some(1_000_000_000)),
        ] {
            let params = UmapParams {
                neighbours,
                dimensions: 2,
                epochs,
                seed: 1,
            };
            let mut calls = 0;
            let result = umap(&x, &params, &mut |_, _| {
                calls += 1;
                std::ops::ControlFlow::Continue(())
            });
            assert!(result.is_err(), "{params:?}");
            assert_eq!(calls, 0);
        }
        assert!(matches!(
            check(
                MAX_ROWS + 1,
                &UmapParams {
                    neighbours: 15,
                    dimensions: 2,
                    epochs: None,
                    seed: 1
                }
            ),
            Err(MlError::UmapTooManyRows { .. })
        ));
    }
}
