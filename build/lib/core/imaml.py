"""iMAML (Rajeswaran et al. 2019): implicit meta-gradients through a proximal inner problem.

Each task adapts to  phi = argmin_phi  L_support(phi) + (lam / 2) ||phi - theta||^2,
approximated by `steps` gradient steps from theta. At the optimum, d phi / d theta =
(I + H / lam)^-1 with H the support loss's Hessian at phi, so the meta-gradient is
    g = (I + H / lam)^-1  grad L_query(phi)
whatever path the inner solver took: memory does not grow with the inner steps. The
linear system is solved per task, batched: directly for tiny models (the two-parameter
model's 2x2), else by a few conjugate-gradient iterations with Hessian-vector products.
"""
from __future__ import annotations

import torch

from core import analytic
from core.models import MLP, Params, detach, expand

CG_ITERATIONS = 10
DIRECT_MAX = 16  # solve directly when a task has at most this many parameters


def prox_adapt(model, theta: Params, x, y, lr, steps: int, lam: float) -> Params:
    """Gradient steps on support loss + (lam/2)||phi - theta||^2, from theta (batched, no graph)."""
    with torch.no_grad():
        phi = dict(theta)
        for _ in range(steps):
            _, g = model.loss_grad(phi, x, y)
            phi = {k: v - lr * (g[k] + lam * (v - theta[k])) for k, v in phi.items()}
    return phi


def hvp_at(model, params: Params, x, y):
    """A function v -> H v at params: the MLP's hand-derived R-op, else autograd."""
    if isinstance(model, MLP):
        Ws, bs = analytic._unpack(model, params)
        out, hs, masks = analytic._forward(Ws, bs, x)
        d = (2.0 / x.shape[1]) * (out.squeeze(-1) - y).unsqueeze(-1)
        _, _, ds = analytic._backward(Ws, hs, masks, d)

        def mlp_hvp(v: Params) -> Params:
            Vs, cs = analytic._unpack(model, v)
            HW, Hb = analytic._hvp(Ws, hs, masks, ds, Vs, cs, x.shape[1])
            out = {}
            for (w, b), hw, hb in zip(model.names, HW, Hb):
                out[w], out[b] = hw, hb
            return out
        return mlp_hvp
    return lambda v: hvp(model, params, x, y, v)


def hvp(model, params: Params, x, y, v: Params) -> Params:
    """H v of each task's support loss (batched): autograd through the closed-form gradient."""
    with torch.enable_grad():
        p = {k: t.detach().requires_grad_(True) for k, t in params.items()}
        _, g = model.loss_grad(p, x, y)
        dot = sum((g[k] * v[k]).sum() for k in p)
        return dict(zip(p, torch.autograd.grad(dot, list(p.values()))))


def _dot(a: Params, b: Params) -> torch.Tensor:
    """Per-task inner product, shape (T,)."""
    return sum((a[k] * b[k]).flatten(1).sum(1) for k in a)


def _scale(s: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    return s.view(-1, *([1] * (v.dim() - 1))) * v


def solve(model, phi: Params, x, y, b: Params, lam: float, iterations: int = CG_ITERATIONS) -> Params:
    """(I + H/lam)^-1 b for every task: a direct solve for tiny models, else conjugate gradients."""
    n = sum(v[0].numel() for v in b.values())
    if n <= DIRECT_MAX:
        return _direct(model, phi, x, y, b, lam)
    H = hvp_at(model, phi, x, y)

    def A(v):
        hv = H(v)
        return {k: v[k] + hv[k] / lam for k in v}

    sol = {k: torch.zeros_like(t) for k, t in b.items()}
    r = dict(b)
    p = dict(b)
    rr = _dot(r, r)
    for _ in range(iterations):
        Ap = A(p)
        curv = _dot(p, Ap)
        # The MLP's support loss is not convex, so I + H/lam can have negative curvature along p;
        # a task that meets it (or has converged) stops where it is: the steepest-descent-safe choice.
        live = (curv > 1e-12 * _dot(p, p)) & (rr > 1e-30)
        alpha = torch.where(live, rr / torch.where(live, curv, torch.ones_like(curv)), torch.zeros_like(rr))
        sol = {k: sol[k] + _scale(alpha, p[k]) for k in sol}
        r = {k: r[k] - _scale(alpha, Ap[k]) for k in r}
        rr_new = _dot(r, r)
        beta = torch.where(live, rr_new / rr.clamp_min(1e-30), torch.zeros_like(rr))
        p = {k: r[k] + _scale(beta, p[k]) for k in p}
        rr = rr_new
    return sol


def _direct(model, phi: Params, x, y, b: Params, lam: float) -> Params:
    """Build each task's (I + H/lam) column by column with H v on basis vectors; solve it."""
    keys = list(b)
    shapes = [b[k].shape[1:] for k in keys]
    sizes = [b[k][0].numel() for k in keys]
    T, n = next(iter(b.values())).shape[0], sum(sizes)
    flat_b = torch.cat([b[k].reshape(T, -1) for k in keys], 1)
    cols = []
    for j in range(n):
        e = torch.zeros(T, n, dtype=flat_b.dtype, device=flat_b.device)
        e[:, j] = 1
        parts = dict(zip(keys, (c.reshape(T, *s) for c, s in zip(e.split(sizes, 1), shapes))))
        hv = hvp(model, phi, x, y, parts)
        cols.append(torch.cat([hv[k].reshape(T, -1) for k in keys], 1))
    H = torch.stack(cols, 2)
    A = torch.eye(n, dtype=H.dtype, device=H.device) + H / lam
    sol = torch.linalg.solve(A, flat_b)
    return dict(zip(keys, (c.reshape(T, *s) for c, s in zip(sol.split(sizes, 1), shapes))))


def meta_grad(model, params: Params, xs, ys, xq, yq, lr, steps: int, lam: float):
    """Mean query loss at the proximal solution and the implicit meta-gradient (mean over tasks)."""
    T = xs.shape[0]
    theta = expand(detach(params), T)
    phi = prox_adapt(model, theta, xs, ys, lr, steps, lam)
    with torch.no_grad():
        loss_q, gq = model.loss_grad(phi, xq, yq)
    with torch.no_grad():
        g = solve(model, phi, xs, ys, gq, lam)
    return loss_q.mean(), {k: v.mean(0) for k, v in g.items()}
