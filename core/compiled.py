"""The MLP's MAML step (core.fused) compiled by inductor on the CPU, in the background.

At 25 tasks the hand-derived step is about 130 small tensor ops: dispatch and memory traffic,
not arithmetic, set its time. Inductor fuses the elementwise ops around the matmuls into a few
C++ loops. The program is traced with make_fx and compiled without TorchDynamo (no per-call
frame evaluation or guards; this module's key pins the shapes instead). Compiling takes 10 to
40 seconds (less with inductor's warm on-disk cache), so it never blocks: the first request for
a shape starts a daemon thread that compiles it and returns None, and the caller carries on
eagerly; later requests get the compiled program once it is ready. Any failure (no C++
compiler, an op inductor cannot take) marks the shape failed and the eager path goes on,
silently: the reason is kept in `Compiler.failures`.

Off until `enable()`: the benchmark and `train --fast` (core.fast.compile_first, which waits for
the compile before the clock starts) turn it on; the window's trainer does not (a compile holds
the GIL for seconds and its training thread would stall). Tests and one-off calls never pay for
a compile. The rate goes in as a 0-d tensor, so moving the inner-lr slider does not recompile; a
new shape (meta-batch, K, inner steps, order) does, up to MAX_SHAPES of them. Per-entry rates
(Meta-SGD, ANIL, Alpha MAML) are inputs too, and their gradients come back as core.analytic
returns them. MAML and FOMAML with Adam go further: `train_step` is the whole meta-iteration,
meta-gradient and Adam's in-place update, in one program (one call a step).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import torch
from torch.utils._pytree import tree_flatten, tree_unflatten

from core import fused
from core.models import MLP
from core.optim import Adam

# Shapes compiled per process (each costs a compile and a few MB); past it, new shapes stay eager.
MAX_SHAPES = 6

Key = tuple


def _kernel(steps: int, first_order: bool, per_entry: bool, adam: tuple | None = None) -> Callable:
    """core.fused.meta_grad with the static settings bound; the rate is a 0-d tensor, or per
    entry a pair (weight rates, bias rates) of tensor lists. With adam = (beta1, beta2, eps) the
    whole meta-iteration instead: meta-gradient and core.optim.Adam's update, in place."""
    if adam is not None:
        return partial(_train_step, steps=steps, first_order=first_order, adam=adam)

    def meta_grad(ws, bs, xs, ys, xq, yq, lr):
        if per_entry:
            return fused.meta_grad(ws, bs, xs, ys, xq, yq, None, steps, first_order, rates=lr)
        return fused.meta_grad(ws, bs, xs, ys, xq, yq, lr, steps, first_order)
    return meta_grad


def _train_step(ws, bs, state, xs, ys, xq, yq, lr, outer_lr, *, steps, first_order, adam):
    """One meta-iteration: the meta-gradient, then Adam as torch._fused_adam_ does it (bias
    corrections in the parameters' dtype), parameters and moments overwritten in place, so that
    one compiled call replaces the meta-gradient, the `.grad` hand-over and the optimiser call.
    state = (first moments, second moments, shared step count), moments in the order ws + bs."""
    beta1, beta2, eps = adam
    loss, gw, gb, _, _ = fused.meta_grad(ws, bs, xs, ys, xq, yq, lr, steps, first_order)
    exp_avg, exp_avg_sq, count = state
    count.add_(1)
    t = count.to(ws[0].dtype)
    scale = outer_lr / (1 - beta1 ** t)
    root = torch.sqrt(1 - beta2 ** t)
    for p, m, v, g in zip(ws + bs, exp_avg, exp_avg_sq, gw + gb):
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        p.sub_(scale * m / (torch.sqrt(v) / root + eps))
    return loss


def _example(model: MLP, key: Key):
    """Inputs of the key's shapes (values do not matter to the compile)."""
    _, xs_shape, xq_shape, dtype, _, _, per_entry, adam = key  # see Compiler.key
    gen = torch.Generator().manual_seed(0)
    params = {k: v.to(dtype) for k, v in model.init(gen).items()}
    xs = torch.rand(xs_shape, generator=gen, dtype=dtype)
    xq = torch.rand(xq_shape, generator=gen, dtype=dtype)
    rate = (_layers(model, {k: torch.full_like(v, 0.01) for k, v in params.items()}) if per_entry
            else torch.tensor(0.01, dtype=dtype))
    ws, bs = _layers(model, params)
    if adam is None:
        return (ws, bs, xs, xs.clone(), xq, xq.clone(), rate)
    state = ([torch.zeros_like(p) for p in ws + bs], [torch.zeros_like(p) for p in ws + bs],
             torch.zeros((), dtype=torch.float32))
    return (ws, bs, state, xs, xs.clone(), xq, xq.clone(), rate, torch.tensor(1e-3, dtype=dtype))


