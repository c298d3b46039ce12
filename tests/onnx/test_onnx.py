"""ONNX export and import: onnxruntime runs what mx.onnx.export_model writes and gives mxtorch's (and
MXNet 1.9.1's) outputs; mx.contrib.onnx.import_model reads it back; bad files and graphs are refused
with errors that say what was wrong.

Fast tests use small inputs (the smallest each architecture accepts); the ``slow`` test exports every
model-zoo network at its full input size.
"""
import lzma
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from mxtorch.gluon.model_zoo import vision
from tests.conformance.conftest import GOLDEN

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper  # noqa: E402

ZOO_GOLDEN = GOLDEN / "model_zoo"
HYBRIDIZE_GOLDEN = GOLDEN / "hybridize"


# -- helpers ---------------------------------------------------------------------------------------
def run_onnx(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def input_names(path):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return [i.name for i in session.get_inputs()], [o.name for o in session.get_outputs()]


def assert_close(got, want, what, rel=1e-4):
    """float32 agreement relative to the output's scale, on outputs that are not trivially small."""
    scale = float(np.abs(want).max())
    assert scale > 1e-3, f"{what}: outputs too small ({scale}) for the comparison to mean anything"
    err = float(np.abs(np.asarray(got) - want).max())
    assert err <= rel * scale, f"{what}: max abs difference {err} (output scale {scale})"


def randomize(net, seed=0):
    """Weights that keep activations of order one through deep networks, and BatchNorm statistics
    far from their defaults, so that a wrong conversion of either shows."""
    rng = np.random.default_rng(seed)
    for name, p in net.collect_params().items():
        shape = p.shape
        if name.endswith("running_var"):
            value = rng.uniform(0.5, 1.5, shape)
        elif name.endswith(("running_mean", "beta", "bias")):
            value = rng.uniform(-0.2, 0.2, shape)
        elif name.endswith("gamma"):
            value = rng.uniform(0.5, 1.5, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            value = rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), shape)
        p.set_data(mx.nd.array(value.astype(np.float32)))


def export_block(net, x, tmp_path, name, **kwargs):
    """Hybridize, run and export ``net`` as MXNet files, then convert those files to ONNX."""
    net.hybridize()
    out = net(mx.nd.array(x)).asnumpy()
    prefix = str(tmp_path / name)
    net.export(prefix)
    path = mx.onnx.export_model(f"{prefix}-symbol.json", f"{prefix}-0000.params", [x.shape], np.float32,
                                str(tmp_path / f"{name}.onnx"), **kwargs)
    return out, path


def zoo_net(name, x, seed=0):
    with mx.name.NameManager():
        net = vision.get_model(name, classes=10)
    net.initialize()
    net(mx.nd.array(x))  # complete the deferred shapes
    randomize(net, seed)
    return net


def round_trip(path, feeds):
    """import_model's symbol, bound with its parameters and run on ``feeds``."""
    sym, arg_params, aux_params = mx.contrib.onnx.import_model(path)
    args = {k: mx.nd.array(v) for k, v in feeds.items()}
    args.update(arg_params)
    return [o.asnumpy() for o in sym.bind(mx.cpu(), args, aux_states=aux_params).forward()]


def lenet_symbol():
    """The talk's symbolic LeNet (examples/lenet_symbolic.py)."""
    data = mx.symbol.Variable('data')
    conv1 = mx.sym.Convolution(data=data, kernel=(5, 5), num_filter=20)
    tanh1 = mx.sym.Activation(data=conv1, act_type="tanh")
    pool1 = mx.sym.Pooling(data=tanh1, pool_type="max", kernel=(2, 2), stride=(2, 2))
    conv2 = mx.sym.Convolution(data=pool1, kernel=(5, 5), num_filter=50)
    tanh2 = mx.sym.Activation(data=conv2, act_type="tanh")
    pool2 = mx.sym.Pooling(data=tanh2, pool_type="max", kernel=(2, 2), stride=(2, 2))
    flatten = mx.sym.Flatten(data=pool2)
    fc1 = mx.symbol.FullyConnected(data=flatten, num_hidden=500)
    tanh3 = mx.sym.Activation(data=fc1, act_type="tanh")
    fc2 = mx.sym.FullyConnected(data=tanh3, num_hidden=10)
    return mx.sym.SoftmaxOutput(data=fc2, name='softmax')


def symbol_params(sym, shapes, seed=0, skip=("softmax_label",)):
    rng = np.random.default_rng(seed)
    arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
    params = {n: rng.normal(0, 0.2, s).astype(np.float32)
              for n, s in zip(sym.list_arguments(), arg_shapes) if n not in shapes and n not in skip}
    params.update({n: rng.uniform(0.5, 1.5, s).astype(np.float32)
                   for n, s in zip(sym.list_auxiliary_states(), aux_shapes)})
    return params


