"""Racing optimizers fairly on the 2-D surfaces: clipped gradients, a tuning protocol, robust summaries, basins.

    grad = clipped(surface.grad, max_norm=1.0)                     # clip_grad_norm_ before every step
    gaps = final_gaps(surface, optim.run(opt, surface.grad, starts, 200))   # f(θ_T) − f* per start
    summarize(gaps)                                                # median, quartiles, success rate
    pool = trial_pool(RACERS["Adam"], surface, tune_starts, test_starts, steps=200, n_trials=40)
    searches = resample_searches(pool, budget=16, repeats=50)      # 50 random searches of 16 trials each
    basins = basin_map(surface, optim.adam(lr=0.1), resolution=60) # the minimum each of 3600 starts reaches

A fair comparison gives every optimizer the same tuning budget over *all* of its hyperparameters
(η, and μ, ρ, β₁, β₂, ε, ω too), then judges the tuned optimizer on starting points the search never
saw, and reports the median and the spread over many starts and searches, never one lucky run
(Choi et al. 2019, "On Empirical Comparisons of Optimizers for Deep Learning").
"""

import math
from typing import Any, NamedTuple

import numpy as np

from helpers import descent, optim, roundoff, search
from helpers._checks import integer, positive

# --------------------------------------------------------------------------- checks


def _starts(name, starts):
    starts = np.asarray(starts, dtype=np.float64)
    if starts.ndim != 2 or starts.shape[0] == 0 or starts.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) with N ≥ 1, got {starts.shape}")
    if not np.isfinite(starts).all():
        raise ValueError(f"{name} must be finite")
    return starts


# --------------------------------------------------------------------------- gradient clipping


def clip_by_norm(g, max_norm, eps=1e-6):
    """Rescale g to norm at most `max_norm`, keeping its direction (torch.nn.utils.clip_grad_norm_).

    The norm is taken over the last axis, so a batch (N, d) of gradients — N independent runs — is
    clipped row by row. As in torch, the factor is max_norm / (‖g‖ + eps), capped at 1.
    """
    max_norm = positive("max_norm", max_norm)
    if eps != 0:
        eps = positive("eps", eps)
    g = np.asarray(g, dtype=np.float64)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)  # ‖g‖, one per run
    return g * np.minimum(1.0, max_norm / (norm + eps))  # g ← g · min(1, c / (‖g‖ + eps))


def clip_by_value(g, clip_value):
    """Clamp every coordinate of g to [−clip_value, clip_value] (torch.nn.utils.clip_grad_value_).

    Only the large coordinates shrink, so the direction of g changes whenever one is clipped.
    """
    clip_value = positive("clip_value", clip_value)
    return np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value)  # gᵢ ← max(−c, min(c, gᵢ))


class ClippedGradient:
    """grad_fn(θ) clipped by norm or by value before the optimizer sees it; reset() passes through."""

    def __init__(self, grad_fn, max_norm=None, clip_value=None):
        if not callable(grad_fn):
            raise ValueError("grad_fn must be callable as grad_fn(θ) -> g")
        if (max_norm is None) == (clip_value is None):
            raise ValueError("give exactly one of max_norm (clip by norm) and clip_value (clip by value)")
        self.grad_fn = grad_fn
        self.max_norm = None if max_norm is None else positive("max_norm", max_norm)
        self.clip_value = None if clip_value is None else positive("clip_value", clip_value)

    def reset(self):
        reset = getattr(self.grad_fn, "reset", None)
        if callable(reset):
            reset()

    def __call__(self, theta):
        g = self.grad_fn(theta)
        if self.max_norm is not None:
            return clip_by_norm(g, self.max_norm)
        return clip_by_value(g, self.clip_value)

    def __repr__(self):
        how = f"max_norm={self.max_norm:g}" if self.max_norm is not None else f"clip_value={self.clip_value:g}"
        return f"ClippedGradient({how})"


def clipped(grad_fn, max_norm=None, clip_value=None):
    """A gradient function that clips grad_fn's output: by norm (`max_norm`) or by value (`clip_value`)."""
    return ClippedGradient(grad_fn, max_norm, clip_value)


# --------------------------------------------------------------------------- results of runs


def final_gaps(surface, run):
    """f(θ_T) − f* for each start of `run` (a Trajectory); ∞ for a diverged run; round-off below 0 → 0."""
    if not isinstance(run, optim.Trajectory):
        raise ValueError(f"run must be a Trajectory from optim.run, got {type(run).__name__}")
    with np.errstate(all="ignore"):
        gaps = np.asarray(surface.f(run.final), dtype=np.float64) - surface.f_star
    gaps = np.where(np.asarray(run.diverged) | ~np.isfinite(gaps), np.inf, np.maximum(gaps, 0.0))
    return gaps


