"""An MLP's fit to one task as the panels draw it, by hand in numpy: SGD on the support points,
the 200-point grid evaluated only at the step counts drawn.

The live trainer draws a meta-learned init's fit up to 60 times a second, in the process that
trains, so its cost is taken from training. A step on the support is ~20 tiny ops, which numpy
dispatches for less than torch; the parameters sit in one flat buffer (a step's update is one op,
a scalar rate is folded into the output gradient), and the 200-point grid is evaluated once, for
every drawn count together, after the steps (it is most of the arithmetic). The same arithmetic as
SGD on `MLP.forward`'s MSE, in the parameters' own precision; checked against autograd in float64
in tests/core/test_snapshots.py. Measured in the trainer: docs/bench/live_vs_headless.txt.
"""
from __future__ import annotations

import math

import numpy as np
import torch


class FlatMLP:
    """An MLP's weights and biases as views into one flat array (layer order), plus a gradient
    buffer laid out the same way: reused for every step of a fit."""

    def __init__(self, theta: np.ndarray, shapes: list[tuple[int, ...]]):
        """theta: the weights and biases, layer by layer, flat (the fit steps it in place)."""
        self.theta, self.shapes = theta, shapes
        self.grad = np.empty_like(theta)
        self.params = self._views(self.theta, shapes)
        self.grads = self._views(self.grad, shapes)
        self.layers = len(shapes) // 2

    @staticmethod
    def _views(flat: np.ndarray, shapes) -> list[np.ndarray]:
        out, at = [], 0
        for shape in shapes:
            size = math.prod(shape)
            out.append(flat[at:at + size].reshape(shape))
            at += size
        return out

    def forward(self, h: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Output (m, 1) for inputs (m, 1), and each layer's input (the ReLU outputs)."""
        inputs = []
        for i in range(self.layers):
            w, b = self.params[2 * i], self.params[2 * i + 1]
            inputs.append(h)
            h = h * w[:, 0] if w.shape[1] == 1 else h @ w.T  # one input: a broadcast product, not a matmul
            h += b
            if i < self.layers - 1:
                np.maximum(h, 0, out=h)
        return h, inputs

    def stacked_forward(self, thetas: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Predictions (R, m) at inputs x (m,) of R parameter vectors (R, P) laid out as theta:
        the grid for every drawn step count in one batched pass (a few big ops, not R times a
        dozen small ones)."""
        r = len(thetas)
        h, at = x.reshape(1, -1, 1), 0
        for i in range(self.layers):
            (out, fan_in), (size_b,) = self.shapes[2 * i], self.shapes[2 * i + 1]
            w = thetas[:, at:at + out * fan_in].reshape(r, out, fan_in)
            b = thetas[:, at + out * fan_in:at + out * fan_in + size_b]
            at += out * fan_in + size_b
            h = h * w[:, None, :, 0] if fan_in == 1 else h @ w.transpose(0, 2, 1)
            h += b[:, None, :]
            if i < self.layers - 1:
                np.maximum(h, 0, out=h)
        return h[..., 0]

    def backward(self, d: np.ndarray, inputs: list[np.ndarray], n: int) -> None:
        """The gradient buffer from d = dL/dout on the first n rows of the layer inputs (a scalar
        rate folded into d scales the whole gradient: one op fewer a step)."""
        for i in range(self.layers - 1, -1, -1):
            h = inputs[i][:n]
            np.matmul(d.T, h, out=self.grads[2 * i])
            np.add.reduce(d, axis=0, out=self.grads[2 * i + 1])
            if i > 0:
                d = d @ self.params[2 * i]
                d *= h > 0  # back through the ReLU whose output was h


def flat_rates(lr, names, dtype):
    """A float stays a float; per-entry rates (name -> tensor) become one array laid out as the
    parameters are."""
    if isinstance(lr, dict):
        return np.concatenate([np.asarray(lr[k].detach().cpu(), dtype=dtype).ravel() for pair in names for k in pair])
    return float(lr)


def fit_slices(model, params, lr, xs: np.ndarray, ys: np.ndarray, grid: np.ndarray, schedule: tuple[int, ...],
               chunk: int):
    """A generator: SGD from `params` (name -> tensor, unbatched) with rate lr (a float or per-entry
    rates) on the support (xs, ys); yields after every `chunk` steps and returns the predictions on
    the grid at each scheduled step count, (len(schedule), len(grid)), in the parameters' dtype."""
    order = [k for pair in model.names for k in pair]
    flat = torch.cat([params[k].detach().reshape(-1) for k in order]).cpu()  # a copy: the fit steps it in place
    dtype = np.float64 if flat.dtype == torch.float64 else np.float32
    net = FlatMLP(flat.numpy().astype(dtype, copy=False), [tuple(params[k].shape) for k in order])
    rate = flat_rates(lr, model.names, dtype)
    per_entry = not isinstance(rate, float)
    n = len(xs)
    support = np.asarray(xs, dtype=dtype).reshape(-1, 1)
    target = np.asarray(ys, dtype=dtype).reshape(-1, 1)
    thetas = np.empty((len(schedule), net.theta.size), dtype)  # the parameters at each drawn count
    row, last = 0, (schedule[-1] if n else 0)  # no support points: nothing to adapt to
    done, finished = 0, False
    while not finished:
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging fit is drawn clipped, not warned about
            for _ in range(chunk):
                if done == schedule[row]:
                    thetas[row] = net.theta
                    row += 1
                if done == last:
                    finished = True
                    break
                out, inputs = net.forward(support)
                d = out - target
                if per_entry:
                    d *= 2.0 / n
                    net.backward(d, inputs, n)
                    net.grad *= rate
                else:
                    d *= 2.0 * rate / n
                    net.backward(d, inputs, n)
                net.theta -= net.grad
                done += 1
        if not finished:
            yield
    thetas[row:] = net.theta  # no support points: the init at every count
    with np.errstate(over="ignore", invalid="ignore"):
        return net.stacked_forward(thetas, np.asarray(grid, dtype=dtype))
