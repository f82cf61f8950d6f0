"""MAML (Finn, Abbeel, Levine 2017): the base class's defaults, under its own name."""
from core.algorithms.base import Algorithm


class MAML(Algorithm):
    """Second-order meta-gradient through the inner SGD steps."""
