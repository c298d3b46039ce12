"""mx.mon.Monitor on executors and Module, against what MXNet 1.9.1 reports for the same net
(golden/monitor/monitor.json)."""
import json
import logging
import pathlib

import numpy as np
import pytest

import mxtorch as mx

GOLDEN = json.loads((pathlib.Path(__file__).parent / "conformance" / "golden" / "monitor"
                     / "monitor.json").read_text())
ARRAYS = GOLDEN["arrays"]


def _net():
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=3, name="fc1")
    net = mx.sym.BatchNorm(net, name="bn")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _exe(grad_req="null"):
    exe = _net().simple_bind(mx.cpu(), data=(2, 4), grad_req=grad_req)
    for name, a in list(exe.arg_dict.items()) + list(exe.aux_dict.items()):
        a[:] = np.array(ARRAYS[name], dtype=np.float32)
    return exe


def _expected(rows):
    """MXNet's rows less what mxtorch does not report: the backward pass's (one torch autograd
    call here) and BatchNorm's hidden mean/var outputs (not outputs of mxtorch's graph)."""
    hidden = ("_backward_", "bn_mean", "bn_var")
    return [r for r in rows if not any(h in r[1] for h in hidden)]




def _check(got, rows, skip_values=frozenset()):
    want = _expected(rows)
    assert [(s, n) for s, n, _ in got] == [(s, n) for s, n, _ in want]
    for (_, name, text), (_, _, value) in zip(got, want):
        assert text.endswith("\t")
        if name not in skip_values:
            assert float(text) == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_inference_forward_leaves_fixed_gamma():
    exe = _exe()
    exe.forward(is_train=False)
    np.testing.assert_allclose(exe.arg_dict["bn_gamma"].asnumpy(), ARRAYS["bn_gamma"], rtol=1e-6)


def test_outputs_then_arguments_as_mxnet():
    exe = _exe()
    mon = mx.mon.Monitor(1)
    mon.install(exe)
    mon.tic()
    exe.forward(is_train=False)
    _check(mon.toc(), GOLDEN["cases"]["inference_all0"])


def test_monitor_all_reports_inputs():
    exe = _exe()
    mon = mx.mon.Monitor(1, monitor_all=True)
    mon.install(exe)
    mon.tic()
    exe.forward(is_train=False)
    # MXNet names the single input of an operator that declares no input names "input0";
    # mxtorch uses the table's input name
    rows = [[s, "relu1_data" if n == "relu1_input0" else n, v]
            for s, n, v in GOLDEN["cases"]["inference_all1"]]
    _check(mon.toc(), rows)


def test_training_forward_backward():
    exe = _exe(grad_req="write")
    mon = mx.mon.Monitor(1)
    mon.install(exe)
    mon.tic()
    exe.forward(is_train=True)
    exe.backward()
    _check(mon.toc(), GOLDEN["cases"]["train"])


def test_interval_pattern_sort():
    exe = _exe()
    mon = mx.mon.Monitor(2, pattern=".*weight|.*output", sort=True)
    mon.install(exe)
    got = []
    for _ in range(3):
        mon.tic()
        exe.forward(is_train=False)
        got.append(mon.toc())
    want = GOLDEN["cases"]["pattern_sorted"]
    assert [len(g) for g in got] == [len(w) for w in want] == [5, 0, 5]
    for g, w in zip(got, want):
        if w:
            _check(g, w)


def test_stat_func_and_toc_print(caplog):
    exe = _exe()
    mon = mx.mon.Monitor(1, stat_func=lambda x: [mx.nd.array([x.size]), x.reshape((-1,))[:2]],
                         pattern="fc1_output")
    mon.install(exe)
    mon.tic()
    exe.forward()
    with caplog.at_level(logging.INFO):
        mon.toc_print()
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert message.startswith("Batch:       1 fc1_output") and "6.0\t[" in message


def test_no_monitor_no_callback_and_removal():
    exe = _exe()
    seen = []
    exe.set_monitor_callback(lambda name, arr: seen.append((name, type(arr))))
    exe.forward()
    assert seen[0] == ("fc1_output", mx.nd.NDArray) and len(seen) == 4
    exe.set_monitor_callback(None)
    exe.forward()
    assert len(seen) == 4
    with pytest.raises(mx.MXNetError, match="callable"):
        exe.set_monitor_callback(3)
    with pytest.raises(mx.MXNetError, match="interval"):
        mx.mon.Monitor(0)


def test_module_fit_with_monitor(caplog):
    rng = np.random.RandomState(1)
    it = mx.io.NDArrayIter(rng.uniform(size=(8, 4)).astype("float32"),
                           rng.randint(0, 3, size=(8,)).astype("float32"), batch_size=4)
    mod = mx.mod.Module(_net(), context=mx.cpu())
    mon = mx.mon.Monitor(1, pattern="fc1_.*")
    with caplog.at_level(logging.INFO):
        mod.fit(it, num_epoch=1, monitor=mon, optimizer_params={"learning_rate": 0.1})
    names = [r.getMessage().split()[2] for r in caplog.records
             if r.getMessage().startswith("Batch:")]
    assert names == ["fc1_output", "fc1_weight", "fc1_bias"] * 2
    assert mx.mon is mx.monitor
