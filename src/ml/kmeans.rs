//! k-means: k-means++ starts (Arthur & Vassilvitskii 2007), several
//! restarts keeping the lowest inertia, Lloyd iterations. Seeded: the same
//! data, k and seed give the same labels on every platform.

use serde::{Deserialize, Serialize};

use super::matrix::Matrix;
use super::rng::Rng;
use super::{MlError, Progress, distance2};

/// The parameters of k-means.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    pub k: usize,
    /// Starts from different k-means++ seeds; the best is kept.
    pub restarts: usize,
    pub max_iterations: usize,
    pub seed: u64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 3,
            restarts: 10,
            max_iterations: 300,
            seed: 1,
        }
    }
}

/// The most restarts and iterations a recipe may ask for.
pub const MAX_RESTARTS: usize = 100;
pub const MAX_ITERATIONS: usize = 10_000;

/// A clustering: each row's label, the centres and the inertia (the sum
/// of squared distances of rows to their centres).
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    pub labels: Vec<u32>,
    pub centres: Matrix,
    pub inertia: f64,
    pub iterations: usize,
}

/// Checks `k` against the rows.
pub fn check_k(k: usize, rows: usize) -> Result<(), MlError> {
    if k == 0 {
        return Err(MlError::KZero);
    }
    if k > rows {
        return Err(MlError::KAboveRows { k, rows });
    }
    Ok(())
}

/// Runs k-means on the rows of `x`: its restarts as jobs ([`super::jobs`],
/// which may run them in helper workers), the lowest inertia kept (the
/// first restart of equal inertia).
pub fn kmeans(
    x: &Matrix,
    params: &KMeansParams,
    progress: &mut Progress,
) -> Result<KMeans, MlError> {
    check_k(params.k, x.rows)?;
    let jobs = super::jobs::restart_jobs(params);
    best_restart(super::jobs::run(x, &jobs, progress)?)
}

/// Restart `restart` of k-means: k-means++ from the seed's `restart`-th
/// start, then Lloyd's iterations. Each start draws one number per
/// centre, so restart r's draws begin r × k draws into the seed's
/// sequence: any restart runs alone and gives what it gives among the
/// others.
pub fn restart(
    x: &Matrix,
    params: &KMeansParams,
    restart: usize,
    progress: &mut Progress,
) -> Result<KMeans, MlError> {
    check_k(params.k, x.rows)?;
    let iterations = params.max_iterations.clamp(1, MAX_ITERATIONS);
    let mut rng = Rng::new(params.seed);
    rng.skip((restart as u64).wrapping_mul(params.k as u64));
    let start = plus_plus(x, params.k, &mut rng);
    lloyd(x, start, iterations, progress)
}

/// The restart of lowest inertia (the first of equal ones).
pub fn best_restart(done: Vec<super::jobs::Done>) -> Result<KMeans, MlError> {
    let mut best: Option<KMeans> = None;
    for done in done {
        let super::jobs::Done::Restart(run) = done else {
            return Err(MlError::Table(
                "a k-means restart gave another answer".into(),
            ));
        };
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
    }
    best.ok_or(MlError::NoRestarts)
}

/// k-means++: the first centre a random row, each next one a row drawn
/// with probability proportional to its squared distance to the nearest
/// centre so far. Draws exactly one number of `rng` per centre.
pub fn plus_plus(x: &Matrix, k: usize, rng: &mut Rng) -> Matrix {
    let mut centres = Matrix::zeros(k, x.cols);
    if k == 0 || x.rows == 0 {
        return centres;
    }
    let first = rng.below(x.rows);
    centres.row_mut(0).copy_from_slice(x.row(first));
    let mut nearest: Vec<f64> = (0..x.rows)
        .map(|i| distance2(x.row(i), centres.row(0)))
        .collect();
    for c in 1..k {
        let total: f64 = nearest.iter().sum();
        let pick = if total > 0.0 && total.is_finite() {
            let mut target = rng.next_f64() * total;
            let mut chosen = x.rows - 1;
            for (i, d) in nearest.iter().enumerate() {
                if target < *d {
                    chosen = i;
                    break;
                }
                target -= d;
            }
            chosen
        } else {
            // Every row sits on a centre already: any row.
            rng.below(x.rows)
        };
        centres.row_mut(c).copy_from_slice(x.row(pick));
        for (i, n) in nearest.iter_mut().enumerate() {
            *n = n.min(distance2(x.row(i), centres.row(c)));
        }
    }
    centres
}

