//! t-SNE.

use crate::ml::kmeans::{KMeansParams, kmeans};
use crate::ml::matrix::Matrix;
use crate::ml::silhouette::adjusted_rand;
use crate::ml::*;

use super::{blobs, centres};

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
    let found = kmeans(
        &map,
        &KMeansParams {
            k: 4,
            ..KMeansParams::default()
        },
        &mut no_progress,
    )
    .unwrap();
    let labels: Vec<i32> = found.labels.iter().map(|&l| l as i32).collect();
    assert!(
        adjusted_rand(&labels, &truth) >= 0.99,
        "{}",
        adjusted_rand(&labels, &truth)
    );
    assert_eq!(map, tsne(&x, &params, &mut no_progress).unwrap(), "seeded");
    // Too many rows, too few, a perplexity above a third of the rows, NaN.
    let e = tsne(&Matrix::zeros(MAX_ROWS + 1, 2), &params, &mut no_progress)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 2000 rows") && e.contains("PCA"), "{e}");
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
