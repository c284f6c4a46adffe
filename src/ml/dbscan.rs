//! DBSCAN (Ester et al. 1996): a row with at least `min_points` rows
//! (itself included) within `eps` is a core row; clusters are the core
//! rows reachable from each other and the rows within `eps` of them; the
//! rest is noise ([`super::NOISE`]).
//!
//! Neighbours are found through a grid of cells `eps` wide over the first
//! two dimensions (the distance is always over all of them); a cluster
//! grows only into cells that still hold rows no cluster has reached. A
//! work cap
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
        return Err(MlError::Eps(eps));
    }
    if params.min_points == 0 {
        return Err(MlError::MinPoints);
    }
    let n = x.rows;
    let d = x.cols;
    let eps2 = eps * eps;
    let key = |i: usize| -> (i64, i64) {
        let r = x.row(i);
        let c = |j: usize| {
            r.get(j)
                .map_or(0, |v| (v / eps).floor().clamp(-1e15, 1e15) as i64)
        };
        (c(0), c(1))
    };
    // The rows sorted by cell, their values side by side in that order, and
    // each cell's range of them: a neighbour search reads a few contiguous
    // runs of memory and looks cells up once per cell, not once per row.
    let keys: Vec<(i64, i64)> = (0..n).map(key).collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| keys[i as usize]);
    let mut packed = Vec::with_capacity(n * d);
    for &i in &order {
        packed.extend_from_slice(x.row(i as usize));
    }
    let mut cells: Vec<(i64, i64)> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    let mut cell_of = vec![0u32; n];
    for (p, &i) in order.iter().enumerate() {
        let k = keys[i as usize];
        if cells.last() != Some(&k) {
            cells.push(k);
            starts.push(p);
        }
        cell_of[p] = (cells.len() - 1) as u32;
    }
    starts.push(n);
    let index: HashMap<(i64, i64), u32> = cells
        .iter()
        .enumerate()
        .map(|(c, &k)| (k, c as u32))
        .collect();
    // Each cell's neighbouring cells (itself included).
    let mut around: Vec<Vec<usize>> = Vec::with_capacity(cells.len());
    let mut work = 0u64;
    for (c, &(cx, cy)) in cells.iter().enumerate() {
        let mut near = Vec::with_capacity(9);
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(&o) = index.get(&(cx + dx, cy + dy)) {
                    near.push(o as usize);
                }
            }
        }
        // The work the neighbour search will take, known before it starts.
        let reach: usize = near.iter().map(|&o| starts[o + 1] - starts[o]).sum();
        work = work.saturating_add((reach * (starts[c + 1] - starts[c])) as u64);
        around.push(near);
    }
    if work > MAX_WORK {
        return Err(MlError::EpsTooWide {
            eps,
            work,
            most: MAX_WORK,
        });
    }
    // How many rows lie within eps of row `p` (itself too), counted up to
    // `most`.
    let within = |p: usize, most: usize| {
        let row = &packed[p * d..(p + 1) * d];
        let mut seen = 0;
        for &o in &around[cell_of[p] as usize] {
            for q in starts[o]..starts[o + 1] {
                if distance2(row, &packed[q * d..(q + 1) * d]) <= eps2 {
                    seen += 1;
                    if seen >= most {
                        return seen;
                    }
                }
            }
        }
        seen
    };
    // A row is core once min points neighbours are seen: counting stops
    // there, which in dense regions is after a few rows.
    let mut core_sorted = vec![false; n];
    for (p, c) in core_sorted.iter_mut().enumerate() {
        if p % 4096 == 0 && progress(p as u64, 2 * n as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        *c = within(p, params.min_points) >= params.min_points;
    }
    // Clusters grow from core rows in the table's row order.
    let mut place = vec![0usize; n];
    for (p, &i) in order.iter().enumerate() {
        place[i as usize] = p;
    }
    let mut sorted_labels = vec![NOISE; n];
    // How many rows of each cell no cluster has reached yet: a cell with
    // none left is not searched again, so a cluster's inside costs a look
    // at its cells, not a distance to every neighbour of every row. The
    // labels are those of the full search, which would change nothing there.
    let mut unreached: Vec<usize> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    let mut clusters = 0;
    let mut queue = Vec::new();
    for (start, &p) in place.iter().enumerate() {
        if start % 4096 == 0 && progress((n + start) as u64, 2 * n as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        if !core_sorted[p] || sorted_labels[p] != NOISE {
            continue;
        }
        let label = clusters as i32;
        clusters += 1;
        sorted_labels[p] = label;
        unreached[cell_of[p] as usize] -= 1;
        queue.push(p);
        while let Some(q) = queue.pop() {
            let row = &packed[q * d..(q + 1) * d];
            for &o in &around[cell_of[q] as usize] {
                if unreached[o] == 0 {
                    continue;
                }
                for r in starts[o]..starts[o + 1] {
                    if sorted_labels[r] == NOISE
                        && distance2(row, &packed[r * d..(r + 1) * d]) <= eps2
                    {
                        sorted_labels[r] = label;
                        unreached[o] -= 1;
                        if core_sorted[r] {
                            queue.push(r);
                        }
                    }
                }
            }
        }
    }
    let labels = place.iter().map(|&p| sorted_labels[p]).collect();
    let core = place.iter().map(|&p| core_sorted[p]).collect();
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
        return Err(MlError::KDistance { rows: x.rows });
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
