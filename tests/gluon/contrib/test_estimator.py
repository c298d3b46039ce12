"""gluon.contrib.estimator against MXNet 1.9.1 (goldens from tests/conformance/gen_estimator.py):
the talk's LeNet on 48 MNIST images, checkpoint file names, log lines, early stopping."""
import json
import logging
import os

import numpy as np
import pytest

import mxtorch as mx
from mxtorch.base import MXNetError
from mxtorch.gluon.contrib import estimator as est_mod
from mxtorch.gluon.contrib.estimator import (BatchEnd, BatchProcessor, CheckpointHandler,
                                             EarlyStoppingHandler, Estimator, EpochEnd,
                                             LoggingHandler, TrainBegin, ValidationHandler)
from tests.conformance.gen_estimator import SCENARIOS, lenet, mnist_subset, run
from tests.conftest import GOLDEN

G = json.loads((GOLDEN / "estimator" / "goldens.json").read_text())


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_lenet_files_logs_and_stopping_match_mxnet(scenario, tmp_path, mnist_root):
    got = run(mx, scenario, str(tmp_path))
    assert got["files"] == G[scenario]["files"]
    assert got["log"] == G[scenario]["log"]
    assert got["metric_names"] == G[scenario]["metric_names"]
    # whole files only: no temporaries of the atomic writes left behind
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def _toy(n=12, batch=4, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 5).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    data = mx.gluon.data.ArrayDataset(mx.nd.array(x), mx.nd.array(y))
    return mx.gluon.data.DataLoader(data, batch_size=batch)


def _estimator(**kwargs):
    mx.random.seed(1)
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Dense(2))
    net.initialize()
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    est = Estimator(net, mx.gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer, **kwargs)
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    est.logger.handlers = [Keep()]
    return est, lines


def test_checkpoints_resume_where_training_stopped(tmp_path, mnist_root):
    loader = _toy()
    est, _ = _estimator()
    est.fit(loader, epochs=2, event_handlers=[CheckpointHandler(str(tmp_path), "toy")])
    assert sorted(os.listdir(tmp_path)) == ["toy-epoch0batch3.params", "toy-epoch0batch3.states",
                                            "toy-epoch1batch6.params", "toy-epoch1batch6.states"]
    saved = est.net[0].weight.data().asnumpy()

    est2, lines = _estimator()
    resume = CheckpointHandler(str(tmp_path), "toy", resume_from_checkpoint=True)
    trained = []

    class Record(TrainBegin):
        priority = 1  # after the checkpoint handler (priority 0) has loaded the weights

        def train_begin(self, estimator, *args, **kwargs):
            trained.append(estimator.net[0].weight.data().asnumpy())

    est2.fit(loader, epochs=4, event_handlers=[resume, Record()])
    np.testing.assert_array_equal(trained[0], saved)
    assert "CheckpointHandler: Checkpoint resumed from epoch 1 batch 6, continue to train for " \
           "2 epochs " in lines
    # numbering continues: epochs 2 and 3, batches 9 and 12
    assert "toy-epoch3batch12.params" in os.listdir(tmp_path)
    assert "toy-epoch2batch9.states" in os.listdir(tmp_path)
    with pytest.raises(ValueError, match="maximum number of epoch 2 reached"):
        _estimator()[0].fit(loader, epochs=2, event_handlers=[
            CheckpointHandler(str(tmp_path), "toy", resume_from_checkpoint=True)])
    with pytest.raises(AssertionError, match="same type of period"):
        _estimator()[0].fit(loader, batches=3, event_handlers=[
            CheckpointHandler(str(tmp_path), "toy", resume_from_checkpoint=True)])


def test_max_checkpoints_removes_only_the_oldest(tmp_path):
    est, _ = _estimator()
    est.fit(_toy(n=48), batches=12, event_handlers=[
        CheckpointHandler(str(tmp_path), "m", epoch_period=None, batch_period=1,
                          max_checkpoints=10)])
    names = sorted(f[:-len(".params")] for f in os.listdir(tmp_path) if f.endswith(".params"))
    # batch1 goes, batch10 and batch11 (which start with its name) stay
    assert names == sorted(f"m-epoch{b // 12}batch{b}" for b in range(2, 12))


class _Fixed(mx.metric.EvalMetric):
    """A metric whose value the test sets."""

    def __init__(self, name="training accuracy"):
        super().__init__(name)
        self.value = float("nan")

    def get(self):
        return self.name, self.value


def _early(values, **kwargs):
    metric = _Fixed()
    if "mode" in kwargs:
        handler = EarlyStoppingHandler(metric, **kwargs)
    else:
        with pytest.warns(UserWarning, match="`greater` operator will be used"):
            handler = EarlyStoppingHandler(metric, **kwargs)
    handler.train_begin(None)
    stops = []
    for v in values:
        metric.value = v
        stops.append(handler.epoch_end(None))
    return stops, handler


