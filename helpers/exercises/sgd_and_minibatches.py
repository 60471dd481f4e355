"""Checks for notebook 02, SGD and mini-batches: an epoch's cost, mini-batch noise, Robbins–Monro, averaging."""

import math

import numpy as np

from helpers.exercises._core import (
    ANY,
    WRONG,
    as_number,
    function_check,
    learner_function,
    near,
    not_yet,
    numeric,
    passed,
    run_learner,
)

_STEPS_PER_EPOCH = math.ceil(60_000 / 128)


@numeric(
    expected=(_STEPS_PER_EPOCH, 10 * 60_000),
    rel=0,
    abs_=0,
    praise="⌈60,000/128⌉ = 469 steps per epoch, and every epoch computes N = 60,000 per-example "
    "gradients, whatever B is: as many as 10 steps of full-batch GD.",
    near_misses=[
        (
            (near(60_000 / 128, rel=1e-9, abs_=0), ANY),
            "a step uses a whole (possibly smaller) batch: the number of steps is a whole number.",
        ),
        ((60_000 // 128, ANY), "close: the last 96 images form a smaller batch, and it is a step too."),
        (
            (WRONG, ANY),
            "one epoch walks once through the N examples in slices of B; count the slices, the last one too.",
        ),
        ((ANY, 10 * 469 * 128), "the last batch of each epoch holds only 60,000 − 468·128 = 96 images, not 128."),
        ((ANY, 10 * 469), "that counts steps; each step computes B per-example gradients."),
    ],
    hint="count per-example gradients: a step computes one per example in its batch, "
    "and an epoch sees each example once.",
)
def check_epoch_cost(steps_per_epoch, examples_in_10_epochs):
    """Steps per epoch for N = 60,000 and B = 128 (last batch kept), and per-example gradients in 10 epochs."""


def _minibatch_cases():
    return [
        (s, b, n, r)
        for s in (0.5, 2.0)
        for n in (2, 10, 1000)
        for b in sorted({1, 2, n // 3 or 1, n - 1, n})
        for r in (True, False)
    ]


@learner_function()
def check_minibatch_std(minibatch_std):
    """`minibatch_std(sigma, B, N, replace)`: σ/√B with replacement, times √((N−B)/(N−1)) without."""
    # Every case runs before the verdict: the hint depends on which kind of case (with or without replacement)
    # went wrong, and on whether every wrong answer is the variance.
    wrong = {True: 0, False: 0}
    squared = 0
    for sigma, b, n, replace in _minibatch_cases():
        variance = sigma**2 / b * (1.0 if replace else (n - b) / (n - 1))
        got = run_learner(minibatch_std, (sigma, b, n, replace), as_number)
        if got is None or not math.isclose(got, math.sqrt(variance), rel_tol=1e-9, abs_tol=1e-12):
            wrong[replace] += 1
            squared += got is not None and math.isclose(got, variance, rel_tol=1e-9, abs_tol=1e-12)
    if not (wrong[True] or wrong[False]):
        return passed("σ/√B with replacement, σ/√B·√((N − B)/(N − 1)) without — 0 at B = N.")
    if squared == wrong[True] + wrong[False]:
        return not_yet("that looks like the variance; return the standard deviation, its square root.")
    if wrong[True]:
        return not_yet("with replacement the B draws are independent: the variance is σ²/B (5), so the std is σ/√B.")
    return not_yet(
        "without replacement multiply by the finite-population correction √((N − B)/(N − 1)) of (6); "
        "at B = N the std must be 0."
    )


def _robbins_monro_hint(chosen):
    if "a" in chosen:
        return "a constant step never shrinks: Σ 0.1² over all t is infinite."
    if "c" in chosen:
        return "square 1/√t: Σ 1/t is the harmonic series — it diverges."
    if "d" in chosen:
        return "Σ 1/t² = π²/6 is finite: the steps can only travel a bounded distance."
    if not chosen <= set("abcdef"):
        return "use the letters a to f of the table."
    return (
        "Σ t^(−p) is finite exactly when p > 1; apply it to ηₜ (needs p ≤ 1) and to ηₜ² (needs 2p > 1). "
        "For large t, 0.5/(1 + t/100) behaves like 50/t."
    )


def check_robbins_monro(answer):
    """The schedules among a–f with Σηₜ = ∞ and Σηₜ² < ∞: b (1/t), e (t^−0.75), f (0.5/(1 + t/100))."""
    try:
        chosen = {str(letter).strip().lower() for letter in answer}
    except TypeError:
        return not_yet('answer with a set of letters, e.g. {"a", "b"}.')
    if chosen == {"b", "e", "f"}:
        return passed(
            "b, e and f: steps like t^(−p) qualify exactly for ½ < p ≤ 1; a constant and 1/√t inject "
            "unbounded noise (Σηₜ² = ∞), 1/t² stops too early (Σηₜ < ∞)."
        )
    return not_yet(_robbins_monro_hint(chosen))


def _paths():
    rng = np.random.default_rng(2)
    return [(path,) for path in (rng.normal(size=(25, 3)), rng.normal(size=(1, 2)), rng.normal(size=(6, 1)))]


def _running_average(path):
    return np.cumsum(path, axis=0) / np.arange(1, len(path) + 1)[:, None]


def _diagnose_running_average(got, expected, path):
    if got.shape != path.shape:
        return f"return one average per iterate: shape {path.shape}, not {got.shape}."
    if np.allclose(got, expected, atol=1e-12):
        return None
    if len(path) > 1 and np.allclose(got, path, atol=1e-12):
        return "that returns the iterates themselves; row t should be the mean of rows 0..t."
    if len(path) > 1 and np.allclose(got[1:], np.cumsum(path, axis=0)[1:] / np.arange(1, len(path))[:, None]):
        return "rows 0..t are t + 1 iterates: divide the running sum by t + 1."
    return "row t is the mean of rows 0..t of path: a running sum (np.cumsum along axis 0) divided by a count."


@function_check(
    cases=_paths,
    reference=_running_average,
    diagnose=_diagnose_running_average,
    praise="θ̄ₜ = (1/(t + 1)) Σ θₛ for every t: Polyak–Ruppert averaging in one line.",
)
def check_running_average(running_average):
    """`running_average(path)`: row t is θ̄ₜ = (1/(t + 1)) Σ_{s ≤ t} θₛ, the shape of `path`."""
