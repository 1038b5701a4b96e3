"""Image tasks whose true MI is known, built offline: digits and rendered blobs.

Every image comes from scikit-learn's bundled ``digits`` (1 797 images of
8 × 8 pixels, grey levels 0–16, inside the wheel: nothing is downloaded) or is
rendered from numbers. Images are kept flat, one row per sample, in C order of
their declared :attr:`~mibench.Task.image_shape` (channels, height, width), so
vector estimators take them as they are and a convolutional critic can
reshape them.

``class-channel`` (after Lee & Rhee, NeurIPS 2024 Datasets & Benchmarks)
    Each of ``k`` independent sources draws a class C uniformly from ``classes``
    (m of them) and passes it through the m-ary symmetric channel: C′ = C with
    probability 1 − β, else one of the other m − 1 classes uniformly (for m = 2
    the binary symmetric channel). X shows a digit image of class C, Y an
    independently drawn image of class C′; the k sources are tiled side by side
    (``layout="tiles"``) or stacked as channels. ``nuisance`` independent
    digits of any class are tiled beside them on each side.

    Truth: I(X; Y) = k·(log m − H_b(β) − β·log(m − 1)) nats (k·(log 2 − H_b(β))
    for two classes), exactly, because the class is a function of the image:
    X → C → C′ → Y is a Markov chain, so I(X; Y) ≤ I(C; C′), and C = f(X),
    C′ = g(Y) give I(X; Y) ≥ I(f(X); g(Y)) = I(C; C′). It is a function here
    because (i) no digit image occurs in two classes (checked when the pools are
    built; none does in this dataset) and (ii) the dequantisation noise added to
    every pixel is uniform on [0, ``noise``) with ``noise`` ≤ 1: pixel values are
    integers, so the floor of a noisy image is the image it came from, and that
    image has one class. Distractors are independent of everything, so they
    add no information.

``rendered``
    Correlated standard Gaussian latents Z_X, Z_Y (``latents`` coordinates each,
    corr(Z_X,i, Z_Y,i) = ρ, the rest independent) are each rendered as one
    Gaussian blob on a ``size`` × ``size`` image: I(x, y) = a·exp(−‖p − c‖²/2s²) at
    pixel p, with the blob's column, row, intensity a and width s driven, in
    that order, by the latent coordinates through Φ (the others fixed).
    Truth: I(X; Y) = I(Z_X; Z_Y) = −(latents/2)·log(1 − ρ²), because the map is
    injective: every pixel is positive, and log I(p) = log a − ‖c‖²/2s² + p·c/s²
    − ‖p‖²/2s² is affine in (1, p, ‖p‖²), so any four pixels not on one circle
    give (a, c, s) and Φ⁻¹ gives the latents back (:func:`unrender` does it;
    the tests check it to 1e-6). MI is invariant under injective maps of X and
    of Y, so the images carry exactly the latents' MI, whatever the image size.

``digit-rows`` (the self-consistency tests of Song & Ermon, ICLR 2020)
    X is a digit drawn uniformly from the 1 797, its pixels quantised to
    ``levels`` grey levels; Y reveals its top ``t`` rows and masks the rest
    (zeros). Both get their own dequantisation noise, as above. ``test`` picks:

    * ``baseline``: (X, Y_t) — the estimate should rise with t;
    * ``data-processing``: ([X, X′], [Y_t, Y_{t−3}]) with X′ the same digit
      under other noise — the estimate should equal the baseline's at t
      (Y_{t−3} is a function of Y_t);
    * ``additivity``: ([X₁, X₂], [Y₁,t, Y₂,t]) for two independent digits — the
      estimate should be twice the baseline's.

    Because X is drawn from a finite pool, I(X; Y_t) is finite and exact by
    counting: Y_t (its floor) is a function of X, so I(X; Y_t) = H(Y_t), the
    entropy of the top-t-row patterns of the pool images (uniform over
    images). With binary pixels (``levels=2``, the default) it climbs from
    2.25 nats (t = 1) to 7.44 (t = 8); at the full 17 levels one row already
    tells most images apart and the truth is flat at log 1797 = 7.49 from t = 2.
    Data processing has the baseline's truth, additivity twice it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from mibench.plugin import (
    Consistency,
    Constraint,
    Integer,
    OneOf,
    Real,
    Reject,
    Suite,
    SuiteGroup,
    Task,
    param,
    register_suite,
    register_task,
    require,
)

SIDE = 8  # pixels of a digit image along each side
GREY_LEVELS = 17  # the dataset's pixel values are 0..16


@functools.lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits: images (1797, 8, 8) of integers 0..16, classes (1797,)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images.astype(np.float64), data.target.astype(np.int64)


@functools.lru_cache(maxsize=16)
def class_pools(classes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """The image indices of each class; refuses if an image occurs in two classes
    (then the class would not be a function of the image)."""
    images, target = digits()
    flat = images.reshape(len(images), -1)
    _, inverse = np.unique(flat, axis=0, return_inverse=True)
    owners: dict[int, set[int]] = {}
    for i, u in enumerate(inverse.ravel()):
        owners.setdefault(int(u), set()).add(int(target[i]))
    shared = [u for u, cls in owners.items() if len(cls & set(classes)) > 1]
    if shared:
        raise ValueError(f"{len(shared)} digit images occur in more than one of {classes}")
    return tuple(np.flatnonzero(target == c) for c in classes)


def symmetric_channel_mi(m: int, beta: float) -> float:
    """I(C; C′) in nats for C uniform on m classes through the m-ary symmetric channel."""
    h = -sum(p * math.log(p) for p in (beta, 1 - beta) if p > 0)
    return math.log(m) - h - (beta * math.log(m - 1) if m > 2 and beta > 0 else 0.0)


def tile(parts: list[np.ndarray], layout: str) -> np.ndarray:
    """Images (n, 8, 8) side by side (``tiles``: (n, 1, 8, 8·T)) or stacked as channels
    ((n, T, 8, 8)), flattened to (n, pixels) in C order."""
    if layout == "tiles":
        joined = np.concatenate(parts, axis=2)  # (n, 8, 8T): one image, one channel
    else:
        joined = np.stack(parts, axis=1)  # (n, T, 8, 8)
    return joined.reshape(len(joined), -1)


def image_shape(tiles: int, layout: str) -> tuple[int, int, int]:
    return (1, SIDE, SIDE * tiles) if layout == "tiles" else (tiles, SIDE, SIDE)


class DigitClasses(Constraint):
    """Two or more distinct digit classes (0–9)."""

    def accept(self, value: Any) -> tuple[int, ...]:
        if isinstance(value, int) or not isinstance(value, (tuple, list)):
            raise Reject
        cls = tuple(value)
        if len(cls) < 2 or len(set(cls)) != len(cls) or not all(
                isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 9 for c in cls):
            raise Reject
        return cls

    def describe(self) -> str:
        return "two or more distinct digit classes such as (0,1)"


NOISE = param(1.0, Real(gt=0, le=1, cast=True),
              "width of the uniform noise added to every pixel (at most 1, so that a noisy "
              "image determines the image it came from)")
LAYOUT = param("tiles", OneOf("tiles", "channels"),
               "digits side by side in one image, or stacked as channels")


@register_task("class-channel")
class ClassChannel(Task):
    """Digit images whose classes pass through a symmetric channel (Lee & Rhee 2024)."""

    description = "X, Y digit images of classes C, C' = channel(C), k sources tiled; " \
                  "MI k(log m - H(beta) - beta log(m-1)), exact"

    k: int = param(1, Integer(min=1), "independent sources (digit pairs)")
    beta: float = param(0.1, Real(ge=0, le=1, cast=True),
                        "probability that C' differs from C (at most (m-1)/m)")
    classes: tuple[int, ...] = param((0, 1), DigitClasses(), "the m classes C takes, uniformly")
    noise: float = NOISE
    nuisance: int = param(0, Integer(min=0),
                          "independent digits of any class beside the sources, on each side")
    layout: str = LAYOUT

    def __post_init__(self) -> None:
        m = len(self.classes)
        require(self.beta <= (m - 1) / m,
                f"{self.name}: beta must be at most (m-1)/m = {(m - 1) / m:.3g} for "
                f"{m} classes (beyond it the channel favours a wrong class); got {self.beta}")
        self._pools = class_pools(self.classes)

    @property
    def tiles(self) -> int:
        return self.k + self.nuisance

    @property
    def dim_x(self) -> int:
        return SIDE * SIDE * self.tiles

    @property
    def dim_y(self) -> int:
        return self.dim_x

    @property
    def image_shape(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        shape = image_shape(self.tiles, self.layout)
        return shape, shape

    @property
    def mi(self) -> float:
        return self.k * symmetric_channel_mi(len(self.classes), self.beta)

    def channel(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Class indices (n, k) of X's and of Y's sources (positions in ``classes``)."""
        m = len(self.classes)
        c = rng.integers(0, m, (n, self.k))
        flip = rng.random((n, self.k)) < self.beta
        other = (c + 1 + rng.integers(0, m - 1, (n, self.k))) % m
        return c, np.where(flip, other, c)

    def _images(self, cls: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
        images, _ = digits()
        parts = []
        for j in range(cls.shape[1]):
            pick = np.empty(len(cls), dtype=np.int64)
            for i, pool in enumerate(self._pools):
                rows = np.flatnonzero(cls[:, j] == i)
                pick[rows] = pool[rng.integers(0, len(pool), len(rows))]
            parts.append(images[pick])
        parts += [images[rng.integers(0, len(images), len(cls))] for _ in range(self.nuisance)]
        return parts

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        cx, cy = self.channel(n, rng)
        x = tile(self._images(cx, rng), self.layout)
        y = tile(self._images(cy, rng), self.layout)
        return (x + self.noise * rng.random(x.shape), y + self.noise * rng.random(y.shape))

    @classmethod
    def examples(cls) -> list[str]:
        return ["class-channel", "class-channel[k=3,beta=0.2,classes=(3,5,8),nuisance=1]",
                "class-channel[k=2,beta=0,layout=channels,noise=0.5]"]


# -- rendered blobs ---------------------------------------------------------------

@dataclass(frozen=True)
class Blob:
    """How latents become a blob on a ``size`` × ``size`` image (see the module docstring)."""

    size: int

    @property
    def margin(self) -> float:
        return 1.5

    @property
    def span(self) -> float:
        return self.size - 1 - 2 * self.margin

    @property
    def widths(self) -> tuple[float, float]:
        return self.size / 12, self.size / 6

    def params(self, z: np.ndarray) -> tuple[np.ndarray, ...]:
        """(column, row, intensity, width) of each row of latents z (n, 1..4)."""
        n, k = z.shape
        u = ndtr(z)
        mid = np.full(n, 0.5)
        cx = self.margin + self.span * u[:, 0]
        cy = self.margin + self.span * (u[:, 1] if k > 1 else mid)
        a = 0.5 + (u[:, 2] if k > 2 else mid)
        lo, hi = self.widths
        s = lo + (hi - lo) * (u[:, 3] if k > 3 else mid)
        return cx, cy, a, s

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        rows, cols = np.mgrid[0:self.size, 0:self.size]
        return cols.ravel().astype(float), rows.ravel().astype(float)

    def render(self, z: np.ndarray) -> np.ndarray:
        """Images (n, size·size) of the latents z (n, k)."""
        cx, cy, a, s = self.params(z)
        px, py = self.grid()
        d2 = (px[None, :] - cx[:, None]) ** 2 + (py[None, :] - cy[:, None]) ** 2
        return a[:, None] * np.exp(-d2 / (2 * s[:, None] ** 2))


def unrender(images: np.ndarray, size: int, latents: int) -> np.ndarray:
    """The latents back from rendered images (the inverse that makes the map injective):
    least squares of log intensity on (1, column, row, column² + row²)."""
    blob = Blob(size)
    px, py = blob.grid()
    design = np.column_stack([np.ones_like(px), px, py, px**2 + py**2])
    coef, *_ = np.linalg.lstsq(design, np.log(images).T, rcond=None)
    A, B, C, D = coef
    s2 = -1 / (2 * D)
    cx, cy = B * s2, C * s2
    a = np.exp(A + (cx**2 + cy**2) / (2 * s2))
    lo, hi = blob.widths
    u = [(cx - blob.margin) / blob.span, (cy - blob.margin) / blob.span, a - 0.5,
         (np.sqrt(s2) - lo) / (hi - lo)]
    return ndtri(np.column_stack(u[:latents]))


@register_task("rendered")
class Rendered(Task):
    """Correlated Gaussian latents rendered as one blob per image: truth = latent MI."""

    description = "X, Y images of a Gaussian blob whose position, intensity and width " \
                  "are correlated Gaussian latents; MI -latents/2 log(1-rho^2), exact"

    latents: int = param(2, Integer(min=1, max=4),
                         "latent coordinates per side: blob column, row, intensity, width")
    rho: float = param(0.9, Real(gt=-1, lt=1, cast=True), "correlation of each latent pair")
    size: int = param(16, Integer(min=8, max=32), "image side in pixels")

    @property
    def dim_x(self) -> int:
        return self.size * self.size

    @property
    def dim_y(self) -> int:
        return self.dim_x

    @property
    def image_shape(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        return (1, self.size, self.size), (1, self.size, self.size)

    @property
    def mi(self) -> float:
        return -0.5 * self.latents * math.log1p(-self.rho**2)

    def latent_sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        zx = rng.standard_normal((n, self.latents))
        zy = self.rho * zx + math.sqrt(1 - self.rho**2) * rng.standard_normal(zx.shape)
        return zx, zy

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        zx, zy = self.latent_sample(n, rng)
        blob = Blob(self.size)
        return blob.render(zx), blob.render(zy)

    @classmethod
    def examples(cls) -> list[str]:
        return ["rendered", "rendered[latents=4,rho=0.5,size=8]",
                "rendered[latents=1,rho=-0.7,size=32]"]


# -- the self-consistency tests ------------------------------------------------------

@functools.lru_cache(maxsize=32)
def quantised_digits(levels: int) -> np.ndarray:
    """The 1797 digits with their grey levels 0..16 mapped to 0..levels−1."""
    images, _ = digits()
    return np.floor(images * levels / GREY_LEVELS)


@functools.lru_cache(maxsize=64)
def revealed_entropy(levels: int, t: int) -> float:
    """H of the top-t-row pattern of a digit drawn uniformly from the pool (nats)."""
    q = quantised_digits(levels)
    _, counts = np.unique(q[:, :t].reshape(len(q), -1), axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


TESTS = ("baseline", "data-processing", "additivity")


@register_task("digit-rows")
class DigitRows(Task):
    """Digits against their top rows: the self-consistency tests (Song & Ermon 2020)."""

    description = "X a digit, Y its top t rows (self-consistency: baseline, data-processing, " \
                  "additivity); MI by counting over the finite pool"

    t: int = param(4, Integer(min=1, max=SIDE), "rows Y reveals, from the top")
    test: str = param("baseline", OneOf(*TESTS),
                      "baseline (X, Y_t), data-processing ([X, X'], [Y_t, Y_t-3]) or "
                      "additivity ([X1, X2], [Y1_t, Y2_t])")
    levels: int = param(2, Integer(min=2, max=GREY_LEVELS),
                        "grey levels the pixels are quantised to (2: binary)")
    noise: float = NOISE

    def __post_init__(self) -> None:
        require(self.test != "data-processing" or self.t >= 4,
                f"{self.name}: data-processing compares Y_t with Y_(t-3), so t must be at "
                f"least 4; got {self.t}")

    @property
    def tiles(self) -> int:
        return 1 if self.test == "baseline" else 2

    @property
    def dim_x(self) -> int:
        return SIDE * SIDE * self.tiles

    @property
    def dim_y(self) -> int:
        return self.dim_x

    @property
    def image_shape(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        shape = image_shape(self.tiles, "tiles")
        return shape, shape

    @property
    def mi(self) -> float:
        return revealed_entropy(self.levels, self.t) * (2 if self.test == "additivity" else 1)

    @property
    def family(self) -> str:
        return f"digit-rows:{self.test}"

    @property
    def consistency(self) -> Consistency:
        if self.test == "baseline":
            return Consistency("baseline", self.t)
        ref = self.with_params(test="baseline").selector()
        return Consistency(self.test, self.t, ref, 1.0 if self.test == "data-processing" else 2.0)

    def _noisy(self, a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return a + self.noise * rng.random(a.shape)

    def _sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        q = quantised_digits(self.levels)

        def revealed(img: np.ndarray, t: int) -> np.ndarray:
            out = img.copy()
            out[:, t:, :] = 0.0
            return out

        a = q[rng.integers(0, len(q), n)]
        if self.test == "baseline":
            xs, ys = [a], [revealed(a, self.t)]
        elif self.test == "data-processing":
            xs, ys = [a, a], [revealed(a, self.t), revealed(a, self.t - 3)]
        else:
            b = q[rng.integers(0, len(q), n)]
            xs, ys = [a, b], [revealed(a, self.t), revealed(b, self.t)]
        x = self._noisy(tile(xs, "tiles"), rng)
        return x, self._noisy(tile(ys, "tiles"), rng)

    @classmethod
    def examples(cls) -> list[str]:
        return ["digit-rows", "digit-rows[t=1,levels=17]",
                "digit-rows[t=5,test=data-processing]", "digit-rows[t=2,test=additivity]"]


# -- suites -----------------------------------------------------------------------------

_CLASSES = "class-channel[k=1|2|4,beta=0.05]"
_RENDERED = "rendered[latents=2,rho=0.9,size=8|16|32]"
_NEURAL_COST = {"mine": 40.0, "infonce": 40.0, "nwj": 40.0, "smile": 40.0, "kl-dime": 40.0,
                "gan-dime": 40.0, "ksg": 4.0, "gcmi": 0.1, "gaussian": 0.05}

register_suite(Suite(
    name="images",
    description="class-channel digits (k 1, 2, 4 sources; beta 0.05) and rendered blobs "
                "(8x8 to 32x32), N 5000: images with exact MI, nothing downloaded",
    groups=(SuiteGroup(tasks=(_CLASSES, _RENDERED), n=(5_000,), seeds=3),),
    estimators=("mine", "infonce", "ksg", "gcmi", "gaussian"),
    cost_per_cell_s=_NEURAL_COST,
))

_ROWS = "|".join(str(t) for t in range(1, SIDE + 1))
register_suite(Suite(
    name="self-consistency",
    description="Song & Ermon's self-consistency tests on binary digits: baseline (t 1-8), "
                "data processing (t 4-8), additivity (t 1-8), N 5000",
    groups=(SuiteGroup(tasks=(f"digit-rows[t={_ROWS}]",
                              "digit-rows[t=4|5|6|7|8,test=data-processing]",
                              f"digit-rows[t={_ROWS},test=additivity]"),
                       n=(5_000,), seeds=3),),
    estimators=("mine", "infonce", "ksg", "gcmi", "gaussian"),
    cost_per_cell_s=_NEURAL_COST,
))

register_suite(Suite(
    name="images-smoke",
    description="a few seconds of the images suite (CI): tiny N, one seed",
    groups=(SuiteGroup(tasks=("class-channel[k=2,beta=0.05]", "rendered[size=8]"),
                       n=(300,), seeds=1),),
    estimators=("gaussian", "gcmi", "ksg", "mine[steps=60,hidden=(16,),eval_every=20]"),
    cost_per_cell_s={"gaussian": 0.01, "gcmi": 0.01, "ksg": 0.05,
                     "mine[steps=60,hidden=(16,),eval_every=20]": 0.5},
))

register_suite(Suite(
    name="self-consistency-smoke",
    description="a few seconds of the self-consistency suite (CI): t 1, 4, 8, tiny N, one seed",
    groups=(SuiteGroup(tasks=("digit-rows[t=1|4|8]", "digit-rows[t=4|8,test=data-processing]",
                              "digit-rows[t=1|4|8,test=additivity]"),
                       n=(300,), seeds=1),),
    estimators=("gaussian", "gcmi", "ksg"),
    cost_per_cell_s={"gaussian": 0.01, "gcmi": 0.01, "ksg": 0.05},
))
