"""Samples of the neural-network and loss operators (see sample.py)."""
from __future__ import annotations

import numpy as np

try:
    from .sample import Sample
except ImportError:  # imported as a top-level module by the reference generator
    from sample import Sample


def _f32(values) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def _positive(shape, seed: int) -> np.ndarray:
    """Variances and other inputs that must be positive."""
    return (np.random.RandomState(seed).rand(*shape) + 0.5).astype(np.float32)


_BN_STATS = {"moving_mean": _f32([0.1, -0.2, 0.3]), "moving_var": _positive((3,), 1)}

DENSE_CONV = [
    Sample("FullyConnected", {"data": (3, 4, 2), "weight": (5, 8), "bias": (5,)},
           {"num_hidden": 5}, id="fc_flatten"),
    Sample("FullyConnected", {"data": (3, 2, 4), "weight": (5, 4)},
           {"num_hidden": 5, "no_bias": True, "flatten": False}, id="fc_noflatten_nobias"),
    Sample("Convolution", {"data": (2, 3, 7, 6), "weight": (4, 3, 3, 3), "bias": (4,)},
           {"kernel": (3, 3), "num_filter": 4, "pad": (1, 1), "stride": (2, 1)}, id="conv2d"),
    Sample("Convolution", {"data": (2, 3, 9), "weight": (4, 3, 3), "bias": (4,)},
           {"kernel": (3,), "num_filter": 4, "pad": (1,), "stride": (2,), "dilate": (2,)},
           id="conv1d_dilate"),
    Sample("Convolution", {"data": (2, 4, 5, 5), "weight": (6, 2, 3, 3)},
           {"kernel": (3, 3), "num_filter": 6, "num_group": 2, "no_bias": True}, id="conv2d_group"),
    Sample("Convolution", {"data": (1, 2, 4, 4, 4), "weight": (3, 2, 2, 2, 2), "bias": (3,)},
           {"kernel": (2, 2, 2), "num_filter": 3, "stride": (2, 1, 2), "pad": (1, 0, 1)},
           id="conv3d"),
    Sample("Deconvolution", {"data": (2, 3, 4, 4), "weight": (3, 2, 3, 3)},
           {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1), "adj": (1, 1)},
           id="deconv2d_adj"),
    Sample("Deconvolution", {"data": (1, 4, 3, 3), "weight": (4, 3, 3, 3), "bias": (6,)},
           {"kernel": (3, 3), "num_filter": 6, "num_group": 2, "no_bias": False},
           id="deconv2d_group_bias"),
    Sample("Deconvolution", {"data": (2, 2, 5), "weight": (2, 3, 3)},
           {"kernel": (3,), "num_filter": 3, "stride": (2,), "dilate": (2,), "pad": (1,)},
           id="deconv1d_dilate"),
    Sample("Deconvolution", {"data": (1, 2, 2, 2, 2), "weight": (2, 1, 2, 2, 2)},
           {"kernel": (2, 2, 2), "num_filter": 1, "stride": (2, 2, 2)}, id="deconv3d"),
]

