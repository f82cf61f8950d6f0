"""First-order MAML: the inner gradients are held constant (the paper's `stop_grad`)."""
from core.algorithms.base import Algorithm
from core.words import QT_TR_NOOP


class FOMAML(Algorithm):
    baseline = "loop-fo"
    name = "fomaml"
    label = "FOMAML"
    description = QT_TR_NOOP("MAML with the inner gradients treated as constants (first order)")
    first_order = True
