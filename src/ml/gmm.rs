//! A Gaussian mixture with a full covariance per component, fitted by
//! expectation–maximisation from a k-means start (as scikit-learn's
//! default). Each row gets the component it most probably came from and
//! that probability.
//!
//! Logarithms and exponentials come from `libm`, not the platform, so the
//! browser and the command line compute the same bits.

use super::kmeans::{KMeansParams, check_k, kmeans};
use super::matrix::Matrix;
use super::{MlError, Progress, no_progress};

/// Added to each covariance's diagonal so a component of one row or a
/// constant feature stays invertible (scikit-learn's `reg_covar`).
pub const REGULARISATION: f64 = 1e-6;
/// EM stops when the mean log-likelihood changes less than this.
pub const TOLERANCE: f64 = 1e-3;
/// The most EM iterations.
pub const MAX_ITERATIONS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GmmParams {
    pub k: usize,
    /// The seed of the k-means start.
    pub seed: u64,
}

/// A fitted mixture: each row's most probable component and its
/// probability, and the mean log-likelihood per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Gmm {
    pub labels: Vec<u32>,
    pub probability: Vec<f64>,
    pub weights: Vec<f64>,
    pub means: Matrix,
    pub log_likelihood: f64,
    pub iterations: usize,
    pub converged: bool,
}

