//! The silhouette and the adjusted Rand index.

use crate::ml::silhouette::{adjusted_rand, silhouette};

use super::{blobs, centres};

#[test]
fn silhouette_and_rand_index() {
    let (x, truth) = blobs(&centres(), 100, 0.5, 11);
    let good = silhouette(&x, &truth, 10_000, 1).unwrap();
    assert!(good > 0.8, "{good}");
    let shuffled: Vec<i32> = (0..x.rows as i32).map(|i| i % 4).collect();
    assert!(silhouette(&x, &shuffled, 10_000, 1).unwrap() < 0.1);
    // A sample of rows gives about the same.
    let sampled = silhouette(&x, &truth, 200, 1).unwrap();
    assert!((sampled - good).abs() < 0.05);
    assert!(silhouette(&x, &vec![0; x.rows], 100, 1).is_err());
    assert_eq!(adjusted_rand(&[0, 0, 1, 1], &[5, 5, 9, 9]), 1.0);
    assert!(adjusted_rand(&[0, 1, 0, 1, 0, 1, 0, 1], &[0, 0, 1, 1, 0, 0, 1, 1]) < 0.1);
}
