"""Gluon goldens from MXNet 1.9.1: names, layers, losses, models, summary, .params files, initializers.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_gluon.py
Writes tests/conformance/golden/gluon/. The case lists below are plain functions of the ``mx`` module,
so the tests (tests/gluon/) replay exactly the same code on mxtorch. Importing this module does not
import MXNet.
"""
from __future__ import annotations

import contextlib
import io
import json
import pathlib
import zlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "gluon"


# -- networks ---------------------------------------------------------------------------------------
def build_lenet(mx):
    """The talk's Gluon LeNet, defined with name_scope."""
    nn = mx.gluon.nn
    net = nn.Sequential()
    with net.name_scope():
        net.add(nn.Conv2D(channels=20, kernel_size=5, activation="relu"))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
        net.add(nn.Conv2D(channels=50, kernel_size=5, activation="relu"))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
        net.add(nn.Flatten())
        net.add(nn.Dense(512, activation="relu"))
        net.add(nn.Dense(10))
    return net


def build_mlp(mx):
    """A 2-layer MLP (HybridSequential, name_scope)."""
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(16, activation="relu"))
        net.add(nn.Dense(4))
    return net


def build_custom(mx):
    """A Block subclass with attribute children, a nested Sequential and its own Parameter."""
    nn = mx.gluon.nn

    class Model(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            with self.name_scope():
                self.features = nn.HybridSequential()
                with self.features.name_scope():
                    self.features.add(nn.Conv2D(4, 3), nn.BatchNorm(), nn.Activation("relu"))
                self.scale = self.params.get("scale", shape=(1,), init=mx.init.One())
                self.out = nn.Dense(3, in_units=4 * 4 * 4)

        def hybrid_forward(self, F, x, scale):
            return self.out(F.broadcast_mul(self.features(x), scale))

    return Model()


def build_unscoped(mx):
    """Layers created without name_scope: top-level counters."""
    nn = mx.gluon.nn
    net = nn.Sequential()
    net.add(nn.Dense(3), nn.Dense(2, in_units=3))
    return net


def build_prefixed(mx):
    """Explicit prefixes, and parameters shared through params=."""
    nn = mx.gluon.nn
    net = nn.HybridSequential(prefix="model_")
    with net.name_scope():
        first = nn.Dense(3, in_units=3, prefix="first_")
        net.add(first)
        net.add(nn.Dense(3, in_units=3, params=first.collect_params()))
    return net


NAME_CASES = {"lenet": (build_lenet, (2, 1, 28, 28)), "mlp": (build_mlp, (3, 8)),
              "custom": (build_custom, (2, 1, 6, 6)), "unscoped": (build_unscoped, (2, 3)),
              "prefixed": (build_prefixed, (2, 3))}


# -- layers: (id, builder, input shape, input kind, mode) -------------------------------------------
# mode "train": forward recorded in training mode, then backward with a random head gradient.
# mode "predict": forward only, in prediction mode. (MXNet's MKLDNN pooling and batch-norm keep no
# workspace in prediction mode, so their backward there is garbage: it cannot serve as a golden.)
def _nn(name, *args, **kwargs):
    return lambda mx: getattr(mx.gluon.nn, name)(*args, **kwargs)


LAYER_CASES = [
    ("dense", _nn("Dense", 5), (3, 4), "normal", "train"),
    ("dense_flatten_act", _nn("Dense", 4, activation="tanh"), (2, 3, 2), "normal", "train"),
    ("dense_noflatten_nobias", _nn("Dense", 3, flatten=False, use_bias=False), (2, 3, 4),
     "normal", "train"),
    ("conv1d", _nn("Conv1D", 4, 3, strides=2, padding=1), (2, 3, 9), "normal", "train"),
    ("conv2d", _nn("Conv2D", 4, (3, 2), strides=(2, 1), padding=(1, 0), dilation=(1, 2)),
     (2, 3, 7, 8), "normal", "train"),
    ("conv2d_groups_nobias", _nn("Conv2D", 4, 3, groups=2, use_bias=False, activation="sigmoid"),
     (1, 4, 6, 6), "normal", "train"),
    ("conv3d", _nn("Conv3D", 2, 2, in_channels=2), (1, 2, 4, 4, 4), "normal", "train"),
    ("conv1d_transpose", _nn("Conv1DTranspose", 3, 3, strides=2, padding=1, output_padding=1),
     (2, 2, 5), "normal", "train"),
    ("conv2d_transpose", _nn("Conv2DTranspose", 3, 3, strides=2, padding=1), (1, 2, 4, 4),
     "normal", "train"),
    ("conv3d_transpose", _nn("Conv3DTranspose", 2, 2, strides=2), (1, 2, 2, 3, 3), "normal",
     "train"),
    ("maxpool1d", _nn("MaxPool1D", 3, 2, 1), (2, 3, 8), "normal", "train"),
    ("maxpool2d_ceil", _nn("MaxPool2D", (3, 2), ceil_mode=True), (1, 2, 7, 7), "normal", "train"),
    ("maxpool3d", _nn("MaxPool3D"), (1, 2, 4, 4, 4), "normal", "train"),
    ("avgpool1d", _nn("AvgPool1D", 2), (2, 3, 8), "normal", "train"),
    ("avgpool2d_pad_nocount", _nn("AvgPool2D", 3, 2, 1, count_include_pad=False), (1, 2, 6, 6),
     "normal", "train"),
    ("avgpool3d", _nn("AvgPool3D", 2, ceil_mode=True), (1, 2, 5, 4, 4), "normal", "train"),
    ("globalmaxpool1d", _nn("GlobalMaxPool1D"), (2, 3, 5), "normal", "train"),
    ("globalmaxpool2d", _nn("GlobalMaxPool2D"), (2, 3, 4, 5), "normal", "train"),
    ("globalmaxpool3d", _nn("GlobalMaxPool3D"), (1, 2, 3, 4, 2), "normal", "train"),
    ("globalavgpool1d", _nn("GlobalAvgPool1D"), (2, 3, 5), "normal", "train"),
    ("globalavgpool2d", _nn("GlobalAvgPool2D"), (2, 3, 4, 5), "normal", "train"),
    ("globalavgpool3d", _nn("GlobalAvgPool3D"), (1, 2, 3, 4, 2), "normal", "train"),
    ("reflectionpad2d", _nn("ReflectionPad2D", 2), (1, 2, 4, 5), "normal", "train"),
    ("flatten", _nn("Flatten"), (2, 3, 2, 2), "normal", "train"),
    ("batchnorm_train", _nn("BatchNorm"), (4, 3, 2, 2), "normal", "train"),
    ("batchnorm_predict", _nn("BatchNorm", momentum=0.8, epsilon=1e-3), (4, 3, 2, 2), "normal",
     "predict"),
    ("batchnorm_noscale_nocenter_train", _nn("BatchNorm", center=False, scale=False),
     (4, 3, 5), "normal", "train"),
    ("batchnorm_global_stats_train", _nn("BatchNorm", use_global_stats=True), (4, 3, 2), "normal",
     "train"),
    ("layernorm", _nn("LayerNorm"), (2, 3, 4), "normal", "train"),
    ("layernorm_axis1", _nn("LayerNorm", axis=1, epsilon=1e-3), (2, 3, 4), "normal", "train"),
    ("instancenorm", _nn("InstanceNorm", scale=True), (2, 3, 4), "normal", "train"),
    ("groupnorm", _nn("GroupNorm", num_groups=2), (2, 4, 3), "normal", "train"),
    ("embedding", _nn("Embedding", 10, 4), (2, 3), "index10", "train"),
    ("act_relu", _nn("Activation", "relu"), (3, 4), "normal", "train"),
    ("act_sigmoid", _nn("Activation", "sigmoid"), (3, 4), "normal", "train"),
    ("act_tanh", _nn("Activation", "tanh"), (3, 4), "normal", "train"),
    ("act_softrelu", _nn("Activation", "softrelu"), (3, 4), "normal", "train"),
    ("act_softsign", _nn("Activation", "softsign"), (3, 4), "normal", "train"),
    ("leakyrelu", _nn("LeakyReLU", 0.1), (3, 4), "normal", "train"),
    ("prelu", _nn("PReLU"), (3, 4), "normal", "train"),
    ("prelu_channels", _nn("PReLU", in_channels=3), (2, 3, 4), "normal", "train"),
    ("elu", _nn("ELU", 0.5), (3, 4), "normal", "train"),
    # forward only: MXNet 1.9.1's SELU backward is lambda*(y + alpha) where y already includes
    # lambda; the true derivative (torch's) is y + lambda*alpha for x < 0
    ("selu", _nn("SELU"), (3, 4), "normal", "predict"),
    ("gelu", _nn("GELU"), (3, 4), "normal", "train"),
    ("swish", _nn("Swish", 2.0), (3, 4), "normal", "train"),
    ("hybridlambda_tanh", _nn("HybridLambda", "tanh"), (3, 4), "normal", "train"),
    ("dropout_predict", _nn("Dropout", 0.5), (3, 4), "normal", "predict"),
]


# -- losses: (id, builder, [(input name, kind, shape)...]) -----------------------------------------
def _loss(name, *args, **kwargs):
    return lambda mx: getattr(mx.gluon.loss, name)(*args, **kwargs)


LOSS_CASES = [
    ("l2", _loss("L2Loss"), [("pred", "normal", (3, 4)), ("label", "normal", (3, 4))]),
    ("l2_sample_weight", _loss("L2Loss", weight=0.5),
     [("pred", "normal", (3, 2, 2)), ("label", "normal", (3, 4)), ("sample_weight", "pos", (3, 1, 1))]),
    ("l1", _loss("L1Loss"), [("pred", "normal", (3, 4)), ("label", "normal", (3, 4))]),
    ("l1_batch_axis1", _loss("L1Loss", weight=2.0, batch_axis=1),
     [("pred", "normal", (3, 4)), ("label", "normal", (3, 4))]),
    ("softmax_ce", _loss("SoftmaxCrossEntropyLoss"),
     [("pred", "normal", (4, 5)), ("label", "index5", (4,))]),
    ("softmax_ce_axis1", _loss("SoftmaxCrossEntropyLoss", axis=1),
     [("pred", "normal", (2, 3, 4)), ("label", "index3", (2, 4))]),
    ("softmax_ce_dense_label", _loss("SoftmaxCrossEntropyLoss", sparse_label=False, weight=0.5),
     [("pred", "normal", (4, 5)), ("label", "prob", (4, 5))]),
    ("softmax_ce_from_logits_sw", _loss("SoftmaxCELoss", from_logits=True),
     [("pred", "logprob", (4, 5)), ("label", "index5", (4,)), ("sample_weight", "pos", (4, 1))]),
    ("sigmoid_bce", _loss("SigmoidBinaryCrossEntropyLoss"),
     [("pred", "normal", (3, 4)), ("label", "binary", (3, 4))]),
    ("sigmoid_bce_from_sigmoid", _loss("SigmoidBCELoss", from_sigmoid=True),
     [("pred", "prob01", (3, 4)), ("label", "binary", (3, 4))]),
    ("sigmoid_bce_pos_weight", _loss("SigmoidBCELoss"),
     [("pred", "normal", (3, 4)), ("label", "binary", (3, 4)), ("sample_weight", "pos", (3, 1)),
      ("pos_weight", "pos", (4,))]),
    ("kldiv", _loss("KLDivLoss"), [("pred", "logprob", (3, 4)), ("label", "prob", (3, 4))]),
    ("kldiv_not_logits", _loss("KLDivLoss", from_logits=False),
     [("pred", "normal", (3, 4)), ("label", "prob", (3, 4))]),
    ("huber", _loss("HuberLoss", rho=0.5), [("pred", "normal", (3, 4)), ("label", "normal", (3, 4))]),
    ("hinge", _loss("HingeLoss"), [("pred", "normal", (3, 4)), ("label", "sign", (3, 4))]),
    ("squared_hinge", _loss("SquaredHingeLoss", margin=0.5),
     [("pred", "normal", (3, 4)), ("label", "sign", (3, 4))]),
    ("logistic_signed", _loss("LogisticLoss"), [("pred", "normal", (3, 4)), ("label", "sign", (3, 4))]),
    ("logistic_binary", _loss("LogisticLoss", label_format="binary"),
     [("pred", "normal", (3, 4)), ("label", "binary", (3, 4))]),
    ("triplet", _loss("TripletLoss", margin=0.5),
     [("pred", "normal", (3, 4)), ("positive", "normal", (3, 4)), ("negative", "normal", (3, 4))]),
    ("poisson_nll", _loss("PoissonNLLLoss"), [("pred", "normal", (3, 4)), ("target", "count", (3, 4))]),
    ("poisson_nll_full", _loss("PoissonNLLLoss", from_logits=False, compute_full=True),
     [("pred", "pos", (3, 4)), ("target", "count", (3, 4))]),
    ("cosine_embedding", _loss("CosineEmbeddingLoss", margin=0.1),
     [("input1", "normal", (3, 4)), ("input2", "normal", (3, 4)), ("label", "sign", (3,))]),
    ("ctc", _loss("CTCLoss"), [("pred", "normal", (3, 6, 4)), ("label", "ctc4", (3, 3))]),
    ("ctc_tnc_lengths", _loss("CTCLoss", layout="TNC", label_layout="TN", weight=0.5),
     [("pred", "normal", (7, 3, 5)), ("label", "index4", (4, 3)), ("pred_lengths", "steps5to7", (3,)),
      ("label_lengths", "count1to4", (3,))]),
]


# -- initializers: (id, builder, shape) ------------------------------------------------------------
def _init(name, *args, **kwargs):
    return lambda mx: getattr(mx.init, name)(*args, **kwargs)


INIT_CASES = [
    ("uniform_default", _init("Uniform"), (300, 400)),
    ("uniform_0.3", _init("Uniform", 0.3), (300, 400)),
    ("normal_default", _init("Normal"), (300, 400)),
    ("normal_0.2", _init("Normal", 0.2), (300, 400)),
    ("xavier_default", _init("Xavier"), (300, 400)),
    ("xavier_lenet_conv", _init("Xavier", magnitude=2.24), (50, 20, 5, 5)),
    ("xavier_in_gaussian", _init("Xavier", rnd_type="gaussian", factor_type="in", magnitude=2),
     (200, 100, 3, 3)),
    ("xavier_out", _init("Xavier", factor_type="out", magnitude=1), (400, 300)),
    ("msraprelu_default", _init("MSRAPrelu"), (64, 32, 3, 3)),
    ("msraprelu_in", _init("MSRAPrelu", "in", 0.0), (256, 512)),
    ("orthogonal", _init("Orthogonal"), (64, 256)),
    ("orthogonal_normal_tall", _init("Orthogonal", scale=0.5, rand_type="normal"), (256, 64)),
]


# -- inputs --------------------------------------------------------------------------------------------
def make_input(rng, kind, shape):
    """Input arrays by kind (the same in the generator and, loaded from the npz, in the tests)."""
    if kind == "normal":
        return rng.standard_normal(shape).astype(np.float32)
    if kind.startswith("index"):
        return rng.randint(0, int(kind[5:]), size=shape).astype(np.float32)
    if kind == "prob":
        p = rng.uniform(0.1, 1.0, size=shape)
        return (p / p.sum(axis=-1, keepdims=True)).astype(np.float32)
    if kind == "logprob":
        return np.log(make_input(rng, "prob", shape)).astype(np.float32)
    if kind == "prob01":
        return rng.uniform(0.05, 0.95, size=shape).astype(np.float32)
    if kind == "binary":
        return rng.randint(0, 2, size=shape).astype(np.float32)
    if kind == "sign":
        return (rng.randint(0, 2, size=shape) * 2 - 1).astype(np.float32)
    if kind == "pos":
        return rng.uniform(0.5, 2.0, size=shape).astype(np.float32)
    if kind == "count":
        return rng.randint(0, 5, size=shape).astype(np.float32)
    if kind.startswith("ctc"):  # CTC labels 0..classes-2, each row padded with -1 after its length
        label = rng.randint(0, int(kind[3:]) - 1, size=shape)
        label[np.arange(shape[1]) >= rng.randint(1, shape[1] + 1, size=(shape[0], 1))] = -1
        return label.astype(np.float32)
    if kind.startswith("steps") or kind.startswith("count"):  # integers in [low, high]
        low, high = (int(v) for v in kind[5:].split("to"))
        return rng.randint(low, high + 1, size=shape).astype(np.float32)
    raise ValueError(kind)


def param_value(rng, name, shape):
    """The value a golden gives a parameter (variances positive, the rest small)."""
    if name.endswith("var"):
        return rng.uniform(0.5, 1.5, size=shape).astype(np.float32)
    return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)


