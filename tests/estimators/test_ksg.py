"""KSG: agreement with the paper's definitions, scikit-learn, and analytic MI."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_regression

import mibench
from mibench_estimators._knn import TREE_CROSSOVER, count_within_1d, tree_max_joint_dim

TRUTH_09 = -0.5 * np.log(1 - 0.81)  # 0.8304 nats


def ksg_brute(x: np.ndarray, y: np.ndarray, k: int, variant: int) -> float:
    """Direct O(N²) transcription of KSG (2004), algorithms 1 and 2."""
    n = x.shape[0]
    dx = np.abs(x[:, None, :] - x[None, :, :]).max(axis=2)
    dy = np.abs(y[:, None, :] - y[None, :, :]).max(axis=2)
    dz = np.maximum(dx, dy)
    np.fill_diagonal(dz, np.inf)
    terms = []
    for i in range(n):
        order = np.argsort(dz[i], kind="stable")[:k]
        others = np.arange(n) != i
        if variant == 1:
            eps = dz[i, order[-1]]
            nx = np.sum((dx[i] < eps) & others)
            ny = np.sum((dy[i] < eps) & others)
            terms.append(digamma(nx + 1) + digamma(ny + 1))
        else:
            ex, ey = dx[i, order].max(), dy[i, order].max()
            nx = np.sum((dx[i] <= ex) & others)
            ny = np.sum((dy[i] <= ey) & others)
            terms.append(digamma(nx) + digamma(ny))
    base = digamma(k) + digamma(n) - (1.0 / k if variant == 2 else 0.0)
    return float(base - np.mean(terms))


def _pair(n: int, rho: float, seed: int, dx: int = 1, dy: int = 1):
    x, y = mibench.get_task("gaussian", dim=max(dx, dy), rho=rho).sample(
        n, np.random.default_rng(seed))
    return x[:, :dx], y[:, :dy]


@pytest.mark.parametrize("variant", [1, 2])
@pytest.mark.parametrize(("dx", "dy", "k"), [(1, 1, 3), (2, 3, 4), (1, 2, 1)])
def test_matches_brute_force_definition(variant: int, dx: int, dy: int, k: int) -> None:
    x, y = _pair(300, 0.7, 11 + dx + dy, dx, dy)
    est = mibench.get_estimator("ksg", k=k, variant=variant, jitter=0.0)
    xs, ys = (x - x.mean(0)) / x.std(0), (y - y.mean(0)) / y.std(0)
    assert est.estimate(x, y) == pytest.approx(ksg_brute(xs, ys, k, variant), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rho", [0.3, 0.9])
def test_matches_sklearn_1d(seed: int, rho: float) -> None:
    # scikit-learn adds noise of relative size 1e-10 that cannot be turned off;
    # on continuous data without ties it changes no neighbour count.
    x, y = _pair(5000, rho, seed)
    ours = mibench.get_estimator("ksg", jitter=0.0).estimate(x, y)
    ref = mutual_info_regression(x, y[:, 0], n_neighbors=3, random_state=0)[0]
    assert ours == pytest.approx(ref, abs=1e-6)


def test_variant_2_differs_from_variant_1() -> None:
    x, y = _pair(2000, 0.9, 5)
    v1 = mibench.get_estimator("ksg", variant=1).estimate(x, y)
    v2 = mibench.get_estimator("ksg", variant=2).estimate(x, y)
    assert abs(v1 - v2) > 1e-4  # different estimators...
    assert abs(v1 - TRUTH_09) < 0.05 and abs(v2 - TRUTH_09) < 0.05  # ...of the same MI


def test_accuracy_1d_gaussian() -> None:
    # At N = 10 000, k = 3, KSG's bias on a 1-D Gaussian pair is below 0.01 nats
    # and its standard deviation over seeds is about 0.011 nats (20 seeds, this
    # machine): 0.03 is ~2.7 sd around a near-zero bias.
    x, y = _pair(10_000, 0.9, 0)
    assert abs(mibench.get_estimator("ksg").estimate(x, y) - TRUTH_09) < 0.03


def test_independence_shuffled() -> None:
    # Under independence KSG is nearly unbiased with sd ~0.008 nats at N = 10 000.
    x, y = _pair(10_000, 0.9, 1)
    y = np.random.default_rng(2).permutation(y)
    assert abs(mibench.get_estimator("ksg").estimate(x, y)) < 0.02


@pytest.mark.parametrize("scale_pow", [-40, 40])
def test_strict_inequality_scale_free(scale_pow: int) -> None:
    # Scaling by a power of two is exact in floating point, so an exact
    # implementation must give the same counts, hence the same value.
    x, y = _pair(1000, 0.6, 3, 2, 1)
    est = mibench.get_estimator("ksg", jitter=0.0, margins="none")
    s = 2.0**scale_pow
    assert est.estimate(x * s, y * s) == est.estimate(x, y)


def test_ties_and_integer_data_finite() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, 2000)
    y = x + rng.integers(0, 3, 2000)
    for variant in (1, 2):
        v = mibench.get_estimator("ksg", variant=variant).estimate(x, y)
        assert np.isfinite(v)


def test_sort_count_exact_with_ties_at_any_scale() -> None:
    rng = np.random.default_rng(1)
    for scale in (1e-300, 1.0, 1e300):
        v = rng.integers(0, 30, 1500).astype(float) * scale
        r = np.abs(v[rng.permutation(1500)] - v)  # radii equal to real distances
        for strict in (True, False):
            d = np.abs(v[:, None] - v[None, :])
            inside = d < r[:, None] if strict else d <= r[:, None]
            expected = inside.sum(axis=1) - np.where(strict, r > 0, True)
            assert np.array_equal(count_within_1d(v, r, strict), expected)


def test_bad_params() -> None:
    for bad in ({"k": 0}, {"variant": 3}, {"jitter": -1.0}, {"workers": 0}):
        with pytest.raises(mibench.ParameterError):
            mibench.get_estimator("ksg", **bad)


def test_same_value_at_any_scale_without_standardising() -> None:
    # The jitter is relative to each column's sd, so scaling the data scales
    # the jitter with it and every neighbour count stays the same.
    x, y = mibench.get_task("gaussian", rho=0.9).sample(3000, np.random.default_rng(4))
    est = mibench.get_estimator("ksg", margins="none")
    vals = [est.estimate(x * c, y * c) for c in (1.0, 1e-9, 1e9)]
    assert vals[1] == pytest.approx(vals[0], abs=1e-9)
    assert vals[2] == pytest.approx(vals[0], abs=1e-9)
    assert 0.7 < vals[0] < 0.95  # truth 0.830


def test_duplicates_without_jitter_are_an_error() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, 2000).astype(float)
    y = x + rng.integers(0, 2, 2000)
    with pytest.raises(mibench.InputError, match="duplicates"):
        mibench.get_estimator("ksg", jitter=0.0).estimate(x, y)
    assert np.isfinite(mibench.get_estimator("ksg").estimate(x, y))  # jitter breaks ties


# --- metric and algorithm -------------------------------------------------------------

def _reference_ksg(x: np.ndarray, y: np.ndarray, k: int, metric: str) -> float:
    """KSG algorithm 1 straight from its definition: full distance matrices, a sort
    per row, strict counts (the formulation of the bmi benchmark's KSG)."""
    from scipy.spatial.distance import cdist

    name = "chebyshev" if metric == "max" else "euclidean"
    dx, dy = cdist(x, x, name), cdist(y, y, name)
    dz = np.maximum(dx, dy)
    eps = np.sort(dz, axis=1)[:, k]  # column 0 is the point itself
    nx = (dx < eps[:, None]).sum(1) - 1
    ny = (dy < eps[:, None]).sum(1) - 1
    n = x.shape[0]
    return float(digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1)))


