//! Agglomerative (hierarchical) clustering: every row starts as its own
//! cluster and the two closest clusters merge until k remain. Ward's
//! linkage merges the pair that least increases the within-cluster sum of
//! squares; average linkage uses the mean distance between the clusters'
//! rows, complete linkage the largest.
//!
//! The nearest-neighbour chain (Murtagh 1983) finds the merges in n² steps
//! over a matrix of all pairwise distances updated by the Lance–Williams
//! formulas; that matrix needs n²/2 numbers, so tables above
//! [`MAX_ROWS`] rows are refused with a message that suggests k-means.

use serde::{Deserialize, Serialize};

use super::kmeans::check_k;
use super::matrix::Matrix;
use super::{MlError, Progress, distance2};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    Ward,
    Average,
    Complete,
}

impl Linkage {
    pub const ALL: [Linkage; 3] = [Linkage::Ward, Linkage::Average, Linkage::Complete];

    pub fn name(self) -> &'static str {
        match self {
            Linkage::Ward => "ward",
            Linkage::Average => "average",
            Linkage::Complete => "complete",
        }
    }
}

/// The most rows agglomerative clustering takes: the distances of all
/// pairs of 5,000 rows take 100 MB.
pub const MAX_ROWS: usize = 5_000;

/// One merge: the two clusters (named by a row each holds), the distance
/// at which they merged, and the size of the new cluster.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    pub a: usize,
    pub b: usize,
    pub height: f64,
    pub size: usize,
}

/// Each row's cluster (numbered in the order of their first rows) and the
/// merges, lowest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Agglomerative {
    pub labels: Vec<u32>,
    pub merges: Vec<Merge>,
}

pub fn agglomerative(
    x: &Matrix,
    k: usize,
    linkage: Linkage,
    progress: &mut Progress,
) -> Result<Agglomerative, MlError> {
    check_k(k, x.rows)?;
    let n = x.rows;
    if n > MAX_ROWS {
        return Err(MlError::AgglomerativeTooManyRows {
            rows: n,
            most: MAX_ROWS,
        });
    }
    let mut d = Condensed::new(n);
    for i in 0..n {
        for j in i + 1..n {
            let squared = distance2(x.row(i), x.row(j));
            // Ward's formulas work on squared distances, the others on
            // distances.
            *d.at(i, j) = match linkage {
                Linkage::Ward => squared,
                _ => squared.sqrt(),
            };
        }
    }
    let mut size = vec![1usize; n];
    let mut active = vec![true; n];
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    let mut chain: Vec<usize> = Vec::new();
    while merges.len() + 1 < n {
        if progress(merges.len() as u64, n as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        if chain.is_empty() {
            chain.push(active.iter().position(|&a| a).unwrap_or(0));
        }
        // Follow nearest neighbours until two are each other's nearest.
        let (a, b) = loop {
            let a = chain[chain.len() - 1];
            let previous = chain.len().checked_sub(2).map(|p| chain[p]);
            // Ties go to the previous link, so the chain cannot cycle.
            let mut best = previous;
            let mut best_d = previous.map_or(f64::INFINITY, |p| *d.at(a, p));
            for (c, _) in active.iter().enumerate().filter(|&(c, &on)| on && c != a) {
                if Some(c) != previous {
                    let dc = *d.at(a, c);
                    if dc < best_d {
                        best_d = dc;
                        best = Some(c);
                    }
                }
            }
            let Some(b) = best else {
                return Err(MlError::NothingToMerge);
            };
            if Some(b) == previous {
                chain.truncate(chain.len() - 2);
                break (a, b);
            }
            chain.push(b);
        };
        let (keep, gone) = (a.min(b), a.max(b));
        let dab = *d.at(a, b);
        let (na, nb) = (size[a] as f64, size[b] as f64);
        for c in 0..n {
            if !active[c] || c == a || c == b {
                continue;
            }
            let (dac, dbc, nc) = (*d.at(a, c), *d.at(b, c), size[c] as f64);
            *d.at(keep, c) = match linkage {
                Linkage::Ward => ((na + nc) * dac + (nb + nc) * dbc - nc * dab) / (na + nb + nc),
                Linkage::Average => (na * dac + nb * dbc) / (na + nb),
                Linkage::Complete => dac.max(dbc),
            };
        }
        active[gone] = false;
        size[keep] += size[gone];
        merges.push(Merge {
            a: keep,
            b: gone,
            height: match linkage {
                Linkage::Ward => dab.max(0.0).sqrt(),
                _ => dab,
            },
            size: size[keep],
        });
    }
    merges.sort_by(|p, q| p.height.total_cmp(&q.height));
    Ok(Agglomerative {
        labels: cut(n, &merges, k),
        merges,
    })
}

/// The clusters left after the lowest n − k merges, numbered in the order
/// of their first rows.
pub fn cut(n: usize, merges: &[Merge], k: usize) -> Vec<u32> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for m in merges.iter().take(n.saturating_sub(k)) {
        let (ra, rb) = (root(&mut parent, m.a), root(&mut parent, m.b));
        parent[ra.max(rb)] = ra.min(rb);
    }
    let mut number = vec![u32::MAX; n];
    let mut next = 0;
    (0..n)
        .map(|i| {
            let r = root(&mut parent, i);
            if number[r] == u32::MAX {
                number[r] = next;
                next += 1;
            }
            number[r]
        })
        .collect()
}

/// The upper triangle of a symmetric n × n matrix without its diagonal.
struct Condensed {
    n: usize,
    values: Vec<f64>,
}

impl Condensed {
    fn new(n: usize) -> Condensed {
        Condensed {
            n,
            values: vec![0.0; n * n.saturating_sub(1) / 2],
        }
    }

    /// The entry of the pair (i, j), i ≠ j, in either order.
    #[inline]
    fn at(&mut self, i: usize, j: usize) -> &mut f64 {
        let (i, j) = (i.min(j), i.max(j));
        &mut self.values[i * self.n - i * (i + 1) / 2 + j - i - 1]
    }
}
