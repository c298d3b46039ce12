"""mx.callback: MXNet's log lines through `logging`, checkpoints, progress bar."""
import logging
import re

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.model import BatchEndParam


def param(epoch, nbatch, metric=None):
    return BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=metric, locals=None)


def accuracy(correct, total):
    metric = mx.metric.Accuracy()
    labels = mx.nd.array(np.arange(total) % 2)
    preds = mx.nd.array(np.eye(2)[(np.arange(total) + (np.arange(total) >= correct)) % 2])
    metric.update([labels], [preds])
    return metric


def test_speedometer_logs_mxnet_lines(caplog):
    speed = mx.callback.Speedometer(batch_size=100, frequent=2)
    metric = accuracy(3, 4)
    with caplog.at_level(logging.INFO):
        for nbatch in range(5):
            speed(param(0, nbatch, metric))
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert re.fullmatch(r"Epoch\[0\] Batch \[0-2\]\tSpeed: [0-9.]+ samples/sec\taccuracy=0\.750000",
                        lines[0])
    # auto_reset: the metric's local statistics restart after each log line
    assert re.fullmatch(r"Epoch\[0\] Batch \[2-4\]\tSpeed: [0-9.]+ samples/sec\taccuracy=nan", lines[1])


def test_speedometer_without_reset_and_without_metric(caplog):
    speed = mx.callback.Speedometer(batch_size=10, frequent=1, auto_reset=False)
    with caplog.at_level(logging.INFO):
        speed(param(1, 0, accuracy(1, 2)))
        speed(param(1, 1, accuracy(1, 2)))
        speed(param(2, 0))
        speed(param(2, 1))
    lines = [r.getMessage() for r in caplog.records]
    assert re.fullmatch(r"Epoch\[1\] Batch \[0-1\]\tSpeed: [0-9.]+ samples/sec\taccuracy=0\.500000",
                        lines[0])
    assert re.fullmatch(r"Iter\[2\] Batch \[1\]\tSpeed: [0-9.]+ samples/sec", lines[1])


def test_log_train_metric_progress_bar_and_validation(caplog):
    with caplog.at_level(logging.INFO):
        mx.callback.log_train_metric(2)(param(3, 4, accuracy(1, 4)))
        mx.callback.ProgressBar(total=4, length=8)(param(0, 2))
        mx.callback.LogValidationMetricsCallback()(param(5, 0, accuracy(2, 4)))
    assert [r.getMessage() for r in caplog.records] == [
        "Iter[3] Batch[4] Train-accuracy=0.250000", "[====----] 50%\r",
        "Epoch[5] Validation-accuracy=0.500000"]


def test_do_checkpoint_saves_every_period(tmp_path, caplog):
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
    args = {"fc_weight": mx.nd.ones((2, 3)), "fc_bias": mx.nd.zeros(2)}
    callback = mx.callback.do_checkpoint(str(tmp_path / "net"), period=2)
    with caplog.at_level(logging.INFO):
        for epoch in range(4):
            callback(epoch, net, args, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-0002.params", "net-0004.params",
                                                          "net-symbol.json"]
    assert f'Saved checkpoint to "{tmp_path}/net-0004.params"' in caplog.text
    sym, arg_params, aux_params = mx.model.load_checkpoint(str(tmp_path / "net"), 4)
    assert sym.list_arguments() == ["data", "fc_weight", "fc_bias"] and aux_params == {}
    np.testing.assert_array_equal(arg_params["fc_weight"].asnumpy(), np.ones((2, 3)))


def test_module_checkpoint_callback(tmp_path):
    data = mx.sym.Variable("data")
    mod = mx.mod.Module(mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=2), name="sm"),
                        label_names=("sm_label",))
    x = np.random.RandomState(0).standard_normal((8, 3)).astype(np.float32)
    it = mx.io.NDArrayIter(x, np.zeros(8, np.float32), 4, label_name="sm_label")
    mod.fit(it, num_epoch=2, epoch_end_callback=mx.callback.module_checkpoint(
        mod, str(tmp_path / "m"), save_optimizer_states=True))
    assert (tmp_path / "m-0002.params").exists() and (tmp_path / "m-0002.states").exists()


def test_checkpoint_rejects_unnamed_params(tmp_path):
    mx.nd.save(str(tmp_path / "x-0001.params"), [mx.nd.ones(2)])
    with pytest.raises(mx.MXNetError, match="unnamed list"):
        mx.model.load_params(str(tmp_path / "x"), 1)