def _coupled(n: int, dx: int, dy: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dx))
    y = 0.8 * np.resize(x, (n, dy)) + 0.6 * rng.standard_normal((n, dy))
    return x, y


@pytest.mark.parametrize("metric", ["max", "euclidean"])
@pytest.mark.parametrize("dims", [(1, 1), (2, 1), (3, 3), (12, 10)])
def test_every_algorithm_equals_the_definition(metric: str, dims: tuple[int, int]) -> None:
    x, y = _coupled(400, *dims)
    ref = _reference_ksg(x, y, 5, metric)
    for algorithm in ("tree", "brute"):
        est = mibench.get_estimator("ksg", k=5, metric=metric, algorithm=algorithm,
                                    margins="none", jitter=0)
        assert est.estimate(x, y) == pytest.approx(ref, abs=1e-12), algorithm


@pytest.mark.parametrize("metric", ["max", "euclidean"])
def test_variant_2_same_on_tree_and_brute(metric: str) -> None:
    x, y = _coupled(500, 3, 2)
    vals = [mibench.get_estimator("ksg", k=4, variant=2, metric=metric,
                                  algorithm=a).estimate(x, y) for a in ("tree", "brute")]
    assert vals[0] == vals[1]


def test_brute_force_result_does_not_depend_on_block_size_or_threads() -> None:
    from mibench_estimators import _knn

    x, y = _coupled(701, 6, 6)  # 701 rows: the kernel's last group of 4 is short
    for variant in (1, 2):  # the matrix-product path: the same counts in blocks of any
        # size (BLAS may round a product differently with the block's shape: ε may not)
        runs = [_knn._brute_euclidean(x, y, 3, variant, w, b)[1:]
                for b, w in ((0.05, 1), (0.05, 2), (10, 2), (256, 1))]
        for other in runs[1:]:
            assert all(np.array_equal(a, b) for a, b in zip(runs[0], other, strict=True))
    for metric in ("max", "euclidean"):
        for variant in (1, 2):
            vals = {mibench.get_estimator("ksg", variant=variant, metric=metric,
                                          algorithm="brute", workers=w).estimate(x, y)
                    for w in (1, 2, 3, -1)}
            assert len(vals) == 1, (metric, variant)


