"""Callbacks for ``Module.fit`` and ``FeedForward.fit`` (``mx.callback``).

Epoch-end callbacks receive ``(epoch, symbol, arg_params, aux_params)``; batch-end callbacks
receive a ``BatchEndParam`` with ``epoch``, ``nbatch``, ``eval_metric`` and ``locals``. The log
lines are worded exactly as MXNet's, so scripts that parse training logs keep working.
"""
from __future__ import annotations

import logging
import math
import time
from typing import Any, Callable

from .model import save_checkpoint

__all__ = ["module_checkpoint", "do_checkpoint", "log_train_metric", "Speedometer", "ProgressBar",
           "LogValidationMetricsCallback"]


def _every(period: int) -> Callable:
    """A test of whether a 0-based epoch index closes a period (period taken as at least 1)."""
    period = int(max(1, period))
    return lambda iter_no: (iter_no + 1) % period == 0


def module_checkpoint(mod: Any, prefix: str, period: int = 1,
                      save_optimizer_states: bool = False) -> Callable:
    """An epoch-end callback that saves ``mod`` with ``mod.save_checkpoint`` every ``period``
    epochs.

    Parameters
    ----------
    mod : BaseModule
        The module to save.
    prefix : str
        Path prefix of the files (``prefix-symbol.json``, ``prefix-0003.params``, ...).
    period : int, default 1
        Save after every ``period``-th epoch (values below 1 count as 1).
    save_optimizer_states : bool, default False
        Also write ``prefix-0003.states`` so that training can resume with the same
        optimizer state.

    Returns
    -------
    callable
        ``callback(iter_no, sym=None, arg=None, aux=None)``, for ``epoch_end_callback``.
    """
    due = _every(period)

    def _callback(iter_no: int, sym: Any = None, arg: Any = None, aux: Any = None) -> None:
        """Save the module when epoch ``iter_no`` closes a period."""
        epoch = iter_no + 1
        if due(iter_no):
            mod.save_checkpoint(prefix, epoch, save_optimizer_states)

    return _callback


def do_checkpoint(prefix: str, period: int = 1) -> Callable:
    """An epoch-end callback that writes the symbol and parameters every ``period`` epochs.

    The files are those of :func:`mx.model.save_checkpoint`: ``prefix-symbol.json`` and
    ``prefix-NNNN.params``, ``NNNN`` being the 1-based epoch number on four digits.

    Parameters
    ----------
    prefix : str
        Path prefix of the files.
    period : int, default 1
        Save after every ``period``-th epoch (values below 1 count as 1).

    Returns
    -------
    callable
        ``callback(iter_no, sym, arg, aux)``, for ``epoch_end_callback``.

    Examples
    --------
    >>> save = mx.callback.do_checkpoint("lenet", period=2)
    >>> mod.fit(train_iter, num_epoch=4, epoch_end_callback=save)  # doctest: +SKIP
    """
    due = _every(period)

    def _callback(iter_no: int, sym: Any, arg: dict, aux: dict) -> None:
        """Write the checkpoint when epoch ``iter_no`` closes a period."""
        epoch = iter_no + 1
        if due(iter_no):
            save_checkpoint(prefix, epoch, sym, arg, aux)

    return _callback


def log_train_metric(period: int, auto_reset: bool = False) -> Callable:
    """A batch-end callback that logs the training metric every ``period`` batches.

    Parameters
    ----------
    period : int
        Log when the batch number is a multiple of this.
    auto_reset : bool, default False
        Clear the metric's local tally after logging, so each line covers one period.

    Returns
    -------
    callable
        ``callback(param)``, for ``batch_end_callback``.
    """

    def _callback(param: Any) -> None:
        """Log ``Iter[e] Batch[b] Train-name=value`` lines when the batch number is due."""
        metric = param.eval_metric
        if param.nbatch % period != 0 or metric is None:
            return
        for name, value in metric.get_name_value():
            logging.info("Iter[%d] Batch[%d] Train-%s=%f", param.epoch, param.nbatch, name, value)
        if auto_reset:
            metric.reset_local()

    return _callback


class Speedometer:
    """A batch-end callback that logs samples per second and the metric every few batches.

    The first call of an epoch starts the clock; each ``frequent``-th batch after it logs
    ``Epoch[e] Batch [a-b]\\tSpeed: S samples/sec\\tname=value...`` (``[0-b]`` when the
    metric is not reset, since the values then cover the whole epoch so far).

    Parameters
    ----------
    batch_size : int
        Samples per batch, used to turn batches per second into samples per second.
    frequent : int, default 50
        Log every this many batches.
    auto_reset : bool, default True
        Clear the metric's local tally after each line.

    Examples
    --------
    >>> speed = mx.callback.Speedometer(batch_size=64, frequent=100)
    >>> mod.fit(train_iter, num_epoch=1, batch_end_callback=speed)  # doctest: +SKIP
    """

    def __init__(self, batch_size: int, frequent: int = 50, auto_reset: bool = True):
        self.batch_size = batch_size
        self.frequent = frequent
        self.init = False
        self.tic = 0.0
        self.last_count = 0
        self.auto_reset = auto_reset

    def __call__(self, param: Any) -> None:
        """Start the clock, or log the speed when the batch number is due."""
        count = param.nbatch
        if count < self.last_count:
            self.init = False  # a new epoch began: batch numbers restarted
        self.last_count = count
        if not self.init:
            self.init = True
            self.tic = time.time()
            return
        if count % self.frequent != 0:
            return
        samples = self.frequent * self.batch_size
        try:
            speed = samples / (time.time() - self.tic)
        except ZeroDivisionError:
            speed = float("inf")
        metric = param.eval_metric
        if metric is None:
            logging.info("Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec", param.epoch, count, speed)
        else:
            pairs = metric.get_name_value()
            shown = [item for pair in pairs for item in pair]
            values_format = "\t%s=%f" * len(pairs)
            if self.auto_reset:
                metric.reset_local()
                logging.info("Epoch[%d] Batch [%d-%d]\tSpeed: %.2f samples/sec" + values_format,
                             param.epoch, count - self.frequent, count, speed, *shown)
            else:
                logging.info("Epoch[%d] Batch [0-%d]\tSpeed: %.2f samples/sec" + values_format,
                             param.epoch, count, speed, *shown)
        self.tic = time.time()


class ProgressBar:
    """A batch-end callback that logs a text bar of how much of the epoch is done.

    Parameters
    ----------
    total : int
        Batches in one epoch.
    length : int, default 80
        Width of the bar in characters.

    Examples
    --------
    >>> bar = mx.callback.ProgressBar(total=100, length=20)
    >>> mod.fit(train_iter, num_epoch=1, batch_end_callback=bar)  # doctest: +SKIP
    """

    def __init__(self, total: int, length: int = 80):
        self.bar_len = length
        self.total = total

    def __call__(self, param: Any) -> None:
        """Log the bar for batch ``param.nbatch``."""
        count, total = param.nbatch, float(self.total)
        done = int(round(self.bar_len * count / total))
        percent = math.ceil(100.0 * count / total)
        logging.info("[%s] %s%s\r", "=" * done + "-" * (self.bar_len - done), percent, "%")


class LogValidationMetricsCallback:
    """An epoch-end callback for validation: logs ``Epoch[e] Validation-name=value`` lines."""

    def __call__(self, param: Any) -> None:
        """Log each of ``param.eval_metric``'s values (nothing without a metric)."""
        if not param.eval_metric:
            return
        for name, value in param.eval_metric.get_name_value():
            logging.info("Epoch[%d] Validation-%s=%f", param.epoch, name, value)
