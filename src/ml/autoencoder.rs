//! An autoencoder: a small network d → h → b → h → d (tanh in the hidden
//! layers, the output as it is) trained to give back its input through a
//! narrow middle layer. The middle layer's b values are a projection of
//! each row; how badly a row comes back (its reconstruction error) says
//! how unlike the rest it is.
//!
//! Trained as scikit-learn's `MLPRegressor` trains (so the test command
//! can compare the two): Glorot-uniform start, mini-batches of up to 200
//! rows in a seeded shuffle each epoch, squared error with an L2 penalty
//! of 10⁻⁴, and Adam (β 0.9 and 0.999, ε 10⁻⁸). Seeded with the project's
//! RNG, `libm`'s tanh, and a fixed order of every sum, so the browser and
//! the command line give the same bits.

use std::cell::Cell;

use super::matrix::Matrix;
use super::rng::Rng;
use super::{MlError, Progress};

thread_local! {
    /// The loss after the latest epoch of the training running on this
    /// thread (None when none runs), for progress reports.
    static LOSS: Cell<Option<f64>> = const { Cell::new(None) };
}

/// The loss after the latest finished epoch of the training now running
/// on this thread, read by a progress callback to show it beside the
/// epoch; None outside a training and before its first epoch ends. (The
/// progress callback carries only counts, shared by every method.)
pub fn latest_loss() -> Option<f64> {
    LOSS.get()
}

/// Clears [`LOSS`] however a training ends.
struct Training;

impl Training {
    fn start() -> Training {
        LOSS.set(None);
        Training
    }
}

impl Drop for Training {
    fn drop(&mut self) {
        LOSS.set(None);
    }
}

/// The most epochs, and the most row × epoch × weight steps a training
/// may take (about a minute in the browser).
pub const MAX_EPOCHS: usize = 10_000;
pub const MAX_WORK: u64 = 50_000_000_000;
/// The widest hidden and middle layers.
pub const MAX_HIDDEN: usize = 256;

/// How the network is shaped and trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoencoderParams {
    /// Units of the two outer hidden layers.
    pub hidden: usize,
    /// Units of the middle layer (the projection's dimensions).
    pub bottleneck: usize,
    pub epochs: usize,
    /// Adam's step size (scikit-learn: 0.001).
    pub learning_rate: f64,
    pub seed: u64,
}

impl Default for AutoencoderParams {
    fn default() -> Self {
        Self {
            hidden: 16,
            bottleneck: 2,
            epochs: 200,
            learning_rate: 0.001,
            seed: 1,
        }
    }
}

/// L2 penalty on the weights (scikit-learn's `alpha`).
const ALPHA: f64 = 1e-4;
/// Rows per mini-batch at most (scikit-learn's `batch_size="auto"`).
const BATCH: usize = 200;
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

/// The weights a network of these layer sizes has.
fn weights(sizes: &[usize]) -> u64 {
    sizes
        .windows(2)
        .map(|w| (w[0] as u64 + 1).saturating_mul(w[1] as u64))
        .sum()
}

fn layer_sizes(d: usize, params: &AutoencoderParams) -> [usize; 5] {
    [d, params.hidden, params.bottleneck, params.hidden, d]
}

/// Checks the parameters against the data, before any work.
pub fn check(rows: usize, cols: usize, params: &AutoencoderParams) -> Result<(), MlError> {
    check_params(params)?;
    if rows < 2 {
        return Err(MlError::TooFewRows { rows, least: 2 });
    }
    let work = (rows as u64)
        .saturating_mul(params.epochs as u64)
        .saturating_mul(weights(&layer_sizes(cols, params)));
    if work > MAX_WORK {
        return Err(MlError::TrainingWork {
            work,
            most: MAX_WORK,
        });
    }
    Ok(())
}

/// Checks the parameters alone (a recipe's step, before it has rows).
pub fn check_params(params: &AutoencoderParams) -> Result<(), MlError> {
    if !(1..=MAX_EPOCHS).contains(&params.epochs) {
        return Err(MlError::Epochs { most: MAX_EPOCHS });
    }
    if !(params.learning_rate.is_finite()
        && params.learning_rate > 0.0
        && params.learning_rate <= 1.0)
    {
        return Err(MlError::LearningRate(params.learning_rate));
    }
    if !(1..=MAX_HIDDEN).contains(&params.hidden)
        || !(1..=params.hidden).contains(&params.bottleneck)
    {
        return Err(MlError::Layers { most: MAX_HIDDEN });
    }
    Ok(())
}

/// A trained network's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Each row's middle-layer values (rows × bottleneck).
    pub codes: Matrix,
    /// Each row's reconstruction error: the mean of its squared
    /// differences from what the network gives back.
    pub errors: Vec<f64>,
    /// The training loss after each epoch (half the mean squared error
    /// over the epoch's batches, as scikit-learn's `loss_curve_`, penalty
    /// included).
    pub losses: Vec<f64>,
}

