"""The MLP's meta-gradient in the fewest, biggest ops: the CPU training step of the MLP.

The same mathematics as core.analytic (forward, backward, Pearlmutter's R-operator for the
Hessian-vector products, no autograd), arranged for speed, because on this tiny model the
number of kernel calls and the shape of the matmuls decide the time, not the FLOPs:
- each layer is one augmented matrix [W | b] and each activation carries a column of ones
  (preallocated buffers, written with out=), so a weight and its bias are one matmul, one
  gradient, one SGD update: no bias sums, adds or broadcasts;
- wherever a layer's weights are still the init theta (the first inner step's forward and
  backward, the last Hessian-vector product) all T*N points go through ONE 2-D matmul,
  about twice the FLOP rate of a batched one, with no (T, out, in) copy of the weights; a
  per-task tensor is made only where a task's own weights or directions are needed;
- gradients that are only summed over the tasks (the meta-gradient, FOMAML's, the last H v)
  are one matmul over all points, accumulated in place (addmm's alpha and beta carry the
  learning rate and the loss scale);
- ReLU's derivative is threshold_backward on the cached activations: no mask tensors.
No host syncs, so a CUDA graph can capture it (the learning rate may be a 0-d device tensor).
Checked against core.analytic, the unrolled autograd reference and finite differences in
tests/core/test_engine.py.
"""
from __future__ import annotations

import threading

import torch

from core.models import MLP, Params

# From this many tasks up the shared-weight matmuls win; below, core.analytic's fewer, per-task
# ops do. Per call on one CPU thread, MLP 1-40-40-1 (p10 of 40 calls, loaded box): 25 tasks
# analytic 0.9 ms, engine 1.15; 40: about even (1.3); 56: 3.5 against 1.5 (analytic's batched
# matmuls slow down sharply between 40 and 56 tasks); 100: 28 to 45 against 2.6.
MIN_TASKS = 40

_relu_grad = torch.ops.aten.threshold_backward.default
_relu_grad_out = torch.ops.aten.threshold_backward.grad_input


class _Buffers(threading.local):
    """Activation buffers whose last column is a constant (1 for inputs, 0 for R-activations),
    kept per thread and shape so that the constant column is written once.

    On the CPU only the latest call's shapes are kept (a window whose meta-batch slider moves
    would otherwise pile up buffers); on a GPU every shape's stay, because a captured CUDA graph
    (core.fast.GraphStepper keeps one per shape) writes into them at every replay."""

    def __init__(self):
        self.store: dict[tuple, torch.Tensor] = {}
        self.signature = None

    def begin(self, signature: tuple, device: torch.device) -> None:
        if signature != self.signature and device.type == "cpu":
            self.store.clear()
        self.signature = signature

    def get(self, role, shape, like: torch.Tensor, fill: float) -> torch.Tensor:
        key = (role, shape, like.dtype, like.device)
        buf = self.store.get(key)
        if buf is None:
            buf = torch.full(shape, fill, dtype=like.dtype, device=like.device)
            self.store[key] = buf
        return buf


_BUFFERS = _Buffers()


def _rows(t: torch.Tensor) -> torch.Tensor:
    return t.reshape(-1, t.shape[-1])


def _fwd(h, a):
    """h (T, N, in) @ a^T: a (out, in) shared by all tasks (one 2-D matmul) or (T, out, in)."""
    t, n, width = h.shape
    if width == 2:  # the first layer, [x, 1]: x * w + b, an outer product (a matmul of depth 2 is slow)
        if a.dim() == 2:
            return torch.addcmul(a[:, 1], h[..., :1], a[:, 0])
        return torch.addcmul(a[:, None, :, 1], h[..., :1], a[:, None, :, 0])
    if a.dim() == 2:
        return torch.mm(_rows(h), a.t()).view(t, n, -1)
    return torch.bmm(h, a.transpose(1, 2))


def _fwd_add(acc, h, a, scale: float = 1.0):
    """scale * (acc + h @ a^T)."""
    t, n, _ = h.shape
    if a.dim() == 2:
        return torch.addmm(_rows(acc), _rows(h), a.t(), beta=scale, alpha=scale).view(t, n, -1)
    return torch.baddbmm(acc, h, a.transpose(1, 2), beta=scale, alpha=scale)


