"""The executor: bind/simple_bind, forward/backward against MXNet 1.9.1 goldens, grad_req,
reshape, copy_params_from, and the lowering done once."""
import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conftest import GOLDEN

GOLD = GOLDEN / "symbol"

EXEC_NET = """
data = mx.sym.Variable('data')
c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, pad=(1, 1), name='conv')
bn = mx.sym.BatchNorm(c, fix_gamma=False, name='bn')
a = mx.sym.Activation(bn, act_type='relu', name='relu')
p = mx.sym.Pooling(a, kernel=(2, 2), stride=(2, 2), pool_type='max', name='pool')
f = mx.sym.FullyConnected(mx.sym.Flatten(p), num_hidden=3, name='fc')
out = mx.sym.SoftmaxOutput(f, name='softmax')
"""


def build(code: str):
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(code, scope)  # noqa: S102 - trusted test programs
    return scope["out"]


def test_forward_backward_matches_mxnet():
    g = np.load(GOLD / "executor_net.npz")
    ex = build(EXEC_NET).simple_bind(mx.cpu(), data=(4, 1, 6, 6), softmax_label=(4,))
    for name, arr in ex.arg_dict.items():
        arr[:] = g[f"arg_{name}"]
    for name, arr in ex.aux_dict.items():
        arr[:] = g[f"aux_{name}"]
    out = ex.forward(is_train=True)[0].asnumpy()
    np.testing.assert_allclose(out, g["train_out"], rtol=1e-5, atol=1e-6)
    ex.backward()
    for name, grad in ex.grad_dict.items():
        if f"grad_{name}" in g:
            np.testing.assert_allclose(grad.asnumpy(), g[f"grad_{name}"], rtol=1e-4, atol=1e-5,
                                       err_msg=name)
    for name, arr in ex.aux_dict.items():
        np.testing.assert_allclose(arr.asnumpy(), g[f"aux_after_{name}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ex.forward(is_train=False)[0].asnumpy(), g["predict_out"],
                               rtol=1e-5, atol=1e-6)


def test_head_gradients_and_grad_req_add_match_mxnet():
    g = np.load(GOLD / "executor_plain.npz")
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    sym = mx.sym.Group([2 * a + b * a, mx.sym.sum(mx.sym.exp(a) / b, axis=1)])
    ex = sym.bind(mx.cpu(), {"a": mx.nd.array(g["a"]), "b": mx.nd.array(g["b"])},
                  args_grad={"a": mx.nd.ones((2, 3)), "b": mx.nd.ones((2, 3))},
                  grad_req={"a": "add", "b": "write"})
    outs = ex.forward(is_train=True)
    np.testing.assert_allclose(outs[0].asnumpy(), g["out0"], rtol=1e-6)
    np.testing.assert_allclose(outs[1].asnumpy(), g["out1"], rtol=1e-6)
    ex.backward([mx.nd.array(g["head0"]), mx.nd.array(g["head1"])])
    np.testing.assert_allclose(ex.grad_dict["a"].asnumpy(), g["grad_a"], rtol=1e-5)
    np.testing.assert_allclose(ex.grad_dict["b"].asnumpy(), g["grad_b"], rtol=1e-5)


def test_talk_convolution_example_through_symbol():
    image = np.array([[12, 31, 12, 167, 255], [45, 54, 67, 254, 254], [0, 25, 238, 254, 254],
                      [10, 196, 254, 254, 251], [127, 254, 254, 238, 98]], np.float32)
    kernel = np.array([[1, 0, -1], [1, 1, 0], [-1, 0, 1]], np.float32)
    conv = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                              num_filter=1, no_bias=True, name="conv")
    out = conv.eval(data=mx.nd.array(image.reshape(1, 1, 5, 5)),
                    conv_weight=mx.nd.array(kernel.reshape(1, 1, 3, 3)))[0].asnumpy()
    assert out[0, 0, 0, 1] == 243 and out[0, 0, 1, 0] == 142
    pooled = mx.sym.Pooling(mx.sym.Variable("x"), kernel=(2, 2), stride=(2, 2), pool_type="max")
    assert pooled.eval(x=mx.nd.ones((1, 3, 4, 6)))[0].shape == (1, 3, 2, 3)


