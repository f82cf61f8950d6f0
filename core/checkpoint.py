"""Checkpoints: a plain dict that `torch.load(path, weights_only=True)` reads.

    {"state_dict": {...}, "config": {...}, "extras": {"inner_lrs": {...}}}

For the MLP the state_dict uses nn.Sequential's names ("0.weight", ..., "4.bias"), so
`nn.Sequential(...).load_state_dict(ckpt["state_dict"])` works; the two-param model has "a"
and "b". `config` holds what rebuilding needs (algorithm, task, model, hyperparameters,
iterations, seed). Loading never unpickles code (weights_only=True) and checks every key,
shape and value before anything is replaced.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import torch

from core import safeio
from core.algorithms import get_algorithm, setup_error
from core.models import MLP, Params, make_model
from core.settings import SETTINGS, check_config

FORMAT = "maml-playground/1"


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message says why."""


@dataclass
class Checkpoint:
    params: Params
    config: dict
    lrs: Params | None = None


def config_from_controls(c, iterations: int) -> dict:
    return {"format": FORMAT, "algorithm": c.algorithm, "task": c.family, "model": c.model,
            "hidden": list(c.hidden), "inner_lr": c.inner_lr, "outer_lr": c.outer_lr,
            "inner_steps": c.inner_steps, "shots": c.shots, "meta_batch": c.meta_batch,
            "outer_optimizer": c.outer_optimizer, "iterations": int(iterations), "seed": c.seed,
            "lam": c.lam, "hyper_lr": c.hyper_lr}


def save(path, model, params: Params, config: dict, lrs: Params | None = None) -> None:
    """Write atomically (core.safeio: a fresh exclusive temp file, fsync, rename), so a crash never
    leaves half a checkpoint and nothing planted at a temporary name is followed."""
    data = {"state_dict": {k: v.detach().cpu().clone() for k, v in params.items()},
            "config": dict(config, model=model.name)}
    if isinstance(model, MLP):
        data["config"]["hidden"] = list(model.hidden)
    key = get_algorithm(config["algorithm"]).extras_key
    if lrs is not None and key:  # the learner's extras (Meta-SGD's rates, Alpha MAML's alpha and beta)
        data["extras"] = {key: {k: v.detach().cpu().clone() for k, v in lrs.items()}}
    safeio.atomic_write(path, lambda f: torch.save(data, f), "checkpoint")


def load(path) -> Checkpoint:
    """Read and validate; raises CheckpointError with a one-line reason. A FIFO, a device or a
    file over MAX_CHECKPOINT_BYTES is refused before a byte is read."""
    try:
        blob = safeio.read_bytes(path, safeio.MAX_CHECKPOINT_BYTES, "checkpoint")
    except safeio.FileRefused as e:
        raise CheckpointError(str(e)) from None
    try:
        with warnings.catch_warnings():  # torch warns about odd pickles; the error below says it all
            warnings.simplefilter("ignore")
            data = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    except Exception as e:  # truncated, corrupt, foreign, or asks to run code
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint ({first[:200]})") from None
    return validate(data, str(path))


def validate(data, where: str = "checkpoint") -> Checkpoint:
    if not isinstance(data, dict) or not isinstance(data.get("state_dict"), dict) \
            or not isinstance(data.get("config"), dict):
        raise CheckpointError(f"{where}: not a MAML Playground checkpoint (needs 'state_dict' and 'config')")
    cfg = dict(data["config"])
    if not all(isinstance(k, str) for k in cfg):
        raise CheckpointError(f"{where}: config keys must be strings")
    for setting in (SETTINGS["algorithm"], SETTINGS["family"], SETTINGS["model"]):  # needed to rebuild
        key, allowed = setting.alias or setting.name, setting.choices
        if cfg.get(key) not in allowed:
            raise CheckpointError(f"{where}: config {key}={cfg.get(key)!r} is not one of {', '.join(allowed)}")
    hidden = cfg.get("hidden", [40, 40])
    reason = check_config(cfg)  # every other setting it records, against the one table's limits
    if reason:
        raise CheckpointError(f"{where}: {reason}")
    cfg["hidden"] = list(hidden)
    problem = setup_error(cfg["algorithm"], cfg["model"])
    if problem:
        raise CheckpointError(f"{where}: {problem}")
    model = make_model(cfg["model"], cfg["task"], tuple(hidden))
    expected = {k: v.shape for k, v in model.init().items()}
    params = _tensors(data["state_dict"], expected, where, "state_dict")
    lrs = None
    extras = data.get("extras") or {}
    algo = get_algorithm(cfg["algorithm"])(cfg)
    key = algo.extras_key
    if key and isinstance(extras, dict) and key in extras:  # the shapes its algorithm declares
        lrs = _tensors(extras[key], algo.extras_shapes(model), where, key)
    return Checkpoint(params, cfg, lrs)


def _tensors(d, expected: dict, where: str, what: str) -> Params:
    if not isinstance(d, dict) or set(d) != set(expected):
        got = sorted(d) if isinstance(d, dict) else type(d).__name__
        raise CheckpointError(f"{where}: {what} keys {got} do not match the model's {sorted(expected)}")
    out = {}
    for k, shape in expected.items():
        v = d[k]
        if not isinstance(v, torch.Tensor) or tuple(v.shape) != tuple(shape):
            raise CheckpointError(f"{where}: {what}[{k!r}] should be a tensor of shape {tuple(shape)}")
        # checked in this order: a meta or sparse tensor cannot even be asked whether it is finite
        if v.device.type != "cpu":
            raise CheckpointError(f"{where}: {what}[{k!r}] is on the {v.device.type} device, not stored values")
        if v.layout != torch.strided or v.is_quantized or v.is_nested:
            raise CheckpointError(f"{where}: {what}[{k!r}] is a {v.layout} tensor, not a dense one")
        if not v.is_floating_point():
            raise CheckpointError(f"{where}: {what}[{k!r}] holds {v.dtype} values, not floating point")
        v = v.detach().to(torch.float32).clone()  # a float64 beyond float32's range becomes inf here
        if not torch.isfinite(v).all():
            raise CheckpointError(f"{where}: {what}[{k!r}] holds NaN or infinite values (as float32)")
        out[k] = v
    return out
