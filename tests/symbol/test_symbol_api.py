"""Symbol API behaviour beyond the goldens: composition, indexing, attributes, scopes, errors."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError


@pytest.fixture(autouse=True)
def fresh_names():
    with mx.name.NameManager():
        yield


def test_automatic_names_and_implicit_variables():
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), num_filter=2)
    net = mx.sym.BatchNorm(net)
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(net, num_hidden=3))
    assert net.list_arguments() == ["data", "convolution0_weight", "convolution0_bias",
                                    "batchnorm0_gamma", "batchnorm0_beta", "fullyconnected0_weight",
                                    "fullyconnected0_bias", "softmaxoutput0_label"]
    assert net.list_auxiliary_states() == ["batchnorm0_moving_mean", "batchnorm0_moving_var"]
    assert mx.sym.Activation(data, act_type="relu").name == "activation0"
    assert mx.sym.Activation(data, act_type="relu").name == "activation1"


def test_positional_arguments_are_inputs_then_attributes():
    x = mx.sym.Variable("x")
    assert x.reshape((-1,)).attr("shape") == "(-1,)"
    fc = mx.sym.FullyConnected(x, None, None, 5, True, name="fc")
    assert fc.list_arguments() == ["x", "fc_weight"] and fc.attr("num_hidden") == "5"
    with pytest.raises(TypeError, match="takes at most"):
        mx.sym.Flatten(x, 1, 2, 3)


def test_none_input_means_not_given():
    x = mx.sym.Variable("x")
    w = mx.sym.Variable("w")
    fc = mx.sym.FullyConnected(x, w, bias=None, no_bias=True, num_hidden=2, name="fc")
    assert fc.list_arguments() == ["x", "w"]
    with pytest.raises(MXNetError, match=r"unknown or inactive input\(s\) \['bias'\]"):
        mx.sym.FullyConnected(x, w, w, no_bias=True, num_hidden=2)


def test_attribute_errors_name_the_operator():
    x = mx.sym.Variable("x")
    with pytest.raises(MXNetError, match=r"unknown attribute\(s\) \['foo'\].*FullyConnected"):
        mx.sym.FullyConnected(x, num_hidden=3, foo=1)
    with pytest.raises(MXNetError, match="required attribute 'num_hidden'"):
        mx.sym.FullyConnected(x)
    with pytest.raises(MXNetError, match="act_type"):
        mx.sym.Activation(x, act_type="bogus")


def test_hidden_attributes_and_scopes():
    x = mx.sym.Variable("x", lr_mult=2, attr={"mood": "calm"})
    assert x.attr("lr_mult") == "2" and x.attr("__lr_mult__") == "2" and x.attr("mood") == "calm"
    assert x.list_attr() == {"__lr_mult__": "2", "lr_mult": "2", "mood": "calm"}
    with mx.AttrScope(ctx_group="dev1"):
        fc = mx.sym.FullyConnected(x, num_hidden=2, name="fc")
    assert fc.attr_dict()["fc_weight"]["__ctx_group__"] == "dev1"
    with mx.name.Prefix("net_"):
        y = mx.sym.FullyConnected(x, num_hidden=2, name="fc1")
    assert y.list_arguments() == ["x", "net_fc1_weight", "net_fc1_bias"]
    with pytest.raises(ValueError, match="double underscores"):
        mx.sym.Variable("v", foo="bar")
    with pytest.raises(ValueError, match="Attributes need to be string"):
        mx.AttrScope(ctx_group=1)


def test_set_attr_validates_operator_parameters():
    fc = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=3, name="fc")
    fc._set_attr(lr_mult="3", __foo__="bar")
    assert fc.list_attr() == {"__foo__": "bar", "__lr_mult__": "3", "lr_mult": "3",
                              "num_hidden": "3"}
    with pytest.raises(MXNetError, match="unknown attribute"):
        fc._set_attr(bogus="1")
    fc._set_attr(num_hidden="5")
    assert fc.infer_shape(x=(2, 3))[1] == [(2, 5)]
    with pytest.raises(ValueError, match="string values"):
        fc._set_attr(num_hidden=5)


def test_variable_attributes_feed_inference():
    x = mx.sym.Variable("x", shape=(2, 3), dtype="float16")
    y = mx.sym.FullyConnected(x, num_hidden=4, name="fc")
    assert y.infer_shape() == ([(2, 3), (4, 3), (4,)], [(2, 4)], [])
    assert y.infer_type()[0] == [np.float16] * 3
    assert y.infer_shape(x=(5, 3))[1] == [(5, 4)]


def test_inconsistent_shapes_name_the_operator():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=4, name="fc1")
    with pytest.raises(MXNetError, match="fc1"):
        y.infer_shape(x=(2, 3), fc1_weight=(1, 3))


def test_inconsistent_types_raise_as_mxnet():
    """MXNet 1.9.1: a float32 weight with float64 data fails type inference, naming the node."""
    w = mx.sym.Variable("w", dtype="float32")
    y = mx.sym.FullyConnected(mx.sym.Variable("data"), weight=w, num_hidden=3, no_bias=True, name="fc")
    with pytest.raises(MXNetError, match="Error in operator fc: Incompatible attr in node fc at "
                                         "1-th input: expected float64, got float32"):
        y.infer_type(data="float64")
    with pytest.raises(MXNetError, match="at 1-th input: expected float64, got float32"):
        (mx.sym.Variable("a") + mx.sym.Variable("b")).infer_type(a="float64", b="float32")


def test_index_inputs_keep_their_own_type():
    out = mx.sym.take(mx.sym.Variable("a"), mx.sym.Variable("i"))
    assert out.infer_type(a="float64", i="int32") == ([np.float64, np.int32], [np.float64], [])


def test_type_rules_declared_on_entries_match_mxnet():
    """MXNet 1.9.1's answers: BatchNorm keeps float32 parameters and statistics for float16 data;
    topk's values and mask keep the data's type, its indices take ``dtype``."""
    bn = mx.sym.BatchNorm(mx.sym.Variable("x"), name="bn")
    f16, f32 = np.float16, np.float32
    assert bn.infer_type(x="float16") == ([f16, f32, f32], [f16], [f32, f32])
    assert bn.infer_type(x="float64") == ([np.float64] * 3, [np.float64], [np.float64] * 2)
    x = mx.sym.Variable("x")
    expected = {"value": [np.float64], "indices": [np.int32], "both": [np.float64, np.int32],
                "mask": [np.float64]}
    for ret_typ, out_types in expected.items():
        topk = mx.sym.topk(x, ret_typ=ret_typ, k=2, dtype="int32")
        assert topk.infer_type(x="float64")[1] == out_types, ret_typ


def test_indexing_grouping_and_iteration():
    x = mx.sym.Variable("x")
    parts = mx.sym.split(x, num_outputs=3, name="sp")
    assert len(parts) == 3 and parts.list_outputs() == ["sp_output0", "sp_output1", "sp_output2"]
    assert parts["sp_output1"].list_outputs() == ["sp_output1"]
    assert parts[1:].list_outputs() == ["sp_output1", "sp_output2"]
    assert [s.name for s in parts] == ["sp", "sp", "sp"]
    assert parts.name == "sp" and repr(parts) == "<Symbol sp>"  # MXNet: all outputs of one node
    assert mx.sym.Group([parts[2], parts[0]]).name == "sp"
    with pytest.raises(ValueError, match="Cannot find output"):
        parts["nope"]
    with pytest.raises(IndexError):
        parts[3]
    g = mx.sym.Group([x, parts[0]])
    assert g.name is None and repr(g) == "<Symbol group [x, sp]>"
    with pytest.raises(MXNetError, match="single-output symbol"):
        mx.sym.Activation(parts, act_type="relu")
    with pytest.raises(TypeError):
        mx.sym.Group([x, 1])


def test_compose_replaces_free_variables():
    data = mx.sym.Variable("data")
    net1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=10)
    net2 = mx.sym.FullyConnected(name="fc3", num_hidden=10)
    composed = net2(fc3_data=net1, name="composed")
    assert composed.name == "composed"
    assert composed.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc3_weight", "fc3_bias"]
    assert net2.list_arguments() == ["fc3_data", "fc3_weight", "fc3_bias"]
    with pytest.raises(MXNetError, match="not found"):
        net2(nope=net1)
    with pytest.raises(TypeError, match="either as positional or keyword"):
        net2(net1, fc3_data=net1)


def test_arithmetic_builds_mxnet_nodes():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    assert (a + b).name == "_plus0" and (a * 2).name == "_mulscalar0"
    assert (2 - a).attr("scalar") == "2" and (-a).attr("scalar") == "-1.0"
    out = ((a + 1) * b - a / b).eval(a=mx.nd.array([1.0, 2.0]), b=mx.nd.array([2.0, 4.0]))[0]
    np.testing.assert_allclose(out.asnumpy(), [3.5, 11.5])
    assert mx.sym.maximum(2, 3) == 3 and mx.sym.pow(2, 3) == 8
    with pytest.raises(TypeError, match="not supported"):
        a + "s"
    with pytest.raises(NotImplementedError):
        bool(a)


def test_variadic_operators_count_their_inputs():
    a, b, c = (mx.sym.Variable(n) for n in "abc")
    cat = mx.sym.Concat(a, b, c, dim=0, name="cat")
    assert cat.attr("num_args") == "3" and cat.list_arguments() == ["a", "b", "c"]
    out = cat.eval(a=mx.nd.ones((1, 2)), b=mx.nd.zeros((1, 2)), c=mx.nd.ones((1, 2)))[0]
    assert out.shape == (3, 2)
    assert mx.sym.add_n(*[a, b]).attr("num_args") == "2"


def test_debug_str_lists_the_graph():
    a = mx.sym.Variable("a")
    s = mx.sym.FullyConnected(2 * a, num_hidden=10, name="fc")
    text = s.debug_str()
    assert "Op:_mul_scalar, Name=_mulscalar0" in text and "\tnum_hidden=10" in text
    assert text.startswith("Symbol Outputs:\n\toutput[0]=fc(0)")


def test_ndarray_only_methods_raise():
    with pytest.raises(NotImplementedError):
        mx.sym.Variable("a").asnumpy()
