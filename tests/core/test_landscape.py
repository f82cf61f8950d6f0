"""Loss surfaces of the two-parameter model."""
import numpy as np
import pytest
import torch

from core.algorithms import adapt_path
from core.landscape import loss_surface, path_points, view_box
from core.models import TwoParam, expand
from core.tasks import get_family


@pytest.mark.parametrize("family,a,b", [("sine-ab", 1.3, 0.6), ("linear", 0.4, 1.7), ("sinusoid", 3.0, 1.0)])
def test_surface_minimum_sits_at_the_true_parameters(family, a, b):
    fam = get_family(family)
    model = TwoParam(fam)
    xs = fam.grid(10).double()
    ys = fam.f(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64), xs)
    box = view_box(fam, [])
    s = loss_surface(model, xs, ys, *box, n=201)
    i, j = np.unravel_index(np.argmin(s.loss), s.loss.shape)
    step_a, step_b = s.a[1] - s.a[0], s.b[1] - s.b[0]
    assert abs(s.a[i] - a) <= step_a and abs(s.b[j] - b) <= step_b
    assert s.loss.min() < 1e-3 * s.loss.max()


def test_surface_matches_pointwise_loss():
    fam = get_family("sine-ab")
    model = TwoParam(fam)
    xs = fam.grid(10)
    ys = fam.f(torch.tensor(1.0), torch.tensor(0.5), xs)
    s = loss_surface(model, xs, ys, (0, 2), (0, 2), n=5)
    a, b = s.a[3], s.b[1]
    expected = float(((a * np.sin(xs.numpy() + b) - ys.numpy()) ** 2).mean())
    assert s.loss[3, 1] == pytest.approx(expected, rel=1e-5)


def test_view_box_holds_points_outside_the_family_range():
    (a_lo, a_hi), (b_lo, b_hi) = view_box(get_family("sine-ab"), [(-1.5, 3.0)])
    assert a_lo < -1.5 and b_hi > 3.0 and a_hi > 2.0


def test_path_points_descend_the_surface():
    fam = get_family("linear")
    model = TwoParam(fam)
    xs = torch.linspace(-5, 5, 10)[None]
    ys = 1.5 * xs + 0.5
    path = adapt_path(model, expand({"a": torch.tensor(0.0), "b": torch.tensor(0.0)}, 1), xs, ys, 0.02, 5)
    pts = path_points(path)
    assert pts.shape == (6, 2)
    losses = [float(((a * xs + b - ys) ** 2).mean()) for a, b in pts]
    assert all(l2 < l1 for l1, l2 in zip(losses, losses[1:]))
