"""What mxtorch leaves out of MXNet 1.9.1, importable but refusing on first use.

``mx.np``/``mx.numpy``, ``mx.npx``/``mx.numpy_extension``, ``mx.rtc``, ``mx.nd.sparse`` and
``mx.sym.sparse`` are modules here (``import mxnet.numpy`` and ``from mxnet import np`` work, so
a program that only imports them keeps running); looking up any public name in one raises
:class:`MXNetError` naming it as unsupported in mxtorch and saying what to use instead.
"""
from __future__ import annotations

import importlib.util
import sys
import types
from typing import NoReturn

from . import ndarray, symbol
from .base import MXNetError

__all__ = ["UnsupportedModule", "numpy", "numpy_extension", "rtc", "nd_sparse", "sym_sparse"]


class UnsupportedModule(types.ModuleType):
    """A module standing for an MXNet module mxtorch does not provide.

    Parameters
    ----------
    name : str
        Its mxtorch name (``mxtorch.numpy``), registered in ``sys.modules``.
    shown : str
        How the error names it (``mx.np``).
    what : str
        What it is, for the error.
    instead : str
        What to use in mxtorch in its place.
    """

    def __init__(self, name: str, shown: str, what: str, instead: str):
        super().__init__(name, f"Not supported in mxtorch: {what}. Instead, {instead}.")
        self._shown, self._what, self._instead = shown, what, instead
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            sys.modules[name] = self   # a real module of that name, when there is one, wins

    def __getattr__(self, attr: str) -> NoReturn:
        if attr.startswith("_"):   # dunders and private names: tools probe them (hasattr, pickle)
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")
        raise MXNetError(f"{self._shown}.{attr}: {self._what} is not supported in mxtorch; "
                         f"{self._instead}")

    def __repr__(self) -> str:
        return f"<module {self.__name__!r} (not supported in mxtorch: {self._what})>"


numpy = UnsupportedModule(
    f"{__package__}.numpy", "mx.np", "MXNet's NumPy interface (mxnet.numpy)",
    "use mx.nd (NDArray, with MXNet 1.x's operator names) for arrays on a device, or NumPy itself")
numpy_extension = UnsupportedModule(
    f"{__package__}.numpy_extension", "mx.npx",
    "MXNet's NumPy extensions and NumPy mode (mxnet.numpy_extension, npx.set_np)",
    "use mx.nd's operators (nd.relu, nd.softmax, nd.pick, ...) on mx.nd arrays, with NumPy mode off")
rtc = UnsupportedModule(
    f"{__package__}.rtc", "mx.rtc", "run-time compilation of CUDA kernels (mxnet.rtc)",
    "write the kernel as torch operations (torch.compile fuses them into GPU code), in an "
    "mx.operator.CustomOp where it needs its own gradient")
_DENSE = ("use dense arrays: mx.nd.array(matrix.toarray()) for a SciPy sparse matrix (sparse "
          "arrays in MXNet's .params files load as dense arrays)")
nd_sparse = UnsupportedModule(
    f"{ndarray.__name__}.sparse", "mx.nd.sparse",
    "sparse storage (CSRNDArray, RowSparseNDArray: mxnet.ndarray.sparse)", _DENSE)
sym_sparse = UnsupportedModule(
    f"{symbol.__name__}.sparse", "mx.sym.sparse", "sparse storage (mxnet.symbol.sparse)", _DENSE)

for _package, _module in ((ndarray, nd_sparse), (symbol, sym_sparse)):
    if sys.modules.get(_module.__name__) is _module and "sparse" not in vars(_package):
        _package.sparse = _module