def run_symbol(sym, feeds, params):
    args = {n: mx.nd.array(v) for n, v in {**feeds, **params}.items() if n in sym.list_arguments()}
    for name in sym.list_arguments():
        if name not in args:  # a loss layer's label
            shape = sym.infer_shape(**{k: v.shape for k, v in feeds.items()})[0][
                sym.list_arguments().index(name)]
            args[name] = mx.nd.zeros(shape)
    aux = {n: mx.nd.array(params[n]) for n in sym.list_auxiliary_states()}
    return [o.asnumpy() for o in sym.bind(mx.cpu(), args, aux_states=aux).forward()]


# -- the talk's LeNet ---------------------------------------------------------------------------------
def test_symbolic_lenet_exports_and_onnxruntime_matches(tmp_path):
    sym = lenet_symbol()
    x = np.random.default_rng(1).random((2, 1, 28, 28)).astype(np.float32)
    params = symbol_params(sym, {"data": x.shape}, seed=1)
    want = run_symbol(sym, {"data": x}, params)[0]
    nd_params = {k: mx.nd.array(v) for k, v in params.items()}
    path = mx.onnx.export_model(sym, nd_params, [x.shape], np.float32, str(tmp_path / "lenet.onnx"))
    assert path == str(tmp_path / "lenet.onnx")
    # the label is training data: the model reads only the image, and names its output as MXNet does
    assert input_names(path) == (["data"], ["softmax"])
    got = run_onnx(path, {"data": x})[0]
    assert_close(got, want, "lenet", rel=1e-5)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-5)
    assert_close(round_trip(path, {"data": x})[0], want, "lenet round trip", rel=1e-5)


def test_lenet_from_checkpoint_files_and_param_list(tmp_path):
    """save_checkpoint's files, and params as [arg_params, aux_params], give the same model."""
    sym = lenet_symbol()
    x = np.random.default_rng(2).random((3, 1, 28, 28)).astype(np.float32)
    params = {k: mx.nd.array(v) for k, v in symbol_params(sym, {"data": x.shape}, seed=2).items()}
    mx.model.save_checkpoint(str(tmp_path / "lenet"), 3, sym, params, {})
    from_files = mx.onnx.export_model(str(tmp_path / "lenet-symbol.json"),
                                      str(tmp_path / "lenet-0003.params"),
                                      in_shapes=[x.shape], onnx_file_path=str(tmp_path / "a.onnx"))
    # MXNet's older keyword names, and the deprecated contrib path
    from_list = mx.contrib.onnx.export_model(sym, [params, {}], input_shape=[x.shape],
                                             input_type=np.float32, onnx_file_path=str(tmp_path / "b.onnx"))
    a, b = run_onnx(from_files, {"data": x})[0], run_onnx(from_list, {"data": x})[0]
    np.testing.assert_array_equal(a, b)
    assert a.shape == (3, 10)


def test_lenet_golden_from_mxnet_files(tmp_path):
    """-symbol.json and .params written by MXNet 1.9.1 (a hybridized Gluon LeNet) convert to an ONNX
    model whose outputs are the ones MXNet computed."""
    golden = np.load(HYBRIDIZE_GOLDEN / "lenet5.npz")
    x = golden["x0"]
    path = mx.onnx.export_model(str(HYBRIDIZE_GOLDEN / "mx_lenet5-symbol.json"),
                                str(HYBRIDIZE_GOLDEN / "mx_lenet5-0000.params"), [x.shape], np.float32,
                                str(tmp_path / "lenet5.onnx"))
    assert_close(run_onnx(path, {"data": x.astype(np.float32)})[0], golden["out0"], "MXNet lenet5")


# -- the model zoo -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["resnet18_v1", "resnet50_v2", "vgg11_bn", "densenet121",
                                  "squeezenet1.1", "mobilenet0.25", "mobilenetv2_0.25", "inceptionv3"])
def test_zoo_golden_mxnet_weights(name, tmp_path):
    """Zoo networks carrying weights MXNet 1.9.1 wrote export to ONNX models that give MXNet's logits
    (goldens of tests/conformance/gen_model_zoo.py, at the smallest input each network takes)."""
    golden = np.load(ZOO_GOLDEN / f"{name}.npz")
    params_file = tmp_path / f"{name}.params"
    params_file.write_bytes(lzma.decompress((ZOO_GOLDEN / f"{name}.params.xz").read_bytes()))
    with mx.name.NameManager():
        net = vision.get_model(name, classes=10)
    net.load_parameters(str(params_file))
    x = golden["input"].astype(np.float32) / 4
    _, path = export_block(net, x, tmp_path, name)
    got = run_onnx(path, {"data": x})[0]
    assert_close(got, golden["logits"], name)
    np.testing.assert_array_equal(got.argmax(axis=1), golden["logits"].argmax(axis=1))


