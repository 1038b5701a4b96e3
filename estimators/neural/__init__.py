"""Neural MI estimators: MINE (Belghazi et al., ICML 2018) and its relatives.

All share one critic family, one training loop and one early-stopping rule
(``_critics``, ``_train``, ``_stopping``); each estimator class below is one
objective — what it trains on, what it reports, its negatives, its stopping
score and its ceiling — and a new objective is one more such class (here or
in a plugin of its own), with no change to the trainer:

=============  ==================================================  ==============================
name           trained on                                           reported (held-out)
=============  ==================================================  ==============================
mine           DV, gradient bias-corrected by a moving average      DV bound
               of E_Q[e^T] (paper's Algorithm 1, ``ema_rate``)
mine-biased    DV with the plain minibatch gradient                 DV bound
mine-f         f-divergence bound E_P[T] − E_Q[e^(T−1)],            same bound
               one deranged negative per joint pair
nwj            the same bound with all K(K−1) in-batch negatives    same bound
infonce        InfoNCE with all in-batch negatives                  InfoNCE (≤ log batch_size)
smile          Jensen–Shannon objective (SMILE, Song & Ermon        DV with e^T clipped to
               2020)                                                [e^−τ, e^τ]: an estimate,
                                                                    not a bound (the clip
                                                                    trades bias for variance)
=============  ==================================================  ==============================

The reported value is always the plain bound evaluated with the trained
critic on held-out data (never the moving-average surrogate), with a stable
log-mean-exp. Each result carries its ``ceiling``, the most that estimate can
report whatever the truth (log of the evaluation batch for InfoNCE, log of
the number of held-out negative pairs for the others), so a report can tell
a method's limit from a training failure. This module imports torch only
when an estimate is made (the bound functions load on first use), so
``mibench list`` works without torch and shows these as unavailable.

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
* Known shortfall of this schedule: on tasks whose critic must resolve fine
  structure it stops on a plateau. On bmi's Waves (truth 1.308, bmi's arrays,
  3 seeds) every default reads 0.08–0.37, while ``lr=1e-3, steps=40000,
  patience=100`` reads 0.42–1.00 (all but ``smile`` then closer than any of
  bmi's estimators on Waves, AI and Galaxy;
  ``benchmarks/results/bmi_neural_long_training.md``), for up to four times
  the training steps (on bmi's 1-D Gaussian 11 000–25 300 steps where the
  default stops at 4 300–6 600).
* ``infonce`` and ``gan-dime`` take that longer schedule as their default. A
  default changes only where a sweep of bmi-v1 and the zoo (3 seeds) shows no
  task worse beyond its seed spread — and, since with 3 seeds a configuration
  identical to the default is called worse on some task of the 59 in most
  sweeps, a task so called is run again on 10 fresh seeds and stays worse only
  if it is worse there too (``benchmarks/variant_rule.py --confirm``). For
  ``infonce`` the first stage flagged 3 of bmi-v1's tasks and 1 of the zoo's,
  for ``gan-dime`` 1 and none, and no flag repeated on fresh seeds
  (``benchmarks/results/long_schedule_rule.md``). For ``kl-dime`` 34 of
  bmi-v1's 40 tasks flagged 3 and none repeated on fresh seeds; six tasks
  and the zoo were not run. ``mine-f``'s three bmi-v1 flags did not repeat either,
  but on student-identity-5-5-3 both schedules diverge with standardised
  margins (4 and 5 of 10 fresh seeds far below zero), and ``mine-f`` has since
  taken normal scores, with which its longer schedule was not swept (on Waves
  it then reads 0.559 ± 0.041). ``mine-biased`` was stopped after 7 tasks;
  ``mine``, ``nwj``, ``hd-dime`` were not swept. ``smile`` stays on Waves'
  plateau with its τ = 5 either way; τ = 1 with the longer schedule reads
  1.014 ± 0.080 there (``benchmarks/results/smile_tau_v2.md``), not swept.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from mibench.plugin import (
    Bool,
    Ceiling,
    Constraint,
    ContractSettings,
    Device,
    EstimateResult,
    Estimator,
    Integer,
    OneOf,
    Optional,
    ParameterError,
    PluginUnavailableError,
    Real,
    Reject,
    Widths,
    margins_param,
    module_error,
    param,
    register_estimator,
    require,
)

if TYPE_CHECKING:
    import torch

    from ._train import AllPairScores, JointRows, PairScores

ACTIVATIONS = ("relu", "elu", "silu", "gelu", "tanh", "softplus", "leaky_relu")


class ImageShapes(Constraint):
    """X's and Y's (channels, height, width); one shape stands for both sides."""

    def accept(self, value: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
        def shape(v: Any) -> tuple[int, ...]:
            if not isinstance(v, (tuple, list)) or len(v) != 3 or not all(
                    isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in v):
                raise Reject
            return tuple(int(d) for d in v)

        if isinstance(value, (tuple, list)) and len(value) == 2 and all(
                isinstance(v, (tuple, list)) for v in value):
            return shape(value[0]), shape(value[1])
        one = shape(value)
        return one, one

    def describe(self) -> str:
        return "(channels, height, width), or one such shape for X and one for Y"


class _Bounds:
    """The bound functions of ``_bounds``, imported with torch on first use: this module
    is imported when plugins are registered, which must not import torch."""

    def __getattr__(self, name: str) -> Any:
        from . import _bounds

        return getattr(_bounds, name)


bounds = _Bounds()

#: (device, estimator class, critic, image shapes) already warmed up in this process.
_WARMED: set[tuple[Any, ...]] = set()

_CONVERGENCE_WARNINGS = {
    "rising": ["not converged: the held-out bound was still rising at the end of training "
               "(its late slope exceeds its noise); give a larger budget"],
    "too few points": ["convergence not judged: fewer than 10 held-out evaluations; "
                       "lower eval_every or raise the budget"],
    "not finite": ["the held-out bound became non-finite during training"],
}


def _steps_param(default: int) -> Any:
    """The ``steps`` parameter with its default (an estimator that trains longer by
    default re-declares it)."""
    return param(default, Optional(Integer(min=1)),
                 "training steps (minibatches), the most when early stopping; "
                 "none: budget in epochs")


def _patience_param(default: int) -> Any:
    """The ``patience`` parameter with its default (see :func:`_steps_param`)."""
    return param(default, Integer(min=1), "evaluations without improvement before stopping")


#: Where a neural estimator's ``margins`` apply (completes "applied to ...").
_MARGINS_APPLIED_TO = "every row, with the statistics or ranks of the training rows alone"


def _margins(default: str) -> Any:
    """The ``margins`` parameter with its default (see :func:`_steps_param`)."""
    return margins_param(default, _MARGINS_APPLIED_TO, replaces_standardize=True)


class NeuralEstimator(Estimator):
    """A variational estimator trained by the shared trainer; a subclass is one objective.

    The objective says how training negatives are drawn (:attr:`negatives`), what a
    step maximises (:meth:`train_value`, per member), and what is reported on
    held-out rows (:meth:`bound` of the scores of aligned and cyclically shifted
    pairs, or :meth:`heldout` for any other reading); it may change what early
    stopping maximises (:meth:`stopping_score`) and its :meth:`ceiling`. Its own
    hyperparameters are declared with ``param``, after the shared ones below.

    Margins: ``normal-scores`` is the default of ``mine-biased``, ``mine-f`` and ``nwj``;
    every other neural estimator keeps ``standardize``. The rule: a default changes only
    where no task gets worse beyond its seed spread (``benchmarks/variant_rule.py``;
    ``benchmarks/results/margins.md``, bmi-v1's 40 tasks and the zoo's 19, N 5000, 3
    seeds) — and, since with 3 seeds a configuration identical to the default is called
    worse on some of 59 tasks in most sweeps, a task so called is run again on 10 fresh
    seeds and stays worse only if it is worse there too
    (``benchmarks/results/margins_confirm.md``).

    ``normal-scores`` cut ``mine``'s mean |error| from 0.589 to 0.082 nats on bmi-v1
    (0.692 → 0.052 on the zoo: its Cauchy task read −11.4 ± 11.7 and reads 0.221, truth
    0.224), ``nwj``'s from 5.5e5 to 0.080 (``standardize`` lets heavy tails blow up its
    exponential term) and ``mine-f``'s from 5.8e10 to 0.065 (one diverged seed).
    ``mine-biased`` was worse on none of the 59 tasks (mean |error| 0.949 → 0.079 and
    0.788 → 0.053). ``mine-f`` was worse on one (the zoo's ``mixed``: on fresh seeds 0.844
    ± 0.014 → 0.842 ± 0.012, truth 0.866) and ``nwj`` on five (1v1-additive-0.75 and the
    5 + 5 normal-CDF spiral of bmi-v1; the zoo's ``additive-uniform[eps=0.75]``, 25-D
    Gaussian and spiral): none repeated on fresh seeds, so both take it. One task's loss
    did repeat wherever it was flagged: the zoo's ``nonlinear[dim=5,f=sin]`` (Y = sin of a
    5-D Gaussian, plus noise; truth 1.823), on 10 fresh seeds ``mine`` 1.796 ± 0.043 →
    1.642 ± 0.060, ``kl-dime`` 1.776 → 1.678, ``hd-dime`` 1.824 → 1.639, ``smile`` 1.726 →
    1.597 (``ksg`` too), so these keep ``standardize``; the other flags re-run did not
    repeat (``mine``'s 1v1-additive-0.75, asinh-student-identity-2-2-1, 5 + 5 spiral and
    the zoo's 25-D Gaussian and additive-0.75; ``hd-dime``'s 3 + 3 spiral and
    ``nonlinear[sigma=0.1]``; ``smile``'s asinh-student-identity-5-5-2; ``kl-dime``'s six
    others were not re-run). ``doe`` keeps it for the zoo's ``additive-uniform`` (1.627 ±
    0.023 → 1.526 ± 0.025 on fresh seeds, truth 1.709) and ``mixed`` (0.777 ± 0.028 →
    0.709 ± 0.029, truth 0.866), both repeated; its four bmi-v1 flags were not re-run.
    ``club`` passed the first
    stage but keeps it (it reads about 3 nats for a truth of 1.02 on the half-cube tasks
    either way); ``infonce`` and ``gan-dime`` were judged on their former schedule and not
    re-run on the longer one, their default since.

    Use ``margins=normal-scores`` whenever the margins may have heavy tails — and enough
    rows: on bmi's 3 + 3 and 5 + 5 Student-t tasks ``mine`` and ``infonce`` with it read
    15–46 % low at N 5000, within 15 % on the 3 + 3 ones at N 10 000 and (``infonce``) on
    all four at 20 000; no setting tried closes it at N 5000
    (``benchmarks/results/student_t_rows.md``; those ``infonce`` figures are of its former
    schedule: on the longer one, now its default, it reads −16, −13, −16 and −28 % on
    3-3-2, 3-3-3, 5-5-2 and 5-5-3, ``student_t_long.md``). Normal scores cost on tasks
    whose structure is periodic in the original coordinates: on bmi's Waves (bmi's
    arrays, 3 seeds) ``mine-f`` reads 0.189 ± 0.008 with them against 0.370 ± 0.090 with
    ``standardize`` (truth 1.308; ``margins_confirm.md``).
    """

    requires: ClassVar[tuple[str, ...]] = ("torch",)
    #: How training negatives are drawn: "derangement" (each joint pair with one
    #: product-of-marginals pair of the same epoch, never a row with itself),
    #: "permutation" (each batch's y rows shuffled: about one row per batch meets its
    #: own y), "in-batch" (all K(K−1) pairs of a batch) or "joint" (none: the model is
    #: a density trained on joint rows).
    negatives: ClassVar[str] = "derangement"
    #: What ``batch_size``, ``critic`` and ``lr`` of None mean for this estimator.
    default_batch: ClassVar[int] = 256
    default_critic: ClassVar[str] = "concat"
    default_lr: ClassVar[float] = 3e-4
    #: Embedding size of the separable critic, and Adam's weight decay.
    embed: ClassVar[int] = 32
    weight_decay: ClassVar[float] = 0.0
    # Contract suite: a short budget (150 steps, one hidden layer of 32, a larger
    # step size). The held-out bound on 600 rows then has a standard error of
    # about 0.03-0.04 nats, so 0.1 nats is about three standard errors.
    contract = ContractSettings(
        fast_params={"steps": 150, "hidden": (32,), "lr": 5e-3, "eval_every": 50,
                     "early_stopping": False},
        n_samples=2000, zero_tol=0.1, easy_tol=0.1,
    )

    steps: int | None = _steps_param(10_000)
    epochs: float | None = param(None, Optional(Real(gt=0)),
                                 "training budget in passes over the training rows when "
                                 "steps is none")
    batch_size: int | None = param(None, Optional(Integer(min=2)),
                                   "minibatch size; none: the estimator's default_batch")
    lr: float | None = param(None, Optional(Real(gt=0)),
                             "Adam learning rate; none: the estimator's default_lr")
    hidden: tuple[int, ...] = param((100, 100), Widths(), "hidden layer widths of the critic")
    activation: str = param("silu", OneOf(*ACTIVATIONS), "activation of the hidden layers")
    critic: str | None = param(None, Optional(OneOf("concat", "separable", "conv",
                                                    "conv-separable")),
                               "T(x, y) = MLP([x, y]) (concat) or g(x)ᵀh(y) (separable); for "
                               "tasks with an image_shape, convolutional codes of each side's "
                               "images, joined by an MLP (conv) or dotted (conv-separable); "
                               "none: the estimator's default_critic")
    test_fraction: float = param(0.3, Real(gt=0, lt=1),
                                 "share of the rows held out: half for early stopping, half "
                                 "for the estimate")
    early_stopping: bool = param(True, Bool(),
                                 "stop when the validation score has not improved for "
                                 "patience evaluations and keep the best critic")
    patience: int = _patience_param(30)
    eval_every: int = param(100, Integer(min=1), "steps between evaluations (curve points)")
    margins: str = _margins("standardize")
    device: str = param("auto", Device(), "auto (a GPU if present), cpu, cuda, cuda:N or mps")
    seed: int = param(0, Integer(), "seed of initialisation, data split and batches")
    eval_pairs: int = param(250_000, Integer(min=1),
                            "product-of-marginals pairs of the reported held-out bound "
                            "(about this many, as whole cyclic shifts of the held-out rows)")
    image_shape: Any = param(None, Optional(ImageShapes()),
                             "(channels, height, width) of X's and Y's images, for "
                             "critic=conv; set by the runner from the task")

    def __post_init__(self) -> None:
        require(self.steps is not None or self.epochs is not None,
                f"{self.name}: give a training budget: steps or epochs")

    # -- resolved settings ----------------------------------------------------
    @property
    def critic_name(self) -> str:
        return self.critic or self.default_critic

    @property
    def learning_rate(self) -> float:
        return self.lr or self.default_lr

    @property
    def batch(self) -> int:
        return self.batch_size or self.default_batch

    def conv_shapes(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The image shapes the convolutional critic needs, or a clear error."""
        if self.image_shape is None:
            raise ParameterError(
                f"{self.name}: critic='conv' needs image_shape, the (channels, height, width) "
                "of each side's images; the runner sets it from tasks that declare one "
                "(image tasks), or give it, e.g. image_shape=((1,8,8),(1,8,8))")
        return self.image_shape  # type: ignore[no-any-return]

    # -- the objective (see the class docstring) ------------------------------
    def train_value(self, scores: Any, state: dict[str, Any]) -> torch.Tensor:
        """What a training step maximises, per member (S,), from the step's scores
        (by :attr:`negatives`: PairScores, AllPairScores or JointRows); ``state``
        persists across steps."""
        raise NotImplementedError

    def bound(self, joint: torch.Tensor, marginal: torch.Tensor) -> torch.Tensor:
        """The reported value per member from T at joint pairs (S, n) and at
        product-of-marginals pairs (S, m)."""
        raise NotImplementedError

    def heldout(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                budget: int) -> torch.Tensor:
        """The reading on held-out rows x (S, n, dx), y (S, n, dy), with about
        ``budget`` negative pairs: :meth:`bound` of aligned and shifted pairs."""
        from ._train import shifted_pair_scores

        return self.bound(*shifted_pair_scores(critic, x, y, budget))

    def stopping_score(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                       held: torch.Tensor) -> torch.Tensor:
        """What early stopping maximises on the validation rows (default: the reading)."""
        return held

    def ceiling(self, n_test: int) -> Ceiling | None:
        """The most the reading can be whatever the truth. A DV-type estimate from M
        product-of-marginals pairs cannot credibly exceed about log M: beyond it the
        log-mean-exp over the negatives is dominated by its largest term
        (McAllester & Stratos 2020)."""
        from ._train import negative_shifts

        m = negative_shifts(n_test, self.eval_pairs) * n_test
        return Ceiling(math.log(m), f"log({m:,} held-out negative pairs)")

    def prepare_model(self, critic: torch.nn.Module, y_train: torch.Tensor) -> None:
        """Set-up of a new model before training (the density models fit q(y) here)."""

    # -- the estimator --------------------------------------------------------
    def min_samples(self, dim_x: int, dim_y: int) -> int:
        return 20

    def prepare(self) -> None:
        """Import torch and the trainer and warm the device up (not timed by the runner).

        The first training in a process pays one-off costs — torch's thread pool,
        its allocator, kernel set-up — which made the first cell of a run about 3×
        slower than the next. A few steps on a small random problem with this
        configuration's critic and objective pay them here, once per process.
        """
        from ._train import torch_device, train

        key = (str(torch_device(self.device)), type(self), self.critic_name, self.image_shape)
        if key in _WARMED:
            return
        # columns of the shape the critic takes (an image critic needs its images)
        dx, dy = ((math.prod(s) for s in self.image_shape) if self.image_shape is not None
                  else (1, 1))
        rng = np.random.default_rng(0)
        train([rng.standard_normal((256, dx))], [rng.standard_normal((256, dy))], [0],
              self.with_params(steps=8, epochs=None, eval_every=4, eval_pairs=2048,
                               early_stopping=False, batch_size=None))
        _WARMED.add(key)

    def step_timing(self, device: str = "cpu") -> list[dict[str, float]] | None:
        """Time per training step against batch size and dimension (see
        :meth:`mibench.Estimator.step_timing`), with this configuration."""
        from ._timing import step_timing

        return step_timing(self.with_params(device=device))

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

        results = train([a for a, _ in checked], [b for _, b in checked], seeds, self)
        for r in results:
            r.warnings = list(_CONVERGENCE_WARNINGS.get(r.info["convergence"], []))
        return results


