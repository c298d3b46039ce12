"""Evaluation metrics that accumulate over mini-batches (``mx.metric``).

Each metric keeps two running tallies: a *local* one, which ``reset_local`` clears (Module's
``fit`` does so at every logging interval), and a *global* one that only ``reset`` clears.
Names, aliases, defaults and the values reported follow MXNet 1.9.1; the arithmetic runs in
numpy or torch on the arrays' values.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Callable, Optional

import numpy
import torch

from . import registry
from .base import numeric_types, string_types
from .ndarray.ndarray import NDArray

__all__ = ["EvalMetric", "CompositeEvalMetric", "Accuracy", "TopKAccuracy", "F1", "MCC",
           "Perplexity", "MAE", "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood",
           "PearsonCorrelation", "PCC", "Loss", "Torch", "Caffe", "CustomMetric", "np", "create",
           "register", "alias", "check_label_shapes"]


def check_label_shapes(labels: Any, preds: Any, wrap: bool = False, shape: bool = False) -> tuple:
    """Make sure labels and predictions pair up, and optionally put single arrays in lists.

    Parameters
    ----------
    labels : list of NDArray, or NDArray
        Ground truth for a batch.
    preds : list of NDArray, or NDArray
        Model outputs for the same batch.
    wrap : bool, default False
        When true, a lone ``NDArray`` passed as ``labels`` or ``preds`` comes back as a
        one-element list, so callers can always iterate.
    shape : bool, default False
        When true, ``labels.shape`` and ``preds.shape`` must be equal; otherwise only their
        lengths are compared.

    Returns
    -------
    tuple
        ``(labels, preds)``, wrapped as asked.

    Raises
    ------
    ValueError
        When the lengths (or shapes) differ.
    """
    sizes = (labels.shape, preds.shape) if shape else (len(labels), len(preds))
    if sizes[0] != sizes[1]:
        raise ValueError(f"Shape of labels {sizes[0]} does not match shape of predictions "
                         f"{sizes[1]}")
    if not wrap:
        return labels, preds
    def as_list(array: Any) -> Any:
        return [array] if isinstance(array, NDArray) else array
    return as_list(labels), as_list(preds)


def _batch_pairs(labels: Any, preds: Any) -> zip:
    """``(label, pred)`` pairs of one update, after checking that the counts agree."""
    labels, preds = check_label_shapes(labels, preds, wrap=True)
    return zip(labels, preds)


def _numpy(array: Any) -> numpy.ndarray:
    """The values of an NDArray (or of an array-like) as a numpy array."""
    return array.asnumpy() if isinstance(array, NDArray) else numpy.asarray(array)


def _tensor(array: Any) -> torch.Tensor:
    """The values of an NDArray (or of an array-like) as a torch tensor outside autograd."""
    return array._t.detach() if isinstance(array, NDArray) else torch.as_tensor(numpy.asarray(array))


def _named_value(name: str, total: Any, count: Any, finish: Callable = lambda v: v) -> tuple:
    """``(name, finish(total / count))``, or ``(name, nan)`` before anything was counted."""
    return (name, float("nan")) if count == 0 else (name, finish(total / count))


class EvalMetric:
    """Common base of every metric: the running tallies and how they are read.

    A subclass implements ``update`` (adding a batch to ``sum_metric``/``num_inst`` and their
    ``global_`` twins); ``get`` then reports ``sum_metric / num_inst``. Register a subclass
    with :func:`register` to make it available to :func:`create` by name.

    Parameters
    ----------
    name : str
        Label under which the value is reported.
    output_names : list of str, or None
        Which predictions ``update_dict`` passes on, by name; None passes all of them.
    label_names : list of str, or None
        Which labels ``update_dict`` passes on, by name; None passes all of them.
    **kwargs
        Constructor arguments of the subclass, kept so that ``get_config`` can rebuild it.
        ``has_global_stats`` (default False) is taken out first: it says whether the
        global tally is kept apart from the local one.
    """

    def __init__(self, name: str, output_names: Optional[list] = None,
                 label_names: Optional[list] = None, **kwargs: Any):
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        keeps_global = kwargs.pop("has_global_stats", False)
        self._has_global_stats = keeps_global
        self._kwargs = kwargs
        self.reset()

    def __str__(self) -> str:
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self) -> dict:
        """The arguments that rebuild this metric through ``mx.metric.create(**config)``.

        Returns
        -------
        dict
            The subclass's own arguments plus ``metric`` (the class name), ``name``,
            ``output_names`` and ``label_names``.
        """
        config = dict(self._kwargs)
        config["metric"] = type(self).__name__
        config["name"] = self.name
        config["output_names"] = self.output_names
        config["label_names"] = self.label_names
        return config

    def update_dict(self, label: dict, pred: dict) -> None:
        """Update from name-to-array mappings, choosing entries by ``label_names`` and
        ``output_names``.

        Parameters
        ----------
        label : dict of str to NDArray
            Labels by name (an ``OrderedDict`` keeps their order when no names are set).
        pred : dict of str to NDArray
            Predictions by name.
        """
        def chosen(arrays: dict, names: Optional[list]) -> list:
            return list(arrays.values()) if names is None else [arrays[n] for n in names]
        picked_preds = chosen(pred, self.output_names)
        self.update(chosen(label, self.label_names), picked_preds)

    def update(self, labels: Any, preds: Any) -> None:
        """Add one batch to the tallies; each metric defines it.

        Parameters
        ----------
        labels : list of NDArray
            Ground truth, one array per output.
        preds : list of NDArray
            Model outputs, paired with ``labels`` in order.
        """
        raise NotImplementedError()

    def _accumulate(self, value: Any, count: Any) -> None:
        """Add one batch's metric sum and instance count to the local and global totals.

        numpy scalars become Python numbers: MXNet's sums were float64 (numpy 1.x promoted
        ``0.0 + float32``), and Python floats keep that under numpy 2 and print plainly.
        """
        if isinstance(value, numpy.generic):
            value = value.item()
        if isinstance(count, numpy.generic):
            count = count.item()
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count

    def reset(self) -> None:
        """Clear both the local and the global tallies."""
        self.num_inst = self.global_num_inst = 0
        self.sum_metric = self.global_sum_metric = 0.0

    def reset_local(self) -> None:
        """Clear the local tally only; the global one keeps counting."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self) -> tuple:
        """The value over the batches seen since the last ``reset_local``.

        Returns
        -------
        tuple
            ``(name, value)``; the value is NaN when nothing was counted yet.
        """
        return _named_value(self.name, self.sum_metric, self.num_inst)

    def get_global(self) -> tuple:
        """The value over all batches since the last ``reset``.

        Returns
        -------
        tuple
            ``(name, value)``. A metric without separate global statistics reports ``get()``.
        """
        if not self._has_global_stats:
            return self.get()
        return _named_value(self.name, self.global_sum_metric, self.global_num_inst)

    def get_name_value(self) -> list:
        """The local result as a list of ``(name, value)`` pairs.

        Returns
        -------
        list of tuple
            One pair per reported value (several for a composite metric).
        """
        return _zip_name_value(*self.get())

    def get_global_name_value(self) -> list:
        """The global result as a list of ``(name, value)`` pairs.

        Returns
        -------
        list of tuple
            One pair per reported value; the local ones without separate global statistics.
        """
        if not self._has_global_stats:
            return self.get_name_value()
        return _zip_name_value(*self.get_global())


