"""Headless commands: train, evaluate, bench. No Qt is imported here.

Errors in the user's input come out as one line on stderr with exit status 2, before any work
(a --save or --json path that cannot be written, a setup too big for the memory); a run that
diverges keeps (and with --save writes) its last finite parameters and exits with 3. SIGINT and
SIGTERM stop training and save what was learned; while the save runs they are held off.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time

import torch

from core import checkpoint as ckpt
from core import memory, safeio
from core.algorithms import HParams, MetaLearner, get_algorithm
from core.controls import Controls
from core.device import resolve_device, tune_allocator
from core.evaluate import evaluate, heldout_tasks, pretrain
from core.fast import FAST, compile_first
from core.models import make_model
from core.runner import StepRunner
from core.setting import Setting
from core.settings import RUN, SETTINGS
from core.tasks import get_family

EXIT_SAVE, EXIT_USAGE, EXIT_DIVERGED = 1, 2, 3
CHECK_EVERY = 50  # meta-iterations per checked chunk (core.runner)


class UsageError(Exception):
    """A bad argument: printed as one line, never a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line instead of usage + message
        raise UsageError(f"{self.prog}: {message}")


def _checked(setting: Setting):
    """argparse's type for a setting: the table's own parse and check."""
    def parse(text):
        try:
            return setting.parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    parse.__name__ = setting.kind.__name__
    return parse


_SAME = object()


def _flag(parser, setting: Setting, default=_SAME, help=None) -> None:
    """One settings-table entry as a flag: its name, choices or checks, default and help."""
    kw = {"dest": setting.name, "default": setting.default if default is _SAME else default,
          "help": help or setting.help}
    if setting.kind is not str and setting.lo is not None:
        kw["help"] += f" ({setting.lo:g}..{setting.hi:g})"
    if setting.kind is str:
        kw["choices"] = setting.choices
    else:
        kw["type"] = _checked(setting)
    parser.add_argument(setting.flag, **kw)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="main.py", description="MAML Playground, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="meta-train and save a checkpoint")
    for setting in SETTINGS.values():  # every setting the table marks for the CLI, with its limits
        if setting.cli:
            _flag(t, setting)
    stop = t.add_mutually_exclusive_group()
    _flag(stop, RUN["iterations"], default=None, help="meta-iterations (default 70000)")
    _flag(stop, RUN["seconds"])
    _flag(t, RUN["threads"])
    t.add_argument("--save", metavar="CKPT", help="write the checkpoint here")
    t.add_argument("--quiet", action="store_true", help="no progress lines")
    t.add_argument("--fast", action="store_true", help="quality per second on the CPU: meta-batch 100 and "
                   "outer lr 0.01 in place of --meta-batch and --outer-lr (core.fast.FastRecipe); MAML's and "
                   "FOMAML's step is compiled first on the CPU (seconds, printed apart from the training time)")

    e = sub.add_parser("evaluate", help="the paper's protocol: MSE after 0..S fine-tuning steps")
    e.add_argument("checkpoint")
    _flag(e, RUN["tasks"])
    _flag(e, SETTINGS["shots"])
    _flag(e, RUN["steps"])
    _flag(e, SETTINGS["inner_lr"], default=None, help="default: the checkpoint's")
    _flag(e, SETTINGS["seed"], default=1234, help="held-out task seed")
    _flag(e, SETTINGS["device"], default="cpu")
    _flag(e, RUN["threads"])
    e.add_argument("--json", metavar="OUT")

    b = sub.add_parser("bench", help="meta-iterations per second against a plain per-task loop")
    _flag(b, SETTINGS["device"])
    _flag(b, RUN["threads"])
    _flag(b, SETTINGS["meta_batch"])
    _flag(b, RUN["seconds"], default=2.0, help="timed seconds per measurement")
    b.add_argument("--quality", action="store_true",
                   help="also time MAML to K=10 1-step MSE <= 0.40 on held-out tasks (about a minute)")
    b.add_argument("--scale", action="store_true",
                   help="also time meta-batches of 250, 2,500 and 10,000 tasks (tasks/s, memory per task)")
    b.add_argument("--no-compile", dest="compile", action="store_false",
                   help="skip the torch.compile row (its compile takes tens of seconds on a CPU)")
    b.add_argument("--json", metavar="OUT")
    return p


def device_of(name: str) -> torch.device:
    """The trainer's rule (auto: CUDA when present), with a usage error instead of a fallback."""
    try:
        return resolve_device(name)
    except ValueError:
        raise UsageError("--device cuda: CUDA is not available on this machine") from None


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _on_stop_signals(handler) -> dict:
    """Install `handler` for SIGINT and SIGTERM; returns the old handlers for `_restore`."""
    return {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}