# Blocks the goldens above do not cover, at small inputs: ResNet's v2 basic and v1 bottleneck
# blocks, AlexNet (Dropout, LRN-free large kernels), SqueezeNet 1.0's ceil-mode pools. The other
# depths and widths of each family are the same blocks; the slow test below runs them all.
SMALL_ZOO = [("resnet18_v2", 32), ("resnet50_v1", 32), ("alexnet", 64), ("squeezenet1.0", 224)]


@pytest.mark.parametrize("name, side", SMALL_ZOO)
def test_zoo_networks_export_and_round_trip(name, side, tmp_path):
    x = np.random.default_rng(3).uniform(-1, 1, (1, 3, side, side)).astype(np.float32)
    net = zoo_net(name, x)
    want, path = export_block(net, x, tmp_path, name)
    got = run_onnx(path, {"data": x})[0]
    assert_close(got, want, name)
    assert_close(round_trip(path, {"data": x})[0], want, f"{name} round trip")


def test_imported_model_exports_again_and_into_gluon(tmp_path):
    x = np.random.default_rng(4).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)
    want, path = export_block(zoo_net("mobilenetv2_0.25", x), x, tmp_path, "m")
    sym, arg_params, aux_params = mx.contrib.onnx.import_model(path)
    assert set(aux_params) and all(k.endswith(("running_mean", "running_var")) for k in aux_params)
    again = mx.onnx.export_model(sym, {**arg_params, **aux_params}, [x.shape], np.float32,
                                 str(tmp_path / "again.onnx"))
    assert_close(run_onnx(again, {"data": x})[0], want, "re-exported")
    block = mx.contrib.onnx.import_to_gluon(path, mx.cpu())
    assert_close(block(mx.nd.array(x)).asnumpy(), want, "import_to_gluon")
    meta = mx.contrib.onnx.get_model_metadata(path)
    assert meta["input_tensor_data"] == [("data", (1, 3, 32, 32), TensorProto.FLOAT)]
    assert [name for name, _ in meta["output_tensor_data"]] == input_names(path)[1]
    assert meta["output_tensor_data"][0][1] == (1, 10)


def test_dynamic_batch(tmp_path):
    x = np.random.default_rng(5).uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32)
    net = zoo_net("resnet18_v1", x)
    _, path = export_block(net, x, tmp_path, "r", dynamic=True, dynamic_input_shapes=[(None, 3, 32, 32)])
    x5 = np.random.default_rng(6).uniform(-1, 1, (5, 3, 32, 32)).astype(np.float32)
    assert_close(run_onnx(path, {"data": x5})[0], net(mx.nd.array(x5)).asnumpy(), "batch of 5")
    assert mx.contrib.onnx.get_model_metadata(path)["input_tensor_data"][0][1] == (0, 3, 32, 32)


ALL_ZOO = ["resnet18_v1", "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1",
           "resnet18_v2", "resnet34_v2", "resnet50_v2", "resnet101_v2", "resnet152_v2",
           "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
           "alexnet", "densenet121", "densenet161", "densenet169", "densenet201",
           "squeezenet1.0", "squeezenet1.1", "inceptionv3", "mobilenet1.0", "mobilenet0.75",
           "mobilenet0.5", "mobilenet0.25", "mobilenetv2_1.0", "mobilenetv2_0.75",
           "mobilenetv2_0.5", "mobilenetv2_0.25"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL_ZOO)
def test_every_zoo_network_full_size(name, tmp_path):
    side = 299 if name == "inceptionv3" else 224
    x = np.random.default_rng(7).uniform(-1, 1, (1, 3, side, side)).astype(np.float32)
    want, path = export_block(zoo_net(name, x), x, tmp_path, name)
    assert_close(run_onnx(path, {"data": x})[0], want, name)


def test_zoo_names_are_the_zoo():
    with pytest.raises(ValueError) as err:
        vision.get_model("no such network")
    listed = {line.strip() for line in str(err.value).splitlines()[1:]}
    assert listed == set(ALL_ZOO)


# -- operators one by one -----------------------------------------------------------------------------
_VARS: dict = {}  # one variable per name within a case (cleared before each case is built)


def _v(name="data"):
    return _VARS.setdefault(name, mx.sym.var(name))


