"""Critic networks for S independent members trained together.

Weights of the S members are stacked, so one ``torch.baddbmm`` per layer runs
all of them; each member has its own weights, data, batches and random
stream, so member s of a batched run does the same arithmetic as a run of
that member alone.

* :class:`ConcatCritic` — T(x, y) = MLP([x, y]).
* :class:`SeparableCritic` — T(x, y) = g(x)ᵀ h(y) with MLPs g and h; all K²
  pairs of a batch cost one matrix product.
* :class:`ConvCritic` — T(x, y) = MLP([enc_x(x), enc_y(y)]) with small
  convolutional encoders, for tasks whose samples are images (grouped
  convolutions run the S members at once).
* :class:`GaussianConditional` — not a critic but a density model,
  log q(y | x), for the density-based estimators (CLUB, DoE).
* :class:`FlowConditional` — the same role with normalising flows (``zuko``):
  one flow per member, so its parameters are not stacked (see ``member_of``).

:data:`CRITICS` builds each by name from an estimator's parameters. How a
critic scores the product-of-marginals pairs of a training epoch is its own
business (:meth:`Critic.pair_layout`, :meth:`Critic.pair_scores`): the
concatenation critic lays both kinds of pair out in one tensor per epoch and
scores them in one pass.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

_MODULE_ACTIVATIONS = {
    "relu": nn.ReLU, "elu": nn.ELU, "tanh": nn.Tanh, "softplus": nn.Softplus,
    "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU, "silu": nn.SiLU,
}
ACTIVATIONS = {
    "relu": torch.relu,
    "elu": nn.functional.elu,
    "tanh": torch.tanh,
    "softplus": nn.functional.softplus,
    "leaky_relu": nn.functional.leaky_relu,
    "gelu": nn.functional.gelu,
    "silu": nn.functional.silu,
}


class StackedMLP(nn.Module):
    """S independent MLPs d_in → hidden… → d_out evaluated with batched matmuls."""

    def __init__(self, members: int, d_in: int, hidden: Sequence[int], d_out: int,
                 activation: str, generators: Sequence[torch.Generator]) -> None:
        super().__init__()
        self.act = ACTIVATIONS[activation]
        sizes = [d_in, *hidden, d_out]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in itertools.pairwise(sizes):
            # the default init of nn.Linear: U(−1/√fan_in, 1/√fan_in), per member
            bound = 1.0 / math.sqrt(fan_in)
            w = torch.stack([(torch.rand(fan_in, fan_out, generator=g, dtype=torch.float64)
                              * 2 - 1) * bound for g in generators]).float()
            b = torch.stack([(torch.rand(1, fan_out, generator=g, dtype=torch.float64)
                              * 2 - 1) * bound for g in generators]).float()
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(b))

    def forward(self, h: torch.Tensor, start: int = 0) -> torch.Tensor:
        """h: (S, M, d_in) → (S, M, d_out). With ``start`` > 0, ``h`` is the
        pre-activation output of layer ``start − 1`` and the rest is applied."""
        last = len(self.weights) - 1
        if start > 0:
            h = self.act(h)
        for i in range(start, last + 1):
            h = torch.baddbmm(self.biases[i], h, self.weights[i])
            if i < last:
                h = self.act(h)
        return h


class Critic(nn.Module):
    """A critic T(x, y) of S members: scores of aligned pairs, (S, M, dx), (S, M, dy) → (S, M)."""

    def pair_layout(self, xs: torch.Tensor, ys: torch.Tensor, ys_neg: torch.Tensor
                    ) -> tuple[torch.Tensor, ...]:
        """An epoch's batches, (steps, S, B, d) each: joint pairs (xs, ys) and
        product-of-marginals pairs (xs, ys_neg), laid out for :meth:`pair_scores`."""
        return xs, ys, ys_neg

    def pair_scores(self, layout: tuple[torch.Tensor, ...], b: int
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(T at the joint pairs, T at the product pairs) of batch ``b``: (S, B) each."""
        xs, ys, ys_neg = layout
        return self(xs[b], ys[b]), self(xs[b], ys_neg[b])


