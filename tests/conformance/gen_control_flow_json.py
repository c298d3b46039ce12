"""Record MXNet 1.9.1's symbol files for graphs holding control flow (control_flow_programs.py:
sym.contrib.foreach, while_loop, cond, a foreach inside a foreach, a foreach over a BatchNorm, and
a hybridized block exported with a foreach), with their inputs and what MXNet's executor gives on
them: outputs and, for all-ones head gradients, the gradients of the weights and data.

tests/symbol/test_control_flow_json.py loads these files in mxtorch and checks the numbers. It
also writes mxtorch's own files for the same graphs and, when the reference venv is present, runs
this script's ``check`` and ``check-block`` commands to have MXNet load and run them.

Run in the reference venv:  .ref/bin/python tests/conformance/gen_control_flow_json.py
Writes tests/conformance/golden/control_flow_json/ (*-symbol.json, block-0000.params, values.npz).
"""
import json
import pathlib
import sys

import mxnet as mx
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from control_flow_programs import (CASES, UNRECORDED_GRADS, WHILE_STEPS, build,  # noqa: E402
                                   recurrent_block)

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "control_flow_json"
nd = mx.nd


def inputs_for(case, rng):
    values = {k: rng.standard_normal(s).astype(np.float32) for k, s in CASES[case][1].items()}
    if case == "while":
        values["i"] = np.zeros((1,), np.float32)
    if case == "cond_pos":
        values["a"] = np.abs(values["a"])
    if case == "cond_neg":
        values["a"] = -np.abs(values["a"])
    if case == "batchnorm":
        values["bn_moving_var"] = np.abs(values["bn_moving_var"]) + 0.5
    return values


def run_in_mxnet(symbol, values, grad_names):
    """Bind ``symbol`` on ``values`` and run it: with ``grad_names``, forward in training mode and
    backward with all-ones head gradients; without, forward for inference. Returns the outputs and
    the gradients of ``grad_names``."""
    args = {k: nd.array(values[k]) for k in symbol.list_arguments()}
    aux = {k: nd.array(values[k]) for k in symbol.list_auxiliary_states()}
    grads = {k: nd.zeros(args[k].shape) for k in grad_names}
    req = {k: ("write" if k in grads else "null") for k in args}
    ex = symbol.bind(mx.cpu(), args, args_grad=grads, grad_req=req, aux_states=aux)
    outs = ex.forward(is_train=bool(grads))
    if grads:
        ex.backward([nd.ones(o.shape) for o in outs])
    return [o.asnumpy() for o in outs], {k: g.asnumpy() for k, g in grads.items()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    mx.random.seed(0)
    result = {}
    for case, (_, _, grad_names, stem) in CASES.items():
        with mx.name.NameManager():   # node names as in a fresh process, whatever ran before
            symbol = build(mx.sym, case)
        symbol.save(str(OUT / f"{stem}-symbol.json"))
        values = inputs_for(case, rng)
        outs, grads = run_in_mxnet(symbol, values, grad_names)
        if case == "while":
            outs[0] = outs[0][:WHILE_STEPS]
        for k, v in values.items():
            result[f"{case}:in:{k}"] = v
        for j, o in enumerate(outs):
            result[f"{case}:out:{j}"] = o
        for k, g in grads.items():
            if k not in UNRECORDED_GRADS.get(case, ()):
                result[f"{case}:grad:{k}"] = g
    net = recurrent_block(mx.gluon)(prefix="rec_")
    net.initialize(mx.init.Xavier(rnd_type="gaussian", magnitude=2))
    net.hybridize()
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    h = rng.standard_normal((2, 4)).astype(np.float32)
    out, last = net(nd.array(x), nd.array(h))
    net.export(str(OUT / "block"))
    result.update({"block:in:data0": x, "block:in:data1": h, "block:out:0": out.asnumpy(),
                   "block:out:1": last.asnumpy()})
    np.savez_compressed(OUT / "values.npz", **result)
    print("wrote", OUT)


def check(path, npz, case):
    """Load a symbol file (mxtorch's) in MXNet, run it on the case's recorded inputs and print
    its outputs and gradients as JSON."""
    values = np.load(npz)
    prefix = f"{case}:in:"
    inputs = {k[len(prefix):]: values[k] for k in values.files if k.startswith(prefix)}
    outs, grads = run_in_mxnet(mx.sym.load(path), inputs, CASES[case][2])
    print(json.dumps({"outputs": [o.tolist() for o in outs],
                      "grads": {k: g.tolist() for k, g in grads.items()}}))


def check_block(symbol_file, param_file, npz):
    """Import an exported block (mxtorch's) with SymbolBlock.imports and print its outputs on
    the block case's recorded inputs as JSON."""
    values = np.load(npz)
    net = mx.gluon.SymbolBlock.imports(symbol_file, ["data0", "data1"], param_file)
    outs = net(nd.array(values["block:in:data0"]), nd.array(values["block:in:data1"]))
    print(json.dumps({"outputs": [o.asnumpy().tolist() for o in outs]}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"]:
        check(*sys.argv[2:5])
    elif sys.argv[1:2] == ["check-block"]:
        check_block(*sys.argv[2:5])
    else:
        main()
