"""k-nearest-neighbour machinery shared by the kNN estimators (KSG and relatives).

Two norms are supported within each variable: ``max`` (Chebyshev) and
``euclidean``; the distance in the joint space Z = (X, Y) is always the larger
of the two within-variable distances, as in KSG. ``max`` in Z is then the
Chebyshev norm of z, and ``euclidean`` is the choice of Czyż et al. (the
``bmi`` package's KSG).

For each point i the neighbour statistics are

* ε_i: the joint distance to its k-th nearest neighbour (point itself excluded);
* ε_x(i), ε_y(i): the largest X- and Y-distances among those k neighbours;
* n_x(i) = #{j ≠ i : d_x(i, j) < r_i} (strict) or ``≤ r_i``, n_y likewise.

Three exact algorithms compute them:

* ``tree`` — KD-trees (scipy/scikit-learn). For ``max`` the joint query is a
  Chebyshev k-NN query. For ``euclidean`` the joint neighbours come from a
  Euclidean tree: max(‖Δx‖, ‖Δy‖) ≤ ‖Δz‖₂ ≤ √2·max(‖Δx‖, ‖Δy‖), so the k
  nearest under the KSG distance lie within √2 times the Euclidean k-NN
  radius; that ball is enumerated and the candidates ranked exactly.
* ``brute`` — every row against all points. On the CPU a compiled kernel
  (:mod:`._knn_kernels`, numba) computes four rows of distances at a time from
  the exact coordinate differences (max-norm, or squared Euclidean) and selects
  and counts on them at once, in O(n) memory per thread. Large samples in many
  dimensions take their Euclidean distances from BLAS matrix products instead
  (‖a‖² + ‖b‖² − 2a·b, compared as squared distances; blocks bounded by
  ``block_mb``, :func:`default_block_mb`; see :func:`euclidean_by_products`).
  Either runs on ``workers`` threads.
* ``brute`` on torch — the same blocks as tensors, on any torch device (CUDA).

Within one algorithm every comparison reuses the very distance values that
defined the radius, so strict counts are exact. Across algorithms Euclidean
distances are rounded differently; results agree to floating-point ties
(about 1e-15 relative), which continuous data essentially never produce.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from mibench.plugin import Either, InputError, Integer, Optional, Real

METRICS = ("max", "euclidean")
ALGORITHMS = ("auto", "tree", "brute")


@dataclass
class NeighbourStats:
    """Per-point k-NN statistics (see the module docstring)."""

    eps: np.ndarray
    eps_x: np.ndarray | None = None
    eps_y: np.ndarray | None = None


def add_jitter(a: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """``a`` plus Gaussian noise of ``scale`` times each column's standard deviation
    (times its largest |value| for a constant column, or 1 for a zero column)."""
    if scale <= 0:
        return a
    mag = a.std(axis=0)
    flat = mag == 0
    if flat.any():
        mag[flat] = np.where(np.abs(a[:, flat]).max(axis=0) > 0,
                             np.abs(a[:, flat]).max(axis=0), 1.0)
    return a + scale * mag * rng.standard_normal(a.shape)


def count_within_1d(values: np.ndarray, radius: np.ndarray, strict: bool) -> np.ndarray:
    """For each i, #{j ≠ i : |v_i − v_j| < r_i} (strict) or ``≤ r_i``, exactly.

    Sorts once; ``searchsorted`` places both window edges up to rounding, and
    the edges are then moved until the exact floating-point predicate holds
    (``v_i − v_j`` is monotone along the sorted column, so the predicate is too).
    O(N log N) time, O(N) memory.
    """
    n = values.shape[0]
    order = np.argsort(values, kind="stable")
    s = values[order]
    r = radius[order]
    inside = np.less if strict else np.less_equal
    pos = np.arange(n)

    def pred_left(j: np.ndarray) -> np.ndarray:  # j is inside the window on the left
        return inside(s - s[np.clip(j, 0, n - 1)], r)

    def pred_right(j: np.ndarray) -> np.ndarray:
        return inside(s[np.clip(j, 0, n - 1)] - s, r)

    # left edge: first j <= i with pred_left(j); right edge: last j >= i with pred_right(j)
    left = np.minimum(np.searchsorted(s, s - r, side="left"), pos)
    right = np.maximum(np.searchsorted(s, s + r, side="right") - 1, pos)
    for _ in range(64):
        grow_l = (left > 0) & pred_left(left - 1)
        shrink_l = (left < pos) & ~pred_left(left)
        grow_r = (right < n - 1) & pred_right(right + 1)
        shrink_r = (right > pos) & ~pred_right(right)
        if not (grow_l.any() or shrink_l.any() or grow_r.any() or shrink_r.any()):
            break
        left = left - grow_l + shrink_l
        right = right + grow_r - shrink_r
    else:  # pathological runs of ties at the edges: settle them by bisection
        left, right = _bisect_edges(s, r, inside)
    counts_sorted = right - left  # window size minus the point itself
    if strict:
        counts_sorted = np.where(r > 0, counts_sorted, 0)
    out = np.empty(n, dtype=np.int64)
    out[order] = counts_sorted
    return out


def _bisect_edges(s: np.ndarray, r: np.ndarray, inside: np.ufunc
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Window edges by bisection on the exact predicate (always correct, slower)."""
    n = s.shape[0]
    lo = np.zeros(n, dtype=np.int64)
    hi = np.arange(n, dtype=np.int64)
    while (lo < hi).any():
        active = lo < hi
        mid = (lo + hi) // 2
        ok = inside(s - s[mid], r)
        hi = np.where(active & ok, mid, hi)
        lo = np.where(active & ~ok, mid + 1, lo)
    left = lo
    lo = np.arange(n, dtype=np.int64)
    hi = np.full(n, n - 1, dtype=np.int64)
    while (lo < hi).any():
        active = lo < hi
        mid = (lo + hi + 1) // 2
        ok = inside(s[mid] - s, r)
        lo = np.where(active & ok, mid, lo)
        hi = np.where(active & ~ok, mid - 1, hi)
    return left, lo


