"""Two-dimensional loss surfaces θ = (x, y) ↦ f(θ) for watching optimizers move.

Each factory returns a `Surface`: the loss `f`, its hand-derived gradient `grad`, the known minimizers,
a default start that shows what the surface is for, and plot limits. `f` and `grad` read
``xy[..., 0], xy[..., 1]``, so one call evaluates a single point (shape (2,)), a batch (N, 2) or a whole
plotting grid (H, W, 2), on numpy arrays or on torch tensors (so autograd can check `grad` and
torch.optim can run on the same surface).

    quadratic       ½ θᵀHθ, Hessian eigenvalues λ₁ = 1 and λ₂ = κ, eigenbasis rotated by `angle`
    rosenbrock      a long curved banana valley
    beale           flat plateaus and a narrow valley, values spanning five orders of magnitude
    himmelblau      four global minima: which one you reach depends on start and optimizer
    saddle          a strict saddle at the origin between two minima
    multi_minimum   Gaussian wells of different depth and width on a shallow bowl
    plateau         a large nearly flat region around one narrow well: gradients vanish
    cliff           a steep wall where the gradient explodes (the case for gradient clipping)
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from helpers._backend import as_array, namespace, stack_last
from helpers._checks import positive, real


class Surface(NamedTuple):
    """A 2-D loss surface and what is needed to plot and optimize on it."""

    name: str
    f: Callable
    """f(xy) → loss of shape xy.shape[:-1]."""
    grad: Callable
    """grad(xy) → ∇f of shape xy.shape."""
    minima: np.ndarray
    """(k, 2) float64: the global and local minimizers."""
    start: np.ndarray
    """(2,) float64: the default starting point θ₀."""
    xlim: tuple
    """(low, high) x range for contour plots."""
    ylim: tuple
    """(low, high) y range for contour plots."""

    @property
    def f_star(self):
        """f*, the lowest value of f over the listed minimizers: where every gap f(θ) − f* is measured from."""
        return float(np.min(self.f(np.asarray(self.minima, dtype=np.float64))))


def _coordinates(xy):
    """(x, y, array module) of points `xy` of shape (..., 2), numpy-like or torch."""
    xy = as_array(xy)
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise ValueError(
            f"xy must have shape (..., 2) — points (x, y) along the last axis; got shape {tuple(xy.shape)}"
        )
    return xy[..., 0], xy[..., 1], namespace(xy)


def _points(rows):
    """Minimizers or a start as a float64 array."""
    return np.array(rows, dtype=np.float64)


def _polish(grad, guesses, steps=8, h=1e-6):
    """Newton's method on ∇f(θ) = 0 from each guess, so listed minimizers are exact to float64.

    The Hessian is the central difference of the analytic gradient; a slightly wrong Hessian only slows
    Newton down, the fixed point is still ∇f = 0.
    """
    points = _points(guesses)
    for _ in range(steps):
        columns = [(grad(points + shift) - grad(points - shift)) / (2 * h) for shift in np.eye(2) * h]
        hessians = np.stack(columns, axis=-1)  # H[k, i, j] = ∂²f/∂θᵢ∂θⱼ at point k
        points = points - np.linalg.solve(hessians, grad(points)[..., None])[..., 0]  # θ ← θ − H⁻¹∇f
    return points


def hessian(kappa=10.0, angle=0.0):
    """The 2×2 Hessian H = R diag(1, κ) Rᵀ of `quadratic`, R the rotation by `angle` radians.

    Its eigenvalues are λ₁ = 1, eigenvector (cos angle, sin angle), and λ₂ = κ, eigenvector
    (−sin angle, cos angle); so λ_max = κ and plain gradient descent is stable for η < 2/κ.
    """
    kappa = real("kappa", kappa, 1.0)
    angle = real("angle", angle)
    c, s = math.cos(angle), math.sin(angle)
    off_diagonal = (1.0 - kappa) * c * s
    # H = R diag(1, κ) Rᵀ, written out so that H is exactly symmetric
    return np.array([[c**2 + kappa * s**2, off_diagonal], [off_diagonal, s**2 + kappa * c**2]])


def quadratic(kappa=10.0, angle=0.0):
    """f(θ) = ½ θᵀHθ with condition number κ = λ₂/λ₁ and the eigenbasis rotated by `angle` radians.

    The minimum is θ* = 0. With angle = 0 the stiff direction is the y axis, so per-coordinate step sizes
    (AdaGrad, RMSprop, Adam) undo the ill-conditioning; rotated, they cannot. The start is (−4, 2) in the
    eigenbasis — far out along the flat direction, off-axis in the stiff one — so gradient descent
    zig-zags across the valley when κ > 1.
    """
    H = hessian(kappa, angle)
    a, b, d = H[0, 0], H[0, 1], H[1, 1]
    angle = real("angle", angle)

    def f(xy):
        x, y, _ = _coordinates(xy)
        return 0.5 * (a * x**2 + 2 * b * x * y + d * y**2)  # f = ½ θᵀHθ

    def grad(xy):
        x, y, _ = _coordinates(xy)
        return stack_last([a * x + b * y, b * x + d * y])  # ∇f = Hθ

    c, s = math.cos(angle), math.sin(angle)
    start = _points([-4.0 * c - 2.0 * s, -4.0 * s + 2.0 * c])  # θ₀ = R (−4, 2)
    return Surface("quadratic", f, grad, _points([[0.0, 0.0]]), start, (-5.0, 5.0), (-5.0, 5.0))


def rosenbrock(a=1.0, b=100.0):
    """f(x, y) = (a − x)² + b (y − x²)²: a long, curved, flat-bottomed valley with its minimum at (a, a²).

    The walls are steep (curvature ~ b across the valley) while the floor is nearly flat, so gradient
    descent needs a small η and then crawls along the floor. Start (−1.5, 2) is high on the far side.
    """
    a = real("a", a)
    b = positive("b", b)

    def f(xy):
        x, y, _ = _coordinates(xy)
        return (a - x) ** 2 + b * (y - x**2) ** 2  # f = (a − x)² + b (y − x²)²

    def grad(xy):
        x, y, _ = _coordinates(xy)
        valley = y - x**2
        return stack_last([-2 * (a - x) - 4 * b * x * valley, 2 * b * valley])  # ∂f/∂x, ∂f/∂y

    half_width = max(2.0, abs(a) + 1.0)
    return Surface(
        "rosenbrock",
        f,
        grad,
        _points([[a, a**2]]),
        _points([-1.5, 2.0]),
        (-half_width, half_width),
        (-1.0, max(3.0, a**2 + 1.0)),
    )


def beale():
    """f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum f(3, ½) = 0.

    Flat plateaus next to walls of height ~10⁵ and a narrow curved valley leading to the minimum: one
    learning rate cannot suit both, which is where adaptive methods shine. Plot it on a log scale.
    """

    def f(xy):
        x, y, _ = _coordinates(xy)
        # f = Σₖ (cₖ − x + x yᵏ)², (c₁, c₂, c₃) = (1.5, 2.25, 2.625)
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2

    def grad(xy):
        x, y, _ = _coordinates(xy)
        r1, r2, r3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3  # residuals rₖ
        d_dx = 2 * (r1 * (y - 1) + r2 * (y**2 - 1) + r3 * (y**3 - 1))  # ∂f/∂x = 2 Σₖ rₖ (yᵏ − 1)
        d_dy = 2 * x * (r1 + 2 * r2 * y + 3 * r3 * y**2)  # ∂f/∂y = 2x Σₖ k rₖ yᵏ⁻¹
        return stack_last([d_dx, d_dy])

    return Surface("beale", f, grad, _points([[3.0, 0.5]]), _points([1.0, 1.5]), (-4.5, 4.5), (-4.5, 4.5))


def himmelblau():
    """f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four global minima, all with f = 0.

    The start (0, −1) is beside the local maximum near (−0.27, −0.92), where the four basins meet: plain
    gradient descent and momentum slide to (3.58, −1.85), Adam's sign-like first steps carry it to (3, 2).
    """

    def f(xy):
        x, y, _ = _coordinates(xy)
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2  # f = (x² + y − 11)² + (x + y² − 7)²

    def grad(xy):
        x, y, _ = _coordinates(xy)
        u, v = x**2 + y - 11, x + y**2 - 7
        return stack_last([4 * x * u + 2 * v, 2 * u + 4 * y * v])  # ∂f/∂x = 4xu + 2v, ∂f/∂y = 2u + 4yv

    rounded_minima = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    minima = _polish(grad, rounded_minima)
    return Surface("himmelblau", f, grad, minima, _points([0.0, -1.0]), (-5.0, 5.0), (-5.0, 5.0))


def saddle():
    """f(x, y) = x² − y² + ¼y⁴: a strict saddle at the origin between the minima (0, ±√2), where f = −1.

    At the saddle the Hessian is diag(2, −2); the ¼y⁴ term only bounds the surface below. The start
    (−2.5, 10⁻³) is just off the x axis, the saddle's attracting direction: gradient descent slides to
    the saddle and lingers there while the tiny y offset grows by a factor (1 + 2η) per step, until it
    carries θ down into a minimum. Started exactly on the axis, it would converge to the saddle.
    """

    def f(xy):
        x, y, _ = _coordinates(xy)
        return x**2 - y**2 + 0.25 * y**4  # f = x² − y² + ¼y⁴

    def grad(xy):
        x, y, _ = _coordinates(xy)
        return stack_last([2 * x, -2 * y + y**3])  # ∇f = (2x, −2y + y³)

    root2 = math.sqrt(2.0)
    minima = _points([[0.0, root2], [0.0, -root2]])
    return Surface("saddle", f, grad, minima, _points([-2.5, 1e-3]), (-3.0, 3.0), (-2.5, 2.5))


_BOWL = 0.05
"""Curvature β of multi_minimum's bowl ½β|θ|², which keeps far-away points sliding back in."""

