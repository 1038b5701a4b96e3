#!/usr/bin/env bash
# Show that `asv continuous` flags a slowdown: in a scratch clone, commit a
# 50 ms sleep in the binning estimator, then compare the commit before and
# after it. Prints asv's table; exits non-zero when asv reports a regression
# (which is the expected outcome here).
#
#   bash benchmarks/regression_demo.sh [FACTOR]
set -euo pipefail
factor=${1:-1.2}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
git clone -q "$root" "$scratch/repo"
cd "$scratch/repo"
git config user.email demo@example.invalid
git config user.name demo
python3 - <<'PY'
import re
p = "estimators/binning.py"
s = open(p).read()
s = s.replace("    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:\n",
              "    def _estimate(self, x: np.ndarray, y: np.ndarray) -> float:\n"
              "        import time\n\n        time.sleep(0.05)  # injected slowdown\n", 1)
open(p, "w").write(s)
PY
git commit -qam "inject a 50 ms slowdown into binning"
asv machine --yes >/dev/null
# three samples per benchmark and one round keep the demo to a few minutes
asv continuous --factor "$factor" --show-stderr --launch-method=forkserver \
    -a repeat=3 -a rounds=1 -b "EstimatorCost.time_estimate" HEAD~1 HEAD