def model_weights(seed, shapes):
    """Deterministic weights for the model goldens, regenerated by the tests (RandomState is
    stable across numpy versions), so the golden need not store LeNet's 431k weights."""
    rng = np.random.RandomState(seed)
    return {name: rng.uniform(-0.1, 0.1, size=shape).astype(np.float32)
            for name, shape in sorted(shapes.items())}


def digest(a):
    """A few numbers that pin an array down: sum of absolute values, sum of squares, the first 16
    values. (A plain sum would cancel: a softmax layer's weight gradient sums to about zero.)"""
    flat = np.asarray(a, dtype=np.float64).ravel()
    return np.concatenate([[np.abs(flat).sum(), (flat ** 2).sum()], flat[:16]])


# -- generation (MXNet) --------------------------------------------------------------------------------
def gen_names(mx):
    result = {}
    for key, (build, shape) in NAME_CASES.items():
        with mx.name.NameManager():
            net = build(mx)
            net2 = build(mx)  # counters continue at the top level
        net.initialize(mx.init.Xavier())
        net(mx.nd.ones(shape))
        params = net.collect_params()
        result[key] = {
            "prefix": net.prefix, "name": net.name, "prefix2": net2.prefix,
            "params": {k: list(v.shape) for k, v in params.items()},
            "structural": sorted(net._collect_params_with_prefix().keys()),
            "weights_only": list(net.collect_params(".*weight").keys()),
            "repr": repr(net),
            "shared": [k for k, v in net._collect_params_with_prefix().items()
                       if list(net._collect_params_with_prefix().values()).count(v) > 1],
        }
    (OUT / "names.json").write_text(json.dumps(result, indent=1, sort_keys=True))


