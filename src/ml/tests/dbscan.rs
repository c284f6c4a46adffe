//! DBSCAN: blobs and noise, and agreement with a scan of all pairs.

use crate::ml::dbscan::{DbscanParams, dbscan, k_distances};
use crate::ml::matrix::Matrix;
use crate::ml::rng::Rng;
use crate::ml::silhouette::adjusted_rand;
use crate::ml::*;

use super::{blobs, centres};

#[test]
fn dbscan_recovers_blobs_and_noise() {
    let two_d: Vec<Vec<f64>> = centres().iter().map(|c| c[..2].to_vec()).collect();
    let (mut x, mut truth) = blobs(&two_d, 200, 0.5, 3);
    // Far-away single rows are noise.
    for (i, p) in [[50.0, 50.0], [-40.0, 30.0], [30.0, -40.0]]
        .iter()
        .enumerate()
    {
        x.data.extend_from_slice(p);
        x.rows += 1;
        truth.push(NOISE - i as i32);
    }
    let r = dbscan(
        &x,
        &DbscanParams {
            eps: 1.0,
            min_points: 5,
        },
        &mut no_progress,
    )
    .unwrap();
    assert_eq!(r.clusters, 4);
    assert_eq!(&r.labels[800..], &[NOISE; 3]);
    let found = &r.labels[..800];
    assert!(
        adjusted_rand(found, &truth[..800]) >= 0.99,
        "{}",
        adjusted_rand(found, &truth[..800])
    );
    // eps of zero, negative, NaN; min points 0; an eps that joins everything.
    for eps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(dbscan(&x, &DbscanParams { eps, min_points: 5 }, &mut no_progress).is_err());
    }
    assert!(
        dbscan(
            &x,
            &DbscanParams {
                eps: 1.0,
                min_points: 0
            },
            &mut no_progress
        )
        .is_err()
    );
    let (big, _) = blobs(&[vec![0.0, 0.0]], 30_000, 1.0, 9);
    let err = dbscan(
        &big,
        &DbscanParams {
            eps: 1e6,
            min_points: 5,
        },
        &mut no_progress,
    )
    .unwrap_err();
    assert!(err.to_string().contains("smaller eps"), "{err}");
    let kd = k_distances(&x, 4, 200, 1).unwrap();
    assert!(
        kd.windows(2).all(|w| w[0] >= w[1]) && kd[0] > 20.0,
        "noise rows come first"
    );
}

#[test]
fn dbscan_agrees_with_a_scan_of_all_pairs() {
    let mut rng = Rng::new(77);
    for round in 0..20 {
        let n = 50 + rng.below(300);
        let d = 1 + rng.below(4);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..d).map(|_| rng.next_f64() * 10.0).collect())
            .collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let eps = 0.3 + rng.next_f64() * 2.0;
        let min_points = 1 + rng.below(8);
        let found = dbscan(&x, &DbscanParams { eps, min_points }, &mut no_progress).unwrap();
        // The reference: every pair.
        let near = |i: usize| {
            (0..n)
                .filter(|&j| distance2(x.row(i), x.row(j)) <= eps * eps)
                .collect::<Vec<_>>()
        };
        let core: Vec<bool> = (0..n).map(|i| near(i).len() >= min_points).collect();
        assert_eq!(found.core, core, "round {round}: core rows");
        for i in 0..n {
            let reachable = core[i] || near(i).iter().any(|&j| core[j]);
            assert_eq!(
                found.labels[i] != NOISE,
                reachable,
                "round {round}: row {i} noise or not"
            );
        }
        // Core rows: the same groups (connected through core neighbours).
        let core_rows: Vec<usize> = (0..n).filter(|&i| core[i]).collect();
        let mut reference = vec![-1i32; n];
        let mut next = 0;
        for &s in &core_rows {
            if reference[s] >= 0 {
                continue;
            }
            let mut stack = vec![s];
            reference[s] = next;
            while let Some(i) = stack.pop() {
                for j in near(i) {
                    if core[j] && reference[j] < 0 {
                        reference[j] = next;
                        stack.push(j);
                    }
                }
            }
            next += 1;
        }
        let a: Vec<i32> = core_rows.iter().map(|&i| found.labels[i]).collect();
        let b: Vec<i32> = core_rows.iter().map(|&i| reference[i]).collect();
        if !a.is_empty() {
            assert_eq!(
                adjusted_rand(&a, &b),
                1.0,
                "round {round}: clusters of core rows"
            );
        }
    }
}
