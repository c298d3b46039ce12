"""Event handlers of the Estimator, as in MXNet 1.9.1.

A handler takes part in the events whose mixin it inherits (:class:`TrainBegin`,
:class:`EpochBegin`, :class:`BatchBegin`, :class:`BatchEnd`, :class:`EpochEnd`,
:class:`TrainEnd`). At each event the Estimator calls its handlers in ascending ``priority``
(0 when a handler has none): :class:`GradientUpdateHandler` (-2000) steps the trainer first,
:class:`MetricHandler` and :class:`ValidationHandler` (-1000) update the metrics next, user
handlers (0) see them updated, and :class:`LoggingHandler` (infinity) reports last. A ``True``
from any ``batch_end`` ends the epoch; a ``True`` from any ``epoch_end`` ends training.
"""
from __future__ import annotations

import math
import os
import time
import warnings
from typing import Any, Callable, Optional, Union

import numpy as np

from ....base import MXNetAssertionError, MXNetValueError
from ....metric import CompositeEvalMetric, EvalMetric
from ....metric import Loss as metric_loss
from .utils import _check_metrics

__all__ = ["TrainBegin", "TrainEnd", "EpochBegin", "EpochEnd", "BatchBegin", "BatchEnd",
           "StoppingHandler", "MetricHandler", "ValidationHandler", "LoggingHandler",
           "CheckpointHandler", "EarlyStoppingHandler", "GradientUpdateHandler"]


class EventHandler:
    """Base of all event handlers."""


def _check_event_handlers(handlers: Any) -> list:
    if isinstance(handlers, EventHandler):
        return [handlers]
    handlers = list(handlers or [])
    if not all(isinstance(h, EventHandler) for h in handlers):
        raise MXNetValueError("handlers must be an EventHandler or a list of EventHandler, "
                              f"got: {handlers}")
    return handlers


class TrainBegin(EventHandler):
    """Mixin: ``train_begin(estimator)`` is called once before training."""

    def train_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        pass


class TrainEnd(EventHandler):
    """Mixin: ``train_end(estimator)`` is called once after training."""

    def train_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        pass


class EpochBegin(EventHandler):
    """Mixin: ``epoch_begin(estimator)`` is called before each epoch (and before evaluation)."""

    def epoch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        pass


class EpochEnd(EventHandler):
    """Mixin: ``epoch_end(estimator)`` is called after each epoch; returning True stops training."""

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        return False


class BatchBegin(EventHandler):
    """Mixin: ``batch_begin(estimator, batch=...)`` is called before each batch."""

    def batch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        pass


class BatchEnd(EventHandler):
    """Mixin: ``batch_end(estimator, batch=, pred=, label=, loss=)`` is called after each batch;
    returning True ends the epoch."""

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        return False


def _improvement_op(mode: str, monitor: EvalMetric, what: str) -> Callable:
    """``np.greater`` or ``np.less`` for a monitoring mode ('auto', 'min' or 'max').

    'auto' gives ``np.greater`` whatever the metric, with a warning that says so: MXNet 1.9.1
    meant to choose by the metric's name but its test is always true, and mxtorch keeps what
    MXNet does. Pass 'min' for losses.
    """
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{what} mode {mode} is unknown, fallback to auto mode. CheckpointHandler "
                      "will usemax mode for f1 and accuracy metric comparison and use min mode "
                      "other wise", RuntimeWarning)
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    warnings.warn(f"`greater` operator will be used to determine if {monitor.get()[0]} has "
                  "improved. Please specify `mode='min'` to use the `less` operator. Specify "
                  "`mode='max' to disable this warning.`")
    return np.greater


