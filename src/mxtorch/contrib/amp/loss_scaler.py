"""The dynamic loss scaler of AMP: the scale the loss is multiplied by before backward, halved when
a gradient overflows and doubled after a run of clean steps."""
from __future__ import annotations

import logging
from typing import Iterable

import torch

__all__ = ["LossScaler"]

log = logging.getLogger(__name__)


class LossScaler:
    """The factor AMP multiplies losses by: 2**16 at first, halved after a step whose gradients
    hold an infinity or NaN (the Trainer skips that step), doubled after 2000 clean steps in a row,
    never above 2**24. ``loss_scale`` is the factor in use."""

    def __init__(self) -> None:
        self._loss_scale = 2.0 ** 16
        self._next_loss_scale = self._loss_scale
        self._max_loss_scale = 2.0 ** 24
        self._scale_seq_len = 2000
        self._unskipped = 0

    @property
    def loss_scale(self) -> float:
        """The factor the current step's loss is multiplied by."""
        return self._loss_scale

    def has_overflow(self, params: Iterable) -> bool:
        """Whether any gradient of ``params`` is not finite; moves the scale for the next step
        (the scale of this step stays what the loss was multiplied by)."""
        grads = [g._t for p in params if p.grad_req != "null" and p._grad is not None
                 for g in p.list_grad()]
        finite = True
        if grads:
            with torch.no_grad():
                # one device-to-host read for all gradients
                flags = torch.stack([torch.isfinite(g).all() for g in grads])
                finite = bool(flags.all())
        self._loss_scale = self._next_loss_scale
        if not finite:
            self._next_loss_scale = self._loss_scale / 2.0
            self._unskipped = 0
            log.info("AMP: decreasing loss scale to %f", self._next_loss_scale)
        else:
            self._unskipped += 1
        if self._unskipped == self._scale_seq_len:
            self._unskipped = 0
            self._next_loss_scale = min(self._max_loss_scale, self._loss_scale * 2.0)
            log.info("AMP: increasing loss scale to %f", self._next_loss_scale)
        return not finite
