"""The device rule, one place for the CLI, the trainer and the window: 'auto' is CUDA when present."""
from __future__ import annotations

import torch


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for but is not available")
    return torch.device(name)
