"""MXNet 1.9.1's automatic mixed precision API (``mxnet.contrib.amp.amp``), not supported yet.

Every function MXNet exports here exists and raises :class:`~mxtorch.base.MXNetError` when
called, so a program that imports AMP (``from mxnet.contrib.amp import amp``) runs until it
actually asks for mixed precision.
"""
from __future__ import annotations

from .._unsupported import refusing

# MXNet 1.9.1's amp.__all__, in its order.
__all__ = ["init", "init_trainer", "scale_loss", "unscale", "convert_model",
           "convert_hybrid_block", "list_lp16_ops", "list_fp32_ops",
           "list_lp16_fp32_ops", "list_conditional_fp32_ops",
           "list_widest_type_cast", "list_loss_output_functions", "list_lp16_use_fp32_params",
           "convert_symbol"]

_INSTEAD = ("train in float32 (the default), or cast a network with net.cast('float16') and its "
            "data with .astype('float16') by hand")

init = refusing("mxnet.contrib.amp.init", _INSTEAD)
init_trainer = refusing("mxnet.contrib.amp.init_trainer", _INSTEAD)
scale_loss = refusing("mxnet.contrib.amp.scale_loss", _INSTEAD)
unscale = refusing("mxnet.contrib.amp.unscale", _INSTEAD)
convert_model = refusing("mxnet.contrib.amp.convert_model", _INSTEAD)
convert_hybrid_block = refusing("mxnet.contrib.amp.convert_hybrid_block", _INSTEAD)
list_lp16_ops = refusing("mxnet.contrib.amp.list_lp16_ops", _INSTEAD)
list_fp32_ops = refusing("mxnet.contrib.amp.list_fp32_ops", _INSTEAD)
list_lp16_fp32_ops = refusing("mxnet.contrib.amp.list_lp16_fp32_ops", _INSTEAD)
list_conditional_fp32_ops = refusing("mxnet.contrib.amp.list_conditional_fp32_ops", _INSTEAD)
list_widest_type_cast = refusing("mxnet.contrib.amp.list_widest_type_cast", _INSTEAD)
list_loss_output_functions = refusing("mxnet.contrib.amp.list_loss_output_functions", _INSTEAD)
list_lp16_use_fp32_params = refusing("mxnet.contrib.amp.list_lp16_use_fp32_params", _INSTEAD)
convert_symbol = refusing("mxnet.contrib.amp.convert_symbol", _INSTEAD)