def count_within_tree(points: np.ndarray, radius: np.ndarray, strict: bool) -> np.ndarray:
    """As :func:`count_within_1d`, for any dimension, with a max-norm KD-tree.

    scikit-learn's ``KDTree.query_radius(count_only=True)`` adds whole nodes
    that lie inside the query cube without visiting their points, which makes
    it several times faster than enumerating neighbours when counts are large
    (as they are for the marginals of a high-dimensional joint space). It
    counts distances ``≤ r``; the strict count uses the next float below ε.
    """
    from sklearn.neighbors import KDTree  # imported here: mibench list stays quick

    tree = KDTree(points, leaf_size=40, metric="chebyshev")
    r = np.nextafter(radius, 0) if strict else radius
    counts = np.asarray(tree.query_radius(points, r, count_only=True), dtype=np.int64) - 1
    if strict:
        counts[radius <= 0] = 0
    return counts


def marginal_counts(points: np.ndarray, radius: np.ndarray, strict: bool) -> np.ndarray:
    if points.shape[1] == 1:
        return count_within_1d(points[:, 0], radius, strict)
    return count_within_tree(points, radius, strict)



def count_within_tree_euclidean(points: np.ndarray, radius: np.ndarray,
                                strict: bool, workers: int = 1) -> np.ndarray:
    """#{j ≠ i : ‖p_i − p_j‖₂ < r_i} (or ``≤``) with a Euclidean KD-tree.

    scipy's ``cKDTree.query_ball_point(return_length=True)`` on ``workers``
    threads: for Euclidean balls it ran 1.5–4× faster than scikit-learn's
    single-threaded ``count_only`` here (N 5000 and 50 000, 3 to 5 dimensions).
    The tree rounds distances its own way, so the radius is moved by 1e-12
    relative (inward for the strict count, outward otherwise): the neighbour
    that defined r_i is decided the same way as in the other algorithms.
    """
    if points.shape[1] == 1:
        return count_within_1d(points[:, 0], radius, strict)
    r = radius * (1 - 1e-12) if strict else radius * (1 + 1e-12)
    counts = np.asarray(cKDTree(points).query_ball_point(points, r, p=2.0, return_length=True,
                                                          workers=workers),
                        dtype=np.int64) - 1
    if strict:
        counts[radius <= 0] = 0
    return counts