class _DonskerVaradhan(NeuralEstimator):
    """Reports the DV bound E_P[T] − log E_Q[e^T]."""

    def bound(self, joint: torch.Tensor, marginal: torch.Tensor) -> torch.Tensor:
        return bounds.dv(joint, marginal)


@register_estimator("mine")
class MINE(_DonskerVaradhan):
    """MINE: the Donsker–Varadhan bound trained with the moving-average bias-corrected
    gradient (Belghazi et al. 2018, Algorithm 1); reports the plain DV bound."""

    description = "MINE (DV bound, EMA bias-corrected gradient; Belghazi et al. 2018)"
    ema_rate: float = param(0.01, Real(gt=0, le=1, cast=True),
                            "rate of the moving average of E_Q[e^T] in the corrected gradient")

    def train_value(self, scores: PairScores, state: dict[str, Any]) -> torch.Tensor:
        state["log_ma"] = bounds.update_log_ma(state.get("log_ma"), scores.marginal, self.ema_rate)
        return bounds.dv_ema_surrogate(scores.joint, scores.marginal, state["log_ma"])


@register_estimator("mine-biased")
class MINEBiased(_DonskerVaradhan):
    """MINE trained on the plain minibatch DV bound (its gradient is biased)."""

    description = "MINE with the plain (biased) minibatch DV gradient"
    # normal scores by the rule of NeuralEstimator's docstring: worse on none of bmi-v1's
    # 40 tasks and the zoo's 19 (benchmarks/results/margins.md)
    margins: str = _margins("normal-scores")

    def train_value(self, scores: PairScores, state: dict[str, Any]) -> torch.Tensor:
        return bounds.dv(scores.joint, scores.marginal)


