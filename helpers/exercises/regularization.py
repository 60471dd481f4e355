"""Checks for notebook 09, Regularization: the elastic-net prox, weight decay's half-life, early stopping, dropout."""

import math

import numpy as np

from helpers.exercises._core import ANY, WRONG, function_check, near, numeric, one_of


def _elastic_net_prox_reference(z, c1, c2):
    return np.sign(z) * np.maximum(np.abs(z) - c1, 0.0) / (1 + c2)


def _prox_cases():
    rng = np.random.default_rng(9)
    z = np.concatenate([rng.normal(scale=2, size=40), [0.0, 0.3, -0.3, 0.29, -0.31]])
    return [(z, c1, c2) for c1, c2 in ((0.3, 0.5), (0.0, 1.0), (1.0, 0.0), (0.7, 2.0))]


def _diagnose_elastic_net_prox(got, expected, z, c1, c2):
    if got.shape != z.shape:
        return f"return one value per coordinate of z: shape {z.shape}, not {got.shape}."
    if np.allclose(got, expected, atol=1e-12):
        return None
    if np.allclose(got, np.sign(z) * np.maximum(np.abs(z) - c1, 0.0), atol=1e-12):
        return "that is the L1 prox alone; the (c2/2)‖u‖² term shrinks the survivors as well."
    if np.allclose(got, np.sign(z) * np.maximum(np.abs(z) / (1 + c2) - c1, 0.0), atol=1e-12):
        return "close — but the threshold applies to z itself: for u > 0, setting u − z + c1 + c2·u = 0 gives u."
    if np.allclose(got, z / (1 + c2), atol=1e-12):
        return "that is the L2 prox alone; without the L1 part nothing becomes exactly zero."
    return (
        "work one coordinate at a time as in (6): for u > 0 the derivative is u − z + c1 + c2·u; "
        "for u < 0 it is u − z − c1 + c2·u; and u = 0 when neither has a solution of the right sign."
    )


@function_check(
    cases=_prox_cases,
    reference=_elastic_net_prox_reference,
    diagnose=_diagnose_elastic_net_prox,
    praise="the elastic-net prox soft-thresholds at c1, then divides by 1 + c2 (Zou & Hastie, 2005).",
)
def check_elastic_net_prox(elastic_net_prox):
    """`elastic_net_prox(z, c1, c2)`: argmin_u ½‖u − z‖² + c1‖u‖₁ + (c2/2)‖u‖², elementwise."""


_HALVING_STEPS = math.ceil(math.log(0.5) / math.log(1 - 0.1 * 5e-3))  # (4) with gₜ = 0


@numeric(
    expected=_HALVING_STEPS,
    rel=0,
    abs_=0,
    not_a_number="give a whole number of steps.",
    praise="each step multiplies θ by 1 − ηω₂ = 0.9995; a half-life of ln 2/(ηω₂) ≈ 1386 steps.",
    near_misses=[
        (_HALVING_STEPS - 1, "after that many steps θ is still a little above half: round up."),
        (
            one_of(
                near(math.log(0.5) / math.log(1 - 5e-3), rel=0.01, abs_=0), near(math.log(2) / 5e-3, rel=0.01, abs_=0)
            ),
            "the shrink factor per step is 1 − η·ω₂, not 1 − ω₂: the learning rate multiplies the decay too.",
        ),
    ],
    hint="with gₜ = 0, (4) multiplies θ by (1 − ηω₂) every step; solve (1 − ηω₂)ᵏ ≤ ½ for the smallest whole k.",
)
def check_decay_halving(answer):
    """Steps of SGD with η = 0.1 and weight_decay ω₂ = 5e-3, on a zero loss gradient, until θ has halved."""


# Exercise 3's validation losses, epoch 1 first: the best epoch so far is 5, and epochs 6, 7, 8 fail to beat it.
_LOSSES = [1.00, 0.80, 0.70, 0.72, 0.69, 0.71, 0.73, 0.74, 0.70, 0.60]
_BEST_EPOCH, _STOP_EPOCH = 5, 8
_COUNT_FROM_ONE = "count epochs from 1: the first loss in the list is epoch 1."


@numeric(
    expected=(_BEST_EPOCH, _STOP_EPOCH),
    rel=0,
    abs_=0,
    not_a_number="give two whole epoch numbers, counting the first epoch as 1.",
    praise="the best epoch so far was 5; epochs 6, 7 and 8 did not beat it, so training stops "
    "after epoch 8 and keeps epoch 5's weights — it never sees epoch 10's lower loss.",
    near_misses=[
        (
            (_LOSSES.index(min(_LOSSES)) + 1, ANY),
            "early stopping cannot see the future: training has stopped before that epoch.",
        ),
        ((_BEST_EPOCH - 1, ANY), _COUNT_FROM_ONE),
        ((ANY, _STOP_EPOCH - 1), _COUNT_FROM_ONE),
        (
            (_BEST_EPOCH, WRONG),
            "the best epoch is right; training stops once `patience` epochs in a row fail to beat it.",
        ),
    ],
    hint="walk through the list: keep the lowest loss so far and its epoch; stop once the current epoch is "
    "3 epochs past that best epoch.",
)
def check_early_stopping_epochs(best_epoch, stop_epoch):
    """Exercise 3's curve with patience 3: the epoch whose weights are kept, and the epoch training stops after."""


_P, _H = 0.25, 2.0


@numeric(
    expected=(near(_H / (1 - _P), rel=1e-3), _H),
    not_a_number="give two numbers: the surviving output in training mode, and the output in evaluation mode.",
    praise="survivors carry h/(1 − p) = 2/0.75 ≈ 2.667, so E = 0.75·2.667 = 2; eval mode is the identity.",
    near_misses=[
        ((_H, ANY), "inverted dropout rescales the survivors while training; by how much, so that the mean stays h?"),
        (
            (one_of(_H * (1 - _P), _H / _P, _H * _P), ANY),
            "with probability 1 − p a unit survives; its value times that probability must equal h.",
        ),
        (
            (ANY, one_of(_H * (1 - _P), _H / (1 - _P))),
            "the scaling already happened in training: what does evaluation mode have left to do?",
        ),
    ],
    hint="use (8): a survivor is h·1/(1 − p); in evaluation mode, dropout does nothing.",
)
def check_dropout_values(survivor, evaluation):
    """Inverted dropout with p = 0.25 on an input of 2.0: a surviving output in training, and the output in eval mode."""
