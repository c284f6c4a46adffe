//! What helps a visitor choose and read a clustering, as small tables the
//! page charts and lists: inertia and silhouette over a range of k (the
//! elbow), the k-distance curve that suggests DBSCAN's eps, and cluster
//! profiles (size, the mean of each feature raw and scaled, and the
//! features that most set each cluster apart).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use serde::{Deserialize, Serialize};

use super::dbscan::k_distances;
use super::features::{ColumnScale, Features, RowScale, extract};
use super::jobs::{self, Done, Job};
use super::matrix::Matrix;
use super::{MlError, NOISE, Progress};

/// What to work out for a cluster step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Insight {
    /// k-means for each k in `from..=to`: inertia and silhouette.
    ChooseK { from: usize, to: usize },
    /// Each row's distance to its k-th nearest row, largest first.
    KDistance { k: usize },
    /// Per cluster of the step's result: size, means, what sets it apart.
    Profiles,
    /// The most unusual rows of an anomaly step's result: their scores
    /// and the features farthest from the scored rows' means.
    Outliers,
}

/// The widest range of k the elbow computes.
pub const MAX_K_RANGE: usize = 30;
/// Rows the silhouette and the k-distances are computed on at most.
pub const SAMPLE: usize = 2_000;
/// Restarts per k of the elbow (fewer than a cluster step's 10: it runs
/// k-means once per k).
pub const RESTARTS: usize = 3;
/// How many distinguishing features a profile names.
pub const DISTINGUISHING: usize = 3;
/// How many member labels a profile lists.
pub const MEMBERS: usize = 8;

/// A computed insight: its table, and the x the chart marks (the best k,
/// or the knee of the k-distance curve) with a sentence about it.
#[derive(Debug, Clone)]
pub struct Found {
    pub table: RecordBatch,
    /// For profiles, the long form (a row per cluster and feature) the
    /// heatmap draws.
    pub long: Option<RecordBatch>,
    pub mark: Option<f64>,
    /// The value suggested for the step: the best k, or an eps.
    pub suggestion: Option<f64>,
}

/// Inertia and silhouette of k-means for each k of `from..=to`.
pub fn choose_k(
    x: &Matrix,
    from: usize,
    to: usize,
    seed: u64,
    progress: &mut Progress,
) -> Result<Found, MlError> {
    let to = to.min(x.rows);
    if from < 1 || from > to || to - from >= MAX_K_RANGE {
        return Err(MlError::KRange {
            rows: x.rows,
            widest: MAX_K_RANGE,
        });
    }
    // Each k a job, which may run in a helper worker: k-means with its
    // restarts, then the silhouette.
    let jobs: Vec<Job> = (from..=to).map(|k| Job::Elbow { k, seed }).collect();
    let mut ks = Vec::new();
    let mut inertia = Vec::new();
    let mut scores = Vec::new();
    for (k, done) in (from..=to).zip(jobs::run(x, &jobs, progress)?) {
        let Done::Elbow {
            inertia: i,
            silhouette,
        } = done
        else {
            return Err(MlError::Table("an elbow job gave another answer".into()));
        };
        ks.push(k as i32);
        inertia.push(i);
        scores.push(silhouette);
    }
    let best = ks
        .iter()
        .zip(&scores)
        .filter_map(|(k, s)| s.map(|s| (*k, s)))
        .fold(None::<(i32, f64)>, |b, (k, s)| match b {
            Some((_, bs)) if bs >= s => b,
            _ => Some((k, s)),
        });
    let table = RecordBatch::try_from_iter([
        ("k", Arc::new(Int32Array::from(ks)) as ArrayRef),
        ("inertia", Arc::new(Float64Array::from(inertia)) as ArrayRef),
        (
            "silhouette",
            Arc::new(Float64Array::from(scores)) as ArrayRef,
        ),
    ])
    .map_err(MlError::from)?;
    Ok(Found {
        table,
        long: None,
        mark: best.map(|(k, _)| f64::from(k)),
        suggestion: best.map(|(k, _)| f64::from(k)),
    })
}

