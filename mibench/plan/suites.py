"""Named suites: sets of task configurations, sample sizes and seeds."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import UnknownNameError, suggest


@dataclass(frozen=True)
class SuiteGroup:
    """Task selectors run at each of the sample sizes ``n`` with ``seeds`` repetitions.

    ``labels``, if given, has one label per task selector (each then a single
    task, not a grid), stored with its cells as ``task_label`` — for example a
    reference benchmark's own task identifier.
    """

    tasks: tuple[str, ...]
    n: tuple[int, ...]
    seeds: int
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.labels and len(self.labels) != len(self.tasks):
            raise ValueError(f"{len(self.labels)} labels for {len(self.tasks)} tasks")


@dataclass(frozen=True)
class Suite:
    """A named benchmark: groups of tasks and the estimators run by default.

    ``cost_per_cell_s`` is a rough CPU-seconds figure per cell for the default
    estimators on this class of machine, used by ``mibench list`` to show an
    estimate of the suite's cost before it is run.
    """

    name: str
    description: str
    groups: tuple[SuiteGroup, ...]
    estimators: tuple[str, ...] = ()
    cost_per_cell_s: dict[str, float] = field(default_factory=dict)
    preprocess: str = "none"  # applied to every sample before estimation (plan.PREPROCESS)

    def n_task_cells(self) -> int:
        """Cells per estimator (task configurations × n × seeds)."""
        from ..core.selectors import parse_selectors

        total = 0
        for g in self.groups:
            total += len(parse_selectors(list(g.tasks))) * len(g.n) * g.seeds
        return total


_SUITES: dict[str, Suite] = {}

#: The suite ``mibench run`` runs when it is given neither tasks nor a suite.
DEFAULT_SUITE = "default"


def register_suite(suite: Suite) -> Suite:
    """Register a suite under its name (later registrations replace earlier ones)."""
    _SUITES[suite.name] = suite
    return suite


def all_suites() -> list[Suite]:
    from ..core.registry import tasks

    tasks.load()  # suites are defined next to the tasks
    return [_SUITES[k] for k in sorted(_SUITES)]


def get_suite(name: str) -> Suite:
    from ..core.registry import tasks

    tasks.load()
    try:
        return _SUITES[name]
    except KeyError:
        raise UnknownNameError(
            f"unknown suite {name!r}." + suggest(name, _SUITES)
            + f" Available: {', '.join(sorted(_SUITES)) or '(none)'}"
        ) from None
