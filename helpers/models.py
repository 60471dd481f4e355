"""Two convolutional networks for 28×28 MNIST digits, and what they cost.

    classic_cnn()   conv 5×5 1→32, ReLU, max-pool 2, conv 5×5 32→64, ReLU, max-pool 2,
                    flatten 1024, fc 1024→1024, ReLU, dropout 0.5, fc 1024→10
    modern_cnn()    four 3×3 convs with BatchNorm, two max-pools, global average pooling, fc 64→10

Both map a batch (B, 1, 28, 28) to logits (B, 10). The classic network's convolutions have no
padding, so the spatial size goes 28 → 24 → 12 → 8 → 4 and the flattened feature is 4·4·64 = 1024.

Cost is counted in multiply-accumulates (MACs): one MAC is one a·b + c. A MAC is two floating-point
operations, so FLOPs = 2·MACs; `count_macs` and `count_flops` report the two (bias additions,
activations and pooling are left out, as is usual: they are a rounding error beside the products).
"""

import math

import torch
from torch import nn

from helpers._checks import integer, integers, unit_interval

CLASSES = 10
IMAGE_SHAPE = (1, 28, 28)


def classic_cnn(dropout=0.5):
    """The classic two-convolution MNIST network (1,111,946 parameters, 4.80 M MACs per image).

    Deep MNIST's widths (32 and 64 channels, 1024 hidden units) with unpadded 5×5 convolutions; not the
    network of PyTorch's MNIST example (3×3 convolutions, a 9216 → 128 layer).
    """
    dropout = unit_interval("dropout", dropout)
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=5),  # 28 → 24
        nn.ReLU(),
        nn.MaxPool2d(2),  # 24 → 12
        nn.Conv2d(32, 64, kernel_size=5),  # 12 → 8
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8 → 4
        nn.Flatten(),  # 4·4·64 = 1024
        nn.Linear(1024, 1024),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(1024, CLASSES),
    )


def _conv_bn_relu(in_channels, out_channels):
    # The convolution's bias would be cancelled by BatchNorm's mean subtraction, so it has none.
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    ]


def modern_cnn(width=32):
    """3×3 convolutions with BatchNorm and global average pooling: fewer parameters, no big fc layer.

    `width` is the channel count of the first two convolutions; the last two have 2·width.
    """
    width = integer("width", width, 1)
    wide = 2 * width
    return nn.Sequential(
        *_conv_bn_relu(1, width),
        *_conv_bn_relu(width, width),
        nn.MaxPool2d(2),  # 28 → 14
        *_conv_bn_relu(width, wide),
        *_conv_bn_relu(wide, wide),
        nn.MaxPool2d(2),  # 14 → 7
        nn.AdaptiveAvgPool2d(1),  # the mean of each channel over the 7×7 map
        nn.Flatten(),
        nn.Linear(wide, CLASSES),
    )


def count_parameters(model, trainable_only=True):
    """The number of scalar parameters (BatchNorm's running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _layer_macs(module, inputs, output):
    if isinstance(module, nn.Conv2d):
        # Each output value is a dot product over (C_in / groups)·k_h·k_w inputs.
        per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
        return output.numel() * per_output
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def count_macs(model, input_shape=(1, *IMAGE_SHAPE)):
    """Multiply-accumulates of the Conv2d and Linear layers in one forward pass on `input_shape`.

    The count is analytic (from each layer's output size and its weights' shape), found by running
    the model once on zeros with forward hooks; it covers the whole batch in `input_shape`, so the
    default (1, 1, 28, 28) gives the cost per image. The model's train/eval mode is left as it was.
    """
    input_shape = integers("input_shape (batch, …)", input_shape, 1, min_length=2)
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        total += _layer_macs(module, inputs, output)

    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    try:
        model.eval()  # BatchNorm must not update its running statistics on the dummy input
        with torch.no_grad():
            model(torch.zeros(input_shape, device=device))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return total


def count_flops(model, input_shape=(1, *IMAGE_SHAPE)):
    """Floating-point operations of one forward pass: 2·MACs (a multiply and an add per MAC)."""
    return 2 * count_macs(model, input_shape)
