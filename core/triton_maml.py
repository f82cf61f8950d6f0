"""MAML's meta-gradient for the MLP 1-H1-H2-1 in two Triton kernels: the GPU's fused step.

On a GPU the hand-derived step (core.engine, core.analytic) is about a hundred tiny kernels,
and a CUDA graph only removes their launch cost, not their count. Here one program per task
does the whole task in registers: the inner SGD steps on its K support points, the query
loss and its gradient, and the way back through the inner steps with Hessian-vector products
by Pearlmutter's R-operator, exactly as core.analytic does (v_S = grad of the query loss,
v_s = v_{s+1} - alpha * H_s v_{s+1}). The weights before each inner step go to a scratch
row of that task, read back on the way back. A second kernel sums the tasks' rows in a fixed
order, so the result does not depend on scheduling (the exact tests need that).

Hidden widths up to MAX_WIDTH are padded to powers of two (at least 16, tl.dot's least
size) with masks; padded units have zero weights, so they stay zero. Matmuls run in IEEE
precision (no TF32). Triton is optional: this module imports without it, and available()
says whether the kernels exist. Checked against core.analytic and the unrolled autograd
reference under Triton's CPU interpreter (TRITON_INTERPRET=1) in tests/core/test_triton_maml.py.
"""
from __future__ import annotations

import torch

from core.models import MLP, Params

try:
    import triton
    import triton.language as tl
except ImportError:  # the CPU build ships without triton: nothing here is then used
    triton = None

MAX_WIDTH = 64  # one task's widest tile is (points, width): registers bound it on a GPU
_MIN_TILE = 16  # tl.dot's least dimension
_SUM_TASKS, _SUM_COLS = 32, 64  # the reduction's tile: tasks by columns
# Warps per task program. Not timed (no GPU yet): compiled for sm_90 here, ptxas reports for the
# second-order MLP 1-40-40-1 kernel 23 KB (float32) / 1.2 KB (float64) of spill stores at 4 warps
# and 0.6 KB / 0.13 KB at 8 (docs/bench/triton.md); benchmarks/gpu_check.py times both.
NUM_WARPS = 8


def available() -> bool:
    """Whether triton imports (the kernels exist); the device is the caller's question."""
    return triton is not None


def supports(model) -> bool:
    """The kernels' model: an MLP with two hidden layers of at most MAX_WIDTH units."""
    return isinstance(model, MLP) and len(model.hidden) == 2 and all(1 <= h <= MAX_WIDTH for h in model.hidden)


def _tile(n: int) -> int:
    return max(_MIN_TILE, 1 << max(n - 1, 0).bit_length())


def _constexprs(h1: int, h2: int, k: int, q: int, first_order: bool) -> dict:
    """The task kernel's compile-time arguments: packed size, widths, padded tiles, order."""
    return dict(P=2 * h1 + h1 * h2 + 2 * h2 + 1, H1=h1, H2=h2, H1P=_tile(h1), H2P=_tile(h2), KP=_tile(k),
                QP=_tile(q), FIRST_ORDER=first_order)


def compile_for(arch: int, dtype: str, hidden: tuple[int, int], k: int, q: int, first_order: bool = False,
                num_warps: int = NUM_WARPS):
    """Both kernels compiled for CUDA compute capability `arch` (90: H100/H200) without a GPU, down to a
    cubin: what the interpreter cannot show (the compiler's own checks, registers, shared memory).
    dtype: "fp32" or "fp64". Returns (task kernel, sum kernel)."""
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    if not hasattr(_task_kernel, "cache_key"):
        raise RuntimeError("TRITON_INTERPRET=1 was set when triton was imported: interpreted kernels do not compile")
    target = GPUTarget("cuda", arch, 32)
    consts = _constexprs(*hidden, k, q, first_order)
    sig = {n: "*" + dtype for n in ("theta", "xs", "ys", "xq", "yq", "lr_ptr", "out", "scratch")}
    sig.update(steps="i32", K="i32", Q="i32", **{c: "constexpr" for c in consts})
    task = triton.compile(ASTSource(_task_kernel, sig, consts), target=target, options={"num_warps": num_warps})
    sums = {"src": "*" + dtype, "dst": "*" + dtype, "T": "i32", "N": "i32", "BT": "constexpr", "BN": "constexpr"}
    total = triton.compile(ASTSource(_sum_tasks_kernel, sums, dict(BT=_SUM_TASKS, BN=_SUM_COLS)), target=target)
    return task, total


