//! How well rows fit their clusters: the mean silhouette (Rousseeuw 1987),
//! and how well two labellings agree: the adjusted Rand index (Hubert &
//! Arabie 1985).

use std::collections::HashMap;

use super::matrix::Matrix;
use super::rng::Rng;
use super::{MlError, NOISE, distance2};

/// The mean silhouette of the labelled rows (noise left out), exactly on at
/// most `sample` rows chosen by `seed` (all pairs among them). A row alone
/// in its cluster scores 0, as in scikit-learn.
pub fn silhouette(x: &Matrix, labels: &[i32], sample: usize, seed: u64) -> Result<f64, MlError> {
    let labelled: Vec<usize> = (0..x.rows).filter(|&i| labels[i] != NOISE).collect();
    let picked = Rng::new(seed).sample(labelled.len(), sample.max(2));
    let rows: Vec<usize> = picked.iter().map(|&i| labelled[i]).collect();
    let mut index: HashMap<i32, usize> = HashMap::new();
    for &i in &rows {
        let next = index.len();
        index.entry(labels[i]).or_insert(next);
    }
    let k = index.len();
    if k < 2 || k >= rows.len() {
        return Err(MlError::SilhouetteClusters {
            clusters: k,
            rows: rows.len(),
        });
    }
    // Each sampled row's cluster as a small number, and the rows side by
    // side: the loop over pairs reads no map.
    let cluster: Vec<usize> = rows.iter().map(|&i| index[&labels[i]]).collect();
    let mut sizes = vec![0usize; k];
    for &c in &cluster {
        sizes[c] += 1;
    }
    let d = x.cols;
    let mut packed = Vec::with_capacity(rows.len() * d);
    for &i in &rows {
        packed.extend_from_slice(x.row(i));
    }
    // Each pair once: its distance counts for both rows.
    let m = rows.len();
    let mut sums = vec![0.0; m * k];
    for a in 0..m {
        let row_a = &packed[a * d..(a + 1) * d];
        for b in a + 1..m {
            let distance = distance2(row_a, &packed[b * d..(b + 1) * d]).sqrt();
            sums[a * k + cluster[b]] += distance;
            sums[b * k + cluster[a]] += distance;
        }
    }
    let mut total = 0.0;
    for (a, &own) in cluster.iter().enumerate() {
        if sizes[own] <= 1 {
            continue;
        }
        let sums = &sums[a * k..(a + 1) * k];
        let within = sums[own] / (sizes[own] - 1) as f64;
        let between = (0..k)
            .filter(|&c| c != own)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let most = within.max(between);
        if most > 0.0 {
            total += (between - within) / most;
        }
    }
    Ok(total / rows.len() as f64)
}

/// The adjusted Rand index of two labellings of the same rows: 1 when
/// they group the rows alike (whatever the label numbers), about 0 by
/// chance.
pub fn adjusted_rand(a: &[i32], b: &[i32]) -> f64 {
    let n = a.len().min(b.len());
    let mut pairs: HashMap<(i32, i32), u64> = HashMap::new();
    let mut rows: HashMap<i32, u64> = HashMap::new();
    let mut cols: HashMap<i32, u64> = HashMap::new();
    for i in 0..n {
        *pairs.entry((a[i], b[i])).or_default() += 1;
        *rows.entry(a[i]).or_default() += 1;
        *cols.entry(b[i]).or_default() += 1;
    }
    let choose2 = |x: u64| (x * x.saturating_sub(1) / 2) as f64;
    let index: f64 = pairs.values().map(|&x| choose2(x)).sum();
    let sum_a: f64 = rows.values().map(|&x| choose2(x)).sum();
    let sum_b: f64 = cols.values().map(|&x| choose2(x)).sum();
    let expected = sum_a * sum_b / choose2(n as u64).max(1.0);
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}
