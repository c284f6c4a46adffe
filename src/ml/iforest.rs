//! Isolation forest (Liu, Ting & Zhou 2008): rows that random cuts isolate
//! in few steps are unusual. Each tree is grown on a seeded sample of the
//! rows: at each node a random feature (among those not constant there) is
//! cut at a uniform point between its least and greatest value, until a row
//! stands alone or the depth reaches log2 of the sample. A row's score is
//! 2^(−mean path length / c(sample)), between 0 and 1, higher for the more
//! unusual (0.5 for a row like the others), as scikit-learn's
//! `IsolationForest.score_samples` gives it negated. Seeded (`ml::rng`) and
//! with `libm`'s logarithm, so the scores are the same bits natively and in
//! the worker.

use crate::ml::MlError;
use crate::ml::matrix::Matrix;
use crate::ml::rng::Rng;
use crate::ops::Progress;

/// The most trees, and the largest sample a tree is grown on.
pub const MAX_TREES: usize = 1000;
pub const MAX_SAMPLE: usize = 100_000;

/// How the forest is grown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IsolationParams {
    /// Trees (scikit-learn: 100).
    pub trees: usize,
    /// Rows each tree is grown on (scikit-learn: 256), at most the rows.
    pub sample: usize,
    pub seed: u64,
}

impl Default for IsolationParams {
    fn default() -> Self {
        Self {
            trees: 100,
            sample: 256,
            seed: 1,
        }
    }
}

/// Checks the parameters against the data, before any work.
pub fn check(rows: usize, params: &IsolationParams) -> Result<(), MlError> {
    if !(1..=MAX_TREES).contains(&params.trees) {
        return Err(MlError::Trees { most: MAX_TREES });
    }
    if !(2..=MAX_SAMPLE).contains(&params.sample) {
        return Err(MlError::Sample { most: MAX_SAMPLE });
    }
    if rows < 2 {
        return Err(MlError::TooFewRows { rows, least: 2 });
    }
    Ok(())
}

/// One node of a tree: a cut, or a leaf with the rows that reached it.
#[derive(Debug, Clone, Copy)]
enum Node {
    Cut {
        feature: u32,
        at: f64,
        /// Index of the child for values below `at`; the other follows it.
        below: u32,
    },
    Leaf {
        size: u32,
    },
}

/// The anomaly score of every row of `x` (finite values), from a forest
/// grown on seeded samples of `x` itself.
pub fn isolation_forest(
    x: &Matrix,
    params: &IsolationParams,
    progress: &mut Progress,
) -> Result<Vec<f64>, MlError> {
    check(x.rows, params)?;
    let sample = params.sample.min(x.rows);
    let depth_limit = ceil_log2(sample);
    let mut rng = Rng::new(params.seed);
    let mut depth_sum = vec![0.0f64; x.rows];
    for t in 0..params.trees {
        if progress(t as u64, params.trees as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        let mut rows: Vec<usize> = rng.sample(x.rows, sample);
        let tree = grow(x, &mut rows, depth_limit, &mut rng);
        for (i, sum) in depth_sum.iter_mut().enumerate() {
            *sum += path_length(&tree, x.row(i));
        }
    }
    let norm = average_path(sample);
    let trees = params.trees as f64;
    Ok(depth_sum
        .into_iter()
        .map(|sum| libm::exp2(-(sum / trees) / norm))
        .collect())
}

/// A tree over `rows` (reordered in place), nodes in depth-first order.
fn grow(x: &Matrix, rows: &mut [usize], depth_limit: usize, rng: &mut Rng) -> Vec<Node> {
    let mut nodes = Vec::with_capacity(2 * rows.len());
    // (node index, start, end, depth) still to split.
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    nodes.push(Node::Leaf {
        size: rows.len() as u32,
    });
    open.push((0, 0, rows.len(), 0));
    let mut ranges: Vec<(u32, f64, f64)> = Vec::with_capacity(x.cols);
    while let Some((node, start, end, depth)) = open.pop() {
        let part = &mut rows[start..end];
        if part.len() <= 1 || depth >= depth_limit {
            continue;
        }
        // The features not constant among these rows, with their range.
        ranges.clear();
        for f in 0..x.cols {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &r in part.iter() {
                let v = x.row(r)[f];
                lo = lo.min(v);
                hi = hi.max(v);
            }
            if hi > lo {
                ranges.push((f as u32, lo, hi));
            }
        }
        if ranges.is_empty() {
            continue;
        }
        let (feature, lo, hi) = ranges[rng.below(ranges.len())];
        let at = lo + rng.next_f64() * (hi - lo);
        // Rows below the cut first.
        let mut split = 0;
        for i in 0..part.len() {
            if x.row(part[i])[feature as usize] < at {
                part.swap(i, split);
                split += 1;
            }
        }
        let below = nodes.len();
        nodes.push(Node::Leaf { size: split as u32 });
        nodes.push(Node::Leaf {
            size: (part.len() - split) as u32,
        });
        nodes[node] = Node::Cut {
            feature,
            at,
            below: below as u32,
        };
        open.push((below, start, start + split, depth + 1));
        open.push((below + 1, start + split, end, depth + 1));
    }
    nodes
}

/// The depth at which `row` leaves the tree, plus the expected depth of
/// the rest of its leaf's rows.
fn path_length(tree: &[Node], row: &[f64]) -> f64 {
    let (mut node, mut depth) = (0usize, 0.0);
    loop {
        match tree[node] {
            Node::Cut { feature, at, below } => {
                node = below as usize + usize::from(row[feature as usize] >= at);
                depth += 1.0;
            }
            Node::Leaf { size } => return depth + average_path(size as usize),
        }
    }
}

/// c(n): the average path length of an unsuccessful search in a binary
/// search tree of n rows, 2 H(n − 1) − 2 (n − 1) / n.
fn average_path(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        n => {
            let n = n as f64;
            2.0 * (libm::log(n - 1.0) + EULER_GAMMA) - 2.0 * (n - 1.0) / n
        }
    }
}

