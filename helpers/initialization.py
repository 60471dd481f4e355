"""Initial weights and what they do to a network's activations, layer by layer.

    model = initialization.mlp(depth=20)                     # 20 linear layers of width 256, ReLU between
    initialization.initialize(model, "he")                   # Var[W] = 2/fan_in, biases 0 (He et al. 2015)
    stats = initialization.activation_stats(model, images)   # mean and std of every layer's output

Why 2/fan_in. A layer computes yₗ = Wₗ xₗ + bₗ with xₗ = ReLU(yₗ₋₁). With independent zero-mean weights
and zero biases, Var[yₗ] = fan_in · Var[W] · E[xₗ²], and a ReLU of a symmetric yₗ₋₁ keeps half of its
second moment, E[xₗ²] = ½ Var[yₗ₋₁]. So Var[yₗ] = ½ fan_in Var[W] Var[yₗ₋₁]: the variance stays put
through depth exactly when Var[W] = 2/fan_in, and shrinks or grows geometrically otherwise.

PyTorch's default (what nn.Linear and nn.Conv2d do when built) is not that: it is
kaiming_uniform_(a=√5), W ~ U(−b, b) with b = gain·√(3/fan_in) and gain = √(2/(1 + a²)) = √(1/3), so
b = 1/√fan_in and Var[W] = b²/3 = 1/(3 fan_in), a sixth of He's. Its biases are U(−b, b) too.
"""

import math
from typing import NamedTuple

import torch
from torch import nn

from helpers._checks import choice, integer, positive, real

SCHEMES = ("zeros", "constant", "normal", "he", "pytorch")
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}
LAYERS = (nn.Linear, nn.Conv2d)


class LayerStats(NamedTuple):
    """The output of one layer on a batch: its mean, its standard deviation and its fraction of exact zeros."""

    name: str
    mean: float
    std: float
    zero_fraction: float


def fan_in(weight):
    """The number of inputs of each output unit: in_features, or in_channels · kernel height · kernel width."""
    shape = weight.shape if isinstance(weight, torch.Tensor) else tuple(weight)
    if len(shape) < 2:
        raise ValueError(f"a weight has at least 2 dimensions (out, in, …), got shape {tuple(shape)}")
    return int(math.prod(shape[1:]))


def he_std(fan_in):
    """√(2/fan_in): the weight standard deviation that keeps ReLU activations' variance through depth."""
    return math.sqrt(2.0) / math.sqrt(integer("fan_in", fan_in, 1))  # Var[W] = 2/fan_in, as torch computes it


def pytorch_default_bound(fan_in):
    """PyTorch's default W ~ U(−b, b): b = gain·√(3/fan_in), gain = √(2/(1 + a²)) with a = √5, so b = 1/√fan_in."""
    fan_in = integer("fan_in", fan_in, 1)
    gain = math.sqrt(2.0 / (1 + 5))  # √(2/(1 + a²)) with a² = 5
    return gain * math.sqrt(3.0 / fan_in)


def pytorch_default_variance(fan_in):
    """b²/3 = 1/(3 fan_in): the variance of PyTorch's default weights, a sixth of He's 2/fan_in."""
    return pytorch_default_bound(fan_in) ** 2 / 3  # Var of U(−b, b) is b²/3


def draw_device(generator):
    """Where a draw with `generator` must happen: the generator's own device (None: torch's global CPU generator)."""
    return torch.device("cpu") if generator is None else generator.device


def normal_draw(shape, std, dtype, generator=None):
    """N(0, std²) values of `shape` and `dtype`, drawn on the generator's device (see `draw_device`).

    Drawn in the logical (contiguous) order, so the values do not depend on the memory format of the
    tensor they are copied into, nor on its device.
    """
    draw = torch.empty(shape, dtype=dtype, device=draw_device(generator))
    return draw.normal_(0.0, std, generator=generator)


