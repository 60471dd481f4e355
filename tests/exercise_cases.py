"""Answers for every exercise check, check by check, for tests/test_exercises.py.

For each check: answers that must pass, wrong answers each with a fragment of the hint it must get ("" when any
hint will do), and secrets: the answer as a learner would write it, which no hint may contain. A check with one
answer lists its answers bare; a check with several lists tuples.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from helpers import optim, rates
from helpers import regularization as reg


@dataclass(frozen=True)
class Table:
    right: list
    wrong: list
    secrets: tuple = ()


# --------------------------------------------------------------------------- learners' functions, right and wrong


def raises(error):
    def function(*args, **kwargs):
        raise error

    return function


def mae_gradient(total=np.mean):
    def gradient(w, b, x, y):
        s = np.sign(w * x + b - y)
        return total(s * x), total(s)

    return gradient


def minibatch_std(sigma, B, N, replace):
    return sigma / math.sqrt(B) * (1.0 if replace else math.sqrt((N - B) / (N - 1)))


def running_average(path):
    return np.cumsum(path, axis=0) / np.arange(1, len(path) + 1)[:, None]


def heavy_ball_is_stable(eta, mu, eigenvalues):
    return all(0 < eta * lam < 2 * (1 + mu) for lam in eigenvalues)


def adagrad(one_accumulator=True, eps_inside_the_root=False):
    """AdaGrad-Norm (one accumulator), per-coordinate AdaGrad, or AdaGrad-Norm with ε under the root."""

    def path_of(grad, theta0, lr, steps, eps=1e-10):
        theta, total, path = np.array(theta0, dtype=float), 0.0, []
        path.append(theta)
        for _ in range(steps):
            g = grad(theta)
            total = total + (g @ g if one_accumulator else g * g)
            denominator = np.sqrt(total + 1e-2) if eps_inside_the_root else np.sqrt(total) + eps
            theta = theta - lr * g / denominator
            path.append(theta)
        return np.array(path)

    return path_of


def elastic_net_prox(z, c1, c2):
    return reg.soft_threshold(z, c1) / (1 + c2)


def halving_schedule(n, min_budget, r):
    rounds, budget = [(min_budget, n)], min_budget
    while n > 1:
        n, budget = max(1, n // r), budget * r
        rounds.append((budget, n))
    return rounds


def filter_normalize(direction, weight):
    d = direction.reshape(len(direction), -1).norm(dim=1)
    w = weight.reshape(len(weight), -1).norm(dim=1)
    return direction * (w / d).view(-1, *[1] * (direction.dim() - 1))


# --------------------------------------------------------------------------- answers worked out beside the checks

ETA_STAR, MU_STAR, RATE_STAR = rates.optimal_heavy_ball(1.0, 400.0)
SPEEDUP = rates.steps_to(rates.optimal_gd(1.0, 1e4)[1]) / rates.steps_to(rates.optimal_heavy_ball(1.0, 1e4)[2])
FIRST_ADAGRAD_STEP = -0.1 * np.array([3.0, 0.01]) / (np.sqrt(1.0 + np.array([9.0, 1e-4])) + 1e-10)
RAMP_STEPS = 2574  # test_ramp_steps_are_adagrads checks it against optim.run
ADAMW_FACTOR = (1 - 1e-4) ** 1000
GAPS = np.array([3e-9, 4e-7, 2e-6, 8e-5, 1e-3, 0.3, math.inf, math.inf])
BASINS_CHANGED = 0.10305555555555555  # test_basins_changed_is_what_basin_map_measures checks it
SADDLE_STEPS = 149  # test_saddle_escape_is_the_measured_run checks it
ESCAPE_TRACE = 1 + 0.5 + 2 * 0.05
ESCAPE_FACTOR = (ESCAPE_TRACE + math.sqrt(ESCAPE_TRACE**2 - 2)) / 2
CLIP_G = np.array([12.0, -5.0])
HALVING_STEPS = 1386  # test_decay_halving_is_torchs checks it
CONV_PARAMETERS, CONV_MACS = 18_496, 3_612_672  # test_cnn_counts_are_torchs checks them

CONFUSION = np.diag(np.full(10, 50))
CONFUSION[4, 9], CONFUSION[9, 4], CONFUSION[3, 5] = 7, 3, 5  # true 4 read as 9 most often
TIE = np.diag(np.full(10, 50))
TIE[7, 2] = TIE[5, 3] = 4
NO_MISTAKES = np.diag(np.full(10, 50))

TEN_FRACTIONS = ("59", "0.27", "0.018", "1080", "16")
TWELVE_ANSWERS = ("0.05", "0.00111", "1/900", "0.04", "0.002", "0.990", "0.003")

TABLES = {
    # ----------------------------------------------------------------------- 00 · start here
    "check_one_step": Table([2.4], [(3.0, ""), ("2.4x", "")], ("2.4",)),
    "check_torch_name_of_rho": Table(["alpha", " alpha "], [("rho", "notation table")], ("alpha",)),
    "check_adam_optimizer": Table(
        [optim.adam(lr=0.01, betas=(0.9, 0.99))],
        [
            (optim.adam(lr=0.01), "check betas"),
            (optim.adamw(lr=0.01, betas=(0.9, 0.99)), "not adam"),
            (optim.adam(lr=0.02, betas=(0.9, 0.99), eps=1e-6), "check lr, eps"),
        ],
    ),
    # ----------------------------------------------------------------------- 01 · gradient descent
    "check_mae_gradient": Table(
        [mae_gradient()],
        [
            (mae_gradient(total=np.sum), "1/N of the mean"),
            (raises(IndexError("oops")), "raised IndexError: oops"),
            (lambda w, b, x, y: 0.0, "return two numbers"),
        ],
    ),
    "check_max_stable_lr": Table([0.04], [(2.0, "|1 − ηλᵢ| < 1"), (1.0, "")], ("0.04",)),
    "check_optimal_step": Table([(0.2, 0.8)], [((0.2, 0.5), "η is right"), ((0.1, 0.8), "contract equally")]),
    "check_steps_needed": Table([691, 691.0], [(690, "round up"), (600, "take logarithms")], ("691",)),
    # ----------------------------------------------------------------------- 02 · SGD and mini-batches
    "check_epoch_cost": Table(
        [(469, 600_000), (469.0, np.int64(600_000))],
        [
            ((468, 600_000), "smaller batch"),
            ((60_000 / 128, 600_000), "whole number"),
            ((None, None), "count the slices"),
            ((469, 600_320), "only 60,000 − 468·128 = 96"),
            ((469, 4690), "counts steps"),
            ((469, "many"), "per-example gradients"),
        ],
        ("469 ",),
    ),
    "check_minibatch_std": Table(
        [minibatch_std, lambda s, B, N, r: np.float64(minibatch_std(s, B, N, r))],
        [
            (lambda s, B, N, r: s / np.sqrt(B), "finite-population correction"),
            (lambda s, B, N, r: minibatch_std(s, B, N, r) ** 2, "variance"),
            (lambda s, B, N, r: s / B, "σ/√B"),
            (lambda s, B, N, r: s / np.sqrt(B) * (1 if r else np.sqrt((N - B) / N)), "finite-population correction"),
            (lambda s, B, N, r: 1 / 0, "raised ZeroDivisionError"),
            (lambda s, B, N, r: "small", "σ/√B"),
        ],
    ),
    "check_robbins_monro": Table(
        [{"b", "e", "f"}, ["B", " e", "f"]],
        [
            ({"a", "b", "e", "f"}, "constant step"),
            ({"b", "c", "e", "f"}, "harmonic"),
            ({"b", "d", "e", "f"}, "bounded distance"),
            ({"b", "f"}, "p > 1"),
            (set(), "p > 1"),
            ({"b", "e", "f", "z"}, "letters a to f"),
            (3, "set of letters"),
        ],
        ("b, e and f",),
    ),
    "check_running_average": Table(
        [running_average],
        [
            (lambda path: path, "iterates themselves"),
            (
                lambda path: np.cumsum(path, axis=0) / np.maximum(np.arange(len(path)), 1)[:, None],
                "divide the running sum by t + 1",
            ),
            (lambda path: path.mean(axis=0), "one average per iterate"),
            (lambda path: np.cumsum(path, axis=0), "running sum"),
            (lambda path: path[30], "raised IndexError"),
        ],
    ),
    # ----------------------------------------------------------------------- 03 · momentum and Nesterov
    "check_optimal_momentum": Table(
        [(MU_STAR, ETA_STAR), ((19 / 21) ** 2, 4 / 441)],
        [
            ((RATE_STAR, ETA_STAR), "that is the rate"),
            ((MU_STAR, 2 / 401), "μ is right"),
            (((399 / 401) ** 2, ETA_STAR), "η is right"),
            ((None, None), "equation (11)"),
            (("0.82", "fast"), ""),
        ],
        ("0.818", "0.0090"),
    ),
    "check_stability_rule": Table(
        [heavy_ball_is_stable],
        [
            (lambda eta, mu, eigenvalues: all(0 < eta * lam < 2 for lam in eigenvalues), "gradient descent's rule"),
            (lambda eta, mu, eigenvalues: eta * min(eigenvalues) < 2 * (1 + mu), "Every eigenvalue"),
            (raises(KeyError("oops")), "raised KeyError"),
            (lambda eta, mu, eigenvalues: "yes", "return True or False; got 'yes'"),
            (lambda eta, mu, eigenvalues: True, "you said True"),
        ],
    ),
    "check_velocity_from_buffer": Table(
        [(-0.2, 0.1), np.array([-0.2, 0.1])],
        [
            ((0.2, -0.1), "check the sign"),
            ((2.0, -1.0), "without η"),
            ((-0.18, 0.09), "write both updates"),
            ("ζ", "give two numbers"),
            ((1.0, 2.0, 3.0), "give two numbers"),
        ],
        ("-0.2,", "−0.2", "0.1)"),
    ),
    "check_momentum_speedup": Table([SPEEDUP, 100], [(1e4, "that is κ"), (50, "ln(rate)")], ("100", "69078")),
    # ----------------------------------------------------------------------- 04 · AdaGrad
    "check_adagrad_first_step": Table(
        [FIRST_ADAGRAD_STEP, list(FIRST_ADAGRAD_STEP)],
        [
            (-FIRST_ADAGRAD_STEP, "sign"),
            ([-0.1, -0.1], "G₀ = initial_accumulator_value"),
            (-0.1 * np.array([3.0, 0.01]) / (1 + np.array([9.0, 1e-4])), "square root"),
            ([0.0, 0.0], "G₁ = G₀ + g₁²"),
            ("θ", "two numbers"),
            (0.3, "two numbers"),
            ([1.0, 2.0, 3.0], "two numbers"),
            ([np.nan, 0.0], "two numbers"),
        ],
    ),
    "check_adagrad_norm": Table(
        [adagrad()],
        [
            (adagrad(one_accumulator=False), "per-coordinate AdaGrad"),
            (adagrad(eps_inside_the_root=True), "outside the root"),
            (lambda grad, theta0, lr, steps, eps=1e-10: adagrad()(grad, theta0, lr, steps)[1:], "the whole path"),
            (lambda grad, theta0, lr, steps, eps=1e-10: adagrad()(grad, theta0 + 1, lr, steps), "starts with θ₀"),
            (lambda grad, theta0, lr, steps, eps=1e-10: 1 / 0, "ZeroDivisionError"),
        ],
    ),
    "check_ramp_steps": Table(
        [RAMP_STEPS, float(RAMP_STEPS)],
        [(2500, "close"), (RAMP_STEPS - 1, ""), (RAMP_STEPS + 1, ""), (100, "Add these up"), ("many", "")],
        (str(RAMP_STEPS),),
    ),
    "check_aligned_angle": Table(
        [math.pi / 2, 1.5708],
        [(90, "radians"), (math.pi / 4, "worst"), (0.0, "strictly"), (math.pi, "strictly"), (1.0, "hessian")],
        ("1.57",),
    ),
    # ----------------------------------------------------------------------- 05 · RMSprop
    "check_rmsprop_memory": Table([10], [(9, "mean age"), (0.1, ""), (100, "")], ("10",)),
    "check_rmsprop_first_step": Table(
        [1 / math.sqrt(1 - 0.96)], [(25, "square root"), (1, ""), (math.sqrt(0.04), "")], ("5η", "= 5")
    ),
    "check_rmsprop_constant_gradient": Table([0.09], [(0.3, "squared"), (0.009, ""), (0.0, "")], ("0.09",)),
    "check_rmsprop_warmup_steps": Table([175], [(174, "round up"), (100, ""), (176, "round up")], ("175",)),
    # ----------------------------------------------------------------------- 06 · Adam and AdamW
    "check_uncorrected_first_step": Table(
        [0.1 / math.sqrt(0.02), 0.7071],  # rounded to four places
        [
            (math.sqrt(0.02) / 0.1, "corrected/uncorrected"),
            (0.1 / 0.02, "square root"),
            (0.1 / math.sqrt(0.001), "divide m₁/√v₁"),
            ("0.7", ""),
        ],
        ("0.707",),
    ),
    "check_first_moment": Table(
        [(-0.4, -2.0)],
        [((-2.0, -2.0), "m̂₁ is right"), ((-0.4, -0.4), "m₁ is right"), ((0.4, 2.0), "start from m₀ = 0")],
        ("−0.4", "-0.4", "−2"),
    ),
    "check_adamw_decay": Table(
        [ADAMW_FACTOR, math.exp(-0.1)],  # e^(−ηωk) equals it to four decimals
        [(0.9**1000, "not 1 − ω"), (0.9, "not 1 − kηω"), (1.0, "with g = 0"), ([0.9], "")],
        ("0.905",),
    ),
    "check_large_eps_lr": Table([5e-4], [(5e-3, "dampening τ = β₁"), (50.0, "ε ≫ √v̂")], ("5·10⁻⁴",)),
    # ----------------------------------------------------------------------- 07 · the optimizer race
    "check_gap_summary": Table(
        [(np.median(GAPS), np.mean(GAPS < 1e-6))],
        [
            ((np.median(GAPS[np.isfinite(GAPS)]), 0.25), "not missing values"),
            ((1e-3, 0.25), "mean of the two middle"),
            ((np.median(GAPS), 25), "fraction, not a percentage"),
            ((np.median(GAPS), 2 / 6), "diverged ones included"),
            ((np.mean(GAPS), 0.25), "two finite numbers"),
            ((0.5, 0.25), "sort the eight gaps"),
        ],
        ("5.4e-04", "0.00054"),
    ),
    "check_basins_changed": Table(
        [BASINS_CHANGED, round(BASINS_CHANGED, 3)],
        [(100 * BASINS_CHANGED, "not a percentage"), (1 - BASINS_CHANGED, "race.basin_map"), ("a tenth", "")],
        (f"{BASINS_CHANGED:.3f}", f"{BASINS_CHANGED:.2f}"),
    ),
    "check_saddle_escape": Table(
        [SADDLE_STEPS, SADDLE_STEPS + 1],  # counting from 1 passes too
        [
            (round(math.log(1e6) / math.log(1.1)), "linear prediction"),
            (math.log(1e6) / math.log(1.05), "find the first index"),
        ],  # forgot the factor 2
        (str(SADDLE_STEPS),),
    ),
    "check_momentum_escape_factor": Table(
        [ESCAPE_FACTOR, 1.1742],
        [
            (1.1, "plain GD"),
            (ESCAPE_TRACE, "sum of the two roots"),
            (ESCAPE_TRACE - ESCAPE_FACTOR, "smaller root"),
            (1.5, "take the larger root"),
            ([1.17], ""),
        ],
        ("1.174",),
    ),
    "check_clipped_gradients": Table(
        [(CLIP_G / 13, [1.0, -1.0])],
        [
            (([1.0, -1.0], CLIP_G / 13), "swapped"),
            ((CLIP_G / 17, [1.0, -1.0]), "‖(12, −5)‖"),
            ((CLIP_G / 13, [1.0, 1.0]), "signs kept"),
            ((CLIP_G / 13, [1.0, -5.0 / 12]), "clamp each coordinate"),
            (([1.0], [1.0, -1.0]), "vector of two numbers"),
        ],
        ("0.923", "13"),
    ),
    # ----------------------------------------------------------------------- 08 · learning-rate schedules
    "check_step_lr_value": Table(
        [1e-3],
        [(1e-4, "rounded down"), (0.01, "every multiple"), (0.1 * 0.1**2.5, "rounded down"), (0.1, "")],
        ("0.001",),
    ),
    "check_cosine_midpoint": Table([0.0505], [(0.05, "η_min"), (0.1, ""), (0.001, ""), (0.0, "")], ("0.0505",)),
    "check_one_cycle_ends": Table(
        [(0.016, 1.6e-6)],
        [
            ((0.016, 4e-5), "initial"),
            ((0.4, 1.6e-6), "div_factor"),
            ((0.4, 4e-5), ""),
            (("a", 1.6e-6), ""),
            ((0.1, 0.1), "rises from"),
        ],
        ("0.016", "1.6"),
    ),
    "check_plateau_lr": Table(
        [0.05], [(0.1, "does drop once"), (0.025, "starts again"), (0.0125, "starts again"), (0.5, "")], ("0.05",)
    ),
    # ----------------------------------------------------------------------- 09 · regularization
    "check_elastic_net_prox": Table(
        [elastic_net_prox, lambda z, c1, c2: F.softshrink(torch.tensor(z), c1).numpy() / (1 + c2)],
        [
            (lambda z, c1, c2: reg.soft_threshold(z, c1), "L1 prox alone"),
            (lambda z, c1, c2: reg.soft_threshold(z / (1 + c2), c1), "threshold applies to z itself"),
            (lambda z, c1, c2: z / (1 + c2), "L2 prox alone"),
            (lambda z, c1, c2: z, "one coordinate at a time"),
            (lambda z, c1, c2: z[:3], "one value per coordinate"),
            (lambda z, c1, c2: 1 / 0, "ZeroDivisionError"),
        ],
    ),
    "check_decay_halving": Table(
        [HALVING_STEPS],
        [
            (HALVING_STEPS - 1, "round up"),
            (139, "1 − η·ω₂"),
            (round(math.log(2) / 5e-3), "1 − η·ω₂"),
            (100, "(1 − ηω₂)ᵏ"),
        ],
        (str(HALVING_STEPS),),
    ),
    "check_early_stopping_epochs": Table(
        [(5, 8)],
        [
            ((10, 10), "cannot see the future"),
            ((4, 7), "count epochs from 1"),
            ((5, 7), "count epochs from 1"),
            ((5, 9), "best epoch is right"),
            ((3, 6), "walk through the list"),
            ((None, 8), "two whole epoch numbers"),
            (("five", "eight"), "two whole epoch numbers"),
        ],
    ),
    "check_dropout_values": Table(
        [(2 / 0.75, 2.0), (2.667, 2)],  # rounded
        [
            ((2.0, 2.0), "rescales the survivors"),
            ((1.5, 2.0), "probability 1 − p"),
            ((8.0, 2.0), "probability 1 − p"),
            ((2 / 0.75, 1.5), "already happened in training"),
            ((2 / 0.75, 2 / 0.75), "already happened in training"),
            ((3.0, 3.0), "use (8)"),
            ((None, 2.0), "two numbers"),
            ((2 / 0.75, "two"), "two numbers"),
        ],
        ("2.667",),
    ),
    # ----------------------------------------------------------------------- 10 · hyperparameter search
    "check_distinct_values": Table(
        [(4, 16)],
        [((16, 16), "one axis"), ((4, 4), "afresh"), ((2, 16), "one axis"), ((4, 15), "afresh"), ((16, 4), "one axis")],
        TEN_FRACTIONS,
    ),
    "check_trials_for_top_fraction": Table(
        [59, 59.0],
        [
            (58, "with 58 trials the chance is only 0.949"),
            (60, "not the fewest"),
            (20, "only 0.642"),
            (100, "not the fewest"),
            (58.4, "whole number"),
            (1, "only 0.050"),
        ],
        TEN_FRACTIONS,
    ),
    "check_halving_schedule": Table(
        [halving_schedule],
        [
            (lambda n, b, r: [], "empty"),
            (lambda n, b, r: [(b, count) for _, count in halving_schedule(n, b, r)], "budgets"),
            (lambda n, b, r: halving_schedule(n, b, r)[:-1], "too early"),
            (lambda n, b, r: halving_schedule(n, b, r) + [(b * 1000, 1)], "too many"),
            (
                lambda n, b, r: [(b * r**i, math.ceil(n / r**i)) for i in range(len(halving_schedule(n, b, r)))],
                "⌊nᵢ/r⌋",
            ),
            (lambda n, b, r: 1 / 0, "ZeroDivisionError"),
            (lambda n, b, r: None, "raised TypeError: 'NoneType' object is not iterable; it should return a list"),
        ],
        TEN_FRACTIONS,
    ),
    "check_decade_fractions": Table(
        [(0.2702, 0.018), (1 / math.log10(5000), (1e-2 - 1e-3) / (0.5 - 1e-4))],
        [
            ((0.25, 0.018), "count decades"),
            ((0.2702, 0.009), "interval's length"),
            ((0.2702, 0.2702), "interval's length"),
            ((27, 1.8), "not percentages"),
            ((0.018, 0.2702), "count decades"),
        ],
        TEN_FRACTIONS,
    ),
    # ----------------------------------------------------------------------- 11 · an MNIST CNN
    "check_conv_parameters": Table(
        [CONV_PARAMETERS, float(CONV_PARAMETERS)],
        [
            (64 * 32 * 9, "bias"),
            (64 * 10, "spans all input channels"),
            (CONV_PARAMETERS + 0.5, "whole number"),
            ("18k", "whole number"),
            (20_000, "multiply by the number of filters"),
        ],
        (str(CONV_PARAMETERS), f"{CONV_PARAMETERS:,}"),
    ),
    "check_output_sizes": Table(
        [(13, 6)],
        [
            ((14, 7), "use (2)"),
            ((26, 13), "use (2)"),
            ((12, 6), "round down before adding 1"),
            ((13, 6.5), "two whole numbers"),
            ((13, 7), "the pooling is (2)"),
        ],
    ),
    "check_conv_macs": Table(
        [CONV_MACS],
        [
            (2 * CONV_MACS, "FLOPs"),
            (12 * 12 * 64 * 32 * 9, "14×14"),
            (64 * 32 * 9, "one dot product per filter"),
            (1e6, "the output's size times"),
            ([CONV_MACS, 1], "whole number"),
        ],
        (str(CONV_MACS),),
    ),
    "check_most_confused": Table(
        [(CONFUSION, (4, 9)), (CONFUSION.tolist(), np.array([4, 9])), (TIE, (7, 2)), (TIE, (5, 3))],  # either of a tie
        [
            ((CONFUSION, (9, 4)), "rows are the true digit"),
            ((CONFUSION, (3, 5)), "blank the diagonal"),
            ((CONFUSION, (4, 4)), "the diagonal counts correct answers"),
            ((CONFUSION, (4, 10)), "0…9"),
            ((CONFUSION, "4 and 9"), "a pair of digits"),
            ((CONFUSION[:9], (4, 9)), "10×10"),
            ((NO_MISTAKES, (1, 7)), "blank the diagonal"),
        ],
    ),
    # ----------------------------------------------------------------------- 12 · tuning the CNN
    "check_he_std": Table(
        [0.05, math.sqrt(2 / 800)],
        [
            (2 / 800, "that is the variance"),
            (math.sqrt(1 / 800), "ReLU halves"),
            (0.5, "equation (7)"),
            (-0.05, "equation (7)"),
            (5.0, "equation (7)"),
        ],
        TWELVE_ANSWERS,
    ),
    "check_pytorch_default_variance": Table(
        [1 / 900, (math.sqrt(2 / 6) * math.sqrt(3 / 300)) ** 2 / 3],  # the solution's arithmetic
        [(1 / math.sqrt(300), "the bound b"), (1 / 300, "divide by 3"), (2 / 300, "He's variance"), (1 / 3, "gain")],
        TWELVE_ANSWERS,
    ),
    "check_scaled_lrs": Table(
        [(0.04, 0.002), (0.01 * 400 / 100, 1e-3 * math.sqrt(400 / 100))],
        [
            ((0.002, 0.04), "swapped"),
            ((0.02, 0.002), "√k is Adam's rule"),
            ((0.04, 0.004), "k is SGD's rule"),
            ((0.01, 0.001), "multiply η by k"),
            ((0.04, 0.02), "multiply η by √k"),
        ],
        TWELVE_ANSWERS,
    ),
    "check_filter_normalize": Table(
        [filter_normalize, lambda d, w: filter_normalize(d, w).double()],
        [
            (lambda d, w: d, "came back unchanged"),
            (lambda d, w: d / d.norm() * w.norm(), "the whole tensor at once"),
            (lambda d, w: d * w, "wrong norm"),
            (lambda d, w: d[0], "the direction's shape"),
            (lambda d, w: 1 / 0, "ZeroDivisionError"),
            (lambda d, w: "a tensor", "the direction's shape"),
        ],
    ),
    "check_reported_accuracy": Table(
        [(0.99, 0.003), (0.990, 0.993 - 0.990)],
        [
            ((0.993, 0.0), "best test epoch"),
            ((0.991, 0.002), "validation accuracy"),
            ((0.99, 0.0), "minus the honest"),
            ((99.0, 0.3), "as fractions"),
            ((0.989, 0.004), "highest validation accuracy"),
            ((0.99, -0.003), "minus"),
        ],
        TWELVE_ANSWERS,
    ),
}
