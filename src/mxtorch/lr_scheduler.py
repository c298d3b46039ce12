"""Learning-rate schedules (``mx.lr_scheduler``): the rate as a function of the update count.

An optimizer given ``lr_scheduler=`` asks it for the rate before every update, passing the
largest number of updates any single weight has received so far. Every schedule can start
with a warmup phase. Formulas, defaults and error messages follow MXNet 1.9.1.
"""
from __future__ import annotations

import logging
from math import cos, pi

__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler",
           "CosineScheduler"]


def _refuse_first(checks: list) -> None:
    """Raise ``ValueError`` with the message of the first ``(failed, message)`` that failed."""
    for failed, message in checks:
        if failed:
            raise ValueError(message)


def _log_new_rate(num_update: int, rate: float, floored: bool = False) -> None:
    """Log a change of rate in MXNet's wording (scripts grep their logs for it)."""
    if floored:
        logging.info("Update[%d]: now learning rate arrived at %0.5e, will not change in the "
                     "future", num_update, rate)
    else:
        logging.info("Update[%d]: Change learning rate to %0.5e", num_update, rate)


class LRScheduler:
    """Common base of the schedules: holds the base rate and computes the warmup phase.

    During the first ``warmup_steps`` updates the rate goes from ``warmup_begin_lr`` to
    ``base_lr`` (``'linear'``) or stays at ``warmup_begin_lr`` (``'constant'``); after that
    the subclass's own schedule applies.

    Parameters
    ----------
    base_lr : float, default 0.01
        Rate the schedule starts from once warmup is over.
    warmup_steps : int, default 0
        Number of warmup updates; 0 means no warmup.
    warmup_begin_lr : float, default 0
        Rate at the first warmup update; may not exceed ``base_lr``.
    warmup_mode : str, default 'linear'
        ``'linear'`` (equal increments up to ``base_lr``) or ``'constant'``.

    Raises
    ------
    TypeError
        When ``warmup_steps`` is not an int.
    ValueError
        When ``warmup_begin_lr > base_lr``, ``warmup_steps < 0`` or the mode is unknown.
    """

    def __init__(self, base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        self.base_lr = base_lr
        if not isinstance(warmup_steps, int):
            raise TypeError(f"warmup_steps must be an int, got {type(warmup_steps).__name__}")
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        _refuse_first([
            (warmup_begin_lr > base_lr, "Base lr has to be higher than warmup_begin_lr"),
            (warmup_steps < 0, "Warmup steps has to be positive or 0"),
            (warmup_mode not in ("linear", "constant"),
             "Supports only linear and constant modes of warmup")])
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update: int) -> float:
        """The rate at warmup update ``num_update``.

        Parameters
        ----------
        num_update : int
            Update count, below ``warmup_steps``.

        Returns
        -------
        float
            The warmup rate.
        """
        if num_update >= self.warmup_steps:
            raise ValueError(f"get_warmup_lr: num_update {num_update} is not within the "
                             f"{self.warmup_steps} warmup steps")
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr
        if self.warmup_mode != "linear":
            raise ValueError(f"Invalid warmup mode {self.warmup_mode}")
        span = self.warmup_final_lr - self.warmup_begin_lr
        return self.warmup_begin_lr + span * float(num_update) / float(self.warmup_steps)

    def __call__(self, num_update: int) -> float:
        """The rate for the next update; each schedule defines it.

        Parameters
        ----------
        num_update : int
            The most updates any one weight has had so far (weights may be updated
            unequally often, e.g. with sparse gradients, so the maximum is what counts).

        Returns
        -------
        float
            The learning rate.
        """
        raise NotImplementedError("must override this")


def _check_max_update(max_update: int) -> None:
    """Refuse a ``max_update`` that is not a positive int."""
    if not isinstance(max_update, int):
        raise TypeError(f"max_update must be an int, got {type(max_update).__name__}")
    _refuse_first([(max_update < 1, "maximum number of updates must be strictly positive")])


def _check_factor(factor: float) -> None:
    """Refuse a factor that would make the rate grow."""
    _refuse_first([(factor > 1.0, "Factor must be no more than 1 to make lr reduce")])


_STEP_TOO_SMALL = "Schedule step must be greater or equal than 1 round"


class FactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` every ``step`` updates, down to a floor.

    After warmup the rate is ``base_lr * factor ** k`` where ``k`` counts the multiples of
    ``step`` that ``num_update`` has passed (strictly), but never below ``stop_factor_lr``.
    The schedule catches up over several steps at once when called with a jump in
    ``num_update`` (as when training resumes from a saved epoch).

    Parameters
    ----------
    step : int
        Updates between two reductions; at least 1.
    factor : float, default 1
        Multiplier applied at each reduction; at most 1.
    stop_factor_lr : float, default 1e-8
        Floor under which the rate does not go.
    base_lr : float, default 0.01
        Rate before the first reduction.
    warmup_steps : int, default 0
        Number of warmup updates (see :class:`LRScheduler`).
    warmup_begin_lr : float, default 0
        Rate at the first warmup update.
    warmup_mode : str, default 'linear'
        ``'linear'`` or ``'constant'`` warmup.

    Examples
    --------
    >>> sched = mx.lr_scheduler.FactorScheduler(step=10, factor=0.5, base_lr=1.0)
    >>> [sched(n) for n in (1, 10, 11, 21)]
    [1.0, 1.0, 0.5, 0.25]
    """

    def __init__(self, step: int, factor: float = 1, stop_factor_lr: float = 1e-8,
                 base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _refuse_first([(step < 1, _STEP_TOO_SMALL)])
        _check_factor(factor)
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update: int) -> float:
        """The rate for update ``num_update`` (see the class description)."""
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.count + self.step < num_update:
            self.count += self.step
            self.base_lr *= self.factor
            floored = self.base_lr < self.stop_factor_lr
            if floored:
                self.base_lr = self.stop_factor_lr
            _log_new_rate(num_update, self.base_lr, floored)
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` each time ``num_update`` passes one of ``step``.

    With ``step = [s0, s1, ...]`` the rate is ``base_lr`` up to ``s0``, ``base_lr * factor``
    after ``s0`` up to ``s1``, ``base_lr * factor ** 2`` after ``s1``, and so on.

    Parameters
    ----------
    step : list of int
        Strictly increasing update counts, each at least 1.
    factor : float, default 1
        Multiplier applied at each listed step; at most 1.
    base_lr : float, default 0.01
        Rate before the first listed step.
    warmup_steps : int, default 0
        Number of warmup updates (see :class:`LRScheduler`).
    warmup_begin_lr : float, default 0
        Rate at the first warmup update.
    warmup_mode : str, default 'linear'
        ``'linear'`` or ``'constant'`` warmup.

    Examples
    --------
    >>> sched = mx.lr_scheduler.MultiFactorScheduler(step=[5, 8], factor=0.1, base_lr=1.0)
    >>> [round(sched(n), 6) for n in (5, 6, 9)]
    [1.0, 0.1, 0.01]
    """

    def __init__(self, step: list, factor: float = 1, base_lr: float = 0.01,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0, warmup_mode: str = "linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list) or len(step) < 1:
            raise ValueError(f"step must be a non-empty list of ints, got {step!r}")
        for position, boundary in enumerate(step):
            _refuse_first([
                (position > 0 and boundary <= step[position - 1],
                 "Schedule step must be an increasing integer list"),
                (boundary < 1, _STEP_TOO_SMALL)])
        _check_factor(factor)
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update: int) -> float:
        """The rate for update ``num_update`` (see the class description)."""
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        # several boundaries may be passed at once when training resumes mid-way
        while self.cur_step_ind < len(self.step) and num_update > self.step[self.cur_step_ind]:
            self.count = self.step[self.cur_step_ind]
            self.cur_step_ind += 1
            self.base_lr *= self.factor
            _log_new_rate(num_update, self.base_lr)
        return self.base_lr


class PolyScheduler(LRScheduler):
    """Decay the rate polynomially from ``base_lr`` to ``final_lr`` over ``max_update`` updates.

    After warmup, with ``t = (num_update - warmup_steps) / (max_update - warmup_steps)``::

        lr = final_lr + (base_lr - final_lr) * (1 - t) ** pwr

    and the rate stays where it is once ``num_update`` exceeds ``max_update``.

    Parameters
    ----------
    max_update : int
        Update count at which ``final_lr`` is reached; a positive int.
    base_lr : float, default 0.01
        Rate at the start of the decay.
    pwr : float, default 2
        Exponent of the decay (1 is a straight line).
    final_lr : float, default 0
        Rate at ``max_update``.
    warmup_steps : int, default 0
        Number of warmup updates (see :class:`LRScheduler`).
    warmup_begin_lr : float, default 0
        Rate at the first warmup update.
    warmup_mode : str, default 'linear'
        ``'linear'`` or ``'constant'`` warmup.

    Examples
    --------
    >>> sched = mx.lr_scheduler.PolyScheduler(max_update=10, base_lr=1.0, pwr=1)
    >>> [sched(n) for n in (0, 5, 10, 20)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def __init__(self, max_update: int, base_lr: float = 0.01, pwr: float = 2,
                 final_lr: float = 0, warmup_steps: int = 0, warmup_begin_lr: float = 0,
                 warmup_mode: str = "linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _check_max_update(max_update)
        self.power = pwr
        self.base_lr_orig = self.base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = max_update - warmup_steps

    def __call__(self, num_update: int) -> float:
        """The rate for update ``num_update`` (see the class description)."""
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            progress = float(num_update - self.warmup_steps) / float(self.max_steps)
            span = self.base_lr_orig - self.final_lr
            self.base_lr = self.final_lr + span * pow(1 - progress, self.power)
        return self.base_lr


class CosineScheduler(LRScheduler):
    """Decay the rate from ``base_lr`` to ``final_lr`` along half a cosine wave.

    After warmup, with ``t = (num_update - warmup_steps) / (max_update - warmup_steps)``::

        lr = final_lr + (base_lr - final_lr) * (1 + cos(pi * t)) / 2

    and the rate stays where it is once ``num_update`` exceeds ``max_update``.

    Parameters
    ----------
    max_update : int
        Update count at which ``final_lr`` is reached; a positive int.
    base_lr : float, default 0.01
        Rate at the start of the decay.
    final_lr : float, default 0
        Rate at ``max_update``.
    warmup_steps : int, default 0
        Number of warmup updates (see :class:`LRScheduler`).
    warmup_begin_lr : float, default 0
        Rate at the first warmup update.
    warmup_mode : str, default 'linear'
        ``'linear'`` or ``'constant'`` warmup.

    Examples
    --------
    >>> sched = mx.lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0)
    >>> [round(sched(n), 6) for n in (0, 5, 10)]
    [1.0, 0.5, 0.0]
    """

    def __init__(self, max_update: int, base_lr: float = 0.01, final_lr: float = 0,
                 warmup_steps: int = 0, warmup_begin_lr: float = 0, warmup_mode: str = "linear"):
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _check_max_update(max_update)
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = max_update - warmup_steps

    def __call__(self, num_update: int) -> float:
        """The rate for update ``num_update`` (see the class description)."""
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            angle = pi * (num_update - self.warmup_steps) / self.max_steps
            span = self.base_lr_orig - self.final_lr
            self.base_lr = self.final_lr + span * (1 + cos(angle)) / 2
        return self.base_lr
