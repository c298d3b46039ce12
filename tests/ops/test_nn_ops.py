"""Neural-network and loss operators: what the goldens cannot hold (random outputs, MXNet paths that the
golden generator cannot take) and the shape rules that Gluon's deferred initialisation and infer_shape use.
The conformance walk over every operator (signatures, goldens, gradients) is tests/ops/test_op_table.py.

Expected values marked "MXNet 1.9.1" were read off the reference implementation.
"""
import numpy as np
import pytest

from mxtorch import autograd, nd
from mxtorch.base import MXNetError
from mxtorch.ops import get_op


def _infer(name, in_shapes, **attrs):
    entry = get_op(name)
    return entry.infer_shape(entry.parse_attrs(attrs), list(in_shapes))


# -- Dropout -----------------------------------------------------------------------------------------
def test_dropout_training_zeroes_a_fraction_p_and_rescales_the_rest():
    x = nd.ones((200, 100))
    with autograd.train_mode():
        y = nd.Dropout(x, p=0.3).asnumpy()
    zeroed = (y == 0).mean()
    assert abs(zeroed - 0.3) < 0.02
    np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)


def test_dropout_is_identity_in_prediction_unless_mode_always():
    x = nd.array(np.random.RandomState(0).rand(50, 40) + 1)
    np.testing.assert_array_equal(nd.Dropout(x, p=0.5).asnumpy(), x.asnumpy())
    y = nd.Dropout(x, p=0.5, mode="always").asnumpy()
    assert 0.4 < (y == 0).mean() < 0.6
    np.testing.assert_allclose(y[y != 0], 2 * x.asnumpy()[y != 0], rtol=1e-6)


def test_dropout_axes_share_the_mask_along_those_axes():
    with autograd.train_mode():
        y = nd.Dropout(nd.ones((4, 30, 5)), p=0.5, axes=(1,)).asnumpy()
    assert (y == y[:, :1, :]).all()
    assert 0 < (y == 0).mean() < 1


def test_dropout_gradient_uses_the_same_mask():
    x = nd.ones((20, 20))
    x.attach_grad()
    with autograd.record():
        y = nd.Dropout(x, p=0.4)
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), y.asnumpy(), rtol=1e-6)


def test_dropout_rejects_axes_out_of_range():
    with pytest.raises(MXNetError, match="axes"):
        nd.Dropout(nd.ones((2, 3)), axes=(5,), mode="always")


# -- LeakyReLU rrelu -----------------------------------------------------------------------------------
def test_rrelu_in_prediction_uses_the_mean_slope_and_returns_the_mask():
    x = nd.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    out, mask = nd.LeakyReLU(x, act_type="rrelu")
    # MXNet 1.9.1: [-0.459, -0.11475, 0, 0.5, 2] with the default bounds 0.125 and 0.334
    np.testing.assert_allclose(out.asnumpy(), [-0.459, -0.11475, 0, 0.5, 2], rtol=1e-6)
    assert mask.shape == x.shape


def test_rrelu_in_training_draws_slopes_between_the_bounds():
    x = nd.full((1000,), -1.0)
    with autograd.train_mode():
        out, mask = nd.LeakyReLU(x, act_type="rrelu", lower_bound=0.1, upper_bound=0.3)
    slopes = -out.asnumpy()
    assert slopes.min() >= 0.1 and slopes.max() < 0.3 and slopes.std() > 0.03
    np.testing.assert_allclose(mask.asnumpy(), slopes, rtol=1e-6)


def test_prelu_gamma_must_broadcast():
    with pytest.raises(MXNetError, match="gamma"):
        nd.LeakyReLU(nd.ones((2, 3, 2)), nd.ones((3, 2)), act_type="prelu")


