"""Will a setup fit in memory? An estimate made before anything is built.

Meta-training adapts a whole meta-batch at once and keeps every inner step's graph for the
second-order meta-gradient, so memory grows as
meta_batch x (inner_steps + 1) x (parameters + support and query activations).
Per task and step we count 2 x parameters (fast weights and their gradients) and 4 floats per
hidden unit per point (pre-activation, activation and their gradients). Measured on the CPU
(`main.py train --iterations 2 --inner-steps 10 --shots 50 --hidden 256,256,256,256`): 31 MB
per task against 35 MB estimated; FOMAML measured the same within 15%, so every algorithm gets
the one estimate. A setup is refused when it would take more than SAFETY of the memory the
machine has available now (/proc/meminfo's MemAvailable, plus what this process already holds,
so a running trainer does not count its own setup against the next one).
"""
from __future__ import annotations

import os

FLOAT_BYTES = 4
BASE_BYTES = 400 * 2**20  # torch, the model and the rest of the process
SAFETY = 0.5  # use at most half of what is available: the window, the OS and other programs need the rest
MEMINFO = "/proc/meminfo"


def parameters(hidden, inputs: int = 1, outputs: int = 1) -> int:
    sizes = [inputs, *hidden, outputs]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def estimate(meta_batch: int, shots: int, inner_steps: int, hidden, model: str = "mlp") -> int:
    """Bytes meta-training this setup needs at its peak (an over-estimate, not a measurement)."""
    layers = tuple(hidden) if model == "mlp" else ()
    params = parameters(layers) if layers else 2
    points = 2 * shots  # support and query
    per_step = 2 * params + 4 * points * max(sum(layers), 1)
    return BASE_BYTES + meta_batch * (inner_steps + 1) * per_step * FLOAT_BYTES


def available(path: str = MEMINFO) -> int | None:
    """MemAvailable plus this process's resident memory, in bytes; None where the OS does not
    say (then nothing is refused)."""
    try:
        with open(path, encoding="ascii") as f:
            free = next((int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:")), None)
    except (OSError, ValueError, IndexError):
        return None
    if free is None:
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            free += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    return free


def _gb(n: int) -> str:
    return f"{n / 2**30:.1f} GB"


def problem(meta_batch: int, shots: int, inner_steps: int, hidden, model: str = "mlp",
            free: int | None = None, learners: int = 1) -> str | None:
    """None if the setup fits, else one line saying what it needs and what to lower."""
    need = estimate(learners * meta_batch, shots, inner_steps, hidden, model)
    free = available() if free is None else free
    if free is None or need <= SAFETY * free:
        return None
    two = " x 2 algorithms" if learners > 1 else ""
    return (f"this setup needs about {_gb(need)} of memory (meta-batch {meta_batch}{two} x {inner_steps} inner steps x "
            f"K={shots} x hidden {','.join(map(str, hidden)) if model == 'mlp' else 'two scalars'}), more than "
            f"half of the {_gb(free)} available: lower the meta-batch, inner steps, K or hidden sizes")


def controls_problem(c, free: int | None = None) -> str | None:
    """`problem` for anything with Controls' fields (Controls, argparse's namespace). A compared
    algorithm trains a second learner on the same batches: twice the tasks in memory."""
    learners = 2 if getattr(c, "compare", None) and c.compare != c.algorithm else 1
    return problem(c.meta_batch, c.shots, c.inner_steps, c.hidden, c.model, free, learners)
