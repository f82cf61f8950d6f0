"""Adam and SGD in a few lines, for tensors that are updated in place.

torch.optim would do, but its first use imports torch._dynamo: two seconds of CPU on these
machines, in the middle of the window's start-up. These call the same fused kernel
(`torch._fused_adam_`, one kernel for all tensors) directly. The learning rate is a plain
attribute, a float or a 0-d device tensor (read at replay by a captured CUDA graph).
"""
from __future__ import annotations

import torch


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.reset()

    def reset(self) -> None:
        """Forget the moment estimates (after a rollback, say). In place once allocated: a
        captured CUDA graph holds these very tensors, and new ones would go unseen by it."""
        if hasattr(self, "exp_avg"):
            with torch.no_grad():
                for t in self.exp_avg + self.exp_avg_sq + self.steps:
                    t.zero_()
            return
        self.exp_avg = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        # one step count shared by all tensors (they always step together): one add, not a foreach
        count = torch.zeros((), dtype=torch.float32, device=self.params[0].device) if self.params else None
        self.steps = [count] * len(self.params)

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params]
        if self.steps:
            self.steps[0].add_(1)
        torch._fused_adam_(self.params, grads, self.exp_avg, self.exp_avg_sq, [], self.steps,
                           lr=self.lr, beta1=self.betas[0], beta2=self.betas[1], weight_decay=0.0,
                           eps=self.eps, amsgrad=False, maximize=False)


class SGD:
    def __init__(self, params, lr=1e-3):
        self.params, self.lr = list(params), lr

    def reset(self) -> None:
        pass

    @torch.no_grad()
    def step(self) -> None:
        grads = [p.grad for p in self.params]
        if isinstance(self.lr, torch.Tensor):
            torch._foreach_sub_(self.params, torch._foreach_mul(grads, self.lr))
        else:
            torch._foreach_add_(self.params, grads, alpha=-self.lr)
