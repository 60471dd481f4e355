"""The checks of notebook 11: a right answer passes, wrong ones get a hint and never the answer."""

import numpy as np
import torch
from torch import nn

from helpers import exercises, models


def passes(check, *answer):
    return bool(check(*answer))


def test_conv_parameters_match_torch(capsys):
    expected = models.count_parameters(nn.Conv2d(32, 64, kernel_size=3))
    assert passes(exercises.check_conv_parameters, expected)
    assert passes(exercises.check_conv_parameters, float(expected))
    assert not passes(exercises.check_conv_parameters, 64 * 32 * 9)  # no biases
    assert not passes(exercises.check_conv_parameters, 64 * 10)  # one input channel
    assert not passes(exercises.check_conv_parameters, expected + 0.5)
    assert not passes(exercises.check_conv_parameters, None)
    assert not passes(exercises.check_conv_parameters, "18k")
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 5
    assert "bias" in out and str(expected) not in out and f"{expected:,}" not in out


def test_output_sizes_match_torch(capsys):
    image = torch.zeros(1, 1, 28, 28)
    after_conv = nn.Conv2d(1, 8, kernel_size=3, stride=2)(image)
    after_pool = nn.MaxPool2d(2)(after_conv)
    assert passes(exercises.check_output_sizes, after_conv.shape[-1], after_pool.shape[-1])
    assert not passes(exercises.check_output_sizes, 14, 7)  # halved twice
    assert not passes(exercises.check_output_sizes, 26, 13)  # stride ignored
    assert not passes(exercises.check_output_sizes, 12, 6)  # rounded the wrong way
    assert not passes(exercises.check_output_sizes, after_conv.shape[-1], 6.5)
    assert not passes(exercises.check_output_sizes, after_conv.shape[-1], 7)
    assert not passes(exercises.check_output_sizes, None, None)
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 6
    assert "(2)" in out and "round down" in out


def test_conv_macs_match_the_model_counter(capsys):
    layer = nn.Conv2d(32, 64, kernel_size=3, padding=1)
    expected = models.count_macs(layer, (1, 32, 14, 14))
    assert passes(exercises.check_conv_macs, expected)
    assert not passes(exercises.check_conv_macs, 2 * expected)  # FLOPs
    assert not passes(exercises.check_conv_macs, models.count_macs(nn.Conv2d(32, 64, 3), (1, 32, 14, 14)))  # no padding
    assert not passes(exercises.check_conv_macs, 64 * 32 * 9)  # one position
    assert not passes(exercises.check_conv_macs, 1e6)
    assert not passes(exercises.check_conv_macs, [expected, 1])
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 5
    assert "FLOPs" in out and "14×14" in out and str(expected) not in out


def test_most_confused_reads_the_given_matrix(capsys):
    confusion = np.diag(np.full(10, 50))
    confusion[4, 9] = 7  # true 4 predicted as 9
    confusion[9, 4] = 3
    confusion[3, 5] = 5
    assert passes(exercises.check_most_confused, confusion, (4, 9))
    assert passes(exercises.check_most_confused, confusion.tolist(), np.array([4, 9]))
    assert not passes(exercises.check_most_confused, confusion, (9, 4))  # transposed
    assert not passes(exercises.check_most_confused, confusion, (3, 5))
    assert not passes(exercises.check_most_confused, confusion, (4, 4))  # the diagonal
    assert not passes(exercises.check_most_confused, confusion, (4, 10))
    assert not passes(exercises.check_most_confused, confusion, "4 and 9")
    assert not passes(exercises.check_most_confused, confusion[:9], (4, 9))
    assert not passes(exercises.check_most_confused, None, (4, 9))
    out = capsys.readouterr().out
    assert out.count("✗ Not yet. Hint:") == 7
    assert "rows are the true digit" in out and "diagonal" in out


def test_most_confused_accepts_either_of_a_tie():
    confusion = np.diag(np.full(10, 50))
    confusion[7, 2] = confusion[5, 3] = 4
    assert passes(exercises.check_most_confused, confusion, (7, 2))
    assert passes(exercises.check_most_confused, confusion, (5, 3))
    assert not passes(exercises.check_most_confused, np.diag(np.full(10, 50)), (1, 7))  # no mistakes at all