# -- Pooling and Deconvolution paths the goldens cannot take ------------------------------------------
def test_pooling_same_convention():
    # MXNet 1.9.1 (1-D only, and only with a 3-element pad there): ceil(x / stride) windows starting at
    # i * stride, the last ones cut at the border; avg divides by the values the window covers
    x = nd.arange(7).reshape((1, 1, 7))
    out = nd.Pooling(x, kernel=(3,), stride=(2,), pooling_convention="same", pool_type="sum")
    np.testing.assert_array_equal(out.asnumpy().ravel(), [3, 9, 15, 6])
    x = nd.arange(5).reshape((1, 1, 5))
    out = nd.Pooling(x, kernel=(2,), stride=(2,), pooling_convention="same", pool_type="avg")
    np.testing.assert_array_equal(out.asnumpy().ravel(), [0.5, 2.5, 4.0])
    out = nd.Pooling(x, kernel=(4,), stride=(3,), pooling_convention="same", pool_type="avg")
    np.testing.assert_array_equal(out.asnumpy().ravel(), [1.5, 3.5])


def test_pooling_output_sizes_follow_mxnet_conventions():
    # (size, kernel, stride, pad) -> (valid, full) output sizes from MXNet 1.9.1
    cases = {(5, 2, 2, 1): (3, 4), (5, 3, 2, 1): (3, 3), (6, 3, 2, 0): (2, 3), (7, 3, 3, 1): (3, 3),
             (5, 2, 2, 0): (2, 3), (4, 3, 2, 1): (2, 3), (5, 3, 3, 2): (3, 3)}
    for (size, k, s, p), expected in cases.items():
        x = nd.ones((1, 1, size, size))
        for convention, n in zip(("valid", "full"), expected):
            out = nd.Pooling(x, kernel=(k, k), stride=(s, s), pad=(p, p), pooling_convention=convention)
            assert out.shape == (1, 1, n, n), (size, k, s, p, convention)


def test_pooling_rejects_bad_geometry():
    x = nd.ones((1, 1, 4, 4))
    with pytest.raises(MXNetError, match="pad"):
        nd.Pooling(x, kernel=(2, 2), pad=(2, 2))
    with pytest.raises(MXNetError, match="kernel"):
        nd.Pooling(x, kernel=(2,))
    with pytest.raises(MXNetError, match="p_value"):
        nd.Pooling(x, kernel=(2, 2), pool_type="lp")
    with pytest.raises(MXNetError, match="same"):
        nd.Pooling(x, kernel=(2, 2), pad=(1, 1), pooling_convention="same")


def test_deconvolution_target_shape_chooses_pad_and_adj():
    # MXNet 1.9.1 (its native path; oneDNN rejects these): ones 3x3 input, ones 4x4 kernel, stride 2
    expected = np.array([[1, 2, 2, 2, 2, 1, 1]] + [[2, 4, 4, 4, 4, 2, 2]] * 4 + [[1, 2, 2, 2, 2, 1, 1]] * 2)
    w = nd.ones((1, 1, 4, 4))
    out = nd.Deconvolution(nd.ones((1, 1, 3, 3)), w, kernel=(4, 4), stride=(2, 2), target_shape=(7, 7),
                           num_filter=1)
    np.testing.assert_array_equal(out.asnumpy()[0, 0], expected)
    data = nd.array(np.random.RandomState(0).randn(2, 1, 3, 4))
    by_target = nd.Deconvolution(data, w, kernel=(4, 4), stride=(2, 2), target_shape=(6, 9),
                                 num_filter=1)
    by_pad = nd.Deconvolution(data, w, kernel=(4, 4), stride=(2, 2), pad=(1, 1), adj=(0, 1),
                              num_filter=1)
    assert by_target.shape == (2, 1, 6, 9)
    np.testing.assert_allclose(by_target.asnumpy(), by_pad.asnumpy(), rtol=1e-6)


def test_deconvolution_checks_adj_and_target():
    x, w = nd.ones((1, 1, 4, 4)), nd.ones((1, 1, 3, 3))
    with pytest.raises(MXNetError, match="adj"):
        nd.Deconvolution(x, w, kernel=(3, 3), stride=(2, 2), adj=(2, 2), num_filter=1)
    with pytest.raises(MXNetError, match="target_shape"):
        nd.Deconvolution(x, w, kernel=(3, 3), target_shape=(8, 8), num_filter=1)


