"""The operator table. Importing this package declares every operator."""
from . import image, loss, nn, tensor  # noqa: F401  (declaring modules)
from . import random  # noqa: F401  (random sampling operators)
from . import custom  # noqa: F401  (Custom: operators written in Python, mx.operator)
from . import contrib  # noqa: F401  (nd.contrib / sym.contrib)
from . import control_flow  # noqa: F401  (_foreach, _while_loop, _cond: subgraph nodes)
from . import optimizer_ops  # noqa: F401  (optimizer update operators: sgd_update, adam_update...)
from . import nn_extra, random_pdf, sequence  # noqa: F401  (legacy and less common layers, densities)
from . import rnn  # noqa: F401  (RNN: the fused recurrent layers)
from . import linalg  # noqa: F401  (nd.linalg)
from . import spatial  # noqa: F401  (spatial and vision operators: Crop, ROIPooling, CTCLoss...)
from .registry import OpDef, all_ops, get_op, op

__all__ = ["OpDef", "all_ops", "get_op", "op"]