class ConcatCritic(Critic):
    """T(x, y) = MLP([x, y]) for S members."""

    separable = False

    def __init__(self, members: int, dim_x: int, dim_y: int, hidden: Sequence[int],
                 activation: str, generators: Sequence[torch.Generator]) -> None:
        super().__init__()
        self.mlp = StackedMLP(members, dim_x + dim_y, hidden, 1, activation, generators)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Scores of aligned pairs: x (S, M, dx), y (S, M, dy) → (S, M)."""
        return self.mlp(torch.cat([x, y], dim=-1)).squeeze(-1)

    def pair_layout(self, xs: torch.Tensor, ys: torch.Tensor, ys_neg: torch.Tensor
                    ) -> tuple[torch.Tensor, ...]:
        # per step: rows [0, B) joint pairs, [B, 2B) product pairs, concatenated once
        return (torch.cat([torch.cat([xs, ys], -1), torch.cat([xs, ys_neg], -1)], dim=2),)

    def pair_scores(self, layout: tuple[torch.Tensor, ...], b: int
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        t = self.mlp(layout[0][b]).squeeze(-1)
        half = t.shape[1] // 2
        return t[:, :half], t[:, half:]

    def all_pairs(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Scores T(x_i, y_j) for all i, j: x (S, K, dx), y (S, K, dy) → (S, K, K)."""
        # The first layer is linear in [x, y]: W·[x; y] + b = (W_x x + b) + W_y y, so
        # it costs K rows per side plus a K×K broadcast sum instead of K² rows.
        s, k, dx = x.shape
        w0, b0 = self.mlp.weights[0], self.mlp.biases[0]
        ax = torch.baddbmm(b0, x, w0[:, :dx])
        ay = torch.bmm(y, w0[:, dx:])
        h = (ax.unsqueeze(2) + ay.unsqueeze(1)).reshape(s, k * k, -1)
        return self.mlp(h, start=1).reshape(s, k, k)


