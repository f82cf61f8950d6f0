"""core/tasks.py: families, seedable samplers, interpolation, user point tasks."""
import math

import numpy as np
import pytest
import torch

from core.tasks import FAMILIES, PointsTask, get_family, interp, sample_batch


def gen(seed):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_same_seed_gives_same_batch(name):
    fam = get_family(name)
    one = sample_batch(fam, 6, 5, 7, gen=gen(3))
    two = sample_batch(fam, 6, 5, 7, gen=gen(3))
    other = sample_batch(fam, 6, 5, 7, gen=gen(4))
    for field in ("xs", "ys", "xq", "yq", "a", "b"):
        assert torch.equal(getattr(one, field), getattr(two, field)), field
    assert not torch.equal(one.a, other.a)
    assert not torch.equal(one.xq, other.xq)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_batch_shapes(name):
    batch = sample_batch(get_family(name), 4, 5, 3, gen=gen(0))
    assert batch.xs.shape == batch.ys.shape == (4, 5)
    assert batch.xq.shape == batch.yq.shape == (4, 3)
    assert batch.a.shape == batch.b.shape == (4,)
    assert len(batch) == 4
    # k_query defaults to k_support
    assert sample_batch(get_family(name), 2, 6, gen=gen(0)).xq.shape == (2, 6)


def test_sinusoid_ranges():
    fam = get_family("sinusoid")
    b = sample_batch(fam, 2000, 10, gen=gen(1))
    assert b.a.min() >= 0.1 and b.a.max() <= 5.0
    assert b.b.min() >= 0.0 and b.b.max() <= math.pi
    for x in (b.xs, b.xq):
        assert x.min() >= -5.0 and x.max() <= 5.0
    # the draws actually cover the ranges (not a constant or a narrow band)
    assert b.a.min() < 0.3 and b.a.max() > 4.8
    assert b.b.min() < 0.1 and b.b.max() > math.pi - 0.1
    assert b.xs.min() < -4.9 and b.xs.max() > 4.9


def test_linear_ranges():
    fam = get_family("linear")
    b = sample_batch(fam, 2000, 10, gen=gen(2))
    # a, b ~ U(0, 2), as in the article's sine example
    assert b.a.min() >= 0.0 and b.a.max() <= 2.0 and b.a.min() < 0.1 and b.a.max() > 1.9
    assert b.b.min() >= 0.0 and b.b.max() <= 2.0 and b.b.min() < 0.1 and b.b.max() > 1.9
    for x in (b.xs, b.xq):
        assert x.min() >= -5.0 and x.max() <= 5.0


def test_sine_ab_support_is_the_article_grid():
    fam = get_family("sine-ab")
    b = sample_batch(fam, 50, 10, 20, gen=gen(5))
    grid = np.arange(10) * 2 * np.pi / 10  # 10 evenly spaced in [0, 2 pi), no endpoint
    for row in b.xs.numpy():
        np.testing.assert_allclose(row, grid, rtol=0, atol=1e-6)
    assert b.a.min() >= 0 and b.a.max() <= 2 and b.b.min() >= 0 and b.b.max() <= 2
    # query points are drawn uniformly over [0, 2 pi)
    assert b.xq.min() >= 0 and b.xq.max() <= 2 * np.pi
    assert len(np.unique(b.xq.numpy())) > 900


@pytest.mark.parametrize("name, formula", [
    ("sinusoid", lambda a, b, x: a * np.sin(x - b)),
    ("sine-ab", lambda a, b, x: a * np.sin(x + b)),
    ("linear", lambda a, b, x: a * x + b),
])
def test_family_formulas(name, formula):
    fam = get_family(name)
    b = sample_batch(fam, 8, 6, 9, gen=gen(7))
    a_, b_ = b.a.numpy()[:, None].astype(np.float64), b.b.numpy()[:, None].astype(np.float64)
    np.testing.assert_allclose(b.ys.numpy(), formula(a_, b_, b.xs.numpy()), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(b.yq.numpy(), formula(a_, b_, b.xq.numpy()), rtol=1e-5, atol=1e-5)
    x = torch.tensor([0.5, -1.25, 3.0], dtype=torch.float64)
    a, b = torch.tensor(1.5, dtype=torch.float64), torch.tensor(0.3, dtype=torch.float64)
    np.testing.assert_allclose(fam.f(a, b, x).numpy(), formula(1.5, 0.3, x.numpy()), rtol=1e-12)


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="unknown task family"):
        get_family("cosine")


def test_grid_endpoints():
    np.testing.assert_allclose(get_family("sinusoid").grid(100).numpy(), np.linspace(-5, 5, 100), atol=1e-6)
    np.testing.assert_allclose(get_family("sine-ab").grid(100).numpy(),
                               np.arange(100) * 2 * np.pi / 100, atol=1e-6)


def test_interp_matches_numpy():
    rng = np.random.default_rng(0)
    xp = np.sort(rng.uniform(-3, 3, 12))
    fp = rng.normal(size=12)
    # inside, outside on both sides, and exactly on the knots
    x = np.concatenate([rng.uniform(-5, 5, 200), xp, [-10.0, 10.0]])
    got = interp(torch.from_numpy(x), torch.from_numpy(xp), torch.from_numpy(fp)).numpy()
    np.testing.assert_allclose(got, np.interp(x, xp, fp), rtol=1e-12, atol=1e-12)


def test_points_task_sample_support():
    tx = torch.linspace(-2.0, 3.0, 11, dtype=torch.float64)
    ty = tx ** 2 - 1
    task = PointsTask(torch.zeros(0), torch.zeros(0), tx, ty)
    s = task.sample_support(40, gen=gen(9))
    assert s.xs.shape == s.ys.shape == (40,)
    assert s.xs.min() >= -2.0 and s.xs.max() <= 3.0
    np.testing.assert_allclose(s.ys.numpy(), np.interp(s.xs.numpy(), tx.numpy(), ty.numpy()), rtol=1e-12)
    # the target is kept, and the draw is seedable
    assert torch.equal(s.target_x, tx) and torch.equal(s.target_y, ty)
    assert torch.equal(task.sample_support(40, gen=gen(9)).xs, s.xs)
    assert not torch.equal(task.sample_support(40, gen=gen(10)).xs, s.xs)


def test_points_task_without_target():
    task = PointsTask(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
    assert task.target(torch.tensor([0.5])) is None
    with pytest.raises(ValueError, match="no target"):
        task.sample_support(3)
