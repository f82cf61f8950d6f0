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
(Meta-SGD) are inputs too, and their gradients come back as core.analytic returns them.
The whole meta-iteration, meta-gradient and update in place, is one program (one call a step)
for MAML and FOMAML (`train_step`: Adam on the init), Meta-SGD (the same with its per-entry
rates as Adam's leaves too), ANIL (the inner loop on the head alone: core.fused's `frozen`) and
Alpha MAML (`hyper_step`: SGD at beta, alpha and beta by their hypergradients). What a step does
is a frozen dataclass (AdamStep, HyperStep) in the compile key, which each Algorithm subclass
gives (`step_spec`). enable() also has glibc keep freed memory (keep_freed_memory).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
from torch.utils._pytree import tree_flatten, tree_unflatten

from core import fused
from core.models import MLP
from core.optim import Adam

# Shapes compiled per process (each costs a compile and a few MB); past it, new shapes stay eager.
MAX_SHAPES = 6

Key = tuple


def _kernel(steps: int, first_order: bool, per_entry: bool, whole=None) -> Callable:
    """core.fused.meta_grad with the static settings bound; the rate is a 0-d tensor, or per
    entry a pair (weight rates, bias rates) of tensor lists. With `whole` (an AdamStep or a
    HyperStep) the whole meta-iteration instead, as that step describes it."""
    if whole is not None:
        return whole.program(steps, first_order)

    def meta_grad(ws, bs, xs, ys, xq, yq, lr):
        if per_entry:
            return fused.meta_grad(ws, bs, xs, ys, xq, yq, None, steps, first_order, rates=lr)
        return fused.meta_grad(ws, bs, xs, ys, xq, yq, lr, steps, first_order)
    return meta_grad