if triton is not None:

    @triton.jit
    def _mm(a, b):
        return tl.dot(a, b, input_precision="ieee")

    @triton.jit
    def _load_params(p, H1: tl.constexpr, H2: tl.constexpr, H1P: tl.constexpr, H2P: tl.constexpr):
        """Packed [w1 (H1), b1, W2 (H2 x H1), b2, w3 (H2), b3] as padded tiles."""
        j1 = tl.arange(0, H1P)
        j2 = tl.arange(0, H2P)
        m1 = j1 < H1
        m2 = j2 < H2
        w1 = tl.load(p + j1, mask=m1, other=0.0)
        b1 = tl.load(p + H1 + j1, mask=m1, other=0.0)
        W2 = tl.load(p + 2 * H1 + j2[:, None] * H1 + j1[None, :], mask=m2[:, None] & m1[None, :], other=0.0)
        o = 2 * H1 + H1 * H2
        b2 = tl.load(p + o + j2, mask=m2, other=0.0)
        w3 = tl.load(p + o + H2 + j2, mask=m2, other=0.0)
        b3 = tl.load(p + o + 2 * H2)
        return w1, b1, W2, b2, w3, b3

    @triton.jit
    def _store_params(p, w1, b1, W2, b2, w3, b3, H1: tl.constexpr, H2: tl.constexpr,
                      H1P: tl.constexpr, H2P: tl.constexpr):
        j1 = tl.arange(0, H1P)
        j2 = tl.arange(0, H2P)
        m1 = j1 < H1
        m2 = j2 < H2
        tl.store(p + j1, w1, mask=m1)
        tl.store(p + H1 + j1, b1, mask=m1)
        tl.store(p + 2 * H1 + j2[:, None] * H1 + j1[None, :], W2, mask=m2[:, None] & m1[None, :])
        o = 2 * H1 + H1 * H2
        tl.store(p + o + j2, b2, mask=m2)
        tl.store(p + o + H2 + j2, w3, mask=m2)
        tl.store(p + o + 2 * H2, b3)

    @triton.jit
    def _forward(x, w1, b1, W2, b2, w3, b3):
        """Layer inputs h1 (N, H1P), h2 (N, H2P) and the output (N,); ReLU's mask is h > 0."""
        h1 = tl.maximum(x[:, None] * w1[None, :] + b1[None, :], 0.0)
        h2 = tl.maximum(_mm(h1, tl.trans(W2)) + b2[None, :], 0.0)
        out = tl.sum(h2 * w3[None, :], axis=1) + b3
        return h1, h2, out

    @triton.jit
    def _backward(x, h1, h2, W2, w3, d3):
        """Gradients from d3 = dL/dout (zero on padded rows), and the hidden layers' output gradients."""
        gw3 = tl.sum(d3[:, None] * h2, axis=0)
        gb3 = tl.sum(d3, axis=0)
        d2 = tl.where(h2 > 0, d3[:, None] * w3[None, :], 0.0)
        gW2 = _mm(tl.trans(d2), h1)
        gb2 = tl.sum(d2, axis=0)
        d1 = tl.where(h1 > 0, _mm(d2, W2), 0.0)
        gw1 = tl.sum(d1 * x[:, None], axis=0)
        gb1 = tl.sum(d1, axis=0)
        return gw1, gb1, gW2, gb2, gw3, gb3, d2

    @triton.jit
    def _hvp(x, rows, c, h1, h2, W2, w3, d3, d2, V1, c1, V2, c2, v3, c3):
        """H v of the support MSE (c = 2 / K) at the cached point, for the direction v = (V1, ..., c3):
        a forward R-sweep (R of each pre-activation), then back through the layers."""
        r1 = tl.where(h1 > 0, x[:, None] * V1[None, :] + c1[None, :], 0.0)  # R h1
        r2 = tl.where(h2 > 0, _mm(h1, tl.trans(V2)) + c2[None, :] + _mm(r1, tl.trans(W2)), 0.0)  # R h2
        rz = tl.sum(h2 * v3[None, :] + r2 * w3[None, :], axis=1) + c3
        e3 = tl.where(rows, c * rz, 0.0)  # R of dL/dout
        hw3 = tl.sum(e3[:, None] * h2 + d3[:, None] * r2, axis=0)
        hb3 = tl.sum(e3, axis=0)
        e2 = tl.where(h2 > 0, e3[:, None] * w3[None, :] + d3[:, None] * v3[None, :], 0.0)
        hW2 = _mm(tl.trans(e2), h1) + _mm(tl.trans(d2), r1)
        hb2 = tl.sum(e2, axis=0)
        e1 = tl.where(h1 > 0, _mm(e2, W2) + _mm(d2, V2), 0.0)
        hw1 = tl.sum(e1 * x[:, None], axis=0)
        hb1 = tl.sum(e1, axis=0)
        return hw1, hb1, hW2, hb2, hw3, hb3

    @triton.jit
    def _task_kernel(theta, xs, ys, xq, yq, lr_ptr, out, scratch, steps, K, Q,
                     P: tl.constexpr, H1: tl.constexpr, H2: tl.constexpr, H1P: tl.constexpr,
                     H2P: tl.constexpr, KP: tl.constexpr, QP: tl.constexpr, FIRST_ORDER: tl.constexpr):
        """One task: its meta-gradient contribution to out[t, :P] and its share of the loss to out[t, P]."""
        t = tl.program_id(0).to(tl.int64)
        kk = tl.arange(0, KP)
        srows = kk < K
        x = tl.load(xs + t * K + kk, mask=srows, other=0.0)
        y = tl.load(ys + t * K + kk, mask=srows, other=0.0)
        lr = tl.load(lr_ptr)
        zero = tl.zeros([], dtype=x.dtype)  # the scales in the data's precision (a bare 2.0 / K is float32)
        c = 2.0 / (K + zero)
        loss_scale = 1.0 / (Q * tl.num_programs(0) + zero)
        w1, b1, W2, b2, w3, b3 = _load_params(theta, H1, H2, H1P, H2P)
        for s in range(steps):
            if not FIRST_ORDER:  # the way back needs the weights each step started from
                _store_params(scratch + (t * steps + s) * P, w1, b1, W2, b2, w3, b3, H1, H2, H1P, H2P)
            h1, h2, o = _forward(x, w1, b1, W2, b2, w3, b3)
            d3 = tl.where(srows, c * (o - y), 0.0)
            gw1, gb1, gW2, gb2, gw3, gb3, d2 = _backward(x, h1, h2, W2, w3, d3)
            w1 -= lr * gw1
            b1 -= lr * gb1
            W2 -= lr * gW2
            b2 -= lr * gb2
            w3 -= lr * gw3
            b3 -= lr * gb3
        qq = tl.arange(0, QP)
        qrows = qq < Q
        xqt = tl.load(xq + t * Q + qq, mask=qrows, other=0.0)
        yqt = tl.load(yq + t * Q + qq, mask=qrows, other=0.0)
        # the query's activations under their own names: a loop below must not re-assign a
        # variable with another shape (K and Q points), which compiled Triton refuses
        q1, q2, qo = _forward(xqt, w1, b1, W2, b2, w3, b3)
        r = tl.where(qrows, qo - yqt, 0.0)
        loss = tl.sum(r * r, axis=0) * loss_scale
        v1, u1, V2, u2, v3, u3, _ = _backward(xqt, q1, q2, W2, w3, (2.0 * loss_scale) * r)
        if not FIRST_ORDER:
            tl.debug_barrier()  # the scratch rows written above, by other threads of this program
            for i in range(steps):
                s = steps - 1 - i
                w1, b1, W2, b2, w3, b3 = _load_params(scratch + (t * steps + s) * P, H1, H2, H1P, H2P)
                h1, h2, o = _forward(x, w1, b1, W2, b2, w3, b3)
                d3 = tl.where(srows, c * (o - y), 0.0)
                gw1, gb1, gW2, gb2, gw3, gb3, d2 = _backward(x, h1, h2, W2, w3, d3)
                hw1, hb1, hW2, hb2, hw3, hb3 = _hvp(x, srows, c, h1, h2, W2, w3, d3, d2, v1, u1, V2, u2, v3, u3)
                v1 -= lr * hw1
                u1 -= lr * hb1
                V2 -= lr * hW2
                u2 -= lr * hb2
                v3 -= lr * hw3
                u3 -= lr * hb3
        row = out + t * (P + 1)
        _store_params(row, v1, u1, V2, u2, v3, u3, H1, H2, H1P, H2P)
        tl.store(row + P, loss)

    @triton.jit
    def _sum_tasks_kernel(src, dst, T, N, BT: tl.constexpr, BN: tl.constexpr):
        """dst[n] = sum over t of src[t, n], in the same order at every call (no atomics)."""
        cols = tl.program_id(0) * BN + tl.arange(0, BN)
        cmask = cols < N
        acc = tl.zeros([BN], dtype=dst.dtype.element_ty)
        for t0 in range(0, T, BT):
            rows = t0 + tl.arange(0, BT)
            tile = tl.load(src + rows[:, None].to(tl.int64) * N + cols[None, :],
                           mask=(rows[:, None] < T) & cmask[None, :], other=0.0)
            acc += tl.sum(tile, axis=0)
        tl.store(dst + cols, acc, mask=cmask)


