"""Samples of the image operators, nd.image.* (see sample.py).

Images are (H x W x C) or (N x H x W x C) arrays with values in [0, 255], uint8 or float32;
the random colour and flip operators are compared on shapes and dtypes only (``random=True``).
"""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _image(shape: tuple, dtype: str = "uint8", seed: int = 0) -> np.ndarray:
    return np.random.RandomState(seed).randint(0, 256, shape).astype(dtype)


_HWC = _image((5, 6, 3))
_FLOAT_HWC = _image((4, 5, 3), "float32", 1)
_BATCH = _image((2, 4, 5, 3), "uint8", 2)

SAMPLES = [
    Sample("_image_to_tensor", {"data": _HWC}, id="image_to_tensor"),
    Sample("_image_to_tensor", {"data": _image((2, 3, 4, 3), "float32", 3)},
           id="image_to_tensor_batch_float", grad=()),
    Sample("_image_normalize", {"data": (3, 4, 5)},
           {"mean": (0.1, 0.2, 0.3), "std": (0.5, 1.0, 2.0)}, id="image_normalize"),
    Sample("_image_normalize", {"data": (2, 1, 3, 2)}, {"mean": 0.5, "std": 0.25},
           id="image_normalize_batch_scalar"),
    # even sizes along the flipped axis: MXNet 1.9.1 leaves the middle column (row) of an odd
    # size unwritten, so its golden would hold whatever memory was there
    Sample("_image_flip_left_right", {"data": (3, 4, 3)}, id="image_flip_left_right", grad=()),
    Sample("_image_flip_left_right", {"data": (2, 4, 1)}, id="image_flip_left_right_grad"),
    Sample("_image_flip_top_bottom", {"data": _image((4, 5, 3), "uint8", 7)},
           id="image_flip_top_bottom"),
    Sample("_image_flip_top_bottom", {"data": (4, 3, 3)}, id="image_flip_top_bottom_grad"),
    Sample("_image_crop", {"data": _HWC}, {"x": 1, "y": 2, "width": 4, "height": 3},
           id="image_crop"),
    Sample("_image_crop", {"data": _BATCH}, {"x": 0, "y": 1, "width": 3, "height": 2},
           id="image_crop_batch"),
    Sample("_image_resize", {"data": _image((6, 8, 3), "uint8", 4)}, {"size": (4, 3)},
           id="image_resize", atol=1),
    Sample("_image_resize", {"data": _image((6, 8, 3), "float32", 5)},
           {"size": 4, "keep_ratio": True, "interp": 0}, id="image_resize_keep_ratio_nearest",
           grad=(), rtol=1e-4, atol=1e-3),
    Sample("_image_resize", {"data": _BATCH}, {"size": (3, 2)}, id="image_resize_batch", atol=1),
    Sample("_cvimresize", {"src": _image((6, 8, 3), "uint8", 6)}, {"w": 5, "h": 4},
           id="cvimresize", atol=1),
    Sample("_image_adjust_lighting", {"data": _FLOAT_HWC}, {"alpha": (0.1, -0.2, 0.3)},
           id="image_adjust_lighting", grad=(), rtol=1e-4),
    *[Sample(f"_image_random_{name}", {"data": _FLOAT_HWC},
             {"min_factor": 0.5, "max_factor": 1.5}, id=f"image_random_{name}", random=True)
      for name in ("brightness", "contrast", "saturation")],
    Sample("_image_random_hue", {"data": _FLOAT_HWC}, {"min_factor": 0.8, "max_factor": 1.2},
           id="image_random_hue", random=True),
    Sample("_image_random_color_jitter", {"data": _FLOAT_HWC},
           {"brightness": 0.3, "contrast": 0.3, "saturation": 0.3, "hue": 0.1},
           id="image_random_color_jitter", random=True),
    Sample("_image_random_lighting", {"data": _FLOAT_HWC}, {"alpha_std": 0.1},
           id="image_random_lighting", random=True),
    Sample("_image_random_flip_left_right", {"data": _HWC}, id="image_random_flip_left_right",
           random=True),
    Sample("_image_random_flip_top_bottom", {"data": _FLOAT_HWC},
           id="image_random_flip_top_bottom", random=True),
]
