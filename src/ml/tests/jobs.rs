//! Work that splits: each job alone gives what it gives among the others,
//! and a farm that runs the jobs in any order and any split gives the
//! same bits as running them here.

use std::cell::RefCell;
use std::rc::Rc;

use crate::ml::insight::choose_k;
use crate::ml::jobs::{Done, Farm, Here, Job, run_job, with_farm};
use crate::ml::kmeans::{KMeans, KMeansParams, kmeans, lloyd, plus_plus, restart};
use crate::ml::matrix::Matrix;
use crate::ml::rng::Rng;
use crate::ml::*;

use super::{blobs, centres};

/// k-means as it ran before its restarts were jobs: one generator for all
/// the starts, in turn. Every restart's run, in order.
fn restarts_in_turn(x: &Matrix, params: &KMeansParams) -> Vec<KMeans> {
    let mut rng = Rng::new(params.seed);
    (0..params.restarts)
        .map(|_| {
            let start = plus_plus(x, params.k, &mut rng);
            lloyd(x, start, params.max_iterations, &mut no_progress).unwrap()
        })
        .collect()
}

#[test]
fn a_skip_moves_the_generator_as_its_draws_would() {
    for draws in [0u64, 1, 2, 7, 1_000] {
        let mut drawn = Rng::new(99);
        for _ in 0..draws {
            drawn.next_u64();
        }
        let mut skipped = Rng::new(99);
        skipped.skip(draws);
        assert_eq!(drawn, skipped, "{draws} draws");
    }
}

#[test]
fn each_restart_alone_is_the_restart_it_was_in_turn() {
    let mut rng = Rng::new(5);
    for case in 0..12 {
        let rows = 20 + rng.below(300);
        let cols = 1 + rng.below(5);
        let x = Matrix {
            rows,
            cols,
            // Few distinct values: ties and emptied clusters happen.
            data: (0..rows * cols).map(|_| rng.below(6) as f64).collect(),
        };
        let params = KMeansParams {
            k: 1 + rng.below(8),
            restarts: 1 + rng.below(6),
            max_iterations: 1 + rng.below(40),
            seed: rng.next_u64(),
        };
        let in_turn = restarts_in_turn(&x, &params);
        for (r, expected) in in_turn.iter().enumerate() {
            let alone = restart(&x, &params, r, &mut no_progress).unwrap();
            assert_eq!(&alone, expected, "case {case}, restart {r}");
        }
        // The best of them, the first of equal inertia.
        let best = in_turn
            .iter()
            .fold(None::<&KMeans>, |b, run| match b {
                Some(b) if b.inertia <= run.inertia => Some(b),
                _ => Some(run),
            })
            .unwrap();
        assert_eq!(&kmeans(&x, &params, &mut no_progress).unwrap(), best);
    }
}

/// Runs the jobs in another order, in groups of `split`, as helpers
/// would: the answers put back in the jobs' order. Counts the jobs.
struct Shuffled {
    split: usize,
    jobs: usize,
}

impl Farm for Shuffled {
    fn run(&mut self, x: &Matrix, jobs: &[Job], _: &mut Progress) -> Result<Vec<Done>, MlError> {
        self.jobs += jobs.len();
        let mut answers: Vec<Option<Done>> = vec![None; jobs.len()];
        let order: Vec<usize> = (0..jobs.len()).rev().collect();
        for group in order.chunks(self.split.max(1)) {
            for &i in group {
                answers[i] = Some(run_job(x, &jobs[i], &mut no_progress)?);
            }
        }
        Ok(answers.into_iter().map(Option::unwrap).collect())
    }
}

#[test]
fn a_farm_that_splits_and_reorders_the_jobs_gives_the_same_bits() {
    let (x, _) = blobs(&centres(), 120, 1.5, 3);
    let params = KMeansParams {
        k: 4,
        restarts: 7,
        max_iterations: 50,
        seed: 8,
    };
    let here = kmeans(&x, &params, &mut no_progress).unwrap();
    let elbow_here = choose_k(&x, 1, 6, 8, &mut no_progress).unwrap();
    for split in [1, 2, 3, 7] {
        let farm = Rc::new(RefCell::new(Shuffled { split, jobs: 0 }));
        let (fit, elbow) = with_farm(farm.clone(), || {
            (
                kmeans(&x, &params, &mut no_progress).unwrap(),
                choose_k(&x, 1, 6, 8, &mut no_progress).unwrap(),
            )
        });
        assert_eq!(fit, here, "split {split}");
        assert_eq!(elbow.table, elbow_here.table, "split {split}");
        assert_eq!(elbow.mark, elbow_here.mark);
        // Seven restarts and six ks went to the farm, not here.
        assert_eq!(farm.borrow().jobs, 13);
    }
    // The farm is gone after: the jobs run here again.
    assert_eq!(kmeans(&x, &params, &mut no_progress).unwrap(), here);
}

#[test]
fn jobs_report_progress_over_all_of_them_and_stop_when_told() {
    let (x, _) = blobs(&centres(), 50, 1.0, 1);
    let params = KMeansParams {
        k: 3,
        restarts: 4,
        max_iterations: 10,
        seed: 1,
    };
    let jobs = crate::ml::jobs::restart_jobs(&params);
    let mut heard = Vec::new();
    Here.run(&x, &jobs, &mut |done, total| {
        heard.push((done, total));
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    assert!(heard.iter().all(|&(d, t)| d < t && t == 40), "{heard:?}");
    assert!(heard.windows(2).all(|w| w[0].0 < w[1].0), "{heard:?}");
    let stopped = Here.run(&x, &jobs, &mut |done, _| {
        if done >= 15 {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    assert_eq!(stopped, Err(MlError::Cancelled));
}