class _FDivergence(NeuralEstimator):
    """Trains on and reports the f-divergence bound E_P[T] − E_Q[e^(T−1)]."""

    def train_value(self, scores: PairScores | AllPairScores,
                    state: dict[str, Any]) -> torch.Tensor:
        return bounds.nwj(scores.joint, scores.marginal)

    def bound(self, joint: torch.Tensor, marginal: torch.Tensor) -> torch.Tensor:
        return bounds.nwj(joint, marginal)


@register_estimator("mine-f")
class MINEf(_FDivergence):
    """MINE-f: the f-divergence bound, one deranged negative per joint pair."""

    description = "MINE-f: f-divergence bound E_P[T] - E_Q[exp(T-1)], deranged negatives"
    default_lr = 1e-3
    # normal scores by the rule of NeuralEstimator's docstring: worse on none of bmi-v1's
    # 40 tasks; the zoo's one flag (mixed) did not repeat on 10 fresh seeds
    # (benchmarks/results/margins.md, margins_confirm.md)
    margins: str = _margins("normal-scores")


@register_estimator("nwj")
class NWJ(_FDivergence):
    """NWJ: the same bound as MINE-f with all K(K−1) in-batch negatives."""

    description = "NWJ bound (as MINE-f) with all K(K-1) in-batch negatives"
    negatives = "in-batch"
    default_batch = 128
    default_critic = "separable"
    # normal scores by the rule of NeuralEstimator's docstring: none of the five tasks
    # called worse (2 of bmi-v1, 3 of the zoo) was worse again on 10 fresh seeds
    # (benchmarks/results/margins.md, margins_confirm.md)
    margins: str = _margins("normal-scores")


