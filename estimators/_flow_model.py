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
    """Flows f_X, f_Y (zuko neural spline flows) and N(0, L Lᵀ) on (f_X(x), f_Y(y))."""

    def __init__(self, dx: int, dy: int, transforms: int, hidden: tuple[int, ...],
                 dev: torch.device) -> None:
        super().__init__()
        self.dev = dev
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