# Max pooling is recorded in training mode: MXNet's oneDNN max pooling recorded in predict mode keeps no
# workspace and its backward then sends the gradient to the wrong positions.
POOLING = [
    Sample("Pooling", {"data": (2, 2, 6, 6)},
           {"kernel": (2, 2), "stride": (2, 2), "pool_type": "avg"}, id="pool_avg"),
    Sample("Pooling", {"data": (2, 2, 5, 5)},
           {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pooling_convention": "full"},
           id="pool_max_full_pad", is_train=True),
    Sample("Pooling", {"data": (1, 2, 5, 5)},
           {"kernel": (2, 2), "stride": (2, 2), "pad": (1, 1), "pooling_convention": "full"},
           id="pool_max_full_outside", is_train=True),
    Sample("Pooling", {"data": (2, 2, 6, 6)},
           {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg",
            "pooling_convention": "full", "count_include_pad": False}, id="pool_avg_full_nocount"),
    Sample("Pooling", {"data": (1, 2, 5, 5)},
           {"kernel": (2, 2), "stride": (2, 2), "pool_type": "avg", "pooling_convention": "full"},
           id="pool_avg_full_edge"),
    Sample("Pooling", {"data": (2, 2, 5, 6)},
           {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg"},
           id="pool_avg_valid_pad"),
    Sample("Pooling", {"data": (2, 3, 7)},
           {"kernel": (3,), "stride": (2,), "pool_type": "sum", "pooling_convention": "full"},
           id="pool_sum_1d_full"),
    Sample("Pooling", {"data": (2, 2, 4, 4)},
           {"kernel": (2, 2), "pool_type": "lp", "p_value": 1}, id="pool_lp1"),
    Sample("Pooling", {"data": (2, 2, 4, 4)},
           {"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp", "p_value": 2}, id="pool_lp2"),
    Sample("Pooling", {"data": (2, 2, 4, 4)},
           {"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp", "p_value": 3}, id="pool_lp3",
           positive=True),
    Sample("Pooling", {"data": (2, 3, 4, 5)}, {"global_pool": True, "kernel": (2, 2)},
           id="pool_global_max", is_train=True),
    Sample("Pooling", {"data": (2, 3, 4, 5)}, {"global_pool": True, "pool_type": "avg"},
           id="pool_global_avg"),
    Sample("Pooling", {"data": (1, 2, 4, 4, 4)}, {"kernel": (2, 2, 2), "stride": (2, 2, 2)},
           id="pool_max_3d", is_train=True),
    Sample("Pooling", {"data": (2, 5, 5, 3)},
           {"kernel": (3, 3), "stride": (2, 2), "layout": "NHWC"}, id="pool_max_nhwc", is_train=True),
]

ACTIVATIONS = [
    *[Sample("Activation", {"data": (3, 4)}, {"act_type": act}, id=f"act_{act}")
      for act in ("relu", "sigmoid", "tanh", "softrelu", "softsign")],
    Sample("LeakyReLU", {"data": (3, 4)}, {"act_type": "leaky", "slope": 0.1}, id="leaky"),
    Sample("LeakyReLU", {"data": (2, 3, 4), "gamma": (3,)}, {"act_type": "prelu"}, id="prelu"),
    Sample("LeakyReLU", {"data": (2, 3, 2, 2), "gamma": (1,)}, {"act_type": "prelu"},
           id="prelu_shared"),
    Sample("LeakyReLU", {"data": (3, 4)}, {"act_type": "elu", "slope": 0.3}, id="elu"),
    # MXNet's selu backward is lambda * (y + alpha) for x <= 0, not the derivative; mxtorch follows it
    Sample("LeakyReLU", {"data": (3, 4)}, {"act_type": "selu"}, id="selu", fd=False),
    Sample("LeakyReLU", {"data": (3, 4)}, {"act_type": "gelu"}, id="gelu"),
    Sample("Flatten", {"data": (2, 3, 2, 2)}, id="flatten"),
    Sample("Dropout", {"data": (3, 4)}, {"p": 0.3}, id="dropout_predict"),
    Sample("softmax", {"data": (3, 4)}, id="softmax"),
    Sample("softmax", {"data": (3, 4, 2)}, {"axis": 0, "temperature": 2.0}, id="softmax_axis0_temp"),
    Sample("softmax", {"data": (2, 5), "length": np.array([2, 5], dtype=np.int32)},
           {"use_length": True}, id="softmax_length"),
    Sample("softmax", {"data": (2, 3)}, {"dtype": "float64"}, id="softmax_float64"),
    Sample("log_softmax", {"data": (3, 4)}, id="log_softmax"),
    Sample("log_softmax", {"data": (2, 3, 4)}, {"axis": 1, "temperature": 0.5},
           id="log_softmax_axis1_temp"),
    Sample("softmin", {"data": (3, 4)}, id="softmin"),
    Sample("softmin", {"data": (2, 3, 4)}, {"axis": 1, "temperature": 0.5}, id="softmin_axis1_temp"),
    Sample("SoftmaxActivation", {"data": (4, 3)}, id="softmax_act_instance"),
    # MXNet's backward reduces over axis 1 while the instance softmax is over the last axis
    Sample("SoftmaxActivation", {"data": (2, 3, 2)}, id="softmax_act_instance_3d", fd=False),
    Sample("SoftmaxActivation", {"data": (2, 3, 2, 2)}, {"mode": "channel"},
           id="softmax_act_channel"),
]

# The mean/var/std outputs of output_mean_var pass no gradient (MXNet's definition): no finite differences.
NORMALISATION = [
    Sample("BatchNorm", {"data": (4, 3, 2, 2), "gamma": (3,), "beta": (3,), **_BN_STATS},
           {"fix_gamma": False}, id="bn_train", is_train=True, grad=("data", "gamma", "beta")),
    Sample("BatchNorm", {"data": (4, 3, 2), "gamma": (3,), "beta": (3,), **_BN_STATS},
           {"output_mean_var": True, "momentum": 0.8}, id="bn_train_fixgamma_meanvar",
           is_train=True, grad=("data", "gamma", "beta"), fd=False),
    # MXNet's backward runs in training mode, mixing batch-statistics gradients into a forward
    # that used the moving statistics: only the prediction itself is compared
    Sample("BatchNorm", {"data": (4, 3, 2, 2), "gamma": (3,), "beta": (3,), **_BN_STATS},
           {"fix_gamma": False, "eps": 1e-5}, id="bn_predict", grad=()),
    Sample("BatchNorm", {"data": (4, 3, 2, 2), "gamma": (3,), "beta": (3,), **_BN_STATS},
           {"fix_gamma": False, "use_global_stats": True}, id="bn_global_stats", is_train=True,
           grad=("data", "gamma", "beta")),
    Sample("BatchNorm", {"data": (4, 2, 3), "gamma": (3,), "beta": (3,), **_BN_STATS},
           {"fix_gamma": False, "axis": -1}, id="bn_train_axis_last", is_train=True,
           grad=("data", "gamma", "beta")),
    Sample("LayerNorm", {"data": (3, 4, 5), "gamma": (5,), "beta": (5,)}, id="layernorm"),
    Sample("LayerNorm", {"data": (3, 4, 5), "gamma": (4,), "beta": (4,)},
           {"axis": 1, "eps": 1e-3, "output_mean_var": True}, id="layernorm_axis1_meanstd", fd=False),
    Sample("InstanceNorm", {"data": (2, 3, 4, 4), "gamma": (3,), "beta": (3,)}, id="instancenorm"),
    Sample("GroupNorm", {"data": (2, 4, 3, 3), "gamma": (2,), "beta": (2,)}, {"num_groups": 2},
           id="groupnorm"),
    Sample("GroupNorm", {"data": (2, 6, 4), "gamma": (3,), "beta": (3,)},
           {"num_groups": 3, "output_mean_var": True}, id="groupnorm_meanstd", fd=False),
    Sample("LRN", {"data": (2, 5, 3, 3)}, {"nsize": 3}, id="lrn"),
    Sample("LRN", {"data": (2, 6, 2, 2)}, {"nsize": 5, "alpha": 0.01, "beta": 0.5, "knorm": 1.0},
           id="lrn_wide"),
]

LAYERS = [
    Sample("Embedding",
           {"data": _f32([[0, 3, 9], [2, 11, -1], [1.7, -0.5, 4]]), "weight": (10, 4)},
           {"input_dim": 10, "output_dim": 4}, id="embedding", grad=("weight",)),
    Sample("UpSampling", {"arg0": (1, 2, 3, 3)}, {"scale": 2, "sample_type": "nearest"},
           id="upsampling_nearest"),
    Sample("UpSampling", {"arg0": (1, 2, 4, 4), "arg1": (1, 3, 2, 2)},
           {"scale": 2, "sample_type": "nearest"}, id="upsampling_nearest_concat"),
    Sample("UpSampling", {"arg0": (1, 2, 4, 4), "arg1": (1, 2, 2, 2)},
           {"scale": 3, "sample_type": "nearest", "multi_input_mode": "sum"},
           id="upsampling_nearest_sum"),
    Sample("UpSampling", {"arg0": (1, 2, 3, 3), "arg1": (2, 1, 4, 4)},
           {"scale": 2, "sample_type": "bilinear", "num_filter": 2}, id="upsampling_bilinear"),
    Sample("UpSampling", {"arg0": (1, 2, 2, 3), "arg1": (2, 1, 5, 5)},
           {"scale": 3, "sample_type": "bilinear", "num_filter": 2}, id="upsampling_bilinear3"),
    Sample("Pad", {"data": (1, 2, 3, 3)},
           {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1), "constant_value": 1.5},
           id="pad_constant"),
    Sample("Pad", {"data": (1, 2, 3, 3)}, {"mode": "edge", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)},
           id="pad_edge"),
    Sample("Pad", {"data": (1, 1, 3, 3, 4)},
           {"mode": "reflect", "pad_width": (0, 0, 0, 0, 1, 2, 2, 1, 1, 3)}, id="pad_reflect_5d"),
]

