"""Cells: one estimator configuration, one task configuration, one n, one repetition.

Seeding: one root ``numpy.random.SeedSequence`` per run (``root_seed``). The
data seed of a cell depends only on (task configuration, n, repetition), so
every estimator sees the same samples for the same repetition (paired
comparisons). The estimator seed depends on the whole cell. Both are derived
by hashing, so they do not depend on the order of cells or the executor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..core.contracts import Estimator, Task
from ..core.factory import build
from ..core.params import to_jsonable
from ..core.registry import estimators, tasks
from ..core.validation import standardize_columns
from .fingerprint import fingerprint

#: Parameters the runner sets per cell; they are not part of a configuration's identity.
#: ``seed`` comes from the cell (its estimator seed), ``image_shape`` from the task's
#: declared :attr:`~mibench.Task.image_shape` (for estimators that take images).
RUNNER_PARAMS = ("seed", "image_shape")


def _h64(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def data_seed(root_seed: int, task_canonical: str, n: int, rep: int) -> int:
    """Seed of the data for (task configuration, n, repetition)."""
    ss = np.random.SeedSequence(root_seed, spawn_key=(0, _h64(task_canonical), n, rep))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def estimator_seed(root_seed: int, est_canonical: str, task_canonical: str, n: int,
                   rep: int) -> int:
    """Seed of the estimator's own randomness for one cell (31 bits)."""
    ss = np.random.SeedSequence(
        root_seed, spawn_key=(1, _h64(est_canonical), _h64(task_canonical), n, rep)
    )
    return int(ss.generate_state(1, np.uint32)[0] >> np.uint32(1))


@dataclass(frozen=True)
class Cell:
    """One unit of work: one estimator config, one task config, one n, one repetition."""

    key: str
    estimator: str
    estimator_name: str
    estimator_params: str  # JSON of every constructor parameter except runner-set ones
    task: str
    task_name: str
    task_params: str  # JSON
    n: int
    rep: int  # repetition index (0, 1, ...), stored as the column ``seed``
    data_seed: int
    estimator_seed: int
    root_seed: int
    dim_x: int
    dim_y: int
    true_mi: float
    family: str = ""  # the task's Task.family, for grouping in reports
    estimator_version: str = ""  # fingerprint of the estimator's code (part of the key)
    task_version: str = ""  # fingerprint of the task's code (part of the key)
    config_key: str = ""  # the key without the fingerprints: same cell, any code version
    true_mi_se: float = 0.0  # standard error of true_mi (Monte Carlo truths), 0 if exact
    task_label: str = ""  # a suite's own name for the task (e.g. a reference benchmark's id)
    preprocess: str = "none"  # applied to the samples before estimation (PREPROCESS)

    def sample(self, task: Task) -> tuple[np.ndarray, np.ndarray]:
        """This cell's data: the task's draw from ``data_seed``, then ``preprocess``."""
        x, y = task.sample(self.n, np.random.default_rng(self.data_seed))
        return preprocess(self.preprocess, x, y)

    def columns(self) -> dict[str, Any]:
        """The cell's part of its result row (:mod:`mibench.store.schema`), in column order."""
        out = asdict(self)
        return {("seed" if k == "rep" else k): v for k, v in out.items()}

    def make_estimator(self, task: Task) -> Estimator:
        """The cell's estimator, with the parameters the runner sets (RUNNER_PARAMS)."""
        est: Estimator = build(estimators, self.estimator_name, **json.loads(self.estimator_params))
        params = est.param_defaults()
        runner_set = {"seed": self.estimator_seed, "image_shape": task.image_shape}
        changes = {k: v for k, v in runner_set.items() if k in params}
        return est.with_params(**changes) if changes else est

    def make_task(self) -> Task:
        return build(tasks, self.task_name, **json.loads(self.task_params))


PREPROCESS = ("none", "standardize")


def preprocess(kind: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``standardize``: zero mean and unit variance per column of the sample
    (an affine map of each variable, so MI is unchanged; the preprocessing of
    the "Beyond Normal" benchmark); ``none``: the sample as drawn."""
    if kind == "standardize":
        return standardize_columns(x), standardize_columns(y)
    assert kind == "none", kind  # RunSpec admits only PREPROCESS
    return x, y


def _key(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:20]


def _params_json(obj: Any, skip: tuple[str, ...] = ()) -> str:
    params = {k: v for k, v in obj.get_params().items() if k not in skip}
    return json.dumps(to_jsonable(params), sort_keys=True)


def make_cells(
    estimator_objs: Sequence[Estimator],
    task_objs: Sequence[Task],
    ns: Sequence[int],
    seeds: int | Sequence[int],
    root_seed: int = 0,
    labels: dict[str, str] | None = None,
    preprocess: str = "none",
) -> list[Cell]:
    """Cartesian product of configurations, sample sizes and repetitions.

    ``labels`` maps a task's short selector to a label stored with its cells;
    ``preprocess`` (one of PREPROCESS, checked by :class:`mibench.plan.RunSpec`) is
    part of the cell key unless "none".
    """
    reps = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    cells: list[Cell] = []
    seen: set[str] = set()
    for task in task_objs:
        t_can = task.canonical()
        t_params = _params_json(task)
        t_ver = fingerprint(type(task))
        for n in ns:
            for rep in reps:
                for est in estimator_objs:
                    e_can = est.canonical(skip=RUNNER_PARAMS)
                    e_ver = fingerprint(type(est))
                    config = {"e": e_can, "t": t_can, "n": n, "rep": rep, "root": root_seed}
                    if preprocess != "none":
                        config["pre"] = preprocess
                    config_key = _key(config)
                    key = _key({**config, "ev": e_ver, "tv": t_ver})
                    if key in seen:
                        continue
                    seen.add(key)
                    cells.append(Cell(
                        key=key,
                        estimator=est.selector(skip=RUNNER_PARAMS),
                        estimator_name=est.name,
                        estimator_params=_params_json(est, RUNNER_PARAMS),
                        task=task.selector(),
                        task_name=task.name,
                        task_params=t_params,
                        n=int(n),
                        rep=int(rep),
                        data_seed=data_seed(root_seed, t_can, int(n), int(rep)),
                        estimator_seed=estimator_seed(root_seed, e_can, t_can, int(n), int(rep)),
                        root_seed=root_seed,
                        dim_x=task.dim_x,
                        dim_y=task.dim_y,
                        true_mi=float(task.mi),
                        family=task.family,
                        estimator_version=e_ver,
                        task_version=t_ver,
                        config_key=config_key,
                        true_mi_se=float(task.mi_se),
                        task_label=(labels or {}).get(task.selector(), ""),
                        preprocess=preprocess,
                    ))
    return cells


