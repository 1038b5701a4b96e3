"""The shared training loop of the neural estimators (S members at once).

One call trains S independent critics (stacked weights) on S datasets of the
same size, each member with its own seed, and evaluates each on its own
held-out data. ``S = 1`` is an ordinary single estimate. What is trained and
reported — the objective, its negatives, its held-out reading, its stopping
score and its ceiling — is the estimator's (:class:`~mibench_estimators.neural.NeuralEstimator`
and its subclasses); nothing here depends on which objective it is.

Per member and seed: the data are standardised (an invertible map, so MI is
unchanged), split at random into train and held-out parts; every epoch draws
a permutation of the training rows, which gives the joint batches
(x_i, y_i). By the objective's ``negatives``:

* ``derangement``: each x meets the y of another row of the same epoch, never
  its own (:func:`_negative_rows`) — one product-of-marginals pair per joint pair;
* ``permutation``: each batch's y rows in a random order, so that about one x
  per batch meets its own y (the plain shuffle that caps the f-DIME estimates at
  log of the batch size, Letizia et al. 2024);
* ``in-batch``: every pair of a batch is scored (K(K−1) negatives);
* ``joint``: none — a density model sees the joint batch only.

Nothing in the step loop copies a value to the host: batches come from
permutations drawn on the device, the moving average of MINE lives in a
tensor, and curve values are read only at evaluation points.
"""

from __future__ import annotations

import math
import time
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from mibench.plugin import (
    EstimateResult,
    ParameterError,
    TrainingCurve,
    apply_margins,
    resolve_device,
)

from . import _bounds as B
from ._critics import CRITICS
from ._stopping import EarlyStopping

if TYPE_CHECKING:
    from . import NeuralEstimator


class _Members:
    """Per-member random streams on the training device."""

    def __init__(self, seeds: list[int], device: torch.device) -> None:
        self.cpu = [torch.Generator().manual_seed(int(s)) for s in seeds]
        if device.type == "cpu":
            self.dev = self.cpu
        else:
            self.dev = [torch.Generator(device=device).manual_seed(int(s) + 1) for s in seeds]

    def perms(self, n: int, device: torch.device) -> torch.Tensor:
        """One random permutation of range(n) per member: (S, n)."""
        return torch.stack([torch.randperm(n, generator=g, device=device) for g in self.dev])


def torch_device(name: str) -> torch.device:
    """The torch device an estimator's ``device`` parameter stands for here."""
    return torch.device(resolve_device(name))


# -- what a training step hands the objective, by kind of negatives ----------------

class PairScores:
    """``derangement`` / ``permutation`` negatives: T at the joint pairs and at one
    product pair each, (S, B)."""

    def __init__(self, joint: torch.Tensor, marginal: torch.Tensor) -> None:
        self.joint, self.marginal = joint, marginal


class AllPairScores:
    """``in-batch`` negatives: T(x_i, y_j) for every pair of a batch, (S, K, K);
    ``joint`` is its diagonal, ``marginal`` its K(K−1) other entries."""

    def __init__(self, matrix: torch.Tensor) -> None:
        self.matrix = matrix

    @cached_property
    def joint(self) -> torch.Tensor:
        return torch.diagonal(self.matrix, dim1=-2, dim2=-1)

    @cached_property
    def marginal(self) -> torch.Tensor:
        return B.off_diagonal(self.matrix)


