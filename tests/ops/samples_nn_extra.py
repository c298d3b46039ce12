"""Samples of the less common layer operators (ops/nn_extra.py), the sequence operators
(ops/sequence.py) and the probability densities (ops/random_pdf.py); see sample.py."""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _f32(values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def _uniform(seed: int, shape, low: float, high: float) -> np.ndarray:
    return np.random.RandomState(seed).uniform(low, high, shape).astype(np.float32)


_LENGTHS = _f32([2, 4, 1])

SAMPLES = [
    Sample("L2Normalization", {"data": (2, 3, 4)}, id="l2normalization_instance"),
    Sample("L2Normalization", {"data": (2, 3, 4)}, {"mode": "channel"}, id="l2normalization_channel"),
    Sample("L2Normalization", {"data": (2, 3, 2, 2)}, {"mode": "spatial", "eps": 1e-3},
           id="l2normalization_spatial"),
    Sample("SVMOutput", {"data": (3, 4), "label": _f32([0, 2, 3])}, {"regularization_coefficient": 0.5},
           id="svmoutput", grad=("data",), fd=False),
    Sample("SVMOutput", {"data": (3, 4), "label": _f32([1, 0, 3])},
           {"margin": 0.5, "use_linear": True}, id="svmoutput_linear", grad=("data",), fd=False),
    Sample("IdentityAttachKLSparseReg", {"data": _uniform(1, (4, 3), 0.05, 0.95),
                                         "moving_avg": _f32([0.2, 0.3, 0.4])},
           {"penalty": 0.1}, id="identityattachklsparsereg", grad=("data",), fd=False),
    Sample("fill_element_0index", {"lhs": (3, 4), "mhs": (3,), "rhs": _f32([1, 0, 3])},
           id="fill_element_0index", grad=()),
    Sample("cumsum", {"a": (3, 4)}, {"axis": 1}, id="cumsum_axis1"),
    Sample("cumsum", {"a": (3, 4)}, id="cumsum_flat"),
    Sample("cumsum", {"a": np.arange(6, dtype=np.int32).reshape(2, 3)}, {"axis": 0, "dtype": "float64"},
           id="cumsum_int_to_float64", grad=()),
    # sequences: time-major (4 steps, 3 sequences, 2 features) unless axis=1
    Sample("SequenceMask", {"data": (4, 3, 2), "sequence_length": _LENGTHS},
           {"use_sequence_length": True, "value": -1.0}, id="sequencemask", grad=("data",)),
    Sample("SequenceMask", {"data": (3, 4, 2), "sequence_length": _LENGTHS},
           {"use_sequence_length": True, "axis": 1}, id="sequencemask_axis1", grad=("data",)),
    Sample("SequenceMask", {"data": (4, 3)}, id="sequencemask_no_lengths"),
    Sample("SequenceLast", {"data": (4, 3, 2), "sequence_length": _LENGTHS},
           {"use_sequence_length": True}, id="sequencelast", grad=("data",)),
    Sample("SequenceLast", {"data": (3, 4, 2), "sequence_length": _LENGTHS},
           {"use_sequence_length": True, "axis": 1}, id="sequencelast_axis1", grad=("data",)),
    Sample("SequenceLast", {"data": (4, 3, 2)}, id="sequencelast_no_lengths", grad=()),
    Sample("SequenceReverse", {"data": (4, 3, 2), "sequence_length": _LENGTHS},
           {"use_sequence_length": True}, id="sequencereverse", grad=("data",)),
    Sample("SequenceReverse", {"data": (4, 3)}, id="sequencereverse_no_lengths"),
    # the legacy operators
    Sample("BatchNorm_v1", {"data": (2, 3, 4, 4), "gamma": _uniform(2, (3,), 0.5, 1.5), "beta": (3,),
                            "moving_mean": _f32([0.1, -0.2, 0.3]), "moving_var": _f32([1.0, 0.5, 2.0])},
           {"fix_gamma": False}, id="batchnorm_v1_train", is_train=True,
           grad=("data", "gamma", "beta"), rtol=1e-4, atol=1e-4),
    Sample("BatchNorm_v1", {"data": (2, 3, 4, 4), "gamma": _uniform(2, (3,), 0.5, 1.5), "beta": (3,),
                            "moving_mean": _f32([0.1, -0.2, 0.3]), "moving_var": _f32([1.0, 0.5, 2.0])},
           id="batchnorm_v1_inference", grad=()),  # MXNet's legacy backward needs training statistics
    Sample("Convolution_v1", {"data": (1, 2, 5, 5), "weight": (3, 2, 3, 3), "bias": (3,)},
           {"kernel": (3, 3), "num_filter": 3, "stride": (2, 2), "pad": (1, 1)}, id="convolution_v1"),
    Sample("Convolution_v1", {"data": (1, 2, 4, 5), "weight": (2, 1, 2, 2)},
           {"kernel": (2, 2), "num_filter": 2, "num_group": 2, "no_bias": True, "dilate": (1, 2)},
           id="convolution_v1_grouped"),
    Sample("Pooling_v1", {"data": (1, 2, 5, 5)}, {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1),
                                                  "pool_type": "avg", "pooling_convention": "full"},
           id="pooling_v1_avg_full"),
    Sample("Pooling_v1", {"data": (1, 2, 5, 5)}, {"kernel": (3, 3), "stride": (2, 2)},
           id="pooling_v1_max"),
    Sample("Pooling_v1", {"data": (2, 2, 3, 3)}, {"kernel": (1, 1), "global_pool": True,
                                                  "pool_type": "sum"}, id="pooling_v1_global_sum"),
]