@register_estimator("infonce")
class InfoNCE(NeuralEstimator):
    """InfoNCE (CPC) with all in-batch negatives; read at the training batch size, so
    never above log(batch_size). Trained on the longer schedule (module docstring)."""

    description = "InfoNCE (CPC) bound with all in-batch negatives; at most log(batch_size)"
    negatives = "in-batch"
    default_batch = 256
    default_critic = "separable"
    default_lr = 1e-3
    steps: int | None = _steps_param(40_000)
    patience: int = _patience_param(100)

    def train_value(self, scores: AllPairScores, state: dict[str, Any]) -> torch.Tensor:
        return bounds.infonce(scores.matrix)

    def heldout(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                budget: int) -> torch.Tensor:
        """InfoNCE at the batch size, averaged over consecutive held-out batches."""
        n = x.shape[1]
        k = min(self.batch, n)
        vals = [bounds.infonce(critic.all_pairs(x[:, i:i + k], y[:, i:i + k]))  # type: ignore[operator]
                for i in range(0, n - k + 1, k)]
        return bounds.mean_over(vals)

    def ceiling(self, n_test: int) -> Ceiling:
        k = min(self.batch, n_test)
        return Ceiling(math.log(k), f"log(batch {k})")


@register_estimator("smile")
class SMILE(NeuralEstimator):
    """SMILE: trained on the Jensen–Shannon objective, reports the DV estimate with
    e^T clipped to [e^−τ, e^τ] in its partition term — an estimate, not a bound
    (Song & Ermon 2020)."""

    description = ("SMILE: DV estimate with e^T clipped to [e^-tau, e^tau], not a bound "
                   "(Song & Ermon 2020)")
    negatives = "in-batch"
    default_batch = 128
    default_critic = "separable"
    tau: float = param(5.0, Real(gt=0, cast=True),
                       "clip e^T to [e^−τ, e^τ] in the partition term (the paper uses 1–10)")

    def train_value(self, scores: AllPairScores, state: dict[str, Any]) -> torch.Tensor:
        return bounds.js_fgan(scores.joint, scores.marginal)

    def bound(self, joint: torch.Tensor, marginal: torch.Tensor) -> torch.Tensor:
        return bounds.smile(joint, marginal, self.tau)


