"""Goldens for custom operators (``mx.operator``), from MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_custom_op.py

Two Python operators are defined on the ``mx`` module given (``define_ops``): MXNet's tutorial
softmax (a loss: ``need_top_grad=False``, arguments ``data`` and ``label``) and ``scale_square``,
which has two outputs (``data * weight`` and ``data ** 2``) and an auxiliary state
(``running_mean``, moved towards the batch mean in training). Each case below is a plain function
of ``mx`` returning arrays; MXNet's answers go to ``golden/custom_op/<case>.npz`` (and the symbol
JSON and names to ``golden/custom_op/symbol.json``), and the tests replay the same functions on
mxtorch. Importing this module does not import MXNet.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "custom_op"


def define_ops(mx):
    """Register ``softmax`` and ``scale_square`` with ``mx.operator``; returns a list the
    operators append their calls to (``(what, details)``)."""
    calls = []

    class Softmax(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            x = in_data[0].asnumpy()
            y = np.exp(x - x.max(axis=1).reshape((x.shape[0], 1)))
            y /= y.sum(axis=1).reshape((x.shape[0], 1))
            self.assign(out_data[0], req[0], mx.nd.array(y))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            calls.append(("softmax backward", list(req)))
            label = in_data[1].asnumpy().ravel().astype(np.int64)
            y = out_data[0].asnumpy()
            y[np.arange(label.shape[0]), label] -= 1.0
            self.assign(in_grad[0], req[0], mx.nd.array(y))

    @mx.operator.register("softmax")
    class SoftmaxProp(mx.operator.CustomOpProp):
        def __init__(self):
            super().__init__(need_top_grad=False)

        def list_arguments(self):
            return ["data", "label"]

        def list_outputs(self):
            return ["output"]

        def infer_shape(self, in_shape):
            return [in_shape[0], (in_shape[0][0],)], [in_shape[0]], []

        def infer_type(self, in_type):
            return in_type, [in_type[0]], []

        def create_operator(self, ctx, shapes, dtypes):
            return Softmax()

    class ScaleSquare(mx.operator.CustomOp):
        def __init__(self, momentum):
            super().__init__()
            self.momentum = momentum

        def forward(self, is_train, req, in_data, out_data, aux):
            calls.append(("scale_square forward", bool(is_train), list(req)))
            x, w = in_data
            self.assign(out_data[0], req[0], mx.nd.broadcast_mul(x, w))
            self.assign(out_data[1], req[1], x * x)
            if is_train:
                aux[0][:] = self.momentum * aux[0] + (1 - self.momentum) * x.mean(axis=0)

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            calls.append(("scale_square backward", list(req)))
            x, w = in_data
            self.assign(in_grad[0], req[0], mx.nd.broadcast_mul(out_grad[0], w) + 2 * out_grad[1] * x)
            self.assign(in_grad[1], req[1], (out_grad[0] * x).sum(axis=0))

    @mx.operator.register("scale_square")
    class ScaleSquareProp(mx.operator.CustomOpProp):
        def __init__(self, momentum="0.9"):
            super().__init__(need_top_grad=True)
            self.momentum = float(momentum)  # MXNet hands every keyword over as a string

        def list_arguments(self):
            return ["data", "weight"]

        def list_outputs(self):
            return ["scaled", "squared"]

        def list_auxiliary_states(self):
            return ["running_mean"]

        def infer_shape(self, in_shape):
            data = in_shape[0]
            return [data, (data[1],)], [data, data], [(data[1],)]

        def create_operator(self, ctx, shapes, dtypes):
            calls.append(("scale_square create", [list(s) for s in shapes], list(dtypes)))
            return ScaleSquare(self.momentum)

    return calls


def _inputs():
    rng = np.random.RandomState(7)
    return {"x": rng.uniform(-1, 1, (4, 5)).astype(np.float32),
            "label": np.array([0, 3, 1, 4], np.float32),
            "data": rng.uniform(-1, 1, (2, 3)).astype(np.float32),
            "weight": np.array([0.5, -1.0, 2.0], np.float32),
            "g0": rng.uniform(-1, 1, (2, 3)).astype(np.float32),
            "g1": rng.uniform(-1, 1, (2, 3)).astype(np.float32)}


def case_softmax(mx):
    """The tutorial softmax: forward, and the gradient of a recorded call."""
    a = _inputs()
    x, label = mx.nd.array(a["x"]), mx.nd.array(a["label"])
    out = mx.nd.Custom(x, label, op_type="softmax")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, label, op_type="softmax")
    y.backward()
    return {"output": out.asnumpy(), "recorded": y.asnumpy(), "x_grad": x.grad.asnumpy()}


def case_scale_square(mx):
    """Two outputs and an aux state: a predict-mode call, then a recorded one with head gradients;
    then ``momentum`` given as a keyword (a string for the prop)."""
    a = _inputs()
    x, w = mx.nd.array(a["data"]), mx.nd.array(a["weight"])
    running = mx.nd.zeros(3)
    scaled, squared = mx.nd.Custom(x, w, running, op_type="scale_square")
    predict_running = running.asnumpy()
    x.attach_grad()
    w.attach_grad()
    with mx.autograd.record():
        outs = mx.nd.Custom(x, w, running, op_type="scale_square")
    mx.autograd.backward(outs, [mx.nd.array(a["g0"]), mx.nd.array(a["g1"])])
    x_grad, w_grad, train_running = x.grad.asnumpy(), w.grad.asnumpy(), running.asnumpy()
    with mx.autograd.record():
        first = mx.nd.Custom(x, w, running, op_type="scale_square", momentum=0.5)[0]
    first.backward()  # the second output gets a zero gradient
    return {"scaled": scaled.asnumpy(), "squared": squared.asnumpy(),
            "predict_running": predict_running, "recorded_scaled": outs[0].asnumpy(),
            "x_grad": x_grad, "w_grad": w_grad, "train_running": train_running,
            "first_x_grad": x.grad.asnumpy(), "momentum_running": running.asnumpy()}


def scale_square_symbol(mx):
    data = mx.sym.Variable("data")
    return mx.sym.Custom(data, op_type="scale_square", name="ss", momentum=0.5)


def case_bind(mx):
    """``simple_bind`` with ``grad_req='add'``: two training passes accumulate the gradients and
    move the aux state twice; a predict pass leaves it."""
    a = _inputs()
    ex = scale_square_symbol(mx).simple_bind(mx.cpu(), data=(2, 3), grad_req="add")
    ex.arg_dict["data"][:] = a["data"]
    ex.arg_dict["ss_weight"][:] = a["weight"]
    for _ in range(2):
        ex.forward(is_train=True)
        ex.backward([mx.nd.array(a["g0"]), mx.nd.array(a["g1"])])
    outs = [o.asnumpy() for o in ex.outputs]
    running = ex.aux_dict["ss_running_mean"].asnumpy()
    ex.forward(is_train=False)
    return {"scaled": outs[0], "squared": outs[1], "data_grad": ex.grad_dict["data"].asnumpy(),
            "weight_grad": ex.grad_dict["ss_weight"].asnumpy(), "running": running,
            "predict_running": ex.aux_dict["ss_running_mean"].asnumpy()}


def case_hybrid(mx):
    """A hybridized block: Dense then ``F.Custom`` softmax; the Dense weight's gradient."""
    a = _inputs()

    class Net(mx.gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.fc = mx.gluon.nn.Dense(5, in_units=5)

        def hybrid_forward(self, F, x, label):
            return F.Custom(self.fc(x), label, op_type="softmax", name="sm")

    net = Net()
    net.initialize()
    net.fc.weight.set_data(mx.nd.array(np.eye(5, dtype=np.float32) * 2))
    net.fc.bias.set_data(mx.nd.array(np.arange(5, dtype=np.float32) / 10))
    net.hybridize()
    x, label = mx.nd.array(a["x"]), mx.nd.array(a["label"])
    with mx.autograd.record():
        y = net(x, label)
    y.backward()
    return {"output": y.asnumpy(), "weight_grad": net.fc.weight.grad().asnumpy(),
            "bias_grad": net.fc.bias.grad().asnumpy()}


def softmax_network(mx):
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    return mx.sym.Custom(fc, op_type="softmax", name="softmax")


def case_module_fit(mx):
    """One epoch of Module.fit (plain SGD, no shuffling) on a tiny NDArrayIter, from given
    weights; the loss is the custom softmax, its label the implicit ``softmax_label``."""
    rng = np.random.RandomState(3)
    data = rng.uniform(-1, 1, (8, 4)).astype(np.float32)
    label = rng.randint(0, 3, 8).astype(np.float32)
    weight = rng.uniform(-0.5, 0.5, (3, 4)).astype(np.float32)
    it = mx.io.NDArrayIter(data, label, batch_size=4, shuffle=False, label_name="softmax_label")
    mod = mx.mod.Module(softmax_network(mx), data_names=["data"], label_names=["softmax_label"])
    mod.fit(it, num_epoch=1, optimizer="sgd", optimizer_params={"learning_rate": 0.5},
            arg_params={"fc_weight": mx.nd.array(weight), "fc_bias": mx.nd.zeros(3)},
            eval_metric="acc")
    args, _ = mod.get_params()
    return {"fc_weight": args["fc_weight"].asnumpy(), "fc_bias": args["fc_bias"].asnumpy()}


CASES = {"softmax": case_softmax, "scale_square": case_scale_square, "bind": case_bind,
         "hybrid": case_hybrid, "module_fit": case_module_fit}


def symbol_facts(mx):
    """What MXNet says about the ``scale_square`` symbol: names, shapes and its JSON."""
    sym = scale_square_symbol(mx)
    arg, out, aux = sym.infer_shape(data=(2, 3))
    return {"arguments": sym.list_arguments(), "outputs": sym.list_outputs(),
            "aux_states": sym.list_auxiliary_states(),
            "shapes": [[list(s) for s in part] for part in (arg, out, aux)],
            "json": json.loads(sym.tojson())}


def main():
    import mxnet as mx

    OUT.mkdir(parents=True, exist_ok=True)
    calls = define_ops(mx)
    for name, case in CASES.items():
        np.savez(OUT / f"{name}.npz", **case(mx))
    mx.nd.waitall()
    facts = symbol_facts(mx)
    calls.clear()
    case_scale_square(mx)
    mx.nd.waitall()
    facts["imperative_calls"] = [list(c) for c in calls]
    (OUT / "symbol.json").write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    try:
        mx.nd.Custom(mx.nd.ones(2), op_type="not_registered")
        mx.nd.waitall()
    except mx.base.MXNetError as err:
        print("unregistered op_type:", str(err).splitlines()[-1])


if __name__ == "__main__":
    main()