def test_early_stopping_rules():
    # 'auto' compares with greater (MXNet 1.9.1), and says so
    assert _early([0.5, 0.6, 0.6])[0] == [False, False, True]
    # gains of 0.01 and 0.005 are within min_delta: two epochs without improvement stop training
    stops, handler = _early([0.5, 0.51, 0.515, 0.6], mode="max", min_delta=0.02, patience=2)
    assert stops == [False, False, True, True] and handler.stopped_epoch == 2
    stops, handler = _early([0.5, 0.53, 0.54, 0.56], mode="max", min_delta=0.02, patience=1)
    # once set, the stop stays set even if a later value improves (as in MXNet)
    assert stops == [False, False, True, True] and handler.best == 0.56
    assert _early([1.0, 0.5, 0.6, 0.4], mode="min", patience=2)[0] == [False, False, False, False]
    assert _early([0.9, 0.8], mode="min", baseline=0.5)[0] == [True, True]
    with pytest.warns(RuntimeWarning, match="not updated"):
        assert _early([float("nan")], mode="max")[0] == [False]
    with pytest.raises(ValueError, match="CompositeEvalMetric"):
        EarlyStoppingHandler(mx.metric.CompositeEvalMetric())


def test_validation_defaults_and_handler_order(tmp_path):
    loader = _toy()
    est, lines = _estimator()
    order = []

    class Spy(BatchEnd, EpochEnd):
        def batch_end(self, estimator, *args, **kwargs):
            # MetricHandler (-1000) ran before this one (0)
            order.append(est.train_metrics[0].num_inst)

        def epoch_end(self, estimator, *args, **kwargs):
            return False

    est.fit(loader, val_data=loader, epochs=1, event_handlers=[Spy()])
    assert order == [4, 8, 12]
    assert "Validation Begin" in lines
    assert any(line.startswith("[Epoch 0] Finished in") and "validation accuracy:" in line
               for line in lines)
    assert est.val_metrics[0].num_inst == 12
    assert [m.name for m in est.val_metrics] == ["validation accuracy",
                                                 "validation softmaxcrossentropyloss"]


def test_custom_batch_processor_and_evaluate():
    calls = []

    class Counting(BatchProcessor):
        def fit_batch(self, estimator, train_batch, batch_axis=0):
            calls.append("fit")
            return super().fit_batch(estimator, train_batch, batch_axis)

    est, lines = _estimator(batch_processor=Counting())
    est.fit(_toy(), batches=2)
    assert calls == ["fit", "fit"]
    est.evaluate(_toy())
    assert lines[-2] == "Validation Begin"
    assert lines[-1].startswith("[Epoch 0] Finished in")


def test_refusals(tmp_path):
    est, _ = _estimator()
    loader = _toy()
    with pytest.raises(MXNetError, match="exactly one type of iteration"):
        est.fit(loader, epochs=1, batches=1)
    with pytest.raises(MXNetError, match="Gluon DataLoader"):
        est.fit([(1, 2)], epochs=1)
    with pytest.raises(ValueError, match="loss must be a Loss"):
        Estimator(est.net, loss="l2")
    with pytest.raises(ValueError, match="batch_processor|Batch Processor"):
        Estimator(est.net, mx.gluon.loss.L2Loss(), trainer=est.trainer, batch_processor=object())
    with pytest.raises(ValueError, match="log_interval"):
        LoggingHandler(log_interval="batch")
    with pytest.raises(ValueError, match="save best"):
        CheckpointHandler(str(tmp_path), save_best=True)
    with pytest.raises(ValueError, match="outside of the known"):
        est.fit(loader, epochs=1, event_handlers=[LoggingHandler(metrics=[mx.metric.Accuracy()])])
    with pytest.warns(UserWarning, match="No trainer specified"):
        Estimator(est.net, mx.gluon.loss.L2Loss())


def test_names_exported_as_mxnet():
    for name in ["Estimator", "BatchProcessor", "TrainBegin", "TrainEnd", "EpochBegin", "EpochEnd",
                 "BatchBegin", "BatchEnd", "StoppingHandler", "MetricHandler", "ValidationHandler",
                 "LoggingHandler", "CheckpointHandler", "EarlyStoppingHandler",
                 "GradientUpdateHandler"]:
        assert name in est_mod.__all__ and hasattr(mx.gluon.contrib.estimator, name)
    assert ValidationHandler(None, None).priority == -1000
    assert LoggingHandler().priority == float("inf")
    assert lenet(mx.gluon) is not None and mnist_subset is not None
