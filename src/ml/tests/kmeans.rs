//! k-means: blobs recovered, edges refused, Hamerly's bounds equal to plain Lloyd.

use crate::ml::kmeans::{KMeansParams, kmeans};
use crate::ml::matrix::Matrix;
use crate::ml::rng::Rng;
use crate::ml::silhouette::adjusted_rand;
use crate::ml::*;

use super::{blobs, centres};

#[test]
fn kmeans_recovers_blobs_and_is_deterministic() {
    let (x, truth) = blobs(&centres(), 250, 1.0, 7);
    let params = KMeansParams {
        k: 4,
        restarts: 5,
        max_iterations: 100,
        seed: 42,
    };
    let a = kmeans(&x, &params, &mut no_progress).unwrap();
    let labels: Vec<i32> = a.labels.iter().map(|&l| l as i32).collect();
    assert!(
        adjusted_rand(&labels, &truth) >= 0.99,
        "{}",
        adjusted_rand(&labels, &truth)
    );
    let b = kmeans(&x, &params, &mut no_progress).unwrap();
    assert_eq!(a, b, "the same seed, the same clustering");
    // The inertia is about n · d · sd².
    assert!(
        (a.inertia / (1000.0 * 3.0) - 1.0).abs() < 0.15,
        "{}",
        a.inertia
    );
    // More restarts never do worse.
    let more = kmeans(
        &x,
        &KMeansParams {
            restarts: 20,
            ..params
        },
        &mut no_progress,
    )
    .unwrap();
    assert!(more.inertia <= a.inertia + 1e-9);
}

#[test]
fn kmeans_edges_are_messages() {
    let (x, _) = blobs(&centres(), 3, 1.0, 1);
    let p = |k| KMeansParams {
        k,
        ..KMeansParams::default()
    };
    assert!(
        kmeans(&x, &p(0), &mut no_progress)
            .unwrap_err()
            .to_string()
            .contains("at least 1")
    );
    assert!(
        kmeans(&x, &p(13), &mut no_progress)
            .unwrap_err()
            .to_string()
            .contains("more than the 12 rows")
    );
    // k = rows: every row its own cluster, inertia 0.
    let all = kmeans(&x, &p(12), &mut no_progress).unwrap();
    assert!(all.inertia.abs() < 1e-12);
    // One row; identical rows; a cancel.
    let one = Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap();
    assert_eq!(kmeans(&one, &p(1), &mut no_progress).unwrap().labels, [0]);
    let same = Matrix::from_rows(&vec![vec![3.0, 3.0]; 50]).unwrap();
    let r = kmeans(&same, &p(3), &mut no_progress).unwrap();
    assert!(r.inertia == 0.0 && r.centres.data.iter().all(|v| v.is_finite()));
    assert!(
        kmeans(&x, &p(2), &mut |_, _| std::ops::ControlFlow::Break(()))
            .unwrap_err()
            .to_string()
            .contains("cancelled")
    );
    assert_eq!(
        kmeans(&x, &p(13), &mut no_progress).unwrap_err(),
        crate::ml::MlError::KAboveRows { k: 13, rows: 12 }
    );
    assert_eq!(
        kmeans(&x, &p(2), &mut |_, _| std::ops::ControlFlow::Break(())).unwrap_err(),
        crate::ml::MlError::Cancelled
    );
}

/// Lloyd's iterations as the textbook has them: every row to its nearest
/// centre, every time (an emptied cluster takes the farthest row).
fn plain_lloyd(x: &Matrix, mut centres: Matrix, iterations: usize) -> (Vec<u32>, f64) {
    use crate::ml::kmeans::nearest;
    let (k, d) = (centres.rows, x.cols);
    let mut labels = vec![u32::MAX; x.rows];
    for it in 0..iterations {
        let mut changed = false;
        let mut far = (0, -1.0);
        for (i, label) in labels.iter_mut().enumerate() {
            let (best, dist) = nearest(x.row(i), &centres);
            changed |= *label != best;
            *label = best;
            if dist > far.1 {
                far = (i, dist);
            }
        }
        if !changed && it > 0 {
            break;
        }
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            counts[l as usize] += 1;
            for j in 0..d {
                sums[l as usize * d + j] += x.row(i)[j];
            }
        }
        for c in 0..k {
            if counts[c] == 0 {
                centres.row_mut(c).copy_from_slice(x.row(far.0));
            } else {
                for j in 0..d {
                    centres.row_mut(c)[j] = sums[c * d + j] / counts[c] as f64;
                }
            }
        }
    }
    let inertia = (0..x.rows).map(|i| nearest(x.row(i), &centres).1).sum();
    let labels = (0..x.rows).map(|i| nearest(x.row(i), &centres).0).collect();
    (labels, inertia)
}

#[test]
fn lloyd_with_bounds_gives_the_labels_of_plain_lloyd() {
    use crate::ml::kmeans::{lloyd, plus_plus};
    let mut rng = Rng::new(12);
    for case in 0..20 {
        let n = 50 + rng.below(500);
        let d = 1 + rng.below(6);
        let k = 1 + rng.below(12);
        // Blobs, or structureless noise where labels keep changing.
        let x = if case % 2 == 0 {
            let centres: Vec<Vec<f64>> = (0..4)
                .map(|_| (0..d).map(|_| rng.next_f64() * 20.0).collect())
                .collect();
            blobs(&centres, n / 4 + 1, 1.0, case).0
        } else {
            Matrix::from_rows(
                &(0..n)
                    .map(|_| (0..d).map(|_| rng.normal()).collect())
                    .collect::<Vec<_>>(),
            )
            .unwrap()
        };
        let start = plus_plus(&x, k.min(x.rows), &mut Rng::new(case));
        for iterations in [1, 3, 50] {
            let fast = lloyd(&x, start.clone(), iterations, &mut no_progress).unwrap();
            let (labels, inertia) = plain_lloyd(&x, start.clone(), iterations);
            assert_eq!(fast.labels, labels, "case {case}, {iterations} iterations");
            assert!(
                (fast.inertia - inertia).abs() <= 1e-9 * inertia.max(1.0),
                "case {case}"
            );
        }
    }
}

#[test]
fn a_large_value_leaving_a_cluster_takes_nothing_of_the_small_ones() {
    use crate::ml::kmeans::lloyd;
    // The first pass puts every row with the centre at 0 and empties the
    // other, which then takes the farthest row (1e16); the second moves
    // that row out of the first cluster. Its mean must be the small
    // values' (about 0.233), not what is left of 1e16 + 0.7 − 1e16 (0).
    let x = Matrix::from_rows(&[vec![0.1], vec![0.2], vec![0.4], vec![1e16]]).unwrap();
    let start = Matrix::from_rows(&[vec![0.0], vec![3e16]]).unwrap();
    let fit = lloyd(&x, start, 10, &mut no_progress).unwrap();
    assert_eq!(fit.labels, [0, 0, 0, 1]);
    let mean = (0.1 + 0.2 + 0.4) / 3.0;
    assert!(
        (fit.centres.row(0)[0] - mean).abs() <= 1e-15,
        "{:?}",
        fit.centres
    );
    assert_eq!(fit.centres.row(1), [1e16]);
}