_WELLS = (
    # (centre cᵢ, depth dᵢ, width σᵢ): a deep narrow well, a wide shallower one, and two small ones
    ((-1.5, -1.0), 2.0, 0.5),
    ((1.5, 1.2), 1.5, 1.0),
    ((-1.5, 1.8), 1.0, 0.6),
    ((1.8, -1.8), 0.8, 0.5),
)


def multi_minimum():
    """f(θ) = ½β|θ|² − Σᵢ dᵢ exp(−|θ − cᵢ|² / 2σᵢ²): four basins of different depth and width.

    The deepest well is narrow (curvature dᵢ/σᵢ² = 8), a shallower one is wide (1.5): which basin a run
    ends in depends on where it starts (maps of basins of attraction) and on its step size. From the start
    (−2.5, 0) gradient descent with η = 0.1 settles in the deep narrow well; with η above about 2/8 it
    cannot stay in it, and η = 1 ends in the wide one.
    """

    def f(xy):
        x, y, xp = _coordinates(xy)
        value = 0.5 * _BOWL * (x**2 + y**2)  # ½β|θ|²
        for (cx, cy), depth, width in _WELLS:
            # − dᵢ exp(−|θ − cᵢ|²/2σᵢ²)
            value = value - depth * xp.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2))
        return value

    def grad(xy):
        x, y, xp = _coordinates(xy)
        d_dx, d_dy = _BOWL * x, _BOWL * y  # ∇ ½β|θ|² = βθ
        for (cx, cy), depth, width in _WELLS:
            pull = depth / width**2 * xp.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * width**2))
            d_dx, d_dy = d_dx + pull * (x - cx), d_dy + pull * (y - cy)  # + (dᵢ/σᵢ²) exp(…) (θ − cᵢ)
        return stack_last([d_dx, d_dy])

    minima = _polish(grad, [centre for centre, _, _ in _WELLS])
    return Surface("multi_minimum", f, grad, minima, _points([-2.5, 0.0]), (-3.5, 3.5), (-3.5, 3.5))