class SeparableCritic(Critic):
    """T(x, y) = g(x)ᵀ h(y) for S members (embedding size ``embed``)."""

    separable = True

    def __init__(self, members: int, dim_x: int, dim_y: int, hidden: Sequence[int],
                 activation: str, generators: Sequence[torch.Generator],
                 embed: int = 32) -> None:
        super().__init__()
        self.g = StackedMLP(members, dim_x, hidden, embed, activation, generators)
        self.h = StackedMLP(members, dim_y, hidden, embed, activation, generators)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return (self.g(x) * self.h(y)).sum(-1)

    def all_pairs(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.bmm(self.g(x), self.h(y).transpose(1, 2))


class StackedConv(nn.Module):
    """S independent 3×3 convolutions (padding 1), one per member.

    Input and output are (S, M, C, H, W). Each member's convolution is its own call:
    a grouped convolution of all members at once picks other kernels than a member
    alone, and its rounding then differs (seen: 1.4e-3 nats apart after 150 steps),
    where the loop keeps member s of a batched run doing the arithmetic of a run of
    that member alone."""

    def __init__(self, members: int, c_in: int, c_out: int, stride: int,
                 generators: Sequence[torch.Generator]) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(c_in * 9)  # nn.Conv2d's default init, per member
        w = torch.stack([(torch.rand(c_out, c_in, 3, 3, generator=g, dtype=torch.float64)
                          * 2 - 1) * bound for g in generators]).float()
        b = torch.stack([(torch.rand(c_out, generator=g, dtype=torch.float64) * 2 - 1) * bound
                         for g in generators]).float()
        self.weight = nn.Parameter(w)
        self.bias = nn.Parameter(b)
        self.stride = stride

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return torch.stack([nn.functional.conv2d(h[s], self.weight[s], self.bias[s],
                                                 stride=self.stride, padding=1)
                            for s in range(self.weight.shape[0])])


class ConvEncoder(nn.Module):
    """Images of one side (S, M, C·H·W, flat in C order) → codes (S, M, embed): a 3×3
    convolution, two strided ones (each halves height and width), then a linear map."""

    def __init__(self, members: int, shape: Sequence[int], channels: Sequence[int],
                 embed: int, activation: str, generators: Sequence[torch.Generator]) -> None:
        super().__init__()
        c, h, w = shape
        self.shape = (int(c), int(h), int(w))
        self.act = ACTIVATIONS[activation]
        sizes = [c, *channels]
        self.convs = nn.ModuleList(
            StackedConv(members, a, b, 1 if i == 0 else 2, generators)
            for i, (a, b) in enumerate(itertools.pairwise(sizes)))
        for _ in range(len(channels) - 1):
            h, w = (h + 1) // 2, (w + 1) // 2
        self.out = StackedMLP(members, sizes[-1] * h * w, (), embed, activation, generators)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s, m, _ = x.shape
        z = x.reshape(s, m, *self.shape)
        for conv in self.convs:
            z = self.act(conv(z))
        return self.out(z.reshape(s, m, -1))


class ConvCritic(Critic):
    """T(x, y) = MLP([enc_x(x), enc_y(y)]) for S members, with convolutional encoders of
    each side's images (shapes from the task's ``image_shape``). Each row is encoded once
    however many pairs it is in: all K² pairs of a batch, or the held-out shifted pairs."""

    separable = False
    encodes = True
    channels = (16, 32, 32)

    def __init__(self, members: int, dim_x: int, dim_y: int, hidden: Sequence[int],
                 activation: str, generators: Sequence[torch.Generator],
                 image_shape: Sequence[Sequence[int]], embed: int = 32) -> None:
        super().__init__()
        sx, sy = image_shape
        for d, shape, side in ((dim_x, sx, "x"), (dim_y, sy, "y")):
            if math.prod(shape) != d:
                raise ValueError(f"image_shape {tuple(shape)} of {side} has "
                                 f"{math.prod(shape)} pixels; the data have {d} columns")
        self.enc_x = ConvEncoder(members, sx, self.channels, embed, activation, generators)
        self.enc_y = ConvEncoder(members, sy, self.channels, embed, activation, generators)
        if not self.separable:
            self.head = StackedMLP(members, 2 * embed, hidden, 1, activation, generators)

    def scores(self, ex: torch.Tensor, ey: torch.Tensor) -> torch.Tensor:
        """T of aligned codes (S, M, E) → (S, M)."""
        return self.head(torch.cat([ex, ey], dim=-1)).squeeze(-1)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.scores(self.enc_x(x), self.enc_y(y))

    def pair_scores(self, layout: tuple[torch.Tensor, ...], b: int
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        xs, ys, ys_neg = layout
        ex = self.enc_x(xs[b])
        return self.scores(ex, self.enc_y(ys[b])), self.scores(ex, self.enc_y(ys_neg[b]))

    def all_pairs(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # the head's first layer is linear in [ex, ey]: K codes per side, a K×K sum
        ex, ey = self.enc_x(x), self.enc_y(y)
        s, k, e = ex.shape
        w0, b0 = self.head.weights[0], self.head.biases[0]
        h = (torch.baddbmm(b0, ex, w0[:, :e]).unsqueeze(2)
             + torch.bmm(ey, w0[:, e:]).unsqueeze(1)).reshape(s, k * k, -1)
        return self.head(h, start=1).reshape(s, k, k)

    def shifted_scores(self, x: torch.Tensor, y: torch.Tensor, shifts: int
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        """T at aligned rows and at rows paired with y cyclically shifted by 1..shifts."""
        ex, ey = self.enc_x(x), self.enc_y(y)
        marg = [self.scores(ex, torch.roll(ey, -k, dims=1)) for k in range(1, shifts + 1)]
        return self.scores(ex, ey), torch.cat(marg, dim=1)


class ConvSeparableCritic(ConvCritic):
    """T(x, y) = enc_x(x)ᵀ enc_y(y): the convolutional codes of each side, dotted — all K²
    pairs of a batch are one matrix product (for the all-pairs objectives)."""

    separable = True

    def scores(self, ex: torch.Tensor, ey: torch.Tensor) -> torch.Tensor:
        return (ex * ey).sum(-1)

    def all_pairs(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.bmm(self.enc_x(x), self.enc_y(y).transpose(1, 2))


class GaussianConditional(nn.Module):
    """Density model log q(y | x) = log N(y; μ(x), diag σ(x)²) for S members, an MLP
    x → (μ, log σ); plus a Gaussian marginal q(y) with the training rows' mean and
    covariance (:meth:`fit_marginal`), for the difference-of-entropies estimate."""

    separable = False

    def __init__(self, members: int, dim_x: int, dim_y: int, hidden: Sequence[int],
                 activation: str, generators: Sequence[torch.Generator]) -> None:
        super().__init__()
        self.dim_y = dim_y
        self.net = StackedMLP(members, dim_x, hidden, 2 * dim_y, activation, generators)
        self.register_buffer("m_mean", torch.zeros(members, 1, dim_y))
        self.register_buffer("m_chol", torch.eye(dim_y).repeat(members, 1, 1))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """log q(y_i | x_i) of aligned rows: x (S, M, dx), y (S, M, dy) → (S, M)."""
        out = self.net(x)
        mu, raw = out[..., : self.dim_y], out[..., self.dim_y :]
        log_sigma = 5.0 * torch.tanh(raw / 5.0)  # σ in [e^-5, e^5]: no runaway variances
        z = (y - mu) * torch.exp(-log_sigma)
        return (-0.5 * (z * z).sum(-1) - log_sigma.sum(-1)
                - 0.5 * self.dim_y * math.log(2 * math.pi))

    @torch.no_grad()
    def fit_marginal(self, y: torch.Tensor) -> None:
        """Maximum-likelihood Gaussian q(y) of each member's rows y (S, n, dy)."""
        mean = y.mean(1, keepdim=True)
        c = y - mean
        cov = c.transpose(1, 2) @ c / y.shape[1]
        cov = cov + 1e-6 * torch.eye(self.dim_y, device=y.device)
        self.m_mean.copy_(mean)
        self.m_chol.copy_(torch.linalg.cholesky(cov))

    def with_marginal(self, x: torch.Tensor, y: torch.Tensor
                      ) -> tuple[torch.Tensor, torch.Tensor]:
        """(log q(y | x), log q(y)) of aligned rows."""
        return self(x, y), self.log_marginal(y)

    def log_marginal(self, y: torch.Tensor) -> torch.Tensor:
        """log q(y) under the fitted Gaussian marginal: (S, M, dy) → (S, M)."""
        z = torch.linalg.solve_triangular(self.m_chol, (y - self.m_mean).transpose(1, 2),
                                          upper=False)
        logdet = torch.log(torch.diagonal(self.m_chol, dim1=-2, dim2=-1)).sum(-1, keepdim=True)
        return -0.5 * (z * z).sum(1) - logdet - 0.5 * self.dim_y * math.log(2 * math.pi)


class FlowConditional(nn.Module):
    """Density models q(y) and q(y | x) from normalising flows (``zuko`` neural
    spline flows), for S members.

    The marginal is a flow g: q(y) = N(g(y); 0, I)·|det ∂g/∂y|. The conditional
    is built on the same map: q(y | x) = q_c(g(y) | x)·|det ∂g/∂y| with q_c a
    flow on u = g(y) whose conditioners see x. The difference of entropies is
    then the mean of log q_c(u | x) − log N(u; 0, I): the Jacobian of g cancels
    exactly, so where g fits the tails of Y poorly (beyond the splines' range,
    say) the error enters both entropies alike instead of twice. Measured on
    the cube of a 1-D Gaussian pair (ρ = 0.8, truth 0.511, N 3000, one seed,
    flows at zuko's random initialisation): 0.554 with the shared map, 0.421
    with two unrelated flows for q(y) and q(y | x).

    zuko's flows are not batched over members, so each member owns its two flows
    (a loop of S flows per step); :meth:`member_of` tells the trainer which member
    a parameter belongs to. The marginal flow has trainable parameters, unlike the
    Gaussian model's fitted one, so the difference-of-entropies objective trains
    it by likelihood alongside q(y | x) (:attr:`trained_marginal`; :meth:`with_marginal`
    gives both likelihoods from one pass of g).
    """

    separable = False
    trained_marginal = True

    def __init__(self, members: int, dim_x: int, dim_y: int, hidden: Sequence[int],
                 activation: str, generators: Sequence[torch.Generator],
                 transforms: int = 3) -> None:
        from .._flow_model import identity_spline_flow

        super().__init__()
        act = _MODULE_ACTIVATIONS[activation]
        cond, marg = [], []
        state = torch.random.get_rng_state()
        try:
            for g in generators[:members]:
                # zuko initialises from torch's global stream: seed it from the member's
                torch.manual_seed(int(torch.randint(2**62, (1,), generator=g)))
                cond.append(identity_spline_flow(dim_y, dim_x, transforms, tuple(hidden),
                                                 activation=act))
                marg.append(identity_spline_flow(dim_y, 0, transforms, tuple(hidden),
                                                 activation=act))
        finally:
            torch.random.set_rng_state(state)
        self.cond = nn.ModuleList(cond)
        self.marg = nn.ModuleList(marg)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """log q(y_i | x_i) of aligned rows: x (S, M, dx), y (S, M, dy) → (S, M)."""
        return self.with_marginal(x, y)[0]

    def with_marginal(self, x: torch.Tensor, y: torch.Tensor
                      ) -> tuple[torch.Tensor, torch.Tensor]:
        """(log q(y | x), log q(y)) of aligned rows, g(y) computed once for both."""
        cond, marg = [], []
        for s, (fc, fm) in enumerate(zip(self.cond, self.marg, strict=True)):
            g = fm()
            u, ladj = g.transform.call_and_ladj(y[s])
            cond.append(fc(x[s]).log_prob(u) + ladj)
            marg.append(g.base.log_prob(u) + ladj)
        return torch.stack(cond), torch.stack(marg)

    def fit_marginal(self, y: torch.Tensor) -> None:
        """Nothing to fit in closed form: the marginal flow is trained by the trainer."""

    @staticmethod
    def member_of(key: str) -> int:
        """The member a state-dict entry belongs to ("cond.3.…" → 3)."""
        return int(key.split(".")[1])


#: Each critic (or density model) by name, built for S members from an estimator's
#: parameters (hidden, activation, and embed or transforms where it has them).
CRITICS: dict[str, Callable[[Any, int, int, int, Sequence[torch.Generator]], nn.Module]] = {
    "concat": lambda est, s, dx, dy, gens: ConcatCritic(s, dx, dy, est.hidden, est.activation,
                                                        gens),
    "separable": lambda est, s, dx, dy, gens: SeparableCritic(s, dx, dy, est.hidden,
                                                              est.activation, gens, est.embed),
    "gaussian": lambda est, s, dx, dy, gens: GaussianConditional(s, dx, dy, est.hidden,
                                                                 est.activation, gens),
    "flow": lambda est, s, dx, dy, gens: FlowConditional(s, dx, dy, est.hidden, est.activation,
                                                         gens, est.transforms),
    "conv": lambda est, s, dx, dy, gens: ConvCritic(s, dx, dy, est.hidden, est.activation,
                                                    gens, est.conv_shapes(), est.embed),
    "conv-separable": lambda est, s, dx, dy, gens: ConvSeparableCritic(
        s, dx, dy, est.hidden, est.activation, gens, est.conv_shapes(), est.embed),
}
