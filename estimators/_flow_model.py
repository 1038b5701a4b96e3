"""The model of the ``flow`` estimator: a spline flow per side and a joint Gaussian
of the latents (kept apart so that listing the estimators imports no torch)."""

from __future__ import annotations

import math

import numpy as np
import torch
import zuko
from torch import nn


def identity_spline_flow(features: int, context: int, transforms: int,
                         hidden: tuple[int, ...], **options: object) -> zuko.flows.NSF:
    """A zuko neural spline flow that starts as the identity map.

    zuko initialises each conditioner at random, which makes a fresh flow a
    random monotone warp of every coordinate: the Gaussian MI of a Gaussian
    pair pushed through it read 0.26 for 0.51 before training, and training
    first had to undo it. With the last layer of every conditioner zeroed, all
    bins have equal widths and heights and every knot derivative is 1, so each
    rational-quadratic spline is exactly the identity and training starts from
    the data as they are.
    """
    flow = zuko.flows.NSF(features=features, context=context, transforms=transforms,
                          hidden_features=hidden, **options)
    for m in flow.modules():
        if isinstance(m, (zuko.flows.MaskedAutoregressiveTransform,
                          zuko.flows.ElementWiseTransform)):
            hyper = getattr(m, "hyper", None)  # one feature without context: free parameters
            if hyper is None:
                for p in m.phi:
                    nn.init.zeros_(p)
            else:
                # zuko's own Linear layers are not torch.nn.Linear: any layer with weights
                last = [layer for layer in hyper.modules()
                        if isinstance(getattr(layer, "weight", None), nn.Parameter)][-1]
                nn.init.zeros_(last.weight)
                nn.init.zeros_(last.bias)
    return flow


class LatentGaussianFlows(nn.Module):
    """Flows f_X, f_Y and N(0, L Lᵀ) on (f_X(x), f_Y(y)).

    ``family`` "spline": a zuko neural spline flow per side (``transforms``
    autoregressive spline transforms, conditioners of widths ``hidden``); "ode": the
    continuous flows of :class:`ODEFlow` (fields of widths ``hidden`` per side,
    ``ode_steps`` RK4 steps).
    """

    def __init__(self, dx: int, dy: int, family: str, transforms: int,
                 hidden: tuple[int, ...], ode_steps: int, dev: torch.device) -> None:
        super().__init__()
        self.dev = dev
        self.family = family
        if family == "ode":
            self.fx: nn.Module = ODEFlow(dx, hidden, ode_steps)
            self.fy: nn.Module = ODEFlow(dy, hidden, ode_steps)
        else:
            self.fx = identity_spline_flow(dx, 0, transforms, hidden, randperm=True)
            self.fy = identity_spline_flow(dy, 0, transforms, hidden, randperm=True)
        # L lower triangular with a positive diagonal: the exp of the raw diagonal
        self.raw = nn.Parameter(torch.zeros(dx + dy, dx + dy))
        self.to(dev)

    def tensors(self, a: np.ndarray, b: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.as_tensor(a, dtype=torch.float32, device=self.dev),
                torch.as_tensor(b, dtype=torch.float32, device=self.dev))

    def latents(self, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(z_x, z_y) side by side, and log|det| of the two maps, per row."""
        if self.family == "ode":
            (za, la), (zb, lb) = self.fx(a), self.fy(b)
        else:
            za, la = self.fx().transform.call_and_ladj(a)
            zb, lb = self.fy().transform.call_and_ladj(b)
        return torch.cat([za, zb], -1), la + lb

    def nll(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of the rows under the flows and the Gaussian."""
        z, ladj = self.latents(a, b)
        d = z.shape[1]
        lo = torch.tril(self.raw, -1) + torch.diag(torch.exp(torch.diagonal(self.raw)))
        sol = torch.linalg.solve_triangular(lo, z.T, upper=False)
        logp = (-0.5 * (sol * sol).sum(0) - torch.diagonal(self.raw).sum()
                - 0.5 * d * math.log(2 * math.pi))
        return -(logp + ladj).mean()


class ODEFlow(nn.Module):
    """A continuous flow: dz/dt = v(z, t) from t = 0 to 1, integrated by ``steps``
    classical Runge-Kutta (RK4) steps, with log|det| the integral of the field's
    divergence along the path.

    v is a SiLU network of (z, t). Its divergence is exact: each layer carries the
    Jacobian of its output with respect to z (rows × d × width), so no stochastic trace
    estimate adds noise to the likelihood. The last layer starts at zero, so the flow
    starts as the identity.

    Written here rather than taken from zuko: zuko's continuous flow
    (``zuko.flows.CNF``) integrates only with an adaptive Dormand-Prince solver and the
    adjoint method, which on a CPU cost 0.2 s a step at batch 256 and hardly learned
    the 5-D spiral (see ``flow``'s docstring); a fixed grid of RK4 steps is
    differentiated directly through its 4·steps evaluations.
    """

    def __init__(self, features: int, hidden: tuple[int, ...], steps: int) -> None:
        super().__init__()
        self.steps = steps
        widths = [features + 1, *hidden, features]
        self.layers = nn.ModuleList(nn.Linear(widths[i], widths[i + 1])
                                    for i in range(len(widths) - 1))
        nn.init.zeros_(self.layers[-1].weight)
        nn.init.zeros_(self.layers[-1].bias)

    def field(self, z: torch.Tensor, t: float) -> tuple[torch.Tensor, torch.Tensor]:
        """v(z, t) and its divergence, per row."""
        d = z.shape[1]
        h = torch.cat([z, z.new_full((z.shape[0], 1), t)], -1)
        jac: torch.Tensor | None = None  # ∂h/∂z transposed: (rows, d, width)
        for i, layer in enumerate(self.layers):
            w = layer.weight
            h = layer(h)
            # one (rows·d, width) matmul rather than a batch of small ones
            jac = w[:, :d].T.expand(z.shape[0], -1, -1) if jac is None else jac @ w.T
            if i < len(self.layers) - 1:  # SiLU, a·σ(a), whose derivative is σ(1 + a(1 − σ))
                s = torch.sigmoid(h)
                jac = jac * (s * (1 + h * (1 - s))).unsqueeze(1)
                h = h * s
        assert jac is not None
        return h, jac.diagonal(dim1=-2, dim2=-1).sum(-1)

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z at t = 1, and log|det| of the map, per row."""
        ladj = z.new_zeros(z.shape[0])
        dt = 1.0 / self.steps
        for k in range(self.steps):
            t = k * dt
            k1, d1 = self.field(z, t)
            k2, d2 = self.field(z + dt / 2 * k1, t + dt / 2)
            k3, d3 = self.field(z + dt / 2 * k2, t + dt / 2)
            k4, d4 = self.field(z + dt * k3, t + dt)
            z = z + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            ladj = ladj + dt / 6 * (d1 + 2 * d2 + 2 * d3 + d4)
        return z, ladj
