"""Early stopping for S models trained together, each on its own: one object for every trainer.

At each evaluation a member's score (what it should maximise on validation
rows) is compared with its best so far. A member that has not improved for
``patience`` evaluations stops — it keeps the parameters of its best
evaluation while the others train on — and training ends when every member
has stopped. A member whose score never improved (it was never finite) keeps
its final parameters.

Used by the shared neural trainer (S critics stacked in one model) and by the
``flow`` estimator (one model, S = 1). Where a model stacks its members along
the first dimension of every parameter, a member's entries are copied by
index; a model of per-member modules says whose a state entry is
(``member_of``), and a single model is member 0 throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


class EarlyStopping:
    """Best score, evaluations since it, stopping step and best parameters per member."""

    def __init__(self, members: int, patience: int,
                 member_of: Callable[[str], int] | None = None) -> None:
        self.patience = patience
        self.member_of = member_of
        self.best = np.full(members, -math.inf)
        self.since = np.zeros(members, dtype=np.int64)
        self.stopped_at: list[int | None] = [None] * members
        self._state: dict[str, Any] | None = None
        self._kept = np.zeros(members, dtype=bool)

    @property
    def done(self) -> bool:
        """Every member has stopped."""
        return all(s is not None for s in self.stopped_at)

    def update(self, step: int, scores: Any, model: Any) -> np.ndarray:
        """Record an evaluation of every member at ``step`` (scores: S values, higher is
        better); keep the parameters of the members that improved; return which did."""
        scores = np.asarray(scores, dtype=np.float64).reshape(-1)
        running = np.array([s is None for s in self.stopped_at])
        better = (scores > self.best) & running
        self.best = np.where(better, scores, self.best)
        self.since = np.where(better, 0, self.since + 1)
        for s in np.flatnonzero(running & (self.since >= self.patience)):
            self.stopped_at[s] = step
        if better.any():
            self._keep(model, better)
        return better

    def _keep(self, model: Any, better: np.ndarray) -> None:
        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if self._state is None:
            self._state = state
        else:
            _merge(self._state, state, better, self.member_of)
        self._kept |= better

    def restore(self, model: Any) -> None:
        """Give each member that ever improved the parameters of its best evaluation."""
        if self._state is None:
            return
        if self._kept.all():
            model.load_state_dict(self._state)
            return
        current = {k: v.detach().clone() for k, v in model.state_dict().items()}
        _merge(current, self._state, self._kept, self.member_of)
        model.load_state_dict(current)


def _merge(into: dict[str, Any], source: dict[str, Any], members: np.ndarray,
           member_of: Callable[[str], int] | None) -> None:
    """Copy ``members``' entries of ``source`` into ``into``."""
    for k, v in source.items():
        if member_of is None:
            import torch

            mask = torch.as_tensor(members, device=v.device)
            into[k][mask] = v[mask]
        elif members[member_of(k)]:
            into[k] = v
