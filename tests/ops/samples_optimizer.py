"""Samples of the optimizer update operators (see sample.py).

They have no gradient (``grad=()``); the walk compares the returned weight and every state the
operator updated in place (``after_<input>``) with MXNet's. Most samples pass ``out=weight`` as
MXNet's optimizers do, so the weight's update in place is compared too; one per family calls
without ``out`` (MXNet leaves the weight alone then).
"""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample

_SHAPE = (3, 4)


def _normal(seed: int, shape=_SHAPE, dtype=np.float32) -> np.ndarray:
    return np.random.RandomState(seed).standard_normal(shape).astype(dtype)


def _positive(seed: int, shape=_SHAPE) -> np.ndarray:
    return (np.random.RandomState(seed).rand(*shape) * 0.5 + 0.1).astype(np.float32)


_W, _G, _M = _normal(1), _normal(2), _normal(3) * 0.1
_CLIP = {"rescale_grad": 0.5, "clip_gradient": 0.3}


def _upd(op: str, inputs: dict, attrs: dict, id: str, out: bool = True) -> Sample:
    return Sample(op, inputs, attrs, id=id, grad=(), fd=False, out=("weight",) if out else ())


SAMPLES = [
    _upd("sgd_update", {"weight": _W, "grad": _G}, {"lr": 0.1, "wd": 0.01}, "sgd_update"),
    _upd("sgd_update", {"weight": _W, "grad": _G}, {"lr": 0.1, **_CLIP}, "sgd_update_no_out", False),
    _upd("sgd_mom_update", {"weight": _W, "grad": _G, "mom": _M},
         {"lr": 0.1, "momentum": 0.9, "wd": 0.01}, "sgd_mom_update"),
    _upd("sgd_mom_update", {"weight": _W, "grad": _G, "mom": _M},
         {"lr": 0.05, "momentum": 0.8, **_CLIP}, "sgd_mom_update_clip_no_out", False),
    _upd("nag_mom_update", {"weight": _W, "grad": _G, "mom": _M},
         {"lr": 0.1, "momentum": 0.9}, "nag_mom_update"),
    _upd("nag_mom_update", {"weight": _W, "grad": _G, "mom": _M},
         {"lr": 0.1, "momentum": 0.9, "wd": 0.01, **_CLIP}, "nag_mom_update_wd_no_out", False),
    _upd("nag_mom_update", {"weight": _W, "grad": _G, "mom": _M},
         {"lr": 0.1, "momentum": 0.9, "wd": 0.1}, "nag_mom_update_wd"),
    _upd("adam_update", {"weight": _W, "grad": _G, "mean": _M, "var": _positive(4)},
         {"lr": 0.01, "wd": 0.01}, "adam_update"),
    _upd("adam_update", {"weight": _W, "grad": _G, "mean": _M, "var": _positive(4)},
         {"lr": 0.01, "beta1": 0.8, "epsilon": 1e-3, **_CLIP}, "adam_update_clip_no_out", False),
    _upd("rmsprop_update", {"weight": _W, "grad": _G, "n": _positive(5)},
         {"lr": 0.01, "wd": 0.01, "clip_weights": 1.0}, "rmsprop_update"),
    _upd("rmspropalex_update", {"weight": _W, "grad": _G, "n": _positive(5) + 0.5,
                                "g": _M, "delta": _normal(6) * 0.01},
         {"lr": 0.01, "wd": 0.01, **_CLIP}, "rmspropalex_update"),
    _upd("ftml_update", {"weight": _W, "grad": _G, "d": _positive(7), "v": _positive(8),
                         "z": _normal(9)},
         {"lr": 0.1, "t": 3, "wd": 0.01, "clip_grad": 0.5}, "ftml_update"),
    _upd("ftrl_update", {"weight": _W, "grad": _G, "z": _normal(10), "n": _positive(11)},
         {"lr": 0.1, "lamda1": 0.2, "wd": 0.01}, "ftrl_update"),
    _upd("signsgd_update", {"weight": _W, "grad": _G}, {"lr": 0.1, "wd": 0.01}, "signsgd_update"),
    _upd("signum_update", {"weight": _W, "grad": _G, "mom": _M},
         {"lr": 0.1, "momentum": 0.9, "wd": 0.01, "wd_lh": 0.05, **_CLIP}, "signum_update"),
    _upd("lamb_update_phase1", {"weight": _W, "grad": _G, "mean": _M, "var": _positive(12)},
         {"t": 2, "wd": 0.01, **_CLIP}, "lamb_update_phase1"),
    Sample("lamb_update_phase1", {"weight": _W, "grad": _G, "mean": _M, "var": _positive(12)},
           {"t": 2, "wd": 0.0, "bias_correction": False}, id="lamb_update_phase1_uncorrected",
           grad=(), fd=False),
    _upd("lamb_update_phase2", {"weight": _W, "g": _normal(13), "r1": np.float32([2.5]),
                                "r2": np.float32([4.0])},
         {"lr": 0.1, "lower_bound": 0.5, "upper_bound": 2.0}, "lamb_update_phase2"),
    _upd("lamb_update_phase2", {"weight": _W, "g": _normal(13), "r1": np.float32([0.0]),
                                "r2": np.float32([4.0])}, {"lr": 0.1}, "lamb_update_phase2_zero_norm"),
    # mixed precision: float16 weights and gradients, float32 states and master weights
    _upd("mp_sgd_update", {"weight": _W.astype(np.float16), "grad": _G.astype(np.float16),
                           "weight32": _W}, {"lr": 0.1, "wd": 0.01, **_CLIP}, "mp_sgd_update"),
    _upd("mp_sgd_mom_update", {"weight": _W.astype(np.float16), "grad": _G.astype(np.float16),
                               "mom": _M, "weight32": _W},
         {"lr": 0.1, "momentum": 0.9, "wd": 0.01}, "mp_sgd_mom_update"),
    _upd("mp_nag_mom_update", {"weight": _W.astype(np.float16), "grad": _G.astype(np.float16),
                               "mom": _M, "weight32": _W},
         {"lr": 0.1, "momentum": 0.9, "wd": 0.1}, "mp_nag_mom_update"),
    Sample("mp_lamb_update_phase1", {"weight": _W.astype(np.float16), "grad": _G.astype(np.float16),
                                     "mean": _M, "var": _positive(12), "weight32": _W},
           {"t": 2, "wd": 0.01}, id="mp_lamb_update_phase1", grad=(), fd=False),
    _upd("mp_lamb_update_phase2", {"weight": _W.astype(np.float16), "g": _normal(13),
                                   "r1": np.float32([2.5]), "r2": np.float32([4.0]), "weight32": _W},
         {"lr": 0.1}, "mp_lamb_update_phase2"),
    Sample("all_finite", {"data": _W}, id="all_finite", grad=(), fd=False),
    Sample("all_finite", {"data": np.float32([1, np.inf, 2])}, id="all_finite_inf", grad=(),
           fd=False),
    Sample("multi_all_finite", {"arg0": _W, "arg1": np.float32([np.nan, 1])},
           {"num_arrays": 2}, id="multi_all_finite", grad=(), fd=False),
    Sample("multi_all_finite", {"arg0": _W, "arg1": _G}, {"num_arrays": 2},
           id="multi_all_finite_ok", grad=(), fd=False),
    Sample("multi_sum_sq", {"arg0": _W, "arg1": _G[:2], "arg2": np.float32([3])},
           {"num_arrays": 3}, id="multi_sum_sq", grad=(), fd=False),
    Sample("multi_lars", {"lrs": np.float32([0.1, 0.2, 0.3]), "weights_sum_sq": np.float32([4, 0, 9]),
                          "grads_sum_sq": np.float32([1, 2, 16]), "wds": np.float32([0.01, 0, 0.1])},
           {"eta": 0.5, "eps": 1e-3, "rescale_grad": 0.5}, id="multi_lars", grad=(), fd=False),
    Sample("reset_arrays", {"arg0": _W, "arg1": _G[:2]}, {"num_arrays": 2}, id="reset_arrays",
           grad=(), fd=False),
]