# (case id, symbol, input shapes): each converter, with the attributes that change its ONNX form
OPERATOR_CASES = [
    ("conv1d_dilate", lambda: mx.sym.Convolution(_v(), kernel=(3,), num_filter=4, dilate=(2,), pad=(1,)),
     {"data": (2, 3, 12)}),
    ("conv_group_nobias", lambda: mx.sym.Convolution(_v(), kernel=(3, 3), num_filter=4, num_group=2,
                                                     stride=(2, 1), no_bias=True), {"data": (2, 4, 9, 9)}),
    ("deconv", lambda: mx.sym.Deconvolution(_v(), kernel=(3, 3), num_filter=5, stride=(2, 2), pad=(1, 1),
                                            adj=(1, 1), no_bias=False), {"data": (2, 3, 5, 5)}),
    ("fc_no_flatten", lambda: mx.sym.FullyConnected(_v(), num_hidden=6, flatten=False),
     {"data": (2, 3, 5)}),
    ("fc_flatten_nobias", lambda: mx.sym.FullyConnected(_v(), num_hidden=6, no_bias=True),
     {"data": (2, 3, 2, 2)}),
    ("activations", lambda: mx.sym.Group([mx.sym.Activation(_v(), act_type=a) for a in
                                          ("relu", "sigmoid", "tanh", "softrelu", "softsign")]),
     {"data": (2, 5)}),
    ("leaky", lambda: mx.sym.LeakyReLU(_v(), act_type="leaky", slope=0.3), {"data": (2, 5)}),
    ("elu", lambda: mx.sym.LeakyReLU(_v(), act_type="elu", slope=0.7), {"data": (2, 5)}),
    ("rrelu", lambda: mx.sym.LeakyReLU(_v(), act_type="rrelu"), {"data": (2, 5)}),
    ("selu", lambda: mx.sym.LeakyReLU(_v(), act_type="selu"), {"data": (2, 5)}),
    ("gelu", lambda: mx.sym.LeakyReLU(_v(), act_type="gelu"), {"data": (2, 5)}),
    ("prelu", lambda: mx.sym.LeakyReLU(_v(), act_type="prelu", name="pr"), {"data": (2, 3, 4, 4)}),
    ("pool_full_max", lambda: mx.sym.Pooling(_v(), kernel=(3, 3), stride=(2, 2), pool_type="max",
                                             pooling_convention="full"), {"data": (1, 2, 8, 8)}),
    # 'full' windows that start in the end padding or wholly past it (MXNet keeps them; ONNX's
    # ceil_mode would drop them)
    ("pool_full_edges", lambda: mx.sym.Group([
        mx.sym.Pooling(_v(), kernel=(2, 2), stride=(3, 3), pad=(1, 1), pool_type=t, pooling_convention="full",
                       **kw) for t, kw in (("max", {}), ("avg", {}), ("sum", {}),
                                           ("avg", {"count_include_pad": False}))]),
     {"data": (1, 2, 7, 7)}),
    ("pool_avg_pad", lambda: mx.sym.Pooling(_v(), kernel=(3, 3), stride=(1, 1), pad=(1, 1),
                                            pool_type="avg"), {"data": (1, 2, 6, 6)}),
    ("pool_avg_nopad_count", lambda: mx.sym.Pooling(_v(), kernel=(3, 3), pad=(1, 1), pool_type="avg",
                                                    count_include_pad=False), {"data": (1, 2, 6, 6)}),
    ("pool_sum", lambda: mx.sym.Pooling(_v(), kernel=(2, 2), stride=(2, 2), pool_type="sum"),
     {"data": (1, 2, 6, 6)}),
    ("pool_global", lambda: mx.sym.Group([mx.sym.Pooling(_v(), global_pool=True, pool_type=t, kernel=(1, 1))
                                          for t in ("max", "avg", "sum")]), {"data": (2, 3, 5, 4)}),
    ("pool_1d", lambda: mx.sym.Pooling(_v(), kernel=(2,), stride=(2,), pool_type="max"), {"data": (2, 3, 8)}),
    ("adaptive_avg", lambda: mx.sym.contrib.AdaptiveAvgPooling2D(_v(), output_size=1),
     {"data": (2, 3, 5, 5)}),
    ("batchnorm", lambda: mx.sym.BatchNorm(_v(), fix_gamma=False, eps=1e-3), {"data": (2, 3, 4, 4)}),
    ("batchnorm_fix_gamma", lambda: mx.sym.BatchNorm(_v(), fix_gamma=True), {"data": (2, 3, 4)}),
    ("instancenorm", lambda: mx.sym.InstanceNorm(_v(), eps=1e-3), {"data": (2, 3, 4, 4)}),
    ("layernorm", lambda: mx.sym.LayerNorm(_v()), {"data": (2, 3, 6)}),
    ("lrn", lambda: mx.sym.LRN(_v(), nsize=3, alpha=0.1, beta=0.6, knorm=1.5), {"data": (2, 5, 4, 4)}),
    ("softmax_output_4d", lambda: mx.sym.SoftmaxOutput(_v(), name="sm"), {"data": (2, 3, 2, 2)}),
    ("softmax_output_multi", lambda: mx.sym.SoftmaxOutput(_v(), multi_output=True, name="sm"),
     {"data": (2, 3, 2, 2)}),
    ("softmax_temperature", lambda: mx.sym.softmax(_v(), axis=1, temperature=2.0), {"data": (2, 3, 4)}),
    ("log_softmax", lambda: mx.sym.log_softmax(_v()), {"data": (2, 3, 4)}),
    ("softmax_activation", lambda: mx.sym.SoftmaxActivation(_v(), mode="channel"), {"data": (2, 3, 4)}),
    ("logistic_output", lambda: mx.sym.LogisticRegressionOutput(_v(), name="lro"), {"data": (2, 3)}),
    ("elementwise", lambda: mx.sym.Group([_v("a") + _v("b"), _v("a") - _v("b"), _v("a") * _v("b"),
                                          _v("a") / (mx.sym.abs(_v("b")) + 1.0),
                                          mx.sym.maximum(_v("a"), _v("b")),
                                          mx.sym.minimum(_v("a"), _v("b"))]),
     {"a": (2, 3), "b": (2, 3)}),
    ("broadcast", lambda: mx.sym.Group([mx.sym.broadcast_add(_v("a"), _v("b")),
                                        mx.sym.broadcast_mul(_v("a"), _v("b")),
                                        mx.sym.broadcast_div(_v("a"), mx.sym.exp(_v("b")))]),
     {"a": (2, 3), "b": (1, 3)}),
    ("scalars", lambda: mx.sym.Group([_v() + 2.0, _v() - 1.5, 3.0 - _v(), _v() * 0.5, _v() / 4.0,
                                      2.0 / (mx.sym.abs(_v()) + 1.0), mx.sym.abs(_v()) ** 1.5,
                                      mx.sym.maximum(_v(), 0.1), mx.sym.minimum(_v(), 0.2)]),
     {"data": (2, 3)}),
    ("unary", lambda: mx.sym.Group([mx.sym.relu(_v()), mx.sym.sigmoid(_v()), mx.sym.tanh(_v()),
                                    mx.sym.exp(_v()), mx.sym.log(mx.sym.abs(_v()) + 1.0),
                                    mx.sym.sqrt(mx.sym.abs(_v())), mx.sym.negative(_v()),
                                    mx.sym.square(_v()), mx.sym.floor(_v()), mx.sym.ceil(_v()),
                                    mx.sym.erf(_v()), mx.sym.sin(_v()), mx.sym.cos(_v()),
                                    mx.sym.tan(_v()), mx.sym.sign(_v()), mx.sym.arcsin(_v() * 0.9),
                                    mx.sym.arccos(_v() * 0.9), mx.sym.arctan(_v()), mx.sym.reciprocal(_v()),
                                    mx.sym.logical_not(mx.sym.floor(_v()))]),
     {"data": (2, 3)}),
    ("comparisons", lambda: mx.sym.Group([_v("a") == _v("b"), _v("a") != _v("b"), _v("a") > _v("b"),
                                          _v("a") >= 0.2, _v("a") < -0.1, _v("a") <= _v("b"),
                                          mx.sym.broadcast_greater(_v("a"), mx.sym.floor(_v("b")))]),
     {"a": (2, 3), "b": (2, 3)}),
    ("clip_hard_sigmoid", lambda: mx.sym.Group([mx.sym.clip(_v(), 0.0, 0.5), mx.sym.hard_sigmoid(_v())]),
     {"data": (2, 5)}),
    ("concat_add_n", lambda: mx.sym.Group([mx.sym.Concat(_v("a"), _v("b"), dim=1),
                                           mx.sym.add_n(_v("a"), _v("b"), _v("a"))]),
     {"a": (2, 3), "b": (2, 3)}),
    ("dropout_identity", lambda: mx.sym.Dropout(mx.sym.BlockGrad(mx.sym.identity(_v())), p=0.3),
     {"data": (2, 3)}),
    ("reshape_codes", lambda: mx.sym.Reshape(_v(), shape=(0, -3, -2)), {"data": (2, 3, 4, 5)}),
    ("reshape_reverse", lambda: mx.sym.Reshape(_v(), shape=(-1, 0), reverse=True), {"data": (2, 3, 4)}),
    ("transpose_expand_squeeze", lambda: mx.sym.Group([
        mx.sym.transpose(_v()), mx.sym.transpose(_v(), axes=(0, 2, 1)),
        mx.sym.expand_dims(_v(), axis=1), mx.sym.squeeze(mx.sym.expand_dims(_v(), axis=-1), axis=-1)]),
     {"data": (2, 3, 4)}),
    ("reductions", lambda: mx.sym.Group([mx.sym.sum(_v(), axis=1),
                                         mx.sym.mean(_v(), axis=(1, 2), keepdims=True),
                                         mx.sym.max(_v()), mx.sym.min(_v(), axis=0),
                                         mx.sym.prod(_v(), axis=2, exclude=True)]),
     {"data": (2, 3, 4)}),
    ("slices", lambda: mx.sym.Group([mx.sym.slice_axis(_v(), axis=1, begin=1, end=None),
                                     mx.sym.slice(_v(), begin=(0, 1), end=(None, 3)),
                                     mx.sym.slice(_v(), begin=(None, None, 3), end=(None, None, 0),
                                                  step=(1, 1, -2))]),
     {"data": (2, 3, 4)}),
    ("cast", lambda: mx.sym.Cast(mx.sym.Cast(_v(), dtype="float16"), dtype="float32"), {"data": (2, 3)}),
    ("pad", lambda: mx.sym.Group([mx.sym.Pad(_v(), mode="constant", pad_width=(0, 0, 0, 0, 1, 2, 2, 1),
                                             constant_value=0.5),
                                  mx.sym.Pad(_v(), mode="edge", pad_width=(0, 0, 0, 0, 1, 1, 1, 1)),
                                  mx.sym.Pad(_v(), mode="reflect", pad_width=(0, 0, 0, 0, 1, 1, 2, 2))]),
     {"data": (1, 2, 4, 4)}),
    ("dot", lambda: mx.sym.Group([mx.sym.dot(_v("a"), _v("b"), transpose_b=True),
                                  mx.sym.batch_dot(_v("c"), _v("d"), transpose_a=True)]),
     {"a": (2, 3), "b": (4, 3), "c": (2, 3, 4), "d": (2, 3, 5)}),
    ("split", lambda: mx.sym.Group(list(mx.sym.split(_v(), num_outputs=3, axis=1)) +
                                   list(mx.sym.split(_v(), num_outputs=2, axis=2, squeeze_axis=True))),
     {"data": (2, 3, 2)}),
    ("argmax", lambda: mx.sym.Group([mx.sym.argmax(_v(), axis=1),
                                     mx.sym.argmin(_v(), axis=0, keepdims=True)]),
     {"data": (3, 4)}),
]


