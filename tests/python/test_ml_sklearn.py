"""The lab's learning methods agree with scikit-learn, SciPy and umap-learn on the
same data: k-means inertia within 1 % of scikit-learn's best, DBSCAN's core
rows, noise and clusters, PCA's components up to sign, the Gaussian
mixture's and agglomerative clustering's groups, and the silhouette.

DATALABB_CLI is the command-line tool; `datalabb ml FILE --method …` runs
one method on an Arrow file's columns, unscaled, and prints JSON.
"""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from scipy.cluster.hierarchy import linkage as scipy_linkage
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs, make_moons
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture

CLI = os.environ.get("DATALABB_CLI", "target/debug/datalabb")


def flags(params: dict) -> list:
    """Command-line flags for `params`: `--name value`, or `--name` alone
    for True."""
    args = []
    for name, value in params.items():
        flag = f"--{name.replace('_', '-')}"
        args += [flag] if value is True else [flag, str(value)]
    return args


def lab(tmp_path: Path, x: np.ndarray, method: str, **params) -> dict:
    """Writes `x` as an Arrow file and runs `method` of the lab on it."""
    path = tmp_path / f"{method}.arrow"
    table = pa.table({f"x{j}": pa.array(x[:, j], pa.float64()) for j in range(x.shape[1])})
    with ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    args = [CLI, "ml", str(path), "--method", method, *flags(params)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def refused(tmp_path: Path, method: str, params: dict) -> str:
    """Runs `method` with `params` on a 3-row file; it must fail (exit 1),
    and its message is given."""
    path = tmp_path / "x.arrow"
    table = pa.table({"a": pa.array([1.0, 2.0, 3.0]), "b": pa.array([3.0, 1.0, 2.0])})
    with ipc.new_file(path, table.schema) as writer:
        writer.write_table(table)
    args = [CLI, "ml", str(path), "--method", method, *flags(params)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1, done.stderr
    return done.stderr


def same_partition(a, b) -> bool:
    """Two labellings group the rows alike, whatever the label numbers."""
    forward, backward = {}, {}
    for p, q in zip(a, b):
        if forward.setdefault(p, q) != q or backward.setdefault(q, p) != p:
            return False
    return True


BLOBS, BLOB_TRUTH = make_blobs(n_samples=3000, centers=5, n_features=4, cluster_std=1.5, random_state=0)
UNIFORM = np.random.default_rng(1).uniform(-1, 1, size=(2000, 3))


@pytest.mark.parametrize("data,k", [("blobs", 5), ("blobs", 8), ("uniform", 4), ("uniform", 7)])
def test_kmeans_inertia_within_one_percent_of_scikit_learns_best(tmp_path, data, k):
    x = BLOBS if data == "blobs" else UNIFORM
    ours = lab(tmp_path, x, "kmeans", k=k, seed=3)
    theirs = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x)
    assert ours["inertia"] <= theirs.inertia_ * 1.01, (ours["inertia"], theirs.inertia_)
    # Our inertia is the sum of squared distances to our centres.
    centres = np.array(ours["centres"])
    labels = np.array(ours["labels"])
    assert np.isclose(((x - centres[labels]) ** 2).sum(), ours["inertia"], rtol=1e-9)
    if data == "blobs" and k == 5:
        assert adjusted_rand_score(BLOB_TRUTH, labels) > 0.99


@pytest.mark.parametrize("eps,min_points", [(0.2, 5), (0.15, 4), (0.3, 10)])
def test_dbscan_same_core_rows_noise_and_clusters(tmp_path, eps, min_points):
    moons, _ = make_moons(n_samples=1500, noise=0.08, random_state=2)
    scatter = np.random.default_rng(3).uniform(-1.5, 2.5, size=(60, 2))
    x = np.vstack([moons, scatter])
    ours = lab(tmp_path, x, "dbscan", eps=eps, min_points=min_points)
    theirs = DBSCAN(eps=eps, min_samples=min_points).fit(x)
    core = np.zeros(len(x), bool)
    core[theirs.core_sample_indices_] = True
    assert np.array_equal(np.array(ours["core"]), core)
    labels = np.array(ours["labels"])
    assert np.array_equal(labels == -1, theirs.labels_ == -1), "the same noise"
    assert same_partition(labels[core], theirs.labels_[core]), "core rows grouped alike"
    assert ours["clusters"] == len(set(theirs.labels_) - {-1})
    # A border row may join any cluster with a core row within eps (both
    # tools take the first they reach); it must be one of those.
    for i in np.where(~core & (labels != -1))[0]:
        near = core & (np.linalg.norm(x - x[i], axis=1) <= eps)
        assert labels[i] in set(labels[near])


def test_pca_components_equal_up_to_sign(tmp_path):
    rng = np.random.default_rng(4)
    mixing = rng.normal(size=(5, 5))
    x = rng.normal(size=(1000, 5)) * [5.0, 3.0, 2.0, 1.0, 0.5] @ mixing
    ours = lab(tmp_path, x, "pca", components=3)
    theirs = PCA(n_components=3).fit(x)
    for mine, other in zip(np.array(ours["components"]), theirs.components_):
        assert abs(abs(mine @ other) - 1) < 1e-9
    assert np.allclose(ours["explained"][:3], theirs.explained_variance_ratio_, rtol=1e-9)
    assert np.allclose(ours["variances"][:3], theirs.explained_variance_, rtol=1e-9)


def test_gaussian_mixture_agrees_with_scikit_learn(tmp_path):
    rng = np.random.default_rng(5)
    parts = [
        rng.multivariate_normal([0, 0], [[4, 1.5], [1.5, 1]], 400),
        rng.multivariate_normal([8, 3], [[1, -0.6], [-0.6, 1]], 300),
        rng.multivariate_normal([2, 9], [[0.5, 0], [0, 3]], 300),
    ]
    x = np.vstack(parts)
    ours = lab(tmp_path, x, "gmm", k=3, seed=1)
    theirs = GaussianMixture(n_components=3, covariance_type="full", random_state=0).fit(x)
    assert adjusted_rand_score(theirs.predict(x), ours["labels"]) > 0.99
    # The mean log-likelihood per row at the fit.
    assert abs(ours["log_likelihood"] - theirs.score(x)) < 1e-3 * abs(theirs.score(x))
    p = np.array(ours["probability"])
    assert np.allclose(p, theirs.predict_proba(x).max(axis=1), atol=1e-2)


@pytest.mark.parametrize("linkage", ["ward", "average", "complete"])
def test_agglomerative_same_tree_as_scipy_and_scikit_learn(tmp_path, linkage):
    x = np.random.default_rng(6).normal(size=(400, 3))
    ours = lab(tmp_path, x, "agglomerative", k=6, linkage=linkage)
    theirs = AgglomerativeClustering(n_clusters=6, linkage=linkage).fit(x)
    assert same_partition(ours["labels"], theirs.labels_)
    heights = np.sort(scipy_linkage(x, method=linkage)[:, 2])
    assert np.allclose(ours["heights"], heights, rtol=1e-9, atol=1e-12)


def test_silhouette_equals_scikit_learns(tmp_path):
    ours = lab(tmp_path, BLOBS[:1500], "silhouette", k=4)
    theirs = silhouette_score(BLOBS[:1500], ours["labels"])
    assert abs(ours["silhouette"] - theirs) < 1e-9


def test_the_tool_refuses_bad_parameters(tmp_path):
    x = BLOBS[:20]
    for method, params in [("kmeans", {"k": 0}), ("kmeans", {"k": 21}), ("dbscan", {"eps": 0}), ("agglomerative", {"linkage": "single"}), ("nope", {})]:
        with pytest.raises(subprocess.CalledProcessError) as failed:
            lab(tmp_path, x, method, **params)
        assert failed.value.stderr.strip(), "a message"


def test_isolation_forest_ranks_rows_as_scikit_learn_does(tmp_path):
    """Seeded blobs with planted outliers: the lab's anomaly scores rank the
    rows as scikit-learn's IsolationForest does (Spearman's rank correlation
    of at least 0.9), and the planted outliers top both lists."""
    from scipy.stats import spearmanr
    from sklearn.ensemble import IsolationForest

    rng = np.random.default_rng(7)
    x, _ = make_blobs(n_samples=2000, centers=3, n_features=4, cluster_std=1.0, random_state=3)
    planted = rng.uniform(-25, 25, size=(12, 4))
    x = np.vstack([x, planted])
    outliers = set(range(2000, 2012))
    ours = np.array(lab(tmp_path, x, "iforest", trees=200, sample=256, seed=11)["scores"])
    theirs = -IsolationForest(n_estimators=200, max_samples=256, random_state=11).fit(x).score_samples(x)
    rho = spearmanr(ours, theirs).statistic
    assert rho >= 0.9, rho
    top = lambda s: set(np.argsort(-s)[: len(outliers)])
    assert top(ours) == outliers, sorted(top(ours))
    assert top(theirs) == outliers
    # Rerun: the same bits.
    again = np.array(lab(tmp_path, x, "iforest", trees=200, sample=256, seed=11)["scores"])
    assert np.array_equal(ours, again)
    print(f"\nisolation forest: Spearman {rho:.3f} against scikit-learn")


@pytest.mark.parametrize("params", [{"trees": 0}, {"trees": 1_000_000_000}, {"sample": 1}, {"sample": 10_000_000}])
def test_isolation_forest_refuses_hostile_parameters(tmp_path, params):
    assert "between" in refused(tmp_path, "iforest", params)


def autoencoder_data():
    """Six standardised columns: two latent factors mixed, with noise, and
    a few rows off the structure (the lab scales features the same way)."""
    rng = np.random.default_rng(5)
    latent = rng.normal(size=(1500, 2))
    mix = rng.normal(size=(2, 6))
    x = np.tanh(latent @ mix) + 0.05 * rng.normal(size=(1500, 6))
    x[:10] = rng.uniform(-3, 3, size=(10, 6))
    return (x - x.mean(axis=0)) / x.std(axis=0)


def test_autoencoder_reconstructs_as_well_as_scikit_learns_mlp(tmp_path):
    from sklearn.neural_network import MLPRegressor

    x = autoencoder_data()
    epochs, rate = 100, 0.01
    ours = lab(tmp_path, x, "autoencoder", epochs=epochs, learning_rate=rate, hidden=16, components=2, seed=3)
    errors = np.array(ours["errors"])
    assert errors.shape == (1500,) and np.all(np.isfinite(errors))
    assert len(ours["losses"]) == epochs and ours["losses"][-1] < ours["losses"][0]
    # The same architecture, optimiser, batches and epochs; no early stop.
    theirs = []
    for seed in range(3):
        mlp = MLPRegressor(
            hidden_layer_sizes=(16, 2, 16), activation="tanh", solver="adam",
            learning_rate_init=rate, batch_size=200, alpha=1e-4, max_iter=epochs,
            tol=0.0, n_iter_no_change=epochs + 1, random_state=seed,
        )
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp.fit(x, x)
        theirs.append(np.mean((mlp.predict(x) - x) ** 2))
    reference = float(np.median(theirs))
    ratio = errors.mean() / reference
    print(f"\nautoencoder: mean reconstruction error {errors.mean():.4f}, scikit-learn {reference:.4f} (median of {len(theirs)}), ratio {ratio:.3f}")
    assert abs(ratio - 1) <= 0.2, (errors.mean(), theirs)
    # The rows off the structure come back worst, in both.
    top = set(np.argsort(-errors)[:10])
    assert len(top & set(range(10))) >= 8, sorted(top)
    # Rerun: the same bits.
    again = lab(tmp_path, x, "autoencoder", epochs=epochs, learning_rate=rate, hidden=16, components=2, seed=3)
    assert again == ours


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": 0}, "epochs must be between"),
        ({"epochs": 1_000_000_000}, "epochs must be between"),
        ({"learning_rate": "NaN"}, "learning rate must be"),
        ({"hidden": 0}, "hidden layers"),
        ({"components": 50}, "hidden layers"),
    ],
)
def test_autoencoder_refuses_hostile_parameters(tmp_path, params, message):
    assert message in refused(tmp_path, "autoencoder", params)


