"""The MLP's MAML meta-gradient written for a compiler to fuse (core.compiled runs it under inductor).

The mathematics of core.analytic (forward, backward, Pearlmutter's R-operator for H v, no
autograd), in plain functional tensor ops arranged so that the compiled program has few,
big matmuls and everything else folds into the loops around them:
- where a layer's weights are still the shared init (the first inner step and the last
  Hessian-vector product), all T*N points go through one 2-D matmul, not T small ones over
  an expanded copy; adapted hidden-to-hidden weights stay factored (LowRank: the init plus
  rank-K updates), never T out x in copies;
- a layer with one input or one output (the first and the last here) is elementwise work and
  a reduction, never a degenerate matmul of depth or width one;
- what is only summed over the tasks (the first step's H v, a first-order gradient) is one
  matmul over all points, not per-task products summed afterwards.
Eagerly this is slower than core.analytic (more, smaller ops); compiled it is the fast path.
The rate is a 0-d tensor, so that changing it reuses the compiled program. Checked against the
unrolled autograd reference in float64 in tests/core/test_fused.py.
"""
from __future__ import annotations

from contextvars import ContextVar

import torch


def _rows(t: torch.Tensor) -> torch.Tensor:
    return t.reshape(-1, t.shape[-1])


class LowRank:
    """Per-task weights kept factored: base + sum_j c_j D_j^T H_j, D_j (T, K, out), H_j (T, K, in).

    A per-task gradient of a layer over K points is rank K; with K below both fan-in and fan-out
    (10 against 40 here), products through the factors, (h H^T) D, cost less than forming T
    matrices of out x in and multiplying by them, and the shared base goes through one 2-D
    matmul over all T*N points. base is the shared (out, in) init or None; c a number or 0-d tensor.
    """

    __slots__ = ("base", "terms")

    def __init__(self, base: torch.Tensor | None, terms: list):
        self.base, self.terms = base, terms

    def scaled(self, c) -> LowRank:
        return LowRank(None if self.base is None else c * self.base, [(c * cj, d, h) for cj, d, h in self.terms])

    def dense(self) -> torch.Tensor:
        """The (T, out, in) per-task matrices (where a per-entry rate multiplies them)."""
        out = None
        for c, d, h in self.terms:
            term = c * _pmm(d.transpose(1, 2), h)
            out = term if out is None else out + term
        return out if self.base is None else self.base + out

    def task_sum(self, tasks: int) -> torch.Tensor:
        """Sum over the tasks, (out, in): the terms' factors side by side, one matmul over all points."""
        ds, hs = [c * d for c, d, _ in self.terms], [h for _, _, h in self.terms]
        ds, hs = (ds[0], hs[0]) if len(ds) == 1 else (torch.cat(ds, 1), torch.cat(hs, 1))
        out = torch.mm(_rows(ds).t(), _rows(hs))
        return out if self.base is None else tasks * self.base + out

    def right(self, h: torch.Tensor) -> torch.Tensor:
        """h (T, N, in) @ W^T per task."""
        t, n, _ = h.shape
        out = None if self.base is None else torch.mm(_rows(h), self.base.t()).view(t, n, -1)
        for c, d, hh in self.terms:
            term = _pmm(c * _pmm(h, hh.transpose(1, 2)), d)
            out = term if out is None else out + term
        return out

    def left(self, d: torch.Tensor) -> torch.Tensor:
        """d (T, N, out) @ W per task (back through the layer)."""
        t, n, _ = d.shape
        out = None if self.base is None else torch.mm(_rows(d), self.base).view(t, n, -1)
        for c, dd, h in self.terms:
            term = _pmm(c * _pmm(d, dd.transpose(1, 2)), h)
            out = term if out is None else out + term
        return out


# True while core.compiled traces this module: the per-task products (through rank-K factors, and
# Meta-SGD's dense per-task matrices) are then broadcast products and sums, which inductor folds
# into its C++ loops (as bmm, each would be an extern call of ~15 us at 25 tasks; Meta-SGD's step
# took 1.3-1.4x MAML's with its six bmm, 1.0-1.05x as loops); run eagerly they are bmm. A context
# variable: set in the compiling thread only.
LOOPS: ContextVar[bool] = ContextVar("fused_loops", default=False)