@pytest.mark.parametrize("case, build, shapes", OPERATOR_CASES, ids=[c[0] for c in OPERATOR_CASES])
def test_operator_export_and_round_trip(case, build, shapes, tmp_path):
    _VARS.clear()
    with mx.name.NameManager():
        sym = build()
    rng = np.random.default_rng(8)
    feeds = {n: rng.uniform(-1, 1, s).astype(np.float32) for n, s in shapes.items()}
    labels = tuple(n for n in sym.list_arguments() if n.endswith("_label"))
    params = symbol_params(sym, shapes, skip=labels)
    want = run_symbol(sym, feeds, params)
    path = mx.onnx.export_model(sym, params, list(shapes.values()), np.float32, str(tmp_path / "m.onnx"))
    assert input_names(path)[0] == list(shapes)
    got = run_onnx(path, feeds)
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=f"{case}: ONNX output {k}")
    back = round_trip(path, feeds)
    for k, (g, w) in enumerate(zip(back, got)):
        # argmax comes back as ONNX's int64; MXNet's is float: compare the values
        np.testing.assert_allclose(np.asarray(g, np.float64), np.asarray(w, np.float64), rtol=1e-4,
                                   atol=1e-5, err_msg=f"{case}: round-trip output {k}")


def test_operator_support_lists_what_the_zoo_uses():
    support = mx.onnx.get_operator_support()
    assert support == sorted(support)
    for name in ("Convolution", "FullyConnected", "Activation", "Pooling", "BatchNorm", "Flatten",
                 "SoftmaxOutput", "softmax", "elemwise_add", "Concat", "Dropout", "LeakyReLU", "Reshape",
                 "clip", "relu"):
        assert name in support
    with pytest.raises(MXNetError, match="operator set 11"):
        mx.onnx.get_operator_support(11)


