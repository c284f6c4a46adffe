//! Principal components of stretched data.

use crate::ml::matrix::Matrix;
use crate::ml::pca::pca;
use crate::ml::rng::Rng;
use crate::ml::*;

#[test]
fn pca_finds_the_axes_of_stretched_data() {
    let mut rng = Rng::new(5);
    // x along (1, 1)/√2 with deviation 10, across it deviation 1.
    let rows: Vec<Vec<f64>> = (0..5000)
        .map(|_| {
            let (a, b) = (10.0 * rng.normal(), rng.normal());
            let s = std::f64::consts::FRAC_1_SQRT_2;
            vec![s * (a - b) + 3.0, s * (a + b) - 2.0]
        })
        .collect();
    let x = Matrix::from_rows(&rows).unwrap();
    let p = pca(&x, 2).unwrap();
    let first = p.components.row(0);
    assert!(
        (first[0] - first[1]).abs() < 0.02 && first[0] > 0.0,
        "{first:?}"
    );
    assert!(
        (p.explained[0] - 100.0 / 101.0).abs() < 0.01,
        "{:?}",
        p.explained
    );
    assert!((p.explained.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    // Projections are centred and their variances are the eigenvalues.
    let mean0: f64 = (0..x.rows).map(|i| p.projected.row(i)[0]).sum::<f64>() / x.rows as f64;
    assert!(mean0.abs() < 1e-9);
    // Jacobi on a known matrix.
    let (values, _) = pca::jacobi(vec![2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, 5.0], 3);
    let mut v = values.clone();
    v.sort_by(f64::total_cmp);
    for (got, want) in v.iter().zip([1.0, 3.0, 5.0]) {
        assert!((got - want).abs() < 1e-12, "{values:?}");
    }
    assert!(pca(&Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap(), 1).is_err());
    assert!(pca(&x, 3).is_err());
    // Constant data: no variance, no NaN.
    let flat = pca(&Matrix::from_rows(&vec![vec![1.0, 1.0]; 10]).unwrap(), 2).unwrap();
    assert!(
        flat.explained
            .iter()
            .chain(&flat.projected.data)
            .all(|v| v.is_finite())
    );
}