def _restore(old: dict) -> None:
    for sig, handler in old.items():
        signal.signal(sig, handler)


def check_setup(args) -> None:
    """What can be refused before any work: the save path, a setup too big for the memory."""
    if args.model == "two-param" and args.hidden != (40, 40):
        raise UsageError("--hidden applies to the mlp model only")
    if args.save is not None:
        try:
            safeio.check_target(args.save, "checkpoint")
        except safeio.FileRefused as e:
            raise UsageError(f"--save: {e}") from None
    reason = memory.controls_problem(args)
    if reason:
        raise UsageError(reason[0].upper() + reason[1:])


def _save(args, model, good, good_it: int, elapsed: float) -> int:
    """Write the checkpoint with SIGINT and SIGTERM held off (a second Ctrl+C waits for it)."""
    run = Controls(algorithm=args.algorithm, family=args.family, model=args.model, hidden=args.hidden,
                   seed=args.seed, outer_optimizer=args.outer_optimizer, inner_lr=args.inner_lr,
                   outer_lr=args.outer_lr, inner_steps=args.inner_steps, shots=args.shots,
                   meta_batch=args.meta_batch, lam=args.lam, hyper_lr=args.hyper_lr)
    own = {s.name: getattr(args, s.name) for s in get_algorithm(args.algorithm).settings}
    cfg = dict(ckpt.config_from_controls(run, good_it), **own, seconds=round(elapsed, 2))
    told = []

    def wait(*_):
        if not told:
            told.append(True)
            print(f"saving {args.save}: please wait", file=sys.stderr, flush=True)

    old = _on_stop_signals(wait)
    try:
        ckpt.save(args.save, model, good[0], cfg, good[1])
    except (OSError, ValueError) as e:
        print(f"error: could not save {args.save}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return EXIT_SAVE
    finally:
        _restore(old)
    print(f"saved {args.save}")
    return 0


# ---- train ----------------------------------------------------------------------------------
def cmd_train(args) -> int:
    check_setup(args)
    device = device_of(args.device)
    torch.manual_seed(args.seed)
    family = get_family(args.family)
    model = make_model(args.model, family, args.hidden)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    try:
        learner = MetaLearner(args.algorithm, model, model.init(gen, device), args.inner_lr, args.outer_optimizer,
                              options=vars(args))
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.fast:
        args.meta_batch, args.outer_lr = FAST.meta_batch, FAST.outer_lr  # so that the checkpoint says so
    hp = HParams(args.inner_lr, args.outer_lr, args.inner_steps, args.shots, args.meta_batch,
                 lam=args.lam, hyper_lr=args.hyper_lr)
    iterations = args.iterations if args.iterations is not None else (None if args.seconds else 70000)
    if args.fast:  # the compiled step (core.compiled), compiled before the clock starts
        compile_s = compile_first(learner, hp, device)
        if compile_s is not None and not args.quiet:
            print(f"compiled the step for meta-batch {hp.meta_batch} in {compile_s:.1f} s (not in the training time)",
                  flush=True)
    runner = StepRunner(learner, family, gen, device)

    interrupted = []
    old = _on_stop_signals(lambda *_: interrupted.append(True))
    status, smooth = 0, None
    t0 = last_print = time.perf_counter()
    try:
        while not interrupted:
            if iterations is not None and runner.iteration >= iterations:
                break
            if args.seconds is not None and time.perf_counter() - t0 >= args.seconds:
                break
            # chunks of 50: the divergence check (and rollback point) once a chunk, not every iteration
            n = CHECK_EVERY if iterations is None else min(CHECK_EVERY, iterations - runner.iteration)
            chunk = runner.run(hp, n)
            if chunk.notice:
                print(f"warning: {chunk.notice}", file=sys.stderr)
            if chunk.diverged_at is not None:
                print(f"error: training diverged at iteration {chunk.diverged_at} (meta-loss non-finite or above "
                      f"1e6); kept the parameters of iteration {chunk.rolled_back_to}. Try a smaller --inner-lr "
                      "or --outer-lr.", file=sys.stderr)
                status = EXIT_DIVERGED
                break
            for v in chunk.losses:
                smooth = v if smooth is None else 0.99 * smooth + 0.01 * v
            now = time.perf_counter()
            if not args.quiet and now - last_print >= 1.0 and smooth is not None:
                print(f"iter {runner.iteration:>7}  {runner.iteration / (now - t0):7.0f} it/s  meta-loss {smooth:.4f}",
                      flush=True)
                last_print = now
    finally:
        _restore(old)
    good, good_it = learner.state(), runner.iteration
    elapsed = time.perf_counter() - t0
    if interrupted:
        print(f"interrupted at iteration {good_it}: keeping what was learned", file=sys.stderr)
    print(f"trained {good_it} meta-iterations in {elapsed:.1f} s ({good_it / max(elapsed, 1e-9):.0f} it/s) "
          f"on {device}" + (f", meta-loss {smooth:.4f}" if smooth is not None else ""))
    if args.save is not None:
        return _save(args, model, good, good_it, elapsed) or status
    return status


# ---- evaluate -------------------------------------------------------------------------------
def cmd_evaluate(args) -> int:
    if args.json is not None:
        try:
            safeio.check_target(args.json, "JSON output")
        except safeio.FileRefused as e:
            raise UsageError(f"--json: {e}") from None
    try:
        loaded = ckpt.load(args.checkpoint)
    except ckpt.CheckpointError as e:
        raise UsageError(str(e)) from None
    device = device_of(args.device)
    cfg = loaded.config
    # held-out tasks are adapted all at once, one step at a time (no graph kept): like a meta-batch of one step
    reason = memory.problem(args.tasks, max(args.shots, 50), 1, cfg["hidden"], cfg["model"])
    if reason:
        raise UsageError(f"--tasks {args.tasks}: {reason}")
    family = get_family(cfg["task"])
    model = make_model(cfg["model"], family, tuple(cfg["hidden"]))
    alpha = args.inner_lr if args.inner_lr is not None else float(cfg.get("inner_lr", 0.01))
    tasks = heldout_tasks(family, args.tasks, args.shots, seed=args.seed, device=device)
    gen = torch.Generator(device=device).manual_seed(args.seed + 1)
    params = {k: v.to(device) for k, v in loaded.params.items()}
    learner = MetaLearner(cfg["algorithm"], model, params, alpha, options=cfg)
    if loaded.lrs is not None:
        learner.load(params, {k: v.to(device) for k, v in loaded.lrs.items()})
    own_lr = learner.inner_lr(HParams(inner_lr=alpha))  # learned rates, or ANIL's head-only rule
    results = {
        "checkpoint": evaluate(model, params, tasks, own_lr, args.steps),
        "random": evaluate(model, model.init(gen, device), tasks, alpha, args.steps),
        "pretrained": evaluate(model, pretrain(model, family, gen=gen, device=device), tasks, alpha, args.steps),
    }
    config = {"checkpoint": args.checkpoint, "trained": cfg, "tasks": args.tasks, "shots": args.shots,
              "steps": args.steps, "inner_lr": alpha, "seed": args.seed,
              "inner_lr_checkpoint": learner.algo.describe_rule(own_lr)}
    print(f"{cfg['algorithm']} / {cfg['task']} / {cfg['model']}, {cfg.get('iterations', '?')} iterations; "
          f"{args.tasks} held-out tasks, K={args.shots}, inner lr {alpha}")
    if isinstance(config["inner_lr_checkpoint"], str):  # the checkpoint adapts its own way
        print(f"the checkpoint row adapts with {config['inner_lr_checkpoint']}; the others with SGD at lr {alpha}")
    print("MSE on 100 evenly spaced x: mean ± 95% CI (median) [diverged]")
    print(f"{'step':>4}  " + "  ".join(f"{name:>30}" for name in results))
    for s in range(args.steps + 1):
        cells = []
        for r in results.values():
            cells.append(f"{r.mean[s]:8.3f} ± {r.ci95[s]:.3f} ({r.median[s]:6.3f}) [{r.diverged[s]}]")
        print(f"{s:>4}  " + "  ".join(f"{c:>30}" for c in cells))
    if args.json:
        out = {"config": config, "steps": list(range(args.steps + 1)),
               "results": {k: v.as_dict() for k, v in results.items()}}
        safeio.write_text(args.json, safeio.dumps_json(out), "JSON output")
        print(f"wrote {args.json}")
    return 0


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        torch.set_num_threads(args.threads)
        tune_allocator()
        if args.command == "train":
            return cmd_train(args)
        if args.command == "evaluate":
            return cmd_evaluate(args)
        if args.json is not None:
            safeio.check_target(args.json, "JSON output")
        from core.bench import run_bench
        return run_bench(args)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except safeio.FileRefused as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
