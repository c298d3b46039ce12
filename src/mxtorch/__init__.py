"""mxtorch: the Apache MXNet 1.x / Gluon API on PyTorch.

``import mxtorch as mx`` gives the namespaces MXNet programs use: ``mx.nd``, ``mx.sym``,
``mx.autograd``, ``mx.gluon``, ``mx.init``, ``mx.optimizer``, ``mx.metric``, ``mx.io``,
``mx.mod``, ``mx.model``, ``mx.callback``, ``mx.viz``, ``mx.image``, ``mx.random``, ...
"""
from . import base, context
from .base import MXNetError
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus
from . import autograd
from . import ndarray
from . import ndarray as nd
from . import random
from . import name, registry, initializer, initializer as init, gluon
from . import optimizer, lr_scheduler, metric, kvstore, kvstore as kv
from . import attribute, executor, symbol, symbol as sym
from .attribute import AttrScope
from . import io
from . import model, callback, module, module as mod, viz, viz as visualization
from . import image, image as img
from . import recordio
from . import test_utils
from . import operator
from . import profiler
from . import monitor, monitor as mon
from . import contrib
from . import onnx
from . import runtime, util, library
from .util import is_np_shape, set_np_shape, np_shape, use_np_shape
from .util import is_np_array, np_array, use_np_array, use_np
from ._unsupported import rtc
# Not in __all__: `from mxnet import *` must not replace a program's `np` (NumPy) with a refusal.
from ._unsupported import numpy, numpy as np, numpy_extension, numpy_extension as npx  # noqa: F401

# What MXNet programs read and compare with 1.x releases to choose code paths: the MXNet release
# whose API mxtorch gives. mxtorch's own version is __mxtorch_version__.
__version__ = base.__version__
__mxtorch_version__ = "0.1.0"

__all__ = ["MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus", "base",
           "context", "autograd", "ndarray", "nd", "random", "name", "registry", "initializer", "init",
           "gluon", "optimizer", "lr_scheduler", "metric", "kvstore", "kv", "attribute", "AttrScope",
           "executor", "symbol", "sym", "io", "model", "callback", "module", "mod", "viz", "visualization",
           "image", "img", "recordio", "test_utils", "runtime", "util", "library", "rtc", "operator",
           "profiler", "monitor", "mon", "contrib", "is_np_shape", "set_np_shape", "np_shape", "use_np_shape",
           "onnx", "is_np_array", "np_array", "use_np_array", "use_np", "__version__", "__mxtorch_version__"]
