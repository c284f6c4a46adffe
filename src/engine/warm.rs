//! The compute worker's warm-up: right after it starts, the kernels of
//! large analyses run once on small generated tables, a piece at a time.
//!
//! A browser runs a wasm function as quickly compiled code until the
//! function has done enough work; then it compiles it again, optimised, in
//! the background, and the function's next call runs the optimised code.
//! Without a warm-up a visitor's first large analysis runs on the quick
//! code (a filter of 10 million rows: 85–124 ms, then about 30 ms), and so
//! does each helper worker's first learning job, since the helpers run the
//! compute worker's compiled module and start before any of its learning
//! code has run. The warm-up's results are thrown away; it reads and
//! changes nothing a request sees.

use std::collections::BTreeMap;

use arrow::array::RecordBatch;

use crate::ml::jobs::{Job, run_job};
use crate::ml::kmeans::KMeansParams;
use crate::ml::matrix::Matrix;
use crate::ml::{no_progress, synthetic};
use crate::recipe::run::run;
use crate::recipe::star::{star_recipes, star_tables};

/// Fact rows of the warm-up's star schema: eight parts of the runs that
/// read a table in parts, enough work for each loop to be compiled again.
pub const FACT_ROWS: usize = 131_072;

/// Rows of the warm-up's matrix (4 columns) for a k-means restart and an
/// elbow job: enough for their loops to be compiled again, few enough
/// that the elbow's three k-means and its silhouette stay short.
pub const MATRIX_ROWS: usize = 4_000;

/// The warm-up's pieces, run one per call of [`WarmUp::step`], so that a
/// message that comes meanwhile waits for one piece at most.
#[derive(Default)]
pub struct WarmUp {
    done: usize,
    tables: BTreeMap<String, RecordBatch>,
    matrix: Option<Matrix>,
}

impl WarmUp {
    /// Runs the next piece: `Ok(true)` while pieces are left, `Ok(false)`
    /// when all have run; an error says which piece failed and why (the
    /// worker stops warming up then).
    pub fn step(&mut self) -> Result<bool, String> {
        let recipes = star_recipes("", "");
        let piece = self.done;
        self.done += 1;
        match piece {
            0 => {
                let (fact, dimension) = star_tables(FACT_ROWS)?;
                self.tables.insert("fact".into(), fact);
                self.tables.insert("dimension".into(), dimension);
            }
            n if n <= recipes.len() => {
                let (name, recipe) = &recipes[n - 1];
                run(recipe, &self.tables, &mut no_progress)
                    .map_err(|e| format!("the {name} analysis: {e}"))?;
            }
            n if n == recipes.len() + 1 => {
                self.tables.clear();
                let (x, _) = synthetic::blobs(MATRIX_ROWS, 4, 8, 7);
                let params = KMeansParams {
                    k: 8,
                    restarts: 1,
                    max_iterations: 20,
                    seed: 7,
                };
                let job = Job::Restart { params, restart: 0 };
                run_job(&x, &job, &mut no_progress).map_err(|e| format!("k-means: {e}"))?;
                self.matrix = Some(x);
            }
            n if n == recipes.len() + 2 => {
                let x = self.matrix.take().ok_or("the elbow: no matrix")?;
                let job = Job::Elbow { k: 4, seed: 7 };
                run_job(&x, &job, &mut no_progress).map_err(|e| format!("the elbow: {e}"))?;
            }
            _ => return Ok(false),
        }
        Ok(self.done <= recipes.len() + 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_piece_of_the_warm_up_runs_and_then_it_stops() {
        let mut warm = WarmUp::default();
        let mut pieces = 1;
        while warm.step().expect("a piece of the warm-up") {
            pieces += 1;
        }
        // The tables, four analyses, a k-means restart and an elbow job.
        assert_eq!(pieces, 7);
        assert!(warm.tables.is_empty() && warm.matrix.is_none());
        assert_eq!(warm.step(), Ok(false));
    }
}