class StoppingHandler(TrainBegin, BatchEnd, EpochEnd):
    """Ends training after ``max_epoch`` epochs or ``max_batch`` batches (the estimator's
    ``fit`` sets them, from its ``epochs`` or ``batches``, at train begin).

    Parameters
    ----------
    max_epoch : int, optional
    max_batch : int, optional
    """

    def __init__(self, max_epoch: Optional[int] = None, max_batch: Optional[int] = None):
        self.max_epoch = max_epoch
        self.max_batch = max_batch
        self.current_batch = 0
        self.current_epoch = 0
        self.stop_training = False

    def train_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.max_epoch = estimator.max_epoch
        self.max_batch = estimator.max_batch
        self.current_batch = 0
        self.current_epoch = 0

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        self.current_batch += 1
        if self.current_batch == self.max_batch:
            self.stop_training = True
        return self.stop_training

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        self.current_epoch += 1
        if self.current_epoch == self.max_epoch:
            self.stop_training = True
        return self.stop_training


class MetricHandler(EpochBegin, BatchEnd):
    """Resets its metrics at each epoch begin and updates them after each batch: a
    :class:`~mxtorch.metric.Loss` metric with the batch's loss, the others with labels and
    predictions.

    Parameters
    ----------
    metrics : EvalMetric or list of EvalMetric
    priority : scalar, default -1000
        Order among handlers (ascending): before the handlers that read the metrics.
    """

    def __init__(self, metrics: Any, priority: float = -1000):
        self.metrics = _check_metrics(metrics)
        self.priority = priority

    def epoch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        for metric in self.metrics:
            metric.reset()

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        for metric in self.metrics:
            if isinstance(metric, metric_loss):
                metric.update(0, kwargs["loss"])
            else:
                metric.update(kwargs["label"], kwargs["pred"])


class ValidationHandler(TrainBegin, BatchEnd, EpochEnd):
    """Evaluates on validation data every ``epoch_period`` epochs and/or ``batch_period`` batches.

    Parameters
    ----------
    val_data : DataLoader
    eval_fn : callable
        Called as ``eval_fn(val_data=, batch_axis=, event_handlers=)``, e.g.
        ``estimator.evaluate``.
    epoch_period : int, default 1
        Validate after every this many epochs (None: never at epoch end).
    batch_period : int, optional
        Validate after every this many batches (None: never at batch end).
    priority : scalar, default -1000
    event_handlers : EventHandler or list, optional
        Handlers passed on to ``eval_fn``.
    """

    def __init__(self, val_data: Any, eval_fn: Callable, epoch_period: Optional[int] = 1,
                 batch_period: Optional[int] = None, priority: float = -1000,
                 event_handlers: Any = None):
        self.val_data = val_data
        self.eval_fn = eval_fn
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0
        self.priority = priority
        self.event_handlers = event_handlers

    def train_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.current_batch = 0
        self.current_epoch = 0

    def _validate(self, estimator: Any) -> None:
        self.eval_fn(val_data=self.val_data, batch_axis=estimator.batch_axis,
                     event_handlers=self.event_handlers)

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.current_batch += 1
        if self.batch_period and self.current_batch % self.batch_period == 0:
            self._validate(estimator)

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.current_epoch += 1
        if self.epoch_period and self.current_epoch % self.epoch_period == 0:
            self._validate(estimator)


def _metric_summary(metrics: list) -> str:
    return "".join("%s: %.4f, " % metric.get() for metric in metrics)


