"""helpers.models: output shapes, exact parameter counts, and MACs checked against hand counts."""

import pytest
import torch
from torch import nn

from helpers import models


def conv_parameters(c_in, c_out, k, bias=True):
    return c_out * c_in * k * k + (c_out if bias else 0)


def linear_parameters(n_in, n_out):
    return n_out * n_in + n_out


@pytest.mark.parametrize("factory", [models.classic_cnn, models.modern_cnn])
@pytest.mark.parametrize("batch", [1, 3])
def test_logits_have_shape_batch_by_ten(factory, batch):
    model = factory().eval()
    with torch.no_grad():
        logits = model(torch.randn(batch, 1, 28, 28))
    assert logits.shape == (batch, 10)
    assert logits.dtype == torch.float32


def test_classic_cnn_flattens_four_by_four_by_sixty_four():
    model = models.classic_cnn().eval()
    features = model[:7](torch.zeros(2, 1, 28, 28))  # everything up to and including Flatten
    assert features.shape == (2, 4 * 4 * 64) == (2, 1024)
    assert model[7].in_features == model[7].out_features == 1024


def test_classic_cnn_parameter_count_is_exact():
    expected = (
        conv_parameters(1, 32, 5)  # 832
        + conv_parameters(32, 64, 5)  # 51,264
        + linear_parameters(1024, 1024)  # 1,049,600
        + linear_parameters(1024, 10)  # 10,250
    )
    assert expected == 1_111_946
    assert models.count_parameters(models.classic_cnn()) == expected


def test_modern_cnn_parameter_count_is_exact():
    width, wide = 32, 64
    batch_norm = 2  # a scale γ and a shift β per channel
    expected = (
        conv_parameters(1, width, 3, bias=False)
        + batch_norm * width
        + conv_parameters(width, width, 3, bias=False)
        + batch_norm * width
        + conv_parameters(width, wide, 3, bias=False)
        + batch_norm * wide
        + conv_parameters(wide, wide, 3, bias=False)
        + batch_norm * wide
        + linear_parameters(wide, 10)
    )
    assert models.count_parameters(models.modern_cnn(width=width)) == expected
    assert expected < models.count_parameters(models.classic_cnn()) / 10


def test_count_parameters_can_skip_frozen_ones():
    model = models.classic_cnn()
    model[0].requires_grad_(False)
    frozen = conv_parameters(1, 32, 5)
    assert models.count_parameters(model) == 1_111_946 - frozen
    assert models.count_parameters(model, trainable_only=False) == 1_111_946


def test_macs_of_one_convolution_match_the_hand_count():
    conv = nn.Conv2d(3, 8, kernel_size=3, padding=1)
    # 10×10 outputs per channel, 8 channels, each a dot product over 3·3·3 inputs
    assert models.count_macs(conv, (1, 3, 10, 10)) == 10 * 10 * 8 * 3 * 3 * 3
    assert models.count_flops(conv, (1, 3, 10, 10)) == 2 * 10 * 10 * 8 * 3 * 3 * 3


def test_macs_of_a_grouped_strided_convolution():
    conv = nn.Conv2d(4, 8, kernel_size=3, stride=2, groups=2)
    # output 4×4 (from 9×9 with stride 2); each output sees 4/2 = 2 input channels
    assert models.count_macs(conv, (2, 4, 9, 9)) == 2 * 8 * 4 * 4 * 2 * 3 * 3


def test_macs_of_a_linear_layer_count_every_row_of_the_batch():
    assert models.count_macs(nn.Linear(20, 5), (4, 20)) == 4 * 20 * 5


def test_classic_cnn_macs_per_image():
    expected = (
        24 * 24 * 32 * (1 * 5 * 5)  # conv1
        + 8 * 8 * 64 * (32 * 5 * 5)  # conv2
        + 1024 * 1024  # fc1
        + 1024 * 10  # fc2
    )
    model = models.classic_cnn()
    assert models.count_macs(model) == expected == 4_796_416
    assert models.count_flops(model) == 2 * expected
    assert models.count_macs(model, (5, 1, 28, 28)) == 5 * expected


def test_counting_leaves_mode_and_batch_norm_statistics_alone():
    model = models.modern_cnn().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    models.count_macs(model)
    assert model.training
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(not module._forward_hooks for module in model.modules())


@pytest.mark.parametrize("bad", [(), (28,), (1, 0, 28, 28), (1, 1.5, 28, 28), "1x28x28", (1, True, 28, 28)])
def test_bad_input_shape_is_rejected(bad):
    with pytest.raises(
        ValueError, match=r"input_shape \(batch, …\) must be a tuple or list of at least 2 integers ≥ 1"
    ):
        models.count_macs(models.classic_cnn(), bad)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan"), True, "0.5"])
def test_dropout_out_of_range_is_rejected(bad):
    with pytest.raises(ValueError, match="dropout must be"):
        models.classic_cnn(dropout=bad)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_width_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="width must be an integer ≥ 1"):
        models.modern_cnn(width=bad)