class _DIME(NeuralEstimator):
    """f-DIME (Letizia, Novello & Tonello, NeurIPS 2024): a discriminator T trained on the
    variational bound of an f-divergence between the joint and the product of marginals,
    in a parametrisation whose optimum is T = log(p/q); the estimate is the mean of T on
    held-out joint pairs, with no partition term — hence its low variance.

    Negatives are deranged (no row meets its own y). With ``negatives="permutation"``
    each batch's y rows are shuffled, so about one pair in a batch of K is a joint pair:
    the optimal discriminator is then p/((1 − 1/K)·q + p/K), never above K, and its
    estimate is capped at log K — the limit the paper attributes to plain permutations.
    The cap binds the optimum, not a critic short of it: on the staircase (dim 20, N 20 000,
    K 256, 3 seeds) KL- and HD-DIME with permutations level off at 4.9 and 5.4 nats below
    log 256 = 5.55, while GAN-DIME's logits overshoot it (7.0 and 7.4 nats at 8 and 10). Early
    stopping watches the bound itself on the validation rows (the estimate is not a
    bound, and pushing it up is not what training does).
    """

    negatives: str = param("derangement", OneOf("derangement", "permutation"),  # type: ignore[misc]
                           "derangement (no row with its own y) or a plain permutation of "
                           "each batch (shows the log(batch) cap)")

    def heldout(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                budget: int) -> torch.Tensor:
        return critic(x, y).mean(-1)  # the mean log density ratio on joint pairs

    def stopping_score(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                       held: torch.Tensor) -> torch.Tensor:
        from ._train import PairScores, shifted_pair_scores

        return self.train_value(PairScores(*shifted_pair_scores(critic, x, y, 10 * x.shape[1])),
                                {})

    def ceiling(self, n_test: int) -> Ceiling | None:
        if self.negatives == "permutation":
            return Ceiling(math.log(self.batch), f"log(batch {self.batch}), the optimal "
                           "critic's cap with permutation negatives; one short of its optimum "
                           "can pass it")
        return None


