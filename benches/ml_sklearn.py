"""scikit-learn on the workloads of `cargo bench --bench ml` that it also
has, on this machine, for the README's comparison: the isolation forest's
scores of 100,000 rows × 8 (100 trees of 256 rows, fit and score_samples)
and an autoencoder (MLPRegressor X → X, 16-2-16 tanh, Adam, batches of
200) on 10,000 rows × 16 for 50 epochs. Blobs of the same shapes (not the
same numbers: the lab's generator is its own). Prints medians; asserts
nothing.

    python3 benches/ml_sklearn.py          RUNS=N for more runs
"""

import os
import time
import warnings

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.ensemble import IsolationForest
from sklearn.neural_network import MLPRegressor

runs = int(os.environ.get("RUNS", "5"))
wide, _ = make_blobs(n_samples=100_000, n_features=8, centers=8, random_state=5)
sixteen, _ = make_blobs(n_samples=10_000, n_features=16, centers=8, random_state=6)
times = {"isolation forest, 100,000 × 8, 100 trees of 256 rows": [], "autoencoder, 10,000 × 16, 16-2-16 tanh, 50 epochs": []}
for _ in range(runs):
    t = time.perf_counter()
    IsolationForest(n_estimators=100, max_samples=256, random_state=1).fit(wide).score_samples(wide)
    times["isolation forest, 100,000 × 8, 100 trees of 256 rows"].append(time.perf_counter() - t)
    t = time.perf_counter()
    mlp = MLPRegressor(hidden_layer_sizes=(16, 2, 16), activation="tanh", learning_rate_init=0.01,
                       batch_size=200, max_iter=50, tol=0.0, n_iter_no_change=51, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(sixteen, sixteen)
    times["autoencoder, 10,000 × 16, 16-2-16 tanh, 50 epochs"].append(time.perf_counter() - t)
print(f"scikit-learn, {runs} runs (median ms):")
for name, xs in times.items():
    print(f"  {name}: {np.median(xs) * 1000:.1f}")
