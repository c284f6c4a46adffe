//! What the native benchmarks share: medians of runs, and the lines they
//! print.

/// The median of `xs` (not empty).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

/// `label`, the median of `runs`, its ratio to `baseline` and every run.
pub fn report(label: &str, runs: &[f64], baseline: f64) {
    let m = median(runs.to_vec());
    let shown: Vec<String> = runs.iter().map(|r| format!("{r:.0}")).collect();
    println!(
        "{label:<56} median {m:>8.1} ms  {:>6.1}× baseline   runs: {}",
        m / baseline.max(1e-9),
        shown.join(", ")
    );
}
