"""Metric bookkeeping shared by the Estimator and its handlers."""
from __future__ import annotations

from typing import Any, Optional

from ....base import MXNetValueError
from ....metric import Accuracy, CompositeEvalMetric, EvalMetric
from ...loss import SoftmaxCrossEntropyLoss


def _check_metrics(metrics: Any) -> list:
    """A flat list of metrics (a composite metric is unpacked into its parts)."""
    if isinstance(metrics, CompositeEvalMetric):
        return [m for metric in metrics.metrics for m in _check_metrics(metric)]
    if isinstance(metrics, EvalMetric):
        return [metrics]
    metrics = list(metrics or [])
    if not all(isinstance(m, EvalMetric) for m in metrics):
        raise MXNetValueError("metrics must be a Metric or a list of Metric, refer to "
                              f"mxnet.metric.EvalMetric: {metrics}")
    return metrics


def _check_handler_metric_ref(handler: Any, known_metrics: set) -> None:
    """Refuse a handler whose metric attributes hold metrics the estimator does not update.

    As in MXNet, the attributes looked at are those whose name contains 'metric'.
    """
    for attribute in dir(handler):
        if "metric" not in attribute:
            continue
        reference = getattr(handler, attribute)
        if not reference:
            continue
        for metric in reference if isinstance(reference, list) else [reference]:
            if metric not in known_metrics:
                raise MXNetValueError(
                    f"Event handler {type(handler).__name__} refers to a metric instance {metric} "
                    "outside of the known training and validation metrics. Please use the metrics "
                    "from estimator.train_metrics and estimator.val_metrics instead.")


def _suggest_metric_for_loss(loss: Any) -> Optional[EvalMetric]:
    """The metric the estimator adds for a loss when none is given: accuracy for softmax
    cross-entropy."""
    return Accuracy() if isinstance(loss, SoftmaxCrossEntropyLoss) else None
