"""Gaussian mixtures with exact pointwise MI and a Monte Carlo truth.

The mixture tasks of Czyż et al., "Beyond Normal" (NeurIPS 2023) and of its
follow-up on mixture benchmarks ("The Mixtures and the Neural Critics",
Czyż, Grabowski, Vogt, Beerenwinkel, Marx, 2024): the joint density
p(x, y) = Σ_c w_c N((x, y); μ_c, Σ_c) is known, and so are its marginals (the
mixtures of the components' marginals), so the pointwise mutual information

    pmi(x, y) = log p(x, y) − log p(x) − log p(y)

is exact. MI = E[pmi] has no closed form; it is the mean of pmi over
``MC_SAMPLES`` draws from a fixed seed, and ``mi_se`` is the standard error of
that mean (the sd of pmi over √M). Results are cached per task.

Some tasks apply an invertible map T to X after sampling (``galaxy``,
``waves``); MI is unchanged and pmi(T(x), y) = pmi_base(x, y), so ``pmi``
maps the observed x back with T⁻¹ first.

Families (defaults are the benchmark's settings):

* ``mixture-x``: ½ N(0, [[1, ρ], [ρ, 1]]) + ½ N(0, [[1, −ρ], [−ρ, 1]]) — an "X".
* ``mixture-ai``: six 2-D components drawing the letters "AI".
* ``galaxy``: two unit balls in (X ∈ R², Y ∈ R) at ±(d/2)(1, 1, 1), X then
  spun by a rotation of angle ``speed``·‖x‖².
* ``waves``: ``components`` Gaussians, cov diag(0.1, 1, 0.1), means
  1.5·(c, 0, c mod 4); X then sheared x₀ += ``amplitude``·sin(``frequency``·x₁)
  and scaled to (0.1 x₀ − 0.8, 0.5 x₁).
* ``concentric``: components i = 1..``components`` with X ~ N(0, i² I),
  Y ~ N(i, 10⁻⁴): Y tells the radius of X.
* ``gaussian-inliers``: with probability 1 − ``inliers`` the ``gaussian-pairs``
  distribution (k pairs of correlation ρ), otherwise X and Y drawn
  independently from the same marginals.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import logsumexp

from mibench.plugin import Integer, Real, Task, param, register_task, require

MC_SAMPLES = 200_000
MC_SEED = 20231
_BATCH = 20_000


def _mvn_logpdf(z: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """log N(z; mean, L Lᵀ) of each row, from the Cholesky factor L."""
    sol = solve_triangular(chol, (z - mean).T, lower=True, check_finite=False)
    return -0.5 * (np.einsum("ij,ij->j", sol, sol) + z.shape[1] * math.log(2 * math.pi)) \
        - np.log(np.diag(chol)).sum()


class GaussianMixtureTask(Task):
    """Base of tasks whose (untransformed) law is a Gaussian mixture.

    Subclasses set ``_weights`` (K,), ``_means`` (K, d) and ``_covs`` (K, d, d)
    with ``_dx`` the dimension of X, and may override ``_forward_x`` /
    ``_inverse_x`` for an invertible map of X applied after sampling.
    """

    _weights: np.ndarray
    _means: np.ndarray
    _covs: np.ndarray
    _dx: int

    def _set_mixture(self, weights: list[float], means: list[list[float]],
                     covs: list[np.ndarray], dim_x: int) -> None:
        self._weights = np.asarray(weights, dtype=float)
        self._weights = self._weights / self._weights.sum()
        self._means = np.asarray(means, dtype=float)
        self._covs = np.asarray(covs, dtype=float)
        self._dx = dim_x
        self._chols = np.linalg.cholesky(self._covs)

    @property
    def dim_x(self) -> int:
        return self._dx

    @property
    def dim_y(self) -> int:
        return self._means.shape[1] - self._dx

    def _forward_x(self, x: np.ndarray) -> np.ndarray:
        return x

    def _inverse_x(self, x: np.ndarray) -> np.ndarray:
        return x

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        comp = rng.choice(self._weights.size, size=n, p=self._weights)
        z = rng.standard_normal((n, self._means.shape[1]))
        z = np.einsum("nij,nj->ni", self._chols[comp], z) + self._means[comp]
        return self._forward_x(z[:, : self._dx]), z[:, self._dx :]

    def _log_density(self, z: np.ndarray, sl: slice) -> np.ndarray:
        logw = np.log(self._weights)
        key = (sl.start, sl.stop)
        cache = self.__dict__.setdefault("_marginal_chols", {})
        if key not in cache:  # Cholesky factors of each component's (marginal) covariance
            cache[key] = [np.linalg.cholesky(c[sl, sl]) for c in self._covs]
        terms = [logw[c] + _mvn_logpdf(z, self._means[c, sl], cache[key][c])
                 for c in range(self._weights.size)]
        return logsumexp(np.stack(terms), axis=0)

    def pmi(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Pointwise mutual information log p(x, y) − log p(x) − log p(y), in nats."""
        x = self._inverse_x(np.asarray(x, dtype=float).reshape(-1, self.dim_x))
        y = np.asarray(y, dtype=float).reshape(-1, self.dim_y)
        dx = self._dx
        d = self._means.shape[1]
        return (self._log_density(np.hstack([x, y]), slice(0, d))
                - self._log_density(x, slice(0, dx)) - self._log_density(y, slice(dx, d)))

    @property
    def mi(self) -> float:
        return _monte_carlo_mi(self)[0]

    @property
    def mi_se(self) -> float:
        return _monte_carlo_mi(self)[1]


