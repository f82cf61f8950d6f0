"""Functional models whose parameters carry a leading task dimension.

`forward(params, x)` maps x of shape (T, N) to predictions (T, N) with params of shape
(T, *shape): T tasks, each with its own copy of the weights, in one batched call.
`loss_grad` returns each task's MSE and its gradient in closed form (hand-written
backprop). It is built from differentiable tensor ops, so autograd can differentiate
*through* it: that is MAML's second-order meta-gradient, without the generic
double-backward that `autograd.grad(create_graph=True)` would record.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from core.modelnames import MODELS
from core.tasks import Family, get_family

Params = dict[str, torch.Tensor]


def affine(h: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Batched h @ w^T + b. A one-feature input (the first layer) is an outer product:
    one fused multiply-add, about 2.5x faster than a degenerate batched matmul on the CPU."""
    if h.shape[-1] == 1:
        return torch.addcmul(b.unsqueeze(1), h, w.transpose(1, 2))
    return torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))


def weight_grad(d: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """Batched d^T @ h: the weight gradient from output gradients d and layer inputs h."""
    if h.shape[-1] == 1:
        return (d * h).sum(1).unsqueeze(-1)
    return torch.bmm(d.transpose(1, 2), h)


def input_grad(d: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Batched d @ w: gradients back through a layer (an outer product for one output)."""
    if d.shape[-1] == 1:
        return d * w
    return torch.bmm(d, w)


def expand(params: Params, n: int) -> Params:
    """Broadcast unbatched meta-parameters to n tasks (a view: gradients sum back)."""
    return {k: v.expand(n, *v.shape) for k, v in params.items()}


def detach(params: Params) -> Params:
    return {k: v.detach() for k, v in params.items()}


@dataclass
class MLP:
    """The paper's regressor: 1 -> hidden -> ... -> 1 with ReLU.

    Parameter names are those of nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40),
    nn.ReLU(), nn.Linear(40, 1)), so a checkpoint loads into that module as it is.
    """

    hidden: tuple[int, ...] = (40, 40)
    name: str = field(default="mlp", init=False)

    @property
    def sizes(self) -> list[int]:
        return [1, *self.hidden, 1]

    @property
    def names(self) -> list[tuple[str, str]]:
        return [(f"{2 * i}.weight", f"{2 * i}.bias") for i in range(len(self.sizes) - 1)]

    def init(self, gen: torch.Generator | None = None, device="cpu") -> Params:
        """nn.Linear's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases."""
        params: Params = {}
        for (w, b), fan_in, fan_out in zip(self.names, self.sizes[:-1], self.sizes[1:]):
            bound = 1 / math.sqrt(fan_in)
            params[w] = (torch.rand(fan_out, fan_in, generator=gen, device=device) * 2 - 1) * bound
            params[b] = (torch.rand(fan_out, generator=gen, device=device) * 2 - 1) * bound
        return params

    def _layers(self, params: Params):
        return [(params[w], params[b]) for w, b in self.names]

    def forward(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        h = x.unsqueeze(-1)
        layers = self._layers(params)
        for i, (w, b) in enumerate(layers):
            h = affine(h, w, b)
            if i < len(layers) - 1:
                h = torch.relu(h)
        return h.squeeze(-1)

    def loss_grad(self, params: Params, x: torch.Tensor, y: torch.Tensor):
        """Per-task MSE (T,) and its gradient, by hand-written backprop through the batch."""
        layers = self._layers(params)
        hs, masks = [x.unsqueeze(-1)], []
        h = hs[0]
        for i, (w, b) in enumerate(layers):
            h = affine(h, w, b)
            if i < len(layers) - 1:
                masks.append(h > 0)  # ReLU's derivative: a constant, its own derivative is 0
                h = torch.relu(h)
                hs.append(h)
        r = h.squeeze(-1) - y
        loss = (r * r).mean(-1)
        d = (2.0 / x.shape[-1]) * r.unsqueeze(-1)  # dL/dpred, (T, N, 1)
        grads: Params = {}
        for i in range(len(layers) - 1, -1, -1):
            w_name, b_name = self.names[i]
            grads[w_name] = weight_grad(d, hs[i])
            grads[b_name] = d.sum(1)
            if i > 0:
                d = input_grad(d, layers[i][0]) * masks[i - 1]
        return loss, grads


@dataclass
class TwoParam:
    """The article's model: the family's own formula with two learned scalars a and b."""

    family: Family
    name: str = field(default="two-param", init=False)

    def init(self, gen: torch.Generator | None = None, device="cpu") -> Params:
        """a, b ~ N(0, 1), the article's random initialisation."""
        ab = torch.randn(2, generator=gen, device=device)
        return {"a": ab[0].clone(), "b": ab[1].clone()}

    def forward(self, params: Params, x: torch.Tensor) -> torch.Tensor:
        return self.family.f(params["a"].unsqueeze(-1), params["b"].unsqueeze(-1), x)

    def loss_grad(self, params: Params, x: torch.Tensor, y: torch.Tensor):
        a, b = params["a"].unsqueeze(-1), params["b"].unsqueeze(-1)
        name = self.family.name
        if name == "sinusoid":  # a sin(x - b)
            s = torch.sin(x - b)
            pred, da, db = a * s, s, -a * torch.cos(x - b)
        elif name == "sine-ab":  # a sin(x + b)
            s = torch.sin(x + b)
            pred, da, db = a * s, s, a * torch.cos(x + b)
        elif name == "linear":  # a x + b
            pred, da, db = a * x + b, x, torch.ones_like(x)
        else:
            raise ValueError(f"two-param model has no formula for {name!r}")
        r = pred - y
        loss = (r * r).mean(-1)
        scale = 2.0 / x.shape[-1]
        return loss, {"a": scale * (r * da).sum(-1), "b": scale * (r * db).sum(-1)}

    @torch.inference_mode()
    def sgd_curves(self, params: Params, x: torch.Tensor, y: torch.Tensor, grid: torch.Tensor, lr, steps: int):
        """One task's fit as the panels draw it: predictions on `grid` (steps + 1, G) before and after
        each of `steps` SGD steps on (x, y), and the (a, b) path (steps + 1, 2) for the parameter-space
        panel. params are unbatched; lr is a float or per-entry rates. (The MLP's panels fit by hand
        in numpy: core.curves.)"""
        p = {k: v.detach().reshape(1) for k, v in params.items()}
        x, y = x.reshape(1, -1), y.reshape(1, -1)
        path = [p]
        for _ in range(steps if x.shape[1] else 0):
            _, g = self.loss_grad(path[-1], x, y)
            path.append({k: v - (lr[k] if isinstance(lr, dict) else lr) * g[k] for k, v in path[-1].items()})
        path += [path[-1]] * (steps + 1 - len(path))
        a = torch.cat([q["a"] for q in path])
        b = torch.cat([q["b"] for q in path])
        preds = self.forward({"a": a, "b": b}, grid.expand(len(path), -1))
        return preds, torch.stack([a, b], 1).cpu().numpy().astype(np.float64)


def make_model(name: str, family: Family | str, hidden: tuple[int, ...] = (40, 40)):
    family = get_family(family) if isinstance(family, str) else family
    if name == "mlp":
        return MLP(tuple(hidden))
    if name == "two-param":
        return TwoParam(family)
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")


def mse(model, params: Params, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-task MSE (T,)."""
    r = model.forward(params, x) - y
    return (r * r).mean(-1)