/// One dense layer: `weights` is inputs × outputs, row-major.
#[derive(Debug, Clone)]
struct Layer {
    inputs: usize,
    outputs: usize,
    weights: Vec<f64>,
    bias: Vec<f64>,
}

/// Adam's running moments of one layer.
#[derive(Debug, Clone)]
struct Moments {
    weights: (Vec<f64>, Vec<f64>),
    bias: (Vec<f64>, Vec<f64>),
}

/// Trains an autoencoder on the rows of `x` (finite values; scale them
/// first) and gives each row's code and reconstruction error.
/// `progress` is called once per epoch with (epochs done, epochs), when
/// [`latest_loss`] gives the loss so far; its `Break` stops the training.
pub fn autoencoder(
    x: &Matrix,
    params: &AutoencoderParams,
    progress: &mut Progress,
) -> Result<Fit, MlError> {
    check(x.rows, x.cols, params)?;
    let sizes = layer_sizes(x.cols, params);
    let mut rng = Rng::new(params.seed);
    let mut layers: Vec<Layer> = sizes
        .windows(2)
        .map(|w| {
            let bound = (6.0 / (w[0] + w[1]) as f64).sqrt();
            let mut uniform = || (rng.next_f64() * 2.0 - 1.0) * bound;
            Layer {
                inputs: w[0],
                outputs: w[1],
                weights: (0..w[0] * w[1]).map(|_| uniform()).collect(),
                bias: (0..w[1]).map(|_| uniform()).collect(),
            }
        })
        .collect();
    let mut moments: Vec<Moments> = layers
        .iter()
        .map(|l| Moments {
            weights: (vec![0.0; l.weights.len()], vec![0.0; l.weights.len()]),
            bias: (vec![0.0; l.bias.len()], vec![0.0; l.bias.len()]),
        })
        .collect();
    let batch = BATCH.min(x.rows);
    let mut order: Vec<usize> = (0..x.rows).collect();
    let mut losses = Vec::with_capacity(params.epochs);
    let (mut beta1_t, mut beta2_t) = (1.0, 1.0);
    let mut work = Work::new(&sizes, batch);
    let _training = Training::start();
    for epoch in 0..params.epochs {
        if progress(epoch as u64, params.epochs as u64).is_break() {
            return Err(MlError::Cancelled);
        }
        shuffle(&mut order, &mut rng);
        let mut loss_sum = 0.0;
        for rows in order.chunks(batch) {
            work.load(x, rows);
            work.forward(&layers, rows.len());
            loss_sum += work.backward(&layers, rows.len()) * rows.len() as f64;
            // The penalty: scikit-learn adds α/2 · Σw² / batch rows to each
            // batch's loss, which is then weighed by the batch's rows.
            let squares: f64 = layers
                .iter()
                .map(|l| l.weights.iter().map(|w| w * w).sum::<f64>())
                .sum();
            loss_sum += 0.5 * ALPHA * squares;
            beta1_t *= BETA1;
            beta2_t *= BETA2;
            let step = params.learning_rate * (1.0 - beta2_t).sqrt() / (1.0 - beta1_t);
            for ((layer, m), grads) in layers.iter_mut().zip(&mut moments).zip(&work.grads) {
                adam(&mut layer.weights, &grads.0, &mut m.weights, step);
                adam(&mut layer.bias, &grads.1, &mut m.bias, step);
            }
        }
        losses.push(loss_sum / x.rows as f64);
        LOSS.set(losses.last().copied());
        if !losses.last().is_some_and(|l| l.is_finite()) {
            return Err(MlError::Diverged { epoch: epoch + 1 });
        }
    }
    // Codes and errors of every row, a batch at a time.
    let b = params.bottleneck;
    let mut codes = Matrix::zeros(x.rows, b);
    let mut errors = Vec::with_capacity(x.rows);
    let all: Vec<usize> = (0..x.rows).collect();
    for rows in all.chunks(batch) {
        work.load(x, rows);
        work.forward(&layers, rows.len());
        for (k, &r) in rows.iter().enumerate() {
            codes
                .row_mut(r)
                .copy_from_slice(&work.activations[2][k * b..(k + 1) * b]);
            let out = &work.activations[4][k * x.cols..(k + 1) * x.cols];
            let sum: f64 = out
                .iter()
                .zip(x.row(r))
                .map(|(p, v)| (p - v) * (p - v))
                .sum();
            errors.push(sum / x.cols.max(1) as f64);
        }
    }
    Ok(Fit {
        codes,
        errors,
        losses,
    })
}

/// Fisher–Yates with the project's RNG.
fn shuffle(order: &mut [usize], rng: &mut Rng) {
    for i in (1..order.len()).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
}