def _side_norms(a: np.ndarray) -> np.ndarray:
    """Per-row Euclidean distance from each candidate set (rows of ``a`` are differences)."""
    return np.abs(a[:, 0]) if a.shape[1] == 1 else np.sqrt(np.einsum("ij,ij->i", a, a))


def _joint_tree_max(x: np.ndarray, y: np.ndarray, k: int, want_sides: bool,
                    workers: int) -> NeighbourStats:
    xy = np.hstack([x, y])
    # sliding-midpoint trees build fastest in 2-D; balanced ones query faster above
    balanced = xy.shape[1] > 2
    tree = cKDTree(xy, balanced_tree=balanced, compact_nodes=balanced)
    perm = tree.indices  # query in leaf order for cache locality
    n = xy.shape[0]
    dist = np.empty((n, k + 1))
    idx = np.empty((n, k + 1), dtype=np.intp)
    dist[perm], idx[perm] = tree.query(xy[perm], k=k + 1, p=np.inf, workers=workers)
    stats = NeighbourStats(eps=dist[:, k])
    if want_sides:
        nbr = _drop_self(idx, k)
        stats.eps_x = np.abs(x[:, None, :] - x[nbr]).max(axis=(1, 2))
        stats.eps_y = np.abs(y[:, None, :] - y[nbr]).max(axis=(1, 2))
    return stats


def _joint_tree_euclidean(x: np.ndarray, y: np.ndarray, k: int,
                          workers: int) -> NeighbourStats:
    """Exact k-NN under max(‖Δx‖₂, ‖Δy‖₂) through a Euclidean tree on z (module docstring).

    First the m Euclidean nearest neighbours of every point
    (:func:`euclidean_candidates`) are ranked under the KSG distance, all rows at
    once; a row is exact when √2 times its k-th KSG distance stays inside the
    Euclidean reach of that query. The rare rows where it does not are completed
    by enumerating the ball of radius √2·ε.
    """
    xy = np.hstack([x, y])
    n = xy.shape[0]
    tree = cKDTree(xy)
    m = euclidean_candidates(k, x.shape[1], y.shape[1], n)
    d2, idx = tree.query(xy, k=m, workers=workers)
    dx = _side_norms_rows(x[idx] - x[:, None, :])
    dy = _side_norms_rows(y[idx] - y[:, None, :])
    dz = np.maximum(dx, dy)
    self_hit = idx == np.arange(n)[:, None]
    dz[self_hit] = np.inf  # the point itself (wherever exact duplicates put it)
    sel = np.argpartition(dz, k - 1, axis=1)[:, :k]
    eps = np.take_along_axis(dz, sel, 1).max(1)
    eps_x = np.take_along_axis(dx, sel, 1).max(1)
    eps_y = np.take_along_axis(dy, sel, 1).max(1)
    redo = np.flatnonzero(~(math.sqrt(2) * eps * (1 + 1e-9) < d2[:, -1])) if m < n else []
    if len(redo):
        cands = tree.query_ball_point(xy[redo], math.sqrt(2) * eps[redo] * (1 + 1e-9),
                                      workers=workers, return_sorted=False)
        for i, c in zip(redo, cands, strict=True):
            c = np.asarray(c, dtype=np.intp)
            c = c[c != i]
            cx = _side_norms(x[c] - x[i])
            cy = _side_norms(y[c] - y[i])
            cz = np.maximum(cx, cy)
            best = np.argpartition(cz, k - 1)[:k]
            eps[i], eps_x[i], eps_y[i] = cz[best].max(), cx[best].max(), cy[best].max()
    return NeighbourStats(eps=eps, eps_x=eps_x, eps_y=eps_y)


