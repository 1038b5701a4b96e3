"""The claims behind the 2026 baselines (gcmi, kl, ksg-lnc, ksg-mixed, club, doe, flow),
measured in one process, side by side with ksg and mine::

    python benchmarks/baselines.py --parts lnc,mixed,gcmi,club,doe,doe-flow,flow

Each part prints a Markdown table:

* ``lnc``  — ``nonlinear[sigma=0.0001]``: Y = X + 1e-4·ε, X ~ U(−1, 1), N 5000
  (truth 8.48), and
  ``gaussian[dim=5,rho=0.99]`` (truth 9.79): ksg against ksg-lnc.
* ``mixed`` — the ``mixed`` task and integer data at N 10 000: ksg-mixed against
  ksg over jitter seeds.
* ``gcmi`` — a Gaussian and its cube / asinh / normal-CDF transforms, same seed.
* ``club`` — 5 seeds (trained together) on ``gaussian[dim=5,rho=0.5|0.9]``, N 10 000.
* ``doe``  — the dimension-20 staircase (2–10 nats), N 20 000, 3 seeds.
* ``doe-flow`` — doe's two density models (gaussian, flow) on a Gaussian pair and
  its cube (non-Gaussian Y and Y | X), ``dim=2``, ρ 0.8, N 5000.
* ``flow`` — ``transformed[base=gaussian[dim=5,rho=0.6],transform=spiral|cube]``,
  N 10 000, against ksg and the Gaussian estimator.
* ``flow-spiral`` — flow alone on that spiral: two samples at N 10 000 and one at
  N 20 000 (about half an hour on one core).
* ``flow-ode`` — ``flow[family=ode]`` (continuous flows) on that spiral, two samples
  at N 10 000, and on the cube (about an hour on one core).
* ``flow-fresh`` — flow on that spiral (N 10 000) trained for 16 000 steps without
  early stopping; at every evaluation, the latent MI of its validation rows
  beside that of 20 000 fresh rows of the task: how good the learned map is, free
  of the noise of reading it on 1 500 rows (about 20 minutes on one core).

Every row has the seconds per estimate, for the cost column of the notes.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import mibench

SPIRAL_5D = "transformed[base=gaussian[dim=5,rho=0.6],transform=spiral]"
CUBE_5D = "transformed[base=gaussian[dim=5,rho=0.6],transform=cube]"


def timed(est, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = est.estimate(x, y)
    return float(value), time.perf_counter() - t0


def part_lnc() -> None:
    print("\n### ksg-lnc\n\n| data | truth | ksg (k=3) | ksg (k=5) | ksg-lnc | lnc s | ksg s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    strong = mibench.get_task("nonlinear", f="identity", sigma=1e-4)
    x, y = strong.sample(5000, np.random.default_rng(0))
    cases = [("nonlinear[sigma=0.0001] (Y = X + 1e-4·ε), N 5000", x, y, strong.mi)]
    t = mibench.get_task("gaussian", dim=5, rho=0.99)
    gx, gy = t.sample(5000, np.random.default_rng(0))
    cases.append(("gaussian[dim=5,rho=0.99], N 5000", gx, gy, t.mi))
    for name, a, b, tr in cases:
        k3, s3 = timed(mibench.get_estimator("ksg"), a, b)
        k5, _ = timed(mibench.get_estimator("ksg", k=5), a, b)
        lnc, sl = timed(mibench.get_estimator("ksg-lnc"), a, b)
        print(f"| {name} | {tr:.3f} | {k3:.3f} | {k5:.3f} | {lnc:.3f} | {sl:.2f} | {s3:.2f} |")


def part_mixed() -> None:
    print("\n### ksg-mixed\n\n| data | truth | ksg-mixed | s | ksg over 5 jitter seeds |")
    print("|---|---:|---:|---:|---|")
    task = mibench.get_task("mixed")
    x, y = task.sample(10_000, np.random.default_rng(0))
    rng = np.random.default_rng(3)
    xi = rng.integers(0, 4, (10_000, 1)).astype(float)
    yi = xi + rng.integers(0, 2, (10_000, 1))
    p = np.array([1, 2, 2, 2, 1]) / 8
    for name, a, b, tr in (("mixed[m=4], N 10 000", x, y, task.mi),
                           ("X ~ U{0..3}, Y = X + Bernoulli(½), N 10 000", xi, yi,
                            float(-(p * np.log(p)).sum() - math.log(2)))):
        v, s = timed(mibench.get_estimator("ksg-mixed"), a, b)
        ks = [mibench.get_estimator("ksg", seed=j).estimate(a, b) for j in range(5)]
        print(f"| {name} | {tr:.4f} | {v:.4f} | {s:.2f} | {min(ks):.3f}–{max(ks):.3f} |")


def beside_ksg_and_gaussian(name: str, sel: str, n: int, seed: int, digits: int) -> str:
    """A table row: the estimator ``name`` on one sample of ``sel``, with ksg and gaussian."""
    task = mibench.get_task(sel)
    x, y = task.sample(n, np.random.default_rng(seed))
    v, s = timed(mibench.get_estimator(name), x, y)
    k = mibench.get_estimator("ksg").estimate(x, y)
    g = mibench.get_estimator("gaussian").estimate(x, y)
    return (f"| `{sel}` | {task.mi:.4f} | {v:.{digits}f} | {s:.3f} | {k:.3f} | {g:.3f} |")


def part_gcmi() -> None:
    print("\n### gcmi (same seed, N 10 000)\n\n| task | truth | gcmi | s | ksg | gaussian |")
    print("|---|---:|---:|---:|---:|---:|")
    base = "gaussian[dim=3,rho=0.6]"
    for sel in [base] + [f"transformed[base={base},transform={t}]"
                         for t in ("cube", "asinh", "normal-cdf")]:
        print(beside_ksg_and_gaussian("gcmi", sel, 10_000, 5, 10))


def part_club() -> None:
    print("\n### club (5 seeds trained together, N 10 000)\n\n"
          "| task | truth | CLUB of the true q | mean | sd | s per seed |")
    print("|---|---:|---:|---:|---:|---:|")
    for rho in (0.5, 0.9):
        task = mibench.get_task("gaussian", dim=5, rho=rho)
        data = [task.sample(10_000, np.random.default_rng(10 + s)) for s in range(5)]
        t0 = time.perf_counter()
        vals = np.array([r.value for r in
                         mibench.get_estimator("club").estimate_many(data, list(range(5)))])
        s = (time.perf_counter() - t0) / 5
        exact = 5 * rho**2 / (1 - rho**2)
        print(f"| gaussian[dim=5,rho={rho}] | {task.mi:.3f} | {exact:.3f} | {vals.mean():.3f} | "
              f"{vals.std(ddof=1):.3f} | {s:.1f} |")


def part_doe() -> None:
    print("\n### doe on the dimension-20 staircase (3 seeds together, N 20 000)\n\n"
          "| target | truth | doe mean | sd | rel. error | s per seed |")
    print("|---|---:|---:|---:|---:|---:|")
    for target in (2, 4, 6, 8, 10):
        task = mibench.get_task("gaussian", dim=20, target_mi=target)
        data = [task.sample(20_000, np.random.default_rng(20 + s)) for s in range(3)]
        t0 = time.perf_counter()
        vals = np.array([r.value for r in
                         mibench.get_estimator("doe").estimate_many(data, [0, 1, 2])])
        s = (time.perf_counter() - t0) / 3
        print(f"| {target} | {task.mi:.3f} | {vals.mean():.3f} | {vals.std(ddof=1):.3f} | "
              f"{(vals.mean() - task.mi) / task.mi:+.1%} | {s:.1f} |")


def part_doe_flow() -> None:
    print("\n### doe: Gaussian against flow density models (N 5000, one seed)\n\n"
          "| task | truth | doe gaussian | s | doe flow | s | ksg |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    base = "gaussian[dim=2,rho=0.8]"
    for sel in (base, f"transformed[base={base},transform=cube]"):
        task = mibench.get_task(sel)
        x, y = task.sample(5000, np.random.default_rng(4))
        vg, sg = timed(mibench.get_estimator("doe"), x, y)
        vf, sf = timed(mibench.get_estimator("doe", critic="flow"), x, y)
        k = mibench.get_estimator("ksg").estimate(x, y)
        print(f"| `{sel}` | {task.mi:.3f} | {vg:.3f} | {sg:.1f} | {vf:.3f} | {sf:.1f} | {k:.3f} |")


def part_flow() -> None:
    print("\n### flow (N 10 000, one seed)\n\n| task | truth | flow | s | ksg | gaussian |")
    print("|---|---:|---:|---:|---:|---:|")
    for sel in (CUBE_5D, SPIRAL_5D):
        print(beside_ksg_and_gaussian("flow", sel, 10_000, 0, 3))


def flow_rows(estimator: str, cases: tuple[tuple[str, int, int], ...]) -> None:
    """One row per (task, N, data seed): the estimate, its error, steps and seconds."""
    print("| task | N | data seed | truth | estimate | rel. error | steps | s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for sel, n, seed in cases:
        task = mibench.get_task(sel)
        x, y = task.sample(n, np.random.default_rng(seed))
        t0 = time.perf_counter()
        r = mibench.get_estimator(estimator).estimate_with_info(x, y)
        print(f"| `{sel}` | {n:,} | {seed} | {task.mi:.3f} | {r.value:.3f} | "
              f"{(r.value - task.mi) / task.mi:+.1%} | {r.steps} | "
              f"{time.perf_counter() - t0:.0f} |", flush=True)


def part_flow_spiral() -> None:
    """Is flow's shortfall on the 5-D spiral one unlucky sample, or too little data?"""
    print("\n### flow on the 5-D spiral: two samples at N 10 000, one at N 20 000\n")
    flow_rows("flow", ((SPIRAL_5D, 10_000, 0), (SPIRAL_5D, 10_000, 1), (SPIRAL_5D, 20_000, 0)))


