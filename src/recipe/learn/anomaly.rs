//! The `anomaly` step: how unusual each row is in the features, as a
//! score column (higher is more unusual), and a flag on the most unusual
//! rows, a chosen share of them or those above a threshold. The features,
//! missing values and scaling are a cluster step's.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

use super::{check_features, check_new, seed, spread};
use crate::ml::Progress;
use crate::ml::autoencoder::{AutoencoderParams, autoencoder, check_params};
use crate::ml::features::{Features, extract};
use crate::ml::iforest::{IsolationParams, MAX_SAMPLE, MAX_TREES, isolation_forest};
use crate::ops::append_columns;
use crate::recipe::error::{Budget, StepError};
use crate::recipe::plan::{ColumnType, Schema};

/// How an `anomaly` step scores the rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Scorer {
    /// An isolation forest: rows that random cuts isolate in few steps.
    /// The score is between 0 and 1, about 0.5 for an ordinary row.
    IsolationForest {
        #[serde(default = "trees", skip_serializing_if = "is_trees")]
        trees: usize,
        #[serde(default = "sample", skip_serializing_if = "is_sample")]
        sample: usize,
        #[serde(default = "seed", skip_serializing_if = "super::is_seed")]
        seed: u64,
    },
    /// An autoencoder (d → 16 → 2 → 16 → d): the score is how badly a
    /// row comes back through the narrow middle, its mean squared error
    /// on the scaled features.
    Autoencoder(Training),
}

/// How an autoencoder is trained: its epochs, Adam's step size, the seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    #[serde(default = "epochs", skip_serializing_if = "is_epochs")]
    pub epochs: usize,
    #[serde(default = "rate", skip_serializing_if = "is_rate")]
    pub learning_rate: f64,
    #[serde(default = "seed", skip_serializing_if = "super::is_seed")]
    pub seed: u64,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            epochs: epochs(),
            learning_rate: rate(),
            seed: seed(),
        }
    }
}

impl Training {
    /// The network's parameters with `bottleneck` middle units.
    pub fn params(&self, bottleneck: usize) -> AutoencoderParams {
        AutoencoderParams {
            hidden: HIDDEN,
            bottleneck,
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            seed: self.seed,
        }
    }
}

/// The units of an autoencoder step's outer hidden layers.
pub const HIDDEN: usize = 16;

fn epochs() -> usize {
    200
}
fn is_epochs(e: &usize) -> bool {
    *e == epochs()
}
fn rate() -> f64 {
    0.01
}
fn is_rate(r: &f64) -> bool {
    *r == rate()
}

/// The kinds of scorer, without their parameters: what a form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScorerKind {
    IsolationForest,
    Autoencoder,
}

impl ScorerKind {
    pub const ALL: [ScorerKind; 2] = [ScorerKind::IsolationForest, ScorerKind::Autoencoder];
}

impl Default for Scorer {
    fn default() -> Self {
        Scorer::IsolationForest {
            trees: trees(),
            sample: sample(),
            seed: seed(),
        }
    }
}

impl Scorer {
    pub fn is_default(&self) -> bool {
        *self == Scorer::default()
    }

    /// This scorer's kind.
    pub fn kind(&self) -> ScorerKind {
        match self {
            Scorer::IsolationForest { .. } => ScorerKind::IsolationForest,
            Scorer::Autoencoder { .. } => ScorerKind::Autoencoder,
        }
    }

    /// A scorer of `kind` with its defaults (this one if it is of that
    /// kind already).
    pub fn switch(&self, kind: ScorerKind) -> Scorer {
        match (kind, self) {
            _ if self.kind() == kind => *self,
            (ScorerKind::IsolationForest, _) => Scorer::default(),
            (ScorerKind::Autoencoder, _) => Scorer::Autoencoder(Training::default()),
        }
    }
}

fn trees() -> usize {
    100
}
fn is_trees(t: &usize) -> bool {
    *t == trees()
}
fn sample() -> usize {
    256
}
fn is_sample(s: &usize) -> bool {
    *s == sample()
}

/// Which rows an `anomaly` step flags.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Flag {
    /// The most unusual share of the scored rows (0.05: one in twenty),
    /// at least one row; among rows with the same score the earlier ones.
    Share(f64),
    /// The rows whose score is at least this.
    Threshold(f64),
}

impl Default for Flag {
    fn default() -> Self {
        Flag::Share(0.05)
    }
}

impl Flag {
    pub fn is_default(&self) -> bool {
        *self == Flag::default()
    }

    /// This flag's kind.
    pub fn kind(&self) -> FlagKind {
        match self {
            Flag::Share(_) => FlagKind::Share,
            Flag::Threshold(_) => FlagKind::Threshold,
        }
    }

    /// Its number: the share or the threshold.
    pub fn value(&self) -> f64 {
        match *self {
            Flag::Share(v) | Flag::Threshold(v) => v,
        }
    }

