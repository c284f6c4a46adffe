//! Agglomerative clustering against the definitions.

use crate::ml::matrix::Matrix;
use crate::ml::rng::Rng;
use crate::ml::silhouette::adjusted_rand;
use crate::ml::*;

use super::{blobs, centres};

#[test]
fn agglomerative_recovers_blobs_with_every_linkage() {
    use crate::ml::agglomerative::{Linkage, agglomerative};
    let (x, truth) = blobs(&centres(), 60, 1.0, 9);
    for linkage in Linkage::ALL {
        let r = agglomerative(&x, 4, linkage, &mut no_progress).unwrap();
        let labels: Vec<i32> = r.labels.iter().map(|&l| l as i32).collect();
        assert!(adjusted_rand(&labels, &truth) >= 0.99, "{linkage:?}");
        assert_eq!(r.merges.len(), 239);
        assert_eq!(r.labels[0], 0, "numbered by their first rows");
        assert!(r.merges.windows(2).all(|w| w[0].height <= w[1].height));
        assert_eq!(r.merges.last().unwrap().size, 240);
    }
}

/// Merge heights by the definitions, from the rows: the closest pair of
/// clusters each time (n³, small tables only).
fn naive_heights(x: &Matrix, linkage: crate::ml::agglomerative::Linkage) -> Vec<f64> {
    use crate::ml::agglomerative::Linkage;
    let mut clusters: Vec<Vec<usize>> = (0..x.rows).map(|i| vec![i]).collect();
    let dist = |i: usize, j: usize| distance2(x.row(i), x.row(j)).sqrt();
    let centre = |c: &[usize]| -> Vec<f64> {
        (0..x.cols)
            .map(|d| c.iter().map(|&i| x.row(i)[d]).sum::<f64>() / c.len() as f64)
            .collect()
    };
    let between = |a: &[usize], b: &[usize]| -> f64 {
        match linkage {
            Linkage::Ward => {
                let (na, nb) = (a.len() as f64, b.len() as f64);
                (2.0 * na * nb / (na + nb) * distance2(&centre(a), &centre(b))).sqrt()
            }
            Linkage::Average => {
                a.iter()
                    .flat_map(|&i| b.iter().map(move |&j| (i, j)))
                    .map(|(i, j)| dist(i, j))
                    .sum::<f64>()
                    / (a.len() * b.len()) as f64
            }
            Linkage::Complete => a
                .iter()
                .flat_map(|&i| b.iter().map(move |&j| (i, j)))
                .map(|(i, j)| dist(i, j))
                .fold(0.0, f64::max),
        }
    };
    let mut heights = Vec::new();
    while clusters.len() > 1 {
        let mut best = (0, 1, f64::INFINITY);
        for a in 0..clusters.len() {
            for b in a + 1..clusters.len() {
                let h = between(&clusters[a], &clusters[b]);
                if h < best.2 {
                    best = (a, b, h);
                }
            }
        }
        let merged = clusters.remove(best.1);
        clusters[best.0].extend(merged);
        heights.push(best.2);
    }
    heights
}

#[test]
fn agglomerative_agrees_with_the_definitions_on_random_tables() {
    use crate::ml::agglomerative::{Linkage, agglomerative};
    let mut rng = Rng::new(77);
    for case in 0..12 {
        let n = 5 + rng.below(40);
        let d = 1 + rng.below(4);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..d).map(|_| rng.normal() * 3.0).collect())
            .collect();
        let x = Matrix::from_rows(&rows).unwrap();
        for linkage in Linkage::ALL {
            let r = agglomerative(&x, 1, linkage, &mut no_progress).unwrap();
            let got: Vec<f64> = r.merges.iter().map(|m| m.height).collect();
            let want = naive_heights(&x, linkage);
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() < 1e-9 * w.max(1.0),
                    "case {case} {linkage:?}: {got:?} vs {want:?}"
                );
            }
        }
    }
}

#[test]
fn agglomerative_refuses_more_rows_than_fit_and_other_edges() {
    use crate::ml::agglomerative::{Linkage, MAX_ROWS, agglomerative};
    let big = Matrix::zeros(MAX_ROWS + 1, 1);
    let e = agglomerative(&big, 3, Linkage::Ward, &mut no_progress)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("at most 5000 rows") && e.contains("k-means"),
        "{e}"
    );
    let one = Matrix::from_rows(&[vec![1.0]]).unwrap();
    assert_eq!(
        agglomerative(&one, 1, Linkage::Ward, &mut no_progress)
            .unwrap()
            .labels,
        [0]
    );
    let same = Matrix::from_rows(&vec![vec![2.0, 2.0]; 30]).unwrap();
    for linkage in Linkage::ALL {
        let r = agglomerative(&same, 3, linkage, &mut no_progress).unwrap();
        assert!(r.merges.iter().all(|m| m.height == 0.0));
        assert_eq!(r.labels.iter().max(), Some(&2));
    }
    assert!(agglomerative(&same, 31, Linkage::Ward, &mut no_progress).is_err());
}