def _zip_name_value(name: Any, value: Any) -> list:
    """Pairs of names and values, a single name or value counted as a list of one."""
    names = name if isinstance(name, list) else [name]
    values = value if isinstance(value, list) else [value]
    return list(zip(names, values))


register = registry.get_register_func(EvalMetric, "metric")
alias = registry.get_alias_func(EvalMetric, "metric")
_create = registry.get_create_func(EvalMetric, "metric")


def create(metric: Any, *args: Any, **kwargs: Any) -> EvalMetric:
    """Build a metric from a name, an instance, a function or a list of these.

    Parameters
    ----------
    metric : str, EvalMetric, callable or list
        A registered name or alias (``'acc'``, ``'ce'``, ``'rmse'``, ...), an ``EvalMetric``
        (returned as it is), a function ``feval(label, pred)`` (wrapped in
        :class:`CustomMetric`), or a list of any of these (gathered in a
        :class:`CompositeEvalMetric`).
    *args
        Passed on to the metric's constructor.
    **kwargs
        Passed on to the metric's constructor.

    Returns
    -------
    EvalMetric
        The metric.

    Examples
    --------
    >>> def mean_gap(label, pred):
    ...     return abs(label - pred).mean()
    >>> both = mx.metric.create(['acc', mean_gap])
    >>> [type(m).__name__ for m in both.metrics]
    ['Accuracy', 'CustomMetric']
    """
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if not isinstance(metric, list):
        return _create(metric, *args, **kwargs)
    group = CompositeEvalMetric()
    for entry in metric:
        group.add(create(entry, *args, **kwargs))
    return group


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together and reported side by side.

    Parameters
    ----------
    metrics : list, or None
        The child metrics, each anything :func:`create` accepts.
    name : str, default 'composite'
        Label of the group (the children report under their own names).
    output_names : list of str, or None
        Predictions ``update_dict`` hands to the children, by name; None hands all.
    label_names : list of str, or None
        Labels ``update_dict`` hands to the children, by name; None hands all.

    Examples
    --------
    >>> group = mx.metric.CompositeEvalMetric(['acc', 'f1'])
    >>> group.update([mx.nd.array([0, 1, 1])],
    ...              [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> names, values = group.get()
    >>> names, [round(float(v), 4) for v in values]
    (['accuracy', 'f1'], [0.6667, 0.8])
    """

    def __init__(self, metrics: Optional[list] = None, name: str = "composite",
                 output_names: Optional[list] = None, label_names: Optional[list] = None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.metrics = [create(child) for child in (metrics or [])]

    def add(self, metric: Any) -> None:
        """Append a child metric.

        Parameters
        ----------
        metric : str, EvalMetric, callable or list
            Anything :func:`create` accepts.
        """
        self.metrics.append(create(metric))

    def get_metric(self, index: int) -> Any:
        """The child metric at ``index``.

        Parameters
        ----------
        index : int
            Position in ``metrics``.

        Returns
        -------
        EvalMetric or ValueError
            The child; for an index out of range a ``ValueError`` is *returned*, not raised,
            as MXNet does.
        """
        try:
            return self.metrics[index]
        except IndexError:
            return ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")

    def update_dict(self, labels: dict, preds: dict) -> None:  # pylint: disable=arguments-differ
        """Filter the mappings by this group's names, then let every child update from them.

        Parameters
        ----------
        labels : dict of str to NDArray
            Labels by name.
        preds : dict of str to NDArray
            Predictions by name.
        """
        def kept(arrays: dict, names: Optional[list]) -> dict:
            if names is None:
                return arrays
            return OrderedDict((key, value) for key, value in arrays.items() if key in names)
        labels = kept(labels, self.label_names)
        preds = kept(preds, self.output_names)
        for child in self.metrics:
            child.update_dict(labels, preds)

    def update(self, labels: Any, preds: Any) -> None:
        """Pass the batch to every child.

        Parameters
        ----------
        labels : list of NDArray
            Ground truth.
        preds : list of NDArray
            Model outputs.
        """
        for child in self.metrics:
            child.update(labels, preds)

    def reset(self) -> None:
        """Clear every child's tallies."""
        # reset() runs inside EvalMetric.__init__, before the children exist
        for child in getattr(self, "metrics", []):
            child.reset()

    def reset_local(self) -> None:
        """Clear every child's local tally."""
        for child in getattr(self, "metrics", []):
            child.reset_local()

    def get(self) -> tuple:
        """The children's local results.

        Returns
        -------
        tuple
            ``(names, values)``, two lists in the children's order.
        """
        return self._collect(lambda m: m.get())

    def get_global(self) -> tuple:
        """The children's global results.

        Returns
        -------
        tuple
            ``(names, values)``, two lists in the children's order.
        """
        return self._collect(lambda m: m.get_global())

    def _collect(self, getter: Callable) -> tuple:
        """Concatenate what ``getter`` reports for each child (a child may report several)."""
        names, values = [], []
        for child in self.metrics:
            name, value = getter(child)
            names += [name] if isinstance(name, string_types) else name
            values += [value] if isinstance(value, numeric_types) else value
        return (names, values)

    def get_config(self) -> dict:
        """The group's arguments, with each child's own config under ``metrics``.

        Returns
        -------
        dict
            As :meth:`EvalMetric.get_config`, plus ``metrics``.
        """
        config = super().get_config()
        config["metrics"] = [child.get_config() for child in self.metrics]
        return config


# Classification


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Share of samples whose predicted class equals the label.

    A prediction shaped like its label is read as class indices; otherwise the class is the
    argmax along ``axis``. Both are cast to int32 and compared element by element, so the
    value is ``(number of matches) / (number of samples)``.

    Parameters
    ----------
    axis : int, default 1
        Axis of the prediction that runs over the classes.
    name : str, default 'accuracy'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> acc = mx.metric.Accuracy()
    >>> acc.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> acc.get()
    ('accuracy', 0.6666666666666666)
    """

    def __init__(self, axis: int = 1, name: str = "accuracy",
                 output_names: Optional[list] = None, label_names: Optional[list] = None):
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels: Any, preds: Any) -> None:
        """Count the correct predictions of a batch.

        Parameters
        ----------
        labels : list of NDArray
            Class indices, one per sample.
        preds : list of NDArray
            Either class indices (same shape as the label) or per-class scores.
        """
        for label, pred in _batch_pairs(labels, preds):
            if pred.shape == label.shape:
                classes = _numpy(pred).astype("int32")
            else:
                classes = torch.argmax(_tensor(pred), dim=self.axis).cpu().numpy().astype("int32")
            # compared flat: (N,) labels against (N, 1) predictions, say, still pair up
            truth = _numpy(label).astype("int32").flat
            classes = classes.flat
            check_label_shapes(truth, classes)
            self._accumulate((classes == truth).sum(), len(classes))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Share of samples whose label is among the ``top_k`` highest-scored classes.

    The reported name gets ``_<top_k>`` appended (``'top_k_accuracy_5'``). With ``top_k=1``
    this would be :class:`Accuracy`, which is why values below 2 are refused.

    Parameters
    ----------
    top_k : int, default 1
        How many of the best-scored classes count as a hit; must be at least 2.
    name : str, default 'top_k_accuracy'
        Label under which the value is reported (before the suffix).
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Raises
    ------
    ValueError
        When ``top_k`` is 1 or less.

    Examples
    --------
    >>> top2 = mx.metric.TopKAccuracy(top_k=2)
    >>> top2.update([mx.nd.array([2, 0])], [mx.nd.array([[0.1, 0.5, 0.4], [0.2, 0.3, 0.5]])])
    >>> top2.get()
    ('top_k_accuracy_2', 0.5)
    """

    def __init__(self, top_k: int = 1, name: str = "top_k_accuracy",
                 output_names: Optional[list] = None, label_names: Optional[list] = None):
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.top_k = top_k
        if top_k <= 1:
            raise ValueError("Please use Accuracy if top_k is no more than 1")
        self.name = f"{self.name}_{top_k}"

    def update(self, labels: Any, preds: Any) -> None:
        """Count the samples whose label is among the best-scored classes.

        Parameters
        ----------
        labels : list of NDArray
            Class indices, one per sample.
        preds : list of NDArray
            Scores ``(N, classes)`` (a 1-d prediction is compared with the label directly).
        """
        for label, pred in _batch_pairs(labels, preds):
            if len(pred.shape) > 2:
                raise ValueError("Predictions should be no more than 2 dims, got shape "
                                 f"{tuple(pred.shape)}")
            # argpartition is enough: the order within the top k does not matter.
            ranked = numpy.argpartition(_numpy(pred).astype("float32"), -self.top_k)
            truth = _numpy(label).astype("int32")
            check_label_shapes(truth, ranked)
            if ranked.ndim == 1:
                # MXNet counts a 1-d prediction in the local sum only
                self.sum_metric += int((ranked.flat == truth.flat).sum())
            elif ranked.ndim == 2:
                width = ranked.shape[1]
                for column in range(width - min(width, self.top_k), width):
                    hits = int((ranked[:, column].flat == truth.flat).sum())
                    self.sum_metric += hits
                    self.global_sum_metric += hits
            self.num_inst += ranked.shape[0]
            self.global_num_inst += ranked.shape[0]


class _BinaryClassificationMetrics:
    """Confusion counts of a two-class problem, local and global, and the scores built on them.

    Predictions are per-class scores ``(N, 2)``; the predicted class is their argmax, and
    class 1 is the positive one. The counts are kept as attributes (``true_positives``,
    ``global_true_positives``, ...), as in MXNet, so code that reads them keeps working.
    """

    _COUNTS = ("true_positives", "false_negatives", "false_positives", "true_negatives")

    def __init__(self) -> None:
        self.reset_stats()

    def update_binary_stats(self, label: Any, pred: Any) -> None:
        """Add the confusion counts of one batch.

        Parameters
        ----------
        label : NDArray
            Labels, 0 or 1.
        pred : NDArray
            Scores ``(N, 2)``.

        Raises
        ------
        ValueError
            When the labels hold more than two distinct values.
        """
        scores = _numpy(pred)
        truth = _numpy(label).astype("int32")
        predicted = numpy.argmax(scores, axis=1)
        check_label_shapes(truth, scores)
        if numpy.unique(truth).size > 2:
            raise ValueError(f"{type(self).__name__} currently only supports binary "
                             "classification.")
        said_yes = predicted == 1
        is_yes = truth == 1
        said_no, is_no = 1 - said_yes, 1 - is_yes
        batch = (("true_positives", said_yes * is_yes), ("false_positives", said_yes * is_no),
                 ("false_negatives", said_no * is_yes), ("true_negatives", said_no * is_no))
        for key, hits in batch:
            count = hits.sum()
            setattr(self, key, getattr(self, key) + count)
            setattr(self, "global_" + key, getattr(self, "global_" + key) + count)

    @staticmethod
    def _ratio(hits: Any, misses: Any) -> float:
        """``hits / (hits + misses)``, 0 when both are 0."""
        return float(hits) / (hits + misses) if hits + misses > 0 else 0.

    @staticmethod
    def _harmonic(precision: float, recall: float) -> float:
        """The harmonic mean of precision and recall, 0 when both are 0."""
        if precision + recall > 0:
            return 2 * precision * recall / (precision + recall)
        return 0.

    @property
    def precision(self) -> float:
        """Local precision: true positives over all predicted positives."""
        return self._ratio(self.true_positives, self.false_positives)

    @property
    def global_precision(self) -> float:
        """Global precision: true positives over all predicted positives."""
        return self._ratio(self.global_true_positives, self.global_false_positives)

    @property
    def recall(self) -> float:
        """Local recall: true positives over all actual positives."""
        return self._ratio(self.true_positives, self.false_negatives)

    @property
    def global_recall(self) -> float:
        """Global recall: true positives over all actual positives."""
        return self._ratio(self.global_true_positives, self.global_false_negatives)

    @property
    def fscore(self) -> float:
        """Local F1: harmonic mean of precision and recall."""
        return self._harmonic(self.precision, self.recall)

    @property
    def global_fscore(self) -> float:
        """Global F1: harmonic mean of precision and recall."""
        return self._harmonic(self.global_precision, self.global_recall)

    def matthewscc(self, use_global: bool = False) -> float:
        """Matthews correlation coefficient of the local (or global) counts.

        Factors of the denominator that are zero are left out, so a batch with a single
        class gives 0 rather than a division by zero.

        Parameters
        ----------
        use_global : bool, default False
            Use the global counts instead of the local ones.

        Returns
        -------
        float
            The coefficient, between -1 and 1; 0 when nothing was counted.
        """
        prefix = "global_" if use_global else ""
        if not (self.global_total_examples if use_global else self.total_examples):
            return 0.
        tp, fp, fn, tn = (float(getattr(self, prefix + key)) for key in
                          ("true_positives", "false_positives", "false_negatives",
                           "true_negatives"))
        denominator = 1.
        for factor in (tp + fp, tp + fn, tn + fp, tn + fn):
            if factor != 0.:
                denominator *= factor
        agreement = tp * tn - fp * fn
        return agreement / math.sqrt(denominator)

    @property
    def total_examples(self) -> Any:
        """Samples counted locally."""
        return sum(getattr(self, key) for key in self._COUNTS)

    @property
    def global_total_examples(self) -> Any:
        """Samples counted globally."""
        return sum(getattr(self, "global_" + key) for key in self._COUNTS)

    def local_reset_stats(self) -> None:
        """Zero the local counts."""
        for key in self._COUNTS:
            setattr(self, key, 0)

    def reset_stats(self) -> None:
        """Zero the local and the global counts."""
        for key in self._COUNTS:
            setattr(self, key, 0)
            setattr(self, "global_" + key, 0)


class _BinaryMetric(EvalMetric):
    """F1 and MCC: a score computed from binary counts, averaged per batch ("macro") or over
    all the counts ("micro")."""

    def __init__(self, name: str, output_names: Optional[list], label_names: Optional[list],
                 average: str):
        self._average = average
        self._metrics = _BinaryClassificationMetrics()
        EvalMetric.__init__(self, name=name, output_names=output_names, label_names=label_names,
                            has_global_stats=True)

    def _score(self, use_global: bool) -> float:
        raise NotImplementedError()

    def update(self, labels: Any, preds: Any) -> None:
        """Add a batch's confusion counts and refresh the score.

        With ``average='macro'`` the batch's own score is added and the counts start afresh;
        with ``'micro'`` the counts keep growing and the score is recomputed from all of them.

        Parameters
        ----------
        labels : list of NDArray
            Labels, 0 or 1.
        preds : list of NDArray
            Scores ``(N, 2)``.
        """
        counts = self._metrics
        for label, pred in _batch_pairs(labels, preds):
            counts.update_binary_stats(label, pred)
        if self._average == "macro":
            self.sum_metric += self._score(False)
            self.global_sum_metric += self._score(True)
            self.num_inst += 1
            self.global_num_inst += 1
            counts.reset_stats()
            return
        local_n, global_n = counts.total_examples, counts.global_total_examples
        self.sum_metric = self._score(False) * local_n
        self.global_sum_metric = self._score(True) * global_n
        self.num_inst = local_n
        self.global_num_inst = global_n

    def reset(self) -> None:
        """Clear the tallies and the confusion counts."""
        self.num_inst = self.global_num_inst = 0
        self.sum_metric = self.global_sum_metric = 0.
        self._metrics.reset_stats()

    def reset_local(self) -> None:
        """Clear the local tally and the local confusion counts."""
        self.num_inst = 0
        self.sum_metric = 0.
        self._metrics.local_reset_stats()


@register
class F1(_BinaryMetric):
    """F1 score of a two-class problem: the harmonic mean of precision and recall.

    With TP, FP and FN the true positives, false positives and false negatives (class 1
    being positive, the predicted class the argmax of the scores)::

        precision = TP / (TP + FP)      recall = TP / (TP + FN)
        F1 = 2 * precision * recall / (precision + recall)

    It ranges from 0 (worst) to 1 (best). Labels with more than two classes are refused.

    Parameters
    ----------
    name : str, default 'f1'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.
    average : str, default 'macro'
        ``'macro'`` reports the mean of each batch's F1; ``'micro'`` one F1 of the counts
        pooled over all batches.

    Examples
    --------
    >>> f1 = mx.metric.F1()
    >>> f1.update([mx.nd.array([0., 1., 1.])], [mx.nd.array([[0.3, 0.7], [0., 1.], [0.4, 0.6]])])
    >>> print(f1.get()[1])
    0.8
    """

    def __init__(self, name: str = "f1", output_names: Optional[list] = None,
                 label_names: Optional[list] = None, average: str = "macro"):
        super().__init__(name, output_names, label_names, average)

    @property
    def average(self) -> str:
        """How batches are combined: ``'macro'`` or ``'micro'``."""
        return self._average

    @property
    def metrics(self) -> _BinaryClassificationMetrics:
        """The confusion counts behind the score."""
        return self._metrics

    def _score(self, use_global: bool) -> float:
        return self._metrics.global_fscore if use_global else self._metrics.fscore


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of a two-class problem.

    ``MCC = (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN))``, a factor of zero in the
    square root being left out. It is 1 for perfect predictions, 0 for predictions no better
    than chance (a model that always answers the same class scores 0 here even when its
    accuracy looks good) and -1 for predictions that are always wrong; it treats both classes
    alike. Labels with more than two classes are refused; :class:`PCC` handles those.

    Parameters
    ----------
    name : str, default 'mcc'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.
    average : str, default 'macro'
        ``'macro'`` reports the mean of each batch's coefficient; ``'micro'`` one coefficient
        of the counts pooled over all batches.
    """

    def __init__(self, name: str = "mcc", output_names: Optional[list] = None,
                 label_names: Optional[list] = None, average: str = "macro"):
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global: bool) -> float:
        return self._metrics.matthewscc(use_global=use_global)

    def reset(self) -> None:
        """Clear the tallies and the confusion counts (instance counts as floats, as MXNet)."""
        super().reset()
        self.num_inst = 0.
        self.global_sum_metric = 0.
        self.global_num_inst = 0.

    def reset_local(self) -> None:
        """Clear the local tally and the local confusion counts."""
        super().reset_local()
        self.num_inst = 0.


@register
class Perplexity(EvalMetric):
    """Perplexity: ``exp`` of the mean negative log-probability given to the true labels.

    For each sample the probability the prediction assigns to its label is picked (along
    ``axis``); the value is ``exp(-mean(log p))``. A perfect model scores 1; a model that
    spreads its probability evenly over K classes scores K. Labels equal to
    ``ignore_label`` neither add to the sum nor to the count, and probabilities are floored
    at 1e-10 before the logarithm.

    Parameters
    ----------
    ignore_label : int or None
        Label value to skip (MXNet programs commonly pass -1 for padding); None counts
        every entry.
    axis : int, default -1
        Axis of the prediction that runs over the classes.
    name : str, default 'perplexity'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> perp = mx.metric.Perplexity(ignore_label=None)
    >>> perp.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(perp.get()[1], 6)
    1.771098
    """

    def __init__(self, ignore_label: Optional[int], axis: int = -1, name: str = "perplexity",
                 output_names: Optional[list] = None, label_names: Optional[list] = None):
        super().__init__(name, ignore_label=ignore_label, output_names=output_names,
                         label_names=label_names, has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels: Any, preds: Any) -> None:
        """Add a batch's negative log-probabilities and its count of (kept) labels.

        Parameters
        ----------
        labels : list of NDArray
            Class indices; each holds as many entries as its prediction has rows.
        preds : list of NDArray
            Probabilities, the classes along ``axis``.
        """
        if len(labels) != len(preds):
            raise ValueError(f"got {len(labels)} labels and {len(preds)} predictions")
        loss = 0.
        num = 0
        for label, pred in zip(labels, preds):
            if label.size != pred.size / pred.shape[-1]:
                raise ValueError(f"shape mismatch: {label.shape} vs. {pred.shape}")
            pred_t = _tensor(pred)
            label_t = _tensor(label).to(pred_t.device).reshape(-1)
            picked = self._pick(pred_t, label_t)
            if self.ignore_label is not None:
                # an ignored entry becomes probability 1: log 1 = 0 adds nothing
                ignore = (label_t == self.ignore_label).to(picked.dtype)
                num -= float(ignore.sum())
                picked = picked * (1 - ignore) + ignore
            loss -= float(torch.log(torch.clamp(picked, min=1e-10)).sum())
            num += picked.numel()
        self._accumulate(loss, num)

    def get(self) -> tuple:
        """The local perplexity.

        Returns
        -------
        tuple
            ``(name, value)``; NaN before anything was counted.
        """
        return _named_value(self.name, self.sum_metric, self.num_inst, math.exp)

    def get_global(self) -> tuple:
        """The global perplexity.

        Returns
        -------
        tuple
            ``(name, value)``; NaN before anything was counted.
        """
        return _named_value(self.name, self.global_sum_metric, self.global_num_inst, math.exp)

    def _pick(self, pred: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        """``nd.pick(pred, label, axis)`` (mode 'clip'), flattened: each label's probability,
        in pred's dtype."""
        probs = torch.movedim(pred, self.axis, -1)
        probs = probs.reshape(-1, probs.shape[-1])
        index = label.to(torch.int32).long().clamp(0, probs.shape[-1] - 1)
        return torch.gather(probs, 1, index.reshape(-1, 1)).reshape(-1)


# Regression


class _RegressionMetric(EvalMetric):
    """MAE, MSE and RMSE: the mean of one value computed per (label, pred) pair, 1-d arrays
    seen as columns."""

    def __init__(self, name: str, output_names: Optional[list], label_names: Optional[list]):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    @staticmethod
    def _batch_value(label: numpy.ndarray, pred: numpy.ndarray) -> Any:
        raise NotImplementedError()

    def update(self, labels: Any, preds: Any) -> None:
        """Add each pair's error to the running mean (one instance per pair, not per sample).

        Parameters
        ----------
        labels : list of NDArray
            Targets.
        preds : list of NDArray
            Predictions, broadcastable against the targets (1-d arrays count as ``(N, 1)``).
        """
        def column(array: Any) -> numpy.ndarray:
            values = _numpy(array)
            return values.reshape(-1, 1) if values.ndim == 1 else values
        for label, pred in _batch_pairs(labels, preds):
            self._accumulate(self._batch_value(column(label), column(pred)), 1)


@register
class MAE(_RegressionMetric):
    """Mean absolute error, ``mean(|label - pred|)``.

    Each (label, pred) pair of an update contributes its mean; the reported value is the
    mean of those.

    Parameters
    ----------
    name : str, default 'mae'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> mae = mx.metric.MAE()
    >>> mae.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> mae.get()
    ('mae', 0.5)
    """

    def __init__(self, name: str = "mae", output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(label: numpy.ndarray, pred: numpy.ndarray) -> Any:
        return numpy.abs(label - pred).mean()


@register
class MSE(_RegressionMetric):
    """Mean squared error, ``mean((label - pred) ** 2)``.

    Each (label, pred) pair of an update contributes its mean; the reported value is the
    mean of those.

    Parameters
    ----------
    name : str, default 'mse'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> mse = mx.metric.MSE()
    >>> mse.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> mse.get()
    ('mse', 0.375)
    """

    def __init__(self, name: str = "mse", output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(label: numpy.ndarray, pred: numpy.ndarray) -> Any:
        return ((label - pred) ** 2.0).mean()


@register
class RMSE(_RegressionMetric):
    """Root mean squared error, ``sqrt(mean((label - pred) ** 2))``.

    The root is taken per (label, pred) pair, and the reported value is the mean of those
    roots (not the root of the overall mean), as in MXNet.

    Parameters
    ----------
    name : str, default 'rmse'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> rmse = mx.metric.RMSE()
    >>> rmse.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> round(rmse.get()[1], 6)
    0.612372
    """

    def __init__(self, name: str = "rmse", output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _batch_value(label: numpy.ndarray, pred: numpy.ndarray) -> Any:
        return numpy.sqrt(((label - pred) ** 2.0).mean())


class _LabelProbabilityMetric(EvalMetric):
    """CrossEntropy and NegativeLogLikelihood: ``-log(p[label] + eps)`` summed over samples."""

    def __init__(self, eps: float, name: str, output_names: Optional[list],
                 label_names: Optional[list]):
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.eps = eps

    def update(self, labels: Any, preds: Any) -> None:
        """Add ``-log(p[label] + eps)`` of every sample of the batch.

        Parameters
        ----------
        labels : list of NDArray
            Class indices, one per row of the prediction.
        preds : list of NDArray
            Probabilities ``(N, classes)``.
        """
        for label, pred in _batch_pairs(labels, preds):
            classes = _numpy(label).ravel()
            probs = _numpy(pred)
            rows = probs.shape[0]
            if classes.shape[0] != rows:
                raise ValueError(f"{classes.shape[0]} labels for {rows} predictions")
            chosen = probs[numpy.arange(rows, dtype=numpy.int64), classes.astype(numpy.int64)]
            self._accumulate((-numpy.log(chosen + self.eps)).sum(), rows)


@register
@alias("ce")
class CrossEntropy(_LabelProbabilityMetric):
    """Mean cross entropy between one-hot labels and predicted probabilities.

    With class-index labels this is the mean over samples of ``-log(p[label] + eps)``, where
    ``p`` holds the predicted probabilities (already normalised, e.g. a softmax output).

    Parameters
    ----------
    eps : float, default 1e-12
        Added to each picked probability so that a probability of 0 gives a large finite
        value instead of infinity.
    name : str, default 'cross-entropy'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> ce = mx.metric.CrossEntropy()
    >>> ce.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(ce.get()[1], 6)
    0.571599
    """

    def __init__(self, eps: float = 1e-12, name: str = "cross-entropy",
                 output_names: Optional[list] = None, label_names: Optional[list] = None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_LabelProbabilityMetric):
    """Mean negative log-likelihood of the true classes under the predicted probabilities.

    The mean over samples of ``-log(p[label] + eps)``: the same number as
    :class:`CrossEntropy`, under the name used when the predictions are read as a
    likelihood.

    Parameters
    ----------
    eps : float, default 1e-12
        Added to each picked probability so that a probability of 0 stays finite.
    name : str, default 'nll-loss'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> nll = mx.metric.NegativeLogLikelihood()
    >>> nll.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(nll.get()[1], 6)
    0.571599
    """

    def __init__(self, eps: float = 1e-12, name: str = "nll-loss",
                 output_names: Optional[list] = None, label_names: Optional[list] = None):
        super().__init__(eps, name, output_names, label_names)


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation coefficient between labels and predictions, flattened.

    ``r = cov(label, pred) / (std(label) * std(pred))``, from 1 (perfectly linear, same
    direction) through 0 to -1. With ``average='macro'`` each (label, pred) pair gets its own
    coefficient and the mean is reported; with ``'micro'`` running means, sums of squares and
    the co-moment are updated batch by batch (Welford's method, as MXNet writes it) and one
    coefficient of everything seen is reported.

    Parameters
    ----------
    name : str, default 'pearsonr'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.
    average : str, default 'macro'
        ``'macro'`` (mean of per-pair coefficients) or ``'micro'`` (one pooled coefficient).

    Examples
    --------
    >>> pr = mx.metric.PearsonCorrelation()
    >>> pr.update([mx.nd.array([[1, 0], [0, 1], [0, 1]])],
    ...           [mx.nd.array([[0.3, 0.7], [0, 1.], [0.4, 0.6]])])
    >>> round(pr.get()[1], 6)
    0.421637
    """

    def __init__(self, name: str = "pearsonr", output_names: Optional[list] = None,
                 label_names: Optional[list] = None, average: str = "macro"):
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        if self.average == "micro":
            self.reset_micro()

    def reset_micro(self) -> None:
        """Zero the running statistics of the ``'micro'`` mode."""
        self._label_nums = self._pred_nums = 0
        self._mean_l = self._mean_p = 0
        self._sse_l = self._sse_p = 0
        self._conv = 0

    def reset(self) -> None:
        """Clear the tallies (and the running statistics in ``'micro'`` mode)."""
        self.num_inst = self.global_num_inst = 0
        self.sum_metric = self.global_sum_metric = 0.0
        if self.average == "micro":
            self.reset_micro()

    def update_variance(self, new_values: numpy.ndarray, *aggregate: Any) -> tuple:
        """Fold a batch into a running ``(count, mean, sum of squared deviations)``.

        Parameters
        ----------
        new_values : numpy.ndarray
            The batch, flattened.
        *aggregate
            The running ``count, mean, m_2``.

        Returns
        -------
        tuple
            The updated ``(count, mean, m_2)``.
        """
        count, mean, m_2 = aggregate
        count += len(new_values)
        before = new_values - mean
        mean += numpy.sum(before / count)
        m_2 += numpy.sum(before * (new_values - mean))
        return count, mean, m_2

    def update_cov(self, label: numpy.ndarray, pred: numpy.ndarray) -> None:
        """Add a batch's products of deviations from the running means to the co-moment.

        Parameters
        ----------
        label : numpy.ndarray
            The batch's labels, flattened.
        pred : numpy.ndarray
            The batch's predictions, flattened.
        """
        products = (label - self._mean_l) * (pred - self._mean_p)
        self._conv = self._conv + numpy.sum(products)

    def update(self, labels: Any, preds: Any) -> None:
        """Add a batch: a coefficient per pair (``'macro'``) or the running statistics
        (``'micro'``).

        Parameters
        ----------
        labels : list of NDArray
            Targets; each the same shape as its prediction.
        preds : list of NDArray
            Predictions.
        """
        for label, pred in _batch_pairs(labels, preds):
            check_label_shapes(label, pred, False, True)
            truth = _numpy(label).ravel().astype(numpy.float64)
            guess = _numpy(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._accumulate(numpy.corrcoef(guess, truth)[0, 1], 1)
                continue
            self.num_inst += 1
            self.global_num_inst += 1
            # the label's mean moves before the co-moment is updated, the prediction's after
            # (MXNet's order, which its micro values depend on)
            label_stats = (self._label_nums, self._mean_l, self._sse_l)
            self._label_nums, self._mean_l, self._sse_l = self.update_variance(truth, *label_stats)
            self.update_cov(truth, guess)
            pred_stats = (self._pred_nums, self._mean_p, self._sse_p)
            self._pred_nums, self._mean_p, self._sse_p = self.update_variance(guess, *pred_stats)

    def get(self) -> tuple:
        """The coefficient over what was seen.

        Returns
        -------
        tuple
            ``(name, value)``; NaN before anything was counted.
        """
        if self.num_inst == 0 or self.average == "macro":
            return _named_value(self.name, self.sum_metric, self.num_inst)
        dof = self._label_nums - 1
        # multiplied left to right, as MXNet does, for the same last bits
        scale = dof * numpy.sqrt(self._sse_p / dof) * numpy.sqrt(self._sse_l / dof)
        return (self.name, self._conv / scale)


@register
class PCC(EvalMetric):
    """Matthews' correlation generalised to any number of classes (Gorodkin's R_K).

    A K x K confusion matrix C (rows: predicted class, columns: true class) grows as new
    classes appear in a batch. With ``n`` the total count, ``x`` the row sums, ``y`` the
    column sums and ``d`` the diagonal::

        PCC = sum(d * n - x * y) / sqrt(sum(x * (n - x)) * sum(y * (n - y)))

    For two classes this is :class:`MCC`. With more classes the maximum is still 1 but the
    minimum lies between -1 and 0, depending on how the true classes are distributed. NaN
    when all samples sit in one row or one column.

    Parameters
    ----------
    name : str, default 'pcc'
        Label under which the value is reported.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.
    has_global_stats : bool, default True
        Keep a global confusion matrix apart from the local one.
    """

    def __init__(self, name: str = "pcc", output_names: Optional[list] = None,
                 label_names: Optional[list] = None, has_global_stats: bool = True):
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    def _grow(self, inc: int) -> None:
        """Widen both confusion matrices by ``inc`` classes."""
        widen = ((0, inc), (0, inc))
        self.lcm = numpy.pad(self.lcm, widen, mode="constant", constant_values=0)
        self.gcm = numpy.pad(self.gcm, widen, mode="constant", constant_values=0)
        self.k += inc

    def _calc_mcc(self, cmat: numpy.ndarray) -> float:
        """The coefficient of one confusion matrix (NaN when a marginal is degenerate)."""
        n = cmat.sum()
        rows, cols = cmat.sum(axis=1), cmat.sum(axis=0)
        cov_xx = numpy.sum(rows * (n - rows))
        cov_yy = numpy.sum(cols * (n - cols))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - rows * cols)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels: Any, preds: Any) -> None:
        """Add a batch to the confusion matrices (the update counts as one instance).

        Parameters
        ----------
        labels : list of NDArray
            Class indices.
        preds : list of NDArray
            Class indices (same shape as the label) or per-class scores ``(N, classes)``.
        """
        for label, pred in _batch_pairs(labels, preds):
            truth = _numpy(label).astype("int32")
            guess = _numpy(pred)
            guess = guess.astype("int32") if guess.shape == truth.shape else guess.argmax(axis=1)
            largest = max(guess.max(), truth.max())
            if largest >= self.k:
                self._grow(largest + 1 - self.k)
            batch = numpy.zeros((self.k, self.k))
            numpy.add.at(batch, (guess, truth), 1)
            self.lcm += batch
            self.gcm += batch
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self) -> float:
        """The local coefficient times the local instance count (so ``get`` divides it out)."""
        return self.num_inst * self._calc_mcc(self.lcm)

    @property
    def global_sum_metric(self) -> float:
        """The global coefficient times the global instance count."""
        return self.global_num_inst * self._calc_mcc(self.gcm)

    def reset(self) -> None:
        """Clear both confusion matrices."""
        self.global_num_inst = 0.
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self) -> None:
        """Clear the local confusion matrix."""
        self.num_inst = 0.
        self.lcm = numpy.zeros((self.k, self.k))


@register
class Loss(EvalMetric):
    """The mean of the values a loss produced: reports the loss itself, ignoring labels.

    Every element of every prediction array counts as one instance, so the value is the
    mean over all of them.

    Parameters
    ----------
    name : str, default 'loss'
        Label under which the value is reported.
    output_names : list of str, or None
        Outputs ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` passes on (not used by this metric); None passes all.

    Examples
    --------
    >>> loss = mx.metric.Loss()
    >>> loss.update(None, [mx.nd.array([0.5, 1.5])])
    >>> loss.get()
    ('loss', 1.0)
    """

    def __init__(self, name: str = "loss", output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        super().__init__(name, output_names=output_names, label_names=label_names,
                         has_global_stats=True)

    def update(self, _: Any, preds: Any) -> None:
        """Add the sum and the element count of each loss array.

        Parameters
        ----------
        _ : Any
            The labels, ignored.
        preds : list of NDArray, or NDArray
            Loss values.
        """
        for pred in ([preds] if isinstance(preds, NDArray) else preds):
            # summed in the prediction's dtype, as MXNet's nd.sum
            values = _tensor(pred)
            self._accumulate(values.sum().cpu().numpy().item(), values.numel())


@register
class Torch(Loss):
    """:class:`Loss` under the name ``'torch'`` (kept from MXNet's Torch plugin days).

    Parameters
    ----------
    name : str, default 'torch'
        Label under which the value is reported.
    output_names : list of str, or None
        Outputs ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` passes on (not used); None passes all.
    """

    def __init__(self, name: str = "torch", output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """:class:`Loss` under the name ``'caffe'`` (kept from MXNet's Caffe plugin days).

    Parameters
    ----------
    name : str, default 'caffe'
        Label under which the value is reported.
    output_names : list of str, or None
        Outputs ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` passes on (not used); None passes all.
    """

    def __init__(self, name: str = "caffe", output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class CustomMetric(EvalMetric):
    """A metric computed by a function of yours, ``feval(label, pred)``, on numpy arrays.

    ``feval`` is called once per (label, pred) pair. It returns either a number, counted
    as one instance, or a ``(sum, count)`` tuple; the reported value is the sum of the
    sums over the sum of the counts.

    Parameters
    ----------
    feval : callable
        ``feval(label, pred)`` with numpy arrays, returning a number or ``(sum, count)``.
    name : str, optional
        Label under which the value is reported; by default the function's ``__name__``,
        written ``custom(<lambda>)`` for a lambda.
    allow_extra_outputs : bool, default False
        Accept more predictions than labels (the surplus, such as an RNN's states, is
        skipped) instead of refusing the batch.
    output_names : list of str, or None
        Predictions ``update_dict`` uses, by name; None uses all.
    label_names : list of str, or None
        Labels ``update_dict`` uses, by name; None uses all.

    Examples
    --------
    >>> m = mx.metric.CustomMetric(lambda label, pred: (label + pred).mean())
    >>> m.update([mx.nd.array([2.5, 0.0, 2, 8])], [mx.nd.array([3, -0.5, 2, 7])])
    >>> m.get()
    ('custom(<lambda>)', 6.0)
    """

    def __init__(self, feval: Callable, name: Optional[str] = None,
                 allow_extra_outputs: bool = False, output_names: Optional[list] = None,
                 label_names: Optional[list] = None):
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        names = {"output_names": output_names, "label_names": label_names}
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         has_global_stats=True, **names)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels: Any, preds: Any) -> None:
        """Call ``feval`` on each (label, pred) pair and add what it returns.

        Parameters
        ----------
        labels : list of NDArray
            Ground truth.
        preds : list of NDArray
            Model outputs (possibly more than labels, with ``allow_extra_outputs``).
        """
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, wrap=True)
        for pred, label in zip(preds, labels):
            result = self._feval(_numpy(label), _numpy(pred))
            if isinstance(result, tuple):
                self._accumulate(*result)
            else:
                self._accumulate(result, 1)

    def get_config(self) -> dict:
        """Not available: a Python function cannot be written into a config.

        Raises
        ------
        NotImplementedError
            Always.
        """
        message = "CustomMetric cannot be serialized"
        raise NotImplementedError(message)


def np(numpy_feval: Callable, name: Optional[str] = None,  # pylint: disable=invalid-name
       allow_extra_outputs: bool = False) -> CustomMetric:
    """Wrap a numpy function ``numpy_feval(label, pred)`` as a :class:`CustomMetric`.

    Parameters
    ----------
    numpy_feval : callable
        Takes a batch's labels and predictions as numpy arrays and returns the metric as a
        float.
    name : str, optional
        Label under which the value is reported; by default the function's name.
    allow_extra_outputs : bool, default False
        Accept more predictions than labels (e.g. an RNN returning its states too).

    Returns
    -------
    CustomMetric
        The metric.

    Examples
    --------
    >>> def mean_gap(label, pred):
    ...     return abs(label - pred).mean()
    >>> mx.metric.np(mean_gap).name
    'mean_gap'
    """
    def feval(label: numpy.ndarray, pred: numpy.ndarray) -> Any:
        """Forward to ``numpy_feval``."""
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name=name, allow_extra_outputs=allow_extra_outputs)