def test_convolution_checks_weight_and_attribute_lengths():
    x = nd.ones((1, 1, 4, 4))
    with pytest.raises(MXNetError, match="weight"):
        nd.Convolution(x, nd.ones((1, 2, 2, 2)), kernel=(2, 2), num_filter=1, no_bias=True)
    with pytest.raises(MXNetError, match="stride"):
        nd.Convolution(x, nd.ones((1, 1, 2, 2)), kernel=(2, 2), stride=(2,), num_filter=1, no_bias=True)
    with pytest.raises(MXNetError, match="layout"):
        nd.Convolution(x, nd.ones((1, 1, 2, 2)), kernel=(2, 2), num_filter=1, no_bias=True, layout="NHWC")


# -- BatchNorm moving statistics ---------------------------------------------------------------------
def _bn_inputs():
    rng = np.random.RandomState(0)
    x = nd.array(rng.randn(4, 3, 2, 2))
    return x, nd.array([0.5, 2.0, 3.0]), nd.array([0.1, 0.2, 0.3]), nd.zeros(3), nd.ones(3)


def test_batchnorm_training_updates_moving_stats_with_biased_variance():
    x, gamma, beta, mean, var = _bn_inputs()
    with autograd.train_mode():
        nd.BatchNorm(x, gamma, beta, mean, var, momentum=0.75)
    data = x.asnumpy()
    np.testing.assert_allclose(mean.asnumpy(), 0.25 * data.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(var.asnumpy(), 0.75 + 0.25 * data.var(axis=(0, 2, 3)), rtol=1e-5)


@pytest.mark.parametrize("mode", ["predict", "global_stats"])
def test_batchnorm_leaves_moving_stats_alone_without_batch_statistics(mode):
    x, gamma, beta, mean, var = _bn_inputs()
    with autograd.record(train_mode=mode != "predict"):
        nd.BatchNorm(x, gamma, beta, mean, var, use_global_stats=mode == "global_stats")
    np.testing.assert_array_equal(mean.asnumpy(), 0)
    np.testing.assert_array_equal(var.asnumpy(), 1)


def test_batchnorm_fix_gamma_sets_gamma_to_one_with_zero_gradient():
    x, gamma, beta, mean, var = _bn_inputs()
    gamma.attach_grad()
    with autograd.record():
        y = nd.BatchNorm(x, gamma, beta, mean, var)
    y.backward()
    np.testing.assert_array_equal(gamma.asnumpy(), 1)
    np.testing.assert_array_equal(gamma.grad.asnumpy(), 0)


# -- output layers -----------------------------------------------------------------------------------
def test_blockgrad_alone_gives_a_zero_gradient():
    x = nd.ones((2, 3))
    x.attach_grad()
    with autograd.record():
        y = nd.BlockGrad(x * 2)
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), 0)
    np.testing.assert_array_equal(y.asnumpy(), 2)


def test_softmax_output_gradient_ignores_what_follows():
    x = nd.array(np.random.RandomState(0).randn(3, 4))
    label = nd.array([0, 1, 3])
    x.attach_grad()
    with autograd.record():
        y = nd.SoftmaxOutput(x, label) * 5
    y.backward()
    expected = y.asnumpy() / 5 - np.eye(4)[[0, 1, 3]]
    np.testing.assert_allclose(x.grad.asnumpy(), expected, rtol=1e-5, atol=1e-6)


def test_softmax_length_must_be_integer():
    with pytest.raises(MXNetError, match="integer"):
        nd.softmax(nd.ones((2, 3)), nd.array([1, 2]), use_length=True)


