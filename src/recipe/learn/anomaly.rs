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

    /// The trees, the sample and the seed of an isolation forest.
    pub fn forest(&self) -> (usize, usize, u64) {
        let Scorer::IsolationForest {
            trees,
            sample,
            seed,
        } = *self;
        (trees, sample, seed)
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
    let Scorer::IsolationForest { trees, sample, .. } = scorer;
    if !(1..=MAX_TREES).contains(trees) {
        return Err(StepError::Trees(*trees));
    }
    if !(2..=MAX_SAMPLE).contains(sample) {
        return Err(StepError::Sample(*sample));
    }
    match *flag {
        Flag::Share(s) if !(s > 0.0 && s <= 1.0) => return Err(StepError::Share(s)),
        Flag::Threshold(t) if !(0.0..=1.0).contains(&t) => return Err(StepError::Threshold(t)),
        _ => {}
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
    let Scorer::IsolationForest {
        trees,
        sample,
        seed,
    } = *scorer;
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
    let scores = isolation_forest(&x.matrix, &params, progress)?;
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
mod tests {
    use arrow::array::{Array, Float64Array, Int32Array};

    use super::*;
    use crate::ml::no_progress;
    use crate::ml::rng::Rng;
    use crate::recipe::{Input, Recipe, Step};

    /// 300 ordinary rows around the origin, 3 far off (rows 100, 200,
    /// 300), and row 5 without a value in `a`.
    fn table() -> RecordBatch {
        let mut rng = Rng::new(3);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for i in 0..303 {
            let far = [100, 200, 300].contains(&i);
            a.push((i != 5).then(|| if far { 9.0 } else { rng.normal() }));
            b.push(if far { -8.0 } else { rng.normal() });
        }
        RecordBatch::try_from_iter([
            ("a", Arc::new(Float64Array::from(a)) as ArrayRef),
            ("b", Arc::new(Float64Array::from(b)) as ArrayRef),
            (
                "id",
                Arc::new(Int32Array::from_iter_values(0..303)) as ArrayRef,
            ),
        ])
        .unwrap()
    }

    fn features() -> Features {
        Features {
            columns: vec!["a".into(), "b".into()],
            ..Features::default()
        }
    }

    fn schema() -> Schema {
        table()
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), ColumnType::of(f.data_type())))
            .collect()
    }

    fn step(flag: Flag) -> Step {
        Step::Anomaly {
            features: features(),
            method: Scorer::default(),
            flag,
            name: "odd".into(),
        }
    }

    fn run(flag: Flag) -> RecordBatch {
        let recipe = Recipe {
            v: 1,
            inputs: vec![Input {
                name: "t".into(),
                dataset: "t".into(),
                sha256: String::new(),
            }],
            steps: vec![step(flag)],
            chart: Default::default(),
        };
        let tables = std::collections::BTreeMap::from([("t".to_string(), table())]);
        crate::recipe::run::run(&recipe, &tables, &mut no_progress)
            .unwrap()
            .0
    }

    fn flagged(out: &RecordBatch) -> Vec<usize> {
        let flag = out
            .column_by_name("odd_flag")
            .unwrap()
            .as_any()
            .downcast_ref::<BooleanArray>()
            .unwrap();
        (0..flag.len())
            .filter(|&i| flag.is_valid(i) && flag.value(i))
            .collect()
    }

    #[test]
    fn the_step_scores_flags_and_leaves_out_rows_without_values() {
        let out = run(Flag::Share(0.01));
        let score = out
            .column_by_name("odd")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert!(score.is_null(5), "a row without a value gets no score");
        assert!(out.column_by_name("odd_flag").unwrap().is_null(5));
        // 302 scored rows: 1% is 3.02, so 4 rows; the 3 planted first.
        let top = flagged(&out);
        assert_eq!(top.len(), 4, "{top:?}");
        for planted in [100, 200, 300] {
            assert!(top.contains(&planted), "{top:?}");
        }
        // The same bits on rerun.
        let again = run(Flag::Share(0.01));
        assert_eq!(out, again);
        // A threshold flags the rows at or above it.
        let out = run(Flag::Threshold(0.7));
        let score = out
            .column_by_name("odd")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        let above: Vec<usize> = (0..score.len())
            .filter(|&i| score.is_valid(i) && score.value(i) >= 0.7)
            .collect();
        assert_eq!(flagged(&out), above);
        assert!(above.contains(&100), "{above:?}");
        // A share of 1 flags every scored row.
        assert_eq!(flagged(&run(Flag::Share(1.0))).len(), 302);
    }

    #[test]
    fn hostile_parameters_are_refused_before_any_work() {
        let schema = schema();
        let forest = |trees, sample| Scorer::IsolationForest {
            trees,
            sample,
            seed: 1,
        };
        for (scorer, flag) in [
            (forest(0, 256), Flag::default()),
            (forest(1_000_000_000, 256), Flag::default()),
            (forest(100, 1), Flag::default()),
            (forest(100, usize::MAX), Flag::default()),
            (Scorer::default(), Flag::Share(0.0)),
            (Scorer::default(), Flag::Share(-0.5)),
            (Scorer::default(), Flag::Share(1.5)),
            (Scorer::default(), Flag::Share(f64::NAN)),
            (Scorer::default(), Flag::Threshold(f64::NAN)),
            (Scorer::default(), Flag::Threshold(f64::INFINITY)),
            (Scorer::default(), Flag::Threshold(1.5)),
            (Scorer::default(), Flag::Threshold(-0.1)),
        ] {
            let error = check_anomaly(&schema, &features(), &scorer, &flag, "odd");
            assert!(error.is_err(), "{scorer:?} {flag:?}");
        }
        // Names: the score and the flag must both be new.
        for name in ["a", "", "  "] {
            let error = check_anomaly(
                &schema,
                &features(),
                &Scorer::default(),
                &Flag::default(),
                name,
            );
            assert!(error.is_err(), "{name:?}");
        }
        let mut taken = schema.clone();
        taken.push(("odd_flag".into(), ColumnType::Boolean));
        let error = check_anomaly(
            &taken,
            &features(),
            &Scorer::default(),
            &Flag::default(),
            "odd",
        )
        .unwrap_err();
        assert!(error.to_string().contains("odd_flag"), "{error}");
        // Text features are refused.
        let text = Features {
            columns: vec!["a".into(), "missing".into()],
            ..Features::default()
        };
        assert!(
            check_anomaly(&schema, &text, &Scorer::default(), &Flag::default(), "odd").is_err()
        );
        let out = check_anomaly(
            &schema,
            &features(),
            &Scorer::default(),
            &Flag::default(),
            "odd",
        )
        .unwrap();
        assert_eq!(out.len(), 5);
        assert_eq!(out[4], ("odd_flag".to_string(), ColumnType::Boolean));
    }

    #[test]
    fn a_forest_too_large_for_the_browser_is_refused_before_it_grows() {
        let rows = (MAX_FOREST_WORK / MAX_TREES as u64 + 1) as usize;
        let batch = RecordBatch::try_from_iter([(
            "a",
            Arc::new(Float64Array::from_iter_values((0..rows).map(|i| i as f64))) as ArrayRef,
        )])
        .unwrap();
        let features = Features {
            columns: vec!["a".into()],
            ..Features::default()
        };
        let scorer = Scorer::IsolationForest {
            trees: MAX_TREES,
            sample: 256,
            seed: 1,
        };
        let mut calls = 0;
        let error = anomaly(
            &batch,
            &features,
            &scorer,
            &Flag::default(),
            "odd",
            &mut |_, _| {
                calls += 1;
                std::ops::ControlFlow::Continue(())
            },
        )
        .unwrap_err();
        assert!(
            matches!(error, StepError::Budget(Budget::ForestWork { .. })),
            "{error}"
        );
        assert_eq!(calls, 0, "no tree was grown");
    }

    #[test]
    fn flags_take_the_share_and_keep_ties_in_row_order() {
        let scores = [0.5, 0.9, 0.9, 0.1, 0.9];
        assert_eq!(
            flags(&scores, &Flag::Share(0.4)),
            [false, true, true, false, false]
        );
        assert_eq!(
            flags(&scores, &Flag::Share(0.01)),
            [false, true, false, false, false]
        );
        assert_eq!(flags(&[], &Flag::Share(0.5)), Vec::<bool>::new());
        assert_eq!(
            flags(&scores, &Flag::Threshold(0.5)),
            [true, true, true, false, true]
        );
    }

    #[test]
    fn links_leave_out_the_defaults_and_read_them_back() {
        let json = serde_json::to_string(&step(Flag::default())).unwrap();
        assert_eq!(
            json,
            r#"{"op":"anomaly","features":{"columns":["a","b"]},"name":"odd"}"#
        );
        let back: Step = serde_json::from_str(&json).unwrap();
        assert_eq!(back, step(Flag::default()));
        let full = r#"{"op":"anomaly","features":{"columns":["a"]},"method":{"isolation_forest":{"trees":50,"seed":9}},"flag":{"threshold":0.65},"name":"x"}"#;
        let Step::Anomaly { method, flag, .. } = serde_json::from_str(full).unwrap() else {
            panic!("not an anomaly step");
        };
        assert_eq!(method.forest(), (50, 256, 9));
        assert_eq!(flag, Flag::Threshold(0.65));
        for wrong in [
            r#"{"op":"anomaly","features":{"columns":["a"]},"method":{"autoencoder":{}},"name":"x"}"#,
            r#"{"op":"anomaly","features":{"columns":["a"]},"flag":{"share":"a"},"name":"x"}"#,
            r#"{"op":"anomaly","features":{"columns":["a"]},"method":{"isolation_forest":{"trees":-1}},"name":"x"}"#,
        ] {
            assert!(serde_json::from_str::<Step>(wrong).is_err(), "{wrong}");
        }
    }
}
