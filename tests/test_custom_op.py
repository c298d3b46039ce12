"""mx.operator: Python operators (CustomOp, CustomOpProp, register) through nd.Custom, autograd,
symbols, JSON, bound executors, hybridized blocks and Module, against MXNet 1.9.1's goldens
(``tests/conformance/gen_custom_op.py``) and against the built-in operators they mirror."""
import json

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from tests.conformance import gen_custom_op as cases
from tests.conformance.conftest import GOLDEN

GOLDEN_DIR = GOLDEN / "custom_op"
FACTS = json.loads((GOLDEN_DIR / "symbol.json").read_text())


@pytest.fixture(scope="module")
def calls():
    return cases.define_ops(mx)


def _golden(name):
    return np.load(GOLDEN_DIR / f"{name}.npz")


def _check_case(name, calls):
    ours, golden = cases.CASES[name](mx), _golden(name)
    assert sorted(ours) == sorted(golden.files)
    for key in golden.files:
        np.testing.assert_allclose(ours[key], golden[key], rtol=1e-5, atol=1e-6, err_msg=f"{name}: {key}")
    return ours


def test_softmax_matches_mxnet_and_the_builtin_softmax_output(calls):
    ours = _check_case("softmax", calls)
    a = cases._inputs()
    x, label = mx.nd.array(a["x"]), mx.nd.array(a["label"])
    np.testing.assert_allclose(ours["output"], mx.nd.softmax(x).asnumpy(), rtol=1e-5)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.SoftmaxOutput(x, label)
    y.backward()
    np.testing.assert_allclose(ours["x_grad"], x.grad.asnumpy(), rtol=1e-5, atol=1e-7)


