"""Checks for the notebooks' exercises: each prints ✓ or a hint (never the answer) and returns a Verdict.

A check never raises on a wrong answer of the right kind: a learner's mistake is a hint,
not a traceback. Answers of the wrong kind (a string where a number belongs) get a hint too.
"""

import math

import numpy as np


class Verdict:
    """A check's result: true when the answer passed. It shows nothing as a cell's value."""

    def __init__(self, passed):
        self.passed = bool(passed)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return "✓" if self.passed else "✗"

    def _ipython_display_(self):
        pass  # the check already printed its verdict


def _verdict(ok, praise, hint):
    print(f"✓ {praise}" if ok else f"✗ Not yet. Hint: {hint}")
    return Verdict(ok)


def _as_number(answer):
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _close(answer, expected, rel=1e-6, abs_=1e-12):
    value = _as_number(answer)
    return value is not None and math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


# --------------------------------------------------------------------------- 00 · start here


def check_one_step(answer):
    """θ after one gradient step on f(θ) = θ² from θ₀ = 3 with η = 0.1."""
    return _verdict(
        _close(answer, 3 - 0.1 * 2 * 3),
        "θ₁ = θ₀ − η·f′(θ₀) = 3 − 0.1·6 = 2.4.",
        "θ₁ = θ₀ − η·f′(θ₀); what is f′(θ) for f(θ) = θ²?",
    )


def check_torch_name_of_rho(answer):
    """The keyword torch.optim.RMSprop uses for ρ."""
    return _verdict(
        isinstance(answer, str) and answer.strip() == "alpha",
        "torch calls RMSprop's decay rate ρ `alpha`.",
        "look at the 'torch argument' column of the notation table, or at help(torch.optim.RMSprop).",
    )


def check_adam_optimizer(opt):
    """An Adam optimizer from helpers.optim with η = 0.01 and β₂ = 0.99, the rest default."""
    from helpers import optim

    if not isinstance(opt, optim.Optimizer):
        return _verdict(False, "", "build it with optim.adam(...); you passed something else.")
    expected = dict(lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0, amsgrad=False)
    if opt.name != "adam":
        return _verdict(False, "", f"that is {opt.name}, not adam.")
    wrong = [k for k, v in expected.items() if not np.allclose(opt.hparams[k], v)]
    return _verdict(
        not wrong,
        "that is torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.99)) in helpers' form.",
        f"check {', '.join(wrong)}; β₂ is the second entry of `betas`." if wrong else "",
    )


# --------------------------------------------------------------------------- 01 · gradient descent


def check_mae_gradient(mae_grad):
    """`mae_grad(w, b, x, y) -> (dL/dw, dL/db)` for L = mean |w·x + b − y|, compared with autograd."""
    import torch

    if not callable(mae_grad):
        return _verdict(False, "", "pass your function itself, e.g. check_mae_gradient(mae_grad).")
    rng = np.random.default_rng(7)
    for _ in range(5):
        x, y = rng.normal(size=20), rng.normal(size=20)
        w, b = rng.normal(size=2)
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        (wt * torch.tensor(x) + bt - torch.tensor(y)).abs().mean().backward()
        try:
            got = np.asarray(mae_grad(w, b, x, y), dtype=np.float64).ravel()
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if got.shape != (2,):
            return _verdict(False, "", "return two numbers: (dL/dw, dL/db).")
        if not np.allclose(got, [wt.grad.item(), bt.grad.item()], atol=1e-10):
            return _verdict(
                False, "", "d|r|/dr = sign(r), and r = w·x + b − y depends on w through x and on b with slope 1. "
                "Did you keep the 1/N of the mean?",
            )
    return _verdict(True, "your MAE gradient matches autograd on random data.", "")


def check_max_stable_lr(answer):
    """The supremum of stable learning rates for a quadratic with Hessian eigenvalues 1 and 50."""
    return _verdict(
        _close(answer, 2 / 50),
        "η < 2/λ_max = 0.04: at η = 0.04 the λ = 50 direction is multiplied by 1 − ηλ = −1 every step.",
        "GD multiplies the component along eigenvector i by (1 − ηλᵢ) each step. For which η is |1 − ηλᵢ| < 1 for every i?",
    )


def check_optimal_step(eta, rate):
    """η* and the per-step contraction of the distance for κ = 9 (eigenvalues 1 and 9)."""
    ok_eta, ok_rate = _close(eta, 2 / 10), _close(rate, 8 / 10)
    if ok_eta and ok_rate:
        return _verdict(True, "η* = 2/(λ_min + λ_max) = 0.2 balances |1 − η·1| = |1 − η·9| = 0.8 = (κ − 1)/(κ + 1).", "")
    if ok_eta:
        return _verdict(False, "", "η is right. The rate is |1 − η*λ| for either eigenvalue.")
    return _verdict(False, "", "the best η makes the slowest and the fastest direction contract equally: |1 − ηλ_min| = |1 − ηλ_max|.")


def check_steps_needed(answer):
    """Steps of GD at η* on κ = 100 until the distance to the minimum shrinks by 10⁻⁶."""
    expected = math.ceil(math.log(1e-6) / math.log(99 / 101))
    value = _as_number(answer)
    if value is not None and value == expected:
        return _verdict(True, f"({99}/{101})^k ≤ 10⁻⁶ first holds at k = {expected}: ill-conditioning costs steps ∝ κ.", "")
    hint = "solve ((κ − 1)/(κ + 1))^k ≤ 10⁻⁶ for the smallest whole k; take logarithms."
    if value is not None and abs(value - expected) <= 1:
        hint = "close: round up to the first whole k that reaches 10⁻⁶."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 02 · SGD and mini-batches


def check_epoch_cost(steps_per_epoch, examples_in_10_epochs):
    """Steps per epoch for N = 60,000 and B = 128 (last batch kept), and per-example gradients in 10 epochs."""
    steps, examples = _as_number(steps_per_epoch), _as_number(examples_in_10_epochs)
    ok_steps, ok_examples = steps == math.ceil(60_000 / 128), examples == 10 * 60_000
    if ok_steps and ok_examples:
        return _verdict(True, "⌈60,000/128⌉ = 469 steps per epoch, and every epoch computes N = 60,000 per-example "
                        "gradients, whatever B is: as many as 10 steps of full-batch GD.", "")
    if not ok_steps:
        hint = "one epoch walks once through the N examples in slices of B; count the slices, the last one too."
        if steps is not None and math.isclose(steps, 60_000 / 128):
            hint = "a step uses a whole (possibly smaller) batch: the number of steps is a whole number."
        elif steps == 60_000 // 128:
            hint = "close: the last 96 images form a smaller batch, and it is a step too."
        return _verdict(False, "", hint)
    hint = "count per-example gradients: a step computes one per example in its batch, and an epoch sees each example once."
    if examples == 10 * 469 * 128:
        hint = "the last batch of each epoch holds only 60,000 − 468·128 = 96 images, not 128."
    elif examples == 10 * 469:
        hint = "that counts steps; each step computes B per-example gradients."
    return _verdict(False, "", hint)