def run_layer(mx, build, shape, kind, mode, rng):
    with mx.name.NameManager():
        net = build(mx)
    net.initialize(mx.init.Xavier())
    x = make_input(rng, kind, shape)
    net(mx.nd.array(x))  # completes deferred initialization
    params = net._collect_params_with_prefix()
    values = {k: param_value(rng, k, params[k].shape) for k in sorted(params)}
    for k, v in values.items():
        params[k].set_data(mx.nd.array(v))
    result = {"x": x}
    result.update({f"param:{k}": v for k, v in values.items()})
    xs = mx.nd.array(x)
    if mode == "predict":
        result["out"] = net(xs).asnumpy()
    else:
        if kind == "normal":  # index inputs (Embedding) have no gradient
            xs.attach_grad()
        with mx.autograd.record(train_mode=True):
            out = net(xs)
        head = rng.standard_normal(out.shape).astype(np.float32)
        out.backward(mx.nd.array(head))
        result.update(out=out.asnumpy(), head=head)
        if kind == "normal":
            result["grad_x"] = xs.grad.asnumpy()
        result.update({f"grad:{k}": params[k].grad().asnumpy() for k in values
                       if params[k].grad_req != "null"})
    result.update({f"after:{k}": params[k].data().asnumpy() for k in values})
    return result