@functools.lru_cache(maxsize=128)
def _monte_carlo_mi(task: GaussianMixtureTask) -> tuple[float, float]:
    """Mean of pmi over MC_SAMPLES seeded draws and its standard error."""
    rng = np.random.default_rng(MC_SEED)
    total, total_sq, m = 0.0, 0.0, 0
    while m < MC_SAMPLES:
        b = min(_BATCH, MC_SAMPLES - m)
        x, y = task.sample(b, rng)
        p = task.pmi(x, y)
        total += float(p.sum())
        total_sq += float((p * p).sum())
        m += b
    mean = total / m
    var = max(0.0, total_sq / m - mean * mean) * m / (m - 1)
    return mean, math.sqrt(var / m)


#: The constraints of these tasks' parameters.
NUMBER = Real(finite=True, cast=True)
CORR = Real(gt=-1, lt=1, cast=True)
COUNT = Integer(min=1)


@register_task("mixture-x")
class MixtureX(GaussianMixtureTask):
    """Two equally weighted 2-D Gaussians with correlations +rho and −rho (an "X")."""

    description = "1x1 mixture of N(0, corr rho) and N(0, corr -rho): an X; MI by Monte Carlo"

    rho: float = param(0.9, CORR, "correlation of one component (the other has −rho)")

    def __post_init__(self) -> None:
        covs = [np.array([[1.0, s * self.rho], [s * self.rho, 1.0]]) for s in (-1, 1)]
        self._set_mixture([0.5, 0.5], [[0, 0], [0, 0]], covs, 1)

    @classmethod
    def examples(cls) -> list[str]:
        return ["mixture-x", "mixture-x[rho=0.5]"]


@register_task("mixture-ai")
class MixtureAI(GaussianMixtureTask):
    """Six 2-D Gaussians that draw the letters "AI"."""

    description = "1x1 mixture of six Gaussians drawing the letters AI; MI by Monte Carlo"

    def __init__(self) -> None:
        v, c = 0.04, 0.95
        off = math.sqrt(v * 0.2) * c
        means = [[1.0, 0.0], [1.0, 1.0], [1.0, -1.0], [-0.8, -0.2], [-1.2, 0.0], [-0.4, 0.0]]
        covs = [np.diag([0.01, 0.2]), np.diag([0.05, 0.001]), np.diag([0.05, 0.001]),
                np.diag([0.03, 0.001]), np.array([[v, off], [off, 0.2]]),
                np.array([[v, -off], [-off, 0.2]])]
        self._set_mixture([1 / 6] * 6, means, covs, 1)

    @classmethod
    def examples(cls) -> list[str]:
        return ["mixture-ai"]


