"""core.families: the families' plain data, the same formulas for numpy and torch, no torch import."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.families import FAMILIES, get_family

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", list(FAMILIES))
def test_numpy_and_torch_give_the_same_curve(name):
    fam = get_family(name)
    x = np.linspace(-6.0, 7.0, 57)
    a, b = 1.7, 0.45
    from_numpy = fam.f(a, b, x)
    assert isinstance(from_numpy, np.ndarray)
    from_torch = fam.f(torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64),
                       torch.from_numpy(x))
    assert isinstance(from_torch, torch.Tensor)
    np.testing.assert_allclose(from_numpy, from_torch.numpy(), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("n", [1, 7, 10, 200])
def test_points_are_the_grid_in_float64(name, n):
    fam = get_family(name)
    points = fam.points(n)
    assert points.dtype == np.float64 and points.shape == (n,)
    np.testing.assert_allclose(points, fam.grid(n).numpy(), rtol=0, atol=1e-6)  # the grid is float32
    assert points[0] == fam.x_range[0] and (points[-1] == fam.x_range[1]) == (fam.endpoint and n > 1)


def test_a_tensor_keeps_its_graph():
    fam = get_family("sinusoid")
    a = torch.tensor(2.0, requires_grad=True)
    fam.f(a, torch.tensor(0.5), torch.linspace(-1, 1, 5)).sum().backward()
    torch.testing.assert_close(a.grad, torch.sin(torch.linspace(-1, 1, 5) - 0.5).sum())


def test_the_windows_plain_modules_load_no_torch():
    code = ("import core.families, core.display, core.schedules, core.claims, core.gpu, sys; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