def _bwd(d, w):
    """d @ w: (T, N, out) back to (T, N, in)."""
    t, n, fan_out = d.shape
    if fan_out == 1:  # the last layer: an outer product
        return d * w
    if w.dim() == 2:
        return torch.mm(_rows(d), w).view(t, n, -1)
    return torch.bmm(d, w)


def _bwd_add(acc, d, w):
    """acc + d @ w."""
    t, n, fan_out = d.shape
    if fan_out == 1:
        return torch.addcmul(acc, d, w)
    if w.dim() == 2:
        return torch.addmm(_rows(acc), _rows(d), w).view(t, n, -1)
    return torch.baddbmm(acc, d, w)


def _grad(d, h, per_task: bool, acc=None, alpha: float = 1.0):
    """acc + alpha * d^T h: per task (T, out, in+1), or summed over the tasks (out, in+1)."""
    if per_task:
        if acc is None:
            if h.shape[-1] == 2:  # the first layer: h^T d is the fast orientation of this thin product
                g = torch.bmm(h.transpose(1, 2), d).transpose(1, 2)
            else:
                g = torch.bmm(d.transpose(1, 2), h)
            return g if alpha == 1.0 else g * alpha
        return torch.baddbmm(acc, d.transpose(1, 2), h, alpha=alpha)
    if acc is None:
        return torch.mm(_rows(d).t(), _rows(h)) if alpha == 1.0 else torch.mm(_rows(d).t(), _rows(h)) * alpha
    return torch.addmm(acc, _rows(d).t(), _rows(h), alpha=alpha)


def _forward(layers, x, role):
    """Inputs of every layer with their ones column, hs[0] = [x, 1], hs[i] = [relu(z[i-1]), 1],
    and the pre-activations zs (contiguous: ReLU's derivative reads them, not the strided hs)."""
    t, n = x.shape
    h = _BUFFERS.get((role, 0), (t, n, 2), x, 1.0)
    h[..., 0].copy_(x)
    hs, zs = [h], [None]
    for i, a in enumerate(layers[:-1]):
        z = _fwd(h, a)
        h = _BUFFERS.get((role, i + 1), (t, n, z.shape[-1] + 1), x, 1.0)
        torch.clamp_min(z, 0, out=h[..., :-1])
        hs.append(h)
        zs.append(z)
    return hs, zs


def _output_grad(h, a, y, c: float):
    """c * (h @ a^T - y): the last layer fused with the MSE's gradient (c = 2 / points)."""
    t, n, _ = h.shape
    y = y.reshape(t, n, 1)
    if a.dim() == 2:
        return torch.addmm(_rows(y), _rows(h), a.t(), beta=-c, alpha=c).view(t, n, 1)
    return torch.baddbmm(y, h, a.transpose(1, 2), beta=-c, alpha=c)


def _backward(ws, hs, zs, d, per_task: bool):
    """Each layer's [dW | db] from d = dL/dout, and each layer's output gradient ds[i]
    (ws: the layers without their bias column)."""
    n = len(ws)
    gs, ds = [None] * n, [None] * n
    for i in range(n - 1, -1, -1):
        ds[i] = d
        gs[i] = _grad(d, hs[i], per_task)
        if i > 0:
            d = _relu_grad(_bwd(d, ws[i]), zs[i], 0)
    return gs, ds


def _hvp(layers, ws, hs, zs, ds, dirs, c: float, accs, alpha: float, per_task: bool):
    """accs + alpha * H v for per-task directions v (dirs): H the support MSE's Hessian at the
    cached point (c = 2 / K), by one forward and one backward R-sweep. Per task, or summed."""
    n = len(layers)
    t, m, _ = hs[0].shape
    rhs = [None]
    rz = None
    for i in range(n):
        z = _fwd(hs[i], dirs[i])
        if i == 0:
            rz = z
        else:
            rz = _fwd_add(z, rhs[i], layers[i], scale=c if i == n - 1 else 1.0)  # 0 column: no bias
        if i < n - 1:
            rh = _BUFFERS.get(("r", i + 1), (t, m, rz.shape[-1] + 1), rz, 0.0)
            _relu_grad_out(rz, zs[i + 1], 0, grad_input=rh[..., :-1])
            rhs.append(rh)
    rd = rz if n > 1 else rz * c  # the c of one layer alone is not folded in
    out = [None] * n
    for i in range(n - 1, -1, -1):
        g = _grad(rd, hs[i], per_task, accs[i], alpha)
        out[i] = g if i == 0 else _grad(ds[i], rhs[i], per_task, g, alpha)
        if i > 0:
            rd = _relu_grad(_bwd_add(_bwd(ds[i], dirs[i][..., :-1]), rd, ws[i]), zs[i], 0)
    return out