const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

fn ceil_log2(n: usize) -> usize {
    (usize::BITS - n.saturating_sub(1).leading_zeros()) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::no_progress;

    fn blobs_with_outliers() -> (Matrix, Vec<usize>) {
        let mut rng = Rng::new(5);
        let mut data = Vec::new();
        for _ in 0..500 {
            data.extend([rng.normal(), rng.normal(), rng.normal()]);
        }
        let planted = vec![500, 501, 502];
        data.extend([8.0, 8.0, 8.0, -9.0, 0.0, 7.0, 0.0, -10.0, 0.0]);
        (
            Matrix {
                rows: 503,
                cols: 3,
                data,
            },
            planted,
        )
    }

    #[test]
    fn planted_outliers_score_highest_and_reruns_give_the_same_bits() {
        let (x, planted) = blobs_with_outliers();
        let params = IsolationParams::default();
        let scores = isolation_forest(&x, &params, &mut no_progress).unwrap();
        let mut order: Vec<usize> = (0..x.rows).collect();
        order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
        let mut top: Vec<usize> = order[..3].to_vec();
        top.sort();
        assert_eq!(top, planted);
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
        assert!(scores[500] > 0.7, "{}", scores[500]);
        let again = isolation_forest(&x, &params, &mut no_progress).unwrap();
        assert!(
            scores
                .iter()
                .zip(&again)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }

    #[test]
    fn hostile_parameters_are_refused_before_any_work() {
        let (x, _) = blobs_with_outliers();
        for (trees, sample) in [
            (0, 256),
            (1_000_000_000, 256),
            (100, 0),
            (100, 1),
            (100, 10_000_000),
        ] {
            let params = IsolationParams {
                trees,
                sample,
                seed: 1,
            };
            assert!(isolation_forest(&x, &params, &mut no_progress).is_err());
        }
        let one = Matrix::zeros(1, 1);
        assert!(isolation_forest(&one, &IsolationParams::default(), &mut no_progress).is_err());
        // Identical rows: nothing to cut, every row alike.
        let same = Matrix::zeros(50, 2);
        let scores =
            isolation_forest(&same, &IsolationParams::default(), &mut no_progress).unwrap();
        assert!(scores.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn the_normaliser_is_the_papers() {
        assert_eq!(average_path(1), 0.0);
        assert_eq!(average_path(2), 1.0);
        // c(256) ≈ 10.24 (Liu et al.).
        assert!((average_path(256) - 10.2447).abs() < 1e-3);
        assert_eq!(ceil_log2(256), 8);
        assert_eq!(ceil_log2(257), 9);
        assert_eq!(ceil_log2(2), 1);
    }
}
