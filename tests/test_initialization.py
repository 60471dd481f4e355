"""helpers.initialization against torch.nn.init and nn.Linear / nn.Conv2d themselves."""

import math

import pytest
import torch
from torch import nn

from helpers import initialization


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))


def test_fan_in_matches_torch():
    for weight in (torch.empty(7, 300), torch.empty(64, 32, 5, 5), torch.empty(8, 3, 3, 1)):
        expected, _ = nn.init._calculate_fan_in_and_fan_out(weight)
        assert initialization.fan_in(weight) == expected
    assert initialization.fan_in((64, 32, 5, 5)) == 800


def test_he_std_is_kaimings():
    for fan in (1, 50, 800, 4096):
        weight = torch.empty(3, fan)
        # torch's std for kaiming_normal_(nonlinearity="relu"): gain √2 over √fan_in
        assert initialization.he_std(fan) == nn.init.calculate_gain("relu") / math.sqrt(fan)
        assert math.isclose(initialization.he_std(fan) ** 2, 2 / fan, rel_tol=1e-12)
        assert initialization.fan_in(weight) == fan


def test_pytorch_default_variance_is_a_third_over_fan_in():
    for fan in (1, 300, 800):
        assert math.isclose(initialization.pytorch_default_bound(fan), 1 / math.sqrt(fan), rel_tol=1e-12)
        assert math.isclose(initialization.pytorch_default_variance(fan), 1 / (3 * fan), rel_tol=1e-12)


@pytest.mark.parametrize("layer, fan", [(nn.Linear(300, 500), 300), (nn.Conv2d(32, 64, 5), 800)])
def test_pytorch_default_variance_matches_real_layers(layer, fan):
    torch.manual_seed(0)
    layer.reset_parameters()
    bound = initialization.pytorch_default_bound(fan)
    assert layer.weight.abs().max() <= bound
    assert math.isclose(layer.weight.var().item(), initialization.pytorch_default_variance(fan), rel_tol=0.02)


def test_he_scheme_equals_kaiming_normal_with_the_same_generator():
    model = small_cnn().to(memory_format=torch.channels_last)
    initialization.initialize(model, "he", generator=torch.Generator().manual_seed(3))
    generator = torch.Generator().manual_seed(3)
    for _, layer in initialization.layers(model):
        expected = nn.init.kaiming_normal_(torch.empty(layer.weight.shape), nonlinearity="relu", generator=generator)
        assert torch.equal(layer.weight, expected)
        assert torch.equal(layer.bias, torch.zeros_like(layer.bias))


def test_he_scale_multiplies_the_variance():
    model = initialization.mlp(depth=2, width=2000, in_features=1000)
    initialization.initialize(model, "he", scale=4.0, generator=torch.Generator().manual_seed(0))
    first = initialization.layers(model)[0][1].weight
    assert math.isclose(first.var().item(), 4.0 * 2 / 1000, rel_tol=0.01)


def test_pytorch_scheme_is_the_layers_own_reset():
    torch.manual_seed(5)
    fresh = small_cnn()
    model = small_cnn()
    torch.manual_seed(5)
    initialization.initialize(model, "pytorch")
    for (_, a), (_, b) in zip(initialization.layers(model), initialization.layers(fresh)):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_zeros_constant_and_normal():
    model = small_cnn()
    initialization.initialize(model, "zeros")
    assert all(p.abs().max() == 0 for p in model.parameters())
    initialization.initialize(model, "constant", value=0.25)
    for _, layer in initialization.layers(model):
        assert torch.all(layer.weight == 0.25) and torch.all(layer.bias == 0)
    initialization.initialize(model, "normal", std=0.1, generator=torch.Generator().manual_seed(0))
    generator = torch.Generator().manual_seed(0)
    for _, layer in initialization.layers(model):
        assert torch.equal(layer.weight, torch.empty(layer.weight.shape).normal_(0, 0.1, generator=generator))


class ReportsCuda(nn.Parameter):
    """A CPU parameter that says it lives on a GPU: a draw placed by the parameter's device goes wrong.

    On a machine without CUDA, creating a tensor on the reported device fails outright; with a GPU, torch
    refuses a CPU generator for it ("Expected a 'cuda' device type for generator"). Copying a CPU draw
    into the parameter works either way, since the data really is on the CPU.
    """

    @property
    def device(self):
        return torch.device("cuda")


def on_a_reported_gpu(model):
    for _, layer in initialization.layers(model):
        layer.weight = ReportsCuda(layer.weight.detach().clone())
    return model


@pytest.mark.parametrize("scheme, settings", [("he", {}), ("he", {"scale": 0.5}), ("normal", {"std": 0.1})])
def test_random_schemes_draw_on_the_generators_device_then_copy(scheme, settings):
    on_gpu = on_a_reported_gpu(small_cnn())
    assert all(layer.weight.device.type == "cuda" for _, layer in initialization.layers(on_gpu))
    initialization.initialize(on_gpu, scheme, generator=torch.Generator().manual_seed(7), **settings)
    on_cpu = initialization.initialize(small_cnn(), scheme, generator=torch.Generator().manual_seed(7), **settings)
    for (_, a), (_, b) in zip(initialization.layers(on_gpu), initialization.layers(on_cpu)):
        assert torch.equal(a.weight.data, b.weight), "the same CPU draw, whatever device the layer reports"


