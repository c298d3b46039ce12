"""Which precision each operator runs in under automatic mixed precision (``mx.contrib.amp``).

Facts about operators live with the operator table: these lists name table entries; AMP reads them
(names not in the table are ignored there).
"""
from __future__ import annotations

__all__ = ["LP16", "FP32", "CONDITIONAL", "WIDEST", "LOSS_OUTPUTS"]

# operators whose work is matrix products: run in the low-precision type
LP16 = ("Convolution", "Deconvolution", "FullyConnected", "dot", "batch_dot", "RNN",
        "_contrib_DeformableConvolution", "linalg_gemm", "linalg_gemm2")
# operators whose range or accumulation needs float32: softmax and its losses, normalisations,
# exponentials and logarithms, reductions to norms
FP32 = ("softmax", "log_softmax", "softmin", "SoftmaxOutput", "SoftmaxActivation",
        "softmax_cross_entropy", "BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm",
        "L2Normalization", "LRN", "norm", "LinearRegressionOutput", "LogisticRegressionOutput",
        "MAERegressionOutput", "CTCLoss", "exp", "expm1", "log", "log1p", "log2", "log10",
        "gamma", "gammaln", "erfinv", "topk", "sort", "argsort", "mean", "sum", "prod",
        "nansum", "nanprod", "moments", "smooth_l1", "reciprocal", "rsqrt", "sqrt", "square",
        "power", "_power", "broadcast_power", "arccos", "arcsin", "cosh", "sinh", "tan",
        "arctanh", "arccosh", "arcsinh")
# (operator, attribute, values) that make an operator float32
CONDITIONAL = (("Activation", "act_type", ["softrelu"]), ("LeakyReLU", "act_type", ["elu", "selu"]))
# operators whose inputs must share one type: cast to the widest of them
WIDEST = ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "broadcast_add",
          "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_maximum",
          "broadcast_minimum", "add_n", "Concat", "concat", "stack", "where", "_plus", "_minus",
          "_mul", "_div", "_Plus", "_Minus", "_Mul", "_Div", "ElementWiseSum")
LOSS_OUTPUTS = ("SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput",
                "MAERegressionOutput")
