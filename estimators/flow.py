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
estimate is that Gaussian MI of the held-out latents (with the exact plug-in
bias correction of :mod:`.gaussian`), not of the learned Σ, so the number is
read on data the flows did not train on.

Why this form rather than the difference of a joint and two marginal flow
log-densities: that difference subtracts three separately learned densities,
each with an error of the order of the MI's own error budget, while here one
joint objective shapes both maps and the MI is a closed form of a single
covariance matrix. It is exact for Gaussian data pushed through invertible
maps of each side (the ``transformed`` tasks) once the flows invert those
maps; where no flow can make the latents jointly Gaussian, it reports the
Gaussian part of their dependence and is neither bound.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from mibench import ContractSettings, EstimateResult, Estimator, register_estimator, require
from mibench.validation import standardize_columns

from .gaussian import GaussianEstimator


@register_estimator("flow")
class FlowMI(Estimator):
    """MI of flow-Gaussianised latents (neural spline flows per side, joint Gaussian).

    Parameters
    ----------
    transforms : int
        Spline coupling transforms per side.
    hidden : tuple of int
        Hidden widths of each transform's conditioner network.
    steps : int
        Most training steps (Adam); early stopping on held-out likelihood.
    batch_size : int
        Minibatch size.
    lr : float
        Adam learning rate.
    test_fraction : float
        Share of the rows held out: half for early stopping, half for the estimate.
    patience : int
        Evaluations (every 100 steps) without a better held-out likelihood before stopping.
    device : str
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    seed : int
        Seed of initialisation, split and batches.
    """

    requires: ClassVar[tuple[str, ...]] = ("torch", "zuko")
    description = "normalising flows Gaussianise X and Y (zuko splines), MI of the joint " \
                  "latent Gaussian (after Butakov et al. 2024)"
    # a spline flow needs about a thousand steps before its latents are Gaussian
    # enough to read MI from; the checks then take minutes, so they are "slow"
    contract = ContractSettings(fast_params={"steps": 1000, "transforms": 2, "hidden": (32,)},
                                n_samples=2000, zero_tol=0.1, easy_tol=0.1, slow=True)

    def __init__(self, transforms: int = 3, hidden: tuple[int, ...] = (64, 64),
                 steps: int = 5000, batch_size: int = 256, lr: float = 1e-3,
                 test_fraction: float = 0.3, patience: int = 10, device: str = "auto",
                 seed: int = 0) -> None:
        require(isinstance(transforms, int) and not isinstance(transforms, bool)
                and transforms >= 1, f"flow: transforms must be a positive integer; "
                                     f"got {transforms!r}")
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        require(len(hidden) >= 1 and all(isinstance(h, int) and h >= 1 for h in hidden),
                f"flow: hidden must be positive layer widths; got {hidden!r}")
        require(isinstance(steps, int) and not isinstance(steps, bool) and steps >= 1,
                f"flow: steps must be a positive integer; got {steps!r}")
        require(isinstance(batch_size, int) and batch_size >= 2,
                f"flow: batch_size must be an integer >= 2; got {batch_size!r}")
        require(isinstance(lr, (int, float)) and not isinstance(lr, bool) and lr > 0,
                f"flow: lr must be positive; got {lr!r}")
        require(isinstance(test_fraction, float) and 0 < test_fraction < 1,
                f"flow: test_fraction must be a float in (0, 1); got {test_fraction!r}")
        require(isinstance(patience, int) and patience >= 1,
                f"flow: patience must be a positive integer; got {patience!r}")
        require(isinstance(device, str) and (device in ("auto", "cpu", "cuda", "mps")
                                             or device.startswith("cuda:")),
                f"flow: device must be auto, cpu, cuda, cuda:N or mps; got {device!r}")
        self.transforms = transforms
        self.hidden = hidden
        self.steps = steps
        self.batch_size = batch_size
        self.lr = float(lr)
        self.test_fraction = test_fraction
        self.patience = patience
        self.device = device
        self.seed = seed

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return max(20, 2 * (dim_x + dim_y) + 10)

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> EstimateResult:
        import torch
        import zuko

        from .neural._train import resolve_device

        dev = resolve_device(self.device)
        gen = torch.Generator().manual_seed(int(self.seed))
        torch_state = torch.random.get_rng_state()
        torch.manual_seed(int(self.seed))  # zuko initialises from torch's global stream
        try:
            n, dx = x.shape
            dy = y.shape[1]
            perm = torch.randperm(n, generator=gen).numpy()
            n_hold = max(4, round(self.test_fraction * n))
            tr, val, test = perm[n_hold:], perm[: n_hold // 2], perm[n_hold // 2: n_hold]
            xs, ys = standardize_columns(x, tr), standardize_columns(y, tr)

            def t(a: np.ndarray) -> Any:
                return torch.as_tensor(a, dtype=torch.float32, device=dev)

            fx = zuko.flows.NSF(features=dx, transforms=self.transforms,
                                hidden_features=self.hidden).to(dev)
            fy = zuko.flows.NSF(features=dy, transforms=self.transforms,
                                hidden_features=self.hidden).to(dev)
            d = dx + dy
            # Σ = L Lᵀ, L lower triangular with a positive diagonal (exp of its log)
            raw = torch.zeros(d, d, device=dev, requires_grad=True)
            params = [*fx.parameters(), *fy.parameters(), raw]
            opt = torch.optim.Adam(params, lr=self.lr)
            xtr, ytr = t(xs[tr]), t(ys[tr])
            xval, yval = t(xs[val]), t(ys[val])

            def chol() -> Any:
                return torch.tril(raw, -1) + torch.diag(torch.exp(torch.diagonal(raw)))

            def latents(a: Any, b: Any) -> tuple[Any, Any]:
                za, la = fx().transform.call_and_ladj(a)
                zb, lb = fy().transform.call_and_ladj(b)
                return torch.cat([za, zb], -1), la + lb

            def nll(a: Any, b: Any) -> Any:
                z, ladj = latents(a, b)
                lo = chol()
                sol = torch.linalg.solve_triangular(lo, z.T, upper=False)
                logp = (-0.5 * (sol * sol).sum(0) - torch.log(torch.diagonal(lo)).sum()
                        - 0.5 * d * math.log(2 * math.pi))
                return -(logp + ladj).mean()

            best, best_state, since, step = math.inf, None, 0, 0
            bsz = min(self.batch_size, len(tr))
            curve: list[float] = []
            while step < self.steps and since < self.patience:
                order = torch.randperm(len(tr), generator=gen).to(dev)
                for s in range(0, len(tr) - bsz + 1, bsz):
                    idx = order[s:s + bsz]
                    loss = nll(xtr[idx], ytr[idx])
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    step += 1
                    if step % 100 == 0 or step == self.steps:
                        with torch.no_grad():
                            v = float(nll(xval, yval))
                        curve.append(v)
                        if v < best:
                            best, since = v, 0
                            best_state = ([p.detach().clone() for p in params])
                        else:
                            since += 1
                    if step >= self.steps or since >= self.patience:
                        break
            if best_state is not None:
                with torch.no_grad():
                    for p, b in zip(params, best_state, strict=True):
                        p.copy_(b)
            with torch.no_grad():
                z, _ = latents(t(xs[test]), t(ys[test]))
            zn = z.double().cpu().numpy()
        finally:
            torch.random.set_rng_state(torch_state)
        if not np.isfinite(zn).all():
            return EstimateResult(math.nan, {"device": str(dev), "steps": step},
                                  ["flow latents became non-finite"])
        gauss = GaussianEstimator(bias_correction=True)
        value = gauss._estimate(zn[:, :dx], zn[:, dx:])
        return EstimateResult(value, {"device": str(dev), "steps": step,
                                      "curve_step": [100 * (i + 1) for i in range(len(curve))],
                                      "curve_heldout_nll": curve,
                                      "early_stopped": since >= self.patience})
