"""An MLP's fit to one task as the panels draw it, by hand in numpy: SGD on the support points,
the 200-point grid evaluated only at the step counts drawn.

The live trainer draws a meta-learned init's fit up to 60 times a second, in the process that
trains, so its cost is taken from training. A step is ~20 tiny ops: numpy dispatches them for
less than torch, the parameters sit in one flat buffer (a step's update is one op, a scalar rate
is folded into the output gradient), and only the drawn counts pay for the grid. Measured on
the loaded 2-core VM (min of repeats): 10 steps 0.96 ms against torch's 1.31 ms, 500 steps
(5 drawn) 0.47x of torch's. Same arithmetic as `MLP.sgd_curves`, in the parameters' own
precision; checked against autograd in float64 in tests/core/test_snapshots.py.
"""
from __future__ import annotations

import numpy as np


class FlatMLP:
    """An MLP's weights and biases as views into one flat array (layer order), plus a gradient
    buffer laid out the same way: reused for every step of a fit."""

    def __init__(self, arrays: list[tuple[np.ndarray, np.ndarray]], dtype):
        shapes = [a.shape for pair in arrays for a in pair]
        self.theta = np.concatenate([a.ravel() for pair in arrays for a in pair]).astype(dtype, copy=False)
        self.grad = np.empty_like(self.theta)
        self.params = self._views(self.theta, shapes)
        self.grads = self._views(self.grad, shapes)
        self.layers = len(arrays)

    @staticmethod
    def _views(flat: np.ndarray, shapes) -> list[np.ndarray]:
        out, at = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
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

    def backward(self, d: np.ndarray, inputs: list[np.ndarray], n: int) -> None:
        """The gradient buffer from d = dL/dout on the first n rows of the layer inputs (a scalar
        rate folded into d scales the whole gradient: one op fewer a step)."""
        for i in range(self.layers - 1, -1, -1):
            h = inputs[i][:n]
            np.matmul(d.T, h, out=self.grads[2 * i])
            d.sum(0, out=self.grads[2 * i + 1])
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
    first = params[model.names[0][0]]
    dtype = np.float64 if first.dtype.is_floating_point and first.element_size() == 8 else np.float32
    net = FlatMLP([(params[w].detach().cpu().numpy(), params[b].detach().cpu().numpy()) for w, b in model.names],
                  dtype)
    rate = flat_rates(lr, model.names, dtype)
    per_entry = not isinstance(rate, float)
    n = len(xs)
    support = np.asarray(xs, dtype=dtype).reshape(-1, 1)
    target = np.asarray(ys, dtype=dtype).reshape(-1, 1)
    both = np.concatenate([support, np.asarray(grid, dtype=dtype).reshape(-1, 1)])
    preds, rows = [], set(schedule)
    last = schedule[-1] if n else 0  # no support points: nothing to adapt to

    done, finished = 0, False
    while not finished:
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging fit is drawn clipped, not warned about
            for _ in range(chunk):
                drawn = done in rows
                out, inputs = net.forward(both if drawn else support)
                if drawn:
                    preds.append(out[n:, 0].copy())
                if done == last:
                    finished = True
                    break
                d = out[:n] - target
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
    out = np.stack(preds)
    if len(preds) < len(schedule):
        out = np.broadcast_to(out[:1], (len(schedule), out.shape[1])).copy()
    return out
