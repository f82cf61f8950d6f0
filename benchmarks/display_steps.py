"""What a snapshot costs the trainer at N display steps, for both models.

    python benchmarks/display_steps.py [--rounds 20]
For N = 10, 100 and 500: the median time of a snapshot that recomputes the meta-learned init's
curves (the cached random init's not; no evaluation), of one the playing trainer builds (which
mostly reuses them), the held-out evaluation alone (100 tasks, at core.snapshots.eval_steps(N)),
how often the playing trainer refreshes each (core.snapshots.DISPLAY_SHARE,
core.publisher.EVAL_SHARE: bounded shares of its time), and over how many playing snapshots an
evaluation is spread (core.publisher.EVAL_SLICE_S) with the longest of them (wall, and the
thread's CPU time: on a busy machine the wall time includes waiting for a core). One torch thread.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def median_ms(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(family: str, model: str, n: int, rounds: int) -> dict:
    """Median ms of a snapshot that recomputes the meta init's curves, of one the playing trainer
    builds (throttled: mostly the last curves), and of the evaluation alone."""
    from dataclasses import replace

    import numpy as np

    from core.controls import Controls, Mailbox, SharedControls
    from core.display import new_display_task
    from core.trainer import Trainer

    c = Controls(family=family, model=model, display_steps=n, playing=True)
    c = replace(c, task=new_display_task(family, c.shots, np.random.default_rng(0)))
    trainer = Trainer(SharedControls(c), Mailbox())
    trainer._first_build(c)
    pub = trainer.publisher

    def build(force_eval: bool, urgent: bool):
        return lambda: pub.build(trainer, c, c.task, force_eval, urgent)

    build(True, True)()  # caches the fixed inits' curves and evaluation
    fresh = median_ms(build(False, True), rounds)  # urgent: the curves are recomputed
    playing = median_ms(build(False, False), rounds)  # the throttle may reuse the last curves
    evaluation = median_ms(build(True, True), max(3, rounds // 4)) - fresh
    # a playing trainer's evaluation, in slices: how many snapshots carry it, and the longest one
    pub.evaluate_next()
    times, cpu, serial = [], [], pub.evaluation.serial
    while pub.evaluation.serial == serial and len(times) < 10_000:
        t0, c0 = time.perf_counter(), time.thread_time()
        build(False, False)()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return {"fresh": fresh, "playing": playing, "eval": evaluation, "slices": len(times), "longest": max(times),
            "longest_cpu": max(cpu)}


def main() -> None:
    import torch

    from core.publisher import EVAL_S, EVAL_SHARE
    from core.snapshots import DISPLAY_SHARE, eval_steps, step_schedule

    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=20)
    args = p.parse_args()
    torch.set_num_threads(1)
    print(f"{'model':10} {'N':>4} {'schedule':18} {'curves ms':>9} {'playing ms':>10} {'curves Hz':>9} "
          f"{'eval ms':>8} {'eval every s':>12} {'slices':>6} {'longest ms (cpu)':>16}")
    for family, model in (("sinusoid", "mlp"), ("sine-ab", "two-param")):
        for n in (10, 100, 500):
            m = measure(family, model, n, args.rounds)
            hz = min(60.0, DISPLAY_SHARE * 1000 / m["fresh"])  # the meta init's curves, while playing
            every = max(EVAL_S, m["eval"] / 1000 / EVAL_SHARE)
            print(f"{model:10} {n:>4} {','.join(map(str, step_schedule(n))):18} {m['fresh']:9.2f} "
                  f"{m['playing']:10.2f} {hz:9.1f} {m['eval']:8.1f} {every:12.1f} {m['slices']:6d} "
                  f"{m['longest']:8.1f} ({m['longest_cpu']:5.1f})   (eval at {len(eval_steps(n))} step counts)",
                  flush=True)


if __name__ == "__main__":
    main()
