"""Samples of the neural-network operators (see sample.py)."""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample

SAMPLES = [
    Sample("FullyConnected", {"data": (3, 4, 2), "weight": (5, 8), "bias": (5,)},
           {"num_hidden": 5}, id="fc_flatten"),
    Sample("FullyConnected", {"data": (3, 2, 4), "weight": (5, 4)},
           {"num_hidden": 5, "no_bias": True, "flatten": False}, id="fc_noflatten_nobias"),
    Sample("Convolution", {"data": (2, 3, 7, 6), "weight": (4, 3, 3, 3), "bias": (4,)},
           {"kernel": (3, 3), "num_filter": 4, "pad": (1, 1), "stride": (2, 1)}, id="conv2d"),
    Sample("Activation", {"data": (3, 4)}, {"act_type": "tanh"}, id="act_tanh"),
    Sample("Pooling", {"data": (2, 2, 6, 6)},
           {"kernel": (2, 2), "stride": (2, 2), "pool_type": "avg"}, id="pool_avg"),
    Sample("SoftmaxOutput", {"data": (4, 5), "label": np.array([0, 3, 4, 1], dtype=np.float32)},
           {}, id="softmaxoutput", grad=("data",), fd=False),
]
