"""How long the window takes to quit while training: SIGINT (Ctrl+C in the terminal) to exit.

    python benchmarks/shutdown.py [--runs 5]
Offscreen, autoplaying; prints each run's seconds from the signal to the process's exit,
its exit status and whether anything reached stderr.
"""
import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warm", type=float, default=4.0, help="seconds of training before the signal")
    a = ap.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    for _ in range(a.runs):
        p = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--autoplay"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(a.warm)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=30)[1]
        times.append(time.monotonic() - t0)
        print(f"SIGINT -> exit {times[-1]:.2f} s, status {p.returncode}, stderr {len(err)} chars", flush=True)
    times.sort()
    print(f"median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s over {a.runs} runs")


if __name__ == "__main__":
    main()
