"""The controls of a panel: sliders on linear and log scales, choices, toggles and drop-downs, checked."""

import math

import ipywidgets

from helpers._checks import integer, real

# --------------------------------------------------------------------------- controls


def _bounds(description, low, high, log=False):
    """The finite bounds low < high of a slider (both > 0 on a log scale), or a ValueError naming them."""
    low, high = real(f"{description}: the lower bound", low), real(f"{description}: the upper bound", high)
    if log and low <= 0:
        raise ValueError(f"{description}: a log-scale slider needs a lower bound > 0, got {low!r}")
    if low >= high:
        raise ValueError(f"{description}: the lower bound {low!r} must be below the upper bound {high!r}")
    return low, high


def log_slider(description, value, low, high, step=0.05, readout_format=".2g"):
    """A FloatLogSlider from `low` to `high` (widened to whole decades that hold `value`)."""
    low, high = _bounds(description, low, high, log=True)
    value = real(description, value)
    if value <= 0:
        raise ValueError(f"{description} must be > 0 on a log-scale slider, got {value!r}")
    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        step=step,
        description=description,
        readout_format=readout_format,
        min=math.floor(math.log10(min(low, value))),
        max=math.ceil(math.log10(max(high, value))),
    )


def slider(description, value, low, high, step=0.01, readout_format=".2f"):
    """A FloatSlider from `low` to `high`, widened to hold `value`."""
    low, high = _bounds(description, low, high)
    value = real(description, value)
    return ipywidgets.FloatSlider(
        value=value,
        min=min(low, value),
        max=max(high, value),
        step=step,
        description=description,
        readout_format=readout_format,
    )


def choice_slider(description, value, options):
    """A SelectionSlider over the numbers `options`; `value` is added if it is not among them."""
    value = real(description, value)
    values = sorted({*map(float, options), value})
    return ipywidgets.SelectionSlider(options=[(f"{v:g}", v) for v in values], value=value, description=description)


def int_slider(description, value, low, high, step=1):
    """An IntSlider from `low` to `high` in steps of `step`, widened to hold `value`."""
    low = integer(f"{description}: the lower bound", low)
    high = integer(f"{description}: the upper bound", high)
    if low >= high:
        raise ValueError(f"{description}: the lower bound {low!r} must be below the upper bound {high!r}")
    value = integer(description, value)
    step = integer(f"{description}: the step", step, 1)
    return ipywidgets.IntSlider(
        value=value, min=min(low, value), max=max(high, value), step=step, description=description
    )


def _options(description, options, value):
    """(label, value) pairs from a dict label → value or a list of values, and the chosen value."""
    if isinstance(options, dict):
        pairs = list(options.items())
    elif isinstance(options, (list, tuple, range)):
        pairs = [(str(option), option) for option in options]
    else:
        raise ValueError(f"{description}: options must be a dict label → value or a list of values, got {options!r}")
    if not pairs:
        raise ValueError(f"{description}: options must not be empty")
    labels = [label for label, _ in pairs]
    if not all(isinstance(label, str) for label in labels):
        raise ValueError(f"{description}: option labels must be strings, got {labels!r}")
    if len(set(labels)) < len(labels):
        raise ValueError(f"{description}: option labels must differ, got {labels!r}")
    values = [option for _, option in pairs]
    if value is None:
        return pairs, values[0]
    if not any(value == option and type(value) is type(option) for option in values):
        raise ValueError(f"{description}: the value {value!r} is not among the options ({', '.join(labels)})")
    return pairs, value


def toggle(description, options, value=None):
    """One button per option, one of them pressed: `options` is a dict label → value or a list of values.

    `value` (default: the first option's) must be among the options' values.
        toggle("method", {"heavy ball": "heavy_ball", "Nesterov": "nesterov"})
    """
    pairs, value = _options(description, options, value)
    return ipywidgets.ToggleButtons(options=pairs, value=value, description=description)


def dropdown(description, options, value=None):
    """A drop-down list, for more options than buttons would fit; the arguments are those of `toggle`."""
    pairs, value = _options(description, options, value)
    return ipywidgets.Dropdown(options=pairs, value=value, description=description)
