"""What this build can do, under MXNet 1.9.1's feature names: ``mx.runtime.Features()``.

MXNet reported how ``libmxnet.so`` was compiled; mxtorch's engine is PyTorch, so each feature is
answered by the torch build in use (and, for the CPU instruction sets, by the kernels torch runs
on this machine), under the name MXNet programs ask for::

    >>> import mxtorch as mx
    >>> features = mx.runtime.Features()
    >>> features.is_enabled("CUDA")       # this torch was built with CUDA
    False
    >>> features                          # doctest: +ELLIPSIS
    [✖ CUDA, ✖ CUDNN, ✖ NCCL, ✖ CUDA_RTC, ✖ TENSORRT, ✔ CPU_SSE, ...]

======================  ===================================================================
feature                 enabled when
======================  ===================================================================
CUDA, CUDNN, NCCL       torch was built with CUDA / cuDNN / NCCL (compile-time, as in MXNet:
                        a CUDA build says CUDA on a machine without a GPU too)
CPU_SSE, CPU_SSE2, SSE  x86-64 (the baseline every x86-64 build is compiled for)
CPU_SSE3 ... CPU_AVX2,  torch runs its AVX2 or AVX-512 kernels here
F16C
OPENMP                  torch was built with OpenMP
BLAS_OPEN, BLAS_MKL,    the BLAS torch was built with (``torch.__config__``)
BLAS_ATLAS, BLAS_APPLE
LAPACK                  torch was built with LAPACK
MKLDNN                  torch was built with oneDNN (MKL-DNN's new name)
PROFILER                ``mx.profiler`` is there (on ``torch.profiler``)
DIST_KVSTORE            ``torch.distributed`` is there (``kv.create('dist_sync')``)
CXX14                   torch was compiled as C++14 or later
INT64_TENSOR_SIZE       always: torch indexes tensors with 64-bit sizes
SIGNAL_HANDLER          Python's ``faulthandler`` is on (the stack dump on a crash that
                        MXNet's handler printed), when ``Features()`` is first made
DEBUG                   torch is a debug build
CUDA_RTC, TENSORRT,     never: ``mx.rtc``, TensorRT, jemalloc, OpenCV (``mx.image`` uses
JEMALLOC, OPENCV,       Pillow), Caffe, TVM and AMD's SSE4a are not part of mxtorch
CAFFE, TVM_OP,
CPU_SSE4A
======================  ===================================================================
"""
from __future__ import annotations

import collections
import importlib.util
import platform
import re

import torch

from .base import MXNetError

__all__ = ["Feature", "Features", "feature_list"]

# MXNet 1.9.1's names in its order (include/mxnet/libinfo.h).
FEATURE_NAMES = (
    "CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT",
    "CPU_SSE", "CPU_SSE2", "CPU_SSE3", "CPU_SSE4_1", "CPU_SSE4_2", "CPU_SSE4A", "CPU_AVX", "CPU_AVX2",
    "OPENMP", "SSE", "F16C", "JEMALLOC",
    "BLAS_OPEN", "BLAS_ATLAS", "BLAS_MKL", "BLAS_APPLE", "LAPACK", "MKLDNN",
    "OPENCV", "CAFFE", "PROFILER", "DIST_KVSTORE", "CXX14", "INT64_TENSOR_SIZE",
    "SIGNAL_HANDLER", "DEBUG", "TVM_OP",
)


class Feature:
    """One feature: its ``name`` and whether it is ``enabled``."""

    __slots__ = ("_name", "_enabled")

    def __init__(self, name: str, enabled: bool):
        self._name = name
        self._enabled = bool(enabled)

    @property
    def name(self) -> str:
        """The feature's name (MXNet's)."""
        return self._name

    @property
    def enabled(self) -> bool:
        """True if this build has the feature."""
        return self._enabled

    def __repr__(self) -> str:
        return f"{'✔' if self._enabled else '✖'} {self._name}"


def _blas(config: str) -> str:
    match = re.search(r"BLAS_INFO=(\w+)", config)
    name = match.group(1).lower() if match else ""
    if "mkl" in name:
        return "BLAS_MKL"
    if "open" in name:
        return "BLAS_OPEN"
    if "atlas" in name:
        return "BLAS_ATLAS"
    if name in ("accelerate", "veclib", "apple"):
        return "BLAS_APPLE"
    return ""


def _detect() -> dict:
    """Feature name -> enabled, for the torch in use on this machine."""
    import faulthandler

    config = torch.__config__.show()
    x86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")
    capability = torch.backends.cpu.get_cpu_capability() if x86 else ""
    avx2 = capability in ("AVX2", "AVX512")
    cxx = re.search(r"C\+\+ Version: (\d+)", config)
    distributed = torch.distributed.is_available()
    found = {
        "CUDA": torch.backends.cuda.is_built(),
        "CUDNN": torch.backends.cudnn.is_available(),
        "NCCL": distributed and torch.distributed.is_nccl_available(),
        "CPU_SSE": x86, "CPU_SSE2": x86, "SSE": x86,
        "CPU_SSE3": avx2, "CPU_SSE4_1": avx2, "CPU_SSE4_2": avx2, "CPU_AVX": avx2,
        "CPU_AVX2": avx2, "F16C": avx2,
        "OPENMP": torch.backends.openmp.is_available(),
        "LAPACK": "LAPACK is enabled" in config or "LAPACK_INFO=" in config,
        "MKLDNN": torch.backends.mkldnn.is_available(),
        "PROFILER": importlib.util.find_spec(f"{__package__}.profiler") is not None,
        "DIST_KVSTORE": distributed,
        "CXX14": bool(cxx) and int(cxx.group(1)) >= 201402,
        "INT64_TENSOR_SIZE": True,
        "SIGNAL_HANDLER": faulthandler.is_enabled(),
        "DEBUG": bool(torch.version.debug),
    }
    blas = _blas(config)
    if blas:
        found[blas] = True
    return {name: bool(found.get(name, False)) for name in FEATURE_NAMES}


def feature_list() -> list:
    """The features of this build, as a list of :class:`Feature` in MXNet's order.

    Returns
    -------
    list
        List of :class:`Feature` objects.
    """
    return [Feature(name, enabled) for name, enabled in _detect().items()]


class Features(collections.OrderedDict):
    """Feature name -> :class:`Feature`, made once per process (``Features()`` always returns
    the same object, as MXNet's)."""

    instance = None

    def __new__(cls) -> "Features":
        if cls.instance is None:
            cls.instance = super().__new__(cls)
            super(Features, cls.instance).__init__([(f.name, f) for f in feature_list()])
        return cls.instance

    def __init__(self) -> None:   # filled once, in __new__
        pass

    def __repr__(self) -> str:
        return str(list(self.values()))

    def is_enabled(self, feature_name: str) -> bool:
        """Whether this build has a feature.

        Parameters
        ----------
        feature_name : str
            A feature's name, e.g. ``'CUDA'`` (any case).

        Returns
        -------
        bool
            True if enabled.

        Raises
        ------
        MXNetError
            (a ``RuntimeError``, as MXNet raised) for a name MXNet 1.9.1 does not know.
        """
        feature_name = feature_name.upper()
        if feature_name not in self:
            raise MXNetError(f"Feature '{feature_name}' is unknown, known features are: "
                             f"{list(self.keys())}")
        return self[feature_name].enabled