def _augment(model: MLP, p: Params):
    return [torch.cat([p[w], p[b].unsqueeze(-1)], -1) for w, b in model.names]


def _split(model: MLP, mats) -> Params:
    out: Params = {}
    for (w, b), m in zip(model.names, mats):
        out[w], out[b] = m[..., :-1].contiguous(), m[..., -1].contiguous()
    return out


def _sgd(p, g, lr, per_entry_or_tensor: bool):
    """p - lr * g, lr a Python float, a 0-d tensor or per-entry rates (broadcast over tasks)."""
    if per_entry_or_tensor:
        return torch.addcmul(p, g, lr, value=-1.0)
    return torch.add(p, g, alpha=-lr)


@torch.no_grad()
def meta_grad(model: MLP, params: Params, xs, ys, xq, yq, lr, steps: int, first_order: bool = False):
    """As core.analytic.meta_grad: (mean query MSE, grads w.r.t. the unbatched init, and the
    per-entry rates' grads when lr is a dict of them, else None)."""
    _BUFFERS.begin((xs.shape, xq.shape, xs.dtype, xs.device), xs.device)
    layers = _augment(model, params)
    per_entry = isinstance(lr, dict)
    rate_float = isinstance(lr, (int, float))
    rates = _augment(model, lr) if per_entry else [lr] * len(layers)
    k = xs.shape[1]
    c = 2.0 / k
    caches = []
    for s in range(steps):
        hs, zs = _forward(layers, xs, ("s", s))
        d = _output_grad(hs[-1], layers[-1], ys, c)
        ws = [a[..., :-1] for a in layers]
        gs, ds = _backward(ws, hs, zs, d, per_task=True)
        caches.append((layers, ws, hs, zs, ds, gs if per_entry else None))  # gs: only for the rates' grads
        layers = [_sgd(a, g, r, not rate_float) for a, g, r in zip(layers, gs, rates)]
        del gs
    # per-task directions are needed to step back through H (second order) or for the rates' grads
    tasks_v = per_entry or (steps > 0 and not first_order)
    hs, zs = _forward(layers, xq, "q")
    cq = 2.0 / yq.numel()
    d = _output_grad(hs[-1], layers[-1], yq, cq)
    loss = torch.dot(d.view(-1), d.view(-1)) * (1.0 / (cq * cq * yq.numel()))
    vs, _ = _backward([a[..., :-1] for a in layers], hs, zs, d, per_task=tasks_v)
    del layers, hs, zs, d  # the adapted weights: not needed on the way back (memory at large meta-batches)
    lr_gs = [torch.zeros_like(r) for r in rates] if per_entry else None
    for s in range(len(caches) - 1, -1, -1):
        cl, cws, chs, czs, cds, gs = caches[s]
        if per_entry:  # d loss / d lr = -sum_s sum_t g_s * v_{s+1}
            lr_gs = [acc - (g * v).sum(0) for acc, g, v in zip(lr_gs, gs, vs)]
        if first_order:
            continue
        last = s == 0  # from here only the sum over the tasks is needed: 2-D matmuls
        accs = [v.sum(0) for v in vs] if last else vs
        if per_entry:  # v - H (a * v): H is symmetric
            vs = _hvp(cl, cws, chs, czs, cds, [r * v for r, v in zip(rates, vs)], c, accs, -1.0, not last)
        elif rate_float:
            vs = _hvp(cl, cws, chs, czs, cds, vs, c, accs, -float(lr), not last)
        else:  # a 0-d tensor rate (CUDA graph): into the directions, no host read
            vs = _hvp(cl, cws, chs, czs, cds, [v * lr for v in vs], c, accs, -1.0, not last)
    if vs[0].dim() == 3:  # still per task: sum
        vs = [v.sum(0) for v in vs]
    return loss, _split(model, vs), (_split(model, lr_gs) if per_entry else None)
