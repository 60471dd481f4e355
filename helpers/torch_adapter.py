"""Any helpers.optim optimizer as a `torch.optim.Optimizer`, so our update rules train real networks.

    model = models.classic_cnn()
    optimizer = HelpersOptimizer(model.parameters(), optim.adam(lr=1e-3))
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    loss.backward(); optimizer.step(); scheduler.step()

`step()` runs the pure rule `opt.update(θ, gₜ, state)` on each parameter's tensor and writes the new θ
back in place. The rule's state (Adam's mₜ and vₜ, a momentum buffer, the step count) is kept as a
plain dict in `self.state[p]`, so `state_dict()` round-trips through `torch.load(..., weights_only=True)`.
A param group whose lr (or another schedulable hyperparameter: momentum, betas, …) differs from the
rule's own is passed to the rule as a per-step override, which is how torch's lr schedulers drive it.
"""

import torch

from helpers.optim import SCHEDULABLE, Optimizer


class HelpersOptimizer(torch.optim.Optimizer):
    """A torch optimizer whose step applies a helpers.optim rule to every parameter."""

    def __init__(self, params, opt):
        if not isinstance(opt, Optimizer):
            raise ValueError(f"opt must be a helpers.optim optimizer (e.g. optim.adam(lr=1e-3)), got {opt!r}")
        self.rule = opt
        # A 0-d tensor is enough to learn which NamedTuple the rule keeps its state in.
        self._state_type = type(opt.init(torch.zeros(())))
        super().__init__(params, dict(opt.hparams))

    def __repr__(self):
        return f"HelpersOptimizer({self.rule!r}, {len(self.param_groups)} param group(s))"

    def _overrides(self, index, group):
        overrides = {}
        for name, value in self.rule.hparams.items():
            if group[name] == value:
                continue
            if name not in SCHEDULABLE:
                raise ValueError(
                    f"param_groups[{index}][{name!r}] = {group[name]!r} differs from the rule's {value!r}, "
                    f"but {name} cannot change per step; schedulable: {', '.join(SCHEDULABLE)}"
                )
            overrides[name] = group[name]
        return overrides

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for index, group in enumerate(self.param_groups):
            overrides = self._overrides(index, group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise ValueError("HelpersOptimizer does not support sparse gradients")
                saved = self.state[p]
                state = self._state_type(**saved) if saved else self.rule.init(p.detach())
                theta, state = self.rule.update(p.detach(), p.grad, state, **overrides)
                p.copy_(theta)
                saved.update(state._asdict())
        return loss
