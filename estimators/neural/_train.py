"""The shared training loop of the neural estimators (S members at once).

One call trains S independent critics (stacked weights) on S datasets of the
same size, each member with its own seed, and evaluates each on its own
held-out data. ``S = 1`` is an ordinary single estimate.

Per member and seed: the data are standardised (an invertible map, so MI is
unchanged), split at random into train and held-out parts; every epoch draws
two independent permutations of the training rows, one giving the joint
batches (x_i, y_i) and, paired with the first, one giving the
product-of-marginals batches (x_i, y_π(i)). Objectives that use all pairs of a
batch (InfoNCE, NWJ, SMILE) take the joint batch only.

Nothing in the step loop copies a value to the host: batches come from
permutations drawn on the device, the moving average of MINE lives in a
tensor, and curve values are read only at evaluation points.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from mibench import ParameterError
from mibench.validation import standardize_columns

from . import _bounds as B
from ._critics import ConcatCritic, FlowConditional, GaussianConditional, SeparableCritic

PAIR_OBJECTIVES = ("mine", "mine-biased", "mine-f")
ALL_PAIRS_OBJECTIVES = ("infonce", "nwj", "smile")
# trained by maximum likelihood of q(y | x) on joint batches (no negatives)
DENSITY_OBJECTIVES = ("club", "doe")


@dataclass
class TrainConfig:
    objective: str
    critic: str = "concat"
    hidden: tuple[int, ...] = (100, 100)
    activation: str = "silu"
    embed: int = 32
    lr: float = 1e-3
    batch_size: int = 256
    steps: int | None = 3000
    epochs: float | None = None
    ema_rate: float = 0.01
    tau: float = 5.0
    test_fraction: float = 0.3
    eval_every: int = 100
    eval_pairs: int = 250_000
    early_stopping: bool = False
    patience: int = 10
    standardize: bool = True
    device: str = "auto"
    weight_decay: float = 0.0
    transforms: int = 3  # spline transforms of each flow (critic "flow")


@dataclass
class MemberResult:
    value: float
    info: dict[str, Any] = field(default_factory=dict)


def resolve_device(name: str) -> torch.device:
    """'auto' → cuda, else mps, else cpu; a named accelerator must be present."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError(
            f"device={name!r} was requested but torch sees no CUDA GPU (torch "
            f"{torch.__version__}, CUDA build: {torch.version.cuda or 'none'}); "
            "use device='cpu' or device='auto'"
        )
    if name == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ParameterError("device='mps' was requested but Apple MPS is not available; "
                                 "use device='cpu' or device='auto'")
    try:
        return torch.device(name)
    except RuntimeError as exc:
        raise ParameterError(f"unknown device {name!r}: {exc}") from None


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


def _build_critic(cfg: TrainConfig, members: int, dx: int, dy: int,
                  gens: list[torch.Generator]) -> torch.nn.Module:
    if cfg.critic == "concat":
        return ConcatCritic(members, dx, dy, cfg.hidden, cfg.activation, gens)
    if cfg.critic == "gaussian":
        return GaussianConditional(members, dx, dy, cfg.hidden, cfg.activation, gens)
    if cfg.critic == "flow":
        return FlowConditional(members, dx, dy, cfg.hidden, cfg.activation, gens,
                               cfg.transforms)
    return SeparableCritic(members, dx, dy, cfg.hidden, cfg.activation, gens, cfg.embed)