def _layers(model: MLP, params):
    return _pair(model.names, params)


def _flatten(args) -> list:
    """Tensors, lists of them and tuples of both, in order (by hand: pytree costs ~10 us a call)."""
    out = []
    for a in args:
        if isinstance(a, torch.Tensor):
            out.append(a)
            continue
        for b in a:
            if isinstance(b, torch.Tensor):
                out.append(b)
            else:
                out.extend(b)
    return out


def _torch_compile(fn: Callable, example: tuple) -> Callable:
    """Trace fn once into an FX graph (make_fx, no autograd) and compile that with inductor,
    static shapes, in this process (no pool of compile workers to outlive it). No TorchDynamo:
    its per-call frame evaluation and guards cost about a quarter of the step here; the key
    (core.compiled.Compiler.key) already pins every shape and dtype the program assumes.
    In-place updates of inputs (the train step's parameters and moments) stay in the program."""
    import torch._inductor.config as inductor_config
    from torch.fx.experimental.proxy_tensor import make_fx
    inductor_config.compile_threads = 1
    inputs, in_spec = tree_flatten(example)
    single = []

    def flat(*args):  # make_fx and inductor take and return flat sequences of tensors
        out = fn(*tree_unflatten(list(args), in_spec))
        if isinstance(out, torch.Tensor):
            single.append(True)
            return (out,)
        return tuple(tree_flatten(out)[0])

    token = fused.LOOPS.set(True)
    try:
        graph = make_fx(flat)(*inputs)
    finally:
        fused.LOOPS.reset(token)
    # no size asserts: ~25 Python calls a step, and the key and .contiguous() pin the layouts
    with inductor_config.patch(size_asserts=False):
        program = torch._inductor.compile(graph, inputs)
    if single:
        return lambda *args: program(*_flatten(args))[0]
    per_entry = not isinstance(example[-1], torch.Tensor)

    def call(ws, bs, xs, ys, xq, yq, rate):
        out = program(*_flatten((ws, bs, xs, ys, xq, yq, rate)))
        n = len(ws)
        return (out[0], out[1:n + 1], out[n + 1:2 * n + 1], out[2 * n + 1:3 * n + 1] if per_entry else None,
                out[3 * n + 1:] if per_entry else None)
    return call