def _adam(leaves, grads, state, outer_lr, adam) -> None:
    """core.optim.Adam's update as torch._fused_adam_ does it (bias corrections in the leaves'
    dtype), leaves and moments overwritten in place. state = (first moments, second moments,
    shared step count), moments in the leaves' order."""
    beta1, beta2, eps = adam
    exp_avg, exp_avg_sq, count = state
    count.add_(1)
    t = count.to(leaves[0].dtype)
    scale = outer_lr / (1 - beta1 ** t)
    root = torch.sqrt(1 - beta2 ** t)
    for p, m, v, g in zip(leaves, exp_avg, exp_avg_sq, grads):
        m.mul_(beta1).add_(g, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        p.sub_(scale * m / (torch.sqrt(v) / root + eps))


def _adam_step(ws, bs, state, xs, ys, xq, yq, lr, outer_lr, *, steps, first_order, spec):
    """One meta-iteration: the meta-gradient, then Adam on the init (and on Meta-SGD's rates,
    lr = (weight rates, bias rates), leaves after the init), so that one compiled call replaces
    the meta-gradient, the `.grad` hand-over and the optimiser call. Moments in the order
    ws + bs (+ weight rates + bias rates)."""
    if spec.rates:
        loss, gw, gb, rw, rb = fused.meta_grad(ws, bs, xs, ys, xq, yq, None, steps, first_order, rates=lr)
        _adam(ws + bs + lr[0] + lr[1], gw + gb + rw + rb, state, outer_lr, spec.adam)
    else:
        loss, gw, gb, _, _ = fused.meta_grad(ws, bs, xs, ys, xq, yq, lr, steps, first_order, frozen=spec.frozen)
        _adam(ws + bs, gw + gb, state, outer_lr, spec.adam)
    return loss


def _hyper_step(ws, bs, state, xs, ys, xq, yq, hyper, *, steps, first_order, order):
    """Alpha MAML's meta-iteration (core.algorithms.alpha): the meta-gradient and d loss / d alpha,
    beta *= 1 + hyper_beta * cos(g, previous g) (where there is a previous one), the init by SGD
    at beta, alpha by its hypergradient, clamped at 0; all in place. state = (alpha, beta,
    previous gradient flat in the parameters' order, 1 where it is set else 0); hyper =
    (hyper_lr, hyper_beta); order: the layer-ordered gradients taken in the parameters' order."""
    alpha, beta, prev, has_prev = state
    hyper_lr, hyper_beta = hyper
    loss, gw, gb, d_alpha, _ = fused.meta_grad(ws, bs, xs, ys, xq, yq, alpha, steps, first_order, rate_grad=True)
    leaves, grads = ws + bs, gw + gb
    flat = torch.cat([grads[i].reshape(-1) for i in order])
    cos = flat @ prev / (flat.norm() * prev.norm()).clamp_min(1e-30)
    beta.mul_(1 + hyper_beta * cos * has_prev)
    prev.copy_(flat)
    has_prev.fill_(1.0)
    for i in order:
        leaves[i].sub_(beta * grads[i])
    alpha.sub_(hyper_lr * d_alpha).clamp_(min=0.0)
    return loss


@dataclass(frozen=True)
class AdamStep:
    """A whole meta-iteration with core.optim.Adam (part of the compile key): MAML and FOMAML
    (the init), Meta-SGD (rates: its per-entry rates are inputs and Adam's leaves too), ANIL
    (frozen: the leading layers the inner loop leaves alone)."""

    adam: tuple  # (beta1, beta2, eps)
    rates: bool = False
    frozen: int = 0

    def program(self, steps: int, first_order: bool) -> Callable:
        return partial(_adam_step, steps=steps, first_order=first_order, spec=self)

    def example(self, ws, bs, dtype) -> tuple:
        """(state, rate, outer rate) of the right shapes (values do not matter to the compile)."""
        rate = ([torch.full_like(w, 0.01) for w in ws], [torch.full_like(b, 0.01) for b in bs]) if self.rates \
            else torch.tensor(0.01, dtype=dtype)
        leaves = ws + bs + (rate[0] + rate[1] if self.rates else [])
        state = ([torch.zeros_like(p) for p in leaves], [torch.zeros_like(p) for p in leaves],
                 torch.zeros((), dtype=torch.float32))
        return state, rate, torch.tensor(1e-3, dtype=dtype)


@dataclass(frozen=True)
class HyperStep:
    """Alpha MAML's whole meta-iteration (part of the compile key): see _hyper_step."""

    order: tuple  # for each parameter in its dict's order, its place among the weights, then the biases
    scalar_dtype: torch.dtype  # alpha's and beta's (a learner's own, whatever the parameters')

    def program(self, steps: int, first_order: bool) -> Callable:
        return partial(_hyper_step, steps=steps, first_order=first_order, order=self.order)

    def example(self, ws, bs, dtype) -> tuple:
        size = sum(p.numel() for p in ws + bs)
        state = (torch.tensor(0.01, dtype=self.scalar_dtype), torch.tensor(1e-3, dtype=self.scalar_dtype),
                 torch.zeros(size, dtype=dtype),
                 torch.zeros((), dtype=dtype))
        return state, (torch.tensor(1e-4, dtype=dtype), torch.tensor(0.02, dtype=dtype))


def _example(model: MLP, key: Key):
    """Inputs of the key's shapes (values do not matter to the compile)."""
    _, xs_shape, xq_shape, dtype, _, _, per_entry, whole = key  # see Compiler.key
    gen = torch.Generator().manual_seed(0)
    params = {k: v.to(dtype) for k, v in model.init(gen).items()}
    xs = torch.rand(xs_shape, generator=gen, dtype=dtype)
    xq = torch.rand(xq_shape, generator=gen, dtype=dtype)
    ws, bs = _layers(model, params)
    if whole is not None:
        state, *extra = whole.example(ws, bs, dtype)
        return (ws, bs, state, xs, xs.clone(), xq, xq.clone(), *extra)
    rate = (_layers(model, {k: torch.full_like(v, 0.01) for k, v in params.items()}) if per_entry
            else torch.tensor(0.01, dtype=dtype))
    return (ws, bs, xs, xs.clone(), xq, xq.clone(), rate)


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

    def key(self, model, xs, xq, lr, steps: int, first_order: bool, whole=None) -> Key | None:
        """The compile key of a call, or None when this path does not take it: a CPU MLP with
        a rate given as a Python number or as per-entry rates (a 0-d tensor rate belongs to a
        CUDA graph). whole: an AdamStep or HyperStep for a whole meta-iteration."""
        per_entry = isinstance(lr, dict)
        if not isinstance(model, MLP) or xs.device.type != "cpu" or not (per_entry or isinstance(lr, (int, float))):
            return None
        return (tuple(model.hidden), xs.shape, xq.shape, xs.dtype, steps, first_order, per_entry, whole)

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
            dtype=torch.float32, timeout: float | None = None, adam: tuple | None = None,
            whole=None) -> float | None:
    """Compile the step of this shape now and wait for it (a benchmark that reports the compile
    apart, or a caller that would rather wait than train slowly meanwhile): the seconds it took,
    or None when the shape is not compiled (disabled, failed, capped, or not this path's).
    whole: the whole step (Algorithm.step_spec), or adam = (beta1, beta2, eps) for MAML's."""
    shape = torch.empty(meta_batch, shots, dtype=dtype)
    if whole is None and adam is not None:
        whole = AdamStep(adam)
    lr = {} if isinstance(whole, AdamStep) and whole.rates else 0.0
    key = COMPILER.key(model, shape, shape, lr, steps, first_order, whole)
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
    if on:
        keep_freed_memory()


# glibc's mallopt parameters: blocks above M_MMAP_THRESHOLD get their own mapping, and a free heap
# top above M_TRIM_THRESHOLD goes back to the kernel
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_MAX = 32 << 20  # glibc's upper bound on 64-bit
TRIM_THRESHOLD = 1 << 30