/// Fits `params.k` components to the rows of `x`.
pub fn gmm(x: &Matrix, params: &GmmParams, progress: &mut Progress) -> Result<Gmm, MlError> {
    check_k(params.k, x.rows)?;
    let (n, k) = (x.rows, params.k);
    let start = kmeans(
        x,
        &KMeansParams {
            k,
            restarts: 1,
            max_iterations: 300,
            seed: params.seed,
        },
        &mut no_progress,
    )?;
    // Responsibilities, row-major n × k: the k-means labels to begin with.
    let mut resp = vec![0.0; n * k];
    for (i, &l) in start.labels.iter().enumerate() {
        resp[i * k + l as usize] = 1.0;
    }
    let mut model = Components::fit(x, &resp, k)?;
    let mut previous = f64::NEG_INFINITY;
    let mut converged = false;
    let mut iterations = 0;
    let mut log_likelihood = f64::NEG_INFINITY;
    for it in 0..MAX_ITERATIONS {
        if progress(it as u64, MAX_ITERATIONS as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        log_likelihood = model.expectation(x, &mut resp);
        iterations = it + 1;
        if (log_likelihood - previous).abs() < TOLERANCE {
            converged = true;
            break;
        }
        previous = log_likelihood;
        model = Components::fit(x, &resp, k)?;
    }
    let mut labels = Vec::with_capacity(n);
    let mut probability = Vec::with_capacity(n);
    for row in resp.chunks_exact(k) {
        let (best, p) =
            row.iter().enumerate().fold(
                (0, f64::NEG_INFINITY),
                |b, (c, &p)| if p > b.1 { (c, p) } else { b },
            );
        labels.push(best as u32);
        probability.push(p);
    }
    Ok(Gmm {
        labels,
        probability,
        weights: model.weights,
        means: model.means,
        log_likelihood,
        iterations,
        converged,
    })
}

/// The components' weights, means and the Cholesky factors of their
/// covariances.
struct Components {
    weights: Vec<f64>,
    means: Matrix,
    /// Lower-triangular factors, k × d × d.
    cholesky: Vec<f64>,
    /// log |Σ| of each component.
    log_det: Vec<f64>,
}

impl Components {
    /// The M step: weights, means and covariances from the responsibilities.
    fn fit(x: &Matrix, resp: &[f64], k: usize) -> Result<Components, MlError> {
        let (n, d) = (x.rows, x.cols);
        let mut totals = vec![10.0 * f64::EPSILON; k];
        let mut means = Matrix::zeros(k, d);
        for i in 0..n {
            let row = x.row(i);
            for c in 0..k {
                let r = resp[i * k + c];
                if r == 0.0 {
                    continue;
                }
                totals[c] += r;
                for (m, v) in means.row_mut(c).iter_mut().zip(row) {
                    *m += r * v;
                }
            }
        }
        for (c, t) in totals.iter().enumerate() {
            means.row_mut(c).iter_mut().for_each(|m| *m /= t);
        }
        let mut cholesky = vec![0.0; k * d * d];
        let mut log_det = vec![0.0; k];
        let mut diff = vec![0.0; d];
        for c in 0..k {
            let cov = &mut cholesky[c * d * d..(c + 1) * d * d];
            let mean = means.row(c);
            for i in 0..n {
                let r = resp[i * k + c];
                if r == 0.0 {
                    continue;
                }
                for ((t, v), m) in diff.iter_mut().zip(x.row(i)).zip(mean) {
                    *t = v - m;
                }
                // The lower triangle only.
                for a in 0..d {
                    let ra = r * diff[a];
                    for b in 0..=a {
                        cov[a * d + b] += ra * diff[b];
                    }
                }
            }
            for a in 0..d {
                for b in 0..=a {
                    cov[a * d + b] /= totals[c];
                }
                cov[a * d + a] += REGULARISATION;
            }
            log_det[c] = cholesky_in_place(cov, d).ok_or(MlError::NotPositiveDefinite)?;
        }
        let weights = totals.iter().map(|t| t / n as f64).collect();
        Ok(Components {
            weights,
            means,
            cholesky,
            log_det,
        })
    }

    /// The E step: each row's responsibilities; returns the mean
    /// log-likelihood.
    fn expectation(&self, x: &Matrix, resp: &mut [f64]) -> f64 {
        let k = self.weights.len();
        let d = x.cols;
        let constant = d as f64 * libm::log(2.0 * std::f64::consts::PI);
        let log_weights: Vec<f64> = self.weights.iter().map(|&w| libm::log(w)).collect();
        let mut y = vec![0.0; d];
        let mut total = 0.0;
        for i in 0..x.rows {
            let row = x.row(i);
            let out = &mut resp[i * k..(i + 1) * k];
            for c in 0..k {
                let l = &self.cholesky[c * d * d..(c + 1) * d * d];
                // Solve L y = x − μ; the Mahalanobis distance is |y|².
                let mean = self.means.row(c);
                let mut mahalanobis = 0.0;
                for a in 0..d {
                    let mut s = row[a] - mean[a];
                    for b in 0..a {
                        s -= l[a * d + b] * y[b];
                    }
                    y[a] = s / l[a * d + a];
                    mahalanobis += y[a] * y[a];
                }
                out[c] = log_weights[c] - 0.5 * (constant + self.log_det[c] + mahalanobis);
            }
            let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = out.iter().map(|v| libm::exp(v - top)).sum();
            let log_sum = top + libm::log(sum);
            out.iter_mut().for_each(|v| *v = libm::exp(*v - log_sum));
            total += log_sum;
        }
        total / x.rows.max(1) as f64
    }
}

/// Replaces the lower triangle of the symmetric `a` (d × d) by its
/// Cholesky factor; returns log |a|, or `None` when `a` is not positive
/// definite.
fn cholesky_in_place(a: &mut [f64], d: usize) -> Option<f64> {
    let mut log_det = 0.0;
    for j in 0..d {
        let mut s = a[j * d + j];
        for p in 0..j {
            s -= a[j * d + p] * a[j * d + p];
        }
        if !(s > 0.0 && s.is_finite()) {
            return None;
        }
        let diagonal = s.sqrt();
        a[j * d + j] = diagonal;
        log_det += 2.0 * libm::log(diagonal);
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for p in 0..j {
                s -= a[i * d + p] * a[j * d + p];
            }
            a[i * d + j] = s / diagonal;
        }
    }
    Some(log_det)
}