def _rotate(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    return np.column_stack([c * x[:, 0] - s * x[:, 1], s * x[:, 0] + c * x[:, 1]])


@register_task("galaxy")
class Galaxy(GaussianMixtureTask):
    """Two unit balls in R³ split 2 | 1, X spun by the angle speed·‖x‖²."""

    description = "2x1 two Gaussian balls, X spun into a spiral galaxy; MI by Monte Carlo"

    speed: float = param(0.5, NUMBER, "spin: angle per squared unit norm")
    distance: float = param(3.0, Real(ge=0, finite=True, cast=True),
                            "distance between the two balls' centres (per axis)")

    def __post_init__(self) -> None:
        h = self.distance / 2
        self._set_mixture([0.5, 0.5], [[-h] * 3, [h] * 3], [np.eye(3), np.eye(3)], 2)

    def _forward_x(self, x: np.ndarray) -> np.ndarray:
        return _rotate(x, self.speed * np.einsum("ij,ij->i", x, x))

    def _inverse_x(self, x: np.ndarray) -> np.ndarray:  # rotations keep the norm
        return _rotate(x, -self.speed * np.einsum("ij,ij->i", x, x))

    @classmethod
    def examples(cls) -> list[str]:
        return ["galaxy", "galaxy[speed=0.2,distance=2]"]


@register_task("waves")
class Waves(GaussianMixtureTask):
    """Gaussians along a line in (X₀, Y), X sheared by a sine of X₁, then rescaled."""

    description = "2x1 mixture sheared into waves; MI by Monte Carlo"

    components: int = param(12, COUNT, "Gaussians along the line")
    amplitude: float = param(5.0, NUMBER, "amplitude of the sine shear")
    frequency: float = param(3.0, NUMBER, "frequency of the sine shear")

    def __post_init__(self) -> None:
        k = self.components
        means = [[1.5 * c, 0.0, 1.5 * (c % 4)] for c in range(k)]
        self._set_mixture([1 / k] * k, means, [np.diag([0.1, 1.0, 0.1])] * k, 2)

    def _forward_x(self, x: np.ndarray) -> np.ndarray:
        x0 = x[:, 0] + self.amplitude * np.sin(self.frequency * x[:, 1])
        return np.column_stack([0.1 * x0 - 0.8, 0.5 * x[:, 1]])

    def _inverse_x(self, x: np.ndarray) -> np.ndarray:
        x1 = x[:, 1] / 0.5
        x0 = (x[:, 0] + 0.8) / 0.1 - self.amplitude * np.sin(self.frequency * x1)
        return np.column_stack([x0, x1])

    @classmethod
    def examples(cls) -> list[str]:
        return ["waves", "waves[components=6,amplitude=2]"]


@register_task("concentric")
class Concentric(GaussianMixtureTask):
    """X ~ N(0, i² I) and Y ~ N(i, 10⁻⁴) for a uniform component i = 1..components."""

    description = "dim_x x 1 concentric Gaussians; Y tells the radius; MI by Monte Carlo"

    dim_x: int = param(3, COUNT, "dimension of X")
    components: int = param(5, COUNT, "radii (components)")

    def __post_init__(self) -> None:
        d, k = self.dim_x, self.components
        means = [[0.0] * d + [float(i)] for i in range(1, k + 1)]
        covs = [np.diag([float(i * i)] * d + [1e-4]) for i in range(1, k + 1)]
        self._set_mixture([1 / k] * k, means, covs, d)

    @classmethod
    def examples(cls) -> list[str]:
        return ["concentric", "concentric[dim_x=5,components=10]"]


@register_task("gaussian-inliers")
class GaussianInliers(GaussianMixtureTask):
    """``gaussian-pairs`` with a fraction ``inliers`` of pairs drawn independently."""

    description = "k correlated pairs, a fraction of (X, Y) pairs drawn independently from " \
                  "the same marginals; MI by Monte Carlo"

    dim_x: int = param(5, COUNT, "dimension of X")
    dim_y: int = param(5, COUNT, "dimension of Y")
    k: int = param(2, Integer(min=0), "correlated pairs")
    rho: float = param(0.8, CORR, "their correlation")
    inliers: float = param(0.2, Real(ge=0, lt=1, cast=True),
                           "fraction of (X, Y) pairs drawn independently")

    def __post_init__(self) -> None:
        dx, dy = self.dim_x, self.dim_y
        require(self.k <= min(dx, dy),
                f"{self.name}: k must be at most min(dim_x, dim_y); got {self.k}")
        signal = np.eye(dx + dy)
        signal[np.arange(self.k), dx + np.arange(self.k)] = self.rho
        signal[dx + np.arange(self.k), np.arange(self.k)] = self.rho
        zero = [0.0] * (dx + dy)
        weights, means, covs = [1 - self.inliers], [zero], [signal]
        if self.inliers > 0:  # the product of the signal's marginals (here: independent)
            weights.append(self.inliers)
            means.append(zero)
            covs.append(np.eye(dx + dy))
        self._set_mixture(weights, means, covs, dx)

    @classmethod
    def examples(cls) -> list[str]:
        return ["gaussian-inliers", "gaussian-inliers[dim_x=3,dim_y=4,inliers=0.5]"]