# MXNet's PoissonNLLLoss(compute_full=True) multiplies in place, which autograd.record() refuses
LOSSES_WITHOUT_GRAD = {"poisson_nll_full"}


def run_loss(mx, key, build, inputs, rng):
    loss = build(mx)
    arrays = {name: make_input(rng, kind, shape) for name, kind, shape in inputs}
    nds = {name: mx.nd.array(a) for name, a in arrays.items()}
    result = {f"in:{k}": v for k, v in arrays.items()}
    if key in LOSSES_WITHOUT_GRAD:
        result["out"] = loss(*[nds[name] for name, _, _ in inputs]).asnumpy()
        return result
    first = inputs[0][0]
    nds[first].attach_grad()
    with mx.autograd.record():
        out = loss(*[nds[name] for name, _, _ in inputs])
    out.backward()
    result.update(out=out.asnumpy(), grad=nds[first].grad.asnumpy())
    return result


def run_model(mx, build, shape, classes, seed, steps, lr):
    rng = np.random.RandomState(seed)
    with mx.name.NameManager():
        net = build(mx)
    net.initialize(mx.init.Xavier(magnitude=2.24))
    net(mx.nd.ones(shape))
    params = net.collect_params()
    weights = model_weights(seed, {k: p.shape for k, p in params.items()})
    for k, v in weights.items():
        params[k].set_data(mx.nd.array(v))
    loss_fn = mx.gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = mx.gluon.Trainer(params, "sgd", {"learning_rate": lr})
    result = {"seed": np.array(seed)}
    for step in range(steps):
        x = rng.standard_normal(shape).astype(np.float32)
        y = rng.randint(0, classes, size=shape[0]).astype(np.float32)
        with mx.autograd.record():
            out = net(mx.nd.array(x))
            loss = loss_fn(out, mx.nd.array(y))
        loss.backward()
        result[f"x{step}"], result[f"y{step}"] = x, y
        result[f"out{step}"], result[f"loss{step}"] = out.asnumpy(), loss.asnumpy()
        for k, p in params.items():
            result[f"grad{step}:{k}"] = digest(p.grad().asnumpy())
        trainer.step(shape[0])
        for k, p in params.items():
            result[f"weight{step}:{k}"] = digest(p.data().asnumpy())
    return result


