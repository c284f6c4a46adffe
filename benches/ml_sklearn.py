"""scikit-learn on the workloads of `cargo bench --bench ml` that it also
has, on this machine, for the README's comparison: the isolation forest's
scores of 100,000 rows × 8 (100 trees of 256 rows, fit and score_samples)
and an autoencoder (MLPRegressor X → X, 16-2-16 tanh, Adam, batches of
200) on 10,000 rows × 16 for 50 epochs, Barnes–Hut t-SNE of 5,000 rows ×
8 (perplexity 30, 750 iterations), and umap-learn's UMAP of 10,000 and
50,000 rows × 8 (15 neighbours, 500 and 200 epochs; its first call, which
compiles umap-learn's kernels, is not timed). Blobs of the same shapes
(not the same numbers: the lab's generator is its own). Prints medians;
asserts nothing.

    python3 benches/ml_sklearn.py          RUNS=N for more runs
"""

import os
import time
import warnings

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.ensemble import IsolationForest
from sklearn.manifold import TSNE
from sklearn.neural_network import MLPRegressor
from umap import UMAP

runs = int(os.environ.get("RUNS", "5"))
wide, _ = make_blobs(n_samples=100_000, n_features=8, centers=8, random_state=5)
sixteen, _ = make_blobs(n_samples=10_000, n_features=16, centers=8, random_state=6)
large_map, _ = make_blobs(n_samples=5_000, n_features=8, centers=8, random_state=4)
ten_k, _ = make_blobs(n_samples=10_000, n_features=8, centers=8, random_state=7)
fifty_k, _ = make_blobs(n_samples=50_000, n_features=8, centers=8, random_state=8)
TREES = "isolation forest, 100,000 × 8, 100 trees of 256 rows"
NET = "autoencoder, 10,000 × 16, 16-2-16 tanh, 50 epochs"
TSNE_BH = "t-SNE (Barnes–Hut), 5,000 rows × 8 into 2 dimensions"
UMAP_10K = "UMAP (umap-learn), 10,000 × 8, 15 neighbours, 500 epochs"
UMAP_50K = "UMAP (umap-learn), 50,000 × 8, 15 neighbours, 200 epochs"
times = {TREES: [], NET: [], TSNE_BH: [], UMAP_10K: [], UMAP_50K: []}
# umap-learn compiles its kernels on first use: once, untimed.
UMAP(n_neighbors=15, n_epochs=10, random_state=1).fit_transform(ten_k[:2_000])
for _ in range(runs):
    t = time.perf_counter()
    IsolationForest(n_estimators=100, max_samples=256, random_state=1).fit(wide).score_samples(wide)
    times[TREES].append(time.perf_counter() - t)
    t = time.perf_counter()
    mlp = MLPRegressor(hidden_layer_sizes=(16, 2, 16), activation="tanh", learning_rate_init=0.01,
                       batch_size=200, max_iter=50, tol=0.0, n_iter_no_change=51, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(sixteen, sixteen)
    times[NET].append(time.perf_counter() - t)
    t = time.perf_counter()
    TSNE(perplexity=30, max_iter=750, method="barnes_hut", init="random", random_state=1).fit_transform(large_map)
    times[TSNE_BH].append(time.perf_counter() - t)
    for name, x, epochs in [(UMAP_10K, ten_k, 500), (UMAP_50K, fifty_k, 200)]:
        t = time.perf_counter()
        UMAP(n_neighbors=15, n_epochs=epochs, random_state=1).fit_transform(x)
        times[name].append(time.perf_counter() - t)
print(f"scikit-learn, {runs} runs (median ms):")
for name, xs in times.items():
    print(f"  {name}: {np.median(xs) * 1000:.1f}")
