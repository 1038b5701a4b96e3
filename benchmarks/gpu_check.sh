#!/usr/bin/env bash
# GPU checks for the neural estimators, in one run, on a machine with a CUDA GPU:
# speed on GPU and on that machine's CPU, d = 20 accuracy on GPU (defaults, which
# are now the 10k-step early-stopped setting), GPU peak memory recorded per cell,
# neural tests; KSG brute force on CUDA against the CPU.
# Works without installing mibench: the three packages are linked onto PYTHONPATH.
set -u
OUT=${OUT:-/tmp/gpu_out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
pp=$(mktemp -d)
ln -s "$PWD/mibench" "$pp/mibench"
ln -s "$PWD/estimators" "$pp/mibench_estimators"
ln -s "$PWD/tasks" "$pp/mibench_tasks"
export PYTHONPATH="$pp:$PWD/tests"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python3 -c "import torch, mibench; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), mibench.list_estimators())" | tee -a "$OUT/gpu.txt"
timeout 150 python3 benchmarks/neural_speed.py --device cuda --steps 300 --seed-steps 1000 2>&1 | tee "$OUT/speed_cuda.md"
timeout 150 python3 benchmarks/neural_speed.py --device cpu --steps 100 --seed-steps 300 2>&1 | tee "$OUT/speed_cpu_host.md"
timeout 150 python3 benchmarks/neural_accuracy.py --dim 20 --rho 0.5 --n 20000 --device cuda 2>&1 | tee "$OUT/acc_cuda.md"
timeout 120 python3 -m mibench run --estimators "mine[steps=500,early_stopping=false]" --tasks "gaussian[dim=20]" --n 20000 --seeds 2 --device cuda --out "$OUT/memrun" -q \
  && python3 -c "import pandas as pd; d = pd.read_parquet('$OUT/memrun/results.parquet'); print(d[['device', 'gpu_peak_mem_mb', 'peak_mem_mb', 'mem_method', 'group_size']].to_string())" 2>&1 | tee "$OUT/gpu_memory.txt"
timeout 180 python3 -m pytest -q -p no:cacheprovider tests/test_neural.py tests/test_neural_bounds.py 2>&1 | tail -15 | tee "$OUT/pytest_gpu.txt"
# KSG brute force on CUDA: same counts as numpy (test), and its time on the 50+50 Gaussian
timeout 120 python3 -c "
import time, numpy as np, mibench
rng = np.random.default_rng(0)
for n in (5000, 20000):
    z = rng.standard_normal((n, 100)); x, y = z[:, :50], z[:, 50:] + 0.5 * z[:, :50]
    for dev in ('cuda', 'cpu'):
        e = mibench.get_estimator('ksg', k=5, metric='euclidean', device=dev, algorithm='brute')
        e.estimate(x[:500], y[:500])
        t = time.perf_counter(); v = e.estimate(x, y)
        print(f'ksg euclid 50+50 n={n} {dev}: {v:.6f} in {time.perf_counter() - t:.2f} s')
" 2>&1 | tee "$OUT/ksg_cuda.txt"
timeout 60 python3 -m pytest -q -p no:cacheprovider tests/test_ksg.py -k torch 2>&1 | tail -3 | tee -a "$OUT/ksg_cuda.txt"
# Flow estimator, both families, on the 5-D spiral at N 10 000: a fixed 300 training
# steps (no early stop) on CUDA and on the host CPU, so the time per cell and the
# GPU memory compare like for like; the estimates are not converged (that takes ~6000).
timeout 240 bash -c 'for dev in cuda cpu; do for fam in spline ode; do
  python3 -m mibench run --estimators "flow[family=$fam,steps=300,patience=1000]" \
    --tasks "transformed[base=gaussian[dim=5,rho=0.6],transform=spiral]" --n 10000 --seeds 1 \
    --device $dev --out "$OUT/flowrun" -q; done; done' \
  && python3 -c "import pandas as pd; d = pd.read_parquet('$OUT/flowrun/results.parquet'); print(d[['estimator', 'device', 'estimate', 'wall_time_s', 'gpu_peak_mem_mb', 'peak_mem_mb']].to_string())" 2>&1 | tee "$OUT/flow_cuda.txt"
