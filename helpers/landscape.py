"""Lines and planes through a network's weight space: pictures of its loss landscape.

    start = landscape.parameters(model)                        # θ₀, a copy
    ... train ...
    end = landscape.parameters(model)                          # θ₁
    landscape.interpolate(model, start, end, loss_fn, alphas)  # L((1 − α)θ₀ + αθ₁)   (Goodfellow et al. 2015)
    pca = landscape.pca_directions(snapshots)                  # the plane the training path lies in
    landscape.plane(model, end, *pca.directions, loss_fn, xs, ys)
    d = landscape.random_direction(model, seed=0)              # filter-normalized (Li et al. 2018)
    landscape.line(model, end, d, loss_fn, alphas)             # L(θ + αd): how sharp the minimum is

Points and directions are dicts name → tensor over the model's trainable parameters, in the order of
`model.named_parameters()`. Buffers (BatchNorm's running mean and variance) are never part of them.

`loss_fn(model) -> float` is called with the model in eval mode: dropout is off and BatchNorm normalizes
with its running statistics, so the loss is a deterministic function of the parameters. Afterwards the
model gets its own parameters and its train/eval mode back, whatever happened in between.

Filter normalization (Li et al. 2018). A ReLU network computes the same function when one layer's
weights are multiplied by c > 0 and the next layer's divided by c, yet a random step of fixed length
looks huge beside small weights and tiny beside large ones. So each filter (a slice along the first
dimension: one output channel of a convolution, one output unit of a linear layer) of a random direction
is rescaled to the norm of the same filter of the weights, dᵢ ← dᵢ ‖θᵢ‖ / ‖dᵢ‖. One-dimensional
parameters — biases, BatchNorm's scale and shift — get a zero direction: they are left unperturbed.
"""

import contextlib
from typing import NamedTuple

import numpy as np
import torch

from helpers._checks import BOOLS, REALS, finite_array, flag, integer, real


class PCA(NamedTuple):
    """Principal directions of a training path.

    directions: `components` orthonormal directions (dicts like the parameters), the first explaining most.
    coordinates: (T, components) coordinates of each snapshot minus the centre along the directions.
    explained: the fraction of the path's squared distance to the centre along each direction.
    """

    directions: list
    coordinates: np.ndarray
    explained: np.ndarray


# --------------------------------------------------------------------------- points and directions


def parameters(model):
    """A copy of the model's trainable parameters: {name: tensor}, detached."""
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    found = {name: p.detach().clone() for name, p in model.named_parameters() if p.requires_grad}
    if not found:
        raise ValueError("the model has no trainable parameters")
    return found


def _check_like(name, tensors, reference):
    if not isinstance(tensors, dict):
        raise ValueError(
            f"{name} must be a dict name → tensor like landscape.parameters(model), got {type(tensors).__name__}"
        )
    if list(tensors) != list(reference):
        missing = sorted(set(reference) - set(tensors))
        extra = sorted(set(tensors) - set(reference))
        detail = (
            "; ".join(
                filter(None, [missing and f"missing {', '.join(missing)}", extra and f"unexpected {', '.join(extra)}"])
            )
            or "in another order"
        )
        raise ValueError(f"{name} must hold the model's trainable parameters in order: {detail}")
    for key, tensor in tensors.items():
        if not isinstance(tensor, torch.Tensor) or tensor.shape != reference[key].shape:
            got = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            raise ValueError(f"{name}[{key!r}] must have shape {tuple(reference[key].shape)}, got {got}")
    return tensors


def _reference(model_or_params):
    if isinstance(model_or_params, torch.nn.Module):
        return parameters(model_or_params)
    if isinstance(model_or_params, dict) and model_or_params:
        return model_or_params
    raise ValueError("expected a torch.nn.Module or a non-empty dict name → tensor of its parameters")


def flatten(params):
    """All tensors of `params` as one float64 numpy vector, in the dict's order."""
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a non-empty dict name → tensor")
    return np.concatenate([t.detach().reshape(-1).double().cpu().numpy() for t in params.values()])


