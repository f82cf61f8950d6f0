"""What crosses the pipe between the window and the trainer's process: plain pickles. Tensors
become numpy arrays on the way out and tensors again on the way in (torch would otherwise share
them through shared-memory reducers, a second kind of lifetime to manage)."""
from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass, replace

import numpy as np


def portable(value):
    """A copy of a command payload with every tensor as a numpy array (tensors would be shared
    through torch's shared-memory reducers; numpy pickles as plain bytes)."""
    torch = sys.modules.get("torch")  # a tensor exists only where torch was imported
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {k: portable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: portable(getattr(value, f.name)) for f in fields(value)})
    return value


def tensors(value):
    """The inverse of `portable` in the child: numpy arrays back to CPU tensors."""
    import torch

    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, dict):
        return {k: tensors(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: tensors(getattr(value, f.name)) for f in fields(value)})
    return value
