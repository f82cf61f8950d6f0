"""What rewinding costs: the archive's bytes over a long run, keeping inits while training, and
how long a scrub takes to come back as a snapshot.

    python benchmarks/rewind.py [--seconds 20] [--simulate 50000000]
1. The real trainer (a thread, the paper's sinusoid MLP) meta-trains for --seconds: iterations,
   inits kept, the archive's bytes and bound, and the time spent keeping them.
2. Paused, the timeline asks for 10 past iterations in turn: time from the 'replay' command to
   the snapshot with the replayed curves (what a scrub waits for), and to the one that also brings
   the replayed init's held-out evaluation.
3. --simulate iterations offered in chunks of 1..600 with entries of the real sizes (MAML,
   Meta-SGD with a compared algorithm): the archive's largest size against its bound.
Prints figures; asserts nothing.
"""
import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import publisher, rewind  # noqa: E402
from core.controls import SharedControls  # noqa: E402
from core.rewind import Frozen, InitArchive, Kept  # noqa: E402
from core.trainer import Trainer  # noqa: E402
from tests.conftest import fresh_controls, reading_mailbox  # noqa: E402


def wait_for(mailbox, pred, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap = mailbox.latest()
        if snap is not None and pred(snap):
            return snap
        time.sleep(0.001)
    raise TimeoutError


def live_run(seconds: float) -> None:
    spent = {"s": 0.0, "n": 0}
    record = rewind.Rewind.record

    def timed(self, iteration, learners):
        t0 = time.perf_counter()
        record(self, iteration, learners)
        spent["s"] += time.perf_counter() - t0
        spent["n"] += 1

    rewind.Rewind.record = timed
    shared, mailbox = SharedControls(fresh_controls(playing=True)), reading_mailbox()
    trainer = Trainer(shared, mailbox)
    stop = threading.Event()
    thread = threading.Thread(target=trainer.run, args=(stop,), daemon=True)
    thread.start()
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        mailbox.latest()  # read as the window does, so the trainer keeps publishing
        time.sleep(0.016)
    shared.update(playing=False)
    snap = wait_for(mailbox, lambda s: s.state == "paused")
    a = trainer.rewind.archive
    print(f"live: {snap.iteration:,} iterations in {seconds:g} s; {len(a.entries)} inits kept, one per "
          f"{a.every:,} iterations; {a.nbytes / 1e6:.2f} MB held, bound {a.bound_bytes / 1e6:.2f} MB "
          f"({a.capacity} x {a.entry_bytes:,} B); keeping them: {spent['s'] * 1e3:.1f} ms over {spent['n']:,} "
          f"chunk ends ({100 * spent['s'] / max(snap.training_s, 1e-9):.2f}% of the training time)")
    waits, evals, eval_before, publish_before = [], [], trainer.timing["eval"], trainer.timing["publish"]
    for frac in np.linspace(0.0, 0.9, 10):
        want = int(frac * snap.iteration)
        shown = a.nearest(want).iteration
        t0 = time.perf_counter()
        shared.post("replay", want)
        wait_for(mailbox, lambda s, shown=shown: s.rewind.showing == shown)
        waits.append(time.perf_counter() - t0)
        wait_for(mailbox, lambda s, shown=shown: s.evaluation.iteration == shown and s.rewind.showing == shown)
        evals.append(time.perf_counter() - t0)
    n = len(waits)
    print(f"scrub: replay command -> snapshot with its curves: median {statistics.median(waits) * 1e3:.0f} ms, "
          f"max {max(waits) * 1e3:.0f} ms; -> with its held-out evaluation (sent once the timeline has rested "
          f"{publisher.SCRUB_REST_S * 1e3:.0f} ms): median {statistics.median(evals) * 1e3:.0f} ms, max "
          f"{max(evals) * 1e3:.0f} ms; over {n} requests. Per request the snapshots took "
          f"{(trainer.timing['publish'] - publish_before) / n * 1e3:.0f} ms, of which the evaluation "
          f"{(trainer.timing['eval'] - eval_before) / n * 1e3:.0f} ms")
    stop.set()
    shared.wake()
    thread.join(10)
    rewind.Rewind.record = record


def simulate(iterations: int) -> None:
    mlp = 1 * 40 + 40 + 40 * 40 + 40 + 40 + 1  # the 1-40-40-1 MLP's floats
    for label, states in (("MAML", {"meta": (mlp, 0)}), ("Meta-SGD + compared MAML", {"meta": (mlp, mlp),
                                                                                       "compare": (mlp, 0)})):
        def entry(it, states=states):
            return Kept(it, {k: Frozen("x", {"p": np.zeros(p, np.float32)},
                                       {"e": np.zeros(e, np.float32)} if e else None) for k, (p, e) in states.items()})
        archive, rng, it, most = InitArchive(), np.random.default_rng(0), 0, 0
        t0 = time.perf_counter()
        while it < iterations:
            it += int(rng.integers(1, 600))
            if archive.due(it):
                archive.keep(entry(it))
                most = max(most, archive.nbytes)
        kept = archive.iterations()
        print(f"simulated {label}: {iterations:,} iterations -> {len(kept)} inits kept, one per {archive.every:,}; "
              f"largest {most / 1e6:.2f} MB, bound {archive.bound_bytes / 1e6:.2f} MB; first kept {kept[0]:,}, "
              f"widest gap {np.diff(kept).max():,} ({time.perf_counter() - t0:.1f} s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--simulate", type=int, default=50_000_000)
    a = ap.parse_args()
    torch.set_num_threads(1)
    live_run(a.seconds)
    simulate(a.simulate)


if __name__ == "__main__":
    main()