def layers(model):
    """The model's Linear and Conv2d layers, as (name, module), in definition order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, LAYERS)]


def initialize(model, scheme, *, scale=1.0, std=None, value=None, generator=None):
    """Re-initialize every Linear and Conv2d layer of `model` in place; return the model.

    scheme:
      "zeros"     W = 0, b = 0
      "constant"  W = value everywhere, b = 0
      "normal"    W ~ N(0, std²), b = 0
      "he"        W ~ N(0, scale · 2/fan_in), b = 0  (scale = 1 is He et al. 2015: torch's kaiming_normal_)
      "pytorch"   the layer's own reset_parameters(): W, b ~ U(−1/√fan_in, 1/√fan_in)
    generator: a torch.Generator for the random schemes ("pytorch" draws from the global one, as torch does).

    The random weights are drawn on the generator's device (the CPU when `generator` is None: torch's
    global CPU generator), then copied to the layer's device. A CPU generator therefore gives the same
    weights whether the model lives on the CPU or on a GPU, and torch never sees a CPU generator handed
    a CUDA tensor, which it refuses.
    """
    choice("scheme", scheme, SCHEMES)
    scale = positive("scale", scale)
    if scheme == "normal":
        if std is None:
            raise ValueError('scheme "normal" needs std, the weights\' standard deviation')
        std = positive("std", std)
    if scheme == "constant":
        if value is None:
            raise ValueError('scheme "constant" needs value, the weights\' common value')
        value = real("value", value)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ValueError(f"generator must be a torch.Generator or None, got {generator!r}")
    found = layers(model)
    if not found:
        raise ValueError("the model has no Linear or Conv2d layer to initialize")
    with torch.no_grad():
        for _, layer in found:
            if scheme == "pytorch":
                layer.reset_parameters()
                continue
            weight = layer.weight
            if scheme == "zeros":
                weight.zero_()
            elif scheme == "constant":
                weight.fill_(value)
            else:
                sigma = std if scheme == "normal" else math.sqrt(scale) * he_std(fan_in(weight))  # √(scale·2/fan_in)
                weight.copy_(normal_draw(weight.shape, sigma, weight.dtype, generator))
            if layer.bias is not None:
                layer.bias.zero_()
    return model


def mlp(depth=20, width=256, in_features=784, classes=10, activation="relu"):
    """A plain deep network: Flatten, then `depth` Linear layers, `activation` between them (none at the end).

    Built with PyTorch's default initialization; call `initialize` to change it.
    """
    depth = integer("depth", depth, 1)
    width = integer("width", width, 1)
    in_features = integer("in_features", in_features, 1)
    classes = integer("classes", classes, 1)
    choice("activation", activation, tuple(ACTIVATIONS))
    sizes = [in_features] + [width] * (depth - 1) + [classes]
    modules = [nn.Flatten()]
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        modules.append(nn.Linear(n_in, n_out))
        if i < depth - 1:
            modules.append(ACTIVATIONS[activation]())
    return nn.Sequential(*modules)


def activation_stats(model, inputs, kinds=LAYERS):
    """Mean, std and fraction of zeros of the output of every module of the given kinds, in forward order.

    The default kinds (Linear, Conv2d) give the pre-activations yₗ, whose variance the He derivation
    follows; pass (nn.ReLU,) for the activations after the nonlinearity. The model runs once in eval
    mode (no dropout) without gradients, and gets its mode back.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(inputs, torch.Tensor):
        raise ValueError(f"inputs must be a tensor (a batch), got {type(inputs).__name__}")
    kinds = tuple(kinds) if isinstance(kinds, (tuple, list)) else (kinds,)
    if not kinds or not all(isinstance(k, type) and issubclass(k, nn.Module) for k in kinds):
        raise ValueError(f"kinds must be nn.Module classes, e.g. (nn.Linear, nn.Conv2d), got {kinds!r}")
    watched = [(name, m) for name, m in model.named_modules() if isinstance(m, kinds)]
    if not watched:
        raise ValueError(f"the model has no module of kinds {', '.join(k.__name__ for k in kinds)}")
    stats = []

    def hook(name):
        def record(module, args, output):
            y = output.detach().double()
            stats.append(LayerStats(name, y.mean().item(), y.std().item(), (y == 0).double().mean().item()))

        return record

    handles = [m.register_forward_hook(hook(name)) for name, m in watched]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(inputs)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return stats