class LoggingHandler(TrainBegin, TrainEnd, EpochBegin, EpochEnd, BatchBegin, BatchEnd):
    """Writes training progress to ``estimator.logger``: the optimizer and learning rate at
    train begin, the metrics at every epoch end (``log_interval='epoch'``) and, for an integer
    ``log_interval`` k, also every k batches, and the totals at train end.

    During evaluation (metrics whose names lack 'training') the epoch messages read
    "Validation Begin" and the validation metrics.

    Parameters
    ----------
    log_interval : int or 'epoch', default 'epoch'
    metrics : list of EvalMetric, optional
        Metrics to report.
    priority : scalar, default infinity
        Last among handlers, so that it reports the updated state.
    """

    def __init__(self, log_interval: Union[int, str] = "epoch", metrics: Any = None,
                 priority: float = math.inf):
        if not isinstance(log_interval, int) and log_interval != "epoch":
            raise MXNetValueError("log_interval must be either an integer or string 'epoch'")
        self.metrics = _check_metrics(metrics)
        self.batch_index = 0
        self.current_epoch = 0
        self.processed_samples = 0
        self.priority = priority
        self.log_interval = log_interval
        self.log_interval_time = 0.0

    def train_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.train_start = time.time()
        trainer = estimator.trainer
        estimator.logger.info("Training begin: using optimizer %s with current learning rate "
                              "%.4f ", type(trainer.optimizer).__name__, trainer.learning_rate)
        if estimator.max_epoch:
            estimator.logger.info("Train for %d epochs.", estimator.max_epoch)
        else:
            estimator.logger.info("Train for %d batches.", estimator.max_batch)
        self.current_epoch = 0
        self.batch_index = 0
        self.processed_samples = 0
        self.log_interval_time = 0.0

    def train_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        elapsed = time.time() - self.train_start
        msg = "Train finished using total %ds with %d epochs. " % (elapsed, self.current_epoch)
        estimator.logger.info((msg + _metric_summary(self.metrics)).rstrip(", "))

    def batch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(self.log_interval, int):
            self.batch_start = time.time()

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(self.log_interval, int):
            self.log_interval_time += time.time() - self.batch_start
            self.processed_samples += kwargs["batch"][0].shape[0]
            if self.batch_index % self.log_interval == 0:
                msg = "[Epoch %d][Batch %d][Samples %s] time/interval: %.3fs " % (
                    self.current_epoch, self.batch_index, self.processed_samples,
                    self.log_interval_time)
                self.log_interval_time = 0.0
                estimator.logger.info((msg + _metric_summary(self.metrics)).rstrip(", "))
        self.batch_index += 1

    def epoch_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.epoch_start = time.time()
        # the Estimator names its training metrics "training ..." (see Estimator.__init__)
        if any("training" in metric.name for metric in self.metrics):
            estimator.logger.info("[Epoch %d] Begin, current learning rate: %.4f",
                                  self.current_epoch, estimator.trainer.learning_rate)
        else:
            estimator.logger.info("Validation Begin")

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        msg = "[Epoch %d] Finished in %.3fs, " % (self.current_epoch,
                                                  time.time() - self.epoch_start)
        estimator.logger.info((msg + _metric_summary(self.metrics)).rstrip(", "))
        self.current_epoch += 1
        self.batch_index = 0


