//! Learning jobs on more than one core, without shared memory: helper
//! workers, one per core the browser reports (at most [`MOST_HELPERS`]),
//! each given its own copy of the matrix and then one job at a time.
//!
//! The handler runs as before, synchronously, with [`Memo`] as its farm
//! (`ml::jobs`). When a list of jobs is large enough to be worth the
//! helpers, the memo keeps it ([`Memo::take_handed`]) and stops the run
//! with `MlError::Handed`. The compute worker's loop (wasm32, `pool`) has
//! the helpers run the jobs, gives their answers to the memo
//! ([`Memo::answered`]) and handles the same request again: this time the
//! memo answers the jobs at once, and the run goes on. A job's answer is
//! the same wherever it runs, so the result is the same bits as one run
//! here. If the helpers fail, the request runs here.
//!
//! A helper is the compute worker's own module, started under the name
//! [`HELPER`]. Its messages: `{"matrix":{"rows":R,"cols":C}}` with the
//! matrix's values (little-endian `f64`, row after row), answered
//! `"held"`; then `{"job":…}`, answered with the job's answer (a
//! restart's labels and centres as the bulk) or `{"error":"why"}`.

use serde::{Deserialize, Serialize};

use crate::ml::jobs::{Done, Farm, Here, Job, run_job};
use crate::ml::kmeans::{KMeans, MAX_ITERATIONS};
use crate::ml::matrix::Matrix;
use crate::ml::{MlError, Progress, no_progress};

#[cfg(target_arch = "wasm32")]
pub mod pool;

#[cfg(test)]
pub(crate) mod tests;

/// The name a helper worker is started under.
pub const HELPER: &str = "datalabb-helper";
/// The most helpers started, whatever the browser reports.
pub const MOST_HELPERS: usize = 8;
/// The most bytes of matrix copies the helpers hold together.
pub const MOST_COPIED: usize = 1 << 30;
/// Jobs smaller than this together (multiply-adds per Lloyd iteration,
/// [`Job::size`]) run here: starting the helpers costs more than they
/// save.
pub const LEAST_HANDED: u64 = 10_000_000;
/// How often one request may hand jobs on (a recipe with several k-means
/// steps hands each on in turn); after that its jobs run here.
pub const MOST_HANDS: usize = 4;

/// The cores a page's `?cores=N` allows (1 keeps learning in the compute
/// worker alone): a whole number from 1 to 1,024, else none (every core
/// the browser reports).
pub fn allowed_cores(value: &str) -> Option<usize> {
    if value.is_empty() || value.len() > 4 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|n| (1..=1024).contains(n))
}

/// The compute worker's farm: answers jobs the helpers answered, hands
/// large lists on, runs the rest here.
#[derive(Debug)]
pub struct Memo {
    /// Helpers that may be started; fewer than two, none.
    helpers: usize,
    /// The least size of a list handed on ([`LEAST_HANDED`]).
    least: u64,
    /// The list handed on, until the worker takes it.
    handed: Option<Handed>,
    /// The answers the helpers gave during this request, by matrix.
    answers: Vec<(Matrix, Vec<(Job, Done)>)>,
    /// How often this request has handed jobs on.
    hands: usize,
}

/// Jobs for the helpers, on their matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Handed {
    pub x: Matrix,
    pub jobs: Vec<Job>,
}

impl Default for Memo {
    fn default() -> Self {
        Memo {
            helpers: 0,
            least: LEAST_HANDED,
            handed: None,
            answers: Vec::new(),
            hands: 0,
        }
    }
}

impl Memo {
    /// Hands on lists of at least `size` (tests hand on small ones).
    #[cfg(test)]
    pub(crate) fn hand_from(&mut self, size: u64) {
        self.least = size;
    }

    /// Sets how many helpers may be started (the cores the browser
    /// reports, at most [`MOST_HELPERS`]); 0 or 1 runs every job here.
    pub fn set_helpers(&mut self, helpers: usize) {
        self.helpers = helpers.min(MOST_HELPERS);
    }

    /// The jobs handed on by the request just handled, if any.
    pub fn take_handed(&mut self) -> Option<Handed> {
        self.handed.take()
    }

    /// The helpers' answers to `handed`, for the request handled again.
    pub fn answered(&mut self, handed: Handed, done: Vec<Done>) {
        let pairs = handed.jobs.into_iter().zip(done).collect();
        self.answers.push((handed.x, pairs));
    }

    /// This request's jobs all run here.
    pub fn run_here(&mut self) {
        self.hands = MOST_HANDS;
    }

    /// The request is answered: its answers are forgotten.
    pub fn finished(&mut self) {
        self.handed = None;
        self.answers.clear();
        self.hands = 0;
    }

    /// Helpers for `x`: as many as may be started, fewer when their
    /// copies of it would pass [`MOST_COPIED`].
    pub fn helpers_for(&self, x: &Matrix) -> usize {
        let bytes = x.rows.saturating_mul(x.cols).saturating_mul(8).max(1);
        self.helpers.min(MOST_COPIED / bytes)
    }

    fn known(&self, x: &Matrix, jobs: &[Job]) -> Option<Vec<Done>> {
        let (_, pairs) = self.answers.iter().find(|(held, _)| held == x)?;
        jobs.iter()
            .map(|job| {
                pairs
                    .iter()
                    .find(|(asked, _)| asked == job)
                    .map(|(_, done)| done.clone())
            })
            .collect()
    }
}