def unflatten(vector, like):
    """The inverse of `flatten`: a dict shaped, typed and placed like `like`."""
    vector = np.asarray(vector)
    size = sum(t.numel() for t in like.values())
    if vector.ndim != 1 or vector.size != size:
        raise ValueError(f"vector must have shape ({size},) to fill these parameters, got {vector.shape}")
    out, offset = {}, 0
    for name, t in like.items():
        chunk = torch.from_numpy(np.ascontiguousarray(vector[offset : offset + t.numel()])).view(t.shape)
        out[name] = chunk.to(dtype=t.dtype, device=t.device)
        offset += t.numel()
    return out


def load(model, params):
    """Copy `params` into the model's parameters, in place."""
    current = dict(model.named_parameters())
    _check_like("params", params, {name: p for name, p in current.items() if p.requires_grad})
    with torch.no_grad():
        for name, value in params.items():
            current[name].copy_(value)


def combine(center, directions, coefficients):
    """θ = center + Σₖ cₖ dₖ."""
    directions = list(directions)
    coefficients = [real("coefficient", c) for c in coefficients]
    if len(directions) != len(coefficients):
        raise ValueError(f"got {len(directions)} directions but {len(coefficients)} coefficients")
    out = {}
    for name, theta in center.items():
        point = theta.clone()
        for c, direction in zip(coefficients, directions):
            # A direction may live elsewhere (e.g. drawn on the CPU for a model on a GPU): bring it to θ.
            point.add_(direction[name].to(device=theta.device, dtype=theta.dtype), alpha=c)
        out[name] = point
    return out


def filter_normalize(direction, weights):
    """Rescale each filter of `direction` to the norm of the same filter of `weights` (Li et al. 2018).

    A filter is a slice along the first dimension of a tensor with two dimensions or more. Tensors with
    fewer (biases, BatchNorm's scale and shift) get zeros: they are left unperturbed. A filter of the
    direction with zero norm stays zero.
    """
    weights = _reference(weights)
    _check_like("direction", direction, weights)
    out = {}
    for name, d in direction.items():
        w = weights[name]
        if d.dim() <= 1:
            out[name] = torch.zeros_like(d)
            continue
        d_norms = d.reshape(len(d), -1).norm(dim=1)
        w_norms = w.reshape(len(w), -1).norm(dim=1).to(device=d.device, dtype=d.dtype)
        scale = torch.where(d_norms > 0, w_norms / torch.where(d_norms > 0, d_norms, 1), 0)
        out[name] = d * scale.view(-1, *([1] * (d.dim() - 1)))  # dᵢ ← dᵢ ‖θᵢ‖ / ‖dᵢ‖
    return out


def random_direction(model_or_params, seed=0, normalize=True):
    """A Gaussian random direction, filter-normalized unless `normalize` is False.

    The draw depends only on `seed` and the parameters' shapes: it is made in float64 by a CPU generator,
    then cast and copied to each parameter's dtype and device, so a model on a GPU gets the same direction
    as its copy on the CPU. One-dimensional parameters get zeros either way, so that the two kinds of
    direction perturb the same parameters.
    """
    weights = _reference(model_or_params)
    seed = integer("seed", seed, 0)
    normalize = flag("normalize", normalize)
    generator = torch.Generator().manual_seed(seed)
    direction = {}
    for name, w in weights.items():
        d = torch.randn(w.shape, generator=generator, dtype=torch.float64).to(dtype=w.dtype, device=w.device)
        direction[name] = d if d.dim() > 1 else torch.zeros_like(d)
    return filter_normalize(direction, weights) if normalize else direction


