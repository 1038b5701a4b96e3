"""Named suites built from the task families in this package.

``cost_per_cell_s`` figures are rough single-core seconds per cell at the
suite's sizes on a 2-core x86 machine, used by ``mibench list`` for a cost
estimate; neural estimators dominate every suite they are in.
"""

from __future__ import annotations

from mibench import Suite, SuiteGroup, register_suite

MINE_PAPER_RHOS = (-0.99, -0.9, -0.7, -0.5, -0.3, -0.1, 0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)


def _rho_grid(dim: int) -> str:
    return f"gaussian[dim={dim},rho=" + "|".join(str(r) for r in MINE_PAPER_RHOS) + "]"


register_suite(Suite(
    name="default",
    description="what `mibench run` runs without --tasks: MINE's 1-D Gaussians (rho 0.5, 0.9; "
                "n 5000) and dimension 20 (rho 0, 0.5; n 10 000), 3 seeds, a few minutes",
    groups=(
        SuiteGroup(tasks=("gaussian[dim=1,rho=0.5|0.9]",), n=(5_000,), seeds=3),
        SuiteGroup(tasks=("gaussian[dim=20,rho=0|0.5]",), n=(10_000,), seeds=3),
    ),
    estimators=("mine", "ksg"),
    cost_per_cell_s={"mine": 12.0, "ksg": 3.0},
))

register_suite(Suite(
    name="smoke",
    description="a handful of tiny cells that finish in seconds (README default run, CI)",
    groups=(
        SuiteGroup(tasks=("gaussian[dim=1,rho=0.5]", "gaussian[dim=2,rho=0.9]",
                          "transformed[base=gaussian[dim=2,rho=0.8],transform=cube]"),
                   n=(200, 1000), seeds=2),
    ),
    estimators=("gaussian", "ksg", "kde", "binning",
                "mine[steps=200,hidden=(32,),eval_every=50]"),
    cost_per_cell_s={"gaussian": 0.01, "ksg": 0.02, "kde": 0.05, "binning": 0.01,
                     "mine[steps=200,hidden=(32,),eval_every=50]": 0.4},
))

register_suite(Suite(
    name="mine-paper",
    description="MINE's Gaussian experiment: dim 2 and 20 per side, rho from -0.99 to 0.99",
    groups=(SuiteGroup(tasks=(_rho_grid(2), _rho_grid(20)), n=(10_000,), seeds=3),),
    estimators=("mine", "mine-f", "ksg"),
    cost_per_cell_s={"mine": 8.0, "mine-f": 8.0, "ksg": 2.0},
))

register_suite(Suite(
    name="scaling-dim",
    description="fixed MI per dimension (rho = 0.5, 0.144 nats per pair), dim 1 to 50, n = 5000",
    groups=(SuiteGroup(tasks=("gaussian[dim=1|2|5|10|20|50,rho=0.5]",), n=(5_000,), seeds=3),),
    estimators=("mine", "ksg", "kde", "binning"),
    cost_per_cell_s={"mine": 6.0, "ksg": 3.0, "kde": 2.0, "binning": 0.05},
))

register_suite(Suite(
    name="scaling-n",
    description="fixed task (gaussian dim 2, rho 0.5), n from 100 to 100 000 on a log grid",
    groups=(SuiteGroup(tasks=("gaussian[dim=2,rho=0.5]",),
                       n=(100, 316, 1_000, 3_162, 10_000, 31_623, 100_000), seeds=3),),
    estimators=("mine", "ksg", "kde", "binning"),
    cost_per_cell_s={"mine": 6.0, "ksg": 0.2, "kde": 6.0, "binning": 0.02},
))

register_suite(Suite(
    name="staircase",
    description="MI 2, 4, 6, 8, 10 nats at dim 20 (the variational-bound benchmark)",
    groups=(SuiteGroup(tasks=("gaussian[dim=20,target_mi=2|4|6|8|10]",), n=(20_000,),
                       seeds=3),),
    estimators=("mine", "mine-f", "nwj", "infonce", "smile"),
    cost_per_cell_s={"mine": 10.0, "mine-f": 10.0, "nwj": 20.0, "infonce": 20.0, "smile": 20.0},
))

register_suite(Suite(
    name="zoo",
    description="one or two configurations of every task family, 1-D to 25-D",
    groups=(SuiteGroup(tasks=(
        "gaussian[dim=1,rho=0.8]", "gaussian[dim=25,rho=0.3]",
        "gaussian-dense[dim_x=3,dim_y=3,c=0.2]", "gaussian-sparse[dim_x=5,dim_y=5,nonzero=3]",
        "gaussian-pairs[dim_x=5,dim_y=5,k=2,rho=0.8]",
        "student-t[dim=1,rho=0,dof=1]", "student-t[dim=2,rho=0.5,dof=3]",
        "transformed[base=gaussian[dim=2,rho=0.75],transform=cube]",
        "transformed[base=gaussian[dim=2,rho=0.75],transform=spiral]",
        "transformed[base=gaussian[dim=3,rho=0.6],transform=normal-cdf]",
        "transformed[base=gaussian[dim=1,rho=0.75],transform=wiggly]",
        "transformed[base=gaussian[dim=1,rho=0.75],transform=half-cube,apply_to=x]",
        "transformed[base=gaussian[dim=1,rho=0.75],transform=asinh,apply_to=y]",
        "nonlinear[f=identity,sigma=0.1]", "nonlinear[f=cube,sigma=0.5]",
        "nonlinear[dim=5,f=sin,sigma=0.5]",
        "additive-uniform[eps=0.1]", "additive-uniform[eps=0.75]", "mixed[m=4]",
    ), n=(5_000,), seeds=3),),
    estimators=("ksg", "kde", "binning", "mine"),
    cost_per_cell_s={"mine": 6.0, "ksg": 0.5, "kde": 1.5, "binning": 0.02},
))