# -- refusals ------------------------------------------------------------------------------------------
def test_export_unsupported_operator_names_it(tmp_path):
    sym = mx.sym.topk(mx.sym.FullyConnected(_v(), num_hidden=4, name="fc"), k=2, name="top")
    params = symbol_params(sym, {"data": (2, 3)})
    with pytest.raises(MXNetError, match=r"no conversion for operator topk \(node 'top'\)"):
        mx.onnx.export_model(sym, params, [(2, 3)], np.float32, str(tmp_path / "m.onnx"))
    assert not (tmp_path / "m.onnx").exists()


def test_export_unsupported_attribute_names_operator(tmp_path):
    sym = mx.sym.Dropout(_v(), p=0.5, mode="always", name="drop")
    with pytest.raises(MXNetError, match=r"operator Dropout \(node 'drop'\) has mode 'always'"):
        mx.onnx.export_model(sym, {}, [(2, 3)], np.float32, str(tmp_path / "m.onnx"))


def test_export_checks_its_arguments(tmp_path):
    sym = lenet_symbol()
    params = symbol_params(sym, {"data": (1, 1, 28, 28)})
    out = str(tmp_path / "m.onnx")
    with pytest.raises(MXNetError, match="in_shapes is required"):
        mx.onnx.export_model(sym, params, onnx_file_path=out)
    with pytest.raises(MXNetError, match=r"1 input\(s\) not given in params \['data'\], but in_shapes "
                                         r"lists 2"):
        mx.onnx.export_model(sym, params, [(1, 1, 28, 28), (1,)], np.float32, out)
    missing = dict(params)
    del missing[next(k for k in params if k.startswith("fullyconnected"))]
    with pytest.raises(MXNetError, match="not given in params"):
        mx.onnx.export_model(sym, missing, [(1, 1, 28, 28)], np.float32, out)
    with pytest.raises(MXNetError, match="dynamic_input_shapes is given but dynamic is False"):
        mx.onnx.export_model(sym, params, [(1, 1, 28, 28)], np.float32, out,
                             dynamic_input_shapes=[(None, 1, 28, 28)])
    with pytest.raises(MXNetError, match="params must be"):
        mx.onnx.export_model(sym, 3, [(1, 1, 28, 28)], np.float32, out)
    with pytest.raises(MXNetError):  # a missing symbol file
        mx.onnx.export_model(str(tmp_path / "none-symbol.json"), params, [(1, 1, 28, 28)], np.float32, out)