def test_umap_keeps_neighbours_as_well_as_umap_learn(tmp_path):
    """Trustworthiness (scikit-learn's, 15 neighbours) of the lab's UMAP of
    800 handwritten digits (64 standardised pixels) within 0.03 of
    umap-learn's with the same neighbours (the native tests check reruns)."""
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.manifold import trustworthiness

    x = load_digits().data[:800].astype(float)
    spread = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    ours = lab(tmp_path, x, "umap", neighbours=15, components=2, seed=1)
    y = np.array(ours["map"])
    assert y.shape == (800, 2) and np.all(np.isfinite(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import umap

        theirs = umap.UMAP(n_neighbors=15, n_components=2, random_state=1).fit_transform(x)
    t_ours = trustworthiness(x, y, n_neighbors=15)
    t_theirs = trustworthiness(x, theirs, n_neighbors=15)
    print(f"\nUMAP trustworthiness: lab {t_ours:.4f}, umap-learn {t_theirs:.4f}")
    assert abs(t_ours - t_theirs) <= 0.03, (t_ours, t_theirs)


@pytest.mark.parametrize("neighbours", [0, 1, 3, 1_000_000])
def test_umap_refuses_neighbours_outside_the_rows(tmp_path, neighbours):
    assert "neighbours must be between 2 and" in refused(tmp_path, "umap", {"neighbours": neighbours})


def test_barnes_hut_tsne_keeps_neighbours_as_well_as_scikit_learns(tmp_path):
    """Trustworthiness (15 neighbours) of the lab's Barnes–Hut t-SNE (which
    it runs above 2,000 rows; forced here on 600 handwritten digits, so
    that the debug build stays quick) within 0.03 of scikit-learn's
    Barnes–Hut t-SNE with the same perplexity."""
    from sklearn.datasets import load_digits
    from sklearn.manifold import TSNE, trustworthiness

    x = load_digits().data[:600].astype(float)
    spread = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    ours = lab(tmp_path, x, "tsne", perplexity=30, components=2, seed=1, barnes_hut=True)
    y = np.array(ours["map"])
    assert y.shape == (600, 2) and np.all(np.isfinite(y))
    theirs = TSNE(perplexity=30, method="barnes_hut", random_state=1).fit_transform(x)
    t_ours = trustworthiness(x, y, n_neighbors=15)
    t_theirs = trustworthiness(x, theirs, n_neighbors=15)
    print(f"\nBarnes–Hut t-SNE trustworthiness: lab {t_ours:.4f}, scikit-learn {t_theirs:.4f}")
    assert abs(t_ours - t_theirs) <= 0.03, (t_ours, t_theirs)


def test_tsne_refuses_too_few_rows(tmp_path):
    assert "needs at least 4 rows" in refused(tmp_path, "tsne", {"barnes_hut": True})