impl Farm for Memo {
    fn run(
        &mut self,
        x: &Matrix,
        jobs: &[Job],
        progress: &mut Progress,
    ) -> Result<Vec<Done>, MlError> {
        if let Some(done) = self.known(x, jobs) {
            return Ok(done);
        }
        let size = jobs
            .iter()
            .fold(0u64, |sum, job| sum.saturating_add(job.size(x)));
        if jobs.len() >= 2
            && size >= self.least
            && self.helpers_for(x) >= 2
            && self.hands < MOST_HANDS
        {
            self.hands += 1;
            self.handed = Some(Handed {
                x: x.clone(),
                jobs: jobs.to_vec(),
            });
            return Err(MlError::Handed);
        }
        Here.run(x, jobs, progress)
    }
}

/// What the compute worker asks of a helper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ask {
    /// The matrix comes with it, its values row after row.
    Matrix { rows: usize, cols: usize },
    /// Run this job on the matrix.
    Job(Job),
}

/// A helper's answer. Numbers cross as their bits, so that every value
/// (an infinite inertia too) comes back as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// The matrix is held.
    Held,
    /// A restart's iterations and inertia; its labels (`u32`) and then its
    /// centres (`f64`) come as the bulk.
    Restart {
        iterations: usize,
        inertia: u64,
    },
    Elbow {
        inertia: u64,
        silhouette: Option<u64>,
    },
    Error(String),
}

/// A helper's side: holds the matrix it is given and runs jobs on it.
#[derive(Debug, Default)]
pub struct Helper {
    x: Option<Matrix>,
}

impl Helper {
    /// Answers one message: the answer's header and bulk.
    pub fn answer(&mut self, header: &str, bulk: Option<Vec<u8>>) -> (String, Option<Vec<u8>>) {
        let (answer, bulk) = match self.answer_ask(header, bulk) {
            Ok(answered) => answered,
            Err(message) => (Answer::Error(message), None),
        };
        let header = serde_json::to_string(&answer)
            .unwrap_or_else(|_| r#"{"error":"the answer could not be written"}"#.into());
        (header, bulk)
    }

    fn answer_ask(
        &mut self,
        header: &str,
        bulk: Option<Vec<u8>>,
    ) -> Result<(Answer, Option<Vec<u8>>), String> {
        let ask: Ask = serde_json::from_str(header)
            .map_err(|_| "the helper was asked something it does not know".to_string())?;
        match ask {
            Ask::Matrix { rows, cols } => {
                let bytes = bulk.unwrap_or_default();
                let values = rows
                    .checked_mul(cols)
                    .filter(|v| v.checked_mul(8) == Some(bytes.len()));
                if values.is_none() {
                    return Err(format!(
                        "a matrix of {rows} × {cols} values came with {} bytes",
                        bytes.len()
                    ));
                }
                self.x = Some(Matrix {
                    rows,
                    cols,
                    data: f64s(&bytes),
                });
                Ok((Answer::Held, None))
            }
            Ask::Job(job) => {
                let x = self.x.as_ref().ok_or("the helper holds no matrix")?;
                let done = run_job(x, &job, &mut no_progress).map_err(|e| e.to_string())?;
                Ok(encode(&done))
            }
        }
    }
}

/// A job's answer as a helper sends it.
pub fn encode(done: &Done) -> (Answer, Option<Vec<u8>>) {
    match done {
        Done::Restart(fit) => {
            let mut bulk = Vec::with_capacity(fit.labels.len() * 4 + fit.centres.data.len() * 8);
            for label in &fit.labels {
                bulk.extend_from_slice(&label.to_le_bytes());
            }
            for value in &fit.centres.data {
                bulk.extend_from_slice(&value.to_le_bytes());
            }
            (
                Answer::Restart {
                    iterations: fit.iterations,
                    inertia: fit.inertia.to_bits(),
                },
                Some(bulk),
            )
        }
        Done::Elbow {
            inertia,
            silhouette,
        } => (
            Answer::Elbow {
                inertia: inertia.to_bits(),
                silhouette: silhouette.map(f64::to_bits),
            },
            None,
        ),
    }
}

/// A helper's answer to `job` on `x`, checked: labels for every row and
/// below k, k centres of the matrix's width. Anything else is an error,
/// never a value taken on trust.
pub fn decode(x: &Matrix, job: &Job, header: &str, bulk: Option<Vec<u8>>) -> Result<Done, String> {
    let answer: Answer = serde_json::from_str(header)
        .map_err(|_| "a helper answered in a form it should not".to_string())?;
    match (job, answer) {
        (_, Answer::Error(message)) => Err(message),
        (
            Job::Restart { params, .. },
            Answer::Restart {
                iterations,
                inertia,
            },
        ) => {
            let bulk = bulk.unwrap_or_default();
            let k = params.k;
            let labels_bytes = x.rows.saturating_mul(4);
            let centre_values = k.saturating_mul(x.cols);
            if bulk.len() != labels_bytes.saturating_add(centre_values.saturating_mul(8))
                || iterations > MAX_ITERATIONS
            {
                return Err("a helper's k-means answer has the wrong size".into());
            }
            let (labels, centres) = bulk.split_at(labels_bytes);
            let labels: Vec<u32> = labels
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            if labels.iter().any(|&l| l as usize >= k) {
                return Err("a helper's k-means answer has a label past k".into());
            }
            Ok(Done::Restart(KMeans {
                labels,
                centres: Matrix {
                    rows: k,
                    cols: x.cols,
                    data: f64s(centres),
                },
                inertia: f64::from_bits(inertia),
                iterations,
            }))
        }
        (
            Job::Elbow { .. },
            Answer::Elbow {
                inertia,
                silhouette,
            },
        ) => Ok(Done::Elbow {
            inertia: f64::from_bits(inertia),
            silhouette: silhouette.map(f64::from_bits),
        }),
        _ => Err("a helper answered another job".into()),
    }
}

/// A matrix's values as a helper receives them.
pub fn matrix_bytes(x: &Matrix) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(x.data.len() * 8);
    for value in &x.data {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes
}

fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .collect()
}
