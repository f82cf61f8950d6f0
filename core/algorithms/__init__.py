"""Meta-learning algorithms, each one meta-iteration over a whole task batch at once.

One file per algorithm (a class declaring what it is and how it learns), a registry that
maps names to classes, and MetaLearner holding the tensors. Hyperparameters arrive with
every call (`HParams`), so the live window can change the inner and outer learning rates,
inner steps, K and meta-batch between two iterations.
"""
from core.algorithms.base import DIVERGED_LOSS, Algorithm, HParams, adapt, adapt_path, diverged
from core.algorithms.registry import REGISTRY, get_algorithm, setup_error

ALGORITHMS = tuple(REGISTRY)  # the names, in the order the window and CLI list them
ALGORITHM_LABELS = {name: cls.label for name, cls in REGISTRY.items()}

__all__ = ["ALGORITHMS", "ALGORITHM_LABELS", "Algorithm", "DIVERGED_LOSS", "HParams", "MetaLearner", "REGISTRY",
           "adapt", "adapt_path", "diverged", "get_algorithm", "setup_error"]


def __getattr__(name: str):
    """MetaLearner (it holds tensors: torch) on first use, so the names and settings need no torch."""
    if name == "MetaLearner":
        from core.algorithms.learner import MetaLearner

        return MetaLearner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