_LABELS = _f32([0, 3, 4, 1])
OUTPUTS = [
    Sample("SoftmaxOutput", {"data": (4, 5), "label": _LABELS}, {}, id="softmaxoutput",
           grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (4, 5), "label": _f32([0, 1, 4, 1])},
           {"use_ignore": True, "ignore_label": 1, "normalization": "valid"},
           id="softmaxoutput_ignore_valid", grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (4, 5), "label": _LABELS},
           {"grad_scale": 2.0, "normalization": "batch"}, id="softmaxoutput_batch",
           grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (4, 5), "label": _LABELS}, {"smooth_alpha": 0.1},
           id="softmaxoutput_smooth", grad=("data",), fd=False),
    # MXNet multiplies by the output where it documents the head gradient (see SoftmaxOutput)
    Sample("SoftmaxOutput", {"data": (4, 5), "label": _LABELS}, {"out_grad": True},
           id="softmaxoutput_out_grad", grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (2, 3), "label": _f32([[0.2, 0.5, 0.3], [1, 0, 0]])},
           {"grad_scale": 0.5}, id="softmaxoutput_prob_label", grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (2, 3, 2, 2), "label": _f32([[[0, 2], [1, 1]], [[2, 0], [1, 0]]])},
           {"multi_output": True}, id="softmaxoutput_multi", grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (2, 3, 4), "label": _f32([[0, 2, 1, 1], [2, 0, 1, 0]])},
           {"multi_output": True, "normalization": "batch"}, id="softmaxoutput_multi_batch",
           grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (2, 3, 4), "label": _f32([[0, 2, 1, 1], [2, 0, 1, 0]])},
           {"multi_output": True, "normalization": "valid", "use_ignore": True, "ignore_label": 0},
           id="softmaxoutput_multi_valid", grad=("data",), fd=False),
    Sample("SoftmaxOutput", {"data": (2, 3, 4), "label": _f32([[0, 2, 1], [3, 0, 1]])},
           {"preserve_shape": True, "normalization": "batch"}, id="softmaxoutput_preserve",
           grad=("data",), fd=False),
    Sample("LinearRegressionOutput", {"data": (3, 2), "label": (3, 2)}, id="linreg",
           grad=("data",), fd=False),
    Sample("LinearRegressionOutput", {"data": (4, 1), "label": (4,)}, {"grad_scale": 3.0},
           id="linreg_1d_label", grad=("data",), fd=False),
    Sample("LogisticRegressionOutput", {"data": (3, 4), "label": _f32(np.eye(3, 4))},
           {"grad_scale": 0.5}, id="logreg", grad=("data",), fd=False),
    Sample("MAERegressionOutput", {"data": (3, 2, 2), "label": (3, 2, 2)}, id="maereg",
           grad=("data",), fd=False),
    Sample("MakeLoss", {"data": (3, 4)}, id="makeloss", fd=False),
    Sample("MakeLoss", {"data": (3, 4)}, {"grad_scale": 2.0, "normalization": "batch"},
           id="makeloss_batch", fd=False),
    Sample("MakeLoss", {"data": (3, 4)}, {"normalization": "valid", "valid_thresh": 0.2},
           id="makeloss_valid", fd=False),
    Sample("make_loss", {"data": (3, 4)}, id="make_loss", fd=False),
    Sample("BlockGrad", {"data": (3, 4)}, id="blockgrad", fd=False),
    Sample("stop_gradient", {"data": (2, 3)}, id="stop_gradient", fd=False),
    Sample("softmax_cross_entropy", {"data": (4, 5), "label": _LABELS},
           id="softmax_cross_entropy", grad=("data",)),
]

SAMPLES = DENSE_CONV + POOLING + ACTIVATIONS + NORMALISATION + LAYERS + OUTPUTS