def check_minibatch_std(minibatch_std):
    """`minibatch_std(sigma, B, N, replace)`: σ/√B with replacement, times √((N−B)/(N−1)) without."""
    if not callable(minibatch_std):
        return _verdict(False, "", "pass your function itself, e.g. check_minibatch_std(minibatch_std).")
    cases = [(s, b, n, r) for s in (0.5, 2.0) for n in (2, 10, 1000) for b in sorted({1, 2, n // 3 or 1, n - 1, n})
             for r in (True, False)]
    wrong = {True: 0, False: 0}
    squared = 0
    for sigma, b, n, replace in cases:
        variance = sigma**2 / b * (1.0 if replace else (n - b) / (n - 1))
        try:
            got = _as_number(minibatch_std(sigma, b, n, replace))
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if got is None or not math.isclose(got, math.sqrt(variance), rel_tol=1e-9, abs_tol=1e-12):
            wrong[replace] += 1
            squared += got is not None and math.isclose(got, variance, rel_tol=1e-9, abs_tol=1e-12)
    if not (wrong[True] or wrong[False]):
        return _verdict(True, "σ/√B with replacement, σ/√B·√((N − B)/(N − 1)) without — 0 at B = N.", "")
    if squared == wrong[True] + wrong[False]:
        return _verdict(False, "", "that looks like the variance; return the standard deviation, its square root.")
    if wrong[True]:
        return _verdict(False, "", "with replacement the B draws are independent: the variance is σ²/B (5), so the std is σ/√B.")
    return _verdict(False, "", "without replacement multiply by the finite-population correction √((N − B)/(N − 1)) of (6); "
                    "at B = N the std must be 0.")


def check_robbins_monro(answer):
    """The schedules among a–f with Σηₜ = ∞ and Σηₜ² < ∞: b (1/t), e (t^−0.75), f (0.5/(1 + t/100))."""
    try:
        chosen = {str(letter).strip().lower() for letter in answer}
    except TypeError:
        return _verdict(False, "", 'answer with a set of letters, e.g. {"a", "b"}.')
    if chosen == {"b", "e", "f"}:
        return _verdict(True, "b, e and f: steps like t^(−p) qualify exactly for ½ < p ≤ 1; a constant and 1/√t inject "
                        "unbounded noise (Σηₜ² = ∞), 1/t² stops too early (Σηₜ < ∞).", "")
    if "a" in chosen:
        hint = "a constant step never shrinks: Σ 0.1² over all t is infinite."
    elif "c" in chosen:
        hint = "square 1/√t: Σ 1/t is the harmonic series — it diverges."
    elif "d" in chosen:
        hint = "Σ 1/t² = π²/6 is finite: the steps can only travel a bounded distance."
    elif not chosen <= set("abcdef"):
        hint = "use the letters a to f of the table."
    else:
        hint = "Σ t^(−p) is finite exactly when p > 1; apply it to ηₜ (needs p ≤ 1) and to ηₜ² (needs 2p > 1). " \
               "For large t, 0.5/(1 + t/100) behaves like 50/t."
    return _verdict(False, "", hint)


def check_running_average(running_average):
    """`running_average(path)`: row t is θ̄ₜ = (1/(t + 1)) Σ_{s ≤ t} θₛ, the shape of `path`."""
    if not callable(running_average):
        return _verdict(False, "", "pass your function itself, e.g. check_running_average(running_average).")
    rng = np.random.default_rng(2)
    for path in (rng.normal(size=(25, 3)), rng.normal(size=(1, 2)), rng.normal(size=(6, 1))):
        expected = np.cumsum(path, axis=0) / np.arange(1, len(path) + 1)[:, None]
        try:
            got = np.asarray(running_average(path.copy()), dtype=np.float64)
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if got.shape != path.shape:
            return _verdict(False, "", f"return one average per iterate: shape {path.shape}, not {got.shape}.")
        if np.allclose(got, expected, atol=1e-12):
            continue
        if len(path) > 1 and np.allclose(got, path, atol=1e-12):
            hint = "that returns the iterates themselves; row t should be the mean of rows 0..t."
        elif len(path) > 1 and np.allclose(got[1:], np.cumsum(path, axis=0)[1:] / np.arange(1, len(path))[:, None]):
            hint = "rows 0..t are t + 1 iterates: divide the running sum by t + 1."
        else:
            hint = "row t is the mean of rows 0..t of path: a running sum (np.cumsum along axis 0) divided by a count."
        return _verdict(False, "", hint)
    return _verdict(True, "θ̄ₜ = (1/(t + 1)) Σ θₛ for every t: Polyak–Ruppert averaging in one line.", "")


# --------------------------------------------------------------------------- 03 · momentum and Nesterov


def check_optimal_momentum(mu, eta):
    """μ* and η* of the heavy ball for Hessian eigenvalues 1 and 100."""
    from helpers import rates

    eta_star, mu_star, rate = rates.optimal_heavy_ball(1.0, 100.0)
    ok_mu, ok_eta = _close(mu, mu_star), _close(eta, eta_star)
    if ok_mu and ok_eta:
        return _verdict(True, f"μ* = (9/11)² ≈ {mu_star:.4f} and η* = 4/(10 + 1)² ≈ {eta_star:.4f}: rate √μ* = 9/11 ≈ {rate:.3f}.", "")
    if _close(mu, rate):
        return _verdict(False, "", "that is the rate √μ*; μ* is its square.")
    if ok_mu:
        return _verdict(False, "", "μ is right. η* puts λ_min and λ_max at the two edges of the complex band: "
                        "ηλ_min = (1 − √μ)² and ηλ_max = (1 + √μ)².")
    if ok_eta:
        return _verdict(False, "", "η is right. μ* comes from √κ, not κ: ((√κ − 1)/(√κ + 1))².")
    return _verdict(False, "", "κ = λ_max/λ_min = 100, so √κ = 10; equation (11) has both answers.")


def check_stability_rule(is_stable):
    """`is_stable(eta, mu, eigenvalues) -> bool`: does the heavy ball converge from every start?"""
    from helpers import rates

    if not callable(is_stable):
        return _verdict(False, "", "pass your function itself, e.g. check_stability_rule(is_stable).")
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(200):
        eigenvalues = list(rng.uniform(0.1, 10.0, size=rng.integers(1, 4)))
        mu = float(rng.choice([0.0, rng.uniform(0.0, 0.99)]))
        boundary = 2 * (1 + mu) / max(eigenvalues)  # η beyond which the stiffest direction diverges
        eta = float(boundary * rng.choice([rng.uniform(0.05, 1.5), 0.99, 1.01]))
        cases.append((eta, mu, eigenvalues))
    for eta, mu, eigenvalues in cases:
        expected = rates.spectral_radius(eta, mu, eigenvalues) < 1
        try:
            answer = is_stable(eta, mu, list(eigenvalues))
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if not isinstance(answer, (bool, np.bool_)):
            return _verdict(False, "", f"return True or False; got {answer!r}.")
        if answer != expected:
            gd_rule = all(eta * lam < 2 for lam in eigenvalues)
            hint = (
                "that is gradient descent's rule ηλ < 2. Momentum moves the boundary: look at the real roots of (9) at z = −1."
                if gd_rule == answer and mu > 0 else
                f"for η = {eta:.4g}, μ = {mu:.3g}, eigenvalues {np.round(eigenvalues, 3).tolist()} you said {answer}. "
                "Every eigenvalue must satisfy (10)."
            )
            return _verdict(False, "", hint)
    return _verdict(True, "your rule agrees with the spectral radius on 200 cases, near the boundary too.", "")


def check_velocity_from_buffer(velocity):
    """The classical velocity v that continues a PyTorch-form run with η = 0.1, μ = 0.9 and buffer b = (2, −1)."""
    buffer, eta = np.array([2.0, -1.0]), 0.1
    try:
        v = np.asarray(velocity, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        v = None
    if v is None or v.shape != (2,) or not np.isfinite(v).all():
        return _verdict(False, "", "give two numbers, e.g. velocity = (0.5, -0.25).")
    if np.allclose(v, -eta * buffer, rtol=1e-9, atol=1e-12):
        return _verdict(True, "v = −ηb = (−0.2, 0.1): the classical step μv − ηg equals PyTorch's −η(μb + g).", "")
    if np.allclose(v, eta * buffer, rtol=1e-9, atol=1e-12):
        return _verdict(False, "", "check the sign: the classical form adds v to θ, PyTorch subtracts ηb.")
    if np.allclose(np.abs(v), np.abs(buffer), rtol=1e-9):
        return _verdict(False, "", "the buffer holds gradients without η; the velocity is a step, with η in it.")
    return _verdict(False, "", "write both updates for one step and ask which v makes θₜ₋₁ + vₜ equal θₜ₋₁ − ηbₜ.")


def check_momentum_speedup(answer):
    """How many times fewer steps the tuned heavy ball needs than tuned GD for κ = 10⁴ (±10%)."""
    from helpers import rates

    gd_steps = rates.steps_to(rates.optimal_gd(1.0, 1e4)[1])
    hb_steps = rates.steps_to(rates.optimal_heavy_ball(1.0, 1e4)[2])
    value = _as_number(answer)
    if value is not None and abs(value - gd_steps / hb_steps) <= 0.1 * gd_steps / hb_steps:
        return _verdict(True, f"about {gd_steps} against {hb_steps} steps: √κ = 100 times fewer.", "")
    hint = "steps ≈ ln(10⁻⁶)/ln(rate); GD's rate is (κ − 1)/(κ + 1), the heavy ball's (√κ − 1)/(√κ + 1)."
    if value is not None and value > 1000:
        hint = "that is κ, the ratio of the condition numbers. The heavy ball's steps grow like √κ, GD's like κ."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 04 · adagrad


def _adagrad_norm_reference(grad, theta0, lr, steps, eps=1e-10):
    theta, total = np.array(theta0, dtype=np.float64), 0.0
    path = [theta]
    for _ in range(steps):
        g = grad(theta)
        total = total + float(g @ g)  # Gₜ = Gₜ₋₁ + ‖gₜ‖²
        theta = theta - lr * g / (math.sqrt(total) + eps)  # θₜ = θₜ₋₁ − η gₜ / (√Gₜ + ε)
        path.append(theta)
    return np.array(path)


def check_adagrad_first_step(answer):
    """θ₁ of AdaGrad (η = 0.1, initial_accumulator_value = 1, ε = 1e-10) from θ₀ = 0 with g₁ = (3, 0.01)."""
    g = np.array([3.0, 0.01])
    expected = -0.1 * g / (np.sqrt(1.0 + g * g) + 1e-10)
    try:
        value = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        value = None
    if value is None or value.shape != (2,) or not np.isfinite(value).all():
        return _verdict(False, "", "give θ₁ as two numbers, e.g. a list or a numpy array.")
    if np.allclose(value, expected, rtol=1e-6, atol=1e-12):
        return _verdict(True, "G₁ = G₀ + g₁² = (10, 1.0001): the large gradient's step is capped near η·3/√10, "
                              "the tiny one is a plain gradient step of about η·0.01.", "")
    if np.allclose(value, -expected, rtol=1e-6):
        return _verdict(False, "", "check the sign: AdaGrad steps against the gradient.")
    if np.allclose(value, -0.1 * np.sign(g), rtol=1e-3):
        return _verdict(False, "", "that is the step with G₀ = 0. Here G₀ = initial_accumulator_value is not zero.")
    if np.allclose(value, -0.1 * g / (1.0 + g * g), rtol=1e-3):
        return _verdict(False, "", "divide by the square root of G₁, not by G₁ itself.")
    return _verdict(False, "", "first G₁ = G₀ + g₁² per coordinate, then θ₁ = θ₀ − η g₁ / (√G₁ + ε).")


def check_adagrad_norm(adagrad_norm):
    """`adagrad_norm(grad, theta0, lr, steps, eps=1e-10) -> path (steps + 1, d)`, one accumulator for all coordinates."""
    if not callable(adagrad_norm):
        return _verdict(False, "", "pass your function itself, e.g. check_adagrad_norm(adagrad_norm).")
    scales = np.array([1.0, 100.0, 7.0])
    problems = [
        (lambda theta: scales[:2] * theta, np.array([-4.0, 2.0]), 1.0, 30),
        (lambda theta: scales * theta, np.array([1.0, -0.5, 3.0]), 0.3, 20),
    ]
    for grad, start, lr, steps in problems:
        expected = _adagrad_norm_reference(grad, start, lr, steps)
        try:
            got = np.asarray(adagrad_norm(grad, start.copy(), lr, steps), dtype=np.float64)
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if got.shape != expected.shape:
            return _verdict(False, "", f"return the whole path θ₀…θ_steps, shape {expected.shape} here; got {got.shape}.")
        if np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            continue
        per_coordinate = [start.astype(np.float64)]
        total = np.zeros_like(start, dtype=np.float64)
        for _ in range(steps):
            g = grad(per_coordinate[-1])
            total = total + g * g
            per_coordinate.append(per_coordinate[-1] - lr * g / (np.sqrt(total) + 1e-10))
        if np.allclose(got, np.array(per_coordinate), rtol=1e-9, atol=1e-12):
            return _verdict(False, "", "that is per-coordinate AdaGrad. Here G is one number: add the squared norm ‖gₜ‖² = Σᵢ gₜᵢ².")
        if not np.allclose(got[0], start):
            return _verdict(False, "", "the path starts with θ₀ itself.")
        return _verdict(False, "", "accumulate first (Gₜ = Gₜ₋₁ + ‖gₜ‖²), then step with the new Gₜ; ε goes outside the root.")
    return _verdict(True, "your AdaGrad-Norm matches the reference on two quadratics.", "")


def check_ramp_steps(answer):
    """The first t with θₜ ≤ −10 for AdaGrad (η = 0.1) on L(θ) = 5θ from θ₀ = 0."""
    travelled = np.cumsum(0.1 * 5.0 / (np.sqrt(25.0 * np.arange(1, 10_000)) + 1e-10))
    expected = int(np.argmax(travelled >= 10)) + 1
    value = _as_number(answer)
    if value is not None and value == expected:
        return _verdict(True, "η Σ 1/√t first reaches 10 there: about (D/2η)² steps, quadratic in the distance D.", "")
    hint = "with a constant gradient, Gₜ = 25t, so step t moves θ by η/√t. Add these up until they reach 10."
    if value is not None and abs(value - expected) <= 0.1 * expected:
        hint = "close. 2η√T is only an approximation of η Σ 1/√t; count the sum exactly (np.cumsum helps)."
    return _verdict(False, "", hint)


def check_aligned_angle(answer):
    """The angle in (0, π), in radians, at which quadratic(kappa, angle) is axis-aligned again."""
    value = _as_number(answer)
    if value is not None and math.isclose(value, math.pi / 2, rel_tol=1e-4):
        return _verdict(True, "rotated by a right angle, the eigenvectors are the axes again (swapped): H is diagonal, "
                              "and (5) holds.", "")
    hint = "the κ-independence of (5) needs a diagonal Hessian. Print surfaces.hessian(kappa, angle) for a few angles."
    if value is not None and math.isclose(value, 90.0, rel_tol=1e-3):
        hint = "give the angle in radians, not degrees."
    elif value is not None and math.isclose(value, math.pi / 4, rel_tol=1e-3):
        hint = "that is the worst angle, not a good one."
    elif value is not None and (value <= 0 or value >= math.pi):
        hint = "the angle must lie strictly between 0 and π."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 05 · RMSprop


def check_rmsprop_memory(answer):
    """The effective memory 1/(1 − ρ), in steps, of RMSprop's moving average for ρ = 0.9."""
    value = _as_number(answer)
    if _close(value, 1 / (1 - 0.9)):
        return _verdict(True, "1/(1 − ρ) = 10 steps: a gradient 10 steps old weighs ρ¹⁰ ≈ 1/e of the newest one.", "")
    hint = "the newest gradient gets weight 1 − ρ; a plain average over n steps gives it 1/n. Which n matches?"
    if _close(value, 0.9 / (1 - 0.9)):
        hint = "that is the mean age ρ/(1 − ρ) of the averaged gradients; the effective memory is 1/(1 − ρ)."
    return _verdict(False, "", hint)


def check_rmsprop_first_step(answer):
    """|Δθ₁| / η under torch's RMSprop (no bias correction) for ρ = 0.99, ε negligible."""
    value = _as_number(answer)
    if _close(value, 1 / math.sqrt(1 - 0.99), rel=1e-4):
        return _verdict(True, "v₁ = (1 − ρ)g₁², so |Δθ₁| = η|g₁|/(√(1 − ρ)|g₁|) = η/√0.01 = 10η.", "")
    hint = "after one step v₁ = (1 − ρ)g₁² (v₀ = 0). Divide |g₁| by √v₁."
    if _close(value, 1 / (1 - 0.99), rel=1e-4):
        hint = "close: the denominator is the square root of v₁."
    return _verdict(False, "", hint)


def check_rmsprop_constant_gradient(answer):
    """The limit of vₜ when every gradient equals g = 0.3."""
    value = _as_number(answer)
    if _close(value, 0.3**2):
        return _verdict(True, "vₜ = (1 − ρᵗ)g² → g² = 0.09: the weights (1 − ρ)ρᵏ sum to 1, so the steps tend to η·sign(g).", "")
    hint = "unroll vₜ = ρvₜ₋₁ + (1 − ρ)g² into a geometric series. What does it average: g or g²?"
    if _close(value, 0.3):
        hint = "v averages squared gradients, not gradients."
    return _verdict(False, "", hint)


def check_rmsprop_warmup_steps(answer):
    """The first step t at which torch's inflation 1/√(1 − ρᵗ) is at most 1.1, for ρ = 0.99."""
    expected = math.ceil(math.log(1 - 1 / 1.1**2) / math.log(0.99))
    value = _as_number(answer)
    if value is not None and value == expected:
        return _verdict(True, f"0.99ᵗ ≤ 1 − 1/1.1² first holds at t = {expected}: the inflation outlasts 1/(1 − ρ) = 100 steps.", "")
    hint = "solve 1/√(1 − ρᵗ) ≤ 1.1 for t: square both sides, isolate ρᵗ, take logarithms, round up."
    if value is not None and abs(value - expected) <= 1:
        hint = "close: round up to the first whole t that satisfies the inequality."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 06 · Adam and AdamW


def check_uncorrected_first_step(answer):
    """Uncorrected/corrected first Adam step for β = (0.9, 0.98): (1 − β₁)/√(1 − β₂)."""
    expected = (1 - 0.9) / math.sqrt(1 - 0.98)
    value = _as_number(answer)
    if _close(value, expected, rel=1e-3):
        return _verdict(True, "0.1/√0.02 ≈ 0.707: with β₂ = 0.98 the uncorrected first step is *shorter* than Adam's.", "")
    hint = "at t = 1, m₁ = (1 − β₁)g₁ and v₁ = (1 − β₂)g₁²; divide m₁/√v₁ by the corrected step g₁/|g₁|."
    if value is not None and _close(value, 1 / expected, rel=1e-3):
        hint = "that is corrected/uncorrected; the question asks for uncorrected/corrected."
    elif value is not None and _close(value, (1 - 0.9) / (1 - 0.98), rel=1e-3):
        hint = "the step divides by √v₁, the square root of (1 − β₂)g₁²."
    return _verdict(False, "", hint)


def check_first_moment(m_1, m_hat_1):
    """m₁ and m̂₁ for β₁ = 0.8 and g₁ = −2."""
    ok_m, ok_hat = _close(m_1, 0.2 * -2.0), _close(m_hat_1, -2.0)
    if ok_m and ok_hat:
        return _verdict(True, "m₁ = (1 − β₁)g₁ = −0.4, and m̂₁ = m₁/(1 − β₁) = g₁: the first corrected estimate is the gradient itself.", "")
    if ok_m:
        return _verdict(False, "", "m₁ is right. Divide it by 1 − β₁ᵗ with t = 1.")
    if ok_hat:
        return _verdict(False, "", "m̂₁ is right. m₁ comes from (1) with m₀ = 0, before any correction.")
    return _verdict(False, "", "start from m₀ = 0 in mₜ = β₁mₜ₋₁ + (1 − β₁)gₜ, then divide by 1 − β₁ᵗ.")


def check_adamw_decay(answer):
    """θ₁₀₀₀/θ₀ for AdamW with η = 10⁻³, ω = 0.1 and a zero gradient: (1 − ηω)¹⁰⁰⁰."""
    expected = (1 - 1e-3 * 0.1) ** 1000
    value = _as_number(answer)
    if _close(value, expected, rel=1e-4):
        return _verdict(True, "(1 − ηω)¹⁰⁰⁰ = 0.9999¹⁰⁰⁰ ≈ 0.905 ≈ e^(−ηωk): with a zero gradient Adam's own step is 0.", "")
    hint = "each AdamW step multiplies θ by (1 − ηω) before the Adam step, and with g = 0 that Adam step is 0."
    if value is not None and _close(value, (1 - 0.1) ** 1000, rel=1e-3, abs_=1e-30):
        hint = "the factor per step is 1 − ηω, with η = 10⁻³, not 1 − ω."
    elif value is not None and _close(value, 1 - 1000 * 1e-3 * 0.1, rel=1e-3):
        hint = "the factors multiply: (1 − ηω)ᵏ, not 1 − kηω."
    return _verdict(False, "", hint)


def check_large_eps_lr(answer):
    """The SGD (μ = 0.9, τ = 0) learning rate that Adam with η = 0.5, ε = 100 approaches: (η/ε)(1 − β₁)."""
    expected = 0.5 / 100 * (1 - 0.9)
    value = _as_number(answer)
    if _close(value, expected, rel=1e-6):
        return _verdict(True, "(η/ε)(1 − β₁) = 5·10⁻⁴: SGD's undampened buffer Σ β₁^(t−s) gₛ is 1/(1 − β₁) times Adam's m̂ for large t.", "")
    hint = "with ε ≫ √v̂ the step is (η/ε)m̂ₜ; compare m̂ₜ with torch's buffer bₜ = μbₜ₋₁ + gₜ for large t."
    if value is not None and _close(value, 0.5 / 100, rel=1e-6):
        hint = "η/ε is the rate for SGD with dampening τ = β₁; with dampening 0 the buffer is 1/(1 − β₁) times larger."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 07 · the optimizer race

RACE_GAPS = (3e-9, 4e-7, 2e-6, 8e-5, 1e-3, 0.3, math.inf, math.inf)
"""The eight final gaps of notebook 07's first exercise: six finished runs and two diverged ones."""


def check_gap_summary(median, success_rate):
    """Median and success rate (f − f* < 10⁻⁶) of RACE_GAPS; diverged runs count as the worst results."""
    gaps = np.array(RACE_GAPS)
    med, rate = _as_number(median), _as_number(success_rate)
    if med is None or rate is None:
        return _verdict(False, "", "answer with two finite numbers: the median gap and the success rate as a fraction.")
    finite = gaps[np.isfinite(gaps)]
    median_ok = math.isclose(med, float(np.median(gaps)), rel_tol=1e-6)
    rate_ok = math.isclose(rate, float(np.mean(gaps < 1e-6)), rel_tol=1e-6)
    if median_ok and rate_ok:
        return _verdict(True, "the two diverged runs are the two worst, and they move the median up a place.", "")
    if not median_ok:
        if math.isclose(med, float(np.median(finite)), rel_tol=1e-6):
            hint = "the diverged runs are results (the worst ones, f − f* = ∞), not missing values: keep all eight."
        elif med in gaps:
            hint = "with an even number of runs the median is the mean of the two middle values."
        else:
            hint = "sort the eight gaps (∞ last) and take the middle; np.median handles ∞."
    elif rate > 1:
        hint = "give the success rate as a fraction, not a percentage."
    else:
        hint = "a success is f − f* < 10⁻⁶; count them and divide by all eight runs, diverged ones included."
    return _verdict(False, "", hint)


def check_basins_changed(fraction):
    """The fraction of the 60 × 60 himmelblau grid where momentum (η = 0.01, μ = 0.5) and GD end apart."""
    from helpers import optim, race, surfaces

    value = _as_number(fraction)
    if value is None:
        return _verdict(False, "", "answer with a number between 0 and 1.")
    if value > 1:
        return _verdict(False, "", "give a fraction between 0 and 1, not a percentage.")
    surface = surfaces.himmelblau()
    gd = race.basin_map(surface, optim.sgd(lr=0.01), resolution=60, steps=300)
    half = race.basin_map(surface, optim.sgd(lr=0.01, momentum=0.5), resolution=60, steps=300)
    expected = float(np.mean(gd.labels != half.labels))
    if abs(value - expected) < 2e-3:
        return _verdict(True, "even gentle momentum moves about a tenth of the starts to another minimum.", "")
    heavy = race.basin_map(surface, optim.sgd(lr=0.01, momentum=0.9), resolution=60, steps=300)
    if abs(value - float(np.mean(gd.labels != heavy.labels))) < 2e-3:
        return _verdict(False, "", "that is the fraction for μ = 0.9; build the momentum map with μ = 0.5.")
    return _verdict(False, "", "compute both maps with race.basin_map (η = 0.01, 300 steps, resolution 60) and "
                               "take the mean of (labels of GD != labels of momentum).")


def check_saddle_escape(steps):
    """The first step t with |yₜ| > 1 for GD (η = 0.05) on surfaces.saddle() from θ₀ = (0, 10⁻⁶)."""
    from helpers import optim, surfaces

    value = _as_number(steps)
    if value is None:
        return _verdict(False, "", "answer with a whole number of steps.")
    surface = surfaces.saddle()
    path = optim.run(optim.sgd(lr=0.05), surface.grad, np.array([0.0, 1e-6]), 400).path
    measured = int(np.flatnonzero(np.abs(path[:, 1]) > 1)[0])
    linear = math.log(1e6) / math.log(1.1)  # (9)
    if abs(value - measured) <= 1:
        return _verdict(True, "a few steps more than the linear prediction (9): the −y³ term weakens the "
                              "push once |y| nears 1.", "")
    if abs(value - linear) <= 1:
        return _verdict(False, "", "that is the linear prediction (9); measure the run: the y³ term matters near |y| = 1.")
    return _verdict(False, "", "run optim.sgd(lr=0.05) from (0, 1e-6) and find the first index t with |path[t, 1]| > 1.")


def check_momentum_escape_factor(factor):
    """The growth factor per step of y near the saddle for the heavy ball with η = 0.05, μ = 0.5."""
    value = _as_number(factor)
    if value is None:
        return _verdict(False, "", "answer with a number: |yₜ| grows by this factor per step.")
    trace, mu = 1 + 0.5 + 2 * 0.05, 0.5  # z² − (1 + μ + 2η) z + μ = 0, equation (10)
    larger = (trace + math.sqrt(trace**2 - 4 * mu)) / 2
    if math.isclose(value, larger, rel_tol=1e-3):
        return _verdict(True, "faster than GD's 1 + 2η = 1.1: momentum escapes saddles sooner.", "")
    if math.isclose(value, 1.1, rel_tol=1e-3):
        hint = "1 + 2η is plain GD's factor; with momentum yₜ depends on yₜ₋₁ and yₜ₋₂ (10)."
    elif math.isclose(value, trace, rel_tol=1e-3):
        hint = "1 + μ + 2η is the sum of the two roots of (10); you need the larger root alone."
    elif math.isclose(value, trace - larger, rel_tol=1e-3):
        hint = "that is the smaller root of (10), the mode that dies out; take the larger one."
    else:
        hint = "solve z² − (1 + μ + 2η) z + μ = 0 (10) and take the larger root."
    return _verdict(False, "", hint)


def check_clipped_gradients(by_norm, by_value):
    """g = (12, −5) clipped with c = 1: by norm (direction kept) and by value (each coordinate clamped)."""
    g = np.array([12.0, -5.0])
    try:
        norm_answer = np.asarray(by_norm, dtype=np.float64).reshape(-1)
        value_answer = np.asarray(by_value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return _verdict(False, "", "answer with two vectors of two numbers each, e.g. np.array([a, b]).")
    if norm_answer.shape != (2,) or value_answer.shape != (2,):
        return _verdict(False, "", "each answer is a vector of two numbers, like g.")
    expected_norm = g / np.linalg.norm(g)  # (6), ignoring torch's 10⁻⁶
    expected_value = np.clip(g, -1.0, 1.0)  # (7)
    norm_ok = np.allclose(norm_answer, expected_norm, rtol=1e-5, atol=1e-9)
    value_ok = np.allclose(value_answer, expected_value, rtol=1e-9, atol=1e-9)
    if norm_ok and value_ok:
        return _verdict(True, "by norm keeps the direction of g; by value turns it towards the diagonal.", "")
    if np.allclose(norm_answer, expected_value) and np.allclose(value_answer, expected_norm, rtol=1e-5):
        hint = "the two answers are swapped."
    elif not norm_ok:
        hint = "by norm: g · c/‖g‖ when ‖g‖ > c (6); what is ‖(12, −5)‖?"
    else:
        hint = "by value: clamp each coordinate to [−c, c] on its own (7), signs kept."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 08 · learning-rate schedules


def check_step_lr_value(answer):
    """η at step t = 75 of StepLR with η₀ = 0.1, step_size = 30, γ = 0.1: η₀γ^⌊75/30⌋."""
    value = _as_number(answer)
    if _close(value, 0.1 * 0.1 ** (75 // 30)):
        return _verdict(True, "⌊75/30⌋ = 2 drops have happened, at t = 30 and t = 60: η₇₅ = 0.1·0.1² = 10⁻³.", "")
    hint = "count the drops that have happened by step 75: ηₜ = η₀ γ^⌊t/s⌋, and ⌊·⌋ rounds down."
    if _close(value, 0.1 * 0.1 ** 3) or _close(value, 0.1 * 0.1**2.5):
        hint = "the exponent is ⌊t/s⌋, rounded down: the third drop comes at t = 90."
    elif _close(value, 0.1 * 0.1):
        hint = "a drop happens at every multiple of step_size, t = 30 and t = 60 both."
    return _verdict(False, "", hint)


def check_cosine_midpoint(answer):
    """η at t = T/2 of CosineAnnealingLR with η₀ = 0.1, η_min = 0.001."""
    value = _as_number(answer)
    if _close(value, 0.001 + 0.5 * (0.1 - 0.001)):
        return _verdict(True, "cos(π/2) = 0, so η_{T/2} = η_min + ½(η₀ − η_min) = (η₀ + η_min)/2 = 0.0505.", "")
    hint = "put t = T/2 into ηₜ = η_min + ½(η₀ − η_min)(1 + cos(πt/T)); what is cos(π/2)?"
    if _close(value, 0.05):
        hint = "close: that ignores η_min; the cosine runs between η₀ and η_min, not 0."
    return _verdict(False, "", hint)


def check_one_cycle_ends(initial, final):
    """OneCycleLR(max_lr = 0.4) with the default div_factor = 25 and final_div_factor = 10⁴: its first and last η."""
    ok_initial, ok_final = _close(initial, 0.4 / 25), _close(final, 0.4 / 25 / 1e4)
    if ok_initial and ok_final:
        return _verdict(True, "η starts at max_lr/div_factor = 0.016 and ends 10⁴ times lower still, at 1.6·10⁻⁶.", "")
    if ok_initial:
        hint = "the first one is right. final_div_factor divides the *initial* η, not max_lr."
        return _verdict(False, "", hint)
    if ok_final:
        return _verdict(False, "", "the last one is right. Where does the rise start? Look at div_factor.")
    return _verdict(False, "", "η rises from max_lr/div_factor to max_lr, then falls to (max_lr/div_factor)/final_div_factor.")


PLATEAU_EXERCISE_METRICS = (1.0, 0.8, 0.8, 0.79, 0.81, 0.80, 0.82, 0.85)


def check_plateau_lr(answer):
    """η after ReduceLROnPlateau(lr = 0.1, factor = 0.5, patience = 2) has seen PLATEAU_EXERCISE_METRICS."""
    from helpers import schedules

    expected = schedules.reduce_on_plateau(PLATEAU_EXERCISE_METRICS, 0.1, factor=0.5, patience=2)
    value = _as_number(answer)
    if _close(value, expected):
        return _verdict(True, "0.79 is the last improvement; 0.81, 0.80, 0.82 make three bad metrics in a row, more "
                              "than patience = 2, so η halves once, and the count starts again.", "")
    hint = ("walk through the metrics keeping the best so far and a count of metrics in a row that did not beat it; "
            "η is multiplied by factor when that count exceeds patience, and the count restarts.")
    if _close(value, 0.1):
        hint = "η does drop once: find the first run of more than `patience` metrics in a row that miss the best."
    elif _close(value, 0.025) or _close(value, 0.0125):
        hint = "after a reduction the count of bad metrics starts again from 0; a single drop fits here."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 09 · regularization


def _elastic_net_prox_reference(z, c1, c2):
    return np.sign(z) * np.maximum(np.abs(z) - c1, 0.0) / (1 + c2)


def check_elastic_net_prox(elastic_net_prox):
    """`elastic_net_prox(z, c1, c2)`: argmin_u ½‖u − z‖² + c1‖u‖₁ + (c2/2)‖u‖², elementwise."""
    if not callable(elastic_net_prox):
        return _verdict(False, "", "pass your function itself, e.g. check_elastic_net_prox(elastic_net_prox).")
    rng = np.random.default_rng(9)
    z = np.concatenate([rng.normal(scale=2, size=40), [0.0, 0.3, -0.3, 0.29, -0.31]])
    for c1, c2 in ((0.3, 0.5), (0.0, 1.0), (1.0, 0.0), (0.7, 2.0)):
        expected = _elastic_net_prox_reference(z, c1, c2)
        try:
            got = np.asarray(elastic_net_prox(z.copy(), c1, c2), dtype=np.float64)
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if got.shape != z.shape:
            return _verdict(False, "", f"return one value per coordinate of z: shape {z.shape}, not {got.shape}.")
        if np.allclose(got, expected, atol=1e-12):
            continue
        soft = np.sign(z) * np.maximum(np.abs(z) - c1, 0.0)
        if np.allclose(got, soft, atol=1e-12):
            hint = "that is the L1 prox alone; the (c2/2)‖u‖² term shrinks the survivors as well."
        elif np.allclose(got, np.sign(z) * np.maximum(np.abs(z) / (1 + c2) - c1, 0.0), atol=1e-12):
            hint = "close — but the threshold applies to z itself: for u > 0, setting u − z + c1 + c2·u = 0 gives u."
        elif np.allclose(got, z / (1 + c2), atol=1e-12):
            hint = "that is the L2 prox alone; without the L1 part nothing becomes exactly zero."
        else:
            hint = "work one coordinate at a time as in (6): for u > 0 the derivative is u − z + c1 + c2·u; " \
                   "for u < 0 it is u − z − c1 + c2·u; and u = 0 when neither has a solution of the right sign."
        return _verdict(False, "", hint)
    return _verdict(True, "the elastic-net prox soft-thresholds at c1, then divides by 1 + c2 (Zou & Hastie, 2005).", "")


def check_decay_halving(answer):
    """Steps of SGD with η = 0.1 and weight_decay ω₂ = 5e-3, on a zero loss gradient, until θ has halved."""
    factor = 1 - 0.1 * 5e-3  # (4) with gₜ = 0
    steps = math.ceil(math.log(0.5) / math.log(factor))
    value = _as_number(answer)
    ok = value is not None and value == steps
    if ok:
        return _verdict(True, "each step multiplies θ by 1 − ηω₂ = 0.9995; a half-life of ln 2/(ηω₂) ≈ 1386 steps.", "")
    if value is None:
        hint = "give a whole number of steps."
    elif value == steps - 1:
        hint = "after that many steps θ is still a little above half: round up."
    elif math.isclose(value, math.log(0.5) / math.log(1 - 5e-3), rel_tol=0.01) or \
            math.isclose(value, math.log(2) / 5e-3, rel_tol=0.01):
        hint = "the shrink factor per step is 1 − η·ω₂, not 1 − ω₂: the learning rate multiplies the decay too."
    else:
        hint = "with gₜ = 0, (4) multiplies θ by (1 − ηω₂) every step; solve (1 − ηω₂)ᵏ ≤ ½ for the smallest whole k."
    return _verdict(False, "", hint)


def check_early_stopping_epochs(best_epoch, stop_epoch):
    """Exercise 3's curve with patience 3: the epoch whose weights are kept, and the epoch training stops after."""
    losses = [1.00, 0.80, 0.70, 0.72, 0.69, 0.71, 0.73, 0.74, 0.70, 0.60]
    best, stop = 5, 8
    got_best, got_stop = _as_number(best_epoch), _as_number(stop_epoch)
    if got_best == best and got_stop == stop:
        return _verdict(True, "the best epoch so far was 5; epochs 6, 7 and 8 did not beat it, so training stops "
                        "after epoch 8 and keeps epoch 5's weights — it never sees epoch 10's lower loss.", "")
    if got_best is None or got_stop is None:
        hint = "give two whole epoch numbers, counting the first epoch as 1."
    elif got_best == losses.index(min(losses)) + 1:
        hint = "early stopping cannot see the future: training has stopped before that epoch."
    elif got_best == best - 1 or got_stop == stop - 1:
        hint = "count epochs from 1: the first loss in the list is epoch 1."
    elif got_best == best and got_stop != stop:
        hint = "the best epoch is right; training stops once `patience` epochs in a row fail to beat it."
    else:
        hint = "walk through the list: keep the lowest loss so far and its epoch; stop once the current epoch is " \
               "3 epochs past that best epoch."
    return _verdict(False, "", hint)


def check_dropout_values(survivor, evaluation):
    """Inverted dropout with p = 0.25 on an input of 2.0: a surviving output in training, and the output in eval mode."""
    p, h = 0.25, 2.0
    ok_survivor, ok_eval = _close(survivor, h / (1 - p), rel=1e-3), _close(evaluation, h)
    if ok_survivor and ok_eval:
        return _verdict(True, "survivors carry h/(1 − p) = 2/0.75 ≈ 2.667, so E = 0.75·2.667 = 2; eval mode is the "
                        "identity.", "")
    if _as_number(survivor) is None or _as_number(evaluation) is None:
        hint = "give two numbers: the surviving output in training mode, and the output in evaluation mode."
    elif not ok_survivor and _close(survivor, h):
        hint = "inverted dropout rescales the survivors while training; by how much, so that the mean stays h?"
    elif not ok_survivor and (_close(survivor, h * (1 - p)) or _close(survivor, h / p) or _close(survivor, h * p)):
        hint = "with probability 1 − p a unit survives; its value times that probability must equal h."
    elif not ok_eval and (_close(evaluation, h * (1 - p)) or _close(evaluation, h / (1 - p))):
        hint = "the scaling already happened in training: what does evaluation mode have left to do?"
    else:
        hint = "use (8): a survivor is h·1/(1 − p); in evaluation mode, dropout does nothing."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 10 · hyperparameter search


def check_distinct_values(grid_count, random_count):
    """Distinct values of one hyperparameter: a 4×4 grid tries 4, 16 random trials try 16."""
    grid, random = _as_number(grid_count), _as_number(random_count)
    if grid is None or random is None:
        return _verdict(False, "", "answer with two whole numbers: the grid's count, then random search's.")
    if grid == 4 and random == 16:
        return _verdict(True, "the grid's 16 points stand in 4 columns of 4; each random trial draws a new value.", "")
    if grid != 4:
        hint = ("count the values along one axis, not the points: the grid's points share their values column by "
                "column (equation (2)).")
    else:
        hint = "random trials draw every hyperparameter afresh from a continuous range: can two of them share a value?"
    return _verdict(False, "", hint)


def check_trials_for_top_fraction(answer):
    """The smallest n with 1 − 0.95ⁿ ≥ 0.95 (equation (3) with q = 5%): 59."""
    value = _as_number(answer)
    expected = math.ceil(math.log(0.05) / math.log(0.95))
    if value == expected:
        return _verdict(True, f"1 − 0.95ⁿ first reaches 95% at this n: {1 - 0.95 ** expected:.4f}.", "")
    if value is None:
        hint = "answer with a whole number of trials."
    elif value != int(value):
        hint = "a number of trials is a whole number: round the solution of 1 − 0.95ⁿ = 0.95 the safe way."
    elif value < expected and 1 - 0.95**value < 0.95:
        hint = f"with {int(value)} trials the chance is only {1 - 0.95 ** value:.3f}; solve 1 − 0.95ⁿ ≥ 0.95 for n."
    else:
        hint = "enough trials, but not the fewest: solve 1 − 0.95ⁿ ≥ 0.95 for n with logarithms."
    return _verdict(False, "", hint)


def check_halving_schedule(halving_schedule):
    """`halving_schedule(n, min_budget, r)` → [(budget, configurations), …] of every round of successive halving."""
    from helpers import search

    if not callable(halving_schedule):
        return _verdict(False, "", "pass your function itself, e.g. check_halving_schedule(halving_schedule).")
    for n, min_budget, r in [(27, 10, 3), (81, 1, 3), (10, 5, 2), (8, 1, 3), (100, 2, 4), (1, 7, 3), (5, 3, 5)]:
        rounds = search.successive_halving(list(range(n)), lambda config, budget: config, min_budget, eta=r).rounds
        expected = [(rnd.budget, len(rnd.configs)) for rnd in rounds]
        try:
            got = [(_as_number(budget), _as_number(count)) for budget, count in halving_schedule(n, min_budget, r)]
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}; "
                            "it should return a list of (budget, configurations) pairs.")
        if got == expected:
            continue
        case = f"for n = {n}, min_budget = {min_budget}, r = {r}"
        if not got:
            hint = f"{case} the list is empty; round 0 trains all n configurations with min_budget each."
        elif [count for _, count in got] == [count for _, count in expected]:
            hint = f"{case} the counts are right but the budgets are not: bᵢ = b₀·rⁱ (6)."
        elif len(got) < len(expected):
            hint = f"{case} the race stops too early: it ends with a round in which one configuration trains."
        elif len(got) > len(expected):
            hint = f"{case} there are too many rounds: once a single configuration has trained, the race is over."
        else:
            hint = f"{case} the survivors are ⌊nᵢ/r⌋, but never fewer than one (6)."
        return _verdict(False, "", hint)
    return _verdict(True, "every round costs about n₀·b₀: the whole race ⌊log_r n₀⌋ + 1 times that.", "")


def check_decade_fractions(loguniform_fraction, uniform_fraction):
    """η in [1e-4, 1], the share in [1e-3, 1e-2]: 1/4 log-uniform, (1e-2 − 1e-3)/(1 − 1e-4) uniform."""
    log_share, flat_share = _as_number(loguniform_fraction), _as_number(uniform_fraction)
    if log_share is None or flat_share is None:
        return _verdict(False, "", "answer with two fractions between 0 and 1, e.g. 0.5 for a half.")
    log_ok = math.isclose(log_share, 0.25, rel_tol=1e-3)
    flat_ok = math.isclose(flat_share, (1e-2 - 1e-3) / (1 - 1e-4), rel_tol=2e-3)
    if log_ok and flat_ok:
        return _verdict(True, "log-uniform gives each of the 4 decades the same share; uniform gives this one under 1%.", "")
    if log_share > 1 or flat_share > 1:
        hint = "give fractions, not percentages."
    elif not log_ok:
        hint = "log-uniform: the logarithm is uniform, so count decades — how many lie in [1e-4, 1]? (equation (4))"
    else:
        hint = "uniform: the share is the interval's length divided by the range's length."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 11 · an MNIST CNN


def _as_whole_number(answer):
    value = _as_number(answer)
    return int(value) if value is not None and value == int(value) else None


def check_conv_parameters(answer):
    """The parameters of nn.Conv2d(32, 64, kernel_size=3): weights and biases."""
    value = _as_whole_number(answer)
    expected = 64 * (32 * 3 * 3 + 1)  # C_out · (C_in·k² + 1), equation (3)
    if value == expected:
        return _verdict(True, "C_out·(C_in·k² + 1): one 32×3×3 filter and one bias per output channel.", "")
    if value is None:
        hint = "answer with a whole number of parameters."
    elif value == 64 * 32 * 3 * 3:
        hint = "those are the weights; every output channel also has a bias."
    elif value in (64 * (3 * 3 + 1), 32 * 3 * 3 + 1):
        hint = "each output channel's filter spans all input channels: C_in·k·k weights, plus its bias."
    else:
        hint = "count one filter's weights (C_in·k·k), add its bias, and multiply by the number of filters C_out (3)."
    return _verdict(False, "", hint)


def check_output_sizes(after_conv, after_pool):
    """Side length of a 28×28 image after nn.Conv2d(1, 8, kernel_size=3, stride=2), then after nn.MaxPool2d(2)."""
    conv, pool = _as_whole_number(after_conv), _as_whole_number(after_pool)
    expected_conv = (28 - 3) // 2 + 1  # ⌊(H + 2p − k)/s⌋ + 1, equation (2)
    expected_pool = expected_conv // 2  # ⌊(H − 2)/2⌋ + 1
    if conv == expected_conv and pool == expected_pool:
        return _verdict(True, "both sizes round down: the last row and column a window cannot cover are dropped.", "")
    if conv is None or pool is None:
        hint = "answer with two whole numbers: the side length after the convolution, and after the pooling."
    elif conv == 28 // 2 or conv == 28 - 3 + 1:
        hint = "use (2) with H = 28, k = 3, p = 0 and s = 2 for the convolution."
    elif conv != expected_conv:
        hint = "the convolution: ⌊(H + 2p − k)/s⌋ + 1 (2); round down before adding 1."
    else:
        hint = "the pooling is (2) again with k = 2, s = 2, p = 0, applied to the convolution's output; round down."
    return _verdict(False, "", hint)


def check_conv_macs(answer):
    """Multiply-accumulates of nn.Conv2d(32, 64, kernel_size=3, padding=1) on one 32×14×14 input."""
    value = _as_whole_number(answer)
    expected = 14 * 14 * 64 * 32 * 3 * 3  # H_out·W_out·C_out·C_in·k², equation (4)
    if value == expected:
        return _verdict(True, "every one of the 14·14·64 outputs is a dot product of length 32·3·3.", "")
    if value is None:
        hint = "answer with a whole number of multiply-accumulates."
    elif value == 2 * expected:
        hint = "that counts FLOPs (a multiply and an add); the question asks for MACs."
    elif value == 12 * 12 * 64 * 32 * 3 * 3:
        hint = "with padding 1 a 3×3 convolution keeps the size: the output is 14×14."
    elif value == 64 * 32 * 3 * 3:
        hint = "that is one dot product per filter; each filter computes one at every output position."
    else:
        hint = "MACs = H_out·W_out·C_out · C_in·k² (4): the output's size times the length of each dot product."
    return _verdict(False, "", hint)


def check_most_confused(confusion, pair):
    """`pair` = (true digit, predicted digit) of the largest off-diagonal count of the 10×10 `confusion`."""
    try:
        matrix = np.asarray(confusion, dtype=np.float64)
    except (TypeError, ValueError):
        matrix = None
    if matrix is None or matrix.shape != (10, 10) or not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        return _verdict(False, "", "pass your 10×10 confusion matrix (rows: true digit, columns: predicted) first.")
    try:
        true, predicted = (int(digit) for digit in pair)
    except (TypeError, ValueError):
        return _verdict(False, "", "answer with a pair of digits (true, predicted), e.g. (7, 1).")
    if not (0 <= true <= 9 and 0 <= predicted <= 9):
        return _verdict(False, "", "both digits lie in 0…9.")
    off_diagonal = matrix - np.diag(np.diag(matrix))
    largest = off_diagonal.max()
    if true != predicted and largest > 0 and off_diagonal[true, predicted] == largest:
        return _verdict(True, "no cell off the diagonal holds more mistakes: is it a pair you would confuse too?", "")
    if true == predicted:
        hint = "the diagonal counts correct answers; look off the diagonal."
    elif largest > 0 and off_diagonal[predicted, true] == largest:
        hint = "rows are the true digit and columns the prediction; read the pair in that order."
    else:
        hint = "blank the diagonal (np.diag) and find the largest remaining cell (np.argmax, np.unravel_index)."
    return _verdict(False, "", hint)


# --------------------------------------------------------------------------- 12 · tuning the CNN


def check_he_std(answer):
    """He initialization's weight std for fan_in = 800: √(2/800) = 0.05."""
    value = _as_number(answer)
    expected = math.sqrt(2 / 800)
    if _close(value, expected, rel=1e-4):
        return _verdict(True, "Var[W] = 2/fan_in, and the standard deviation is its square root.", "")
    if value is None:
        hint = "answer with a number, the standard deviation of the weights."
    elif _close(value, 2 / 800, rel=1e-4):
        hint = "that is the variance (7); the standard deviation is its square root."
    elif _close(value, math.sqrt(1 / 800), rel=1e-4) or _close(value, math.sqrt(1 / (3 * 800)), rel=1e-4):
        hint = "that keeps the variance of a linear (or PyTorch-default) layer; a ReLU halves the second moment (6)."
    else:
        hint = "equation (7): Var[W] = 2/fan_in with fan_in = 800."
    return _verdict(False, "", hint)


def check_pytorch_default_variance(answer):
    """The variance of nn.Linear(300, 10)'s default weights: 1/(3·300)."""
    value = _as_number(answer)
    expected = 1 / (3 * 300)
    if _close(value, expected, rel=1e-4):
        return _verdict(True, "b = 1/√fan_in and a uniform U(−b, b) has variance b²/3: a sixth of He's.", "")
    if value is None:
        hint = "answer with a number, the variance of the weights."
    elif _close(value, 1 / math.sqrt(300), rel=1e-4):
        hint = "that is the bound b of U(−b, b); the variance of a uniform distribution is b²/3."
    elif _close(value, 1 / 300, rel=1e-4):
        hint = "that is b², not the variance of U(−b, b): divide by 3."
    elif _close(value, 2 / 300, rel=1e-4):
        hint = "that is He's variance (7); PyTorch's default uses kaiming_uniform_ with a = √5 (8)."
    else:
        hint = "gain = √(2/(1 + a²)) with a = √5, b = gain·√(3/fan_in), Var = b²/3 (8)."
    return _verdict(False, "", hint)


def check_scaled_lrs(sgd_lr, adam_lr):
    """Batch 100 → 400 (k = 4): SGD's η 0.01 → 0.04 (linear rule), Adam's 1e-3 → 2e-3 (square-root rule)."""
    sgd, adam = _as_number(sgd_lr), _as_number(adam_lr)
    if sgd is None or adam is None:
        return _verdict(False, "", "answer with two numbers: SGD's learning rate, then Adam's.")
    sgd_ok, adam_ok = _close(sgd, 0.04, rel=1e-6), _close(adam, 2e-3, rel=1e-6)
    if sgd_ok and adam_ok:
        return _verdict(True, "k = 4: SGD's η grows by k (3), Adam's by √k (4).", "")
    if _close(sgd, 2e-3, rel=1e-6) and _close(adam, 0.04, rel=1e-6):
        hint = "the two answers are swapped."
    elif not sgd_ok:
        hint = "for SGD, multiply η by k = 400/100 (3)." if not _close(sgd, 0.02, rel=1e-6) else \
            "√k is Adam's rule; SGD's linear rule (3) multiplies η by k itself."
    else:
        hint = "for Adam, multiply η by √k (4)." if not _close(adam, 4e-3, rel=1e-6) else \
            "k is SGD's rule; Adam's step is normalized by √v̂, so its η grows by √k (4)."
    return _verdict(False, "", hint)


def check_filter_normalize(filter_normalize):
    """`filter_normalize(direction, weight)` for one tensor, against helpers.landscape.filter_normalize."""
    import torch

    from helpers import landscape

    if not callable(filter_normalize):
        return _verdict(False, "", "pass your function itself, e.g. check_filter_normalize(filter_normalize).")
    generator = torch.Generator().manual_seed(12)
    for shape in [(5, 3), (4, 2, 3, 3), (1, 7), (8, 1, 5, 5)]:
        weight = torch.randn(shape, generator=generator) * torch.rand(shape[0], *[1] * (len(shape) - 1),
                                                                       generator=generator) * 3
        direction = torch.randn(shape, generator=generator)
        expected = landscape.filter_normalize({"w": direction}, {"w": weight})["w"]
        try:
            got = filter_normalize(direction.clone(), weight.clone())
        except Exception as error:  # a learner's bug is a hint, not a traceback
            return _verdict(False, "", f"your function raised {type(error).__name__}: {error}")
        if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
            return _verdict(False, "", f"return a tensor of the direction's shape {tuple(shape)}.")
        if torch.allclose(got, expected, rtol=1e-5, atol=1e-6):
            continue
        if torch.allclose(got, direction):
            hint = "the direction came back unchanged; rescale each slice direction[i] to ‖weight[i]‖ (9)."
        elif torch.allclose(got, direction / direction.norm() * weight.norm(), rtol=1e-5, atol=1e-6):
            hint = "that normalizes the whole tensor at once; (9) works filter by filter, one slice [i] at a time."
        else:
            hint = f"for shape {tuple(shape)} some filter has the wrong norm: each ‖d_i‖ must equal ‖θ_i‖ (9)."
        return _verdict(False, "", hint)
    return _verdict(True, "each filter now has its weights' norm: rescaling a layer rescales its direction.", "")


EPOCH_LOG_VALIDATION = (0.981, 0.986, 0.988, 0.990, 0.989, 0.991, 0.990, 0.990)
EPOCH_LOG_TEST = (0.983, 0.987, 0.989, 0.989, 0.992, 0.990, 0.991, 0.993)
"""Notebook 12's fifth exercise: accuracies per epoch on validation and on test data."""


def check_reported_accuracy(honest, inflation):
    """The test accuracy of the epoch chosen on validation data, and how much the best test epoch adds."""
    honest_value, inflation_value = _as_number(honest), _as_number(inflation)
    if honest_value is None or inflation_value is None:
        return _verdict(False, "", "answer with two numbers: the honest test accuracy, then the difference.")
    chosen = int(np.argmax(EPOCH_LOG_VALIDATION))
    expected_honest = EPOCH_LOG_TEST[chosen]
    expected_inflation = max(EPOCH_LOG_TEST) - expected_honest
    honest_ok = _close(honest_value, expected_honest, rel=1e-9)
    inflation_ok = _close(inflation_value, expected_inflation, rel=1e-6, abs_=1e-9)
    if honest_ok and inflation_ok:
        return _verdict(True, "the validation log picks the epoch; the test log is read once, at that epoch.", "")
    if honest_value > 1 or inflation_value > 1:
        hint = "give accuracies and differences as fractions, like the log."
    elif _close(honest_value, max(EPOCH_LOG_TEST), rel=1e-9):
        hint = "that is the best test epoch — the number the tutorial reports; choose the epoch on validation data."
    elif _close(honest_value, max(EPOCH_LOG_VALIDATION), rel=1e-9):
        hint = "that is a validation accuracy; report the test accuracy of the epoch validation chose."
    elif not honest_ok:
        hint = "find the epoch with the highest validation accuracy, then read the test accuracy of that epoch."
    else:
        hint = "the difference is the best test accuracy minus the honest one."
    return _verdict(False, "", hint)
