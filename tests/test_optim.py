"""helpers.optim against torch.optim, the oracle: every flag, step by step, in float64."""

import copy
import pickle

import numpy as np
import pytest
import torch

from helpers import optim

CONFIGS = [
    ("sgd", dict(lr=0.1)),
    ("sgd", dict(lr=0.05, weight_decay=0.1)),
    ("sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd", dict(lr=0.05, momentum=0.9, dampening=1.0, weight_decay=0.01)),
    ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("adagrad", dict(lr=0.1)),
    ("adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("rmsprop", dict(lr=0.01)),
    ("rmsprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("rmsprop", dict(lr=0.01, momentum=0.9)),
    ("rmsprop", dict(lr=0.01, centered=True)),
    ("rmsprop", dict(lr=0.01, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.01)),
    ("adam", dict(lr=0.01)),
    ("adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    ("adam", dict(lr=0.01, weight_decay=0.1)),
    ("adam", dict(lr=0.01, amsgrad=True)),
    ("adam", dict(lr=0.01, betas=(0.0, 0.9), amsgrad=True, weight_decay=0.05)),
    ("adamw", dict(lr=0.01)),
    ("adamw", dict(lr=0.01, weight_decay=0.3, betas=(0.5, 0.9))),
    ("adamw", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for name, kw in CONFIGS]
SHAPES = [(3,), (4, 5)]


def torch_twin(opt, params):
    p = torch.tensor(params, requires_grad=True)
    return p, opt.torch_class([p], **opt.hparams, foreach=False)


def torch_state(torch_opt, p):
    return {k: (v.item() if k == "step" else v.detach().numpy()) for k, v in torch_opt.state[p].items()}


def assert_state_matches(ours, theirs, atol=1e-12):
    """Every buffer torch keeps is in our state, equal; the ones it lacks are None."""
    for field, value in ours._asdict().items():
        if field in theirs:
            np.testing.assert_allclose(value, theirs[field], rtol=1e-12, atol=atol, err_msg=field)
        else:
            assert value is None, f"{field} kept although torch has no such buffer"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_trajectory_on_random_gradients_matches_torch(name, kw, shape):
    rng = np.random.default_rng(0)
    opt = optim.get(name, **kw)
    params = rng.normal(size=shape)
    state = opt.init(params)
    p, torch_opt = torch_twin(opt, params)
    for _ in range(200):
        grad = rng.normal(size=shape) * rng.uniform(0.1, 10)
        params, state = opt.update(params, grad, state)
        p.grad = torch.tensor(grad)
        torch_opt.step()
        np.testing.assert_allclose(params, p.detach().numpy(), rtol=0, atol=1e-12)
    assert_state_matches(state, torch_state(torch_opt, p))


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_trajectory_on_a_loss_matches_torch(name, kw):
    """Gradients that depend on θ: f(θ) = Σ aᵢθᵢ² + sin θᵢ, 150 steps."""
    a = np.array([1.0, 10.0, 0.3])
    opt = optim.get(name, **kw)
    params = np.array([1.5, -0.7, 2.0])
    state = opt.init(params)
    p, torch_opt = torch_twin(opt, params)
    for _ in range(150):
        params, state = opt.update(params, 2 * a * params + np.cos(params), state)
        torch_opt.zero_grad()
        (torch.tensor(a) * p**2 + torch.sin(p)).sum().backward()
        torch_opt.step()
        np.testing.assert_allclose(params, p.detach().numpy(), rtol=0, atol=1e-12)
    assert_state_matches(state, torch_state(torch_opt, p))


def random_state(opt, params, rng):
    """A state as if many steps had been taken: random buffers, second moments positive."""
    state = opt.init(params)
    fields = {}
    for field, value in state._asdict().items():
        if field == "step":
            fields[field] = int(rng.integers(1, 50))
        elif field == "momentum_buffer" and opt.name == "sgd":
            fields[field] = rng.normal(size=params.shape) if opt.hparams["momentum"] > 0 else None
        elif value is None:
            fields[field] = None
        elif field in ("sum", "square_avg", "exp_avg_sq", "max_exp_avg_sq"):
            fields[field] = rng.uniform(0.5, 2.0, size=params.shape)
        else:
            fields[field] = rng.normal(size=params.shape) * 0.1
    if "max_exp_avg_sq" in fields and fields["max_exp_avg_sq"] is not None:
        fields["max_exp_avg_sq"] = np.maximum(fields["max_exp_avg_sq"], fields["exp_avg_sq"])
    return type(state)(**fields)


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_single_step_from_random_state_matches_torch(name, kw):
    rng = np.random.default_rng(1)
    opt = optim.get(name, **kw)
    for _ in range(5):
        params, grad = rng.normal(size=(6,)), rng.normal(size=(6,))
        state = random_state(opt, params, rng)
        p, torch_opt = torch_twin(opt, params)
        torch_opt.state[p] = {
            k: torch.tensor(float(v)) if k == "step" else torch.tensor(v)
            for k, v in state._asdict().items()
            if v is not None
        }
        new_params, new_state = opt.update(params, grad, state)
        p.grad = torch.tensor(grad)
        torch_opt.step()
        np.testing.assert_allclose(new_params, p.detach().numpy(), rtol=0, atol=1e-12)
        assert_state_matches(new_state, torch_state(torch_opt, p))


def test_per_step_overrides_match_torch_param_groups():
    """A schedule changes η, μ and β₁ between steps exactly as editing torch's param_groups does."""
    rng = np.random.default_rng(2)
    for opt in (optim.sgd(lr=0.1, momentum=0.9), optim.adam(lr=0.01), optim.rmsprop(lr=0.01, momentum=0.5)):
        params = rng.normal(size=4)
        state = opt.init(params)
        p, torch_opt = torch_twin(opt, params)
        for t in range(60):
            overrides = {"lr": opt.hparams["lr"] * (1 + np.cos(t / 5)) / 2}
            if "momentum" in opt.hparams:
                overrides["momentum"] = 0.5 + 0.4 * np.sin(t / 7) ** 2
            if "betas" in opt.hparams:
                overrides["betas"] = (0.85 + 0.1 * np.sin(t / 7) ** 2, 0.999)
            grad = rng.normal(size=4)
            params, state = opt.update(params, grad, state, **overrides)
            torch_opt.param_groups[0].update(overrides)
            p.grad = torch.tensor(grad)
            torch_opt.step()
            np.testing.assert_allclose(params, p.detach().numpy(), rtol=0, atol=1e-12)


def test_update_is_pure():
    rng = np.random.default_rng(3)
    for name, kw in CONFIGS:
        opt = optim.get(name, **kw)
        params, grad = rng.normal(size=3), rng.normal(size=3)
        state = opt.init(params)
        params, state = opt.update(params, grad, state)
        before = (
            params.copy(),
            grad.copy(),
            {k: None if v is None else np.copy(v) for k, v in state._asdict().items()},
        )
        opt.update(params, grad, state)
        np.testing.assert_array_equal(params, before[0])
        np.testing.assert_array_equal(grad, before[1])
        for k, v in state._asdict().items():
            np.testing.assert_array_equal(v, before[2][k])


def test_rules_run_on_torch_tensors():
    rng = np.random.default_rng(4)
    for name, kw in CONFIGS:
        opt = optim.get(name, **kw)
        params, grad = rng.normal(size=5), rng.normal(size=5)
        p_np, s_np = params, opt.init(params)
        p_t, s_t = torch.tensor(params), opt.init(torch.tensor(params))
        for _ in range(3):
            p_np, s_np = opt.update(p_np, grad, s_np)
            p_t, s_t = opt.update(p_t, torch.tensor(grad), s_t)
        assert isinstance(p_t, torch.Tensor)
        np.testing.assert_allclose(p_t.numpy(), p_np, rtol=0, atol=1e-14)


def test_hparams_and_names():
    assert optim.sgd().name == "sgd" and optim.sgd().torch_class is torch.optim.SGD
    assert optim.adagrad().torch_class is torch.optim.Adagrad
    assert optim.rmsprop().torch_class is torch.optim.RMSprop
    assert optim.adam().torch_class is torch.optim.Adam
    assert optim.adamw().torch_class is torch.optim.AdamW
    assert optim.adamw().hparams == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)
    assert optim.adam(bias_correction=False).torch_class is None
    assert "lr=0.5" in repr(optim.sgd(lr=0.5))


def test_uncorrected_adam_first_step_is_too_large():
    """Without bias correction the first step is (1 − β₁)/√(1 − β₂) ≈ 3.16 times η (sign(g) step with it)."""
    grad = np.array([0.3])
    corrected, _ = optim.adam(lr=1.0, eps=1e-12).update(np.zeros(1), grad, optim.adam().init(np.zeros(1)))
    plain_opt = optim.adam(lr=1.0, eps=1e-12, bias_correction=False)
    uncorrected, _ = plain_opt.update(np.zeros(1), grad, plain_opt.init(np.zeros(1)))
    np.testing.assert_allclose(corrected, -1.0, rtol=1e-9)
    np.testing.assert_allclose(uncorrected, -0.1 / np.sqrt(0.001), rtol=1e-9)


BAD = [
    (optim.sgd, dict(lr=-0.1), "lr"),
    (optim.sgd, dict(lr=float("nan")), "lr"),
    (optim.sgd, dict(lr=float("inf")), "lr"),
    (optim.sgd, dict(lr="0.1"), "lr"),
    (optim.sgd, dict(lr=10**400), "lr"),
    (optim.sgd, dict(momentum=1.0), "momentum"),
    (optim.sgd, dict(momentum=-0.1), "momentum"),
    (optim.sgd, dict(dampening=1.5), "dampening"),
    (optim.sgd, dict(weight_decay=-1), "weight_decay"),
    (optim.sgd, dict(nesterov=True), "nesterov"),
    (optim.sgd, dict(nesterov=True, momentum=0.9, dampening=0.1), "nesterov"),
    (optim.sgd, dict(nesterov="yes", momentum=0.9), "nesterov"),
    (optim.adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (optim.adagrad, dict(initial_accumulator_value=-1), "initial_accumulator_value"),
    (optim.adagrad, dict(eps=0.0), "eps"),
    (optim.rmsprop, dict(alpha=1.0), "alpha"),
    (optim.rmsprop, dict(eps=-1e-8), "eps"),
    (optim.rmsprop, dict(momentum=2), "momentum"),
    (optim.adam, dict(betas=(0.9, 1.0)), "β₂"),
    (optim.adam, dict(betas=(-0.1, 0.999)), "β₁"),
    (optim.adam, dict(betas=0.9), "betas"),
    (optim.adam, dict(eps=0), "eps"),
    (optim.adam, dict(weight_decay=float("nan")), "weight_decay"),
    (optim.adamw, dict(lr=-1e-3), "lr"),
    (optim.adamw, dict(amsgrad=1), "amsgrad"),
]


@pytest.mark.parametrize("factory,kw,word", BAD, ids=[f"{f.__name__}-{kw}" for f, kw, _ in BAD])
def test_bad_hyperparameters_raise_at_construction(factory, kw, word):
    with pytest.raises(ValueError, match=word):
        factory(**kw)


def test_bad_overrides_and_shapes_raise():
    opt = optim.adam()
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match="lr"):
        opt.update(np.zeros(2), np.ones(2), state, lr=-1)
    with pytest.raises(ValueError, match="amsgrad"):
        opt.update(np.zeros(2), np.ones(2), state, amsgrad=True)
    with pytest.raises(ValueError, match="shape"):
        opt.update(np.zeros(2), np.ones(3), state)
    with pytest.raises(ValueError, match="unknown optimizer"):
        optim.get("lion")


@pytest.mark.parametrize("name", sorted(optim.FACTORIES))
def test_update_refuses_what_init_did_not_make(name):
    opt = optim.get(name)
    for state in (None, (), optim.get("sgd" if name != "sgd" else "adam").init(np.zeros(2))):
        with pytest.raises(ValueError, match="state must be the .*State that init\\(params\\) returns"):
            opt.update(np.zeros(2), np.ones(2), state)


def test_update_refuses_mixed_backends_and_dtypes():
    opt = optim.adam()
    with pytest.raises(ValueError, match="must both be numpy arrays or both torch tensors.*params as a numpy array"):
        opt.update(np.zeros(2), torch.ones(2, dtype=torch.float64), opt.init(np.zeros(2)))
    with pytest.raises(ValueError, match="params as a torch tensor and grad as a numpy array"):
        opt.update(torch.zeros(2), np.ones(2), opt.init(torch.zeros(2)))
    params = torch.zeros(2, dtype=torch.float32)
    with pytest.raises(ValueError, match="grad has dtype torch.float64 but params have dtype torch.float32"):
        opt.update(params, torch.ones(2, dtype=torch.float64), opt.init(params))
    new, state = opt.update(params, torch.ones(2), opt.init(params))
    assert new.dtype == state.exp_avg.dtype == torch.float32


# --------------------------------------------------------------------------- run


def quadratic_grad(theta):
    return theta * np.array([1.0, 10.0])


def test_run_single_start():
    traj = optim.run(optim.sgd(lr=0.1), quadratic_grad, np.array([1.0, 1.0]), 50)
    assert traj.path.shape == (51, 2) and traj.diverged_at == -1 and not traj.diverged
    np.testing.assert_array_equal(traj.path[0], [1.0, 1.0])
    np.testing.assert_allclose(traj.path[1], [0.9, 0.0])
    np.testing.assert_allclose(traj.final, [0.9**50, 0.0], atol=1e-15)


def test_run_single_start_stops_at_divergence():
    """η = 0.25 > 2/λ_max = 0.2: |1 − ηλ| = 1.5 per step, so y passes the bound of 1e6 at step 35."""
    traj = optim.run(optim.sgd(lr=0.25), quadratic_grad, np.array([1.0, 1.0]), 200)
    assert traj.diverged and traj.diverged_at == 35
    assert traj.path.shape == (35, 2) and np.isfinite(traj.path).all()
    overflow = optim.run(optim.sgd(lr=1.0), lambda th: np.exp(th), np.array([0.0, 800.0]), 10)
    assert overflow.diverged_at == 1 and overflow.path.shape == (1, 2)


def test_run_batch_freezes_each_diverged_row():
    starts = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])

    def lr_scaled_grad(th):
        return th * np.array([1.0, 25.0])  # y-direction diverges at η = 0.1

    traj = optim.run(optim.sgd(lr=0.1), lr_scaled_grad, starts, 100)
    assert traj.path.shape == (101, 3, 2)
    assert traj.diverged_at[0] == -1 and traj.diverged_at[1] > 0
    assert traj.diverged_at[1] == traj.diverged_at[2]
    k = traj.diverged_at[1]
    np.testing.assert_array_equal(traj.path[k:, 1], np.broadcast_to(traj.path[k - 1, 1], (101 - k, 2)))
    assert np.isfinite(traj.path).all()
    single = optim.run(optim.sgd(lr=0.1), lr_scaled_grad, starts[0], 100)
    np.testing.assert_allclose(traj.path[:, 0], single.path, atol=1e-15)


def test_run_batch_matches_single_runs_for_adam():
    rng = np.random.default_rng(5)
    starts = rng.normal(size=(7, 2))
    batch = optim.run(optim.adam(lr=0.05), quadratic_grad, starts, 80)
    for i, start in enumerate(starts):
        np.testing.assert_allclose(
            batch.path[:, i], optim.run(optim.adam(lr=0.05), quadratic_grad, start, 80).path, atol=1e-14
        )


def test_run_applies_schedule_and_projection():
    seen = []

    def schedule(t):
        seen.append(t)
        return {"lr": 0.1 / (t + 1)}

    traj = optim.run(optim.sgd(lr=0.1), lambda th: np.ones_like(th), np.zeros(2), 4, schedule=schedule)
    assert seen == [0, 1, 2, 3]
    np.testing.assert_allclose(traj.final, -0.1 * (1 + 1 / 2 + 1 / 3 + 1 / 4) * np.ones(2))
    box = optim.run(
        optim.sgd(lr=1.0), lambda th: -np.ones_like(th), np.zeros(2), 5, project=lambda th: np.clip(th, -1, 2)
    )
    np.testing.assert_allclose(box.path[:, 0], [0, 1, 2, 2, 2, 2])


def test_run_resets_a_stochastic_gradient():
    class Noisy:
        def __init__(self):
            self.reset()

        def reset(self):
            self.rng = np.random.default_rng(0)

        def __call__(self, theta):
            return theta + self.rng.normal(size=theta.shape)

    noisy = Noisy()
    first = optim.run(optim.sgd(lr=0.1), noisy, np.ones(2), 20)
    second = optim.run(optim.sgd(lr=0.1), noisy, np.ones(2), 20)
    np.testing.assert_array_equal(first.path, second.path)


def test_run_bad_input():
    opt = optim.sgd()
    with pytest.raises(ValueError, match="steps"):
        optim.run(opt, quadratic_grad, np.zeros(2), -1)
    with pytest.raises(ValueError, match="steps"):
        optim.run(opt, quadratic_grad, np.zeros(2), 2.5)
    with pytest.raises(ValueError, match="start"):
        optim.run(opt, quadratic_grad, np.zeros((2, 2, 2)), 3)
    with pytest.raises(ValueError, match="start"):
        optim.run(opt, quadratic_grad, np.array([np.nan, 0.0]), 3)
    with pytest.raises(ValueError, match="Optimizer"):
        optim.run("sgd", quadratic_grad, np.zeros(2), 3)
    with pytest.raises(ValueError, match="shape"):
        optim.run(opt, lambda th: np.zeros(3), np.zeros(2), 3)
    with pytest.raises(ValueError, match=r"project\(θ\) must return an array of θ's shape \(2,\); at step 0"):
        optim.run(opt, quadratic_grad, np.ones(2), 3, project=lambda th: th[:1])
    with pytest.raises(ValueError, match=r"schedule\(t\) must return a dict .* at t = 0 it returned None"):
        optim.run(opt, quadratic_grad, np.ones(2), 3, schedule=lambda t: None)


def test_hparams_are_read_only_and_say_what_to_do_instead():
    opt = optim.sgd(lr=0.1)
    for mutate in (
        lambda h: h.__setitem__("lr", 1.0),
        lambda h: h.update(lr=1.0),
        lambda h: h.pop("lr"),
        lambda h: h.clear(),
        lambda h: h.setdefault("x", 1),
        lambda h: h.__delitem__("lr"),
    ):
        with pytest.raises(TypeError, match="read-only: build a new optimizer"):
            mutate(opt.hparams)
    assert (
        opt.hparams["lr"] == 0.1
        and repr(opt) == "sgd(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)"
    )
    assert copy.deepcopy(opt.hparams) == opt.hparams == pickle.loads(pickle.dumps(opt.hparams))
    assert optim.adam().bias_correction and not optim.adam(bias_correction=False).bias_correction
