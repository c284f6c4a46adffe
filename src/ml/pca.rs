//! Principal components: the covariance matrix of the (centred) rows and
//! its eigen-decomposition by Jacobi's method for symmetric matrices,
//! which is exact to rounding for the few dozen dimensions here and never
//! fails to converge.

use super::MlError;
use super::matrix::Matrix;

#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// `components.row(c)` is component `c`, a unit vector; the largest
    /// entry of each is positive (signs are otherwise arbitrary).
    pub components: Matrix,
    /// The variance along each component, largest first.
    pub variances: Vec<f64>,
    /// Each component's share of the total variance.
    pub explained: Vec<f64>,
    /// The rows projected onto the components.
    pub projected: Matrix,
}

/// The first `k` principal components of the rows of `x`.
pub fn pca(x: &Matrix, k: usize) -> Result<Pca, MlError> {
    if x.rows < 2 {
        return Err(MlError::PcaTooFewRows);
    }
    if k == 0 || k > x.cols {
        return Err(MlError::Components { features: x.cols });
    }
    let d = x.cols;
    let means = x.column_means();
    let mut cov = vec![0.0; d * d];
    for i in 0..x.rows {
        let r = x.row(i);
        for a in 0..d {
            let va = r[a] - means[a];
            for b in a..d {
                cov[a * d + b] += va * (r[b] - means[b]);
            }
        }
    }
    let n = (x.rows - 1) as f64;
    for a in 0..d {
        for b in a..d {
            cov[a * d + b] /= n;
            cov[b * d + a] = cov[a * d + b];
        }
    }
    let (values, vectors) = jacobi(cov, d);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let mut components = Matrix::zeros(k, d);
    let mut variances = Vec::with_capacity(k);
    for (c, &o) in order.iter().take(k).enumerate() {
        let mut v: Vec<f64> = (0..d).map(|r| vectors[r * d + o]).collect();
        let largest = v
            .iter()
            .copied()
            .fold(0.0f64, |m, e| if e.abs() > m.abs() { e } else { m });
        if largest < 0.0 {
            v.iter_mut().for_each(|e| *e = -*e);
        }
        components.row_mut(c).copy_from_slice(&v);
        variances.push(values[o].max(0.0));
    }
    let explained = variances
        .iter()
        .map(|v| if total > 0.0 { v / total } else { 0.0 })
        .collect();
    let mut projected = Matrix::zeros(x.rows, k);
    for i in 0..x.rows {
        let r = x.row(i);
        for c in 0..k {
            projected.data[i * k + c] = r
                .iter()
                .zip(&means)
                .zip(components.row(c))
                .map(|((v, m), w)| (v - m) * w)
                .sum();
        }
    }
    Ok(Pca {
        components,
        variances,
        explained,
        projected,
    })
}

/// Eigenvalues and eigenvectors (as columns of a row-major d × d matrix) of
/// the symmetric matrix `a`, by cyclic Jacobi rotations.
pub fn jacobi(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|p| (p + 1..d).map(move |q| (p, q)))
            .map(|(p, q)| a[p * d + q] * a[p * d + q])
            .sum();
        let scale: f64 = (0..d)
            .map(|p| a[p * d + p] * a[p * d + p])
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        if off <= 1e-30 * scale || off == 0.0 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                // The smaller root of t² + 2tθ − 1 = 0 (Numerical Recipes);
                // a huge θ means the entry is negligible: t ≈ 1 / (2θ).
                let sign = if theta >= 0.0 { 1.0 } else { -1.0 };
                let t = if theta.abs() < 1e150 {
                    sign / (theta.abs() + (theta * theta + 1.0).sqrt())
                } else {
                    1.0 / (2.0 * theta)
                };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let akp = a[k * d + p];
                    let akq = a[k * d + q];
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let apk = a[p * d + k];
                    let aqk = a[q * d + k];
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let vkp = v[k * d + p];
                    let vkq = v[k * d + q];
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}
