"""Kraskov–Stögbauer–Grassberger k-nearest-neighbour MI estimator (KSG).

Reference: A. Kraskov, H. Stögbauer, P. Grassberger, "Estimating mutual
information", Phys. Rev. E 69, 066138 (2004).

Distances: within X and within Y the max-norm (``metric="max"``, KSG's
choice) or the Euclidean norm (``metric="euclidean"``, the choice of the
``bmi`` benchmark); in Z = (X, Y) the larger of the two. Neighbours come from
KD-trees or an exact brute force — on the CPU a compiled (numba) kernel, or
blocked on a torch device (``algorithm``, ``device``; see :mod:`._knn`).

Algorithm 1 (``variant=1``)
    ε_i is the distance from z_i to its k-th nearest neighbour in Z;
    n_x(i) = #{j ≠ i : ‖x_i − x_j‖ < ε_i} (strict), n_y(i) likewise;
    I = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩.

Algorithm 2 (``variant=2``)
    ε_x(i), ε_y(i) are the largest X- and Y-distances from z_i to its k
    nearest neighbours in Z; n_x(i) = #{j ≠ i : ‖x_i − x_j‖ ≤ ε_x(i)};
    I = ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x) + ψ(n_y)⟩.

Exactness: the strict inequality of algorithm 1 is evaluated in the same
floating-point arithmetic as the neighbour distances: with a max-norm KD-tree
(which counts ``≤ r``) the radius is the next float below ε_i, the sort-based
count used for 1-D marginals bisects on the exact predicate
``|x_i − x_j| < ε_i``, and the brute force compares the very distances it
ranked. No absolute epsilon is used, so the result does not depend on the
scale of the data.

Data are standardised per column (zero mean, unit variance), then a tiny
seeded Gaussian jitter breaks ties, as KSG recommend for data with repeated
values. The jitter of a column is ``jitter`` × that column's standard
deviation, with or without standardisation, so it is the same relative
perturbation at any scale of the data. Without jitter, more than k copies of
a point give it ε = 0, where the estimator is undefined (ψ(n_x + 1) of a
count that excludes the copies): that is an :class:`~mibench.InputError`
naming the count, never a silently huge estimate. The estimate is not
clipped at zero (clipping would bias the mean over seeds).
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from mibench.plugin import (
    ContractSettings,
    EstimateResult,
    Estimator,
    Integer,
    OneOf,
    Optional,
    Real,
    Text,
    margins_param,
    param,
    register_estimator,
    require,
    resolve_device,
    thread_budget,
)

from ._knn import (
    ALGORITHMS,
    JITTER,
    METRICS,
    WORKERS,
    choose_algorithm,
    ksg_counts,
    prepare_columns,
)

_WARMED: set[type] = set()


@register_estimator("ksg")
class KSG(Estimator):
    """Kraskov–Stögbauer–Grassberger k-NN estimator (algorithms 1 and 2).

    Margins: ``standardize`` stays the default, by the rule that a default changes only
    where no task gets worse beyond its seed spread (benchmarks/variant_rule.py; bmi-v1
    and the zoo, N 5000, 3 seeds). ``normal-scores`` is better on 12 of the 40 bmi-v1
    tasks (all seven Student-t tasks: student-identity-2-2-1 0.263 → 0.411, truth 0.432)
    and on 4 of the 19 zoo tasks, the same on 41, but worse on two: the zoo's
    ``nonlinear[dim=5,f=sin]`` (1.581 → 1.445, truth 1.823) and bmi's 25 + 25 spiral
    (0.138 → 0.125, truth 1.022). On 10 fresh seeds the first loss repeats (1.592 ±
    0.026 → 1.468 ± 0.022) and the second does not (0.134 → 0.130;
    benchmarks/results/margins_confirm.md). Use ``margins=normal-scores`` on heavy tails.
    """

    description = "Kraskov k-NN estimator (KSG 2004), algorithms 1 and 2, max or Euclidean " \
                  "norms, KD-trees or exact brute force (compiled kernel, torch/CUDA)"
    contract = ContractSettings(zero_tol=0.05, easy_tol=0.06)

    k: int = param(3, Integer(min=1),
                   "number of neighbours (KSG recommend 2–4; larger k: less variance, more bias)")
    variant: int = param(1, OneOf(1, 2), "1 (default) or 2, the two algorithms of the paper")
    metric: str = param("max", OneOf(*METRICS),
                        "norm within X and within Y; the joint distance is the larger of the two")
    algorithm: str = param("auto", OneOf(*ALGORITHMS),
                           "neighbour search: KD-trees, exact brute force, or chosen "
                           "from the joint dimension (measured crossovers; brute on a GPU)")
    device: str = param("cpu", Text(),
                        "cpu (numpy), auto, or a torch device such as cuda for the brute force")
    block_mb: float | None = param(None, Optional(Real(gt=0, cast=True)),
                                   "memory bound of one brute-force block (MiB); none: 8 "
                                   "(at least 32 rows) for the Euclidean norm on the CPU, 256 "
                                   "on a torch device (see _knn.default_block_mb); the CPU "
                                   "max-norm kernel works row by row and ignores it")
    jitter: float = param(1e-10, JITTER, "scale of the seeded Gaussian noise that breaks ties, "
                                         "relative to each column's sd; 0 turns it off (then "
                                         "more than k duplicates of a point are an error)")
    margins: str = margins_param("standardize", "every row, before the neighbour search "
                                 "(the norms mix columns, so their scales matter)",
                                 replaces_standardize=True)
    seed: int = param(0, Integer(), "seed of the jitter")
    workers: int | None = param(None, WORKERS, "threads for the neighbour search; none uses "
                                               "the run's thread budget")

    def __post_init__(self) -> None:
        require(not (self.algorithm == "tree" and self.device not in ("cpu", "auto")),
                f"ksg: algorithm=tree runs on the CPU only; got device={self.device!r}")

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return self.k + 1

    def _device(self) -> str:
        # the brute force computes in float64, which Apple's MPS does not have
        return resolve_device(self.device, accelerators=("cuda",))

    def prepare(self) -> None:
        """Import scikit-learn's KD-tree (about a second the first time) and run one
        small estimate through the tree and brute-force paths, once per process (which
        loads the compiled kernels, or compiles them in a fresh environment), so that
        none of it is charged to the first timed cell."""
        if type(self) in _WARMED:
            return
        rng = np.random.default_rng(0)
        z = rng.standard_normal((500, 4))
        self.estimate(z[:, :1], z[:, 1:2])
        self.estimate(z[:, :2], z[:, 2:])
        for algorithm in ("tree", "brute"):
            self.with_params(algorithm=algorithm).estimate(z[:, :2], z[:, 2:])
        _WARMED.add(type(self))

    def _prepare(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return prepare_columns(x, y, self.margins, self.jitter, self.seed)

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> EstimateResult:
        n = x.shape[0]
        k = self.k
        workers = self.workers if self.workers is not None else thread_budget()
        device = self._device()
        x, y = self._prepare(x, y)
        nx, ny = ksg_counts(x, y, k, variant=self.variant, metric=self.metric,
                            algorithm=self.algorithm, workers=workers,
                            block_mb=self.block_mb, device=device)
        if self.variant == 1:
            value = digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))
        else:
            value = digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))
        return EstimateResult(float(value), device=device)

    def algorithm_for(self, n: int, dim_x: int, dim_y: int) -> str:
        """The search ``algorithm="auto"`` would use for this shape."""
        return choose_algorithm(self.algorithm, self.metric, n, dim_x + dim_y, self._device())
