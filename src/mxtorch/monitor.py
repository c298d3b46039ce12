"""MXNet's Monitor (``mx.mon.Monitor``): statistics of a graph's intermediate arrays, weights and
inputs, for debugging training.

A monitor is installed on executors (``monitor.install(exe)``, or ``mod.install_monitor(mon)`` /
``fit(monitor=...)`` for Module). Between :meth:`Monitor.tic` and :meth:`Monitor.toc` of every
``interval``-th batch it collects one statistic per operator output the executors produce
(``fc1_output``...), and with ``monitor_all`` per operator input too; :meth:`Monitor.toc` adds the
bound arguments and auxiliary states and returns everything as ``(step, name, text)``.

Unlike MXNet 1.9.1, whose backward pass ran operator by operator, no ``*_backward_*`` entries are
reported: the backward pass is one torch autograd call.
"""
from __future__ import annotations

import logging
import math
import re
from typing import Any, Callable, Optional

from . import ndarray
from .base import MXNetError
from .ndarray import NDArray

__all__ = ["Monitor"]


def _norm_stat(x: NDArray) -> NDArray:
    """MXNet's default statistic: the 2-norm divided by the square root of the size."""
    return ndarray.norm(x) / math.sqrt(x.size)


class Monitor:
    """Collect statistics of the arrays executors compute, every ``interval`` batches.

    Parameters
    ----------
    interval : int
        Number of batches between collections.
    stat_func : callable, optional
        Takes an NDArray and returns an NDArray (or a list of them): the statistic to report.
        Defaults to ``norm(x) / sqrt(x.size)``.
    pattern : str, default '.*'
        Regular expression; only arrays whose names match it (from the start) are reported,
        e.g. ``'.*weight|.*output'``.
    sort : bool, default False
        Whether :meth:`toc` orders the results by name.
    monitor_all : bool, default False
        Whether operator inputs are reported as well as outputs.
    """

    def __init__(self, interval: int, stat_func: Optional[Callable] = None, pattern: str = ".*",
                 sort: bool = False, monitor_all: bool = False):
        if int(interval) < 1:
            raise MXNetError(f"Monitor: interval must be a positive integer, got {interval!r}")
        self.interval = int(interval)
        self.stat_func = _norm_stat if stat_func is None else stat_func
        try:
            self.re_prog = re.compile(pattern)
        except re.error as err:
            raise MXNetError(f"Monitor: pattern {pattern!r} is not a regular expression: {err}") \
                from None
        self.sort = sort
        self.monitor_all = monitor_all
        self.activated = False
        self.queue: list = []
        self.step = 0
        self.exes: list = []

    def stat_helper(self, name: str, array: NDArray) -> None:
        """The executor callback: queue the statistic of ``array`` while collecting."""
        if self.activated and self.re_prog.match(name):
            self.queue.append((self.step, name, self.stat_func(array)))

    def install(self, exe: Any) -> None:
        """Install on an executor (``Symbol.bind``/``simple_bind``); several may be installed.

        Parameters
        ----------
        exe : Executor
            The executor whose arrays are to be watched.
        """
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def tic(self) -> None:
        """Start collecting for this batch (if it is one of every ``interval``); call before
        ``forward``."""
        if self.step % self.interval == 0:
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self) -> list:
        """Stop collecting and return what this batch collected.

        Returns
        -------
        list of (int, str, str)
            ``(step, name, statistic)`` per array, the operator outputs in execution order, then
            each executor's arguments and auxiliary states; the statistic's values are written as
            text, each followed by a tab. Empty if this batch was not collected.
        """
        if not self.activated:
            return []
        for exe in self.exes:
            named = list(zip(exe._symbol.list_arguments(), exe.arg_arrays))
            named += zip(exe._symbol.list_auxiliary_states(), exe.aux_arrays)
            for name, array in named:
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        queue, self.queue = self.queue, []
        if self.sort:
            queue.sort(key=lambda item: item[1])
        return [(step, name, _as_text(value)) for step, name, value in queue]

    def toc_print(self) -> None:
        """Stop collecting and log what this batch collected (``logging.info``)."""
        for step, name, text in self.toc():
            logging.info("Batch: {:7d} {:30s} {:s}".format(step, name, text))


def _as_text(value: Any) -> str:
    """A statistic (an NDArray or a list of them) as MXNet's text: a one-element array as its
    scalar, any other as its numpy printout, each followed by a tab."""
    values = value if isinstance(value, list) else [value]
    parts = []
    for v in values:
        if not isinstance(v, NDArray):
            raise MXNetError(f"Monitor: stat_func must return an NDArray or a list of them, got "
                             f"{type(v).__name__}")
        parts.append(str(v.asscalar()) if v.shape == (1,) else str(v.asnumpy()))
        parts.append("\t")
    return "".join(parts)