@pytest.mark.parametrize("metric", ["max", "euclidean"])
def test_kernel_tiles_give_the_untiled_result(metric: str) -> None:
    # samples above 10 000 rows are cut into tiles of 512 padded with +inf; here a
    # small sample in tiles of 64 (203 rows: the last tile is mostly padding)
    from mibench_estimators import _knn_kernels as kern

    x, y = _coupled(203, 4, 3)
    n = x.shape[0]
    for variant in (1, 2):
        outs = []
        for width in (n, 64):
            eps, nx, ny = np.empty(n), np.empty(n, np.int64), np.empty(n, np.int64)
            kern.ksg_rows(x, y, kern.tiled(x, width), kern.tiled(y, width), 0, n, 3,
                          variant, metric == "euclidean", kern.GROUP, eps, nx, ny)
            outs.append((eps, nx, ny))
        assert all(np.array_equal(a, b) for a, b in zip(*outs, strict=True)), variant
    assert kern.tile_width(10_000) == 10_000 and kern.tile_width(10_001) == 512


def test_euclidean_kernel_counts_equal_the_matrix_products() -> None:
    # two ways to the same squared distances (exact differences against
    # ‖a‖² + ‖b‖² − 2a·b): equal counts on continuous data, ε to rounding
    from mibench_estimators import _knn

    x, y = _coupled(999, 7, 5)
    assert not _knn.euclidean_by_products("euclidean", 999, 12)
    assert _knn.euclidean_by_products("euclidean", 50_000, 100)
    assert not _knn.euclidean_by_products("max", 50_000, 100)
    for variant in (1, 2):
        a = _knn._brute_compiled(x, y, 4, variant, "euclidean", 2)
        b = _knn._brute_euclidean(x, y, 4, variant, 2, None)
        assert np.allclose(a[0], b[0], rtol=1e-12, atol=0)
        assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])


