"""Checks for notebook 11, An MNIST CNN: counting parameters, output sizes and MACs, and reading a confusion matrix."""

import numpy as np

from helpers.exercises._core import ANY, WRONG, not_yet, numeric, one_of, passed


@numeric(
    expected=64 * (32 * 3 * 3 + 1),  # C_out · (C_in·k² + 1), equation (3)
    whole=True,
    rel=0,
    abs_=0,
    not_a_number="answer with a whole number of parameters.",
    praise="C_out·(C_in·k² + 1): one 32×3×3 filter and one bias per output channel.",
    near_misses=[
        (64 * 32 * 3 * 3, "those are the weights; every output channel also has a bias."),
        (
            one_of(64 * (3 * 3 + 1), 32 * 3 * 3 + 1),
            "each output channel's filter spans all input channels: C_in·k·k weights, plus its bias.",
        ),
    ],
    hint="count one filter's weights (C_in·k·k), add its bias, and multiply by the number of filters C_out (3).",
)
def check_conv_parameters(answer):
    """The parameters of nn.Conv2d(32, 64, kernel_size=3): weights and biases."""


_AFTER_CONV = (28 - 3) // 2 + 1  # ⌊(H + 2p − k)/s⌋ + 1, equation (2)
_AFTER_POOL = _AFTER_CONV // 2  # ⌊(H − 2)/2⌋ + 1


@numeric(
    expected=(_AFTER_CONV, _AFTER_POOL),
    whole=True,
    rel=0,
    abs_=0,
    not_a_number="answer with two whole numbers: the side length after the convolution, and after the pooling.",
    praise="both sizes round down: the last row and column a window cannot cover are dropped.",
    near_misses=[
        ((one_of(28 // 2, 28 - 3 + 1), ANY), "use (2) with H = 28, k = 3, p = 0 and s = 2 for the convolution."),
        ((WRONG, ANY), "the convolution: ⌊(H + 2p − k)/s⌋ + 1 (2); round down before adding 1."),
    ],
    hint="the pooling is (2) again with k = 2, s = 2, p = 0, applied to the convolution's output; round down.",
)
def check_output_sizes(after_conv, after_pool):
    """Side length of a 28×28 image after nn.Conv2d(1, 8, kernel_size=3, stride=2), then after nn.MaxPool2d(2)."""


_MACS = 14 * 14 * 64 * 32 * 3 * 3  # H_out·W_out·C_out·C_in·k², equation (4)


@numeric(
    expected=_MACS,
    whole=True,
    rel=0,
    abs_=0,
    not_a_number="answer with a whole number of multiply-accumulates.",
    praise="every one of the 14·14·64 outputs is a dot product of length 32·3·3.",
    near_misses=[
        (2 * _MACS, "that counts FLOPs (a multiply and an add); the question asks for MACs."),
        (12 * 12 * 64 * 32 * 3 * 3, "with padding 1 a 3×3 convolution keeps the size: the output is 14×14."),
        (64 * 32 * 3 * 3, "that is one dot product per filter; each filter computes one at every output position."),
    ],
    hint="MACs = H_out·W_out·C_out · C_in·k² (4): the output's size times the length of each dot product.",
)
def check_conv_macs(answer):
    """Multiply-accumulates of nn.Conv2d(32, 64, kernel_size=3, padding=1) on one 32×14×14 input."""


def check_most_confused(confusion, pair):
    """`pair` = (true digit, predicted digit) of the largest off-diagonal count of the 10×10 `confusion`."""
    # Not a `numeric` check: what is right depends on the learner's own matrix.
    try:
        matrix = np.asarray(confusion, dtype=np.float64)
    except (TypeError, ValueError):
        matrix = None
    if matrix is None or matrix.shape != (10, 10) or not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        return not_yet("pass your 10×10 confusion matrix (rows: true digit, columns: predicted) first.")
    try:
        true, predicted = (int(digit) for digit in pair)
    except (TypeError, ValueError):
        return not_yet("answer with a pair of digits (true, predicted), e.g. (7, 1).")
    if not (0 <= true <= 9 and 0 <= predicted <= 9):
        return not_yet("both digits lie in 0…9.")
    off_diagonal = matrix - np.diag(np.diag(matrix))
    largest = off_diagonal.max()
    if true != predicted and largest > 0 and off_diagonal[true, predicted] == largest:
        return passed("no cell off the diagonal holds more mistakes: is it a pair you would confuse too?")
    if true == predicted:
        return not_yet("the diagonal counts correct answers; look off the diagonal.")
    if largest > 0 and off_diagonal[predicted, true] == largest:
        return not_yet("rows are the true digit and columns the prediction; read the pair in that order.")
    return not_yet("blank the diagonal (np.diag) and find the largest remaining cell (np.argmax, np.unravel_index).")