/// Lloyd's iterations from `centres` until no label changes (or the
/// iterations run out); an emptied cluster takes the row farthest from
/// its centre.
///
/// Each iteration assigns every row to its nearest centre, but skips the
/// rows that provably keep theirs (Hamerly 2010): a row keeps an upper
/// bound on the distance to its centre and a lower bound on the distance
/// to any other; when the upper bound is below both the lower bound and
/// half the distance from its centre to the nearest other centre, no
/// distance needs computing. The bounds follow the centres' moves. The
/// labels are Lloyd's; on clustered data most rows are skipped after the
/// first iterations. The centres' sums change only by the rows that
/// change centre (compensated, `Sums`), so a skipped row's values are
/// not read at all.
pub fn lloyd(
    x: &Matrix,
    mut centres: Matrix,
    iterations: usize,
    progress: &mut Progress,
) -> Result<KMeans, MlError> {
    let k = centres.rows;
    if k == 0 {
        return Err(MlError::KZero);
    }
    let d = x.cols;
    let mut labels = vec![u32::MAX; x.rows];
    // Hamerly's bounds, in distances (not squared).
    let mut upper = vec![f64::INFINITY; x.rows];
    let mut lower = vec![0.0; x.rows];
    // The centres' last moves, which the bounds have not followed yet: the
    // pass over the rows applies them as it reads each row's bounds.
    let mut moves = Moves::none(k);
    // Each centre's rows' sums, changed only by the rows that change centre:
    // an iteration reads the rows it measures, not every row.
    let mut sums = Sums::new(k, d);
    let mut done = 0;
    for it in 0..iterations {
        if progress(it as u64, iterations as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        let bounds = Bounds {
            labels: &mut labels,
            upper: &mut upper,
            lower: &mut lower,
        };
        let changed = assign(x, &centres, bounds, &moves, &mut sums);
        moves = Moves::none(k);
        done = it + 1;
        if !changed && it > 0 {
            break;
        }
        // New centres: the means of their rows.
        let old = centres.clone();
        let mut emptied = false;
        for c in 0..k {
            if sums.counts[c] == 0 {
                // The farthest row (by its upper bound) starts the emptied
                // cluster again.
                let far = (0..x.rows)
                    .max_by(|&a, &b| upper[a].total_cmp(&upper[b]))
                    .unwrap_or(0);
                centres.row_mut(c).copy_from_slice(x.row(far));
                upper[far] = 0.0;
                emptied = true;
                continue;
            }
            sums.mean(c, centres.row_mut(c));
        }
        if emptied {
            // Start the bounds again: every row is measured next time.
            upper.iter_mut().for_each(|u| *u = f64::INFINITY);
            lower.iter_mut().for_each(|l| *l = 0.0);
            continue;
        }
        moves = Moves::between(&old, &centres);
    }
    // Final assignment to the final centres, and the inertia.
    let half = half_gaps(&centres);
    let mut inertia = 0.0;
    for i in 0..x.rows {
        let row = x.row(i);
        let label = labels[i] as usize;
        if label < k {
            moves.follow(label, &mut upper[i], &mut lower[i]);
            if upper[i] <= half[label].max(lower[i]) {
                inertia += distance2(row, centres.row(label));
                continue;
            }
        }
        let (best, best_d) = nearest(row, &centres);
        labels[i] = best;
        inertia += best_d;
    }
    Ok(KMeans {
        labels,
        centres,
        inertia,
        iterations: done,
    })
}

/// Each row's label and Hamerly's bounds on its distances.
struct Bounds<'a> {
    labels: &'a mut [u32],
    upper: &'a mut [f64],
    lower: &'a mut [f64],
}

/// One Lloyd assignment: each row to its nearest centre, skipping the rows
/// whose bounds show it keeps its centre; the sums follow the rows that
/// move. Whether any row moved.
///
/// A function of its own, called once an iteration, never inlined: a
/// browser runs a WebAssembly function in its quickly compiled form until
/// it is called again after its optimised form is ready, so the hot loop
/// is a call that recurs rather than one long loop inside `lloyd`. (It
/// did not remove the slow first job of a fresh helper worker, whose
/// cause is not known yet; see README's Benchmarks.)
#[inline(never)]
fn assign(x: &Matrix, centres: &Matrix, rows: Bounds, moves: &Moves, sums: &mut Sums) -> bool {
    let k = centres.rows;
    let half = half_gaps(centres);
    let mut changed = false;
    for i in 0..x.rows {
        let row = x.row(i);
        let label = rows.labels[i] as usize;
        if label < k {
            moves.follow(label, &mut rows.upper[i], &mut rows.lower[i]);
            let bound = half[label].max(rows.lower[i]);
            if rows.upper[i] <= bound {
                continue;
            }
            // Tighten the upper bound and look again.
            rows.upper[i] = distance2(row, centres.row(label)).sqrt();
            if rows.upper[i] <= bound {
                continue;
            }
        }
        let (best, best_d, second_d) = two_nearest(row, centres);
        if rows.labels[i] != best {
            if label < k {
                sums.take(label, row);
            }
            sums.put(best as usize, row);
            rows.labels[i] = best;
            changed = true;
        }
        rows.upper[i] = best_d.sqrt();
        rows.lower[i] = second_d.sqrt();
    }
    changed
}