class CheckpointHandler(TrainBegin, BatchEnd, EpochEnd):
    """Saves the network's parameters and the trainer's states as training goes.

    Files, in ``model_dir``: ``<prefix>-epoch<E>batch<B>.params`` and ``.states`` every
    ``epoch_period`` epochs or ``batch_period`` batches (E and B count from 0; B counts the
    batches of all epochs), ``<prefix>-best.params``/``.states`` for the best monitored value with
    ``save_best``, and ``<prefix>-symbol.json`` after the first batch when the network is a
    hybridized HybridBlock. Each file is written atomically: a crash leaves the old file or the
    new one. Only the newest ``max_checkpoints`` periodic checkpoints are kept.

    Parameters
    ----------
    model_dir : str
        Folder of the files (created if missing).
    model_prefix : str, default 'model'
    monitor : EvalMetric, optional
        The metric that decides the best model (one of the estimator's metrics).
    verbose : int, default 0
        1 to log every save.
    save_best : bool, default False
        Also keep the parameters with the best ``monitor`` value (needs ``monitor``).
    mode : {'auto', 'min', 'max'}, default 'auto'
        Whether lower or higher ``monitor`` values are better; 'auto' means higher (as in
        MXNet 1.9.1, whatever the metric).
    epoch_period : int, default 1
    batch_period : int, optional
    max_checkpoints : int, default 5
    resume_from_checkpoint : bool, default False
        Load the newest checkpoint in ``model_dir`` at train begin and train only the epochs
        (or batches) left; periods must then be of the kind training counts (epochs or batches).
    """

    def __init__(self, model_dir: str, model_prefix: str = "model",
                 monitor: Optional[EvalMetric] = None, verbose: int = 0, save_best: bool = False,
                 mode: str = "auto", epoch_period: Optional[int] = 1,
                 batch_period: Optional[int] = None, max_checkpoints: int = 5,
                 resume_from_checkpoint: bool = False):
        self.monitor = monitor
        self.verbose = verbose
        os.makedirs(model_dir, exist_ok=True)
        self.model_dir = model_dir
        self.model_prefix = model_prefix
        self.save_best = save_best
        if save_best and not isinstance(monitor, EvalMetric):
            raise MXNetValueError("To save best model only, please provide one of the metric "
                                  "objects from estimator.train_metrics and "
                                  "estimator.val_metrics as monitor.")
        self.epoch_period = epoch_period
        self.batch_period = batch_period
        self.current_batch = 0
        self.current_epoch = 0
        self.max_checkpoints = max_checkpoints
        self.resume_from_checkpoint = resume_from_checkpoint
        self.saved_checkpoints: list = []
        self.trained_epoch = -1
        self.trained_batch = -1
        if save_best:
            self.monitor_op = _improvement_op(mode, monitor, "ModelCheckpoint")
            self.best = math.inf if self.monitor_op is np.less else -math.inf

    def train_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.current_epoch = 0
        self.current_batch = 0
        if self.save_best:
            self.best = math.inf if self.monitor_op is np.less else -math.inf
        if self.resume_from_checkpoint:
            wrong_period = (bool(estimator.max_batch) and (not self.batch_period or self.epoch_period)) \
                or (bool(estimator.max_epoch) and (not self.epoch_period or self.batch_period))
            if wrong_period:
                raise MXNetAssertionError(
                    "To use resume from checkpoint, you must only specify the same type of period "
                    "you used for training. For example, if you are training based on number of "
                    "epochs, you must save only based on epochs, and set batch_period to None.")
            self._resume_from_checkpoint(estimator)

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        if self.current_batch == 0:
            self._save_symbol(estimator)
        if self.batch_period and (self.current_batch + 1) % self.batch_period == 0:
            self._save_checkpoint(estimator)
        self.current_batch += 1

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        if self.epoch_period and (self.current_epoch + 1) % self.epoch_period == 0:
            self._save_checkpoint(estimator)
        self.current_epoch += 1

    def _save_checkpoint(self, estimator: Any) -> None:
        if self.resume_from_checkpoint:
            # numbering continues from the checkpoint training resumed from; at epoch end the
            # batch counter has already moved past the last batch
            epoch = self.current_epoch + self.trained_epoch + 1
            batch = self.current_batch + self.trained_batch + (0 if estimator.max_epoch else 1)
        else:
            epoch, batch = self.current_epoch, self.current_batch
        prefix = "%s-epoch%dbatch%d" % (self.model_prefix, epoch, batch)
        self._save_params_and_trainer(estimator, prefix)
        if self.verbose > 0:
            estimator.logger.info("[Epoch %d] CheckpointHandler: trained total %d batches, saving "
                                  "model at %s with prefix: %s", self.current_epoch,
                                  self.current_batch + 1, self.model_dir, prefix)
        if not self.save_best:
            return
        name, value = self.monitor.get()
        if np.isnan(value):
            warnings.warn(RuntimeWarning(
                f"Skipping save best because {name} is not updated, make sure you pass one of the "
                "metric objects estimator.train_metrics and estimator.val_metrics as monitor"))
        elif self.monitor_op(value, self.best):
            prefix = self.model_prefix + "-best"
            self._save_params_and_trainer(estimator, prefix)
            if self.verbose > 0:
                estimator.logger.info("[Epoch %d] CheckpointHandler: %s improved from %0.5f to "
                                      "%0.5f, updating best model at %s with prefix: %s",
                                      self.current_epoch, name, self.best, value, self.model_dir,
                                      prefix)
            self.best = value
        elif self.verbose > 0:
            estimator.logger.info("[Epoch %d] CheckpointHandler: %s did not improve from %0.5f, "
                                  "skipping updating best model", self.current_epoch, name,
                                  self.best)

    def _save_symbol(self, estimator: Any) -> None:
        symbol_file = os.path.join(self.model_dir, self.model_prefix + "-symbol.json")
        cached = getattr(estimator.net, "_cached_graph", None)
        if cached:
            cached[1].save(symbol_file)  # Symbol.save writes atomically
        else:
            estimator.logger.info(
                "Model architecture(symbol file) is not saved, please use HybridBlock to construct "
                "your model, and call net.hybridize() before passing to Estimator in order to save "
                "model architecture as %s.", symbol_file)

    def _save_params_and_trainer(self, estimator: Any, file_prefix: str) -> None:
        # save_parameters and save_states both write atomically (mxtorch._fileio.atomic)
        estimator.net.save_parameters(os.path.join(self.model_dir, file_prefix + ".params"))
        estimator.trainer.save_states(os.path.join(self.model_dir, file_prefix + ".states"))
        if "best" in file_prefix:
            return
        self.saved_checkpoints.append(file_prefix)
        if len(self.saved_checkpoints) > self.max_checkpoints:
            oldest = self.saved_checkpoints.pop(0)
            # exactly this checkpoint's two files (MXNet removed every file starting with the
            # prefix, which also took epoch0batch10 along with epoch0batch1)
            for ext in (".params", ".states"):
                path = os.path.join(self.model_dir, oldest + ext)
                if os.path.exists(path):
                    os.remove(path)

    def _resume_from_checkpoint(self, estimator: Any) -> None:
        prefix = self.model_prefix + "-epoch"
        self.trained_epoch = self._find_max_iteration(self.model_dir, prefix, "epoch", "batch",
                                                      self.saved_checkpoints)
        self.trained_batch = self._find_max_iteration(
            self.model_dir, prefix + str(self.trained_epoch), "batch", ".params")
        if self.trained_epoch == -1:
            what = ("%d batches" % estimator.max_batch if estimator.max_batch
                    else "%d epochs" % estimator.max_epoch)
            estimator.logger.info("CheckpointHandler: No checkpoint found, training from scratch "
                                  "for " + what)
            return
        msg = ("CheckpointHandler: Checkpoint resumed from epoch %d batch %d, continue to train "
               "for " % (self.trained_epoch, self.trained_batch))
        if estimator.max_epoch:
            if self.trained_epoch >= estimator.max_epoch - 1:
                raise MXNetValueError(
                    "Found checkpoint with maximum number of epoch %d reached, please specify "
                    "resume_from_checkpoint=False (default value) if you wan to train from "
                    "scratch." % estimator.max_epoch)
            estimator.max_epoch = estimator.max_epoch - self.trained_epoch - 1
            msg += "%d epochs " % estimator.max_epoch
        if estimator.max_batch:
            if self.trained_batch >= estimator.max_batch - 1:
                raise MXNetValueError(
                    "Found checkpoint with maximum number of batch %d reached, please "
                    "specifyresume_from_checkpoint=False (default value) if you wan to train "
                    "from scratch." % self.trained_batch)
            estimator.max_batch = estimator.max_batch - self.trained_batch - 1
            msg += "%d batches " % estimator.max_batch
        stem = os.path.join(self.model_dir, "%s-epoch%dbatch%d" % (
            self.model_prefix, self.trained_epoch, self.trained_batch))
        for ext in (".params", ".states"):
            if not os.path.exists(stem + ext):
                raise MXNetAssertionError(f"Failed to load checkpoint, {stem + ext} does not exist")
        estimator.net.load_parameters(stem + ".params", ctx=estimator.context)
        estimator.trainer.load_states(stem + ".states")
        estimator.logger.warning(msg)

    @staticmethod
    def _find_max_iteration(folder: str, prefix: str, start: str, end: str,
                            saved_checkpoints: Optional[list] = None) -> int:
        """The largest number between ``start`` and ``end`` in the names of the ``.params``
        files of ``folder`` that begin with ``prefix`` (-1 when there are none)."""
        max_iter = -1
        for fname in sorted(os.listdir(folder)):
            if not (fname.startswith(prefix) and ".params" in fname):
                continue
            if saved_checkpoints is not None:
                saved_checkpoints.append(fname[:fname.find(".params")])
            try:
                max_iter = max(max_iter, int(fname[fname.find(start) + len(start):fname.find(end)]))
            except ValueError:
                raise MXNetValueError(
                    "Error parsing checkpoint file, please check your checkpoints have the "
                    "format: {model_name}-epoch{epoch_number}batch{batch_number}.params, there "
                    "should also be a .states file for each .params file ") from None
        return max_iter


