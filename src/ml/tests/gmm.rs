//! The Gaussian mixture.

use crate::ml::matrix::Matrix;
use crate::ml::silhouette::adjusted_rand;
use crate::ml::*;

use super::{blobs, centres};

#[test]
fn gaussian_mixture_recovers_blobs_with_probabilities() {
    use crate::ml::gmm::{GmmParams, gmm};
    let (x, truth) = blobs(&centres(), 200, 1.0, 11);
    let params = GmmParams { k: 4, seed: 3 };
    let fit = gmm(&x, &params, &mut no_progress).unwrap();
    let labels: Vec<i32> = fit.labels.iter().map(|&l| l as i32).collect();
    assert!(adjusted_rand(&labels, &truth) >= 0.99);
    assert!(fit.converged && fit.log_likelihood.is_finite());
    assert!(fit.probability.iter().all(|p| (0.25..=1.0).contains(p)));
    // Well apart: nearly every row is sure of its component.
    let sure = fit.probability.iter().filter(|&&p| p > 0.99).count();
    assert!(sure > 780, "{sure}");
    assert!((fit.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert_eq!(fit, gmm(&x, &params, &mut no_progress).unwrap());
}

#[test]
fn gaussian_mixture_is_unsure_between_overlapping_clusters() {
    use crate::ml::gmm::{GmmParams, gmm};
    // Two overlapping normal clusters at 0 and 3 (deviation 1): the fitted
    // means and weights are close to the truth, rows halfway are about
    // 50/50, rows at the centres are sure.
    let (x, _) = blobs(&[vec![0.0], vec![3.0]], 2000, 1.0, 21);
    let fit = gmm(&x, &GmmParams { k: 2, seed: 1 }, &mut no_progress).unwrap();
    let mut means: Vec<f64> = fit.means.data.clone();
    means.sort_by(f64::total_cmp);
    assert!(
        (means[0] - 0.0).abs() < 0.15 && (means[1] - 3.0).abs() < 0.15,
        "{means:?}"
    );
    assert!(
        fit.weights.iter().all(|w| (w - 0.5).abs() < 0.05),
        "{:?}",
        fit.weights
    );
    let near = |v: f64| {
        let i = (0..x.rows)
            .min_by(|&a, &b| (x.row(a)[0] - v).abs().total_cmp(&(x.row(b)[0] - v).abs()))
            .unwrap();
        fit.probability[i]
    };
    assert!(near(1.5) < 0.65, "{}", near(1.5));
    assert!(near(-1.0) > 0.95 && near(4.0) > 0.95);
}

#[test]
fn gaussian_mixture_edges_are_messages_not_nan() {
    use crate::ml::gmm::{GmmParams, gmm};
    let p = |k| GmmParams { k, seed: 1 };
    let (x, _) = blobs(&centres(), 3, 1.0, 1);
    assert!(
        gmm(&x, &p(0), &mut no_progress)
            .unwrap_err()
            .to_string()
            .contains("at least 1")
    );
    assert!(
        gmm(&x, &p(13), &mut no_progress)
            .unwrap_err()
            .to_string()
            .contains("12 rows")
    );
    // Identical rows, one row, a component per row, a constant feature:
    // the regularised covariance keeps every number finite.
    let same = Matrix::from_rows(&vec![vec![3.0, 3.0]; 40]).unwrap();
    let one = Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap();
    let constant =
        Matrix::from_rows(&(0..30).map(|i| vec![i as f64, 7.0]).collect::<Vec<_>>()).unwrap();
    for (m, k) in [(&same, 2), (&one, 1), (&x, 12), (&constant, 3)] {
        let fit = gmm(m, &p(k), &mut no_progress).unwrap();
        assert!(
            fit.probability
                .iter()
                .all(|v| v.is_finite() && *v > 0.0 && *v <= 1.0 + 1e-12)
        );
        assert!(fit.log_likelihood.is_finite());
    }
    assert!(
        gmm(&x, &p(2), &mut |_, _| std::ops::ControlFlow::Break(()))
            .unwrap_err()
            .to_string()
            .contains("cancelled")
    );
}
