"""Checks for notebook 00, Start here: one gradient step by hand, torch's name for ρ, and an Adam from helpers.optim."""

import numpy as np

from helpers import optim
from helpers.exercises._core import not_yet, numeric, verdict


@numeric(
    expected=3 - 0.1 * 2 * 3,
    praise="θ₁ = θ₀ − η·f′(θ₀) = 3 − 0.1·6 = 2.4.",
    hint="θ₁ = θ₀ − η·f′(θ₀); what is f′(θ) for f(θ) = θ²?",
)
def check_one_step(answer):
    """θ after one gradient step on f(θ) = θ² from θ₀ = 3 with η = 0.1."""


def check_torch_name_of_rho(answer):
    """The keyword torch.optim.RMSprop uses for ρ."""
    return verdict(
        isinstance(answer, str) and answer.strip() == "alpha",
        "torch calls RMSprop's decay rate ρ `alpha`.",
        "look at the 'torch argument' column of the notation table, or at help(torch.optim.RMSprop).",
    )


def check_adam_optimizer(opt):
    """An Adam optimizer from helpers.optim with η = 0.01 and β₂ = 0.99, the rest default."""
    if not isinstance(opt, optim.Optimizer):
        return not_yet("build it with optim.adam(...); you passed something else.")
    expected = dict(lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0, amsgrad=False)
    if opt.name != "adam":
        return not_yet(f"that is {opt.name}, not adam.")
    wrong = [k for k, v in expected.items() if not np.allclose(opt.hparams[k], v)]
    return verdict(
        not wrong,
        "that is torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.99)) in helpers' form.",
        f"check {', '.join(wrong)}; β₂ is the second entry of `betas`." if wrong else "",
    )
