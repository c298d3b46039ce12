"""gluon.Parameter, Constant and ParameterDict."""
import warnings

import numpy as np
import pytest

import mxtorch as mx
from mxtorch import autograd, gluon, nd
from mxtorch.gluon import Constant, Parameter, ParameterDict


def _init(p, **kwargs):
    p.initialize(ctx=mx.cpu(), **kwargs)
    return p


def test_repr_shape_dtype_defaults():
    p = Parameter("fc_weight", shape=5)
    assert p.shape == (5,) and p.dtype is np.float32 and p.grad_req == "write"
    assert (p.lr_mult, p.wd_mult) == (1.0, 1.0)
    assert repr(p) == "Parameter fc_weight (shape=(5,), dtype=<class 'numpy.float32'>)"


def test_initialize_data_grad_and_default_initializer():
    p = _init(Parameter("w", shape=(30, 40)))
    data = p.data().asnumpy()
    # the default initializer is Uniform(0.07)
    assert np.abs(data).max() <= 0.07 and data.std() > 0.03
    assert p.grad().asnumpy().sum() == 0 and p.grad().shape == (30, 40)
    assert p.list_data()[0] is p.data() and p.list_grad()[0] is p.grad()
    assert p.list_ctx() == [mx.cpu()]


def test_init_argument_precedence():
    p = Parameter("w", shape=(2, 2), init=mx.init.One())
    p.initialize(default_init=mx.init.Zero())
    assert (p.data().asnumpy() == 1).all()
    p.initialize(init=mx.init.Constant(4), force_reinit=True)
    assert (p.data().asnumpy() == 4).all()
    q = Parameter("q", shape=(2,), init="zeros")  # names are created through mx.init.create
    q.initialize(init=None, default_init=mx.init.One())
    assert (q.data().asnumpy() == 0).all()


def test_reinitialize_warns_unless_forced():
    p = _init(Parameter("w", shape=(2,), init=mx.init.One()))
    with pytest.warns(UserWarning, match="already initialized"):
        p.initialize(init=mx.init.Zero())
    assert (p.data().asnumpy() == 1).all()


def test_backward_writes_param_grad():
    p = _init(Parameter("w", shape=(3,), init=mx.init.Constant(2.0)))
    x = nd.array([1.0, 2.0, 3.0])
    with autograd.record():
        y = (p.data() * x).sum()
    y.backward()
    assert p.grad().asnumpy().tolist() == [1.0, 2.0, 3.0]
    with autograd.record():
        y = (p.data() * p.data()).sum()
    y.backward()  # 'write' replaces the previous gradient
    assert p.grad().asnumpy().tolist() == [4.0, 4.0, 4.0]


def test_grad_req_add_accumulates_and_zero_grad():
    p = _init(Parameter("w", shape=(2,), grad_req="add", init=mx.init.One()))
    for _ in range(3):
        with autograd.record():
            y = (p.data() * 2).sum()
        y.backward()
    assert p.grad().asnumpy().tolist() == [6.0, 6.0]
    p.zero_grad()
    assert p.grad().asnumpy().tolist() == [0.0, 0.0]


def test_grad_req_null_and_back():
    p = _init(Parameter("w", shape=(2,), init=mx.init.One()))
    p.grad_req = "null"
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        p.grad()
    assert not p.data()._t.requires_grad
    p.zero_grad()  # no-op
    p.grad_req = "write"
    assert p.grad().shape == (2,) and p.data()._t.requires_grad
    with pytest.raises(ValueError, match="grad_req must be one of"):
        p.grad_req = "sometimes"


def test_not_differentiable_forces_null():
    p = Parameter("running_mean", shape=(2,), differentiable=False)
    assert p.grad_req == "null"
    p.grad_req = "write"
    assert p.grad_req == "null"


def test_uninitialized_errors_name_the_parameter():
    p = Parameter("fc1_weight", shape=(2, 2))
    with pytest.raises(RuntimeError, match="Parameter 'fc1_weight' has not been initialized. Note"):
        p.data()
    with pytest.raises(RuntimeError, match="Parameter 'fc1_weight' has not been initialized"):
        p.list_ctx()
    with pytest.raises(ValueError, match="Cannot reset context for Parameter 'fc1_weight'"):
        p.reset_ctx(mx.cpu())


def test_unknown_shape_needs_deferred_init():
    p = Parameter("w", shape=(3, 0))
    with pytest.raises(ValueError, match=r"Parameter 'w' because it has invalid shape: \(3, 0\)"):
        p.initialize()
    d = Parameter("w", shape=(3, 0), allow_deferred_init=True)
    d.initialize(init=mx.init.One())
    assert d.list_ctx() == [mx.cpu()] and d._deferred_init
    with pytest.raises(gluon.DeferredInitializationError, match="Parameter 'w' has not been "
                                                                "initialized yet because"):
        d.data()


