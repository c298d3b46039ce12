"""Goldens for the Symbol API, the executor, symbol JSON and checkpoints, from MXNet 1.9.1.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_symbol.py [--part NAME ...]
Parts (all by default):

- io: NDArrayIter (every last_batch_handle, shuffled with numpy's seed), CSVIter and MNISTIter
  batches -> golden/symbol/io.json.
- viz: plot_network's node/edge calls (labels, colours, edge shapes) and print_summary's table
  -> golden/symbol/viz.json.
- cases: tests/symbol/symbol_cases.py built by MXNet -> golden/symbol/cases.json (names, JSON and
  its exact text, inferred shapes and types, attributes).
- legacy: old JSON layouts and malformed JSON -> golden/symbol/legacy.json (what MXNet reads, or
  that it rejects them).
- executor: forward/backward of small graphs with fixed inputs -> golden/symbol/executor_*.npz.
- training: Module.fit and FeedForward.fit from fixed parameters -> golden/symbol/training.npz.
- checkpoint: a small LeNet trained briefly on MNIST with Module -> golden/symbol/mx_lenet-symbol.json,
  mx_lenet-0002.params and mx_lenet_predictions.npz (classes MXNet predicts on 200 test images).
- reverse: loads golden/symbol/mxt_lenet-* and mxt_cases.json (written by mxtorch, see
  tests/conformance/write_mxtorch_checkpoint.py) in MXNet -> mxt_lenet_mxnet_predictions.npz and
  mxt_cases_mxnet.json.
"""
import argparse
import gzip
import json
import logging
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "symbol"))
import symbol_cases  # noqa: E402

OUT = HERE / "golden" / "symbol"
MNIST = ROOT.parent / "shared" / "data" / "mnist"


def build(code: str):
    scope = {"mx": mx}
    with mx.name.NameManager():
        exec(code, scope)  # noqa: S102 - trusted test programs
    return scope["out"]


def _shapes(result):
    return [None if r is None else [list(s) for s in r] for r in result]


def _types(result):
    return [None if r is None else [np.dtype(t).name for t in r] for r in result]


def describe(sym, case: dict) -> dict:
    children = sym.get_children()
    d = {"json": json.loads(sym.tojson()), "tojson": sym.tojson(), "arguments": sym.list_arguments(),
         "outputs": sym.list_outputs(), "aux": sym.list_auxiliary_states(),
         "inputs": sym.list_inputs(), "internals": sym.get_internals().list_outputs(),
         "children": None if children is None else children.list_outputs(),
         "attr_dict": sym.attr_dict(), "list_attr": sym.list_attr(), "name": sym.name}
    if "shapes" in case:
        d["infer_shape"] = _shapes(sym.infer_shape(**{k: tuple(v) for k, v in case["shapes"].items()}))
    if "partial" in case:
        d["infer_shape_partial"] = _shapes(
            sym.infer_shape_partial(**{k: tuple(v) for k, v in case["partial"].items()}))
    if "types" in case:
        d["infer_type"] = _types(sym.infer_type(**case["types"]))
    return d


def part_cases() -> None:
    out = {name: describe(build(case["code"]), case) for name, case in symbol_cases.CASES.items()}
    (OUT / "cases.json").write_text(json.dumps(out, indent=1, sort_keys=True))