class EarlyStoppingHandler(TrainBegin, EpochEnd, TrainEnd):
    """Stops training when a monitored metric stops improving.

    At each epoch end the monitored value counts as an improvement when it beats the best so
    far by more than ``min_delta``; after ``patience`` epochs in a row without one, training
    stops.

    Parameters
    ----------
    monitor : EvalMetric
        One of the estimator's metrics (not a composite one).
    min_delta : float, default 0
    patience : int, default 0
    mode : {'auto', 'min', 'max'}, default 'auto'
        Whether lower or higher values are better; 'auto' means higher (as in MXNet 1.9.1,
        whatever the metric): pass 'min' for a loss.
    baseline : float, optional
        The value to beat at first (instead of the worst possible one).
    """

    def __init__(self, monitor: EvalMetric, min_delta: float = 0, patience: int = 0,
                 mode: str = "auto", baseline: Optional[float] = None):
        if not isinstance(monitor, EvalMetric):
            raise MXNetValueError("Please provide one of the metric objects from "
                                  "estimator.train_metrics and estimator.val_metrics as monitor.")
        if isinstance(monitor, CompositeEvalMetric):
            raise MXNetValueError("CompositeEvalMetric is not supported for EarlyStoppingHandler, "
                                  "please specify a simple metric instead.")
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        self.monitor_op = _improvement_op(mode, monitor, "EarlyStopping")
        # the delta is added in the direction of improvement
        self.min_delta = min_delta if self.monitor_op is np.greater else -min_delta

    def train_begin(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.current_epoch = 0
        self.stop_training = False
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = math.inf if self.monitor_op is np.less else -math.inf

    def epoch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> bool:
        name, value = self.monitor.get()
        if np.isnan(value):
            warnings.warn(RuntimeWarning(
                f"{name} is not updated, make sure you pass one of the metric objects from "
                "estimator.train_metrics and estimator.val_metrics as monitor."))
        elif self.monitor_op(value - self.min_delta, self.best):
            self.best = value
            self.wait = 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = self.current_epoch
                self.stop_training = True
        self.current_epoch += 1
        return self.stop_training

    def train_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        if self.stopped_epoch > 0:
            # "Hanlder" is MXNet's spelling in this message; kept so that log checks still match
            estimator.logger.info("[Epoch %d] EarlyStoppingHanlder: early stopping due to %s not "
                                  "improving", self.stopped_epoch, self.monitor.get()[0])


class GradientUpdateHandler(BatchEnd):
    """Steps the trainer after each batch, with the batch size summed over the devices' losses.

    Parameters
    ----------
    priority : scalar, default -2000
        First among handlers, so that the others see the updated parameters.
    """

    def __init__(self, priority: float = -2000):
        self.priority = priority

    def batch_end(self, estimator: Any, *args: Any, **kwargs: Any) -> None:
        loss = kwargs["loss"]
        loss = loss if isinstance(loss, list) else [loss]
        estimator.trainer.step(sum(part.shape[0] for part in loss))
