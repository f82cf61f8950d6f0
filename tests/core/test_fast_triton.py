"""core/fast.py's switch to core.triton_maml: never on the CPU, only for the learners whose
meta-gradient the kernels compute (their equality is tested in tests/core/test_triton_maml.py)."""
import sys

import torch

from core.algorithms import ALGORITHMS, MetaLearner
from core.fast import GraphStepper, fused_applies, triton_available
from core.models import MLP
from core.tasks import get_family


def test_cpu_never_uses_the_kernels_and_does_not_import_triton():
    had_triton = "triton" in sys.modules
    assert not triton_available("cpu") and not triton_available(torch.device("cpu"))
    learner = MetaLearner("maml", MLP(), MLP().init())
    stepper = GraphStepper(learner, get_family("sinusoid"), torch.device("cpu"))
    assert not stepper.fused
    assert ("triton" in sys.modules) == had_triton


def test_fused_applies_to_one_rate_mlp_learners_only():
    applies = {}
    for name in ALGORITHMS:
        try:
            applies[name] = fused_applies(MetaLearner(name, MLP(), MLP().init()))
        except ValueError:  # this algorithm does not train the MLP
            continue
    assert applies["maml"] and applies["fomaml"]
    # per-entry rates (Meta-SGD's learned ones, ANIL's mask), learned extras, their own meta-gradient
    for name in ("metasgd", "anil", "alpha", "reptile", "imaml", "cavia"):
        assert applies[name] is False, name
    assert not fused_applies(MetaLearner("maml", MLP((80, 40)), MLP((80, 40)).init()))  # too wide
    assert not fused_applies(MetaLearner("maml", MLP((8, 8, 8)), MLP((8, 8, 8)).init()))  # three hidden layers
