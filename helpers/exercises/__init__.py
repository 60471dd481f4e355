"""Checks for the notebooks' exercises: each prints ✓ or a hint (never the answer) and returns a Verdict.

    from helpers import exercises
    exercises.check_one_step(theta_1)

One module per notebook holds its checks, built on `_core`. A notebook's module is imported the first time one of
its names is used (PEP 562), so importing this package loads neither torch nor the other helpers.
"""

import importlib

from helpers.exercises._core import Verdict

_NAMES_BY_MODULE = {
    "start_here": ("check_one_step", "check_torch_name_of_rho", "check_adam_optimizer"),
    "gradient_descent": ("check_mae_gradient", "check_max_stable_lr", "check_optimal_step", "check_steps_needed"),
    "sgd_and_minibatches": ("check_epoch_cost", "check_minibatch_std", "check_robbins_monro", "check_running_average"),
    "momentum_and_nesterov": (
        "check_optimal_momentum",
        "check_stability_rule",
        "check_velocity_from_buffer",
        "check_momentum_speedup",
    ),
    "adagrad": ("check_adagrad_first_step", "check_adagrad_norm", "check_ramp_steps", "check_aligned_angle"),
    "rmsprop": (
        "check_rmsprop_memory",
        "check_rmsprop_first_step",
        "check_rmsprop_constant_gradient",
        "check_rmsprop_warmup_steps",
    ),
    "adam_and_adamw": ("check_uncorrected_first_step", "check_first_moment", "check_adamw_decay", "check_large_eps_lr"),
    "optimizer_race": (
        "RACE_GAPS",
        "check_gap_summary",
        "check_basins_changed",
        "check_saddle_escape",
        "check_momentum_escape_factor",
        "check_clipped_gradients",
    ),
    "learning_rate_schedules": (
        "check_step_lr_value",
        "check_cosine_midpoint",
        "check_one_cycle_ends",
        "PLATEAU_EXERCISE_METRICS",
        "check_plateau_lr",
    ),
    "regularization": (
        "check_elastic_net_prox",
        "check_decay_halving",
        "check_early_stopping_epochs",
        "check_dropout_values",
    ),
    "hyperparameter_search": (
        "check_distinct_values",
        "check_trials_for_top_fraction",
        "check_halving_schedule",
        "check_decade_fractions",
    ),
    "mnist_cnn": ("check_conv_parameters", "check_output_sizes", "check_conv_macs", "check_most_confused"),
    "tuning_the_cnn": (
        "check_he_std",
        "check_pytorch_default_variance",
        "check_scaled_lrs",
        "check_filter_normalize",
        "EPOCH_LOG_VALIDATION",
        "EPOCH_LOG_TEST",
        "check_reported_accuracy",
    ),
}
"""Every public name, under the notebook module that defines it, in the notebook's order."""

_MODULE_OF = {name: module for module, names in _NAMES_BY_MODULE.items() for name in names}

__all__ = ["Verdict", *_MODULE_OF]


def __getattr__(name):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups find it without coming back here
    return value


def __dir__():
    return sorted({*globals(), *_MODULE_OF})
