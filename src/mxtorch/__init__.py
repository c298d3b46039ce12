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
from . import test_utils
from . import operator
from . import profiler
from . import monitor, monitor as mon
from . import contrib

__version__ = "0.1.0"

__all__ = ["MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus",
           "base", "context", "autograd", "ndarray", "nd", "random", "name", "registry",
           "initializer", "init", "gluon", "optimizer", "lr_scheduler", "metric", "kvstore", "kv",
           "attribute", "AttrScope", "executor", "symbol", "sym", "io", "model", "callback",
           "module", "mod", "viz", "visualization", "image", "img", "test_utils", "__version__"]