# -- legacy layouts and malformed files -------------------------------------------------------------
LEGACY = {
    # MXNet 0.8: 'param' and 'attr', two-element entries, backward_source_id, no version, and
    # BatchNorm without its auxiliary inputs; hidden keys spelled without underscores.
    "v0_8": {"nodes": [
        {"op": "null", "param": {}, "name": "data", "inputs": [], "backward_source_id": -1},
        {"op": "null", "param": {}, "name": "conv_weight", "inputs": [], "backward_source_id": -1,
         "attr": {"lr_mult": "0.5"}},
        {"op": "null", "param": {}, "name": "conv_bias", "inputs": [], "backward_source_id": -1},
        {"op": "Convolution", "param": {"kernel": "(3,3)", "no_bias": "False", "num_filter": "4",
                                        "pad": "(1,1)", "stride": "(1,1)", "workspace": "512"},
         "name": "conv", "inputs": [[0, 0], [1, 0], [2, 0]], "backward_source_id": -1,
         "attr": {"ctx_group": "stage1", "weight_lr_mult": "2"}},
        {"op": "null", "param": {}, "name": "bn_gamma", "inputs": [], "backward_source_id": -1},
        {"op": "null", "param": {}, "name": "bn_beta", "inputs": [], "backward_source_id": -1},
        {"op": "BatchNorm", "param": {"eps": "0.001", "fix_gamma": "True", "momentum": "0.9",
                                      "use_global_stats": "False"},
         "name": "bn", "inputs": [[3, 0], [4, 0], [5, 0]], "backward_source_id": -1},
        {"op": "Activation", "param": {"act_type": "relu"}, "name": "relu",
         "inputs": [[6, 0]], "backward_source_id": -1},
        {"op": "null", "param": {}, "name": "softmax_label", "inputs": [], "backward_source_id": -1},
        {"op": "SoftmaxOutput", "param": {"grad_scale": "1", "multi_output": "False"},
         "name": "softmax", "inputs": [[7, 0], [8, 0]], "backward_source_id": -1}],
        "arg_nodes": [0, 1, 2, 4, 5, 8], "heads": [[9, 0]]},
    # MXNet 0.9-1.x before 'attrs': 'attr' holds parameters, three-element entries, version given.
    "v0_9_attr": {"nodes": [
        {"op": "null", "name": "x", "attr": {"__shape__": "(2, 3)", "__lr_mult__": "2"},
         "inputs": []},
        {"op": "null", "name": "fc_weight", "attr": {"num_hidden": "4"}, "inputs": []},
        {"op": "FullyConnected", "name": "fc", "attr": {"num_hidden": "4", "no_bias": "True"},
         "inputs": [[0, 0, 0], [1, 0, 0]]},
        {"op": "_mul_scalar", "name": "_mulscalar0", "attr": {"scalar": "2"},
         "inputs": [[2, 0, 0]]}],
        "arg_nodes": [0, 1], "node_row_ptr": [0, 1, 2, 3, 4], "heads": [[3, 0, 0], [2, 0, 0]],
        "attrs": {"mxnet_version": ["int", 905]}},
    # 1.x without node_row_ptr; an alias op name and a capitalised legacy arithmetic name.
    "v1_no_row_ptr": {"nodes": [
        {"op": "null", "name": "a", "inputs": []},
        {"op": "null", "name": "b", "inputs": []},
        {"op": "_Plus", "name": "_plus0", "inputs": [[0, 0, 0], [1, 0, 0]]},
        {"op": "reshape", "name": "r", "attrs": {"shape": "(-1,)"}, "inputs": [[2, 0, 0]]},
        {"op": "_MulScalar", "name": "m", "attrs": {"scalar": "3"}, "inputs": [[3, 0, 0]]}],
        "arg_nodes": [0, 1], "heads": [[4, 0, 0]], "attrs": {"mxnet_version": ["int", 10600]}},
}

_OK = {"nodes": [{"op": "null", "name": "x", "inputs": []},
                 {"op": "Activation", "name": "act", "attrs": {"act_type": "relu"},
                  "inputs": [[0, 0, 0]]}],
       "arg_nodes": [0], "heads": [[1, 0, 0]]}


def _malformed() -> dict:
    def variant(**change):
        g = json.loads(json.dumps(_OK))
        for path, value in change.items():
            target = g
            keys = path.split("__")
            for k in keys[:-1]:
                target = target[int(k)] if k.isdigit() else target[k]
            last = keys[-1]
            if value is _DELETE:
                del target[int(last) if last.isdigit() else last]
            else:
                target[int(last) if last.isdigit() else last] = value
        return json.dumps(g)

    return {
        "missing_nodes": variant(nodes=_DELETE),
        "missing_heads": variant(heads=_DELETE),
        "missing_arg_nodes": variant(arg_nodes=_DELETE),
        "node_missing_op": variant(nodes__1__op=_DELETE),
        "node_missing_name": variant(nodes__1__name=_DELETE),
        "node_missing_inputs": variant(nodes__1__inputs=_DELETE),
        "unknown_operator": variant(nodes__1__op="NoSuchOp"),
        "cycle_self": variant(nodes__1__inputs=[[1, 0, 0]]),
        "forward_reference": variant(nodes__0__op="Activation", nodes__0__attrs={"act_type": "relu"},
                                     nodes__0__inputs=[[1, 0, 0]]),
        "bad_attribute_value": variant(nodes__1__attrs={"act_type": "nonsense"}),
        "unknown_attribute": variant(nodes__1__attrs={"act_type": "relu", "bogus": "1"}),
        "missing_required_attribute": variant(nodes__1__attrs={}),
        "bad_input_index": variant(nodes__1__inputs=[[0, 3, 0]]),
        "head_out_of_range": variant(heads=[[5, 0, 0]]),
        "not_json": '{"nodes": [',
    }