# -- shape rules (values from MXNet 1.9.1's infer_shape) ----------------------------------------------
@pytest.mark.parametrize("name, in_shapes, attrs, expected_in, expected_out", [
    ("FullyConnected", [(2, 4, 5), None, None], {"num_hidden": 3, "flatten": False},
     [(2, 4, 5), (3, 5), (3,)], [(2, 4, 3)]),
    ("FullyConnected", [(2, 4, 5), None], {"num_hidden": 3, "no_bias": True},
     [(2, 4, 5), (3, 20)], [(2, 3)]),
    ("Convolution", [(2, 4, 7, 7), None, None], {"kernel": (3, 3), "num_filter": 6, "num_group": 2,
                                                 "stride": (2, 2)},
     [(2, 4, 7, 7), (6, 2, 3, 3), (6,)], [(2, 6, 3, 3)]),
    ("Deconvolution", [(2, 4, 5, 5), None], {"kernel": (3, 3), "num_filter": 6, "num_group": 2},
     [(2, 4, 5, 5), (4, 3, 3, 3)], [(2, 6, 7, 7)]),
    ("BatchNorm", [(2, 3, 4, 4), None, None, None, None], {},
     [(2, 3, 4, 4)] + [(3,)] * 4, [(2, 3, 4, 4)]),
    ("BatchNorm", [(2, 5, 3), None, None, None, None], {"axis": -1, "output_mean_var": True},
     [(2, 5, 3)] + [(3,)] * 4, [(2, 5, 3), (3,), (3,)]),
    ("LayerNorm", [(2, 4, 3, 3), None, None], {"output_mean_var": True},
     [(2, 4, 3, 3), (3,), (3,)], [(2, 4, 3, 3), (2, 4, 3, 1), (2, 4, 3, 1)]),
    ("LayerNorm", [(2, 4, 3, 3), None, None], {"axis": 1}, [(2, 4, 3, 3), (4,), (4,)], [(2, 4, 3, 3)]),
    ("InstanceNorm", [(2, 4, 3, 3), None, None], {}, [(2, 4, 3, 3), (4,), (4,)], [(2, 4, 3, 3)]),
    ("GroupNorm", [(2, 4, 3, 3), None, None], {"num_groups": 2, "output_mean_var": True},
     [(2, 4, 3, 3), (2,), (2,)], [(2, 4, 3, 3), (2, 2), (2, 2)]),
    ("Embedding", [(2, 3), None], {"input_dim": 10, "output_dim": 4}, [(2, 3), (10, 4)], [(2, 3, 4)]),
    ("LeakyReLU", [(2, 3, 4, 4), None], {"act_type": "prelu"}, [(2, 3, 4, 4), (3,)], [(2, 3, 4, 4)]),
    ("SoftmaxOutput", [(2, 4), None], {}, [(2, 4), (2,)], [(2, 4)]),
    ("SoftmaxOutput", [(2, 3, 5), None], {}, [(2, 3, 5), (2, 3)], [(2, 3, 5)]),
    ("SoftmaxOutput", [(2, 4, 3, 5), None], {"multi_output": True}, [(2, 4, 3, 5), (2, 15)],
     [(2, 4, 3, 5)]),
    ("SoftmaxOutput", [(2, 4, 3, 5), None], {"preserve_shape": True}, [(2, 4, 3, 5), (2, 4, 3)],
     [(2, 4, 3, 5)]),
    ("LinearRegressionOutput", [(2, 1), None], {}, [(2, 1), (2,)], [(2, 1)]),
    ("LogisticRegressionOutput", [(2, 4), None], {}, [(2, 4), (2, 4)], [(2, 4)]),
    ("MAERegressionOutput", [(2, 3, 5), None], {}, [(2, 3, 5), (2, 3, 5)], [(2, 3, 5)]),
    ("UpSampling", [(2, 4, 5, 5), None], {"scale": 2, "sample_type": "bilinear", "num_filter": 4,
                                          "num_args": 2},
     [(2, 4, 5, 5), (4, 1, 4, 4)], [(2, 4, 10, 10)]),
    ("UpSampling", [(2, 4, 6, 6), (2, 3, 3, 3)], {"scale": 2, "sample_type": "nearest", "num_args": 2},
     [(2, 4, 6, 6), (2, 3, 3, 3)], [(2, 7, 12, 12)]),
    ("softmax_cross_entropy", [(2, 4), None], {}, [(2, 4), (2,)], [(1,)]),
])
def test_shape_rule_matches_mxnet(name, in_shapes, attrs, expected_in, expected_out):
    ins, outs = _infer(name, in_shapes, **attrs)
    assert [tuple(s) for s in ins] == expected_in
    assert [tuple(s) for s in outs] == expected_out