def euclidean_candidates(k: int, dx: int, dy: int, n: int) -> int:
    """How many Euclidean neighbours of z to rank for the k nearest under max(‖Δx‖, ‖Δy‖).

    The k KSG neighbours lie in the product of two balls of radius ε (volume
    V_dx·V_dy·ε^d); every one of them lies in the Euclidean ball of radius √2·ε
    (volume V_d·(√2ε)^d). Where the density is locally even the larger ball
    holds about μ = k·2^(d/2)·V_d/(V_dx·V_dy) points (2.4·k for 3 + 3, 4.1·k for
    10 + 10); m is μ plus two Poisson deviations, and the rare rows it misses get
    the exact completion (1 in 10 000 or fewer here). Doubling m was 5–10 % slower
    at N 5000 and 50 000; the bound 2^(d/2+1)·k, which ignores the product's
    shape, asked for 4 to 170 times more candidates from 6 to 20 dimensions.
    """
    def log_ball(d: int) -> float:
        return log_unit_ball(d, "euclidean")

    d = dx + dy
    mu = k * math.exp(d / 2 * math.log(2) + log_ball(d) - log_ball(dx) - log_ball(dy))
    return min(n, max(k + 1, math.ceil(mu + 2 * math.sqrt(mu)) + 1))


def _side_norms_rows(d: np.ndarray) -> np.ndarray:
    """Euclidean norms along the last axis of (n, m, dim) differences (|·| in 1-D)."""
    return np.abs(d[..., 0]) if d.shape[-1] == 1 else np.sqrt(np.einsum("ijk,ijk->ij", d, d))


def _drop_self(idx: np.ndarray, k: int) -> np.ndarray:
    """The k neighbours other than the point itself, from a (n, k+1) query result.

    With duplicate points the point itself need not come first; if it is not in
    the list at all (more than k exact duplicates), the farthest is dropped.
    """
    n = idx.shape[0]
    is_self = idx == np.arange(n)[:, None]
    no_self = ~is_self.any(axis=1)
    is_self[no_self, k] = True
    first = np.argmax(is_self, axis=1)  # drop exactly one entry per row
    keep = np.ones_like(is_self)
    keep[np.arange(n), first] = False
    return idx[keep].reshape(n, k)


def _block_row_bytes(n: int) -> int:
    # five n-wide float64 rows per block row: d_x, d_y, d_z, a partition copy, a mask
    return 5 * 8 * n