# densities: two parameter sets (shape (2,)), three samples under each (shape (2, 3))
_COUNTS = _f32([[0, 2, 5], [1, 3, 7]])
_PDF = [
    ("uniform", {"sample": _f32([[0.2, 0.5, 0.9], [-0.5, 1.0, 2.5]]), "low": _f32([0, -1]),
                 "high": _f32([1, 3])}, ("low", "high")),
    ("normal", {"sample": (2, 3), "mu": _f32([0, 0.5]), "sigma": _f32([1, 2])}, None),
    ("gamma", {"sample": _uniform(3, (2, 3), 0.2, 3.0), "alpha": _f32([1.5, 3]),
               "beta": _f32([2, 0.5])}, None),
    ("exponential", {"sample": _uniform(4, (2, 3), 0.1, 2.0), "lam": _f32([1, 4])}, None),
    ("poisson", {"sample": _COUNTS, "lam": _f32([2, 4])}, ("lam",)),
    ("negative_binomial", {"sample": _COUNTS, "k": _f32([2, 5]), "p": _f32([0.3, 0.8])}, ("k", "p")),
    ("generalized_negative_binomial", {"sample": _COUNTS, "mu": _f32([1, 4]),
                                       "alpha": _f32([0.2, 0.5])}, ("mu", "alpha")),
]
for _dist, _inputs, _grad in _PDF:
    SAMPLES += [
        Sample(f"random_pdf_{_dist}", _inputs, id=f"random_pdf_{_dist}", grad=_grad),
        Sample(f"random_pdf_{_dist}", _inputs, {"is_log": True}, id=f"random_pdf_{_dist}_log",
               grad=_grad),
    ]
_DIRICHLET = {"sample": np.random.RandomState(5).dirichlet([1, 2, 3], (2, 2)).astype(np.float32),
              "alpha": _f32([[1, 2, 3], [0.5, 1.5, 2.5]])}
SAMPLES += [
    Sample("random_pdf_dirichlet", _DIRICHLET, id="random_pdf_dirichlet", grad=("alpha",)),
    Sample("random_pdf_dirichlet", _DIRICHLET, {"is_log": True}, id="random_pdf_dirichlet_log",
           grad=("alpha",)),
]