def _quantile(ordered, q):
    """The q-quantile of sorted values, interpolated linearly as np.percentile does; ∞ allowed."""
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    a, b, t = ordered[low], ordered[high], position - low
    if low == high or a == b:
        return float(a)
    if math.isinf(b):
        return math.inf
    return float(a + (b - a) * t if t < 0.5 else b - (b - a) * (1 - t))  # numpy's two-sided lerp


class Summary(NamedTuple):
    """Final gaps of many runs in five numbers: the middle, the spread, how often it worked or blew up."""

    median: float
    q25: float
    q75: float
    success_rate: float  # the fraction of runs with gap < tol
    diverged_rate: float  # the fraction of runs that diverged (gap ∞)
    n: int

    @property
    def iqr(self):
        """The interquartile range q75 − q25 (∞ once a quarter of the runs diverged)."""
        return self.q75 - self.q25


def summarize(gaps, tol=descent.TOLERANCE):
    """Median, quartiles and success rate of final gaps f(θ_T) − f* ≥ 0 (∞ for a diverged run).

    Quartiles interpolate linearly between the sorted gaps, as np.percentile does, and the median is
    np.median's; next to a diverged run they are ∞ (np.percentile would give NaN).
    """
    tol = positive("tol", tol)
    gaps = np.asarray(gaps, dtype=np.float64).ravel()
    if gaps.size == 0:
        raise ValueError("gaps must hold at least one final gap")
    if np.isnan(gaps).any() or (gaps < 0).any():
        raise ValueError("gaps must be ≥ 0 (∞ for a diverged run), without NaN")
    ordered = np.sort(gaps)
    return Summary(
        median=float(np.median(gaps)),  # the mean of the middle two: ∞ next to a diverged run, never NaN
        q25=_quantile(ordered, 0.25),
        q75=_quantile(ordered, 0.75),
        success_rate=float(np.mean(gaps < tol)),
        diverged_rate=float(np.mean(np.isinf(gaps))),
        n=int(gaps.size),
    )


# --------------------------------------------------------------------------- the racers


class Racer(NamedTuple):
    """An entrant of the race: a helpers.optim factory, its fixed flags and the space it is tuned over.

    Decay rates are searched as 1 − μ, 1 − ρ, 1 − β on a log scale, as Choi et al. (2019) did: 0.9 → 0.99
    is as big a change as 0 → 0.9. `defaults` holds the value of every key but "lr" for a search over
    η alone: torch's defaults, with μ = 0.9 for the momentum methods.
    """

    name: str
    optimizer: str
    fixed: dict
    space: dict
    defaults: dict

    def hparams(self, config):
        """The keyword arguments of optim.get(self.optimizer, …) for a config (missing keys: `defaults`)."""
        values = {**self.defaults, **config}
        unknown = sorted(set(values) - set(self.space))
        if unknown:
            raise ValueError(
                f"{self.name} has no hyperparameter {', '.join(unknown)}; its space: {', '.join(self.space)}"
            )
        missing = sorted(set(self.space) - set(values))
        if missing:
            raise ValueError(f"the config for {self.name} lacks {', '.join(missing)}")
        kwargs = dict(self.fixed)
        for key, value in values.items():
            if key.startswith("one_minus_"):
                continue
            kwargs[key] = value
        if "one_minus_momentum" in values:
            kwargs["momentum"] = 1 - values["one_minus_momentum"]  # μ = 1 − (1 − μ)
        if "one_minus_alpha" in values:
            kwargs["alpha"] = 1 - values["one_minus_alpha"]  # ρ, torch's alpha
        if "one_minus_beta1" in values:
            kwargs["betas"] = (1 - values["one_minus_beta1"], 1 - values["one_minus_beta2"])  # (β₁, β₂)
        return kwargs

    def build(self, config):
        """The optim.Optimizer for a config such as {"lr": 0.01} (missing keys: `defaults`)."""
        return optim.get(self.optimizer, **self.hparams(config))

    def lr_space(self):
        """The search space over η alone: the other hyperparameters stay at `defaults`."""
        return {"lr": self.space["lr"]}


