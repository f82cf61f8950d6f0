"""End-to-end: `main.py train --iterations N` (the CLI, start-up included) against a torch.func
vmap training loop of the same N iterations, timed in the same run.

    python benchmarks/end_to_end.py [--iterations 20000] [--device cpu]
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.algorithms import HParams  # noqa: E402
from core.bench import BASELINES, _sync, baseline_stepper  # noqa: E402
from core.models import make_model  # noqa: E402
from core.tasks import get_family  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=20000)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--vmap-iterations", type=int, default=None, help="time vmap on fewer and extrapolate")
    a = ap.parse_args()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--iterations", str(a.iterations),
                    "--device", a.device, "--quiet", "--save", "/tmp/e2e.pt"], check=True)
    ours = time.perf_counter() - t0
    torch.set_num_threads(1)
    device = torch.device(a.device)
    family = get_family("sinusoid")
    step = baseline_stepper(BASELINES["vmap"][1], make_model("mlp", family), family, HParams(),
                            torch.Generator(device=device).manual_seed(0), device)
    n = a.vmap_iterations or a.iterations
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    _sync(device)
    vm = (time.perf_counter() - t0) * a.iterations / n
    note = "" if n == a.iterations else f" (timed {n}, scaled to {a.iterations})"
    print(f"{a.iterations} MAML iterations on {device}: main.py train {ours:.1f} s (process start-up included), "
          f"torch.func vmap loop {vm:.1f} s{note}; ratio {vm / ours:.1f}x")


if __name__ == "__main__":
    main()