def _pmm(a, b):
    """Per-task a @ b: (T, n, k) @ (T, k, m)."""
    if LOOPS.get():
        return (a.unsqueeze(-1) * b.unsqueeze(1)).sum(2)
    return torch.bmm(a, b)


def _scale(a, v):
    """a * v: a a number, a 0-d tensor or a per-entry rate (which needs the dense matrices)."""
    if isinstance(v, LowRank):
        return v.scaled(a) if not isinstance(a, torch.Tensor) or a.dim() == 0 else a * v.dense()
    return a * v


def _sub(w, v):
    """w - v for dense tensors and LowRank weights (a shared base absorbs a shared dense w)."""
    if not isinstance(v, LowRank):
        return (w.dense() if isinstance(w, LowRank) else w) - v
    neg = v.scaled(-1.0)
    if isinstance(w, LowRank):
        base = w.base if neg.base is None else (neg.base if w.base is None else w.base + neg.base)
        return LowRank(base, w.terms + neg.terms)
    if w.dim() == 2:
        return LowRank(w if neg.base is None else w + neg.base, neg.terms)
    return w - v.dense()


def _add(w, v):
    if not isinstance(w, LowRank) and not isinstance(v, LowRank):
        return w + v
    return _sub(w, _scale(-1.0, v))


def _task_sum(v, tasks: int):
    return v.task_sum(tasks) if isinstance(v, LowRank) else v.sum(0)


def _dense(v):
    return v.dense() if isinstance(v, LowRank) else v


def _lin(h, w, b):
    """h (T, N, in) @ w^T + b; w (out, in) shared by the tasks, (T, out, in) or LowRank per task."""
    t, n, fan_in = h.shape
    if isinstance(w, LowRank):
        return w.right(h) + (b if b.dim() == 1 else b[:, None, :])
    shared = w.dim() == 2
    if fan_in == 1:
        return h * (w[:, 0] if shared else w[:, None, :, 0]) + (b if shared else b[:, None, :])
    if w.shape[-2] == 1:
        return (h * w).sum(-1, keepdim=True) + (b if shared else b[:, None, :])
    if shared:
        return torch.addmm(b, _rows(h), w.t()).view(t, n, -1)
    return _pmm(h, w.transpose(1, 2)) + b[:, None, :]


def _matmul_w(h, w):
    """h (T, N, in) @ w^T without a bias (the R-sweep through the weights)."""
    if isinstance(w, LowRank):
        return w.right(h)
    t, n, fan_in = h.shape
    shared = w.dim() == 2
    if fan_in == 1:
        return h * (w[:, 0] if shared else w[:, None, :, 0])
    if w.shape[-2] == 1:
        return (h * w).sum(-1, keepdim=True)
    if shared:
        return torch.mm(_rows(h), w.t()).view(t, n, -1)
    return _pmm(h, w.transpose(1, 2))


def _back(d, w):
    """d (T, N, out) @ w: back through a layer to its input."""
    if isinstance(w, LowRank):
        return w.left(d)
    t, n, fan_out = d.shape
    if fan_out == 1:
        return d * w  # (T, N, 1) * (1, in) or (T, 1, in)
    if w.dim() == 2:
        return torch.mm(_rows(d), w).view(t, n, -1)
    return _pmm(d, w)


def _wgrad(d, h, per_task: bool):
    """d^T h: per task (T, out, in), LowRank where the points are fewer than both fans, or
    summed over the tasks (out, in)."""
    fan_out, fan_in = d.shape[-1], h.shape[-1]
    if per_task:
        if fan_out == 1 or fan_in == 1:
            return (d.unsqueeze(-1) * h.unsqueeze(-2)).sum(1)
        if d.shape[1] < min(fan_out, fan_in):
            return LowRank(None, [(1.0, d, h)])
        return torch.bmm(d.transpose(1, 2), h)
    if fan_out == 1 or fan_in == 1:
        return (d.unsqueeze(-1) * h.unsqueeze(-2)).sum((0, 1))
    return torch.mm(_rows(d).t(), _rows(h))


def _bgrad(d, per_task: bool):
    return d.sum(1) if per_task else d.sum((0, 1))


