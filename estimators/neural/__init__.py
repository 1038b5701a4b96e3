"""Neural MI estimators: MINE (Belghazi et al., ICML 2018) and its relatives.

All share one critic family and one training loop (``_critics``, ``_train``)
and differ in the bound they train on and report:

=============  ==================================================  ==============================
name           trained on                                           reported (held-out)
=============  ==================================================  ==============================
mine           DV, gradient bias-corrected by a moving average      DV bound
               of E_Q[e^T] (paper's Algorithm 1, ``ema_rate``)
mine-biased    DV with the plain minibatch gradient                 DV bound
mine-f         f-divergence bound E_P[T] − E_Q[e^(T−1)],            same bound
               one shuffled negative per joint pair
nwj            the same bound with all K(K−1) in-batch negatives    same bound
infonce        InfoNCE with all in-batch negatives                  InfoNCE (≤ log batch_size)
smile          Jensen–Shannon objective (SMILE, Song & Ermon        DV with e^T clipped to
               2020)                                                [e^−τ, e^τ]: an estimate,
                                                                    not a bound (the clip
                                                                    trades bias for variance)
=============  ==================================================  ==============================

The reported value is always the plain bound evaluated with the trained
critic on held-out data (never the moving-average surrogate), with a stable
log-mean-exp. Each result's ``info`` carries ``ceiling``, the most that
estimate can report whatever the truth (log of the evaluation batch for
InfoNCE, log of the number of held-out negative pairs for the others), so a
report can tell a method's limit from a training failure. These modules
import torch only when an estimate is made, so ``mibench list`` works
without torch and shows them as unavailable.

Defaults, and why
-----------------
The defaults must represent each method fairly at the MINE paper's headline
setting (dimension 20 per side), not only in 1-D. Measured on a 2-core CPU,
``gaussian[dim=20,rho=0.5]`` (truth 2.877), N = 20 000, 5 seeds trained
together (``python benchmarks/neural_defaults.py`` prints the full table):

* Training budget: up to 10 000 steps with early stopping on a validation
  half of the held-out data (patience 30 evaluations of every 100 steps);
  the critic of the best validation score is kept and the estimate is read
  on the other half. A fixed 3000-step budget left ``mine`` at 2.00 (two
  seeds collapsed to 0.90 and 1.36 on a bad last step); early stopping keeps
  the best critic, and on independent data (rho = 0) it stops before the
  critic over-fits, so the held-out estimate stays near 0 instead of the
  −0.38 of an over-fitted critic.
* Learning rate 3e-4 (1e-3 for mine-f, whose one-negative f-bound was still
  rising after 10 000 steps at 3e-4: −15.6 %, against −6.8 % at 1e-3).
* Critic: concatenation MLP T(x, y) = MLP([x, y]) with two hidden layers of
  100 SiLU units for the one-negative objectives (mine, mine-biased,
  mine-f). Two layers of 100 represent the quadratic log density ratios of
  the Gaussian tasks up to d = 20 per side and the smooth ratios of the
  transformed tasks. SiLU is smooth like those ratios and its CPU kernel is
  about three times cheaper than ELU's.
* The all-pairs objectives (nwj, infonce, smile) score all K² pairs of a
  batch; with a concat critic that is K² forward passes (45 ms a step for 5
  seeds at K = 64 here, 150 s per seed for 10 000 steps), with the separable
  critic g(x)ᵀh(y) one matrix product (2.6 ms). The Gaussian log ratio is
  bilinear in (x, y) plus per-side terms, which g(x)ᵀh(y) represents, so
  they default to ``critic="separable"`` (embedding 32), batch 128 — and 256
  for InfoNCE, whose estimate cannot exceed log K and is biased low as the
  MI nears it (−14.4 % at K = 128, −10.9 % at K = 256).
* Batch 256 for the one-negative objectives, 30 % of the data held out, data
  standardised per column with statistics of the training rows.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mibench import (
    ContractSettings,
    EstimateResult,
    Estimator,
    PluginUnavailableError,
    module_error,
    register_estimator,
    require,
)

_DEVICES = ("auto", "cpu", "cuda", "mps")
_ACTIVATIONS = ("relu", "elu", "silu", "gelu", "tanh", "softplus", "leaky_relu")


#: (device, objective, critic) already warmed up in this process.
_WARMED: set[tuple[str, str, str]] = set()

_CONVERGENCE_WARNINGS = {
    "rising": ["not converged: the held-out bound was still rising at the end of training "
               "(its late slope exceeds its noise); give a larger budget"],
    "too few points": ["convergence not judged: fewer than 10 held-out evaluations; "
                       "lower eval_every or raise the budget"],
    "not finite": ["the held-out bound became non-finite during training"],
}


class NeuralEstimator(Estimator):
    """Shared hyperparameters of the neural estimators.

    Parameters
    ----------
    steps : int or None
        Training steps (minibatches). Give ``epochs`` instead to budget in
        passes over the training data; exactly one of the two is used
        (``steps`` wins when both are set).
    epochs : float or None
        Training budget in epochs when ``steps`` is None.
    batch_size : int or None
        Minibatch size; None means the estimator's default: 256 for mine /
        mine-biased / mine-f, 128 for nwj and smile, 256 for infonce.
    lr : float or None
        Adam learning rate; None means the estimator's default (1e-3 for
        mine-f, 3e-4 for the others).
    hidden : tuple of int
        Hidden layer widths of the critic MLP(s).
    activation : str
        One of relu, elu, silu, gelu, tanh, softplus, leaky_relu.
    critic : {"concat", "separable"} or None (club, doe: {"gaussian", "flow"})
        T(x, y) = MLP([x, y]) or g(x)ᵀ h(y); None means the estimator's
        default: concat for mine / mine-biased / mine-f, separable for the
        all-pairs objectives (whose K² scores then cost one matrix product).
        The density estimators take a density model instead: gaussian
        (default) or flow.
    test_fraction : float
        Share of the samples held out to evaluate the reported bound.
    early_stopping : bool
        Stop when the bound on a validation half of the held-out data has
        not improved for ``patience`` evaluations, keep the best critic, and
        report the bound on the other half (default: on; ``steps`` is then
        the most it may train).
    patience : int
        Evaluations without improvement before stopping.
    eval_every : int
        Steps between evaluations (training curve points).
    standardize : bool
        Scale each column to zero mean and unit variance first.
    device : str
        "auto" (GPU if present, else CPU), "cpu", "cuda", "cuda:N" or "mps".
    seed : int
        Seed of initialisation, data split and batches.
    eval_pairs : int
        Product-of-marginals pairs used for the reported held-out bound (about
        this many, as whole cyclic shifts of the held-out rows).
    """

    requires: ClassVar[tuple[str, ...]] = ("torch",)
    objective: ClassVar[str] = ""
    #: What ``batch_size``, ``critic`` and ``lr`` of None mean for this estimator.
    default_batch: ClassVar[int] = 256
    default_critic: ClassVar[str] = "concat"
    default_lr: ClassVar[float] = 3e-4
    #: The network families this estimator's objective can train.
    critics: ClassVar[tuple[str, ...]] = ("concat", "separable")
    # Contract suite: a short budget (150 steps, one hidden layer of 32, a larger
    # step size). The held-out bound on 600 rows then has a standard error of
    # about 0.03-0.04 nats, so 0.1 nats is about three standard errors.
    contract = ContractSettings(
        fast_params={"steps": 150, "hidden": (32,), "lr": 5e-3, "eval_every": 50,
                     "early_stopping": False},
        n_samples=2000, zero_tol=0.1, easy_tol=0.1,
    )

    def __init__(self, steps: int | None = 10_000, epochs: float | None = None,
                 batch_size: int | None = None, lr: float | None = None,
                 hidden: tuple[int, ...] = (100, 100), activation: str = "silu",
                 critic: str | None = None, test_fraction: float = 0.3,
                 early_stopping: bool = True, patience: int = 30, eval_every: int = 100,
                 standardize: bool = True, device: str = "auto", seed: int = 0,
                 eval_pairs: int = 250_000) -> None:
        require(steps is not None or epochs is not None,
                f"{self.name}: give a training budget: steps or epochs")
        if steps is not None:
            require(isinstance(steps, int) and not isinstance(steps, bool) and steps >= 1,
                    f"{self.name}: steps must be a positive integer; got {steps!r}")
        if epochs is not None:
            require(isinstance(epochs, (int, float)) and epochs > 0,
                    f"{self.name}: epochs must be a positive number; got {epochs!r}")
        if batch_size is not None:
            require(isinstance(batch_size, int) and batch_size >= 2,
                    f"{self.name}: batch_size must be an integer >= 2; got {batch_size!r}")
        require(lr is None or (isinstance(lr, (int, float)) and not isinstance(lr, bool)
                               and lr > 0),
                f"{self.name}: lr must be a positive number or none; got {lr!r}")
        hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
        require(len(hidden) >= 1 and all(isinstance(h, int) and h >= 1 for h in hidden),
                f"{self.name}: hidden must be positive layer widths such as (100,100); "
                f"got {hidden!r}")
        require(activation in _ACTIVATIONS,
                f"{self.name}: activation must be one of {_ACTIVATIONS}; got {activation!r}")
        require(critic is None or critic in self.critics,
                f"{self.name}: critic must be one of {self.critics} or none; got {critic!r}")
        require(isinstance(test_fraction, float) and 0 < test_fraction < 1,
                f"{self.name}: test_fraction must be a float in (0, 1); got {test_fraction!r}")
        require(isinstance(patience, int) and patience >= 1,
                f"{self.name}: patience must be a positive integer; got {patience!r}")
        require(isinstance(eval_every, int) and eval_every >= 1,
                f"{self.name}: eval_every must be a positive integer; got {eval_every!r}")
        require(isinstance(device, str) and (device in _DEVICES or device.startswith("cuda:")),
                f"{self.name}: device must be one of {_DEVICES} or 'cuda:N'; got {device!r}")
        self.steps = steps
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.hidden = hidden
        self.activation = activation
        self.critic = critic
        self.test_fraction = test_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.eval_every = eval_every
        self.standardize = standardize
        require(isinstance(eval_pairs, int) and eval_pairs >= 1,
                f"{self.name}: eval_pairs must be a positive integer; got {eval_pairs!r}")
        self.device = device
        self.seed = seed
        self.eval_pairs = eval_pairs

    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return 20

    def extra_config(self) -> dict[str, Any]:
        """Objective-specific training settings."""
        return {}

    def prepare(self) -> None:
        """Import torch and the trainer and warm the device up (not timed by the runner).

        The first training in a process pays one-off costs — torch's thread pool,
        its allocator, kernel set-up — which made the first cell of a run about 3×
        slower than the next. A few steps on a small random problem with this
        configuration's critic and objective pay them here, once per process.
        """
        from ._train import resolve_device, train

        dev = resolve_device(self.device)
        key = (str(dev), self.objective, self.critic or self.default_critic)
        if key in _WARMED:
            return
        rng = np.random.default_rng(0)
        x = rng.standard_normal((256, 2))
        cfg = self.with_params(steps=8, epochs=None, eval_every=4, eval_pairs=2048,
                               early_stopping=False, batch_size=None).train_config()
        train([x[:, :1]], [x[:, 1:]], [0], cfg)
        _WARMED.add(key)

    def step_timing(self, device: str = "cpu") -> list[dict[str, float]] | None:
        """Time per training step against batch size and dimension (see
        :meth:`mibench.Estimator.step_timing`), with this configuration."""
        from ._timing import step_timing

        return step_timing(self.with_params(device=device).train_config())

    def train_config(self) -> Any:
        from ._train import TrainConfig

        return TrainConfig(
            objective=self.objective, critic=self.critic or self.default_critic,
            hidden=self.hidden, activation=self.activation, lr=self.lr or self.default_lr,
            batch_size=self.batch_size or self.default_batch, steps=self.steps,
            epochs=self.epochs, test_fraction=self.test_fraction,
            eval_every=self.eval_every, early_stopping=self.early_stopping,
            patience=self.patience, standardize=self.standardize, device=self.device,
            eval_pairs=self.eval_pairs, **self.extra_config(),
        )

    def _estimate(self, x: np.ndarray, y: np.ndarray) -> EstimateResult:
        return self._train_members([(x, y)], [self.seed])[0]  # x, y already validated

    def estimate_many(self, datasets: list[tuple[np.ndarray, np.ndarray]],
                      seeds: list[int]) -> list[EstimateResult]:
        """Train one critic per (dataset, seed) together in one batched model.

        All datasets must have the same shape. Member s gives the same estimate
        as ``with_params(seed=seeds[s]).estimate(*datasets[s])``.
        """
        checked = [self.validate(x, y) for x, y in datasets]
        shapes = {(a.shape, b.shape) for a, b in checked}
        require(len(shapes) == 1, f"{self.name}: estimate_many needs datasets of one shape; "
                                  f"got {sorted(shapes)}")
        require(len(seeds) == len(checked), "estimate_many: one seed per dataset")
        return self._train_members(checked, list(seeds))

    def _train_members(self, checked: list[tuple[np.ndarray, np.ndarray]],
                       seeds: list[int]) -> list[EstimateResult]:
        from ._train import train

        members = train([a for a, _ in checked], [b for _, b in checked], seeds,
                        self.train_config())
        out = []
        for m in members:
            out.append(EstimateResult(m.value, m.info, _CONVERGENCE_WARNINGS.get(
                m.info["convergence"], [])))
        return out


@register_estimator("mine")
class MINE(NeuralEstimator):
    __doc__ = "MINE: Donsker–Varadhan bound, moving-average bias-corrected gradient.\n\n" + (
        NeuralEstimator.__doc__ or "").split("\n", 2)[2] + """
    ema_rate : float
        Rate of the moving average of E_Q[e^T] in the corrected gradient (0.01).
    """
    description = "MINE (DV bound, EMA bias-corrected gradient; Belghazi et al. 2018)"
    objective = "mine"

    def __init__(self, steps: int | None = 10_000, epochs: float | None = None,
                 batch_size: int | None = None, lr: float | None = None,
                 hidden: tuple[int, ...] = (100, 100), activation: str = "silu",
                 critic: str | None = None, test_fraction: float = 0.3,
                 early_stopping: bool = True, patience: int = 30, eval_every: int = 100,
                 standardize: bool = True, device: str = "auto", seed: int = 0,
                 eval_pairs: int = 250_000, ema_rate: float = 0.01) -> None:
        super().__init__(steps, epochs, batch_size, lr, hidden, activation, critic,
                         test_fraction, early_stopping, patience, eval_every, standardize,
                         device, seed, eval_pairs)
        require(isinstance(ema_rate, float) and 0 < ema_rate <= 1,
                f"mine: ema_rate must be a float in (0, 1]; got {ema_rate!r}")
        self.ema_rate = ema_rate

    def extra_config(self) -> dict[str, Any]:
        return {"ema_rate": self.ema_rate}


@register_estimator("mine-biased")
class MINEBiased(NeuralEstimator):
    description = "MINE with the plain (biased) minibatch DV gradient"
    objective = "mine-biased"


@register_estimator("mine-f")
class MINEf(NeuralEstimator):
    description = "MINE-f: f-divergence bound E_P[T] - E_Q[exp(T-1)], shuffled negatives"
    objective = "mine-f"
    default_lr = 1e-3


@register_estimator("nwj")
class NWJ(NeuralEstimator):
    description = "NWJ bound (as MINE-f) with all K(K-1) in-batch negatives"
    objective = "nwj"
    default_batch = 128
    default_critic = "separable"


@register_estimator("infonce")
class InfoNCE(NeuralEstimator):
    description = "InfoNCE (CPC) bound with all in-batch negatives; at most log(batch_size)"
    objective = "infonce"
    default_batch = 256
    default_critic = "separable"


@register_estimator("smile")
class SMILE(NeuralEstimator):
    __doc__ = ("SMILE: trained on Jensen–Shannon, reports DV with a clipped partition "
               "term (an estimate, not a bound).\n\n") + (
        NeuralEstimator.__doc__ or "").split("\n", 2)[2] + """
    tau : float
        Clip e^T to [e^−τ, e^τ] in the partition term (Song & Ermon 2020 use 1–10).
    """
    description = ("SMILE: DV estimate with e^T clipped to [e^-tau, e^tau], not a bound "
                   "(Song & Ermon 2020)")
    objective = "smile"
    default_batch = 128
    default_critic = "separable"

    def __init__(self, steps: int | None = 10_000, epochs: float | None = None,
                 batch_size: int | None = None, lr: float | None = None,
                 hidden: tuple[int, ...] = (100, 100), activation: str = "silu",
                 critic: str | None = None, test_fraction: float = 0.3,
                 early_stopping: bool = True, patience: int = 30, eval_every: int = 100,
                 standardize: bool = True, device: str = "auto", seed: int = 0,
                 eval_pairs: int = 250_000, tau: float = 5.0) -> None:
        super().__init__(steps, epochs, batch_size, lr, hidden, activation, critic,
                         test_fraction, early_stopping, patience, eval_every, standardize,
                         device, seed, eval_pairs)
        require(isinstance(tau, (int, float)) and tau > 0,
                f"smile: tau must be positive; got {tau!r}")
        self.tau = float(tau)

    def extra_config(self) -> dict[str, Any]:
        return {"tau": self.tau}


_TRANSFORMS_DOC = """    transforms : int
        Spline transforms of each flow when ``critic="flow"``.
