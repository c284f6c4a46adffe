//! Generated data with known structure, for benchmarks (natively and in
//! the browser, the same rows from the same seed).

use super::matrix::Matrix;
use super::rng::Rng;

/// `n` rows of `d` values around `k` random centres in 0..20 (normal,
/// deviation 1), row `i` from centre `i % k`; the true labels.
pub fn blobs(n: usize, d: usize, k: usize, seed: u64) -> (Matrix, Vec<i32>) {
    let mut rng = Rng::new(seed);
    let centres: Vec<Vec<f64>> = (0..k.max(1))
        .map(|_| (0..d).map(|_| rng.next_f64() * 20.0).collect())
        .collect();
    let mut m = Matrix::zeros(n, d);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % centres.len();
        for (v, centre) in m.row_mut(i).iter_mut().zip(&centres[c]) {
            *v = centre + rng.normal();
        }
        labels.push(c as i32);
    }
    (m, labels)
}