_DELETE = object()


def part_legacy() -> None:
    out = {"legacy": {}, "malformed": {}}
    for name, graph in LEGACY.items():
        sym = mx.sym.load_json(json.dumps(graph))
        out["legacy"][name] = {"source": graph, "arguments": sym.list_arguments(),
                               "aux": sym.list_auxiliary_states(), "outputs": sym.list_outputs(),
                               "attr_dict": sym.attr_dict(), "resaved": json.loads(sym.tojson())}
    for name, text in _malformed().items():
        try:
            mx.sym.load_json(text)
            rejected, message = False, ""
        except Exception as err:  # noqa: BLE001 - some messages do not even decode
            rejected, message = True, str(err).splitlines()[0][:300]
        out["malformed"][name] = {"source": text, "mxnet_rejects": rejected, "mxnet_message": message}
    (OUT / "legacy.json").write_text(json.dumps(out, indent=1, sort_keys=True))


# -- executor numerics --------------------------------------------------------------------------------
EXEC_NET = """
data = mx.sym.Variable('data')
c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=2, pad=(1, 1), name='conv')
bn = mx.sym.BatchNorm(c, fix_gamma=False, name='bn')
a = mx.sym.Activation(bn, act_type='relu', name='relu')
p = mx.sym.Pooling(a, kernel=(2, 2), stride=(2, 2), pool_type='max', name='pool')
f = mx.sym.FullyConnected(mx.sym.Flatten(p), num_hidden=3, name='fc')
out = mx.sym.SoftmaxOutput(f, name='softmax')
"""
EXEC_PLAIN = """
a = mx.sym.Variable('a')
b = mx.sym.Variable('b')
out = mx.sym.Group([2 * a + b * a, mx.sym.sum(mx.sym.exp(a) / b, axis=1)])
"""


def part_executor() -> None:
    rng = np.random.RandomState(0)
    sym = build(EXEC_NET)
    ex = sym.simple_bind(mx.cpu(), data=(4, 1, 6, 6), softmax_label=(4,))
    values = {}
    for name, arr in ex.arg_dict.items():
        v = rng.standard_normal(arr.shape).astype(np.float32)
        if name == "softmax_label":
            v = np.array([0, 2, 1, 2], np.float32)
        arr[:] = v
        values[f"arg_{name}"] = v
    for name, arr in ex.aux_dict.items():
        v = (rng.uniform(0.5, 1.5, arr.shape) if name.endswith("var") else
             rng.standard_normal(arr.shape)).astype(np.float32)
        arr[:] = v
        values[f"aux_{name}"] = v
    out = ex.forward(is_train=True)[0].asnumpy()
    ex.backward()
    res = dict(values, train_out=out)
    res.update({f"grad_{k}": g.asnumpy() for k, g in ex.grad_dict.items() if g is not None})
    res.update({f"aux_after_{k}": a.asnumpy() for k, a in ex.aux_dict.items()})
    res["predict_out"] = ex.forward(is_train=False)[0].asnumpy()
    np.savez_compressed(OUT / "executor_net.npz", **res)

    sym = build(EXEC_PLAIN)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.uniform(1, 2, (2, 3)).astype(np.float32)
    heads = [rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2,)).astype(np.float32)]
    ex = sym.bind(mx.cpu(), {"a": mx.nd.array(a), "b": mx.nd.array(b)},
                  args_grad={"a": mx.nd.ones((2, 3)), "b": mx.nd.ones((2, 3))},
                  grad_req={"a": "add", "b": "write"})
    outs = [o.asnumpy() for o in ex.forward(is_train=True)]
    ex.backward([mx.nd.array(h) for h in heads])  # a second backward gives garbage in MXNet
    np.savez_compressed(OUT / "executor_plain.npz", a=a, b=b, head0=heads[0], head1=heads[1],
                        out0=outs[0], out1=outs[1], grad_a=ex.grad_dict["a"].asnumpy(),
                        grad_b=ex.grad_dict["b"].asnumpy())