def plateau(width=0.8):
    """f(θ) = 1 − exp(−|θ|² / 2σ²): flat at f ≈ 1 everywhere except a narrow well of width σ at the origin.

    At the start (−3, 2.5) the gradient is ~4·10⁻⁵ (with the default σ = 0.8): gradient descent with
    η = 1 needs thousands of steps to find the well, momentum hundreds, and methods that divide by the
    gradient's own size (RMSprop, Adam) cross in tens.
    """
    width = positive("width", width)

    def f(xy):
        x, y, xp = _coordinates(xy)
        return 1 - xp.exp(-(x**2 + y**2) / (2 * width**2))  # f = 1 − exp(−|θ|²/2σ²)

    def grad(xy):
        x, y, xp = _coordinates(xy)
        pull = xp.exp(-(x**2 + y**2) / (2 * width**2)) / width**2
        return stack_last([pull * x, pull * y])  # ∇f = exp(−|θ|²/2σ²) θ / σ²

    return Surface("plateau", f, grad, _points([[0.0, 0.0]]), _points([-3.0, 2.5]), (-4.0, 4.0), (-4.0, 4.0))


def cliff(height=3.0, steepness=40.0):
    """f(x, y) = ¼(x − 2)² + ½y² + (h/2)(1 − tanh(s x / 2)): a bowl with a cliff of height h at x = 0.

    The cliff term is h times a logistic step 1/(1 + eˢˣ) (written with tanh, which cannot overflow);
    its gradient peaks at h·s/4 on the wall (30 by default, against at most 4 anywhere else in the plot).
    The start (0, 2) is on the face of the cliff: a plain gradient step there is flung η·h·s/4 past it,
    beyond the minimum near (2, 0), while a clipped step walks down.
    """
    height = positive("height", height)
    steepness = positive("steepness", steepness)

    def f(xy):
        x, y, xp = _coordinates(xy)
        # f = ¼(x − 2)² + ½y² + (h/2)(1 − tanh(sx/2))
        return 0.25 * (x - 2) ** 2 + 0.5 * y**2 + 0.5 * height * (1 - xp.tanh(0.5 * steepness * x))

    def grad(xy):
        x, y, xp = _coordinates(xy)
        wall = -0.25 * height * steepness * (1 - xp.tanh(0.5 * steepness * x) ** 2)  # d/dx (h/2)(1 − tanh(sx/2))
        return stack_last([0.5 * (x - 2) + wall, y])  # ∇f = (½(x − 2) + wall, y)

    minima = _polish(grad, [(2.0, 0.0)])  # exactly (2, 0) unless a gentle wall still pulls there
    return Surface("cliff", f, grad, minima, _points([0.0, 2.0]), (-3.0, 5.0), (-3.0, 3.0))


_FACTORIES = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "saddle": saddle,
    "multi_minimum": multi_minimum,
    "plateau": plateau,
    "cliff": cliff,
}

NAMES = tuple(_FACTORIES)
"""The names `get` accepts, in teaching order."""


def get(name, **kwargs):
    """The surface called `name`, built with its factory's keyword arguments: ``get("quadratic", kappa=50)``."""
    if not isinstance(name, str) or name not in _FACTORIES:
        raise ValueError(f"unknown surface {name!r}; valid names are {', '.join(NAMES)}")
    return _FACTORIES[name](**kwargs)
