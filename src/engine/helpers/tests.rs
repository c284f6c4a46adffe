//! Helpers: their messages carry every answer exactly, hostile messages
//! and answers are refused, and the memo hands on only what is worth it.

use super::*;
use crate::ml::jobs::restart_jobs;
use crate::ml::kmeans::KMeansParams;
use crate::ml::rng::Rng;

/// What the compute worker's pool does, without workers: each job asked
/// of a helper that was given the matrix, its answer checked. Jobs are
/// dealt to `helpers` helpers in turn.
pub(crate) fn helpers_answer(handed: &Handed, helpers: usize) -> Vec<Done> {
    let mut each: Vec<Helper> = (0..helpers.max(1)).map(|_| Helper::default()).collect();
    let matrix = serde_json::to_string(&Ask::Matrix {
        rows: handed.x.rows,
        cols: handed.x.cols,
    })
    .unwrap();
    for helper in &mut each {
        let (held, _) = helper.answer(&matrix, Some(matrix_bytes(&handed.x)));
        assert_eq!(held, r#""held""#);
    }
    let count = each.len();
    handed
        .jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let ask = serde_json::to_string(&Ask::Job(job.clone())).unwrap();
            let (header, bulk) = each[i % count].answer(&ask, None);
            decode(&handed.x, job, &header, bulk).unwrap()
        })
        .collect()
}

fn random_matrix(rng: &mut Rng, rows: usize, cols: usize) -> Matrix {
    Matrix {
        rows,
        cols,
        data: (0..rows * cols).map(|_| rng.normal() * 3.0).collect(),
    }
}

#[test]
fn a_helper_answers_every_job_with_the_bits_it_gives_here() {
    let mut rng = Rng::new(3);
    for case in 0..6 {
        let (rows, cols) = (30 + rng.below(200), 1 + rng.below(4));
        let x = random_matrix(&mut rng, rows, cols);
        let params = KMeansParams {
            k: 1 + rng.below(6),
            restarts: 1 + rng.below(5),
            max_iterations: 300,
            seed: rng.next_u64(),
        };
        let mut jobs = restart_jobs(&params);
        jobs.extend((1..=4).map(|k| Job::Elbow { k, seed: case }));
        let handed = Handed { x, jobs };
        let here = Here.run(&handed.x, &handed.jobs, &mut no_progress).unwrap();
        for helpers in [1, 2, 3] {
            assert_eq!(helpers_answer(&handed, helpers), here, "case {case}");
        }
    }
}

#[test]
fn numbers_that_json_cannot_hold_cross_as_they_are() {
    let x = Matrix {
        rows: 2,
        cols: 1,
        data: vec![0.0, 1.0],
    };
    let restart = Job::Restart {
        params: KMeansParams {
            k: 2,
            ..KMeansParams::default()
        },
        restart: 0,
    };
    let fit = Done::Restart(KMeans {
        labels: vec![1, 0],
        centres: Matrix {
            rows: 2,
            cols: 1,
            data: vec![f64::NEG_INFINITY, -0.0],
        },
        inertia: f64::INFINITY,
        iterations: 3,
    });
    let elbow = Done::Elbow {
        inertia: f64::MAX,
        silhouette: None,
    };
    for (job, done) in [(restart, fit), (Job::Elbow { k: 1, seed: 1 }, elbow)] {
        let (answer, bulk) = encode(&done);
        let header = serde_json::to_string(&answer).unwrap();
        let back = decode(&x, &job, &header, bulk).unwrap();
        // Compared by bits: −0.0 stays −0.0.
        assert_eq!(format!("{back:?}"), format!("{done:?}"));
    }
}