def test_set_data_before_and_after_init():
    p = Parameter("w", shape=(2, 0), allow_deferred_init=True)
    p.initialize(init=mx.init.Zero())
    p.set_data(nd.array([[1.0, 2.0], [3.0, 4.0]]))  # completes the shape, kept for later
    assert p.shape == (2, 2)
    p._finish_deferred_init()
    assert p.data().asnumpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    p.set_data(nd.array([[0.0, 1.0], [1.0, 0.0]]))
    assert p.data().asnumpy().tolist() == [[0.0, 1.0], [1.0, 0.0]]
    with pytest.raises(AssertionError, match=r"incompatible"):
        p.set_data(nd.ones((3, 2)))


def test_set_data_inside_record_does_not_touch_the_graph():
    p = _init(Parameter("w", shape=(2,), init=mx.init.One()))
    with autograd.record():
        p.set_data(nd.array([5.0, 6.0]))
        y = (p.data() * 2).sum()
    y.backward()
    assert p.data().asnumpy().tolist() == [5.0, 6.0] and p.grad().asnumpy().tolist() == [2, 2]


def test_cast_and_dtype_setter():
    p = _init(Parameter("w", shape=(2,), init=mx.init.One()))
    p.cast("float16")
    assert p.data().dtype == np.float16 and p.grad().dtype == np.float16
    p.dtype = "float64"
    assert p.data().dtype == np.float64 and p.dtype == "float64"


def test_reset_ctx_keeps_values():
    p = _init(Parameter("w", shape=(3,), init=mx.init.Constant(1.5)))
    p.reset_ctx(mx.cpu(0))
    assert p.data().asnumpy().tolist() == [1.5] * 3 and p.grad().shape == (3,)


def test_data_on_unknown_context_errors():
    p = _init(Parameter("w", shape=(1,)))
    with pytest.raises(RuntimeError, match=r"Parameter 'w' was not initialized on context gpu\(0\)"):
        p.data(mx.gpu(0))


def test_var_is_a_symbol_variable():
    v = Parameter("w", shape=(2, 3), lr_mult=2.0).var()
    assert v.name == "w" and v.list_attr()["__shape__"] == "(2, 3)"


def test_constant():
    c = Constant("const", [[1, 2], [3, 4]])
    assert c.grad_req == "null" and c.shape == (2, 2)
    with pytest.warns(UserWarning, match="does not support grad_req"):
        c.grad_req = "write"
    c.initialize()
    assert c.data().asnumpy().tolist() == [[1, 2], [3, 4]]
    assert repr(c) == "Constant const (shape=(2, 2), dtype=<class 'numpy.float32'>)"


# -- ParameterDict ---------------------------------------------------------------------------------
def test_parameter_dict_get_creates_retrieves_and_merges_shapes():
    pd = ParameterDict("net_")
    w = pd.get("weight", shape=(3, 0))
    assert w.name == "net_weight" and pd.get("weight") is w
    assert pd.get("weight", shape=(3, 5)) is w and w.shape == (3, 5)
    with pytest.raises(AssertionError, match="desired 'float64' vs stored"):
        pd.get("weight", dtype="float64")
    with pytest.raises(AssertionError, match="attribute 'shape'"):
        pd.get("weight", shape=(4, 5))
    assert list(pd.keys()) == ["net_weight"] and "net_weight" in pd and len(pd) == 1


def test_parameter_dict_shared_and_update():
    shared = ParameterDict("a_")
    w = shared.get("w", shape=(1,))
    pd = ParameterDict("a_", shared=shared)
    assert pd.get("w") is w
    other = ParameterDict("b_")
    other.get("v", shape=(2,))
    pd.update(other)
    assert list(pd.keys()) == ["a_w", "b_v"]
    clash = ParameterDict("a_")
    clash.get("w", shape=(1,))
    with pytest.raises(AssertionError, match="different Parameters with the same name 'a_w'"):
        pd.update(clash)


def test_parameter_dict_constant():
    pd = ParameterDict("p_")
    c = pd.get_constant("c", [1.0, 2.0])
    assert pd.get_constant("c") is c and pd.get_constant("c", [1.0, 2.0]) is c
    with pytest.raises(KeyError, match="No constant named 'p_d'"):
        pd.get_constant("d")
    with pytest.raises(AssertionError, match="doesn't match"):
        pd.get_constant("c", [1.0, 3.0])


def test_parameter_dict_initialize_setattr_zero_grad():
    pd = ParameterDict("m_")
    pd.get("weight", shape=(2, 2))
    pd.get("bias", shape=(2,), init="zeros")
    pd.get("gamma", shape=(2,))
    # as in MXNet, Gluon applies the global initializer's _init_weight whatever the name
    with pytest.raises(ValueError, match="Xavier initializer cannot be applied to vector m_gamma"):
        pd.initialize(mx.init.Xavier())
    pd.initialize(mx.init.Constant(3.0), force_reinit=True)
    assert (pd["m_bias"].data().asnumpy() == 0).all()
    assert (pd["m_gamma"].data().asnumpy() == 3).all()
    pd.setattr("lr_mult", 0.5)
    assert all(p.lr_mult == 0.5 for p in pd.values())
    for p in pd.values():
        p.grad()[:] = 3
    pd.zero_grad()
    assert all((p.grad().asnumpy() == 0).all() for p in pd.values())
    pd.setattr("grad_req", "null")
    pd.zero_grad()
    assert pd.list_ctx() == [mx.cpu()]