def keep_freed_memory(load_libc: Callable = lambda: __import__("ctypes").CDLL("libc.so.6")) -> bool:
    """Have glibc keep freed blocks for reuse rather than return them to the kernel at once.

    A compiled step allocates its buffers afresh on every call; Meta-SGD's per-task matrices
    (25 x 40 x 40 float32, 160 KB) are above glibc's default 128 KiB mmap threshold, so each call
    mapped and unmapped them, page faults included, and sampling a new batch between calls moved
    the heap's top so that it was trimmed too: a sampled Meta-SGD step took 1,271 us against 743
    us with both thresholds raised (MAML 728 against 630; same process, load ~3.5). Process-wide
    (every row of `main.py bench` alike), and only where compiling is enabled: never in the
    window. True if glibc took both settings; elsewhere (no glibc) nothing changes."""
    try:
        libc = load_libc()
        return (libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX) == 1
                and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
    except (OSError, AttributeError):
        return False


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


def _run(model, key_lr, xs, xq, steps: int, first_order: bool, whole) -> Callable | None:
    """The compiled whole step of this call's key once ready (counted), else None."""
    if not (COMPILER.enabled or COMPILER.ready):  # the window's trainer: a few us a step saved
        return None
    key = COMPILER.key(model, xs, xq, key_lr, steps, first_order, whole)
    if key is None:
        return None
    fn = COMPILER.get(model, key)
    if fn is not None:
        COMPILER.calls += 1
    return fn


def adam_spec(opt, rates: bool = False, frozen: int = 0) -> AdamStep | None:
    """The AdamStep of opt (a core.optim.Adam with a number for its rate), else None."""
    adam = adam_settings(opt)
    return None if adam is None else AdamStep(adam, rates, frozen)


def train_step(model, params, opt, xs, ys, xq, yq, lr, steps: int, first_order: bool = False, frozen: int = 0):
    """One whole meta-iteration compiled (meta-gradient and opt's Adam update, in place): the
    meta-loss, or None while its shape is not compiled (the first call starts the compile) or
    where this path does not apply; the caller then steps as usual. lr: a number, or Meta-SGD's
    per-entry rates (a dict like params: opt's leaves after params, updated by the same Adam).
    frozen: the leading layers the inner loop leaves alone (ANIL)."""
    if not (COMPILER.enabled or COMPILER.ready):
        return None
    rates = isinstance(lr, dict)
    whole = adam_spec(opt, rates, frozen)
    if whole is None:
        return None
    fn = _run(model, lr, xs, xq, steps, first_order, whole)
    if fn is None:
        return None
    names, dtype = model.names, xs.dtype
    ws, bs = [params[w].detach() for w, _ in names], [params[b].detach() for _, b in names]
    # opt's leaves: params in the dict's order, then the rates; the program takes weights, then biases
    order = _layer_order(names, params)
    if rates:
        order += [len(params) + i for i in _layer_order(names, lr)]
        rate = ([lr[w].detach() for w, _ in names], [lr[b].detach() for _, b in names])
    else:
        rate = _rate(float(lr), dtype)
    state = ([opt.exp_avg[i] for i in order], [opt.exp_avg_sq[i] for i in order], opt.steps[0])
    with torch.no_grad():
        return fn(ws, bs, state, xs.contiguous(), ys.contiguous(), xq.contiguous(), yq.contiguous(),
                  rate, _rate(float(opt.lr), dtype))


def hyper_spec(model, params, alpha) -> HyperStep:
    layers = [w for w, _ in model.names] + [b for _, b in model.names]
    return HyperStep(tuple(layers.index(k) for k in params), alpha.dtype)


def hyper_step(model, params, state: tuple, hyper: tuple, xs, ys, xq, yq, steps: int, first_order: bool = False):
    """Alpha MAML's whole meta-iteration compiled (see _hyper_step): the meta-loss, or None as
    train_step. state = (alpha, beta, previous gradient, 0/1 flag), 0-d tensors and a flat
    one, updated in place; hyper = (hyper_lr, hyper_beta) numbers."""
    fn = _run(model, 0.0, xs, xq, steps, first_order, hyper_spec(model, params, state[0]))
    if fn is None:
        return None
    names, dtype = model.names, xs.dtype
    ws, bs = [params[w].detach() for w, _ in names], [params[b].detach() for _, b in names]
    with torch.no_grad():
        return fn(ws, bs, state, xs.contiguous(), ys.contiguous(), xq.contiguous(), yq.contiguous(),
                  (_rate(float(hyper[0]), dtype), _rate(float(hyper[1]), dtype)))


_RATES: dict[tuple, torch.Tensor] = {}  # 0-d rate tensors by (value, dtype): the slider moves rarely


def _rate(value: float, dtype) -> torch.Tensor:
    t = _RATES.get((value, dtype))
    if t is None:
        if len(_RATES) > 64:
            _RATES.clear()
        t = _RATES[(value, dtype)] = torch.tensor(value, dtype=dtype)
    return t


def _layer_order(names, params) -> list:
    """Where each layer's weight, then each bias, sits in params' order."""
    index = {k: i for i, k in enumerate(params)}
    return [index[w] for w, _ in names] + [index[b] for _, b in names]


def _pair(names, params):
    """Weights and biases as two lists in layer order, contiguous (as the program was compiled)."""
    return [params[w].contiguous() for w, _ in names], [params[b].contiguous() for _, b in names]


def _named(names, weights, biases) -> dict:
    out = {}
    for (w, b), gw, gb in zip(names, weights, biases):
        out[w], out[b] = gw, gb
    return out