"""


class _DensityEstimator(NeuralEstimator):
    """Estimators built on a learned conditional density q(y | x), trained by maximum
    likelihood on joint batches by the shared trainer; early stopping keeps the
    model of best held-out likelihood (not of best estimate).

    Density models (``critic``): "gaussian", N(μ(x), diag σ(x)²) from an MLP of
    ``hidden`` layers; "flow", a conditional neural spline flow of ``transforms``
    spline transforms (conditioners of ``hidden`` layers, from the optional
    ``zuko`` package: ``pip install 'mibench[flows]'``), which can fit a skewed,
    heavy-tailed or multimodal q(y | x) that a Gaussian cannot, at the cost of a
    loop over seeds (the flows are not batched) and several times the step time.
    """

    critics = ("gaussian", "flow")
    default_critic = "gaussian"
    default_lr = 1e-3

    def __init__(self, steps: int | None = 10_000, epochs: float | None = None,
                 batch_size: int | None = None, lr: float | None = None,
                 hidden: tuple[int, ...] = (100, 100), activation: str = "silu",
                 critic: str | None = None, test_fraction: float = 0.3,
                 early_stopping: bool = True, patience: int = 30, eval_every: int = 100,
                 standardize: bool = True, device: str = "auto", seed: int = 0,
                 eval_pairs: int = 250_000, transforms: int = 3) -> None:
        super().__init__(steps, epochs, batch_size, lr, hidden, activation, critic,
                         test_fraction, early_stopping, patience, eval_every, standardize,
                         device, seed, eval_pairs)
        require(isinstance(transforms, int) and not isinstance(transforms, bool)
                and transforms >= 1,
                f"{self.name}: transforms must be a positive integer; got {transforms!r}")
        self.transforms = transforms
        if critic == "flow":
            missing = module_error("zuko")
            if missing is not None:
                raise PluginUnavailableError(
                    f"{self.name}: critic='flow' {missing}; install it with "
                    "pip install 'mibench[flows]'")

    def extra_config(self) -> dict[str, Any]:
        return {"transforms": self.transforms}


@register_estimator("club")
class CLUB(_DensityEstimator):
    __doc__ = """CLUB: contrastive log-ratio upper bound (Cheng et al., ICML 2020).

    I_CLUB = E_p(x,y)[log q(y|x)] − E_p(x)p(y)[log q(y|x)], read on held-out
    pairs (the negatives are the same cyclic shifts as the critics' bounds). It
    is an upper bound on I when q(y|x) is the true conditional, and stays one
    approximately while q is close to it (the paper's Theorem 3.2: when
    KL(p(x,y) ‖ q(x,y)) ≤ KL(p(x)p(y) ‖ q(x,y))); a poor q can fall below I.

""" + (NeuralEstimator.__doc__ or "").split("\n", 2)[2] + _TRANSFORMS_DOC
    description = "CLUB upper bound (Cheng et al. 2020) with a learned Gaussian or flow q(y|x)"
    objective = "club"
    # With the true conditional, CLUB of a Gaussian pair is Σ ρ²/(1 − ρ²), not
    # −½ Σ log(1 − ρ²): on the contract's 1-D rho = 0.8 task 1.78 against 0.51.
    contract = ContractSettings(
        fast_params=NeuralEstimator.contract.fast_params, n_samples=2000, zero_tol=0.1,
        easy_tol=1.27 + 0.2)


@register_estimator("doe")
class DoE(_DensityEstimator):
    __doc__ = """DoE: difference of entropies Ĥ(Y) − Ĥ(Y|X) (McAllester & Stratos,
    AISTATS 2020).

    Both entropies are cross-entropies on held-out rows: Ĥ(Y|X) = −mean log q(y|x)
    with the learned q(y|x), Ĥ(Y) = −mean log q(y) with a marginal model of the
    same kind: for ``critic="gaussian"`` (default) the maximum-likelihood
    Gaussian of the training rows, for ``critic="flow"`` a spline flow trained
    with q(y|x) (early stopping on the sum of the two held-out likelihoods).
    Each is an upper bound on its entropy, so their difference is neither
    bound — but it is not capped at log N, the limit McAllester & Stratos prove
    for every distribution-free lower bound. The Gaussian models are exact only
    for Gaussian Y and Gaussian Y | X; the flows lift that.

""" + (NeuralEstimator.__doc__ or "").split("\n", 2)[2] + _TRANSFORMS_DOC
    description = "difference of entropies H(Y) - H(Y|X) (McAllester & Stratos 2020), " \
                  "Gaussian or flow density models; not capped at log N"
    objective = "doe"
