"""What MXNet 1.9.1's Monitor reports for a small symbolic net.

    .ref/bin/python tests/conformance/gen_monitor.py

The net is FullyConnected -> BatchNorm -> Activation -> SoftmaxOutput bound with simple_bind,
its arrays filled from a seeded generator (saved too). Cases: inference forward with and without
``monitor_all``; a training forward + backward; a pattern with ``sort`` over three batches at
interval 2. golden/monitor/monitor.json holds each case's ``toc()`` as [step, name, value] rows
(the stat text parsed as a float); tests/test_monitor.py replays them with mxtorch.
"""
import json
import os
import pathlib

os.environ["MXNET_SUBGRAPH_BACKEND"] = "NONE"   # keep fc1 its own node: no fused MKLDNN subgraph

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent / "golden" / "monitor" / "monitor.json"


def build():
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=3, name="fc1")
    net = mx.sym.BatchNorm(net, name="bn")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def rows(result):
    return [[step, name, float(text.strip())] for step, name, text in result]


def main() -> None:
    rng = np.random.RandomState(0)
    net = build()
    exe = net.simple_bind(mx.cpu(), data=(2, 4), grad_req="write")
    arrays = {}
    for name, a in list(exe.arg_dict.items()) + list(exe.aux_dict.items()):
        low = 0.5 if name.startswith("bn_moving") else -1.0
        a[:] = rng.uniform(low, 1, a.shape)
        arrays[name] = a.asnumpy().tolist()
    cases = {}
    for monitor_all in (False, True):
        fresh = net.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in arrays.items()
                                    if k in net.list_arguments()},
                         aux_states={k: mx.nd.array(v) for k, v in arrays.items()
                                     if k in net.list_auxiliary_states()})
        mon = mx.mon.Monitor(1, monitor_all=monitor_all)
        mon.install(fresh)
        mon.tic()
        fresh.forward(is_train=False)
        cases[f"inference_all{int(monitor_all)}"] = rows(mon.toc())
    mon = mx.mon.Monitor(1)
    mon.install(exe)
    mon.tic()
    exe.forward(is_train=True)
    exe.backward()
    cases["train"] = rows(mon.toc())
    exe._monitor_callback = None
    fresh = net.simple_bind(mx.cpu(), data=(2, 4))
    for name, a in list(fresh.arg_dict.items()) + list(fresh.aux_dict.items()):
        a[:] = np.array(arrays[name], dtype=np.float32)
    mon = mx.mon.Monitor(2, pattern=".*weight|.*output", sort=True)
    mon.install(fresh)
    batches = []
    for _ in range(3):
        mon.tic()
        fresh.forward(is_train=False)
        batches.append(rows(mon.toc()))
    cases["pattern_sorted"] = batches
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"arrays": arrays, "cases": cases}) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