/// One Adam step of `values` along `grads`.
fn adam(values: &mut [f64], grads: &[f64], (m, v): &mut (Vec<f64>, Vec<f64>), step: f64) {
    for (((w, g), m), v) in values.iter_mut().zip(grads).zip(m).zip(v) {
        *m = BETA1 * *m + (1.0 - BETA1) * g;
        *v = BETA2 * *v + (1.0 - BETA2) * g * g;
        *w -= step * *m / (v.sqrt() + EPSILON);
    }
}

/// The buffers of one batch: each layer's activations (batch × units,
/// the input first), the deltas and the gradients.
struct Work {
    activations: Vec<Vec<f64>>,
    deltas: Vec<Vec<f64>>,
    grads: Vec<(Vec<f64>, Vec<f64>)>,
}

impl Work {
    fn new(sizes: &[usize], batch: usize) -> Work {
        Work {
            activations: sizes.iter().map(|&s| vec![0.0; s * batch]).collect(),
            deltas: sizes.iter().map(|&s| vec![0.0; s * batch]).collect(),
            grads: sizes
                .windows(2)
                .map(|w| (vec![0.0; w[0] * w[1]], vec![0.0; w[1]]))
                .collect(),
        }
    }

    fn load(&mut self, x: &Matrix, rows: &[usize]) {
        let d = x.cols;
        for (k, &r) in rows.iter().enumerate() {
            self.activations[0][k * d..(k + 1) * d].copy_from_slice(x.row(r));
        }
    }

    /// Each layer's activations of the first `n` rows: tanh in the hidden
    /// layers, the last as it is.
    fn forward(&mut self, layers: &[Layer], n: usize) {
        let last = layers.len() - 1;
        for (l, layer) in layers.iter().enumerate() {
            let (before, after) = self.activations.split_at_mut(l + 1);
            let (input, output) = (&before[l], &mut after[0]);
            for k in 0..n {
                let a = &input[k * layer.inputs..(k + 1) * layer.inputs];
                let z = &mut output[k * layer.outputs..(k + 1) * layer.outputs];
                z.copy_from_slice(&layer.bias);
                for (i, &ai) in a.iter().enumerate() {
                    let w = &layer.weights[i * layer.outputs..(i + 1) * layer.outputs];
                    for (zj, wj) in z.iter_mut().zip(w) {
                        *zj += ai * wj;
                    }
                }
                if l != last {
                    z.iter_mut().for_each(|v| *v = libm::tanh(*v));
                }
            }
        }
    }