class JointRows:
    """``joint`` (no negatives): the model and the joint batch, for density models."""

    def __init__(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
        self.model, self.x, self.y = model, x, y


def _batches(flat: torch.Tensor, idx: torch.Tensor, bsz: int) -> torch.Tensor:
    """Rows ``idx`` (S, steps·bsz) of ``flat`` laid out as (steps, S, bsz, d), contiguous."""
    s, used = idx.shape
    rows = flat.index_select(0, idx.reshape(-1)).reshape(s, used // bsz, bsz, flat.shape[1])
    return rows.transpose(0, 1).contiguous()


class _Deranged:
    def negatives(self, p1: torch.Tensor, gens: _Members, bsz: int) -> torch.Tensor:
        return _negative_rows(p1, gens)

    def epoch(self, critic: Any, xf: torch.Tensor, yf: torch.Tensor, p1: torch.Tensor,
              gens: _Members, bsz: int) -> tuple[torch.Tensor, ...]:
        p2 = self.negatives(p1, gens, bsz)
        return critic.pair_layout(_batches(xf, p1, bsz), _batches(yf, p1, bsz),
                                  _batches(yf, p2, bsz))

    def step(self, critic: Any, layout: tuple[torch.Tensor, ...], b: int) -> PairScores:
        return PairScores(*critic.pair_scores(layout, b))


class _Permuted(_Deranged):
    def negatives(self, p1: torch.Tensor, gens: _Members, bsz: int) -> torch.Tensor:
        """Each batch's rows in an independent random order per member: a plain shuffle,
        so a row meets its own y with probability 1/bsz."""
        s, used = p1.shape
        order = torch.stack([torch.argsort(torch.rand((used // bsz, bsz), generator=g,
                                                      device=p1.device), dim=1)
                             for g in gens.dev])  # (S, batches, bsz)
        within = p1.reshape(s, used // bsz, bsz)
        return within.gather(2, order).reshape(s, used)


class _InBatch:
    def epoch(self, critic: Any, xf: torch.Tensor, yf: torch.Tensor, p1: torch.Tensor,
              gens: _Members, bsz: int) -> tuple[torch.Tensor, ...]:
        return _batches(xf, p1, bsz), _batches(yf, p1, bsz)

    def step(self, critic: Any, layout: tuple[torch.Tensor, ...], b: int) -> AllPairScores:
        return AllPairScores(critic.all_pairs(layout[0][b], layout[1][b]))


class _Joint(_InBatch):
    def step(self, critic: Any, layout: tuple[torch.Tensor, ...], b: int) -> JointRows:  # type: ignore[override]
        return JointRows(critic, layout[0][b], layout[1][b])


#: How training batches are drawn and scored, by an objective's ``negatives``.
NEGATIVES: dict[str, Any] = {"derangement": _Deranged(), "permutation": _Permuted(),
                             "in-batch": _InBatch(), "joint": _Joint()}


def _adam(critic: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    """Adam; the fused kernel (one launch for all parameters) where torch has it."""
    try:
        return torch.optim.Adam(critic.parameters(), lr=lr, weight_decay=weight_decay,
                                fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(critic.parameters(), lr=lr, weight_decay=weight_decay)


def negative_shifts(n: int, budget: int) -> int:
    """Cyclic shifts of n held-out rows that give about ``budget`` negative pairs."""
    return max(1, min(n - 1, budget // max(n, 1)))


def shifted_pair_scores(critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                        budget: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Scores on held-out rows: joint = aligned rows; negatives = cyclic shifts of y.

    Rows are in random order, so pairing row i with row i + s (s = 1..L) gives
    L·n distinct product-of-marginals pairs without pairing a row with itself.
    """
    s, n, _ = x.shape
    shifts = negative_shifts(n, budget)
    if getattr(critic, "encodes", False):
        # a critic that encodes each side first (convolutions): encode every row once
        # and score the shifted pairs from the codes
        return critic.shifted_scores(x, y, shifts)
    t_joint = critic(x, y)
    chunks = []
    # about 64k critic rows per forward pass keeps activations in cache
    per_chunk = max(1, 65_536 // max(n * s, 1))
    for start in range(1, shifts + 1, per_chunk):
        ks = range(start, min(shifts + 1, start + per_chunk))
        xr = x.repeat(1, len(ks), 1)
        yr = torch.cat([torch.roll(y, -k, dims=1) for k in ks], dim=1)
        chunks.append(critic(xr, yr))
    return t_joint, torch.cat(chunks, dim=1)


class _Data:
    """Each member's rows, standardised with its training rows' statistics, on the device:
    training rows, validation rows (early stopping, the curve) and test rows (the estimate)."""

    def __init__(self, xs: list[np.ndarray], ys: list[np.ndarray], est: NeuralEstimator,
                 gens: _Members, device: torch.device) -> None:
        n = xs[0].shape[0]
        n_hold = max(2, round(est.test_fraction * n))
        self.n_train = n - n_hold
        if self.n_train < 2:
            raise ParameterError(f"test_fraction={est.test_fraction} leaves {self.n_train} "
                                 "training rows")
        parts: list[list[np.ndarray]] = [[], [], [], []]
        for s in range(len(xs)):
            perm = torch.randperm(n, generator=gens.cpu[s]).numpy()
            tr, ho = perm[:self.n_train], perm[self.n_train:]
            # the margins' statistics (or ranks) come from the training rows alone, so
            # the held-out rows that give the estimate play no part in fitting
            x, y = apply_margins(est.margins, xs[s], tr), apply_margins(est.margins, ys[s], tr)
            for part, a in zip(parts, (x[tr], y[tr], x[ho], y[ho]), strict=True):
                part.append(a)
        self.xtr, self.ytr, xho, yho = (
            torch.from_numpy(np.stack(p)).to(device=device, dtype=torch.float32) for p in parts)
        if est.early_stopping:
            n_val = xho.shape[1] // 2
            self.xval, self.yval = xho[:, :n_val], yho[:, :n_val]
            self.xtest, self.ytest = xho[:, n_val:], yho[:, n_val:]
        else:
            self.xval, self.yval, self.xtest, self.ytest = xho, yho, xho, yho
        # a fixed training subset of the held-out size, for the train side of the curve
        n_cmp = min(self.n_train, self.xval.shape[1])
        self.xcmp, self.ycmp = self.xtr[:, :n_cmp], self.ytr[:, :n_cmp]


def train(xs: list[np.ndarray], ys: list[np.ndarray], seeds: list[int],
          est: NeuralEstimator) -> list[EstimateResult]:
    """Train one critic per (x, y, seed) with ``est``'s objective and settings; return
    each member's held-out estimate with its steps, curve and ceiling."""
    t_start = time.perf_counter()
    device = torch_device(est.device)
    S = len(xs)
    dx, dy = xs[0].shape[1], ys[0].shape[1]
    gens = _Members(seeds, device)
    d = _Data(xs, ys, est, gens, device)
    n_train = d.n_train

    critic = CRITICS[est.critic_name](est, S, dx, dy, gens.cpu).to(device)
    est.prepare_model(critic, d.ytr)
    opt = _adam(critic, est.learning_rate, est.weight_decay)
    negatives = NEGATIVES[est.negatives]

    bsz = min(est.batch, n_train)
    per_epoch = max(1, n_train // bsz)
    total = est.steps if est.steps is not None else max(1, math.ceil(est.epochs * per_epoch))
    state: dict[str, Any] = {}  # the objective's own running state (MINE's moving average)
    curve: dict[str, list[Any]] = {"step": [], "train": [], "heldout": []}
    stopper = EarlyStopping(S, est.patience, getattr(critic, "member_of", None))
    # curve points use 10 negatives per held-out row; the final estimate uses eval_pairs
    curve_budget = min(est.eval_pairs, 10 * max(1, d.xval.shape[1]))
    used = per_epoch * bsz
    xflat, yflat = d.xtr.reshape(S * n_train, dx), d.ytr.reshape(S * n_train, dy)
    offsets = (torch.arange(S, device=device) * n_train).unsqueeze(1)
    step = 0
    while step < total and not (est.early_stopping and stopper.done):
        # -- a new epoch: permutations, and batches laid out contiguously, so that a
        # step only takes a view (no per-step gather or concatenation)
        p1 = gens.perms(n_train, device)[:, :used] + offsets
        layout = negatives.epoch(critic, xflat, yflat, p1, gens, bsz)
        for b in range(per_epoch):
            if step >= total:
                break
            loss = -est.train_value(negatives.step(critic, layout, b), state).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if step % est.eval_every == 0 or step == total:
                with torch.no_grad():
                    held = est.heldout(critic, d.xval, d.yval, curve_budget).cpu()
                    trn = est.heldout(critic, d.xcmp, d.ycmp, curve_budget).cpu()
                curve["step"].append(step)
                curve["train"].append(trn.tolist())
                curve["heldout"].append(held.tolist())
                if est.early_stopping:
                    with torch.no_grad():
                        score = est.stopping_score(critic, d.xval, d.yval, held).cpu()
                    stopper.update(step, score.numpy(), critic)
                    if stopper.done:
                        break
    if est.early_stopping:
        stopper.restore(critic)
    with torch.no_grad():
        final = est.heldout(critic, d.xtest, d.ytest, est.eval_pairs).cpu()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elapsed = time.perf_counter() - t_start
    n_test = int(d.xtest.shape[1])
    results = []
    for s in range(S):
        held_curve = [h[s] for h in curve["heldout"]]
        stopped = stopper.stopped_at[s]
        taken = step if stopped is None else stopped
        verdict = "early-stopped" if stopped is not None else convergence(curve["step"],
                                                                          held_curve)
        results.append(EstimateResult(
            float(final[s]),
            info={"epochs": round(taken / per_epoch, 3), "batch_size": bsz, "n_train": n_train,
                  "n_heldout": n_test, "early_stopped": stopped is not None,
                  "convergence": verdict,
                  "converged": verdict in ("converged", "early-stopped"),
                  "wall_time_s": elapsed, "members_trained_together": S},
            device=str(device), steps=taken,
            budget="steps" if est.steps is not None else "epochs",
            curve=TrainingCurve(list(curve["step"]), held_curve,
                                [t[s] for t in curve["train"]]),
            ceiling=est.ceiling(n_test)))
    return results


def _negative_rows(p1: torch.Tensor, gens: _Members) -> torch.Tensor:
    """Rows whose y is paired with x of ``p1`` for the product-of-marginals batches.

    Each member's epoch order ``p1`` (S, used) is rotated by its own random
    shift r in [1, used − 1]: x of row p1[j] meets y of row p1[j + r]. The
    rows of a permutation are distinct, so no x is ever paired with its own y
    (two independent permutations would do so for about one pair in n).
    """
    used = p1.shape[1]
    if used < 2:
        return p1
    shifts = torch.stack([torch.randint(1, used, (1,), generator=g, device=p1.device)
                          for g in gens.dev])
    cols = (torch.arange(used, device=p1.device).unsqueeze(0) + shifts) % used
    return p1.gather(1, cols)


#: Fewest held-out evaluations in the late window for a convergence verdict.
MIN_LATE_POINTS = 5


def convergence(steps: list[int], values: list[float], level: float = 0.01) -> str:
    """Whether the held-out curve has stopped rising, judged against its own noise.

    The late half of the curve (at least ``MIN_LATE_POINTS`` evaluations) is
    fitted by a straight line against the step. The curve counts as still
    rising when the slope is positive at one-sided significance ``level``
    (t-test of the regression slope, so the evaluation noise sets the scale)
    *and* the fitted rise over the window exceeds max(0.01 nats, 1 % of the
    level) — a statistically clear but negligible drift is not flagged.
    Returns "converged", "rising", "too few points" or "not finite".
    """
    from scipy import stats

    m = len(values) // 2
    if m < MIN_LATE_POINTS:
        return "too few points"
    x = np.asarray(steps[-m:], dtype=float)
    v = np.asarray(values[-m:], dtype=float)
    if not np.isfinite(v).all():
        return "not finite"
    if np.ptp(v) == 0:
        return "converged"
    fit = stats.linregress(x, v)
    rise = fit.slope * (x[-1] - x[0])
    significant = fit.slope > 0 and fit.pvalue / 2 < level
    return "rising" if significant and rise > max(0.01, 0.01 * abs(v.mean())) else "converged"