def pca_directions(snapshots, center=None, components=2):
    """The principal directions of a training path (Li et al. 2018, §7).

    The rows of M are θᵢ − center for each snapshot θᵢ (center: the last snapshot unless given). The
    directions are the top right singular vectors of M, the coordinates M's projections onto them, each
    direction's sign chosen so that the first snapshot has a coordinate ≤ 0 (the path runs left to right,
    bottom to top). M is not centred on its mean: the plane passes through `center`.
    """
    snapshots = list(snapshots)
    if len(snapshots) < 2:
        raise ValueError(f"snapshots must hold at least 2 points, got {len(snapshots)}")
    reference = _reference(snapshots[-1])
    for i, snapshot in enumerate(snapshots):
        _check_like(f"snapshots[{i}]", snapshot, reference)
    center = reference if center is None else _check_like("center", center, reference)
    size = sum(t.numel() for t in reference.values())
    components = integer("components", components, 1, min(len(snapshots), size))  # M is T × P: rank ≤ min(T, P)
    origin = flatten(center)
    rows = np.empty((len(snapshots), origin.size))
    for i, snapshot in enumerate(snapshots):
        rows[i] = flatten(snapshot) - origin  # M: row i is θᵢ − center
    # M = U S Vᵀ through the T × T Gram matrix M Mᵀ = U S² Uᵀ: T is a few dozen snapshots, P a million
    # parameters, and an SVD of M itself would need several T × P workspaces.
    squares, left = np.linalg.eigh(rows @ rows.T)
    order = np.argsort(squares)[::-1]
    squares, left = np.clip(squares[order], 0.0, None), left[:, order]
    total = float(np.sum(squares))
    if total == 0:
        raise ValueError("every snapshot equals the center: the path has no direction")
    if squares[components - 1] <= 1e-12 * total:
        raise ValueError(f"the path spans fewer than {components} directions; ask for fewer components")
    singular = np.sqrt(squares[:components])
    right = (left[:, :components].T @ rows) / singular[:, None]  # Vᵀ = S⁻¹ Uᵀ M
    coordinates = left[:, :components] * singular  # M V = U S
    signs = np.where(coordinates[0] > 0, -1.0, 1.0)
    right, coordinates = right * signs[:, None], coordinates * signs
    directions = [unflatten(v, reference) for v in right]
    return PCA(directions, coordinates, squares[:components] / total)


# --------------------------------------------------------------------------- losses along lines and planes


@contextlib.contextmanager
def _probing(model):
    """Eval mode while the body moves the parameters; the model's own parameters and mode come back."""
    saved = parameters(model)
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        load(model, saved)
        model.train(was_training)


def _loss_at(model, point, loss_fn):
    load(model, point)
    with torch.no_grad():
        value = loss_fn(model)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, BOOLS) or not isinstance(value, REALS):
        raise ValueError(f"loss_fn(model) must return a number, got {type(value).__name__}")
    return float(value)  # NaN or ∞ (a diverged point) is a result, not an error


def _check_loss_fn(loss_fn):
    if not callable(loss_fn):
        raise ValueError(f"loss_fn must be a function model -> loss, got {loss_fn!r}")


def line(model, center, direction, loss_fn, alphas):
    """L(θ + αd) for each α: the loss along a line through `center`."""
    reference = parameters(model)
    _check_like("center", center, reference)
    _check_like("direction", direction, reference)
    _check_loss_fn(loss_fn)
    alphas = finite_array("alphas", alphas, ndim=1, non_empty=True)
    with _probing(model):
        return np.array([_loss_at(model, combine(center, [direction], [a]), loss_fn) for a in alphas])


def interpolate(model, start, end, loss_fn, alphas):
    """L((1 − α)θ₀ + αθ₁) for each α: the straight path from θ₀ = start to θ₁ = end (Goodfellow et al., 2015).

    α = 0 is `start`, α = 1 is `end`; values outside [0, 1] extrapolate.
    """
    reference = parameters(model)
    _check_like("start", start, reference)
    _check_like("end", end, reference)
    step = {name: end[name] - start[name] for name in start}  # θ(α) = θ₀ + α(θ₁ − θ₀)
    return line(model, start, step, loss_fn, alphas)


def plane(model, center, direction_x, direction_y, loss_fn, xs, ys):
    """L(θ + x·d₁ + y·d₂) on the grid: an array (len(ys), len(xs)), ready for contour(xs, ys, losses)."""
    reference = parameters(model)
    _check_like("center", center, reference)
    _check_like("direction_x", direction_x, reference)
    _check_like("direction_y", direction_y, reference)
    _check_loss_fn(loss_fn)
    xs = finite_array("xs", xs, ndim=1, non_empty=True)
    ys = finite_array("ys", ys, ndim=1, non_empty=True)
    directions = [direction_x, direction_y]
    with _probing(model):
        return np.array([[_loss_at(model, combine(center, directions, [x, y]), loss_fn) for x in xs] for y in ys])