def test_simple_bind_allocates_as_mxnet():
    x = mx.sym.Variable("x")
    y = mx.sym.FullyConnected(x, num_hidden=4, name="fc")
    ex = y.simple_bind(mx.cpu(), x=(5, 3))
    assert [a.shape for a in ex.arg_arrays] == [(5, 3), (4, 3), (4,)]
    assert [g.shape for g in ex.grad_arrays] == [(5, 3), (4, 3), (4,)]
    assert ex.outputs[0].shape == (5, 4) and not ex.outputs[0].asnumpy().any()
    assert y.simple_bind(mx.cpu(), x=(5, 3), grad_req="null").grad_arrays == [None, None, None]
    part = y.simple_bind(mx.cpu(), x=(5, 3), grad_req={"fc_weight": "write"})
    assert part.grad_dict["x"] is None and part.grad_dict["fc_weight"].shape == (4, 3)
    typed = y.simple_bind(mx.cpu(), x=(5, 3), type_dict={"x": "float64"})
    assert typed.arg_dict["fc_weight"].dtype == np.float64


def test_simple_bind_reports_unknown_shapes():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=4, name="fc")
    with pytest.raises(MXNetError, match="x: ()"):
        y.simple_bind(mx.cpu())


def test_simple_bind_shares_arrays():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=4, name="fc")
    first = y.simple_bind(mx.cpu(), x=(5, 3))
    buffer = {}
    second = y.simple_bind(mx.cpu(), x=(2, 3), shared_exec=first,
                           shared_arg_names=["fc_weight", "fc_bias"], shared_buffer=buffer)
    assert second.arg_dict["fc_weight"] is first.arg_dict["fc_weight"]
    assert second.grad_dict["fc_bias"] is first.grad_dict["fc_bias"]
    assert buffer["x"] is second.arg_dict["x"]


def test_bind_validates_arguments():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    c = a + b
    with pytest.raises(ValueError, match="key `b` is missing in `args`"):
        c.bind(mx.cpu(), {"a": mx.nd.ones(2)})
    with pytest.raises(ValueError, match="Length of args"):
        c.bind(mx.cpu(), [mx.nd.ones(2)])
    with pytest.raises(ValueError, match="grad_req must be in"):
        c.bind(mx.cpu(), [mx.nd.ones(2), mx.nd.ones(2)], grad_req="sometimes")
    ex = c.bind(mx.cpu(), [mx.nd.ones(2), mx.nd.ones(2)])
    with pytest.raises(ValueError, match="Shape not match"):
        ex.forward(a=mx.nd.ones(3))
    with pytest.raises(TypeError, match="Unknown argument z"):
        ex.forward(z=mx.nd.ones(2))


def test_forward_takes_inputs_and_backward_needs_train_forward():
    a = mx.sym.Variable("a")
    ex = (a * 3).bind(mx.cpu(), {"a": mx.nd.ones(2)}, args_grad={"a": mx.nd.zeros(2)})
    assert ex.forward(a=np.array([1.0, 2.0], np.float32))[0].asnumpy().tolist() == [3, 6]
    with pytest.raises(MXNetError, match="forward\\(is_train=True\\)"):
        ex.backward(mx.nd.ones(2))
    ex.forward(is_train=True)
    ex.backward(mx.nd.ones(2))
    assert ex.grad_dict["a"].asnumpy().tolist() == [3, 3]
    with pytest.raises(MXNetError, match="one backward per forward"):
        ex.backward(mx.nd.ones(2))  # MXNet computes garbage here; the graph is freed instead