def test_two_outputs_and_an_aux_state_match_mxnet_and_builtins(calls):
    ours = _check_case("scale_square", calls)
    a = cases._inputs()
    x, w = mx.nd.array(a["data"]), mx.nd.array(a["weight"])
    x.attach_grad()
    w.attach_grad()
    with mx.autograd.record():
        outs = [mx.nd.broadcast_mul(x, w), mx.nd.square(x)]
    mx.autograd.backward(outs, [mx.nd.array(a["g0"]), mx.nd.array(a["g1"])])
    np.testing.assert_allclose(ours["scaled"], outs[0].asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(ours["squared"], outs[1].asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(ours["x_grad"], x.grad.asnumpy(), rtol=1e-5)
    np.testing.assert_allclose(ours["w_grad"], w.grad.asnumpy(), rtol=1e-5)
    # predict mode leaves the aux state; training moves it by momentum 0.9, then 0.5 (a keyword)
    assert not ours["predict_running"].any()
    np.testing.assert_allclose(ours["train_running"], 0.1 * a["data"].mean(axis=0), rtol=1e-5)


def test_create_operator_and_forward_see_what_mxnet_hands_them(calls):
    calls.clear()
    cases.case_scale_square(mx)
    ours = [list(c) for c in calls]
    theirs = FACTS["imperative_calls"]
    # MXNet's engine runs asynchronously: compare per kind, in order
    for kind in ("scale_square create", "scale_square forward", "scale_square backward"):
        assert [c for c in ours if c[0] == kind] == [c for c in theirs if c[0] == kind], kind


def test_symbol_names_shapes_and_json_are_mxnets(calls):
    sym = cases.scale_square_symbol(mx)
    assert sym.list_arguments() == FACTS["arguments"]
    assert sym.list_outputs() == FACTS["outputs"]
    assert sym.list_auxiliary_states() == FACTS["aux_states"]
    shapes = sym.infer_shape(data=(2, 3))
    assert [[list(s) for s in part] for part in shapes] == FACTS["shapes"]
    assert json.loads(sym.tojson())["nodes"] == FACTS["json"]["nodes"]
    # the prop's infer_type: a known data type reaches the output and the aux state
    arg_types, out_types, aux_types = sym.infer_type(data=np.float64, ss_weight=np.float64)
    assert out_types == [np.float64, np.float64] and aux_types == [np.float64]


def test_json_round_trip_keeps_op_type_and_keywords_as_strings(calls):
    sym = cases.scale_square_symbol(mx)
    loaded = mx.sym.load_json(sym.tojson())
    assert loaded.tojson() == sym.tojson()
    assert loaded.attr_dict()["ss"] == {"op_type": "scale_square", "momentum": "0.5"}
    a = cases._inputs()
    ex = loaded.bind(mx.cpu(), {"data": mx.nd.array(a["data"]), "ss_weight": mx.nd.array(a["weight"])},
                     aux_states={"ss_running_mean": mx.nd.zeros(3)})
    scaled, squared = ex.forward(is_train=True)
    np.testing.assert_allclose(scaled.asnumpy(), a["data"] * a["weight"], rtol=1e-6)
    # momentum 0.5 came back from the JSON string
    np.testing.assert_allclose(ex.aux_dict["ss_running_mean"].asnumpy(), 0.5 * a["data"].mean(axis=0),
                               rtol=1e-5)


def test_bind_with_grad_req_add_accumulates_as_mxnet(calls):
    ours = _check_case("bind", calls)
    single = cases.case_scale_square(mx)
    np.testing.assert_allclose(ours["data_grad"], 2 * single["x_grad"], rtol=1e-5)
    np.testing.assert_allclose(ours["weight_grad"], 2 * single["w_grad"], rtol=1e-5)


def test_hybridized_block_matches_mxnet(calls):
    _check_case("hybrid", calls)


def test_module_fit_one_epoch_matches_mxnet(calls):
    _check_case("module_fit", calls)


def test_an_unregistered_op_type_is_a_clear_error(calls):
    with pytest.raises(MXNetError, match="cannot find custom operator 'no_such_op'"):
        mx.nd.Custom(mx.nd.ones(2), op_type="no_such_op")
    with pytest.raises(MXNetError, match="cannot find custom operator 'no_such_op'"):
        mx.sym.Custom(mx.sym.Variable("x"), op_type="no_such_op")
    with pytest.raises(MXNetError, match="required attribute 'op_type' is missing"):
        mx.nd.Custom(mx.nd.ones(2))


def test_assign_follows_req():
    op = mx.operator.CustomOp()
    dst = mx.nd.array([1.0, 2.0])
    op.assign(dst, "add", mx.nd.array([10.0, 10.0]))
    assert dst.asnumpy().tolist() == [11.0, 12.0]
    op.assign(dst, "null", mx.nd.array([0.0, 0.0]))
    assert dst.asnumpy().tolist() == [11.0, 12.0]
    op.assign(dst, "inplace", mx.nd.array([3.0, 4.0]))
    assert dst.asnumpy().tolist() == [3.0, 4.0]
    with pytest.raises(MXNetError, match="req must be one of"):
        op.assign(dst, "append", dst)


def test_keywords_reach_the_prop_as_strings_and_bad_ones_are_reported():
    seen = []

    @mx.operator.register("test_custom_kwargs")
    class Prop(mx.operator.CustomOpProp):
        def __init__(self, scale):
            super().__init__()
            seen.append(scale)
            self.scale = float(scale)

        def create_operator(self, ctx, shapes, dtypes):
            scale = self.scale

            class Scale(mx.operator.CustomOp):
                def forward(self, is_train, req, in_data, out_data, aux):
                    self.assign(out_data[0], req[0], in_data[0] * scale)

            return Scale()

    out = mx.nd.Custom(mx.nd.ones(3), op_type="test_custom_kwargs", scale=2.5)
    assert seen == ["2.5"] and out.asnumpy().tolist() == [2.5] * 3
    with pytest.raises(MXNetError, match="keywords"):
        mx.nd.Custom(mx.nd.ones(3), op_type="test_custom_kwargs", factor=2)
    # the default backward of CustomOp leaves zero gradients, as MXNet's does
    x = mx.nd.ones(3)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, op_type="test_custom_kwargs", scale=3)
    y.backward()
    assert not x.grad.asnumpy().any()


def test_sparse_storage_is_refused():
    @mx.operator.register("test_custom_sparse")
    class Prop(mx.operator.CustomOpProp):
        def infer_storage_type(self, in_stype):
            return in_stype, ["csr"], []

    with pytest.raises(MXNetError, match="sparse storage .* not supported in mxtorch"):
        mx.nd.Custom(mx.nd.ones(3), op_type="test_custom_sparse")
    with pytest.raises(MXNetError, match="not supported in mxtorch"):
        mx.operator.CustomOpProp().infer_storage_type(["row_sparse"])


def test_legacy_python_operators_are_refused_with_the_way_forward():
    with pytest.raises(MXNetError, match="CustomOp"):
        mx.operator.NumpyOp()


def test_tutorial_symbol_form_and_mxnets_json(calls):
    data, label = mx.sym.Variable("data"), mx.sym.Variable("label")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    net = mx.sym.Custom(data=fc, label=label, name="softmax", op_type="softmax")
    assert net.list_arguments() == ["data", "fc_weight", "fc_bias", "label"]
    loaded = mx.sym.load_json(json.dumps(FACTS["json"]))  # the file MXNet wrote
    assert loaded.list_auxiliary_states() == FACTS["aux_states"]
    assert loaded.list_outputs() == FACTS["outputs"]


def test_float64_inputs_give_float64_outputs_and_type_codes(calls):
    calls.clear()
    x = mx.nd.ones((2, 3), dtype="float64")
    w = mx.nd.ones(3, dtype="float64")
    scaled, squared = mx.nd.Custom(x, w, mx.nd.zeros(3, dtype="float64"), op_type="scale_square")
    assert scaled.dtype == np.float64 and squared.dtype == np.float64
    assert calls[0] == ("scale_square create", [[2, 3], [3], [3]], [1, 1, 1])
    with pytest.raises(MXNetError, match="missing input"):
        mx.nd.Custom(x, op_type="scale_square")