    /// A flag of `kind` with its default (this one if it is of that kind).
    pub fn switch(&self, kind: FlagKind) -> Flag {
        match (kind, self) {
            (FlagKind::Share, Flag::Share(_)) | (FlagKind::Threshold, Flag::Threshold(_)) => *self,
            (FlagKind::Share, _) => Flag::default(),
            // An isolation forest's scores lie near 0.5 for ordinary rows.
            (FlagKind::Threshold, _) => Flag::Threshold(0.6),
        }
    }

    /// The same kind of flag with another number.
    pub fn with_value(&self, v: f64) -> Flag {
        match self {
            Flag::Share(_) => Flag::Share(v),
            Flag::Threshold(_) => Flag::Threshold(v),
        }
    }
}

/// The kinds of flag, without their numbers: what a form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    Share,
    Threshold,
}

impl FlagKind {
    pub const ALL: [FlagKind; 2] = [FlagKind::Share, FlagKind::Threshold];
}

/// The flag column of an anomaly step whose score column is `name`.
pub fn flag_name(name: &str) -> String {
    format!("{name}_flag")
}

/// The most trees × rows an isolation forest walks (each walk about
/// log2 of the sample steps): some seconds in the browser.
pub const MAX_FOREST_WORK: u64 = 1_000_000_000;

/// The schema after an `anomaly` step.
pub fn check_anomaly(
    schema: &Schema,
    features: &Features,
    scorer: &Scorer,
    flag: &Flag,
    name: &str,
) -> Result<Schema, StepError> {
    check_features(schema, features)?;
    match scorer {
        Scorer::IsolationForest { trees, sample, .. } => {
            if !(1..=MAX_TREES).contains(trees) {
                return Err(StepError::Trees(*trees));
            }
            if !(2..=MAX_SAMPLE).contains(sample) {
                return Err(StepError::Sample(*sample));
            }
            if let Flag::Threshold(t) = *flag
                && !(0.0..=1.0).contains(&t)
            {
                return Err(StepError::Threshold(t));
            }
        }
        Scorer::Autoencoder(training) => {
            check_params(&training.params(2))?;
            if let Flag::Threshold(t) = *flag
                && !(t.is_finite() && t >= 0.0)
            {
                return Err(StepError::ErrorThreshold(t));
            }
        }
    }
    if let Flag::Share(s) = *flag
        && !(s > 0.0 && s <= 1.0)
    {
        return Err(StepError::Share(s));
    }
    let mut out = schema.clone();
    for (column, data_type) in [
        (name.to_string(), ColumnType::float64()),
        (flag_name(name), ColumnType::Boolean),
    ] {
        check_new(&out, &column)?;
        out.push((column, data_type));
    }
    Ok(out)
}

/// Adds column `name`, each row's score (null for a row left out for a
/// missing value), and `name_flag`, true for the flagged rows (false for
/// the other scored rows, null for those left out).
pub fn anomaly(
    batch: &RecordBatch,
    features: &Features,
    scorer: &Scorer,
    flag: &Flag,
    name: &str,
    progress: &mut Progress,
) -> Result<RecordBatch, StepError> {
    let x = extract(batch, features)?;
    let scores = match *scorer {
        Scorer::IsolationForest {
            trees,
            sample,
            seed,
        } => {
            let work = (x.matrix.rows as u64).saturating_mul(trees as u64);
            if work > MAX_FOREST_WORK {
                return Err(StepError::Budget(Budget::ForestWork {
                    trees,
                    rows: x.matrix.rows,
                    work,
                    most: MAX_FOREST_WORK,
                }));
            }
            let params = IsolationParams {
                trees,
                sample,
                seed,
            };
            isolation_forest(&x.matrix, &params, progress)?
        }
        Scorer::Autoencoder(training) => {
            autoencoder(&x.matrix, &training.params(2), progress)?.errors
        }
    };
    let flagged = flags(&scores, flag);
    let mut column = vec![None; batch.num_rows()];
    for (&row, &f) in x.rows.iter().zip(&flagged) {
        column[row] = Some(f);
    }
    Ok(append_columns(
        batch,
        vec![
            (name.to_string(), spread(batch.num_rows(), &x.rows, &scores)),
            (
                flag_name(name),
                Arc::new(BooleanArray::from(column)) as ArrayRef,
            ),
        ],
    )?)
}

/// Which of `scores` the flag marks.
pub fn flags(scores: &[f64], flag: &Flag) -> Vec<bool> {
    match *flag {
        Flag::Threshold(t) => scores.iter().map(|&s| s >= t).collect(),
        Flag::Share(share) => {
            let n = scores.len();
            let wanted = ((n as f64 * share).ceil() as usize).clamp(usize::from(n > 0), n);
            let mut order: Vec<usize> = (0..n).collect();
            // Stable: equal scores keep the rows' order.
            order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
            let mut out = vec![false; n];
            for &i in &order[..wanted] {
                out[i] = true;
            }
            out
        }
    }
}

#[cfg(test)]
mod tests;
