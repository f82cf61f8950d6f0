"""Every algorithm by name: the one place that knows them all, one line each."""
from __future__ import annotations

from importlib import import_module

from core.algorithms.base import Algorithm

CLASSES = (  # module:class under core/algorithms/, in the order the window and CLI list them
    "maml:MAML",
    "fomaml:FOMAML",
    "reptile:Reptile",
    "metasgd:MetaSGD",
    "anil:ANIL",
    "alpha:AlphaMAML",
    "imaml:IMAML",
    "cavia:CAVIA",
)


def _load(path: str) -> type[Algorithm]:
    module, cls = path.split(":")
    return getattr(import_module(f"core.algorithms.{module}"), cls)


REGISTRY: dict[str, type[Algorithm]] = {cls.name: cls for cls in map(_load, CLASSES)}


def get_algorithm(name: str) -> type[Algorithm]:
    if name not in REGISTRY:
        raise ValueError(f"unknown algorithm {name!r}; choose from {', '.join(REGISTRY)}")
    return REGISTRY[name]


def setup_error(algorithm: str, model: str) -> str | None:
    """Why this algorithm cannot train this model, or None: one rule for the CLI, window and presets."""
    if algorithm not in REGISTRY:
        return f"unknown algorithm {algorithm!r}; choose from {', '.join(REGISTRY)}"
    return REGISTRY[algorithm].model_error(model)
