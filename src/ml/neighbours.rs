//! Each row's k nearest other rows, for the maps (UMAP, and t-SNE above a
//! few thousand rows): exact below [`EXACT_ROWS`] rows, else by NN-descent
//! (Dong, Moses & Li 2011) from seeded random neighbours, joining
//! neighbours of neighbours until few lists change. Seeded and in a fixed
//! order, so the browser and the command line find the same lists.

use super::distance2;
use super::rng::Rng;

/// Below this many rows the neighbours are found exactly.
pub const EXACT_ROWS: usize = 5_000;
/// NN-descent stops when fewer than this share of n × k entries change.
const DELTA: f64 = 0.001;
const DESCENT_ROUNDS: usize = 12;

/// Each row's `k` nearest other rows (`k` < rows), exactly or by
/// NN-descent by the number of rows; `rng` is drawn from only by the
/// descent.
pub fn nearest(x: &super::matrix::Matrix, k: usize, rng: &mut Rng) -> Neighbours {
    if x.rows <= EXACT_ROWS {
        exact_neighbours(x, k)
    } else {
        nn_descent(x, k, rng)
    }
}

/// Each row's k nearest other rows as (index, squared distance), nearest
/// first.
pub type Neighbours = Vec<Vec<(u32, f64)>>;

pub(super) fn exact_neighbours(x: &super::matrix::Matrix, k: usize) -> Neighbours {
    (0..x.rows)
        .map(|i| {
            let mut heap = Heap::new(k);
            for j in 0..x.rows {
                if j != i {
                    heap.push(j as u32, distance2(x.row(i), x.row(j)));
                }
            }
            heap.sorted()
        })
        .collect()
}

/// A row's k best candidates, kept unsorted; the worst is remembered, so
/// that a candidate no nearer (nearly every one, once the lists settle)
/// is turned away by one comparison.
#[derive(Clone)]
struct Heap {
    k: usize,
    items: Vec<(u32, f64, bool)>,
    /// Where the worst item is and its distance (∞ while not full).
    worst: (usize, f64),
}

impl Heap {
    fn new(k: usize) -> Heap {
        Heap {
            k,
            items: Vec::with_capacity(k),
            worst: (0, f64::INFINITY),
        }
    }

    fn find_worst(&mut self) {
        self.worst = if self.items.len() < self.k {
            (0, f64::INFINITY)
        } else {
            self.items
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |w, (i, it)| {
                    if it.1 > w.1 { (i, it.1) } else { w }
                })
        };
    }

    /// Adds `j` at distance `d` if it is nearer than the worst (and not
    /// there yet); true when the list changed. New entries are flagged.
    fn push(&mut self, j: u32, d: f64) -> bool {
        if d >= self.worst.1 || self.items.iter().any(|it| it.0 == j) {
            return false;
        }
        if self.items.len() == self.k {
            self.items[self.worst.0] = (j, d, true);
        } else {
            self.items.push((j, d, true));
        }
        self.find_worst();
        true
    }

    fn sorted(mut self) -> Vec<(u32, f64)> {
        self.items
            .sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        self.items.into_iter().map(|(j, d, _)| (j, d)).collect()
    }
}

/// NN-descent: random neighbours, then rounds of joining each row's new
/// neighbours (and reverse neighbours) with each other and with its old
/// ones, until fewer than DELTA · n · k entries change.
pub(super) fn nn_descent(x: &super::matrix::Matrix, k: usize, rng: &mut Rng) -> Neighbours {
    let n = x.rows;
    let mut heaps: Vec<Heap> = (0..n)
        .map(|i| {
            let mut heap = Heap::new(k);
            while heap.items.len() < k {
                let j = rng.below(n);
                if j != i {
                    heap.push(j as u32, distance2(x.row(i), x.row(j)));
                }
            }
            heap
        })
        .collect();
    for _ in 0..DESCENT_ROUNDS {
        // Each row's new and old neighbours, forward and reverse; the new
        // ones are marked old once taken.
        let mut new: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut old: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, heap) in heaps.iter_mut().enumerate() {
            for item in &mut heap.items {
                if item.2 {
                    new[i].push(item.0);
                    item.2 = false;
                } else {
                    old[i].push(item.0);
                }
            }
        }
        let (mut new_reverse, mut old_reverse) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for i in 0..n {
            for &j in &new[i] {
                new_reverse[j as usize].push(i as u32);
            }
            for &j in &old[i] {
                old_reverse[j as usize].push(i as u32);
            }
        }
        let mut changes = 0usize;
        for i in 0..n {
            // At most k reverse neighbours of each kind, a seeded sample.
            let mut fresh = new[i].clone();
            fresh.extend(sample(&new_reverse[i], k, rng));
            fresh.sort_unstable();
            fresh.dedup();
            let mut stale = old[i].clone();
            stale.extend(sample(&old_reverse[i], k, rng));
            stale.sort_unstable();
            stale.dedup();
            for (a_at, &a) in fresh.iter().enumerate() {
                for &b in fresh[a_at + 1..].iter().chain(&stale) {
                    if a == b {
                        continue;
                    }
                    let d = distance2(x.row(a as usize), x.row(b as usize));
                    changes += usize::from(heaps[a as usize].push(b, d));
                    changes += usize::from(heaps[b as usize].push(a, d));
                }
            }
        }
        if (changes as f64) < DELTA * (n * k) as f64 {
            break;
        }
    }
    heaps.into_iter().map(Heap::sorted).collect()
}

/// At most `k` of `items`, a seeded sample in their order.
fn sample(items: &[u32], k: usize, rng: &mut Rng) -> Vec<u32> {
    if items.len() <= k {
        return items.to_vec();
    }
    rng.sample(items.len(), k)
        .into_iter()
        .map(|i| items[i])
        .collect()
}

/// The share of the neighbours in `a` that `b` also lists for the same
/// row.
#[cfg(test)]
pub(super) fn shared(a: &Neighbours, b: &Neighbours) -> f64 {
    let listed: usize = a.iter().map(Vec::len).sum();
    let same: usize = a
        .iter()
        .zip(b)
        .map(|(p, q)| {
            p.iter()
                .filter(|(j, _)| q.iter().any(|(l, _)| l == j))
                .count()
        })
        .sum();
    same as f64 / listed.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::synthetic::blobs;

    #[test]
    fn nn_descent_finds_nearly_the_exact_neighbours() {
        let (x, _) = blobs(3_000, 6, 5, 3);
        let exact = exact_neighbours(&x, 10);
        let found = nn_descent(&x, 10, &mut Rng::new(1));
        let recall = shared(&exact, &found);
        assert!(recall > 0.9, "recall {recall}");
    }
}
