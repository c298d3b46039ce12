"""Samples of the random sampling operators (see sample.py).

Their outputs are draws (``random=True``): the walk compares only shapes and dtypes with MXNet's.
The distributions themselves are checked in tests/ndarray/test_random.py (support, moments, seeding).
"""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _f32(values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


# parameters of each distribution: (number attributes for _random_<dist>, arrays for _sample_<dist>)
_PARAMS = {
    "uniform": ({"low": -1.0, "high": 2.0}, {"low": _f32([0, -1]), "high": _f32([1, 3])}),
    "normal": ({"loc": 1.0, "scale": 2.0}, {"mu": _f32([0, 5]), "sigma": _f32([1, 0.5])}),
    "gamma": ({"alpha": 2.0, "beta": 0.5}, {"alpha": _f32([1, 3]), "beta": _f32([2, 0.5])}),
    "exponential": ({"lam": 3.0}, {"lam": _f32([1, 4])}),
    "poisson": ({"lam": 4.0}, {"lam": _f32([2, 7])}),
    "negative_binomial": ({"k": 3, "p": 0.4}, {"k": _f32([2, 5]), "p": _f32([0.3, 0.8])}),
    "generalized_negative_binomial": ({"mu": 2.0, "alpha": 0.3},
                                      {"mu": _f32([1, 4]), "alpha": _f32([0.2, 0.5])}),
}

SAMPLES = []
for _dist, (_numbers, _arrays) in _PARAMS.items():
    SAMPLES += [
        Sample(f"_random_{_dist}", {}, {**_numbers, "shape": (2, 3)}, random=True),
        Sample(f"_random_{_dist}", {}, {"shape": (4,), "dtype": "float64"},
               id=f"_random_{_dist}_float64", random=True),
        Sample(f"_random_{_dist}_like", {"data": (3, 2)}, _numbers, random=True),
        Sample(f"_sample_{_dist}", _arrays, {"shape": (3,)}, random=True),
    ]

SAMPLES += [
    Sample("random_uniform", {}, {"shape": (2,)}, id="random_uniform_alias", random=True),
    Sample("_random_randint", {}, {"low": -3, "high": 5, "shape": (2, 4)}, random=True),
    Sample("_random_randint", {}, {"low": 0, "high": 9, "shape": (3,), "dtype": "int64"},
           id="_random_randint_int64", random=True),
    Sample("_sample_multinomial", {"data": _f32([[0.2, 0.3, 0.5], [0.6, 0, 0.4]])},
           random=True),
    Sample("_sample_multinomial", {"data": _f32([0.1, 0.9])},
           {"shape": (2, 3), "get_prob": True, "dtype": "float32"}, id="_sample_multinomial_prob",
           random=True),
    Sample("_shuffle", {"data": (5, 2)}, random=True),
]
