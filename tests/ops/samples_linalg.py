"""Samples of the linear algebra operators, nd.linalg.* (see sample.py).

Factorizations get well-conditioned inputs: symmetric positive definite matrices for potrf and
syevd (distinct eigenvalues), lower triangular factors with a dominant positive diagonal for potri,
trmm and trsm. potrf and syevd read only the lower triangle of a matrix they take as symmetric and
return MXNet's symmetric gradient, which no one-sided perturbation of a single entry measures:
those samples skip the finite-difference check.
"""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _spd(batch: tuple, n: int, seed: int) -> np.ndarray:
    """Symmetric positive definite matrices with well separated eigenvalues."""
    rng = np.random.RandomState(seed)
    a = rng.standard_normal((*batch, n, n))
    spd = a @ np.swapaxes(a, -1, -2) + np.diag(np.arange(1, n + 1) * 2.0)
    return spd.astype(np.float32)


def _lower(batch: tuple, n: int, seed: int) -> np.ndarray:
    """Lower triangular matrices with a dominant positive diagonal (and noise above it, which
    the operators must ignore)."""
    rng = np.random.RandomState(seed)
    a = rng.standard_normal((*batch, n, n)) * 0.3
    a += np.eye(n) * (np.abs(rng.standard_normal((*batch, n, 1))) + 1.5)
    return a.astype(np.float32)


def _positive_diag(batch: tuple, n: int, seed: int) -> np.ndarray:
    rng = np.random.RandomState(seed)
    a = rng.standard_normal((*batch, n, n)) + np.eye(n) * 3.0
    return np.abs(a).astype(np.float32)


SAMPLES = [
    Sample("linalg_gemm", {"A": (3, 4), "B": (4, 2), "C": (3, 2)}, {"alpha": 2.0, "beta": 0.5},
           id="linalg_gemm"),
    Sample("_linalg_gemm", {"A": (2, 4, 3), "B": (2, 2, 4), "C": (2, 3, 2)},
           {"transpose_a": True, "transpose_b": True, "alpha": -1.5, "beta": 2.0},
           id="linalg_gemm_transposed_batch"),
    Sample("linalg_gemm", {"A": (3, 2, 4), "B": (4, 2, 5), "C": (3, 2, 5)}, {"axis": 0},
           id="linalg_gemm_axis0"),
    Sample("linalg_gemm2", {"A": (2, 3, 4), "B": (2, 4, 5)}, {"alpha": 0.5}, id="linalg_gemm2"),
    Sample("linalg_gemm2", {"A": (4, 3), "B": (5, 4)}, {"transpose_a": True, "transpose_b": True},
           id="linalg_gemm2_transposed"),
    Sample("linalg_gemm2", {"A": (2, 3, 2, 4), "B": (2, 4, 2, 3)}, {"axis": 1, "transpose_b": False},
           id="linalg_gemm2_axis1"),
    Sample("linalg_potrf", {"A": _spd((), 4, 1)}, id="linalg_potrf", fd=False),
    Sample("linalg_potrf", {"A": _spd((2,), 3, 2)}, id="linalg_potrf_batch", fd=False),
    Sample("linalg_potri", {"A": _lower((2,), 3, 3)}, id="linalg_potri", rtol=1e-4),
    Sample("linalg_trmm", {"A": _lower((), 3, 4), "B": (3, 2)}, {"alpha": 1.5}, id="linalg_trmm"),
    Sample("linalg_trmm", {"A": _lower((2,), 3, 5), "B": (2, 4, 3)},
           {"rightside": True, "transpose": True, "lower": False}, id="linalg_trmm_right_upper"),
    Sample("linalg_trsm", {"A": _lower((), 3, 6), "B": (3, 2)}, {"alpha": 2.0}, id="linalg_trsm",
           rtol=1e-4),
    Sample("linalg_trsm", {"A": _lower((2,), 3, 7), "B": (2, 4, 3)},
           {"rightside": True, "transpose": True}, id="linalg_trsm_right_transposed", rtol=1e-4),
    Sample("linalg_trsm", {"A": np.swapaxes(_lower((), 3, 8), 0, 1).copy(), "B": (3, 4)},
           {"lower": False, "transpose": True, "alpha": -0.5}, id="linalg_trsm_upper_transposed",
           rtol=1e-4),
    Sample("linalg_syrk", {"A": (3, 4)}, {"alpha": 0.5}, id="linalg_syrk"),
    Sample("linalg_syrk", {"A": (2, 3, 4)}, {"transpose": True}, id="linalg_syrk_transposed"),
    Sample("linalg_gelqf", {"A": (3, 5)}, id="linalg_gelqf", rtol=1e-4, atol=1e-4),
    Sample("linalg_gelqf", {"A": (2, 2, 3)}, id="linalg_gelqf_batch", rtol=1e-4, atol=1e-4),
    Sample("_linalg_syevd", {"A": _spd((), 3, 9)}, id="linalg_syevd", fd=False, rtol=1e-4,
           atol=1e-4),
    Sample("_linalg_syevd", {"A": _spd((2,), 4, 10)}, id="linalg_syevd_batch", fd=False, rtol=1e-4,
           atol=1e-4),
    Sample("linalg_sumlogdiag", {"A": _positive_diag((), 3, 11)}, id="linalg_sumlogdiag"),
    Sample("linalg_sumlogdiag", {"A": _positive_diag((2,), 3, 12)}, id="linalg_sumlogdiag_batch"),
    Sample("linalg_extractdiag", {"A": (2, 4, 4)}, id="linalg_extractdiag"),
    Sample("linalg_extractdiag", {"A": (4, 4)}, {"offset": -2}, id="linalg_extractdiag_offset"),
    Sample("linalg_makediag", {"A": (2, 3)}, id="linalg_makediag"),
    Sample("linalg_makediag", {"A": (3,)}, {"offset": 1}, id="linalg_makediag_offset"),
    Sample("linalg_extracttrian", {"A": (2, 4, 4)}, id="linalg_extracttrian"),
    Sample("linalg_extracttrian", {"A": (4, 4)}, {"lower": False}, id="linalg_extracttrian_upper"),
    Sample("linalg_extracttrian", {"A": (4, 4)}, {"offset": 1}, id="linalg_extracttrian_offset1"),
    Sample("linalg_extracttrian", {"A": (4, 4)}, {"offset": -2, "lower": False},
           id="linalg_extracttrian_offset_neg"),
    Sample("linalg_maketrian", {"A": (2, 6)}, id="linalg_maketrian"),
    Sample("linalg_maketrian", {"A": (6,)}, {"lower": False}, id="linalg_maketrian_upper"),
    Sample("linalg_maketrian", {"A": (3,)}, {"offset": 2}, id="linalg_maketrian_offset"),
    Sample("linalg_maketrian", {"A": (2, 3)}, {"offset": -1, "lower": False},
           id="linalg_maketrian_offset_neg"),
    Sample("linalg_inverse", {"A": _positive_diag((2,), 3, 13)}, id="linalg_inverse", rtol=1e-4),
    Sample("linalg_det", {"A": (3, 3)}, id="linalg_det", rtol=1e-4),
    Sample("linalg_det", {"A": (2, 4, 4)}, id="linalg_det_batch", rtol=1e-4),
    Sample("linalg_slogdet", {"A": (3, 3)}, id="linalg_slogdet", rtol=1e-4),
    Sample("linalg_slogdet", {"A": (2, 3, 3)}, id="linalg_slogdet_batch", rtol=1e-4),
]