# -- checkpoints ----------------------------------------------------------------------------------
def mnist(kind: str, count: int) -> tuple:
    with gzip.open(MNIST / f"{kind}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:count]
    with gzip.open(MNIST / f"{kind}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    return images.astype(np.float32) / 255, labels.astype(np.float32)


def part_checkpoint() -> None:
    logging.basicConfig(level=logging.INFO)
    mx.random.seed(7)
    np.random.seed(7)
    x, y = mnist("train", 3000)
    train = mx.io.NDArrayIter(x, y, batch_size=100, shuffle=False)
    mod = mx.mod.Module(build(symbol_cases.SMALL_LENET), context=mx.cpu())
    mod.fit(train, num_epoch=2, initializer=mx.init.Xavier(), optimizer="sgd",
            optimizer_params={"learning_rate": 0.2})
    mod.save_checkpoint(str(OUT / "mx_lenet"), 2)
    xt, yt = mnist("t10k", 200)
    probs = mod.predict(mx.io.NDArrayIter(xt, yt, batch_size=50)).asnumpy()
    np.savez_compressed(OUT / "mx_lenet_predictions.npz", probs=probs, classes=probs.argmax(1),
                        labels=yt)


def part_reverse() -> None:
    sym, args, auxs = mx.model.load_checkpoint(str(OUT / "mxt_lenet"), 1)
    mod = mx.mod.Module(sym, context=mx.cpu())
    xt, yt = mnist("t10k", 200)
    it = mx.io.NDArrayIter(xt, yt, batch_size=50)
    mod.bind(it.provide_data, it.provide_label, for_training=False)
    mod.set_params(args, auxs)
    probs = mod.predict(it).asnumpy()
    np.savez_compressed(OUT / "mxt_lenet_mxnet_predictions.npz", probs=probs, classes=probs.argmax(1),
                        arguments=np.array(sym.list_arguments()), aux=np.array(sym.list_auxiliary_states()))
    read = {}
    for name, text in json.loads((OUT / "mxt_cases.json").read_text()).items():
        loaded = mx.sym.load_json(text)
        read[name] = {"arguments": loaded.list_arguments(), "outputs": loaded.list_outputs(),
                      "aux": loaded.list_auxiliary_states(), "attr_dict": loaded.attr_dict(),
                      "resaved": json.loads(loaded.tojson())}
    (OUT / "mxt_cases_mxnet.json").write_text(json.dumps(read, indent=1, sort_keys=True))


# -- data iterators --------------------------------------------------------------------------------
def _epochs(it, n: int = 3) -> list:
    out = []
    for _ in range(n):
        out.append([{"data": [d.asnumpy().tolist() for d in b.data],
                     "label": [lab.asnumpy().tolist() for lab in b.label], "pad": b.pad,
                     "index": None if b.index is None else [int(i) for i in b.index]} for b in it])
        it.reset()
    return out


def _descs(descs) -> list:
    return [[d.name, list(d.shape), np.dtype(d.dtype).name, d.layout] for d in descs]


def part_io() -> None:
    x = np.arange(40, dtype=np.float32).reshape(10, 2, 2)
    y = np.arange(10, dtype=np.float32)
    out = {"ndarrayiter": {}, "csviter": {}}
    for shuffle in (False, True):
        for handle in ("pad", "discard", "roll_over"):
            for bs in (3, 4, 25):
                if handle == "roll_over" and bs > len(x):
                    continue  # MXNet fails on it ("Invalid end")
                np.random.seed(0)
                it = mx.io.NDArrayIter(x, y, bs, shuffle=shuffle, last_batch_handle=handle)
                key = f"{shuffle}-{handle}-{bs}"
                out["ndarrayiter"][key] = {"provide_data": _descs(it.provide_data),
                                           "provide_label": _descs(it.provide_label),
                                           "epochs": _epochs(it)}
    it = mx.io.NDArrayIter({"b": x, "a": x[:, :1]}, [y, y * 2], 4, label_name="lab")
    out["ndarrayiter"]["dict-list"] = {"provide_data": _descs(it.provide_data),
                                       "provide_label": _descs(it.provide_label),
                                       "epochs": _epochs(it, 1)}
    tmp = pathlib.Path("/tmp/gen_symbol_csv")
    tmp.mkdir(exist_ok=True)
    np.savetxt(tmp / "d.csv", np.arange(30).reshape(10, 3), delimiter=",", fmt="%g")
    np.savetxt(tmp / "l.csv", np.arange(10) + 100, delimiter=",", fmt="%g")
    np.savetxt(tmp / "l2.csv", np.arange(20).reshape(10, 2), delimiter=",", fmt="%g")
    for key, kw in {"round": dict(data_shape=(3,), batch_size=4),
                    "noround": dict(data_shape=(3,), batch_size=4, round_batch=False,
                                    label_csv=str(tmp / "l.csv")),
                    "shape13": dict(data_shape=(1, 3), batch_size=3, label_csv=str(tmp / "l.csv")),
                    "label2": dict(data_shape=(3,), batch_size=5, label_shape=(2,),
                                   label_csv=str(tmp / "l2.csv"))}.items():
        it = mx.io.CSVIter(data_csv=str(tmp / "d.csv"), **kw)
        out["csviter"][key] = {"kwargs": {k: v for k, v in kw.items() if k != "label_csv"},
                               "label_file": pathlib.Path(kw.get("label_csv", "NULL")).name,
                               "provide_data": _descs(it.provide_data),
                               "provide_label": _descs(it.provide_label), "epochs": _epochs(it)}
    raw = pathlib.Path("/tmp/gen_symbol_mnist")
    raw.mkdir(exist_ok=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (raw / name).write_bytes(gzip.open(MNIST / f"{name}.gz").read())
    it = mx.io.MNISTIter(image=str(raw / "t10k-images-idx3-ubyte"),
                         label=str(raw / "t10k-labels-idx1-ubyte"), batch_size=128, shuffle=False)
    # MXNet's C++ iterators reuse their output buffers: read each batch before the next
    first = it.next()
    first = (first.data[0].asnumpy(), first.label[0].asnumpy())
    count, last = 1, None
    for b in it:
        count, last = count + 1, b.label[0].asnumpy()
    out["mnistiter"] = {"num_batches": count, "provide_data": _descs(it.provide_data),
                        "provide_label": _descs(it.provide_label),
                        "first_data_sum": float(first[0].sum()), "first_data_max": float(first[0].max()),
                        "first_labels": first[1].tolist(), "last_labels": last.tolist()}
    flat = mx.io.MNISTIter(image=str(raw / "t10k-images-idx3-ubyte"),
                           label=str(raw / "t10k-labels-idx1-ubyte"), batch_size=100, flat=True)
    out["mnistiter"]["flat_provide_data"] = _descs(flat.provide_data)
    (OUT / "io.json").write_text(json.dumps(out, sort_keys=True))


# -- visualization ----------------------------------------------------------------------------------
VIZ_CASES = {
    "lenet": {"case": "lenet", "kwargs": {"shape": {"data": [1, 1, 28, 28]}}},
    "lenet_plain": {"case": "lenet", "kwargs": {}},
    "batchnorm": {"case": "batchnorm", "kwargs": {"shape": {"x": [2, 3, 5, 5]},
                                                  "dtype": {"x": "float32"}, "hide_weights": False,
                                                  "node_attrs": {"shape": "oval"}}},
    "multi_output": {"case": "multi_output", "kwargs": {"shape": {"x": [2, 3, 4]}}},
}


def _record_digraph(plot) -> dict:
    """Call ``plot()`` with graphviz's Digraph.node/edge recording their arguments."""
    import graphviz
    calls = {"nodes": [], "edges": []}
    node, edge = graphviz.Digraph.node, graphviz.Digraph.edge

    def rec_node(self, name, label=None, **attrs):
        calls["nodes"].append({"name": name, "label": label, "attrs": attrs})
        return node(self, name, label, **attrs)

    def rec_edge(self, tail_name, head_name, **attrs):
        calls["edges"].append({"tail": tail_name, "head": head_name, "attrs": attrs})
        return edge(self, tail_name, head_name, **attrs)

    graphviz.Digraph.node, graphviz.Digraph.edge = rec_node, rec_edge
    try:
        dot = plot()
    finally:
        graphviz.Digraph.node, graphviz.Digraph.edge = node, edge
    calls["name"], calls["format"] = dot.name, dot.format
    return calls


def _viz_kwargs(kwargs: dict) -> dict:
    out = dict(kwargs)
    if "shape" in out:
        out["shape"] = {k: tuple(v) for k, v in out["shape"].items()}
    return out


def part_viz() -> None:
    import contextlib
    import io as pyio
    out = {"plot": {}, "summary": {}}
    for key, spec in VIZ_CASES.items():
        sym = build(symbol_cases.CASES[spec["case"]]["code"])
        out["plot"][key] = _record_digraph(
            lambda: mx.viz.plot_network(sym, **_viz_kwargs(spec["kwargs"])))
    for key, shape in {"lenet": {"data": (1, 1, 28, 28)}, "batchnorm": {"x": (2, 3, 5, 5)},
                       "small_lenet": {"data": (1, 1, 28, 28)}}.items():
        buf = pyio.StringIO()
        with contextlib.redirect_stdout(buf):
            mx.viz.print_summary(build(symbol_cases.CASES[key]["code"]), shape=shape)
        out["summary"][key] = buf.getvalue()
    (OUT / "viz.json").write_text(json.dumps(out, indent=1, sort_keys=True))


# -- training numerics ------------------------------------------------------------------------------
def _initial_params(sym) -> dict:
    """Fixed starting parameters for the training goldens (arg:/aux: keys)."""
    rng = np.random.RandomState(3)
    arg_shapes, _, aux_shapes = sym.infer_shape(data=(100, 1, 28, 28))
    out = {}
    for name, shape in zip(sym.list_arguments(), arg_shapes):
        if name not in ("data", "softmax_label"):
            out[f"arg:{name}"] = (rng.standard_normal(shape) * 0.1).astype(np.float32)
    for name, shape in zip(sym.list_auxiliary_states(), aux_shapes):
        out[f"aux:{name}"] = (rng.uniform(0.5, 1.5, shape) if name.endswith("var")
                              else rng.standard_normal(shape) * 0.1).astype(np.float32)
    return out


def _split(params: dict) -> tuple:
    return ({k[4:]: mx.nd.array(v) for k, v in params.items() if k.startswith("arg:")},
            {k[4:]: mx.nd.array(v) for k, v in params.items() if k.startswith("aux:")})


def part_training() -> None:
    """Module.fit and FeedForward.fit from fixed parameters on 500 MNIST images (no shuffling):
    final parameters, training accuracy and the score on 200 test images."""
    logging.basicConfig(level=logging.INFO)
    sym = build(symbol_cases.SMALL_LENET)
    init = _initial_params(sym)
    x, y = mnist("train", 500)
    xt, yt = mnist("t10k", 200)
    result = {f"init_{k}": v for k, v in init.items()}
    arg, aux = _split(init)
    mod = mx.mod.Module(sym, context=mx.cpu())
    train_metric = mx.metric.Accuracy()
    mod.fit(mx.io.NDArrayIter(x, y, 100), num_epoch=2, arg_params=arg, aux_params=aux,
            optimizer="sgd", eval_metric=train_metric,
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4})
    args, auxs = mod.get_params()
    result.update({f"module_arg:{k}": v.asnumpy() for k, v in args.items()})
    result.update({f"module_aux:{k}": v.asnumpy() for k, v in auxs.items()})
    result["module_train_acc"] = np.float64(train_metric.get()[1])
    result["module_score"] = np.float64(mod.score(mx.io.NDArrayIter(xt, yt, 100), "acc")[0][1])
    arg, aux = _split(init)
    model = mx.model.FeedForward(sym, ctx=mx.cpu(), num_epoch=2, learning_rate=0.1,
                                 arg_params=arg, aux_params=aux)
    model.fit(X=mx.io.NDArrayIter(x, y, 100), eval_data=mx.io.NDArrayIter(xt, yt, 100))
    result.update({f"ff_arg:{k}": v.asnumpy() for k, v in model.arg_params.items()})
    result.update({f"ff_aux:{k}": v.asnumpy() for k, v in model.aux_params.items()})
    result["ff_score"] = np.float64(model.score(mx.io.NDArrayIter(xt, yt, 100)))
    result["ff_predict"] = model.predict(mx.io.NDArrayIter(xt, yt, 64))
    np.savez_compressed(OUT / "training.npz", **result)


PARTS = {"training": part_training, "viz": part_viz, "io": part_io, "cases": part_cases,
         "legacy": part_legacy, "executor": part_executor, "checkpoint": part_checkpoint,
         "reverse": part_reverse}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", nargs="*", choices=sorted(PARTS), help="parts to (re)generate")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in args.part or [p for p in PARTS if p != "reverse"]:
        PARTS[name]()
        print("wrote", name)


if __name__ == "__main__":
    main()
