"""Samples of the spatial and vision operators: Crop, Correlation, SpatialTransformer,
BilinearSampler, GridGenerator, ROIPooling, im2col, col2im, CTCLoss (see sample.py).

Sampling grids and affine transforms are chosen so that no sampling point falls on a pixel border
(where bilinear interpolation has a kink); regions of interest and CTC labels are given as arrays.
"""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _f32(values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def _grid(shape: tuple, seed: int, scale: float = 0.9) -> np.ndarray:
    """Sampling coordinates in (-scale, scale), some of them past the border when scale > 1."""
    return (np.random.RandomState(seed).uniform(-scale, scale, shape)).astype(np.float32)


def _distinct(shape: tuple, seed: int) -> np.ndarray:
    """Values without ties (max pooling routes its gradient to one element)."""
    size = int(np.prod(shape))
    return (np.random.RandomState(seed).permutation(size).reshape(shape) / size - 0.5).astype(np.float32)


_AFFINE = _f32([[0.8, 0.1, 0.05, -0.15, 0.9, 0.1], [1.1, -0.2, -0.1, 0.25, 0.7, 0.05]])
# sends every pixel of a 4x3 output at least 0.008 pixels away from the 6x5 input's pixel rows and
# columns (where the gradient with respect to the transform jumps)
_LOC = _f32([[0.83, 0.07, 0.03, -0.11, 0.87, 0.06], [1.07, -0.19, -0.09, 0.23, 0.71, 0.04]])

SAMPLES = [
    Sample("Crop", {"arg0": (2, 3, 6, 7)}, {"h_w": (3, 4), "offset": (1, 2)}, id="crop_h_w"),
    Sample("Crop", {"arg0": (2, 3, 6, 7), "arg1": (2, 1, 4, 3)}, {"center_crop": True},
           id="crop_like_center", grad=("arg0",)),
    Sample("Crop", {"arg0": (1, 2, 5, 5), "arg1": (1, 2, 3, 2)}, {"offset": (2, 1)},
           id="crop_like_offset", grad=("arg0",)),
    Sample("Correlation", {"data1": (2, 3, 7, 8), "data2": (2, 3, 7, 8)},
           {"kernel_size": 1, "max_displacement": 2, "pad_size": 2}, id="correlation", rtol=1e-4),
    Sample("Correlation", {"data1": (1, 2, 9, 9), "data2": (1, 2, 9, 9)},
           {"kernel_size": 3, "max_displacement": 2, "stride1": 2, "stride2": 2, "pad_size": 1},
           id="correlation_kernel3_strides", rtol=1e-4),
    Sample("Correlation", {"data1": (1, 2, 6, 6), "data2": (1, 2, 6, 6)},
           {"kernel_size": 1, "max_displacement": 1, "pad_size": 1, "is_multiply": False},
           id="correlation_absdiff", rtol=1e-4),
    Sample("GridGenerator", {"data": _AFFINE}, {"transform_type": "affine", "target_shape": (3, 4)},
           id="gridgenerator_affine"),
    Sample("GridGenerator", {"data": (2, 2, 3, 4)}, {"transform_type": "warp"},
           id="gridgenerator_warp"),
    Sample("BilinearSampler", {"data": (2, 3, 5, 6), "grid": _grid((2, 2, 4, 3), 1)},
           id="bilinearsampler", rtol=1e-4),
    Sample("BilinearSampler", {"data": (1, 2, 4, 4), "grid": _grid((1, 2, 5, 5), 2, 1.3)},
           id="bilinearsampler_outside", rtol=1e-4),
    Sample("SpatialTransformer", {"data": (2, 3, 6, 5), "loc": _LOC},
           {"target_shape": (4, 3), "transform_type": "affine", "sampler_type": "bilinear"},
           id="spatialtransformer", rtol=1e-4),
    Sample("ROIPooling", {"data": _distinct((2, 3, 8, 9), 3),
                          "rois": _f32([[0, 1, 1, 6, 5], [1, 0.4, 2.2, 8, 7.6], [0, 3, 2, 4, 3]])},
           {"pooled_size": (2, 3), "spatial_scale": 1.0}, id="roipooling", grad=("data",)),
    Sample("ROIPooling", {"data": _distinct((1, 2, 10, 10), 4),
                          "rois": _f32([[0, 2, 4, 30, 18], [0, 10, 10, 50, 60]])},
           {"pooled_size": (3, 3), "spatial_scale": 0.25}, id="roipooling_scaled", grad=("data",)),
    # regions reaching past the feature map, one wholly outside it (its bins are 0), coordinates
    # that round half away from zero, and a row with batch index -1 (unused: 0)
    Sample("ROIPooling", {"data": _distinct((2, 3, 6, 6), 5),
                          "rois": _f32([[0, -3, -2, 2, 1], [1, 4, 4, 12, 12], [0, 7, 7, 9, 9],
                                        [1, 2.5, 1.5, 3.49, 4.5], [-1, 0, 0, 3, 3]])},
           {"pooled_size": (3, 2), "spatial_scale": 1.0}, id="roipooling_outside", grad=("data",)),
    Sample("im2col", {"data": (2, 3, 5, 6)}, {"kernel": (2, 3)}, id="im2col"),
    Sample("im2col", {"data": (1, 2, 7, 6)},
           {"kernel": (3, 3), "stride": (2, 1), "dilate": (1, 2), "pad": (1, 1)}, id="im2col_strided"),
    Sample("col2im", {"data": (2, 18, 9)}, {"output_size": (5, 6), "kernel": (3, 3), "stride": (2, 2),
                                             "pad": (1, 1)}, id="col2im"),
    Sample("col2im", {"data": (1, 8, 20)}, {"output_size": (5, 6), "kernel": (2, 2)}, id="col2im_plain"),
    Sample("CTCLoss", {"data": (6, 2, 4), "label": _f32([[1, 2, 0], [3, 3, 1]])}, id="ctcloss",
           grad=("data",), rtol=1e-4, atol=1e-4),
    Sample("ctc_loss", {"data": (7, 3, 5), "label": _f32([[0, 1, -1, -1], [2, 3, 3, -1], [1, -1, -1, -1]])},
           {"blank_label": "last"}, id="ctcloss_blank_last", grad=("data",), rtol=1e-4, atol=1e-4),
    Sample("CTCLoss", {"data": (6, 2, 4), "label": _f32([[1, 2, 3], [2, 1, 3]]),
                       "data_lengths": _f32([6, 4]), "label_lengths": _f32([2, 3])},
           {"use_data_lengths": True, "use_label_lengths": True}, id="ctcloss_lengths",
           grad=("data",), rtol=1e-4, atol=1e-4),
    # a sequence ends at its first padding value, whatever follows it
    Sample("CTCLoss", {"data": (5, 2, 4), "label": _f32([[1, 0, 2], [3, 0, 0]])}, id="ctcloss_padding_ends",
           grad=("data",), rtol=1e-4, atol=1e-4),
    Sample("CTCLoss", {"data": (5, 2, 4), "label": _f32([[1, -1, 2], [0, 0, -1]])}, {"blank_label": "last"},
           id="ctcloss_blank_last_padding_ends", grad=("data",), rtol=1e-4, atol=1e-4),
    # the first label needs 4 steps (a blank between the repeated 1s) but has 3: loss 0, no gradient
    Sample("CTCLoss", {"data": (3, 2, 4), "label": _f32([[1, 1, 2], [1, 2, 0]])}, id="ctcloss_infeasible",
           grad=("data",), rtol=1e-4, atol=1e-4),
]