def test_every_draw_happens_on_its_generators_device(monkeypatch):
    seen = []
    normal = torch.Tensor.normal_

    def checked_normal(tensor, *args, generator=None, **kwargs):
        seen.append((tensor.device, None if generator is None else generator.device))
        return normal(tensor, *args, generator=generator, **kwargs)

    monkeypatch.setattr(torch.Tensor, "normal_", checked_normal)
    initialization.initialize(small_cnn(), "he", generator=torch.Generator().manual_seed(0))
    initialization.initialize(small_cnn(), "normal", std=0.1)
    assert len(seen) == 4
    assert all(where == (torch.device("cpu"), torch.device("cpu")) for where in seen[:2])
    assert all(where == (torch.device("cpu"), None) for where in seen[2:])  # the global generator is the CPU's


def test_without_a_generator_the_draw_comes_from_the_global_cpu_generator():
    model = small_cnn().to(memory_format=torch.channels_last)  # built first: building draws too
    torch.manual_seed(11)
    initialization.initialize(model, "he")
    torch.manual_seed(11)
    for _, layer in initialization.layers(model):
        assert torch.equal(layer.weight, nn.init.kaiming_normal_(torch.empty(layer.weight.shape), nonlinearity="relu"))


def test_mlp_shape_and_depth():
    model = initialization.mlp(depth=20, width=64)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert len(linears) == 20 and linears[0].in_features == 784 and linears[-1].out_features == 10
    assert sum(isinstance(m, nn.ReLU) for m in model) == 19
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert sum(isinstance(m, nn.Tanh) for m in initialization.mlp(depth=3, activation="tanh")) == 2


def test_activation_stats_match_a_manual_forward_pass():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Dropout(0.5), nn.Linear(7, 3))
    model.train()
    x = torch.randn(64, 5)
    stats = initialization.activation_stats(model, x)
    with torch.no_grad():
        y1 = model[0](x)
        y2 = model[3](torch.relu(y1))
    assert [s.name for s in stats] == ["0", "3"]
    for s, y in zip(stats, (y1, y2)):
        assert math.isclose(s.mean, y.double().mean().item(), rel_tol=1e-6, abs_tol=1e-9)
        assert math.isclose(s.std, y.double().std().item(), rel_tol=1e-6)
    relu = initialization.activation_stats(model, x, kinds=(nn.ReLU,))
    assert math.isclose(relu[0].zero_fraction, (torch.relu(y1) == 0).double().mean().item())
    assert model.training, "the model's mode comes back"


def test_he_keeps_the_std_through_depth_and_pytorch_default_shrinks_it():
    x = torch.randn(512, 1, 28, 28)
    model = initialization.mlp(depth=20, width=256)
    initialization.initialize(model, "he", generator=torch.Generator().manual_seed(0))
    he = [s.std for s in initialization.activation_stats(model, x)]
    assert 0.3 < he[-2] / he[0] < 3
    initialization.initialize(model, "he", scale=0.5, generator=torch.Generator().manual_seed(0))
    small = [s.std for s in initialization.activation_stats(model, x)]
    assert small[-2] / small[0] < 0.01  # √½ per layer over 18 layers ≈ 0.002


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: initialization.initialize(m, "xavier"), "scheme must be one of 'zeros', "),
        (lambda m: initialization.initialize(m, "normal"), "std"),
        (lambda m: initialization.initialize(m, "normal", std=-1.0), "std must be > 0, got -1.0"),
        (lambda m: initialization.initialize(m, "constant"), "value"),
        (lambda m: initialization.initialize(m, "constant", value=float("nan")), "value must be finite"),
        (lambda m: initialization.initialize(m, "constant", value=True), "value must be a real number"),
        (lambda m: initialization.initialize(m, "he", scale=0), "scale must be > 0, got 0"),
        (lambda m: initialization.initialize(m, "he", generator=3), "generator"),
        (lambda m: initialization.initialize(nn.ReLU(), "he"), "no Linear"),
        (lambda m: initialization.activation_stats(m, [1, 2]), "inputs"),
        (lambda m: initialization.activation_stats(m, torch.zeros(2, 1, 8, 8), kinds=(nn.Tanh,)), "no module"),
        (lambda m: initialization.activation_stats(m, torch.zeros(2, 1, 8, 8), kinds=("relu",)), "kinds"),
        (lambda m: initialization.mlp(depth=0), "depth must be an integer ≥ 1, got 0"),
        (lambda m: initialization.mlp(width=True), "width must be an integer ≥ 1, got True"),
        (lambda m: initialization.mlp(activation="gelu"), "activation must be one of 'relu', 'tanh', got 'gelu'"),
        (lambda m: initialization.he_std(0), "fan_in must be an integer ≥ 1"),
        (lambda m: initialization.pytorch_default_variance(2.5), "fan_in must be an integer ≥ 1"),
        (lambda m: initialization.fan_in(torch.zeros(3)), "2 dimensions"),
    ],
)
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call(small_cnn())