/// The k-distance curve (on a seeded sample of rows) and its knee: the
/// point farthest from the straight line between its ends, a fair eps.
pub fn k_distance(x: &Matrix, k: usize, seed: u64) -> Result<Found, MlError> {
    let distances = k_distances(x, k, SAMPLE, seed)?;
    let n = distances.len();
    let (first, last) = (distances[0], distances[n - 1]);
    let knee = (0..n)
        .map(|i| {
            let t = if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.0
            };
            let line = first + (last - first) * t;
            (i, line - distances[i])
        })
        .fold((0, f64::NEG_INFINITY), |b, c| if c.1 > b.1 { c } else { b })
        .0;
    let suggestion = distances[knee];
    let table = RecordBatch::try_from_iter([
        (
            "rank",
            Arc::new(Int32Array::from_iter_values(1..=n as i32)) as ArrayRef,
        ),
        (
            "distance",
            Arc::new(Float64Array::from(distances)) as ArrayRef,
        ),
    ])
    .map_err(MlError::from)?;
    Ok(Found {
        table,
        long: None,
        mark: Some(knee as f64 + 1.0),
        suggestion: Some(suggestion),
    })
}

/// The profile of each cluster in column `labels` of `batch`: its size,
/// the mean of each feature as it is in the table and as the method saw
/// it (after the features' scaling), and the features whose scaled mean
/// lies farthest from all rows' mean, in standard deviations. `member`
/// names a text column whose first values list each cluster's rows.
pub fn profiles(
    batch: &RecordBatch,
    features: &Features,
    labels: &str,
    member: Option<&str>,
) -> Result<Found, MlError> {
    let scaled = extract(batch, features)?;
    let raw = unscaled(batch, features)?;
    let column = batch
        .column_by_name(labels)
        .and_then(|c| c.as_any().downcast_ref::<Int32Array>())
        .ok_or_else(|| MlError::NotLabels {
            labels: labels.to_string(),
        })?;
    let names = member
        .and_then(|m| batch.column_by_name(m))
        .and_then(|c| c.as_any().downcast_ref::<StringArray>());
    let d = features.columns.len();
    // Per cluster: the rows (indices into the matrices).
    let mut groups: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (i, &row) in scaled.rows.iter().enumerate() {
        if column.is_valid(row) {
            groups.entry(column.value(row)).or_default().push(i);
        }
    }
    if groups.is_empty() {
        return Err(MlError::NoClusteredRow);
    }
    let labelled: Vec<usize> = groups.values().flatten().copied().collect();
    let (overall, spread) = mean_sd(&scaled.matrix, &labelled);
    let mut wide: Vec<(i32, i64, String, String, Vec<f64>)> = Vec::new();
    let mut long = Long::default();
    for (&cluster, rows) in &groups {
        let raw_means = mean_sd(&raw.matrix, rows).0;
        let scaled_means = mean_sd(&scaled.matrix, rows).0;
        let mut apart: Vec<(usize, f64)> = (0..d)
            .map(|j| {
                let z = if spread[j] > 0.0 {
                    (scaled_means[j] - overall[j]) / spread[j]
                } else {
                    0.0
                };
                (j, z)
            })
            .collect();
        for &(j, z) in &apart {
            long.push(
                cluster,
                &features.columns[j],
                raw_means[j],
                scaled_means[j],
                z,
            );
        }
        apart.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let apart_text = apart
            .iter()
            .take(DISTINGUISHING)
            .filter(|(_, z)| z.abs() >= 0.05)
            .map(|(j, z)| {
                format!(
                    "{} {}{:.1}",
                    features.columns[*j],
                    if *z > 0.0 { "+" } else { "−" },
                    z.abs()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let members = names.map_or(String::new(), |names| {
            let mut listed: Vec<&str> = rows
                .iter()
                .map(|&i| scaled.rows[i])
                .filter(|&r| names.is_valid(r))
                .map(|r| names.value(r))
                .take(MEMBERS)
                .collect();
            if rows.len() > MEMBERS {
                listed.push("…");
            }
            listed.join(", ")
        });
        wide.push((cluster, rows.len() as i64, apart_text, members, raw_means));
    }
    let mut columns: Vec<(String, ArrayRef)> = vec![
        (
            "cluster".into(),
            Arc::new(Int32Array::from_iter_values(wide.iter().map(|w| w.0))),
        ),
        (
            "size".into(),
            Arc::new(Int64Array::from_iter_values(wide.iter().map(|w| w.1))),
        ),
        (
            "sets_apart".into(),
            Arc::new(StringArray::from_iter_values(
                wide.iter().map(|w| w.2.as_str()),
            )),
        ),
    ];
    if names.is_some() {
        columns.push((
            "members".into(),
            Arc::new(StringArray::from_iter_values(
                wide.iter().map(|w| w.3.as_str()),
            )),
        ));
    }
    for (j, name) in features.columns.iter().enumerate() {
        columns.push((
            name.clone(),
            Arc::new(Float64Array::from_iter_values(wide.iter().map(|w| w.4[j]))),
        ));
    }
    let table = RecordBatch::try_from_iter(columns).map_err(MlError::from)?;
    Ok(Found {
        table,
        long: Some(long.batch()?),
        mark: None,
        suggestion: None,
    })
}

/// The features as they are in the table (missing values handled as the
/// step handles them, nothing scaled): what a profile or an outlier list
/// reports in the features' own units.
fn unscaled(
    batch: &RecordBatch,
    features: &Features,
) -> Result<super::features::Extracted, MlError> {
    extract(
        batch,
        &Features {
            scale: ColumnScale::None,
            row_scale: RowScale::None,
            ..features.clone()
        },
    )
}

/// The most unusual rows an outlier list shows.
pub const OUTLIERS: usize = 10;
/// The rows most like a listed row that it is also compared with.
pub const PEERS: usize = 20;
/// Peers are found with at most this many features (the work grows with
/// their square).
pub const PEER_FEATURES: usize = 16;

/// The most unusual rows by the score column `scores` of `batch` (an
/// anomaly step's result): the flagged ones (column `flag`), at most
/// [`OUTLIERS`], or the top [`OUTLIERS`] when none is flagged. For each:
/// its rank, its name (`member`, else its row number from 1), its score,
/// the features farthest from all scored rows' means in standard
/// deviations, and each feature's value as it is in the table. The long
/// table has a row per listed row and feature: the value, all scored
/// rows' mean and the difference in standard deviations, then the same
/// against the row's peers for that feature: the [`PEERS`] scored rows
/// nearest to it in the other features, as the step scaled them (its
/// "agencies of its size" when the other feature is the size).
pub fn outliers(
    batch: &RecordBatch,
    features: &Features,
    scores: &str,
    flag: &str,
    member: Option<&str>,
) -> Result<Found, MlError> {
    let raw = unscaled(batch, features)?;
    let score = batch
        .column_by_name(scores)
        .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
        .ok_or_else(|| MlError::NotScores {
            column: scores.to_string(),
        })?;
    let flagged = batch
        .column_by_name(flag)
        .and_then(|c| c.as_any().downcast_ref::<arrow::array::BooleanArray>());
    let names = member
        .and_then(|m| batch.column_by_name(m))
        .map(|c| crate::data::values::formatter(c.as_ref()));
    // Indices into the matrix of the rows with a score.
    let scored: Vec<usize> = (0..raw.rows.len())
        .filter(|&i| score.is_valid(raw.rows[i]) && score.value(raw.rows[i]).is_finite())
        .collect();
    if scored.is_empty() {
        return Err(MlError::NoScoredRow);
    }
    let (mean, sd) = mean_sd(&raw.matrix, &scored);
    // The features as the step saw them (scaled), where peers are found.
    let seen = extract(batch, features)
        .ok()
        .filter(|m| m.rows == raw.rows && m.matrix.cols == raw.matrix.cols)
        .map_or_else(|| standardised(&raw.matrix, &mean, &sd), |m| m.matrix);
    let mut order = scored.clone();
    order.sort_by(|a, b| {
        score
            .value(raw.rows[*b])
            .total_cmp(&score.value(raw.rows[*a]))
    });
    let is_flagged = |i: usize| flagged.is_some_and(|f| f.is_valid(i) && f.value(i));
    let shown = match order.iter().filter(|&&i| is_flagged(raw.rows[i])).count() {
        0 => OUTLIERS,
        n => n.min(OUTLIERS),
    };
    let d = features.columns.len();
    let mut long = OutlierLong::default();
    let (mut ranks, mut labels, mut values, mut apart_texts) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (rank, &i) in order.iter().take(shown).enumerate() {
        let row = raw.rows[i];
        let label = names
            .as_ref()
            .and_then(|f| f(row))
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("row {}", row + 1));
        let mut apart: Vec<(usize, f64)> = (0..d)
            .map(|j| {
                let v = raw.matrix.row(i)[j];
                let z = if sd[j] > 0.0 {
                    (v - mean[j]) / sd[j]
                } else {
                    0.0
                };
                let peer = peers(&seen, &raw.matrix, &scored, i, j);
                long.push(&label, &features.columns[j], (v, mean[j], z), peer);
                (j, z)
            })
            .collect();
        apart.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        apart_texts.push(
            apart
                .iter()
                .take(DISTINGUISHING)
                .filter(|(_, z)| z.abs() >= 0.05)
                .map(|(j, z)| {
                    let sign = if *z > 0.0 { "+" } else { "−" };
                    format!("{} {sign}{:.1}", features.columns[*j], z.abs())
                })
                .collect::<Vec<_>>()
                .join(", "),
        );
        ranks.push(rank as i64 + 1);
        labels.push(label);
        values.push(raw.matrix.row(i).to_vec());
    }
    let top: Vec<f64> = order
        .iter()
        .take(shown)
        .map(|&i| score.value(raw.rows[i]))
        .collect();
    let mut columns: Vec<(String, ArrayRef)> = vec![
        ("rank".into(), Arc::new(Int64Array::from(ranks))),
        ("row".into(), Arc::new(StringArray::from(labels))),
        ("score".into(), Arc::new(Float64Array::from(top))),
        (
            "sets_apart".into(),
            Arc::new(StringArray::from(apart_texts)),
        ),
    ];
    for (j, name) in features.columns.iter().enumerate() {
        columns.push((
            name.clone(),
            Arc::new(Float64Array::from_iter_values(values.iter().map(|v| v[j]))),
        ));
    }
    Ok(Found {
        table: RecordBatch::try_from_iter(columns).map_err(MlError::from)?,
        long: Some(long.batch()?),
        mark: None,
        suggestion: None,
    })
}

/// An outlier list in long form: a row per listed row and feature.
#[derive(Default)]
struct OutlierLong {
    row: Vec<String>,
    feature: Vec<String>,
    value: Vec<f64>,
    mean: Vec<f64>,
    apart: Vec<f64>,
    peers: Vec<Option<i64>>,
    peer_mean: Vec<Option<f64>>,
    peer_apart: Vec<Option<f64>>,
}

impl OutlierLong {
    /// A row's feature: (value, mean, difference) against all scored rows,
    /// and against its peers where it has them.
    fn push(&mut self, row: &str, feature: &str, all: (f64, f64, f64), peer: Option<Peers>) {
        self.row.push(row.to_string());
        self.feature.push(feature.to_string());
        self.value.push(all.0);
        self.mean.push(all.1);
        self.apart.push(all.2);
        self.peers.push(peer.map(|p| p.count as i64));
        self.peer_mean.push(peer.map(|p| p.mean));
        self.peer_apart.push(peer.map(|p| p.apart));
    }

    fn batch(self) -> Result<RecordBatch, MlError> {
        RecordBatch::try_from_iter([
            ("row", Arc::new(StringArray::from(self.row)) as ArrayRef),
            (
                "feature",
                Arc::new(StringArray::from(self.feature)) as ArrayRef,
            ),
            (
                "value",
                Arc::new(Float64Array::from(self.value)) as ArrayRef,
            ),
            ("mean", Arc::new(Float64Array::from(self.mean)) as ArrayRef),
            (
                "difference_sd",
                Arc::new(Float64Array::from(self.apart)) as ArrayRef,
            ),
            ("peers", Arc::new(Int64Array::from(self.peers)) as ArrayRef),
            (
                "peer_mean",
                Arc::new(Float64Array::from(self.peer_mean)) as ArrayRef,
            ),
            (
                "peer_difference_sd",
                Arc::new(Float64Array::from(self.peer_apart)) as ArrayRef,
            ),
        ])
        .map_err(MlError::from)
    }
}

/// A row's peers for one feature: how many, their mean of it, and the
/// row's difference from that mean in their standard deviations.
#[derive(Debug, Clone, Copy)]
struct Peers {
    count: usize,
    mean: f64,
    apart: f64,
}

/// Row `i`'s peers for feature `j`: the [`PEERS`] scored rows nearest to
/// it in `seen` without feature `j` (ties by row order), and their values
/// of `j` in `raw`. None with one feature, more than [`PEER_FEATURES`], or
/// fewer than three other rows.
fn peers(seen: &Matrix, raw: &Matrix, scored: &[usize], i: usize, j: usize) -> Option<Peers> {
    let d = seen.cols;
    if !(2..=PEER_FEATURES).contains(&d) || scored.len() < 4 {
        return None;
    }
    let mut near: Vec<(f64, usize)> = scored
        .iter()
        .filter(|&&r| r != i)
        .map(|&r| {
            let distance: f64 = (0..d)
                .filter(|&k| k != j)
                .map(|k| (seen.row(i)[k] - seen.row(r)[k]).powi(2))
                .sum();
            (distance, r)
        })
        .collect();
    let count = PEERS.min(near.len());
    if count < near.len() {
        near.select_nth_unstable_by(count, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        near.truncate(count);
    }
    near.sort_unstable_by_key(|&(_, r)| r);
    let chosen: Vec<usize> = near.into_iter().map(|(_, r)| r).collect();
    let (mean, sd) = mean_sd(raw, &chosen);
    let apart = if sd[j] > 0.0 {
        (raw.row(i)[j] - mean[j]) / sd[j]
    } else {
        0.0
    };
    Some(Peers {
        count,
        mean: mean[j],
        apart,
    })
}

/// `x` in standard deviations from `mean` (a column without spread as 0).
fn standardised(x: &Matrix, mean: &[f64], sd: &[f64]) -> Matrix {
    let mut out = x.clone();
    for i in 0..x.rows {
        for (j, v) in out.row_mut(i).iter_mut().enumerate() {
            *v = if sd[j] > 0.0 {
                (*v - mean[j]) / sd[j]
            } else {
                0.0
            };
        }
    }
    out
}

/// Column means and standard deviations of some rows of `x`.
fn mean_sd(x: &Matrix, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let mut mean = vec![0.0; x.cols];
    for &i in rows {
        for (m, v) in mean.iter_mut().zip(x.row(i)) {
            *m += v / n;
        }
    }
    let mut sd = vec![0.0; x.cols];
    for &i in rows {
        for ((s, v), m) in sd.iter_mut().zip(x.row(i)).zip(&mean) {
            *s += (v - m) * (v - m) / n;
        }
    }
    sd.iter_mut().for_each(|s| *s = s.sqrt());
    (mean, sd)
}

/// Profiles in long form: a row per cluster and feature.
#[derive(Default)]
struct Long {
    cluster: Vec<String>,
    feature: Vec<String>,
    mean: Vec<f64>,
    scaled: Vec<f64>,
    apart: Vec<f64>,
}

impl Long {
    fn push(&mut self, cluster: i32, feature: &str, mean: f64, scaled: f64, apart: f64) {
        self.cluster.push(if cluster == NOISE {
            "noise".into()
        } else {
            cluster.to_string()
        });
        self.feature.push(feature.to_string());
        self.mean.push(mean);
        self.scaled.push(scaled);
        self.apart.push(apart);
    }

    fn batch(self) -> Result<RecordBatch, MlError> {
        RecordBatch::try_from_iter([
            (
                "cluster",
                Arc::new(StringArray::from(self.cluster)) as ArrayRef,
            ),
            (
                "feature",
                Arc::new(StringArray::from(self.feature)) as ArrayRef,
            ),
            ("mean", Arc::new(Float64Array::from(self.mean)) as ArrayRef),
            (
                "scaled_mean",
                Arc::new(Float64Array::from(self.scaled)) as ArrayRef,
            ),
            (
                "difference_sd",
                Arc::new(Float64Array::from(self.apart)) as ArrayRef,
            ),
        ])
        .map_err(MlError::from)
    }
}