#[test]
fn hostile_answers_are_refused_never_taken() {
    let x = Matrix {
        rows: 3,
        cols: 2,
        data: vec![0.0, 0.0, 1.0, 1.0, 5.0, 5.0],
    };
    let params = KMeansParams {
        k: 2,
        ..KMeansParams::default()
    };
    let job = Job::Restart { params, restart: 0 };
    let good = Here
        .run(&x, std::slice::from_ref(&job), &mut no_progress)
        .unwrap();
    let (answer, bulk) = encode(&good[0]);
    let header = serde_json::to_string(&answer).unwrap();
    let bulk = bulk.unwrap();
    assert_eq!(
        decode(&x, &job, &header, Some(bulk.clone())),
        Ok(good[0].clone())
    );
    // A label past k.
    let mut past = bulk.clone();
    past[0..4].copy_from_slice(&2u32.to_le_bytes());
    assert!(
        decode(&x, &job, &header, Some(past))
            .unwrap_err()
            .contains("past k")
    );
    // Short, long and missing bulk.
    for wrong in [
        Some(bulk[..bulk.len() - 1].to_vec()),
        Some([bulk.clone(), vec![0]].concat()),
        None,
    ] {
        assert!(
            decode(&x, &job, &header, wrong)
                .unwrap_err()
                .contains("wrong size")
        );
    }
    // Iterations past the most, another job's answer, garbage, an error.
    let many = r#"{"restart":{"iterations":99999999,"inertia":0}}"#;
    assert!(decode(&x, &job, many, Some(bulk.clone())).is_err());
    let elbow = r#"{"elbow":{"inertia":0,"silhouette":null}}"#;
    assert_eq!(
        decode(&x, &job, elbow, None),
        Err("a helper answered another job".into())
    );
    assert!(decode(&x, &Job::Elbow { k: 2, seed: 1 }, &header, Some(bulk)).is_err());
    for garbage in ["", "null", "{", r#"{"restart":{}}"#, r#""held""#] {
        assert!(decode(&x, &job, garbage, None).is_err(), "{garbage}");
    }
    assert_eq!(
        decode(&x, &job, r#"{"error":"out of memory"}"#, None),
        Err("out of memory".into())
    );
}

#[test]
fn a_helper_refuses_hostile_messages_and_keeps_answering() {
    let mut helper = Helper::default();
    let ask = |helper: &mut Helper, header: &str, bulk: Option<Vec<u8>>| {
        let (answer, _) = helper.answer(header, bulk);
        serde_json::from_str::<Answer>(&answer).unwrap()
    };
    let job = serde_json::to_string(&Ask::Job(Job::Elbow { k: 2, seed: 1 })).unwrap();
    assert_eq!(
        ask(&mut helper, &job, None),
        Answer::Error("the helper holds no matrix".into())
    );
    for (header, bulk) in [
        ("garbage", None),
        (r#"{"matrix":{"rows":2,"cols":2}}"#, Some(vec![0; 31])),
        (r#"{"matrix":{"rows":2,"cols":2}}"#, None),
        (
            r#"{"matrix":{"rows":18446744073709551615,"cols":2}}"#,
            Some(vec![0; 16]),
        ),
        (r#"{"job":{"elbow":{"k":2,"seed":1,"more":1}}}"#, None),
    ] {
        assert!(
            matches!(ask(&mut helper, header, bulk), Answer::Error(_)),
            "{header}"
        );
    }
    let matrix = r#"{"matrix":{"rows":2,"cols":1}}"#;
    let bytes = [1.0f64.to_le_bytes(), 2.0f64.to_le_bytes()].concat();
    assert_eq!(ask(&mut helper, matrix, Some(bytes)), Answer::Held);
    // k above the rows: the method's own message.
    let too_many = serde_json::to_string(&Ask::Job(Job::Restart {
        params: KMeansParams {
            k: 3,
            ..KMeansParams::default()
        },
        restart: 0,
    }))
    .unwrap();
    assert!(matches!(ask(&mut helper, &too_many, None), Answer::Error(m) if m.contains("k = 3")));
    assert!(matches!(
        ask(&mut helper, &job, None),
        Answer::Elbow {
            silhouette: None,
            ..
        }
    ));
}

#[test]
fn the_memo_hands_on_only_large_lists_with_helpers_to_take_them() {
    let x = Matrix {
        rows: 1_000,
        cols: 5,
        data: (0..5_000).map(|i| f64::from(i % 97)).collect(),
    };
    let params = KMeansParams {
        k: 10,
        restarts: 4,
        max_iterations: 5,
        seed: 2,
    };
    // Four restarts of 1,000 × 5 × 10: 200,000 in all.
    let jobs = restart_jobs(&params);
    let here = Here.run(&x, &jobs, &mut no_progress).unwrap();
    let mut memo = Memo::default();
    memo.hand_from(200_000);
    // Without helpers, or one, the jobs run here.
    for helpers in [0, 1] {
        memo.set_helpers(helpers);
        assert_eq!(memo.run(&x, &jobs, &mut no_progress), Ok(here.clone()));
        assert_eq!(memo.take_handed(), None);
    }
    memo.set_helpers(64);
    assert_eq!(memo.helpers_for(&x), MOST_HELPERS);
    // One job, or a list below the least, runs here.
    assert_eq!(
        memo.run(&x, &jobs[..1], &mut no_progress),
        Ok(here[..1].to_vec())
    );
    assert_eq!(
        memo.run(&x, &jobs[..3], &mut no_progress),
        Ok(here[..3].to_vec())
    );
    assert_eq!(memo.take_handed(), None);
    // The whole list is handed on, then answered from what the helpers
    // gave, also in part.
    assert_eq!(memo.run(&x, &jobs, &mut no_progress), Err(MlError::Handed));
    let handed = memo.take_handed().unwrap();
    assert_eq!(handed.jobs, jobs);
    let done = helpers_answer(&handed, 2);
    memo.answered(handed, done);
    assert_eq!(memo.run(&x, &jobs, &mut no_progress), Ok(here.clone()));
    assert_eq!(
        memo.run(&x, &jobs[2..], &mut no_progress),
        Ok(here[2..].to_vec())
    );
    // Another matrix is not answered from them.
    let mut other = x.clone();
    other.data[0] = 0.5;
    assert_eq!(
        memo.run(&other, &jobs, &mut no_progress),
        Err(MlError::Handed)
    );
    memo.take_handed();
    // A request hands on at most MOST_HANDS times (it handed twice).
    for _ in 2..MOST_HANDS {
        assert_eq!(
            memo.run(&other, &jobs, &mut no_progress),
            Err(MlError::Handed)
        );
    }
    assert!(memo.run(&other, &jobs, &mut no_progress).is_ok());
    // Finished: the answers are forgotten and it may hand on again.
    memo.finished();
    assert_eq!(memo.run(&x, &jobs, &mut no_progress), Err(MlError::Handed));
    memo.finished();
    memo.run_here();
    assert_eq!(memo.run(&x, &jobs, &mut no_progress), Ok(here));
    // Copies of a large matrix are capped (only its size is read).
    let big = Matrix {
        rows: MOST_COPIED / 8 / 4,
        cols: 1,
        data: Vec::new(),
    };
    assert_eq!(memo.helpers_for(&big), 4);
}

#[test]
fn a_pages_cores_are_a_small_whole_number_or_none() {
    for (value, cores) in [
        ("1", Some(1)),
        ("2", Some(2)),
        ("0016", Some(16)),
        ("1024", Some(1024)),
        ("0", None),
        ("1025", None),
        ("", None),
        ("-1", None),
        ("+2", None),
        ("2.0", None),
        ("1e3", None),
        ("99999999999999999999", None),
        (" 2", None),
        ("two", None),
    ] {
        assert_eq!(allowed_cores(value), cores, "{value:?}");
    }
}