def gen_files(mx):
    with mx.name.NameManager():
        mlp = build_mlp(mx)
    mlp.initialize(mx.init.Xavier())
    mlp(mx.nd.ones((2, 8)))
    mlp.save_parameters(str(OUT / "mlp.params"))
    mlp.save_params(str(OUT / "mlp_legacy.params"))
    with mx.name.NameManager():
        lenet = build_lenet(mx)
    lenet.initialize(mx.init.Xavier(magnitude=2.24))
    # a first forward pass completes deferred initialization (done inside summary, MXNet would
    # trace the network symbolically and its hooks would report Symbols)
    lenet(mx.nd.ones((1, 1, 28, 28)))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        lenet.summary(mx.nd.ones((1, 1, 28, 28)))
    (OUT / "lenet_summary.txt").write_text(buf.getvalue())


def gen_inits(mx):
    stats = {}
    for key, build, shape in INIT_CASES:
        arr = mx.nd.zeros(shape)
        init = build(mx)
        init(mx.init.InitDesc("case_weight"), arr)
        a = arr.asnumpy().astype(np.float64)
        gram = None
        if key.startswith("orthogonal"):
            m = a.reshape(shape[0], -1)
            gram = float(np.abs((m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m)).sum())
        stats[key] = {"dumps": init.dumps(), "min": a.min(), "max": a.max(), "mean": a.mean(),
                      "std": a.std(), "gram_abs_sum": gram}
    (OUT / "init_stats.json").write_text(json.dumps(stats, indent=1, sort_keys=True))
    arr = mx.nd.zeros((2, 3, 4, 4))
    mx.init.Bilinear()(mx.init.InitDesc("up_weight"), arr)
    np.savez_compressed(OUT / "bilinear.npz", weight=arr.asnumpy())


def main() -> None:
    import mxnet as mx

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "layers").mkdir(exist_ok=True)
    (OUT / "losses").mkdir(exist_ok=True)
    mx.random.seed(0)
    gen_names(mx)
    for key, build, shape, kind, mode in LAYER_CASES:
        rng = np.random.RandomState(zlib.crc32(key.encode()))
        np.savez_compressed(OUT / "layers" / f"{key}.npz", **run_layer(mx, build, shape, kind, mode, rng))
    for key, build, inputs in LOSS_CASES:
        rng = np.random.RandomState(zlib.crc32(key.encode()))
        np.savez_compressed(OUT / "losses" / f"{key}.npz", **run_loss(mx, key, build, inputs, rng))
    np.savez_compressed(OUT / "mlp_train.npz",
                        **run_model(mx, build_mlp, (6, 8), 4, seed=11, steps=3, lr=0.5))
    np.savez_compressed(OUT / "lenet_train.npz",
                        **run_model(mx, build_lenet, (4, 1, 28, 28), 10, seed=5, steps=3, lr=0.1))
    gen_files(mx)
    gen_inits(mx)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