def _racers():
    lr = search.loguniform(1e-4, 1.0)
    momentum = {"lr": lr, "one_minus_momentum": search.loguniform(1e-2, 1.0)}  # μ ∈ [0, 0.99]
    nesterov = {"lr": lr, "one_minus_momentum": search.loguniform(1e-2, 0.99)}  # Nesterov needs μ > 0
    adam = {
        "lr": lr,
        "one_minus_beta1": search.loguniform(1e-2, 1.0),
        "one_minus_beta2": search.loguniform(1e-4, 1.0),
        "eps": search.loguniform(1e-10, 1.0),
    }
    adam_defaults = {"one_minus_beta1": 0.1, "one_minus_beta2": 1e-3, "eps": 1e-8}
    return (
        Racer("SGD", "sgd", {}, {"lr": lr}, {}),
        Racer("momentum", "sgd", {}, momentum, {"one_minus_momentum": 0.1}),
        Racer("Nesterov", "sgd", {"nesterov": True}, nesterov, {"one_minus_momentum": 0.1}),
        Racer(
            "AdaGrad",
            "adagrad",
            {},
            {"lr": search.loguniform(1e-3, 10.0), "eps": search.loguniform(1e-10, 1.0)},
            {"eps": 1e-10},
        ),
        Racer(
            "RMSprop",
            "rmsprop",
            {},
            {"lr": lr, "one_minus_alpha": search.loguniform(1e-3, 1.0), "eps": search.loguniform(1e-10, 1.0)},
            {"one_minus_alpha": 0.01, "eps": 1e-8},
        ),
        Racer("Adam", "adam", {}, adam, adam_defaults),
        Racer(
            "AdamW",
            "adamw",
            {},
            {**adam, "weight_decay": search.loguniform(1e-4, 1.0)},
            {**adam_defaults, "weight_decay": 1e-2},
        ),
    )


RACERS = {racer.name: racer for racer in _racers()}
"""The seven optimizers of notebooks 02–06, by name, in course order."""


# --------------------------------------------------------------------------- the tuning protocol


def random_starts(surface, n, seed=0):
    """n starting points drawn uniformly over the surface's plot limits, reproducibly from `seed`."""
    n = integer("n", n, 1)
    low, high = (surface.xlim[0], surface.ylim[0]), (surface.xlim[1], surface.ylim[1])
    return np.random.default_rng(seed).uniform(low, high, size=(n, 2))


class TrialPool(NamedTuple):
    """Random configurations of one racer, each run once from every tuning start and every test start.

    tune_scores[k]: the median final gap of configuration k over the tuning starts — all a search sees.
    test_gaps[k]: its final gaps from the test starts (k, n_test) — what the comparison reports.
    """

    racer: Any
    configs: list
    tune_scores: np.ndarray
    test_gaps: np.ndarray


def trial_pool(racer, surface, tune_starts, test_starts, steps, n_trials, seed=0, space=None, grad_fn=None):
    """`n_trials` configurations drawn from `space` (default: all of racer.space), each run for `steps` steps.

    All starts of one configuration run in one vectorized optim.run. `grad_fn` defaults to surface.grad.
    """
    if not isinstance(racer, Racer):
        raise ValueError(f"racer must be a Racer (e.g. race.RACERS['Adam']), got {type(racer).__name__}")
    tune_starts, test_starts = _starts("tune_starts", tune_starts), _starts("test_starts", test_starts)
    steps, n_trials = integer("steps", steps, 1), integer("n_trials", n_trials, 1)
    configs = search.sample(racer.space if space is None else space, n_trials, seed)
    starts = np.concatenate([tune_starts, test_starts])
    grad_fn = surface.grad if grad_fn is None else grad_fn
    tune_scores, test_gaps = [], []
    for config in configs:
        gaps = final_gaps(surface, optim.run(racer.build(config), grad_fn, starts, steps))
        tune_scores.append(summarize(gaps[: len(tune_starts)]).median)
        test_gaps.append(gaps[len(tune_starts) :])
    return TrialPool(racer, configs, np.array(tune_scores), np.array(test_gaps))


class Searches(NamedTuple):
    """Many random searches resampled from one pool: the configuration each picked and its test gaps."""

    chosen: np.ndarray  # (repeats,) index into the pool's configs
    test_gaps: np.ndarray  # (repeats, n_test)


