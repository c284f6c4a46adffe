//! t-SNE.

use crate::ml::kmeans::{KMeansParams, kmeans};
use crate::ml::matrix::Matrix;
use crate::ml::silhouette::adjusted_rand;
use crate::ml::*;

use super::{blobs, centres};

/// How well k-means with k = 4 on a map finds the four blobs (adjusted
/// Rand index against `truth`).
fn four_groups(map: &Matrix, truth: &[i32]) -> f64 {
    let params = KMeansParams {
        k: 4,
        ..KMeansParams::default()
    };
    let found = kmeans(map, &params, &mut no_progress).unwrap();
    let labels: Vec<i32> = found.labels.iter().map(|&l| l as i32).collect();
    adjusted_rand(&labels, truth)
}

#[test]
fn tsne_keeps_blobs_apart_and_refuses_what_it_cannot_do() {
    use crate::ml::tsne::{MAX_ROWS, TsneParams, tsne};
    let (x, truth) = blobs(&centres(), 30, 1.0, 41);
    let params = TsneParams {
        perplexity: 10.0,
        dimensions: 2,
        seed: 3,
    };
    let map = tsne(&x, &params, &mut no_progress).unwrap();
    assert_eq!((map.rows, map.cols), (120, 2));
    assert!(map.data.iter().all(|v| v.is_finite()));
    // The four blobs stay four groups on the map.
    let ari = four_groups(&map, &truth);
    assert!(ari >= 0.99, "{ari}");
    assert_eq!(map, tsne(&x, &params, &mut no_progress).unwrap(), "seeded");
    // Too many rows, too few, a perplexity above a third of the rows, NaN.
    let e = tsne(&Matrix::zeros(MAX_ROWS + 1, 2), &params, &mut no_progress)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("at most 10000 rows") && e.contains("UMAP"),
        "{e}"
    );
    assert!(tsne(&Matrix::zeros(3, 2), &params, &mut no_progress).is_err());
    for perplexity in [50.0, 0.5, f64::NAN] {
        let p = TsneParams {
            perplexity,
            ..params
        };
        assert!(
            tsne(&x, &p, &mut no_progress)
                .unwrap_err()
                .to_string()
                .contains("perplexity")
        );
    }
    // Identical rows: a map of finite numbers.
    let same = Matrix::from_rows(&vec![vec![1.0, 1.0]; 30]).unwrap();
    let p = TsneParams {
        perplexity: 5.0,
        ..params
    };
    assert!(
        tsne(&same, &p, &mut no_progress)
            .unwrap()
            .data
            .iter()
            .all(|v| v.is_finite())
    );
    assert!(
        tsne(&x, &params, &mut |_, _| std::ops::ControlFlow::Break(()))
            .unwrap_err()
            .to_string()
            .contains("cancelled")
    );
}

#[test]
fn barnes_hut_keeps_blobs_apart_and_takes_over_above_two_thousand_rows() {
    use crate::ml::tsne::{EXACT_ROWS, TsneParams, barnes_hut, tsne};
    // Barnes–Hut itself, on few rows (it runs above 2,000).
    let (x, truth) = blobs(&centres(), 100, 1.0, 7);
    let mut calls = 0;
    let bh = TsneParams {
        perplexity: 30.0,
        dimensions: 2,
        seed: 1,
    };
    let map = barnes_hut(&x, &bh, &mut |_, _| {
        calls += 1;
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert!(calls >= 75, "progress is reported ({calls})");
    assert_eq!((map.rows, map.cols), (400, 2));
    let ari = four_groups(&map, &truth);
    assert!(ari >= 0.99, "{ari}");
    assert_eq!(
        map,
        barnes_hut(&x, &bh, &mut no_progress).unwrap(),
        "seeded"
    );
    // Identical rows: a map of finite numbers.
    let same = Matrix::from_rows(&vec![vec![1.0, 1.0]; 40]).unwrap();
    let five = TsneParams {
        perplexity: 5.0,
        ..bh
    };
    let flat = barnes_hut(&same, &five, &mut no_progress).unwrap();
    assert!(flat.data.iter().all(|v| v.is_finite()));

    // Above 2,000 rows t-SNE is Barnes–Hut: the perplexity stops at 100
    // (each row keeps 301 neighbours), refused before any work, and Stop
    // ends it between iterations.
    let (x, _) = blobs(&centres(), 501, 1.0, 7);
    assert!(x.rows > EXACT_ROWS);
    let params = TsneParams {
        perplexity: 101.0,
        dimensions: 2,
        seed: 1,
    };
    let mut calls = 0;
    let e = tsne(&x, &params, &mut |_, _| {
        calls += 1;
        std::ops::ControlFlow::Continue(())
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("at most 100 above 2,000 rows"), "{e}");
    assert_eq!(calls, 0);
    let params = TsneParams {
        perplexity: 30.0,
        ..params
    };
    let mut calls = 0;
    let stopped = tsne(&x, &params, &mut |_, _| {
        calls += 1;
        if calls > 1 {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    assert!(matches!(stopped, Err(MlError::Cancelled)));
    assert_eq!(calls, 2, "stopped at the first iteration");
}
