"""Compiled (numba) kernels for the KSG brute force on the CPU.

Why hand-written kernels: the Chebyshev distance has no matrix-product form, and
``scipy.spatial.distance.cdist(..., "chebyshev")`` runs about one element per cycle
(N 5000, 25 dimensions: 0.18 s per 5000 × 5000 matrix on this project's 2-core x86
machine). The loops below keep four query rows in registers and walk the
reference points with the coordinate as the outer index (so the innermost loop is
contiguous and vectorises), reading each coordinate once for four rows: 3.3–3.7×
faster than ``cdist`` from 3 to 50 dimensions, with the same float64 values (|a − b|
and max are exact operations, so the max-norm results are bit-identical to any
other exact computation). The squared Euclidean distances are summed the same way
from the exact differences. Above 10 000 points the reference points come in tiles
(:func:`tile_width`) so that a group's distance rows stay in cache. The neighbour
selection and the marginal counts then run over the rows just computed, instead of
over whole blocks of matrices as numpy would need.

Every function releases the GIL (``nogil``): the caller spreads chunks of rows
over its own thread pool, so there is no second threading layer to oversubscribe
the cores or to break when called from several threads at once (Dask workers).
Compiled code is cached on disk; the first call in a fresh environment compiles
for one or two seconds. (The cache is keyed by this file: import it under its
installed name, ``mibench_estimators._knn_kernels``, only.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba as nb
import numpy as np


def _compiled(fn: Callable[..., Any]) -> Any:
    """``fn`` compiled without the GIL, cached on disk where numba finds a writable
    place (beside this file, else the user's cache folder); where it finds none,
    numba refuses ``cache=True`` outright, so each process compiles it instead."""
    try:
        return nb.njit(nogil=True, cache=True, boundscheck=False)(fn)
    except RuntimeError:
        return nb.njit(nogil=True, cache=False, boundscheck=False)(fn)

#: Rows computed together in :func:`ksg_rows` (a multiple of 4): from 4 to 32
#: rows ran within 5 % of each other at N 5000 from 2 to 50 dimensions a side, 4
#: fastest at 50 (their buffers, 2 × rows × N float64, stay in cache).
GROUP = 4

@_compiled
def chebyshev_rows(ref_t: np.ndarray, queries: np.ndarray, out: np.ndarray) -> None:
    """out[r, j] = max_a |ref_t[a, j] − queries[r, a]| (``ref_t`` is points × dims
    transposed, C-contiguous); four query rows at a time, the rest one by one."""
    d, n = ref_t.shape
    rows = queries.shape[0]
    full = rows - rows % 4
    for r in range(0, full, 4):
        c0 = queries[r, 0]
        c1 = queries[r + 1, 0]
        c2 = queries[r + 2, 0]
        c3 = queries[r + 3, 0]
        for j in range(n):
            v = ref_t[0, j]
            out[r, j] = abs(v - c0)
            out[r + 1, j] = abs(v - c1)
            out[r + 2, j] = abs(v - c2)
            out[r + 3, j] = abs(v - c3)
        for a in range(1, d):
            c0 = queries[r, a]
            c1 = queries[r + 1, a]
            c2 = queries[r + 2, a]
            c3 = queries[r + 3, a]
            for j in range(n):
                v = ref_t[a, j]
                out[r, j] = max(out[r, j], abs(v - c0))
                out[r + 1, j] = max(out[r + 1, j], abs(v - c1))
                out[r + 2, j] = max(out[r + 2, j], abs(v - c2))
                out[r + 3, j] = max(out[r + 3, j], abs(v - c3))
    for r in range(full, rows):
        c0 = queries[r, 0]
        for j in range(n):
            out[r, j] = abs(ref_t[0, j] - c0)
        for a in range(1, d):
            c0 = queries[r, a]
            for j in range(n):
                out[r, j] = max(out[r, j], abs(ref_t[a, j] - c0))


@_compiled
def sq_euclidean_rows(ref_t: np.ndarray, queries: np.ndarray, out: np.ndarray) -> None:
    """out[r, j] = Σ_a (ref_t[a, j] − queries[r, a])², in the loop order of
    :func:`chebyshev_rows` (the sum runs over the coordinates in order, from the
    exact differences: no ‖a‖² + ‖b‖² − 2a·b cancellation)."""
    d, n = ref_t.shape
    rows = queries.shape[0]
    full = rows - rows % 4
    for r in range(0, full, 4):
        c0 = queries[r, 0]
        c1 = queries[r + 1, 0]
        c2 = queries[r + 2, 0]
        c3 = queries[r + 3, 0]
        for j in range(n):
            v = ref_t[0, j]
            out[r, j] = (v - c0) * (v - c0)
            out[r + 1, j] = (v - c1) * (v - c1)
            out[r + 2, j] = (v - c2) * (v - c2)
            out[r + 3, j] = (v - c3) * (v - c3)
        for a in range(1, d):
            c0 = queries[r, a]
            c1 = queries[r + 1, a]
            c2 = queries[r + 2, a]
            c3 = queries[r + 3, a]
            for j in range(n):
                v = ref_t[a, j]
                out[r, j] += (v - c0) * (v - c0)
                out[r + 1, j] += (v - c1) * (v - c1)
                out[r + 2, j] += (v - c2) * (v - c2)
                out[r + 3, j] += (v - c3) * (v - c3)
    for r in range(full, rows):
        c0 = queries[r, 0]
        for j in range(n):
            out[r, j] = (ref_t[0, j] - c0) * (ref_t[0, j] - c0)
        for a in range(1, d):
            c0 = queries[r, a]
            for j in range(n):
                out[r, j] += (ref_t[a, j] - c0) * (ref_t[a, j] - c0)


def tile_width(n: int) -> int:
    """Reference points per tile: all of them up to 10 000, else 512. At N 50 000 the
    distance rows of a group outgrow the cache and a pass per coordinate goes to
    memory; in tiles of 512 the kernels ran 1.5–2.2× faster at 25 and 50 dimensions
    (equal at 6), while at N 5000 tiling was no better overall."""
    return n if n <= 10_000 else 512


def tiled(a: np.ndarray, width: int) -> np.ndarray:
    """``a`` (points × dims) as (tiles, dims, width), C-contiguous, padded with +inf:
    a padding point is infinitely far from every row, so it is never among the
    neighbours and never counted."""
    n, d = a.shape
    count = -(-n // width)
    padded = np.full((count * width, d), np.inf)
    padded[:n] = a
    return np.ascontiguousarray(padded.reshape(count, width, d).transpose(0, 2, 1))


@_compiled
def _distances(tiles: np.ndarray, queries: np.ndarray, euclidean: bool, out: np.ndarray
               ) -> None:
    for t in range(tiles.shape[0]):
        if euclidean:
            sq_euclidean_rows(tiles[t], queries, out[t])
        else:
            chebyshev_rows(tiles[t], queries, out[t])


@_compiled
def ksg_rows(x: np.ndarray, y: np.ndarray, x_tiles: np.ndarray, y_tiles: np.ndarray,
             start: int, stop: int, k: int, variant: int, euclidean: bool, group: int,
             eps: np.ndarray, nx: np.ndarray, ny: np.ndarray) -> None:
    """KSG statistics of rows ``start:stop``, written into ``eps``, ``nx``, ``ny`` at
    those rows (see ``_knn``'s module docstring): d_x, d_y the max-norm within each
    variable, or with ``euclidean`` the squared Euclidean distances (ε is then
    squared too; the order and the counts are those of the distances). ``x_tiles``
    and ``y_tiles`` are the samples as :func:`tiled` lays them out.

    Variant 1: ε_i the k-th smallest max(d_x, d_y) over j ≠ i, n_x = #{j ≠ i :
    d_x < ε_i}. Variant 2: the k nearest j ≠ i (the first met wins a tie at the
    k-th distance), ε_x(i) the largest d_x among them, n_x = #{j ≠ i : d_x ≤ ε_x(i)};
    likewise for y. Rows are processed ``group`` at a time (a multiple of 4).
    """
    count, _, width = x_tiles.shape
    dxb = np.empty((count, group, width))
    dyb = np.empty((count, group, width))
    best = np.empty(k)
    who_t = np.empty(k, np.int64)
    who_j = np.empty(k, np.int64)
    for g0 in range(start, stop, group):
        g1 = min(stop, g0 + group)
        _distances(x_tiles, x[g0:g1], euclidean, dxb)
        _distances(y_tiles, y[g0:g1], euclidean, dyb)
        for r in range(g1 - g0):
            i = g0 + r
            best[:] = np.inf
            for t in range(count):
                for jj in range(width):
                    v = max(dxb[t, r, jj], dyb[t, r, jj])
                    if v < best[k - 1] and t * width + jj != i:
                        p = k - 1
                        while p > 0 and best[p - 1] > v:
                            best[p] = best[p - 1]
                            who_t[p] = who_t[p - 1]
                            who_j[p] = who_j[p - 1]
                            p -= 1
                        best[p] = v
                        who_t[p] = t
                        who_j[p] = jj
            e = best[k - 1]
            eps[i] = e
            cx = 0
            cy = 0
            if variant == 1:
                for t in range(count):
                    for jj in range(width):
                        cx += dxb[t, r, jj] < e
                        cy += dyb[t, r, jj] < e
                self_in = 1 if e > 0 else 0  # d(i, i) = 0 counts when ε > 0
                nx[i] = cx - self_in
                ny[i] = cy - self_in
            else:
                ex = 0.0
                ey = 0.0
                for p in range(k):
                    ex = max(ex, dxb[who_t[p], r, who_j[p]])
                    ey = max(ey, dyb[who_t[p], r, who_j[p]])
                for t in range(count):
                    for jj in range(width):
                        cx += dxb[t, r, jj] <= ex
                        cy += dyb[t, r, jj] <= ey
                nx[i] = cx - 1  # d(i, i) = 0 ≤ ε_x always
                ny[i] = cy - 1


@_compiled
def kth_rows(points: np.ndarray, tiles: np.ndarray, start: int, stop: int, k: int,
             euclidean: bool, group: int, out: np.ndarray) -> None:
    """out[i] = the distance from point i to its k-th nearest other point (max-norm, or
    squared Euclidean with ``euclidean``), for rows ``start:stop``; the selection of
    :func:`ksg_rows` on one sample laid out by :func:`tiled`."""
    count, _, width = tiles.shape
    buf = np.empty((count, group, width))
    best = np.empty(k)
    for g0 in range(start, stop, group):
        g1 = min(stop, g0 + group)
        _distances(tiles, points[g0:g1], euclidean, buf)
        for r in range(g1 - g0):
            i = g0 + r
            best[:] = np.inf
            for t in range(count):
                for jj in range(width):
                    v = buf[t, r, jj]
                    if v < best[k - 1] and t * width + jj != i:
                        p = k - 1
                        while p > 0 and best[p - 1] > v:
                            best[p] = best[p - 1]
                            p -= 1
                        best[p] = v
            out[i] = best[k - 1]
