"""Normalising-flow MI estimator: Gaussianise each side, read MI off the latent Gaussian.

In the spirit of Butakov, Tolmachev, Malanchuk, Neopryatnaya, Frolov,
"Mutual information estimation via normalizing flows", ICLR 2024: invertible
maps f_X, f_Y (neural spline flows, from the ``zuko`` library) send X and Y
to latents z_x = f_X(x), z_y = f_Y(y), trained jointly by maximum likelihood
under a joint Gaussian N(0, Σ) of (z_x, z_y) with Σ learned:

    max  E log N((f_X(x), f_Y(y)); 0, Σ) + log|det ∂f_X/∂x| + log|det ∂f_Y/∂y|.

MI is invariant under the invertible f_X and f_Y, so I(X; Y) = I(z_x; z_y),
and where the fitted latents are jointly Gaussian that is the Gaussian MI
of their covariance, ½ (log det Σ_xx + log det Σ_yy − log det Σ). The
estimate is that Gaussian MI of held-out latents (with the exact plug-in
bias correction of :mod:`.gaussian`), read on rows the flows never saw.

Why this form rather than the difference of a joint and two marginal flow
log-densities: that difference subtracts three separately learned densities,
each with an error of the order of the MI's own error budget, while here one
joint objective shapes both maps and the MI is a closed form of a single
covariance matrix. It is exact for Gaussian data pushed through invertible
maps of each side (the ``transformed`` tasks) once the flows invert those
maps; where no flow can make the latents jointly Gaussian, it reports the
Gaussian part of their dependence and is neither bound.

Choices, and the measurements behind them (``transformed[base=gaussian[dim=5,
rho=0.6],transform=spiral]``, truth 1.116, N 10 000, one sample; the spiral
rotates coordinate pairs by the angle ‖v‖, so every margin is already N(0, 1)
and only the joint structure is left to learn; figures are the estimate and,
in brackets, the plateau of the validation MI):

* The flows start as the identity (:func:`._flow_model.identity_spline_flow`);
  zuko's random initialisation warps every coordinate, and training first had
  to undo that.
* Margins first go to normal scores (rank → Φ⁻¹ per column, a monotone map, so
  MI is unchanged; it uses no pairing of X with Y, so all rows may share it).
  The flows then start from Gaussian margins, and any monotone transform of a
  column (``cube``, ``asinh``, …) gives exactly the same estimate.
* Training rows get Gaussian noise of sd ``noise`` (0.25, on the unit-variance
  scores) at every step, a standard regulariser of density estimators (Rothfuss
  et al. 2019): without it the held-out fit peaked after about a thousand steps
  and then over-fitted (0.934 [0.90]); with it the validation MI rises to a
  plateau (about 1.01 at noise 0.25, 0.3 or 0.4 alike).
* Early stopping watches the Gaussian MI of the validation latents, not their
  likelihood: the likelihood also rewards fitting each margin, which the flows
  over-fit first, and its best checkpoint gave 0.887 where the same flows,
  stopped on MI, gave 0.934. The estimate is read on other rows, so the choice
  of checkpoint does not bias it.
* Six spline transforms, random feature orders, conditioners of two layers of
  128 (3 of width 64: 0.667; 8 of width 32: 0.787; affine MAF layers, 10: 0.756;
  8 of width 256 or 10 of width 128 with noise: no better than 6 of 128).

Where it falls short: on that spiral the defaults read 0.963 (−14 %). That
is the map, not the reading: the same flows read on 20 000 fresh rows of the
task give 0.962, and trained on without early stopping their fresh reading
peaks at 0.964 near step 3000 and drifts down to 0.95 by step 16 000, while
the validation reading stays 0.03–0.06 above it throughout (``python
benchmarks/baselines.py --parts flow-fresh``). So training longer or stopping
differently does not help; the flows settle on a partial unspiralling.
The reason is structural: a rotation whose angle depends only on ‖v‖ maps the
isotropic N(0, I) to itself, so each side of the spiral is already exactly
standard normal and the per-side terms of the likelihood are at their optimum
at the identity. Only the joint term, the Gaussian MI of the latents, rewards
undoing the spiral, and with ρ = 0.6 that signal is weak. Tried, all on the
same plateau: batches of 1024, a second and third stage at half the noise and
learning rate, noise 0.4 (0.957–0.977); a learned LU-factored linear layer
after every spline transform, as in Glow (0.961); the joint term weighted 3×
in the training loss (the validation MI reached 1.016 within 1200 steps, then
the latents' margins broke and it collapsed; 0.960); another sample of the same
size (0.921); twice the data, N 20 000 (0.981, −12 %). zuko's continuous flow
(FFJORD with a 2×64 field, stochastic trace, tolerances 1e-4/1e-3) costs
0.2 s a step on one core, and in 3000 steps at learning rate 1e-3 moved the
validation MI only from 0.70 to 0.75 (at 1e-2 not at all). It still recovers
most of what the Gaussian estimator (0.639) and KSG (0.794) miss.

``family="ode"`` replaces each side's spline flow by a continuous one
(:class:`._flow_model.ODEFlow`): dz/dt = v(z, t), v a 2×64 SiLU network starting at
zero, integrated from t = 0 to 1 by 8 fixed RK4 steps, with the exact divergence of
v carried through its layers (no stochastic trace). The inverse spiral is the time-1
map of the smooth field z ↦ −‖z‖·(each pair turned by 90°), which such a field
represents directly; an autoregressive spline must build a rotation of up to ~190°
(the angle is ‖v‖, 3.3 rad at its 95th percentile) out of monotone one-coordinate
maps. On the spiral (same sample, same training settings) it reads
**1.041 (−6.7 %)**, 1.044 on 20 000 fresh rows, the validation MI on a plateau at
1.09–1.10 from step 3000 and early stopping at 6000; a second sample of the task
reads 1.009 (−9.6 %; 1.037 on the fresh rows) where the spline flows read 0.921; on
the cube 1.096 (−1.8 %; the spline flow 1.093). It costs about four times the spline flow's time
(1182 s against 316 s for the spiral on one core; each step integrates both fields
32 times). Variants measured on the spiral (fresh reading, then estimate): tanh for
SiLU, 4 RK4 steps: 1.020 / 1.022, after which the validation MI collapsed from 1.055
to 0.48 (likely the solver: steps of 0.25 are close to RK4's stability limit for a
field turning at up to ~4 rad per unit time); tanh, 2×32: 1.024 / 1.014 after 17 200
steps (slower to learn). ``python benchmarks/baselines.py --parts flow-ode``
measures it on two spiral samples and the cube. Not the default: on the ten ``zoo``
tasks where both families ran (one seed each) it was closer to the truth on two,
further on three and level on the rest, at 2–5 times the time per cell; its clear
win is strongly rotated dependence such as the spiral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from mibench import ContractSettings, EstimateResult, Estimator, register_estimator, require
from mibench.validation import standardize_columns

from .gaussian import GaussianEstimator
from .gcmi import copula_normal_scores

FAMILIES = ("spline", "ode")
# hidden widths when none are given: the spline conditioners' and the ODE fields'
DEFAULT_HIDDEN = {"spline": (128, 128), "ode": (64, 64)}
MARGINS = ("normal-scores", "standardize")
STOP_ON = ("mi", "likelihood")


def latent_mi(z: np.ndarray, dx: int) -> float:
    """Bias-corrected Gaussian MI between the first ``dx`` columns of ``z`` and the rest
    (−inf where the latents are not finite, so such a checkpoint is never kept)."""
    if not np.isfinite(z).all():
        return -math.inf
    return float(GaussianEstimator(bias_correction=True)._estimate(z[:, :dx], z[:, dx:]))


@dataclass
class _Split:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


@register_estimator("flow")
class FlowMI(Estimator):
    """MI of flow-Gaussianised latents (a spline or continuous flow per side, joint Gaussian).

    Parameters
    ----------
    family : {"spline", "ode"}
        The flow of each side: autoregressive neural spline flows (zuko) or a
        continuous flow, an ODE integrated by fixed RK4 steps (see the module
        docstring for what each reads on the 5-D spiral).
    transforms : int
        Spline transforms per side (features randomly permuted between them);
        ``spline`` only.
    hidden : tuple of int, optional
        Hidden widths of each spline transform's conditioner network, or of each
        side's ODE field; by default (128, 128) for ``spline``, (64, 64) for ``ode``.
    ode_steps : int
        RK4 steps from t = 0 to 1; ``ode`` only.
    steps : int
        Most training steps (Adam); early stopping usually ends training first.
    batch_size : int
        Minibatch size.
    lr : float
        Adam learning rate.
    noise : float
        Sd of the Gaussian noise added to each training batch (after ``margins``);
        0 turns the regulariser off.
    margins : {"normal-scores", "standardize"}
        What each column becomes before the flows: its normal scores (rank → Φ⁻¹)
        or its standardised values (training rows' mean and sd).
    stop_on : {"mi", "likelihood"}
        What early stopping maximises on the validation rows: the Gaussian MI of
        their latents or their log-likelihood.
    test_fraction : float
        Share of the rows held out: half for early stopping, half for the estimate.
    patience : int
        Evaluations without improvement before stopping.
    eval_every : int
        Steps between evaluations on the validation rows.
    device : str
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    seed : int
        Seed of initialisation, split, noise and batches.
    """

    requires: ClassVar[tuple[str, ...]] = ("torch", "zuko")
    description = "normalising flows Gaussianise X and Y (zuko splines or an ODE flow), " \
                  "MI of the joint latent Gaussian (after Butakov et al. 2024)"
    # Short training suffices for the checks: the flows start as the identity on
    # the normal scores (a Gaussian-copula estimate) and improve from there.
    contract = ContractSettings(fast_params={"steps": 150, "transforms": 1, "hidden": (16,),
                                             "ode_steps": 2,
                                             "patience": 3, "eval_every": 50},
                                n_samples=2000, zero_tol=0.1, easy_tol=0.1)

    def __init__(self, family: str = "spline", transforms: int = 6,
                 hidden: tuple[int, ...] | None = None, ode_steps: int = 8,
                 steps: int = 20_000, batch_size: int = 256, lr: float = 1e-3,
                 noise: float = 0.25, margins: str = "normal-scores", stop_on: str = "mi",
                 test_fraction: float = 0.3, patience: int = 20, eval_every: int = 100,
                 device: str = "auto", seed: int = 0) -> None:
        def count(name: str, v: object, least: int) -> None:
            require(isinstance(v, int) and not isinstance(v, bool) and v >= least,
                    f"flow: {name} must be an integer >= {least}; got {v!r}")

        require(family in FAMILIES, f"flow: family must be one of {FAMILIES}; got {family!r}")
        count("transforms", transforms, 1)
        count("ode_steps", ode_steps, 1)
        if hidden is not None:
            hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
            require(len(hidden) >= 1 and all(isinstance(h, int) and h >= 1 for h in hidden),
                    f"flow: hidden must be positive layer widths; got {hidden!r}")
        count("steps", steps, 1)
        count("batch_size", batch_size, 2)
        count("patience", patience, 1)
        count("eval_every", eval_every, 1)
        require(isinstance(lr, (int, float)) and not isinstance(lr, bool) and lr > 0,
                f"flow: lr must be positive; got {lr!r}")
        require(isinstance(noise, (int, float)) and not isinstance(noise, bool)
                and math.isfinite(noise) and noise >= 0,
                f"flow: noise must be a finite number >= 0; got {noise!r}")
        require(margins in MARGINS, f"flow: margins must be one of {MARGINS}; got {margins!r}")
        require(stop_on in STOP_ON, f"flow: stop_on must be one of {STOP_ON}; got {stop_on!r}")
        require(isinstance(test_fraction, float) and 0 < test_fraction < 1,
                f"flow: test_fraction must be a float in (0, 1); got {test_fraction!r}")
        require(isinstance(device, str) and (device in ("auto", "cpu", "cuda", "mps")
                                             or device.startswith("cuda:")),
                f"flow: device must be auto, cpu, cuda, cuda:N or mps; got {device!r}")
        self.family = family
        self.transforms = transforms
        self.ode_steps = ode_steps
        self.hidden = hidden
        self.steps = steps
        self.batch_size = batch_size
        self.lr = float(lr)
        self.noise = float(noise)
        self.margins = margins
        self.stop_on = stop_on
        self.test_fraction = test_fraction
        self.patience = patience
        self.eval_every = eval_every
        self.device = device
        self.seed = seed

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return max(20, 2 * (dim_x + dim_y) + 10)

    def _split(self, n: int, rng: np.random.Generator) -> _Split:
        perm = rng.permutation(n)
        n_hold = max(4, round(self.test_fraction * n))
        return _Split(perm[n_hold:], perm[: n_hold // 2], perm[n_hold // 2: n_hold])

    def _margins(self, a: np.ndarray, train: np.ndarray) -> np.ndarray:
        if self.margins == "normal-scores":
            return copula_normal_scores(a)
        return standardize_columns(a, train)

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> EstimateResult:
        import torch

        from ._flow_model import LatentGaussianFlows
        from .neural._train import resolve_device

        dev = resolve_device(self.device)
        split = self._split(len(x), np.random.default_rng(self.seed))
        xs, ys = self._margins(x, split.train), self._margins(y, split.train)
        torch_state = torch.random.get_rng_state()
        torch.manual_seed(int(self.seed))  # zuko initialises from torch's global stream
        try:
            widths = self.hidden or DEFAULT_HIDDEN[self.family]
            model = LatentGaussianFlows(x.shape[1], y.shape[1], self.family, self.transforms,
                                        widths, self.ode_steps, dev)
            info = self._train(model, xs, ys, split, dev)
            with torch.no_grad():
                z = model.latents(*model.tensors(xs[split.test], ys[split.test]))[0]
        finally:
            torch.random.set_rng_state(torch_state)
        value = latent_mi(z.double().cpu().numpy(), x.shape[1])
        if not math.isfinite(value):
            return EstimateResult(math.nan, info, ["flow latents became non-finite"])
        return EstimateResult(value, info)

    def _train(self, model: Any, xs: np.ndarray, ys: np.ndarray,
               split: _Split, dev: Any) -> dict[str, Any]:
        """Adam on the noisy training rows with early stopping on the validation
        rows; ``model`` ends at its best state."""
        import torch

        gen = torch.Generator().manual_seed(int(self.seed))
        opt = torch.optim.Adam(model.parameters(), lr=self.lr)
        xtr, ytr = model.tensors(xs[split.train], ys[split.train])
        xval, yval = model.tensors(xs[split.val], ys[split.val])
        bsz = min(self.batch_size, len(split.train))
        best, best_state, since, step = -math.inf, None, 0, 0
        curve: dict[str, list[float]] = {"step": [], "nll": [], "mi": []}
        while step < self.steps and since < self.patience:
            order = torch.randperm(len(split.train), generator=gen).to(dev)
            for s in range(0, len(order) - bsz + 1, bsz):
                xb, yb = xtr[order[s:s + bsz]], ytr[order[s:s + bsz]]
                if self.noise > 0:
                    xb = xb + self.noise * torch.randn(xb.shape, generator=gen).to(dev)
                    yb = yb + self.noise * torch.randn(yb.shape, generator=gen).to(dev)
                loss = model.nll(xb, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                if step % self.eval_every == 0 or step == self.steps:
                    with torch.no_grad():
                        nll = float(model.nll(xval, yval))
                        z = model.latents(xval, yval)[0].double().cpu().numpy()
                    mi = latent_mi(z, xs.shape[1])
                    curve["step"].append(step)
                    curve["nll"].append(nll)
                    curve["mi"].append(mi)
                    score = mi if self.stop_on == "mi" else -nll
                    if score > best:
                        best, since = score, 0
                        best_state = {k: v.detach().clone()
                                      for k, v in model.state_dict().items()}
                    else:
                        since += 1
                if step >= self.steps or since >= self.patience:
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        return {"device": str(dev), "steps": step, "early_stopped": since >= self.patience,
                "curve_step": curve["step"], "curve_heldout_nll": curve["nll"],
                "curve_heldout_mi": curve["mi"]}