def resample_searches(pool, budget, repeats, seed=0):
    """`repeats` random searches of `budget` trials each, drawn without replacement from the pool.

    Each search keeps the trial with the lowest tuning score (search.ranking; a diverged trial is last,
    of equal scores the one drawn first from the pool) and is judged by that trial's test gaps; with
    budget = the pool's size it is search.random_search over the pool's configurations. Resampling a pool of runs done once costs nothing, where
    rerunning `repeats` searches would cost repeats × budget runs.
    """
    if not isinstance(pool, TrialPool):
        raise ValueError(f"pool must be a TrialPool from trial_pool, got {type(pool).__name__}")
    budget, repeats = integer("budget", budget, 1), integer("repeats", repeats, 1)
    if budget > len(pool.configs):
        raise ValueError(f"budget must be ≤ the pool's {len(pool.configs)} trials, got {budget}")
    rng = np.random.default_rng(seed)
    chosen = []
    for _ in range(repeats):
        tried = np.sort(rng.choice(len(pool.configs), size=budget, replace=False))  # ties: the earlier draw
        chosen.append(tried[search.ranking(pool.tune_scores[tried])[0]])
    chosen = np.array(chosen)
    return Searches(chosen, pool.test_gaps[chosen])


def ranking(summaries, digits=2):
    """Names {name: Summary} from best to worst: lowest median gap first, then highest success rate.

    Medians equal to `digits` significant digits, with success rates equal to the whole percent that
    `table` prints, share a place: the result is a list of places, each a list of names. Medians below
    roundoff.THRESHOLD are all equal: a gap of 7.9e-31 and one of 3.2e-30 are the same minimum, told
    apart only by round-off.
    """
    digits = integer("digits", digits, 1)

    def key(name):
        s = summaries[name]
        median = max(s.median, roundoff.THRESHOLD)  # round-off ties
        return float(f"{median:.{digits - 1}e}"), -round(100 * s.success_rate)

    places = []
    for name in sorted(summaries, key=key):
        if places and key(places[-1][0]) == key(name):
            places[-1].append(name)
        else:
            places.append([name])
    return places


def table(summaries):
    """Lines of a text table {name: Summary}: median gap, the quartiles, success and divergence rates.

    A gap below roundoff.THRESHOLD prints as "< 1e-12": its digits are round-off and differ between CPUs.
    """
    lines = [f"{'optimizer':<10} {'median f−f*':>12} {'IQR (25%–75%)':>21} {'success':>8} {'diverged':>9}"]
    for name, s in summaries.items():
        median, q25, q75 = (roundoff.fmt(gap) for gap in (s.median, s.q25, s.q75))
        iqr = f"{'both ' + q75:^21}" if roundoff.is_roundoff(s.q75) else f"{q25:>10}–{q75:<10}"
        lines.append(f"{name:<10} {median:>12} {iqr} {s.success_rate:>8.0%} {s.diverged_rate:>9.0%}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- basins of attraction


def nearest_minimum(surface, points, radius=0.05):
    """The index of the listed minimizer within `radius` of each point, or −1 where there is none."""
    radius = positive("radius", radius)
    points = np.asarray(points, dtype=np.float64)
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    distances = np.linalg.norm(points[..., None, :] - minima, axis=-1)  # (…, k)
    labels = np.argmin(distances, axis=-1)
    return np.where(np.min(distances, axis=-1) < radius, labels, -1)


class BasinMap(NamedTuple):
    """Where runs from a grid of starts end: labels[i, j] for the start (x[j], y[i]).

    A label is the index of the minimizer reached (surface.minima), −1 for none within the radius, −2
    for a diverged run.
    """

    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray
    run: Any

    def fractions(self, n_minima):
        """The fraction of starts ending in each minimizer 0 … n_minima − 1, then none, then diverged."""
        counts = [np.mean(self.labels == k) for k in range(n_minima)]
        return np.array(counts + [np.mean(self.labels == -1), np.mean(self.labels == -2)])


def basin_map(surface, opt, resolution=60, steps=300, radius=0.05):
    """Run `opt` from a resolution × resolution grid of starts over the surface's limits, in one call."""
    if not isinstance(opt, optim.Optimizer):
        raise ValueError(f"opt must be an Optimizer (e.g. optim.adam(lr=0.1)), got {type(opt).__name__}")
    resolution = integer("resolution", resolution, 2)
    x, y = np.linspace(*surface.xlim, resolution), np.linspace(*surface.ylim, resolution)
    starts = np.stack(np.meshgrid(x, y), axis=-1).reshape(-1, 2)
    run = optim.run(opt, surface.grad, starts, integer("steps", steps, 1))
    labels = np.where(run.diverged, -2, nearest_minimum(surface, run.final, radius))
    return BasinMap(x, y, labels.reshape(resolution, resolution), run)