    /// The gradients of the first `n` rows' loss (as scikit-learn's
    /// `_backprop`), after [`Work::forward`]; gives the batch's loss
    /// without the penalty.
    fn backward(&mut self, layers: &[Layer], n: usize) -> f64 {
        let last = layers.len();
        let d = layers[last - 1].outputs;
        let mut squares = 0.0;
        {
            let (input, output) = (&self.activations[0], &self.activations[last]);
            let delta = &mut self.deltas[last];
            for i in 0..n * d {
                let diff = output[i] - input[i];
                delta[i] = diff;
                squares += diff * diff;
            }
        }
        let inverse = 1.0 / n as f64;
        for l in (0..layers.len()).rev() {
            let layer = &layers[l];
            let (gw, gb) = &mut self.grads[l];
            // dW = (aᵀ · δ + α W) / n, db = mean of δ.
            gw.iter_mut()
                .zip(&layer.weights)
                .for_each(|(g, w)| *g = ALPHA * w);
            gb.iter_mut().for_each(|g| *g = 0.0);
            let (a, delta) = (&self.activations[l], &self.deltas[l + 1]);
            for k in 0..n {
                let ak = &a[k * layer.inputs..(k + 1) * layer.inputs];
                let dk = &delta[k * layer.outputs..(k + 1) * layer.outputs];
                for (i, &ai) in ak.iter().enumerate() {
                    let g = &mut gw[i * layer.outputs..(i + 1) * layer.outputs];
                    for (gj, dj) in g.iter_mut().zip(dk) {
                        *gj += ai * dj;
                    }
                }
                for (g, dj) in gb.iter_mut().zip(dk) {
                    *g += dj;
                }
            }
            gw.iter_mut().for_each(|g| *g *= inverse);
            gb.iter_mut().for_each(|g| *g *= inverse);
            if l == 0 {
                break;
            }
            // δ of the layer below: (δ · Wᵀ) ⊙ (1 − a²) for tanh.
            let (below, above) = self.deltas.split_at_mut(l + 1);
            let (lower, upper) = (&mut below[l], &above[0]);
            let a = &self.activations[l];
            for k in 0..n {
                let dk = &upper[k * layer.outputs..(k + 1) * layer.outputs];
                for i in 0..layer.inputs {
                    let w = &layer.weights[i * layer.outputs..(i + 1) * layer.outputs];
                    let s: f64 = w.iter().zip(dk).map(|(w, d)| w * d).sum();
                    let ai = a[k * layer.inputs + i];
                    lower[k * layer.inputs + i] = s * (1.0 - ai * ai);
                }
            }
        }
        // Half the mean squared error per value, as scikit-learn's loss.
        squares / (n * d) as f64 / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::no_progress;

    /// Rows on a curve in 4 dimensions with a little noise, and 3 rows
    /// far from it.
    fn curve() -> Matrix {
        let mut rng = Rng::new(11);
        let mut rows = Vec::new();
        for i in 0..400 {
            let t = i as f64 / 400.0 * 2.0 - 1.0;
            rows.push(vec![
                t + 0.02 * rng.normal(),
                t * t + 0.02 * rng.normal(),
                -t + 0.02 * rng.normal(),
                0.5 * t + 0.02 * rng.normal(),
            ]);
        }
        rows.push(vec![1.0, -1.0, 1.0, -1.0]);
        rows.push(vec![-1.0, 1.5, -1.0, 1.0]);
        rows.push(vec![0.0, 1.0, 1.0, 0.0]);
        Matrix::from_rows(&rows).unwrap()
    }

    #[test]
    fn training_lowers_the_loss_and_far_rows_come_back_worst() {
        let x = curve();
        let params = AutoencoderParams {
            epochs: 300,
            learning_rate: 0.01,
            ..AutoencoderParams::default()
        };
        let fit = autoencoder(&x, &params, &mut no_progress).unwrap();
        assert_eq!(fit.losses.len(), 300);
        assert!(
            fit.losses[299] < fit.losses[0] / 5.0,
            "{} → {}",
            fit.losses[0],
            fit.losses[299]
        );
        assert_eq!((fit.codes.rows, fit.codes.cols), (403, 2));
        let mut order: Vec<usize> = (0..x.rows).collect();
        order.sort_by(|a, b| fit.errors[*b].total_cmp(&fit.errors[*a]));
        let mut top = order[..3].to_vec();
        top.sort();
        assert_eq!(top, [400, 401, 402], "{:?}", &fit.errors[398..]);
        // The same bits on rerun.
        let again = autoencoder(&x, &params, &mut no_progress).unwrap();
        assert_eq!(fit, again);
    }

    #[test]
    fn hostile_parameters_are_refused_before_any_work() {
        let x = curve();
        let base = AutoencoderParams::default();
        for params in [
            AutoencoderParams { epochs: 0, ..base },
            AutoencoderParams {
                epochs: 1_000_000_000,
                ..base
            },
            AutoencoderParams {
                learning_rate: f64::NAN,
                ..base
            },
            AutoencoderParams {
                learning_rate: 0.0,
                ..base
            },
            AutoencoderParams {
                learning_rate: f64::INFINITY,
                ..base
            },
            AutoencoderParams { hidden: 0, ..base },
            AutoencoderParams {
                hidden: 100_000,
                ..base
            },
            AutoencoderParams {
                bottleneck: 17,
                ..base
            },
        ] {
            let mut calls = 0;
            let result = autoencoder(&x, &params, &mut |_, _| {
                calls += 1;
                std::ops::ControlFlow::Continue(())
            });
            assert!(result.is_err(), "{params:?}");
            assert_eq!(calls, 0, "{params:?}: no epoch ran");
        }
        // Too much work: a wide table for many epochs.
        assert!(matches!(
            check(
                1_000_000,
                200,
                &AutoencoderParams {
                    epochs: 10_000,
                    ..base
                }
            ),
            Err(MlError::TrainingWork { .. })
        ));
        assert!(check(1, 4, &base).is_err());
    }

    #[test]
    fn stop_ends_the_training() {
        let x = curve();
        let mut epochs = 0;
        let mut seen = Vec::new();
        let result = autoencoder(&x, &AutoencoderParams::default(), &mut |done, _| {
            seen.push(latest_loss());
            epochs = done;
            if done == 5 {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        });
        assert_eq!(result, Err(MlError::Cancelled));
        assert_eq!(epochs, 5);
        // Each report after the first carries the loss so far; none after.
        assert_eq!(seen[0], None);
        assert!(
            seen[1..]
                .iter()
                .all(|l| l.is_some_and(|l| l.is_finite() && l > 0.0))
        );
        assert_ne!(seen[1], seen[5]);
        assert_eq!(latest_loss(), None, "cleared when the training ends");
        let fit = autoencoder(&x, &AutoencoderParams::default(), &mut |done, _| {
            if done == 3 {
                seen[3] = latest_loss();
            }
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(seen[3], Some(fit.losses[2]), "the loss of the epochs done");
        assert_eq!(latest_loss(), None);
    }
}
