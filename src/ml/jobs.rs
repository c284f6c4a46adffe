//! Work that splits: a method lists independent jobs on one matrix, and a
//! [`Farm`] runs them and hands back their answers in the jobs' order.
//! Here, natively and by default, they run one after the other
//! ([`Here`]); the compute worker installs a farm of its own that runs
//! large lists in helper workers, one per core (`engine::helpers`). A
//! job's answer does not depend on where it ran, so a method gives the
//! same bits either way.
//!
//! The jobs: one k-means restart (a k-means++ start and Lloyd's
//! iterations from it), and one k of the elbow (k-means with its
//! restarts, then the silhouette).

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::insight::{RESTARTS, SAMPLE};
use super::kmeans::{KMeans, KMeansParams, best_restart, restart};
use super::matrix::Matrix;
use super::silhouette::silhouette;
use super::{MlError, Progress, no_progress};

/// One piece of work on a matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Job {
    /// Restart `restart` of k-means with these parameters.
    Restart {
        params: KMeansParams,
        restart: usize,
    },
    /// k-means with `k` clusters ([`RESTARTS`] restarts), its inertia and
    /// silhouette, for the elbow.
    Elbow { k: usize, seed: u64 },
}

/// A job's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Done {
    Restart(KMeans),
    Elbow {
        inertia: f64,
        /// Defined for 2 ≤ k < rows only.
        silhouette: Option<f64>,
    },
}

impl Job {
    /// About how many multiply-adds the job takes per Lloyd iteration:
    /// enough to tell a job worth a helper from one that is not.
    pub fn size(&self, x: &Matrix) -> u64 {
        let (k, restarts) = match self {
            Job::Restart { params, .. } => (params.k, 1),
            Job::Elbow { k, .. } => (*k, RESTARTS),
        };
        (x.rows as u64)
            .saturating_mul(x.cols as u64)
            .saturating_mul(k as u64)
            .saturating_mul(restarts as u64)
    }
}

/// Runs `job` on `x`, here. `progress` hears (done, total) of the job.
pub fn run_job(x: &Matrix, job: &Job, progress: &mut Progress) -> Result<Done, MlError> {
    match job {
        Job::Restart { params, restart: r } => restart(x, params, *r, progress).map(Done::Restart),
        Job::Elbow { k, seed } => {
            if progress(0, 1).is_break() {
                return Err(MlError::Cancelled);
            }
            let params = KMeansParams {
                k: *k,
                restarts: RESTARTS,
                max_iterations: 300,
                seed: *seed,
            };
            let jobs = restart_jobs(&params);
            let fit = best_restart(Here.run(x, &jobs, &mut no_progress)?)?;
            let labels: Vec<i32> = fit.labels.iter().map(|&l| l as i32).collect();
            Ok(Done::Elbow {
                inertia: fit.inertia,
                silhouette: silhouette(x, &labels, SAMPLE, *seed).ok(),
            })
        }
    }
}

/// The restarts of k-means as jobs.
pub fn restart_jobs(params: &KMeansParams) -> Vec<Job> {
    let restarts = params.restarts.clamp(1, super::kmeans::MAX_RESTARTS);
    (0..restarts)
        .map(|restart| Job::Restart {
            params: *params,
            restart,
        })
        .collect()
}

/// Runs jobs on a matrix and gives their answers in the jobs' order.
pub trait Farm {
    /// The answers to `jobs` on `x`; `progress` hears (done, total) over
    /// all of them.
    fn run(
        &mut self,
        x: &Matrix,
        jobs: &[Job],
        progress: &mut Progress,
    ) -> Result<Vec<Done>, MlError>;
}

/// Each job here, one after the other.
pub struct Here;

impl Farm for Here {
    fn run(
        &mut self,
        x: &Matrix,
        jobs: &[Job],
        progress: &mut Progress,
    ) -> Result<Vec<Done>, MlError> {
        let n = jobs.len() as u64;
        jobs.iter()
            .enumerate()
            .map(|(i, job)| {
                let i = i as u64;
                run_job(x, job, &mut |done, total| {
                    progress(
                        i.saturating_mul(total).saturating_add(done),
                        n.saturating_mul(total),
                    )
                })
            })
            .collect()
    }
}

thread_local! {
    /// The farm [`run`] hands jobs to, while [`with_farm`] lasts.
    static FARM: RefCell<Option<Rc<RefCell<dyn Farm>>>> = const { RefCell::new(None) };
}

/// Runs `body` with `farm` taking the jobs that [`run`] is given.
pub fn with_farm<R>(farm: Rc<RefCell<dyn Farm>>, body: impl FnOnce() -> R) -> R {
    /// Puts the farm before back, also when `body` unwinds.
    struct Restore(Option<Rc<RefCell<dyn Farm>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            FARM.with(|f| *f.borrow_mut() = before);
        }
    }
    let _restore = Restore(FARM.with(|f| f.borrow_mut().replace(farm)));
    body()
}

/// The answers to `jobs` on `x`: from the farm [`with_farm`] installed,
/// else [`Here`].
pub fn run(x: &Matrix, jobs: &[Job], progress: &mut Progress) -> Result<Vec<Done>, MlError> {
    let farm = FARM.with(|f| f.borrow().clone());
    match farm {
        Some(farm) => match farm.try_borrow_mut() {
            Ok(mut farm) => farm.run(x, jobs, progress),
            // A farm whose job asks for jobs: those run here.
            Err(_) => Here.run(x, jobs, progress),
        },
        None => Here.run(x, jobs, progress),
    }
}
