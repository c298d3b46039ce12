"""Loss functions of Gluon: blocks that compare predictions with labels, one value per sample.

Every loss here is a ``HybridBlock`` called as ``loss(pred, label[, sample_weight])``. It
computes an element-wise loss, multiplies it by ``sample_weight`` (broadcast, e.g. shape
``(batch_size, 1)`` to weigh whole samples) and by the scalar ``weight`` given at construction,
and reduces every axis but ``batch_axis``, so that the result has shape ``(batch_size,)``
(the exceptions are noted in each class). ``loss.backward()`` on that result back-propagates
the sum over the batch, as in MXNet. ``label`` is reshaped to ``pred``'s shape where the two
must match element for element.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .. import ndarray
from ..base import numeric_types
from .block import HybridBlock

__all__ = ["Loss", "L2Loss", "L1Loss", "SigmoidBinaryCrossEntropyLoss", "SigmoidBCELoss",
           "SoftmaxCrossEntropyLoss", "SoftmaxCELoss", "KLDivLoss", "CTCLoss", "HuberLoss", "HingeLoss",
           "SquaredHingeLoss", "LogisticLoss", "TripletLoss", "PoissonNLLLoss",
           "CosineEmbeddingLoss"]


def _apply_weighting(F: Any, loss: Any, weight: Optional[float] = None,
                     sample_weight: Any = None) -> Any:
    """``loss`` times ``sample_weight`` (broadcast against it) and times the scalar ``weight``;
    either may be None. A ``weight`` that is not a number raises ``TypeError``."""
    if sample_weight is not None:
        loss = F.broadcast_mul(loss, sample_weight)
    if weight is not None:
        if not isinstance(weight, numeric_types):
            raise TypeError(f"weight must be a number, got {type(weight).__name__}")
        loss = loss * weight
    return loss


def _reshape_like(F: Any, x: Any, y: Any) -> Any:
    """``x`` with ``y``'s shape (an NDArray reshapes directly; a Symbol through reshape_like)."""
    if F is ndarray:
        return x.reshape(y.shape)
    return F.reshape_like(x, y)


def _softplus_of_minus_abs(F: Any, x: Any) -> Any:
    """``log(1 + exp(-|x|))``, which never overflows; the logistic losses are built on it."""
    return F.Activation(-F.abs(x), act_type="softrelu")