def _forward(ws, bs, x):
    """Output (T, N, 1), each layer's input hs[i] (hs[0] = x) and the ReLU masks (float 0/1)."""
    h = x.unsqueeze(-1)
    hs, masks = [h], []
    for i, (w, b) in enumerate(zip(ws, bs)):
        z = _lin(h, w, b)
        if i == len(ws) - 1:
            return z, hs, masks
        h = torch.relu(z)
        masks.append((z > 0).to(z.dtype))
        hs.append(h)


def _backward(ws, hs, masks, d, per_task: bool, frozen: int = 0, stop: int = 0):
    """Gradients from d = dL/dout, and each layer's output gradient ds[i] (for H v). Layers below
    `frozen` (shared, never a direction) are summed over the tasks; below `stop` nothing is
    computed (None): the inner loop needs only the layers it adapts."""
    n = len(ws)
    gw, gb, ds = [None] * n, [None] * n, [None] * n
    for i in range(n - 1, stop - 1, -1):
        ds[i] = d
        own = per_task and i >= frozen
        gw[i] = _wgrad(d, hs[i], own)
        gb[i] = _bgrad(d, own)
        if i > stop:
            d = _back(d, ws[i]) * masks[i - 1]
    return gw, gb, ds


def _hvp(ws, hs, masks, ds, vw, vb, c: float, frozen: int = 0):
    """H v of the support MSE at the cached point (c = 2 / K) for per-task directions (vw, vb).
    Layers below `frozen` have no direction (ANIL's body): the R-sweep starts at `frozen`, and
    their rows of H v come summed over the tasks."""
    n = len(ws)
    rhs = [None] * n  # R{h_i}: zero up to and including layer `frozen`
    rz = None
    for i in range(frozen, n):
        rz = _lin(hs[i], vw[i], vb[i])
        if i > frozen:
            rz = rz + _matmul_w(rhs[i], ws[i])
        if i < n - 1:
            rhs[i + 1] = rz * masks[i]
    rd = c * rz
    hw, hb = [None] * n, [None] * n
    for i in range(n - 1, -1, -1):
        own = i >= frozen
        hw[i] = _wgrad(rd, hs[i], own)
        if i > frozen:
            hw[i] = _add(hw[i], _wgrad(ds[i], rhs[i], True))
        hb[i] = _bgrad(rd, own)
        if i > 0:
            back = _back(rd, ws[i])
            rd = (back + _back(ds[i], vw[i]) if own else back) * masks[i - 1]
    return hw, hb


def _frob(a, b):
    """Sum over the tasks and entries of a * b, per-task matrices dense or factored (a scalar
    rate's gradient: never forms the T out x in matrices of two factored ones)."""
    fa = isinstance(a, LowRank) and a.base is None
    fb = isinstance(b, LowRank) and b.base is None
    if fb and not fa:
        a, b, fa, fb = b, a, True, False
    if fa and fb:  # <D1^T H1, D2^T H2> = sum (D1 D2^T) * (H1 H2^T), K x K per task
        total = None
        for ca, da, ha in a.terms:
            for cb, db, hb in b.terms:
                term = ca * cb * (_pmm(da, db.transpose(1, 2)) * _pmm(ha, hb.transpose(1, 2))).sum()
                total = term if total is None else total + term
        return total
    if fa and not isinstance(b, LowRank):  # <D^T H, B> = sum D * (H B^T)
        total = None
        for c, d, h in a.terms:
            term = c * (d * _pmm(h, b.transpose(1, 2))).sum()
            total = term if total is None else total + term
        return total
    return (_dense(a) * _dense(b)).sum()


