"""How long a run takes, said before it starts and shown while it runs.

    seconds = fit_seconds(step_seconds, epochs=10, n_train=4500, batch_size=100, n_val=500)
    announce("Training for 10 epochs", seconds)   # "…: about 3 min on this machine (estimated from timed steps)"
    with progress_bar(total=10) as bar: …          # a tqdm bar with the time left

`training.seconds_per_step` times the steps these estimates start from.
"""

import math
import sys

from helpers._checks import integer, non_negative
from helpers.environment import quick_mode


def fit_seconds(step_seconds, epochs, n_train, batch_size, n_val=0):
    """About how long `fit` takes: epochs · (⌈n_train/B⌉ + n_val/(3B)) · step_seconds.

    A training step costs about three forward passes (forward, and two products per layer backward),
    so evaluating n_val validation images each epoch costs about n_val/(3B) steps.
    """
    step_seconds, epochs, n_train, n_val = (
        non_negative(name, value)
        for name, value in (("step_seconds", step_seconds), ("epochs", epochs), ("n_train", n_train), ("n_val", n_val))
    )
    batch_size = integer("batch_size", batch_size, 1)
    steps = math.ceil(n_train / batch_size) + n_val / (3 * batch_size)
    return epochs * steps * step_seconds


def format_duration(seconds):
    """A duration as a person reads it: "under 10 s", "40 s", "3 min", "1 h 20 min" (rounded)."""
    seconds = non_negative("seconds", seconds)
    if seconds < 10:
        return "under 10 s"
    if seconds < 90:
        return f"{round(seconds, -1):.0f} s"
    minutes = seconds / 60
    if minutes < 10:
        return f"{minutes:.1f} min".replace(".0 min", " min")
    if minutes < 60:
        return f"{round(minutes):.0f} min"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def about(seconds):
    """An estimated duration in words: "about 3 min", or "under 10 s" for a short one."""
    duration = format_duration(seconds)
    return duration if duration.startswith("under") else f"about {duration}"


def announce(what, seconds):
    """Print, before a long run starts, what it will do and about how long that takes here."""
    print(f"{what}: {about(seconds)} on this machine (estimated from timed steps)", flush=True)


class _DisplayLine:
    """A file for tqdm that shows the bar as one notebook output, updated in place.

    A stored notebook then keeps the bar's last state: one line, not one output per refresh.
    """

    def __init__(self):
        from IPython.display import display

        self._handle = display({"text/plain": ""}, raw=True, display_id=True)

    def write(self, text):
        line = text.replace("\r", "").rstrip()  # tqdm redraws its line by writing "\r" + bar
        if line:
            self._handle.update({"text/plain": line}, raw=True)

    def flush(self):
        pass


def _in_a_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress_bar(total, description=None, *, unit="it", unit_scale=False, initial=0, disable=None):
    """A tqdm progress bar with the time left (ETA); off in quick mode unless `disable` says otherwise.

    In a notebook it is a single output line updated in place, so that a stored notebook holds its
    last state (tqdm's widget would not be stored, and text on stderr would be stored once per
    refresh); elsewhere it writes to stderr as usual. Use it as tqdm: `update(n)`, `close()` or `with`.
    """
    from tqdm.std import tqdm

    if disable is None:
        disable = quick_mode()
    in_a_notebook = _in_a_notebook() and not disable
    target = _DisplayLine() if in_a_notebook else sys.stderr
    # A notebook renders the bar's block characters; on stderr tqdm picks them to suit the terminal.
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=unit_scale,
        initial=initial,
        file=target,
        mininterval=1.0,
        disable=disable,
        dynamic_ncols=False,
        ncols=100,
        ascii=False if in_a_notebook else None,
    )