def test_parameter_dict_repr():
    pd = ParameterDict("net_")
    pd.get("w", shape=(1,))
    assert repr(pd) == "net_ (\n  Parameter net_w (shape=(1,), dtype=<class 'numpy.float32'>)\n)"


def test_parameter_dict_save_load(tmp_path):
    pd = ParameterDict("net_")
    pd.get("w", shape=(2, 3), init=mx.init.Constant(0.5))
    pd.initialize()
    pd.save(str(tmp_path / "p.params"), strip_prefix="net_")
    assert sorted(nd.load(str(tmp_path / "p.params"))) == ["w"]
    fresh = ParameterDict("net_")
    fresh.get("w", shape=(2, 0), allow_deferred_init=True)
    fresh.load(str(tmp_path / "p.params"), restore_prefix="net_")
    assert fresh["net_w"].shape == (2, 3) and (fresh["net_w"].data().asnumpy() == 0.5).all()
    with pytest.raises(ValueError, match="Prefix 'x_' is to be striped"):
        pd.save(str(tmp_path / "q.params"), strip_prefix="x_")
    with pytest.raises(AssertionError, match="restore_prefix is 'x_'"):
        fresh.load(str(tmp_path / "p.params"), restore_prefix="x_")


def test_load_dict_strips_arg_aux_and_checks_names():
    pd = ParameterDict("")
    pd.get("fc_weight", shape=(2,))
    pd.get("bn_running_mean", shape=(2,), grad_req="null")
    pd.load_dict({"arg:fc_weight": nd.ones((2,)), "aux:bn_running_mean": nd.zeros((2,))})
    assert pd["fc_weight"].data().asnumpy().tolist() == [1, 1]
    with pytest.raises(AssertionError, match="Parameter 'bn_running_mean' is missing in param_dict"):
        pd.load_dict({"fc_weight": nd.ones((2,))})
    with pytest.raises(AssertionError, match="Parameter 'extra' loaded from param_dict is not "
                                             "present"):
        pd.load_dict({"fc_weight": nd.ones((2,)), "bn_running_mean": nd.ones((2,)),
                      "extra": nd.ones((1,))})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.load_dict({"fc_weight": nd.ones((2,)) * 2}, allow_missing=True)
    assert pd["fc_weight"].data().asnumpy().tolist() == [2, 2]


def _small_net():
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(3, in_units=2), gluon.nn.Dense(2, in_units=3))
    return net


@pytest.mark.parametrize("damage, mxnet_type", [
    ("missing", AssertionError), ("extra", ValueError), ("shape", AssertionError),
    ("dtype", AssertionError)])
def test_load_parameters_refusals_are_mxnet_errors_of_mxnets_type(tmp_path, damage, mxnet_type):
    # MXNet raised AssertionError/ValueError here; programs catching those, or MXNetError, both work
    net = _small_net()
    net.initialize()
    saved = {k: v.data() for k, v in net._collect_params_with_prefix().items()}
    if damage == "missing":
        del saved["1.bias"]
    elif damage == "extra":
        saved["2.weight"] = nd.ones((1,))
    elif damage == "shape":
        saved["0.weight"] = nd.ones((4, 2))
    else:
        saved["0.weight"] = saved["0.weight"].astype("float64")
    nd.save(str(tmp_path / "net.params"), saved)
    with pytest.raises(mx.MXNetError) as info:
        _small_net().load_parameters(str(tmp_path / "net.params"))
    assert isinstance(info.value, mxnet_type)


def test_load_parameters_refuses_a_file_without_names(tmp_path):
    nd.save(str(tmp_path / "list.params"), [nd.ones((3, 2))])
    with pytest.raises(mx.MXNetError, match="without names"):
        _small_net().load_parameters(str(tmp_path / "list.params"))


def test_parameter_dict_load_refuses_a_file_without_names(tmp_path):
    nd.save(str(tmp_path / "list.params"), [nd.ones((3, 2))])
    params = _small_net().collect_params()
    with pytest.raises(mx.MXNetError, match="without names") as info:
        params.load(str(tmp_path / "list.params"))
    assert isinstance(info.value, ValueError)


def test_legacy_file_under_another_prefix_is_an_mxnet_assertion_error(tmp_path):
    # names without '.' take the legacy path, where the block's prefix must prefix every name
    net = _small_net()
    nd.save(str(tmp_path / "legacy.params"), {"weight": nd.ones((3, 2))})
    with pytest.raises(mx.MXNetError, match="restore_prefix") as info:
        net.load_parameters(str(tmp_path / "legacy.params"))
    assert isinstance(info.value, AssertionError)