def test_copy_params_from():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=2, name="fc")
    ex = y.simple_bind(mx.cpu(), x=(1, 2))
    ex.copy_params_from({"fc_weight": mx.nd.ones((2, 2), dtype="float64")})
    assert ex.arg_dict["fc_weight"].asnumpy().tolist() == [[1, 1], [1, 1]]
    assert ex.arg_dict["fc_weight"].dtype == np.float32
    with pytest.raises(ValueError, match='Find name "other"'):
        ex.copy_params_from({"other": mx.nd.ones(1)})
    ex.copy_params_from({"other": mx.nd.ones(1)}, allow_extra_params=True)


def test_reshape_shares_parameters():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=2, name="fc")
    ex = y.simple_bind(mx.cpu(), x=(4, 3))
    small = ex.reshape(x=(2, 3))
    assert small.arg_dict["fc_weight"] is ex.arg_dict["fc_weight"]
    assert small.arg_dict["x"].shape == (2, 3) and small.outputs[0].shape == (2, 2)
    with pytest.raises(MXNetError, match="larger than original"):
        ex.reshape(x=(8, 3))
    assert ex.reshape(allow_up_sizing=True, x=(8, 3)).arg_dict["x"].shape == (8, 3)
    with pytest.raises(MXNetError, match="Shape of unspecified array arg:fc_weight changed"):
        ex.reshape(allow_up_sizing=True, x=(4, 5))
    assert ex.reshape(partial_shaping=True, allow_up_sizing=True,
                      x=(4, 5)).arg_dict["fc_weight"].shape == (2, 5)


def test_graph_is_lowered_once():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=2, name="fc")
    first = y.simple_bind(mx.cpu(), x=(4, 3))
    second = y.simple_bind(mx.cpu(), x=(1, 3))
    assert first._program is second._program is y._program
    assert first.reshape(x=(2, 3))._program is first._program


def test_dropout_follows_is_train():
    d = mx.sym.Dropout(mx.sym.Variable("x"), p=0.5)
    ex = d.simple_bind(mx.cpu(), x=(100, 100), grad_req="null")
    ex.arg_dict["x"][:] = 1
    assert (ex.forward(is_train=False)[0].asnumpy() == 1).all()
    train = ex.forward(is_train=True)[0].asnumpy()
    assert set(np.unique(train)) <= {0.0, 2.0} and 0.3 < (train == 0).mean() < 0.7


def test_outputs_do_not_alias_bound_arrays():
    x = mx.sym.Variable("x")
    ex = mx.sym.Group([x, mx.sym.Flatten(x)]).bind(mx.cpu(), {"x": mx.nd.ones((2, 1, 2))})
    same, flat = ex.forward()
    ex.arg_dict["x"][:] = 5
    assert same.asnumpy().max() == 1 and flat.asnumpy().max() == 1


def test_operator_failure_in_the_graph_is_an_mxnet_error_naming_the_node(tmp_path):
    # a parameter file with an int32 moving variance (SymbolBlock.imports keeps the saved dtype, as
    # MXNet's does): torch refuses inside the graph, and the error says which node, as eagerly
    data = mx.sym.Variable("data")
    net = mx.sym.BatchNorm(mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, name="conv"), name="bn")
    net.save(str(tmp_path / "net-symbol.json"))
    params = {"arg:conv_weight": mx.nd.ones((4, 1, 3, 3)), "arg:conv_bias": mx.nd.zeros((4,)),
              "arg:bn_gamma": mx.nd.ones((4,)), "arg:bn_beta": mx.nd.zeros((4,)),
              "aux:bn_moving_mean": mx.nd.zeros((4,)), "aux:bn_moving_var": mx.nd.ones((4,), dtype="int32")}
    mx.nd.save(str(tmp_path / "net-0000.params"), params)
    block = mx.gluon.SymbolBlock.imports(str(tmp_path / "net-symbol.json"), ["data"],
                                         str(tmp_path / "net-0000.params"))
    with pytest.raises(mx.MXNetError, match=r"BatchNorm \(node 'bn'\): .*'int32'"):
        block(mx.nd.ones((1, 1, 5, 5)))
