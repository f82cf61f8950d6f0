"""Meta-gradients of the MLP by hand: forward, backward and Hessian-vector products, no autograd.

For MAML with S inner steps, phi_{s+1} = phi_s - alpha * g_s, the meta-gradient is
    v_S = grad L_query(phi_S),   v_s = v_{s+1} - alpha * H_s v_{s+1},   meta-grad = mean_t v_0
with H_s the support loss's Hessian at phi_s. H v comes from Pearlmutter's R-operator: one
forward-mode sweep through the forward and backward passes (ReLU's second derivative is 0
almost everywhere, so the masks are constants). Everything is batched over the tasks
(leading dim T) and runs as a few dozen tensor ops, which on this tiny model is what
decides speed: autograd's bookkeeping costs more than the arithmetic. Checked against
autograd and the per-task reference in tests/core/test_analytic.py.
"""
from __future__ import annotations

import torch

from core.models import MLP, Params, affine, input_grad, weight_grad


def _unpack(model: MLP, params: Params):
    return [params[w] for w, _ in model.names], [params[b] for _, b in model.names]


def _forward(Ws, bs, x):
    """Output (T, N, 1), layer inputs hs[l] (hs[0] = x) and ReLU masks."""
    h = x.unsqueeze(-1)
    hs, masks = [h], []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = affine(h, W, b)
        if i == len(Ws) - 1:
            return z, hs, masks
        h = torch.relu(z)
        m = torch.sign(h)  # ReLU's derivative as a float 0/1 mask, in one op
        masks.append(m)
        hs.append(h)


def _backward(Ws, hs, masks, d):
    """Gradients from d = dL/dout; also each layer's output gradient ds[l] (for H v)."""
    n = len(Ws)
    gW, gb, ds = [None] * n, [None] * n, [None] * n
    for i in range(n - 1, -1, -1):
        ds[i] = d
        gW[i] = weight_grad(d, hs[i])
        gb[i] = d.sum(1)
        if i > 0:
            d = input_grad(d, Ws[i]) * masks[i - 1]
    return gW, gb, ds


def _hvp(Ws, hs, masks, ds, Vs, cs, n_points: int):
    """H v of the MSE at the cached point, for the direction v = (Vs, cs)."""
    n = len(Ws)
    Rh, Rhs = None, [None]
    for i in range(n):
        Rz = affine(hs[i], Vs[i], cs[i])
        if Rh is not None:
            Rz = Rz + torch.bmm(Rh, Ws[i].transpose(1, 2))
        if i < n - 1:
            Rh = Rz * masks[i]
            Rhs.append(Rh)
    Rd = (2.0 / n_points) * Rz
    HW, Hb = [None] * n, [None] * n
    for i in range(n - 1, -1, -1):
        HW[i] = weight_grad(Rd, hs[i])
        if Rhs[i] is not None:
            HW[i] = HW[i] + weight_grad(ds[i], Rhs[i])
        Hb[i] = Rd.sum(1)
        if i > 0:
            Rd = (input_grad(Rd, Ws[i]) + input_grad(ds[i], Vs[i])) * masks[i - 1]
    return HW, Hb


def _step(p, a, g, scalar: bool):
    return torch.add(p, g, alpha=-a) if scalar else p - a * g


@torch.no_grad()
def meta_grad(model: MLP, params: Params, xs, ys, xq, yq, lr, steps: int, first_order: bool = False):
    """Mean query MSE after `steps` inner SGD steps, and its gradient w.r.t. the (unbatched) init.

    lr: a float or 0-d tensor (MAML), or a dict of per-entry rates (Meta-SGD), in which case
    the gradient w.r.t. the rates is returned too. Returns (loss, grads, lr_grads or None).
    """
    T = xs.shape[0]
    Ws, bs = _unpack(model, params)
    Ws = [W.expand(T, *W.shape) for W in Ws]
    bs = [b.expand(T, *b.shape) for b in bs]
    per_entry = isinstance(lr, dict)
    if per_entry:
        lW, lb = _unpack(model, lr)
    else:
        lW = lb = [lr] * len(Ws)
    scalar = isinstance(lr, (int, float))  # a Python float folds into add(alpha=...): fewer ops
    caches = []
    for _ in range(steps):
        out, hs, masks = _forward(Ws, bs, xs)
        d = (2.0 / xs.shape[1]) * (out.squeeze(-1) - ys).unsqueeze(-1)
        gW, gb, ds = _backward(Ws, hs, masks, d)
        caches.append((Ws, hs, masks, ds, gW, gb))
        Ws = [_step(W, a, g, scalar) for W, a, g in zip(Ws, lW, gW)]
        bs = [_step(b, a, g, scalar) for b, a, g in zip(bs, lb, gb)]
    out, hs, masks = _forward(Ws, bs, xq)
    r = out.squeeze(-1) - yq
    loss = (r * r).mean()
    vW, vb, _ = _backward(Ws, hs, masks, (2.0 / (xq.shape[1] * T)) * r.unsqueeze(-1))
    lr_gW = lr_gb = None
    if per_entry:
        lr_gW = [torch.zeros_like(a) for a in lW]
        lr_gb = [torch.zeros_like(a) for a in lb]
    for Wc, hsc, mc, dsc, gW, gb in reversed(caches):
        if per_entry:  # d loss / d lr = -g_s * v_{s+1}, summed over tasks
            lr_gW = [acc - (g * v).sum(0) for acc, g, v in zip(lr_gW, gW, vW)]
            lr_gb = [acc - (g * v).sum(0) for acc, g, v in zip(lr_gb, gb, vb)]
        if first_order:
            continue
        if scalar:  # v - a H v
            HW, Hb = _hvp(Wc, hsc, mc, dsc, vW, vb, xs.shape[1])
            vW = [torch.add(v, h, alpha=-lr) for v, h in zip(vW, HW)]
            vb = [torch.add(v, h, alpha=-lr) for v, h in zip(vb, Hb)]
        else:  # v - H (a * v); H is symmetric
            HW, Hb = _hvp(Wc, hsc, mc, dsc, [a * v for a, v in zip(lW, vW)],
                          [a * v for a, v in zip(lb, vb)], xs.shape[1])
            vW = [v - h for v, h in zip(vW, HW)]
            vb = [v - h for v, h in zip(vb, Hb)]
    grads = {}
    for (w, b), gw, gbias in zip(model.names, vW, vb):
        grads[w], grads[b] = gw.sum(0), gbias.sum(0)
    lr_grads = None
    if per_entry:
        lr_grads = {}
        for (w, b), gw, gbias in zip(model.names, lr_gW, lr_gb):
            lr_grads[w], lr_grads[b] = gw, gbias
    return loss, grads, lr_grads