def _save(model, path):
    path.write_bytes(model.SerializeToString())
    return str(path)


def _tiny_model(nodes, initializers=(), inputs=None, outputs=None, opset=13):
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])]
    outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7  # one every onnxruntime reads
    return model


def _raw_tensor(name, dims, raw):
    """A float tensor whose declared shape and carried bytes need not agree (onnx.helper checks)."""
    tensor = TensorProto()
    tensor.name, tensor.data_type = name, TensorProto.FLOAT
    tensor.dims.extend(dims)
    tensor.raw_data = raw
    return tensor


def test_import_refuses_bad_files(tmp_path):
    with pytest.raises(MXNetError, match="no such file"):
        mx.contrib.onnx.import_model(str(tmp_path / "missing.onnx"))
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\xff\xfe not protobuf at all \x00\x01" * 10)
    with pytest.raises(MXNetError, match="not an ONNX model|holds no graph"):
        mx.contrib.onnx.import_model(str(garbage))
    with pytest.raises(MXNetError, match="no such file"):
        mx.contrib.onnx.get_model_metadata(str(tmp_path / "missing.onnx"))


def test_import_unsupported_operator_names_it(tmp_path):
    model = _tiny_model([helper.make_node("Hardmax", ["x"], ["y"], name="hm")])
    with pytest.raises(MXNetError, match=r"operator Hardmax \(node 'hm'\) has no conversion"):
        mx.contrib.onnx.import_model(_save(model, tmp_path / "m.onnx"))
    foreign = _tiny_model([helper.make_node("Relu", ["x"], ["y"], name="r", domain="com.example")])
    with pytest.raises(MXNetError, match="domain 'com.example'"):
        mx.contrib.onnx.import_model(_save(foreign, tmp_path / "f.onnx"))


def test_import_checks_tensor_sizes_against_their_bytes(tmp_path):
    # a weight that declares a billion elements but carries 12 bytes: refused before any allocation
    weight = _raw_tensor("w", [1000, 1000, 1000], b"\x00" * 12)
    model = _tiny_model([helper.make_node("MatMul", ["x", "w"], ["y"])], [weight])
    with pytest.raises(MXNetError, match=r"tensor 'w' \(initializer\) of shape \(1000, 1000, 1000\) needs "
                                         r"4000000000 bytes but holds 12"):
        mx.contrib.onnx.import_model(_save(model, tmp_path / "m.onnx"))
    short = TensorProto()
    short.name, short.data_type = "w", TensorProto.FLOAT
    short.dims.extend([3, 2])
    short.float_data.extend([1.0, 2.0, 3.0])
    model = _tiny_model([helper.make_node("MatMul", ["x", "w"], ["y"])], [short])
    with pytest.raises(MXNetError, match="needs 6 values but holds 3"):
        mx.contrib.onnx.import_model(_save(model, tmp_path / "s.onnx"))


def test_import_refuses_external_data(tmp_path):
    weight = _raw_tensor("w", [3, 2], b"")
    weight.ClearField("raw_data")
    weight.data_location = TensorProto.EXTERNAL
    entry = weight.external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    model = _tiny_model([helper.make_node("MatMul", ["x", "w"], ["y"])], [weight])
    with pytest.raises(MXNetError, match="stored in an external file"):
        mx.contrib.onnx.import_model(_save(model, tmp_path / "m.onnx"))