/// Half the distance from each centre to the nearest other one: a row
/// nearer than that to its centre is nearer to it than to any other.
fn half_gaps(centres: &Matrix) -> Vec<f64> {
    let k = centres.rows;
    (0..k)
        .map(|c| {
            let nearest = (0..k)
                .filter(|&o| o != c)
                .map(|o| distance2(centres.row(c), centres.row(o)))
                .fold(f64::INFINITY, f64::min);
            nearest.sqrt() / 2.0
        })
        .collect()
}

/// The sums of each centre's rows, kept as rows join and leave it. Each
/// sum carries the rounding error of its additions (Knuth's two-sum, no
/// branch), so a sum from which rows have left is what adding up the rows
/// that stayed would give, to about its last bit: a large value that
/// leaves takes nothing of the small ones with it.
struct Sums {
    d: usize,
    sum: Vec<f64>,
    carry: Vec<f64>,
    counts: Vec<usize>,
}

impl Sums {
    fn new(k: usize, d: usize) -> Self {
        Sums {
            d,
            sum: vec![0.0; k * d],
            carry: vec![0.0; k * d],
            counts: vec![0; k],
        }
    }

    fn put(&mut self, c: usize, row: &[f64]) {
        self.counts[c] += 1;
        self.add(c, row, 1.0);
    }

    fn take(&mut self, c: usize, row: &[f64]) {
        self.counts[c] -= 1;
        self.add(c, row, -1.0);
    }

    #[inline]
    fn add(&mut self, c: usize, row: &[f64], sign: f64) {
        let at = c * self.d..(c + 1) * self.d;
        for ((s, e), v) in self.sum[at.clone()]
            .iter_mut()
            .zip(&mut self.carry[at])
            .zip(row)
        {
            let v = sign * v;
            let t = *s + v;
            let z = t - *s;
            *e += (*s - (t - z)) + (v - z);
            *s = t;
        }
    }

    /// Centre `c`'s mean (it has rows).
    fn mean(&self, c: usize, out: &mut [f64]) {
        let n = self.counts[c] as f64;
        let at = c * self.d..(c + 1) * self.d;
        for ((m, s), e) in out
            .iter_mut()
            .zip(&self.sum[at.clone()])
            .zip(&self.carry[at])
        {
            *m = (s + e) / n;
        }
    }
}

/// How far each centre moved, and the largest moves: the bounds follow
/// them (the own centre may have come closer by its move, any other by
/// the largest move of the others).
struct Moves {
    each: Vec<f64>,
    top: f64,
    top_centre: usize,
    second: f64,
}

impl Moves {
    /// No move (the bounds are those of the current centres).
    fn none(k: usize) -> Self {
        Moves {
            each: vec![0.0; k],
            top: 0.0,
            top_centre: usize::MAX,
            second: 0.0,
        }
    }

    fn between(old: &Matrix, new: &Matrix) -> Self {
        let each: Vec<f64> = (0..new.rows)
            .map(|c| distance2(old.row(c), new.row(c)).sqrt())
            .collect();
        let (top, top_centre, second) = largest_two(&each);
        Moves {
            each,
            top,
            top_centre,
            second,
        }
    }

    /// The bounds of a row of centre `label`, moved with the centres.
    #[inline]
    fn follow(&self, label: usize, upper: &mut f64, lower: &mut f64) {
        *upper += self.each[label];
        *lower -= if label == self.top_centre {
            self.second
        } else {
            self.top
        };
    }
}

/// The largest value, its index, and the largest of the others.
fn largest_two(values: &[f64]) -> (f64, usize, f64) {
    let (mut top, mut top_i, mut second) = (0.0, usize::MAX, 0.0);
    for (i, &v) in values.iter().enumerate() {
        if v > top {
            second = top;
            top = v;
            top_i = i;
        } else if v > second {
            second = v;
        }
    }
    (top, top_i, second)
}

/// The nearest centre to `row` (the first of equals), its squared
/// distance and the squared distance of the next nearest.
#[inline]
fn two_nearest(row: &[f64], centres: &Matrix) -> (u32, f64, f64) {
    let (mut best, mut best_d, mut second_d) = (0u32, f64::INFINITY, f64::INFINITY);
    for c in 0..centres.rows {
        let dist = distance2(row, centres.row(c));
        if dist < best_d {
            second_d = best_d;
            best_d = dist;
            best = c as u32;
        } else if dist < second_d {
            second_d = dist;
        }
    }
    (best, best_d, second_d)
}

/// The nearest centre to `row` and its squared distance (the first of
/// equals).
#[inline]
pub fn nearest(row: &[f64], centres: &Matrix) -> (u32, f64) {
    let (mut best, mut best_d) = (0u32, f64::INFINITY);
    for c in 0..centres.rows {
        let dist = distance2(row, centres.row(c));
        if dist < best_d {
            best_d = dist;
            best = c as u32;
        }
    }
    (best, best_d)
}