class Compiler:
    """Compiled meta-gradients by key, each compiled once in its own background thread."""

    def __init__(self, compile_fn: Callable[[Callable, tuple], Callable] = _torch_compile):
        self.compile_fn = compile_fn
        self.enabled = False
        self.ready: dict[Key, Callable] = {}
        self.failures: dict[Key, str] = {}
        self.threads: dict[Key, threading.Thread] = {}
        self.calls = 0  # compiled calls made (benchmarks and tests ask which path ran)
        self._lock = threading.Lock()

    def key(self, model, xs, xq, lr, steps: int, first_order: bool, adam: tuple | None = None) -> Key | None:
        """The compile key of a call, or None when this path does not take it: a CPU MLP with
        a rate given as a Python number or as per-entry rates (a 0-d tensor rate belongs to a
        CUDA graph). adam: (beta1, beta2, eps) for the whole train step (one rate only)."""
        per_entry = isinstance(lr, dict)
        if not isinstance(model, MLP) or xs.device.type != "cpu" or not (per_entry or isinstance(lr, (int, float))):
            return None
        if per_entry and adam is not None:
            return None
        return (tuple(model.hidden), xs.shape, xq.shape, xs.dtype, steps, first_order, per_entry, adam)

    def get(self, model, key: Key) -> Callable | None:
        """The compiled function for key if ready; else start compiling it (once) and return None."""
        fn = self.ready.get(key)
        if fn is not None or not self.enabled:
            return fn
        with self._lock:
            if key in self.threads or key in self.failures or len(self.threads) >= MAX_SHAPES:
                return None
            thread = threading.Thread(target=self._build, args=(model, key), daemon=True,
                                      name=f"compile {key[1]}")
            self.threads[key] = thread
        thread.start()
        return None

    def _build(self, model: MLP, key: Key) -> None:
        try:
            example = _example(model, key)
            with torch.no_grad():
                fn = self.compile_fn(_kernel(*key[4:]), example)
                fn(*example)
        except Exception as e:  # no compiler, an unsupported op: the eager path carries on
            self.failures[key] = f"{type(e).__name__}: {e}"
            return
        self.ready[key] = fn

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every started compile has finished (benchmarks); True if none is pending."""
        for thread in list(self.threads.values()):
            thread.join(timeout)
        return not any(t.is_alive() for t in self.threads.values())


COMPILER = Compiler()


def prepare(model, meta_batch: int, shots: int, steps: int, first_order: bool = False,
            dtype=torch.float32, timeout: float | None = None, adam: tuple | None = None) -> float | None:
    """Compile the step of this shape now and wait for it (a benchmark that reports the compile
    apart, or a caller that would rather wait than train slowly meanwhile): the seconds it took,
    or None when the shape is not compiled (disabled, failed, capped, or not this path's)."""
    shape = torch.empty(meta_batch, shots, dtype=dtype)
    key = COMPILER.key(model, shape, shape, 0.0, steps, first_order, adam)
    if key is None:
        return None
    t0 = time.perf_counter()
    COMPILER.get(model, key)
    thread = COMPILER.threads.get(key)
    if thread is not None:
        thread.join(timeout)
    return time.perf_counter() - t0 if key in COMPILER.ready else None


def enable(on: bool = True) -> None:
    """Let meta_grad compile its shapes in the background (the CLI, the trainer, the benchmark)."""
    COMPILER.enabled = on


def meta_grad(model, params, xs, ys, xq, yq, lr, steps: int, first_order: bool = False):
    """As core.analytic.meta_grad, compiled when its shape is ready; else None and the caller
    goes eager (the first call for a shape starts its compile)."""
    key = COMPILER.key(model, xs, xq, lr, steps, first_order)
    if key is None:
        return None
    fn = COMPILER.get(model, key)
    if fn is None:
        return None
    COMPILER.calls += 1
    names = model.names
    rate = _pair(names, lr) if isinstance(lr, dict) else _rate(float(lr), xs.dtype)
    # the program was compiled for contiguous inputs (a no-op for the sampler's)
    xs, ys, xq, yq = xs.contiguous(), ys.contiguous(), xq.contiguous(), yq.contiguous()
    ws, bs = _pair(names, params)
    with torch.no_grad():
        loss, vw, vb, rw, rb = fn(ws, bs, xs, ys, xq, yq, rate)
    return loss, _named(names, vw, vb), (None if rw is None else _named(names, rw, rb))


def adam_settings(opt) -> tuple | None:
    """(beta1, beta2, eps) of a core.optim.Adam with a number for its rate (the train step's
    key), else None: another optimiser, or a device-tensor rate (a CUDA graph's)."""
    if not isinstance(opt, Adam) or isinstance(opt.lr, torch.Tensor):
        return None
    return (*opt.betas, opt.eps)


def train_step(model, params, opt, xs, ys, xq, yq, lr, steps: int, first_order: bool = False):
    """One whole meta-iteration compiled (meta-gradient and opt's Adam update of params, in
    place): the meta-loss, or None while its shape is not compiled (the first call starts the
    compile) or where this path does not apply; the caller then steps as usual."""
    if not (COMPILER.enabled or COMPILER.ready):  # the window's trainer: a few us a step saved
        return None
    adam = adam_settings(opt)
    if adam is None:
        return None
    key = COMPILER.key(model, xs, xq, lr, steps, first_order, adam)
    if key is None or isinstance(lr, dict):
        return None
    fn = COMPILER.get(model, key)
    if fn is None:
        return None
    COMPILER.calls += 1
    names, dtype = model.names, xs.dtype
    ws, bs = [params[w].detach() for w, _ in names], [params[b].detach() for _, b in names]
    # opt's moments follow its params, the dict's order; the program takes the weights, then the biases
    state = (_layer_order(names, params, opt.exp_avg), _layer_order(names, params, opt.exp_avg_sq), opt.steps[0])
    with torch.no_grad():
        return fn(ws, bs, state, xs.contiguous(), ys.contiguous(), xq.contiguous(), yq.contiguous(),
                  _rate(float(lr), dtype), _rate(float(opt.lr), dtype))


_RATES: dict[tuple, torch.Tensor] = {}  # 0-d rate tensors by (value, dtype): the slider moves rarely


def _rate(value: float, dtype) -> torch.Tensor:
    t = _RATES.get((value, dtype))
    if t is None:
        if len(_RATES) > 64:
            _RATES.clear()
        t = _RATES[(value, dtype)] = torch.tensor(value, dtype=dtype)
    return t


def _layer_order(names, params, moments: list) -> list:
    index = {k: i for i, k in enumerate(params)}
    return [moments[index[w]] for w, _ in names] + [moments[index[b]] for _, b in names]


def _pair(names, params):
    """Weights and biases as two lists in layer order, contiguous (as the program was compiled)."""
    return [params[w].contiguous() for w, _ in names], [params[b].contiguous() for _, b in names]


def _named(names, weights, biases) -> dict:
    out = {}
    for (w, b), gw, gb in zip(names, weights, biases):
        out[w], out[b] = gw, gb
    return out