class Loss(HybridBlock):
    """Base class of the losses: holds the scalar ``weight`` and the ``batch_axis``.

    A subclass implements ``hybrid_forward(F, pred, label, ...)``.

    Parameters
    ----------
    weight : float or None
        Scalar the loss is multiplied by; None leaves it as computed.
    batch_axis : int
        The axis of the samples, the one kept when the loss is reduced.
    """

    def __init__(self, weight: Optional[float], batch_axis: int, **kwargs: Any):
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(batch_axis={self._batch_axis}, w={self._weight})"

    def _weighted_mean(self, F: Any, loss: Any, sample_weight: Any,
                       weight: Optional[float] = None) -> Any:
        """The element-wise ``loss`` weighted, then averaged over every axis but the batch axis
        (``weight`` defaults to the layer's)."""
        loss = _apply_weighting(F, loss, self._weight if weight is None else weight, sample_weight)
        return F.mean(loss, axis=self._batch_axis, exclude=True)

    def hybrid_forward(self, F: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Computes the loss; every subclass defines it.

        Parameters
        ----------
        x : NDArray or Symbol
            The prediction.
        *args : NDArray or Symbol
            The label and the other inputs of the loss.
        """
        raise NotImplementedError


class L2Loss(Loss):
    r"""Squared error, halved: ``weight / 2 * (label - pred)**2``, averaged per sample.

    Parameters
    ----------
    weight : float, default 1.0
        Scalar the loss is multiplied by (before the halving).
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` has as many elements as
    ``pred``. The output has shape ``(batch_size,)``.

    Examples
    --------
    >>> loss = gluon.loss.L2Loss()
    >>> loss(mx.nd.array([[1, 2], [3, 4]]), mx.nd.array([[1, 0], [3, 5]])).asnumpy()
    array([1.  , 0.25], dtype=float32)
    """

    def __init__(self, weight: float = 1.0, batch_axis: int = 0, **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        error = _reshape_like(F, label, pred) - pred
        return self._weighted_mean(F, F.square(error), sample_weight, weight=self._weight / 2)


class L1Loss(Loss):
    r"""Absolute error ``|label - pred|``, averaged per sample.

    Parameters
    ----------
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` has as many elements as
    ``pred``. The output has shape ``(batch_size,)``.
    """

    def __init__(self, weight: Optional[float] = None, batch_axis: int = 0, **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        error = _reshape_like(F, label, pred) - pred
        return self._weighted_mean(F, F.abs(error), sample_weight)


class SigmoidBinaryCrossEntropyLoss(Loss):
    r"""Binary cross-entropy of independent yes/no targets; also available as ``SigmoidBCELoss``.

    With ``p = sigmoid(pred)`` (or ``p = pred`` when ``from_sigmoid``), each element contributes
    ``-(pos_weight * label * log(p) + (1 - label) * log(1 - p))``. From raw scores the sigmoid
    and the logarithm are computed together in a form that neither overflows nor takes the
    logarithm of 0; from probabilities, ``1e-12`` is added inside each logarithm.

    Parameters
    ----------
    from_sigmoid : bool, default False
        Whether ``pred`` already holds probabilities (a sigmoid's output) rather than raw scores.
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None, pos_weight=None)``. ``label`` holds values
    in ``[0, 1]`` and has as many elements as ``pred``. ``pos_weight``, broadcast against
    ``label`` (e.g. one value per class), scales the positive term: above 1 it favours recall,
    below 1 precision. The output has shape ``(batch_size,)``.
    """

    def __init__(self, from_sigmoid: bool = False, weight: Optional[float] = None,
                 batch_axis: int = 0, **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None,
                       pos_weight: Any = None) -> Any:
        label = _reshape_like(F, label, pred)
        if self._from_sigmoid:
            eps = 1e-12
            positive = F.log(pred + eps) * label
            if pos_weight is not None:
                positive = F.broadcast_mul(positive, pos_weight)
            loss = -(positive + F.log(1. - pred + eps) * (1. - label))
        elif pos_weight is None:
            # -log(sigmoid(x)) = relu(-x) + log(1 + exp(-|x|)), so that the element loss is
            # relu(x) - x*label + log(1 + exp(-|x|)) for any label in [0, 1]
            loss = F.relu(pred) - pred * label + _softplus_of_minus_abs(F, pred)
        else:
            # the same identity with the -log(sigmoid(x)) term scaled by 1 + (pos_weight - 1)*label
            scale = 1 + F.broadcast_mul(pos_weight - 1, label)
            loss = (pred - pred * label
                    + scale * (_softplus_of_minus_abs(F, pred) + F.relu(-pred)))
        return self._weighted_mean(F, loss, sample_weight)


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class SoftmaxCrossEntropyLoss(Loss):
    r"""Cross-entropy of a softmax over classes; also available as ``SoftmaxCELoss``.

    The log-probabilities are ``log_softmax(pred)`` along ``axis`` (or ``pred`` itself when
    ``from_logits``). With ``sparse_label`` the loss is minus the log-probability of the labelled
    class; otherwise ``label`` is a distribution over the classes and the loss is
    ``-sum(label * log_prob)`` along ``axis``.

    Parameters
    ----------
    axis : int, default -1
        The class axis.
    sparse_label : bool, default True
        Whether ``label`` holds class indices (True) or probabilities per class (False).
    from_logits : bool, default False
        Whether ``pred`` already holds log-probabilities (e.g. from ``log_softmax``).
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``. With ``sparse_label``, ``label`` has
    ``pred``'s shape without ``axis`` (``(N,)`` for ``pred`` ``(N, classes)``) and holds indices
    in ``[0, classes)``; otherwise it has as many elements as ``pred``. The output has shape
    ``(batch_size,)``.

    Examples
    --------
    >>> loss = gluon.loss.SoftmaxCrossEntropyLoss()
    >>> pred = mx.nd.array([[0.3, 2.0, -1.0], [1.5, 0.1, 0.2]])
    >>> loss(pred, mx.nd.array([1, 0])).asnumpy()
    array([0.2090207, 0.418137 ], dtype=float32)
    """

    def __init__(self, axis: int = -1, sparse_label: bool = True, from_logits: bool = False,
                 weight: Optional[float] = None, batch_axis: int = 0, **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        log_prob = pred if self._from_logits else F.log_softmax(pred, self._axis)
        if self._sparse_label:
            loss = -F.pick(log_prob, label, axis=self._axis, keepdims=True)
        else:
            label = _reshape_like(F, label, log_prob)
            loss = -F.sum(log_prob * label, axis=self._axis, keepdims=True)
        return self._weighted_mean(F, loss, sample_weight)


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class KLDivLoss(Loss):
    r"""Kullback-Leibler divergence of the predicted distribution from the label distribution.

    Each element contributes ``label * (log(label + 1e-12) - log_prob)``, where ``log_prob`` is
    ``pred`` itself when ``from_logits`` (the default) or ``log_softmax(pred)`` along ``axis``;
    the contributions are summed per sample (not averaged, unlike the other losses).

    Parameters
    ----------
    from_logits : bool, default True
        Whether ``pred`` already holds log-probabilities.
    axis : int, default -1
        The axis of the softmax when ``from_logits`` is False.
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` holds probabilities and has
    ``pred``'s shape. The output has shape ``(batch_size,)``.
    """

    def __init__(self, from_logits: bool = True, axis: int = -1, weight: Optional[float] = None,
                 batch_axis: int = 0, **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._axis = axis

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        log_prob = pred if self._from_logits else F.log_softmax(pred, self._axis)
        loss = _apply_weighting(F, label * (F.log(label + 1e-12) - log_prob), self._weight,
                                sample_weight)
        return F.sum(loss, axis=self._batch_axis, exclude=True)


class CTCLoss(Loss):
    r"""Connectionist Temporal Classification loss between per-step class scores and unaligned
    label sequences.

    It is the negative log-likelihood of each label sequence summed over all alignments, as
    computed by the ``CTCLoss`` operator with the last class as the blank.

    Parameters
    ----------
    layout : str, default 'NTC'
        Axes of ``pred``: 'NTC' (batch, time, classes) or 'TNC'.
    label_layout : str, default 'NT'
        Axes of ``label``: 'NT' (batch, label position) or 'TN'.
    weight : float, optional
        Scalar the loss is multiplied by.

    Notes
    -----
    Called as ``loss(pred, label, pred_lengths=None, label_lengths=None, sample_weight=None)``.

    - ``pred``: scores before the softmax, ``(batch_size, steps, alphabet_size)`` for 'NTC'. The
      last class, ``alphabet_size - 1``, is the blank, so ``alphabet_size`` counts the symbols
      plus one.
    - ``label``: symbol indices from 0, ``(batch_size, label_length)`` for 'NT'; shorter
      sequences are padded with -1.
    - ``pred_lengths``: ``(batch_size,)``, the number of valid steps of each prediction.
    - ``label_lengths``: ``(batch_size,)``, the length of each label sequence (instead of the
      padding).
    - ``sample_weight``: a weight per sample, broadcastable to ``(batch_size,)``.

    The output has shape ``(batch_size,)``.
    """

    def __init__(self, layout: str = "NTC", label_layout: str = "NT", weight: Optional[float] = None,
                 **kwargs: Any):
        if layout not in ("NTC", "TNC"):
            raise ValueError(f"CTCLoss: layout must be 'NTC' or 'TNC', got {layout!r}")
        if label_layout not in ("NT", "TN"):
            raise ValueError(f"CTCLoss: label_layout must be 'NT' or 'TN', got {label_layout!r}")
        self._layout = layout
        self._label_layout = label_layout
        super().__init__(weight, label_layout.find("N"), **kwargs)

    def hybrid_forward(self, F: Any, pred: Any, label: Any, pred_lengths: Any = None,
                       label_lengths: Any = None, sample_weight: Any = None) -> Any:
        if self._layout == "NTC":  # the operator takes time first
            pred = F.swapaxes(pred, 0, 1)
        if self._batch_axis == 1:
            label = F.swapaxes(label, 0, 1)
        nll = F.CTCLoss(pred, label, pred_lengths, label_lengths, blank_label="last",
                        use_data_lengths=pred_lengths is not None,
                        use_label_lengths=label_lengths is not None)
        return _apply_weighting(F, nll, self._weight, sample_weight)


class HuberLoss(Loss):
    r"""Huber (smooth L1) loss: quadratic for errors below ``rho``, linear above.

    With ``e = |label - pred|`` each element contributes ``e**2 / (2 * rho)`` if ``e <= rho`` and
    ``e - rho / 2`` otherwise (the two pieces meet with equal slope at ``rho``), averaged per
    sample. Large errors therefore pull less than in ``L2Loss``.

    Parameters
    ----------
    rho : float, default 1
        The error at which the loss turns from quadratic to linear.
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` has as many elements as
    ``pred``. The output has shape ``(batch_size,)``.
    """

    def __init__(self, rho: float = 1, weight: Optional[float] = None, batch_axis: int = 0,
                 **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._rho = rho

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        error = F.abs(_reshape_like(F, label, pred) - pred)
        rho = self._rho
        loss = F.where(error > rho, error - 0.5 * rho, (0.5 / rho) * F.square(error))
        return self._weighted_mean(F, loss, sample_weight)


class HingeLoss(Loss):
    r"""Hinge loss of a margin classifier (as in SVMs): ``max(0, margin - pred * label)``.

    Parameters
    ----------
    margin : float, default 1
        How far on the right side of 0 a score must be to cost nothing.
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` holds -1 or 1 and has as many
    elements as ``pred``. The output has shape ``(batch_size,)``.
    """

    def __init__(self, margin: float = 1, weight: Optional[float] = None, batch_axis: int = 0,
                 **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        agreement = pred * _reshape_like(F, label, pred)
        return self._weighted_mean(F, F.relu(self._margin - agreement), sample_weight)


class SquaredHingeLoss(Loss):
    r"""Squared hinge loss: ``max(0, margin - pred * label)**2``, a smooth variant of ``HingeLoss``.

    Parameters
    ----------
    margin : float, default 1
        How far on the right side of 0 a score must be to cost nothing.
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` holds -1 or 1 and has as many
    elements as ``pred``. The output has shape ``(batch_size,)``.
    """

    def __init__(self, margin: float = 1, weight: Optional[float] = None, batch_axis: int = 0,
                 **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        agreement = pred * _reshape_like(F, label, pred)
        shortfall = F.relu(self._margin - agreement)
        return self._weighted_mean(F, F.square(shortfall), sample_weight)


class LogisticLoss(Loss):
    r"""Logistic loss of a binary classifier: ``log(1 + exp(-pred * label))`` for labels -1 and 1.

    Parameters
    ----------
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.
    label_format : str, default 'signed'
        'signed' for labels -1 and 1, 'binary' for labels 0 and 1; anything else raises
        ``ValueError``.

    Notes
    -----
    Called as ``loss(pred, label, sample_weight=None)``; ``label`` has as many elements as
    ``pred``. The output has shape ``(batch_size,)``.
    """

    def __init__(self, weight: Optional[float] = None, batch_axis: int = 0,
                 label_format: str = "signed", **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._label_format = label_format
        if label_format not in ("signed", "binary"):
            raise ValueError(f"label_format can only be signed or binary, recieved {label_format}.")

    def hybrid_forward(self, F: Any, pred: Any, label: Any, sample_weight: Any = None) -> Any:
        label = _reshape_like(F, label, pred)
        if self._label_format == "signed":
            label = (label + 1.0) / 2.0  # -1/1 to 0/1: the loss is then binary cross-entropy
        loss = F.relu(pred) - pred * label + _softplus_of_minus_abs(F, pred)
        return self._weighted_mean(F, loss, sample_weight)


class TripletLoss(Loss):
    r"""Triplet loss: an anchor should be closer to a positive example than to a negative one.

    Per sample, ``max(0, |positive - pred|**2 - |negative - pred|**2 + margin)`` with squared
    Euclidean distances over all axes but the batch axis: the loss is 0 once the negative is
    farther than the positive by at least ``margin``.

    Parameters
    ----------
    margin : float, default 1
        The required gap between the two squared distances.
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.

    Notes
    -----
    Called as ``loss(pred, positive, negative)`` (no ``sample_weight``); ``positive`` and
    ``negative`` have as many elements as ``pred``. The output has shape ``(batch_size,)``.
    """

    def __init__(self, margin: float = 1, weight: Optional[float] = None, batch_axis: int = 0,
                 **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F: Any, pred: Any, positive: Any, negative: Any) -> Any:
        to_positive = F.square(_reshape_like(F, positive, pred) - pred)
        to_negative = F.square(_reshape_like(F, negative, pred) - pred)
        gap = F.sum(to_positive - to_negative, axis=self._batch_axis, exclude=True)
        return _apply_weighting(F, F.relu(gap + self._margin), self._weight)


class PoissonNLLLoss(Loss):
    r"""Negative log-likelihood of counts under a Poisson distribution with the predicted rate.

    With ``from_logits`` (the default) ``pred`` is the log of the rate and each element
    contributes ``exp(pred) - target * pred``; otherwise ``pred`` is the rate and it contributes
    ``pred - target * log(pred + epsilon)``. ``compute_full`` adds Stirling's approximation of
    ``log(target!)``, ``target * log(target) - target + 0.5 * log(2 * pi * target)``, for the
    elements whose target exceeds 1. Unlike the other losses the result is one mean over all
    elements.

    Parameters
    ----------
    weight : float, optional
        Scalar the loss is multiplied by.
    from_logits : bool, default True
        Whether ``pred`` is the log of the rate.
    batch_axis : int, default 0
        Kept for the common signature; the mean is taken over every axis.
    compute_full : bool, default False
        Whether to add the Stirling term (constant in ``pred``, so it changes the value but not
        the gradient).

    Notes
    -----
    Called as ``loss(pred, target, sample_weight=None, epsilon=1e-08)``: as in MXNet,
    ``epsilon`` (added before the logarithm when ``from_logits`` is False) is an argument of
    the call, not of the constructor. ``target`` has as many elements as ``pred``. The output
    has shape ``(1,)``.
    """

    def __init__(self, weight: Optional[float] = None, from_logits: bool = True,
                 batch_axis: int = 0, compute_full: bool = False, **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._compute_full = compute_full

    def hybrid_forward(self, F: Any, pred: Any, target: Any, sample_weight: Any = None,
                       epsilon: float = 1e-08) -> Any:
        target = _reshape_like(F, target, pred)
        if self._from_logits:
            loss = F.exp(pred) - target * pred
        else:
            loss = pred - target * F.log(pred + epsilon)
        if self._compute_full:
            stirling = target * F.log(target) - target + 0.5 * F.log(2 * target * np.pi)
            loss = loss + stirling * (target > 1)
        return F.mean(_apply_weighting(F, loss, self._weight, sample_weight))


class CosineEmbeddingLoss(Loss):
    r"""Cosine embedding loss: pairs labelled 1 should point the same way, pairs labelled -1 not.

    With ``c`` the cosine similarity of ``input1`` and ``input2`` along their last axis, a pair
    labelled 1 costs ``1 - c`` and a pair labelled -1 costs ``max(0, c - margin)``.

    Parameters
    ----------
    weight : float, optional
        Scalar the loss is multiplied by.
    batch_axis : int, default 0
        The axis of the samples.
    margin : float, default 0
        Cosine similarity that a pair labelled -1 may have at no cost.

    Notes
    -----
    Called as ``loss(input1, input2, label, sample_weight=None)``: ``input1`` has as many
    elements as ``input2``, whose last axis holds the vectors; ``label`` holds one 1 or -1 per
    pair. The output has shape ``(batch_size, 1)``, as in MXNet.
    """

    def __init__(self, weight: Optional[float] = None, batch_axis: int = 0, margin: float = 0,
                 **kwargs: Any):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F: Any, input1: Any, input2: Any, label: Any,
                       sample_weight: Any = None) -> Any:
        input1 = _reshape_like(F, input1, input2)
        label = label.reshape((-1, 1))
        similarity = self._cosine_similarity(F, input1, input2)
        similar_cost = (1 - similarity) * (label == 1)
        zero = F.array([0]) if F is ndarray else F.zeros((1, 1))
        # (MXNet passes axis=1 here, which broadcast_maximum ignores)
        dissimilar_cost = F.broadcast_maximum(zero, (label == -1) * (similarity - self._margin))
        return _apply_weighting(F, similar_cost + dissimilar_cost, self._weight, sample_weight)

    def _cosine_similarity(self, F: Any, x: Any, y: Any, axis: int = -1) -> Any:
        """Cosine similarity of ``x`` and ``y`` along ``axis``, as a column ``(n, 1)``; the norms'
        product is floored at 1e-12 so that a zero vector gives 0, not NaN."""
        def column(v: Any) -> Any:
            return v.reshape((-1, 1))
        norms = column(F.norm(x, axis=axis)) * column(F.norm(y, axis=axis))
        floor = F.array([1e-12]) if F is ndarray else F.full((1, 1), 1e-12)
        return column(F.sum(x * y, axis=axis)) / F.broadcast_maximum(norms, floor)