def _rows_per_block(n: int, block_mb: float) -> int:
    return max(1, min(n, int(block_mb * 2**20 // _block_row_bytes(n))))


# Fewest rows in a default Euclidean block. Each block's matrix product streams the
# whole right-hand factor (n × (d + 2)) from memory, so a block of a few rows is a
# memory-bound matrix-vector product: at N 50 000, joint dimension 100, 8 MiB meant
# 4 rows and 27–30 s, where 16–33 rows took 13.6–16.7 s (the blocked floor of
# benchmarks/ksg_floor.py, 16 rows, 15.9–16.1 s).
MIN_EUCLIDEAN_ROWS = 32


def default_block_mb(n: int) -> float:
    """Euclidean block memory on the CPU where none is given: 8 MiB (blocks spread over
    the thread pool, BLAS on one thread; at N 5000 from 4 to 100 joint dimensions,
    8–16 MiB ran fastest, 0.5 MiB up to 3× and 128 MiB up to 1.9× slower), raised to
    :data:`MIN_EUCLIDEAN_ROWS` rows where 8 MiB holds fewer (n above about 6500). A
    ``block_mb`` given by the caller is kept as given. (The compiled kernel needs no
    blocks: it holds 2 × 4 rows of distances per thread.)"""
    return max(8.0, MIN_EUCLIDEAN_ROWS * _block_row_bytes(n) / 2**20)


def _squared_distance_factors(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L, R with (L[i] · R[:, j]) = ‖a_i‖² + ‖a_j‖² − 2 a_i·a_j, the squared distance:
    one matrix product per block, with no further passes over the block."""
    n = a.shape[0]
    sq = np.einsum("ij,ij->i", a, a)[:, None]
    one = np.ones((n, 1))
    return np.hstack([a, sq, one]), np.ascontiguousarray(np.hstack([-2.0 * a, one, sq]).T)


def _brute_euclidean(x: np.ndarray, y: np.ndarray, k: int, variant: int,
                 workers: int, block_mb: float | None) -> tuple[np.ndarray, ...]:
    """The Euclidean brute force: blocks of rows against all points, squared distances
    from one matrix product per block and side. Each block's work is one task of a
    thread pool of ``workers`` (numpy and BLAS release the GIL), BLAS itself on one
    thread meanwhile: with both pools on the same cores, OpenBLAS's spinning threads
    made small products up to 8× slower on a busy machine."""
    from threadpoolctl import threadpool_limits

    n = x.shape[0]
    block_mb = default_block_mb(n) if block_mb is None else block_mb
    factors = {id(a): _squared_distance_factors(a) for a in (x, y) if a.shape[1] > 1}

    def side(a: np.ndarray, s: int, e: int) -> np.ndarray:
        """Squared distances of rows s:e to every point (compared as such)."""
        if a.shape[1] == 1:  # exact differences
            d = a[s:e, 0][:, None] - a[:, 0][None, :]
            return np.square(d, out=d)
        left, right = factors[id(a)]
        d = left[s:e] @ right
        return np.maximum(d, 0, out=d)

    def block(bounds: tuple[int, int]) -> tuple[np.ndarray, ...]:
        s, e = bounds
        rows = np.arange(e - s)
        dx, dy = side(x, s, e), side(y, s, e)
        dx[rows, rows + s] = 0
        dy[rows, rows + s] = 0
        dz = np.maximum(dx, dy)
        dz[rows, rows + s] = -1  # the point itself sorts first
        if variant == 1:
            dz.partition(k, axis=1)  # in place: d_z is not needed again
            eps = dz[:, k].copy()
            nx = np.count_nonzero(dx < eps[:, None], axis=1) - 1
            ny = np.count_nonzero(dy < eps[:, None], axis=1) - 1
        else:
            idx = np.argpartition(dz, k, axis=1)[:, : k + 1]
            eps = np.take_along_axis(dz, idx, axis=1).max(axis=1)
            ex = np.take_along_axis(dx, idx, axis=1).max(axis=1)
            ey = np.take_along_axis(dy, idx, axis=1).max(axis=1)
            nx = np.count_nonzero(dx <= ex[:, None], axis=1) - 1
            ny = np.count_nonzero(dy <= ey[:, None], axis=1) - 1
        return eps, nx, ny

    step = _rows_per_block(n, block_mb)
    bounds = [(s, min(n, s + step)) for s in range(0, n, step)]
    if workers > 1 and len(bounds) > 1:
        with threadpool_limits(1), ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(block, bounds))
    else:
        parts = [block(b) for b in bounds]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))


def _thread_count(workers: int) -> int:
    """``workers`` as a thread count: negative counts as in scipy (-1: every core this
    process may use, as the run's thread budget counts them)."""
    from mibench.core.threads import available_cores

    return max(1, available_cores() + 1 + workers) if workers < 0 else max(1, workers)


def _row_chunks(n: int, workers: int) -> np.ndarray:
    """Edges of the row chunks the compiled kernels run on: four per thread (they
    release the GIL), so a chunk on a busy core delays the end by a quarter of its
    share at most; one chunk on one thread or for fewer than 128 rows."""
    threads = _thread_count(workers)
    chunks = min(max(1, n // 64), 4 * threads) if threads > 1 else 1
    return np.linspace(0, n, chunks + 1).astype(np.int64)


def _on_chunks(n: int, workers: int, fn: Callable[[int, int], None]) -> None:
    """``fn(start, stop)`` over :func:`_row_chunks`, on a thread pool of ``workers``."""
    edges = _row_chunks(n, workers)
    spans = [(int(a), int(b)) for a, b in itertools.pairwise(edges)]
    if len(spans) == 1:
        fn(*spans[0])
        return
    with ThreadPoolExecutor(max_workers=_thread_count(workers)) as pool:
        list(pool.map(lambda span: fn(*span), spans))


def euclidean_by_products(metric: str, n: int, dim: int) -> bool:
    """Whether the CPU brute force takes its Euclidean distances from BLAS matrix
    products (:func:`_brute_euclidean`) rather than the compiled kernel: only for
    large samples in many dimensions. Side by side on a 2-core x86 CPU, kernel
    against products: N 5000, joint dimension 2 to 100, 0.013–0.13 s against
    0.11–0.20 s; N 50 000, joint 12: 2.7 s against 14.6 s, joint 50: 15.2 s against
    16.6 s, joint 100: 26.0 s against 17.1 s (a product's cost hardly grows with
    the dimension, the kernel's does)."""
    return metric == "euclidean" and n > 10_000 and dim > 50


def _brute_compiled(x: np.ndarray, y: np.ndarray, k: int, variant: int, metric: str,
                    workers: int) -> tuple[np.ndarray, ...]:
    """The brute force through :func:`._knn_kernels.ksg_rows` (the Euclidean ε
    squared, as the distances it ranks)."""
    from . import _knn_kernels as kern

    n = x.shape[0]
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    width = kern.tile_width(n)
    x_tiles, y_tiles = kern.tiled(x, width), kern.tiled(y, width)
    eps = np.empty(n)
    nx = np.empty(n, dtype=np.int64)
    ny = np.empty(n, dtype=np.int64)
    euclidean = metric == "euclidean"
    _on_chunks(n, workers, lambda s, e: kern.ksg_rows(
        x, y, x_tiles, y_tiles, s, e, k, variant, euclidean, kern.GROUP, eps, nx, ny))
    return eps, nx, ny


def _brute_cpu(x: np.ndarray, y: np.ndarray, k: int, variant: int, metric: str,
               workers: int, block_mb: float | None) -> tuple[np.ndarray, ...]:
    """The CPU brute force: the compiled kernel, or the matrix products where
    :func:`euclidean_by_products` says so (ε squared for the Euclidean norm)."""
    if euclidean_by_products(metric, x.shape[0], x.shape[1] + y.shape[1]):
        return _brute_euclidean(x, y, k, variant, workers, block_mb)
    return _brute_compiled(x, y, k, variant, metric, workers)


def _brute_torch(x: np.ndarray, y: np.ndarray, k: int, variant: int, metric: str,
                 device: str, block_mb: float | None) -> tuple[np.ndarray, ...]:
    import torch

    block_mb = 256.0 if block_mb is None else block_mb  # device memory is plentiful
    n = x.shape[0]
    dev = torch.device(device)
    xt = torch.as_tensor(x, dtype=torch.float64, device=dev)
    yt = torch.as_tensor(y, dtype=torch.float64, device=dev)
    euclid = metric == "euclidean"
    sqx = (xt * xt).sum(1) if euclid else None
    sqy = (yt * yt).sum(1) if euclid else None

    def side(a: torch.Tensor, sq: torch.Tensor | None, s: int, e: int) -> torch.Tensor:
        if sq is not None and a.shape[1] == 1:
            return (a[s:e] - a.T).square_()
        if sq is not None:
            d = torch.addmm(sq[s:e, None] + sq[None, :], a[s:e], a.T, alpha=-2)
            return d.clamp_min_(0)
        return torch.cdist(a[s:e], a, p=math.inf)

    eps_all, nx_all, ny_all = [], [], []
    step = _rows_per_block(n, block_mb)
    for s in range(0, n, step):
        e = min(n, s + step)
        rows = torch.arange(e - s, device=dev)
        dx, dy = side(xt, sqx, s, e), side(yt, sqy, s, e)
        dx[rows, rows + s] = 0
        dy[rows, rows + s] = 0
        dz = torch.maximum(dx, dy)
        dz[rows, rows + s] = -1
        if variant == 1:
            eps = torch.kthvalue(dz, k + 1, dim=1).values
            nx = (dx < eps[:, None]).sum(1) - 1
            ny = (dy < eps[:, None]).sum(1) - 1
        else:
            idx = torch.topk(dz, k + 1, dim=1, largest=False).indices
            eps = dz.gather(1, idx).amax(1)
            nx = (dx <= dx.gather(1, idx).amax(1)[:, None]).sum(1) - 1
            ny = (dy <= dy.gather(1, idx).amax(1)[:, None]).sum(1) - 1
        eps_all.append(eps)
        nx_all.append(nx)
        ny_all.append(ny)
    return tuple(torch.cat(p).cpu().numpy() for p in (eps_all, nx_all, ny_all))


# Where the KD-tree stops beating the brute force, by joint dimension, measured on a
# 2-core x86 CPU with both algorithms forced (benchmarks/ksg_floor.py, runs 6 and 7 of
# benchmarks/results/ksg_floor.md), the brute force being the compiled kernel. At N
# 5000 the tree wins at joint dimension 2 only, for either norm (max: 0.008 s against
# 0.017 s, at 3: 0.021 s against 0.019 s; Euclidean: 0.006 s against 0.013 s, at 3:
# 0.030 s against 0.016 s). At N 50 000 the max-norm tree wins up to 6 (1.33 s against
# 1.81 s; at 8: 3.76 s against 2.49 s), the Euclidean one up to 4 (0.83 s against
# 1.86 s; at 6: 2.51 s against 2.10 s); the unmeasured 7 and 5 go to the tree. The brute
# force costs n² whatever the dimension while a tree's cost grows with n log n until the
# dimension defeats it, so the crossover rises with n; between the two measured
# sizes it is interpolated in log n, outside them it is held at the nearer one.
TREE_CROSSOVER = {"max": ((5_000, 2), (50_000, 7)), "euclidean": ((5_000, 2), (50_000, 5))}


def tree_max_joint_dim(metric: str, n: int) -> int:
    """The largest joint dimension at which ``auto`` uses the KD-tree for ``n`` rows."""
    (n0, d0), (n1, d1) = TREE_CROSSOVER[metric]
    t = min(1.0, max(0.0, (math.log(max(n, 1)) - math.log(n0)) / (math.log(n1) - math.log(n0))))
    return math.floor(d0 + t * (d1 - d0))


def choose_algorithm(algorithm: str, metric: str, n: int, dim: int, device: str) -> str:
    """``tree`` or ``brute`` for ``algorithm="auto"`` (brute on any non-CPU device)."""
    if algorithm != "auto":
        return algorithm
    if device != "cpu":
        return "brute"
    return "tree" if dim <= tree_max_joint_dim(metric, n) else "brute"


def ksg_counts(x: np.ndarray, y: np.ndarray, k: int, *, variant: int, metric: str,
               algorithm: str, workers: int, block_mb: float | None = None,
               device: str = "cpu", who: str = "ksg") -> tuple[np.ndarray, np.ndarray]:
    """Marginal counts (n_x, n_y) of KSG algorithm 1 (strict, radius ε) or 2
    (``≤``, radii ε_x, ε_y), self excluded. Raises InputError where ε = 0."""
    n = x.shape[0]
    algo = choose_algorithm(algorithm, metric, n, x.shape[1] + y.shape[1], device)
    # in one dimension per side the two norms coincide: use the exact max-norm path
    if metric == "euclidean" and x.shape[1] == 1 and y.shape[1] == 1:
        metric = "max"
    if algo == "brute":
        if device == "cpu":
            eps, nx, ny = _brute_cpu(x, y, k, variant, metric, workers, block_mb)
        else:
            eps, nx, ny = _brute_torch(x, y, k, variant, metric, device, block_mb)
        _check_eps(eps, k, who)
        return nx.astype(np.int64), ny.astype(np.int64)
    if metric == "max":
        stats = _joint_tree_max(x, y, k, want_sides=variant == 2, workers=workers)
        count: Callable[..., np.ndarray] = marginal_counts
    else:
        stats = _joint_tree_euclidean(x, y, k, workers)
        count = functools.partial(count_within_tree_euclidean, workers=workers)
    _check_eps(stats.eps, k, who)
    if variant == 1:
        return count(x, stats.eps, strict=True), count(y, stats.eps, strict=True)
    assert stats.eps_x is not None and stats.eps_y is not None
    return count(x, stats.eps_x, strict=False), count(y, stats.eps_y, strict=False)


def _check_eps(eps: np.ndarray, k: int, who: str) -> None:
    zero = int(np.count_nonzero(eps <= 0))
    if zero:
        raise InputError(
            f"{who}: {zero} of {eps.shape[0]} points have more than k={k} exact duplicates, "
            "so the distance to their k-th neighbour is 0 and the estimate is undefined; "
            "keep jitter > 0 (the default) to break ties, or use an estimator for "
            "discrete or mixed data")


def prepare_columns(x: np.ndarray, y: np.ndarray, margins: str, jitter: float,
                    seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each column through ``margins`` (mibench.core.margins; every row fitted: the
    k-NN family has no held-out rows), then the seeded relative jitter."""
    from mibench.plugin import apply_margins

    x, y = apply_margins(margins, x), apply_margins(margins, y)
    if jitter > 0:
        rng = np.random.default_rng(seed)
        x = add_jitter(x, jitter, rng)
        y = add_jitter(y, jitter, rng)
    return x, y


def kth_distance(points: np.ndarray, k: int, metric: str, workers: int) -> np.ndarray:
    """Distance from each point to its k-th nearest other point (max or Euclidean),
    by a KD-tree up to the crossover dimension, by the compiled brute force above it."""
    n, d = points.shape
    if d <= tree_max_joint_dim(metric, n):
        tree = cKDTree(points)
        dist, _ = tree.query(points, k=k + 1, p=np.inf if metric == "max" else 2,
                             workers=workers)
        return dist[:, k]
    from . import _knn_kernels as kern

    pts = np.ascontiguousarray(points, dtype=np.float64)
    tiles = kern.tiled(pts, kern.tile_width(n))
    out = np.empty(n)
    euclidean = metric == "euclidean"
    _on_chunks(n, workers, lambda s, e: kern.kth_rows(
        pts, tiles, s, e, k, euclidean, kern.GROUP, out))
    return np.sqrt(out, out=out) if euclidean else out  # the kernel ranks squared distances


def joint_kth_distance(x: np.ndarray, y: np.ndarray, k: int, metric: str, workers: int
                       ) -> np.ndarray:
    """k-th neighbour distance under max(d_x, d_y) (the KSG joint distance)."""
    if metric == "max" or (x.shape[1] == 1 and y.shape[1] == 1):
        return kth_distance(np.hstack([x, y]), k, "max", workers)
    if x.shape[1] + y.shape[1] <= tree_max_joint_dim("euclidean", x.shape[0]):
        return _joint_tree_euclidean(x, y, k, workers).eps
    eps, _, _ = _brute_cpu(x, y, k, 1, "euclidean", workers, None)
    return np.sqrt(eps)  # the brute force ranks squared distances


def log_unit_ball(d: int, metric: str) -> float:
    """log volume of the unit ball of R^d: 2^d for the max-norm, π^(d/2)/Γ(d/2+1) else."""
    if metric == "max":
        return d * math.log(2)
    return d / 2 * math.log(math.pi) - math.lgamma(d / 2 + 1)


#: The constraints of the parameters every k-NN estimator shares.
JITTER = Real(ge=0, text="a number >= 0")
#: Threads for the searches: a positive count, or negative as in scipy (-1: every core).
WORKERS = Optional(Either(Integer(min=1), Integer(max=-1), text="a non-zero integer"))