def meta_grad(ws: list[torch.Tensor], bs: list[torch.Tensor], xs, ys, xq, yq, lr: torch.Tensor | None,
              steps: int, first_order: bool = False, rates: tuple[list, list] | None = None,
              frozen: int = 0, rate_grad: bool = False):
    """Mean query MSE after `steps` inner SGD steps, and its gradient w.r.t. the shared init.

    The rate is lr (a 0-d tensor), or `rates`: per-entry (weight, bias) rate lists (Meta-SGD),
    whose gradients are then returned too. frozen: the inner loop adapts only the layers from
    this index up (ANIL: the last), the others stay the shared init (one matmul over all points,
    and no H v rows of their own). rate_grad: also d loss / d lr for the one rate (Alpha MAML),
    through the factors. Returns (loss, weight grads, bias grads, weight-rate grads, bias-rate
    grads), lists in layer order; with rate_grad the fourth is the 0-d d loss / d lr and the fifth
    None; without rates or rate_grad both None."""
    n = len(ws)
    t, k = xs.shape
    c = 2.0 / k
    per_entry = rates is not None
    lw, lb = rates if per_entry else ([lr] * n, [lr] * n)
    caches = []
    for _ in range(steps):
        out, hs, masks = _forward(ws, bs, xs)
        d = c * (out - ys.unsqueeze(-1))
        gw, gb, ds = _backward(ws, hs, masks, d, per_task=True, stop=frozen)
        if per_entry:  # a rate per entry needs the matrices: formed once, for the step and the rates' gradients
            gw = [None if g is None else _dense(g) for g in gw]
        caches.append((ws, hs, masks, ds, gw, gb))
        ws = ws[:frozen] + [_sub(w, _scale(a, g)) for w, a, g in zip(ws[frozen:], lw[frozen:], gw[frozen:])]
        bs = bs[:frozen] + [b - a * g for b, a, g in zip(bs[frozen:], lb[frozen:], gb[frozen:])]
    out, hs, masks = _forward(ws, bs, xq)
    r = out - yq.unsqueeze(-1)
    loss = (r * r).mean()
    # per-task directions: to step back through H (second order) or for the rates' gradients
    per_task = steps > 0 and (per_entry or rate_grad or not first_order)
    vw, vb, _ = _backward(ws, hs, masks, (2.0 / r.numel()) * r, per_task=per_task, frozen=frozen)
    rw = [torch.zeros_like(a) for a in lw] if per_entry else None
    rb = [torch.zeros_like(a) for a in lb] if per_entry else None
    d_rate = torch.zeros((), dtype=xs.dtype) if rate_grad else None
    for s in range(steps - 1, -1, -1):
        cws, chs, cmasks, cds, gw, gb = caches[s]
        # per entry, each v_{s+1} formed densely once: for the rates' gradient and the direction a * v
        dense_v = [None] * frozen + [_dense(v) for v in vw[frozen:]] if per_entry else vw
        if per_entry:  # d loss / d rate = -sum over tasks of g_s * v_{s+1}
            rw = rw[:frozen] + [acc - (_dense(g) * v).sum(0)
                                for acc, g, v in zip(rw[frozen:], gw[frozen:], dense_v[frozen:])]
            rb = rb[:frozen] + [acc - (g * v).sum(0) for acc, g, v in zip(rb[frozen:], gb[frozen:], vb[frozen:])]
        if rate_grad:  # the same summed over the entries
            for g, v, gg, vv in zip(gw[frozen:], vw[frozen:], gb[frozen:], vb[frozen:]):
                d_rate = d_rate - _frob(g, v) - (gg * vv).sum()
        if first_order:
            continue
        # v - H (a v): H is symmetric, so the rate goes into the direction. At the first step the
        # init is shared and only the sum over the tasks is needed: summed once, after v - H (a v)
        # (factored weights then make one matmul of it). Frozen layers' v is summed already.
        dw = [None] * frozen + [_scale(a, v) for a, v in zip(lw[frozen:], dense_v[frozen:])]
        db = [None] * frozen + [a * v for a, v in zip(lb[frozen:], vb[frozen:])]
        hw, hb = _hvp(cws, chs, cmasks, cds, dw, db, c, frozen)
        if s == 0:
            vw = [_sub(v, h) if i < frozen else _task_sum(_sub(v, h), t) for i, (v, h) in enumerate(zip(vw, hw))]
            vb = [v - h if i < frozen else (v - h).sum(0) for i, (v, h) in enumerate(zip(vb, hb))]
            per_task = False
        else:
            vw = [_sub(v, h) for v, h in zip(vw, hw)]
            vb = [v - h for v, h in zip(vb, hb)]
    if per_task:  # first order with rates: still per task (frozen layers summed already)
        vw = vw[:frozen] + [_task_sum(v, t) for v in vw[frozen:]]
        vb = vb[:frozen] + [v.sum(0) for v in vb[frozen:]]
    if rate_grad:
        return loss, vw, vb, d_rate, None
    return loss, vw, vb, rw, rb