def test_shape_rule_keeps_unknown_data_unknown_and_fills_partial_weights():
    ins, outs = _infer("Convolution", [None, None, None], kernel=(3, 3), num_filter=2)
    assert outs == [None] and ins[2] == (2,)
    ins, _ = _infer("FullyConnected", [(4, 6), (3, 0), None], num_hidden=3)
    assert ins[1] == (3, 6)
    # Gluon asks with the spatial dimensions unknown (0)
    ins, outs = _infer("Deconvolution", [(1, 4, 0, 0), None], kernel=(3, 3), num_filter=2,
                       target_shape=(9, 9))
    assert ins[1] == (4, 2, 3, 3) and outs == [(1, 2, 0, 0)]
    ins, outs = _infer("Convolution", [(1, 4, 0, 0), None, None], kernel=(3, 3), num_filter=2)
    assert ins[1] == (2, 4, 3, 3) and outs == [(1, 2, 0, 0)]


def test_shape_rule_rejects_inconsistent_weights():
    with pytest.raises(MXNetError, match="weight"):
        _infer("Convolution", [(2, 4, 7, 7), (6, 3, 3, 3), None], kernel=(3, 3), num_filter=6)
    with pytest.raises(MXNetError, match="label"):
        _infer("SoftmaxOutput", [(2, 4, 3, 5), (2, 7)], multi_output=True)


def test_shape_inference_through_meta_tensors_for_ops_without_a_rule():
    _, outs = _infer("Pooling", [(2, 3, 5, 5)], kernel=(2, 2), stride=(2, 2), pad=(1, 1),
                     pooling_convention="full")
    assert outs == [(2, 3, 4, 4)]


# -- Convolution as a matrix product (small compiled predictions on the CPU) --------------------------
@pytest.mark.parametrize("kernel, stride, pad, dilate, bias", [
    ((5, 5), (1, 1), (0, 0), (1, 1), True), ((3, 3), (2, 2), (1, 1), (1, 1), False),
    ((3, 2), (1, 2), (2, 0), (2, 1), True), ((1, 1), (1, 1), (0, 0), (1, 1), True)])
def test_convolution_as_matmul_equals_torch_convolution(kernel, stride, pad, dilate, bias):
    import torch
    import torch.nn.functional as F

    from mxtorch.ops import nn as nn_ops
    rs = np.random.RandomState(0)
    data = torch.tensor(rs.randn(2, 3, 11, 9), dtype=torch.float32)
    weight = torch.tensor(rs.randn(4, 3, *kernel), dtype=torch.float32)
    b = torch.tensor(rs.randn(4), dtype=torch.float32) if bias else None
    attrs = get_op("Convolution").parse_attrs({"kernel": kernel, "stride": stride, "pad": pad,
                                               "dilate": dilate, "num_filter": 4})
    geometry = nn_ops._ConvGeometry("Convolution", data.shape, attrs)
    got = nn_ops._conv2d_as_matmul(data, weight, b, geometry)
    expected = F.conv2d(data, weight, b, stride, pad, dilate)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


def test_convolution_takes_the_matmul_form_only_for_small_compiled_predictions():
    import torch

    from mxtorch.ops import nn as nn_ops
    attrs = get_op("Convolution").parse_attrs({"kernel": (5, 5), "num_filter": 20})
    small, weight = torch.zeros(1, 1, 28, 28), torch.zeros(20, 1, 5, 5)
    geometry = nn_ops._ConvGeometry("Convolution", small.shape, attrs)

    def chosen(data, grad=False, compiling=True, groups=1):
        real = torch.compiler.is_compiling
        torch.compiler.is_compiling = lambda: compiling
        try:
            with torch.set_grad_enabled(grad):
                return nn_ops._small_compiled_inference(data, weight, geometry, groups)
        finally:
            torch.compiler.is_compiling = real
    assert chosen(small)
    assert not chosen(small, grad=True)          # training keeps oneDNN's convolution and backward
    assert not chosen(small, compiling=False)    # the eager path is torch's own convolution
    assert not chosen(small, groups=2)
    assert not chosen(torch.zeros(64, 1, 28, 28))   # 64 x 24 x 24 positions: oneDNN's size