def _batches(flat: torch.Tensor, idx: torch.Tensor, bsz: int) -> torch.Tensor:
    """Rows ``idx`` (S, steps·bsz) of ``flat`` laid out as (steps, S, bsz, d), contiguous."""
    s, used = idx.shape
    rows = flat.index_select(0, idx.reshape(-1)).reshape(s, used // bsz, bsz, flat.shape[1])
    return rows.transpose(0, 1).contiguous()


def _adam(critic: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Adam; the fused kernel (one launch for all parameters) where torch has it."""
    try:
        return torch.optim.Adam(critic.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay,
                                fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(critic.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def negative_shifts(n: int, budget: int) -> int:
    """Cyclic shifts of n held-out rows that give about ``budget`` negative pairs."""
    return max(1, min(n - 1, budget // max(n, 1)))


def _eval_pairs_bound(critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                      objective: str, tau: float, budget: int) -> torch.Tensor:
    """Bound on held-out data: joint = aligned rows; negatives = cyclic shifts of y.

    Rows are in random order, so pairing row i with row i + s (s = 1..L) gives
    L·n distinct product-of-marginals pairs without pairing a row with itself.
    """
    s, n, _ = x.shape
    shifts = negative_shifts(n, budget)
    t_joint = critic(x, y)
    chunks = []
    # about 64k critic rows per forward pass keeps activations in cache
    per_chunk = max(1, 65_536 // max(n * s, 1))
    for start in range(1, shifts + 1, per_chunk):
        ks = range(start, min(shifts + 1, start + per_chunk))
        xr = x.repeat(1, len(ks), 1)
        yr = torch.cat([torch.roll(y, -k, dims=1) for k in ks], dim=1)
        chunks.append(critic(xr, yr))
    t_marg = torch.cat(chunks, dim=1)
    if objective in ("mine", "mine-biased"):
        return B.dv(t_joint, t_marg)
    if objective in ("mine-f", "nwj"):
        return B.nwj(t_joint, t_marg)
    if objective == "smile":
        return B.smile(t_joint, t_marg, tau)
    if objective == "club":  # E_P[log q(y|x)] − E_{P_X × P_Y}[log q(y|x)]
        return t_joint.mean(-1) - t_marg.mean(-1)
    raise AssertionError(objective)


def _eval_infonce(critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                  k: int) -> torch.Tensor:
    """InfoNCE at batch size k, averaged over consecutive held-out batches."""
    n = x.shape[1]
    k = min(k, n)
    vals = [B.infonce(critic.all_pairs(x[:, i:i + k], y[:, i:i + k]))
            for i in range(0, n - k + 1, k)]
    return torch.stack(vals).mean(0)


def evaluate(critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig,
             budget: int) -> torch.Tensor:
    with torch.no_grad():
        if cfg.objective == "infonce":
            return _eval_infonce(critic, x, y, cfg.batch_size)
        if cfg.objective == "doe":  # Ĥ(Y) − Ĥ(Y|X), cross-entropies of the two models
            cond, marg = critic.with_marginal(x, y)
            return (cond - marg).mean(-1)
        return _eval_pairs_bound(critic, x, y, cfg.objective, cfg.tau, budget)


def stopping_score(critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                   cfg: TrainConfig, held: torch.Tensor) -> torch.Tensor:
    """What early stopping maximises: the held-out bound for the critics, the
    held-out log-likelihood of q(y | x) for the density models (whose estimate
    is not to be maximised: CLUB is an upper bound)."""
    if cfg.objective in DENSITY_OBJECTIVES:
        with torch.no_grad():
            return density_loglik(critic, x, y, cfg)
    return held


def density_loglik(critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                   cfg: TrainConfig) -> torch.Tensor:
    """Mean log-likelihood per member that a density model is trained on: of
    q(y | x), plus that of q(y) where DoE has a trainable marginal (a flow)."""
    if cfg.objective == "doe" and getattr(critic, "trained_marginal", False):
        cond, marg = critic.with_marginal(x, y)
        return (cond + marg).mean(-1)
    return critic(x, y).mean(-1)


def train(xs: list[np.ndarray], ys: list[np.ndarray], seeds: list[int],
          cfg: TrainConfig) -> list[MemberResult]:
    """Train one critic per (x, y, seed) and return each member's held-out bound."""
    t_start = time.perf_counter()
    device = resolve_device(cfg.device)
    S = len(xs)
    n = xs[0].shape[0]
    dx, dy = xs[0].shape[1], ys[0].shape[1]
    gens = _Members(seeds, device)

    # split per member: (train, validation for early stopping, test for the estimate)
    n_hold = max(2, round(cfg.test_fraction * n))
    n_train = n - n_hold
    if n_train < 2:
        raise ParameterError(f"test_fraction={cfg.test_fraction} leaves {n_train} training rows")
    tr_x, tr_y, ho_x, ho_y = [], [], [], []
    for s in range(S):
        perm = torch.randperm(n, generator=gens.cpu[s]).numpy()
        tr, ho = perm[:n_train], perm[n_train:]
        # standardisation statistics come from the training rows alone, so the
        # held-out rows that give the estimate play no part in fitting
        x, y = xs[s], ys[s]
        if cfg.standardize:
            x, y = standardize_columns(x, tr), standardize_columns(y, tr)
        tr_x.append(x[tr])
        tr_y.append(y[tr])
        ho_x.append(x[ho])
        ho_y.append(y[ho])

    def to_dev(arrs: list[np.ndarray]) -> torch.Tensor:
        return torch.from_numpy(np.stack(arrs)).to(device=device, dtype=torch.float32)

    Xtr, Ytr, Xho, Yho = to_dev(tr_x), to_dev(tr_y), to_dev(ho_x), to_dev(ho_y)
    if cfg.early_stopping:
        n_val = Xho.shape[1] // 2
        Xval, Yval = Xho[:, :n_val], Yho[:, :n_val]
        Xtest, Ytest = Xho[:, n_val:], Yho[:, n_val:]
    else:
        Xval, Yval, Xtest, Ytest = Xho, Yho, Xho, Yho
    # a fixed training subset of the held-out size, for the train side of the curve
    n_cmp = min(n_train, Xval.shape[1])
    Xcmp, Ycmp = Xtr[:, :n_cmp], Ytr[:, :n_cmp]

    critic = _build_critic(cfg, S, dx, dy, gens.cpu).to(device)
    if cfg.objective in DENSITY_OBJECTIVES:
        critic.fit_marginal(Ytr)
    opt = _adam(critic, cfg)

    bsz = min(cfg.batch_size, n_train)
    per_epoch = max(1, n_train // bsz)
    total = cfg.steps if cfg.steps is not None else max(1, math.ceil(cfg.epochs * per_epoch))
    pairs = cfg.objective in PAIR_OBJECTIVES
    log_ma: torch.Tensor | None = None
    curve: dict[str, list[Any]] = {"step": [], "train": [], "heldout": []}
    best = torch.full((S,), -math.inf)
    best_state: dict[str, torch.Tensor] | None = None
    since_best = torch.zeros(S, dtype=torch.long)
    stopped_at = [None] * S
    # curve points use 10 negatives per held-out row; the final estimate uses eval_pairs
    curve_budget = min(cfg.eval_pairs, 10 * max(1, Xval.shape[1]))
    used = per_epoch * bsz
    Xflat, Yflat = Xtr.reshape(S * n_train, dx), Ytr.reshape(S * n_train, dy)
    offsets = (torch.arange(S, device=device) * n_train).unsqueeze(1)
    step = 0
    epoch_data: tuple[torch.Tensor, ...] = ()
    while step < total:
        # -- a new epoch: permutations, and batches laid out contiguously, so that a
        # step only takes a view (no per-step gather or concatenation)
        p1 = gens.perms(n_train, device)[:, :used] + offsets
        if pairs:
            p2 = _negative_rows(p1, gens)
            xs1, ys1 = _batches(Xflat, p1, bsz), _batches(Yflat, p1, bsz)
            ys2 = _batches(Yflat, p2, bsz)
            if cfg.critic == "concat":
                # per step: rows [0, bsz) joint pairs, [bsz, 2 bsz) shuffled pairs
                epoch_data = (torch.cat([torch.cat([xs1, ys1], -1), torch.cat([xs1, ys2], -1)],
                                        dim=2),)
            else:
                epoch_data = (xs1, ys1, ys2)
        else:
            epoch_data = (_batches(Xflat, p1, bsz), _batches(Yflat, p1, bsz))
        for b in range(per_epoch):
            if step >= total:
                break
            if pairs:
                if cfg.critic == "concat":
                    t = critic.mlp(epoch_data[0][b]).squeeze(-1)
                    tj, tm = t[:, :bsz], t[:, bsz:]
                else:
                    xb = epoch_data[0][b]
                    tj = critic(xb, epoch_data[1][b])
                    tm = critic(xb, epoch_data[2][b])
                if cfg.objective == "mine":
                    log_ma = B.update_log_ma(log_ma, tm, cfg.ema_rate)
                    obj = B.dv_ema_surrogate(tj, tm, log_ma)
                elif cfg.objective == "mine-biased":
                    obj = B.dv(tj, tm)
                else:
                    obj = B.nwj(tj, tm)
            elif cfg.objective in DENSITY_OBJECTIVES:
                obj = density_loglik(critic, epoch_data[0][b], epoch_data[1][b], cfg)
            else:
                scores = critic.all_pairs(epoch_data[0][b], epoch_data[1][b])
                if cfg.objective == "infonce":
                    obj = B.infonce(scores)
                elif cfg.objective == "nwj":
                    obj = B.nwj_all_pairs(scores)
                else:  # smile trains on the Jensen–Shannon objective
                    obj = B.js_fgan(torch.diagonal(scores, dim1=-2, dim2=-1),
                                    B.off_diagonal(scores))
            loss = -obj.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if step % cfg.eval_every == 0 or step == total:
                held = evaluate(critic, Xval, Yval, cfg, curve_budget).cpu()
                trn = evaluate(critic, Xcmp, Ycmp, cfg, curve_budget).cpu()
                curve["step"].append(step)
                curve["train"].append(trn.tolist())
                curve["heldout"].append(held.tolist())
                if cfg.early_stopping:
                    # a member that has stopped keeps the critic of its best evaluation
                    running = torch.tensor([a is None for a in stopped_at])
                    score = stopping_score(critic, Xval, Yval, cfg, held).cpu()
                    better = (score > best) & running
                    best = torch.where(better, score, best)
                    since_best = torch.where(better, torch.zeros_like(since_best),
                                             since_best + 1)
                    state = {k: v.detach().clone() for k, v in critic.state_dict().items()}
                    if best_state is None:
                        best_state = state
                    else:
                        _keep_better(best_state, state, better, critic)
                    for s in range(S):
                        if stopped_at[s] is None and since_best[s] >= cfg.patience:
                            stopped_at[s] = step
                    if all(a is not None for a in stopped_at):
                        break
        if cfg.early_stopping and all(a is not None for a in stopped_at):
            break
    if cfg.early_stopping and best_state is not None:
        critic.load_state_dict(best_state)
    final = evaluate(critic, Xtest, Ytest, cfg, cfg.eval_pairs).cpu()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elapsed = time.perf_counter() - t_start
    results = []
    verdict = ["early-stopped" if stopped_at[s] is not None
               else convergence(curve["step"], [h[s] for h in curve["heldout"]])
               for s in range(S)]
    for s in range(S):
        held_curve = [h[s] for h in curve["heldout"]]
        results.append(MemberResult(float(final[s]), {
            "device": str(device),
            "steps": step if stopped_at[s] is None else stopped_at[s],
            "epochs": round((step if stopped_at[s] is None else stopped_at[s]) / per_epoch, 3),
            "batch_size": bsz,
            "budget": "steps" if cfg.steps is not None else "epochs",
            "n_train": n_train,
            "n_heldout": int(Xtest.shape[1]),
            "curve_step": list(curve["step"]),
            "curve_train": [t[s] for t in curve["train"]],
            "curve_heldout": held_curve,
            "early_stopped": stopped_at[s] is not None,
            "convergence": verdict[s],
            "converged": verdict[s] in ("converged", "early-stopped"),
            "wall_time_s": elapsed,
            "members_trained_together": S,
            **_ceiling(cfg, int(Xtest.shape[1])),
        }))
    return results


def _keep_better(best: dict[str, torch.Tensor], state: dict[str, torch.Tensor],
                 better: torch.Tensor, critic: torch.nn.Module) -> None:
    """Copy into ``best`` the entries of the members that improved.

    Stacked critics have the members as the leading dimension of every entry;
    a critic of per-member modules says whose an entry is (``member_of``).
    """
    member_of = getattr(critic, "member_of", None)
    for k, v in state.items():
        if member_of is None:
            mask = better.to(v.device)
            best[k][mask] = v[mask]
        elif better[member_of(k)]:
            best[k] = v


def _ceiling(cfg: TrainConfig, n_test: int) -> dict[str, Any]:
    """The most the reported estimate can be, whatever the truth.

    InfoNCE read at batch size k never exceeds log k. The DV-type estimates
    (DV, NWJ, SMILE) read on held-out data with M product-of-marginals pairs
    cannot credibly exceed about log M: beyond it the log-mean-exp over the
    negatives is dominated by its largest term (McAllester & Stratos 2020).
    """
    if cfg.objective == "infonce":
        k = min(cfg.batch_size, n_test)
        return {"ceiling": math.log(k), "ceiling_note": f"log(batch {k})"}
    if cfg.objective in DENSITY_OBJECTIVES:  # density models: no log N ceiling
        return {"ceiling": math.nan, "ceiling_note": "none"}
    m = negative_shifts(n_test, cfg.eval_pairs) * n_test
    return {"ceiling": math.log(m), "ceiling_note": f"log({m:,} held-out negative pairs)"}


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