@register_estimator("kl-dime")
class KLDIME(_DIME):
    """KL-DIME: trained on the KL divergence's bound E_P[T] − E_Q[e^T] + 1."""

    description = "KL-DIME (Letizia et al. 2024): KL-bound discriminator, estimate E_P[log ratio]"

    def train_value(self, scores: PairScores, state: dict[str, Any]) -> torch.Tensor:
        return bounds.kl_dime(scores.joint, scores.marginal)


@register_estimator("hd-dime")
class HDDIME(_DIME):
    """HD-DIME: trained on the squared Hellinger distance's bound."""

    description = "HD-DIME (Letizia et al. 2024): Hellinger-bound discriminator, " \
                  "estimate E_P[log ratio]"

    def train_value(self, scores: PairScores, state: dict[str, Any]) -> torch.Tensor:
        return bounds.hd_dime(scores.joint, scores.marginal)


@register_estimator("gan-dime")
class GANDIME(_DIME):
    """GAN-DIME: trained as a classifier of joint against deranged pairs (the GAN bound),
    on the longer schedule (module docstring)."""

    description = "GAN-DIME (Letizia et al. 2024): joint-vs-deranged classifier, " \
                  "estimate E_P[logit]"
    default_lr = 1e-3
    steps: int | None = _steps_param(40_000)
    patience: int = _patience_param(100)

    def train_value(self, scores: PairScores, state: dict[str, Any]) -> torch.Tensor:
        return bounds.gan_dime(scores.joint, scores.marginal)


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

    negatives = "joint"
    default_critic = "gaussian"
    default_lr = 1e-3
    critic: str | None = param(None, Optional(OneOf("gaussian", "flow")),
                               "density model: gaussian or flow; none: gaussian")
    transforms: int = param(3, Integer(min=1), "spline transforms of each flow (critic=flow)")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.critic == "flow":
            missing = module_error("zuko")
            if missing is not None:
                raise PluginUnavailableError(
                    f"{self.name}: critic='flow' {missing}; install it with "
                    "pip install 'mibench[flows]'")

    def loglik(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean log-likelihood per member that the model is trained on: of q(y | x)."""
        return model(x, y).mean(-1)

    def train_value(self, scores: JointRows, state: dict[str, Any]) -> torch.Tensor:
        return self.loglik(scores.model, scores.x, scores.y)

    def stopping_score(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                       held: torch.Tensor) -> torch.Tensor:
        # the estimate is not to be maximised (CLUB is an upper bound): the likelihood is
        return self.loglik(critic, x, y)

    def ceiling(self, n_test: int) -> None:
        return None  # a difference of likelihoods has no log N ceiling

    def prepare_model(self, critic: torch.nn.Module, y_train: torch.Tensor) -> None:
        critic.fit_marginal(y_train)  # type: ignore[operator]


@register_estimator("club")
class CLUB(_DensityEstimator):
    """CLUB: contrastive log-ratio upper bound (Cheng et al., ICML 2020).

    I_CLUB = E_p(x,y)[log q(y|x)] − E_p(x)p(y)[log q(y|x)], read on held-out
    pairs (the negatives are the same cyclic shifts as the critics' bounds). It
    is an upper bound on I when q(y|x) is the true conditional, and stays one
    approximately while q is close to it (the paper's Theorem 3.2: when
    KL(p(x,y) ‖ q(x,y)) ≤ KL(p(x)p(y) ‖ q(x,y))); a poor q can fall below I.
    """

    description = "CLUB upper bound (Cheng et al. 2020) with a learned Gaussian or flow q(y|x)"
    # With the true conditional, CLUB of a Gaussian pair is Σ ρ²/(1 − ρ²), not
    # −½ Σ log(1 − ρ²): on the contract's 1-D rho = 0.8 task 1.78 against 0.51.
    contract = ContractSettings(
        fast_params=NeuralEstimator.contract.fast_params, n_samples=2000, zero_tol=0.1,
        easy_tol=1.27 + 0.2)

    def bound(self, joint: torch.Tensor, marginal: torch.Tensor) -> torch.Tensor:
        return joint.mean(-1) - marginal.mean(-1)


@register_estimator("doe")
class DoE(_DensityEstimator):
    """DoE: difference of entropies Ĥ(Y) − Ĥ(Y|X) (McAllester & Stratos, AISTATS 2020).

    Both entropies are cross-entropies on held-out rows: Ĥ(Y|X) = −mean log q(y|x)
    with the learned q(y|x), Ĥ(Y) = −mean log q(y) with a marginal model of the
    same kind: for ``critic="gaussian"`` (default) the maximum-likelihood
    Gaussian of the training rows, for ``critic="flow"`` a spline flow trained
    with q(y|x) (early stopping on the sum of the two held-out likelihoods).
    Each is an upper bound on its entropy, so their difference is neither
    bound — but it is not capped at log N, the limit McAllester & Stratos prove
    for every distribution-free lower bound. The Gaussian models are exact only
    for Gaussian Y and Gaussian Y | X; the flows lift that.
    """

    description = "difference of entropies H(Y) - H(Y|X) (McAllester & Stratos 2020), " \
                  "Gaussian or flow density models; not capped at log N"

    def loglik(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Of q(y | x), plus that of q(y) where the marginal model is trained (a flow)."""
        if getattr(model, "trained_marginal", False):
            cond, marg = model.with_marginal(x, y)  # type: ignore[operator]
            return (cond + marg).mean(-1)
        return super().loglik(model, x, y)

    def heldout(self, critic: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                budget: int) -> torch.Tensor:
        cond, marg = critic.with_marginal(x, y)  # type: ignore[operator]
        return (cond - marg).mean(-1)