def _chebyshev_reference(x: np.ndarray, y: np.ndarray, k: int, variant: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """KSG statistics from whole scipy distance matrices, the textbook way."""
    from scipy.spatial.distance import cdist

    n = x.shape[0]
    dx, dy = cdist(x, x, "chebyshev"), cdist(y, y, "chebyshev")
    dz = np.maximum(dx, dy)
    np.fill_diagonal(dz, np.inf)
    order = np.argsort(dz, axis=1, kind="stable")[:, :k]
    eps = np.take_along_axis(dz, order, 1)[:, -1]
    off = ~np.eye(n, dtype=bool)
    if variant == 1:
        nx = ((dx < eps[:, None]) & off).sum(1)
        ny = ((dy < eps[:, None]) & off).sum(1)
    else:
        ex = np.take_along_axis(dx, order, 1).max(1)
        ey = np.take_along_axis(dy, order, 1).max(1)
        nx = ((dx <= ex[:, None]) & off).sum(1)
        ny = ((dy <= ey[:, None]) & off).sum(1)
    return eps, nx, ny


@pytest.mark.parametrize("dims", [(1, 1), (1, 3), (5, 2), (17, 9)])
@pytest.mark.parametrize("variant", [1, 2])
def test_max_norm_kernel_equals_whole_distance_matrices(dims: tuple[int, int],
                                                        variant: int) -> None:
    # 203 rows (not a multiple of the kernel's 4-row groups) on three threads; rounded
    # values make exact ties in distance, which the kernel must count like the matrices
    from mibench_estimators import _knn

    x, y = _coupled(203, *dims, seed=variant)
    x, y = np.round(x, 1), np.round(y, 1)
    got = _knn._brute_compiled(x, y, 4, variant, "max", 3)
    want = _chebyshev_reference(x, y, 4, variant)
    assert np.array_equal(got[0], want[0])
    if variant == 1:  # with ties the k-th neighbour's identity differs, not ε's counts
        assert np.array_equal(got[1], want[1]) and np.array_equal(got[2], want[2])


def test_default_block_keeps_enough_rows_for_the_matrix_product() -> None:
    # 8 MiB holds 41 rows at n 5000 but 4 at n 50 000, where a block of 4 rows made
    # the Euclidean brute force twice as slow; a caller's block_mb stays as given
    from mibench_estimators import _knn
    assert _knn.default_block_mb(5000) == 8.0
    assert _knn._rows_per_block(5000, _knn.default_block_mb(5000)) == 41
    for n in (50_000, 1_000_000):
        assert _knn._rows_per_block(n, _knn.default_block_mb(n)) == _knn.MIN_EUCLIDEAN_ROWS
    assert _knn._rows_per_block(50_000, 8.0) == 4


def test_torch_brute_force_counts_equal_numpy() -> None:
    pytest.importorskip("torch")
    from mibench_estimators import _knn

    x, y = _coupled(600, 4, 3)
    for metric in ("max", "euclidean"):
        for variant in (1, 2):
            want = _knn._brute_compiled(x, y, 3, variant, metric, 1)
            got = _knn._brute_torch(x, y, 3, variant, metric, "cpu", 0.5)
            for w, g in zip(want[1:], got[1:], strict=True):
                assert np.array_equal(w, g), (metric, variant)


def test_euclidean_differs_from_max_in_several_dimensions() -> None:
    x, y = _coupled(1000, 5, 5)
    a = mibench.get_estimator("ksg", metric="max").estimate(x, y)
    b = mibench.get_estimator("ksg", metric="euclidean").estimate(x, y)
    assert abs(a - b) > 0.01


@pytest.mark.parametrize("params, words", [
    ({"metric": "manhattan"}, "metric"),
    ({"algorithm": "ball"}, "algorithm"),
    ({"algorithm": "tree", "device": "cuda"}, "CPU only"),
    ({"block_mb": 0}, "block_mb"),
])
def test_bad_search_options_are_named(params: dict, words: str) -> None:
    with pytest.raises(mibench.ParameterError, match=words):
        mibench.get_estimator("ksg", **params)


def test_auto_uses_trees_in_low_and_brute_force_in_high_dimension() -> None:
    est = mibench.get_estimator("ksg")
    assert est.algorithm_for(5000, 1, 1) == "tree"
    assert est.algorithm_for(5000, 50, 50) == "brute"


def test_auto_crossover_rises_with_n_between_the_measured_sizes() -> None:
    """The measured crossovers (N 5000 and 50 000) hold exactly at those sizes, the
    dimension in between lies between them, and sizes outside keep the nearer one."""
    for metric in ("max", "euclidean"):
        est = mibench.get_estimator("ksg", metric=metric)
        (n0, d0), (n1, d1) = TREE_CROSSOVER[metric]
        assert d1 > d0
        for n, d in ((n0, d0), (n1, d1), (100, d0), (10**7, d1)):
            assert tree_max_joint_dim(metric, n) == d
            assert est.algorithm_for(n, d - d // 2, d // 2) == "tree"
            assert est.algorithm_for(n, d + 1 - (d + 1) // 2, (d + 1) // 2) == "brute"
        between = [tree_max_joint_dim(metric, n) for n in range(n0, n1 + 1, 5000)]
        assert between == sorted(between) and d0 <= min(between) and max(between) <= d1


def test_kernels_compile_without_a_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # where numba finds no writable cache folder it refuses cache=True; the kernels
    # are then compiled per process rather than failing to import
    import numba

    from mibench_estimators import _knn_kernels as kern

    real = numba.njit

    def no_cache_place(*args: object, **kw: object) -> object:
        if kw.get("cache"):
            raise RuntimeError("cannot cache function: no locator available for file")
        return real(*args, **kw)

    monkeypatch.setattr(kern.nb, "njit", no_cache_place)
    square = kern._compiled(lambda v: v * v)
    assert square(3.0) == 9.0


@pytest.mark.parametrize("metric", ["max", "euclidean"])
def test_kth_distance_brute_force_equals_a_tree_query(metric: str) -> None:
    # 7 dimensions at 601 rows: above the crossover, so the compiled kernel answers
    from scipy.spatial import cKDTree

    from mibench_estimators import _knn

    pts = np.random.default_rng(5).standard_normal((601, 7))
    assert 7 > _knn.tree_max_joint_dim(metric, 601)
    want = cKDTree(pts).query(pts, k=5, p=np.inf if metric == "max" else 2)[0][:, 4]
    got = _knn.kth_distance(pts, 4, metric, 2)
    assert np.allclose(got, want, rtol=1e-14, atol=0)
