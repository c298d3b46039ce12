"""Gluon's Estimator: ``fit`` and ``evaluate`` a network with event handlers (MXNet 1.9.1)."""
from __future__ import annotations

import copy
import logging
import sys
import warnings
from typing import Any, Optional

from ....base import MXNetValueError
from ....context import Context, cpu, gpu, num_gpus
from ....metric import Loss as metric_loss
from ...data import DataLoader
from ...loss import Loss as gluon_loss
from ...trainer import Trainer
from .batch_processor import BatchProcessor
from .event_handler import (BatchBegin, BatchEnd, EpochBegin, EpochEnd, GradientUpdateHandler,
                            LoggingHandler, MetricHandler, StoppingHandler, TrainBegin, TrainEnd,
                            ValidationHandler, _check_event_handlers)
from .utils import _check_handler_metric_ref, _check_metrics, _suggest_metric_for_loss

__all__ = ["Estimator"]

_EVENTS = (("train_begin", TrainBegin), ("epoch_begin", EpochBegin), ("batch_begin", BatchBegin),
           ("batch_end", BatchEnd), ("epoch_end", EpochEnd), ("train_end", TrainEnd))


class Estimator:
    """A training loop for a Gluon network, extended by event handlers.

    Without metrics, the Estimator tracks the loss (and accuracy for
    :class:`~mxtorch.gluon.loss.SoftmaxCrossEntropyLoss`). Training metric names get the prefix
    "training ", validation metrics (copies of the training ones unless given) "validation ".
    An uninitialized network is initialized with ``initializer``; without a trainer, SGD with
    learning rate 0.001 is used (with a warning).

    Parameters
    ----------
    net : gluon.Block
        The network to train.
    loss : gluon.loss.Loss
        The training loss.
    train_metrics : EvalMetric or list of EvalMetric, optional
    val_metrics : EvalMetric or list of EvalMetric, optional
    initializer : Initializer, optional
    trainer : gluon.Trainer, optional
    context : Context or list of Context, optional
        Devices; by default gpu(0) when there is a GPU, else cpu().
    val_net : gluon.Block, optional
        Network for validation (usually sharing ``net``'s parameters); ``net`` by default.
    val_loss : gluon.loss.Loss, optional
        Loss for validation; ``loss`` by default.
    batch_processor : BatchProcessor, optional
        What one batch does (``fit_batch`` and ``evaluate_batch``).

    Attributes
    ----------
    logger : logging.Logger
        Where the handlers write, INFO and above to ``sys.stdout``; add handlers to also write
        elsewhere.
    """

    logger: Optional[logging.Logger] = None

    def __init__(self, net: Any, loss: Any, train_metrics: Any = None, val_metrics: Any = None,
                 initializer: Any = None, trainer: Optional[Trainer] = None, context: Any = None,
                 val_net: Any = None, val_loss: Any = None,
                 batch_processor: Optional[BatchProcessor] = None):
        self.net = net
        self.loss = self._check_loss(loss)
        self._train_metrics = _check_metrics(train_metrics)
        self._val_metrics = _check_metrics(val_metrics)
        self._add_default_training_metrics()
        self._add_validation_metrics()
        self.val_loss = self.loss if val_loss is None else self._check_loss(val_loss)
        self.val_net = self.net if val_net is None else val_net
        self.logger = logging.Logger(name="Estimator", level=logging.INFO)
        self.logger.addHandler(logging.StreamHandler(sys.stdout))
        self.context = self._check_context(context)
        self._initialize(initializer)
        self.trainer = self._check_trainer(trainer)
        self.batch_processor = self._check_batch_processor(batch_processor)
        self.max_epoch: Optional[int] = None
        self.max_batch: Optional[int] = None
        self.batch_axis = 0

    # -- checks and defaults -------------------------------------------------------------------
    @staticmethod
    def _check_loss(loss: Any) -> Any:
        if not isinstance(loss, gluon_loss):
            raise MXNetValueError(f"loss must be a Loss, refer to gluon.loss.Loss:{loss}")
        return loss

    @staticmethod
    def _check_context(context: Any) -> list:
        available_gpus = [gpu(i) for i in range(num_gpus())]
        if not context:
            if len(available_gpus) > 1:
                warnings.warn("You have multiple GPUs, gpu(0) will be used by default.To utilize "
                              "all your GPUs, specify context as a list of gpus, e.g. "
                              "context=[mx.gpu(0), mx.gpu(1)] ")
            return [gpu(0)] if available_gpus else [cpu()]
        if isinstance(context, Context):
            context = [context]
        elif not (isinstance(context, list) and all(isinstance(c, Context) for c in context)):
            raise MXNetValueError("context must be a Context or a list of Context, for example "
                                  "mx.cpu() or [mx.gpu(0), mx.gpu(1)], refer to "
                                  f"mxnet.Context:{context}")
        for ctx in context:
            if ctx not in available_gpus and not str(ctx).startswith("cpu"):
                raise MXNetValueError(
                    f"{ctx} is not available, please make sure your context is in one of: "
                    "mx.cpu(), " + ", ".join(str(c) for c in available_gpus))
        return context

    @staticmethod
    def _check_batch_processor(batch_processor: Any) -> Any:
        if batch_processor is None:
            return BatchProcessor()
        if not (callable(getattr(batch_processor, "fit_batch", None))
                and callable(getattr(batch_processor, "evaluate_batch", None))):
            raise MXNetValueError("Customized Batch Processor must contain fit_batch() and "
                                  "evaluate_batch() methods")
        return batch_processor

    def _is_initialized(self) -> bool:
        params = self.net.collect_params()
        for name in params:
            try:
                params[name].list_ctx()
            except RuntimeError:
                return False
        return True

    def _initialize(self, initializer: Any) -> None:
        if not self._is_initialized():
            # parameters already initialized keep their values
            if initializer:
                self.net.initialize(init=initializer, ctx=self.context)
            else:
                self.net.initialize(ctx=self.context)
        elif initializer:
            warnings.warn("Network already fully initialized, skipping initialization. You don't "
                          "need to pass initializer if you already initialized your net. You can "
                          "use net.initialize(init=your_initializer, force_reinit=True)to force "
                          "re-initialize.")

    def _check_trainer(self, trainer: Any) -> Trainer:
        if not trainer:
            warnings.warn("No trainer specified, default SGD optimizer with learning rate 0.001 "
                          "is used.")
            return Trainer(self.net.collect_params(), "sgd", {"learning_rate": 0.001})
        if not isinstance(trainer, Trainer):
            raise MXNetValueError("Trainer must be a Gluon Trainer instance, refer to "
                                  f"gluon.Trainer:{trainer}")
        return trainer

    def _add_default_training_metrics(self) -> None:
        if not self._train_metrics:
            suggested = _suggest_metric_for_loss(self.loss)
            if suggested:
                self._train_metrics = [suggested]
            # the loss block's name without its instance number: softmaxcrossentropyloss0 -> ...loss
            self._train_metrics.append(metric_loss(self.loss.name.rstrip("1234567890")))
        for metric in self._train_metrics:
            metric.name = "training " + metric.name

    def _add_validation_metrics(self) -> None:
        if not self._val_metrics:
            self._val_metrics = [copy.deepcopy(metric) for metric in self._train_metrics]
        for metric in self._val_metrics:
            if "training" in metric.name:
                metric.name = metric.name.replace("training", "validation")
            else:
                metric.name = "validation " + metric.name

    @property
    def train_metrics(self) -> list:
        """list of EvalMetric: the training metrics (names start with 'training ')."""
        return self._train_metrics

    @property
    def val_metrics(self) -> list:
        """list of EvalMetric: the validation metrics (names start with 'validation ')."""
        return self._val_metrics

    def _get_data_and_label(self, batch: Any, ctx: list, batch_axis: int = 0) -> tuple:
        return self.batch_processor._get_data_and_label(batch, ctx, batch_axis)

    # -- handlers ------------------------------------------------------------------------------
    def _with_defaults(self, event_handlers: list, defaults: list, known_metrics: set) -> list:
        """The user's handlers plus the defaults, checked and sorted by priority."""
        mixing = bool(event_handlers) and bool(defaults)
        event_handlers = event_handlers + defaults
        if mixing:
            # user handlers must refer to the metrics the default handlers update
            for handler in event_handlers:
                _check_handler_metric_ref(handler, known_metrics)
        # stable sort: equal priorities keep the order given (user handlers before defaults)
        event_handlers.sort(key=lambda handler: getattr(handler, "priority", 0))
        return event_handlers

    def _prepare_default_handlers(self, val_data: Any, event_handlers: Any) -> list:
        event_handlers = _check_event_handlers(event_handlers)

        def missing(kind: type) -> bool:
            return not any(isinstance(h, kind) for h in event_handlers)

        defaults: list = [StoppingHandler(self.max_epoch, self.max_batch)]
        if missing(GradientUpdateHandler):
            defaults.append(GradientUpdateHandler())
        if missing(MetricHandler):
            defaults.append(MetricHandler(metrics=self.train_metrics))
        if missing(ValidationHandler) and val_data:
            defaults.append(ValidationHandler(val_data=val_data, eval_fn=self.evaluate))
        if missing(LoggingHandler):
            defaults.append(LoggingHandler(metrics=self.train_metrics))
        return self._with_defaults(event_handlers, defaults,
                                   set(self.train_metrics + self.val_metrics))

    def _prepare_default_validation_handlers(self, event_handlers: Any) -> list:
        event_handlers = _check_event_handlers(event_handlers)
        defaults: list = []
        if not any(isinstance(h, MetricHandler) for h in event_handlers):
            defaults.append(MetricHandler(metrics=self.val_metrics))
        if not any(isinstance(h, LoggingHandler) for h in event_handlers):
            defaults.append(LoggingHandler(metrics=self.val_metrics))
        return self._with_defaults(event_handlers, defaults, set(self.val_metrics))

    @staticmethod
    def _categorize_handlers(event_handlers: list) -> tuple:
        """Per event, the handlers that take part in it (so that no empty method is called)."""
        return tuple([h for h in event_handlers if isinstance(h, kind)] for _, kind in _EVENTS)

    # -- loops ---------------------------------------------------------------------------------
    def evaluate(self, val_data: DataLoader, batch_axis: int = 0,
                 event_handlers: Any = None) -> None:
        """Evaluate the validation network on ``val_data``, updating ``val_metrics``.

        Parameters
        ----------
        val_data : DataLoader
        batch_axis : int, default 0
            Axis along which batches are split across devices.
        event_handlers : EventHandler or list, optional
            Handlers for the evaluation; a MetricHandler and a LoggingHandler on the validation
            metrics are added unless given.
        """
        if not isinstance(val_data, DataLoader):
            raise MXNetValueError("Estimator only support input as Gluon DataLoader. "
                                  "Alternatively, you can transform your DataIter or any NDArray "
                                  "into Gluon DataLoader. Refer to gluon.data.DataLoader")
        for metric in self.val_metrics:
            metric.reset()
        handlers = self._prepare_default_validation_handlers(event_handlers)
        _, epoch_begin, batch_begin, batch_end, epoch_end, _ = self._categorize_handlers(handlers)
        for handler in epoch_begin:
            handler.epoch_begin(self)
        for batch in val_data:
            for handler in batch_begin:
                handler.batch_begin(self, batch=batch)
            _, label, pred, loss = self.batch_processor.evaluate_batch(self, batch, batch_axis)
            for handler in batch_end:
                handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
        for handler in epoch_end:
            handler.epoch_end(self)

    def fit(self, train_data: DataLoader, val_data: Optional[DataLoader] = None,
            epochs: Optional[int] = None, event_handlers: Any = None,
            batches: Optional[int] = None, batch_axis: int = 0) -> None:
        """Train on ``train_data`` for ``epochs`` epochs or ``batches`` batches (exactly one).

        Parameters
        ----------
        train_data : DataLoader
        val_data : DataLoader, optional
            When given, validated after every epoch (a ValidationHandler is added unless given).
        epochs : int, optional
        event_handlers : EventHandler or list, optional
            Handlers for training; a StoppingHandler, GradientUpdateHandler, MetricHandler and
            LoggingHandler are added unless one of the kind is given.
        batches : int, optional
        batch_axis : int, default 0
            Axis along which batches are split across devices.
        """
        if not isinstance(train_data, DataLoader):
            raise MXNetValueError("Estimator only support input as Gluon DataLoader. "
                                  "Alternatively, you can transform your DataIter or any NDArray "
                                  "into Gluon DataLoader. Refer to gluon.data.dataloader")
        if (not epochs) == (not batches):
            raise MXNetValueError("Fit only support exactly one type of iteration, train by number "
                                  "of epochs or number of batches.Please specify one and only one "
                                  "of: epochs or batches.")
        self.max_epoch = epochs
        self.max_batch = batches
        self.batch_axis = batch_axis
        handlers = self._prepare_default_handlers(val_data, event_handlers)
        train_begin, epoch_begin, batch_begin, batch_end, epoch_end, train_end = \
            self._categorize_handlers(handlers)
        for handler in train_begin:
            handler.train_begin(self)
        while True:
            for handler in epoch_begin:
                handler.epoch_begin(self)
            for batch in train_data:
                for handler in batch_begin:
                    handler.batch_begin(self, batch=batch)
                _, label, pred, loss = self.batch_processor.fit_batch(self, batch, batch_axis)
                # every handler sees the batch end, even after one has asked to stop
                stops = [handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
                         for handler in batch_end]
                if any(stops):
                    break
            stops = [handler.epoch_end(self) for handler in epoch_end]
            if any(stops):
                break
        for handler in train_end:
            handler.train_end(self)
