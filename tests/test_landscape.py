"""helpers.landscape: losses along lines and planes, filter normalization and the PCA of a path.

torch.func.functional_call evaluates the same points without touching the model: it is the oracle.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from helpers import landscape


def small_net(batch_norm=False, dropout=0.0):
    torch.manual_seed(0)
    layers = [nn.Conv2d(1, 4, 3)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(4))
    layers += [
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 6),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(6, 3),
    ]
    return nn.Sequential(*layers)


@pytest.fixture()
def batch():
    generator = torch.Generator().manual_seed(1)
    return torch.randn(16, 1, 8, 8, generator=generator), torch.randint(0, 3, (16,), generator=generator)


def loss_function(batch):
    x, y = batch

    def loss_fn(model):
        assert not model.training, "probes run in eval mode"
        return F.cross_entropy(model(x), y).item()

    return loss_fn


def oracle(model, point, batch):
    x, y = batch
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return F.cross_entropy(functional_call(model, point, (x,)), y).item()
    finally:
        model.train(was_training)


def shifted(params, seed, size=0.1):
    generator = torch.Generator().manual_seed(seed)
    return {k: v + size * torch.randn(v.shape, generator=generator) for k, v in params.items()}


def test_parameters_are_copies():
    model = small_net()
    params = landscape.parameters(model)
    params["0.weight"].add_(1.0)
    assert not torch.equal(params["0.weight"], model[0].weight)
    assert list(params) == [name for name, _ in model.named_parameters()]


def test_flatten_and_unflatten_round_trip():
    model = small_net().to(memory_format=torch.channels_last)
    params = landscape.parameters(model)
    vector = landscape.flatten(params)
    assert vector.dtype == np.float64 and vector.shape == (sum(p.numel() for p in model.parameters()),)
    back = landscape.unflatten(vector, params)
    assert all(torch.equal(back[k], params[k]) for k in params)
    with pytest.raises(ValueError, match="shape"):
        landscape.unflatten(vector[:-1], params)


def test_interpolate_matches_the_oracle_and_restores_the_model(batch):
    model = small_net(dropout=0.5)
    model.train()
    start = landscape.parameters(model)
    end = shifted(start, seed=2)
    alphas = [-0.5, 0.0, 0.3, 1.0, 1.5]
    losses = landscape.interpolate(model, start, end, loss_function(batch), alphas)
    expected = [oracle(model, {k: (1 - a) * start[k] + a * end[k] for k in start}, batch) for a in alphas]
    np.testing.assert_allclose(losses, expected, rtol=1e-5, atol=1e-6)
    assert model.training
    assert all(torch.equal(p, start[name]) for name, p in model.named_parameters())


def test_line_and_plane_match_the_oracle(batch):
    model = small_net()
    center = landscape.parameters(model)
    d1, d2 = landscape.random_direction(model, seed=1), landscape.random_direction(model, seed=2)
    alphas = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(
        landscape.line(model, center, d1, loss_function(batch), alphas),
        [oracle(model, {k: center[k] + a * d1[k] for k in center}, batch) for a in alphas],
        rtol=1e-5,
    )
    xs, ys = [-0.5, 0.0, 0.5], [0.0, 1.0]
    grid = landscape.plane(model, center, d1, d2, loss_function(batch), xs, ys)
    assert grid.shape == (2, 3)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            point = {k: center[k] + x * d1[k] + y * d2[k] for k in center}
            assert grid[i, j] == pytest.approx(oracle(model, point, batch), rel=1e-5)
    assert grid[0, 1] == pytest.approx(loss_function(batch)(model.eval()), rel=1e-6)


def test_filter_normalized_directions_have_the_weights_filter_norms():
    model = small_net(batch_norm=True)
    weights = landscape.parameters(model)
    direction = landscape.random_direction(model, seed=0)
    for name, d in direction.items():
        w = weights[name]
        if d.dim() <= 1:
            assert torch.count_nonzero(d) == 0, f"{name} (a bias or BatchNorm parameter) is left unperturbed"
        else:
            torch.testing.assert_close(d.reshape(len(d), -1).norm(dim=1), w.reshape(len(w), -1).norm(dim=1))
    assert torch.count_nonzero(direction["1.weight"]) == 0 and torch.count_nonzero(direction["1.bias"]) == 0


def test_filter_normalize_keeps_zero_filters_zero():
    weights = {"w": torch.ones(3, 2)}
    direction = {"w": torch.tensor([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])}
    out = landscape.filter_normalize(direction, weights)["w"]
    torch.testing.assert_close(
        out, torch.tensor([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]]) * torch.tensor([[2**0.5 / 5], [0.0], [2**0.5]])
    )


def test_random_direction_is_reproducible_and_raw_directions_are_gaussian():
    model = small_net()
    a, b = landscape.random_direction(model, seed=4), landscape.random_direction(model, seed=4)
    assert all(torch.equal(a[k], b[k]) for k in a)
    raw = landscape.random_direction(model, seed=4, normalize=False)
    assert torch.count_nonzero(raw["0.bias"]) == 0
    assert 0.5 < raw["4.weight"].std().item() < 1.5


def test_random_direction_is_one_cpu_draw_whatever_the_parameters_dtype():
    """Drawn in float64 by a CPU generator, then cast: a float32 model and its float64 copy get one direction."""
    model = small_net()
    single = landscape.random_direction(model, seed=2, normalize=False)
    double = landscape.random_direction(model.double(), seed=2, normalize=False)
    assert all(double[k].dtype == torch.float64 and torch.equal(single[k], double[k].float()) for k in single)


def test_random_direction_draws_on_the_generators_device(monkeypatch):
    seen = []
    randn = torch.randn

    def checked_randn(*args, generator=None, device=None, **kwargs):
        seen.append((torch.device(device or "cpu"), generator.device))
        return randn(*args, generator=generator, device=device, **kwargs)

    monkeypatch.setattr(torch, "randn", checked_randn)
    landscape.random_direction(small_net(), seed=0)
    assert seen and all(tensor == generator for tensor, generator in seen)


def test_combine_brings_each_direction_to_the_points_dtype():
    center = {"w": torch.zeros(2, 2, dtype=torch.float64)}
    point = landscape.combine(center, [{"w": torch.ones(2, 2)}], [0.5])
    assert point["w"].dtype == torch.float64 and torch.equal(point["w"], torch.full((2, 2), 0.5, dtype=torch.float64))


def test_filter_normalization_is_blind_to_relu_rescaling(batch):
    """Scaling a conv layer by c and the next layer by 1/c changes nothing the network computes."""
    model = small_net()
    rescaled = small_net()
    with torch.no_grad():
        rescaled[0].weight.mul_(10.0)
        rescaled[0].bias.mul_(10.0)
        rescaled[4].weight.div_(10.0)
    loss_fn = loss_function(batch)
    assert loss_fn(rescaled.eval()) == pytest.approx(loss_fn(model.eval()), rel=1e-5)
    alphas = np.linspace(-1, 1, 5)
    curves = [
        landscape.line(m, landscape.parameters(m), landscape.random_direction(m, seed=0), loss_fn, alphas)
        for m in (model, rescaled)
    ]
    np.testing.assert_allclose(curves[0], curves[1], rtol=1e-4)
    raw = [
        landscape.line(
            m, landscape.parameters(m), landscape.random_direction(m, seed=0, normalize=False), loss_fn, alphas
        )
        for m in (model, rescaled)
    ]
    assert np.max(np.abs(raw[0] - raw[1])) > 0.1


def test_batch_norm_buffers_are_untouched(batch):
    model = small_net(batch_norm=True)
    model.train()
    model(batch[0])  # give the running statistics values of their own
    before = {k: v.clone() for k, v in model.state_dict().items()}
    center = landscape.parameters(model)
    landscape.line(model, center, landscape.random_direction(model, seed=0), loss_function(batch), [-1.0, 1.0])
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_pca_of_a_planar_path_explains_everything():
    model = small_net()
    center = landscape.parameters(model)
    u, v = (
        landscape.random_direction(model, seed=1, normalize=False),
        landscape.random_direction(model, seed=2, normalize=False),
    )
    steps = [(-3.0, 1.0), (-2.0, -1.0), (-1.0, 0.5), (0.0, 0.0)]
    snapshots = [{k: center[k] + a * u[k] + b * v[k] for k in center} for a, b in steps]
    pca = landscape.pca_directions(snapshots)
    assert pca.coordinates.shape == (4, 2) and pca.explained.sum() == pytest.approx(1.0, abs=1e-6)
    assert pca.explained[0] >= pca.explained[1]
    assert np.all(pca.coordinates[0] <= 0), "the path starts at the left and bottom"
    vectors = np.stack([landscape.flatten(d) for d in pca.directions])
    np.testing.assert_allclose(vectors @ vectors.T, np.eye(2), atol=1e-6)
    # The coordinates rebuild every snapshot, and the squared singular values are the eigenvalues of M Mᵀ.
    rows = np.stack([landscape.flatten(s) - landscape.flatten(center) for s in snapshots])
    np.testing.assert_allclose(pca.coordinates @ vectors, rows, atol=1e-5)
    eigenvalues = np.sort(np.linalg.eigvalsh(rows @ rows.T))[::-1][:2]
    np.testing.assert_allclose(pca.explained, eigenvalues / np.trace(rows @ rows.T), rtol=1e-6)


def test_pca_matches_numpy_svd_on_a_curved_path():
    model = small_net()
    center = landscape.parameters(model)
    generator = np.random.default_rng(0)
    snapshots = [
        {k: v + float(generator.normal()) * torch.randn_like(v) * 0.1 for k, v in center.items()} for _ in range(6)
    ]
    pca = landscape.pca_directions(snapshots, components=3)
    rows = np.stack([landscape.flatten(s) - landscape.flatten(snapshots[-1]) for s in snapshots])
    _, singular, right = np.linalg.svd(rows, full_matrices=False)
    vectors = np.stack([landscape.flatten(d) for d in pca.directions])
    for ours, theirs in zip(vectors, right[:3]):
        np.testing.assert_allclose(ours, theirs * np.sign(ours @ theirs), atol=1e-8)
    np.testing.assert_allclose(pca.explained, singular[:3] ** 2 / np.sum(singular**2), rtol=1e-10)
    np.testing.assert_allclose(pca.coordinates, rows @ vectors.T, atol=1e-10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m, p: landscape.parameters("model"), "nn.Module"),
        (lambda m, p: landscape.line(m, p, {"0.weight": p["0.weight"]}, lambda model: 0.0, [0.0]), "missing"),
        (lambda m, p: landscape.line(m, p, {**p, "0.weight": torch.zeros(2)}, lambda model: 0.0, [0.0]), "shape"),
        (lambda m, p: landscape.line(m, p, p, lambda model: 0.0, [float("nan")]), "alphas must be finite"),
        (lambda m, p: landscape.line(m, p, p, lambda model: 0.0, []), "alphas must hold at least one number"),
        (lambda m, p: landscape.line(m, p, p, lambda model: 0.0, ["a"]), "alphas must be an array of real numbers"),
        (lambda m, p: landscape.line(m, p, p, "loss", [0.0]), "loss_fn"),
        (lambda m, p: landscape.line(m, p, p, lambda model: "low", [0.0]), "number"),
        (lambda m, p: landscape.plane(m, p, p, p, lambda model: 0.0, [0.0], [[1.0]]), "ys must have 1 dimension"),
        (lambda m, p: landscape.random_direction(m, seed=-1), "seed must be an integer ≥ 0, got -1"),
        (lambda m, p: landscape.random_direction(m, normalize="yes"), "normalize must be True or False"),
        (lambda m, p: landscape.pca_directions([p]), "at least 2"),
        (lambda m, p: landscape.pca_directions([p, p]), "no direction"),
        (lambda m, p: landscape.pca_directions([p, {k: v + 1 for k, v in p.items()}, p]), "fewer than 2 directions"),
        (lambda m, p: landscape.pca_directions([p, shifted(p, 0)], components=3), r"components .* in \[1, 2\], got 3"),
        (lambda m, p: landscape.pca_directions([p, shifted(p, 0)], components=0), "components"),
        (lambda m, p: landscape.combine(p, [p], [1.0, 2.0]), "coefficients"),
        (lambda m, p: landscape.combine(p, [p], [float("inf")]), "coefficient must be finite"),
    ],
)
def test_bad_input_gets_a_clear_error(call, match):
    model = small_net()
    with pytest.raises(ValueError, match=match):
        call(model, landscape.parameters(model))


def test_a_diverged_point_is_a_result(batch):
    model = small_net()
    center = landscape.parameters(model)
    losses = landscape.line(
        model, center, center, lambda m: float("nan") if m[0].weight.abs().max() > 1e3 else 1.0, [0.0, 1e6]
    )
    assert losses[0] == 1.0 and np.isnan(losses[1])