def test_import_older_operator_sets(tmp_path):
    """Operators whose meaning changed with the operator set: Softmax before 13 (per sample,
    flattened), Clip with attributes before 11."""
    model = _tiny_model([helper.make_node("Clip", ["x"], ["c"], min=-0.5, max=0.5),
                         helper.make_node("Softmax", ["c"], ["y"], axis=1)],
                        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])], opset=9)
    path = _save(model, tmp_path / "m.onnx")
    x = np.random.default_rng(9).uniform(-1, 1, (2, 3, 4)).astype(np.float32)
    got = round_trip(path, {"x": x})[0]
    np.testing.assert_allclose(got, run_onnx(path, {"x": x})[0], rtol=1e-5, atol=1e-6)


def test_mxtorch_imports_without_onnx():
    """``import mxtorch`` (and mx.onnx) work without the onnx package; using them says what to install."""
    code = textwrap.dedent("""
        import sys
        sys.modules["onnx"] = None  # what an uninstalled package looks like to import
        import mxtorch as mx
        import mxtorch.contrib.onnx
        try:
            mx.onnx.export_model(mx.sym.var("x"), {}, [(1,)])
        except ImportError as err:
            print("ImportError:", err)
        try:
            mx.contrib.onnx.import_model("m.onnx")
        except ImportError as err:
            print("ImportError:", err)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all("need the 'onnx' package" in line for line in lines), lines


def test_import_of_damaged_files_fails_cleanly(tmp_path):
    """Flipped bytes in a real model: import either works or raises MXNetError, nothing else."""
    conv = mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), num_filter=2, name="c")
    pool = mx.sym.Pooling(conv, kernel=(2, 2), pool_type="max", name="p")
    sym = mx.sym.FullyConnected(pool, num_hidden=3, name="fc")
    params = symbol_params(sym, {"data": (1, 1, 6, 6)})
    path = mx.onnx.export_model(sym, params, [(1, 1, 6, 6)], np.float32, str(tmp_path / "m.onnx"))
    payload = bytearray(open(path, "rb").read())
    rng = np.random.default_rng(10)
    outcomes = {"ok": 0, "refused": 0}
    for trial in range(40):
        damaged = bytearray(payload)
        for pos in rng.integers(0, len(damaged), size=int(rng.integers(1, 4))):
            damaged[pos] = int(rng.integers(0, 256))
        if trial % 5 == 0:  # and truncations
            damaged = damaged[: int(rng.integers(1, len(damaged)))]
        target = tmp_path / f"d{trial}.onnx"
        target.write_bytes(bytes(damaged))
        try:
            mx.contrib.onnx.import_model(str(target))
            outcomes["ok"] += 1
        except MXNetError:
            outcomes["refused"] += 1
    assert outcomes["refused"] > 0 and sum(outcomes.values()) == 40


def test_embedding_with_integer_and_float_index_inputs(tmp_path):
    """Embedding reads indices (MXNet feeds them as floats); in_types sets each input's type."""
    sym = mx.sym.Embedding(mx.sym.var("data"), input_dim=7, output_dim=3, name="emb") + mx.sym.var("bias")
    weight = np.random.default_rng(12).normal(size=(7, 3)).astype(np.float32)
    idx = np.array([[0, 6, 2], [3, 3, 1]])
    bias = np.ones((2, 3, 3), np.float32)
    want = weight[idx] + 1.0
    for dtype in (np.float32, np.int64):
        path = mx.onnx.export_model(sym, {"emb_weight": weight}, [idx.shape, bias.shape], [dtype, np.float32],
                                    str(tmp_path / "e.onnx"))
        got = run_onnx(path, {"data": idx.astype(dtype), "bias": bias})[0]
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(round_trip(path, {"data": idx.astype(np.float32), "bias": bias})[0], want,
                               rtol=1e-6)


def test_import_newer_operators(tmp_path):
    """LayerNormalization (operator set 17) and Gelu (set 20), which other exporters write."""
    rng = np.random.default_rng(13)
    scale = helper.make_tensor("s", TensorProto.FLOAT, [4], rng.uniform(0.5, 1.5, 4).tolist())
    bias = helper.make_tensor("b", TensorProto.FLOAT, [4], rng.uniform(-0.5, 0.5, 4).tolist())
    norm = helper.make_node("LayerNormalization", ["x", "s", "b"], ["n"], axis=-1, epsilon=1e-3)
    model = _tiny_model([norm, helper.make_node("Gelu", ["n"], ["y"])], [scale, bias],
                        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])], opset=20)
    model.ir_version = 9
    path = _save(model, tmp_path / "m.onnx")
    x = rng.uniform(-2, 2, (2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(round_trip(path, {"x": x})[0], run_onnx(path, {"x": x})[0], rtol=1e-5,
                               atol=1e-5)
