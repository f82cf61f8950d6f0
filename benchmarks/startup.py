"""The window's start-up: process start to first paint, and to the first snapshot drawn, over N runs.

    python benchmarks/startup.py [--runs 5] [--quit-after 4] [--against CHECKOUT]

Each run is `main.py --autoplay --quit-after S --stats JSON` (offscreen unless DISPLAY is set) and
reads `window_shown_s`, `first_frame_s` and `first_frame_cpu_s` (the window process's CPU seconds by
then, which a busy machine skews less than the wall clock) from the stats. With --against, the runs alternate
between this checkout and another one (e.g. /work/main), so both see the same load on a shared
machine. Prints every run, the load average around it, then median, min and max; never asserts.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def one_run(checkout: Path, quit_after: float) -> dict:
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "s.json"
        r = subprocess.run([sys.executable, "main.py", "--autoplay", "--quit-after", str(quit_after),
                            "--stats", str(stats)], cwd=checkout, env=env, capture_output=True, text=True)
        if r.returncode != 0 or not stats.exists():
            raise SystemExit(f"{checkout}: main.py exited {r.returncode}: {r.stderr[-2000:]}")
        data = json.loads(stats.read_text())
    return {"shown": data["window_shown_s"], "first": data["first_frame_s"], "cpu": data.get("first_frame_cpu_s")}


def seconds(value) -> str:
    return "none (quit before it)" if value is None else f"{value:.3f} s"


def summary(values: list) -> str:
    missed = sum(v is None for v in values)
    values = [v for v in values if v is not None]
    if not values:
        return "none"
    note = f"; {missed} run(s) quit before it" if missed else ""
    return f"median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}){note}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quit-after", type=float, default=4.0)
    ap.add_argument("--against", type=Path, help="another checkout, run alternately with this one")
    args = ap.parse_args()
    checkouts = [ROOT] + ([args.against.resolve()] if args.against else [])
    results: dict[Path, list[dict]] = {c: [] for c in checkouts}
    print(f"python {sys.executable}; load average at start {load()}", flush=True)
    for i in range(args.runs):
        for c in checkouts:
            run = one_run(c, args.quit_after)
            results[c].append(run)
            print(f"run {i + 1} {c}: window shown {seconds(run['shown'])}, first frame {seconds(run['first'])} "
                  f"(window process CPU {run['cpu']} s; load {load()})", flush=True)
    for c, runs in results.items():
        print(f"{c} over {len(runs)} runs:")
        print(f"  window_shown_s {summary([r['shown'] for r in runs])}")
        print(f"  first_frame_s  {summary([r['first'] for r in runs])}")
        if all(r["cpu"] is not None for r in runs):
            print(f"  CPU at first frame {summary([r['cpu'] for r in runs])}")
    print(f"load average at end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