@torch.no_grad()
def meta_grad(model: MLP, params: Params, xs, ys, xq, yq, lr, steps: int, first_order: bool = False,
              num_warps: int = NUM_WARPS):
    """As core.engine.meta_grad for MAML (a float or 0-d tensor rate): (mean query MSE, grads
    w.r.t. the unbatched init, None). Needs triton and a model that supports() accepts."""
    if triton is None:
        raise RuntimeError("triton is not installed")
    if not supports(model):
        raise ValueError(f"the Triton MAML kernels need an MLP 1-H1-H2-1 with H <= {MAX_WIDTH}, not {model.sizes}")
    if isinstance(lr, dict):
        raise ValueError("the Triton MAML kernels take one inner rate, not per-entry rates")
    h1, h2 = model.hidden
    theta = torch.cat([params[n].reshape(-1) for pair in model.names for n in pair])
    dtype, device = theta.dtype, theta.device
    n_params = theta.numel()
    tasks, k = xs.shape
    q = xq.shape[1]
    if isinstance(lr, torch.Tensor):  # a device tensor the CUDA graph reads at replay: no host read
        rate = lr.reshape(1).to(dtype)
    else:
        rate = torch.full((1,), float(lr), dtype=dtype, device=device)
    rows = torch.empty(tasks, n_params + 1, dtype=dtype, device=device)
    keep = not first_order and steps > 0
    scratch = torch.empty(tasks * steps * n_params if keep else 1, dtype=dtype, device=device)
    args = [t.to(dtype).contiguous() for t in (xs, ys, xq, yq)]
    _task_kernel[(tasks,)](theta, *args, rate, rows, scratch, steps, k, q,
                           **_constexprs(h1, h2, k, q, not keep), num_warps=num_warps)
    total = torch.empty(n_params + 1, dtype=dtype, device=device)
    _sum_tasks_kernel[(triton.cdiv(n_params + 1, _SUM_COLS),)](rows, total, tasks, n_params + 1,
                                                               BT=_SUM_TASKS, BN=_SUM_COLS)
    grads: Params = {}
    at = 0
    for pair in model.names:
        for name in pair:
            size = params[name].numel()
            grads[name] = total[at:at + size].view(params[name].shape)
            at += size
    return total[n_params], grads, None
