"""Every algorithm by name: the one place that knows them all."""
from __future__ import annotations

from core.algorithms.alpha import AlphaMAML
from core.algorithms.anil import ANIL
from core.algorithms.base import Algorithm
from core.algorithms.fomaml import FOMAML
from core.algorithms.imaml import IMAML
from core.algorithms.maml import MAML
from core.algorithms.metasgd import MetaSGD
from core.algorithms.reptile import Reptile

DEFAULT_ALGORITHM = "maml"
REGISTRY: dict[str, type[Algorithm]] = {cls.name: cls for cls in (
    MAML, FOMAML, Reptile, MetaSGD, ANIL, AlphaMAML, IMAML,
)}


def get_algorithm(name: str) -> type[Algorithm]:
    if name not in REGISTRY:
        raise ValueError(f"unknown algorithm {name!r}; choose from {', '.join(REGISTRY)}")
    return REGISTRY[name]


def setup_error(algorithm: str, model: str) -> str | None:
    """Why this algorithm cannot train this model, or None: one rule for the CLI, window and presets."""
    if algorithm not in REGISTRY:
        return f"unknown algorithm {algorithm!r}; choose from {', '.join(REGISTRY)}"
    return REGISTRY[algorithm].model_error(model)
