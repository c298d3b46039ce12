"""Samples of the tensor operators (see sample.py)."""
from __future__ import annotations

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample

SAMPLES = [
    Sample("broadcast_add", {"lhs": (3, 1, 4), "rhs": (1, 2, 4)}, id="broadcast_add"),
    Sample("broadcast_mul", {"lhs": (3, 1, 4), "rhs": (1, 2, 1)}, id="broadcast_mul"),
    Sample("sum", {"data": (3, 4, 5)}, {"axis": 1, "keepdims": True}, id="sum_axis1"),
    Sample("mean", {"data": (3, 4, 5)}, {"axis": (0, 2), "exclude": True}, id="mean_exclude"),
    Sample("Reshape", {"data": (2, 3, 4)}, {"shape": (-4, 1, 2, -3)}, id="reshape_codes"),
    Sample("log", {"data": (3, 4)}, id="log", positive=True),
]
