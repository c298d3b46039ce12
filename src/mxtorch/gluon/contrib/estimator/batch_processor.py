"""How the Estimator processes one batch: :class:`BatchProcessor`."""
from __future__ import annotations

from typing import Any

from .... import autograd
from ...utils import split_and_load

__all__ = ["BatchProcessor"]


class BatchProcessor:
    """The forward (and, in training, backward) pass of the Estimator on one batch.

    Subclass it and override :meth:`fit_batch` and/or :meth:`evaluate_batch` to change what a
    batch does (several inputs, a custom loss...), then pass an instance to the Estimator as
    ``batch_processor``. Both return ``(data, label, pred, loss)``, each a list with one entry per
    device; the event handlers receive ``pred``, ``label`` and ``loss``.
    """

    def __init__(self) -> None:
        pass

    def _get_data_and_label(self, batch: Any, ctx: list, batch_axis: int = 0) -> tuple:
        data = split_and_load(batch[0], ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(batch[1], ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def evaluate_batch(self, estimator: Any, val_batch: Any, batch_axis: int = 0) -> tuple:
        """Run the validation network and loss on a batch.

        Parameters
        ----------
        estimator : Estimator
        val_batch : tuple
            ``(data, label)`` from the validation DataLoader.
        batch_axis : int, default 0
            Axis along which the batch is split across the estimator's devices.

        Returns
        -------
        tuple of lists
            ``(data, label, pred, loss)``, one entry per device.
        """
        data, label = self._get_data_and_label(val_batch, estimator.context, batch_axis)
        pred = [estimator.val_net(x) for x in data]
        loss = [estimator.val_loss(y_hat, y) for y_hat, y in zip(pred, label)]
        return data, label, pred, loss

    def fit_batch(self, estimator: Any, train_batch: Any, batch_axis: int = 0) -> tuple:
        """Run the network and loss on a batch under ``autograd.record`` and back-propagate;
        the parameter update itself is left to :class:`GradientUpdateHandler`.

        Parameters
        ----------
        estimator : Estimator
        train_batch : tuple
            ``(data, label)`` from the training DataLoader.
        batch_axis : int, default 0
            Axis along which the batch is split across the estimator's devices.

        Returns
        -------
        tuple of lists
            ``(data, label, pred, loss)``, one entry per device.
        """
        data, label = self._get_data_and_label(train_batch, estimator.context, batch_axis)
        with autograd.record():
            pred = [estimator.net(x) for x in data]
            loss = [estimator.loss(y_hat, y) for y_hat, y in zip(pred, label)]
        for part in loss:
            part.backward()
        return data, label, pred, loss