# several weights in one call: MXNet's shape inference needs the outputs given (out=), as its
# optimizers always give them
_W2, _G2, _M2 = _normal(20, (5,)), _normal(21, (5,)), _normal(22, (5,)) * 0.1
_RATES = {"lrs": (0.1, 0.05), "wds": (0.01, 0.0)}
_PRELOADED = {"lrs": np.float32([0.1, 0.05]), "wds": np.float32([0.01, 0.0])}


def _multi(op: str, groups: list, attrs: dict, id: str, preloaded: bool = False) -> Sample:
    arrays = [a for group in groups for a in group]
    if preloaded:
        arrays += [_PRELOADED["lrs"], _PRELOADED["wds"]]
    inputs = {f"arg{i}": a for i, a in enumerate(arrays)}
    per = len(groups[0])
    out = tuple(f"arg{i * per}" for i in range(len(groups)))
    return Sample(op, inputs, {**attrs, "num_weights": len(groups)}, id=id, grad=(), fd=False,
                  out=out)


_PLAIN = [[_W, _G], [_W2, _G2]]
_MOM = [[_W, _G, _M], [_W2, _G2, _M2]]
_MP = [[_W.astype(np.float16), _G.astype(np.float16), _W],
       [_W2.astype(np.float16), _G2.astype(np.float16), _W2]]
_MP_MOM = [[_W.astype(np.float16), _G.astype(np.float16), _M, _W],
           [_W2.astype(np.float16), _G2.astype(np.float16), _M2, _W2]]
SAMPLES += [
    _multi("multi_sgd_update", _PLAIN, {**_RATES, **_CLIP}, "multi_sgd_update"),
    _multi("multi_sgd_mom_update", _MOM, {**_RATES, "momentum": 0.9}, "multi_sgd_mom_update"),
    _multi("multi_mp_sgd_update", _MP, _RATES, "multi_mp_sgd_update"),
    _multi("multi_mp_sgd_mom_update", _MP_MOM, {**_RATES, "momentum": 0.9, **_CLIP},
           "multi_mp_sgd_mom_update"),
    _multi("preloaded_multi_sgd_update", _PLAIN, _CLIP, "preloaded_multi_sgd_update", True),
    _multi("preloaded_multi_sgd_mom_update", _MOM, {"momentum": 0.9},
           "preloaded_multi_sgd_mom_update", True),
    _multi("preloaded_multi_mp_sgd_update", _MP, {}, "preloaded_multi_mp_sgd_update", True),
    _multi("preloaded_multi_mp_sgd_mom_update", _MP_MOM, {"momentum": 0.9, **_CLIP},
           "preloaded_multi_mp_sgd_mom_update", True),
]
