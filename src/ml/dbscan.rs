//! DBSCAN (Ester et al. 1996): a row with at least `min_points` rows
//! (itself included) within `eps` is a core row; clusters are the core
//! rows reachable from each other and the rows within `eps` of them; the
//! rest is noise ([`super::NOISE`]).
//!
//! Neighbours are found through a grid of cells `eps` wide over the first
//! two dimensions (the distance is always over all of them). A work cap
//! stops an eps so large that every row neighbours every other (the
//! search would take n² steps): the message says to choose a smaller one.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::matrix::Matrix;
use super::{MlError, NOISE, Progress, distance2};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DbscanParams {
    pub eps: f64,
    pub min_points: usize,
}

/// The most distance computations DBSCAN makes (about a second's work).
pub const MAX_WORK: u64 = 400_000_000;

/// Each row's cluster (from 0) or [`NOISE`], and whether it is a core row.
#[derive(Debug, Clone, PartialEq)]
pub struct Dbscan {
    pub labels: Vec<i32>,
    pub core: Vec<bool>,
    pub clusters: usize,
}

pub fn dbscan(
    x: &Matrix,
    params: &DbscanParams,
    progress: &mut Progress,
) -> Result<Dbscan, MlError> {
    let eps = params.eps;
    if !(eps.is_finite() && eps > 0.0) {
        return Err(MlError(format!(
            "eps must be a number above 0 (it is {eps})."
        )));
    }
    if params.min_points == 0 {
        return Err(MlError("min points must be at least 1.".into()));
    }
    let n = x.rows;
    let eps2 = eps * eps;
    let cell = |i: usize| -> (i64, i64) {
        let r = x.row(i);
        let c = |j: usize| {
            r.get(j)
                .map_or(0, |v| (v / eps).floor().clamp(-1e15, 1e15) as i64)
        };
        (c(0), c(1))
    };
    let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for i in 0..n {
        grid.entry(cell(i)).or_default().push(i as u32);
    }
    // The work the neighbour search will take, known before it starts.
    let mut work = 0u64;
    for (&(cx, cy), members) in &grid {
        let mut around = 0u64;
        for dx in -1..=1 {
            for dy in -1..=1 {
                around += grid.get(&(cx + dx, cy + dy)).map_or(0, |m| m.len() as u64);
            }
        }
        work = work.saturating_add(around * members.len() as u64);
    }
    if work > MAX_WORK {
        return Err(MlError(format!(
            "eps = {eps} makes most rows neighbours of each other (about {work} distance computations, more than the {MAX_WORK} allowed): choose a smaller eps (the k-distance chart helps)."
        )));
    }
    // Calls `visit` with each row within eps of row `i` (itself too) until
    // it returns false.
    let each_neighbour = |i: usize, visit: &mut dyn FnMut(usize) -> bool| {
        let (cx, cy) = cell(i);
        let row = x.row(i);
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(members) = grid.get(&(cx + dx, cy + dy)) {
                    for &j in members {
                        let j = j as usize;
                        if distance2(row, x.row(j)) <= eps2 && !visit(j) {
                            return;
                        }
                    }
                }
            }
        }
    };
    // A row is core once min points neighbours are seen: counting stops
    // there, which in dense regions is after a few rows.
    let mut core = vec![false; n];
    for (i, c) in core.iter_mut().enumerate() {
        if i % 4096 == 0 && progress(i as u64, 2 * n as u64).is_break() {
            return Err(MlError("cancelled".into()));
        }
        let mut seen = 0;
        each_neighbour(i, &mut |_| {
            seen += 1;
            seen < params.min_points
        });
        *c = seen >= params.min_points;
    }
    // Clusters grow from core rows in row order.
    let mut labels = vec![NOISE; n];
    let mut clusters = 0;
    let mut queue = Vec::new();
    for start in 0..n {
        if start % 4096 == 0 && progress((n + start) as u64, 2 * n as u64).is_break() {
            return Err(MlError("cancelled".into()));
        }
        if !core[start] || labels[start] != NOISE {
            continue;
        }
        let label = clusters as i32;
        clusters += 1;
        labels[start] = label;
        queue.push(start);
        while let Some(i) = queue.pop() {
            each_neighbour(i, &mut |j| {
                if labels[j] == NOISE {
                    labels[j] = label;
                    if core[j] {
                        queue.push(j);
                    }
                }
                true
            });
        }
    }
    Ok(Dbscan {
        labels,
        core,
        clusters,
    })
}

/// Each row's distance to its `k`-th nearest other row, sorted from the
/// largest: the k-distance chart, whose knee suggests eps. Exact on at
/// most `sample` rows (chosen by `seed`) against all rows.
pub fn k_distances(x: &Matrix, k: usize, sample: usize, seed: u64) -> Result<Vec<f64>, MlError> {
    if k == 0 || k >= x.rows {
        return Err(MlError(format!(
            "k must be between 1 and {} (the rows − 1).",
            x.rows.saturating_sub(1)
        )));
    }
    let rows = super::rng::Rng::new(seed).sample(x.rows, sample.max(1));
    let mut out: Vec<f64> = rows
        .iter()
        .map(|&i| {
            let mut d: Vec<f64> = (0..x.rows)
                .filter(|&j| j != i)
                .map(|j| distance2(x.row(i), x.row(j)))
                .collect();
            let (_, kth, _) = d.select_nth_unstable_by(k - 1, f64::total_cmp);
            kth.sqrt()
        })
        .collect();
    out.sort_by(|a, b| b.total_cmp(a));
    Ok(out)
}
