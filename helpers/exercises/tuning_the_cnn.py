"""Checks for notebook 12, Tuning the CNN: initialization, batch-size rules, filter normalization, honest reporting."""

import math

import numpy as np

from helpers.exercises._core import ANY, WRONG, above, function_check, near, numeric, one_of


@numeric(
    expected=math.sqrt(2 / 800),
    rel=1e-4,
    not_a_number="answer with a number, the standard deviation of the weights.",
    praise="Var[W] = 2/fan_in, and the standard deviation is its square root.",
    near_misses=[
        (2 / 800, "that is the variance (7); the standard deviation is its square root."),
        (
            one_of(math.sqrt(1 / 800), math.sqrt(1 / (3 * 800))),
            "that keeps the variance of a linear (or PyTorch-default) layer; a ReLU halves the second moment (6).",
        ),
    ],
    hint="equation (7): Var[W] = 2/fan_in with fan_in = 800.",
)
def check_he_std(answer):
    """He initialization's weight std for fan_in = 800: √(2/800) = 0.05."""


@numeric(
    expected=1 / (3 * 300),
    rel=1e-4,
    not_a_number="answer with a number, the variance of the weights.",
    praise="b = 1/√fan_in and a uniform U(−b, b) has variance b²/3: a sixth of He's.",
    near_misses=[
        (1 / math.sqrt(300), "that is the bound b of U(−b, b); the variance of a uniform distribution is b²/3."),
        (1 / 300, "that is b², not the variance of U(−b, b): divide by 3."),
        (2 / 300, "that is He's variance (7); PyTorch's default uses kaiming_uniform_ with a = √5 (8)."),
    ],
    hint="gain = √(2/(1 + a²)) with a = √5, b = gain·√(3/fan_in), Var = b²/3 (8).",
)
def check_pytorch_default_variance(answer):
    """The variance of nn.Linear(300, 10)'s default weights: 1/(3·300)."""


@numeric(
    expected=(0.04, 2e-3),
    not_a_number="answer with two numbers: SGD's learning rate, then Adam's.",
    praise="k = 4: SGD's η grows by k (3), Adam's by √k (4).",
    near_misses=[
        ((2e-3, 0.04), "the two answers are swapped."),
        ((0.02, ANY), "√k is Adam's rule; SGD's linear rule (3) multiplies η by k itself."),
        ((WRONG, ANY), "for SGD, multiply η by k = 400/100 (3)."),
        ((ANY, 4e-3), "k is SGD's rule; Adam's step is normalized by √v̂, so its η grows by √k (4)."),
    ],
    hint="for Adam, multiply η by √k (4).",
)
def check_scaled_lrs(sgd_lr, adam_lr):
    """Batch 100 → 400 (k = 4): SGD's η 0.01 → 0.04 (linear rule), Adam's 1e-3 → 2e-3 (square-root rule)."""


def _filter_cases():
    # torch loads only when this check runs: the notebook's other checks need none of it.
    import torch

    generator = torch.Generator().manual_seed(12)  # its own generator: the learner's random state stays untouched
    cases = []
    for shape in [(5, 3), (4, 2, 3, 3), (1, 7), (8, 1, 5, 5)]:
        weight = (
            torch.randn(shape, generator=generator)
            * torch.rand(shape[0], *[1] * (len(shape) - 1), generator=generator)
            * 3
        )
        direction = torch.randn(shape, generator=generator)
        cases.append((direction, weight))
    return cases


def _filter_normalize_reference(direction, weight):
    from helpers import landscape

    return landscape.filter_normalize({"w": direction}, {"w": weight})["w"]


def _diagnose_filter_normalize(got, expected, direction, weight):
    import torch

    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return f"return a tensor of the direction's shape {tuple(direction.shape)}."
    got = got.to(dtype=expected.dtype, device=expected.device)  # a right float64 result is right too
    if torch.allclose(got, expected, rtol=1e-5, atol=1e-6):
        return None
    if torch.allclose(got, direction):
        return "the direction came back unchanged; rescale each slice direction[i] to ‖weight[i]‖ (9)."
    if torch.allclose(got, direction / direction.norm() * weight.norm(), rtol=1e-5, atol=1e-6):
        return "that normalizes the whole tensor at once; (9) works filter by filter, one slice [i] at a time."
    return f"for shape {tuple(direction.shape)} some filter has the wrong norm: each ‖d_i‖ must equal ‖θ_i‖ (9)."


@function_check(
    cases=_filter_cases,
    reference=_filter_normalize_reference,
    diagnose=_diagnose_filter_normalize,
    convert=lambda result: result,
    praise="each filter now has its weights' norm: rescaling a layer rescales its direction.",
)
def check_filter_normalize(filter_normalize):
    """`filter_normalize(direction, weight)` for one tensor, against helpers.landscape.filter_normalize."""


EPOCH_LOG_VALIDATION = (0.981, 0.986, 0.988, 0.990, 0.989, 0.991, 0.990, 0.990)
EPOCH_LOG_TEST = (0.983, 0.987, 0.989, 0.989, 0.992, 0.990, 0.991, 0.993)
"""Notebook 12's fifth exercise: accuracies per epoch on validation and on test data."""

_HONEST = EPOCH_LOG_TEST[int(np.argmax(EPOCH_LOG_VALIDATION))]  # the test accuracy of the epoch validation chose
_FRACTIONS = "give accuracies and differences as fractions, like the log."


@numeric(
    expected=(_HONEST, near(max(EPOCH_LOG_TEST) - _HONEST, rel=1e-6, abs_=1e-9)),
    rel=1e-9,
    not_a_number="answer with two numbers: the honest test accuracy, then the difference.",
    praise="the validation log picks the epoch; the test log is read once, at that epoch.",
    near_misses=[
        ((above(1), ANY), _FRACTIONS),
        ((ANY, above(1)), _FRACTIONS),
        (
            (max(EPOCH_LOG_TEST), ANY),
            "that is the best test epoch — the number the tutorial reports; choose the epoch on validation data.",
        ),
        (
            (max(EPOCH_LOG_VALIDATION), ANY),
            "that is a validation accuracy; report the test accuracy of the epoch validation chose.",
        ),
        (
            (WRONG, ANY),
            "find the epoch with the highest validation accuracy, then read the test accuracy of that epoch.",
        ),
    ],
    hint="the difference is the best test accuracy minus the honest one.",
)
def check_reported_accuracy(honest, inflation):
    """The test accuracy of the epoch chosen on validation data, and how much the best test epoch adds."""
