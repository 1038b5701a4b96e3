"""Speed of the neural estimators' training loop, measured side by side.

1. Step overhead: our ``mine`` training step (batch 256, critic 2×100, d = 20
   per side) against a bare hand-written PyTorch loop doing the same work per
   step (epoch permutations, joint and shuffled batches, forward, DV loss with
   the moving-average correction, backward, Adam). Per-step times come from
   the difference of two budgets (``--steps`` and 4× that), which cancels
   set-up and the final held-out evaluation.
2. Batched seeds: 8 members trained in one batched model against 8 runs one
   after another (whole estimates, ``--seed-steps`` steps each, set-up and
   held-out evaluation included), at batch 64 and 256; plus the time of the
   batched run's
   matrix products alone (forward and backward ``bmm`` of the same shapes) as
   the compute floor.
3. Steps per second for the setting above on the chosen device.

    python benchmarks/neural_speed.py                  # CPU
    python benchmarks/neural_speed.py --device cuda    # GPU
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

import numpy as np
import torch
from torch import nn

import mibench
from mibench_estimators.neural._train import train

D, HIDDEN, N = 20, (100, 100), 20_000


def data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D))
    y = 0.5 * x + math.sqrt(0.75) * rng.standard_normal((N, D))
    return x, y


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def ours(members: int, steps: int, batch: int, device: str) -> float:
    xs, ys = zip(*[data(s) for s in range(members)], strict=True)
    cfg = mibench.get_estimator("mine", hidden=HIDDEN, batch_size=batch, steps=steps,
                                eval_every=10**9, eval_pairs=20_000, device=device,
                                early_stopping=False)
    sync(device)
    t0 = time.perf_counter()
    train(list(xs), list(ys), list(range(members)), cfg)
    sync(device)
    return time.perf_counter() - t0


def bare(steps: int, batch: int, device: str) -> float:
    """The same per-step work as ``ours`` with one plain nn.Sequential critic."""
    torch.manual_seed(0)
    x_np, y_np = data(0)
    n_tr = int(N * 0.7)
    x = torch.tensor(x_np[:n_tr], dtype=torch.float32, device=device)
    y = torch.tensor(y_np[:n_tr], dtype=torch.float32, device=device)
    xy = torch.cat([x, y], 1)
    net = nn.Sequential(nn.Linear(2 * D, HIDDEN[0]), nn.SiLU(), nn.Linear(HIDDEN[0], HIDDEN[1]),
                        nn.SiLU(), nn.Linear(HIDDEN[1], 1)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    per_epoch = n_tr // batch
    log_ma = None
    sync(device)
    t0 = time.perf_counter()
    step = 0
    while step < steps:
        p1 = torch.randperm(n_tr, device=device)
        p2 = torch.randperm(n_tr, device=device)
        joint, marg = xy[p1], torch.cat([x[p1], y[p2]], 1)
        for b in range(per_epoch):
            if step >= steps:
                break
            sl = slice(b * batch, (b + 1) * batch)
            t = net(torch.cat([joint[sl], marg[sl]], 0)).squeeze(-1)
            tj, tm = t[:batch], t[batch:]
            lme = torch.logsumexp(tm.detach(), 0) - math.log(batch)
            log_ma = lme if log_ma is None else torch.logaddexp(log_ma + math.log(0.99),
                                                                lme + math.log(0.01))
            lme_g = torch.logsumexp(tm, 0) - math.log(batch)
            loss = -(tj.mean() - torch.exp(lme_g - log_ma))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
    sync(device)
    return time.perf_counter() - t0


def matmuls_only(members: int, steps: int, batch: int, device: str) -> float:
    """Forward and backward batched matrix products of the critic, nothing else."""
    sizes = [2 * D, *HIDDEN, 1]
    ws = [torch.randn(members, a, b, device=device) for a, b in itertools.pairwise(sizes)]
    h0 = torch.randn(members, 2 * batch, 2 * D, device=device)
    sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        acts = [h0]
        for w in ws:  # forward
            acts.append(torch.bmm(acts[-1], w))
        g = torch.ones_like(acts[-1])
        for i in range(len(ws) - 1, -1, -1):  # backward: weight grads and input grads
            torch.bmm(acts[i].transpose(1, 2), g)
            if i > 0:
                g = torch.bmm(g, ws[i].transpose(1, 2))
    sync(device)
    return time.perf_counter() - t0


def per_step(fn, steps: int) -> float:
    return (fn(4 * steps) - fn(steps)) / (3 * steps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--seed-steps", type=int, default=3000,
                    help="training budget of each run in the batched-seeds comparison")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dev, steps = args.device, args.steps
    print(f"device {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"d = {D} per side, critic {HIDDEN}\n")
    ours(1, 20, 256, dev)  # warm-up
    bare(20, 256, dev)
    t_ours = per_step(lambda s: ours(1, s, 256, dev), steps)
    t_bare = per_step(lambda s: bare(s, 256, dev), steps)
    print("| measure | ours | bare loop | ratio |\n|---|---|---|---|")
    print(f"| ms per step, batch 256 | {1e3 * t_ours:.3f} | {1e3 * t_bare:.3f} | "
          f"{t_ours / t_bare:.2f} |")
    print(f"| steps per second, batch 256 | {1 / t_ours:.0f} | {1 / t_bare:.0f} | |\n")
    print("| batch | 8 sequential s | 8 batched s | speed-up | matmuls alone s | "
          "batched / matmuls | batched steps/s (×8 members) |")
    print("|---|---|---|---|---|---|---|")
    st = args.seed_steps
    for batch in (64, 256):
        seq = sum(ours(1, st, batch, dev) for _ in range(8))
        bat = ours(8, st, batch, dev)
        mm = matmuls_only(8, st, batch, dev)
        print(f"| {batch} | {seq:.2f} | {bat:.2f} | {seq / bat:.2f} | {mm:.2f} | "
              f"{bat / mm:.2f} | {st / bat:.0f} |", flush=True)


if __name__ == "__main__":
    main()
