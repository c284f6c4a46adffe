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
        return Err(MlError(format!(
            "The silhouette needs between 2 and {} clusters (the rows − 1); there are {k}.",
            rows.len().saturating_sub(1)
        )));
    }
    let mut sizes = vec![0usize; k];
    for &i in &rows {
        sizes[index[&labels[i]]] += 1;
    }
    let mut total = 0.0;
    let mut sums = vec![0.0; k];
    for &i in &rows {
        sums.iter_mut().for_each(|s| *s = 0.0);
        for &j in &rows {
            if i != j {
                sums[index[&labels[j]]] += distance2(x.row(i), x.row(j)).sqrt();
            }
        }
        let own = index[&labels[i]];
        if sizes[own] <= 1 {
            continue;
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        if m > 0.0 {
            total += (b - a) / m;
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
