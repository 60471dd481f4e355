"""helpers.online: step-counting gradients, the Reddi et al. problem, and Adam/AMSGrad on it against torch."""

import math

import numpy as np
import pytest
import torch

from helpers import online, optim


def test_cyclic_gradient_counts_calls_and_cycles():
    g = online.CyclicGradient([3.0, -1.0, -1.0])
    theta = np.array([0.5])
    assert [g(theta)[0] for _ in range(7)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0, 3.0]
    assert g.step == 7 and g.period == 3
    g.reset()
    assert g.step == 0 and g(theta)[0] == 3.0


def test_cyclic_gradient_ignores_theta_and_takes_its_shape():
    g = online.CyclicGradient([[1.0, 2.0], [-1.0, -2.0]])
    np.testing.assert_array_equal(g(np.zeros(2)), [1.0, 2.0])
    batch = g(np.zeros((4, 2)))  # a batch of starts gets the same gradient in every row
    assert batch.shape == (4, 2)
    np.testing.assert_array_equal(batch, np.tile([-1.0, -2.0], (4, 1)))
    np.testing.assert_array_equal(g.at(3), [1.0, 2.0])
    assert g.step == 2  # at() does not count


def test_returned_gradient_is_a_copy():
    g = online.CyclicGradient([[1.0, 2.0]])
    g(np.zeros(2))[0] = 99.0
    np.testing.assert_array_equal(g(np.zeros(2)), [1.0, 2.0])


@pytest.mark.parametrize("gradients", [[], [[]], [1.0, math.nan], [[[1.0]]], "abc", [[1.0, 2.0], [3.0]]])
def test_cyclic_gradient_rejects_bad_tables(gradients):
    with pytest.raises(ValueError, match="gradients"):
        online.CyclicGradient(gradients)


def test_cyclic_gradient_rejects_bad_theta_and_steps():
    g = online.CyclicGradient([[1.0, 2.0]])
    with pytest.raises(ValueError, match="θ must have 2"):
        g(np.zeros(3))
    with pytest.raises(ValueError, match="θ must have 2"):
        g(0.0)
    for t in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="t must be an integer ≥ 1"):
            g.at(t)


def test_run_resets_the_step_counter():
    problem = online.reddi()
    opt = optim.sgd(lr=0.1)
    first = optim.run(opt, problem.grad, problem.start, 10, project=problem.project)
    second = optim.run(opt, problem.grad, problem.start, 10, project=problem.project)
    np.testing.assert_array_equal(first.path, second.path)
    # x = 1 − 0.1·3 = 0.7, then +0.1 twice, then the cycle again
    np.testing.assert_allclose(first.path[:5, 0], [1.0, 0.7, 0.8, 0.9, 0.6])


def test_reddi_problem():
    problem = online.reddi(C=3.0)
    np.testing.assert_array_equal([problem.grad.at(t)[0] for t in range(1, 7)], [3, -1, -1, 3, -1, -1])
    assert problem.beta2 == pytest.approx(0.1)
    np.testing.assert_array_equal(problem.minimizer, [-1.0])
    np.testing.assert_array_equal(problem.project(np.array([2.5, -7.0, 0.3])), [1.0, -1.0, 0.3])
    assert problem.loss(np.array([0.5]), 1) == pytest.approx(1.5)
    assert problem.loss(np.array([0.5]), 2) == pytest.approx(-0.5)
    period = sum(problem.loss(np.array([0.5]), t) for t in (1, 2, 3))
    assert period == pytest.approx((3 - 2) * 0.5)  # (C − 2)x over a period
    assert online.reddi(C=5).beta2 == pytest.approx(1 / 26)


@pytest.mark.parametrize("C", [2.0, 1, -3.0, math.inf, math.nan, "3", True, None])
def test_reddi_rejects_bad_C(C):
    with pytest.raises(ValueError, match="C must be"):
        online.reddi(C)


def test_average_regret_by_hand():
    problem = online.reddi(C=3.0)
    path = np.array([[1.0], [0.0], [0.5], [-1.0]])  # points played at steps 1, 2, 3 (the last one is not)
    # fₛ(θₛ₋₁) − fₛ(−1): 3·(1 + 1) = 6, −(0 + 1) = −1, −(0.5 + 1) = −1.5
    np.testing.assert_allclose(online.average_regret(problem, path), [6.0, 5.0 / 2, 3.5 / 3])
    with pytest.raises(ValueError, match="path must have shape"):
        online.average_regret(problem, np.zeros((1, 1)))
    with pytest.raises(ValueError, match="path must have shape"):
        online.average_regret(problem, np.zeros((5, 2)))


def _reddi_runs(T=3000, alpha=0.5):
    problem = online.reddi(C=3.0)
    hparams = dict(lr=alpha, betas=(0.0, problem.beta2))

    def schedule(step):
        return {"lr": alpha / math.sqrt(step + 1)}

    runs = {
        amsgrad: optim.run(
            optim.adam(**hparams, amsgrad=amsgrad),
            problem.grad,
            problem.start,
            T,
            schedule=schedule,
            project=problem.project,
        )
        for amsgrad in (False, True)
    }
    return problem, hparams, schedule, runs


def test_adam_goes_to_the_worst_point_and_amsgrad_to_the_best():
    problem, _, _, runs = _reddi_runs()
    assert runs[False].final[0] > 0.999  # Theorem 1 of Reddi et al. (2018)
    assert runs[True].final[0] < -0.99
    assert online.average_regret(problem, runs[False].path)[-1] > 0.6
    assert online.average_regret(problem, runs[True].path)[-1] < 0.05


@pytest.mark.parametrize("amsgrad", [False, True])
def test_runs_on_the_online_problem_match_torch(amsgrad):
    problem, hparams, schedule, runs = _reddi_runs(T=300)
    x = torch.tensor(problem.start, dtype=torch.float64, requires_grad=True)
    twin = torch.optim.Adam([x], **hparams, amsgrad=amsgrad, foreach=False)
    path = [x.detach().clone().numpy()]
    for step in range(300):
        twin.param_groups[0]["lr"] = schedule(step)["lr"]
        twin.zero_grad()
        (torch.tensor(problem.grad.at(step + 1)) * x).sum().backward()
        twin.step()
        with torch.no_grad():
            x.clamp_(problem.lower, problem.upper)
        path.append(x.detach().clone().numpy())
    np.testing.assert_allclose(runs[amsgrad].path, np.array(path), rtol=0, atol=1e-12)