def part_flow_ode() -> None:
    """flow's continuous family on the 5-D spiral (two samples) and cube."""
    print("\n### flow[family=ode] on the 5-D spiral and cube, N 10 000\n")
    flow_rows("flow[family=ode]", ((SPIRAL_5D, 10_000, 0), (SPIRAL_5D, 10_000, 1),
                                   (CUBE_5D, 10_000, 0)))


def part_flow_fresh(n: int = 10_000, steps: int = 16_000, every: int = 400,
                    fresh: int = 20_000) -> None:
    """Does flow's map stop improving, or does early stopping on a noisy reading stop it?

    A diagnostic, so it reaches into the plugin: the model is captured as it is
    built, and each validation reading is paired with the same map's reading on
    fresh rows (their normal scores, as the estimator's margins would be).
    """
    from unittest import mock

    import mibench_estimators._flow_model as flow_model
    import mibench_estimators.flow as flow_module
    from mibench_estimators.gcmi import copula_normal_scores

    task = mibench.get_task(SPIRAL_5D)
    x, y = task.sample(n, np.random.default_rng(0))
    fx, fy = (copula_normal_scores(a) for a in task.sample(fresh, np.random.default_rng(12345)))
    models: list = []  # type: ignore[type-arg]
    readings: list[tuple[float, float]] = []
    build, read = flow_model.LatentGaussianFlows, flow_module.latent_mi

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        models.append(build(*args, **kwargs))
        return models[-1]

    def paired(z: np.ndarray, dx: int) -> float:
        import torch

        with torch.no_grad():
            zf = models[-1].latents(*models[-1].tensors(fx, fy))[0].double().cpu().numpy()
        readings.append((read(z, dx), read(zf, dx)))
        return readings[-1][0]

    est = mibench.get_estimator("flow", steps=steps, patience=steps, eval_every=every)
    with mock.patch.object(flow_model, "LatentGaussianFlows", capture), \
            mock.patch.object(flow_module, "latent_mi", paired):
        r = est.estimate_with_info(x, y)
    print(f"\n### flow's map on the 5-D spiral (truth {task.mi:.3f}), read on its "
          f"validation rows and on {fresh:,} fresh rows\n\n| step | validation | fresh |")
    print("|---:|---:|---:|")
    for step, (v, f) in zip(r.curve.step if r.curve else [], readings, strict=False):
        print(f"| {step} | {v:.3f} | {f:.3f} |")
    print(f"\nestimate (test rows, best validation checkpoint): {r.value:.3f}", flush=True)


PARTS = {"lnc": part_lnc, "mixed": part_mixed, "gcmi": part_gcmi, "club": part_club,
         "doe": part_doe, "doe-flow": part_doe_flow, "flow": part_flow,
         "flow-spiral": part_flow_spiral, "flow-ode": part_flow_ode,
         "flow-fresh": part_flow_fresh}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", default=",".join(PARTS))
    args = ap.parse_args()
    for name in args.parts.split(","):
        PARTS[name]()


if __name__ == "__main__":
    main()
